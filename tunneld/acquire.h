/*
 * acquire.h: ACQUIRE, the data path's request for an SA (RFC 2367 3.1.6).
 *
 * When an outbound packet matches an ipsec policy and no mature SA
 * exists, the data path calls acquire_policy(). It tells every socket
 * REGISTERed for ESP which SA is wanted: the tunnel endpoints of the
 * policy's first ESP request (ADDRESS_SRC/DST), the policy itself with
 * its id (X_POLICY, so a key manager such as ikd finds its selectors),
 * and what tunneld could run (PROPOSAL: every data-path combination with
 * default lifetimes). At most one ACQUIRE per policy and second.
 */
#ifndef TUNNELD_ACQUIRE_H
#define TUNNELD_ACQUIRE_H

#include "key.h"

#define ACQUIRE_INTERVAL	1	/* seconds between ACQUIREs for one policy */
#define ACQUIRE_HARD_ADDTIME	3600	/* proposed SA lifetime, seconds */
#define ACQUIRE_SOFT_ADDTIME	2880	/* 80 % of it, as racoon and KAME use */
#define ACQUIRE_REPLAY		32	/* proposed window, bytes of bitmap (256 packets) */

/*
 * Sends an ACQUIRE for policy p, triggered by a packet of flow (whose
 * addresses are used when the request has no tunnel endpoints). Returns
 * the number of sockets it went to, 0 when rate-limited (the previous
 * one for p is less than ACQUIRE_INTERVAL old) or nobody is registered,
 * -1 when p has no ESP request or the message cannot be built.
 */
int acquire_policy(struct key *k, struct policy *p, const struct gw_flow *flow);

/* Fills prop with every ESP combination the data path runs. */
void acquire_proposal(struct pfk_proposal *prop);

#endif
