/*
 * print.h: KAME text forms of PF_KEY messages, as ipsec-tools setkey
 * prints them (specs/kame.md section 3), plus the -v/-x debug form.
 *
 * All functions write to out and take a decoded message. Time-dependent
 * fields use opts->now so that output is reproducible in tests.
 */
#ifndef SETKEY_PRINT_H
#define SETKEY_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "pfkey.h"

struct print_opts {
	bool	ports;		/* -p: addr[port] in SA dumps and policy endpoints */
	bool	all;		/* -a: include DEAD SAs */
	time_t	now;		/* "current:" time in SA dumps */
};

/*
 * One SAD entry (a DUMP or GET reply), section 3.1. Returns false when
 * the entry is skipped (a DEAD SA without opts->all), true otherwise,
 * including when a mandatory extension is missing and only the KAME
 * "no ... extension." line is printed.
 */
bool print_sa(FILE *out, const struct pfk_msg *m, const struct print_opts *opts);

/* One SPD entry (an X_SPDDUMP or X_SPDGET reply), section 3.2. */
void print_spd(FILE *out, const struct pfk_msg *m, const struct print_opts *opts);

/* The readable debug form of any message (-v, -x), section 3.4. */
void print_debug(FILE *out, const struct pfk_msg *m);

/*
 * The counters of a PFK_EXT_STATS extension (per SA, or the gateway's
 * from PFK_X_STATUS), which print_sa leaves out to stay byte-compatible
 * with ipsec-tools: one line per group present, in counter order within
 * it: "\tdrops:" (counters gwstats_is_drop calls drops: no_policy no_sa
 * unknown_spi replay icv_fail ...), "\ttraffic:" (the other named ones:
 * packets_in bytes_in packets_out bytes_out ...) and "\tother:"
 * (counter<i> for indices lib/gwstats.h does not name), each counter as
 * " name=value". Prints nothing when the extension is absent.
 */
void print_sa_stats(FILE *out, const struct pfk_msg *m);

#endif
