/*
 * dh.c: IKEv2 Diffie-Hellman groups; see dh.h.
 *
 * MODP and ECP use libcrypto's BIGNUM and EC_POINT layers rather than
 * EVP_PKEY so that the private value stays in our guarded buffer and is
 * loaded into a constant-time BIGNUM only for the one operation that needs
 * it. X25519 comes from libsodium (DESIGN.md).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <sodium.h>

#include "crypto.h"
#include "dh.h"
#include "err.h"
#include "secmem.h"

enum dh_kind {
	DH_KIND_MODP,
	DH_KIND_ECP,
	DH_KIND_X25519,
};

struct dh_info {
	uint16_t	 id;
	enum dh_kind	 kind;
	const char	*name;
	uint16_t	 publen;
	uint16_t	 sharedlen;
	/*
	 * Random private length in bytes. MODP: RFC 3526 section 8 puts the
	 * strength of groups 14/15/16 at up to 160/210/240 bits and asks for
	 * an exponent of twice that; ECP: the group order; X25519: 32.
	 */
	uint16_t	 privlen;
	int		 nid;			/* ECP curve */
	BIGNUM		*(*prime)(BIGNUM *);	/* MODP modulus, generator 2 */
};

static const struct dh_info dh_groups[] = {
	{ DH_MODP2048, DH_KIND_MODP, "modp2048", 256, 256, 40, 0, BN_get_rfc3526_prime_2048 },
	{ DH_MODP3072, DH_KIND_MODP, "modp3072", 384, 384, 53, 0, BN_get_rfc3526_prime_3072 },
	{ DH_MODP4096, DH_KIND_MODP, "modp4096", 512, 512, 60, 0, BN_get_rfc3526_prime_4096 },
	{ DH_ECP256, DH_KIND_ECP, "ecp256", 64, 32, 32, NID_X9_62_prime256v1, NULL },
	{ DH_ECP384, DH_KIND_ECP, "ecp384", 96, 48, 48, NID_secp384r1, NULL },
	{ DH_CURVE25519, DH_KIND_X25519, "curve25519", 32, 32, 32, 0, NULL },
};

static const struct dh_info *
dh_info(uint16_t group)
{
	size_t i;

	for (i = 0; i < sizeof(dh_groups) / sizeof(dh_groups[0]); i++)
		if (dh_groups[i].id == group)
			return &dh_groups[i];
	return NULL;
}

size_t
dh_public_len(uint16_t group)
{
	const struct dh_info *gi = dh_info(group);

	return gi == NULL ? 0 : gi->publen;
}

size_t
dh_shared_len(uint16_t group)
{
	const struct dh_info *gi = dh_info(group);

	return gi == NULL ? 0 : gi->sharedlen;
}

const char *
dh_group_name(uint16_t group)
{
	const struct dh_info *gi = dh_info(group);

	return gi == NULL ? "unknown" : gi->name;
}

/* Wipes a BN_CTX value that may not have been obtained. */
static void
dh_bn_clear(BIGNUM *b)
{
	if (b != NULL)
		BN_clear(b);
}

/*
 * MODP: out = base^priv mod p, padded to the modulus length. base NULL
 * means the generator 2; otherwise base is the peer's value, which must
 * satisfy 1 < y < p-1: 0 and 1 give a known secret and p-1 one of two,
 * and anything >= p is not a group element at all.
 */
static int
dh_modp_pow(const struct dh_info *gi, const uint8_t *priv, size_t privlen,
    const uint8_t *base, uint8_t *out)
{
	BN_CTX *ctx;
	BIGNUM *p, *pm1, *x, *b, *r;
	int rc = GW_E_NOMEM;

	if ((ctx = BN_CTX_secure_new()) == NULL)
		return GW_E_NOMEM;
	BN_CTX_start(ctx);
	p = BN_CTX_get(ctx);
	pm1 = BN_CTX_get(ctx);
	x = BN_CTX_get(ctx);
	b = BN_CTX_get(ctx);
	if ((r = BN_CTX_get(ctx)) == NULL || gi->prime(p) == NULL || BN_copy(pm1, p) == NULL ||
	    !BN_sub_word(pm1, 1) || BN_bin2bn(priv, (int)privlen, x) == NULL)
		goto done;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (base == NULL) {
		if (!BN_set_word(b, 2))
			goto done;
	} else {
		if (BN_bin2bn(base, gi->publen, b) == NULL)
			goto done;
		if (BN_cmp(b, BN_value_one()) <= 0 || BN_cmp(b, pm1) >= 0) {
			rc = GW_E_BADVAL;
			goto done;
		}
	}
	if (!BN_mod_exp_mont_consttime(r, b, x, p, ctx, NULL) ||
	    BN_bn2binpad(r, out, gi->publen) != gi->publen)
		goto done;
	rc = 0;
done:
	dh_bn_clear(x);
	dh_bn_clear(r);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return rc;
}

/*
 * Reads x || y into a point of g, refusing coordinates outside the field
 * (libcrypto would reduce them), points off the curve and infinity. With
 * cofactor 1 (P-256, P-384) every such point lies in the prime-order group.
 */
static int
dh_ecp_point(const EC_GROUP *g, const struct dh_info *gi, const uint8_t *v, BN_CTX *ctx,
    EC_POINT *pt)
{
	BIGNUM *p, *x, *y;
	int flen = gi->publen / 2;

	p = BN_CTX_get(ctx);
	x = BN_CTX_get(ctx);
	if ((y = BN_CTX_get(ctx)) == NULL || !EC_GROUP_get_curve(g, p, NULL, NULL, ctx) ||
	    BN_bin2bn(v, flen, x) == NULL || BN_bin2bn(v + flen, flen, y) == NULL)
		return GW_E_NOMEM;
	if (BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0)
		return GW_E_BADVAL;
	if (!EC_POINT_set_affine_coordinates(g, pt, x, y, ctx) ||
	    EC_POINT_is_on_curve(g, pt, ctx) != 1 || EC_POINT_is_at_infinity(g, pt))
		return GW_E_BADVAL;
	return 0;
}

/*
 * ECP: priv * peer (or priv * G when peer is NULL). Writes x || y of the
 * result for a public value, x alone for a shared secret (RFC 5903 7).
 */
static int
dh_ecp_mul(const struct dh_info *gi, const uint8_t *priv, const uint8_t *peer, uint8_t *out)
{
	EC_GROUP *g;
	EC_POINT *pt = NULL, *r = NULL;
	BN_CTX *ctx;
	BIGNUM *k, *x, *y;
	int flen = gi->publen / 2, rc = GW_E_NOMEM;

	g = EC_GROUP_new_by_curve_name(gi->nid);
	ctx = BN_CTX_secure_new();
	if (g == NULL || ctx == NULL) {
		EC_GROUP_free(g);
		BN_CTX_free(ctx);
		return GW_E_NOMEM;
	}
	BN_CTX_start(ctx);
	k = BN_CTX_get(ctx);
	x = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	if (y == NULL || (r = EC_POINT_new(g)) == NULL || (pt = EC_POINT_new(g)) == NULL ||
	    BN_bin2bn(priv, gi->privlen, k) == NULL)
		goto done;
	BN_set_flags(k, BN_FLG_CONSTTIME);
	if (peer != NULL && (rc = dh_ecp_point(g, gi, peer, ctx, pt)) != 0)
		goto done;
	rc = GW_E_NOMEM;
	if (!EC_POINT_mul(g, r, peer == NULL ? k : NULL, peer == NULL ? NULL : pt,
	    peer == NULL ? NULL : k, ctx))
		goto done;
	rc = GW_E_BADVAL;
	if (EC_POINT_is_at_infinity(g, r))
		goto done;
	rc = GW_E_NOMEM;
	if (!EC_POINT_get_affine_coordinates(g, r, x, y, ctx) ||
	    BN_bn2binpad(x, out, flen) != flen ||
	    (peer == NULL && BN_bn2binpad(y, out + flen, flen) != flen))
		goto done;
	rc = 0;
done:
	dh_bn_clear(k);
	dh_bn_clear(x);
	dh_bn_clear(y);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	EC_POINT_clear_free(r);
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return rc;
}

/* 1 <= k < n for an ECP scalar. */
static int
dh_ecp_scalar_ok(const struct dh_info *gi, const uint8_t *priv)
{
	EC_GROUP *g;
	BIGNUM *k;
	int rc = GW_E_NOMEM;

	g = EC_GROUP_new_by_curve_name(gi->nid);
	k = BN_secure_new();
	if (g != NULL && k != NULL && BN_bin2bn(priv, gi->privlen, k) != NULL)
		rc = (BN_is_zero(k) || BN_cmp(k, EC_GROUP_get0_order(g)) >= 0) ? GW_E_BADVAL : 0;
	BN_clear_free(k);
	EC_GROUP_free(g);
	return rc;
}

/* A random ECP scalar in [1, n-1], written big-endian into priv. */
static int
dh_ecp_random(const struct dh_info *gi, uint8_t *priv)
{
	EC_GROUP *g;
	BIGNUM *k;
	int rc = GW_E_NOMEM;

	g = EC_GROUP_new_by_curve_name(gi->nid);
	k = BN_secure_new();
	if (g == NULL || k == NULL)
		goto done;
	do {
		if (!BN_priv_rand_range_ex(k, EC_GROUP_get0_order(g), 0, NULL))
			goto done;
	} while (BN_is_zero(k));
	if (BN_bn2binpad(k, priv, gi->privlen) == gi->privlen)
		rc = 0;
done:
	BN_clear_free(k);
	EC_GROUP_free(g);
	return rc;
}

/* Computes dh->pub from dh->priv. */
static int
dh_make_public(struct dh *dh, const struct dh_info *gi)
{
	switch (gi->kind) {
	case DH_KIND_MODP:
		return dh_modp_pow(gi, dh->priv, dh->privlen, NULL, dh->pub);
	case DH_KIND_ECP:
		return dh_ecp_mul(gi, dh->priv, NULL, dh->pub);
	case DH_KIND_X25519:
		return crypto_scalarmult_base(dh->pub, dh->priv) == 0 ? 0 : GW_E_BADVAL;
	}
	return GW_E_UNSUPP;
}

/* An object for gi with a guarded private buffer of privlen bytes. */
static struct dh *
dh_alloc(const struct dh_info *gi, size_t privlen)
{
	struct dh *dh;

	if (sodium_init() < 0 || (dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	if ((dh->priv = sodium_malloc(privlen)) == NULL) {
		free(dh);
		return NULL;
	}
	dh->group = gi->id;
	dh->publen = gi->publen;
	dh->sharedlen = gi->sharedlen;
	dh->privlen = privlen;
	return dh;
}

struct dh *
dh_new(uint16_t group)
{
	const struct dh_info *gi;
	struct dh *dh;
	int rc = 0;

	if ((gi = dh_info(group)) == NULL || (dh = dh_alloc(gi, gi->privlen)) == NULL)
		return NULL;
	if (gi->kind == DH_KIND_ECP)
		rc = dh_ecp_random(gi, dh->priv);
	else
		crypto_random(dh->priv, dh->privlen);
	/* An exponent of 0 or 1 would publish g or 1; odds 2^-319, still checked. */
	if (gi->kind == DH_KIND_MODP && sodium_is_zero(dh->priv, dh->privlen - 1) &&
	    dh->priv[dh->privlen - 1] <= 1)
		rc = GW_E_BADVAL;
	if (rc != 0 || dh_make_public(dh, gi) != 0) {
		dh_free(dh);
		return NULL;
	}
	return dh;
}

/* Range of a caller-given private value; see dh_new_fixed(). */
static int
dh_fixed_ok(const struct dh_info *gi, const uint8_t *priv, size_t len)
{
	size_t i;

	switch (gi->kind) {
	case DH_KIND_MODP:
		if (len == 0 || len > gi->publen)
			return GW_E_BADVAL;
		for (i = 0; i + 1 < len && priv[i] == 0; i++)
			;
		return (i + 1 == len && priv[i] <= 1) ? GW_E_BADVAL : 0;
	case DH_KIND_ECP:
		return len == gi->privlen ? dh_ecp_scalar_ok(gi, priv) : GW_E_BADVAL;
	case DH_KIND_X25519:
		return len == gi->privlen ? 0 : GW_E_BADVAL;
	}
	return GW_E_UNSUPP;
}

struct dh *
dh_new_fixed(uint16_t group, const uint8_t *priv, size_t len)
{
	const struct dh_info *gi;
	struct dh *dh;

	if ((gi = dh_info(group)) == NULL || priv == NULL || dh_fixed_ok(gi, priv, len) != 0 ||
	    (dh = dh_alloc(gi, len)) == NULL)
		return NULL;
	memcpy(dh->priv, priv, len);
	if (dh_make_public(dh, gi) != 0) {
		dh_free(dh);
		return NULL;
	}
	return dh;
}

int
dh_public(const struct dh *dh, uint8_t *out, size_t outlen)
{
	if (outlen < dh->publen)
		return GW_E_TOOLONG;
	memcpy(out, dh->pub, dh->publen);
	return 0;
}

int
dh_shared(const struct dh *dh, const uint8_t *peer, size_t len, uint8_t *out, size_t outlen)
{
	const struct dh_info *gi;
	uint8_t s[DH_SHARED_MAX];
	int rc;

	if ((gi = dh_info(dh->group)) == NULL)
		return GW_E_UNSUPP;
	if (len != gi->publen)
		return len < gi->publen ? GW_E_SHORT : GW_E_TOOLONG;
	if (outlen < gi->sharedlen)
		return GW_E_TOOLONG;
	switch (gi->kind) {
	case DH_KIND_MODP:
		rc = dh_modp_pow(gi, dh->priv, dh->privlen, peer, s);
		break;
	case DH_KIND_ECP:
		rc = dh_ecp_mul(gi, dh->priv, peer, s);
		break;
	case DH_KIND_X25519:
		/*
		 * RFC 8031 2 / RFC 7748 6.1: refuse the all-zero output of a
		 * small-order point; libsodium checks it and returns -1.
		 */
		rc = crypto_scalarmult(s, dh->priv, peer) == 0 ? 0 : GW_E_BADVAL;
		break;
	default:
		rc = GW_E_UNSUPP;
	}
	/* libcrypto queues an error for a rejected point; it is reported here. */
	ERR_clear_error();
	if (rc == 0)
		memcpy(out, s, gi->sharedlen);
	secure_wipe(s, sizeof(s));
	return rc;
}

void
dh_free(struct dh *dh)
{
	if (dh == NULL)
		return;
	sodium_free(dh->priv);	/* wipes before unmapping */
	secure_free(dh, sizeof(*dh));
}
