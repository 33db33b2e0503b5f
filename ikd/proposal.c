/*
 * proposal.c: SA proposal selection; see proposal.h.
 *
 * A peer proposal P is covered by a local proposal L when, for every
 * transform type, P offers something L accepts. A type P leaves out counts
 * as P offering NONE (id 0), and a type L leaves out as L accepting only
 * NONE: so a local ESP proposal with KE transforms demands PFS, one
 * without refuses it, and one listing KE NONE beside groups takes both.
 *
 * Within a type the peer's order decides (its first acceptable
 * transform), except for KE: the group of the KE payload already sent is
 * taken when acceptable, so that no INVALID_KE_PAYLOAD round trip is
 * spent on a proposal the peer can complete now. Only when no proposal
 * works with that group do we answer INVALID_KE_PAYLOAD, naming the first
 * group, in our order, of the first proposal that matched otherwise.
 */
#include <string.h>

#include "proposal.h"

/* What one P x L comparison picked, by transform type. */
struct prop_match {
	bool		have[PROP_T_MAX + 1];	/* P included the type */
	struct ike_xform pick[PROP_T_MAX + 1];
	bool		ke_ok;			/* KE pick equals the KE payload's */
};

bool
proposal_encr_aead(uint16_t encr)
{
	switch (encr) {
	case 14: case 15: case 16:	/* ENCR_AES_CCM_8/12/16, RFC 5282 */
	case 18: case 19: case 20:	/* ENCR_AES_GCM_8/12/16, RFC 5282 */
	case 25: case 26: case 27:	/* ENCR_CAMELLIA_CCM_8/12/16, RFC 5529 */
	case 28:			/* ENCR_CHACHA20_POLY1305, RFC 7634 */
		return true;
	}
	return false;
}

const struct ike_xform *
proposal_get(const struct ike_prop *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < p->ntrans && i < PROP_XF_MAX; i++)
		if (p->xf[i].type == type)
			return &p->xf[i];
	return NULL;
}

static bool
prop_contains(const struct ike_prop *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	size_t i;

	for (i = 0; i < p->ntrans && i < PROP_XF_MAX; i++)
		if (p->xf[i].type == type && p->xf[i].id == id && p->xf[i].keylen == keylen)
			return true;
	return false;
}

/* Whether l takes (type, id, keylen); a type l leaves out takes only NONE. */
static bool
prop_accepts(const struct ike_prop *l, uint8_t type, uint16_t id, uint16_t keylen)
{
	if (proposal_get(l, type) == NULL)
		return id == 0 && keylen == 0;
	return prop_contains(l, type, id, keylen);
}

/* RFC 7296 3.3.3: the transform types each protocol uses. */
static bool
prop_type_allowed(uint8_t proto, uint8_t type)
{
	switch (proto) {
	case PROP_PROTO_IKE:
		return type >= PROP_T_ENCR && type <= PROP_T_KE;
	case PROP_PROTO_ESP:
		return type == PROP_T_ENCR || type == PROP_T_INTEG || type == PROP_T_KE ||
		    type == PROP_T_ESN;
	case PROP_PROTO_AH:
		return type == PROP_T_INTEG || type == PROP_T_KE || type == PROP_T_ESN;
	}
	return false;
}

/*
 * A peer proposal worth comparing: this exchange's protocol and SPI size,
 * only types its protocol knows (3.3.6: an unknown type makes it
 * unacceptable), and the mandatory ones present. ESN, mandatory for ESP
 * on paper, may be missing: some peers leave it out, meaning "no ESN".
 */
static bool
prop_peer_ok(const struct ike_prop *p, const struct prop_ctx *ctx)
{
	size_t i;

	if (p->proto != ctx->proto || p->spisize != ctx->spisize || p->ntrans > PROP_XF_MAX)
		return false;
	for (i = 0; i < p->ntrans; i++)
		if (!prop_type_allowed(p->proto, p->xf[i].type))
			return false;
	switch (p->proto) {
	case PROP_PROTO_IKE:
		return proposal_get(p, PROP_T_ENCR) != NULL &&
		    proposal_get(p, PROP_T_PRF) != NULL && proposal_get(p, PROP_T_KE) != NULL;
	case PROP_PROTO_ESP:
		return proposal_get(p, PROP_T_ENCR) != NULL;
	case PROP_PROTO_AH:
		return proposal_get(p, PROP_T_INTEG) != NULL;
	}
	return false;
}

/* The peer's first transform of type that l accepts; false if none. */
static bool
prop_pick(const struct ike_prop *l, const struct ike_prop *p, uint8_t type,
    struct ike_xform *out)
{
	size_t i;

	for (i = 0; i < p->ntrans; i++) {
		if (p->xf[i].type != type ||
		    !prop_accepts(l, type, p->xf[i].id, p->xf[i].keylen))
			continue;
		*out = p->xf[i];
		return true;
	}
	return false;
}

/*
 * KE: the payload's group if both sides take it, else the first group in
 * l's order that p offers (l without KE: NONE, if p offers it).
 */
static bool
prop_pick_ke(const struct ike_prop *l, const struct ike_prop *p, uint16_t ke_group,
    struct ike_xform *out)
{
	size_t i;

	*out = (struct ike_xform){ .type = PROP_T_KE, .id = ke_group };
	if (prop_contains(p, PROP_T_KE, ke_group, 0) && prop_accepts(l, PROP_T_KE, ke_group, 0))
		return true;
	if (proposal_get(l, PROP_T_KE) == NULL) {
		out->id = 0;
		return prop_contains(p, PROP_T_KE, 0, 0);
	}
	for (i = 0; i < l->ntrans && i < PROP_XF_MAX; i++) {
		if (l->xf[i].type == PROP_T_KE && prop_contains(p, PROP_T_KE, l->xf[i].id, 0)) {
			out->id = l->xf[i].id;
			return true;
		}
	}
	return false;
}

/* Whether l covers p; fills m with the picks. */
static bool
prop_cover(const struct ike_prop *l, const struct ike_prop *p, const struct prop_ctx *ctx,
    struct prop_match *m)
{
	struct ike_xform *x;
	uint8_t t;
	bool ok;

	memset(m, 0, sizeof(*m));
	for (t = PROP_T_ENCR; t <= PROP_T_MAX; t++) {
		if (t == PROP_T_KE && ctx->ignore_ke)
			continue;
		x = &m->pick[t];
		*x = (struct ike_xform){ .type = t };
		if ((m->have[t] = proposal_get(p, t) != NULL))
			ok = t == PROP_T_KE ? prop_pick_ke(l, p, ctx->ke_group, x) :
			    prop_pick(l, p, t, x);
		else
			ok = prop_accepts(l, t, 0, 0);
		if (!ok)
			return false;
	}
	/* RFC 5282 8: an AEAD cipher goes without INTEG, any other needs one. */
	if (proposal_encr_aead(m->pick[PROP_T_ENCR].id) != (m->pick[PROP_T_INTEG].id == 0) &&
	    p->proto != PROP_PROTO_AH)
		return false;
	m->ke_ok = ctx->ignore_ke || m->pick[PROP_T_KE].id == ctx->ke_group;
	return true;
}

static void
prop_answer(const struct ike_prop *p, const struct prop_match *m, struct ike_prop *out)
{
	uint8_t t;

	memset(out, 0, sizeof(*out));
	out->num = p->num;
	out->proto = p->proto;
	out->spisize = p->spisize;
	memcpy(out->spi, p->spi, sizeof(out->spi));
	for (t = PROP_T_ENCR; t <= PROP_T_MAX; t++)
		if (m->have[t])
			out->xf[out->ntrans++] = m->pick[t];
}

enum prop_verdict
proposal_select(const struct ike_prop *local, size_t nlocal, const struct ike_prop *peer,
    size_t npeer, const struct prop_ctx *ctx, struct ike_prop *chosen, uint16_t *ke_pref)
{
	struct prop_match m;
	uint16_t pref = 0;
	size_t i, j;

	for (i = 0; i < npeer; i++) {
		if (!prop_peer_ok(&peer[i], ctx))
			continue;
		for (j = 0; j < nlocal; j++) {
			if (local[j].proto != peer[i].proto ||
			    !prop_cover(&local[j], &peer[i], ctx, &m))
				continue;
			if (m.ke_ok) {
				prop_answer(&peer[i], &m, chosen);
				return PROP_CHOSEN;
			}
			if (pref == 0)
				pref = m.pick[PROP_T_KE].id;
		}
	}
	if (pref == 0)
		return PROP_NO_PROPOSAL_CHOSEN;
	*ke_pref = pref;
	return PROP_INVALID_KE_PAYLOAD;
}

/* One transform per type at most, each of a type the protocol knows. */
static bool
prop_single(const struct ike_prop *r)
{
	bool seen[PROP_T_MAX + 1] = { false };
	size_t i;

	if (r->ntrans > PROP_XF_MAX)
		return false;
	for (i = 0; i < r->ntrans; i++) {
		if (!prop_type_allowed(r->proto, r->xf[i].type) || seen[r->xf[i].type])
			return false;
		seen[r->xf[i].type] = true;
	}
	return true;
}

/* Whether reply answers offer o exactly (see proposal_check_reply()). */
static bool
prop_answers(const struct ike_prop *o, const struct ike_prop *r, const struct prop_ctx *ctx)
{
	const struct ike_xform *e, *x;
	uint8_t t;
	size_t i;

	for (i = 0; i < r->ntrans; i++)
		if (!prop_contains(o, r->xf[i].type, r->xf[i].id, r->xf[i].keylen))
			return false;
	for (t = PROP_T_ENCR; t <= PROP_T_MAX; t++)
		if (!(t == PROP_T_KE && ctx->ignore_ke) && proposal_get(o, t) != NULL &&
		    proposal_get(r, t) == NULL)
			return false;
	if (!ctx->ignore_ke) {
		x = proposal_get(r, PROP_T_KE);
		if ((x == NULL ? 0 : x->id) != ctx->ke_group)
			return false;
	}
	e = proposal_get(r, PROP_T_ENCR);
	x = proposal_get(r, PROP_T_INTEG);
	if (r->proto != PROP_PROTO_AH &&
	    (e == NULL || proposal_encr_aead(e->id) != (x == NULL || x->id == 0)))
		return false;
	return true;
}

int
proposal_check_reply(const struct ike_prop *offered, size_t noffered,
    const struct ike_prop *reply, const struct prop_ctx *ctx)
{
	size_t i;

	if (reply->proto != ctx->proto || reply->spisize != ctx->spisize || !prop_single(reply))
		return -1;
	for (i = 0; i < noffered; i++) {
		if (offered[i].num != reply->num || offered[i].proto != reply->proto)
			continue;
		return prop_answers(&offered[i], reply, ctx) ? (int)i : -1;
	}
	return -1;
}
