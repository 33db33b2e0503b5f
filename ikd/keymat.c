/*
 * keymat.c: IKEv2 key derivation and PSK AUTH; see keymat.h.
 *
 * Only HMAC PRFs are implemented, so the special rules RFC 7296 2.14 gives
 * for fixed-key PRFs (AES-XCBC, AES-CMAC halving Ni | Nr) never apply.
 * Key lengths come from lib/alg.c by IKEv2 transform id, the same table
 * setkey and tunneld check SA keys against, so a key derived here always
 * has the length the data path expects.
 *
 * Every intermediate buffer that held key material is wiped before the
 * function returns, on success and on failure alike.
 */
#include <string.h>

#include <sodium.h>

#include "alg.h"
#include "crypto.h"
#include "err.h"
#include "keymat.h"

struct keymat_ike {
	uint16_t	prf;
	struct gw_key	sk[KEYMAT_SK_COUNT];
};

/* RFC 7296 2.15: the 17 ASCII octets, without a terminating NUL. */
static const char keymat_keypad[] = "Key Pad for IKEv2";
#define KEYMAT_KEYPAD_LEN	(sizeof(keymat_keypad) - 1)

static int
keymat_md(uint16_t prf, enum crypto_md *md)
{
	switch (prf) {
	case KEYMAT_PRF_HMAC_SHA1:
		*md = CRYPTO_SHA1;
		return 0;
	case KEYMAT_PRF_HMAC_SHA2_256:
		*md = CRYPTO_SHA256;
		return 0;
	case KEYMAT_PRF_HMAC_SHA2_384:
		*md = CRYPTO_SHA384;
		return 0;
	case KEYMAT_PRF_HMAC_SHA2_512:
		*md = CRYPTO_SHA512;
		return 0;
	}
	return GW_E_UNSUPP;
}

size_t
keymat_prf_len(uint16_t prf)
{
	enum crypto_md md;

	return keymat_md(prf, &md) == 0 ? crypto_md_len(md) : 0;
}

/* The table entry of an IKEv2 ENCR or INTEG id; NULL if there is none. */
static const struct alg *
keymat_alg(enum alg_kind kind, uint16_t id)
{
	const struct alg *a;
	size_t i;

	for (i = 0; id != 0 && (a = alg_at(kind, i)) != NULL; i++)
		if (a->ikev2_id == id)
			return a;
	return NULL;
}

int
keymat_encr_keylen(uint16_t encr, uint16_t bits, size_t *len)
{
	const struct alg *a;
	unsigned salt;

	if ((a = keymat_alg(ALG_ENC, encr)) == NULL)
		return GW_E_UNSUPP;
	salt = a->salt * 8u;
	if (a->key_none || a->key_min == a->key_max) {
		/* RFC 7296 3.3.5: no Key Length attribute for a fixed-length key. */
		if (bits != 0)
			return GW_E_KEYLEN;
		*len = a->key_none ? 0 : a->key_min / 8u;
	} else {
		if (bits == 0 || bits % 8 != 0 || !alg_key_ok(a, bits + salt))
			return GW_E_KEYLEN;
		*len = (bits + salt) / 8u;
	}
	return *len > KEYMAT_KEY_MAX ? GW_E_UNSUPP : 0;
}

int
keymat_integ_keylen(uint16_t integ, size_t *len)
{
	const struct alg *a;

	if (integ == 0) {
		*len = 0;
		return 0;
	}
	if ((a = keymat_alg(ALG_AUTH, integ)) == NULL || a->key_min / 8u > KEYMAT_KEY_MAX)
		return GW_E_UNSUPP;
	*len = a->key_min / 8u;
	return 0;
}

/*
 * Key lengths for xf; an AEAD cipher takes no integrity transform and
 * any other cipher needs one (RFC 5282 8, RFC 7296 3.3.3).
 */
static int
keymat_xf_lens(const struct keymat_xf *xf, size_t *elen, size_t *alen)
{
	const struct alg *a;
	int rc;

	if ((rc = keymat_encr_keylen(xf->encr, xf->encr_bits, elen)) != 0 ||
	    (rc = keymat_integ_keylen(xf->integ, alen)) != 0)
		return rc;
	if ((a = keymat_alg(ALG_ENC, xf->encr)) == NULL || a->aead != (xf->integ == 0))
		return GW_E_BADVAL;
	return 0;
}

/* prf(key, parts[0] | parts[1] | ...) into out (at least the PRF length). */
static int
keymat_prf_v(uint16_t prf, const uint8_t *key, size_t keylen, const struct view *parts,
    size_t nparts, uint8_t *out, size_t outlen)
{
	struct crypto_hmac h;
	enum crypto_md md;
	size_t i, hlen;
	int rc;

	if (keymat_md(prf, &md) != 0)
		return GW_E_UNSUPP;
	hlen = crypto_md_len(md);
	if (outlen < hlen)
		return GW_E_TOOLONG;
	if ((rc = crypto_hmac_init(&h, md, key, keylen)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < nparts; i++)
		if (parts[i].len > 0)
			rc = crypto_hmac_update(&h, parts[i].p, parts[i].len);
	if (rc == 0)
		rc = crypto_hmac_final(&h, out, hlen);
	crypto_hmac_free(&h);
	return rc;
}

/* prf+ (RFC 7296 2.13) over a seed given in parts. */
static int
keymat_prf_plus_v(uint16_t prf, const uint8_t *key, size_t keylen, const struct view *seed,
    size_t nseed, uint8_t *out, size_t outlen)
{
	struct crypto_hmac h;
	enum crypto_md md;
	uint8_t t[KEYMAT_PRF_MAX], n;
	size_t i, hlen, off, take;
	int rc;

	if (keymat_md(prf, &md) != 0)
		return GW_E_UNSUPP;
	hlen = crypto_md_len(md);
	if (outlen > 255 * hlen)
		return GW_E_TOOLONG;
	if ((rc = crypto_hmac_init(&h, md, key, keylen)) != 0)
		return rc;
	for (off = 0, n = 1; rc == 0 && off < outlen; off += take, n++) {
		rc = crypto_hmac_start(&h);
		if (rc == 0 && n > 1)
			rc = crypto_hmac_update(&h, t, hlen);
		for (i = 0; rc == 0 && i < nseed; i++)
			if (seed[i].len > 0)
				rc = crypto_hmac_update(&h, seed[i].p, seed[i].len);
		if (rc == 0)
			rc = crypto_hmac_update(&h, &n, 1);
		if (rc == 0)
			rc = crypto_hmac_final(&h, t, hlen);
		take = outlen - off < hlen ? outlen - off : hlen;
		if (rc == 0)
			memcpy(out + off, t, take);
	}
	crypto_hmac_free(&h);
	secure_wipe(t, sizeof(t));
	if (rc != 0)
		secure_wipe(out, outlen);
	return rc;
}

int
keymat_prf(uint16_t prf, const uint8_t *key, size_t keylen, const void *data, size_t len,
    uint8_t *out, size_t outlen)
{
	struct view v = { data, len };

	return keymat_prf_v(prf, key, keylen, &v, 1, out, outlen);
}

int
keymat_prf_plus(uint16_t prf, const uint8_t *key, size_t keylen, const uint8_t *seed,
    size_t seedlen, uint8_t *out, size_t outlen)
{
	struct view v = { seed, seedlen };

	return keymat_prf_plus_v(prf, key, keylen, &v, 1, out, outlen);
}

static bool
keymat_nonce_ok(const struct view *n)
{
	return n != NULL && n->p != NULL && n->len >= KEYMAT_NONCE_MIN &&
	    n->len <= KEYMAT_NONCE_MAX;
}

int
keymat_skeyseed(uint16_t prf, const struct view *ni, const struct view *nr, const uint8_t *gir,
    size_t girlen, uint8_t *out, size_t outlen)
{
	uint8_t key[2 * KEYMAT_NONCE_MAX];
	int rc;

	if (!keymat_nonce_ok(ni) || !keymat_nonce_ok(nr) || gir == NULL || girlen == 0)
		return GW_E_BADVAL;
	/* The nonces are public; the key buffer is wiped all the same. */
	memcpy(key, ni->p, ni->len);
	memcpy(key + ni->len, nr->p, nr->len);
	rc = keymat_prf(prf, key, ni->len + nr->len, gir, girlen, out, outlen);
	secure_wipe(key, sizeof(key));
	return rc;
}

/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
 *     prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)          (RFC 7296 2.14)
 */
static int
keymat_ike_expand(struct keymat_ike **out, const struct keymat_xf *xf, const uint8_t *skeyseed,
    size_t sslen, const struct view *ni, const struct view *nr, const uint8_t *spii,
    const uint8_t *spir)
{
	uint8_t buf[KEYMAT_SK_COUNT * KEYMAT_KEY_MAX];
	size_t len[KEYMAT_SK_COUNT], elen, alen, plen, total = 0, off = 0;
	struct view seed[4] = { *ni, *nr, { spii, KEYMAT_SPI_LEN }, { spir, KEYMAT_SPI_LEN } };
	struct keymat_ike *km;
	int i, rc;

	if ((plen = keymat_prf_len(xf->prf)) == 0)
		return GW_E_UNSUPP;
	if ((rc = keymat_xf_lens(xf, &elen, &alen)) != 0)
		return rc;
	len[KEYMAT_SK_D] = len[KEYMAT_SK_PI] = len[KEYMAT_SK_PR] = plen;
	len[KEYMAT_SK_AI] = len[KEYMAT_SK_AR] = alen;
	len[KEYMAT_SK_EI] = len[KEYMAT_SK_ER] = elen;
	for (i = 0; i < KEYMAT_SK_COUNT; i++)
		total += len[i];
	if ((rc = keymat_prf_plus_v(xf->prf, skeyseed, sslen, seed, 4, buf, total)) != 0)
		return rc;
	if (sodium_init() < 0 || (km = sodium_malloc(sizeof(*km))) == NULL) {
		secure_wipe(buf, sizeof(buf));
		return GW_E_NOMEM;
	}
	memset(km, 0, sizeof(*km));
	km->prf = xf->prf;
	for (i = 0; i < KEYMAT_SK_COUNT; off += len[i], i++) {
		km->sk[i].len = (uint16_t)len[i];
		memcpy(km->sk[i].b, buf + off, len[i]);
	}
	secure_wipe(buf, sizeof(buf));
	*out = km;
	return 0;
}

int
keymat_ike_derive(struct keymat_ike **out, const struct keymat_xf *xf, const uint8_t *gir,
    size_t girlen, const struct view *ni, const struct view *nr,
    const uint8_t spii[static KEYMAT_SPI_LEN], const uint8_t spir[static KEYMAT_SPI_LEN])
{
	uint8_t skeyseed[KEYMAT_PRF_MAX];
	int rc;

	*out = NULL;
	rc = keymat_skeyseed(xf->prf, ni, nr, gir, girlen, skeyseed, sizeof(skeyseed));
	if (rc == 0)
		rc = keymat_ike_expand(out, xf, skeyseed, keymat_prf_len(xf->prf), ni, nr,
		    spii, spir);
	secure_wipe(skeyseed, sizeof(skeyseed));
	return rc;
}

int
keymat_ike_rekey(struct keymat_ike **out, const struct keymat_ike *old,
    const struct keymat_xf *xf, const uint8_t *gir, size_t girlen, const struct view *ni,
    const struct view *nr, const uint8_t spii[static KEYMAT_SPI_LEN],
    const uint8_t spir[static KEYMAT_SPI_LEN])
{
	uint8_t skeyseed[KEYMAT_PRF_MAX];
	const struct gw_key *skd = &old->sk[KEYMAT_SK_D];
	struct view parts[3];
	int rc;

	*out = NULL;
	if (!keymat_nonce_ok(ni) || !keymat_nonce_ok(nr) || gir == NULL || girlen == 0)
		return GW_E_BADVAL;
	parts[0] = (struct view){ gir, girlen };
	parts[1] = *ni;
	parts[2] = *nr;
	/* RFC 7296 2.18: the exchange belongs to the old SA, so its PRF. */
	rc = keymat_prf_v(old->prf, skd->b, skd->len, parts, 3, skeyseed, sizeof(skeyseed));
	if (rc == 0)
		rc = keymat_ike_expand(out, xf, skeyseed, keymat_prf_len(old->prf), ni, nr,
		    spii, spir);
	secure_wipe(skeyseed, sizeof(skeyseed));
	return rc;
}

const struct gw_key *
keymat_ike_key(const struct keymat_ike *km, enum keymat_sk which)
{
	if ((unsigned)which >= KEYMAT_SK_COUNT)
		return NULL;
	return &km->sk[which];
}

uint16_t
keymat_ike_prf(const struct keymat_ike *km)
{
	return km->prf;
}

void
keymat_ike_free(struct keymat_ike *km)
{
	if (km == NULL)
		return;
	secure_wipe(km, sizeof(*km));
	sodium_free(km);
}

/* Copies len bytes of buf at *off into k and advances *off. */
static void
keymat_take(struct gw_key *k, const uint8_t *buf, size_t *off, size_t len)
{
	k->len = (uint16_t)len;
	memcpy(k->b, buf + *off, len);
	*off += len;
}

int
keymat_child_derive(const struct keymat_ike *km, const struct keymat_xf *xf,
    const uint8_t *gir, size_t girlen, const struct view *ni, const struct view *nr,
    struct keymat_child *out)
{
	uint8_t buf[4 * KEYMAT_KEY_MAX];
	const struct gw_key *skd = &km->sk[KEYMAT_SK_D];
	struct view seed[3];
	size_t elen, alen, off = 0, n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!keymat_nonce_ok(ni) || !keymat_nonce_ok(nr) || (gir == NULL) != (girlen == 0))
		return GW_E_BADVAL;
	if ((rc = keymat_xf_lens(xf, &elen, &alen)) != 0)
		return rc;
	if (girlen > 0)
		seed[n++] = (struct view){ gir, girlen };
	seed[n++] = *ni;
	seed[n++] = *nr;
	rc = keymat_prf_plus_v(km->prf, skd->b, skd->len, seed, n, buf, 2 * (elen + alen));
	if (rc != 0)
		return rc;
	keymat_take(&out->encr_i, buf, &off, elen);
	keymat_take(&out->integ_i, buf, &off, alen);
	keymat_take(&out->encr_r, buf, &off, elen);
	keymat_take(&out->integ_r, buf, &off, alen);
	secure_wipe(buf, sizeof(buf));
	return 0;
}

void
keymat_child_clear(struct keymat_child *c)
{
	secure_wipe(c, sizeof(*c));
}

int
keymat_psk_auth(uint16_t prf, const uint8_t *psk, size_t psklen, const struct view *msg,
    const struct view *nonce, const struct gw_key *sk_p, const struct view *id,
    uint8_t *out, size_t outlen)
{
	uint8_t pad[KEYMAT_PRF_MAX], macid[KEYMAT_PRF_MAX];
	struct view signed_octets[3];
	size_t hlen;
	int rc;

	if ((hlen = keymat_prf_len(prf)) == 0)
		return GW_E_UNSUPP;
	if (outlen < hlen)
		return GW_E_TOOLONG;
	if (psk == NULL || psklen == 0 || sk_p->len == 0)
		return GW_E_KEYLEN;
	/* MACedIDFor[IR] = prf(SK_p[ir], RestOf[IR]IDPayload) */
	if ((rc = keymat_prf(prf, sk_p->b, sk_p->len, id->p, id->len, macid, hlen)) != 0)
		goto done;
	if ((rc = keymat_prf(prf, psk, psklen, keymat_keypad, KEYMAT_KEYPAD_LEN, pad,
	    hlen)) != 0)
		goto done;
	/* [IR]SignedOctets = RealMessage | Nonce[RI]Data | MACedIDFor[IR] */
	signed_octets[0] = *msg;
	signed_octets[1] = *nonce;
	signed_octets[2] = (struct view){ macid, hlen };
	rc = keymat_prf_v(prf, pad, hlen, signed_octets, 3, out, outlen);
done:
	secure_wipe(pad, sizeof(pad));
	secure_wipe(macid, sizeof(macid));
	return rc;
}

int
keymat_psk_verify(uint16_t prf, const uint8_t *psk, size_t psklen, const struct view *msg,
    const struct view *nonce, const struct gw_key *sk_p, const struct view *id,
    const uint8_t *auth, size_t authlen)
{
	uint8_t want[KEYMAT_PRF_MAX];
	int rc;

	rc = keymat_psk_auth(prf, psk, psklen, msg, nonce, sk_p, id, want, sizeof(want));
	if (rc == 0 && (authlen != keymat_prf_len(prf) || !ct_memeq(want, auth, authlen)))
		rc = GW_E_BADVAL;
	secure_wipe(want, sizeof(want));
	return rc;
}

static const struct gw_key *
keymat_sk_p(const struct keymat_ike *km, bool signer_initiator)
{
	return &km->sk[signer_initiator ? KEYMAT_SK_PI : KEYMAT_SK_PR];
}

int
keymat_ike_psk_auth(const struct keymat_ike *km, bool signer_initiator, const uint8_t *psk,
    size_t psklen, const struct view *msg, const struct view *nonce, const struct view *id,
    uint8_t *out, size_t outlen)
{
	return keymat_psk_auth(km->prf, psk, psklen, msg, nonce, keymat_sk_p(km,
	    signer_initiator), id, out, outlen);
}

int
keymat_ike_psk_verify(const struct keymat_ike *km, bool signer_initiator, const uint8_t *psk,
    size_t psklen, const struct view *msg, const struct view *nonce, const struct view *id,
    const uint8_t *auth, size_t authlen)
{
	return keymat_psk_verify(km->prf, psk, psklen, msg, nonce, keymat_sk_p(km,
	    signer_initiator), id, auth, authlen);
}
