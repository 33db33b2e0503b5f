/*
 * sadb_client.h: ikd's PF_KEY client to tunneld.
 *
 * One connection to tunneld's SOCK_SEQPACKET socket (lib/ctlsock.h), one
 * PF_KEY v2 message per datagram through lib/pfkey.h. No event library
 * here: the daemon polls sadb_client_fd() and calls sadb_client_input()
 * when it is readable.
 *
 * Requests (REGISTER, GETSPI, UPDATE, ADD, DELETE, X_SPDDUMP) return at
 * once with the sequence number they were sent under; the reply, matched
 * by type, seq and pid, completes them through their callback. Messages
 * tunneld sends on its own go to the event callbacks: ACQUIRE, EXPIRE,
 * and the SPD changes of other clients, which keep a mirror of the SPD in
 * step (loaded whole by X_SPDDUMP, as racoon did). The client remembers
 * the SAs it installed, so that on stop it can remove those and no other.
 * Every buffer that held key material is wiped.
 *
 * Callbacks may send new requests but must not free the client. A lost
 * connection (tunneld went away) fails every pending request with
 * ENOTCONN, then calls lost(), which may reconnect.
 */
#ifndef IKD_SADB_CLIENT_H
#define IKD_SADB_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "alg.h"
#include "pfkey.h"
#include "secmem.h"

#define SADB_CLIENT_PENDING_MAX	256	/* requests awaiting their reply */

/* An ESP tunnel-mode SA to install with UPDATE (after GETSPI) or ADD. */
struct sadbc_sa {
	uint32_t	spi;		/* host order */
	struct gw_addr	src;		/* tunnel endpoints; plen and port are ignored */
	struct gw_addr	dst;
	uint32_t	reqid;		/* the policy request's reqid; 0 = none */
	uint8_t		enc;		/* PF_KEY SADB_EALG_* (alg.h id) */
	uint8_t		auth;		/* SADB_AALG_*; 0 with an AEAD cipher */
	struct gw_key	enc_key;	/* AEAD: key then salt */
	struct gw_key	auth_key;
	uint64_t	soft_bytes;	/* 0 = no limit */
	uint64_t	hard_bytes;
	uint64_t	soft_addtime;	/* seconds after installation; 0 = none */
	uint64_t	hard_addtime;
	uint32_t	replay;		/* anti-replay window in packets; 0 = none */
	bool		esn;		/* 64-bit extended sequence numbers */
	uint16_t	natt_sport;	/* both set: ESP in UDP (RFC 3948) */
	uint16_t	natt_dport;
};

/* One policy of the SPD mirror. */
struct sadbc_policy {
	uint32_t		id;
	uint8_t			dir;		/* IPSEC_DIR_* */
	uint16_t		type;		/* IPSEC_POLICY_* */
	uint32_t		priority;
	struct gw_sel		sel;		/* prefixes with ports, upper-layer protocol */
	size_t			nreq;
	struct pfk_ipsecreq	req[PFK_MAX_REQ];
};

/* A packet needs an SA that does not exist (all borrowed for the call). */
struct sadbc_acquire {
	uint32_t			 seq;
	uint32_t			 policy_id;
	struct gw_addr			 src;		/* the SA endpoints, from the policy */
	struct gw_addr			 dst;
	const struct sadbc_policy	*policy;	/* the mirror's entry; NULL if unknown */
	const struct pfk_proposal	*proposal;	/* NULL if tunneld sent none */
};

/* An SA reached a lifetime limit; a hard one is gone already. */
struct sadbc_expire {
	bool			hard;
	uint32_t		spi;
	struct gw_addr		src;
	struct gw_addr		dst;
	uint32_t		reqid;
	bool			ours;		/* installed through this client */
	struct pfk_lifetime	current;	/* bytes, packets and times so far */
};

/* How a request ended. */
struct sadbc_reply {
	uint8_t			 type;	/* the request's message type */
	uint32_t		 seq;
	int			 err;	/* 0, tunneld's errno, or ENOTCONN when the link went */
	uint32_t		 spi;	/* GETSPI: the SPI reserved */
	const struct pfk_msg	*msg;	/* the (last) reply; NULL for ENOTCONN; borrowed */
};

typedef void sadbc_done_fn(void *arg, const struct sadbc_reply *r);

/* Unsolicited messages; any member may be NULL. */
struct sadbc_events {
	void	(*acquire)(void *arg, const struct sadbc_acquire *a);
	void	(*expire)(void *arg, const struct sadbc_expire *e);
	/* The SPD mirror changed: a dump reloaded it, or another client changed the SPD. */
	void	(*spd_changed)(void *arg);
	/* An SA this client installed was removed by another client. */
	void	(*sa_removed)(void *arg, uint32_t spi, const struct gw_addr *dst);
	/* The connection is gone: err is 0 at end of file, else an errno. */
	void	(*lost)(void *arg, int err);
	void	 *arg;
};

struct sadb_client;

/*
 * A client without a connection; ev is copied. pid is what requests
 * carry in sadb_msg_pid (normally getpid()). NULL without memory.
 */
struct sadb_client *sadb_client_new(const struct sadbc_events *ev, uint32_t pid);
/* Closes the connection and frees c; pending requests end without callback. */
void sadb_client_free(struct sadb_client *c);

/*
 * Connects to tunneld at ctlsock_path(path) (path may be NULL), closing a
 * previous connection. 0, or -1 with errno set and a log line.
 */
int sadb_client_connect(struct sadb_client *c, const char *path);
/* Uses the connected SOCK_SEQPACKET socket fd (taken over) instead. */
void sadb_client_attach(struct sadb_client *c, int fd);
/* The descriptor to poll for input, or -1 when not connected. */
int sadb_client_fd(const struct sadb_client *c);
/*
 * Reads and handles every message waiting on the socket, calling the
 * callbacks. At end of file or on a socket error the connection is
 * closed and lost() is called.
 */
void sadb_client_input(struct sadb_client *c);

/*
 * The requests. Each returns the sequence number it was sent with, or 0
 * when it could not be sent (not connected, too many pending, a value
 * the codec refuses: logged). done (may be NULL) is called once with the
 * outcome, unless sadb_client_cancel() comes first.
 */
/* REGISTER for ESP: ACQUIRE and EXPIRE come from now on; keeps the SUPPORTED lists. */
uint32_t sadb_client_register(struct sadb_client *c, sadbc_done_fn *done, void *arg);
/*
 * GETSPI: reserves an SPI for an inbound SA from src (the peer) to dst
 * (us) in [min, max] (both 0: tunneld's range), for reqid. The SPI is in
 * the reply's spi.
 */
uint32_t sadb_client_getspi(struct sadb_client *c, const struct gw_addr *src,
    const struct gw_addr *dst, uint32_t reqid, uint32_t min, uint32_t max,
    sadbc_done_fn *done, void *arg);
/*
 * UPDATE (complete a GETSPI reservation) and ADD. The keys in sa are
 * wiped before these return, sent or not.
 */
uint32_t sadb_client_update(struct sadb_client *c, struct sadbc_sa *sa, sadbc_done_fn *done,
    void *arg);
uint32_t sadb_client_add(struct sadb_client *c, struct sadbc_sa *sa, sadbc_done_fn *done,
    void *arg);
/* DELETE of the ESP SA spi from src to dst. */
uint32_t sadb_client_delete(struct sadb_client *c, uint32_t spi, const struct gw_addr *src,
    const struct gw_addr *dst, sadbc_done_fn *done, void *arg);
/*
 * X_SPDDUMP: reloads the SPD mirror. done runs after the last policy (an
 * empty SPD is success). One dump at a time.
 */
uint32_t sadb_client_spddump(struct sadb_client *c, sadbc_done_fn *done, void *arg);
/*
 * DELETE for every SA this client installed or reserved and has not seen
 * go. Returns how many requests were sent.
 */
size_t sadb_client_delete_installed(struct sadb_client *c, sadbc_done_fn *done, void *arg);

/* Forgets request seq: its reply will be ignored and done not called. */
void sadb_client_cancel(struct sadb_client *c, uint32_t seq);
/* True while request seq awaits its reply. */
bool sadb_client_pending(const struct sadb_client *c, uint32_t seq);
/*
 * Handles input until request seq has completed (0), or timeout_ms
 * passed (-1, ETIMEDOUT) or the connection was lost (-1, ENOTCONN).
 * For start-up and stop, never from a callback.
 */
int sadb_client_wait(struct sadb_client *c, uint32_t seq, int timeout_ms);
/*
 * REGISTER then X_SPDDUMP, each awaited up to timeout_ms. 0, or -1 with
 * errno (tunneld's answer, ETIMEDOUT or ENOTCONN) and a log line.
 */
int sadb_client_start(struct sadb_client *c, int timeout_ms);

/* Whether tunneld's REGISTER reply listed algorithm id (PF_KEY number) of kind. */
bool sadb_client_supported(const struct sadb_client *c, enum alg_kind kind, uint8_t id);
/* The PF_KEY number of an IKEv2 ENCR (ALG_ENC) or INTEG (ALG_AUTH) id; 0 if none. */
uint8_t sadb_client_alg_id(enum alg_kind kind, uint16_t ikev2_id);

/* The SPD mirror, in tunneld's dump order then arrival order. */
size_t sadb_client_policy_count(const struct sadb_client *c);
const struct sadbc_policy *sadb_client_policy_at(const struct sadb_client *c, size_t i);
const struct sadbc_policy *sadb_client_policy_get(const struct sadb_client *c, uint32_t id);
/*
 * The inbound policy whose selector is p's with source and destination
 * swapped (the other direction of an outbound tunnel), or NULL.
 */
const struct sadbc_policy *sadb_client_policy_reverse(const struct sadb_client *c,
    const struct sadbc_policy *p);
/* How many SAs the client has installed or reserved and not seen go. */
size_t sadb_client_installed(const struct sadb_client *c);

#endif
