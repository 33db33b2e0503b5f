/* test_addr.c: address parsing, printing, prefixes, selectors, sockaddrs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/un.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Parses s (prefix form) or fails the test. */
static struct gw_addr
P(const char *s)
{
	struct gw_addr a;

	if (addr_parse_prefix(s, &a) != 0)
		fail_msg("cannot parse %s", s);
	return a;
}

/* A flow endpoint: a full-length address and a port. */
static struct gw_addr
EP(const char *s, uint16_t port)
{
	struct gw_addr a;

	if (addr_parse(s, &a) != 0)
		fail_msg("cannot parse %s", s);
	a.port = port;
	return a;
}

static void
test_lengths(void **state)
{
	assert_int_equal(addr_maxplen(AF_INET), 32);
	assert_int_equal(addr_maxplen(AF_INET6), 128);
	assert_int_equal(addr_maxplen(AF_UNSPEC), 0);
	assert_int_equal(addr_maxplen(AF_UNIX), 0);
	assert_int_equal(addr_len(AF_INET), 4);
	assert_int_equal(addr_len(AF_INET6), 16);
	assert_int_equal(addr_len(AF_UNSPEC), 0);
}

static void
test_parse_v4(void **state)
{
	static const uint8_t want[4] = { 192, 0, 2, 1 };
	struct gw_addr a;
	char buf[INET6_ADDRSTRLEN];

	memset(&a, 0xa5, sizeof(a));
	assert_int_equal(addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.af, AF_INET);
	assert_int_equal(a.plen, 32);
	assert_int_equal(a.port, 0);
	assert_memory_equal(a.u.b, want, 4);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(addr_parse("0.0.0.0", &a), 0);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "0.0.0.0");
	assert_int_equal(addr_parse("255.255.255.255", &a), 0);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "255.255.255.255");
}

/* Input and the form inet_ntop prints (RFC 5952 compression). */
static const struct {
	const char *in;
	const char *out;
} v6_forms[] = {
	{ "2001:db8::1", "2001:db8::1" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
	{ "2001:DB8::A", "2001:db8::a" },
	{ "::", "::" },
	{ "::1", "::1" },
	{ "1:0:0:0:0:0:0:0", "1::" },
	{ "fe80::1:2", "fe80::1:2" },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
	{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6" },
	{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
};

static void
test_parse_v6_roundtrip(void **state)
{
	struct gw_addr a, b;
	char buf[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < NELEM(v6_forms); i++) {
		assert_int_equal(addr_parse(v6_forms[i].in, &a), 0);
		assert_int_equal(a.af, AF_INET6);
		assert_int_equal(a.plen, 128);
		assert_int_equal(a.port, 0);
		assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), v6_forms[i].out);
		assert_int_equal(addr_parse(buf, &b), 0);
		assert_true(addr_eq(&a, &b));
	}
}

static const char *bad_addrs[] = {
	"", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
	"1.2.3.-4", "fe80::1%eth0", "fe80::1%1", "2001:db8::g", "::1::2",
	"1:2:3:4:5:6:7:8:9", "gateway.example", "localhost", "1.2.3.4/24",
	"2001:db8::/32", "[::1]", "0x01020304",
	/* longer than any address text */
	"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd",
};

static void
test_parse_bad(void **state)
{
	struct gw_addr a, before;
	size_t i;

	memset(&before, 0x5a, sizeof(before));
	for (i = 0; i < NELEM(bad_addrs); i++) {
		a = before;
		if (addr_parse(bad_addrs[i], &a) != GW_E_BADVAL)
			fail_msg("accepted \"%s\"", bad_addrs[i]);
		assert_memory_equal(&a, &before, sizeof(a));
	}
}

static void
test_prefix_good(void **state)
{
	struct gw_addr a;
	char buf[INET6_ADDRSTRLEN];

	a = P("10.0.0.0/8");
	assert_int_equal(a.af, AF_INET);
	assert_int_equal(a.plen, 8);
	/* Host bits are kept as written; addr_mask is a separate step. */
	a = P("10.1.2.3/8");
	assert_int_equal(a.plen, 8);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "10.1.2.3");
	assert_int_equal(P("0.0.0.0/0").plen, 0);
	assert_int_equal(P("10.0.0.1/32").plen, 32);
	assert_int_equal(P("10.0.0.1").plen, 32);
	assert_int_equal(P("1.2.3.4/08").plen, 8);
	a = P("2001:db8::/32");
	assert_int_equal(a.af, AF_INET6);
	assert_int_equal(a.plen, 32);
	assert_int_equal(P("::/0").plen, 0);
	assert_int_equal(P("::1/128").plen, 128);
	assert_int_equal(P("2001:db8::1").plen, 128);
	assert_int_equal(P("::ffff:10.0.0.0/104").plen, 104);
	assert_int_equal(P("10.0.0.0/8").port, 0);
}

static const char *bad_prefixes[] = {
	"10.0.0.0/33", "10.0.0.0/", "/8", "/", "", "1.2.3.4/08x", "::/129",
	"2001:db8::/1000", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/ 8", "1.2.3.4/8 ",
	"1.2.3.4/8/8", "1.2.3.4//8", "1.2.3.4/0008", "1.2.3.4/0x8", "1.2.3/8",
	"fe80::1%eth0/64", "fe80::1/64%eth0", "host/24", "1.2.3.4/4294967304",
};

static void
test_prefix_bad(void **state)
{
	struct gw_addr a, before;
	size_t i;

	memset(&before, 0x5a, sizeof(before));
	for (i = 0; i < NELEM(bad_prefixes); i++) {
		a = before;
		if (addr_parse_prefix(bad_prefixes[i], &a) != GW_E_BADVAL)
			fail_msg("accepted \"%s\"", bad_prefixes[i]);
		assert_memory_equal(&a, &before, sizeof(a));
	}
}

static void
test_ntop_edges(void **state)
{
	struct gw_addr a;
	char buf[INET6_ADDRSTRLEN], small[8];

	memset(&a, 0, sizeof(a));
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "(unspec)");
	a = EP("2001:db8::1234:5678", 0);
	/* Too small: empty, never overrun. */
	memset(small, 'x', sizeof(small));
	assert_ptr_equal(addr_ntop(&a, small, sizeof(small)), small);
	assert_string_equal(small, "");
	a = EP("192.0.2.1", 0);
	assert_string_equal(addr_ntop(&a, small, sizeof(small)), "");
	assert_string_equal(addr_ntop(&a, buf, 10), "192.0.2.1");
	assert_string_equal(addr_ntop(&a, buf, 9), "");
	memset(&a, 0, sizeof(a));
	assert_string_equal(addr_ntop(&a, small, 4), "(un");
	/* len 0: nothing is written. */
	buf[0] = 'q';
	assert_ptr_equal(addr_ntop(&a, buf, 0), buf);
	assert_int_equal(buf[0], 'q');
}

static void
test_mask(void **state)
{
	struct gw_addr a;
	char buf[INET6_ADDRSTRLEN];

	a = P("10.1.2.3/8");
	addr_mask(&a);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "10.0.0.0");
	assert_int_equal(a.plen, 8);
	a = P("10.255.255.255/13");
	addr_mask(&a);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "10.248.0.0");
	a = P("192.0.2.77/32");
	addr_mask(&a);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "192.0.2.77");
	a = P("192.0.2.77/0");
	addr_mask(&a);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "0.0.0.0");
	a = P("2001:db8::ff/127");
	addr_mask(&a);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "2001:db8::fe");
	a = P("2001:db8:ffff:ffff::1/36");
	addr_mask(&a);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "2001:db8:f000::");
	a = P("ffff::1/0");
	addr_mask(&a);
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "::");
}

/* True if address text a lies inside prefix text net. */
static bool
IN(const char *net, const char *a)
{
	struct gw_addr n = P(net), x = EP(a, 0);

	return addr_in_prefix(&n, &x);
}

static void
test_in_prefix_v4(void **state)
{
	struct gw_addr net = P("0.0.0.0/0"), unset;

	memset(&unset, 0, sizeof(unset));
	assert_false(addr_in_prefix(&net, &unset));
	assert_true(IN("0.0.0.0/0", "0.0.0.0"));
	assert_true(IN("203.0.113.9/0", "255.255.255.255"));
	assert_true(IN("192.0.2.1/32", "192.0.2.1"));
	assert_false(IN("192.0.2.1/32", "192.0.2.0"));
	assert_false(IN("192.0.2.1/32", "192.0.2.3"));
	assert_false(IN("192.0.2.1/32", "64.0.2.1"));
	assert_true(IN("10.248.0.0/13", "10.248.0.0"));
	assert_true(IN("10.248.0.0/13", "10.255.255.255"));
	assert_false(IN("10.248.0.0/13", "10.247.255.255"));
	assert_false(IN("10.248.0.0/13", "11.248.0.0"));
	assert_true(IN("128.0.0.0/1", "255.0.0.1"));
	assert_false(IN("128.0.0.0/1", "127.255.255.255"));
	assert_true(IN("192.0.2.0/31", "192.0.2.1"));
	assert_false(IN("192.0.2.0/31", "192.0.2.2"));
	/* Only the first plen bits of the net count, even if it is not masked. */
	assert_true(IN("10.1.2.3/8", "10.9.9.9"));
}

static void
test_in_prefix_v6(void **state)
{
	assert_true(IN("::/0", "2001:db8::1"));
	assert_true(IN("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(IN("::/0", "0.0.0.0"));
	assert_false(IN("0.0.0.0/0", "::"));
	assert_true(IN("2001:db8::1/128", "2001:db8::1"));
	assert_false(IN("2001:db8::1/128", "2001:db8::"));
	assert_false(IN("2001:db8::1/128", "2001:db8::3"));
	assert_false(IN("2001:db8::1/128", "2001:db9::1"));
	assert_true(IN("2001:db8::/127", "2001:db8::"));
	assert_true(IN("2001:db8::/127", "2001:db8::1"));
	assert_false(IN("2001:db8::/127", "2001:db8::2"));
	assert_false(IN("2001:db8::/127", "2001:db8:0:0:8000::"));
	assert_true(IN("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(IN("2001:db8::/33", "2001:db8:8000::"));
	assert_true(IN("2001:db8::/13", "2007:ffff::"));
	assert_true(IN("2001:db8::/13", "2000::"));
	assert_false(IN("2001:db8::/13", "2008::"));
	assert_false(IN("2001:db8::/13", "1fff:ffff::"));
}

static void
test_in_prefix_corrupt_plen(void **state)
{
	struct gw_addr net, a;

	/* A plen beyond the family's length must not read past the address. */
	net = P("10.0.0.1");
	net.plen = 40;
	a = EP("10.0.0.1", 0);
	assert_false(addr_in_prefix(&net, &a));
	net = P("::1");
	net.plen = 200;
	a = EP("::1", 0);
	assert_false(addr_in_prefix(&net, &a));
	memset(&net, 0, sizeof(net));
	memset(&a, 0, sizeof(a));
	assert_false(addr_in_prefix(&net, &a));
}

static struct gw_sel
SEL(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t proto)
{
	struct gw_sel s;

	s.src = P(src);
	s.src.port = sport;
	s.dst = P(dst);
	s.dst.port = dport;
	s.proto = proto;
	return s;
}

static struct gw_flow
FLOW(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t proto)
{
	return (struct gw_flow){ .src = EP(src, sport), .dst = EP(dst, dport), .proto = proto };
}

static void
test_sel_match_addrs(void **state)
{
	struct gw_sel s = SEL("10.0.0.0/8", 0, "192.168.0.0/16", 0, 255);
	struct gw_flow f;

	f = FLOW("10.1.2.3", 1234, "192.168.7.7", 80, IPPROTO_TCP);
	assert_true(sel_match(&s, &f));
	f = FLOW("11.1.2.3", 1234, "192.168.7.7", 80, IPPROTO_TCP);
	assert_false(sel_match(&s, &f));
	f = FLOW("10.1.2.3", 1234, "192.169.7.7", 80, IPPROTO_TCP);
	assert_false(sel_match(&s, &f));
	/* Source and destination are not interchangeable. */
	f = FLOW("192.168.7.7", 80, "10.1.2.3", 1234, IPPROTO_TCP);
	assert_false(sel_match(&s, &f));
	f = FLOW("::ffff:10.1.2.3", 1234, "::ffff:192.168.7.7", 80, IPPROTO_TCP);
	assert_false(sel_match(&s, &f));
	s = SEL("2001:db8:1::/48", 0, "2001:db8:2::/48", 0, 255);
	f = FLOW("2001:db8:1::5", 0, "2001:db8:2::9", 0, IPPROTO_ICMPV6);
	assert_true(sel_match(&s, &f));
	f = FLOW("10.1.2.3", 0, "192.168.7.7", 0, IPPROTO_ICMPV6);
	assert_false(sel_match(&s, &f));
}

static void
test_sel_match_proto_ports(void **state)
{
	struct gw_sel s = SEL("10.0.0.0/8", 0, "192.168.0.0/16", 80, IPPROTO_TCP);
	struct gw_flow f;

	f = FLOW("10.1.2.3", 40000, "192.168.0.1", 80, IPPROTO_TCP);
	assert_true(sel_match(&s, &f));
	f.dst.port = 81;
	assert_false(sel_match(&s, &f));
	f.dst.port = 80;
	f.proto = IPPROTO_UDP;
	assert_false(sel_match(&s, &f));
	s.src.port = 40000;
	f.proto = IPPROTO_TCP;
	assert_true(sel_match(&s, &f));
	f.src.port = 40001;
	assert_false(sel_match(&s, &f));
	/* Any protocol, any ports. */
	s = SEL("10.0.0.0/8", 0, "192.168.0.0/16", 0, 255);
	f = FLOW("10.1.2.3", 0, "192.168.0.1", 0, IPPROTO_GRE);
	assert_true(sel_match(&s, &f));
	f.proto = 0;
	assert_true(sel_match(&s, &f));
	/* Proto 0 in the selector is a protocol number (HOPOPTS), not "any". */
	s.proto = 0;
	f.proto = IPPROTO_TCP;
	assert_false(sel_match(&s, &f));
}

static void
test_sel_match_icmp(void **state)
{
	/* For ICMP the source port holds the type and the destination port the code. */
	struct gw_sel s = SEL("0.0.0.0/0", 8, "0.0.0.0/0", 0, IPPROTO_ICMP);
	struct gw_flow f;

	f = FLOW("10.0.0.1", 8, "10.0.0.2", 0, IPPROTO_ICMP);
	assert_true(sel_match(&s, &f));
	f.src.port = 0;
	assert_false(sel_match(&s, &f));
	s.dst.port = 3;
	f = FLOW("10.0.0.1", 8, "10.0.0.2", 3, IPPROTO_ICMP);
	assert_true(sel_match(&s, &f));
	f.dst.port = 1;
	assert_false(sel_match(&s, &f));
}

static void
test_sel_eq(void **state)
{
	struct gw_sel a = SEL("10.0.0.0/8", 0, "192.168.0.0/16", 80, IPPROTO_TCP);
	struct gw_sel b = a;

	assert_true(sel_eq(&a, &b));
	b.proto = IPPROTO_UDP;
	assert_false(sel_eq(&a, &b));
	b = a;
	b.dst.port = 81;
	assert_false(sel_eq(&a, &b));
	b = a;
	b.src.plen = 9;
	assert_false(sel_eq(&a, &b));
	b = a;
	b.src = P("10.0.0.1/8");
	assert_false(sel_eq(&a, &b));
	b = SEL("10.0.0.0/8", 0, "192.168.0.0/16", 80, IPPROTO_TCP);
	assert_true(sel_eq(&a, &b));
}

static void
test_sockaddr_v4(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	struct gw_addr a = EP("192.0.2.1", 500), b;

	assert_int_equal(addr_to_sockaddr(&a, &ss), sizeof(struct sockaddr_in));
	memcpy(&sin, &ss, sizeof(sin));
	assert_int_equal(sin.sin_family, AF_INET);
	assert_int_equal(sin.sin_port, htons(500));
	assert_int_equal(sin.sin_addr.s_addr, htonl(0xc0000201));
	memset(&b, 0xa5, sizeof(b));
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, sizeof(sin), &b), 0);
	assert_int_equal(b.af, AF_INET);
	assert_int_equal(b.plen, 32);
	assert_int_equal(b.port, 500);
	assert_int_equal(addr_cmp(&a, &b), 0);
}

static void
test_sockaddr_v6(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 sin6;
	struct gw_addr a = EP("2001:db8::42", 4500), b;

	a.plen = 64;	/* not carried by a sockaddr: comes back full */
	assert_int_equal(addr_to_sockaddr(&a, &ss), sizeof(struct sockaddr_in6));
	memcpy(&sin6, &ss, sizeof(sin6));
	assert_int_equal(sin6.sin6_family, AF_INET6);
	assert_int_equal(sin6.sin6_port, htons(4500));
	assert_int_equal(sin6.sin6_scope_id, 0);
	assert_int_equal(sin6.sin6_flowinfo, 0);
	assert_memory_equal(&sin6.sin6_addr, a.u.b, 16);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, sizeof(sin6), &b), 0);
	assert_int_equal(b.af, AF_INET6);
	assert_int_equal(b.plen, 128);
	assert_int_equal(b.port, 4500);
	assert_true(addr_eq(&a, &b));
}

static void
test_sockaddr_unaligned(void **state)
{
	/* A sockaddr inside a PF_KEY message need not be aligned. */
	uint8_t raw[1 + sizeof(struct sockaddr_in6)];
	struct sockaddr_storage ss;
	struct gw_addr a = EP("2001:db8::7", 1701), b;
	socklen_t len;

	len = addr_to_sockaddr(&a, &ss);
	memcpy(raw + 1, &ss, len);
	assert_int_equal(addr_from_sockaddr((const struct sockaddr *)(void *)(raw + 1), len,
	    &b), 0);
	assert_int_equal(addr_cmp(&a, &b), 0);
}

static void
test_sockaddr_bad(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct gw_addr a, before;

	memset(&before, 0x5a, sizeof(before));
	a = EP("192.0.2.1", 0);
	addr_to_sockaddr(&a, &ss);
	a = before;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, 0, &a), GW_E_SHORT);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, 1, &a), GW_E_SHORT);
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in) - 1, &a), GW_E_SHORT);
	assert_memory_equal(&a, &before, sizeof(a));

	a = EP("2001:db8::1", 0);
	addr_to_sockaddr(&a, &ss);
	a = before;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in6) - 1, &a), GW_E_SHORT);
	/* Long enough for a sockaddr_in but it says AF_INET6. */
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in), &a), GW_E_SHORT);
	memcpy(&sin6, &ss, sizeof(sin6));
	sin6.sin6_scope_id = 2;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin6), &a),
	    GW_E_UNSUPP);
	assert_memory_equal(&a, &before, sizeof(a));

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&sun, sizeof(sun), &a),
	    GW_E_FAMILY);
	memset(&ss, 0, sizeof(ss));
	assert_int_equal(addr_from_sockaddr((struct sockaddr *)&ss, sizeof(ss), &a),
	    GW_E_FAMILY);
	assert_memory_equal(&a, &before, sizeof(a));

	memset(&a, 0, sizeof(a));
	memset(&ss, 0x77, sizeof(ss));
	assert_int_equal(addr_to_sockaddr(&a, &ss), 0);
}

static int
cmp_qsort(const void *x, const void *y)
{
	return addr_cmp(x, y);
}

static void
test_cmp_order(void **state)
{
	/* Listed in the order addr_cmp must sort them. */
	struct gw_addr want[] = {
		EP("10.0.0.1", 0), EP("10.0.0.1", 0), EP("10.0.0.1", 0),
		EP("10.0.0.2", 0), EP("192.0.2.1", 0), EP("::", 0), EP("::1", 0),
		EP("2001:db8::1", 0),
	};
	struct gw_addr got[NELEM(want)];
	size_t i, j;

	want[0].plen = 24;
	want[2].port = 1;
	for (i = 0; i < NELEM(want); i++)
		got[i] = want[NELEM(want) - 1 - i];
	qsort(got, NELEM(got), sizeof(got[0]), cmp_qsort);
	for (i = 0; i < NELEM(want); i++)
		assert_int_equal(addr_cmp(&got[i], &want[i]), 0);
	for (i = 0; i < NELEM(want); i++) {
		for (j = 0; j < NELEM(want); j++) {
			int c = addr_cmp(&want[i], &want[j]);

			assert_int_equal(c, i < j ? -1 : i > j ? 1 : 0);
		}
	}
}

static void
test_eq(void **state)
{
	struct gw_addr a = P("10.0.0.1/8"), b = EP("10.0.0.1", 99), c;

	assert_true(addr_eq(&a, &b));
	assert_true(addr_cmp(&a, &b) != 0);
	b = EP("10.0.0.2", 0);
	assert_false(addr_eq(&a, &b));
	b = EP("::ffff:10.0.0.1", 0);
	assert_false(addr_eq(&a, &b));
	/* Bytes beyond an IPv4 address do not take part. */
	c = a;
	c.u.b[7] ^= 0xff;
	assert_true(addr_eq(&a, &c));
	assert_int_equal(addr_cmp(&a, &c), 0);
}

static void
test_hash(void **state)
{
	struct gw_addr a = EP("192.0.2.1", 0), b = P("192.0.2.1/24");
	unsigned buckets[64] = { 0 };
	uint32_t i, h;

	b.port = 500;
	assert_int_equal(addr_hash(&a, 7), addr_hash(&b, 7));
	assert_true(addr_hash(&a, 7) != addr_hash(&a, 8));
	b = EP("::ffff:192.0.2.1", 0);
	assert_true(addr_hash(&a, 7) != addr_hash(&b, 7));
	/* Consecutive addresses spread over the low bits a table uses. */
	for (i = 0; i < 4096; i++) {
		a.u.v4.s_addr = htonl(0x0a000000 + i);
		h = addr_hash(&a, 0x12345678);
		buckets[h & 63]++;
	}
	for (i = 0; i < 64; i++) {
		if (buckets[i] < 32 || buckets[i] > 100)
			fail_msg("bucket %u holds %u of 4096", i, buckets[i]);
	}
}

static void
test_is_unspec(void **state)
{
	struct gw_addr a;

	memset(&a, 0, sizeof(a));
	assert_true(addr_is_unspec(&a));
	a = EP("0.0.0.0", 0);
	assert_true(addr_is_unspec(&a));
	a = EP("::", 0);
	assert_true(addr_is_unspec(&a));
	a = EP("0.0.0.1", 0);
	assert_false(addr_is_unspec(&a));
	a = EP("::1", 0);
	assert_false(addr_is_unspec(&a));
	a = EP("8000::", 0);
	assert_false(addr_is_unspec(&a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_v6_roundtrip),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_prefix_good),
		cmocka_unit_test(test_prefix_bad),
		cmocka_unit_test(test_ntop_edges),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_in_prefix_v4),
		cmocka_unit_test(test_in_prefix_v6),
		cmocka_unit_test(test_in_prefix_corrupt_plen),
		cmocka_unit_test(test_sel_match_addrs),
		cmocka_unit_test(test_sel_match_proto_ports),
		cmocka_unit_test(test_sel_match_icmp),
		cmocka_unit_test(test_sel_eq),
		cmocka_unit_test(test_sockaddr_v4),
		cmocka_unit_test(test_sockaddr_v6),
		cmocka_unit_test(test_sockaddr_unaligned),
		cmocka_unit_test(test_sockaddr_bad),
		cmocka_unit_test(test_cmp_order),
		cmocka_unit_test(test_eq),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_is_unspec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
