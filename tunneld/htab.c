/* htab.c: intrusive chained hash table; see htab.h. */
#include <stdlib.h>

#include "htab.h"

int
htab_init(struct htab *t)
{
	t->b = calloc(HTAB_MIN_BUCKETS, sizeof(*t->b));
	if (t->b == NULL)
		return -1;
	t->nb = HTAB_MIN_BUCKETS;
	t->n = 0;
	return 0;
}

void
htab_free(struct htab *t)
{
	free(t->b);
	t->b = NULL;
	t->nb = 0;
	t->n = 0;
}

/* Pushes n at the head of the chain *head. */
static void
htab_link(struct hnode **head, struct hnode *n)
{
	n->next = *head;
	if (n->next != NULL)
		n->next->pprev = &n->next;
	n->pprev = head;
	*head = n;
}

/* Doubles the bucket array and relinks every node by its stored hash. */
static void
htab_grow(struct htab *t)
{
	struct hnode	**nb, *n, *next;
	size_t		  i, size;

	if (t->nb > SIZE_MAX / 2 / sizeof(*nb))
		return;
	size = t->nb * 2;
	nb = calloc(size, sizeof(*nb));
	if (nb == NULL)
		return;
	for (i = 0; i < t->nb; i++) {
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			htab_link(&nb[n->hash & (size - 1)], n);
		}
	}
	free(t->b);
	t->b = nb;
	t->nb = size;
}

void
htab_insert(struct htab *t, struct hnode *n, uint32_t hash)
{
	struct hnode	**head;

	if (t->n >= t->nb)
		htab_grow(t);
	head = &t->b[hash & (t->nb - 1)];
	n->hash = hash;
	htab_link(head, n);
	t->n++;
}

void
htab_remove(struct htab *t, struct hnode *n)
{
	*n->pprev = n->next;
	if (n->next != NULL)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
	t->n--;
}
