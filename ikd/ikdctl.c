/*
 * ikdctl.c: the operator's command for ikd, over ctl.h's control socket.
 *
 *   ikdctl [-C path] [-S path] list
 *   ikdctl [-C path] stats | initiate PEER | terminate PEER | reload
 *   ikdctl -h
 *
 * ikd knows its SAs but not how much traffic they carried: that is in
 * tunneld. So list also asks tunneld itself, with one SADB_DUMP over
 * PF_KEY, and appends the bytes and packets of each ESP SA to the SPI
 * lines of ikd's answer (their form is fixed in ctl.c). Without tunneld
 * the list is printed as ikd sent it, with a note on stderr.
 *
 * Exit status: 0 when ikd answered "ok", 1 when it answered "error: ..."
 * (printed to stderr), 2 for usage errors and when ikd or its answer
 * could not be had.
 */
#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gw_config.h"
#include "ctl.h"
#include "ctlsock.h"
#include "gwstats.h"
#include "hex.h"
#include "pfkey.h"
#include "secmem.h"

#define IKD_WAIT_MS	30000			/* longest wait for a datagram from ikd */
#define TUNNELD_WAIT_MS	5000			/* and from tunneld */
#define ANSWER_MAX	(64u * 1024 * 1024)	/* largest answer accepted from ikd */
#define DUMP_MAX	(1u << 20)		/* SAs read from one dump */
#define PEER_MAX	255			/* ctl.c's longest word */

struct opts {
	const char	*ctl;		/* -C */
	const char	*tunneld;	/* -S */
	bool		 list;
	char		 req[PEER_MAX + 16];
};

struct answer {
	char	*text;
	size_t	 len;
	size_t	 cap;
};

/* One ESP SA of tunneld's dump: what names it and what it counted. */
struct sa_count {
	uint32_t	spi;
	struct gw_addr	dst;
	bool		has_stats;
	uint64_t	v[GWSTAT_SA_MAX];	/* PFK_EXT_STATS */
	uint64_t	lt_bytes;		/* LIFETIME_CURRENT, without PFK_EXT_STATS */
};

struct counts {
	struct sa_count	*v;
	size_t		 n;
	size_t		 cap;
};

static _Noreturn void
usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: ikdctl [-C path] [-S path] list\n"
	    "       ikdctl [-C path] stats | initiate PEER | terminate PEER | reload\n"
	    "       ikdctl -h\n"
	    "list       the IKE SAs and their Child SAs, with traffic counters from tunneld\n"
	    "stats      ikd's exchange counters\n"
	    "initiate   start an IKE SA with PEER, the peer's address\n"
	    "terminate  delete the IKE SAs with PEER and their Child SAs\n"
	    "reload     reread ikd.conf and psk.txt; established SAs stay\n"
	    "-C  ikd's control socket: else $%s, else %s\n"
	    "-S  tunneld's PF_KEY socket, for list: else $%s, else %s\n"
	    "Exit status: 0 done, 1 ikd refused, 2 usage or connection error.\n",
	    CTL_ENV, CTL_DEFAULT, CTLSOCK_ENV, CTLSOCK_DEFAULT);
	exit(status);
}

static _Noreturn void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("ikdctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A peer as ctl.c takes it: one word of printable ASCII. */
static bool
peer_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > PEER_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const char *const noarg[] = { "list", "stats", "reload" };
	const char *cmd;
	size_t i;
	int ch;

	while ((ch = getopt(argc, argv, "C:hS:")) != -1) {
		switch (ch) {
		case 'C': o->ctl = optarg; break;
		case 'h': usage(0);
		case 'S': o->tunneld = optarg; break;
		default: usage(2);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "ikdctl: no command\n");
		usage(2);
	}
	cmd = argv[optind];
	for (i = 0; i < sizeof(noarg) / sizeof(noarg[0]); i++) {
		if (strcmp(cmd, noarg[i]) != 0)
			continue;
		if (optind + 1 != argc) {
			fprintf(stderr, "ikdctl: %s takes no argument\n", cmd);
			usage(2);
		}
		o->list = i == 0;
		snprintf(o->req, sizeof(o->req), "%s", cmd);
		return;
	}
	if (strcmp(cmd, "initiate") != 0 && strcmp(cmd, "terminate") != 0) {
		fprintf(stderr, "ikdctl: unknown command '%s'\n", cmd);
		usage(2);
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "ikdctl: %s takes one argument, the peer\n", cmd);
		usage(2);
	}
	if (!peer_ok(argv[optind + 1]))
		die("'%s' is not a peer: an address or a name, 1 to %d printable characters",
		    argv[optind + 1], PEER_MAX);
	snprintf(o->req, sizeof(o->req), "%s %s", cmd, argv[optind + 1]);
}

/* Waits up to ms for fd; 0 ready, -1 with errno (ETIMEDOUT on timeout). */
static int
wait_in(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&pfd, 1, ms);
	while (rc == -1 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	return rc > 0 ? 0 : -1;
}

/* Appends one datagram of ikd's answer: whole lines of text, no NUL. */
static void
answer_add(struct answer *a, const char *p, size_t n, const char *path)
{
	char *nt;

	if (memchr(p, '\0', n) != NULL || p[n - 1] != '\n')
		die("malformed answer from ikd at %s", path);
	if (n > ANSWER_MAX - a->len)
		die("answer from ikd at %s longer than %u bytes", path, ANSWER_MAX);
	if (n > a->cap - a->len) {
		a->cap = a->cap * 2 > a->len + n ? a->cap * 2 : a->len + n + 65536;
		if ((nt = realloc(a->text, a->cap + 1)) == NULL)
			die("out of memory");
		a->text = nt;
	}
	memcpy(a->text + a->len, p, n);
	a->len += n;
	a->text[a->len] = '\0';
}

/* Sends the request and reads the answer up to its empty datagram. */
static void
ask_ikd(const char *path, const char *req, struct answer *a)
{
	static char buf[CTL_MSG_MAX + 1];
	ssize_t n;
	int fd;

	if ((fd = ctlsock_connect(path)) == -1) {
		if (errno == EACCES || errno == EPERM)
			die("cannot connect to %s: %s (root or ikd's user only)", path,
			    strerror(errno));
		die("ikd is not running? cannot connect to %s: %s", path, strerror(errno));
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) == -1)
		die("cannot send to ikd at %s: %s", path, strerror(errno));
	for (;;) {
		if (wait_in(fd, IKD_WAIT_MS) == -1) {
			if (errno == ETIMEDOUT)
				die("no answer from ikd at %s within %d s", path,
				    IKD_WAIT_MS / 1000);
			die("waiting for ikd at %s: %s", path, strerror(errno));
		}
		/* 0: the empty datagram that ends the answer, or ikd went away. */
		if ((n = recv(fd, buf, sizeof(buf), MSG_TRUNC)) == 0)
			break;
		if (n < 0 && errno != EINTR)
			die("reading from ikd at %s: %s", path, strerror(errno));
		if (n > CTL_MSG_MAX)
			die("datagram longer than %d bytes from ikd at %s", CTL_MSG_MAX, path);
		if (n > 0)
			answer_add(a, buf, (size_t)n, path);
	}
	close(fd);
	if (a->len == 0)
		die("ikd at %s closed the connection without answering", path);
}

/*
 * tunneld's counters.
 */

static void
counts_add(struct counts *c, const struct pfk_msg *m)
{
	struct sa_count *e, *nv;
	size_t i;

	if (!pfk_has(m, SADB_EXT_SA) || !pfk_has(m, SADB_EXT_ADDRESS_DST) || c->n == DUMP_MAX)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap != 0 ? c->cap * 2 : 64;
		if ((nv = reallocarray(c->v, c->cap, sizeof(*nv))) == NULL)
			die("out of memory");
		c->v = nv;
	}
	e = &c->v[c->n++];
	memset(e, 0, sizeof(*e));
	e->spi = m->sa.spi;
	e->dst = m->dst.addr;
	e->lt_bytes = pfk_has(m, SADB_EXT_LIFETIME_CURRENT) ? m->lt_current.bytes : 0;
	e->has_stats = pfk_has(m, PFK_EXT_STATS) && m->stats.n >= GWSTAT_SA_MAX;
	for (i = 0; e->has_stats && i < GWSTAT_SA_MAX; i++)
		e->v[i] = m->stats.v[i];
}

/* Sends an ESP SADB_DUMP on fd. 0, or -1 with why. */
static int
dump_send(int fd, uint32_t pid, char *why, size_t whylen)
{
	uint8_t buf[sizeof(struct sadb_msg)];
	struct pfk_msg *m;
	struct wr w = wr_init(buf, sizeof(buf));
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		die("out of memory");
	m->type = SADB_DUMP;
	m->satype = SADB_SATYPE_ESP;
	m->seq = 1;
	m->pid = pid;
	rc = pfk_encode(m, &w);
	free(m);
	if (rc != 0 || send(fd, buf, w.off, MSG_NOSIGNAL) == -1) {
		snprintf(why, whylen, "cannot send to tunneld: %s",
		    rc != 0 ? "encoding failed" : strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Reads the dump's messages into c up to the one with seq 0, skipping
 * what is not ours (broadcasts). Entries may carry keys (root sees them
 * in a dump): the buffer is wiped after each. 0, or -1 with why.
 */
static int
dump_read(int fd, uint32_t pid, struct counts *c, char *why, size_t whylen)
{
	uint8_t *buf;
	struct pfk_msg *m;
	size_t nmsg;
	ssize_t n;
	int dec, rc = -1;

	if ((buf = malloc(PFK_MSG_MAX)) == NULL || (m = malloc(sizeof(*m))) == NULL)
		die("out of memory");
	snprintf(why, whylen, "more than %u messages in tunneld's dump", DUMP_MAX);
	for (nmsg = 0; nmsg < 2 * (size_t)DUMP_MAX; nmsg++) {
		if (wait_in(fd, TUNNELD_WAIT_MS) == -1 ||
		    (n = recv(fd, buf, PFK_MSG_MAX, MSG_TRUNC)) < 0) {
			snprintf(why, whylen, "reading from tunneld: %s", strerror(errno));
			break;
		}
		if (n == 0 || n > PFK_MSG_MAX) {
			snprintf(why, whylen, n == 0 ? "tunneld closed the connection" :
			    "oversized message from tunneld");
			break;
		}
		dec = pfk_decode(buf, (size_t)n, m);
		secure_wipe(buf, (size_t)n);
		if (dec != 0 || m->pid != pid || m->type != SADB_DUMP)
			continue;
		if (m->errnum != 0 && m->errnum != ENOENT) {	/* ENOENT: no SA at all */
			snprintf(why, whylen, "tunneld refused the dump: %s", strerror(m->errnum));
			break;
		}
		counts_add(c, m);
		if (m->errnum == ENOENT || m->seq == 0) {
			rc = 0;
			break;
		}
	}
	secure_free(m, sizeof(*m));
	secure_free(buf, PFK_MSG_MAX);	/* a truncated message was not wiped */
	return rc;
}

/* Every ESP SA of tunneld at path into c. 0, or -1 with why. */
static int
tunneld_counts(const char *path, struct counts *c, char *why, size_t whylen)
{
	uint32_t pid = (uint32_t)getpid();
	int fd, rc;

	if ((fd = ctlsock_connect(path)) == -1) {
		snprintf(why, whylen, "cannot connect to tunneld at %s: %s", path,
		    strerror(errno));
		return -1;
	}
	rc = dump_send(fd, pid, why, whylen);
	if (rc == 0)
		rc = dump_read(fd, pid, c, why, whylen);
	close(fd);
	return rc;
}

/*
 * Output.
 */

/*
 * An SPI line of a list ("    in  c1234567 SRC -> DST"): whether it is
 * inbound, its SPI and its destination. False for any other line.
 */
static bool
spi_line(const char *line, bool *in, uint32_t *spi, struct gw_addr *dst)
{
	char src[INET6_ADDRSTRLEN + 1];
	const char *p, *arrow;
	struct gw_addr s;
	int i, d;

	if (strncmp(line, "    in  ", 8) != 0 && strncmp(line, "    out ", 8) != 0)
		return false;
	*in = line[4] == 'i';
	for (*spi = 0, p = line + 8, i = 0; i < 8; i++, p++) {
		if ((d = hex_digit((unsigned char)*p)) < 0)
			return false;
		*spi = *spi << 4 | (uint32_t)d;
	}
	if (*p++ != ' ' || (arrow = strstr(p, " -> ")) == NULL ||
	    (size_t)(arrow - p) >= sizeof(src))
		return false;
	memcpy(src, p, (size_t)(arrow - p));
	src[arrow - p] = '\0';
	return addr_parse(src, &s) == 0 && addr_parse(arrow + 4, dst) == 0;
}

static int
count_cmp(const void *a, const void *b)
{
	const struct sa_count *x = a, *y = b;

	return x->spi < y->spi ? -1 : x->spi > y->spi;
}

/* The SA of spi towards dst in c (sorted by SPI), or NULL. */
static const struct sa_count *
counts_find(const struct counts *c, uint32_t spi, const struct gw_addr *dst)
{
	const struct sa_count key = { .spi = spi }, *e;
	size_t i;

	if (c->n == 0 || (e = bsearch(&key, c->v, c->n, sizeof(*c->v), count_cmp)) == NULL)
		return NULL;
	/* Other destinations may use the same SPI: look at every entry of it. */
	for (i = (size_t)(e - c->v); i > 0 && c->v[i - 1].spi == spi; i--)
		;
	for (; i < c->n && c->v[i].spi == spi; i++)
		if (addr_eq(&c->v[i].dst, dst))
			return &c->v[i];
	return NULL;
}

/* ", 1234 bytes, 12 packets" for the SA of an SPI line. */
static void
print_traffic(FILE *out, const struct counts *c, bool in, uint32_t spi,
    const struct gw_addr *dst)
{
	const struct sa_count *e = counts_find(c, spi, dst);

	if (e == NULL)
		fputs(", not in tunneld", out);
	else if (!e->has_stats)
		fprintf(out, ", %" PRIu64 " bytes", e->lt_bytes);
	else
		fprintf(out, ", %" PRIu64 " bytes, %" PRIu64 " packets",
		    e->v[in ? GWSTAT_BYTES_IN : GWSTAT_BYTES_OUT],
		    e->v[in ? GWSTAT_PACKETS_IN : GWSTAT_PACKETS_OUT]);
}

/* A line as ikd sent it, control characters shown as '?'; c: add counters. */
static void
print_line(FILE *out, char *line, const struct counts *c)
{
	struct gw_addr dst;
	uint32_t spi;
	bool in;
	char *p;

	for (p = line; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			*p = '?';
	fputs(line, out);
	if (c != NULL && spi_line(line, &in, &spi, &dst))
		print_traffic(out, c, in, spi, &dst);
	fputc('\n', out);
}

static bool
has_spi_lines(const char *text)
{
	return strstr(text, "\n    in  ") != NULL || strncmp(text, "    in  ", 8) == 0;
}

/*
 * Prints every line but the last, which must be "ok" or "error: why".
 * Returns the exit status.
 */
static int
print_answer(struct answer *a, const struct counts *c)
{
	char *line, *next, *last;

	a->text[a->len - 1] = '\0';
	last = strrchr(a->text, '\n');
	last = last != NULL ? last + 1 : a->text;
	for (line = a->text; line != last; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		print_line(stdout, line, c);
	}
	if (fflush(stdout) != 0)
		die("writing the output: %s", strerror(errno));
	if (strcmp(last, "ok") == 0)
		return 0;
	if (strncmp(last, "error: ", 7) == 0) {
		fputs("ikdctl: ", stderr);
		print_line(stderr, last + 7, NULL);
		return 1;
	}
	die("malformed answer from ikd: its last line is neither \"ok\" nor \"error: ...\"");
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct answer a = { 0 };
	struct counts c = { 0 };
	const struct counts *cp = NULL;
	char why[512];
	int rc;

	parse_args(argc, argv, &o);
	ask_ikd(ctl_path(o.ctl), o.req, &a);
	if (o.list && has_spi_lines(a.text)) {
		if (tunneld_counts(ctlsock_path(o.tunneld), &c, why, sizeof(why)) == 0) {
			if (c.n > 0)
				qsort(c.v, c.n, sizeof(*c.v), count_cmp);
			cp = &c;
		} else
			fprintf(stderr, "ikdctl: no traffic counters: %s\n", why);
	}
	rc = print_answer(&a, cp);
	free(c.v);
	free(a.text);
	return rc;
}
