/*
 * fuzz_ike_sk_env.c: the pair of nodes fuzz_ike_sk runs against, the
 * requests a target can have out when an input comes, and the sealing
 * of an input with the SA's real keys; see fuzz_ike_sk_env.h.
 *
 * Making a pair costs two key exchanges and two IKE_AUTHs (a MODP-2048
 * one for ChaCha20), so a pair is kept while inputs leave no trace on
 * it: most fuzzed inner chains are refused by the parser after the ICV
 * verifies, and a refused message changes nothing (STYLE.md L2). The
 * trace is a fingerprint of everything an exchange may move: SAs and
 * their states, windows, Child SAs, pending rekeys, the data path's
 * records, the RNG, the clock and the traffic. Counters are left out:
 * no decision reads them.
 *
 * After every input sk_check() holds ikd/ to what must stay true
 * whatever the peer sends (dead SAs reaped, the data path and the IKE
 * SAs' records of it in agreement) and aborts otherwise.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exch_child.h"
#include "exch_info.h"
#include "exch_rekey.h"
#include "fuzz_ike_sk_env.h"
#include "log.h"

#define SK_SUITES	3
#define SK_DRAIN_MAX	16	/* deliveries after each step; the rest is dropped */
#define SK_CLOCK_STEPS	4
#define SK_FP_MAX	512
#define SK_DGRAM_MAX	(IKE_MARKER_LEN + IKE_MSG_MAX + 1)
#define SK_DPD_DELAY_S	60

struct sk_fp {
	size_t		n;
	bool		full;
	uint64_t	v[SK_FP_MAX];
};

static struct pair	*sk_pairs[SK_SUITES];
static struct sk_fp	 sk_fps[SK_SUITES];

static void
sk_abort(const char *what)
{
	fprintf(stderr, "fuzz_ike_sk_env: %s\n", what);
	abort();
}

/* fixture.c's configuration, with liveness checks so that time passing reaches them. */
static void
sk_cfg(struct ike_cfg_peer *c, int side, enum suite s)
{
	cfg_make(c, side, s);
	c->dpd_delay_s = SK_DPD_DELAY_S;
}

static bool
sk_established(const struct pair *p)
{
	const struct ike_sa *sa;
	int i;

	for (i = 0; i < 2; i++) {
		sa = mock_only_sa(&p->n[i]);
		if (sa == NULL || sa->state != IKE_S_ESTABLISHED || sa->children == NULL ||
		    mock_live(&p->n[i].sink) != 1)
			return false;
	}
	return p->net.n == 0;
}

struct pair *
sk_pair_new(enum suite s)
{
	struct ike_cfg_peer c;
	struct pair *p;
	int i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		sk_abort("no memory");
	for (i = 0; i < 2; i++) {
		sk_cfg(&c, i, s);
		mock_node_init(&p->n[i], &p->net, i, &c);
		node_psk(&p->n[i], PSK_TEXT);
	}
	if (exch_initiate(p->n[0].t, &p->n[0].cfg, NULL) == NULL)
		sk_abort("cannot initiate");
	mock_run(&p->net, 8);
	if (!sk_established(p))
		sk_abort("the pair did not establish");
	return p;
}

enum suite
sk_suite(uint8_t mode)
{
	static const enum suite by_bits[4] = { S_GCM, S_CBC, S_CHACHA, S_GCM };

	return by_bits[SK_MODE_SUITE(mode)];
}

static void
fp_add(struct sk_fp *f, uint64_t v)
{
	if (f->n == SK_FP_MAX)
		f->full = true;
	else
		f->v[f->n++] = v;
}

static void
fp_child(struct sk_fp *f, const struct ike_child *c)
{
	fp_add(f, (uint64_t)c->spi_in << 32 | c->spi_out);
	fp_add(f, c->out_pending != NULL);
	fp_add(f, c->out_due_ms);
	fp_add(f, c->out_after);
	fp_add(f, c->out_absent);
	fp_add(f, c->rekey_retry_ms);
	fp_add(f, c->rekey_tries);
}

static void
fp_sa(struct sk_fp *f, const struct ike_sa *sa)
{
	const struct ike_msg_win *w = &sa->win;
	const struct ike_child *c;

	fp_add(f, sa->spi_i);
	fp_add(f, sa->spi_r);
	fp_add(f, (uint64_t)sa->state << 8 | sa->fail);
	fp_add(f, (uint64_t)sa->retired << 2 | (uint64_t)sa->inherit_pending << 1 |
	    sa->initiator);
	fp_add(f, (uint64_t)sa->nat_local << 2 | (uint64_t)sa->nat_remote << 1 | sa->peer_natd);
	fp_add(f, (uint64_t)sa->local.port << 16 | sa->remote.port);
	fp_add(f, (uint64_t)w->next_id << 32 | w->peer_id);
	fp_add(f, (uint64_t)w->cur_id << 32 | w->req_id);
	fp_add(f, (uint64_t)w->req_active << 1 | w->resp_valid);
	fp_add(f, w->req_tries);
	fp_add(f, w->req_due_ms);
	fp_add(f, (uint64_t)(sa->dh != NULL) << 2 | (uint64_t)(sa->rk.dh != NULL) << 1 |
	    (sa->ike_rk.dh != NULL));
	fp_add(f, sa->rekey_ms);
	fp_add(f, sa->expire_ms);
	fp_add(f, sa->last_rx_ms);
	fp_add(f, (uint64_t)sa->del_child_spi << 32 | sa->rk.old_spi_in);
	fp_add(f, (uint64_t)sa->larval.spi_in << 32 | sa->rk.peer_new_in);
	fp_add(f, sa->ike_rk.spi);
	fp_add(f, sa->ike_rk.peer_spi);
	for (c = sa->children; c != NULL; c = c->next)
		fp_child(f, c);
}

static void
fp_node(struct sk_fp *f, const struct mock_node *nd)
{
	const struct ike_sa *sa;
	size_t i;

	fp_add(f, nd->t->nsa);
	fp_add(f, nd->t->half_open);
	fp_add(f, nd->rng_ctr);
	fp_add(f, nd->script_off);
	fp_add(f, nd->psk_calls);
	fp_add(f, (uint64_t)nd->nestablished << 32 | nd->ndead);
	fp_add(f, nd->nrekeyed);
	fp_add(f, nd->sink.seq);
	fp_add(f, nd->sink.ngetspi);
	for (i = 0; i < MOCK_LARVAL; i++)
		fp_add(f, nd->sink.larval[i]);
	for (sa = nd->t->all; sa != NULL; sa = sa->next)
		fp_sa(f, sa);
}

static void
fp_pair(struct sk_fp *f, const struct pair *p)
{
	f->n = 0;
	f->full = false;
	fp_add(f, p->net.now);
	fp_add(f, p->net.sent);
	fp_add(f, p->net.n);
	fp_node(f, &p->n[0]);
	fp_node(f, &p->n[1]);
}

static bool
fp_eq(const struct sk_fp *a, const struct sk_fp *b)
{
	return !a->full && !b->full && a->n == b->n &&
	    memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0;
}

/* The pair of suite s as it was made, reused if the last input left no trace. */
static struct pair *
sk_env_get(enum suite s)
{
	if (sk_pairs[s] == NULL) {
		sk_pairs[s] = sk_pair_new(s);
		fp_pair(&sk_fps[s], sk_pairs[s]);
	}
	return sk_pairs[s];
}

static void
sk_env_put(enum suite s)
{
	struct sk_fp now;

	fp_pair(&now, sk_pairs[s]);
	if (fp_eq(&now, &sk_fps[s]))
		return;
	pair_free(sk_pairs[s]);
	sk_pairs[s] = NULL;
}

void
sk_env_free(void)
{
	size_t s;

	for (s = 0; s < SK_SUITES; s++) {
		if (sk_pairs[s] != NULL)
			pair_free(sk_pairs[s]);
		sk_pairs[s] = NULL;
	}
}

/* Delivers what the nodes send each other, then drops what is left. */
static void
sk_drain(struct pair *p)
{
	mock_run(&p->net, SK_DRAIN_MAX);
	p->net.n = 0;
}

static void
sk_clock(struct pair *p, unsigned k)
{
	static const uint64_t step_ms[] = { 0, 1000, 30 * 1000, 15 * 60 * 1000 };
	int i;

	if (k == SK_CLOCK_NONE)
		return;
	for (i = 0; i < SK_CLOCK_STEPS; i++) {
		mock_advance(&p->net, step_ms[k]);
		sk_drain(p);
	}
}

/* The newest SA of nd that is not dead, or (newest false) the oldest. */
static struct ike_sa *
sk_pick(const struct mock_node *nd, bool newest)
{
	struct ike_sa *sa, *pick = NULL;

	for (sa = nd->t->all; sa != NULL; sa = sa->next) {
		if (sa->state == IKE_S_DEAD)
			continue;
		pick = sa;
		if (newest)
			break;
	}
	return pick;
}

/*
 * The peer rekeys its IKE SA (ike) or its Child SA: the request and
 * n - 1 more datagrams are delivered, the rest is lost.
 */
static void
sk_peer_rekey(struct pair *p, int tgt, bool ike, size_t n)
{
	struct ike_sa *o = mock_only_sa(&p->n[1 - tgt]);

	if (o == NULL || o->children == NULL)
		return;
	if ((ike ? exch_rekey_start(o) : exch_child_rekey(o, o->children->spi_in)) != 0)
		return;
	mock_run(&p->net, n);
	p->net.n = 0;
}

/* Node 0 starts a second IKE SA; its IKE_AUTH request is lost. */
static void
sk_second_sa(struct pair *p)
{
	if (exch_initiate(p->n[0].t, &p->n[0].cfg, NULL) == NULL)
		return;
	mock_run(&p->net, 2);
	p->net.n = 0;
}

/* The target's own request of the setup; it never reaches the peer. */
static void
sk_setup_own(struct pair *p, struct ike_sa *sa, enum sk_setup setup)
{
	uint32_t spi = sa->children->spi_in;

	switch (setup) {
	case SK_SETUP_LIVENESS:
		exch_info_liveness(sa);
		break;
	case SK_SETUP_DEL_CHILD:
		exch_info_delete_child(sa, spi);
		break;
	case SK_SETUP_DEL_IKE:
		exch_info_delete(sa, IKE_F_LOCAL);
		break;
	case SK_SETUP_CHILD_REKEY:
	case SK_SETUP_CHILD_CROSS:
		exch_child_rekey(sa, spi);
		break;
	case SK_SETUP_IKE_REKEY:
	case SK_SETUP_IKE_CROSS:
		exch_rekey_start(sa);
		break;
	default:
		return;
	}
	p->net.n = 0;
}

/* Puts the pair in the state the input's setup asks for. */
static void
sk_setup(struct pair *p, int tgt, enum sk_setup setup)
{
	struct ike_sa *sa = mock_only_sa(&p->n[tgt]);

	if (sa == NULL || sa->children == NULL)
		return;
	sk_setup_own(p, sa, setup);
	switch (setup) {
	case SK_SETUP_PEER_CHILD:
	case SK_SETUP_CHILD_CROSS:
		sk_peer_rekey(p, tgt, false, 1);
		break;
	case SK_SETUP_PEER_IKE:
	case SK_SETUP_IKE_CROSS:
		sk_peer_rekey(p, tgt, true, 1);
		break;
	case SK_SETUP_IKE_REKEYED:
		sk_peer_rekey(p, tgt, true, 2);
		break;
	case SK_SETUP_AUTH:
		sk_second_sa(p);
		break;
	default:
		break;
	}
}

/* Where a message to sa arrives from (its current endpoints), on 500 or 4500. */
static void
sk_endpoints(const struct mock_node *nd, const struct ike_sa *sa, bool natt,
    struct gw_addr *local, struct gw_addr *remote)
{
	*local = sa != NULL ? sa->local : nd->cfg.local;
	*remote = sa != NULL ? sa->remote : nd->cfg.remote;
	local->port = remote->port = natt ? IKE_NATT_PORT : IKE_PORT;
}

/* The Message ID and exchange the peer's message needs to pass sa's window. */
static void
sk_window(const struct ike_sa *sa, uint8_t ctrl, struct ike_hdr *h)
{
	static const uint8_t exch[4] = { IKE_EXCH_INFORMATIONAL, IKE_EXCH_CREATE_CHILD_SA,
	    IKE_EXCH_AUTH, IKE_EXCH_SA_INIT };
	const struct ike_msg_win *w = &sa->win;

	h->exch = exch[SK_CTRL_EXCH(ctrl)];
	if (ctrl & SK_CTRL_RESPONSE) {
		h->flags |= IKE_FLAG_R;
		h->msgid = w->req_active ? w->req_id : w->next_id;
		if (w->req_active)
			h->exch = w->req_exch;
	} else
		h->msgid = (ctrl & SK_CTRL_RETRANSMIT) ? w->peer_id - 1 : w->peer_id;
}

/* Writes the header of h and an SK generic header before an IV. Returns the IV offset. */
static size_t
sk_frame_head(struct wr *w, const struct ike_hdr *h, uint8_t first, size_t *len_at,
    size_t *sk_len_at)
{
	wr_u64be(w, h->spi_i);
	wr_u64be(w, h->spi_r);
	wr_u8(w, IKE_PT_SK);
	wr_u8(w, IKE_VERSION_2);
	wr_u8(w, h->exch);
	wr_u8(w, h->flags);
	wr_u32be(w, h->msgid);
	wr_u16be(w, 0);			/* messages stay below 64 KiB */
	wr_reserve(w, 2, len_at);
	wr_u8(w, first);
	wr_u8(w, 0);
	wr_reserve(w, 2, sk_len_at);
	return w->off;
}

/*
 * buf[0..cap) gets the message of h whose SK payload holds body[0..blen)
 * as inner payloads (first of type first) and, unless verbatim, padding
 * to the block and Pad Length; *l says where the parts are, unencrypted.
 */
static int
sk_frame(const struct ike_msg_prot *pr, const struct ike_hdr *h, uint8_t first,
    const uint8_t *body, size_t blen, bool verbatim, uint8_t *buf, size_t cap,
    struct ike_sk_layout *l)
{
	static const uint8_t iv[CRYPTO_AES_BLOCK] = "fuzz_ike_sk IV.";
	struct wr w = wr_init(buf, cap);
	size_t len_at, sk_len_at, pad = 0;

	if (verbatim)
		blen -= blen % pr->block;
	else
		pad = (pr->block - (blen + 1) % pr->block) % pr->block;
	l->iv_off = sk_frame_head(&w, h, first, &len_at, &sk_len_at);
	l->sk_off = l->iv_off - IKE_GEN_HDR_LEN;
	l->iv_len = pr->iv_len;
	wr_bytes(&w, iv, pr->iv_len);
	l->plain_off = w.off;
	wr_bytes(&w, body, blen);
	if (!verbatim) {
		wr_zero(&w, pad);
		wr_u8(&w, (uint8_t)pad);
	}
	l->plain_len = w.off - l->plain_off;
	l->icv_off = w.off;
	l->icv_len = pr->icv_len;
	wr_zero(&w, pr->icv_len);
	if (w.err != 0 || w.off > IKE_MSG_MAX)
		return -1;
	wr_patch_u16be(&w, len_at, (uint16_t)w.off);
	wr_patch_u16be(&w, sk_len_at, (uint16_t)(w.off - l->sk_off));
	return w.err == 0 ? 0 : -1;
}

/*
 * Encrypts the framed message in place as sa's peer would: with the
 * keys of the direction sa receives on (RFC 7296 2.14: SK_ei/SK_ai from
 * the original initiator, SK_er/SK_ar from the responder).
 */
static int
sk_encrypt(struct ike_sa *sa, uint8_t *buf, const struct ike_sk_layout *l)
{
	struct ike_msg_dir *d = &sa->prot.dir[sa->initiator ? 1 : 0];
	uint8_t nonce[CRYPTO_AEAD_NONCE];

	if (sa->prot.kind == IKE_MSG_AEAD) {
		/* RFC 5282 4: nonce = salt | the 8-octet IV. */
		if (l->iv_len != sizeof(nonce) - sizeof(d->salt))
			return -1;
		memcpy(nonce, d->salt, sizeof(d->salt));
		memcpy(nonce + sizeof(d->salt), buf + l->iv_off, l->iv_len);
		return crypto_aead_seal(&d->aead, nonce, buf, l->iv_off, buf + l->plain_off,
		    l->plain_len, buf + l->icv_off) == 0 ? 0 : -1;
	}
	if (l->plain_len > 0 &&
	    crypto_cbc_encrypt(&d->cbc, buf + l->iv_off, buf + l->plain_off, l->plain_len) != 0)
		return -1;
	if (crypto_hmac_start(&d->hmac) != 0 || crypto_hmac_update(&d->hmac, buf, l->icv_off) != 0 ||
	    crypto_hmac_final(&d->hmac, buf + l->icv_off, l->icv_len) != 0)
		return -1;
	return 0;
}

/*
 * The sealed input body[0..blen) for sa into buf[0..cap): its first
 * byte is the SK Next Payload, the rest the inner chain. Returns the
 * message length, or 0 if it cannot be made.
 */
static size_t
sk_seal(struct ike_sa *sa, uint8_t ctrl, const uint8_t *body, size_t blen, uint8_t *buf,
    size_t cap)
{
	struct ike_hdr h = { .spi_i = sa->spi_i, .spi_r = sa->spi_r };
	const struct ike_msg_prot *pr = &sa->prot;
	struct ike_sk_layout l;
	bool verbatim = (ctrl & SK_CTRL_VERBATIM) != 0;

	if (pr->kind == IKE_MSG_NONE || pr->block == 0 || blen == 0)
		return 0;
	/* The I flag says the original initiator sent it: sa's peer if sa responded. */
	h.flags = sa->initiator ? 0 : IKE_FLAG_I;
	sk_window(sa, ctrl, &h);
	if (sk_frame(pr, &h, body[0], body + 1, blen - 1, verbatim, buf, cap, &l) != 0 ||
	    sk_encrypt(sa, buf, &l) != 0)
		return 0;
	return l.icv_off + l.icv_len;
}

/* A raw message body[0..blen) with sa's SPIs and expected Message ID put in if asked. */
static size_t
sk_raw(const struct ike_sa *sa, uint8_t ctrl, const uint8_t *body, size_t blen, uint8_t *buf,
    size_t cap)
{
	struct rd r = rd_init(body, blen);
	struct wr w = wr_init(buf, cap);
	uint8_t flags = 0;

	if (blen > cap)
		blen = cap;
	memcpy(buf, body, blen);
	if (sa == NULL)
		return blen;
	if ((ctrl & SK_CTRL_PATCH_SPI) && blen >= IKE_HDR_NEXT_OFF) {
		wr_u64be(&w, sa->spi_i);
		wr_u64be(&w, sa->spi_r);
	}
	if ((ctrl & SK_CTRL_PATCH_ID) && blen >= IKE_HDR_LEN_OFF &&
	    rd_skip(&r, IKE_HDR_NEXT_OFF + 3) == 0 && rd_u8(&r, &flags) == 0) {
		w = wr_init(buf + IKE_HDR_NEXT_OFF + 4, 4);
		wr_u32be(&w, (flags & IKE_FLAG_R) ? sa->win.req_id : sa->win.peer_id);
	}
	return blen;
}

/* The live SA of nd whose Child SA (or larval SA, if larval) has inbound SPI spi. */
static bool
sk_recorded(const struct mock_node *nd, uint32_t spi, bool larval)
{
	const struct ike_child *c;
	const struct ike_sa *sa;

	for (sa = nd->t->all; sa != NULL; sa = sa->next) {
		if (larval && sa->larval.spi_in == spi)
			return true;
		for (c = sa->children; !larval && c != NULL; c = c->next)
			if (c->spi_in == spi)
				return true;
	}
	return false;
}

/*
 * What ikd/ keeps true whatever the peer sends: a dead SA is reaped
 * before exch_recv() or exch_tick() returns, and the data path holds
 * exactly what the IKE SAs record: every Child SA they record is
 * installed, and every SA installed or SPI allocated (larval) belongs to
 * one of them, so that none is left behind when its IKE SA goes.
 */
static void
sk_check(const struct mock_node *nd)
{
	const struct mock_sink *k = &nd->sink;
	const struct ike_child *c;
	const struct ike_sa *sa;
	size_t i;

	for (sa = nd->t->all; sa != NULL; sa = sa->next) {
		if (sa->state == IKE_S_DEAD)
			sk_abort("a dead IKE SA was not reaped");
		for (c = sa->children; c != NULL; c = c->next) {
			for (i = 0; i < k->nsa && !(k->sa[i].sa.spi_in == c->spi_in &&
			    k->sa[i].in_live); i++)
				;
			if (i == k->nsa)
				sk_abort("a Child SA an IKE SA records is not in the data path");
		}
	}
	for (i = 0; i < k->nsa; i++)
		if (k->sa[i].in_live && !sk_recorded(nd, k->sa[i].sa.spi_in, false))
			sk_abort("the data path holds a Child SA no IKE SA records");
	for (i = 0; i < MOCK_LARVAL; i++)
		if (k->larval[i] != 0 && !sk_recorded(nd, k->larval[i], true))
			sk_abort("the data path holds a larval SA no IKE SA records");
}

/* What the target had before the input: its counters and data path records. */
struct sk_before {
	uint64_t	stats[IKE_ST_COUNT];
	size_t		ninstall;
	size_t		ndel;
};

static void
sk_before(const struct mock_node *nd, struct sk_before *b)
{
	memcpy(b->stats, nd->t->stats, sizeof(b->stats));
	b->ninstall = nd->sink.ninstall;
	b->ndel = nd->sink.ndel;
}

static void
sk_outcome(const struct mock_node *nd, int tgt, const struct sk_before *b,
    struct sk_outcome *o)
{
	int s;

	o->target = tgt;
	o->drops = 0;
	for (s = IKE_ST_DROP_MARKER; s <= IKE_ST_DROP_INVALID; s++)
		o->drops += nd->t->stats[s] - b->stats[s];
	o->rx = nd->t->stats[IKE_ST_RX] - b->stats[IKE_ST_RX];
	o->tx = nd->t->stats[IKE_ST_TX] - b->stats[IKE_ST_TX];
	o->nsa = nd->t->nsa;
	o->installs = nd->sink.ninstall - b->ninstall;
	o->dels = nd->sink.ndel - b->ndel;
}

/*
 * Makes the input's message for node tgt of p (sealed, or raw with what
 * it asks patched in) and delivers it, on port 4500 after the non-ESP
 * marker (RFC 3948 2.2) if the mode says so.
 */
static void
sk_deliver(struct pair *p, int tgt, uint8_t mode, uint8_t ctrl, const uint8_t *body,
    size_t blen)
{
	static uint8_t buf[SK_DGRAM_MAX];
	struct ike_sa *sa = sk_pick(&p->n[tgt], (mode & SK_MODE_NEWEST) != 0);
	bool natt = (mode & SK_MODE_NATT) != 0;
	size_t off = natt ? IKE_MARKER_LEN : 0, len;
	struct gw_addr local, remote;

	sk_endpoints(&p->n[tgt], sa, natt, &local, &remote);
	memset(buf, 0, off);
	if (mode & SK_MODE_RAW)
		len = sk_raw(sa, ctrl, body, blen, buf + off, sizeof(buf) - off);
	else if (sa != NULL)
		len = sk_seal(sa, ctrl, body, blen, buf + off, IKE_MSG_MAX);
	else
		len = 0;
	if (len > 0)
		exch_recv(p->n[tgt].t, buf, off + len, &local, &remote);
}

int
sk_run(const uint8_t *data, size_t size, struct sk_outcome *out)
{
	struct sk_before before;
	uint8_t mode, ctrl, setup;
	enum suite s;
	struct pair *p;
	int tgt;

	if (size < SK_OFF_BODY)
		return -1;
	mode = data[SK_OFF_MODE];
	setup = data[SK_OFF_SETUP] % SK_SETUP_COUNT;
	ctrl = data[SK_OFF_CTRL];
	s = sk_suite(mode);
	tgt = (mode & SK_MODE_NODE0) ? 0 : 1;
	p = sk_env_get(s);
	sk_setup(p, tgt, setup);
	sk_before(&p->n[tgt], &before);
	sk_deliver(p, tgt, mode, ctrl, data + SK_OFF_BODY, size - SK_OFF_BODY);
	sk_drain(p);
	sk_clock(p, SK_MODE_GET_CLOCK(mode));
	if (out != NULL)
		sk_outcome(&p->n[tgt], tgt, &before, out);
	sk_check(&p->n[0]);
	sk_check(&p->n[1]);
	sk_env_put(s);
	return 0;
}
