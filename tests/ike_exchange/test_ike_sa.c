/*
 * test_ike_sa.c: the IKE SA table and state machine, the Message ID
 * window, and traffic selector ranges, as units.
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
 * The SA table and its state machine.
 */

static void
test_state_machine(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_sa_table *t = p->n[1].t;
	struct ike_sa *sa;

	sa = ike_sa_new(t, false, &p->n[1].cfg, &p->n[1].cfg.local, &p->n[1].cfg.remote, 42);
	assert_non_null(sa);
	assert_int_equal(sa->spi_i, 42);
	assert_int_not_equal(sa->spi_r, 0);
	assert_int_equal(sa->local.port, IKE_PORT);
	log_capture();
	assert_int_equal(ike_sa_set_state(sa, IKE_S_ESTABLISHED), -1);
	assert_int_equal(ike_sa_set_state(sa, IKE_S_AUTH_SENT), -1);
	log_has(log_captured(), "transition IDLE -> AUTH_SENT not allowed");
	assert_int_equal(sa->state, IKE_S_IDLE);
	assert_int_equal(ike_sa_set_state(sa, IKE_S_INIT_DONE), 0);
	assert_int_equal(t->half_open, 1);
	assert_int_equal(ike_sa_set_state(sa, IKE_S_ESTABLISHED), 0);
	assert_int_equal(t->half_open, 0);
	log_capture();
	assert_int_equal(ike_sa_set_state(sa, IKE_S_INIT_DONE), -1);
	log_captured();
	assert_int_equal(ike_sa_set_state(sa, IKE_S_REKEYING), 0);
	assert_int_equal(ike_sa_set_state(sa, IKE_S_ESTABLISHED), 0);
	assert_int_equal(ike_sa_set_state(sa, IKE_S_DELETING), 0);
	log_capture();
	assert_int_equal(ike_sa_set_state(sa, IKE_S_ESTABLISHED), -1);
	log_captured();
	assert_ptr_equal(ike_sa_find(t, sa->spi_r), sa);
	ike_sa_kill(sa, IKE_F_LOCAL);
	assert_int_equal(sa->state, IKE_S_DEAD);
	assert_int_equal(p->n[1].ndead, 1);
	/* Dead but not yet reaped: no longer found, still counted. */
	assert_null(ike_sa_find(t, sa->spi_r));
	assert_int_equal(t->nsa, 1);
	ike_sa_kill(sa, IKE_F_AUTH);
	assert_int_equal(p->n[1].ndead, 1);
	ike_sa_reap(t);
	assert_int_equal(t->nsa, 0);
	assert_string_equal(ike_sa_state_name(IKE_S_REKEYING), "REKEYING");
	pair_free(p);
}

static void
test_sa_table(void **state)
{
	struct pair *p = pair_new(S_GCM);
	struct ike_sa_table *t = p->n[1].t;
	struct ike_sa *sa[300];
	struct gw_addr peer = p->n[1].cfg.remote;
	size_t i;

	for (i = 0; i < 300; i++) {
		peer.port = (uint16_t)(1000 + i % 7);
		sa[i] = ike_sa_new(t, i % 2 == 0, &p->n[1].cfg, &p->n[1].cfg.local, &peer,
		    0x1000 + i / 3);
		assert_non_null(sa[i]);
	}
	assert_int_equal(t->nsa, 300);
	assert_true(t->nbuckets >= 256);
	for (i = 0; i < 300; i++) {
		assert_ptr_equal(ike_sa_find(t, ike_sa_spi(sa[i])), sa[i]);
		peer.port = (uint16_t)(1000 + i % 7);
		if (i % 2 == 1)
			assert_ptr_equal(ike_sa_find_init(t, 0x1000 + i / 3, &peer), sa[i]);
	}
	peer.port = 999;
	assert_null(ike_sa_find_init(t, 0x1000, &peer));
	for (i = 0; i < 300; i += 3)
		ike_sa_destroy(sa[i]);
	assert_int_equal(t->nsa, 200);
	for (i = 0; i < 300; i++)
		if (i % 3 != 0)
			assert_ptr_equal(ike_sa_find(t, ike_sa_spi(sa[i])), sa[i]);
	assert_int_equal(ike_sa_table_next_ms(t), UINT64_MAX);
	pair_free(p);
}

static void
test_msg_window(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct ike_sa *r = mock_only_sa(&p->n[1]);
	struct ike_msg *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	/* The responder has answered 0 and 1: 2 is new, 1 a retransmission, 0 too old. */
	m->hdr.exch = IKE_EXCH_INFORMATIONAL;
	m->hdr.msgid = 2;
	assert_int_equal(ike_msg_check(r, m), IKE_MSG_NEW);
	m->hdr.msgid = 1;
	assert_int_equal(ike_msg_check(r, m), IKE_MSG_RETRANSMIT);
	m->hdr.msgid = 0;
	assert_int_equal(ike_msg_check(r, m), IKE_MSG_DROP);
	m->hdr.msgid = 3;
	assert_int_equal(ike_msg_check(r, m), IKE_MSG_DROP);
	/* No request of ours is outstanding: every response is unexpected. */
	m->hdr.flags = IKE_FLAG_R;
	m->hdr.msgid = 0;
	assert_int_equal(ike_msg_check(r, m), IKE_MSG_DROP);
	free(m);
	pair_free(p);
}

/*
 * Traffic selector ranges.
 */

static struct ike_tsel
tsel(const char *pfx, uint8_t proto, uint16_t port)
{
	struct gw_sel sel = { .proto = proto };
	struct ike_tsel l, r;

	addr_set(&sel.src, pfx);
	sel.src.port = port;
	addr_set(&sel.dst, pfx);
	assert_int_equal(ike_ts_from_sel(&sel, &l, &r), 0);
	return l;
}

static void
test_ts_ranges(void **state)
{
	struct ike_tsel a = tsel("10.1.0.0/16", 255, 0), b = tsel("10.1.2.0/24", 6, 80), x;
	struct ike_tsel c = tsel("2001:db8::/32", 255, 0);
	struct ike_tsl offer = { .n = 2 }, out;
	struct gw_sel icmp = { .proto = 1 };
	char buf[IKE_TS_STRLEN];

	assert_string_equal(ike_ts_str(&a, buf, sizeof(buf)), "10.1.0.0/16");
	assert_string_equal(ike_ts_str(&b, buf, sizeof(buf)), "10.1.2.0/24 proto 6 port 80");
	assert_string_equal(ike_ts_str(&c, buf, sizeof(buf)), "2001:db8::/32");
	assert_true(ike_ts_within(&b, &a));
	assert_false(ike_ts_within(&a, &b));
	assert_false(ike_ts_intersect(&a, &c, &x));
	assert_true(ike_ts_intersect(&a, &b, &x));
	assert_true(ike_ts_within(&x, &b) && ike_ts_within(&b, &x));
	/* A range that is no prefix prints as one. */
	x = a;
	x.start.u.b[3] = 5;
	assert_string_equal(ike_ts_str(&x, buf, sizeof(buf)), "10.1.0.5..10.1.255.255");
	/* Narrowing keeps the non-empty intersections, in order. */
	offer.ts[0] = tsel("10.9.0.0/16", 255, 0);
	offer.ts[1] = tsel("10.0.0.0/8", 17, 0);
	assert_int_equal(ike_ts_narrow(&offer, &a, &out), 1);
	assert_string_equal(ike_ts_list_str(&out, buf, sizeof(buf)), "10.1.0.0/16 proto 17");
	assert_true(ike_ts_list_within(&out, &offer));
	assert_false(ike_ts_list_within(&offer, &out));
	/* OPAQUE ports meet only "any". */
	x = b;
	x.sport = 65535;
	x.eport = 0;
	assert_false(ike_ts_intersect(&x, &b, &out.ts[0]));
	assert_true(ike_ts_intersect(&x, &a, &out.ts[0]));
	assert_string_equal(ike_ts_str(&out.ts[0], buf, sizeof(buf)),
	    "10.1.2.0/24 proto 6 ports opaque");
	/* KAME's ICMP type/code in the ports has no range form. */
	addr_set(&icmp.src, "10.0.0.0/8");
	addr_set(&icmp.dst, "10.0.0.0/8");
	icmp.src.port = 8;
	assert_int_equal(ike_ts_from_sel(&icmp, &x, &out.ts[0]), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_sa_table),
		cmocka_unit_test(test_msg_window),
		cmocka_unit_test(test_ts_ranges),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
