/*
 * spd.h: the Security Policy Database.
 *
 * Policies of one direction (in, out, fwd) are ordered by (priority,
 * insertion): a lower Linux priority value wins, and among equals the
 * older policy wins, which is KAME's first-match order when nobody uses
 * priorities. spd_lookup() returns the first policy in that order whose
 * selector matches a packet.
 *
 * Lookup is a tuple-space search: the policies of a direction are grouped
 * by (family, source prefix length, destination prefix length); a group
 * is a hash table of cells keyed by the masked (source, destination)
 * pair, and a cell lists its policies in order. A lookup masks the packet
 * addresses once per group, probes one cell per group and walks that
 * cell only while its entries could still beat the best match so far.
 * Ports and protocol are checked with sel_match.
 *
 * Identity (same selector and direction, for EEXIST, SPDUPDATE and
 * SPDDELETE) and policy ids are hash lookups, so loading 100,000 policies
 * takes linear time. No libevent, no sockets.
 */
#ifndef TUNNELD_SPD_H
#define TUNNELD_SPD_H

#include <sys/queue.h>

#include <linux/ipsec.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "htab.h"
#include "pfkey.h"

#define SPD_AUTO_REQID_MIN	(IPSEC_MANUAL_REQID_MAX + 1)	/* as KAME allocated */
#define SPD_REQID_TRIES		65536	/* in-use auto reqids skipped before ENOSPC */

/* One ipsecrequest: how to protect, and which SAs qualify. */
struct sp_req {
	uint16_t	proto;		/* IPPROTO_ESP */
	uint8_t		mode;		/* IPSEC_MODE_TUNNEL */
	uint8_t		level;		/* IPSEC_LEVEL_* */
	uint32_t	reqid;		/* 0 = any SA; > IPSEC_MANUAL_REQID_MAX: allocated */
	bool		has_endpoints;
	struct gw_addr	src;		/* tunnel endpoints = the SA's src and dst */
	struct gw_addr	dst;
};

/* Links one request's auto-range reqid into the in-use index. */
struct sp_reqref {
	struct hnode	 node;
	uint32_t	 reqid;
};

struct sp_cell;

struct policy {
	struct gw_sel		 sel;		/* prefixes masked to their length */
	uint8_t			 dir;		/* IPSEC_DIR_INBOUND/OUTBOUND/FWD */
	uint16_t		 action;	/* IPSEC_POLICY_DISCARD/NONE/IPSEC */
	uint32_t		 priority;	/* Linux value: lower wins */
	uint32_t		 id;		/* spid, unique, never 0 */
	size_t			 nreq;
	struct sp_req		 req[PFK_MAX_REQ];
	uint64_t		 created;	/* monotonic seconds */
	uint64_t		 lastused;	/* set by the data path; 0 = never */
	uint64_t		 acquire_at;	/* last ACQUIRE sent; 0 = never */
	uint32_t		 acquire_seq;	/* sadb_msg_seq of that ACQUIRE */
	uint64_t		 serial;	/* insertion order */

	struct hnode		 id_node;
	struct hnode		 ident_node;
	struct sp_reqref	 reqref[PFK_MAX_REQ];
	struct sp_cell		*cell;
	TAILQ_ENTRY(policy)	 cell_entry;	/* (priority, serial) order */
	TAILQ_ENTRY(policy)	 dir_entry;	/* (priority, serial) order */
};

TAILQ_HEAD(policy_list, policy);

struct sp_group;

struct sp_dir {
	struct sp_group		**groups;
	size_t			  ngroups;
	struct policy_list	  list;
	size_t			  n;
};

struct spd {
	struct sp_dir	dir[IPSEC_DIR_MAX];	/* [1..3] used */
	struct htab	by_id;
	struct htab	by_ident;
	struct htab	by_reqid;
	uint32_t	next_id;
	uint32_t	next_reqid;
	uint64_t	serial;
	uint32_t	seed;
	size_t		total;
};

/* Initialises an empty SPD; seed randomises its hashes. 0 or -1 (ENOMEM). */
int spd_init(struct spd *spd, uint32_t seed);
/* Frees every policy and the indexes. */
void spd_free(struct spd *spd);

/*
 * Inserts a policy built from tmpl (its id, serial, times and links are
 * ignored; the selector is masked) at time now. For a `unique` request
 * with reqid 0 a reqid above IPSEC_MANUAL_REQID_MAX is allocated (on
 * update, the replaced policy's reqid at the same position is kept).
 * When a policy with the same selector and direction exists: -EEXIST, or
 * with update it is replaced, keeping its id and its place in the order
 * among equal priorities. Returns 0 with *out set, -EEXIST, -EINVAL (bad
 * direction), -ENOSPC (no reqid free) or -ENOMEM; on error nothing changed.
 */
int spd_add(struct spd *spd, const struct policy *tmpl, bool update, uint64_t now,
    struct policy **out);
/* Removes and frees p. */
void spd_remove(struct spd *spd, struct policy *p);
/* Removes every policy. Returns how many. */
size_t spd_flush(struct spd *spd);

/* The policy with this selector (masked before comparing) and direction. */
struct policy *spd_find(const struct spd *spd, uint8_t dir, const struct gw_sel *sel);
/* The policy with this id, or NULL. */
struct policy *spd_get(const struct spd *spd, uint32_t id);
/*
 * The first policy of dir, in (priority, insertion) order, whose selector
 * matches f (addresses, protocol, ports), or NULL. Read-only: the data
 * path stamps p->lastused itself.
 */
struct policy *spd_lookup(const struct spd *spd, uint8_t dir, const struct gw_flow *f);

/* Iteration over one direction in (priority, insertion) order. */
struct policy *spd_first(const struct spd *spd, uint8_t dir);
struct policy *spd_next(const struct policy *p);
/* Number of policies in all directions. */
size_t spd_count(const struct spd *spd);
/* True for IPSEC_DIR_INBOUND, OUTBOUND and FWD. */
bool spd_dir_ok(uint8_t dir);

#endif
