/*
 * ike_load.c: an IKEv2 load generator for netns-scripts/bench-ike.
 *
 * Many initiators in one process: it runs ikd's own exchange code
 * (exch_initiate, exch_recv, exch_tick) for as many IKE SAs as it is
 * asked, over real UDP sockets on ports 500 and 4500 of one local
 * address, against one responder (an ikd or any other IKEv2 daemon), and
 * keeps K set-ups in flight: a set-up is an IKE_SA_INIT and an IKE_AUTH
 * exchange that ends with the first Child SA. The configuration is what
 * ikd would build for an outbound policy LOCAL_NET -> REMOTE_NET tunnelled
 * between the two addresses (peer_build(), ikd.conf defaults unless -f),
 * and the pre-shared key comes from a racoon psk.txt. The data path is a
 * sink that hands out SPIs and accepts every install: no SA leaves this
 * process, and the responder's data path does the real work.
 *
 *   ike_load -l LOCAL -r REMOTE -p PSK_FILE -s LOCAL_NET -d REMOTE_NET
 *            [-f IKD_CONF] [-k INFLIGHT] (-t SECONDS | -m COUNT [-w WARM])
 *
 * -t (rate): for SECONDS, every SA is forgotten as soon as it is
 *    established, without a Delete (the responder keeps it), and another
 *    set-up starts in its place. Prints the set-ups completed per second.
 * -m (hold): establishes WARM SAs (default 0), prints a "warm" line and
 *    waits for SIGUSR1; then establishes COUNT more, prints a "held" line
 *    and keeps every SA, answering the responder, until SIGTERM or
 *    SIGINT. The responder's memory can be read at both lines.
 *
 * Results are one line on stdout, "ike_load: WHAT key=value ...". Exit
 * status: 0 after a run (failed set-ups are counted in the line), 1 when
 * a hold could not reach its count, 2 for usage and set-up errors.
 */
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <linux/ipsec.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "addr.h"
#include "conf.h"
#include "exch.h"
#include "ike_sa.h"
#include "log.h"
#include "peer.h"
#include "psk.h"

#define LOAD_INFLIGHT_DEF	8	/* below ikd's cookie threshold of 10 half-open SAs */
#define LOAD_INFLIGHT_MAX	4096
#define LOAD_COUNT_MAX		1000000
#define LOAD_SECONDS_MAX	3600
#define LOAD_BATCH		64	/* datagrams read from one socket per wake-up */
#define LOAD_DGRAM_MAX		65536
#define LOAD_SPI_FIRST		0x1000	/* 1-255 are reserved (RFC 4303 2.1) */
#define LOAD_REQID		1
#define LOAD_SLOTS		LOAD_SECONDS_MAX	/* per-second counts kept */

enum load_mode {
	LOAD_RATE,
	LOAD_HOLD,
};

/* Where a hold is: WARM SAs, the wait for SIGUSR1, COUNT more, the wait for the end. */
enum load_phase {
	PH_WARM,
	PH_PAUSE,
	PH_FILL,
	PH_HOLD,
};

struct load_opts {
	struct gw_addr	local;
	struct gw_addr	remote;
	struct gw_addr	lnet;
	struct gw_addr	rnet;
	const char	*psk_path;
	const char	*conf_path;
	unsigned long	inflight;
	enum load_mode	mode;
	unsigned long	seconds;
	unsigned long	count;
	unsigned long	warm;
};

struct load {
	struct load_opts	 o;
	struct ike_sa_table	*t;
	struct ike_cfg_peer	 cfg;
	struct ike_child_req	 req;
	struct psk_table	*psk;
	int			 fd[2];		/* bound to ports 500 and 4500 */
	struct gw_addr		 laddr[2];
	int			 sigfd;
	enum load_phase		 phase;
	size_t			 target;	/* SAs to establish in this phase, all told */
	size_t			 inflight;
	uint64_t		 established;
	uint64_t		 failed;
	uint64_t		 lost;		/* established, then ended by the responder */
	uint64_t		 fail_why[IKE_F_EXPIRED + 1];
	uint32_t		 next_spi;
	uint64_t		*done;		/* our SPIs of SAs to forget (rate mode) */
	size_t			 ndone;
	size_t			 done_cap;
	bool			 forgetting;
	bool			 stop;
	uint64_t		 t0;		/* first set-up started, ms */
	uint64_t		 per_sec[LOAD_SLOTS];
};

static _Noreturn void
load_usage(void)
{
	fprintf(stderr,
	    "usage: ike_load -l LOCAL -r REMOTE -p PSK_FILE -s LOCAL_NET -d REMOTE_NET\n"
	    "                [-f IKD_CONF] [-k INFLIGHT] (-t SECONDS | -m COUNT [-w WARM])\n");
	exit(2);
}

static uint64_t
load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A decimal number in [min, max], or exit 2 naming the option. */
static unsigned long
load_num(int opt, const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "ike_load: -%c %s: want a number from %lu to %lu\n", opt, s, min,
		    max);
		exit(2);
	}
	return v;
}

static void
load_addr(int opt, const char *s, struct gw_addr *out, bool prefix)
{
	if ((prefix ? addr_parse_prefix(s, out) : addr_parse(s, out)) != 0) {
		fprintf(stderr, "ike_load: -%c %s: not a numeric %s\n", opt, s,
		    prefix ? "prefix (ADDR/LEN)" : "address");
		exit(2);
	}
	if (prefix)
		addr_mask(out);
}

static void
load_opts_check(const struct load_opts *o, bool have_t, bool have_m)
{
	if (o->local.af == AF_UNSPEC || o->remote.af == AF_UNSPEC || o->lnet.af == AF_UNSPEC ||
	    o->rnet.af == AF_UNSPEC || o->psk_path == NULL || have_t == have_m)
		load_usage();
	if (o->local.af != o->remote.af || o->lnet.af != o->rnet.af) {
		fprintf(stderr, "ike_load: -l/-r and -s/-d must each be of one family\n");
		exit(2);
	}
	if (have_t && o->warm != 0) {
		fprintf(stderr, "ike_load: -w goes with -m\n");
		exit(2);
	}
}

static void
load_opts_parse(int argc, char *argv[], struct load_opts *o)
{
	bool have_t = false, have_m = false;
	int ch;

	memset(o, 0, sizeof(*o));
	o->inflight = LOAD_INFLIGHT_DEF;
	while ((ch = getopt(argc, argv, "d:f:k:l:m:p:r:s:t:w:")) != -1) {
		switch (ch) {
		case 'd':
			load_addr(ch, optarg, &o->rnet, true);
			break;
		case 'f':
			o->conf_path = optarg;
			break;
		case 'k':
			o->inflight = load_num(ch, optarg, 1, LOAD_INFLIGHT_MAX);
			break;
		case 'l':
			load_addr(ch, optarg, &o->local, false);
			break;
		case 'm':
			o->count = load_num(ch, optarg, 1, LOAD_COUNT_MAX);
			have_m = true;
			break;
		case 'p':
			o->psk_path = optarg;
			break;
		case 'r':
			load_addr(ch, optarg, &o->remote, false);
			break;
		case 's':
			load_addr(ch, optarg, &o->lnet, true);
			break;
		case 't':
			o->seconds = load_num(ch, optarg, 1, LOAD_SECONDS_MAX);
			have_t = true;
			break;
		case 'w':
			o->warm = load_num(ch, optarg, 0, LOAD_COUNT_MAX);
			break;
		default:
			load_usage();
		}
	}
	if (optind != argc)
		load_usage();
	load_opts_check(o, have_t, have_m);
	o->mode = have_t ? LOAD_RATE : LOAD_HOLD;
}

/*
 * The I/O of the exchanges: real sockets, the monotonic clock, libsodium's
 * CSPRNG.
 */

static int
load_io_send(void *ctx, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	struct load *l = ctx;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd = local->port == IKE_NATT_PORT ? l->fd[1] : l->fd[0];

	if ((sl = addr_to_sockaddr(remote, &ss)) == 0)
		return -1;
	return sendto(fd, p, len, 0, (struct sockaddr *)&ss, sl) == (ssize_t)len ? 0 : -1;
}

static uint64_t
load_io_now(void *ctx)
{
	(void)ctx;
	return load_now();
}

static void
load_io_random(void *ctx, uint8_t *p, size_t len)
{
	(void)ctx;
	randombytes_buf(p, len);
}

/*
 * The data path: SPIs from a counter, every install accepted, every
 * delete done.
 */

static int
load_sink_getspi(void *ctx, const struct gw_addr *src, const struct gw_addr *dst,
    uint32_t reqid, uint32_t *spi)
{
	struct load *l = ctx;

	(void)src, (void)dst, (void)reqid;
	if (l->next_spi < LOAD_SPI_FIRST)
		l->next_spi = LOAD_SPI_FIRST;
	*spi = l->next_spi++;
	return 0;
}

static int
load_sink_install(void *ctx, const struct ike_child_sa *sa)
{
	(void)ctx, (void)sa;
	return 0;
}

static int
load_sink_del(void *ctx, uint32_t spi, const struct gw_addr *src, const struct gw_addr *dst)
{
	(void)ctx, (void)spi, (void)src, (void)dst;
	return 0;
}

/*
 * The hooks: we answer nobody's IKE_SA_INIT, and count what ends.
 */

static const struct ike_cfg_peer *
load_hook_peer(void *ctx, const struct gw_addr *local, const struct gw_addr *remote)
{
	(void)ctx, (void)local, (void)remote;
	return NULL;
}

/* Queues our SPI of sa, to be forgotten once the exchange code is done with it. */
static void
load_done_push(struct load *l, uint64_t spi)
{
	uint64_t *n;
	size_t cap;

	if (l->ndone == l->done_cap) {
		cap = l->done_cap == 0 ? LOAD_BATCH : l->done_cap * 2;
		if ((n = realloc(l->done, cap * sizeof(*n))) == NULL) {
			fprintf(stderr, "ike_load: out of memory\n");
			exit(2);
		}
		l->done = n;
		l->done_cap = cap;
	}
	l->done[l->ndone++] = spi;
}

static void
load_hook_established(void *ctx, const struct ike_sa *sa)
{
	struct load *l = ctx;
	uint64_t sec = (load_now() - l->t0) / 1000;

	l->established++;
	l->inflight--;
	if (sec < LOAD_SLOTS)
		l->per_sec[sec]++;
	if (l->o.mode == LOAD_RATE)
		load_done_push(l, ike_sa_spi(sa));
}

static void
load_hook_dead(void *ctx, const struct ike_sa *sa)
{
	struct load *l = ctx;

	if (l->forgetting)
		return;
	if (sa->established_ms != 0) {
		l->lost++;
		return;
	}
	l->failed++;
	l->inflight--;
	if ((size_t)sa->fail < sizeof(l->fail_why) / sizeof(l->fail_why[0]))
		l->fail_why[sa->fail]++;
}

/* Forgets the SAs established since the last call: no Delete, no data path. */
static void
load_forget(struct load *l)
{
	struct ike_sa *sa;
	size_t i;

	l->forgetting = true;
	for (i = 0; i < l->ndone; i++)
		if ((sa = ike_sa_find(l->t, l->done[i])) != NULL)
			ike_sa_kill(sa, IKE_F_LOCAL);
	l->forgetting = false;
	l->ndone = 0;
	ike_sa_reap(l->t);
}

/*
 * Setting up.
 */

/* A UDP socket bound to addr (with its port). */
static int
load_socket(const struct gw_addr *addr)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(addr, &ss);
	char ab[GW_ADDR_STRLEN];
	int fd, one = 1;

	if ((fd = socket(addr->af, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (addr->af == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "ike_load: %s port %u: %s\n", addr_ntop(addr, ab, sizeof(ab)),
	    addr->port, strerror(errno));
	close(fd);
	return -1;
}

/* What ikd would build for our policy LOCAL_NET -> REMOTE_NET. */
static int
load_cfg(struct load *l, const struct ikd_conf *conf)
{
	struct sadbc_policy pol;
	const struct sadbc_policy *pols[1] = { &pol };
	const struct peer_src src = { .conf = conf, .psk = l->psk, .pol = pols, .npol = 1 };
	uint32_t rnd[2];
	char why[256];

	memset(&pol, 0, sizeof(pol));
	pol.id = 1;
	pol.dir = IPSEC_DIR_OUTBOUND;
	pol.type = IPSEC_POLICY_IPSEC;
	pol.sel = (struct gw_sel){ .src = l->o.lnet, .dst = l->o.rnet,
	    .proto = IPSEC_ULPROTO_ANY };
	pol.nreq = 1;
	pol.req[0] = (struct pfk_ipsecreq){ .proto = IPPROTO_ESP, .mode = IPSEC_MODE_TUNNEL,
	    .level = IPSEC_LEVEL_REQUIRE, .reqid = LOAD_REQID, .has_endpoints = true,
	    .src = l->o.local, .dst = l->o.remote };
	randombytes_buf(rnd, sizeof(rnd));
	if (peer_build(&src, &l->o.local, &l->o.remote, rnd, &l->cfg, why, sizeof(why)) != 0) {
		fprintf(stderr, "ike_load: %s\n", why);
		return -1;
	}
	peer_child_req(&pol, &l->req);
	return 0;
}

static struct ikd_conf *
load_conf(const char *path)
{
	struct ikd_conf *c = NULL;
	unsigned n;

	if (path == NULL)
		c = conf_default();
	else if ((n = conf_load(path, false, stderr, &c)) != 0)
		fprintf(stderr, "ike_load: %s: %u error%s\n", path, n, n == 1 ? "" : "s");
	return c;
}

/* Signals become readable events, so that no handler runs inside the exchange code. */
static int
load_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int
load_setup(struct load *l)
{
	const struct ike_io io = { .send = load_io_send, .now_ms = load_io_now,
	    .random = load_io_random, .ctx = l };
	const struct ike_child_sink sink = { .getspi = load_sink_getspi,
	    .install = load_sink_install, .del = load_sink_del, .ctx = l };
	const struct ike_hooks hooks = { .peer_by_addr = load_hook_peer,
	    .established = load_hook_established, .dead = load_hook_dead, .ctx = l };
	struct ikd_conf *conf = NULL;
	struct psk_report rep;
	int rc = -1;

	if ((l->psk = psk_load(l->o.psk_path, &rep)) == NULL)
		return -1;	/* psk_load logged why */
	if ((conf = load_conf(l->o.conf_path)) == NULL || load_cfg(l, conf) != 0)
		goto done;
	if ((l->t = ike_sa_table_new(&io, &sink, &hooks)) == NULL)
		goto done;
	l->t->rtx_first_ms = conf->retry_interval * 1000;
	l->t->rtx_tries = conf->retry_counter;
	l->laddr[0] = l->laddr[1] = l->o.local;
	l->laddr[0].port = IKE_PORT;
	l->laddr[1].port = IKE_NATT_PORT;
	if ((l->fd[0] = load_socket(&l->laddr[0])) == -1 ||
	    (l->fd[1] = load_socket(&l->laddr[1])) == -1)
		goto done;
	if ((l->sigfd = load_signals()) == -1) {
		fprintf(stderr, "ike_load: signals: %s\n", strerror(errno));
		goto done;
	}
	rc = 0;
done:
	conf_free(conf);
	return rc;
}

/*
 * Running.
 */

/* Starts set-ups until K are in flight or the phase's target is covered. */
static void
load_top_up(struct load *l)
{
	while (l->inflight < l->o.inflight) {
		if (l->o.mode == LOAD_HOLD &&
		    (l->phase == PH_PAUSE || l->phase == PH_HOLD ||
		    l->established + l->inflight >= l->target))
			return;
		if (exch_initiate(l->t, &l->cfg, &l->req) == NULL) {
			l->failed++;
			l->fail_why[IKE_F_LOCAL]++;
			return;		/* logged; the next wake-up tries again */
		}
		l->inflight++;
	}
}

/* Reads what socket i holds, up to a batch, into the exchange code. */
static void
load_read(struct load *l, int i)
{
	static uint8_t buf[LOAD_DGRAM_MAX];
	struct sockaddr_storage ss;
	struct gw_addr from;
	socklen_t sl;
	ssize_t n;
	int k;

	for (k = 0; k < LOAD_BATCH; k++) {
		sl = sizeof(ss);
		n = recvfrom(l->fd[i], buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		if (addr_from_sockaddr((struct sockaddr *)&ss, sl, &from) != 0)
			continue;
		exch_recv(l->t, buf, (size_t)n, &l->laddr[i], &from);
		load_forget(l);
	}
}

static void
load_line(const char *what, const struct load *l)
{
	printf("ike_load: %s established=%" PRIu64 " failed=%" PRIu64 " sas=%zu\n", what,
	    l->established, l->failed, l->t->nsa);
	fflush(stdout);
}

/* A hold moves on when its phase's SAs are up. */
static void
load_hold_step(struct load *l)
{
	if (l->phase == PH_WARM && l->established >= l->target) {
		load_line("warm", l);
		l->phase = PH_PAUSE;
	} else if (l->phase == PH_FILL && l->established >= l->target) {
		load_line("held", l);
		l->phase = PH_HOLD;
	}
}

static void
load_signal(struct load *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGUSR1)
			l->stop = true;
		else if (l->o.mode == LOAD_HOLD && l->phase == PH_PAUSE) {
			l->target += l->o.count;
			l->phase = PH_FILL;
		}
	}
}

/* poll()'s timeout for the next exchange deadline, capped at end (ms, 0: none). */
static int
load_timeout(const struct load *l, uint64_t end)
{
	uint64_t now = load_now(), next = ike_sa_table_next_ms(l->t);

	if (end != 0 && end < next)
		next = end;
	if (next == UINT64_MAX)
		return 1000;
	return next <= now ? 0 : (int)(next - now < 1000 ? next - now : 1000);
}

/*
 * Too many failures for a hold to be worth waiting for: the responder
 * refuses us (wrong key, proposals, selectors).
 */
static bool
load_hopeless(const struct load *l)
{
	return l->failed > 16 && l->failed > l->established;
}

static int
load_run(struct load *l)
{
	struct pollfd pfd[3] = {
		{ .fd = l->fd[0], .events = POLLIN },
		{ .fd = l->fd[1], .events = POLLIN },
		{ .fd = l->sigfd, .events = POLLIN },
	};
	uint64_t end = 0;

	l->t0 = load_now();
	if (l->o.mode == LOAD_RATE)
		end = l->t0 + l->o.seconds * 1000;
	l->phase = l->o.warm > 0 ? PH_WARM : PH_FILL;
	l->target = l->o.warm > 0 ? l->o.warm : l->o.count;
	while (!l->stop && (end == 0 || load_now() < end)) {
		load_top_up(l);
		if (poll(pfd, 3, load_timeout(l, end)) == -1 && errno != EINTR)
			return -1;
		if (pfd[0].revents & POLLIN)
			load_read(l, 0);
		if (pfd[1].revents & POLLIN)
			load_read(l, 1);
		if (pfd[2].revents & POLLIN)
			load_signal(l);
		if (ike_sa_table_next_ms(l->t) <= load_now()) {
			exch_tick(l->t);
			load_forget(l);
		}
		if (l->o.mode == LOAD_HOLD) {
			load_hold_step(l);
			if ((l->phase == PH_WARM || l->phase == PH_FILL) && load_hopeless(l))
				return -1;
		}
	}
	return 0;
}

/* The rate line, and the per-second counts on stderr for a look at the spread. */
static void
load_report_rate(const struct load *l, uint64_t elapsed_ms)
{
	struct rusage ru;
	double cpu = 0, secs = (double)elapsed_ms / 1000;
	uint64_t i;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("ike_load: rate inflight=%lu seconds=%.3f established=%" PRIu64
	    " per_second=%.1f failed=%" PRIu64 " retransmits=%" PRIu64 " cpu=%.0f%%\n",
	    l->o.inflight, secs, l->established, secs > 0 ? (double)l->established / secs : 0,
	    l->failed, l->t->stats[IKE_ST_RETRANSMIT], secs > 0 ? 100 * cpu / secs : 0);
	fprintf(stderr, "ike_load: per second:");
	for (i = 0; i < l->o.seconds && i < LOAD_SLOTS; i++)
		fprintf(stderr, " %" PRIu64, l->per_sec[i]);
	fprintf(stderr, "\n");
}

static void
load_report_fail(const struct load *l)
{
	size_t i;

	if (l->failed == 0 && l->lost == 0)
		return;
	fprintf(stderr, "ike_load: %" PRIu64 " set-ups failed, %" PRIu64
	    " established SAs ended by the responder; failures by ike_fail:", l->failed,
	    l->lost);
	for (i = 0; i < sizeof(l->fail_why) / sizeof(l->fail_why[0]); i++)
		if (l->fail_why[i] != 0)
			fprintf(stderr, " %zu:%" PRIu64, i, l->fail_why[i]);
	fprintf(stderr, "\n");
}

/* Frees what load_setup() made, also after it failed half-way. */
static void
load_free(struct load *l)
{
	ike_sa_table_free(l->t);
	psk_free(l->psk);
	free(l->done);
	if (l->fd[0] != -1)
		close(l->fd[0]);
	if (l->fd[1] != -1)
		close(l->fd[1]);
	if (l->sigfd != -1)
		close(l->sigfd);
}

int
main(int argc, char *argv[])
{
	struct load l;
	uint64_t start;
	int rc;

	memset(&l, 0, sizeof(l));
	l.fd[0] = l.fd[1] = l.sigfd = -1;
	load_opts_parse(argc, argv, &l.o);
	if (sodium_init() < 0) {
		fprintf(stderr, "ike_load: libsodium failed to initialise\n");
		return 2;
	}
	/* Warnings only: the exchange code logs every SA at info level. */
	log_init(true, -2, "ike_load");
	if (load_setup(&l) != 0) {
		load_free(&l);
		return 2;
	}
	start = load_now();
	rc = load_run(&l);
	if (l.o.mode == LOAD_RATE && rc == 0)
		load_report_rate(&l, load_now() - start);
	else if (rc != 0)
		fprintf(stderr, "ike_load: gave up after %" PRIu64 " SAs of %zu\n",
		    l.established, l.target);
	load_report_fail(&l);
	load_free(&l);
	return rc == 0 ? 0 : 1;
}
