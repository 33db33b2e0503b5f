/*
 * datapath.c: struct ike_child_sink over sadb_client, request by request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath.h"
#include "log.h"
#include "secmem.h"

/* Waits for request seq; returns the reply's errno (0: done), ETIMEDOUT, ENOTCONN. */
struct dp_wait {
	int		done;
	int		err;
	uint32_t	spi;
};

static void
dp_done(void *arg, const struct sadbc_reply *r)
{
	struct dp_wait *w = arg;

	w->done = 1;
	w->err = r->err;
	w->spi = r->spi;
}

static int
dp_await(struct datapath *dp, uint32_t seq, struct dp_wait *w)
{
	if (seq == 0)
		return EIO;
	if (sadb_client_wait(dp->sc, seq, DATAPATH_WAIT_MS) != 0) {
		sadb_client_cancel(dp->sc, seq);
		return errno != 0 ? errno : ETIMEDOUT;
	}
	return w->done ? w->err : EIO;
}

static int
dp_getspi(void *ctx, const struct gw_addr *src, const struct gw_addr *dst, uint32_t reqid,
    uint32_t *spi)
{
	struct datapath *dp = ctx;
	struct dp_wait w = { 0 };
	int err;

	err = dp_await(dp, sadb_client_getspi(dp->sc, src, dst, reqid, 0, 0, dp_done, &w), &w);
	if (err != 0) {
		log_warnx("tunneld: GETSPI failed: %s", strerror(err));
		dp->failures++;
		return -1;
	}
	*spi = w.spi;
	return 0;
}

static void
dp_lifetime(const struct ike_lifetime *l, struct sadbc_sa *s)
{
	s->soft_addtime = l->soft_s;
	s->hard_addtime = l->hard_s;
	s->soft_bytes = l->soft_bytes;
	s->hard_bytes = l->hard_bytes;
}

void
datapath_sa_pair(const struct ike_child_sa *c, struct sadbc_sa *in, struct sadbc_sa *out)
{
	*in = (struct sadbc_sa){
		.spi = c->spi_in, .src = c->remote, .dst = c->local, .reqid = c->reqid,
		.enc = c->enc_alg, .auth = c->auth_alg, .enc_key = c->enc_in,
		.auth_key = c->auth_in, .replay = DATAPATH_REPLAY, .esn = c->esn,
	};
	*out = (struct sadbc_sa){
		.spi = c->spi_out, .src = c->local, .dst = c->remote, .reqid = c->reqid,
		.enc = c->enc_alg, .auth = c->auth_alg, .enc_key = c->enc_out,
		.auth_key = c->auth_out, .replay = DATAPATH_REPLAY, .esn = c->esn,
	};
	dp_lifetime(&c->lifetime, in);
	dp_lifetime(&c->lifetime, out);
	in->src.port = in->dst.port = out->src.port = out->dst.port = 0;
	if (c->natt) {
		/* RFC 3948: each SA's ports are its own source's and destination's. */
		in->natt_sport = c->natt_dport;
		in->natt_dport = c->natt_sport;
		out->natt_sport = c->natt_sport;
		out->natt_dport = c->natt_dport;
	}
}

/*
 * Inbound first, so that the peer's first packets under the new pair are
 * accepted; a rekey's responder installs the outbound SA later (dirs).
 */
static int
dp_install(void *ctx, const struct ike_child_sa *c)
{
	struct datapath *dp = ctx;
	struct sadbc_sa in, out;
	struct dp_wait w = { 0 }, w2 = { 0 };
	uint8_t dirs = c->dirs != 0 ? c->dirs : IKE_CHILD_IN | IKE_CHILD_OUT;
	int err = 0;

	datapath_sa_pair(c, &in, &out);
	if (dirs & IKE_CHILD_IN)
		err = dp_await(dp, sadb_client_update(dp->sc, &in, dp_done, &w), &w);
	if (err == 0 && (dirs & IKE_CHILD_OUT))
		err = dp_await(dp, sadb_client_add(dp->sc, &out, dp_done, &w2), &w2);
	secure_wipe(&in, sizeof(in));
	secure_wipe(&out, sizeof(out));
	if (err != 0) {
		log_warnx("tunneld refused SA %08x/%08x: %s", c->spi_in, c->spi_out,
		    strerror(err));
		dp->failures++;
		/* Nothing half-installed stays: the inbound SA goes with its reservation. */
		if (w.done && w.err == 0)
			sadb_client_delete(dp->sc, c->spi_in, &c->remote, &c->local, NULL, NULL);
		return -1;
	}
	dp->installs++;
	return 0;
}

static void
dp_deleted(void *arg, const struct sadbc_reply *r)
{
	(void)arg;
	/* ESRCH: tunneld already removed it (a hard expiry, a flush). */
	if (r->err != 0 && r->err != ESRCH)
		log_warnx("tunneld: DELETE failed: %s", strerror(r->err));
}

/* Not awaited: the data path answers in order, and nothing waits for a removal. */
static int
dp_del(void *ctx, uint32_t spi, const struct gw_addr *src, const struct gw_addr *dst)
{
	struct datapath *dp = ctx;
	struct gw_addr s = *src, d = *dst;

	s.port = d.port = 0;
	return sadb_client_delete(dp->sc, spi, &s, &d, dp_deleted, NULL) != 0 ? 0 : -1;
}

struct dp_retired {
	struct dp_retired	*next;
	uint64_t		 due_ms;
	uint32_t		 spi;
	struct gw_addr		 src;
	struct gw_addr		 dst;
};

/*
 * One delay for all, so the queue stays in due order by appending. With
 * no memory for the entry, the SA goes at once: a packet or two may be
 * lost, nothing stays behind.
 */
static int
dp_retire(void *ctx, uint32_t spi, const struct gw_addr *src, const struct gw_addr *dst)
{
	struct datapath *dp = ctx;
	struct dp_retired *r;

	if ((r = malloc(sizeof(*r))) == NULL)
		return dp_del(ctx, spi, src, dst);
	*r = (struct dp_retired){
		.due_ms = dp->now_ms() + DATAPATH_LINGER_MS, .spi = spi, .src = *src, .dst = *dst,
	};
	*dp->retired_tail = r;
	dp->retired_tail = &r->next;
	dp->nretired++;
	return 0;
}

void
datapath_tick(struct datapath *dp, uint64_t now)
{
	struct dp_retired *r;

	while ((r = dp->retired) != NULL && r->due_ms <= now) {
		if ((dp->retired = r->next) == NULL)
			dp->retired_tail = &dp->retired;
		dp->nretired--;
		if (dp_del(dp, r->spi, &r->src, &r->dst) != 0)
			log_warnx("retired SA %08x: cannot send its DELETE to tunneld", r->spi);
		free(r);
	}
}

void
datapath_forget(struct datapath *dp)
{
	struct dp_retired *r;

	while ((r = dp->retired) != NULL) {
		dp->retired = r->next;
		free(r);
	}
	dp->retired_tail = &dp->retired;
	dp->nretired = 0;
}

void
datapath_sink(struct datapath *dp, struct ike_child_sink *out)
{
	dp->retired = NULL;
	dp->retired_tail = &dp->retired;
	dp->nretired = 0;
	*out = (struct ike_child_sink){
		.getspi = dp_getspi, .install = dp_install, .del = dp_del, .retire = dp_retire,
		.ctx = dp,
	};
}
