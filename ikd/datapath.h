/*
 * datapath.h: the data path as the exchanges see it (struct
 * ike_child_sink), over ikd's PF_KEY connection to tunneld.
 *
 * The sink's calls are synchronous: tunneld is a local process that
 * answers in well under a millisecond, and an exchange must know whether
 * its SPI was reserved or its pair installed before it answers the peer.
 * Each call sends one request and waits for its reply (at most
 * DATAPATH_WAIT_MS) while other input from tunneld is handled; the
 * daemon's PF_KEY event callbacks therefore only queue work, they never
 * start exchanges themselves.
 */
#ifndef IKD_DATAPATH_H
#define IKD_DATAPATH_H

#include <stdint.h>

#include "ike_sa.h"
#include "sadb_client.h"

#define DATAPATH_WAIT_MS	2000
#define DATAPATH_REPLAY		1024	/* anti-replay window, packets (RFC 4303 3.4.3) */
/*
 * How long a retired inbound SA outlives its pair (the sink's retire()):
 * long enough for ESP packets queued behind the Delete exchange on any
 * path, short enough that a gateway holds few of them.
 */
#define DATAPATH_LINGER_MS	3000

struct dp_retired;

struct datapath {
	struct sadb_client	*sc;		/* borrowed */
	uint64_t		(*now_ms)(void);	/* a monotonic clock */
	uint64_t		 installs;
	uint64_t		 failures;
	/* Inbound SAs retire() put off, oldest (first due) first. */
	struct dp_retired	*retired;
	struct dp_retired	**retired_tail;
	size_t			 nretired;
};

/*
 * A sink whose calls go to dp (borrowed: it must outlive the sink's
 * users). Sets up dp's queue of retired SAs; sc and now_ms are the
 * caller's to set.
 */
void datapath_sink(struct datapath *dp, struct ike_child_sink *out);
/* Deletes the retired inbound SAs whose time is up at now (ms). */
void datapath_tick(struct datapath *dp, uint64_t now);
/*
 * Forgets the retired SAs without deleting them (tunneld lost them, or
 * ikd stops and removes everything it installed). Frees the queue.
 */
void datapath_forget(struct datapath *dp);

/*
 * The pair's two PF_KEY SAs: inbound (from the peer, completing the
 * GETSPI reservation) and outbound. Keys are copied; the caller wipes
 * in and out.
 */
void datapath_sa_pair(const struct ike_child_sa *c, struct sadbc_sa *in, struct sadbc_sa *out);

#endif
