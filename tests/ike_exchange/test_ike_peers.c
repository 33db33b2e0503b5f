/*
 * test_ike_peers.c: NAT traversal (RFC 7296 2.23, RFC 3948: detected,
 * faked by a strongSwan peer, forced, off) and what real peers put in
 * their messages (status notifications we do not use, Vendor IDs).
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

/*
 * NAT traversal (RFC 7296 2.23, RFC 3948).
 */

static void
test_nat_detected(void **state)
{
	struct pair *p = pair_new(S_GCM);
	const struct ike_child_sa *a, *b;
	struct ike_sa *i, *r;
	const struct mock_dgram *d;

	p->net.nat = true;
	addr_set(&p->net.nat_pub, "198.51.100.7");
	pair_start(p);
	mock_run(&p->net, 2);
	i = mock_only_sa(&p->n[0]);
	r = mock_only_sa(&p->n[1]);
	assert_true(i->nat_local);
	assert_false(i->nat_remote);
	assert_true(r->nat_remote);
	assert_false(r->nat_local);
	/* IKE_AUTH from 4500 to 4500, behind the non-ESP marker. */
	d = &p->net.q[0];
	assert_true(d->marker);
	assert_int_equal(d->src.port, MOCK_NAT_PORT + 1);
	assert_int_equal(d->dst.port, IKE_NATT_PORT);
	assert_memory_equal(d->p, "\0\0\0\0", 4);
	assert_int_equal(d->p[4 + IKE_HDR_NEXT_OFF + 2], IKE_EXCH_AUTH);
	assert_true(mock_deliver(&p->net));
	/* The answer goes back through the NAT's 4500 mapping. */
	d = &p->net.q[0];
	assert_true(d->marker);
	assert_memory_equal(d->p, "\0\0\0\0", 4);
	assert_int_equal(r->remote.port, MOCK_NAT_PORT + 1);
	assert_int_equal(r->local.port, IKE_NATT_PORT);
	mock_run(&p->net, 4);
	check_established(p);
	check_no_drops(p);
	a = &p->n[0].sink.sa[0].sa;
	b = &p->n[1].sink.sa[0].sa;
	assert_true(a->natt && b->natt);
	assert_int_equal(a->natt_sport, IKE_NATT_PORT);
	assert_int_equal(a->natt_dport, IKE_NATT_PORT);
	assert_int_equal(b->natt_sport, IKE_NATT_PORT);
	assert_int_equal(b->natt_dport, MOCK_NAT_PORT + 1);
	pair_free(p);
}

/*
 * strongSwan's libipsec peers fake a NAT (a wrong SOURCE_IP hash) to get
 * UDP encapsulation: as initiator we follow a responder that does so.
 */
static void
test_nat_faked_by_peer(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_sa *i, *r;
	uint8_t *m;
	size_t len, off;

	pair_start(p);
	mock_run(&p->net, 1);
	r = mock_only_sa(&p->n[1]);
	m = q_msg(p, 0, &len);
	/* SOURCE_IP is the first of the two NATD notifications that end the message. */
	off = len - 2 * (IKE_GEN_HDR_LEN + IKE_NOTIFY_HDR_LEN + IKE_NAT_HASH_LEN) +
	    IKE_GEN_HDR_LEN + IKE_NOTIFY_HDR_LEN;
	assert_int_equal(m[off - 2] << 8 | m[off - 1], IKE_N_NAT_DETECTION_SOURCE_IP);
	m[off] ^= 0xff;
	/* The responder signs what it sent: keep its copy in line with the wire. */
	r->init_resp[off] ^= 0xff;
	mock_run(&p->net, 1);
	i = mock_only_sa(&p->n[0]);
	assert_true(i->nat_remote);
	assert_false(i->nat_local);
	assert_true(p->net.q[0].marker);
	assert_int_equal(p->net.q[0].dst.port, IKE_NATT_PORT);
	mock_run(&p->net, 4);
	check_established(p);
	/* The responder answered from where the request came to. */
	assert_int_equal(r->local.port, IKE_NATT_PORT);
	assert_true(p->n[0].sink.sa[0].sa.natt);
	assert_int_equal(p->n[0].sink.sa[0].sa.natt_sport, IKE_NATT_PORT);
	assert_int_equal(p->n[0].sink.sa[0].sa.natt_dport, IKE_NATT_PORT);
	pair_free(p);
}

static void
test_no_nat(void **state)
{
	struct pair *p = pair_new(S_GCM);

	pair_start(p);
	mock_run(&p->net, 2);
	assert_false(p->net.q[0].marker);
	assert_int_equal(p->net.q[0].dst.port, IKE_PORT);
	mock_run(&p->net, 4);
	check_established(p);
	assert_false(mock_only_sa(&p->n[0])->nat_local || mock_only_sa(&p->n[0])->nat_remote);
	pair_free(p);
}

/* nat_traversal force: no NAT, yet both ends float and encapsulate. */
static void
test_natt_force(void **state)
{
	struct pair *p = pair_new(S_GCM);

	p->n[0].cfg.natt = IKE_NATT_FORCE;
	pair_start(p);
	mock_run(&p->net, 2);
	assert_true(mock_only_sa(&p->n[0])->nat_local);
	assert_true(mock_only_sa(&p->n[1])->nat_remote);
	assert_true(p->net.q[0].marker);
	mock_run(&p->net, 4);
	check_established(p);
	assert_true(p->n[0].sink.sa[0].sa.natt && p->n[1].sink.sa[0].sa.natt);
	assert_int_equal(p->n[1].sink.sa[0].sa.natt_dport, IKE_NATT_PORT);
	pair_free(p);
}

/* nat_traversal off: no NAT detection sent or answered, IKE stays on 500. */
static void
test_natt_off(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_msg *m = malloc(sizeof(*m));
	size_t len;
	uint8_t *raw;

	assert_non_null(m);
	p->net.nat = true;
	addr_set(&p->net.nat_pub, "198.51.100.7");
	p->n[0].cfg.natt = IKE_NATT_OFF;
	pair_start(p);
	raw = q_msg(p, 0, &len);
	assert_int_equal(ike_parse(raw, len, m), 0);
	assert_null(ike_msg_notify(m, IKE_N_NAT_DETECTION_SOURCE_IP));
	assert_true(mock_deliver(&p->net));
	raw = q_msg(p, 0, &len);
	assert_int_equal(ike_parse(raw, len, m), 0);
	assert_null(ike_msg_notify(m, IKE_N_NAT_DETECTION_DESTINATION_IP));
	assert_false(mock_only_sa(&p->n[1])->peer_natd);
	mock_run(&p->net, 4);
	check_established(p);
	assert_false(p->n[0].sink.sa[0].sa.natt || p->n[1].sink.sa[0].sa.natt);
	assert_int_equal(mock_only_sa(&p->n[1])->remote.port, MOCK_NAT_PORT);
	free(m);
	pair_free(p);
}

/*
 * What real peers add: status notifications we do not use, Vendor IDs.
 * strongSwan sends these (shared/research/strongswan-peer.md).
 */

static void
test_unknown_notifies_init(void **state)
{
	struct pair *p = pair_new(S_GCM);

	pair_start(p);
	init_add_extras(p);
	assert_true(mock_deliver(&p->net));
	init_add_extras(p);
	mock_run(&p->net, 8);
	check_established(p);
	check_no_drops(p);
	pair_free(p);
}

static void
test_unknown_notifies_auth(void **state)
{
	struct pair *p = pair_new(S_CBC);

	pair_start(p);
	mock_run(&p->net, 2);
	auth_add_extras(p, false);
	assert_true(mock_deliver(&p->net));
	auth_add_extras(p, false);
	mock_run(&p->net, 4);
	check_established(p);
	check_no_drops(p);
	pair_free(p);
}

/* RFC 7296 2.5: an unknown payload marked critical fails the request, with a notice. */
static void
test_unknown_critical_payload(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_msg *m = malloc(sizeof(*m));
	const struct ike_notify *n;
	uint8_t in[IKE_MSG_MAX], *raw;
	size_t len;

	assert_non_null(m);
	pair_start(p);
	mock_run(&p->net, 2);
	auth_add_extras(p, true);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(nstat(&p->n[1], IKE_ST_DROP_PARSE), 1);
	assert_int_equal(p->n[1].t->nsa, 0);
	assert_int_equal(p->n[1].sink.ngetspi, 0);
	raw = q_msg(p, 0, &len);
	memcpy(in, raw, len);
	assert_int_equal(ike_parse(in, len, m), 0);
	assert_int_equal(ike_msg_open(mock_only_sa(&p->n[0]), in, len, m), IKE_OPEN_OK);
	assert_non_null(n = ike_msg_notify(m, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD));
	assert_int_equal(n->data.len, 1);
	assert_int_equal(n->data.p[0], 200);
	log_capture();
	mock_run(&p->net, 2);
	log_has(log_captured(), "refused IKE_AUTH (error 1)");
	assert_int_equal(p->n[0].t->nsa, 0);
	assert_int_equal(p->n[0].last_fail, IKE_F_PEER);
	free(m);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_detected),
		cmocka_unit_test(test_nat_faked_by_peer),
		cmocka_unit_test(test_no_nat),
		cmocka_unit_test(test_natt_force),
		cmocka_unit_test(test_natt_off),
		cmocka_unit_test(test_unknown_notifies_init),
		cmocka_unit_test(test_unknown_notifies_auth),
		cmocka_unit_test(test_unknown_critical_payload),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
