/*
 * test_relay.c: the IKE relay in-process. The client is one end of a
 * socketpair(AF_UNIX, SOCK_SEQPACKET) (or a real connection to the
 * listening socket in a temporary directory); the NAT-T socket is a real
 * UDP socket from netio on 127.0.0.1 and the peer a plain UDP socket
 * there. Covers who may connect, a newer client replacing an older one,
 * datagrams both ways, every refusal of what the client sends, a full
 * client queue, a vanished client, and the fast path's hand-over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctlsock.h"
#include "fpt.h"
#include "gwstats.h"
#include "ikerelay.h"
#include "relay.h"

#define OWNER	4321

struct fx {
	struct event_base	*base;
	uint64_t		 stats[GWSTAT_MAX];
	struct relay		*r;
	struct netio_sock	 udp;		/* the NAT-T socket on 127.0.0.1 */
	struct gw_addr		 local;		/* 127.0.0.1 and its port */
	int			 peer;		/* the IKE peer's UDP socket */
	struct gw_addr		 peer_addr;
	int			 cl;		/* the client's end; -1: none */
	uint8_t			 buf[RELAY_MSG_MAX + 16];
};

/* The non-ESP marker and an IKE header (IKE_SA_INIT request, length 32). */
static const uint8_t ike[36] = {
	0, 0, 0, 0,
	0x8a, 0x3f, 0x11, 0xd2, 0xc4, 0xe5, 0xf6, 0x07, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x20, 0x22, 0x08, 0, 0, 0, 0, 0, 0, 0, 32, 1, 2, 3, 4,
};

static struct gw_addr
EP(const char *s, uint16_t port)
{
	struct gw_addr	a = kt_addr(s);

	a.port = port;
	return a;
}

/* A plain UDP socket on 127.0.0.1, its address with the port in *a. */
static int
udp_peer(struct gw_addr *a)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		sl = sizeof(sin);
	int			fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*a = EP("127.0.0.1", ntohs(sin.sin_port));
	return fd;
}

/* A connected client pair: the relay's end attached as uid, ours returned. */
static int
attach(struct fx *f, uid_t uid, int want)
{
	int	sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv), 0);
	assert_int_equal(relay_attach(f->r, sv[0], uid, 777), want);
	return sv[1];
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	struct gw_addr	 any = EP("127.0.0.1", 0);

	assert_non_null(f);
	f->base = event_base_new();
	assert_non_null(f->base);
	f->r = relay_new(f->base, f->stats, OWNER);
	assert_non_null(f->r);
	assert_int_equal(netio_open_udp(&f->udp, &any), 0);
	assert_int_equal(relay_set_udp(f->r, &f->udp), 0);
	f->local = EP("127.0.0.1", f->udp.port);
	f->peer = udp_peer(&f->peer_addr);
	f->cl = -1;
	*state = f;
	return 0;
}

static int
setup_client(void **state)
{
	struct fx	*f;

	setup(state);
	f = *state;
	f->cl = attach(f, 0, 0);
	assert_true(relay_connected(f->r));
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	relay_free(f->r);
	netio_close(&f->udp);
	close(f->peer);
	if (f->cl != -1)
		close(f->cl);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* Runs the event loop until nothing is ready. */
static void
pump(struct fx *f)
{
	int	i;

	for (i = 0; i < 4; i++)
		assert_int_not_equal(event_base_loop(f->base, EVLOOP_NONBLOCK), -1);
}

/* A datagram on fd within ms milliseconds: its length, or -1. */
static ssize_t
recv_wait(int fd, void *buf, size_t len, int ms, struct sockaddr_in *from)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	socklen_t	sl = sizeof(*from);

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	if (from != NULL)
		return recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from, &sl);
	return recv(fd, buf, len, MSG_DONTWAIT);
}

/* The client sends payload from local to remote through the relay. */
static void
client_send(struct fx *f, const struct gw_addr *l, const struct gw_addr *r,
    const uint8_t *p, size_t len)
{
	struct wr	w = wr_init(f->buf, sizeof(f->buf));

	assert_int_equal(ikerelay_encode(&w, l, r, p, len), 0);
	assert_int_equal(send(f->cl, f->buf, w.off, MSG_NOSIGNAL), (ssize_t)w.off);
	pump(f);
}

/* The client sends raw bytes. */
static void
client_raw(struct fx *f, const uint8_t *p, size_t len)
{
	assert_int_equal(send(f->cl, p, len, MSG_NOSIGNAL), (ssize_t)len);
	pump(f);
}

/* Whether fd has reached end of file (its other end closed). */
static bool
at_eof(int fd)
{
	char	c;

	return recv_wait(fd, &c, 1, 1000, NULL) == 0;
}

/* ---- who may connect ---- */

static void
test_allowed(void **state)
{
	struct fx	*f = *state;
	struct relay	*r2 = relay_new(f->base, f->stats, (uid_t)-1);

	assert_non_null(r2);
	assert_true(relay_allowed(f->r, 0));
	assert_true(relay_allowed(f->r, geteuid()));
	assert_true(relay_allowed(f->r, OWNER));
	if (geteuid() != OWNER + 1)
		assert_false(relay_allowed(f->r, OWNER + 1));
	/* Without -u, nobody else, and (uid_t)-1 is no wildcard. */
	assert_true(relay_allowed(r2, 0));
	if (geteuid() != OWNER)
		assert_false(relay_allowed(r2, OWNER));
	if (geteuid() != (uid_t)-1)
		assert_false(relay_allowed(r2, (uid_t)-1));
	relay_free(r2);
}

static void
test_attach_refused(void **state)
{
	struct fx	*f = *state;
	int		 fd;

	if (geteuid() == OWNER + 1)
		skip();
	fd = attach(f, OWNER + 1, -1);
	assert_false(relay_connected(f->r));
	/* The relay closed its end. */
	assert_true(at_eof(fd));
	close(fd);
	fd = attach(f, OWNER, 0);
	assert_true(relay_connected(f->r));
	close(fd);
}

static void
test_newer_client_wins(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 remote = EP("198.51.100.7", 61000);
	int		 a = attach(f, 0, 0), b = attach(f, OWNER, 0);
	ssize_t		 n;

	assert_true(at_eof(a));
	assert_int_equal(relay_to_ikd(f->r, &f->local, &remote, ike, sizeof(ike)), 0);
	n = recv_wait(b, f->buf, sizeof(f->buf), 1000, NULL);
	assert_int_equal(n, IKERELAY_HLEN + sizeof(ike));
	close(a);
	close(b);
}

static void
test_listen_accept(void **state)
{
	struct fx	*f = *state;
	char		 dir[] = "/tmp/test_relay.XXXXXX", sock[256], path[256];
	struct stat	 st;
	int		 lfd, a, b;

	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/run/pfkey", dir);
	assert_int_equal(ikerelay_path(sock, path, sizeof(path)), 0);
	lfd = ctlsock_listen(path);
	assert_true(lfd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(relay_listen(f->r, lfd), 0);
	a = ctlsock_connect(path);
	assert_true(a >= 0);
	pump(f);
	/* Our own uid is tunneld's here: allowed. */
	assert_true(relay_connected(f->r));
	b = ctlsock_connect(path);
	assert_true(b >= 0);
	pump(f);
	assert_true(relay_connected(f->r));
	assert_true(at_eof(a));
	close(a);
	close(b);
	pump(f);
	assert_false(relay_connected(f->r));
	unlink(path);
	snprintf(sock, sizeof(sock), "%s/run", dir);
	rmdir(sock);
	rmdir(dir);
}

/* ---- from the network to the client ---- */

static void
test_to_ikd_no_client(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 remote = EP("198.51.100.7", 61000);

	assert_int_equal(relay_to_ikd(f->r, &f->local, &remote, ike, sizeof(ike)), -1);
}

static void
to_ikd(struct fx *f, const struct gw_addr *l, const struct gw_addr *r)
{
	struct gw_addr	gl, gr;
	struct view	v;
	ssize_t		n;

	assert_int_equal(relay_to_ikd(f->r, l, r, ike, sizeof(ike)), 0);
	n = recv_wait(f->cl, f->buf, sizeof(f->buf), 1000, NULL);
	assert_int_equal(n, IKERELAY_HLEN + sizeof(ike));
	assert_int_equal(ikerelay_decode(f->buf, (size_t)n, &gl, &gr, &v), 0);
	assert_true(addr_eq(&gl, l) && gl.port == l->port);
	assert_true(addr_eq(&gr, r) && gr.port == r->port);
	assert_int_equal(v.len, sizeof(ike));
	assert_memory_equal(v.p, ike, sizeof(ike));
}

static void
test_to_ikd(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 l4 = EP("192.0.2.1", 4500), r4 = EP("198.51.100.7", 61000);
	struct gw_addr	 l6 = EP("2001:db8::1", 4500), r6 = EP("2001:db8::2", 4500);

	to_ikd(f, &l4, &r4);
	to_ikd(f, &l6, &r6);
}

static void
test_to_ikd_bad_args(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 l = EP("192.0.2.1", 0), r = EP("198.51.100.7", 61000);
	struct gw_addr	 r6 = EP("2001:db8::2", 4500);

	assert_int_equal(relay_to_ikd(f->r, &l, &r, ike, sizeof(ike)), -1);
	l.port = 4500;
	assert_int_equal(relay_to_ikd(f->r, &l, &r6, ike, sizeof(ike)), -1);
	assert_int_equal(relay_to_ikd(f->r, &l, &r, ike, 0), -1);
	assert_true(relay_connected(f->r));
	assert_int_equal(recv_wait(f->cl, f->buf, sizeof(f->buf), 50, NULL), -1);
}

/* A client that does not read loses datagrams, but not its connection. */
static void
test_to_ikd_full(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 remote = EP("198.51.100.7", 61000);
	uint8_t		 big[1400] = { 0 };
	int		 i, sent = 0;

	for (i = 0; i < 100000; i++) {
		if (relay_to_ikd(f->r, &f->local, &remote, big, sizeof(big)) != 0)
			break;
		sent++;
	}
	assert_true(sent > 0 && i < 100000);
	assert_true(relay_connected(f->r));
	assert_int_equal(relay_to_ikd(f->r, &f->local, &remote, big, sizeof(big)), -1);
	/* Room again after the client read. */
	for (i = 0; i < sent; i++)
		assert_true(recv_wait(f->cl, f->buf, sizeof(f->buf), 1000, NULL) > 0);
	assert_int_equal(relay_to_ikd(f->r, &f->local, &remote, big, sizeof(big)), 0);
}

static void
test_to_ikd_client_gone(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 remote = EP("198.51.100.7", 61000);

	close(f->cl);
	f->cl = -1;
	assert_int_equal(relay_to_ikd(f->r, &f->local, &remote, ike, sizeof(ike)), -1);
	assert_false(relay_connected(f->r));
}

static void
test_client_eof(void **state)
{
	struct fx	*f = *state;

	close(f->cl);
	f->cl = -1;
	pump(f);
	assert_false(relay_connected(f->r));
}

/* ---- from the client to the network ---- */

/* The peer gets exactly p[0..len) from the relay's NAT-T socket. */
static void
assert_peer_got(struct fx *f, const uint8_t *p, size_t len)
{
	struct sockaddr_in	from;
	ssize_t			n = recv_wait(f->peer, f->buf, sizeof(f->buf), 1000, &from);

	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(f->buf, p, len);
	assert_int_equal(ntohs(from.sin_port), f->udp.port);
	assert_int_equal(ntohl(from.sin_addr.s_addr), INADDR_LOOPBACK);
}

static void
assert_peer_nothing(struct fx *f)
{
	struct sockaddr_in	from;

	assert_int_equal(recv_wait(f->peer, f->buf, sizeof(f->buf), 50, &from), -1);
}

static void
test_send_ike(void **state)
{
	struct fx	*f = *state;

	client_send(f, &f->local, &f->peer_addr, ike, sizeof(ike));
	assert_peer_got(f, ike, sizeof(ike));
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_TX], 1);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], 0);
	assert_int_equal(f->stats[GWSTAT_SEND_ERROR], 0);
}

static void
test_send_keepalive(void **state)
{
	struct fx	*f = *state;

	client_send(f, &f->local, &f->peer_addr, (const uint8_t *)"\xff", 1);
	assert_peer_got(f, (const uint8_t *)"\xff", 1);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_TX], 1);
}

/* Each of these costs one ike_relay_bad and sends nothing. */
static void
test_send_bad_payload(void **state)
{
	struct fx	*f = *state;
	uint8_t		 p[sizeof(ike)];
	uint64_t	 bad = 0;

	/* The marker and 27 bytes: shorter than an IKE header. */
	client_send(f, &f->local, &f->peer_addr, ike, sizeof(ike) - 9);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], ++bad);
	/* ESP (a non-zero SPI) may not come from ikd. */
	memcpy(p, ike, sizeof(p));
	p[3] = 1;
	client_send(f, &f->local, &f->peer_addr, p, sizeof(p));
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], ++bad);
	/* Not keepalives: another byte, or two. */
	client_send(f, &f->local, &f->peer_addr, (const uint8_t *)"\x00", 1);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], ++bad);
	client_send(f, &f->local, &f->peer_addr, (const uint8_t *)"\xff\xff", 2);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], ++bad);
	client_send(f, &f->local, &f->peer_addr, ike, 4);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], ++bad);
	assert_peer_nothing(f);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_TX], 0);
	assert_true(relay_connected(f->r));
}

static void
test_send_bad_addresses(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 l = f->local, r = EP("0.0.0.0", 500);

	/* Not from the NAT-T port (ikd owns 500 itself). */
	l.port = f->udp.port == 500 ? 501 : 500;
	client_send(f, &l, &f->peer_addr, ike, sizeof(ike));
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], 1);
	client_send(f, &f->local, &r, ike, sizeof(ike));
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], 2);
	assert_peer_nothing(f);
	/* No IPv6 NAT-T socket here: the network cannot take it. */
	l = EP("::1", f->udp.port);
	r = EP("::1", 4500);
	client_send(f, &l, &r, ike, sizeof(ike));
	assert_int_equal(f->stats[GWSTAT_SEND_ERROR], 1);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_TX], 0);
	assert_true(relay_connected(f->r));
}

/* Malformed headers (lib/ikerelay.h) and oversized datagrams. */
static void
test_send_bad_header(void **state)
{
	struct fx	*f = *state;
	uint8_t		*d = malloc(RELAY_MSG_MAX + 1), hdr[IKERELAY_HLEN + sizeof(ike)];
	struct wr	 w = wr_init(hdr, sizeof(hdr));

	assert_non_null(d);
	assert_int_equal(ikerelay_encode(&w, &f->local, &f->peer_addr, ike, sizeof(ike)), 0);
	hdr[0] = 2;				/* version */
	client_raw(f, hdr, sizeof(hdr));
	hdr[0] = IKERELAY_VERSION;
	client_raw(f, hdr, IKERELAY_HLEN);	/* no payload */
	client_raw(f, hdr, 10);			/* short */
	hdr[20] = 1;				/* IPv4 padding */
	client_raw(f, hdr, sizeof(hdr));
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], 4);
	/* One byte more than a relay datagram holds. */
	memset(d, 0, RELAY_MSG_MAX + 1);
	hdr[20] = 0;
	memcpy(d, hdr, sizeof(hdr));
	client_raw(f, d, RELAY_MSG_MAX + 1);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_BAD], 5);
	assert_peer_nothing(f);
	/* The connection survives all of it. */
	assert_true(relay_connected(f->r));
	client_raw(f, hdr, sizeof(hdr));
	assert_peer_got(f, ike, sizeof(ike));
	free(d);
}

/* Too large for UDP over IPv4: the network refuses it, counted as such. */
static void
test_send_too_big_for_udp(void **state)
{
	struct fx	*f = *state;
	uint8_t		*p = calloc(1, IKERELAY_PAYLOAD_MAX);

	assert_non_null(p);
	memcpy(p, ike, sizeof(ike));
	client_send(f, &f->local, &f->peer_addr, p, IKERELAY_PAYLOAD_MAX);
	assert_int_equal(f->stats[GWSTAT_SEND_ERROR], 1);
	assert_int_equal(f->stats[GWSTAT_IKE_RELAY_TX], 0);
	assert_true(relay_connected(f->r));
	free(p);
}

static void
test_set_udp(void **state)
{
	struct fx		*f = *state;
	struct netio_sock	 s = f->udp;

	s.kind = NETIO_RAW_RECV;
	assert_int_equal(relay_set_udp(f->r, &s), -1);
	s = f->udp;
	s.af = AF_UNIX;
	assert_int_equal(relay_set_udp(f->r, &s), -1);
	s = f->udp;
	s.fd = -1;
	assert_int_equal(relay_set_udp(f->r, &s), -1);
}

/* ---- the fast path's hand-over ---- */

static struct relay	*fp_relay;

static int
fp_ike_hook(void *arg, const struct fp_outer *o, const struct pkt_buf *b)
{
	return relay_to_ikd(fp_relay, &o->dst, &o->src, pkt_data(b), b->len);
}

static void
udp_in(struct fpt_gw *g, const uint8_t *data, size_t len)
{
	struct fp_outer	o = { .src = EP(FPT_A, 61000), .dst = EP(FPT_B, 4500) };
	struct pkt_buf	b;

	pkt_init(&b, g->buf, FP_BUF_SIZE, FP_HEADROOM);
	memcpy(pkt_put(&b, len), data, len);
	fp_udp_input(&g->fp, &b, &o);
}

static void
test_fastpath_hands_over(void **state)
{
	struct fx	*f = *state;
	struct fpt_gw	*g = fpt_new(NULL, NULL);
	struct gw_addr	 l, r, a = kt_addr(FPT_A), b = kt_addr(FPT_B);
	struct view	 v;
	ssize_t		 n;

	fp_relay = f->r;
	g->io.ike_input = fp_ike_hook;
	udp_in(g, ike, sizeof(ike));
	assert_int_equal(fpt_stat(g, GWSTAT_IKE_RELAYED), 1);
	assert_int_equal(fpt_stat(g, GWSTAT_IKE), 0);
	n = recv_wait(f->cl, f->buf, sizeof(f->buf), 1000, NULL);
	assert_int_equal(n, IKERELAY_HLEN + sizeof(ike));
	assert_int_equal(ikerelay_decode(f->buf, (size_t)n, &l, &r, &v), 0);
	/* Local: our address and the NAT-T port; remote: the peer and its port. */
	assert_true(addr_eq(&l, &b));
	assert_int_equal(l.port, 4500);
	assert_true(addr_eq(&r, &a));
	assert_int_equal(r.port, 61000);
	assert_memory_equal(v.p, ike, sizeof(ike));
	/* Keepalives and ESP stay in tunneld. */
	udp_in(g, (const uint8_t *)"\xff", 1);
	udp_in(g, (const uint8_t *)"\x00\x00\x20\x00\x00\x00\x00\x01", 8);
	assert_int_equal(fpt_stat(g, GWSTAT_KEEPALIVE), 1);
	assert_int_equal(fpt_stat(g, GWSTAT_UNKNOWN_SPI), 1);
	assert_int_equal(recv_wait(f->cl, f->buf, sizeof(f->buf), 50, NULL), -1);
	/* Without a client, IKE is counted as not relayed. */
	close(f->cl);
	f->cl = -1;
	udp_in(g, ike, sizeof(ike));
	assert_int_equal(fpt_stat(g, GWSTAT_IKE_RELAYED), 1);
	assert_int_equal(fpt_stat(g, GWSTAT_IKE), 1);
	udp_in(g, ike, sizeof(ike));
	assert_int_equal(fpt_stat(g, GWSTAT_IKE), 2);
	fpt_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_client_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_to_ikd_no_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_to_ikd, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_to_ikd_bad_args, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_to_ikd_full, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_to_ikd_client_gone, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_client_eof, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_send_ike, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_send_keepalive, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_send_bad_payload, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_send_bad_addresses, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_send_bad_header, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_send_too_big_for_udp, setup_client, teardown),
		cmocka_unit_test_setup_teardown(test_set_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fastpath_hands_over, setup_client, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
