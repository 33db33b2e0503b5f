/*
 * buf.h: bounded reader and fixed-capacity writer for wire data.
 *
 * Every byte of untrusted input is read through struct rd. Getters are
 * atomic: on failure they consume nothing, leave *out untouched and set a
 * sticky error, so a parser can run a sequence of reads and check rd.err
 * once. Lengths are compared as "n > len - off", never "off + n > len".
 *
 * struct wr writes into caller memory of fixed capacity with the same
 * sticky-error rule; wr_reserve() hands out room for a field that is
 * filled in later (a length, say).
 */
#ifndef GW_BUF_H
#define GW_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 err;	/* 0 or GW_E_*; sticky */
};

/* A borrowed view into a reader's buffer; valid while that buffer is. */
struct view {
	const uint8_t	*p;
	size_t		 len;
};

static inline struct rd
rd_init(const void *p, size_t len)
{
	return (struct rd){ .p = p, .len = len, .off = 0, .err = 0 };
}

static inline size_t
rd_left(const struct rd *r)
{
	return r->len - r->off;
}

int rd_u8(struct rd *r, uint8_t *out);
int rd_u16be(struct rd *r, uint16_t *out);
int rd_u32be(struct rd *r, uint32_t *out);
int rd_u64be(struct rd *r, uint64_t *out);
/* Host byte order, for PF_KEY, whose integers are native. */
int rd_u16he(struct rd *r, uint16_t *out);
int rd_u32he(struct rd *r, uint32_t *out);
int rd_u64he(struct rd *r, uint64_t *out);
/* Views n bytes at the cursor and advances past them; no copy. */
int rd_bytes(struct rd *r, size_t n, struct view *out);
/* Copies n bytes into out. */
int rd_copy(struct rd *r, void *out, size_t n);
/* Skips n bytes. */
int rd_skip(struct rd *r, size_t n);
/* Views the last n unread bytes and shrinks the reader's end before them. */
int rd_tail(struct rd *r, size_t n, struct view *out);
/* Splits off the next n bytes as an independent child reader. */
int rd_sub(struct rd *r, size_t n, struct rd *child);
/* 0 when everything was consumed and no error occurred. */
int rd_done(const struct rd *r);

struct wr {
	uint8_t		*p;
	size_t		 cap;
	size_t		 off;
	int		 err;	/* 0 or GW_E_*; sticky */
};

static inline struct wr
wr_init(void *p, size_t cap)
{
	return (struct wr){ .p = p, .cap = cap, .off = 0, .err = 0 };
}

int wr_u8(struct wr *w, uint8_t v);
int wr_u16be(struct wr *w, uint16_t v);
int wr_u32be(struct wr *w, uint32_t v);
int wr_u64be(struct wr *w, uint64_t v);
int wr_u16he(struct wr *w, uint16_t v);
int wr_u32he(struct wr *w, uint32_t v);
int wr_u64he(struct wr *w, uint64_t v);
int wr_bytes(struct wr *w, const void *src, size_t n);
int wr_zero(struct wr *w, size_t n);
/* Reserves n bytes and returns their offset through *at (zero-filled). */
int wr_reserve(struct wr *w, size_t n, size_t *at);
int wr_patch_u16be(struct wr *w, size_t at, uint16_t v);
int wr_patch_u16he(struct wr *w, size_t at, uint16_t v);
/* Pads with zeros up to a multiple of align (a power of two). */
int wr_align(struct wr *w, size_t align);

#endif
