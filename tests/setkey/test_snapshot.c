/*
 * test_snapshot.c: a failed script puts back what its flush, spdflush,
 * delete, deleteall, spddelete and spdupdate removed or changed, from the
 * snapshot taken before the first of them; and says what it could not.
 * The mock tunneld keeps every field, so the tests compare the restored
 * SAs and policies (keys included) with what was there before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <time.h>

#include "alg.h"
#include "run_env.h"
#include "snapshot.h"

#define CBC	"-E aes-cbc 0x00112233445566778899aabbccddeeff " \
		"-A hmac-sha256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void
key_fill(struct gw_key *k, size_t len, uint8_t seed)
{
	size_t i;

	k->len = (uint16_t)len;
	for (i = 0; i < len; i++)
		k->b[i] = (uint8_t)(seed + i * 7);
}

/* A working AES-CBC + HMAC-SHA2-256 SA with lifetimes, as DUMP shows it. */
static struct mock_sa *
cbc_sa(struct mock *mk, uint32_t spi, const char *src, const char *dst)
{
	struct mock_sa *sa = add_sa(mk, spi, src, dst);
	uint64_t now = (uint64_t)time(NULL);

	sa->encrypt = SADB_X_EALG_AESCBC;
	sa->auth = SADB_X_AALG_SHA2_256HMAC;
	key_fill(&sa->enc_key, 16, (uint8_t)spi);
	key_fill(&sa->auth_key, 32, (uint8_t)(spi >> 4));
	sa->mode = IPSEC_MODE_TUNNEL;
	sa->reqid = 102;
	sa->flags = SADB_X_EXT_CYCSEQ;
	sa->replay = 32;
	sa->has_replay = true;
	sa->replay_ext = (struct pfk_replay){ 256, 0 };
	sa->hard = (struct pfk_lifetime){ .addtime = 3600, .bytes = 1000000 };
	sa->soft = (struct pfk_lifetime){ .addtime = 3000, .bytes = 800000 };
	sa->cur = (struct pfk_lifetime){ .allocations = 10, .bytes = 1000,
	    .addtime = now - 100, .usetime = now - 50 };
	return sa;
}

/* An ESP-in-UDP AES-GCM SA behind a NAT. */
static struct mock_sa *
natt_sa(struct mock *mk, uint32_t spi)
{
	struct mock_sa *sa = add_sa(mk, spi, "198.51.100.9", "203.0.113.1");

	sa->src.port = 4501;
	sa->dst.port = 4500;
	sa->encrypt = SADB_X_EALG_AES_GCM_ICV16;
	key_fill(&sa->enc_key, 36, 0x40);
	sa->mode = IPSEC_MODE_TUNNEL;
	sa->natt_type = 2;
	sa->natt_sport = 4501;
	sa->natt_dport = 4500;
	assert_int_equal(addr_parse("10.9.9.9", &sa->natt_oa), 0);
	return sa;
}

static struct mock_sp *
ipsec_sp(struct mock *mk, uint8_t dir, const char *src, const char *dst, uint32_t reqid)
{
	struct mock_sp *sp = add_sp(mk, dir, src, dst, IPSEC_ULPROTO_ANY);
	struct pfk_ipsecreq *q = &sp->req[0];

	sp->type = IPSEC_POLICY_IPSEC;
	sp->priority = SK_PRIO_HIGH - 5;
	sp->nreq = 1;
	q->proto = IPPROTO_ESP;
	q->mode = IPSEC_MODE_TUNNEL;
	q->level = IPSEC_LEVEL_UNIQUE;
	q->reqid = reqid;
	q->has_endpoints = true;
	assert_int_equal(addr_parse("203.0.113.1", &q->src), 0);
	assert_int_equal(addr_parse("203.0.113.2", &q->dst), 0);
	return sp;
}

static void
assert_key_eq(const struct gw_key *a, const struct gw_key *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->b, b->b, a->len);
}

/* Everything but the lifetimes, which restore shortens by what was used. */
static void
assert_sa_back(const struct mock_sa *got, const struct mock_sa *want)
{
	assert_non_null(got);
	assert_int_equal(addr_cmp(&got->src, &want->src), 0);
	assert_int_equal(addr_cmp(&got->dst, &want->dst), 0);
	assert_false(got->larval);
	assert_int_equal(got->encrypt, want->encrypt);
	assert_int_equal(got->auth, want->auth);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->mode, want->mode);
	assert_int_equal(got->reqid, want->reqid);
	assert_int_equal(got->replay, want->replay);
	assert_int_equal(got->has_replay, want->has_replay);
	assert_int_equal(got->replay_ext.window, want->replay_ext.window);
	assert_int_equal(got->natt_type, want->natt_type);
	assert_int_equal(got->natt_sport, want->natt_sport);
	assert_int_equal(got->natt_dport, want->natt_dport);
	assert_int_equal(addr_cmp(&got->natt_oa, &want->natt_oa), 0);
	assert_key_eq(&got->enc_key, &want->enc_key);
	assert_key_eq(&got->auth_key, &want->auth_key);
}

static void
assert_sp_back(const struct mock_sp *got, const struct mock_sp *want)
{
	size_t i;

	assert_non_null(got);
	assert_int_equal(got->type, want->type);
	assert_int_equal(got->priority, want->priority);
	assert_int_equal(got->nreq, want->nreq);
	for (i = 0; i < want->nreq; i++) {
		assert_int_equal(got->req[i].proto, want->req[i].proto);
		assert_int_equal(got->req[i].mode, want->req[i].mode);
		assert_int_equal(got->req[i].level, want->req[i].level);
		assert_int_equal(got->req[i].reqid, want->req[i].reqid);
		assert_int_equal(addr_cmp(&got->req[i].src, &want->req[i].src), 0);
		assert_int_equal(addr_cmp(&got->req[i].dst, &want->req[i].dst), 0);
	}
}

static void
test_flush_restored(void **state)
{
	struct env *e = *state;
	struct mock_sa sa1 = *cbc_sa(e->mk, 0x1002, "203.0.113.1", "203.0.113.2");
	struct mock_sa sa2 = *natt_sa(e->mk, 0x2001);
	struct mock_sp sp1 = *ipsec_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.1.0.0/24", "10.2.0.0/24",
	    101);
	struct mock_sp sp2 = *add_sp(e->mk, IPSEC_DIR_INBOUND, "10.2.0.0/24", "10.1.0.0/24",
	    IPSEC_ULPROTO_ANY);
	struct mock_sa *got;

	add_sa(e->mk, 0x3000, "203.0.113.2", "203.0.113.1")->larval = true;
	e->mk->fail_type = SADB_ADD;	/* the second ADD: line 5 */
	e->mk->fail_nth = 2;
	e->mk->fail_errno = EOPNOTSUPP;
	assert_int_equal(script(e, "flush; spdflush;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x9001 " GCM ";\n"
	    "spdadd 10.1.0.0/24 10.2.0.0/24 any -P out none;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x9002 -m transport " GCM ";\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:4: add 10.0.0.1 10.0.0.2 esp 0x9002 refused: Operation not supported\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:3: spdadd 10.1.0.0/24 10.2.0.0/24 any -P out undone\n"
	    "t.conf:2: add 10.0.0.1 10.0.0.2 esp 0x9001 undone\n"
	    "t.conf:1: SA 203.0.113.2 203.0.113.1 esp 0x3000 not restored: it was larval (an "
	    "SPI a key manager reserved with GETSPI), and that state cannot be recreated\n"
	    "setkey: restored 2 SAs and 2 policies flushed by line 1\n"
	    "setkey: restored SAs start again with zero counters and sequence numbers and an "
	    "empty anti-replay window; their lifetimes go on from what was left\n"
	    "setkey: restored policies have new ids\n");
	assert_int_equal(e->mk->nsa, 2);
	assert_int_equal(e->mk->nsp, 2);
	got = mock_find_sa(e->mk, SADB_SATYPE_ESP, "203.0.113.2", 0x1002);
	assert_sa_back(got, &sa1);
	/* 3600 s hard, 100 s gone; 1000000 bytes, 1000 used; 10 packets. */
	assert_in_range(got->hard.addtime, 3498, 3500);
	assert_int_equal(got->hard.bytes, 1000000 - 1000);
	assert_in_range(got->soft.addtime, 2898, 2900);
	assert_int_equal(got->soft.bytes, 800000 - 1000);
	assert_int_equal(got->cur.bytes, 0);
	assert_sa_back(mock_find_sa(e->mk, SADB_SATYPE_ESP, "203.0.113.1", 0x2001), &sa2);
	assert_int_equal(mock_find_sa(e->mk, SADB_SATYPE_ESP, "203.0.113.1", 0x2001)->hard.addtime,
	    0);
	assert_sp_back(mock_find_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.1.0.0/24", "10.2.0.0/24",
	    IPSEC_ULPROTO_ANY), &sp1);
	assert_sp_back(mock_find_sp(e->mk, IPSEC_DIR_INBOUND, "10.2.0.0/24", "10.1.0.0/24",
	    IPSEC_ULPROTO_ANY), &sp2);
	assert_true(e->mk->sp[0].id > sp2.id);
	/* SAs went back before policies. */
	assert_int_equal(e->mk->log[e->mk->nlog - 1].type, SADB_X_SPDADD);
	assert_int_equal(e->mk->log[e->mk->nlog - 3].type, SADB_ADD);
	secure_wipe(&sa1, sizeof(sa1));
	secure_wipe(&sa2, sizeof(sa2));
}

static void
test_spdupdate_undone(void **state)
{
	struct env *e = *state;
	struct mock_sp before = *ipsec_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.1.0.0/24",
	    "10.2.0.0/24", 7);
	struct mock_sp *got;

	add_sa(e->mk, 0x4000, "10.0.0.1", "10.0.0.2");
	assert_int_equal(script(e,
	    "spdupdate 10.1.0.0/24 10.2.0.0/24 any -P out priority 9 discard;\n"
	    "spdupdate 10.3.0.0/24 10.4.0.0/24 any -P in none;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x4000 " GCM ";\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:3: add 10.0.0.1 10.0.0.2 esp 0x4000 refused: File exists\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:2: spdupdate 10.3.0.0/24 10.4.0.0/24 any -P in created its policy: removed\n"
	    "setkey: restored 1 policy replaced by line 1\n");
	assert_int_equal(e->mk->nsp, 1);
	got = &e->mk->sp[0];
	assert_sp_back(got, &before);
	assert_int_equal(got->id, before.id);	/* X_SPDUPDATE keeps it in place */
	assert_int_equal(mock_count(e->mk, SADB_X_SPDUPDATE), 3);
	assert_int_equal(mock_count(e->mk, SADB_X_SPDDELETE), 1);
	assert_int_equal(mock_count(e->mk, SADB_X_SPDADD), 0);
}

static void
test_delete_undone(void **state)
{
	struct env *e = *state;
	struct mock_sa a = *cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	struct mock_sa b = *cbc_sa(e->mk, 0x1002, "10.0.0.3", "10.0.0.4");
	struct mock_sa c = *cbc_sa(e->mk, 0x1003, "10.0.0.3", "10.0.0.4");
	struct mock_sp p = *add_sp(e->mk, IPSEC_DIR_FWD, "10.5.0.0/16", "10.6.0.0/16", 6);

	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = ENOSPC;
	assert_int_equal(script(e,
	    "delete 10.0.0.1 10.0.0.2 esp 0x1001;\n"
	    "deleteall 10.0.0.3 10.0.0.4 esp;\n"
	    "spddelete 10.5.0.0/16 10.6.0.0/16 tcp -P fwd;\n"
	    "spdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:4: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out refused: "
	    "No space left on device\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "setkey: restored 1 SA deleted by line 1\n"
	    "setkey: restored 2 SAs deleted by line 2\n"
	    "setkey: restored 1 policy deleted by line 3\n"
	    "setkey: restored SAs start again with zero counters and sequence numbers and an "
	    "empty anti-replay window; their lifetimes go on from what was left\n"
	    "setkey: restored policies have new ids\n");
	assert_sa_back(mock_find_sa(e->mk, SADB_SATYPE_ESP, "10.0.0.2", 0x1001), &a);
	assert_sa_back(mock_find_sa(e->mk, SADB_SATYPE_ESP, "10.0.0.4", 0x1002), &b);
	assert_sa_back(mock_find_sa(e->mk, SADB_SATYPE_ESP, "10.0.0.4", 0x1003), &c);
	assert_sp_back(mock_find_sp(e->mk, IPSEC_DIR_FWD, "10.5.0.0/16", "10.6.0.0/16", 6), &p);
	assert_int_equal(e->mk->nsa, 3);
	assert_int_equal(e->mk->nsp, 1);
	secure_wipe(&a, sizeof(a));
	secure_wipe(&b, sizeof(b));
	secure_wipe(&c, sizeof(c));
}

static void
test_nothing_destroyed(void **state)
{
	struct env *e = *state;

	cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.1.0.0/16", "10.2.0.0/16", IPSEC_ULPROTO_ANY);
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EINVAL;
	assert_int_equal(script(e, "flush ah;\n"
	    "spdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:2: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out refused: Invalid argument\n"
	    "setkey: rolling back what this run applied, newest first\n");
	assert_int_equal(mock_count(e->mk, SADB_DUMP), 2);	/* snapshot, then now */
	assert_int_equal(mock_count(e->mk, SADB_ADD), 0);
	assert_int_equal(mock_count(e->mk, SADB_X_SPDADD), 1);
	assert_int_equal(e->mk->nsa, 1);
	assert_int_equal(e->mk->nsp, 1);
}

static void
test_created_before_snapshot(void **state)
{
	struct env *e = *state;

	cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 2;
	e->mk->fail_errno = EINVAL;
	assert_int_equal(script(e,
	    "add 10.0.0.5 10.0.0.6 esp 0x5001 " GCM ";\n"
	    "getspi 10.0.0.5 10.0.0.6 esp 0;\n"
	    "spdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"
	    "flush;\nspdflush;\n"
	    "spdadd 10.9.0.0/16 10.8.0.0/16 any -P out none;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:6: spdadd 10.9.0.0/16 10.8.0.0/16 any -P out refused: Invalid argument\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:3: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out: already gone\n"
	    "t.conf:2: getspi 10.0.0.5 10.0.0.6 esp 0x0 (got 0x10000): already gone\n"
	    "t.conf:1: add 10.0.0.5 10.0.0.6 esp 0x5001: already gone\n"
	    "setkey: restored 1 SA flushed by line 4\n"
	    "setkey: restored SAs start again with zero counters and sequence numbers and an "
	    "empty anti-replay window; their lifetimes go on from what was left\n");
	/* What the run itself made before the snapshot (and flushed) stays away. */
	assert_int_equal(e->mk->nsa, 1);
	assert_int_equal(e->mk->sa[0].spi, 0x1001);
	assert_int_equal(e->mk->nsp, 0);
}

static void
test_unsafe_and_expired(void **state)
{
	struct env *e = *state;
	struct mock_sa *gcm = natt_sa(e->mk, 0x2001), *cbc, *old, *dying;
	uint64_t now = (uint64_t)time(NULL);

	gcm->seq = 10;
	cbc = cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	cbc->seq = 7;
	old = cbc_sa(e->mk, 0x1002, "10.0.0.1", "10.0.0.2");
	old->hard.addtime = 99;
	old->cur.addtime = now - 100;
	dying = cbc_sa(e->mk, 0x1003, "10.0.0.1", "10.0.0.2");
	dying->soft.bytes = 500;
	gcm = natt_sa(e->mk, 0x2002);	/* ESN: the low 32 bits of 2^32 are 0 */
	gcm->has_replay = true;
	gcm->replay_ext = (struct pfk_replay){ 1024, PFK_REPLAY_ESN };
	gcm->cur.allocations = 5;
	add_sa(e->mk, 0x1004, "10.0.0.1", "10.0.0.2");	/* a cipher that needs a key, without */
	e->mk->sa[e->mk->nsa - 1].encrypt = SADB_X_EALG_AESCBC;
	e->mk->sa[e->mk->nsa - 1].auth = SADB_X_AALG_SHA2_256HMAC;
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EINVAL;
	assert_int_equal(script(e, "flush;\nspdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"),
	    1);
	assert_string_equal(err_text(e),
	    "t.conf:2: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out refused: Invalid argument\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:1: SA 198.51.100.9[4501] 203.0.113.1[4500] esp 0x2001 not restored: "
	    "it had sent 10 packets, and aes-gcm-16 restarting at sequence number 1 under "
	    "the same key would repeat nonces\n"
	    "t.conf:1: SA 10.0.0.1 10.0.0.2 esp 0x1001 restored; it had sent 7 packets: the "
	    "peer drops its packets as replays until the new count passes that\n"
	    "t.conf:1: SA 10.0.0.1 10.0.0.2 esp 0x1002 not restored: its hard lifetime ran out "
	    "meanwhile\n"
	    "t.conf:1: SA 198.51.100.9[4501] 203.0.113.1[4500] esp 0x2002 not restored: "
	    "it carried traffic with extended sequence numbers, and aes-gcm-16 restarting at "
	    "sequence number 1 under the same key could repeat nonces\n"
	    "t.conf:1: SA 10.0.0.1 10.0.0.2 esp 0x1004 not restored: tunneld did not show its "
	    "keys\n"
	    "setkey: restored 2 SAs flushed by line 1\n"
	    "setkey: restored SAs start again with zero counters and sequence numbers and an "
	    "empty anti-replay window; their lifetimes go on from what was left\n");
	assert_int_equal(e->mk->nsa, 2);
	/* A soft limit already reached is left at 1: it becomes DYING again. */
	assert_int_equal(mock_find_sa(e->mk, SADB_SATYPE_ESP, "10.0.0.2", 0x1003)->soft.bytes, 1);
}

static void
test_went_away(void **state)
{
	struct env *e = *state;

	cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	cbc_sa(e->mk, 0x1002, "10.0.0.3", "10.0.0.4");
	e->mk->vanish_at = 4;	/* while the delete (request 4) is handled */
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EINVAL;
	assert_int_equal(script(e, "delete 10.0.0.3 10.0.0.4 esp 0x1002;\n"
	    "spdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:2: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out refused: Invalid argument\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "setkey: SA 10.0.0.1 10.0.0.2 esp 0x1001 not restored: it went away during the "
	    "run, not through this script (expired, or deleted by another program)\n"
	    "setkey: restored 1 SA deleted by line 1\n"
	    "setkey: restored SAs start again with zero counters and sequence numbers and an "
	    "empty anti-replay window; their lifetimes go on from what was left\n");
	assert_int_equal(e->mk->nsa, 1);
	assert_int_equal(e->mk->sa[0].spi, 0x1002);
}

static void
test_restore_refused(void **state)
{
	struct env *e = *state;

	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.1.0.0/16", "10.2.0.0/16", IPSEC_ULPROTO_ANY);
	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.9.0.0/16", "10.8.0.0/16", IPSEC_ULPROTO_ANY);
	/* X_SPDADD 1 works, 2 meets the policy above, 3 is the restore. */
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 3;
	e->mk->fail_errno = ENOMEM;
	assert_int_equal(script(e, "spddelete 10.1.0.0/16 10.2.0.0/16 any -P out;\n"
	    "spdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"
	    "spdadd 10.9.0.0/16 10.8.0.0/16 any -P out none;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:3: spdadd 10.9.0.0/16 10.8.0.0/16 any -P out refused: File exists\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:2: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out undone\n"
	    "t.conf:1: policy 10.1.0.0/16 10.2.0.0/16 any -P out could not be restored: "
	    "Cannot allocate memory\n");
	assert_int_equal(e->mk->nsp, 1);
}

static void
test_restore_sa_refused(void **state)
{
	struct env *e = *state;

	cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	cbc_sa(e->mk, 0x1002, "10.0.0.1", "10.0.0.2");
	/* ADD 1 meets the SA tunneld has; ADD 2 is the restore. */
	e->mk->fail_type = SADB_ADD;
	e->mk->fail_nth = 2;
	e->mk->fail_errno = EBUSY;
	assert_int_equal(script(e, "delete 10.0.0.1 10.0.0.2 esp 0x1001;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1002 " GCM ";\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:2: add 10.0.0.1 10.0.0.2 esp 0x1002 refused: File exists\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:1: SA 10.0.0.1 10.0.0.2 esp 0x1001 could not be restored: "
	    "Device or resource busy\n");
	assert_int_equal(e->mk->nsa, 1);
}

static void
test_order_warning(void **state)
{
	struct env *e = *state;

	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.0.0.0/8", "10.1.0.0/16", IPSEC_ULPROTO_ANY);
	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.2.0.0/16", "10.1.0.0/16", IPSEC_ULPROTO_ANY);
	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.0.0.0/8", "10.1.2.0/24", 6);
	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "192.168.0.0/16", "10.1.0.0/16", IPSEC_ULPROTO_ANY);
	add_sp(e->mk, IPSEC_DIR_INBOUND, "10.2.0.0/16", "10.1.0.0/16", IPSEC_ULPROTO_ANY);
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EINVAL;
	assert_int_equal(script(e, "spddelete 10.0.0.0/8 10.1.0.0/16 any -P out;\n"
	    "spdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:2: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out refused: Invalid argument\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "setkey: policy 10.0.0.0/8 10.1.0.0/16 any -P out now comes after policy "
	    "10.2.0.0/16 10.1.0.0/16 any -P out, which it used to precede: where they overlap "
	    "the latter matches first\n"
	    "setkey: policy 10.0.0.0/8 10.1.0.0/16 any -P out now comes after policy "
	    "10.0.0.0/8 10.1.2.0/24 tcp -P out, which it used to precede: where they overlap "
	    "the latter matches first\n"
	    "setkey: restored 1 policy deleted by line 1\n"
	    "setkey: restored policies have new ids\n");
}

static void
test_snapshot_refused(void **state)
{
	struct env *e = *state;

	cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	e->mk->fail_type = SADB_DUMP;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EPERM;
	assert_int_equal(script(e, "add 10.0.0.5 10.0.0.6 esp 0x5001 " GCM ";\n"
	    "flush;\nadd 10.0.0.1 10.0.0.2 esp 0x5002 " GCM ";\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:2: flush not sent: tunneld refused the dump for a snapshot: "
	    "Operation not permitted\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:1: add 10.0.0.5 10.0.0.6 esp 0x5001 undone\n");
	assert_int_equal(mock_count(e->mk, SADB_FLUSH), 0);
	assert_int_equal(e->mk->nsa, 1);
}

static void
test_snapshot_incomplete(void **state)
{
	struct env *e = *state;

	cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	cbc_sa(e->mk, 0x1002, "10.0.0.1", "10.0.0.2");
	cbc_sa(e->mk, 0x1003, "10.0.0.1", "10.0.0.2");
	e->mk->dump_gap = true;	/* seq 2, then 0: one missing */
	assert_int_equal(script(e, "spdflush;\nflush;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:1: spdflush not sent: no complete snapshot of the SAD and SPD could be "
	    "taken\n");
	assert_int_equal(mock_count(e->mk, SADB_X_SPDFLUSH), 0);
	assert_int_equal(mock_count(e->mk, SADB_FLUSH), 0);
}

static void
test_lost_before_restore(void **state)
{
	struct env *e = *state;

	cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	/* REGISTER, DUMP, X_SPDDUMP, FLUSH, X_SPDADD; then the line is down. */
	e->mk->close_after = 5;
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EINVAL;
	assert_int_equal(script(e, "flush;\nspdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"),
	    1);
	assert_string_equal(err_text(e),
	    "t.conf:2: spdadd 10.7.0.0/16 10.8.0.0/16 any -P out refused: Invalid argument\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "setkey: tunneld closed the connection\n"
	    "setkey: the snapshot taken before line 1 cannot be restored: the connection to "
	    "tunneld is lost; what this run flushed or deleted is lost\n");
}

/* The snapshot holds the keys until snap_wipe()/snap_free() zero them. */
static void
test_wipe(void **state)
{
	struct env *e = *state;
	struct mock_sa sa = *cbc_sa(e->mk, 0x1001, "10.0.0.1", "10.0.0.2");
	struct snap s = { 0 };
	const uint8_t *p;
	size_t i, n;

	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.1.0.0/16", "10.2.0.0/16", IPSEC_ULPROTO_ANY);
	sk_ok("flush;", &e->cmds);
	assert_true(snap_before(&s, &e->r, "t.conf", e->cmds.head));
	assert_true(s.taken);
	assert_int_equal(s.nsa, 1);
	assert_int_equal(s.nsp, 1);
	assert_key_eq(&s.sa[0].enc_key, &sa.enc_key);
	assert_key_eq(&s.sa[0].auth_key, &sa.auth_key);
	assert_true(snap_covers(&s, e->cmds.head));
	snap_wipe(&s);
	p = (const uint8_t *)s.sa;
	n = s.sacap * sizeof(*s.sa);
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			fail_msg("snapshot byte %zu not wiped", i);
	p = (const uint8_t *)s.sp;
	for (i = 0; i < s.spcap * sizeof(*s.sp); i++)
		if (p[i] != 0)
			fail_msg("policy byte %zu not wiped", i);
	snap_free(&s);
	assert_false(s.taken);
	assert_null(s.sa);
	secure_wipe(&sa, sizeof(sa));
}

/* Past the first allocation: snap_grow moves the keys and wipes the old copy. */
static void
test_many(void **state)
{
	struct env *e = *state;
	size_t i;

	for (i = 0; i < 300; i++)
		cbc_sa(e->mk, 0x1000 + (uint32_t)i, "10.0.0.1", "10.0.0.2");
	e->mk->fail_type = SADB_X_SPDADD;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EINVAL;
	assert_int_equal(script(e, "flush;\nspdadd 10.7.0.0/16 10.8.0.0/16 any -P out none;\n"),
	    1);
	assert_non_null(strstr(err_text(e), "setkey: restored 300 SAs flushed by line 1\n"));
	assert_int_equal(e->mk->nsa, 300);
	for (i = 0; i < 300; i++)
		assert_non_null(mock_find_sa(e->mk, SADB_SATYPE_ESP, "10.0.0.2",
		    0x1000 + (uint32_t)i));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_restored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spdupdate_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_destroyed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_created_before_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_and_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_went_away, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_sa_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_incomplete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_before_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
