/* ctl.c: the PF_KEY socket server; see ctl.h. */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl.h"
#include "ctlsock.h"
#include "log.h"
#include "pfkey.h"
#include "secmem.h"

struct ctl_buf {
	STAILQ_ENTRY(ctl_buf)	 entry;
	size_t			 len;
	uint8_t			 data[];
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct ctl		*ctl;
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;
	struct key_client	 kc;
	STAILQ_HEAD(, ctl_buf)	 outq;
	size_t			 qbytes;
	bool			 closing;	/* close once outq has drained */
};

struct ctl {
	struct event_base	*base;
	struct key		*key;
	uid_t			 owner;
	int			 lfd;
	struct event		*ev_listen;
	struct event		*ev_pause;	/* re-arms the listener after EMFILE */
	struct event		*ev_reap;	/* frees dropped connections */
	TAILQ_HEAD(, ctl_conn)	 conns;
	size_t			 nconns;
	uint8_t			*rbuf;		/* PFK_MSG_MAX */
};

#define CTL_CONN(kc)	((struct ctl_conn *)(void *)((char *)(kc) - \
			    offsetof(struct ctl_conn, kc)))

static void ctl_reap_cb(evutil_socket_t, short, void *);
static void ctl_pause_cb(evutil_socket_t, short, void *);

struct ctl *
ctl_new(struct event_base *base, struct key *k, uid_t owner)
{
	struct ctl	*ctl;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return NULL;
	ctl->base = base;
	ctl->key = k;
	ctl->owner = owner;
	ctl->lfd = -1;
	TAILQ_INIT(&ctl->conns);
	ctl->rbuf = malloc(PFK_MSG_MAX);
	ctl->ev_reap = event_new(base, -1, 0, ctl_reap_cb, ctl);
	ctl->ev_pause = evtimer_new(base, ctl_pause_cb, ctl);
	if (ctl->rbuf == NULL || ctl->ev_reap == NULL || ctl->ev_pause == NULL) {
		ctl_free(ctl);
		return NULL;
	}
	return ctl;
}

static void
ctl_conn_free(struct ctl_conn *c)
{
	struct ctl	*ctl = c->ctl;
	struct ctl_buf	*b;

	key_detach(ctl->key, &c->kc);
	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	event_free(c->ev_read);
	event_free(c->ev_write);
	close(c->fd);
	/* Queued replies may hold keys (GET, DUMP). */
	while ((b = STAILQ_FIRST(&c->outq)) != NULL) {
		STAILQ_REMOVE_HEAD(&c->outq, entry);
		secure_free(b, sizeof(*b) + b->len);
	}
	free(c);
}

void
ctl_free(struct ctl *ctl)
{
	struct ctl_conn	*c;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		ctl_conn_free(c);
	if (ctl->ev_listen != NULL)
		event_free(ctl->ev_listen);
	if (ctl->lfd != -1)
		close(ctl->lfd);
	if (ctl->ev_pause != NULL)
		event_free(ctl->ev_pause);
	if (ctl->ev_reap != NULL)
		event_free(ctl->ev_reap);
	secure_free(ctl->rbuf, PFK_MSG_MAX);
	free(ctl);
}

size_t
ctl_nclients(const struct ctl *ctl)
{
	return ctl->nconns;
}

/* Drops c: no more I/O; the memory goes at the next reap. */
static void
ctl_kill(struct ctl_conn *c, const char *why)
{
	if (c->kc.dead)
		return;
	log_debug("client uid %u pid %d: dropped: %s", (unsigned)c->kc.uid, (int)c->kc.pid, why);
	c->kc.dead = true;
	event_del(c->ev_read);
	event_del(c->ev_write);
	event_active(c->ctl->ev_reap, 0, 0);
}

static void
ctl_reap_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl	*ctl = arg;
	struct ctl_conn	*c, *next;

	for (c = TAILQ_FIRST(&ctl->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->kc.dead)
			ctl_conn_free(c);
	}
}

/* Reads while nothing is queued; writes while something is. */
static void
ctl_rearm(struct ctl_conn *c)
{
	if (c->kc.dead)
		return;
	if (!STAILQ_EMPTY(&c->outq)) {
		event_del(c->ev_read);
		event_add(c->ev_write, NULL);
		return;
	}
	event_del(c->ev_write);
	if (c->closing)
		ctl_kill(c, "malformed message");
	else
		event_add(c->ev_read, NULL);
}

static bool
ctl_again(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

/* Sends what is queued. 0, or -1 when c was dropped. */
static int
ctl_flush(struct ctl_conn *c)
{
	struct ctl_buf	*b;

	while ((b = STAILQ_FIRST(&c->outq)) != NULL) {
		if (send(c->fd, b->data, b->len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
			if (ctl_again(errno))
				return 0;
			ctl_kill(c, strerror(errno));
			return -1;
		}
		STAILQ_REMOVE_HEAD(&c->outq, entry);
		c->qbytes -= b->len;
		secure_free(b, sizeof(*b) + b->len);
	}
	return 0;
}

static void
ctl_write_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (ctl_flush(c) == 0)
		ctl_rearm(c);
}

int
ctl_send(void *arg, struct key_client *kc, const uint8_t *msg, size_t len, bool reply)
{
	struct ctl_conn	*c = CTL_CONN(kc);
	struct ctl_buf	*b;

	if (kc->dead)
		return -1;
	if (!reply && c->qbytes + len > CTL_QUEUE_MAX) {
		ctl_kill(c, "send queue overflow");
		return -1;
	}
	if (STAILQ_EMPTY(&c->outq)) {
		if (send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) != -1)
			return 0;
		if (!ctl_again(errno)) {
			ctl_kill(c, strerror(errno));
			return -1;
		}
	}
	if ((b = malloc(sizeof(*b) + len)) == NULL) {
		ctl_kill(c, "out of memory for its send queue");
		return -1;
	}
	b->len = len;
	memcpy(b->data, msg, len);
	STAILQ_INSERT_TAIL(&c->outq, b, entry);
	c->qbytes += len;
	ctl_rearm(c);
	return 0;
}

/* Reads and handles one datagram: 1 done, 0 nothing to read, -1 dropped. */
static int
ctl_read_one(struct ctl_conn *c)
{
	struct ctl	*ctl = c->ctl;
	struct iovec	 iov = { .iov_base = ctl->rbuf, .iov_len = PFK_MSG_MAX };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t		 n;

	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1) {
		if (ctl_again(errno))
			return 0;
		ctl_kill(c, strerror(errno));
		return -1;
	}
	if (n == 0) {
		ctl_kill(c, "connection closed");
		return -1;
	}
	if ((size_t)n > PFK_MSG_MAX || (mh.msg_flags & MSG_TRUNC)) {
		secure_wipe(ctl->rbuf, PFK_MSG_MAX);
		ctl_kill(c, "datagram larger than PFK_MSG_MAX");
		return -1;
	}
	if (key_input(ctl->key, &c->kc, ctl->rbuf, (size_t)n) == -1)
		c->closing = true;
	secure_wipe(ctl->rbuf, (size_t)n);
	return 1;
}

static void
ctl_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;
	int		 i;

	for (i = 0; i < CTL_READ_BATCH; i++) {
		if (c->kc.dead || c->closing || !STAILQ_EMPTY(&c->outq))
			break;
		if (ctl_read_one(c) != 1)
			break;
	}
	ctl_rearm(c);
}

static bool
ctl_priv(const struct ctl *ctl, uid_t uid)
{
	return uid == 0 || uid == geteuid() || (ctl->owner != (uid_t)-1 && uid == ctl->owner);
}

struct ctl_conn *
ctl_attach(struct ctl *ctl, int fd, uid_t uid, pid_t pid)
{
	struct ctl_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return NULL;
	}
	c->ctl = ctl;
	c->fd = fd;
	STAILQ_INIT(&c->outq);
	c->ev_read = event_new(ctl->base, fd, EV_READ | EV_PERSIST, ctl_read_cb, c);
	c->ev_write = event_new(ctl->base, fd, EV_WRITE | EV_PERSIST, ctl_write_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL || event_add(c->ev_read, NULL) == -1) {
		if (c->ev_read != NULL)
			event_free(c->ev_read);
		if (c->ev_write != NULL)
			event_free(c->ev_write);
		close(fd);
		free(c);
		return NULL;
	}
	key_attach(ctl->key, &c->kc, uid, pid, ctl_priv(ctl, uid));
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	log_debug("client uid %u pid %d connected%s", (unsigned)uid, (int)pid,
	    c->kc.priv ? "" : " (read-only)");
	return c;
}

static void
ctl_pause_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl	*ctl = arg;

	if (ctl->ev_listen != NULL)
		event_add(ctl->ev_listen, NULL);
}

/* Out of descriptors: stop accepting for a second instead of spinning. */
static void
ctl_pause(struct ctl *ctl)
{
	struct timeval	tv = { .tv_sec = 1 };

	event_del(ctl->ev_listen);
	evtimer_add(ctl->ev_pause, &tv);
}

/* ctlsock_attach_fn: a new client, unless CTL_MAX_CLIENTS are connected. */
static void
ctl_accepted(void *arg, int fd, uid_t uid, pid_t pid)
{
	struct ctl	*ctl = arg;

	if (ctl->nconns >= CTL_MAX_CLIENTS) {
		log_warnx("uid %u pid %d: refused, %d clients connected", (unsigned)uid,
		    (int)pid, CTL_MAX_CLIENTS);
		close(fd);
		return;
	}
	ctl_attach(ctl, fd, uid, pid);
}

static void
ctl_accept_cb(evutil_socket_t lfd, short ev, void *arg)
{
	if (ctlsock_accept_all(lfd, "control", ctl_accepted, arg) != 0)
		ctl_pause(arg);
}

int
ctl_listen(struct ctl *ctl, int fd)
{
	ctl->lfd = fd;
	ctl->ev_listen = event_new(ctl->base, fd, EV_READ | EV_PERSIST, ctl_accept_cb, ctl);
	if (ctl->ev_listen == NULL || event_add(ctl->ev_listen, NULL) == -1) {
		log_warnx("cannot watch the listening socket");
		return -1;
	}
	return 0;
}
