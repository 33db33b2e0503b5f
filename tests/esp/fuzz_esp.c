/*
 * fuzz_esp.c: libFuzzer entry for esp_decap().
 *
 * The first byte picks the setting, the rest is the packet:
 *   bit 0   0: AES-128-GCM-16 SA, 1: AES-128-CBC + HMAC-SHA1-96 SA
 *   bit 1   ESN on
 *   bit 2   replay window 0 (disabled) instead of 64
 *   bit 7   "sealed": the rest is a plaintext (payload, padding, pad
 *           length, next header as the fuzzer likes) that is first
 *           encrypted and authenticated with the SA's keys, so that the
 *           checks after the ICV (padding, trailer) are reached too.
 * Keys are those of espgen_sa_get(i, FUZZ_SEED), which also made the seed
 * corpus in tests/corpus/esp/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp.h"
#include "espgen.h"

#define FUZZ_SEED	0x42
#define FUZZ_HEADROOM	64
#define SA_GCM		0	/* espgen index: aes-gcm-16/128 */
#define SA_CBC		4	/* espgen index: aes-cbc/128 hmac-sha1 */

static struct espgen_sa gen[2];
static struct esp_xform xf[2];

static void
fuzz_setup(void)
{
	const size_t idx[2] = { SA_GCM, SA_CBC };
	const struct alg *auth;
	size_t i;

	for (i = 0; i < 2; i++) {
		espgen_sa_get(idx[i], FUZZ_SEED, &gen[i]);
		auth = gen[i].auth ? alg_by_id(ALG_AUTH, gen[i].auth) : NULL;
		if (esp_xform_init(&xf[i], alg_by_id(ALG_ENC, gen[i].enc), gen[i].ekey,
		    gen[i].ekeylen, auth, gen[i].akey, gen[i].akeylen) != 0)
			abort();
	}
}

/* Encrypts the fuzzer's plaintext as packet number 1; returns its length. */
static size_t
fuzz_seal(size_t sa, bool esn, const uint8_t *pt, size_t len, uint8_t *out, size_t cap)
{
	static const uint8_t iv[16] = { 0xf0, 0x0d };

	len -= len % espgen_align(&gen[sa]);
	if (len == 0)
		return 0;
	return espgen_seal(&gen[sa], 0x1000, 1, esn, iv, pt, len, out, cap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[FUZZ_HEADROOM + ESP_MAX_LEN + 64];
	static bool ready;
	struct replay rp;
	struct pkt_buf b;
	size_t sa, len;
	uint8_t sel, nh;
	uint64_t seq;
	bool esn;

	if (!ready) {
		fuzz_setup();
		ready = true;
	}
	if (size < 1 || size - 1 > ESP_MAX_LEN + 1)
		return 0;
	sel = data[0];
	sa = sel & 1;
	esn = (sel & 2) != 0;
	pkt_init(&b, mem, sizeof(mem), FUZZ_HEADROOM);
	if (sel & 0x80) {
		len = fuzz_seal(sa, esn, data + 1, size - 1, pkt_data(&b), sizeof(mem) -
		    FUZZ_HEADROOM);
		if (len == 0)
			return 0;
	} else {
		len = size - 1;
		memcpy(pkt_data(&b), data + 1, len);
	}
	pkt_put(&b, len);
	if (replay_init(&rp, (sel & 4) ? 0 : 64, esn) != 0)
		abort();
	if (esp_decap(&xf[sa], &rp, &b, &nh, &seq) == 0) {
		/* What comes out lies inside what went in. */
		if (b.len > len || pkt_data(&b) < mem || b.off + b.len > b.cap)
			abort();
	}
	replay_free(&rp);
	return 0;
}
