/* fpt.c: two in-memory gateways for fast path tests; see fpt.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "alg.h"
#include "buf.h"
#include "fpt.h"

static uint8_t fpt_enc_key[GW_KEY_MAX];
static uint8_t fpt_auth_key[GW_KEY_MAX];

static void
fpt_capture(struct fpt_cap *caps, size_t *n, sa_family_t af, const struct pkt_buf *b)
{
	struct fpt_cap	*c;

	assert_true(*n < FPT_MAX_CAPS);
	c = &caps[(*n)++];
	c->af = af;
	c->len = b->len;
	c->p = malloc(b->len);
	assert_non_null(c->p);
	memcpy(c->p, pkt_data(b), b->len);
}

static int
fpt_tun_write(void *arg, const struct pkt_buf *b)
{
	struct fpt_gw	*g = arg;

	if (g->tun_fails)
		return -1;
	fpt_capture(g->tun, &g->ntun, 0, b);
	return 0;
}

static int
fpt_net_send(void *arg, sa_family_t af, const struct pkt_buf *b)
{
	struct fpt_gw	*g = arg;

	fpt_capture(g->net, &g->nnet, af, b);
	return 0;
}

static void
fpt_flush(void *arg)
{
	((struct fpt_gw *)arg)->flushes++;
}

static uint64_t
fpt_now(void *arg)
{
	return ((struct fpt_gw *)arg)->ms;
}

static void
fpt_spd_changed(void *arg)
{
	((struct fpt_gw *)arg)->spd_changes++;
}

struct fpt_gw *
fpt_new(const char *local, const char *remote)
{
	struct fpt_gw	*g = calloc(1, sizeof(*g));
	struct fp_conf	 conf = { .gif = local != NULL };

	assert_non_null(g);
	kt_init(&g->kt);
	g->ms = g->kt.mono * 1000;
	g->io = (struct fp_io){ .tun_write = fpt_tun_write, .net_send = fpt_net_send,
	    .flush = fpt_flush, .now = fpt_now, .spd_changed = fpt_spd_changed, .arg = g };
	if (local != NULL) {
		conf.local = kt_addr(local);
		conf.remote = kt_addr(remote);
	}
	assert_int_equal(fp_init(&g->fp, &g->kt.key, &g->io, &conf), 0);
	g->buf = malloc(FP_BUF_SIZE);
	assert_non_null(g->buf);
	memset(fpt_enc_key, 0x11, sizeof(fpt_enc_key));
	memset(fpt_auth_key, 0x22, sizeof(fpt_auth_key));
	return g;
}

void
fpt_clear(struct fpt_gw *g)
{
	size_t	i;

	for (i = 0; i < g->nnet; i++)
		free(g->net[i].p);
	for (i = 0; i < g->ntun; i++)
		free(g->tun[i].p);
	g->nnet = g->ntun = 0;
}

void
fpt_free(struct fpt_gw *g)
{
	fpt_clear(g);
	fp_free(&g->fp);
	kt_fini(&g->kt);
	free(g->buf);
	free(g);
}

void
fpt_advance(struct fpt_gw *g, uint64_t ms)
{
	g->ms += ms;
	g->kt.mono = g->ms / 1000;
}

static void
fpt_key(struct pfk_msg *m, unsigned ext, const struct alg *a)
{
	struct pfk_key	*k = ext == SADB_EXT_KEY_ENCRYPT ? &m->key_enc : &m->key_auth;

	if (a == NULL || a->key_none)
		return;
	k->bits = a->key_min;
	k->len = a->key_min / 8u;
	k->data = ext == SADB_EXT_KEY_ENCRYPT ? fpt_enc_key : fpt_auth_key;
	pfk_set(m, ext);
}

void
fpt_sa_msg(struct pfk_msg *m, uint32_t spi, uint8_t enc, uint8_t auth, const char *src,
    const char *dst)
{
	kt_msg(m, SADB_ADD, SADB_SATYPE_ESP, 7);
	m->sa.spi = spi;
	m->sa.encrypt = enc;
	m->sa.auth = auth;
	pfk_set(m, SADB_EXT_SA);
	kt_addrs(m, src, dst);
	kt_sa2(m, IPSEC_MODE_TUNNEL, 0);
	fpt_key(m, SADB_EXT_KEY_ENCRYPT, alg_by_id(ALG_ENC, enc));
	if (auth != SADB_AALG_NONE)
		fpt_key(m, SADB_EXT_KEY_AUTH, alg_by_id(ALG_AUTH, auth));
}

int
fpt_ask(struct fpt_gw *g, const struct pfk_msg *m)
{
	return kt_ask(&g->kt, &g->kt.root, m);
}

void
fpt_sa(struct fpt_gw *g, uint32_t spi, uint8_t enc, uint8_t auth, const char *src,
    const char *dst)
{
	struct pfk_msg	m;

	fpt_sa_msg(&m, spi, enc, auth, src, dst);
	assert_int_equal(fpt_ask(g, &m), 0);
}

void
fpt_sp(struct fpt_gw *g, uint8_t dir, const char *src, uint8_t splen, const char *dst,
    uint8_t dplen, uint8_t proto, uint16_t action, uint8_t level, const char *ts,
    const char *td, uint32_t reqid)
{
	struct pfk_ipsecreq	*q;
	struct pfk_msg		 m;

	kt_msg(&m, SADB_X_SPDADD, SADB_SATYPE_UNSPEC, 9);
	kt_addrs(&m, src, dst);
	m.src.addr.plen = splen;
	m.dst.addr.plen = dplen;
	m.src.proto = m.dst.proto = proto;
	m.policy.type = action;
	m.policy.dir = dir;
	m.policy.priority = 0x80000000u;
	if (action == IPSEC_POLICY_IPSEC) {
		m.policy.nreq = 1;
		q = &m.policy.req[0];
		q->proto = IPPROTO_ESP;
		q->mode = IPSEC_MODE_TUNNEL;
		q->level = level;
		q->reqid = reqid;
		q->has_endpoints = true;
		q->src = kt_addr(ts);
		q->dst = kt_addr(td);
	}
	pfk_set(&m, SADB_X_EXT_POLICY);
	assert_int_equal(fpt_ask(g, &m), 0);
}

void
fpt_subnet_policies(struct fpt_gw *g, bool a)
{
	const char	*me = a ? FPT_A : FPT_B, *peer = a ? FPT_B : FPT_A;
	const char	*mynet = a ? "10.1.0.0" : "10.2.0.0";
	const char	*peernet = a ? "10.2.0.0" : "10.1.0.0";

	fpt_sp(g, IPSEC_DIR_OUTBOUND, mynet, 24, peernet, 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, me, peer, 0);
	fpt_sp(g, IPSEC_DIR_INBOUND, peernet, 24, mynet, 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, peer, me, 0);
}

struct pkt_buf *
fpt_ping(struct fpt_gw *g, const char *src, const char *dst, size_t n, uint16_t seq,
    uint8_t tos)
{
	static struct pkt_buf	 b;
	struct gw_addr		 s = kt_addr(src), d = kt_addr(dst);
	struct pkt_outer_args	 a = { .src = &s, .dst = &d, .tos = tos, .ttl = 64,
				    .proto = s.af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6 };
	struct wr		 w;
	size_t			 i;

	pkt_init(&b, g->buf, FP_BUF_SIZE, FP_HEADROOM);
	w = wr_init(pkt_put(&b, 8 + n), 8 + n);
	wr_u8(&w, s.af == AF_INET ? 8 : 128);	/* echo request */
	wr_u8(&w, 0);
	wr_u16be(&w, 0);			/* checksum: nobody checks it here */
	wr_u16be(&w, 0x4242);
	wr_u16be(&w, seq);
	for (i = 0; i < n; i++)
		wr_u8(&w, (uint8_t)(i + seq));
	assert_int_equal(w.err, 0);
	assert_int_equal(pkt_outer_build(&b, &a), 0);
	return &b;
}

void
fpt_send(struct fpt_gw *g, const char *src, const char *dst, size_t n, uint16_t seq)
{
	fp_tun_input(&g->fp, fpt_ping(g, src, dst, n, seq, 0));
}

/* The UDP ports of a datagram's header, then the header is gone. */
static void
fpt_udp_strip(struct pkt_buf *b, struct fp_outer *o)
{
	struct rd	r = rd_init(pkt_data(b), b->len);

	assert_int_equal(rd_u16be(&r, &o->src.port), 0);
	assert_int_equal(rd_u16be(&r, &o->dst.port), 0);
	assert_non_null(pkt_pull(b, PKT_UDP_HLEN));
}

void
fpt_inject(struct fpt_gw *g, const struct fpt_cap *c)
{
	struct pkt_buf		b;
	struct pkt_outer	o;
	struct fp_outer		fo;

	assert_true(c->len <= FP_MAX_PKT);
	pkt_init(&b, g->buf, FP_BUF_SIZE, FP_HEADROOM);
	memcpy(pkt_put(&b, c->len), c->p, c->len);
	assert_int_equal(pkt_outer_parse(pkt_data(&b), b.len, &o), 0);
	fo = (struct fp_outer){ .src = o.src, .dst = o.dst, .tos = o.tos };
	pkt_pull(&b, o.hlen);
	pkt_trim(&b, b.len - (o.totlen - o.hlen));
	switch (o.proto) {
	case IPPROTO_ESP:
		fp_esp_input(&g->fp, &b, &fo);
		break;
	case IPPROTO_UDP:
		fpt_udp_strip(&b, &fo);
		fp_udp_input(&g->fp, &b, &fo);
		break;
	case IPPROTO_IPIP:
	case IPPROTO_IPV6:
		fp_ipip_input(&g->fp, &b, &fo, o.proto);
		break;
	default:
		fail_msg("protocol %u on the wire", o.proto);
	}
}

void
fpt_deliver(struct fpt_gw *from, struct fpt_gw *to)
{
	size_t	i;

	for (i = 0; i < from->nnet; i++)
		fpt_inject(to, &from->net[i]);
	for (i = 0; i < from->nnet; i++)
		free(from->net[i].p);
	from->nnet = 0;
}

uint64_t
fpt_stat(const struct fpt_gw *g, enum gwstat s)
{
	return g->kt.key.stats[s];
}

struct sa *
fpt_find(struct fpt_gw *g, const char *dst, uint32_t spi)
{
	struct gw_addr	 d = kt_addr(dst);
	struct sa	*sa = sad_find(&g->kt.key.sad, SADB_SATYPE_ESP, &d, spi);

	assert_non_null(sa);
	return sa;
}

size_t
fpt_count_type(const struct fpt_gw *g, const struct key_client *c, uint8_t type)
{
	struct pfk_msg	m;
	size_t		i, n = 0, total = kt_count(&g->kt, c);

	for (i = 0; i < total; i++) {
		kt_get(&g->kt, c, i, &m);
		if (m.type == type)
			n++;
	}
	return n;
}
