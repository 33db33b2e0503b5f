/* test_proto.c: protocol names in both directions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proto.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Debian netbase /etc/protocols: the canonical names. */
static const struct {
	const char *name;
	int num;
} netbase[] = {
	{ "ip", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ggp", 3 }, { "ipencap", 4 },
	{ "st", 5 }, { "tcp", 6 }, { "egp", 8 }, { "igp", 9 }, { "pup", 12 },
	{ "udp", 17 }, { "hmp", 20 }, { "xns-idp", 22 }, { "rdp", 27 }, { "iso-tp4", 29 },
	{ "dccp", 33 }, { "xtp", 36 }, { "ddp", 37 }, { "idpr-cmtp", 38 }, { "ipv6", 41 },
	{ "ipv6-route", 43 }, { "ipv6-frag", 44 }, { "idrp", 45 }, { "rsvp", 46 },
	{ "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "skip", 57 }, { "ipv6-icmp", 58 },
	{ "ipv6-nonxt", 59 }, { "ipv6-opts", 60 }, { "rspf", 73 }, { "vmtp", 81 },
	{ "eigrp", 88 }, { "ospf", 89 }, { "ax.25", 93 }, { "ipip", 94 }, { "etherip", 97 },
	{ "encap", 98 }, { "pim", 103 }, { "ipcomp", 108 }, { "vrrp", 112 }, { "l2tp", 115 },
	{ "isis", 124 }, { "sctp", 132 }, { "fc", 133 }, { "mobility-header", 135 },
	{ "udplite", 136 }, { "mpls-in-ip", 137 }, { "manet", 138 }, { "hip", 139 },
	{ "shim6", 140 }, { "wesp", 141 }, { "rohc", 142 }, { "ethernet", 143 },
};

static void
test_names_to_numbers(void **state)
{
	size_t i;

	for (i = 0; i < NELEM(netbase); i++)
		if (proto_by_name(netbase[i].name) != netbase[i].num)
			fail_msg("%s -> %d", netbase[i].name, proto_by_name(netbase[i].name));
}

static void
test_numbers_to_names(void **state)
{
	size_t i;

	for (i = 0; i < NELEM(netbase); i++) {
		const char *n = proto_name((uint8_t)netbase[i].num);

		if (n == NULL || strcmp(n, netbase[i].name) != 0)
			fail_msg("%d -> %s", netbase[i].num, n ? n : "NULL");
	}
}

static void
test_kame_builtins(void **state)
{
	assert_int_equal(proto_by_name("icmp6"), 58);
	assert_int_equal(proto_by_name("ipv6-icmp"), 58);
	assert_int_equal(proto_by_name("ip4"), 4);
	/* The aliases never come back out. */
	assert_string_equal(proto_name(58), "ipv6-icmp");
	assert_string_equal(proto_name(4), "ipencap");
}

static void
test_unknown_numbers(void **state)
{
	unsigned n;
	size_t i, named = 0;

	assert_null(proto_name(255));
	assert_null(proto_name(7));
	assert_null(proto_name(253));
	for (n = 0; n < 256; n++) {
		bool listed = false;

		for (i = 0; i < NELEM(netbase); i++)
			listed = listed || netbase[i].num == (int)n;
		if (proto_name((uint8_t)n) != NULL) {
			named++;
			assert_true(listed);
		}
	}
	assert_int_equal(named, NELEM(netbase));
}

static void
test_unknown_names(void **state)
{
	static const char *bad[] = {
		"", "TCP", "Tcp", "tcp ", " tcp", "6", "any", "icmpv6", "ipv4", "ip6",
		"ipv6-", "a", "zzz", "ax.2", "ax.255", "reserved", "ethernet2",
	};
	size_t i;

	for (i = 0; i < NELEM(bad); i++)
		if (proto_by_name(bad[i]) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_to_numbers),
		cmocka_unit_test(test_numbers_to_names),
		cmocka_unit_test(test_kame_builtins),
		cmocka_unit_test(test_unknown_numbers),
		cmocka_unit_test(test_unknown_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
