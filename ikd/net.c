/*
 * net.c: UDP 500 sockets with the local address of every datagram, and
 * the relay connection for the NAT-T port.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctlsock.h"
#include "ike_msg.h"
#include "ikerelay.h"
#include "log.h"
#include "net.h"

#define NET_DGRAM_MAX	(IKERELAY_HLEN + IKERELAY_PAYLOAD_MAX)

struct net_sock {
	int		 fd;
	struct gw_addr	 addr;		/* bound address; unspec = wildcard of its family */
	struct event	*ev;
	struct net	*n;
};

struct net {
	struct event_base	*base;
	const struct ikd_conf	*conf;		/* borrowed: the listen lines */
	struct net_sock		 sock[NET_SOCK_MAX];
	size_t			 nsock;
	int			 relay_fd;
	struct event		*relay_ev;
	net_recv_fn		*recv;
	net_lost_fn		*lost;
	void			*arg;
	struct net_stats	 st;
	uint8_t			 buf[NET_DGRAM_MAX];	/* received */
	uint8_t			 txbuf[NET_DGRAM_MAX];	/* to the relay: a receive may answer */
};

static int
net_sockopts(int fd, sa_family_t af)
{
	int on = 1;

	if (af == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		return -1;
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
}

/* The local address of a received datagram from its packet info. */
static void
net_dst(struct msghdr *mh, const struct net_sock *s, struct gw_addr *local)
{
	struct cmsghdr *cm;

	*local = s->addr;
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local->af = AF_INET;
			local->u.v4 = pi.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local->af = AF_INET6;
			local->u.v6 = pi.ipi6_addr;
		}
	}
	local->plen = (uint8_t)addr_maxplen(local->af);
	local->port = s->addr.port;
}

static void
net_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct net_sock *s = arg;
	struct net *n = s->n;
	struct sockaddr_storage ss;
	union {
		struct cmsghdr	align;
		uint8_t		b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct iovec iov = { .iov_base = n->buf, .iov_len = sizeof(n->buf) };
	struct msghdr mh = {
		.msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	struct gw_addr local, remote;
	ssize_t len;
	int i;

	(void)what;
	/* A bounded batch, so that the relay and timers get their turn. */
	for (i = 0; i < 32; i++) {
		mh.msg_namelen = sizeof(ss);
		mh.msg_controllen = sizeof(cbuf.b);
		if ((len = recvmsg(fd, &mh, MSG_DONTWAIT)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("udp recvmsg");
			return;
		}
		if (addr_from_sockaddr((struct sockaddr *)&ss, mh.msg_namelen, &remote) != 0)
			continue;
		net_dst(&mh, s, &local);
		n->st.rx++;
		n->recv(n->arg, n->buf, (size_t)len, &local, &remote);
	}
}

/* Binds one UDP socket to a (with its port). */
static int
net_bind(struct net *n, const struct gw_addr *a, bool wildcard_ok)
{
	struct net_sock *s = &n->sock[n->nsock];
	struct sockaddr_storage ss;
	socklen_t sl;
	char ab[GW_ADDR_STRLEN];

	s->addr = *a;
	sl = addr_to_sockaddr(a, &ss);
	if ((s->fd = socket(a->af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		if (wildcard_ok && errno == EAFNOSUPPORT) {
			log_info("no IPv6 on this host: IKE over IPv4 only");
			return 0;
		}
		log_warn("socket");
		return -1;
	}
	if (net_sockopts(s->fd, a->af) == -1 || bind(s->fd, (struct sockaddr *)&ss, sl) == -1) {
		log_warn("udp %s port %u", addr_ntop(a, ab, sizeof(ab)), a->port);
		close(s->fd);
		return -1;
	}
	s->n = n;
	s->ev = event_new(n->base, s->fd, EV_READ | EV_PERSIST, net_udp_read, s);
	if (s->ev == NULL || event_add(s->ev, NULL) == -1) {
		close(s->fd);
		return -1;
	}
	n->nsock++;
	return 0;
}

static int
net_bind_all(struct net *n, const struct ikd_conf *c)
{
	struct gw_addr any4 = { .af = AF_INET, .port = CONF_PORT_IKE };
	struct gw_addr any6 = { .af = AF_INET6, .port = CONF_PORT_IKE };
	size_t i, nike = 0;

	for (i = 0; i < c->nlisten; i++) {
		if (c->listen[i].natt)
			continue;
		nike++;
		if (n->nsock == NET_SOCK_MAX || net_bind(n, &c->listen[i].addr, false) == -1)
			return -1;
	}
	if (nike > 0)
		return 0;
	return net_bind(n, &any4, false) == -1 || net_bind(n, &any6, true) == -1 ? -1 : 0;
}

struct net *
net_open(struct event_base *base, const struct ikd_conf *c, net_recv_fn *recv,
    net_lost_fn *lost, void *arg)
{
	struct net *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		log_warn("net");
		return NULL;
	}
	*n = (struct net){ .base = base, .conf = c, .relay_fd = -1, .recv = recv,
	    .lost = lost, .arg = arg };
	if (net_bind_all(n, c) == -1) {
		net_close(n);
		return NULL;
	}
	return n;
}

/* isakmp_natt lines, when there are any, say which local addresses take relayed IKE. */
static bool
net_natt_allowed(const struct net *n, const struct gw_addr *local)
{
	const struct ikd_conf *c = n->conf;
	bool any = false;
	size_t i;

	for (i = 0; i < c->nlisten; i++) {
		if (!c->listen[i].natt)
			continue;
		any = true;
		if (c->listen[i].addr.port == local->port &&
		    (addr_is_unspec(&c->listen[i].addr) ? c->listen[i].addr.af == local->af :
		    addr_eq(&c->listen[i].addr, local)))
			return true;
	}
	return !any;
}

static void
net_relay_drop(struct net *n, int err)
{
	if (n->relay_ev != NULL)
		event_free(n->relay_ev);
	n->relay_ev = NULL;
	if (n->relay_fd != -1)
		close(n->relay_fd);
	n->relay_fd = -1;
	n->lost(n->arg, err);
}

static void
net_relay_read(evutil_socket_t fd, short what, void *arg)
{
	struct net *n = arg;
	struct gw_addr local, remote;
	struct view pl;
	ssize_t len;
	int i;

	(void)what;
	for (i = 0; i < 32; i++) {
		if ((len = recv(fd, n->buf, sizeof(n->buf), MSG_DONTWAIT)) <= 0) {
			if (len == 0 || (errno != EAGAIN && errno != EINTR))
				net_relay_drop(n, len == 0 ? 0 : errno);
			return;
		}
		if (ikerelay_decode(n->buf, (size_t)len, &local, &remote, &pl) != 0) {
			n->st.relay_bad++;
			continue;
		}
		if (!net_natt_allowed(n, &local)) {
			n->st.relay_filtered++;
			continue;
		}
		n->st.relay_rx++;
		n->recv(n->arg, pl.p, pl.len, &local, &remote);
	}
}

int
net_relay_connect(struct net *n, const char *path)
{
	int fd;

	if ((fd = ctlsock_connect(path)) == -1)
		return -1;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		close(fd);
		return -1;
	}
	if (n->relay_fd != -1) {
		event_free(n->relay_ev);
		close(n->relay_fd);
	}
	n->relay_fd = fd;
	n->relay_ev = event_new(n->base, fd, EV_READ | EV_PERSIST, net_relay_read, n);
	if (n->relay_ev == NULL || event_add(n->relay_ev, NULL) == -1) {
		if (n->relay_ev != NULL)
			event_free(n->relay_ev);
		n->relay_ev = NULL;
		close(fd);
		n->relay_fd = -1;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

bool
net_relay_up(const struct net *n)
{
	return n->relay_fd != -1;
}

static int
net_relay_send(struct net *n, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	struct wr w = wr_init(n->txbuf, sizeof(n->txbuf));

	if (n->relay_fd == -1 || ikerelay_encode(&w, local, remote, p, len) != 0)
		return -1;
	if (send(n->relay_fd, n->txbuf, w.off, MSG_DONTWAIT) != (ssize_t)w.off)
		return -1;
	n->st.relay_tx++;
	return 0;
}

/* The socket for local: bound to its address, else the wildcard of its family. */
static const struct net_sock *
net_pick(const struct net *n, const struct gw_addr *local)
{
	const struct net_sock *wild = NULL;
	size_t i;

	for (i = 0; i < n->nsock; i++) {
		if (n->sock[i].addr.af != local->af)
			continue;
		if (addr_is_unspec(&n->sock[i].addr))
			wild = &n->sock[i];
		else if (addr_eq(&n->sock[i].addr, local))
			return &n->sock[i];
	}
	return wild;
}

static int
net_udp_send(struct net *n, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	const struct net_sock *s = net_pick(n, local);
	union {
		struct cmsghdr	align;
		uint8_t		b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)p, .iov_len = len };
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (s == NULL || (mh.msg_namelen = addr_to_sockaddr(remote, &ss)) == 0)
		return -1;
	if (addr_is_unspec(&s->addr) && !addr_is_unspec(local)) {
		/* A wildcard socket: answer from the address the peer talked to. */
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		cm = (struct cmsghdr *)cbuf.b;
		if (local->af == AF_INET) {
			struct in_pktinfo pi = { .ipi_spec_dst = local->u.v4 };

			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			*cm = (struct cmsghdr){ .cmsg_level = IPPROTO_IP, .cmsg_type = IP_PKTINFO,
			    .cmsg_len = CMSG_LEN(sizeof(pi)) };
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		} else {
			struct in6_pktinfo pi = { .ipi6_addr = local->u.v6 };

			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			*cm = (struct cmsghdr){ .cmsg_level = IPPROTO_IPV6,
			    .cmsg_type = IPV6_PKTINFO, .cmsg_len = CMSG_LEN(sizeof(pi)) };
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	}
	return sendmsg(s->fd, &mh, MSG_DONTWAIT) == (ssize_t)len ? 0 : -1;
}

int
net_send(struct net *n, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote)
{
	int rc;

	if (local->port != CONF_PORT_IKE)
		rc = net_relay_send(n, p, len, local, remote);
	else
		rc = net_udp_send(n, p, len, local, remote);
	if (rc == 0)
		n->st.tx++;
	else
		n->st.tx_fail++;
	return rc;
}

const struct net_stats *
net_stats(const struct net *n)
{
	return &n->st;
}

void
net_close(struct net *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nsock; i++) {
		event_free(n->sock[i].ev);
		close(n->sock[i].fd);
	}
	if (n->relay_ev != NULL)
		event_free(n->relay_ev);
	if (n->relay_fd != -1)
		close(n->relay_fd);
	free(n);
}
