/*
 * fixture.h: an initiator (node 0, 192.0.2.1, 10.1.0.0/16 behind it) and
 * a responder (node 1, 192.0.2.2, 10.2.0.0/16) over mock.h, configured
 * with one of three proposal families, and the checks the exchange tests
 * share. Functions fail the running cmocka test on any surprise.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mock.h"

#define REQID		7
#define PSK_TEXT	"correct horse battery staple"

/*
 * IKE: AES-GCM-16-256/PRF-SHA2-256/X25519, AES-CBC-256/HMAC-SHA2-256/
 * PRF-SHA2-256/P-256, ChaCha20-Poly1305/PRF-SHA2-256/MODP-2048; ESP the
 * same ciphers (AES-CBC with HMAC-SHA2-256), ESN off, off, on.
 */
enum suite { S_GCM, S_CBC, S_CHACHA };

struct pair {
	struct mock_net		net;
	struct mock_node	n[2];
};

void xf_add(struct ike_prop *p, uint8_t type, uint16_t id, uint16_t keylen);
void ike_suite(struct ike_prop *p, enum suite s);
void esp_suite(struct ike_prop *p, enum suite s);
void addr_set(struct gw_addr *a, const char *s);
/* The configuration of side 0 or 1 with suite s and the PSK callback. */
void cfg_make(struct ike_cfg_peer *c, int side, enum suite s);
/* The PSK nd's callback answers. */
void node_psk(struct mock_node *nd, const char *psk);

/* Two nodes with suites si and sr (pair_new: the same), both with PSK_TEXT. */
struct pair *pair_new2(enum suite si, enum suite sr);
struct pair *pair_new(enum suite s);
void pair_free(struct pair *p);
/* Node 0 initiates; the IKE_SA_INIT request is queued. */
struct ike_sa *pair_start(struct pair *p);
/* A pair that went through IKE_SA_INIT and IKE_AUTH. */
struct pair *pair_established(enum suite s);
/* Lets ms pass in 100 ms steps, timers running. */
void run_clock(struct pair *p, uint64_t ms);

/* Both SAs up, one Child SA pair each, mirror images of each other. */
void check_established(struct pair *p);
/* No drop counter moved on either node. */
void check_no_drops(const struct pair *p);
/*
 * No node has a live outbound SA that the peer's data path never had as
 * an inbound SA: nothing is sent that the peer cannot decrypt for want
 * of the keys (what make-before-break is about). An inbound SA the peer
 * has deleted since does not count: that is a Delete under way.
 */
void check_peer_has_out(const struct pair *p);
/* At least one pair is usable both ways: live on both nodes, mirrored. */
void check_usable(const struct pair *p);
uint64_t nstat(const struct mock_node *nd, enum ike_stat s);

/* Captures what lib/log writes to stderr until log_captured(). */
void log_capture(void);
const char *log_captured(void);
void log_has(const char *log, const char *what);

/* The IKE message in queued datagram i, after any marker. */
uint8_t *q_msg(struct pair *p, size_t i, size_t *len);
/* Exchange type of queued datagram i. */
uint8_t q_exch(struct pair *p, size_t i);

size_t hexdec(const char *hex, uint8_t *out, size_t cap);
void assert_hex(const uint8_t *p, size_t len, const char *hex);

/*
 * What strongSwan adds to a message: rewrites queued IKE_SA_INIT message
 * 0 with more status notifications and a Vendor ID (and the sender's
 * copy, which its AUTH signs); decrypts queued IKE_AUTH message 0 as its
 * receiver would and seals it again with notifications around the
 * payloads (and, if critical, an unknown payload with the critical bit).
 */
void init_add_extras(struct pair *p);
void auth_add_extras(struct pair *p, bool critical);

#endif
