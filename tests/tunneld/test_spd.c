/* test_spd.c: the policy database alone: identity, order, lookup, reqids. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kt.h"
#include "spd.h"

#define PRIO_DEF	0x80000000u
#define PRIO_HIGH	0x40000000u
#define PRIO_LOW	0xc0000000u

static int
setup(void **state)
{
	struct spd	*spd = test_calloc(1, sizeof(*spd));

	assert_int_equal(spd_init(spd, 0xfeed), 0);
	*state = spd;
	return 0;
}

static int
teardown(void **state)
{
	spd_free(*state);
	test_free(*state);
	return 0;
}

static struct policy
pol(const char *src, uint8_t splen, uint16_t sport, const char *dst, uint8_t dplen,
    uint16_t dport, uint8_t proto, uint8_t dir, uint32_t prio)
{
	struct policy	p;

	memset(&p, 0, sizeof(p));
	p.sel.src = kt_addr(src);
	p.sel.src.plen = splen;
	p.sel.src.port = sport;
	p.sel.dst = kt_addr(dst);
	p.sel.dst.plen = dplen;
	p.sel.dst.port = dport;
	p.sel.proto = proto;
	p.dir = dir;
	p.action = IPSEC_POLICY_IPSEC;
	p.priority = prio;
	p.nreq = 1;
	p.req[0].proto = IPPROTO_ESP;
	p.req[0].mode = IPSEC_MODE_TUNNEL;
	p.req[0].level = IPSEC_LEVEL_REQUIRE;
	p.req[0].has_endpoints = true;
	p.req[0].src = kt_addr("198.51.100.1");
	p.req[0].dst = kt_addr("198.51.100.2");
	return p;
}

static struct policy *
add(struct spd *spd, struct policy t)
{
	struct policy	*p = NULL;

	assert_int_equal(spd_add(spd, &t, false, 50, &p), 0);
	assert_non_null(p);
	return p;
}

static void
test_add_get_find_remove(void **state)
{
	struct spd	*spd = *state;
	struct policy	 t = pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF);
	struct policy	*p = add(spd, t);

	assert_true(p->id != 0);
	assert_ptr_equal(spd_get(spd, p->id), p);
	assert_ptr_equal(spd_find(spd, IPSEC_DIR_OUTBOUND, &t.sel), p);
	assert_null(spd_find(spd, IPSEC_DIR_INBOUND, &t.sel));
	assert_int_equal(p->created, 50);
	assert_int_equal(spd_count(spd), 1);
	spd_remove(spd, p);
	assert_null(spd_find(spd, IPSEC_DIR_OUTBOUND, &t.sel));
	assert_int_equal(spd_count(spd), 0);
	assert_int_equal(spd->dir[IPSEC_DIR_OUTBOUND].ngroups, 0);
}

static void
test_eexist_and_update(void **state)
{
	struct spd	*spd = *state;
	struct policy	 t = pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF);
	struct policy	*p1, *p2, *p;
	uint32_t	 id;

	p1 = add(spd, t);
	id = p1->id;
	p2 = add(spd, pol("10.0.0.0", 8, 0, "10.2.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF));
	assert_int_equal(spd_add(spd, &t, false, 60, &p), -EEXIST);
	/* Host bits beyond the prefix do not make another selector. */
	t.sel.src = kt_addr("10.9.9.9");
	t.sel.src.plen = 8;
	assert_int_equal(spd_add(spd, &t, false, 60, &p), -EEXIST);
	/* The same selector in another direction is another policy. */
	t.dir = IPSEC_DIR_INBOUND;
	assert_int_equal(spd_add(spd, &t, false, 60, &p), 0);
	t.dir = IPSEC_DIR_OUTBOUND;
	t.action = IPSEC_POLICY_DISCARD;
	t.nreq = 0;
	assert_int_equal(spd_add(spd, &t, true, 70, &p), 0);
	assert_int_equal(p->id, id);
	assert_int_equal(p->action, IPSEC_POLICY_DISCARD);
	assert_ptr_equal(spd_get(spd, id), p);
	assert_int_equal(spd_count(spd), 3);
	/* Updated in place: still before the policy added after it. */
	assert_ptr_equal(spd_first(spd, IPSEC_DIR_OUTBOUND), p);
	assert_ptr_equal(spd_next(p), p2);
	/* Update of an absent policy adds it. */
	t = pol("10.5.0.0", 16, 0, "10.6.0.0", 16, 0, 255, IPSEC_DIR_FWD, PRIO_DEF);
	assert_int_equal(spd_add(spd, &t, true, 70, &p), 0);
	assert_int_equal(spd_count(spd), 4);
	t.dir = 0;
	assert_int_equal(spd_add(spd, &t, false, 70, &p), -EINVAL);
}

static void
test_order_priority_then_insertion(void **state)
{
	struct spd	*spd = *state;
	struct policy	*a, *b, *c, *d, *p;

	a = add(spd, pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_DEF));
	b = add(spd, pol("10.0.0.0", 8, 0, "10.2.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_LOW));
	c = add(spd, pol("10.0.0.0", 8, 0, "10.3.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_HIGH));
	d = add(spd, pol("10.0.0.0", 8, 0, "10.4.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_DEF));
	p = spd_first(spd, IPSEC_DIR_OUTBOUND);
	assert_ptr_equal(p, c);
	assert_ptr_equal(p = spd_next(p), a);
	assert_ptr_equal(p = spd_next(p), d);
	assert_ptr_equal(p = spd_next(p), b);
	assert_null(spd_next(p));
	assert_null(spd_first(spd, IPSEC_DIR_INBOUND));
	assert_true(a->id < b->id && b->id < c->id && c->id < d->id);
}

static void
test_lookup_first_match(void **state)
{
	struct spd	*spd = *state;
	struct gw_flow	 f;
	struct policy	*wide, *web, *webhi, *tls;

	wide = add(spd, pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF));
	web = add(spd, pol("10.0.1.0", 24, 0, "10.1.2.0", 24, 80, IPPROTO_TCP,
	    IPSEC_DIR_OUTBOUND, PRIO_DEF));
	f = kt_flow("10.0.1.5", 1234, "10.1.2.3", 80, IPPROTO_TCP);
	/* Equal priority: the older, wider policy matches first (KAME order). */
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), wide);
	webhi = add(spd, pol("10.0.1.0", 25, 0, "10.1.2.0", 24, 80, IPPROTO_TCP,
	    IPSEC_DIR_OUTBOUND, PRIO_HIGH - 1));
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), webhi);
	/* Port and protocol must match too. */
	tls = add(spd, pol("10.0.1.0", 24, 0, "10.1.2.0", 24, 443, IPPROTO_TCP,
	    IPSEC_DIR_OUTBOUND, PRIO_HIGH - 2));
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), webhi);
	f.dst.port = 443;
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), tls);
	f.proto = IPPROTO_UDP;
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), wide);
	spd_remove(spd, webhi);
	f = kt_flow("10.0.1.5", 1234, "10.1.2.3", 80, IPPROTO_TCP);
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), wide);
	spd_remove(spd, wide);
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), web);
	/* Outside every prefix, in another direction, in another family. */
	f = kt_flow("10.0.1.5", 1234, "10.7.2.3", 80, IPPROTO_TCP);
	assert_null(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f));
	f = kt_flow("10.0.1.5", 1234, "10.1.2.3", 80, IPPROTO_TCP);
	assert_null(spd_lookup(spd, IPSEC_DIR_INBOUND, &f));
	f = kt_flow("2001:db8::1", 1234, "2001:db8::2", 80, IPPROTO_TCP);
	assert_null(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f));
}

static void
test_lookup_ipv6_and_host(void **state)
{
	struct spd	*spd = *state;
	struct gw_flow	 f = kt_flow("2001:db8:1::5", 0, "2001:db8:2::1", 0, IPPROTO_ICMPV6);
	struct policy	*net, *host;

	net = add(spd, pol("2001:db8:1::", 48, 0, "2001:db8:2::", 48, 0, 255, IPSEC_DIR_INBOUND,
	    PRIO_DEF));
	host = add(spd, pol("2001:db8:1::5", 128, 0, "::", 0, 0, 255, IPSEC_DIR_INBOUND,
	    PRIO_HIGH));
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_INBOUND, &f), host);
	f.src = kt_addr("2001:db8:1::6");
	assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_INBOUND, &f), net);
}

static void
test_auto_reqid_for_unique(void **state)
{
	struct spd	*spd = *state;
	struct policy	 t1 = pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF);
	struct policy	 t2 = pol("10.0.0.0", 8, 0, "10.2.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF);
	struct policy	*p1, *p2, *p;
	uint32_t	 r1;

	t1.req[0].level = IPSEC_LEVEL_UNIQUE;
	t2.req[0].level = IPSEC_LEVEL_UNIQUE;
	p1 = add(spd, t1);
	p2 = add(spd, t2);
	r1 = p1->req[0].reqid;
	assert_true(r1 > IPSEC_MANUAL_REQID_MAX);
	assert_true(p2->req[0].reqid > IPSEC_MANUAL_REQID_MAX);
	assert_int_not_equal(r1, p2->req[0].reqid);
	/* An update keeps the allocated reqid, so existing SAs stay bound. */
	assert_int_equal(spd_add(spd, &t1, true, 60, &p), 0);
	assert_int_equal(p->req[0].reqid, r1);
	/* Manual reqids and non-unique levels are left alone. */
	t1 = pol("10.0.0.0", 8, 0, "10.3.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_DEF);
	t1.req[0].level = IPSEC_LEVEL_UNIQUE;
	t1.req[0].reqid = 101;
	assert_int_equal(add(spd, t1)->req[0].reqid, 101);
	t1 = pol("10.0.0.0", 8, 0, "10.4.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_DEF);
	assert_int_equal(add(spd, t1)->req[0].reqid, 0);
}

static void
test_auto_reqid_skips_used(void **state)
{
	struct spd	*spd = *state;
	struct policy	 t = pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF);
	struct policy	*p;

	/* A policy restored from a dump holds the next automatic value. */
	t.req[0].level = IPSEC_LEVEL_UNIQUE;
	t.req[0].reqid = SPD_AUTO_REQID_MIN;
	add(spd, t);
	t = pol("10.0.0.0", 8, 0, "10.2.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_DEF);
	t.req[0].level = IPSEC_LEVEL_UNIQUE;
	p = add(spd, t);
	assert_int_equal(p->req[0].reqid, SPD_AUTO_REQID_MIN + 1);
}

static void
test_flush(void **state)
{
	struct spd	*spd = *state;
	struct gw_flow	 f = kt_flow("10.0.0.1", 0, "10.1.0.1", 0, IPPROTO_TCP);

	add(spd, pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_DEF));
	add(spd, pol("10.1.0.0", 16, 0, "10.0.0.0", 8, 0, 255, IPSEC_DIR_INBOUND, PRIO_DEF));
	assert_int_equal(spd_flush(spd), 2);
	assert_int_equal(spd_count(spd), 0);
	assert_null(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f));
	add(spd, pol("10.0.0.0", 8, 0, "10.1.0.0", 16, 0, 255, IPSEC_DIR_OUTBOUND, PRIO_DEF));
	assert_non_null(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f));
}

/*
 * The specification of spd_lookup: the first match in dump order. *nmatch
 * counts every policy that matches.
 */
static struct policy *
linear_lookup(const struct spd *spd, uint8_t dir, const struct gw_flow *f, size_t *nmatch)
{
	struct policy	*p, *first = NULL;

	*nmatch = 0;
	for (p = spd_first(spd, dir); p != NULL; p = spd_next(p)) {
		if (!sel_match(&p->sel, f))
			continue;
		if (first == NULL)
			first = p;
		(*nmatch)++;
	}
	return first;
}

static uint32_t
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static struct gw_addr
rnd_v4(uint64_t *s, uint8_t plen)
{
	struct gw_addr	a = kt_addr("10.0.0.0");

	a.u.v4.s_addr = htonl(0x0a000000u | (rnd(s) & 0x003f0f0fu));
	a.plen = plen;
	return a;
}

static void
test_lookup_10000_policies(void **state)
{
	static const uint8_t	 plens[] = { 16, 20, 24, 28, 32 };
	static const uint32_t	 prios[] = { PRIO_HIGH, PRIO_DEF, PRIO_DEF, PRIO_LOW };
	struct spd		*spd = *state;
	struct policy		 t, *p;
	struct gw_flow		 f;
	uint64_t		 s = 42;
	size_t			 n = 0, hits = 0, overlaps = 0, nmatch, i;

	while (n < 10000) {
		t = pol("10.0.0.0", 8, 0, "10.0.0.0", 8, 0, 255, IPSEC_DIR_OUTBOUND,
		    prios[rnd(&s) % 4]);
		t.sel.src = rnd_v4(&s, plens[rnd(&s) % 5]);
		t.sel.dst = rnd_v4(&s, plens[rnd(&s) % 5]);
		if (rnd(&s) % 3 == 0) {
			t.sel.proto = rnd(&s) % 2 ? IPPROTO_TCP : IPPROTO_UDP;
			t.sel.dst.port = rnd(&s) % 2 ? 80 : (uint16_t)(rnd(&s) % 4);
		}
		if (spd_add(spd, &t, false, 1, &p) == 0)
			n++;
	}
	for (i = 0; i < 3000; i++) {
		f.src = rnd_v4(&s, 32);
		f.dst = rnd_v4(&s, 32);
		f.proto = rnd(&s) % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		f.src.port = (uint16_t)rnd(&s);
		f.dst.port = rnd(&s) % 2 ? 80 : (uint16_t)(rnd(&s) % 4);
		p = linear_lookup(spd, IPSEC_DIR_OUTBOUND, &f, &nmatch);
		assert_ptr_equal(spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f), p);
		hits += p != NULL;
		overlaps += nmatch > 1;
	}
	/*
	 * The random set must exercise both outcomes, and flows that several
	 * policies match (where order decides), to mean anything.
	 */
	assert_true(hits > 150 && hits < 2850);
	assert_true(overlaps > 50);
}

static void
test_load_100000_policies(void **state)
{
	struct spd	*spd = *state;
	struct policy	 t = pol("10.0.0.0", 32, 0, "10.0.0.0", 32, 0, 255, IPSEC_DIR_OUTBOUND,
	    PRIO_DEF);
	struct policy	*p;
	struct gw_flow	 f = kt_flow("10.0.0.0", 0, "172.16.0.0", 0, IPPROTO_TCP);
	uint32_t	 i;

	for (i = 0; i < 100000; i++) {
		t.sel.src.u.v4.s_addr = htonl(0x0a000000u + i);
		t.sel.dst.u.v4.s_addr = htonl(0xac100000u + i);
		assert_int_equal(spd_add(spd, &t, false, 1, &p), 0);
	}
	assert_int_equal(spd_count(spd), 100000);
	assert_int_equal(spd_add(spd, &t, false, 1, &p), -EEXIST);
	f.src.u.v4.s_addr = htonl(0x0a000000u + 77777);
	f.dst.u.v4.s_addr = htonl(0xac100000u + 77777);
	p = spd_lookup(spd, IPSEC_DIR_OUTBOUND, &f);
	assert_non_null(p);
	assert_true(addr_eq(&p->sel.src, &f.src));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_get_find_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eexist_and_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_priority_then_insertion, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lookup_first_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_ipv6_and_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_reqid_for_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_reqid_skips_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_10000_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_100000_policies, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
