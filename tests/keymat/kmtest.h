/* kmtest.h: hex decoding and comparison for the tests of tests/keymat. */
#ifndef KMTEST_H
#define KMTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int
kmtest_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex into out (cap bytes); aborts on a broken vector. */
static inline size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex), i;
	int hi, lo;

	if (n % 2 != 0 || n / 2 > cap) {
		fprintf(stderr, "bad vector (%zu digits)\n", n);
		abort();
	}
	for (i = 0; i < n / 2; i++) {
		hi = kmtest_nibble(hex[2 * i]);
		lo = kmtest_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			abort();
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

/* Fails unless p[0..len) is exactly the bytes of hex. */
#define assert_hex(p, len, hex) do {						\
	uint8_t want_[1024];							\
	size_t wlen_ = unhex((hex), want_, sizeof(want_));			\
	assert_int_equal((len), wlen_);						\
	assert_memory_equal((p), want_, wlen_);					\
} while (0)

#endif
