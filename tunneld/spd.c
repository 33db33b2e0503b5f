/* spd.c: the Security Policy Database; see spd.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spd.h"

/* A hash cell: policies whose masked (src, dst) are these, in order. */
struct sp_cell {
	struct hnode		 node;
	struct sp_group		*group;
	struct gw_addr		 src;
	struct gw_addr		 dst;
	struct policy_list	 list;
};

/* All policies of one direction with one (family, src plen, dst plen). */
struct sp_group {
	sa_family_t	af;
	uint8_t		splen;
	uint8_t		dplen;
	struct htab	cells;
	size_t		n;
};

bool
spd_dir_ok(uint8_t dir)
{
	return dir == IPSEC_DIR_INBOUND || dir == IPSEC_DIR_OUTBOUND || dir == IPSEC_DIR_FWD;
}

/* The order of a direction: lower priority value first, then older first. */
static bool
sp_before(const struct policy *a, const struct policy *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->serial < b->serial;
}

/* Inserts p into a (priority, serial)-sorted list; new policies go last. */
#define SP_INSERT_SORTED(head, p, field) do {				\
	struct policy *q_;						\
	TAILQ_FOREACH_REVERSE(q_, (head), policy_list, field)		\
		if (sp_before(q_, (p)))					\
			break;						\
	if (q_ == NULL)							\
		TAILQ_INSERT_HEAD((head), (p), field);			\
	else								\
		TAILQ_INSERT_AFTER((head), q_, (p), field);		\
} while (0)

int
spd_init(struct spd *spd, uint32_t seed)
{
	size_t	i;

	memset(spd, 0, sizeof(*spd));
	for (i = 0; i < IPSEC_DIR_MAX; i++)
		TAILQ_INIT(&spd->dir[i].list);
	spd->seed = seed;
	spd->next_id = 1;
	spd->next_reqid = SPD_AUTO_REQID_MIN;
	if (htab_init(&spd->by_id) == -1 || htab_init(&spd->by_ident) == -1 ||
	    htab_init(&spd->by_reqid) == -1) {
		htab_free(&spd->by_id);
		htab_free(&spd->by_ident);
		htab_free(&spd->by_reqid);
		return -1;
	}
	return 0;
}

void
spd_free(struct spd *spd)
{
	size_t	i;

	spd_flush(spd);
	for (i = 0; i < IPSEC_DIR_MAX; i++)
		free(spd->dir[i].groups);
	htab_free(&spd->by_id);
	htab_free(&spd->by_ident);
	htab_free(&spd->by_reqid);
}

static void
sp_mask(struct gw_sel *sel)
{
	addr_mask(&sel->src);
	addr_mask(&sel->dst);
}

static uint32_t
sp_hash_addr(uint32_t h, const struct gw_addr *a, uint32_t seed)
{
	h = htab_mix(h, addr_hash(a, seed));
	return htab_mix(h, (uint32_t)a->plen << 16 | a->port);
}

static uint32_t
sp_hash_ident(const struct spd *spd, uint8_t dir, const struct gw_sel *sel)
{
	uint32_t	h = htab_mix(spd->seed, dir);

	h = sp_hash_addr(h, &sel->src, spd->seed);
	h = sp_hash_addr(h, &sel->dst, spd->seed);
	return htab_final(htab_mix(h, sel->proto));
}

static uint32_t
sp_hash_cell(const struct spd *spd, const struct gw_addr *src, const struct gw_addr *dst)
{
	return htab_final(htab_mix(addr_hash(src, spd->seed), addr_hash(dst, spd->seed)));
}

static uint32_t
sp_hash_u32(const struct spd *spd, uint32_t v)
{
	return htab_final(htab_mix(spd->seed, v));
}

struct policy *
spd_find(const struct spd *spd, uint8_t dir, const struct gw_sel *sel)
{
	struct gw_sel	 m = *sel;
	struct hnode	*n;
	struct policy	*p;
	uint32_t	 h;

	sp_mask(&m);
	h = sp_hash_ident(spd, dir, &m);
	for (n = htab_bucket(&spd->by_ident, h); n != NULL; n = n->next) {
		if (n->hash != h)
			continue;
		p = htab_entry(n, struct policy, ident_node);
		if (p->dir == dir && sel_eq(&p->sel, &m))
			return p;
	}
	return NULL;
}

struct policy *
spd_get(const struct spd *spd, uint32_t id)
{
	uint32_t	 h = sp_hash_u32(spd, id);
	struct hnode	*n;
	struct policy	*p;

	for (n = htab_bucket(&spd->by_id, h); n != NULL; n = n->next) {
		if (n->hash != h)
			continue;
		p = htab_entry(n, struct policy, id_node);
		if (p->id == id)
			return p;
	}
	return NULL;
}

static bool
sp_reqid_used(const struct spd *spd, uint32_t reqid)
{
	uint32_t	 h = sp_hash_u32(spd, reqid);
	struct hnode	*n;

	for (n = htab_bucket(&spd->by_reqid, h); n != NULL; n = n->next)
		if (n->hash == h && htab_entry(n, struct sp_reqref, node)->reqid == reqid)
			return true;
	return false;
}

/* True if one of p's first n requests already holds reqid. */
static bool
sp_reqid_taken_by(const struct policy *p, size_t n, uint32_t reqid)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (p->req[i].reqid == reqid)
			return true;
	return false;
}

/* Next free reqid of the automatic range (KAME: above 0x3fff), or 0. */
static uint32_t
sp_new_reqid(struct spd *spd, const struct policy *p, size_t i)
{
	uint32_t	r;
	int		tries;

	for (tries = 0; tries < SPD_REQID_TRIES; tries++) {
		r = spd->next_reqid;
		spd->next_reqid = r == UINT32_MAX ? SPD_AUTO_REQID_MIN : r + 1;
		if (!sp_reqid_used(spd, r) && !sp_reqid_taken_by(p, i, r))
			return r;
	}
	return 0;
}

static int
sp_assign_reqids(struct spd *spd, struct policy *p, const struct policy *old)
{
	const struct sp_req	*o;
	struct sp_req		*r;
	size_t			 i;

	for (i = 0; i < p->nreq; i++) {
		r = &p->req[i];
		if (r->level != IPSEC_LEVEL_UNIQUE || r->reqid != 0)
			continue;
		o = old != NULL && i < old->nreq ? &old->req[i] : NULL;
		if (o != NULL && o->level == IPSEC_LEVEL_UNIQUE && o->reqid >= SPD_AUTO_REQID_MIN &&
		    !sp_reqid_taken_by(p, i, o->reqid))
			r->reqid = o->reqid;
		else if ((r->reqid = sp_new_reqid(spd, p, i)) == 0)
			return -ENOSPC;
	}
	return 0;
}

static uint32_t
sp_new_id(struct spd *spd)
{
	uint32_t	id;

	for (;;) {
		id = spd->next_id;
		spd->next_id = id == UINT32_MAX ? 1 : id + 1;
		if (spd_get(spd, id) == NULL)
			return id;
	}
}

static struct sp_group *
sp_group_find(const struct sp_dir *d, sa_family_t af, uint8_t splen, uint8_t dplen)
{
	size_t	i;

	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i]->af == af && d->groups[i]->splen == splen &&
		    d->groups[i]->dplen == dplen)
			return d->groups[i];
	return NULL;
}

/* Frees g once it holds no policy. */
static void
sp_group_put(struct sp_dir *d, struct sp_group *g)
{
	size_t	i;

	if (g->n != 0 || g->cells.n != 0)
		return;
	for (i = 0; i < d->ngroups; i++) {
		if (d->groups[i] == g) {
			d->groups[i] = d->groups[--d->ngroups];
			break;
		}
	}
	htab_free(&g->cells);
	free(g);
}

static struct sp_group *
sp_group_get(struct sp_dir *d, const struct gw_sel *sel)
{
	struct sp_group	**v, *g;

	g = sp_group_find(d, sel->src.af, sel->src.plen, sel->dst.plen);
	if (g != NULL)
		return g;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	v = reallocarray(d->groups, d->ngroups + 1, sizeof(*v));
	if (v == NULL || htab_init(&g->cells) == -1) {
		if (v != NULL)
			d->groups = v;
		free(g);
		return NULL;
	}
	d->groups = v;
	g->af = sel->src.af;
	g->splen = sel->src.plen;
	g->dplen = sel->dst.plen;
	d->groups[d->ngroups++] = g;
	return g;
}

static struct sp_cell *
sp_cell_find(const struct spd *spd, const struct sp_group *g, const struct gw_addr *src,
    const struct gw_addr *dst)
{
	uint32_t	 h = sp_hash_cell(spd, src, dst);
	struct hnode	*n;
	struct sp_cell	*c;

	for (n = htab_bucket(&g->cells, h); n != NULL; n = n->next) {
		if (n->hash != h)
			continue;
		c = htab_entry(n, struct sp_cell, node);
		if (addr_eq(&c->src, src) && addr_eq(&c->dst, dst))
			return c;
	}
	return NULL;
}

static struct sp_cell *
sp_cell_get(struct spd *spd, struct sp_group *g, const struct gw_sel *sel)
{
	struct sp_cell	*c;

	if ((c = sp_cell_find(spd, g, &sel->src, &sel->dst)) != NULL)
		return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->group = g;
	c->src = sel->src;
	c->dst = sel->dst;
	TAILQ_INIT(&c->list);
	htab_insert(&g->cells, &c->node, sp_hash_cell(spd, &c->src, &c->dst));
	return c;
}

/* Builds the new policy from tmpl without touching the SPD's contents. */
static struct policy *
sp_new(struct spd *spd, const struct policy *tmpl, const struct policy *old, int *err)
{
	struct policy	*p;
	size_t		 i;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	p->sel = tmpl->sel;
	sp_mask(&p->sel);
	p->dir = tmpl->dir;
	p->action = tmpl->action;
	p->priority = tmpl->priority;
	p->nreq = tmpl->nreq < PFK_MAX_REQ ? tmpl->nreq : PFK_MAX_REQ;
	for (i = 0; i < p->nreq; i++)
		p->req[i] = tmpl->req[i];
	if ((*err = sp_assign_reqids(spd, p, old)) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

static void
sp_link(struct spd *spd, struct policy *p, struct sp_cell *c)
{
	struct sp_dir	*d = &spd->dir[p->dir];
	size_t		 i;

	p->cell = c;
	SP_INSERT_SORTED(&c->list, p, cell_entry);
	c->group->n++;
	SP_INSERT_SORTED(&d->list, p, dir_entry);
	d->n++;
	htab_insert(&spd->by_id, &p->id_node, sp_hash_u32(spd, p->id));
	htab_insert(&spd->by_ident, &p->ident_node, sp_hash_ident(spd, p->dir, &p->sel));
	for (i = 0; i < p->nreq; i++) {
		if (p->req[i].reqid < SPD_AUTO_REQID_MIN)
			continue;
		p->reqref[i].reqid = p->req[i].reqid;
		htab_insert(&spd->by_reqid, &p->reqref[i].node, sp_hash_u32(spd, p->req[i].reqid));
	}
	spd->total++;
}

int
spd_add(struct spd *spd, const struct policy *tmpl, bool update, uint64_t now,
    struct policy **out)
{
	struct policy	*old, *p;
	struct sp_group	*g;
	struct sp_cell	*c;
	int		 err;

	if (!spd_dir_ok(tmpl->dir))
		return -EINVAL;
	old = spd_find(spd, tmpl->dir, &tmpl->sel);
	if (old != NULL && !update)
		return -EEXIST;
	if ((p = sp_new(spd, tmpl, old, &err)) == NULL)
		return err;
	if ((g = sp_group_get(&spd->dir[p->dir], &p->sel)) == NULL ||
	    (c = sp_cell_get(spd, g, &p->sel)) == NULL) {
		if (g != NULL)
			sp_group_put(&spd->dir[p->dir], g);
		free(p);
		return -ENOMEM;
	}
	/* An update keeps the id and the place among equal priorities. */
	p->id = old != NULL ? old->id : sp_new_id(spd);
	p->serial = old != NULL ? old->serial : ++spd->serial;
	p->created = now;
	sp_link(spd, p, c);
	if (old != NULL)
		spd_remove(spd, old);
	*out = p;
	return 0;
}

void
spd_remove(struct spd *spd, struct policy *p)
{
	struct sp_dir	*d = &spd->dir[p->dir];
	struct sp_cell	*c = p->cell;
	struct sp_group	*g = c->group;
	size_t		 i;

	for (i = 0; i < p->nreq; i++)
		if (p->req[i].reqid >= SPD_AUTO_REQID_MIN)
			htab_remove(&spd->by_reqid, &p->reqref[i].node);
	htab_remove(&spd->by_ident, &p->ident_node);
	htab_remove(&spd->by_id, &p->id_node);
	TAILQ_REMOVE(&d->list, p, dir_entry);
	d->n--;
	TAILQ_REMOVE(&c->list, p, cell_entry);
	g->n--;
	if (TAILQ_EMPTY(&c->list)) {
		htab_remove(&g->cells, &c->node);
		free(c);
		sp_group_put(d, g);
	}
	spd->total--;
	free(p);
}

size_t
spd_flush(struct spd *spd)
{
	struct policy	*p;
	size_t		 n = 0;
	uint8_t		 dir;

	for (dir = 0; dir < IPSEC_DIR_MAX; dir++) {
		while ((p = TAILQ_FIRST(&spd->dir[dir].list)) != NULL) {
			spd_remove(spd, p);
			n++;
		}
	}
	return n;
}

/* The first policy of g matching f that comes before best, or NULL. */
static struct policy *
sp_group_match(const struct spd *spd, const struct sp_group *g, const struct gw_flow *f,
    const struct policy *best)
{
	struct gw_addr	 s = f->src, d = f->dst;
	struct sp_cell	*c;
	struct policy	*p;

	s.plen = g->splen;
	d.plen = g->dplen;
	addr_mask(&s);
	addr_mask(&d);
	if ((c = sp_cell_find(spd, g, &s, &d)) == NULL)
		return NULL;
	TAILQ_FOREACH(p, &c->list, cell_entry) {
		if (best != NULL && !sp_before(p, best))
			return NULL;
		if (sel_match(&p->sel, f))
			return p;
	}
	return NULL;
}

struct policy *
spd_lookup(const struct spd *spd, uint8_t dir, const struct gw_flow *f)
{
	const struct sp_dir	*d;
	struct policy		*best = NULL, *p;
	size_t			 i;

	if (!spd_dir_ok(dir))
		return NULL;
	d = &spd->dir[dir];
	for (i = 0; i < d->ngroups; i++) {
		if (d->groups[i]->af != f->src.af)
			continue;
		if ((p = sp_group_match(spd, d->groups[i], f, best)) != NULL)
			best = p;
	}
	return best;
}

struct policy *
spd_first(const struct spd *spd, uint8_t dir)
{
	return spd_dir_ok(dir) ? TAILQ_FIRST(&spd->dir[dir].list) : NULL;
}

struct policy *
spd_next(const struct policy *p)
{
	return TAILQ_NEXT(p, dir_entry);
}

size_t
spd_count(const struct spd *spd)
{
	return spd->total;
}
