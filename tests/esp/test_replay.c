/* test_replay.c: the anti-replay window, edge by edge. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "replay.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const uint32_t windows[] = { 1, 32, 64, 100, 1024, 4096, REPLAY_WINDOW_MAX };

/* A full copy of the state, bitmap included, to prove check() is pure. */
struct snap {
	struct replay	rp;
	uint64_t	ring[REPLAY_WINDOW_MAX / 64 + 2];
};

static void
snap(const struct replay *rp, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->rp = *rp;
	if (rp->ring != NULL)
		memcpy(s->ring, rp->ring, ((size_t)rp->mask + 1) * sizeof(uint64_t));
}

static void
assert_unchanged(const struct replay *rp, const struct snap *s)
{
	assert_ptr_equal(rp->ring, s->rp.ring);
	assert_int_equal(rp->mask, s->rp.mask);
	assert_int_equal(rp->window, s->rp.window);
	assert_int_equal(rp->top, s->rp.top);
	assert_int_equal(rp->esn, s->rp.esn);
	if (rp->ring != NULL)
		assert_memory_equal(rp->ring, s->ring, ((size_t)rp->mask + 1) * sizeof(uint64_t));
}

/* Checks then, if accepted, updates, as esp_decap does after the ICV. */
static int
accept(struct replay *rp, uint32_t low, uint64_t *seq)
{
	int rc = replay_check(rp, low, seq);

	if (rc == REPLAY_OK)
		replay_update(rp, *seq);
	return rc;
}

static void
test_init(void **state)
{
	struct replay rp, zero;
	size_t i;

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(replay_init(&rp, REPLAY_WINDOW_MAX + 1, false), GW_E_BADVAL);
	assert_memory_equal(&rp, &zero, sizeof(rp));
	for (i = 0; i < NELEM(windows); i++) {
		uint32_t w = windows[i];

		assert_int_equal(replay_init(&rp, w, true), 0);
		assert_non_null(rp.ring);
		/* Power-of-two ring, at least W + 63 bits (see replay.h). */
		assert_int_equal(rp.mask & (rp.mask + 1), 0);
		assert_true(((uint64_t)rp.mask + 1) * 64 >= (uint64_t)w + 63);
		assert_int_equal(rp.top, 0);
		replay_free(&rp);
		assert_memory_equal(&rp, &zero, sizeof(rp));
		replay_free(&rp);
	}
	assert_int_equal(replay_init(&rp, 0, false), 0);
	assert_null(rp.ring);
	replay_free(&rp);
}

static void
test_in_order(void **state)
{
	struct replay rp;
	uint64_t seq, s;
	size_t i;

	for (i = 0; i < NELEM(windows); i++) {
		uint32_t w = windows[i];

		assert_int_equal(replay_init(&rp, w, false), 0);
		for (s = 1; s <= 3 * (uint64_t)w + 200; s++) {
			assert_int_equal(accept(&rp, (uint32_t)s, &seq), REPLAY_OK);
			assert_int_equal(seq, s);
			assert_int_equal(rp.top, s);
			/* The same packet again is a duplicate at once. */
			assert_int_equal(replay_check(&rp, (uint32_t)s, &seq), REPLAY_DUP);
		}
		replay_free(&rp);
	}
}

/* The edges of a window of each size around top = T. */
static void
test_window_edges(void **state)
{
	const uint64_t T = 100000;
	struct replay rp;
	uint64_t seq;
	size_t i;

	for (i = 0; i < NELEM(windows); i++) {
		uint32_t w = windows[i];

		assert_int_equal(replay_init(&rp, w, false), 0);
		replay_update(&rp, T);
		assert_int_equal(replay_check(&rp, T, &seq), REPLAY_DUP);
		assert_int_equal(replay_check(&rp, T + 1, &seq), REPLAY_OK);
		assert_int_equal(replay_check(&rp, UINT32_MAX, &seq), REPLAY_OK);
		assert_int_equal(replay_check(&rp, (uint32_t)(T - w), &seq), REPLAY_OLD);
		assert_int_equal(replay_check(&rp, 0, &seq), REPLAY_OLD);
		assert_int_equal(replay_check(&rp, 1, &seq), REPLAY_OLD);
		if (w > 1) {
			/* Just inside, not seen yet: accepted once, then a duplicate. */
			assert_int_equal(accept(&rp, (uint32_t)(T - w + 1), &seq), REPLAY_OK);
			assert_int_equal(seq, T - w + 1);
			assert_int_equal(rp.top, T);
			assert_int_equal(replay_check(&rp, (uint32_t)(T - w + 1), &seq),
			    REPLAY_DUP);
			assert_int_equal(replay_check(&rp, (uint32_t)(T - w + 2), &seq),
			    REPLAY_OK);
		}
		/* One step forward pushes the oldest number out. */
		assert_int_equal(accept(&rp, (uint32_t)(T + 1), &seq), REPLAY_OK);
		assert_int_equal(replay_check(&rp, (uint32_t)(T - w + 1), &seq), REPLAY_OLD);
		replay_free(&rp);
	}
}

/* Jumps of every size, up to past the whole ring, leave no stale bits. */
static void
test_big_jump(void **state)
{
	struct replay rp;
	uint64_t seq, s, top, ring;
	size_t i, j;

	for (i = 0; i < NELEM(windows); i++) {
		uint32_t w = windows[i];

		assert_int_equal(replay_init(&rp, w, false), 0);
		ring = ((uint64_t)rp.mask + 1) * 64;
		const uint64_t jumps[] = { w, w + 1, 64, 65, 4099, ring - 1, ring, ring + 1,
		    3 * (uint64_t)w + 7 };

		top = 0;
		for (j = 0; j < NELEM(jumps); j++) {
			/* Fill the whole window, then jump. */
			for (s = top + 1; s <= top + w; s++)
				assert_int_equal(accept(&rp, (uint32_t)s, &seq), REPLAY_OK);
			top += w;
			assert_int_equal(accept(&rp, (uint32_t)(top + jumps[j]), &seq), REPLAY_OK);
			top += jumps[j];
			assert_int_equal(rp.top, top);
			/*
			 * In the window: the numbers jumped over are unseen, the
			 * ones filled before the jump still seen; no stale bits.
			 */
			for (s = top - 1; s > top - w; s--) {
				int want = s > top - jumps[j] ? REPLAY_OK : REPLAY_DUP;

				if (replay_check(&rp, (uint32_t)s, &seq) != want)
					fail_msg("w %u jump %llu: %llu wrong", w,
					    (unsigned long long)jumps[j], (unsigned long long)s);
			}
			assert_int_equal(replay_check(&rp, (uint32_t)(top - w), &seq), REPLAY_OLD);
		}
		replay_free(&rp);
	}
}

/* Same answers as a set of seen numbers, over a pseudo-random walk. */
static void
test_against_model(void **state)
{
	enum { SPAN = 1 << 20 };
	static uint8_t seen[SPAN];
	struct replay rp;
	uint64_t seq, top, s;
	uint32_t x = 2463534242u;
	size_t i, n;
	int want;

	for (i = 0; i < NELEM(windows); i++) {
		uint32_t w = windows[i];

		memset(seen, 0, sizeof(seen));
		top = 0;
		assert_int_equal(replay_init(&rp, w, false), 0);
		for (n = 0; n < 200000 && top < SPAN - 20000; n++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Mostly near top, both sides, sometimes far ahead. */
			s = top + (x % 97 == 0 ? x % 9000 : x % 16) - (x >> 8) % (w + 40);
			if (s >= SPAN || (int64_t)s < 0)
				continue;
			if (s == 0 || (s <= top && top - s >= w))
				want = REPLAY_OLD;
			else if (s <= top && seen[s])
				want = REPLAY_DUP;
			else
				want = REPLAY_OK;
			if (accept(&rp, (uint32_t)s, &seq) != want)
				fail_msg("w %u top %lu seq %lu: want %d", w, (unsigned long)top,
				    (unsigned long)s, want);
			if (want == REPLAY_OK) {
				seen[s] = 1;
				if (s > top)
					top = s;
			}
		}
		replay_free(&rp);
	}
}

static void
test_check_is_pure(void **state)
{
	struct replay rp;
	struct snap before;
	uint64_t seq;
	uint32_t s;

	assert_int_equal(replay_init(&rp, 64, true), 0);
	for (s = 1; s < 50; s += 2)
		assert_int_equal(accept(&rp, s, &seq), REPLAY_OK);
	snap(&rp, &before);
	for (s = 0; s < 200; s++)
		(void)replay_check(&rp, s, &seq);
	(void)replay_check(&rp, UINT32_MAX, &seq);
	assert_unchanged(&rp, &before);
	/* Only an update after authentication marks a number seen. */
	assert_int_equal(replay_check(&rp, 50, &seq), REPLAY_OK);
	assert_int_equal(replay_check(&rp, 50, &seq), REPLAY_OK);
	replay_update(&rp, seq);
	assert_int_equal(replay_check(&rp, 50, &seq), REPLAY_DUP);
	assert_int_equal(rp.top, 50);
	/* An update for a number left of the window changes nothing. */
	replay_update(&rp, 1000);
	snap(&rp, &before);
	replay_update(&rp, 1000 - 64);
	assert_unchanged(&rp, &before);
	assert_int_equal(replay_check(&rp, 1000 - 63, &seq), REPLAY_OK);
	replay_free(&rp);
}

static void
test_disabled(void **state)
{
	struct replay rp;
	uint64_t seq;

	assert_int_equal(replay_init(&rp, 0, false), 0);
	assert_int_equal(accept(&rp, 7, &seq), REPLAY_OK);
	assert_int_equal(accept(&rp, 7, &seq), REPLAY_OK);
	assert_int_equal(accept(&rp, 0, &seq), REPLAY_OK);
	assert_int_equal(accept(&rp, 1, &seq), REPLAY_OK);
	assert_int_equal(rp.top, 7);
	replay_free(&rp);
}

/* Without ESN the 32 bits are the number; the window never wraps. */
static void
test_no_esn_top(void **state)
{
	struct replay rp;
	uint64_t seq;

	assert_int_equal(replay_init(&rp, 64, false), 0);
	assert_int_equal(accept(&rp, UINT32_MAX, &seq), REPLAY_OK);
	assert_int_equal(seq, UINT32_MAX);
	assert_int_equal(replay_check(&rp, 1, &seq), REPLAY_OLD);
	assert_int_equal(replay_check(&rp, UINT32_MAX - 63, &seq), REPLAY_OK);
	assert_int_equal(replay_check(&rp, UINT32_MAX - 64, &seq), REPLAY_OLD);
	replay_free(&rp);
}

struct esn_step {
	uint32_t	low;
	int		want;
	uint64_t	seq64;	/* expected inference, when want is OK or DUP */
};

#define HI(h, l)	((uint64_t)(h) << 32 | (l))

/* RFC 4303 appendix A2 across the 2^32 boundary, window 64. */
static const struct esn_step esn_wrap[] = {
	{ 0xffffffc0, REPLAY_OK, HI(0, 0xffffffc0) },
	{ 0xfffffffe, REPLAY_OK, HI(0, 0xfffffffe) },
	{ 0x00000003, REPLAY_OK, HI(1, 3) },		/* case A: below bottom, next block */
	{ 0xffffffff, REPLAY_OK, HI(0, 0xffffffff) },	/* case B: still in the window */
	{ 0xfffffffe, REPLAY_DUP, HI(0, 0xfffffffe) },
	{ 0x00000000, REPLAY_OK, HI(1, 0) },		/* number 2^32, low bits 0 */
	{ 0xffffffc4, REPLAY_OK, HI(0, 0xffffffc4) },	/* top - 63: just inside */
	{ 0xffffffc3, REPLAY_OK, HI(1, 0xffffffc3) },	/* just below: taken as next block */
};

static void
test_esn_wrap(void **state)
{
	struct replay rp;
	uint64_t seq;
	size_t i;
	int rc;

	assert_int_equal(replay_init(&rp, 64, true), 0);
	for (i = 0; i < NELEM(esn_wrap); i++) {
		rc = accept(&rp, esn_wrap[i].low, &seq);
		if (rc != esn_wrap[i].want || seq != esn_wrap[i].seq64)
			fail_msg("step %zu: got %d %llx", i, rc, (unsigned long long)seq);
	}
	assert_int_equal(rp.top, HI(1, 0xffffffc3));
	/* Window is now [HI(1, 0xffffff84), HI(1, 0xffffffc3)]. */
	assert_int_equal(replay_check(&rp, 2, &seq), REPLAY_OK);
	assert_int_equal(seq, HI(2, 2));
	assert_int_equal(replay_check(&rp, 0xffffff84, &seq), REPLAY_OK);
	assert_int_equal(seq, HI(1, 0xffffff84));
	replay_free(&rp);
}

static void
test_esn_limits(void **state)
{
	struct replay rp;
	uint64_t seq;

	assert_int_equal(replay_init(&rp, 64, true), 0);
	/* Before anything arrived, high low bits would be negative numbers. */
	assert_int_equal(replay_check(&rp, 0, &seq), REPLAY_OLD);
	assert_int_equal(replay_check(&rp, UINT32_MAX, &seq), REPLAY_OLD);
	assert_int_equal(replay_check(&rp, UINT32_MAX - 62, &seq), REPLAY_OLD);
	assert_int_equal(replay_check(&rp, UINT32_MAX - 63, &seq), REPLAY_OK);
	assert_int_equal(seq, UINT32_MAX - 63);
	assert_int_equal(replay_check(&rp, 1, &seq), REPLAY_OK);
	assert_int_equal(seq, 1);
	/* At the top of the 64-bit space there is no next block. */
	replay_update(&rp, UINT64_MAX - 1);
	assert_int_equal(replay_check(&rp, UINT32_MAX, &seq), REPLAY_OK);
	assert_int_equal(seq, UINT64_MAX);
	assert_int_equal(replay_check(&rp, 5, &seq), REPLAY_OLD);
	replay_free(&rp);
	/* Disabled window: nearest number to top, half the space each way. */
	assert_int_equal(replay_init(&rp, 0, true), 0);
	replay_update(&rp, HI(7, 0x10));
	assert_int_equal(replay_check(&rp, 0x80000010, &seq), REPLAY_OK);
	assert_int_equal(seq, HI(7, 0x80000010));
	assert_int_equal(replay_check(&rp, 0x80000012, &seq), REPLAY_OK);
	assert_int_equal(seq, HI(6, 0x80000012));
	assert_int_equal(replay_check(&rp, 0x5, &seq), REPLAY_OK);
	assert_int_equal(seq, HI(7, 5));
	replay_free(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_big_jump),
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_check_is_pure),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_no_esn_top),
		cmocka_unit_test(test_esn_wrap),
		cmocka_unit_test(test_esn_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
