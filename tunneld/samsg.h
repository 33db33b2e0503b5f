/*
 * samsg.h: PF_KEY messages to SAD entries and back.
 *
 * samsg_cfg() is where tunneld decides which SAs it accepts: ESP only,
 * tunnel mode only, algorithms the data path runs, integrity always,
 * keys of the right length. It fully validates before anything is
 * changed, and says why it refused in a debug log line. samsg_fill()
 * renders an SA for replies, dumps and EXPIREs.
 */
#ifndef TUNNELD_SAMSG_H
#define TUNNELD_SAMSG_H

#include <stdint.h>

#include "pfkey.h"
#include "sad.h"

/*
 * Checks the message's satype: 0 for ESP, EOPNOTSUPP for the types tunneld
 * does not implement (AH, IPComp...), EINVAL for UNSPEC or unknown.
 */
int samsg_satype(const struct pfk_msg *m);

/*
 * Fills out's identity part from a GETSPI-like message: satype, src, dst
 * (both set, one family), mode and reqid from SA2 (mode ANY when absent).
 * Returns 0 or a positive errno (EOPNOTSUPP for transport or BEET mode).
 * out is zeroed first.
 */
int samsg_ident(const struct pfk_msg *m, struct sa_cfg *out);

/*
 * Fills out from an ADD or UPDATE message and checks everything tunneld
 * requires of an SA. Returns 0, or a positive errno: EOPNOTSUPP (satype,
 * mode, algorithm unknown or not in the data path, proxy address, NAT-T
 * type), EINVAL (no or wrong keys, AEAD with authentication, encryption
 * without integrity, reserved SPI, bad replay window or NAT-T ports).
 * out holds key copies: the caller wipes it (gw_key_clear) after use.
 */
int samsg_cfg(const struct pfk_msg *m, struct sa_cfg *out);

/* Parts of an SA that samsg_fill adds besides SA, SA2, addresses, NAT-T. */
#define SAMSG_KEYS	0x01	/* KEY_ENCRYPT, KEY_AUTH */
#define SAMSG_CURRENT	0x02	/* LIFETIME_CURRENT */
#define SAMSG_HARD	0x04	/* LIFETIME_HARD */
#define SAMSG_SOFT	0x08	/* LIFETIME_SOFT */
#define SAMSG_REPLAY	0x10	/* PFK_EXT_REPLAY */
#define SAMSG_STATS	0x20	/* PFK_EXT_STATS */
#define SAMSG_FULL	0x3f

/*
 * Adds sa's extensions to m (header fields untouched). Key extensions
 * point into sa (borrowed: encode before sa can go away). Monotonic times
 * are shown as wall-clock times relative to (mono, wall) = now.
 */
void samsg_fill(struct pfk_msg *m, const struct sa *sa, unsigned parts, uint64_t mono,
    uint64_t wall);

/* Wall-clock time of monotonic time t given now in both clocks; 0 stays 0. */
uint64_t samsg_wall(uint64_t t, uint64_t mono, uint64_t wall);

#endif
