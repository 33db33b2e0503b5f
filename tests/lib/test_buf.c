/* test_buf.c: bounded reader and fixed-capacity writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const uint8_t src[16] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0,
};

/* Uniform wrappers so one table can drive every fixed-width getter. */
static int
g_u8(struct rd *r, void *o)
{
	return rd_u8(r, o);
}

static int
g_u16be(struct rd *r, void *o)
{
	return rd_u16be(r, o);
}

static int
g_u32be(struct rd *r, void *o)
{
	return rd_u32be(r, o);
}

static int
g_u64be(struct rd *r, void *o)
{
	return rd_u64be(r, o);
}

static int
g_u16he(struct rd *r, void *o)
{
	return rd_u16he(r, o);
}

static int
g_u32he(struct rd *r, void *o)
{
	return rd_u32he(r, o);
}

static int
g_u64he(struct rd *r, void *o)
{
	return rd_u64he(r, o);
}


static const struct {
	const char *name;
	size_t width;
	bool be;
	int (*get)(struct rd *, void *);
} getters[] = {
	{ "u8", 1, true, g_u8 },
	{ "u16be", 2, true, g_u16be },
	{ "u32be", 4, true, g_u32be },
	{ "u64be", 8, true, g_u64be },
	{ "u16he", 2, false, g_u16he },
	{ "u32he", 4, false, g_u32he },
	{ "u64he", 8, false, g_u64he },
};

/* The value the first width bytes of src encode. */
static uint64_t
expect(size_t width, bool be)
{
	uint64_t v = 0;
	uint16_t v16;
	uint32_t v32;
	size_t i;

	if (be) {
		for (i = 0; i < width; i++)
			v = v << 8 | src[i];
		return v;
	}
	switch (width) {
	case 2:
		memcpy(&v16, src, 2);
		return v16;
	case 4:
		memcpy(&v32, src, 4);
		return v32;
	default:
		memcpy(&v, src, 8);
		return v;
	}
}

/* Reads back what get stored in a width-byte output. */
static uint64_t
stored(const void *out, size_t width)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (width) {
	case 1:
		memcpy(&v8, out, 1);
		return v8;
	case 2:
		memcpy(&v16, out, 2);
		return v16;
	case 4:
		memcpy(&v32, out, 4);
		return v32;
	default:
		memcpy(&v64, out, 8);
		return v64;
	}
}

static void
test_getters_exact(void **state)
{
	uint64_t out;
	size_t i;

	for (i = 0; i < NELEM(getters); i++) {
		struct rd r = rd_init(src, getters[i].width);

		out = 0;
		assert_int_equal(getters[i].get(&r, &out), 0);
		if (stored(&out, getters[i].width) != expect(getters[i].width, getters[i].be))
			fail_msg("%s: wrong value", getters[i].name);
		assert_int_equal(r.off, getters[i].width);
		assert_int_equal(rd_left(&r), 0);
		assert_int_equal(rd_done(&r), 0);
	}
}

static void
test_getters_short(void **state)
{
	uint8_t out[8], before[8];
	size_t i, len;

	memset(before, 0x5a, sizeof(before));
	for (i = 0; i < NELEM(getters); i++) {
		for (len = 0; len < getters[i].width; len++) {
			struct rd r = rd_init(src, len);

			memcpy(out, before, sizeof(out));
			if (getters[i].get(&r, out) != GW_E_SHORT)
				fail_msg("%s: %zu bytes accepted", getters[i].name, len);
			assert_memory_equal(out, before, sizeof(out));
			assert_int_equal(r.off, 0);
			assert_int_equal(r.len, len);
			assert_int_equal(r.err, GW_E_SHORT);
			assert_int_equal(rd_done(&r), GW_E_SHORT);
		}
	}
}

static void
test_getters_after_offset(void **state)
{
	struct rd r = rd_init(src, sizeof(src));
	uint8_t b;
	uint16_t s;
	uint32_t w;
	uint64_t q;

	assert_int_equal(rd_u8(&r, &b), 0);
	assert_int_equal(b, 0x01);
	assert_int_equal(rd_u16be(&r, &s), 0);
	assert_int_equal(s, 0x0203);
	assert_int_equal(rd_u32be(&r, &w), 0);
	assert_int_equal(w, 0x04050607);
	assert_int_equal(rd_u64be(&r, &q), 0);
	assert_true(q == 0x08899aabbccddeefULL);
	assert_int_equal(rd_left(&r), 1);
	q = 7;
	assert_int_equal(rd_u64be(&r, &q), GW_E_SHORT);
	assert_true(q == 7);
	assert_int_equal(r.off, 15);
}

static void
test_error_sticky(void **state)
{
	struct rd r = rd_init(src, 3);
	struct view v = { NULL, 0 };
	struct rd child, before;
	uint32_t w = 9;
	uint8_t b = 9;

	assert_int_equal(rd_u32be(&r, &w), GW_E_SHORT);
	/* Each of these would fit, but the reader already failed. */
	assert_int_equal(rd_u8(&r, &b), GW_E_SHORT);
	assert_int_equal(b, 9);
	assert_int_equal(rd_bytes(&r, 0, &v), GW_E_SHORT);
	assert_null(v.p);
	assert_int_equal(rd_skip(&r, 1), GW_E_SHORT);
	assert_int_equal(rd_tail(&r, 1, &v), GW_E_SHORT);
	assert_int_equal(rd_copy(&r, &b, 1), GW_E_SHORT);
	memset(&before, 0x77, sizeof(before));
	child = before;
	assert_int_equal(rd_sub(&r, 1, &child), GW_E_SHORT);
	assert_memory_equal(&child, &before, sizeof(child));
	assert_int_equal(r.off, 0);
	assert_int_equal(r.len, 3);
	assert_int_equal(w, 9);
}

static void
test_bytes_copy_skip(void **state)
{
	struct rd r = rd_init(src, sizeof(src));
	struct view v;
	uint8_t out[4], before[4];

	assert_int_equal(rd_bytes(&r, 0, &v), 0);
	assert_int_equal(v.len, 0);
	assert_int_equal(rd_bytes(&r, 3, &v), 0);
	assert_ptr_equal(v.p, src);
	assert_int_equal(v.len, 3);
	assert_int_equal(rd_copy(&r, out, 4), 0);
	assert_memory_equal(out, src + 3, 4);
	assert_int_equal(rd_skip(&r, 8), 0);
	assert_int_equal(rd_left(&r), 1);
	memset(before, 0x5a, sizeof(before));
	memcpy(out, before, sizeof(out));
	assert_int_equal(rd_copy(&r, out, 2), GW_E_SHORT);
	assert_memory_equal(out, before, sizeof(out));
	assert_int_equal(r.off, 15);

	r = rd_init(src, 4);
	v.p = NULL;
	assert_int_equal(rd_bytes(&r, 5, &v), GW_E_SHORT);
	assert_null(v.p);
	r = rd_init(src, 4);
	assert_int_equal(rd_skip(&r, 5), GW_E_SHORT);
	assert_int_equal(r.off, 0);
}

static void
test_huge_n(void **state)
{
	/* off + n would wrap to a small number; the check must not. */
	static const size_t huge[] = { SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 2, SIZE_MAX / 2 + 1 };
	uint8_t out[4];
	struct view v = { NULL, 0 };
	struct rd r, child;
	size_t i;

	for (i = 0; i < NELEM(huge); i++) {
		r = rd_init(src, 4);
		assert_int_equal(rd_skip(&r, 2), 0);
		assert_int_equal(rd_bytes(&r, huge[i], &v), GW_E_SHORT);
		assert_null(v.p);
		assert_int_equal(r.off, 2);
		r = rd_init(src, 4);
		assert_int_equal(rd_skip(&r, 2), 0);
		assert_int_equal(rd_copy(&r, out, huge[i]), GW_E_SHORT);
		r = rd_init(src, 4);
		assert_int_equal(rd_skip(&r, 2), 0);
		assert_int_equal(rd_skip(&r, huge[i]), GW_E_SHORT);
		r = rd_init(src, 4);
		assert_int_equal(rd_skip(&r, 2), 0);
		assert_int_equal(rd_tail(&r, huge[i], &v), GW_E_SHORT);
		assert_int_equal(r.len, 4);
		r = rd_init(src, 4);
		assert_int_equal(rd_skip(&r, 2), 0);
		assert_int_equal(rd_sub(&r, huge[i], &child), GW_E_SHORT);
		assert_int_equal(r.off, 2);
	}
}

static void
test_tail(void **state)
{
	struct rd r = rd_init(src, 10);
	struct view v, t;

	assert_int_equal(rd_tail(&r, 2, &t), 0);
	assert_ptr_equal(t.p, src + 8);
	assert_int_equal(t.len, 2);
	assert_int_equal(rd_left(&r), 8);
	/* The tail is no longer readable from the front. */
	assert_int_equal(rd_bytes(&r, 9, &v), GW_E_SHORT);
	r = rd_init(src, 10);
	assert_int_equal(rd_tail(&r, 2, &t), 0);
	assert_int_equal(rd_bytes(&r, 8, &v), 0);
	assert_ptr_equal(v.p, src);
	assert_int_equal(rd_done(&r), 0);
	assert_int_equal(rd_tail(&r, 0, &t), 0);

	/* Not enough left between the cursor and the end. */
	r = rd_init(src, 10);
	assert_int_equal(rd_skip(&r, 5), 0);
	t.p = NULL;
	assert_int_equal(rd_tail(&r, 6, &t), GW_E_SHORT);
	assert_null(t.p);
	assert_int_equal(r.len, 10);
	assert_int_equal(r.off, 5);
	r = rd_init(src, 10);
	assert_int_equal(rd_skip(&r, 5), 0);
	assert_int_equal(rd_tail(&r, 5, &t), 0);
	assert_ptr_equal(t.p, src + 5);
	assert_int_equal(rd_done(&r), 0);
}

static void
test_sub(void **state)
{
	struct rd r = rd_init(src, 10), child, before;
	uint32_t w;
	uint8_t b;

	assert_int_equal(rd_skip(&r, 1), 0);
	assert_int_equal(rd_sub(&r, 3, &child), 0);
	assert_int_equal(r.off, 4);
	assert_ptr_equal(child.p, src + 1);
	assert_int_equal(child.len, 3);
	assert_int_equal(child.off, 0);
	assert_int_equal(child.err, 0);
	/* The child cannot read into its parent's remaining bytes. */
	assert_int_equal(rd_u32be(&child, &w), GW_E_SHORT);
	assert_int_equal(r.err, 0);
	assert_int_equal(rd_u8(&r, &b), 0);
	assert_int_equal(b, 0x05);
	assert_int_equal(rd_done(&child), GW_E_SHORT);

	r = rd_init(src, 4);
	memset(&before, 0x33, sizeof(before));
	child = before;
	assert_int_equal(rd_sub(&r, 5, &child), GW_E_SHORT);
	assert_memory_equal(&child, &before, sizeof(child));
	assert_int_equal(r.off, 0);
	r = rd_init(src, 4);
	assert_int_equal(rd_sub(&r, 0, &child), 0);
	assert_int_equal(rd_done(&child), 0);
	assert_int_equal(rd_sub(&r, 4, &child), 0);
	assert_int_equal(rd_done(&r), 0);
	assert_int_equal(rd_done(&child), GW_E_TOOLONG);
}

static void
test_done(void **state)
{
	struct rd r = rd_init(src, 3);
	uint16_t s;
	uint8_t b = 4;

	assert_int_equal(rd_done(&r), GW_E_TOOLONG);
	assert_int_equal(rd_u16be(&r, &s), 0);
	assert_int_equal(rd_done(&r), GW_E_TOOLONG);
	assert_int_equal(rd_skip(&r, 1), 0);
	assert_int_equal(rd_done(&r), 0);
	/* An error wins over "all consumed". */
	assert_int_equal(rd_u16be(&r, &s), GW_E_SHORT);
	assert_int_equal(rd_done(&r), GW_E_SHORT);
	r = rd_init(NULL, 0);
	assert_int_equal(rd_done(&r), 0);
	assert_int_equal(rd_u8(&r, &b), GW_E_SHORT);
	assert_int_equal(b, 4);
}

/* Uniform wrappers for the fixed-width writers. */
static int
p_u8(struct wr *w, uint64_t v)
{
	return wr_u8(w, (uint8_t)v);
}

static int
p_u16be(struct wr *w, uint64_t v)
{
	return wr_u16be(w, (uint16_t)v);
}

static int
p_u32be(struct wr *w, uint64_t v)
{
	return wr_u32be(w, (uint32_t)v);
}

static int
p_u64be(struct wr *w, uint64_t v)
{
	return wr_u64be(w, v);
}

static int
p_u16he(struct wr *w, uint64_t v)
{
	return wr_u16he(w, (uint16_t)v);
}

static int
p_u32he(struct wr *w, uint64_t v)
{
	return wr_u32he(w, (uint32_t)v);
}

static int
p_u64he(struct wr *w, uint64_t v)
{
	return wr_u64he(w, v);
}


static const struct {
	const char *name;
	size_t width;
	bool be;
	int (*put)(struct wr *, uint64_t);
} putters[] = {
	{ "u8", 1, true, p_u8 },
	{ "u16be", 2, true, p_u16be },
	{ "u32be", 4, true, p_u32be },
	{ "u64be", 8, true, p_u64be },
	{ "u16he", 2, false, p_u16he },
	{ "u32he", 4, false, p_u32he },
	{ "u64he", 8, false, p_u64he },
};

static void
test_writers_roundtrip(void **state)
{
	uint8_t buf[8];
	size_t i;

	for (i = 0; i < NELEM(putters); i++) {
		struct wr w = wr_init(buf, putters[i].width);
		uint64_t v = expect(putters[i].width, putters[i].be);

		memset(buf, 0, sizeof(buf));
		assert_int_equal(putters[i].put(&w, v), 0);
		assert_int_equal(w.off, putters[i].width);
		if (memcmp(buf, src, putters[i].width) != 0)
			fail_msg("%s: wrong bytes", putters[i].name);
	}
}

static void
test_writers_overflow(void **state)
{
	uint8_t buf[8], before[8];
	size_t i, cap;

	memset(before, 0x5a, sizeof(before));
	for (i = 0; i < NELEM(putters); i++) {
		for (cap = 0; cap < putters[i].width; cap++) {
			struct wr w = wr_init(buf, cap);

			memcpy(buf, before, sizeof(buf));
			if (putters[i].put(&w, UINT64_MAX) != GW_E_TOOLONG)
				fail_msg("%s: fits in %zu", putters[i].name, cap);
			assert_memory_equal(buf, before, sizeof(buf));
			assert_int_equal(w.off, 0);
			assert_int_equal(w.err, GW_E_TOOLONG);
		}
	}
}

static void
test_writer_sticky(void **state)
{
	uint8_t buf[8], one = 1;
	struct wr w = wr_init(buf, sizeof(buf));
	size_t at = 77;

	assert_int_equal(wr_u32be(&w, 1), 0);
	assert_int_equal(wr_u64be(&w, 2), GW_E_TOOLONG);
	assert_int_equal(w.off, 4);
	/* All of these would fit. */
	assert_int_equal(wr_u8(&w, 3), GW_E_TOOLONG);
	assert_int_equal(wr_bytes(&w, &one, 1), GW_E_TOOLONG);
	assert_int_equal(wr_zero(&w, 1), GW_E_TOOLONG);
	assert_int_equal(wr_reserve(&w, 2, &at), GW_E_TOOLONG);
	assert_int_equal(at, 77);
	assert_int_equal(wr_patch_u16be(&w, 0, 5), GW_E_TOOLONG);
	assert_int_equal(wr_align(&w, 8), GW_E_TOOLONG);
	assert_int_equal(w.off, 4);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[3], 1);
}

static void
test_writer_bytes_huge(void **state)
{
	uint8_t buf[8];
	struct wr w = wr_init(buf, sizeof(buf));

	assert_int_equal(wr_u8(&w, 1), 0);
	assert_int_equal(wr_bytes(&w, src, SIZE_MAX), GW_E_TOOLONG);
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_u8(&w, 1), 0);
	assert_int_equal(wr_zero(&w, SIZE_MAX), GW_E_TOOLONG);
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_bytes(&w, NULL, 0), 0);
	assert_int_equal(wr_bytes(&w, src, 8), 0);
	assert_memory_equal(buf, src, 8);
	assert_int_equal(wr_bytes(&w, NULL, 0), 0);
	assert_int_equal(wr_bytes(&w, src, 1), GW_E_TOOLONG);
}

static void
test_reserve_patch(void **state)
{
	static const uint8_t want[] = { 0x00, 0x06, 0xaa, 0xbb, 0xcc, 0xdd };
	uint8_t buf[16];
	struct wr w = wr_init(buf, sizeof(buf));
	size_t at, at2;
	uint16_t he;

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(wr_reserve(&w, 2, &at), 0);
	assert_int_equal(at, 0);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 0);
	assert_int_equal(wr_u32be(&w, 0xaabbccdd), 0);
	assert_int_equal(wr_patch_u16be(&w, at, (uint16_t)w.off), 0);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(w.off, 6);

	assert_int_equal(wr_reserve(&w, 2, &at2), 0);
	assert_int_equal(at2, 6);
	assert_int_equal(wr_patch_u16he(&w, at2, 0x1234), 0);
	memcpy(&he, buf + at2, 2);
	assert_int_equal(he, 0x1234);
	assert_int_equal(w.off, 8);
	assert_int_equal(w.err, 0);
}

static void
test_patch_out_of_range(void **state)
{
	uint8_t buf[16];
	struct wr w;

	/* A patch must lie inside what was written, not merely inside cap. */
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_u16be(&w, 0x0102), 0);
	assert_int_equal(wr_patch_u16be(&w, 1, 0xffff), GW_E_BADVAL);
	assert_int_equal(buf[1], 0x02);
	assert_int_equal(w.err, GW_E_BADVAL);
	assert_int_equal(wr_u8(&w, 1), GW_E_BADVAL);
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_patch_u16be(&w, 0, 1), GW_E_BADVAL);
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_u32be(&w, 0), 0);
	assert_int_equal(wr_patch_u16he(&w, SIZE_MAX, 1), GW_E_BADVAL);
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_u32be(&w, 0), 0);
	assert_int_equal(wr_patch_u16be(&w, SIZE_MAX - 1, 1), GW_E_BADVAL);
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_u32be(&w, 0), 0);
	assert_int_equal(wr_patch_u16be(&w, 2, 0x0a0b), 0);
	assert_int_equal(buf[2], 0x0a);
	assert_int_equal(buf[3], 0x0b);
}

static void
test_reserve_overflow(void **state)
{
	uint8_t buf[4];
	struct wr w = wr_init(buf, sizeof(buf));
	size_t at = 99;

	assert_int_equal(wr_u8(&w, 1), 0);
	assert_int_equal(wr_reserve(&w, 4, &at), GW_E_TOOLONG);
	assert_int_equal(at, 99);
	assert_int_equal(w.off, 1);
	w = wr_init(buf, sizeof(buf));
	assert_int_equal(wr_reserve(&w, SIZE_MAX, &at), GW_E_TOOLONG);
	assert_int_equal(at, 99);
}

static void
test_align(void **state)
{
	uint8_t buf[16], zero[8] = { 0 };
	struct wr w = wr_init(buf, sizeof(buf));

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(wr_align(&w, 8), 0);
	assert_int_equal(w.off, 0);
	assert_int_equal(wr_u8(&w, 0x11), 0);
	assert_int_equal(wr_align(&w, 1), 0);
	assert_int_equal(w.off, 1);
	assert_int_equal(wr_align(&w, 4), 0);
	assert_int_equal(w.off, 4);
	assert_memory_equal(buf + 1, zero, 3);
	assert_int_equal(wr_u8(&w, 0x22), 0);
	assert_int_equal(wr_align(&w, 8), 0);
	assert_int_equal(w.off, 8);
	assert_memory_equal(buf + 5, zero, 3);
	assert_int_equal(buf[8], 0xff);
	assert_int_equal(wr_align(&w, 8), 0);
	assert_int_equal(w.off, 8);
	/* Padding that does not fit fails like any other write. */
	assert_int_equal(wr_u8(&w, 0x33), 0);
	assert_int_equal(wr_align(&w, 32), GW_E_TOOLONG);
	assert_int_equal(w.off, 9);
	assert_int_equal(buf[9], 0xff);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getters_exact),
		cmocka_unit_test(test_getters_short),
		cmocka_unit_test(test_getters_after_offset),
		cmocka_unit_test(test_error_sticky),
		cmocka_unit_test(test_bytes_copy_skip),
		cmocka_unit_test(test_huge_n),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_done),
		cmocka_unit_test(test_writers_roundtrip),
		cmocka_unit_test(test_writers_overflow),
		cmocka_unit_test(test_writer_sticky),
		cmocka_unit_test(test_writer_bytes_huge),
		cmocka_unit_test(test_reserve_patch),
		cmocka_unit_test(test_patch_out_of_range),
		cmocka_unit_test(test_reserve_overflow),
		cmocka_unit_test(test_align),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
