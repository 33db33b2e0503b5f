/*
 * test_netio.c: UDP-encapsulation classification and batched UDP I/O over
 * loopback (unprivileged; the raw sockets need CAP_NET_RAW and are tried
 * in a network namespace instead).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "err.h"
#include "netio.h"

static void
test_classify(void **state)
{
	uint8_t b[64];

	(void)state;
	memset(b, 0, sizeof(b));
	assert_int_equal(netio_classify_udp((uint8_t[]){ 0xff }, 1), NETIO_UDP_KEEPALIVE);
	assert_int_equal(netio_classify_udp((uint8_t[]){ 0x00 }, 1), NETIO_UDP_BAD);
	assert_int_equal(netio_classify_udp(b, 0), NETIO_UDP_BAD);
	assert_int_equal(netio_classify_udp(b, 3), NETIO_UDP_BAD);
	/* Non-ESP marker then a whole IKE header. */
	assert_int_equal(netio_classify_udp(b, 4 + NETIO_IKE_HLEN), NETIO_UDP_IKE);
	assert_int_equal(netio_classify_udp(b, 4 + NETIO_IKE_HLEN - 1), NETIO_UDP_BAD);
	assert_int_equal(netio_classify_udp(b, 4), NETIO_UDP_BAD);
	/* Any non-zero SPI is ESP, as long as the sequence number is there. */
	b[3] = 1;
	assert_int_equal(netio_classify_udp(b, NETIO_ESP_HLEN), NETIO_UDP_ESP);
	assert_int_equal(netio_classify_udp(b, NETIO_ESP_HLEN - 1), NETIO_UDP_BAD);
	b[0] = 0xff;
	assert_int_equal(netio_classify_udp(b, 40), NETIO_UDP_ESP);
	assert_int_equal(netio_classify_udp(b, 2), NETIO_UDP_BAD);
}

static struct gw_addr
loopback(sa_family_t af, uint16_t port)
{
	struct gw_addr a;

	memset(&a, 0, sizeof(a));
	a.af = af;
	a.plen = af == AF_INET ? 32 : 128;
	a.port = port;
	assert_int_equal(inet_pton(af, af == AF_INET ? "127.0.0.1" : "::1", a.u.b), 1);
	return a;
}

static void
wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, 2000), 1);
}

static struct netio_scratch scratch;

static void
udp_round_trip(sa_family_t af)
{
	struct gw_addr any = loopback(af, 0);
	struct netio_sock a, b;
	struct netio_msg m[4];
	uint8_t mem[4][128];
	int i, tos = 0x28 | 1, got = 0, r;

	assert_int_equal(netio_open_udp(&a, &any), 0);
	assert_int_equal(netio_open_udp(&b, &any), 0);
	assert_int_not_equal(a.port, 0);
	assert_int_equal(a.kind, NETIO_UDP);
	/* The sender marks its datagrams so the receiver's DS field shows. */
	if (af == AF_INET)
		assert_int_equal(setsockopt(b.fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), 0);
	else
		assert_int_equal(setsockopt(b.fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
		    sizeof(tos)), 0);
	for (i = 0; i < 3; i++) {
		pkt_init(&m[i].pkt, mem[i], sizeof(mem[i]), 16);
		memset(pkt_put(&m[i].pkt, (size_t)(10 + i)), 0xa0 + i, (size_t)(10 + i));
		m[i].src = loopback(af, 0);
		m[i].dst = loopback(af, a.port);
	}
	m[2].dst = loopback(af == AF_INET ? AF_INET6 : AF_INET, a.port);
	assert_int_equal(netio_send(&b, m, 3, &scratch), 2);
	assert_int_equal(m[0].err, 0);
	assert_int_equal(m[1].err, 0);
	assert_int_equal(m[2].err, EAFNOSUPPORT);

	for (i = 0; i < 4; i++)
		pkt_init(&m[i].pkt, mem[i], sizeof(mem[i]), 32);
	while (got < 2) {
		wait_readable(a.fd);
		r = netio_recv(&a, m + got, (unsigned)(4 - got), &scratch);
		assert_true(r > 0);
		got += r;
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(m[i].err, 0);
		assert_int_equal(m[i].pkt.off, 32);
		assert_int_equal(m[i].pkt.len, 10 + i);
		assert_int_equal(pkt_data(&m[i].pkt)[0], 0xa0 + i);
		assert_true(addr_eq(&m[i].src, &any));
		assert_int_equal(m[i].src.port, b.port);
		assert_true(addr_eq(&m[i].dst, &any));
		assert_int_equal(m[i].dst.port, a.port);
		assert_int_equal(m[i].tos, tos);
	}
	assert_int_equal(netio_recv(&a, m, 4, &scratch), 0);
	netio_close(&a);
	netio_close(&b);
	assert_int_equal(a.fd, -1);
}

static void
test_udp_round_trip_ipv4(void **state)
{
	(void)state;
	udp_round_trip(AF_INET);
}

static void
test_udp_round_trip_ipv6(void **state)
{
	struct gw_addr lo = loopback(AF_INET6, 0);
	struct netio_sock s;

	(void)state;
	if (netio_open_udp(&s, &lo) == -1)
		skip();		/* no IPv6 loopback here */
	netio_close(&s);
	udp_round_trip(AF_INET6);
}

static void
test_udp_truncated_datagram(void **state)
{
	struct gw_addr lo = loopback(AF_INET, 0);
	struct netio_sock a, b;
	struct netio_msg m;
	uint8_t mem[64];

	(void)state;
	assert_int_equal(netio_open_udp(&a, &lo), 0);
	assert_int_equal(netio_open_udp(&b, &lo), 0);
	pkt_init(&m.pkt, mem, sizeof(mem), 0);
	memset(pkt_put(&m.pkt, 40), 1, 40);
	m.src = (struct gw_addr){ 0 };
	m.dst = loopback(AF_INET, a.port);
	assert_int_equal(netio_send(&b, &m, 1, &scratch), 1);
	/* 40 bytes into 8 of room: flagged, not passed on as a short packet. */
	pkt_init(&m.pkt, mem, 16, 8);
	wait_readable(a.fd);
	assert_int_equal(netio_recv(&a, &m, 1, &scratch), 1);
	assert_int_equal(m.err, GW_E_TOOLONG);
	netio_close(&a);
	netio_close(&b);
}

static void
test_open_refusals(void **state)
{
	struct gw_addr bad = { .af = AF_UNIX };
	struct gw_addr lo = loopback(AF_INET, 0);
	struct netio_sock a, b;

	(void)state;
	assert_int_equal(netio_open_udp(&a, &bad), -1);
	assert_int_equal(netio_open_raw_recv(&a, AF_UNIX, IPPROTO_ESP), -1);
	assert_int_equal(netio_open_raw_send(&a, AF_UNIX), -1);
	/* The port is taken. */
	assert_int_equal(netio_open_udp(&a, &lo), 0);
	lo.port = a.port;
	assert_int_equal(netio_open_udp(&b, &lo), -1);
	netio_close(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_udp_round_trip_ipv4),
		cmocka_unit_test(test_udp_round_trip_ipv6),
		cmocka_unit_test(test_udp_truncated_datagram),
		cmocka_unit_test(test_open_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
