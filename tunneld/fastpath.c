/* fastpath.c: the per-packet pipelines of tunneld; see fastpath.h. */
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acquire.h"
#include "buf.h"
#include "err.h"
#include "fastpath.h"
#include "log.h"
#include "netio.h"
#include "secmem.h"

static void fp_out(struct fastpath *fp, struct pkt_buf *b, uint64_t now, bool may_hold);

/* ---- clock and counters ---- */

static uint64_t
fp_now(const struct fastpath *fp)
{
	return fp->io->now(fp->io->arg);
}

/* The SAD and SPD count whole seconds of the same clock. */
static uint64_t
fp_sec(uint64_t ms)
{
	return ms / 1000;
}

void
fp_count(struct fastpath *fp, enum gwstat s, uint64_t n)
{
	if ((size_t)s < GWSTAT_MAX)
		fp->k->stats[s] += n;
}

static void
fp_drop(struct fastpath *fp, enum gwstat s)
{
	fp->k->stats[s]++;
}

/* A drop that belongs to sa as well: its own counters say why it lost packets. */
static void
fp_drop_sa(struct fastpath *fp, struct sa *sa, enum gwstat s)
{
	fp->k->stats[s]++;
	if ((size_t)s < GWSTAT_SA_MAX)
		sa->stats[s]++;
}

/*
 * Peer-triggered drops are logged at debug level only, and at most once
 * per FP_LOG_MS per reason, so that a flood cannot flood the log.
 */
static bool
fp_log_ok(struct fastpath *fp, enum gwstat s, uint64_t now)
{
	if (log_getverbose() < 1)
		return false;
	if (fp->log_at[s] != 0 && now - fp->log_at[s] < FP_LOG_MS)
		return false;
	fp->log_at[s] = now;
	return true;
}

static void
fp_log_sa(struct fastpath *fp, enum gwstat s, uint64_t now, const struct sa *sa,
    const char *what)
{
	char	src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (fp_log_ok(fp, s, now))
		log_debug("spi 0x%08x %s -> %s: %s", sa->cfg.spi,
		    addr_ntop(&sa->cfg.src, src, sizeof(src)),
		    addr_ntop(&sa->cfg.dst, dst, sizeof(dst)), what);
}

/* ---- per-SA state, through the engine's key_dp hooks ---- */

static int
fp_errno(int gwerr)
{
	switch (gwerr) {
	case GW_E_NOMEM:
		return ENOMEM;
	case GW_E_UNSUPP:
		return EOPNOTSUPP;
	default:
		return EINVAL;
	}
}

/* Keys the crypto contexts and sets up the replay window, once per SA. */
static int
fp_sa_prepare(void *arg, const struct sa_cfg *cfg, void **state)
{
	struct fp_sa	*s;
	int		 rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ENOMEM;
	rc = esp_xform_init(&s->x, cfg->enc, cfg->enc_key.b, cfg->enc_key.len, cfg->auth,
	    cfg->auth_key.b, cfg->auth_key.len);
	if (rc == 0 && (rc = replay_init(&s->rp, cfg->replay_window, cfg->esn)) != 0)
		esp_xform_free(&s->x);
	if (rc != 0) {
		free(s);
		return fp_errno(rc);
	}
	*state = s;
	return 0;
}

static void
fp_sa_free(void *arg, void *state)
{
	struct fp_sa	*s = state;

	esp_xform_free(&s->x);
	replay_free(&s->rp);
	secure_free(s, sizeof(*s));
}

static void
fp_spd_changed(void *arg)
{
	struct fastpath	*fp = arg;

	if (fp->io->spd_changed != NULL)
		fp->io->spd_changed(fp->io->arg);
}

/* ---- packets held while an SA is acquired ---- */

static struct fp_hold *
fp_hold_find(struct fastpath *fp, uint32_t id)
{
	size_t	i;

	for (i = 0; i < FP_HOLD_POLICIES; i++)
		if (fp->hold[i].policy == id)
			return &fp->hold[i];
	return NULL;
}

/* Forgets the k oldest packets of h, keeping each buffer in the slot set. */
static void
fp_hold_shift(struct fastpath *fp, struct fp_hold *h, unsigned k)
{
	struct pkt_buf	tmp[FP_HOLD_PER_POLICY];
	unsigned	i;

	memcpy(tmp, h->pkt, k * sizeof(tmp[0]));
	for (i = k; i < h->n; i++) {
		h->pkt[i - k] = h->pkt[i];
		h->at[i - k] = h->at[i];
	}
	memcpy(&h->pkt[h->n - k], tmp, k * sizeof(tmp[0]));
	h->n -= k;
	fp->nheld -= k;
	if (h->n == 0)
		h->policy = 0;
}

/* Keeps a copy of b for policy p (up to FP_HOLD_PER_POLICY); else drops it. */
static void
fp_hold(struct fastpath *fp, const struct policy *p, const struct pkt_buf *b, uint64_t now)
{
	struct fp_hold	*h = fp_hold_find(fp, p->id);
	struct pkt_buf	*c;

	if (h == NULL)
		h = fp_hold_find(fp, 0);
	if (h == NULL || h->n == FP_HOLD_PER_POLICY || b->len > FP_MAX_PKT) {
		fp_drop(fp, GWSTAT_NO_SA);
		return;
	}
	h->policy = p->id;
	c = &h->pkt[h->n];
	pkt_init(c, c->mem, FP_BUF_SIZE, FP_HEADROOM);
	memcpy(pkt_put(c, b->len), pkt_data(b), b->len);
	h->at[h->n++] = now;
	fp->nheld++;
	fp_count(fp, GWSTAT_HELD, 1);
}

static void
fp_hold_expire(struct fastpath *fp, uint64_t now)
{
	struct fp_hold	*h;
	unsigned	 k;
	size_t		 i;

	for (i = 0; i < FP_HOLD_POLICIES && fp->nheld > 0; i++) {
		h = &fp->hold[i];
		for (k = 0; k < h->n && now - h->at[k] >= FP_HOLD_MS; k++)
			;
		if (k == 0)
			continue;
		fp_count(fp, GWSTAT_NO_SA, k);
		fp_hold_shift(fp, h, k);
	}
}

void
fp_tick(struct fastpath *fp)
{
	if (fp->nheld > 0)
		fp_hold_expire(fp, fp_now(fp));
}

/*
 * The SA an outbound request uses: the newest mature one for its tunnel
 * endpoints; unique:N wants reqid N, require and use take any.
 */
static struct sa *
fp_req_sa(struct fastpath *fp, const struct sp_req *q)
{
	uint32_t	 reqid = q->level == IPSEC_LEVEL_UNIQUE ? q->reqid : 0;
	struct sa	*sa;

	sa = sad_lookup_out(&fp->k->sad, SADB_SATYPE_ESP, &q->src, &q->dst, IPSEC_MODE_TUNNEL,
	    reqid);
	return sa != NULL && sa->dp != NULL ? sa : NULL;
}

/* Whether policy p (by id) can send now: it exists and its request has an SA. */
static bool
fp_hold_ready(struct fastpath *fp, const struct fp_hold *h, bool *gone)
{
	const struct policy	*p = spd_get(&fp->k->spd, h->policy);

	*gone = p == NULL;
	return p != NULL && p->action == IPSEC_POLICY_IPSEC && p->nreq > 0 &&
	    fp_req_sa(fp, &p->req[0]) != NULL;
}

/*
 * An SA became usable: held packets whose policy now has one go out, in
 * the order they came; those of removed policies are dropped. A held
 * packet goes through the SPD again, but is never held a second time.
 */
static void
fp_sa_ready(void *arg, struct sa *sa)
{
	struct fastpath	*fp = arg;
	bool		 sent[FP_HOLD_POLICIES] = { false }, any = false, gone;
	uint64_t	 now;
	unsigned	 j;
	size_t		 i;

	if (fp->nheld == 0)
		return;
	now = fp_now(fp);
	for (i = 0; i < FP_HOLD_POLICIES; i++) {
		if (fp->hold[i].n == 0)
			continue;
		if (!fp_hold_ready(fp, &fp->hold[i], &gone)) {
			if (gone) {
				fp_count(fp, GWSTAT_NO_SA, fp->hold[i].n);
				fp_hold_shift(fp, &fp->hold[i], fp->hold[i].n);
			}
			continue;
		}
		for (j = 0; j < fp->hold[i].n; j++)
			fp_out(fp, &fp->hold[i].pkt[j], now, false);
		sent[i] = any = true;
	}
	/* The I/O owns the buffers until it has sent them. */
	if (any && fp->io->flush != NULL)
		fp->io->flush(fp->io->arg);
	for (i = 0; i < FP_HOLD_POLICIES; i++)
		if (sent[i])
			fp_hold_shift(fp, &fp->hold[i], fp->hold[i].n);
}

/* ---- outbound ---- */

static void
fp_send(struct fastpath *fp, sa_family_t af, const struct pkt_buf *b)
{
	if (fp->io->net_send(fp->io->arg, af, b) != 0)
		fp_drop(fp, GWSTAT_SEND_ERROR);
}

/* The packet leaves unprotected, as it is. */
static void
fp_bypass(struct fastpath *fp, struct pkt_buf *b, sa_family_t af)
{
	/*
	 * In direct mode the packet goes back to the kernel, whose route
	 * for it may well be the TUN again (a none policy for traffic routed
	 * into the tunnel). Decrementing the TTL as a router would bounds
	 * such a loop. A gif packet leaves inside IPIP to the peer instead.
	 */
	if (!fp->conf.gif && pkt_ttl_dec(pkt_data(b), b->len) != 0) {
		fp_drop(fp, GWSTAT_TTL_EXPIRED);
		return;
	}
	fp_count(fp, GWSTAT_BYPASS_OUT, 1);
	fp_send(fp, af, b);
}
/* True if len bytes of payload fit one outer packet once wrapped for sa. */
static bool
fp_esp_fits(const struct sa *sa, const struct fp_sa *s, size_t len)
{
	size_t	esplen = esp_encap_len(&s->x, len);
	size_t	outer = sa->cfg.src.af == AF_INET ? PKT_IPV4_HLEN : PKT_IPV6_HLEN;

	if (sa->cfg.natt_type != 0)
		outer += PKT_UDP_HLEN;
	return esplen != 0 && esplen <= FP_MAX_PKT - outer;
}

/*
 * The outer header from the SA's endpoints: DSCP and ECN copied from the
 * inner packet (RFC 6040 normal mode), DF copied (RFC 4301 8.1), UDP
 * with the SA's ports when it is NAT-T (RFC 3948).
 */
static int
fp_esp_outer(const struct sa *sa, const struct pkt_inner *in, struct pkt_buf *b)
{
	struct pkt_outer_args	a = { .src = &sa->cfg.src, .dst = &sa->cfg.dst,
				    .proto = IPPROTO_ESP, .tos = in->tos,
				    .df = in->version == 4 && in->df };

	if (sa->cfg.natt_type != 0) {
		a.sport = sa->cfg.natt_sport;
		a.dport = sa->cfg.natt_dport;
	}
	return pkt_outer_build(b, &a);
}

/* Sequence numbers never repeat under one key (RFC 4303 3.3.3). */
static bool
fp_seq_left(const struct sa *sa, uint64_t seq)
{
	return seq != 0 && (sa->cfg.esn || seq <= UINT32_MAX);
}

/* ESP in tunnel mode with sa: account, encrypt in place, outer header, send. */
static void
fp_esp_out(struct fastpath *fp, struct sa *sa, struct pkt_buf *b, uint64_t now)
{
	struct fp_sa		*s = sa->dp;
	struct pkt_inner	 in;
	size_t			 len = b->len;
	uint64_t		 seq = sa->seq_out + 1;
	int			 rc;

	if (pkt_inner_info(pkt_data(b), len, &in) != 0) {
		fp_drop_sa(fp, sa, GWSTAT_MALFORMED);
		return;
	}
	if (!fp_esp_fits(sa, s, len)) {
		fp_drop_sa(fp, sa, GWSTAT_OVERSIZE);
		return;
	}
	if (!fp_seq_left(sa, seq)) {
		fp_log_sa(fp, GWSTAT_NO_SA, now, sa, "sequence numbers exhausted: hard expiry");
		sad_retire(&fp->k->sad, sa);
		fp_drop(fp, GWSTAT_NO_SA);
		return;
	}
	if (sad_account(&fp->k->sad, sa, SA_DIR_OUT, len, fp_sec(now)) != 0) {
		fp_drop(fp, GWSTAT_NO_SA);	/* the hard limit retired the SA */
		return;
	}
	/* Used even if the encryption fails: its IV may have been spent. */
	sa->seq_out = seq;
	rc = esp_encap(&s->x, sa->cfg.spi, seq, sa->cfg.esn,
	    in.version == 4 ? IPPROTO_IPIP : IPPROTO_IPV6, b);
	if (rc == 0 && fp_esp_outer(sa, &in, b) != 0)
		rc = ESP_E_OVERSIZE;
	if (rc != 0) {
		fp_drop_sa(fp, sa, rc == ESP_E_OVERSIZE ? GWSTAT_OVERSIZE : GWSTAT_INTERNAL);
		return;
	}
	fp->k->stats[GWSTAT_PACKETS_OUT]++;
	fp->k->stats[GWSTAT_BYTES_OUT] += len;
	fp_send(fp, sa->cfg.src.af, b);
}

/* An ipsec policy: its SA, or (use) plaintext, or hold and ACQUIRE. */
static void
fp_protect(struct fastpath *fp, struct policy *p, const struct gw_flow *f,
    struct pkt_buf *b, uint64_t now, bool may_hold)
{
	const struct sp_req	*q = &p->req[0];
	struct sa		*sa;

	if (p->nreq == 0 || q->proto != IPPROTO_ESP) {
		fp_drop(fp, GWSTAT_NO_SA);
		return;
	}
	if ((sa = fp_req_sa(fp, q)) != NULL) {
		fp_esp_out(fp, sa, b, now);
		return;
	}
	if (q->level == IPSEC_LEVEL_USE) {
		fp_bypass(fp, b, f->src.af);
		return;
	}
	if (may_hold)
		fp_hold(fp, p, b, now);
	else
		fp_drop(fp, GWSTAT_NO_SA);
	acquire_policy(fp->k, p, f);	/* rate-limited per policy */
}

/* From the SPD lookup on: the part a held packet goes through again. */
static void
fp_out(struct fastpath *fp, struct pkt_buf *b, uint64_t now, bool may_hold)
{
	struct gw_flow	 f;
	struct policy	*p;

	if (pkt_flow(pkt_data(b), b->len, &f) != 0) {
		fp_drop(fp, GWSTAT_MALFORMED);
		return;
	}
	if ((p = spd_lookup(&fp->k->spd, IPSEC_DIR_OUTBOUND, &f)) == NULL) {
		if (fp->conf.gif)
			fp_bypass(fp, b, f.src.af);
		else
			fp_drop(fp, GWSTAT_NO_POLICY);
		return;
	}
	p->lastused = fp_sec(now);
	switch (p->action) {
	case IPSEC_POLICY_NONE:
		fp_bypass(fp, b, f.src.af);
		break;
	case IPSEC_POLICY_IPSEC:
		fp_protect(fp, p, &f, b, now, may_hold);
		break;
	default:
		fp_drop(fp, GWSTAT_DISCARDED);
		break;
	}
}

void
fp_tun_input(struct fastpath *fp, struct pkt_buf *b)
{
	uint64_t	now = fp_now(fp);
	int		rc;

	if (fp->nheld > 0)
		fp_hold_expire(fp, now);
	if (fp->conf.gif) {
		/* gifconfig's tunnel: RFC 2003 / RFC 4213 from local to remote. */
		rc = pkt_ipip_encap(b, &fp->conf.local, &fp->conf.remote, 0, fp->ipip_id++);
		if (rc != 0) {
			fp_drop(fp, rc == GW_E_TOOLONG ? GWSTAT_OVERSIZE : GWSTAT_MALFORMED);
			return;
		}
	}
	fp_out(fp, b, now, true);
}

/* ---- inbound ---- */

static enum gwstat
fp_esp_reason(int rc)
{
	switch (rc) {
	case ESP_E_REPLAY:
		return GWSTAT_REPLAY;
	case ESP_E_ICV:
		return GWSTAT_ICV_FAIL;
	case ESP_E_PAD:
		return GWSTAT_BAD_PAD;
	case ESP_E_OVERSIZE:
		return GWSTAT_OVERSIZE;
	case ESP_E_CRYPTO:
		return GWSTAT_INTERNAL;
	default:
		return GWSTAT_MALFORMED;
	}
}

static void
fp_tun_write(struct fastpath *fp, const struct pkt_buf *b)
{
	if (fp->io->tun_write(fp->io->arg, b) != 0)
		fp_drop(fp, GWSTAT_TUN_ERROR);
}

/*
 * RFC 6040 4.2 (and RFC 4301 5.1.2.1): the outer ECN field of the tunnel
 * packet is folded into the inner one. 0, or -1 when the packet must go.
 */
static int
fp_ecn(struct fastpath *fp, struct pkt_buf *b, uint8_t outer_tos)
{
	int	rc = pkt_ecn_decap_inner(pkt_data(b), b->len, outer_tos);

	if (rc >= 0 && rc != PKT_ECN_DROP)
		return 0;
	fp_drop(fp, rc == PKT_ECN_DROP ? GWSTAT_ECN_DROP : GWSTAT_MALFORMED);
	return -1;
}

/*
 * Whether the decrypted packet (flow f) may have come through sa: the
 * first `in` policy it matches must be ipsec with an ESP request whose
 * tunnel endpoints are the SA's, and for unique:N the SA's reqid is N.
 */
static bool
fp_in_policy_ok(struct fastpath *fp, const struct sa *sa, const struct gw_flow *f,
    uint64_t now)
{
	struct policy		*p = spd_lookup(&fp->k->spd, IPSEC_DIR_INBOUND, f);
	const struct sp_req	*q;

	if (p == NULL || p->action != IPSEC_POLICY_IPSEC || p->nreq == 0)
		return false;
	q = &p->req[0];
	if (q->proto != IPPROTO_ESP || !addr_eq(&q->src, &sa->cfg.src) ||
	    !addr_eq(&q->dst, &sa->cfg.dst))
		return false;
	if (q->level == IPSEC_LEVEL_UNIQUE && q->reqid != 0 && q->reqid != sa->cfg.reqid)
		return false;
	p->lastused = fp_sec(now);
	return true;
}

/* gif: the IP-in-IP layer of our own tunnel comes off; others stay on. */
static int
fp_gif_strip(struct fastpath *fp, struct pkt_buf *b)
{
	int	rc = pkt_ipip_decap(b, &fp->conf.remote, &fp->conf.local, NULL);

	if (rc == GW_E_UNKNOWN || (rc >= 0 && rc != PKT_ECN_DROP))
		return 0;
	fp_drop(fp, rc == PKT_ECN_DROP ? GWSTAT_ECN_DROP : GWSTAT_MALFORMED);
	return -1;
}

/* A decrypted tunnel-mode payload must be one IP packet of the version nh says. */
static int
fp_in_inner(const struct pkt_buf *b, uint8_t nh, struct gw_flow *f)
{
	struct pkt_inner	in;

	if (nh != IPPROTO_IPIP && nh != IPPROTO_IPV6)
		return -1;
	if (pkt_inner_info(pkt_data(b), b->len, &in) != 0 ||
	    in.version != (nh == IPPROTO_IPIP ? 4 : 6))
		return -1;
	return pkt_flow(pkt_data(b), b->len, f) == 0 ? 0 : -1;
}

/* After ESP: policy check, accounting, ECN, gif, TUN. */
static void
fp_in_deliver(struct fastpath *fp, struct sa *sa, struct pkt_buf *b, uint8_t nh,
    const struct fp_outer *o, uint64_t now)
{
	struct gw_flow	f;
	size_t		len = b->len;

	if (fp_in_inner(b, nh, &f) != 0) {
		fp_drop_sa(fp, sa, GWSTAT_MALFORMED);
		fp_log_sa(fp, GWSTAT_MALFORMED, now, sa, "decrypted payload is not an IP packet");
		return;
	}
	if (!fp_in_policy_ok(fp, sa, &f, now)) {
		fp_drop_sa(fp, sa, GWSTAT_POLICY_MISMATCH);
		fp_log_sa(fp, GWSTAT_POLICY_MISMATCH, now, sa,
		    "decrypted packet matches no in policy of this SA");
		return;
	}
	if (sad_account(&fp->k->sad, sa, SA_DIR_IN, len, fp_sec(now)) != 0) {
		fp_drop(fp, GWSTAT_NO_SA);	/* the hard limit retired the SA */
		return;
	}
	if (fp_ecn(fp, b, o->tos) != 0)
		return;
	if (fp->conf.gif && (f.proto == IPPROTO_IPIP || f.proto == IPPROTO_IPV6) &&
	    fp_gif_strip(fp, b) != 0)
		return;
	fp->k->stats[GWSTAT_PACKETS_IN]++;
	fp->k->stats[GWSTAT_BYTES_IN] += len;
	fp_tun_write(fp, b);
}

static void
fp_log_spi(struct fastpath *fp, uint32_t spi, const struct fp_outer *o, uint64_t now)
{
	char	src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (fp_log_ok(fp, GWSTAT_UNKNOWN_SPI, now))
		log_debug("esp: spi 0x%08x %s -> %s: unknown SPI", spi,
		    addr_ntop(&o->src, src, sizeof(src)), addr_ntop(&o->dst, dst, sizeof(dst)));
}

/* ESP (udp: inside UDP) from its SPI on, to the TUN if it passes everything. */
static void
fp_esp_in(struct fastpath *fp, struct pkt_buf *b, const struct fp_outer *o, bool udp)
{
	struct rd	 r = rd_init(pkt_data(b), b->len);
	uint64_t	 now = fp_now(fp), seq;
	struct sa	*sa;
	struct fp_sa	*s;
	uint32_t	 spi;
	uint8_t		 nh;
	int		 rc;

	if (rd_u32be(&r, &spi) != 0) {
		fp_drop(fp, GWSTAT_MALFORMED);
		return;
	}
	sa = sad_lookup_in(&fp->k->sad, SADB_SATYPE_ESP, &o->dst, spi);
	if (sa == NULL || (s = sa->dp) == NULL) {
		fp_drop(fp, GWSTAT_UNKNOWN_SPI);
		fp_log_spi(fp, spi, o, now);
		return;
	}
	if ((sa->cfg.natt_type != 0) != udp) {
		fp_drop_sa(fp, sa, GWSTAT_POLICY_MISMATCH);
		fp_log_sa(fp, GWSTAT_POLICY_MISMATCH, now, sa, udp ?
		    "ESP-in-UDP for an SA without NAT-T" : "plain ESP for a NAT-T SA");
		return;
	}
	if ((rc = esp_decap(&s->x, &s->rp, b, &nh, &seq)) != 0) {
		fp_drop_sa(fp, sa, fp_esp_reason(rc));
		fp_log_sa(fp, fp_esp_reason(rc), now, sa, esp_strerror(rc));
		return;
	}
	if (nh == ESP_NH_NONE) {
		fp_count(fp, GWSTAT_DUMMY, 1);	/* RFC 4303 2.6: discarded */
		return;
	}
	fp_in_deliver(fp, sa, b, nh, o, now);
}

void
fp_esp_input(struct fastpath *fp, struct pkt_buf *b, const struct fp_outer *o)
{
	fp_esp_in(fp, b, o, false);
}

/* IKE belongs to the key daemon: relayed to it, or counted and dropped. */
static void
fp_ike_in(struct fastpath *fp, const struct pkt_buf *b, const struct fp_outer *o)
{
	char	src[INET6_ADDRSTRLEN];

	if (fp->io->ike_input != NULL && fp->io->ike_input(fp->io->arg, o, b) == 0) {
		fp_count(fp, GWSTAT_IKE_RELAYED, 1);
		return;
	}
	fp_drop(fp, GWSTAT_IKE);
	if (fp_log_ok(fp, GWSTAT_IKE, fp_now(fp)))
		log_debug("udp: IKE from %s port %u dropped: no key daemon took it",
		    addr_ntop(&o->src, src, sizeof(src)), o->src.port);
}

void
fp_udp_input(struct fastpath *fp, struct pkt_buf *b, const struct fp_outer *o)
{
	switch (netio_classify_udp(pkt_data(b), b->len)) {
	case NETIO_UDP_ESP:
		fp_esp_in(fp, b, o, true);
		break;
	case NETIO_UDP_KEEPALIVE:
		fp_count(fp, GWSTAT_KEEPALIVE, 1);
		break;
	case NETIO_UDP_IKE:
		fp_ike_in(fp, b, o);
		break;
	default:
		fp_drop(fp, GWSTAT_MALFORMED);
		break;
	}
}

/* Whether unprotected gif traffic of flow f is allowed: no `in` policy wants ESP. */
static enum gwstat
fp_plain_verdict(struct fastpath *fp, const struct gw_flow *f, uint64_t now)
{
	struct policy	*p = spd_lookup(&fp->k->spd, IPSEC_DIR_INBOUND, f);

	if (p == NULL)
		return GWSTAT_BYPASS_IN;
	p->lastused = fp_sec(now);
	switch (p->action) {
	case IPSEC_POLICY_NONE:
		return GWSTAT_BYPASS_IN;
	case IPSEC_POLICY_IPSEC:
		return p->nreq > 0 && p->req[0].level == IPSEC_LEVEL_USE ? GWSTAT_BYPASS_IN :
		    GWSTAT_PLAINTEXT_REQUIRED;
	default:
		return GWSTAT_DISCARDED;
	}
}

void
fp_ipip_input(struct fastpath *fp, struct pkt_buf *b, const struct fp_outer *o,
    uint8_t proto)
{
	struct gw_flow		f = { .src = o->src, .dst = o->dst, .proto = proto };
	struct pkt_inner	in;
	uint64_t		now = fp_now(fp);
	enum gwstat		v;

	if (!fp->conf.gif || !addr_eq(&o->src, &fp->conf.remote) ||
	    !addr_eq(&o->dst, &fp->conf.local)) {
		fp_drop(fp, GWSTAT_FOREIGN);
		return;
	}
	f.src.port = f.dst.port = 0;
	if ((v = fp_plain_verdict(fp, &f, now)) != GWSTAT_BYPASS_IN) {
		fp_drop(fp, v);
		return;
	}
	if (pkt_inner_info(pkt_data(b), b->len, &in) != 0 ||
	    in.version != (proto == IPPROTO_IPIP ? 4 : 6)) {
		fp_drop(fp, GWSTAT_MALFORMED);
		return;
	}
	if (fp_ecn(fp, b, o->tos) != 0)
		return;
	fp_count(fp, GWSTAT_BYPASS_IN, 1);
	fp_tun_write(fp, b);
}

/* ---- life cycle ---- */

int
fp_init(struct fastpath *fp, struct key *k, const struct fp_io *io,
    const struct fp_conf *conf)
{
	size_t	i, j;

	memset(fp, 0, sizeof(*fp));
	fp->k = k;
	fp->io = io;
	fp->conf = *conf;
	fp->hold_mem = malloc((size_t)FP_HOLD_POLICIES * FP_HOLD_PER_POLICY * FP_BUF_SIZE);
	if (fp->hold_mem == NULL) {
		log_warnx_f("out of memory for the hold buffers");
		return -1;
	}
	for (i = 0; i < FP_HOLD_POLICIES; i++)
		for (j = 0; j < FP_HOLD_PER_POLICY; j++)
			pkt_init(&fp->hold[i].pkt[j],
			    fp->hold_mem + (i * FP_HOLD_PER_POLICY + j) * FP_BUF_SIZE,
			    FP_BUF_SIZE, FP_HEADROOM);
	fp->dp = (struct key_dp){ .sa_prepare = fp_sa_prepare, .sa_free = fp_sa_free,
	    .sa_ready = fp_sa_ready, .spd_changed = fp_spd_changed, .arg = fp };
	key_set_dp(k, &fp->dp);
	return 0;
}

static void
fp_sa_forget(struct sa *sa)
{
	if (sa->dp != NULL)
		fp_sa_free(NULL, sa->dp);
	sa->dp = NULL;
}

void
fp_free(struct fastpath *fp)
{
	struct sa	*sa;

	if (fp->k == NULL)
		return;
	for (sa = sad_first(&fp->k->sad); sa != NULL; sa = sad_next(sa))
		fp_sa_forget(sa);
	TAILQ_FOREACH(sa, &fp->k->sad.dead, entry)
		fp_sa_forget(sa);
	key_set_dp(fp->k, NULL);
	free(fp->hold_mem);
	memset(fp, 0, sizeof(*fp));
}
