/*
 * test_sadb_client.c: ikd's PF_KEY client (ikd/sadb_client.c) against a
 * fake tunneld on the other end of a SOCK_SEQPACKET socketpair. The fake
 * decodes what the client sends and answers with messages built by the
 * real codec (lib/pfkey.c), shaped as tunneld's engine shapes them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/udp.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath.h"
#include "sadb_client.h"

#define PID	4321		/* the client's sadb_msg_pid */
#define OTHER	999		/* another client (setkey) */

struct fx {
	struct sadb_client	*c;
	int			 peer;		/* the fake tunneld's end */
	uint8_t			 buf[PFK_MSG_MAX];	/* last message received */
	/* what the callbacks saw */
	int			 ndone;
	struct sadbc_reply	 last;
	uint8_t			 last_type[8];
	int			 last_err[8];
	int			 nacquire;
	struct sadbc_acquire	 acq;
	uint32_t		 acq_pol_id;	/* id of acq.policy, 0 if NULL */
	size_t			 acq_ncomb;
	int			 nexpire;
	struct sadbc_expire	 exp;
	int			 nspd;
	int			 nremoved;
	uint32_t		 removed_spi;
	struct gw_addr		 removed_dst;
	int			 nlost;
	int			 lost_err;
};

static void
on_done(void *arg, const struct sadbc_reply *r)
{
	struct fx *f = arg;

	if (f->ndone < 8) {
		f->last_type[f->ndone] = r->type;
		f->last_err[f->ndone] = r->err;
	}
	f->ndone++;
	f->last = *r;
	f->last.msg = NULL;	/* borrowed for the call only */
}

static void
on_acquire(void *arg, const struct sadbc_acquire *a)
{
	struct fx *f = arg;

	f->nacquire++;
	f->acq = *a;
	f->acq_pol_id = a->policy != NULL ? a->policy->id : 0;
	f->acq_ncomb = a->proposal != NULL ? a->proposal->n : 0;
	f->acq.policy = NULL;
	f->acq.proposal = NULL;
}

static void
on_expire(void *arg, const struct sadbc_expire *e)
{
	struct fx *f = arg;

	f->nexpire++;
	f->exp = *e;
}

static void
on_spd(void *arg)
{
	((struct fx *)arg)->nspd++;
}

static void
on_removed(void *arg, uint32_t spi, const struct gw_addr *dst)
{
	struct fx *f = arg;

	f->nremoved++;
	f->removed_spi = spi;
	f->removed_dst = *dst;
}

static void
on_lost(void *arg, int err)
{
	struct fx *f = arg;

	f->nlost++;
	f->lost_err = err;
}

static int
setup(void **state)
{
	struct sadbc_events ev = {
		.acquire = on_acquire, .expire = on_expire, .spd_changed = on_spd,
		.sa_removed = on_removed, .lost = on_lost,
	};
	struct fx *f = calloc(1, sizeof(*f));
	int sv[2];

	if (f == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		return -1;
	ev.arg = f;
	f->c = sadb_client_new(&ev, PID);
	if (f->c == NULL)
		return -1;
	sadb_client_attach(f->c, sv[0]);
	f->peer = sv[1];
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	sadb_client_free(f->c);
	if (f->peer != -1)
		close(f->peer);
	free(f);
	return 0;
}

static struct gw_addr
A(const char *s)
{
	struct gw_addr a;

	assert_int_equal(addr_parse_prefix(s, &a), 0);
	return a;
}

/* The next message the client sent, decoded (views into f->buf). */
static void
fake_recv(struct fx *f, struct pfk_msg *m)
{
	ssize_t n = recv(f->peer, f->buf, sizeof(f->buf), MSG_DONTWAIT);

	assert_true(n > 0);
	assert_int_equal(pfk_decode(f->buf, (size_t)n, m), 0);
	assert_int_equal(m->pid, PID);
	assert_true(m->seq != 0);
}

static void
fake_nothing(struct fx *f)
{
	assert_int_equal(recv(f->peer, f->buf, sizeof(f->buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

static void
fake_send(struct fx *f, const struct pfk_msg *m)
{
	uint8_t out[PFK_MSG_MAX];
	struct wr w = wr_init(out, sizeof(out));

	assert_int_equal(pfk_encode(m, &w), 0);
	assert_int_equal(send(f->peer, out, w.off, 0), (ssize_t)w.off);
}

/* A reply header echoing req, as tunneld's key_reply_init does. */
static void
reply_init(const struct pfk_msg *req, struct pfk_msg *out, uint8_t errnum)
{
	memset(out, 0, sizeof(*out));
	out->type = req->type;
	out->satype = req->satype;
	out->seq = req->seq;
	out->pid = req->pid;
	out->errnum = errnum;
}

static void
put_sa(struct pfk_msg *m, uint32_t spi, const char *src, const char *dst)
{
	m->sa.spi = spi;
	m->sa.state = SADB_SASTATE_MATURE;
	m->src.proto = m->dst.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = A(src);
	m->dst.addr = A(dst);
	pfk_set(m, SADB_EXT_SA);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
}

/* A policy message of type for sel src -> dst, tunnel a -> b. */
static void
put_policy(struct pfk_msg *m, uint32_t id, uint8_t dir, const char *src, const char *dst,
    const char *a, const char *b)
{
	m->policy.type = IPSEC_POLICY_IPSEC;
	m->policy.dir = dir;
	m->policy.id = id;
	m->policy.nreq = 1;
	m->policy.req[0].proto = IPPROTO_ESP;
	m->policy.req[0].mode = IPSEC_MODE_TUNNEL;
	m->policy.req[0].level = IPSEC_LEVEL_REQUIRE;
	m->policy.req[0].has_endpoints = true;
	m->policy.req[0].src = A(a);
	m->policy.req[0].dst = A(b);
	m->src.proto = m->dst.proto = IPSEC_ULPROTO_ANY;
	m->src.addr = A(src);
	m->dst.addr = A(dst);
	pfk_set(m, SADB_X_EXT_POLICY);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
}

/* GETSPI then its reply with spi: the client tracks a reserved SA. */
static void
reserve(struct fx *f, uint32_t spi)
{
	struct gw_addr peer = A("198.51.100.2"), me = A("192.0.2.1");
	struct pfk_msg m, r;

	assert_true(sadb_client_getspi(f->c, &peer, &me, 7, 0, 0, on_done, f) != 0);
	fake_recv(f, &m);
	reply_init(&m, &r, 0);
	put_sa(&r, spi, "198.51.100.2", "192.0.2.1");
	r.sa.state = SADB_SASTATE_LARVAL;
	fake_send(f, &r);
	sadb_client_input(f->c);
}

/* ------------------------------------------------------------------ */

static void
test_register(void **state)
{
	struct fx *f = *state;
	struct pfk_msg m, r;
	uint32_t seq = sadb_client_register(f->c, on_done, f);

	assert_true(seq != 0);
	fake_recv(f, &m);
	assert_int_equal(m.type, SADB_REGISTER);
	assert_int_equal(m.satype, SADB_SATYPE_ESP);
	assert_int_equal(m.seq, seq);
	assert_int_equal(m.present, 0);
	assert_true(sadb_client_pending(f->c, seq));
	reply_init(&m, &r, 0);
	r.sup_enc.n = 2;
	r.sup_enc.alg[0] = (struct pfk_alg_sup){ .id = SADB_X_EALG_AES_GCM_ICV16, .ivlen = 8,
	    .minbits = 160, .maxbits = 288 };
	r.sup_enc.alg[1] = (struct pfk_alg_sup){ .id = SADB_X_EALG_AESCBC, .ivlen = 16,
	    .minbits = 128, .maxbits = 256 };
	r.sup_auth.n = 1;
	r.sup_auth.alg[0] = (struct pfk_alg_sup){ .id = SADB_X_AALG_SHA2_256HMAC,
	    .minbits = 256, .maxbits = 256 };
	pfk_set(&r, SADB_EXT_SUPPORTED_AUTH);
	pfk_set(&r, SADB_EXT_SUPPORTED_ENCRYPT);
	assert_false(sadb_client_supported(f->c, ALG_ENC, SADB_X_EALG_AES_GCM_ICV16));
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->last.type, SADB_REGISTER);
	assert_int_equal(f->last.seq, seq);
	assert_int_equal(f->last.err, 0);
	assert_false(sadb_client_pending(f->c, seq));
	assert_true(sadb_client_supported(f->c, ALG_ENC, SADB_X_EALG_AES_GCM_ICV16));
	assert_true(sadb_client_supported(f->c, ALG_ENC, SADB_X_EALG_AESCBC));
	assert_false(sadb_client_supported(f->c, ALG_ENC, SADB_EALG_3DESCBC));
	assert_true(sadb_client_supported(f->c, ALG_AUTH, SADB_X_AALG_SHA2_256HMAC));
	assert_false(sadb_client_supported(f->c, ALG_AUTH, SADB_AALG_SHA1HMAC));
}

static void
test_getspi(void **state)
{
	struct fx *f = *state;
	struct gw_addr peer = A("198.51.100.2"), me = A("192.0.2.1");
	struct pfk_msg m, r;
	uint32_t seq;

	peer.port = 4500;	/* ports of endpoints never travel in addresses */
	seq = sadb_client_getspi(f->c, &peer, &me, 42, 0x1000, 0x1fff, on_done, f);
	fake_recv(f, &m);
	assert_int_equal(m.type, SADB_GETSPI);
	assert_int_equal(m.satype, SADB_SATYPE_ESP);
	assert_int_equal(m.present, PFK_BIT(SADB_EXT_ADDRESS_SRC) | PFK_BIT(SADB_EXT_ADDRESS_DST) |
	    PFK_BIT(SADB_EXT_SPIRANGE) | PFK_BIT(SADB_X_EXT_SA2));
	assert_true(addr_eq(&m.src.addr, &peer));
	assert_int_equal(m.src.addr.port, 0);
	assert_int_equal(m.src.addr.plen, 32);
	assert_int_equal(m.src.proto, IPSEC_ULPROTO_ANY);
	assert_true(addr_eq(&m.dst.addr, &me));
	assert_int_equal(m.spirange.min, 0x1000);
	assert_int_equal(m.spirange.max, 0x1fff);
	assert_int_equal(m.sa2.mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(m.sa2.reqid, 42);
	reply_init(&m, &r, 0);
	put_sa(&r, 0x1234, "198.51.100.2", "192.0.2.1");
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->last.seq, seq);
	assert_int_equal(f->last.err, 0);
	assert_int_equal(f->last.spi, 0x1234);
	/* the LARVAL SA is ours to remove until it is updated or expires */
	assert_int_equal(sadb_client_installed(f->c), 1);

	/* no range: no SPIRANGE extension */
	sadb_client_getspi(f->c, &peer, &me, 0, 0, 0, on_done, f);
	fake_recv(f, &m);
	assert_false(pfk_has(&m, SADB_EXT_SPIRANGE));
	/* an answer without the SA extension is no SPI */
	reply_init(&m, &r, 0);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->last.err, EINVAL);
	assert_int_equal(sadb_client_installed(f->c), 1);
}

static struct sadbc_sa
sample_sa(void)
{
	struct sadbc_sa sa = {
		.spi = 0xc0ffee, .src = A("192.0.2.1"), .dst = A("198.51.100.2"), .reqid = 9,
		.enc = SADB_X_EALG_AES_GCM_ICV16, .auth = SADB_AALG_NONE,
		.soft_bytes = 900, .hard_bytes = 1000, .soft_addtime = 3000,
		.hard_addtime = 3600, .replay = 1024, .esn = true,
		.natt_sport = 4500, .natt_dport = 4501,
	};

	sa.enc_key.len = 36;
	memset(sa.enc_key.b, 0xa5, 36);
	return sa;
}

static void
test_update_extensions(void **state)
{
	struct fx *f = *state;
	struct sadbc_sa sa = sample_sa();
	static const uint8_t zero[GW_KEY_MAX];
	uint8_t want[36];
	struct pfk_msg m;

	memset(want, 0xa5, sizeof(want));
	assert_true(sadb_client_update(f->c, &sa, on_done, f) != 0);
	/* the caller's copy of the key is gone as soon as it is sent */
	assert_int_equal(sa.enc_key.len, 0);
	assert_memory_equal(sa.enc_key.b, zero, sizeof(zero));
	fake_recv(f, &m);
	assert_int_equal(m.type, SADB_UPDATE);
	assert_int_equal(m.satype, SADB_SATYPE_ESP);
	assert_int_equal(m.sa.spi, 0xc0ffee);
	assert_int_equal(m.sa.encrypt, SADB_X_EALG_AES_GCM_ICV16);
	assert_int_equal(m.sa.auth, SADB_AALG_NONE);
	assert_int_equal(m.sa.replay, 128);
	assert_int_equal(m.sa2.mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(m.sa2.reqid, 9);
	assert_true(pfk_has(&m, SADB_EXT_KEY_ENCRYPT));
	assert_int_equal(m.key_enc.bits, 288);
	assert_memory_equal(m.key_enc.data, want, 36);
	assert_false(pfk_has(&m, SADB_EXT_KEY_AUTH));
	assert_int_equal(m.lt_hard.bytes, 1000);
	assert_int_equal(m.lt_hard.addtime, 3600);
	assert_int_equal(m.lt_soft.bytes, 900);
	assert_int_equal(m.lt_soft.addtime, 3000);
	assert_false(pfk_has(&m, SADB_EXT_LIFETIME_CURRENT));
	assert_true(pfk_has(&m, PFK_EXT_REPLAY));
	assert_int_equal(m.replay.window, 1024);
	assert_int_equal(m.replay.flags, PFK_REPLAY_ESN);
	assert_int_equal(m.natt_type, UDP_ENCAP_ESPINUDP);
	assert_int_equal(m.natt_sport, 4500);
	assert_int_equal(m.natt_dport, 4501);
	assert_true(addr_eq(&m.src.addr, &sa.src));
	assert_true(addr_eq(&m.dst.addr, &sa.dst));
	secure_wipe(f->buf, sizeof(f->buf));
}

static void
test_add_extensions(void **state)
{
	struct fx *f = *state;
	struct sadbc_sa sa = sample_sa();
	struct pfk_msg m, r;
	uint32_t seq;

	sa.enc = SADB_X_EALG_AESCBC;
	sa.enc_key.len = 32;
	sa.auth = SADB_X_AALG_SHA2_256HMAC;
	sa.auth_key.len = 32;
	memset(sa.auth_key.b, 0x5a, 32);
	sa.soft_bytes = sa.soft_addtime = 0;
	sa.natt_sport = sa.natt_dport = 0;
	sa.esn = false;
	sa.replay = 64;
	seq = sadb_client_add(f->c, &sa, on_done, f);
	assert_int_equal(sa.auth_key.len, 0);
	fake_recv(f, &m);
	assert_int_equal(m.type, SADB_ADD);
	assert_int_equal(m.key_enc.bits, 256);
	assert_int_equal(m.key_auth.bits, 256);
	assert_int_equal(m.key_auth.data[31], 0x5a);
	assert_int_equal(m.sa.auth, SADB_X_AALG_SHA2_256HMAC);
	assert_false(pfk_has(&m, SADB_EXT_LIFETIME_SOFT));
	assert_true(pfk_has(&m, SADB_EXT_LIFETIME_HARD));
	assert_false(pfk_has(&m, SADB_X_EXT_NAT_T_TYPE));
	assert_false(pfk_has(&m, SADB_X_EXT_NAT_T_SPORT));
	assert_int_equal(m.replay.flags, 0);
	assert_int_equal(m.sa.replay, 8);
	/* tunneld's answer: the SA without keys, to the sender */
	reply_init(&m, &r, 0);
	put_sa(&r, 0xc0ffee, "192.0.2.1", "198.51.100.2");
	secure_wipe(f->buf, sizeof(f->buf));
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->last.seq, seq);
	assert_int_equal(f->last.err, 0);
	assert_int_equal(sadb_client_installed(f->c), 1);
}

/* Replies complete the request with their seq, from our pid, of its type. */
static void
test_reply_matching(void **state)
{
	struct fx *f = *state;
	struct gw_addr a = A("192.0.2.1"), b = A("198.51.100.2");
	struct sadbc_sa sa = sample_sa();
	struct pfk_msg m1, m2, r;
	uint32_t s1, s2;

	s1 = sadb_client_delete(f->c, 0x100, &a, &b, on_done, f);
	fake_recv(f, &m1);
	assert_int_equal(m1.type, SADB_DELETE);
	assert_int_equal(m1.sa.spi, 0x100);
	s2 = sadb_client_add(f->c, &sa, on_done, f);
	fake_recv(f, &m2);
	assert_true(s2 != s1);
	/* another client's DELETE with our seq: a broadcast, not our reply */
	reply_init(&m1, &r, 0);
	r.pid = OTHER;
	fake_send(f, &r);
	/* our seq and pid but another type */
	reply_init(&m1, &r, 0);
	r.type = SADB_GET;
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 0);
	/* out of order: the ADD fails first, then the DELETE */
	reply_init(&m2, &r, EEXIST);
	fake_send(f, &r);
	reply_init(&m1, &r, ENOENT);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 2);
	assert_int_equal(f->last_type[0], SADB_ADD);
	assert_int_equal(f->last_err[0], EEXIST);
	assert_int_equal(f->last_type[1], SADB_DELETE);
	assert_int_equal(f->last_err[1], ENOENT);
	assert_int_equal(sadb_client_installed(f->c), 0);
	/* a repeated reply finds nothing pending */
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 2);
}

static void
test_cancel(void **state)
{
	struct fx *f = *state;
	struct pfk_msg m, r;
	uint32_t seq = sadb_client_register(f->c, on_done, f);

	fake_recv(f, &m);
	sadb_client_cancel(f->c, seq);
	assert_false(sadb_client_pending(f->c, seq));
	reply_init(&m, &r, 0);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 0);
}

/* X_SPDDUMP answers as tunneld's key_spd_dump: seq counting down to 0. */
static void
load_spd(struct fx *f)
{
	struct pfk_msg m, r;

	assert_true(sadb_client_spddump(f->c, on_done, f) != 0);
	fake_recv(f, &m);
	assert_int_equal(m.type, SADB_X_SPDDUMP);
	reply_init(&m, &r, 0);
	r.seq = 2;
	put_policy(&r, 10, IPSEC_DIR_INBOUND, "10.2.0.0/16", "10.1.0.0/16", "198.51.100.2",
	    "192.0.2.1");
	fake_send(f, &r);
	reply_init(&m, &r, 0);
	r.seq = 1;
	put_policy(&r, 11, IPSEC_DIR_OUTBOUND, "10.1.0.0/16", "10.2.0.0/16", "192.0.2.1",
	    "198.51.100.2");
	fake_send(f, &r);
	/* a dump is one pass: nothing counts before the last message */
	sadb_client_input(f->c);
	assert_int_equal(sadb_client_policy_count(f->c), 0);
	assert_int_equal(f->ndone, 0);
	reply_init(&m, &r, 0);
	r.seq = 0;
	put_policy(&r, 12, IPSEC_DIR_FWD, "10.2.0.0/16", "10.1.0.0/16", "198.51.100.2",
	    "192.0.2.1");
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->last.type, SADB_X_SPDDUMP);
	assert_int_equal(f->last.err, 0);
}

static void
test_spddump(void **state)
{
	struct fx *f = *state;
	const struct sadbc_policy *out, *in;

	load_spd(f);
	assert_int_equal(f->nspd, 1);
	assert_int_equal(sadb_client_policy_count(f->c), 3);
	assert_int_equal(sadb_client_policy_at(f->c, 0)->id, 10);
	assert_null(sadb_client_policy_at(f->c, 3));
	out = sadb_client_policy_get(f->c, 11);
	assert_non_null(out);
	assert_int_equal(out->dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(out->type, IPSEC_POLICY_IPSEC);
	assert_int_equal(out->sel.src.plen, 16);
	assert_int_equal(out->sel.proto, IPSEC_ULPROTO_ANY);
	assert_int_equal(out->nreq, 1);
	assert_int_equal(out->req[0].level, IPSEC_LEVEL_REQUIRE);
	assert_true(out->req[0].has_endpoints);
	assert_string_equal(inet_ntoa(out->req[0].dst.u.v4), "198.51.100.2");
	in = sadb_client_policy_reverse(f->c, out);
	assert_non_null(in);
	assert_int_equal(in->id, 10);
	assert_null(sadb_client_policy_reverse(f->c, in));
	assert_null(sadb_client_policy_get(f->c, 99));
}

static void
test_spddump_empty(void **state)
{
	struct fx *f = *state;
	struct pfk_msg m, r;

	load_spd(f);
	assert_int_equal(sadb_client_policy_count(f->c), 3);
	/* tunneld answers ENOENT when its SPD is empty */
	sadb_client_spddump(f->c, on_done, f);
	fake_recv(f, &m);
	assert_int_equal(sadb_client_spddump(f->c, on_done, f), 0);	/* one at a time */
	reply_init(&m, &r, ENOENT);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 2);
	assert_int_equal(f->last.err, 0);
	assert_int_equal(sadb_client_policy_count(f->c), 0);
}

/* The rest of a cancelled dump does not leak into the next one. */
static void
test_spddump_cancelled(void **state)
{
	struct fx *f = *state;
	struct pfk_msg m1, m2, r;
	uint32_t seq = sadb_client_spddump(f->c, on_done, f);

	fake_recv(f, &m1);
	sadb_client_cancel(f->c, seq);
	assert_true(sadb_client_spddump(f->c, on_done, f) != 0);
	fake_recv(f, &m2);
	reply_init(&m1, &r, 0);
	r.seq = 1;
	put_policy(&r, 30, IPSEC_DIR_OUTBOUND, "10.1.0.0/16", "10.9.0.0/16", "192.0.2.1",
	    "198.51.100.9");
	fake_send(f, &r);
	r.seq = 0;
	r.policy.id = 31;
	r.src.addr = A("10.8.0.0/16");
	fake_send(f, &r);
	reply_init(&m2, &r, 0);
	r.seq = 0;
	put_policy(&r, 32, IPSEC_DIR_INBOUND, "10.9.0.0/16", "10.1.0.0/16", "198.51.100.9",
	    "192.0.2.1");
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(sadb_client_policy_count(f->c), 1);
	assert_non_null(sadb_client_policy_get(f->c, 32));
}

static void
test_spd_broadcasts(void **state)
{
	struct fx *f = *state;
	struct pfk_msg r;

	load_spd(f);
	f->nspd = 0;
	/* setkey's spdadd, copied to us */
	memset(&r, 0, sizeof(r));
	r.type = SADB_X_SPDADD;
	r.seq = 5;
	r.pid = OTHER;
	put_policy(&r, 20, IPSEC_DIR_OUTBOUND, "10.1.0.0/16", "10.3.0.0/16", "192.0.2.1",
	    "203.0.113.3");
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nspd, 1);
	assert_int_equal(sadb_client_policy_count(f->c), 4);
	assert_non_null(sadb_client_policy_get(f->c, 20));
	/* spdupdate of the same selector replaces it */
	r.type = SADB_X_SPDUPDATE;
	r.policy.id = 21;
	r.policy.req[0].level = IPSEC_LEVEL_USE;
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(sadb_client_policy_count(f->c), 4);
	assert_null(sadb_client_policy_get(f->c, 20));
	assert_int_equal(sadb_client_policy_get(f->c, 21)->req[0].level, IPSEC_LEVEL_USE);
	/* spddelete2 names the id */
	memset(&r, 0, sizeof(r));
	r.type = SADB_X_SPDDELETE2;
	r.pid = OTHER;
	r.policy.id = 10;
	r.policy.type = IPSEC_POLICY_IPSEC;
	pfk_set(&r, SADB_X_EXT_POLICY);
	fake_send(f, &r);
	/* an error copy changes nothing */
	r.policy.id = 11;
	r.errnum = ENOENT;
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nspd, 3);
	assert_int_equal(sadb_client_policy_count(f->c), 3);
	assert_null(sadb_client_policy_get(f->c, 10));
	assert_non_null(sadb_client_policy_get(f->c, 11));
	memset(&r, 0, sizeof(r));
	r.type = SADB_X_SPDFLUSH;
	r.pid = OTHER;
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nspd, 4);
	assert_int_equal(sadb_client_policy_count(f->c), 0);
}

static void
test_acquire(void **state)
{
	struct fx *f = *state;
	struct pfk_msg r;

	load_spd(f);
	/* as tunneld's acquire_policy builds it: endpoints, the policy, a proposal */
	memset(&r, 0, sizeof(r));
	r.type = SADB_ACQUIRE;
	r.satype = SADB_SATYPE_ESP;
	r.seq = 77;
	put_policy(&r, 11, IPSEC_DIR_OUTBOUND, "192.0.2.1", "198.51.100.2", "192.0.2.1",
	    "198.51.100.2");
	r.proposal.replay = 32;
	r.proposal.n = 2;
	r.proposal.comb[0].encrypt = SADB_X_EALG_AES_GCM_ICV16;
	r.proposal.comb[1].encrypt = SADB_X_EALG_AESCBC;
	r.proposal.comb[1].auth = SADB_X_AALG_SHA2_256HMAC;
	pfk_set(&r, SADB_EXT_PROPOSAL);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nacquire, 1);
	assert_int_equal(f->acq.seq, 77);
	assert_int_equal(f->acq.policy_id, 11);
	assert_int_equal(f->acq_pol_id, 11);
	assert_int_equal(f->acq_ncomb, 2);
	assert_string_equal(inet_ntoa(f->acq.src.u.v4), "192.0.2.1");
	assert_string_equal(inet_ntoa(f->acq.dst.u.v4), "198.51.100.2");
	/* a policy the mirror lacks still reaches the daemon */
	r.policy.id = 500;
	r.present &= ~PFK_BIT(SADB_EXT_PROPOSAL);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nacquire, 2);
	assert_int_equal(f->acq_pol_id, 0);
	assert_int_equal(f->acq_ncomb, 0);
	assert_int_equal(f->ndone, 1);
}

static void
send_expire(struct fx *f, uint32_t spi, bool hard)
{
	struct pfk_msg r;

	memset(&r, 0, sizeof(r));
	r.type = SADB_EXPIRE;
	r.satype = SADB_SATYPE_ESP;
	r.seq = 3;
	put_sa(&r, spi, "198.51.100.2", "192.0.2.1");
	r.sa2.mode = IPSEC_MODE_TUNNEL;
	r.sa2.reqid = 7;
	pfk_set(&r, SADB_X_EXT_SA2);
	r.lt_current.bytes = 12345;
	pfk_set(&r, SADB_EXT_LIFETIME_CURRENT);
	pfk_set(&r, hard ? SADB_EXT_LIFETIME_HARD : SADB_EXT_LIFETIME_SOFT);
	fake_send(f, &r);
	sadb_client_input(f->c);
}

static void
test_expire(void **state)
{
	struct fx *f = *state;

	reserve(f, 0x4444);
	assert_int_equal(sadb_client_installed(f->c), 1);
	send_expire(f, 0x4444, false);
	assert_int_equal(f->nexpire, 1);
	assert_false(f->exp.hard);
	assert_true(f->exp.ours);
	assert_int_equal(f->exp.spi, 0x4444);
	assert_int_equal(f->exp.reqid, 7);
	assert_int_equal(f->exp.current.bytes, 12345);
	assert_int_equal(sadb_client_installed(f->c), 1);
	send_expire(f, 0x4444, true);
	assert_int_equal(f->nexpire, 2);
	assert_true(f->exp.hard);
	assert_true(f->exp.ours);
	assert_int_equal(sadb_client_installed(f->c), 0);
	/* another's SA */
	send_expire(f, 0x5555, true);
	assert_int_equal(f->nexpire, 3);
	assert_false(f->exp.ours);
}

/* DELETE and FLUSH of other clients remove SAs we track. */
static void
test_sa_broadcasts(void **state)
{
	struct fx *f = *state;
	struct pfk_msg r;

	reserve(f, 0x1001);
	reserve(f, 0x1002);
	reserve(f, 0x1003);
	assert_int_equal(sadb_client_installed(f->c), 3);
	memset(&r, 0, sizeof(r));
	r.type = SADB_DELETE;
	r.satype = SADB_SATYPE_ESP;
	r.pid = OTHER;
	put_sa(&r, 0x1002, "198.51.100.2", "192.0.2.1");
	fake_send(f, &r);
	/* the same SPI to another destination is not ours */
	put_sa(&r, 0x1001, "198.51.100.2", "192.0.2.99");
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nremoved, 1);
	assert_int_equal(f->removed_spi, 0x1002);
	assert_int_equal(sadb_client_installed(f->c), 2);
	memset(&r, 0, sizeof(r));
	r.type = SADB_FLUSH;
	r.satype = SADB_SATYPE_UNSPEC;
	r.pid = OTHER;
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nremoved, 3);
	assert_int_equal(sadb_client_installed(f->c), 0);
}

/* At stop, exactly the SAs this client installed are deleted. */
static void
test_delete_installed(void **state)
{
	struct fx *f = *state;
	struct pfk_msg m[2], r;
	size_t i;

	reserve(f, 0x2001);
	reserve(f, 0x2002);
	f->ndone = 0;
	assert_int_equal(sadb_client_delete_installed(f->c, on_done, f), 2);
	for (i = 0; i < 2; i++) {
		fake_recv(f, &m[i]);
		assert_int_equal(m[i].type, SADB_DELETE);
		assert_int_equal(m[i].sa.spi, 0x2001 + i);
		assert_string_equal(inet_ntoa(m[i].dst.addr.u.v4), "192.0.2.1");
	}
	fake_nothing(f);
	for (i = 0; i < 2; i++) {
		reply_init(&m[i], &r, 0);
		put_sa(&r, m[i].sa.spi, "198.51.100.2", "192.0.2.1");
		fake_send(f, &r);
	}
	sadb_client_input(f->c);
	assert_int_equal(f->ndone, 2);
	assert_int_equal(sadb_client_installed(f->c), 0);
	assert_int_equal(sadb_client_delete_installed(f->c, on_done, f), 0);
}

static uint64_t fake_now_ms;

static uint64_t
fake_clock(void)
{
	return fake_now_ms;
}

/* The DELETE the fake received, for spi from the peer; answered. */
static void
expect_delete(struct fx *f, uint32_t spi)
{
	struct pfk_msg m, r;

	fake_recv(f, &m);
	assert_int_equal(m.type, SADB_DELETE);
	assert_int_equal(m.sa.spi, spi);
	assert_string_equal(inet_ntoa(m.src.addr.u.v4), "198.51.100.2");
	assert_string_equal(inet_ntoa(m.dst.addr.u.v4), "192.0.2.1");
	reply_init(&m, &r, 0);
	put_sa(&r, spi, "198.51.100.2", "192.0.2.1");
	fake_send(f, &r);
	sadb_client_input(f->c);
}

/*
 * ikd's data path (ikd/datapath.c) over this client: a retired inbound
 * SA goes DATAPATH_LINGER_MS later, in order; until then it counts as
 * installed, so a stop still removes it.
 */
static void
test_datapath_retire(void **state)
{
	struct fx *f = *state;
	struct datapath dp = { .sc = f->c, .now_ms = fake_clock };
	struct gw_addr peer = A("198.51.100.2"), me = A("192.0.2.1");
	struct ike_child_sink k;

	datapath_sink(&dp, &k);
	reserve(f, 0x3001);
	reserve(f, 0x3002);
	reserve(f, 0x3003);
	fake_now_ms = 1000;
	assert_int_equal(k.retire(k.ctx, 0x3001, &peer, &me), 0);
	fake_now_ms = 1500;
	assert_int_equal(k.retire(k.ctx, 0x3002, &peer, &me), 0);
	fake_nothing(f);
	assert_int_equal(dp.nretired, 2);
	datapath_tick(&dp, 1000 + DATAPATH_LINGER_MS - 1);
	fake_nothing(f);
	datapath_tick(&dp, 1000 + DATAPATH_LINGER_MS);
	expect_delete(f, 0x3001);
	fake_nothing(f);
	assert_int_equal(dp.nretired, 1);
	assert_int_equal(sadb_client_installed(f->c), 2);
	datapath_tick(&dp, 1500 + DATAPATH_LINGER_MS);
	expect_delete(f, 0x3002);
	assert_int_equal(dp.nretired, 0);
	/* The emptied queue takes the next one. */
	assert_int_equal(k.retire(k.ctx, 0x3003, &peer, &me), 0);
	datapath_tick(&dp, 1500 + 2 * DATAPATH_LINGER_MS);
	expect_delete(f, 0x3003);
	assert_int_equal(sadb_client_installed(f->c), 0);
	/* Forgotten ones are not deleted: the stop's sweep does that. */
	reserve(f, 0x3004);
	assert_int_equal(k.retire(k.ctx, 0x3004, &peer, &me), 0);
	datapath_forget(&dp);
	datapath_tick(&dp, UINT64_MAX);
	fake_nothing(f);
	assert_int_equal(sadb_client_delete_installed(f->c, NULL, NULL), 1);
}

static void
test_eof(void **state)
{
	struct fx *f = *state;
	struct pfk_msg m;
	uint32_t seq = sadb_client_register(f->c, on_done, f);

	assert_true(seq != 0);
	fake_recv(f, &m);
	close(f->peer);
	f->peer = -1;
	sadb_client_input(f->c);
	assert_int_equal(f->nlost, 1);
	assert_int_equal(f->lost_err, 0);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->last.err, ENOTCONN);
	assert_int_equal(f->last.seq, seq);
	assert_int_equal(sadb_client_fd(f->c), -1);
	assert_false(sadb_client_pending(f->c, seq));
	/* nothing can be sent now */
	assert_int_equal(sadb_client_register(f->c, on_done, f), 0);
}

/* tunneld died with our request unread: the socket is reset. */
static void
test_reset(void **state)
{
	struct fx *f = *state;

	assert_true(sadb_client_register(f->c, on_done, f) != 0);
	close(f->peer);
	f->peer = -1;
	sadb_client_input(f->c);
	assert_int_equal(f->nlost, 1);
	assert_int_equal(f->lost_err, ECONNRESET);
	assert_int_equal(f->last.err, ENOTCONN);
}

/* tunneld restarted: lost() reconnects and the next messages flow. */
static int reconnect_fd = -1;
static struct sadb_client *reconnect_client;

static void
on_lost_reconnect(void *arg, int err)
{
	on_lost(arg, err);
	sadb_client_attach(reconnect_client, reconnect_fd);
}

static void
test_reconnect_in_callback(void **state)
{
	struct fx *f = *state;
	struct sadbc_events ev = { .lost = on_lost_reconnect, .arg = f };
	struct sadb_client *c = sadb_client_new(&ev, PID);
	int a[2], b[2];
	struct pfk_msg m;

	assert_non_null(c);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b), 0);
	sadb_client_attach(c, a[0]);
	reconnect_client = c;
	reconnect_fd = b[0];
	close(a[1]);
	sadb_client_input(c);
	assert_int_equal(f->nlost, 1);
	assert_int_equal(sadb_client_fd(c), b[0]);
	assert_true(sadb_client_register(c, NULL, NULL) != 0);
	close(f->peer);
	f->peer = b[1];
	fake_recv(f, &m);
	assert_int_equal(m.type, SADB_REGISTER);
	sadb_client_free(c);
}

static void
test_malformed_input(void **state)
{
	struct fx *f = *state;
	static const uint8_t junk[24] = { 2, SADB_ACQUIRE, 0, 3, 7, 0 };	/* length lies */
	struct pfk_msg m, r;
	uint32_t seq;

	assert_int_equal(send(f->peer, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	assert_int_equal(send(f->peer, junk, 3, 0), 3);
	sadb_client_input(f->c);
	assert_int_equal(f->nacquire, 0);
	assert_int_equal(f->nlost, 0);
	/* the connection still works */
	seq = sadb_client_register(f->c, on_done, f);
	fake_recv(f, &m);
	reply_init(&m, &r, 0);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->last.seq, seq);
}

/* A fake tunneld on its own thread, for the blocking start-up calls. */
struct fake_thread {
	struct fx	*f;
	int		 regerr;	/* errno for REGISTER */
	int		 n;		/* requests to answer */
};

static void *
fake_serve(void *arg)
{
	struct fake_thread *t = arg;
	struct pollfd pfd = { .fd = t->f->peer, .events = POLLIN };
	struct pfk_msg m, r;
	ssize_t len;

	while (t->n-- > 0 && poll(&pfd, 1, 2000) == 1) {
		len = recv(t->f->peer, t->f->buf, sizeof(t->f->buf), 0);
		if (len <= 0 || pfk_decode(t->f->buf, (size_t)len, &m) != 0)
			break;
		reply_init(&m, &r, m.type == SADB_REGISTER ? (uint8_t)t->regerr : 0);
		if (m.type == SADB_X_SPDDUMP) {
			r.seq = 0;
			put_policy(&r, 1, IPSEC_DIR_OUTBOUND, "10.1.0.0/16", "10.2.0.0/16",
			    "192.0.2.1", "198.51.100.2");
		}
		fake_send(t->f, &r);
	}
	return NULL;
}

static void
test_wait_and_start(void **state)
{
	struct fx *f = *state;
	struct fake_thread t = { .f = f, .n = 2 };
	struct pfk_msg req;
	pthread_t th;

	/* nobody answers */
	errno = 0;
	assert_int_equal(sadb_client_wait(f->c, sadb_client_register(f->c, NULL, NULL), 30), -1);
	assert_int_equal(errno, ETIMEDOUT);
	fake_recv(f, &req);
	/* REGISTER, then the SPD loaded */
	assert_int_equal(pthread_create(&th, NULL, fake_serve, &t), 0);
	assert_int_equal(sadb_client_start(f->c, 2000), 0);
	pthread_join(th, NULL);
	assert_int_equal(sadb_client_policy_count(f->c), 1);
	/* a refusal is reported */
	t = (struct fake_thread){ .f = f, .n = 1, .regerr = EPERM };
	assert_int_equal(pthread_create(&th, NULL, fake_serve, &t), 0);
	assert_int_equal(sadb_client_start(f->c, 2000), -1);
	assert_int_equal(errno, EPERM);
	pthread_join(th, NULL);
}

static void
test_pending_limit(void **state)
{
	struct fx *f = *state;
	struct pfk_msg m;
	int i;

	for (i = 0; i < SADB_CLIENT_PENDING_MAX; i++) {
		assert_true(sadb_client_register(f->c, NULL, NULL) != 0);
		fake_recv(f, &m);
	}
	assert_int_equal(sadb_client_register(f->c, NULL, NULL), 0);
	fake_nothing(f);
}

/*
 * The bulk test: SA i has SPI 0x1000 + i / 4 and the i % 4-th pair of
 * endpoints, so that every SPI comes with four destinations (two IPv4,
 * two IPv6).
 */
#define MANY		20000
#define MANY_SPI(i)	((uint32_t)(0x1000 + (i) / 4))

static const char *const many_src[4] = {
	"198.51.100.2", "198.51.100.3", "2001:db8:1::2", "2001:db8:1::3",
};
static const char *const many_dst[4] = {
	"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2",
};

/* SA i of the bulk test: reserved by GETSPI (even i) or added (odd i), answered at once. */
static void
many_install(struct fx *f, size_t i)
{
	struct gw_addr src = A(many_src[i % 4]), dst = A(many_dst[i % 4]);
	struct sadbc_sa sa = sample_sa();
	struct pfk_msg m, r;

	if (i % 2 == 0) {
		assert_true(sadb_client_getspi(f->c, &src, &dst, 7, 0, 0, NULL, NULL) != 0);
	} else {
		sa.spi = MANY_SPI(i);
		sa.src = src;
		sa.dst = dst;
		assert_true(sadb_client_add(f->c, &sa, NULL, NULL) != 0);
	}
	fake_recv(f, &m);
	reply_init(&m, &r, 0);
	put_sa(&r, MANY_SPI(i), many_src[i % 4], many_dst[i % 4]);
	fake_send(f, &r);
	sadb_client_input(f->c);
}

/* A message naming the SA spi from src to dst. */
static void
many_msg(struct pfk_msg *m, uint8_t type, uint32_t pid, uint32_t spi, const char *src,
    const char *dst)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->satype = SADB_SATYPE_ESP;
	m->pid = pid;
	m->seq = 5;
	put_sa(m, spi, src, dst);
}

/* A soft (or hard) EXPIRE of the SA spi to dst; returns whether the client called it its own. */
static bool
many_expire(struct fx *f, uint32_t spi, const char *dst, bool hard)
{
	struct pfk_msg r;
	int n = f->nexpire;

	many_msg(&r, SADB_EXPIRE, 0, spi, strchr(dst, ':') != NULL ? "2001:db8:1::9" :
	    "198.51.100.9", dst);
	pfk_set(&r, hard ? SADB_EXT_LIFETIME_HARD : SADB_EXT_LIFETIME_SOFT);
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nexpire, n + 1);
	assert_int_equal(f->exp.spi, spi);
	return f->exp.ours;
}

/* Whether SA i is tracked, asked with a soft EXPIRE. */
static bool
many_ours(struct fx *f, size_t i)
{
	return many_expire(f, MANY_SPI(i), many_dst[i % 4], false);
}

/*
 * Twenty thousand SAs, every SPI four times over: each is found by (SPI,
 * destination) and goes alone, whether another client deletes it, we do,
 * or it expires; an address pair's delete and a FLUSH take what is left.
 */
static void
test_installed_many(void **state)
{
	struct fx *f = *state;
	struct gw_addr a, b;
	struct pfk_msg m, r;
	size_t i, left;
	int n;

	for (i = 0; i < MANY; i++)
		many_install(f, i);
	assert_int_equal(sadb_client_installed(f->c), MANY);
	/* A second ADD of a tracked SA does not count it twice. */
	many_install(f, 1);
	assert_int_equal(sadb_client_installed(f->c), MANY);
	for (i = 0; i < MANY; i += 7)
		assert_true(many_ours(f, i));
	/* A known SPI to another destination, and an SPI never used, are not ours. */
	assert_false(many_expire(f, MANY_SPI(0), "192.0.2.99", false));
	assert_false(many_expire(f, MANY_SPI(0), "2001:db8::99", false));
	assert_false(many_expire(f, MANY_SPI(MANY), many_dst[0], false));
	/* i % 5 == 0: another client deletes them, one at a time. */
	for (i = 0; i < MANY; i += 5) {
		n = f->nremoved;
		many_msg(&r, SADB_DELETE, OTHER, MANY_SPI(i), many_src[i % 4], many_dst[i % 4]);
		fake_send(f, &r);
		sadb_client_input(f->c);
		assert_int_equal(f->nremoved, n + 1);
		assert_int_equal(f->removed_spi, MANY_SPI(i));
		assert_true(addr_eq(&f->removed_dst, &r.dst.addr));
	}
	left = MANY - MANY / 5;
	assert_int_equal(sadb_client_installed(f->c), left);
	/* i % 5 == 1: our own DELETE; i % 5 == 2: a hard expiry. */
	for (i = 1; i < MANY; i += 5) {
		a = A(many_src[i % 4]);
		b = A(many_dst[i % 4]);
		assert_true(sadb_client_delete(f->c, MANY_SPI(i), &a, &b, NULL, NULL) != 0);
		fake_recv(f, &m);
		reply_init(&m, &r, 0);
		fake_send(f, &r);
		sadb_client_input(f->c);
		assert_true(many_expire(f, MANY_SPI(i + 1), many_dst[(i + 1) % 4], true));
	}
	left -= 2 * (MANY / 5);
	assert_int_equal(sadb_client_installed(f->c), left);
	assert_int_equal(f->nremoved, MANY / 5);
	for (i = 0; i < MANY; i++)
		assert_int_equal(many_ours(f, i), i % 5 >= 3);
	/* Every SA between the first pair of endpoints at once (KAME's delete). */
	memset(&r, 0, sizeof(r));
	r.type = SADB_DELETE;
	r.satype = SADB_SATYPE_ESP;
	r.pid = OTHER;
	r.src.addr = A(many_src[0]);
	r.dst.addr = A(many_dst[0]);
	pfk_set(&r, SADB_EXT_ADDRESS_SRC);
	pfk_set(&r, SADB_EXT_ADDRESS_DST);
	n = f->nremoved;
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nremoved - n, left / 4);
	left -= left / 4;
	assert_int_equal(sadb_client_installed(f->c), left);
	for (i = 0; i < MANY; i++)
		assert_int_equal(many_ours(f, i), i % 5 >= 3 && i % 4 != 0);
	/* FLUSH: the rest, the last one tracked last. */
	memset(&r, 0, sizeof(r));
	r.type = SADB_FLUSH;
	r.satype = SADB_SATYPE_UNSPEC;
	r.pid = OTHER;
	n = f->nremoved;
	fake_send(f, &r);
	sadb_client_input(f->c);
	assert_int_equal(f->nremoved - n, left);
	assert_int_equal(f->removed_spi, MANY_SPI(MANY - 1));
	assert_int_equal(sadb_client_installed(f->c), 0);
	assert_false(many_ours(f, MANY - 1));
}

static void
test_alg_ids(void **state)
{
	(void)state;
	assert_int_equal(sadb_client_alg_id(ALG_ENC, 20), SADB_X_EALG_AES_GCM_ICV16);
	assert_int_equal(sadb_client_alg_id(ALG_ENC, 12), SADB_X_EALG_AESCBC);
	assert_int_equal(sadb_client_alg_id(ALG_ENC, 28), SADB_X_EALG_CHACHA20_POLY1305);
	assert_int_equal(sadb_client_alg_id(ALG_AUTH, 12), SADB_X_AALG_SHA2_256HMAC);
	assert_int_equal(sadb_client_alg_id(ALG_AUTH, 2), SADB_AALG_SHA1HMAC);
	/* not run by the data path, or no id */
	assert_int_equal(sadb_client_alg_id(ALG_ENC, 3), 0);
	assert_int_equal(sadb_client_alg_id(ALG_AUTH, 1), 0);
	assert_int_equal(sadb_client_alg_id(ALG_ENC, 0), 0);
}

int
main(void)
{
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_register),
		T(test_getspi),
		T(test_update_extensions),
		T(test_add_extensions),
		T(test_reply_matching),
		T(test_cancel),
		T(test_spddump),
		T(test_spddump_empty),
		T(test_spddump_cancelled),
		T(test_spd_broadcasts),
		T(test_acquire),
		T(test_expire),
		T(test_sa_broadcasts),
		T(test_delete_installed),
		T(test_datapath_retire),
		T(test_eof),
		T(test_reset),
		T(test_reconnect_in_callback),
		T(test_malformed_input),
		T(test_wait_and_start),
		T(test_pending_limit),
		T(test_installed_many),
		cmocka_unit_test(test_alg_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
