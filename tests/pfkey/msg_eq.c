/*
 * msg_eq.c: compares decoded PF_KEY messages field by field. Structs are
 * never compared with memcmp: their padding bytes are unspecified.
 */
#include <stdio.h>

#include "msg_eq.h"
#include "secmem.h"

#define SAME(f)	(a->f == b->f)

static bool
sa_eq(const struct pfk_sa *a, const struct pfk_sa *b)
{
	return SAME(spi) && SAME(replay) && SAME(state) && SAME(auth) && SAME(encrypt) &&
	    SAME(flags);
}

static bool
lifetime_eq(const struct pfk_lifetime *a, const struct pfk_lifetime *b)
{
	return SAME(allocations) && SAME(bytes) && SAME(addtime) && SAME(usetime);
}

static bool
address_eq(const struct pfk_address *a, const struct pfk_address *b)
{
	return SAME(proto) && addr_cmp(&a->addr, &b->addr) == 0;
}

static bool
key_eq(const struct pfk_key *a, const struct pfk_key *b)
{
	return SAME(bits) && SAME(len) && ct_memeq(a->data, b->data, a->len);
}

static bool
supported_eq(const struct pfk_supported *a, const struct pfk_supported *b)
{
	size_t i;

	if (!SAME(n))
		return false;
	for (i = 0; i < a->n; i++)
		if (!SAME(alg[i].id) || !SAME(alg[i].ivlen) || !SAME(alg[i].minbits) ||
		    !SAME(alg[i].maxbits))
			return false;
	return true;
}

static bool
req_eq(const struct pfk_ipsecreq *a, const struct pfk_ipsecreq *b)
{
	if (!SAME(proto) || !SAME(mode) || !SAME(level) || !SAME(reqid) ||
	    !SAME(has_endpoints))
		return false;
	return !a->has_endpoints ||
	    (addr_cmp(&a->src, &b->src) == 0 && addr_cmp(&a->dst, &b->dst) == 0);
}

static bool
policy_eq(const struct pfk_policy *a, const struct pfk_policy *b)
{
	size_t i;

	if (!SAME(type) || !SAME(dir) || !SAME(id) || !SAME(priority) || !SAME(nreq))
		return false;
	for (i = 0; i < a->nreq; i++)
		if (!req_eq(&a->req[i], &b->req[i]))
			return false;
	return true;
}

static bool
comb_eq(const struct pfk_comb *a, const struct pfk_comb *b)
{
	return SAME(auth) && SAME(encrypt) && SAME(flags) && SAME(auth_minbits) &&
	    SAME(auth_maxbits) && SAME(encrypt_minbits) && SAME(encrypt_maxbits) &&
	    SAME(soft_allocations) && SAME(hard_allocations) && SAME(soft_bytes) &&
	    SAME(hard_bytes) && SAME(soft_addtime) && SAME(hard_addtime) &&
	    SAME(soft_usetime) && SAME(hard_usetime);
}

static bool
proposal_eq(const struct pfk_proposal *a, const struct pfk_proposal *b)
{
	size_t i;

	if (!SAME(replay) || !SAME(n))
		return false;
	for (i = 0; i < a->n; i++)
		if (!comb_eq(&a->comb[i], &b->comb[i]))
			return false;
	return true;
}

static bool
stats_eq(const struct pfk_stats *a, const struct pfk_stats *b)
{
	size_t i;

	if (!SAME(n))
		return false;
	for (i = 0; i < a->n; i++)
		if (!SAME(v[i]))
			return false;
	return true;
}

/* Equality of the field that extension t decodes into. */
static bool
ext_eq(const struct pfk_msg *a, const struct pfk_msg *b, unsigned t)
{
	switch (t) {
	case SADB_EXT_SA:		return sa_eq(&a->sa, &b->sa);
	case SADB_EXT_LIFETIME_CURRENT:	return lifetime_eq(&a->lt_current, &b->lt_current);
	case SADB_EXT_LIFETIME_HARD:	return lifetime_eq(&a->lt_hard, &b->lt_hard);
	case SADB_EXT_LIFETIME_SOFT:	return lifetime_eq(&a->lt_soft, &b->lt_soft);
	case SADB_EXT_ADDRESS_SRC:	return address_eq(&a->src, &b->src);
	case SADB_EXT_ADDRESS_DST:	return address_eq(&a->dst, &b->dst);
	case SADB_EXT_ADDRESS_PROXY:	return address_eq(&a->proxy, &b->proxy);
	case SADB_EXT_KEY_AUTH:		return key_eq(&a->key_auth, &b->key_auth);
	case SADB_EXT_KEY_ENCRYPT:	return key_eq(&a->key_enc, &b->key_enc);
	case SADB_EXT_PROPOSAL:		return proposal_eq(&a->proposal, &b->proposal);
	case SADB_EXT_SUPPORTED_AUTH:	return supported_eq(&a->sup_auth, &b->sup_auth);
	case SADB_EXT_SUPPORTED_ENCRYPT: return supported_eq(&a->sup_enc, &b->sup_enc);
	case SADB_EXT_SPIRANGE:		return SAME(spirange.min) && SAME(spirange.max);
	case SADB_X_EXT_POLICY:		return policy_eq(&a->policy, &b->policy);
	case SADB_X_EXT_SA2:
		return SAME(sa2.mode) && SAME(sa2.sequence) && SAME(sa2.reqid);
	case SADB_X_EXT_NAT_T_TYPE:	return SAME(natt_type);
	case SADB_X_EXT_NAT_T_SPORT:	return SAME(natt_sport);
	case SADB_X_EXT_NAT_T_DPORT:	return SAME(natt_dport);
	case SADB_X_EXT_NAT_T_OA:	return addr_cmp(&a->natt_oa, &b->natt_oa) == 0;
	case PFK_EXT_REPLAY:		return SAME(replay.window) && SAME(replay.flags);
	case PFK_EXT_STATS:		return stats_eq(&a->stats, &b->stats);
	}
	return false;
}

bool
msg_eq(const struct pfk_msg *a, const struct pfk_msg *b)
{
	unsigned t;

	if (!SAME(type) || !SAME(errnum) || !SAME(satype) || !SAME(reserved) || !SAME(seq) ||
	    !SAME(pid) || !SAME(present)) {
		fprintf(stderr, "msg_eq: header or present mask differs\n");
		return false;
	}
	for (t = 0; t <= PFK_EXT_MAX; t++) {
		if (pfk_has(a, t) && !ext_eq(a, b, t)) {
			fprintf(stderr, "msg_eq: extension %s differs\n", pfk_ext_name(t));
			return false;
		}
	}
	return true;
}
