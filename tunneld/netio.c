/* netio.c: batched raw and UDP sockets of the data path; see netio.h. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/filter.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "netio.h"

static int
netio_setopt(int fd, int level, int name, const char *what)
{
	int on = 1;

	if (setsockopt(fd, level, name, &on, sizeof(on)) == -1) {
		log_warn("netio: setsockopt %s", what);
		return -1;
	}
	return 0;
}

static int
netio_socket(sa_family_t af, int type, int proto)
{
	int fd;

	if (af != AF_INET && af != AF_INET6) {
		log_warnx("netio: address family %d not supported", af);
		return -1;
	}
	fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd == -1)
		log_warn("netio: socket(%s, %d, %d)", af == AF_INET ? "inet" : "inet6", type,
		    proto);
	return fd;
}

/*
 * IPv6 raw and UDP sockets say where a packet was addressed and its
 * traffic class in ancillary data; IPv4 UDP does the same. IPv4 raw
 * sockets need none: the header comes along.
 */
static int
netio_want_cmsgs(int fd, sa_family_t af)
{
	if (af == AF_INET6)
		return netio_setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO") |
		    netio_setopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, "IPV6_RECVTCLASS");
	return netio_setopt(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO") |
	    netio_setopt(fd, IPPROTO_IP, IP_RECVTOS, "IP_RECVTOS");
}

/*
 * The default queue (net.core.rmem_default, about 200 KiB: 90 full-size
 * packets) overflows in the bursts of a TCP transfer. A packet that no raw
 * socket had room for counts as undelivered: the kernel drops it and
 * answers the peer with ICMP protocol unreachable (IpInUnknownProtos grows
 * with the socket's drops). SO_RCVBUFFORCE (CAP_NET_ADMIN) is not
 * capped by net.core.rmem_max; SO_RCVBUF is. A smaller queue still works.
 */
static void
netio_rcvbuf(int fd)
{
	int sz = NETIO_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) == -1)
		log_debug("netio: SO_RCVBUF %d: %s", sz, strerror(errno));
}

int
netio_open_raw_recv(struct netio_sock *s, sa_family_t af, uint8_t proto)
{
	int fd;

	if ((fd = netio_socket(af, SOCK_RAW, proto)) == -1)
		return -1;
	netio_rcvbuf(fd);
	if (af == AF_INET6 && netio_want_cmsgs(fd, af) == -1) {
		close(fd);
		return -1;
	}
	*s = (struct netio_sock){ .fd = fd, .af = af, .kind = NETIO_RAW_RECV, .proto = proto };
	return 0;
}

/*
 * An IPPROTO_RAW socket also receives every packet of IP protocol 255
 * addressed to this host, and a send socket is never read. shutdown(SHUT_RD)
 * does not stop that (an unconnected raw socket answers ENOTCONN and keeps
 * queueing); a filter that accepts nothing does. Without it, such packets
 * only sit in a bounded queue: a failure is not fatal.
 */
static void
netio_no_input(int fd)
{
	struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = none };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1)
		log_debug("netio: SO_ATTACH_FILTER on the raw send socket: %s", strerror(errno));
}

int
netio_open_raw_send(struct netio_sock *s, sa_family_t af)
{
	int fd;

	if ((fd = netio_socket(af, SOCK_RAW, IPPROTO_RAW)) == -1)
		return -1;
	/* IPv4 IPPROTO_RAW implies IP_HDRINCL; IPv6 must ask (Linux 4.5+). */
	if (af == AF_INET6 && netio_setopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, "IPV6_HDRINCL")) {
		close(fd);
		return -1;
	}
	netio_no_input(fd);
	*s = (struct netio_sock){ .fd = fd, .af = af, .kind = NETIO_RAW_SEND,
	    .proto = IPPROTO_RAW };
	return 0;
}

int
netio_open_udp(struct netio_sock *s, const struct gw_addr *local)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char a[INET6_ADDRSTRLEN];
	int fd;

	if ((fd = netio_socket(local->af, SOCK_DGRAM, IPPROTO_UDP)) == -1)
		return -1;
	netio_rcvbuf(fd);
	if ((local->af == AF_INET6 &&
	    netio_setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY") == -1) ||
	    netio_want_cmsgs(fd, local->af) == -1)
		goto fail;
	sl = addr_to_sockaddr(local, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1) {
		log_warn("netio: bind %s port %u", addr_ntop(local, a, sizeof(a)), local->port);
		goto fail;
	}
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		log_warn("netio: getsockname");
		goto fail;
	}
	*s = (struct netio_sock){ .fd = fd, .af = local->af, .kind = NETIO_UDP,
	    .proto = IPPROTO_UDP, .port = ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port) };
	return 0;
fail:
	close(fd);
	return -1;
}

void
netio_close(struct netio_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void
netio_addr(struct gw_addr *a, sa_family_t af, const void *bytes)
{
	memset(a, 0, sizeof(*a));
	a->af = af;
	a->plen = (uint8_t)addr_maxplen(af);
	memcpy(a->u.b, bytes, addr_len(af));
}

/* Takes the local address and DS field out of the ancillary data. */
static int
netio_cmsgs(struct msghdr *mh, struct netio_msg *m)
{
	struct cmsghdr *c;
	struct in_pktinfo pi;
	struct in6_pktinfo pi6;
	int tclass;

	if (mh->msg_flags & MSG_CTRUNC)
		return GW_E_TOOLONG;
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			netio_addr(&m->dst, AF_INET, &pi.ipi_addr);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS &&
		    c->cmsg_len >= CMSG_LEN(1)) {
			m->tos = *CMSG_DATA(c);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(pi6))) {
			memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
			netio_addr(&m->dst, AF_INET6, &pi6.ipi6_addr);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(tclass))) {
			memcpy(&tclass, CMSG_DATA(c), sizeof(tclass));
			m->tos = (uint8_t)tclass;
		}
	}
	return m->dst.af == AF_UNSPEC ? GW_E_SHORT : 0;
}

/* An IPv4 raw socket delivers the header: read the addresses from it, then strip it. */
static int
netio_strip_ipv4(const struct netio_sock *s, struct netio_msg *m)
{
	struct pkt_outer o;
	int rc;

	if ((rc = pkt_outer_parse(pkt_data(&m->pkt), m->pkt.len, &o)) != 0)
		return rc;
	if (o.proto != s->proto)
		return GW_E_UNKNOWN;
	m->src = o.src;
	m->dst = o.dst;
	m->tos = o.tos;
	/* pkt_outer_parse guarantees hlen <= totlen <= len. */
	pkt_pull(&m->pkt, o.hlen);
	pkt_trim(&m->pkt, m->pkt.len - (o.totlen - o.hlen));
	return 0;
}

static int
netio_fill(const struct netio_sock *s, struct netio_msg *m, struct mmsghdr *h)
{
	int rc;

	m->pkt.len = h->msg_len;
	m->tos = 0;
	memset(&m->src, 0, sizeof(m->src));
	memset(&m->dst, 0, sizeof(m->dst));
	if (h->msg_hdr.msg_flags & MSG_TRUNC)
		return GW_E_TOOLONG;
	if (s->af == AF_INET && s->kind == NETIO_RAW_RECV)
		return netio_strip_ipv4(s, m);
	if ((rc = addr_from_sockaddr(h->msg_hdr.msg_name, h->msg_hdr.msg_namelen, &m->src)))
		return rc;
	if ((rc = netio_cmsgs(&h->msg_hdr, m)) != 0)
		return rc;
	if (s->kind == NETIO_UDP)
		m->dst.port = s->port;
	return 0;
}

int
netio_recv(const struct netio_sock *s, struct netio_msg *m, unsigned n,
    struct netio_scratch *sc)
{
	unsigned i;
	int r;

	if (n > NETIO_BATCH_MAX)
		n = NETIO_BATCH_MAX;
	for (i = 0; i < n; i++) {
		m[i].pkt.len = 0;
		sc->iov[i] = (struct iovec){ pkt_data(&m[i].pkt), pkt_tailroom(&m[i].pkt) };
		sc->hdr[i].msg_hdr = (struct msghdr){ .msg_name = &sc->name[i],
		    .msg_namelen = sizeof(sc->name[i]), .msg_iov = &sc->iov[i], .msg_iovlen = 1,
		    .msg_control = sc->ctl[i].buf, .msg_controllen = sizeof(sc->ctl[i].buf) };
	}
	do {
		r = recvmmsg(s->fd, sc->hdr, n, MSG_DONTWAIT, NULL);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	for (i = 0; i < (unsigned)r; i++)
		m[i].err = netio_fill(s, &m[i], &sc->hdr[i]);
	return r;
}

/* Where a packet built with pkt_outer_build goes: its header's destination. */
static socklen_t
netio_hdr_dst(const uint8_t *p, size_t len, struct sockaddr_storage *ss)
{
	struct rd r = rd_init(p, len);
	struct gw_addr a;
	uint8_t b[16], v;

	if (rd_u8(&r, &v))
		return 0;
	r = rd_init(p, len);
	if (v >> 4 == 4 && rd_skip(&r, 16) == 0 && rd_copy(&r, b, 4) == 0)
		netio_addr(&a, AF_INET, b);
	else if (v >> 4 == 6 && rd_skip(&r, 24) == 0 && rd_copy(&r, b, 16) == 0)
		netio_addr(&a, AF_INET6, b);
	else
		return 0;
	return addr_to_sockaddr(&a, ss);
}

/* Asks for the UDP source address when the caller chose one. */
static void
netio_set_src(struct msghdr *mh, union netio_cmsg *ctl, const struct gw_addr *src)
{
	struct cmsghdr *c;
	struct in_pktinfo pi = { 0 };
	struct in6_pktinfo pi6 = { 0 };

	if (src->af != AF_INET && src->af != AF_INET6)
		return;
	memset(ctl, 0, sizeof(*ctl));
	mh->msg_control = ctl->buf;
	mh->msg_controllen = src->af == AF_INET ? CMSG_SPACE(sizeof(pi)) : CMSG_SPACE(sizeof(pi6));
	c = CMSG_FIRSTHDR(mh);
	if (src->af == AF_INET) {
		memcpy(&pi.ipi_spec_dst, src->u.b, 4);
		*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(pi)),
		    .cmsg_level = IPPROTO_IP, .cmsg_type = IP_PKTINFO };
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		memcpy(&pi6.ipi6_addr, src->u.b, 16);
		*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(pi6)),
		    .cmsg_level = IPPROTO_IPV6, .cmsg_type = IPV6_PKTINFO };
		memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
	}
}

/* Fills the kernel headers for m[0..n); returns how many are sendable. */
static unsigned
netio_prepare(const struct netio_sock *s, struct netio_msg *m, unsigned n,
    struct netio_scratch *sc)
{
	struct msghdr *mh;
	socklen_t sl;
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		if (s->kind == NETIO_RAW_SEND)
			sl = netio_hdr_dst(pkt_data(&m[i].pkt), m[i].pkt.len, &sc->name[k]);
		else
			sl = m[i].dst.af == s->af ? addr_to_sockaddr(&m[i].dst, &sc->name[k]) : 0;
		if (sl == 0 || sc->name[k].ss_family != s->af) {
			m[i].err = EAFNOSUPPORT;
			continue;
		}
		m[i].err = 0;
		sc->iov[k] = (struct iovec){ pkt_data(&m[i].pkt), m[i].pkt.len };
		mh = &sc->hdr[k].msg_hdr;
		*mh = (struct msghdr){ .msg_name = &sc->name[k], .msg_namelen = sl,
		    .msg_iov = &sc->iov[k], .msg_iovlen = 1 };
		if (s->kind == NETIO_UDP)
			netio_set_src(mh, &sc->ctl[k], &m[i].src);
		sc->map[k++] = i;
	}
	return k;
}

int
netio_send(const struct netio_sock *s, struct netio_msg *m, unsigned n,
    struct netio_scratch *sc)
{
	unsigned j = 0, k, sent = 0;
	int r;

	if (n > NETIO_BATCH_MAX)
		n = NETIO_BATCH_MAX;
	k = netio_prepare(s, m, n, sc);
	while (j < k) {
		r = sendmmsg(s->fd, &sc->hdr[j], k - j, MSG_DONTWAIT);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			/* The queue is full: the rest waits for the caller's retry. */
			for (; j < k; j++)
				m[sc->map[j]].err = EAGAIN;
			break;
		}
		if (r == -1) {
			/* This one cannot go (EMSGSIZE, no route, a firewall): skip it. */
			m[sc->map[j++]].err = errno;
			continue;
		}
		sent += (unsigned)r;
		j += (unsigned)r;
	}
	return (int)sent;
}

enum netio_udp_class
netio_classify_udp(const uint8_t *p, size_t len)
{
	struct rd r = rd_init(p, len);
	uint32_t spi;
	uint8_t b;

	if (len == 1)
		return rd_u8(&r, &b) == 0 && b == 0xff ? NETIO_UDP_KEEPALIVE : NETIO_UDP_BAD;
	if (rd_u32be(&r, &spi))
		return NETIO_UDP_BAD;
	if (spi == 0)
		return rd_left(&r) >= NETIO_IKE_HLEN ? NETIO_UDP_IKE : NETIO_UDP_BAD;
	return len >= NETIO_ESP_HLEN ? NETIO_UDP_ESP : NETIO_UDP_BAD;
}
