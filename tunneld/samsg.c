/* samsg.c: PF_KEY messages to SAD entries and back; see samsg.h. */
#include <linux/udp.h>

#include <errno.h>
#include <string.h>

#include "log.h"
#include "samsg.h"

_Static_assert(GWSTAT_SA_MAX <= PFK_MAX_STATS, "PFK_EXT_STATS holds every counter");

/* Debug line for a refused SA; the caller returns the errno. */
#define SAMSG_REFUSE(m, fmt, ...) \
	log_debug("%s: spi 0x%08x: " fmt, pfk_type_name((m)->type), (m)->sa.spi, ##__VA_ARGS__)

int
samsg_satype(const struct pfk_msg *m)
{
	switch (m->satype) {
	case SADB_SATYPE_ESP:
		return 0;
	case SADB_SATYPE_AH:
	case SADB_X_SATYPE_IPCOMP:
		log_debug("%s: %s is not implemented, only ESP", pfk_type_name(m->type),
		    m->satype == SADB_SATYPE_AH ? "AH" : "IPComp");
		return EOPNOTSUPP;
	case SADB_SATYPE_UNSPEC:
		log_debug("%s: SA type unspecified", pfk_type_name(m->type));
		return EINVAL;
	default:
		log_debug("%s: SA type %u not supported, only ESP", pfk_type_name(m->type),
		    m->satype);
		return m->satype <= SADB_SATYPE_MAX ? EOPNOTSUPP : EINVAL;
	}
}

static int
samsg_mode(const struct pfk_msg *m, uint8_t *mode)
{
	*mode = pfk_has(m, SADB_X_EXT_SA2) ? m->sa2.mode : IPSEC_MODE_ANY;
	switch (*mode) {
	case IPSEC_MODE_ANY:
	case IPSEC_MODE_TUNNEL:
		return 0;
	case IPSEC_MODE_TRANSPORT:
	case IPSEC_MODE_BEET:
		SAMSG_REFUSE(m, "%s mode is not implemented, only tunnel",
		    *mode == IPSEC_MODE_TRANSPORT ? "transport" : "BEET");
		return EOPNOTSUPP;
	default:
		SAMSG_REFUSE(m, "unknown mode %u", *mode);
		return EINVAL;
	}
}

int
samsg_ident(const struct pfk_msg *m, struct sa_cfg *out)
{
	int	err;

	memset(out, 0, sizeof(*out));
	if ((err = samsg_satype(m)) != 0 || (err = samsg_mode(m, &out->mode)) != 0)
		return err;
	if (!pfk_has(m, SADB_EXT_ADDRESS_SRC) || !pfk_has(m, SADB_EXT_ADDRESS_DST)) {
		SAMSG_REFUSE(m, "source and destination addresses required");
		return EINVAL;
	}
	if (m->src.addr.af != m->dst.addr.af || addr_is_unspec(&m->src.addr) ||
	    addr_is_unspec(&m->dst.addr)) {
		SAMSG_REFUSE(m, "tunnel endpoints must be two addresses of one family");
		return EINVAL;
	}
	out->satype = m->satype;
	out->src = m->src.addr;
	out->dst = m->dst.addr;
	out->reqid = pfk_has(m, SADB_X_EXT_SA2) ? m->sa2.reqid : 0;
	return 0;
}

/* Resolves one algorithm number: known and implemented by the data path. */
static int
samsg_alg(const struct pfk_msg *m, enum alg_kind kind, uint8_t id, const struct alg **out)
{
	const char	*what = kind == ALG_ENC ? "encryption" : "authentication";

	*out = alg_by_id(kind, id);
	if (*out == NULL) {
		SAMSG_REFUSE(m, "unknown %s algorithm %u", what, id);
		return EOPNOTSUPP;
	}
	if (!(*out)->datapath) {
		SAMSG_REFUSE(m, "%s algorithm %s is not implemented by the data path", what,
		    (*out)->name);
		return EOPNOTSUPP;
	}
	return 0;
}

static int
samsg_algs(const struct pfk_msg *m, struct sa_cfg *out)
{
	int	err;

	if (m->sa.encrypt == SADB_EALG_NONE) {
		SAMSG_REFUSE(m, "ESP needs an encryption algorithm (null for integrity only)");
		return EINVAL;
	}
	if ((err = samsg_alg(m, ALG_ENC, m->sa.encrypt, &out->enc)) != 0)
		return err;
	out->auth = NULL;
	if (m->sa.auth != SADB_AALG_NONE &&
	    (err = samsg_alg(m, ALG_AUTH, m->sa.auth, &out->auth)) != 0)
		return err;
	if (out->enc->aead && out->auth != NULL) {
		SAMSG_REFUSE(m, "%s is an AEAD cipher: no authentication algorithm allowed",
		    out->enc->name);
		return EINVAL;
	}
	if (!out->enc->aead && out->auth == NULL) {
		SAMSG_REFUSE(m, "%s without an authentication algorithm gives no integrity",
		    out->enc->name);
		return EINVAL;
	}
	return 0;
}

/* Copies the key of extension ext for a (NULL: no key may be present). */
static int
samsg_key(const struct pfk_msg *m, unsigned ext, const struct alg *a, struct gw_key *out)
{
	const struct pfk_key	*k = ext == SADB_EXT_KEY_ENCRYPT ? &m->key_enc : &m->key_auth;
	bool			 want = a != NULL && !a->key_none;

	if (!pfk_has(m, ext)) {
		if (!want)
			return 0;
		SAMSG_REFUSE(m, "%s needs a key", a->name);
		return EINVAL;
	}
	if (!want) {
		SAMSG_REFUSE(m, "%s given where no key is used", pfk_ext_name(ext));
		return EINVAL;
	}
	if (k->bits % 8 != 0 || k->len != k->bits / 8u || k->len > sizeof(out->b) ||
	    !alg_key_ok(a, k->bits)) {
		SAMSG_REFUSE(m, "%s: key of %u bits wrong (%u..%u)", a->name, k->bits, a->key_min,
		    a->key_max);
		return EINVAL;
	}
	memcpy(out->b, k->data, k->len);
	out->len = (uint16_t)k->len;
	return 0;
}

static int
samsg_replay(const struct pfk_msg *m, struct sa_cfg *out)
{
	if (pfk_has(m, PFK_EXT_REPLAY)) {
		out->replay_window = m->replay.window;
		out->esn = (m->replay.flags & PFK_REPLAY_ESN) != 0;
	} else if (m->sa.replay != 0)
		out->replay_window = 8u * m->sa.replay;
	else
		out->replay_window = SAD_REPLAY_DEFAULT;
	if (out->replay_window > SAD_REPLAY_MAX) {
		SAMSG_REFUSE(m, "replay window of %u packets too large (max %u)",
		    out->replay_window, SAD_REPLAY_MAX);
		return EINVAL;
	}
	return 0;
}

static int
samsg_natt(const struct pfk_msg *m, struct sa_cfg *out)
{
	bool	ports = pfk_has(m, SADB_X_EXT_NAT_T_SPORT) && pfk_has(m, SADB_X_EXT_NAT_T_DPORT);

	if (!pfk_has(m, SADB_X_EXT_NAT_T_TYPE)) {
		if (pfk_has(m, SADB_X_EXT_NAT_T_SPORT) || pfk_has(m, SADB_X_EXT_NAT_T_DPORT) ||
		    pfk_has(m, SADB_X_EXT_NAT_T_OA)) {
			SAMSG_REFUSE(m, "NAT-T port or address without NAT_T_TYPE");
			return EINVAL;
		}
		return 0;
	}
	if (m->natt_type != UDP_ENCAP_ESPINUDP) {
		SAMSG_REFUSE(m, "NAT-T encapsulation %u not supported (only RFC 3948, 2)",
		    m->natt_type);
		return EOPNOTSUPP;
	}
	if (!ports || m->natt_sport == 0 || m->natt_dport == 0) {
		SAMSG_REFUSE(m, "NAT-T needs both UDP ports");
		return EINVAL;
	}
	out->natt_type = m->natt_type;
	out->natt_sport = m->natt_sport;
	out->natt_dport = m->natt_dport;
	if (pfk_has(m, SADB_X_EXT_NAT_T_OA))
		out->natt_oa = m->natt_oa;
	return 0;
}

static void
samsg_lifetime(const struct pfk_lifetime *in, struct sa_lifetime *out)
{
	out->allocations = in->allocations;
	out->bytes = in->bytes;
	out->addtime = in->addtime;
	out->usetime = in->usetime;
}

int
samsg_cfg(const struct pfk_msg *m, struct sa_cfg *out)
{
	int	err;

	if ((err = samsg_ident(m, out)) != 0)
		return err;
	if (!pfk_has(m, SADB_EXT_SA)) {
		log_debug("%s: SA extension required", pfk_type_name(m->type));
		return EINVAL;
	}
	if (m->sa.spi < SAD_SPI_MIN) {
		SAMSG_REFUSE(m, "SPIs below 256 are reserved");
		return EINVAL;
	}
	if (pfk_has(m, SADB_EXT_ADDRESS_PROXY)) {
		SAMSG_REFUSE(m, "proxy addresses are not supported");
		return EOPNOTSUPP;
	}
	out->spi = m->sa.spi;
	out->flags = m->sa.flags;
	if ((err = samsg_algs(m, out)) != 0 || (err = samsg_replay(m, out)) != 0 ||
	    (err = samsg_natt(m, out)) != 0 ||
	    (err = samsg_key(m, SADB_EXT_KEY_ENCRYPT, out->enc, &out->enc_key)) != 0 ||
	    (err = samsg_key(m, SADB_EXT_KEY_AUTH, out->auth, &out->auth_key)) != 0) {
		gw_key_clear(&out->enc_key);
		return err;
	}
	if (pfk_has(m, SADB_EXT_LIFETIME_HARD))
		samsg_lifetime(&m->lt_hard, &out->hard);
	if (pfk_has(m, SADB_EXT_LIFETIME_SOFT))
		samsg_lifetime(&m->lt_soft, &out->soft);
	return 0;
}

uint64_t
samsg_wall(uint64_t t, uint64_t mono, uint64_t wall)
{
	uint64_t	ago;

	if (t == 0 || t > mono)
		return t == 0 ? 0 : wall;
	ago = mono - t;
	return ago < wall ? wall - ago : 0;
}

static void
samsg_put_lifetime(struct pfk_lifetime *out, const struct sa_lifetime *in)
{
	out->allocations = in->allocations;
	out->bytes = in->bytes;
	out->addtime = in->addtime;
	out->usetime = in->usetime;
}

static void
samsg_put_key(struct pfk_msg *m, unsigned ext, const struct gw_key *k)
{
	struct pfk_key	*out = ext == SADB_EXT_KEY_ENCRYPT ? &m->key_enc : &m->key_auth;

	if (k->len == 0)
		return;
	out->bits = (uint16_t)(k->len * 8);
	out->data = k->b;
	out->len = k->len;
	pfk_set(m, ext);
}

static void
samsg_put_ident(struct pfk_msg *m, const struct sa *sa)
{
	const struct sa_cfg	*c = &sa->cfg;

	m->sa.spi = c->spi;
	m->sa.replay = sa_replay_bytes(sa);
	m->sa.state = (uint8_t)sa->state;
	m->sa.auth = c->auth != NULL ? c->auth->id : SADB_AALG_NONE;
	m->sa.encrypt = c->enc != NULL ? c->enc->id : SADB_EALG_NONE;
	m->sa.flags = c->flags;
	m->sa2.mode = c->mode;
	m->sa2.sequence = (uint32_t)sa->seq_out;
	m->sa2.reqid = c->reqid;
	m->src.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = c->src;
	m->dst.proto = IPSEC_ULPROTO_ANY;
	m->dst.addr = c->dst;
	pfk_set(m, SADB_EXT_SA);
	pfk_set(m, SADB_X_EXT_SA2);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	if (c->natt_type != 0) {
		m->natt_type = c->natt_type;
		m->natt_sport = c->natt_sport;
		m->natt_dport = c->natt_dport;
		pfk_set(m, SADB_X_EXT_NAT_T_TYPE);
		pfk_set(m, SADB_X_EXT_NAT_T_SPORT);
		pfk_set(m, SADB_X_EXT_NAT_T_DPORT);
		if (c->natt_oa.af != AF_UNSPEC) {
			m->natt_oa = c->natt_oa;
			pfk_set(m, SADB_X_EXT_NAT_T_OA);
		}
	}
}

static void
samsg_put_current(struct pfk_msg *m, const struct sa *sa, uint64_t mono, uint64_t wall)
{
	m->lt_current.allocations = sa->cur.packets > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)sa->cur.packets;
	m->lt_current.bytes = sa->cur.bytes;
	m->lt_current.addtime = samsg_wall(sa->cur.addtime, mono, wall);
	m->lt_current.usetime = samsg_wall(sa->cur.usetime, mono, wall);
	pfk_set(m, SADB_EXT_LIFETIME_CURRENT);
}

void
samsg_fill(struct pfk_msg *m, const struct sa *sa, unsigned parts, uint64_t mono,
    uint64_t wall)
{
	size_t	i;

	samsg_put_ident(m, sa);
	if (parts & SAMSG_KEYS) {
		samsg_put_key(m, SADB_EXT_KEY_ENCRYPT, &sa->cfg.enc_key);
		samsg_put_key(m, SADB_EXT_KEY_AUTH, &sa->cfg.auth_key);
	}
	if (parts & SAMSG_CURRENT)
		samsg_put_current(m, sa, mono, wall);
	if (parts & SAMSG_HARD) {
		samsg_put_lifetime(&m->lt_hard, &sa->cfg.hard);
		pfk_set(m, SADB_EXT_LIFETIME_HARD);
	}
	if (parts & SAMSG_SOFT) {
		samsg_put_lifetime(&m->lt_soft, &sa->cfg.soft);
		pfk_set(m, SADB_EXT_LIFETIME_SOFT);
	}
	if (parts & SAMSG_REPLAY) {
		m->replay.window = sa->cfg.replay_window;
		m->replay.flags = sa->cfg.esn ? PFK_REPLAY_ESN : 0;
		pfk_set(m, PFK_EXT_REPLAY);
	}
	if (parts & SAMSG_STATS) {
		m->stats.n = GWSTAT_SA_MAX;
		for (i = 0; i < GWSTAT_SA_MAX; i++)
			m->stats.v[i] = sa->stats[i];
		pfk_set(m, PFK_EXT_STATS);
	}
}
