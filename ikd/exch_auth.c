/*
 * exch_auth.c: IKE_AUTH with pre-shared keys; see exch_auth.h.
 *
 * Both sides check everything about the peer before anything about the
 * Child SA: the ID the peer claims (against the configured remote ID),
 * then its AUTH under the PSK of that ID. A responder answers a failure
 * with AUTHENTICATION_FAILED and forgets the half-open SA; an initiator
 * reports it in an INFORMATIONAL request (RFC 7296 2.21.2) and deletes
 * its SA too. A Child SA failure after a good AUTH leaves the IKE SA up
 * (2.21.2: "the IKE SA is still created").
 */
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "exch.h"
#include "exch_auth.h"
#include "exch_info.h"
#include "keymat.h"
#include "log.h"
#include "psk.h"

#define AUTH_ID_BODY_MAX	(IKE_ID_HDR_LEN + IKE_ID_MAX)

/* RFC 7296 1.2: the first Child SA has no KE payload, so KE is not negotiated. */
static const struct prop_ctx auth_child_ctx = { .proto = PROP_PROTO_ESP, .spisize = 4,
    .ignore_ke = true };

/* Its keys come from the IKE SA's nonces, without PFS (2.17). */
static void
auth_child_keys(const struct ike_sa *sa, struct child_pick *pick)
{
	pick->ni = (struct view){ sa->ni, sa->ni_len };
	pick->nr = (struct view){ sa->nr, sa->nr_len };
	pick->we_initiated = sa->initiator;	/* IKE_AUTH follows IKE_SA_INIT's roles */
	pick->gir = NULL;
	pick->girlen = 0;
}

/* Our identity: the configured one, else our address (RFC 7296 3.5). */
static void
auth_local_id(const struct ike_sa *sa, struct ike_idv *id)
{
	const struct gw_addr *a = &sa->cfg.local;

	if (sa->cfg.local_id.type != 0) {
		*id = sa->cfg.local_id;
		return;
	}
	memset(id, 0, sizeof(*id));
	id->type = a->af == AF_INET6 ? IKE_ID_IPV6_ADDR : IKE_ID_IPV4_ADDR;
	id->len = (uint8_t)addr_len(a->af);
	memcpy(id->data, a->u.b, id->len);
}

static int
auth_id_from_pld(const struct ike_id *p, struct ike_idv *id)
{
	memset(id, 0, sizeof(*id));
	if (p->data.len > IKE_ID_MAX)
		return -1;
	id->type = p->type;
	id->len = (uint8_t)p->data.len;
	memcpy(id->data, p->data.p, p->data.len);
	return 0;
}

static bool
auth_id_eq(const struct ike_idv *a, const struct ike_idv *b)
{
	return a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* RFC 7296 2.15: AUTH covers the ID payload body, ID Type | RESERVED | data. */
static struct view
auth_id_body(const struct ike_idv *id, uint8_t buf[static AUTH_ID_BODY_MAX])
{
	memset(buf, 0, IKE_ID_HDR_LEN);
	buf[0] = id->type;
	memcpy(buf + IKE_ID_HDR_LEN, id->data, id->len);
	return (struct view){ buf, IKE_ID_HDR_LEN + (size_t)id->len };
}

int
exch_auth_psk_lookup(const struct psk_table *t, const struct ike_idv *id,
    const struct gw_addr *remote, struct view *key)
{
	struct gw_addr a = { 0 };

	if (t == NULL)
		return -1;
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		a.af = id->type == IKE_ID_IPV4_ADDR ? AF_INET : AF_INET6;
		a.plen = (uint8_t)addr_maxplen(a.af);
		if (id->len == addr_len(a.af)) {
			memcpy(a.u.b, id->data, id->len);
			if (psk_lookup_addr(t, &a, key) == 0)
				return 0;
		}
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_KEY_ID:
		if (psk_lookup(t, (const char *)id->data, id->len, key) == 0)
			return 0;
		break;
	}
	return psk_lookup_addr(t, remote, key);
}

/* The PSK shared with the peer whose ID is id: the callback's, else psk.txt's. */
static int
auth_psk(const struct ike_sa *sa, const struct ike_idv *id, struct view *key)
{
	const struct ike_cfg_peer *c = &sa->cfg;

	if (c->psk_fn != NULL)
		return c->psk_fn(c->psk_ctx, id, &sa->remote, key);
	return exch_auth_psk_lookup(c->psk, id, &sa->remote, key);
}

/* Who the peer is: its configured ID, else (initiator) only its address. */
static void
auth_peer_id(const struct ike_sa *sa, struct ike_idv *id)
{
	if (sa->cfg.remote_id.type != 0)
		*id = sa->cfg.remote_id;
	else
		memset(id, 0, sizeof(*id));
}

/*
 * Our AUTH: signed over our IKE_SA_INIT message and the peer's nonce, with
 * the PSK of peer. out has KEYMAT_PRF_MAX bytes; *len gets the length.
 */
static int
auth_sign(const struct ike_sa *sa, const struct ike_idv *me, const struct ike_idv *peer,
    uint8_t *out, size_t *len)
{
	uint8_t body[AUTH_ID_BODY_MAX];
	struct view psk, msg, nonce, id = auth_id_body(me, body);

	if (auth_psk(sa, peer, &psk) != 0)
		return -1;
	msg = sa->initiator ? (struct view){ sa->init_req, sa->init_req_len } :
	    (struct view){ sa->init_resp, sa->init_resp_len };
	nonce = sa->initiator ? (struct view){ sa->nr, sa->nr_len } :
	    (struct view){ sa->ni, sa->ni_len };
	*len = keymat_prf_len(keymat_ike_prf(sa->km));
	return keymat_ike_psk_auth(sa->km, sa->initiator, psk.p, psk.len, &msg, &nonce, &id,
	    out, KEYMAT_PRF_MAX) == 0 ? 0 : -1;
}

/*
 * The peer's ID payload pid and its AUTH in m: the ID must be the one
 * configured (if any) and AUTH must verify under that ID's PSK. Returns 0,
 * or -1 after logging why.
 */
static int
auth_verify(const struct ike_sa *sa, const struct ike_msg *m, const struct ike_id *pid)
{
	char peer[IKE_PEER_STRLEN], ids[EXCH_ID_STRLEN];
	struct view psk, msg, nonce;
	struct ike_idv id;

	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (auth_id_from_pld(pid, &id) != 0)
		return -1;
	exch_id_str(&id, ids, sizeof(ids));
	if (sa->cfg.remote_id.type != 0 && !auth_id_eq(&id, &sa->cfg.remote_id)) {
		log_info(IKE_SPI_FMT ": peer %s: ID %s is not the configured one", IKE_SPI_ARGS(sa),
		    peer, ids);
		return -1;
	}
	if (m->auth.method != IKE_AUTH_SHARED_KEY_MIC) {
		log_info(IKE_SPI_FMT ": peer %s: AUTH method %u, not a shared key",
		    IKE_SPI_ARGS(sa), peer, m->auth.method);
		return -1;
	}
	if (auth_psk(sa, &id, &psk) != 0) {
		log_info(IKE_SPI_FMT ": peer %s: no pre-shared key for ID %s", IKE_SPI_ARGS(sa),
		    peer, ids);
		return -1;
	}
	/* The peer signed its own IKE_SA_INIT message and our nonce. */
	msg = sa->initiator ? (struct view){ sa->init_resp, sa->init_resp_len } :
	    (struct view){ sa->init_req, sa->init_req_len };
	nonce = sa->initiator ? (struct view){ sa->ni, sa->ni_len } :
	    (struct view){ sa->nr, sa->nr_len };
	if (keymat_ike_psk_verify(sa->km, !sa->initiator, psk.p, psk.len, &msg, &nonce,
	    &pid->body, m->auth.data.p, m->auth.data.len) != 0)
		return -1;
	log_debug_f(IKE_SPI_FMT ": peer %s authenticated as %s", IKE_SPI_ARGS(sa), peer, ids);
	return 0;
}

static void
auth_failed(struct ike_sa *sa)
{
	char peer[IKE_PEER_STRLEN];

	ike_sa_count(sa->tbl, IKE_ST_AUTH_FAIL);
	log_info(IKE_SPI_FMT ": authentication failed for peer %s", IKE_SPI_ARGS(sa),
	    ike_sa_peer_str(sa, peer, sizeof(peer)));
}

/* The IKE SA is up; the init messages are no longer needed. */
static void
auth_established(struct ike_sa *sa)
{
	char peer[IKE_PEER_STRLEN];

	free(sa->init_req);
	free(sa->init_resp);
	sa->init_req = sa->init_resp = NULL;
	sa->init_req_len = sa->init_resp_len = 0;
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	log_info(IKE_SPI_FMT ": IKE SA established with peer %s%s", IKE_SPI_ARGS(sa),
	    ike_sa_peer_str(sa, peer, sizeof(peer)),
	    sa->nat_local || sa->nat_remote ? " (NAT traversal)" : "");
}

static void
auth_hook(struct ike_sa *sa)
{
	struct ike_sa_table *t = sa->tbl;

	if (sa->state == IKE_S_ESTABLISHED && t->hooks.established != NULL)
		t->hooks.established(t->hooks.ctx, sa);
}

/* Builds and sends the initiator's request; sa's SPI and IDs are ready. */
static int
auth_send_request(struct ike_sa *sa, const struct ike_idv *me, const struct ike_idv *peer,
    const uint8_t *auth, size_t alen)
{
	struct ike_ts tsw[IKE_TSL_MAX];
	uint8_t buf[IKE_MSG_MAX];
	struct ike_tsl tsi, tsr;
	struct ike_sa_pld pld;
	struct ike_build b;
	size_t len;

	if (child_offer(sa, &pld, &tsi, &tsr) != 0 ||
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_AUTH, false) != 0)
		return -1;
	ike_build_id(&b, IKE_PT_IDI, me->type, me->data, me->len);
	if (peer->type != 0)
		ike_build_id(&b, IKE_PT_IDR, peer->type, peer->data, peer->len);
	ike_build_auth(&b, IKE_AUTH_SHARED_KEY_MIC, auth, alen);
	ike_build_sa(&b, &pld);
	ike_ts_to_pld(&tsi, tsw);
	ike_build_ts(&b, IKE_PT_TSI, tsw, tsi.n);
	ike_ts_to_pld(&tsr, tsw);
	ike_build_ts(&b, IKE_PT_TSR, tsw, tsr.n);
	if (ike_msg_finish(sa, &b, buf, &len) != 0 || ike_msg_request(sa, buf, len) != 0)
		return -1;
	return ike_sa_set_state(sa, IKE_S_AUTH_SENT);
}

int
exch_auth_start(struct ike_sa *sa)
{
	uint8_t auth[KEYMAT_PRF_MAX];
	char peer[IKE_PEER_STRLEN];
	struct ike_idv me, them;
	size_t alen = 0;
	int rc = -1;

	/* RFC 7296 2.23: behind a NAT, IKE moves to port 4500 from here on. */
	if (sa->nat_local || sa->nat_remote) {
		sa->local.port = IKE_NATT_PORT;
		sa->remote.port = IKE_NATT_PORT;
	}
	auth_local_id(sa, &me);
	auth_peer_id(sa, &them);
	if (auth_sign(sa, &me, &them, auth, &alen) != 0)
		log_warnx(IKE_SPI_FMT ": no pre-shared key for peer %s", IKE_SPI_ARGS(sa),
		    ike_sa_peer_str(sa, peer, sizeof(peer)));
	else if (child_getspi(sa, sa->child_req.reqid) == 0)
		rc = auth_send_request(sa, &me, &them, auth, alen);
	secure_wipe(auth, sizeof(auth));
	if (rc != 0) {
		log_warnx_f(IKE_SPI_FMT ": cannot send IKE_AUTH", IKE_SPI_ARGS(sa));
		ike_sa_kill(sa, IKE_F_LOCAL);
	}
	return rc;
}

/* The Child SA part of the responder's answer: SA, TSi, TSr or the error. */
static void
auth_build_child(struct ike_build *b, const struct child_pick *pick, uint16_t err)
{
	struct ike_ts tsw[IKE_TSL_MAX];
	struct ike_sa_pld pld;

	if (err != 0 || exch_props_to_pld(&pick->prop, 1, true, &pld) != 0) {
		ike_build_notify(b, 0, err != 0 ? err : IKE_N_NO_PROPOSAL_CHOSEN, 0, 0, NULL, 0);
		return;
	}
	ike_build_sa(b, &pld);
	ike_ts_to_pld(&pick->ts_remote, tsw);
	ike_build_ts(b, IKE_PT_TSI, tsw, pick->ts_remote.n);
	ike_ts_to_pld(&pick->ts_local, tsw);
	ike_build_ts(b, IKE_PT_TSR, tsw, pick->ts_local.n);
}

/* The responder's answer after a good AUTH from the initiator. */
static int
auth_respond(struct ike_sa *sa, const struct ike_msg *m, const struct child_pick *pick,
    uint16_t err)
{
	uint8_t buf[IKE_MSG_MAX], auth[KEYMAT_PRF_MAX];
	struct ike_idv me, peer;
	struct ike_build b;
	size_t len, alen = 0;
	int rc = -1;

	auth_local_id(sa, &me);
	if (auth_id_from_pld(&m->idi, &peer) == 0 && auth_sign(sa, &me, &peer, auth, &alen) == 0 &&
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_AUTH, true) == 0) {
		ike_build_id(&b, IKE_PT_IDR, me.type, me.data, me.len);
		ike_build_auth(&b, IKE_AUTH_SHARED_KEY_MIC, auth, alen);
		auth_build_child(&b, pick, err);
		/* A response that could not be cached was still sent: that is enough. */
		if (ike_msg_finish(sa, &b, buf, &len) == 0) {
			ike_msg_respond(sa, buf, len);
			rc = 0;
		}
	}
	secure_wipe(auth, sizeof(auth));
	return rc;
}

/*
 * IDr in a request names whom the initiator wants to reach. RFC 7296 3.5
 * lets a responder answer as someone else; the initiator then decides, so
 * a mismatch is only noted.
 */
static void
auth_idr_note(const struct ike_sa *sa, const struct ike_msg *m)
{
	char want_s[EXCH_ID_STRLEN], me_s[EXCH_ID_STRLEN];
	struct ike_idv want, me;

	if (!ike_msg_has(m, IKE_PT_IDR) || auth_id_from_pld(&m->idr, &want) != 0)
		return;
	auth_local_id(sa, &me);
	if (!auth_id_eq(&want, &me))
		log_debug_f(IKE_SPI_FMT ": peer asks for ID %s, answering as %s",
		    IKE_SPI_ARGS(sa), exch_id_str(&want, want_s, sizeof(want_s)),
		    exch_id_str(&me, me_s, sizeof(me_s)));
}

void
exch_auth_request(struct ike_sa *sa, const struct ike_msg *m)
{
	struct child_pick pick;
	uint16_t err;

	if (sa->initiator || sa->state != IKE_S_INIT_DONE) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return;
	}
	if (!ike_msg_has(m, IKE_PT_IDI) || !ike_msg_has(m, IKE_PT_AUTH) ||
	    !ike_msg_has(m, IKE_PT_SA) || !ike_msg_has(m, IKE_PT_TSI) ||
	    !ike_msg_has(m, IKE_PT_TSR)) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
		exch_respond_notify(sa, IKE_EXCH_AUTH, IKE_N_INVALID_SYNTAX, NULL, 0);
		ike_sa_kill(sa, IKE_F_PEER);
		return;
	}
	auth_idr_note(sa, m);
	if (auth_verify(sa, m, &m->idi) != 0) {
		auth_failed(sa);
		exch_respond_notify(sa, IKE_EXCH_AUTH, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		ike_sa_kill(sa, IKE_F_AUTH);
		return;
	}
	err = child_select(sa, m, &auth_child_ctx, &pick);
	auth_child_keys(sa, &pick);
	if (err == 0 && child_install(sa, &pick) != 0)
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	if (auth_respond(sa, m, &pick, err) != 0) {
		log_warnx_f(IKE_SPI_FMT ": cannot answer IKE_AUTH", IKE_SPI_ARGS(sa));
		ike_sa_kill(sa, IKE_F_LOCAL);
		return;
	}
	auth_established(sa);
	auth_hook(sa);
}

/* The Child SA half of the responder's answer. */
static void
auth_child_result(struct ike_sa *sa, const struct ike_msg *m)
{
	struct child_pick pick;
	size_t i;

	for (i = 0; i < m->nnotify; i++) {
		if (m->notify[i].type > IKE_N_ERROR_MAX)
			continue;
		log_info(IKE_SPI_FMT ": Child SA not created: the peer answered error %u%s",
		    IKE_SPI_ARGS(sa), m->notify[i].type,
		    m->notify[i].type == IKE_N_TS_UNACCEPTABLE ? " (TS_UNACCEPTABLE)" :
		    m->notify[i].type == IKE_N_NO_PROPOSAL_CHOSEN ? " (NO_PROPOSAL_CHOSEN)" : "");
		child_drop_larval(sa);
		return;
	}
	if (child_check_reply(sa, m, &auth_child_ctx, &pick) == 0) {
		auth_child_keys(sa, &pick);
		if (child_install(sa, &pick) == 0)
			return;
	}
	/* The peer installed what it answered: tear it all down. */
	exch_info_delete(sa, IKE_F_PEER);
}

void
exch_auth_response(struct ike_sa *sa, const struct ike_msg *m)
{
	char peer[IKE_PEER_STRLEN];

	if (!sa->initiator || sa->state != IKE_S_AUTH_SENT) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return;
	}
	if (ike_msg_notify(m, IKE_N_AUTHENTICATION_FAILED) != NULL) {
		ike_sa_count(sa->tbl, IKE_ST_AUTH_FAIL);
		log_info(IKE_SPI_FMT ": authentication failed for peer %s (refused by the peer)",
		    IKE_SPI_ARGS(sa), ike_sa_peer_str(sa, peer, sizeof(peer)));
		ike_sa_kill(sa, IKE_F_AUTH);
		return;
	}
	if (!ike_msg_has(m, IKE_PT_IDR) || !ike_msg_has(m, IKE_PT_AUTH)) {
		log_info(IKE_SPI_FMT ": peer %s refused IKE_AUTH (error %u)", IKE_SPI_ARGS(sa),
		    ike_sa_peer_str(sa, peer, sizeof(peer)),
		    m->nnotify > 0 ? m->notify[0].type : 0);
		ike_sa_kill(sa, IKE_F_PEER);
		return;
	}
	if (auth_verify(sa, m, &m->idr) != 0) {
		auth_failed(sa);
		exch_info_auth_failed(sa);
		ike_sa_kill(sa, IKE_F_AUTH);
		return;
	}
	auth_established(sa);
	auth_child_result(sa, m);
	auth_hook(sa);
}
