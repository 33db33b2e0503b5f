/*
 * child.h: negotiating and installing a Child SA (RFC 7296 1.2, 2.9,
 * 2.17): the ESP proposal, the traffic selectors, the SPIs, the keys and
 * the data path's SA pair. IKE_AUTH creates the first Child SA with it
 * (both SAs at once on both sides: there is no older pair to keep), and
 * CREATE_CHILD_SA the pairs that replace it.
 */
#ifndef IKD_CHILD_H
#define IKD_CHILD_H

#include <stdint.h>

#include "ike_sa.h"

/* What both sides agreed on for one Child SA. */
struct child_pick {
	struct ike_prop	prop;		/* the chosen ESP proposal */
	struct view	ni;		/* the exchange's nonces (borrowed) */
	struct view	nr;
	const uint8_t	*gir;		/* g^ir with PFS (borrowed), else NULL */
	size_t		girlen;
	uint32_t	spi_out;	/* the peer's inbound SPI */
	uint32_t	reqid;
	struct ike_tsl	ts_local;	/* ours: an initiator's TSi, a responder's TSr */
	struct ike_tsl	ts_remote;
	uint16_t	ke_pref;	/* the group to ask for with INVALID_KE_PAYLOAD */
	/*
	 * We sent the request of the exchange that made the pair. RFC 7296
	 * 2.17: the first keys of KEYMAT protect what that exchange's
	 * initiator sends, which after a rekey need not be the IKE SA's
	 * original initiator.
	 */
	bool		we_initiated;
};

/*
 * Allocates our inbound SPI for a Child SA under reqid through the sink;
 * it stays in sa->larval until installed or dropped. Returns 0 or -1.
 */
int child_getspi(struct ike_sa *sa, uint32_t reqid);
/* Deletes a larval SA of sa from the data path, if there is one. */
void child_drop_larval(struct ike_sa *sa);
/*
 * Initiator: the SA payload (our ESP proposals with our inbound SPI, KE
 * left out) and the selectors of sa->child_req. Returns 0 or -1.
 */
int child_offer(struct ike_sa *sa, struct ike_sa_pld *pld, struct ike_tsl *tsi,
    struct ike_tsl *tsr);
/*
 * Responder: picks an ESP proposal from m's SA payload under ctx (IKE_AUTH:
 * ESP, SPI size 4, KE ignored), narrows m's TSi and TSr to a configured
 * policy, and allocates our SPI; out->prop then carries our SPI for the
 * answer. The caller sets out->ni/nr/gir afterwards. Returns 0, or the
 * error notification to answer with (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE,
 * INVALID_KE_PAYLOAD with out->ke_pref), after logging why.
 */
uint16_t child_select(struct ike_sa *sa, const struct ike_msg *m, const struct prop_ctx *ctx,
    struct child_pick *out);
/*
 * Initiator: checks the answer in m under ctx: one of our proposals, a
 * non-zero SPI, selectors within what we asked for. Returns 0 or -1
 * (logged).
 */
int child_check_reply(struct ike_sa *sa, const struct ike_msg *m, const struct prop_ctx *ctx,
    struct child_pick *out);
/*
 * The same for any Child SA answer: the selectors must lie within
 * ask_i (ours) and ask_r (the peer's), and reqid is the pair's. Returns
 * 0 or -1 (logged).
 */
int child_check_answer(struct ike_sa *sa, const struct ike_msg *m, const struct prop_ctx *ctx,
    const struct ike_tsl *ask_i, const struct ike_tsl *ask_r, uint32_t reqid,
    struct child_pick *out);
/*
 * Derives the keys (KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr) from pick's
 * nonces), installs the pair through the sink (UDP-encapsulated when a NAT
 * was detected) and records it in sa. On failure the larval SA is
 * dropped. Returns 0 or -1 (logged).
 */
int child_install(struct ike_sa *sa, const struct child_pick *pick);
/*
 * The responder's half of the peer's rekey of the pair old_in (RFC 7296
 * 2.8, make-before-break): as child_install(), but only the inbound SA
 * goes into the data path now; the outbound one, keys included, waits in
 * the record (ike_child.out_pending) until the peer has the new pair too
 * (see ike_sa_out_due()). Returns 0 or -1 (logged).
 */
int child_install_rekeyed(struct ike_sa *sa, const struct child_pick *pick, uint32_t old_in);

#endif
