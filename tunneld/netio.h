/*
 * netio.h: the network side of the data path, in batches.
 *
 * Receiving: raw IP sockets of one protocol (IPPROTO_ESP; IPPROTO_IPIP and
 * IPPROTO_IPV6 for an unprotected gif tunnel) and a UDP socket on port
 * 4500 that carries ESP-in-UDP, NAT keepalives and IKE (RFC 3948; tunneld
 * owns it, see DESIGN.md). An IPv4 raw socket hands over the IP header
 * with the payload, an IPv6 one only the payload; netio_recv evens this
 * out: every message comes back with its data starting at the payload
 * (the ESP header, the inner packet of IP-in-IP, the UDP payload) and
 * with the outer source, destination and DS field beside it.
 *
 * Sending: a raw socket with the header included (IPPROTO_RAW: IP_HDRINCL
 * implied for IPv4, IPV6_HDRINCL set for IPv6) takes packets that
 * pkt_outer_build already wrapped, ESP-in-UDP included, so that tunneld
 * alone decides DSCP, ECN and DF. The kernel does not fragment these: a
 * packet above the route's MTU fails with EMSGSIZE. The UDP socket sends
 * only what is not ESP (keepalives, IKE relayed for ikd).
 *
 * Nothing here allocates per packet: the caller owns the struct netio_msg
 * array and its buffers, and one struct netio_scratch per thread.
 */
#ifndef TUNNELD_NETIO_H
#define TUNNELD_NETIO_H

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>

#include "addr.h"
#include "pkt.h"

#define NETIO_BATCH_MAX		64
#define NETIO_RCVBUF		(4 << 20)	/* receive queue bytes; the kernel doubles it */
#define NETIO_IKE_HLEN		28	/* RFC 7296 section 3.1 */
#define NETIO_ESP_HLEN		8	/* SPI and sequence number */

enum netio_kind {
	NETIO_RAW_RECV,		/* raw socket of one IP protocol, receive only */
	NETIO_RAW_SEND,		/* IPPROTO_RAW, header included, send only */
	NETIO_UDP,		/* UDP, both directions */
};

struct netio_sock {
	int		fd;
	sa_family_t	af;
	enum netio_kind	kind;
	uint8_t		proto;	/* NETIO_RAW_RECV: the protocol */
	uint16_t	port;	/* NETIO_UDP: the bound port, host order */
};

struct netio_msg {
	struct pkt_buf	pkt;	/* recv: buffer in, payload out; send: the datagram */
	struct gw_addr	src;	/* recv: sender (port for UDP); send UDP: local, or unset */
	struct gw_addr	dst;	/* recv: local address it came to; send UDP: peer + port */
	uint8_t		tos;	/* recv: the outer DS field (DSCP << 2 | ECN) */
	int		err;	/* recv: 0 or a negative gw_err; send: 0 or an errno */
};

/* Per-thread scratch for the kernel's message headers; contents are private. */
union netio_cmsg {
	struct cmsghdr	hdr;
	uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
};

struct netio_scratch {
	struct mmsghdr		hdr[NETIO_BATCH_MAX];
	struct iovec		iov[NETIO_BATCH_MAX];
	struct sockaddr_storage	name[NETIO_BATCH_MAX];
	union netio_cmsg	ctl[NETIO_BATCH_MAX];
	unsigned		map[NETIO_BATCH_MAX];
};

/*
 * Opens a non-blocking raw socket of af receiving IP protocol proto
 * (IPPROTO_ESP, IPPROTO_IPIP, IPPROTO_IPV6) with a receive queue of
 * NETIO_RCVBUF bytes (less without CAP_NET_ADMIN). Needs CAP_NET_RAW.
 */
int netio_open_raw_recv(struct netio_sock *s, sa_family_t af, uint8_t proto);
/* Opens the header-included raw socket of af for sending. Needs CAP_NET_RAW. */
int netio_open_raw_send(struct netio_sock *s, sa_family_t af);
/*
 * Opens a non-blocking UDP socket bound to local (an unspecified address
 * binds them all; port 0 lets the kernel choose, PKT_NATT_PORT is the
 * standard) that reports each datagram's local address and DS field and
 * queues up to NETIO_RCVBUF bytes, as netio_open_raw_recv.
 */
int netio_open_udp(struct netio_sock *s, const struct gw_addr *local);
void netio_close(struct netio_sock *s);

/*
 * Receives up to n (at most NETIO_BATCH_MAX) datagrams without blocking,
 * one into each m[i].pkt at its headroom. Returns how many arrived (0 if
 * none), or -1 with errno. A message with err != 0 is to be dropped:
 * GW_E_TOOLONG when it did not fit its buffer, or the pkt_outer_parse
 * error of a bad IPv4 header.
 */
int netio_recv(const struct netio_sock *s, struct netio_msg *m, unsigned n,
    struct netio_scratch *sc);

/*
 * Sends m[0..n) (n at most NETIO_BATCH_MAX) without blocking: on a raw
 * socket each pkt is a whole IP packet whose header names the
 * destination; on a UDP socket each goes to dst from src. Sets every
 * m[i].err (0 or an errno: EAGAIN marks what the full queue refused, to
 * retry later) and returns how many were sent.
 */
int netio_send(const struct netio_sock *s, struct netio_msg *m, unsigned n,
    struct netio_scratch *sc);

enum netio_udp_class {
	NETIO_UDP_BAD,		/* none of the below: drop it */
	NETIO_UDP_KEEPALIVE,	/* RFC 3948 2.3: the single byte 0xff */
	NETIO_UDP_IKE,		/* RFC 3948 2.2: non-ESP marker (4 zero bytes), IKE header */
	NETIO_UDP_ESP,		/* RFC 3948 2.1: a non-zero SPI and a sequence number */
};

/* Tells what a datagram received on the UDP-encapsulation port carries. */
enum netio_udp_class netio_classify_udp(const uint8_t *p, size_t len);

#endif
