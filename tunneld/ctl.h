/*
 * ctl.h: the PF_KEY socket server (AF_UNIX SOCK_SEQPACKET, libevent).
 *
 * Accepts connections, learns each peer's uid with SO_PEERCRED, reads one
 * PF_KEY message per datagram into a PFK_MSG_MAX buffer and hands it to
 * the engine (key.h). A datagram larger than the buffer, or one the codec
 * refuses, costs the client its connection (after its error reply); so
 * does a send queue that overflows with unsolicited messages. While a
 * client's replies are queued its further requests wait, so a client that
 * does not read cannot make tunneld buffer without bound.
 *
 * Root, tunneld's own uid and the configured owner (-u) may change state;
 * other uids may only read (GET, DUMP, X_SPDGET, X_SPDDUMP, REGISTER).
 */
#ifndef TUNNELD_CTL_H
#define TUNNELD_CTL_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key.h"

#define CTL_MAX_CLIENTS		128		/* connections at once */
#define CTL_QUEUE_MAX		(4u << 20)	/* queued bytes before unsolicited copies drop the client */
#define CTL_READ_BATCH		16		/* datagrams per client per wake-up */

struct event_base;
struct ctl;
struct ctl_conn;

/*
 * Creates a server for engine k on base (both borrowed). owner is the
 * extra uid allowed to change state, or (uid_t)-1. Returns NULL on ENOMEM.
 */
struct ctl *ctl_new(struct event_base *base, struct key *k, uid_t owner);
/* Closes every connection and the listener and frees ctl. */
void ctl_free(struct ctl *ctl);

/* Starts accepting on the listening socket fd (owned by ctl from now). 0 or -1. */
int ctl_listen(struct ctl *ctl, int fd);

/*
 * Serves a connected socket fd (owned by ctl from now on) as a client
 * with credentials uid/pid; ctl_listen's accept uses it, tests call it
 * with one end of a socketpair. Returns the connection or NULL (fd is
 * closed then).
 */
struct ctl_conn *ctl_attach(struct ctl *ctl, int fd, uid_t uid, pid_t pid);

/* The key_io send function; arg is the struct ctl. */
int ctl_send(void *arg, struct key_client *c, const uint8_t *msg, size_t len, bool reply);

/* Number of open client connections. */
size_t ctl_nclients(const struct ctl *ctl);

#endif
