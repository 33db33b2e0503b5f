/*
 * fuzz_ikerelay.c: libFuzzer entry for ikerelay_decode, the parser of
 * what a relay client (ikd) hands tunneld.
 *
 * Oracles besides the sanitizers: an accepted datagram's payload is the
 * input's tail, never empty, and its addresses and ports re-encode to
 * exactly the input bytes (the header has one encoding; nothing is
 * ignored).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikerelay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	out[IKERELAY_HLEN + IKERELAY_PAYLOAD_MAX];
	struct gw_addr	l, r;
	struct view	v;
	struct wr	w;

	if (ikerelay_decode(data, size, &l, &r, &v) != 0)
		return 0;
	if (v.len == 0 || v.len > IKERELAY_PAYLOAD_MAX || v.p != data + IKERELAY_HLEN ||
	    IKERELAY_HLEN + v.len != size || l.af != r.af || l.port == 0 || r.port == 0)
		abort();
	w = wr_init(out, sizeof(out));
	if (ikerelay_encode(&w, &l, &r, v.p, v.len) != 0 || w.off != size ||
	    memcmp(out, data, size) != 0)
		abort();
	return 0;
}
