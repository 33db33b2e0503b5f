/*
 * test_parse.c: the setkey language, valid input: every command form,
 * extension, algorithm, protocol and key syntax.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "sk_test.h"

static struct setkey_cmds cmds;

static int
teardown(void **state)
{
	setkey_cmds_free(&cmds);
	return 0;
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
test_add_example(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "add 192.168.0.1 192.168.1.2 esp 0x1001 -m tunnel -u 101\n"
	    "        -E aes-cbc 0x00112233445566778899aabbccddeeff\n"
	    "        -A hmac-sha1 \"twenty-byte-auth-key\";\n", &cmds);
	const struct setkey_sa *sa = &c->u.sa;
	static const uint8_t ek[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

	assert_int_equal(cmds.n, 1);
	assert_int_equal(c->op, SK_ADD);
	assert_int_equal(c->line, 1);
	assert_int_equal(c->col, 1);
	assert_addr(&sa->src, "192.168.0.1", 32, 0);
	assert_addr(&sa->dst, "192.168.1.2", 32, 0);
	assert_int_equal(sa->proto, SK_P_ESP);
	assert_int_equal(sa->satype, SADB_SATYPE_ESP);
	assert_int_equal(sa->spi, 0x1001);
	assert_int_equal(sa->mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(sa->reqid, 101);
	assert_int_equal(sa->flags, SADB_X_EXT_CYCSEQ);
	assert_false(sa->has_replay);
	assert_string_equal(sa->enc.alg->name, "aes-cbc");
	assert_int_equal(sa->enc.line, 2);
	assert_int_equal(sa->enc.col, 12);
	assert_string_equal(sa->auth.alg->name, "hmac-sha1");
	assert_int_equal(sa->enc_key->len, 16);
	assert_memory_equal(sa->enc_key->b, ek, 16);
	assert_int_equal(sa->auth_key->len, 20);
	assert_memory_equal(sa->auth_key->b, "twenty-byte-auth-key", 20);
	assert_null(sa->comp.alg);
}

static void
test_sa_commands(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "get 10.0.0.1 10.0.0.2 esp 300;\n"
	    "delete 10.0.0.1 10.0.0.2 ah 0x200;\n"
	    "deleteall 10.0.0.1 10.0.0.2 esp;\n"
	    "getspi 10.0.0.1 10.0.0.2 esp 0 -m tunnel -u 7;\n"
	    "getspi 10.0.0.1 10.0.0.2 esp 0x5000;\n"
	    "update 10.0.0.1 10.0.0.2 esp 0x5000 -E aes-gcm-16 "
	    "0x0102030405060708090a0b0c0d0e0f1011121314;\n", &cmds);

	assert_int_equal(cmds.n, 6);
	assert_int_equal(c->op, SK_GET);
	assert_int_equal(c->u.sa.spi, 300);
	c = c->next;
	assert_int_equal(c->op, SK_DELETE);
	assert_int_equal(c->u.sa.satype, SADB_SATYPE_AH);
	assert_int_equal(c->line, 2);
	c = c->next;
	assert_int_equal(c->op, SK_DELETEALL);
	assert_addr(&c->u.sa.dst, "10.0.0.2", 32, 0);
	c = c->next;
	assert_int_equal(c->op, SK_GETSPI);
	assert_int_equal(c->u.sa.spi, 0);
	assert_int_equal(c->u.sa.mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(c->u.sa.reqid, 7);
	c = c->next;
	assert_int_equal(c->u.sa.spi, 0x5000);
	c = c->next;
	assert_int_equal(c->op, SK_UPDATE);
	assert_string_equal(c->u.sa.enc.alg->name, "aes-gcm-16");
	assert_int_equal(c->u.sa.enc_key->len, 20);
}

static void
test_flush_dump_spd(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "flush; flush esp; flush ipcomp; dump; dump ah; spdflush; spddump;;\n"
	    "spddelete 10.0.0.0/8 10.1.0.0/16 any -P out;\n"
	    "spdupdate 10.0.0.0/8 10.1.0.0/16 any -P out discard;\n", &cmds);
	static const enum sk_op ops[] = { SK_FLUSH, SK_FLUSH, SK_FLUSH, SK_DUMP, SK_DUMP,
	    SK_SPDFLUSH, SK_SPDDUMP, SK_SPDDELETE, SK_SPDUPDATE };
	static const uint8_t satypes[] = { SADB_SATYPE_UNSPEC, SADB_SATYPE_ESP,
	    SADB_X_SATYPE_IPCOMP, SADB_SATYPE_UNSPEC, SADB_SATYPE_AH };
	size_t i;

	assert_int_equal(cmds.n, 9);
	for (i = 0; i < 9; i++, c = c->next) {
		assert_int_equal(c->op, ops[i]);
		if (i < 5)
			assert_int_equal(c->u.satype, satypes[i]);
	}
	c = cmds.head;
	for (i = 0; i < 7; i++)
		c = c->next;
	assert_false(c->u.spd.has_action);
	assert_int_equal(c->u.spd.pol.dir, IPSEC_DIR_OUTBOUND);
	assert_true(c->next->u.spd.has_action);
	assert_int_equal(c->next->u.spd.pol.type, IPSEC_POLICY_DISCARD);
}

static void
test_exit_stops(void **state)
{
	static const char *const words[] = { "exit", "quit", "bye" };
	char text[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "flush;\n%s;\nthis is not parsed @@@", words[i]);
		sk_ok(text, &cmds);
		assert_int_equal(cmds.n, 1);
		setkey_cmds_free(&cmds);
	}
}

static void
test_extensions(void **state)
{
	const struct setkey_sa *sa = &sk_ok(
	    "add 10.0.0.1 10.0.0.2 esp 0x1000 -m transport -r 64 -u 16383 -f zero-pad\n"
	    " -f nocyclic-seq -lh 3600 -ls 3000 -bh 1000000 -bs 900000\n"
	    " -E aes-cbc 0x000102030405060708090a0b0c0d0e0f;", &cmds)->u.sa;

	assert_int_equal(sa->mode, IPSEC_MODE_TRANSPORT);
	assert_true(sa->has_replay);
	assert_int_equal(sa->replay, 64);
	assert_int_equal(sa->reqid, 16383);
	assert_int_equal(sa->flags, SADB_X_EXT_PZERO);
	assert_int_equal(sa->hard_time, 3600);
	assert_int_equal(sa->soft_time, 3000);
	assert_int_equal(sa->hard_bytes, 1000000);
	assert_int_equal(sa->soft_bytes, 900000);
}

static void
test_ext_values(void **state)
{
	static const struct { const char *ext; uint8_t mode; uint32_t flags; } t[] = {
		{ "-m any", IPSEC_MODE_ANY, SADB_X_EXT_CYCSEQ },
		{ "-m tunnel", IPSEC_MODE_TUNNEL, SADB_X_EXT_CYCSEQ },
		{ "-f random-pad", IPSEC_MODE_ANY, SADB_X_EXT_CYCSEQ | SADB_X_EXT_PRAND },
		{ "-f seq-pad", IPSEC_MODE_ANY, SADB_X_EXT_CYCSEQ | SADB_X_EXT_PSEQ },
		{ "-f zero-pad", IPSEC_MODE_ANY, SADB_X_EXT_CYCSEQ | SADB_X_EXT_PZERO },
		{ "-f nocyclic-seq", IPSEC_MODE_ANY, 0 },
		{ "-r 0", IPSEC_MODE_ANY, SADB_X_EXT_CYCSEQ },
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "add ::1 ::2 esp 1000 %s -E null -A hmac-sha256 "
		    "0x%064x;", t[i].ext, 7);
		const struct setkey_sa *sa = &sk_ok(text, &cmds)->u.sa;

		assert_int_equal(sa->mode, t[i].mode);
		assert_int_equal(sa->flags, t[i].flags);
		assert_int_equal(sa->has_replay, i == 6);
		setkey_cmds_free(&cmds);
	}
}

static void
test_options_any_order(void **state)
{
	const struct setkey_sa *sa = &sk_ok(
	    "add 10.0.0.1 10.0.0.2 esp 0x1000 -A hmac-sha1 0x0102030405060708090a0b0c0d0e0f1011121314 "
	    "-u 5 -E aes-cbc 0x000102030405060708090a0b0c0d0e0f -m tunnel;", &cmds)->u.sa;

	assert_int_equal(sa->reqid, 5);
	assert_int_equal(sa->mode, IPSEC_MODE_TUNNEL);
	assert_non_null(sa->enc.alg);
	assert_non_null(sa->auth.alg);
}

/* A line adding an SA that uses a with a key of bits bits. */
static void
alg_line(char *buf, size_t len, const struct alg *a, const char *name, unsigned bits)
{
	char key[2 * GW_KEY_MAX + 3] = "";
	const char *proto = "esp", *other = "";
	unsigned i;

	if (!a->key_none) {
		strcpy(key, "0x");
		for (i = 0; i < bits / 8; i++)
			snprintf(key + 2 + 2 * i, 3, "%02x", i & 0xffu);
	}
	if (a->kind == ALG_ENC) {
		if (a->id == SADB_EALG_NULL)
			other = "-A hmac-sha1 \"01234567890123456789\"";
		snprintf(buf, len, "add 10.0.0.1 10.0.0.2 esp 0x1000 -E %s %s %s;", name, key,
		    other);
		return;
	}
	if (a->id == SADB_X_AALG_TCP_MD5)
		proto = "tcp";
	else if (a->id != SADB_X_AALG_NULL)
		proto = "ah";
	else
		other = "-E aes-cbc \"0123456789abcdef\"";
	snprintf(buf, len, "add 10.0.0.1 10.0.0.2 %s 0x1000 %s -A %s %s;", proto, other, name,
	    key);
}

/* Parses an SA line for a under each of its input names and key lengths. */
static void
check_alg(const struct alg *a)
{
	char line[1024], *errs;
	const char *names[5];
	size_t n = 0, i;
	unsigned bits, step;
	const struct setkey_cmd *c;

	if (!a->print_only)
		names[n++] = a->name;
	for (i = 0; i < 4 && a->aliases[i] != NULL; i++)
		names[n++] = a->aliases[i];
	step = a->key_step != 0 ? a->key_step : 8;
	for (i = 0; i < n; i++) {
		for (bits = a->key_min; bits <= a->key_max; bits += step) {
			alg_line(line, sizeof(line), a, names[i], bits);
			assert_int_equal(sk_parse(line, &cmds, &errs), 0);
			if (!a->obsolete && errs[0] != '\0')
				fail_msg("%s: %s", line, errs);
			c = cmds.head;
			assert_non_null(c);
			assert_ptr_equal(a->kind == ALG_ENC ? c->u.sa.enc.alg : c->u.sa.auth.alg, a);
			free(errs);
			setkey_cmds_free(&cmds);
			if (a->key_none)
				break;
		}
	}
}

static void
test_every_enc_alg(void **state)
{
	const struct alg *a;
	size_t i;

	for (i = 0; (a = alg_at(ALG_ENC, i)) != NULL; i++)
		check_alg(a);
	assert_true(i > 5);
}

static void
test_every_auth_alg(void **state)
{
	const struct alg *a;
	size_t i;

	for (i = 0; (a = alg_at(ALG_AUTH, i)) != NULL; i++)
		check_alg(a);
	assert_true(i > 5);
}

static void
test_every_comp_alg(void **state)
{
	const struct alg *a;
	char line[256];
	size_t i;

	for (i = 0; (a = alg_at(ALG_COMP, i)) != NULL; i++) {
		snprintf(line, sizeof(line), "add 10.0.0.1 10.0.0.2 ipcomp 0x4001 -C %s%s;",
		    a->name, i % 2 ? " -R" : "");
		const struct setkey_sa *sa = &sk_ok(line, &cmds)->u.sa;

		assert_ptr_equal(sa->comp.alg, a);
		assert_int_equal(sa->satype, SADB_X_SATYPE_IPCOMP);
		assert_int_equal(sa->spi, 0x4001);
		assert_int_equal(!!(sa->flags & SADB_X_EXT_RAWCPI), i % 2);
		setkey_cmds_free(&cmds);
	}
	assert_true(i >= 1);
}

static void
test_obsolete_alg_warns(void **state)
{
	char *errs;

	assert_int_equal(sk_parse("add 1.1.1.1 2.2.2.2 esp 300 -E simple -A hmac-sha1 "
	    "\"01234567890123456789\";", &cmds, &errs), 0);
	assert_string_equal(errs, "t.conf:1:32: warning: obsolete algorithm simple\n");
	assert_int_equal(cmds.n, 1);
	free(errs);
}

static void
test_des_variants(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "add 1.1.1.1 2.2.2.2 esp 300 -E des-deriv 0x0102030405060708;\n"
	    "add 1.1.1.1 2.2.2.2 esp-old 301 -E des-32iv 0x0102030405060708;\n"
	    "add 1.1.1.1 2.2.2.2 esp-old 302 -E des-cbc 0x0102030405060708;\n"
	    "add 1.1.1.1 2.2.2.2 ah-old 303 -A keyed-md5 0x0102030405060708090a0b0c0d0e0f10;\n",
	    &cmds);

	assert_string_equal(c->u.sa.enc.alg->name, "des-cbc");
	assert_int_equal(c->u.sa.flags, SADB_X_EXT_CYCSEQ | SADB_X_EXT_DERIV);
	c = c->next;
	assert_string_equal(c->u.sa.enc.alg->name, "des-cbc");
	assert_int_equal(c->u.sa.flags, SADB_X_EXT_CYCSEQ | SADB_X_EXT_IV4B | SADB_X_EXT_OLD);
	assert_int_equal(c->u.sa.satype, SADB_SATYPE_ESP);
	c = c->next;
	assert_int_equal(c->u.sa.flags, SADB_X_EXT_CYCSEQ | SADB_X_EXT_OLD);
	c = c->next;
	assert_int_equal(c->u.sa.satype, SADB_SATYPE_AH);
	assert_int_equal(c->u.sa.flags, SADB_X_EXT_CYCSEQ | SADB_X_EXT_OLD);
	assert_int_equal(c->u.sa.auth.alg->id, SADB_X_AALG_MD5);
}

static void
test_protocols(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "add 1.1.1.1 2.2.2.2 tcp 0x1000 -A tcp-md5 \"tcp secret\";\n"
	    "add 1.1.1.1[4501] 2.2.2.2 esp-udp 0x1000 -E aes-gcm-16 "
	    "0x00000000000000000000000000000000deadbeef;\n"
	    "add 1.1.1.1 2.2.2.2[any] esp-udp 192.168.0.9 0x1000 -E aes-gcm-16 "
	    "0x00000000000000000000000000000000deadbeef;\n", &cmds);

	assert_int_equal(c->u.sa.satype, SADB_X_SATYPE_TCPSIGNATURE);
	assert_int_equal(c->u.sa.proto, SK_P_TCP);
	c = c->next;
	assert_int_equal(c->u.sa.proto, SK_P_ESP_UDP);
	assert_int_equal(c->u.sa.satype, SADB_SATYPE_ESP);
	assert_addr(&c->u.sa.src, "1.1.1.1", 32, 4501);
	assert_addr(&c->u.sa.dst, "2.2.2.2", 32, SK_NATT_PORT);
	assert_false(c->u.sa.has_oa);
	c = c->next;
	assert_addr(&c->u.sa.src, "1.1.1.1", 32, SK_NATT_PORT);
	assert_true(c->u.sa.has_oa);
	assert_addr(&c->u.sa.oa, "192.168.0.9", 32, 0);
}

static void
test_keys(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "add 1.1.1.1 2.2.2.2 tcp 0x1000 -A tcp-md5 0xabcDEF01234;\n"
	    "add 1.1.1.1 2.2.2.2 esp 301 -E des-cbc \"8 bytes!\";\n"
	    "add 1.1.1.1 2.2.2.2 esp 302 -E des-cbc 0X0000000000000001;\n"
	    "add 1.1.1.1 2.2.2.2 tcp 0x1001 -A tcp-md5 0x1;\n", &cmds);
	static const uint8_t odd[] = { 0x0a, 0xbc, 0xde, 0xf0, 0x12, 0x34 };
	static const uint8_t one[] = { 0, 0, 0, 0, 0, 0, 0, 1 };

	/* An odd digit count: the first digit alone is the first byte. */
	assert_int_equal(c->u.sa.auth_key->len, 6);
	assert_memory_equal(c->u.sa.auth_key->b, odd, 6);
	c = c->next;
	assert_int_equal(c->u.sa.enc_key->len, 8);
	assert_memory_equal(c->u.sa.enc_key->b, "8 bytes!", 8);
	c = c->next;
	assert_memory_equal(c->u.sa.enc_key->b, one, 8);
	c = c->next;
	assert_int_equal(c->u.sa.auth_key->len, 1);
	assert_int_equal(c->u.sa.auth_key->b[0], 1);
}

static void
test_address_flags(void **state)
{
	const struct setkey_cmd *c = sk_ok(
	    "add -4 1.1.1.1 2.2.2.2 esp 300 -E null -A hmac-sha1 \"01234567890123456789\";\n"
	    "add -6n 2001:db8::1 2001:db8::2 esp 300 -E null -A hmac-sha1 "
	    "\"01234567890123456789\";\n"
	    "spdadd -n -4 10.0.0.0/8 10.1.0.0/16 any -P out none;\n"
	    "deleteall -6 fe80::1 fe80::2 ah;\n", &cmds);

	assert_int_equal(c->u.sa.src.af, AF_INET);
	c = c->next;
	assert_int_equal(c->u.sa.src.af, AF_INET6);
	assert_addr(&c->u.sa.dst, "2001:db8::2", 128, 0);
	c = c->next;
	assert_addr(&c->u.spd.src, "10.0.0.0", 8, 0);
	assert_int_equal(cmds.n, 4);
}

static void
test_crlf_and_tabs(void **state)
{
	const struct setkey_cmd *c = sk_ok("\t\tflush;\r\n\t spdflush ;\r\n", &cmds);

	assert_int_equal(c->line, 1);
	assert_int_equal(c->col, 3);
	assert_int_equal(c->next->line, 2);
	assert_int_equal(c->next->col, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_add_example, teardown),
		cmocka_unit_test_teardown(test_sa_commands, teardown),
		cmocka_unit_test_teardown(test_flush_dump_spd, teardown),
		cmocka_unit_test_teardown(test_exit_stops, teardown),
		cmocka_unit_test_teardown(test_extensions, teardown),
		cmocka_unit_test_teardown(test_ext_values, teardown),
		cmocka_unit_test_teardown(test_options_any_order, teardown),
		cmocka_unit_test_teardown(test_every_enc_alg, teardown),
		cmocka_unit_test_teardown(test_every_auth_alg, teardown),
		cmocka_unit_test_teardown(test_every_comp_alg, teardown),
		cmocka_unit_test_teardown(test_obsolete_alg_warns, teardown),
		cmocka_unit_test_teardown(test_des_variants, teardown),
		cmocka_unit_test_teardown(test_protocols, teardown),
		cmocka_unit_test_teardown(test_keys, teardown),
		cmocka_unit_test_teardown(test_address_flags, teardown),
		cmocka_unit_test_teardown(test_crlf_and_tabs, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
