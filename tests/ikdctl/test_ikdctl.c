/*
 * test_ikdctl.c: the ikdctl program (its path is argv[1]) against a
 * child process serving ikd's control socket (ikd/ctl.c with fx.h's
 * SAs), a fake tunneld answering SADB_DUMP with counters, and a fake ikd
 * that answers wrongly. Checks output and exit status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "gw_config.h"
#include "ctlsock.h"
#include "fx.h"
#include "gwstats.h"
#include "log.h"
#include "pfkey.h"

static const char *ikdctl;

struct env {
	struct fx	*f;
	pid_t		 server;
	char		 tunneld[160];	/* fake tunneld's socket */
	char		 tunneld_eperm[160];	/* one that refuses the dump */
	char		 tunneld_empty[160];	/* one without SAs */
	char		 raw[160];	/* fake ikd's socket */
	char		 out[160];	/* ikdctl's stdout and stderr go here */
	char		 err[160];
	char		 head[1024];	/* what list says first */
};

static struct env env;

/*
 * The child process.
 */

struct dump_entry {
	uint32_t	 spi;
	const char	*src;
	const char	*dst;
	int		 in;	/* 1: counters in, 0: out, -1: no PFK_EXT_STATS */
	uint64_t	 bytes;
	uint64_t	 packets;
};

static const struct dump_entry dump[] = {
	{ 0xc1234567, "203.0.113.2", "203.0.113.1", 1, 1234, 12 },
	/* Same SPI towards another host: must not be taken for ours. */
	{ 0xc1234567, "203.0.113.1", "198.51.100.99", 1, 999, 9 },
	{ 0xc7654321, "203.0.113.1", "203.0.113.2", 0, 5678, 14 },
	{ 0xc0ffee00, "203.0.113.1", "203.0.113.2", -1, 4242, 0 },
};

static void
dump_entry_msg(struct pfk_msg *m, const struct dump_entry *e, uint32_t pid, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	m->type = SADB_DUMP;
	m->satype = SADB_SATYPE_ESP;
	m->seq = seq;
	m->pid = pid;
	m->sa.spi = e->spi;
	m->sa.state = SADB_SASTATE_MATURE;
	m->src.proto = m->dst.proto = 255;
	addr_parse(e->src, &m->src.addr);
	addr_parse(e->dst, &m->dst.addr);
	m->lt_current.bytes = e->bytes;
	pfk_set(m, SADB_EXT_SA);
	pfk_set(m, SADB_EXT_ADDRESS_SRC);
	pfk_set(m, SADB_EXT_ADDRESS_DST);
	pfk_set(m, SADB_EXT_LIFETIME_CURRENT);
	if (e->in < 0)
		return;
	m->stats.n = GWSTAT_SA_MAX;
	m->stats.v[e->in ? GWSTAT_BYTES_IN : GWSTAT_BYTES_OUT] = e->bytes;
	m->stats.v[e->in ? GWSTAT_PACKETS_IN : GWSTAT_PACKETS_OUT] = e->packets;
	pfk_set(m, PFK_EXT_STATS);
}

static void
send_msg(int fd, const struct pfk_msg *m)
{
	static uint8_t buf[PFK_MSG_MAX];
	struct wr w = wr_init(buf, sizeof(buf));

	if (pfk_encode(m, &w) != 0 || send(fd, buf, w.off, MSG_NOSIGNAL) == -1)
		_exit(3);
}

/*
 * tunneld's side of one SADB_DUMP, after a broadcast it must skip; arg
 * is 0 for the dump above, or the errno of a refusal.
 */
static void
tunneld_cb(evutil_socket_t lfd, short ev, void *arg)
{
	static uint8_t buf[PFK_MSG_MAX];
	struct pfk_msg m, req;
	ssize_t n;
	size_t i, k = sizeof(dump) / sizeof(dump[0]);
	int fd, refuse = (int)(intptr_t)arg;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n > 0 && pfk_decode(buf, (size_t)n, &req) == 0 && req.type == SADB_DUMP) {
		dump_entry_msg(&m, &dump[0], 4242, 0);
		m.type = SADB_EXPIRE;
		send_msg(fd, &m);
		if (refuse != 0) {
			memset(&m, 0, sizeof(m));
			m.type = SADB_DUMP;
			m.errnum = (uint8_t)refuse;
			m.pid = req.pid;
			send_msg(fd, &m);
			k = 0;
		}
		for (i = 0; i < k; i++) {
			dump_entry_msg(&m, &dump[i], req.pid, (uint32_t)(k - 1 - i));
			send_msg(fd, &m);
		}
	}
	close(fd);
}

/* A broken ikd: answers chosen by the request's peer. */
static void
raw_cb(evutil_socket_t lfd, short ev, void *arg)
{
	char buf[CTL_MSG_MAX + 1];
	ssize_t n;
	int fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	if (strcmp(buf, "initiate no-ok") == 0) {
		send(fd, "something\nelse\n", 15, MSG_NOSIGNAL);
		send(fd, "", 0, MSG_NOSIGNAL);
	} else if (strcmp(buf, "initiate no-newline") == 0) {
		send(fd, "ok", 2, MSG_NOSIGNAL);
		send(fd, "", 0, MSG_NOSIGNAL);
	} else if (strcmp(buf, "initiate escape") == 0) {
		send(fd, "line\x1b[2J\nerror: bad\x07peer\n", 25, MSG_NOSIGNAL);
		send(fd, "", 0, MSG_NOSIGNAL);
	}
	close(fd);
}

static void
listen_on(struct event_base *base, const char *path, event_callback_fn cb, int arg)
{
	struct event *ev;
	int fd = ctlsock_listen(path);

	if (fd == -1 ||
	    (ev = event_new(base, fd, EV_READ | EV_PERSIST, cb, (void *)(intptr_t)arg)) == NULL ||
	    event_add(ev, NULL) == -1)
		_exit(3);
}

static void
serve(struct fx *f, int ready)
{
	if (event_reinit(f->base) == -1)
		_exit(3);
	listen_on(f->base, env.tunneld, tunneld_cb, 0);
	listen_on(f->base, env.tunneld_eperm, tunneld_cb, EPERM);
	listen_on(f->base, env.tunneld_empty, tunneld_cb, ENOENT);
	listen_on(f->base, env.raw, raw_cb, 0);
	if (write(ready, "r", 1) != 1)
		_exit(3);
	close(ready);
	event_base_dispatch(f->base);
	_exit(0);
}

static void
make_sas(struct fx *f)
{
	struct ike_sa *sa;

	sa = fx_sa(f, "gw-b", "203.0.113.1", "203.0.113.2", true, 0, 0x9c8d7e6f5a4b3c2dull,
	    192 * 1000);
	sa->rekey_ms = f->now + (7 * 60 + 52) * 60 * 1000;
	sa->cfg.child_lifetime.soft_s = 3600;
	fx_child(f, sa, 0xc1234567, 0xc7654321, "10.1.0.0/24", "10.2.0.0/24", 7 * 60 * 1000);
	fx_child(f, sa, 0xc0ffee01, 0xc0ffee00, "10.1.0.0/24", "10.2.0.0/24", 60 * 1000);
	f->bad_peer = "nobody";
	snprintf(env.head, sizeof(env.head),
	    "gw-b 203.0.113.2[500] ESTABLISHED 3m12s, initiator, rekey in 7h52m\n"
	    "  IKE %016llx:9c8d7e6f5a4b3c2d, AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519\n"
	    "  local 203.0.113.1[500]\n"
	    "  child 10.1.0.0/24 === 10.2.0.0/24, reqid 7, installed 7m, rekey in 53m\n"
	    "    esp aes-gcm-16 256\n", (unsigned long long)sa->spi_i);
}

static int
group_setup(void **state)
{
	int p[2];
	char c;

	env.f = fx_new();
	make_sas(env.f);
	snprintf(env.tunneld, sizeof(env.tunneld), "%s/tunneld/pfkey", env.f->dir);
	snprintf(env.tunneld_eperm, sizeof(env.tunneld_eperm), "%s/tunneld/eperm", env.f->dir);
	snprintf(env.tunneld_empty, sizeof(env.tunneld_empty), "%s/tunneld/empty", env.f->dir);
	snprintf(env.raw, sizeof(env.raw), "%s/raw/control", env.f->dir);
	snprintf(env.out, sizeof(env.out), "%s/out", env.f->dir);
	snprintf(env.err, sizeof(env.err), "%s/err", env.f->dir);
	assert_int_equal(pipe(p), 0);
	assert_true((env.server = fork()) >= 0);
	if (env.server == 0) {
		close(p[0]);
		serve(env.f, p[1]);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	unsetenv(CTL_ENV);
	unsetenv(CTLSOCK_ENV);
	return 0;
}

static int
group_teardown(void **state)
{
	char d[200];
	int st;

	kill(env.server, SIGTERM);
	waitpid(env.server, &st, 0);
	unlink(env.tunneld);
	unlink(env.tunneld_eperm);
	unlink(env.tunneld_empty);
	unlink(env.raw);
	unlink(env.out);
	unlink(env.err);
	snprintf(d, sizeof(d), "%s/tunneld", env.f->dir);
	rmdir(d);
	snprintf(d, sizeof(d), "%s/raw", env.f->dir);
	rmdir(d);
	/* The child's sockets are gone with it; the SAs were the parent's copy. */
	fx_free(env.f);
	return 0;
}

/*
 * Running ikdctl.
 */

static char *
slurp(const char *path)
{
	static char buf[2][16384];
	static int k;
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	k ^= 1;
	n = fread(buf[k], 1, sizeof(buf[k]) - 1, fp);
	buf[k][n] = '\0';
	fclose(fp);
	return buf[k];
}

/* Runs ikdctl with args (NULL-terminated); its exit status. */
static int
run(const char **out, const char **err, ...)
{
	const char *argv[16] = { ikdctl };
	va_list ap;
	size_t n = 1;
	pid_t pid;
	int st;

	va_start(ap, err);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		int o = open(env.out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(env.err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (o == -1 || e == -1 || dup2(o, 1) == -1 || dup2(e, 2) == -1)
			_exit(99);
		execv(ikdctl, (char *const *)(uintptr_t)argv);
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	*out = slurp(env.out);
	*err = slurp(env.err);
	return WEXITSTATUS(st);
}

static const char list_mid[] =
    "  child 10.1.0.0/24 === 10.2.0.0/24, reqid 7, installed 1m, rekey in 59m\n"
    "    esp aes-gcm-16 256\n";

static void
test_list_counters(void **state)
{
	const char *out, *err;
	char want[2048];

	snprintf(want, sizeof(want), "%s%s%s%s%s%s%s", env.head,
	    "    in  c1234567 203.0.113.2 -> 203.0.113.1, 1234 bytes, 12 packets\n",
	    "    out c7654321 203.0.113.1 -> 203.0.113.2, 5678 bytes, 14 packets\n",
	    list_mid,
	    "    in  c0ffee01 203.0.113.2 -> 203.0.113.1, not in tunneld\n",
	    "    out c0ffee00 203.0.113.1 -> 203.0.113.2, 4242 bytes\n",
	    "1 IKE SA, 2 Child SAs\n");
	assert_int_equal(run(&out, &err, "-C", env.f->path, "-S", env.tunneld, "list", NULL), 0);
	assert_string_equal(err, "");
	assert_string_equal(out, want);
}

/* The same through $IKD_CONTROL and $TUNNELD_SOCKET. */
static void
test_list_env(void **state)
{
	const char *out, *err;

	setenv(CTL_ENV, env.f->path, 1);
	setenv(CTLSOCK_ENV, env.tunneld, 1);
	assert_int_equal(run(&out, &err, "list", NULL), 0);
	unsetenv(CTL_ENV);
	unsetenv(CTLSOCK_ENV);
	assert_string_equal(err, "");
	assert_non_null(strstr(out,
	    "c7654321 203.0.113.1 -> 203.0.113.2, 5678 bytes, 14 packets\n"));
}

static void
test_list_without_tunneld(void **state)
{
	const char *out, *err;
	char want[2048], nope[200];

	snprintf(nope, sizeof(nope), "%s/nope/pfkey", env.f->dir);
	snprintf(want, sizeof(want), "%s%s%s%s%s%s%s", env.head,
	    "    in  c1234567 203.0.113.2 -> 203.0.113.1\n",
	    "    out c7654321 203.0.113.1 -> 203.0.113.2\n", list_mid,
	    "    in  c0ffee01 203.0.113.2 -> 203.0.113.1\n",
	    "    out c0ffee00 203.0.113.1 -> 203.0.113.2\n", "1 IKE SA, 2 Child SAs\n");
	assert_int_equal(run(&out, &err, "-C", env.f->path, "-S", nope, "list", NULL), 0);
	assert_string_equal(out, want);
	snprintf(want, sizeof(want), "ikdctl: no traffic counters: cannot connect to tunneld at "
	    "%s: No such file or directory\n", nope);
	assert_string_equal(err, want);
}

static void
test_list_tunneld_refuses(void **state)
{
	const char *out, *err;

	assert_int_equal(run(&out, &err, "-C", env.f->path, "-S", env.tunneld_eperm, "list",
	    NULL), 0);
	assert_string_equal(err, "ikdctl: no traffic counters: tunneld refused the dump: "
	    "Operation not permitted\n");
	assert_non_null(strstr(out, "    in  c1234567 203.0.113.2 -> 203.0.113.1\n"));
	assert_int_equal(run(&out, &err, "-C", env.f->path, "-S", env.tunneld_empty, "list",
	    NULL), 0);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "    in  c1234567 203.0.113.2 -> 203.0.113.1, not in "
	    "tunneld\n    out c7654321 203.0.113.1 -> 203.0.113.2, not in tunneld\n"));
}

static void
test_stats(void **state)
{
	const char *out, *err;

	assert_int_equal(run(&out, &err, "-C", env.f->path, "stats", NULL), 0);
	assert_string_equal(err, "");
	assert_int_equal(strncmp(out, "IKE SAs                              1\n", 39), 0);
	assert_non_null(strstr(out, "\nreceived   "));
	assert_null(strstr(out, "\nok\n"));	/* the status line is not printed */
}

static void
test_actions(void **state)
{
	const char *out, *err;

	assert_int_equal(run(&out, &err, "-C", env.f->path, "initiate", "gw-b", NULL), 0);
	assert_string_equal(out, "");
	assert_string_equal(err, "");
	assert_int_equal(run(&out, &err, "-C", env.f->path, "terminate", "gw-b", NULL), 0);
	assert_int_equal(run(&out, &err, "-C", env.f->path, "reload", NULL), 0);
	assert_int_equal(run(&out, &err, "-C", env.f->path, "initiate", "nobody", NULL), 1);
	assert_string_equal(out, "");
	assert_string_equal(err, "ikdctl: no peer named 'nobody'\n");
}

static void
test_usage(void **state)
{
	const char *out, *err;

	assert_int_equal(run(&out, &err, "-h", NULL), 0);
	assert_int_equal(strncmp(out, "usage: ikdctl [-C path] [-S path] list\n", 39), 0);
	assert_string_equal(err, "");
	assert_int_equal(run(&out, &err, NULL), 2);
	assert_int_equal(strncmp(err, "ikdctl: no command\nusage: ", 26), 0);
	assert_int_equal(run(&out, &err, "lsit", NULL), 2);
	assert_int_equal(strncmp(err, "ikdctl: unknown command 'lsit'\nusage: ", 38), 0);
	assert_int_equal(run(&out, &err, "initiate", NULL), 2);
	assert_int_equal(strncmp(err, "ikdctl: initiate takes one argument, the peer\n", 46), 0);
	assert_int_equal(run(&out, &err, "terminate", "a", "b", NULL), 2);
	assert_int_equal(run(&out, &err, "list", "all", NULL), 2);
	assert_int_equal(strncmp(err, "ikdctl: list takes no argument\n", 31), 0);
	assert_int_equal(run(&out, &err, "-x", "list", NULL), 2);
	assert_int_equal(run(&out, &err, "initiate", "gw b", NULL), 2);
	assert_string_equal(err, "ikdctl: 'gw b' is not a peer: an address or a name, 1 to 255 "
	    "printable characters\n");
	assert_int_equal(run(&out, &err, "initiate", "", NULL), 2);
	assert_string_equal(out, "");
}

static void
test_not_running(void **state)
{
	const char *out, *err;
	char none[200], want[400];

	snprintf(none, sizeof(none), "%s/none", env.f->dir);
	assert_int_equal(run(&out, &err, "-C", none, "list", NULL), 2);
	snprintf(want, sizeof(want), "ikdctl: ikd is not running? cannot connect to %s: "
	    "No such file or directory\n", none);
	assert_string_equal(err, want);
	assert_string_equal(out, "");
}

static void
test_bad_answers(void **state)
{
	const char *out, *err;
	char want[400];

	assert_int_equal(run(&out, &err, "-C", env.raw, "initiate", "no-ok", NULL), 2);
	assert_string_equal(out, "something\n");	/* what came before is shown */
	assert_string_equal(err, "ikdctl: malformed answer from ikd: its last line is neither "
	    "\"ok\" nor \"error: ...\"\n");
	assert_int_equal(run(&out, &err, "-C", env.raw, "initiate", "no-newline", NULL), 2);
	snprintf(want, sizeof(want), "ikdctl: malformed answer from ikd at %s\n", env.raw);
	assert_string_equal(err, want);
	assert_int_equal(run(&out, &err, "-C", env.raw, "initiate", "closes", NULL), 2);
	snprintf(want, sizeof(want), "ikdctl: ikd at %s closed the connection without "
	    "answering\n", env.raw);
	assert_string_equal(err, want);
	/* Terminal escapes from a daemon are not passed through. */
	assert_int_equal(run(&out, &err, "-C", env.raw, "initiate", "escape", NULL), 1);
	assert_string_equal(out, "line?[2J\n");
	assert_string_equal(err, "ikdctl: bad?peer\n");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_counters),
		cmocka_unit_test(test_list_env),
		cmocka_unit_test(test_list_without_tunneld),
		cmocka_unit_test(test_list_tunneld_refuses),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_not_running),
		cmocka_unit_test(test_bad_answers),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s path-to-ikdctl\n", argv[0]);
		return 2;
	}
	ikdctl = argv[1];
	log_init(true, 0, "test_ikdctl");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
