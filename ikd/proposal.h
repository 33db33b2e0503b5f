/*
 * proposal.h: SA proposal negotiation (RFC 7296 2.7, 3.3) as pure functions.
 *
 * A proposal is a plain struct: the parser fills one per Proposal
 * substructure of a peer's SA payload, the configuration fills the local
 * ones, and the selection below compares them without I/O or allocation.
 */
#ifndef IKD_PROPOSAL_H
#define IKD_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 7296 3.3.1 Protocol ID. */
enum prop_proto {
	PROP_PROTO_IKE = 1,
	PROP_PROTO_AH = 2,
	PROP_PROTO_ESP = 3,
};

/* RFC 7296 3.3.2 Transform Type. */
enum prop_type {
	PROP_T_ENCR = 1,
	PROP_T_PRF = 2,
	PROP_T_INTEG = 3,
	PROP_T_KE = 4,
	PROP_T_ESN = 5,
};
#define PROP_T_MAX	5

/* RFC 7296 3.3.2: ESN transform ids. */
#define PROP_ESN_NO	0
#define PROP_ESN_YES	1

#define PROP_XF_MAX	128	/* transforms one proposal may carry here */
#define PROP_SPI_MAX	8

struct ike_xform {
	uint8_t		type;	/* enum prop_type, or any value a peer sent */
	uint16_t	id;	/* transform id; 0 is NONE for INTEG and KE */
	uint16_t	keylen;	/* Key Length attribute in bits; 0 = absent */
};

struct ike_prop {
	uint8_t			num;		/* Proposal Num, 1-based */
	uint8_t			proto;		/* enum prop_proto */
	uint8_t			spisize;	/* 0 (IKE_SA_INIT), 4 (ESP, AH) or 8 (IKE rekey) */
	uint8_t			spi[PROP_SPI_MAX];
	uint8_t			ntrans;		/* above PROP_XF_MAX: never chosen */
	struct ike_xform	xf[PROP_XF_MAX];
};

/* The outcome of a selection; the two failures are RFC 7296 Notify types. */
enum prop_verdict {
	PROP_CHOSEN = 0,
	PROP_NO_PROPOSAL_CHOSEN = 14,
	PROP_INVALID_KE_PAYLOAD = 17,
};

/*
 * The context of a selection. proto and spisize are what this exchange
 * carries (IKE_SA_INIT: IKE, 0; IKE rekey: IKE, 8; Child SA: ESP, 4);
 * peer proposals with another protocol or SPI size are skipped. ke_group
 * is the group of the KE payload received (0 if none). ignore_ke is set
 * for the first Child SA in IKE_AUTH, which has no KE payload: KE
 * transforms are then left out of the comparison and of the answer.
 */
struct prop_ctx {
	uint8_t		proto;
	uint8_t		spisize;
	uint16_t	ke_group;
	bool		ignore_ke;
};

/*
 * Responder side: picks the first peer proposal, in the peer's order,
 * that some local proposal fully covers and whose KE group equals
 * ctx->ke_group, taking in each transform type the peer's first choice
 * the local proposal accepts. The answer in *chosen has the peer's number,
 * protocol and SPI and one transform per type the peer included.
 * Returns PROP_CHOSEN; PROP_INVALID_KE_PAYLOAD when proposals match only
 * with another group, the group we prefer then in *ke_pref; or
 * PROP_NO_PROPOSAL_CHOSEN. A peer proposal with an unknown transform type,
 * or without a mandatory type, is never chosen (RFC 7296 3.3.6).
 */
enum prop_verdict proposal_select(const struct ike_prop *local, size_t nlocal,
    const struct ike_prop *peer, size_t npeer, const struct prop_ctx *ctx,
    struct ike_prop *chosen, uint16_t *ke_pref);
/*
 * Initiator side: checks that the responder's answer reply is one of the
 * proposals we offered: same number and protocol, the expected SPI size,
 * exactly one transform of each type we included (KE is exempt with
 * ctx->ignore_ke), each of them one we offered, and the KE group of our
 * KE payload. Returns the index of the offered proposal, or -1.
 */
int proposal_check_reply(const struct ike_prop *offered, size_t noffered,
    const struct ike_prop *reply, const struct prop_ctx *ctx);
/* The transform of type in p (first one), or NULL. */
const struct ike_xform *proposal_get(const struct ike_prop *p, uint8_t type);
/* True for the combined-mode (AEAD) ENCR ids, which take no INTEG transform. */
bool proposal_encr_aead(uint16_t encr);

#endif
