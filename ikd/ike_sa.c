/*
 * ike_sa.c: the IKE SA table and state machine; see ike_sa.h.
 *
 * Two chained hash indexes over one set of SAs: by our own SPI, which we
 * chose at random so its low bits spread well, and, for responder SAs,
 * by (SPIi, peer address and port), which the peer chooses, so that
 * index is keyed with SipHash under a random key. Both grow together.
 * SAs that die are only marked and queued; ike_sa_reap() frees them once
 * no caller holds a pointer.
 *
 * Timers: a binary min-heap of (deadline, SA), one entry per SA that is
 * not DEAD, each SA knowing its place so that it moves in O(log n). An
 * SA touched is linked on a list; the list is worked off (each deadline
 * computed again and its entry moved) before the heap is read. The table
 * makes sure of the room for an SA's entry when it makes the SA, so
 * that no later step can fail for want of memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dh.h"
#include "ike_sa.h"
#include "keymat.h"
#include "log.h"

#define IKE_SA_BUCKETS_MIN	64
#define IKE_SA_TM_MIN		64	/* first size of the timer heap */
#define IKE_SA_SPI_TRIES	8

#define ST_BIT(s)		(1u << (s))

/* Allowed transitions: ike_sa_allowed[from] has the bit of each "to". */
static const unsigned ike_sa_allowed[] = {
	[IKE_S_IDLE] = ST_BIT(IKE_S_INIT_SENT) | ST_BIT(IKE_S_INIT_DONE) | ST_BIT(IKE_S_DEAD),
	/* INIT_SENT again: the request repeated with a cookie or another group. */
	[IKE_S_INIT_SENT] = ST_BIT(IKE_S_INIT_SENT) | ST_BIT(IKE_S_INIT_DONE) |
	    ST_BIT(IKE_S_DEAD),
	[IKE_S_INIT_DONE] = ST_BIT(IKE_S_AUTH_SENT) | ST_BIT(IKE_S_ESTABLISHED) |
	    ST_BIT(IKE_S_DEAD),
	[IKE_S_AUTH_SENT] = ST_BIT(IKE_S_ESTABLISHED) | ST_BIT(IKE_S_DEAD),
	[IKE_S_ESTABLISHED] = ST_BIT(IKE_S_REKEYING) | ST_BIT(IKE_S_DELETING) |
	    ST_BIT(IKE_S_DEAD),
	[IKE_S_REKEYING] = ST_BIT(IKE_S_ESTABLISHED) | ST_BIT(IKE_S_DELETING) |
	    ST_BIT(IKE_S_DEAD),
	[IKE_S_DELETING] = ST_BIT(IKE_S_DEAD),
	[IKE_S_DEAD] = 0,
};

static const char *const ike_sa_state_names[] = {
	[IKE_S_IDLE] = "IDLE",
	[IKE_S_INIT_SENT] = "INIT_SENT",
	[IKE_S_INIT_DONE] = "INIT_DONE",
	[IKE_S_AUTH_SENT] = "AUTH_SENT",
	[IKE_S_ESTABLISHED] = "ESTABLISHED",
	[IKE_S_REKEYING] = "REKEYING",
	[IKE_S_DELETING] = "DELETING",
	[IKE_S_DEAD] = "DEAD",
};

static const char *const ike_sa_stat_names[IKE_ST_COUNT] = {
	[IKE_ST_RX] = "received",
	[IKE_ST_TX] = "sent",
	[IKE_ST_TX_FAIL] = "send failed",
	[IKE_ST_DROP_MARKER] = "dropped: no non-ESP marker",
	[IKE_ST_DROP_PARSE] = "dropped: malformed",
	[IKE_ST_DROP_NO_SA] = "dropped: unknown SPI",
	[IKE_ST_DROP_WINDOW] = "dropped: outside message ID window",
	[IKE_ST_DROP_ICV] = "dropped: integrity check failed",
	[IKE_ST_DROP_STATE] = "dropped: unexpected in state",
	[IKE_ST_DROP_INVALID] = "dropped: content refused",
	[IKE_ST_RETRANS_ANSWERED] = "retransmitted requests answered",
	[IKE_ST_RETRANSMIT] = "requests retransmitted",
	[IKE_ST_GIVE_UP] = "exchanges given up",
	[IKE_ST_COOKIE_SENT] = "cookies sent",
	[IKE_ST_COOKIE_BAD] = "cookies refused",
	[IKE_ST_AUTH_FAIL] = "authentication failures",
	[IKE_ST_HALF_OPEN_EXPIRED] = "half-open SAs expired",
};

const char *
ike_sa_state_name(enum ike_state s)
{
	if ((unsigned)s >= sizeof(ike_sa_state_names) / sizeof(ike_sa_state_names[0]))
		return "?";
	return ike_sa_state_names[s];
}

const char *
ike_sa_stat_name(enum ike_stat s)
{
	return (unsigned)s < IKE_ST_COUNT ? ike_sa_stat_names[s] : "?";
}

void
ike_sa_count(struct ike_sa_table *t, enum ike_stat s)
{
	if ((unsigned)s < IKE_ST_COUNT)
		t->stats[s]++;
}

/* -------------------------------------------------------------- timers */

/* Room for the heap entry of one more SA, so that no later step can fail. 0 or -1. */
static int
ike_sa_tm_reserve(struct ike_sa_table *t)
{
	struct ike_sa_tm *h;
	size_t cap;

	/* Only SAs in the table have an entry: nsa + 1 entries at most. */
	if (t->nsa < t->tm_cap)
		return 0;
	cap = t->tm_cap == 0 ? IKE_SA_TM_MIN : t->tm_cap * 2;
	if ((h = reallocarray(t->tm_heap, cap, sizeof(*h))) == NULL)
		return -1;
	t->tm_heap = h;
	t->tm_cap = cap;
	return 0;
}

static void
ike_sa_tm_put(struct ike_sa_table *t, size_t i, struct ike_sa_tm e)
{
	t->tm_heap[i] = e;
	e.sa->tm_pos = i + 1;
}

static void
ike_sa_tm_up(struct ike_sa_table *t, size_t i)
{
	struct ike_sa_tm e = t->tm_heap[i];
	size_t up;

	while (i > 0 && e.due < t->tm_heap[up = (i - 1) / 2].due) {
		ike_sa_tm_put(t, i, t->tm_heap[up]);
		i = up;
	}
	ike_sa_tm_put(t, i, e);
}

static void
ike_sa_tm_down(struct ike_sa_table *t, size_t i)
{
	struct ike_sa_tm e = t->tm_heap[i];
	size_t c;

	while ((c = 2 * i + 1) < t->tm_n) {
		if (c + 1 < t->tm_n && t->tm_heap[c + 1].due < t->tm_heap[c].due)
			c++;
		if (t->tm_heap[c].due >= e.due)
			break;
		ike_sa_tm_put(t, i, t->tm_heap[c]);
		i = c;
	}
	ike_sa_tm_put(t, i, e);
}

/* Takes sa's entry out of the heap, if it has one. */
static void
ike_sa_tm_remove(struct ike_sa_table *t, struct ike_sa *sa)
{
	struct ike_sa *moved;
	size_t i;

	if (sa->tm_pos == 0)
		return;
	i = sa->tm_pos - 1;
	sa->tm_pos = 0;
	if (--t->tm_n == i)
		return;
	/* The last entry fills the hole and goes up or down from there. */
	moved = t->tm_heap[t->tm_n].sa;
	ike_sa_tm_put(t, i, t->tm_heap[t->tm_n]);
	ike_sa_tm_up(t, i);
	ike_sa_tm_down(t, moved->tm_pos - 1);
}

/* Enters sa in the heap with deadline due, or moves its entry there. */
static void
ike_sa_tm_set(struct ike_sa_table *t, struct ike_sa *sa, uint64_t due)
{
	size_t i;
	uint64_t was;

	if (sa->tm_pos == 0) {
		i = t->tm_n++;
		ike_sa_tm_put(t, i, (struct ike_sa_tm){ .due = due, .sa = sa });
		ike_sa_tm_up(t, i);
		return;
	}
	i = sa->tm_pos - 1;
	was = t->tm_heap[i].due;
	t->tm_heap[i].due = due;
	if (due < was)
		ike_sa_tm_up(t, i);
	else if (due > was)
		ike_sa_tm_down(t, i);
}

/* sa's entry follows its deadline computed now; a DEAD SA loses it. */
static void
ike_sa_tm_update(struct ike_sa_table *t, struct ike_sa *sa)
{
	if (sa->state == IKE_S_DEAD)
		ike_sa_tm_remove(t, sa);
	else
		ike_sa_tm_set(t, sa, ike_sa_next_due(sa));
}

static void
ike_sa_tm_unmark(struct ike_sa *sa)
{
	if (sa->tm_pprev == NULL)
		return;
	*sa->tm_pprev = sa->tm_next;
	if (sa->tm_next != NULL)
		sa->tm_next->tm_pprev = sa->tm_pprev;
	sa->tm_next = NULL;
	sa->tm_pprev = NULL;
}

void
ike_sa_timer_touch(struct ike_sa *sa)
{
	struct ike_sa_table *t = sa->tbl;

	if (sa->tm_pprev != NULL)
		return;
	sa->tm_next = t->tm_marked;
	if (t->tm_marked != NULL)
		t->tm_marked->tm_pprev = &sa->tm_next;
	t->tm_marked = sa;
	sa->tm_pprev = &t->tm_marked;
}

/* Works off the marked SAs; those the running tick took wait for its end. */
static void
ike_sa_tm_flush(struct ike_sa_table *t)
{
	struct ike_sa *sa;

	while ((sa = t->tm_marked) != NULL) {
		ike_sa_tm_unmark(sa);
		if (!sa->tm_fired)
			ike_sa_tm_update(t, sa);
	}
}

/*
 * The first entry of the heap, its deadline computed again (and the
 * next one's, while that moves it), or NULL when the heap is empty.
 */
static struct ike_sa_tm *
ike_sa_tm_first(struct ike_sa_table *t)
{
	struct ike_sa_tm *e;

	ike_sa_tm_flush(t);
	while (t->tm_n > 0) {
		e = &t->tm_heap[0];
		if (e->sa->state != IKE_S_DEAD && ike_sa_next_due(e->sa) == e->due)
			return e;
		ike_sa_tm_update(t, e->sa);
	}
	return NULL;
}

/* The SA leaves the timer lists and the heap: it is being destroyed. */
static void
ike_sa_tm_forget(struct ike_sa_table *t, struct ike_sa *sa)
{
	struct ike_sa **pp;

	ike_sa_tm_unmark(sa);
	ike_sa_tm_remove(t, sa);
	if (!sa->tm_fired)
		return;
	for (pp = &t->tm_fired; *pp != NULL; pp = &(*pp)->tm_fnext)
		if (*pp == sa) {
			*pp = sa->tm_fnext;
			break;
		}
}

uint64_t
ike_sa_table_next_ms(struct ike_sa_table *t)
{
	const struct ike_sa_tm *e = ike_sa_tm_first(t);

	return e != NULL ? e->due : UINT64_MAX;
}

struct ike_sa *
ike_sa_timer_take(struct ike_sa_table *t, uint64_t now)
{
	struct ike_sa_tm *e = ike_sa_tm_first(t);
	struct ike_sa *sa;

	if (e == NULL || e->due > now)
		return NULL;
	sa = e->sa;
	ike_sa_tm_remove(t, sa);
	sa->tm_fired = true;
	sa->tm_fnext = t->tm_fired;
	t->tm_fired = sa;
	return sa;
}

void
ike_sa_timer_end(struct ike_sa_table *t)
{
	struct ike_sa *sa;

	while ((sa = t->tm_fired) != NULL) {
		t->tm_fired = sa->tm_fnext;
		sa->tm_fnext = NULL;
		sa->tm_fired = false;
		ike_sa_timer_touch(sa);
	}
}

static uint64_t
ike_sa_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t
ike_sa_next_due(const struct ike_sa *sa)
{
	uint64_t next = UINT64_MAX;

	if (sa->state == IKE_S_DEAD)
		return UINT64_MAX;
	if (sa->win.req_active)
		next = sa->win.req_due_ms;
	if (!sa->initiator && sa->state == IKE_S_INIT_DONE)
		next = ike_sa_min(next, sa->half_open_until);
	if (sa->expire_ms != 0)
		next = ike_sa_min(next, sa->expire_ms);
	next = ike_sa_min(next, ike_sa_dpd_due(sa));
	next = ike_sa_min(next, ike_sa_rekey_due(sa));
	next = ike_sa_min(next, ike_sa_child_retry_due(sa));
	return ike_sa_min(next, ike_sa_out_due(sa));
}

/* ---------------------------------------------------------------- table */

static struct ike_sa **
ike_sa_buckets(size_t n)
{
	return calloc(n, sizeof(struct ike_sa *));
}

struct ike_sa_table *
ike_sa_table_new(const struct ike_io *io, const struct ike_child_sink *sink,
    const struct ike_hooks *hooks)
{
	struct ike_sa_table *t;

	if (sodium_init() < 0 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->io = *io;
	t->sink = *sink;
	t->hooks = *hooks;
	t->nbuckets = IKE_SA_BUCKETS_MIN;
	t->cookie_threshold = IKE_COOKIE_THRESHOLD;
	t->rtx_first_ms = IKE_RTX_FIRST_MS;
	t->rtx_tries = IKE_RTX_TRIES;
	t->spi_hash = ike_sa_buckets(t->nbuckets);
	t->init_hash = ike_sa_buckets(t->nbuckets);
	if (t->spi_hash == NULL || t->init_hash == NULL) {
		free(t->spi_hash);
		free(t->init_hash);
		free(t);
		return NULL;
	}
	t->io.random(t->io.ctx, t->hash_key, sizeof(t->hash_key));
	return t;
}

void
ike_sa_table_free(struct ike_sa_table *t)
{
	if (t == NULL)
		return;
	while (t->all != NULL)
		ike_sa_destroy(t->all);
	free(t->spi_hash);
	free(t->init_hash);
	free(t->tm_heap);
	secure_free(t, sizeof(*t));
}

static size_t
ike_sa_spi_bucket(const struct ike_sa_table *t, uint64_t spi)
{
	return (size_t)(spi ^ spi >> 32) & (t->nbuckets - 1);
}

/* SipHash of (SPIi, family, address, port): the peer picks all of them. */
static size_t
ike_sa_init_bucket(const struct ike_sa_table *t, uint64_t spi_i, const struct gw_addr *a)
{
	uint8_t in[8 + 1 + 16 + 2], h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	memset(in, 0, sizeof(in));
	for (i = 0; i < 8; i++)
		in[i] = (uint8_t)(spi_i >> (56 - 8 * i));
	in[8] = (uint8_t)a->af;
	memcpy(in + 9, a->u.b, addr_len(a->af));
	in[25] = (uint8_t)(a->port >> 8);
	in[26] = (uint8_t)a->port;
	crypto_shorthash(h, in, sizeof(in), t->hash_key);
	for (i = 0; i < sizeof(h); i++)
		v = v << 8 | h[i];
	return (size_t)v & (t->nbuckets - 1);
}

static void
ike_sa_link(struct ike_sa_table *t, struct ike_sa *sa)
{
	size_t b = ike_sa_spi_bucket(t, ike_sa_spi(sa));

	sa->hnext = t->spi_hash[b];
	t->spi_hash[b] = sa;
	/* init_peer, not remote: NAT traversal may move remote, and unlinking uses it. */
	if (!sa->initiator) {
		b = ike_sa_init_bucket(t, sa->spi_i, &sa->init_peer);
		sa->inext = t->init_hash[b];
		t->init_hash[b] = sa;
	}
}

/* Doubles both indexes when the load passes 1; stays as is on no memory. */
static void
ike_sa_grow(struct ike_sa_table *t)
{
	struct ike_sa **sh, **ih, *sa;
	size_t n = t->nbuckets * 2;

	if (t->nsa < t->nbuckets)
		return;
	sh = ike_sa_buckets(n);
	ih = ike_sa_buckets(n);
	if (sh == NULL || ih == NULL) {
		free(sh);
		free(ih);
		return;
	}
	free(t->spi_hash);
	free(t->init_hash);
	t->spi_hash = sh;
	t->init_hash = ih;
	t->nbuckets = n;
	for (sa = t->all; sa != NULL; sa = sa->next)
		ike_sa_link(t, sa);
}

uint64_t
ike_sa_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

/* Any SA, dead or alive, with our SPI spi. */
static struct ike_sa *
ike_sa_lookup(const struct ike_sa_table *t, uint64_t spi)
{
	struct ike_sa *sa;

	for (sa = t->spi_hash[ike_sa_spi_bucket(t, spi)]; sa != NULL; sa = sa->hnext)
		if (ike_sa_spi(sa) == spi)
			return sa;
	return NULL;
}

struct ike_sa *
ike_sa_find(const struct ike_sa_table *t, uint64_t spi)
{
	struct ike_sa *sa = ike_sa_lookup(t, spi);

	return sa != NULL && sa->state != IKE_S_DEAD ? sa : NULL;
}

struct ike_sa *
ike_sa_find_init(const struct ike_sa_table *t, uint64_t spi_i, const struct gw_addr *remote)
{
	struct ike_sa *sa;

	for (sa = t->init_hash[ike_sa_init_bucket(t, spi_i, remote)]; sa != NULL;
	    sa = sa->inext)
		if (sa->spi_i == spi_i && addr_eq(&sa->init_peer, remote) &&
		    sa->init_peer.port == remote->port && sa->state != IKE_S_DEAD)
			return sa;
	return NULL;
}

/* A random SPI, not 0 (RFC 7296 3.1) and not in use here. */
int
ike_sa_pick_spi(struct ike_sa_table *t, uint64_t *spi)
{
	uint8_t b[8];
	uint64_t v;
	int i, j;

	for (i = 0; i < IKE_SA_SPI_TRIES; i++) {
		t->io.random(t->io.ctx, b, sizeof(b));
		for (v = 0, j = 0; j < 8; j++)
			v = v << 8 | b[j];
		if (v != 0 && ike_sa_lookup(t, v) == NULL) {
			*spi = v;
			return 0;
		}
	}
	return -1;
}

/* Enters a new sa in t's list and indexes. */
static void
ike_sa_insert(struct ike_sa_table *t, struct ike_sa *sa)
{
	sa->next = t->all;
	if (t->all != NULL)
		t->all->prev = sa;
	t->all = sa;
	t->nsa++;
	ike_sa_link(t, sa);
	ike_sa_grow(t);
	ike_sa_timer_touch(sa);
}

static void
ike_sa_endpoint(struct gw_addr *dst, const struct gw_addr *src)
{
	*dst = *src;
	dst->plen = (uint8_t)addr_maxplen(src->af);
	if (dst->port == 0)
		dst->port = IKE_PORT;
}

struct ike_sa *
ike_sa_new(struct ike_sa_table *t, bool initiator, const struct ike_cfg_peer *cfg,
    const struct gw_addr *local, const struct gw_addr *remote, uint64_t peer_spi_i)
{
	struct ike_sa *sa;
	uint64_t spi;
	size_t i;

	if (cfg->nike > IKE_CFG_PROPS || cfg->nesp > IKE_CFG_PROPS || cfg->nts > IKE_CFG_TS)
		return NULL;
	if (ike_sa_tm_reserve(t) != 0 || ike_sa_pick_spi(t, &spi) != 0 ||
	    (sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->tbl = t;
	sa->initiator = initiator;
	sa->spi_i = initiator ? spi : peer_spi_i;
	sa->spi_r = initiator ? 0 : spi;
	sa->cfg = *cfg;
	for (i = 0; i < sa->cfg.nike && i < IKE_CFG_PROPS; i++)
		sa->cfg.ike[i].num = (uint8_t)(i + 1);
	for (i = 0; i < sa->cfg.nesp && i < IKE_CFG_PROPS; i++)
		sa->cfg.esp[i].num = (uint8_t)(i + 1);
	ike_sa_endpoint(&sa->local, local);
	ike_sa_endpoint(&sa->remote, remote);
	sa->init_peer = sa->remote;
	sa->state = IKE_S_IDLE;
	sa->created_ms = t->io.now_ms(t->io.ctx);
	ike_sa_insert(t, sa);
	return sa;
}

uint64_t
ike_sa_giveup_ms(const struct ike_sa_table *t)
{
	unsigned tries = t->rtx_tries < 32 ? t->rtx_tries : 32;

	/* Timeouts first, 2 first, 4 first, ...: one per transmission. */
	return (uint64_t)t->rtx_first_ms * ((UINT64_C(1) << tries) - 1);
}

/* The timers of an SA established (or made by a rekey) at now: see ike_sa_rekey_due(). */
static void
ike_sa_lifetime_start(struct ike_sa *sa, uint64_t now)
{
	uint64_t life, margin;

	sa->rekey_ms = sa->expire_ms = 0;
	if (sa->cfg.ike_lifetime_s == 0)
		return;
	life = (uint64_t)sa->cfg.ike_lifetime_s * 1000;
	margin = life / 10;
	/* Room for a whole rekey attempt to time out, and one more. */
	if (margin < 2 * ike_sa_giveup_ms(sa->tbl))
		margin = 2 * ike_sa_giveup_ms(sa->tbl);
	sa->rekey_ms = now + life;
	sa->expire_ms = sa->rekey_ms + margin;
}

struct ike_sa *
ike_sa_new_rekeyed(struct ike_sa *old, bool initiator, uint64_t spi_i, uint64_t spi_r,
    struct keymat_ike *km)
{
	struct ike_sa_table *t = old->tbl;
	uint64_t mine = initiator ? spi_i : spi_r, now = t->io.now_ms(t->io.ctx);
	struct ike_sa *sa;

	if (spi_i == 0 || spi_r == 0 || ike_sa_lookup(t, mine) != NULL ||
	    ike_sa_tm_reserve(t) != 0 || (sa = calloc(1, sizeof(*sa))) == NULL) {
		log_warnx_f(IKE_SPI_FMT ": cannot make the rekeyed SA %016llx:%016llx",
		    IKE_SPI_ARGS(old), (unsigned long long)spi_i, (unsigned long long)spi_r);
		keymat_ike_free(km);
		return NULL;
	}
	sa->tbl = t;
	sa->initiator = initiator;
	sa->spi_i = spi_i;
	sa->spi_r = spi_r;
	sa->cfg = old->cfg;
	sa->local = old->local;
	sa->remote = old->remote;
	sa->init_peer = old->remote;
	sa->nat_local = old->nat_local;
	sa->nat_remote = old->nat_remote;
	sa->peer_natd = old->peer_natd;
	sa->child_req = old->child_req;
	sa->km = km;
	/* Authenticated by the SA that made it: no IKE_SA_INIT, no IKE_AUTH. */
	sa->state = IKE_S_ESTABLISHED;
	sa->created_ms = sa->established_ms = sa->last_rx_ms = now;
	ike_sa_lifetime_start(sa, now);
	ike_sa_insert(t, sa);
	return sa;
}

int
ike_sa_set_state(struct ike_sa *sa, enum ike_state to)
{
	struct ike_sa_table *t = sa->tbl;
	enum ike_state from = sa->state;

	if ((ike_sa_allowed[from] & ST_BIT(to)) == 0) {
		log_warnx_f(IKE_SPI_FMT ": transition %s -> %s not allowed", IKE_SPI_ARGS(sa),
		    ike_sa_state_name(from), ike_sa_state_name(to));
		return -1;
	}
	if (!sa->initiator && from == IKE_S_INIT_DONE && to != IKE_S_INIT_DONE)
		t->half_open--;
	if (!sa->initiator && to == IKE_S_INIT_DONE && from != IKE_S_INIT_DONE) {
		t->half_open++;
		sa->half_open_until = t->io.now_ms(t->io.ctx) + IKE_HALF_OPEN_MS;
	}
	if (to == IKE_S_ESTABLISHED && from != IKE_S_REKEYING) {
		sa->established_ms = t->io.now_ms(t->io.ctx);
		ike_sa_lifetime_start(sa, sa->established_ms);
	}
	if (to == IKE_S_DEAD) {
		sa->dnext = t->dead;
		t->dead = sa;
	}
	sa->state = to;
	ike_sa_timer_touch(sa);
	log_debug_f(IKE_SPI_FMT ": %s -> %s", IKE_SPI_ARGS(sa), ike_sa_state_name(from),
	    ike_sa_state_name(to));
	return 0;
}

/* Wipes and frees the outbound SA c keeps for later, if any. */
static void
ike_sa_out_wipe(struct ike_child *c)
{
	secure_free(c->out_pending, sizeof(*c->out_pending));
	c->out_pending = NULL;
	c->out_due_ms = 0;
	c->out_after = 0;
}

static void
ike_sa_child_free(struct ike_child *c)
{
	ike_sa_out_wipe(c);
	free(c);
}

/*
 * Both SAs of c from the data path: the outbound one only if it was
 * installed, the inbound one after the sink's delay when linger (a pair
 * ended by a Delete exchange; not an IKE SA's end, which takes all).
 */
static void
ike_sa_child_gone(struct ike_sa *sa, const struct ike_child *c, bool linger)
{
	const struct ike_child_sink *k = &sa->tbl->sink;
	int rc;

	if (linger && k->retire != NULL)
		rc = k->retire(k->ctx, c->spi_in, &c->remote, &c->local);
	else
		rc = k->del(k->ctx, c->spi_in, &c->remote, &c->local);
	if (!c->out_absent && k->del(k->ctx, c->spi_out, &c->local, &c->remote) != 0)
		rc = -1;
	if (rc != 0)
		log_warnx_f(IKE_SPI_FMT ": child SA %08x/%08x: delete failed",
		    IKE_SPI_ARGS(sa), c->spi_in, c->spi_out);
}

/*
 * The peer's new pair of a collision with our rekey of the same pair
 * (RFC 7296 2.8.1), while our answer is out: redundant or not, nobody
 * knows yet.
 */
static bool
ike_sa_out_held(const struct ike_sa *sa, const struct ike_child *c)
{
	return sa->rk.old_spi_in != 0 && sa->rk.peer_new_in == c->spi_in;
}

/*
 * The outbound SA c waits for goes into the data path. If it is refused,
 * the inbound half alone is no use: a rekey of ours (whose initiator
 * installs both SAs at once) replaces the pair.
 */
static void
ike_sa_out_install(struct ike_sa *sa, struct ike_child *c, const char *why)
{
	const struct ike_child_sink *k = &sa->tbl->sink;
	struct ike_io *io = &sa->tbl->io;

	if (c->out_pending == NULL)
		return;
	if (k->install(k->ctx, c->out_pending) == 0) {
		c->out_absent = false;
		log_info(IKE_SPI_FMT ": Child SA %08x/%08x: outbound SA installed (%s)",
		    IKE_SPI_ARGS(sa), c->spi_in, c->spi_out, why);
	} else {
		log_warnx(IKE_SPI_FMT ": the data path refused outbound SA %08x of Child SA %08x: "
		    "rekeying the pair", IKE_SPI_ARGS(sa), c->spi_out, c->spi_in);
		c->rekey_tries = 0;
		c->rekey_retry_ms = io->now_ms(io->ctx);
	}
	ike_sa_out_wipe(c);
	ike_sa_timer_touch(sa);
}

void
ike_sa_out_flush(struct ike_sa *sa, uint64_t now)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->out_pending != NULL && !ike_sa_out_held(sa, c) && c->out_due_ms <= now)
			ike_sa_out_install(sa, c, c->out_due_ms == 0 ?
			    "the pair it replaces is gone" : "no Delete of the old pair came");
}

void
ike_sa_out_replace(struct ike_sa *sa, const struct ike_child *old, bool force)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next) {
		if (c == old || c->out_pending == NULL || c->out_after != old->spi_in)
			continue;
		if (force || !ike_sa_out_held(sa, c))
			ike_sa_out_install(sa, c, force ? "the peer deletes the old pair" :
			    "the old pair goes");
		else
			c->out_due_ms = 0;	/* no outbound SA left: at once when released */
	}
	ike_sa_timer_touch(sa);
}

void
ike_sa_out_drop(struct ike_sa *sa, struct ike_child *c)
{
	if (c->out_pending != NULL)
		log_debug_f(IKE_SPI_FMT ": Child SA %08x/%08x is redundant: no outbound SA for it",
		    IKE_SPI_ARGS(sa), c->spi_in, c->spi_out);
	ike_sa_out_wipe(c);
	ike_sa_timer_touch(sa);
}

void
ike_sa_out_window(struct ike_sa *sa, bool has, uint64_t now)
{
	uint64_t due = now + ike_sa_out_grace_ms(sa->tbl);
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next) {
		if (c->out_pending == NULL || !c->out_fresh)
			continue;
		/*
		 * Having the answer is not having taken the pair (the peer may
		 * refuse it with a Delete): that still waits for its Delete of
		 * the old pair, or the grace time.
		 */
		if (has)
			c->out_fresh = false;
		else if (c->out_due_ms != 0 && c->out_due_ms < due)
			c->out_due_ms = due;
	}
	ike_sa_timer_touch(sa);
}

uint64_t
ike_sa_out_grace_ms(const struct ike_sa_table *t)
{
	uint64_t two = 2 * (uint64_t)t->rtx_first_ms;

	return two > IKE_OUT_GRACE_MS ? two : IKE_OUT_GRACE_MS;
}

uint64_t
ike_sa_out_due(const struct ike_sa *sa)
{
	const struct ike_child *c;
	uint64_t next = UINT64_MAX;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->out_pending != NULL && !ike_sa_out_held(sa, c) && c->out_due_ms < next)
			next = c->out_due_ms;
	return next;
}

int
ike_sa_del_child(struct ike_sa *sa, uint32_t spi_out, uint32_t *spi_in)
{
	struct ike_child **pp, *c;

	for (pp = &sa->children; (c = *pp) != NULL; pp = &c->next) {
		if (c->spi_out != spi_out)
			continue;
		/* Make-before-break: the successor's outbound SA first. */
		ike_sa_out_replace(sa, c, false);
		*pp = c->next;
		ike_sa_child_gone(sa, c, true);
		*spi_in = c->spi_in;
		ike_sa_child_free(c);
		ike_sa_timer_touch(sa);
		return 0;
	}
	return -1;
}

struct ike_child *
ike_sa_child_by_in(struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_child *c;

	for (c = sa->children; c != NULL; c = c->next)
		if (c->spi_in == spi_in)
			return c;
	return NULL;
}

static void
ike_sa_del_children(struct ike_sa *sa)
{
	const struct ike_child_sink *k = &sa->tbl->sink;
	struct ike_child *c;

	c = &sa->larval;
	if (c->spi_in != 0 && k->del(k->ctx, c->spi_in, &c->remote, &c->local) != 0)
		log_warnx_f(IKE_SPI_FMT ": larval SA %08x: delete failed", IKE_SPI_ARGS(sa),
		    c->spi_in);
	c->spi_in = 0;
	while ((c = sa->children) != NULL) {
		sa->children = c->next;
		ike_sa_child_gone(sa, c, false);
		ike_sa_child_free(c);
	}
}

void
ike_sa_kill(struct ike_sa *sa, enum ike_fail why)
{
	struct ike_sa_table *t = sa->tbl;

	if (sa->state == IKE_S_DEAD)
		return;
	ike_sa_del_children(sa);
	sa->fail = why;
	sa->win.req_active = false;
	ike_sa_set_state(sa, IKE_S_DEAD);
	if (t->hooks.dead != NULL)
		t->hooks.dead(t->hooks.ctx, sa);
}

void
ike_sa_retire(struct ike_sa *sa)
{
	struct ike_sa_table *t = sa->tbl;

	sa->retired = true;
	sa->inherit_pending = false;
	sa->rekey_ms = 0;
	sa->expire_ms = t->io.now_ms(t->io.ctx) + 2 * ike_sa_giveup_ms(t);
	ike_sa_timer_touch(sa);
}

void
ike_sa_hand_over(struct ike_sa *old, struct ike_sa *sa_new)
{
	struct ike_sa_table *t = old->tbl;
	struct ike_child **pp;
	size_t n = 0;

	for (pp = &sa_new->children; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = old->children;
	old->children = NULL;
	/* Pending outbound SAs move with their pairs; sa_new's window is another. */
	for (; *pp != NULL; pp = &(*pp)->next) {
		(*pp)->out_fresh = false;
		n++;
	}
	sa_new->inherit_pending = false;
	ike_sa_timer_touch(sa_new);
	ike_sa_retire(old);
	log_info(IKE_SPI_FMT ": rekeyed: IKE SA " IKE_SPI_FMT " carries on with %zu Child SA%s",
	    IKE_SPI_ARGS(old), IKE_SPI_ARGS(sa_new), n, n == 1 ? "" : "s");
	if (t->hooks.rekeyed != NULL)
		t->hooks.rekeyed(t->hooks.ctx, old, sa_new);
}

int
ike_sa_add_child(struct ike_sa *sa, const struct ike_child *c)
{
	struct ike_child *n;

	if ((n = malloc(sizeof(*n))) == NULL)
		return -1;
	*n = *c;
	n->next = sa->children;
	sa->children = n;
	ike_sa_timer_touch(sa);
	return 0;
}

static void
ike_sa_unlink_chain(struct ike_sa **head, struct ike_sa *sa, bool init)
{
	struct ike_sa **pp;

	for (pp = head; *pp != NULL; pp = init ? &(*pp)->inext : &(*pp)->hnext) {
		if (*pp == sa) {
			*pp = init ? sa->inext : sa->hnext;
			return;
		}
	}
}

static void
ike_sa_unlink(struct ike_sa *sa)
{
	struct ike_sa_table *t = sa->tbl;
	struct ike_sa **pp;

	ike_sa_unlink_chain(&t->spi_hash[ike_sa_spi_bucket(t, ike_sa_spi(sa))], sa, false);
	if (!sa->initiator)
		ike_sa_unlink_chain(&t->init_hash[ike_sa_init_bucket(t, sa->spi_i,
		    &sa->init_peer)], sa, true);
	for (pp = &t->dead; *pp != NULL; pp = &(*pp)->dnext)
		if (*pp == sa) {
			*pp = sa->dnext;
			break;
		}
	if (sa->prev != NULL)
		sa->prev->next = sa->next;
	else
		t->all = sa->next;
	if (sa->next != NULL)
		sa->next->prev = sa->prev;
	if (!sa->initiator && sa->state == IKE_S_INIT_DONE)
		t->half_open--;
	t->nsa--;
	ike_sa_tm_forget(t, sa);
}

void
ike_sa_destroy(struct ike_sa *sa)
{
	struct ike_child *c;

	if (sa == NULL)
		return;
	ike_sa_unlink(sa);
	while ((c = sa->children) != NULL) {
		sa->children = c->next;
		ike_sa_child_free(c);
	}
	keymat_ike_free(sa->km);
	dh_free(sa->dh);
	dh_free(sa->rk.dh);
	dh_free(sa->ike_rk.dh);
	ike_msg_prot_free(&sa->prot);
	ike_msg_win_free(&sa->win);
	free(sa->init_req);
	free(sa->init_resp);
	secure_free(sa, sizeof(*sa));
}

void
ike_sa_reap(struct ike_sa_table *t)
{
	while (t->dead != NULL)
		ike_sa_destroy(t->dead);
}

/* Whether sa may start an exchange of its own now. */
static bool
ike_sa_free_to_start(const struct ike_sa *sa)
{
	return sa->state == IKE_S_ESTABLISHED && !sa->retired && !sa->inherit_pending &&
	    !sa->win.req_active;
}

uint64_t
ike_sa_rekey_due(const struct ike_sa *sa)
{
	if (sa->rekey_ms == 0 || !ike_sa_free_to_start(sa))
		return UINT64_MAX;
	return sa->rekey_ms;
}

uint64_t
ike_sa_child_retry_due(const struct ike_sa *sa)
{
	const struct ike_child *c;
	uint64_t next = UINT64_MAX;

	if (!ike_sa_free_to_start(sa))
		return UINT64_MAX;
	for (c = sa->children; c != NULL; c = c->next)
		if (c->rekey_retry_ms != 0 && c->rekey_retry_ms < next)
			next = c->rekey_retry_ms;
	return next;
}

uint64_t
ike_sa_dpd_due(const struct ike_sa *sa)
{
	uint64_t last;

	if (sa->cfg.dpd_delay_s == 0 || sa->state != IKE_S_ESTABLISHED || sa->win.req_active ||
	    sa->retired)
		return UINT64_MAX;
	/* IKE_AUTH is authenticated traffic too, but take no chances on a zero. */
	last = sa->last_rx_ms > sa->established_ms ? sa->last_rx_ms : sa->established_ms;
	return last + (uint64_t)sa->cfg.dpd_delay_s * 1000;
}

const char *
ike_sa_peer_str(const struct ike_sa *sa, char *buf, size_t len)
{
	char a[GW_ADDR_STRLEN];

	addr_ntop(&sa->remote, a, sizeof(a));
	if (sa->cfg.name[0] != '\0')
		snprintf(buf, len, "%.31s (%s)", sa->cfg.name, a);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}
