/*
 * replay.h: the inbound anti-replay window of one SA (RFC 4303 3.4.3 and
 * appendix A), ready for 64-bit extended sequence numbers.
 *
 * The receiver keeps top, the highest sequence number that has passed
 * the ICV check, and one bit for each of the W numbers ending at top:
 *
 *                too old        |<-------------- W -------------->|   new
 *   ... -- ------------------- [ . x x . x x x . x x x x . x x . X ] ---- ...
 *                               ^                                ^
 *                         top - W + 1                           top
 *
 *   x = seen, . = not yet seen. A number left of the window or whose bit
 *   is set is rejected; a number right of top is new and moves the window.
 *
 * The bits live in a ring of 64-bit words, so the window slides by
 * clearing whole words instead of shifting the bitmap (RFC 6479):
 *
 *   +-----------+-----------+-----------+-----------+
 *   |  word 0   |  word 1   |  word 2   |  word 3   |   nwords = 4 (a power of 2)
 *   +-----------+-----------+-----------+-----------+
 *   seq s lives in word (s / 64) % nwords, bit s % 64. When top moves from
 *   word i to word j, words i+1 .. j (mod nwords) are zeroed first: they
 *   held numbers 64 * nwords lower, which are now left of the window.
 *   nwords * 64 >= W + 63, so the window never wraps onto itself.
 *
 * replay_check() only reads; replay_update() is called once the packet
 * is authenticated, so a forged packet can never move the window. A
 * struct replay belongs to one thread at a time.
 */
#ifndef TUNNELD_REPLAY_H
#define TUNNELD_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WINDOW_MAX	65536	/* packets; 8 KiB of bitmap */

enum replay_verdict {
	REPLAY_OK = 0,
	REPLAY_OLD = -1,	/* left of the window (or number 0) */
	REPLAY_DUP = -2,	/* inside the window and already seen */
};

struct replay {
	uint64_t	*ring;		/* bitmap words; NULL when window is 0 */
	uint32_t	 mask;		/* nwords - 1 */
	uint32_t	 window;	/* W in packets; 0 = no replay check */
	uint64_t	 top;		/* highest authenticated number; 0 = none yet */
	bool		 esn;		/* 64-bit numbers, low 32 bits on the wire */
};

/*
 * Sets up an empty window of window packets. 0 disables the check; top
 * is still tracked, and ESN high bits are then inferred as those nearest
 * to top (half the 32-bit space either way). Allocates the bitmap once,
 * here. Returns 0, GW_E_BADVAL if window > REPLAY_WINDOW_MAX, or
 * GW_E_NOMEM. On failure rp is left zeroed.
 */
int replay_init(struct replay *rp, uint32_t window, bool esn);
/* Frees the bitmap; safe on a zeroed or already freed struct. */
void replay_free(struct replay *rp);
/*
 * Decides whether the packet numbered seq_low (the 32 bits on the wire)
 * may be processed, without changing any state. Writes the full number
 * (with ESN: high bits inferred per RFC 4303 appendix A2) to *seq64,
 * which is what the ICV covers and what replay_update() wants. Returns
 * REPLAY_OK, REPLAY_OLD or REPLAY_DUP.
 */
int replay_check(const struct replay *rp, uint32_t seq_low, uint64_t *seq64);
/*
 * Marks seq64 seen and advances the window if it is new. Call only after
 * the packet authenticated and only with a number replay_check() passed.
 */
void replay_update(struct replay *rp, uint64_t seq64);

#endif
