/*
 * keymat.h: IKEv2 key derivation (RFC 7296 2.13-2.18) and PSK AUTH (2.15).
 *
 * The IKE SA's secrets (SK_d, SK_a*, SK_e*, SK_p*) live in an opaque
 * object in guarded memory; they are derived, used and wiped here, and
 * other modules see them only through keymat_ike_key() to key a cipher
 * context. SKEYSEED never leaves this module except through
 * keymat_skeyseed(), which exists for vectors. Nothing here logs a key.
 *
 * Functions return 0 or a negative enum gw_err: GW_E_UNSUPP for a
 * transform id not implemented, GW_E_KEYLEN for a Key Length attribute
 * that does not fit the cipher, GW_E_BADVAL for a malformed input (nonce
 * length, AEAD with an integrity transform), GW_E_TOOLONG when an output
 * does not fit, GW_E_NOMEM.
 */
#ifndef IKD_KEYMAT_H
#define IKD_KEYMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "secmem.h"

/* IANA Transform Type 2 (PRF) ids implemented. */
enum keymat_prf_id {
	KEYMAT_PRF_HMAC_SHA1 = 2,
	KEYMAT_PRF_HMAC_SHA2_256 = 5,
	KEYMAT_PRF_HMAC_SHA2_384 = 6,
	KEYMAT_PRF_HMAC_SHA2_512 = 7,
};

#define KEYMAT_PRF_MAX		64	/* longest PRF output (SHA-512) */
#define KEYMAT_KEY_MAX		64	/* longest SK_e / SK_a / child key accepted */
#define KEYMAT_NONCE_MIN	16	/* RFC 7296 3.9 */
#define KEYMAT_NONCE_MAX	256
#define KEYMAT_SPI_LEN		8

/*
 * The negotiated transforms that size the keys. encr_bits is the Key
 * Length attribute (AES: 128/192/256, without the salt), 0 when the
 * transform carries none. integ is 0 (NONE) with an AEAD cipher. prf is
 * only read for an IKE SA; a Child SA uses the IKE SA's PRF.
 */
struct keymat_xf {
	uint16_t	prf;
	uint16_t	encr;
	uint16_t	encr_bits;
	uint16_t	integ;
};

enum keymat_sk {
	KEYMAT_SK_D,
	KEYMAT_SK_AI,
	KEYMAT_SK_AR,
	KEYMAT_SK_EI,
	KEYMAT_SK_ER,
	KEYMAT_SK_PI,
	KEYMAT_SK_PR,
	KEYMAT_SK_COUNT
};

struct keymat_ike;

/*
 * Child SA keys (RFC 7296 2.17): "i" protects initiator-to-responder
 * traffic, "r" the reverse. AEAD keys end in their 4-byte salt. Wipe with
 * keymat_child_clear().
 */
struct keymat_child {
	struct gw_key	encr_i;
	struct gw_key	integ_i;
	struct gw_key	encr_r;
	struct gw_key	integ_r;
};

/* Output (and preferred key) length of a PRF; 0 if not implemented. */
size_t keymat_prf_len(uint16_t prf);
/*
 * SK_e / child encryption key length in bytes for ENCR transform encr with
 * Key Length attribute bits (0 = absent), salt included. Fixed-length
 * ciphers take no attribute; AES-CBC/CTR/GCM require one.
 */
int keymat_encr_keylen(uint16_t encr, uint16_t bits, size_t *len);
/* SK_a / child integrity key length for INTEG transform integ (0 = NONE -> 0). */
int keymat_integ_keylen(uint16_t integ, size_t *len);

/*
 * prf(key, data): writes keymat_prf_len(prf) bytes to out (outlen at
 * least that). keylen must be at least 1.
 */
int keymat_prf(uint16_t prf, const uint8_t *key, size_t keylen, const void *data, size_t len,
    uint8_t *out, size_t outlen);
/*
 * prf+ (RFC 7296 2.13): T1 | T2 | ... truncated to outlen bytes, where
 * Tn = prf(key, Tn-1 | seed | n). outlen is at most 255 prf outputs.
 */
int keymat_prf_plus(uint16_t prf, const uint8_t *key, size_t keylen, const uint8_t *seed,
    size_t seedlen, uint8_t *out, size_t outlen);
/*
 * SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 2.14) into out (at least
 * keymat_prf_len(prf) bytes); the caller wipes it. Nonces are 16..256
 * bytes. Only for vectors: keymat_ike_derive() computes it internally.
 */
int keymat_skeyseed(uint16_t prf, const struct view *ni, const struct view *nr,
    const uint8_t *gir, size_t girlen, uint8_t *out, size_t outlen);

/*
 * A new IKE SA: SKEYSEED from g^ir and the nonces, then {SK_d | SK_ai |
 * SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi |
 * SPIr) with lengths from xf (SK_a* empty for AEAD). On success *out is a
 * new object the caller releases with keymat_ike_free(); on failure *out
 * is NULL.
 */
int keymat_ike_derive(struct keymat_ike **out, const struct keymat_xf *xf,
    const uint8_t *gir, size_t girlen, const struct view *ni, const struct view *nr,
    const uint8_t spii[static KEYMAT_SPI_LEN], const uint8_t spir[static KEYMAT_SPI_LEN]);
/*
 * The IKE SA that replaces old in a rekey (RFC 7296 2.18): SKEYSEED =
 * prf(SK_d(old), g^ir(new) | Ni | Nr) under old's PRF, then the SK_* under
 * xf->prf with the new nonces and SPIs. old is only read.
 */
int keymat_ike_rekey(struct keymat_ike **out, const struct keymat_ike *old,
    const struct keymat_xf *xf, const uint8_t *gir, size_t girlen, const struct view *ni,
    const struct view *nr, const uint8_t spii[static KEYMAT_SPI_LEN],
    const uint8_t spir[static KEYMAT_SPI_LEN]);
/*
 * A borrowed view of one SK_* of km, valid until keymat_ike_free(km); for
 * keying cipher contexts only, never for logs.
 */
const struct gw_key *keymat_ike_key(const struct keymat_ike *km, enum keymat_sk which);
/* The PRF transform id of km. */
uint16_t keymat_ike_prf(const struct keymat_ike *km);
/* Wipes and frees km (NULL is fine). */
void keymat_ike_free(struct keymat_ike *km);

/*
 * KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) (RFC 7296 2.17), split into
 * encryption then integrity key for initiator-to-responder, then the same
 * for responder-to-initiator. gir is NULL (girlen 0) without PFS. xf->prf
 * is ignored. out is fully written on success and zeroed on failure.
 */
int keymat_child_derive(const struct keymat_ike *km, const struct keymat_xf *xf,
    const uint8_t *gir, size_t girlen, const struct view *ni, const struct view *nr,
    struct keymat_child *out);
void keymat_child_clear(struct keymat_child *c);

/*
 * Shared-key AUTH (RFC 7296 2.15):
 *   AUTH = prf(prf(psk, "Key Pad for IKEv2"), msg | nonce | prf(sk_p, id))
 * msg is the signer's whole first message as sent (RealMessage1 or 2),
 * nonce the other side's nonce data, sk_p the signer's SK_pi or SK_pr and
 * id the signer's ID payload body (ID Type | RESERVED | data). Writes
 * keymat_prf_len(prf) bytes to out.
 */
int keymat_psk_auth(uint16_t prf, const uint8_t *psk, size_t psklen, const struct view *msg,
    const struct view *nonce, const struct gw_key *sk_p, const struct view *id,
    uint8_t *out, size_t outlen);
/*
 * Recomputes the AUTH value and compares it with auth in constant time.
 * Returns 0 on a match, GW_E_BADVAL on a mismatch or a wrong length.
 */
int keymat_psk_verify(uint16_t prf, const uint8_t *psk, size_t psklen,
    const struct view *msg, const struct view *nonce, const struct gw_key *sk_p,
    const struct view *id, const uint8_t *auth, size_t authlen);
/*
 * The same with km's PRF and SK_pi (signer is the initiator) or SK_pr:
 * what we send is signed as ourselves, what we check as the peer.
 */
int keymat_ike_psk_auth(const struct keymat_ike *km, bool signer_initiator,
    const uint8_t *psk, size_t psklen, const struct view *msg, const struct view *nonce,
    const struct view *id, uint8_t *out, size_t outlen);
int keymat_ike_psk_verify(const struct keymat_ike *km, bool signer_initiator,
    const uint8_t *psk, size_t psklen, const struct view *msg, const struct view *nonce,
    const struct view *id, const uint8_t *auth, size_t authlen);

#endif
