/* key_sa.c: the SAD messages of the PF_KEY engine (RFC 2367 3.1.1-3.1.10). */
#include <errno.h>
#include <string.h>

#include "key_impl.h"
#include "log.h"
#include "samsg.h"

/* What a reply or broadcast about a state change shows: never keys. */
#define KEY_SA_ECHO	(SAMSG_HARD | SAMSG_SOFT | SAMSG_REPLAY)

/*
 * Replies to the sender and copies to the other listeners (RFC 2367 3.1:
 * ADD, UPDATE and DELETE answers go to all sockets, without keys).
 */
static void
key_sa_announce(struct key_req *r, const struct sa *sa, unsigned parts)
{
	struct pfk_msg	out;

	key_reply_init(r, &out);
	samsg_fill(&out, sa, parts, r->mono, r->wall);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER | KEY_TO_LISTENERS);
}

/* Answers only the sender, for reads and reservations. */
static void
key_sa_answer(struct key_req *r, const struct sa *sa, unsigned parts, uint32_t seq)
{
	struct pfk_msg	out;

	key_reply_init(r, &out);
	out.satype = sa->cfg.satype;
	out.seq = seq;
	samsg_fill(&out, sa, parts, r->mono, r->wall);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER);
}

/* The SA the request names by satype, dst and SPI, with a matching src. */
static struct sa *
key_sa_named(const struct key_req *r)
{
	struct sa	*sa;

	sa = sad_find(&r->k->sad, r->m->satype, &r->m->dst.addr, r->m->sa.spi);
	if (sa == NULL || !addr_eq(&sa->cfg.src, &r->m->src.addr)) {
		log_debug("%s: spi 0x%08x: no such SA", pfk_type_name(r->m->type), r->m->sa.spi);
		return NULL;
	}
	return sa;
}

/*
 * The data path's state for cfg, built before the SAD changes so that a
 * refusal leaves it untouched. 0 (state NULL without a data path) or an
 * errno.
 */
static int
key_sa_prepare(struct key *k, const struct sa_cfg *cfg, void **state)
{
	int	err;

	*state = NULL;
	if (k->dp == NULL || k->dp->sa_prepare == NULL)
		return 0;
	if ((err = k->dp->sa_prepare(k->dp->arg, cfg, state)) != 0)
		log_debug("spi 0x%08x: the data path refused the SA: %s", cfg->spi,
		    strerror(err));
	return err;
}

static void
key_sa_unprepare(struct key *k, void *state)
{
	if (state != NULL && k->dp != NULL && k->dp->sa_free != NULL)
		k->dp->sa_free(k->dp->arg, state);
}

/* sa just became usable: packets held for it may go. */
static void
key_sa_ready(struct key *k, struct sa *sa)
{
	if (k->dp != NULL && k->dp->sa_ready != NULL)
		k->dp->sa_ready(k->dp->arg, sa);
}

static int
key_sa_spirange(const struct pfk_msg *m, uint32_t *min, uint32_t *max)
{
	*min = SAD_SPI_MIN;
	*max = UINT32_MAX;
	if (!pfk_has(m, SADB_EXT_SPIRANGE))
		return 0;
	*min = m->spirange.min > SAD_SPI_MIN ? m->spirange.min : SAD_SPI_MIN;
	*max = m->spirange.max;
	if (*min > *max) {
		log_debug("GETSPI: SPI range 0x%x..0x%x empty above the reserved values",
		    m->spirange.min, m->spirange.max);
		return EINVAL;
	}
	return 0;
}

static uint32_t
key_sa_random(void *arg)
{
	struct key	*k = arg;

	return k->io->random(k->io->arg);
}

/* GETSPI: reserve a random unused SPI as a LARVAL SA awaiting UPDATE. */
int
key_sa_getspi(struct key_req *r)
{
	struct sa_cfg	 cfg;
	struct sa	*sa;
	uint32_t	 min, max;
	int		 err;

	if ((err = samsg_ident(r->m, &cfg)) != 0 ||
	    (err = key_sa_spirange(r->m, &min, &max)) != 0)
		return err;
	cfg.spi = sad_alloc_spi(&r->k->sad, cfg.satype, &cfg.dst, min, max, key_sa_random, r->k);
	if (cfg.spi == 0) {
		log_debug("GETSPI: no free SPI in 0x%x..0x%x", min, max);
		return min == max ? EEXIST : EAGAIN;
	}
	if ((err = sad_add(&r->k->sad, &cfg, SA_LARVAL, r->mono, r->m->seq, r->m->pid, &sa)) != 0)
		return -err;
	key_sa_answer(r, sa, 0, r->m->seq);
	return 0;
}

/* Completes the LARVAL sa with cfg, data path state first. 0 or an errno. */
static int
key_sa_complete(struct key_req *r, struct sa *sa, struct sa_cfg *cfg)
{
	void	*state;
	int	 err;

	/* Without SA2 the SA keeps what GETSPI reserved it for. */
	if (!pfk_has(r->m, SADB_X_EXT_SA2)) {
		cfg->mode = sa->cfg.mode;
		cfg->reqid = sa->cfg.reqid;
	}
	if ((err = key_sa_prepare(r->k, cfg, &state)) != 0)
		return err;
	sad_update(&r->k->sad, sa, cfg, r->mono);
	sa->dp = state;
	key_sa_announce(r, sa, KEY_SA_ECHO);
	key_sa_ready(r->k, sa);
	return 0;
}

/* UPDATE: complete a LARVAL SA; it becomes MATURE. */
int
key_sa_update(struct key_req *r)
{
	struct sa_cfg	 cfg;
	struct sa	*sa;
	int		 err;

	if ((err = samsg_cfg(r->m, &cfg)) != 0)
		return err;
	if ((sa = key_sa_named(r)) == NULL)
		err = ENOENT;
	else if (sa->state != SA_LARVAL) {
		log_debug("UPDATE: spi 0x%08x: SA is not larval", sa->cfg.spi);
		err = EINVAL;
	} else
		err = key_sa_complete(r, sa, &cfg);
	gw_key_clear(&cfg.enc_key);
	gw_key_clear(&cfg.auth_key);
	return err;
}

/* ADD: install a complete SA; EEXIST when (satype, dst, SPI) is taken. */
int
key_sa_add(struct key_req *r)
{
	struct sa_cfg	 cfg;
	struct sa	*sa = NULL;
	void		*state = NULL;
	int		 err;

	if ((err = samsg_cfg(r->m, &cfg)) != 0)
		return err;
	/* The cheap EEXIST check first: no crypto set up for a duplicate. */
	if (sad_find(&r->k->sad, cfg.satype, &cfg.dst, cfg.spi) != NULL)
		err = EEXIST;
	else if ((err = key_sa_prepare(r->k, &cfg, &state)) == 0)
		err = -sad_add(&r->k->sad, &cfg, SA_MATURE, r->mono, r->m->seq, r->m->pid, &sa);
	gw_key_clear(&cfg.enc_key);
	gw_key_clear(&cfg.auth_key);
	if (err != 0) {
		key_sa_unprepare(r->k, state);
		log_debug("ADD: spi 0x%08x: %s", r->m->sa.spi, strerror(err));
		return err;
	}
	sa->dp = state;
	key_sa_announce(r, sa, KEY_SA_ECHO);
	key_sa_ready(r->k, sa);
	return 0;
}

/*
 * DELETE without an SA extension (KAME's deleteall): every SA of the
 * satype between the two addresses.
 */
static int
key_sa_delete_pair(struct key_req *r)
{
	struct sa	*sa, *next;
	struct pfk_msg	 out;
	size_t		 n = 0;

	for (sa = sad_first(&r->k->sad); sa != NULL; sa = next) {
		next = sad_next(sa);
		if (sa->cfg.satype != r->m->satype || !addr_eq(&sa->cfg.src, &r->m->src.addr) ||
		    !addr_eq(&sa->cfg.dst, &r->m->dst.addr))
			continue;
		sad_remove(&r->k->sad, sa);
		n++;
	}
	if (n == 0)
		return ENOENT;
	key_reply_init(r, &out);
	out.src = r->m->src;
	out.dst = r->m->dst;
	pfk_set(&out, SADB_EXT_ADDRESS_SRC);
	pfk_set(&out, SADB_EXT_ADDRESS_DST);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER | KEY_TO_LISTENERS);
	return 0;
}

/* DELETE: remove the SA named by satype, src, dst and SPI. */
int
key_sa_delete(struct key_req *r)
{
	struct pfk_msg	 out;
	struct sa	*sa;
	int		 err;

	if ((err = samsg_satype(r->m)) != 0)
		return err;
	if (!pfk_has(r->m, SADB_EXT_SA))
		return key_sa_delete_pair(r);
	if ((sa = key_sa_named(r)) == NULL)
		return ENOENT;
	key_reply_init(r, &out);
	samsg_fill(&out, sa, 0, r->mono, r->wall);
	sad_remove(&r->k->sad, sa);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER | KEY_TO_LISTENERS);
	return 0;
}

/* Keys go only to clients allowed to change the SAD anyway. */
static unsigned
key_sa_view(const struct key_req *r)
{
	return r->c->priv ? SAMSG_FULL : SAMSG_FULL & ~SAMSG_KEYS;
}

/* GET: one SA with keys, lifetimes, replay window and counters. */
int
key_sa_get(struct key_req *r)
{
	struct sa	*sa;
	int		 err;

	if ((err = samsg_satype(r->m)) != 0)
		return err;
	if ((sa = key_sa_named(r)) == NULL)
		return ENOENT;
	key_sa_answer(r, sa, key_sa_view(r), r->m->seq);
	return 0;
}

/* FLUSH: every SA of satype, or all with UNSPEC. */
int
key_sa_flush(struct key_req *r)
{
	struct pfk_msg	out;
	size_t		n;

	n = sad_flush(&r->k->sad, r->m->satype);
	log_debug("FLUSH: %zu SAs removed", n);
	key_reply_init(r, &out);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER | KEY_TO_LISTENERS);
	return 0;
}

/*
 * DUMP: one reply per SA in insertion order, sadb_msg_seq counting down
 * so that the last one carries 0; ENOENT when there is none.
 */
int
key_sa_dump(struct key_req *r)
{
	struct sa	*sa;
	size_t		 left = sad_count(&r->k->sad, r->m->satype);

	if (left == 0)
		return ENOENT;
	for (sa = sad_first(&r->k->sad); sa != NULL && left > 0; sa = sad_next(sa)) {
		if (r->m->satype != SADB_SATYPE_UNSPEC && sa->cfg.satype != r->m->satype)
			continue;
		left--;
		key_sa_answer(r, sa, key_sa_view(r), (uint32_t)left);
	}
	return 0;
}
