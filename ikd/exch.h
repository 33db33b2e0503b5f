/*
 * exch.h: entry points of the IKE exchanges, and what the exchange
 * modules share.
 *
 * exch_recv() takes every datagram for UDP 500/4500, parses it, finds
 * the SA, lets the message layer check the window and decrypt, and hands
 * the message to the exchange module that owns it:
 *
 *   IKE_SA_INIT      exch_init.c  (initiator and responder)
 *   IKE_AUTH         exch_auth.c
 *   INFORMATIONAL    exch_info.c
 *   CREATE_CHILD_SA  exch_child.c  (Child SA rekey; new Child SAs refused)
 *                    exch_rekey.c  (IKE SA rekey)
 *
 * A message that fails any check is dropped and counted, and changes
 * nothing. Handlers never free an SA: they kill it, and the SAs killed
 * during one call are reaped at its end.
 */
#ifndef IKD_EXCH_H
#define IKD_EXCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_sa.h"
#include "keymat.h"

/*
 * Starts an IKE SA with the peer of cfg and, in its IKE_AUTH, the Child
 * SA req asks for (NULL: cfg->ts[0]). Returns the SA in INIT_SENT, or
 * NULL (logged) when nothing could be sent.
 */
struct ike_sa *exch_initiate(struct ike_sa_table *t, const struct ike_cfg_peer *cfg,
    const struct ike_child_req *req);
/*
 * Processes one UDP payload p[0..len) received on local from remote
 * (addresses with ports). On port 4500 it must start with the non-ESP
 * marker. p is borrowed for the call.
 */
void exch_recv(struct ike_sa_table *t, const uint8_t *p, size_t len,
    const struct gw_addr *local, const struct gw_addr *remote);
/*
 * Runs the timers due at the io clock's now: retransmissions, give-ups
 * (the SA dies with IKE_F_TIMEOUT), half-open expiry, IKE SA lifetimes
 * (rekey, then deletion at the hard limit: ike_sa_rekey_due()), Child SA
 * rekeys waiting for their turn, and liveness checks after the peer's
 * DPD delay of silence. An SA does at most one of these per call, after
 * installing the outbound SAs whose grace time is over
 * (ike_sa_out_due()), which sends nothing.
 */
void exch_tick(struct ike_sa_table *t);
/*
 * Rekeys the IKE SA sa now (an operator's or the daemon's decision), or,
 * while a request of sa is out, at the first exch_tick() after its
 * answer. Returns 0 (started, queued or already under way), or -1
 * (logged) for an SA that is not ESTABLISHED, replaced by a rekey, or a
 * local failure.
 */
int exch_ike_rekey(struct ike_sa *sa);

/*
 * Shared by the exchange modules.
 */

/*
 * The proposals of a parsed SA payload in proposal.h form into out[0..max).
 * A proposal with an attribute we do not know is left out: RFC 7296 3.3.6
 * rejects the proposal, not the message. Returns the number written.
 */
size_t exch_props_from_pld(const struct ike_sa_pld *in, struct ike_prop *out, size_t max);
/*
 * Our proposals in[0..n) as an SA payload; KE transforms are left out
 * when strip_ke (the first Child SA, RFC 7296 1.2). Returns 0, or -1 if
 * they do not fit the payload's limits.
 */
int exch_props_to_pld(const struct ike_prop *in, size_t n, bool strip_ke,
    struct ike_sa_pld *out);
/* An SPI of spisize bytes (4 or 8) from or into proposal.h's byte form. */
uint64_t exch_prop_spi(const struct ike_prop *p);
void exch_prop_set_spi(struct ike_prop *p, uint64_t spi);

/* The transforms of a chosen proposal that size its keys. */
void exch_keymat_xf(const struct ike_prop *p, struct keymat_xf *xf);

/*
 * An identity for logs: an address, a name with anything unprintable
 * replaced by '?', or "type N, M bytes". Returns buf.
 */
const char *exch_id_str(const struct ike_idv *id, char *buf, size_t len);
#define EXCH_ID_STRLEN		(IKE_ID_MAX + 32)

/*
 * Simultaneous rekeys (RFC 7296 2.8): nonces compare as unsigned byte
 * strings, the shorter first when one is a prefix of the other (for
 * nonces of one length, as every implementation sends, plain memcmp).
 * exch_nonce_cmp() returns <0, 0 or >0; exch_nonce_low() the lower view.
 */
int exch_nonce_cmp(const struct view *a, const struct view *b);
struct view exch_nonce_low(const struct view *a, const struct view *b);

/*
 * RFC 7296 2.25: after a refusal, wait before trying again, at random
 * within a span so that two peers do not retry in lockstep. Returns the
 * delay in ms: 2 to 6 s after TEMPORARY_FAILURE (temporary), 30 to 60 s
 * after any other refusal.
 */
uint64_t exch_retry_ms(struct ike_sa_table *t, bool temporary);
#define EXCH_RETRY_TEMP_MS	2000
#define EXCH_RETRY_FAIL_MS	30000

/*
 * Answers the request being processed with an encrypted message holding
 * only the notification type with data[0..dlen) (NULL, 0: none).
 * Returns 0 or -1.
 */
int exch_respond_notify(struct ike_sa *sa, uint8_t exch, uint16_t type, const uint8_t *data,
    size_t dlen);

#endif
