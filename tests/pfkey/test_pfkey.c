/*
 * test_pfkey.c: the PF_KEY v2 codec (lib/pfkey.c).
 *
 * Samples of every message kind are built as struct pfk_msg, encoded,
 * decoded and compared field by field; the same messages, written by an
 * independent Python encoder (gen_corpus.py), must match the C encoding
 * byte for byte. Malformed messages are built by hand (struct raw) or by
 * patching a valid encoding, each with the exact errno expected. Every
 * sample also goes through a deterministic truncation and bit-flip sweep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "alg.h"
#include "err.h"
#include "msg_eq.h"
#include "pfkey.h"

#define PID	4242
#define FULL	(-1)	/* prefix length: the whole address */

static uint8_t	seqbytes[256];	/* seqbytes[i] == i: key material */
static const uint8_t auth_key[] = "twenty-byte-auth-key";
static const uint8_t enc_key[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

/* ---- building samples ---- */

static struct gw_addr
mkaddr(const char *s, int plen, uint16_t port)
{
	struct gw_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	if (plen != FULL)
		a.plen = (uint8_t)plen;
	a.port = port;
	return a;
}

static void
hdr(struct pfk_msg *m, uint8_t type, uint8_t satype, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->satype = satype;
	m->seq = seq;
	m->pid = PID;
}

static void
set_addr(struct pfk_msg *m, unsigned ext, const char *s, int plen, uint16_t port,
    uint8_t proto)
{
	struct pfk_address *a = ext == SADB_EXT_ADDRESS_SRC ? &m->src :
	    ext == SADB_EXT_ADDRESS_DST ? &m->dst : &m->proxy;

	a->proto = proto;
	a->addr = mkaddr(s, plen, port);
	pfk_set(m, ext);
}

static void
set_pair(struct pfk_msg *m, const char *src, const char *dst)
{
	set_addr(m, SADB_EXT_ADDRESS_SRC, src, FULL, 0, IPSEC_ULPROTO_ANY);
	set_addr(m, SADB_EXT_ADDRESS_DST, dst, FULL, 0, IPSEC_ULPROTO_ANY);
}

static void
set_sa(struct pfk_msg *m, uint32_t spi, uint8_t replay, uint8_t state, uint8_t auth,
    uint8_t enc, uint32_t flags)
{
	m->sa = (struct pfk_sa){ .spi = spi, .replay = replay, .state = state,
	    .auth = auth, .encrypt = enc, .flags = flags };
	pfk_set(m, SADB_EXT_SA);
}

static void
set_sa2(struct pfk_msg *m, uint8_t mode, uint32_t reqid, uint32_t seq)
{
	m->sa2 = (struct pfk_sa2){ .mode = mode, .reqid = reqid, .sequence = seq };
	pfk_set(m, SADB_X_EXT_SA2);
}

static void
set_lt(struct pfk_msg *m, unsigned ext, uint32_t alloc, uint64_t bytes, uint64_t add,
    uint64_t use)
{
	struct pfk_lifetime *lt = ext == SADB_EXT_LIFETIME_CURRENT ? &m->lt_current :
	    ext == SADB_EXT_LIFETIME_HARD ? &m->lt_hard : &m->lt_soft;

	*lt = (struct pfk_lifetime){ .allocations = alloc, .bytes = bytes, .addtime = add,
	    .usetime = use };
	pfk_set(m, ext);
}

static void
set_key(struct pfk_msg *m, unsigned ext, const uint8_t *data, size_t len)
{
	struct pfk_key *k = ext == SADB_EXT_KEY_AUTH ? &m->key_auth : &m->key_enc;

	*k = (struct pfk_key){ .bits = (uint16_t)(len * 8), .data = data, .len = len };
	pfk_set(m, ext);
}

static void
set_replay(struct pfk_msg *m, uint32_t window, uint32_t flags)
{
	m->replay = (struct pfk_replay){ .window = window, .flags = flags };
	pfk_set(m, PFK_EXT_REPLAY);
}

static void
set_policy(struct pfk_msg *m, uint16_t type, uint8_t dir, uint32_t id, uint32_t prio)
{
	memset(&m->policy, 0, sizeof(m->policy));
	m->policy.type = type;
	m->policy.dir = dir;
	m->policy.id = id;
	m->policy.priority = prio;
	pfk_set(m, SADB_X_EXT_POLICY);
}

static void
add_req(struct pfk_msg *m, uint16_t proto, uint8_t mode, uint8_t level, uint32_t reqid,
    const char *src, const char *dst)
{
	struct pfk_ipsecreq *q = &m->policy.req[m->policy.nreq++];

	*q = (struct pfk_ipsecreq){ .proto = proto, .mode = mode, .level = level,
	    .reqid = reqid };
	if (src != NULL) {
		q->has_endpoints = true;
		q->src = mkaddr(src, FULL, 0);
		q->dst = mkaddr(dst, FULL, 0);
	}
}

static void
add_alg(struct pfk_supported *s, uint8_t id, uint8_t iv, uint16_t lo, uint16_t hi)
{
	s->alg[s->n++] = (struct pfk_alg_sup){ .id = id, .ivlen = iv, .minbits = lo,
	    .maxbits = hi };
}

static void
add_comb(struct pfk_proposal *p, uint8_t auth, uint8_t enc, uint16_t amin, uint16_t amax,
    uint16_t emin, uint16_t emax)
{
	p->comb[p->n++] = (struct pfk_comb){ .auth = auth, .encrypt = enc,
	    .auth_minbits = amin, .auth_maxbits = amax, .encrypt_minbits = emin,
	    .encrypt_maxbits = emax, .soft_addtime = 2880, .hard_addtime = 3600 };
}

#define A4	"192.168.0.1"
#define B4	"192.168.1.2"

/* The samples below mirror gen_corpus.py value for value. */

static void
s_getspi(struct pfk_msg *m)
{
	hdr(m, SADB_GETSPI, SADB_SATYPE_ESP, 1);
	set_sa2(m, IPSEC_MODE_TUNNEL, 101, 0);
	set_pair(m, A4, B4);
	m->spirange = (struct pfk_spirange){ .min = 0x100, .max = 0x0fffffff };
	pfk_set(m, SADB_EXT_SPIRANGE);
}

static void
s_add_v4(struct pfk_msg *m)
{
	hdr(m, SADB_ADD, SADB_SATYPE_ESP, 2);
	set_sa(m, 0x1001, 4, SADB_SASTATE_MATURE, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC, 0x40);
	set_lt(m, SADB_EXT_LIFETIME_HARD, 0, 0, 3600, 0);
	set_lt(m, SADB_EXT_LIFETIME_SOFT, 0, 0, 2880, 0);
	set_pair(m, A4, B4);
	set_key(m, SADB_EXT_KEY_AUTH, auth_key, 20);
	set_key(m, SADB_EXT_KEY_ENCRYPT, enc_key, sizeof(enc_key));
	set_sa2(m, IPSEC_MODE_TUNNEL, 101, 0);
	set_replay(m, 32, 0);
}

static void
s_update_natt(struct pfk_msg *m)
{
	hdr(m, SADB_UPDATE, SADB_SATYPE_ESP, 3);
	set_sa(m, 0xc1a2b3c4, 8, SADB_SASTATE_MATURE, SADB_AALG_NONE,
	    SADB_X_EALG_AES_GCM_ICV16, 0);
	set_addr(m, SADB_EXT_ADDRESS_SRC, "198.51.100.7", FULL, 4500, IPSEC_ULPROTO_ANY);
	set_addr(m, SADB_EXT_ADDRESS_DST, "203.0.113.9", FULL, 4501, IPSEC_ULPROTO_ANY);
	set_key(m, SADB_EXT_KEY_ENCRYPT, seqbytes, 20);
	set_sa2(m, IPSEC_MODE_TUNNEL, 16385, 0);
	m->natt_type = 2;
	m->natt_sport = 4500;
	m->natt_dport = 4501;
	m->natt_oa = mkaddr("10.0.0.5", FULL, 0);
	pfk_set(m, SADB_X_EXT_NAT_T_TYPE);
	pfk_set(m, SADB_X_EXT_NAT_T_SPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_DPORT);
	pfk_set(m, SADB_X_EXT_NAT_T_OA);
}

static void
s_add_v6(struct pfk_msg *m)
{
	hdr(m, SADB_ADD, SADB_SATYPE_ESP, 4);
	set_sa(m, 0xabcdef01, 0, SADB_SASTATE_MATURE, SADB_AALG_NONE,
	    SADB_X_EALG_CHACHA20_POLY1305, 0);
	set_lt(m, SADB_EXT_LIFETIME_HARD, 0, UINT64_C(1) << 40, 0, 0);
	set_pair(m, "2001:db8::1", "2001:db8:1::2");
	set_key(m, SADB_EXT_KEY_ENCRYPT, seqbytes + 100, 36);
	set_sa2(m, IPSEC_MODE_TRANSPORT, 0, 0);
	set_replay(m, 1024, PFK_REPLAY_ESN);
}

static void
s_delete(struct pfk_msg *m)
{
	hdr(m, SADB_DELETE, SADB_SATYPE_ESP, 5);
	set_sa(m, 0x1001, 0, SADB_SASTATE_LARVAL, 0, 0, 0);
	set_pair(m, A4, B4);
}

static void
s_register_reply(struct pfk_msg *m)
{
	hdr(m, SADB_REGISTER, SADB_SATYPE_ESP, 6);
	add_alg(&m->sup_auth, SADB_AALG_SHA1HMAC, 0, 160, 160);
	add_alg(&m->sup_auth, SADB_X_AALG_SHA2_256HMAC, 0, 256, 256);
	add_alg(&m->sup_auth, SADB_X_AALG_SHA2_512HMAC, 0, 512, 512);
	add_alg(&m->sup_enc, SADB_X_EALG_AESCBC, 16, 128, 256);
	add_alg(&m->sup_enc, SADB_X_EALG_AES_GCM_ICV16, 8, 160, 288);
	add_alg(&m->sup_enc, SADB_X_EALG_CHACHA20_POLY1305, 8, 288, 288);
	add_alg(&m->sup_enc, SADB_EALG_NULL, 0, 0, 0);
	pfk_set(m, SADB_EXT_SUPPORTED_AUTH);
	pfk_set(m, SADB_EXT_SUPPORTED_ENCRYPT);
}

static void
s_acquire(struct pfk_msg *m)
{
	hdr(m, SADB_ACQUIRE, SADB_SATYPE_ESP, 7);
	m->pid = 0;
	set_pair(m, A4, B4);
	set_policy(m, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 25, 0x80000000);
	add_req(m, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, A4, B4);
	m->proposal.replay = 4;
	add_comb(&m->proposal, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC, 160, 160, 128, 256);
	add_comb(&m->proposal, SADB_AALG_NONE, SADB_X_EALG_AES_GCM_ICV16, 0, 0, 160, 288);
	pfk_set(m, SADB_EXT_PROPOSAL);
}

static void
s_expire(struct pfk_msg *m)
{
	hdr(m, SADB_EXPIRE, SADB_SATYPE_ESP, 0);
	m->pid = 0;
	set_sa(m, 0x1002, 0, SADB_SASTATE_DYING, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC, 0);
	set_lt(m, SADB_EXT_LIFETIME_CURRENT, 1532, 183456, 1709547302, 1709547307);
	set_lt(m, SADB_EXT_LIFETIME_SOFT, 0, 0, 2880, 0);
	set_pair(m, B4, A4);
}

static void
s_dump_reply(struct pfk_msg *m)
{
	static const uint64_t counters[] = { 0, 3, 17, 0, UINT64_C(1) << 33 };

	hdr(m, SADB_DUMP, SADB_SATYPE_ESP, 0);
	m->reserved = 2;
	set_sa(m, 0x1001, 255, SADB_SASTATE_MATURE, SADB_X_AALG_SHA2_256HMAC,
	    SADB_X_EALG_AESCBC, 0x40);
	set_lt(m, SADB_EXT_LIFETIME_CURRENT, 1, 2, 3, 4);
	set_lt(m, SADB_EXT_LIFETIME_HARD, 0, 0, 3600, 0);
	set_lt(m, SADB_EXT_LIFETIME_SOFT, 0, 0, 2880, 0);
	set_pair(m, A4, B4);
	set_key(m, SADB_EXT_KEY_AUTH, seqbytes, 32);
	set_key(m, SADB_EXT_KEY_ENCRYPT, seqbytes + 32, 32);
	set_sa2(m, IPSEC_MODE_TUNNEL, 101, 77);
	set_replay(m, 2048, PFK_REPLAY_ESN);
	m->stats.n = 5;
	memcpy(m->stats.v, counters, sizeof(counters));
	pfk_set(m, PFK_EXT_STATS);
}

static void
s_spdadd_v4(struct pfk_msg *m)
{
	hdr(m, SADB_X_SPDADD, SADB_SATYPE_UNSPEC, 10);
	set_lt(m, SADB_EXT_LIFETIME_HARD, 0, 0, 86400, 3600);
	set_addr(m, SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, 0, IPPROTO_TCP);
	set_addr(m, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, 80, IPPROTO_TCP);
	set_policy(m, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0x80000000);
	add_req(m, IPPROTO_COMP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_USE, 0, A4, B4);
	add_req(m, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 101, A4, B4);
}

static void
s_spdadd_v6(struct pfk_msg *m)
{
	hdr(m, SADB_X_SPDADD, SADB_SATYPE_UNSPEC, 11);
	set_addr(m, SADB_EXT_ADDRESS_SRC, "2001:db8:10::", 48, 0, IPSEC_ULPROTO_ANY);
	set_addr(m, SADB_EXT_ADDRESS_DST, "2001:db8:20::", 48, 0, IPSEC_ULPROTO_ANY);
	set_policy(m, IPSEC_POLICY_IPSEC, IPSEC_DIR_INBOUND, 0, 0x40000000);
	add_req(m, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, "2001:db8::2",
	    "2001:db8::1");
}

static void
s_spddelete2(struct pfk_msg *m)
{
	hdr(m, SADB_X_SPDDELETE2, SADB_SATYPE_UNSPEC, 12);
	set_policy(m, IPSEC_POLICY_DISCARD, IPSEC_DIR_OUTBOUND, 25, 0);
}

static void
s_flush(struct pfk_msg *m)
{
	hdr(m, SADB_FLUSH, SADB_SATYPE_UNSPEC, 13);
}

static void
s_spddump(struct pfk_msg *m)
{
	hdr(m, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC, 14);
}

/* Samples without a corpus twin. */

static void
s_get(struct pfk_msg *m)
{
	hdr(m, SADB_GET, SADB_SATYPE_AH, 20);
	set_sa(m, 0x2002, 0, 0, 0, 0, 0);
	set_sa2(m, IPSEC_MODE_ANY, 0, 0);
	set_pair(m, "2001:db8::1", "2001:db8::2");
}

static void
s_spddump_reply(struct pfk_msg *m)
{
	hdr(m, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC, 0);
	m->reserved = 1;
	set_lt(m, SADB_EXT_LIFETIME_CURRENT, 0, 0, 1709546400, 1709547901);
	set_lt(m, SADB_EXT_LIFETIME_HARD, 0, 0, 0, 0);
	set_addr(m, SADB_EXT_ADDRESS_SRC, "0.0.0.0", 0, 0, IPPROTO_ICMP);
	set_addr(m, SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, 3, IPPROTO_ICMP);
	set_policy(m, IPSEC_POLICY_IPSEC, IPSEC_DIR_FWD, 26, 0xc0000000);
	add_req(m, IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_USE, 0, NULL, NULL);
	add_req(m, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 70000, A4, B4);
	add_req(m, IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, "2001:db8::1",
	    "2001:db8::2");
	add_req(m, IPPROTO_COMP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_USE, 0, NULL, NULL);
}

static void
s_error_reply(struct pfk_msg *m)
{
	hdr(m, SADB_ADD, SADB_SATYPE_ESP, 30);
	m->errnum = EEXIST;
}

static void
s_proxy_ipcomp(struct pfk_msg *m)
{
	hdr(m, SADB_ADD, SADB_X_SATYPE_IPCOMP, 31);
	set_sa(m, 0x4242, 0, SADB_SASTATE_MATURE, 0, SADB_X_CALG_DEFLATE, 0);
	set_pair(m, A4, B4);
	set_addr(m, SADB_EXT_ADDRESS_PROXY, "10.9.0.0", 24, 0, IPSEC_ULPROTO_ANY);
}

struct sample {
	const char	*name;
	void		(*build)(struct pfk_msg *);
	bool		 in_corpus;	/* tests/corpus/pfkey/<name>.bin */
};

static struct sample samples[] = {
	{ "getspi", s_getspi, true },
	{ "add_v4", s_add_v4, true },
	{ "update_natt", s_update_natt, true },
	{ "add_v6", s_add_v6, true },
	{ "delete", s_delete, true },
	{ "register_reply", s_register_reply, true },
	{ "acquire", s_acquire, true },
	{ "expire", s_expire, true },
	{ "dump_reply", s_dump_reply, true },
	{ "spdadd_v4", s_spdadd_v4, true },
	{ "spdadd_v6", s_spdadd_v6, true },
	{ "spddelete2", s_spddelete2, true },
	{ "flush", s_flush, true },
	{ "spddump", s_spddump, true },
	{ "get", s_get, false },
	{ "spddump_reply", s_spddump_reply, false },
	{ "error_reply", s_error_reply, false },
	{ "proxy_ipcomp", s_proxy_ipcomp, false },
};
#define NSAMPLES	(sizeof(samples) / sizeof(samples[0]))

/* Encodes a sample into buf; returns its length. */
static size_t
encode_sample(const struct sample *s, struct pfk_msg *m, uint8_t *buf, size_t cap)
{
	struct wr w = wr_init(buf, cap);

	s->build(m);
	assert_int_equal(pfk_encode(m, &w), 0);
	return w.off;
}

/* ---- hand-built messages ---- */

struct raw {
	uint8_t		b[4096];
	struct wr	w;
	size_t		msg_len_at;
	size_t		ext_start;
	size_t		ext_len_at;
};

static void
raw_hdr(struct raw *r, uint8_t version, uint8_t type, uint8_t satype)
{
	r->w = wr_init(r->b, sizeof(r->b));
	wr_u8(&r->w, version);
	wr_u8(&r->w, type);
	wr_u8(&r->w, 0);
	wr_u8(&r->w, satype);
	wr_reserve(&r->w, 2, &r->msg_len_at);
	wr_u16he(&r->w, 0);
	wr_u32he(&r->w, 1);
	wr_u32he(&r->w, PID);
}

static void
raw_ext(struct raw *r, uint16_t type)
{
	r->ext_start = r->w.off;
	wr_reserve(&r->w, 2, &r->ext_len_at);
	wr_u16he(&r->w, type);
}

/* Pads the open extension to a unit and stores its length. */
static void
raw_end(struct raw *r)
{
	assert_int_equal(wr_align(&r->w, 8), 0);
	wr_patch_u16he(&r->w, r->ext_len_at, (uint16_t)((r->w.off - r->ext_start) / 8));
}

static size_t
raw_done(struct raw *r)
{
	wr_patch_u16he(&r->w, r->msg_len_at, (uint16_t)(r->w.off / 8));
	assert_int_equal(r->w.err, 0);
	return r->w.off;
}

static void
raw_sin(struct raw *r, uint16_t family, const char *addr, uint16_t port)
{
	struct gw_addr a = mkaddr(addr, FULL, 0);

	wr_u16he(&r->w, family);
	wr_u16be(&r->w, port);
	if (a.af == AF_INET) {
		wr_bytes(&r->w, &a.u.v4, 4);
		wr_zero(&r->w, 8);
	} else {
		wr_u32he(&r->w, 0);
		wr_bytes(&r->w, &a.u.v6, 16);
		wr_u32he(&r->w, 0);
	}
}

static void
raw_address(struct raw *r, uint16_t type, const char *addr, uint8_t plen)
{
	raw_ext(r, type);
	wr_u8(&r->w, IPSEC_ULPROTO_ANY);
	wr_u8(&r->w, plen);
	wr_u16he(&r->w, 0);
	raw_sin(r, strchr(addr, ':') ? AF_INET6 : AF_INET, addr, 0);
	raw_end(r);
}

static void
raw_sa(struct raw *r, uint8_t auth, uint8_t enc)
{
	raw_ext(r, SADB_EXT_SA);
	wr_u32be(&r->w, 0x1234);
	wr_u8(&r->w, 0);
	wr_u8(&r->w, SADB_SASTATE_MATURE);
	wr_u8(&r->w, auth);
	wr_u8(&r->w, enc);
	wr_u32he(&r->w, 0);
	raw_end(r);
}

static void
raw_key(struct raw *r, uint16_t type, uint16_t bits, size_t bytes)
{
	raw_ext(r, type);
	wr_u16he(&r->w, bits);
	wr_u16he(&r->w, 0);
	wr_bytes(&r->w, seqbytes, bytes);
	raw_end(r);
}

/* An ipsecrequest of len bytes (as claimed), optionally with v4 endpoints. */
static void
raw_req(struct raw *r, uint16_t len, uint8_t mode, bool endpoints)
{
	wr_u16he(&r->w, len);
	wr_u16he(&r->w, IPPROTO_ESP);
	wr_u8(&r->w, mode);
	wr_u8(&r->w, IPSEC_LEVEL_REQUIRE);
	wr_u16he(&r->w, 0);
	wr_u32he(&r->w, 0);
	wr_u32he(&r->w, 0);
	if (endpoints) {
		raw_sin(r, AF_INET, A4, 0);
		raw_sin(r, AF_INET, B4, 0);
	}
}

static void
raw_policy_hdr(struct raw *r, uint16_t type)
{
	raw_ext(r, SADB_X_EXT_POLICY);
	wr_u16he(&r->w, type);
	wr_u8(&r->w, IPSEC_DIR_OUTBOUND);
	wr_u8(&r->w, 0);
	wr_u32he(&r->w, 0);
	wr_u32he(&r->w, 0);
}

static int
raw_decode(struct raw *r)
{
	struct pfk_msg m;
	size_t len = raw_done(r);

	return pfk_decode(r->b, len, &m);
}

/* Offset of the extension of type t in an encoded message; fails if absent. */
static size_t
find_ext(const uint8_t *b, size_t len, unsigned t)
{
	size_t off = 16;
	uint16_t units, type;

	while (off + 4 <= len) {
		memcpy(&units, b + off, 2);
		memcpy(&type, b + off + 2, 2);
		if (type == t)
			return off;
		assert_true(units > 0);
		off += (size_t)units * 8;
	}
	fail_msg("extension %u not found", t);
	return 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* ---- round trips ---- */

static void
test_roundtrip(void **state)
{
	const struct sample *s = *state;
	struct pfk_msg m, d, d2;
	uint8_t buf[8192], buf2[8192];
	struct wr w2 = wr_init(buf2, sizeof(buf2));
	size_t len = encode_sample(s, &m, buf, sizeof(buf));
	uint16_t units;

	assert_int_equal(len % 8, 0);
	assert_int_equal(buf[0], PF_KEY_V2);
	memcpy(&units, buf + 4, 2);
	assert_int_equal((size_t)units * 8, len);
	assert_int_equal(pfk_decode(buf, len, &d), 0);
	assert_true(msg_eq(&m, &d));
	/* Decoded keys are views into the input. */
	if (pfk_has(&d, SADB_EXT_KEY_ENCRYPT))
		assert_true(d.key_enc.data > buf && d.key_enc.data + d.key_enc.len <= buf + len);
	assert_int_equal(pfk_encode(&d, &w2), 0);
	assert_int_equal(w2.off, len);
	assert_memory_equal(buf, buf2, len);
	assert_int_equal(pfk_decode(buf2, len, &d2), 0);
	assert_true(msg_eq(&d, &d2));
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	static uint8_t data[PFK_MSG_MAX + 1];
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	*len = fread(data, 1, sizeof(data), f);
	fclose(f);
	return data;
}

/* The C encoder and the independent Python one agree byte for byte. */
static void
test_matches_corpus(void **state)
{
	const struct sample *s = *state;
	struct pfk_msg m;
	uint8_t buf[8192], *file;
	char path[512];
	size_t len, flen;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	skip();	/* the corpus was written on a little-endian host */
#endif
	snprintf(path, sizeof(path), "%s/%s.bin", PFK_CORPUS_DIR, s->name);
	file = read_file(path, &flen);
	len = encode_sample(s, &m, buf, sizeof(buf));
	assert_int_equal(len, flen);
	assert_memory_equal(buf, file, len);
}

/* Every corpus file decodes and re-encodes to the same bytes. */
static void
test_corpus_files(void **state)
{
	DIR *dir;
	struct dirent *de;
	struct pfk_msg m;
	uint8_t out[PFK_MSG_MAX], *data;
	char path[512];
	size_t len, nfiles = 0;

	(void)state;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	skip();	/* the corpus was written on a little-endian host */
#endif
	assert_non_null(dir = opendir(PFK_CORPUS_DIR));
	while ((de = readdir(dir)) != NULL) {
		struct wr w = wr_init(out, sizeof(out));

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", PFK_CORPUS_DIR, de->d_name);
		data = read_file(path, &len);
		if (pfk_decode(data, len, &m) != 0)
			fail_msg("%s does not decode", de->d_name);
		assert_int_equal(pfk_encode(&m, &w), 0);
		assert_int_equal(w.off, len);
		assert_memory_equal(out, data, len);
		nfiles++;
	}
	closedir(dir);
	assert_true(nfiles >= 10);
}

/*
 * Every truncation is rejected; every single-bit flip decodes without
 * harm, and a flipped message that decodes survives a round trip.
 */
static void
test_mutations(void **state)
{
	const struct sample *s = *state;
	struct pfk_msg m, d, d2;
	uint8_t buf[8192], out[8192], *mut;
	size_t len = encode_sample(s, &m, buf, sizeof(buf)), n, bit;

	/* Exact-size heap copies, so that ASan sees any read past the end. */
	for (n = 0; n < len; n++) {
		assert_non_null(mut = malloc(n + 1));
		memcpy(mut, buf, n);
		assert_true(pfk_decode(mut, n, &d) < 0);
		free(mut);
	}
	assert_non_null(mut = malloc(len));
	for (bit = 0; bit < len * 8; bit++) {
		struct wr w = wr_init(out, sizeof(out));

		memcpy(mut, buf, len);
		mut[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (pfk_decode(mut, len, &d) != 0)
			continue;
		assert_int_equal(pfk_encode(&d, &w), 0);
		assert_int_equal(w.off, len);
		assert_int_equal(pfk_decode(out, w.off, &d2), 0);
		assert_true(msg_eq(&d, &d2));
	}
	free(mut);
}

/* ---- header ---- */

static void
test_short_header(void **state)
{
	struct pfk_msg m;
	uint8_t buf[16] = { PF_KEY_V2, SADB_FLUSH, 0, 0, 2, 0 };

	(void)state;
	assert_int_equal(pfk_decode(buf, 0, &m), -EMSGSIZE);
	assert_int_equal(pfk_decode(buf, 8, &m), -EMSGSIZE);
	assert_int_equal(pfk_decode(buf, 15, &m), -EMSGSIZE);
	put16(buf + 4, 2);
	assert_int_equal(pfk_decode(buf, 16, &m), 0);
}

static void
test_length_mismatch(void **state)
{
	struct pfk_msg m;
	uint8_t buf[32] = { PF_KEY_V2, SADB_FLUSH };

	(void)state;
	put16(buf + 4, 3);
	assert_int_equal(pfk_decode(buf, 16, &m), -EMSGSIZE);
	put16(buf + 4, 2);
	assert_int_equal(pfk_decode(buf, 24, &m), -EMSGSIZE);
	assert_int_equal(pfk_decode(buf, 20, &m), -EMSGSIZE);
	put16(buf + 4, 0);
	assert_int_equal(pfk_decode(buf, 16, &m), -EMSGSIZE);
}

static void
test_too_long(void **state)
{
	static uint8_t buf[PFK_MSG_MAX + 8];
	struct pfk_msg m;

	(void)state;
	buf[0] = PF_KEY_V2;
	buf[1] = SADB_FLUSH;
	put16(buf + 4, (PFK_MSG_MAX + 8) / 8);
	assert_int_equal(pfk_decode(buf, sizeof(buf), &m), -EMSGSIZE);
}

static void
test_wrong_version(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, 1, SADB_FLUSH, 0);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, 3, SADB_FLUSH, 0);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_bad_msg_type(void **state)
{
	static const uint8_t bad[] = { SADB_RESERVED, SADB_MAX + 1, 255 };
	struct raw r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		raw_hdr(&r, PF_KEY_V2, bad[i], 0);
		assert_int_equal(raw_decode(&r), -EINVAL);
	}
	raw_hdr(&r, PF_KEY_V2, SADB_MAX, 0);
	assert_int_equal(raw_decode(&r), 0);
}

static int encode(const struct pfk_msg *m);

/* The project's PFK_X_STATUS (32): known to the codec, its neighbours are not. */
static void
test_status_type(void **state)
{
	static const uint8_t bad[] = { PFK_X_STATUS - 1, PFK_X_STATUS + 1 };
	struct pfk_msg m, d;
	uint8_t buf[1024];
	struct wr w = wr_init(buf, sizeof(buf));
	struct raw r;
	size_t i;

	(void)state;
	assert_true(PFK_X_STATUS > SADB_MAX);
	assert_true(pfk_type_ok(PFK_X_STATUS));
	raw_hdr(&r, PF_KEY_V2, PFK_X_STATUS, 0);
	assert_int_equal(raw_decode(&r), 0);
	for (i = 0; i < sizeof(bad); i++) {
		assert_false(pfk_type_ok(bad[i]));
		raw_hdr(&r, PF_KEY_V2, bad[i], 0);
		assert_int_equal(raw_decode(&r), -EINVAL);
	}
	/* The reply: header echo and the gateway's counters. */
	memset(&m, 0, sizeof(m));
	m.type = PFK_X_STATUS;
	m.seq = 12;
	m.pid = PID;
	m.stats.n = PFK_MAX_STATS;
	for (i = 0; i < PFK_MAX_STATS; i++)
		m.stats.v[i] = UINT64_C(1) << i;
	pfk_set(&m, PFK_EXT_STATS);
	assert_int_equal(pfk_encode(&m, &w), 0);
	assert_int_equal(pfk_decode(buf, w.off, &d), 0);
	assert_true(msg_eq(&m, &d));
	m.type = PFK_X_STATUS + 1;
	assert_int_equal(encode(&m), GW_E_BADVAL);
}

static void
test_decode_zeroes_out(void **state)
{
	struct pfk_msg m;
	struct raw r;
	size_t len;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_FLUSH, SADB_SATYPE_AH);
	len = raw_done(&r);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(pfk_decode(r.b, len, &m), 0);
	assert_int_equal(m.present, 0);
	assert_int_equal(m.errnum, 0);
	assert_int_equal(m.satype, SADB_SATYPE_AH);
	assert_int_equal(m.sa.spi, 0);
	assert_int_equal(m.policy.nreq, 0);
	assert_null(m.key_auth.data);
}

/* ---- extension framing ---- */

static void
test_zero_length_ext(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_sa(&r, 0, 0);
	put16(r.b + r.ext_start, 0);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_ext_past_end(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_sa(&r, 0, 0);
	put16(r.b + r.ext_start, 3);
	assert_int_equal(raw_decode(&r), -EINVAL);
	put16(r.b + r.ext_start, 0xffff);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_duplicate_ext(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_sa(&r, 0, 0);
	raw_address(&r, SADB_EXT_ADDRESS_SRC, A4, 32);
	raw_sa(&r, 0, 0);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

/* Fixed-size extensions must have exactly their size. */
static void
test_exact_sizes(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_sa(&r, 0, 0);
	wr_zero(&r.w, 8);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);

	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_ext(&r, SADB_EXT_LIFETIME_HARD);
	wr_zero(&r.w, 20);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);

	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_ext(&r, PFK_EXT_REPLAY);
	wr_zero(&r.w, 20);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_unknown_ext_type(void **state)
{
	static const uint16_t bad[] = { 0, 27, 31, 34, 63, 64, 0xffff };
	struct raw r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
		raw_ext(&r, bad[i]);
		wr_zero(&r.w, 12);
		raw_end(&r);
		assert_int_equal(raw_decode(&r), -EINVAL);
	}
}

static void
test_refused_ext(void **state)
{
	static const uint16_t refused[] = {
		SADB_EXT_IDENTITY_SRC, SADB_EXT_IDENTITY_DST, SADB_EXT_SENSITIVITY,
		SADB_X_EXT_KMPRIVATE, SADB_X_EXT_SEC_CTX, SADB_X_EXT_KMADDRESS,
		SADB_X_EXT_FILTER,
	};
	struct raw r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
		raw_ext(&r, refused[i]);
		wr_u16he(&r.w, SADB_IDENTTYPE_FQDN);
		wr_zero(&r.w, 10);
		wr_bytes(&r.w, "gw.example.org", 14);
		raw_end(&r);
		assert_int_equal(raw_decode(&r), -EOPNOTSUPP);
	}
}

/* ---- addresses ---- */

static void
test_bad_family(void **state)
{
	static const uint16_t bad[] = { AF_UNSPEC, AF_UNIX, 3, 0xffff };
	struct raw r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
		raw_ext(&r, SADB_EXT_ADDRESS_SRC);
		wr_u8(&r.w, IPSEC_ULPROTO_ANY);
		wr_u8(&r.w, 0);
		wr_u16he(&r.w, 0);
		raw_sin(&r, bad[i], A4, 0);
		raw_end(&r);
		assert_int_equal(raw_decode(&r), -EAFNOSUPPORT);
	}
}

static void
test_sockaddr_longer_than_ext(void **state)
{
	struct raw r;

	(void)state;
	/* A sockaddr_in (16 bytes) in an extension with room for 8. */
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_ext(&r, SADB_EXT_ADDRESS_SRC);
	wr_u8(&r.w, IPSEC_ULPROTO_ANY);
	wr_u8(&r.w, 32);
	wr_u16he(&r.w, 0);
	wr_u16he(&r.w, AF_INET);
	wr_zero(&r.w, 6);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);

	/* A sockaddr_in6 (28 bytes) in an extension with room for 16. */
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_SRC, A4, 32);
	put16(r.b + r.ext_start + 8, AF_INET6);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_address_trailing_bytes(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_SRC, A4, 32);
	wr_zero(&r.w, 8);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_prefix_too_long(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_SRC, A4, 33);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_DST, "2001:db8::", 129);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_DST, "2001:db8::", 128);
	assert_int_equal(raw_decode(&r), 0);
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_SRC, "0.0.0.0", 0);
	assert_int_equal(raw_decode(&r), 0);
}

static void
test_src_dst_family_mismatch(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_SRC, A4, 32);
	raw_address(&r, SADB_EXT_ADDRESS_DST, "2001:db8::1", 128);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

/* A scope id cannot be carried by struct gw_addr: refused, not dropped. */
static void
test_v6_scope_refused(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_address(&r, SADB_EXT_ADDRESS_SRC, "fe80::1", 128);
	r.b[r.ext_start + 8 + 24] = 2;	/* sin6_scope_id */
	assert_int_equal(raw_decode(&r), -EOPNOTSUPP);
}

/* ---- keys ---- */

static void
test_key_bits_beyond_ext(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_key(&r, SADB_EXT_KEY_ENCRYPT, 128, 8);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_key(&r, SADB_EXT_KEY_AUTH, 65, 8);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_key(&r, SADB_EXT_KEY_AUTH, 64, 8);
	assert_int_equal(raw_decode(&r), 0);
}

static void
test_key_zero_bits(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_key(&r, SADB_EXT_KEY_ENCRYPT, 0, 8);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

/* Key bytes past the padding of the last key byte are not allowed. */
static void
test_key_trailing_bytes(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_key(&r, SADB_EXT_KEY_ENCRYPT, 64, 16);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static int
key_msg(uint8_t satype, uint8_t auth, uint8_t enc, uint16_t abits, uint16_t ebits)
{
	struct raw r;

	raw_hdr(&r, PF_KEY_V2, SADB_ADD, satype);
	raw_sa(&r, auth, enc);
	if (abits)
		raw_key(&r, SADB_EXT_KEY_AUTH, abits, (abits + 7) / 8);
	if (ebits)
		raw_key(&r, SADB_EXT_KEY_ENCRYPT, ebits, (ebits + 7) / 8);
	return raw_decode(&r);
}

static void
test_key_length_for_alg(void **state)
{
	(void)state;
	assert_int_equal(key_msg(SADB_SATYPE_ESP, 0, SADB_X_EALG_AESCBC, 0, 100), -EINVAL);
	assert_int_equal(key_msg(SADB_SATYPE_ESP, 0, SADB_X_EALG_AESCBC, 0, 160), -EINVAL);
	assert_int_equal(key_msg(SADB_SATYPE_ESP, 0, SADB_X_EALG_AESCBC, 0, 192), 0);
	assert_int_equal(key_msg(SADB_SATYPE_ESP, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC,
	    128, 128), -EINVAL);
	assert_int_equal(key_msg(SADB_SATYPE_ESP, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC,
	    160, 256), 0);
	assert_int_equal(key_msg(SADB_SATYPE_AH, SADB_X_AALG_SHA2_256HMAC, 0, 255, 0),
	    -EINVAL);
	/* A key for a keyless algorithm. */
	assert_int_equal(key_msg(SADB_SATYPE_ESP, 0, SADB_EALG_NULL, 0, 64), -EINVAL);
	/* AES-GCM keys include the 32-bit salt. */
	assert_int_equal(key_msg(SADB_SATYPE_ESP, 0, SADB_X_EALG_AES_GCM_ICV16, 0, 128),
	    -EINVAL);
	assert_int_equal(key_msg(SADB_SATYPE_ESP, 0, SADB_X_EALG_AES_GCM_ICV16, 0, 288), 0);
	/* Unknown algorithms are not the codec's business. */
	assert_int_equal(key_msg(SADB_SATYPE_ESP, 200, 201, 100, 100), 0);
	/* For IPComp the encrypt field is a compression id. */
	assert_int_equal(key_msg(SADB_X_SATYPE_IPCOMP, 0, SADB_EALG_3DESCBC, 0, 100), 0);
}

/* Without an SA extension there is no algorithm to check against. */
static void
test_key_without_sa(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_key(&r, SADB_EXT_KEY_ENCRYPT, 100, 13);
	assert_int_equal(raw_decode(&r), 0);
}

/* ---- policies ---- */

static void
test_ipsecreq_len_not_fitting(void **state)
{
	struct raw r;

	(void)state;
	/* Claims 48 bytes with 16 left in the policy. */
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 48, IPSEC_MODE_TUNNEL, false);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
	/* Not a multiple of 8. */
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 20, IPSEC_MODE_TUNNEL, false);
	wr_zero(&r.w, 8);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
	/* Shorter than a request header, and zero. */
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 8, IPSEC_MODE_TUNNEL, false);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 0, IPSEC_MODE_TUNNEL, false);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
	/* A tunnel request of 24 bytes cannot hold its two sockaddrs. */
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 24, IPSEC_MODE_TUNNEL, false);
	wr_u16he(&r.w, AF_INET);
	wr_zero(&r.w, 6);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_too_many_requests(void **state)
{
	struct raw r;
	size_t i;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	for (i = 0; i < PFK_MAX_REQ; i++)
		raw_req(&r, 48, IPSEC_MODE_TUNNEL, true);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), 0);

	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	for (i = 0; i < PFK_MAX_REQ + 1; i++)
		raw_req(&r, 16, IPSEC_MODE_TRANSPORT, false);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_endpoints_need_tunnel(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 48, IPSEC_MODE_TRANSPORT, true);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_endpoint_families(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 16 + 16 + 28 + 4, IPSEC_MODE_TUNNEL, false);
	raw_sin(&r, AF_INET, A4, 0);
	raw_sin(&r, AF_INET6, "2001:db8::1", 0);
	wr_zero(&r.w, 4);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);

	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_IPSEC);
	raw_req(&r, 48, IPSEC_MODE_TUNNEL, false);
	raw_sin(&r, AF_INET, A4, 0);
	raw_sin(&r, AF_UNIX, B4, 0);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EAFNOSUPPORT);
}

static void
test_requests_need_ipsec_policy(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_X_SPDADD, 0);
	raw_policy_hdr(&r, IPSEC_POLICY_DISCARD);
	raw_req(&r, 16, IPSEC_MODE_TRANSPORT, false);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

/* ---- other extensions ---- */

static void
test_spirange_inverted(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_GETSPI, SADB_SATYPE_ESP);
	raw_ext(&r, SADB_EXT_SPIRANGE);
	wr_u32he(&r.w, 0x2000);
	wr_u32he(&r.w, 0x1000);
	wr_u32he(&r.w, 0);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
raw_supported(struct raw *r, size_t n, uint16_t lo, uint16_t hi)
{
	size_t i;

	raw_ext(r, SADB_EXT_SUPPORTED_AUTH);
	wr_u32he(&r->w, 0);
	for (i = 0; i < n; i++) {
		wr_u8(&r->w, (uint8_t)i);
		wr_u8(&r->w, 0);
		wr_u16he(&r->w, lo);
		wr_u16he(&r->w, hi);
		wr_u16he(&r->w, 0);
	}
	raw_end(r);
}

static void
test_supported_limits(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_REGISTER, SADB_SATYPE_ESP);
	raw_supported(&r, PFK_MAX_SUPPORTED, 128, 256);
	assert_int_equal(raw_decode(&r), 0);
	raw_hdr(&r, PF_KEY_V2, SADB_REGISTER, SADB_SATYPE_ESP);
	raw_supported(&r, PFK_MAX_SUPPORTED + 1, 128, 256);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_REGISTER, SADB_SATYPE_ESP);
	raw_supported(&r, 1, 256, 128);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
test_proposal_sizes(void **state)
{
	struct raw r;

	(void)state;
	/* 80 bytes of combinations: one and a piece. */
	raw_hdr(&r, PF_KEY_V2, SADB_ACQUIRE, SADB_SATYPE_ESP);
	raw_ext(&r, SADB_EXT_PROPOSAL);
	wr_zero(&r.w, 4 + 80);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_ACQUIRE, SADB_SATYPE_ESP);
	raw_ext(&r, SADB_EXT_PROPOSAL);
	wr_zero(&r.w, 4 + 72 * (PFK_MAX_COMB + 1));
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_ACQUIRE, SADB_SATYPE_ESP);
	raw_ext(&r, SADB_EXT_PROPOSAL);
	wr_zero(&r.w, 4 + 72 * PFK_MAX_COMB);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), 0);
}

static void
test_replay_flags(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_ADD, SADB_SATYPE_ESP);
	raw_ext(&r, PFK_EXT_REPLAY);
	wr_u32he(&r.w, 64);
	wr_u32he(&r.w, 0x2);
	wr_u32he(&r.w, 0);
	raw_end(&r);
	assert_int_equal(raw_decode(&r), -EINVAL);
}

static void
raw_stats(struct raw *r, uint32_t count, size_t n)
{
	size_t i;

	raw_ext(r, PFK_EXT_STATS);
	wr_u32he(&r->w, count);
	for (i = 0; i < n; i++)
		wr_u64he(&r->w, i);
	raw_end(r);
}

static void
test_stats_count(void **state)
{
	struct raw r;

	(void)state;
	raw_hdr(&r, PF_KEY_V2, SADB_DUMP, SADB_SATYPE_ESP);
	raw_stats(&r, 3, 2);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_DUMP, SADB_SATYPE_ESP);
	raw_stats(&r, 2, 3);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_DUMP, SADB_SATYPE_ESP);
	raw_stats(&r, PFK_MAX_STATS + 1, PFK_MAX_STATS + 1);
	assert_int_equal(raw_decode(&r), -EINVAL);
	raw_hdr(&r, PF_KEY_V2, SADB_DUMP, SADB_SATYPE_ESP);
	raw_stats(&r, 0, 0);
	assert_int_equal(raw_decode(&r), 0);
}

/* ---- wire layout ---- */

static void
test_wire_layout(void **state)
{
	struct pfk_msg m;
	uint8_t buf[1024];
	size_t len = encode_sample(&samples[2], &m, buf, sizeof(buf)), off;	/* update_natt */
	static const uint8_t spi[4] = { 0xc1, 0xa2, 0xb3, 0xc4 };
	static const uint8_t port[2] = { 0x11, 0x94 };	/* 4500 */

	(void)state;
	off = find_ext(buf, len, SADB_EXT_SA);
	assert_memory_equal(buf + off + 4, spi, 4);
	off = find_ext(buf, len, SADB_EXT_ADDRESS_SRC);
	assert_memory_equal(buf + off + 10, port, 2);
	off = find_ext(buf, len, SADB_X_EXT_NAT_T_SPORT);
	assert_memory_equal(buf + off + 4, port, 2);
	off = find_ext(buf, len, SADB_EXT_KEY_ENCRYPT);
	assert_int_equal(get16(buf + off), 4);	/* 8 + 20 bytes, padded: 4 units */

	len = encode_sample(&samples[9], &m, buf, sizeof(buf));	/* spdadd_v4 */
	off = find_ext(buf, len, SADB_X_EXT_POLICY);
	assert_int_equal(get16(buf + off), (16 + 48 + 48) / 8);
	assert_int_equal(get16(buf + off + 16), 48);	/* request length in bytes */
}

/* ---- encoding errors ---- */

static void
test_encode_small_buffer(void **state)
{
	struct pfk_msg m;
	uint8_t buf[1024];
	size_t len = encode_sample(&samples[1], &m, buf, sizeof(buf)), cap;

	(void)state;
	for (cap = 0; cap < len; cap++) {
		struct wr w = wr_init(buf, cap);

		assert_int_equal(pfk_encode(&m, &w), GW_E_TOOLONG);
	}
}

static int
encode(const struct pfk_msg *m)
{
	uint8_t buf[8192];
	struct wr w = wr_init(buf, sizeof(buf));

	return pfk_encode(m, &w);
}

static void
test_encode_bad_fields(void **state)
{
	struct pfk_msg m;

	(void)state;
	s_add_v4(&m);
	m.key_auth.len = 19;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_add_v4(&m);
	m.key_enc.bits = 0;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_add_v4(&m);
	m.key_enc.data = NULL;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_add_v4(&m);
	m.type = SADB_RESERVED;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_add_v4(&m);
	m.type = SADB_MAX + 1;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_add_v4(&m);
	m.src.addr.af = AF_UNSPEC;
	assert_int_equal(encode(&m), GW_E_FAMILY);
	s_add_v4(&m);
	m.dst.addr.plen = 33;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_add_v4(&m);
	m.replay.flags = 0x80;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_getspi(&m);
	m.spirange.min = m.spirange.max + 1;
	assert_int_equal(encode(&m), GW_E_BADVAL);
}

static void
test_encode_bad_counts(void **state)
{
	struct pfk_msg m;

	(void)state;
	s_spdadd_v4(&m);
	m.policy.nreq = PFK_MAX_REQ + 1;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_spdadd_v4(&m);
	m.policy.req[1].mode = IPSEC_MODE_TRANSPORT;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_spdadd_v4(&m);
	m.policy.req[0].dst = mkaddr("2001:db8::1", FULL, 0);
	assert_int_equal(encode(&m), GW_E_FAMILY);
	s_spdadd_v4(&m);
	m.policy.type = IPSEC_POLICY_NONE;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_register_reply(&m);
	m.sup_enc.n = PFK_MAX_SUPPORTED + 1;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_register_reply(&m);
	m.sup_auth.alg[0].minbits = 1000;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_acquire(&m);
	m.proposal.n = PFK_MAX_COMB + 1;
	assert_int_equal(encode(&m), GW_E_BADVAL);
	s_dump_reply(&m);
	m.stats.n = PFK_MAX_STATS + 1;
	assert_int_equal(encode(&m), GW_E_BADVAL);
}

static void
test_encode_bad_present(void **state)
{
	struct pfk_msg m;

	(void)state;
	s_flush(&m);
	pfk_set(&m, SADB_EXT_IDENTITY_SRC);
	assert_int_equal(encode(&m), GW_E_UNSUPP);
	s_flush(&m);
	m.present |= PFK_BIT(0);
	assert_int_equal(encode(&m), GW_E_UNKNOWN);
	s_flush(&m);
	m.present |= PFK_BIT(28);
	assert_int_equal(encode(&m), GW_E_UNKNOWN);
	s_flush(&m);
	m.present |= PFK_BIT(63);
	assert_int_equal(encode(&m), GW_E_UNKNOWN);
}

/* pfk_encode appends at the writer's cursor; lengths count from there. */
static void
test_encode_at_offset(void **state)
{
	struct pfk_msg m, d;
	uint8_t buf[1024];
	struct wr w = wr_init(buf, sizeof(buf));

	(void)state;
	s_add_v6(&m);
	wr_zero(&w, 24);
	assert_int_equal(pfk_encode(&m, &w), 0);
	assert_int_equal(pfk_decode(buf + 24, w.off - 24, &d), 0);
	assert_true(msg_eq(&m, &d));
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(pfk_type_name(SADB_GETSPI), "GETSPI");
	assert_string_equal(pfk_type_name(SADB_X_SPDADD), "X_SPDADD");
	assert_string_equal(pfk_type_name(SADB_X_SPDDELETE2), "X_SPDDELETE2");
	assert_string_equal(pfk_type_name(SADB_X_MIGRATE), "X_MIGRATE");
	assert_string_equal(pfk_type_name(0), "UNKNOWN");
	assert_string_equal(pfk_type_name(SADB_MAX + 1), "UNKNOWN");
	assert_string_equal(pfk_type_name(PFK_X_STATUS), "X_STATUS");
	assert_string_equal(pfk_type_name(PFK_X_STATUS + 1), "UNKNOWN");
	assert_string_equal(pfk_ext_name(SADB_EXT_SA), "SA");
	assert_string_equal(pfk_ext_name(SADB_EXT_LIFETIME_CURRENT), "LIFETIME_CURRENT");
	assert_string_equal(pfk_ext_name(SADB_EXT_ADDRESS_SRC), "ADDRESS_SRC");
	assert_string_equal(pfk_ext_name(SADB_X_EXT_POLICY), "X_POLICY");
	assert_string_equal(pfk_ext_name(SADB_X_EXT_SA2), "X_SA2");
	assert_string_equal(pfk_ext_name(SADB_X_EXT_NAT_T_TYPE), "X_NAT_T_TYPE");
	assert_string_equal(pfk_ext_name(SADB_EXT_IDENTITY_SRC), "IDENTITY_SRC");
	assert_string_equal(pfk_ext_name(PFK_EXT_REPLAY), "REPLAY");
	assert_string_equal(pfk_ext_name(PFK_EXT_STATS), "STATS");
	assert_string_equal(pfk_ext_name(0), "UNKNOWN");
	assert_string_equal(pfk_ext_name(27), "UNKNOWN");
	assert_string_equal(pfk_ext_name(1000), "UNKNOWN");
}

#define T(f)	{ #f, f, NULL, NULL, NULL }

static const struct CMUnitTest fixed_tests[] = {
	T(test_corpus_files),
	T(test_short_header),
	T(test_length_mismatch),
	T(test_too_long),
	T(test_wrong_version),
	T(test_bad_msg_type),
	T(test_decode_zeroes_out),
	T(test_zero_length_ext),
	T(test_ext_past_end),
	T(test_duplicate_ext),
	T(test_exact_sizes),
	T(test_unknown_ext_type),
	T(test_refused_ext),
	T(test_bad_family),
	T(test_sockaddr_longer_than_ext),
	T(test_address_trailing_bytes),
	T(test_prefix_too_long),
	T(test_src_dst_family_mismatch),
	T(test_v6_scope_refused),
	T(test_key_bits_beyond_ext),
	T(test_key_zero_bits),
	T(test_key_trailing_bytes),
	T(test_key_length_for_alg),
	T(test_key_without_sa),
	T(test_ipsecreq_len_not_fitting),
	T(test_too_many_requests),
	T(test_endpoints_need_tunnel),
	T(test_endpoint_families),
	T(test_requests_need_ipsec_policy),
	T(test_spirange_inverted),
	T(test_supported_limits),
	T(test_proposal_sizes),
	T(test_replay_flags),
	T(test_stats_count),
	T(test_status_type),
	T(test_wire_layout),
	T(test_encode_small_buffer),
	T(test_encode_bad_fields),
	T(test_encode_bad_counts),
	T(test_encode_bad_present),
	T(test_encode_at_offset),
	T(test_names),
};
#define NFIXED	(sizeof(fixed_tests) / sizeof(fixed_tests[0]))

int
main(void)
{
	static struct CMUnitTest tests[NFIXED + 3 * NSAMPLES];
	static char names[3 * NSAMPLES][64];
	size_t i, n = 0;

	for (i = 0; i < sizeof(seqbytes); i++)
		seqbytes[i] = (uint8_t)i;
	for (i = 0; i < NFIXED; i++)
		tests[n++] = fixed_tests[i];
	for (i = 0; i < NSAMPLES; i++) {
		void *s = &samples[i];

		snprintf(names[3 * i], 64, "test_roundtrip(%s)", samples[i].name);
		tests[n++] = (struct CMUnitTest){ names[3 * i], test_roundtrip, NULL, NULL, s };
		snprintf(names[3 * i + 1], 64, "test_mutations(%s)", samples[i].name);
		tests[n++] = (struct CMUnitTest){ names[3 * i + 1], test_mutations, NULL, NULL, s };
		if (!samples[i].in_corpus)
			continue;
		snprintf(names[3 * i + 2], 64, "test_matches_corpus(%s)", samples[i].name);
		tests[n++] = (struct CMUnitTest){ names[3 * i + 2], test_matches_corpus, NULL,
		    NULL, s };
	}
	return _cmocka_run_group_tests("pfkey", tests, n, NULL, NULL);
}
