/*
 * tunneld.c: main(): options, the PF_KEY socket, the pid file, the data
 * path (dpio.c, unless -n) with the IKE relay socket beside the PF_KEY
 * one (relay.c, when there is a NAT-T port), the event loop with its
 * one-second lifetime timer, signals (TERM/INT: exit; USR1: interface
 * state and counters).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "gw_config.h"
#include "ctl.h"
#include "ctlsock.h"
#include "dpio.h"
#include "ikerelay.h"
#include "key.h"
#include "log.h"
#include "pidfile.h"
#include "pkt.h"
#include "relay.h"
#include "tun.h"

struct opts {
	bool		 foreground;
	int		 verbose;
	const char	*socket;
	const char	*pidfile;
	const char	*user;
	bool		 ctl_only;	/* -n: no TUN, sockets or nft */
	const char	*local;		/* -L */
	const char	*remote;	/* -R */
	const char	*port;		/* -U */
	struct dpio_conf dp;
};

static _Noreturn void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: tunneld [-dFhnV] [-i ifname] [-L local -R remote] [-p pidfile]\n"
	    "               [-S socket] [-U port] [-u user]\n"
	    "-i: TUN interface (default %s); -L/-R: gif tunnel outer addresses;\n"
	    "-U: NAT-T UDP port (default %d, 0: none); -n: PF_KEY only, no data path.\n",
	    TUN_DEFAULT_NAME, PKT_NATT_PORT);
	exit(status);
}

/* -L, -R and -U into the data path configuration; exits on a bad value. */
static void
opts_dp(struct opts *o)
{
	char	*end;
	long	 v;

	o->dp.udp_port = PKT_NATT_PORT;
	if (o->port != NULL) {
		errno = 0;
		v = strtol(o->port, &end, 10);
		if (errno != 0 || end == o->port || *end != '\0' || v < 0 || v > 65535)
			fatalx("-U %s: not a port number (0..65535)", o->port);
		o->dp.udp_port = (uint16_t)v;
	}
	if ((o->local == NULL) != (o->remote == NULL))
		fatalx("-L and -R go together: the gif tunnel's two outer addresses");
	if (o->local == NULL)
		return;
	if (addr_parse(o->local, &o->dp.local) != 0 || addr_parse(o->remote, &o->dp.remote) != 0)
		fatalx("-L %s -R %s: not numeric IPv4 or IPv6 addresses", o->local, o->remote);
	if (o->dp.local.af != o->dp.remote.af)
		fatalx("-L %s -R %s: the two addresses must be of one family", o->local,
		    o->remote);
	o->dp.gif = true;
}

static void
opts_parse(int argc, char *argv[], struct opts *o)
{
	int	ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt(argc, argv, "dFhi:L:np:R:S:U:u:V")) != -1) {
		switch (ch) {
		case 'd':
			o->verbose++;
			break;
		case 'F':
			o->foreground = true;
			break;
		case 'h':
			usage(0);
		case 'i':
			o->dp.ifname = optarg;
			break;
		case 'L':
			o->local = optarg;
			break;
		case 'n':
			o->ctl_only = true;
			break;
		case 'R':
			o->remote = optarg;
			break;
		case 'U':
			o->port = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'V':
			printf("tunneld %s\n", GW_VERSION);
			exit(0);
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
}

/* Boot time, so SA lifetimes keep counting across a suspend; never 0. */
static uint64_t
clock_mono(void *arg)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == -1)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec + 1;
}

static uint64_t
clock_wall(void *arg)
{
	return (uint64_t)time(NULL);
}

static uint32_t
random_u32(void *arg)
{
	return randombytes_random();
}

/*
 * -u USER: the socket becomes the user's, and its directory gets the
 * user's group with search permission when the user could not reach it.
 */
static int
grant_user(const char *path, const struct passwd *pw)
{
	char		 tmp[PATH_MAX];
	const char	*dir;
	struct stat	 st;

	if (chown(path, pw->pw_uid, pw->pw_gid) == -1) {
		log_warn("chown %s", path);
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	dir = dirname(tmp);
	if (stat(dir, &st) == -1) {
		log_warn("%s", dir);
		return -1;
	}
	if ((st.st_mode & S_IXOTH) || ((st.st_mode & S_IXGRP) && st.st_gid == pw->pw_gid))
		return 0;
	if (st.st_uid != geteuid()) {
		log_warnx("%s: not owned by us; user %s may be unable to reach %s", dir,
		    pw->pw_name, path);
		return 0;
	}
	if (chown(dir, (uid_t)-1, pw->pw_gid) == -1 ||
	    chmod(dir, (st.st_mode & 07777) | S_IXGRP) == -1) {
		log_warn("%s", dir);
		return -1;
	}
	return 0;
}

/* Default pid file: "tunneld.pid" beside the socket, one per instance. */
static const char *
pidfile_path(const struct opts *o, const char *sock, char *buf, size_t len)
{
	char	tmp[PATH_MAX];

	if (o->pidfile != NULL)
		return o->pidfile;
	if (o->foreground)
		return NULL;
	if (snprintf(tmp, sizeof(tmp), "%s", sock) >= (int)sizeof(tmp) ||
	    snprintf(buf, len, "%s/tunneld.pid", dirname(tmp)) >= (int)len)
		fatalx("%s: path too long for the pid file", sock);
	return buf;
}

struct loop {
	struct event_base	*base;
	struct key		*key;
	struct dpio		*dp;
	struct relay		*relay;		/* NULL: no NAT-T port, no relay */
};

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct loop	*l = arg;

	key_tick(l->key);
	dpio_tick(l->dp);
}

static void
on_usr1(evutil_socket_t sig, short ev, void *arg)
{
	struct loop	*l = arg;

	dpio_report(l->dp, l->key);
	if (l->relay != NULL)
		relay_report(l->relay);
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct loop	*l = arg;

	log_info("signal %d: exiting", (int)sig);
	event_base_loopbreak(l->base);
}

static int
add_signal(struct event_base *base, struct event **ev, int sig, event_callback_fn cb,
    struct loop *l)
{
	*ev = evsignal_new(base, sig, cb, l);
	return *ev != NULL && event_add(*ev, NULL) == 0 ? 0 : -1;
}

static void
free_event(struct event *ev)
{
	if (ev != NULL)
		event_free(ev);
}

/* The IKE relay on the listening socket rfd (owned; -1: none) for l's data path. */
static int
serve_relay(struct loop *l, int rfd, uid_t owner)
{
	if (rfd == -1)
		return 0;
	if ((l->relay = relay_new(l->base, l->key->stats, owner)) == NULL) {
		close(rfd);
		return -1;
	}
	if (relay_listen(l->relay, rfd) == -1)
		return -1;
	if (l->dp == NULL || dpio_set_relay(l->dp, l->relay) == -1) {
		log_warnx("relay: no NAT-T socket to relay IKE from");
		return -1;
	}
	return 0;
}

/*
 * Runs the event loop until SIGTERM or SIGINT, with the data path dp
 * (owned from now on; NULL with -n) and the IKE relay's listening socket
 * rfd (owned; -1: none). 0, or -1 on setup failure.
 */
static int
serve(int lfd, int rfd, uid_t owner, struct dpio *dp)
{
	static struct key_io	 io = { .mono = clock_mono, .wall = clock_wall,
				    .random = random_u32, .send = ctl_send };
	struct timeval		 sec = { .tv_sec = 1 };
	struct loop		 l = { .dp = dp };
	struct key		 key;
	struct ctl		*ctl = NULL;
	struct event		*tick = NULL, *sterm = NULL, *sint = NULL, *susr1 = NULL;
	int			 rc = -1;

	if ((l.base = event_base_new()) == NULL || key_init(&key, &io) == -1) {
		log_warnx("cannot set up the event loop");
		close(lfd);
		if (rfd != -1)
			close(rfd);
		dpio_close(dp, false);
		if (l.base != NULL)
			event_base_free(l.base);
		return -1;
	}
	l.key = &key;
	if ((ctl = ctl_new(l.base, &key, owner)) == NULL)
		goto done;
	io.arg = ctl;
	rc = ctl_listen(ctl, lfd);
	lfd = -1;			/* ctl owns it now */
	if (rc == -1)
		goto done;
	rc = -1;
	if (dp != NULL && dpio_start(dp, l.base, &key) == -1)
		goto done;
	rc = serve_relay(&l, rfd, owner);
	rfd = -1;			/* the relay owns it now */
	if (rc == -1)
		goto done;
	rc = -1;
	tick = event_new(l.base, -1, EV_PERSIST, on_tick, &l);
	if (tick == NULL || event_add(tick, &sec) == -1 ||
	    add_signal(l.base, &sterm, SIGTERM, on_signal, &l) == -1 ||
	    add_signal(l.base, &sint, SIGINT, on_signal, &l) == -1 ||
	    add_signal(l.base, &susr1, SIGUSR1, on_usr1, &l) == -1)
		goto done;
	log_info("ready%s", dp == NULL ? " (control plane only)" : "");
	rc = event_base_dispatch(l.base) == -1 ? -1 : 0;
done:
	if (lfd != -1)
		close(lfd);
	if (rfd != -1)
		close(rfd);
	/* A requested exit removes the firewall table; a failure leaves it closed. */
	dpio_close(dp, rc == 0);
	relay_free(l.relay);
	ctl_free(ctl);
	key_free(&key);
	free_event(tick);
	free_event(sterm);
	free_event(sint);
	free_event(susr1);
	event_base_free(l.base);
	return rc;
}

/* Removes the sockets at exit; rpath is empty without a relay. */
static void
remove_sockets(const char *sock, const char *rpath)
{
	unlink(sock);
	if (rpath[0] != '\0')
		unlink(rpath);
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	char		 pbuf[PATH_MAX], rpath[PATH_MAX] = "";
	const char	*sock, *pidpath;
	struct passwd	*pw = NULL;
	struct dpio	*dp = NULL;
	int		 lfd, rfd = -1, pidfd = -1, rc;

	opts_parse(argc, argv, &o);
	/* Start-up errors go to the terminal even when we will daemonize. */
	log_init(true, o.verbose, "tunneld");
	opts_dp(&o);
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		fatalx("libsodium initialisation failed");
	if (o.user != NULL && (pw = getpwnam(o.user)) == NULL)
		fatalx("-u %s: no such user", o.user);
	sock = ctlsock_path(o.socket);
	/* IKE on the NAT-T port goes to ikd over a socket beside the PF_KEY one. */
	if (!o.ctl_only && o.dp.udp_port != 0 &&
	    ikerelay_path(sock, rpath, sizeof(rpath)) == -1)
		fatalx("%s: path too long for the IKE relay socket beside it", sock);
	pidpath = pidfile_path(&o, sock, pbuf, sizeof(pbuf));
	/* Listening first creates the private directory the pid file goes in. */
	if ((lfd = ctlsock_listen(sock)) == -1)
		exit(1);
	/* The data path opens here, so that its errors reach the terminal too. */
	if ((pidpath != NULL && (pidfd = pidfile_open(pidpath)) == -1) ||
	    (pw != NULL && grant_user(sock, pw) == -1) ||
	    (rpath[0] != '\0' && (rfd = ctlsock_listen(rpath)) == -1) ||
	    (rfd != -1 && pw != NULL && grant_user(rpath, pw) == -1) ||
	    (!o.ctl_only && (dp = dpio_open(&o.dp)) == NULL)) {
		close(lfd);
		unlink(sock);
		if (rfd != -1) {
			close(rfd);
			unlink(rpath);
		}
		pidfile_remove(pidpath, pidfd);
		exit(1);
	}
	if (!o.foreground) {
		pidfile_daemonize(pidfd);
		log_init(false, o.verbose, "tunneld");
	} else if (pidfd != -1 && pidfile_write(pidfd, getpid()) == -1) {
		dpio_close(dp, true);
		remove_sockets(sock, rpath);
		pidfile_remove(pidpath, pidfd);
		exit(1);
	}
	log_info("PF_KEY socket %s", sock);
	if (rfd != -1)
		log_info("IKE relay socket %s", rpath);
	rc = serve(lfd, rfd, pw != NULL ? pw->pw_uid : (uid_t)-1, dp);
	remove_sockets(sock, rpath);
	pidfile_remove(pidpath, pidfd);
	return rc == 0 ? 0 : 1;
}
