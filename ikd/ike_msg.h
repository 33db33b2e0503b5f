/*
 * ike_msg.h: the message layer of an IKE SA.
 *
 * - SK payload protection (RFC 7296 3.14): AES-GCM-16 (RFC 5282 5) and
 *   ChaCha20-Poly1305 (RFC 7634 3) as AEAD with an 8-byte explicit IV
 *   and a 4-byte salt taken from the end of SK_e; AES-CBC with
 *   HMAC-SHA1-96 or HMAC-SHA2-256/384/512 (random IV, padding to the
 *   block, ICV over the whole message up to the ICV). Messages are
 *   encrypted in place in the builder's buffer and decrypted in place in
 *   the receive buffer, ICV checked in constant time before anything is
 *   parsed.
 * - The Message ID window of size 1 (RFC 7296 2.3) in both directions:
 *   one outstanding request with retransmission (exponential back-off,
 *   or a constant interval for a request that asks for one; give-up),
 *   and a response cache that answers a retransmitted request
 *   byte for byte without processing it again.
 * - Transmission through struct ike_io, with the non-ESP marker (RFC
 *   3948 2.2) in front of every message sent from port 4500.
 *
 * Window state changes only once a message has been authenticated (an
 * encrypted one decrypted and verified): see ike_msg_check() and
 * ike_msg_accept().
 */
#ifndef IKD_IKE_MSG_H
#define IKD_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "ike_hdrs.h"

struct ike_sa;
struct ike_sa_table;

#define IKE_MSG_MAX		8192	/* largest message built or accepted */
#define IKE_MARKER_LEN		4	/* RFC 3948 2.2 non-ESP marker: four zero bytes */
/* Defaults of ike_sa_table.rtx_first_ms and rtx_tries. */
#define IKE_RTX_FIRST_MS	500	/* first retransmission timeout */
#define IKE_RTX_TRIES		5	/* transmissions of one request before giving up */

/* The SK cipher of one IKE SA, keyed for both directions. */
enum ike_msg_cipher {
	IKE_MSG_NONE,		/* no keys yet (IKE_SA_INIT) */
	IKE_MSG_AEAD,		/* AES-GCM-16 or ChaCha20-Poly1305 */
	IKE_MSG_CBC_HMAC,	/* AES-CBC with an HMAC integrity transform */
};

struct ike_msg_dir {		/* one direction: initiator's or responder's keys */
	struct crypto_aead	aead;
	uint8_t			salt[4];
	struct crypto_cbc	cbc;
	struct crypto_hmac	hmac;
};

struct ike_msg_prot {
	enum ike_msg_cipher	kind;
	size_t			iv_len;
	size_t			icv_len;
	size_t			block;		/* padding unit: AEAD 1, CBC 16 */
	uint64_t		iv_ctr;		/* next AEAD IV; never repeats under a key */
	struct ike_msg_dir	dir[2];		/* [0] SK_*i, [1] SK_*r */
};

/* The Message ID window (RFC 7296 2.3), size 1 each way. */
struct ike_msg_win {
	/* Requests we send. */
	uint32_t	next_id;	/* Message ID of our next request */
	bool		req_active;	/* a request awaits its response */
	uint32_t	req_id;
	uint8_t		req_exch;
	uint8_t		*req;		/* bytes as sent, without marker */
	size_t		req_len;
	unsigned	req_tries;	/* transmissions so far */
	uint64_t	req_due_ms;	/* next retransmission or give-up */
	uint32_t	req_timeout_ms;
	/*
	 * The schedule of this request (see ike_msg_request_every()): a
	 * constant timeout (0: the table's, doubling each time) and the
	 * transmissions before giving up (0: the table's rtx_tries).
	 */
	uint32_t	req_every_ms;
	unsigned	req_max_tries;
	/* Requests we answer. */
	uint32_t	peer_id;	/* Message ID expected of the peer's next request */
	uint32_t	cur_id;		/* Message ID of the request being answered */
	bool		resp_valid;	/* resp answers request peer_id - 1 */
	uint8_t		*resp;
	size_t		resp_len;
};

/* What ike_msg_open() found. */
enum ike_msg_open_rc {
	IKE_OPEN_OK = 0,
	IKE_OPEN_ICV = -1,		/* not SK, or the ICV does not verify */
	IKE_OPEN_MALFORMED = -2,	/* verified, but its content is malformed */
	IKE_OPEN_CRITICAL = -3,		/* verified, holds an unknown critical payload */
};

/* What the window says about a received message; see ike_msg_check(). */
enum ike_msg_verdict {
	IKE_MSG_NEW,		/* a request to process, or the awaited response */
	IKE_MSG_RETRANSMIT,	/* the last request again: answer from the cache */
	IKE_MSG_DROP,		/* outside the window */
};

/*
 * Keys the SK protection of sa from its keymat and chosen IKE proposal
 * (sa->km, sa->prop). Returns 0, or -1 (logged) for a transform set this
 * module cannot protect with or a key that does not fit.
 */
int ike_msg_keys(struct ike_sa *sa);
/* Wipes and releases the cipher contexts of p (safe on a zeroed one). */
void ike_msg_prot_free(struct ike_msg_prot *p);
/* Frees the stored request and cached response of w. */
void ike_msg_win_free(struct ike_msg_win *w);

/*
 * Starts a message of sa in buf[0..cap): the header (our SPIs, flags for
 * our role, the Message ID of our next request or of the request being
 * answered) and, for every exchange but IKE_SA_INIT, an open SK payload.
 * Returns 0 or -1.
 */
int ike_msg_start(struct ike_sa *sa, struct ike_build *b, uint8_t *buf, size_t cap,
    uint8_t exch, bool response);
/*
 * Completes the message started by ike_msg_start() in buf: closes SK,
 * writes the length and encrypts in place (IKE_SA_INIT: only the length).
 * *len gets the message length. Returns 0 or -1 (logged).
 */
int ike_msg_finish(struct ike_sa *sa, struct ike_build *b, uint8_t *buf, size_t *len);

/*
 * The window's verdict on a message m parsed from sa's peer. Changes
 * nothing: call before decrypting, then ike_msg_accept() once the message
 * is authenticated.
 */
enum ike_msg_verdict ike_msg_check(const struct ike_sa *sa, const struct ike_msg *m);
/*
 * Decrypts and verifies the SK payload of m in place (buf[0..len) is the
 * buffer m was parsed from) and parses the inner payloads into m. Returns
 * an enum ike_msg_open_rc; with IKE_OPEN_CRITICAL, m->err_type is the
 * payload type. Nothing in sa changes either way. Not for IKE_SA_INIT.
 */
int ike_msg_open(struct ike_sa *sa, uint8_t *buf, size_t len, struct ike_msg *m);
/*
 * Moves the window for an authenticated IKE_MSG_NEW message: a response
 * ends the outstanding request; a request becomes the one being answered.
 */
void ike_msg_accept(struct ike_sa *sa, const struct ike_msg *m);

/*
 * Sends buf[0..len) (built with ike_msg_start(..., false)) as sa's next
 * request, keeps a copy for retransmission and arms the timer on the
 * table's schedule. Fails (-1) while another request is outstanding or
 * on no memory.
 */
int ike_msg_request(struct ike_sa *sa, const uint8_t *buf, size_t len);
/*
 * The same on a schedule of its own: sent again every every_ms (0: the
 * table's rtx_first_ms, doubling each time) and given up once it has
 * been sent tries times (0: the table's rtx_tries) and the last timeout
 * has passed. So every_ms 5000, tries 3 sends at t, t+5 s, t+10 s and
 * gives up at t+15 s. Returns 0 or -1 as ike_msg_request().
 */
int ike_msg_request_every(struct ike_sa *sa, const uint8_t *buf, size_t len,
    uint32_t every_ms, unsigned tries);
/*
 * Sends buf[0..len) as the response to the request being answered,
 * caches it for retransmitted requests and opens the window for the
 * next request. Returns 0 or -1 (no memory: sent but not cached).
 */
int ike_msg_respond(struct ike_sa *sa, const uint8_t *buf, size_t len);
/*
 * Sends buf[0..len) as a request that is not retransmitted and whose
 * response is not awaited (an error report before deleting the SA). It
 * uses up its Message ID. Returns 0 or -1.
 */
int ike_msg_send_once(struct ike_sa *sa, const uint8_t *buf, size_t len);
/* Sends the cached response again (a retransmitted request). */
void ike_msg_resend(struct ike_sa *sa);
/*
 * Transmits buf[0..len) from sa's local to its remote endpoint, with the
 * non-ESP marker when the local port is 4500. Returns 0 or -1.
 */
int ike_msg_xmit(struct ike_sa *sa, const uint8_t *buf, size_t len);
/* The same without an SA (stateless IKE_SA_INIT answers). */
int ike_msg_xmit_to(struct ike_sa_table *t, const uint8_t *buf, size_t len,
    const struct gw_addr *local, const struct gw_addr *remote);
/*
 * The next request will use Message ID 0 again: for an IKE_SA_INIT
 * repeated with a cookie or another KE group (RFC 7296 1.2, 2.6).
 */
void ike_msg_rewind_init(struct ike_sa *sa);
/*
 * Retransmission timer of sa at now_ms: resends the outstanding request
 * when due, on its schedule (the table's: the timeout doubling each
 * time). Returns -1 when the request has been sent as many times as its
 * schedule allows and its last timeout has passed (the caller gives
 * up), else 0.
 */
int ike_msg_timer(struct ike_sa *sa, uint64_t now_ms);

#endif
