/* secmem.c: constant-time compare and wiping; see secmem.h. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "secmem.h"

bool
ct_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
secure_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
secure_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	secure_wipe(p, n);
	free(p);
}

void
gw_key_clear(struct gw_key *k)
{
	secure_wipe(k, sizeof(*k));
}
