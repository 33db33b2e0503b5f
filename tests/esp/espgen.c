/* espgen.c: the test-side ESP encoder; see espgen.h. */
#include <linux/pfkeyv2.h>

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "alg.h"
#include "espgen.h"

struct combo {
	const char	*name;
	uint8_t		 enc;
	size_t		 ekeylen;
	uint8_t		 auth;
	size_t		 akeylen;
};

static const struct combo combos[] = {
	{ "aes-gcm-16/128", SADB_X_EALG_AES_GCM_ICV16, 20, 0, 0 },
	{ "aes-gcm-16/192", SADB_X_EALG_AES_GCM_ICV16, 28, 0, 0 },
	{ "aes-gcm-16/256", SADB_X_EALG_AES_GCM_ICV16, 36, 0, 0 },
	{ "chacha20-poly1305", SADB_X_EALG_CHACHA20_POLY1305, 36, 0, 0 },
	{ "aes-cbc/128 hmac-sha1", SADB_X_EALG_AESCBC, 16, SADB_AALG_SHA1HMAC, 20 },
	{ "aes-cbc/192 hmac-sha256", SADB_X_EALG_AESCBC, 24, SADB_X_AALG_SHA2_256HMAC, 32 },
	{ "aes-cbc/256 hmac-sha384", SADB_X_EALG_AESCBC, 32, SADB_X_AALG_SHA2_384HMAC, 48 },
	{ "aes-cbc/256 hmac-sha512", SADB_X_EALG_AESCBC, 32, SADB_X_AALG_SHA2_512HMAC, 64 },
	{ "aes-cbc/128 hmac-sha512", SADB_X_EALG_AESCBC, 16, SADB_X_AALG_SHA2_512HMAC, 64 },
	{ "null hmac-sha1", SADB_EALG_NULL, 0, SADB_AALG_SHA1HMAC, 20 },
	{ "null hmac-sha256", SADB_EALG_NULL, 0, SADB_X_AALG_SHA2_256HMAC, 32 },
	{ "null hmac-sha384", SADB_EALG_NULL, 0, SADB_X_AALG_SHA2_384HMAC, 48 },
	{ "null hmac-sha512", SADB_EALG_NULL, 0, SADB_X_AALG_SHA2_512HMAC, 64 },
};

size_t
espgen_sa_count(void)
{
	return sizeof(combos) / sizeof(combos[0]);
}

void
espgen_sa_get(size_t i, uint8_t seed, struct espgen_sa *sa)
{
	size_t k;

	memset(sa, 0, sizeof(*sa));
	sa->name = combos[i].name;
	sa->enc = combos[i].enc;
	sa->auth = combos[i].auth;
	sa->ekeylen = combos[i].ekeylen;
	sa->akeylen = combos[i].akeylen;
	for (k = 0; k < sizeof(sa->ekey); k++)
		sa->ekey[k] = (uint8_t)(seed + 3 * k + 1);
	for (k = 0; k < sizeof(sa->akey); k++)
		sa->akey[k] = (uint8_t)(seed ^ (0x5a + 7 * k));
}

size_t
espgen_ivlen(const struct espgen_sa *sa)
{
	switch (sa->enc) {
	case SADB_X_EALG_AESCBC:
		return 16;
	case SADB_EALG_NULL:
		return 0;
	}
	return 8;
}

size_t
espgen_icvlen(const struct espgen_sa *sa)
{
	switch (sa->auth) {
	case SADB_AALG_SHA1HMAC:		/* RFC 2404: 96 bits */
		return 12;
	case SADB_X_AALG_SHA2_256HMAC:		/* RFC 4868: half the digest */
		return 16;
	case SADB_X_AALG_SHA2_384HMAC:
		return 24;
	case SADB_X_AALG_SHA2_512HMAC:
		return 32;
	}
	return 16;
}

size_t
espgen_align(const struct espgen_sa *sa)
{
	return sa->enc == SADB_X_EALG_AESCBC ? 16 : 4;
}

static const EVP_MD *
espgen_md(uint8_t auth)
{
	switch (auth) {
	case SADB_AALG_SHA1HMAC:
		return EVP_sha1();
	case SADB_X_AALG_SHA2_256HMAC:
		return EVP_sha256();
	case SADB_X_AALG_SHA2_384HMAC:
		return EVP_sha384();
	}
	return EVP_sha512();
}

static const EVP_CIPHER *
espgen_cipher(const struct espgen_sa *sa)
{
	size_t keylen = sa->ekeylen - (sa->enc == SADB_X_EALG_AESCBC ? 0 : 4);

	if (sa->enc == SADB_X_EALG_AESCBC)
		return keylen == 16 ? EVP_aes_128_cbc() :
		    keylen == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
	return keylen == 16 ? EVP_aes_128_gcm() :
	    keylen == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
}

/* One-shot EVP over ct (len bytes, in place); tag written for GCM. */
static int
espgen_evp(const struct espgen_sa *sa, const uint8_t *iv, const uint8_t *aad, size_t aadlen,
    uint8_t *ct, size_t len, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int n, ok;
	bool gcm = sa->enc == SADB_X_EALG_AES_GCM_ICV16;

	if (gcm) {
		memcpy(nonce, sa->ekey + sa->ekeylen - 4, 4);
		memcpy(nonce + 4, iv, 8);
	}
	ok = ctx != NULL &&
	    EVP_EncryptInit_ex(ctx, espgen_cipher(sa), NULL, sa->ekey, gcm ? nonce : iv) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    (!gcm || EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) == 1) &&
	    EVP_EncryptUpdate(ctx, ct, &n, ct, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, ct + n, &n) == 1 &&
	    (!gcm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

size_t
espgen_seal(const struct espgen_sa *sa, uint32_t spi, uint64_t seq, bool esn,
    const uint8_t *iv, const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap)
{
	size_t ivlen = espgen_ivlen(sa), icvlen = espgen_icvlen(sa), hlen = 8 + ivlen;
	uint8_t aad[12], hi[4], md[EVP_MAX_MD_SIZE], nonce[12];
	unsigned int mdlen;
	size_t aadlen = 0;
	unsigned long long tl;

	if (hlen + ptlen + icvlen > cap ||
	    (sa->enc == SADB_X_EALG_AESCBC && ptlen % espgen_align(sa) != 0))
		return 0;
	/* Header: SPI and the low 32 bits; ESN high bits stay implicit. */
	for (int i = 0; i < 4; i++) {
		out[i] = (uint8_t)(spi >> (24 - 8 * i));
		out[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		hi[i] = (uint8_t)(seq >> (56 - 8 * i));
	}
	memcpy(out + 8, iv, ivlen);
	memcpy(out + hlen, pt, ptlen);
	/* AAD (RFC 4106 5): SPI, [high], low. */
	memcpy(aad, out, 4);
	aadlen = 4;
	if (esn) {
		memcpy(aad + aadlen, hi, 4);
		aadlen += 4;
	}
	memcpy(aad + aadlen, out + 4, 4);
	aadlen += 4;
	switch (sa->enc) {
	case SADB_X_EALG_CHACHA20_POLY1305:
		if (sodium_init() < 0)
			return 0;
		memcpy(nonce, sa->ekey + 32, 4);
		memcpy(nonce + 4, iv, 8);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(out + hlen, out + hlen + ptlen,
		    &tl, out + hlen, ptlen, aad, aadlen, NULL, nonce, sa->ekey);
		return hlen + ptlen + 16;
	case SADB_X_EALG_AES_GCM_ICV16:
		if (espgen_evp(sa, iv, aad, aadlen, out + hlen, ptlen, out + hlen + ptlen) != 0)
			return 0;
		return hlen + ptlen + 16;
	case SADB_X_EALG_AESCBC:
		if (espgen_evp(sa, iv, NULL, 0, out + hlen, ptlen, NULL) != 0)
			return 0;
		break;
	}
	/* RFC 4303 2.2.1: the ICV input ends with the unsent high bits. */
	if (esn)
		memcpy(out + hlen + ptlen, hi, 4);
	if (HMAC(espgen_md(sa->auth), sa->akey, (int)sa->akeylen, out,
	    hlen + ptlen + (esn ? 4 : 0), md, &mdlen) == NULL)
		return 0;
	memcpy(out + hlen + ptlen, md, icvlen);
	return hlen + ptlen + icvlen;
}
