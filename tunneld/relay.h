/*
 * relay.h: IKE on the NAT-T port, relayed between the network and ikd.
 *
 * tunneld owns UDP port 4500 (ESP-in-UDP is data plane); the IKE
 * datagrams that arrive there go to the key daemon, and the key daemon
 * sends its IKE messages and NAT keepalives from that port through
 * tunneld. The relay listens on an AF_UNIX SOCK_SEQPACKET socket at
 * ikerelay_path() of the PF_KEY socket; each datagram is one UDP payload
 * behind the header of lib/ikerelay.h.
 *
 * Clients: root, tunneld's own uid and the -u owner, as for changes to
 * the SAD/SPD (tunneld/ctl.h); anyone else is refused at accept. One
 * client at a time receives IKE: the most recent one. A new connection
 * closes the older one, with a log line, so a restarted ikd takes over
 * at once.
 *
 * Nothing blocks: a datagram for a client whose socket is full is lost
 * (the fast path counts it as ike_not_relayed), and what the client sends
 * goes out on a non-blocking UDP socket or is counted as send_error.
 * From the client, only an IKE message behind the non-ESP marker or a
 * one-byte keepalive, from the NAT-T port, to a real address, is sent;
 * anything else counts as ike_relay_bad and the connection stays.
 */
#ifndef TUNNELD_RELAY_H
#define TUNNELD_RELAY_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ikerelay.h"
#include "netio.h"

#define RELAY_MSG_MAX		(IKERELAY_HLEN + IKERELAY_PAYLOAD_MAX)
#define RELAY_READ_BATCH	32	/* datagrams from the client per wake-up */

struct event_base;
struct relay;

/*
 * A relay on base (borrowed) that counts into stats (GWSTAT_MAX
 * counters, borrowed; both outlive the relay). owner is the extra uid
 * allowed to connect, or (uid_t)-1. Returns NULL (logged) when out of
 * memory.
 */
struct relay *relay_new(struct event_base *base, uint64_t *stats, uid_t owner);
/* Closes the client and the listener and frees r (NULL is fine). */
void relay_free(struct relay *r);

/* Accepts clients on the listening socket fd (owned by r from now on). 0 or -1. */
int relay_listen(struct relay *r, int fd);

/* Whether uid may be the relay's client: root, tunneld's own euid or the owner. */
bool relay_allowed(const struct relay *r, uid_t uid);

/*
 * Serves the connected socket fd (owned by r from now on) as the client
 * with credentials uid/pid, replacing any earlier client; the accept
 * path uses it, tests call it with one end of a socketpair. Returns 0,
 * or -1 when uid is not allowed or on a resource error (fd closed).
 */
int relay_attach(struct relay *r, int fd, uid_t uid, pid_t pid);

/*
 * The NAT-T UDP socket of one family (copied; its fd stays the caller's
 * and must stay open while r may send): what the client sends from that
 * family goes out there, from its bound port only. Returns 0, or -1 if
 * s is not a UDP socket of AF_INET or AF_INET6.
 */
int relay_set_udp(struct relay *r, const struct netio_sock *s);

/*
 * Hands one IKE datagram of len bytes (non-ESP marker included) that
 * remote (address and port) sent to local (address and NAT-T port) to
 * the client. Returns 0 when it was queued on the client's socket, -1
 * when it was not: no client, its socket full or gone, a bad argument.
 * The caller counts.
 */
int relay_to_ikd(struct relay *r, const struct gw_addr *local, const struct gw_addr *remote,
    const uint8_t *p, size_t len);

/* True while a client is connected. */
bool relay_connected(const struct relay *r);

/* Logs the relay's state (the client's credentials), for SIGUSR1. */
void relay_report(const struct relay *r);

#endif
