/*
 * daemon.c: ikd's loop: setting up the pieces, timers, signals, tunneld
 * coming and going, reload and a clean stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "ctl.h"
#include "ctlsock.h"
#include "daemon_int.h"
#include "exch.h"
#include "exch_auth.h"
#include "exch_info.h"
#include "ikerelay.h"
#include "log.h"
#include "net.h"

uint64_t
daemon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
io_now(void *ctx)
{
	(void)ctx;
	return daemon_now_ms();
}

static void
io_random(void *ctx, uint8_t *p, size_t len)
{
	(void)ctx;
	randombytes_buf(p, len);
}

static int
io_send(void *ctx, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	struct daemon *d = ctx;

	return net_send(d->net, p, len, local, remote);
}

void
daemon_arm(struct daemon *d)
{
	uint64_t next = ike_sa_table_next_ms(d->t), now = daemon_now_ms();
	struct timeval tv = { 0 };

	if (next == UINT64_MAX) {
		event_del(d->timer);
		return;
	}
	if (next > now) {
		tv.tv_sec = (time_t)((next - now) / 1000);
		tv.tv_usec = (suseconds_t)((next - now) % 1000 * 1000);
	}
	event_add(d->timer, &tv);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd, (void)what;
	exch_tick(d->t);
	daemon_arm(d);
}

static void
on_datagram(void *arg, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	struct daemon *d = arg;

	exch_recv(d->t, p, len, local, remote);
	daemon_arm(d);
}

static void
on_work(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	keying_run_jobs(arg);
}

/* The hooks of the exchanges. */
static const struct ike_cfg_peer *
hook_peer(void *ctx, const struct gw_addr *local, const struct gw_addr *remote)
{
	return keying_peer(ctx, local, remote);
}

static const char *
fail_str(enum ike_fail f)
{
	static const char *const s[] = {
		[IKE_F_NONE] = "deleted",
		[IKE_F_TIMEOUT] = "the peer stopped answering",
		[IKE_F_NO_PROPOSAL] = "no proposal chosen",
		[IKE_F_INVALID_KE] = "no common Diffie-Hellman group",
		[IKE_F_AUTH] = "authentication failed",
		[IKE_F_HALF_OPEN] = "IKE_AUTH never came",
		[IKE_F_PEER] = "deleted by the peer or refused by it",
		[IKE_F_LOCAL] = "deleted here",
		[IKE_F_REKEYED] = "replaced by a rekey",
		[IKE_F_EXPIRED] = "its lifetime ended without a rekey",
	};

	return (size_t)f < sizeof(s) / sizeof(s[0]) && s[f] != NULL ? s[f] : "unknown";
}

static void
hook_dead(void *ctx, const struct ike_sa *sa)
{
	char pb[IKE_PEER_STRLEN];

	(void)ctx;
	ike_sa_peer_str(sa, pb, sizeof(pb));
	if (sa->fail == IKE_F_REKEYED)
		log_debug(IKE_SPI_FMT ": IKE SA with %s replaced by a rekey", IKE_SPI_ARGS(sa), pb);
	else if (sa->fail == IKE_F_AUTH)
		log_warnx(IKE_SPI_FMT ": peer %s: authentication failed", IKE_SPI_ARGS(sa), pb);
	else if (sa->fail == IKE_F_NONE || sa->fail == IKE_F_LOCAL || sa->fail == IKE_F_PEER)
		log_notice(IKE_SPI_FMT ": IKE SA with %s ended: %s", IKE_SPI_ARGS(sa), pb,
		    fail_str(sa->fail));
	else
		log_warnx(IKE_SPI_FMT ": IKE SA with %s failed: %s", IKE_SPI_ARGS(sa), pb,
		    fail_str(sa->fail));
}

static void
hook_rekeyed(void *ctx, const struct ike_sa *old, const struct ike_sa *sa_new)
{
	char pb[IKE_PEER_STRLEN];

	(void)ctx;
	log_notice(IKE_SPI_FMT ": IKE SA with %s rekeyed: now " IKE_SPI_FMT, IKE_SPI_ARGS(old),
	    ike_sa_peer_str(sa_new, pb, sizeof(pb)), IKE_SPI_ARGS(sa_new));
}

/* The key for a peer from the psk.txt loaded now, so that a reload takes effect. */
static int
hook_psk(void *ctx, const struct ike_idv *id, const struct gw_addr *addr, struct view *key)
{
	struct daemon *d = ctx;

	return exch_auth_psk_lookup(d->psk, id, addr, key);
}

static void
on_sadb_lost(void *arg, int err)
{
	struct daemon *d = arg;

	log_warnx("the connection to tunneld is gone%s%s: reconnecting every second",
	    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
	d->sc_up = false;
	d->sc_was_lost = true;
	if (d->sc_ev != NULL)
		event_del(d->sc_ev);
}

static void
on_relay_lost(void *arg, int err)
{
	(void)arg;
	log_warnx("tunneld's IKE relay is gone%s%s: NAT traversal waits for it",
	    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
}

/*
 * tunneld restarted: every Child SA it held is gone. Deleting the IKE
 * SAs with their peers makes the next packet on either side negotiate.
 */
static void
daemon_tunneld_back(struct daemon *d)
{
	struct ike_sa *sa;

	log_notice("tunneld is back: deleting the IKE SAs whose Child SAs it lost");
	for (sa = d->t->all; sa != NULL; sa = sa->next) {
		if (sa->state == IKE_S_ESTABLISHED)
			exch_info_delete(sa, IKE_F_LOCAL);
		else if (sa->state != IKE_S_DEAD)
			ike_sa_kill(sa, IKE_F_LOCAL);
	}
	ike_sa_reap(d->t);
}

static int daemon_watch_sadb(struct daemon *);

static int
daemon_connect(struct daemon *d)
{
	const char *path = ctlsock_path(d->opt.tunneld_path);

	if (sadb_client_connect(d->sc, path) != 0 ||
	    sadb_client_start(d->sc, DAEMON_START_MS) != 0 || daemon_watch_sadb(d) != 0)
		return -1;
	d->sc_up = true;
	if (net_relay_connect(d->net, d->relay_path) != 0)
		log_warnx("%s: %s: IKE on the NAT-T port is not available (tunneld -U 0?)",
		    d->relay_path, strerror(errno));
	return 0;
}

/* RFC 3948 4: one byte every natt_keepalive seconds keeps a NAT mapping open. */
static void
daemon_keepalives(struct daemon *d, uint64_t now)
{
	static const uint8_t ka = 0xff;
	struct ike_sa *sa;

	if (d->conf->natt_keepalive == 0 ||
	    now - d->last_keepalive_ms < (uint64_t)d->conf->natt_keepalive * 1000)
		return;
	d->last_keepalive_ms = now;
	for (sa = d->t->all; sa != NULL; sa = sa->next)
		if (sa->state == IKE_S_ESTABLISHED && sa->nat_local)
			net_send(d->net, &ka, 1, &sa->local, &sa->remote);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd, (void)what;
	if (!d->sc_up) {
		if (daemon_connect(d) != 0)
			return;
		if (d->sc_was_lost)
			daemon_tunneld_back(d);
		d->sc_was_lost = false;
	}
	if (!net_relay_up(d->net) && net_relay_connect(d->net, d->relay_path) == 0)
		log_info("connected to tunneld's IKE relay");
	daemon_keepalives(d, daemon_now_ms());
	datapath_tick(&d->dp, daemon_now_ms());
	ike_sa_reap(d->t);
	daemon_arm(d);
}

static void
on_sadb_input(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd, (void)what;
	sadb_client_input(d->sc);
}

/* SIGHUP and `ikdctl reload`: both files or neither. */
static int
daemon_reload(void *ctx, char *err, size_t errlen)
{
	struct daemon *d = ctx;
	struct ikd_conf *c = NULL;
	struct psk_table *p;
	struct psk_report rep;

	if (conf_load(d->opt.conf_path, d->opt.conf_optional, NULL, &c) != 0) {
		snprintf(err, errlen, "%s has errors (see the log): nothing changed",
		    d->opt.conf_path);
		return -1;
	}
	if ((p = psk_load(c->psk_path, &rep)) == NULL) {
		snprintf(err, errlen, "%s", rep.first_error);
		conf_free(c);
		return -1;
	}
	conf_free(d->conf);
	psk_free(d->psk);
	d->conf = c;
	d->psk = p;
	log_notice("configuration and %s reloaded (%zu keys); established SAs stay",
	    c->psk_path, psk_count(p));
	return 0;
}

static const struct ike_sa_table *
ctl_table(void *ctx)
{
	return ((struct daemon *)ctx)->t;
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	char err[PSK_MSG_MAX];

	(void)sig, (void)what;
	if (daemon_reload(arg, err, sizeof(err)) != 0)
		log_warnx("reload: %s", err);
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	log_info("signal %d: exiting", (int)sig);
	event_base_loopbreak(d->base);
}

int
daemon_psk(void *ctx, const struct ike_idv *id, const struct gw_addr *addr, struct view *key)
{
	return hook_psk(ctx, id, addr, key);
}

static int
daemon_watch_sadb(struct daemon *d)
{
	if (d->sc_ev != NULL)
		event_free(d->sc_ev);
	d->sc_ev = event_new(d->base, sadb_client_fd(d->sc), EV_READ | EV_PERSIST,
	    on_sadb_input, d);
	return d->sc_ev != NULL && event_add(d->sc_ev, NULL) == 0 ? 0 : -1;
}

static int
daemon_add_signal(struct daemon *d, size_t i, int sig, event_callback_fn cb)
{
	d->sig[i] = evsignal_new(d->base, sig, cb, d);
	return d->sig[i] != NULL && event_add(d->sig[i], NULL) == 0 ? 0 : -1;
}

static int
daemon_events(struct daemon *d)
{
	struct timeval sec = { .tv_sec = 1 };

	d->timer = evtimer_new(d->base, on_deadline, d);
	d->tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	d->work = event_new(d->base, -1, 0, on_work, d);
	if (d->timer == NULL || d->tick == NULL || d->work == NULL ||
	    event_add(d->tick, &sec) == -1)
		return -1;
	if (daemon_add_signal(d, 0, SIGTERM, on_stop) == -1 ||
	    daemon_add_signal(d, 1, SIGINT, on_stop) == -1 ||
	    daemon_add_signal(d, 2, SIGHUP, on_hup) == -1)
		return -1;
	return 0;
}

static int
daemon_setup(struct daemon *d)
{
	const struct sadbc_events sev = { .acquire = keying_acquire, .expire = keying_expire,
	    .sa_removed = keying_sa_removed, .lost = on_sadb_lost, .arg = d };
	const struct ike_io io = { .send = io_send, .now_ms = io_now, .random = io_random,
	    .ctx = d };
	/* The exchanges log an establishment themselves. */
	const struct ike_hooks hooks = { .peer_by_addr = hook_peer, .dead = hook_dead,
	    .rekeyed = hook_rekeyed, .ctx = d };
	const struct ctl_ops ops = { .initiate = keying_cmd_initiate,
	    .terminate = keying_cmd_terminate, .reload = daemon_reload, .table = ctl_table,
	    .ctx = d };
	struct ike_child_sink sink;

	if ((d->base = event_base_new()) == NULL || daemon_events(d) == -1)
		return -1;
	if ((d->sc = sadb_client_new(&sev, (uint32_t)getpid())) == NULL)
		return -1;
	d->dp.sc = d->sc;
	d->dp.now_ms = daemon_now_ms;
	datapath_sink(&d->dp, &sink);
	if ((d->t = ike_sa_table_new(&io, &sink, &hooks)) == NULL)
		return -1;
	d->t->rtx_first_ms = d->conf->retry_interval * 1000;
	d->t->rtx_tries = d->conf->retry_counter;
	if ((d->net = net_open(d->base, d->conf, on_datagram, on_relay_lost, d)) == NULL)
		return -1;
	if (ikerelay_path(ctlsock_path(d->opt.tunneld_path), d->relay_path,
	    sizeof(d->relay_path)) != 0)
		return -1;
	if (daemon_connect(d) != 0)
		return -1;
	if ((d->ctl = ctl_open(d->base, ctl_path(d->opt.ctl_path), &ops)) == NULL)
		return -1;
	return 0;
}

/* Delete(IKE) to every peer, then the SAs this ikd put into tunneld. */
static void
daemon_stop(struct daemon *d)
{
	struct ike_sa *sa;
	uint32_t seq = 0;
	size_t n;

	for (sa = d->t->all; sa != NULL; sa = sa->next)
		if (sa->state == IKE_S_ESTABLISHED)
			exch_info_delete(sa, IKE_F_LOCAL);
	if (!d->sc_up)
		return;
	n = sadb_client_delete_installed(d->sc, NULL, NULL);
	/* The replies come in order: waiting for a REGISTER's means all were handled. */
	if (n > 0 && (seq = sadb_client_register(d->sc, NULL, NULL)) != 0)
		sadb_client_wait(d->sc, seq, DAEMON_START_MS);
	log_info("removed the %zu SAs this ikd installed", n);
}

static void
daemon_free(struct daemon *d)
{
	size_t i;

	ctl_close(d->ctl);
	ike_sa_table_free(d->t);
	/* daemon_stop() removed them with all the others this ikd installed. */
	datapath_forget(&d->dp);
	net_close(d->net);
	sadb_client_free(d->sc);
	for (i = 0; i < sizeof(d->sig) / sizeof(d->sig[0]); i++)
		if (d->sig[i] != NULL)
			event_free(d->sig[i]);
	if (d->sc_ev != NULL)
		event_free(d->sc_ev);
	if (d->timer != NULL)
		event_free(d->timer);
	if (d->tick != NULL)
		event_free(d->tick);
	if (d->work != NULL)
		event_free(d->work);
	if (d->base != NULL)
		event_base_free(d->base);
	conf_free(d->conf);
	psk_free(d->psk);
	free(d);
}

int
daemon_run(const struct daemon_opts *o, struct ikd_conf *conf, struct psk_table *psk)
{
	struct daemon *d;
	int rc = -1;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		conf_free(conf);
		psk_free(psk);
		log_warn("ikd");
		return -1;
	}
	d->opt = *o;
	d->conf = conf;
	d->psk = psk;
	if (daemon_setup(d) != 0) {
		log_warnx("ikd could not start: see the lines above");
		goto done;
	}
	log_info("ready: %zu keys in %s, %zu policies in tunneld's SPD", psk_count(d->psk),
	    d->conf->psk_path, sadb_client_policy_count(d->sc));
	rc = event_base_dispatch(d->base) == -1 ? -1 : 0;
	daemon_stop(d);
done:
	daemon_free(d);
	return rc;
}
