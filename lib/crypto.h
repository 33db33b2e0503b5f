/*
 * crypto.h: a thin wrapper over libcrypto and libsodium.
 *
 * The primitives the data path and the keying daemon need, with contexts
 * that are prepared once per key (key schedule, HMAC pads) and reused for
 * every message, so the per-packet cost is the cipher itself. There is no
 * protocol logic here: ESP and IKE framing live with their users.
 *
 * Every function returns 0 or a negative enum gw_err. A context is not
 * safe for concurrent use: one thread per context at a time. Every
 * context is wiped by its _free function, which is safe on a zeroed or
 * already freed context.
 */
#ifndef GW_CRYPTO_H
#define GW_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define CRYPTO_AEAD_NONCE	12	/* RFC 5116 recommended nonce length */
#define CRYPTO_AEAD_TAG		16
#define CRYPTO_AES_BLOCK	16
#define CRYPTO_MD_MAX		64	/* longest digest (SHA-512) */

enum crypto_aead_alg {
	CRYPTO_AES_GCM,			/* NIST SP 800-38D; 128, 192 or 256-bit key */
	CRYPTO_CHACHA20_POLY1305,	/* RFC 8439; 256-bit key */
};

struct crypto_aead {
	enum crypto_aead_alg	 alg;
	EVP_CIPHER_CTX		*enc;	/* AES-GCM: key schedule, sealing side */
	EVP_CIPHER_CTX		*dec;	/* AES-GCM: key schedule, opening side */
	uint8_t			 key[32];	/* ChaCha20: libsodium wants it per call */
};

/*
 * Prepares a for alg under key. Returns 0, GW_E_KEYLEN if keylen does not
 * fit alg, GW_E_NOMEM or GW_E_UNSUPP if the library refuses. key is copied;
 * the caller keeps ownership. On failure a is left zeroed.
 */
int crypto_aead_init(struct crypto_aead *a, enum crypto_aead_alg alg,
    const uint8_t *key, size_t keylen);
/*
 * Encrypts len bytes of buf in place under the 12-byte nonce and
 * authenticates them with aad; writes the 16-byte tag. A nonce must never
 * be used twice under one key. Returns 0, GW_E_TOOLONG (len > INT_MAX) or
 * GW_E_BADVAL on library failure.
 */
int crypto_aead_seal(struct crypto_aead *a, const uint8_t nonce[static CRYPTO_AEAD_NONCE],
    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
    uint8_t tag[static CRYPTO_AEAD_TAG]);
/*
 * Verifies tag over aad and the len ciphertext bytes of buf and decrypts
 * them in place. Returns 0, or GW_E_BADVAL when the tag does not verify;
 * on failure the content of buf is unspecified and must be discarded.
 */
int crypto_aead_open(struct crypto_aead *a, const uint8_t nonce[static CRYPTO_AEAD_NONCE],
    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
    const uint8_t tag[static CRYPTO_AEAD_TAG]);
void crypto_aead_free(struct crypto_aead *a);

/* AES in CBC mode without padding (RFC 3602 pads at the ESP layer). */
struct crypto_cbc {
	EVP_CIPHER_CTX	*enc;
	EVP_CIPHER_CTX	*dec;
	EVP_CIPHER_CTX	*ecb;	/* the bare block cipher, for IV derivation */
};

/* Prepares c for AES with a 16, 24 or 32-byte key (else GW_E_KEYLEN). */
int crypto_cbc_init(struct crypto_cbc *c, const uint8_t *key, size_t keylen);
/*
 * Encrypt or decrypt len bytes of buf in place with the given IV. len must
 * be a multiple of 16 (else GW_E_BADVAL) and at most INT_MAX.
 */
int crypto_cbc_encrypt(struct crypto_cbc *c, const uint8_t iv[static CRYPTO_AES_BLOCK],
    uint8_t *buf, size_t len);
int crypto_cbc_decrypt(struct crypto_cbc *c, const uint8_t iv[static CRYPTO_AES_BLOCK],
    uint8_t *buf, size_t len);
/*
 * One raw AES block: out = AES_K(in). NIST SP 800-38A appendix C derives
 * unpredictable CBC IVs this way from a nonce under the same key.
 */
int crypto_cbc_block(struct crypto_cbc *c, const uint8_t in[static CRYPTO_AES_BLOCK],
    uint8_t out[static CRYPTO_AES_BLOCK]);
void crypto_cbc_free(struct crypto_cbc *c);

enum crypto_md {
	CRYPTO_SHA1,
	CRYPTO_SHA256,
	CRYPTO_SHA384,
	CRYPTO_SHA512,
};

/* Digest length in bytes of md (HMAC output before truncation). */
size_t crypto_md_len(enum crypto_md md);

struct crypto_hmac {
	EVP_MAC_CTX	*ctx;	/* keyed once; restarted per message */
	uint8_t		 len;	/* full output length */
};

/*
 * Keys h with HMAC over md (RFC 2104). keylen must be at least 1 (else
 * GW_E_KEYLEN); longer-than-block keys are hashed as RFC 2104 says.
 */
int crypto_hmac_init(struct crypto_hmac *h, enum crypto_md md, const uint8_t *key,
    size_t keylen);
/* Starts a new message under the prepared key, discarding any partial one. */
int crypto_hmac_start(struct crypto_hmac *h);
int crypto_hmac_update(struct crypto_hmac *h, const void *p, size_t n);
/*
 * Finishes the message and writes its first outlen bytes (the truncated
 * forms of RFC 2404/4868 keep the leftmost bytes). outlen must be at most
 * the digest length, else GW_E_BADVAL.
 */
int crypto_hmac_final(struct crypto_hmac *h, uint8_t *out, size_t outlen);
void crypto_hmac_free(struct crypto_hmac *h);
/* One-shot HMAC for callers without a prepared key (IKE prf). */
int crypto_hmac(enum crypto_md md, const uint8_t *key, size_t keylen, const void *data,
    size_t len, uint8_t *out, size_t outlen);

/*
 * Fills buf with n bytes from the system CSPRNG (libsodium randombytes).
 * Control-plane use: it may enter the kernel, so not per packet.
 */
void crypto_random(void *buf, size_t n);

#endif
