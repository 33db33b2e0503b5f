/*
 * test_proposal.c: ikd/proposal.c selection tables: match, peer order,
 * no match, INVALID_KE_PAYLOAD, ESN, PFS, AEAD rules, malformed peer
 * proposals, and the initiator's check of the answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proposal.h"

enum {
	ENCR_AES_CBC = 12, ENCR_AES_GCM_16 = 20, ENCR_CHACHA = 28,
	PRF_SHA1 = 2, PRF_SHA256 = 5, PRF_SHA384 = 6, PRF_SHA512 = 7,
	AUTH_SHA1 = 2, AUTH_SHA256 = 12, AUTH_SHA512 = 14,
	MODP2048 = 14, ECP256 = 19, ECP384 = 20, X25519 = 31,
};

#define ENCR(n, bits)	{ .type = PROP_T_ENCR, .id = (n), .keylen = (bits) }
#define PRF(n)		{ .type = PROP_T_PRF, .id = (n) }
#define INTEG(n)	{ .type = PROP_T_INTEG, .id = (n) }
#define KE(n)		{ .type = PROP_T_KE, .id = (n) }
#define ESN(n)		{ .type = PROP_T_ESN, .id = (n) }

static struct ike_prop
mk(uint8_t num, uint8_t proto, uint8_t spisize, const struct ike_xform *xf, size_t n)
{
	struct ike_prop p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.num = num;
	p.proto = proto;
	p.spisize = spisize;
	for (i = 0; i < spisize; i++)
		p.spi[i] = (uint8_t)(0xc0 + num + i);
	p.ntrans = (uint8_t)n;
	memcpy(p.xf, xf, n * sizeof(*xf));
	return p;
}

#define XF(...)		((const struct ike_xform[]){ __VA_ARGS__ })
#define NXF(...)	(sizeof(XF(__VA_ARGS__)) / sizeof(struct ike_xform))
#define IKE(num, ...)	mk(num, PROP_PROTO_IKE, 0, XF(__VA_ARGS__), NXF(__VA_ARGS__))
#define ESP(num, ...)	mk(num, PROP_PROTO_ESP, 4, XF(__VA_ARGS__), NXF(__VA_ARGS__))

static const struct prop_ctx ike_init_31 = { PROP_PROTO_IKE, 0, X25519, false };

/* Our IKE proposals: AEAD first, then AES-CBC with HMAC. */
static struct ike_prop local_ike[2];

static int
setup_local(void **state)
{
	local_ike[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), ENCR(ENCR_CHACHA, 0),
	    PRF(PRF_SHA256), PRF(PRF_SHA512), KE(X25519), KE(ECP256));
	local_ike[1] = IKE(2, ENCR(ENCR_AES_CBC, 256), ENCR(ENCR_AES_CBC, 128),
	    PRF(PRF_SHA256), INTEG(AUTH_SHA256), KE(X25519), KE(ECP256), KE(MODP2048));
	return 0;
}

/* Expects answer a to hold exactly the listed transforms, in type order. */
static void
expect_answer(const struct ike_prop *a, uint8_t num, const struct ike_xform *xf, size_t n)
{
	size_t i;

	assert_int_equal(a->num, num);
	assert_int_equal(a->ntrans, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(a->xf[i].type, xf[i].type);
		assert_int_equal(a->xf[i].id, xf[i].id);
		assert_int_equal(a->xf[i].keylen, xf[i].keylen);
	}
}
#define EXPECT(a, num, ...)	expect_answer(a, num, XF(__VA_ARGS__), NXF(__VA_ARGS__))

static enum prop_verdict
sel(const struct ike_prop *peer, size_t n, const struct prop_ctx *ctx, struct ike_prop *out,
    uint16_t *pref)
{
	return proposal_select(local_ike, 2, peer, n, ctx, out, pref);
}

static void
test_simple_match(void **state)
{
	struct ike_prop peer[1], out;
	uint16_t pref = 0;

	peer[0] = IKE(1, ENCR(ENCR_AES_CBC, 128), ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA384),
	    PRF(PRF_SHA256), KE(X25519));
	/* GCM: AES-CBC needs an INTEG the peer did not offer in this proposal. */
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519));
	assert_int_equal(out.proto, PROP_PROTO_IKE);
	assert_int_equal(pref, 0);
}

/* The peer's proposal order decides, not ours. */
static void
test_peer_proposal_order(void **state)
{
	struct ike_prop peer[3], out;
	uint16_t pref;

	peer[0] = IKE(1, ENCR(ENCR_AES_CBC, 192), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
	peer[1] = IKE(2, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
	peer[2] = IKE(3, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519));
	assert_int_equal(sel(peer, 3, &ike_init_31, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 2, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
}

/* Within a type, the peer's first transform that we accept. */
static void
test_peer_transform_order(void **state)
{
	struct ike_prop peer[1], out;
	uint16_t pref;

	peer[0] = IKE(7, ENCR(ENCR_AES_CBC, 256), ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA1),
	    PRF(PRF_SHA256), INTEG(AUTH_SHA512), INTEG(AUTH_SHA256), KE(MODP2048), KE(X25519));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 7, ENCR(ENCR_AES_CBC, 256), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
}

static void
test_no_match(void **state)
{
	struct ike_prop peer[3], out;
	uint16_t pref = 0;

	/* AES-192 is not configured: key length is part of the transform. */
	peer[0] = IKE(1, ENCR(ENCR_AES_CBC, 192), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
	peer[1] = IKE(2, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA1), KE(X25519));
	peer[2] = IKE(3, ENCR(ENCR_AES_GCM_16, 128), PRF(PRF_SHA256), KE(X25519));
	assert_int_equal(sel(peer, 3, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	assert_int_equal(pref, 0);
	assert_int_equal(sel(peer, 0, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
}

/* Acceptable groups, but not the one in KEi: INVALID_KE with our choice. */
static void
test_invalid_ke(void **state)
{
	struct prop_ctx ctx = { PROP_PROTO_IKE, 0, ECP384, false };
	struct ike_prop peer[1], out;
	uint16_t pref = 0;

	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(ECP384), KE(ECP256),
	    KE(X25519));
	assert_int_equal(sel(peer, 1, &ctx, &out, &pref), PROP_INVALID_KE_PAYLOAD);
	assert_int_equal(pref, X25519);		/* first in our order */
	/* KEi of a group the peer did not even propose: the same answer. */
	ctx.ke_group = MODP2048;
	pref = 0;
	assert_int_equal(sel(peer, 1, &ctx, &out, &pref), PROP_INVALID_KE_PAYLOAD);
	assert_int_equal(pref, X25519);
	/* No group in common: no proposal, not INVALID_KE. */
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(ECP384));
	pref = 0;
	assert_int_equal(sel(peer, 1, &ctx, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	assert_int_equal(pref, 0);
}

/* The KEi group is taken when acceptable, even if not the peer's first. */
static void
test_ke_payload_group_preferred(void **state)
{
	struct prop_ctx ctx = { PROP_PROTO_IKE, 0, ECP256, false };
	struct ike_prop peer[2], out;
	uint16_t pref = 0;

	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519), KE(ECP256));
	assert_int_equal(sel(peer, 1, &ctx, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(ECP256));
	/* A later proposal that fits KEi beats INVALID_KE on an earlier one. */
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519));
	peer[1] = IKE(2, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(ECP256));
	assert_int_equal(sel(peer, 2, &ctx, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 2, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(ECP256));
}

/* RFC 7296 3.3.6: unknown types and missing mandatory ones disqualify. */
static void
test_malformed_peer_proposals(void **state)
{
	struct ike_prop peer[1], out;
	uint16_t pref;

	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519),
	    { .type = 6, .id = 1 });
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519), ESN(0));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), KE(X25519));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	/* A PRF with a Key Length attribute is not the PRF we know. */
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), { .type = PROP_T_PRF, .id = PRF_SHA256,
	    .keylen = 256 }, KE(X25519));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	/* Wrong SPI size for IKE_SA_INIT, or an ESP proposal. */
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519));
	peer[0].spisize = 8;
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	peer[0] = ESP(1, ENCR(ENCR_AES_GCM_16, 256), ESN(0));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
}

/* AEAD goes without INTEG; an explicit INTEG NONE is echoed. */
static void
test_aead_integ(void **state)
{
	struct ike_prop peer[1], out;
	uint16_t pref;

	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
	peer[0] = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), INTEG(0), KE(X25519));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), INTEG(0), KE(X25519));
	/* A non-AEAD cipher with INTEG NONE is never chosen. */
	peer[0] = IKE(1, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), INTEG(0), KE(X25519));
	assert_int_equal(sel(peer, 1, &ike_init_31, &out, &pref), PROP_NO_PROPOSAL_CHOSEN);
}

static const struct prop_ctx child_nopfs = { PROP_PROTO_ESP, 4, 0, false };

static void
test_esn(void **state)
{
	struct ike_prop local[2], peer[1], out;
	uint16_t pref;

	local[0] = ESP(1, ENCR(ENCR_AES_GCM_16, 128), ESN(PROP_ESN_NO));
	peer[0] = ESP(4, ENCR(ENCR_AES_GCM_16, 128), ESN(PROP_ESN_YES));
	assert_int_equal(proposal_select(local, 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_NO_PROPOSAL_CHOSEN);
	peer[0] = ESP(4, ENCR(ENCR_AES_GCM_16, 128), ESN(PROP_ESN_YES), ESN(PROP_ESN_NO));
	assert_int_equal(proposal_select(local, 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_CHOSEN);
	EXPECT(&out, 4, ENCR(ENCR_AES_GCM_16, 128), ESN(PROP_ESN_NO));
	/* The SPI is the peer's, from the chosen proposal. */
	assert_int_equal(out.spisize, 4);
	assert_memory_equal(out.spi, peer[0].spi, 4);
	local[0] = ESP(1, ENCR(ENCR_AES_GCM_16, 128), ESN(PROP_ESN_NO), ESN(PROP_ESN_YES));
	assert_int_equal(proposal_select(local, 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_CHOSEN);
	EXPECT(&out, 4, ENCR(ENCR_AES_GCM_16, 128), ESN(PROP_ESN_YES));
	/* A peer that leaves ESN out means "no ESN"; the answer leaves it out too. */
	peer[0] = ESP(2, ENCR(ENCR_AES_GCM_16, 128));
	assert_int_equal(proposal_select(local, 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_CHOSEN);
	EXPECT(&out, 2, ENCR(ENCR_AES_GCM_16, 128));
	local[0] = ESP(1, ENCR(ENCR_AES_GCM_16, 128), ESN(PROP_ESN_YES));
	assert_int_equal(proposal_select(local, 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_NO_PROPOSAL_CHOSEN);
}

/* Child SA PFS: local KE demands it, local without KE refuses it. */
static void
test_child_pfs(void **state)
{
	struct prop_ctx pfs = { PROP_PROTO_ESP, 4, ECP256, false };
	struct ike_prop local[2], peer[1], out;
	uint16_t pref = 0;

	local[0] = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(ECP256), ESN(0));
	peer[0] = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), ESN(0));
	assert_int_equal(proposal_select(local, 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_NO_PROPOSAL_CHOSEN);
	peer[0] = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(ECP256), ESN(0));
	assert_int_equal(proposal_select(local, 1, peer, 1, &pfs, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(ECP256), ESN(0));
	/* KE payload missing although PFS is required on both sides. */
	assert_int_equal(proposal_select(local, 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_INVALID_KE_PAYLOAD);
	assert_int_equal(pref, ECP256);
	/* We do not do PFS; the peer insists on it. */
	local[1] = ESP(2, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), ESN(0));
	assert_int_equal(proposal_select(&local[1], 1, peer, 1, &pfs, &out, &pref),
	    PROP_NO_PROPOSAL_CHOSEN);
	/* The peer offers PFS or none and sent no KE: KE NONE, echoed. */
	peer[0] = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(ECP256), KE(0),
	    ESN(0));
	assert_int_equal(proposal_select(&local[1], 1, peer, 1, &child_nopfs, &out, &pref),
	    PROP_CHOSEN);
	EXPECT(&out, 1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(0), ESN(0));
}

/* IKE_AUTH: KE transforms are left out of comparison and answer. */
static void
test_ike_auth_ignores_ke(void **state)
{
	struct prop_ctx auth = { PROP_PROTO_ESP, 4, 0, true };
	struct ike_prop local[1], peer[1], out;
	uint16_t pref;

	local[0] = ESP(1, ENCR(ENCR_AES_GCM_16, 256), KE(X25519), ESN(0));
	peer[0] = ESP(3, ENCR(ENCR_AES_GCM_16, 256), KE(ECP384), ESN(0));
	assert_int_equal(proposal_select(local, 1, peer, 1, &auth, &out, &pref), PROP_CHOSEN);
	EXPECT(&out, 3, ENCR(ENCR_AES_GCM_16, 256), ESN(0));
	assert_int_equal(proposal_check_reply(local, 1, &out, &auth), -1);	/* num 3 */
	out.num = 1;
	peer[0] = out;
	assert_int_equal(proposal_check_reply(local, 1, peer, &auth), 0);
}

static void
test_check_reply(void **state)
{
	struct ike_prop reply;

	reply = IKE(2, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), 1);
	/* Not offered in that proposal (GCM is in number 1). */
	reply = IKE(2, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(X25519));
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
	/* Two of one type. */
	reply = IKE(2, ENCR(ENCR_AES_CBC, 128), ENCR(ENCR_AES_CBC, 256), PRF(PRF_SHA256),
	    INTEG(AUTH_SHA256), KE(X25519));
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
	/* A type we included is missing. */
	reply = IKE(2, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), KE(X25519));
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
	/* Another group than our KEi. */
	reply = IKE(2, ENCR(ENCR_AES_CBC, 128), PRF(PRF_SHA256), INTEG(AUTH_SHA256),
	    KE(ECP256));
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
	/* A number we never used, a wrong SPI size, the wrong protocol. */
	reply = IKE(5, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519));
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
	reply.num = 1;
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), 0);
	reply.spisize = 8;
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
	reply.spisize = 0;
	reply.proto = PROP_PROTO_ESP;
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
	/* An unknown transform type. */
	reply = IKE(1, ENCR(ENCR_AES_GCM_16, 256), PRF(PRF_SHA256), KE(X25519),
	    { .type = 9, .id = 1 });
	assert_int_equal(proposal_check_reply(local_ike, 2, &reply, &ike_init_31), -1);
}

static void
test_child_check_reply(void **state)
{
	struct prop_ctx pfs = { PROP_PROTO_ESP, 4, ECP256, false };
	struct ike_prop offered[1], reply;

	offered[0] = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(ECP256), KE(0),
	    ESN(0), ESN(1));
	reply = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(ECP256), ESN(1));
	assert_int_equal(proposal_check_reply(offered, 1, &reply, &pfs), 0);
	reply = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(ECP256));
	assert_int_equal(proposal_check_reply(offered, 1, &reply, &pfs), -1);
	reply = ESP(1, ENCR(ENCR_AES_CBC, 128), INTEG(AUTH_SHA256), KE(0), ESN(0));
	assert_int_equal(proposal_check_reply(offered, 1, &reply, &pfs), -1);
	assert_int_equal(proposal_check_reply(offered, 1, &reply, &child_nopfs), 0);
}

static void
test_accessors(void **state)
{
	assert_true(proposal_encr_aead(ENCR_AES_GCM_16));
	assert_true(proposal_encr_aead(ENCR_CHACHA));
	assert_true(proposal_encr_aead(16));	/* AES-CCM-16 */
	assert_false(proposal_encr_aead(ENCR_AES_CBC));
	assert_false(proposal_encr_aead(13));	/* AES-CTR */
	assert_int_equal(proposal_get(&local_ike[1], PROP_T_KE)->id, X25519);
	assert_null(proposal_get(&local_ike[0], PROP_T_INTEG));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_match),
		cmocka_unit_test(test_peer_proposal_order),
		cmocka_unit_test(test_peer_transform_order),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_invalid_ke),
		cmocka_unit_test(test_ke_payload_group_preferred),
		cmocka_unit_test(test_malformed_peer_proposals),
		cmocka_unit_test(test_aead_integ),
		cmocka_unit_test(test_esn),
		cmocka_unit_test(test_child_pfs),
		cmocka_unit_test(test_ike_auth_ignores_ke),
		cmocka_unit_test(test_check_reply),
		cmocka_unit_test(test_child_check_reply),
		cmocka_unit_test(test_accessors),
	};

	return cmocka_run_group_tests(tests, setup_local, NULL);
}
