/*
 * fpt.h: two in-memory gateways for fast path tests.
 *
 * Each gateway is a real PF_KEY engine (kt.h) with a real fast path on
 * top; its fp_io records what would go to the TUN and to the network and
 * runs on a manual clock. SAs and policies go in through PF_KEY messages,
 * so the SAD/SPD code and the engine's data path hooks run as in tunneld.
 * fpt_deliver() hands what one gateway sent to the other, taking the
 * outer header apart the way netio does.
 *
 *	site A 10.1.0.0/24 -- A 203.0.113.1 ==== 203.0.113.2 B -- site B 10.2.0.0/24
 */
#ifndef TESTS_TUNNELD_FPT_H
#define TESTS_TUNNELD_FPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fastpath.h"
#include "kt.h"

#define FPT_MAX_CAPS	64
#define FPT_A		"203.0.113.1"
#define FPT_B		"203.0.113.2"
#define FPT_SPI_AB	0x1000		/* A -> B */
#define FPT_SPI_BA	0x2000		/* B -> A */

struct fpt_cap {
	sa_family_t	 af;
	size_t		 len;
	uint8_t		*p;
};

struct fpt_gw {
	struct kt	 kt;
	struct fastpath	 fp;
	struct fp_io	 io;
	uint64_t	 ms;
	struct fpt_cap	 net[FPT_MAX_CAPS];
	size_t		 nnet;
	struct fpt_cap	 tun[FPT_MAX_CAPS];
	size_t		 ntun;
	unsigned	 flushes;
	unsigned	 spd_changes;
	bool		 tun_fails;
	uint8_t		*buf;		/* FP_BUF_SIZE, for packets handed in */
};

/* A gateway; gif with outer addresses local/remote when both are set. */
struct fpt_gw *fpt_new(const char *local, const char *remote);
void fpt_free(struct fpt_gw *g);
/* Advances the manual clock (and the engine's, in seconds). */
void fpt_advance(struct fpt_gw *g, uint64_t ms);
/* Forgets the captured packets. */
void fpt_clear(struct fpt_gw *g);

/* A complete ESP ADD: tunnel mode, algorithms enc/auth, keys 0x11../0x22... */
void fpt_sa_msg(struct pfk_msg *m, uint32_t spi, uint8_t enc, uint8_t auth, const char *src,
    const char *dst);
/* Sends m (ADD, UPDATE...) from root; returns the reply's errno. */
int fpt_ask(struct fpt_gw *g, const struct pfk_msg *m);
/* ADD of an SA with the test keys, reqid 0; asserts success. */
void fpt_sa(struct fpt_gw *g, uint32_t spi, uint8_t enc, uint8_t auth, const char *src,
    const char *dst);
/*
 * X_SPDADD: selector src/splen dst/dplen proto, direction dir, action;
 * for ipsec an esp/tunnel/ts-td/level request with reqid.
 */
void fpt_sp(struct fpt_gw *g, uint8_t dir, const char *src, uint8_t splen, const char *dst,
    uint8_t dplen, uint8_t proto, uint16_t action, uint8_t level, const char *ts,
    const char *td, uint32_t reqid);
/* The subnet-to-subnet policies of gateway a (true) or b, require. */
void fpt_subnet_policies(struct fpt_gw *g, bool a);

/*
 * An ICMP (IPv4) or ICMPv6 echo request src -> dst with n data bytes
 * (seq in the echo sequence number) and DS field tos, in g's buffer.
 */
struct pkt_buf *fpt_ping(struct fpt_gw *g, const char *src, const char *dst, size_t n,
    uint16_t seq, uint8_t tos);
/* fpt_ping, then fp_tun_input. */
void fpt_send(struct fpt_gw *g, const char *src, const char *dst, size_t n, uint16_t seq);
/* Hands one captured packet of the network to g's fast path, as netio would. */
void fpt_inject(struct fpt_gw *g, const struct fpt_cap *c);
/* Every packet from sent to the network goes to to; from's captures are cleared. */
void fpt_deliver(struct fpt_gw *from, struct fpt_gw *to);

/* The gateway counter s. */
uint64_t fpt_stat(const struct fpt_gw *g, enum gwstat s);
/* The SA of (dst, spi) in g, asserted to exist. */
struct sa *fpt_find(struct fpt_gw *g, const char *dst, uint32_t spi);
/* How many messages of type the client c received. */
size_t fpt_count_type(const struct fpt_gw *g, const struct key_client *c, uint8_t type);

#endif
