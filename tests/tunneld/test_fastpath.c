/*
 * test_fastpath.c: two gateways in memory, A encrypting and B
 * decrypting, with SAs and policies loaded through PF_KEY: pings over
 * IPv4 and IPv6, gif and direct, replays, forgeries, plaintext, holds
 * and ACQUIRE, bypass, lifetimes, NAT-T and the counters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/udp.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fpt.h"

#define GCM	SADB_X_EALG_AES_GCM_ICV16
#define CBC	SADB_X_EALG_AESCBC
#define SHA256	SADB_X_AALG_SHA2_256HMAC
#define NOAUTH	SADB_AALG_NONE
#define PING_LEN(n)	(20 + 8 + (n))		/* IPv4 echo request with n data bytes */

struct pair {
	struct fpt_gw	*a;
	struct fpt_gw	*b;
};

/* Both SAs on both gateways, as manual keying installs them. */
static void
pair_sas(struct pair *p, uint8_t enc, uint8_t auth, const char *ea, const char *eb)
{
	fpt_sa(p->a, FPT_SPI_AB, enc, auth, ea, eb);
	fpt_sa(p->a, FPT_SPI_BA, enc, auth, eb, ea);
	fpt_sa(p->b, FPT_SPI_AB, enc, auth, ea, eb);
	fpt_sa(p->b, FPT_SPI_BA, enc, auth, eb, ea);
}

/* conf/subnet.conf.gw-a and gw-b with manual SAs. */
static void
pair_subnet(struct pair *p, uint8_t enc, uint8_t auth)
{
	p->a = fpt_new(NULL, NULL);
	p->b = fpt_new(NULL, NULL);
	pair_sas(p, enc, auth, FPT_A, FPT_B);
	fpt_subnet_policies(p->a, true);
	fpt_subnet_policies(p->b, false);
}

/* The handbook's gif tunnel: ipencap between the public addresses. */
static void
pair_gif(struct pair *p, bool policies)
{
	p->a = fpt_new(FPT_A, FPT_B);
	p->b = fpt_new(FPT_B, FPT_A);
	pair_sas(p, CBC, SHA256, FPT_A, FPT_B);
	if (!policies)
		return;
	fpt_sp(p->a, IPSEC_DIR_OUTBOUND, FPT_A, 32, FPT_B, 32, IPPROTO_IPIP,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_A, FPT_B, 0);
	fpt_sp(p->a, IPSEC_DIR_INBOUND, FPT_B, 32, FPT_A, 32, IPPROTO_IPIP,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_B, FPT_A, 0);
	fpt_sp(p->b, IPSEC_DIR_OUTBOUND, FPT_B, 32, FPT_A, 32, IPPROTO_IPIP,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_B, FPT_A, 0);
	fpt_sp(p->b, IPSEC_DIR_INBOUND, FPT_A, 32, FPT_B, 32, IPPROTO_IPIP,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_A, FPT_B, 0);
}

static void
pair_free(struct pair *p)
{
	fpt_free(p->a);
	fpt_free(p->b);
}

/* A copy of the packet fpt_ping builds, to compare with what comes out. */
static struct fpt_cap
ping_copy(struct fpt_gw *g, const char *src, const char *dst, size_t n, uint16_t seq,
    uint8_t tos)
{
	struct pkt_buf	*b = fpt_ping(g, src, dst, n, seq, tos);
	struct fpt_cap	 c = { .len = b->len, .p = malloc(b->len) };

	assert_non_null(c.p);
	memcpy(c.p, pkt_data(b), b->len);
	return c;
}

static void
assert_same(const struct fpt_cap *got, const struct fpt_cap *want)
{
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->p, want->p, want->len);
}

/* The outer header of captured packet c, which must parse. */
static struct pkt_outer
outer_of(const struct fpt_cap *c)
{
	struct pkt_outer	o;

	assert_int_equal(pkt_outer_parse(c->p, c->len, &o), 0);
	return o;
}

/* SPI and sequence number of the ESP packet at off in c. */
static void
esp_hdr(const struct fpt_cap *c, size_t off, uint32_t *spi, uint32_t *seq)
{
	struct rd	r = rd_init(c->p, c->len);

	assert_int_equal(rd_skip(&r, off), 0);
	assert_int_equal(rd_u32be(&r, spi), 0);
	assert_int_equal(rd_u32be(&r, seq), 0);
}

/* The echo sequence number of the ICMP echo at the start of c. */
static uint16_t
ping_seq(const struct fpt_cap *c)
{
	struct rd	r = rd_init(c->p, c->len);
	uint16_t	seq = 0;

	rd_skip(&r, (size_t)(c->p[0] & 0x0f) * 4 + 6);
	assert_int_equal(rd_u16be(&r, &seq), 0);
	return seq;
}

static void
test_ping_ipv4_gcm(void **state)
{
	struct pair		p;
	struct fpt_cap		orig, reply;
	struct pkt_outer	o;
	struct gw_addr		ea = kt_addr(FPT_A), eb = kt_addr(FPT_B);
	uint32_t		spi, seq;

	pair_subnet(&p, GCM, NOAUTH);
	orig = ping_copy(p.a, "10.1.0.5", "10.2.0.7", 56, 1, 0);
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, 1);
	assert_int_equal(p.a->nnet, 1);
	assert_int_equal(p.a->net[0].af, AF_INET);
	o = outer_of(&p.a->net[0]);
	assert_int_equal(o.proto, IPPROTO_ESP);
	assert_true(addr_eq(&o.src, &ea));
	assert_true(addr_eq(&o.dst, &eb));
	esp_hdr(&p.a->net[0], o.hlen, &spi, &seq);
	assert_int_equal(spi, FPT_SPI_AB);
	assert_int_equal(seq, 1);
	/* Nothing of the inner packet travels in the clear. */
	assert_null(memmem(p.a->net[0].p, p.a->net[0].len, orig.p + 28, 16));

	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	assert_same(&p.b->tun[0], &orig);
	assert_int_equal(fpt_stat(p.a, GWSTAT_PACKETS_OUT), 1);
	assert_int_equal(fpt_stat(p.a, GWSTAT_BYTES_OUT), PING_LEN(56));
	assert_int_equal(fpt_stat(p.b, GWSTAT_PACKETS_IN), 1);
	assert_int_equal(fpt_find(p.a, FPT_B, FPT_SPI_AB)->stats[GWSTAT_PACKETS_OUT], 1);
	assert_int_equal(fpt_find(p.b, FPT_B, FPT_SPI_AB)->stats[GWSTAT_PACKETS_IN], 1);

	/* And the echo reply the other way. */
	reply = ping_copy(p.b, "10.2.0.7", "10.1.0.5", 56, 1, 0);
	fpt_send(p.b, "10.2.0.7", "10.1.0.5", 56, 1);
	fpt_deliver(p.b, p.a);
	assert_int_equal(p.a->ntun, 1);
	assert_same(&p.a->tun[0], &reply);
	free(orig.p);
	free(reply.p);
	pair_free(&p);
}

/* IPv6 inside IPv4, AES-CBC with HMAC-SHA-256. */
static void
test_ping_ipv6_cbc(void **state)
{
	struct pair	p;
	struct fpt_cap	orig;

	p.a = fpt_new(NULL, NULL);
	p.b = fpt_new(NULL, NULL);
	pair_sas(&p, CBC, SHA256, FPT_A, FPT_B);
	fpt_sp(p.a, IPSEC_DIR_OUTBOUND, "2001:db8:1::", 64, "2001:db8:2::", 64,
	    IPSEC_ULPROTO_ANY, IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_A, FPT_B, 0);
	fpt_sp(p.b, IPSEC_DIR_INBOUND, "2001:db8:1::", 64, "2001:db8:2::", 64,
	    IPSEC_ULPROTO_ANY, IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_A, FPT_B, 0);
	orig = ping_copy(p.a, "2001:db8:1::5", "2001:db8:2::7", 100, 3, 0);
	fpt_send(p.a, "2001:db8:1::5", "2001:db8:2::7", 100, 3);
	assert_int_equal(p.a->nnet, 1);
	assert_int_equal(p.a->net[0].af, AF_INET);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	assert_same(&p.b->tun[0], &orig);
	free(orig.p);
	pair_free(&p);
}

/* IPv4 inside IPv6 tunnel endpoints. */
static void
test_ping_outer_ipv6(void **state)
{
	struct pair		p;
	struct fpt_cap		orig;

	p.a = fpt_new(NULL, NULL);
	p.b = fpt_new(NULL, NULL);
	pair_sas(&p, GCM, NOAUTH, "2001:db8:ff::1", "2001:db8:ff::2");
	fpt_sp(p.a, IPSEC_DIR_OUTBOUND, "10.1.0.0", 24, "10.2.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, "2001:db8:ff::1", "2001:db8:ff::2", 0);
	fpt_sp(p.b, IPSEC_DIR_INBOUND, "10.1.0.0", 24, "10.2.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, "2001:db8:ff::1", "2001:db8:ff::2", 0);
	orig = ping_copy(p.a, "10.1.0.5", "10.2.0.7", 32, 9, 0);
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", 32, 9);
	assert_int_equal(p.a->nnet, 1);
	assert_int_equal(p.a->net[0].af, AF_INET6);
	assert_int_equal(outer_of(&p.a->net[0]).proto, IPPROTO_ESP);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	assert_same(&p.b->tun[0], &orig);
	free(orig.p);
	pair_free(&p);
}

/* The handbook: gif wraps, the ipencap policy protects, B unwraps both. */
static void
test_gif_esp(void **state)
{
	struct pair	p;
	struct fpt_cap	orig;

	pair_gif(&p, true);
	orig = ping_copy(p.a, "10.1.0.1", "10.2.0.1", 56, 1, 0);
	fpt_send(p.a, "10.1.0.1", "10.2.0.1", 56, 1);
	assert_int_equal(p.a->nnet, 1);
	assert_int_equal(outer_of(&p.a->net[0]).proto, IPPROTO_ESP);
	/* What ESP protected is the IP-in-IP packet: 20 bytes more. */
	assert_int_equal(fpt_find(p.a, FPT_B, FPT_SPI_AB)->cur.bytes, PING_LEN(56) + 20);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	assert_same(&p.b->tun[0], &orig);
	assert_int_equal(fpt_stat(p.b, GWSTAT_PACKETS_IN), 1);
	assert_int_equal(fpt_stat(p.a, GWSTAT_BYPASS_OUT), 0);
	free(orig.p);
	pair_free(&p);
}

/* Handbook step 1: a gif tunnel without policies carries plaintext both ways. */
static void
test_gif_plaintext(void **state)
{
	struct pair		 p;
	struct fpt_gw		*c;
	struct fpt_cap		 orig;

	pair_gif(&p, false);
	orig = ping_copy(p.a, "10.1.0.1", "10.2.0.1", 56, 1, 0);
	fpt_send(p.a, "10.1.0.1", "10.2.0.1", 56, 1);
	assert_int_equal(p.a->nnet, 1);
	assert_int_equal(outer_of(&p.a->net[0]).proto, IPPROTO_IPIP);
	assert_int_equal(fpt_stat(p.a, GWSTAT_BYPASS_OUT), 1);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	assert_same(&p.b->tun[0], &orig);
	assert_int_equal(fpt_stat(p.b, GWSTAT_BYPASS_IN), 1);

	/* Once B requires ESP for ipencap from A, plaintext is refused. */
	fpt_sp(p.b, IPSEC_DIR_INBOUND, FPT_A, 32, FPT_B, 32, IPPROTO_IPIP,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_A, FPT_B, 0);
	fpt_send(p.a, "10.1.0.1", "10.2.0.1", 56, 2);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	assert_int_equal(fpt_stat(p.b, GWSTAT_PLAINTEXT_REQUIRED), 1);

	/* IP-in-IP from a host that is not B's gif peer is not B's. */
	c = fpt_new("203.0.113.9", FPT_B);
	fpt_send(c, "10.9.0.1", "10.2.0.1", 8, 1);
	fpt_deliver(c, p.b);
	assert_int_equal(fpt_stat(p.b, GWSTAT_FOREIGN), 1);
	assert_int_equal(p.b->ntun, 1);
	fpt_free(c);
	free(orig.p);
	pair_free(&p);
}

static void
test_replay_dropped(void **state)
{
	struct pair	p;
	struct fpt_cap	copy;

	pair_subnet(&p, GCM, NOAUTH);
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, 1);
	copy = (struct fpt_cap){ .len = p.a->net[0].len, .p = malloc(p.a->net[0].len) };
	assert_non_null(copy.p);
	memcpy(copy.p, p.a->net[0].p, copy.len);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	fpt_inject(p.b, &copy);
	assert_int_equal(p.b->ntun, 1);
	assert_int_equal(fpt_stat(p.b, GWSTAT_REPLAY), 1);
	assert_int_equal(fpt_find(p.b, FPT_B, FPT_SPI_AB)->stats[GWSTAT_REPLAY], 1);
	assert_int_equal(fpt_stat(p.b, GWSTAT_PACKETS_IN), 1);
	free(copy.p);
	pair_free(&p);
}

/* One flipped bit in the ciphertext: ICV failure, nothing reaches the TUN. */
static void
test_modified_dropped(void **state)
{
	static const uint8_t	algs[][2] = { { GCM, NOAUTH }, { CBC, SHA256 } };
	struct pair		p;
	size_t			i;

	for (i = 0; i < 2; i++) {
		pair_subnet(&p, algs[i][0], algs[i][1]);
		fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, 1);
		p.a->net[0].p[p.a->net[0].len - 30] ^= 0x04;
		fpt_deliver(p.a, p.b);
		assert_int_equal(p.b->ntun, 0);
		assert_int_equal(fpt_stat(p.b, GWSTAT_ICV_FAIL), 1);
		assert_int_equal(fpt_find(p.b, FPT_B, FPT_SPI_AB)->stats[GWSTAT_ICV_FAIL], 1);
		/* The forgery moved no window: the genuine packet still passes. */
		fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, 2);
		fpt_deliver(p.a, p.b);
		assert_int_equal(p.b->ntun, 1);
		pair_free(&p);
	}
}

static void
test_unknown_spi(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL), *b = fpt_new(NULL, NULL);

	fpt_sa(a, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	fpt_subnet_policies(a, true);
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 1);
	fpt_deliver(a, b);
	assert_int_equal(fpt_stat(b, GWSTAT_UNKNOWN_SPI), 1);
	assert_int_equal(b->ntun, 0);
	fpt_free(a);
	fpt_free(b);
}

/* A decrypted packet the SA's `in` policy does not cover is dropped. */
static void
test_policy_mismatch(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL), *b = fpt_new(NULL, NULL);
	struct pair	 p = { a, b };

	pair_sas(&p, GCM, NOAUTH, FPT_A, FPT_B);
	fpt_sp(a, IPSEC_DIR_OUTBOUND, "10.0.0.0", 8, "10.2.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_REQUIRE, FPT_A, FPT_B, 0);
	fpt_subnet_policies(b, false);
	fpt_send(a, "10.9.0.1", "10.2.0.7", 56, 1);
	fpt_deliver(a, b);
	assert_int_equal(b->ntun, 0);
	assert_int_equal(fpt_stat(b, GWSTAT_POLICY_MISMATCH), 1);
	assert_int_equal(fpt_find(b, FPT_B, FPT_SPI_AB)->stats[GWSTAT_POLICY_MISMATCH], 1);
	/* Inside the policy it passes. */
	fpt_send(a, "10.1.0.1", "10.2.0.7", 56, 2);
	fpt_deliver(a, b);
	assert_int_equal(b->ntun, 1);
	pair_free(&p);
}

/* unique:N picks the SA with reqid N, and B insists on it too. */
static void
test_unique_reqid(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL), *b = fpt_new(NULL, NULL);
	struct pfk_msg	 m;

	fpt_sa_msg(&m, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	m.sa2.reqid = 5;
	assert_int_equal(fpt_ask(a, &m), 0);
	assert_int_equal(fpt_ask(b, &m), 0);
	fpt_sp(a, IPSEC_DIR_OUTBOUND, "10.1.0.0", 24, "10.2.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_UNIQUE, FPT_A, FPT_B, 5);
	fpt_sp(a, IPSEC_DIR_OUTBOUND, "10.1.0.0", 24, "10.3.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_UNIQUE, FPT_A, FPT_B, 6);
	fpt_sp(b, IPSEC_DIR_INBOUND, "10.1.0.0", 24, "10.2.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_UNIQUE, FPT_A, FPT_B, 6);
	fpt_send(a, "10.1.0.5", "10.3.0.7", 56, 1);
	assert_int_equal(a->nnet, 0);
	assert_int_equal(a->fp.nheld, 1);
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 2);
	assert_int_equal(a->nnet, 1);
	fpt_deliver(a, b);
	assert_int_equal(b->ntun, 0);
	assert_int_equal(fpt_stat(b, GWSTAT_POLICY_MISMATCH), 1);
	fpt_free(a);
	fpt_free(b);
}

/*
 * No SA: four packets wait, the rest are dropped, one ACQUIRE goes out;
 * the SA arrives and the held packets leave in order.
 */
static void
test_hold_acquire_release(void **state)
{
	struct pair	p = { fpt_new(NULL, NULL), fpt_new(NULL, NULL) };
	struct pfk_msg	acq;
	struct gw_addr	eb = kt_addr(FPT_B);
	uint32_t	spi, seq;
	size_t		i;

	kt_register(&p.a->kt, &p.a->kt.root);
	fpt_subnet_policies(p.a, true);
	for (i = 1; i <= 6; i++)
		fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, (uint16_t)i);
	assert_int_equal(p.a->nnet, 0);
	assert_int_equal(p.a->fp.nheld, FP_HOLD_PER_POLICY);
	assert_int_equal(fpt_stat(p.a, GWSTAT_HELD), 4);
	assert_int_equal(fpt_stat(p.a, GWSTAT_NO_SA), 2);
	assert_int_equal(fpt_count_type(p.a, &p.a->kt.root, SADB_ACQUIRE), 1);
	kt_last(&p.a->kt, &p.a->kt.root, &acq);
	assert_int_equal(acq.type, SADB_ACQUIRE);
	assert_true(addr_eq(&acq.dst.addr, &eb));

	pair_sas(&p, GCM, NOAUTH, FPT_A, FPT_B);
	assert_int_equal(p.a->fp.nheld, 0);
	assert_int_equal(p.a->nnet, 4);
	assert_true(p.a->flushes >= 1);
	for (i = 0; i < 4; i++) {
		esp_hdr(&p.a->net[i], PKT_IPV4_HLEN, &spi, &seq);
		assert_int_equal(seq, i + 1);
	}
	fpt_subnet_policies(p.b, false);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(ping_seq(&p.b->tun[i]), i + 1);
	pair_free(&p);
}

static void
test_hold_expires(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);

	fpt_subnet_policies(a, true);
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 1);
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 2);
	assert_int_equal(a->fp.nheld, 2);
	fpt_advance(a, FP_HOLD_MS - 1);
	fp_tick(&a->fp);
	assert_int_equal(a->fp.nheld, 2);
	fpt_advance(a, 1);
	fp_tick(&a->fp);
	assert_int_equal(a->fp.nheld, 0);
	assert_int_equal(fpt_stat(a, GWSTAT_NO_SA), 2);
	fpt_sa(a, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	assert_int_equal(a->nnet, 0);
	fpt_free(a);
}

/* Packets held for a policy that is then removed never leave. */
static void
test_hold_policy_removed(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);
	struct pfk_msg	 m;

	fpt_subnet_policies(a, true);
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 1);
	kt_msg(&m, SADB_X_SPDFLUSH, SADB_SATYPE_UNSPEC, 3);
	assert_int_equal(fpt_ask(a, &m), 0);
	fpt_sa(a, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	assert_int_equal(a->nnet, 0);
	assert_int_equal(a->fp.nheld, 0);
	assert_int_equal(fpt_stat(a, GWSTAT_NO_SA), 1);
	fpt_free(a);
}

static void
test_discard_none_use(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);
	struct fpt_cap	 orig;

	fpt_sp(a, IPSEC_DIR_OUTBOUND, "10.1.0.0", 24, "10.2.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_DISCARD, 0, NULL, NULL, 0);
	fpt_sp(a, IPSEC_DIR_OUTBOUND, "10.1.0.0", 24, "10.3.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_NONE, 0, NULL, NULL, 0);
	fpt_sp(a, IPSEC_DIR_OUTBOUND, "10.1.0.0", 24, "10.4.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_IPSEC, IPSEC_LEVEL_USE, FPT_A, FPT_B, 0);

	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 1);
	assert_int_equal(a->nnet, 0);
	assert_int_equal(fpt_stat(a, GWSTAT_DISCARDED), 1);

	/* Handed back to the kernel as a router would: TTL one lower. */
	orig = ping_copy(a, "10.1.0.5", "10.3.0.7", 56, 1, 0);
	assert_int_equal(pkt_ttl_dec(orig.p, orig.len), 0);
	fpt_send(a, "10.1.0.5", "10.3.0.7", 56, 1);
	assert_int_equal(a->nnet, 1);
	assert_same(&a->net[0], &orig);
	assert_true(pkt_ipv4_csum_ok(a->net[0].p, a->net[0].len));
	free(orig.p);

	/* use: plaintext while there is no SA, ESP once there is one. */
	orig = ping_copy(a, "10.1.0.5", "10.4.0.7", 56, 1, 0);
	assert_int_equal(pkt_ttl_dec(orig.p, orig.len), 0);
	fpt_send(a, "10.1.0.5", "10.4.0.7", 56, 1);
	assert_int_equal(a->nnet, 2);
	assert_same(&a->net[1], &orig);
	assert_int_equal(fpt_stat(a, GWSTAT_BYPASS_OUT), 2);
	assert_int_equal(a->fp.nheld, 0);
	fpt_sa(a, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	fpt_send(a, "10.1.0.5", "10.4.0.7", 56, 2);
	assert_int_equal(a->nnet, 3);
	assert_int_equal(outer_of(&a->net[2]).proto, IPPROTO_ESP);
	free(orig.p);
	fpt_free(a);
}

/* A none packet routed back into the TUN dies of old age, not in a loop. */
static void
test_bypass_loop_bounded(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);
	struct fpt_cap	 c;
	int		 hops = 0;

	fpt_sp(a, IPSEC_DIR_OUTBOUND, "10.1.0.0", 24, "10.3.0.0", 24, IPSEC_ULPROTO_ANY,
	    IPSEC_POLICY_NONE, 0, NULL, NULL, 0);
	c = ping_copy(a, "10.1.0.5", "10.3.0.7", 56, 1, 0);
	/* Feed each packet tunneld sends straight back into the TUN. */
	while (hops < 300) {
		struct pkt_buf	*b = fpt_ping(a, "10.1.0.5", "10.3.0.7", 56, 1, 0);

		memcpy(pkt_data(b), c.p, c.len);
		fp_tun_input(&a->fp, b);
		if (a->nnet == 0)
			break;
		memcpy(c.p, a->net[0].p, c.len);
		fpt_clear(a);
		hops++;
	}
	assert_int_equal(hops, 63);	/* TTL 64: one hop less than the TTL */
	assert_int_equal(fpt_stat(a, GWSTAT_TTL_EXPIRED), 1);
	free(c.p);
	fpt_free(a);
}

/* Without gif, a packet no policy covers has nowhere to go. */
static void
test_no_policy(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);

	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 1);
	assert_int_equal(a->nnet, 0);
	assert_int_equal(fpt_stat(a, GWSTAT_NO_POLICY), 1);
	fp_tun_input(&a->fp, &(struct pkt_buf){ .mem = a->buf, .cap = FP_BUF_SIZE,
	    .off = FP_HEADROOM, .len = 3 });
	assert_int_equal(fpt_stat(a, GWSTAT_MALFORMED), 1);
	fpt_free(a);
}

/* Bytes are accounted per packet: soft, then hard EXPIRE, and DUMP shows them. */
static void
test_lifetime_bytes(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);
	struct key_client *root = &a->kt.root;
	struct pfk_msg	 m, d;
	struct sa	*sa;

	kt_register(&a->kt, root);
	fpt_sa_msg(&m, FPT_SPI_AB, CBC, SHA256, FPT_A, FPT_B);
	m.lt_soft.bytes = 2 * PING_LEN(56);
	m.lt_hard.bytes = 3 * PING_LEN(56) + 10;
	pfk_set(&m, SADB_EXT_LIFETIME_SOFT);
	pfk_set(&m, SADB_EXT_LIFETIME_HARD);
	assert_int_equal(fpt_ask(a, &m), 0);
	fpt_subnet_policies(a, true);

	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 1);
	sa = fpt_find(a, FPT_B, FPT_SPI_AB);
	assert_int_equal(sa->cur.packets, 1);
	assert_int_equal(sa->cur.usetime, a->ms / 1000);
	kt_msg(&d, SADB_DUMP, SADB_SATYPE_ESP, 11);
	assert_int_equal(fpt_ask(a, &d), 0);
	kt_last(&a->kt, root, &d);
	assert_true(pfk_has(&d, SADB_EXT_LIFETIME_CURRENT));
	assert_int_equal(d.lt_current.bytes, PING_LEN(56));
	assert_int_equal(d.lt_current.allocations, 1);
	assert_int_equal(d.lt_current.usetime, a->kt.wall);
	assert_int_equal(d.sa2.sequence, 1);
	assert_int_equal(d.stats.v[GWSTAT_PACKETS_OUT], 1);
	assert_int_equal(fpt_count_type(a, root, SADB_EXPIRE), 0);

	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 2);
	assert_int_equal(fpt_count_type(a, root, SADB_EXPIRE), 1);	/* soft */
	assert_int_equal(sa->state, SA_DYING);
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 3);
	assert_int_equal(a->nnet, 3);
	/* The fourth would pass the hard limit: the SA goes instead. */
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 4);
	assert_int_equal(a->nnet, 3);
	assert_int_equal(fpt_count_type(a, root, SADB_EXPIRE), 2);
	assert_int_equal(fpt_stat(a, GWSTAT_NO_SA), 1);
	kt_last(&a->kt, root, &m);
	assert_int_equal(m.type, SADB_EXPIRE);
	assert_true(pfk_has(&m, SADB_EXT_LIFETIME_HARD));
	/* require: the next packet waits for a new SA and asks for one. */
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 5);
	assert_int_equal(a->fp.nheld, 1);
	assert_int_equal(fpt_count_type(a, root, SADB_ACQUIRE), 1);
	key_tick(&a->kt.key);
	fpt_free(a);
}

/* RFC 4303 3.3.3: no sequence number twice; the SA expires instead. */
static void
test_sequence_exhausted(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);
	struct gw_addr	 dst = kt_addr(FPT_B);

	kt_register(&a->kt, &a->kt.root);
	fpt_sa(a, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	fpt_subnet_policies(a, true);
	fpt_find(a, FPT_B, FPT_SPI_AB)->seq_out = UINT32_MAX - 1;
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 1);
	assert_int_equal(a->nnet, 1);
	fpt_send(a, "10.1.0.5", "10.2.0.7", 56, 2);
	assert_int_equal(a->nnet, 1);
	assert_int_equal(fpt_stat(a, GWSTAT_NO_SA), 1);
	assert_int_equal(fpt_count_type(a, &a->kt.root, SADB_EXPIRE), 1);
	assert_null(sad_find(&a->kt.key.sad, SADB_SATYPE_ESP, &dst, FPT_SPI_AB));
	fpt_free(a);
}

/* RFC 3948: ESP-in-UDP with the SA's ports, and only for NAT-T SAs. */
static void
test_natt_udp(void **state)
{
	struct pair		p = { fpt_new(NULL, NULL), fpt_new(NULL, NULL) };
	struct pfk_msg		m;
	struct pkt_outer	o;
	struct fp_outer		fo;
	struct pkt_buf		b;
	struct rd		r;
	uint16_t		sport, dport, ulen, csum;

	fpt_sa_msg(&m, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	m.natt_type = UDP_ENCAP_ESPINUDP;
	m.natt_sport = 4500;
	m.natt_dport = 4501;
	pfk_set(&m, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(&m, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(&m, SADB_X_EXT_NAT_T_DPORT);
	assert_int_equal(fpt_ask(p.a, &m), 0);
	assert_int_equal(fpt_ask(p.b, &m), 0);
	fpt_subnet_policies(p.a, true);
	fpt_subnet_policies(p.b, false);
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, 1);
	assert_int_equal(p.a->nnet, 1);
	o = outer_of(&p.a->net[0]);
	assert_int_equal(o.proto, IPPROTO_UDP);
	r = rd_init(p.a->net[0].p + o.hlen, p.a->net[0].len - o.hlen);
	rd_u16be(&r, &sport);
	rd_u16be(&r, &dport);
	rd_u16be(&r, &ulen);
	assert_int_equal(rd_u16be(&r, &csum), 0);
	assert_int_equal(sport, 4500);
	assert_int_equal(dport, 4501);
	assert_int_equal(ulen, p.a->net[0].len - o.hlen);
	assert_int_equal(csum, 0);

	/* The same ESP without its UDP header does not fit the SA. */
	pkt_init(&b, p.b->buf, FP_BUF_SIZE, FP_HEADROOM);
	memcpy(pkt_put(&b, ulen - 8), p.a->net[0].p + o.hlen + 8, ulen - 8);
	fo = (struct fp_outer){ .src = o.src, .dst = o.dst };
	fp_esp_input(&p.b->fp, &b, &fo);
	assert_int_equal(fpt_stat(p.b, GWSTAT_POLICY_MISMATCH), 1);
	fpt_deliver(p.a, p.b);
	assert_int_equal(p.b->ntun, 1);
	pair_free(&p);
}

static void
udp_in(struct fpt_gw *g, const uint8_t *data, size_t len)
{
	struct fp_outer	o = { .src = kt_addr(FPT_A), .dst = kt_addr(FPT_B) };
	struct pkt_buf	b;

	pkt_init(&b, g->buf, FP_BUF_SIZE, FP_HEADROOM);
	memcpy(pkt_put(&b, len), data, len);
	fp_udp_input(&g->fp, &b, &o);
}

static void
test_udp_keepalive_ike(void **state)
{
	struct fpt_gw	*b = fpt_new(NULL, NULL);
	uint8_t		 ike[4 + 28] = { 0 };

	udp_in(b, (const uint8_t *)"\xff", 1);
	assert_int_equal(fpt_stat(b, GWSTAT_KEEPALIVE), 1);
	udp_in(b, ike, sizeof(ike));
	assert_int_equal(fpt_stat(b, GWSTAT_IKE), 1);
	udp_in(b, ike, 3);
	assert_int_equal(fpt_stat(b, GWSTAT_MALFORMED), 1);
	udp_in(b, (const uint8_t *)"\x00\x00\x20\x00\x00\x00\x00\x01", 8);
	assert_int_equal(fpt_stat(b, GWSTAT_UNKNOWN_SPI), 1);
	assert_int_equal(b->ntun, 0);
	fpt_free(b);
}

/* RFC 4303 2.6: a dummy packet (next header 59) authenticates and vanishes. */
static void
test_dummy_packet(void **state)
{
	struct pair		 p;
	struct sa		*sa;
	struct fp_sa		*s;
	struct pkt_buf		 b;
	struct gw_addr		 src = kt_addr(FPT_A), dst = kt_addr(FPT_B);
	struct pkt_outer_args	 a = { .src = &src, .dst = &dst, .proto = IPPROTO_ESP };
	struct fpt_cap		 c;

	pair_subnet(&p, GCM, NOAUTH);
	sa = fpt_find(p.a, FPT_B, FPT_SPI_AB);
	s = sa->dp;
	pkt_init(&b, p.a->buf, FP_BUF_SIZE, FP_HEADROOM);
	memset(pkt_put(&b, 10), 0xaa, 10);
	assert_int_equal(esp_encap(&s->x, FPT_SPI_AB, 1, false, ESP_NH_NONE, &b), 0);
	assert_int_equal(pkt_outer_build(&b, &a), 0);
	c = (struct fpt_cap){ .len = b.len, .p = malloc(b.len) };
	assert_non_null(c.p);
	memcpy(c.p, pkt_data(&b), b.len);
	fpt_inject(p.b, &c);
	assert_int_equal(fpt_stat(p.b, GWSTAT_DUMMY), 1);
	assert_int_equal(p.b->ntun, 0);
	free(c.p);
	pair_free(&p);
}

/* Hands c to g with another outer DS field, as if a router had marked it. */
static void
inject_tos(struct fpt_gw *g, const struct fpt_cap *c, uint8_t tos)
{
	struct pkt_outer	o = outer_of(c);
	struct fp_outer		fo = { .src = o.src, .dst = o.dst, .tos = tos };
	struct pkt_buf		b;

	pkt_init(&b, g->buf, FP_BUF_SIZE, FP_HEADROOM);
	memcpy(pkt_put(&b, c->len - o.hlen), c->p + o.hlen, c->len - o.hlen);
	fp_esp_input(&g->fp, &b, &fo);
}

/* RFC 6040: DSCP and ECN go out copied; CE outside marks or drops inside. */
static void
test_ecn(void **state)
{
	struct pair	p;

	pair_subnet(&p, GCM, NOAUTH);
	fp_tun_input(&p.a->fp, fpt_ping(p.a, "10.1.0.5", "10.2.0.7", 56, 1, 0xb8 | 2));
	assert_int_equal(outer_of(&p.a->net[0]).tos, 0xb8 | 2);
	inject_tos(p.b, &p.a->net[0], 0xb8 | 3);
	assert_int_equal(p.b->ntun, 1);
	assert_int_equal(p.b->tun[0].p[1], 0xb8 | 3);
	assert_true(pkt_ipv4_csum_ok(p.b->tun[0].p, p.b->tun[0].len));
	fpt_clear(p.a);

	/* Not-ECT inside and CE outside: the packet must go. */
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, 2);
	inject_tos(p.b, &p.a->net[0], 3);
	assert_int_equal(p.b->ntun, 1);
	assert_int_equal(fpt_stat(p.b, GWSTAT_ECN_DROP), 1);
	pair_free(&p);
}

static void
test_oversize_and_tun_error(void **state)
{
	struct pair	p;

	pair_subnet(&p, CBC, SHA256);
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", FP_MAX_PKT - 28, 1);
	assert_int_equal(p.a->nnet, 0);
	assert_int_equal(fpt_stat(p.a, GWSTAT_OVERSIZE), 1);
	assert_int_equal(fpt_find(p.a, FPT_B, FPT_SPI_AB)->stats[GWSTAT_OVERSIZE], 1);
	assert_int_equal(fpt_find(p.a, FPT_B, FPT_SPI_AB)->cur.bytes, 0);
	p.b->tun_fails = true;
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", 1400, 2);
	fpt_deliver(p.a, p.b);
	assert_int_equal(fpt_stat(p.b, GWSTAT_TUN_ERROR), 1);
	pair_free(&p);
}

/* PFK_X_STATUS shows what the fast path counted, to any client. */
static void
test_status_message(void **state)
{
	struct pair	p;
	struct pfk_msg	m;
	size_t		i;

	pair_subnet(&p, GCM, NOAUTH);
	assert_true(p.a->spd_changes >= 2);
	fpt_send(p.a, "10.1.0.5", "10.2.0.7", 56, 1);
	fpt_send(p.a, "10.1.0.5", "10.8.0.7", 56, 1);
	kt_msg(&m, PFK_X_STATUS, SADB_SATYPE_UNSPEC, 77);
	assert_int_equal(kt_ask(&p.a->kt, &p.a->kt.user, &m), 0);
	kt_last(&p.a->kt, &p.a->kt.user, &m);
	assert_int_equal(m.type, PFK_X_STATUS);
	assert_int_equal(m.seq, 77);
	assert_true(pfk_has(&m, PFK_EXT_STATS));
	assert_int_equal(m.stats.n, GWSTAT_MAX);
	for (i = 0; i < GWSTAT_MAX; i++)
		assert_int_equal(m.stats.v[i], p.a->kt.key.stats[i]);
	assert_int_equal(m.stats.v[GWSTAT_PACKETS_OUT], 1);
	assert_int_equal(m.stats.v[GWSTAT_NO_POLICY], 1);
	pair_free(&p);
}

/* The engine may go first: fp_free then only forgets. */
static void
test_free_order(void **state)
{
	struct fpt_gw	*a = fpt_new(NULL, NULL);

	fpt_sa(a, FPT_SPI_AB, GCM, NOAUTH, FPT_A, FPT_B);
	fpt_sa(a, FPT_SPI_BA, CBC, SHA256, FPT_B, FPT_A);
	kt_fini(&a->kt);
	fp_free(&a->fp);
	kt_init(&a->kt);	/* for fpt_free */
	fp_init(&a->fp, &a->kt.key, &a->io, &(struct fp_conf){ .gif = false });
	fpt_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_ipv4_gcm),
		cmocka_unit_test(test_ping_ipv6_cbc),
		cmocka_unit_test(test_ping_outer_ipv6),
		cmocka_unit_test(test_gif_esp),
		cmocka_unit_test(test_gif_plaintext),
		cmocka_unit_test(test_replay_dropped),
		cmocka_unit_test(test_modified_dropped),
		cmocka_unit_test(test_unknown_spi),
		cmocka_unit_test(test_policy_mismatch),
		cmocka_unit_test(test_unique_reqid),
		cmocka_unit_test(test_hold_acquire_release),
		cmocka_unit_test(test_hold_expires),
		cmocka_unit_test(test_hold_policy_removed),
		cmocka_unit_test(test_discard_none_use),
		cmocka_unit_test(test_bypass_loop_bounded),
		cmocka_unit_test(test_no_policy),
		cmocka_unit_test(test_lifetime_bytes),
		cmocka_unit_test(test_sequence_exhausted),
		cmocka_unit_test(test_natt_udp),
		cmocka_unit_test(test_udp_keepalive_ike),
		cmocka_unit_test(test_dummy_packet),
		cmocka_unit_test(test_ecn),
		cmocka_unit_test(test_oversize_and_tun_error),
		cmocka_unit_test(test_status_message),
		cmocka_unit_test(test_free_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
