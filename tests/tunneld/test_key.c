/*
 * test_key.c: the PF_KEY engine with a recording transport: SA messages,
 * refusals, dumps, REGISTER, permissions, malformed input, X_PROMISC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kt.h"
#include "samsg.h"

#define GCM	SADB_X_EALG_AES_GCM_ICV16
#define CBC	SADB_X_EALG_AESCBC
#define SHA256	SADB_X_AALG_SHA2_256HMAC

static void
test_getspi_then_update(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;
	uint32_t	 spi;

	kt_msg(&m, SADB_GETSPI, SADB_SATYPE_ESP, 31);
	kt_addrs(&m, "192.0.2.1", "192.0.2.2");
	m.spirange.min = 0x10000;
	m.spirange.max = 0x1ffff;
	pfk_set(&m, SADB_EXT_SPIRANGE);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.type, SADB_GETSPI);
	assert_int_equal(r.seq, 31);
	assert_int_equal(r.pid, 4242);
	assert_true(pfk_has(&r, SADB_EXT_SA));
	spi = r.sa.spi;
	assert_true(spi >= 0x10000 && spi <= 0x1ffff);
	assert_int_equal(r.sa.state, SADB_SASTATE_LARVAL);
	kt_sa_msg(&m, SADB_UPDATE, spi, GCM, SADB_AALG_NONE, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.type, SADB_UPDATE);
	assert_int_equal(r.sa.state, SADB_SASTATE_MATURE);
	assert_false(pfk_has(&r, SADB_EXT_KEY_ENCRYPT));
	/* UPDATE completes a LARVAL SA once only. */
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
	m.sa.spi = spi + 1;
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_ESP), 1);
}

static void
test_update_needs_matching_source(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	kt_msg(&m, SADB_GETSPI, SADB_SATYPE_ESP, 1);
	kt_addrs(&m, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	kt_sa_msg(&m, SADB_UPDATE, r.sa.spi, GCM, 0, "192.0.2.9", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
}

static void
test_update_keeps_getspi_reqid(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;
	uint32_t	 spi;

	kt_msg(&m, SADB_GETSPI, SADB_SATYPE_ESP, 1);
	kt_addrs(&m, "192.0.2.1", "192.0.2.2");
	kt_sa2(&m, IPSEC_MODE_TUNNEL, 42);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	spi = r.sa.spi;
	kt_sa_msg(&m, SADB_UPDATE, spi, GCM, 0, "192.0.2.1", "192.0.2.2");
	m.present &= ~PFK_BIT(SADB_X_EXT_SA2);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.sa2.reqid, 42);
	assert_int_equal(r.sa2.mode, IPSEC_MODE_TUNNEL);
}

static void
test_getspi_range(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	kt_msg(&m, SADB_GETSPI, SADB_SATYPE_ESP, 1);
	kt_addrs(&m, "192.0.2.1", "192.0.2.2");
	m.spirange.min = m.spirange.max = 0x80;
	pfk_set(&m, SADB_EXT_SPIRANGE);
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
	m.spirange.min = m.spirange.max = 0x4000;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.sa.spi, 0x4000);
	assert_int_equal(kt_ask(t, &t->root, &m), EEXIST);
	m.satype = SADB_SATYPE_AH;
	assert_int_equal(kt_ask(t, &t->root, &m), EOPNOTSUPP);
	m.satype = SADB_SATYPE_ESP;
	kt_sa2(&m, IPSEC_MODE_TRANSPORT, 0);
	assert_int_equal(kt_ask(t, &t->root, &m), EOPNOTSUPP);
}

static void
test_add_eexist_delete_enoent(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	assert_int_equal(kt_add_sa(t, 0x1000, CBC, SHA256), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.type, SADB_ADD);
	assert_int_equal(r.seq, 7);
	assert_false(pfk_has(&r, SADB_EXT_KEY_AUTH));
	assert_int_equal(kt_add_sa(t, 0x1000, CBC, SHA256), EEXIST);
	kt_sa_msg(&m, SADB_DELETE, 0x1000, 0, 0, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.sa.spi, 0x1000);
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	m.type = SADB_GET;
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_UNSPEC), 0);
}

static void
test_delete_without_sa_removes_pair(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m;

	assert_int_equal(kt_add_sa(t, 0x1000, GCM, 0), 0);
	assert_int_equal(kt_add_sa(t, 0x1001, GCM, 0), 0);
	kt_sa_msg(&m, SADB_ADD, 0x1002, GCM, 0, "192.0.2.2", "192.0.2.1");
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_msg(&m, SADB_DELETE, SADB_SATYPE_ESP, 3);
	kt_addrs(&m, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_ESP), 1);
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
}

struct refusal {
	const char	*what;
	uint8_t		 satype, enc, auth, mode;
	uint32_t	 spi;
	bool		 drop_enc_key, drop_auth_key;
	int		 err;
};

static void
test_sa_refusals(void **state)
{
	static const struct refusal cases[] = {
		{ "unknown cipher", 3, 99, SHA256, 2, 0x1000, false, false, EOPNOTSUPP },
		{ "cipher not in data path", 3, SADB_EALG_3DESCBC, SHA256, 2, 0x1000, false,
		    false, EOPNOTSUPP },
		{ "auth not in data path", 3, CBC, SADB_AALG_MD5HMAC, 2, 0x1000, false, false,
		    EOPNOTSUPP },
		{ "AEAD with auth", 3, GCM, SHA256, 2, 0x1000, false, false, EINVAL },
		{ "no integrity", 3, CBC, 0, 2, 0x1000, false, false, EINVAL },
		{ "null without auth", 3, SADB_EALG_NULL, 0, 2, 0x1000, false, false, EINVAL },
		{ "no cipher", 3, 0, SHA256, 2, 0x1000, false, false, EINVAL },
		{ "missing enc key", 3, CBC, SHA256, 2, 0x1000, true, false, EINVAL },
		{ "missing auth key", 3, CBC, SHA256, 2, 0x1000, false, true, EINVAL },
		{ "AH", 2, CBC, SHA256, 2, 0x1000, false, false, EOPNOTSUPP },
		{ "IPComp", 9, CBC, SHA256, 2, 0x1000, false, false, EOPNOTSUPP },
		{ "transport", 3, CBC, SHA256, 1, 0x1000, false, false, EOPNOTSUPP },
		{ "reserved SPI", 3, CBC, SHA256, 2, 0xff, false, false, EINVAL },
	};
	struct kt	*t = *state;
	struct pfk_msg	 m;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kt_sa_msg(&m, SADB_ADD, cases[i].spi, cases[i].enc, cases[i].auth, "192.0.2.1",
		    "192.0.2.2");
		m.satype = cases[i].satype;
		m.sa2.mode = cases[i].mode;
		if (cases[i].drop_enc_key)
			m.present &= ~PFK_BIT(SADB_EXT_KEY_ENCRYPT);
		if (cases[i].drop_auth_key)
			m.present &= ~PFK_BIT(SADB_EXT_KEY_AUTH);
		if (kt_ask(t, &t->root, &m) != cases[i].err)
			fail_msg("%s: got errno %d, want %d", cases[i].what,
			    kt_last_errno(t, &t->root), cases[i].err);
		assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_UNSPEC), 0);
	}
	/* Mode "any" is accepted and means tunnel; null with integrity too. */
	kt_sa_msg(&m, SADB_ADD, 0x2000, CBC, SHA256, "192.0.2.1", "192.0.2.2");
	m.sa2.mode = IPSEC_MODE_ANY;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(kt_add_sa(t, 0x2001, SADB_EALG_NULL, SHA256), 0);
}

static void
test_key_length_rechecked(void **state)
{
	struct pfk_msg	m;
	struct sa_cfg	c;

	(void)state;
	kt_sa_msg(&m, SADB_ADD, 0x1000, CBC, SHA256, "192.0.2.1", "192.0.2.2");
	assert_int_equal(samsg_cfg(&m, &c), 0);
	assert_int_equal(c.enc_key.len, 16);
	assert_int_equal(c.auth_key.len, 32);
	gw_key_clear(&c.enc_key);
	gw_key_clear(&c.auth_key);
	/* The codec checks this too; tunneld does not rely on it. */
	m.key_enc.bits = 136;
	m.key_enc.len = 17;
	assert_int_equal(samsg_cfg(&m, &c), EINVAL);
	m.key_enc.bits = 127;
	m.key_enc.len = 16;
	assert_int_equal(samsg_cfg(&m, &c), EINVAL);
}

static uint32_t
replay_of(struct kt *t, uint32_t spi, bool *esn)
{
	struct pfk_msg	m, r;

	kt_sa_msg(&m, SADB_GET, spi, 0, 0, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_true(pfk_has(&r, PFK_EXT_REPLAY));
	*esn = (r.replay.flags & PFK_REPLAY_ESN) != 0;
	return r.replay.window;
}

static void
test_replay_window(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m;
	bool		 esn;

	assert_int_equal(kt_add_sa(t, 0x1000, GCM, 0), 0);
	assert_int_equal(replay_of(t, 0x1000, &esn), SAD_REPLAY_DEFAULT);
	kt_sa_msg(&m, SADB_ADD, 0x1001, GCM, 0, "192.0.2.1", "192.0.2.2");
	m.sa.replay = 4;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(replay_of(t, 0x1001, &esn), 32);
	assert_false(esn);
	m.sa.spi = 0x1002;
	m.replay.window = 0;
	pfk_set(&m, PFK_EXT_REPLAY);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(replay_of(t, 0x1002, &esn), 0);
	m.sa.spi = 0x1003;
	m.replay.window = 4096;
	m.replay.flags = PFK_REPLAY_ESN;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(replay_of(t, 0x1003, &esn), 4096);
	assert_true(esn);
	m.sa.spi = 0x1004;
	m.replay.window = SAD_REPLAY_MAX + 1;
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
}

static void
test_get_contents(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	kt_sa_msg(&m, SADB_ADD, 0x1000, CBC, SHA256, "192.0.2.1", "192.0.2.2");
	m.sa2.reqid = 77;
	m.lt_hard.addtime = 3600;
	m.lt_soft.addtime = 2880;
	m.lt_hard.bytes = 1u << 30;
	pfk_set(&m, SADB_EXT_LIFETIME_HARD);
	pfk_set(&m, SADB_EXT_LIFETIME_SOFT);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	t->mono += 5;
	t->wall += 5;
	kt_sa_msg(&m, SADB_GET, 0x1000, 0, 0, "192.0.2.1", "192.0.2.2");
	m.seq = 99;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.seq, 99);
	assert_int_equal(r.pid, 4242);
	assert_int_equal(r.sa.encrypt, CBC);
	assert_int_equal(r.sa.auth, SHA256);
	assert_int_equal(r.sa2.reqid, 77);
	assert_int_equal(r.sa2.mode, IPSEC_MODE_TUNNEL);
	assert_true(pfk_has(&r, SADB_EXT_KEY_ENCRYPT) && pfk_has(&r, SADB_EXT_KEY_AUTH));
	assert_int_equal(r.key_enc.bits, 128);
	assert_int_equal(r.key_enc.data[0], 0x11);
	assert_int_equal(r.key_auth.bits, 256);
	assert_int_equal(r.key_auth.data[31], 0x22);
	assert_int_equal(r.lt_current.addtime, 1700000000);
	assert_int_equal(r.lt_current.usetime, 0);
	assert_int_equal(r.lt_hard.addtime, 3600);
	assert_int_equal(r.lt_hard.bytes, 1u << 30);
	assert_int_equal(r.lt_soft.addtime, 2880);
	assert_true(pfk_has(&r, PFK_EXT_STATS));
	assert_int_equal(r.stats.n, GWSTAT_SA_MAX);
	assert_true(addr_eq(&r.src.addr, &m.src.addr));
}

static void
test_dump_order_and_seq(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;
	size_t		 before;

	kt_msg(&m, SADB_DUMP, SADB_SATYPE_UNSPEC, 5);
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	assert_int_equal(kt_add_sa(t, 0x3000, GCM, 0), 0);
	assert_int_equal(kt_add_sa(t, 0x1000, GCM, 0), 0);
	assert_int_equal(kt_add_sa(t, 0x2000, CBC, SHA256), 0);
	before = kt_count(t, &t->root);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(kt_count(t, &t->root), before + 3);
	kt_get(t, &t->root, before, &r);
	assert_int_equal(r.type, SADB_DUMP);
	assert_int_equal(r.sa.spi, 0x3000);
	assert_int_equal(r.seq, 2);
	assert_int_equal(r.pid, 4242);
	assert_int_equal(r.satype, SADB_SATYPE_ESP);
	assert_true(pfk_has(&r, SADB_EXT_KEY_ENCRYPT));
	kt_get(t, &t->root, before + 1, &r);
	assert_int_equal(r.sa.spi, 0x1000);
	assert_int_equal(r.seq, 1);
	kt_get(t, &t->root, before + 2, &r);
	assert_int_equal(r.sa.spi, 0x2000);
	assert_int_equal(r.seq, 0);
	m.satype = SADB_SATYPE_AH;
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
}

static void
test_flush_by_satype(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	kt_register(t, &t->user);
	assert_int_equal(kt_add_sa(t, 0x1000, GCM, 0), 0);
	kt_msg(&m, SADB_FLUSH, SADB_SATYPE_AH, 5);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_ESP), 1);
	m.satype = SADB_SATYPE_UNSPEC;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_UNSPEC), 0);
	kt_last(t, &t->user, &r);
	assert_int_equal(r.type, SADB_FLUSH);
}

static void
test_register(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;
	bool		 gcm = false, des = false;
	size_t		 i;

	kt_msg(&m, SADB_REGISTER, SADB_SATYPE_UNSPEC, 3);
	assert_int_equal(kt_ask(t, &t->user, &m), 0);
	assert_int_equal(t->user.registered, 0);
	kt_last(t, &t->user, &r);
	assert_true(pfk_has(&r, SADB_EXT_SUPPORTED_AUTH) && pfk_has(&r, SADB_EXT_SUPPORTED_ENCRYPT));
	for (i = 0; i < r.sup_enc.n; i++) {
		if (r.sup_enc.alg[i].id == GCM) {
			gcm = true;
			assert_int_equal(r.sup_enc.alg[i].minbits, 160);
			assert_int_equal(r.sup_enc.alg[i].maxbits, 288);
			assert_int_equal(r.sup_enc.alg[i].ivlen, 8);
		}
		des |= r.sup_enc.alg[i].id == SADB_EALG_3DESCBC;
	}
	assert_true(gcm);
	assert_false(des);
	for (i = 0; i < r.sup_auth.n; i++)
		assert_true(alg_by_id(ALG_AUTH, r.sup_auth.alg[i].id)->datapath);
	kt_register(t, &t->user);
	assert_int_equal(t->user.registered, 1u << SADB_SATYPE_ESP);
	m.satype = SADB_SATYPE_AH;
	assert_int_equal(kt_ask(t, &t->user, &m), EOPNOTSUPP);
}

static void
test_broadcast_to_registered_without_keys(void **state)
{
	struct kt		*t = *state;
	struct key_client	 other;
	struct pfk_msg		 r;

	key_attach(&t->key, &other, 0, 300, true);
	kt_register(t, &t->user);
	kt_clear(t);
	assert_int_equal(kt_add_sa(t, 0x1000, CBC, SHA256), 0);
	assert_int_equal(kt_count(t, &t->user), 1);
	assert_int_equal(kt_count(t, &other), 0);
	kt_last(t, &t->user, &r);
	assert_int_equal(r.type, SADB_ADD);
	assert_int_equal(r.sa.spi, 0x1000);
	assert_false(pfk_has(&r, SADB_EXT_KEY_ENCRYPT) || pfk_has(&r, SADB_EXT_KEY_AUTH));
	assert_false(t->caps[t->ncaps - 1].reply);
	key_detach(&t->key, &other);
}

static void
test_unprivileged_reads_only(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	kt_sa_msg(&m, SADB_ADD, 0x1000, GCM, 0, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->user, &m), EPERM);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_UNSPEC), 0);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	assert_int_equal(kt_ask(t, &t->user, &m), EPERM);
	kt_msg(&m, SADB_FLUSH, 0, 1);
	assert_int_equal(kt_ask(t, &t->user, &m), EPERM);
	kt_msg(&m, SADB_X_PROMISC, 1, 1);
	assert_int_equal(kt_ask(t, &t->user, &m), EPERM);
	assert_false(t->user.promisc);
	/* Reads work, without key material. */
	assert_int_equal(kt_add_sa(t, 0x1000, GCM, 0), 0);
	kt_sa_msg(&m, SADB_GET, 0x1000, 0, 0, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->user, &m), 0);
	kt_last(t, &t->user, &r);
	assert_int_equal(r.sa.spi, 0x1000);
	assert_false(pfk_has(&r, SADB_EXT_KEY_ENCRYPT));
	kt_msg(&m, SADB_DUMP, 0, 1);
	assert_int_equal(kt_ask(t, &t->user, &m), 0);
	kt_last(t, &t->user, &r);
	assert_false(pfk_has(&r, SADB_EXT_KEY_ENCRYPT));
}

static void
test_malformed_and_unsupported(void **state)
{
	struct kt	*t = *state;
	uint8_t		 buf[24];
	struct pfk_msg	 m, r;
	struct kt_cap	*cap;

	/* A header claiming 3 units over a 24-byte datagram with junk. */
	memset(buf, 0, sizeof(buf));
	buf[0] = PF_KEY_V2;
	buf[1] = SADB_ADD;
	buf[3] = SADB_SATYPE_ESP;
	buf[4] = 3;
	buf[8] = 0x55;		/* seq */
	buf[12] = 0x66;		/* pid */
	buf[16] = 1;		/* extension of length 1, type 99 */
	buf[18] = 99;
	assert_int_equal(key_input(&t->key, &t->root, buf, sizeof(buf)), -1);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.type, SADB_ADD);
	assert_true(r.errnum != 0);
	assert_int_equal(r.seq, 0x55);
	assert_int_equal(r.pid, 0x66);
	/* Too short for a header: the error reply echoes nothing. */
	assert_int_equal(key_input(&t->key, &t->root, buf, 10), -1);
	cap = &t->caps[t->ncaps - 1];
	assert_ptr_equal(cap->c, &t->root);
	assert_int_equal(cap->len, 16);
	assert_int_equal(cap->buf[1], 0);
	assert_int_equal(cap->buf[2], EMSGSIZE);
	assert_int_equal(cap->buf[8], 0);
	/* Well-formed but not for clients to send. */
	kt_msg(&m, SADB_ACQUIRE, SADB_SATYPE_ESP, 12);
	assert_int_equal(kt_ask(t, &t->root, &m), EOPNOTSUPP);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.seq, 12);
	/* A request that claims an errno. */
	kt_msg(&m, SADB_DUMP, 0, 13);
	m.errnum = EIO;
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
	/* A required extension missing. */
	kt_msg(&m, SADB_GET, SADB_SATYPE_ESP, 14);
	kt_addrs(&m, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
}

static void
test_promisc_copies(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, inner;
	struct kt_cap	*cap;
	size_t		 i, copies = 0;

	kt_msg(&m, SADB_X_PROMISC, 1, 1);
	assert_int_equal(kt_send(t, &t->root, &m), 0);
	assert_true(t->root.promisc);
	kt_get(t, &t->root, 0, &inner);
	assert_int_equal(inner.type, SADB_X_PROMISC);
	assert_int_equal(inner.errnum, 0);
	kt_clear(t);
	kt_msg(&m, SADB_DUMP, 0, 77);
	assert_int_equal(kt_send(t, &t->user, &m), 0);
	/* The request and the ENOENT reply, each wrapped in X_PROMISC. */
	for (i = 0; i < t->ncaps; i++) {
		cap = &t->caps[i];
		if (cap->c != &t->root)
			continue;
		assert_true(cap->len > 16);
		assert_int_equal(cap->buf[1], SADB_X_PROMISC);
		assert_int_equal(cap->buf[4] | cap->buf[5] << 8, cap->len / 8);
		assert_int_equal(pfk_decode(cap->buf + 16, cap->len - 16, &inner), 0);
		assert_int_equal(inner.type, SADB_DUMP);
		assert_int_equal(inner.seq, 77);
		copies++;
	}
	assert_int_equal(copies, 2);
	kt_msg(&m, SADB_X_PROMISC, 0, 1);
	assert_int_equal(kt_send(t, &t->root, &m), 0);
	assert_false(t->root.promisc);
	assert_int_equal(t->key.npromisc, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, kt_setup, kt_teardown)
		T(test_getspi_then_update),
		T(test_update_needs_matching_source),
		T(test_update_keeps_getspi_reqid),
		T(test_getspi_range),
		T(test_add_eexist_delete_enoent),
		T(test_delete_without_sa_removes_pair),
		T(test_sa_refusals),
		T(test_key_length_rechecked),
		T(test_replay_window),
		T(test_get_contents),
		T(test_dump_order_and_seq),
		T(test_flush_by_satype),
		T(test_register),
		T(test_broadcast_to_registered_without_keys),
		T(test_unprivileged_reads_only),
		T(test_malformed_and_unsupported),
		T(test_promisc_copies),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
