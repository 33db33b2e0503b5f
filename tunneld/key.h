/*
 * key.h: the PF_KEY v2 engine (KAME called it key.c).
 *
 * Takes one request datagram from a client, decodes it with pfk_decode,
 * checks the sender's right to send it, dispatches through a static table
 * {type, required extensions, flags, handler} and answers: a reply to the
 * sender echoing sadb_msg_seq and sadb_msg_pid (with sadb_msg_errno on
 * failure), copies of successful state changes to the other listening
 * sockets (RFC 2367 3.1, without keys), ACQUIRE and EXPIRE to sockets
 * REGISTERed for the SA type, and a copy of everything to X_PROMISC
 * sockets, wrapped in an outer X_PROMISC header as KAME does.
 *
 * The engine owns the SAD and the SPD. It knows clients only as struct
 * key_client and talks to them through struct key_io, so the socket layer
 * (ctl.c) and tests can plug in.
 */
#ifndef TUNNELD_KEY_H
#define TUNNELD_KEY_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gwstats.h"
#include "sad.h"
#include "spd.h"

/* One connected PF_KEY socket. The transport embeds it in its own object. */
struct key_client {
	TAILQ_ENTRY(key_client)	entry;
	uid_t			uid;
	pid_t			pid;
	bool			priv;		/* may change the SAD/SPD */
	bool			promisc;	/* X_PROMISC: copy of every message */
	bool			dead;		/* the transport dropped it; skip */
	uint32_t		registered;	/* bit (1 << satype) per REGISTER */
};

TAILQ_HEAD(key_client_list, key_client);

/*
 * The engine's view of the outside world. send() queues one message for
 * c; reply is true for answers to c's own requests (which the transport
 * must not refuse for being large) and false for unsolicited copies.
 * send() returns 0, or -1 after setting c->dead when c cannot take it.
 * mono() is a monotonic clock in seconds that never returns 0; wall() is
 * Unix time; random() returns uniformly random 32-bit values.
 */
struct key_io {
	int		(*send)(void *arg, struct key_client *c, const uint8_t *msg,
			    size_t len, bool reply);
	uint64_t	(*mono)(void *arg);
	uint64_t	(*wall)(void *arg);
	uint32_t	(*random)(void *arg);
	void		 *arg;
};

/*
 * The data path's hooks into the engine, all optional (tunneld -n runs
 * without them). sa_prepare() builds the per-SA state (keyed crypto,
 * replay window) for cfg before an ADD or UPDATE installs it: 0 with
 * *state set, or a positive errno that fails the request with nothing
 * changed. sa_free() releases such a state when its SA goes (or was
 * never installed). sa_ready() says sa has just become usable (ADD,
 * UPDATE) and spd_changed() that policies were added or removed; neither
 * may change the SAD or SPD.
 */
struct key_dp {
	int	(*sa_prepare)(void *arg, const struct sa_cfg *cfg, void **state);
	void	(*sa_free)(void *arg, void *state);
	void	(*sa_ready)(void *arg, struct sa *sa);
	void	(*spd_changed)(void *arg);
	void	 *arg;
};

struct key {
	struct sad		 sad;
	struct spd		 spd;
	struct sad_sink		 sink;
	const struct key_io	*io;
	const struct key_dp	*dp;		/* NULL: no data path */
	uint64_t		 stats[GWSTAT_MAX];	/* the gateway's counters (PFK_X_STATUS) */
	struct key_client_list	 clients;
	size_t			 npromisc;
	uint8_t			*obuf;		/* PFK_MSG_MAX: one encoded message */
	uint8_t			*pbuf;		/* PFK_MSG_MAX: its X_PROMISC copy */
	uint32_t		 acq_seq;	/* sadb_msg_seq of the last ACQUIRE */
};

/*
 * Initialises the engine with io (borrowed; it must outlive k, and its
 * fields may be filled in until the first call that uses them). Returns
 * 0 or -1 (out of memory).
 */
int key_init(struct key *k, const struct key_io *io);
/* Frees the SAD (wiping keys), the SPD and the buffers; clients are the caller's. */
void key_free(struct key *k);
/*
 * Connects the data path (dp borrowed; it must outlive k, or be replaced
 * by NULL before it goes). Call it before the first SA is added: SAs
 * added earlier have no data path state and carry no traffic.
 */
void key_set_dp(struct key *k, const struct key_dp *dp);

/* Adds c (owned by the caller) as a client with these credentials. */
void key_attach(struct key *k, struct key_client *c, uid_t uid, pid_t pid, bool priv);
/* Forgets c; no message is sent to it afterwards. */
void key_detach(struct key *k, struct key_client *c);

/*
 * Handles one datagram of len bytes from c. Every outcome is answered
 * through io->send. Returns 0, or -1 when the message could not be
 * decoded: the caller sends nothing more and closes the connection once
 * the error reply has gone out. buf is only read; the caller wipes it.
 */
int key_input(struct key *k, struct key_client *c, const uint8_t *buf, size_t len);

/* The once-a-second work: lifetimes, LARVAL timeouts, retired SAs. */
void key_tick(struct key *k);

#endif
