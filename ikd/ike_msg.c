/*
 * ike_msg.c: SK protection, Message ID window, retransmission and the
 * response cache of an IKE SA; see ike_msg.h.
 *
 * RFC 7296 3.14, the Encrypted payload as this module lays it out:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Next Payload  |C|  RESERVED   |         Payload Length        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Initialization Vector                     |  AEAD: 8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  CBC: 16
 *  ~                    Encrypted IKE Payloads                     ~
 *  +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               |             Padding (0-255 octets)            |
 *  +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 *  |                                               |  Pad Length   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ~                    Integrity Checksum Data                    ~
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * AEAD (RFC 5282 5.1, RFC 7634 3): nonce = salt (last 4 octets of SK_e)
 * | IV; the associated data is the IKE header and every octet up to the
 * IV, i.e. the clear payloads and the SK generic header; the ICV is the
 * 16-octet tag. The IV is a per-SA counter, so it never repeats under a
 * key. AES-CBC: a random IV, payloads padded to the block, and an HMAC
 * over the whole message from the IKE header to the end of the
 * ciphertext (SK header and IV included), truncated per the transform.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ike_sa.h"
#include "keymat.h"
#include "log.h"

#define AEAD_IV_LEN	8
#define AEAD_SALT_LEN	4
#define CBC_IV_LEN	CRYPTO_AES_BLOCK

static int
ike_msg_integ(uint16_t integ, enum crypto_md *md, size_t *icv)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:
		*md = CRYPTO_SHA1;
		*icv = 12;
		return 0;
	case IKE_INTEG_HMAC_SHA2_256_128:
		*md = CRYPTO_SHA256;
		*icv = 16;
		return 0;
	case IKE_INTEG_HMAC_SHA2_384_192:
		*md = CRYPTO_SHA384;
		*icv = 24;
		return 0;
	case IKE_INTEG_HMAC_SHA2_512_256:
		*md = CRYPTO_SHA512;
		*icv = 32;
		return 0;
	}
	return -1;
}

/* One direction of an AEAD cipher: the key without its trailing salt. */
static int
ike_msg_dir_aead(struct ike_msg_dir *d, enum crypto_aead_alg alg, const struct gw_key *ek)
{
	if (ek->len <= AEAD_SALT_LEN)
		return -1;
	memcpy(d->salt, ek->b + ek->len - AEAD_SALT_LEN, AEAD_SALT_LEN);
	return crypto_aead_init(&d->aead, alg, ek->b, ek->len - AEAD_SALT_LEN) == 0 ? 0 : -1;
}

static int
ike_msg_dir_cbc(struct ike_msg_dir *d, enum crypto_md md, const struct gw_key *ek,
    const struct gw_key *ak)
{
	if (crypto_cbc_init(&d->cbc, ek->b, ek->len) != 0)
		return -1;
	return crypto_hmac_init(&d->hmac, md, ak->b, ak->len) == 0 ? 0 : -1;
}

static int
ike_msg_keys_aead(struct ike_sa *sa, enum crypto_aead_alg alg)
{
	struct ike_msg_prot *p = &sa->prot;

	p->kind = IKE_MSG_AEAD;
	p->iv_len = AEAD_IV_LEN;
	p->icv_len = CRYPTO_AEAD_TAG;
	p->block = 1;
	p->iv_ctr = 1;
	if (ike_msg_dir_aead(&p->dir[0], alg, keymat_ike_key(sa->km, KEYMAT_SK_EI)) != 0 ||
	    ike_msg_dir_aead(&p->dir[1], alg, keymat_ike_key(sa->km, KEYMAT_SK_ER)) != 0)
		return -1;
	return 0;
}

static int
ike_msg_keys_cbc(struct ike_sa *sa, uint16_t integ)
{
	struct ike_msg_prot *p = &sa->prot;
	enum crypto_md md;

	if (ike_msg_integ(integ, &md, &p->icv_len) != 0)
		return -1;
	p->kind = IKE_MSG_CBC_HMAC;
	p->iv_len = CBC_IV_LEN;
	p->block = CRYPTO_AES_BLOCK;
	if (ike_msg_dir_cbc(&p->dir[0], md, keymat_ike_key(sa->km, KEYMAT_SK_EI),
	    keymat_ike_key(sa->km, KEYMAT_SK_AI)) != 0 ||
	    ike_msg_dir_cbc(&p->dir[1], md, keymat_ike_key(sa->km, KEYMAT_SK_ER),
	    keymat_ike_key(sa->km, KEYMAT_SK_AR)) != 0)
		return -1;
	return 0;
}

int
ike_msg_keys(struct ike_sa *sa)
{
	const struct ike_xform *e = proposal_get(&sa->prop, PROP_T_ENCR);
	const struct ike_xform *i = proposal_get(&sa->prop, PROP_T_INTEG);
	uint16_t integ = i == NULL ? IKE_INTEG_NONE : i->id;
	int rc = -1;

	ike_msg_prot_free(&sa->prot);
	if (e == NULL || sa->km == NULL)
		goto done;
	if (e->id == IKE_ENCR_AES_GCM_16 && integ == IKE_INTEG_NONE)
		rc = ike_msg_keys_aead(sa, CRYPTO_AES_GCM);
	else if (e->id == IKE_ENCR_CHACHA20_POLY1305 && integ == IKE_INTEG_NONE)
		rc = ike_msg_keys_aead(sa, CRYPTO_CHACHA20_POLY1305);
	else if (e->id == IKE_ENCR_AES_CBC)
		rc = ike_msg_keys_cbc(sa, integ);
done:
	if (rc != 0) {
		log_warnx_f(IKE_SPI_FMT ": cannot protect messages with ENCR %u INTEG %u",
		    IKE_SPI_ARGS(sa), e == NULL ? 0 : e->id, integ);
		ike_msg_prot_free(&sa->prot);
	}
	return rc;
}

void
ike_msg_prot_free(struct ike_msg_prot *p)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		crypto_aead_free(&p->dir[i].aead);
		crypto_cbc_free(&p->dir[i].cbc);
		crypto_hmac_free(&p->dir[i].hmac);
	}
	secure_wipe(p, sizeof(*p));
}

void
ike_msg_win_free(struct ike_msg_win *w)
{
	free(w->req);
	free(w->resp);
	w->req = w->resp = NULL;
	w->req_len = w->resp_len = 0;
	w->req_active = w->resp_valid = false;
}

/* Keys of what we send, and of what the peer sends. */
static struct ike_msg_dir *
ike_msg_tx_dir(struct ike_sa *sa)
{
	return &sa->prot.dir[sa->initiator ? 0 : 1];
}

static struct ike_msg_dir *
ike_msg_rx_dir(struct ike_sa *sa)
{
	return &sa->prot.dir[sa->initiator ? 1 : 0];
}

int
ike_msg_start(struct ike_sa *sa, struct ike_build *b, uint8_t *buf, size_t cap, uint8_t exch,
    bool response)
{
	struct ike_hdr h = {
		.spi_i = sa->spi_i,
		.spi_r = sa->spi_r,
		.exch = exch,
		.flags = (uint8_t)((sa->initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0)),
		.msgid = response ? sa->win.cur_id : sa->win.next_id,
	};

	ike_build_init(b, buf, cap);
	if (ike_build_header(b, &h) != 0)
		return -1;
	if (exch == IKE_EXCH_SA_INIT)
		return 0;
	if (sa->prot.kind == IKE_MSG_NONE)
		return -1;
	return ike_build_sk_begin(b, sa->prot.iv_len) == 0 ? 0 : -1;
}

static int
ike_msg_seal_aead(struct ike_sa *sa, uint8_t *buf, const struct ike_sk_layout *l)
{
	struct ike_msg_dir *d = ike_msg_tx_dir(sa);
	uint8_t nonce[CRYPTO_AEAD_NONCE];
	uint64_t ctr = sa->prot.iv_ctr++;
	size_t i;

	if (l->iv_len != AEAD_IV_LEN || l->icv_len != CRYPTO_AEAD_TAG)
		return -1;
	for (i = 0; i < AEAD_IV_LEN; i++)
		buf[l->iv_off + i] = (uint8_t)(ctr >> (56 - 8 * i));
	memcpy(nonce, d->salt, AEAD_SALT_LEN);
	memcpy(nonce + AEAD_SALT_LEN, buf + l->iv_off, AEAD_IV_LEN);
	return crypto_aead_seal(&d->aead, nonce, buf, l->aad_len, buf + l->plain_off,
	    l->plain_len, buf + l->icv_off) == 0 ? 0 : -1;
}

static int
ike_msg_seal_cbc(struct ike_sa *sa, uint8_t *buf, const struct ike_sk_layout *l)
{
	struct ike_msg_dir *d = ike_msg_tx_dir(sa);
	struct ike_io *io = &sa->tbl->io;

	if (l->iv_len != CBC_IV_LEN)
		return -1;
	/* RFC 7296 3.14: the IV MUST be chosen at random and unpredictable. */
	io->random(io->ctx, buf + l->iv_off, CBC_IV_LEN);
	if (crypto_cbc_encrypt(&d->cbc, buf + l->iv_off, buf + l->plain_off, l->plain_len) != 0)
		return -1;
	if (crypto_hmac_start(&d->hmac) != 0 ||
	    crypto_hmac_update(&d->hmac, buf, l->icv_off) != 0 ||
	    crypto_hmac_final(&d->hmac, buf + l->icv_off, l->icv_len) != 0)
		return -1;
	return 0;
}

int
ike_msg_finish(struct ike_sa *sa, struct ike_build *b, uint8_t *buf, size_t *len)
{
	struct ike_sk_layout l;
	int rc;

	if (b->exch == IKE_EXCH_SA_INIT)
		return ike_build_finish(b, len) == 0 ? 0 : -1;
	if (ike_build_sk_end(b, sa->prot.block, sa->prot.icv_len, &l) != 0 ||
	    ike_build_finish(b, len) != 0) {
		log_warnx_f(IKE_SPI_FMT ": message does not fit (%s)", IKE_SPI_ARGS(sa),
		    gw_strerror(b->w.err));
		return -1;
	}
	if (sa->prot.kind == IKE_MSG_AEAD)
		rc = ike_msg_seal_aead(sa, buf, &l);
	else if (sa->prot.kind == IKE_MSG_CBC_HMAC)
		rc = ike_msg_seal_cbc(sa, buf, &l);
	else
		rc = -1;
	if (rc != 0)
		log_warnx_f(IKE_SPI_FMT ": encryption failed", IKE_SPI_ARGS(sa));
	return rc;
}

enum ike_msg_verdict
ike_msg_check(const struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_msg_win *w = &sa->win;

	if (m->hdr.flags & IKE_FLAG_R) {
		if (w->req_active && m->hdr.msgid == w->req_id && m->hdr.exch == w->req_exch)
			return IKE_MSG_NEW;
		return IKE_MSG_DROP;
	}
	if (m->hdr.msgid == w->peer_id)
		return IKE_MSG_NEW;
	if (w->resp_valid && w->peer_id != 0 && m->hdr.msgid == w->peer_id - 1)
		return IKE_MSG_RETRANSMIT;
	return IKE_MSG_DROP;
}

static int
ike_msg_open_aead(struct ike_sa *sa, uint8_t *buf, size_t iv_off, size_t ct_len)
{
	struct ike_msg_dir *d = ike_msg_rx_dir(sa);
	uint8_t nonce[CRYPTO_AEAD_NONCE];
	size_t ct_off = iv_off + AEAD_IV_LEN;

	memcpy(nonce, d->salt, AEAD_SALT_LEN);
	memcpy(nonce + AEAD_SALT_LEN, buf + iv_off, AEAD_IV_LEN);
	return crypto_aead_open(&d->aead, nonce, buf, iv_off, buf + ct_off, ct_len,
	    buf + ct_off + ct_len) == 0 ? 0 : -1;
}

/* Verify first, in constant time; decrypt only what authenticated. */
static int
ike_msg_open_cbc(struct ike_sa *sa, uint8_t *buf, size_t iv_off, size_t ct_len)
{
	struct ike_msg_dir *d = ike_msg_rx_dir(sa);
	uint8_t icv[CRYPTO_MD_MAX];
	size_t ct_off = iv_off + CBC_IV_LEN, icv_len = sa->prot.icv_len;

	if (ct_len == 0 || ct_len % CRYPTO_AES_BLOCK != 0)
		return -1;
	if (crypto_hmac_start(&d->hmac) != 0 ||
	    crypto_hmac_update(&d->hmac, buf, ct_off + ct_len) != 0 ||
	    crypto_hmac_final(&d->hmac, icv, icv_len) != 0)
		return -1;
	if (!ct_memeq(icv, buf + ct_off + ct_len, icv_len))
		return -1;
	return crypto_cbc_decrypt(&d->cbc, buf + iv_off, buf + ct_off, ct_len) == 0 ? 0 : -1;
}

int
ike_msg_open(struct ike_sa *sa, uint8_t *buf, size_t len, struct ike_msg *m)
{
	const struct ike_msg_prot *p = &sa->prot;
	size_t off, ct_off, ct_len, pad;
	int rc;

	/* The parser puts the IV at aad_len: everything before it is AAD. */
	if (m->sk.type != IKE_PT_SK || p->kind == IKE_MSG_NONE)
		return IKE_OPEN_ICV;
	off = m->sk.aad_len;
	if (off > len || m->sk.body.len > len - off ||
	    m->sk.body.len < p->iv_len + p->icv_len + 1)
		return IKE_OPEN_ICV;
	ct_off = off + p->iv_len;
	ct_len = m->sk.body.len - p->iv_len - p->icv_len;
	if (p->kind == IKE_MSG_AEAD)
		rc = ike_msg_open_aead(sa, buf, off, ct_len);
	else
		rc = ike_msg_open_cbc(sa, buf, off, ct_len);
	if (rc != 0)
		return IKE_OPEN_ICV;
	/* RFC 7296 3.14: Pad Length is the last octet; the padding is not checked. */
	pad = buf[ct_off + ct_len - 1];
	if (pad + 1 > ct_len)
		return IKE_OPEN_MALFORMED;
	rc = ike_parse_inner(buf + ct_off, ct_len - 1 - pad, m->sk.first, m);
	if (rc == IKE_E_CRITICAL)
		return IKE_OPEN_CRITICAL;
	return rc == 0 ? IKE_OPEN_OK : IKE_OPEN_MALFORMED;
}

void
ike_msg_accept(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_msg_win *w = &sa->win;

	if (m->hdr.flags & IKE_FLAG_R) {
		w->req_active = false;
		free(w->req);
		w->req = NULL;
		w->req_len = 0;
		ike_sa_timer_touch(sa);
	} else {
		w->cur_id = m->hdr.msgid;
	}
}

int
ike_msg_xmit_to(struct ike_sa_table *t, const uint8_t *buf, size_t len,
    const struct gw_addr *local, const struct gw_addr *remote)
{
	uint8_t tx[IKE_MARKER_LEN + IKE_MSG_MAX];
	size_t off = 0;

	if (len > IKE_MSG_MAX)
		return -1;
	/* RFC 3948 2.2: IKE on port 4500 starts with four zero octets. */
	if (local->port == IKE_NATT_PORT) {
		memset(tx, 0, IKE_MARKER_LEN);
		off = IKE_MARKER_LEN;
	}
	memcpy(tx + off, buf, len);
	if (t->io.send(t->io.ctx, tx, off + len, local, remote) != 0) {
		ike_sa_count(t, IKE_ST_TX_FAIL);
		log_debug_f("send failed");
		return -1;
	}
	ike_sa_count(t, IKE_ST_TX);
	return 0;
}

int
ike_msg_xmit(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	return ike_msg_xmit_to(sa->tbl, buf, len, &sa->local, &sa->remote);
}

/* A heap copy of buf[0..len); NULL on no memory. */
static uint8_t *
ike_msg_dup(const uint8_t *buf, size_t len)
{
	uint8_t *p;

	if (len == 0 || (p = malloc(len)) == NULL)
		return NULL;
	memcpy(p, buf, len);
	return p;
}

int
ike_msg_request(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	return ike_msg_request_every(sa, buf, len, 0, 0);
}

int
ike_msg_request_every(struct ike_sa *sa, const uint8_t *buf, size_t len, uint32_t every_ms,
    unsigned tries)
{
	struct ike_msg_win *w = &sa->win;
	struct ike_io *io = &sa->tbl->io;
	struct rd r = rd_init(buf, len);
	uint8_t *copy, exch = 0;

	/* Exchange Type follows the SPIs, Next Payload and Version. */
	if (rd_skip(&r, IKE_HDR_NEXT_OFF + 2) != 0 || rd_u8(&r, &exch) != 0)
		return -1;
	if (w->req_active || (copy = ike_msg_dup(buf, len)) == NULL)
		return -1;
	free(w->req);
	w->req = copy;
	w->req_len = len;
	w->req_id = w->next_id++;
	w->req_exch = exch;
	w->req_active = true;
	w->req_tries = 1;
	w->req_every_ms = every_ms;
	w->req_max_tries = tries;
	w->req_timeout_ms = every_ms != 0 ? every_ms : sa->tbl->rtx_first_ms;
	w->req_due_ms = io->now_ms(io->ctx) + w->req_timeout_ms;
	ike_sa_timer_touch(sa);
	ike_msg_xmit(sa, buf, len);
	return 0;
}

int
ike_msg_respond(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	struct ike_msg_win *w = &sa->win;
	uint8_t *copy = ike_msg_dup(buf, len);

	free(w->resp);
	w->resp = copy;
	w->resp_len = copy != NULL ? len : 0;
	w->resp_valid = copy != NULL;
	w->peer_id = w->cur_id + 1;
	ike_msg_xmit(sa, buf, len);
	return copy != NULL ? 0 : -1;
}

int
ike_msg_send_once(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	if (sa->win.req_active)
		return -1;
	sa->win.next_id++;
	return ike_msg_xmit(sa, buf, len);
}

void
ike_msg_resend(struct ike_sa *sa)
{
	if (!sa->win.resp_valid)
		return;
	ike_sa_count(sa->tbl, IKE_ST_RETRANS_ANSWERED);
	ike_msg_xmit(sa, sa->win.resp, sa->win.resp_len);
}

void
ike_msg_rewind_init(struct ike_sa *sa)
{
	if (!sa->win.req_active)
		sa->win.next_id = 0;
}

int
ike_msg_timer(struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_msg_win *w = &sa->win;
	unsigned max = w->req_max_tries != 0 ? w->req_max_tries : sa->tbl->rtx_tries;

	if (!w->req_active || now_ms < w->req_due_ms)
		return 0;
	if (w->req_tries >= max)
		return -1;
	w->req_tries++;
	/* A constant interval is the request's own (racoon's dpd_retry); else back off. */
	if (w->req_every_ms == 0)
		w->req_timeout_ms = w->req_timeout_ms <= UINT32_MAX / 2 ? w->req_timeout_ms * 2 :
		    UINT32_MAX;
	w->req_due_ms = now_ms + w->req_timeout_ms;
	ike_sa_timer_touch(sa);
	ike_sa_count(sa->tbl, IKE_ST_RETRANSMIT);
	log_debug_f(IKE_SPI_FMT ": retransmitting message %u (try %u)", IKE_SPI_ARGS(sa),
	    w->req_id, w->req_tries);
	ike_msg_xmit(sa, w->req, w->req_len);
	return 0;
}
