/*
 * fuzz_ike_sk_env.h: an ESTABLISHED IKE SA between two in-process nodes
 * (fixture.h) that fuzz_ike_sk feeds hostile messages to, and that
 * gen_ike_sk_corpus writes its seeds against.
 *
 * One input is a mode byte, a setup byte, a control byte and a body:
 *
 *   mode  bit 7      0: sealed, 1: raw datagram
 *         bits 0-1   suite: 0 AES-GCM, 1 AES-CBC/HMAC, 2 ChaCha20-Poly1305, 3 as 0
 *         bit 2      target: 0 node 1 (the original responder), 1 node 0
 *         bit 3      to port 4500 (with the non-ESP marker)
 *         bits 4-5   time passing afterwards, timers running (SK_CLOCK_*)
 *         bit 6      to the newest IKE SA of the target, not the oldest
 *   setup            what happened before the input (SK_SETUP_*, modulo their count)
 *
 * Sealed: ctrl bits 0-1 exchange (INFORMATIONAL, CREATE_CHILD_SA,
 * IKE_AUTH, IKE_SA_INIT), bit 2 a response (to the target's outstanding
 * request: its Message ID and exchange), bit 3 the Message ID of the
 * last request (a retransmission), bit 4 the body holds the padding and
 * Pad Length itself; then the SK Next Payload byte, then the inner
 * payload chain, encrypted with the keys of the target SA's peer.
 *
 * Raw: ctrl bit 0 patches the target SA's SPIs into the header, bit 1
 * its expected Message ID; the body is the IKE message.
 *
 * Whatever either node sends is delivered to the other.
 */
#ifndef FUZZ_IKE_SK_ENV_H
#define FUZZ_IKE_SK_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "fixture.h"

#define SK_MODE_RAW		0x80
#define SK_MODE_SUITE(m)	((m) & 0x03)
#define SK_MODE_NODE0		0x04
#define SK_MODE_NATT		0x08
#define SK_MODE_CLOCK(k)	((uint8_t)((k) << 4))
#define SK_MODE_GET_CLOCK(m)	(((m) >> 4) & 0x03)
#define SK_MODE_NEWEST		0x40

#define SK_CTRL_EXCH(c)		((c) & 0x03)	/* index into INFO, CHILD, AUTH, INIT */
#define SK_CTRL_RESPONSE	0x04
#define SK_CTRL_RETRANSMIT	0x08
#define SK_CTRL_VERBATIM	0x10
#define SK_CTRL_PATCH_SPI	0x01	/* raw */
#define SK_CTRL_PATCH_ID	0x02	/* raw */

/* What happened before the input came. */
enum sk_setup {
	SK_SETUP_NONE,
	SK_SETUP_LIVENESS,	/* the target sent an empty INFORMATIONAL request */
	SK_SETUP_DEL_CHILD,	/* it sent a Delete of its Child SA */
	SK_SETUP_DEL_IKE,	/* it sent a Delete of the IKE SA (DELETING) */
	SK_SETUP_CHILD_REKEY,	/* it sent a rekey of its Child SA */
	SK_SETUP_IKE_REKEY,	/* it sent a rekey of the IKE SA (REKEYING) */
	SK_SETUP_PEER_CHILD,	/* it answered the peer's Child SA rekey */
	SK_SETUP_PEER_IKE,	/* it answered the peer's IKE SA rekey: two IKE SAs */
	SK_SETUP_CHILD_CROSS,	/* CHILD_REKEY, then PEER_CHILD: a collision (2.8.1) */
	SK_SETUP_IKE_CROSS,	/* IKE_REKEY, then PEER_IKE: a collision (2.8.2) */
	/* The peer's IKE SA rekey went through; its Delete of the old SA was lost. */
	SK_SETUP_IKE_REKEYED,
	/*
	 * Node 0 started a second IKE SA: IKE_SA_INIT done, its IKE_AUTH
	 * request lost. The newest SA of node 1 is half-open (INIT_DONE),
	 * that of node 0 waits for the IKE_AUTH response (AUTH_SENT).
	 */
	SK_SETUP_AUTH,
	SK_SETUP_COUNT
};

enum sk_clock {
	SK_CLOCK_NONE,
	SK_CLOCK_SECONDS,	/* 4 s: retransmissions, pending outbound SAs */
	SK_CLOCK_MINUTES,	/* 2 min: give-ups, liveness checks, retries */
	SK_CLOCK_HOURS,		/* 1 h: Child SA rekeys at their soft lifetime */
};

/* Fields of an input. */
#define SK_OFF_MODE		0
#define SK_OFF_SETUP		1
#define SK_OFF_CTRL		2
#define SK_OFF_BODY		3	/* sealed: SK Next Payload; raw: the message */
#define SK_SEALED_HDR		4	/* sealed: the inner chain starts here */

/* What one input did to its target, for the corpus generator. */
struct sk_outcome {
	int		target;		/* node index */
	uint64_t	drops;		/* how far the target's drop counters moved */
	uint64_t	rx;		/* datagrams the target received */
	uint64_t	tx;		/* datagrams the target sent */
	size_t		nsa;		/* IKE SAs of the target afterwards */
	size_t		installs;	/* Child SA installs and deletes at the target */
	size_t		dels;
};

/*
 * A fresh pair established with suite s: IKE_SA_INIT and IKE_AUTH done,
 * one Child SA each, the network empty. The same bytes every time (fixed
 * RNG seeds, clock at 0). Aborts on failure; caller frees with pair_free().
 */
struct pair *sk_pair_new(enum suite s);
/* The suite a mode byte selects. */
enum suite sk_suite(uint8_t mode);

/*
 * Runs one input data[0..size) as the layout above says, against a pair
 * per suite kept between calls: it is used again only if the previous
 * input changed nothing (same SAs, windows, Child SAs, RNG, clock and
 * traffic), and made afresh otherwise. out (may be NULL) gets what
 * happened. Aborts if ikd/ then leaves a dead SA unreaped, or the data
 * path and the IKE SAs' record of it disagree. Returns 0, or -1 for an
 * input too short to mean anything.
 */
int sk_run(const uint8_t *data, size_t size, struct sk_outcome *out);
/* Frees the pairs sk_run() keeps. */
void sk_env_free(void);

#endif
