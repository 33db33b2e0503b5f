/*
 * test_ctl.c: ikd's control socket server (ikd/ctl.c) on a private
 * event_base with hand-made SAs: the list and stats answers, the
 * actions and their refusals, request checking, and clients that do
 * not read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "gw_config.h"
#include "alg.h"
#include "fx.h"
#include "ike_wire.h"
#include "pfkey.h"
#include "log.h"

static int
setup(void **state)
{
	*state = fx_new();
	return 0;
}

static int
teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static void
check_answer(struct fx *f, const char *req, const char *want)
{
	char *a = fx_ask(f, req);

	assert_string_equal(a, want);
	free(a);
}

/* Each of want (NULL-terminated) is a whole line of the answer, in this order. */
static void
check_answer_lines(struct fx *f, const char *req, const char **want)
{
	char *a = fx_ask(f, req), *text, *at, *p;
	char line[512];

	/* A newline in front, so that the first line is found like any other. */
	assert_true(asprintf(&text, "\n%s", a) > 0);
	for (at = text; *want != NULL; want++) {
		snprintf(line, sizeof(line), "\n%s\n", *want);
		if ((p = strstr(at, line)) == NULL)
			fail_msg("line \"%s\" not found in order in:\n%s", *want, a);
		at = p + strlen(line) - 1;
	}
	free(text);
	free(a);
}

static void
test_socket_mode(void **state)
{
	struct fx *f = *state;
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void
test_list_empty(void **state)
{
	check_answer(*state, "list", "no IKE SAs\nok\n");
}

/* The example of ctl.c's comment, byte for byte: ikdctl reads this form. */
static void
test_list_one(void **state)
{
	struct fx *f = *state;
	struct ike_sa *sa;
	char want[1024];

	sa = fx_sa(f, "gw-b", "203.0.113.1", "203.0.113.2", true, 0, 0x9c8d7e6f5a4b3c2dull,
	    192 * 1000);
	sa->rekey_ms = f->now + (7 * 60 + 52) * 60 * 1000;
	sa->cfg.child_lifetime.soft_s = 3600;
	fx_child(f, sa, 0xc1234567, 0xc7654321, "10.1.0.0/24", "10.2.0.0/24", 7 * 60 * 1000);
	snprintf(want, sizeof(want),
	    "gw-b 203.0.113.2[500] ESTABLISHED 3m12s, initiator, rekey in 7h52m\n"
	    "  IKE %016llx:9c8d7e6f5a4b3c2d, AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519\n"
	    "  local 203.0.113.1[500]\n"
	    "  child 10.1.0.0/24 === 10.2.0.0/24, reqid 7, installed 7m, rekey in 53m\n"
	    "    esp aes-gcm-16 256\n"
	    "    in  c1234567 203.0.113.2 -> 203.0.113.1\n"
	    "    out c7654321 203.0.113.1 -> 203.0.113.2\n"
	    "1 IKE SA, 1 Child SA\n"
	    "ok\n", (unsigned long long)sa->spi_i);
	check_answer(f, "list", want);
}

/* A responder behind a NAT, with DPD, two Child SAs (a rekey), CBC, ESN and PFS. */
static struct ike_sa *
make_alpha(struct fx *f)
{
	struct ike_sa *sa;
	struct ike_child *c;

	sa = fx_sa(f, "alpha", "198.51.100.7", "192.0.2.9", false, 0x1122334455667788ull, 0,
	    2 * 86400 * 1000 + 3 * 3600 * 1000 + 59 * 1000);
	sa->local.port = sa->remote.port = IKE_NATT_PORT;
	sa->nat_local = true;
	sa->cfg.dpd_delay_s = 30;
	sa->last_rx_ms = f->now - 3000;
	sa->rekey_ms = f->now - 1;	/* due: the tick has not run yet */
	sa->prop.ntrans = 0;
	sa->prop.xf[sa->prop.ntrans++] = (struct ike_xform){ PROP_T_ENCR, IKE_ENCR_AES_CBC, 128 };
	sa->prop.xf[sa->prop.ntrans++] =
	    (struct ike_xform){ PROP_T_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 };
	sa->prop.xf[sa->prop.ntrans++] = (struct ike_xform){ PROP_T_PRF, IKE_PRF_HMAC_SHA2_256, 0 };
	sa->prop.xf[sa->prop.ntrans++] = (struct ike_xform){ PROP_T_KE, IKE_DH_MODP_2048, 0 };
	c = fx_child(f, sa, 0x0000abcd, 0x12345678, "10.9.0.0/16", "0.0.0.0/0", 45 * 1000);
	c->enc_alg = SADB_X_EALG_AESCBC;
	c->enc_bits = 128;
	c->auth_alg = SADB_X_AALG_SHA2_256HMAC;
	c->esn = true;
	c->natt = true;
	c->pfs_group = IKE_DH_CURVE25519;
	c = fx_child(f, sa, 0x0000abce, 0x12345679, "10.9.0.0/16", "0.0.0.0/0", 5 * 1000);
	c->rekey_retry_ms = f->now + 2000;
	c->reqid = 0;	/* a "require" policy has none: not shown */
	return sa;
}

/* An SA still in IKE_SA_INIT: no peer name, no proposal, no Child SA. */
static struct ike_sa *
make_half(struct fx *f)
{
	struct ike_cfg_peer cfg = { 0 };
	struct ike_sa *sa;

	assert_int_equal(addr_parse("2001:db8::1", &cfg.local), 0);
	assert_int_equal(addr_parse("2001:db8::2", &cfg.remote), 0);
	assert_non_null(sa = ike_sa_new(f->t, true, &cfg, &cfg.local, &cfg.remote, 0));
	assert_int_equal(ike_sa_set_state(sa, IKE_S_INIT_SENT), 0);
	sa->created_ms = f->now - 2500;
	return sa;
}

/* Sorted by name, then address; dead SAs left out; every optional part shown. */
static void
test_list_many(void **state)
{
	struct fx *f = *state;
	struct ike_sa *gwb, *alpha, *half, *dead;
	char want[4096];

	gwb = fx_sa(f, "gw-b", "203.0.113.1", "203.0.113.2", true, 0, 0x99, 59 * 1000);
	gwb->retired = true;
	dead = fx_sa(f, "gw-c", "203.0.113.1", "203.0.113.3", true, 0, 0x98, 1000);
	alpha = make_alpha(f);
	half = make_half(f);
	ike_sa_kill(dead, IKE_F_LOCAL);
	snprintf(want, sizeof(want),
	    "2001:db8::2[500] INIT_SENT 2s, initiator\n"
	    "  IKE %016llx:0000000000000000, no proposal chosen yet\n"
	    "  local 2001:db8::1[500]\n"
	    "alpha 192.0.2.9[4500] ESTABLISHED 2d3h, responder, rekey due\n"
	    "  IKE 1122334455667788:%016llx, "
	    "AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048\n"
	    "  local 198.51.100.7[4500], NAT on our side, last heard 3s ago, dpd in 27s\n"
	    "  child 10.9.0.0/16 === 0.0.0.0/0, reqid 7, installed 45s\n"
	    "    esp aes-cbc 128/hmac-sha256, esn, pfs curve25519, udp-encap\n"
	    "    in  0000abcd 192.0.2.9 -> 198.51.100.7\n"
	    "    out 12345678 198.51.100.7 -> 192.0.2.9\n"
	    "  child 10.9.0.0/16 === 0.0.0.0/0, installed 5s, rekey retried in 2s\n"
	    "    esp aes-gcm-16 256\n"
	    "    in  0000abce 192.0.2.9 -> 198.51.100.7\n"
	    "    out 12345679 198.51.100.7 -> 192.0.2.9\n"
	    "gw-b 203.0.113.2[500] ESTABLISHED 59s, initiator, retired by a rekey\n"
	    "  IKE %016llx:0000000000000099, AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519\n"
	    "  local 203.0.113.1[500]\n"
	    "3 IKE SAs, 2 Child SAs\n"
	    "ok\n", (unsigned long long)half->spi_i, (unsigned long long)alpha->spi_r,
	    (unsigned long long)gwb->spi_i);
	check_answer(f, "list", want);
}

/* A name that is the peer's address is not repeated; a longer one is kept. */
static void
test_list_name_is_address(void **state)
{
	struct fx *f = *state;

	fx_sa(f, "203.0.113.2", "203.0.113.1", "203.0.113.2", false, 1, 0, 1000);
	fx_sa(f, "203.0.113.2", "203.0.113.1", "203.0.113.25", false, 2, 0, 2000);
	fx_sa(f, "0123456789012345678901234567890", "203.0.113.1", "203.0.113.3", false, 3, 0,
	    3000);
	check_answer_lines(f, "list", (const char *[]){
	    "0123456789012345678901234567890 203.0.113.3[500] ESTABLISHED 3s, responder",
	    "203.0.113.2[500] ESTABLISHED 1s, responder",
	    "203.0.113.2 203.0.113.25[500] ESTABLISHED 2s, responder", NULL });
}

/* An answer longer than a datagram comes in several, each of whole lines. */
static void
test_list_split(void **state)
{
	struct fx *f = *state;
	struct ike_sa *sa;
	char name[32], *a;
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "peer%03d", i);
		sa = fx_sa(f, name, "203.0.113.1", "203.0.113.2", true, 0, 1, 1000);
		fx_child(f, sa, 0xc0000000u + (uint32_t)i, 0xd0000000u + (uint32_t)i, "10.1.0.0/24",
		    "10.2.0.0/24", 1000);
	}
	a = fx_ask(f, "list");
	assert_true(f->ndgrams > 5);
	assert_true(f->dgram_max <= CTL_MSG_MAX);
	assert_int_equal(strncmp(a, "peer000 203.0.113.2[500] ", 25), 0);
	assert_non_null(strstr(a, "    out d0000063 203.0.113.1 -> 203.0.113.2\n"));
	assert_non_null(strstr(a, "\n100 IKE SAs, 100 Child SAs\nok\n"));
	/* Sorted: peer099 is the last SA although it was made last and listed first. */
	assert_true(strstr(a, "peer098 ") < strstr(a, "peer099 "));
	free(a);
}

static void
test_stats(void **state)
{
	struct fx *f = *state;
	char *a;

	f->t->stats[IKE_ST_RX] = 1234;
	f->t->stats[IKE_ST_COOKIE_SENT] = 5;
	fx_sa(f, "gw-b", "203.0.113.1", "203.0.113.2", true, 0, 1, 1000);
	a = fx_ask(f, "stats");
	assert_non_null(strstr(a, "IKE SAs                              1\n"));
	assert_non_null(strstr(a, "half-open IKE SAs                    0\n"));
	assert_non_null(strstr(a, "\nreceived                             1234\n"));
	assert_non_null(strstr(a, "\ncookies sent                         5\n"));
	assert_non_null(strstr(a, "\nhalf-open SAs expired                0\nok\n"));
	free(a);
}

static void
test_actions(void **state)
{
	struct fx *f = *state;

	check_answer(f, "initiate gw-b", "ok\n");
	assert_string_equal(f->op, "initiate");
	assert_string_equal(f->peer, "gw-b");
	check_answer(f, "terminate\t203.0.113.2\n", "ok\n");
	assert_string_equal(f->op, "terminate");
	assert_string_equal(f->peer, "203.0.113.2");
	check_answer(f, "  reload  ", "ok\n");
	assert_string_equal(f->op, "reload");
	assert_int_equal(f->nops, 3);
}

/* The daemon's reason goes out on one printable line. */
static void
test_action_fails(void **state)
{
	struct fx *f = *state;

	f->fail = "no peer named 'x'";
	check_answer(f, "initiate x", "error: no peer named 'x'\n");
	f->fail = "ikd.conf:3:1: bad\nline";
	check_answer(f, "reload", "error: ikd.conf:3:1: bad?line\n");
	f->fail = "";
	check_answer(f, "terminate gw-b", "error: terminate failed\n");
	assert_int_equal(f->nops, 3);
}

static void
test_bad_requests(void **state)
{
	struct fx *f = *state;

	check_answer(f, "lsit", "error: unknown command 'lsit' (list, stats, initiate PEER, "
	    "terminate PEER, reload)\n");
	check_answer(f, "list all", "error: list takes no argument\n");
	check_answer(f, "reload now", "error: reload takes no argument\n");
	check_answer(f, "initiate", "error: initiate takes one argument, the peer\n");
	check_answer(f, "terminate a b", "error: too many words in the request\n");
	check_answer(f, " \t ", "error: empty request\n");
	check_answer(f, "\n", "error: empty request\n");
	check_answer(f, "list\n\n", "error: request holds a control character or a non-ASCII "
	    "byte\n");
	check_answer(f, "initiate gw\x1b[2J", "error: request holds a control character or a "
	    "non-ASCII byte\n");
	check_answer(f, "initiate gw-\xc3\xa9", "error: request holds a control character or a "
	    "non-ASCII byte\n");
	assert_int_equal(f->nops, 0);
}

static void
test_nul_and_long_words(void **state)
{
	struct fx *f = *state;
	char req[300], *a;
	int fd = fx_connect(f);

	a = fx_ask_fd(f, fd, "list\0x", 6);
	assert_string_equal(a, "error: request holds a control character or a non-ASCII byte\n");
	free(a);
	memset(req, 'a', sizeof(req));
	memcpy(req, "initiate ", 9);
	a = fx_ask_fd(f, fd, req, 9 + 256);
	assert_string_equal(a, "error: a word of the request is longer than 255 bytes\n");
	free(a);
	a = fx_ask_fd(f, fd, req, 9 + 255);
	assert_string_equal(a, "ok\n");
	assert_int_equal(strlen(f->peer), 255);
	free(a);
	close(fd);
	fx_spin(f, 4);
}

/* Refused and answered; the connection stays usable. */
static void
test_overlong_request(void **state)
{
	struct fx *f = *state;
	static char big[CTL_MSG_MAX + 100];
	char *a;
	int fd = fx_connect(f);

	memset(big, ' ', sizeof(big));
	memcpy(big, "list", 4);
	a = fx_ask_fd(f, fd, big, CTL_MSG_MAX);
	assert_string_equal(a, "no IKE SAs\nok\n");
	free(a);
	a = fx_ask_fd(f, fd, big, CTL_MSG_MAX + 1);
	assert_string_equal(a, "error: request longer than 4096 bytes\n");
	free(a);
	a = fx_ask_fd(f, fd, big, sizeof(big));
	assert_string_equal(a, "error: request longer than 4096 bytes\n");
	free(a);
	a = fx_ask_fd(f, fd, "stats", 5);
	assert_non_null(strstr(a, "\nok\n"));
	free(a);
	close(fd);
	fx_spin(f, 4);
}

static void
test_permission_rule(void **state)
{
	assert_true(ctl_may_change(0, 0));
	assert_true(ctl_may_change(0, 999));
	assert_true(ctl_may_change(999, 999));
	assert_false(ctl_may_change(1000, 999));
	assert_false(ctl_may_change(1000, 0));
	assert_false(ctl_may_change((uid_t)-1, 0));
}

/* Requests sent back to back on one connection are answered in order. */
static void
test_pipelined(void **state)
{
	struct fx *f = *state;
	char buf[CTL_MSG_MAX], all[256] = "";
	int fd = fx_connect(f), ends = 0, i;
	ssize_t n;

	assert_int_equal(send(fd, "reload", 6, 0), 6);
	assert_int_equal(send(fd, "bogus", 5, 0), 5);
	assert_int_equal(send(fd, "list", 4, 0), 4);
	for (i = 0; i < 20000 && ends < 3; i++) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) >= 0) {
			if (n == 0) {
				ends++;
				strcat(all, "|");
				continue;
			}
			buf[n] = '\0';
			assert_true(strlen(all) + (size_t)n < sizeof(all) - 2);
			strcat(all, buf);
		}
	}
	assert_string_equal(all, "ok\n|error: unknown command 'bogus' (list, stats, initiate "
	    "PEER, terminate PEER, reload)\n|no IKE SAs\nok\n|");
	close(fd);
	fx_spin(f, 4);
}

/*
 * A client that asks and asks without reading: answers pile up until
 * the queue passes its limit, then the client is dropped, while the loop
 * never blocks and another client is served as usual.
 */
static void
test_slow_client_dropped(void **state)
{
	struct fx *f = *state;
	struct ike_sa *sa;
	char name[32], *a;
	const char *log;
	size_t got = 0, one;
	int fd, i, sent = 0;
	static char buf[CTL_MSG_MAX];
	ssize_t n;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "peer%03d", i);
		sa = fx_sa(f, name, "203.0.113.1", "203.0.113.2", true, 0, 1, 1000);
		fx_child(f, sa, 0xc0000000u + (uint32_t)i, 1, "10.1.0.0/24", "10.2.0.0/24", 1000);
	}
	a = fx_ask(f, "list");
	one = strlen(a);
	free(a);
	fd = fx_connect(f);
	fx_log_begin();
	for (i = 0; i < 200; i++) {
		if (send(fd, "list", 4, MSG_DONTWAIT | MSG_NOSIGNAL) != 4)
			break;
		sent++;
		fx_spin(f, 2);
	}
	log = fx_log_end();
	/* The connection is gone: the send that failed said so. */
	assert_true(i < 200);
	assert_true(errno == EPIPE || errno == ECONNRESET);
	assert_non_null(strstr(log, "dropped: over 1048576 bytes of answers unread"));
	assert_true(sent > 1 && (size_t)sent * one > 1024 * 1024);
	/* What was written before the drop can still be read, then only the end. */
	for (i = 0; i < 100000 && (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0; i++)
		got += (size_t)n;
	assert_int_equal(i, 100000);
	assert_true(got > 0 && got < (size_t)sent * one);
	close(fd);
	a = fx_ask(f, "stats");
	assert_non_null(strstr(a, "\nok\n"));
	free(a);
}

/* A large answer to a client that reads slowly arrives whole. */
static void
test_slow_reader_served(void **state)
{
	struct fx *f = *state;
	struct ike_sa *sa;
	char name[32], *a;
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "p%04d", i);
		sa = fx_sa(f, name, "203.0.113.1", "203.0.113.2", true, 0, 1, 1000);
		fx_child(f, sa, 0xc0000000u + (uint32_t)i, 1, "10.1.0.0/24", "10.2.0.0/24", 1000);
	}
	a = fx_ask(f, "list");
	assert_true(strlen(a) > 512 * 1024);
	assert_non_null(strstr(a, "\n2000 IKE SAs, 2000 Child SAs\nok\n"));
	free(a);
}

/* Connections beyond the limit are closed at once; the others go on. */
static void
test_too_many_clients(void **state)
{
	struct fx *f = *state;
	int fd[33], i;
	char buf[16], *a;
	const char *log;

	/* Accepted as they come: connect() waits while the backlog is full. */
	for (i = 0; i < 32; i++) {
		fd[i] = fx_connect(f);
		fx_spin(f, 2);
	}
	fx_log_begin();
	fd[32] = fx_connect(f);
	fx_spin(f, 4);
	log = fx_log_end();
	assert_non_null(strstr(log, "refused: 32 clients connected"));
	assert_int_equal(recv(fd[32], buf, sizeof(buf), MSG_DONTWAIT), 0);
	a = fx_ask_fd(f, fd[31], "list", 4);
	assert_string_equal(a, "no IKE SAs\nok\n");
	free(a);
	close(fd[32]);
	close(fd[0]);
	fx_spin(f, 4);
	check_answer(f, "list", "no IKE SAs\nok\n");
	/* The rest are still connected when the server closes. */
	ctl_close(f->ctl);
	f->ctl = NULL;
	assert_int_equal(recv(fd[5], buf, sizeof(buf), MSG_DONTWAIT), 0);
	for (i = 1; i < 32; i++)
		close(fd[i]);
}

static void
test_path(void **state)
{
	unsetenv(CTL_ENV);
	assert_string_equal(ctl_path(NULL), "/run/ikd/control");
	assert_string_equal(ctl_path(""), "/run/ikd/control");
	setenv(CTL_ENV, "/tmp/x/control", 1);
	assert_string_equal(ctl_path(NULL), "/tmp/x/control");
	assert_string_equal(ctl_path("/a/b"), "/a/b");
	setenv(CTL_ENV, "", 1);
	assert_string_equal(ctl_path(NULL), "/run/ikd/control");
	unsetenv(CTL_ENV);
}

static int
op_fail(void *ctx, const char *peer, char *err, size_t errlen)
{
	return -1;
}

static int
reload_fail(void *ctx, char *err, size_t errlen)
{
	return -1;
}

static const struct ike_sa_table *
no_table(void *ctx)
{
	return NULL;
}

static void
test_open_fails(void **state)
{
	struct event_base *base = event_base_new();
	struct ctl_ops ops = { .initiate = op_fail, .terminate = op_fail, .reload = reload_fail,
	    .table = no_table };
	struct ctl_ops partial = ops;
	char path[200];
	const char *log;

	assert_non_null(base);
	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	fx_log_begin();
	assert_null(ctl_open(base, path, &ops));
	partial.table = NULL;
	assert_null(ctl_open(base, "/tmp/ikdctl-none/control", &partial));
	assert_null(ctl_open(base, "/proc/ikdctl-test/control", &ops));
	log = fx_log_end();
	assert_non_null(strstr(log, "socket path too long"));
	assert_non_null(strstr(log, "incomplete operations"));
	event_base_free(base);
	ctl_close(NULL);
}

/* Before the daemon has a table, reads say so instead of crashing. */
static void
test_no_table(void **state)
{
	struct ctl_ops ops = { .initiate = op_fail, .terminate = op_fail, .reload = reload_fail,
	    .table = no_table };
	struct fx *f = *state;
	struct ctl *c;
	char *a;

	/* Borrow f's directory and client for a second server. */
	ctl_close(f->ctl);
	assert_non_null(c = ctl_open(f->base, f->path, &ops));
	f->ctl = c;
	check_answer(f, "list", "error: no SA table yet\n");
	check_answer(f, "stats", "error: no SA table yet\n");
	a = fx_ask(f, "initiate gw-b");
	assert_string_equal(a, "error: initiate failed\n");
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_name_is_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_and_long_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_request, setup, teardown),
		cmocka_unit_test(test_permission_rule),
		cmocka_unit_test_setup_teardown(test_pipelined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_client_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_served, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test_setup_teardown(test_no_table, setup, teardown),
	};

	log_init(true, 0, "test_ctl");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
