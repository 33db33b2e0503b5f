/* test_sad.c: the SA database alone: identity, lookups, lifetimes, wiping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include <errno.h>
#include <string.h>

#include "kt.h"
#include "sad.h"

#define NEV	64

struct events {
	uint32_t	spi[NEV];
	enum sa_expire	kind[NEV];
	enum sa_state	state[NEV];
	size_t		n;
	size_t		released;
	bool		keys_were_wiped;
};

static void
ev_expire(void *arg, const struct sa *sa, enum sa_expire kind)
{
	struct events	*e = arg;

	assert_true(e->n < NEV);
	e->spi[e->n] = sa->cfg.spi;
	e->kind[e->n] = kind;
	e->state[e->n] = sa->state;
	e->n++;
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void
ev_release(void *arg, struct sa *sa)
{
	struct events	*e = arg;

	e->released++;
	e->keys_were_wiped = all_zero(&sa->cfg.enc_key, sizeof(sa->cfg.enc_key)) &&
	    all_zero(&sa->cfg.auth_key, sizeof(sa->cfg.auth_key));
}

struct fx {
	struct sad	sad;
	struct sad_sink	sink;
	struct events	ev;
};

static int
setup(void **state)
{
	struct fx	*f = test_calloc(1, sizeof(*f));

	f->sink = (struct sad_sink){ .expire = ev_expire, .release = ev_release, .arg = &f->ev };
	assert_int_equal(sad_init(&f->sad, 0x1234, &f->sink), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	sad_free(&f->sad);
	test_free(f);
	return 0;
}

static struct sa_cfg
cfg(uint32_t spi, const char *src, const char *dst, uint32_t reqid)
{
	struct sa_cfg	c;

	memset(&c, 0, sizeof(c));
	c.spi = spi;
	c.satype = SADB_SATYPE_ESP;
	c.src = kt_addr(src);
	c.dst = kt_addr(dst);
	c.mode = IPSEC_MODE_TUNNEL;
	c.reqid = reqid;
	c.enc = alg_by_id(ALG_ENC, SADB_X_EALG_AES_GCM_ICV16);
	c.enc_key.len = 20;
	memset(c.enc_key.b, 0xaa, 20);
	c.replay_window = SAD_REPLAY_DEFAULT;
	return c;
}

static struct sa *
add(struct fx *f, struct sa_cfg c, enum sa_state st, uint64_t now)
{
	struct sa	*sa = NULL;

	assert_int_equal(sad_add(&f->sad, &c, st, now, 5, 6, &sa), 0);
	assert_non_null(sa);
	return sa;
}

static void
test_add_find_remove(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 dst = kt_addr("192.0.2.2");
	struct sa	*sa = add(f, cfg(0x1000, "192.0.2.1", "192.0.2.2", 0), SA_MATURE, 10);

	assert_ptr_equal(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000), sa);
	assert_ptr_equal(sad_lookup_in(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000), sa);
	assert_null(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1001));
	assert_null(sad_find(&f->sad, SADB_SATYPE_AH, &dst, 0x1000));
	assert_int_equal(sa->msg_seq, 5);
	assert_int_equal(sa->cur.addtime, 10);
	assert_int_equal(sad_count(&f->sad, SADB_SATYPE_ESP), 1);
	sad_remove(&f->sad, sa);
	assert_null(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000));
	assert_int_equal(sad_count(&f->sad, SADB_SATYPE_UNSPEC), 0);
	assert_int_equal(f->ev.released, 1);
}

static void
test_add_eexist(void **state)
{
	struct fx	*f = *state;
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 0);
	struct sa	*sa;

	add(f, c, SA_MATURE, 10);
	assert_int_equal(sad_add(&f->sad, &c, SA_MATURE, 10, 0, 0, &sa), -EEXIST);
	/* The identity is (satype, dst, spi): another source changes nothing. */
	c.src = kt_addr("192.0.2.9");
	assert_int_equal(sad_add(&f->sad, &c, SA_MATURE, 10, 0, 0, &sa), -EEXIST);
	c.dst = kt_addr("192.0.2.3");
	assert_int_equal(sad_add(&f->sad, &c, SA_MATURE, 10, 0, 0, &sa), 0);
	assert_int_equal(sad_count(&f->sad, SADB_SATYPE_ESP), 2);
}

static void
test_larval_not_usable(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 src = kt_addr("192.0.2.1"), dst = kt_addr("192.0.2.2");
	struct sa	*sa = add(f, cfg(0x1000, "192.0.2.1", "192.0.2.2", 0), SA_LARVAL, 10);

	assert_ptr_equal(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000), sa);
	assert_null(sad_lookup_in(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000));
	assert_null(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 0));
	assert_int_equal(sa->cfg.hard.addtime, SAD_LARVAL_LIFETIME);
}

static void
test_update_larval(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 src = kt_addr("192.0.2.1"), dst = kt_addr("192.0.2.2");
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 3);
	struct sa	*sa = add(f, c, SA_LARVAL, 10);

	c.hard.addtime = 100;
	sad_update(&f->sad, sa, &c, 15);
	assert_int_equal(sa->state, SA_MATURE);
	assert_int_equal(sa->cur.addtime, 15);
	assert_int_equal(sa->cfg.hard.addtime, 100);
	assert_ptr_equal(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 3),
	    sa);
	assert_ptr_equal(sad_lookup_in(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000), sa);
}

static void
test_lookup_out_newest_mature(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 src = kt_addr("192.0.2.1"), dst = kt_addr("192.0.2.2");
	struct sa	*old, *new;

	old = add(f, cfg(0x1000, "192.0.2.1", "192.0.2.2", 0), SA_MATURE, 10);
	new = add(f, cfg(0x2000, "192.0.2.1", "192.0.2.2", 0), SA_MATURE, 20);
	add(f, cfg(0x3000, "192.0.2.1", "192.0.2.7", 0), SA_MATURE, 30);
	assert_ptr_equal(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 0),
	    new);
	/* A DYING SA is used only when no MATURE one is left. */
	new->state = SA_DYING;
	assert_ptr_equal(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_ANY, 0),
	    old);
	sad_remove(&f->sad, old);
	assert_ptr_equal(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 0),
	    new);
	assert_null(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &dst, &src, IPSEC_MODE_TUNNEL, 0));
}

static void
test_lookup_out_reqid(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 src = kt_addr("2001:db8::1"), dst = kt_addr("2001:db8::2");
	struct sa	*r5, *r0;

	r5 = add(f, cfg(0x1000, "2001:db8::1", "2001:db8::2", 5), SA_MATURE, 10);
	r0 = add(f, cfg(0x2000, "2001:db8::1", "2001:db8::2", 0), SA_MATURE, 20);
	assert_ptr_equal(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 5),
	    r5);
	assert_null(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 6));
	/* reqid 0 (require) takes any SA between the endpoints: the newest. */
	assert_ptr_equal(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 0),
	    r0);
	sad_remove(&f->sad, r0);
	assert_ptr_equal(sad_lookup_out(&f->sad, SADB_SATYPE_ESP, &src, &dst, IPSEC_MODE_TUNNEL, 0),
	    r5);
}

static void
test_larval_timeout(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 dst = kt_addr("192.0.2.2");

	add(f, cfg(0x1000, "192.0.2.1", "192.0.2.2", 0), SA_LARVAL, 1000);
	sad_tick(&f->sad, 1000 + SAD_LARVAL_LIFETIME - 1);
	assert_int_equal(f->ev.n, 0);
	assert_non_null(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000));
	sad_tick(&f->sad, 1000 + SAD_LARVAL_LIFETIME);
	assert_int_equal(f->ev.n, 1);
	assert_int_equal(f->ev.kind[0], SA_EXPIRE_HARD);
	assert_null(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000));
	assert_int_equal(f->ev.released, 1);
}

static void
test_soft_then_hard_addtime(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 dst = kt_addr("192.0.2.2");
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 0);
	struct sa	*sa;

	c.soft.addtime = 10;
	c.hard.addtime = 20;
	sa = add(f, c, SA_MATURE, 1000);
	sad_tick(&f->sad, 1009);
	assert_int_equal(f->ev.n, 0);
	sad_tick(&f->sad, 1010);
	assert_int_equal(f->ev.n, 1);
	assert_int_equal(f->ev.kind[0], SA_EXPIRE_SOFT);
	assert_int_equal(f->ev.state[0], SA_DYING);
	assert_int_equal(sa->state, SA_DYING);
	sad_tick(&f->sad, 1015);
	assert_int_equal(f->ev.n, 1);
	/* Still usable while dying. */
	assert_ptr_equal(sad_lookup_in(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000), sa);
	sad_tick(&f->sad, 1020);
	assert_int_equal(f->ev.n, 2);
	assert_int_equal(f->ev.kind[1], SA_EXPIRE_HARD);
	assert_int_equal(f->ev.spi[1], 0x1000);
	assert_null(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000));
}

static void
test_usetime_counts_from_first_use(void **state)
{
	struct fx	*f = *state;
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 0);
	struct sa	*sa;

	c.hard.usetime = 5;
	sa = add(f, c, SA_MATURE, 1000);
	sad_tick(&f->sad, 2000);
	assert_int_equal(f->ev.n, 0);
	assert_int_equal(sad_account(&f->sad, sa, SA_DIR_OUT, 100, 2000), 0);
	assert_int_equal(sa->cur.usetime, 2000);
	sad_tick(&f->sad, 2004);
	assert_int_equal(f->ev.n, 0);
	sad_tick(&f->sad, 2005);
	assert_int_equal(f->ev.n, 1);
	assert_int_equal(f->ev.kind[0], SA_EXPIRE_HARD);
}

static void
test_bytes_soft_then_hard(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 dst = kt_addr("192.0.2.2");
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 0);
	struct sa	*sa;

	c.soft.bytes = 1000;
	c.hard.bytes = 2000;
	sa = add(f, c, SA_MATURE, 1000);
	assert_int_equal(sad_account(&f->sad, sa, SA_DIR_IN, 600, 1001), 0);
	assert_int_equal(f->ev.n, 0);
	assert_int_equal(sad_account(&f->sad, sa, SA_DIR_IN, 600, 1001), 0);
	assert_int_equal(f->ev.n, 1);
	assert_int_equal(f->ev.kind[0], SA_EXPIRE_SOFT);
	assert_int_equal(sad_account(&f->sad, sa, SA_DIR_IN, 600, 1002), 0);
	assert_int_equal(f->ev.n, 1);
	assert_int_equal(sa->stats[GWSTAT_PACKETS_IN], 3);
	assert_int_equal(sa->stats[GWSTAT_BYTES_IN], 1800);
	assert_int_equal(sa->cur.bytes, 1800);
	/* 2400 would pass the hard limit: the SA retires, the packet is not counted. */
	assert_int_equal(sad_account(&f->sad, sa, SA_DIR_IN, 600, 1003), -1);
	assert_int_equal(f->ev.n, 2);
	assert_int_equal(f->ev.kind[1], SA_EXPIRE_HARD);
	assert_int_equal(sa->state, SA_DEAD);
	assert_int_equal(sa->cur.bytes, 1800);
	assert_null(sad_find(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000));
	assert_null(sad_first(&f->sad));
	assert_int_equal(f->ev.released, 0);
	sad_tick(&f->sad, 1004);
	assert_int_equal(f->ev.released, 1);
	assert_int_equal(f->ev.n, 2);
}

static void
test_packet_limit(void **state)
{
	struct fx	*f = *state;
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 0);
	struct sa	*sa;
	int		 i;

	c.hard.allocations = 3;
	sa = add(f, c, SA_MATURE, 1000);
	for (i = 0; i < 3; i++)
		assert_int_equal(sad_account(&f->sad, sa, SA_DIR_OUT, 10, 1001), 0);
	assert_int_equal(sa->stats[GWSTAT_PACKETS_OUT], 3);
	assert_int_equal(sad_account(&f->sad, sa, SA_DIR_OUT, 10, 1001), -1);
	assert_int_equal(f->ev.n, 1);
	assert_int_equal(f->ev.kind[0], SA_EXPIRE_HARD);
}

static void
test_keys_wiped_on_remove(void **state)
{
	struct fx	*f = *state;
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 0);
	struct sa	*sa;

	c.auth_key.len = 32;
	memset(c.auth_key.b, 0xbb, 32);
	sa = add(f, c, SA_MATURE, 1000);
	assert_int_equal(sa->cfg.enc_key.b[0], 0xaa);
	sad_remove(&f->sad, sa);
	assert_int_equal(f->ev.released, 1);
	assert_true(f->ev.keys_were_wiped);
	/* Flush and expiry go through the same path. */
	f->ev.keys_were_wiped = false;
	add(f, c, SA_MATURE, 1000);
	assert_int_equal(sad_flush(&f->sad, SADB_SATYPE_ESP), 1);
	assert_true(f->ev.keys_were_wiped);
}

static void
test_flush_by_satype(void **state)
{
	struct fx	*f = *state;
	struct sa_cfg	 c = cfg(0x1000, "192.0.2.1", "192.0.2.2", 0);

	add(f, c, SA_MATURE, 1);
	c.spi = 0x1001;
	add(f, c, SA_LARVAL, 1);
	c.satype = SADB_SATYPE_AH;
	add(f, c, SA_MATURE, 1);
	assert_int_equal(sad_count(&f->sad, SADB_SATYPE_UNSPEC), 3);
	assert_int_equal(sad_count(&f->sad, SADB_SATYPE_AH), 1);
	assert_int_equal(sad_flush(&f->sad, SADB_SATYPE_ESP), 2);
	assert_int_equal(sad_count(&f->sad, SADB_SATYPE_UNSPEC), 1);
	assert_int_equal(sad_first(&f->sad)->cfg.satype, SADB_SATYPE_AH);
	assert_int_equal(sad_flush(&f->sad, SADB_SATYPE_UNSPEC), 1);
	assert_null(sad_first(&f->sad));
}

static uint32_t
counter_rnd(void *arg)
{
	uint32_t	*v = arg;

	return (*v)++;
}

static void
test_alloc_spi(void **state)
{
	struct fx	*f = *state;
	struct gw_addr	 dst = kt_addr("192.0.2.2");
	uint32_t	 r = 0, spi;
	int		 i;

	assert_int_equal(sad_alloc_spi(&f->sad, SADB_SATYPE_ESP, &dst, 0x5000, 0x5000,
	    counter_rnd, &r), 0x5000);
	add(f, cfg(0x5000, "192.0.2.1", "192.0.2.2", 0), SA_LARVAL, 1);
	assert_int_equal(sad_alloc_spi(&f->sad, SADB_SATYPE_ESP, &dst, 0x5000, 0x5000,
	    counter_rnd, &r), 0);
	assert_int_equal(sad_alloc_spi(&f->sad, SADB_SATYPE_ESP, &dst, 0x5001, 0x5000,
	    counter_rnd, &r), 0);
	/* A range of five with four taken still finds the free one. */
	for (i = 1; i < 4; i++)
		add(f, cfg(0x5000 + (uint32_t)i, "192.0.2.1", "192.0.2.2", 0), SA_LARVAL, 1);
	assert_int_equal(sad_alloc_spi(&f->sad, SADB_SATYPE_ESP, &dst, 0x5000, 0x5004,
	    counter_rnd, &r), 0x5004);
	for (i = 0; i < 100; i++) {
		spi = sad_alloc_spi(&f->sad, SADB_SATYPE_ESP, &dst, 0x100, 0xffffffff, counter_rnd,
		    &r);
		assert_true(spi >= 0x100);
	}
}

static void
test_many_sas_load(void **state)
{
	struct fx	*f = *state;
	struct sa_cfg	 c = cfg(0, "10.0.0.1", "10.0.0.2", 0);
	struct gw_addr	 dst;
	struct sa	*sa;
	uint32_t	 i, n = 100000;

	for (i = 0; i < n; i++) {
		c.spi = 0x1000 + i;
		c.dst.u.v4.s_addr = htonl(0x0a000000u | (i % 1000));
		c.reqid = i % 5000;
		assert_int_equal(sad_add(&f->sad, &c, SA_MATURE, 1, 0, 0, &sa), 0);
	}
	assert_int_equal(sad_count(&f->sad, SADB_SATYPE_ESP), n);
	assert_true(f->sad.by_spi.nb >= n / 2);
	dst = c.src;
	for (i = 0; i < n; i += 7) {
		dst.u.v4.s_addr = htonl(0x0a000000u | (i % 1000));
		sa = sad_lookup_in(&f->sad, SADB_SATYPE_ESP, &dst, 0x1000 + i);
		assert_non_null(sa);
		assert_int_equal(sa->cfg.spi, 0x1000 + i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_eexist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_larval_not_usable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_larval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_out_newest_mature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_out_reqid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_larval_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_then_hard_addtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usetime_counts_from_first_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bytes_soft_then_hard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packet_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_wiped_on_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_by_satype, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_spi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_sas_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
