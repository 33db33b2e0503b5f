/*
 * alg.c: the algorithm table; see alg.h.
 *
 * One array per kind, searched in order: where two entries share a
 * PF_KEY number (null and the obsolete "simple" are both 11), the first
 * is the one alg_by_id returns, so the canonical entry comes first.
 */
#include <linux/pfkeyv2.h>

#include <string.h>

#include "alg.h"

/* IANA IKEv2 transform type 1 (ENCR_*) and type 3 (AUTH_*) ids. */
enum {
	ENCR_DES = 2,
	ENCR_3DES = 3,
	ENCR_CAST = 6,
	ENCR_BLOWFISH = 7,
	ENCR_NULL = 11,
	ENCR_AES_CBC = 12,
	ENCR_AES_CTR = 13,
	ENCR_AES_GCM_16 = 20,
	ENCR_CAMELLIA_CBC = 23,
	ENCR_CHACHA20_POLY1305 = 28,
	AUTH_HMAC_MD5_96 = 1,
	AUTH_HMAC_SHA1_96 = 2,
	AUTH_AES_XCBC_96 = 5,
	AUTH_HMAC_SHA2_256_128 = 12,
	AUTH_HMAC_SHA2_384_192 = 13,
	AUTH_HMAC_SHA2_512_256 = 14,
};

/* A fixed key length in bits. */
#define KEY(bits)		.key_min = (bits), .key_max = (bits)
/* A key length range with its step, in bits. */
#define KEYS(lo, hi, st)	.key_min = (lo), .key_max = (hi), .key_step = (st)

static const struct alg alg_enc[] = {
	{ .kind = ALG_ENC,
	  .id = SADB_EALG_DESCBC, .name = "des-cbc", KEY(64),
	  .block = 8, .iv = 8, .ikev2_id = ENCR_DES },
	{ .kind = ALG_ENC,
	  .id = SADB_EALG_3DESCBC, .name = "3des-cbc", KEY(192),
	  .block = 8, .iv = 8, .ikev2_id = ENCR_3DES },
	/* RFC 2410: no key and no IV; the payload is padded to 4 bytes. */
	{ .kind = ALG_ENC,
	  .id = SADB_EALG_NULL, .name = "null", .key_none = true,
	  .block = 4, .datapath = true, .ikev2_id = ENCR_NULL },
	{ .kind = ALG_ENC,
	  .id = SADB_EALG_NULL, .name = "simple", .key_none = true,
	  .block = 4, .obsolete = true },
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_BLOWFISHCBC, .name = "blowfish-cbc", KEYS(40, 448, 8),
	  .block = 8, .iv = 8, .ikev2_id = ENCR_BLOWFISH },
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_CASTCBC, .name = "cast128-cbc", KEYS(40, 128, 8),
	  .block = 8, .iv = 8, .ikev2_id = ENCR_CAST },
	/* RFC 3602. KAME spelled it rijndael-cbc; -D prints aes-cbc. */
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_AESCBC, .name = "aes-cbc", .aliases = { "rijndael-cbc" },
	  KEYS(128, 256, 64), .block = 16, .iv = 16, .datapath = true,
	  .ikev2_id = ENCR_AES_CBC },
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_TWOFISHCBC, .name = "twofish-cbc", KEYS(8, 256, 8),
	  .block = 16, .iv = 16 },
	/* RFC 3686: AES key then a 32-bit nonce; a counter mode pads to 4. */
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_AESCTR, .name = "aes-ctr", KEYS(160, 288, 64),
	  .block = 4, .iv = 8, .salt = 4, .ikev2_id = ENCR_AES_CTR },
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_CAMELLIACBC, .name = "camellia-cbc", KEYS(128, 256, 64),
	  .block = 16, .iv = 16, .ikev2_id = ENCR_CAMELLIA_CBC },
	/* RFC 4106: AES key then a 4-byte salt, 8-byte IV, 16-byte ICV. */
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_AES_GCM_ICV16, .name = "aes-gcm-16", .aliases = { "aes-gcm" },
	  KEYS(160, 288, 64), .block = 4, .iv = 8, .icv = 16, .salt = 4,
	  .aead = true, .datapath = true, .ikev2_id = ENCR_AES_GCM_16 },
	/* RFC 7634: a 256-bit key then a 4-byte salt. */
	{ .kind = ALG_ENC,
	  .id = SADB_X_EALG_CHACHA20_POLY1305, .name = "chacha20-poly1305", KEY(288),
	  .block = 4, .iv = 8, .icv = 16, .salt = 4, .aead = true, .datapath = true,
	  .ikev2_id = ENCR_CHACHA20_POLY1305 },
};

/* icv is the truncated length carried in the packet. */
static const struct alg alg_auth[] = {
	{ .kind = ALG_AUTH,
	  .id = SADB_AALG_MD5HMAC, .name = "hmac-md5", KEY(128), .icv = 12,
	  .ikev2_id = AUTH_HMAC_MD5_96 },
	{ .kind = ALG_AUTH,
	  .id = SADB_AALG_SHA1HMAC, .name = "hmac-sha1", KEY(160), .icv = 12,
	  .datapath = true, .ikev2_id = AUTH_HMAC_SHA1_96 },
	/* Old AH (RFC 1828 style): the whole digest is the ICV. */
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_MD5, .name = "md5", .aliases = { "keyed-md5" },
	  .print_only = true, KEY(128), .icv = 16 },
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_SHA, .name = "sha", .aliases = { "keyed-sha1" },
	  .print_only = true, KEY(160), .icv = 20 },
	/* RFC 4868 truncation: half the digest. */
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_SHA2_256HMAC, .name = "hmac-sha256",
	  .aliases = { "hmac-sha2-256" }, KEY(256), .icv = 16, .datapath = true,
	  .ikev2_id = AUTH_HMAC_SHA2_256_128 },
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_SHA2_384HMAC, .name = "hmac-sha384",
	  .aliases = { "hmac-sha2-384" }, KEY(384), .icv = 24, .datapath = true,
	  .ikev2_id = AUTH_HMAC_SHA2_384_192 },
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_SHA2_512HMAC, .name = "hmac-sha512",
	  .aliases = { "hmac-sha2-512" }, KEY(512), .icv = 32, .datapath = true,
	  .ikev2_id = AUTH_HMAC_SHA2_512_256 },
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_RIPEMD160HMAC, .name = "hmac-ripemd160", KEY(160), .icv = 12 },
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_AES_XCBC_MAC, .name = "aes-xcbc-mac", KEY(128), .icv = 12,
	  .ikev2_id = AUTH_AES_XCBC_96 },
	/* RFC 2385: any key of 1 to 80 bytes; the MD5 digest is the signature. */
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_TCP_MD5, .name = "tcp-md5", KEYS(8, 640, 8), .icv = 16 },
	{ .kind = ALG_AUTH,
	  .id = SADB_X_AALG_NULL, .name = "null", .key_none = true },
};

static const struct alg alg_comp[] = {
	{ .kind = ALG_COMP,
	  .id = SADB_X_CALG_OUI, .name = "oui", .key_none = true },
	{ .kind = ALG_COMP,
	  .id = SADB_X_CALG_DEFLATE, .name = "deflate", .key_none = true },
	{ .kind = ALG_COMP,
	  .id = SADB_X_CALG_LZS, .name = "lzs", .key_none = true },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const struct alg *
alg_at(enum alg_kind kind, size_t i)
{
	switch (kind) {
	case ALG_ENC:
		return i < NELEM(alg_enc) ? &alg_enc[i] : NULL;
	case ALG_AUTH:
		return i < NELEM(alg_auth) ? &alg_auth[i] : NULL;
	case ALG_COMP:
		return i < NELEM(alg_comp) ? &alg_comp[i] : NULL;
	}
	return NULL;
}

/* True if name is one of a's input spellings. */
static bool
alg_named(const struct alg *a, const char *name)
{
	size_t	i;

	if (!a->print_only && strcmp(a->name, name) == 0)
		return true;
	for (i = 0; i < NELEM(a->aliases) && a->aliases[i] != NULL; i++)
		if (strcmp(a->aliases[i], name) == 0)
			return true;
	return false;
}

const struct alg *
alg_by_name(enum alg_kind kind, const char *name)
{
	const struct alg	*a;
	size_t			 i;

	for (i = 0; (a = alg_at(kind, i)) != NULL; i++)
		if (alg_named(a, name))
			return a;
	return NULL;
}

const struct alg *
alg_by_id(enum alg_kind kind, uint8_t id)
{
	const struct alg	*a;
	size_t			 i;

	for (i = 0; (a = alg_at(kind, i)) != NULL; i++)
		if (a->id == id)
			return a;
	return NULL;
}

bool
alg_key_ok(const struct alg *a, unsigned bits)
{
	if (a == NULL)
		return false;
	if (a->key_none)
		return bits == 0;
	if (bits < a->key_min || bits > a->key_max)
		return false;
	return a->key_step == 0 || (bits - a->key_min) % a->key_step == 0;
}
