/*
 * test_check.c: what setkey refuses before sending anything: SAs and
 * policies a script creates twice (tunneld's EEXIST), found by cmd_check
 * with their line:col, and algorithms or key lengths the daemon's
 * REGISTER reply does not offer (cmd_check_supported).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "alg.h"
#include "cmd.h"
#include "sk_test.h"

#define GCM	"-E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314"

/* cmd_check's diagnostics for a script that parses cleanly. */
static char *
check(const char *text, unsigned *nerr)
{
	struct setkey_cmds cmds;
	size_t len = 0;
	char *out = NULL;
	FILE *f;

	sk_ok(text, &cmds);
	assert_non_null(f = open_memstream(&out, &len));
	*nerr = cmd_check(&cmds, f);
	fclose(f);
	setkey_cmds_free(&cmds);
	return out;
}

static void
expect(const char *text, const char *want)
{
	unsigned nerr;
	char *got = check(text, &nerr);
	size_t lines = 0;
	const char *p;

	if (strcmp(got, want) != 0)
		fail_msg("for <%s>\nwant: %sgot:  %s", text, want, got);
	for (p = want; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(nerr, lines);
	free(got);
}

static void
test_sa_twice(void **state)
{
	expect("add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.1 10.0.0.3 esp 0x1001 " GCM ";\n"
	    "\tadd 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n",
	    "t.conf:3:2: duplicate of the SA added on line 1\n");
	/* The source does not matter: tunneld keys SAs on (satype, dst, SPI). */
	expect("add 10.0.0.1 10.0.0.2 esp 4097 " GCM ";\n"
	    "flush ah; add -4 10.0.0.9 10.0.0.2 esp 0x1001 " GCM ";\n",
	    "t.conf:2:11: duplicate of the SA added on line 1\n");
	/* Every copy is reported against the first. */
	expect("add ::1 ::2 esp 0x1001 " GCM ";\nadd ::1 ::2 esp 0x1001 " GCM ";\n"
	    "add ::1 ::2 esp 0x1001 " GCM ";\n",
	    "t.conf:2:1: duplicate of the SA added on line 1\n"
	    "t.conf:3:1: duplicate of the SA added on line 1\n");
}

static void
test_sa_not_twice(void **state)
{
	expect("add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1002 " GCM ";\n"
	    "add 10.0.0.2 10.0.0.1 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.1 10.0.0.2 ah 0x1001 -A hmac-sha1 \"twenty-byte-auth-key\";\n"
	    "delete 10.0.0.1 10.0.0.2 esp 0x1001;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "flush;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "flush esp;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "deleteall 10.0.0.1 10.0.0.2 esp;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "getspi 10.0.0.1 10.0.0.2 esp 0;\ngetspi 10.0.0.1 10.0.0.2 esp 0;\n", "");
}

static void
test_sa_flush_scope(void **state)
{
	/* flush ah, deleteall of another pair or satype, delete of another SPI. */
	expect("add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "flush ah;\n"
	    "deleteall 10.0.0.1 10.0.0.3 esp;\n"
	    "deleteall 10.0.0.1 10.0.0.2 ah;\n"
	    "delete 10.0.0.1 10.0.0.2 esp 0x1002;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n",
	    "t.conf:6:1: duplicate of the SA added on line 1\n");
	/* A deleteall, then the SA again, then a copy of that. */
	expect("add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "deleteall 10.0.0.1 10.0.0.2 esp;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n",
	    "t.conf:4:1: duplicate of the SA added on line 3\n");
	/* A deleteall of another source leaves it: it matches both addresses. */
	expect("add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "deleteall 10.0.0.9 10.0.0.2 esp;\n"
	    "  add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n",
	    "t.conf:3:3: duplicate of the SA added on line 1\n");
}

static void
test_getspi_reserves(void **state)
{
	expect("getspi 10.0.0.1 10.0.0.2 esp 0x5000;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x5000 " GCM ";\n"
	    "getspi 10.0.0.1 10.0.0.2 esp 0x5000;\n",
	    "t.conf:2:1: duplicate of the SA reserved by getspi on line 1\n"
	    "t.conf:3:1: duplicate of the SA reserved by getspi on line 1\n");
	/* update completes the reservation: not a second SA. */
	expect("getspi 10.0.0.1 10.0.0.2 esp 0x5000;\n"
	    "update 10.0.0.1 10.0.0.2 esp 0x5000 " GCM ";\n", "");
}

static void
test_policy_twice(void **state)
{
	expect("spdadd 10.1.0.0/16 10.2.0.0/16 any -P out none;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P in none;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 tcp -P out none;\n"
	    "spdadd 10.1.0.0/16[80] 10.2.0.0/16 tcp -P out none;\n"
	    "spdadd 10.1.0.0/24 10.2.0.0/16 any -P out none;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out priority 5 discard;\n",
	    "t.conf:6:1: duplicate of the policy added on line 1\n");
	/* Host bits beyond the prefix do not count: tunneld masks them. */
	expect("spdadd 10.1.2.3/16 10.2.0.0/16 any -P fwd none;\n"
	    "spdadd 10.1.0.0/16 10.2.9.9/16 any -P fwd none;\n",
	    "t.conf:2:1: duplicate of the policy added on line 1\n");
	expect("spdadd 10.1.0.0/16[80] 10.2.0.0/16[any] tcp -P in none;\n"
	    "spdadd 10.1.0.0/16[80] 10.2.0.0/16 6 -P in none;\n",
	    "t.conf:2:1: duplicate of the policy added on line 1\n");
	expect("spdupdate 10.1.0.0/16 10.2.0.0/16 any -P out none;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out discard;\n",
	    "t.conf:2:1: duplicate of the policy set by spdupdate on line 1\n");
}

static void
test_policy_not_twice(void **state)
{
	expect("spdadd 10.1.0.0/16 10.2.0.0/16 any -P out none;\n"
	    "spddelete 10.1.0.0/16 10.2.0.0/16 any -P out;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out none;\n"
	    "spdflush;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out none;\n"
	    "spdupdate 10.1.0.0/16 10.2.0.0/16 any -P out discard;\n"
	    "spddelete 10.1.0.0/16 10.2.0.0/16 any -P out;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out none;\n"
	    "flush;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/17 any -P out none;\n", "");
	/* flush is about SAs: it leaves policies. */
	expect("spdadd 10.1.0.0/16 10.2.0.0/16 any -P out none;\nflush;\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out none;\n",
	    "t.conf:3:1: duplicate of the policy added on line 1\n");
}

/* Many SAs: the check is a hash lookup per command, not a scan. */
static void
test_many(void **state)
{
	size_t n = 50000, cap = n * 128, off = 0, i;
	char *text = malloc(cap), *got;
	unsigned nerr;

	assert_non_null(text);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
		    "add 10.0.0.1 10.%zu.%zu.2 esp %zu " GCM ";\n", i >> 8 & 255, i & 255,
		    256 + i % 7);
	off += (size_t)snprintf(text + off, cap - off,
	    "add 10.0.0.1 10.1.2.2 esp 262 " GCM ";\n");
	got = check(text, &nerr);
	/* Entry 258 is 10.1.2.2 with SPI 256 + 258 % 7 = 262. */
	assert_string_equal(got, "t.conf:50001:1: duplicate of the SA added on line 259\n");
	assert_int_equal(nerr, 1);
	free(got);
	free(text);
}

/* A REGISTER reply offering aes-cbc (128..192 bits) and hmac-sha256. */
static void
reg_init(struct pfk_msg *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->sup_enc.n = 2;
	reg->sup_enc.alg[0] = (struct pfk_alg_sup){ SADB_X_EALG_AESCBC, 16, 128, 192 };
	reg->sup_enc.alg[1] = (struct pfk_alg_sup){ SADB_X_EALG_AES_GCM_ICV16, 8, 288, 288 };
	reg->sup_auth.n = 1;
	reg->sup_auth.alg[0] = (struct pfk_alg_sup){ SADB_X_AALG_SHA2_256HMAC, 0, 256, 256 };
}

static void
test_supported(void **state)
{
	struct setkey_cmds cmds;
	struct pfk_msg reg;
	size_t len = 0;
	char *out = NULL;
	FILE *f;

	reg_init(&reg);
	sk_ok("add 1.1.1.1 2.2.2.2 esp 0x1000 -E aes-cbc 0x00112233445566778899aabbccddeeff "
	    "-A hmac-sha256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;\n"
	    "add 1.1.1.1 2.2.2.2 esp 0x1001 -E aes-cbc "
	    "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff "
	    "-A hmac-sha1 \"twenty-byte-auth-key\";\n"
	    "update 1.1.1.1 2.2.2.2 esp 0x1002 " GCM ";\n"
	    "get 1.1.1.1 2.2.2.2 esp 0x1000;\n", &cmds);
	assert_non_null(f = open_memstream(&out, &len));
	assert_int_equal(cmd_check_supported(&cmds, &reg, f), 3);
	fclose(f);
	assert_string_equal(out,
	    "t.conf:2:35: key for aes-cbc is 256 bits; tunneld accepts 128 to 192 bits\n"
	    "t.conf:2:113: algorithm hmac-sha1 is not supported by tunneld\n"
	    "t.conf:3:38: key for aes-gcm-16 is 160 bits; tunneld accepts 288 bits\n");
	free(out);
	setkey_cmds_free(&cmds);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa_twice),
		cmocka_unit_test(test_sa_not_twice),
		cmocka_unit_test(test_sa_flush_scope),
		cmocka_unit_test(test_getspi_reserves),
		cmocka_unit_test(test_policy_twice),
		cmocka_unit_test(test_policy_not_twice),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_supported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
