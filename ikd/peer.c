/*
 * peer.c: ikd.conf + psk.txt + the SPD mirror -> struct ike_cfg_peer.
 */
#include <stdio.h>
#include <string.h>

#include "ike_wire.h"
#include "peer.h"
#include "pfkey.h"

bool
peer_policy_is_tunnel(const struct sadbc_policy *p, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	const struct pfk_ipsecreq *r = &p->req[0];

	if (p->dir != IPSEC_DIR_OUTBOUND || p->type != IPSEC_POLICY_IPSEC || p->nreq == 0)
		return false;
	if (r->proto != IPPROTO_ESP || r->mode != IPSEC_MODE_TUNNEL || !r->has_endpoints)
		return false;
	return (local == NULL || addr_eq(&r->src, local)) &&
	    (remote == NULL || addr_eq(&r->dst, remote));
}

void
peer_child_req(const struct sadbc_policy *p, struct ike_child_req *out)
{
	memset(out, 0, sizeof(*out));
	out->sel = p->sel;
	out->reqid = p->nreq > 0 ? p->req[0].reqid : 0;
}

/* A configured identity as the exchanges carry it; ADDRESS without one = ours. */
static void
peer_id(const struct conf_id *c, struct ike_idv *out)
{
	memset(out, 0, sizeof(*out));
	switch (c->type) {
	case CONF_ID_NONE:
		break;
	case CONF_ID_ADDRESS:
		if (c->addr.af == AF_UNSPEC)
			break;
		out->type = c->addr.af == AF_INET ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
		out->len = (uint8_t)addr_len(c->addr.af);
		memcpy(out->data, c->addr.u.b, out->len);
		break;
	case CONF_ID_FQDN:
	case CONF_ID_USER_FQDN:
		out->type = c->type == CONF_ID_FQDN ? IKE_ID_FQDN : IKE_ID_RFC822_ADDR;
		out->len = (uint8_t)(c->len < IKE_ID_MAX ? c->len : IKE_ID_MAX);
		memcpy(out->data, c->data, out->len);
		break;
	}
}

static enum ike_natt
peer_natt(enum conf_natt n)
{
	switch (n) {
	case CONF_NATT_OFF:
		return IKE_NATT_OFF;
	case CONF_NATT_FORCE:
		return IKE_NATT_FORCE;
	case CONF_NATT_ON:
		break;
	}
	return IKE_NATT_ON;
}

/* The policies between local and remote; false if some did not fit. */
static bool
peer_policies(const struct peer_src *src, const struct gw_addr *local,
    const struct gw_addr *remote, struct ike_cfg_peer *out)
{
	size_t i;

	out->nts = 0;
	for (i = 0; i < src->npol; i++) {
		if (!peer_policy_is_tunnel(src->pol[i], local, remote))
			continue;
		if (out->nts == IKE_CFG_TS)
			return false;
		out->ts[out->nts].sel = src->pol[i]->sel;
		out->ts[out->nts].reqid = src->pol[i]->req[0].reqid;
		out->nts++;
	}
	return true;
}

/* The sainfo for the first policy, or the one for any traffic. */
static const struct conf_sainfo *
peer_sainfo(const struct ikd_conf *c, const struct ike_cfg_peer *p)
{
	struct gw_addr any = { .af = AF_UNSPEC };

	if (p->nts > 0)
		return conf_sainfo_find(c, &p->ts[0].sel.src, &p->ts[0].sel.dst,
		    p->ts[0].sel.proto);
	return conf_sainfo_find(c, &any, &any, IPSEC_ULPROTO_ANY);
}

/* Seconds until a request's retransmissions give up (timer counter/interval). */
static uint64_t
peer_giveup_s(const struct ikd_conf *c)
{
	unsigned tries = c->retry_counter < 32 ? c->retry_counter : 32;

	return (uint64_t)c->retry_interval * ((UINT64_C(1) << tries) - 1);
}

/*
 * The soft limit of a hard time limit: the configured margin and jitter,
 * but the margin never shorter than a rekey's retransmissions take to
 * give up, or half the lifetime if that is less. With a percentage alone
 * a short lifetime leaves a second or two, and one lost message lets the
 * pair expire while its replacement is still being negotiated.
 */
uint64_t
peer_soft_time(const struct ikd_conf *c, const struct conf_rekey *r, uint64_t hard,
    uint32_t rnd)
{
	struct conf_rekey fl = *r;
	uint64_t margin, floor = peer_giveup_s(c);

	if (floor > hard / 2)
		floor = hard / 2;
	margin = r->margin_sec != 0 ? r->margin_sec : hard * r->margin_pct / 100;
	if (margin < floor)
		fl.margin_sec = (uint32_t)floor;
	return conf_soft_lifetime(&fl, hard, true, rnd);
}

static void
peer_lifetimes(const struct ikd_conf *c, const struct conf_remote *r,
    const struct conf_sainfo *si, const uint32_t rnd[2], struct ike_cfg_peer *out)
{
	out->ike_lifetime_s = (uint32_t)peer_soft_time(c, &r->rekey, r->lifetime, rnd[0]);
	out->child_lifetime.hard_s = si->lifetime;
	out->child_lifetime.soft_s = peer_soft_time(c, &r->rekey, si->lifetime, rnd[1]);
	out->child_lifetime.hard_bytes = si->lifetime_bytes;
	out->child_lifetime.soft_bytes = conf_soft_lifetime(&r->rekey, si->lifetime_bytes,
	    false, rnd[1]);
}

int
peer_build(const struct peer_src *src, const struct gw_addr *local,
    const struct gw_addr *remote, const uint32_t rnd[2], struct ike_cfg_peer *out,
    char *why, size_t whylen)
{
	const struct conf_remote *r;
	const struct conf_sainfo *si;
	char ab[GW_ADDR_STRLEN];
	bool all;

	why[0] = '\0';
	memset(out, 0, sizeof(*out));
	if ((r = conf_remote_find(src->conf, remote)) == NULL) {
		snprintf(why, whylen, "no remote block in the configuration fits %s",
		    addr_ntop(remote, ab, sizeof(ab)));
		return -1;
	}
	all = peer_policies(src, local, remote, out);
	if ((si = peer_sainfo(src->conf, out)) == NULL) {
		snprintf(why, whylen, "no sainfo block fits the traffic to %s",
		    addr_ntop(remote, ab, sizeof(ab)));
		return -1;
	}
	if (!r->anonymous)
		snprintf(out->name, sizeof(out->name), "%s", addr_ntop(&r->addr, ab, sizeof(ab)));
	out->local = *local;
	out->remote = *remote;
	out->local.port = out->remote.port = 0;
	peer_id(&r->my_id, &out->local_id);
	peer_id(&r->peer_id, &out->remote_id);
	out->nike = r->nprops < IKE_CFG_PROPS ? r->nprops : IKE_CFG_PROPS;
	memcpy(out->ike, r->props, out->nike * sizeof(out->ike[0]));
	out->nesp = si->nprops < IKE_CFG_PROPS ? si->nprops : IKE_CFG_PROPS;
	memcpy(out->esp, si->props, out->nesp * sizeof(out->esp[0]));
	out->natt = peer_natt(r->natt);
	out->dpd_delay_s = r->dpd_delay;
	out->dpd_retry_s = r->dpd_retry;
	out->dpd_tries = r->dpd_maxfail;
	peer_lifetimes(src->conf, r, si, rnd, out);
	out->psk = src->psk;
	if (!all)
		snprintf(why, whylen, "more than %d policies with %s: only the first %d are offered",
		    IKE_CFG_TS, addr_ntop(remote, ab, sizeof(ab)), IKE_CFG_TS);
	return 0;
}
