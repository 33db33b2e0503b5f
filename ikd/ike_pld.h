/*
 * ike_pld.h: IKEv2 message parser and payload builder (RFC 7296).
 *
 * ike_parse() checks one datagram in a single pass and fills a plain
 * struct ike_msg: header fields, the parsed SA, KE, nonce, IDs, AUTH,
 * notifications, deletes, traffic selectors and the SK payload. It
 * applies the RFC length rules as it goes, rejects duplicates of payloads
 * that may appear once, and enforces where each payload may appear
 * (in clear or only inside SK) for each exchange. It has no side effects:
 * it sends nothing, allocates nothing and logs nothing. Views in the
 * result point into the caller's buffer (borrowed; valid while it is).
 *
 * ike_parse_inner() does the same for the decrypted content of SK.
 *
 * struct ike_build writes messages: a header, payloads chained through
 * their Next Payload fields, and an SK payload whose inner payloads are
 * written in clear in place so that encryption can happen in place.
 */
#ifndef IKD_IKE_PLD_H
#define IKD_IKE_PLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "ike_wire.h"

/*
 * Fixed maxima. A message holding more gets IKE_E_TOO_MANY. They are
 * set well above what real peers send: strongSwan's default IKE offer is
 * 2 proposals of at most about 35 transforms, and it sends one
 * ADDITIONAL_IP*_ADDRESS notification per local address.
 */
#define IKE_MAX_PROPS		16	/* proposals in one SA payload */
#define IKE_MAX_XFORMS		64	/* transforms in one proposal */
#define IKE_MAX_NOTIFY		32	/* Notify payloads in one message */
#define IKE_MAX_DELETE		16	/* Delete payloads */
#define IKE_MAX_VENDOR		16	/* Vendor ID payloads */
#define IKE_MAX_CERT		8	/* CERT payloads */
#define IKE_MAX_CERTREQ		8	/* CERTREQ payloads */
#define IKE_MAX_TS		16	/* selectors in one TSi or TSr payload */

/* Parser errors: negative, with the offending payload in ike_msg.err_type. */
enum ike_perr {
	IKE_OK = 0,
	IKE_E_SHORT = -1,	/* shorter than an IKE header */
	IKE_E_LENGTH = -2,	/* a length disagrees with the bytes present or an RFC size */
	IKE_E_VERSION = -3,	/* major version is not 2 (hdr is filled in) */
	IKE_E_DUP = -4,		/* second payload of a type that may appear once */
	IKE_E_CRITICAL = -5,	/* unknown payload with the critical bit: err_type */
	IKE_E_SYNTAX = -6,	/* a field holds a value the RFC forbids */
	IKE_E_PLACEMENT = -7,	/* payload not allowed there (clear, SK, exchange) */
	IKE_E_TOO_MANY = -8,	/* more items than the fixed maxima above */
	IKE_E_EXCHANGE = -9,	/* exchange type not handled here (hdr is filled in) */
};

/* Header fields, host byte order. */
struct ike_hdr {
	uint64_t	spi_i;
	uint64_t	spi_r;
	uint8_t		next;		/* first payload type */
	uint8_t		major;
	uint8_t		minor;		/* ignored, as RFC 7296 3.1 requires */
	uint8_t		exch;		/* IKE_EXCH_* */
	uint8_t		flags;		/* IKE_FLAG_* */
	uint32_t	msgid;
	uint32_t	len;
};

struct ike_pld_xform {
	uint8_t		type;		/* IKE_XF_* */
	uint16_t	id;
	uint16_t	keylen;		/* Key Length attribute in bits, 0 = absent */
	/*
	 * An attribute other than Key Length was present. RFC 7296 3.3.6:
	 * the proposal holding it must be rejected, not the message.
	 */
	bool		unknown_attr;
};

struct ike_pld_prop {
	uint8_t		num;		/* Proposal Num */
	uint8_t		proto;		/* IKE_PROTO_* */
	uint8_t		spi_size;	/* 0, 4 or 8 */
	uint64_t	spi;		/* host order; 0 when spi_size is 0 */
	uint8_t		nxf;
	struct ike_pld_xform xf[IKE_MAX_XFORMS];
};

struct ike_sa_pld {
	uint8_t		nprop;
	struct ike_pld_prop	prop[IKE_MAX_PROPS];
};

struct ike_ke {
	uint16_t	group;		/* IKE_DH_* */
	struct view	data;
};

struct ike_id {
	uint8_t		type;		/* IKE_ID_* */
	struct view	data;		/* Identification Data */
	struct view	body;		/* type, RESERVED, data: what AUTH covers (2.15) */
};

struct ike_auth {
	uint8_t		method;		/* IKE_AUTH_* method */
	struct view	data;
};

struct ike_notify {
	uint16_t	type;		/* IKE_N_* */
	uint8_t		proto;		/* meaningful only when spi.len != 0 */
	struct view	spi;		/* 0, 4 or 8 bytes */
	uint64_t	spi_val;	/* the same SPI in host order */
	struct view	data;
};

struct ike_delete {
	uint8_t		proto;		/* IKE_PROTO_* */
	uint8_t		spi_size;	/* 0 (IKE) or 4 (AH, ESP) */
	uint16_t	nspi;
	struct view	spis;		/* nspi * spi_size bytes */
};

struct ike_ts {
	uint8_t		type;		/* IKE_TS_*; only types 7 and 8 are decoded */
	uint8_t		proto;		/* IP protocol, 0 = any */
	uint16_t	sport;		/* start port; 65535..0 is OPAQUE */
	uint16_t	eport;
	struct gw_addr	start;		/* plen = full, port = 0 */
	struct gw_addr	end;
	struct view	raw;		/* a selector of another type, after its header */
};

struct ike_ts_pld {
	uint8_t		n;
	struct ike_ts	ts[IKE_MAX_TS];
};

struct ike_cert {
	uint8_t		enc;		/* IKE_CERT_* */
	struct view	data;
};

struct ike_cp {
	uint8_t		type;		/* IKE_CFG_* */
	struct view	attrs;		/* configuration attributes, not decoded here */
};

/* The SK (RFC 7296 3.14) or SKF (RFC 7383 2.5) payload. */
struct ike_sk {
	uint8_t		type;		/* IKE_PT_SK, IKE_PT_SKF, or 0 = none */
	uint8_t		first;		/* its Next Payload: the first inner payload */
	uint16_t	frag_num;	/* SKF only */
	uint16_t	frag_total;
	size_t		off;		/* offset of its generic header in the message */
	size_t		aad_len;	/* bytes [0, aad_len) are the AEAD associated data */
	struct view	body;		/* IV, ciphertext, padding, ICV */
};

struct ike_msg {
	struct ike_hdr	hdr;
	uint64_t	seen;		/* IKE_PT_BIT(type) of each known payload met */
	unsigned	nunknown;	/* non-critical unknown payloads skipped */
	bool		inner_done;	/* ike_parse_inner() has run */

	struct ike_sa_pld sa;
	struct ike_ke	ke;
	struct view	nonce;
	struct ike_id	idi;
	struct ike_id	idr;
	struct ike_auth	auth;
	struct ike_cp	cp;
	struct view	eap;
	struct ike_ts_pld tsi;
	struct ike_ts_pld tsr;
	struct ike_sk	sk;

	uint8_t		nnotify;
	struct ike_notify notify[IKE_MAX_NOTIFY];
	uint8_t		ndelete;
	struct ike_delete del[IKE_MAX_DELETE];
	uint8_t		nvendor;
	struct view	vendor[IKE_MAX_VENDOR];
	uint8_t		ncert;
	struct ike_cert	cert[IKE_MAX_CERT];
	uint8_t		ncertreq;
	struct ike_cert	certreq[IKE_MAX_CERTREQ];

	uint8_t		err_type;	/* payload type an error is about; 0 = header */
	size_t		err_off;	/* offset of that payload in the parsed buffer */
};

#define IKE_PT_BIT(t)	(UINT64_C(1) << ((t) & 63))

/*
 * Parses the IKE message p[0..len) (a whole UDP payload without the
 * non-ESP marker) into *m, which is cleared first. Returns 0 or a
 * negative enum ike_perr; on error m->err_type/err_off say where, and
 * m->hdr is filled in for every error but IKE_E_SHORT (so the caller can
 * answer INVALID_MAJOR_VERSION or UNSUPPORTED_CRITICAL_PAYLOAD). Views
 * borrow p. struct ike_msg is about 14 KiB: keep it off deep stacks.
 */
int ike_parse(const uint8_t *p, size_t len, struct ike_msg *m);

/*
 * Parses the decrypted content of m's SK payload: p[0..len) holds the
 * inner payloads only (IV, padding, Pad Length and ICV removed), the
 * first of type first_type (m->sk.first, or that of fragment 1). Adds to
 * *m, which ike_parse() filled. Returns 0 or a negative enum ike_perr.
 */
int ike_parse_inner(const uint8_t *p, size_t len, uint8_t first_type, struct ike_msg *m);

/* A static string for an enum ike_perr value. */
const char *ike_perr_str(int err);

/* True if a payload of this known type was parsed (clear or inner). */
bool ike_msg_has(const struct ike_msg *m, uint8_t type);

/* The first notification of type in m, or NULL. */
const struct ike_notify *ike_msg_notify(const struct ike_msg *m, uint16_t type);

/*
 * SPI number i of a Delete payload with 4-byte SPIs into *spi (host
 * order). Returns 0, or -1 if i is out of range or the SPIs are not
 * 4 bytes long.
 */
int ike_delete_spi(const struct ike_delete *d, size_t i, uint32_t *spi);

/*
 * Key Exchange Data length in bytes for a known group (MODP, ECP as x|y,
 * Curve25519/448), or 0 for a group whose length this module does not
 * know.
 */
size_t ike_ke_len(uint16_t group);

/*
 * The builder. All functions return 0 or a negative enum gw_err, and
 * the first error sticks (b->w.err): GW_E_TOOLONG when the buffer or a
 * length field overflows, GW_E_BADVAL for a bad argument or a payload
 * not allowed at that point for the header's exchange type.
 */
struct ike_build {		/* fields private to ike_pld.c */
	struct wr	w;
	size_t		np_at;		/* where the next payload's type goes */
	size_t		sk_at;		/* SK generic header, when open */
	size_t		iv_at;		/* its IV */
	size_t		plain_at;	/* its first inner payload */
	uint8_t		exch;
	uint8_t		state;
};

/* Where the caller encrypts and authenticates an SK payload in place. */
struct ike_sk_layout {
	size_t		sk_off;		/* SK generic header */
	size_t		aad_len;	/* [0, aad_len) is AEAD associated data */
	size_t		iv_off;		/* iv_len bytes, zero: the caller fills them */
	size_t		iv_len;
	size_t		plain_off;	/* inner payloads, padding and Pad Length */
	size_t		plain_len;
	size_t		icv_off;	/* icv_len bytes, zero: the caller fills them */
	size_t		icv_len;
};

/* Starts a message in buf[0..cap) (caller-owned). */
void ike_build_init(struct ike_build *b, uint8_t *buf, size_t cap);

/* Writes the IKE header (version 2.0; next and length filled in later). */
int ike_build_header(struct ike_build *b, const struct ike_hdr *h);

/*
 * Payload writers: each appends one payload, chains it from the previous
 * Next Payload field and fills its length. Views and arrays are copied.
 * ike_build_sa writes Key Length attributes for keylen != 0.
 */
int ike_build_sa(struct ike_build *b, const struct ike_sa_pld *sa);
int ike_build_ke(struct ike_build *b, uint16_t group, const uint8_t *data, size_t len);
int ike_build_nonce(struct ike_build *b, const uint8_t *nonce, size_t len);
/* pt is IKE_PT_IDI or IKE_PT_IDR. */
int ike_build_id(struct ike_build *b, uint8_t pt, uint8_t idtype, const uint8_t *data,
    size_t len);
int ike_build_auth(struct ike_build *b, uint8_t method, const uint8_t *data, size_t len);
/* spi_size 0, 4 or 8; spi is taken from its low spi_size bytes. */
int ike_build_notify(struct ike_build *b, uint8_t proto, uint16_t type, uint8_t spi_size,
    uint64_t spi, const uint8_t *data, size_t len);
/* proto IKE takes nspi 0; AH and ESP take nspi >= 1 four-byte SPIs. */
int ike_build_delete(struct ike_build *b, uint8_t proto, const uint32_t *spis, size_t nspi);
/* pt is IKE_PT_TSI or IKE_PT_TSR; selectors of type 7 or 8 only. */
int ike_build_ts(struct ike_build *b, uint8_t pt, const struct ike_ts *ts, size_t n);
int ike_build_vendor(struct ike_build *b, const uint8_t *data, size_t len);
/*
 * A payload whose body the caller formats (CERT, CERTREQ, CP, EAP, SKF,
 * or a type this module does not know), with the critical bit if crit.
 * Not for SK. After an SKF nothing more can be added.
 */
int ike_build_raw(struct ike_build *b, uint8_t type, bool crit, const uint8_t *body,
    size_t len);

/*
 * Opens an SK payload with iv_len zero bytes for the IV. Payloads written
 * until ike_build_sk_end() are its inner payloads, chained from the SK
 * header's Next Payload. SK is always the last payload of a message.
 */
int ike_build_sk_begin(struct ike_build *b, size_t iv_len);
/*
 * Closes the SK payload: pads so that inner payloads, padding and Pad
 * Length fill whole blocks of block bytes (1..255), writes Pad Length,
 * reserves icv_len bytes, and fills *out. Call ike_build_finish() next,
 * then encrypt: the AAD and the ICV cover the final message length.
 */
int ike_build_sk_end(struct ike_build *b, size_t block, size_t icv_len,
    struct ike_sk_layout *out);

/* Writes the message length; *len gets it. Returns 0 or a gw_err. */
int ike_build_finish(struct ike_build *b, size_t *len);

#endif
