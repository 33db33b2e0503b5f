/*
 * test_keymat.c: ikd/keymat.c. PRFs against RFC 4868 (and RFC 2202 for
 * HMAC-SHA1); prf+, a whole IKE SA derivation, Child SA KEYMAT, an IKE
 * rekey and PSK AUTH against values computed apart by gen_vectors.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "err.h"
#include "keymat.h"
#include "kmtest.h"
#include "vectors.h"

/* IANA ids used below. */
enum {
	ENCR_3DES = 3, ENCR_NULL = 11, ENCR_AES_CBC = 12, ENCR_AES_GCM_16 = 20,
	ENCR_CHACHA20_POLY1305 = 28,
	AUTH_HMAC_SHA1_96 = 2, AUTH_AES_XCBC_96 = 5, AUTH_HMAC_SHA2_256_128 = 12,
	AUTH_HMAC_SHA2_384_192 = 13, AUTH_HMAC_SHA2_512_256 = 14,
};

/* A view of decoded hex in storage of at least 1024 bytes. */
static struct view
hexview(const char *hex, uint8_t *buf)
{
	return (struct view){ buf, unhex(hex, buf, 1024) };
}

static void
test_prf_rfc4868(void **state)
{
	static const uint16_t prfs[3] = { KEYMAT_PRF_HMAC_SHA2_256, KEYMAT_PRF_HMAC_SHA2_384,
	    KEYMAT_PRF_HMAC_SHA2_512 };
	uint8_t key[256], data[256], out[KEYMAT_PRF_MAX];
	size_t i, j, kl, dl;

	for (i = 0; i < sizeof(prf_rfc4868) / sizeof(prf_rfc4868[0]); i++) {
		kl = unhex(prf_rfc4868[i].key, key, sizeof(key));
		dl = unhex(prf_rfc4868[i].data, data, sizeof(data));
		for (j = 0; j < 3; j++) {
			assert_int_equal(keymat_prf(prfs[j], key, kl, data, dl, out, sizeof(out)),
			    0);
			assert_hex(out, keymat_prf_len(prfs[j]), prf_rfc4868[i].out[j]);
		}
	}
}

/* RFC 2202 3, test case 1 and 2 (HMAC-SHA1 as PRF_HMAC_SHA1). */
static void
test_prf_hmac_sha1(void **state)
{
	uint8_t key[20], out[20];

	memset(key, 0x0b, sizeof(key));
	assert_int_equal(keymat_prf(KEYMAT_PRF_HMAC_SHA1, key, 20, "Hi There", 8, out,
	    sizeof(out)), 0);
	assert_hex(out, 20, "b617318655057264e28bc0b6fb378c8ef146be00");
	assert_int_equal(keymat_prf(KEYMAT_PRF_HMAC_SHA1, (const uint8_t *)"Jefe", 4,
	    "what do ya want for nothing?", 28, out, sizeof(out)), 0);
	assert_hex(out, 20, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

static void
test_prf_lengths_and_refusals(void **state)
{
	uint8_t out[KEYMAT_PRF_MAX], key[4] = { 1, 2, 3, 4 };

	assert_int_equal(keymat_prf_len(KEYMAT_PRF_HMAC_SHA1), 20);
	assert_int_equal(keymat_prf_len(KEYMAT_PRF_HMAC_SHA2_256), 32);
	assert_int_equal(keymat_prf_len(KEYMAT_PRF_HMAC_SHA2_384), 48);
	assert_int_equal(keymat_prf_len(KEYMAT_PRF_HMAC_SHA2_512), 64);
	assert_int_equal(keymat_prf_len(1), 0);	/* PRF_HMAC_MD5 */
	assert_int_equal(keymat_prf_len(4), 0);	/* PRF_AES128_XCBC */
	assert_int_equal(keymat_prf(4, key, 4, "x", 1, out, sizeof(out)), GW_E_UNSUPP);
	assert_int_equal(keymat_prf(KEYMAT_PRF_HMAC_SHA2_384, key, 4, "x", 1, out, 47),
	    GW_E_TOOLONG);
	assert_int_equal(keymat_prf(KEYMAT_PRF_HMAC_SHA2_256, key, 0, "x", 1, out, 32),
	    GW_E_KEYLEN);
}

static void
test_prf_plus_vectors(void **state)
{
	uint8_t key[64], seed[128], out[1024];
	size_t i, kl = unhex(PRFPLUS_KEY, key, sizeof(key)), sl;

	sl = unhex(PRFPLUS_SEED, seed, sizeof(seed));
	for (i = 0; i < sizeof(prfplus) / sizeof(prfplus[0]); i++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(keymat_prf_plus(prfplus[i].prf, key, kl, seed, sl, out,
		    prfplus[i].len), 0);
		assert_hex(out, prfplus[i].len, prfplus[i].out);
		/* Nothing written past the requested length. */
		assert_int_equal(out[prfplus[i].len], 0xee);
	}
}

/* 255 blocks is the most prf+ can give (its counter is one octet). */
static void
test_prf_plus_limit(void **state)
{
	uint8_t key[64], seed[128], digest[32], *out;
	size_t i, kl = unhex(PRFPLUS_KEY, key, sizeof(key)), sl, n;
	unsigned dl;

	sl = unhex(PRFPLUS_SEED, seed, sizeof(seed));
	for (i = 0; i < sizeof(prfplus_max) / sizeof(prfplus_max[0]); i++) {
		n = 255 * keymat_prf_len(prfplus_max[i].prf);
		out = malloc(n + 1);
		assert_non_null(out);
		assert_int_equal(keymat_prf_plus(prfplus_max[i].prf, key, kl, seed, sl, out, n), 0);
		assert_int_equal(EVP_Digest(out, n, digest, &dl, EVP_sha256(), NULL), 1);
		assert_hex(digest, dl, prfplus_max[i].sha256);
		assert_int_equal(keymat_prf_plus(prfplus_max[i].prf, key, kl, seed, sl, out,
		    n + 1), GW_E_TOOLONG);
		free(out);
	}
}

static void
test_key_lengths(void **state)
{
	static const struct { uint16_t encr, bits; int rc; size_t len; } e[] = {
		{ ENCR_AES_CBC, 128, 0, 16 }, { ENCR_AES_CBC, 192, 0, 24 },
		{ ENCR_AES_CBC, 256, 0, 32 }, { ENCR_AES_CBC, 0, GW_E_KEYLEN, 0 },
		{ ENCR_AES_CBC, 100, GW_E_KEYLEN, 0 }, { ENCR_AES_CBC, 512, GW_E_KEYLEN, 0 },
		/* AEAD keys carry their 4-byte salt. */
		{ ENCR_AES_GCM_16, 128, 0, 20 }, { ENCR_AES_GCM_16, 256, 0, 36 },
		{ ENCR_AES_GCM_16, 0, GW_E_KEYLEN, 0 },
		{ ENCR_CHACHA20_POLY1305, 0, 0, 36 },
		{ ENCR_CHACHA20_POLY1305, 256, GW_E_KEYLEN, 0 },
		{ ENCR_3DES, 0, 0, 24 }, { ENCR_3DES, 192, GW_E_KEYLEN, 0 },
		{ ENCR_NULL, 0, 0, 0 }, { 99, 0, GW_E_UNSUPP, 0 }, { 0, 0, GW_E_UNSUPP, 0 },
	};
	static const struct { uint16_t integ; int rc; size_t len; } a[] = {
		{ 0, 0, 0 }, { AUTH_HMAC_SHA1_96, 0, 20 }, { AUTH_AES_XCBC_96, 0, 16 },
		{ AUTH_HMAC_SHA2_256_128, 0, 32 }, { AUTH_HMAC_SHA2_384_192, 0, 48 },
		{ AUTH_HMAC_SHA2_512_256, 0, 64 }, { 99, GW_E_UNSUPP, 0 },
	};
	size_t i, len;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		len = 12345;
		assert_int_equal(keymat_encr_keylen(e[i].encr, e[i].bits, &len), e[i].rc);
		if (e[i].rc == 0)
			assert_int_equal(len, e[i].len);
	}
	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		len = 12345;
		assert_int_equal(keymat_integ_keylen(a[i].integ, &len), a[i].rc);
		if (a[i].rc == 0)
			assert_int_equal(len, a[i].len);
	}
}

/* The IKE SA of gen_vectors.py: PRF_HMAC_SHA2_256, AES-GCM-16-256, X25519. */
static struct keymat_ike *
derive_first(void)
{
	static const struct keymat_xf xf = { KEYMAT_PRF_HMAC_SHA2_256, ENCR_AES_GCM_16, 256, 0 };
	uint8_t ni[1024], nr[1024], gir[1024], spii[8], spir[8];
	struct view vni = hexview(NI, ni), vnr = hexview(NR, nr), vg = hexview(IKE_GIR, gir);
	struct keymat_ike *km;

	unhex(SPII, spii, 8);
	unhex(SPIR, spir, 8);
	assert_int_equal(keymat_ike_derive(&km, &xf, vg.p, vg.len, &vni, &vnr, spii, spir), 0);
	assert_non_null(km);
	return km;
}

static void
test_skeyseed(void **state)
{
	uint8_t ni[1024], nr[1024], gir[1024], out[KEYMAT_PRF_MAX];
	struct view vni = hexview(NI, ni), vnr = hexview(NR, nr), vg = hexview(IKE_GIR, gir);

	/* g^ir is the RFC 7748 6.1 shared secret. */
	assert_hex(vg.p, vg.len, X25519_K);
	assert_int_equal(keymat_skeyseed(KEYMAT_PRF_HMAC_SHA2_256, &vni, &vnr, vg.p, vg.len,
	    out, sizeof(out)), 0);
	assert_hex(out, 32, IKE_SKEYSEED);
	assert_int_equal(keymat_skeyseed(KEYMAT_PRF_HMAC_SHA2_256, &vni, &vnr, vg.p, vg.len,
	    out, 31), GW_E_TOOLONG);
}

static void
test_ike_sa_keys(void **state)
{
	static const char *const want[KEYMAT_SK_COUNT] = { IKE_SK_D, IKE_SK_AI, IKE_SK_AR,
	    IKE_SK_EI, IKE_SK_ER, IKE_SK_PI, IKE_SK_PR };
	struct keymat_ike *km = derive_first();
	const struct gw_key *k;
	int i;

	assert_int_equal(keymat_ike_prf(km), KEYMAT_PRF_HMAC_SHA2_256);
	for (i = 0; i < KEYMAT_SK_COUNT; i++) {
		k = keymat_ike_key(km, (enum keymat_sk)i);
		assert_non_null(k);
		assert_hex(k->b, k->len, want[i]);
	}
	/* AEAD: no SK_a; SK_e is the 32-byte key and the 4-byte salt. */
	assert_int_equal(keymat_ike_key(km, KEYMAT_SK_AI)->len, 0);
	assert_int_equal(keymat_ike_key(km, KEYMAT_SK_EI)->len, 36);
	assert_null(keymat_ike_key(km, KEYMAT_SK_COUNT));
	keymat_ike_free(km);
	keymat_ike_free(NULL);
}

static void
test_ike_derive_refusals(void **state)
{
	uint8_t n[300], gir[32], spi[8] = { 0 };
	struct view ok = { n, 32 }, small = { n, 15 }, big = { n, 257 }, edge = { n, 256 };
	struct keymat_xf aead_integ = { KEYMAT_PRF_HMAC_SHA2_256, ENCR_AES_GCM_16, 128,
	    AUTH_HMAC_SHA2_256_128 };
	struct keymat_xf cbc_bare = { KEYMAT_PRF_HMAC_SHA2_256, ENCR_AES_CBC, 128, 0 };
	struct keymat_xf good = { KEYMAT_PRF_HMAC_SHA2_256, ENCR_AES_CBC, 128,
	    AUTH_HMAC_SHA2_256_128 };
	struct keymat_xf xcbc_prf = { 4, ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128 };
	struct keymat_ike *km = (struct keymat_ike *)&ok;

	memset(n, 7, sizeof(n));
	memset(gir, 3, sizeof(gir));
	assert_int_equal(keymat_ike_derive(&km, &aead_integ, gir, 32, &ok, &ok, spi, spi),
	    GW_E_BADVAL);
	assert_null(km);
	assert_int_equal(keymat_ike_derive(&km, &cbc_bare, gir, 32, &ok, &ok, spi, spi),
	    GW_E_BADVAL);
	assert_int_equal(keymat_ike_derive(&km, &xcbc_prf, gir, 32, &ok, &ok, spi, spi),
	    GW_E_UNSUPP);
	assert_int_equal(keymat_ike_derive(&km, &good, gir, 32, &small, &ok, spi, spi),
	    GW_E_BADVAL);
	assert_int_equal(keymat_ike_derive(&km, &good, gir, 32, &ok, &big, spi, spi),
	    GW_E_BADVAL);
	assert_int_equal(keymat_ike_derive(&km, &good, gir, 0, &ok, &ok, spi, spi),
	    GW_E_BADVAL);
	assert_null(km);
	assert_int_equal(keymat_ike_derive(&km, &good, gir, 32, &edge, &edge, spi, spi), 0);
	assert_int_equal(keymat_ike_key(km, KEYMAT_SK_AI)->len, 32);
	assert_int_equal(keymat_ike_key(km, KEYMAT_SK_EI)->len, 16);
	keymat_ike_free(km);
}

static void
expect_child(const struct keymat_child *c, const char *ei, const char *ai, const char *er,
    const char *ar)
{
	assert_hex(c->encr_i.b, c->encr_i.len, ei);
	assert_hex(c->integ_i.b, c->integ_i.len, ai);
	assert_hex(c->encr_r.b, c->encr_r.len, er);
	assert_hex(c->integ_r.b, c->integ_r.len, ar);
}

/* First Child SA: AES-CBC-128 + HMAC-SHA2-256-128, KEYMAT = prf+(SK_d, Ni | Nr). */
static void
test_child_keymat(void **state)
{
	static const struct keymat_xf xf = { 0, ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128 };
	uint8_t ni[1024], nr[1024];
	struct view vni = hexview(NI, ni), vnr = hexview(NR, nr);
	struct keymat_ike *km = derive_first();
	struct keymat_child c;
	size_t i;

	assert_int_equal(keymat_child_derive(km, &xf, NULL, 0, &vni, &vnr, &c), 0);
	expect_child(&c, CHILD_ENCR_I, CHILD_INTEG_I, CHILD_ENCR_R, CHILD_INTEG_R);
	keymat_child_clear(&c);
	for (i = 0; i < sizeof(c); i++)
		assert_int_equal(((uint8_t *)&c)[i], 0);
	keymat_ike_free(km);
}

/* CREATE_CHILD_SA with PFS: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr). */
static void
test_child_keymat_pfs(void **state)
{
	static const struct keymat_xf xf = { 0, ENCR_AES_GCM_16, 128, 0 };
	uint8_t ni[1024], nr[1024], gir[1024];
	struct view vni = hexview(NI2, ni), vnr = hexview(NR2, nr), vg = hexview(PFS_GIR, gir);
	struct keymat_ike *km = derive_first();
	struct keymat_child c;

	/* g^ir is the MODP-2048 value test_dh checks against the same script. */
	assert_hex(vg.p, vg.len, MODP_GIR);
	assert_int_equal(keymat_child_derive(km, &xf, vg.p, vg.len, &vni, &vnr, &c), 0);
	expect_child(&c, PFS_ENCR_I, PFS_INTEG_I, PFS_ENCR_R, PFS_INTEG_R);
	assert_int_equal(c.encr_i.len, 20);
	assert_int_equal(c.integ_i.len, 0);
	keymat_child_clear(&c);
	assert_int_equal(keymat_child_derive(km, &xf, vg.p, 0, &vni, &vnr, &c), GW_E_BADVAL);
	assert_int_equal(keymat_child_derive(km, &xf, NULL, 5, &vni, &vnr, &c), GW_E_BADVAL);
	assert_int_equal(c.encr_i.len, 0);
	keymat_ike_free(km);
}

/*
 * IKE SA rekey: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) under the
 * old PRF (SHA2-256); the new SA runs PRF_HMAC_SHA2_512, AES-CBC-256 and
 * HMAC-SHA2-384-192.
 */
static void
test_ike_rekey(void **state)
{
	static const struct keymat_xf xf = { KEYMAT_PRF_HMAC_SHA2_512, ENCR_AES_CBC, 256,
	    AUTH_HMAC_SHA2_384_192 };
	static const char *const want[KEYMAT_SK_COUNT] = { REKEY_SK_D, REKEY_SK_AI,
	    REKEY_SK_AR, REKEY_SK_EI, REKEY_SK_ER, REKEY_SK_PI, REKEY_SK_PR };
	uint8_t ni[1024], nr[1024], gir[1024], spii[8], spir[8], seed[1024], ss[64];
	struct view vni = hexview(NI2, ni), vnr = hexview(NR2, nr), vg = hexview(ECP19_GIRX, gir);
	struct keymat_ike *old = derive_first(), *km;
	const struct gw_key *skd = keymat_ike_key(old, KEYMAT_SK_D);
	int i;

	unhex(SPII2, spii, 8);
	unhex(SPIR2, spir, 8);
	assert_int_equal(keymat_ike_rekey(&km, old, &xf, vg.p, vg.len, &vni, &vnr, spii, spir),
	    0);
	assert_int_equal(keymat_ike_prf(km), KEYMAT_PRF_HMAC_SHA2_512);
	for (i = 0; i < KEYMAT_SK_COUNT; i++)
		assert_hex(keymat_ike_key(km, (enum keymat_sk)i)->b,
		    keymat_ike_key(km, (enum keymat_sk)i)->len, want[i]);
	/* The script's SKEYSEED is the formula above. */
	memcpy(seed, vg.p, vg.len);
	memcpy(seed + vg.len, vni.p, vni.len);
	memcpy(seed + vg.len + vni.len, vnr.p, vnr.len);
	assert_int_equal(keymat_prf(KEYMAT_PRF_HMAC_SHA2_256, skd->b, skd->len, seed,
	    vg.len + vni.len + vnr.len, ss, sizeof(ss)), 0);
	assert_hex(ss, 32, REKEY_SKEYSEED);
	keymat_ike_free(km);
	assert_int_equal(keymat_ike_rekey(&km, old, &xf, vg.p, vg.len, &vni, &vni, spii,
	    spir), 0);
	assert_memory_not_equal(keymat_ike_key(km, KEYMAT_SK_D)->b,
	    keymat_ike_key(old, KEYMAT_SK_D)->b, 32);
	keymat_ike_free(km);
	assert_int_equal(keymat_ike_rekey(&km, old, &xf, NULL, 0, &vni, &vnr, spii, spir),
	    GW_E_BADVAL);
	assert_null(km);
	keymat_ike_free(old);
}

/* RFC 7296 2.15, both directions, checked against the script. */
static void
test_psk_auth(void **state)
{
	uint8_t m1[1024], m2[1024], ni[1024], nr[1024], idi[1024], idr[1024], psk[1024];
	uint8_t hpsk[1024], out[KEYMAT_PRF_MAX];
	struct view vm1 = hexview(MSG1, m1), vm2 = hexview(MSG2, m2), vni = hexview(NI, ni);
	struct view vnr = hexview(NR, nr), vidi = hexview(IDI, idi), vidr = hexview(IDR, idr);
	struct view vpsk = hexview(PSK_TEXT, psk), vhpsk = hexview(PSK_HEX, hpsk);
	struct keymat_ike *km = derive_first();
	const struct gw_key *pi = keymat_ike_key(km, KEYMAT_SK_PI);
	const struct gw_key *pr = keymat_ike_key(km, KEYMAT_SK_PR);

	assert_int_equal(keymat_psk_auth(KEYMAT_PRF_HMAC_SHA2_256, vpsk.p, vpsk.len, &vm1, &vnr,
	    pi, &vidi, out, sizeof(out)), 0);
	assert_hex(out, 32, AUTH_I);
	assert_int_equal(keymat_psk_auth(KEYMAT_PRF_HMAC_SHA2_256, vpsk.p, vpsk.len, &vm2, &vni,
	    pr, &vidr, out, sizeof(out)), 0);
	assert_hex(out, 32, AUTH_R);
	assert_int_equal(keymat_psk_auth(KEYMAT_PRF_HMAC_SHA2_256, vhpsk.p, vhpsk.len, &vm1,
	    &vnr, pi, &vidi, out, sizeof(out)), 0);
	assert_hex(out, 32, AUTH_I_HEXPSK);
	/* The IKE SA form picks SK_pi for the initiator's octets, SK_pr else. */
	assert_int_equal(keymat_ike_psk_auth(km, true, vpsk.p, vpsk.len, &vm1, &vnr, &vidi, out,
	    sizeof(out)), 0);
	assert_hex(out, 32, AUTH_I);
	assert_int_equal(keymat_ike_psk_auth(km, false, vpsk.p, vpsk.len, &vm2, &vni, &vidr,
	    out, sizeof(out)), 0);
	assert_hex(out, 32, AUTH_R);
	assert_int_equal(keymat_psk_auth(KEYMAT_PRF_HMAC_SHA2_256, vpsk.p, vpsk.len, &vm1, &vnr,
	    pi, &vidi, out, 31), GW_E_TOOLONG);
	assert_int_equal(keymat_psk_auth(KEYMAT_PRF_HMAC_SHA2_256, vpsk.p, 0, &vm1, &vnr,
	    pi, &vidi, out, sizeof(out)), GW_E_KEYLEN);
	keymat_ike_free(km);
}

static void
test_psk_auth_sha512(void **state)
{
	uint8_t m2[1024], ni[1024], idr[1024], psk[1024], skp[1024], out[KEYMAT_PRF_MAX];
	struct view vm2 = hexview(MSG2, m2), vni = hexview(NI, ni), vidr = hexview(IDR, idr);
	struct view vpsk = hexview(PSK_TEXT, psk), vskp = hexview(REKEY_SK_PR, skp);
	struct gw_key k;

	k.len = (uint16_t)vskp.len;
	memcpy(k.b, vskp.p, vskp.len);
	assert_int_equal(keymat_psk_auth(KEYMAT_PRF_HMAC_SHA2_512, vpsk.p, vpsk.len, &vm2, &vni,
	    &k, &vidr, out, sizeof(out)), 0);
	assert_hex(out, 64, AUTH_R_SHA512);
	gw_key_clear(&k);
}

static void
test_psk_verify(void **state)
{
	uint8_t m1[1024], nr[1024], idi[1024], psk[1024], auth[1024];
	struct view vm1 = hexview(MSG1, m1), vnr = hexview(NR, nr), vidi = hexview(IDI, idi);
	struct view vpsk = hexview(PSK_TEXT, psk), va = hexview(AUTH_I, auth);
	struct keymat_ike *km = derive_first();
	size_t i;

	assert_int_equal(keymat_ike_psk_verify(km, true, vpsk.p, vpsk.len, &vm1, &vnr, &vidi,
	    va.p, va.len), 0);
	/* As the responder's value (SK_pr) it does not verify. */
	assert_int_equal(keymat_ike_psk_verify(km, false, vpsk.p, vpsk.len, &vm1, &vnr, &vidi,
	    va.p, va.len), GW_E_BADVAL);
	for (i = 0; i < va.len * 8; i += 7) {
		auth[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(keymat_ike_psk_verify(km, true, vpsk.p, vpsk.len, &vm1, &vnr,
		    &vidi, va.p, va.len), GW_E_BADVAL);
		auth[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	assert_int_equal(keymat_ike_psk_verify(km, true, vpsk.p, vpsk.len, &vm1, &vnr, &vidi,
	    va.p, va.len - 1), GW_E_BADVAL);
	assert_int_equal(keymat_ike_psk_verify(km, true, vpsk.p, vpsk.len - 1, &vm1, &vnr,
	    &vidi, va.p, va.len), GW_E_BADVAL);
	m1[100] ^= 1;
	assert_int_equal(keymat_ike_psk_verify(km, true, vpsk.p, vpsk.len, &vm1, &vnr, &vidi,
	    va.p, va.len), GW_E_BADVAL);
	m1[100] ^= 1;
	idi[0] = 1;	/* same data, claimed as another ID type */
	assert_int_equal(keymat_ike_psk_verify(km, true, vpsk.p, vpsk.len, &vm1, &vnr, &vidi,
	    va.p, va.len), GW_E_BADVAL);
	keymat_ike_free(km);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prf_rfc4868),
		cmocka_unit_test(test_prf_hmac_sha1),
		cmocka_unit_test(test_prf_lengths_and_refusals),
		cmocka_unit_test(test_prf_plus_vectors),
		cmocka_unit_test(test_prf_plus_limit),
		cmocka_unit_test(test_key_lengths),
		cmocka_unit_test(test_skeyseed),
		cmocka_unit_test(test_ike_sa_keys),
		cmocka_unit_test(test_ike_derive_refusals),
		cmocka_unit_test(test_child_keymat),
		cmocka_unit_test(test_child_keymat_pfs),
		cmocka_unit_test(test_ike_rekey),
		cmocka_unit_test(test_psk_auth),
		cmocka_unit_test(test_psk_auth_sha512),
		cmocka_unit_test(test_psk_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
