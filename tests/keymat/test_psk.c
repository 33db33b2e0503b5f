/*
 * test_psk.c: ikd/psk.c. racoon's psk.txt line rules (specs/kame.md 5.2),
 * the secrecy check (5.3) with its messages, and that no diagnostic
 * carries key material.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "psk.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	int n = snprintf(dir, sizeof(dir), "/tmp/test_psk.");

	/* mkdtemp() wants the name to end in six 'X', which it replaces. */
	memset(dir + n, 'X', 6);
	dir[n + 6] = '\0';
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/psk.txt", dir);
	return 0;
}

static int
teardown(void **state)
{
	char p[160];

	unlink(path);
	snprintf(p, sizeof(p), "%s/link", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", dir);
	rmdir(p);
	return rmdir(dir);
}

/* Writes len bytes of text to path with mode (and owner uid when >= 0). */
static void
put_file(const char *text, size_t len, mode_t mode, long uid)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	if (uid >= 0)
		assert_int_equal(fchown(fd, (uid_t)uid, (gid_t)-1), 0);
	close(fd);
}

static struct psk_table *
load_text(const char *text, struct psk_report *rep)
{
	put_file(text, strlen(text), 0600, -1);
	return psk_load(path, rep);
}

/* Fails unless id maps to exactly the len bytes of want. */
static void
expect_key(const struct psk_table *t, const char *id, const void *want, size_t len)
{
	struct view k;

	if (psk_lookup(t, id, strlen(id), &k) != 0)
		fail_msg("no key for %s", id);
	assert_int_equal(k.len, len);
	assert_memory_equal(k.p, want, len);
}

static void
expect_none(const struct psk_table *t, const char *id)
{
	struct view k;

	assert_int_equal(psk_lookup(t, id, strlen(id), &k), -1);
}

static void
test_racoon_sample(void **state)
{
	static const uint8_t hex[] = { 0x12, 0x34, 0x56, 0x78 };
	struct psk_report rep;
	struct psk_table *t;

	t = load_text("# IPv4/v6 addresses\n"
	    "10.160.94.3\tmekmitasdigoat\n"
	    "172.16.1.133\t0x12345678\n"
	    "3ffe:501:410:ffff:200:86ff:fe05:80fa\tmekmitasdigoat\n"
	    "# USER_FQDN\n"
	    "foo@kame.net\tmekmitasdigoat\n"
	    "# FQDN\n"
	    "foo.kame.net\thoge\n", &rep);
	assert_non_null(t);
	assert_int_equal(rep.errors, 0);
	assert_int_equal(rep.warnings, 0);
	assert_int_equal(psk_count(t), 5);
	expect_key(t, "10.160.94.3", "mekmitasdigoat", 14);
	expect_key(t, "172.16.1.133", hex, sizeof(hex));
	expect_key(t, "3ffe:501:410:ffff:200:86ff:fe05:80fa", "mekmitasdigoat", 14);
	expect_key(t, "foo@kame.net", "mekmitasdigoat", 14);
	expect_key(t, "foo.kame.net", "hoge", 4);
	/* Exact, case-sensitive, whole-identifier matches only. */
	expect_none(t, "FOO.kame.net");
	expect_none(t, "foo.kame.ne");
	expect_none(t, "foo.kame.net.");
	expect_none(t, "10.160.94.31");
	expect_none(t, "");
	expect_none(t, "# IPv4/v6");
	psk_free(t);
}

static void
test_lookup_by_address(void **state)
{
	struct psk_report rep;
	struct psk_table *t;
	struct gw_addr a;
	struct view k;

	t = load_text("192.0.2.1 v4key\n2001:db8::1 v6key\n", &rep);
	assert_non_null(t);
	assert_int_equal(addr_parse("2001:0db8:0:0::1", &a), 0);
	assert_int_equal(psk_lookup_addr(t, &a, &k), 0);
	assert_int_equal(k.len, 5);
	assert_memory_equal(k.p, "v6key", 5);
	assert_int_equal(addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(psk_lookup_addr(t, &a, &k), 0);
	assert_memory_equal(k.p, "v4key", 5);
	assert_int_equal(addr_parse("192.0.2.2", &a), 0);
	assert_int_equal(psk_lookup_addr(t, &a, &k), -1);
	memset(&a, 0, sizeof(a));
	assert_int_equal(psk_lookup_addr(t, &a, &k), -1);
	psk_free(t);
}

/* The key is the rest of the line: inner and trailing blanks, '\r', '#'. */
static void
test_text_key_rules(void **state)
{
	struct psk_report rep;
	struct psk_table *t;

	t = load_text("a.example \t two  words here\n"
	    "b.example\tends in space \n"
	    "c.example\tcrlf\r\n"
	    "d.example\tnot # a comment\n"
	    "e.example\t0X1234\n"
	    "f.example\t 0xab cd\n"
	    "g.example\tlast line without newline", &rep);
	assert_non_null(t);
	expect_key(t, "a.example", "two  words here", 15);
	expect_key(t, "b.example", "ends in space ", 14);
	expect_key(t, "c.example", "crlf\r", 5);
	expect_key(t, "d.example", "not # a comment", 15);
	expect_key(t, "e.example", "0X1234", 6);	/* only lower-case 0x is hex */
	expect_key(t, "f.example", "\xab\xcd", 2);
	expect_key(t, "g.example", "last line without newline", 25);
	/* Kept as racoon does, but each trailing blank draws a warning. */
	assert_int_equal(rep.warnings, 2);
	psk_free(t);
}

static void
test_trailing_blank_warnings(void **state)
{
	char want[256];
	struct psk_report rep;
	struct psk_table *t;

	t = load_text("host.example\tsecret\t\n", &rep);
	assert_non_null(t);
	assert_int_equal(rep.warnings, 1);
	snprintf(want, sizeof(want), "%s:1: text key for host.example ends with whitespace; "
	    "it is part of the key, as in racoon", path);
	assert_string_equal(rep.first_warning, want);
	assert_null(strstr(rep.first_warning, "secret"));
	psk_free(t);
	t = load_text("# header\nhost.example\tsecret\r\n", &rep);
	assert_non_null(t);
	snprintf(want, sizeof(want), "%s:2: text key for host.example ends with a carriage "
	    "return (CRLF line ends?); it is part of the key, as in racoon", path);
	assert_string_equal(rep.first_warning, want);
	psk_free(t);
}

static void
test_hex_keys(void **state)
{
	static const uint8_t want[] = { 0x00, 0x11, 0x22, 0x33, 0xaa, 0xbb, 0xcc, 0xdd };
	struct psk_report rep;
	struct psk_table *t;

	t = load_text("h1 0x0011 2233\taAbB CcdD\r\n"
	    "h2 0x00112233aabbccdd\n", &rep);
	assert_non_null(t);
	assert_int_equal(rep.warnings, 0);
	expect_key(t, "h1", want, sizeof(want));
	expect_key(t, "h2", want, sizeof(want));
	psk_free(t);
}

static void
expect_error(const char *text, unsigned line, const char *msg)
{
	char want[256];
	struct psk_report rep;

	assert_null(load_text(text, &rep));
	assert_true(rep.errors >= 1);
	snprintf(want, sizeof(want), "%s:%u: %s", path, line, msg);
	assert_string_equal(rep.first_error, want);
}

static void
test_bad_hex(void **state)
{
	expect_error("# keys\nok.example secret\nbad.example 0x123\n", 3,
	    "invalid hex key (odd number of digits)");
	expect_error("bad.example 0x12 3\n", 1, "invalid hex key (odd number of digits)");
	expect_error("bad.example 0x\n", 1, "invalid hex key (no digits after 0x)");
	expect_error("bad.example   0x12zz34\n", 1,
	    "invalid hex key (column 19 is not a hex digit)");
	expect_error("bad.example 0x12-34\n", 1, "invalid hex key (column 17 is not a hex digit)");
}

/* Every error is counted and the load fails as a whole. */
static void
test_errors_counted(void **state)
{
	struct psk_report rep;
	struct psk_table *t;
	char line[1100];

	/* The longest line racoon reads whole is fine, one byte more is not. */
	memset(line, 'k', sizeof(line));
	memcpy(line, "long.example ", 13);
	put_file(line, PSK_LINE_MAX, 0600, -1);
	assert_non_null(t = psk_load(path, &rep));
	expect_key(t, "long.example", line + 13, PSK_LINE_MAX - 13);
	psk_free(t);
	line[PSK_LINE_MAX + 1] = '\n';
	put_file(line, PSK_LINE_MAX + 2, 0600, -1);
	assert_null(psk_load(path, &rep));
	assert_int_equal(rep.errors, 1);
	put_file("a 0x1\nb ok\nc 0xg0\nd nul\0byte\n", 29, 0600, -1);
	assert_null(psk_load(path, &rep));
	assert_int_equal(rep.errors, 3);
	assert_non_null(strstr(rep.first_error, ":1: invalid hex key"));
}

static void
test_overlong_line_message(void **state)
{
	char line[1100], want[256];
	struct psk_report rep;

	memset(line, 'k', sizeof(line));
	memcpy(line, "long.example ", 13);
	line[1099] = '\n';
	put_file(line, sizeof(line), 0600, -1);
	assert_null(psk_load(path, &rep));
	snprintf(want, sizeof(want), "%s:1: line is too long (1099 bytes, at most %d)", path,
	    PSK_LINE_MAX);
	assert_string_equal(rep.first_error, want);
}

static void
test_first_match_wins(void **state)
{
	char want[256];
	struct psk_report rep;
	struct psk_table *t;

	t = load_text("peer.example first\npeer.example second\n", &rep);
	assert_non_null(t);
	expect_key(t, "peer.example", "first", 5);
	assert_int_equal(psk_count(t), 1);
	assert_int_equal(rep.warnings, 1);
	snprintf(want, sizeof(want), "%s:2: identifier peer.example repeats line 1; this line "
	    "is never used", path);
	assert_string_equal(rep.first_warning, want);
	psk_free(t);
}

/* Lines without a key are skipped (with a warning), as racoon skips them. */
static void
test_missing_key_skipped(void **state)
{
	char want[256];
	struct psk_report rep;
	struct psk_table *t;

	t = load_text("lonely.example\nspaces.example   \t \ncrlf.example\r\n\n   \n"
	    "  indented.example key\nreal.example key\n", &rep);
	assert_non_null(t);
	assert_int_equal(psk_count(t), 1);
	expect_none(t, "lonely.example");
	expect_none(t, "spaces.example");
	expect_none(t, "crlf.example");
	expect_none(t, "indented.example");
	expect_key(t, "real.example", "key", 3);
	assert_int_equal(rep.warnings, 4);
	snprintf(want, sizeof(want), "%s:1: no key after identifier lonely.example; line "
	    "ignored", path);
	assert_string_equal(rep.first_warning, want);
	psk_free(t);
}

static void
test_empty_file(void **state)
{
	struct psk_report rep;
	struct psk_table *t;

	t = load_text("", &rep);
	assert_non_null(t);
	assert_int_equal(psk_count(t), 0);
	expect_none(t, "x");
	psk_free(t);
	psk_free(NULL);
}

/* Loads path as it is and expects the one error msg (path prefixed). */
static void
expect_refused(const char *p, const char *msg)
{
	char want[1024];
	struct psk_report rep;
	int n;

	assert_null(psk_load(p, &rep));
	n = snprintf(want, sizeof(want), "%s: %s", p, msg);
	assert_true(n > 0 && (size_t)n < sizeof(want));
	assert_string_equal(rep.first_error, want);
}

static void
expect_mode(mode_t mode, const char *why)
{
	char msg[400];

	put_file("h k\n", 4, mode, -1);
	snprintf(msg, sizeof(msg), "mode %04o is too open: %s (want 0600 or stricter; "
	    "chmod 600 %s)", (unsigned)mode, why, path);
	expect_refused(path, msg);
}

static void
test_modes(void **state)
{
	struct psk_report rep;
	struct psk_table *t;

	put_file("h k\n", 4, 0600, -1);
	assert_non_null(t = psk_load(path, &rep));
	psk_free(t);
	put_file("h k\n", 4, 0400, -1);
	assert_non_null(t = psk_load(path, &rep));
	psk_free(t);
	expect_mode(0640, "group can read");
	expect_mode(0604, "others can read");
	expect_mode(0644, "group can read, others can read");
	expect_mode(0620, "group can write");
	expect_mode(0610, "group can execute");
	expect_mode(0602, "others can write");
	expect_mode(0677, "group can read, group can write, group can execute, "
	    "others can read, others can write, others can execute");
}

static void
test_wrong_owner(void **state)
{
	char msg[128];

	if (geteuid() != 0)
		skip();
	put_file("h k\n", 4, 0600, 65534);
	snprintf(msg, sizeof(msg), "is owned by uid 65534, not 0");
	expect_refused(path, msg);
}

/* The rule itself, for any running user. */
static void
test_secrecy_rule(void **state)
{
	struct psk_report rep;
	struct stat st;

	memset(&rep, 0, sizeof(rep));
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0600;
	st.st_uid = 0;
	assert_int_equal(psk_check_secrecy("/etc/ikd/psk.txt", &st, 0, &rep), 0);
	assert_int_equal(rep.errors, 0);
	st.st_uid = 1000;
	st.st_mode = S_IFREG | 0644;
	assert_int_equal(psk_check_secrecy("/etc/ikd/psk.txt", &st, 0, &rep), -1);
	assert_int_equal(rep.errors, 2);
	assert_string_equal(rep.first_error, "/etc/ikd/psk.txt: is owned by uid 1000, not 0");
	memset(&rep, 0, sizeof(rep));
	st.st_uid = 0;
	assert_int_equal(psk_check_secrecy("/etc/ikd/psk.txt", &st, 0, &rep), -1);
	assert_string_equal(rep.first_error, "/etc/ikd/psk.txt: mode 0644 is too open: "
	    "group can read, others can read (want 0600 or stricter; chmod 600 "
	    "/etc/ikd/psk.txt)");
}

static void
test_not_regular(void **state)
{
	struct psk_report rep;
	struct psk_table *t;
	char p[160];

	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	expect_refused(p, "is a directory, not a regular file");
	/* A FIFO must be refused without blocking in open() or read(). */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	expect_refused(p, "is a FIFO, not a regular file");
	/* A symlink to a good regular file is fine; to a loose one, not. */
	put_file("h k\n", 4, 0600, -1);
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink(path, p), 0);
	assert_non_null(t = psk_load(p, &rep));
	expect_key(t, "h", "k", 1);
	psk_free(t);
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(psk_load(p, &rep));
	assert_non_null(strstr(rep.first_error, "mode 0640 is too open"));
}

static void
test_missing_file(void **state)
{
	char msg[128];

	unlink(path);
	snprintf(msg, sizeof(msg), "cannot open: %s", strerror(ENOENT));
	expect_refused(path, msg);
}

/* No diagnostic repeats a key, even when the key is what is wrong. */
static void
test_no_key_in_messages(void **state)
{
	struct psk_report rep;
	struct psk_table *t;

	assert_null(load_text("a.example 0xdeadbeefcafe1\nb.example 0xfeedfacezz\n", &rep));
	assert_int_equal(rep.errors, 2);
	assert_null(strstr(rep.first_error, "deadbeef"));
	t = load_text("c.example topsecretvalue \nc.example othersecret\nd.example\n", &rep);
	assert_non_null(t);
	assert_int_equal(rep.warnings, 3);
	assert_null(strstr(rep.first_warning, "topsecret"));
	psk_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_racoon_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_by_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_key_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailing_blank_warnings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hex_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_hex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_line_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_match_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_key_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_owner, setup, teardown),
		cmocka_unit_test(test_secrecy_rule),
		cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_key_in_messages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
