/*
 * kt.h: a PF_KEY engine under test: struct key with a mock key_io that
 * records every message sent (to whom, reply or not), a manual clock and
 * a deterministic random source, plus builders for request messages.
 */
#ifndef TESTS_TUNNELD_KT_H
#define TESTS_TUNNELD_KT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acquire.h"
#include "key.h"
#include "pfkey.h"

#define KT_MAX_CAPS	4096

struct kt_cap {
	struct key_client	*c;
	bool			 reply;
	size_t			 len;
	uint8_t			*buf;
};

struct kt {
	struct key		 key;
	struct key_io		 io;
	uint64_t		 mono;
	uint64_t		 wall;
	uint64_t		 rnd;
	struct kt_cap		 caps[KT_MAX_CAPS];
	size_t			 ncaps;
	struct key_client	 root;		/* privileged, uid 0 */
	struct key_client	 user;		/* uid 1000, read-only */
};

/* Sets up k with clock mono = 1000, wall = 1700000000 and both clients attached. */
void kt_init(struct kt *t);
void kt_fini(struct kt *t);
/* Forgets the recorded messages. */
void kt_clear(struct kt *t);

/* A request header: version implied, given type/satype, seq, pid 4242. */
void kt_msg(struct pfk_msg *m, uint8_t type, uint8_t satype, uint32_t seq);
/* ADDRESS_SRC/DST from numeric strings with full prefixes. */
void kt_addrs(struct pfk_msg *m, const char *src, const char *dst);
/* SA2 with mode and reqid. */
void kt_sa2(struct pfk_msg *m, uint8_t mode, uint32_t reqid);
/*
 * A complete ESP ADD (or UPDATE) message: tunnel mode, the given SPI and
 * algorithms, keys of the first legal length filled with 0x11 / 0x22.
 */
void kt_sa_msg(struct pfk_msg *m, uint8_t type, uint32_t spi, uint8_t enc, uint8_t auth,
    const char *src, const char *dst);
/* An X_SPDADD-like message: selector, direction, ipsec esp/tunnel request. */
void kt_sp_msg(struct pfk_msg *m, uint8_t type, const char *src, uint8_t splen,
    const char *dst, uint8_t dplen, uint8_t dir, uint8_t level);

/* Encodes m and hands it to the engine from c. Returns key_input's value. */
int kt_send(struct kt *t, struct key_client *c, const struct pfk_msg *m);

/* Number of recorded messages that went to c. */
size_t kt_count(const struct kt *t, const struct key_client *c);
/*
 * Decodes the i-th message recorded for c (0 = oldest) into *m, asserting
 * it decodes. Key views point into the recorded buffer.
 */
void kt_get(const struct kt *t, const struct key_client *c, size_t i, struct pfk_msg *m);
/* Same for the newest one. */
void kt_last(const struct kt *t, const struct key_client *c, struct pfk_msg *m);
/* The errno of c's newest message, asserting there is one. */
int kt_last_errno(const struct kt *t, const struct key_client *c);

/* cmocka setup/teardown: a struct kt in *state. */
int kt_setup(void **state);
int kt_teardown(void **state);
/* Sends m from c, asserts a reply came, returns its errno. */
int kt_ask(struct kt *t, struct key_client *c, const struct pfk_msg *m);
/* ADD from root of an ESP SA 192.0.2.1 -> 192.0.2.2; returns the reply's errno. */
int kt_add_sa(struct kt *t, uint32_t spi, uint8_t enc, uint8_t auth);
/* REGISTER c for ESP, asserting success. */
void kt_register(struct kt *t, struct key_client *c);

/* A flow for lookups from numeric addresses, protocol and ports. */
struct gw_flow kt_flow(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t proto);
struct gw_addr kt_addr(const char *s);

#endif
