/*
 * ike_ts.h: traffic selectors (RFC 7296 2.9, 3.13) as address ranges.
 *
 * The wire form of a selector is a range (start..end address, port
 * range, protocol); the configuration and the SPD speak prefixes
 * (struct gw_sel). This module converts between them, intersects ranges
 * and narrows a peer's offer against what is configured. All functions
 * are pure: no I/O, no allocation, no logging.
 */
#ifndef IKD_IKE_TS_H
#define IKD_IKE_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ike_hdrs.h"

#define IKE_TS_PROTO_ANY	0	/* RFC 7296 3.13.1: 0 = any protocol */
#define IKE_TSL_MAX		8	/* selectors kept per TSi or TSr */
#define IKE_TS_STRLEN		(2 * INET6_ADDRSTRLEN + 40)

/* One selector: addresses of one family with start <= end, full plen, port 0. */
struct ike_tsel {
	uint8_t		proto;		/* IP protocol, IKE_TS_PROTO_ANY = any */
	uint16_t	sport;		/* port range; 65535..0 is OPAQUE */
	uint16_t	eport;
	struct gw_addr	start;
	struct gw_addr	end;
};

struct ike_tsl {
	uint8_t		n;
	struct ike_tsel	ts[IKE_TSL_MAX];
};

/*
 * The two sides of a configured selector (src is the local side): local
 * gets src's prefix, port and protocol, remote dst's. A port of 0 and
 * protocol 255 (or 0) mean any. Returns 0, or -1 for a family that is
 * not IPv4/IPv6, mismatched families, or ICMP type/code ports, which a
 * range of ports cannot express in both directions.
 */
int ike_ts_from_sel(const struct gw_sel *sel, struct ike_tsel *local, struct ike_tsel *remote);
/*
 * The intersection of a and b into *out. Returns false when it is empty
 * (other family, protocols or ranges disjoint); *out is then unspecified.
 */
bool ike_ts_intersect(const struct ike_tsel *a, const struct ike_tsel *b, struct ike_tsel *out);
/* True if every packet a matches is matched by b. */
bool ike_ts_within(const struct ike_tsel *a, const struct ike_tsel *b);
/*
 * RFC 7296 2.9 narrowing by a responder: out gets offer[i] ∩ conf for
 * every i where it is not empty, in the offer's order. Returns out->n;
 * 0 means the offer does not overlap conf (TS_UNACCEPTABLE).
 */
size_t ike_ts_narrow(const struct ike_tsl *offer, const struct ike_tsel *conf,
    struct ike_tsl *out);
/* True if each selector of a lies within some selector of b. */
bool ike_ts_list_within(const struct ike_tsl *a, const struct ike_tsl *b);

/*
 * The selectors of a parsed TSi/TSr payload into *out. Selectors of types
 * other than 7 and 8 are left out (a responder that cannot honour them
 * narrows them away); more than IKE_TSL_MAX usable ones is an error.
 * Returns 0 or -1.
 */
int ike_ts_from_pld(const struct ike_ts_pld *p, struct ike_tsl *out);
/* The wire form of l for ike_build_ts(): l->n entries written to out. */
void ike_ts_to_pld(const struct ike_tsl *l, struct ike_ts out[static IKE_TSL_MAX]);

/*
 * Text for logs: "10.1.0.0/16" when the range is a prefix, else
 * "a..b", then " proto N" and " port P" or " ports P-Q" when not any.
 * buf needs IKE_TS_STRLEN bytes. Returns buf.
 */
const char *ike_ts_str(const struct ike_tsel *t, char *buf, size_t len);
/* A list in the same form, separated by ", ", truncated to fit. Returns buf. */
const char *ike_ts_list_str(const struct ike_tsl *l, char *buf, size_t len);

#endif
