/*
 * test_dh.c: ikd/dh.c against RFC 7748 (X25519), RFC 5903 (P-256/P-384)
 * and an independent MODP-2048 computation, and its refusal of bad peer
 * values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dh.h"
#include "err.h"
#include "kmtest.h"
#include "vectors.h"

/* Order n of P-256 (FIPS 186-4 D.1.2.3). */
static const char P256_N[] =
	"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

static struct dh *
fixed(uint16_t group, const char *hex)
{
	uint8_t k[512];
	size_t n = unhex(hex, k, sizeof(k));
	struct dh *dh = dh_new_fixed(group, k, n);

	assert_non_null(dh);
	return dh;
}

/* Expects dh_shared() with peer to fail with rc and leave out untouched. */
static void
expect_refused(const struct dh *dh, const uint8_t *peer, size_t len, int rc)
{
	uint8_t out[DH_SHARED_MAX], canary[DH_SHARED_MAX];

	memset(out, 0xa5, sizeof(out));
	memset(canary, 0xa5, sizeof(canary));
	assert_int_equal(dh_shared(dh, peer, len, out, sizeof(out)), rc);
	assert_memory_equal(out, canary, sizeof(out));
}

static void
test_x25519_rfc7748_5_2(void **state)
{
	uint8_t u[32], out[32];
	struct dh *dh;
	size_t i;

	for (i = 0; i < sizeof(x25519_52) / sizeof(x25519_52[0]); i++) {
		dh = fixed(DH_CURVE25519, x25519_52[i].k);
		unhex(x25519_52[i].u, u, sizeof(u));
		assert_int_equal(dh_shared(dh, u, sizeof(u), out, sizeof(out)), 0);
		assert_hex(out, sizeof(out), x25519_52[i].out);
		dh_free(dh);
	}
}

static void
test_x25519_rfc7748_6_1(void **state)
{
	uint8_t pub[32], peer[32], k[32];
	struct dh *a = fixed(DH_CURVE25519, X25519_A), *b = fixed(DH_CURVE25519, X25519_B);

	assert_int_equal(a->publen, 32);
	assert_int_equal(dh_public(a, pub, sizeof(pub)), 0);
	assert_hex(pub, sizeof(pub), X25519_A_PUB);
	assert_int_equal(dh_public(b, pub, sizeof(pub)), 0);
	assert_hex(pub, sizeof(pub), X25519_B_PUB);
	unhex(X25519_B_PUB, peer, sizeof(peer));
	assert_int_equal(dh_shared(a, peer, sizeof(peer), k, sizeof(k)), 0);
	assert_hex(k, sizeof(k), X25519_K);
	unhex(X25519_A_PUB, peer, sizeof(peer));
	assert_int_equal(dh_shared(b, peer, sizeof(peer), k, sizeof(k)), 0);
	assert_hex(k, sizeof(k), X25519_K);
	dh_free(a);
	dh_free(b);
}

/* RFC 8031 2: a small-order peer value gives the all-zero secret; refused. */
static void
test_x25519_small_order_refused(void **state)
{
	uint8_t zero[32] = { 0 }, one[32] = { 1 };
	struct dh *dh = dh_new(DH_CURVE25519);

	assert_non_null(dh);
	expect_refused(dh, zero, sizeof(zero), GW_E_BADVAL);
	expect_refused(dh, one, sizeof(one), GW_E_BADVAL);
	expect_refused(dh, zero, 31, GW_E_SHORT);
	dh_free(dh);
}

static void
ecp_vector(uint16_t group, const char *i, const char *gix, const char *giy,
    const char *r, const char *grx, const char *gry, const char *girx)
{
	struct dh *di = fixed(group, i), *dr = fixed(group, r);
	uint8_t pub[96], peer[96], s[48];
	size_t flen = dh_shared_len(group);

	assert_int_equal(di->publen, 2 * flen);
	assert_int_equal(dh_public(di, pub, sizeof(pub)), 0);
	assert_hex(pub, flen, gix);
	assert_hex(pub + flen, flen, giy);
	unhex(grx, peer, flen);
	unhex(gry, peer + flen, flen);
	assert_int_equal(dh_public(dr, pub, sizeof(pub)), 0);
	assert_memory_equal(pub, peer, 2 * flen);
	/* The shared secret in IKEv2 is the x coordinate alone (RFC 5903 7). */
	assert_int_equal(dh_shared(di, peer, 2 * flen, s, sizeof(s)), 0);
	assert_hex(s, flen, girx);
	unhex(gix, peer, flen);
	unhex(giy, peer + flen, flen);
	assert_int_equal(dh_shared(dr, peer, 2 * flen, s, sizeof(s)), 0);
	assert_hex(s, flen, girx);
	dh_free(di);
	dh_free(dr);
}

static void
test_ecp256_rfc5903(void **state)
{
	ecp_vector(DH_ECP256, ECP19_I, ECP19_GIX, ECP19_GIY, ECP19_R, ECP19_GRX, ECP19_GRY,
	    ECP19_GIRX);
}

static void
test_ecp384_rfc5903(void **state)
{
	ecp_vector(DH_ECP384, ECP20_I, ECP20_GIX, ECP20_GIY, ECP20_R, ECP20_GRX, ECP20_GRY,
	    ECP20_GIRX);
}

/* Off-curve points, coordinates >= p, (0, 0) and the SEC1 form are refused. */
static void
test_ecp_invalid_point(void **state)
{
	struct dh *dh = fixed(DH_ECP256, ECP19_I);
	uint8_t v[65], p[32], s[32];

	unhex(ECP19_GRX, v, 32);
	unhex(ECP19_GRY, v + 32, 32);
	v[63] ^= 0x01;
	expect_refused(dh, v, 64, GW_E_BADVAL);
	v[63] ^= 0x01;
	v[5] ^= 0x80;
	expect_refused(dh, v, 64, GW_E_BADVAL);
	memset(v, 0, sizeof(v));
	expect_refused(dh, v, 64, GW_E_BADVAL);
	/* x = p: the field prime, which libcrypto would otherwise reduce to 0. */
	unhex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", p, 32);
	memcpy(v, p, 32);
	unhex(ECP19_GRY, v + 32, 32);
	expect_refused(dh, v, 64, GW_E_BADVAL);
	/*
	 * (5, y) is on the curve; (p + 5, y) names the same point modulo p
	 * and fits 32 bytes, but is not the canonical encoding: refused.
	 */
	unhex("0000000000000000000000000000000000000000000000000000000000000005"
	    "459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc", v, 64);
	assert_int_equal(dh_shared(dh, v, 64, s, sizeof(s)), 0);
	unhex("ffffffff00000001000000000000000000000001000000000000000000000004", v, 32);
	expect_refused(dh, v, 64, GW_E_BADVAL);
	memset(v, 0xff, 64);
	expect_refused(dh, v, 64, GW_E_BADVAL);
	/* 0x04 || x || y is the SEC1 encoding, not the IKEv2 one. */
	v[0] = 0x04;
	unhex(ECP19_GRX, v + 1, 32);
	unhex(ECP19_GRY, v + 33, 32);
	expect_refused(dh, v, 65, GW_E_TOOLONG);
	expect_refused(dh, v + 1, 63, GW_E_SHORT);
	dh_free(dh);
}

/* The negated point (x, p - y) is on the curve, so it is accepted. */
static void
test_ecp_negated_point_accepted(void **state)
{
	struct dh *dh = fixed(DH_ECP256, ECP19_I);
	uint8_t v[64], p[32], s[32];
	int i, borrow = 0, d;

	unhex(ECP19_GRX, v, 32);
	unhex(ECP19_GRY, v + 32, 32);
	unhex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", p, 32);
	for (i = 31; i >= 0; i--) {
		d = p[i] - v[32 + i] - borrow;
		borrow = d < 0;
		v[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	assert_int_equal(dh_shared(dh, v, sizeof(v), s, sizeof(s)), 0);
	/* -(r*G) * i has the same x as (r*G) * i. */
	assert_hex(s, sizeof(s), ECP19_GIRX);
	dh_free(dh);
}

static void
test_ecp_fixed_scalar_range(void **state)
{
	struct dh *dh;
	uint8_t k[32];

	memset(k, 0, sizeof(k));
	assert_null(dh_new_fixed(DH_ECP256, k, sizeof(k)));
	unhex(P256_N, k, sizeof(k));
	assert_null(dh_new_fixed(DH_ECP256, k, sizeof(k)));
	k[31]--;
	dh = dh_new_fixed(DH_ECP256, k, sizeof(k));
	assert_non_null(dh);
	dh_free(dh);
	assert_null(dh_new_fixed(DH_ECP256, k, 31));
	assert_null(dh_new_fixed(DH_ECP384, k, sizeof(k)));
}

static void
test_modp2048_fixed(void **state)
{
	struct dh *di = fixed(DH_MODP2048, MODP_XI), *dr = fixed(DH_MODP2048, MODP_XR);
	uint8_t pub[256], peer[256], s[256];

	assert_int_equal(di->publen, 256);
	assert_int_equal(dh_public(di, pub, sizeof(pub)), 0);
	assert_hex(pub, sizeof(pub), MODP_GXI);
	unhex(MODP_GXR, peer, sizeof(peer));
	assert_int_equal(dh_shared(di, peer, sizeof(peer), s, sizeof(s)), 0);
	assert_hex(s, sizeof(s), MODP_GIR);
	unhex(MODP_GXI, peer, sizeof(peer));
	assert_int_equal(dh_shared(dr, peer, sizeof(peer), s, sizeof(s)), 0);
	assert_hex(s, sizeof(s), MODP_GIR);
	dh_free(di);
	dh_free(dr);
}

/* Adds v (small) to the 256-byte big-endian number n. */
static void
add_small(uint8_t *n, int v)
{
	int i, c = v;

	for (i = 255; i >= 0 && c != 0; i--) {
		c += n[i];
		n[i] = (uint8_t)c;
		c = c < 0 ? -1 : c >> 8;
	}
}

/* RFC 7296 3.4 and common sense: 1 < y < p-1, exactly 256 bytes. */
static void
test_modp_validation(void **state)
{
	struct dh *dh = dh_new(DH_MODP2048);
	uint8_t y[257], s[256];

	assert_non_null(dh);
	memset(y, 0, sizeof(y));
	expect_refused(dh, y, 256, GW_E_BADVAL);		/* 0 */
	y[255] = 1;
	expect_refused(dh, y, 256, GW_E_BADVAL);		/* 1 */
	y[255] = 2;
	assert_int_equal(dh_shared(dh, y, 256, s, sizeof(s)), 0);
	unhex(MODP2048_P, y, 256);
	expect_refused(dh, y, 256, GW_E_BADVAL);		/* p */
	add_small(y, 1);
	expect_refused(dh, y, 256, GW_E_BADVAL);		/* p + 1 */
	add_small(y, -2);
	expect_refused(dh, y, 256, GW_E_BADVAL);		/* p - 1 */
	add_small(y, -1);
	assert_int_equal(dh_shared(dh, y, 256, s, sizeof(s)), 0);	/* p - 2 */
	memset(y, 0xff, sizeof(y));
	expect_refused(dh, y, 256, GW_E_BADVAL);		/* 2^2048 - 1 */
	memset(y, 0, sizeof(y));
	y[254] = 7;
	expect_refused(dh, y, 255, GW_E_SHORT);			/* unpadded */
	expect_refused(dh, y, 257, GW_E_TOOLONG);
	expect_refused(dh, y, 0, GW_E_SHORT);
	dh_free(dh);
}

/* Every group agrees with itself through fresh keys. */
static void
test_round_trip_all_groups(void **state)
{
	static const uint16_t groups[] = { DH_MODP2048, DH_MODP3072, DH_MODP4096, DH_ECP256,
	    DH_ECP384, DH_CURVE25519 };
	static const size_t publen[] = { 256, 384, 512, 64, 96, 32 };
	uint8_t pa[DH_PUB_MAX], pb[DH_PUB_MAX], sa[DH_SHARED_MAX], sb[DH_SHARED_MAX];
	struct dh *a, *b;
	size_t i, n;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		a = dh_new(groups[i]);
		b = dh_new(groups[i]);
		assert_non_null(a);
		assert_non_null(b);
		n = dh_public_len(groups[i]);
		assert_int_equal(n, publen[i]);
		assert_int_equal(a->publen, n);
		assert_int_equal(dh_public(a, pa, sizeof(pa)), 0);
		assert_int_equal(dh_public(b, pb, sizeof(pb)), 0);
		assert_memory_not_equal(pa, pb, n);
		assert_int_equal(dh_shared(a, pb, n, sa, sizeof(sa)), 0);
		assert_int_equal(dh_shared(b, pa, n, sb, sizeof(sb)), 0);
		assert_memory_equal(sa, sb, dh_shared_len(groups[i]));
		dh_free(a);
		dh_free(b);
	}
}

static void
test_unsupported_and_sizes(void **state)
{
	uint8_t buf[DH_PUB_MAX], k[32] = { 9 };
	struct dh *dh;

	assert_null(dh_new(0));
	assert_null(dh_new(2));		/* MODP-1024: not offered */
	assert_null(dh_new(21));
	assert_int_equal(dh_public_len(5), 0);
	assert_int_equal(dh_shared_len(32), 0);
	assert_string_equal(dh_group_name(DH_MODP2048), "modp2048");
	assert_string_equal(dh_group_name(DH_CURVE25519), "curve25519");
	assert_string_equal(dh_group_name(1), "unknown");
	assert_null(dh_new_fixed(DH_CURVE25519, k, 31));
	assert_null(dh_new_fixed(DH_CURVE25519, NULL, 32));
	memset(buf, 0, sizeof(buf));
	assert_null(dh_new_fixed(DH_MODP2048, buf, 256));	/* exponent 0 */
	buf[255] = 1;
	assert_null(dh_new_fixed(DH_MODP2048, buf, 256));	/* exponent 1 */
	assert_null(dh_new_fixed(DH_MODP2048, buf, 257));
	dh = dh_new(DH_ECP384);
	assert_non_null(dh);
	assert_int_equal(dh_public(dh, buf, 95), GW_E_TOOLONG);
	assert_int_equal(dh_shared(dh, dh->pub, 96, buf, 47), GW_E_TOOLONG);
	dh_free(dh);
	dh_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x25519_rfc7748_5_2),
		cmocka_unit_test(test_x25519_rfc7748_6_1),
		cmocka_unit_test(test_x25519_small_order_refused),
		cmocka_unit_test(test_ecp256_rfc5903),
		cmocka_unit_test(test_ecp384_rfc5903),
		cmocka_unit_test(test_ecp_invalid_point),
		cmocka_unit_test(test_ecp_negated_point_accepted),
		cmocka_unit_test(test_ecp_fixed_scalar_range),
		cmocka_unit_test(test_modp2048_fixed),
		cmocka_unit_test(test_modp_validation),
		cmocka_unit_test(test_round_trip_all_groups),
		cmocka_unit_test(test_unsupported_and_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
