/*
 * stats.h: per-SA counters, by drop reason and by direction.
 *
 * The order of this enum is a wire contract: DUMP and GET replies carry
 * the counters in PFK_EXT_STATS in exactly this order (lib/pfkey.h), and
 * setkey prints them by index. Append new reasons before STAT_MAX; never
 * reorder or reuse a value.
 */
#ifndef TUNNELD_STATS_H
#define TUNNELD_STATS_H

enum sa_stat {
	STAT_NO_POLICY,		/* no policy matched where one was required */
	STAT_NO_SA,		/* a policy wanted protection but no SA was mature */
	STAT_UNKNOWN_SPI,	/* inbound ESP for an SPI we do not know */
	STAT_REPLAY,		/* sequence number left of the window or seen */
	STAT_ICV_FAIL,		/* integrity check failed */
	STAT_BAD_PAD,		/* padding or next header malformed after decryption */
	STAT_POLICY_MISMATCH,	/* decrypted packet does not fit the SA's policy */
	STAT_PLAINTEXT_REQUIRED, /* cleartext packet where policy requires ESP */
	STAT_OVERSIZE,		/* packet too big after encapsulation */
	STAT_MALFORMED,		/* truncated or inconsistent headers */
	STAT_PACKETS_IN,	/* packets accepted inbound */
	STAT_BYTES_IN,
	STAT_PACKETS_OUT,	/* packets protected outbound */
	STAT_BYTES_OUT,
	STAT_MAX
};

#endif
