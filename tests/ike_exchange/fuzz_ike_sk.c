/*
 * fuzz_ike_sk.c: libFuzzer entry for what an encrypted IKE message can
 * reach once it authenticates: SK decryption (ike_msg_open), the inner
 * payload parser, and the INFORMATIONAL, CREATE_CHILD_SA (Child SA and
 * IKE SA rekey, both roles, collisions) and IKE_AUTH handlers of an
 * ESTABLISHED IKE SA, then the timers that run on what they left.
 *
 * The input layout is in fuzz_ike_sk_env.h: a mode byte picks a raw
 * datagram or an inner payload chain that the harness seals with the
 * SA's real keys and right Message ID, so that the ICV verifies and the
 * hostile content goes further. Seeds: tests/corpus/ike_sk/, written by
 * gen_ike_sk_corpus. FUZZ_IKE_SK_DEBUG=1 in the environment logs at
 * debug level, for reading what a crashing input did.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ike_sk_env.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init(true, getenv("FUZZ_IKE_SK_DEBUG") != NULL ? 1 : -2, "fuzz_ike_sk");
	/* The pairs kept between inputs go before LeakSanitizer looks. */
	atexit(sk_env_free);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sk_run(data, size, NULL);
	return 0;
}
