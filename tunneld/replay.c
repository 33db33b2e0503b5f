/*
 * replay.c: anti-replay window; see replay.h for the picture.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "replay.h"

/*
 * With the check disabled there is no W to infer ESN high bits from; the
 * receiver then takes the number nearest to top, half the 32-bit space
 * either way (serial number arithmetic, RFC 1982).
 */
#define REPLAY_SPAN_OFF	(UINT32_C(1) << 31)

int
replay_init(struct replay *rp, uint32_t window, bool esn)
{
	uint32_t nwords;

	memset(rp, 0, sizeof(*rp));
	if (window > REPLAY_WINDOW_MAX)
		return GW_E_BADVAL;
	rp->window = window;
	rp->esn = esn;
	if (window == 0)
		return 0;
	/* 64 * nwords >= W + 63: see replay.h. */
	for (nwords = 1; nwords * 64 < window + 63; nwords <<= 1)
		;
	if ((rp->ring = calloc(nwords, sizeof(*rp->ring))) == NULL) {
		memset(rp, 0, sizeof(*rp));
		return GW_E_NOMEM;
	}
	rp->mask = nwords - 1;
	return 0;
}

void
replay_free(struct replay *rp)
{
	free(rp->ring);
	memset(rp, 0, sizeof(*rp));
}

/*
 * RFC 4303 appendix A2: the high 32 bits are those of top unless the low
 * bits only make sense in the next or the previous 2^32 block. Returns 0
 * for a number that would fall before the first one or past 2^64 - 1.
 */
static uint64_t
replay_infer(const struct replay *rp, uint32_t seq)
{
	uint32_t tl = (uint32_t)rp->top, th = (uint32_t)(rp->top >> 32);
	uint32_t w = rp->window != 0 ? rp->window : REPLAY_SPAN_OFF;
	uint32_t bottom = tl - w + 1;	/* modulo 2^32 */

	if (tl >= w - 1) {
		/* Case A: the window lies inside one block; below it is the next. */
		if (seq < bottom) {
			if (th == UINT32_MAX)
				return 0;
			th++;
		}
	} else if (seq >= bottom) {
		/* Case B: the window reaches back into the previous block. */
		if (th == 0)
			return 0;
		th--;
	}
	return (uint64_t)th << 32 | seq;
}

static bool
replay_seen(const struct replay *rp, uint64_t seq)
{
	return (rp->ring[(seq >> 6) & rp->mask] >> (seq & 63)) & 1;
}

int
replay_check(const struct replay *rp, uint32_t seq_low, uint64_t *seq64)
{
	uint64_t seq;

	if (!rp->esn)
		seq = seq_low;
	else if ((seq = replay_infer(rp, seq_low)) == 0) {
		*seq64 = 0;
		return REPLAY_OLD;
	}
	*seq64 = seq;
	/* RFC 4303 3.4.3: without the service the number is not checked. */
	if (rp->window == 0)
		return REPLAY_OK;
	if (seq == 0)
		return REPLAY_OLD;	/* a sender starts at 1 */
	if (seq > rp->top)
		return REPLAY_OK;
	if (rp->top - seq >= rp->window)
		return REPLAY_OLD;
	return replay_seen(rp, seq) ? REPLAY_DUP : REPLAY_OK;
}

/* Zeroes the ring words that top passes on its way up to seq. */
static void
replay_advance(struct replay *rp, uint64_t seq)
{
	uint64_t from = rp->top >> 6, to = seq >> 6, i;

	if (to - from > rp->mask) {
		memset(rp->ring, 0, ((size_t)rp->mask + 1) * sizeof(*rp->ring));
		return;
	}
	for (i = from + 1; i <= to; i++)
		rp->ring[i & rp->mask] = 0;
}

void
replay_update(struct replay *rp, uint64_t seq)
{
	if (seq > rp->top) {
		if (rp->ring != NULL)
			replay_advance(rp, seq);
		rp->top = seq;
	} else if (rp->ring == NULL || rp->top - seq >= rp->window)
		return;
	if (rp->ring != NULL)
		rp->ring[(seq >> 6) & rp->mask] |= UINT64_C(1) << (seq & 63);
}
