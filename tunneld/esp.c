/*
 * esp.c: ESP encapsulation and decapsulation; see esp.h.
 *
 * Cost choices, because this runs for every packet:
 * - Crypto contexts are keyed once per SA in esp_xform_init(): the AES
 *   key schedule and GHASH table, the HMAC inner and outer pad states.
 *   Per packet only the IV is set or the MAC restarted.
 * - Everything happens in the caller's buffer. Header and IV are written
 *   into the headroom and the trailer into the tailroom, and the cipher
 *   runs in place, so there is no copy, no malloc and no syscall. The AAD,
 *   nonce and IV seeds are a few bytes on the stack.
 * - The CBC IV is AES_K(seed || seq) (NIST SP 800-38A appendix C): as
 *   unpredictable as a random IV, without a getrandom() call per packet.
 * - Replay is checked before any crypto, so a flood of replayed packets
 *   costs a bitmap lookup each, not a decryption.
 * - Nothing is logged: the caller counts each drop reason instead.
 */
#include <linux/pfkeyv2.h>

#include <string.h>

#include "buf.h"
#include "err.h"
#include "esp.h"
#include "secmem.h"

#define ESP_AAD_MAX	12	/* SPI, ESN high, sequence low */

/* The AEAD, if any, that a PF_KEY encryption number names. */
static enum esp_mode
esp_enc_mode(const struct alg *enc, enum crypto_aead_alg *aead)
{
	switch (enc->id) {
	case SADB_X_EALG_AES_GCM_ICV16:
		*aead = CRYPTO_AES_GCM;
		return ESP_MODE_AEAD;
	case SADB_X_EALG_CHACHA20_POLY1305:
		*aead = CRYPTO_CHACHA20_POLY1305;
		return ESP_MODE_AEAD;
	case SADB_X_EALG_AESCBC:
		return ESP_MODE_CBC;
	case SADB_EALG_NULL:
		return ESP_MODE_NULL;
	}
	return 0;
}

static int
esp_auth_md(const struct alg *auth, enum crypto_md *md)
{
	switch (auth->id) {
	case SADB_AALG_SHA1HMAC:		/* RFC 2404 */
		*md = CRYPTO_SHA1;
		return 0;
	case SADB_X_AALG_SHA2_256HMAC:		/* RFC 4868 */
		*md = CRYPTO_SHA256;
		return 0;
	case SADB_X_AALG_SHA2_384HMAC:
		*md = CRYPTO_SHA384;
		return 0;
	case SADB_X_AALG_SHA2_512HMAC:
		*md = CRYPTO_SHA512;
		return 0;
	}
	return GW_E_UNSUPP;
}

/* "No authentication": absent, none, or KAME's -A null. */
static bool
esp_no_auth(const struct alg *auth)
{
	return auth == NULL || auth->id == SADB_AALG_NONE || auth->id == SADB_X_AALG_NULL;
}

/*
 * The table's sizes must be the ones this code implements; a mismatch is
 * a table entry the data path cannot run as described. auth is NULL only
 * for an AEAD.
 */
static bool
esp_sizes_ok(const struct alg *enc, const struct alg *auth, enum esp_mode mode,
    enum crypto_md md)
{
	unsigned align = enc->block > 4 ? enc->block : 4;

	if (align > 16 || (align & (align - 1)) != 0)
		return false;
	switch (mode) {
	case ESP_MODE_AEAD:
		return enc->iv == 8 && enc->salt == ESP_SALT_LEN && enc->icv == CRYPTO_AEAD_TAG;
	case ESP_MODE_CBC:
		if (enc->iv != CRYPTO_AES_BLOCK || enc->block != CRYPTO_AES_BLOCK)
			return false;
		break;
	case ESP_MODE_NULL:
		if (enc->iv != 0)
			return false;
		break;
	}
	return auth->icv > 0 && auth->icv <= ESP_ICV_MAX && auth->icv <= crypto_md_len(md);
}

static bool
esp_key_ok(const struct alg *a, size_t keylen)
{
	return keylen <= GW_KEY_MAX && alg_key_ok(a, (unsigned)keylen * 8);
}

/* Keys the contexts; sizes were checked against the table already. */
static int
esp_xform_key(struct esp_xform *x, enum crypto_aead_alg aead, const uint8_t *ekey,
    size_t ekeylen, enum crypto_md md, const uint8_t *akey, size_t akeylen)
{
	int rc;

	switch (x->mode) {
	case ESP_MODE_AEAD:
		/* PF_KEY carries the salt as the last 4 bytes of the key. */
		ekeylen -= ESP_SALT_LEN;
		memcpy(x->salt, ekey + ekeylen, ESP_SALT_LEN);
		return crypto_aead_init(&x->aead, aead, ekey, ekeylen);
	case ESP_MODE_CBC:
		if ((rc = crypto_cbc_init(&x->cbc, ekey, ekeylen)) != 0)
			return rc;
		crypto_random(x->ivseed, sizeof(x->ivseed));
		break;
	case ESP_MODE_NULL:
		break;
	}
	return crypto_hmac_init(&x->hmac, md, akey, akeylen);
}

int
esp_xform_init(struct esp_xform *x, const struct alg *enc, const uint8_t *ekey,
    size_t ekeylen, const struct alg *auth, const uint8_t *akey, size_t akeylen)
{
	enum crypto_aead_alg aead = CRYPTO_AES_GCM;
	enum crypto_md md = CRYPTO_SHA1;
	bool noauth = esp_no_auth(auth);
	enum esp_mode mode;
	int rc;

	memset(x, 0, sizeof(*x));
	if (enc == NULL || enc->kind != ALG_ENC || (!noauth && auth->kind != ALG_AUTH))
		return GW_E_BADVAL;
	/* An AEAD authenticates itself; anything else needs an HMAC. */
	if (enc->aead != noauth)
		return GW_E_BADVAL;
	mode = enc->datapath ? esp_enc_mode(enc, &aead) : 0;
	if (mode == 0 || (mode == ESP_MODE_AEAD) != enc->aead ||
	    (!noauth && (!auth->datapath || esp_auth_md(auth, &md) != 0)) ||
	    !esp_sizes_ok(enc, noauth ? NULL : auth, mode, md))
		return GW_E_UNSUPP;
	if (!esp_key_ok(enc, ekeylen) || (!noauth && !esp_key_ok(auth, akeylen)))
		return GW_E_KEYLEN;
	x->mode = mode;
	x->enc = enc;
	x->auth = noauth ? NULL : auth;
	x->ivlen = enc->iv;
	x->icvlen = noauth ? enc->icv : auth->icv;
	x->align = enc->block > 4 ? enc->block : 4;
	if ((rc = esp_xform_key(x, aead, ekey, ekeylen, md, akey, akeylen)) != 0) {
		esp_xform_free(x);
		return rc;
	}
	return 0;
}

void
esp_xform_free(struct esp_xform *x)
{
	crypto_aead_free(&x->aead);
	crypto_cbc_free(&x->cbc);
	crypto_hmac_free(&x->hmac);
	secure_wipe(x, sizeof(*x));
}

/* Padding that ends the encrypted part on the alignment (RFC 4303 2.4). */
static size_t
esp_padlen(const struct esp_xform *x, size_t len)
{
	return (x->align - (len + 2) % x->align) % x->align;
}

size_t
esp_encap_len(const struct esp_xform *x, size_t len)
{
	size_t total;

	if (x->mode == 0 || len > ESP_MAX_LEN)
		return 0;
	total = ESP_HDR_LEN + x->ivlen + len + esp_padlen(x, len) + 2 + x->icvlen;
	return total > ESP_MAX_LEN ? 0 : total;
}

/* RFC 4106 5 and RFC 7634 3: SPI, [ESN high 32 bits,] sequence low. */
static size_t
esp_aad(uint8_t aad[static ESP_AAD_MAX], uint32_t spi, uint64_t seq, bool esn)
{
	struct wr w = wr_init(aad, ESP_AAD_MAX);

	wr_u32be(&w, spi);
	if (esn)
		wr_u32be(&w, (uint32_t)(seq >> 32));
	wr_u32be(&w, (uint32_t)seq);
	return w.off;
}

/* AEAD nonce: the salt from the key, then the IV from the packet. */
static void
esp_nonce(const struct esp_xform *x, const uint8_t *iv, uint8_t nonce[static CRYPTO_AEAD_NONCE])
{
	memcpy(nonce, x->salt, ESP_SALT_LEN);
	memcpy(nonce + ESP_SALT_LEN, iv, CRYPTO_AEAD_NONCE - ESP_SALT_LEN);
}

/*
 * HMAC over header, IV and ciphertext (len bytes at p), then with ESN the
 * high 32 bits that are not sent (RFC 4303 2.2.1); x->icvlen bytes out.
 */
static int
esp_hmac(struct esp_xform *x, const uint8_t *p, size_t len, uint64_t seq, bool esn,
    uint8_t out[static ESP_ICV_MAX])
{
	uint8_t hi[4];
	struct wr w = wr_init(hi, sizeof(hi));

	wr_u32be(&w, (uint32_t)(seq >> 32));
	if (crypto_hmac_start(&x->hmac) != 0 || crypto_hmac_update(&x->hmac, p, len) != 0 ||
	    (esn && crypto_hmac_update(&x->hmac, hi, sizeof(hi)) != 0))
		return ESP_E_CRYPTO;
	return crypto_hmac_final(&x->hmac, out, x->icvlen) != 0 ? ESP_E_CRYPTO : 0;
}

/* Writes the trailer at p: padding 1, 2, 3, ..., pad length, next header. */
static void
esp_trailer(uint8_t *p, size_t padlen, uint8_t next_header)
{
	size_t i;

	for (i = 0; i < padlen; i++)
		p[i] = (uint8_t)(i + 1);
	p[padlen] = (uint8_t)padlen;
	p[padlen + 1] = next_header;
}

/*
 * Protects the packet laid out in b: hlen bytes of header and IV, then
 * ctlen bytes to encrypt, then room for the ICV.
 */
static int
esp_seal(struct esp_xform *x, struct pkt_buf *b, size_t hlen, size_t ctlen, uint32_t spi,
    uint64_t seq, bool esn)
{
	uint8_t *hdr = pkt_data(b), *ct = hdr + hlen, *icv = ct + ctlen;
	uint8_t aad[ESP_AAD_MAX], nonce[CRYPTO_AEAD_NONCE];

	switch (x->mode) {
	case ESP_MODE_AEAD:
		esp_nonce(x, hdr + ESP_HDR_LEN, nonce);
		if (crypto_aead_seal(&x->aead, nonce, aad, esp_aad(aad, spi, seq, esn), ct,
		    ctlen, icv) != 0)
			return ESP_E_CRYPTO;
		return 0;
	case ESP_MODE_CBC:
		/* Encrypt, then MAC header, IV and ciphertext (RFC 4303 3.3.2). */
		if (crypto_cbc_encrypt(&x->cbc, hdr + ESP_HDR_LEN, ct, ctlen) != 0)
			return ESP_E_CRYPTO;
		return esp_hmac(x, hdr, hlen + ctlen, seq, esn, icv);
	case ESP_MODE_NULL:
		return esp_hmac(x, hdr, hlen + ctlen, seq, esn, icv);
	}
	return ESP_E_CRYPTO;
}

int
esp_encap_iv(struct esp_xform *x, uint32_t spi, uint64_t seq, bool esn,
    uint8_t next_header, const uint8_t *iv, struct pkt_buf *b)
{
	size_t len = b->len, hlen = ESP_HDR_LEN + x->ivlen, padlen;
	struct wr w;

	if (x->mode == 0)
		return ESP_E_CRYPTO;
	if (seq == 0 || (!esn && seq > UINT32_MAX))
		return ESP_E_SEQ;
	padlen = esp_padlen(x, len);
	if (esp_encap_len(x, len) == 0 || pkt_headroom(b) < hlen ||
	    pkt_tailroom(b) < padlen + 2 + x->icvlen)
		return ESP_E_OVERSIZE;
	esp_trailer(pkt_put(b, padlen + 2), padlen, next_header);
	w = wr_init(pkt_push(b, hlen), hlen);
	wr_u32be(&w, spi);
	wr_u32be(&w, (uint32_t)seq);
	wr_bytes(&w, iv, x->ivlen);
	pkt_put(b, x->icvlen);
	return esp_seal(x, b, hlen, len + padlen + 2, spi, seq, esn);
}

/*
 * A fresh IV for seq. AEADs: the 64-bit sequence number, unique under the
 * key (RFC 4106 3.1). CBC: AES_K(seed || seq), unpredictable to anyone
 * without the key, as RFC 3602 requires.
 */
static int
esp_make_iv(struct esp_xform *x, uint64_t seq, uint8_t iv[static ESP_IV_MAX])
{
	uint8_t nonce[CRYPTO_AES_BLOCK];
	struct wr w;

	switch (x->mode) {
	case ESP_MODE_AEAD:
		w = wr_init(iv, ESP_IV_MAX);
		wr_u64be(&w, seq);
		return 0;
	case ESP_MODE_CBC:
		w = wr_init(nonce, sizeof(nonce));
		wr_bytes(&w, x->ivseed, sizeof(x->ivseed));
		wr_u64be(&w, seq);
		return crypto_cbc_block(&x->cbc, nonce, iv) != 0 ? ESP_E_CRYPTO : 0;
	case ESP_MODE_NULL:
		return 0;
	}
	return ESP_E_CRYPTO;
}

int
esp_encap(struct esp_xform *x, uint32_t spi, uint64_t seq, bool esn, uint8_t next_header,
    struct pkt_buf *b)
{
	uint8_t iv[ESP_IV_MAX];
	int rc;

	/* esp_encap_iv() checks seq; an IV for a refused one goes unused. */
	if ((rc = esp_make_iv(x, seq, iv)) != 0)
		return rc;
	return esp_encap_iv(x, spi, seq, esn, next_header, iv, b);
}

/*
 * Verifies the ICV and decrypts the ctlen bytes at ct in place. p is the
 * packet (from the SPI), iv and icv point into it.
 */
static int
esp_open(struct esp_xform *x, const uint8_t *p, const uint8_t *iv, uint8_t *ct, size_t ctlen,
    const uint8_t *icv, uint32_t spi, uint64_t seq, bool esn)
{
	uint8_t aad[ESP_AAD_MAX], nonce[CRYPTO_AEAD_NONCE], mac[ESP_ICV_MAX];

	switch (x->mode) {
	case ESP_MODE_AEAD:
		esp_nonce(x, iv, nonce);
		if (crypto_aead_open(&x->aead, nonce, aad, esp_aad(aad, spi, seq, esn), ct, ctlen,
		    icv) != 0)
			return ESP_E_ICV;
		return 0;
	case ESP_MODE_CBC:
	case ESP_MODE_NULL:
		/* The ICV covers header, IV and ciphertext: check it first. */
		if (esp_hmac(x, p, (size_t)(ct - p) + ctlen, seq, esn, mac) != 0)
			return ESP_E_CRYPTO;
		if (!ct_memeq(mac, icv, x->icvlen))
			return ESP_E_ICV;
		if (x->mode == ESP_MODE_CBC && crypto_cbc_decrypt(&x->cbc, iv, ct, ctlen) != 0)
			return ESP_E_CRYPTO;
		return 0;
	}
	return ESP_E_CRYPTO;
}

/*
 * RFC 4303 2.4: the pad length must fit the payload and the padding read
 * 1, 2, 3, ... Returns the trailer length (padding + 2) or ESP_E_PAD.
 */
static int
esp_unpad(const uint8_t *pt, size_t len, uint8_t *next_header)
{
	struct rd r = rd_init(pt, len);
	struct view tr, pad;
	size_t i;

	if (rd_tail(&r, 2, &tr) != 0 || rd_tail(&r, tr.p[0], &pad) != 0)
		return ESP_E_PAD;
	for (i = 0; i < pad.len; i++)
		if (pad.p[i] != (uint8_t)(i + 1))
			return ESP_E_PAD;
	*next_header = tr.p[1];
	return (int)pad.len + 2;
}

int
esp_decap(struct esp_xform *x, struct replay *rp, struct pkt_buf *b, uint8_t *next_header,
    uint64_t *seq_out)
{
	struct rd r = rd_init(pkt_data(b), b->len);
	struct view iv, icv;
	size_t hlen = ESP_HDR_LEN + x->ivlen, ctlen;
	uint32_t spi, seql;
	uint64_t seq;
	int rc;

	if (x->mode == 0)
		return ESP_E_CRYPTO;
	if (b->len > ESP_MAX_LEN)
		return ESP_E_MALFORMED;
	rd_u32be(&r, &spi);
	rd_u32be(&r, &seql);
	rd_bytes(&r, x->ivlen, &iv);
	rd_tail(&r, x->icvlen, &icv);
	if (r.err != 0)
		return ESP_E_MALFORMED;
	/* Pad length and next header at least, on the cipher's alignment. */
	ctlen = rd_left(&r);
	if (ctlen < 2 || ctlen % x->align != 0)
		return ESP_E_MALFORMED;
	if (replay_check(rp, seql, &seq) != REPLAY_OK)
		return ESP_E_REPLAY;
	rc = esp_open(x, pkt_data(b), iv.p, pkt_data(b) + hlen, ctlen, icv.p, spi, seq, rp->esn);
	if (rc != 0)
		return rc;
	/* Authentic: this number is now used, whatever the padding says. */
	replay_update(rp, seq);
	if ((rc = esp_unpad(pkt_data(b) + hlen, ctlen, next_header)) < 0)
		return rc;
	pkt_pull(b, hlen);
	pkt_trim(b, (size_t)rc + x->icvlen);
	*seq_out = seq;
	return 0;
}

const char *
esp_strerror(int err)
{
	switch (err) {
	case ESP_OK:		return "success";
	case ESP_E_MALFORMED:	return "malformed packet";
	case ESP_E_REPLAY:	return "replayed packet";
	case ESP_E_ICV:		return "integrity check failed";
	case ESP_E_PAD:		return "bad padding";
	case ESP_E_OVERSIZE:	return "packet too large";
	case ESP_E_SEQ:		return "sequence number 0 or out of range";
	case ESP_E_CRYPTO:	return "crypto failure";
	}
	return "unknown error";
}
