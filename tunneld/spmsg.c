/* spmsg.c: PF_KEY X_SPD* messages to SPD entries and back; see spmsg.h. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "samsg.h"
#include "spmsg.h"

#define SPMSG_REFUSE(m, fmt, ...) \
	log_debug("%s: " fmt, pfk_type_name((m)->type), ##__VA_ARGS__)

int
spmsg_selector(const struct pfk_msg *m, uint8_t *dir, struct gw_sel *sel)
{
	if (!pfk_has(m, SADB_X_EXT_POLICY) || !pfk_has(m, SADB_EXT_ADDRESS_SRC) ||
	    !pfk_has(m, SADB_EXT_ADDRESS_DST)) {
		SPMSG_REFUSE(m, "X_POLICY, ADDRESS_SRC and ADDRESS_DST required");
		return EINVAL;
	}
	if (m->src.proto != m->dst.proto) {
		SPMSG_REFUSE(m, "upper-layer protocols of source (%u) and destination (%u) differ",
		    m->src.proto, m->dst.proto);
		return EINVAL;
	}
	if (m->src.addr.af != m->dst.addr.af) {
		SPMSG_REFUSE(m, "selector addresses of two families");
		return EINVAL;
	}
	if (!spd_dir_ok(m->policy.dir)) {
		SPMSG_REFUSE(m, "direction %u invalid (in, out or fwd)", m->policy.dir);
		return EINVAL;
	}
	memset(sel, 0, sizeof(*sel));
	sel->src = m->src.addr;
	sel->dst = m->dst.addr;
	sel->proto = m->src.proto;
	*dir = m->policy.dir;
	return 0;
}

static int
spmsg_req(const struct pfk_msg *m, const struct pfk_ipsecreq *q, struct sp_req *out)
{
	if (q->proto != IPPROTO_ESP) {
		SPMSG_REFUSE(m, "request protocol %u is not implemented, only esp", q->proto);
		return q->proto == IPPROTO_AH || q->proto == IPPROTO_COMP ? EOPNOTSUPP : EINVAL;
	}
	if (q->mode == IPSEC_MODE_TRANSPORT || q->mode == IPSEC_MODE_BEET) {
		SPMSG_REFUSE(m, "esp/%s is not implemented, only tunnel mode",
		    q->mode == IPSEC_MODE_TRANSPORT ? "transport" : "beet");
		return EOPNOTSUPP;
	}
	if (q->mode != IPSEC_MODE_TUNNEL) {
		SPMSG_REFUSE(m, "request mode %u invalid", q->mode);
		return EINVAL;
	}
	if (!q->has_endpoints || q->src.af != q->dst.af || addr_is_unspec(&q->src) ||
	    addr_is_unspec(&q->dst)) {
		SPMSG_REFUSE(m, "esp/tunnel needs two endpoint addresses of one family");
		return EINVAL;
	}
	if (q->level > IPSEC_LEVEL_UNIQUE) {
		SPMSG_REFUSE(m, "request level %u invalid", q->level);
		return EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->proto = q->proto;
	out->mode = q->mode;
	out->level = q->level;
	out->reqid = q->reqid;
	out->has_endpoints = true;
	out->src = q->src;
	out->dst = q->dst;
	return 0;
}

static int
spmsg_action(const struct pfk_msg *m)
{
	switch (m->policy.type) {
	case IPSEC_POLICY_DISCARD:
	case IPSEC_POLICY_NONE:
		if (m->policy.nreq != 0) {
			SPMSG_REFUSE(m, "requests given for a discard/none policy");
			return EINVAL;
		}
		return 0;
	case IPSEC_POLICY_IPSEC:
		if (m->policy.nreq == 0) {
			SPMSG_REFUSE(m, "an ipsec policy needs at least one request");
			return EINVAL;
		}
		return 0;
	case IPSEC_POLICY_ENTRUST:
	case IPSEC_POLICY_BYPASS:
		SPMSG_REFUSE(m, "entrust and bypass are per-socket policies, not SPD entries");
		return EINVAL;
	default:
		SPMSG_REFUSE(m, "policy type %u invalid", m->policy.type);
		return EINVAL;
	}
}

static int
spmsg_lifetime(const struct pfk_msg *m)
{
	if ((pfk_has(m, SADB_EXT_LIFETIME_HARD) &&
	    (m->lt_hard.addtime != 0 || m->lt_hard.usetime != 0)) ||
	    (pfk_has(m, SADB_EXT_LIFETIME_SOFT) &&
	    (m->lt_soft.addtime != 0 || m->lt_soft.usetime != 0))) {
		SPMSG_REFUSE(m, "policy lifetimes are not supported");
		return EOPNOTSUPP;
	}
	return 0;
}

int
spmsg_policy(const struct pfk_msg *m, struct policy *out)
{
	size_t	i;
	int	err;

	memset(out, 0, sizeof(*out));
	if ((err = spmsg_selector(m, &out->dir, &out->sel)) != 0 ||
	    (err = spmsg_action(m)) != 0 || (err = spmsg_lifetime(m)) != 0)
		return err;
	if (m->policy.nreq > PFK_MAX_REQ) {
		SPMSG_REFUSE(m, "%zu requests, at most %d", m->policy.nreq, PFK_MAX_REQ);
		return EINVAL;
	}
	/*
	 * The data path applies one esp/tunnel request per packet; taking a
	 * bundle and protecting with its first request only would be less
	 * than the policy asks for.
	 */
	if (m->policy.nreq > 1) {
		SPMSG_REFUSE(m, "SA bundles (%zu requests) are not implemented, only one",
		    m->policy.nreq);
		return EOPNOTSUPP;
	}
	for (i = 0; i < m->policy.nreq; i++)
		if ((err = spmsg_req(m, &m->policy.req[i], &out->req[i])) != 0)
			return err;
	out->nreq = m->policy.nreq;
	out->action = m->policy.type;
	out->priority = m->policy.priority;
	return 0;
}

void
spmsg_fill_policy(struct pfk_msg *m, const struct policy *p)
{
	struct pfk_ipsecreq	*q;
	size_t			 i;

	m->policy.type = p->action;
	m->policy.dir = p->dir;
	m->policy.id = p->id;
	m->policy.priority = p->priority;
	m->policy.nreq = p->nreq;
	for (i = 0; i < p->nreq; i++) {
		q = &m->policy.req[i];
		memset(q, 0, sizeof(*q));
		q->proto = p->req[i].proto;
		q->mode = p->req[i].mode;
		q->level = p->req[i].level;
		q->reqid = p->req[i].reqid;
		q->has_endpoints = p->req[i].has_endpoints;
		q->src = p->req[i].src;
		q->dst = p->req[i].dst;
	}
	pfk_set(m, SADB_X_EXT_POLICY);
}

void
spmsg_fill(struct pfk_msg *m, const struct policy *p, unsigned parts, uint64_t mono,
    uint64_t wall)
{
	spmsg_fill_policy(m, p);
	m->src.proto = p->sel.proto;
	m->src.addr = p->sel.src;
	m->dst.proto = p->sel.proto;
	m->dst.addr = p->sel.dst;
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	if (parts & SPMSG_LIFETIMES) {
		memset(&m->lt_current, 0, sizeof(m->lt_current));
		m->lt_current.addtime = samsg_wall(p->created, mono, wall);
		m->lt_current.usetime = samsg_wall(p->lastused, mono, wall);
		memset(&m->lt_hard, 0, sizeof(m->lt_hard));
		pfk_set(m, SADB_EXT_LIFETIME_CURRENT);
		pfk_set(m, SADB_EXT_LIFETIME_HARD);
	}
}
