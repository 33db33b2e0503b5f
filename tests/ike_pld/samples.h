/*
 * samples.h: IKEv2 messages shaped like what strongSwan 5.9 sends
 * (shared/research/strongswan-peer.md), written with the ike_pld builder.
 *
 * SK payloads carry their inner payloads in clear with no IV, no ICV and
 * a 1-byte cipher block, so the body is "inner payloads, Pad Length 0":
 * sample_inner() strips that the way a decryptor would, which lets the
 * unit tests and the fuzzer reach ike_parse_inner() without keys.
 */
#ifndef TESTS_IKE_PLD_SAMPLES_H
#define TESTS_IKE_PLD_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "ike_pld.h"

#define SAMPLE_MAX	4096

struct sample {
	const char	*name;
	/* Writes the message into buf; returns its length, 0 on failure. */
	size_t		(*make)(uint8_t *buf, size_t cap);
};

extern const struct sample samples[];
extern const size_t nsamples;

/*
 * The inner payloads of m's SK body under the sample convention (no IV,
 * no ICV, trailing padding and Pad Length). Returns 0, or -1 if the body
 * cannot hold its Pad Length.
 */
int sample_inner(const struct ike_msg *m, struct view *inner);

/* The proposals strongSwan offers by default in IKE_SA_INIT. */
void sample_ike_offer(struct ike_sa_pld *sa);

#endif
