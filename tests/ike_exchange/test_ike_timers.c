/*
 * test_ike_timers.c: the SA table's timer index (ike_sa.h, "Timers") on a
 * manual clock, with thousands of SAs. A model kept here says when each
 * SA's timer must fire; the table must fire every one at that very
 * millisecond, hence in deadline order, while deadlines move both ways,
 * requests are answered and SAs are made and destroyed meanwhile. Along
 * the way ike_sa_table_next_ms() must equal a scan of every SA (what it
 * was before the index) and the heap must hold each SA once, in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "exch.h"
#include "fixture.h"
#include "log.h"

#define NSA		4000
#define T0		1000	/* the clock at the start */
#define SPAN_MS		40000	/* the SAs are made over this long */
#define MID_MS		(T0 + 20000)	/* when deadlines move and SAs go */
#define DUE_MAX_MS	60000	/* deadlines up to this long after an SA is made */
#define OUT_SPI		0x10000	/* outbound SPI of pending SA i: OUT_SPI + i */
#define END_MS		(T0 + SPAN_MS + 4 * DUE_MAX_MS)

/* What each kind of SA waits for, and what the table does at its deadline. */
enum kind {
	K_HALF_OPEN,	/* responder in INIT_DONE: dies with IKE_F_HALF_OPEN */
	K_REQUEST,	/* a request out: sent again and again, then IKE_F_TIMEOUT */
	K_RETIRED,	/* replaced by a rekey, waits for its Delete: IKE_F_REKEYED */
	K_OUT,		/* a pending outbound SA: installed, the SA stays */
	K_COUNT
};

enum ev_type { EV_SEND, EV_DEAD, EV_INSTALL, EV_GETSPI };

struct ev {
	uint32_t	sa;		/* index of the SA */
	enum ev_type	type;
	enum ike_fail	fail;		/* EV_DEAD */
	uint64_t	at;
};

struct world {
	struct ike_sa_table	*t;
	struct ike_cfg_peer	cfg;
	uint64_t		now;
	uint64_t		rng;
	struct ev		*ev;
	size_t			nev;
	size_t			cap;
	size_t			ticks;
};

/* The model: what SA i is and when its timer must fire. */
struct model {
	enum kind	kind;
	struct ike_sa	*sa;
	uint64_t	made;
	uint64_t	due;		/* K_REQUEST: its first transmission */
	uint64_t	answered;	/* K_REQUEST: answered then; 0: never */
	uint64_t	destroyed;	/* destroyed then; 0: never */
};

static uint64_t
w_rand64(struct world *w)
{
	uint64_t z = (w->rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
w_random(void *ctx, uint8_t *p, size_t len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			v = w_rand64(ctx);
		p[i] = (uint8_t)(v >> (8 * (i % 8)));
	}
}

static uint64_t
w_now(void *ctx)
{
	return ((struct world *)ctx)->now;
}

static void
w_event(struct world *w, uint32_t sa, enum ev_type type, enum ike_fail fail)
{
	struct ev *n;

	if (w->nev == w->cap) {
		w->cap = w->cap == 0 ? 1024 : 2 * w->cap;
		assert_non_null(n = realloc(w->ev, w->cap * sizeof(*n)));
		w->ev = n;
	}
	w->ev[w->nev++] = (struct ev){ .sa = sa, .type = type, .fail = fail, .at = w->now };
}

/* Requests carry their SA's index in their first four bytes. */
static int
w_send(void *ctx, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	(void)local, (void)remote;
	assert_int_equal(len, IKE_HDR_LEN);
	w_event(ctx, (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3],
	    EV_SEND, IKE_F_NONE);
	return 0;
}

/* Refused: the Child SA rekey that asks stops there. reqid is the SA's index. */
static int
w_getspi(void *ctx, const struct gw_addr *src, const struct gw_addr *dst, uint32_t reqid,
    uint32_t *spi)
{
	(void)src, (void)dst, (void)spi;
	w_event(ctx, reqid, EV_GETSPI, IKE_F_NONE);
	return -1;
}

static int
w_install(void *ctx, const struct ike_child_sa *sa)
{
	assert_int_equal(sa->dirs, IKE_CHILD_OUT);
	w_event(ctx, sa->spi_out - OUT_SPI, EV_INSTALL, IKE_F_NONE);
	return 0;
}

static int
w_del(void *ctx, uint32_t spi, const struct gw_addr *src, const struct gw_addr *dst)
{
	(void)ctx, (void)spi, (void)src, (void)dst;
	return 0;
}

/* The index of an SA is kept in its child_req.reqid, which no timer reads. */
static void
w_dead(void *ctx, const struct ike_sa *sa)
{
	w_event(ctx, sa->child_req.reqid, EV_DEAD, sa->fail);
}

static struct world *
world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));
	const struct ike_io io = { .send = w_send, .now_ms = w_now, .random = w_random,
	    .ctx = w };
	const struct ike_child_sink sink = { .getspi = w_getspi, .install = w_install,
	    .del = w_del, .ctx = w };
	const struct ike_hooks hooks = { .dead = w_dead, .ctx = w };

	assert_non_null(w);
	w->now = T0;
	w->rng = 1;
	assert_non_null(w->t = ike_sa_table_new(&io, &sink, &hooks));
	addr_set(&w->cfg.local, "192.0.2.1");
	addr_set(&w->cfg.remote, "192.0.2.2");
	return w;
}

static void
world_free(struct world *w)
{
	ike_sa_table_free(w->t);
	free(w->ev);
	free(w);
}

/* What ike_sa_table_next_ms() was before the index: a scan of every SA. */
static uint64_t
scan_next(const struct ike_sa_table *t)
{
	const struct ike_sa *sa;
	uint64_t next = UINT64_MAX;

	for (sa = t->all; sa != NULL; sa = sa->next)
		if (ike_sa_next_due(sa) < next)
			next = ike_sa_next_due(sa);
	return next;
}

/*
 * The heap in order, each entry knowing its place, and one entry with
 * the exact deadline for every SA not DEAD: the code kept the rule.
 */
static void
check_index(struct ike_sa_table *t)
{
	const struct ike_sa *sa;
	size_t k, live = 0;

	assert_int_equal(ike_sa_table_next_ms(t), scan_next(t));
	assert_null(t->tm_marked);
	assert_null(t->tm_fired);
	assert_true(t->tm_n <= t->tm_cap);
	for (k = 0; k < t->tm_n; k++) {
		assert_int_equal(t->tm_heap[k].sa->tm_pos, k + 1);
		if (k > 0)
			assert_true(t->tm_heap[(k - 1) / 2].due <= t->tm_heap[k].due);
	}
	for (sa = t->all; sa != NULL; sa = sa->next) {
		if (sa->state == IKE_S_DEAD) {
			assert_int_equal(sa->tm_pos, 0);
			continue;
		}
		live++;
		assert_int_not_equal(sa->tm_pos, 0);
		assert_int_equal(t->tm_heap[sa->tm_pos - 1].due, ike_sa_next_due(sa));
	}
	assert_int_equal(live, t->tm_n);
}

/*
 * Runs the timers up to target as the daemon's loop does, a tick at each
 * deadline: nothing may be left overdue after a tick.
 */
static void
run_to(struct world *w, uint64_t target)
{
	uint64_t next;

	for (;;) {
		next = ike_sa_table_next_ms(w->t);
		assert_true(next > w->now || w->ticks == 0);
		if (w->ticks % 8 == 0)
			assert_int_equal(next, scan_next(w->t));
		if (w->ticks % 512 == 0)
			check_index(w->t);
		if (next > target)
			break;
		w->now = next;
		exch_tick(w->t);
		w->ticks++;
	}
	w->now = target;
}

static void
established(struct ike_sa *sa)
{
	assert_int_equal(ike_sa_set_state(sa, IKE_S_INIT_DONE), 0);
	assert_int_equal(ike_sa_set_state(sa, IKE_S_ESTABLISHED), 0);
}

/* A request of SA i, sent and timed by the message layer. */
static void
request(struct ike_sa *sa, uint32_t i)
{
	uint8_t buf[IKE_HDR_LEN] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
	    (uint8_t)i };

	buf[IKE_HDR_NEXT_OFF + 2] = IKE_EXCH_INFORMATIONAL;
	assert_int_equal(ike_msg_request(sa, buf, sizeof(buf)), 0);
}

/* A Child SA of SA i whose outbound SA waits until due. */
static void
pending_out(struct ike_sa *sa, uint32_t i, uint64_t due)
{
	struct ike_child c = { .spi_in = 0x20000 + i, .spi_out = OUT_SPI + i,
	    .out_absent = true, .out_due_ms = due };

	assert_non_null(c.out_pending = calloc(1, sizeof(*c.out_pending)));
	c.out_pending->dirs = IKE_CHILD_OUT;
	c.out_pending->spi_in = c.spi_in;
	c.out_pending->spi_out = c.spi_out;
	assert_int_equal(ike_sa_add_child(sa, &c), 0);
}

static void
make_sa(struct world *w, struct model *m, uint32_t i)
{
	bool initiator = m->kind == K_REQUEST;
	struct ike_sa *sa;

	sa = ike_sa_new(w->t, initiator, &w->cfg, &w->cfg.local, &w->cfg.remote,
	    initiator ? 0 : i + 1);
	assert_non_null(sa);
	sa->child_req.reqid = i;
	m->sa = sa;
	m->made = w->now;
	m->due = w->now + 1 + w_rand64(w) % DUE_MAX_MS;
	switch (m->kind) {
	case K_HALF_OPEN:
		assert_int_equal(ike_sa_set_state(sa, IKE_S_INIT_DONE), 0);
		sa->half_open_until = m->due;
		ike_sa_timer_touch(sa);
		break;
	case K_REQUEST:
		assert_int_equal(ike_sa_set_state(sa, IKE_S_INIT_SENT), 0);
		request(sa, i);
		m->due = w->now;
		break;
	case K_RETIRED:
		established(sa);
		ike_sa_retire(sa);
		sa->expire_ms = m->due;
		ike_sa_timer_touch(sa);
		break;
	default:
		established(sa);
		pending_out(sa, i, m->due);
		break;
	}
}

/* When SA i's end comes in the model (its last event), or UINT64_MAX. */
static uint64_t
model_end(const struct ike_sa_table *t, const struct model *m)
{
	switch (m->kind) {
	case K_REQUEST:
		return m->answered != 0 ? UINT64_MAX : m->made + ike_sa_giveup_ms(t);
	case K_OUT:
		return UINT64_MAX;
	default:
		return m->due;
	}
}

/*
 * Halfway: some deadlines move later, some earlier (without a message:
 * the code that moves them touches the SA), some requests are answered
 * and some SAs go.
 */
static void
mid_changes(struct world *w, struct model *mod, uint32_t made)
{
	struct ike_msg *resp = calloc(1, sizeof(*resp));
	struct model *m;
	uint32_t i;

	assert_non_null(resp);
	resp->hdr.flags = IKE_FLAG_R;
	for (i = 0; i < made; i++) {
		m = &mod[i];
		if (model_end(w->t, m) <= w->now && m->kind != K_OUT)
			continue;	/* dead already */
		switch (i % 16) {
		case 0:
			m->sa->half_open_until = m->due += 5000;
			ike_sa_timer_touch(m->sa);
			break;
		case 1:
			ike_msg_accept(m->sa, resp);
			m->answered = w->now;
			break;
		case 2:
			m->sa->expire_ms = m->due = w->now + 1 + i % 100;
			ike_sa_timer_touch(m->sa);
			break;
		case 3:
		case 4:
			ike_sa_destroy(m->sa);
			m->sa = NULL;
			m->destroyed = w->now;
			break;
		}
	}
	free(resp);
}

/* The events SA i must have caused, in order, into out; returns how many. */
static size_t
model_events(const struct ike_sa_table *t, const struct model *m, uint32_t i, struct ev *out)
{
	uint64_t at, stop = m->destroyed != 0 ? m->destroyed : UINT64_MAX;
	size_t n = 0;
	unsigned k;

	if (m->answered != 0)
		stop = m->answered;
	switch (m->kind) {
	case K_HALF_OPEN:
	case K_RETIRED:
		if (m->due <= stop)
			out[n++] = (struct ev){ .sa = i, .type = EV_DEAD, .at = m->due,
			    .fail = m->kind == K_HALF_OPEN ? IKE_F_HALF_OPEN : IKE_F_REKEYED };
		break;
	case K_REQUEST:
		/* Sent at once, then 1, 2, 4 ... first timeouts later; then given up. */
		for (k = 0; k < t->rtx_tries; k++) {
			at = m->made + (uint64_t)t->rtx_first_ms * ((UINT64_C(1) << k) - 1);
			if (at <= stop)
				out[n++] = (struct ev){ .sa = i, .type = EV_SEND, .at = at };
		}
		at = m->made + ike_sa_giveup_ms(t);
		if (at <= stop)
			out[n++] = (struct ev){ .sa = i, .type = EV_DEAD, .at = at,
			    .fail = IKE_F_TIMEOUT };
		break;
	default:
		if (m->due <= stop)
			out[n++] = (struct ev){ .sa = i, .type = EV_INSTALL, .at = m->due };
		break;
	}
	return n;
}

/* Every event happened when the model says, and no other did. */
static void
check_events(const struct world *w, const struct model *mod)
{
	struct ev want[16];
	size_t *pos, i, k, n, total = 0;
	const struct ev *e;

	assert_non_null(pos = calloc(NSA, sizeof(*pos)));
	for (k = 0; k < w->nev; k++) {
		e = &w->ev[k];
		assert_true(e->sa < NSA);
		assert_true(k == 0 || w->ev[k - 1].at <= e->at);
		n = model_events(w->t, &mod[e->sa], e->sa, want);
		if (pos[e->sa] >= n)
			fail_msg("SA %u: unexpected event %d at %llu", e->sa, (int)e->type,
			    (unsigned long long)e->at);
		if (want[pos[e->sa]].type != e->type || want[pos[e->sa]].at != e->at ||
		    want[pos[e->sa]].fail != e->fail)
			fail_msg("SA %u: event %d at %llu (fail %d), want %d at %llu (fail %d)",
			    e->sa, (int)e->type, (unsigned long long)e->at, (int)e->fail,
			    (int)want[pos[e->sa]].type, (unsigned long long)want[pos[e->sa]].at,
			    (int)want[pos[e->sa]].fail);
		pos[e->sa]++;
	}
	for (i = 0; i < NSA; i++) {
		n = model_events(w->t, &mod[i], (uint32_t)i, want);
		if (pos[i] != n)
			fail_msg("SA %zu: %zu events, want %zu", i, pos[i], n);
		total += n;
	}
	assert_int_equal(total, w->nev);
	free(pos);
}

/*
 * Thousands of SAs of four kinds made over SPAN_MS, deadlines random up
 * to DUE_MAX_MS later (some on the same millisecond), changed halfway:
 * every retransmission, expiry and pending install at its millisecond.
 */
static void
test_timers_fire_in_order(void **state)
{
	struct world *w = world_new();
	struct model *mod = calloc(NSA, sizeof(*mod));
	size_t live = 0;
	uint32_t i;
	bool mid = false;

	(void)state;
	assert_non_null(mod);
	for (i = 0; i < NSA; i++) {
		uint64_t at = T0 + (uint64_t)i * SPAN_MS / NSA;

		if (!mid && at >= MID_MS) {
			run_to(w, MID_MS);
			mid_changes(w, mod, i);
			check_index(w->t);
			mid = true;
		}
		run_to(w, at);
		mod[i].kind = (enum kind)(i % K_COUNT);
		make_sa(w, &mod[i], i);
	}
	check_index(w->t);
	run_to(w, END_MS);
	assert_int_equal(ike_sa_table_next_ms(w->t), UINT64_MAX);
	check_index(w->t);
	check_events(w, mod);
	/* Left: the answered requests and the SAs whose outbound SA went in. */
	for (i = 0; i < NSA; i++)
		if (mod[i].destroyed == 0 && model_end(w->t, &mod[i]) == UINT64_MAX)
			live++;
	assert_int_equal(w->t->nsa, live);
	assert_true(w->ticks > NSA);
	free(mod);
	world_free(w);
}

/*
 * Two timers of one SA due on one millisecond (its IKE SA rekey and a
 * Child SA rekey waiting for its turn): one per tick, the other left due,
 * so ike_sa_table_next_ms() says now and the next tick runs it.
 */
static void
test_timers_one_per_tick(void **state)
{
	struct world *w = world_new();
	struct ike_child c = { .spi_in = 0x2000, .spi_out = 0x3000, .reqid = 9,
	    .rekey_retry_ms = T0 + 50 };
	struct ike_sa *sa;

	(void)state;
	sa = ike_sa_new(w->t, false, &w->cfg, &w->cfg.local, &w->cfg.remote, 1);
	assert_non_null(sa);
	established(sa);
	assert_int_equal(ike_sa_add_child(sa, &c), 0);
	sa->rekey_ms = T0 + 50;
	ike_sa_timer_touch(sa);
	assert_int_equal(ike_sa_table_next_ms(w->t), T0 + 50);
	w->now = T0 + 50;
	/* No proposals: the IKE SA rekey cannot start and is tried again later. */
	log_capture();
	exch_tick(w->t);
	log_has(log_captured(), "cannot send the rekey of the IKE SA");
	assert_int_equal(w->nev, 0);
	assert_true(sa->rekey_ms > w->now);
	assert_int_equal(ike_sa_table_next_ms(w->t), w->now);
	log_capture();
	exch_tick(w->t);
	log_has(log_captured(), "cannot send the rekey of Child SA");
	assert_int_equal(w->nev, 1);
	assert_int_equal(w->ev[0].type, EV_GETSPI);
	assert_int_equal(w->ev[0].sa, 9);
	assert_true(ike_sa_table_next_ms(w->t) > w->now);
	check_index(w->t);
	world_free(w);
}

/*
 * A deadline that moved later without a touch costs an early look, never
 * an early firing: the first entry is always computed again.
 */
static void
test_timers_stale_entry(void **state)
{
	struct world *w = world_new();
	struct ike_sa *a, *b;

	(void)state;
	a = ike_sa_new(w->t, false, &w->cfg, &w->cfg.local, &w->cfg.remote, 1);
	b = ike_sa_new(w->t, false, &w->cfg, &w->cfg.local, &w->cfg.remote, 2);
	assert_non_null(a);
	assert_non_null(b);
	a->child_req.reqid = 0;
	b->child_req.reqid = 1;
	assert_int_equal(ike_sa_set_state(a, IKE_S_INIT_DONE), 0);
	assert_int_equal(ike_sa_set_state(b, IKE_S_INIT_DONE), 0);
	a->half_open_until = T0 + 100;
	b->half_open_until = T0 + 200;
	ike_sa_timer_touch(a);
	ike_sa_timer_touch(b);
	assert_int_equal(ike_sa_table_next_ms(w->t), T0 + 100);
	a->half_open_until = T0 + 300;
	assert_int_equal(ike_sa_table_next_ms(w->t), T0 + 200);
	w->now = T0 + 200;
	exch_tick(w->t);
	assert_int_equal(w->nev, 1);
	assert_int_equal(w->ev[0].sa, 1);
	assert_int_equal(ike_sa_table_next_ms(w->t), T0 + 300);
	w->now = T0 + 300;
	exch_tick(w->t);
	assert_int_equal(w->nev, 2);
	assert_int_equal(w->ev[1].sa, 0);
	assert_int_equal(w->t->nsa, 0);
	world_free(w);
}

/* Random moves, kills, destroys and new SAs: the heap stays exact throughout. */
static void
test_timers_heap_ops(void **state)
{
	struct world *w = world_new();
	struct ike_sa *sa[1000] = { NULL };
	uint32_t i, k, r;

	(void)state;
	for (k = 0; k < 20000; k++) {
		i = (uint32_t)(w_rand64(w) % 1000);
		r = (uint32_t)(w_rand64(w) % 8);
		if (sa[i] == NULL) {
			sa[i] = ike_sa_new(w->t, false, &w->cfg, &w->cfg.local, &w->cfg.remote,
			    k + 1);
			assert_non_null(sa[i]);
			assert_int_equal(ike_sa_set_state(sa[i], IKE_S_INIT_DONE), 0);
		} else if (r == 0) {
			ike_sa_destroy(sa[i]);
			sa[i] = NULL;
		} else if (r == 1) {
			ike_sa_kill(sa[i], IKE_F_LOCAL);
			sa[i] = NULL;
		} else {
			sa[i]->half_open_until = T0 + w_rand64(w) % 100000;
			ike_sa_timer_touch(sa[i]);
		}
		if (k % 16 == 0)
			check_index(w->t);
		if (k % 64 == 0)
			ike_sa_reap(w->t);
	}
	check_index(w->t);
	world_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_timers_one_per_tick),
		cmocka_unit_test(test_timers_stale_entry),
		cmocka_unit_test(test_timers_heap_ops),
	};

	/* Give-ups are logged as info: keep the output to failures. */
	log_init(true, -2, "test_ike_timers");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
