/*
 * exch_child.h: the CREATE_CHILD_SA exchange (RFC 7296 1.3) as far as
 * rekeying a Child SA (1.3.3), with or without PFS: the request we start
 * and the answer to the peer's. Other requests (a new Child SA, an IKE
 * SA rekey) are refused with NO_ADDITIONAL_SAS (3.10.1).
 *
 * Make-before-break: the initiator installs the new pair when the answer
 * comes and only then deletes the old one with an INFORMATIONAL Delete;
 * the responder keeps the old pair until that Delete arrives.
 */
#ifndef IKD_EXCH_CHILD_H
#define IKD_EXCH_CHILD_H

#include <stdint.h>

#include "ike_sa.h"

/*
 * Starts rekeying the Child SA of sa whose inbound SPI is spi_in: a new
 * SPI, nonce and, when our first ESP proposal has a KE transform, a key
 * pair of its group (PFS). Returns 0, or -1 (logged) for an unknown
 * SPI, an SA not ESTABLISHED, a request already out, or a local failure.
 */
int exch_child_rekey(struct ike_sa *sa, uint32_t spi_in);
/* Answers a CREATE_CHILD_SA request m of sa from the peer. */
void exch_child_request(struct ike_sa *sa, const struct ike_msg *m);
/*
 * The answer to our rekey: installs the new pair, then deletes the old
 * one with the peer. A refusal or a bad answer keeps the old pair.
 */
void exch_child_response(struct ike_sa *sa, const struct ike_msg *m);

#endif
