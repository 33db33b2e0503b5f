/* kt.c: the PF_KEY engine fixture; see kt.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "alg.h"
#include "kt.h"

static uint8_t kt_enc_key[GW_KEY_MAX];
static uint8_t kt_auth_key[GW_KEY_MAX];

static int
kt_io_send(void *arg, struct key_client *c, const uint8_t *msg, size_t len, bool reply)
{
	struct kt	*t = arg;
	struct kt_cap	*cap;

	assert_true(t->ncaps < KT_MAX_CAPS);
	cap = &t->caps[t->ncaps++];
	cap->c = c;
	cap->reply = reply;
	cap->len = len;
	cap->buf = malloc(len);
	assert_non_null(cap->buf);
	memcpy(cap->buf, msg, len);
	return 0;
}

static uint64_t
kt_io_mono(void *arg)
{
	return ((struct kt *)arg)->mono;
}

static uint64_t
kt_io_wall(void *arg)
{
	return ((struct kt *)arg)->wall;
}

/* splitmix64: deterministic and well spread. */
static uint32_t
kt_io_random(void *arg)
{
	struct kt	*t = arg;
	uint64_t	 z = (t->rnd += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 16);
}

void
kt_init(struct kt *t)
{
	memset(t, 0, sizeof(*t));
	t->mono = 1000;
	t->wall = 1700000000;
	t->io = (struct key_io){ .send = kt_io_send, .mono = kt_io_mono, .wall = kt_io_wall,
	    .random = kt_io_random, .arg = t };
	assert_int_equal(key_init(&t->key, &t->io), 0);
	key_attach(&t->key, &t->root, 0, 100, true);
	key_attach(&t->key, &t->user, 1000, 200, false);
	memset(kt_enc_key, 0x11, sizeof(kt_enc_key));
	memset(kt_auth_key, 0x22, sizeof(kt_auth_key));
}

void
kt_clear(struct kt *t)
{
	size_t	i;

	for (i = 0; i < t->ncaps; i++)
		free(t->caps[i].buf);
	t->ncaps = 0;
}

void
kt_fini(struct kt *t)
{
	kt_clear(t);
	key_free(&t->key);
}

void
kt_msg(struct pfk_msg *m, uint8_t type, uint8_t satype, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->satype = satype;
	m->seq = seq;
	m->pid = 4242;
}

struct gw_addr
kt_addr(const char *s)
{
	struct gw_addr	a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

void
kt_addrs(struct pfk_msg *m, const char *src, const char *dst)
{
	m->src.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = kt_addr(src);
	m->dst.proto = IPSEC_ULPROTO_ANY;
	m->dst.addr = kt_addr(dst);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
}

void
kt_sa2(struct pfk_msg *m, uint8_t mode, uint32_t reqid)
{
	m->sa2.mode = mode;
	m->sa2.reqid = reqid;
	pfk_set(m, SADB_X_EXT_SA2);
}

static void
kt_key(struct pfk_msg *m, unsigned ext, const struct alg *a)
{
	struct pfk_key	*k = ext == SADB_EXT_KEY_ENCRYPT ? &m->key_enc : &m->key_auth;

	if (a == NULL || a->key_none)
		return;
	k->bits = a->key_min;
	k->len = a->key_min / 8u;
	k->data = ext == SADB_EXT_KEY_ENCRYPT ? kt_enc_key : kt_auth_key;
	pfk_set(m, ext);
}

void
kt_sa_msg(struct pfk_msg *m, uint8_t type, uint32_t spi, uint8_t enc, uint8_t auth,
    const char *src, const char *dst)
{
	kt_msg(m, type, SADB_SATYPE_ESP, 7);
	m->sa.spi = spi;
	m->sa.encrypt = enc;
	m->sa.auth = auth;
	pfk_set(m, SADB_EXT_SA);
	kt_addrs(m, src, dst);
	kt_sa2(m, IPSEC_MODE_TUNNEL, 0);
	kt_key(m, SADB_EXT_KEY_ENCRYPT, alg_by_id(ALG_ENC, enc));
	if (auth != SADB_AALG_NONE)
		kt_key(m, SADB_EXT_KEY_AUTH, alg_by_id(ALG_AUTH, auth));
}

void
kt_sp_msg(struct pfk_msg *m, uint8_t type, const char *src, uint8_t splen,
    const char *dst, uint8_t dplen, uint8_t dir, uint8_t level)
{
	struct pfk_ipsecreq	*q = &m->policy.req[0];

	kt_msg(m, type, SADB_SATYPE_UNSPEC, 9);
	kt_addrs(m, src, dst);
	m->src.addr.plen = splen;
	m->dst.addr.plen = dplen;
	m->policy.type = IPSEC_POLICY_IPSEC;
	m->policy.dir = dir;
	m->policy.priority = 0x80000000u;
	m->policy.nreq = 1;
	q->proto = IPPROTO_ESP;
	q->mode = IPSEC_MODE_TUNNEL;
	q->level = level;
	q->has_endpoints = true;
	q->src = kt_addr("198.51.100.1");
	q->dst = kt_addr("198.51.100.2");
	pfk_set(m, SADB_X_EXT_POLICY);
}

int
kt_send(struct kt *t, struct key_client *c, const struct pfk_msg *m)
{
	static uint8_t	buf[PFK_MSG_MAX];
	struct wr	w = wr_init(buf, sizeof(buf));

	assert_int_equal(pfk_encode(m, &w), 0);
	return key_input(&t->key, c, buf, w.off);
}

size_t
kt_count(const struct kt *t, const struct key_client *c)
{
	size_t	i, n = 0;

	for (i = 0; i < t->ncaps; i++)
		if (t->caps[i].c == c)
			n++;
	return n;
}

void
kt_get(const struct kt *t, const struct key_client *c, size_t idx, struct pfk_msg *m)
{
	size_t	i, n = 0;

	for (i = 0; i < t->ncaps; i++) {
		if (t->caps[i].c != c)
			continue;
		if (n++ == idx) {
			assert_int_equal(pfk_decode(t->caps[i].buf, t->caps[i].len, m), 0);
			return;
		}
	}
	fail_msg("message %zu for the client was not sent", idx);
}

void
kt_last(const struct kt *t, const struct key_client *c, struct pfk_msg *m)
{
	size_t	n = kt_count(t, c);

	assert_true(n > 0);
	kt_get(t, c, n - 1, m);
}

int
kt_last_errno(const struct kt *t, const struct key_client *c)
{
	struct pfk_msg	m;

	kt_last(t, c, &m);
	return m.errnum;
}

struct gw_flow
kt_flow(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t proto)
{
	struct gw_flow	f;

	memset(&f, 0, sizeof(f));
	f.src = kt_addr(src);
	f.src.port = sport;
	f.dst = kt_addr(dst);
	f.dst.port = dport;
	f.proto = proto;
	return f;
}

int
kt_setup(void **state)
{
	struct kt	*t = calloc(1, sizeof(*t));

	assert_non_null(t);
	kt_init(t);
	*state = t;
	return 0;
}

int
kt_teardown(void **state)
{
	kt_fini(*state);
	free(*state);
	return 0;
}

int
kt_ask(struct kt *t, struct key_client *c, const struct pfk_msg *m)
{
	size_t	before = kt_count(t, c);

	assert_int_equal(kt_send(t, c, m), 0);
	assert_true(kt_count(t, c) > before);
	return kt_last_errno(t, c);
}

int
kt_add_sa(struct kt *t, uint32_t spi, uint8_t enc, uint8_t auth)
{
	struct pfk_msg	m;

	kt_sa_msg(&m, SADB_ADD, spi, enc, auth, "192.0.2.1", "192.0.2.2");
	return kt_ask(t, &t->root, &m);
}

void
kt_register(struct kt *t, struct key_client *c)
{
	struct pfk_msg	m;

	kt_msg(&m, SADB_REGISTER, SADB_SATYPE_ESP, 1);
	assert_int_equal(kt_ask(t, c, &m), 0);
}
