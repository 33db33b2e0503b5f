/*
 * net.h: where ikd's datagrams come from and go to.
 *
 * ikd owns UDP port 500 (one socket per listen address, or one IPv4 and
 * one IPv6 wildcard socket), and reaches port 4500 through tunneld's
 * relay (lib/ikerelay.h), since tunneld owns that port for ESP-in-UDP.
 * Received datagrams come with the local address they were sent to, so
 * that answers leave from it.
 */
#ifndef IKD_NET_H
#define IKD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"

#define NET_SOCK_MAX	CONF_LISTEN_MAX

struct event_base;
struct net;

/* One datagram: payload p[0..len) from remote to local, both with ports. */
typedef void net_recv_fn(void *arg, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote);
/* The relay connection to tunneld went away (err 0 at end of file). */
typedef void net_lost_fn(void *arg, int err);

/* Counters, for ikdctl stats. */
struct net_stats {
	uint64_t	rx;
	uint64_t	tx;
	uint64_t	tx_fail;
	uint64_t	relay_rx;
	uint64_t	relay_tx;
	uint64_t	relay_bad;	/* malformed from tunneld */
	uint64_t	relay_filtered;	/* to a local address not listed in isakmp_natt */
};

/*
 * Opens the port 500 sockets that c's listen lines ask for (every address
 * without any) on base. NULL after logging why.
 */
struct net *net_open(struct event_base *base, const struct ikd_conf *c, net_recv_fn *recv,
    net_lost_fn *lost, void *arg);
/*
 * Connects to tunneld's relay at path (ikerelay_path of its PF_KEY
 * socket), replacing a previous connection. 0, or -1 with errno (no log).
 */
int net_relay_connect(struct net *n, const char *path);
bool net_relay_up(const struct net *n);
/*
 * Sends payload p[0..len) from local to remote: through the relay when
 * local's port is not 500, else from the socket bound to local's
 * address. 0, or -1 (counted).
 */
int net_send(struct net *n, const uint8_t *p, size_t len, const struct gw_addr *local,
    const struct gw_addr *remote);
const struct net_stats *net_stats(const struct net *n);
/* Closes every socket and frees n (NULL is fine). */
void net_close(struct net *n);

#endif
