/*
 * test_key_spd.c: the PF_KEY engine with a recording transport: SPD
 * messages, ACQUIRE and EXPIRE to registered sockets.
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
test_spd_messages(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;
	uint32_t	 id;

	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND,
	    IPSEC_LEVEL_UNIQUE);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.type, SADB_X_SPDADD);
	id = r.policy.id;
	assert_true(id != 0);
	assert_true(r.policy.req[0].reqid > IPSEC_MANUAL_REQID_MAX);
	assert_int_equal(kt_ask(t, &t->root, &m), EEXIST);
	m.type = SADB_X_SPDUPDATE;
	m.policy.req[0].level = IPSEC_LEVEL_REQUIRE;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.policy.id, id);
	kt_msg(&m, SADB_X_SPDGET, 0, 4);
	m.policy.id = id;
	pfk_set(&m, SADB_X_EXT_POLICY);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	assert_int_equal(r.policy.req[0].level, IPSEC_LEVEL_REQUIRE);
	assert_int_equal(r.src.addr.plen, 8);
	assert_true(pfk_has(&r, SADB_EXT_LIFETIME_CURRENT));
	assert_int_equal(r.lt_current.addtime, 1700000000);
	m.type = SADB_X_SPDDELETE2;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	m.type = SADB_X_SPDGET;
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	/* X_SPDDELETE by selector and direction. */
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_INBOUND,
	    IPSEC_LEVEL_REQUIRE);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	m.type = SADB_X_SPDDELETE;
	m.policy.dir = IPSEC_DIR_OUTBOUND;
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	m.policy.dir = IPSEC_DIR_INBOUND;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(spd_count(&t->key.spd), 0);
}

static void
test_spd_dump_and_flush(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;
	size_t		 before;

	kt_msg(&m, SADB_X_SPDDUMP, 0, 8);
	assert_int_equal(kt_ask(t, &t->root, &m), ENOENT);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.2.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	m.policy.priority = 0x40000000u;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.1.0.0", 16, "10.0.0.0", 8, IPSEC_DIR_INBOUND, 2);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_msg(&m, SADB_X_SPDDUMP, 0, 8);
	before = kt_count(t, &t->user);
	assert_int_equal(kt_ask(t, &t->user, &m), 0);
	assert_int_equal(kt_count(t, &t->user), before + 3);
	kt_get(t, &t->user, before, &r);
	assert_int_equal(r.policy.dir, IPSEC_DIR_INBOUND);
	assert_int_equal(r.seq, 2);
	kt_get(t, &t->user, before + 1, &r);
	assert_int_equal(r.dst.addr.u.b[1], 2);
	assert_int_equal(r.seq, 1);
	kt_get(t, &t->user, before + 2, &r);
	assert_int_equal(r.dst.addr.u.b[1], 1);
	assert_int_equal(r.seq, 0);
	assert_int_equal(r.pid, 4242);
	kt_msg(&m, SADB_X_SPDFLUSH, 0, 9);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	assert_int_equal(spd_count(&t->key.spd), 0);
}

static void
test_spd_refusals(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m;

	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	m.policy.req[0].mode = IPSEC_MODE_TRANSPORT;
	m.policy.req[0].has_endpoints = false;
	assert_int_equal(kt_ask(t, &t->root, &m), EOPNOTSUPP);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	m.policy.req[0].proto = IPPROTO_AH;
	assert_int_equal(kt_ask(t, &t->root, &m), EOPNOTSUPP);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, 0, 2);
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	m.src.proto = IPPROTO_TCP;
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
	/* A bundle of two esp/tunnel requests: the data path applies only one. */
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	m.policy.req[1] = m.policy.req[0];
	m.policy.req[1].src = kt_addr("198.51.100.2");
	m.policy.req[1].dst = kt_addr("198.51.100.3");
	m.policy.nreq = 2;
	assert_int_equal(kt_ask(t, &t->root, &m), EOPNOTSUPP);
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	m.policy.type = IPSEC_POLICY_BYPASS;
	m.policy.nreq = 0;
	assert_int_equal(kt_ask(t, &t->root, &m), EINVAL);
	assert_int_equal(spd_count(&t->key.spd), 0);
	/* discard and none carry no request. */
	m.policy.type = IPSEC_POLICY_DISCARD;
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
}

static void
add_policy(struct kt *t, uint8_t level, struct policy **out)
{
	struct pfk_msg	m, r;

	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, level);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_last(t, &t->root, &r);
	*out = spd_get(&t->key.spd, r.policy.id);
	assert_non_null(*out);
}

static void
test_acquire_to_registered_only(void **state)
{
	struct kt	*t = *state;
	struct gw_flow	 f = kt_flow("10.0.0.5", 1000, "10.1.0.7", 80, IPPROTO_TCP);
	struct policy	*p;
	struct pfk_msg	 r;
	size_t		 i;

	add_policy(t, IPSEC_LEVEL_REQUIRE, &p);
	kt_register(t, &t->user);
	kt_clear(t);
	assert_int_equal(acquire_policy(&t->key, p, &f), 1);
	assert_int_equal(kt_count(t, &t->root), 0);
	assert_int_equal(kt_count(t, &t->user), 1);
	kt_last(t, &t->user, &r);
	assert_int_equal(r.type, SADB_ACQUIRE);
	assert_int_equal(r.satype, SADB_SATYPE_ESP);
	assert_true(r.seq != 0);
	assert_int_equal(r.policy.id, p->id);
	assert_int_equal(r.policy.dir, IPSEC_DIR_OUTBOUND);
	assert_true(addr_eq(&r.src.addr, &p->req[0].src));
	assert_true(addr_eq(&r.dst.addr, &p->req[0].dst));
	assert_true(pfk_has(&r, SADB_EXT_PROPOSAL));
	assert_true(r.proposal.n >= 2);
	for (i = 0; i < r.proposal.n; i++) {
		const struct alg *e = alg_by_id(ALG_ENC, r.proposal.comb[i].encrypt);

		assert_true(e != NULL && e->datapath && !e->key_none);
		assert_int_equal(e->aead, r.proposal.comb[i].auth == 0);
		assert_int_equal(r.proposal.comb[i].hard_addtime, ACQUIRE_HARD_ADDTIME);
	}
}

static void
test_acquire_rate_limit(void **state)
{
	struct kt	*t = *state;
	struct gw_flow	 f = kt_flow("10.0.0.5", 1000, "10.1.0.7", 80, IPPROTO_TCP);
	struct policy	*p;
	struct pfk_msg	 r;
	uint32_t	 seq;

	add_policy(t, IPSEC_LEVEL_REQUIRE, &p);
	kt_register(t, &t->user);
	kt_clear(t);
	assert_int_equal(acquire_policy(&t->key, p, &f), 1);
	kt_last(t, &t->user, &r);
	seq = r.seq;
	assert_int_equal(acquire_policy(&t->key, p, &f), 0);
	assert_int_equal(acquire_policy(&t->key, p, &f), 0);
	assert_int_equal(kt_count(t, &t->user), 1);
	t->mono += ACQUIRE_INTERVAL;
	assert_int_equal(acquire_policy(&t->key, p, &f), 1);
	kt_last(t, &t->user, &r);
	assert_int_equal(r.seq, seq + 1);
	assert_int_equal(kt_count(t, &t->user), 2);
}

static void
test_expire_soft_then_hard(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	kt_register(t, &t->user);
	kt_sa_msg(&m, SADB_ADD, 0x1000, GCM, 0, "192.0.2.1", "192.0.2.2");
	m.seq = 555;
	m.lt_soft.addtime = 10;
	m.lt_hard.addtime = 20;
	pfk_set(&m, SADB_EXT_LIFETIME_HARD);
	pfk_set(&m, SADB_EXT_LIFETIME_SOFT);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_clear(t);
	t->mono += 9;
	key_tick(&t->key);
	assert_int_equal(t->ncaps, 0);
	t->mono += 1;
	key_tick(&t->key);
	assert_int_equal(kt_count(t, &t->user), 1);
	assert_int_equal(kt_count(t, &t->root), 0);
	kt_last(t, &t->user, &r);
	assert_int_equal(r.type, SADB_EXPIRE);
	assert_int_equal(r.seq, 555);
	assert_int_equal(r.sa.spi, 0x1000);
	assert_int_equal(r.sa.state, SADB_SASTATE_DYING);
	assert_true(pfk_has(&r, SADB_EXT_LIFETIME_SOFT) && pfk_has(&r, SADB_EXT_LIFETIME_CURRENT));
	assert_false(pfk_has(&r, SADB_EXT_LIFETIME_HARD));
	assert_false(pfk_has(&r, SADB_EXT_KEY_ENCRYPT));
	assert_int_equal(r.lt_soft.addtime, 10);
	t->mono += 9;
	key_tick(&t->key);
	assert_int_equal(kt_count(t, &t->user), 1);
	t->mono += 1;
	key_tick(&t->key);
	assert_int_equal(kt_count(t, &t->user), 2);
	kt_last(t, &t->user, &r);
	assert_true(pfk_has(&r, SADB_EXT_LIFETIME_HARD));
	assert_false(pfk_has(&r, SADB_EXT_LIFETIME_SOFT));
	assert_int_equal(r.lt_hard.addtime, 20);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_UNSPEC), 0);
}

static void
test_expire_by_bytes(void **state)
{
	struct kt	*t = *state;
	struct gw_addr	 dst = kt_addr("192.0.2.2");
	struct pfk_msg	 m, r;
	struct sa	*sa;

	kt_register(t, &t->user);
	kt_sa_msg(&m, SADB_ADD, 0x1000, GCM, 0, "192.0.2.1", "192.0.2.2");
	m.lt_soft.bytes = 100;
	m.lt_hard.bytes = 200;
	pfk_set(&m, SADB_EXT_LIFETIME_HARD);
	pfk_set(&m, SADB_EXT_LIFETIME_SOFT);
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_clear(t);
	sa = sad_lookup_in(&t->key.sad, SADB_SATYPE_ESP, &dst, 0x1000);
	assert_non_null(sa);
	assert_int_equal(sad_account(&t->key.sad, sa, SA_DIR_IN, 120, t->mono), 0);
	assert_int_equal(kt_count(t, &t->user), 1);
	kt_last(t, &t->user, &r);
	assert_true(pfk_has(&r, SADB_EXT_LIFETIME_SOFT));
	assert_int_equal(r.lt_current.bytes, 120);
	assert_int_equal(r.lt_current.usetime, t->wall);
	assert_int_equal(sad_account(&t->key.sad, sa, SA_DIR_IN, 120, t->mono), -1);
	assert_int_equal(kt_count(t, &t->user), 2);
	kt_last(t, &t->user, &r);
	assert_true(pfk_has(&r, SADB_EXT_LIFETIME_HARD));
	assert_null(sad_lookup_in(&t->key.sad, SADB_SATYPE_ESP, &dst, 0x1000));
	key_tick(&t->key);
}

static void
test_larval_expire_reported(void **state)
{
	struct kt	*t = *state;
	struct pfk_msg	 m, r;

	kt_register(t, &t->user);
	kt_msg(&m, SADB_GETSPI, SADB_SATYPE_ESP, 4711);
	kt_addrs(&m, "192.0.2.1", "192.0.2.2");
	assert_int_equal(kt_ask(t, &t->root, &m), 0);
	kt_clear(t);
	t->mono += SAD_LARVAL_LIFETIME;
	key_tick(&t->key);
	kt_last(t, &t->user, &r);
	assert_int_equal(r.type, SADB_EXPIRE);
	assert_int_equal(r.seq, 4711);
	assert_int_equal(r.lt_hard.addtime, SAD_LARVAL_LIFETIME);
	assert_int_equal(sad_count(&t->key.sad, SADB_SATYPE_UNSPEC), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, kt_setup, kt_teardown)
		T(test_spd_messages),
		T(test_spd_dump_and_flush),
		T(test_spd_refusals),
		T(test_acquire_to_registered_only),
		T(test_acquire_rate_limit),
		T(test_expire_soft_then_hard),
		T(test_expire_by_bytes),
		T(test_larval_expire_reported),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
