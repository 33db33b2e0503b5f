/*
 * pfkey.c: the PF_KEY v2 codec; see pfkey.h for the wire format.
 *
 * One table indexed by extension type drives both directions: the size
 * rule of each type, where its decoded form lives in struct pfk_msg, and
 * one decoder and one encoder per kind. A decoder gets a reader bounded
 * to one extension body (everything after the 4-byte {len, type}) and
 * reads its content; what it leaves must be shorter than one 8-byte unit,
 * i.e. only the padding. A short read inside an extension whose length
 * field was plausible means its content does not fit: EINVAL.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "alg.h"
#include "err.h"
#include "log.h"
#include "pfkey.h"
#include "secmem.h"

#define PFK_UNIT	8	/* PF_KEY lengths count 8-byte units */
#define PFK_HDR_LEN	16	/* sadb_msg */
#define PFK_EXTHDR_LEN	4	/* sadb_ext: u16 len, u16 type */
#define PFK_ALG_LEN	8	/* sadb_alg */
#define PFK_COMB_LEN	72	/* sadb_comb */
#define PFK_REQ_LEN	16	/* sadb_x_ipsecrequest without endpoints */

_Static_assert(sizeof(struct sadb_msg) == PFK_HDR_LEN, "sadb_msg");
_Static_assert(sizeof(struct sadb_ext) == PFK_EXTHDR_LEN, "sadb_ext");
_Static_assert(sizeof(struct sadb_sa) == 16, "sadb_sa");
_Static_assert(sizeof(struct sadb_lifetime) == 32, "sadb_lifetime");
_Static_assert(sizeof(struct sadb_address) == 8, "sadb_address");
_Static_assert(sizeof(struct sadb_key) == 8, "sadb_key");
_Static_assert(sizeof(struct sadb_alg) == PFK_ALG_LEN, "sadb_alg");
_Static_assert(sizeof(struct sadb_comb) == PFK_COMB_LEN, "sadb_comb");
_Static_assert(sizeof(struct sadb_prop) == 8, "sadb_prop");
_Static_assert(sizeof(struct sadb_supported) == 8, "sadb_supported");
_Static_assert(sizeof(struct sadb_spirange) == 16, "sadb_spirange");
_Static_assert(sizeof(struct sadb_x_sa2) == 16, "sadb_x_sa2");
_Static_assert(sizeof(struct sadb_x_policy) == 16, "sadb_x_policy");
_Static_assert(sizeof(struct sadb_x_ipsecrequest) == PFK_REQ_LEN, "ipsecrequest");
_Static_assert(sizeof(struct sadb_x_nat_t_type) == 8, "sadb_x_nat_t_type");
_Static_assert(sizeof(struct sadb_x_nat_t_port) == 8, "sadb_x_nat_t_port");
_Static_assert(PFK_EXT_MAX < 64, "pfk_msg.present is 64 bits");
_Static_assert(PFK_MSG_MAX / PFK_UNIT <= UINT16_MAX, "sadb_msg_len is 16 bits");

/* Bytes from n up to the next 8-byte boundary. */
#define PFK_PAD(n)	((PFK_UNIT - ((n) % PFK_UNIT)) % PFK_UNIT)

/* Decoder of one extension body into its field of struct pfk_msg. */
typedef int	ext_dec_fn(struct rd *, void *);
/* Encoder of one field of struct pfk_msg as an extension body. */
typedef int	ext_enc_fn(struct wr *, const void *);

struct ext_rule {
	const char	*name;
	uint16_t	 len;		/* bytes with the header: exact or minimum */
	bool		 exact;
	bool		 refused;	/* known, not implemented: EOPNOTSUPP */
	size_t		 off;		/* of the decoded field in struct pfk_msg */
	ext_dec_fn	*dec;
	ext_enc_fn	*enc;
};

static ext_dec_fn dec_sa, dec_lifetime, dec_address, dec_key, dec_supported;
static ext_dec_fn dec_spirange, dec_policy, dec_sa2, dec_natt_type, dec_natt_port;
static ext_dec_fn dec_natt_oa, dec_proposal, dec_replay, dec_stats;
static ext_enc_fn enc_sa, enc_lifetime, enc_address, enc_key, enc_supported;
static ext_enc_fn enc_spirange, enc_policy, enc_sa2, enc_natt_type, enc_natt_port;
static ext_enc_fn enc_natt_oa, enc_proposal, enc_replay, enc_stats;

#define EXT(n, l, x, f, k) \
	{ .name = (n), .len = (l), .exact = (x), \
	  .off = offsetof(struct pfk_msg, f), .dec = dec_##k, .enc = enc_##k }
#define REFUSED(n)	{ .name = (n), .refused = true }

/*
 * Identities, sensitivity labels, key-manager private data, LSM security
 * contexts, MIGRATE's KM addresses and dump filters are not implemented:
 * nothing in tunneld acts on them, so they are refused rather than
 * accepted and dropped.
 */
static const struct ext_rule ext_rules[PFK_EXT_MAX + 1] = {
	[SADB_EXT_SA] =			EXT("SA", 16, true, sa, sa),
	[SADB_EXT_LIFETIME_CURRENT] =
	    EXT("LIFETIME_CURRENT", 32, true, lt_current, lifetime),
	[SADB_EXT_LIFETIME_HARD] =	EXT("LIFETIME_HARD", 32, true, lt_hard, lifetime),
	[SADB_EXT_LIFETIME_SOFT] =	EXT("LIFETIME_SOFT", 32, true, lt_soft, lifetime),
	[SADB_EXT_ADDRESS_SRC] =	EXT("ADDRESS_SRC", 8 + 16, false, src, address),
	[SADB_EXT_ADDRESS_DST] =	EXT("ADDRESS_DST", 8 + 16, false, dst, address),
	[SADB_EXT_ADDRESS_PROXY] =	EXT("ADDRESS_PROXY", 8 + 16, false, proxy, address),
	[SADB_EXT_KEY_AUTH] =		EXT("KEY_AUTH", 16, false, key_auth, key),
	[SADB_EXT_KEY_ENCRYPT] =	EXT("KEY_ENCRYPT", 16, false, key_enc, key),
	[SADB_EXT_IDENTITY_SRC] =	REFUSED("IDENTITY_SRC"),
	[SADB_EXT_IDENTITY_DST] =	REFUSED("IDENTITY_DST"),
	[SADB_EXT_SENSITIVITY] =	REFUSED("SENSITIVITY"),
	[SADB_EXT_PROPOSAL] =		EXT("PROPOSAL", 8, false, proposal, proposal),
	[SADB_EXT_SUPPORTED_AUTH] =	EXT("SUPPORTED_AUTH", 8, false, sup_auth, supported),
	[SADB_EXT_SUPPORTED_ENCRYPT] =
	    EXT("SUPPORTED_ENCRYPT", 8, false, sup_enc, supported),
	[SADB_EXT_SPIRANGE] =		EXT("SPIRANGE", 16, true, spirange, spirange),
	[SADB_X_EXT_KMPRIVATE] =	REFUSED("X_KMPRIVATE"),
	[SADB_X_EXT_POLICY] =		EXT("X_POLICY", 16, false, policy, policy),
	[SADB_X_EXT_SA2] =		EXT("X_SA2", 16, true, sa2, sa2),
	[SADB_X_EXT_NAT_T_TYPE] =	EXT("X_NAT_T_TYPE", 8, true, natt_type, natt_type),
	[SADB_X_EXT_NAT_T_SPORT] =	EXT("X_NAT_T_SPORT", 8, true, natt_sport, natt_port),
	[SADB_X_EXT_NAT_T_DPORT] =	EXT("X_NAT_T_DPORT", 8, true, natt_dport, natt_port),
	[SADB_X_EXT_NAT_T_OA] =		EXT("X_NAT_T_OA", 8 + 16, false, natt_oa, natt_oa),
	[SADB_X_EXT_SEC_CTX] =		REFUSED("X_SEC_CTX"),
	[SADB_X_EXT_KMADDRESS] =	REFUSED("X_KMADDRESS"),
	[SADB_X_EXT_FILTER] =		REFUSED("X_FILTER"),
	[PFK_EXT_REPLAY] =		EXT("REPLAY", 16, true, replay, replay),
	[PFK_EXT_STATS] =		EXT("STATS", 8, false, stats, stats),
};

static const char *const msg_names[SADB_MAX + 1] = {
	[SADB_GETSPI] = "GETSPI",		[SADB_UPDATE] = "UPDATE",
	[SADB_ADD] = "ADD",			[SADB_DELETE] = "DELETE",
	[SADB_GET] = "GET",			[SADB_ACQUIRE] = "ACQUIRE",
	[SADB_REGISTER] = "REGISTER",		[SADB_EXPIRE] = "EXPIRE",
	[SADB_FLUSH] = "FLUSH",			[SADB_DUMP] = "DUMP",
	[SADB_X_PROMISC] = "X_PROMISC",		[SADB_X_PCHANGE] = "X_PCHANGE",
	[SADB_X_SPDUPDATE] = "X_SPDUPDATE",	[SADB_X_SPDADD] = "X_SPDADD",
	[SADB_X_SPDDELETE] = "X_SPDDELETE",	[SADB_X_SPDGET] = "X_SPDGET",
	[SADB_X_SPDACQUIRE] = "X_SPDACQUIRE",	[SADB_X_SPDDUMP] = "X_SPDDUMP",
	[SADB_X_SPDFLUSH] = "X_SPDFLUSH",	[SADB_X_SPDSETIDX] = "X_SPDSETIDX",
	[SADB_X_SPDEXPIRE] = "X_SPDEXPIRE",	[SADB_X_SPDDELETE2] = "X_SPDDELETE2",
	[SADB_X_NAT_T_NEW_MAPPING] = "X_NAT_T_NEW_MAPPING",
	[SADB_X_MIGRATE] = "X_MIGRATE",
};

bool
pfk_type_ok(uint8_t type)
{
	return (type != SADB_RESERVED && type <= SADB_MAX) || type == PFK_X_STATUS;
}

const char *
pfk_type_name(uint8_t type)
{
	if (type == PFK_X_STATUS)
		return "X_STATUS";
	if (type > SADB_MAX || msg_names[type] == NULL)
		return "UNKNOWN";
	return msg_names[type];
}

/* The rule of extension type t, or NULL if t is not a known type. */
static const struct ext_rule *
ext_rule(unsigned t)
{
	if (t > PFK_EXT_MAX || ext_rules[t].name == NULL)
		return NULL;
	return &ext_rules[t];
}

const char *
pfk_ext_name(unsigned ext)
{
	const struct ext_rule *rule = ext_rule(ext);

	return rule != NULL ? rule->name : "UNKNOWN";
}

/* Any failed read inside an extension: its content does not fit. */
static int
ext_status(const struct rd *r)
{
	return r->err ? -EINVAL : 0;
}

/* Key bytes that hold bits bits. */
static size_t
key_bytes(unsigned bits)
{
	return (bits + 7) / 8;
}

/* ---- decoding ---- */

static int
dec_sa(struct rd *r, void *field)
{
	struct pfk_sa *sa = field;

	rd_u32be(r, &sa->spi);
	rd_u8(r, &sa->replay);
	rd_u8(r, &sa->state);
	rd_u8(r, &sa->auth);
	rd_u8(r, &sa->encrypt);
	rd_u32he(r, &sa->flags);
	return ext_status(r);
}

static int
dec_lifetime(struct rd *r, void *field)
{
	struct pfk_lifetime *lt = field;

	rd_u32he(r, &lt->allocations);
	rd_u64he(r, &lt->bytes);
	rd_u64he(r, &lt->addtime);
	rd_u64he(r, &lt->usetime);
	return ext_status(r);
}

/*
 * Reads one sockaddr_in or sockaddr_in6, its size chosen by its family
 * field. The bytes are copied out because they need not be aligned.
 */
static int
dec_sockaddr(struct rd *r, struct gw_addr *out)
{
	struct sockaddr_storage ss;
	struct rd peek = *r;
	uint16_t family;
	size_t n;
	int rc;

	if (rd_u16he(&peek, &family))
		return -EINVAL;
	if (family == AF_INET)
		n = sizeof(struct sockaddr_in);
	else if (family == AF_INET6)
		n = sizeof(struct sockaddr_in6);
	else
		return -EAFNOSUPPORT;
	memset(&ss, 0, sizeof(ss));
	if (rd_copy(r, &ss, n))
		return -EINVAL;
	if ((rc = addr_from_sockaddr((struct sockaddr *)&ss, (socklen_t)n, out)) != 0)
		return -gw_errno(rc);
	return 0;
}

/* sadb_address body: proto, prefixlen, reserved, then the sockaddr. */
static int
dec_addr_ext(struct rd *r, uint8_t *proto, struct gw_addr *out)
{
	uint8_t plen;
	int rc;

	rd_u8(r, proto);
	rd_u8(r, &plen);
	rd_skip(r, 2);
	if (r->err)
		return -EINVAL;
	if ((rc = dec_sockaddr(r, out)) != 0)
		return rc;
	if (plen > addr_maxplen(out->af))
		return -EINVAL;
	out->plen = plen;
	return 0;
}

static int
dec_address(struct rd *r, void *field)
{
	struct pfk_address *a = field;

	return dec_addr_ext(r, &a->proto, &a->addr);
}

/* The original address of NAT-T: its upper-layer protocol means nothing. */
static int
dec_natt_oa(struct rd *r, void *field)
{
	uint8_t proto;

	return dec_addr_ext(r, &proto, field);
}

/* A key of 0 bits, or larger than any we hold (GW_KEY_MAX), is invalid. */
static int
dec_key(struct rd *r, void *field)
{
	struct pfk_key *k = field;
	struct view v;
	size_t n;

	rd_u16he(r, &k->bits);
	rd_skip(r, 2);
	if (r->err)
		return -EINVAL;
	n = key_bytes(k->bits);
	if (n == 0 || n > GW_KEY_MAX || rd_bytes(r, n, &v))
		return -EINVAL;
	k->data = v.p;
	k->len = n;
	return 0;
}

static int
dec_supported(struct rd *r, void *field)
{
	struct pfk_supported *s = field;
	struct pfk_alg_sup *a;

	if (rd_skip(r, 4) || rd_left(r) / PFK_ALG_LEN > PFK_MAX_SUPPORTED)
		return -EINVAL;
	while (rd_left(r) >= PFK_ALG_LEN) {
		a = &s->alg[s->n++];
		rd_u8(r, &a->id);
		rd_u8(r, &a->ivlen);
		rd_u16he(r, &a->minbits);
		rd_u16he(r, &a->maxbits);
		rd_skip(r, 2);
		if (a->minbits > a->maxbits)
			return -EINVAL;
	}
	return ext_status(r);
}

static int
dec_spirange(struct rd *r, void *field)
{
	struct pfk_spirange *sr = field;

	rd_u32he(r, &sr->min);
	rd_u32he(r, &sr->max);
	rd_skip(r, 4);
	if (r->err || sr->min > sr->max)
		return -EINVAL;
	return 0;
}

/* Tunnel endpoints of a request: two sockaddrs of one family. */
static int
dec_endpoints(struct rd *r, struct pfk_ipsecreq *q)
{
	int rc;

	if (q->mode != IPSEC_MODE_TUNNEL)
		return -EINVAL;
	if ((rc = dec_sockaddr(r, &q->src)) != 0 || (rc = dec_sockaddr(r, &q->dst)) != 0)
		return rc;
	if (q->src.af != q->dst.af)
		return -EINVAL;
	q->has_endpoints = true;
	return 0;
}

/*
 * One sadb_x_ipsecrequest. Its length counts bytes, not units, and must
 * be a multiple of 8 that fits in what is left of the policy.
 */
static int
dec_ipsecreq(struct rd *r, struct pfk_policy *pol)
{
	struct pfk_ipsecreq *q;
	struct rd peek = *r, req;
	uint16_t len;
	int rc;

	if (rd_u16he(&peek, &len) || len < PFK_REQ_LEN || len % PFK_UNIT != 0 ||
	    pol->nreq >= PFK_MAX_REQ || rd_sub(r, len, &req))
		return -EINVAL;
	q = &pol->req[pol->nreq++];
	rd_skip(&req, 2);
	rd_u16he(&req, &q->proto);
	rd_u8(&req, &q->mode);
	rd_u8(&req, &q->level);
	rd_skip(&req, 2);
	rd_u32he(&req, &q->reqid);
	rd_skip(&req, 4);
	if (req.err)
		return -EINVAL;
	if (rd_left(&req) > 0 && (rc = dec_endpoints(&req, q)) != 0)
		return rc;
	return rd_left(&req) < PFK_UNIT ? 0 : -EINVAL;
}

static int
dec_policy(struct rd *r, void *field)
{
	struct pfk_policy *pol = field;
	int rc;

	rd_u16he(r, &pol->type);
	rd_u8(r, &pol->dir);
	rd_skip(r, 1);
	rd_u32he(r, &pol->id);
	rd_u32he(r, &pol->priority);
	if (r->err)
		return -EINVAL;
	/* Only an ipsec policy has requests to apply. */
	if (rd_left(r) > 0 && pol->type != IPSEC_POLICY_IPSEC)
		return -EINVAL;
	while (rd_left(r) > 0)
		if ((rc = dec_ipsecreq(r, pol)) != 0)
			return rc;
	return 0;
}

static int
dec_sa2(struct rd *r, void *field)
{
	struct pfk_sa2 *sa2 = field;

	rd_u8(r, &sa2->mode);
	rd_skip(r, 3);
	rd_u32he(r, &sa2->sequence);
	rd_u32he(r, &sa2->reqid);
	return ext_status(r);
}

static int
dec_natt_type(struct rd *r, void *field)
{
	rd_u8(r, field);
	rd_skip(r, 3);
	return ext_status(r);
}

static int
dec_natt_port(struct rd *r, void *field)
{
	rd_u16be(r, field);
	rd_skip(r, 2);
	return ext_status(r);
}

static void
dec_comb(struct rd *r, struct pfk_comb *c)
{
	rd_u8(r, &c->auth);
	rd_u8(r, &c->encrypt);
	rd_u16he(r, &c->flags);
	rd_u16he(r, &c->auth_minbits);
	rd_u16he(r, &c->auth_maxbits);
	rd_u16he(r, &c->encrypt_minbits);
	rd_u16he(r, &c->encrypt_maxbits);
	rd_skip(r, 4);
	rd_u32he(r, &c->soft_allocations);
	rd_u32he(r, &c->hard_allocations);
	rd_u64he(r, &c->soft_bytes);
	rd_u64he(r, &c->hard_bytes);
	rd_u64he(r, &c->soft_addtime);
	rd_u64he(r, &c->hard_addtime);
	rd_u64he(r, &c->soft_usetime);
	rd_u64he(r, &c->hard_usetime);
}

static int
dec_proposal(struct rd *r, void *field)
{
	struct pfk_proposal *p = field;

	rd_u8(r, &p->replay);
	rd_skip(r, 3);
	if (r->err || rd_left(r) % PFK_COMB_LEN != 0 ||
	    rd_left(r) / PFK_COMB_LEN > PFK_MAX_COMB)
		return -EINVAL;
	while (rd_left(r) > 0 && !r->err)
		dec_comb(r, &p->comb[p->n++]);
	return ext_status(r);
}

static int
dec_replay(struct rd *r, void *field)
{
	struct pfk_replay *rp = field;

	rd_u32he(r, &rp->window);
	rd_u32he(r, &rp->flags);
	rd_skip(r, 4);
	if (r->err || (rp->flags & ~(uint32_t)PFK_REPLAY_ESN) != 0)
		return -EINVAL;
	return 0;
}

static int
dec_stats(struct rd *r, void *field)
{
	struct pfk_stats *st = field;
	uint32_t count;

	if (rd_u32he(r, &count) || count > PFK_MAX_STATS)
		return -EINVAL;
	for (st->n = 0; st->n < count; st->n++)
		rd_u64he(r, &st->v[st->n]);
	return ext_status(r);
}

/*
 * Reads one extension: its header must give at least one unit that fits
 * in the message, a known type not seen before and the size the type
 * requires; then its decoder fills the field and only padding may remain.
 */
static int
dec_ext(struct rd *r, struct pfk_msg *m, unsigned *type)
{
	const struct ext_rule *rule;
	struct rd body;
	uint16_t units, t;
	size_t len;
	int rc;

	if (rd_u16he(r, &units) || rd_u16he(r, &t))
		return -EINVAL;
	*type = t;
	len = (size_t)units * PFK_UNIT;
	if (units == 0 || len - PFK_EXTHDR_LEN > rd_left(r))
		return -EINVAL;
	if ((rule = ext_rule(t)) == NULL)
		return -EINVAL;
	if (rule->refused)
		return -EOPNOTSUPP;
	if (pfk_has(m, t) || len < rule->len || (rule->exact && len != rule->len))
		return -EINVAL;
	rd_sub(r, len - PFK_EXTHDR_LEN, &body);
	if ((rc = rule->dec(&body, (uint8_t *)m + rule->off)) != 0)
		return rc;
	if (rd_left(&body) >= PFK_UNIT)
		return -EINVAL;
	pfk_set(m, t);
	return 0;
}

static int
dec_header(struct rd *r, struct pfk_msg *m)
{
	uint8_t version;
	uint16_t units;

	if (rd_left(r) < PFK_HDR_LEN || rd_left(r) > PFK_MSG_MAX)
		return -EMSGSIZE;
	rd_u8(r, &version);
	rd_u8(r, &m->type);
	rd_u8(r, &m->errnum);
	rd_u8(r, &m->satype);
	rd_u16he(r, &units);
	rd_u16he(r, &m->reserved);
	rd_u32he(r, &m->seq);
	rd_u32he(r, &m->pid);
	if (version != PF_KEY_V2 || !pfk_type_ok(m->type))
		return -EINVAL;
	if ((size_t)units * PFK_UNIT != r->len)
		return -EMSGSIZE;
	return 0;
}

/* A key present for an algorithm alg.h knows must have a length it takes. */
static int
check_key(const struct pfk_msg *m, unsigned ext, enum alg_kind kind, uint8_t id)
{
	const struct alg *a;
	const struct pfk_key *k = ext == SADB_EXT_KEY_AUTH ? &m->key_auth : &m->key_enc;

	if (!pfk_has(m, ext) || (a = alg_by_id(kind, id)) == NULL || alg_key_ok(a, k->bits))
		return 0;
	log_debug_f("%s: a %u-bit key does not suit %s", pfk_ext_name(ext), k->bits, a->name);
	return -EINVAL;
}

/* Rules across extensions, once all are read. */
static int
check_msg(const struct pfk_msg *m)
{
	int rc;

	if (pfk_has(m, SADB_EXT_ADDRESS_SRC) && pfk_has(m, SADB_EXT_ADDRESS_DST) &&
	    m->src.addr.af != m->dst.addr.af)
		return -EINVAL;
	if (!pfk_has(m, SADB_EXT_SA))
		return 0;
	if (m->satype != SADB_X_SATYPE_IPCOMP &&
	    (rc = check_key(m, SADB_EXT_KEY_ENCRYPT, ALG_ENC, m->sa.encrypt)) != 0)
		return rc;
	return check_key(m, SADB_EXT_KEY_AUTH, ALG_AUTH, m->sa.auth);
}

int
pfk_decode(const uint8_t *buf, size_t len, struct pfk_msg *out)
{
	struct rd r = rd_init(buf, len);
	unsigned type = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = dec_header(&r, out)) != 0) {
		log_debug_f("header of a %zu-byte message: %s", len, strerror(-rc));
		return rc;
	}
	while (rd_left(&r) > 0) {
		if ((rc = dec_ext(&r, out, &type)) != 0) {
			log_debug_f("%s: extension %s (%u) at byte %zu: %s",
			    pfk_type_name(out->type), pfk_ext_name(type), type, r.off,
			    strerror(-rc));
			return rc;
		}
	}
	return check_msg(out);
}

/* ---- encoding ---- */

static int
enc_sa(struct wr *w, const void *field)
{
	const struct pfk_sa *sa = field;

	wr_u32be(w, sa->spi);
	wr_u8(w, sa->replay);
	wr_u8(w, sa->state);
	wr_u8(w, sa->auth);
	wr_u8(w, sa->encrypt);
	return wr_u32he(w, sa->flags);
}

static int
enc_lifetime(struct wr *w, const void *field)
{
	const struct pfk_lifetime *lt = field;

	wr_u32he(w, lt->allocations);
	wr_u64he(w, lt->bytes);
	wr_u64he(w, lt->addtime);
	return wr_u64he(w, lt->usetime);
}

static int
enc_sockaddr(struct wr *w, const struct gw_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t n;

	if ((n = addr_to_sockaddr(a, &ss)) == 0)
		return GW_E_FAMILY;
	return wr_bytes(w, &ss, n);
}

static int
enc_addr_ext(struct wr *w, uint8_t proto, const struct gw_addr *a)
{
	if (addr_len(a->af) == 0)
		return GW_E_FAMILY;
	if (a->plen > addr_maxplen(a->af))
		return GW_E_BADVAL;
	wr_u8(w, proto);
	wr_u8(w, a->plen);
	wr_zero(w, 2);
	return enc_sockaddr(w, a);
}

static int
enc_address(struct wr *w, const void *field)
{
	const struct pfk_address *a = field;

	return enc_addr_ext(w, a->proto, &a->addr);
}

static int
enc_natt_oa(struct wr *w, const void *field)
{
	return enc_addr_ext(w, 0, field);
}

static int
enc_key(struct wr *w, const void *field)
{
	const struct pfk_key *k = field;
	size_t n = key_bytes(k->bits);

	if (n == 0 || n > GW_KEY_MAX || n > k->len || k->data == NULL)
		return GW_E_BADVAL;
	wr_u16he(w, k->bits);
	wr_zero(w, 2);
	return wr_bytes(w, k->data, n);
}

static int
enc_supported(struct wr *w, const void *field)
{
	const struct pfk_supported *s = field;
	const struct pfk_alg_sup *a;
	size_t i;

	if (s->n > PFK_MAX_SUPPORTED)
		return GW_E_BADVAL;
	wr_zero(w, 4);
	for (i = 0; i < s->n; i++) {
		a = &s->alg[i];
		if (a->minbits > a->maxbits)
			return GW_E_BADVAL;
		wr_u8(w, a->id);
		wr_u8(w, a->ivlen);
		wr_u16he(w, a->minbits);
		wr_u16he(w, a->maxbits);
		wr_zero(w, 2);
	}
	return w->err;
}

static int
enc_spirange(struct wr *w, const void *field)
{
	const struct pfk_spirange *sr = field;

	if (sr->min > sr->max)
		return GW_E_BADVAL;
	wr_u32he(w, sr->min);
	wr_u32he(w, sr->max);
	return wr_zero(w, 4);
}

static int
enc_ipsecreq(struct wr *w, const struct pfk_ipsecreq *q)
{
	size_t start = w->off, at;
	int rc;

	wr_reserve(w, 2, &at);
	wr_u16he(w, q->proto);
	wr_u8(w, q->mode);
	wr_u8(w, q->level);
	wr_zero(w, 2);
	wr_u32he(w, q->reqid);
	wr_zero(w, 4);
	if (q->has_endpoints) {
		if (q->mode != IPSEC_MODE_TUNNEL)
			return GW_E_BADVAL;
		if (q->src.af != q->dst.af)
			return GW_E_FAMILY;
		if ((rc = enc_sockaddr(w, &q->src)) != 0 || (rc = enc_sockaddr(w, &q->dst)) != 0)
			return rc;
	}
	wr_zero(w, PFK_PAD(w->off - start));
	if (w->err)
		return w->err;
	return wr_patch_u16he(w, at, (uint16_t)(w->off - start));
}

static int
enc_policy(struct wr *w, const void *field)
{
	const struct pfk_policy *pol = field;
	size_t i;
	int rc;

	if (pol->nreq > PFK_MAX_REQ || (pol->nreq > 0 && pol->type != IPSEC_POLICY_IPSEC))
		return GW_E_BADVAL;
	wr_u16he(w, pol->type);
	wr_u8(w, pol->dir);
	wr_zero(w, 1);
	wr_u32he(w, pol->id);
	wr_u32he(w, pol->priority);
	for (i = 0; i < pol->nreq; i++)
		if ((rc = enc_ipsecreq(w, &pol->req[i])) != 0)
			return rc;
	return w->err;
}

static int
enc_sa2(struct wr *w, const void *field)
{
	const struct pfk_sa2 *sa2 = field;

	wr_u8(w, sa2->mode);
	wr_zero(w, 3);
	wr_u32he(w, sa2->sequence);
	return wr_u32he(w, sa2->reqid);
}

static int
enc_natt_type(struct wr *w, const void *field)
{
	wr_u8(w, *(const uint8_t *)field);
	return wr_zero(w, 3);
}

static int
enc_natt_port(struct wr *w, const void *field)
{
	wr_u16be(w, *(const uint16_t *)field);
	return wr_zero(w, 2);
}

static void
enc_comb(struct wr *w, const struct pfk_comb *c)
{
	wr_u8(w, c->auth);
	wr_u8(w, c->encrypt);
	wr_u16he(w, c->flags);
	wr_u16he(w, c->auth_minbits);
	wr_u16he(w, c->auth_maxbits);
	wr_u16he(w, c->encrypt_minbits);
	wr_u16he(w, c->encrypt_maxbits);
	wr_zero(w, 4);
	wr_u32he(w, c->soft_allocations);
	wr_u32he(w, c->hard_allocations);
	wr_u64he(w, c->soft_bytes);
	wr_u64he(w, c->hard_bytes);
	wr_u64he(w, c->soft_addtime);
	wr_u64he(w, c->hard_addtime);
	wr_u64he(w, c->soft_usetime);
	wr_u64he(w, c->hard_usetime);
}

static int
enc_proposal(struct wr *w, const void *field)
{
	const struct pfk_proposal *p = field;
	size_t i;

	if (p->n > PFK_MAX_COMB)
		return GW_E_BADVAL;
	wr_u8(w, p->replay);
	wr_zero(w, 3);
	for (i = 0; i < p->n; i++)
		enc_comb(w, &p->comb[i]);
	return w->err;
}

static int
enc_replay(struct wr *w, const void *field)
{
	const struct pfk_replay *rp = field;

	if ((rp->flags & ~(uint32_t)PFK_REPLAY_ESN) != 0)
		return GW_E_BADVAL;
	wr_u32he(w, rp->window);
	wr_u32he(w, rp->flags);
	return wr_zero(w, 4);
}

static int
enc_stats(struct wr *w, const void *field)
{
	const struct pfk_stats *st = field;
	size_t i;

	if (st->n > PFK_MAX_STATS)
		return GW_E_BADVAL;
	wr_u32he(w, (uint32_t)st->n);
	for (i = 0; i < st->n; i++)
		wr_u64he(w, st->v[i]);
	return w->err;
}

/* Header, body, padding to a unit, then the length in units. */
static int
enc_ext(struct wr *w, const struct pfk_msg *m, unsigned t)
{
	const struct ext_rule *rule = ext_rule(t);
	size_t start = w->off, at;
	int rc;

	if (rule == NULL)
		return GW_E_UNKNOWN;
	if (rule->refused)
		return GW_E_UNSUPP;
	wr_reserve(w, 2, &at);
	wr_u16he(w, (uint16_t)t);
	if ((rc = rule->enc(w, (const uint8_t *)m + rule->off)) != 0)
		return rc;
	wr_zero(w, PFK_PAD(w->off - start));
	if (w->err)
		return w->err;
	if (w->off - start > PFK_MSG_MAX)
		return GW_E_TOOLONG;
	return wr_patch_u16he(w, at, (uint16_t)((w->off - start) / PFK_UNIT));
}

int
pfk_encode(const struct pfk_msg *m, struct wr *w)
{
	size_t start = w->off, at;
	unsigned t;
	int rc;

	if (!pfk_type_ok(m->type))
		return GW_E_BADVAL;
	wr_u8(w, PF_KEY_V2);
	wr_u8(w, m->type);
	wr_u8(w, m->errnum);
	wr_u8(w, m->satype);
	wr_reserve(w, 2, &at);
	wr_u16he(w, m->reserved);
	wr_u32he(w, m->seq);
	wr_u32he(w, m->pid);
	for (t = 0; t < 64; t++)
		if ((m->present & PFK_BIT(t)) != 0 && (rc = enc_ext(w, m, t)) != 0)
			return rc;
	if (w->err)
		return w->err;
	if (w->off - start > PFK_MSG_MAX)
		return GW_E_TOOLONG;
	return wr_patch_u16he(w, at, (uint16_t)((w->off - start) / PFK_UNIT));
}
