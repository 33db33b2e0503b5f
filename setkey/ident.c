/*
 * ident.c: SA and policy identities and an open-addressing hash map of
 * them (linear probing, at most half full, never shrinks: entries are not
 * removed, callers mark them instead).
 */
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "log.h"

/* A clean copy of a: family and address bytes, and plen/port when kept. */
static void
ident_addr(struct gw_addr *out, const struct gw_addr *a, bool keep_prefix)
{
	memset(out, 0, sizeof(*out));
	out->af = a->af;
	memcpy(out->u.b, a->u.b, addr_len(a->af));
	if (keep_prefix) {
		out->plen = a->plen;
		out->port = a->port;
		addr_mask(out);
	}
}

void
ident_sa(struct ident *id, uint8_t satype, const struct gw_addr *dst, uint32_t spi)
{
	memset(id, 0, sizeof(*id));
	id->kind = IDENT_SA;
	id->t = satype;
	id->spi = spi;
	ident_addr(&id->a, dst, false);
}

void
ident_pair(struct ident *id, uint8_t satype, const struct gw_addr *src,
    const struct gw_addr *dst)
{
	memset(id, 0, sizeof(*id));
	id->kind = IDENT_PAIR;
	id->t = satype;
	ident_addr(&id->a, src, false);
	ident_addr(&id->b, dst, false);
}

void
ident_sp(struct ident *id, uint8_t dir, const struct gw_addr *src,
    const struct gw_addr *dst, uint8_t proto)
{
	memset(id, 0, sizeof(*id));
	id->kind = IDENT_SP;
	id->t = dir;
	id->proto = proto;
	ident_addr(&id->a, src, true);
	ident_addr(&id->b, dst, true);
}

static bool
ident_addr_eq(const struct gw_addr *x, const struct gw_addr *y)
{
	return x->af == y->af && x->plen == y->plen && x->port == y->port &&
	    memcmp(x->u.b, y->u.b, sizeof(x->u.b)) == 0;
}

bool
ident_eq(const struct ident *x, const struct ident *y)
{
	return x->kind == y->kind && x->t == y->t && x->proto == y->proto &&
	    x->spi == y->spi && ident_addr_eq(&x->a, &y->a) && ident_addr_eq(&x->b, &y->b);
}

/* FNV-1a over the normalised fields. */
static uint64_t
ident_mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return h;
}

static uint64_t
ident_hash_addr(uint64_t h, const struct gw_addr *a)
{
	uint8_t f[5] = { (uint8_t)(a->af >> 8), (uint8_t)a->af, a->plen,
	    (uint8_t)(a->port >> 8), (uint8_t)a->port };

	h = ident_mix(h, f, sizeof(f));
	return ident_mix(h, a->u.b, sizeof(a->u.b));
}

static uint64_t
ident_hash(const struct ident *id)
{
	uint8_t f[7] = { id->kind, id->t, id->proto, (uint8_t)(id->spi >> 24),
	    (uint8_t)(id->spi >> 16), (uint8_t)(id->spi >> 8), (uint8_t)id->spi };
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = ident_mix(h, f, sizeof(f));
	h = ident_hash_addr(h, &id->a);
	return ident_hash_addr(h, &id->b);
}

/* The slot holding id, or the empty slot where it would go. */
static struct ident_slot *
ident_find(const struct ident_map *m, const struct ident *id)
{
	size_t mask = m->cap - 1, i = (size_t)ident_hash(id) & mask;

	while (m->slot[i].used && !ident_eq(&m->slot[i].id, id))
		i = (i + 1) & mask;
	return &m->slot[i];
}

static void
ident_grow(struct ident_map *m)
{
	struct ident_map big = { .cap = m->cap != 0 ? m->cap * 2 : 64 };
	size_t i;

	if (big.cap < m->cap || (big.slot = calloc(big.cap, sizeof(*big.slot))) == NULL)
		fatal("ident_grow");
	for (i = 0; i < m->cap; i++)
		if (m->slot[i].used)
			*ident_find(&big, &m->slot[i].id) = m->slot[i];
	big.n = m->n;
	free(m->slot);
	*m = big;
}

size_t *
ident_put(struct ident_map *m, const struct ident *id, size_t val, bool *fresh)
{
	struct ident_slot *s;

	if ((m->n + 1) * 2 > m->cap)
		ident_grow(m);
	s = ident_find(m, id);
	if (fresh != NULL)
		*fresh = !s->used;
	if (!s->used) {
		s->id = *id;
		s->val = val;
		s->used = true;
		m->n++;
	}
	return &s->val;
}

size_t *
ident_get(const struct ident_map *m, const struct ident *id)
{
	struct ident_slot *s;

	if (m->cap == 0)
		return NULL;
	s = ident_find(m, id);
	return s->used ? &s->val : NULL;
}

void
ident_map_free(struct ident_map *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}
