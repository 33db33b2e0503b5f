/*
 * test_ikerelay.c: the relay header of lib/ikerelay.h: the socket path,
 * byte-exact encodings for IPv4 and IPv6, round trips, every malformed
 * case of ikerelay_decode, a bit-flip sweep (a datagram either fails or
 * re-encodes to the same bytes) and the seed corpus of fuzz_ikerelay.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "ikerelay.h"

#ifndef IKERELAY_CORPUS_DIR
#error "IKERELAY_CORPUS_DIR must name tests/corpus/ikerelay"
#endif

#define BIG	(IKERELAY_HLEN + IKERELAY_PAYLOAD_MAX + 1)

/* The non-ESP marker and an IKE header (IKE_SA_INIT request, length 28). */
static const uint8_t ike[32] = {
	0, 0, 0, 0,
	0x8a, 0x3f, 0x11, 0xd2, 0xc4, 0xe5, 0xf6, 0x07, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x20, 0x22, 0x08, 0, 0, 0, 0, 0, 0, 0, 28,
};

/* 192.0.2.1[4500] <- 198.51.100.7[61000], the payload above. */
static const uint8_t v4_hdr[IKERELAY_HLEN] = {
	1, 4, 0, 0, 0x11, 0x94, 0xee, 0x48,
	192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	198, 51, 100, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* 2001:db8::1[4500] <- 2001:db8:ffff::abcd[4500]. */
static const uint8_t v6_hdr[IKERELAY_HLEN] = {
	1, 6, 0, 0, 0x11, 0x94, 0x11, 0x94,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd,
};

static struct gw_addr
EP(const char *s, uint16_t port)
{
	struct gw_addr	a;

	if (addr_parse(s, &a) != 0)
		fail_msg("cannot parse %s", s);
	a.port = port;
	return a;
}

/* hdr then the IKE payload into buf; returns the length. */
static size_t
dgram(uint8_t *buf, const uint8_t *hdr)
{
	memcpy(buf, hdr, IKERELAY_HLEN);
	memcpy(buf + IKERELAY_HLEN, ike, sizeof(ike));
	return IKERELAY_HLEN + sizeof(ike);
}

static void
assert_addr(const struct gw_addr *got, const struct gw_addr *want)
{
	assert_int_equal(got->af, want->af);
	assert_int_equal(got->plen, addr_maxplen(want->af));
	assert_int_equal(got->port, want->port);
	assert_memory_equal(got->u.b, want->u.b, addr_len(want->af));
}

/* Decoding p fails and leaves the outputs as they were. */
static void
assert_refused(const uint8_t *p, size_t len)
{
	struct gw_addr	l, r;
	struct view	v = { .p = NULL, .len = 77 };

	memset(&l, 0xa5, sizeof(l));
	memset(&r, 0x5a, sizeof(r));
	assert_int_equal(ikerelay_decode(p, len, &l, &r, &v), -1);
	assert_int_equal(l.af, 0xa5a5);
	assert_int_equal(r.port, 0x5a5a);
	assert_null(v.p);
	assert_int_equal(v.len, 77);
}

static void
test_path(void **state)
{
	char	buf[64];

	assert_int_equal(ikerelay_path("/run/tunneld/pfkey", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/tunneld/pfkey.ike");
	/* Exactly enough room, and one byte less. */
	assert_int_equal(ikerelay_path("/a/pfkey", buf, strlen("/a/pfkey.ike") + 1), 0);
	assert_string_equal(buf, "/a/pfkey.ike");
	assert_int_equal(ikerelay_path("/a/pfkey", buf, strlen("/a/pfkey.ike")), -1);
	assert_string_equal(buf, "");
	assert_int_equal(ikerelay_path("", buf, sizeof(buf)), -1);
	assert_int_equal(ikerelay_path(NULL, buf, sizeof(buf)), -1);
	assert_int_equal(ikerelay_path("/a/pfkey", buf, 0), -1);
}

static void
test_encode_v4(void **state)
{
	struct gw_addr	l = EP("192.0.2.1", 4500), r = EP("198.51.100.7", 61000);
	uint8_t		want[128], buf[128];
	struct wr	w = wr_init(buf, sizeof(buf));
	size_t		n = dgram(want, v4_hdr);

	/* Whatever lies beyond the 4 address bytes of an IPv4 gw_addr. */
	memset(l.u.b + 4, 0xee, 12);
	memset(r.u.b + 4, 0xee, 12);
	assert_int_equal(ikerelay_encode(&w, &l, &r, ike, sizeof(ike)), 0);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.off, n);
	assert_memory_equal(buf, want, n);
}

static void
test_encode_v6(void **state)
{
	struct gw_addr	l = EP("2001:db8::1", 4500), r = EP("2001:db8:ffff::abcd", 4500);
	uint8_t		want[128], buf[128];
	struct wr	w = wr_init(buf, sizeof(buf));
	size_t		n = dgram(want, v6_hdr);

	assert_int_equal(ikerelay_encode(&w, &l, &r, ike, sizeof(ike)), 0);
	assert_int_equal(w.off, n);
	assert_memory_equal(buf, want, n);
}

static void
roundtrip(const char *local, const char *remote, uint16_t lport, uint16_t rport,
    const uint8_t *payload, size_t len)
{
	struct gw_addr	l = EP(local, lport), r = EP(remote, rport), gl, gr;
	uint8_t		*buf = malloc(IKERELAY_HLEN + len);
	struct wr	w = wr_init(buf, IKERELAY_HLEN + len);
	struct view	v;

	assert_non_null(buf);
	assert_int_equal(ikerelay_encode(&w, &l, &r, payload, len), 0);
	assert_int_equal(w.off, IKERELAY_HLEN + len);
	assert_int_equal(ikerelay_decode(buf, w.off, &gl, &gr, &v), 0);
	assert_addr(&gl, &l);
	assert_addr(&gr, &r);
	assert_ptr_equal(v.p, buf + IKERELAY_HLEN);
	assert_int_equal(v.len, len);
	assert_memory_equal(v.p, payload, len);
	free(buf);
}

static void
test_roundtrip(void **state)
{
	uint8_t	*big = calloc(1, IKERELAY_PAYLOAD_MAX);

	assert_non_null(big);
	roundtrip("192.0.2.1", "203.0.113.9", 4500, 4500, ike, sizeof(ike));
	roundtrip("2001:db8::1", "2001:db8::2", 4500, 1, ike, sizeof(ike));
	/* Every address byte used, the highest ports. */
	roundtrip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1", 65535, 65535, ike, 5);
	roundtrip("255.255.255.255", "0.0.0.0", 1, 65535, (const uint8_t *)"\xff", 1);
	/* The largest payload. */
	big[IKERELAY_PAYLOAD_MAX - 1] = 0x42;
	roundtrip("192.0.2.1", "192.0.2.2", 4500, 4500, big, IKERELAY_PAYLOAD_MAX);
	roundtrip("2001:db8::1", "2001:db8::2", 4500, 4500, big, IKERELAY_PAYLOAD_MAX);
	free(big);
}

static void
test_encode_refused(void **state)
{
	struct gw_addr	l = EP("192.0.2.1", 4500), r = EP("192.0.2.2", 4500);
	struct gw_addr	l6 = EP("2001:db8::1", 4500), bad;
	uint8_t		buf[128];
	struct wr	w = wr_init(buf, sizeof(buf));

	assert_int_equal(ikerelay_encode(&w, &l, &l6, ike, sizeof(ike)), -1);
	assert_int_equal(ikerelay_encode(&w, &l6, &r, ike, sizeof(ike)), -1);
	bad = l;
	bad.af = AF_UNSPEC;
	assert_int_equal(ikerelay_encode(&w, &bad, &bad, ike, sizeof(ike)), -1);
	bad.af = AF_UNIX;
	assert_int_equal(ikerelay_encode(&w, &bad, &bad, ike, sizeof(ike)), -1);
	bad = l;
	bad.port = 0;
	assert_int_equal(ikerelay_encode(&w, &bad, &r, ike, sizeof(ike)), -1);
	assert_int_equal(ikerelay_encode(&w, &l, &bad, ike, sizeof(ike)), -1);
	assert_int_equal(ikerelay_encode(&w, &l, &r, ike, 0), -1);
	assert_int_equal(ikerelay_encode(&w, &l, &r, NULL, 4), -1);
	assert_int_equal(ikerelay_encode(&w, &l, &r, ike, IKERELAY_PAYLOAD_MAX + 1), -1);
	/* None of these wrote anything. */
	assert_int_equal(w.off, 0);
	assert_int_equal(w.err, 0);
}

static void
test_encode_no_room(void **state)
{
	struct gw_addr	l = EP("192.0.2.1", 4500), r = EP("192.0.2.2", 4500);
	uint8_t		buf[IKERELAY_HLEN + sizeof(ike)];
	struct wr	w;
	size_t		cap;

	for (cap = 0; cap < sizeof(buf); cap++) {
		w = wr_init(buf, cap);
		assert_int_equal(ikerelay_encode(&w, &l, &r, ike, sizeof(ike)), -1);
		assert_int_not_equal(w.err, 0);
	}
	/* A writer with an earlier error stays failed. */
	w = wr_init(buf, sizeof(buf));
	w.err = -1;
	assert_int_equal(ikerelay_encode(&w, &l, &r, ike, sizeof(ike)), -1);
	assert_int_equal(w.off, 0);
}

static void
test_decode_v4_fields(void **state)
{
	struct gw_addr	l, r, wl = EP("192.0.2.1", 4500), wr_ = EP("198.51.100.7", 61000);
	uint8_t		buf[128];
	size_t		n = dgram(buf, v4_hdr);
	struct view	v;

	assert_int_equal(ikerelay_decode(buf, n, &l, &r, &v), 0);
	assert_addr(&l, &wl);
	assert_addr(&r, &wr_);
	assert_ptr_equal(v.p, buf + IKERELAY_HLEN);
	assert_int_equal(v.len, sizeof(ike));
}

static void
test_decode_short(void **state)
{
	uint8_t	buf[128];
	size_t	n;

	dgram(buf, v4_hdr);
	/* Every truncation up to the header alone (an empty payload). */
	for (n = 0; n <= IKERELAY_HLEN; n++)
		assert_refused(buf, n);
	assert_refused(NULL, 0);
	assert_refused(NULL, 72);
}

static void
test_decode_version_family_reserved(void **state)
{
	static const uint8_t	versions[] = { 0, 2, 0x81, 0xff };
	static const uint8_t	families[] = { 0, 1, 2, 5, 7, 10, 0x46, 0xff };
	uint8_t			buf[128];
	size_t			n = dgram(buf, v4_hdr), i;

	for (i = 0; i < sizeof(versions); i++) {
		buf[0] = versions[i];
		assert_refused(buf, n);
	}
	buf[0] = IKERELAY_VERSION;
	for (i = 0; i < sizeof(families); i++) {
		buf[1] = families[i];
		assert_refused(buf, n);
	}
	buf[1] = 4;
	for (i = 0; i < 16; i++) {
		buf[2 + i / 8] = (uint8_t)(1u << (i % 8));
		assert_refused(buf, n);
		buf[2] = buf[3] = 0;
	}
}

static void
test_decode_zero_ports(void **state)
{
	uint8_t	buf[128];
	size_t	n = dgram(buf, v6_hdr);

	buf[4] = buf[5] = 0;
	assert_refused(buf, n);
	n = dgram(buf, v6_hdr);
	buf[6] = buf[7] = 0;
	assert_refused(buf, n);
	/* One non-zero byte of either half is a valid port. */
	n = dgram(buf, v6_hdr);
	buf[4] = 0;
	buf[7] = 0;
	assert_int_equal(ikerelay_decode(buf, n, &(struct gw_addr){ 0 },
	    &(struct gw_addr){ 0 }, &(struct view){ 0 }), 0);
}

/* An IPv4 address slot has one encoding: bytes 4-15 zero, in either slot. */
static void
test_decode_v4_padding(void **state)
{
	uint8_t	buf[128];
	size_t	n = dgram(buf, v4_hdr), i;

	for (i = 8 + 4; i < IKERELAY_HLEN; i++) {
		if (i >= 24 && i < 28)
			continue;		/* the remote address itself */
		buf[i] = 0x01;
		assert_refused(buf, n);
		buf[i] = 0x80;
		assert_refused(buf, n);
		buf[i] = 0;
	}
	assert_int_equal(ikerelay_decode(buf, n, &(struct gw_addr){ 0 },
	    &(struct gw_addr){ 0 }, &(struct view){ 0 }), 0);
}

static void
test_decode_too_long(void **state)
{
	uint8_t		*buf = calloc(1, BIG);
	struct gw_addr	 l, r;
	struct view	 v;

	assert_non_null(buf);
	memcpy(buf, v4_hdr, IKERELAY_HLEN);
	assert_int_equal(ikerelay_decode(buf, BIG - 1, &l, &r, &v), 0);
	assert_int_equal(v.len, IKERELAY_PAYLOAD_MAX);
	assert_refused(buf, BIG);
	free(buf);
}

/*
 * Each single bit flipped in a valid datagram: either refused, or the
 * decoded fields encode to exactly the flipped bytes (no bit is ignored).
 */
static void
test_bitflip_canonical(void **state)
{
	uint8_t		buf[128], out[128];
	size_t		n = dgram(buf, v4_hdr), bit, ok = 0;
	struct gw_addr	l, r;
	struct view	v;
	struct wr	w;
	int		pass;

	for (pass = 0; pass < 2; pass++) {
		n = dgram(buf, pass == 0 ? v4_hdr : v6_hdr);
		for (bit = 0; bit < n * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (ikerelay_decode(buf, n, &l, &r, &v) == 0) {
				w = wr_init(out, sizeof(out));
				assert_int_equal(ikerelay_encode(&w, &l, &r, v.p, v.len), 0);
				assert_int_equal(w.off, n);
				assert_memory_equal(out, buf, n);
				ok++;
			}
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
	/* Ports, addresses and payload bits decode; the rest is refused. */
	assert_true(ok > 0 && ok < 2 * n * 8);
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	uint8_t	*buf;
	FILE	*f = fopen(path, "rb");
	long	 n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Every seed is a valid datagram carrying IKE behind the marker or a keepalive. */
static void
test_corpus(void **state)
{
	char		 path[4096];
	struct dirent	*de;
	DIR		*d = opendir(IKERELAY_CORPUS_DIR);
	struct gw_addr	 l, r;
	struct view	 v;
	struct wr	 w;
	uint8_t		*buf, *out;
	size_t		 len, n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", IKERELAY_CORPUS_DIR, de->d_name);
		buf = read_file(path, &len);
		if (ikerelay_decode(buf, len, &l, &r, &v) != 0)
			fail_msg("%s: refused", de->d_name);
		assert_true((v.len == 1 && v.p[0] == 0xff) ||
		    (v.len >= 4 + 28 && memcmp(v.p, "\0\0\0\0", 4) == 0));
		out = malloc(len);
		assert_non_null(out);
		w = wr_init(out, len);
		assert_int_equal(ikerelay_encode(&w, &l, &r, v.p, v.len), 0);
		assert_memory_equal(out, buf, len);
		free(out);
		free(buf);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_encode_v4),
		cmocka_unit_test(test_encode_v6),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_encode_refused),
		cmocka_unit_test(test_encode_no_room),
		cmocka_unit_test(test_decode_v4_fields),
		cmocka_unit_test(test_decode_short),
		cmocka_unit_test(test_decode_version_family_reserved),
		cmocka_unit_test(test_decode_zero_ports),
		cmocka_unit_test(test_decode_v4_padding),
		cmocka_unit_test(test_decode_too_long),
		cmocka_unit_test(test_bitflip_canonical),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
