/*
 * exch_rekey.c: IKE SA rekeying and its collisions; see exch_rekey.h.
 *
 * Only one request of ours is out on an SA at a time, so at most one
 * rekey of ours per SA: its state lives in sa->ike_rk until the answer.
 * The new SA is made only once the keys are known (the responder when it
 * answers, the initiator when the answer comes), so no half-made SA ever
 * sits in the table. Refusals follow RFC 7296 2.25: TEMPORARY_FAILURE
 * while the SA is being deleted or already replaced, and while a Child
 * SA exchange of ours is out on it (the Child SA would move under our
 * feet); a rekey that crosses ours is answered as usual (2.8.2).
 */
#include <string.h>

#include "dh.h"
#include "err.h"
#include "exch.h"
#include "exch_info.h"
#include "exch_rekey.h"
#include "keymat.h"
#include "log.h"

#define REKEY_NONCE_LEN		32
#define REKEY_ROUNDS		2	/* requests repeated for INVALID_KE_PAYLOAD */

static struct dh *
exch_rekey_dh(struct ike_sa_table *t, uint16_t group)
{
	if (t->io.dh_new != NULL)
		return t->io.dh_new(t->io.ctx, group);
	return dh_new(group);
}

static bool
exch_rekey_offers(const struct ike_cfg_peer *c, uint16_t group)
{
	size_t i, j;

	for (i = 0; i < c->nike && i < IKE_CFG_PROPS; i++)
		for (j = 0; j < c->ike[i].ntrans && j < PROP_XF_MAX; j++)
			if (c->ike[i].xf[j].type == PROP_T_KE && c->ike[i].xf[j].id == group)
				return true;
	return false;
}

/* The SA's own group while we offer it, else the first group we offer. */
static uint16_t
exch_rekey_group(const struct ike_sa *sa)
{
	const struct ike_xform *x;
	size_t i;

	if (sa->dh_group != 0 && exch_rekey_offers(&sa->cfg, sa->dh_group))
		return sa->dh_group;
	for (i = 0; i < sa->cfg.nike && i < IKE_CFG_PROPS; i++)
		if ((x = proposal_get(&sa->cfg.ike[i], PROP_T_KE)) != NULL && x->id != 0)
			return x->id;
	return 0;
}

static void
exch_rekey_clear(struct ike_sa *sa)
{
	dh_free(sa->ike_rk.dh);
	secure_wipe(&sa->ike_rk, sizeof(sa->ike_rk));
}

bool
exch_rekey_is_ike(const struct ike_msg *m)
{
	return ike_msg_has(m, IKE_PT_SA) && m->sa.nprop > 0 &&
	    m->sa.prop[0].proto == IKE_PROTO_IKE;
}

/* A KE payload with dh's public value. */
static void
exch_rekey_build_ke(struct ike_build *b, const struct dh *dh)
{
	uint8_t pub[DH_PUB_MAX];

	if (dh_public(dh, pub, sizeof(pub)) == 0)
		ike_build_ke(b, dh->group, pub, dh->publen);
}

/* SA (our IKE proposals with our new SPI), Ni, KEi. */
static int
exch_rekey_send(struct ike_sa *sa)
{
	struct ike_prop ike[IKE_CFG_PROPS];
	uint8_t buf[IKE_MSG_MAX];
	struct ike_sa_pld pld;
	struct ike_build b;
	size_t i, n = sa->cfg.nike, len;

	if (n == 0 || n > IKE_CFG_PROPS)
		return -1;
	memcpy(ike, sa->cfg.ike, n * sizeof(ike[0]));
	for (i = 0; i < n; i++) {
		ike[i].proto = PROP_PROTO_IKE;
		ike[i].spisize = KEYMAT_SPI_LEN;
		exch_prop_set_spi(&ike[i], sa->ike_rk.spi);
	}
	if (exch_props_to_pld(ike, n, false, &pld) != 0 ||
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_CREATE_CHILD_SA, false) != 0)
		return -1;
	ike_build_sa(&b, &pld);
	ike_build_nonce(&b, sa->ike_rk.ni, sa->ike_rk.ni_len);
	exch_rekey_build_ke(&b, sa->ike_rk.dh);
	if (ike_msg_finish(sa, &b, buf, &len) != 0)
		return -1;
	return ike_msg_request(sa, buf, len);
}

int
exch_rekey_start(struct ike_sa *sa)
{
	struct ike_sa_table *t = sa->tbl;
	uint16_t group = exch_rekey_group(sa);

	if (sa->state != IKE_S_ESTABLISHED || sa->retired || sa->inherit_pending ||
	    sa->win.req_active) {
		log_warnx_f(IKE_SPI_FMT ": cannot rekey the IKE SA now (%s%s)", IKE_SPI_ARGS(sa),
		    ike_sa_state_name(sa->state), sa->win.req_active ? ", a request is out" : "");
		return -1;
	}
	exch_rekey_clear(sa);
	sa->ike_rk.ni_len = REKEY_NONCE_LEN;
	t->io.random(t->io.ctx, sa->ike_rk.ni, sa->ike_rk.ni_len);
	if (group == 0 || ike_sa_pick_spi(t, &sa->ike_rk.spi) != 0 ||
	    (sa->ike_rk.dh = exch_rekey_dh(t, group)) == NULL || exch_rekey_send(sa) != 0) {
		exch_rekey_clear(sa);
		log_warnx_f(IKE_SPI_FMT ": cannot send the rekey of the IKE SA", IKE_SPI_ARGS(sa));
		return -1;
	}
	ike_sa_set_state(sa, IKE_S_REKEYING);
	log_info(IKE_SPI_FMT ": rekeying the IKE SA (%s)", IKE_SPI_ARGS(sa),
	    dh_group_name(group));
	return 0;
}

/*
 * The new SA's keys (RFC 7296 2.18) under old's SK_d, the new SA keyed
 * for its messages. NULL (logged) on failure.
 */
static struct ike_sa *
exch_rekey_make(struct ike_sa *old, bool initiator, const struct ike_prop *prop,
    uint64_t spi_i, uint64_t spi_r, const uint8_t *gir, size_t girlen,
    const struct view *ni, const struct view *nr, uint16_t group)
{
	uint8_t spii[KEYMAT_SPI_LEN], spir[KEYMAT_SPI_LEN];
	struct keymat_ike *km;
	struct keymat_xf xf;
	struct ike_sa *sa;
	size_t i;
	int rc;

	for (i = 0; i < KEYMAT_SPI_LEN; i++) {
		spii[i] = (uint8_t)(spi_i >> (56 - 8 * i));
		spir[i] = (uint8_t)(spi_r >> (56 - 8 * i));
	}
	exch_keymat_xf(prop, &xf);
	rc = keymat_ike_rekey(&km, old->km, &xf, gir, girlen, ni, nr, spii, spir);
	if (rc != 0) {
		log_warnx_f(IKE_SPI_FMT ": key derivation for the new SA failed: %s",
		    IKE_SPI_ARGS(old), gw_strerror(rc));
		return NULL;
	}
	if ((sa = ike_sa_new_rekeyed(old, initiator, spi_i, spi_r, km)) == NULL)
		return NULL;
	/* The SA's proposal as IKE_SA_INIT would hold it: the SPIs live in the SA. */
	sa->prop = *prop;
	sa->prop.spisize = 0;
	exch_prop_set_spi(&sa->prop, 0);
	sa->dh_group = group;
	memcpy(sa->ni, ni->p, ni->len);
	sa->ni_len = ni->len;
	memcpy(sa->nr, nr->p, nr->len);
	sa->nr_len = nr->len;
	/* Nobody has seen it yet, hooks included: destroyed, not killed. */
	if (ike_msg_keys(sa) != 0) {
		ike_sa_destroy(sa);
		return NULL;
	}
	return sa;
}

/* An answer holding only the error err (INVALID_KE_PAYLOAD: asking for ke_pref). */
static void
exch_rekey_refuse(struct ike_sa *sa, uint16_t err, uint16_t ke_pref)
{
	uint8_t grp[2] = { (uint8_t)(ke_pref >> 8), (uint8_t)ke_pref };

	if (err == IKE_N_INVALID_KE_PAYLOAD)
		exch_respond_notify(sa, IKE_EXCH_CREATE_CHILD_SA, err, grp, sizeof(grp));
	else
		exch_respond_notify(sa, IKE_EXCH_CREATE_CHILD_SA, err, NULL, 0);
}

/* SA (the chosen proposal with our new SPI), Nr, KEr. */
static int
exch_rekey_answer(struct ike_sa *sa, const struct ike_prop *chosen, uint64_t spi_r,
    const struct view *nr, const struct dh *dh)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_sa_pld pld;
	struct ike_prop p = *chosen;
	struct ike_build b;
	size_t len;

	exch_prop_set_spi(&p, spi_r);
	if (exch_props_to_pld(&p, 1, false, &pld) != 0 ||
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_CREATE_CHILD_SA, true) != 0)
		return -1;
	ike_build_sa(&b, &pld);
	ike_build_nonce(&b, nr->p, nr->len);
	exch_rekey_build_ke(&b, dh);
	if (ike_msg_finish(sa, &b, buf, &len) != 0)
		return -1;
	/* Sent even when it could not be cached: the peer has its answer. */
	ike_msg_respond(sa, buf, len);
	return 0;
}

/* RFC 7296 2.25: why the peer's rekey of sa cannot be taken now, or 0. */
static uint16_t
exch_rekey_refusal(const struct ike_sa *sa, const struct ike_msg *m)
{
	/* Being closed, already replaced, or waiting to learn whether it inherits. */
	if (sa->state == IKE_S_DELETING || sa->retired || sa->inherit_pending)
		return IKE_N_TEMPORARY_FAILURE;
	/* A Child SA we are creating, rekeying or closing must not move meanwhile. */
	if (sa->rk.old_spi_in != 0 || sa->del_child_spi != 0 || sa->larval.spi_in != 0)
		return IKE_N_TEMPORARY_FAILURE;
	/* One crossing rekey is a collision; a second one is not how peers behave. */
	if (sa->state == IKE_S_REKEYING && sa->ike_rk.peer_spi != 0)
		return IKE_N_TEMPORARY_FAILURE;
	if (!ike_msg_has(m, IKE_PT_SA) || !ike_msg_has(m, IKE_PT_NONCE) ||
	    !ike_msg_has(m, IKE_PT_KE))
		return IKE_N_INVALID_SYNTAX;
	return 0;
}

/* The proposal to take from m, or the error to answer with. */
static uint16_t
exch_rekey_select(struct ike_sa *sa, const struct ike_msg *m, struct ike_prop *chosen,
    uint16_t *ke_pref)
{
	struct prop_ctx ctx = { .proto = PROP_PROTO_IKE, .spisize = KEYMAT_SPI_LEN,
	    .ke_group = m->ke.group };
	struct ike_prop peer[IKE_MAX_PROPS];
	char p[IKE_PEER_STRLEN];
	size_t n;

	n = exch_props_from_pld(&m->sa, peer, IKE_MAX_PROPS);
	switch (proposal_select(sa->cfg.ike, sa->cfg.nike, peer, n, &ctx, chosen, ke_pref)) {
	case PROP_CHOSEN:
		return 0;
	case PROP_INVALID_KE_PAYLOAD:
		log_info(IKE_SPI_FMT ": peer %s: IKE rekey with group %u, asking for %s",
		    IKE_SPI_ARGS(sa), ike_sa_peer_str(sa, p, sizeof(p)), m->ke.group,
		    dh_group_name(*ke_pref));
		return IKE_N_INVALID_KE_PAYLOAD;
	default:
		log_info(IKE_SPI_FMT ": peer %s: no IKE proposal chosen for the rekey",
		    IKE_SPI_ARGS(sa), ike_sa_peer_str(sa, p, sizeof(p)));
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
}

/*
 * The new SA is up and answered for. Alone, it takes the Child SAs now;
 * crossing our own rekey (2.8.2), it waits for our answer to decide.
 */
static void
exch_rekey_settle_r(struct ike_sa *sa, struct ike_sa *sa_new, const struct view *ni,
    const struct view *nr)
{
	struct view low;

	if (sa->state != IKE_S_REKEYING) {
		ike_sa_hand_over(sa, sa_new);
		return;
	}
	low = exch_nonce_low(ni, nr);
	sa_new->inherit_pending = true;
	ike_sa_timer_touch(sa_new);
	sa->ike_rk.peer_spi = sa_new->spi_r;
	memcpy(sa->ike_rk.peer_low, low.p, low.len);
	sa->ike_rk.peer_low_len = low.len;
	log_info(IKE_SPI_FMT ": the peer rekeys the IKE SA too: new SA " IKE_SPI_FMT
	    " waits for our rekey's answer", IKE_SPI_ARGS(sa), IKE_SPI_ARGS(sa_new));
}

/* Our half of the keys, the new SA and the answer; or the error to answer with. */
static uint16_t
exch_rekey_accept(struct ike_sa *sa, const struct ike_msg *m, const struct ike_prop *chosen)
{
	struct ike_sa_table *t = sa->tbl;
	uint8_t gir[DH_SHARED_MAX], nrb[REKEY_NONCE_LEN];
	struct view nr = { nrb, sizeof(nrb) };
	struct ike_sa *sa_new = NULL;
	uint64_t spi_r = 0;
	struct dh *dh;
	uint16_t err = IKE_N_NO_PROPOSAL_CHOSEN;

	t->io.random(t->io.ctx, nrb, sizeof(nrb));
	if ((dh = exch_rekey_dh(t, m->ke.group)) == NULL)
		goto done;
	if (dh_shared(dh, m->ke.data.p, m->ke.data.len, gir, sizeof(gir)) != 0) {
		log_info(IKE_SPI_FMT ": the peer's KE in its IKE rekey is not acceptable",
		    IKE_SPI_ARGS(sa));
		err = IKE_N_INVALID_SYNTAX;
		goto done;
	}
	if (ike_sa_pick_spi(t, &spi_r) != 0 ||
	    (sa_new = exch_rekey_make(sa, false, chosen, exch_prop_spi(chosen), spi_r, gir,
	    dh->sharedlen, &m->nonce, &nr, dh->group)) == NULL)
		goto done;
	if (exch_rekey_answer(sa, chosen, spi_r, &nr, dh) != 0) {
		log_warnx_f(IKE_SPI_FMT ": cannot send the IKE rekey answer", IKE_SPI_ARGS(sa));
		ike_sa_destroy(sa_new);
		goto done;
	}
	exch_rekey_settle_r(sa, sa_new, &m->nonce, &nr);
	err = 0;
done:
	secure_wipe(gir, sizeof(gir));
	dh_free(dh);
	return err;
}

void
exch_rekey_request(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_prop chosen;
	uint16_t err, ke_pref = 0;

	if (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_REKEYING &&
	    sa->state != IKE_S_DELETING) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return;
	}
	if ((err = exch_rekey_refusal(sa, m)) == 0 &&
	    (err = exch_rekey_select(sa, m, &chosen, &ke_pref)) == 0)
		err = exch_rekey_accept(sa, m, &chosen);
	if (err == 0)
		return;
	if (err == IKE_N_NO_PROPOSAL_CHOSEN || err == IKE_N_INVALID_SYNTAX)
		ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
	log_debug_f(IKE_SPI_FMT ": IKE rekey refused with notify %u", IKE_SPI_ARGS(sa), err);
	exch_rekey_refuse(sa, err, ke_pref);
}

bool
exch_rekey_abandon(struct ike_sa *sa)
{
	struct ike_sa *peer = NULL;

	if (sa->ike_rk.peer_spi != 0)
		peer = ike_sa_find(sa->tbl, sa->ike_rk.peer_spi);
	exch_rekey_clear(sa);
	if (peer == NULL || !peer->inherit_pending)
		return false;
	ike_sa_hand_over(sa, peer);
	return true;
}

/* Our rekey failed; temporary: the peer said TEMPORARY_FAILURE. */
static void
exch_rekey_failed(struct ike_sa *sa, bool temporary)
{
	struct ike_sa_table *t = sa->tbl;
	uint64_t delay;

	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	if (exch_rekey_abandon(sa))
		return;
	delay = exch_retry_ms(t, temporary);
	sa->rekey_ms = t->io.now_ms(t->io.ctx) + delay;
	ike_sa_timer_touch(sa);
	log_info(IKE_SPI_FMT ": IKE SA not rekeyed; trying again in %llu s", IKE_SPI_ARGS(sa),
	    (unsigned long long)(delay / 1000));
}

/* INVALID_KE_PAYLOAD (1.3): the same request with the group asked for, if we offer it. */
static int
exch_rekey_retry_ke(struct ike_sa *sa, const struct ike_notify *n)
{
	struct ike_sa_table *t = sa->tbl;
	struct rd r = rd_init(n->data.p, n->data.len);
	uint16_t group = 0;
	struct dh *dh;

	rd_u16be(&r, &group);
	if (rd_done(&r) != 0 || group == sa->ike_rk.dh->group ||
	    !exch_rekey_offers(&sa->cfg, group) || sa->ike_rk.rounds >= REKEY_ROUNDS) {
		log_info(IKE_SPI_FMT ": the peer wants group %u for the IKE rekey: not offered",
		    IKE_SPI_ARGS(sa), group);
		return -1;
	}
	if ((dh = exch_rekey_dh(t, group)) == NULL)
		return -1;
	dh_free(sa->ike_rk.dh);
	sa->ike_rk.dh = dh;
	sa->ike_rk.rounds++;
	t->io.random(t->io.ctx, sa->ike_rk.ni, sa->ike_rk.ni_len);
	if (exch_rekey_send(sa) != 0)
		return -1;
	log_debug_f(IKE_SPI_FMT ": IKE rekey again with %s", IKE_SPI_ARGS(sa),
	    dh_group_name(group));
	return 0;
}

/* The first error notification of m, or 0. */
static uint16_t
exch_rekey_error(const struct ike_msg *m)
{
	size_t i;

	for (i = 0; i < m->nnotify; i++)
		if (m->notify[i].type <= IKE_N_ERROR_MAX)
			return m->notify[i].type;
	return 0;
}

/* The peer's half of an accepted answer, checked; our new SA. NULL (logged) if bad. */
static struct ike_sa *
exch_rekey_take(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct dh *dh = sa->ike_rk.dh;
	struct prop_ctx ctx = { .proto = PROP_PROTO_IKE, .spisize = KEYMAT_SPI_LEN,
	    .ke_group = dh->group };
	struct view ni = { sa->ike_rk.ni, sa->ike_rk.ni_len };
	uint8_t gir[DH_SHARED_MAX];
	struct ike_sa *sa_new = NULL;
	struct ike_prop reply;

	if (!ike_msg_has(m, IKE_PT_SA) || !ike_msg_has(m, IKE_PT_NONCE) ||
	    !ike_msg_has(m, IKE_PT_KE) || m->sa.nprop != 1 ||
	    exch_props_from_pld(&m->sa, &reply, 1) != 1 ||
	    proposal_check_reply(sa->cfg.ike, sa->cfg.nike, &reply, &ctx) < 0 ||
	    exch_prop_spi(&reply) == 0 || m->ke.group != dh->group) {
		log_info(IKE_SPI_FMT ": the peer's IKE rekey answer is not one we offered",
		    IKE_SPI_ARGS(sa));
		return NULL;
	}
	if (dh_shared(dh, m->ke.data.p, m->ke.data.len, gir, sizeof(gir)) != 0)
		log_info(IKE_SPI_FMT ": the peer's KE in the IKE rekey is not acceptable",
		    IKE_SPI_ARGS(sa));
	else
		sa_new = exch_rekey_make(sa, true, &reply, sa->ike_rk.spi, exch_prop_spi(&reply),
		    gir, dh->sharedlen, &ni, &m->nonce, dh->group);
	secure_wipe(gir, sizeof(gir));
	return sa_new;
}

/*
 * Our new SA is up. Alone, or winning a collision, it takes the Child
 * SAs and we delete the old SA; losing one (our exchange has the lowest
 * nonce, 2.8.2), the peer's new SA takes them and we delete ours.
 */
static void
exch_rekey_settle_i(struct ike_sa *sa, struct ike_sa *sa_new, const struct ike_msg *m)
{
	struct view ni = { sa->ike_rk.ni, sa->ike_rk.ni_len }, low;
	struct view peer_low = { sa->ike_rk.peer_low, sa->ike_rk.peer_low_len };
	struct ike_sa *peer = NULL;

	if (sa->ike_rk.peer_spi != 0)
		peer = ike_sa_find(sa->tbl, sa->ike_rk.peer_spi);
	/* Gone (the peer deleted it as redundant) or settled otherwise: ours is alone. */
	if (peer != NULL && !peer->inherit_pending)
		peer = NULL;
	low = exch_nonce_low(&ni, &m->nonce);
	if (peer != NULL && exch_nonce_cmp(&low, &peer_low) < 0) {
		log_info(IKE_SPI_FMT ": rekey collision: our new SA " IKE_SPI_FMT " is redundant",
		    IKE_SPI_ARGS(sa), IKE_SPI_ARGS(sa_new));
		exch_rekey_clear(sa);
		ike_sa_set_state(sa, IKE_S_ESTABLISHED);
		ike_sa_hand_over(sa, peer);
		ike_sa_retire(sa_new);
		exch_info_delete(sa_new, IKE_F_REKEYED);
		return;
	}
	if (peer != NULL) {
		log_info(IKE_SPI_FMT ": rekey collision: the peer's new SA " IKE_SPI_FMT
		    " is redundant", IKE_SPI_ARGS(sa), IKE_SPI_ARGS(peer));
		ike_sa_retire(peer);
	}
	exch_rekey_clear(sa);
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	ike_sa_hand_over(sa, sa_new);
	exch_info_delete(sa, IKE_F_REKEYED);
}

void
exch_rekey_response(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify *n;
	struct ike_sa *sa_new;
	uint16_t err;

	if (sa->state != IKE_S_REKEYING || sa->ike_rk.spi == 0 || sa->ike_rk.dh == NULL) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return;
	}
	if ((n = ike_msg_notify(m, IKE_N_INVALID_KE_PAYLOAD)) != NULL &&
	    exch_rekey_retry_ke(sa, n) == 0)
		return;
	if ((err = exch_rekey_error(m)) != 0) {
		log_info(IKE_SPI_FMT ": the peer refused to rekey the IKE SA (notify %u)",
		    IKE_SPI_ARGS(sa), err);
		exch_rekey_failed(sa, err == IKE_N_TEMPORARY_FAILURE);
		return;
	}
	if ((sa_new = exch_rekey_take(sa, m)) == NULL) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
		exch_rekey_failed(sa, false);
		return;
	}
	exch_rekey_settle_i(sa, sa_new, m);
}
