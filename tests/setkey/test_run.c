/*
 * test_run.c: setkey against an in-process tunneld: the REGISTER check,
 * pipelining with seq matching, barriers before irreversible commands,
 * refusal and rollback, deleteall, dumps, -F, -x and lost connections.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "run_env.h"

static void
test_script_in_order(void **state)
{
	struct env *e = *state;
	static const uint8_t want[] = { SADB_REGISTER, SADB_DUMP, SADB_X_SPDDUMP, SADB_FLUSH,
	    SADB_X_SPDFLUSH, SADB_ADD, SADB_ADD, SADB_X_SPDADD, SADB_X_SPDADD, SADB_GET };
	size_t i;

	assert_int_equal(script(e, "flush; spdflush;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.2 10.0.0.1 esp 0x1002 " GCM ";\n"
	    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require;\n"
	    "spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/10.0.0.2-10.0.0.1/require;\n"
	    "get 10.0.0.1 10.0.0.2 esp 0x1001;\n"), 0);
	assert_int_equal(e->mk->nlog, sizeof(want));
	for (i = 0; i < sizeof(want); i++) {
		assert_int_equal(e->mk->log[i].type, want[i]);
		assert_int_equal(e->mk->log[i].pid, PID);
		assert_int_equal(e->mk->log[i].seq, i + 1);
	}
	assert_int_equal(e->mk->log[0].satype, SADB_SATYPE_UNSPEC);
	assert_int_equal(e->mk->log[3].satype, SADB_SATYPE_UNSPEC);
	assert_int_equal(e->mk->nsa, 2);
	assert_int_equal(e->mk->nsp, 2);
	assert_false(e->mk->barrier_broken);
	assert_string_equal(err_text(e), "");
	assert_non_null(strstr(out_text(e), "10.0.0.1"));
}

static void
test_unsupported_alg_sends_nothing(void **state)
{
	struct env *e = *state;

	assert_int_equal(script(e, "flush;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 -E 3des-cbc \"012345678901234567890123\";\n"
	    "add 10.0.0.1 10.0.0.2 ah 0x1002 -A hmac-sha512 0x"
	    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	    "000000000000000000000000000000000000000000000000;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:2:37: algorithm 3des-cbc is not supported by tunneld\n"
	    "t.conf:3:36: algorithm hmac-sha512 is not supported by tunneld\n");
	assert_int_equal(e->mk->nlog, 1);
	assert_int_equal(e->mk->log[0].type, SADB_REGISTER);
}

static void
test_register_refused(void **state)
{
	struct env *e = *state;

	e->mk->register_errno = EPERM;
	assert_int_equal(script(e, "flush;"), 1);
	assert_string_equal(err_text(e),
	    "setkey: tunneld refused REGISTER: Operation not permitted\n");
	assert_int_equal(e->mk->nlog, 1);
}

static void
test_refusal_rolls_back(void **state)
{
	struct env *e = *state;

	/* A policy setkey cannot know about: tunneld refuses line 3. */
	add_sp(e->mk, IPSEC_DIR_OUTBOUND, "10.0.0.0/24", "10.0.1.0/24", IPSEC_ULPROTO_ANY);
	assert_int_equal(script(e,
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "spdadd 10.0.0.0/24 10.0.2.0/24 any -P out none;\n"
	    "spdadd 10.0.0.0/24 10.0.1.0/24 any -P out discard;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1003 " GCM ";\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:3: spdadd 10.0.0.0/24 10.0.1.0/24 any -P out refused: File exists\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:4: add 10.0.0.1 10.0.0.2 esp 0x1003 undone\n"
	    "t.conf:2: spdadd 10.0.0.0/24 10.0.2.0/24 any -P out undone\n"
	    "t.conf:1: add 10.0.0.1 10.0.0.2 esp 0x1001 undone\n");
	/* Line 4 was already in flight behind line 3: applied, then undone. */
	assert_int_equal(e->mk->nsa, 0);
	assert_int_equal(e->mk->nsp, 1);
	assert_int_equal(e->mk->sp[0].type, IPSEC_POLICY_NONE);
	assert_int_equal(mock_count(e->mk, SADB_X_SPDDELETE), 1);
	assert_int_equal(mock_count(e->mk, SADB_DELETE), 2);
	/* Nothing destroyed: no snapshot taken. */
	assert_int_equal(mock_count(e->mk, SADB_DUMP), 0);
}

static void
test_irreversible_reported(void **state)
{
	struct env *e = *state;

	assert_int_equal(script(e,
	    "getspi 10.0.0.1 10.0.0.2 esp 0x5000;\n"
	    "update 10.0.0.1 10.0.0.2 esp 0x5000 " GCM ";\n"
	    "spddelete 10.5.0.0/16 10.1.0.0/16 any -P out;\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:3: spddelete 10.5.0.0/16 10.1.0.0/16 any -P out refused: "
	    "No such file or directory\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:2: update 10.0.0.1 10.0.0.2 esp 0x5000 was applied and cannot be undone\n"
	    "t.conf:1: getspi 10.0.0.1 10.0.0.2 esp 0x5000 undone\n");
	assert_int_equal(e->mk->nsa, 0);
	/* The refused spddelete destroyed nothing: snapshot taken, not used. */
	assert_int_equal(mock_count(e->mk, SADB_DUMP), 1);
	assert_int_equal(mock_count(e->mk, SADB_X_SPDDUMP), 1);
	assert_int_equal(mock_count(e->mk, SADB_ADD), 0);
	assert_int_equal(mock_count(e->mk, SADB_X_SPDADD), 0);
}

static void
test_failed_undo_reported(void **state)
{
	struct env *e = *state;

	add_sa(e->mk, 0x1002, "10.0.0.1", "10.0.0.2");
	e->mk->fail_type = SADB_DELETE;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EBUSY;
	assert_int_equal(script(e,
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1002 " GCM ";\n"), 1);
	assert_string_equal(err_text(e),
	    "t.conf:2: add 10.0.0.1 10.0.0.2 esp 0x1002 refused: File exists\n"
	    "setkey: rolling back what this run applied, newest first\n"
	    "t.conf:1: add 10.0.0.1 10.0.0.2 esp 0x1001 could not be undone: "
	    "Device or resource busy\n");
}

/* A script of n adds with SPIs 0x1000... */
static char *
many_adds(size_t n)
{
	size_t cap = n * 128, off = 0, i;
	char *text = malloc(cap);

	assert_non_null(text);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
		    "add 10.0.0.1 10.0.0.2 esp %zu " GCM ";\n", 0x1000 + i);
	return text;
}

static void
test_pipeline_window(void **state)
{
	struct env *e = *state;
	char *text = many_adds(200);

	e->mk->lifo = true;	/* replies out of order: matched by seq */
	assert_int_equal(script(e, text), 0);
	assert_int_equal(e->mk->nsa, 200);
	assert_true(e->mk->max_inflight > 1);
	assert_true(e->mk->max_inflight <= RUN_WINDOW);
	assert_string_equal(err_text(e), "");
	free(text);
}

static void
test_pipeline_refusal_undoes_all(void **state)
{
	struct env *e = *state;
	char *text = many_adds(100);

	add_sa(e->mk, 0x1027, "10.0.0.1", "10.0.0.2");
	e->mk->noise = true;
	assert_int_equal(script(e, text), 1);
	assert_non_null(strstr(err_text(e), "t.conf:40: add 10.0.0.1 10.0.0.2 esp 0x1027 refused: "
	    "File exists\n"));
	/* What was in flight behind the refusal was applied, then undone. */
	assert_int_equal(e->mk->nsa, 1);
	assert_int_equal(mock_count(e->mk, SADB_DELETE), mock_count(e->mk, SADB_ADD) - 1);
	assert_true(mock_count(e->mk, SADB_ADD) < 100);
	/* One refusal only; nothing after the window was sent. */
	assert_null(strstr(strstr(err_text(e), "refused") + 1, "refused"));
	assert_null(strstr(err_text(e), "t.conf:100:"));
	free(text);
}

static void
test_barriers(void **state)
{
	struct env *e = *state;

	assert_int_equal(script(e,
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1002 " GCM ";\n"
	    "delete 10.0.0.1 10.0.0.2 esp 0x1001;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out none;\n"
	    "spddelete 10.0.0.0/8 10.1.0.0/16 any -P out;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1003 " GCM ";\n"
	    "flush esp;\n"), 0);
	assert_false(e->mk->barrier_broken);
	assert_int_equal(e->mk->nsa, 0);
	assert_int_equal(e->mk->nsp, 0);
}

static void
test_noise_ignored(void **state)
{
	struct env *e = *state;

	e->mk->noise = true;
	assert_int_equal(script(e, "flush;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out none;\n"), 0);
	assert_string_equal(err_text(e), "");
	assert_int_equal(e->mk->nsa, 1);
}

static void
test_deleteall(void **state)
{
	struct env *e = *state;

	add_sa(e->mk, 0x101, "10.0.0.1", "10.0.0.2");
	add_sa(e->mk, 0x102, "10.0.0.2", "10.0.0.1");
	add_sa(e->mk, 0x103, "10.0.0.1", "10.0.0.3");
	add_sa(e->mk, 0x104, "10.0.0.1", "10.0.0.2");
	assert_int_equal(script(e, "deleteall 10.0.0.1 10.0.0.2 esp;"), 0);
	assert_int_equal(e->mk->nsa, 2);
	/* The snapshot's DUMP of every satype, then deleteall's own of ESP. */
	assert_int_equal(mock_count(e->mk, SADB_DUMP), 2);
	assert_int_equal(mock_count(e->mk, SADB_DELETE), 2);
	assert_int_equal(e->mk->log[1].type, SADB_DUMP);
	assert_int_equal(e->mk->log[1].satype, SADB_SATYPE_UNSPEC);
	assert_int_equal(e->mk->log[2].type, SADB_X_SPDDUMP);
	assert_int_equal(e->mk->log[3].type, SADB_DUMP);
	assert_int_equal(e->mk->log[3].satype, SADB_SATYPE_ESP);
	assert_true(e->mk->sa[0].spi == 0x102 || e->mk->sa[1].spi == 0x102);
	assert_true(e->mk->sa[0].spi == 0x103 || e->mk->sa[1].spi == 0x103);
	assert_int_equal(script(e, "deleteall 10.9.9.9 10.0.0.2 esp;"), 0);
	assert_int_equal(mock_count(e->mk, SADB_DELETE), 2);
}

static void
test_getspi_undone_by_its_spi(void **state)
{
	struct env *e = *state;

	assert_int_equal(script(e, "getspi 10.0.0.1 10.0.0.2 esp 0;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out none;\n"
	    "spddelete 10.5.0.0/16 10.1.0.0/16 any -P out;\n"), 1);
	assert_int_equal(e->mk->nsa, 0);
	assert_int_equal(e->mk->nsp, 0);
	assert_int_equal(e->mk->log[e->mk->nlog - 1].type, SADB_DELETE);
	assert_int_equal(e->mk->log[e->mk->nlog - 1].spi, 0x10000);
}

static void
test_dumps(void **state)
{
	struct env *e = *state;

	assert_int_equal(run_dump(&e->r, false, 0), 0);
	assert_int_equal(run_dump(&e->r, true, 0), 0);
	assert_string_equal(out_text(e), "No SAD entries.\nNo SPD entries.\n");
	add_sa(e->mk, 0x101, "10.0.0.1", "10.0.0.2");
	add_sa(e->mk, 0x102, "10.0.0.2", "10.0.0.1");
	assert_int_equal(run_dump(&e->r, false, 0), 0);
	assert_non_null(strstr(out_text(e), "10.0.0.2 10.0.0.1"));
	assert_int_equal(mock_count(e->mk, SADB_DUMP), 2);
	assert_string_equal(err_text(e), "");
}

static void
test_dump_in_script(void **state)
{
	struct env *e = *state;

	assert_int_equal(script(e, "dump; spddump;"), 0);
	assert_string_equal(out_text(e), "No SAD entries.\nNo SPD entries.\n");
	e->mk->fail_type = SADB_X_SPDDUMP;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EACCES;
	assert_int_equal(script(e, "spddump;"), 1);
	assert_string_equal(err_text(e), "t.conf:1: spddump refused: Permission denied\n");
}

static void
test_flush_modes(void **state)
{
	struct env *e = *state;

	add_sa(e->mk, 0x101, "10.0.0.1", "10.0.0.2");
	assert_int_equal(run_flush(&e->r, false), 0);
	assert_int_equal(run_flush(&e->r, true), 0);
	assert_int_equal(e->mk->nsa, 0);
	assert_int_equal(e->mk->log[0].type, SADB_FLUSH);
	assert_int_equal(e->mk->log[0].satype, SADB_SATYPE_UNSPEC);
	assert_int_equal(e->mk->log[1].type, SADB_X_SPDFLUSH);
	e->mk->fail_type = SADB_FLUSH;
	e->mk->fail_nth = 1;
	e->mk->fail_errno = EPERM;
	assert_int_equal(run_flush(&e->r, false), 1);
	assert_string_equal(err_text(e), "setkey: flush refused: Operation not permitted\n");
}

static void
test_lost_connection(void **state)
{
	struct env *e = *state;

	e->mk->close_after = 3;
	assert_int_equal(script(e, "flush;\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1001 " GCM ";\n"
	    "add 10.0.0.1 10.0.0.2 esp 0x1002 " GCM ";\n"), 1);
	assert_non_null(strstr(err_text(e), "setkey: tunneld closed the connection\n"));
}

static void
test_timeout(void **state)
{
	struct env *e = *state;

	e->mk->silent = true;
	assert_int_equal(script(e, "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out none;"), 1);
	assert_string_equal(err_text(e), "setkey: no reply from tunneld within 30 s\n");
}

static void
test_garbage_reply_skipped(void **state)
{
	struct env *e = *state;
	static const uint8_t junk[16] = { 2, SADB_FLUSH, 0, 0, 9, 0 };

	mock_push_raw(e->mk, junk, sizeof(junk));
	assert_int_equal(script(e, "flush;"), 0);
	assert_string_equal(err_text(e), "setkey: ignoring an invalid message from tunneld "
	    "(16 bytes): Message too long\n");
}

static void
test_verbose(void **state)
{
	struct env *e = *state;

	e->r.verbose = true;
	assert_int_equal(script(e, "spdflush;"), 0);
	/* REGISTER and SPDFLUSH, each sent and answered. */
	assert_non_null(strstr(out_text(e), "sadb_msg"));
}

/* A monitor line: "HH:MM:SS.uuuuuu". */
static bool
is_stamp(const char *s)
{
	static const char pat[] = "dd:dd:dd.dddddd\n";
	size_t i;

	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pat[i])
			return false;
	return true;
}

static void
test_monitor(void **state)
{
	struct env *e = *state;
	uint8_t buf[64] = { 2, SADB_X_PROMISC, 0, 0, 4, 0 };
	struct pfk_msg inner = { .type = SADB_FLUSH, .seq = 7, .pid = 99 };
	struct wr w = wr_init(buf + 16, sizeof(buf) - 16);

	/* A copy of another socket's FLUSH, wrapped as KAME does. */
	assert_int_equal(pfk_encode(&inner, &w), 0);
	mock_push_raw(e->mk, buf, 32);
	e->mk->close_after = 1;
	assert_int_equal(run_monitor(&e->r), 1);
	assert_int_equal(e->mk->log[0].type, SADB_X_PROMISC);
	assert_int_equal(e->mk->log[0].satype, 1);
	assert_true(is_stamp(out_text(e)));
	assert_non_null(strstr(out_text(e), "type=9"));
	assert_string_equal(err_text(e), "setkey: tunneld closed the connection\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_script_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_alg_sends_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irreversible_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_undo_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_refusal_undoes_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_barriers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noise_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleteall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getspi_undone_by_its_spi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_in_script, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_reply_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verbose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
