/*
 * test_print_spd.c: setkey -DP text (print_spd) against golden files
 * written by hand from specs/kame.md section 3.2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* The spec's gateway pair: 10.1/16 <-> 10.2/16 through 192.168.0.1-192.168.1.2. */
static void
spd_pair(struct pfk_msg *out, struct pfk_msg *in, uint32_t prio)
{
	struct gw_addr	g1 = addr("192.168.0.1", 32, 0);
	struct gw_addr	g2 = addr("192.168.1.2", 32, 0);

	spd_base(out, "10.1.0.0", 16, 0, "10.2.0.0", 16, 0, IPSEC_ULPROTO_ANY);
	spd_pol(out, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, prio, 25);
	spd_req(out, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, &g1, &g2);
	spd_life(out, T_SPD_CREATED, T_SPD_USED, 0, 0);
	out->seq = 1;
	out->pid = 20178;
	out->reserved = 1;
	spd_base(in, "10.2.0.0", 16, 0, "10.1.0.0", 16, 0, IPSEC_ULPROTO_ANY);
	spd_pol(in, IPSEC_DIR_INBOUND, IPSEC_POLICY_IPSEC, prio, 24);
	spd_req(in, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, &g2, &g1);
	spd_life(in, T_SPD_CREATED, 0, 0, 0);
	in->pid = 20178;
	in->reserved = 1;
}

static void
spd_golden(const char *name, const struct pfk_msg *ms, size_t n, const struct print_opts *o)
{
	struct cap	c;
	FILE		*f = cap_open(&c);
	size_t		i;

	for (i = 0; i < n; i++)
		print_spd(f, &ms[i], o);
	golden_check(name, cap_close(&c));
}

/* kame.md 3.2's pair as ipsec-tools prints it: 255 as "255", no scope. */
static void
test_spd_tools(void **state)
{
	struct pfk_msg	m[2];

	(void)state;
	spd_pair(&m[0], &m[1], 0);
	spd_golden("spd_tools.txt", m, 2, &opts_plain);
}

/* kame.md 3.2's Linux fwd copy with its default priority. */
static void
test_spd_fwd(void **state)
{
	struct pfk_msg	m[2];

	(void)state;
	spd_pair(&m[0], &m[1], 0x80000000);
	m[1].policy.dir = IPSEC_DIR_FWD;
	m[1].policy.id = 34;
	m[1].seq = 2;
	spd_golden("spd_fwd.txt", &m[1], 1, &opts_plain);
}

/* The FreeBSD handbook's gif+IPsec policies (ipencap, protocol 4). */
static void
test_spd_handbook(void **state)
{
	struct gw_addr	a = addr("10.0.0.1", 32, 0), b = addr("10.0.0.2", 32, 0);
	struct pfk_msg	m[2];

	(void)state;
	spd_base(&m[0], "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_IPIP);
	spd_pol(&m[0], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 1);
	spd_req(&m[0], IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, &a, &b);
	spd_life(&m[0], T_SPD_CREATED, T_SPD_USED, 0, 0);
	m[0].seq = 1;
	m[0].pid = 4242;
	m[0].reserved = 1;
	spd_base(&m[1], "10.0.0.2", 32, 0, "10.0.0.1", 32, 0, IPPROTO_IPIP);
	spd_pol(&m[1], IPSEC_DIR_INBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 2);
	spd_req(&m[1], IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, &b, &a);
	m[1].pid = 4242;
	m[1].reserved = 1;
	spd_golden("spd_handbook.txt", m, 2, &opts_plain);
}

/* unique:N up to 16383 (manual), unique#N above; no suffix for reqid 0. */
static void
test_spd_unique(void **state)
{
	struct gw_addr	g1 = addr("192.168.0.1", 32, 0), g2 = addr("192.168.1.2", 32, 0);
	struct pfk_msg	m[3];
	size_t		i;

	(void)state;
	spd_base(&m[0], "192.168.0.1", 32, 0, "192.168.1.2", 32, 0, IPSEC_ULPROTO_ANY);
	spd_pol(&m[0], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 8);
	spd_req(&m[0], IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 101, NULL, NULL);
	m[0].seq = 2;
	spd_base(&m[1], "10.1.0.0", 16, 0, "10.2.0.0", 16, 0, IPSEC_ULPROTO_ANY);
	spd_pol(&m[1], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 9);
	spd_req(&m[1], IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 16385, &g1, &g2);
	m[1].seq = 1;
	spd_base(&m[2], "10.3.0.0", 16, 0, "10.4.0.0", 16, 0, IPSEC_ULPROTO_ANY);
	spd_pol(&m[2], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 10);
	spd_req(&m[2], IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 16383, NULL, NULL);
	spd_req(&m[2], IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 16384, NULL, NULL);
	spd_req(&m[2], IPPROTO_COMP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 0, NULL, NULL);
	for (i = 0; i < 3; i++) {
		m[i].pid = 300;
		m[i].reserved = 1;
	}
	spd_golden("spd_unique.txt", m, 3, &opts_plain);
}

/* Transport bundles; -p adds nothing without endpoints; reqids only on unique. */
static void
test_spd_transport(void **state)
{
	struct pfk_msg	m[2];

	(void)state;
	spd_base(&m[0], "192.168.0.1", 32, 0, "192.168.1.2", 32, 80, IPPROTO_TCP);
	spd_pol(&m[0], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 16);
	spd_req(&m[0], IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 5, NULL, NULL);
	spd_req(&m[0], IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_USE, 0, NULL, NULL);
	m[0].seq = 1;
	m[0].pid = 77;
	spd_base(&m[1], "192.168.1.2", 32, 80, "192.168.0.1", 32, 0, IPPROTO_TCP);
	spd_pol(&m[1], IPSEC_DIR_INBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 17);
	spd_req(&m[1], IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_DEFAULT, 0, NULL, NULL);
	spd_req(&m[1], IPPROTO_AH, IPSEC_MODE_ANY, IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	m[1].pid = 77;
	spd_golden("spd_transport.txt", m, 2, &opts_ports);
}

static void
test_spd_discard_none(void **state)
{
	struct pfk_msg	m[4];
	size_t		i;

	(void)state;
	spd_base(&m[0], "10.0.0.0", 8, 0, "10.0.0.0", 8, 0, IPSEC_ULPROTO_ANY);
	spd_pol(&m[0], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_NONE, 0, 3);
	spd_base(&m[1], "0.0.0.0", 0, 0, "0.0.0.0", 0, 0, IPPROTO_UDP);
	spd_pol(&m[1], IPSEC_DIR_INBOUND, IPSEC_POLICY_DISCARD, 0x80000000, 4);
	spd_base(&m[2], "0.0.0.0", 0, 0, "0.0.0.0", 0, 0, IPSEC_ULPROTO_ANY);
	spd_pol(&m[2], IPSEC_DIR_ANY, IPSEC_POLICY_BYPASS, 0, 5);
	spd_base(&m[3], "0.0.0.0", 0, 0, "0.0.0.0", 0, 0, IPSEC_ULPROTO_ANY);
	spd_pol(&m[3], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_ENTRUST, 0, 6);
	for (i = 0; i < 4; i++) {
		m[i].seq = (uint32_t)(3 - i);
		m[i].pid = 1;
		m[i].reserved = 1;
	}
	spd_golden("spd_discard_none.txt", m, 4, &opts_plain);
}

/*
 * Kernel priorities to text: exact bases, offsets either side, the ties
 * at the midpoints between bases and the extremes of the range.
 */
static void
test_spd_prio(void **state)
{
	static const struct {
		uint32_t	prio;
		uint16_t	type;
	} t[] = {
		{ 0x80000000, IPSEC_POLICY_IPSEC },	/* prio def */
		{ 0x3ffffffb, IPSEC_POLICY_IPSEC },	/* prio high + 5 */
		{ 0xc0000003, IPSEC_POLICY_IPSEC },	/* prio low - 3 */
		{ 0x40000000, IPSEC_POLICY_DISCARD },	/* prio high */
		{ 0xc0000000, IPSEC_POLICY_NONE },	/* prio low */
		{ 0x8000000a, IPSEC_POLICY_NONE },	/* prio def - 10 */
		{ 0x60000000, IPSEC_POLICY_NONE },	/* tie high/def: def */
		{ 0xa0000000, IPSEC_POLICY_NONE },	/* tie def/low: low */
		{ 0x00000001, IPSEC_POLICY_NONE },
		{ 0xffffffff, IPSEC_POLICY_NONE },
		{ 0x5fffffff, IPSEC_POLICY_NONE },	/* just below the tie */
	};
	struct pfk_msg	m[NELEM(t)];
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		spd_base(&m[i], "10.0.0.1", 32, 0, "10.0.0.2", 32, 22, IPPROTO_TCP);
		spd_pol(&m[i], IPSEC_DIR_OUTBOUND, t[i].type, t[i].prio, (uint32_t)(100 + i));
		if (t[i].type == IPSEC_POLICY_IPSEC)
			spd_req(&m[i], IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0,
			    NULL, NULL);
		m[i].seq = (uint32_t)(NELEM(t) - 1 - i);
		m[i].pid = 2;
	}
	spd_golden("spd_prio.txt", m, NELEM(t), &opts_plain);
}

/* IPv6 prefixes and ports; NAT-T tunnel endpoint ports with -p only. */
static void
spd_v6_pair(struct pfk_msg *m)
{
	struct gw_addr	s6 = addr("2001:db8::1", 128, 0), d6 = addr("2001:db8::2", 128, 0);
	struct gw_addr	s4 = addr("192.168.0.1", 32, 4500), d4 = addr("192.168.1.2", 32, 30000);

	spd_base(&m[0], "2001:db8:1::", 48, 0, "2001:db8:2::1", 128, 443, IPPROTO_TCP);
	spd_pol(&m[0], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 40);
	spd_req(&m[0], IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, &s6, &d6);
	spd_life(&m[0], T_SPD_CREATED, 0, 3600, 600);
	m[0].seq = 1;
	m[0].pid = 5;
	m[0].reserved = 1;
	spd_base(&m[1], "10.1.0.0", 24, 0, "10.2.0.0", 24, 0, IPSEC_ULPROTO_ANY);
	spd_pol(&m[1], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 41);
	spd_req(&m[1], IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, &s4, &d4);
	m[1].pid = 5;
	m[1].reserved = 1;
}

static void
test_spd_ipv6_ports(void **state)
{
	struct pfk_msg	m[2];

	(void)state;
	spd_v6_pair(m);
	spd_golden("spd_ipv6.txt", m, 2, &opts_ports);
}

static void
test_spd_ipv6_noports(void **state)
{
	struct pfk_msg	m[2];

	(void)state;
	spd_v6_pair(m);
	spd_golden("spd_ipv6_nop.txt", m, 2, &opts_plain);
}

/* icmp6 135,0 and friends: no [port], type,code or GRE key after the name. */
static void
test_spd_portless(void **state)
{
	struct pfk_msg	m[5];
	size_t		i;

	(void)state;
	spd_base(&m[0], "::", 0, 135, "::", 0, 0, IPPROTO_ICMPV6);
	spd_pol(&m[0], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_NONE, 0x80000000, 50);
	spd_base(&m[1], "::", 0, 0, "::", 0, 0, IPPROTO_ICMPV6);
	spd_pol(&m[1], IPSEC_DIR_INBOUND, IPSEC_POLICY_NONE, 0x80000000, 51);
	spd_base(&m[2], "0.0.0.0", 0, 8, "10.0.0.0", 8, 0, IPPROTO_ICMP);
	spd_pol(&m[2], IPSEC_DIR_INBOUND, IPSEC_POLICY_DISCARD, 0x80000000, 52);
	spd_base(&m[3], "2001:db8::", 32, 0, "2001:db8::", 32, 5, IPPROTO_MH);
	spd_pol(&m[3], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_NONE, 0x80000000, 53);
	spd_base(&m[4], "10.0.0.1", 32, 1, "10.0.0.2", 32, 2, IPPROTO_GRE);
	spd_pol(&m[4], IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 54);
	spd_req(&m[4], IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	for (i = 0; i < 5; i++) {
		m[i].seq = (uint32_t)(4 - i);
		m[i].pid = 6;
		m[i].reserved = 1;
	}
	spd_golden("spd_portless.txt", m, 5, &opts_plain);
}

static void
test_spd_socket(void **state)
{
	struct pfk_msg	m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = SADB_X_SPDDUMP;
	pfk_set(&m, SADB_X_EXT_POLICY);
	spd_pol(&m, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0x80000000, 2147483649u);
	spd_req(&m, IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	spd_golden("spd_socket.txt", &m, 1, &opts_plain);
}

static char *
spd_text(const struct pfk_msg *m)
{
	struct cap	c;
	FILE		*f = cap_open(&c);

	print_spd(f, m, &opts_plain);
	return cap_close(&c);
}

static void
test_spd_broken(void **state)
{
	struct pfk_msg	m;
	char		*got;

	(void)state;
	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	m.present &= ~PFK_BIT(SADB_X_EXT_POLICY);
	assert_string_equal(got = spd_text(&m), "no X_POLICY extension.\n");
	free(got);

	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	m.present &= ~PFK_BIT(SADB_EXT_ADDRESS_DST);
	assert_string_equal(got = spd_text(&m), "no ADDRESS_DST extension.\n");
	free(got);

	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	m.dst.proto = IPPROTO_UDP;
	assert_string_equal(got = spd_text(&m),
	    "10.0.0.1[any] 10.0.0.2[any] upper layer protocol mismatched.\n");
	free(got);

	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	spd_pol(&m, 9, IPSEC_POLICY_NONE, 0, 1);
	assert_string_equal(got = spd_text(&m), "10.0.0.1[any] 10.0.0.2[any] tcp\n"
	    "\tPolicy:[Invalid direction (9)]\n\tspid=1 seq=0 pid=0\n\trefcnt=0\n");
	free(got);

	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	spd_pol(&m, IPSEC_DIR_OUTBOUND, 7, 0, 1);
	assert_non_null(strstr(got = spd_text(&m), "\tPolicy:[Invalid security policy (7)]\n"));
	free(got);

	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	spd_pol(&m, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0, 1);
	spd_req(&m, IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	spd_req(&m, IPPROTO_ESP, IPSEC_MODE_TRANSPORT, 4, 0, NULL, NULL);
	assert_non_null(strstr(got = spd_text(&m), "\n\tPolicy:[Invalid ipsec level (4)]\n"));
	free(got);

	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	spd_pol(&m, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0, 1);
	spd_req(&m, IPPROTO_UDP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	assert_non_null(strstr(got = spd_text(&m), "\tPolicy:[Invalid ipsec protocol (17)]\n"));
	free(got);

	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	spd_pol(&m, IPSEC_DIR_OUTBOUND, IPSEC_POLICY_IPSEC, 0, 1);
	spd_req(&m, IPPROTO_ESP, 3, IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	assert_non_null(strstr(got = spd_text(&m), "\tPolicy:[Invalid ipsec mode (3)]\n"));
	free(got);
}

/* Times that ctime() cannot put in 20 columns print as numbers. */
static void
test_time_out_of_range(void **state)
{
	struct pfk_msg	m;
	char		*got;

	(void)state;
	spd_base(&m, "10.0.0.1", 32, 0, "10.0.0.2", 32, 0, IPPROTO_TCP);
	spd_life(&m, UINT64_C(253402300800), UINT64_MAX, 0, 0);	/* year 10000 */
	got = spd_text(&m);
	assert_non_null(strstr(got,
	    "\tcreated:         253402300800  lastused: 18446744073709551615\n"));
	free(got);
	spd_life(&m, UINT64_C(253402300799), 1, 0, 0);	/* last second of 9999 */
	got = spd_text(&m);
	assert_non_null(strstr(got,
	    "\tcreated: Dec 31 23:59:59 9999  lastused: Jan  1 00:00:01 1970\n"));
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spd_tools),
		cmocka_unit_test(test_spd_fwd),
		cmocka_unit_test(test_spd_handbook),
		cmocka_unit_test(test_spd_unique),
		cmocka_unit_test(test_spd_transport),
		cmocka_unit_test(test_spd_discard_none),
		cmocka_unit_test(test_spd_prio),
		cmocka_unit_test(test_spd_ipv6_ports),
		cmocka_unit_test(test_spd_ipv6_noports),
		cmocka_unit_test(test_spd_portless),
		cmocka_unit_test(test_spd_socket),
		cmocka_unit_test(test_spd_broken),
		cmocka_unit_test(test_time_out_of_range),
	};

	if (fixture_tz_utc() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
