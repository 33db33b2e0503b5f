/*
 * test_print.c: setkey -D text (print_sa), the debug form and the
 * counter lines, against golden files written by hand from
 * specs/kame.md section 3.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "gwstats.h"

static void
sad_worked_pair(struct pfk_msg *m1, struct pfk_msg *m2)
{
	sa_base(m1, "192.168.0.1", "192.168.1.2", 0xc1a2b3c4);
	m1->sa2.reqid = 16385;
	m1->sa.replay = 4;
	sa_enc(m1, SADB_X_EALG_AESCBC, key_enc1, sizeof(key_enc1));
	sa_auth(m1, SADB_AALG_SHA1HMAC, key_auth1, sizeof(key_auth1));
	sa_life(m1, T_CREATED, T_USED, 183456, 1532, 3600, 2880);
	m1->seq = 1;
	m1->pid = 20177;

	sa_base(m2, "192.168.1.2", "192.168.0.1", 0xabcdef01);
	m2->sa2.reqid = 16386;
	m2->sa.replay = 4;
	sa_enc(m2, SADB_X_EALG_AESCBC, key_enc2, sizeof(key_enc2));
	sa_auth(m2, SADB_AALG_SHA1HMAC, key_auth2, sizeof(key_auth2));
	sa_life(m2, T_CREATED, 0, 0, 0, 3600, 2880);
	m2->seq = 0;
	m2->pid = 20177;
}

static void
test_sad_worked(void **state)
{
	struct pfk_msg	m1, m2;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sad_worked_pair(&m1, &m2);
	assert_true(print_sa(f, &m1, &opts_plain));
	assert_true(print_sa(f, &m2, &opts_plain));
	golden_check("sad_worked.txt", cap_close(&c));
}

static void
test_sad_gcm(void **state)
{
	struct pfk_msg	m;
	uint8_t		k[20];
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	fill_seq(k, sizeof(k), 0);
	sa_base(&m, "10.0.0.1", "10.0.0.2", 0x1000);
	sa_enc(&m, SADB_X_EALG_AES_GCM_ICV16, k, sizeof(k));
	m.sa.replay = 32;
	m.sa.flags = FLAG_CYCSEQ;
	m.sa2.sequence = 16;
	sa_life(&m, T_CREATED, T_USED, 1500, 3, 0, 0);
	m.pid = 100;
	assert_true(print_sa(f, &m, &opts_plain));
	golden_check("sad_gcm.txt", cap_close(&c));
}

/* 32-byte keys fill one row exactly; 36 and 64 bytes continue on a second. */
static void
test_sad_longkeys(void **state)
{
	struct pfk_msg	m1, m2;
	uint8_t		e1[32], a1[64], e2[36], a2[32];
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	memcpy(e1, key_enc2, 16);
	memcpy(e1 + 16, key_enc2, 16);
	fill_seq(a1, sizeof(a1), 0);
	fill_seq(e2, 16, 0xf0);
	fill_seq(e2 + 16, 16, 0xf0);
	memcpy(e2 + 32, "\xde\xad\xbe\xef", 4);
	fill_seq(a2, sizeof(a2), 0);

	sa_base(&m1, "10.0.0.1", "10.0.0.2", 0x101);
	m1.sa2.reqid = 1;
	m1.sa.flags = FLAG_CYCSEQ;
	sa_enc(&m1, SADB_X_EALG_AESCBC, e1, sizeof(e1));
	sa_auth(&m1, SADB_X_AALG_SHA2_512HMAC, a1, sizeof(a1));
	m1.seq = 1;
	m1.pid = 7;
	sa_base(&m2, "10.0.0.2", "10.0.0.1", 0x102);
	m2.sa2.reqid = 2;
	m2.sa.flags = FLAG_CYCSEQ;
	sa_enc(&m2, SADB_X_EALG_AESCTR, e2, sizeof(e2));
	sa_auth(&m2, SADB_X_AALG_SHA2_256HMAC, a2, sizeof(a2));
	m2.pid = 7;
	assert_true(print_sa(f, &m1, &opts_plain));
	assert_true(print_sa(f, &m2, &opts_plain));
	golden_check("sad_longkeys.txt", cap_close(&c));
}

/* ESP-in-UDP as Linux reports it: address ports 0, NAT-T ports apart. */
static void
sa_natt(struct pfk_msg *m)
{
	sa_base(m, "192.168.0.1", "192.168.1.2", 0xc1a2b3c4);
	m->sa.replay = 4;
	sa_enc(m, SADB_X_EALG_AESCBC, key_enc1, sizeof(key_enc1));
	sa_auth(m, SADB_AALG_SHA1HMAC, key_auth1, sizeof(key_auth1));
	m->natt_type = 2;	/* UDP_ENCAP_ESPINUDP */
	m->natt_sport = 4500;
	m->natt_dport = 30000;
	m->natt_oa = addr("10.0.0.5", 32, 0);
	pfk_set(m, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(m, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_DPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_OA);
	m->pid = 20177;
}

static void
test_sad_natt_ports(void **state)
{
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sa_natt(&m);
	assert_true(print_sa(f, &m, &opts_ports));
	golden_check("sad_natt.txt", cap_close(&c));
}

/* Without -p only the NAT-T ports show; a non-ESP NAT-T SA gets "natt+". */
static void
test_sad_natt_noports(void **state)
{
	struct pfk_msg	m, ah;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sa_natt(&m);
	sa_base(&ah, "192.168.0.1", "192.168.1.2", 0x1234);
	ah.satype = SADB_SATYPE_AH;
	ah.sa2.mode = IPSEC_MODE_TRANSPORT;
	sa_auth(&ah, SADB_AALG_SHA1HMAC, key_auth1, sizeof(key_auth1));
	ah.natt_type = 2;
	ah.natt_sport = 4500;
	ah.natt_dport = 4500;
	pfk_set(&ah, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(&ah, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(&ah, SADB_X_EXT_NAT_T_DPORT);
	ah.pid = 20177;
	assert_true(print_sa(f, &m, &opts_plain));
	assert_true(print_sa(f, &ah, &opts_plain));
	golden_check("sad_natt_nop.txt", cap_close(&c));
}

/* A NAT-T type of 0 is no encapsulation: plain "esp", no extra ports. */
static void
test_sad_natt_type_zero(void **state)
{
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);
	char		*got;

	(void)state;
	sa_natt(&m);
	m.natt_type = 0;
	assert_true(print_sa(f, &m, &opts_plain));
	got = cap_close(&c);
	assert_non_null(strstr(got, "192.168.0.1 192.168.1.2 \n\tesp mode=tunnel"));
	assert_null(strstr(got, "NAT OA"));
	free(got);
}

/* A GETSPI result: larval, no keys, no soft lifetime extension. */
static void
test_sad_larval(void **state)
{
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sa_base(&m, "192.168.1.2", "192.168.0.1", 0xdeadbeef);
	m.sa.state = SADB_SASTATE_LARVAL;
	m.sa2.mode = IPSEC_MODE_ANY;
	m.lt_current.addtime = T_CREATED;
	m.lt_hard.addtime = 30;
	pfk_set(&m, SADB_EXT_LIFETIME_CURRENT);
	pfk_set(&m, SADB_EXT_LIFETIME_HARD);
	assert_true(print_sa(f, &m, &opts_plain));
	golden_check("sad_larval.txt", cap_close(&c));
}

static void
test_sad_ipv6(void **state)
{
	struct pfk_msg	m;
	uint8_t		a[32];
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	fill_seq(a, sizeof(a), 0);
	sa_base(&m, "2001:db8::1", "2001:db8::2", 0x12345678);
	m.sa2.mode = IPSEC_MODE_TRANSPORT;
	m.sa2.reqid = 101;
	m.sa2.sequence = 42;
	m.sa.replay = 8;
	m.sa.flags = FLAG_CYCSEQ;
	m.sa.state = SADB_SASTATE_DYING;
	sa_enc(&m, SADB_X_EALG_AESCBC, key_enc2, sizeof(key_enc2));
	sa_auth(&m, SADB_X_AALG_SHA2_256HMAC, a, sizeof(a));
	sa_life(&m, T_CREATED, T_USED, 4096, 42, 3600, 2880);
	m.lt_hard.usetime = 1800;
	m.lt_soft.usetime = 1440;
	m.lt_hard.bytes = 1073741824;
	m.lt_soft.bytes = 858993459;
	m.pid = 1;
	m.reserved = 2;
	assert_true(print_sa(f, &m, &opts_plain));
	golden_check("sad_ipv6.txt", cap_close(&c));
}

/* The "C:" line ends with its newline (the ipsec-tools quirk is fixed). */
static void
test_sad_ipcomp(void **state)
{
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sa_base(&m, "10.0.0.1", "10.0.0.2", 0x1000);
	m.satype = SADB_X_SATYPE_IPCOMP;
	m.sa.encrypt = SADB_X_CALG_DEFLATE;
	m.pid = 5;
	assert_true(print_sa(f, &m, &opts_plain));
	golden_check("sad_ipcomp.txt", cap_close(&c));
}

static void
sad_dead_pair(struct pfk_msg *dead, struct pfk_msg *live)
{
	sa_base(dead, "10.0.0.1", "10.0.0.2", 0x1000);
	dead->sa.state = SADB_SASTATE_DEAD;
	dead->sa.replay = 4;
	sa_enc(dead, SADB_X_EALG_AESCBC, key_enc2, sizeof(key_enc2));
	sa_auth(dead, SADB_AALG_SHA1HMAC, key_auth2, sizeof(key_auth2));
	dead->seq = 1;
	dead->pid = 9;
	sa_base(live, "10.0.0.2", "10.0.0.1", 0x1001);
	live->sa.replay = 4;
	sa_enc(live, SADB_X_EALG_AESCBC, key_enc2, sizeof(key_enc2));
	sa_auth(live, SADB_AALG_SHA1HMAC, key_auth2, sizeof(key_auth2));
	live->pid = 9;
}

static void
test_sad_dead_all(void **state)
{
	struct pfk_msg	dead, live;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sad_dead_pair(&dead, &live);
	assert_true(print_sa(f, &dead, &opts_all));
	assert_true(print_sa(f, &live, &opts_all));
	golden_check("sad_dead_all.txt", cap_close(&c));
}

static void
test_sad_dead_skipped(void **state)
{
	struct pfk_msg	dead, live;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sad_dead_pair(&dead, &live);
	assert_false(print_sa(f, &dead, &opts_plain));
	assert_true(print_sa(f, &live, &opts_plain));
	golden_check("sad_dead_skip.txt", cap_close(&c));
}

/* As ipsec-tools, -a filters dumps only: a GET shows the SA it asked for. */
static void
test_sad_dead_get(void **state)
{
	struct pfk_msg	dead, live;
	struct cap	c;
	FILE		*f = cap_open(&c);
	char		*got;

	(void)state;
	sad_dead_pair(&dead, &live);
	dead.type = SADB_GET;
	assert_true(print_sa(f, &dead, &opts_plain));
	got = cap_close(&c);
	assert_non_null(strstr(got, "state=dead \n"));
	free(got);
}

/* Numbers without names print in decimal; a future created gives diff 0. */
static void
test_sad_unknown_values(void **state)
{
	static const uint8_t k[] = { 1, 2, 3, 4 };
	struct pfk_msg	m1, m2;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sa_base(&m1, "10.0.0.1", "10.0.0.2", 0x1000);
	m1.satype = 13;
	m1.sa2.mode = 7;
	m1.sa.state = 9;
	m1.sa.replay = 255;
	m1.sa.flags = UINT32_MAX;
	m1.sa2.sequence = UINT32_MAX;
	sa_enc(&m1, SADB_X_EALG_AESCBC, k, sizeof(k));	/* not ESP: no E: */
	sa_auth(&m1, 200, k, sizeof(k));
	m1.lt_current.addtime = (uint64_t)T_NOW + 1;
	m1.lt_current.bytes = UINT64_MAX;
	m1.lt_current.allocations = UINT32_MAX;
	pfk_set(&m1, SADB_EXT_LIFETIME_CURRENT);
	m1.seq = UINT32_MAX;
	m1.pid = UINT32_MAX;
	m1.reserved = UINT16_MAX;

	sa_base(&m2, "10.0.0.1", "10.0.0.2", 0x1001);
	sa_enc(&m2, 200, k, sizeof(k));
	sa_auth(&m2, SADB_AALG_NONE, NULL, 0);
	assert_true(print_sa(f, &m1, &opts_plain));
	assert_true(print_sa(f, &m2, &opts_plain));
	golden_check("sad_unknown.txt", cap_close(&c));
}

/* A key view shorter than its bit count never reads past the view. */
static void
test_sad_key_view_short(void **state)
{
	static const uint8_t k[] = { 0xaa, 0xbb };
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);
	char		*got;

	(void)state;
	sa_base(&m, "10.0.0.1", "10.0.0.2", 0x1000);
	sa_auth(&m, SADB_AALG_SHA1HMAC, k, sizeof(k));
	m.key_auth.bits = 160;
	assert_true(print_sa(f, &m, &opts_plain));
	got = cap_close(&c);
	assert_non_null(strstr(got, "\tA: hmac-sha1  aabb\n"));
	free(got);
}

static char *
sa_text(const struct pfk_msg *m)
{
	struct cap	c;
	FILE		*f = cap_open(&c);

	assert_true(print_sa(f, m, &opts_plain));
	return cap_close(&c);
}

static void
test_sad_missing_ext(void **state)
{
	struct pfk_msg	m;
	char		*got;

	(void)state;
	sa_base(&m, "192.168.0.1", "192.168.1.2", 0x1000);
	m.present &= ~PFK_BIT(SADB_EXT_ADDRESS_SRC);
	assert_string_equal(got = sa_text(&m), "no ADDRESS_SRC extension.\n");
	free(got);
	sa_base(&m, "192.168.0.1", "192.168.1.2", 0x1000);
	m.present &= ~PFK_BIT(SADB_EXT_ADDRESS_DST);
	assert_string_equal(got = sa_text(&m), "192.168.0.1 no ADDRESS_DST extension.\n");
	free(got);
	sa_base(&m, "192.168.0.1", "192.168.1.2", 0x1000);
	m.present &= ~PFK_BIT(SADB_EXT_SA);
	assert_string_equal(got = sa_text(&m), "192.168.0.1 192.168.1.2 no SA extension.\n");
	free(got);
	sa_base(&m, "192.168.0.1", "192.168.1.2", 0x1000);
	m.present &= ~PFK_BIT(SADB_X_EXT_SA2);
	assert_string_equal(got = sa_text(&m), "192.168.0.1 192.168.1.2 no SA2 extension.\n");
	free(got);
}

/* The project's STATS and REPLAY extensions leave the dump unchanged. */
static void
test_sad_project_exts_hidden(void **state)
{
	struct pfk_msg	m1, m2;
	struct cap	c;
	FILE		*f = cap_open(&c);

	(void)state;
	sad_worked_pair(&m1, &m2);
	m1.stats.n = 3;
	m1.stats.v[0] = 7;
	pfk_set(&m1, PFK_EXT_STATS);
	m1.replay.window = 1024;
	pfk_set(&m1, PFK_EXT_REPLAY);
	assert_true(print_sa(f, &m1, &opts_plain));
	assert_true(print_sa(f, &m2, &opts_plain));
	golden_check("sad_worked.txt", cap_close(&c));
}

static void
debug_sa_msg(struct pfk_msg *m)
{
	sa_base(m, "192.168.0.1", "192.168.1.2", 0xc1a2b3c4);
	m->type = SADB_ADD;
	m->pid = 4242;
	m->sa.state = SADB_SASTATE_LARVAL;
	m->sa.replay = 4;
	m->sa.flags = FLAG_CYCSEQ;
	m->sa2.reqid = 16385;
	sa_enc(m, SADB_X_EALG_AESCBC, key_enc1, sizeof(key_enc1));
	sa_auth(m, SADB_AALG_SHA1HMAC, key_auth1, sizeof(key_auth1));
	m->lt_hard.addtime = 3600;
	m->lt_soft.addtime = 2880;
	pfk_set(m, SADB_EXT_LIFETIME_HARD);
	pfk_set(m, SADB_EXT_LIFETIME_SOFT);
	m->natt_type = 2;
	m->natt_sport = 4500;
	m->natt_dport = 4500;
	m->natt_oa = addr("10.0.0.5", 32, 0);
	pfk_set(m, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(m, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_DPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_OA);
	m->replay.window = 32;
	pfk_set(m, PFK_EXT_REPLAY);
}

/* The debug form never shows key bytes, in hex or raw. */
static void
test_debug_sa(void **state)
{
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);
	char		*got;

	(void)state;
	debug_sa_msg(&m);
	print_debug(f, &m);
	got = cap_close(&c);
	assert_null(strstr(got, "a1b2"));
	assert_null(strstr(got, "0f1e"));
	assert_null(memmem(got, strlen(got), key_enc1, 4));
	assert_null(memmem(got, strlen(got), key_auth1 + 1, 4));
	golden_check("debug_sa.txt", got);
}

static void
debug_acquire(struct pfk_msg *m)
{
	struct gw_addr	g1 = addr("192.168.0.1", 32, 0), g2 = addr("192.168.1.2", 32, 0);
	struct pfk_comb	*c = &m->proposal.comb[0];

	memset(m, 0, sizeof(*m));
	m->type = SADB_ACQUIRE;
	m->satype = SADB_SATYPE_ESP;
	m->seq = 7;
	m->src.proto = m->dst.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = g1;
	m->dst.addr = g2;
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	m->proposal.replay = 32;
	m->proposal.n = 1;
	c->auth = SADB_AALG_SHA1HMAC;
	c->encrypt = SADB_X_EALG_AESCBC;
	c->auth_minbits = c->auth_maxbits = 160;
	c->encrypt_minbits = 128;
	c->encrypt_maxbits = 256;
	c->soft_addtime = 2880;
	c->hard_addtime = 3600;
	pfk_set(m, SADB_EXT_PROPOSAL);
	pfk_set(m, SADB_X_EXT_POLICY);
	spd_pol(m, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 25);
	spd_req(m, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, &g1, &g2);
	spd_req(m, IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 16385, NULL, NULL);
}

static void
debug_register(struct pfk_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = SADB_REGISTER;
	m->satype = SADB_SATYPE_ESP;
	m->seq = 1;
	m->pid = 55;
	m->sup_auth.n = 1;
	m->sup_auth.alg[0] = (struct pfk_alg_sup){ .id = 3, .minbits = 160, .maxbits = 160 };
	m->sup_enc.n = 2;
	m->sup_enc.alg[0] = (struct pfk_alg_sup){ .id = 12, .ivlen = 16, .minbits = 128,
	    .maxbits = 256 };
	m->sup_enc.alg[1] = (struct pfk_alg_sup){ .id = 20, .ivlen = 8, .minbits = 160,
	    .maxbits = 288 };
	pfk_set(m, SADB_EXT_SUPPORTED_AUTH);
	pfk_set(m, SADB_EXT_SUPPORTED_ENCRYPT);
}

static void
test_debug_misc(void **state)
{
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);
	size_t		i;

	(void)state;
	debug_acquire(&m);
	print_debug(f, &m);
	debug_register(&m);
	print_debug(f, &m);

	memset(&m, 0, sizeof(m));
	m.type = SADB_GETSPI;
	m.errnum = EEXIST;
	m.satype = SADB_SATYPE_ESP;
	m.seq = 2;
	m.pid = 55;
	m.spirange.min = 0x100;
	m.spirange.max = 0x0fffffff;
	pfk_set(&m, SADB_EXT_SPIRANGE);
	print_debug(f, &m);

	memset(&m, 0, sizeof(m));
	m.type = SADB_DUMP;
	m.satype = SADB_SATYPE_ESP;
	m.reserved = 1;
	m.pid = 55;
	m.lt_current = (struct pfk_lifetime){ .allocations = 5, .bytes = 1234,
	    .addtime = T_CREATED, .usetime = T_USED };
	pfk_set(&m, SADB_EXT_LIFETIME_CURRENT);
	m.proxy.proto = IPPROTO_TCP;
	m.proxy.addr = addr("2001:db8::", 64, 80);
	pfk_set(&m, SADB_EXT_ADDRESS_PROXY);
	m.stats.n = 10;
	for (i = 0; i < 10; i++)
		m.stats.v[i] = i;
	pfk_set(&m, PFK_EXT_STATS);
	print_debug(f, &m);
	golden_check("debug_misc.txt", cap_close(&c));
}

/* Out-of-range counts from a caller never index past the arrays. */
static void
test_debug_counts_clamped(void **state)
{
	struct pfk_msg	m;
	struct cap	c;
	FILE		*f = cap_open(&c);
	char		*got;

	(void)state;
	debug_register(&m);
	m.sup_auth.n = PFK_MAX_SUPPORTED + 100;
	m.stats.n = PFK_MAX_STATS + 1;
	m.proposal.n = PFK_MAX_COMB + 1;
	m.policy.nreq = PFK_MAX_REQ + 1;
	pfk_set(&m, PFK_EXT_STATS);
	pfk_set(&m, SADB_EXT_PROPOSAL);
	pfk_set(&m, SADB_X_EXT_POLICY);
	print_debug(f, &m);
	got = cap_close(&c);
	assert_non_null(strstr(got, "pfk_stats{ count=33\n"));
	free(got);
}

static char *
stats_text(const struct pfk_msg *m)
{
	struct cap	c;
	FILE		*f = cap_open(&c);

	print_sa_stats(f, m);
	return cap_close(&c);
}

static void
test_stats(void **state)
{
	struct pfk_msg	m;
	size_t		i;
	char		*got;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_string_equal(got = stats_text(&m), "");
	free(got);

	pfk_set(&m, PFK_EXT_STATS);
	/* Every counter lib/gwstats.h names, and the rest of the room unnamed. */
	_Static_assert(GWSTAT_MAX < PFK_MAX_STATS, "an unnamed counter to print");
	m.stats.n = PFK_MAX_STATS;
	for (i = 0; i < m.stats.n; i++)
		m.stats.v[i] = i;
	golden_check("stats.txt", stats_text(&m));

	m.stats.n = 3;
	assert_string_equal(got = stats_text(&m), "\tdrops: no_policy=0 no_sa=1 unknown_spi=2\n");
	free(got);
	m.stats.n = 12;
	got = stats_text(&m);
	assert_non_null(strstr(got, " malformed=9\n\ttraffic: packets_in=10 bytes_in=11\n"));
	assert_null(strstr(got, "other"));
	free(got);
	/* A per-SA set: drops and traffic, nothing global. */
	m.stats.n = GWSTAT_SA_MAX;
	got = stats_text(&m);
	assert_non_null(strstr(got, "\ttraffic: packets_in=10 bytes_in=11 packets_out=12 "
	    "bytes_out=13\n"));
	assert_null(strstr(got, "discarded"));
	free(got);
	m.stats.n = 0;
	assert_string_equal(got = stats_text(&m), "");
	free(got);
}

/* xorshift64: a fixed pseudo-random sequence, the same on every run. */
static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Every field random, as a confused or hostile tunneld could make them
 * within what struct pfk_msg can hold (keys are views the caller keeps
 * consistent): all printers must stay inside their arrays.
 */
static void
test_random_fields(void **state)
{
	static const uint8_t key[64] = { 0x5a };
	uint64_t	x = UINT64_C(0x9e3779b97f4a7c15);
	struct pfk_msg	m;
	uint8_t		*p = (uint8_t *)&m;
	FILE		*f;
	size_t		i, j;

	(void)state;
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < sizeof(m); j++)
			p[j] = (uint8_t)next_rand(&x);
		m.key_auth.data = key;
		m.key_auth.len = next_rand(&x) % (sizeof(key) + 1);
		m.key_enc.data = (i & 1) ? key : NULL;
		m.key_enc.len = next_rand(&x) % (sizeof(key) + 1);
		for (j = 0; j < PFK_MAX_REQ; j++)	/* a bool holds 0 or 1 only */
			m.policy.req[j].has_endpoints = (next_rand(&x) & 1) != 0;
		if (i % 4 == 0)
			m.type = SADB_DUMP;
		(void)print_sa(f, &m, (i & 2) ? &opts_ports : &opts_all);
		print_spd(f, &m, (i & 2) ? &opts_ports : &opts_plain);
		print_debug(f, &m);
		print_sa_stats(f, &m);
	}
	assert_int_equal(fclose(f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sad_worked),
		cmocka_unit_test(test_sad_gcm),
		cmocka_unit_test(test_sad_longkeys),
		cmocka_unit_test(test_sad_natt_ports),
		cmocka_unit_test(test_sad_natt_noports),
		cmocka_unit_test(test_sad_natt_type_zero),
		cmocka_unit_test(test_sad_larval),
		cmocka_unit_test(test_sad_ipv6),
		cmocka_unit_test(test_sad_ipcomp),
		cmocka_unit_test(test_sad_dead_all),
		cmocka_unit_test(test_sad_dead_skipped),
		cmocka_unit_test(test_sad_dead_get),
		cmocka_unit_test(test_sad_unknown_values),
		cmocka_unit_test(test_sad_key_view_short),
		cmocka_unit_test(test_sad_missing_ext),
		cmocka_unit_test(test_sad_project_exts_hidden),
		cmocka_unit_test(test_debug_sa),
		cmocka_unit_test(test_debug_misc),
		cmocka_unit_test(test_debug_counts_clamped),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_random_fields),
	};

	if (fixture_tz_utc() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
