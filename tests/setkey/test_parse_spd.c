/*
 * test_parse_spd.c: spdadd/spdupdate/spddelete: ranges, upper-layer
 * specs and the -P policy language, valid input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "sk_test.h"

static struct setkey_cmds cmds;

static int
teardown(void **state)
{
	setkey_cmds_free(&cmds);
	return 0;
}

static void
assert_addr(const struct gw_addr *a, const char *text, unsigned plen, unsigned port)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(addr_ntop(a, buf, sizeof(buf)), text);
	assert_int_equal(a->plen, plen);
	assert_int_equal(a->port, port);
}

/* The policy of "spdadd 10.0.0.0/8 10.1.0.0/16 any -P <pol>;". */
static const struct pfk_policy *
policy(const char *pol)
{
	char text[512];

	setkey_cmds_free(&cmds);
	snprintf(text, sizeof(text), "spdadd 10.0.0.0/8 10.1.0.0/16 any -P %s;", pol);
	return &sk_ok(text, &cmds)->u.spd.pol;
}

static void
test_handbook_lines(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "spdadd 10.0.0.1/32 10.0.0.2/32 ipencap -P out ipsec "
	    "esp/tunnel/10.0.0.1-10.0.0.2/require;\n"
	    "\t\tspdadd 10.0.0.2/32 10.0.0.1/32 ipencap -P in ipsec "
	    "esp/tunnel/10.0.0.2-10.0.0.1/require;\n"
	    "    \tspdadd 10.0.0.2/32 10.0.0.1/32 ipencap\n\t\t-P in ipsec\n"
	    "\t\tesp/tunnel/10.0.0.2-10.0.0.1/require;\n", &cmds);
	const struct setkey_spd *spd = &c->u.spd;

	assert_int_equal(cmds.n, 3);
	assert_int_equal(c->op, SK_SPDADD);
	assert_addr(&spd->src, "10.0.0.1", 32, 0);
	assert_addr(&spd->dst, "10.0.0.2", 32, 0);
	assert_int_equal(spd->ulproto, 4);
	assert_true(spd->has_action);
	assert_int_equal(spd->pol.dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(spd->pol.type, IPSEC_POLICY_IPSEC);
	assert_int_equal(spd->pol.priority, SK_PRIO_DEFAULT);
	assert_int_equal(spd->pol.nreq, 1);
	assert_int_equal(spd->pol.req[0].proto, IPPROTO_ESP);
	assert_int_equal(spd->pol.req[0].mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(spd->pol.req[0].level, IPSEC_LEVEL_REQUIRE);
	assert_int_equal(spd->pol.req[0].reqid, 0);
	assert_true(spd->pol.req[0].has_endpoints);
	assert_addr(&spd->pol.req[0].src, "10.0.0.1", 32, 0);
	assert_addr(&spd->pol.req[0].dst, "10.0.0.2", 32, 0);
	c = c->next;
	assert_int_equal(c->line, 2);
	assert_int_equal(c->col, 3);
	assert_int_equal(c->u.spd.pol.dir, IPSEC_DIR_INBOUND);
	assert_addr(&c->u.spd.pol.req[0].src, "10.0.0.2", 32, 0);
	c = c->next;
	assert_int_equal(c->line, 3);
	assert_int_equal(c->col, 6);
	assert_int_equal(c->u.spd.pol.req[0].level, IPSEC_LEVEL_REQUIRE);
}

static void
test_ranges(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "spdadd 10.1.0.0/16[any] 10.2.0.0/16[any] any -P out none;\n"
	    "spdadd 0.0.0.0/0[500] 192.0.2.1[4500] udp -P in none;\n"
	    "spdadd ::/0 2001:db8::/32[80] tcp -P fwd discard;\n"
	    "spdadd 10.0.0.1 10.0.0.2 6 -P out none;\n", &cmds);

	assert_addr(&c->u.spd.src, "10.1.0.0", 16, 0);
	assert_addr(&c->u.spd.dst, "10.2.0.0", 16, 0);
	assert_int_equal(c->u.spd.ulproto, IPSEC_ULPROTO_ANY);
	assert_int_equal(c->u.spd.pol.type, IPSEC_POLICY_NONE);
	c = c->next;
	assert_addr(&c->u.spd.src, "0.0.0.0", 0, 500);
	assert_addr(&c->u.spd.dst, "192.0.2.1", 32, 4500);
	assert_int_equal(c->u.spd.ulproto, 17);
	c = c->next;
	assert_addr(&c->u.spd.src, "::", 0, 0);
	assert_addr(&c->u.spd.dst, "2001:db8::", 32, 80);
	assert_int_equal(c->u.spd.ulproto, 6);
	assert_int_equal(c->u.spd.pol.dir, IPSEC_DIR_FWD);
	assert_int_equal(c->u.spd.pol.type, IPSEC_POLICY_DISCARD);
	c = c->next;
	assert_addr(&c->u.spd.src, "10.0.0.1", 32, 0);
	assert_int_equal(c->u.spd.ulproto, 6);
}

static void
test_upper_layer(void **state)
{
	static const struct { const char *up; uint8_t proto; uint16_t sp, dp; } t[] = {
		{ "any", 255, 0, 0 },		{ "0", 0, 0, 0 },
		{ "255", 255, 0, 0 },		{ "tcp", 6, 0, 0 },
		{ "udp", 17, 0, 0 },		{ "ipencap", 4, 0, 0 },
		{ "ip4", 4, 0, 0 },		{ "icmp6", 58, 0, 0 },
		{ "icmp6 135,0", 58, 135, 0 },	{ "icmp6 128", 58, 128, 0 },
		{ "icmp 3,1", 1, 3, 1 },	{ "icmp 8", 1, 8, 0 },
		{ "ipv6-icmp 1,4", 58, 1, 4 },	{ "gre", 47, 0, 0 },
		{ "gre 1.2.3.4", 47, 0x0102, 0x0304 },
		{ "gre 65537", 47, 1, 1 },	{ "gre 4294967295", 47, 0xffff, 0xffff },
		{ "ospf", 89, 0, 0 },		{ "50", 50, 0, 0 },
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "spdadd ::/0 ::/0 %s -P in none;", t[i].up);
		const struct setkey_spd *spd = &sk_ok(text, &cmds)->u.spd;

		assert_int_equal(spd->ulproto, t[i].proto);
		assert_int_equal(spd->src.port, t[i].sp);
		assert_int_equal(spd->dst.port, t[i].dp);
		setkey_cmds_free(&cmds);
	}
}

static void
test_directions_actions(void **state)
{
	static const struct { const char *pol; uint8_t dir; uint16_t type; } t[] = {
		{ "in none", IPSEC_DIR_INBOUND, IPSEC_POLICY_NONE },
		{ "out discard", IPSEC_DIR_OUTBOUND, IPSEC_POLICY_DISCARD },
		{ "fwd entrust", IPSEC_DIR_FWD, IPSEC_POLICY_ENTRUST },
		{ "in bypass", IPSEC_DIR_INBOUND, IPSEC_POLICY_BYPASS },
		{ "out ipsec ah/transport//use", IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC },
	};
	const struct pfk_policy *pol;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		pol = policy(t[i].pol);
		assert_int_equal(pol->dir, t[i].dir);
		assert_int_equal(pol->type, t[i].type);
		assert_int_equal(pol->nreq, t[i].type == IPSEC_POLICY_IPSEC);
	}
}

static void
test_levels(void **state)
{
	static const struct { const char *lvl; uint8_t level; uint32_t reqid; } t[] = {
		{ "default", IPSEC_LEVEL_DEFAULT, 0 },	{ "use", IPSEC_LEVEL_USE, 0 },
		{ "require", IPSEC_LEVEL_REQUIRE, 0 },	{ "unique", IPSEC_LEVEL_UNIQUE, 0 },
		{ "unique:1", IPSEC_LEVEL_UNIQUE, 1 },
		{ "unique:16383", IPSEC_LEVEL_UNIQUE, 16383 },
		{ "", IPSEC_LEVEL_DEFAULT, 0 },
	};
	const struct pfk_policy *pol;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "out ipsec esp/tunnel/192.0.2.1-192.0.2.2/%s",
		    t[i].lvl);
		pol = policy(text);
		assert_int_equal(pol->req[0].level, t[i].level);
		assert_int_equal(pol->req[0].reqid, t[i].reqid);
	}
}

static void
test_priorities(void **state)
{
	static const struct { const char *prio; uint32_t kernel; } t[] = {
		{ "", 0x80000000u },
		{ "priority 0", 0x80000000u },
		{ "priority 100", 0x80000000u - 100 },
		{ "prio 2147483648", 0 },
		{ "priority -100", 0x80000000u + 100 },
		{ "priority -2147483647", 0xffffffffu },
		{ "priority low", 0xC0000000u },
		{ "priority def", 0x80000000u },
		{ "prio high", 0x40000000u },
		{ "priority high + 5", 0x40000000u - 5 },
		{ "priority high+1073741824", 0 },
		{ "priority low - 5", 0xC0000000u + 5 },
		{ "priority low-1073741823", 0xffffffffu },
		{ "prio def+1", 0x7fffffffu },
	};
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "out %s discard", t[i].prio);
		assert_int_equal(policy(text)->priority, t[i].kernel);
	}
}

static void
test_omitted_parts(void **state)
{
	static const char *const t[] = {
		"esp/transport", "esp/transport/", "esp/transport//", "esp/transport//default",
	};
	const struct pfk_policy *pol;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "out ipsec %s", t[i]);
		pol = policy(text);
		assert_int_equal(pol->nreq, 1);
		assert_int_equal(pol->req[0].mode, IPSEC_MODE_TRANSPORT);
		assert_int_equal(pol->req[0].level, IPSEC_LEVEL_DEFAULT);
		assert_false(pol->req[0].has_endpoints);
	}
	pol = policy("out ipsec esp/tunnel/1.1.1.1-2.2.2.2");
	assert_true(pol->req[0].has_endpoints);
	assert_int_equal(pol->req[0].level, IPSEC_LEVEL_DEFAULT);
	pol = policy("out ipsec esp/tunnel/1.1.1.1-2.2.2.2/");
	assert_true(pol->req[0].has_endpoints);
}

static void
test_endpoints(void **state)
{
	const struct pfk_policy *pol;

	pol = policy("out ipsec esp/tunnel/192.168.0.1[4500]-192.168.1.2[30000]/require");
	assert_addr(&pol->req[0].src, "192.168.0.1", 32, 4500);
	assert_addr(&pol->req[0].dst, "192.168.1.2", 32, 30000);
	pol = policy("in ipsec esp/tunnel/2001:db8::1-2001:db8::2/use");
	assert_addr(&pol->req[0].src, "2001:db8::1", 128, 0);
	assert_addr(&pol->req[0].dst, "2001:db8::2", 128, 0);
	pol = policy("in ipsec esp/tunnel/fe80::1[any]-::ffff:1.2.3.4/use");
	assert_addr(&pol->req[0].dst, "::ffff:1.2.3.4", 128, 0);
}

static void
test_bundles(void **state)
{
	const struct pfk_policy *pol;

	pol = policy("out ipsec esp/transport//require ah/transport//require");
	assert_int_equal(pol->nreq, 2);
	assert_int_equal(pol->req[0].proto, IPPROTO_ESP);
	assert_int_equal(pol->req[1].proto, IPPROTO_AH);
	assert_int_equal(pol->req[1].level, IPSEC_LEVEL_REQUIRE);
	pol = policy("out ipsec ipcomp/tunnel/1.1.1.1-2.2.2.2/use "
	    "esp/tunnel/1.1.1.1-2.2.2.2/unique:9 ah/transport esp/transport/ ");
	assert_int_equal(pol->nreq, 4);
	assert_int_equal(pol->req[0].proto, IPPROTO_COMP);
	assert_int_equal(pol->req[1].reqid, 9);
	assert_int_equal(pol->req[2].mode, IPSEC_MODE_TRANSPORT);
	assert_int_equal(pol->req[3].proto, IPPROTO_ESP);
}

/* The -4/-6 flags bind the selectors, not the tunnel endpoints (6in4). */
static void
test_family_flags_and_endpoints(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "spdadd -6 2001:db8::/32 2001:db9::/32 any -P out ipsec "
	    "esp/tunnel/192.0.2.1-192.0.2.2/require;", &cmds);

	assert_int_equal(c->u.spd.src.af, AF_INET6);
	assert_int_equal(c->u.spd.pol.req[0].src.af, AF_INET);
}

static void
test_policy_spans_lines_and_comments(void **state)
{
	const struct pfk_policy *pol = &sk_ok(
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out # why\n"
	    "   ipsec # protect it; really\n"
	    "   esp/tunnel/1.1.1.1-2.2.2.2/require;\n", &cmds)->u.spd.pol;

	assert_int_equal(pol->type, IPSEC_POLICY_IPSEC);
	assert_int_equal(pol->nreq, 1);
}

static void
test_spddelete_forms(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "spddelete 10.0.0.0/8 10.1.0.0/16 any -P out;\n"
	    "spddelete 10.0.0.0/8 10.1.0.0/16 any -P in priority 10;\n"
	    "spddelete 10.0.0.0/8 10.1.0.0/16 any -P fwd ipsec esp/transport//use;\n", &cmds);

	assert_false(c->u.spd.has_action);
	assert_int_equal(c->next->u.spd.pol.priority, SK_PRIO_DEFAULT - 10);
	assert_false(c->next->u.spd.has_action);
	assert_true(c->next->next->u.spd.has_action);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_handbook_lines, teardown),
		cmocka_unit_test_teardown(test_ranges, teardown),
		cmocka_unit_test_teardown(test_upper_layer, teardown),
		cmocka_unit_test_teardown(test_directions_actions, teardown),
		cmocka_unit_test_teardown(test_levels, teardown),
		cmocka_unit_test_teardown(test_priorities, teardown),
		cmocka_unit_test_teardown(test_omitted_parts, teardown),
		cmocka_unit_test_teardown(test_endpoints, teardown),
		cmocka_unit_test_teardown(test_bundles, teardown),
		cmocka_unit_test_teardown(test_family_flags_and_endpoints, teardown),
		cmocka_unit_test_teardown(test_policy_spans_lines_and_comments, teardown),
		cmocka_unit_test_teardown(test_spddelete_forms, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
