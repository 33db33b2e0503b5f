/*
 * pktbuf.h: one packet in caller-owned memory, with room on both sides.
 *
 * The data path reads a packet into the middle of a fixed buffer so that
 * headers can be prepended (push) and trailers appended (put) without a
 * copy, and stripped again (pull, trim) on the way in:
 *
 *   mem                mem+off             mem+off+len           mem+cap
 *    |<--- headroom --->|<------ data ------>|<--- tailroom --->|
 *
 * The memory is borrowed: the struct never allocates or frees it, and the
 * invariant off + len <= cap holds after every call. A failed call
 * changes nothing.
 */
#ifndef TUNNELD_PKTBUF_H
#define TUNNELD_PKTBUF_H

#include <stddef.h>
#include <stdint.h>

struct pkt_buf {
	uint8_t	*mem;	/* borrowed; valid while the caller says so */
	size_t	 cap;	/* bytes at mem */
	size_t	 off;	/* start of the data */
	size_t	 len;	/* bytes of data */
};

/*
 * Points b at cap bytes of mem with an empty data area headroom bytes in
 * (clamped to cap). The caller then copies or reads a packet to
 * pkt_data(b) and calls pkt_put() for its length.
 */
static inline void
pkt_init(struct pkt_buf *b, void *mem, size_t cap, size_t headroom)
{
	b->mem = mem;
	b->cap = cap;
	b->off = headroom < cap ? headroom : cap;
	b->len = 0;
}

static inline uint8_t *
pkt_data(const struct pkt_buf *b)
{
	return b->mem + b->off;
}

static inline size_t
pkt_headroom(const struct pkt_buf *b)
{
	return b->off;
}

static inline size_t
pkt_tailroom(const struct pkt_buf *b)
{
	return b->cap - b->off - b->len;
}

/* Grows the data by n bytes at the front; returns the new start or NULL. */
static inline uint8_t *
pkt_push(struct pkt_buf *b, size_t n)
{
	if (n > b->off)
		return NULL;
	b->off -= n;
	b->len += n;
	return b->mem + b->off;
}

/* Grows the data by n bytes at the end; returns the first new byte or NULL. */
static inline uint8_t *
pkt_put(struct pkt_buf *b, size_t n)
{
	uint8_t *p;

	if (n > pkt_tailroom(b))
		return NULL;
	p = b->mem + b->off + b->len;
	b->len += n;
	return p;
}

/* Drops n bytes at the front; returns the new start or NULL if n > len. */
static inline uint8_t *
pkt_pull(struct pkt_buf *b, size_t n)
{
	if (n > b->len)
		return NULL;
	b->off += n;
	b->len -= n;
	return b->mem + b->off;
}

/* Drops n bytes at the end; returns 0, or -1 if n > len. */
static inline int
pkt_trim(struct pkt_buf *b, size_t n)
{
	if (n > b->len)
		return -1;
	b->len -= n;
	return 0;
}

#endif
