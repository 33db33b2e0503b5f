/* samples.c: strongSwan-shaped IKEv2 messages; see samples.h. */
#include <arpa/inet.h>

#include <string.h>

#include "samples.h"

#define SPI_I		UINT64_C(0x8a3f11d2c4e5f607)
#define SPI_R		UINT64_C(0x1b2c3d4e5f607182)
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* strongSwan's default DH group order (research note). */
static const uint16_t ss_groups[] = { 31, 32, 19, 20, 21, 28, 29, 30, 15, 16, 17, 18, 14 };
/* RFC 7427 hash ids: SHA2-256, SHA2-384, SHA2-512, Identity. */
static const uint8_t hash_algs[] = { 0, 2, 0, 3, 0, 4, 0, 5 };

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void
xf(struct ike_pld_prop *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	p->xf[p->nxf++] = (struct ike_pld_xform){ .type = type, .id = id, .keylen = keylen };
}

static void
xf_keys(struct ike_pld_prop *p, uint16_t id)
{
	xf(p, IKE_XF_ENCR, id, 128);
	xf(p, IKE_XF_ENCR, id, 192);
	xf(p, IKE_XF_ENCR, id, 256);
}

static void
xf_prf_dh(struct ike_pld_prop *p)
{
	size_t	 i;

	xf(p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	xf(p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_384, 0);
	xf(p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_512, 0);
	xf(p, IKE_XF_PRF, IKE_PRF_HMAC_SHA1, 0);
	for (i = 0; i < NELEM(ss_groups); i++)
		xf(p, IKE_XF_DH, ss_groups[i], 0);
}

void
sample_ike_offer(struct ike_sa_pld *sa)
{
	struct ike_pld_prop	*p;

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 2;
	p = &sa->prop[0];
	p->num = 1;
	p->proto = IKE_PROTO_IKE;
	xf_keys(p, IKE_ENCR_AES_CBC);
	xf_keys(p, IKE_ENCR_AES_CTR);
	xf_keys(p, IKE_ENCR_CAMELLIA_CBC);
	xf(p, IKE_XF_ENCR, IKE_ENCR_3DES, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	xf_prf_dh(p);
	p = &sa->prop[1];
	p->num = 2;
	p->proto = IKE_PROTO_IKE;
	xf_keys(p, IKE_ENCR_AES_GCM_16);
	xf_keys(p, IKE_ENCR_AES_GCM_12);
	xf_keys(p, IKE_ENCR_AES_GCM_8);
	xf_keys(p, IKE_ENCR_AES_CCM_16);
	xf(p, IKE_XF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	xf_prf_dh(p);
}

/* The one proposal two default charons settle on. */
static void
ike_chosen(struct ike_sa_pld *sa, uint8_t spi_size, uint64_t spi)
{
	struct ike_pld_prop	*p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 1;
	p->num = 1;
	p->proto = IKE_PROTO_IKE;
	p->spi_size = spi_size;
	p->spi = spi;
	xf(p, IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	xf(p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	xf(p, IKE_XF_DH, IKE_DH_CURVE25519, 0);
}

/* strongSwan's default ESP offer, or the AES-GCM-16/128 answer. */
static void
esp_sa(struct ike_sa_pld *sa, uint32_t spi, bool answer)
{
	struct ike_pld_prop	*p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = answer ? 1 : 2;
	p->num = answer ? 2 : 1;
	p->proto = IKE_PROTO_ESP;
	p->spi_size = 4;
	p->spi = spi;
	if (answer) {
		xf(p, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128);
		xf(p, IKE_XF_ESN, IKE_ESN_NO, 0);
		return;
	}
	xf_keys(p, IKE_ENCR_AES_CBC);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	xf(p, IKE_XF_INTEG, IKE_INTEG_AES_XCBC_96, 0);
	xf(p, IKE_XF_ESN, IKE_ESN_NO, 0);
	p = &sa->prop[1];
	p->num = 2;
	p->proto = IKE_PROTO_ESP;
	p->spi_size = 4;
	p->spi = spi;
	xf_keys(p, IKE_ENCR_AES_GCM_16);
	xf(p, IKE_XF_ESN, IKE_ESN_NO, 0);
}

static void
ts_set(struct ike_ts *t, int af, const char *start, const char *end, uint8_t proto,
    uint16_t sport, uint16_t eport)
{
	memset(t, 0, sizeof(*t));
	t->type = af == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	t->proto = proto;
	t->sport = sport;
	t->eport = eport;
	t->start.af = t->end.af = (sa_family_t)af;
	t->start.plen = t->end.plen = af == AF_INET ? 32 : 128;
	inet_pton(af, start, t->start.u.b);
	inet_pton(af, end, t->end.u.b);
}

static void
start(struct ike_build *b, uint8_t *buf, size_t cap, uint8_t exch, uint8_t flags,
    uint32_t msgid, uint64_t spi_r)
{
	struct ike_hdr	 h = { .spi_i = SPI_I, .spi_r = spi_r, .exch = exch, .flags = flags,
	    .msgid = msgid };

	ike_build_init(b, buf, cap);
	ike_build_header(b, &h);
}

static void
note(struct ike_build *b, uint16_t type, const uint8_t *data, size_t len)
{
	ike_build_notify(b, 0, type, 0, 0, data, len);
}

static size_t
done(struct ike_build *b)
{
	size_t	 len;

	return ike_build_finish(b, &len) == 0 ? len : 0;
}

static void
sk_close(struct ike_build *b)
{
	struct ike_sk_layout	 l;

	ike_build_sk_end(b, 1, 0, &l);
}

/* SA, KE, nonce and the notifications of a strongSwan IKE_SA_INIT. */
static void
init_body(struct ike_build *b, const struct ike_sa_pld *sa, uint8_t seed)
{
	uint8_t	 ke[32], nonce[32], nat[IKE_NAT_HASH_LEN];

	fill(ke, sizeof(ke), seed);
	fill(nonce, sizeof(nonce), seed + 1);
	ike_build_sa(b, sa);
	ike_build_ke(b, IKE_DH_CURVE25519, ke, sizeof(ke));
	ike_build_nonce(b, nonce, sizeof(nonce));
	fill(nat, sizeof(nat), seed + 2);
	note(b, IKE_N_NAT_DETECTION_SOURCE_IP, nat, sizeof(nat));
	fill(nat, sizeof(nat), seed + 3);
	note(b, IKE_N_NAT_DETECTION_DESTINATION_IP, nat, sizeof(nat));
	note(b, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	note(b, IKE_N_SIGNATURE_HASH_ALGORITHMS, hash_algs, sizeof(hash_algs));
}

static size_t
mk_init_req(uint8_t *buf, size_t cap)
{
	static struct ike_sa_pld sa;
	struct ike_build	 b;

	sample_ike_offer(&sa);
	start(&b, buf, cap, IKE_EXCH_SA_INIT, IKE_FLAG_I, 0, 0);
	init_body(&b, &sa, 0x10);
	note(&b, IKE_N_REDIRECT_SUPPORTED, NULL, 0);
	return done(&b);
}

static size_t
mk_init_resp(uint8_t *buf, size_t cap)
{
	static struct ike_sa_pld sa;
	struct ike_build	 b;

	ike_chosen(&sa, 0, 0);
	start(&b, buf, cap, IKE_EXCH_SA_INIT, IKE_FLAG_R, 0, SPI_R);
	init_body(&b, &sa, 0x40);
	note(&b, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	note(&b, IKE_N_MULTIPLE_AUTH_SUPPORTED, NULL, 0);
	return done(&b);
}

static size_t
mk_init_cookie_resp(uint8_t *buf, size_t cap)
{
	struct ike_build	 b;
	uint8_t			 cookie[32];

	fill(cookie, sizeof(cookie), 0x70);
	start(&b, buf, cap, IKE_EXCH_SA_INIT, IKE_FLAG_R, 0, 0);
	note(&b, IKE_N_COOKIE, cookie, sizeof(cookie));
	return done(&b);
}

static size_t
mk_init_req_cookie(uint8_t *buf, size_t cap)
{
	static struct ike_sa_pld sa;
	struct ike_build	 b;
	uint8_t			 cookie[32];

	fill(cookie, sizeof(cookie), 0x70);
	sample_ike_offer(&sa);
	start(&b, buf, cap, IKE_EXCH_SA_INIT, IKE_FLAG_I, 0, 0);
	note(&b, IKE_N_COOKIE, cookie, sizeof(cookie));
	init_body(&b, &sa, 0x10);
	note(&b, IKE_N_REDIRECT_SUPPORTED, NULL, 0);
	return done(&b);
}

static size_t
mk_init_invalid_ke(uint8_t *buf, size_t cap)
{
	static const uint8_t	 group[2] = { 0, IKE_DH_MODP_2048 };
	struct ike_build	 b;

	start(&b, buf, cap, IKE_EXCH_SA_INIT, IKE_FLAG_R, 0, 0);
	note(&b, IKE_N_INVALID_KE_PAYLOAD, group, sizeof(group));
	return done(&b);
}

static size_t
mk_auth_req(uint8_t *buf, size_t cap)
{
	static struct ike_sa_pld sa;
	struct ike_build	 b;
	struct ike_ts		 tsi, tsr;
	uint8_t			 idi[4] = { 10, 201, 100, 1 }, idr[4] = { 10, 201, 100, 2 };
	uint8_t			 auth[32], inside[4] = { 10, 201, 1, 1 };

	fill(auth, sizeof(auth), 0x90);
	esp_sa(&sa, 0xc1a2b3d4, false);
	ts_set(&tsi, AF_INET, "10.201.1.0", "10.201.1.255", 0, 0, 65535);
	ts_set(&tsr, AF_INET, "10.201.2.0", "10.201.2.255", 0, 0, 65535);
	start(&b, buf, cap, IKE_EXCH_AUTH, IKE_FLAG_I, 1, SPI_R);
	ike_build_sk_begin(&b, 0);
	ike_build_id(&b, IKE_PT_IDI, IKE_ID_IPV4_ADDR, idi, sizeof(idi));
	note(&b, IKE_N_INITIAL_CONTACT, NULL, 0);
	ike_build_id(&b, IKE_PT_IDR, IKE_ID_IPV4_ADDR, idr, sizeof(idr));
	ike_build_auth(&b, IKE_AUTH_SHARED_KEY_MIC, auth, sizeof(auth));
	ike_build_sa(&b, &sa);
	ike_build_ts(&b, IKE_PT_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PT_TSR, &tsr, 1);
	note(&b, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
	note(&b, IKE_N_ADDITIONAL_IP4_ADDRESS, inside, sizeof(inside));
	note(&b, IKE_N_MULTIPLE_AUTH_SUPPORTED, NULL, 0);
	note(&b, IKE_N_EAP_ONLY_AUTHENTICATION, NULL, 0);
	note(&b, IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED, NULL, 0);
	sk_close(&b);
	return done(&b);
}

static size_t
mk_auth_resp(uint8_t *buf, size_t cap)
{
	static struct ike_sa_pld sa;
	struct ike_build	 b;
	struct ike_ts		 tsi, tsr;
	uint8_t			 idr[4] = { 10, 201, 100, 2 }, auth[32];
	uint8_t			 life[4] = { 0, 0, 0x38, 0x40 };

	fill(auth, sizeof(auth), 0xa0);
	esp_sa(&sa, 0xd5e6f708, true);
	ts_set(&tsi, AF_INET, "10.201.1.0", "10.201.1.255", 0, 0, 65535);
	ts_set(&tsr, AF_INET, "10.201.2.0", "10.201.2.255", 0, 0, 65535);
	start(&b, buf, cap, IKE_EXCH_AUTH, IKE_FLAG_R, 1, SPI_R);
	ike_build_sk_begin(&b, 0);
	ike_build_id(&b, IKE_PT_IDR, IKE_ID_IPV4_ADDR, idr, sizeof(idr));
	ike_build_auth(&b, IKE_AUTH_SHARED_KEY_MIC, auth, sizeof(auth));
	ike_build_sa(&b, &sa);
	ike_build_ts(&b, IKE_PT_TSI, &tsi, 1);
	ike_build_ts(&b, IKE_PT_TSR, &tsr, 1);
	note(&b, IKE_N_AUTH_LIFETIME, life, sizeof(life));
	note(&b, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
	sk_close(&b);
	return done(&b);
}

/* A CHILD SA rekey with IPv6 selectors, TCP to port 443. */
static size_t
mk_child_rekey_req(uint8_t *buf, size_t cap)
{
	static struct ike_sa_pld sa;
	struct ike_build	 b;
	struct ike_ts		 tsi[2], tsr[2];
	uint8_t			 nonce[32];

	fill(nonce, sizeof(nonce), 0xb0);
	esp_sa(&sa, 0x0badcafe, false);
	ts_set(&tsi[0], AF_INET6, "2001:db8:1::", "2001:db8:1::ffff", 6, 0, 65535);
	ts_set(&tsi[1], AF_INET, "10.201.1.0", "10.201.1.255", 6, 0, 65535);
	ts_set(&tsr[0], AF_INET6, "2001:db8:2::", "2001:db8:2::ffff", 6, 443, 443);
	ts_set(&tsr[1], AF_INET, "10.201.2.0", "10.201.2.255", 6, 443, 443);
	start(&b, buf, cap, IKE_EXCH_CREATE_CHILD_SA, IKE_FLAG_I, 2, SPI_R);
	ike_build_sk_begin(&b, 0);
	ike_build_notify(&b, IKE_PROTO_ESP, IKE_N_REKEY_SA, 4, 0xc1a2b3d4, NULL, 0);
	ike_build_sa(&b, &sa);
	ike_build_nonce(&b, nonce, sizeof(nonce));
	ike_build_ts(&b, IKE_PT_TSI, tsi, 2);
	ike_build_ts(&b, IKE_PT_TSR, tsr, 2);
	sk_close(&b);
	return done(&b);
}

static size_t
mk_ike_rekey_req(uint8_t *buf, size_t cap)
{
	static struct ike_sa_pld sa;
	struct ike_build	 b;
	uint8_t			 nonce[32], ke[32];

	fill(nonce, sizeof(nonce), 0xc0);
	fill(ke, sizeof(ke), 0xd0);
	ike_chosen(&sa, 8, UINT64_C(0x0123456789abcdef));
	start(&b, buf, cap, IKE_EXCH_CREATE_CHILD_SA, IKE_FLAG_I, 3, SPI_R);
	ike_build_sk_begin(&b, 0);
	ike_build_sa(&b, &sa);
	ike_build_nonce(&b, nonce, sizeof(nonce));
	ike_build_ke(&b, IKE_DH_CURVE25519, ke, sizeof(ke));
	sk_close(&b);
	return done(&b);
}

static size_t
mk_info_delete_esp(uint8_t *buf, size_t cap)
{
	static const uint32_t	 spis[2] = { 0xc1a2b3d4, 0x0badcafe };
	struct ike_build	 b;

	start(&b, buf, cap, IKE_EXCH_INFORMATIONAL, IKE_FLAG_I, 4, SPI_R);
	ike_build_sk_begin(&b, 0);
	ike_build_delete(&b, IKE_PROTO_ESP, spis, NELEM(spis));
	sk_close(&b);
	return done(&b);
}

static size_t
mk_info_delete_ike(uint8_t *buf, size_t cap)
{
	struct ike_build	 b;

	start(&b, buf, cap, IKE_EXCH_INFORMATIONAL, IKE_FLAG_R, 5, SPI_R);
	ike_build_sk_begin(&b, 0);
	ike_build_delete(&b, IKE_PROTO_IKE, NULL, 0);
	sk_close(&b);
	return done(&b);
}

/* A liveness check: an INFORMATIONAL request with nothing inside SK. */
static size_t
mk_info_dpd(uint8_t *buf, size_t cap)
{
	struct ike_build	 b;

	start(&b, buf, cap, IKE_EXCH_INFORMATIONAL, 0, 6, SPI_R);
	ike_build_sk_begin(&b, 0);
	sk_close(&b);
	return done(&b);
}

/* Fragment 2 of 2 of an IKE_AUTH request: Next Payload 0, opaque body. */
static size_t
mk_auth_frag2(uint8_t *buf, size_t cap)
{
	struct ike_build	 b;
	uint8_t			 body[IKE_SKF_HDR_LEN + 48] = { 0, 2, 0, 2 };

	fill(body + IKE_SKF_HDR_LEN, sizeof(body) - IKE_SKF_HDR_LEN, 0xe0);
	start(&b, buf, cap, IKE_EXCH_AUTH, IKE_FLAG_I, 1, SPI_R);
	ike_build_raw(&b, IKE_PT_SKF, false, body, sizeof(body));
	return done(&b);
}

const struct sample samples[] = {
	{ "init_req", mk_init_req },
	{ "init_resp", mk_init_resp },
	{ "init_cookie_resp", mk_init_cookie_resp },
	{ "init_req_cookie", mk_init_req_cookie },
	{ "init_invalid_ke", mk_init_invalid_ke },
	{ "auth_req", mk_auth_req },
	{ "auth_resp", mk_auth_resp },
	{ "child_rekey_req", mk_child_rekey_req },
	{ "ike_rekey_req", mk_ike_rekey_req },
	{ "info_delete_esp", mk_info_delete_esp },
	{ "info_delete_ike", mk_info_delete_ike },
	{ "info_dpd", mk_info_dpd },
	{ "auth_frag2", mk_auth_frag2 },
};
const size_t nsamples = NELEM(samples);

int
sample_inner(const struct ike_msg *m, struct view *inner)
{
	struct rd	 r = rd_init(m->sk.body.p, m->sk.body.len);
	struct view	 padlen, pad;

	if (rd_tail(&r, 1, &padlen) || rd_tail(&r, padlen.p[0], &pad))
		return -1;
	return rd_bytes(&r, rd_left(&r), inner) ? -1 : 0;
}
