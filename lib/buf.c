/* buf.c: bounded reader and writer; see buf.h for the contract. */
#include <string.h>

#include "buf.h"
#include "err.h"

/* Checks that n more bytes can be read; records the error if not. */
static int
rd_need(struct rd *r, size_t n)
{
	if (r->err)
		return r->err;
	if (n > r->len - r->off) {
		r->err = GW_E_SHORT;
		return r->err;
	}
	return 0;
}

int
rd_bytes(struct rd *r, size_t n, struct view *out)
{
	if (rd_need(r, n))
		return r->err;
	out->p = r->p + r->off;
	out->len = n;
	r->off += n;
	return 0;
}

int
rd_copy(struct rd *r, void *out, size_t n)
{
	struct view v;

	if (rd_bytes(r, n, &v))
		return r->err;
	if (n)
		memcpy(out, v.p, n);
	return 0;
}

int
rd_skip(struct rd *r, size_t n)
{
	struct view v;

	return rd_bytes(r, n, &v);
}

int
rd_u8(struct rd *r, uint8_t *out)
{
	if (rd_need(r, 1))
		return r->err;
	*out = r->p[r->off++];
	return 0;
}

int
rd_u16be(struct rd *r, uint16_t *out)
{
	if (rd_need(r, 2))
		return r->err;
	*out = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return 0;
}

int
rd_u32be(struct rd *r, uint32_t *out)
{
	const uint8_t *b;

	if (rd_need(r, 4))
		return r->err;
	b = r->p + r->off;
	*out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	r->off += 4;
	return 0;
}

int
rd_u64be(struct rd *r, uint64_t *out)
{
	uint32_t hi, lo;

	if (rd_need(r, 8))
		return r->err;
	rd_u32be(r, &hi);
	rd_u32be(r, &lo);
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

int
rd_u16he(struct rd *r, uint16_t *out)
{
	return rd_copy(r, out, sizeof(*out));
}

int
rd_u32he(struct rd *r, uint32_t *out)
{
	return rd_copy(r, out, sizeof(*out));
}

int
rd_u64he(struct rd *r, uint64_t *out)
{
	return rd_copy(r, out, sizeof(*out));
}

int
rd_tail(struct rd *r, size_t n, struct view *out)
{
	if (rd_need(r, n))
		return r->err;
	r->len -= n;
	out->p = r->p + r->len;
	out->len = n;
	return 0;
}

int
rd_sub(struct rd *r, size_t n, struct rd *child)
{
	struct view v;

	if (rd_bytes(r, n, &v))
		return r->err;
	*child = rd_init(v.p, v.len);
	return 0;
}

int
rd_done(const struct rd *r)
{
	if (r->err)
		return r->err;
	return r->off == r->len ? 0 : GW_E_TOOLONG;
}

static int
wr_need(struct wr *w, size_t n)
{
	if (w->err)
		return w->err;
	if (n > w->cap - w->off) {
		w->err = GW_E_TOOLONG;
		return w->err;
	}
	return 0;
}

int
wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (wr_need(w, n))
		return w->err;
	if (n)
		memcpy(w->p + w->off, src, n);
	w->off += n;
	return 0;
}

int
wr_zero(struct wr *w, size_t n)
{
	if (wr_need(w, n))
		return w->err;
	memset(w->p + w->off, 0, n);
	w->off += n;
	return 0;
}

int
wr_reserve(struct wr *w, size_t n, size_t *at)
{
	size_t start = w->off;

	if (wr_zero(w, n))
		return w->err;
	*at = start;
	return 0;
}

int
wr_u8(struct wr *w, uint8_t v)
{
	return wr_bytes(w, &v, 1);
}

int
wr_u16be(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wr_bytes(w, b, sizeof(b));
}

int
wr_u32be(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return wr_bytes(w, b, sizeof(b));
}

int
wr_u64be(struct wr *w, uint64_t v)
{
	if (wr_need(w, 8))
		return w->err;
	wr_u32be(w, (uint32_t)(v >> 32));
	return wr_u32be(w, (uint32_t)v);
}

int
wr_u16he(struct wr *w, uint16_t v)
{
	return wr_bytes(w, &v, sizeof(v));
}

int
wr_u32he(struct wr *w, uint32_t v)
{
	return wr_bytes(w, &v, sizeof(v));
}

int
wr_u64he(struct wr *w, uint64_t v)
{
	return wr_bytes(w, &v, sizeof(v));
}

int
wr_patch_u16be(struct wr *w, size_t at, uint16_t v)
{
	if (w->err)
		return w->err;
	if (at > w->off || 2 > w->off - at) {
		w->err = GW_E_BADVAL;
		return w->err;
	}
	w->p[at] = (uint8_t)(v >> 8);
	w->p[at + 1] = (uint8_t)v;
	return 0;
}

int
wr_patch_u16he(struct wr *w, size_t at, uint16_t v)
{
	if (w->err)
		return w->err;
	if (at > w->off || 2 > w->off - at) {
		w->err = GW_E_BADVAL;
		return w->err;
	}
	memcpy(w->p + at, &v, sizeof(v));
	return 0;
}

int
wr_align(struct wr *w, size_t align)
{
	size_t pad;

	if (w->err)
		return w->err;
	if (align == 0 || (align & (align - 1)) != 0) {
		w->err = GW_E_BADVAL;
		return w->err;
	}
	pad = (align - (w->off & (align - 1))) & (align - 1);
	return wr_zero(w, pad);
}
