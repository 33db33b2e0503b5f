/*
 * peer.h: what the exchanges need to know about one peer, put together
 * from ikd.conf, psk.txt and tunneld's SPD.
 *
 * The SPD decides what is protected and who the peer is: an outbound
 * `ipsec esp/tunnel/LOCAL-REMOTE/...` policy names the tunnel endpoints,
 * and its selector is a traffic selector we offer (initiator) or accept
 * (responder). ikd.conf decides how: the remote block for the peer's
 * address (or "remote anonymous") gives the IKE proposals, identities,
 * lifetimes, DPD and NAT-T; the sainfo for the traffic gives the ESP
 * proposals, PFS and the Child SA lifetimes.
 */
#ifndef IKD_PEER_H
#define IKD_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ike_sa.h"
#include "sadb_client.h"

/* The policies and the configuration a peer is built from (all borrowed). */
struct peer_src {
	const struct ikd_conf		*conf;
	const struct psk_table		*psk;
	const struct sadbc_policy	*const *pol;	/* the SPD mirror, in order */
	size_t				 npol;
};

/*
 * True if p is an outbound ESP tunnel policy whose endpoints are local
 * and remote (addresses only; either may be NULL for "any").
 */
bool peer_policy_is_tunnel(const struct sadbc_policy *p, const struct gw_addr *local,
    const struct gw_addr *remote);

/*
 * Fills out for the peer at remote, talking from local: the policies
 * whose tunnel runs between the two (at most IKE_CFG_TS, in SPD order),
 * the remote block's and the sainfo's settings, lifetimes jittered with
 * rnd (two random words). Returns 0, or -1 with a one-line reason in
 * why[0..whylen): no remote block fits, no sainfo fits, or too many
 * policies (the first IKE_CFG_TS are kept and the reason says so, return
 * 0 then with why set: check why[0]).
 */
int peer_build(const struct peer_src *src, const struct gw_addr *local,
    const struct gw_addr *remote, const uint32_t rnd[2], struct ike_cfg_peer *out,
    char *why, size_t whylen);

/*
 * The soft limit (seconds) for hard lifetime hard under r: conf's margin
 * and jitter (conf_soft_lifetime), with the margin at least the time a
 * request of c's retransmission schedule takes to give up, or hard / 2
 * if that is less. 0 for no limit.
 */
uint64_t peer_soft_time(const struct ikd_conf *c, const struct conf_rekey *r, uint64_t hard,
    uint32_t rnd);

/*
 * The first Child SA to ask for on behalf of policy p: its selector (our
 * side as the source) and its first request's reqid.
 */
void peer_child_req(const struct sadbc_policy *p, struct ike_child_req *out);

#endif
