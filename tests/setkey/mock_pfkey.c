/* mock_pfkey.c: see mock_pfkey.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alg.h"
#include "mock_pfkey.h"

static void
sup_add(struct pfk_supported *s, const struct alg *a)
{
	assert_non_null(a);
	s->alg[s->n].id = a->id;
	s->alg[s->n].minbits = a->key_min;
	s->alg[s->n].maxbits = a->key_max;
	s->n++;
}

struct mock *
mock_new(void)
{
	static const uint8_t enc[] = { SADB_X_EALG_AESCBC, SADB_X_EALG_AES_GCM_ICV16,
	    SADB_EALG_NULL };
	static const uint8_t auth[] = { SADB_AALG_SHA1HMAC, SADB_X_AALG_SHA2_256HMAC,
	    SADB_X_AALG_NULL };
	struct mock *mk = calloc(1, sizeof(*mk));
	size_t i;

	assert_non_null(mk);
	for (i = 0; i < sizeof(enc); i++)
		sup_add(&mk->sup_enc, alg_by_id(ALG_ENC, enc[i]));
	for (i = 0; i < sizeof(auth); i++)
		sup_add(&mk->sup_auth, alg_by_id(ALG_AUTH, auth[i]));
	mk->next_spi = 0x10000;
	return mk;
}

void
mock_free(struct mock *mk)
{
	size_t i;

	for (i = 0; i < mk->nq; i++)
		secure_free(mk->q[i], PFK_MSG_MAX);
	secure_free(mk, sizeof(*mk));
}

void
mock_push_raw(struct mock *mk, const uint8_t *buf, size_t len)
{
	assert_true(mk->nq < MOCK_MAX);
	mk->q[mk->nq] = malloc(PFK_MSG_MAX);
	assert_non_null(mk->q[mk->nq]);
	memcpy(mk->q[mk->nq], buf, len);
	mk->qlen[mk->nq++] = len;
}

static void
push(struct mock *mk, const struct pfk_msg *m)
{
	uint8_t buf[PFK_MSG_MAX];
	struct wr w = wr_init(buf, sizeof(buf));

	assert_int_equal(pfk_encode(m, &w), 0);
	mock_push_raw(mk, buf, w.off);
	secure_wipe(buf, w.off);
}

size_t
mock_count(const struct mock *mk, uint8_t type)
{
	size_t i, n = 0;

	for (i = 0; i < mk->nlog; i++)
		n += mk->log[i].type == type;
	return n;
}

static void
reply_init(const struct pfk_msg *m, struct pfk_msg *out, int err)
{
	memset(out, 0, sizeof(*out));
	out->type = m->type;
	out->satype = m->satype;
	out->seq = m->seq;
	out->pid = m->pid;
	out->errnum = (uint8_t)err;
}

static void
put_key(struct pfk_msg *out, unsigned ext, struct pfk_key *k, const struct gw_key *key)
{
	if (key->len == 0)
		return;
	k->bits = (uint16_t)(key->len * 8u);
	k->data = key->b;
	k->len = key->len;
	pfk_set(out, ext);
}

static void
put_natt(struct pfk_msg *out, const struct mock_sa *sa)
{
	if (sa->natt_type == 0)
		return;
	out->natt_type = sa->natt_type;
	out->natt_sport = sa->natt_sport;
	out->natt_dport = sa->natt_dport;
	pfk_set(out, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(out, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(out, SADB_X_EXT_NAT_T_DPORT);
	if (sa->natt_oa.af != AF_UNSPEC) {
		out->natt_oa = sa->natt_oa;
		pfk_set(out, SADB_X_EXT_NAT_T_OA);
	}
}

/* What tunneld shows of an SA; keys only in full (GET, DUMP). */
static void
put_sa(struct pfk_msg *out, const struct mock_sa *sa, bool full)
{
	out->satype = sa->satype;
	out->sa = (struct pfk_sa){ sa->spi, sa->replay,
	    sa->larval ? SADB_SASTATE_LARVAL : SADB_SASTATE_MATURE, sa->auth, sa->encrypt,
	    sa->flags };
	out->sa2 = (struct pfk_sa2){ sa->mode, sa->seq, sa->reqid };
	out->src.proto = out->dst.proto = IPSEC_ULPROTO_ANY;
	out->src.addr = sa->src;
	out->dst.addr = sa->dst;
	pfk_set(out, SADB_EXT_SA);
	pfk_set(out, SADB_X_EXT_SA2);
	pfk_set(out, SADB_EXT_ADDRESS_SRC);
	pfk_set(out, SADB_EXT_ADDRESS_DST);
	if (!full)
		return;
	put_key(out, SADB_EXT_KEY_ENCRYPT, &out->key_enc, &sa->enc_key);
	put_key(out, SADB_EXT_KEY_AUTH, &out->key_auth, &sa->auth_key);
	out->lt_current = sa->cur;
	out->lt_hard = sa->hard;
	out->lt_soft = sa->soft;
	pfk_set(out, SADB_EXT_LIFETIME_CURRENT);
	pfk_set(out, SADB_EXT_LIFETIME_HARD);
	pfk_set(out, SADB_EXT_LIFETIME_SOFT);
	if (sa->has_replay) {
		out->replay = sa->replay_ext;
		pfk_set(out, PFK_EXT_REPLAY);
	}
	put_natt(out, sa);
}

static ssize_t
find_sa(struct mock *mk, uint8_t satype, const struct gw_addr *dst, uint32_t spi)
{
	size_t i;

	for (i = 0; i < mk->nsa; i++)
		if (mk->sa[i].satype == satype && mk->sa[i].spi == spi &&
		    addr_eq(&mk->sa[i].dst, dst))
			return (ssize_t)i;
	return -1;
}

static void
get_key(struct gw_key *out, const struct pfk_msg *m, unsigned ext, const struct pfk_key *k)
{
	memset(out, 0, sizeof(*out));
	if (!pfk_has(m, ext))
		return;
	assert_true(k->len <= sizeof(out->b));
	memcpy(out->b, k->data, k->len);
	out->len = (uint16_t)k->len;
}

/* The SA an ADD or UPDATE describes. */
static void
get_sa(struct mock_sa *sa, const struct pfk_msg *m)
{
	sa->larval = false;
	sa->auth = m->sa.auth;
	sa->encrypt = m->sa.encrypt;
	sa->replay = m->sa.replay;
	sa->flags = m->sa.flags;
	sa->mode = m->sa2.mode;
	sa->reqid = m->sa2.reqid;
	get_key(&sa->enc_key, m, SADB_EXT_KEY_ENCRYPT, &m->key_enc);
	get_key(&sa->auth_key, m, SADB_EXT_KEY_AUTH, &m->key_auth);
	if ((sa->has_replay = pfk_has(m, PFK_EXT_REPLAY)))
		sa->replay_ext = m->replay;
	if (pfk_has(m, SADB_EXT_LIFETIME_HARD))
		sa->hard = m->lt_hard;
	if (pfk_has(m, SADB_EXT_LIFETIME_SOFT))
		sa->soft = m->lt_soft;
	if (pfk_has(m, SADB_X_EXT_NAT_T_TYPE)) {
		sa->natt_type = m->natt_type;
		sa->natt_sport = m->natt_sport;
		sa->natt_dport = m->natt_dport;
	}
	if (pfk_has(m, SADB_X_EXT_NAT_T_OA))
		sa->natt_oa = m->natt_oa;
}

/* ADD, UPDATE, GETSPI, DELETE, GET. */
static int
sa_op(struct mock *mk, const struct pfk_msg *m, struct pfk_msg *out)
{
	struct mock_sa sa = { .satype = m->satype, .spi = m->sa.spi, .src = m->src.addr,
	    .dst = m->dst.addr };
	ssize_t k;

	if (m->type == SADB_GETSPI) {
		sa.spi = pfk_has(m, SADB_EXT_SPIRANGE) ? m->spirange.min : mk->next_spi++;
		sa.larval = true;
		sa.mode = m->sa2.mode;
		sa.reqid = m->sa2.reqid;
	}
	k = find_sa(mk, m->satype, &m->dst.addr, sa.spi);
	if ((m->type == SADB_ADD || m->type == SADB_GETSPI) && k >= 0)
		return EEXIST;
	if (m->type != SADB_ADD && m->type != SADB_GETSPI && k < 0)
		return ENOENT;
	if (m->type == SADB_ADD)
		get_sa(&sa, m);
	if (m->type == SADB_ADD || m->type == SADB_GETSPI) {
		assert_true(mk->nsa < MOCK_MAX);
		mk->sa[mk->nsa++] = sa;
	} else if (m->type == SADB_UPDATE) {
		get_sa(&mk->sa[k], m);
		sa = mk->sa[k];
	} else {
		sa = mk->sa[k];
		if (m->type == SADB_DELETE)
			mk->sa[k] = mk->sa[--mk->nsa];
	}
	put_sa(out, &sa, m->type == SADB_GET);
	secure_wipe(&sa, sizeof(sa));
	return 0;
}

static int
sa_flush(struct mock *mk, const struct pfk_msg *m)
{
	size_t i;

	for (i = mk->nsa; i-- > 0;)
		if (m->satype == 0 || mk->sa[i].satype == m->satype)
			mk->sa[i] = mk->sa[--mk->nsa];
	return 0;
}

static int
sa_dump(struct mock *mk, const struct pfk_msg *m)
{
	struct pfk_msg out;
	size_t i, left = 0;

	for (i = 0; i < mk->nsa; i++)
		left += m->satype == 0 || mk->sa[i].satype == m->satype;
	if (left == 0)
		return ENOENT;
	for (i = 0; i < mk->nsa; i++) {
		if (m->satype != 0 && mk->sa[i].satype != m->satype)
			continue;
		reply_init(m, &out, 0);
		put_sa(&out, &mk->sa[i], true);
		out.seq = (uint32_t)--left;
		if (mk->dump_gap && i == 1)
			continue;
		push(mk, &out);
	}
	return -1;	/* answered */
}

static void
put_sp(struct pfk_msg *out, const struct mock_sp *sp)
{
	out->src.proto = out->dst.proto = sp->proto;
	out->src.addr = sp->src;
	out->dst.addr = sp->dst;
	out->policy.dir = sp->dir;
	out->policy.type = sp->type;
	out->policy.priority = sp->priority;
	out->policy.id = sp->id;
	out->policy.nreq = sp->nreq;
	memcpy(out->policy.req, sp->req, sizeof(sp->req));
	pfk_set(out, SADB_X_EXT_POLICY);
	pfk_set(out, SADB_EXT_ADDRESS_SRC);
	pfk_set(out, SADB_EXT_ADDRESS_DST);
}

static ssize_t
find_sp_sel(struct mock *mk, uint8_t dir, struct gw_addr src, struct gw_addr dst,
    uint8_t proto)
{
	size_t i;

	addr_mask(&src);
	addr_mask(&dst);
	for (i = 0; i < mk->nsp; i++)
		if (addr_cmp(&mk->sp[i].src, &src) == 0 && addr_cmp(&mk->sp[i].dst, &dst) == 0 &&
		    mk->sp[i].proto == proto && mk->sp[i].dir == dir)
			return (ssize_t)i;
	return -1;
}

static void
get_sp(struct mock_sp *sp, const struct pfk_msg *m)
{
	sp->src = m->src.addr;
	sp->dst = m->dst.addr;
	addr_mask(&sp->src);
	addr_mask(&sp->dst);
	sp->proto = m->src.proto;
	sp->dir = m->policy.dir;
	sp->type = m->policy.type;
	sp->priority = m->policy.priority;
	sp->nreq = m->policy.nreq;
	memcpy(sp->req, m->policy.req, sizeof(sp->req));
}

static int
sp_op(struct mock *mk, const struct pfk_msg *m, struct pfk_msg *out)
{
	ssize_t k = find_sp_sel(mk, m->policy.dir, m->src.addr, m->dst.addr, m->src.proto);
	struct mock_sp sp = { 0 };

	if (m->type == SADB_X_SPDADD && k >= 0)
		return EEXIST;
	if (m->type == SADB_X_SPDDELETE && k < 0)
		return ENOENT;
	if (m->type == SADB_X_SPDDELETE) {
		sp = mk->sp[k];
		memmove(&mk->sp[k], &mk->sp[k + 1], (mk->nsp - (size_t)k - 1) * sizeof(sp));
		mk->nsp--;
	} else if (k >= 0) {	/* update in place, keeping the id */
		sp.id = mk->sp[k].id;
		get_sp(&sp, m);
		mk->sp[k] = sp;
	} else {
		assert_true(mk->nsp < MOCK_MAX);
		sp.id = ++mk->next_id;
		get_sp(&sp, m);
		mk->sp[mk->nsp++] = sp;
	}
	put_sp(out, &sp);
	return 0;
}

static int
sp_dump(struct mock *mk, const struct pfk_msg *m)
{
	struct pfk_msg out;
	size_t i;

	if (mk->nsp == 0)
		return ENOENT;
	for (i = 0; i < mk->nsp; i++) {
		reply_init(m, &out, 0);
		put_sp(&out, &mk->sp[i]);
		out.seq = (uint32_t)(mk->nsp - 1 - i);
		push(mk, &out);
	}
	return -1;
}

struct mock_sa *
mock_find_sa(struct mock *mk, uint8_t satype, const char *dst, uint32_t spi)
{
	struct gw_addr a;
	ssize_t k;

	assert_int_equal(addr_parse(dst, &a), 0);
	k = find_sa(mk, satype, &a, spi);
	return k >= 0 ? &mk->sa[k] : NULL;
}

struct mock_sp *
mock_find_sp(struct mock *mk, uint8_t dir, const char *src, const char *dst, uint8_t proto)
{
	struct gw_addr s, d;
	ssize_t k;

	assert_int_equal(addr_parse_prefix(src, &s), 0);
	assert_int_equal(addr_parse_prefix(dst, &d), 0);
	k = find_sp_sel(mk, dir, s, d, proto);
	return k >= 0 ? &mk->sp[k] : NULL;
}

/* Returns an errno, 0 to send out, or -1 when the replies are queued. */
static int
handle(struct mock *mk, const struct pfk_msg *m, struct pfk_msg *out)
{
	switch (m->type) {
	case SADB_REGISTER:
		out->sup_enc = mk->sup_enc;
		out->sup_auth = mk->sup_auth;
		pfk_set(out, SADB_EXT_SUPPORTED_ENCRYPT);
		pfk_set(out, SADB_EXT_SUPPORTED_AUTH);
		return mk->register_errno;
	case SADB_ADD: case SADB_UPDATE: case SADB_GETSPI: case SADB_DELETE: case SADB_GET:
		return sa_op(mk, m, out);
	case SADB_FLUSH:
		return sa_flush(mk, m);
	case SADB_DUMP:
		return sa_dump(mk, m);
	case SADB_X_SPDADD: case SADB_X_SPDUPDATE: case SADB_X_SPDDELETE:
		return sp_op(mk, m, out);
	case SADB_X_SPDFLUSH:
		mk->nsp = 0;
		return 0;
	case SADB_X_SPDDUMP:
		return sp_dump(mk, m);
	case SADB_X_PROMISC:
		return 0;
	default:
		return EINVAL;
	}
}

/* Messages a real daemon sends to everybody: they must be skipped. */
static void
add_noise(struct mock *mk, const struct pfk_msg *m)
{
	struct pfk_msg n;

	reply_init(m, &n, 0);
	n.pid = m->pid + 1;
	push(mk, &n);
	reply_init(m, &n, 0);
	n.seq = m->seq + 100000;
	push(mk, &n);
	reply_init(m, &n, 0);
	n.type = SADB_EXPIRE;
	n.satype = SADB_SATYPE_ESP;
	n.pid = 0;
	push(mk, &n);
}

static bool
pipelined(uint8_t type)
{
	return type == SADB_ADD || type == SADB_X_SPDADD || type == SADB_GETSPI;
}

static int
mock_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct mock *mk = ctx;
	struct pfk_msg *m = malloc(2 * sizeof(*m)), *out = m + 1;
	int err;

	assert_non_null(m);
	if (mk->close_after > 0 && mk->nlog >= (size_t)mk->close_after) {
		free(m);
		return -ECONNRESET;
	}
	assert_int_equal(pfk_decode(buf, len, m), 0);
	assert_true(mk->nlog < MOCK_MAX);
	mk->log[mk->nlog++] = (struct mock_req){ m->type, m->satype, m->seq, m->pid,
	    m->sa.spi, mk->nq };
	if (mk->vanish_at == mk->nlog && mk->nsa > 0)
		mk->sa[0] = mk->sa[--mk->nsa];
	if (!pipelined(m->type) && mk->nq > 0)
		mk->barrier_broken = true;
	if (mk->nq + 1 > mk->max_inflight)
		mk->max_inflight = mk->nq + 1;
	if (mk->noise)
		add_noise(mk, m);
	reply_init(m, out, 0);
	if (!mk->silent) {
		if (m->type == mk->fail_type && ++mk->seen_of_type == mk->fail_nth)
			err = mk->fail_errno;
		else
			err = handle(mk, m, out);
		if (err >= 0) {
			out->errnum = (uint8_t)err;
			if (err != 0)
				out->present = 0;
			push(mk, out);
		}
	}
	free(m);
	return 0;
}

static ssize_t
mock_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct mock *mk = ctx;
	size_t k, len;

	if (mk->nq == 0) {
		if (mk->close_after > 0 && mk->nlog >= (size_t)mk->close_after)
			return -ECONNRESET;
		return -ETIMEDOUT;
	}
	k = mk->lifo ? mk->nq - 1 : 0;
	len = mk->qlen[k];
	assert_true(len <= cap);
	memcpy(buf, mk->q[k], len);
	secure_free(mk->q[k], PFK_MSG_MAX);
	memmove(&mk->q[k], &mk->q[k + 1], (mk->nq - k - 1) * sizeof(mk->q[0]));
	memmove(&mk->qlen[k], &mk->qlen[k + 1], (mk->nq - k - 1) * sizeof(mk->qlen[0]));
	mk->nq--;
	return (ssize_t)len;
}

struct run_io
mock_io(struct mock *mk)
{
	return (struct run_io){ .ctx = mk, .send = mock_send, .recv = mock_recv };
}
