/*
 * test_ctl.c: the socket server over socketpair(AF_UNIX, SOCK_SEQPACKET)
 * with raw encoded datagrams: replies, malformed and oversized input,
 * permissions by uid, and clients whose send queue overflows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl.h"
#include "kt.h"

struct fx {
	struct event_base	*base;
	struct key		 key;
	struct key_io		 io;
	struct ctl		*ctl;
	uint64_t		 mono;
};

static uint64_t
fx_mono(void *arg)
{
	return 1000;
}

static uint64_t
fx_wall(void *arg)
{
	return 1700000000;
}

static uint32_t
fx_random(void *arg)
{
	static uint32_t	v = 0x12345;

	return v += 0x9e3779b9u;
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->base = event_base_new();
	assert_non_null(f->base);
	f->io = (struct key_io){ .send = ctl_send, .mono = fx_mono, .wall = fx_wall,
	    .random = fx_random };
	assert_int_equal(key_init(&f->key, &f->io), 0);
	f->ctl = ctl_new(f->base, &f->key, (uid_t)-1);
	assert_non_null(f->ctl);
	f->io.arg = f->ctl;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	ctl_free(f->ctl);
	key_free(&f->key);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* Connects a client with credentials uid; returns the test's end. */
static int
client(struct fx *f, uid_t uid)
{
	int	sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	assert_non_null(ctl_attach(f->ctl, sv[0], uid, 4242));
	return sv[1];
}

static void
spin(struct fx *f)
{
	int	i;

	for (i = 0; i < 4; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

static void
put(int fd, const struct pfk_msg *m)
{
	static uint8_t	buf[PFK_MSG_MAX];
	struct wr	w = wr_init(buf, sizeof(buf));

	assert_int_equal(pfk_encode(m, &w), 0);
	assert_int_equal(send(fd, buf, w.off, 0), (ssize_t)w.off);
}

/* Reads one reply; returns 0 on EOF, -1 when nothing is there. */
static ssize_t
get(int fd, struct pfk_msg *m)
{
	static uint8_t	buf[PFK_MSG_MAX];
	ssize_t		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0)
		assert_int_equal(pfk_decode(buf, (size_t)n, m), 0);
	return n;
}

static void
test_reply_echoes_seq_pid(void **state)
{
	struct fx	*f = *state;
	int		 fd = client(f, 0);
	struct pfk_msg	 m, r;

	kt_sa_msg(&m, SADB_ADD, 0x1000, SADB_X_EALG_AES_GCM_ICV16, 0, "192.0.2.1", "192.0.2.2");
	m.seq = 0xabcdef;
	m.pid = 31337;
	put(fd, &m);
	spin(f);
	assert_true(get(fd, &r) > 0);
	assert_int_equal(r.type, SADB_ADD);
	assert_int_equal(r.errnum, 0);
	assert_int_equal(r.seq, 0xabcdef);
	assert_int_equal(r.pid, 31337);
	put(fd, &m);
	spin(f);
	assert_true(get(fd, &r) > 0);
	assert_int_equal(r.errnum, EEXIST);
	assert_int_equal(r.seq, 0xabcdef);
	assert_int_equal(r.pid, 31337);
	assert_int_equal(ctl_nclients(f->ctl), 1);
	close(fd);
	spin(f);
	assert_int_equal(ctl_nclients(f->ctl), 0);
}

static void
test_malformed_closes(void **state)
{
	struct fx	*f = *state;
	int		 fd = client(f, 0), other = client(f, 0);
	uint8_t		 bad[16] = { PF_KEY_V2, SADB_DUMP, 0, 0, 9, 0, 0, 0, 7, 0, 0, 0, 8 };
	struct pfk_msg	 m, r;

	/* The header says 9 units; the datagram has 2. */
	assert_int_equal(send(fd, bad, sizeof(bad), 0), (ssize_t)sizeof(bad));
	spin(f);
	assert_true(get(fd, &r) > 0);
	assert_int_equal(r.type, SADB_DUMP);
	assert_true(r.errnum != 0);
	assert_int_equal(r.seq, 7);
	assert_int_equal(r.pid, 8);
	assert_int_equal(get(fd, &r), 0);
	assert_int_equal(ctl_nclients(f->ctl), 1);
	/* The daemon and the other client carry on. */
	kt_msg(&m, SADB_DUMP, 0, 3);
	put(other, &m);
	spin(f);
	assert_true(get(other, &r) > 0);
	assert_int_equal(r.errnum, ENOENT);
	close(fd);
	close(other);
}

static void
test_oversized_datagram_drops(void **state)
{
	struct fx	*f = *state;
	int		 fd = client(f, 0), sz = 4 * PFK_MSG_MAX;
	uint8_t		*big = calloc(1, PFK_MSG_MAX + 64);
	struct pfk_msg	 r;

	assert_non_null(big);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)), 0);
	big[0] = PF_KEY_V2;
	big[1] = SADB_DUMP;
	assert_int_equal(send(fd, big, PFK_MSG_MAX + 64, 0), PFK_MSG_MAX + 64);
	spin(f);
	assert_int_equal(get(fd, &r), 0);
	assert_int_equal(ctl_nclients(f->ctl), 0);
	free(big);
	close(fd);
}

static void
test_unprivileged_uid(void **state)
{
	struct fx	*f = *state;
	uid_t		 uid = geteuid() == 54321 ? 54322 : 54321;
	int		 fd = client(f, uid);
	struct pfk_msg	 m, r;

	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	put(fd, &m);
	spin(f);
	assert_true(get(fd, &r) > 0);
	assert_int_equal(r.errnum, EPERM);
	assert_int_equal(r.seq, 9);
	assert_int_equal(spd_count(&f->key.spd), 0);
	/* Refused, not dropped: reads still work on the same connection. */
	kt_msg(&m, SADB_X_SPDDUMP, 0, 5);
	put(fd, &m);
	spin(f);
	assert_true(get(fd, &r) > 0);
	assert_int_equal(r.errnum, ENOENT);
	assert_int_equal(r.seq, 5);
	close(fd);
}

static void
test_owner_uid_may_change_state(void **state)
{
	struct fx	*f = *state;
	uid_t		 owner = geteuid() == 54321 ? 54322 : 54321;
	struct ctl	*ctl2 = ctl_new(f->base, &f->key, owner);
	int		 sv[2];
	struct pfk_msg	 m, r;

	assert_non_null(ctl2);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	assert_non_null(ctl_attach(ctl2, sv[0], owner, 1));
	f->io.arg = ctl2;
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 8, "10.1.0.0", 16, IPSEC_DIR_OUTBOUND, 2);
	put(sv[1], &m);
	spin(f);
	assert_true(get(sv[1], &r) > 0);
	assert_int_equal(r.errnum, 0);
	assert_int_equal(spd_count(&f->key.spd), 1);
	ctl_free(ctl2);
	f->io.arg = f->ctl;
	close(sv[1]);
}

/* Drains every datagram waiting on fd; returns how many there were. */
static size_t
drain(int fd)
{
	uint8_t	buf[1024];
	size_t	n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

static void
test_send_queue_overflow_drops(void **state)
{
	struct fx	*f = *state;
	int		 actor = client(f, 0), deaf = client(f, 0);
	struct pfk_msg	 m, r;
	uint32_t	 i;

	kt_msg(&m, SADB_REGISTER, SADB_SATYPE_ESP, 1);
	put(deaf, &m);
	spin(f);
	assert_true(get(deaf, &r) > 0);
	/* deaf never reads again; every policy added is copied to it. */
	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 32, "10.1.0.0", 32, IPSEC_DIR_OUTBOUND, 2);
	for (i = 0; i < 200000 && ctl_nclients(f->ctl) == 2; i++) {
		m.dst.addr.u.v4.s_addr = htonl(0x0a010000u + i);
		put(actor, &m);
		spin(f);
		assert_int_equal(drain(actor), 1);
	}
	/*
	 * Each copy is 128 bytes: dropped once the kernel buffer and then
	 * CTL_QUEUE_MAX bytes of queue were full, not before.
	 */
	assert_int_equal(ctl_nclients(f->ctl), 1);
	assert_true(i > CTL_QUEUE_MAX / 128 && i < CTL_QUEUE_MAX / 128 + 5000);
	/* The queued copies are gone with the connection. */
	drain(deaf);
	assert_int_equal(recv(deaf, &r, sizeof(r), MSG_DONTWAIT), 0);
	close(actor);
	close(deaf);
}

static void
test_slow_reader_gets_whole_dump(void **state)
{
	struct fx	*f = *state;
	int		 fd = client(f, 0);
	struct pfk_msg	 m, r;
	uint32_t	 i, n = 3000;
	size_t		 got = 0;
	ssize_t		 len;

	kt_sp_msg(&m, SADB_X_SPDADD, "10.0.0.0", 32, "10.1.0.0", 32, IPSEC_DIR_OUTBOUND, 2);
	for (i = 0; i < n; i++) {
		m.dst.addr.u.v4.s_addr = htonl(0x0a010000u + i);
		put(fd, &m);
		spin(f);
		assert_int_equal(drain(fd), 1);
	}
	/* More replies than the socket holds: they queue, none is lost. */
	kt_msg(&m, SADB_X_SPDDUMP, 0, 5);
	put(fd, &m);
	for (i = 0; i < 1000000; i++) {
		spin(f);
		len = get(fd, &r);
		if (len <= 0)
			continue;
		assert_int_equal(r.seq, n - 1 - got);
		got++;
		if (r.seq == 0)
			break;
	}
	assert_int_equal(got, n);
	assert_int_equal(ctl_nclients(f->ctl), 1);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_reply_echoes_seq_pid),
		T(test_malformed_closes),
		T(test_oversized_datagram_drops),
		T(test_unprivileged_uid),
		T(test_owner_uid_may_change_state),
		T(test_send_queue_overflow_drops),
		T(test_slow_reader_gets_whole_dump),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
