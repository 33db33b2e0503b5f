/*
 * htab.h: an intrusive chained hash table that grows with its contents.
 *
 * The SAD and the SPD index the same objects several ways (by SPI, by
 * endpoints, by policy id, by selector), so each object embeds one
 * struct hnode per index and the table only links them. The caller
 * computes the hash (with htab_mix over a per-table random seed, so a
 * peer cannot aim entries at one bucket) and compares keys itself while
 * walking a bucket:
 *
 *	for (n = htab_bucket(t, h); n != NULL; n = n->next)
 *		if (n->hash == h && key_equal(container_of(n, ...)))
 *
 * The bucket array doubles when entries outnumber buckets, so loading N
 * entries costs O(N) overall. Chain order carries no meaning.
 */
#ifndef TUNNELD_HTAB_H
#define TUNNELD_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode	*next;
	struct hnode	**pprev;	/* the pointer that points at us: O(1) unlink */
	uint32_t	 hash;
};

struct htab {
	struct hnode	**b;
	size_t		  nb;	/* buckets, a power of two */
	size_t		  n;	/* entries linked */
};

#define HTAB_MIN_BUCKETS	16

#define htab_entry(node, type, member) \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

/* Allocates the initial buckets. Returns 0, or -1 when out of memory. */
int htab_init(struct htab *t);
/* Frees the bucket array; the linked objects belong to the caller. */
void htab_free(struct htab *t);
/*
 * Links n under hash. Grows the table first when it is full; when that
 * allocation fails the table keeps its size (chains get longer), so an
 * insertion itself never fails.
 */
void htab_insert(struct htab *t, struct hnode *n, uint32_t hash);
/* Unlinks n, which must be linked in t, in constant time. */
void htab_remove(struct htab *t, struct hnode *n);

/* First node of the bucket for hash; follow ->next and compare ->hash. */
static inline struct hnode *
htab_bucket(const struct htab *t, uint32_t hash)
{
	return t->b[hash & (t->nb - 1)];
}

/* Mixes a 32-bit word into a running hash (MurmurHash3 round). */
static inline uint32_t
htab_mix(uint32_t h, uint32_t v)
{
	v *= 0xcc9e2d51u;
	v = (v << 15) | (v >> 17);
	v *= 0x1b873593u;
	h ^= v;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

/* Final avalanche, so low bits depend on every input bit. */
static inline uint32_t
htab_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

#endif
