/*
 * snapshot.c: taking the SAD/SPD snapshot before the first destructive
 * command and restoring from it after a refusal; see snapshot.h.
 *
 * Restoring compares the snapshot with a fresh DUMP and X_SPDDUMP, so
 * that what still exists is left alone, and blames every missing or
 * changed entry on the first applied destructive command that covers it
 * ("flush esp" covers every ESP SA, "delete" one SA, "spddelete" and
 * "spdupdate" one selector). An entry nobody of this run covers is not
 * touched. SAs go back before policies, so that no restored "require"
 * policy meets a missing SA and makes tunneld send an ACQUIRE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alg.h"
#include "cmd.h"
#include "ident.h"
#include "log.h"
#include "snapshot.h"

/* What exists after the undos, and what to compare against. */
struct snap_now {
	struct ident_map sa;		/* SAs present */
	struct ident_map sp;		/* policies present: index in pol */
	struct snap_sp	*pol;
	size_t		 npol, cap;
	struct ident_map pre;		/* created by this run before the snapshot */
	struct ident_map old;		/* policies of the snapshot */
	struct snap	*s;		/* for completeness counting */
	bool		 added;		/* a policy came back with X_SPDADD */
	bool		 sas;		/* an SA came back */
};

bool
snap_destroys(const struct setkey_cmd *c)
{
	switch (c->op) {
	case SK_FLUSH:
	case SK_SPDFLUSH:
	case SK_DELETE:
	case SK_DELETEALL:
	case SK_SPDDELETE:
	case SK_SPDUPDATE:
		return true;
	default:
		return false;
	}
}

bool
snap_covers(const struct snap *s, const struct setkey_cmd *c)
{
	return s->taken && snap_destroys(c);
}

/* Grows an array that may hold keys without leaving copies in freed memory. */
static void *
snap_grow(void *old, size_t *cap, size_t size)
{
	size_t ncap = *cap != 0 ? *cap * 2 : 64;
	void *p;

	if (ncap < *cap || (p = calloc(ncap, size)) == NULL)
		fatal("snap_grow");
	if (old != NULL)
		memcpy(p, old, *cap * size);
	secure_free(old, *cap * size);
	*cap = ncap;
	return p;
}

/* Dumps count sadb_msg_seq down to 0: the first one says how many follow. */
static void
snap_count(struct snap *s, const struct pfk_msg *m)
{
	if (s->got++ == 0)
		s->expect = (size_t)m->seq + 1;
}

static void
snap_key(struct gw_key *out, const struct pfk_msg *m, unsigned ext, const struct pfk_key *k)
{
	if (!pfk_has(m, ext) || k->len > sizeof(out->b))
		return;
	memcpy(out->b, k->data, k->len);
	out->len = (uint16_t)k->len;
}

static void
snap_keep_natt(struct snap_sa *e, const struct pfk_msg *m)
{
	if (!pfk_has(m, SADB_X_EXT_NAT_T_TYPE))
		return;
	e->has_natt = true;
	e->natt_type = m->natt_type;
	e->natt_sport = m->natt_sport;
	e->natt_dport = m->natt_dport;
	if (pfk_has(m, SADB_X_EXT_NAT_T_OA))
		e->natt_oa = m->natt_oa;
}

/* run_dump_each() callback: one SA into the snapshot. */
static void
snap_keep_sa(void *arg, const struct pfk_msg *m)
{
	struct snap *s = arg;
	struct snap_sa *e;

	snap_count(s, m);
	if (!pfk_has(m, SADB_EXT_ADDRESS_SRC) || !pfk_has(m, SADB_EXT_ADDRESS_DST))
		return;		/* counted, not kept: the snapshot is incomplete */
	if (s->nsa == s->sacap)
		s->sa = snap_grow(s->sa, &s->sacap, sizeof(*s->sa));
	e = &s->sa[s->nsa++];
	memset(e, 0, sizeof(*e));
	e->satype = m->satype;
	e->sa = m->sa;
	e->sa2.mode = IPSEC_MODE_ANY;
	if (pfk_has(m, SADB_X_EXT_SA2))
		e->sa2 = m->sa2;
	e->src = m->src.addr;
	e->dst = m->dst.addr;
	if (pfk_has(m, SADB_EXT_LIFETIME_CURRENT))
		e->cur = m->lt_current;
	if (pfk_has(m, SADB_EXT_LIFETIME_HARD))
		e->hard = m->lt_hard;
	if (pfk_has(m, SADB_EXT_LIFETIME_SOFT))
		e->soft = m->lt_soft;
	if ((e->has_replay = pfk_has(m, PFK_EXT_REPLAY)))
		e->replay = m->replay;
	snap_keep_natt(e, m);
	snap_key(&e->enc_key, m, SADB_EXT_KEY_ENCRYPT, &m->key_enc);
	snap_key(&e->auth_key, m, SADB_EXT_KEY_AUTH, &m->key_auth);
}

static void
snap_copy_sp(struct snap_sp *e, const struct pfk_msg *m)
{
	memset(e, 0, sizeof(*e));
	e->src = m->src;
	e->dst = m->dst;
	e->pol = m->policy;
}

/* run_dump_each() callback: one policy into the snapshot. */
static void
snap_keep_sp(void *arg, const struct pfk_msg *m)
{
	struct snap *s = arg;

	snap_count(s, m);
	if (!pfk_has(m, SADB_EXT_ADDRESS_SRC) || !pfk_has(m, SADB_EXT_ADDRESS_DST))
		return;
	if (s->nsp == s->spcap)
		s->sp = snap_grow(s->sp, &s->spcap, sizeof(*s->sp));
	snap_copy_sp(&s->sp[s->nsp++], m);
}

/* One dump into s; 0, or why not: an errno, -1 (connection), -2 (incomplete). */
static int
snap_dump(struct snap *s, struct run *r, uint8_t type, run_dump_fn *fn, size_t *kept)
{
	size_t before = *kept;
	int rc;

	s->expect = s->got = 0;
	rc = run_dump_each(r, type, SADB_SATYPE_UNSPEC, fn, s);
	if (rc == ENOENT)
		return 0;
	if (rc == 0 && (s->got != s->expect || *kept - before != s->got))
		return -2;
	return rc;
}

bool
snap_before(struct snap *s, struct run *r, const char *file, const struct setkey_cmd *c)
{
	char d[256];
	int rc;

	if (s->taken || !snap_destroys(c))
		return true;
	if ((rc = snap_dump(s, r, SADB_DUMP, snap_keep_sa, &s->nsa)) == 0)
		rc = snap_dump(s, r, SADB_X_SPDDUMP, snap_keep_sp, &s->nsp);
	if (rc == 0) {
		s->taken = true;
		s->line = c->line;
		if (r->verbose)
			fprintf(r->out, "setkey: snapshot of %zu SAs and %zu policies taken before "
			    "line %u\n", s->nsa, s->nsp, c->line);
		return true;
	}
	cmd_describe(c, d, sizeof(d));
	if (rc > 0)
		fprintf(r->err, "%s:%u: %s not sent: tunneld refused the dump for a snapshot: "
		    "%s\n", file, c->line, d, strerror(rc));
	else
		fprintf(r->err, "%s:%u: %s not sent: no complete snapshot of the SAD and SPD "
		    "could be taken\n", file, c->line, d);
	snap_free(s);
	return false;
}

void
snap_note(struct snap *s, const struct setkey_cmd *c, uint32_t spi)
{
	bool creation = c->op == SK_ADD || c->op == SK_GETSPI || c->op == SK_SPDADD;

	/* Creations after the snapshot are not in it: their undo suffices. */
	if (!snap_destroys(c) && (!creation || s->taken))
		return;
	if (s->ncmd == s->cmdcap) {
		s->cmdcap = s->cmdcap != 0 ? s->cmdcap * 2 : 16;
		if ((s->cmd = reallocarray(s->cmd, s->cmdcap, sizeof(*s->cmd))) == NULL)
			fatal("snap_note");
	}
	s->cmd[s->ncmd++] = (struct snap_cmd){ .c = c, .spi = spi, .before = !s->taken };
}

static bool
snap_hits_sa(const struct setkey_cmd *c, const struct snap_sa *sa)
{
	const struct setkey_sa *x = &c->u.sa;

	switch (c->op) {
	case SK_FLUSH:
		return c->u.satype == SADB_SATYPE_UNSPEC || c->u.satype == sa->satype;
	case SK_DELETE:
		return x->satype == sa->satype && x->spi == sa->sa.spi &&
		    addr_eq(&x->src, &sa->src) && addr_eq(&x->dst, &sa->dst);
	case SK_DELETEALL:
		return x->satype == sa->satype && addr_eq(&x->src, &sa->src) &&
		    addr_eq(&x->dst, &sa->dst);
	default:
		return false;
	}
}

static void
snap_sp_ident(struct ident *id, const struct snap_sp *sp)
{
	ident_sp(id, sp->pol.dir, &sp->src.addr, &sp->dst.addr, sp->src.proto);
}

static bool
snap_hits_sp(const struct setkey_cmd *c, const struct ident *id)
{
	const struct setkey_spd *x = &c->u.spd;
	struct ident cid;

	switch (c->op) {
	case SK_SPDFLUSH:
		return true;
	case SK_SPDDELETE:
	case SK_SPDUPDATE:
		ident_sp(&cid, x->pol.dir, &x->src, &x->dst, x->ulproto);
		return ident_eq(&cid, id);
	default:
		return false;
	}
}

/* The first applied destructive command that removed or changed sa. */
static struct snap_cmd *
snap_blame_sa(struct snap *s, const struct snap_sa *sa)
{
	size_t i;

	for (i = 0; i < s->ncmd; i++)
		if (!s->cmd[i].before && snap_hits_sa(s->cmd[i].c, sa))
			return &s->cmd[i];
	return NULL;
}

static struct snap_cmd *
snap_blame_sp(struct snap *s, const struct ident *id)
{
	size_t i;

	for (i = 0; i < s->ncmd; i++)
		if (!s->cmd[i].before && snap_hits_sp(s->cmd[i].c, id))
			return &s->cmd[i];
	return NULL;
}

/* run_dump_each() callbacks for the state after the undos. */
static void
snap_now_sa(void *arg, const struct pfk_msg *m)
{
	struct snap_now *n = arg;
	struct ident id;

	snap_count(n->s, m);
	ident_sa(&id, m->satype, &m->dst.addr, m->sa.spi);
	ident_put(&n->sa, &id, 0, NULL);
}

static void
snap_now_sp(void *arg, const struct pfk_msg *m)
{
	struct snap_now *n = arg;
	struct ident id;

	snap_count(n->s, m);
	if (n->npol == n->cap)
		n->pol = snap_grow(n->pol, &n->cap, sizeof(*n->pol));
	snap_copy_sp(&n->pol[n->npol], m);
	snap_sp_ident(&id, &n->pol[n->npol]);
	ident_put(&n->sp, &id, n->npol, NULL);
	n->npol++;
}

/* Reads what exists now; false if tunneld could not say. */
static bool
snap_now_load(struct snap_now *n, struct run *r)
{
	struct snap *s = n->s;
	int rc;

	s->expect = s->got = 0;
	rc = run_dump_each(r, SADB_DUMP, SADB_SATYPE_UNSPEC, snap_now_sa, n);
	if (rc != ENOENT && (rc != 0 || s->got != s->expect))
		return false;
	s->expect = s->got = 0;
	rc = run_dump_each(r, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC, snap_now_sp, n);
	return rc == ENOENT || (rc == 0 && s->got == s->expect);
}

/* Indexes this run's creations before the snapshot, and the snapshot's policies. */
static void
snap_now_index(struct snap_now *n)
{
	const struct snap *s = n->s;
	const struct setkey_cmd *c;
	struct ident id;
	size_t i;

	for (i = 0; i < s->ncmd; i++) {
		if (!s->cmd[i].before)
			continue;
		c = s->cmd[i].c;
		if (c->op == SK_SPDADD)
			ident_sp(&id, c->u.spd.pol.dir, &c->u.spd.src, &c->u.spd.dst,
			    c->u.spd.ulproto);
		else
			ident_sa(&id, c->u.sa.satype, &c->u.sa.dst, s->cmd[i].spi);
		ident_put(&n->pre, &id, 0, NULL);
	}
	for (i = 0; i < s->nsp; i++) {
		snap_sp_ident(&id, &s->sp[i]);
		ident_put(&n->old, &id, i, NULL);
	}
}

static void
snap_now_free(struct snap_now *n)
{
	ident_map_free(&n->sa);
	ident_map_free(&n->sp);
	ident_map_free(&n->pre);
	ident_map_free(&n->old);
	free(n->pol);
}

/*
 * What is left of the limit lim after the use cur, at wall time now. A
 * limit already reached makes it false, or with clamp leaves 1 of it so
 * that the limit is reached again at once (a soft limit: the SA becomes
 * DYING again, as it was).
 */
static bool
snap_left(const struct pfk_lifetime *lim, const struct pfk_lifetime *cur, uint64_t now,
    bool clamp, struct pfk_lifetime *out)
{
	uint64_t lim_v[4] = { lim->addtime, lim->usetime, lim->bytes, lim->allocations };
	uint64_t used[4] = { 0, 0, cur->bytes, cur->allocations };
	size_t i;

	if (cur->addtime != 0 && now > cur->addtime)
		used[0] = now - cur->addtime;
	if (cur->usetime != 0 && now > cur->usetime)
		used[1] = now - cur->usetime;
	for (i = 0; i < 4; i++) {
		if (lim_v[i] == 0)
			continue;
		if (used[i] >= lim_v[i] && !clamp)
			return false;
		lim_v[i] = used[i] >= lim_v[i] ? 1 : lim_v[i] - used[i];
	}
	*out = (struct pfk_lifetime){ .addtime = lim_v[0], .usetime = lim_v[1],
	    .bytes = lim_v[2], .allocations = (uint32_t)lim_v[3] };
	return true;
}

static bool
snap_lifetime_set(const struct pfk_lifetime *l)
{
	return l->addtime != 0 || l->usetime != 0 || l->bytes != 0 || l->allocations != 0;
}

static void
snap_put_key(struct pfk_msg *m, unsigned ext, struct pfk_key *k, const struct gw_key *key)
{
	if (key->len == 0)
		return;
	k->bits = (uint16_t)(key->len * 8u);
	k->data = key->b;
	k->len = key->len;
	pfk_set(m, ext);
}

static void
snap_put_natt(const struct snap_sa *sa, struct pfk_msg *m)
{
	if (!sa->has_natt)
		return;
	m->natt_type = sa->natt_type;
	m->natt_sport = sa->natt_sport;
	m->natt_dport = sa->natt_dport;
	pfk_set(m, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(m, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_DPORT);
	if (sa->natt_oa.af != AF_UNSPEC) {
		m->natt_oa = sa->natt_oa;
		pfk_set(m, SADB_X_EXT_NAT_T_OA);
	}
}

/*
 * The ADD that puts sa back, its lifetimes shortened by what it had used
 * (key views borrow sa). False when its hard lifetime ran out meanwhile.
 */
static bool
snap_build_add(const struct snap_sa *sa, uint64_t now, struct pfk_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (!snap_left(&sa->hard, &sa->cur, now, false, &m->lt_hard))
		return false;
	snap_left(&sa->soft, &sa->cur, now, true, &m->lt_soft);
	if (snap_lifetime_set(&m->lt_hard))
		pfk_set(m, SADB_EXT_LIFETIME_HARD);
	if (snap_lifetime_set(&m->lt_soft))
		pfk_set(m, SADB_EXT_LIFETIME_SOFT);
	m->type = SADB_ADD;
	m->satype = sa->satype;
	m->sa = sa->sa;
	m->sa.state = SADB_SASTATE_MATURE;
	m->sa2 = sa->sa2;
	m->src.proto = m->dst.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = sa->src;
	m->dst.addr = sa->dst;
	pfk_set(m, SADB_EXT_SA);
	pfk_set(m, SADB_X_EXT_SA2);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	snap_put_key(m, SADB_EXT_KEY_ENCRYPT, &m->key_enc, &sa->enc_key);
	snap_put_key(m, SADB_EXT_KEY_AUTH, &m->key_auth, &sa->auth_key);
	if (sa->has_replay) {
		m->replay = sa->replay;
		pfk_set(m, PFK_EXT_REPLAY);
	}
	snap_put_natt(sa, m);
	return true;
}

/* A key the SA's algorithm needs that the dump did not show. */
static bool
snap_keys_missing(const struct snap_sa *sa)
{
	const struct alg *e = alg_by_id(ALG_ENC, sa->sa.encrypt);
	const struct alg *a = alg_by_id(ALG_AUTH, sa->sa.auth);

	return (e != NULL && !e->key_none && sa->enc_key.len == 0) ||
	    (a != NULL && !a->key_none && sa->auth_key.len == 0);
}

/*
 * Why sa must not come back, or NULL. An AEAD's IV is its sequence
 * number: after packets were sent, restarting the count under the same
 * key would repeat nonces.
 */
static const char *
snap_unsafe(const struct snap_sa *sa, char *buf, size_t len)
{
	const struct alg *e = alg_by_id(ALG_ENC, sa->sa.encrypt);

	if (sa->sa.state == SADB_SASTATE_LARVAL)
		return "it was larval (an SPI a key manager reserved with GETSPI), and that "
		    "state cannot be recreated";
	if (e != NULL && e->aead && sa->sa2.sequence != 0) {
		snprintf(buf, len, "it had sent %u packets, and %s restarting at sequence "
		    "number 1 under the same key would repeat nonces", sa->sa2.sequence, e->name);
		return buf;
	}
	/* With ESN the 32 bits shown wrap to 0 after 2^32 packets: assume the worst. */
	if (e != NULL && e->aead && sa->has_replay && (sa->replay.flags & PFK_REPLAY_ESN) &&
	    sa->cur.allocations != 0) {
		snprintf(buf, len, "it carried traffic with extended sequence numbers, and %s "
		    "restarting at sequence number 1 under the same key could repeat nonces",
		    e->name);
		return buf;
	}
	if (snap_keys_missing(sa))
		return "tunneld did not show its keys";
	return NULL;
}

static void
snap_restore_sa(struct run *r, const char *file, const struct snap_sa *sa,
    struct snap_cmd *by, struct snap_now *n, struct pfk_msg *m)
{
	char d[192], why[192];
	const char *no;

	cmd_describe_sa(sa->satype, &sa->src, &sa->dst, sa->sa.spi, d, sizeof(d));
	if ((no = snap_unsafe(sa, why, sizeof(why))) != NULL) {
		fprintf(r->err, "%s:%u: %s not restored: %s\n", file, by->c->line, d, no);
		return;
	}
	if (!snap_build_add(sa, (uint64_t)time(NULL), m)) {
		fprintf(r->err, "%s:%u: %s not restored: its hard lifetime ran out meanwhile\n",
		    file, by->c->line, d);
		return;
	}
	if (!run_request(r, m, m))
		return;
	if (m->errnum != 0) {
		fprintf(r->err, "%s:%u: %s could not be restored: %s\n", file, by->c->line, d,
		    strerror(m->errnum));
		return;
	}
	by->nsa++;
	n->sas = true;
	if (sa->sa2.sequence != 0)
		fprintf(r->err, "%s:%u: %s restored; it had sent %u packets: the peer drops "
		    "its packets as replays until the new count passes that\n", file, by->c->line,
		    d, sa->sa2.sequence);
}

static void
snap_restore_sas(struct snap *s, struct run *r, const char *file, struct snap_now *n,
    struct pfk_msg *m)
{
	struct snap_cmd *by;
	struct ident id;
	char d[192];
	size_t i;

	for (i = 0; i < s->nsa && !r->dead; i++) {
		ident_sa(&id, s->sa[i].satype, &s->sa[i].dst, s->sa[i].sa.spi);
		if (ident_get(&n->sa, &id) != NULL || ident_get(&n->pre, &id) != NULL)
			continue;
		if ((by = snap_blame_sa(s, &s->sa[i])) != NULL) {
			snap_restore_sa(r, file, &s->sa[i], by, n, m);
			continue;
		}
		fprintf(r->err, "setkey: %s not restored: it went away during the run, not "
		    "through this script (expired, or deleted by another program)\n",
		    cmd_describe_sa(s->sa[i].satype, &s->sa[i].src, &s->sa[i].dst,
		    s->sa[i].sa.spi, d, sizeof(d)));
	}
}

static bool
snap_req_same(const struct pfk_ipsecreq *x, const struct pfk_ipsecreq *y)
{
	return x->proto == y->proto && x->mode == y->mode && x->level == y->level &&
	    x->reqid == y->reqid && x->has_endpoints == y->has_endpoints &&
	    (!x->has_endpoints || (addr_cmp(&x->src, &y->src) == 0 &&
	    addr_cmp(&x->dst, &y->dst) == 0));
}

static bool
snap_sp_same(const struct snap_sp *x, const struct snap_sp *y)
{
	size_t i;

	if (x->pol.type != y->pol.type || x->pol.priority != y->pol.priority ||
	    x->pol.nreq != y->pol.nreq || x->pol.nreq > PFK_MAX_REQ)
		return false;
	for (i = 0; i < x->pol.nreq; i++)
		if (!snap_req_same(&x->pol.req[i], &y->pol.req[i]))
			return false;
	return true;
}

static void
snap_build_sp(const struct snap_sp *sp, uint8_t type, struct pfk_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->src = sp->src;
	m->dst = sp->dst;
	m->policy = sp->pol;
	m->policy.id = 0;
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	pfk_set(m, SADB_X_EXT_POLICY);
}

static const char *
snap_sp_text(const struct snap_sp *sp, char *buf, size_t len)
{
	return cmd_describe_policy(&sp->src.addr, &sp->dst.addr, sp->src.proto, sp->pol.dir,
	    buf, len);
}

/* Puts sp back with type (X_SPDADD or X_SPDUPDATE); true if it worked. */
static bool
snap_send_sp(struct run *r, const char *file, const struct snap_sp *sp, uint8_t type,
    struct snap_cmd *by, struct pfk_msg *m)
{
	char d[192];

	snap_build_sp(sp, type, m);
	if (!run_request(r, m, m))
		return false;
	if (m->errnum != 0) {
		fprintf(r->err, "%s:%u: %s could not be restored: %s\n", file, by->c->line,
		    snap_sp_text(sp, d, sizeof(d)), strerror(m->errnum));
		return false;
	}
	by->nsp++;
	return true;
}

/*
 * One policy of the snapshot; *how says what became of it: 0 still there
 * in its place, 1 added back (at the end of its priority), 2 gone.
 */
static void
snap_restore_sp(struct snap *s, struct run *r, const char *file, size_t i,
    struct snap_now *n, struct pfk_msg *m, uint8_t *how)
{
	const struct snap_sp *sp = &s->sp[i];
	struct snap_cmd *by;
	struct ident id;
	size_t *cur;
	char d[192];

	snap_sp_ident(&id, sp);
	*how = 2;
	if (ident_get(&n->pre, &id) != NULL)
		return;		/* this run made it; its undo removed it */
	*how = 0;
	by = snap_blame_sp(s, &id);
	if ((cur = ident_get(&n->sp, &id)) != NULL) {
		if (by != NULL && !snap_sp_same(&n->pol[*cur], sp))
			snap_send_sp(r, file, sp, SADB_X_SPDUPDATE, by, m);
		return;
	}
	*how = 2;
	if (by == NULL) {
		fprintf(r->err, "setkey: %s not restored: it went away during the run, not "
		    "through this script\n", snap_sp_text(sp, d, sizeof(d)));
		return;
	}
	if (snap_send_sp(r, file, sp, SADB_X_SPDADD, by, m)) {
		*how = 1;
		n->added = true;
	}
}

static bool
snap_ports_meet(uint16_t a, uint16_t b)
{
	return a == 0 || b == 0 || a == b;
}

/* True if some packet could match both selectors. */
static bool
snap_overlap(const struct snap_sp *x, const struct snap_sp *y)
{
	const struct gw_addr *xs = &x->src.addr, *xd = &x->dst.addr;
	const struct gw_addr *ys = &y->src.addr, *yd = &y->dst.addr;

	if (xs->af != ys->af)
		return false;
	if (x->src.proto != y->src.proto && x->src.proto != IPSEC_ULPROTO_ANY &&
	    y->src.proto != IPSEC_ULPROTO_ANY)
		return false;
	return (addr_in_prefix(xs, ys) || addr_in_prefix(ys, xs)) &&
	    (addr_in_prefix(xd, yd) || addr_in_prefix(yd, xd)) &&
	    snap_ports_meet(xs->port, ys->port) && snap_ports_meet(xd->port, yd->port);
}

/*
 * A policy added back goes behind the policies of its priority that
 * stayed, even those it used to precede: say so where that can change
 * which one a packet matches.
 */
static void
snap_order_warn(const struct snap *s, const struct run *r, const uint8_t *how)
{
	const struct snap_sp *p, *q;
	char dp[192], dq[192];
	size_t i, j;

	for (i = 0; i < s->nsp; i++) {
		if (how[i] != 1)
			continue;
		p = &s->sp[i];
		for (j = i + 1; j < s->nsp; j++) {
			q = &s->sp[j];
			if (how[j] != 0 || q->pol.dir != p->pol.dir ||
			    q->pol.priority != p->pol.priority || !snap_overlap(p, q))
				continue;
			fprintf(r->err, "setkey: %s now comes after %s, which it used to precede: "
			    "where they overlap the latter matches first\n",
			    snap_sp_text(p, dp, sizeof(dp)), snap_sp_text(q, dq, sizeof(dq)));
		}
	}
}

/* Policies an spdupdate of this run created (none in the snapshot) go away. */
static void
snap_unmake(struct snap *s, struct run *r, const char *file, struct snap_now *n,
    struct pfk_msg *m)
{
	const struct setkey_cmd *c;
	struct ident id;
	char d[256];
	size_t i;

	for (i = 0; i < s->ncmd && !r->dead; i++) {
		c = s->cmd[i].c;
		if (c->op != SK_SPDUPDATE)
			continue;
		ident_sp(&id, c->u.spd.pol.dir, &c->u.spd.src, &c->u.spd.dst, c->u.spd.ulproto);
		if (ident_get(&n->old, &id) != NULL || ident_get(&n->sp, &id) == NULL)
			continue;
		/* X_SPDDELETE matches on the selector and direction of the message. */
		cmd_build(c, m);
		m->type = SADB_X_SPDDELETE;
		cmd_describe(c, d, sizeof(d));
		if (!run_request(r, m, m))
			return;
		if (m->errnum != 0 && m->errnum != ENOENT)
			fprintf(r->err, "%s:%u: %s created a policy that could not be removed: "
			    "%s\n", file, c->line, d, strerror(m->errnum));
		else if (m->errnum == 0)
			fprintf(r->err, "%s:%u: %s created its policy: removed\n", file,
			    c->line, d);
	}
}

static void
snap_restore_sps(struct snap *s, struct run *r, const char *file, struct snap_now *n,
    struct pfk_msg *m)
{
	uint8_t *how;
	size_t i;

	if ((how = calloc(s->nsp + 1, 1)) == NULL)
		fatal("snap_restore_sps");
	for (i = 0; i < s->nsp && !r->dead; i++)
		snap_restore_sp(s, r, file, i, n, m, &how[i]);
	if (!r->dead)
		snap_order_warn(s, r, how);
	free(how);
	snap_unmake(s, r, file, n, m);
}

static const char *
snap_verb(enum sk_op op)
{
	switch (op) {
	case SK_FLUSH:
	case SK_SPDFLUSH:
		return "flushed";
	case SK_SPDUPDATE:
		return "replaced";
	default:
		return "deleted";
	}
}

/* "restored 12 SAs and 4 policies flushed by line 3", per line and verb. */
static void
snap_summary(const struct snap *s, const struct run *r, const struct snap_now *n)
{
	const struct snap_cmd *x;
	size_t i, j, nsa, nsp;

	for (i = 0; i < s->ncmd; i = j) {
		x = &s->cmd[i];
		nsa = nsp = 0;
		for (j = i; j < s->ncmd && s->cmd[j].c->line == x->c->line &&
		    strcmp(snap_verb(s->cmd[j].c->op), snap_verb(x->c->op)) == 0; j++) {
			nsa += s->cmd[j].nsa;
			nsp += s->cmd[j].nsp;
		}
		if (nsa != 0 && nsp != 0)
			fprintf(r->err, "setkey: restored %zu SA%s and %zu polic%s %s by line %u\n",
			    nsa, nsa == 1 ? "" : "s", nsp, nsp == 1 ? "y" : "ies",
			    snap_verb(x->c->op), x->c->line);
		else if (nsa != 0)
			fprintf(r->err, "setkey: restored %zu SA%s %s by line %u\n", nsa,
			    nsa == 1 ? "" : "s", snap_verb(x->c->op), x->c->line);
		else if (nsp != 0)
			fprintf(r->err, "setkey: restored %zu polic%s %s by line %u\n", nsp,
			    nsp == 1 ? "y" : "ies", snap_verb(x->c->op), x->c->line);
	}
	if (n->sas)
		fprintf(r->err, "setkey: restored SAs start again with zero counters and "
		    "sequence numbers and an empty anti-replay window; their lifetimes go on "
		    "from what was left\n");
	if (n->added)
		fprintf(r->err, "setkey: restored policies have new ids\n");
}

static bool
snap_applied_any(const struct snap *s)
{
	size_t i;

	for (i = 0; i < s->ncmd; i++)
		if (!s->cmd[i].before)
			return true;
	return false;
}

void
snap_restore(struct snap *s, struct run *r, const char *file)
{
	struct snap_now n = { .s = s };
	struct pfk_msg *m;

	if (!s->taken || !snap_applied_any(s))
		return;
	if (r->dead || !snap_now_load(&n, r)) {
		fprintf(r->err, "setkey: the snapshot taken before line %u cannot be restored: "
		    "%s; what this run flushed or deleted is lost\n", s->line, r->dead ?
		    "the connection to tunneld is lost" : "the SAD and SPD cannot be read");
		snap_now_free(&n);
		return;
	}
	if ((m = malloc(sizeof(*m))) == NULL)
		fatal("snap_restore");
	snap_now_index(&n);
	snap_restore_sas(s, r, file, &n, m);
	if (!r->dead)
		snap_restore_sps(s, r, file, &n, m);
	snap_summary(s, r, &n);
	if (r->dead)
		fprintf(r->err, "setkey: the connection to tunneld was lost while restoring "
		    "the snapshot taken before line %u\n", s->line);
	free(m);
	snap_now_free(&n);
}

void
snap_wipe(struct snap *s)
{
	if (s->sa != NULL)
		secure_wipe(s->sa, s->sacap * sizeof(*s->sa));
	if (s->sp != NULL)
		secure_wipe(s->sp, s->spcap * sizeof(*s->sp));
}

void
snap_free(struct snap *s)
{
	snap_wipe(s);
	free(s->sa);
	free(s->sp);
	free(s->cmd);
	memset(s, 0, sizeof(*s));
}
