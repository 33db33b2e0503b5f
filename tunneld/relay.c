/* relay.c: the IKE relay between the NAT-T port and ikd; see relay.h. */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "ctlsock.h"
#include "gwstats.h"
#include "log.h"
#include "pktbuf.h"
#include "relay.h"

enum { RELAY_V4, RELAY_V6, RELAY_NAF };

struct relay {
	struct event_base	*base;
	uint64_t		*stats;		/* GWSTAT_MAX, borrowed */
	uid_t			 owner;
	int			 lfd;
	struct event		*ev_listen;
	struct event		*ev_pause;	/* re-arms the listener after EMFILE */
	int			 cfd;		/* the client; -1: none */
	struct event		*ev_client;
	uid_t			 cuid;
	pid_t			 cpid;
	struct netio_sock	 udp[RELAY_NAF];	/* fd -1: no socket of that family */
	struct netio_scratch	*sc;
	uint8_t			*rbuf;		/* RELAY_MSG_MAX: a datagram from the client */
	uint8_t			*tbuf;		/* RELAY_MSG_MAX: one for the client */
};

static void relay_pause_cb(evutil_socket_t, short, void *);

struct relay *
relay_new(struct event_base *base, uint64_t *stats, uid_t owner)
{
	struct relay	*r;
	size_t		 i;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warnx_f("out of memory");
		return NULL;
	}
	r->base = base;
	r->stats = stats;
	r->owner = owner;
	r->lfd = r->cfd = -1;
	for (i = 0; i < RELAY_NAF; i++)
		r->udp[i].fd = -1;
	r->sc = malloc(sizeof(*r->sc));
	r->rbuf = malloc(RELAY_MSG_MAX);
	r->tbuf = malloc(RELAY_MSG_MAX);
	r->ev_pause = evtimer_new(base, relay_pause_cb, r);
	if (r->sc == NULL || r->rbuf == NULL || r->tbuf == NULL || r->ev_pause == NULL) {
		log_warnx_f("out of memory");
		relay_free(r);
		return NULL;
	}
	return r;
}

/* Closes the client connection, saying why. */
static void
relay_drop(struct relay *r, const char *why)
{
	if (r->cfd == -1)
		return;
	log_info("relay: key daemon uid %u pid %d: connection closed: %s", (unsigned)r->cuid,
	    (int)r->cpid, why);
	event_free(r->ev_client);
	r->ev_client = NULL;
	close(r->cfd);
	r->cfd = -1;
}

void
relay_free(struct relay *r)
{
	if (r == NULL)
		return;
	if (r->cfd != -1) {
		event_free(r->ev_client);
		close(r->cfd);
	}
	if (r->ev_listen != NULL)
		event_free(r->ev_listen);
	if (r->lfd != -1)
		close(r->lfd);
	if (r->ev_pause != NULL)
		event_free(r->ev_pause);
	free(r->sc);
	free(r->rbuf);
	free(r->tbuf);
	free(r);
}

bool
relay_connected(const struct relay *r)
{
	return r->cfd != -1;
}

void
relay_report(const struct relay *r)
{
	if (r->cfd == -1)
		log_info("relay: no key daemon connected: IKE on the NAT-T port is dropped");
	else
		log_info("relay: key daemon uid %u pid %d connected", (unsigned)r->cuid,
		    (int)r->cpid);
}

int
relay_set_udp(struct relay *r, const struct netio_sock *s)
{
	if (s->kind != NETIO_UDP || s->fd < 0 || (s->af != AF_INET && s->af != AF_INET6))
		return -1;
	r->udp[s->af == AF_INET ? RELAY_V4 : RELAY_V6] = *s;
	return 0;
}

/* ---- from the network to the client ---- */

static bool
relay_again(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == EINTR;
}

int
relay_to_ikd(struct relay *r, const struct gw_addr *local, const struct gw_addr *remote,
    const uint8_t *p, size_t len)
{
	struct wr	w = wr_init(r->tbuf, RELAY_MSG_MAX);

	if (r->cfd == -1)
		return -1;
	if (ikerelay_encode(&w, local, remote, p, len) != 0) {
		log_debug("relay: IKE datagram of %zu bytes not encodable (family, ports)", len);
		return -1;
	}
	if (send(r->cfd, r->tbuf, w.off, MSG_DONTWAIT | MSG_NOSIGNAL) != -1)
		return 0;
	/* A full queue loses this datagram, as the network might; IKE retransmits. */
	if (!relay_again(errno))
		relay_drop(r, strerror(errno));
	return -1;
}

/* ---- from the client to the network ---- */

static void
relay_bad(struct relay *r, const char *why)
{
	r->stats[GWSTAT_IKE_RELAY_BAD]++;
	log_debug("relay: datagram of key daemon pid %d refused: %s", (int)r->cpid, why);
}

/* Why the decoded datagram may not leave, or NULL if it may leave through s. */
static const char *
relay_check(const struct netio_sock *s, const struct gw_addr *local,
    const struct gw_addr *remote, const struct view *pl)
{
	enum netio_udp_class	c = netio_classify_udp(pl->p, pl->len);

	if (c != NETIO_UDP_IKE && c != NETIO_UDP_KEEPALIVE)
		return "payload is neither IKE behind the non-ESP marker nor a keepalive";
	if (local->port != s->port)
		return "local port is not the NAT-T port";
	if (addr_is_unspec(remote))
		return "no remote address";
	return NULL;
}

/* One datagram of the client, p[0..len) in r->rbuf: checked, then sent. */
static void
relay_from_ikd(struct relay *r, uint8_t *p, size_t len)
{
	struct netio_msg	 m;
	struct gw_addr		 local, remote;
	struct view		 pl;
	const struct netio_sock	*s;
	const char		*why;

	if (ikerelay_decode(p, len, &local, &remote, &pl) != 0) {
		relay_bad(r, "malformed relay header");
		return;
	}
	s = &r->udp[local.af == AF_INET ? RELAY_V4 : RELAY_V6];
	if (s->fd == -1) {
		r->stats[GWSTAT_SEND_ERROR]++;
		log_debug("relay: no NAT-T socket of IPv%c", local.af == AF_INET ? '4' : '6');
		return;
	}
	if ((why = relay_check(s, &local, &remote, &pl)) != NULL) {
		relay_bad(r, why);
		return;
	}
	memset(&m, 0, sizeof(m));
	pkt_init(&m.pkt, p, len, 0);
	/* The payload is the datagram's tail: decode checked both lengths. */
	if (pkt_put(&m.pkt, len) == NULL || pkt_pull(&m.pkt, len - pl.len) == NULL) {
		relay_bad(r, "inconsistent length");
		return;
	}
	m.src = local;
	m.dst = remote;
	if (netio_send(s, &m, 1, r->sc) == 1 && m.err == 0) {
		r->stats[GWSTAT_IKE_RELAY_TX]++;
		return;
	}
	r->stats[GWSTAT_SEND_ERROR]++;
	log_debug("relay: send of %zu bytes from the NAT-T port: %s", pl.len,
	    strerror(m.err != 0 ? m.err : EIO));
}

/* Reads one datagram of the client: 1 handled, 0 nothing to read, -1 client gone. */
static int
relay_read_one(struct relay *r)
{
	struct iovec	iov = { .iov_base = r->rbuf, .iov_len = RELAY_MSG_MAX };
	struct msghdr	mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t		n;

	n = recvmsg(r->cfd, &mh, MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		relay_drop(r, strerror(errno));
		return -1;
	}
	if (n == 0) {
		relay_drop(r, "closed by the key daemon");
		return -1;
	}
	if ((size_t)n > RELAY_MSG_MAX || (mh.msg_flags & MSG_TRUNC))
		relay_bad(r, "datagram larger than a relay datagram can be");
	else
		relay_from_ikd(r, r->rbuf, (size_t)n);
	return 1;
}

static void
relay_client_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relay	*r = arg;
	int		 i;

	/* Bounded, so that a chatty client cannot starve the data path. */
	for (i = 0; i < RELAY_READ_BATCH; i++)
		if (relay_read_one(r) != 1)
			break;
}

/* ---- connections ---- */

bool
relay_allowed(const struct relay *r, uid_t uid)
{
	return uid == 0 || uid == geteuid() || (r->owner != (uid_t)-1 && uid == r->owner);
}

int
relay_attach(struct relay *r, int fd, uid_t uid, pid_t pid)
{
	struct event	*ev;

	if (!relay_allowed(r, uid)) {
		log_warnx("relay: uid %u pid %d refused: only root or tunneld's user may relay IKE",
		    (unsigned)uid, (int)pid);
		close(fd);
		return -1;
	}
	ev = event_new(r->base, fd, EV_READ | EV_PERSIST, relay_client_cb, r);
	if (ev == NULL || event_add(ev, NULL) == -1) {
		log_warnx("relay: uid %u pid %d: cannot watch the connection", (unsigned)uid,
		    (int)pid);
		if (ev != NULL)
			event_free(ev);
		close(fd);
		return -1;
	}
	if (r->cfd != -1)
		relay_drop(r, "a newer connection takes over");
	r->cfd = fd;
	r->ev_client = ev;
	r->cuid = uid;
	r->cpid = pid;
	log_info("relay: key daemon uid %u pid %d connected", (unsigned)uid, (int)pid);
	return 0;
}

static void
relay_pause_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relay	*r = arg;

	if (r->ev_listen != NULL)
		event_add(r->ev_listen, NULL);
}

/* ctlsock_attach_fn: relay_attach() logs what it refuses. */
static void
relay_accepted(void *arg, int fd, uid_t uid, pid_t pid)
{
	(void)relay_attach(arg, fd, uid, pid);
}

static void
relay_accept_cb(evutil_socket_t lfd, short ev, void *arg)
{
	struct relay	*r = arg;
	struct timeval	 sec = { .tv_sec = 1 };

	if (ctlsock_accept_all(lfd, "relay", relay_accepted, r) != 0) {
		/* Out of descriptors: wait a second instead of spinning. */
		event_del(r->ev_listen);
		evtimer_add(r->ev_pause, &sec);
	}
}

int
relay_listen(struct relay *r, int fd)
{
	r->lfd = fd;
	r->ev_listen = event_new(r->base, fd, EV_READ | EV_PERSIST, relay_accept_cb, r);
	if (r->ev_listen == NULL || event_add(r->ev_listen, NULL) == -1) {
		log_warnx("relay: cannot watch the listening socket");
		return -1;
	}
	return 0;
}
