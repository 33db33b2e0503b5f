/*
 * setkey.c: the setkey command line (specs/kame.md section 1).
 *
 *   setkey [-nv] [-S path] -f file	apply a script
 *   setkey [-nv] [-S path] -c		apply a script read from stdin
 *   setkey [-Papv] [-S path] -D	dump the SAD (-P: the SPD)
 *   setkey [-Pv] [-S path] -F		flush the SAD (-P: the SPD)
 *   setkey [-S path] -x		print all PF_KEY traffic
 *   setkey [-S path] -s		the data path's counters (extension)
 *
 * Deviation from ipsec-tools: -c reads all of stdin first and then works
 * like -f (the whole script is parsed and checked before anything is
 * sent), where ipsec-tools applied each statement as soon as its line
 * was read. A script is all or nothing: one error and nothing is sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_config.h"
#include "cmd.h"
#include "ctlsock.h"
#include "log.h"
#include "parse.h"
#include "run.h"
#include "secmem.h"

#define SCRIPT_MAX	(1024u * 1024 * 1024)	/* largest script read, bytes */

enum mode { M_NONE, M_FILE, M_STDIN, M_DUMP, M_FLUSH, M_MONITOR, M_STATUS };

struct opts {
	enum mode	 mode;
	const char	*file;
	const char	*sock;
	bool		 policy;	/* -P */
	bool		 all;		/* -a */
	bool		 ports;		/* -p */
	bool		 noact;		/* -n */
	bool		 verbose;	/* -v */
};

static _Noreturn void
usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: setkey [-nv] [-S path] -f file\n"
	    "       setkey [-nv] [-S path] -c\n"
	    "       setkey [-Papv] [-S path] -D\n"
	    "       setkey [-Pv] [-S path] -F\n"
	    "       setkey [-S path] -x\n"
	    "       setkey [-S path] -s\n"
	    "       setkey -h | -V\n"
	    "-c reads the whole script from stdin before applying it.\n"
	    "-s (not in ipsec-tools) prints tunneld's counters: the gateway's, then\n"
	    "   each SA's drops by reason and traffic.\n"
	    "The socket is -S, else $%s, else %s.\n", CTLSOCK_ENV, CTLSOCK_DEFAULT);
	exit(status);
}

static void
set_mode(struct opts *o, enum mode m)
{
	if (o->mode != M_NONE && o->mode != m) {
		fprintf(stderr, "setkey: choose one of -f, -c, -D, -F, -s and -x\n");
		usage(1);
	}
	o->mode = m;
}

/* Flags that only make sense with some modes. */
static void
check_opts(const struct opts *o)
{
	bool script = o->mode == M_FILE || o->mode == M_STDIN;

	if (o->mode == M_NONE)
		usage(1);
	if ((o->all || o->ports) && o->mode != M_DUMP) {
		fprintf(stderr, "setkey: -a and -p go with -D\n");
		usage(1);
	}
	if (o->policy && o->mode != M_DUMP && o->mode != M_FLUSH) {
		fprintf(stderr, "setkey: -P goes with -D or -F\n");
		usage(1);
	}
	if (o->noact && !script) {
		fprintf(stderr, "setkey: -n goes with -f or -c\n");
		usage(1);
	}
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	int ch;

	while ((ch = getopt(argc, argv, "acDf:FhnpPsS:vVx")) != -1) {
		switch (ch) {
		case 'a': o->all = true; break;
		case 'c': set_mode(o, M_STDIN); break;
		case 'D': set_mode(o, M_DUMP); break;
		case 'f': set_mode(o, M_FILE); o->file = optarg; break;
		case 'F': set_mode(o, M_FLUSH); break;
		case 'h': usage(0);
		case 'n': o->noact = true; break;
		case 'p': o->ports = true; break;
		case 'P': o->policy = true; break;
		case 's': set_mode(o, M_STATUS); break;
		case 'S': o->sock = optarg; break;
		case 'v': o->verbose = true; break;
		case 'V':
			printf("setkey %s (gwipsec)\n", GW_VERSION);
			exit(0);
		case 'x': set_mode(o, M_MONITOR); break;
		default: usage(1);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "setkey: unexpected argument '%s'\n", argv[optind]);
		usage(1);
	}
	check_opts(o);
}

/* Reads all of fd; the buffer may hold keys: release with secure_free(cap). */
static char *
read_all(int fd, size_t *len, size_t *cap)
{
	char *buf = NULL, *nb;
	ssize_t n;

	*len = *cap = 0;
	for (;;) {
		if (*len == *cap) {
			if (*cap >= SCRIPT_MAX) {
				errno = EFBIG;
				break;
			}
			/* Grow by copying so that no key bytes stay behind in freed memory. */
			if ((nb = malloc(*cap != 0 ? *cap * 2 : 65536)) == NULL)
				break;
			if (buf != NULL)
				memcpy(nb, buf, *len);
			secure_free(buf, *cap);
			buf = nb;
			*cap = *cap != 0 ? *cap * 2 : 65536;
		}
		n = read(fd, buf + *len, *cap - *len);
		if (n == 0)
			return buf;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		*len += (size_t)n;
	}
	secure_free(buf, *cap);
	return NULL;
}

/* Parses the script; exits 1 on any error. */
static void
load_script(const struct opts *o, struct setkey_cmds *cmds)
{
	const char *name = o->mode == M_FILE ? o->file : "(stdin)";
	size_t len, cap;
	unsigned nerr;
	char *text;
	int fd = 0;

	if (o->mode == M_FILE && (fd = open(o->file, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "setkey: cannot open %s: %s\n", o->file, strerror(errno));
		exit(1);
	}
	if ((text = read_all(fd, &len, &cap)) == NULL) {
		fprintf(stderr, "setkey: cannot read %s: %s\n", name, strerror(errno));
		exit(1);
	}
	if (fd != 0)
		close(fd);
	nerr = setkey_parse(name, text, len, stderr, cmds);
	secure_free(text, cap);
	if (nerr == 0)
		nerr = cmd_check(cmds, stderr);
	if (nerr != 0) {
		fprintf(stderr, "setkey: %u error%s in %s; nothing was sent\n", nerr,
		    nerr == 1 ? "" : "s", name);
		setkey_cmds_free(cmds);
		exit(1);
	}
}

static int
sock_send(void *ctx, const uint8_t *buf, size_t len)
{
	int fd = *(int *)ctx;
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EPIPE ? -ECONNRESET : -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

static ssize_t
sock_recv(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct pollfd pfd = { .fd = *(int *)ctx, .events = POLLIN };
	ssize_t n;
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc == -1 && errno == EINTR);
	if (rc == 0)
		return -ETIMEDOUT;
	if (rc == -1)
		return -errno;
	do
		n = recv(pfd.fd, buf, cap, MSG_TRUNC);
	while (n == -1 && errno == EINTR);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return -errno;
	return (size_t)n > cap ? -EMSGSIZE : n;
}

static int
talk(const struct opts *o, const struct setkey_cmds *cmds)
{
	const char *path = ctlsock_path(o->sock);
	struct run_io io = { .send = sock_send, .recv = sock_recv };
	struct run r;
	int fd, rc = 1;

	if ((fd = ctlsock_connect(path)) == -1) {
		fprintf(stderr, "setkey: cannot connect to tunneld at %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	io.ctx = &fd;
	run_init(&r, &io, (uint32_t)getpid(), stdout, stderr);
	r.verbose = o->verbose;
	r.popts.ports = o->ports;
	r.popts.all = o->all;
	switch (o->mode) {
	case M_FILE:
	case M_STDIN:
		rc = run_script(&r, cmds);
		break;
	case M_DUMP:
		rc = run_dump(&r, o->policy, SADB_SATYPE_UNSPEC);
		break;
	case M_FLUSH:
		rc = run_flush(&r, o->policy);
		break;
	case M_MONITOR:
		rc = run_monitor(&r);
		break;
	case M_STATUS:
		rc = run_status(&r);
		break;
	case M_NONE:
		break;
	}
	run_free(&r);
	close(fd);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { .mode = M_NONE };
	struct setkey_cmds cmds = { .tail = &cmds.head };
	int rc;

	log_init(true, 0, "setkey");
	parse_args(argc, argv, &o);
	if (o.mode == M_FILE || o.mode == M_STDIN) {
		load_script(&o, &cmds);
		if (o.noact || cmds.n == 0) {
			setkey_cmds_free(&cmds);
			return 0;
		}
	}
	rc = talk(&o, &cmds);
	setkey_cmds_free(&cmds);
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "setkey: writing the output: %s\n", strerror(errno));
		rc = 1;
	}
	return rc;
}
