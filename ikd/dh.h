/*
 * dh.h: the Diffie-Hellman groups of the IKEv2 Key Exchange payload.
 *
 * Groups 14, 15, 16 (MODP, RFC 3526), 19, 20 (NIST P-256/P-384, RFC 5903)
 * and 31 (Curve25519, RFC 8031). Public values use the IKEv2 wire forms:
 * MODP big-endian padded to the modulus length (RFC 7296 3.4), ECP x || y
 * without a point-format octet (RFC 5903 7), X25519 the 32-byte u value
 * (RFC 8031 2). The shared secret is g^ir padded to the modulus length,
 * the x coordinate alone for ECP, and the 32-byte X25519 output.
 *
 * The private value lives in libsodium guarded memory and is wiped by
 * dh_free(). Every peer value is validated before it is used.
 */
#ifndef IKD_DH_H
#define IKD_DH_H

#include <stddef.h>
#include <stdint.h>

/* IANA "Transform Type 4 - Key Exchange Method Transform IDs". */
enum dh_group_id {
	DH_MODP2048 = 14,
	DH_MODP3072 = 15,
	DH_MODP4096 = 16,
	DH_ECP256 = 19,
	DH_ECP384 = 20,
	DH_CURVE25519 = 31,
};

#define DH_PUB_MAX	512	/* MODP-4096 */
#define DH_SHARED_MAX	512

struct dh {
	uint16_t	 group;		/* enum dh_group_id */
	uint16_t	 publen;	/* wire length of pub */
	uint16_t	 sharedlen;	/* length dh_shared() writes */
	size_t		 privlen;
	uint8_t		*priv;		/* sodium_malloc'd, privlen bytes */
	uint8_t		 pub[DH_PUB_MAX];
};

/* Wire length of group's public value; 0 if the group is not supported. */
size_t dh_public_len(uint16_t group);
/* Length of group's shared secret; 0 if the group is not supported. */
size_t dh_shared_len(uint16_t group);
/* Short name for logs ("modp2048", "ecp256", "curve25519"); "unknown" otherwise. */
const char *dh_group_name(uint16_t group);

/*
 * Generates a fresh private value for group and computes its public
 * value. Returns a new object the caller releases with dh_free(), or NULL
 * for an unsupported group or when memory or the library fail.
 */
struct dh *dh_new(uint16_t group);
/*
 * Same with the private value given: the MODP exponent (big-endian, at
 * most the modulus length, greater than 1), the ECP scalar (exactly the
 * order length, 1 <= k < n) or the X25519 scalar (32 bytes). For test
 * vectors and reproducible exchanges in tests only. priv is copied.
 */
struct dh *dh_new_fixed(uint16_t group, const uint8_t *priv, size_t len);
/*
 * Copies the public value (dh->publen bytes) to out. Returns 0, or
 * GW_E_TOOLONG when outlen is smaller than dh->publen.
 */
int dh_public(const struct dh *dh, uint8_t *out, size_t outlen);
/*
 * Validates the peer's public value and writes the shared secret
 * (dh->sharedlen bytes) to out, which the caller wipes after use.
 * Returns 0; GW_E_SHORT or GW_E_TOOLONG when len is not the group's
 * public length or out is too small; GW_E_BADVAL when the value is not
 * acceptable (MODP outside 1 < y < p-1, ECP not a point of the curve,
 * X25519 giving the all-zero secret); GW_E_NOMEM on library failure.
 * Nothing is written to out on failure.
 */
int dh_shared(const struct dh *dh, const uint8_t *peer, size_t len, uint8_t *out,
    size_t outlen);
/* Wipes the private value and frees dh (NULL is fine). */
void dh_free(struct dh *dh);

#endif
