/* acquire.c: ACQUIRE messages for the data path; see acquire.h. */
#include <string.h>

#include "acquire.h"
#include "key_impl.h"
#include "log.h"
#include "spmsg.h"

static void
acquire_comb(struct pfk_proposal *prop, const struct alg *enc, const struct alg *auth)
{
	struct pfk_comb	*c;

	if (prop->n >= PFK_MAX_COMB)
		return;
	c = &prop->comb[prop->n++];
	memset(c, 0, sizeof(*c));
	c->encrypt = enc->id;
	c->encrypt_minbits = enc->key_min;
	c->encrypt_maxbits = enc->key_max;
	if (auth != NULL) {
		c->auth = auth->id;
		c->auth_minbits = auth->key_min;
		c->auth_maxbits = auth->key_max;
	}
	c->hard_addtime = ACQUIRE_HARD_ADDTIME;
	c->soft_addtime = ACQUIRE_SOFT_ADDTIME;
}

/*
 * AEAD ciphers alone, then every other cipher with every integrity
 * algorithm, in table order. The null cipher is never proposed: an
 * ACQUIRE asks for confidentiality.
 */
void
acquire_proposal(struct pfk_proposal *prop)
{
	const struct alg	*enc, *auth;
	size_t			 i, j;

	memset(prop, 0, sizeof(*prop));
	prop->replay = ACQUIRE_REPLAY;
	for (i = 0; (enc = alg_at(ALG_ENC, i)) != NULL; i++) {
		if (!enc->datapath || enc->key_none)
			continue;
		if (enc->aead) {
			acquire_comb(prop, enc, NULL);
			continue;
		}
		for (j = 0; (auth = alg_at(ALG_AUTH, j)) != NULL; j++)
			if (auth->datapath && !auth->key_none)
				acquire_comb(prop, enc, auth);
	}
}

static const struct sp_req *
acquire_req(const struct policy *p)
{
	size_t	i;

	if (p->action != IPSEC_POLICY_IPSEC)
		return NULL;
	for (i = 0; i < p->nreq; i++)
		if (p->req[i].proto == IPPROTO_ESP)
			return &p->req[i];
	return NULL;
}

/* An SA endpoint for ADDRESS_SRC/DST: whole address, any protocol. */
static void
acquire_addr(struct pfk_address *out, const struct gw_addr *a, bool keep_port)
{
	out->proto = IPSEC_ULPROTO_ANY;
	out->addr = *a;
	out->addr.plen = (uint8_t)addr_maxplen(a->af);
	if (!keep_port)
		out->addr.port = 0;
}

int
acquire_policy(struct key *k, struct policy *p, const struct gw_flow *flow)
{
	const struct sp_req	*q = acquire_req(p);
	uint64_t		 now = k->io->mono(k->io->arg);
	struct pfk_msg		 m;

	if (q == NULL) {
		log_warnx_f("policy %u: no esp request to acquire an SA for", p->id);
		return -1;
	}
	if (p->acquire_at != 0 && now >= p->acquire_at && now - p->acquire_at < ACQUIRE_INTERVAL)
		return 0;
	memset(&m, 0, sizeof(m));
	m.type = SADB_ACQUIRE;
	m.satype = SADB_SATYPE_ESP;
	if (++k->acq_seq == 0)
		k->acq_seq = 1;
	m.seq = k->acq_seq;
	/* NAT-T endpoints carry their UDP ports; packet addresses do not. */
	acquire_addr(&m.src, q->has_endpoints ? &q->src : &flow->src, q->has_endpoints);
	acquire_addr(&m.dst, q->has_endpoints ? &q->dst : &flow->dst, q->has_endpoints);
	pfk_set(&m, SADB_EXT_ADDRESS_SRC);
	pfk_set(&m, SADB_EXT_ADDRESS_DST);
	spmsg_fill_policy(&m, p);
	acquire_proposal(&m.proposal);
	pfk_set(&m, SADB_EXT_PROPOSAL);
	p->acquire_at = now;
	p->acquire_seq = m.seq;
	log_debug("policy %u: ACQUIRE seq %u", p->id, m.seq);
	return key_emit(k, &m, NULL, KEY_TO_SATYPE);
}
