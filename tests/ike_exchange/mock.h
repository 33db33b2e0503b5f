/*
 * mock.h: two IKE daemons in one process.
 *
 * A mock network (a queue of datagrams that a test delivers, drops,
 * duplicates, reorders or alters, with an optional NAT in front of node
 * 0), one manual clock, a deterministic RNG per node (SHA-256 of a seed
 * and a counter, with bytes a test may script in front), Diffie-Hellman
 * key pairs from that RNG or fixed, and a mock data path that records
 * SPIs handed out and SAs installed and deleted.
 */
#ifndef MOCK_H
#define MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exch.h"
#include "ike_sa.h"

#define MOCK_QUEUE	32
#define MOCK_DGRAM_MAX	(IKE_MARKER_LEN + IKE_MSG_MAX)
#define MOCK_SAS	8
#define MOCK_LARVAL	8
#define MOCK_SCRIPT	256
#define MOCK_NAT_PORT	31000	/* NAT mapping of node 0's port 500; 4500 maps to 31001 */

struct mock_dgram {
	int		from;		/* node 0 or 1 */
	struct gw_addr	src;		/* as it arrives (after the NAT) */
	struct gw_addr	dst;
	bool		marker;		/* sent from port 4500: starts with the marker */
	size_t		len;
	uint8_t		p[MOCK_DGRAM_MAX];
};

struct mock_node;

struct mock_net {
	uint64_t		now;
	struct mock_node	*node[2];
	size_t			n;
	struct mock_dgram	q[MOCK_QUEUE];
	size_t			sent;		/* datagrams ever sent */
	bool			nat;		/* node 0 sits behind a NAT */
	struct gw_addr		nat_pub;	/* its public address */
	bool			blackhole[2];	/* drop everything node i sends */
};

/*
 * One pair as the mock data path holds it. A pair installed in two steps
 * (ike_child_sa.dirs: inbound, then outbound) has out_seq after
 * install_seq, and sa gathers the keys of both calls.
 */
struct mock_child {
	struct ike_child_sa	sa;
	bool			in_live;
	bool			out_live;
	size_t			install_seq;	/* sink event of the (inbound) install */
	size_t			out_seq;	/* of the outbound install; 0: not yet */
	size_t			del_seq;	/* of the last delete of either SA; 0: none */
	unsigned		ndel;		/* deletes that named either SA */
	bool			split;		/* inbound and outbound came apart */
	bool			leaked;		/* keys of the other direction seen */
};

struct mock_sink {
	uint32_t	spi_base;
	size_t		ngetspi;
	size_t		ninstall;	/* pairs installed (both SAs, or inbound first) */
	size_t		nout;		/* outbound SAs installed on their own */
	size_t		ndel;
	size_t		nretire;	/* of them, inbound SAs retired after a pair's end */
	uint32_t	retired_spi;	/* the last one */
	size_t		nbogus;		/* deletes of an outbound SA never installed */
	bool		fail_install;
	size_t		seq;		/* installs and deletes so far, in order */
	uint32_t	larval[MOCK_LARVAL];	/* 0 = free slot */
	size_t		nsa;
	struct mock_child sa[MOCK_SAS];
};

struct mock_node {
	int			id;
	struct mock_net		*net;
	struct ike_sa_table	*t;
	struct ike_cfg_peer	cfg;
	bool			has_cfg;	/* answer peer_by_addr */
	struct mock_sink	sink;
	uint8_t			seed;
	uint64_t		rng_ctr;
	uint8_t			script[MOCK_SCRIPT];	/* served before the generator */
	size_t			script_len;
	size_t			script_off;
	uint8_t			dh_priv[64];	/* fixed private value, if any */
	size_t			dh_priv_len;
	uint16_t		dh_priv_group;
	uint8_t			psk[64];	/* what psk_fn answers */
	size_t			psk_len;
	uint8_t			psk2[64];	/* if set: from the 2nd call on */
	size_t			psk2_len;
	unsigned		psk_calls;
	size_t			nestablished;
	size_t			ndead;
	enum ike_fail		last_fail;
	size_t			nrekeyed;	/* rekeyed hook calls */
	uint64_t		rekeyed_old;	/* our SPIs in the last one's SAs */
	uint64_t		rekeyed_new;
};

/* Sets up node id on net with cfg (copied) and a table; aborts on failure. */
void mock_node_init(struct mock_node *nd, struct mock_net *net, int id,
    const struct ike_cfg_peer *cfg);
void mock_node_free(struct mock_node *nd);
/* Bytes the node's RNG hands out first. */
void mock_script(struct mock_node *nd, const uint8_t *p, size_t len);
/* The PSK callback for ike_cfg_peer.psk_fn with ctx = the node. */
int mock_psk(void *ctx, const struct ike_idv *id, const struct gw_addr *addr, struct view *key);

/* Delivers queue entry 0; false when the queue is empty. */
bool mock_deliver(struct mock_net *net);
/* Delivers until the queue is empty (at most limit datagrams); returns the count. */
size_t mock_run(struct mock_net *net, size_t limit);
void mock_drop(struct mock_net *net, size_t i);
void mock_dup(struct mock_net *net, size_t i);
void mock_swap(struct mock_net *net, size_t i, size_t j);
/* Advances the clock by ms and runs both nodes' timers. */
void mock_advance(struct mock_net *net, uint64_t ms);

/* Installed SAs of a node that are still live in both directions. */
size_t mock_live(const struct mock_sink *s);
/* Pairs of a node whose inbound SA is live but whose outbound SA is not (yet). */
size_t mock_half(const struct mock_sink *s);
/* Larval SPIs not yet installed or deleted. */
size_t mock_larval(const struct mock_sink *s);
/* The single SA of the node whose table holds exactly one; NULL otherwise. */
struct ike_sa *mock_only_sa(const struct mock_node *nd);

#endif
