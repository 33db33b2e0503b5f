/*
 * test_ike_info.c: INFORMATIONAL exchanges we start on an established
 * IKE SA, from either side: deleting a Child SA pair, deleting the IKE
 * SA, and liveness checks (dead peer detection) on the manual clock with
 * the peer gone and with the peer alive, on the table's retransmission
 * schedule and on the configured one (dpd_retry_s, dpd_tries).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "exch_info.h"
#include "fixture.h"
#include "log.h"

#define DPD_S		30
/* Five transmissions 0.5, 1, 2, 4 and 8 s apart (IKE_RTX_FIRST_MS, IKE_RTX_TRIES). */
#define GIVE_UP_MS	15500

/* Side's Child SA pair is deleted, in both directions, on both nodes. */
static void
delete_child(int side)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *s = mock_only_sa(&p->n[side]), *o = mock_only_sa(&p->n[1 - side]);
	uint32_t in = p->n[side].sink.sa[0].sa.spi_in;

	assert_int_equal(exch_info_delete_child(s, in ^ 1), -1);
	assert_int_equal(exch_info_delete_child(s, in), 0);
	/* A second request while one is outstanding is refused. */
	assert_int_equal(exch_info_delete_child(s, in), -1);
	assert_int_equal(mock_live(&p->n[side].sink), 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(mock_live(&p->n[1 - side].sink), 0);
	assert_false(p->n[1 - side].sink.sa[0].in_live);
	assert_false(p->n[1 - side].sink.sa[0].out_live);
	assert_null(o->children);
	/* Make-before-break is not at stake here: ours stays until the answer. */
	assert_int_equal(mock_live(&p->n[side].sink), 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(mock_live(&p->n[side].sink), 0);
	assert_false(p->n[side].sink.sa[0].in_live);
	assert_false(p->n[side].sink.sa[0].out_live);
	assert_null(s->children);
	assert_false(s->win.req_active);
	assert_int_equal(s->del_child_spi, 0);
	assert_int_equal(s->state, IKE_S_ESTABLISHED);
	assert_int_equal(o->state, IKE_S_ESTABLISHED);
	/* The IKE SA still works: an empty request is answered. */
	assert_int_equal(exch_info_liveness(s), 0);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_false(s->win.req_active);
	check_no_drops(p);
	pair_free(p);
}

static void
test_delete_child_initiator(void **state)
{
	delete_child(0);
}

static void
test_delete_child_responder(void **state)
{
	delete_child(1);
}

/* Both sides delete the same pair at once (RFC 7296 1.4.1): both end clean. */
static void
test_delete_child_collision(void **state)
{
	struct pair *p = pair_established(S_CBC);
	struct ike_sa *i = mock_only_sa(&p->n[0]), *r = mock_only_sa(&p->n[1]);

	assert_int_equal(exch_info_delete_child(i, p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(exch_info_delete_child(r, p->n[1].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(mock_live(&p->n[0].sink), 0);
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	assert_null(i->children);
	assert_null(r->children);
	assert_false(i->win.req_active);
	assert_false(r->win.req_active);
	check_no_drops(p);
	pair_free(p);
}

static void
delete_ike(int side)
{
	struct pair *p = pair_established(S_CHACHA);
	struct ike_sa *s = mock_only_sa(&p->n[side]);

	assert_int_equal(exch_info_delete(s, IKE_F_LOCAL), 0);
	assert_int_equal(s->state, IKE_S_DELETING);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[1 - side].t->nsa, 0);
	assert_int_equal(p->n[1 - side].last_fail, IKE_F_PEER);
	assert_int_equal(mock_live(&p->n[1 - side].sink), 0);
	assert_int_equal(p->n[side].t->nsa, 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[side].t->nsa, 0);
	assert_int_equal(p->n[side].last_fail, IKE_F_LOCAL);
	assert_int_equal(mock_live(&p->n[side].sink), 0);
	assert_int_equal(p->n[0].sink.ndel, 2);
	assert_int_equal(p->n[1].sink.ndel, 2);
	check_no_drops(p);
	pair_free(p);
}

static void
test_delete_ike_initiator(void **state)
{
	delete_ike(0);
}

static void
test_delete_ike_responder(void **state)
{
	delete_ike(1);
}

/*
 * The peer is gone: side's check is never answered and everything is
 * cleared. No dpd_retry_s or dpd_tries (0, 0): the table's schedule.
 */
static void
dpd_dead(int side)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *s = mock_only_sa(&p->n[side]);
	uint64_t t0 = p->net.now;

	s->cfg.dpd_delay_s = DPD_S;
	ike_sa_timer_touch(s);	/* its DPD deadline moved */
	assert_int_equal(ike_sa_table_next_ms(p->n[side].t), t0 + DPD_S * 1000);
	/* Without DPD the other side's only timer is its lifetime's rekey. */
	assert_int_equal(ike_sa_table_next_ms(p->n[1 - side].t),
	    t0 + (uint64_t)mock_only_sa(&p->n[1 - side])->cfg.ike_lifetime_s * 1000);
	p->net.blackhole[0] = p->net.blackhole[1] = true;
	run_clock(p, DPD_S * 1000 - 100);
	assert_false(s->win.req_active);
	run_clock(p, 100);
	assert_true(s->win.req_active);
	assert_int_equal(s->win.req_exch, IKE_EXCH_INFORMATIONAL);
	run_clock(p, GIVE_UP_MS - 100);
	assert_int_equal(p->n[side].t->nsa, 1);
	assert_int_equal(mock_live(&p->n[side].sink), 1);
	run_clock(p, 100);
	assert_int_equal(p->n[side].t->nsa, 0);
	assert_int_equal(p->n[side].ndead, 1);
	assert_int_equal(p->n[side].last_fail, IKE_F_TIMEOUT);
	assert_int_equal(mock_live(&p->n[side].sink), 0);
	assert_int_equal(nstat(&p->n[side], IKE_ST_RETRANSMIT), 4);
	/* The other side checks nothing and keeps its SA. */
	assert_int_equal(p->n[1 - side].t->nsa, 1);
	pair_free(p);
}

static void
test_dpd_dead_initiator(void **state)
{
	dpd_dead(0);
}

static void
test_dpd_dead_responder(void **state)
{
	dpd_dead(1);
}

/* The peer answers: checks come every DPD_S of silence and the SA stays. */
static void
dpd_alive(int side)
{
	struct pair *p = pair_established(S_CBC);
	struct ike_sa *s = mock_only_sa(&p->n[side]);
	uint32_t id0 = s->win.next_id;
	int k;

	s->cfg.dpd_delay_s = DPD_S;
	ike_sa_timer_touch(s);	/* its DPD deadline moved */
	for (k = 0; k < 10 * DPD_S * 1000 / 200; k++) {
		mock_advance(&p->net, 200);
		mock_run(&p->net, 4);
	}
	/* 10 delays of silence: 10 checks, each answered at once. */
	assert_int_equal(s->win.next_id - id0, 10);
	assert_false(s->win.req_active);
	assert_int_equal(s->last_rx_ms, p->net.now);
	assert_int_equal(p->n[side].ndead, 0);
	check_established(p);
	check_no_drops(p);
	pair_free(p);
}

static void
test_dpd_alive_initiator(void **state)
{
	dpd_alive(0);
}

static void
test_dpd_alive_responder(void **state)
{
	dpd_alive(1);
}

/* Traffic from the peer postpones the check: only silence counts. */
static void
test_dpd_postponed_by_traffic(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *i = mock_only_sa(&p->n[0]), *r = mock_only_sa(&p->n[1]);
	uint32_t id0 = i->win.next_id;

	i->cfg.dpd_delay_s = DPD_S;
	ike_sa_timer_touch(i);	/* its DPD deadline moved */
	run_clock(p, DPD_S * 1000 - 1000);
	assert_int_equal(exch_info_liveness(r), 0);
	assert_int_equal(mock_run(&p->net, 4), 2);
	run_clock(p, DPD_S * 1000 - 100);
	assert_int_equal(i->win.next_id, id0);
	assert_int_equal(p->net.n, 0);
	run_clock(p, 100);
	assert_int_equal(i->win.next_id, id0 + 1);
	assert_int_equal(p->net.n, 1);
	assert_int_equal(mock_run(&p->net, 4), 2);
	check_established(p);
	check_no_drops(p);
	pair_free(p);
}

/*
 * The peer is gone and side checks with dpd_retry_s retry and dpd_tries
 * tries: the check goes out at each of the offsets (ms after the DPD
 * delay) in sent[0..nsent), and the SA dies at dead_ms, not a tick
 * before.
 */
static void
dpd_schedule(int side, uint32_t retry, uint32_t tries, const uint64_t *sent, size_t nsent,
    uint64_t dead_ms)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *s = mock_only_sa(&p->n[side]);
	uint64_t t, at[16];
	size_t n = 0, before;

	s->cfg.dpd_delay_s = DPD_S;
	s->cfg.dpd_retry_s = retry;
	s->cfg.dpd_tries = tries;
	ike_sa_timer_touch(s);	/* its DPD deadline moved */
	p->net.blackhole[0] = p->net.blackhole[1] = true;
	run_clock(p, DPD_S * 1000 - 100);
	t = p->net.now + 100;
	while (p->net.now + 100 < t + dead_ms) {
		before = p->net.sent;
		mock_advance(&p->net, 100);
		if (p->net.sent != before && n < sizeof(at) / sizeof(at[0]))
			at[n++] = p->net.now - t;
		assert_int_equal(p->n[side].t->nsa, 1);
	}
	assert_int_equal(n, nsent);
	assert_memory_equal(at, sent, n * sizeof(at[0]));
	assert_int_equal(nstat(&p->n[side], IKE_ST_RETRANSMIT), nsent - 1);
	assert_int_equal(mock_live(&p->n[side].sink), 1);
	mock_advance(&p->net, 100);
	assert_int_equal(p->n[side].t->nsa, 0);
	assert_int_equal(p->n[side].last_fail, IKE_F_TIMEOUT);
	assert_int_equal(nstat(&p->n[side], IKE_ST_GIVE_UP), 1);
	assert_int_equal(mock_live(&p->n[side].sink), 0);
	pair_free(p);
}

/* dpd_retry 5, dpd_maxfail 3: sent at t, t+5 and t+10 s; dead at t+15 s. */
static void
test_dpd_retry_tries(void **state)
{
	static const uint64_t sent[] = { 0, 5000, 10000 };

	dpd_schedule(0, 5, 3, sent, 3, 15000);
	dpd_schedule(1, 5, 3, sent, 3, 15000);
}

/* An interval without a count: every 5 s, the table's five tries. */
static void
test_dpd_retry_only(void **state)
{
	static const uint64_t sent[] = { 0, 5000, 10000, 15000, 20000 };

	dpd_schedule(0, 5, 0, sent, 5, 25000);
}

/* A count without an interval: the table's doubling timeouts, three tries. */
static void
test_dpd_tries_only(void **state)
{
	static const uint64_t sent[] = { 0, 500, 1500 };

	dpd_schedule(1, 0, 3, sent, 3, 3500);
}

/* Neither (0, 0): exactly the table's schedule, as any other request. */
static void
test_dpd_table_schedule(void **state)
{
	static const uint64_t sent[] = { 0, 500, 1500, 3500, 7500 };

	dpd_schedule(0, 0, 0, sent, 5, GIVE_UP_MS);
}

/*
 * One try a minute, at most twice: a check answered on its second try
 * keeps the SA, and the next silence starts a fresh count.
 */
static void
test_dpd_retry_answered(void **state)
{
	struct pair *p = pair_established(S_CBC);
	struct ike_sa *s = mock_only_sa(&p->n[0]);

	s->cfg.dpd_delay_s = DPD_S;
	s->cfg.dpd_retry_s = 60;
	s->cfg.dpd_tries = 2;
	ike_sa_timer_touch(s);	/* its DPD deadline moved */
	run_clock(p, DPD_S * 1000);
	assert_true(s->win.req_active);
	assert_int_equal(s->win.req_due_ms, p->net.now + 60000);
	mock_drop(&p->net, 0);
	run_clock(p, 60000);
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANSMIT), 1);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_false(s->win.req_active);
	run_clock(p, DPD_S * 1000);
	assert_true(s->win.req_active);
	assert_int_equal(s->win.req_tries, 1);
	mock_drop(&p->net, 0);
	run_clock(p, 60000);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_int_equal(p->n[0].ndead, 0);
	check_established(p);
	pair_free(p);
}

/*
 * The DPD schedule is the liveness check's alone: with it configured, a
 * Delete of the Child SA that gets no answer keeps the table's schedule.
 */
static void
test_dpd_schedule_not_for_others(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *s = mock_only_sa(&p->n[0]);

	s->cfg.dpd_delay_s = DPD_S;
	s->cfg.dpd_retry_s = 5;
	s->cfg.dpd_tries = 2;
	ike_sa_timer_touch(s);	/* its DPD deadline moved */
	p->net.blackhole[0] = true;
	assert_int_equal(exch_info_delete_child(s, p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(s->win.req_due_ms, p->net.now + IKE_RTX_FIRST_MS);
	run_clock(p, GIVE_UP_MS - 100);
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANSMIT), IKE_RTX_TRIES - 1);
	assert_int_equal(p->n[0].t->nsa, 1);
	run_clock(p, 100);
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_TIMEOUT);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delete_child_initiator),
		cmocka_unit_test(test_delete_child_responder),
		cmocka_unit_test(test_delete_child_collision),
		cmocka_unit_test(test_delete_ike_initiator),
		cmocka_unit_test(test_delete_ike_responder),
		cmocka_unit_test(test_dpd_dead_initiator),
		cmocka_unit_test(test_dpd_dead_responder),
		cmocka_unit_test(test_dpd_alive_initiator),
		cmocka_unit_test(test_dpd_alive_responder),
		cmocka_unit_test(test_dpd_postponed_by_traffic),
		cmocka_unit_test(test_dpd_retry_tries),
		cmocka_unit_test(test_dpd_retry_only),
		cmocka_unit_test(test_dpd_tries_only),
		cmocka_unit_test(test_dpd_table_schedule),
		cmocka_unit_test(test_dpd_retry_answered),
		cmocka_unit_test(test_dpd_schedule_not_for_others),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
