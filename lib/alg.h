/*
 * alg.h: the algorithm table, the one source of truth for names, PF_KEY
 * numbers, key/IV/ICV sizes and what the data path implements.
 *
 * setkey uses it to parse "-E aes-cbc" and check key lengths; tunneld to
 * refuse SAs it cannot run; ikd (later) to map IKEv2 transform ids.
 * Numbers follow <linux/pfkeyv2.h> and the IANA ESP registry;
 * ChaCha20-Poly1305 is 28, which the Linux header lacks.
 */
#ifndef GW_ALG_H
#define GW_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SADB_X_EALG_CHACHA20_POLY1305	28
/* KAME authentication numbers that <linux/pfkeyv2.h> lacks. */
#ifndef SADB_X_AALG_MD5
#define SADB_X_AALG_MD5			249	/* keyed-md5, RFC 1828 */
#endif
#ifndef SADB_X_AALG_SHA
#define SADB_X_AALG_SHA			250	/* keyed-sha1 */
#endif
#ifndef SADB_X_AALG_TCP_MD5
#define SADB_X_AALG_TCP_MD5		252	/* RFC 2385 */
#endif

enum alg_kind {
	ALG_ENC,	/* -E: ESP encryption (incl. AEAD) */
	ALG_AUTH,	/* -A: integrity */
	ALG_COMP,	/* -C: IPComp */
};

struct alg {
	enum alg_kind	 kind;
	uint8_t		 id;		/* SADB_*ALG_* number */
	const char	*name;		/* canonical name as -D prints it */
	const char	*aliases[4];	/* other accepted spellings, NULL-terminated */
	bool		 print_only;	/* name is output only; input uses an alias */
	/*
	 * Accepted key lengths in bits: key_min..key_max, and when key_step
	 * is not 0 only key_min + k * key_step. Keys of AEAD ciphers include
	 * their salt (AES-GCM-16: 160, 224 or 288 bits).
	 */
	uint16_t	 key_min;
	uint16_t	 key_max;
	uint16_t	 key_step;
	bool		 key_none;	/* takes no key at all (null, simple) */
	uint8_t		 block;		/* padding unit in bytes (4 for stream and AEAD ciphers) */
	uint8_t		 iv;		/* bytes of IV on the wire */
	uint8_t		 icv;		/* bytes of ICV (auth: truncated HMAC length) */
	uint8_t		 salt;		/* bytes of salt at the end of the key */
	bool		 aead;		/* combined mode: no -A allowed */
	bool		 datapath;	/* tunneld implements it */
	bool		 obsolete;	/* accepted with "WARNING: obsolete algorithm" */
	uint16_t	 ikev2_id;	/* IKEv2 transform id (ENCR_* or AUTH_*), 0 = none */
};

/* Looks up by any accepted spelling; NULL if unknown. */
const struct alg *alg_by_name(enum alg_kind kind, const char *name);
/* Looks up by PF_KEY number; NULL if unknown. */
const struct alg *alg_by_id(enum alg_kind kind, uint8_t id);
/* True if a key of bits length is acceptable for a. */
bool alg_key_ok(const struct alg *a, unsigned bits);
/* Iterates the table: returns entry i of kind, or NULL past the end. */
const struct alg *alg_at(enum alg_kind kind, size_t i);

#endif
