/*
 * gen_ike_sk_corpus.c: writes the seeds of fuzz_ike_sk.
 *
 *   gen_ike_sk_corpus tests/corpus/ike_sk
 *
 * Sealed seeds carry inner payload chains as a real peer sends them
 * (made with ike_pld.h's builder, SPIs and selectors taken from a fresh
 * pair), raw seeds whole datagrams a node of a fresh pair sent. Every
 * seed is run through the harness before it is written: one that its
 * target drops (it received nothing, or a drop counter moved) makes the
 * run fail, so the corpus only holds inputs that reach the handlers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dh.h"
#include "exch_child.h"
#include "exch_info.h"
#include "exch_rekey.h"
#include "fuzz_ike_sk_env.h"
#include "log.h"

#define SEED_MAX	(SK_SEALED_HDR + IKE_MSG_MAX)

struct seed {
	uint8_t		b[SEED_MAX];
	size_t		len;
};

/* An inner payload chain: the SK payload's Next Payload and the payloads. */
struct chain {
	uint8_t		first;
	size_t		len;
	uint8_t		p[IKE_MSG_MAX];
	struct ike_build b;
	uint8_t		buf[IKE_MSG_MAX];
};

static const char	*out_dir;
static int		 nfail;

static void
gen_fatal(const char *what)
{
	fprintf(stderr, "gen_ike_sk_corpus: %s\n", what);
	exit(1);
}

/* Opens an SK payload in a message of exch; only what goes inside SK is kept. */
static void
chain_begin(struct chain *c, uint8_t exch)
{
	struct ike_hdr h = { .exch = exch, .msgid = 2 };

	ike_build_init(&c->b, c->buf, sizeof(c->buf));
	ike_build_header(&c->b, &h);
	ike_build_sk_begin(&c->b, 0);
}

/* Closes SK without padding or ICV and keeps what lies between. */
static void
chain_end(struct chain *c)
{
	struct ike_sk_layout l;
	size_t len;

	if (ike_build_sk_end(&c->b, 1, 0, &l) != 0 || ike_build_finish(&c->b, &len) != 0 ||
	    l.plain_len == 0)
		gen_fatal("cannot build an inner chain");
	c->first = c->buf[l.sk_off];
	c->len = l.plain_len - 1;	/* without Pad Length */
	memcpy(c->p, c->buf + l.plain_off, c->len);
}

static void
seed_sealed(struct seed *s, uint8_t mode, enum sk_setup setup, uint8_t ctrl,
    const struct chain *c)
{
	s->b[SK_OFF_MODE] = mode;
	s->b[SK_OFF_SETUP] = (uint8_t)setup;
	s->b[SK_OFF_CTRL] = ctrl;
	s->b[SK_OFF_BODY] = c->first;
	memcpy(s->b + SK_SEALED_HDR, c->p, c->len);
	s->len = SK_SEALED_HDR + c->len;
}

/* Runs s through the harness, checks that its target took it, and writes it. */
static void
seed_put(const char *name, const struct seed *s)
{
	struct sk_outcome o;
	char path[4096];
	FILE *f;

	if (sk_run(s->b, s->len, &o) != 0)
		gen_fatal("seed too short");
	printf("%-24s %5zu bytes  node %d: rx %llu tx %llu drops %llu, SAs %zu, "
	    "installs %zu, deletes %zu\n", name, s->len, o.target, (unsigned long long)o.rx,
	    (unsigned long long)o.tx, (unsigned long long)o.drops, o.nsa, o.installs, o.dels);
	if (o.rx == 0 || o.drops != 0) {
		fprintf(stderr, "gen_ike_sk_corpus: %s: dropped by its target\n", name);
		nfail++;
	}
	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(s->b, 1, s->len, f) != s->len ||
	    fclose(f) != 0) {
		fprintf(stderr, "gen_ike_sk_corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* The one SA of node i of a fresh pair of suite st and its Child SA. */
static const struct ike_child *
fresh_child(enum suite st, int i)
{
	static struct ike_child c;
	struct pair *p = sk_pair_new(st);

	c = *mock_only_sa(&p->n[i])->children;
	pair_free(p);
	return &c;
}

/*
 * TSi, TSr for child's owner: of an exchange its peer starts, or (answer)
 * of one it starts itself.
 */
static void
chain_ts(struct chain *c, const struct ike_child *child, bool answer)
{
	const struct ike_tsl *ti = answer ? &child->ts_local : &child->ts_remote;
	const struct ike_tsl *tr = answer ? &child->ts_remote : &child->ts_local;
	struct ike_ts ts[IKE_TSL_MAX];

	ike_ts_to_pld(ti, ts);
	ike_build_ts(&c->b, IKE_PT_TSI, ts, ti->n);
	ike_ts_to_pld(tr, ts);
	ike_build_ts(&c->b, IKE_PT_TSR, ts, tr->n);
}

static void
chain_sa(struct chain *c, const struct ike_prop *prop, uint8_t spisize, uint64_t spi)
{
	struct ike_prop p = *prop;
	struct ike_sa_pld pld;

	p.spisize = spisize;
	exch_prop_set_spi(&p, spi);
	if (exch_props_to_pld(&p, 1, false, &pld) != 0)
		gen_fatal("proposal");
	ike_build_sa(&c->b, &pld);
}

static void
chain_nonce(struct chain *c, uint8_t fill)
{
	uint8_t n[32];

	memset(n, fill, sizeof(n));
	ike_build_nonce(&c->b, n, sizeof(n));
}

/* A KE payload of group with a public value of a fixed private one. */
static void
chain_ke(struct chain *c, uint16_t group)
{
	static const uint8_t priv[32] = { 0x42, 0x13, 0x37, 0x99, 0x05, 0x77, 0x21, 0x60 };
	uint8_t pub[DH_PUB_MAX];
	struct dh *dh;

	if ((dh = dh_new_fixed(group, priv, sizeof(priv))) == NULL ||
	    dh_public(dh, pub, sizeof(pub)) != 0)
		gen_fatal("key exchange");
	ike_build_ke(&c->b, group, pub, dh->publen);
	dh_free(dh);
}

/*
 * CREATE_CHILD_SA to child's owner: a request rekeying child (rekey), one
 * asking for a new pair, or the answer to the owner's rekey (answer).
 */
static void
chain_child(struct chain *c, enum suite st, const struct ike_child *child, bool rekey,
    bool answer)
{
	struct ike_prop esp;

	esp_suite(&esp, st);
	chain_begin(c, IKE_EXCH_CREATE_CHILD_SA);
	if (rekey)
		ike_build_notify(&c->b, IKE_PROTO_ESP, IKE_N_REKEY_SA, 4, child->spi_out, NULL, 0);
	chain_sa(c, &esp, 4, 0xc5000001u);
	chain_nonce(c, 0x5a);
	chain_ts(c, child, answer);
	chain_end(c);
}

/* CREATE_CHILD_SA rekeying the IKE SA: SA(IKE, SPI), N, KE. */
static void
chain_ike(struct chain *c, enum suite st)
{
	struct ike_prop ike;

	ike_suite(&ike, st);
	chain_begin(c, IKE_EXCH_CREATE_CHILD_SA);
	chain_sa(c, &ike, 8, 0x1122334455667788ull);
	chain_nonce(c, 0xa5);
	chain_ke(c, proposal_get(&ike, PROP_T_KE)->id);
	chain_end(c);
}

/* INFORMATIONAL with a Delete (ESP spi, or IKE if spi is 0) and/or a notification. */
static void
chain_info(struct chain *c, bool del, uint32_t spi, uint16_t notify)
{
	chain_begin(c, IKE_EXCH_INFORMATIONAL);
	if (notify != 0)
		ike_build_notify(&c->b, 0, notify, 0, 0, NULL, 0);
	if (del)
		ike_build_delete(&c->b, spi != 0 ? IKE_PROTO_ESP : IKE_PROTO_IKE, &spi,
		    spi != 0 ? 1 : 0);
	chain_end(c);
}

static void
put_sealed(const char *name, uint8_t mode, enum sk_setup setup, uint8_t ctrl,
    const struct chain *c)
{
	static struct seed s;

	seed_sealed(&s, mode, setup, ctrl, c);
	seed_put(name, &s);
}

#define INFO	0	/* SK_CTRL_EXCH values */
#define CHILD	1
#define AUTH	2
#define RESP	SK_CTRL_RESPONSE

/* Requests of the original initiator to the responder (node 1), GCM. */
static void
gen_requests(struct chain *c)
{
	const struct ike_child *ch = fresh_child(S_GCM, 1);

	chain_info(c, false, 0, 0);
	put_sealed("info-empty", 0, SK_SETUP_NONE, INFO, c);
	put_sealed("info-empty-natt", SK_MODE_NATT, SK_SETUP_NONE, INFO, c);
	put_sealed("info-empty-later", SK_MODE_CLOCK(SK_CLOCK_HOURS), SK_SETUP_NONE, INFO, c);
	put_sealed("info-retransmit", 0, SK_SETUP_NONE, INFO | SK_CTRL_RETRANSMIT, c);
	chain_info(c, true, ch->spi_out, 0);
	put_sealed("info-delete-esp", SK_MODE_CLOCK(SK_CLOCK_MINUTES), SK_SETUP_NONE, INFO, c);
	chain_info(c, true, 0, 0);
	put_sealed("info-delete-ike", 0, SK_SETUP_NONE, INFO, c);
	chain_info(c, false, 0, IKE_N_AUTHENTICATION_FAILED);
	put_sealed("info-notify-auth-failed", 0, SK_SETUP_NONE, INFO, c);
	chain_info(c, false, 0, IKE_N_UPDATE_SA_ADDRESSES);
	put_sealed("info-notify-status", 0, SK_SETUP_NONE, INFO, c);
	chain_child(c, S_GCM, ch, true, false);
	put_sealed("child-rekey", SK_MODE_CLOCK(SK_CLOCK_SECONDS), SK_SETUP_NONE, CHILD, c);
	chain_child(c, S_GCM, ch, false, false);
	put_sealed("child-new", 0, SK_SETUP_NONE, CHILD, c);
	chain_ike(c, S_GCM);
	put_sealed("ike-rekey", 0, SK_SETUP_NONE, CHILD, c);
}

/* Answers to the responder's own requests, and requests crossing them. */
static void
gen_answers(struct chain *c)
{
	const struct ike_child *ch = fresh_child(S_GCM, 1);
	const uint8_t later = SK_MODE_CLOCK(SK_CLOCK_SECONDS);

	chain_info(c, false, 0, 0);
	put_sealed("resp-liveness", 0, SK_SETUP_LIVENESS, RESP, c);
	put_sealed("resp-delete-ike", 0, SK_SETUP_DEL_IKE, RESP, c);
	chain_info(c, true, ch->spi_out, 0);
	put_sealed("resp-delete-esp", 0, SK_SETUP_DEL_CHILD, RESP, c);
	chain_child(c, S_GCM, ch, false, true);
	put_sealed("resp-child-rekey", later, SK_SETUP_CHILD_REKEY, RESP, c);
	put_sealed("cross-child-answer", later, SK_SETUP_CHILD_CROSS, RESP, c);
	chain_info(c, false, 0, IKE_N_TEMPORARY_FAILURE);
	put_sealed("resp-child-tempfail", 0, SK_SETUP_CHILD_REKEY, RESP, c);
	chain_ike(c, S_GCM);
	put_sealed("resp-ike-rekey", 0, SK_SETUP_IKE_REKEY, RESP, c);
	put_sealed("cross-ike-answer", later, SK_SETUP_IKE_CROSS, RESP, c);
	chain_child(c, S_GCM, ch, true, false);
	put_sealed("collide-child-rekey", 0, SK_SETUP_CHILD_REKEY, CHILD, c);
	chain_ike(c, S_GCM);
	put_sealed("collide-ike-rekey", 0, SK_SETUP_IKE_REKEY, CHILD, c);
	chain_info(c, true, ch->spi_out, 0);
	put_sealed("peer-child-then-delete", 0, SK_SETUP_PEER_CHILD, INFO, c);
	chain_info(c, true, 0, 0);
	put_sealed("peer-ike-then-delete", 0, SK_SETUP_PEER_IKE, INFO, c);
	put_sealed("rekeyed-delete-old", 0, SK_SETUP_IKE_REKEYED, INFO, c);
	chain_info(c, false, 0, 0);
	put_sealed("rekeyed-info-new", SK_MODE_NEWEST | SK_MODE_CLOCK(SK_CLOCK_MINUTES),
	    SK_SETUP_IKE_REKEYED, INFO, c);
}

/*
 * The inner chain of queued datagram 0 of p, decrypted by the newest SA
 * of its receiver as ike_msg_open() does (RFC 7296 3.14), in a copy: the
 * datagram stays queued as it was.
 */
static void
chain_open(struct chain *c, struct pair *p)
{
	static struct ike_msg m;
	static uint8_t buf[IKE_MSG_MAX];
	const struct mock_dgram *d = &p->net.q[0];
	struct ike_sa *sa = p->n[1 - d->from].t->all;
	size_t ct_off, ct_len;

	if (p->net.n == 0 || d->marker || d->len > sizeof(buf))
		gen_fatal("no IKE_AUTH message");
	memcpy(buf, d->p, d->len);
	if (ike_parse(buf, d->len, &m) != 0 || ike_msg_open(sa, buf, d->len, &m) != IKE_OPEN_OK)
		gen_fatal("cannot open the IKE_AUTH message");
	ct_off = m.sk.aad_len + sa->prot.iv_len;
	ct_len = m.sk.body.len - sa->prot.iv_len - sa->prot.icv_len;
	c->first = m.sk.first;
	c->len = ct_len - 1 - buf[ct_off + ct_len - 1];
	memcpy(c->p, buf + ct_off, c->len);
}

/*
 * IKE_AUTH of a second IKE SA (SK_SETUP_AUTH), as real peers send it:
 * the request to node 1's half-open SA, the response to node 0's.
 */
static void
gen_auth(struct chain *c)
{
	struct pair *p = sk_pair_new(S_GCM);

	if (exch_initiate(p->n[0].t, &p->n[0].cfg, NULL) == NULL)
		gen_fatal("initiate");
	mock_run(&p->net, 2);
	chain_open(c, p);
	put_sealed("auth-request", SK_MODE_NEWEST, SK_SETUP_AUTH, AUTH, c);
	mock_deliver(&p->net);
	chain_open(c, p);
	pair_free(p);
	put_sealed("auth-response", SK_MODE_NEWEST | SK_MODE_NODE0, SK_SETUP_AUTH, AUTH | RESP, c);
}

/* The other suites, and the original initiator (node 0) as the target. */
static void
gen_others(struct chain *c)
{
	const struct ike_child *ch;

	chain_info(c, false, 0, 0);
	put_sealed("cbc-info-empty", S_CBC, SK_SETUP_NONE, INFO, c);
	put_sealed("chacha-info-empty", S_CHACHA, SK_SETUP_NONE, INFO, c);
	/* No payloads, then the padding and Pad Length a peer chose: one block. */
	memset(c->p, 0, CRYPTO_AES_BLOCK);
	c->len = CRYPTO_AES_BLOCK;
	c->p[c->len - 1] = CRYPTO_AES_BLOCK - 1;
	put_sealed("cbc-info-padded", S_CBC, SK_SETUP_NONE, INFO | SK_CTRL_VERBATIM, c);
	ch = fresh_child(S_CBC, 1);
	chain_child(c, S_CBC, ch, true, false);
	put_sealed("cbc-child-rekey", S_CBC, SK_SETUP_NONE, CHILD, c);
	ch = fresh_child(S_GCM, 0);
	chain_info(c, true, ch->spi_out, 0);
	put_sealed("node0-delete-esp", SK_MODE_NODE0, SK_SETUP_NONE, INFO, c);
	chain_child(c, S_GCM, ch, true, false);
	put_sealed("node0-child-rekey", SK_MODE_NODE0, SK_SETUP_NONE, CHILD, c);
}

/* Queued datagram 0 of p (without any marker) as a raw seed; frees p. */
static void
put_raw(const char *name, struct pair *p, uint8_t mode, enum sk_setup setup, uint8_t ctrl)
{
	static struct seed s;
	const struct mock_dgram *d = &p->net.q[0];
	size_t off = d->marker ? IKE_MARKER_LEN : 0;

	if (p->net.n == 0 || d->len <= off || d->len - off > IKE_MSG_MAX)
		gen_fatal("nothing was sent");
	s.b[SK_OFF_MODE] = mode | SK_MODE_RAW;
	s.b[SK_OFF_SETUP] = (uint8_t)setup;
	s.b[SK_OFF_CTRL] = ctrl;
	memcpy(s.b + SK_OFF_BODY, d->p + off, d->len - off);
	s.len = SK_OFF_BODY + d->len - off;
	pair_free(p);
	seed_put(name, &s);
}

/* Whole datagrams a node of a fresh pair sends, as the other one gets them. */
static void
gen_raw(void)
{
	const uint8_t patch = SK_CTRL_PATCH_SPI | SK_CTRL_PATCH_ID;
	struct ike_sa *sa;
	struct pair *p;

	p = sk_pair_new(S_GCM);
	exch_info_liveness(mock_only_sa(&p->n[0]));
	put_raw("raw-liveness", p, 0, SK_SETUP_NONE, patch);
	p = sk_pair_new(S_GCM);
	sa = mock_only_sa(&p->n[0]);
	exch_child_rekey(sa, sa->children->spi_in);
	put_raw("raw-child-rekey", p, 0, SK_SETUP_NONE, 0);
	p = sk_pair_new(S_CBC);
	exch_info_delete(mock_only_sa(&p->n[0]), IKE_F_LOCAL);
	put_raw("raw-cbc-delete-ike", p, S_CBC, SK_SETUP_NONE, patch);
	p = sk_pair_new(S_GCM);
	exch_info_liveness(mock_only_sa(&p->n[1]));
	put_raw("raw-node0-liveness", p, SK_MODE_NODE0, SK_SETUP_NONE, 0);
	p = sk_pair_new(S_GCM);
	if (exch_initiate(p->n[0].t, &p->n[0].cfg, NULL) == NULL)
		gen_fatal("initiate");
	put_raw("raw-ike-sa-init", p, 0, SK_SETUP_NONE, 0);
	p = sk_pair_new(S_GCM);
	if (exch_initiate(p->n[0].t, &p->n[0].cfg, NULL) == NULL)
		gen_fatal("initiate");
	mock_run(&p->net, 2);
	put_raw("raw-auth-request", p, SK_MODE_NEWEST, SK_SETUP_AUTH, patch);
}

int
main(int argc, char **argv)
{
	static struct chain c;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_ike_sk_corpus dir\n");
		return 2;
	}
	out_dir = argv[1];
	log_init(true, -2, "gen_ike_sk_corpus");
	gen_requests(&c);
	gen_answers(&c);
	gen_auth(&c);
	gen_others(&c);
	gen_raw();
	sk_env_free();
	if (nfail > 0)
		fprintf(stderr, "gen_ike_sk_corpus: %d seeds dropped\n", nfail);
	return nfail > 0 ? 1 : 0;
}
