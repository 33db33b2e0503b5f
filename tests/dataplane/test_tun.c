/*
 * test_tun.c: MTU figures, the gifconfig-like display, name checks, and
 * batch reads and writes (over a datagram socket pair, which keeps packet
 * boundaries as a TUN descriptor does and needs no privilege).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_net.h>

#include "tun.h"

static void
test_default_mtu(void **state)
{
	(void)state;
	/* 1500 - (20 + 8 + 8 + 16 + 15 + 2 + 32) */
	assert_int_equal(tun_default_mtu(false, AF_INET), 1399);
	assert_int_equal(tun_default_mtu(true, AF_INET), 1379);
	assert_int_equal(tun_default_mtu(false, AF_INET6), 1379);
	assert_int_equal(tun_default_mtu(true, AF_INET6), 1339);
	assert_int_equal(tun_default_mtu(false, AF_UNIX), -1);
	assert_true(tun_default_mtu(true, AF_INET6) >= 1280);
}

static struct gw_addr
mkaddr(const char *s, unsigned plen)
{
	struct gw_addr a;

	memset(&a, 0, sizeof(a));
	a.af = strchr(s, ':') ? AF_INET6 : AF_INET;
	a.plen = (uint8_t)plen;
	assert_int_equal(inet_pton(a.af, s, a.u.b), 1);
	return a;
}

static char *
format(const struct tun_state *st)
{
	static char out[1024];
	FILE *fp = fmemopen(out, sizeof(out), "w");

	assert_non_null(fp);
	tun_format_state(fp, st);
	assert_int_equal(fclose(fp), 0);
	return out;
}

static void
test_format_gif(void **state)
{
	struct tun_state st = { .name = "gif0", .mtu = 1379,
	    .flags = IFF_UP | IFF_POINTOPOINT | IFF_RUNNING | IFF_NOARP | IFF_MULTICAST };

	(void)state;
	st.tsrc = mkaddr("203.0.113.1", 32);
	st.tdst = mkaddr("203.0.113.2", 32);
	st.addr[0].addr = mkaddr("10.1.0.1", 32);
	st.addr[0].peer = mkaddr("10.2.0.1", 32);
	st.addr[1].addr = mkaddr("192.168.7.1", 24);
	st.addr[2].addr = mkaddr("fe80::1", 64);
	st.addr[3].addr = mkaddr("2001:db8::1", 128);
	st.addr[3].peer = mkaddr("2001:db8::2", 128);
	st.naddr = 4;
	assert_string_equal(format(&st),
	    "gif0: flags=<UP,POINTOPOINT,RUNNING,NOARP,MULTICAST> mtu 1379\n"
	    "\ttunnel inet 203.0.113.1 --> 203.0.113.2\n"
	    "\tinet 10.1.0.1 --> 10.2.0.1 netmask 0xffffffff\n"
	    "\tinet 192.168.7.1 netmask 0xffffff00\n"
	    "\tinet6 fe80::1%gif0 prefixlen 64\n"
	    "\tinet6 2001:db8::1 --> 2001:db8::2 prefixlen 128\n");
}

static void
test_format_down_no_tunnel(void **state)
{
	struct tun_state st = { .name = "tun7", .mtu = 1500, .flags = IFF_POINTOPOINT,
	    .nmore = 3 };

	(void)state;
	st.tsrc = mkaddr("2001:db8::a", 128);	/* a lone endpoint is no tunnel */
	assert_string_equal(format(&st),
	    "tun7: flags=<POINTOPOINT> mtu 1500\n"
	    "\t(3 more addresses)\n");
	st.tdst = mkaddr("2001:db8::b", 128);
	st.nmore = 0;
	st.flags = 0;
	assert_string_equal(format(&st),
	    "tun7: flags=<> mtu 1500\n"
	    "\ttunnel inet6 2001:db8::a --> 2001:db8::b\n");
}

static void
test_open_refuses_bad_names(void **state)
{
	static const char *bad[] = { "", "0123456789abcdef", "gif%d", "a/b", "a:1", "a b",
	    ".", "..", "tab\t" };
	char name[IFNAMSIZ];
	int fds[2] = { -1, -1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tun_open(bad[i], 1, fds, name), -1);
	assert_int_equal(tun_open("gif0", 0, fds, name), -1);
	assert_int_equal(tun_open("gif0", TUN_MAX_QUEUES + 1, fds, name), -1);
	assert_int_equal(fds[0], -1);
}

static void
test_read_batch_and_write(void **state)
{
	static const uint8_t p1[] = { 0x45, 1, 2, 3 }, p2[] = { 0x60, 9 };
	uint8_t mem[3][64];
	struct pkt_buf pk[3];
	int sv[2], i;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	for (i = 0; i < 3; i++)
		pkt_init(&pk[i], mem[i], sizeof(mem[i]), 24);
	/* Nothing waiting: 0, not an error. */
	assert_int_equal(tun_read_batch(sv[0], pk, 3), 0);
	assert_int_equal(tun_write(sv[1], p1, sizeof(p1)), 0);
	assert_int_equal(tun_write(sv[1], p2, sizeof(p2)), 0);
	assert_int_equal(tun_read_batch(sv[0], pk, 3), 2);
	assert_int_equal(pk[0].len, sizeof(p1));
	assert_int_equal(pk[0].off, 24);
	assert_memory_equal(pkt_data(&pk[0]), p1, sizeof(p1));
	assert_int_equal(pk[1].len, sizeof(p2));
	assert_memory_equal(pkt_data(&pk[1]), p2, sizeof(p2));
	/* At most n per call; the rest waits for the next. */
	for (i = 0; i < 3; i++)
		assert_int_equal(tun_write(sv[1], p1, sizeof(p1)), 0);
	assert_int_equal(tun_read_batch(sv[0], pk, 2), 2);
	assert_int_equal(tun_read_batch(sv[0], pk, 2), 1);
	close(sv[1]);
	/* The peer is gone: end of data, not a packet. */
	assert_int_equal(tun_read_batch(sv[0], pk, 2), 0);
	close(sv[0]);
	/* A bad descriptor is an error with errno. */
	errno = 0;
	assert_int_equal(tun_read_batch(sv[0], pk, 2), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(tun_write(sv[0], p1, sizeof(p1)), -1);
	assert_int_equal(errno, EBADF);
}

/* A datagram as the TUN hands it over: virtio-net header h, then p. */
static void
send_vnet(int fd, const struct virtio_net_hdr *h, const uint8_t *p, size_t len)
{
	uint8_t buf[128];

	memcpy(buf, h, sizeof(*h));
	memcpy(buf + sizeof(*h), p, len);
	assert_int_equal(send(fd, buf, sizeof(*h) + len, 0), (ssize_t)(sizeof(*h) + len));
}

/*
 * The header on the way in: a partial checksum is completed, a GSO
 * packet (never asked for: no offloads) comes back empty, for the
 * caller to count.
 */
static void
test_read_vnet_header(void **state)
{
	/* IPv4 UDP 192.0.2.1:1000 -> 192.0.2.2:2000, 4 bytes, checksum field 0. */
	uint8_t udp[32] = {
		0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
		0x03, 0xe8, 0x07, 0xd0, 0, 12, 0, 0, 'd', 'a', 't', 'a',
	};
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .csum_start = 20, .csum_offset = 6 };
	uint8_t mem[2][96];
	struct pkt_buf pk[2];
	int sv[2], i;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	for (i = 0; i < 2; i++)
		pkt_init(&pk[i], mem[i], sizeof(mem[i]), 24);
	send_vnet(sv[1], &h, udp, sizeof(udp));
	h = (struct virtio_net_hdr){ .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 4 };
	send_vnet(sv[1], &h, udp, sizeof(udp));
	assert_int_equal(tun_read_batch(sv[0], pk, 2), 2);
	assert_int_equal(pk[0].len, sizeof(udp));
	/* The sum of the 12 bytes from csum_start (the field held 0), complemented. */
	assert_int_equal(pkt_data(&pk[0])[26], 0x1b);
	assert_int_equal(pkt_data(&pk[0])[27], 0x79);
	assert_int_equal(pk[1].len, 0);
	/* A checksum field beyond the packet: refused, not written. */
	h = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .csum_start = 30, .csum_offset = 6 };
	send_vnet(sv[1], &h, udp, sizeof(udp));
	assert_int_equal(tun_read_batch(sv[0], pk, 1), 1);
	assert_int_equal(pk[0].len, 0);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_mtu),
		cmocka_unit_test(test_format_gif),
		cmocka_unit_test(test_format_down_no_tunnel),
		cmocka_unit_test(test_open_refuses_bad_names),
		cmocka_unit_test(test_read_batch_and_write),
		cmocka_unit_test(test_read_vnet_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
