/*
 * ident.h: the identities tunneld gives SAs and policies, and a hash map
 * keyed by them.
 *
 * An SA is (satype, destination address, SPI): a second ADD of it is
 * refused with EEXIST whatever its source. deleteall names a pair
 * (satype, source, destination). A policy is (direction, source prefix,
 * destination prefix, upper-layer protocol, ports) with the prefixes
 * masked to their length, so 10.0.0.1/24 and 10.0.0.0/24 are one
 * selector. The constructors normalise what the daemon ignores, so two
 * identities are equal exactly when tunneld takes them for one.
 */
#ifndef SETKEY_IDENT_H
#define SETKEY_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum ident_kind {
	IDENT_SA = 1,
	IDENT_PAIR,
	IDENT_SP,
};

struct ident {
	uint8_t		kind;	/* enum ident_kind */
	uint8_t		t;	/* SA, PAIR: satype; SP: IPSEC_DIR_* */
	uint8_t		proto;	/* SP: upper-layer protocol */
	uint32_t	spi;	/* SA */
	struct gw_addr	a;	/* SA: destination; PAIR, SP: source */
	struct gw_addr	b;	/* PAIR, SP: destination */
};

void ident_sa(struct ident *id, uint8_t satype, const struct gw_addr *dst, uint32_t spi);
void ident_pair(struct ident *id, uint8_t satype, const struct gw_addr *src,
    const struct gw_addr *dst);
void ident_sp(struct ident *id, uint8_t dir, const struct gw_addr *src,
    const struct gw_addr *dst, uint8_t proto);
bool ident_eq(const struct ident *x, const struct ident *y);

struct ident_slot {
	struct ident	id;
	size_t		val;
	bool		used;
};

/* Zero-initialised means empty. */
struct ident_map {
	struct ident_slot	*slot;
	size_t			 cap;	/* 0 or a power of two */
	size_t			 n;
};

/*
 * The value of id, inserting it with val when absent (*fresh tells which,
 * fresh may be NULL). The pointer is valid until the next insertion.
 * Exits through fatal() when memory runs out.
 */
size_t *ident_put(struct ident_map *m, const struct ident *id, size_t val, bool *fresh);
/* The value of id, or NULL. */
size_t *ident_get(const struct ident_map *m, const struct ident *id);
/* Frees the table; m is empty afterwards. */
void ident_map_free(struct ident_map *m);

#endif
