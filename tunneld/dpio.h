/*
 * dpio.h: the data path's real I/O around the fast path.
 *
 * Opens the TUN interface (its MTU from tun_default_mtu), the raw
 * sockets (ESP in, IP-in-IP in for a gif tunnel, header-included out),
 * the NAT-T UDP socket and the nftables table, then runs the fast path
 * on libevent: each wake-up reads batches (several TUN reads, recvmmsg)
 * into preallocated buffers, hands every packet to fastpath.c and sends
 * what it queued with sendmmsg before the buffers are used again.
 *
 * The nftables table follows the SPD's `in` policies: a change arms a
 * timer, so at most one `nft -f -` runs per DPIO_NFT_MS however many
 * policies a script loads. The table is removed at a clean exit only; a
 * crash leaves it in place, which fails closed. Without nft a loud
 * warning says plaintext may bypass the policies, and tunneld goes on.
 */
#ifndef TUNNELD_DPIO_H
#define TUNNELD_DPIO_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "key.h"

#define DPIO_TUN_BATCH	64	/* TUN reads per batch */
#define DPIO_ROUNDS	4	/* batches per wake-up, then other events get a turn */
#define DPIO_NFT_MS	200	/* at most one nft run per this many ms */

struct event_base;
struct dpio;
struct relay;

struct dpio_conf {
	const char	*ifname;	/* TUN name; NULL: gif0 */
	bool		 gif;		/* -L/-R: a gif tunnel */
	struct gw_addr	 local;		/* its outer addresses, one family */
	struct gw_addr	 remote;
	uint16_t	 udp_port;	/* NAT-T port; 0: no UDP socket */
};

/*
 * Opens everything the data path needs and prints the interface state.
 * Needs CAP_NET_ADMIN and CAP_NET_RAW. Returns NULL after logging why
 * (missing IPv6 only warns). The descriptors survive a fork.
 */
struct dpio *dpio_open(const struct dpio_conf *c);

/*
 * Starts the fast path for engine k on base (both borrowed, outliving
 * d): hooks into k, watches the descriptors. 0, or -1 (logged).
 */
int dpio_start(struct dpio *d, struct event_base *base, struct key *k);

/*
 * Connects the IKE relay r (borrowed; it outlives d's event loop, or is
 * disconnected with NULL first): IKE datagrams of the NAT-T port go to
 * it, and it sends through the NAT-T sockets. Returns 0, or -1 when d
 * has no NAT-T socket (-U 0): then nothing is connected.
 */
int dpio_set_relay(struct dpio *d, struct relay *r);

/* Once a second: held packets that waited too long are dropped. */
void dpio_tick(struct dpio *d);

/*
 * SIGUSR1: logs the interface state (d may be NULL without a data path)
 * and k's global counters.
 */
void dpio_report(struct dpio *d, const struct key *k);

/*
 * Stops and closes everything; clean (a requested exit) also removes
 * the nftables table. Call before key_free. d may be NULL.
 */
void dpio_close(struct dpio *d, bool clean);

#endif
