/*
 * exch_init.c: IKE_SA_INIT, initiator and responder; see exch_init.h.
 *
 *   Initiator                         Responder
 *   HDR, [N(COOKIE)], SAi1, KEi, Ni,
 *     N(NATD_SRC), N(NATD_DST)  -->
 *                               <--   HDR, SAr1, KEr, Nr, N(NATD_SRC), N(NATD_DST)
 *                               <--   or HDR, N(COOKIE | INVALID_KE_PAYLOAD |
 *                                               NO_PROPOSAL_CHOSEN), SPIr = 0
 *
 * The responder keeps no state for a refusal, so a flood of requests
 * costs it no memory; once more than cookie_threshold SAs are half-open
 * it keeps none at all until the initiator proves it receives at its
 * address by returning a cookie (2.6).
 *
 * An initiator acts on an explicit refusal (NO_PROPOSAL_CHOSEN) at once,
 * as strongSwan and iked do, but a response that is merely invalid (a
 * proposal we did not offer, a bad KE value) is dropped and the request
 * stays outstanding: IKE_SA_INIT is not authenticated, and a forged
 * answer must not end a negotiation that a real one may still complete.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto.h"
#include "dh.h"
#include "err.h"
#include "exch.h"
#include "exch_init.h"
#include "keymat.h"
#include "log.h"

#define INIT_NONCE_LEN		32
#define INIT_ROUNDS		4	/* IKE_SA_INIT repeats (cookie, group) allowed */
#define COOKIE_MAC_LEN		32	/* HMAC-SHA-256 */
#define COOKIE_LEN		(1 + COOKIE_MAC_LEN)	/* secret version | MAC */
#define REFUSAL_MAX		128	/* a header and one notification */

_Static_assert(COOKIE_LEN <= IKE_COOKIE_MAX, "cookie size");

int
exch_init_nat_hash(uint64_t spi_i, uint64_t spi_r, const struct gw_addr *a,
    uint8_t out[static IKE_NAT_HASH_LEN])
{
	uint8_t in[8 + 8 + 16 + 2];
	struct wr w = wr_init(in, sizeof(in));
	unsigned int n = 0;

	wr_u64be(&w, spi_i);
	wr_u64be(&w, spi_r);
	wr_bytes(&w, a->u.b, addr_len(a->af));
	wr_u16be(&w, a->port);
	if (w.err != 0 || addr_len(a->af) == 0 ||
	    EVP_Digest(in, w.off, out, &n, EVP_sha1(), NULL) != 1 || n != IKE_NAT_HASH_LEN)
		return -1;
	return 0;
}

/*
 * NAT_DETECTION_SOURCE_IP (our end) and _DESTINATION_IP (the peer's end);
 * a responder sends them only to an initiator that did (2.23). With NAT
 * traversal forced, our end's hash is random, so the peer sees a NAT.
 */
static void
exch_init_build_natd(struct ike_sa *sa, struct ike_build *b)
{
	struct ike_io *io = &sa->tbl->io;
	uint8_t h[IKE_NAT_HASH_LEN];

	if (sa->cfg.natt == IKE_NATT_OFF || (!sa->initiator && !sa->peer_natd))
		return;
	if (sa->cfg.natt == IKE_NATT_FORCE)
		io->random(io->ctx, h, sizeof(h));
	if (sa->cfg.natt == IKE_NATT_FORCE ||
	    exch_init_nat_hash(sa->spi_i, sa->spi_r, &sa->local, h) == 0)
		ike_build_notify(b, 0, IKE_N_NAT_DETECTION_SOURCE_IP, 0, 0, h, sizeof(h));
	if (exch_init_nat_hash(sa->spi_i, sa->spi_r, &sa->remote, h) == 0)
		ike_build_notify(b, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, 0, 0, h, sizeof(h));
}

/*
 * RFC 7296 2.23: a SOURCE_IP hash that matches no address we see the
 * peer at puts the peer behind a NAT; a DESTINATION_IP hash other than
 * that of where the message reached us puts us behind one. A peer that
 * sends neither does not do NAT traversal; with it off, we look at none.
 */
static void
exch_init_nat_check(struct ike_sa *sa, const struct ike_msg *m, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	uint8_t hs[IKE_NAT_HASH_LEN], hd[IKE_NAT_HASH_LEN];
	bool src = false, src_ok = false, dst = false, dst_ok = false;
	const struct ike_notify *n;
	size_t i;

	sa->nat_local = sa->nat_remote = sa->peer_natd = false;
	if (sa->cfg.natt == IKE_NATT_OFF)
		return;
	if (exch_init_nat_hash(m->hdr.spi_i, m->hdr.spi_r, remote, hs) != 0 ||
	    exch_init_nat_hash(m->hdr.spi_i, m->hdr.spi_r, local, hd) != 0)
		return;
	for (i = 0; i < m->nnotify; i++) {
		n = &m->notify[i];
		if (n->type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			src = true;
			src_ok |= n->data.len == sizeof(hs) &&
			    memcmp(n->data.p, hs, sizeof(hs)) == 0;
		} else if (n->type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			dst = true;
			dst_ok |= n->data.len == sizeof(hd) &&
			    memcmp(n->data.p, hd, sizeof(hd)) == 0;
		}
	}
	sa->peer_natd = src || dst;
	sa->nat_remote = src && !src_ok;
	/* Forced: we made the peer see a NAT, so we act as if behind one. */
	sa->nat_local = (dst && !dst_ok) || (sa->peer_natd && sa->cfg.natt == IKE_NATT_FORCE);
	if (sa->nat_remote || sa->nat_local)
		log_debug_f(IKE_SPI_FMT ": NAT detected (%s%s)", IKE_SPI_ARGS(sa),
		    sa->nat_local ? "local" : "", sa->nat_remote ? " remote" : "");
}

static struct dh *
exch_init_dh(struct ike_sa_table *t, uint16_t group)
{
	if (t->io.dh_new != NULL)
		return t->io.dh_new(t->io.ctx, group);
	return dh_new(group);
}

/* The group of our first KE payload: configured, else the first offered. */
static uint16_t
exch_init_group(const struct ike_cfg_peer *c)
{
	const struct ike_xform *x;
	size_t i;

	if (c->dh_group != 0)
		return c->dh_group;
	for (i = 0; i < c->nike; i++)
		if ((x = proposal_get(&c->ike[i], PROP_T_KE)) != NULL && x->id != 0)
			return x->id;
	return 0;
}

static bool
exch_init_offers_group(const struct ike_cfg_peer *c, uint16_t group)
{
	size_t i, j;

	for (i = 0; i < c->nike; i++)
		for (j = 0; j < c->ike[i].ntrans && j < PROP_XF_MAX; j++)
			if (c->ike[i].xf[j].type == PROP_T_KE && c->ike[i].xf[j].id == group)
				return true;
	return false;
}

/* Replaces *dst with a copy of buf[0..len). */
static int
exch_init_keep(uint8_t **dst, size_t *dlen, const uint8_t *buf, size_t len)
{
	uint8_t *p;

	if ((p = malloc(len)) == NULL)
		return -1;
	memcpy(p, buf, len);
	free(*dst);
	*dst = p;
	*dlen = len;
	return 0;
}

/* Builds and sends (again) the initiator's request; keeps it as RealMessage1. */
static int
exch_init_send(struct ike_sa *sa)
{
	uint8_t buf[IKE_MSG_MAX], pub[DH_PUB_MAX];
	struct ike_sa_pld pld;
	struct ike_build b;
	size_t len;

	if (exch_props_to_pld(sa->cfg.ike, sa->cfg.nike, false, &pld) != 0 ||
	    dh_public(sa->dh, pub, sizeof(pub)) != 0 ||
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_SA_INIT, false) != 0)
		return -1;
	/* RFC 7296 2.6: the cookie comes first. */
	if (sa->cookie_len > 0)
		ike_build_notify(&b, 0, IKE_N_COOKIE, 0, 0, sa->cookie, sa->cookie_len);
	ike_build_sa(&b, &pld);
	ike_build_ke(&b, sa->dh_group, pub, sa->dh->publen);
	ike_build_nonce(&b, sa->ni, sa->ni_len);
	exch_init_build_natd(sa, &b);
	if (ike_msg_finish(sa, &b, buf, &len) != 0 ||
	    exch_init_keep(&sa->init_req, &sa->init_req_len, buf, len) != 0 ||
	    ike_msg_request(sa, buf, len) != 0)
		return -1;
	return ike_sa_set_state(sa, IKE_S_INIT_SENT);
}

int
exch_init_start(struct ike_sa *sa)
{
	struct ike_sa_table *t = sa->tbl;

	if ((sa->dh_group = exch_init_group(&sa->cfg)) == 0) {
		log_warnx_f("peer %s: no key exchange group configured", sa->cfg.name);
		return -1;
	}
	if ((sa->dh = exch_init_dh(t, sa->dh_group)) == NULL) {
		log_warnx_f("peer %s: cannot make a %s key pair", sa->cfg.name,
		    dh_group_name(sa->dh_group));
		return -1;
	}
	sa->ni_len = INIT_NONCE_LEN;
	t->io.random(t->io.ctx, sa->ni, sa->ni_len);
	if (exch_init_send(sa) != 0) {
		log_warnx_f("peer %s: cannot send IKE_SA_INIT", sa->cfg.name);
		return -1;
	}
	return 0;
}

/*
 * SKEYSEED and the SK_* from g^ir (RFC 7296 2.14), and the SK protection
 * keyed from them. The SPIs and nonces are already in sa.
 */
static int
exch_init_derive(struct ike_sa *sa, const uint8_t *gir, size_t girlen)
{
	struct view ni = { sa->ni, sa->ni_len }, nr = { sa->nr, sa->nr_len };
	uint8_t spii[KEYMAT_SPI_LEN], spir[KEYMAT_SPI_LEN];
	struct keymat_xf xf;
	size_t i;
	int rc;

	for (i = 0; i < KEYMAT_SPI_LEN; i++) {
		spii[i] = (uint8_t)(sa->spi_i >> (56 - 8 * i));
		spir[i] = (uint8_t)(sa->spi_r >> (56 - 8 * i));
	}
	exch_keymat_xf(&sa->prop, &xf);
	if ((rc = keymat_ike_derive(&sa->km, &xf, gir, girlen, &ni, &nr, spii, spir)) != 0) {
		log_warnx_f(IKE_SPI_FMT ": key derivation failed: %s", IKE_SPI_ARGS(sa),
		    gw_strerror(rc));
		return -1;
	}
	return ike_msg_keys(sa);
}

/* A refusal that keeps no state: header with SPIr 0 and one notification. */
static void
exch_init_refuse(struct ike_sa_table *t, const struct ike_msg *m, const struct gw_addr *local,
    const struct gw_addr *remote, uint16_t type, const uint8_t *data, size_t dlen)
{
	struct ike_hdr h = { .spi_i = m->hdr.spi_i, .exch = IKE_EXCH_SA_INIT,
	    .flags = IKE_FLAG_R };
	uint8_t buf[REFUSAL_MAX];
	struct ike_build b;
	size_t len;

	ike_build_init(&b, buf, sizeof(buf));
	ike_build_header(&b, &h);
	ike_build_notify(&b, 0, type, 0, 0, data, dlen);
	if (ike_build_finish(&b, &len) == 0)
		ike_msg_xmit_to(t, buf, len, local, remote);
}

/* Starts, or rotates when due, the secret cookies are made with. */
static void
exch_init_cookie_secret(struct ike_sa_table *t)
{
	uint64_t now = t->io.now_ms(t->io.ctx);

	if (t->cookie_nsecrets > 0 && now - t->cookie_rotated_ms < IKE_COOKIE_ROTATE_MS)
		return;
	if (t->cookie_nsecrets > 0) {
		memcpy(t->cookie_secret[1], t->cookie_secret[0], IKE_COOKIE_SECRET);
		t->cookie_version++;
	}
	t->io.random(t->io.ctx, t->cookie_secret[0], IKE_COOKIE_SECRET);
	t->cookie_nsecrets = t->cookie_nsecrets > 0 ? 2 : 1;
	t->cookie_rotated_ms = now;
}

/* RFC 7296 2.6: Cookie = <VersionIDofSecret> | prf(<secret>, Ni | IPi | SPIi). */
static int
exch_init_cookie_make(const struct ike_sa_table *t, size_t which, const struct ike_msg *m,
    const struct gw_addr *remote, uint8_t out[static COOKIE_LEN])
{
	uint8_t in[IKE_NONCE_MAX + 1 + 16 + 8];
	struct wr w = wr_init(in, sizeof(in));

	wr_bytes(&w, m->nonce.p, m->nonce.len);
	wr_u8(&w, (uint8_t)remote->af);
	wr_bytes(&w, remote->u.b, addr_len(remote->af));
	wr_u64be(&w, m->hdr.spi_i);
	if (w.err != 0)
		return -1;
	out[0] = (uint8_t)(t->cookie_version - which);
	return crypto_hmac(CRYPTO_SHA256, t->cookie_secret[which], IKE_COOKIE_SECRET, in,
	    w.off, out + 1, COOKIE_MAC_LEN) == 0 ? 0 : -1;
}

/*
 * True if m carries a cookie we made for it under the current or the
 * previous secret. Otherwise answers with a fresh cookie and returns false.
 */
static bool
exch_init_cookie_ok(struct ike_sa_table *t, const struct ike_msg *m,
    const struct gw_addr *local, const struct gw_addr *remote)
{
	const struct ike_notify *n = ike_msg_notify(m, IKE_N_COOKIE);
	uint8_t want[COOKIE_LEN];
	size_t which;

	exch_init_cookie_secret(t);
	if (n != NULL && n->data.len == COOKIE_LEN) {
		which = (uint8_t)(t->cookie_version - n->data.p[0]);
		if (which < t->cookie_nsecrets &&
		    exch_init_cookie_make(t, which, m, remote, want) == 0 &&
		    ct_memeq(want, n->data.p, COOKIE_LEN))
			return true;
		ike_sa_count(t, IKE_ST_COOKIE_BAD);
	}
	if (exch_init_cookie_make(t, 0, m, remote, want) != 0)
		return false;
	ike_sa_count(t, IKE_ST_COOKIE_SENT);
	exch_init_refuse(t, m, local, remote, IKE_N_COOKIE, want, sizeof(want));
	return false;
}

/* A responder's half of the keys: its nonce, key pair, g^ir, SK_*. */
static int
exch_init_responder_keys(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_sa_table *t = sa->tbl;
	uint8_t gir[DH_SHARED_MAX];
	int rc = -1;

	memcpy(sa->ni, m->nonce.p, m->nonce.len);
	sa->ni_len = m->nonce.len;
	sa->nr_len = INIT_NONCE_LEN;
	t->io.random(t->io.ctx, sa->nr, sa->nr_len);
	if ((sa->dh = exch_init_dh(t, sa->dh_group)) == NULL)
		return -1;
	if (dh_shared(sa->dh, m->ke.data.p, m->ke.data.len, gir, sizeof(gir)) == 0)
		rc = exch_init_derive(sa, gir, sa->dh->sharedlen);
	secure_wipe(gir, sizeof(gir));
	return rc;
}

static int
exch_init_send_response(struct ike_sa *sa)
{
	uint8_t buf[IKE_MSG_MAX], pub[DH_PUB_MAX];
	struct ike_sa_pld pld;
	struct ike_build b;
	size_t len;

	if (exch_props_to_pld(&sa->prop, 1, false, &pld) != 0 ||
	    dh_public(sa->dh, pub, sizeof(pub)) != 0 ||
	    ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_SA_INIT, true) != 0)
		return -1;
	ike_build_sa(&b, &pld);
	ike_build_ke(&b, sa->dh_group, pub, sa->dh->publen);
	ike_build_nonce(&b, sa->nr, sa->nr_len);
	exch_init_build_natd(sa, &b);
	if (ike_msg_finish(sa, &b, buf, &len) != 0 ||
	    exch_init_keep(&sa->init_resp, &sa->init_resp_len, buf, len) != 0 ||
	    ike_sa_set_state(sa, IKE_S_INIT_DONE) != 0)
		return -1;
	ike_msg_respond(sa, buf, len);
	dh_free(sa->dh);
	sa->dh = NULL;
	return 0;
}

/* A new half-open SA for the chosen proposal, keyed and answered. */
static void
exch_init_accept(struct ike_sa_table *t, const struct ike_cfg_peer *cfg,
    const struct ike_prop *chosen, const struct ike_msg *m, const uint8_t *buf, size_t len,
    const struct gw_addr *local, const struct gw_addr *remote)
{
	struct ike_sa *sa;

	if ((sa = ike_sa_new(t, false, cfg, local, remote, m->hdr.spi_i)) == NULL)
		return;
	sa->prop = *chosen;
	sa->dh_group = m->ke.group;
	if (exch_init_keep(&sa->init_req, &sa->init_req_len, buf, len) != 0 ||
	    exch_init_responder_keys(sa, m) != 0) {
		/* A KE value that does not validate lands here as well. */
		ike_sa_count(t, IKE_ST_DROP_INVALID);
		ike_sa_destroy(sa);
		return;
	}
	exch_init_nat_check(sa, m, local, remote);
	ike_msg_accept(sa, m);
	if (exch_init_send_response(sa) != 0) {
		log_warnx_f(IKE_SPI_FMT ": cannot answer IKE_SA_INIT", IKE_SPI_ARGS(sa));
		ike_sa_destroy(sa);
	}
}

/* Proposal selection; a refusal is answered here and returns -1. */
static int
exch_init_select(struct ike_sa_table *t, const struct ike_cfg_peer *cfg,
    const struct ike_msg *m, const struct gw_addr *local, const struct gw_addr *remote,
    struct ike_prop *chosen)
{
	struct prop_ctx ctx = { .proto = PROP_PROTO_IKE, .spisize = 0,
	    .ke_group = m->ke.group };
	struct ike_prop peer[IKE_MAX_PROPS];
	char a[GW_ADDR_STRLEN];
	uint16_t pref = 0;
	uint8_t g[2];
	size_t n;

	n = exch_props_from_pld(&m->sa, peer, IKE_MAX_PROPS);
	switch (proposal_select(cfg->ike, cfg->nike, peer, n, &ctx, chosen, &pref)) {
	case PROP_CHOSEN:
		return 0;
	case PROP_INVALID_KE_PAYLOAD:
		log_debug_f("peer %s: KE group %u, asking for %u", addr_ntop(remote, a, sizeof(a)),
		    m->ke.group, pref);
		g[0] = (uint8_t)(pref >> 8);
		g[1] = (uint8_t)pref;
		exch_init_refuse(t, m, local, remote, IKE_N_INVALID_KE_PAYLOAD, g, sizeof(g));
		return -1;
	default:
		log_info("peer %s: no IKE proposal chosen", addr_ntop(remote, a, sizeof(a)));
		exch_init_refuse(t, m, local, remote, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -1;
	}
}

/* RFC 7296 2.1: the same request again gets the same response. */
static void
exch_init_again(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *buf, size_t len)
{
	if (m->hdr.msgid == 0 && sa->win.peer_id == 1 && sa->init_req != NULL &&
	    sa->init_req_len == len && memcmp(sa->init_req, buf, len) == 0) {
		ike_msg_resend(sa);
		return;
	}
	ike_sa_count(sa->tbl, IKE_ST_DROP_WINDOW);
}

void
exch_init_request(struct ike_sa_table *t, const struct ike_msg *m, const uint8_t *buf,
    size_t len, const struct gw_addr *local, const struct gw_addr *remote)
{
	const struct ike_cfg_peer *cfg;
	struct ike_prop chosen;
	struct ike_sa *sa;
	char a[GW_ADDR_STRLEN];

	if ((sa = ike_sa_find_init(t, m->hdr.spi_i, remote)) != NULL) {
		exch_init_again(sa, m, buf, len);
		return;
	}
	/* RFC 7296 3.1: from the original initiator, SPIr 0, Message ID 0. */
	if ((m->hdr.flags & IKE_FLAG_I) == 0 || m->hdr.spi_r != 0 || m->hdr.msgid != 0 ||
	    !ike_msg_has(m, IKE_PT_SA) || !ike_msg_has(m, IKE_PT_KE) ||
	    !ike_msg_has(m, IKE_PT_NONCE)) {
		ike_sa_count(t, IKE_ST_DROP_INVALID);
		return;
	}
	if ((cfg = t->hooks.peer_by_addr(t->hooks.ctx, local, remote)) == NULL) {
		log_debug_f("peer %s: no configuration", addr_ntop(remote, a, sizeof(a)));
		exch_init_refuse(t, m, local, remote, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (t->half_open >= t->cookie_threshold && !exch_init_cookie_ok(t, m, local, remote))
		return;
	if (exch_init_select(t, cfg, m, local, remote, &chosen) != 0)
		return;
	exch_init_accept(t, cfg, &chosen, m, buf, len, local, remote);
}

/* The responder asks for a cookie: repeat the request with it (2.6). */
static void
exch_init_retry_cookie(struct ike_sa *sa, const struct ike_msg *m, const struct ike_notify *n)
{
	if (n->data.len == 0 || n->data.len > sizeof(sa->cookie) ||
	    sa->init_rounds >= INIT_ROUNDS) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
		return;
	}
	sa->init_rounds++;
	memcpy(sa->cookie, n->data.p, n->data.len);
	sa->cookie_len = n->data.len;
	ike_msg_accept(sa, m);
	ike_msg_rewind_init(sa);
	if (exch_init_send(sa) != 0)
		ike_sa_kill(sa, IKE_F_LOCAL);
}

/* INVALID_KE_PAYLOAD (1.2): repeat with the group asked for, if we offered it. */
static void
exch_init_retry_ke(struct ike_sa *sa, const struct ike_msg *m, const struct ike_notify *n)
{
	struct rd r = rd_init(n->data.p, n->data.len);
	uint16_t group = 0;
	struct dh *dh;

	rd_u16be(&r, &group);
	if (rd_done(&r) != 0 || group == sa->dh_group ||
	    !exch_init_offers_group(&sa->cfg, group) || sa->init_rounds >= INIT_ROUNDS) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
		log_debug_f(IKE_SPI_FMT ": INVALID_KE_PAYLOAD for group %u ignored",
		    IKE_SPI_ARGS(sa), group);
		return;
	}
	ike_msg_accept(sa, m);
	if ((dh = exch_init_dh(sa->tbl, group)) == NULL) {
		ike_sa_kill(sa, IKE_F_INVALID_KE);
		return;
	}
	log_debug_f(IKE_SPI_FMT ": peer wants group %s", IKE_SPI_ARGS(sa), dh_group_name(group));
	sa->init_rounds++;
	dh_free(sa->dh);
	sa->dh = dh;
	sa->dh_group = group;
	ike_msg_rewind_init(sa);
	if (exch_init_send(sa) != 0)
		ike_sa_kill(sa, IKE_F_LOCAL);
}

/* An error notification ends the attempt; returns false if m has none. */
static bool
exch_init_error(struct ike_sa *sa, const struct ike_msg *m)
{
	char peer[IKE_PEER_STRLEN];
	size_t i;

	for (i = 0; i < m->nnotify; i++) {
		if (m->notify[i].type > IKE_N_ERROR_MAX)
			continue;
		log_info(IKE_SPI_FMT ": peer %s refused IKE_SA_INIT: error %u%s", IKE_SPI_ARGS(sa),
		    ike_sa_peer_str(sa, peer, sizeof(peer)), m->notify[i].type,
		    m->notify[i].type == IKE_N_NO_PROPOSAL_CHOSEN ? " (NO_PROPOSAL_CHOSEN)" : "");
		ike_msg_accept(sa, m);
		ike_sa_kill(sa, m->notify[i].type == IKE_N_NO_PROPOSAL_CHOSEN ?
		    IKE_F_NO_PROPOSAL : IKE_F_PEER);
		return true;
	}
	return false;
}

/* The answer must pick one of our proposals, with our KE group. */
static int
exch_init_check_reply(const struct ike_sa *sa, const struct ike_msg *m, struct ike_prop *reply)
{
	struct prop_ctx ctx = { .proto = PROP_PROTO_IKE, .spisize = 0,
	    .ke_group = sa->dh_group };

	if (m->hdr.spi_r == 0 || !ike_msg_has(m, IKE_PT_SA) || !ike_msg_has(m, IKE_PT_KE) ||
	    !ike_msg_has(m, IKE_PT_NONCE) || m->sa.nprop != 1)
		return -1;
	if (exch_props_from_pld(&m->sa, reply, 1) != 1 ||
	    proposal_check_reply(sa->cfg.ike, sa->cfg.nike, reply, &ctx) < 0)
		return -1;
	if (m->ke.group != sa->dh_group || m->ke.data.len != sa->dh->publen)
		return -1;
	return 0;
}

int
exch_init_response(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *buf,
    size_t len, const struct gw_addr *local, const struct gw_addr *remote)
{
	const struct ike_notify *n;
	uint8_t gir[DH_SHARED_MAX];
	struct ike_prop reply;
	int rc;

	if (sa->state != IKE_S_INIT_SENT) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return 0;
	}
	if ((n = ike_msg_notify(m, IKE_N_COOKIE)) != NULL) {
		exch_init_retry_cookie(sa, m, n);
		return 0;
	}
	if ((n = ike_msg_notify(m, IKE_N_INVALID_KE_PAYLOAD)) != NULL) {
		exch_init_retry_ke(sa, m, n);
		return 0;
	}
	if (exch_init_error(sa, m))
		return 0;
	/* Everything is checked, the peer's KE value included, before sa changes. */
	if (exch_init_check_reply(sa, m, &reply) != 0 ||
	    dh_shared(sa->dh, m->ke.data.p, m->ke.data.len, gir, sizeof(gir)) != 0) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_INVALID);
		log_debug_f(IKE_SPI_FMT ": IKE_SA_INIT response refused", IKE_SPI_ARGS(sa));
		return 0;
	}
	ike_msg_accept(sa, m);
	sa->spi_r = m->hdr.spi_r;
	sa->prop = reply;
	memcpy(sa->nr, m->nonce.p, m->nonce.len);
	sa->nr_len = m->nonce.len;
	rc = exch_init_derive(sa, gir, sa->dh->sharedlen);
	secure_wipe(gir, sizeof(gir));
	if (rc != 0 || exch_init_keep(&sa->init_resp, &sa->init_resp_len, buf, len) != 0 ||
	    ike_sa_set_state(sa, IKE_S_INIT_DONE) != 0) {
		ike_sa_kill(sa, IKE_F_LOCAL);
		return 0;
	}
	exch_init_nat_check(sa, m, local, remote);
	dh_free(sa->dh);
	sa->dh = NULL;
	return 1;
}
