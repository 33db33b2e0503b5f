/*
 * test_ike_child.c: rekeying a Child SA with CREATE_CHILD_SA (RFC 7296
 * 1.3.3), started by either side, with and without PFS: the new pair is
 * installed on both sides with keys that match crosswise, and only then
 * is the old pair deleted (make-before-break, seen in the mock data
 * path's order of events). The responder installs the new inbound SA
 * when it answers and the outbound one only when the initiator's Delete
 * of the old pair shows that the initiator has the new pair too
 * (test_ike_mbb.c goes through the other ways). Refusals keep the old
 * pair.
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

static void
key_eq(const struct gw_key *a, const struct gw_key *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->b, b->b, a->len);
}

/* Pair a of node 0 and pair b of node 1 are mirror images. */
static void
check_mirror(const struct mock_child *a, const struct mock_child *b)
{
	assert_true(a->in_live && a->out_live && b->in_live && b->out_live);
	assert_int_equal(a->sa.spi_in, b->sa.spi_out);
	assert_int_equal(a->sa.spi_out, b->sa.spi_in);
	assert_int_equal(a->sa.reqid, REQID);
	assert_int_equal(b->sa.reqid, REQID);
	assert_int_equal(a->sa.enc_alg, b->sa.enc_alg);
	key_eq(&a->sa.enc_out, &b->sa.enc_in);
	key_eq(&a->sa.enc_in, &b->sa.enc_out);
	key_eq(&a->sa.auth_out, &b->sa.auth_in);
	key_eq(&a->sa.auth_in, &b->sa.auth_out);
}

/* Gives both SAs of p PFS with group in their first ESP proposal. */
static void
pfs_on(struct pair *p, uint16_t group)
{
	int k;

	for (k = 0; k < 2; k++)
		xf_add(&mock_only_sa(&p->n[k])->cfg.esp[0], PROP_T_KE, group, 0);
}

/* The queued request as its receiver (node rx) reads it: has it a KE of group? */
static void
check_request_ke(struct pair *p, int rx, uint16_t group)
{
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t buf[IKE_MSG_MAX], *raw;
	size_t len;

	assert_non_null(m);
	raw = q_msg(p, 0, &len);
	memcpy(buf, raw, len);
	assert_int_equal(ike_parse(buf, len, m), 0);
	assert_int_equal(ike_msg_open(mock_only_sa(&p->n[rx]), buf, len, m), 0);
	assert_non_null(ike_msg_notify(m, IKE_N_REKEY_SA));
	assert_int_equal(ike_msg_has(m, IKE_PT_KE), group != 0);
	if (group != 0)
		assert_int_equal(m->ke.group, group);
	free(m);
}

static void
rekey(int side, enum suite s, uint16_t group)
{
	struct pair *p = pair_established(s);
	struct ike_sa *me = mock_only_sa(&p->n[side]);
	struct mock_sink *ks = &p->n[side].sink, *ko = &p->n[1 - side].sink;
	struct mock_child *old0 = &p->n[0].sink.sa[0];
	int k;

	if (group != 0)
		pfs_on(p, group);
	assert_int_equal(exch_child_rekey(me, ks->sa[0].sa.spi_in ^ 1), -1);
	assert_int_equal(exch_child_rekey(me, ks->sa[0].sa.spi_in), 0);
	assert_int_equal(exch_child_rekey(me, ks->sa[0].sa.spi_in), -1);
	assert_int_equal(mock_larval(ks), 1);
	check_request_ke(p, 1 - side, group);
	/*
	 * The responder adds the new pair's inbound SA only and keeps the old
	 * pair: the initiator could not decrypt the new outbound SA yet.
	 */
	assert_true(mock_deliver(&p->net));
	check_peer_has_out(p);
	assert_int_equal(ko->nsa, 2);
	assert_int_equal(mock_live(ko), 1);
	assert_int_equal(mock_half(ko), 1);
	assert_true(ko->sa[1].in_live && !ko->sa[1].out_live);
	/* The initiator installs the new pair, then sends the Delete of the old. */
	assert_true(mock_deliver(&p->net));
	check_peer_has_out(p);
	assert_int_equal(ks->nsa, 2);
	assert_int_equal(mock_live(ks), 2);
	assert_true(me->win.req_active);
	assert_int_equal(me->win.req_exch, IKE_EXCH_INFORMATIONAL);
	assert_int_equal(mock_half(ko), 1);
	/* The Delete: the responder's new outbound SA first, then the old pair goes. */
	assert_true(mock_deliver(&p->net));
	check_peer_has_out(p);
	assert_int_equal(mock_live(ko), 1);
	assert_true(ko->sa[1].out_seq > ko->sa[1].install_seq);
	assert_true(ko->sa[0].del_seq > ko->sa[1].out_seq);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(p->net.n, 0);
	for (k = 0; k < 2; k++) {
		struct mock_sink *kk = &p->n[k].sink;
		struct ike_child *c = mock_only_sa(&p->n[k])->children;

		assert_int_equal(mock_live(kk), 1);
		assert_int_equal(mock_half(kk), 0);
		assert_int_equal(mock_larval(kk), 0);
		assert_false(kk->sa[0].in_live || kk->sa[0].out_live);
		assert_true(kk->sa[0].del_seq > kk->sa[1].out_seq);
		assert_int_equal(kk->sa[1].split, k != side);
		assert_false(kk->sa[1].leaked);
		assert_int_equal(kk->nbogus, 0);
		assert_int_equal(c->spi_in, kk->sa[1].sa.spi_in);
		assert_null(c->next);
		assert_null(c->out_pending);
		assert_false(c->out_absent);
	}
	check_mirror(&p->n[0].sink.sa[1], &p->n[1].sink.sa[1]);
	/* New SPIs and new keys. */
	assert_int_not_equal(p->n[0].sink.sa[1].sa.spi_in, old0->sa.spi_in);
	assert_memory_not_equal(p->n[0].sink.sa[1].sa.enc_in.b, old0->sa.enc_in.b,
	    old0->sa.enc_in.len);
	assert_int_equal(me->rk.old_spi_in, 0);
	assert_null(me->rk.dh);
	assert_int_equal(me->state, IKE_S_ESTABLISHED);
	check_no_drops(p);
	pair_free(p);
}

static void
test_rekey_initiator(void **state)
{
	rekey(0, S_GCM, 0);
}

static void
test_rekey_responder(void **state)
{
	rekey(1, S_CBC, 0);
}

static void
test_rekey_initiator_pfs(void **state)
{
	rekey(0, S_GCM, IKE_DH_CURVE25519);
}

static void
test_rekey_responder_pfs(void **state)
{
	rekey(1, S_CHACHA, IKE_DH_ECP_256);
}

/* The rekeyed pair can be rekeyed again, by the other side. */
static void
test_rekey_twice(void **state)
{
	struct pair *p = pair_established(S_GCM);

	pfs_on(p, IKE_DH_CURVE25519);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[1]),
	    p->n[1].sink.sa[1].sa.spi_in), 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_int_equal(mock_live(&p->n[0].sink), 1);
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	check_mirror(&p->n[0].sink.sa[2], &p->n[1].sink.sa[2]);
	check_no_drops(p);
	pair_free(p);
}

/* Refused: the initiator keeps its old pair and frees its new SPI. */
static void
check_refused(struct pair *p, int side)
{
	struct ike_sa *me = mock_only_sa(&p->n[side]);

	assert_int_equal(p->n[side].sink.nsa, 1);
	assert_int_equal(mock_live(&p->n[side].sink), 1);
	assert_int_equal(mock_larval(&p->n[side].sink), 0);
	assert_int_equal(me->rk.old_spi_in, 0);
	assert_false(me->win.req_active);
	assert_int_equal(me->state, IKE_S_ESTABLISHED);
}

/* PFS groups that do not meet: INVALID_KE_PAYLOAD, old pairs kept. */
static void
test_rekey_pfs_group_mismatch(void **state)
{
	struct pair *p = pair_established(S_GCM);

	xf_add(&mock_only_sa(&p->n[0])->cfg.esp[0], PROP_T_KE, IKE_DH_ECP_256, 0);
	xf_add(&mock_only_sa(&p->n[1])->cfg.esp[0], PROP_T_KE, IKE_DH_CURVE25519, 0);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(mock_run(&p->net, 4), 2);
	check_refused(p, 0);
	assert_int_equal(p->n[1].sink.nsa, 1);
	assert_int_equal(mock_larval(&p->n[1].sink), 0);
	check_established(p);
	pair_free(p);
}

/* The peer no longer has the pair: CHILD_SA_NOT_FOUND. */
static void
test_rekey_not_found(void **state)
{
	struct pair *p = pair_established(S_CBC);
	uint32_t in;

	assert_int_equal(ike_sa_del_child(mock_only_sa(&p->n[1]),
	    p->n[1].sink.sa[0].sa.spi_out, &in), 0);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(mock_run(&p->net, 4), 2);
	check_refused(p, 0);
	assert_int_equal(mock_live(&p->n[1].sink), 0);
	pair_free(p);
}

/*
 * Both sides rekey at once (RFC 7296 2.8.1): both exchanges complete,
 * the redundant new pair and the old one are deleted, and one new pair
 * is left, the same on both sides (test_ike_rekey.c goes step by step).
 */
static void
test_rekey_collision(void **state)
{
	struct pair *p = pair_established(S_GCM);
	size_t i, k, live[2] = { 0, 0 }, low;

	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[1]),
	    p->n[1].sink.sa[0].sa.spi_in), 0);
	assert_int_equal(mock_run(&p->net, 16), 8);
	/*
	 * The node whose exchange had the lowest nonce runs on the peer's
	 * new pair, so it alone installed an outbound SA on its own.
	 */
	assert_int_equal(p->n[0].sink.nout + p->n[1].sink.nout, 1);
	low = p->n[0].sink.nout == 1 ? 0 : 1;
	for (k = 0; k < 2; k++) {
		struct mock_sink *ks = &p->n[k].sink;

		assert_int_equal(ks->nsa, 3);
		assert_int_equal(mock_live(ks), 1);
		assert_int_equal(mock_half(ks), 0);
		assert_int_equal(mock_larval(ks), 0);
		/*
		 * The old pair (two SAs) and the redundant one: both SAs where
		 * it was ours, only the inbound one where it was the peer's,
		 * whose outbound SA never went in.
		 */
		assert_int_equal(ks->ndel, k == low ? 4 : 3);
		assert_int_equal(ks->nbogus, 0);
		assert_false(ks->sa[0].in_live || ks->sa[0].out_live);
		for (i = 1; i < 3; i++)
			if (ks->sa[i].in_live)
				live[k] = i;
		assert_null(mock_only_sa(&p->n[k])->children->next);
		assert_false(mock_only_sa(&p->n[k])->win.req_active);
	}
	/* Each node answers first, then installs its own: an exchange's pairs are 1 and 2. */
	assert_int_equal(live[0] + live[1], 3);
	check_mirror(&p->n[0].sink.sa[live[0]], &p->n[1].sink.sa[live[1]]);
	check_no_drops(p);
	pair_free(p);
}

/*
 * The initiator's data path refuses the new pair: the responder is told
 * to delete the one it made, and both keep the old pair.
 */
static void
test_rekey_install_refused(void **state)
{
	struct pair *p = pair_established(S_CHACHA);

	assert_int_equal(exch_child_rekey(mock_only_sa(&p->n[0]),
	    p->n[0].sink.sa[0].sa.spi_in), 0);
	assert_true(mock_deliver(&p->net));
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	assert_int_equal(mock_half(&p->n[1].sink), 1);
	p->n[0].sink.fail_install = true;
	assert_true(mock_deliver(&p->net));
	assert_int_equal(mock_larval(&p->n[0].sink), 0);
	assert_int_equal(q_exch(p, 0), IKE_EXCH_INFORMATIONAL);
	assert_int_equal(mock_run(&p->net, 4), 2);
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	assert_int_equal(mock_half(&p->n[1].sink), 0);
	/* Its outbound SA had not gone in: only the inbound one is deleted. */
	assert_int_equal(p->n[1].sink.sa[1].ndel, 1);
	assert_int_equal(p->n[1].sink.nout, 0);
	assert_int_equal(p->n[1].sink.nbogus, 0);
	assert_true(p->n[1].sink.sa[0].in_live && p->n[1].sink.sa[0].out_live);
	assert_null(mock_only_sa(&p->n[1])->children->next);
	p->n[0].sink.fail_install = false;
	check_refused(p, 0);
	check_established(p);
	pair_free(p);
}

/* A CREATE_CHILD_SA without REKEY_SA (a new Child SA) is still refused. */
static void
test_new_child_refused(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *i = mock_only_sa(&p->n[0]);
	uint8_t buf[IKE_MSG_MAX], nonce[32] = { 1 };
	struct ike_build b;
	size_t len;

	assert_int_equal(ike_msg_start(i, &b, buf, sizeof(buf), IKE_EXCH_CREATE_CHILD_SA, false),
	    0);
	ike_build_nonce(&b, nonce, sizeof(nonce));
	assert_int_equal(ike_msg_finish(i, &b, buf, &len), 0);
	assert_int_equal(ike_msg_request(i, buf, len), 0);
	assert_int_equal(mock_run(&p->net, 4), 2);
	/* Not our rekey: the answer changes nothing. */
	assert_false(i->win.req_active);
	assert_int_equal(nstat(&p->n[0], IKE_ST_DROP_STATE), 1);
	assert_int_equal(p->n[1].sink.nsa, 1);
	check_established(p);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rekey_initiator),
		cmocka_unit_test(test_rekey_responder),
		cmocka_unit_test(test_rekey_initiator_pfs),
		cmocka_unit_test(test_rekey_responder_pfs),
		cmocka_unit_test(test_rekey_twice),
		cmocka_unit_test(test_rekey_pfs_group_mismatch),
		cmocka_unit_test(test_rekey_not_found),
		cmocka_unit_test(test_rekey_collision),
		cmocka_unit_test(test_rekey_install_refused),
		cmocka_unit_test(test_new_child_refused),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
