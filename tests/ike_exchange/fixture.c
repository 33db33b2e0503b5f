/*
 * fixture.c: two ikd instances wired through mock.h, their configuration,
 * and what the tests of this directory check about them; see fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/ipsec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

void
xf_add(struct ike_prop *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	p->xf[p->ntrans++] = (struct ike_xform){ .type = type, .id = id, .keylen = keylen };
}

/* AES-GCM-16-256/PRF-SHA2-256/X25519, AES-CBC-256/HMAC-SHA2-256/P-256, ChaCha20/MODP-2048. */
void
ike_suite(struct ike_prop *p, enum suite s)
{
	memset(p, 0, sizeof(*p));
	p->num = 1;
	p->proto = PROP_PROTO_IKE;
	switch (s) {
	case S_GCM:
		xf_add(p, PROP_T_ENCR, IKE_ENCR_AES_GCM_16, 256);
		xf_add(p, PROP_T_PRF, IKE_PRF_HMAC_SHA2_256, 0);
		xf_add(p, PROP_T_KE, IKE_DH_CURVE25519, 0);
		break;
	case S_CBC:
		xf_add(p, PROP_T_ENCR, IKE_ENCR_AES_CBC, 256);
		xf_add(p, PROP_T_PRF, IKE_PRF_HMAC_SHA2_256, 0);
		xf_add(p, PROP_T_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
		xf_add(p, PROP_T_KE, IKE_DH_ECP_256, 0);
		break;
	case S_CHACHA:
		xf_add(p, PROP_T_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
		xf_add(p, PROP_T_PRF, IKE_PRF_HMAC_SHA2_256, 0);
		xf_add(p, PROP_T_KE, IKE_DH_MODP_2048, 0);
		break;
	}
}

void
esp_suite(struct ike_prop *p, enum suite s)
{
	memset(p, 0, sizeof(*p));
	p->num = 1;
	p->proto = PROP_PROTO_ESP;
	p->spisize = 4;
	switch (s) {
	case S_GCM:
		xf_add(p, PROP_T_ENCR, IKE_ENCR_AES_GCM_16, 256);
		xf_add(p, PROP_T_ESN, PROP_ESN_NO, 0);
		break;
	case S_CBC:
		xf_add(p, PROP_T_ENCR, IKE_ENCR_AES_CBC, 256);
		xf_add(p, PROP_T_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
		xf_add(p, PROP_T_ESN, PROP_ESN_NO, 0);
		break;
	case S_CHACHA:
		xf_add(p, PROP_T_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
		xf_add(p, PROP_T_ESN, PROP_ESN_YES, 0);
		xf_add(p, PROP_T_ESN, PROP_ESN_NO, 0);
		break;
	}
}

void
addr_set(struct gw_addr *a, const char *s)
{
	if (addr_parse_prefix(s, a) != 0)
		fail_msg("bad address %s", s);
}

/* Node side 0 is 192.0.2.1 with 10.1.0.0/16 behind it, side 1 192.0.2.2 with 10.2.0.0/16. */
void
cfg_make(struct ike_cfg_peer *c, int side, enum suite s)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "gw-%c", side == 0 ? 'b' : 'a');
	addr_set(&c->local, side == 0 ? "192.0.2.1" : "192.0.2.2");
	addr_set(&c->remote, side == 0 ? "192.0.2.2" : "192.0.2.1");
	ike_suite(&c->ike[0], s);
	c->nike = 1;
	esp_suite(&c->esp[0], s);
	c->nesp = 1;
	addr_set(&c->ts[0].sel.src, side == 0 ? "10.1.0.0/16" : "10.2.0.0/16");
	addr_set(&c->ts[0].sel.dst, side == 0 ? "10.2.0.0/16" : "10.1.0.0/16");
	c->ts[0].sel.proto = 255;
	c->ts[0].reqid = REQID;
	c->nts = 1;
	c->ike_lifetime_s = 14400;
	c->child_lifetime = (struct ike_lifetime){ .soft_s = 2700, .hard_s = 3600 };
	c->psk_fn = mock_psk;
}

void
node_psk(struct mock_node *nd, const char *psk)
{
	nd->psk_len = strlen(psk);
	memcpy(nd->psk, psk, nd->psk_len);
	nd->cfg.psk_ctx = nd;
}

struct pair *
pair_new2(enum suite si, enum suite sr)
{
	struct ike_cfg_peer c;
	struct pair *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fail_msg("no memory");
	cfg_make(&c, 0, si);
	mock_node_init(&p->n[0], &p->net, 0, &c);
	cfg_make(&c, 1, sr);
	mock_node_init(&p->n[1], &p->net, 1, &c);
	node_psk(&p->n[0], PSK_TEXT);
	node_psk(&p->n[1], PSK_TEXT);
	return p;
}

struct pair *
pair_new(enum suite s)
{
	return pair_new2(s, s);
}

void
pair_free(struct pair *p)
{
	mock_node_free(&p->n[0]);
	mock_node_free(&p->n[1]);
	free(p);
}

struct ike_sa *
pair_start(struct pair *p)
{
	struct ike_sa *sa = exch_initiate(p->n[0].t, &p->n[0].cfg, NULL);

	assert_non_null(sa);
	assert_int_equal(sa->state, IKE_S_INIT_SENT);
	return sa;
}

static void
key_eq(const struct gw_key *a, const struct gw_key *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->b, b->b, a->len);
}

static void
tsl_eq(const struct ike_tsl *a, const struct ike_tsl *b)
{
	char x[256], y[256];

	assert_string_equal(ike_ts_list_str(a, x, sizeof(x)), ike_ts_list_str(b, y, sizeof(y)));
}

/* Both SAs up, one Child SA pair each, mirror images of each other. */
void
check_established(struct pair *p)
{
	struct ike_sa *i = mock_only_sa(&p->n[0]), *r = mock_only_sa(&p->n[1]);
	const struct ike_child_sa *a, *b;

	assert_non_null(i);
	assert_non_null(r);
	assert_int_equal(i->state, IKE_S_ESTABLISHED);
	assert_int_equal(r->state, IKE_S_ESTABLISHED);
	assert_true(i->spi_i == r->spi_i && i->spi_r == r->spi_r);
	assert_int_equal(mock_live(&p->n[0].sink), 1);
	assert_int_equal(mock_live(&p->n[1].sink), 1);
	assert_int_equal(mock_larval(&p->n[0].sink), 0);
	assert_int_equal(mock_larval(&p->n[1].sink), 0);
	a = &p->n[0].sink.sa[0].sa;
	b = &p->n[1].sink.sa[0].sa;
	assert_int_equal(a->spi_in, b->spi_out);
	assert_int_equal(a->spi_out, b->spi_in);
	assert_int_not_equal(a->spi_in, a->spi_out);
	assert_int_equal(a->enc_alg, b->enc_alg);
	assert_int_equal(a->auth_alg, b->auth_alg);
	assert_int_equal(a->esn, b->esn);
	assert_int_equal(a->mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(a->reqid, REQID);
	assert_int_equal(b->reqid, REQID);
	key_eq(&a->enc_out, &b->enc_in);
	key_eq(&a->enc_in, &b->enc_out);
	key_eq(&a->auth_out, &b->auth_in);
	key_eq(&a->auth_in, &b->auth_out);
	assert_memory_not_equal(a->enc_in.b, a->enc_out.b, a->enc_in.len);
	tsl_eq(&a->ts_local, &b->ts_remote);
	tsl_eq(&a->ts_remote, &b->ts_local);
	assert_true(addr_eq(&a->local, &b->remote) || p->net.nat);
	assert_int_equal(p->n[0].nestablished, 1);
	assert_int_equal(p->n[1].nestablished, 1);
	assert_int_equal(p->n[1].t->half_open, 0);
}

uint64_t
nstat(const struct mock_node *nd, enum ike_stat s)
{
	return nd->t->stats[s];
}

/* No drops anywhere: what a clean exchange looks like. */
void
check_no_drops(const struct pair *p)
{
	int i, s;

	for (i = 0; i < 2; i++)
		for (s = IKE_ST_DROP_MARKER; s <= IKE_ST_DROP_INVALID; s++)
			if (nstat(&p->n[i], s) != 0)
				fail_msg("node %d: %s = %llu", i, ike_sa_stat_name(s),
				    (unsigned long long)nstat(&p->n[i], s));
}

void
check_peer_has_out(const struct pair *p)
{
	const struct mock_sink *a, *b;
	size_t i, j;
	int k;

	for (k = 0; k < 2; k++) {
		a = &p->n[k].sink;
		b = &p->n[1 - k].sink;
		for (i = 0; i < a->nsa; i++) {
			if (!a->sa[i].out_live)
				continue;
			for (j = 0; j < b->nsa && b->sa[j].sa.spi_in != a->sa[i].sa.spi_out; j++)
				;
			if (j == b->nsa)
				fail_msg("node %d sends on SA %08x, which node %d never installed",
				    k, a->sa[i].sa.spi_out, 1 - k);
		}
	}
}

void
check_usable(const struct pair *p)
{
	const struct mock_sink *a = &p->n[0].sink, *b = &p->n[1].sink;
	size_t i, j;

	for (i = 0; i < a->nsa; i++)
		for (j = 0; j < b->nsa; j++)
			if (a->sa[i].in_live && a->sa[i].out_live && b->sa[j].in_live &&
			    b->sa[j].out_live && a->sa[i].sa.spi_in == b->sa[j].sa.spi_out &&
			    a->sa[i].sa.spi_out == b->sa[j].sa.spi_in)
				return;
	fail_msg("no Child SA pair is usable both ways");
}

size_t
hexdec(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int v;

	assert_true(strlen(hex) % 2 == 0 && n <= cap);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

void
assert_hex(const uint8_t *p, size_t len, const char *hex)
{
	uint8_t want[IKE_MSG_MAX];
	size_t n = hexdec(hex, want, sizeof(want));

	assert_int_equal(len, n);
	assert_memory_equal(p, want, n);
}

/* Captures what lib/log writes to stderr. */
static FILE *logcap;
static int logcap_saved = -1;
static char logbuf[65536];

void
log_capture(void)
{
	fflush(stderr);
	logcap = tmpfile();
	assert_non_null(logcap);
	logcap_saved = dup(2);
	dup2(fileno(logcap), 2);
}

const char *
log_captured(void)
{
	size_t n;

	fflush(stderr);
	dup2(logcap_saved, 2);
	close(logcap_saved);
	rewind(logcap);
	n = fread(logbuf, 1, sizeof(logbuf) - 1, logcap);
	logbuf[n] = '\0';
	fclose(logcap);
	return logbuf;
}

void
log_has(const char *log, const char *what)
{
	if (strstr(log, what) != NULL)
		return;
	fputs(log, stderr);
	fail_msg("the log above lacks \"%s\"", what);
}

/* The IKE message in queued datagram i, after the marker. */
uint8_t *
q_msg(struct pair *p, size_t i, size_t *len)
{
	struct mock_dgram *d = &p->net.q[i];
	size_t off = d->marker ? IKE_MARKER_LEN : 0;

	assert_true(i < p->net.n && d->len > off + IKE_HDR_LEN);
	*len = d->len - off;
	return d->p + off;
}

/* Exchange type of queued datagram i. */
uint8_t
q_exch(struct pair *p, size_t i)
{
	size_t len;

	return q_msg(p, i, &len)[IKE_HDR_NEXT_OFF + 2];
}

/* Lets ms pass in 100 ms steps, timers running. */
void
run_clock(struct pair *p, uint64_t ms)
{
	while (ms >= 100) {
		mock_advance(&p->net, 100);
		ms -= 100;
	}
	if (ms > 0)
		mock_advance(&p->net, ms);
}

struct pair *
pair_established(enum suite s)
{
	struct pair *p = pair_new(s);

	pair_start(p);
	mock_run(&p->net, 8);
	check_established(p);
	return p;
}

static const uint8_t vendor_id[16] = "strongSwan-5.9.8";

/* Replaces the sender's own copy of the IKE_SA_INIT message it sent. */
static void
keep_copy(uint8_t **dst, size_t *dlen, const uint8_t *p, size_t len)
{
	free(*dst);
	*dst = malloc(len);
	assert_non_null(*dst);
	memcpy(*dst, p, len);
	*dlen = len;
}

/* Rewrites queued IKE_SA_INIT message 0 with extra notifications and a Vendor ID. */
void
init_add_extras(struct pair *p)
{
	static const uint16_t extra[] = { IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
	    IKE_N_REDIRECT_SUPPORTED, IKE_N_CHILDLESS_IKEV2_SUPPORTED,
	    IKE_N_MULTIPLE_AUTH_SUPPORTED, 40001 };
	struct ike_msg *m = malloc(sizeof(*m));
	struct mock_dgram *d = &p->net.q[0];
	struct ike_sa *s = mock_only_sa(&p->n[d->from]);
	const struct ike_notify *n;
	uint8_t out[IKE_MSG_MAX];
	struct ike_build b;
	size_t i, len;

	assert_non_null(m);
	assert_int_equal(ike_parse(d->p, d->len, m), 0);
	ike_build_init(&b, out, sizeof(out));
	ike_build_header(&b, &m->hdr);
	ike_build_notify(&b, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, 0, 0,
	    (const uint8_t *)"\x00\x02\x00\x03\x00\x04", 6);
	ike_build_sa(&b, &m->sa);
	ike_build_ke(&b, m->ke.group, m->ke.data.p, m->ke.data.len);
	ike_build_nonce(&b, m->nonce.p, m->nonce.len);
	ike_build_vendor(&b, vendor_id, sizeof(vendor_id));
	for (i = 0; i < m->nnotify; i++) {
		n = &m->notify[i];
		ike_build_notify(&b, n->proto, n->type, 0, 0, n->data.p, n->data.len);
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		ike_build_notify(&b, 0, extra[i], 0, 0, NULL, 0);
	assert_int_equal(ike_build_finish(&b, &len), 0);
	memcpy(d->p, out, len);
	d->len = len;
	if (d->from == 0)
		keep_copy(&s->init_req, &s->init_req_len, out, len);
	else
		keep_copy(&s->init_resp, &s->init_resp_len, out, len);
	free(m);
}

/* The IKE_AUTH payloads of m again, with extras around them. */
static void
auth_rebuild(struct ike_build *b, const struct ike_msg *m, bool response, bool critical)
{
	static const uint16_t mid[] = { IKE_N_MOBIKE_SUPPORTED, IKE_N_MULTIPLE_AUTH_SUPPORTED,
	    IKE_N_EAP_ONLY_AUTHENTICATION, IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED };
	static const uint16_t end[] = { IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED,
	    IKE_N_NON_FIRST_FRAGMENTS_ALSO, 40002 };
	const struct ike_id *id = response ? &m->idr : &m->idi;
	size_t i;

	ike_build_id(b, response ? IKE_PT_IDR : IKE_PT_IDI, id->type, id->data.p, id->data.len);
	if (!response)
		ike_build_notify(b, 0, IKE_N_INITIAL_CONTACT, 0, 0, NULL, 0);
	ike_build_auth(b, m->auth.method, m->auth.data.p, m->auth.data.len);
	for (i = 0; i < sizeof(mid) / sizeof(mid[0]); i++)
		ike_build_notify(b, 0, mid[i], 0, 0, NULL, 0);
	ike_build_notify(b, 0, IKE_N_ADDITIONAL_IP4_ADDRESS, 0, 0,
	    (const uint8_t *)"\x0a\x01\x00\x01", 4);
	ike_build_sa(b, &m->sa);
	ike_build_ts(b, IKE_PT_TSI, m->tsi.ts, m->tsi.n);
	ike_build_ts(b, IKE_PT_TSR, m->tsr.ts, m->tsr.n);
	for (i = 0; i < sizeof(end) / sizeof(end[0]); i++)
		ike_build_notify(b, 0, end[i], 0, 0, NULL, 0);
	ike_build_vendor(b, vendor_id, sizeof(vendor_id));
	/* A payload type nobody has, which the receiver must not skip. */
	if (critical)
		ike_build_raw(b, 200, true, (const uint8_t *)"?", 1);
}

/* Decrypts queued IKE_AUTH message 0 as its receiver would and seals it again with extras. */
void
auth_add_extras(struct pair *p, bool critical)
{
	struct ike_msg *m = malloc(sizeof(*m));
	struct mock_dgram *d = &p->net.q[0];
	struct ike_sa *s = mock_only_sa(&p->n[d->from]), *r = mock_only_sa(&p->n[1 - d->from]);
	uint8_t in[IKE_MSG_MAX], out[IKE_MSG_MAX], *raw;
	bool response = d->from == 1;
	uint32_t saved = s->win.next_id;
	struct ike_build b;
	size_t len, olen;

	assert_non_null(m);
	raw = q_msg(p, 0, &len);
	memcpy(in, raw, len);
	assert_int_equal(ike_parse(in, len, m), 0);
	assert_int_equal(ike_msg_open(r, in, len, m), 0);
	if (!response)
		s->win.next_id = m->hdr.msgid;
	assert_int_equal(ike_msg_start(s, &b, out, sizeof(out), IKE_EXCH_AUTH, response), 0);
	s->win.next_id = saved;
	auth_rebuild(&b, m, response, critical);
	assert_int_equal(ike_msg_finish(s, &b, out, &olen), 0);
	memcpy(raw, out, olen);
	d->len = (size_t)(raw - d->p) + olen;
	free(m);
}

