/*
 * keying.c: what ikd does when tunneld or the operator asks for keys:
 * negotiate for an ACQUIRE, rekey on a soft EXPIRE, end a pair on a hard
 * one, start and stop tunnels by hand.
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "daemon_int.h"
#include "exch.h"
#include "exch_auth.h"
#include "exch_child.h"
#include "exch_info.h"
#include "log.h"
#include "peer.h"

static void
keying_queue(struct daemon *d, const struct job *j)
{
	if (d->njobs == DAEMON_JOBS) {
		/*
		 * ACQUIREs come again while traffic waits; a lost soft EXPIRE
		 * leaves the pair to its hard limit, whose EXPIRE ends it.
		 */
		d->jobs_dropped++;
		log_warnx("PF_KEY event queue full: event dropped (%llu so far)",
		    (unsigned long long)d->jobs_dropped);
		return;
	}
	d->jobs[d->njobs++] = *j;
	event_active(d->work, EV_TIMEOUT, 0);
}

void
keying_acquire(void *arg, const struct sadbc_acquire *a)
{
	struct daemon *d = arg;
	struct job j = { .kind = JOB_ACQUIRE, .src = a->src, .dst = a->dst,
	    .policy_id = a->policy_id };

	if (a->policy == NULL) {
		log_warnx("ACQUIRE for policy %u, which the SPD mirror does not know", a->policy_id);
		return;
	}
	peer_child_req(a->policy, &j.req);
	keying_queue(d, &j);
}

void
keying_expire(void *arg, const struct sadbc_expire *e)
{
	struct daemon *d = arg;
	struct job j = { .kind = JOB_EXPIRE, .src = e->src, .dst = e->dst, .spi = e->spi,
	    .hard = e->hard };

	if (!e->ours)
		return;
	keying_queue(d, &j);
}

void
keying_sa_removed(void *arg, uint32_t spi, const struct gw_addr *dst)
{
	struct daemon *d = arg;
	struct job j = { .kind = JOB_REMOVED, .dst = *dst, .spi = spi, .hard = true };

	keying_queue(d, &j);
}

/* The live IKE SA with remote, preferring an established one; NULL if none. */
static struct ike_sa *
keying_sa_with(struct daemon *d, const struct gw_addr *remote)
{
	struct ike_sa *sa, *best = NULL;

	for (sa = d->t->all; sa != NULL; sa = sa->next) {
		/* A rekeyed SA waiting for its Delete carries nothing any more. */
		if (sa->state == IKE_S_DEAD || sa->state == IKE_S_DELETING || sa->retired ||
		    sa->inherit_pending || !addr_eq(&sa->cfg.remote, remote))
			continue;
		if (best == NULL || sa->state == IKE_S_ESTABLISHED)
			best = sa;
	}
	return best;
}

/* The IKE SA and Child SA that own ESP SA spi towards dst. */
static struct ike_sa *
keying_child_of(struct daemon *d, uint32_t spi, const struct gw_addr *dst, uint32_t *spi_in)
{
	struct ike_child *c;
	struct ike_sa *sa;

	for (sa = d->t->all; sa != NULL; sa = sa->next) {
		if (sa->state == IKE_S_DEAD)
			continue;
		for (c = sa->children; c != NULL; c = c->next) {
			if ((c->spi_in == spi && addr_eq(&c->local, dst)) ||
			    (c->spi_out == spi && addr_eq(&c->remote, dst))) {
				*spi_in = c->spi_in;
				return sa;
			}
		}
	}
	return NULL;
}

const struct ike_cfg_peer *
keying_peer(struct daemon *d, const struct gw_addr *local, const struct gw_addr *remote)
{
	const struct sadbc_policy *pol[256];
	struct peer_src src = { .conf = d->conf, .psk = d->psk, .pol = pol };
	uint32_t rnd[2];
	char why[200];
	size_t i, n = sadb_client_policy_count(d->sc);

	for (i = 0; i < n && src.npol < sizeof(pol) / sizeof(pol[0]); i++) {
		const struct sadbc_policy *p = sadb_client_policy_at(d->sc, i);

		if (peer_policy_is_tunnel(p, local, remote))
			pol[src.npol++] = p;
	}
	randombytes_buf(rnd, sizeof(rnd));
	if (peer_build(&src, local, remote, rnd, &d->cfgbuf, why, sizeof(why)) != 0) {
		log_warnx("%s", why);
		return NULL;
	}
	if (why[0] != '\0')
		log_warnx("%s", why);
	d->cfgbuf.psk_fn = daemon_psk;
	d->cfgbuf.psk_ctx = d;
	return &d->cfgbuf;
}

int
keying_initiate(struct daemon *d, const struct sadbc_policy *p)
{
	const struct ike_cfg_peer *cfg;
	const struct conf_remote *r;
	struct ike_child_req req;
	char ab[GW_ADDR_STRLEN];

	if ((r = conf_remote_find(d->conf, &p->req[0].dst)) != NULL && r->passive) {
		log_info("policy %u: peer %s is passive in the configuration: not initiating",
		    p->id, addr_ntop(&p->req[0].dst, ab, sizeof(ab)));
		return -1;
	}
	if ((cfg = keying_peer(d, &p->req[0].src, &p->req[0].dst)) == NULL)
		return -1;
	peer_child_req(p, &req);
	log_notice("policy %u: negotiating with %s", p->id,
	    addr_ntop(&p->req[0].dst, ab, sizeof(ab)));
	return exch_initiate(d->t, cfg, &req) != NULL ? 0 : -1;
}

static void
keying_run_acquire(struct daemon *d, const struct job *j)
{
	const struct sadbc_policy *p = sadb_client_policy_get(d->sc, j->policy_id);
	char ab[GW_ADDR_STRLEN];
	struct ike_sa *sa;

	if (p == NULL || !peer_policy_is_tunnel(p, &j->src, &j->dst)) {
		log_warnx("ACQUIRE for policy %u: not an outbound ESP tunnel policy (any more)",
		    j->policy_id);
		return;
	}
	addr_ntop(&j->dst, ab, sizeof(ab));
	if ((sa = keying_sa_with(d, &j->dst)) != NULL && sa->state != IKE_S_ESTABLISHED) {
		log_debug("ACQUIRE for policy %u: negotiation with %s under way", p->id, ab);
		return;
	}
	if (sa != NULL && sa->children != NULL) {
		/*
		 * A second Child SA would take a CREATE_CHILD_SA for a new
		 * pair, which ikd does not request: say so rather than tear
		 * down the pair that works.
		 */
		log_warnx("ACQUIRE for policy %u: an IKE SA with %s already carries a Child SA; "
		    "ikd negotiates one Child SA per peer: policies to %s at level require "
		    "share it", p->id, ab, ab);
		return;
	}
	if (sa != NULL) {
		log_info(IKE_SPI_FMT ": ACQUIRE for policy %u and no Child SA left: "
		    "replacing the IKE SA with %s", IKE_SPI_ARGS(sa), p->id, ab);
		exch_info_delete(sa, IKE_F_LOCAL);
	}
	keying_initiate(d, p);
}

/* A hard limit, or another client removed the SA: the pair ends with the peer. */
static void
keying_hard(struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_child *c = ike_sa_child_by_in(sa, spi_in);
	uint32_t in;

	if (c == NULL)
		return;
	log_notice(IKE_SPI_FMT ": Child SA %08x/%08x expired or removed: deleting it with the "
	    "peer", IKE_SPI_ARGS(sa), c->spi_in, c->spi_out);
	if (sa->state == IKE_S_ESTABLISHED && exch_info_delete_child(sa, spi_in) == 0)
		return;
	/* No window for the Delete: forget the pair; its peer half expires too. */
	ike_sa_del_child(sa, c->spi_out, &in);
}

static void
keying_run_expire(struct daemon *d, const struct job *j)
{
	struct ike_sa *sa;
	uint32_t spi_in;

	if ((sa = keying_child_of(d, j->spi, &j->dst, &spi_in)) == NULL) {
		log_debug("EXPIRE of SA %08x: no IKE SA owns it", j->spi);
		return;
	}
	if (j->hard)
		keying_hard(sa, spi_in);
	else
		exch_child_rekey_queue(sa, spi_in);	/* logs its own failure */
}

void
keying_run_jobs(struct daemon *d)
{
	size_t i;

	/* Jobs queued while these run (tunneld's replies carry events) run in this pass too. */
	for (i = 0; i < d->njobs; i++) {
		struct job j = d->jobs[i];

		if (j.kind == JOB_ACQUIRE)
			keying_run_acquire(d, &j);
		else
			keying_run_expire(d, &j);
	}
	memmove(d->jobs, d->jobs + i, (d->njobs - i) * sizeof(d->jobs[0]));
	d->njobs -= i;
	ike_sa_reap(d->t);
	daemon_arm(d);
}

int
keying_cmd_initiate(void *ctx, const char *peer, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct gw_addr a;
	size_t i, n = sadb_client_policy_count(d->sc);

	if (addr_parse(peer, &a) != 0) {
		snprintf(err, errlen, "%s: not an IPv4 or IPv6 address", peer);
		return -1;
	}
	if (keying_sa_with(d, &a) != NULL) {
		snprintf(err, errlen, "an IKE SA with %s exists already", peer);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct sadbc_policy *p = sadb_client_policy_at(d->sc, i);

		if (!peer_policy_is_tunnel(p, NULL, &a))
			continue;
		if (keying_initiate(d, p) != 0) {
			snprintf(err, errlen, "could not start a negotiation with %s: see the log",
			    peer);
			return -1;
		}
		daemon_arm(d);
		return 0;
	}
	snprintf(err, errlen, "no outbound ESP tunnel policy to %s in the SPD", peer);
	return -1;
}

int
keying_cmd_terminate(void *ctx, const char *peer, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct ike_sa *sa;
	struct gw_addr a;
	int n = 0;

	if (addr_parse(peer, &a) != 0) {
		snprintf(err, errlen, "%s: not an IPv4 or IPv6 address", peer);
		return -1;
	}
	for (sa = d->t->all; sa != NULL; sa = sa->next) {
		if (sa->state == IKE_S_DEAD || !addr_eq(&sa->cfg.remote, &a))
			continue;
		log_notice(IKE_SPI_FMT ": terminated by the operator", IKE_SPI_ARGS(sa));
		if (sa->state == IKE_S_ESTABLISHED)
			exch_info_delete(sa, IKE_F_LOCAL);
		else
			ike_sa_kill(sa, IKE_F_LOCAL);
		n++;
	}
	ike_sa_reap(d->t);
	daemon_arm(d);
	if (n == 0) {
		snprintf(err, errlen, "no IKE SA with %s", peer);
		return -1;
	}
	return 0;
}
