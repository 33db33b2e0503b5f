/*
 * exch_info.c: INFORMATIONAL requests and answers; see exch_info.h.
 */
#include "exch.h"
#include "exch_info.h"
#include "exch_rekey.h"
#include "log.h"

#define INFO_SPI_MAX	64	/* Child SA SPIs answered in one Delete */

struct info_del {
	bool		ike;		/* the IKE SA itself */
	size_t		nspi;
	uint32_t	spi_in[INFO_SPI_MAX];
};

/*
 * The peer deletes the pair whose outbound SPI is spi_out: it runs on the
 * pairs that replace it, whose outbound SAs (ike_sa_out_due()) therefore
 * go in first; then the pair goes. Returns 0, or -1 for an unknown SPI.
 */
static int
exch_info_del_one(struct ike_sa *sa, uint32_t spi_out, uint32_t *spi_in)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL && c->spi_out != spi_out; c = c->next)
		;
	if (c == NULL)
		return -1;
	ike_sa_out_replace(sa, c, true);
	return ike_sa_del_child(sa, spi_out, spi_in);
}

/* RFC 7296 1.4.1: delete what the peer names; unknown SPIs are no error. */
static void
exch_info_deletes(struct ike_sa *sa, const struct ike_msg *m, struct info_del *d)
{
	const struct ike_delete *del;
	uint32_t spi, in;
	size_t i, j;

	for (i = 0; i < m->ndelete; i++) {
		del = &m->del[i];
		if (del->proto == IKE_PROTO_IKE) {
			d->ike = true;
			continue;
		}
		if (del->proto != IKE_PROTO_ESP)
			continue;
		for (j = 0; j < del->nspi && ike_delete_spi(del, j, &spi) == 0; j++)
			if (exch_info_del_one(sa, spi, &in) == 0 && d->nspi < INFO_SPI_MAX)
				d->spi_in[d->nspi++] = in;
	}
}

/*
 * The peer deletes sa: is that the end of a rekey? Yes for an SA that
 * has handed its Child SAs over or is the redundant one of a collision,
 * and for one we are rekeying while the peer's crossing rekey made a new
 * SA: the peer took no notice of ours (RFC 7296 2.25.2), so its new SA
 * inherits the Child SAs now.
 */
static bool
exch_info_replaced(struct ike_sa *sa)
{
	if (sa->retired || sa->inherit_pending)
		return true;
	return sa->state == IKE_S_REKEYING && exch_rekey_abandon(sa);
}

void
exch_info_request(struct ike_sa *sa, const struct ike_msg *m)
{
	struct info_del d = { .ike = false };
	char peer[IKE_PEER_STRLEN];
	enum ike_fail why = IKE_F_PEER;
	uint8_t buf[IKE_MSG_MAX];
	struct ike_build b;
	size_t len;

	if (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_REKEYING &&
	    sa->state != IKE_S_DELETING) {
		ike_sa_count(sa->tbl, IKE_ST_DROP_STATE);
		return;
	}
	ike_sa_peer_str(sa, peer, sizeof(peer));
	if (ike_msg_notify(m, IKE_N_AUTHENTICATION_FAILED) != NULL) {
		ike_sa_count(sa->tbl, IKE_ST_AUTH_FAIL);
		log_info(IKE_SPI_FMT ": authentication failed for peer %s (reported by the peer)",
		    IKE_SPI_ARGS(sa), peer);
		d.ike = true;
		why = IKE_F_AUTH;
	}
	exch_info_deletes(sa, m, &d);
	if (ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_INFORMATIONAL, true) == 0) {
		if (!d.ike && d.nspi > 0)
			ike_build_delete(&b, IKE_PROTO_ESP, d.spi_in, d.nspi);
		if (ike_msg_finish(sa, &b, buf, &len) == 0)
			ike_msg_respond(sa, buf, len);
	}
	if (!d.ike)
		return;
	if (why == IKE_F_PEER && exch_info_replaced(sa)) {
		log_debug_f(IKE_SPI_FMT ": replaced IKE SA deleted by the peer", IKE_SPI_ARGS(sa));
		why = IKE_F_REKEYED;
	} else
		log_info(IKE_SPI_FMT ": IKE SA with peer %s deleted by the peer",
		    IKE_SPI_ARGS(sa), peer);
	ike_sa_kill(sa, why);
}

/*
 * The answer to our Delete of the pair with inbound SPI spi_in. Its
 * Delete names the peer's inbound SPI, our outbound one; an answer
 * without it means the peer had deleted the pair itself (a collision,
 * RFC 7296 1.4.1), and either way the pair goes.
 */
static void
exch_info_child_gone(struct ike_sa *sa, const struct ike_msg *m, uint32_t spi_in)
{
	struct ike_child *c;
	uint32_t spi, in;
	size_t i, j;
	bool named = false;

	if ((c = ike_sa_child_by_in(sa, spi_in)) == NULL)
		return;
	for (i = 0; i < m->ndelete; i++)
		for (j = 0; m->del[i].proto == IKE_PROTO_ESP && j < m->del[i].nspi &&
		    ike_delete_spi(&m->del[i], j, &spi) == 0; j++)
			named = named || spi == c->spi_out;
	if (!named)
		log_debug_f(IKE_SPI_FMT ": delete of child SA %08x answered without %08x",
		    IKE_SPI_ARGS(sa), spi_in, c->spi_out);
	log_info(IKE_SPI_FMT ": child SA %08x/%08x deleted", IKE_SPI_ARGS(sa), c->spi_in,
	    c->spi_out);
	ike_sa_del_child(sa, c->spi_out, &in);
}

void
exch_info_response(struct ike_sa *sa, const struct ike_msg *m)
{
	uint32_t spi_in = sa->del_child_spi;

	if (sa->state == IKE_S_DELETING) {
		ike_sa_kill(sa, sa->fail);
		return;
	}
	sa->del_child_spi = 0;
	if (spi_in != 0)
		exch_info_child_gone(sa, m, spi_in);
}

void
exch_info_auth_failed(struct ike_sa *sa)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_build b;
	size_t len;

	if (ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_INFORMATIONAL, false) != 0)
		return;
	ike_build_notify(&b, 0, IKE_N_AUTHENTICATION_FAILED, 0, 0, NULL, 0);
	if (ike_msg_finish(sa, &b, buf, &len) == 0)
		ike_msg_send_once(sa, buf, len);
}

int
exch_info_delete(struct ike_sa *sa, enum ike_fail why)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_build b;
	size_t len;

	sa->fail = why;
	if (ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_INFORMATIONAL, false) != 0 ||
	    ike_build_delete(&b, IKE_PROTO_IKE, NULL, 0) != 0 ||
	    ike_msg_finish(sa, &b, buf, &len) != 0 || ike_msg_request(sa, buf, len) != 0 ||
	    ike_sa_set_state(sa, IKE_S_DELETING) != 0) {
		ike_sa_kill(sa, why);
		return -1;
	}
	return 0;
}

int
exch_info_delete_esp(struct ike_sa *sa, uint32_t spi_in)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_build b;
	size_t len;

	if (ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_INFORMATIONAL, false) != 0 ||
	    ike_build_delete(&b, IKE_PROTO_ESP, &spi_in, 1) != 0 ||
	    ike_msg_finish(sa, &b, buf, &len) != 0 || ike_msg_request(sa, buf, len) != 0)
		return -1;
	sa->del_child_spi = spi_in;
	return 0;
}

int
exch_info_delete_child(struct ike_sa *sa, uint32_t spi_in)
{
	if (sa->state != IKE_S_ESTABLISHED || ike_sa_child_by_in(sa, spi_in) == NULL) {
		log_warnx_f(IKE_SPI_FMT ": no child SA %08x to delete", IKE_SPI_ARGS(sa), spi_in);
		return -1;
	}
	if (exch_info_delete_esp(sa, spi_in) != 0) {
		log_warnx_f(IKE_SPI_FMT ": cannot send the delete of child SA %08x",
		    IKE_SPI_ARGS(sa), spi_in);
		return -1;
	}
	return 0;
}

int
exch_info_liveness(struct ike_sa *sa)
{
	uint64_t every = (uint64_t)sa->cfg.dpd_retry_s * 1000;
	uint8_t buf[IKE_MSG_MAX];
	struct ike_build b;
	size_t len;

	if (every > UINT32_MAX)
		every = UINT32_MAX;
	if (ike_msg_start(sa, &b, buf, sizeof(buf), IKE_EXCH_INFORMATIONAL, false) != 0 ||
	    ike_msg_finish(sa, &b, buf, &len) != 0 ||
	    ike_msg_request_every(sa, buf, len, (uint32_t)every, sa->cfg.dpd_tries) != 0)
		return -1;
	log_debug_f(IKE_SPI_FMT ": liveness check sent", IKE_SPI_ARGS(sa));
	return 0;
}
