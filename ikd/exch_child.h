/*
 * exch_child.h: the CREATE_CHILD_SA exchange (RFC 7296 1.3) as far as
 * rekeying a Child SA (1.3.3), with or without PFS: the request we start
 * and the answer to the peer's. A request for a new Child SA is refused
 * with NO_ADDITIONAL_SAS (3.10.1); an IKE SA rekey is exch_rekey.c's.
 *
 * Make-before-break: the initiator installs the new pair when the answer
 * comes and only then deletes the old one with an INFORMATIONAL Delete.
 * The responder installs only the new inbound SA when it answers, and
 * keeps sending on the old pair until the peer has the new one: the new
 * outbound SA goes in when that Delete arrives, or a grace time later if
 * it does not (ike_sa_out_due()), so that no packet goes out under an
 * SA the peer cannot decrypt yet. When both sides rekey one pair at
 * once, both new pairs are made and the redundant one is deleted
 * (2.8.1); a redundant pair of the peer's never gets its outbound SA.
 * TEMPORARY_FAILURE answers (2.25) while the IKE SA is being rekeyed or
 * the pair deleted; a rekey of ours that gets one is tried again a few
 * seconds later.
 */
#ifndef IKD_EXCH_CHILD_H
#define IKD_EXCH_CHILD_H

#include <stdint.h>

#include "ike_sa.h"

/*
 * Starts rekeying the Child SA of sa whose inbound SPI is spi_in: a new
 * SPI, nonce and, when our first ESP proposal has a KE transform, a key
 * pair of its group (PFS). Returns 0, or -1 (logged) for an unknown
 * SPI, an SA not ESTABLISHED or replaced by a rekey, a request already
 * out, or a local failure.
 */
int exch_child_rekey(struct ike_sa *sa, uint32_t spi_in);
/*
 * Rekeys the pair of sa whose inbound SPI is spi_in now if sa is free,
 * else marks it so that exch_tick() starts its rekey as soon as sa (or
 * the IKE SA that carries the pair by then, after an IKE SA rekey) has
 * no request out. Returns 0 (started, queued or under way, ours or the
 * peer's), or -1 (logged) for an unknown SPI, an IKE SA being deleted,
 * a local failure.
 */
int exch_child_rekey_queue(struct ike_sa *sa, uint32_t spi_in);
/*
 * exch_tick()'s part: starts the rekey of the first pair of sa whose
 * retry time (ike_child.rekey_retry_ms) has come, if sa is free and the
 * peer has not replaced the pair meanwhile.
 */
void exch_child_tick(struct ike_sa *sa, uint64_t now);
/*
 * Answers a CREATE_CHILD_SA request m of sa from the peer (not an IKE SA
 * rekey): the new pair's inbound SA now, its outbound SA later.
 */
void exch_child_request(struct ike_sa *sa, const struct ike_msg *m);
/*
 * The answer to our rekey: installs the new pair, then deletes the old
 * one with the peer (or, after a collision, whichever the nonces say).
 * A refusal or a bad answer keeps the old pair.
 */
void exch_child_response(struct ike_sa *sa, const struct ike_msg *m);

#endif
