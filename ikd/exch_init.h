/*
 * exch_init.h: the IKE_SA_INIT exchange (RFC 7296 1.2), both roles.
 *
 * The initiator offers its IKE proposals with a KE payload of its
 * preferred group, a 32-byte nonce and the NAT detection hashes; it
 * repeats the request with the group an INVALID_KE_PAYLOAD names or with
 * the COOKIE a busy responder hands out (2.6). The responder selects a
 * proposal, refuses statelessly (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD,
 * COOKIE), or creates a half-open SA and answers. Both derive the IKE SA
 * keys and record which side is behind a NAT (2.23). Unknown status
 * notifications are ignored, as 3.10.1 requires.
 */
#ifndef IKD_EXCH_INIT_H
#define IKD_EXCH_INIT_H

#include <stddef.h>
#include <stdint.h>

#include "ike_sa.h"

/*
 * Initiator: picks the KE group, makes a key pair and nonce, and sends
 * the first IKE_SA_INIT request of sa (IDLE -> INIT_SENT). 0 or -1.
 */
int exch_init_start(struct ike_sa *sa);
/*
 * Responder: an IKE_SA_INIT request m parsed from buf[0..len), received
 * on local from remote. A retransmission of a request already answered
 * gets the same answer again; everything else either gets a stateless
 * refusal or a new SA in INIT_DONE and its response.
 */
void exch_init_request(struct ike_sa_table *t, const struct ike_msg *m, const uint8_t *buf,
    size_t len, const struct gw_addr *local, const struct gw_addr *remote);
/*
 * Initiator: the response m (from buf[0..len), received on local from
 * remote) to sa's outstanding IKE_SA_INIT request. Returns 1 when the
 * keys are in place (INIT_DONE) and IKE_AUTH should start; 0 when the
 * request was repeated, sa was killed, or m was refused (counted, and
 * the request stays outstanding).
 */
int exch_init_response(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *buf,
    size_t len, const struct gw_addr *local, const struct gw_addr *remote);
/*
 * RFC 7296 2.23: SHA-1(SPIi | SPIr | address | port) into out, the data of
 * NAT_DETECTION_*_IP. Returns 0 or -1.
 */
int exch_init_nat_hash(uint64_t spi_i, uint64_t spi_r, const struct gw_addr *a,
    uint8_t out[static IKE_NAT_HASH_LEN]);

#endif
