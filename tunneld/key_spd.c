/* key_spd.c: the X_SPD* messages of the PF_KEY engine (KAME extensions). */
#include <errno.h>
#include <string.h>

#include "key_impl.h"
#include "log.h"
#include "spmsg.h"

/* Tells the data path the SPD changed (it keeps a firewall in step). */
static void
key_spd_changed(struct key *k)
{
	if (k->dp != NULL && k->dp->spd_changed != NULL)
		k->dp->spd_changed(k->dp->arg);
}

/* Sends p to the sender (seq given) and, for changes, to the listeners. */
static void
key_spd_answer(struct key_req *r, const struct policy *p, unsigned parts, uint32_t seq,
    unsigned to)
{
	struct pfk_msg	out;

	key_reply_init(r, &out);
	out.seq = seq;
	spmsg_fill(&out, p, parts, r->mono, r->wall);
	key_emit(r->k, &out, r->c, to);
}

/* X_SPDADD (EEXIST on the same selector and direction) and X_SPDUPDATE. */
int
key_spd_add(struct key_req *r)
{
	struct policy	 tmpl, *p;
	bool		 update = r->m->type == SADB_X_SPDUPDATE;
	int		 err;

	if ((err = spmsg_policy(r->m, &tmpl)) != 0)
		return err;
	if ((err = -spd_add(&r->k->spd, &tmpl, update, r->mono, &p)) != 0) {
		log_debug("%s: %s", pfk_type_name(r->m->type), strerror(err));
		return err;
	}
	log_debug("%s: policy %u", pfk_type_name(r->m->type), p->id);
	key_spd_answer(r, p, 0, r->m->seq, KEY_TO_SENDER | KEY_TO_LISTENERS);
	key_spd_changed(r->k);
	return 0;
}

/* Announces p's removal (X_POLICY with its id), then frees it. */
static void
key_spd_drop(struct key_req *r, struct policy *p)
{
	struct pfk_msg	out;

	key_reply_init(r, &out);
	spmsg_fill(&out, p, 0, r->mono, r->wall);
	spd_remove(&r->k->spd, p);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER | KEY_TO_LISTENERS);
	key_spd_changed(r->k);
}

/* X_SPDDELETE: by selector and direction. */
int
key_spd_delete(struct key_req *r)
{
	struct policy	*p;
	struct gw_sel	 sel;
	uint8_t		 dir;
	int		 err;

	if ((err = spmsg_selector(r->m, &dir, &sel)) != 0)
		return err;
	if ((p = spd_find(&r->k->spd, dir, &sel)) == NULL) {
		log_debug("X_SPDDELETE: no policy with that selector and direction");
		return ENOENT;
	}
	key_spd_drop(r, p);
	return 0;
}

/* X_SPDDELETE2: by policy id. */
int
key_spd_delete2(struct key_req *r)
{
	struct policy	*p;

	if ((p = spd_get(&r->k->spd, r->m->policy.id)) == NULL) {
		log_debug("X_SPDDELETE2: no policy %u", r->m->policy.id);
		return ENOENT;
	}
	key_spd_drop(r, p);
	return 0;
}

/* X_SPDGET: one policy by id, with its times. */
int
key_spd_get(struct key_req *r)
{
	struct policy	*p;

	if ((p = spd_get(&r->k->spd, r->m->policy.id)) == NULL) {
		log_debug("X_SPDGET: no policy %u", r->m->policy.id);
		return ENOENT;
	}
	key_spd_answer(r, p, SPMSG_LIFETIMES, r->m->seq, KEY_TO_SENDER);
	return 0;
}

int
key_spd_flush(struct key_req *r)
{
	struct pfk_msg	out;
	size_t		n;

	n = spd_flush(&r->k->spd);
	log_debug("X_SPDFLUSH: %zu policies removed", n);
	key_reply_init(r, &out);
	key_emit(r->k, &out, r->c, KEY_TO_SENDER | KEY_TO_LISTENERS);
	key_spd_changed(r->k);
	return 0;
}

/*
 * X_SPDDUMP: directions in, out, fwd, each in (priority, insertion)
 * order; sadb_msg_seq counts down to 0; ENOENT when empty.
 */
int
key_spd_dump(struct key_req *r)
{
	static const uint8_t	 dirs[] = { IPSEC_DIR_INBOUND, IPSEC_DIR_OUTBOUND,
				    IPSEC_DIR_FWD };
	struct policy		*p;
	size_t			 left = spd_count(&r->k->spd), i;

	if (left == 0)
		return ENOENT;
	for (i = 0; i < sizeof(dirs); i++)
		for (p = spd_first(&r->k->spd, dirs[i]); p != NULL; p = spd_next(p))
			key_spd_answer(r, p, SPMSG_LIFETIMES, (uint32_t)--left, KEY_TO_SENDER);
	return 0;
}
