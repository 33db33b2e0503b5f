/*
 * espgen.h: a second, deliberately plain ESP encoder for tests.
 *
 * It seals an arbitrary plaintext (payload and trailer as the caller
 * wants them, right or wrong) with one-shot OpenSSL and libsodium calls
 * and none of lib/crypto.c or tunneld/esp.c, so that esp_encap() can be
 * compared with it byte for byte and esp_decap() fed authentic packets
 * with bad padding.
 */
#ifndef ESPGEN_H
#define ESPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct espgen_sa {
	const char	*name;
	uint8_t		 enc;		/* SADB_*EALG_* */
	uint8_t		 auth;		/* SADB_*AALG_*, 0 for an AEAD */
	uint8_t		 ekey[36];	/* salt included for AEADs */
	size_t		 ekeylen;
	uint8_t		 akey[64];
	size_t		 akeylen;
};

/* Every combination tunneld runs, with fixed keys derived from seed. */
size_t espgen_sa_count(void);
void espgen_sa_get(size_t i, uint8_t seed, struct espgen_sa *sa);

/* IV and ICV lengths of sa, as the RFCs define them. */
size_t espgen_ivlen(const struct espgen_sa *sa);
size_t espgen_icvlen(const struct espgen_sa *sa);
/* Alignment of the encrypted part: 16 for CBC, else 4. */
size_t espgen_align(const struct espgen_sa *sa);

/*
 * Writes SPI, low sequence bits, iv, the encrypted pt and the ICV to out.
 * pt is taken as is (it should end in padding, pad length, next header).
 * Returns the packet length, or 0 if cap is too small or pt's length does
 * not suit a CBC cipher.
 */
size_t espgen_seal(const struct espgen_sa *sa, uint32_t spi, uint64_t seq, bool esn,
    const uint8_t *iv, const uint8_t *pt, size_t ptlen, uint8_t *out, size_t cap);

#endif
