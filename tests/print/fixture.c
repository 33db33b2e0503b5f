/*
 * fixture.c: what the print tests share: message builders, output
 * capture through a memory FILE, and comparison with the golden files
 * (hand-written from specs/kame.md section 3, in tests/golden).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

#ifndef GOLDEN_DIR
#error "GOLDEN_DIR must name tests/golden"
#endif

const struct print_opts opts_plain = { .now = T_NOW };
const struct print_opts opts_ports = { .ports = true, .now = T_NOW };
const struct print_opts opts_all = { .all = true, .now = T_NOW };

/* Keys of the spec's worked example (kame.md 3.1). */
const uint8_t key_enc1[16] = {
	0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18,
	0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90,
};
const uint8_t key_auth1[20] = {
	0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96,
	0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0, 0x01, 0x23, 0x45, 0x67,
};
const uint8_t key_enc2[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};
const uint8_t key_auth2[20] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
	0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
};

int
fixture_tz_utc(void)
{
	if (setenv("TZ", "UTC", 1) != 0)
		return -1;
	tzset();
	return 0;
}

FILE *
cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

char *
cap_close(struct cap *c)
{
	assert_int_equal(fclose(c->f), 0);
	assert_non_null(c->buf);
	return c->buf;
}

static char *
golden_read(const char *name)
{
	char	 path[512];
	char	*buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Compares got (freed here) with the golden file name. */
void
golden_check(const char *name, char *got)
{
	char	*want = golden_read(name);
	char	 path[512];
	FILE	*f;

	if (strcmp(want, got) != 0) {
		snprintf(path, sizeof(path), "%s.out", name);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(got, f);
			fclose(f);
		}
		print_message("%s differs, output left in %s\n", name, path);
	}
	assert_string_equal(got, want);
	free(want);
	free(got);
}

struct gw_addr
addr(const char *s, unsigned plen, unsigned port)
{
	struct gw_addr	a;

	memset(&a, 0, sizeof(a));
	a.af = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.af, s, a.u.b), 1);
	a.plen = (uint8_t)plen;
	a.port = (uint16_t)port;
	return a;
}

/* A mature tunnel-mode ESP SA in a DUMP reply, no keys, no lifetimes. */
void
sa_base(struct pfk_msg *m, const char *src, const char *dst, uint32_t spi)
{
	memset(m, 0, sizeof(*m));
	m->type = SADB_DUMP;
	m->satype = SADB_SATYPE_ESP;
	m->sa.spi = spi;
	m->sa.state = SADB_SASTATE_MATURE;
	m->sa2.mode = IPSEC_MODE_TUNNEL;
	m->src.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = addr(src, strchr(src, ':') ? 128 : 32, 0);
	m->dst.proto = IPSEC_ULPROTO_ANY;
	m->dst.addr = addr(dst, strchr(dst, ':') ? 128 : 32, 0);
	pfk_set(m, SADB_EXT_SA);
	pfk_set(m, SADB_X_EXT_SA2);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
}

void
sa_enc(struct pfk_msg *m, uint8_t alg, const uint8_t *k, size_t len)
{
	m->sa.encrypt = alg;
	m->key_enc.bits = (uint16_t)(len * 8);
	m->key_enc.data = k;
	m->key_enc.len = len;
	pfk_set(m, SADB_EXT_KEY_ENCRYPT);
}

void
sa_auth(struct pfk_msg *m, uint8_t alg, const uint8_t *k, size_t len)
{
	m->sa.auth = alg;
	m->key_auth.bits = (uint16_t)(len * 8);
	m->key_auth.data = k;
	m->key_auth.len = len;
	pfk_set(m, SADB_EXT_KEY_AUTH);
}

/* CURRENT (created, first use, bytes, allocations) and HARD/SOFT add times. */
void
sa_life(struct pfk_msg *m, uint64_t created, uint64_t used, uint64_t bytes,
    uint32_t alloc, uint64_t hard, uint64_t soft)
{
	m->lt_current.addtime = created;
	m->lt_current.usetime = used;
	m->lt_current.bytes = bytes;
	m->lt_current.allocations = alloc;
	m->lt_hard.addtime = hard;
	m->lt_soft.addtime = soft;
	pfk_set(m, SADB_EXT_LIFETIME_CURRENT);
	pfk_set(m, SADB_EXT_LIFETIME_HARD);
	pfk_set(m, SADB_EXT_LIFETIME_SOFT);
}

void
fill_seq(uint8_t *b, size_t len, uint8_t first)
{
	size_t	i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(first + i);
}

/* A policy in an X_SPDDUMP reply, without requests or lifetimes. */
void
spd_base(struct pfk_msg *m, const char *src, unsigned splen, unsigned sport,
    const char *dst, unsigned dplen, unsigned dport, uint8_t proto)
{
	memset(m, 0, sizeof(*m));
	m->type = SADB_X_SPDDUMP;
	m->src.proto = proto;
	m->src.addr = addr(src, splen, sport);
	m->dst.proto = proto;
	m->dst.addr = addr(dst, dplen, dport);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	pfk_set(m, SADB_X_EXT_POLICY);
}

void
spd_pol(struct pfk_msg *m, uint8_t dir, uint16_t type, uint32_t prio, uint32_t spid)
{
	m->policy.dir = dir;
	m->policy.type = type;
	m->policy.priority = prio;
	m->policy.id = spid;
}

/* Appends a request; src/dst NULL for none (transport). */
void
spd_req(struct pfk_msg *m, uint16_t proto, uint8_t mode, uint8_t level, uint32_t reqid,
    const struct gw_addr *src, const struct gw_addr *dst)
{
	struct pfk_ipsecreq	*r = &m->policy.req[m->policy.nreq++];

	r->proto = proto;
	r->mode = mode;
	r->level = level;
	r->reqid = reqid;
	if (src != NULL) {
		r->has_endpoints = true;
		r->src = *src;
		r->dst = *dst;
	}
}

void
spd_life(struct pfk_msg *m, uint64_t created, uint64_t used, uint64_t life, uint64_t valid)
{
	m->lt_current.addtime = created;
	m->lt_current.usetime = used;
	m->lt_hard.addtime = life;
	m->lt_hard.usetime = valid;
	pfk_set(m, SADB_EXT_LIFETIME_CURRENT);
	pfk_set(m, SADB_EXT_LIFETIME_HARD);
}
