/*
 * test_ike_mutate.c: every message of a good exchange, damaged one bit or
 * one length at a time, is fed to the daemon that would receive it.
 * Encrypted messages must be dropped without any change to the SA (STYLE
 * L2); IKE_SA_INIT ones, which nothing authenticates, must merely never
 * crash, leak or send anything unbounded (run under ASan/UBSan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "log.h"

/* What must not move when a damaged encrypted message arrives. */
struct snap {
	enum ike_state	state;
	uint32_t	next_id;
	uint32_t	peer_id;
	bool		req_active;
	bool		resp_valid;
	size_t		ninstall;
	size_t		ngetspi;
	size_t		sent;
};

static struct snap
snap(const struct pair *p, int n)
{
	const struct ike_sa *sa = p->n[n].t->all;

	return (struct snap){ .state = sa->state, .next_id = sa->win.next_id,
	    .peer_id = sa->win.peer_id, .req_active = sa->win.req_active,
	    .resp_valid = sa->win.resp_valid, .ninstall = p->n[n].sink.ninstall,
	    .ngetspi = p->n[n].sink.ngetspi, .sent = p->net.sent };
}

static void
snap_eq(const struct snap *a, const struct snap *b)
{
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->next_id, b->next_id);
	assert_int_equal(a->peer_id, b->peer_id);
	assert_int_equal(a->req_active, b->req_active);
	assert_int_equal(a->resp_valid, b->resp_valid);
	assert_int_equal(a->ninstall, b->ninstall);
	assert_int_equal(a->ngetspi, b->ngetspi);
	assert_int_equal(a->sent, b->sent);
}

/* Feeds msg[0..len) with bit (or, bit < 0, the length) changed to node to. */
static void
feed(struct pair *p, const struct mock_dgram *d, const uint8_t *msg, size_t len, long bit)
{
	uint8_t buf[IKE_MSG_MAX];

	memcpy(buf, msg, len);
	if (bit >= 0)
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	exch_recv(p->net.node[1 - d->from]->t, buf, len, &d->dst, &d->src);
}

/* Every single-bit change and every truncation of queued message 0. */
static void
sweep_encrypted(struct pair *p)
{
	const struct mock_dgram *d = &p->net.q[0];
	int to = 1 - d->from;
	struct snap before, after;
	const uint8_t *msg;
	size_t len, n;
	long bit;

	msg = q_msg(p, 0, &len);
	before = snap(p, to);
	for (bit = 0; bit < (long)(8 * len); bit++) {
		feed(p, d, msg, len, bit);
		after = snap(p, to);
		snap_eq(&before, &after);
	}
	for (n = 0; n < len; n++) {
		feed(p, d, msg, n, -1);
		after = snap(p, to);
		snap_eq(&before, &after);
	}
}

static void
test_mutate_auth(void **state)
{
	struct pair *p = pair_new(S_GCM);

	pair_start(p);
	mock_run(&p->net, 2);
	log_capture();
	sweep_encrypted(p);
	assert_true(mock_deliver(&p->net));
	sweep_encrypted(p);
	log_captured();
	assert_true(nstat(&p->n[1], IKE_ST_DROP_ICV) > 0);
	assert_true(nstat(&p->n[0], IKE_ST_DROP_ICV) > 0);
	/* The real messages still do their work. */
	mock_run(&p->net, 4);
	check_established(p);
	pair_free(p);
}

static void
test_mutate_auth_cbc(void **state)
{
	struct pair *p = pair_new(S_CBC);

	pair_start(p);
	mock_run(&p->net, 2);
	log_capture();
	sweep_encrypted(p);
	assert_true(mock_deliver(&p->net));
	sweep_encrypted(p);
	log_captured();
	mock_run(&p->net, 4);
	check_established(p);
	pair_free(p);
}

/* IKE_SA_INIT request and response, damaged, to a receiver that answers into the void. */
static void
sweep_init(struct pair *p)
{
	const struct mock_dgram *d = &p->net.q[0];
	const uint8_t *msg;
	size_t len, n;
	long bit;

	msg = q_msg(p, 0, &len);
	p->net.blackhole[1 - d->from] = true;
	for (bit = 0; bit < (long)(8 * len); bit += 3)
		feed(p, d, msg, len, bit);
	for (n = 0; n < len; n++)
		feed(p, d, msg, n, -1);
	p->net.blackhole[1 - d->from] = false;
}

static void
test_mutate_init(void **state)
{
	struct pair *p = pair_new(S_CHACHA);

	pair_start(p);
	log_capture();
	sweep_init(p);
	log_captured();
	/* Half-open SAs made from damaged requests are the responder's only trace. */
	assert_true(p->n[1].t->nsa > 0);
	pair_free(p);
	p = pair_new(S_GCM);
	pair_start(p);
	assert_true(mock_deliver(&p->net));
	log_capture();
	sweep_init(p);
	log_captured();
	assert_int_equal(p->n[0].t->nsa, 1);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutate_auth),
		cmocka_unit_test(test_mutate_auth_cbc),
		cmocka_unit_test(test_mutate_init),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
