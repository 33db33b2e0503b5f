/*
 * ctl.h: ikd's control socket, what ikdctl talks to.
 *
 * AF_UNIX SOCK_SEQPACKET at an explicit -C PATH, $IKD_CONTROL or
 * CTL_DEFAULT, directory 0700 and socket 0600 (lib/ctlsock.h's rules).
 * A request is one datagram of text: a command word and its arguments.
 * The answer is a series of datagrams of text, each one or more whole
 * lines, ended by an empty datagram; the last line before it is "ok" or
 * "error: why". Commands:
 *
 *   list                  IKE SAs and their Child SAs (peer, state, SPIs,
 *                         algorithms, age, next rekey)
 *   stats                 the exchange counters
 *   initiate PEER         start an IKE SA with PEER (its address)
 *   terminate PEER        delete the IKE SAs with PEER, Child SAs included
 *   reload                reread ikd.conf and psk.txt; established SAs stay
 *
 * Only root or ikd's own user may run initiate, terminate and reload;
 * anyone who can reach the socket may list.
 */
#ifndef IKD_CTL_H
#define IKD_CTL_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "gw_config.h"
#include "ike_sa.h"

#define CTL_DEFAULT		GW_RUNSTATEDIR "/ikd/control"
#define CTL_ENV			"IKD_CONTROL"
#define CTL_MSG_MAX		4096	/* a request, or one datagram of an answer */

struct event_base;
struct ctl;

/* What the daemon does for the commands that change state. */
struct ctl_ops {
	/* Each returns 0, or -1 with a one-line reason in err[0..errlen). */
	int	(*initiate)(void *ctx, const char *peer, char *err, size_t errlen);
	int	(*terminate)(void *ctx, const char *peer, char *err, size_t errlen);
	int	(*reload)(void *ctx, char *err, size_t errlen);
	/* The table list and stats read; may change between requests. */
	const struct ike_sa_table *(*table)(void *ctx);
	void	*ctx;
};

/* The socket path: explicit (may be NULL), then $IKD_CONTROL, then CTL_DEFAULT. */
const char *ctl_path(const char *explicit_path);

/*
 * Listens at path on base with ops (copied). NULL after logging why.
 */
struct ctl *ctl_open(struct event_base *base, const char *path, const struct ctl_ops *ops);

/*
 * Whether a client of uid may run initiate, terminate and reload for a
 * daemon running as self: root and the daemon's own user only.
 */
bool ctl_may_change(uid_t uid, uid_t self);

/* Closes every connection, removes the socket file and frees c. NULL is fine. */
void ctl_close(struct ctl *c);

#endif
