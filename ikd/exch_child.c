/*
 * exch_child.c: Child SA rekeying with CREATE_CHILD_SA; see exch_child.h.
 *
 * Only one request of ours is out at a time (the window is 1), so one
 * rekey of ours at a time: its state lives in sa->rk until the answer,
 * its new inbound SPI in sa->larval. A rekey request from the peer may
 * come meanwhile; answering it allocates an SPI of its own, so our
 * larval SA is set aside while that runs. Answering, we install only the
 * new inbound SA: the outbound one waits (ike_sa.h, ike_sa_out_due()).
 * If the peer rekeys the very pair we rekey, both exchanges complete and
 * the nonces decide which new pair is redundant (RFC 7296 2.8.1): the
 * side that made it deletes it, and the side whose pair survives deletes
 * the old one, so each pair goes exactly once and a live pair is there
 * at every moment. Our copy of the peer's new pair gets no outbound SA
 * until our answer has said it is not the redundant one.
 */
#include <string.h>

#include "child.h"
#include "dh.h"
#include "exch.h"
#include "exch_child.h"
#include "exch_info.h"
#include "log.h"

#define CHILD_NONCE_LEN		32
#define CHILD_NOTIFY_ERR_MAX	16383	/* notify types below 16384 are errors */
/*
 * TEMPORARY_FAILURE answers to rekeys of one pair before giving up on it
 * (2 to 6 s apart): RFC 7296 2.25 says to stop after several minutes of
 * them; the pair then runs to its hard lifetime.
 */
#define CHILD_RETRIES		30

static struct dh *
exch_child_dh(struct ike_sa_table *t, uint16_t group)
{
	if (t->io.dh_new != NULL)
		return t->io.dh_new(t->io.ctx, group);
	return dh_new(group);
}

/* The PFS group: the KE transform of our first ESP proposal, or 0. */
static uint16_t
exch_child_pfs_group(const struct ike_sa *sa)
{
	const struct ike_xform *x;

	if (sa->cfg.nesp == 0 || (x = proposal_get(&sa->cfg.esp[0], PROP_T_KE)) == NULL)
		return 0;
	return x->id;
}

/* Ends our rekey's state; a pending outbound SA it held back is due from now on. */
static void
exch_child_rk_clear(struct ike_sa *sa)
{
	dh_free(sa->rk.dh);
	secure_wipe(&sa->rk, sizeof(sa->rk));
	ike_sa_timer_touch(sa);
}

/* The Child SA whose outbound SPI is spi_out, or NULL. */
static struct ike_child *
exch_child_by_out(struct ike_sa *sa, uint32_t spi_out)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->spi_out == spi_out)
			return c;
	return NULL;
}

/*
 * The peer's rekey of the pair spi_in went through and its successor
 * waits for its outbound SA: the pair is on its way out already.
 */
static bool
exch_child_replaced(const struct ike_sa *sa, uint32_t spi_in)
{
	const struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->out_pending != NULL && c->out_after == spi_in)
			return true;
	return false;
}

/* TSi from ti, TSr from tr. */
static void
exch_child_build_ts(struct ike_build *b, const struct ike_tsl *ti, const struct ike_tsl *tr)
{
	struct ike_ts tsw[IKE_TSL_MAX];

	ike_ts_to_pld(ti, tsw);
	ike_build_ts(b, IKE_PT_TSI, tsw, ti->n);
	ike_ts_to_pld(tr, tsw);
	ike_build_ts(b, IKE_PT_TSR, tsw, tr->n);
}

/* A KE payload with dh's public value. */
static void
exch_child_build_ke(struct ike_build *b, const struct dh *dh)
{
	uint8_t pub[DH_PUB_MAX];

	if (dh_public(dh, pub, sizeof(pub)) == 0)
		ike_build_ke(b, dh->group, pub, dh->publen);
}

/* REKEY_SA, SA (our ESP proposals, KE kept), Ni, [KEi], TSi, TSr. */
static int
exch_child_send_rekey(struct ike_sa *sa)
{
	struct ike_prop esp[IKE_CFG_PROPS];
	uint8_t buf[IKE_MSG_MAX];
	struct ike_sa_pld pld;
	struct ike_build b;
	size_t i, n = sa->cfg.nesp, len;

	if (n == 0 || n > IKE_CFG_PROPS)
		return -1;
	memcpy(esp, sa->cfg.esp, n * sizeof(esp[0]));
	for (i = 0; i < n; i++) {
		esp[i].proto = PROP_PROTO_ESP;
		esp[i].spisize = 4;
		exch_prop_set_spi(&esp[i], sa->larval.spi_in);
	}
	if (exch_props_to_pld(esp, n, false, &pld) != 0 ||
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_CREATE_CHILD_SA, false) != 0)
		return -1;
	ike_build_notify(&b, IKE_PROTO_ESP, IKE_N_REKEY_SA, 4, sa->rk.old_spi_in, NULL, 0);
	ike_build_sa(&b, &pld);
	ike_build_nonce(&b, sa->rk.ni, sa->rk.ni_len);
	if (sa->rk.dh != NULL)
		exch_child_build_ke(&b, sa->rk.dh);
	exch_child_build_ts(&b, &sa->rk.ts_i, &sa->rk.ts_r);
	if (ike_msg_finish(sa, &b, buf, &len) != 0)
		return -1;
	return ike_msg_request(sa, buf, len);
}

int
exch_child_rekey(struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_child *old;
	uint16_t group;

	if (sa->state != IKE_S_ESTABLISHED || sa->retired || sa->inherit_pending ||
	    sa->win.req_active || (old = ike_sa_child_by_in(sa, spi_in)) == NULL) {
		log_warnx_f(IKE_SPI_FMT ": cannot rekey Child SA %08x now", IKE_SPI_ARGS(sa),
		    spi_in);
		return -1;
	}
	old->rekey_retry_ms = 0;
	exch_child_rk_clear(sa);
	sa->rk.old_spi_in = spi_in;
	sa->rk.ts_i = old->ts_local;
	sa->rk.ts_r = old->ts_remote;
	sa->rk.ni_len = CHILD_NONCE_LEN;
	sa->tbl->io.random(sa->tbl->io.ctx, sa->rk.ni, sa->rk.ni_len);
	group = exch_child_pfs_group(sa);
	if ((group == 0 || (sa->rk.dh = exch_child_dh(sa->tbl, group)) != NULL) &&
	    child_getspi(sa, old->reqid) == 0 && exch_child_send_rekey(sa) == 0) {
		log_debug_f(IKE_SPI_FMT ": rekeying Child SA %08x%s", IKE_SPI_ARGS(sa), spi_in,
		    group != 0 ? " with PFS" : "");
		return 0;
	}
	child_drop_larval(sa);
	exch_child_rk_clear(sa);
	log_warnx_f(IKE_SPI_FMT ": cannot send the rekey of Child SA %08x", IKE_SPI_ARGS(sa),
	    spi_in);
	return -1;
}

/* The first error notification of m, or 0. */
static uint16_t
exch_child_error(const struct ike_msg *m)
{
	size_t i;

	for (i = 0; i < m->nnotify; i++)
		if (m->notify[i].type <= CHILD_NOTIFY_ERR_MAX)
			return m->notify[i].type;
	return 0;
}

/* Checks the answer to our rekey and installs the new pair. */
static int
exch_child_take(struct ike_sa *sa, const struct ike_msg *m, uint32_t reqid)
{
	struct prop_ctx ctx = { .proto = PROP_PROTO_ESP, .spisize = 4 };
	uint8_t gir[DH_SHARED_MAX];
	struct child_pick pick;
	int rc = -1;

	if (sa->rk.dh != NULL)
		ctx.ke_group = sa->rk.dh->group;
	if (!ike_msg_has(m, IKE_PT_NONCE) ||
	    child_check_answer(sa, m, &ctx, &sa->rk.ts_i, &sa->rk.ts_r, reqid, &pick) != 0)
		return -1;
	pick.ni = (struct view){ sa->rk.ni, sa->rk.ni_len };
	pick.nr = m->nonce;
	pick.we_initiated = true;
	if (sa->rk.dh != NULL) {
		if (!ike_msg_has(m, IKE_PT_KE) || m->ke.group != sa->rk.dh->group ||
		    dh_shared(sa->rk.dh, m->ke.data.p, m->ke.data.len, gir, sizeof(gir)) != 0) {
			log_info(IKE_SPI_FMT ": the peer's KE in the rekey is not acceptable",
			    IKE_SPI_ARGS(sa));
			return -1;
		}
		pick.gir = gir;
		pick.girlen = sa->rk.dh->sharedlen;
	}
	rc = child_install(sa, &pick);
	secure_wipe(gir, sizeof(gir));
	return rc;
}

/*
 * TEMPORARY_FAILURE (RFC 7296 2.25): try again a little later, unless
 * the peer's own rekey of the pair went through meanwhile.
 */
static void
exch_child_later(struct ike_sa *sa, uint32_t old_in)
{
	struct ike_io *io = &sa->tbl->io;
	struct ike_child *c;

	if (sa->rk.peer_new_in != 0 && ike_sa_child_by_in(sa, sa->rk.peer_new_in) != NULL)
		return;
	if ((c = ike_sa_child_by_in(sa, old_in)) == NULL)
		return;
	if (++c->rekey_tries > CHILD_RETRIES) {
		log_warnx(IKE_SPI_FMT ": the peer keeps refusing to rekey Child SA %08x: giving up",
		    IKE_SPI_ARGS(sa), old_in);
		return;
	}
	c->rekey_retry_ms = io->now_ms(io->ctx) + exch_retry_ms(sa->tbl, true);
	ike_sa_timer_touch(sa);
}

/*
 * Our new pair new_in is in. Without a collision the old pair goes now;
 * with one (2.8.1), the exchange holding the lowest of the four nonces
 * made the redundant pair, which its initiator deletes, and the side
 * whose pair survives deletes the old one.
 */
static void
exch_child_settle(struct ike_sa *sa, const struct ike_msg *m, uint32_t old_in, uint32_t new_in)
{
	struct view ni = { sa->rk.ni, sa->rk.ni_len }, low;
	struct view peer_low = { sa->rk.peer_low, sa->rk.peer_low_len };
	uint32_t peer_in = sa->rk.peer_new_in;

	if (peer_in != 0 && ike_sa_child_by_in(sa, peer_in) != NULL) {
		low = exch_nonce_low(&ni, &m->nonce);
		if (exch_nonce_cmp(&low, &peer_low) < 0) {
			log_info(IKE_SPI_FMT ": simultaneous rekey of Child SA %08x: ours "
			    "(%08x) is redundant", IKE_SPI_ARGS(sa), old_in, new_in);
			if (exch_info_delete_child(sa, new_in) != 0)
				log_warnx_f(IKE_SPI_FMT ": redundant Child SA %08x not deleted",
				    IKE_SPI_ARGS(sa), new_in);
			return;
		}
		log_info(IKE_SPI_FMT ": simultaneous rekey of Child SA %08x: the peer's (%08x) is "
		    "redundant", IKE_SPI_ARGS(sa), old_in, peer_in);
		/* The peer deletes it; until then it must carry nothing of ours. */
		ike_sa_out_drop(sa, ike_sa_child_by_in(sa, peer_in));
	}
	/* The peer may have deleted the old pair meanwhile: then nothing to delete. */
	if (ike_sa_child_by_in(sa, old_in) != NULL && exch_info_delete_child(sa, old_in) != 0)
		log_warnx_f(IKE_SPI_FMT ": rekeyed Child SA %08x not deleted", IKE_SPI_ARGS(sa),
		    old_in);
}

void
exch_child_response(struct ike_sa *sa, const struct ike_msg *m)
{
	uint32_t old_in = sa->rk.old_spi_in, new_in = sa->larval.spi_in, reqid;
	struct ike_child *old;
	uint16_t err;

	if (old_in == 0) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return;
	}
	old = ike_sa_child_by_in(sa, old_in);
	reqid = old != NULL ? old->reqid : sa->larval.reqid;
	if ((err = exch_child_error(m)) != 0) {
		log_info(IKE_SPI_FMT ": the peer refused to rekey Child SA %08x (notify %u)",
		    IKE_SPI_ARGS(sa), old_in, err);
		child_drop_larval(sa);
		if (err == IKE_N_TEMPORARY_FAILURE)
			exch_child_later(sa, old_in);
	} else if (exch_child_take(sa, m, reqid) != 0) {
		/*
		 * The peer may have installed a pair we cannot use: a Delete of
		 * our new inbound SPI, its outbound one, removes it (1.4.1).
		 */
		ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
		if (new_in != 0 && exch_info_delete_esp(sa, new_in) != 0)
			log_warnx_f(IKE_SPI_FMT ": cannot delete the refused Child SA",
			    IKE_SPI_ARGS(sa));
		child_drop_larval(sa);
	} else
		exch_child_settle(sa, m, old_in, new_in);
	/* A pair of the peer's that a collision held back is due from now on. */
	exch_child_rk_clear(sa);
}

void
exch_child_tick(struct ike_sa *sa, uint64_t now)
{
	struct ike_child *c;
	uint32_t spi_in;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->rekey_retry_ms != 0 && c->rekey_retry_ms <= now)
			break;
	if (c == NULL)
		return;
	spi_in = c->spi_in;
	ike_sa_timer_touch(sa);
	if (exch_child_replaced(sa, spi_in)) {
		c->rekey_retry_ms = 0;
		return;
	}
	if (exch_child_rekey(sa, spi_in) == 0)
		return;
	/* A local failure: no busy loop, and not forever. */
	if (++c->rekey_tries > CHILD_RETRIES)
		c->rekey_retry_ms = 0;
	else
		c->rekey_retry_ms = now + exch_retry_ms(sa->tbl, true);
}

int
exch_child_rekey_queue(struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_io *io = &sa->tbl->io;
	struct ike_child *c;

	if ((c = ike_sa_child_by_in(sa, spi_in)) == NULL ||
	    (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_REKEYING)) {
		log_warnx_f(IKE_SPI_FMT ": no Child SA %08x to rekey", IKE_SPI_ARGS(sa), spi_in);
		return -1;
	}
	/* Under way: ours, or the peer's waiting for its old pair's Delete. */
	if (sa->rk.old_spi_in == spi_in || exch_child_replaced(sa, spi_in))
		return 0;
	if (sa->state == IKE_S_ESTABLISHED && !sa->retired && !sa->inherit_pending &&
	    !sa->win.req_active)
		return exch_child_rekey(sa, spi_in);
	c->rekey_tries = 0;
	c->rekey_retry_ms = io->now_ms(io->ctx);
	ike_sa_timer_touch(sa);
	return 0;
}

/* An answer holding only the error err (with the REKEY_SA's SPI, or data). */
static void
exch_child_refuse(struct ike_sa *sa, uint16_t err, const struct ike_notify *rekey,
    uint16_t ke_pref)
{
	uint8_t buf[IKE_MSG_MAX], grp[2] = { (uint8_t)(ke_pref >> 8), (uint8_t)ke_pref };
	struct ike_build b;
	size_t len;

	if (ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_CREATE_CHILD_SA, true) != 0)
		return;
	if (err == IKE_N_CHILD_SA_NOT_FOUND)	/* RFC 7296 3.10.1: the SPI asked for */
		ike_build_notify(&b, IKE_PROTO_ESP, err, 4, rekey->spi_val, NULL, 0);
	else if (err == IKE_N_INVALID_KE_PAYLOAD)
		ike_build_notify(&b, 0, err, 0, 0, grp, sizeof(grp));
	else
		ike_build_notify(&b, 0, err, 0, 0, NULL, 0);
	if (ike_msg_finish(sa, &b, buf, &len) == 0)
		ike_msg_respond(sa, buf, len);
}

/* SA (the chosen proposal, our SPI), Nr, [KEr], TSi, TSr. */
static int
exch_child_answer(struct ike_sa *sa, const struct child_pick *pick, const struct dh *dh)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_sa_pld pld;
	struct ike_build b;
	size_t len;

	if (exch_props_to_pld(&pick->prop, 1, false, &pld) != 0 ||
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_CREATE_CHILD_SA, true) != 0)
		return -1;
	ike_build_sa(&b, &pld);
	ike_build_nonce(&b, pick->nr.p, pick->nr.len);
	if (dh != NULL)
		exch_child_build_ke(&b, dh);
	exch_child_build_ts(&b, &pick->ts_remote, &pick->ts_local);
	if (ike_msg_finish(sa, &b, buf, &len) != 0)
		return -1;
	return ike_msg_respond(sa, buf, len);
}

/* The g^ir of a PFS rekey into gir; *dh gets our key pair. 0 or -1. */
static int
exch_child_pfs(struct ike_sa *sa, const struct ike_msg *m, uint16_t group, struct dh **dh,
    uint8_t *gir, size_t cap)
{
	if ((*dh = exch_child_dh(sa->tbl, group)) == NULL)
		return -1;
	if (dh_shared(*dh, m->ke.data.p, m->ke.data.len, gir, cap) != 0) {
		log_info(IKE_SPI_FMT ": the peer's KE in its rekey is not acceptable",
		    IKE_SPI_ARGS(sa));
		return -1;
	}
	return 0;
}

/*
 * Creates the new pair the peer asks for in place of old_in and answers;
 * or returns the error to answer with (INVALID_KE_PAYLOAD: asking for
 * *ke_pref). The new pair's outbound SA waits until the peer has the
 * pair (child_install_rekeyed()). *new_in gets the new pair's inbound
 * SPI and low (IKE_NONCE_MAX bytes) the lower nonce of the exchange.
 */
static uint16_t
exch_child_make(struct ike_sa *sa, const struct ike_msg *m, uint32_t old_in, uint16_t *ke_pref,
    uint32_t *new_in, uint8_t *low, size_t *low_len)
{
	struct prop_ctx ctx = { .proto = PROP_PROTO_ESP, .spisize = 4 };
	uint8_t gir[DH_SHARED_MAX], nr[CHILD_NONCE_LEN];
	const struct ike_xform *ke;
	struct child_pick pick;
	struct dh *dh = NULL;
	struct view lv;
	uint16_t err;

	if (ike_msg_has(m, IKE_PT_KE))
		ctx.ke_group = m->ke.group;
	if ((err = child_select(sa, m, &ctx, &pick)) != 0) {
		*ke_pref = pick.ke_pref;
		return err;
	}
	sa->tbl->io.random(sa->tbl->io.ctx, nr, sizeof(nr));
	pick.ni = m->nonce;
	pick.nr = (struct view){ nr, sizeof(nr) };
	pick.we_initiated = false;
	if ((ke = proposal_get(&pick.prop, PROP_T_KE)) != NULL && ke->id != 0) {
		if (exch_child_pfs(sa, m, ke->id, &dh, gir, sizeof(gir)) != 0)
			err = IKE_N_NO_PROPOSAL_CHOSEN;
		else {
			pick.gir = gir;
			pick.girlen = dh->sharedlen;
		}
	}
	*new_in = sa->larval.spi_in;
	lv = exch_nonce_low(&pick.ni, &pick.nr);
	memcpy(low, lv.p, lv.len);
	*low_len = lv.len;
	if (err != 0)
		child_drop_larval(sa);
	else if (child_install_rekeyed(sa, &pick, old_in) != 0)
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	else if (exch_child_answer(sa, &pick, dh) != 0)
		log_warnx_f(IKE_SPI_FMT ": cannot send the rekey answer", IKE_SPI_ARGS(sa));
	secure_wipe(gir, sizeof(gir));
	dh_free(dh);
	return err;
}

/*
 * The peer's rekey of old, taken while our own rekey may be out: our
 * larval SA waits aside. If ours rekeys the same pair, this is a
 * collision (2.8.1): remember the pair made and its exchange's nonce.
 */
static uint16_t
exch_child_accept(struct ike_sa *sa, const struct ike_msg *m, uint32_t old_in,
    uint16_t *ke_pref)
{
	struct ike_child ours = sa->larval;
	uint8_t low[IKE_NONCE_MAX];
	size_t low_len = 0;
	uint32_t new_in = 0;
	uint16_t err;

	sa->larval.spi_in = 0;
	err = exch_child_make(sa, m, old_in, ke_pref, &new_in, low, &low_len);
	/* Installed or dropped, the peer's larval SA is gone from the slot. */
	sa->larval = ours;
	if (err != 0 || sa->rk.old_spi_in != old_in)
		return err;
	sa->rk.peer_new_in = new_in;
	ike_sa_timer_touch(sa);
	memcpy(sa->rk.peer_low, low, low_len);
	sa->rk.peer_low_len = low_len;
	log_info(IKE_SPI_FMT ": the peer rekeys Child SA %08x too: its pair %08x waits for our "
	    "answer", IKE_SPI_ARGS(sa), old_in, new_in);
	return 0;
}

/*
 * RFC 7296 2.25: why the peer's rekey of the pair with outbound SPI
 * spi_out cannot be taken now, or 0 with *c the pair.
 */
static uint16_t
exch_child_refusal(struct ike_sa *sa, uint32_t spi_out, struct ike_child **c)
{
	/* The IKE SA is being rekeyed (2.25.2), replaced, or deleted. */
	if (sa->state != IKE_S_ESTABLISHED || sa->retired || sa->inherit_pending)
		return IKE_N_TEMPORARY_FAILURE;
	if ((*c = exch_child_by_out(sa, spi_out)) == NULL)
		return IKE_N_CHILD_SA_NOT_FOUND;
	/* Being deleted by us (2.25.1): after a rekey of ours, or as redundant. */
	if (sa->del_child_spi != 0 && sa->del_child_spi == (*c)->spi_in)
		return IKE_N_TEMPORARY_FAILURE;
	return 0;
}

void
exch_child_request(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify *rk;
	struct ike_child *c = NULL;
	uint16_t err, ke_pref = 0;

	if (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_REKEYING &&
	    sa->state != IKE_S_DELETING) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return;
	}
	rk = ike_msg_notify(m, IKE_N_REKEY_SA);
	if (rk == NULL || rk->proto != IKE_PROTO_ESP || rk->spi.len != 4) {
		/* A new Child SA: RFC 7296 3.10.1 lets us refuse. */
		exch_respond_notify(sa, IKE_EXCH_CREATE_CHILD_SA, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
		return;
	}
	if ((err = exch_child_refusal(sa, (uint32_t)rk->spi_val, &c)) == 0) {
		if (!ike_msg_has(m, IKE_PT_SA) || !ike_msg_has(m, IKE_PT_NONCE) ||
		    !ike_msg_has(m, IKE_PT_TSI) || !ike_msg_has(m, IKE_PT_TSR))
			err = IKE_N_INVALID_SYNTAX;
		else
			err = exch_child_accept(sa, m, c->spi_in, &ke_pref);
	}
	if (err != 0) {
		if (err != IKE_N_TEMPORARY_FAILURE)
			ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
		exch_child_refuse(sa, err, rk, ke_pref);
	}
}
