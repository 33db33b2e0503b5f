/* test_pkt.c: 5-tuple parsing, outer headers, IP-in-IP, ECN. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "err.h"
#include "pkt.h"

#define HEADROOM	128

static const uint8_t v4src[4] = { 192, 0, 2, 1 };
static const uint8_t v4dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Independent RFC 1071 checksum for the tests' own packets. */
static uint16_t
cksum(const uint8_t *b, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4 packet: header (+ optlen bytes of NOP options), then l4. */
static size_t
mk4(uint8_t *b, uint8_t proto, const void *l4, size_t l4len, uint16_t frag, uint8_t tos,
    size_t optlen)
{
	size_t hl = 20 + optlen;

	memset(b, 0, hl);
	b[0] = (uint8_t)(0x40 | hl / 4);
	b[1] = tos;
	put16(b + 2, (uint16_t)(hl + l4len));
	put16(b + 4, 0x1234);
	put16(b + 6, frag);
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, v4src, 4);
	memcpy(b + 16, v4dst, 4);
	memset(b + 20, 1, optlen);
	put16(b + 10, cksum(b, hl, 0));
	if (l4len)
		memcpy(b + hl, l4, l4len);
	return hl + l4len;
}

/* An IPv6 packet: header with next header nh, then the payload as given. */
static size_t
mk6(uint8_t *b, uint8_t nh, const void *pl, size_t len, uint8_t tclass)
{
	memset(b, 0, 40);
	b[0] = (uint8_t)(0x60 | tclass >> 4);
	b[1] = (uint8_t)(tclass << 4 | 0x0a);
	b[2] = 0xbc;
	b[3] = 0xde;
	put16(b + 4, (uint16_t)len);
	b[6] = nh;
	b[7] = 64;
	memcpy(b + 8, v6src, 16);
	memcpy(b + 24, v6dst, 16);
	if (len)
		memcpy(b + 40, pl, len);
	return 40 + len;
}

static const uint8_t tcp_hdr[20] = { 0x04, 0x00, 0x00, 0x16, [12] = 0x50, [13] = 0x02 };
static const uint8_t udp_hdr[12] = { 0x13, 0x88, 0x00, 0x35, 0x00, 0x0c };
static const uint8_t icmp_echo[8] = { 8, 0, 0xf7, 0xff };

static void
assert_flow(const uint8_t *p, size_t len, uint8_t proto, uint16_t sp, uint16_t dp)
{
	struct gw_flow f;

	assert_int_equal(pkt_flow(p, len, &f), 0);
	assert_int_equal(f.proto, proto);
	assert_int_equal(f.src.port, sp);
	assert_int_equal(f.dst.port, dp);
	if ((p[0] >> 4) == 4) {
		assert_int_equal(f.src.af, AF_INET);
		assert_int_equal(f.src.plen, 32);
		assert_memory_equal(f.src.u.b, v4src, 4);
		assert_memory_equal(f.dst.u.b, v4dst, 4);
	} else {
		assert_int_equal(f.src.af, AF_INET6);
		assert_int_equal(f.dst.plen, 128);
		assert_memory_equal(f.src.u.b, v6src, 16);
		assert_memory_equal(f.dst.u.b, v6dst, 16);
	}
}

static void
test_flow_ipv4_tcp_udp_icmp(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	n = mk4(b, IPPROTO_TCP, tcp_hdr, sizeof(tcp_hdr), 0x4000, 0, 0);
	assert_flow(b, n, IPPROTO_TCP, 1024, 22);
	n = mk4(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0, 0, 0);
	assert_flow(b, n, IPPROTO_UDP, 5000, 53);
	n = mk4(b, IPPROTO_ICMP, icmp_echo, sizeof(icmp_echo), 0, 0, 0);
	assert_flow(b, n, IPPROTO_ICMP, 8, 0);
	/* Options are skipped by IHL. */
	n = mk4(b, IPPROTO_TCP, tcp_hdr, sizeof(tcp_hdr), 0, 0, 12);
	assert_flow(b, n, IPPROTO_TCP, 1024, 22);
}

static void
test_flow_ipv4_other_protocols(void **state)
{
	static const uint8_t sctp[12] = { 0x0b, 0x59, 0x0b, 0x5a };
	static const uint8_t esp[16] = { 0x00, 0x00, 0x10, 0x01, 0, 0, 0, 1 };
	/* GRE with checksum and key present: key 0x00010002. */
	static const uint8_t gre_ck[12] = { 0xa0, 0x00, 0x08, 0x00, 0xff, 0xff, 0, 0,
	    0x00, 0x01, 0x00, 0x02 };
	static const uint8_t gre_nokey[4] = { 0x00, 0x00, 0x08, 0x00 };
	uint8_t b[256];
	size_t n;

	(void)state;
	n = mk4(b, IPPROTO_SCTP, sctp, sizeof(sctp), 0, 0, 0);
	assert_flow(b, n, IPPROTO_SCTP, 2905, 2906);
	n = mk4(b, IPPROTO_UDPLITE, udp_hdr, sizeof(udp_hdr), 0, 0, 0);
	assert_flow(b, n, IPPROTO_UDPLITE, 5000, 53);
	n = mk4(b, IPPROTO_DCCP, tcp_hdr, sizeof(tcp_hdr), 0, 0, 0);
	assert_flow(b, n, IPPROTO_DCCP, 1024, 22);
	n = mk4(b, IPPROTO_ESP, esp, sizeof(esp), 0, 0, 0);
	assert_flow(b, n, IPPROTO_ESP, 0, 0);
	n = mk4(b, IPPROTO_GRE, gre_ck, sizeof(gre_ck), 0, 0, 0);
	assert_flow(b, n, IPPROTO_GRE, 1, 2);
	n = mk4(b, IPPROTO_GRE, gre_nokey, sizeof(gre_nokey), 0, 0, 0);
	assert_flow(b, n, IPPROTO_GRE, 0, 0);
	/* A protocol without ports needs no payload at all. */
	n = mk4(b, IPPROTO_IPIP, NULL, 0, 0, 0, 0);
	assert_flow(b, n, IPPROTO_IPIP, 0, 0);
}

static void
test_flow_ipv4_fragments(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	/* First fragment (MF, offset 0): ports are there. */
	n = mk4(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0x2000, 0, 0);
	assert_flow(b, n, IPPROTO_UDP, 5000, 53);
	/* Later fragment: the bytes that look like ports are payload. */
	n = mk4(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0x2000 | 185, 0, 0);
	assert_flow(b, n, IPPROTO_UDP, 0, 0);
	n = mk4(b, IPPROTO_TCP, NULL, 0, 1, 0, 0);
	assert_flow(b, n, IPPROTO_TCP, 0, 0);
	/* A first fragment too short for the ports is refused (RFC 1858). */
	n = mk4(b, IPPROTO_TCP, tcp_hdr, 3, 0x2000, 0, 0);
	assert_int_equal(pkt_flow(b, n, &(struct gw_flow){ 0 }), GW_E_SHORT);
}

static void
test_flow_ipv4_bad_headers(void **state)
{
	uint8_t b[256];
	struct gw_flow f;
	size_t n;

	(void)state;
	n = mk4(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0, 0, 0);
	b[0] = 0x44;	/* IHL 4 */
	assert_int_equal(pkt_flow(b, n, &f), GW_E_BADVAL);
	b[0] = 0x45;
	put16(b + 2, 19);	/* total length below the header */
	assert_int_equal(pkt_flow(b, n, &f), GW_E_BADVAL);
	put16(b + 2, (uint16_t)(n + 1));	/* beyond the buffer */
	assert_int_equal(pkt_flow(b, n, &f), GW_E_SHORT);
	put16(b + 2, (uint16_t)n);
	b[0] = 0x4f;	/* 60-byte header in a 32-byte packet */
	assert_int_equal(pkt_flow(b, n, &f), GW_E_BADVAL);
	b[0] = 0x55;
	assert_int_equal(pkt_flow(b, n, &f), GW_E_FAMILY);
	b[0] = 0x05;
	assert_int_equal(pkt_flow(b, n, &f), GW_E_FAMILY);
	assert_int_equal(pkt_flow(b, 0, &f), GW_E_SHORT);
	/* Link-layer padding after the total length is ignored. */
	n = mk4(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0, 0, 0);
	memset(b + n, 0xee, 10);
	assert_flow(b, n + 10, IPPROTO_UDP, 5000, 53);
	/* A TCP packet whose total length cuts the ports off. */
	n = mk4(b, IPPROTO_TCP, tcp_hdr, sizeof(tcp_hdr), 0, 0, 0);
	put16(b + 2, 23);
	assert_int_equal(pkt_flow(b, n, &f), GW_E_SHORT);
}

static void
test_flow_ipv6_basic(void **state)
{
	static const uint8_t icmp6[8] = { 128, 0 };
	static const uint8_t mh[8] = { 59, 0, 5, 0 };
	uint8_t b[256];
	size_t n;

	(void)state;
	n = mk6(b, IPPROTO_TCP, tcp_hdr, sizeof(tcp_hdr), 0);
	assert_flow(b, n, IPPROTO_TCP, 1024, 22);
	n = mk6(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0);
	assert_flow(b, n, IPPROTO_UDP, 5000, 53);
	n = mk6(b, IPPROTO_ICMPV6, icmp6, sizeof(icmp6), 0);
	assert_flow(b, n, IPPROTO_ICMPV6, 128, 0);
	n = mk6(b, IPPROTO_MH, mh, sizeof(mh), 0);
	assert_flow(b, n, IPPROTO_MH, 5, 0);
	n = mk6(b, IPPROTO_NONE, NULL, 0, 0);
	assert_flow(b, n, IPPROTO_NONE, 0, 0);
}

static void
test_flow_ipv6_extension_chain(void **state)
{
	/* hop-by-hop (8) -> routing (16) -> destination options (8) -> UDP */
	uint8_t pl[64] = {
		IPPROTO_ROUTING, 0, 1, 4, 0, 0, 0, 0,
		IPPROTO_DSTOPTS, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0,
	};
	uint8_t b[256];
	struct gw_flow f;
	size_t n;

	(void)state;
	memcpy(pl + 32, udp_hdr, sizeof(udp_hdr));
	n = mk6(b, IPPROTO_HOPOPTS, pl, 32 + sizeof(udp_hdr), 0);
	assert_flow(b, n, IPPROTO_UDP, 5000, 53);
	/* Hop-by-hop anywhere but first is invalid (RFC 8200 4.1). */
	n = mk6(b, IPPROTO_DSTOPTS, (uint8_t[]){ IPPROTO_HOPOPTS, 0, 1, 4, 0, 0, 0, 0,
	    IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0 }, 16, 0);
	assert_int_equal(pkt_flow(b, n, &f), GW_E_BADVAL);
	/* A header length running past the payload. */
	n = mk6(b, IPPROTO_DSTOPTS, (uint8_t[]){ IPPROTO_UDP, 2, 1, 4, 0, 0, 0, 0 }, 8, 0);
	assert_int_equal(pkt_flow(b, n, &f), GW_E_SHORT);
}

static void
test_flow_ipv6_exthdr_bound(void **state)
{
	uint8_t pl[8 * (PKT_MAX_EXTHDR + 1) + 8], b[256];
	struct gw_flow f;
	size_t i, n;

	(void)state;
	for (i = 0; i <= PKT_MAX_EXTHDR; i++) {
		memset(pl + 8 * i, 0, 8);
		pl[8 * i] = IPPROTO_DSTOPTS;
	}
	/* Exactly PKT_MAX_EXTHDR headers, then UDP: accepted. */
	pl[8 * (PKT_MAX_EXTHDR - 1)] = IPPROTO_UDP;
	memcpy(pl + 8 * PKT_MAX_EXTHDR, udp_hdr, 8);
	n = mk6(b, IPPROTO_DSTOPTS, pl, 8 * PKT_MAX_EXTHDR + 8, 0);
	assert_flow(b, n, IPPROTO_UDP, 5000, 53);
	/* One more: refused. */
	pl[8 * (PKT_MAX_EXTHDR - 1)] = IPPROTO_DSTOPTS;
	pl[8 * PKT_MAX_EXTHDR] = IPPROTO_UDP;
	memcpy(pl + 8 * (PKT_MAX_EXTHDR + 1), udp_hdr, 8);
	n = mk6(b, IPPROTO_DSTOPTS, pl, sizeof(pl), 0);
	assert_int_equal(pkt_flow(b, n, &f), GW_E_UNSUPP);
}

static void
test_flow_ipv6_fragments(void **state)
{
	uint8_t frag[8 + 12] = { IPPROTO_UDP, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef };
	uint8_t b[256];
	size_t n;

	(void)state;
	memcpy(frag + 8, udp_hdr, sizeof(udp_hdr));
	/* First fragment: offset 0, M set. */
	n = mk6(b, IPPROTO_FRAGMENT, frag, sizeof(frag), 0);
	assert_flow(b, n, IPPROTO_UDP, 5000, 53);
	/* Atomic fragment (RFC 6946): offset 0, M clear. */
	frag[3] = 0;
	n = mk6(b, IPPROTO_FRAGMENT, frag, sizeof(frag), 0);
	assert_flow(b, n, IPPROTO_UDP, 5000, 53);
	/* Offset 1480: no ports, protocol from the fragment header. */
	put16(frag + 2, 1480);
	n = mk6(b, IPPROTO_FRAGMENT, frag, sizeof(frag), 0);
	assert_flow(b, n, IPPROTO_UDP, 0, 0);
}

static void
test_flow_ipv6_bad_headers(void **state)
{
	uint8_t b[256];
	struct gw_flow f;
	size_t n;

	(void)state;
	n = mk6(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0);
	put16(b + 4, (uint16_t)(sizeof(udp_hdr) + 1));
	assert_int_equal(pkt_flow(b, n, &f), GW_E_SHORT);
	/* Jumbogram (RFC 2675): payload length 0 and hop-by-hop. */
	n = mk6(b, IPPROTO_HOPOPTS, (uint8_t[8]){ IPPROTO_UDP, 0, 0xc2, 4 }, 8, 0);
	put16(b + 4, 0);
	assert_int_equal(pkt_flow(b, n, &f), GW_E_UNSUPP);
	/* Payload length 0 for UDP: no room for the ports. */
	n = mk6(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0);
	put16(b + 4, 0);
	assert_int_equal(pkt_flow(b, n, &f), GW_E_SHORT);
}

/* Every valid sample the truncation and mutation sweeps run over. */
static size_t
samples(uint8_t bufs[][256], size_t *lens)
{
	uint8_t chain[40] = { IPPROTO_FRAGMENT, 0, 1, 4, 0, 0, 0, 0,
	    IPPROTO_UDP, 0, 0, 1, 1, 2, 3, 4 };
	size_t k = 0;

	memcpy(chain + 16, udp_hdr, 8);
	lens[k] = mk4(bufs[k], IPPROTO_TCP, tcp_hdr, sizeof(tcp_hdr), 0, 0, 8), k++;
	lens[k] = mk4(bufs[k], IPPROTO_ICMP, icmp_echo, sizeof(icmp_echo), 0, 0, 0), k++;
	lens[k] = mk4(bufs[k], IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0x2000, 0, 0), k++;
	lens[k] = mk6(bufs[k], IPPROTO_TCP, tcp_hdr, sizeof(tcp_hdr), 0), k++;
	lens[k] = mk6(bufs[k], IPPROTO_HOPOPTS, chain, 24, 0), k++;
	lens[k] = mk6(bufs[k], IPPROTO_ICMPV6, icmp_echo, sizeof(icmp_echo), 0), k++;
	return k;
}

static void
test_flow_every_truncation_fails(void **state)
{
	uint8_t bufs[8][256];
	size_t lens[8], k, i, len;
	struct gw_flow f, sentinel;

	(void)state;
	memset(&sentinel, 0xa5, sizeof(sentinel));
	k = samples(bufs, lens);
	for (i = 0; i < k; i++) {
		assert_int_equal(pkt_flow(bufs[i], lens[i], &f), 0);
		for (len = 0; len < lens[i]; len++) {
			f = sentinel;
			assert_true(pkt_flow(bufs[i], len, &f) < 0);
			assert_memory_equal(&f, &sentinel, sizeof(f));
		}
	}
}

static void
test_flow_bit_flips_never_crash(void **state)
{
	uint8_t bufs[8][256], m[256];
	size_t lens[8], k, i, bit;
	struct gw_flow f;
	int rc;

	(void)state;
	k = samples(bufs, lens);
	for (i = 0; i < k; i++) {
		for (bit = 0; bit < lens[i] * 8; bit++) {
			memcpy(m, bufs[i], lens[i]);
			m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = pkt_flow(m, lens[i], &f);
			assert_true(rc == 0 || rc == GW_E_SHORT || rc == GW_E_BADVAL ||
			    rc == GW_E_FAMILY || rc == GW_E_UNSUPP);
		}
	}
}

static void
test_ipv4_checksum(void **state)
{
	/* A captured header whose checksum is 0xb861. */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	(void)state;
	assert_true(pkt_ipv4_csum_ok(h, sizeof(h)));
	assert_false(pkt_ipv4_csum_ok(h, 19));
	h[8] = 0x3f;
	assert_false(pkt_ipv4_csum_ok(h, sizeof(h)));
	h[8] = 0x40;
	h[0] = 0x44;
	assert_false(pkt_ipv4_csum_ok(h, sizeof(h)));
	h[0] = 0x65;
	assert_false(pkt_ipv4_csum_ok(h, sizeof(h)));
}

static struct gw_addr
mkaddr(const char *s)
{
	struct gw_addr a;

	memset(&a, 0, sizeof(a));
	if (strchr(s, ':') != NULL) {
		a.af = AF_INET6;
		a.plen = 128;
	} else {
		a.af = AF_INET;
		a.plen = 32;
	}
	assert_int_equal(inet_pton(a.af, s, a.u.b), 1);
	return a;
}

static void
test_outer_ipv4_esp(void **state)
{
	struct gw_addr s = mkaddr("203.0.113.1"), d = mkaddr("203.0.113.2");
	uint8_t mem[256];
	struct pkt_buf p;
	uint8_t *h;

	(void)state;
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memset(pkt_put(&p, 60), 0x5a, 60);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s, .dst = &d,
	    .proto = IPPROTO_ESP, .tos = 0xb8 | PKT_ECN_CE, .df = true, .id = 0x4242 }), 0);
	h = pkt_data(&p);
	assert_int_equal(p.len, 80);
	assert_int_equal(p.off, HEADROOM - 20);
	assert_int_equal(h[0], 0x45);
	assert_int_equal(h[1], 0xbb);	/* DSCP EF and CE copied (RFC 6040 normal mode) */
	assert_int_equal(get16(h + 2), 80);
	assert_int_equal(get16(h + 4), 0x4242);
	assert_int_equal(get16(h + 6), 0x4000);
	assert_int_equal(h[8], PKT_DEFAULT_TTL);
	assert_int_equal(h[9], IPPROTO_ESP);
	assert_memory_equal(h + 12, s.u.b, 4);
	assert_memory_equal(h + 16, d.u.b, 4);
	assert_int_equal(cksum(h, 20, 0), 0);
	assert_true(pkt_ipv4_csum_ok(h, p.len));
	assert_int_equal(h[20], 0x5a);
}

static void
test_outer_ipv4_udp_encap(void **state)
{
	struct gw_addr s = mkaddr("203.0.113.1"), d = mkaddr("203.0.113.2");
	struct pkt_outer o;
	uint8_t mem[256];
	struct pkt_buf p;
	uint8_t *h;

	(void)state;
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memset(pkt_put(&p, 40), 0x11, 40);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s, .dst = &d,
	    .proto = IPPROTO_ESP, .sport = PKT_NATT_PORT, .dport = 31000, .ttl = 17 }), 0);
	h = pkt_data(&p);
	assert_int_equal(p.len, 68);
	assert_int_equal(h[1], 0);
	assert_int_equal(get16(h + 6), 0);	/* DF clear */
	assert_int_equal(h[8], 17);
	assert_int_equal(h[9], IPPROTO_UDP);
	assert_int_equal(get16(h + 20), 4500);
	assert_int_equal(get16(h + 22), 31000);
	assert_int_equal(get16(h + 24), 48);
	assert_int_equal(get16(h + 26), 0);	/* RFC 3948 2.1: zero over IPv4 */
	assert_int_equal(pkt_outer_parse(h, p.len, &o), 0);
	assert_int_equal(o.proto, IPPROTO_UDP);
	assert_int_equal(o.hlen, 20);
	assert_int_equal(o.totlen, 68);
}

static void
test_outer_ipv6_esp_and_udp(void **state)
{
	struct gw_addr s = mkaddr("2001:db8:a::1"), d = mkaddr("2001:db8:b::2");
	uint8_t mem[256], pseudo[40];
	struct pkt_buf p;
	uint8_t *h;
	uint32_t sum = 0;
	size_t i;

	(void)state;
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memset(pkt_put(&p, 33), 0x77, 33);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s, .dst = &d,
	    .proto = IPPROTO_ESP, .tos = 0x29, .ttl = 5, .flowlabel = 0xabcde,
	    .df = true }), 0);
	h = pkt_data(&p);
	assert_int_equal(p.len, 73);
	assert_int_equal(h[0], 0x62);
	assert_int_equal(h[1], 0x9a);
	assert_int_equal(get16(h + 2), 0xbcde);
	assert_int_equal(get16(h + 4), 33);
	assert_int_equal(h[6], IPPROTO_ESP);
	assert_int_equal(h[7], 5);
	assert_memory_equal(h + 8, s.u.b, 16);
	assert_memory_equal(h + 24, d.u.b, 16);

	/* ESP-in-UDP over IPv6 needs a real checksum (RFC 8200 8.1). */
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memset(pkt_put(&p, 33), 0x77, 33);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s, .dst = &d,
	    .proto = IPPROTO_ESP, .sport = 4500, .dport = 4500 }), 0);
	h = pkt_data(&p);
	assert_int_equal(get16(h + 4), 41);
	assert_int_equal(h[6], IPPROTO_UDP);
	assert_int_equal(h[7], PKT_DEFAULT_TTL);
	assert_int_not_equal(get16(h + 46), 0);
	memcpy(pseudo, s.u.b, 16);
	memcpy(pseudo + 16, d.u.b, 16);
	memset(pseudo + 32, 0, 8);
	pseudo[35] = 41;
	pseudo[39] = IPPROTO_UDP;
	for (i = 0; i < 40; i += 2)
		sum += get16(pseudo + i);
	assert_int_equal(cksum(h + 40, 41, sum), 0);
}

static void
test_outer_build_refusals(void **state)
{
	struct gw_addr s4 = mkaddr("203.0.113.1"), d6 = mkaddr("2001:db8::2");
	struct gw_addr d4 = mkaddr("203.0.113.2"), bad = { 0 };
	static uint8_t big[70000];
	uint8_t mem[64];
	struct pkt_buf p, before;

	(void)state;
	pkt_init(&p, mem, sizeof(mem), 19);
	pkt_put(&p, 10);
	before = p;
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s4, .dst = &d4,
	    .proto = IPPROTO_ESP }), GW_E_TOOLONG);
	assert_memory_equal(&p, &before, sizeof(p));
	pkt_init(&p, mem, sizeof(mem), 27);
	pkt_put(&p, 10);
	before = p;
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s4, .dst = &d4,
	    .proto = IPPROTO_ESP, .sport = 4500, .dport = 4500 }), GW_E_TOOLONG);
	assert_memory_equal(&p, &before, sizeof(p));
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s4, .dst = &d6,
	    .proto = IPPROTO_ESP }), GW_E_FAMILY);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &bad, .dst = &bad,
	    .proto = IPPROTO_ESP }), GW_E_FAMILY);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s4, .dst = &d4,
	    .proto = IPPROTO_IPIP, .sport = 4500, .dport = 4500 }), GW_E_BADVAL);
	assert_memory_equal(&p, &before, sizeof(p));
	/* 65535 - 20 fits an IPv4 packet, one more does not. */
	pkt_init(&p, big, sizeof(big), HEADROOM);
	pkt_put(&p, 65515);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s4, .dst = &d4,
	    .proto = IPPROTO_ESP }), 0);
	pkt_init(&p, big, sizeof(big), HEADROOM);
	pkt_put(&p, 65516);
	assert_int_equal(pkt_outer_build(&p, &(struct pkt_outer_args){ .src = &s4, .dst = &d4,
	    .proto = IPPROTO_ESP }), GW_E_TOOLONG);
	/* A UDP length field holds at most 65535 - 8 bytes of payload. */
	pkt_init(&p, big, sizeof(big), HEADROOM);
	pkt_put(&p, 65528);
	assert_int_equal(pkt_udp_push(&p, 1, 2), GW_E_TOOLONG);
	assert_int_equal(p.len, 65528);
	pkt_trim(&p, 1);
	assert_int_equal(pkt_udp_push(&p, 1, 2), 0);
	assert_int_equal(get16(pkt_data(&p) + 4), 65535);
}

static void
test_udp_push(void **state)
{
	uint8_t mem[64];
	struct pkt_buf p;

	(void)state;
	pkt_init(&p, mem, sizeof(mem), 8);
	memset(pkt_put(&p, 5), 0, 5);
	assert_int_equal(pkt_udp_push(&p, 4500, 4501), 0);
	assert_int_equal(p.len, 13);
	assert_int_equal(get16(mem), 4500);
	assert_int_equal(get16(mem + 2), 4501);
	assert_int_equal(get16(mem + 4), 13);
	assert_int_equal(get16(mem + 6), 0);
	assert_int_equal(pkt_udp_push(&p, 1, 2), GW_E_TOOLONG);
}

static void
test_inner_info(void **state)
{
	uint8_t b[256];
	struct pkt_inner in;
	size_t n;

	(void)state;
	n = mk4(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0x4000, 0x2e, 0);
	assert_int_equal(pkt_inner_info(b, n, &in), 0);
	assert_int_equal(in.version, 4);
	assert_int_equal(in.tos, 0x2e);
	assert_true(in.df);
	n = mk6(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0xb9);
	assert_int_equal(pkt_inner_info(b, n, &in), 0);
	assert_int_equal(in.version, 6);
	assert_int_equal(in.tos, 0xb9);
	assert_false(in.df);
	assert_int_equal(pkt_inner_info(b, 39, &in), GW_E_SHORT);
	assert_int_equal(pkt_inner_info(b, 0, &in), GW_E_SHORT);
	b[0] = 0x10;
	assert_int_equal(pkt_inner_info(b, n, &in), GW_E_FAMILY);
}

static void
test_ipip_round_trip_v4(void **state)
{
	struct gw_addr s = mkaddr("203.0.113.1"), d = mkaddr("203.0.113.2");
	uint8_t mem[512], inner[256];
	struct pkt_outer o;
	struct pkt_buf p;
	uint8_t *h;
	size_t n;

	(void)state;
	n = mk4(inner, IPPROTO_TCP, tcp_hdr, sizeof(tcp_hdr), 0x4000, 0x28 | PKT_ECN_ECT0, 0);
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memcpy(pkt_put(&p, n), inner, n);
	assert_int_equal(pkt_ipip_encap(&p, &s, &d, 0, 7), 0);
	h = pkt_data(&p);
	assert_int_equal(p.len, n + 20);
	assert_int_equal(h[1], 0x28 | PKT_ECN_ECT0);
	assert_int_equal(get16(h + 4), 7);
	assert_int_equal(get16(h + 6), 0x4000);	/* DF copied (RFC 2003 3.1) */
	assert_int_equal(h[8], 64);
	assert_int_equal(h[9], IPPROTO_IPIP);
	assert_true(pkt_ipv4_csum_ok(h, p.len));
	/* The receiving gateway: peer is our d's view of s. */
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, &o), PKT_ECN_OK);
	assert_int_equal(p.len, n);
	assert_memory_equal(pkt_data(&p), inner, n);
	assert_int_equal(o.proto, IPPROTO_IPIP);
	assert_true(addr_eq(&o.src, &s));
	assert_true(addr_eq(&o.dst, &d));
}

static void
test_ipip_round_trip_v6_inner(void **state)
{
	struct gw_addr s = mkaddr("203.0.113.1"), d = mkaddr("203.0.113.2");
	uint8_t mem[512], inner[256];
	struct pkt_buf p;
	size_t n;

	(void)state;
	n = mk6(inner, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0);
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memcpy(pkt_put(&p, n), inner, n);
	assert_int_equal(pkt_ipip_encap(&p, &s, &d, 30, 1), 0);
	assert_int_equal(pkt_data(&p)[9], IPPROTO_IPV6);
	assert_int_equal(get16(pkt_data(&p) + 6), 0);	/* no DF for IPv6 inside */
	assert_int_equal(pkt_data(&p)[8], 30);
	assert_int_equal(pkt_ipip_decap(&p, NULL, NULL, NULL), PKT_ECN_OK);
	assert_memory_equal(pkt_data(&p), inner, n);
	/* The IPv6 outer form (gif over IPv6) round-trips as well. */
	s = mkaddr("2001:db8::a");
	d = mkaddr("2001:db8::b");
	assert_int_equal(pkt_ipip_encap(&p, &s, &d, 0, 0), 0);
	assert_int_equal(pkt_data(&p)[6], IPPROTO_IPV6);
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), PKT_ECN_OK);
	assert_int_equal(p.len, n);
	assert_memory_equal(pkt_data(&p), inner, n);
}

static void
test_ipip_decap_refusals(void **state)
{
	struct gw_addr s = mkaddr("203.0.113.1"), d = mkaddr("203.0.113.2");
	struct gw_addr x = mkaddr("203.0.113.9");
	uint8_t mem[512], inner[256], saved[512];
	struct pkt_buf p, before;
	size_t n, len;

	(void)state;
	n = mk4(inner, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0, 0, 0);
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memcpy(pkt_put(&p, n), inner, n);
	assert_int_equal(pkt_ipip_encap(&p, &s, &d, 0, 1), 0);
	before = p;
	memcpy(saved, mem, sizeof(mem));
	assert_int_equal(pkt_ipip_decap(&p, &x, &d, NULL), GW_E_UNKNOWN);
	assert_int_equal(pkt_ipip_decap(&p, &s, &x, NULL), GW_E_UNKNOWN);
	/* Every truncation fails and leaves the packet alone. */
	for (len = 0; len < before.len; len++) {
		p.len = len;
		assert_true(pkt_ipip_decap(&p, &s, &d, NULL) < 0);
		assert_int_equal(p.off, before.off);
		assert_int_equal(p.len, len);
	}
	p = before;
	assert_memory_equal(mem, saved, sizeof(mem));
	pkt_data(&p)[10] ^= 1;	/* checksum */
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), GW_E_BADVAL);
	pkt_data(&p)[10] ^= 1;
	pkt_data(&p)[9] = IPPROTO_IPV6;	/* says IPv6 inside; checksum fixed up */
	put16(pkt_data(&p) + 10, 0);
	put16(pkt_data(&p) + 10, cksum(pkt_data(&p), 20, 0));
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), GW_E_FAMILY);
	pkt_data(&p)[9] = IPPROTO_ESP;
	put16(pkt_data(&p) + 10, 0);
	put16(pkt_data(&p) + 10, cksum(pkt_data(&p), 20, 0));
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), GW_E_UNKNOWN);
	pkt_data(&p)[9] = IPPROTO_IPIP;
	put16(pkt_data(&p) + 6, 0x2000);	/* a fragment */
	put16(pkt_data(&p) + 10, 0);
	put16(pkt_data(&p) + 10, cksum(pkt_data(&p), 20, 0));
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), GW_E_UNSUPP);
	assert_int_equal(p.len, before.len);
}

static void
test_ipip_decap_trims_padding(void **state)
{
	struct gw_addr s = mkaddr("203.0.113.1"), d = mkaddr("203.0.113.2");
	uint8_t mem[512], inner[256];
	struct pkt_buf p;
	size_t n;

	(void)state;
	n = mk4(inner, IPPROTO_ICMP, icmp_echo, sizeof(icmp_echo), 0, 0, 0);
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memcpy(pkt_put(&p, n), inner, n);
	assert_int_equal(pkt_ipip_encap(&p, &s, &d, 0, 1), 0);
	memset(pkt_put(&p, 6), 0, 6);
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), PKT_ECN_OK);
	assert_int_equal(p.len, n);
}

/* RFC 6040 figure 4, written out row by row: [inner][outer], -1 = drop. */
static const int ecn_expect[4][4] = {
	/* outer:          Not-ECT           ECT(1)            ECT(0)            CE */
	[PKT_ECN_NOT_ECT] = { PKT_ECN_NOT_ECT, PKT_ECN_NOT_ECT, PKT_ECN_NOT_ECT, -1 },
	[PKT_ECN_ECT1] = { PKT_ECN_ECT1, PKT_ECN_ECT1, PKT_ECN_ECT1, PKT_ECN_CE },
	[PKT_ECN_ECT0] = { PKT_ECN_ECT0, PKT_ECN_ECT1, PKT_ECN_ECT0, PKT_ECN_CE },
	[PKT_ECN_CE] = { PKT_ECN_CE, PKT_ECN_CE, PKT_ECN_CE, PKT_ECN_CE },
};

/* The (!!!) cells of figure 4. */
static bool
ecn_odd(int inner, int outer)
{
	return (inner == PKT_ECN_NOT_ECT && (outer == PKT_ECN_ECT0 || outer == PKT_ECN_ECT1)) ||
	    (inner == PKT_ECN_CE && outer == PKT_ECN_ECT1);
}

static void
test_ecn_decap_table_exhaustive(void **state)
{
	uint8_t r;
	int in, out, v;

	(void)state;
	for (in = 0; in < 4; in++) {
		for (out = 0; out < 4; out++) {
			r = 0xee;
			/* High bits (DSCP) must not matter. */
			v = pkt_ecn_decap((uint8_t)(0xb8 | out), (uint8_t)(0x48 | in), &r);
			if (ecn_expect[in][out] < 0) {
				assert_int_equal(v, PKT_ECN_DROP);
				assert_int_equal(r, 0xee);
				continue;
			}
			assert_int_equal(r, ecn_expect[in][out]);
			assert_int_equal(v, ecn_odd(in, out) ? PKT_ECN_ODD : PKT_ECN_OK);
		}
	}
}

static void
test_ecn_decap_inner_rewrites(void **state)
{
	uint8_t b[256], orig[256];
	size_t n;
	int in, out, v;

	(void)state;
	for (in = 0; in < 4; in++) {
		for (out = 0; out < 4; out++) {
			n = mk4(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0x4000,
			    (uint8_t)(0x88 | in), 0);
			memcpy(orig, b, n);
			v = pkt_ecn_decap_inner(b, n, (uint8_t)out);
			if (ecn_expect[in][out] < 0) {
				assert_int_equal(v, PKT_ECN_DROP);
				assert_memory_equal(b, orig, n);
				continue;
			}
			assert_true(v == PKT_ECN_OK || v == PKT_ECN_ODD);
			assert_int_equal(b[1], 0x88 | ecn_expect[in][out]);
			assert_true(pkt_ipv4_csum_ok(b, n));	/* RFC 1624 update */
			assert_memory_equal(b + 12, orig + 12, n - 12);

			n = mk6(b, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), (uint8_t)(0x88 | in));
			memcpy(orig, b, n);
			v = pkt_ecn_decap_inner(b, n, (uint8_t)out);
			assert_true(v == PKT_ECN_OK || v == PKT_ECN_ODD);
			assert_int_equal(b[0], orig[0]);
			assert_int_equal(b[1], (((0x88 | ecn_expect[in][out]) << 4) & 0xf0) |
			    (orig[1] & 0x0f));
			assert_memory_equal(b + 2, orig + 2, n - 2);
		}
	}
	assert_int_equal(pkt_ecn_decap_inner(b, 10, 0), GW_E_SHORT);
}

static void
test_ipip_decap_ecn(void **state)
{
	struct gw_addr s = mkaddr("203.0.113.1"), d = mkaddr("203.0.113.2");
	uint8_t mem[512], inner[256];
	struct pkt_buf p, before;
	size_t n;

	(void)state;
	/* Congestion met on the way: outer CE over ECT(0) makes the inner CE. */
	n = mk4(inner, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0, PKT_ECN_ECT0, 0);
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memcpy(pkt_put(&p, n), inner, n);
	assert_int_equal(pkt_ipip_encap(&p, &s, &d, 0, 1), 0);
	pkt_data(&p)[1] = PKT_ECN_CE;
	put16(pkt_data(&p) + 10, 0);
	put16(pkt_data(&p) + 10, cksum(pkt_data(&p), 20, 0));
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), PKT_ECN_OK);
	assert_int_equal(pkt_data(&p)[1], PKT_ECN_CE);
	assert_true(pkt_ipv4_csum_ok(pkt_data(&p), p.len));
	/* CE over a Not-ECT inner packet: drop, packet untouched. */
	n = mk4(inner, IPPROTO_UDP, udp_hdr, sizeof(udp_hdr), 0, 0, 0);
	pkt_init(&p, mem, sizeof(mem), HEADROOM);
	memcpy(pkt_put(&p, n), inner, n);
	assert_int_equal(pkt_ipip_encap(&p, &s, &d, 0, 1), 0);
	pkt_data(&p)[1] = PKT_ECN_CE;
	put16(pkt_data(&p) + 10, 0);
	put16(pkt_data(&p) + 10, cksum(pkt_data(&p), 20, 0));
	before = p;
	assert_int_equal(pkt_ipip_decap(&p, &s, &d, NULL), PKT_ECN_DROP);
	assert_memory_equal(&p, &before, sizeof(p));
	assert_memory_equal(pkt_data(&p) + 20, inner, n);
}

static void
test_outer_parse_ipv6_exthdrs(void **state)
{
	uint8_t pl[16] = { IPPROTO_ESP, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0x10, 0x01 };
	uint8_t b[256];
	struct pkt_outer o;
	size_t n;

	(void)state;
	n = mk6(b, IPPROTO_DSTOPTS, pl, sizeof(pl), 0x02);
	assert_int_equal(pkt_outer_parse(b, n, &o), 0);
	assert_int_equal(o.proto, IPPROTO_ESP);
	assert_int_equal(o.hlen, 48);
	assert_int_equal(o.totlen, 56);
	assert_int_equal(o.tos, 0x02);
	assert_int_equal(o.ttl, 64);
	/* A fragment of an outer packet is refused. */
	n = mk6(b, IPPROTO_FRAGMENT, (uint8_t[16]){ IPPROTO_ESP, 0, 0, 1 }, 16, 0);
	assert_int_equal(pkt_outer_parse(b, n, &o), GW_E_UNSUPP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_ipv4_tcp_udp_icmp),
		cmocka_unit_test(test_flow_ipv4_other_protocols),
		cmocka_unit_test(test_flow_ipv4_fragments),
		cmocka_unit_test(test_flow_ipv4_bad_headers),
		cmocka_unit_test(test_flow_ipv6_basic),
		cmocka_unit_test(test_flow_ipv6_extension_chain),
		cmocka_unit_test(test_flow_ipv6_exthdr_bound),
		cmocka_unit_test(test_flow_ipv6_fragments),
		cmocka_unit_test(test_flow_ipv6_bad_headers),
		cmocka_unit_test(test_flow_every_truncation_fails),
		cmocka_unit_test(test_flow_bit_flips_never_crash),
		cmocka_unit_test(test_ipv4_checksum),
		cmocka_unit_test(test_outer_ipv4_esp),
		cmocka_unit_test(test_outer_ipv4_udp_encap),
		cmocka_unit_test(test_outer_ipv6_esp_and_udp),
		cmocka_unit_test(test_outer_build_refusals),
		cmocka_unit_test(test_udp_push),
		cmocka_unit_test(test_inner_info),
		cmocka_unit_test(test_ipip_round_trip_v4),
		cmocka_unit_test(test_ipip_round_trip_v6_inner),
		cmocka_unit_test(test_ipip_decap_refusals),
		cmocka_unit_test(test_ipip_decap_trims_padding),
		cmocka_unit_test(test_ecn_decap_table_exhaustive),
		cmocka_unit_test(test_ecn_decap_inner_rewrites),
		cmocka_unit_test(test_ipip_decap_ecn),
		cmocka_unit_test(test_outer_parse_ipv6_exthdrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
