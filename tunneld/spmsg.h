/*
 * spmsg.h: PF_KEY X_SPD* messages to SPD entries and back.
 *
 * spmsg_policy() decides which policies tunneld accepts: directions in,
 * out and fwd; actions discard, none and ipsec; one request (no SA
 * bundles), for ESP in tunnel mode with both endpoints. It validates everything before the
 * SPD is touched and logs why it refused at debug level.
 */
#ifndef TUNNELD_SPMSG_H
#define TUNNELD_SPMSG_H

#include <stdint.h>

#include "pfkey.h"
#include "spd.h"

/*
 * Reads the selector (ADDRESS_SRC/DST with their prefix lengths, ports
 * and upper-layer protocol) and the X_POLICY direction. Returns 0 or
 * EINVAL (missing extension, protocols of SRC and DST differ, bad
 * direction).
 */
int spmsg_selector(const struct pfk_msg *m, uint8_t *dir, struct gw_sel *sel);

/*
 * Fills out (zeroed first) from an X_SPDADD/X_SPDUPDATE message. Returns
 * 0 or a positive errno: EINVAL for malformed policies, EOPNOTSUPP for
 * AH/IPComp or transport requests, bundles and policy lifetimes.
 */
int spmsg_policy(const struct pfk_msg *m, struct policy *out);

/* Optional part of spmsg_fill (X_POLICY and the addresses always go in). */
#define SPMSG_LIFETIMES	0x01	/* LIFETIME_CURRENT (created/lastused) and HARD (0) */

/*
 * Adds p's X_POLICY (with its id) and selector addresses to m, plus the
 * parts asked for; times shown relative to (mono, wall) = now. The header
 * is untouched.
 */
void spmsg_fill(struct pfk_msg *m, const struct policy *p, unsigned parts, uint64_t mono,
    uint64_t wall);
/* Adds only p's X_POLICY extension to m. */
void spmsg_fill_policy(struct pfk_msg *m, const struct policy *p);

#endif
