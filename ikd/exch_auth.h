/*
 * exch_auth.h: the IKE_AUTH exchange with pre-shared keys (RFC 7296 1.2,
 * 2.15) and the first Child SA it creates.
 *
 *   Initiator                         Responder
 *   HDR, SK {IDi, [IDr], AUTH,
 *            SAi2, TSi, TSr}    -->
 *                               <--   HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
 *                               <--   or HDR, SK {IDr, AUTH, N(NO_PROPOSAL_CHOSEN |
 *                                                     TS_UNACCEPTABLE)}
 *                               <--   or HDR, SK {N(AUTHENTICATION_FAILED)}
 *
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <signer's IKE_SA_INIT message>
 * | <other side's nonce> | prf(SK_p, <signer's ID payload body>)). The PSK
 * is the one of the peer's identity, or of its address when the identity
 * is an address or has no key of its own (racoon's psk.txt rule). When
 * either side is behind a NAT, the initiator moves to port 4500 for this
 * exchange and the Child SAs are UDP-encapsulated (RFC 3948).
 */
#ifndef IKD_EXCH_AUTH_H
#define IKD_EXCH_AUTH_H

#include "ike_sa.h"

/*
 * Initiator, after IKE_SA_INIT (INIT_DONE): allocates the inbound SPI,
 * signs and sends the IKE_AUTH request (-> AUTH_SENT). On failure the SA
 * is killed and -1 returned.
 */
int exch_auth_start(struct ike_sa *sa);
/*
 * Responder: the authenticated IKE_AUTH request m of a half-open sa.
 * Verifies the initiator's AUTH, selects the ESP proposal and narrows the
 * selectors, installs the Child SA pair and answers; or answers with
 * the failure and, for an authentication failure, kills sa.
 */
void exch_auth_request(struct ike_sa *sa, const struct ike_msg *m);
/*
 * Initiator: the authenticated answer to our IKE_AUTH request. Verifies
 * the responder's AUTH (on failure tells the peer and kills sa), then
 * installs the Child SA it accepted.
 */
void exch_auth_response(struct ike_sa *sa, const struct ike_msg *m);

/*
 * The key psk.txt t holds for the peer whose ID is id (type 0: not
 * known) seen at remote: by the ID's address or text, else by remote
 * (racoon's lookup by address). 0 with *key a view into t, or -1.
 */
int exch_auth_psk_lookup(const struct psk_table *t, const struct ike_idv *id,
    const struct gw_addr *remote, struct view *key);

#endif
