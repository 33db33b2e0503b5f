/*
 * exch_rekey.h: rekeying the IKE SA itself with CREATE_CHILD_SA (RFC
 * 7296 1.3.2, 2.18), both roles, and simultaneous rekeys (2.8.2).
 *
 *   Initiator                          Responder
 *   HDR, SK {SA(IKE, SPIi'), Ni, KEi}  -->
 *                                 <--  HDR, SK {SA(IKE, SPIr'), Nr, KEr}
 *                                 <--  or HDR, SK {N(NO_PROPOSAL_CHOSEN |
 *                                        INVALID_KE_PAYLOAD | TEMPORARY_FAILURE)}
 *
 * The exchange runs under the old SA. Both sides make the new SA with the
 * SPIs of the two SA payloads, SKEYSEED = prf(SK_d (old), g^ir (new) |
 * Ni | Nr), fresh Message IDs and the old SA's peer, configuration,
 * endpoints and NAT state; the side that started the rekey is its
 * original initiator. Every Child SA moves to the new SA as it is, and
 * the initiator of the rekey then deletes the old SA with a Delete(IKE)
 * under it; the responder keeps the old SA, empty, until that Delete.
 *
 * When both sides rekey the same SA at once, both exchanges complete and
 * each side ends up with two new SAs. The one whose exchange holds the
 * lowest of the four nonces is redundant: the side that started that
 * exchange deletes it, the other new SA inherits the Child SAs, and the
 * side that started the surviving exchange deletes the old SA.
 */
#ifndef IKD_EXCH_REKEY_H
#define IKD_EXCH_REKEY_H

#include <stdbool.h>

#include "ike_sa.h"

/*
 * Starts rekeying sa (ESTABLISHED, not retired, no request out): a new
 * SPI, nonce and key pair of the group sa uses (or the first we offer if
 * that one is no longer configured); sa enters REKEYING. Returns 0, or
 * -1 (logged) when it cannot start or nothing could be sent.
 */
int exch_rekey_start(struct ike_sa *sa);
/* True if the CREATE_CHILD_SA request m rekeys the IKE SA (an SA payload of protocol IKE). */
bool exch_rekey_is_ike(const struct ike_msg *m);
/*
 * Answers the peer's rekey m of sa: a new SA, or an error (NO_PROPOSAL_CHOSEN,
 * INVALID_KE_PAYLOAD, TEMPORARY_FAILURE while sa is being deleted or
 * replaced or a Child SA exchange of ours is out, INVALID_SYNTAX) that
 * leaves everything as it was.
 */
void exch_rekey_request(struct ike_sa *sa, const struct ike_msg *m);
/*
 * The answer to our rekey of sa: makes the new SA, hands over the Child
 * SAs and deletes the old SA (or, after a collision, the redundant SA).
 * INVALID_KE_PAYLOAD repeats the request with the group asked for if we
 * offer it; any other refusal leaves sa as it was and schedules another
 * try (soon after TEMPORARY_FAILURE, later otherwise).
 */
void exch_rekey_response(struct ike_sa *sa, const struct ike_msg *m);
/*
 * Our rekey of sa ends without a new SA of ours (refused, or the peer
 * deletes sa): if the peer's simultaneous rekey made a new SA, that one
 * inherits the Child SAs now. Returns true if sa was handed over.
 */
bool exch_rekey_abandon(struct ike_sa *sa);

#endif
