/*
 * crypto.c: libcrypto/libsodium wrapper; see crypto.h.
 *
 * Why contexts are prepared once: an AES key schedule (and its GHASH
 * table) or the two HMAC pad blocks cost as much as hashing a short
 * packet. Keying an EVP context once per SA and only re-initialising the
 * IV or restarting the MAC per message leaves the per-packet work to the
 * cipher and hash themselves.
 *
 * ChaCha20-Poly1305 comes from libsodium, as DESIGN.md assigns it: it
 * checks the tag before it decrypts, so a forged packet never leaves
 * plaintext in the buffer, and measured on 1400-byte packets it runs as
 * fast as OpenSSL's EVP_chacha20_poly1305 with a prepared context.
 */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "crypto.h"
#include "err.h"
#include "log.h"
#include "secmem.h"

/* libsodium picks its SIMD code paths in sodium_init(); idempotent. */
static int
crypto_sodium_ready(void)
{
	return sodium_init() < 0 ? GW_E_UNSUPP : 0;
}

static const EVP_CIPHER *
crypto_aes(size_t keylen, bool gcm)
{
	switch (keylen) {
	case 16:
		return gcm ? EVP_aes_128_gcm() : EVP_aes_128_cbc();
	case 24:
		return gcm ? EVP_aes_192_gcm() : EVP_aes_192_cbc();
	case 32:
		return gcm ? EVP_aes_256_gcm() : EVP_aes_256_cbc();
	}
	return NULL;
}

static const EVP_CIPHER *
crypto_aes_ecb(size_t keylen)
{
	switch (keylen) {
	case 16:
		return EVP_aes_128_ecb();
	case 24:
		return EVP_aes_192_ecb();
	case 32:
		return EVP_aes_256_ecb();
	}
	return NULL;
}

/* A keyed cipher context with padding off; NULL on failure. */
static EVP_CIPHER_CTX *
crypto_cipher_new(const EVP_CIPHER *cipher, const uint8_t *key, int enc)
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
crypto_aead_init(struct crypto_aead *a, enum crypto_aead_alg alg, const uint8_t *key,
    size_t keylen)
{
	const EVP_CIPHER *cipher;

	memset(a, 0, sizeof(*a));
	switch (alg) {
	case CRYPTO_AES_GCM:
		if ((cipher = crypto_aes(keylen, true)) == NULL)
			return GW_E_KEYLEN;
		a->enc = crypto_cipher_new(cipher, key, 1);
		a->dec = crypto_cipher_new(cipher, key, 0);
		if (a->enc == NULL || a->dec == NULL) {
			crypto_aead_free(a);
			return GW_E_NOMEM;
		}
		break;
	case CRYPTO_CHACHA20_POLY1305:
		if (keylen != crypto_aead_chacha20poly1305_ietf_KEYBYTES)
			return GW_E_KEYLEN;
		if (crypto_sodium_ready() != 0)
			return GW_E_UNSUPP;
		memcpy(a->key, key, keylen);
		break;
	default:
		return GW_E_UNSUPP;
	}
	a->alg = alg;
	return 0;
}

/* AES-GCM, either direction: IV, AAD, then the text in place. */
static int
crypto_gcm_run(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *nonce, const uint8_t *aad,
    size_t aadlen, uint8_t *buf, size_t len)
{
	int n;

	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc) != 1)
		return GW_E_BADVAL;
	if (aadlen > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		return GW_E_BADVAL;
	if (len > 0 && EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) != 1)
		return GW_E_BADVAL;
	return 0;
}

int
crypto_aead_seal(struct crypto_aead *a, const uint8_t nonce[static CRYPTO_AEAD_NONCE],
    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
    uint8_t tag[static CRYPTO_AEAD_TAG])
{
	unsigned long long taglen;
	int n;

	if (len > INT_MAX || aadlen > INT_MAX)
		return GW_E_TOOLONG;
	if (a->alg == CRYPTO_CHACHA20_POLY1305) {
		/* libsodium allows the ciphertext to overwrite the plaintext. */
		if (crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf, tag, &taglen,
		    buf, len, aad, aadlen, NULL, nonce, a->key) != 0)
			return GW_E_BADVAL;
		return 0;
	}
	if (a->enc == NULL || crypto_gcm_run(a->enc, 1, nonce, aad, aadlen, buf, len) != 0)
		return GW_E_BADVAL;
	if (EVP_EncryptFinal_ex(a->enc, buf + len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, CRYPTO_AEAD_TAG, tag) != 1)
		return GW_E_BADVAL;
	return 0;
}

int
crypto_aead_open(struct crypto_aead *a, const uint8_t nonce[static CRYPTO_AEAD_NONCE],
    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
    const uint8_t tag[static CRYPTO_AEAD_TAG])
{
	uint8_t t[CRYPTO_AEAD_TAG];
	int n;

	if (len > INT_MAX || aadlen > INT_MAX)
		return GW_E_TOOLONG;
	if (a->alg == CRYPTO_CHACHA20_POLY1305) {
		/* Verifies the tag (in constant time) before decrypting. */
		if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(buf, NULL, buf, len,
		    tag, aad, aadlen, nonce, a->key) != 0)
			return GW_E_BADVAL;
		return 0;
	}
	/* The ctrl takes a non-const pointer; hand it a copy. */
	memcpy(t, tag, sizeof(t));
	if (a->dec == NULL || crypto_gcm_run(a->dec, 0, nonce, aad, aadlen, buf, len) != 0 ||
	    EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, CRYPTO_AEAD_TAG, t) != 1)
		return GW_E_BADVAL;
	/* OpenSSL compares the tag in constant time in the final step. */
	if (EVP_DecryptFinal_ex(a->dec, buf + len, &n) != 1)
		return GW_E_BADVAL;
	return 0;
}

void
crypto_aead_free(struct crypto_aead *a)
{
	/* EVP_CIPHER_CTX_free cleanses the key schedule it held. */
	EVP_CIPHER_CTX_free(a->enc);
	EVP_CIPHER_CTX_free(a->dec);
	secure_wipe(a, sizeof(*a));
}

int
crypto_cbc_init(struct crypto_cbc *c, const uint8_t *key, size_t keylen)
{
	const EVP_CIPHER *cbc, *ecb;

	memset(c, 0, sizeof(*c));
	if ((cbc = crypto_aes(keylen, false)) == NULL || (ecb = crypto_aes_ecb(keylen)) == NULL)
		return GW_E_KEYLEN;
	c->enc = crypto_cipher_new(cbc, key, 1);
	c->dec = crypto_cipher_new(cbc, key, 0);
	c->ecb = crypto_cipher_new(ecb, key, 1);
	if (c->enc == NULL || c->dec == NULL || c->ecb == NULL) {
		crypto_cbc_free(c);
		return GW_E_NOMEM;
	}
	return 0;
}

static int
crypto_cbc_run(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *iv, uint8_t *buf, size_t len)
{
	int n;

	if (ctx == NULL || len % CRYPTO_AES_BLOCK != 0)
		return GW_E_BADVAL;
	if (len > INT_MAX)
		return GW_E_TOOLONG;
	/* A NULL cipher and key keep the schedule; only the IV changes. */
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc) != 1)
		return GW_E_BADVAL;
	if (len > 0 && EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) != 1)
		return GW_E_BADVAL;
	return 0;
}

int
crypto_cbc_encrypt(struct crypto_cbc *c, const uint8_t iv[static CRYPTO_AES_BLOCK],
    uint8_t *buf, size_t len)
{
	return crypto_cbc_run(c->enc, 1, iv, buf, len);
}

int
crypto_cbc_decrypt(struct crypto_cbc *c, const uint8_t iv[static CRYPTO_AES_BLOCK],
    uint8_t *buf, size_t len)
{
	return crypto_cbc_run(c->dec, 0, iv, buf, len);
}

int
crypto_cbc_block(struct crypto_cbc *c, const uint8_t in[static CRYPTO_AES_BLOCK],
    uint8_t out[static CRYPTO_AES_BLOCK])
{
	int n;

	/* ECB without padding carries no state between whole blocks. */
	if (c->ecb == NULL || EVP_EncryptUpdate(c->ecb, out, &n, in, CRYPTO_AES_BLOCK) != 1 ||
	    n != CRYPTO_AES_BLOCK)
		return GW_E_BADVAL;
	return 0;
}

void
crypto_cbc_free(struct crypto_cbc *c)
{
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	EVP_CIPHER_CTX_free(c->ecb);
	secure_wipe(c, sizeof(*c));
}

/* OpenSSL digest names; string literals, so no const is cast away. */
static char *
crypto_md_name(enum crypto_md md)
{
	switch (md) {
	case CRYPTO_SHA1:	return "SHA1";
	case CRYPTO_SHA256:	return "SHA256";
	case CRYPTO_SHA384:	return "SHA384";
	case CRYPTO_SHA512:	return "SHA512";
	}
	return NULL;
}

size_t
crypto_md_len(enum crypto_md md)
{
	switch (md) {
	case CRYPTO_SHA1:	return 20;
	case CRYPTO_SHA256:	return 32;
	case CRYPTO_SHA384:	return 48;
	case CRYPTO_SHA512:	return 64;
	}
	return 0;
}

int
crypto_hmac_init(struct crypto_hmac *h, enum crypto_md md, const uint8_t *key, size_t keylen)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	char *name;

	memset(h, 0, sizeof(*h));
	if ((name = crypto_md_name(md)) == NULL)
		return GW_E_UNSUPP;
	if (keylen == 0)
		return GW_E_KEYLEN;
	if ((mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL)
		return GW_E_UNSUPP;
	h->ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);	/* the context keeps its own reference */
	if (h->ctx == NULL)
		return GW_E_NOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* Keying computes the inner and outer pad states once. */
	if (EVP_MAC_init(h->ctx, key, keylen, params) != 1) {
		crypto_hmac_free(h);
		return GW_E_UNSUPP;
	}
	h->len = (uint8_t)crypto_md_len(md);
	return 0;
}

int
crypto_hmac_start(struct crypto_hmac *h)
{
	/* A NULL key restarts from the prepared pad states. */
	if (h->ctx == NULL || EVP_MAC_init(h->ctx, NULL, 0, NULL) != 1)
		return GW_E_BADVAL;
	return 0;
}

int
crypto_hmac_update(struct crypto_hmac *h, const void *p, size_t n)
{
	if (h->ctx == NULL || EVP_MAC_update(h->ctx, p, n) != 1)
		return GW_E_BADVAL;
	return 0;
}

int
crypto_hmac_final(struct crypto_hmac *h, uint8_t *out, size_t outlen)
{
	uint8_t md[CRYPTO_MD_MAX];
	size_t n;

	if (h->ctx == NULL || outlen > h->len)
		return GW_E_BADVAL;
	if (EVP_MAC_final(h->ctx, md, &n, sizeof(md)) != 1 || n != h->len)
		return GW_E_BADVAL;
	memcpy(out, md, outlen);
	return 0;
}

void
crypto_hmac_free(struct crypto_hmac *h)
{
	/* EVP_MAC_CTX_free cleanses the key and pad states. */
	EVP_MAC_CTX_free(h->ctx);
	secure_wipe(h, sizeof(*h));
}

int
crypto_hmac(enum crypto_md md, const uint8_t *key, size_t keylen, const void *data,
    size_t len, uint8_t *out, size_t outlen)
{
	struct crypto_hmac h;
	int rc;

	if ((rc = crypto_hmac_init(&h, md, key, keylen)) != 0)
		return rc;
	if ((rc = crypto_hmac_update(&h, data, len)) == 0)
		rc = crypto_hmac_final(&h, out, outlen);
	crypto_hmac_free(&h);
	return rc;
}

void
crypto_random(void *buf, size_t n)
{
	/*
	 * Without a working CSPRNG there is nothing safe to return, so the
	 * process stops (as randombytes_buf itself does on a failing source).
	 */
	if (crypto_sodium_ready() != 0)
		fatalx_f("libsodium cannot initialise its random source");
	randombytes_buf(buf, n);
}
