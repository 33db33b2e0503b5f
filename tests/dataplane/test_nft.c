/*
 * test_nft.c: the nftables script for the `in` policies, as golden text,
 * and running it through a stand-in for nft that records its input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "nft.h"

#define HEAD(t) \
	"add table inet " t "\n" \
	"delete table inet " t "\n" \
	"table inet " t " {\n" \
	"\tchain prerouting {\n" \
	"\t\ttype filter hook prerouting priority -90; policy accept;\n"
#define EXEMPT(tun) \
	"\t\tiifname { \"lo\", \"" tun "\" } accept\n" \
	"\t\tmeta l4proto 50 fib daddr type local accept\n" \
	"\t\tudp dport { 500, 4500 } fib daddr type local accept\n"
#define TAIL	"\t}\n}\n"

static struct gw_addr
pfx(const char *s, unsigned plen, uint16_t port)
{
	struct gw_addr a;

	memset(&a, 0, sizeof(a));
	a.af = strchr(s, ':') ? AF_INET6 : AF_INET;
	a.plen = (uint8_t)plen;
	a.port = port;
	assert_int_equal(inet_pton(a.af, s, a.u.b), 1);
	return a;
}

static struct nft_rule
rule(const char *src, unsigned sp, uint16_t sport, const char *dst, unsigned dp,
    uint16_t dport, uint8_t proto, enum nft_verdict v, uint32_t spid)
{
	return (struct nft_rule){ .sel = { .src = pfx(src, sp, sport),
	    .dst = pfx(dst, dp, dport), .proto = proto }, .verdict = v, .spid = spid };
}

/* Renders into a heap string the caller frees; rc gets nft_render's result. */
static char *
render(const struct nft_conf *c, const struct nft_rule *r, size_t n, int *rc)
{
	char *s = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&s, &len);

	assert_non_null(fp);
	*rc = nft_render(c, r, n, fp);
	assert_int_equal(fclose(fp), 0);
	return s;
}

static void
assert_render(const struct nft_conf *c, const struct nft_rule *r, size_t n, const char *want)
{
	int rc;
	char *got = render(c, r, n, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
}

static struct nft_conf
conf(const char *tun)
{
	struct nft_conf c;

	assert_int_equal(nft_conf_init(&c, tun), 0);
	return c;
}

static void
test_conf_init(void **state)
{
	static const char *bad[] = { "", "0123456789abcdef", "a\"b", "a b", "a\\b", "x;y" };
	struct nft_conf c;
	size_t i;

	(void)state;
	c = conf("gif0");
	assert_string_equal(c.table, "tunneld_gif0");
	assert_string_equal(c.tun, "gif0");
	assert_int_equal(c.ike_port, 500);
	assert_int_equal(c.natt_port, 4500);
	assert_string_equal(c.nft, "nft");
	c = conf("wan-gw.7");
	assert_string_equal(c.table, "tunneld_wan_gw_7");
	assert_string_equal(c.tun, "wan-gw.7");
	c = conf("0123456789abcde");
	assert_string_equal(c.table, "tunneld_0123456789abcde");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nft_conf_init(&c, bad[i]), GW_E_BADVAL);
}

static void
test_render_no_policies(void **state)
{
	struct nft_conf c = conf("gif0");

	(void)state;
	assert_render(&c, NULL, 0, HEAD("tunneld_gif0") EXEMPT("gif0") TAIL);
}

static void
test_render_handbook(void **state)
{
	struct nft_conf c = conf("gif0");
	/* spdadd 203.0.113.2 203.0.113.1 ipencap -P in ipsec esp/tunnel/.../require; */
	struct nft_rule r = rule("203.0.113.2", 32, 0, "203.0.113.1", 32, 0, IPPROTO_IPIP,
	    NFT_DROP, 2);

	(void)state;
	assert_render(&c, &r, 1, HEAD("tunneld_gif0") EXEMPT("gif0")
	    "\t\tip saddr 203.0.113.2 ip daddr 203.0.113.1 meta l4proto 4 counter drop"
	    " comment \"spid 2\"\n"
	    TAIL);
}

static void
test_render_subnets_ports_protocols(void **state)
{
	struct nft_conf c = conf("tun1");
	struct nft_rule r[] = {
		rule("10.2.0.0", 16, 0, "10.1.0.5", 32, 22, IPPROTO_TCP, NFT_ACCEPT, 7),
		rule("10.2.0.0", 16, 53, "10.1.0.0", 16, 0, IPPROTO_UDP, NFT_ACCEPT, 0),
		rule("10.2.0.0", 16, 8, "10.1.0.0", 16, 0, IPPROTO_ICMP, NFT_DROP, 0),
		rule("10.2.0.0", 16, 3, "10.1.0.0", 16, 1, IPPROTO_ICMP, NFT_DROP, 0),
		rule("10.2.0.0", 16, 0, "10.1.0.0", 16, 4, IPPROTO_ICMP, NFT_DROP, 0),
		rule("10.2.0.0", 16, 2905, "10.1.0.0", 16, 2906, IPPROTO_SCTP, NFT_DROP, 0),
		rule("10.2.3.4", 16, 0, "10.1.0.0", 16, 0, 255, NFT_DROP, 9),
		rule("0.0.0.0", 0, 0, "0.0.0.0", 0, 0, 255, NFT_DROP, 10),
		rule("0.0.0.0", 0, 0, "192.0.2.0", 24, 0, IPPROTO_GRE, NFT_DROP, 0),
	};

	(void)state;
	assert_render(&c, r, sizeof(r) / sizeof(r[0]), HEAD("tunneld_tun1") EXEMPT("tun1")
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.5 tcp dport 22 counter accept"
	    " comment \"spid 7\"\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 udp sport 53 counter accept\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 icmp type 8 counter drop\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 icmp type 3 icmp code 1 counter drop\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 meta l4proto 1 icmp code 4"
	    " counter drop\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 sctp sport 2905 sctp dport 2906"
	    " counter drop\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 counter drop comment \"spid 9\"\n"
	    "\t\tmeta nfproto ipv4 counter drop comment \"spid 10\"\n"
	    "\t\tip daddr 192.0.2.0/24 meta l4proto 47 counter drop\n"
	    TAIL);
}

static void
test_render_ipv6(void **state)
{
	struct nft_conf c = conf("gif0");
	struct nft_rule r[] = {
		/* spdadd ::/0 ::/0 icmp6 135,0 -P in none; */
		rule("::", 0, 135, "::", 0, 0, IPPROTO_ICMPV6, NFT_ACCEPT, 3),
		rule("2001:db8:2::", 48, 0, "2001:db8:1::", 48, 443, IPPROTO_TCP, NFT_DROP, 4),
		rule("2001:db8:2::", 48, 5, "2001:db8:1::1", 128, 0, IPPROTO_MH, NFT_DROP, 0),
		rule("2001:db8:2::", 48, 0, "2001:db8:1::", 48, 0, 255, NFT_DROP, 5),
		rule("::", 0, 0, "::", 0, 0, 255, NFT_DROP, 6),
	};

	(void)state;
	assert_render(&c, r, sizeof(r) / sizeof(r[0]), HEAD("tunneld_gif0") EXEMPT("gif0")
	    "\t\tmeta nfproto ipv6 icmpv6 type 135 counter accept comment \"spid 3\"\n"
	    "\t\tip6 saddr 2001:db8:2::/48 ip6 daddr 2001:db8:1::/48 tcp dport 443 counter drop"
	    " comment \"spid 4\"\n"
	    "\t\tip6 saddr 2001:db8:2::/48 ip6 daddr 2001:db8:1::1 mh type 5 counter drop\n"
	    "\t\tip6 saddr 2001:db8:2::/48 ip6 daddr 2001:db8:1::/48 counter drop"
	    " comment \"spid 5\"\n"
	    "\t\tmeta nfproto ipv6 counter drop comment \"spid 6\"\n"
	    TAIL);
}

static void
test_render_inexpressible(void **state)
{
	struct nft_conf c = conf("gif0");
	struct nft_rule r[] = {
		/* GRE key 1.2.3.4: nft cannot see it; a drop widens, a bypass goes. */
		rule("10.2.0.0", 16, 0x0102, "10.1.0.0", 16, 0x0304, IPPROTO_GRE, NFT_DROP, 11),
		rule("10.2.0.0", 16, 0x0102, "10.1.0.0", 16, 0x0304, IPPROTO_GRE, NFT_ACCEPT, 12),
		/* Ports with protocol any. */
		rule("10.2.0.0", 16, 0, "10.1.0.0", 16, 80, 255, NFT_DROP, 13),
		/* Ports on ESP, code on MH: no packet has them. */
		rule("10.2.0.0", 16, 1, "10.1.0.0", 16, 0, IPPROTO_ESP, NFT_DROP, 14),
		rule("2001:db8::", 32, 5, "2001:db8::", 32, 1, IPPROTO_MH, NFT_ACCEPT, 15),
		/* ICMPv6 numbers on an IPv4 selector: not nft's icmpv6 match. */
		rule("10.2.0.0", 16, 128, "10.1.0.0", 16, 0, IPPROTO_ICMPV6, NFT_DROP, 16),
	};

	(void)state;
	assert_render(&c, r, sizeof(r) / sizeof(r[0]), HEAD("tunneld_gif0") EXEMPT("gif0")
	    "\t\t# spid 11: ports not expressible, dropping them all\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 meta l4proto 47 counter drop"
	    " comment \"spid 11\"\n"
	    "\t\t# spid 12: bypass not expressible, left out\n"
	    "\t\t# spid 13: ports not expressible, dropping them all\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 counter drop comment \"spid 13\"\n"
	    "\t\t# spid 14: selector matches no packet\n"
	    "\t\t# spid 15: selector matches no packet\n"
	    "\t\t# spid 16: ports not expressible, dropping them all\n"
	    "\t\tip saddr 10.2.0.0/16 ip daddr 10.1.0.0/16 meta l4proto 58 counter drop"
	    " comment \"spid 16\"\n"
	    TAIL);
}

static void
test_render_exemption_ports(void **state)
{
	struct nft_conf c = conf("gif0");
	int rc;
	char *s;

	(void)state;
	c.ike_port = 0;
	s = render(&c, NULL, 0, &rc);
	assert_non_null(strstr(s, "\t\tudp dport 4500 fib daddr type local accept\n"));
	free(s);
	c.natt_port = 0;
	s = render(&c, NULL, 0, &rc);
	assert_null(strstr(s, "udp dport"));
	free(s);
	c.ike_port = 4500;
	c.natt_port = 4500;
	s = render(&c, NULL, 0, &rc);
	assert_non_null(strstr(s, "\t\tudp dport 4500 fib daddr type local accept\n"));
	free(s);
}

static void
test_render_refuses_bad_selectors(void **state)
{
	struct nft_conf c = conf("gif0");
	struct nft_rule r[2];
	int rc;

	(void)state;
	r[0] = rule("10.2.0.0", 16, 0, "10.1.0.0", 16, 0, 255, NFT_DROP, 1);
	r[1] = rule("10.2.0.0", 16, 0, "2001:db8::", 32, 0, 255, NFT_DROP, 2);
	free(render(&c, r, 2, &rc));
	assert_int_equal(rc, GW_E_FAMILY);
	r[1] = rule("10.2.0.0", 16, 0, "10.1.0.0", 16, 0, 255, NFT_DROP, 2);
	r[1].sel.src.plen = 33;
	free(render(&c, r, 2, &rc));
	assert_int_equal(rc, GW_E_BADVAL);
	r[1].sel.src.plen = 16;
	r[1].sel.src.af = r[1].sel.dst.af = AF_UNSPEC;
	free(render(&c, r, 2, &rc));
	assert_int_equal(rc, GW_E_FAMILY);
}

static void
test_render_remove(void **state)
{
	struct nft_conf c = conf("gif0");
	char *s = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&s, &len);

	(void)state;
	assert_int_equal(nft_render_remove(&c, fp), 0);
	assert_int_equal(fclose(fp), 0);
	assert_string_equal(s, "add table inet tunneld_gif0\ndelete table inet tunneld_gif0\n");
	free(s);
}

/* A stand-in for nft: checks its arguments, keeps its input, fails on demand. */
static const char fake_nft[] =
	"#!/bin/sh\n"
	"[ \"$#\" = 2 ] && [ \"$1\" = -f ] && [ \"$2\" = - ] ||\n"
	"    { echo \"args: $*\" >&2; exit 2; }\n"
	"cat > \"$FAKE_NFT_OUT\"\n"
	"[ -z \"$FAKE_NFT_FAIL\" ] || { echo 'Error: Could not process rule' >&2;"
	" echo 'table inet x' >&2; exit 1; }\n";

struct fake {
	char	dir[64];
	char	prog[96];
	char	out[96];
};

static int
fake_setup(void **state)
{
	static struct fake f;
	FILE *fp;

	snprintf(f.dir, sizeof(f.dir), "/tmp/test_nft.XXXXXX");
	if (mkdtemp(f.dir) == NULL)
		return -1;
	snprintf(f.prog, sizeof(f.prog), "%s/nft", f.dir);
	snprintf(f.out, sizeof(f.out), "%s/script", f.dir);
	if ((fp = fopen(f.prog, "w")) == NULL)
		return -1;
	fputs(fake_nft, fp);
	if (fclose(fp) != 0 || chmod(f.prog, 0700) != 0)
		return -1;
	setenv("FAKE_NFT_OUT", f.out, 1);
	unsetenv("FAKE_NFT_FAIL");
	*state = &f;
	return 0;
}

static int
fake_teardown(void **state)
{
	struct fake *f = *state;

	unlink(f->out);
	unlink(f->prog);
	rmdir(f->dir);
	return 0;
}

static char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	return buf;
}

static void
test_sync_feeds_script_to_nft(void **state)
{
	struct fake *f = *state;
	struct nft_conf c = conf("gif0");
	struct nft_rule r = rule("203.0.113.2", 32, 0, "203.0.113.1", 32, 0, IPPROTO_IPIP,
	    NFT_DROP, 2);
	char *want;
	int rc;

	c.nft = f->prog;
	assert_int_equal(nft_sync(&c, &r, 1), 0);
	want = render(&c, &r, 1, &rc);
	assert_string_equal(slurp(f->out), want);
	free(want);
	assert_int_equal(nft_remove(&c), 0);
	assert_string_equal(slurp(f->out),
	    "add table inet tunneld_gif0\ndelete table inet tunneld_gif0\n");
}

static void
test_sync_reports_failure(void **state)
{
	struct fake *f = *state;
	struct nft_conf c = conf("gif0");

	c.nft = f->prog;
	setenv("FAKE_NFT_FAIL", "1", 1);
	assert_int_equal(nft_sync(&c, NULL, 0), -1);
	unsetenv("FAKE_NFT_FAIL");
	unlink(f->out);
	c.nft = "/nonexistent/nft";
	assert_int_equal(nft_sync(&c, NULL, 0), -1);
	c.nft = "/bin/false";
	assert_int_equal(nft_remove(&c), -1);
	c.nft = "true";	/* found through PATH */
	assert_int_equal(nft_remove(&c), 0);
}

static void
test_sync_refuses_bad_rules_without_running(void **state)
{
	struct fake *f = *state;
	struct nft_conf c = conf("gif0");
	struct nft_rule r = rule("10.2.0.0", 16, 0, "2001:db8::", 32, 0, 255, NFT_DROP, 2);

	c.nft = f->prog;
	assert_int_equal(nft_sync(&c, &r, 1), -1);
	assert_int_equal(access(f->out, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_init),
		cmocka_unit_test(test_render_no_policies),
		cmocka_unit_test(test_render_handbook),
		cmocka_unit_test(test_render_subnets_ports_protocols),
		cmocka_unit_test(test_render_ipv6),
		cmocka_unit_test(test_render_inexpressible),
		cmocka_unit_test(test_render_exemption_ports),
		cmocka_unit_test(test_render_refuses_bad_selectors),
		cmocka_unit_test(test_render_remove),
		cmocka_unit_test_setup_teardown(test_sync_feeds_script_to_nft, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_sync_reports_failure, fake_setup,
		    fake_teardown),
		cmocka_unit_test_setup_teardown(test_sync_refuses_bad_rules_without_running,
		    fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
