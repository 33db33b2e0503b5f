/*
 * gwstats.h: the data path's counters, by drop reason and by traffic.
 *
 * tunneld keeps one array of these per SA (the first GWSTAT_SA_MAX) and
 * one for the whole gateway (all GWSTAT_MAX). PF_KEY carries them in a
 * PFK_EXT_STATS extension (lib/pfkey.h): in DUMP and GET replies for an
 * SA, in the PFK_X_STATUS reply for the gateway. setkey prints them by
 * name with gwstats_name().
 *
 * The order of enum gwstat is a wire contract: counter i means the same
 * thing to every tunneld and setkey. Append new counters before
 * GWSTAT_MAX (after GWSTAT_SA_MAX for gateway-only ones); never reorder
 * or reuse a value. A reader that gets more counters than it knows
 * prints the extra ones by index.
 */
#ifndef GW_GWSTATS_H
#define GW_GWSTATS_H

#include <stdbool.h>
#include <stddef.h>

enum gwstat {
	/* Drops, per SA and global. */
	GWSTAT_NO_POLICY,	/* 0: no policy matched where one was required */
	GWSTAT_NO_SA,		/* 1: a policy wanted protection but no SA was usable */
	GWSTAT_UNKNOWN_SPI,	/* 2: inbound ESP for an SPI we do not know */
	GWSTAT_REPLAY,		/* 3: sequence number left of the window or seen */
	GWSTAT_ICV_FAIL,	/* 4: integrity check failed */
	GWSTAT_BAD_PAD,		/* 5: padding or next header malformed after decryption */
	GWSTAT_POLICY_MISMATCH,	/* 6: decrypted packet does not fit the SA's policy */
	GWSTAT_PLAINTEXT_REQUIRED, /* 7: cleartext packet where policy requires ESP */
	GWSTAT_OVERSIZE,	/* 8: packet too big after encapsulation */
	GWSTAT_MALFORMED,	/* 9: truncated or inconsistent headers */
	/* Traffic, per SA and global. */
	GWSTAT_PACKETS_IN,	/* 10: packets accepted inbound */
	GWSTAT_BYTES_IN,	/* 11: their inner bytes */
	GWSTAT_PACKETS_OUT,	/* 12: packets protected outbound */
	GWSTAT_BYTES_OUT,	/* 13: their inner bytes */
	/* Global only, from here on. */
	GWSTAT_DISCARDED,	/* 14: dropped by a discard policy */
	GWSTAT_ECN_DROP,	/* 15: RFC 6040: CE outside, Not-ECT inside */
	GWSTAT_FOREIGN,		/* 16: plaintext IP-in-IP from a host other than the gif peer */
	GWSTAT_IKE,		/* 17: IKE on the NAT-T port, not relayed to a key daemon */
	GWSTAT_SEND_ERROR,	/* 18: the network refused a packet (MTU, route, full queue) */
	GWSTAT_TUN_ERROR,	/* 19: the TUN device refused a packet */
	GWSTAT_INTERNAL,	/* 20: the crypto library failed */
	GWSTAT_BYPASS_OUT,	/* 21: sent unprotected (none, use, gif without policy) */
	GWSTAT_BYPASS_IN,	/* 22: unprotected gif packets accepted */
	GWSTAT_HELD,		/* 23: packets held while an SA was acquired */
	GWSTAT_DUMMY,		/* 24: RFC 4303 dummy packets (next header 59) */
	GWSTAT_KEEPALIVE,	/* 25: RFC 3948 NAT keepalives received */
	GWSTAT_TTL_EXPIRED,	/* 26: a bypassed packet's TTL ran out (routing loop into the TUN) */
	GWSTAT_IKE_RELAYED,	/* 27: IKE on the NAT-T port handed to the key daemon */
	GWSTAT_IKE_RELAY_TX,	/* 28: IKE and keepalives the key daemon sent from the NAT-T port */
	GWSTAT_IKE_RELAY_BAD,	/* 29: relay datagrams of the key daemon refused (lib/ikerelay.h) */
	GWSTAT_TUN_JOINED,	/* 30: TCP segments written to the TUN joined with others (GSO) */
	GWSTAT_MAX
};

/* Counters 0 .. GWSTAT_SA_MAX - 1 exist per SA as well. */
#define GWSTAT_SA_MAX	(GWSTAT_BYTES_OUT + 1)

/*
 * The name of counter i as setkey prints it ("icv_fail"), or NULL for an
 * index this build does not know.
 */
const char *gwstats_name(size_t i);

/* True if counter i counts dropped packets; false for traffic and unknown ones. */
bool gwstats_is_drop(size_t i);

#endif
