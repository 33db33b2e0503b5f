/*
 * test_ike_keydir.c: which half of KEYMAT keys which direction of a
 * Child SA (RFC 7296 2.17). KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr) is
 * split into the keys for what the initiator of the exchange that made
 * the pair sends, then those for what its responder sends. That
 * initiator is the IKE SA's initiator for the pair of IKE_AUTH, but
 * either side for a CREATE_CHILD_SA rekey, and the roles of an IKE SA
 * themselves change when the IKE SA is rekeyed (2.18).
 *
 * Two ikds that split by the wrong roles agree with each other, so
 * comparing the nodes proves nothing: the expected keys are computed
 * here, with prf+ written over OpenSSL's HMAC and X25519 (ikd uses its
 * own prf+ and libsodium), from SK_d and nonces scripted through the
 * mock RNG, and read back from the wire to show they are the
 * exchange's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "exch.h"
#include "exch_child.h"
#include "fixture.h"
#include "keymat.h"
#include "log.h"

#define NONCE_LEN	32	/* what ikd sends in IKE_SA_INIT and CREATE_CHILD_SA */
#define X25519_LEN	32
#define SHA256_LEN	32
#define SEED_MAX	(X25519_LEN + 2 * NONCE_LEN)
#define KEYMAT_LEN_MAX	(2 * (36 + 32))

/*
 * ESP key lengths of each fixture suite, salt included: AES-GCM-16-256
 * (RFC 4106 8.1), AES-CBC-256 with HMAC-SHA2-256-128 (RFC 4868 2.1.2),
 * ChaCha20-Poly1305 (RFC 7634 2).
 */
static const struct {
	size_t	enc;
	size_t	integ;
} esp_keylen[] = {
	[S_GCM] = { 36, 0 },
	[S_CBC] = { 32, 32 },
	[S_CHACHA] = { 36, 0 },
};

/* Fixed private values (valid X25519 and P-256 scalars) for nodes 0 and 1. */
static const uint8_t dh_priv[2][32] = {
	{ 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08, 0x19, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e,
	  0x7f, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x09, 0x1a, 0x2b, 0x3c, 0x4d,
	  0x5e, 0x6f, 0x70, 0x02 },
	{ 0x28, 0x39, 0x4a, 0x5b, 0x6c, 0x7d, 0x0e, 0x1f, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76,
	  0x07, 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x0f, 0x10, 0x31, 0x42, 0x53, 0x64,
	  0x75, 0x06, 0x17, 0x03 },
};

/* KEYMAT in its four parts: "i" for what the exchange's initiator sends. */
struct want {
	struct gw_key	enc_i;
	struct gw_key	auth_i;
	struct gw_key	enc_r;
	struct gw_key	auth_r;
};

/* prf+ (RFC 7296 2.13) over HMAC-SHA2-256, the PRF of every fixture suite. */
static void
prf_plus(const struct gw_key *key, const uint8_t *seed, size_t seedlen, uint8_t *out,
    size_t outlen)
{
	uint8_t in[SHA256_LEN + SEED_MAX + 1], t[SHA256_LEN];
	size_t tlen = 0, off = 0, n;
	unsigned int mdlen;
	unsigned int ctr;

	assert_true(seedlen <= SEED_MAX);
	for (ctr = 1; off < outlen; ctr++) {
		assert_true(ctr <= 255);
		memcpy(in, t, tlen);
		memcpy(in + tlen, seed, seedlen);
		in[tlen + seedlen] = (uint8_t)ctr;
		mdlen = sizeof(t);
		assert_non_null(HMAC(EVP_sha256(), key->b, (int)key->len, in,
		    tlen + seedlen + 1, t, &mdlen));
		assert_int_equal(mdlen, SHA256_LEN);
		tlen = mdlen;
		n = outlen - off < tlen ? outlen - off : tlen;
		memcpy(out + off, t, n);
		off += n;
	}
}

/* Takes len bytes of KEYMAT at *off into k. */
static void
want_take(struct gw_key *k, const uint8_t *keymat, size_t *off, size_t len)
{
	assert_true(len <= sizeof(k->b));
	memset(k, 0, sizeof(*k));
	k->len = (uint8_t)len;
	memcpy(k->b, keymat + *off, len);
	*off += len;
}

/*
 * The keys of an exchange with nonces ni and nr (NONCE_LEN bytes) and,
 * with PFS, the shared secret gir (X25519_LEN bytes; NULL without),
 * under sk_d for ESP suite s.
 */
static void
want_keys(const struct gw_key *sk_d, const uint8_t *gir, const uint8_t *ni, const uint8_t *nr,
    enum suite s, struct want *w)
{
	uint8_t seed[SEED_MAX], keymat[KEYMAT_LEN_MAX];
	size_t n = 0, off = 0, el = esp_keylen[s].enc, al = esp_keylen[s].integ;

	if (gir != NULL) {
		memcpy(seed, gir, X25519_LEN);
		n = X25519_LEN;
	}
	memcpy(seed + n, ni, NONCE_LEN);
	memcpy(seed + n + NONCE_LEN, nr, NONCE_LEN);
	n += 2 * NONCE_LEN;
	prf_plus(sk_d, seed, n, keymat, 2 * (el + al));
	want_take(&w->enc_i, keymat, &off, el);
	want_take(&w->auth_i, keymat, &off, al);
	want_take(&w->enc_r, keymat, &off, el);
	want_take(&w->auth_r, keymat, &off, al);
}

/* X25519 of node a's fixed private value with node b's public value, by OpenSSL. */
static void
x25519_gir(int a, int b, uint8_t out[static X25519_LEN])
{
	EVP_PKEY *ka, *kb, *pb;
	EVP_PKEY_CTX *ctx;
	uint8_t pub[X25519_LEN];
	size_t len = sizeof(pub);

	ka = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, dh_priv[a], X25519_LEN);
	kb = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, dh_priv[b], X25519_LEN);
	assert_true(ka != NULL && kb != NULL);
	assert_int_equal(EVP_PKEY_get_raw_public_key(kb, pub, &len), 1);
	pb = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, len);
	assert_non_null(pb);
	assert_non_null(ctx = EVP_PKEY_CTX_new(ka, NULL));
	assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(ctx, pb), 1);
	len = X25519_LEN;
	assert_int_equal(EVP_PKEY_derive(ctx, out, &len), 1);
	assert_int_equal(len, X25519_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pb);
	EVP_PKEY_free(kb);
	EVP_PKEY_free(ka);
}

/* Both nodes make their key pairs of group from dh_priv, not from the RNG. */
static void
fix_dh(struct pair *p, uint16_t group)
{
	int k;

	for (k = 0; k < 2; k++) {
		memcpy(p->n[k].dh_priv, dh_priv[k], sizeof(dh_priv[k]));
		p->n[k].dh_priv_len = sizeof(dh_priv[k]);
		p->n[k].dh_priv_group = group;
	}
}

/* A nonce no other test draws: tag in its first byte, a counting pattern after. */
static void
nonce_make(uint8_t tag, uint8_t out[static NONCE_LEN])
{
	size_t i;

	out[0] = tag;
	for (i = 1; i < NONCE_LEN; i++)
		out[i] = (uint8_t)(tag * 13 + i * 7);
}

/*
 * The nonce of queued datagram 0 as its receiver reads it (decrypted
 * with the receiver's IKE SA, except IKE_SA_INIT) must be want.
 */
static void
check_wire_nonce(struct pair *p, const uint8_t want[static NONCE_LEN])
{
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t buf[IKE_MSG_MAX], *raw;
	int rx = 1 - p->net.q[0].from;
	size_t len;

	assert_non_null(m);
	raw = q_msg(p, 0, &len);
	memcpy(buf, raw, len);
	assert_int_equal(ike_parse(buf, len, m), 0);
	if (q_exch(p, 0) != IKE_EXCH_SA_INIT)
		assert_int_equal(ike_msg_open(mock_only_sa(&p->n[rx]), buf, len, m), IKE_OPEN_OK);
	assert_true(ike_msg_has(m, IKE_PT_NONCE));
	assert_int_equal(m->nonce.len, NONCE_LEN);
	assert_memory_equal(m->nonce.p, want, NONCE_LEN);
	free(m);
}

/* got must be want; what names the key for the failure message. */
static void
key_is(const struct gw_key *got, const struct gw_key *want, const char *what)
{
	if (got->len != want->len || memcmp(got->b, want->b, want->len) != 0)
		fail_msg("%s: not the key expected (%u bytes, %u expected)", what, got->len,
		    want->len);
}

/*
 * ci is the new pair in the data path of the exchange's initiator, cr
 * in its responder's. The nodes agree (what one sends with, the other
 * receives with), and what the initiator sends carries the first keys
 * of KEYMAT, what the responder sends the second.
 */
static void
check_dirs(const struct mock_child *ci, const struct mock_child *cr, const struct want *w)
{
	assert_true(ci->in_live && ci->out_live && cr->in_live && cr->out_live);
	assert_int_equal(ci->sa.spi_out, cr->sa.spi_in);
	assert_int_equal(ci->sa.spi_in, cr->sa.spi_out);
	key_is(&cr->sa.enc_in, &ci->sa.enc_out, "ENCR: responder's in = initiator's out");
	key_is(&cr->sa.auth_in, &ci->sa.auth_out, "INTEG: responder's in = initiator's out");
	key_is(&cr->sa.enc_out, &ci->sa.enc_in, "ENCR: responder's out = initiator's in");
	key_is(&cr->sa.auth_out, &ci->sa.auth_in, "INTEG: responder's out = initiator's in");
	key_is(&ci->sa.enc_out, &w->enc_i, "initiator's outbound ENCR key = encr_i");
	key_is(&ci->sa.auth_out, &w->auth_i, "initiator's outbound INTEG key = integ_i");
	key_is(&cr->sa.enc_in, &w->enc_i, "responder's inbound ENCR key = encr_i");
	key_is(&cr->sa.auth_in, &w->auth_i, "responder's inbound INTEG key = integ_i");
	key_is(&ci->sa.enc_in, &w->enc_r, "initiator's inbound ENCR key = encr_r");
	key_is(&ci->sa.auth_in, &w->auth_r, "initiator's inbound INTEG key = integ_r");
	key_is(&cr->sa.enc_out, &w->enc_r, "responder's outbound ENCR key = encr_r");
	key_is(&cr->sa.auth_out, &w->auth_r, "responder's outbound INTEG key = integ_r");
}

/* SK_d of node 0's only IKE SA, which node 1's must share. */
static const struct gw_key *
shared_sk_d(struct pair *p)
{
	const struct gw_key *d = keymat_ike_key(mock_only_sa(&p->n[0])->km, KEYMAT_SK_D);

	key_is(keymat_ike_key(mock_only_sa(&p->n[1])->km, KEYMAT_SK_D), d, "node 1's SK_d");
	assert_int_equal(d->len, SHA256_LEN);
	return d;
}

/* Gives both IKE SAs of p PFS with group in their first ESP proposal. */
static void
pfs_on(struct pair *p, uint16_t group)
{
	int k;

	for (k = 0; k < 2; k++)
		xf_add(&mock_only_sa(&p->n[k])->cfg.esp[0], PROP_T_KE, group, 0);
}

/* The RNG of nd starts with SPI spi (its IKE_SA_INIT draws) and then nonce. */
static void
script_spi_nonce(struct mock_node *nd, uint64_t spi, const uint8_t nonce[static NONCE_LEN])
{
	uint8_t s[8 + NONCE_LEN];
	size_t i;

	for (i = 0; i < 8; i++)
		s[i] = (uint8_t)(spi >> (56 - 8 * i));
	memcpy(s + 8, nonce, NONCE_LEN);
	mock_script(nd, s, sizeof(s));
}

/* The first Child SA, from IKE_AUTH: node 0 initiated both the IKE SA and the pair. */
static void
test_keydir_auth(void **state)
{
	struct pair *p = pair_new(S_CBC);
	uint8_t ni[NONCE_LEN], nr[NONCE_LEN];
	struct want w;

	fix_dh(p, IKE_DH_ECP_256);
	nonce_make(0xa1, ni);
	nonce_make(0xb2, nr);
	script_spi_nonce(&p->n[0], 0x0123456789abcdefULL, ni);
	script_spi_nonce(&p->n[1], 0xfedcba9876543210ULL, nr);
	pair_start(p);
	check_wire_nonce(p, ni);
	assert_true(mock_deliver(&p->net));
	check_wire_nonce(p, nr);
	assert_int_equal(mock_run(&p->net, 8), 3);
	check_established(p);
	assert_true(mock_only_sa(&p->n[0])->initiator);
	want_keys(shared_sk_d(p), NULL, ni, nr, S_CBC, &w);
	check_dirs(&p->n[0].sink.sa[0], &p->n[1].sink.sa[0], &w);
	check_no_drops(p);
	pair_free(p);
}

/*
 * side rekeys the only Child SA of its only IKE SA, with PFS under
 * X25519 (fixed key pairs) if pfs, in ESP suite s; the new pair must
 * have the keys of that exchange, side's being the initiator's.
 */
static void
rekey_check(struct pair *p, int side, enum suite s, bool pfs)
{
	struct ike_sa *me = mock_only_sa(&p->n[side]);
	struct mock_sink *ks = &p->n[side].sink, *ko = &p->n[1 - side].sink;
	uint8_t ni[NONCE_LEN], nr[NONCE_LEN], gir[X25519_LEN];
	size_t at_s = ks->nsa, at_o = ko->nsa;
	struct want w;

	if (pfs) {
		fix_dh(p, IKE_DH_CURVE25519);
		pfs_on(p, IKE_DH_CURVE25519);
		x25519_gir(side, 1 - side, gir);
	}
	nonce_make((uint8_t)(0x30 + side), ni);
	nonce_make((uint8_t)(0x60 + side), nr);
	mock_script(&p->n[side], ni, sizeof(ni));
	assert_int_equal(exch_child_rekey(me, me->children->spi_in), 0);
	check_wire_nonce(p, ni);
	mock_script(&p->n[1 - side], nr, sizeof(nr));
	assert_true(mock_deliver(&p->net));
	check_wire_nonce(p, nr);
	/* The answer, then the Delete of the old pair and its answer. */
	assert_int_equal(mock_run(&p->net, 8), 3);
	assert_int_equal(ks->nsa, at_s + 1);
	assert_int_equal(ko->nsa, at_o + 1);
	assert_int_equal(mock_live(ks), 1);
	assert_int_equal(mock_live(ko), 1);
	want_keys(shared_sk_d(p), pfs ? gir : NULL, ni, nr, s, &w);
	check_dirs(&ks->sa[at_s], &ko->sa[at_o], &w);
	check_no_drops(p);
}

/* Rekeyed by the IKE SA's initiator: its roles and the exchange's are the same. */
static void
test_keydir_rekey_by_initiator(void **state)
{
	struct pair *p = pair_established(S_CHACHA);

	rekey_check(p, 0, S_CHACHA, false);
	pair_free(p);
}

/* Rekeyed by the IKE SA's responder: it sends with the first keys. */
static void
test_keydir_rekey_by_responder(void **state)
{
	struct pair *p = pair_established(S_CBC);

	assert_false(mock_only_sa(&p->n[1])->initiator);
	rekey_check(p, 1, S_CBC, false);
	pair_free(p);
}

/* The same with PFS: g^ir leads the seed, the split is the same. */
static void
test_keydir_rekey_by_responder_pfs(void **state)
{
	struct pair *p = pair_established(S_CBC);

	rekey_check(p, 1, S_CBC, true);
	pair_free(p);
}

/*
 * Node 1 rekeys the IKE SA, so it is the new IKE SA's initiator (RFC
 * 7296 2.18); node 0, the original initiator and now the responder,
 * rekeys the Child SA under the new SA with its SK_d. Then node 1 does.
 */
static void
test_keydir_after_ike_rekey(void **state)
{
	struct pair *p = pair_established(S_GCM);
	struct gw_key d = *shared_sk_d(p);

	assert_int_equal(exch_ike_rekey(mock_only_sa(&p->n[1])), 0);
	assert_int_equal(mock_run(&p->net, 8), 4);
	assert_true(mock_only_sa(&p->n[1])->initiator);
	assert_false(mock_only_sa(&p->n[0])->initiator);
	assert_non_null(mock_only_sa(&p->n[0])->children);
	assert_memory_not_equal(shared_sk_d(p)->b, d.b, d.len);
	rekey_check(p, 0, S_GCM, false);
	rekey_check(p, 1, S_GCM, true);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keydir_auth),
		cmocka_unit_test(test_keydir_rekey_by_initiator),
		cmocka_unit_test(test_keydir_rekey_by_responder),
		cmocka_unit_test(test_keydir_rekey_by_responder_pfs),
		cmocka_unit_test(test_keydir_after_ike_rekey),
	};

	log_init(true, 0, "test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
