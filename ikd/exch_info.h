/*
 * exch_info.h: the INFORMATIONAL exchange (RFC 7296 1.4): Delete
 * payloads for the IKE SA and Child SAs either way, AUTHENTICATION_FAILED
 * reported by an initiator (2.21.2), and empty requests (liveness
 * checks, 2.4), answered and, for dead peer detection, sent.
 */
#ifndef IKD_EXCH_INFO_H
#define IKD_EXCH_INFO_H

#include "ike_sa.h"

/*
 * Answers an INFORMATIONAL request m of an established sa: a Delete of
 * the IKE SA or AUTHENTICATION_FAILED ends sa after the (empty) answer,
 * with IKE_F_REKEYED for an SA a rekey replaced (its Child SAs live on
 * under the successor, see exch_rekey.h); a Delete of ESP SAs removes
 * the Child SAs whose outbound SPI it names and answers with their
 * inbound SPIs (1.4.1), the outbound SAs of the pairs that replace them
 * (a rekey we answered) installed first; anything else gets an empty
 * answer.
 */
void exch_info_request(struct ike_sa *sa, const struct ike_msg *m);
/*
 * The answer to our INFORMATIONAL request: completes exch_info_delete()
 * and exch_info_delete_child(); a liveness check needs nothing more.
 */
void exch_info_response(struct ike_sa *sa, const struct ike_msg *m);
/*
 * An initiator that cannot verify the responder's AUTH tells it so in an
 * INFORMATIONAL request (RFC 7296 2.21.2), sent once: the SA is deleted
 * right after, so nobody waits for the answer.
 */
void exch_info_auth_failed(struct ike_sa *sa);
/*
 * Deletes sa with its peer: sends Delete(IKE) and enters DELETING; sa
 * dies with why when the answer comes or retransmission gives up. On a
 * failure to send it dies at once. Returns 0 or -1.
 */
int exch_info_delete(struct ike_sa *sa, enum ike_fail why);
/*
 * Deletes the Child SA of sa whose inbound SPI is spi_in with the peer
 * (RFC 7296 1.4.1): sends Delete(ESP, spi_in); the pair leaves the data
 * path when the answer comes. Returns 0, or -1 (logged) for an unknown
 * SPI, a request already outstanding or a failure to send.
 */
int exch_info_delete_child(struct ike_sa *sa, uint32_t spi_in);
/*
 * Sends Delete(ESP, spi_in) without checking that sa records the pair:
 * for a pair the peer installed and we refused. If we do record it, the
 * answer removes it as with exch_info_delete_child(). Returns 0 or -1.
 */
int exch_info_delete_esp(struct ike_sa *sa, uint32_t spi_in);
/*
 * Sends an empty INFORMATIONAL request (a liveness check, RFC 7296 2.4),
 * retransmitted on the DPD schedule of sa's configuration (dpd_retry_s,
 * dpd_tries: see struct ike_cfg_peer). If retransmission gives up,
 * exch_tick() kills sa with IKE_F_TIMEOUT. Returns 0 or -1 (a request
 * already outstanding, failure to send).
 */
int exch_info_liveness(struct ike_sa *sa);

#endif
