/*
 * exch.c: receiving, dispatching and timing IKE exchanges; see exch.h.
 *
 * The order for every datagram follows STYLE.md L2: parse (no side
 * effects), find the SA, check the Message ID window, authenticate
 * (decrypt and verify SK), and only then move the window and act.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exch.h"
#include "exch_auth.h"
#include "exch_child.h"
#include "exch_info.h"
#include "exch_init.h"
#include "exch_rekey.h"
#include "log.h"

/* One received datagram, after the marker. */
struct exch_rx {
	struct ike_sa_table	*t;
	uint8_t			*buf;
	size_t			len;
	struct ike_msg		*m;
	const struct gw_addr	*local;
	const struct gw_addr	*remote;
};

struct ike_sa *
exch_initiate(struct ike_sa_table *t, const struct ike_cfg_peer *cfg,
    const struct ike_child_req *req)
{
	struct ike_sa *sa;

	if (req == NULL && cfg->nts == 0) {
		log_warnx_f("peer %s: no traffic selectors configured", cfg->name);
		return NULL;
	}
	if ((sa = ike_sa_new(t, true, cfg, &cfg->local, &cfg->remote, 0)) == NULL) {
		log_warnx_f("peer %s: cannot create an IKE SA", cfg->name);
		return NULL;
	}
	if (req != NULL)
		sa->child_req = *req;
	else
		sa->child_req = (struct ike_child_req){ .sel = cfg->ts[0].sel,
		    .reqid = cfg->ts[0].reqid };
	if (exch_init_start(sa) != 0) {
		ike_sa_destroy(sa);
		return NULL;
	}
	return sa;
}

/*
 * The SA a message that is not a new IKE_SA_INIT request belongs to: the
 * I flag says which of the two SPIs is ours (RFC 7296 3.1).
 */
static struct ike_sa *
exch_find(const struct exch_rx *rx)
{
	const struct ike_hdr *h = &rx->m->hdr;
	bool we_init = (h->flags & IKE_FLAG_I) == 0;
	struct ike_sa *sa;

	sa = ike_sa_find(rx->t, we_init ? h->spi_i : h->spi_r);
	if (sa == NULL || sa->initiator != we_init)
		return NULL;
	if (!we_init && h->spi_i != sa->spi_i)
		return NULL;
	/* Only the IKE_SA_INIT response tells an initiator the responder's SPI. */
	if (we_init && sa->spi_r != 0 && h->spi_r != sa->spi_r)
		return NULL;
	return sa;
}

/*
 * RFC 7296 2.23: with NAT traversal in use, an authenticated message
 * tells where the peer is now; later messages go there, from the local
 * address and port it came to.
 */
static void
exch_float(struct ike_sa *sa, const struct exch_rx *rx)
{
	if (rx->local->port != IKE_NATT_PORT)
		return;
	sa->local = *rx->local;
	sa->remote = *rx->remote;
	sa->local.plen = (uint8_t)addr_maxplen(sa->local.af);
	sa->remote.plen = (uint8_t)addr_maxplen(sa->remote.af);
}

static void
exch_request(struct ike_sa *sa, struct exch_rx *rx)
{
	const struct ike_msg *m = rx->m;

	switch (m->hdr.exch) {
	case IKE_EXCH_AUTH:
		exch_auth_request(sa, m);
		return;
	case IKE_EXCH_INFORMATIONAL:
		exch_info_request(sa, m);
		return;
	case IKE_EXCH_CREATE_CHILD_SA:
		if (exch_rekey_is_ike(m))
			exch_rekey_request(sa, m);
		else
			exch_child_request(sa, m);
		return;
	default:
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
	}
}

static void
exch_response(struct ike_sa *sa, struct exch_rx *rx)
{
	switch (rx->m->hdr.exch) {
	case IKE_EXCH_SA_INIT:
		if (exch_init_response(sa, rx->m, rx->buf, rx->len, rx->local, rx->remote) == 1)
			exch_auth_start(sa);
		return;
	case IKE_EXCH_AUTH:
		exch_auth_response(sa, rx->m);
		return;
	case IKE_EXCH_INFORMATIONAL:
		exch_info_response(sa, rx->m);
		return;
	case IKE_EXCH_CREATE_CHILD_SA:
		if (sa->ike_rk.spi != 0)
			exch_rekey_response(sa, rx->m);
		else
			exch_child_response(sa, rx->m);
		return;
	default:
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
	}
}

/*
 * An encrypted message ike_msg_open() refused. Only a new request that
 * verified and holds an unknown critical payload gets an answer (RFC 7296
 * 2.5: UNSUPPORTED_CRITICAL_PAYLOAD naming the type); if it was IKE_AUTH,
 * the half-open SA goes with it. Everything else is dropped as if it had
 * not come, the window kept.
 */
static void
exch_unopened(struct ike_sa *sa, const struct ike_msg *m, enum ike_msg_verdict v, int rc)
{
	uint8_t type = m->err_type;

	ike_sa_count(sa->tbl, rc == IKE_OPEN_ICV ? IKE_ST_DROP_ICV : IKE_ST_DROP_PARSE);
	log_debug_f(IKE_SPI_FMT ": message %u %s", IKE_SPI_ARGS(sa), m->hdr.msgid,
	    rc == IKE_OPEN_ICV ? "does not verify" : "is malformed inside SK");
	if (rc != IKE_OPEN_CRITICAL || v != IKE_MSG_NEW || (m->hdr.flags & IKE_FLAG_R))
		return;
	ike_msg_accept(sa, m);
	exch_respond_notify(sa, m->hdr.exch, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1);
	if (m->hdr.exch == IKE_EXCH_AUTH && sa->state == IKE_S_INIT_DONE)
		ike_sa_kill(sa, IKE_F_PEER);
}

static void
exch_dispatch(struct exch_rx *rx)
{
	struct ike_msg *m = rx->m;
	enum ike_msg_verdict v;
	struct ike_sa *sa;
	int rc;

	if (m->hdr.exch == IKE_EXCH_SA_INIT && (m->hdr.flags & IKE_FLAG_R) == 0) {
		exch_init_request(rx->t, m, rx->buf, rx->len, rx->local, rx->remote);
		return;
	}
	if ((sa = exch_find(rx)) == NULL) {
		ike_sa_count(rx->t, IKE_ST_DROP_NO_SA);
		log_debug_f("no IKE SA for %016llx:%016llx", (unsigned long long)m->hdr.spi_i,
		    (unsigned long long)m->hdr.spi_r);
		return;
	}
	/* Whatever the message does to sa, its deadline is computed again. */
	ike_sa_timer_touch(sa);
	if ((v = ike_msg_check(sa, m)) == IKE_MSG_DROP) {
		ike_sa_count(rx->t, IKE_ST_DROP_WINDOW);
		log_debug_f(IKE_SPI_FMT ": message %u outside the window", IKE_SPI_ARGS(sa),
		    m->hdr.msgid);
		return;
	}
	if (m->hdr.exch != IKE_EXCH_SA_INIT) {
		if ((rc = ike_msg_open(sa, rx->buf, rx->len, m)) != IKE_OPEN_OK) {
			exch_unopened(sa, m, v, rc);
			return;
		}
		exch_float(sa, rx);
		sa->last_rx_ms = rx->t->io.now_ms(rx->t->io.ctx);
	}
	/* Requests tell whether the peer has our last answer (and the pairs it made). */
	if ((m->hdr.flags & IKE_FLAG_R) == 0 && m->hdr.exch != IKE_EXCH_SA_INIT)
		ike_sa_out_window(sa, v == IKE_MSG_NEW, sa->last_rx_ms);
	if (v == IKE_MSG_RETRANSMIT) {
		ike_msg_resend(sa);
		return;
	}
	/* An IKE_SA_INIT response is accepted by exch_init once it is valid. */
	if (m->hdr.exch != IKE_EXCH_SA_INIT)
		ike_msg_accept(sa, m);
	if (m->hdr.flags & IKE_FLAG_R)
		exch_response(sa, rx);
	else
		exch_request(sa, rx);
}

/* Strips the RFC 3948 non-ESP marker of a datagram to port 4500. */
static int
exch_marker(struct ike_sa_table *t, const struct gw_addr *local, const uint8_t **p,
    size_t *len)
{
	struct rd r = rd_init(*p, *len);
	uint32_t marker = 1;

	if (local->port != IKE_NATT_PORT)
		return 0;
	if (rd_u32be(&r, &marker) != 0 || marker != 0) {
		ike_sa_count(t, IKE_ST_DROP_MARKER);
		return -1;
	}
	*p += IKE_MARKER_LEN;
	*len -= IKE_MARKER_LEN;
	return 0;
}

void
exch_recv(struct ike_sa_table *t, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	struct exch_rx rx = { .t = t, .local = local, .remote = remote };
	int rc;

	ike_sa_count(t, IKE_ST_RX);
	if (exch_marker(t, local, &p, &len) != 0)
		return;
	if (len == 0 || len > IKE_MSG_MAX) {
		ike_sa_count(t, IKE_ST_DROP_PARSE);
		return;
	}
	/* A private copy: views point into it, and SK is decrypted in place. */
	rx.len = len;
	if ((rx.buf = malloc(len)) == NULL || (rx.m = malloc(sizeof(*rx.m))) == NULL) {
		free(rx.buf);
		return;
	}
	memcpy(rx.buf, p, len);
	if ((rc = ike_parse(rx.buf, len, rx.m)) != 0) {
		ike_sa_count(t, IKE_ST_DROP_PARSE);
		log_debug_f("malformed message: %s (payload %u at %zu)", ike_perr_str(rc),
		    rx.m->err_type, rx.m->err_off);
	} else
		exch_dispatch(&rx);
	secure_free(rx.m, sizeof(*rx.m));
	secure_free(rx.buf, len);
	ike_sa_reap(t);
}

/*
 * The hard limit of sa's lifetime passed. An SA that waits for its
 * Delete after a rekey goes without it (its successor has the Child
 * SAs); any other is deleted with the peer, Child SAs included.
 */
static void
exch_expire(struct ike_sa *sa)
{
	char peer[IKE_PEER_STRLEN];

	sa->expire_ms = 0;
	if (sa->state == IKE_S_REKEYING && exch_rekey_abandon(sa)) {
		ike_sa_kill(sa, IKE_F_REKEYED);
		return;
	}
	if (sa->retired || sa->state == IKE_S_DELETING) {
		log_debug_f(IKE_SPI_FMT ": no Delete came for the replaced SA", IKE_SPI_ARGS(sa));
		ike_sa_kill(sa, sa->retired ? IKE_F_REKEYED : sa->fail);
		return;
	}
	log_info(IKE_SPI_FMT ": IKE SA with peer %s not rekeyed before its lifetime ended: "
	    "deleting it", IKE_SPI_ARGS(sa), ike_sa_peer_str(sa, peer, sizeof(peer)));
	/* With a request out this cannot be sent: sa then dies at once. */
	exch_info_delete(sa, IKE_F_EXPIRED);
}

/* The timers of one SA: at most one thing happens per tick. */
static void
exch_tick_sa(struct ike_sa *sa, uint64_t now)
{
	struct ike_sa_table *t = sa->tbl;
	char peer[IKE_PEER_STRLEN];

	/* Sends nothing, so it does not count as the one thing of this tick. */
	ike_sa_out_flush(sa, now);
	if (ike_msg_timer(sa, now) != 0) {
		ike_sa_count(t, IKE_ST_GIVE_UP);
		log_info(IKE_SPI_FMT ": peer %s does not answer, giving up", IKE_SPI_ARGS(sa),
		    ike_sa_peer_str(sa, peer, sizeof(peer)));
		if (sa->state == IKE_S_DELETING)
			ike_sa_kill(sa, sa->fail);
		else if (sa->state == IKE_S_REKEYING && exch_rekey_abandon(sa))
			ike_sa_kill(sa, IKE_F_REKEYED);	/* the peer's rekey made a successor */
		else
			ike_sa_kill(sa, IKE_F_TIMEOUT);
	} else if (!sa->initiator && sa->state == IKE_S_INIT_DONE && now >= sa->half_open_until) {
		ike_sa_count(t, IKE_ST_HALF_OPEN_EXPIRED);
		log_debug_f(IKE_SPI_FMT ": half-open SA expired", IKE_SPI_ARGS(sa));
		ike_sa_kill(sa, IKE_F_HALF_OPEN);
	} else if (sa->expire_ms != 0 && now >= sa->expire_ms) {
		exch_expire(sa);
	} else if (now >= ike_sa_rekey_due(sa)) {
		/* Left due, a failure to start would come back at once, forever. */
		if (exch_rekey_start(sa) != 0)
			sa->rekey_ms = now + exch_retry_ms(t, false);
	} else if (now >= ike_sa_child_retry_due(sa)) {
		exch_child_tick(sa, now);
	} else if (now >= ike_sa_dpd_due(sa) && exch_info_liveness(sa) != 0) {
		/* Left alone, the check would be due again at once, forever. */
		log_warnx(IKE_SPI_FMT ": cannot send a liveness check", IKE_SPI_ARGS(sa));
		ike_sa_kill(sa, IKE_F_LOCAL);
	}
}

void
exch_tick(struct ike_sa_table *t)
{
	uint64_t now = t->io.now_ms(t->io.ctx);
	struct ike_sa *sa;

	/* The SAs due, earliest first, each once: the table's heap finds them. */
	while ((sa = ike_sa_timer_take(t, now)) != NULL)
		exch_tick_sa(sa, now);
	ike_sa_timer_end(t);
	ike_sa_reap(t);
}

int
exch_ike_rekey(struct ike_sa *sa)
{
	struct ike_io *io = &sa->tbl->io;

	if (sa->state == IKE_S_REKEYING)
		return 0;
	if (sa->state != IKE_S_ESTABLISHED || sa->retired || sa->inherit_pending) {
		log_warnx_f(IKE_SPI_FMT ": IKE SA in state %s%s cannot be rekeyed",
		    IKE_SPI_ARGS(sa), ike_sa_state_name(sa->state),
		    sa->retired ? " (replaced)" : "");
		return -1;
	}
	if (sa->win.req_active) {
		sa->rekey_ms = io->now_ms(io->ctx);
		ike_sa_timer_touch(sa);
		return 0;
	}
	return exch_rekey_start(sa);
}

int
exch_nonce_cmp(const struct view *a, const struct view *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int rc = n > 0 ? memcmp(a->p, b->p, n) : 0;

	if (rc != 0)
		return rc;
	return (a->len > b->len) - (a->len < b->len);
}

struct view
exch_nonce_low(const struct view *a, const struct view *b)
{
	return exch_nonce_cmp(a, b) <= 0 ? *a : *b;
}

uint64_t
exch_retry_ms(struct ike_sa_table *t, bool temporary)
{
	uint64_t span = temporary ? 2 * EXCH_RETRY_TEMP_MS : EXCH_RETRY_FAIL_MS;
	uint8_t r[4];

	t->io.random(t->io.ctx, r, sizeof(r));
	return (temporary ? EXCH_RETRY_TEMP_MS : EXCH_RETRY_FAIL_MS) +
	    ((uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]) % span;
}

uint64_t
exch_prop_spi(const struct ike_prop *p)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < p->spisize && i < PROP_SPI_MAX; i++)
		v = v << 8 | p->spi[i];
	return v;
}

void
exch_prop_set_spi(struct ike_prop *p, uint64_t spi)
{
	size_t i, n = p->spisize < PROP_SPI_MAX ? p->spisize : PROP_SPI_MAX;

	memset(p->spi, 0, sizeof(p->spi));
	for (i = 0; i < n; i++)
		p->spi[i] = (uint8_t)(spi >> (8 * (n - 1 - i)));
}

static bool
exch_prop_from_pld(const struct ike_pld_prop *in, struct ike_prop *out)
{
	uint8_t i;

	memset(out, 0, sizeof(*out));
	out->num = in->num;
	out->proto = in->proto;
	out->spisize = in->spi_size;
	exch_prop_set_spi(out, in->spi);
	for (i = 0; i < in->nxf && i < PROP_XF_MAX; i++) {
		if (in->xf[i].unknown_attr)
			return false;
		out->xf[i] = (struct ike_xform){ .type = in->xf[i].type, .id = in->xf[i].id,
		    .keylen = in->xf[i].keylen };
	}
	out->ntrans = (uint8_t)i;
	return true;
}

size_t
exch_props_from_pld(const struct ike_sa_pld *in, struct ike_prop *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < in->nprop && n < max; i++)
		if (exch_prop_from_pld(&in->prop[i], &out[n]))
			n++;
	return n;
}

int
exch_props_to_pld(const struct ike_prop *in, size_t n, bool strip_ke, struct ike_sa_pld *out)
{
	struct ike_pld_prop *p;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > IKE_MAX_PROPS)
		return -1;
	for (i = 0; i < n; i++) {
		p = &out->prop[i];
		p->num = in[i].num;
		p->proto = in[i].proto;
		p->spi_size = in[i].spisize;
		p->spi = exch_prop_spi(&in[i]);
		for (j = 0; j < in[i].ntrans && j < PROP_XF_MAX; j++) {
			if (strip_ke && in[i].xf[j].type == PROP_T_KE)
				continue;
			if (p->nxf == IKE_MAX_XFORMS)
				return -1;
			p->xf[p->nxf++] = (struct ike_pld_xform){ .type = in[i].xf[j].type,
			    .id = in[i].xf[j].id, .keylen = in[i].xf[j].keylen };
		}
		if (p->nxf == 0)
			return -1;
	}
	out->nprop = (uint8_t)n;
	return 0;
}

void
exch_keymat_xf(const struct ike_prop *p, struct keymat_xf *xf)
{
	const struct ike_xform *x;

	*xf = (struct keymat_xf){ .prf = 0 };
	if ((x = proposal_get(p, PROP_T_PRF)) != NULL)
		xf->prf = x->id;
	if ((x = proposal_get(p, PROP_T_ENCR)) != NULL) {
		xf->encr = x->id;
		xf->encr_bits = x->keylen;
	}
	if ((x = proposal_get(p, PROP_T_INTEG)) != NULL)
		xf->integ = x->id;
}

const char *
exch_id_str(const struct ike_idv *id, char *buf, size_t len)
{
	struct gw_addr a = { 0 };
	char name[IKE_ID_MAX + 1];
	size_t i;

	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		a.af = id->type == IKE_ID_IPV4_ADDR ? AF_INET : AF_INET6;
		if (id->len != addr_len(a.af))
			break;
		memcpy(a.u.b, id->data, id->len);
		return addr_ntop(&a, buf, len);
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		/* The peer chose these bytes: nothing unprintable reaches a log. */
		for (i = 0; i < id->len; i++)
			name[i] = id->data[i] >= 0x20 && id->data[i] < 0x7f ?
			    (char)id->data[i] : '?';
		name[i] = '\0';
		snprintf(buf, len, "%s", name);
		return buf;
	}
	snprintf(buf, len, "type %u, %u bytes", id->type, id->len);
	return buf;
}

int
exch_respond_notify(struct ike_sa *sa, uint8_t exch, uint16_t type, const uint8_t *data,
    size_t dlen)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_build b;
	size_t len;

	if (ike_msg_start(sa, &b, buf, sizeof(buf), exch, true) != 0)
		return -1;
	ike_build_notify(&b, 0, type, 0, 0, data, dlen);
	if (ike_msg_finish(sa, &b, buf, &len) != 0)
		return -1;
	return ike_msg_respond(sa, buf, len);
}
