/*
 * child.c: Child SA negotiation and installation; see child.h.
 *
 * Traffic selectors, responder side (RFC 7296 2.9): the initiator's TSi
 * is narrowed to the peer side of a configured policy and its TSr to our
 * side; the first policy that leaves both non-empty wins, and its reqid
 * ties the SAs to the policy in the data path. An offer that overlaps no
 * policy is TS_UNACCEPTABLE, and the log says what was asked and what
 * exists, which is what an operator needs to fix either end.
 */
#include <linux/ipsec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alg.h"
#include "exch.h"
#include "child.h"
#include "dh.h"
#include "log.h"

#define CHILD_CONF_STRLEN	1024

static struct gw_addr
child_endpoint(const struct gw_addr *a)
{
	struct gw_addr e = *a;

	e.port = 0;
	e.plen = (uint8_t)addr_maxplen(a->af);
	return e;
}

int
child_getspi(struct ike_sa *sa, uint32_t reqid)
{
	const struct ike_child_sink *k = &sa->tbl->sink;
	struct ike_child *l = &sa->larval;
	uint32_t spi = 0;

	child_drop_larval(sa);
	l->local = child_endpoint(&sa->local);
	l->remote = child_endpoint(&sa->remote);
	l->reqid = reqid;
	if (k->getspi(k->ctx, &l->remote, &l->local, reqid, &spi) != 0 || spi == 0) {
		log_warnx_f(IKE_SPI_FMT ": the data path gave no SPI", IKE_SPI_ARGS(sa));
		return -1;
	}
	l->spi_in = spi;
	return 0;
}

void
child_drop_larval(struct ike_sa *sa)
{
	const struct ike_child_sink *k = &sa->tbl->sink;
	struct ike_child *l = &sa->larval;

	if (l->spi_in != 0 && k->del(k->ctx, l->spi_in, &l->remote, &l->local) != 0)
		log_warnx_f(IKE_SPI_FMT ": larval SA %08x: delete failed", IKE_SPI_ARGS(sa),
		    l->spi_in);
	l->spi_in = 0;
}

int
child_offer(struct ike_sa *sa, struct ike_sa_pld *pld, struct ike_tsl *tsi,
    struct ike_tsl *tsr)
{
	struct ike_prop esp[IKE_CFG_PROPS];
	size_t i, n = sa->cfg.nesp;

	if (n == 0 || n > IKE_CFG_PROPS)
		return -1;
	memcpy(esp, sa->cfg.esp, n * sizeof(esp[0]));
	for (i = 0; i < n; i++) {
		esp[i].proto = PROP_PROTO_ESP;
		esp[i].spisize = 4;
		exch_prop_set_spi(&esp[i], sa->larval.spi_in);
	}
	tsi->n = tsr->n = 1;
	if (exch_props_to_pld(esp, n, true, pld) != 0 ||
	    ike_ts_from_sel(&sa->child_req.sel, &tsi->ts[0], &tsr->ts[0]) != 0)
		return -1;
	return 0;
}

/* "local <-> remote, ..." of every configured policy, for a log line. */
static const char *
child_conf_str(const struct ike_sa *sa, char *buf, size_t len)
{
	char l[IKE_TS_STRLEN], r[IKE_TS_STRLEN];
	struct ike_tsel tl, tr;
	size_t i, off = 0;
	int n;

	snprintf(buf, len, "(none)");
	for (i = 0; i < sa->cfg.nts && off < len; i++) {
		if (ike_ts_from_sel(&sa->cfg.ts[i].sel, &tl, &tr) != 0)
			continue;
		n = snprintf(buf + off, len - off, "%s%s <-> %s", off > 0 ? ", " : "",
		    ike_ts_str(&tl, l, sizeof(l)), ike_ts_str(&tr, r, sizeof(r)));
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

static void
child_log_ts(const struct ike_sa *sa, const struct ike_tsl *tsi, const struct ike_tsl *tsr)
{
	char peer[IKE_PEER_STRLEN], i[CHILD_CONF_STRLEN / 2], r[CHILD_CONF_STRLEN / 2];
	char conf[CHILD_CONF_STRLEN];

	log_info(IKE_SPI_FMT ": peer %s: traffic selectors unacceptable: asked for TSi %s, "
	    "TSr %s; configured (local <-> remote): %s", IKE_SPI_ARGS(sa),
	    ike_sa_peer_str(sa, peer, sizeof(peer)), ike_ts_list_str(tsi, i, sizeof(i)),
	    ike_ts_list_str(tsr, r, sizeof(r)), child_conf_str(sa, conf, sizeof(conf)));
}

/* Narrows the initiator's TSi (the peer's side) and TSr (ours) to a policy. */
static int
child_narrow(const struct ike_sa *sa, const struct ike_tsl *tsi, const struct ike_tsl *tsr,
    struct child_pick *out)
{
	struct ike_tsel loc, rem;
	size_t i;

	for (i = 0; i < sa->cfg.nts; i++) {
		if (ike_ts_from_sel(&sa->cfg.ts[i].sel, &loc, &rem) != 0)
			continue;
		if (ike_ts_narrow(tsi, &rem, &out->ts_remote) > 0 &&
		    ike_ts_narrow(tsr, &loc, &out->ts_local) > 0) {
			out->reqid = sa->cfg.ts[i].reqid;
			return 0;
		}
	}
	return -1;
}

uint16_t
child_select(struct ike_sa *sa, const struct ike_msg *m, const struct prop_ctx *ctx,
    struct child_pick *out)
{
	struct ike_prop peer[IKE_MAX_PROPS];
	char p[IKE_PEER_STRLEN];
	struct ike_tsl tsi, tsr;
	uint16_t pref = 0;
	size_t n;

	memset(out, 0, sizeof(*out));
	n = exch_props_from_pld(&m->sa, peer, IKE_MAX_PROPS);
	switch (proposal_select(sa->cfg.esp, sa->cfg.nesp, peer, n, ctx, &out->prop, &pref)) {
	case PROP_CHOSEN:
		break;
	case PROP_INVALID_KE_PAYLOAD:
		log_info(IKE_SPI_FMT ": peer %s: ESP proposals match only with group %s",
		    IKE_SPI_ARGS(sa), ike_sa_peer_str(sa, p, sizeof(p)), dh_group_name(pref));
		out->ke_pref = pref;
		return IKE_N_INVALID_KE_PAYLOAD;
	default:
		log_info(IKE_SPI_FMT ": peer %s: no ESP proposal chosen", IKE_SPI_ARGS(sa),
		    ike_sa_peer_str(sa, p, sizeof(p)));
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	out->spi_out = (uint32_t)exch_prop_spi(&out->prop);
	if (ike_ts_from_pld(&m->tsi, &tsi) != 0 || ike_ts_from_pld(&m->tsr, &tsr) != 0 ||
	    child_narrow(sa, &tsi, &tsr, out) != 0) {
		child_log_ts(sa, &tsi, &tsr);
		return IKE_N_TS_UNACCEPTABLE;
	}
	/* No code fits a data path that refuses: the peer sees no proposal taken. */
	if (child_getspi(sa, out->reqid) != 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	exch_prop_set_spi(&out->prop, sa->larval.spi_in);
	return 0;
}

int
child_check_reply(struct ike_sa *sa, const struct ike_msg *m, const struct prop_ctx *ctx,
    struct child_pick *out)
{
	struct ike_tsl ask_i = { .n = 1 }, ask_r = { .n = 1 };

	if (ike_ts_from_sel(&sa->child_req.sel, &ask_i.ts[0], &ask_r.ts[0]) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return child_check_answer(sa, m, ctx, &ask_i, &ask_r, sa->child_req.reqid, out);
}

int
child_check_answer(struct ike_sa *sa, const struct ike_msg *m, const struct prop_ctx *ctx,
    const struct ike_tsl *ask_i, const struct ike_tsl *ask_r, uint32_t reqid,
    struct child_pick *out)
{
	memset(out, 0, sizeof(*out));
	if (!ike_msg_has(m, IKE_PT_SA) || !ike_msg_has(m, IKE_PT_TSI) ||
	    !ike_msg_has(m, IKE_PT_TSR) || m->sa.nprop != 1 ||
	    exch_props_from_pld(&m->sa, &out->prop, 1) != 1 ||
	    proposal_check_reply(sa->cfg.esp, sa->cfg.nesp, &out->prop, ctx) < 0)
		goto bad;
	out->spi_out = (uint32_t)exch_prop_spi(&out->prop);
	out->reqid = reqid;
	if (out->spi_out == 0 || ike_ts_from_pld(&m->tsi, &out->ts_local) != 0 ||
	    ike_ts_from_pld(&m->tsr, &out->ts_remote) != 0 ||
	    !ike_ts_list_within(&out->ts_local, ask_i) ||
	    !ike_ts_list_within(&out->ts_remote, ask_r))
		goto bad;
	return 0;
bad:
	log_info(IKE_SPI_FMT ": the Child SA the peer accepted is not one we offered",
	    IKE_SPI_ARGS(sa));
	return -1;
}

/* The lib/alg.h entry of an IKEv2 ENCR or INTEG id the data path runs. */
static const struct alg *
child_alg(enum alg_kind kind, uint16_t ikev2_id)
{
	const struct alg *a;
	size_t i;

	for (i = 0; (a = alg_at(kind, i)) != NULL; i++)
		if (a->ikev2_id == ikev2_id && a->ikev2_id != 0)
			return a;
	return NULL;
}

/* The pair's description, keys included; the caller wipes *c. */
static int
child_describe(const struct ike_sa *sa, const struct child_pick *p,
    const struct keymat_child *k, struct ike_child_sa *c)
{
	const struct ike_xform *esn = proposal_get(&p->prop, PROP_T_ESN);
	const struct alg *ea, *aa = NULL;
	struct keymat_xf xf;

	exch_keymat_xf(&p->prop, &xf);
	if ((ea = child_alg(ALG_ENC, xf.encr)) == NULL ||
	    (xf.integ != 0 && (aa = child_alg(ALG_AUTH, xf.integ)) == NULL))
		return -1;
	*c = (struct ike_child_sa){
		.spi_in = sa->larval.spi_in, .spi_out = p->spi_out, .mode = IPSEC_MODE_TUNNEL,
		.reqid = p->reqid, .enc_alg = ea->id, .auth_alg = aa != NULL ? aa->id : 0,
		.esn = esn != NULL && esn->id == PROP_ESN_YES,
		.local = sa->larval.local, .remote = sa->larval.remote,
		.natt = sa->nat_local || sa->nat_remote,
		.ts_local = p->ts_local, .ts_remote = p->ts_remote,
		.lifetime = sa->cfg.child_lifetime,
	};
	if (c->natt) {
		c->natt_sport = sa->local.port;
		c->natt_dport = sa->remote.port;
	}
	/* RFC 7296 2.17: the "i" keys protect what the exchange's initiator sends. */
	c->enc_in = p->we_initiated ? k->encr_r : k->encr_i;
	c->auth_in = p->we_initiated ? k->integ_r : k->integ_i;
	c->enc_out = p->we_initiated ? k->encr_i : k->encr_r;
	c->auth_out = p->we_initiated ? k->integ_i : k->integ_r;
	return 0;
}

/*
 * Splits c in two: c keeps the inbound SA, the copy returned (heap; the
 * caller wipes it) the outbound one. Each holds only its own keys.
 * NULL on no memory.
 */
static struct ike_child_sa *
child_split(struct ike_child_sa *c)
{
	struct ike_child_sa *out;

	if ((out = malloc(sizeof(*out))) == NULL)
		return NULL;
	*out = *c;
	out->dirs = IKE_CHILD_OUT;
	gw_key_clear(&out->enc_in);
	gw_key_clear(&out->auth_in);
	c->dirs = IKE_CHILD_IN;
	gw_key_clear(&c->enc_out);
	gw_key_clear(&c->auth_out);
	return out;
}

/*
 * KEYMAT, then the pair through the sink: both SAs, or, with later, only
 * the inbound one, *later getting the outbound one for another time.
 */
static int
child_put(struct ike_sa *sa, const struct child_pick *p, struct ike_child_sa **later)
{
	const struct ike_child_sink *sink = &sa->tbl->sink;
	struct ike_child_sa c, *out = NULL;
	struct keymat_child k;
	struct keymat_xf xf;
	int rc = -1;

	exch_keymat_xf(&p->prop, &xf);
	if (keymat_child_derive(sa->km, &xf, p->gir, p->girlen, &p->ni, &p->nr, &k) != 0) {
		log_warnx_f(IKE_SPI_FMT ": Child SA key derivation failed", IKE_SPI_ARGS(sa));
		return -1;
	}
	if (child_describe(sa, p, &k, &c) != 0)
		log_warnx_f(IKE_SPI_FMT ": ENCR %u INTEG %u not in the data path's table",
		    IKE_SPI_ARGS(sa), xf.encr, xf.integ);
	else if (later != NULL && (out = child_split(&c)) == NULL)
		log_warnx_f(IKE_SPI_FMT ": out of memory for Child SA %08x", IKE_SPI_ARGS(sa),
		    c.spi_in);
	else if ((rc = sink->install(sink->ctx, &c)) != 0)
		log_warnx_f(IKE_SPI_FMT ": the data path refused Child SA %08x/%08x",
		    IKE_SPI_ARGS(sa), c.spi_in, c.spi_out);
	keymat_child_clear(&k);
	secure_wipe(&c, sizeof(c));
	if (rc == 0 && later != NULL)
		*later = out;
	else if (out != NULL)
		secure_free(out, sizeof(*out));
	return rc;
}

/* What status output shows of a pair: its algorithms, encapsulation and age. */
static void
child_record_algs(const struct ike_sa *sa, const struct child_pick *p, struct ike_child *rec)
{
	const struct ike_xform *esn = proposal_get(&p->prop, PROP_T_ESN);
	const struct ike_xform *ke = proposal_get(&p->prop, PROP_T_KE);
	const struct alg *ea, *aa;
	struct keymat_xf xf;

	exch_keymat_xf(&p->prop, &xf);
	ea = child_alg(ALG_ENC, xf.encr);
	aa = xf.integ != 0 ? child_alg(ALG_AUTH, xf.integ) : NULL;
	rec->enc_alg = ea != NULL ? ea->id : 0;
	rec->auth_alg = aa != NULL ? aa->id : 0;
	rec->enc_bits = xf.encr_bits;
	rec->pfs_group = p->gir != NULL && ke != NULL ? ke->id : 0;
	rec->esn = esn != NULL && esn->id == PROP_ESN_YES;
	rec->natt = sa->nat_local || sa->nat_remote;
	rec->installed_ms = sa->tbl->io.now_ms(sa->tbl->io.ctx);
}

/*
 * Installs the pair pick describes and records it in sa; with defer,
 * only its inbound SA, the outbound one waiting in the record.
 */
static int
child_install_as(struct ike_sa *sa, const struct child_pick *p, bool defer, uint32_t old_in)
{
	const struct ike_child_sink *k = &sa->tbl->sink;
	struct ike_child rec = sa->larval;
	struct ike_child_sa *later = NULL;

	if (child_put(sa, p, defer ? &later : NULL) != 0) {
		child_drop_larval(sa);
		return -1;
	}
	rec.spi_out = p->spi_out;
	rec.reqid = p->reqid;
	rec.ts_local = p->ts_local;
	rec.ts_remote = p->ts_remote;
	child_record_algs(sa, p, &rec);
	if (later != NULL) {
		rec.out_pending = later;
		rec.out_absent = true;
		rec.out_after = old_in;
		rec.out_fresh = true;
		rec.out_due_ms = rec.installed_ms + ike_sa_out_grace_ms(sa->tbl);
	}
	sa->larval.spi_in = 0;
	if (ike_sa_add_child(sa, &rec) != 0) {
		log_warnx_f(IKE_SPI_FMT ": out of memory recording Child SA", IKE_SPI_ARGS(sa));
		secure_free(later, sizeof(*later));
		k->del(k->ctx, rec.spi_in, &rec.remote, &rec.local);
		if (later == NULL)
			k->del(k->ctx, rec.spi_out, &rec.local, &rec.remote);
		return -1;
	}
	log_info(IKE_SPI_FMT ": Child SA %08x/%08x installed (reqid %u%s%s)", IKE_SPI_ARGS(sa),
	    rec.spi_in, rec.spi_out, rec.reqid, sa->nat_local || sa->nat_remote ?
	    ", UDP-encapsulated" : "", later != NULL ? ", outbound SA when the peer has it" : "");
	return 0;
}

int
child_install(struct ike_sa *sa, const struct child_pick *p)
{
	return child_install_as(sa, p, false, 0);
}

int
child_install_rekeyed(struct ike_sa *sa, const struct child_pick *p, uint32_t old_in)
{
	return child_install_as(sa, p, true, old_in);
}
