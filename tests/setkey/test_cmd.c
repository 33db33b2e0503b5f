/*
 * test_cmd.c: parsed commands to PF_KEY messages. Each message is encoded
 * with the codec and decoded back, so the fields checked are the ones
 * tunneld will see.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/udp.h>

#include "cmd.h"
#include "sk_test.h"

static struct setkey_cmds cmds;
static uint8_t wire[PFK_MSG_MAX];

static int
teardown(void **state)
{
	setkey_cmds_free(&cmds);
	return 0;
}

/* Encodes and decodes m in place (key views then point into wire). */
static void
roundtrip(struct pfk_msg *m)
{
	struct wr w = wr_init(wire, sizeof(wire));

	assert_int_equal(pfk_encode(m, &w), 0);
	assert_int_equal(pfk_decode(wire, w.off, m), 0);
}

/* The decoded message of the first command of text. */
static struct pfk_msg *
msg_of(const char *text)
{
	static struct pfk_msg m;

	setkey_cmds_free(&cmds);
	assert_true(cmd_build(sk_ok(text, &cmds), &m));
	roundtrip(&m);
	return &m;
}

static void
assert_addr(const struct gw_addr *a, const char *text, unsigned plen, unsigned port)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(addr_ntop(a, buf, sizeof(buf)), text);
	assert_int_equal(a->plen, plen);
	assert_int_equal(a->port, port);
}

static void
test_add(void **state)
{
	struct pfk_msg *m = msg_of("add 192.168.0.1 192.168.1.2 esp 0x1001 -m tunnel -u 101 "
	    "-E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha1 \"twenty-byte-auth-key\";");

	assert_int_equal(m->type, SADB_ADD);
	assert_int_equal(m->satype, SADB_SATYPE_ESP);
	assert_int_equal(m->seq, 0);
	assert_true(pfk_has(m, SADB_EXT_SA));
	assert_int_equal(m->sa.spi, 0x1001);
	assert_int_equal(m->sa.replay, 0);
	assert_int_equal(m->sa.state, SADB_SASTATE_LARVAL);
	assert_int_equal(m->sa.encrypt, SADB_X_EALG_AESCBC);
	assert_int_equal(m->sa.auth, SADB_AALG_SHA1HMAC);
	assert_int_equal(m->sa.flags, SADB_X_EXT_CYCSEQ);
	assert_true(pfk_has(m, SADB_X_EXT_SA2));
	assert_int_equal(m->sa2.mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(m->sa2.reqid, 101);
	assert_int_equal(m->src.proto, IPSEC_ULPROTO_ANY);
	assert_addr(&m->src.addr, "192.168.0.1", 32, 0);
	assert_addr(&m->dst.addr, "192.168.1.2", 32, 0);
	assert_true(pfk_has(m, SADB_EXT_KEY_ENCRYPT));
	assert_int_equal(m->key_enc.bits, 128);
	assert_int_equal(m->key_enc.data[15], 0xff);
	assert_int_equal(m->key_auth.bits, 160);
	assert_memory_equal(m->key_auth.data, "twenty-byte-auth-key", 20);
	assert_false(pfk_has(m, SADB_EXT_LIFETIME_HARD));
	assert_false(pfk_has(m, SADB_EXT_LIFETIME_SOFT));
	assert_false(pfk_has(m, PFK_EXT_REPLAY));
	assert_false(pfk_has(m, SADB_X_EXT_NAT_T_TYPE));
	assert_false(pfk_has(m, SADB_EXT_SPIRANGE));
}

static void
test_replay_mapping(void **state)
{
	static const struct { unsigned n; uint8_t replay; uint32_t window; } t[] = {
		{ 0, 0, 0 }, { 4, 4, 32 }, { 64, 64, 512 }, { 255, 255, 2040 },
		{ 256, 255, 2048 }, { 4096, 255, 32768 },
	};
	char text[256];
	struct pfk_msg *m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "add ::1 ::2 esp 0x1000 -r %u -E aes-gcm-16 "
		    "0x0102030405060708090a0b0c0d0e0f1011121314;", t[i].n);
		m = msg_of(text);
		assert_int_equal(m->sa.replay, t[i].replay);
		assert_true(pfk_has(m, PFK_EXT_REPLAY));
		assert_int_equal(m->replay.window, t[i].window);
		assert_int_equal(m->replay.flags, 0);
	}
}

static void
test_lifetimes(void **state)
{
	struct pfk_msg *m = msg_of("add 1.1.1.1 2.2.2.2 esp 0x1000 -lh 3600 -ls 3000 -bh 9000 "
	    "-E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314;");

	assert_true(pfk_has(m, SADB_EXT_LIFETIME_HARD));
	assert_int_equal(m->lt_hard.addtime, 3600);
	assert_int_equal(m->lt_hard.bytes, 9000);
	assert_int_equal(m->lt_hard.allocations, 0);
	assert_int_equal(m->lt_hard.usetime, 0);
	assert_true(pfk_has(m, SADB_EXT_LIFETIME_SOFT));
	assert_int_equal(m->lt_soft.addtime, 3000);
	assert_int_equal(m->lt_soft.bytes, 0);
	m = msg_of("add 1.1.1.1 2.2.2.2 esp 0x1000 -bs 100 "
	    "-E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314;");
	assert_false(pfk_has(m, SADB_EXT_LIFETIME_HARD));
	assert_int_equal(m->lt_soft.bytes, 100);
}

static void
test_esp_udp(void **state)
{
	struct pfk_msg *m = msg_of("add 192.0.2.1[4501] 198.51.100.7 esp-udp 10.0.0.9 0x2000 "
	    "-m tunnel -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314;");

	assert_int_equal(m->satype, SADB_SATYPE_ESP);
	assert_true(pfk_has(m, SADB_X_EXT_NAT_T_TYPE));
	assert_int_equal(m->natt_type, UDP_ENCAP_ESPINUDP);
	assert_int_equal(m->natt_sport, 4501);
	assert_int_equal(m->natt_dport, 4500);
	assert_true(pfk_has(m, SADB_X_EXT_NAT_T_OA));
	assert_addr(&m->natt_oa, "10.0.0.9", 32, 0);
	assert_addr(&m->src.addr, "192.0.2.1", 32, 4501);
	assert_addr(&m->dst.addr, "198.51.100.7", 32, 4500);
	assert_int_equal(m->sa.auth, SADB_AALG_NONE);
	assert_int_equal(m->key_enc.bits, 160);
	assert_false(pfk_has(m, SADB_EXT_KEY_AUTH));
}

static void
test_ipcomp_and_tcp(void **state)
{
	struct pfk_msg *m = msg_of("add 1.1.1.1 2.2.2.2 ipcomp 0x4001 -C deflate -R;");

	assert_int_equal(m->satype, SADB_X_SATYPE_IPCOMP);
	assert_int_equal(m->sa.spi, 0x4001);
	assert_int_equal(m->sa.encrypt, SADB_X_CALG_DEFLATE);
	assert_int_equal(m->sa.flags, SADB_X_EXT_CYCSEQ | SADB_X_EXT_RAWCPI);
	assert_false(pfk_has(m, SADB_EXT_KEY_ENCRYPT));
	m = msg_of("add 1.1.1.1 2.2.2.2 tcp 0x1000 -A tcp-md5 \"bgp secret\";");
	assert_int_equal(m->satype, SADB_X_SATYPE_TCPSIGNATURE);
	assert_int_equal(m->sa.auth, SADB_X_AALG_TCP_MD5);
	assert_int_equal(m->key_auth.bits, 80);
}

static void
test_old_formats(void **state)
{
	struct pfk_msg *m = msg_of("add 1.1.1.1 2.2.2.2 esp-old 0x1000 -f nocyclic-seq "
	    "-E des-32iv 0x0102030405060708;");

	assert_int_equal(m->sa.encrypt, SADB_EALG_DESCBC);
	assert_int_equal(m->sa.flags, SADB_X_EXT_OLD | SADB_X_EXT_IV4B);
	m = msg_of("add 1.1.1.1 2.2.2.2 esp 0x1000 -f random-pad -E des-deriv 0x0102030405060708;");
	assert_int_equal(m->sa.flags, SADB_X_EXT_CYCSEQ | SADB_X_EXT_DERIV | SADB_X_EXT_PRAND);
}

static void
test_update(void **state)
{
	struct pfk_msg *m = msg_of("update 1.1.1.1 2.2.2.2 ah 0x1000 -A hmac-sha256 "
	    "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;");

	assert_int_equal(m->type, SADB_UPDATE);
	assert_int_equal(m->satype, SADB_SATYPE_AH);
	assert_int_equal(m->sa.auth, SADB_X_AALG_SHA2_256HMAC);
	assert_int_equal(m->sa.encrypt, SADB_EALG_NONE);
	assert_int_equal(m->key_auth.bits, 256);
}

static void
test_getspi(void **state)
{
	struct pfk_msg *m = msg_of("getspi 1.1.1.1 2.2.2.2 esp 0x3000 -m tunnel -u 3;");

	assert_int_equal(m->type, SADB_GETSPI);
	assert_true(pfk_has(m, SADB_EXT_SPIRANGE));
	assert_int_equal(m->spirange.min, 0x3000);
	assert_int_equal(m->spirange.max, 0x3000);
	assert_false(pfk_has(m, SADB_EXT_SA));
	assert_int_equal(m->sa2.mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(m->sa2.reqid, 3);
	m = msg_of("getspi 1.1.1.1 2.2.2.2 esp 0;");
	assert_false(pfk_has(m, SADB_EXT_SPIRANGE));
	assert_true(pfk_has(m, SADB_EXT_ADDRESS_DST));
}

static void
test_get_delete(void **state)
{
	struct pfk_msg *m = msg_of("get 1.1.1.1 2.2.2.2 ah 0x1234;");

	assert_int_equal(m->type, SADB_GET);
	assert_int_equal(m->satype, SADB_SATYPE_AH);
	assert_int_equal(m->sa.spi, 0x1234);
	assert_false(pfk_has(m, SADB_EXT_KEY_AUTH));
	assert_false(pfk_has(m, SADB_X_EXT_SA2));
	m = msg_of("delete -6 ::1 ::2 esp 300;");
	assert_int_equal(m->type, SADB_DELETE);
	assert_addr(&m->dst.addr, "::2", 128, 0);
	m = msg_of("deleteall 1.1.1.1 2.2.2.2 ah;");
	assert_int_equal(m->type, SADB_DUMP);
	assert_int_equal(m->satype, SADB_SATYPE_AH);
	assert_int_equal(m->present, 0);
}

static void
test_headers_only(void **state)
{
	static const struct { const char *text; uint8_t type, satype; } t[] = {
		{ "flush;", SADB_FLUSH, SADB_SATYPE_UNSPEC },
		{ "flush esp;", SADB_FLUSH, SADB_SATYPE_ESP },
		{ "dump ah;", SADB_DUMP, SADB_SATYPE_AH },
		{ "dump;", SADB_DUMP, SADB_SATYPE_UNSPEC },
		{ "spdflush;", SADB_X_SPDFLUSH, 0 },
		{ "spddump;", SADB_X_SPDDUMP, 0 },
	};
	struct pfk_msg *m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = msg_of(t[i].text);
		assert_int_equal(m->type, t[i].type);
		assert_int_equal(m->satype, t[i].satype);
		assert_int_equal(m->present, 0);
	}
}

static void
test_spdadd(void **state)
{
	struct pfk_msg *m = msg_of("spdadd 10.1.0.0/16[any] 10.2.0.0/16[80] tcp -P out "
	    "priority high+5 ipsec esp/tunnel/192.0.2.1[4500]-192.0.2.2[4500]/unique:101 "
	    "ah/transport//use;");

	assert_int_equal(m->type, SADB_X_SPDADD);
	assert_int_equal(m->src.proto, 6);
	assert_int_equal(m->dst.proto, 6);
	assert_addr(&m->src.addr, "10.1.0.0", 16, 0);
	assert_addr(&m->dst.addr, "10.2.0.0", 16, 80);
	assert_true(pfk_has(m, SADB_X_EXT_POLICY));
	assert_int_equal(m->policy.type, IPSEC_POLICY_IPSEC);
	assert_int_equal(m->policy.dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(m->policy.priority, 0x40000000u - 5);
	assert_int_equal(m->policy.id, 0);
	assert_int_equal(m->policy.nreq, 2);
	assert_int_equal(m->policy.req[0].proto, IPPROTO_ESP);
	assert_int_equal(m->policy.req[0].mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(m->policy.req[0].level, IPSEC_LEVEL_UNIQUE);
	assert_int_equal(m->policy.req[0].reqid, 101);
	assert_true(m->policy.req[0].has_endpoints);
	assert_addr(&m->policy.req[0].src, "192.0.2.1", 32, 4500);
	assert_addr(&m->policy.req[0].dst, "192.0.2.2", 32, 4500);
	assert_int_equal(m->policy.req[1].proto, IPPROTO_AH);
	assert_int_equal(m->policy.req[1].mode, IPSEC_MODE_TRANSPORT);
	assert_int_equal(m->policy.req[1].level, IPSEC_LEVEL_USE);
	assert_false(m->policy.req[1].has_endpoints);
}

static void
test_spd_icmp_and_forms(void **state)
{
	struct pfk_msg *m = msg_of("spdupdate ::/0 ::/0 icmp6 135,0 -P in none;");

	assert_int_equal(m->type, SADB_X_SPDUPDATE);
	assert_int_equal(m->src.proto, 58);
	assert_addr(&m->src.addr, "::", 0, 135);
	assert_addr(&m->dst.addr, "::", 0, 0);
	assert_int_equal(m->policy.type, IPSEC_POLICY_NONE);
	assert_int_equal(m->policy.dir, IPSEC_DIR_INBOUND);
	assert_int_equal(m->policy.priority, 0x80000000u);
	m = msg_of("spddelete 10.0.0.1 10.0.0.2 ipencap -P out;");
	assert_int_equal(m->type, SADB_X_SPDDELETE);
	assert_int_equal(m->src.proto, 4);
	assert_int_equal(m->policy.dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(m->policy.nreq, 0);
}

static void
test_undo(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "add 1.1.1.1 2.2.2.2 esp 0x1000 -E aes-gcm-16 "
	    "0x0102030405060708090a0b0c0d0e0f1011121314;\n"
	    "getspi 1.1.1.1 2.2.2.2 esp 0;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P fwd ipsec esp/tunnel/1.1.1.1-2.2.2.2/require;\n"
	    "delete 1.1.1.1 2.2.2.2 esp 0x1000; flush; dump; get 1.1.1.1 2.2.2.2 esp 300;\n",
	    &cmds);
	struct pfk_msg m;

	assert_int_equal(cmd_undo_kind(c), CMD_UNDO_INVERSE);
	assert_true(cmd_build_undo(c, 0x1000, &m));
	roundtrip(&m);
	assert_int_equal(m.type, SADB_DELETE);
	assert_int_equal(m.satype, SADB_SATYPE_ESP);
	assert_int_equal(m.sa.spi, 0x1000);
	assert_false(pfk_has(&m, SADB_EXT_KEY_ENCRYPT));
	assert_addr(&m.dst.addr, "2.2.2.2", 32, 0);
	c = c->next;
	assert_true(cmd_build_undo(c, 0xabcdef, &m));
	roundtrip(&m);
	assert_int_equal(m.type, SADB_DELETE);
	assert_int_equal(m.sa.spi, 0xabcdef);
	c = c->next;
	assert_true(cmd_build_undo(c, 0, &m));
	roundtrip(&m);
	assert_int_equal(m.type, SADB_X_SPDDELETE);
	assert_int_equal(m.policy.dir, IPSEC_DIR_FWD);
	assert_addr(&m.dst.addr, "10.1.0.0", 16, 0);
	c = c->next;
	assert_int_equal(cmd_undo_kind(c), CMD_UNDO_NEVER);
	assert_false(cmd_build_undo(c, 0, &m));
	assert_int_equal(cmd_undo_kind(c->next), CMD_UNDO_NEVER);
	assert_int_equal(cmd_undo_kind(c->next->next), CMD_UNDO_NONE);
	assert_int_equal(cmd_undo_kind(c->next->next->next), CMD_UNDO_NONE);
}

static void
test_describe(void **state)
{
	static const struct { const char *text, *want; } t[] = {
		{ "add 1.1.1.1 2.2.2.2 esp 0x1001 -E aes-cbc \"0123456789abcdef\";",
		  "add 1.1.1.1 2.2.2.2 esp 0x1001" },
		{ "add 1.1.1.1[4501] 2.2.2.2 esp-udp 4096 -E aes-cbc \"0123456789abcdef\";",
		  "add 1.1.1.1[4501] 2.2.2.2[4500] esp-udp 0x1000" },
		{ "deleteall ::1 ::2 ah;", "deleteall ::1 ::2 ah" },
		{ "flush;", "flush" }, { "flush ipcomp;", "flush ipcomp" },
		{ "dump esp;", "dump esp" }, { "spdflush;", "spdflush" },
		{ "spdadd 10.0.0.0/24 10.0.1.0/24[22] tcp -P in none;",
		  "spdadd 10.0.0.0/24 10.0.1.0/24[22] tcp -P in" },
		{ "spddelete ::/0 ::/0 253 -P fwd;", "spddelete ::/0 ::/0 253 -P fwd" },
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_string_equal(cmd_describe(sk_ok(t[i].text, &cmds), buf, sizeof(buf)),
		    t[i].want);
		setkey_cmds_free(&cmds);
	}
}

static void
test_check_accepts_parsed_scripts(void **state)
{
	sk_ok("flush; spdflush;\n"
	    "add 1.1.1.1 2.2.2.2 esp 0x1000 -m tunnel -r 32 -lh 60 -E aes-gcm-16 "
	    "0x0102030405060708090a0b0c0d0e0f1011121314;\n"
	    "add ::1 ::2 ah 0x1000 -A hmac-sha512 0x" "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec esp/tunnel/1.1.1.1-2.2.2.2/require;\n"
	    "spdadd ::/0 ::/0 icmp6 135,0 -P in none;\n"
	    "getspi 1.1.1.1 2.2.2.2 esp 0; deleteall 1.1.1.1 2.2.2.2 esp; dump; spddump;\n",
	    &cmds);
	assert_int_equal(cmd_check(&cmds, stderr), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_add, teardown),
		cmocka_unit_test_teardown(test_replay_mapping, teardown),
		cmocka_unit_test_teardown(test_lifetimes, teardown),
		cmocka_unit_test_teardown(test_esp_udp, teardown),
		cmocka_unit_test_teardown(test_ipcomp_and_tcp, teardown),
		cmocka_unit_test_teardown(test_old_formats, teardown),
		cmocka_unit_test_teardown(test_update, teardown),
		cmocka_unit_test_teardown(test_getspi, teardown),
		cmocka_unit_test_teardown(test_get_delete, teardown),
		cmocka_unit_test_teardown(test_headers_only, teardown),
		cmocka_unit_test_teardown(test_spdadd, teardown),
		cmocka_unit_test_teardown(test_spd_icmp_and_forms, teardown),
		cmocka_unit_test_teardown(test_undo, teardown),
		cmocka_unit_test_teardown(test_describe, teardown),
		cmocka_unit_test_teardown(test_check_accepts_parsed_scripts, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
