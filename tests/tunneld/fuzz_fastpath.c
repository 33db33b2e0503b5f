/*
 * fuzz_fastpath.c: libFuzzer entry for the fast path. Two gateways in
 * gif mode (A 203.0.113.1, B 203.0.113.2) share an AES-GCM SA A -> B;
 * A protects ipencap to B (require) and B requires it protected. The
 * first input byte picks the entry point, the rest is the packet:
 *
 *   0: a packet from A's TUN (A's output is thrown away)
 *   1: ESP from A at B's raw socket (payload from the SPI)
 *   2: a datagram from A at B's NAT-T port
 *   3: plaintext IP-in-IP (protocol 4) from A at B
 *   4: a packet from A's TUN, and whatever A sends goes to B
 *
 * Oracles besides the sanitizers: nothing that did not pass through A
 * reaches B's TUN (modes 1-3: no forgery, no plaintext where ESP is
 * required), and what A sends in mode 4 comes out of B's TUN unchanged,
 * one packet for each.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath.h"
#include "pfkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_QUEUE	4

struct fz_gw {
	struct key		k;
	struct key_client	root;
	struct fastpath		fp;
	struct fp_io		io;
	size_t			nnet;
	size_t			ntun;
	size_t			lens[FZ_QUEUE];
	uint8_t			*net[FZ_QUEUE];	/* A: what it sent */
	size_t			tunlen;
	uint8_t			*tun;		/* B: the last packet written */
};

static struct fz_gw	fz_a, fz_b;
static uint64_t		fz_ms = 5000000;
static uint32_t		fz_rnd = 7;
static uint8_t		*fz_buf;

static int
fz_key_send(void *arg, struct key_client *c, const uint8_t *msg, size_t len, bool reply)
{
	return 0;
}

static uint64_t
fz_mono(void *arg)
{
	return fz_ms / 1000;
}

static uint64_t
fz_wall(void *arg)
{
	return 1700000000;
}

static uint32_t
fz_random(void *arg)
{
	fz_rnd = fz_rnd * 1103515245u + 12345u;
	return fz_rnd;
}

static const struct key_io fz_kio = { .send = fz_key_send, .mono = fz_mono, .wall = fz_wall,
    .random = fz_random };

static int
fz_tun_write(void *arg, const struct pkt_buf *b)
{
	struct fz_gw	*g = arg;

	g->ntun++;
	g->tunlen = b->len;
	memcpy(g->tun, pkt_data(b), b->len);
	return 0;
}

static int
fz_net_send(void *arg, sa_family_t af, const struct pkt_buf *b)
{
	struct fz_gw	*g = arg;

	if (g->nnet == FZ_QUEUE)
		return -1;
	g->lens[g->nnet] = b->len;
	memcpy(g->net[g->nnet++], pkt_data(b), b->len);
	return 0;
}

static uint64_t
fz_now(void *arg)
{
	return fz_ms;
}

static struct gw_addr
fz_addr(const char *s)
{
	struct gw_addr	a;

	if (addr_parse(s, &a) != 0)
		abort();
	return a;
}

static void
fz_msg(struct fz_gw *g, struct pfk_msg *m)
{
	static uint8_t	buf[PFK_MSG_MAX];
	struct wr	w = wr_init(buf, sizeof(buf));

	m->pid = 1;
	if (pfk_encode(m, &w) != 0 || key_input(&g->k, &g->root, buf, w.off) != 0)
		abort();
}

/* The SA A -> B, AES-GCM-16 with a fixed 160-bit key, on g. */
static void
fz_sa(struct fz_gw *g)
{
	static const uint8_t	key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				    15, 16, 17, 18, 19, 20 };
	struct pfk_msg		m;

	memset(&m, 0, sizeof(m));
	m.type = SADB_ADD;
	m.satype = SADB_SATYPE_ESP;
	m.sa.spi = 0x1000;
	m.sa.encrypt = SADB_X_EALG_AES_GCM_ICV16;
	m.src = (struct pfk_address){ .proto = IPSEC_ULPROTO_ANY, .addr = fz_addr("203.0.113.1") };
	m.dst = (struct pfk_address){ .proto = IPSEC_ULPROTO_ANY, .addr = fz_addr("203.0.113.2") };
	m.key_enc = (struct pfk_key){ .bits = 160, .data = key, .len = sizeof(key) };
	pfk_set(&m, SADB_EXT_SA);
	pfk_set(&m, SADB_EXT_ADDRESS_SRC);
	pfk_set(&m, SADB_EXT_ADDRESS_DST);
	pfk_set(&m, SADB_EXT_KEY_ENCRYPT);
	fz_msg(g, &m);
}

/* ipencap A -> B in direction dir, esp/tunnel/A-B/require. */
static void
fz_sp(struct fz_gw *g, uint8_t dir)
{
	struct pfk_msg	m;

	memset(&m, 0, sizeof(m));
	m.type = SADB_X_SPDADD;
	m.src = (struct pfk_address){ .proto = IPPROTO_IPIP, .addr = fz_addr("203.0.113.1") };
	m.dst = (struct pfk_address){ .proto = IPPROTO_IPIP, .addr = fz_addr("203.0.113.2") };
	m.policy.type = IPSEC_POLICY_IPSEC;
	m.policy.dir = dir;
	m.policy.priority = 0x80000000u;
	m.policy.nreq = 1;
	m.policy.req[0] = (struct pfk_ipsecreq){ .proto = IPPROTO_ESP, .mode = IPSEC_MODE_TUNNEL,
	    .level = IPSEC_LEVEL_REQUIRE, .has_endpoints = true, .src = m.src.addr,
	    .dst = m.dst.addr };
	pfk_set(&m, SADB_EXT_ADDRESS_SRC);
	pfk_set(&m, SADB_EXT_ADDRESS_DST);
	pfk_set(&m, SADB_X_EXT_POLICY);
	fz_msg(g, &m);
}

static void
fz_gw_init(struct fz_gw *g, const char *local, const char *remote, uint8_t dir)
{
	struct fp_conf	conf = { .gif = true, .local = fz_addr(local), .remote = fz_addr(remote) };
	size_t		i;

	if (key_init(&g->k, &fz_kio) != 0)
		abort();
	key_attach(&g->k, &g->root, 0, 1, true);
	g->io = (struct fp_io){ .tun_write = fz_tun_write, .net_send = fz_net_send,
	    .now = fz_now, .arg = g };
	for (i = 0; i < FZ_QUEUE; i++)
		if ((g->net[i] = malloc(FP_BUF_SIZE)) == NULL)
			abort();
	if ((g->tun = malloc(FP_BUF_SIZE)) == NULL || fp_init(&g->fp, &g->k, &g->io, &conf) != 0)
		abort();
	fz_sa(g);
	fz_sp(g, dir);
}

static void
fz_setup(void)
{
	if (fz_buf != NULL)
		return;
	if ((fz_buf = malloc(FP_BUF_SIZE)) == NULL)
		abort();
	fz_gw_init(&fz_a, "203.0.113.1", "203.0.113.2", IPSEC_DIR_OUTBOUND);
	fz_gw_init(&fz_b, "203.0.113.2", "203.0.113.1", IPSEC_DIR_INBOUND);
}

/* data in fz_buf with the fast path's headroom. */
static struct pkt_buf
fz_pkt(const uint8_t *data, size_t size)
{
	struct pkt_buf	b;

	pkt_init(&b, fz_buf, FP_BUF_SIZE, FP_HEADROOM);
	memcpy(pkt_put(&b, size), data, size);
	return b;
}

/* Hands A's output to B as netio would: by the outer protocol. */
static void
fz_deliver(size_t i)
{
	struct pkt_outer	o;
	struct fp_outer		fo;
	struct pkt_buf		b = fz_pkt(fz_a.net[i], fz_a.lens[i]);

	if (pkt_outer_parse(pkt_data(&b), b.len, &o) != 0)
		abort();		/* A built it: it must parse */
	fo = (struct fp_outer){ .src = o.src, .dst = o.dst, .tos = o.tos };
	pkt_pull(&b, o.hlen);
	pkt_trim(&b, b.len - (o.totlen - o.hlen));
	if (o.proto == IPPROTO_ESP)
		fp_esp_input(&fz_b.fp, &b, &fo);
	else if (o.proto == IPPROTO_IPIP || o.proto == IPPROTO_IPV6)
		fp_ipip_input(&fz_b.fp, &b, &fo, o.proto);
	else
		abort();
}

/* Mode 4: A's output must come out of B exactly as it went into A. */
static void
fz_through(const uint8_t *data, size_t size)
{
	struct pkt_buf	b = fz_pkt(data, size);
	size_t		i, before = fz_b.ntun;

	fp_tun_input(&fz_a.fp, &b);
	for (i = 0; i < fz_a.nnet; i++)
		fz_deliver(i);
	if (fz_b.ntun - before != fz_a.nnet)
		abort();
	if (fz_a.nnet > 0 && (fz_b.tunlen != size || memcmp(fz_b.tun, data, size) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fp_outer	o;
	struct pkt_buf	b;
	size_t		before;

	fz_setup();
	if (size < 2 || size - 2 > FP_MAX_PKT)
		return 0;
	fz_ms += 1000;			/* held packets expire, ACQUIREs are not rate-limited */
	fz_a.nnet = 0;
	before = fz_b.ntun;
	o = (struct fp_outer){ .src = fz_addr("203.0.113.1"), .dst = fz_addr("203.0.113.2"),
	    .tos = data[1] };
	b = fz_pkt(data + 2, size - 2);
	switch (data[0] % 5) {
	case 0:
		fp_tun_input(&fz_a.fp, &b);
		break;
	case 1:
		fp_esp_input(&fz_b.fp, &b, &o);
		break;
	case 2:
		fp_udp_input(&fz_b.fp, &b, &o);
		break;
	case 3:
		fp_ipip_input(&fz_b.fp, &b, &o, IPPROTO_IPIP);
		break;
	default:
		fz_through(data + 2, size - 2);
		return 0;
	}
	if (fz_b.ntun != before)
		abort();		/* forged or plaintext reached the inside */
	fp_tick(&fz_a.fp);
	return 0;
}
