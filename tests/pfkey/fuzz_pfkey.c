/*
 * fuzz_pfkey.c: libFuzzer entry for pfk_decode.
 *
 * A message that decodes must re-encode to the same length (every
 * extension length is exact), decode again to an equal message and
 * re-encode to the same bytes. Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg_eq.h"
#include "pfkey.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pfk_msg m, m2;
	static uint8_t out[PFK_MSG_MAX], out2[PFK_MSG_MAX];
	struct wr w = wr_init(out, sizeof(out)), w2 = wr_init(out2, sizeof(out2));

	if (pfk_decode(data, size, &m) != 0)
		return 0;
	if (pfk_encode(&m, &w) != 0 || w.off != size)
		abort();
	if (pfk_decode(out, w.off, &m2) != 0 || !msg_eq(&m, &m2))
		abort();
	if (pfk_encode(&m2, &w2) != 0 || w2.off != w.off || memcmp(out, out2, w.off) != 0)
		abort();
	return 0;
}
