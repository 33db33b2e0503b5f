/*
 * tun.h: the TUN device that stands in for the gif(4) interface.
 *
 * tunneld creates a layer-3 TUN interface (IFF_TUN | IFF_NO_PI: every
 * read and write is one bare IPv4 or IPv6 packet), sets its MTU and brings
 * it up. The operator configures its addresses and routes with ip(8), as
 * ifconfig(8) did for gif0. Several queues (IFF_MULTI_QUEUE) give each
 * worker thread its own descriptor.
 *
 * Daemon-level functions return 0 (or a count) and -1 on failure, having
 * logged the reason once; per-packet functions do not log.
 */
#ifndef TUNNELD_TUN_H
#define TUNNELD_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "pkt.h"

#define TUN_DEFAULT_NAME	"gif0"
#define TUN_MAX_QUEUES		64
/*
 * Packets the kernel queues for tunneld to read. The default (500) fills
 * whenever tunneld waits for a CPU, and each overflow is a loss that
 * halves a TCP sender's window.
 */
#define TUN_TXQLEN		4096
#define TUN_OUTER_MTU		1500	/* the typical link the outer packets cross */

/*
 * Worst-case bytes one inner packet grows by on its way out:
 *	outer IPv4 / IPv6 header			20 / 40
 *	UDP encapsulation (RFC 3948)			 8
 *	ESP header: SPI and sequence number		 8
 *	IV (AES-CBC; GCM and ChaCha20 need 8)		16
 *	padding to a 16-byte cipher block		15
 *	pad length and next header			 2
 *	ICV (HMAC-SHA-512/256; AEADs need 16)		32
 *	gif: the IP-in-IP header, same family		20 / 40
 * So the default MTU is 1500 - 101 = 1399 with an IPv4 outer header and
 * 1379 with gif; 1379 and 1339 with IPv6. All stay above the IPv6
 * minimum of 1280 (RFC 8200 section 5).
 */
#define TUN_ESP_OVERHEAD	(PKT_UDP_HLEN + 8 + 16 + 15 + 2 + 32)

/* The MTU above for outer family AF_INET or AF_INET6; -1 for another family. */
int tun_default_mtu(bool gif, int outer_af);

/*
 * Creates (or attaches to) the TUN interface name (NULL: "gif0") with
 * nqueues descriptors, 1..TUN_MAX_QUEUES; more than one sets
 * IFF_MULTI_QUEUE. The descriptors are non-blocking and close-on-exec,
 * stored in fds[0..nqueues); the caller closes them (the interface goes
 * away with the last one). ifname receives the kernel's name.
 */
int tun_open(const char *name, unsigned nqueues, int *fds, char ifname[static IFNAMSIZ]);

/*
 * Sets the MTU of ifname, raises its transmit queue to TUN_TXQLEN packets
 * (a failure there is logged, not fatal) and brings the link up (IFF_UP).
 */
int tun_configure(const char *ifname, int mtu);

/*
 * Reads up to n packets from the non-blocking fd, one into each pkts[i]
 * at its headroom (its data is replaced; room is cap - headroom and should
 * exceed the MTU). Each comes behind a virtio-net header (IFF_VNET_HDR),
 * which is read apart; a packet it makes unusable is returned empty
 * (len 0). Returns how many were read (0 when none is waiting), or -1
 * with errno if the first read failed otherwise.
 */
int tun_read_batch(int fd, struct pkt_buf *pkts, unsigned n);

/*
 * Writes one packet behind an empty virtio-net header. 0, or -1 with
 * errno (EAGAIN when the queue is full).
 */
int tun_write(int fd, const uint8_t *p, size_t len);

#define TUN_PLAN_MAX	64	/* segments of one tun_write_plan() */

struct tungso_plan;

/*
 * Writes the packet tungso_plan() made of p[0..pl->nseg): its head, then
 * each segment's payload. 0, or -1 with errno.
 */
int tun_write_plan(int fd, const struct tungso_plan *pl, const struct pkt_buf *p);

#define TUN_STATE_MAXADDR	16

struct tun_ifaddr {
	struct gw_addr	addr;	/* plen from the netmask */
	struct gw_addr	peer;	/* af 0 when no distinct peer address */
};

/* A snapshot of the interface for a gifconfig-like display. */
struct tun_state {
	char			name[IFNAMSIZ];
	unsigned		flags;	/* IFF_* */
	int			mtu;
	struct gw_addr		tsrc;	/* gif outer endpoints; af 0 = none */
	struct gw_addr		tdst;
	size_t			naddr;
	size_t			nmore;	/* addresses beyond TUN_STATE_MAXADDR */
	struct tun_ifaddr	addr[TUN_STATE_MAXADDR];
};

/*
 * Fills *st for ifname: flags and MTU from the kernel, addresses from
 * getifaddrs(3), tunnel endpoints from tsrc/tdst (either may be NULL).
 */
int tun_get_state(const char *ifname, const struct gw_addr *tsrc,
    const struct gw_addr *tdst, struct tun_state *st);

/*
 * Prints st in the style of gifconfig(8):
 *	gif0: flags=<UP,POINTOPOINT,RUNNING,NOARP,MULTICAST> mtu 1379
 *		tunnel inet 203.0.113.1 --> 203.0.113.2
 *		inet 10.1.0.1 --> 10.2.0.1 netmask 0xffffffff
 *		inet6 fe80::1%gif0 prefixlen 64
 */
void tun_format_state(FILE *fp, const struct tun_state *st);

/* tun_get_state, then tun_format_state. */
int tun_print_state(FILE *fp, const char *ifname, const struct gw_addr *tsrc,
    const struct gw_addr *tdst);

#endif
