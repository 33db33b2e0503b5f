/*
 * exch_info.h: the INFORMATIONAL exchange (RFC 7296 1.4), as far as
 * setting up and tearing down an IKE SA needs it: Delete payloads,
 * AUTHENTICATION_FAILED reported by an initiator (2.21.2), and empty
 * requests (liveness checks), which are answered.
 */
#ifndef IKD_EXCH_INFO_H
#define IKD_EXCH_INFO_H

#include "ike_sa.h"

/*
 * Answers an INFORMATIONAL request m of an established sa: a Delete of
 * the IKE SA or AUTHENTICATION_FAILED ends sa after the (empty) answer;
 * a Delete of ESP SAs removes the Child SAs whose outbound SPI it names
 * and answers with their inbound SPIs (1.4.1); anything else gets an
 * empty answer.
 */
void exch_info_request(struct ike_sa *sa, const struct ike_msg *m);
/* The answer to our INFORMATIONAL request: completes exch_info_delete(). */
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

#endif
