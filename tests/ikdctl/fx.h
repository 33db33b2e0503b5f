/*
 * fx.h: an IKE SA table with hand-made SAs behind ikd's control socket
 * (ctl_open on a private event_base, the socket in a temporary
 * directory), fake daemon operations that record what they were asked,
 * and a client that sends a request and runs the loop until the answer
 * is complete. Functions fail the running cmocka test on any surprise.
 */
#ifndef FX_H
#define FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "ike_sa.h"

#define FX_NOW		(100ull * 3600 * 1000)	/* the io clock: 100 hours */

struct fx {
	char			 dir[64];	/* temporary directory */
	char			 path[128];	/* control socket in it */
	struct event_base	*base;
	struct ike_sa_table	*t;
	struct ctl		*ctl;
	uint64_t		 now;
	uint64_t		 rnd;		/* the fake RNG's state */
	/* What the fake operations saw and answer. */
	char			 op[16];	/* last operation run */
	char			 peer[300];
	unsigned		 nops;
	const char		*fail;		/* non-NULL: fail with this reason */
	const char		*bad_peer;	/* initiate fails for this peer */
	/* The last answer's datagrams. */
	size_t			 ndgrams;
	size_t			 dgram_max;
};

/* A table, a base and a listening control socket; returns f. */
struct fx *fx_new(void);
void fx_free(struct fx *f);

/*
 * An SA with peer name (may be ""), our address local and the peer's
 * remote, ESTABLISHED est_ago ms ago with AES_GCM_16-256/
 * PRF_HMAC_SHA2_256/CURVE_25519 and SPIs spi_i:spi_r.
 */
struct ike_sa *fx_sa(struct fx *f, const char *name, const char *local, const char *remote,
    bool initiator, uint64_t spi_i, uint64_t spi_r, uint64_t est_ago);
/*
 * A Child SA of sa between prefixes ts_l (ours) and ts_r, reqid 7,
 * AES-GCM-16 256, installed ago ms before now.
 */
struct ike_child *fx_child(struct fx *f, struct ike_sa *sa, uint32_t spi_in, uint32_t spi_out,
    const char *ts_l, const char *ts_r, uint64_t ago);

/* A connected client socket (non-blocking). */
int fx_connect(struct fx *f);
/*
 * Sends req[0..len) on fd and runs the loop until the answer's empty
 * datagram (or the end of the connection). Returns the answer's text,
 * malloc'd and NUL-terminated; every datagram must be whole lines.
 */
char *fx_ask_fd(struct fx *f, int fd, const void *req, size_t len);
/* The same on a fresh connection, closed afterwards. */
char *fx_ask(struct fx *f, const char *req);
/* Runs the loop without waiting, n times. */
void fx_spin(struct fx *f, unsigned n);

/* Captures what lib/log writes to stderr until fx_log_end(), which returns it (static). */
void fx_log_begin(void);
const char *fx_log_end(void);

#endif
