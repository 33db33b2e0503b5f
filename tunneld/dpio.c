/* dpio.c: TUN, sockets, nftables and events around the fast path; see dpio.h. */
#include <sys/time.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dpio.h"
#include "err.h"
#include "fastpath.h"
#include "gwstats.h"
#include "log.h"
#include "netio.h"
#include "nft.h"
#include "relay.h"
#include "tun.h"
#include "tungso.h"

enum { DP_V4, DP_V6, DP_NAF };

enum dp_rx_kind { RX_ESP, RX_IPIP, RX_UDP };

#define DP_MAX_RX	6	/* ESP v4/v6, IP-in-IP 4/41, UDP v4/v6 */

struct dp_rx {
	struct dpio		*d;
	struct netio_sock	 s;
	enum dp_rx_kind		 kind;
	struct event		*ev;
};

struct dpio {
	struct dpio_conf	 conf;
	char			 ifname[IFNAMSIZ];
	int			 tunfd;
	struct event		*tun_ev;
	struct netio_sock	 tx[DP_NAF];	/* header included; fd -1 when absent */
	struct dp_rx		 rx[DP_MAX_RX];
	size_t			 nrx;
	struct netio_msg	 out[DP_NAF][NETIO_BATCH_MAX];
	unsigned		 nout[DP_NAF];
	struct netio_msg	 in[NETIO_BATCH_MAX];
	struct pkt_buf		 tunbuf[DPIO_TUN_BATCH];
	/* Packets for the TUN from a receive batch, written joined at its end. */
	struct pkt_buf		 tunq[NETIO_BATCH_MAX];
	unsigned		 ntunq;
	bool			 join_off;	/* the kernel refused a joined write */
	uint8_t			*mem;		/* the buffers of in[] and tunbuf[] */
	struct netio_scratch	 sc;
	struct key		*k;
	struct relay		*relay;		/* IKE of the NAT-T port; NULL: dropped */
	struct fastpath		 fp;
	bool			 fp_on;
	struct fp_io		 io;
	uint64_t		 send_log_at;
	uint64_t		 batch_now;	/* the clock, read once per batch */
	bool			 in_batch;
	struct nft_conf		 nft;
	bool			 nft_on;	/* the table is ours to keep in step */
	bool			 nft_armed;
	struct event		*nft_ev;
	uint64_t		 nft_last;	/* ms of the last run */
};

/* Milliseconds of the clock tunneld's key engine counts in seconds (+1 s, never 0). */
static uint64_t
dp_now(void *arg)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == -1)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec + 1) * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * fp_io.now: inside a batch, the time read when it began. A batch takes
 * well under the clock's millisecond, and a clock_gettime() per packet
 * is measurable at line rate.
 */
static uint64_t
dp_io_now(void *arg)
{
	struct dpio	*d = arg;

	return d->in_batch ? d->batch_now : dp_now(NULL);
}

static void
dp_batch_begin(struct dpio *d)
{
	d->batch_now = dp_now(NULL);
	d->in_batch = true;
}

/* ---- logging several lines ---- */

/* Logs text line by line at info level (syslog wants one line per call). */
static void
dp_log_text(char *text, size_t len)
{
	char	*line, *save = NULL;

	if (text == NULL || len == 0)
		return;
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		log_info("%s", line);
}

static void
dp_print_state(const struct dpio *d)
{
	const struct gw_addr	*ts = d->conf.gif ? &d->conf.local : NULL;
	const struct gw_addr	*td = d->conf.gif ? &d->conf.remote : NULL;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		return;
	tun_print_state(fp, d->ifname, ts, td);
	if (fclose(fp) == 0)
		dp_log_text(text, len);
	free(text);
}

/* One line of the counters that are drops (or not), "drops: a=1 b=2". */
static void
dp_log_counters(const struct key *k, bool drops)
{
	char	line[1024];
	size_t	i, off;
	int	n;

	off = (size_t)snprintf(line, sizeof(line), "%s:", drops ? "drops" : "traffic");
	for (i = 0; i < GWSTAT_MAX && off < sizeof(line); i++) {
		if (gwstats_is_drop(i) != drops)
			continue;
		n = snprintf(line + off, sizeof(line) - off, " %s=%llu", gwstats_name(i),
		    (unsigned long long)k->stats[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	log_info("%s", line);
}

void
dpio_report(struct dpio *d, const struct key *k)
{
	if (d != NULL)
		dp_print_state(d);
	else
		log_info("control plane only (-n): no data path");
	log_info("SAD: %zu SAs, SPD: %zu policies", sad_count(&k->sad, SADB_SATYPE_UNSPEC),
	    spd_count(&k->spd));
	dp_log_counters(k, true);
	dp_log_counters(k, false);
}

/* ---- sending ---- */

static void
dp_flush_af(struct dpio *d, int i)
{
	char		a[INET6_ADDRSTRLEN];
	struct pkt_outer o;
	unsigned	j;
	uint64_t	now;

	if (d->nout[i] == 0)
		return;
	netio_send(&d->tx[i], d->out[i], d->nout[i], &d->sc);
	for (j = 0; j < d->nout[i]; j++) {
		if (d->out[i][j].err == 0)
			continue;
		fp_count(&d->fp, GWSTAT_SEND_ERROR, 1);
		now = dp_io_now(d);
		if (log_getverbose() < 1 || now - d->send_log_at < 1000)
			continue;
		d->send_log_at = now;
		if (pkt_outer_parse(pkt_data(&d->out[i][j].pkt), d->out[i][j].pkt.len, &o) != 0)
			o.dst.af = AF_UNSPEC;
		log_debug("send to %s (%zu bytes): %s", addr_ntop(&o.dst, a, sizeof(a)),
		    d->out[i][j].pkt.len, strerror(d->out[i][j].err));
	}
	d->nout[i] = 0;
}

/* Counts a write to the TUN that failed: n packets lost. */
static void
dp_tun_error(struct dpio *d, size_t n)
{
	uint64_t now = dp_io_now(d);

	fp_count(&d->fp, GWSTAT_TUN_ERROR, n);
	if (log_getverbose() >= 1 && now - d->send_log_at >= 1000) {
		d->send_log_at = now;
		log_debug("%s: write: %s", d->ifname, strerror(errno));
	}
}

/*
 * The batch's packets for the TUN, runs of a TCP flow joined (tungso.h).
 * A kernel that refuses a joined write (EINVAL: no GSO from this device)
 * gets single packets from then on.
 */
static void
dp_tun_flush(struct dpio *d)
{
	struct tungso_plan pl;
	unsigned i, k;

	for (i = 0; i < d->ntunq; i += k) {
		if (d->join_off) {
			k = 1;
			if (tun_write(d->tunfd, pkt_data(&d->tunq[i]), d->tunq[i].len) != 0)
				dp_tun_error(d, 1);
			continue;
		}
		k = (unsigned)tungso_plan(&d->tunq[i], d->ntunq - i, &pl);
		if (tun_write_plan(d->tunfd, &pl, &d->tunq[i]) == 0) {
			if (k > 1)
				fp_count(&d->fp, GWSTAT_TUN_JOINED, k);
			continue;
		}
		if (k > 1 && errno == EINVAL) {
			log_warnx("%s: the kernel refuses joined TCP segments: writing them "
			    "one by one", d->ifname);
			d->join_off = true;
			k = 0;	/* the same packets again, singly */
			continue;
		}
		dp_tun_error(d, k);
	}
	d->ntunq = 0;
}

static void
dp_flush(void *arg)
{
	struct dpio	*d = arg;

	dp_flush_af(d, DP_V4);
	dp_flush_af(d, DP_V6);
	dp_tun_flush(d);
}

/* fp_io.net_send: queues b (its memory untouched until the flush). */
static int
dp_net_send(void *arg, sa_family_t af, const struct pkt_buf *b)
{
	struct dpio	*d = arg;
	int		 i = af == AF_INET6 ? DP_V6 : DP_V4;

	if ((af != AF_INET && af != AF_INET6) || d->tx[i].fd == -1)
		return -1;
	if (d->nout[i] == NETIO_BATCH_MAX)
		dp_flush_af(d, i);
	d->out[i][d->nout[i]++].pkt = *b;
	return 0;
}

/*
 * fp_io.tun_write: inside a batch, queued for dp_tun_flush() (b's memory
 * stays untouched until then); outside one, written at once.
 */
static int
dp_tun_write(void *arg, const struct pkt_buf *b)
{
	struct dpio	*d = arg;

	if (!d->in_batch)
		return tun_write(d->tunfd, pkt_data(b), b->len);
	if (d->ntunq == NETIO_BATCH_MAX)
		dp_tun_flush(d);
	d->tunq[d->ntunq++] = *b;
	return 0;
}

/* fp_io.ike_input: IKE from the NAT-T port to the key daemon, if one listens. */
static int
dp_ike_input(void *arg, const struct fp_outer *o, const struct pkt_buf *b)
{
	struct dpio	*d = arg;

	if (d->relay == NULL)
		return -1;
	return relay_to_ikd(d->relay, &o->dst, &o->src, pkt_data(b), b->len);
}

/* ---- receiving ---- */

static void
dp_rx_one(struct dpio *d, const struct dp_rx *x, struct netio_msg *m)
{
	struct fp_outer	o = { .src = m->src, .dst = m->dst, .tos = m->tos };

	if (m->err != 0) {
		fp_count(&d->fp, m->err == GW_E_TOOLONG ? GWSTAT_OVERSIZE : GWSTAT_MALFORMED, 1);
		return;
	}
	switch (x->kind) {
	case RX_ESP:
		fp_esp_input(&d->fp, &m->pkt, &o);
		break;
	case RX_UDP:
		fp_udp_input(&d->fp, &m->pkt, &o);
		break;
	case RX_IPIP:
		fp_ipip_input(&d->fp, &m->pkt, &o, x->s.proto);
		break;
	}
}

static void
dp_rx_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dp_rx	*x = arg;
	struct dpio	*d = x->d;
	int		 round, i, n;

	for (round = 0; round < DPIO_ROUNDS; round++) {
		for (i = 0; i < NETIO_BATCH_MAX; i++)
			pkt_init(&d->in[i].pkt, d->in[i].pkt.mem, FP_BUF_SIZE, FP_HEADROOM);
		if ((n = netio_recv(&x->s, d->in, NETIO_BATCH_MAX, &d->sc)) <= 0) {
			if (n == -1 && errno != EINTR)
				log_debug("recvmmsg on socket %d: %s", x->s.fd, strerror(errno));
			break;
		}
		dp_batch_begin(d);
		for (i = 0; i < n; i++)
			dp_rx_one(d, x, &d->in[i]);
		dp_flush(d);
		d->in_batch = false;
		if (n < NETIO_BATCH_MAX)
			break;
	}
	fp_tick(&d->fp);
}

static void
dp_tun_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dpio	*d = arg;
	int		 round, i, n;

	for (round = 0; round < DPIO_ROUNDS; round++) {
		for (i = 0; i < DPIO_TUN_BATCH; i++)
			pkt_init(&d->tunbuf[i], d->tunbuf[i].mem, FP_BUF_SIZE, FP_HEADROOM);
		if ((n = tun_read_batch(d->tunfd, d->tunbuf, DPIO_TUN_BATCH)) <= 0) {
			if (n == -1)
				log_warn("%s: read", d->ifname);
			break;
		}
		dp_batch_begin(d);
		for (i = 0; i < n; i++) {
			/* Emptied by tun_read_batch(): its virtio-net header was unusable. */
			if (d->tunbuf[i].len == 0)
				fp_count(&d->fp, GWSTAT_MALFORMED, 1);
			else
				fp_tun_input(&d->fp, &d->tunbuf[i]);
		}
		dp_flush(d);
		d->in_batch = false;
		if (n < DPIO_TUN_BATCH)
			break;
	}
}

/* ---- nftables ---- */

static bool
dp_nft_rule(const struct policy *p, struct nft_rule *r)
{
	r->sel = p->sel;
	r->spid = p->id;
	switch (p->action) {
	case IPSEC_POLICY_NONE:
		r->verdict = NFT_ACCEPT;
		return true;
	case IPSEC_POLICY_IPSEC:
		r->verdict = p->nreq > 0 && p->req[0].level == IPSEC_LEVEL_USE ? NFT_ACCEPT :
		    NFT_DROP;
		return true;
	default:
		r->verdict = NFT_DROP;
		return true;
	}
}

/* Renders the `in` policies, in SPD order, into the table. */
static void
dp_nft_sync(struct dpio *d)
{
	const struct policy	*p;
	struct nft_rule		*rules = NULL;
	size_t			 n = 0, cap = 0;

	for (p = spd_first(&d->k->spd, IPSEC_DIR_INBOUND); p != NULL; p = spd_next(p))
		cap++;
	if (cap > 0 && (rules = calloc(cap, sizeof(*rules))) == NULL) {
		log_warnx("nft: out of memory for %zu rules; table %s not updated", cap,
		    d->nft.table);
		return;
	}
	for (p = spd_first(&d->k->spd, IPSEC_DIR_INBOUND); p != NULL && n < cap;
	    p = spd_next(p))
		if (dp_nft_rule(p, &rules[n]))
			n++;
	if (nft_sync(&d->nft, rules, n) == 0)
		log_debug("nft: table %s: %zu rules", d->nft.table, n);
	free(rules);
	d->nft_last = dp_now(NULL);
}

static void
dp_nft_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dpio	*d = arg;

	d->nft_armed = false;
	dp_nft_sync(d);
}

/* fp_io.spd_changed: one sync at most every DPIO_NFT_MS, after the changes. */
static void
dp_spd_changed(void *arg)
{
	struct dpio	*d = arg;
	uint64_t	 now = dp_now(NULL), wait = DPIO_NFT_MS;
	struct timeval	 tv;

	if (!d->nft_on || d->nft_armed)
		return;
	if (now - d->nft_last >= DPIO_NFT_MS)
		wait = 0;
	else
		wait = DPIO_NFT_MS - (now - d->nft_last);
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	if (evtimer_add(d->nft_ev, &tv) == 0)
		d->nft_armed = true;
}

/* Whether nft is an executable in $PATH (or the path given). */
static bool
dp_nft_found(const char *prog)
{
	char		 path[PATH_MAX], *dirs, *dir, *save = NULL;
	const char	*env = getenv("PATH");
	bool		 found = false;

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0;
	if ((dirs = strdup(env != NULL ? env : "/usr/sbin:/usr/bin:/sbin:/bin")) == NULL)
		return false;
	for (dir = strtok_r(dirs, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save))
		found = (size_t)snprintf(path, sizeof(path), "%s/%s", dir, prog) <
		    sizeof(path) && access(path, X_OK) == 0;
	free(dirs);
	return found;
}

/* The table with no policy rules yet; a loud warning when it cannot be. */
static void
dp_nft_open(struct dpio *d)
{
	if (nft_conf_init(&d->nft, d->ifname) != 0) {
		log_warnx("WARNING: %s: no nftables table for this interface name: plaintext "
		    "packets that `in` policies require to be protected are NOT dropped by "
		    "the kernel", d->ifname);
		return;
	}
	if (!dp_nft_found(d->nft.nft)) {
		log_warnx("WARNING: nft not found in PATH: plaintext packets that `in` "
		    "policies require to be protected are NOT dropped by the kernel and "
		    "may bypass tunneld; install nftables");
		return;
	}
	if (nft_sync(&d->nft, NULL, 0) != 0) {
		log_warnx("WARNING: nftables table %s could not be installed: plaintext "
		    "packets that `in` policies require to be protected are NOT dropped",
		    d->nft.table);
		return;
	}
	d->nft_on = true;
	d->nft_last = dp_now(NULL);
}

/* ---- opening and closing ---- */

static int
dp_rx_add(struct dpio *d, sa_family_t af, enum dp_rx_kind kind, uint8_t proto,
    bool required)
{
	struct dp_rx	*x = &d->rx[d->nrx];
	struct gw_addr	 any = { .af = af };
	int		 rc;

	if (kind == RX_UDP) {
		any.port = d->conf.udp_port;
		rc = netio_open_udp(&x->s, &any);
	} else
		rc = netio_open_raw_recv(&x->s, af, proto);
	if (rc == -1) {
		if (required)
			return -1;
		log_warnx("%s: no %s socket for protocol %u; continuing without it",
		    af == AF_INET6 ? "IPv6" : "IPv4", kind == RX_UDP ? "UDP" : "raw", proto);
		return 0;
	}
	x->d = d;
	x->kind = kind;
	d->nrx++;
	return 0;
}

static int
dp_open_sockets(struct dpio *d)
{
	sa_family_t	gaf = d->conf.local.af;

	if (netio_open_raw_send(&d->tx[DP_V4], AF_INET) == -1 ||
	    dp_rx_add(d, AF_INET, RX_ESP, IPPROTO_ESP, true) == -1)
		return -1;
	if (netio_open_raw_send(&d->tx[DP_V6], AF_INET6) == -1) {
		log_warnx("IPv6: no raw socket to send; IPv6 tunnels cannot carry traffic");
		d->tx[DP_V6].fd = -1;
	}
	if (dp_rx_add(d, AF_INET6, RX_ESP, IPPROTO_ESP, false) == -1)
		return -1;
	/* A gif tunnel carries IPv4 (protocol 4) and IPv6 (41) over its family. */
	if (d->conf.gif && (dp_rx_add(d, gaf, RX_IPIP, IPPROTO_IPIP, true) == -1 ||
	    dp_rx_add(d, gaf, RX_IPIP, IPPROTO_IPV6, true) == -1))
		return -1;
	if (d->conf.udp_port != 0 && (dp_rx_add(d, AF_INET, RX_UDP, IPPROTO_UDP, true) == -1 ||
	    dp_rx_add(d, AF_INET6, RX_UDP, IPPROTO_UDP, false) == -1))
		return -1;
	return 0;
}

static int
dp_open_tun(struct dpio *d)
{
	int	mtu = tun_default_mtu(d->conf.gif, d->conf.gif ? d->conf.local.af : AF_INET);

	if (tun_open(d->conf.ifname, 1, &d->tunfd, d->ifname) == -1)
		return -1;
	if (tun_configure(d->ifname, mtu) == -1)
		return -1;
	log_info("%s: TUN interface up, mtu %d%s", d->ifname, mtu,
	    d->conf.gif ? " (gif: IP-in-IP inside ESP)" : "");
	return 0;
}

static int
dp_alloc(struct dpio *d)
{
	size_t	i;

	d->mem = malloc((size_t)(NETIO_BATCH_MAX + DPIO_TUN_BATCH) * FP_BUF_SIZE);
	if (d->mem == NULL) {
		log_warnx("out of memory for the packet buffers");
		return -1;
	}
	for (i = 0; i < NETIO_BATCH_MAX; i++)
		pkt_init(&d->in[i].pkt, d->mem + i * FP_BUF_SIZE, FP_BUF_SIZE, FP_HEADROOM);
	for (i = 0; i < DPIO_TUN_BATCH; i++)
		pkt_init(&d->tunbuf[i], d->mem + (NETIO_BATCH_MAX + i) * FP_BUF_SIZE,
		    FP_BUF_SIZE, FP_HEADROOM);
	return 0;
}

struct dpio *
dpio_open(const struct dpio_conf *c)
{
	struct dpio	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		log_warnx("out of memory");
		return NULL;
	}
	d->conf = *c;
	d->tunfd = d->tx[DP_V4].fd = d->tx[DP_V6].fd = -1;
	if (dp_alloc(d) == -1 || dp_open_tun(d) == -1 || dp_open_sockets(d) == -1) {
		dpio_close(d, false);
		return NULL;
	}
	dp_print_state(d);
	dp_nft_open(d);
	return d;
}

static int
dp_watch(struct event_base *base, struct event **ev, int fd, event_callback_fn cb,
    void *arg)
{
	*ev = event_new(base, fd, EV_READ | EV_PERSIST, cb, arg);
	return *ev != NULL && event_add(*ev, NULL) == 0 ? 0 : -1;
}

int
dpio_start(struct dpio *d, struct event_base *base, struct key *k)
{
	size_t	i;

	d->k = k;
	d->io = (struct fp_io){ .tun_write = dp_tun_write, .net_send = dp_net_send,
	    .flush = dp_flush, .now = dp_io_now, .spd_changed = dp_spd_changed,
	    .ike_input = dp_ike_input, .arg = d };
	if (fp_init(&d->fp, k, &d->io, &(struct fp_conf){ .gif = d->conf.gif,
	    .local = d->conf.local, .remote = d->conf.remote }) == -1)
		return -1;
	d->fp_on = true;
	if ((d->nft_ev = evtimer_new(base, dp_nft_cb, d)) == NULL ||
	    dp_watch(base, &d->tun_ev, d->tunfd, dp_tun_cb, d) == -1)
		goto fail;
	for (i = 0; i < d->nrx; i++)
		if (dp_watch(base, &d->rx[i].ev, d->rx[i].s.fd, dp_rx_cb, &d->rx[i]) == -1)
			goto fail;
	return 0;
fail:
	log_warnx("cannot watch the data path's descriptors");
	return -1;
}

int
dpio_set_relay(struct dpio *d, struct relay *r)
{
	size_t	i;
	int	n = 0;

	d->relay = NULL;
	if (r == NULL)
		return 0;
	for (i = 0; i < d->nrx; i++)
		if (d->rx[i].kind == RX_UDP && relay_set_udp(r, &d->rx[i].s) == 0)
			n++;
	if (n == 0)
		return -1;
	d->relay = r;
	return 0;
}

void
dpio_tick(struct dpio *d)
{
	if (d != NULL && d->fp_on)
		fp_tick(&d->fp);
}

static void
dp_event_free(struct event **ev)
{
	if (*ev != NULL)
		event_free(*ev);
	*ev = NULL;
}

void
dpio_close(struct dpio *d, bool clean)
{
	size_t	i;

	if (d == NULL)
		return;
	if (d->nft_on && clean && nft_remove(&d->nft) == 0)
		log_info("nft: table %s removed", d->nft.table);
	dp_event_free(&d->nft_ev);
	dp_event_free(&d->tun_ev);
	for (i = 0; i < d->nrx; i++) {
		dp_event_free(&d->rx[i].ev);
		netio_close(&d->rx[i].s);
	}
	for (i = 0; i < DP_NAF; i++)
		if (d->tx[i].fd != -1)
			netio_close(&d->tx[i]);
	if (d->tunfd != -1)
		close(d->tunfd);
	if (d->fp_on)
		fp_free(&d->fp);
	free(d->mem);
	free(d);
}
