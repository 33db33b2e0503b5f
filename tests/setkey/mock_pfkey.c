/* mock_pfkey.c: see mock_pfkey.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mock_pfkey.h"

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
		mk->sup_enc.alg[mk->sup_enc.n++].id = enc[i];
	for (i = 0; i < sizeof(auth); i++)
		mk->sup_auth.alg[mk->sup_auth.n++].id = auth[i];
	mk->next_spi = 0x10000;
	return mk;
}

void
mock_free(struct mock *mk)
{
	size_t i;

	for (i = 0; i < mk->nq; i++)
		free(mk->q[i]);
	free(mk);
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
put_sa(struct pfk_msg *out, const struct mock_sa *sa)
{
	out->satype = sa->satype;
	out->sa.spi = sa->spi;
	out->sa.state = SADB_SASTATE_MATURE;
	out->src.proto = out->dst.proto = IPSEC_ULPROTO_ANY;
	out->src.addr = sa->src;
	out->dst.addr = sa->dst;
	pfk_set(out, SADB_EXT_SA);
	pfk_set(out, SADB_EXT_ADDRESS_SRC);
	pfk_set(out, SADB_EXT_ADDRESS_DST);
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

static ssize_t
find_sp(struct mock *mk, const struct pfk_msg *m)
{
	size_t i;

	for (i = 0; i < mk->nsp; i++)
		if (addr_cmp(&mk->sp[i].src, &m->src.addr) == 0 &&
		    addr_cmp(&mk->sp[i].dst, &m->dst.addr) == 0 &&
		    mk->sp[i].proto == m->src.proto && mk->sp[i].dir == m->policy.dir)
			return (ssize_t)i;
	return -1;
}

/* ADD, UPDATE, GETSPI, DELETE, GET. */
static int
sa_op(struct mock *mk, const struct pfk_msg *m, struct pfk_msg *out)
{
	struct mock_sa sa = { m->satype, m->sa.spi, m->src.addr, m->dst.addr };
	ssize_t k;

	if (m->type == SADB_GETSPI)
		sa.spi = pfk_has(m, SADB_EXT_SPIRANGE) ? m->spirange.min : mk->next_spi++;
	k = find_sa(mk, m->satype, &m->dst.addr, sa.spi);
	if ((m->type == SADB_ADD || m->type == SADB_GETSPI) && k >= 0)
		return EEXIST;
	if (m->type != SADB_ADD && m->type != SADB_GETSPI && k < 0)
		return ENOENT;
	if (m->type == SADB_ADD || m->type == SADB_GETSPI) {
		assert_true(mk->nsa < MOCK_MAX);
		mk->sa[mk->nsa++] = sa;
	} else if (m->type == SADB_DELETE)
		mk->sa[k] = mk->sa[--mk->nsa];
	put_sa(out, &sa);
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
		put_sa(&out, &mk->sa[i]);
		out.seq = (uint32_t)--left;
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
	out->policy.type = IPSEC_POLICY_NONE;
	out->policy.priority = 0x80000000u;
	pfk_set(out, SADB_X_EXT_POLICY);
	pfk_set(out, SADB_EXT_ADDRESS_SRC);
	pfk_set(out, SADB_EXT_ADDRESS_DST);
}

static int
sp_op(struct mock *mk, const struct pfk_msg *m, struct pfk_msg *out)
{
	struct mock_sp sp = { m->src.addr, m->dst.addr, m->src.proto, m->policy.dir };
	ssize_t k = find_sp(mk, m);

	switch (m->type) {
	case SADB_X_SPDADD:
		if (k >= 0)
			return EEXIST;
		mk->sp[mk->nsp++] = sp;
		break;
	case SADB_X_SPDUPDATE:
		if (k < 0)
			mk->sp[mk->nsp++] = sp;
		break;
	default:
		if (k < 0)
			return ENOENT;
		mk->sp[k] = mk->sp[--mk->nsp];
		break;
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
	free(mk->q[k]);
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
