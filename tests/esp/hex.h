/* hex.h: hex strings of the test vectors to bytes. */
#ifndef TEST_HEX_H
#define TEST_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes hex, repeated rep times (0 counts as 1), into out. Returns the
 * byte count; aborts on bad hex or overflow, which is a broken vector.
 */
static inline size_t
hex_rep(const char *hex, size_t rep, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex), i, r, len = 0;
	int hi, lo;

	if (n % 2 != 0)
		abort();
	for (r = 0; r < (rep ? rep : 1); r++) {
		for (i = 0; i < n; i += 2) {
			hi = hex_nibble(hex[i]);
			lo = hex_nibble(hex[i + 1]);
			if (hi < 0 || lo < 0 || len == cap)
				abort();
			out[len++] = (uint8_t)(hi << 4 | lo);
		}
	}
	return len;
}

static inline size_t
hex(const char *s, uint8_t *out, size_t cap)
{
	return hex_rep(s, 1, out, cap);
}

#endif
