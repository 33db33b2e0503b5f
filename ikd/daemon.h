/*
 * daemon.h: ikd's event loop and everything it ties together.
 *
 * libevent drives: the UDP 500 sockets and the relay (net.c), the PF_KEY
 * connection to tunneld (sadb_client.c), the control socket (ctl.c), one
 * timer for the exchanges' deadlines and a one-second tick (keepalives,
 * retries, reconnecting to tunneld).
 *
 * PF_KEY events only queue work: ACQUIRE (negotiate for a policy) and
 * EXPIRE (a soft limit starts a Child SA rekey on whichever side sees it
 * first; a hard one ends the pair with the peer). The queue runs from
 * the loop, outside sadb_client's input handling, because exchanges wait
 * for tunneld's replies (datapath.h).
 *
 * If tunneld goes away, ikd reconnects every second; once back it
 * deletes its IKE SAs with their peers (their Child SAs died with the old
 * tunneld) so that the next packet on either side negotiates afresh.
 */
#ifndef IKD_DAEMON_H
#define IKD_DAEMON_H

#include <stdbool.h>

#include "conf.h"
#include "psk.h"

#define DAEMON_JOBS		256	/* queued PF_KEY events */
#define DAEMON_START_MS		5000	/* REGISTER and SPD dump at start */

struct daemon_opts {
	const char	*conf_path;	/* for reload */
	bool		 conf_optional;	/* the default path may be missing */
	const char	*tunneld_path;	/* NULL: ctlsock_path(NULL) */
	const char	*ctl_path;	/* NULL: ctl_path(NULL) */
};

/*
 * Runs ikd until SIGTERM/SIGINT with conf and psk (taken over). Connects
 * to tunneld first and fails if it is not there. On exit the IKE SAs are
 * deleted with their peers and the SAs ikd installed leave tunneld.
 * Returns 0, or -1 after logging why it could not start.
 */
int daemon_run(const struct daemon_opts *o, struct ikd_conf *conf, struct psk_table *psk);

#endif
