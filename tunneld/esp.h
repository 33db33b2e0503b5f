/*
 * esp.h: the ESP transform (RFC 4303), one packet at a time, in place.
 *
 * esp_encap() turns an inner packet into an ESP packet and esp_decap()
 * does the reverse. Neither does I/O, allocates, or logs above debug: the
 * caller owns the buffer, the SA lookup, the outer IP header, the counters
 * and the policy check on the decrypted packet.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ---
 * |               Security Parameters Index (SPI)                 |  ^ ICV
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  | (HMAC)
 * |            Sequence Number (low 32 bits with ESN)             |  | or AAD
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  | (AEAD)
 * |      IV (0 NULL, 8 AES-GCM and ChaCha20-Poly1305, 16 CBC)     |  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ---
 * |          Payload: the inner IP packet (variable)              |  ^ encrypted
 * ~                                                               ~  |
 * |               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  |
 * |               |  Padding 1, 2, 3, ... (0-15 bytes)            |  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  |
 * |               |  Pad Length   | Next Header   |                  v
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ---
 * |      Integrity Check Value (12 to 32 bytes)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The encrypted part ends on a 4-byte boundary (a cipher block for CBC).
 * With ESN the high 32 bits of the sequence number are authenticated but
 * not sent: in the AEAD's AAD (RFC 4106 5) or after the payload for HMAC
 * (RFC 4303 2.2.1).
 */
#ifndef TUNNELD_ESP_H
#define TUNNELD_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "crypto.h"
#include "pktbuf.h"
#include "replay.h"

#define ESP_HDR_LEN	8	/* SPI + sequence number */
#define ESP_IV_MAX	16
#define ESP_ICV_MAX	32
#define ESP_SALT_LEN	4	/* RFC 4106 / RFC 7634 implicit nonce part */
#define ESP_MAX_LEN	65535	/* the largest ESP packet made or accepted */
/* Room esp_encap() needs before and after the payload, at most. */
#define ESP_HEADROOM	(ESP_HDR_LEN + ESP_IV_MAX)
#define ESP_TAILROOM	(15 + 2 + ESP_ICV_MAX)
#define ESP_NH_NONE	59	/* RFC 4303 2.6: a dummy packet, to be dropped */

/* Drop reasons; each has its own counter at the caller. */
enum esp_err {
	ESP_OK = 0,
	ESP_E_MALFORMED = -100,	/* too short, too long, or not aligned */
	ESP_E_REPLAY = -101,	/* left of the window or already seen */
	ESP_E_ICV = -102,	/* authentication failed */
	ESP_E_PAD = -103,	/* authentic, but padding not 1..n or too long */
	ESP_E_OVERSIZE = -104,	/* no head/tailroom, or over ESP_MAX_LEN */
	ESP_E_SEQ = -105,	/* sequence number 0, or past 2^32 - 1 without ESN */
	ESP_E_CRYPTO = -106,	/* the crypto library failed */
};

/* How the payload is protected; 0 means "not initialised". */
enum esp_mode {
	ESP_MODE_AEAD = 1,	/* AES-GCM-16 or ChaCha20-Poly1305 */
	ESP_MODE_CBC,		/* AES-CBC, then HMAC over header, IV and ciphertext */
	ESP_MODE_NULL,		/* RFC 2410: HMAC only */
};

/*
 * Per-SA crypto state, prepared once by esp_xform_init(): keyed contexts,
 * salt, and the sizes taken from the algorithm table.
 */
struct esp_xform {
	const struct alg	*enc;
	const struct alg	*auth;		/* NULL with an AEAD */
	enum esp_mode		 mode;
	struct crypto_aead	 aead;
	struct crypto_cbc	 cbc;
	struct crypto_hmac	 hmac;
	uint8_t			 salt[ESP_SALT_LEN];
	uint8_t			 ivseed[8];	/* CBC: secret half of the IV nonce */
	uint8_t			 ivlen;
	uint8_t			 icvlen;
	uint8_t			 align;		/* the encrypted part is a multiple */
};

/*
 * Prepares x for an SA. enc is an ALG_ENC entry and ekey its key (salt
 * included for AEADs, as PF_KEY carries it); auth is an ALG_AUTH entry or
 * NULL (also NULL or "null" for AEADs). Keys are copied into the contexts.
 * Returns 0; GW_E_BADVAL for an AEAD with an auth algorithm or for a
 * cipher without one (NULL encryption needs one too); GW_E_UNSUPP for an
 * algorithm the data path does not run; GW_E_KEYLEN for a wrong key
 * length. On failure x is left zeroed.
 */
int esp_xform_init(struct esp_xform *x, const struct alg *enc, const uint8_t *ekey,
    size_t ekeylen, const struct alg *auth, const uint8_t *akey, size_t akeylen);
/* Wipes and frees x; safe on a zeroed or already freed struct. */
void esp_xform_free(struct esp_xform *x);

/*
 * Bytes of ESP packet (header to ICV) for a payload of len bytes, or 0 if
 * that exceeds ESP_MAX_LEN.
 */
size_t esp_encap_len(const struct esp_xform *x, size_t len);

/*
 * Wraps the payload in b (an inner packet, next_header saying what it is:
 * 4 for IPv4, 41 for IPv6) into ESP in place: header and IV go into the
 * headroom, padding, trailer and ICV into the tailroom. On success b holds
 * the ESP packet from the SPI on, and the headroom left is the caller's
 * for the outer header. seq must be new for this SA and key: it is also
 * the AEAD IV. Returns 0, ESP_E_SEQ, ESP_E_OVERSIZE (b unchanged) or
 * ESP_E_CRYPTO (b's content undefined).
 */
int esp_encap(struct esp_xform *x, uint32_t spi, uint64_t seq, bool esn,
    uint8_t next_header, struct pkt_buf *b);
/*
 * esp_encap() with the IV given (x->ivlen bytes; NULL when 0), for
 * known-answer tests. An IV used twice under an AEAD key gives away the
 * key stream and the authentication key: production code calls
 * esp_encap(), which derives a fresh IV from seq.
 */
int esp_encap_iv(struct esp_xform *x, uint32_t spi, uint64_t seq, bool esn,
    uint8_t next_header, const uint8_t *iv, struct pkt_buf *b);

/*
 * Checks, authenticates and decrypts the ESP packet in b (SPI to ICV) in
 * place. The caller found x and rp by the SPI; rp->esn says whether the
 * SA uses ESN. Order: length and alignment, replay check, ICV, window
 * update, padding (RFC 4303 3.4). On success b holds the inner packet,
 * *next_header its protocol (ESP_NH_NONE: a dummy packet the caller must
 * drop) and *seq_out the full sequence number; the caller still checks
 * the packet against the SA's policy. Returns 0 or a negative enum
 * esp_err; on error b's content is undefined, and rp is unchanged unless
 * the error is ESP_E_PAD (the packet was authentic).
 */
int esp_decap(struct esp_xform *x, struct replay *rp, struct pkt_buf *b,
    uint8_t *next_header, uint64_t *seq_out);

/* A short text for an enum esp_err value. */
const char *esp_strerror(int err);

#endif
