/*
 * ike_hdrs.h: the parser's view of a proposal (struct ike_pld_prop, as
 * it came off the wire) and the negotiation's (struct ike_prop), which the
 * exchange modules use side by side.
 */
#ifndef IKD_IKE_HDRS_H
#define IKD_IKE_HDRS_H

#include "ike_pld.h"

#include "proposal.h"

#endif
