/*
 * test_peer.c: soft lifetimes of ikd/peer.c: the configured margin and
 * jitter, with the margin never shorter than a rekey's retransmissions
 * take to give up (or half the lifetime).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conf.h"
#include "peer.h"

#define RND_MIN	0u		/* no jitter */
#define RND_MAX	UINT32_MAX	/* all of it */

static struct ikd_conf *
defaults(void)
{
	struct ikd_conf *c = conf_default();

	assert_non_null(c);
	/* 1 s doubling, 5 tries: a request gives up after 1+2+4+8+16 = 31 s. */
	assert_int_equal(c->retry_interval, 1);
	assert_int_equal(c->retry_counter, 5);
	return c;
}

/* A long lifetime keeps the percentage margin: 10 % + up to 10 % jitter. */
static void
test_long_lifetime_keeps_percentages(void **state)
{
	struct ikd_conf *c = defaults();
	const struct conf_rekey *r = &c->remote[0].rekey;

	assert_int_equal(peer_soft_time(c, r, 3600, RND_MIN), 3240);
	assert_in_range(peer_soft_time(c, r, 3600, RND_MAX), 2880, 2881);
	conf_free(c);
}

/* 100 s: 10 % would leave 10 s, less than the 31 s give-up time. */
static void
test_margin_covers_giveup(void **state)
{
	struct ikd_conf *c = defaults();
	const struct conf_rekey *r = &c->remote[0].rekey;

	assert_int_equal(peer_soft_time(c, r, 100, RND_MIN), 69);
	assert_in_range(peer_soft_time(c, r, 100, RND_MAX), 59, 60);
	conf_free(c);
}

/* 10 s: the give-up time exceeds the lifetime, so half of it is the margin. */
static void
test_short_lifetime_half(void **state)
{
	struct ikd_conf *c = defaults();
	const struct conf_rekey *r = &c->remote[0].rekey;

	assert_int_equal(peer_soft_time(c, r, 10, RND_MIN), 5);
	assert_in_range(peer_soft_time(c, r, 10, RND_MAX), 4, 5);
	conf_free(c);
}

/* A faster schedule needs less: 3 tries at 1 s give up after 7 s. */
static void
test_faster_schedule(void **state)
{
	struct ikd_conf *c = defaults();
	const struct conf_rekey *r = &c->remote[0].rekey;

	c->retry_counter = 3;
	assert_int_equal(peer_soft_time(c, r, 40, RND_MIN), 33);
	conf_free(c);
}

/* A margin in seconds above the floor is kept; none means no limit. */
static void
test_margin_seconds_and_none(void **state)
{
	struct ikd_conf *c = defaults();
	struct conf_rekey r = c->remote[0].rekey;

	r.margin_sec = 300;
	assert_int_equal(peer_soft_time(c, &r, 3600, RND_MIN), 3300);
	assert_int_equal(peer_soft_time(c, &r, 0, RND_MAX), 0);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_lifetime_keeps_percentages),
		cmocka_unit_test(test_margin_covers_giveup),
		cmocka_unit_test(test_short_lifetime_half),
		cmocka_unit_test(test_faster_schedule),
		cmocka_unit_test(test_margin_seconds_and_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
