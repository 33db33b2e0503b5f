/*
 * test_ike_mbb.c: make-before-break on the responder of a Child SA rekey.
 *
 * Node 0 rekeys the pair; node 1 answers. Between its answer and the
 * moment node 0 surely has the new pair, node 1's data path must hold the
 * new inbound SA but not the new outbound one, since the data path sends
 * with the newest SA and node 0 could not decrypt it yet. The outbound
 * SA goes in when node 0's Delete of the old pair arrives (before the old
 * pair goes), after the grace time when that Delete is lost, under the
 * successor IKE SA after an IKE SA rekey, and never for the redundant
 * pair of a collision. Its keys are handed to the data path only with it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "exch_child.h"
#include "exch_info.h"
#include "fixture.h"
#include "log.h"

static const uint8_t low_nonce[32] = { [31] = 1 };

/* The record of the Child SA with inbound SPI spi_in under a live SA of nd; fails if none. */
static struct ike_child *
child_of(const struct mock_node *nd, uint32_t spi_in)
{
	struct ike_child *c;
	struct ike_sa *sa;

	for (sa = nd->t->all; sa != NULL; sa = sa->next)
		if (sa->state != IKE_S_DEAD && (c = ike_sa_child_by_in(sa, spi_in)) != NULL)
			return c;
	fail_msg("no Child SA %08x", spi_in);
	abort();
}

/* Delivers one datagram; no node sends on an SA the peer never installed. */
static bool
step(struct pair *p)
{
	bool r = mock_deliver(&p->net);

	check_peer_has_out(p);
	return r;
}

/* Delivers up to limit datagrams, checking after each; returns how many. */
static size_t
steps(struct pair *p, size_t limit)
{
	size_t n = 0;

	while (n < limit && step(p))
		n++;
	return n;
}

/* Node 0 rekeys its pair and node 1 answers; the answer is queued. */
static struct pair *
answered(enum suite s)
{
	struct pair *p = pair_established(s);

	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_true(step(p));
	assert_int_equal(p->net.n, 1);
	return p;
}

/*
 * Node 0 takes the answer, but stands for a peer that keeps the old pair
 * a while: its Delete of it is withdrawn unsent.
 */
static void
keep_old_pair(struct pair *p)
{
	struct ike_sa *s0 = mock_only_sa(&p->n[0]);

	assert_true(step(p));
	assert_int_equal(s0->del_child_spi, p->n[0].sink.sa[0].sa.spi_in);
	mock_drop(&p->net, 0);
	s0->win.req_active = false;
	s0->win.next_id--;
	s0->del_child_spi = 0;
}

/*
 * Node 1 holds the old pair both ways and the new pair inbound only; the
 * outbound SA waits in the record with its own keys and nothing else.
 */
static struct ike_child *
check_waiting(struct pair *p)
{
	struct mock_sink *k = &p->n[1].sink;
	struct ike_child *c = child_of(&p->n[1], k->sa[1].sa.spi_in);
	const struct ike_child_sa *o;

	assert_int_equal(k->nsa, 2);
	assert_true(k->sa[0].in_live && k->sa[0].out_live);
	assert_true(k->sa[1].in_live && !k->sa[1].out_live);
	assert_true(k->sa[1].split);
	assert_false(k->sa[1].leaked);
	assert_int_equal(k->sa[1].sa.enc_out.len, 0);
	assert_int_equal(k->nout, 0);
	assert_non_null(c);
	assert_non_null(o = c->out_pending);
	assert_true(c->out_absent);
	assert_int_equal(c->out_after, k->sa[0].sa.spi_in);
	assert_int_equal(o->dirs, IKE_CHILD_OUT);
	assert_int_equal(o->spi_in, c->spi_in);
	assert_int_equal(o->spi_out, c->spi_out);
	assert_int_equal(o->enc_in.len, 0);
	assert_int_equal(o->auth_in.len, 0);
	assert_true(o->enc_out.len > 0);
	return c;
}

/* Node 1's new pair is in both ways, matching node 0's, its keys out of the record. */
static void
check_installed(struct pair *p)
{
	struct mock_sink *k = &p->n[1].sink, *k0 = &p->n[0].sink;
	struct ike_child *c = child_of(&p->n[1], k->sa[1].sa.spi_in);

	assert_true(k->sa[1].in_live && k->sa[1].out_live);
	assert_int_equal(k->nout, 1);
	assert_false(k->sa[1].leaked);
	assert_int_equal(k->nbogus, 0);
	assert_non_null(c);
	assert_null(c->out_pending);
	assert_false(c->out_absent);
	assert_int_equal(k->sa[1].sa.spi_out, k0->sa[1].sa.spi_in);
	assert_int_equal(k->sa[1].sa.enc_out.len, k0->sa[1].sa.enc_in.len);
	assert_memory_equal(k->sa[1].sa.enc_out.b, k0->sa[1].sa.enc_in.b,
	    k0->sa[1].sa.enc_in.len);
	assert_memory_equal(k->sa[1].sa.auth_out.b, k0->sa[1].sa.auth_in.b,
	    k0->sa[1].sa.auth_in.len);
}

/* The rekey is over: one pair each way on each node, nothing half-installed. */
static void
check_done(struct pair *p)
{
	int k;

	for (k = 0; k < 2; k++) {
		assert_int_equal(mock_live(&p->n[k].sink), 1);
		assert_int_equal(mock_half(&p->n[k].sink), 0);
		assert_int_equal(mock_larval(&p->n[k].sink), 0);
		assert_int_equal(p->n[k].sink.nbogus, 0);
		assert_false(p->n[k].sink.sa[0].in_live || p->n[k].sink.sa[0].out_live);
	}
	check_installed(p);
}

/* The grace time: two first retransmission timeouts, 2 s at the least. */
static void
test_grace_ms(void **state)
{
	struct pair *p = pair_new(S_GCM);

	assert_int_equal(ike_sa_out_grace_ms(p->n[1].t), IKE_OUT_GRACE_MS);
	p->n[1].t->rtx_first_ms = 1500;
	assert_int_equal(ike_sa_out_grace_ms(p->n[1].t), 3000);
	pair_free(p);
}

/*
 * Node 0's Delete of the old pair installs node 1's new outbound SA, just
 * before the old pair goes; the grace timer then has nothing to do.
 */
static void
test_delete_installs(void **state)
{
	struct pair *p = answered(S_GCM);
	struct mock_sink *k = &p->n[1].sink;
	struct ike_child *c = check_waiting(p);
	uint64_t due = p->net.now + ike_sa_out_grace_ms(p->n[1].t);

	assert_int_equal(c->out_due_ms, due);
	assert_int_equal(ike_sa_table_next_ms(p->n[1].t), due);
	/* Node 0 takes the answer, installs both SAs and sends its Delete. */
	assert_true(step(p));
	assert_int_equal(mock_live(&p->n[0].sink), 2);
	assert_int_equal(q_exch(p, 0), IKE_EXCH_INFORMATIONAL);
	check_waiting(p);
	assert_true(step(p));
	check_installed(p);
	assert_true(k->sa[1].out_seq < k->sa[0].del_seq);
	assert_false(k->sa[0].in_live || k->sa[0].out_live);
	/* The old inbound SA is retired, for packets still on their way. */
	assert_int_equal(k->nretire, 1);
	assert_int_equal(k->retired_spi, k->sa[0].sa.spi_in);
	assert_true(ike_sa_table_next_ms(p->n[1].t) > due);
	assert_true(step(p));
	assert_int_equal(p->n[0].sink.nretire, 1);
	assert_int_equal(p->n[0].sink.retired_spi, p->n[0].sink.sa[0].sa.spi_in);
	run_clock(p, 2 * IKE_OUT_GRACE_MS);
	assert_int_equal(k->nout, 1);
	check_done(p);
	check_no_drops(p);
	pair_free(p);
}

/*
 * Node 0's Delete is lost, and again when retransmitted: the grace timer
 * installs the outbound SA at its deadline, the old pair kept until the
 * Delete comes through.
 */
static void
test_grace_installs(void **state)
{
	struct pair *p = answered(S_CBC);
	struct mock_sink *k = &p->n[1].sink;
	uint64_t due = check_waiting(p)->out_due_ms;

	assert_true(step(p));
	while (p->net.now + 100 < due) {
		while (p->net.n > 0)
			mock_drop(&p->net, 0);
		mock_advance(&p->net, 100);
		check_waiting(p);
		check_peer_has_out(p);
	}
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANSMIT), 2);
	while (p->net.n > 0)
		mock_drop(&p->net, 0);
	mock_advance(&p->net, due - p->net.now);
	check_installed(p);
	assert_true(k->sa[0].in_live && k->sa[0].out_live);
	/* The third transmission of the Delete (at 3.5 s) gets through. */
	run_clock(p, 1500);
	assert_int_equal(steps(p, 4), 2);
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANSMIT), 3);
	check_done(p);
	assert_int_equal(k->nout, 1);
	pair_free(p);
}

/*
 * The answer is lost: node 0's retransmitted request shows node 1 that
 * node 0 has not got it, and the grace time starts again from there.
 */
static void
test_answer_lost(void **state)
{
	struct pair *p = answered(S_GCM);
	struct ike_child *c = check_waiting(p);
	uint64_t due = c->out_due_ms;

	mock_drop(&p->net, 0);
	run_clock(p, 500);
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANSMIT), 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[1], IKE_ST_RETRANS_ANSWERED), 1);
	assert_int_equal(c->out_due_ms, p->net.now + ike_sa_out_grace_ms(p->n[1].t));
	assert_true(c->out_due_ms > due);
	/* Lost again, and the Delete never comes: the new deadline holds. */
	mock_drop(&p->net, 0);
	p->net.blackhole[0] = true;
	due = c->out_due_ms;
	run_clock(p, due - p->net.now - 100);
	check_waiting(p);
	run_clock(p, 100);
	assert_true(p->n[1].sink.sa[1].out_live);
	assert_int_equal(p->n[1].sink.nout, 1);
	assert_null(c->out_pending);
	pair_free(p);
}


/*
 * Node 0 checks liveness and the answer is lost: node 1 answers the
 * retransmission from its cache, and the outbound SA it waits to
 * install keeps its deadline due.
 */
static void
liveness_answer_lost(struct pair *p, uint64_t due)
{
	assert_int_equal(exch_info_liveness(mock_only_sa(&p->n[0])), 0);
	assert_true(step(p));
	mock_drop(&p->net, 0);
	run_clock(p, 500);
	assert_true(step(p));
	assert_int_equal(nstat(&p->n[1], IKE_ST_RETRANS_ANSWERED), 1);
	assert_int_equal(check_waiting(p)->out_due_ms, due);
	assert_true(step(p));
}

/*
 * A later request of node 0's shows it has the answer: that request's
 * retransmission (its own answer lost) delays nothing.
 */
static void
test_later_request_retransmitted(void **state)
{
	struct pair *p = answered(S_GCM);
	uint64_t due = check_waiting(p)->out_due_ms;

	keep_old_pair(p);
	liveness_answer_lost(p, due);
	run_clock(p, due - p->net.now);
	check_installed(p);
	pair_free(p);
}

/*
 * Node 0 keeps the old pair, and node rekeyer rekeys the IKE SA: the
 * pairs move to the new IKE SA, the pending outbound SA with them, still
 * pending, and it is installed there: by node 0's Delete of the old pair
 * under the new IKE SA (by_delete), or by the grace timer. The new IKE
 * SA's own window has no say on it: a retransmission there is of no
 * answer that made the pair.
 */
static void
handover(bool by_delete, int rekeyer)
{
	struct pair *p = answered(S_GCM);
	uint32_t old0 = p->n[0].sink.sa[0].sa.spi_in;
	uint64_t due = check_waiting(p)->out_due_ms;

	keep_old_pair(p);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[rekeyer])), 0);
	assert_int_equal(steps(p, 8), 4);
	assert_int_equal(p->n[1].nrekeyed, 1);
	assert_int_equal(p->n[1].t->nsa, 1);
	assert_int_equal(mock_only_sa(&p->n[1])->spi_i, mock_only_sa(&p->n[0])->spi_i);
	/* Moved with its pair, still waiting, its deadline unchanged. */
	assert_int_equal(check_waiting(p)->out_due_ms, due);
	assert_int_equal(ike_sa_table_next_ms(p->n[1].t), due);
	liveness_answer_lost(p, due);
	if (by_delete) {
		assert_int_equal(exch_info_delete_child(mock_only_sa(&p->n[0]), old0), 0);
		assert_true(step(p));
		check_installed(p);
		assert_true(p->n[1].sink.sa[1].out_seq < p->n[1].sink.sa[0].del_seq);
	} else {
		run_clock(p, due - p->net.now - 100);
		check_waiting(p);
		run_clock(p, 100);
		check_installed(p);
		assert_true(p->n[1].sink.sa[0].in_live && p->n[1].sink.sa[0].out_live);
		assert_int_equal(exch_info_delete_child(mock_only_sa(&p->n[0]), old0), 0);
		assert_true(step(p));
	}
	assert_true(step(p));
	check_done(p);
	check_no_drops(p);
	pair_free(p);
}

static void
test_handover_then_delete(void **state)
{
	handover(true, 0);
	handover(true, 1);
}

static void
test_handover_then_grace(void **state)
{
	handover(false, 0);
	handover(false, 1);
}

/*
 * Node 1 deletes the old pair itself (as on its hard expiry) before node
 * 0 does: when the answer comes, the new outbound SA goes in first, then
 * the old pair; or at once where there is no window for a Delete and the
 * pair is only forgotten.
 */
static void
old_pair_deleted_here(bool with_peer)
{
	struct pair *p = answered(S_CBC);
	struct mock_sink *k = &p->n[1].sink;
	struct ike_sa *r = mock_only_sa(&p->n[1]);
	uint32_t in;

	check_waiting(p);
	keep_old_pair(p);
	if (with_peer) {
		assert_int_equal(exch_info_delete_child(r, k->sa[0].sa.spi_in), 0);
		assert_true(step(p));
		check_waiting(p);
		assert_true(step(p));
	} else
		assert_int_equal(ike_sa_del_child(r, k->sa[0].sa.spi_out, &in), 0);
	check_installed(p);
	assert_true(k->sa[1].out_seq < k->sa[0].del_seq);
	assert_false(k->sa[0].in_live || k->sa[0].out_live);
	assert_int_equal(p->net.n, 0);
	pair_free(p);
}

static void
test_old_pair_deleted_here(void **state)
{
	old_pair_deleted_here(true);
	old_pair_deleted_here(false);
}

/*
 * Both nodes rekey the pair at once (RFC 7296 2.8.1), node low with the
 * lowest nonce, and both answers are lost for longer than the grace
 * time: each node's copy of the peer's new pair stays inbound only, held
 * until its own answer says which pair is redundant, with no timer left
 * in the past meanwhile. Then node 1 - low never installs the outbound
 * SA of node low's (redundant) pair, and node low installs that of node
 * 1 - low's only when its Delete of the old pair comes.
 */
static void
collision_held(int low)
{
	struct pair *p = pair_established(S_GCM);
	int win = 1 - low, k;
	uint64_t t0;

	mock_script(&p->n[low], low_nonce, sizeof(low_nonce));
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[1]),
	    p->n[1].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(steps(p, 2), 2);
	for (t0 = p->net.now; p->net.now < t0 + 3000;) {
		while (p->net.n > 0)
			mock_drop(&p->net, 0);
		mock_advance(&p->net, 100);
		for (k = 0; k < 2; k++) {
			assert_int_equal(mock_half(&p->n[k].sink), 1);
			assert_int_equal(p->n[k].sink.nout, 0);
			assert_true(ike_sa_table_next_ms(p->n[k].t) > p->net.now);
		}
		check_usable(p);
		check_peer_has_out(p);
	}
	/* The retransmissions at 3.5 s get through, and everything settles. */
	for (; p->net.now < t0 + 10000; mock_advance(&p->net, 100))
		while (step(p))
			check_usable(p);
	for (k = 0; k < 2; k++) {
		struct mock_sink *ks = &p->n[k].sink;

		assert_int_equal(ks->nsa, 3);
		assert_int_equal(mock_live(ks), 1);
		assert_int_equal(mock_half(ks), 0);
		assert_int_equal(mock_larval(ks), 0);
		assert_int_equal(ks->nbogus, 0);
		assert_false(ks->sa[1].leaked);
		assert_null(mock_only_sa(&p->n[k])->children->next);
		assert_null(mock_only_sa(&p->n[k])->children->out_pending);
	}
	/* Answering first, each node made the peer's pair at 1, its own at 2. */
	assert_int_equal(p->n[win].sink.nout, 0);
	assert_int_equal(p->n[win].sink.sa[1].out_seq, 0);
	assert_int_equal(p->n[win].sink.sa[1].ndel, 1);
	assert_true(p->n[win].sink.sa[2].in_live && p->n[win].sink.sa[2].out_live);
	assert_int_equal(p->n[low].sink.nout, 1);
	assert_true(p->n[low].sink.sa[1].in_live && p->n[low].sink.sa[1].out_live);
	assert_true(p->n[low].sink.sa[1].out_seq < p->n[low].sink.sa[0].del_seq);
	assert_int_equal(p->n[low].sink.sa[2].ndel, 2);
	check_no_drops(p);
	pair_free(p);
}

static void
test_collision_held_low0(void **state)
{
	collision_held(0);
}

static void
test_collision_held_low1(void **state)
{
	collision_held(1);
}

/*
 * A collision where node low's Delete of its redundant pair is lost for
 * longer than the grace time, while node 1 - low deletes the old pair:
 * neither the old pair going nor the grace time gives node 1 - low's copy
 * of the redundant pair an outbound SA.
 */
static void
collision_late_delete(int low)
{
	struct pair *p = pair_established(S_GCM);
	struct mock_sink *kw = &p->n[1 - low].sink;
	uint64_t t0;
	size_t i, len;

	mock_script(&p->n[low], low_nonce, sizeof(low_nonce));
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[1]),
	    p->n[1].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(steps(p, 4), 4);
	/* Node low's Delete of its pair, and its retransmissions, go nowhere. */
	for (t0 = p->net.now; p->net.now < t0 + 3000; mock_advance(&p->net, 100)) {
		for (i = 0; i < p->net.n;)
			if (p->net.q[i].from == low && q_exch(p, i) == IKE_EXCH_INFORMATIONAL &&
			    (q_msg(p, i, &len)[IKE_HDR_NEXT_OFF + 3] & IKE_FLAG_R) == 0)
				mock_drop(&p->net, i);
			else
				i++;
		while (step(p))
			;
		assert_false(kw->sa[1].out_live);
	}
	assert_false(kw->sa[0].in_live || kw->sa[0].out_live);
	assert_true(kw->sa[1].in_live);
	assert_int_equal(kw->nout, 0);
	/* The retransmission at 3.5 s ends it. */
	for (; p->net.now < t0 + 5000; mock_advance(&p->net, 100))
		while (step(p))
			;
	assert_false(kw->sa[1].in_live || kw->sa[1].out_live);
	assert_int_equal(kw->sa[1].out_seq, 0);
	assert_int_equal(kw->nbogus, 0);
	assert_int_equal(mock_live(kw), 1);
	assert_int_equal(mock_live(&p->n[low].sink), 1);
	check_no_drops(p);
	pair_free(p);
}

static void
test_collision_late_delete(void **state)
{
	collision_late_delete(0);
	collision_late_delete(1);
}

/*
 * The IKE SA dies with the outbound SA still pending (node 1 deletes it,
 * the answer to node 0 lost): the inbound SA goes, the outbound one never
 * existed, and its keys go with the record (what is left to check of
 * them: ASan's leak check).
 */
static void
test_ike_sa_dies(void **state)
{
	struct pair *p = answered(S_CHACHA);
	struct mock_sink *k = &p->n[1].sink;

	check_waiting(p);
	mock_drop(&p->net, 0);
	assert_int_equal(exch_info_delete(mock_only_sa(&p->n[1]), IKE_F_LOCAL), 0);
	assert_int_equal(steps(p, 4), 2);
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[1].last_fail, IKE_F_LOCAL);
	assert_int_equal(mock_live(k) + mock_half(k), 0);
	assert_int_equal(k->ndel, 3);
	/* The IKE SA's end takes its pairs at once. */
	assert_int_equal(k->nretire, 0);
	assert_int_equal(k->nbogus, 0);
	run_clock(p, 2 * IKE_OUT_GRACE_MS);
	assert_int_equal(k->nout, 0);
	pair_free(p);
}

/*
 * The data path refuses the outbound SA when its time comes: half a pair
 * is no use, so node 1 rekeys it itself, as the initiator installing both
 * SAs at once, and deletes the half pair.
 */
static void
test_out_refused(void **state)
{
	struct pair *p = answered(S_GCM);
	struct mock_sink *k = &p->n[1].sink;
	struct ike_sa *r = mock_only_sa(&p->n[1]);
	struct ike_child *c;
	uint32_t half;

	check_waiting(p);
	half = k->sa[1].sa.spi_in;
	assert_true(step(p));
	/* Off time 0, which rekey_retry_ms reads as "none". */
	mock_advance(&p->net, 100);
	k->fail_install = true;
	log_capture();
	assert_true(step(p));
	log_has(log_captured(), "refused outbound SA");
	k->fail_install = false;
	assert_int_equal(k->nout, 0);
	c = child_of(&p->n[1], half);
	assert_null(c->out_pending);
	assert_int_equal(c->rekey_retry_ms, p->net.now);
	assert_int_equal(ike_sa_table_next_ms(p->n[1].t), p->net.now);
	assert_true(step(p));
	mock_advance(&p->net, 0);
	assert_int_equal(r->rk.old_spi_in, half);
	assert_int_equal(steps(p, 8), 4);
	assert_int_equal(k->nsa, 3);
	assert_true(k->sa[2].in_live && k->sa[2].out_live);
	assert_false(k->sa[1].in_live);
	assert_int_equal(k->sa[1].ndel, 1);
	assert_int_equal(k->nbogus, 0);
	assert_int_equal(mock_live(k), 1);
	assert_int_equal(mock_live(&p->n[0].sink), 1);
	assert_int_equal(p->n[0].sink.sa[2].sa.spi_in, k->sa[2].sa.spi_out);
	pair_free(p);
}

/* A rekey of the old pair asked for meanwhile is the peer's, under way already. */
static void
test_old_pair_not_rekeyed_again(void **state)
{
	struct pair *p = answered(S_GCM);
	struct ike_sa *r = mock_only_sa(&p->n[1]);
	struct mock_sink *k = &p->n[1].sink;

	check_waiting(p);
	assert_int_equal(exch_child_rekey_queue(r, k->sa[0].sa.spi_in), 0);
	assert_int_equal(r->rk.old_spi_in, 0);
	assert_false(r->win.req_active);
	assert_int_equal(steps(p, 4), 3);
	check_done(p);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace_ms),
		cmocka_unit_test(test_delete_installs),
		cmocka_unit_test(test_grace_installs),
		cmocka_unit_test(test_answer_lost),
		cmocka_unit_test(test_later_request_retransmitted),
		cmocka_unit_test(test_handover_then_delete),
		cmocka_unit_test(test_handover_then_grace),
		cmocka_unit_test(test_collision_held_low0),
		cmocka_unit_test(test_collision_held_low1),
		cmocka_unit_test(test_collision_late_delete),
		cmocka_unit_test(test_old_pair_deleted_here),
		cmocka_unit_test(test_ike_sa_dies),
		cmocka_unit_test(test_out_refused),
		cmocka_unit_test(test_old_pair_not_rekeyed_again),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
