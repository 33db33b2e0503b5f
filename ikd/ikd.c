/*
 * ikd.c: main(): options, the configuration and psk.txt (checked before
 * anything else happens), daemon mode with a pid file, then daemon.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "gw_config.h"
#include "conf.h"
#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "pidfile.h"
#include "psk.h"

#define IKD_CONF_DEFAULT	GW_SYSCONFDIR "/ikd/" CONF_FILE_NAME

struct opts {
	bool		 foreground;
	bool		 check_only;	/* -n */
	int		 verbose;
	const char	*conf;
	const char	*pidfile;
	struct daemon_opts d;
};

static _Noreturn void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: ikd [-dFhnV] [-C control] [-f config] [-p pidfile] [-S socket]\n"
	    "-F: foreground, log to stderr; -d: debug; -n: check config and psk.txt, exit;\n"
	    "-f: configuration (default %s); -S: tunneld's PF_KEY socket;\n"
	    "-C: control socket for ikdctl (default %s).\n", IKD_CONF_DEFAULT, CTL_DEFAULT);
	exit(status);
}

static void
opts_parse(int argc, char *argv[], struct opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt(argc, argv, "C:df:Fhnp:S:V")) != -1) {
		switch (ch) {
		case 'C':
			o->d.ctl_path = optarg;
			break;
		case 'd':
			o->verbose++;
			break;
		case 'f':
			o->conf = optarg;
			break;
		case 'F':
			o->foreground = true;
			break;
		case 'h':
			usage(0);
		case 'n':
			o->check_only = true;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'S':
			o->d.tunneld_path = optarg;
			break;
		case 'V':
			printf("ikd %s\n", GW_VERSION);
			exit(0);
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	o->d.conf_path = o->conf != NULL ? o->conf : IKD_CONF_DEFAULT;
	/* Only the default file may be missing: a named one is a typo otherwise. */
	o->d.conf_optional = o->conf == NULL;
}

static int
log_level(enum conf_log l)
{
	switch (l) {
	case CONF_LOG_ERROR:
	case CONF_LOG_WARNING:
		return -2;
	case CONF_LOG_NOTIFY:
		return -1;
	case CONF_LOG_INFO:
		return 0;
	case CONF_LOG_DEBUG:
		break;
	}
	return 1;
}

/* Default pid file: "ikd.pid" beside the control socket. */
static const char *
pidfile_path(const struct opts *o, char *buf, size_t len)
{
	char tmp[PATH_MAX];

	if (o->pidfile != NULL)
		return o->pidfile;
	if (o->foreground)
		return NULL;
	if (snprintf(tmp, sizeof(tmp), "%s", ctl_path(o->d.ctl_path)) >= (int)sizeof(tmp) ||
	    snprintf(buf, len, "%s/ikd.pid", dirname(tmp)) >= (int)len)
		fatalx("%s: path too long for the pid file", ctl_path(o->d.ctl_path));
	/* The control socket's directory, made now as ctlsock_listen would make it. */
	if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
		fatal("%s", tmp);
	return buf;
}

/* The configuration and psk.txt, or exit 1 with every error printed. */
static void
load_files(const struct opts *o, struct ikd_conf **conf, struct psk_table **psk)
{
	struct psk_report rep;
	unsigned n;

	if ((n = conf_load(o->d.conf_path, o->d.conf_optional, stderr, conf)) != 0) {
		fprintf(stderr, "ikd: %s: %u error%s, not starting\n", o->d.conf_path, n,
		    n == 1 ? "" : "s");
		exit(1);
	}
	if ((*psk = psk_load((*conf)->psk_path, &rep)) == NULL) {
		/* psk_load logged every error already. */
		fprintf(stderr, "ikd: %s: not starting\n", (*conf)->psk_path);
		conf_free(*conf);
		exit(1);
	}
}

int
main(int argc, char *argv[])
{
	struct ikd_conf *conf;
	struct psk_table *psk;
	const char *pf;
	char pbuf[PATH_MAX];
	struct opts o;
	int pidfd = -1, rc;

	opts_parse(argc, argv, &o);
	if (sodium_init() < 0) {
		fprintf(stderr, "ikd: libsodium failed to initialise\n");
		return 1;
	}
	log_init(true, o.verbose, "ikd");
	load_files(&o, &conf, &psk);
	if (o.check_only) {
		printf("%s and %s: OK, %zu keys\n", o.d.conf_path, conf->psk_path, psk_count(psk));
		conf_free(conf);
		psk_free(psk);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((pf = pidfile_path(&o, pbuf, sizeof(pbuf))) != NULL &&
	    (pidfd = pidfile_open(pf)) == -1)
		return 1;
	if (!o.foreground) {
		pidfile_daemonize(pidfd);
		log_init(false, o.verbose, "ikd");
	} else if (pidfd != -1 && pidfile_write(pidfd, getpid()) == -1) {
		return 1;
	}
	log_setverbose(o.verbose > 0 ? o.verbose : log_level(conf->log));
	rc = daemon_run(&o.d, conf, psk);
	if (pidfd != -1)
		pidfile_remove(pf, pidfd);
	return rc == 0 ? 0 : 1;
}
