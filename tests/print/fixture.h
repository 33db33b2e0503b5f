/*
 * fixture.h: message builders, output capture and golden-file comparison
 * shared by the print tests.
 *
 * Times: the tests run with TZ=UTC (fixture_tz_utc) and the epoch values
 * below reproduce the local times of the spec's worked examples. An
 * output that differs from its golden file is left in <name>.out in the
 * working directory for a diff.
 */
#ifndef TESTS_PRINT_FIXTURE_H
#define TESTS_PRINT_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "print.h"

/* KAME's default SA flag (sequence numbers may cycle); Linux lacks the name. */
#define FLAG_CYCSEQ	0x40

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define T_CREATED	UINT64_C(1709547302)	/* Mar  4 10:15:02 2024 UTC */
#define T_USED		UINT64_C(1709547307)	/* Mar  4 10:15:07 2024 */
#define T_NOW		((time_t)1709547902)	/* Mar  4 10:25:02 2024 */
#define T_SPD_CREATED	UINT64_C(1709546400)	/* Mar  4 10:00:00 2024 */
#define T_SPD_USED	UINT64_C(1709547901)	/* Mar  4 10:25:01 2024 */

extern const struct print_opts opts_plain;	/* now = T_NOW */
extern const struct print_opts opts_ports;	/* -p */
extern const struct print_opts opts_all;	/* -a */

/* Keys of the spec's worked example (kame.md 3.1). */
extern const uint8_t key_enc1[16];
extern const uint8_t key_auth1[20];
extern const uint8_t key_enc2[16];
extern const uint8_t key_auth2[20];

/* Output capture through a memory FILE. */
struct cap {
	FILE	*f;
	char	*buf;
	size_t	 len;
};

/* Opens c and returns its FILE; cap_close returns the text (caller frees). */
FILE *cap_open(struct cap *c);
char *cap_close(struct cap *c);
/* Asserts that got equals tests/golden/<name>; frees got. */
void golden_check(const char *name, char *got);
/* Sets TZ=UTC for the golden times; 0 or -1. */
int fixture_tz_utc(void);

/* A numeric IPv4 or IPv6 address with prefix length and port. */
struct gw_addr addr(const char *s, unsigned plen, unsigned port);
/* b[i] = first + i. */
void fill_seq(uint8_t *b, size_t len, uint8_t first);

/* A mature tunnel-mode ESP SA in a DUMP reply, no keys, no lifetimes. */
void sa_base(struct pfk_msg *m, const char *src, const char *dst, uint32_t spi);
/* Sets the algorithm and a key view of k (borrowed). */
void sa_enc(struct pfk_msg *m, uint8_t alg, const uint8_t *k, size_t len);
void sa_auth(struct pfk_msg *m, uint8_t alg, const uint8_t *k, size_t len);
/* CURRENT (created, first use, bytes, allocations) and HARD/SOFT add times. */
void sa_life(struct pfk_msg *m, uint64_t created, uint64_t used, uint64_t bytes,
    uint32_t alloc, uint64_t hard, uint64_t soft);

/* A policy in an X_SPDDUMP reply, without requests or lifetimes. */
void spd_base(struct pfk_msg *m, const char *src, unsigned splen, unsigned sport,
    const char *dst, unsigned dplen, unsigned dport, uint8_t proto);
void spd_pol(struct pfk_msg *m, uint8_t dir, uint16_t type, uint32_t prio, uint32_t spid);
/* Appends a request; src/dst NULL for none (transport). */
void spd_req(struct pfk_msg *m, uint16_t proto, uint8_t mode, uint8_t level, uint32_t reqid,
    const struct gw_addr *src, const struct gw_addr *dst);
/* CURRENT (created, last used) and HARD (lifetime, validtime). */
void spd_life(struct pfk_msg *m, uint64_t created, uint64_t used, uint64_t life,
    uint64_t valid);

#endif
