/*
 * sad.h: the Security Association Database.
 *
 * Holds every SA tunneld knows, from LARVAL (GETSPI reserved an SPI) to
 * removal, and answers the data path's two questions:
 *   inbound:  which SA owns (SPI, destination, protocol)?  sad_lookup_in
 *   outbound: which SA protects (src, dst, protocol, mode, reqid)?
 *             the newest mature one, sad_lookup_out
 * Both are hash lookups; the tables grow with the SAD so that 100,000 SAs
 * load in linear time. A list keeps insertion order for DUMP.
 *
 * Lifetimes: sad_tick() (every second) applies the time limits and
 * sad_account() (per packet) the byte and packet limits. A soft limit
 * reports once through the sink and makes the SA DYING; a hard limit
 * reports and removes it. No libevent, no sockets: the caller supplies
 * the clock (monotonic seconds, never 0) and the sink.
 */
#ifndef TUNNELD_SAD_H
#define TUNNELD_SAD_H

#include <sys/queue.h>

#include <linux/pfkeyv2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "alg.h"
#include "htab.h"
#include "secmem.h"
#include "gwstats.h"

#define SAD_LARVAL_LIFETIME	30	/* seconds a GETSPI SA waits for UPDATE */
#define SAD_REPLAY_DEFAULT	256	/* window in packets when none was asked for */
#define SAD_REPLAY_MAX		65536	/* largest window accepted, packets */
#define SAD_SPI_MIN		0x100	/* 0..255 are reserved (RFC 4303 2.1) */
#define SAD_SPI_TRIES		1000	/* random probes before GETSPI gives up */

/* Values match SADB_SASTATE_*, which DUMP reports. */
enum sa_state {
	SA_LARVAL = 0,
	SA_MATURE = 1,
	SA_DYING = 2,
	SA_DEAD = 3,
};

enum sa_expire {
	SA_EXPIRE_SOFT,
	SA_EXPIRE_HARD,
};

enum sa_dir {
	SA_DIR_IN,
	SA_DIR_OUT,
};

/*
 * A lifetime limit (LIFETIME_HARD/SOFT). 0 = no limit. "allocations"
 * counts packets through the SA in either direction: the data path has no
 * other unit of allocation, and this keeps the field enforced.
 */
struct sa_lifetime {
	uint32_t	allocations;
	uint64_t	bytes;
	uint64_t	addtime;	/* seconds after the SA became usable */
	uint64_t	usetime;	/* seconds after its first packet */
};

/* What a key manager decides about an SA: the content of ADD/UPDATE. */
struct sa_cfg {
	uint32_t		 spi;		/* host order */
	uint8_t			 satype;	/* SADB_SATYPE_ESP */
	struct gw_addr		 src;		/* as sent (port kept for echo) */
	struct gw_addr		 dst;
	uint8_t			 mode;		/* IPSEC_MODE_ANY or _TUNNEL */
	uint32_t		 reqid;
	const struct alg	*enc;		/* NULL only while LARVAL */
	const struct alg	*auth;		/* NULL for AEAD ciphers */
	struct gw_key		 enc_key;	/* includes the salt of AEAD/CTR */
	struct gw_key		 auth_key;
	uint32_t		 flags;		/* sadb_sa_flags, kept for the data path */
	uint32_t		 replay_window;	/* packets; 0 = no replay check */
	bool			 esn;		/* 64-bit sequence numbers */
	uint8_t			 natt_type;	/* 0 or UDP_ENCAP_ESPINUDP */
	uint16_t		 natt_sport;	/* host order */
	uint16_t		 natt_dport;
	struct gw_addr		 natt_oa;	/* af 0 when absent */
	struct sa_lifetime	 hard;
	struct sa_lifetime	 soft;
};

/* Usage so far (LIFETIME_CURRENT); times are monotonic seconds. */
struct sa_current {
	uint64_t	bytes;
	uint64_t	packets;
	uint64_t	addtime;	/* creation (LARVAL) or maturity */
	uint64_t	usetime;	/* first packet; 0 = never used */
};

struct sa {
	struct sa_cfg		 cfg;
	enum sa_state		 state;
	struct sa_current	 cur;
	uint64_t		 stats[GWSTAT_SA_MAX];	/* enum gwstat, per SA */
	uint64_t		 seq_out;	/* last ESP sequence number sent */
	bool			 soft_expire_sent;
	uint32_t		 msg_seq;	/* sadb_msg_seq of the creating request */
	uint32_t		 msg_pid;	/* sadb_msg_pid of the creating request */
	uint64_t		 serial;	/* order of becoming usable: newer is larger */
	void			*dp;		/* data path state (crypto, replay) */

	struct hnode		 in_node;	/* (spi, dst, satype) */
	struct hnode		 out_node;	/* (src, dst, satype, mode, reqid), reqid != 0 */
	struct hnode		 any_node;	/* (src, dst, satype, mode) */
	bool			 out_linked;	/* in the outbound tables (usable states) */
	TAILQ_ENTRY(sa)		 entry;
};

TAILQ_HEAD(sa_list, sa);

/*
 * Where lifetime events go. expire() is called once per soft limit and
 * once at the hard limit, before the SA is removed; it must not change
 * the SAD. release() (may be NULL) sees each SA as it is freed, with keys
 * already wiped, so the data path can free sa->dp.
 */
struct sad_sink {
	void	(*expire)(void *arg, const struct sa *sa, enum sa_expire kind);
	void	(*release)(void *arg, struct sa *sa);
	void	 *arg;
};

struct sad {
	struct htab		 by_spi;
	struct htab		 by_out;
	struct htab		 by_any;
	struct sa_list		 list;		/* insertion order, for DUMP */
	struct sa_list		 dead;		/* hard-expired by sad_account, freed by sad_tick */
	size_t			 count[SADB_SATYPE_MAX + 1];
	size_t			 total;
	uint64_t		 serial;
	uint32_t		 seed;
	const struct sad_sink	*sink;
};

/*
 * Initialises an empty SAD with hash seed (random in production) and
 * sink (borrowed; must outlive the SAD). Returns 0 or -1 on ENOMEM.
 */
int sad_init(struct sad *sad, uint32_t seed, const struct sad_sink *sink);
/* Removes every SA (wiping keys, calling release) and frees the tables. */
void sad_free(struct sad *sad);

/*
 * Inserts a copy of cfg (keys included; the caller wipes its own copy) in
 * state (SA_LARVAL or SA_MATURE) at time now. msg_seq/msg_pid record the
 * creating request. A LARVAL SA gets a hard addtime of
 * SAD_LARVAL_LIFETIME. Returns 0 with *out set, -EEXIST when (satype, dst,
 * spi) is taken, -ENOMEM.
 */
int sad_add(struct sad *sad, const struct sa_cfg *cfg, enum sa_state state, uint64_t now,
    uint32_t msg_seq, uint32_t msg_pid, struct sa **out);
/*
 * Completes LARVAL sa with cfg (whose spi, satype and dst must equal the
 * SA's): MATURE, usable from now on. Keys are copied.
 */
void sad_update(struct sad *sad, struct sa *sa, const struct sa_cfg *cfg, uint64_t now);
/* Removes sa from every index and frees it (keys wiped, release called). */
void sad_remove(struct sad *sad, struct sa *sa);
/* Removes every SA of satype (SADB_SATYPE_UNSPEC: all). Returns how many. */
size_t sad_flush(struct sad *sad, uint8_t satype);

/* The SA with this identity in any state, or NULL. */
struct sa *sad_find(const struct sad *sad, uint8_t satype, const struct gw_addr *dst,
    uint32_t spi);
/* Inbound lookup: as sad_find, but only MATURE or DYING SAs. */
struct sa *sad_lookup_in(const struct sad *sad, uint8_t satype, const struct gw_addr *dst,
    uint32_t spi);
/*
 * Outbound lookup for a policy request: the newest MATURE SA for (src,
 * dst, satype, mode, reqid), else the newest DYING one, else NULL. reqid 0
 * accepts any reqid (KAME's "require"); mode ANY and TUNNEL are the same.
 */
struct sa *sad_lookup_out(const struct sad *sad, uint8_t satype, const struct gw_addr *src,
    const struct gw_addr *dst, uint8_t mode, uint32_t reqid);

/*
 * Picks an unused SPI of (satype, dst) uniformly in [min, max] with rnd
 * (called with arg). Returns it, or 0 when SAD_SPI_TRIES probes found
 * none free (or min > max). Changes nothing.
 */
uint32_t sad_alloc_spi(const struct sad *sad, uint8_t satype, const struct gw_addr *dst,
    uint32_t min, uint32_t max, uint32_t (*rnd)(void *), void *arg);

/*
 * Frees SAs that sad_account retired, then applies time limits (addtime,
 * usetime; a LARVAL SA's own 30 s) to every SA at time now.
 */
void sad_tick(struct sad *sad, uint64_t now);
/*
 * Accounts one packet of len bytes through sa in dir at time now and
 * applies byte and packet limits. Returns 0, or -1 when the packet
 * reached the hard limit: the SA has been reported, taken out of every
 * lookup and DUMP, and is freed at the next sad_tick; the caller must
 * drop the packet and not use sa after it returns to the event loop.
 */
int sad_account(struct sad *sad, struct sa *sa, enum sa_dir dir, size_t len, uint64_t now);

/*
 * Hard-expires sa at once, as sad_account does at a hard limit: reported,
 * taken out of every lookup and DUMP, freed at the next sad_tick. For a
 * sequence number space that ran out (RFC 4303 3.3.3).
 */
void sad_retire(struct sad *sad, struct sa *sa);

/* Insertion-order iteration, for DUMP. */
struct sa *sad_first(const struct sad *sad);
struct sa *sad_next(const struct sa *sa);
/* SAs of satype (UNSPEC: all). */
size_t sad_count(const struct sad *sad, uint8_t satype);

/* Replay window in sadb_sa_replay units (bytes of bitmap), capped at 255. */
uint8_t sa_replay_bytes(const struct sa *sa);

#endif
