/*
 * secmem.h: handling of secrets.
 *
 * Every comparison of a MAC, ICV, PSK-derived value or cookie goes
 * through ct_memeq(). Every buffer that held a key is wiped with
 * secure_wipe() before it is freed or goes out of scope.
 */
#ifndef GW_SECMEM_H
#define GW_SECMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_KEY_MAX	256	/* bytes; covers every PF_KEY key we accept */

struct gw_key {
	uint16_t	len;
	uint8_t		b[GW_KEY_MAX];
};

/* Constant-time equality of two n-byte buffers. */
bool ct_memeq(const void *a, const void *b, size_t n);
/* Overwrites n bytes with zeros in a way the compiler cannot elide. */
void secure_wipe(void *p, size_t n);
/* Wipes then frees n bytes at p (p may be NULL). */
void secure_free(void *p, size_t n);
void gw_key_clear(struct gw_key *k);

#endif
