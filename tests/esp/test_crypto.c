/* test_crypto.c: lib/crypto.c against published vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "crypto.h"
#include "err.h"
#include "hex.h"
#include "vectors/crypto_kat.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct hmac_in {
	uint8_t	key[160];
	size_t	keylen;
	uint8_t	data[200];
	size_t	len;
	uint8_t	mac[CRYPTO_MD_MAX];
	size_t	maclen;
	uint8_t	trunc[CRYPTO_MD_MAX];
	size_t	trunclen;
};

static void
hmac_in(const struct hmac_kat *k, struct hmac_in *in)
{
	memset(in, 0, sizeof(*in));
	in->keylen = hex_rep(k->key, k->key_rep, in->key, sizeof(in->key));
	if (k->data != NULL)
		in->len = hex_rep(k->data, k->data_rep, in->data, sizeof(in->data));
	else {
		in->len = strlen(k->text);
		memcpy(in->data, k->text, in->len);
	}
	if (k->mac != NULL)
		in->maclen = hex(k->mac, in->mac, sizeof(in->mac));
	if (k->trunc != NULL)
		in->trunclen = hex(k->trunc, in->trunc, sizeof(in->trunc));
}

/* Each vector through a freshly keyed context and through crypto_hmac(). */
static void
hmac_check_table(const struct hmac_kat *t, size_t n)
{
	struct crypto_hmac h;
	struct hmac_in in;
	uint8_t out[CRYPTO_MD_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		hmac_in(&t[i], &in);
		assert_int_equal(crypto_hmac_init(&h, t[i].md, in.key, in.keylen), 0);
		assert_int_equal(crypto_hmac_update(&h, in.data, in.len), 0);
		if (in.maclen != 0) {
			assert_int_equal(in.maclen, crypto_md_len(t[i].md));
			assert_int_equal(crypto_hmac_final(&h, out, in.maclen), 0);
			if (memcmp(out, in.mac, in.maclen) != 0)
				fail_msg("%s: HMAC differs", t[i].name);
		}
		if (in.trunclen != 0) {
			assert_int_equal(crypto_hmac_start(&h), 0);
			assert_int_equal(crypto_hmac_update(&h, in.data, in.len), 0);
			assert_int_equal(crypto_hmac_final(&h, out, in.trunclen), 0);
			if (memcmp(out, in.trunc, in.trunclen) != 0)
				fail_msg("%s: truncated HMAC differs", t[i].name);
		}
		crypto_hmac_free(&h);
		assert_int_equal(crypto_hmac(t[i].md, in.key, in.keylen, in.data, in.len, out,
		    in.trunclen ? in.trunclen : in.maclen), 0);
		assert_memory_equal(out, in.trunclen ? in.trunc : in.mac,
		    in.trunclen ? in.trunclen : in.maclen);
	}
}

static void
test_hmac_rfc2202(void **state)
{
	hmac_check_table(hmac_rfc2202, NELEM(hmac_rfc2202));
}

static void
test_hmac_rfc4231(void **state)
{
	hmac_check_table(hmac_rfc4231, NELEM(hmac_rfc4231));
}

static void
test_hmac_rfc4868(void **state)
{
	hmac_check_table(hmac_rfc4868_auth, NELEM(hmac_rfc4868_auth));
}

/*
 * A prepared context restarted many times, fed in pieces, and abandoned
 * mid-message must give the same output as a fresh one each time.
 */
static void
test_hmac_reuse(void **state)
{
	const struct hmac_kat *k = &hmac_rfc4868_auth[3];	/* AUTH256-4 */
	struct crypto_hmac h;
	struct hmac_in in;
	uint8_t out[CRYPTO_MD_MAX];
	size_t i, round;

	hmac_in(k, &in);
	assert_int_equal(crypto_hmac_init(&h, k->md, in.key, in.keylen), 0);
	for (round = 0; round < 3; round++) {
		assert_int_equal(crypto_hmac_start(&h), 0);
		for (i = 0; i < in.len; i++)
			assert_int_equal(crypto_hmac_update(&h, in.data + i, 1), 0);
		assert_int_equal(crypto_hmac_final(&h, out, in.maclen), 0);
		assert_memory_equal(out, in.mac, in.maclen);
		/* A partial message is dropped by the next start. */
		assert_int_equal(crypto_hmac_start(&h), 0);
		assert_int_equal(crypto_hmac_update(&h, "junk", 4), 0);
	}
	assert_int_equal(crypto_hmac_start(&h), 0);
	assert_int_equal(crypto_hmac_update(&h, in.data, in.len), 0);
	assert_int_equal(crypto_hmac_final(&h, out, 16), 0);
	assert_memory_equal(out, in.trunc, 16);
	crypto_hmac_free(&h);
}

static void
test_hmac_errors(void **state)
{
	struct crypto_hmac h, zero;
	uint8_t key[20] = { 1 }, out[CRYPTO_MD_MAX];

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(crypto_hmac_init(&h, CRYPTO_SHA1, key, 0), GW_E_KEYLEN);
	assert_memory_equal(&h, &zero, sizeof(h));
	assert_int_equal(crypto_hmac_init(&h, (enum crypto_md)42, key, sizeof(key)),
	    GW_E_UNSUPP);
	assert_int_equal(crypto_hmac_init(&h, CRYPTO_SHA1, key, sizeof(key)), 0);
	assert_int_equal(crypto_hmac_final(&h, out, 21), GW_E_BADVAL);
	crypto_hmac_free(&h);
	assert_memory_equal(&h, &zero, sizeof(h));
	crypto_hmac_free(&h);
	/* A freed context refuses work instead of crashing. */
	assert_int_equal(crypto_hmac_start(&h), GW_E_BADVAL);
	assert_int_equal(crypto_hmac_update(&h, key, 1), GW_E_BADVAL);
	assert_int_equal(crypto_hmac_final(&h, out, 12), GW_E_BADVAL);
	assert_int_equal(crypto_md_len(CRYPTO_SHA1), 20);
	assert_int_equal(crypto_md_len(CRYPTO_SHA256), 32);
	assert_int_equal(crypto_md_len(CRYPTO_SHA384), 48);
	assert_int_equal(crypto_md_len(CRYPTO_SHA512), 64);
}

struct aead_in {
	uint8_t	key[32], nonce[CRYPTO_AEAD_NONCE], aad[32], pt[160], ct[160];
	uint8_t	tag[CRYPTO_AEAD_TAG];
	size_t	keylen, aadlen, len;
};

static void
aead_in(const struct aead_kat *k, struct aead_in *in)
{
	in->keylen = hex(k->key, in->key, sizeof(in->key));
	assert_int_equal(hex(k->nonce, in->nonce, sizeof(in->nonce)), CRYPTO_AEAD_NONCE);
	in->aadlen = hex(k->aad, in->aad, sizeof(in->aad));
	if (k->pt != NULL)
		in->len = hex(k->pt, in->pt, sizeof(in->pt));
	else {
		in->len = strlen(k->text);
		memcpy(in->pt, k->text, in->len);
	}
	assert_int_equal(hex(k->ct, in->ct, sizeof(in->ct)), in->len);
	assert_int_equal(hex(k->tag, in->tag, sizeof(in->tag)), CRYPTO_AEAD_TAG);
}

/* Seal and open in place, twice on one context (the IV is reset per call). */
static void
test_aead_kats(void **state)
{
	struct crypto_aead a;
	struct aead_in in;
	uint8_t buf[160], tag[CRYPTO_AEAD_TAG];
	size_t i, round;

	for (i = 0; i < NELEM(aead_kats); i++) {
		aead_in(&aead_kats[i], &in);
		assert_int_equal(crypto_aead_init(&a, aead_kats[i].alg, in.key, in.keylen), 0);
		for (round = 0; round < 2; round++) {
			memcpy(buf, in.pt, in.len);
			assert_int_equal(crypto_aead_seal(&a, in.nonce, in.aad, in.aadlen, buf,
			    in.len, tag), 0);
			if (memcmp(buf, in.ct, in.len) != 0 ||
			    memcmp(tag, in.tag, sizeof(tag)) != 0)
				fail_msg("%s: seal differs", aead_kats[i].name);
			assert_int_equal(crypto_aead_open(&a, in.nonce, in.aad, in.aadlen, buf,
			    in.len, in.tag), 0);
			assert_memory_equal(buf, in.pt, in.len);
		}
		crypto_aead_free(&a);
	}
}

/* Any change to nonce, AAD, ciphertext or tag fails the open. */
static void
test_aead_tamper(void **state)
{
	struct crypto_aead a;
	struct aead_in in, bad;
	uint8_t buf[160];
	size_t i, bit, nbits;

	for (i = 0; i < NELEM(aead_kats); i++) {
		aead_in(&aead_kats[i], &in);
		assert_int_equal(crypto_aead_init(&a, aead_kats[i].alg, in.key, in.keylen), 0);
		nbits = 8 * (sizeof(in.nonce) + in.aadlen + in.len + sizeof(in.tag));
		for (bit = 0; bit < nbits; bit++) {
			size_t byte = bit / 8;
			uint8_t mask = (uint8_t)(1u << (bit % 8));

			bad = in;
			if (byte < sizeof(bad.nonce))
				bad.nonce[byte] ^= mask;
			else if ((byte -= sizeof(bad.nonce)) < bad.aadlen)
				bad.aad[byte] ^= mask;
			else if ((byte -= bad.aadlen) < bad.len)
				bad.ct[byte] ^= mask;
			else
				bad.tag[byte - bad.len] ^= mask;
			memcpy(buf, bad.ct, bad.len);
			if (crypto_aead_open(&a, bad.nonce, bad.aad, bad.aadlen, buf, bad.len,
			    bad.tag) != GW_E_BADVAL)
				fail_msg("%s: bit %zu flipped yet accepted", aead_kats[i].name,
				    bit);
		}
		crypto_aead_free(&a);
	}
}

static void
test_aead_errors(void **state)
{
	struct crypto_aead a, zero;
	uint8_t key[33] = { 0 };
	size_t len;

	memset(&zero, 0, sizeof(zero));
	for (len = 0; len <= sizeof(key); len++) {
		int want = (len == 16 || len == 24 || len == 32) ? 0 : GW_E_KEYLEN;

		assert_int_equal(crypto_aead_init(&a, CRYPTO_AES_GCM, key, len), want);
		crypto_aead_free(&a);
		want = len == 32 ? 0 : GW_E_KEYLEN;
		assert_int_equal(crypto_aead_init(&a, CRYPTO_CHACHA20_POLY1305, key, len), want);
		crypto_aead_free(&a);
		assert_memory_equal(&a, &zero, sizeof(a));
	}
	assert_int_equal(crypto_aead_init(&a, (enum crypto_aead_alg)7, key, 32), GW_E_UNSUPP);
}

static void
test_cbc_kats(void **state)
{
	const struct cbc_kat *k;
	struct crypto_cbc c;
	uint8_t key[32], iv[16], pt[64], ct[64], buf[64];
	size_t i, keylen, len;

	for (i = 0; i < NELEM(cbc_kats); i++) {
		k = &cbc_kats[i];
		keylen = hex(k->key, key, sizeof(key));
		assert_int_equal(hex(k->iv, iv, sizeof(iv)), 16);
		if (k->pt != NULL)
			len = hex(k->pt, pt, sizeof(pt));
		else {
			len = strlen(k->text);
			memcpy(pt, k->text, len);
		}
		assert_int_equal(hex(k->ct, ct, sizeof(ct)), len);
		assert_int_equal(crypto_cbc_init(&c, key, keylen), 0);
		memcpy(buf, pt, len);
		assert_int_equal(crypto_cbc_encrypt(&c, iv, buf, len), 0);
		if (memcmp(buf, ct, len) != 0)
			fail_msg("%s: ciphertext differs", k->name);
		assert_int_equal(crypto_cbc_decrypt(&c, iv, buf, len), 0);
		assert_memory_equal(buf, pt, len);
		/* Again on the same context: the IV restarts the chain. */
		assert_int_equal(crypto_cbc_encrypt(&c, iv, buf, len), 0);
		assert_memory_equal(buf, ct, len);
		crypto_cbc_free(&c);
	}
}

static void
test_aes_block(void **state)
{
	struct crypto_cbc c;
	uint8_t key[32], in[16], want[16], out[16];
	size_t i, keylen;

	for (i = 0; i < NELEM(aes_block_kats); i++) {
		keylen = hex(aes_block_kats[i].key, key, sizeof(key));
		hex(aes_block_kats[i].pt, in, sizeof(in));
		hex(aes_block_kats[i].ct, want, sizeof(want));
		assert_int_equal(crypto_cbc_init(&c, key, keylen), 0);
		assert_int_equal(crypto_cbc_block(&c, in, out), 0);
		assert_memory_equal(out, want, 16);
		/* ECB keeps no state between blocks. */
		assert_int_equal(crypto_cbc_block(&c, in, out), 0);
		assert_memory_equal(out, want, 16);
		crypto_cbc_free(&c);
	}
}

static void
test_cbc_errors(void **state)
{
	struct crypto_cbc c, zero;
	uint8_t key[32] = { 0 }, iv[16] = { 0 }, buf[48] = { 0 };
	size_t len;

	memset(&zero, 0, sizeof(zero));
	for (len = 0; len <= sizeof(key); len++) {
		int want = (len == 16 || len == 24 || len == 32) ? 0 : GW_E_KEYLEN;

		assert_int_equal(crypto_cbc_init(&c, key, len), want);
		crypto_cbc_free(&c);
	}
	assert_int_equal(crypto_cbc_init(&c, key, 16), 0);
	for (len = 1; len < sizeof(buf); len++)
		if (len % 16 != 0) {
			assert_int_equal(crypto_cbc_encrypt(&c, iv, buf, len), GW_E_BADVAL);
			assert_int_equal(crypto_cbc_decrypt(&c, iv, buf, len), GW_E_BADVAL);
		}
	assert_int_equal(crypto_cbc_encrypt(&c, iv, buf, 0), 0);
	crypto_cbc_free(&c);
	assert_memory_equal(&c, &zero, sizeof(c));
	assert_int_equal(crypto_cbc_encrypt(&c, iv, buf, 16), GW_E_BADVAL);
	assert_int_equal(crypto_cbc_block(&c, iv, buf), GW_E_BADVAL);
}

static void
test_random(void **state)
{
	uint8_t a[32], b[32], zero[32] = { 0 };

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	crypto_random(a, sizeof(a));
	crypto_random(b, sizeof(b));
	/* 2^-256 odds of a false failure. */
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
	crypto_random(a, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc2202),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_hmac_rfc4868),
		cmocka_unit_test(test_hmac_reuse),
		cmocka_unit_test(test_hmac_errors),
		cmocka_unit_test(test_aead_kats),
		cmocka_unit_test(test_aead_tamper),
		cmocka_unit_test(test_aead_errors),
		cmocka_unit_test(test_cbc_kats),
		cmocka_unit_test(test_aes_block),
		cmocka_unit_test(test_cbc_errors),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
