/*
 * test_ike_rekey.c: rekeying the IKE SA (RFC 7296 1.3.2, 2.18) and
 * simultaneous rekeys (2.8.1, 2.8.2).
 *
 * An IKE SA rekey, started by either side, by exch_ike_rekey() or by the
 * lifetime timer, must leave each node with one IKE SA, the same SPIs on
 * both, fresh Message IDs and keys, and the Child SAs it had: nothing
 * installed or deleted in the mock data path. Lost, duplicated and
 * reordered messages change nothing in the outcome. When both sides
 * rekey at once, the exchange with the lowest nonce (scripted through
 * the mock RNG) loses, and at no moment is a node without a usable pair.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dh.h"
#include "exch_child.h"
#include "exch_info.h"
#include "fixture.h"
#include "keymat.h"
#include "log.h"

#define LIFE_S		600
/* Five transmissions 0.5, 1, 2, 4 and 8 s apart (IKE_RTX_FIRST_MS, IKE_RTX_TRIES). */
#define GIVE_UP_MS	15500
#define IKE_HDR_MSGID	20	/* SPIi, SPIr, Next Payload, Version, Exchange, Flags */

/* What a rekey must not change, taken before it. */
struct snap {
	uint64_t		spi_i;
	uint64_t		spi_r;
	struct gw_key		sk_d;
	struct ike_child_sa	child[2];
	size_t			ninstall[2];
	size_t			ndel[2];
	struct gw_addr		local[2];
	struct gw_addr		remote[2];
};

static void
snap_take(struct pair *p, struct snap *b)
{
	int k;

	memset(b, 0, sizeof(*b));
	b->spi_i = mock_only_sa(&p->n[0])->spi_i;
	b->spi_r = mock_only_sa(&p->n[0])->spi_r;
	b->sk_d = *keymat_ike_key(mock_only_sa(&p->n[0])->km, KEYMAT_SK_D);
	for (k = 0; k < 2; k++) {
		b->child[k] = p->n[k].sink.sa[p->n[k].sink.nsa - 1].sa;
		b->ninstall[k] = p->n[k].sink.ninstall;
		b->ndel[k] = p->n[k].sink.ndel;
		b->local[k] = mock_only_sa(&p->n[k])->local;
		b->remote[k] = mock_only_sa(&p->n[k])->remote;
	}
}

/* A pair whose nodes have IKE SA lifetimes life0 and life1 (seconds, 0: none). */
static struct pair *
pair_up(enum suite s, uint32_t life0, uint32_t life1)
{
	struct pair *p = pair_new(s);

	p->n[0].cfg.ike_lifetime_s = life0;
	p->n[1].cfg.ike_lifetime_s = life1;
	pair_start(p);
	mock_run(&p->net, 8);
	check_established(p);
	return p;
}

/* Lets ms pass in 100 ms steps, delivering whatever is sent meanwhile. */
static void
settle(struct pair *p, uint64_t ms)
{
	for (; ms >= 100; ms -= 100) {
		mock_advance(&p->net, 100);
		mock_run(&p->net, 64);
	}
}

/* Child SAs a node's live IKE SAs hold between them. */
static size_t
children_of(const struct mock_node *nd)
{
	const struct ike_child *c;
	const struct ike_sa *sa;
	size_t n = 0;

	for (sa = nd->t->all; sa != NULL; sa = sa->next)
		for (c = sa->children; sa->state != IKE_S_DEAD && c != NULL; c = c->next)
			n++;
	return n;
}

/* The SPIs and Message ID of queued datagram i. */
static void
q_hdr(struct pair *p, size_t i, uint64_t *spi_i, uint64_t *spi_r, uint32_t *msgid)
{
	size_t len, j;
	uint8_t *m = q_msg(p, i, &len);

	*spi_i = *spi_r = 0;
	for (j = 0; j < 8; j++) {
		*spi_i = *spi_i << 8 | m[j];
		*spi_r = *spi_r << 8 | m[8 + j];
	}
	*msgid = (uint32_t)m[IKE_HDR_MSGID] << 24 | (uint32_t)m[IKE_HDR_MSGID + 1] << 16 |
	    (uint32_t)m[IKE_HDR_MSGID + 2] << 8 | m[IKE_HDR_MSGID + 3];
}

static void
key_eq(const struct gw_key *a, const struct gw_key *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->b, b->b, a->len);
}

/*
 * After a rekey started by side (the survivor's initiator): one IKE SA
 * each, new SPIs and keys the same on both, the old Child SA pair under
 * it and untouched in the data path, the old SA dead as replaced.
 */
static void
check_rekeyed(struct pair *p, int side, const struct snap *b, size_t ndead)
{
	struct ike_sa *s[2];
	int k;

	for (k = 0; k < 2; k++) {
		struct mock_node *nd = &p->n[k];

		assert_non_null(s[k] = mock_only_sa(nd));
		assert_int_equal(s[k]->state, IKE_S_ESTABLISHED);
		assert_false(s[k]->retired || s[k]->inherit_pending);
		assert_int_equal(s[k]->initiator, k == side);
		assert_false(s[k]->spi_i == b->spi_i || s[k]->spi_r == b->spi_r);
		/* The Child SA moved as it was: nothing installed or deleted. */
		assert_non_null(s[k]->children);
		assert_null(s[k]->children->next);
		assert_int_equal(s[k]->children->spi_in, b->child[k].spi_in);
		assert_int_equal(s[k]->children->spi_out, b->child[k].spi_out);
		assert_int_equal(nd->sink.ninstall, b->ninstall[k]);
		assert_int_equal(nd->sink.ndel, b->ndel[k]);
		assert_int_equal(mock_live(&nd->sink), 1);
		assert_int_equal(mock_larval(&nd->sink), 0);
		assert_true(addr_eq(&s[k]->local, &b->local[k]) &&
		    s[k]->local.port == b->local[k].port);
		assert_true(addr_eq(&s[k]->remote, &b->remote[k]) &&
		    s[k]->remote.port == b->remote[k].port);
		/* Fresh Message IDs, a fresh lifetime, hooks as a rekey has them. */
		assert_int_equal(s[k]->win.next_id, 0);
		assert_int_equal(s[k]->win.peer_id, 0);
		assert_false(s[k]->win.req_active);
		assert_int_equal(s[k]->rekey_ms, s[k]->cfg.ike_lifetime_s == 0 ? 0 :
		    s[k]->established_ms + (uint64_t)s[k]->cfg.ike_lifetime_s * 1000);
		assert_int_equal(nd->nestablished, 1);
		assert_int_equal(nd->nrekeyed, 1);
		assert_int_equal(nd->rekeyed_new, ike_sa_spi(s[k]));
		assert_int_equal(nd->ndead, ndead);
		assert_int_equal(nd->last_fail, IKE_F_REKEYED);
	}
	assert_true(s[0]->spi_i == s[1]->spi_i && s[0]->spi_r == s[1]->spi_r);
	key_eq(keymat_ike_key(s[0]->km, KEYMAT_SK_D), keymat_ike_key(s[1]->km, KEYMAT_SK_D));
	key_eq(keymat_ike_key(s[0]->km, KEYMAT_SK_EI), keymat_ike_key(s[1]->km, KEYMAT_SK_EI));
	assert_memory_not_equal(keymat_ike_key(s[0]->km, KEYMAT_SK_D)->b, b->sk_d.b,
	    b->sk_d.len);
}

/*
 * The new IKE SAs carry traffic: side rekeys the Child SA under them,
 * starting at Message ID 0, and the new pair mirrors across.
 */
static void
check_works(struct pair *p, int side)
{
	struct ike_sa *s = mock_only_sa(&p->n[side]);
	struct mock_sink *k0 = &p->n[0].sink, *k1 = &p->n[1].sink;
	uint64_t spi_i, spi_r;
	uint32_t msgid;

	assert_int_equal(exch_child_rekey(s, s->children->spi_in), 0);
	q_hdr(p, 0, &spi_i, &spi_r, &msgid);
	assert_true(spi_i == s->spi_i && spi_r == s->spi_r);
	assert_int_equal(msgid, 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(mock_live(k0), 1);
	assert_int_equal(mock_live(k1), 1);
	assert_int_equal(k0->sa[k0->nsa - 1].sa.spi_in, k1->sa[k1->nsa - 1].sa.spi_out);
	assert_int_equal(k0->sa[k0->nsa - 1].sa.spi_out, k1->sa[k1->nsa - 1].sa.spi_in);
	assert_true(k0->sa[k0->nsa - 1].in_live && k1->sa[k1->nsa - 1].in_live);
	assert_int_equal(mock_only_sa(&p->n[0])->children->spi_in, k0->sa[k0->nsa - 1].sa.spi_in);
}

/* Side rekeys, step by step: what each message does on each node. */
static void
rekey_steps(struct pair *p, int side)
{
	struct ike_sa *me = mock_only_sa(&p->n[side]), *peer = mock_only_sa(&p->n[1 - side]);
	struct mock_node *ns = &p->n[side], *no = &p->n[1 - side];
	uint64_t spi_i, spi_r;
	uint32_t msgid;

	assert_int_equal(me->state, IKE_S_REKEYING);
	assert_int_equal(q_exch(p, 0), IKE_EXCH_CREATE_CHILD_SA);
	q_hdr(p, 0, &spi_i, &spi_r, &msgid);
	assert_true(spi_i == me->spi_i && spi_r == me->spi_r);
	/* The responder makes the new SA, moves the Child SA and keeps the old SA, empty. */
	assert_true(mock_deliver(&p->net));
	assert_int_equal(no->t->nsa, 2);
	assert_true(peer->retired);
	assert_null(peer->children);
	assert_int_equal(children_of(no), 1);
	assert_int_equal(no->nrekeyed, 1);
	assert_non_null(ike_sa_find(no->t, no->rekeyed_new));
	assert_int_equal(ike_sa_find(no->t, no->rekeyed_new)->win.peer_id, 0);
	/* The old SA still answers, so the initiator gets its answer and deletes it. */
	assert_true(mock_deliver(&p->net));
	assert_int_equal(ns->t->nsa, 2);
	assert_int_equal(me->state, IKE_S_DELETING);
	assert_null(me->children);
	assert_int_equal(children_of(ns), 1);
	assert_int_equal(q_exch(p, 0), IKE_EXCH_INFORMATIONAL);
	q_hdr(p, 0, &spi_i, &spi_r, &msgid);
	assert_true(spi_i == me->spi_i && spi_r == me->spi_r);
	/* The Delete ends the responder's old SA without touching the data path. */
	assert_true(mock_deliver(&p->net));
	assert_int_equal(no->t->nsa, 1);
	assert_int_equal(no->last_fail, IKE_F_REKEYED);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(ns->t->nsa, 1);
	assert_int_equal(ns->last_fail, IKE_F_REKEYED);
	assert_int_equal(p->net.n, 0);
}

static void
rekey(int side, enum suite s)
{
	struct pair *p = pair_established(s);
	struct snap b;

	snap_take(p, &b);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[side])), 0);
	/* Under way: asking again changes nothing. */
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[side])), 0);
	assert_int_equal(p->net.n, 1);
	rekey_steps(p, side);
	check_rekeyed(p, side, &b, 1);
	check_no_drops(p);
	check_works(p, 1 - side);
	check_works(p, side);
	pair_free(p);
}

static void
test_rekey_initiator(void **state)
{
	rekey(0, S_GCM);
}

static void
test_rekey_responder(void **state)
{
	rekey(1, S_CBC);
}

static void
test_rekey_chacha(void **state)
{
	rekey(0, S_CHACHA);
}

/* A rekeyed SA rekeys again, from the other side: keys chain through SK_d. */
static void
test_rekey_twice(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct snap b;

	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	snap_take(p, &b);
	p->n[0].nrekeyed = p->n[1].nrekeyed = 0;
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[1])), 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	check_rekeyed(p, 1, &b, 2);
	check_no_drops(p);
	check_works(p, 0);
	pair_free(p);
}

/* The lifetime timer: side 0 rekeys at LIFE_S, and the new SA gets its own timer. */
static void
test_rekey_timer(void **state)
{
	struct pair *p = pair_up(S_GCM, LIFE_S, 2 * LIFE_S);
	uint64_t t0 = p->net.now;
	struct snap b;

	snap_take(p, &b);
	assert_int_equal(ike_sa_table_next_ms(p->n[0].t), t0 + LIFE_S * 1000);
	assert_int_equal(ike_sa_table_next_ms(p->n[1].t), t0 + 2 * LIFE_S * 1000);
	mock_advance(&p->net, LIFE_S * 1000 - 1);
	assert_int_equal(p->net.n, 0);
	mock_advance(&p->net, 1);
	assert_int_equal(p->net.n, 1);
	rekey_steps(p, 0);
	check_rekeyed(p, 0, &b, 1);
	assert_int_equal(ike_sa_table_next_ms(p->n[0].t), p->net.now + LIFE_S * 1000);
	assert_int_equal(mock_only_sa(&p->n[1])->rekey_ms, p->net.now + 2 * LIFE_S * 1000);
	check_no_drops(p);
	pair_free(p);
}

/*
 * A rekey due while a request is out waits for its answer: no timer in
 * the past meanwhile (the daemon's loop would spin), then the first tick.
 */
static void
test_rekey_waits_for_request(void **state)
{
	struct pair *p = pair_up(S_GCM, LIFE_S, 0);
	struct ike_sa *s = mock_only_sa(&p->n[0]);
	uint64_t t0 = p->net.now;

	mock_advance(&p->net, LIFE_S * 1000 - 100);
	assert_int_equal(exch_info_liveness(s), 0);
	mock_advance(&p->net, 200);
	assert_int_equal(p->net.n, 1);
	assert_int_equal(s->state, IKE_S_ESTABLISHED);
	assert_true(ike_sa_table_next_ms(p->n[0].t) > p->net.now);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_int_equal(ike_sa_table_next_ms(p->n[0].t), t0 + LIFE_S * 1000);
	exch_tick(p->n[0].t);
	assert_int_equal(s->state, IKE_S_REKEYING);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(p->n[0].nrekeyed, 1);
	/* exch_ike_rekey() with a request out: queued the same way. */
	s = mock_only_sa(&p->n[0]);
	assert_int_equal(exch_info_liveness(s), 0);
	assert_int_equal(exch_ike_rekey(s), 0);
	assert_int_equal(p->net.n, 1);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_int_equal(ike_sa_table_next_ms(p->n[0].t), p->net.now);
	mock_advance(&p->net, 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(p->n[0].nrekeyed, 2);
	assert_int_equal(p->n[0].t->nsa, 1);
	check_no_drops(p);
	pair_free(p);
}

/* The request is lost: retransmitted, the rekey completes. */
static void
test_rekey_lost_request(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct snap b;

	snap_take(p, &b);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	mock_drop(&p->net, 0);
	run_clock(p, 500);
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANSMIT), 1);
	rekey_steps(p, 0);
	check_rekeyed(p, 0, &b, 1);
	check_no_drops(p);
	pair_free(p);
}

/* The answer is lost: the retransmitted request gets it again, and no second SA is made. */
static void
test_rekey_lost_answer(void **state)
{
	struct pair *p = pair_established(S_CBC);
	struct snap b;

	snap_take(p, &b);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[1])), 0);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[0].t->nsa, 2);
	mock_drop(&p->net, 0);
	run_clock(p, 500);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[0], IKE_ST_RETRANS_ANSWERED), 1);
	assert_int_equal(p->n[0].t->nsa, 2);
	assert_int_equal(p->n[0].nrekeyed, 1);
	assert_int_equal(mock_run(&p->net, 8), 3);
	check_rekeyed(p, 1, &b, 1);
	check_no_drops(p);
	pair_free(p);
}

/*
 * Every message of the rekey arrives twice: the second request is
 * answered from the cache, the second answer and Delete are dropped.
 */
static void
test_rekey_duplicates(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct snap b;

	snap_take(p, &b);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	mock_dup(&p->net, 0);
	assert_int_equal(mock_run(&p->net, 2), 2);
	assert_int_equal(p->n[1].t->nsa, 2);
	assert_int_equal(nstat(&p->n[1], IKE_ST_RETRANS_ANSWERED), 1);
	/* Both answers reach node 0. */
	assert_int_equal(mock_run(&p->net, 2), 2);
	assert_int_equal(nstat(&p->n[0], IKE_ST_DROP_WINDOW), 1);
	assert_int_equal(p->n[0].t->nsa, 2);
	mock_dup(&p->net, 0);
	assert_int_equal(mock_run(&p->net, 8), 3);
	assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_NO_SA), 1);
	check_rekeyed(p, 0, &b, 1);
	check_works(p, 1);
	pair_free(p);
}

/*
 * The Delete of the old SA never arrives: the initiator gives up on it,
 * the responder stops waiting after two give-up times; both go without
 * touching the Child SA.
 */
static void
test_rekey_delete_lost(void **state)
{
	struct pair *p = pair_established(S_GCM);
	uint64_t t0 = p->net.now;
	struct snap b;

	snap_take(p, &b);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	assert_int_equal(mock_run(&p->net, 2), 2);
	assert_int_equal(q_exch(p, 0), IKE_EXCH_INFORMATIONAL);
	mock_drop(&p->net, 0);
	p->net.blackhole[0] = true;
	run_clock(p, GIVE_UP_MS);
	assert_int_equal(p->n[0].t->nsa, 1);
	assert_int_equal(p->n[0].last_fail, IKE_F_REKEYED);
	assert_int_equal(p->n[1].t->nsa, 2);
	assert_int_equal(ike_sa_table_next_ms(p->n[1].t), t0 + 2 * GIVE_UP_MS);
	run_clock(p, GIVE_UP_MS);
	assert_int_equal(p->n[1].t->nsa, 1);
	p->net.blackhole[0] = false;
	check_rekeyed(p, 0, &b, 1);
	check_works(p, 0);
	pair_free(p);
}

static const uint8_t low_nonce[32] = { [31] = 1 };

/*
 * Both sides rekey the IKE SA at once (2.8.2). Node low's nonce is the
 * lowest, so its exchange's SA is redundant and node 1 - low's survives.
 * At every step each node has exactly its one Child SA pair, under some
 * live IKE SA, and the data path is never touched.
 */
static void
ike_collision(int low)
{
	struct pair *p = pair_established(S_GCM);
	struct snap b;
	int k;

	snap_take(p, &b);
	mock_script(&p->n[low], low_nonce, sizeof(low_nonce));
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[1])), 0);
	while (mock_deliver(&p->net)) {
		for (k = 0; k < 2; k++) {
			assert_int_equal(children_of(&p->n[k]), 1);
			assert_int_equal(p->n[k].sink.ndel, b.ndel[k]);
		}
	}
	check_rekeyed(p, 1 - low, &b, 2);
	check_no_drops(p);
	check_works(p, low);
	pair_free(p);
}

static void
test_ike_collision_low0(void **state)
{
	ike_collision(0);
}

static void
test_ike_collision_low1(void **state)
{
	ike_collision(1);
}

/* Equal lifetimes: both timers fire in one tick, and the collision resolves. */
static void
test_ike_collision_timer(void **state)
{
	struct pair *p = pair_up(S_GCM, LIFE_S, LIFE_S);
	struct snap b;

	snap_take(p, &b);
	mock_advance(&p->net, LIFE_S * 1000);
	assert_int_equal(p->net.n, 2);
	mock_run(&p->net, 32);
	assert_int_equal(p->n[0].ndead, 2);
	check_rekeyed(p, mock_only_sa(&p->n[0])->initiator ? 0 : 1, &b, 2);
	check_no_drops(p);
	pair_free(p);
}

/*
 * Only node 1 sees the collision: node 0's answer overtakes node 1's
 * request, so node 0 completes and deletes the old SA, then refuses node
 * 1's request on it (TEMPORARY_FAILURE). Node 1's copy of node 0's SA
 * inherits, whichever of the refusal and the Delete comes first.
 */
static void
ike_collision_one_sided(bool delete_first)
{
	struct pair *p = pair_established(S_GCM);
	struct snap b;

	snap_take(p, &b);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[1])), 0);
	assert_true(mock_deliver(&p->net));		/* request 0 to node 1 */
	assert_int_equal(p->n[1].nrekeyed, 0);
	mock_swap(&p->net, 0, 1);
	assert_true(mock_deliver(&p->net));		/* its answer to node 0 */
	assert_int_equal(p->n[0].nrekeyed, 1);
	assert_true(mock_deliver(&p->net));		/* request 1 to node 0 */
	assert_int_equal(p->n[0].t->nsa, 2);
	if (!delete_first)
		mock_swap(&p->net, 0, 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[1].nrekeyed, 1);
	assert_int_equal(children_of(&p->n[1]), 1);
	mock_run(&p->net, 8);
	check_rekeyed(p, 0, &b, 1);
	if (delete_first)
		assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_NO_SA), 1);
	/* Node 1 tries nothing more: its rekey's successor exists. */
	settle(p, 60000);
	assert_int_equal(p->n[1].nrekeyed, 1);
	assert_int_equal(p->n[1].t->nsa, 1);
	pair_free(p);
}

static void
test_ike_collision_one_sided(void **state)
{
	ike_collision_one_sided(false);
}

static void
test_ike_collision_one_sided_delete_first(void **state)
{
	ike_collision_one_sided(true);
}

/*
 * A Child SA rekey reaches node 0 while its IKE rekey is out:
 * TEMPORARY_FAILURE (2.25.2). The IKE rekey completes, and node 1's
 * retry, a few seconds later, runs under the new IKE SA.
 */
static void
test_child_rekey_during_ike_rekey(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *r = mock_only_sa(&p->n[1]);
	uint32_t in = p->n[1].sink.sa[0].sa.spi_in;
	uint64_t t;

	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	assert_int_equal(exch_child_rekey(r, in), 0);
	mock_swap(&p->net, 0, 1);
	assert_true(mock_deliver(&p->net));
	mock_swap(&p->net, 0, 1);
	t = p->net.now;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[1].sink.nsa, 1);
	assert_int_equal(mock_larval(&p->n[1].sink), 0);
	assert_true(r->children->rekey_retry_ms >= t + EXCH_RETRY_TEMP_MS &&
	    r->children->rekey_retry_ms < t + 3 * EXCH_RETRY_TEMP_MS);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(p->n[0].nrekeyed, 1);
	assert_int_equal(p->n[1].nrekeyed, 1);
	r = mock_only_sa(&p->n[1]);
	assert_true(r->children->rekey_retry_ms != 0);
	assert_int_equal(ike_sa_table_next_ms(p->n[1].t), r->children->rekey_retry_ms);
	settle(p, 3 * EXCH_RETRY_TEMP_MS);
	assert_int_equal(r->children->rekey_retry_ms, 0);
	assert_int_equal(p->n[1].sink.nsa, 2);
	assert_int_equal(mock_live(&p->n[0].sink), 1);
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	assert_int_equal(p->n[0].sink.sa[1].sa.spi_in, p->n[1].sink.sa[1].sa.spi_out);
	assert_int_equal(r->children->spi_in, p->n[1].sink.sa[1].sa.spi_in);
	assert_int_equal(nstat(&p->n[0], IKE_ST_DROP_INVALID), 0);
	check_no_drops(p);
	pair_free(p);
}

/*
 * An IKE rekey reaches node 0 while its Child SA rekey is out:
 * TEMPORARY_FAILURE (2.25.1); node 1 tries again later and succeeds.
 */
static void
test_ike_rekey_during_child_rekey(void **state)
{
	struct pair *p = pair_established(S_CBC);
	struct ike_sa *r = mock_only_sa(&p->n[1]);
	uint64_t t;

	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(exch_ike_rekey(r), 0);
	mock_swap(&p->net, 0, 1);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->n[0].t->nsa, 1);
	mock_swap(&p->net, 0, 1);
	t = p->net.now;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(r->state, IKE_S_ESTABLISHED);
	assert_true(r->rekey_ms >= t + EXCH_RETRY_TEMP_MS &&
	    r->rekey_ms < t + 3 * EXCH_RETRY_TEMP_MS);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	settle(p, 3 * EXCH_RETRY_TEMP_MS);
	assert_int_equal(p->n[0].nrekeyed, 1);
	assert_int_equal(p->n[1].nrekeyed, 1);
	assert_int_equal(p->n[0].t->nsa, 1);
	assert_int_equal(p->n[1].t->nsa, 1);
	assert_false(mock_only_sa(&p->n[0])->initiator);
	assert_int_equal(mock_only_sa(&p->n[1])->children->spi_in,
	    p->n[1].sink.sa[1].sa.spi_in);
	check_no_drops(p);
	check_works(p, 0);
	pair_free(p);
}

/* Node 1 takes only P-256: INVALID_KE_PAYLOAD, and node 0 asks again with it. */
static void
test_rekey_invalid_ke(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *i = mock_only_sa(&p->n[0]), *r = mock_only_sa(&p->n[1]);
	struct snap b;

	snap_take(p, &b);
	xf_add(&i->cfg.ike[0], PROP_T_KE, IKE_DH_ECP_256, 0);
	r->cfg.ike[0].xf[2].id = IKE_DH_ECP_256;
	assert_int_equal(exch_ike_rekey(i), 0);
	assert_int_equal(mock_run(&p->net, 2), 2);
	assert_int_equal(i->state, IKE_S_REKEYING);
	assert_int_equal(p->n[1].t->nsa, 1);
	assert_int_equal(i->ike_rk.dh->group, IKE_DH_ECP_256);
	assert_int_equal(mock_run(&p->net, 8), 4);
	check_rekeyed(p, 0, &b, 1);
	assert_int_equal(mock_only_sa(&p->n[0])->dh_group, IKE_DH_ECP_256);
	assert_int_equal(mock_only_sa(&p->n[1])->dh_group, IKE_DH_ECP_256);
	check_no_drops(p);
	check_works(p, 1);
	pair_free(p);
}

/* Refused and nothing changes: node 0 is ESTABLISHED again and tries later. */
static void
check_refused(struct pair *p, const struct snap *b, uint64_t t, uint64_t min, uint64_t max)
{
	struct ike_sa *i = mock_only_sa(&p->n[0]), *r = mock_only_sa(&p->n[1]);
	int k;

	assert_non_null(i);
	assert_non_null(r);
	assert_int_equal(i->state, IKE_S_ESTABLISHED);
	assert_int_equal(r->state, IKE_S_ESTABLISHED);
	assert_true(i->spi_i == b->spi_i && r->spi_r == b->spi_r);
	assert_false(r->retired || i->retired);
	assert_int_equal(i->ike_rk.spi, 0);
	assert_null(i->ike_rk.dh);
	assert_true(i->rekey_ms >= t + min && i->rekey_ms < t + max);
	for (k = 0; k < 2; k++) {
		assert_int_equal(p->n[k].nrekeyed, 0);
		assert_int_equal(p->n[k].sink.ninstall, b->ninstall[k]);
		assert_int_equal(p->n[k].sink.ndel, b->ndel[k]);
		assert_non_null(mock_only_sa(&p->n[k])->children);
	}
}

/* INVALID_KE_PAYLOAD for a group node 0 does not offer: refused. */
static void
test_rekey_invalid_ke_not_offered(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct snap b;

	snap_take(p, &b);
	mock_only_sa(&p->n[1])->cfg.ike[0].xf[2].id = IKE_DH_ECP_256;
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	assert_int_equal(mock_run(&p->net, 4), 2);
	check_refused(p, &b, p->net.now, EXCH_RETRY_FAIL_MS, 2 * EXCH_RETRY_FAIL_MS);
	pair_free(p);
}

/* No proposal in common: NO_PROPOSAL_CHOSEN, nothing changes, a later try works. */
static void
test_rekey_no_proposal(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *r = mock_only_sa(&p->n[1]);
	struct ike_prop saved = r->cfg.ike[0];
	struct snap b;

	snap_take(p, &b);
	ike_suite(&r->cfg.ike[0], S_CHACHA);
	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[0])), 0);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_INVALID), 1);
	check_refused(p, &b, p->net.now, EXCH_RETRY_FAIL_MS, 2 * EXCH_RETRY_FAIL_MS);
	r->cfg.ike[0] = saved;
	settle(p, 2 * EXCH_RETRY_FAIL_MS);
	check_rekeyed(p, 0, &b, 1);
	pair_free(p);
}

/*
 * No rekey succeeds before the hard limit (the lifetime plus a tenth of
 * it here): the SA is deleted, Child SAs with it, on both sides.
 */
static void
test_rekey_expires(void **state)
{
	struct pair *p = pair_up(S_GCM, LIFE_S, 0);
	struct ike_sa *i = mock_only_sa(&p->n[0]);
	uint64_t hard = p->net.now + LIFE_S * 1100;

	ike_suite(&mock_only_sa(&p->n[1])->cfg.ike[0], S_CHACHA);
	assert_int_equal(i->expire_ms, hard);
	settle(p, LIFE_S * 1100 - 100);
	assert_true(nstat(&p->n[1], IKE_ST_DROP_INVALID) >= 1);
	assert_int_equal(p->n[0].t->nsa, 1);
	assert_int_equal(mock_live(&p->n[0].sink), 1);
	settle(p, 100);
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_EXPIRED);
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[1].last_fail, IKE_F_PEER);
	assert_int_equal(mock_live(&p->n[0].sink), 0);
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	pair_free(p);
}

/*
 * Both sides rekey the Child SA at once (2.8.1), node low with the
 * lowest nonce: both new pairs are made, node low deletes its own, node
 * 1 - low deletes the old one, each exactly once; a usable pair all along.
 */
static void
child_collision(int low)
{
	struct pair *p = pair_established(S_GCM);
	int k;

	mock_script(&p->n[low], low_nonce, sizeof(low_nonce));
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[1]),
	    p->n[1].sink.sa[0].sa.spi_in), 0);
	while (mock_deliver(&p->net)) {
		check_usable(p);
		check_peer_has_out(p);
	}
	for (k = 0; k < 2; k++) {
		struct mock_sink *ks = &p->n[k].sink;
		/* Answering first, each node installs the peer's pair at 1, its own at 2. */
		size_t win = k == low ? 1 : 2, lose = 3 - win;

		assert_int_equal(ks->nsa, 3);
		assert_int_equal(mock_live(ks), 1);
		assert_int_equal(mock_half(ks), 0);
		assert_int_equal(mock_larval(ks), 0);
		assert_int_equal(ks->sa[0].ndel, 2);
		/*
		 * The redundant pair made as the responder (node 1 - low)
		 * never had its outbound SA: only the inbound one goes.
		 */
		assert_int_equal(ks->sa[lose].ndel, k == low ? 2 : 1);
		assert_int_equal(ks->sa[lose].out_seq == 0, k != low);
		assert_int_equal(ks->nbogus, 0);
		assert_int_equal(ks->sa[win].ndel, 0);
		assert_true(ks->sa[win].in_live && ks->sa[win].out_live);
		assert_int_equal(mock_only_sa(&p->n[k])->children->spi_in, ks->sa[win].sa.spi_in);
		assert_null(mock_only_sa(&p->n[k])->children->next);
		assert_int_equal(mock_only_sa(&p->n[k])->rk.old_spi_in, 0);
	}
	assert_int_equal(p->n[0].sink.sa[low == 0 ? 1 : 2].sa.spi_in,
	    p->n[1].sink.sa[low == 1 ? 1 : 2].sa.spi_out);
	check_no_drops(p);
	/* Nothing is left to retry. */
	settle(p, 2 * EXCH_RETRY_FAIL_MS);
	assert_int_equal(p->n[0].sink.nsa, 3);
	assert_int_equal(p->n[1].sink.nsa, 3);
	pair_free(p);
}

static void
test_child_collision_low0(void **state)
{
	child_collision(0);
}

static void
test_child_collision_low1(void **state)
{
	child_collision(1);
}

/*
 * Only node 1 sees the collision: node 0 completes first and deletes the
 * old pair, then refuses node 1's rekey of it (TEMPORARY_FAILURE, 2.25.1).
 * Node 0's new pair is the one left, and node 1 does not try again.
 */
static void
test_child_collision_one_sided(void **state)
{
	struct pair *p = pair_established(S_GCM);
	int k;

	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[1]),
	    p->n[1].sink.sa[0].sa.spi_in), 0);
	assert_true(mock_deliver(&p->net));		/* request 0 to node 1 */
	mock_swap(&p->net, 0, 1);
	assert_true(mock_deliver(&p->net));		/* its answer to node 0 */
	assert_int_equal(mock_only_sa(&p->n[0])->win.req_exch, IKE_EXCH_INFORMATIONAL);
	while (mock_deliver(&p->net))
		check_usable(p);
	settle(p, 2 * EXCH_RETRY_FAIL_MS);
	for (k = 0; k < 2; k++) {
		assert_int_equal(p->n[k].sink.nsa, 2);
		assert_int_equal(mock_live(&p->n[k].sink), 1);
		assert_int_equal(mock_larval(&p->n[k].sink), 0);
		assert_int_equal(p->n[k].sink.sa[0].ndel, 2);
		assert_int_equal(p->n[k].sink.sa[1].ndel, 0);
	}
	check_no_drops(p);
	pair_free(p);
}

/* Requests that cannot be taken now: TEMPORARY_FAILURE for a replaced or closing SA. */
static void
test_rekey_refused_states(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *i = mock_only_sa(&p->n[0]);

	assert_int_equal(exch_ike_rekey(i), 0);
	assert_int_equal(mock_run(&p->net, 2), 2);
	/* Node 1's old SA is replaced: it starts nothing and takes no rekey. */
	assert_int_equal(p->n[1].t->nsa, 2);
	assert_int_equal(exch_ike_rekey(ike_sa_find(p->n[1].t, p->n[1].rekeyed_old)), -1);
	assert_int_equal(exch_child_rekey(ike_sa_find(p->n[1].t, p->n[1].rekeyed_old),
	    p->n[1].sink.sa[0].sa.spi_in), -1);
	/* Node 0's old SA is being deleted. */
	assert_int_equal(i->state, IKE_S_DELETING);
	assert_int_equal(exch_ike_rekey(i), -1);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_int_equal(exch_child_rekey_queue(mock_only_sa(&p->n[0]), 1), -1);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rekey_initiator),
		cmocka_unit_test(test_rekey_responder),
		cmocka_unit_test(test_rekey_chacha),
		cmocka_unit_test(test_rekey_twice),
		cmocka_unit_test(test_rekey_timer),
		cmocka_unit_test(test_rekey_waits_for_request),
		cmocka_unit_test(test_rekey_lost_request),
		cmocka_unit_test(test_rekey_lost_answer),
		cmocka_unit_test(test_rekey_duplicates),
		cmocka_unit_test(test_rekey_delete_lost),
		cmocka_unit_test(test_ike_collision_low0),
		cmocka_unit_test(test_ike_collision_low1),
		cmocka_unit_test(test_ike_collision_timer),
		cmocka_unit_test(test_ike_collision_one_sided),
		cmocka_unit_test(test_ike_collision_one_sided_delete_first),
		cmocka_unit_test(test_child_rekey_during_ike_rekey),
		cmocka_unit_test(test_ike_rekey_during_child_rekey),
		cmocka_unit_test(test_rekey_invalid_ke),
		cmocka_unit_test(test_rekey_invalid_ke_not_offered),
		cmocka_unit_test(test_rekey_no_proposal),
		cmocka_unit_test(test_rekey_expires),
		cmocka_unit_test(test_child_collision_low0),
		cmocka_unit_test(test_child_collision_low1),
		cmocka_unit_test(test_child_collision_one_sided),
		cmocka_unit_test(test_rekey_refused_states),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
