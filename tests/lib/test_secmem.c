/* test_secmem.c: constant-time compare and wiping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "secmem.h"

static void
test_memeq_equal(void **state)
{
	uint8_t a[64], b[64];
	size_t i;

	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 37 + 1);
	assert_true(ct_memeq(a, b, sizeof(a)));
	assert_true(ct_memeq(a, a, sizeof(a)));
	for (i = 0; i <= sizeof(a); i++)
		assert_true(ct_memeq(a, b, i));
}

static void
test_memeq_every_bit(void **state)
{
	uint8_t a[64], b[64];
	size_t i;
	unsigned bit;

	memset(a, 0x3c, sizeof(a));
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(b, a, sizeof(b));
			b[i] ^= (uint8_t)(1u << bit);
			if (ct_memeq(a, b, sizeof(a)))
				fail_msg("difference at byte %zu bit %u missed", i, bit);
			/* A difference past n does not count. */
			assert_true(ct_memeq(a, b, i));
		}
	}
}

static void
test_memeq_empty(void **state)
{
	uint8_t a = 1, b = 2;

	assert_true(ct_memeq(&a, &b, 0));
	assert_false(ct_memeq(&a, &b, 1));
}

static void
test_wipe(void **state)
{
	uint8_t buf[48], zero[32] = { 0 };

	memset(buf, 0xee, sizeof(buf));
	secure_wipe(buf + 8, 32);
	assert_memory_equal(buf + 8, zero, 32);
	assert_int_equal(buf[7], 0xee);
	assert_int_equal(buf[40], 0xee);
	secure_wipe(buf, 0);
	assert_int_equal(buf[0], 0xee);
	secure_wipe(NULL, 16);
}

static void
test_secure_free(void **state)
{
	uint8_t *p = malloc(100);

	assert_non_null(p);
	memset(p, 0xaa, 100);
	secure_free(p, 100);
	secure_free(NULL, 100);
	secure_free(NULL, 0);
}

static void
test_key_clear(void **state)
{
	struct gw_key k, zero;

	memset(&zero, 0, sizeof(zero));
	memset(&k, 0xa5, sizeof(k));
	k.len = GW_KEY_MAX;
	gw_key_clear(&k);
	assert_int_equal(k.len, 0);
	assert_memory_equal(&k, &zero, sizeof(k));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memeq_equal),
		cmocka_unit_test(test_memeq_every_bit),
		cmocka_unit_test(test_memeq_empty),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_secure_free),
		cmocka_unit_test(test_key_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
