/*
 * fastpath.h: the per-packet pipelines of tunneld.
 *
 *   outbound (TUN -> network), fp_tun_input:
 *	[gif: IP-in-IP wrap] -> flow -> SPD out -> discard | none | ipsec:
 *	SA for the request? -> account -> ESP in place -> outer header -> send
 *	                  no -> use: send as is; require/unique: hold + ACQUIRE
 *
 *   inbound (network -> TUN), fp_esp_input / fp_udp_input:
 *	SA by (SPI, destination) -> replay, ICV, decrypt (esp_decap) ->
 *	SPD in must name this SA -> account -> RFC 6040 ECN ->
 *	[gif: strip our IP-in-IP] -> TUN
 *
 *   unprotected gif traffic, fp_ipip_input: accepted only where no `in`
 *	policy requires protection.
 *
 * Every drop increments a counter of enum gwstat, globally (key.stats)
 * and, once the SA is known, in the SA. Nothing here allocates, logs
 * above debug or makes a system call per packet: packets come and go
 * through struct fp_io, which tunneld backs with the TUN and batched
 * sockets (dpio.c) and tests with memory. The SAD and SPD are the key
 * engine's; the fast path only reads them, stamps lastused and accounts
 * traffic, and it learns about new SAs and freed ones through key_dp.
 *
 * Decisions where KAME left room:
 *  - No `out` policy matches: in gif mode the IP-in-IP packet leaves as
 *    is (KAME's default policy; the handbook's unprotected first step).
 *    Without gif it is dropped (no_policy): the only route for an inside
 *    packet leads back into the TUN.
 *  - Level `default` is treated as `require` (fail closed).
 *  - A decrypted packet must match an `in` policy of action ipsec whose
 *    request names the SA's endpoints (and its reqid for unique:N);
 *    ESP-in-UDP is accepted only for SAs with NAT-T, plain ESP only for
 *    SAs without (as Linux does).
 *  - Sequence numbers never repeat under one key: an SA whose counter
 *    runs out is hard-expired (RFC 4303 3.3.3); SADB_X_EXT_CYCSEQ is not
 *    honoured, since a repeated number repeats the IV.
 */
#ifndef TUNNELD_FASTPATH_H
#define TUNNELD_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "esp.h"
#include "gwstats.h"
#include "key.h"
#include "pkt.h"
#include "pktbuf.h"
#include "replay.h"

#define FP_HEADROOM		128	/* before the packet: gif, ESP, UDP, outer IP */
#define FP_TAILROOM		64	/* after it: ESP padding, trailer, ICV */
#define FP_MAX_PKT		65535
#define FP_BUF_SIZE		(FP_HEADROOM + FP_MAX_PKT + FP_TAILROOM)
#define FP_HOLD_PER_POLICY	4	/* packets held per policy awaiting an SA */
#define FP_HOLD_POLICIES	32	/* policies with held packets at once */
#define FP_HOLD_MS		2000	/* how long a packet waits for its SA */
#define FP_LOG_MS		1000	/* at most one debug line per reason per second */

_Static_assert(FP_HEADROOM >= 2 * PKT_IPV6_HLEN + PKT_UDP_HLEN + ESP_HEADROOM,
    "headroom for a gif header, ESP and an outer IPv6/UDP header");
_Static_assert(FP_TAILROOM >= ESP_TAILROOM, "tailroom for the ESP trailer");

struct fp_outer;

/*
 * The world of the fast path. tun_write() writes one inner packet to the
 * TUN: 0, or -1 (counted as tun_error). net_send() queues the whole IP
 * packet in b (outer header of family af first) for the network: 0, or
 * -1 (counted as send_error); b's memory must stay untouched until the
 * next flush(), which sends what is queued and counts what the network
 * refused with fp_count(). flush (may be NULL) is called by the fast path
 * only after it sent packets the caller did not hand in (held ones); the
 * caller flushes after each batch of its own. now() is a monotonic clock
 * in milliseconds, never 0, that agrees with the key engine's:
 * key_io.mono() == now() / 1000. spd_changed (may be NULL) hears of SPD
 * changes, for the firewall. ike_input (may be NULL) hands an IKE
 * datagram of the NAT-T port (b's data from the non-ESP marker on, o's
 * src the peer with its port, o's dst our address with the NAT-T port)
 * to the key daemon's relay: 0 if it was queued there (ike_relayed), -1
 * if not (ike_not_relayed); b is only read.
 */
struct fp_io {
	int		(*tun_write)(void *arg, const struct pkt_buf *b);
	int		(*net_send)(void *arg, sa_family_t af, const struct pkt_buf *b);
	void		(*flush)(void *arg);
	uint64_t	(*now)(void *arg);
	void		(*spd_changed)(void *arg);
	int		(*ike_input)(void *arg, const struct fp_outer *o,
			    const struct pkt_buf *b);
	void		 *arg;
};

struct fp_conf {
	bool		gif;		/* -L/-R given: a gif tunnel */
	struct gw_addr	local;		/* its outer addresses, one family */
	struct gw_addr	remote;
};

/* The outer header of a packet from the network, as netio reports it. */
struct fp_outer {
	struct gw_addr	src;		/* UDP: with the port */
	struct gw_addr	dst;
	uint8_t		tos;		/* DS field: DSCP and ECN */
};

/* The data path state of one SA (struct sa's dp): prepared once. */
struct fp_sa {
	struct esp_xform	x;
	struct replay		rp;
};

/* Packets of one policy waiting for an SA, oldest first. */
struct fp_hold {
	uint32_t	policy;		/* policy id; 0 = slot free */
	unsigned	n;
	uint64_t	at[FP_HOLD_PER_POLICY];		/* ms */
	struct pkt_buf	pkt[FP_HOLD_PER_POLICY];	/* memory is the fast path's */
};

struct fastpath {
	struct key		*k;
	const struct fp_io	*io;
	struct fp_conf		 conf;
	struct key_dp		 dp;
	uint8_t			*hold_mem;
	struct fp_hold		 hold[FP_HOLD_POLICIES];
	size_t			 nheld;		/* packets in hold[] */
	uint64_t		 log_at[GWSTAT_MAX];	/* ms of the last debug line */
	uint16_t		 ipip_id;	/* IPv4 id of gif headers */
};

/*
 * Sets up fp between engine k and io (both borrowed, outliving fp) and
 * connects it with key_set_dp(). conf is copied. Allocates the hold
 * buffers here, once. Returns 0, or -1 (out of memory; logged).
 */
int fp_init(struct fastpath *fp, struct key *k, const struct fp_io *io,
    const struct fp_conf *conf);
/*
 * Releases the data path state of every SA, disconnects from k and frees
 * the hold buffers. The engine may be freed before or after.
 */
void fp_free(struct fastpath *fp);

/*
 * One packet read from the TUN, at b's data with at least FP_HEADROOM
 * before it and FP_TAILROOM after it. b is changed in place; if it was
 * passed to net_send its memory belongs to the I/O until flush.
 */
void fp_tun_input(struct fastpath *fp, struct pkt_buf *b);
/* One packet of a raw ESP socket: b's data starts at the SPI. */
void fp_esp_input(struct fastpath *fp, struct pkt_buf *b, const struct fp_outer *o);
/*
 * One datagram to the NAT-T port: keepalive, IKE (to io->ike_input) or
 * ESP-in-UDP (RFC 3948).
 */
void fp_udp_input(struct fastpath *fp, struct pkt_buf *b, const struct fp_outer *o);
/*
 * One unprotected gif packet of a raw IP-in-IP socket (proto IPPROTO_IPIP
 * or IPPROTO_IPV6): b's data is the inner packet.
 */
void fp_ipip_input(struct fastpath *fp, struct pkt_buf *b, const struct fp_outer *o,
    uint8_t proto);

/* Drops held packets older than FP_HOLD_MS (no_sa). Cheap when none is held. */
void fp_tick(struct fastpath *fp);
/* Adds n to the gateway counter s (for the I/O's send errors). */
void fp_count(struct fastpath *fp, enum gwstat s, uint64_t n);

#endif
