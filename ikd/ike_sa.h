/*
 * ike_sa.h: the IKE SA, the table of SAs, and the interfaces the
 * exchanges run through.
 *
 * The exchange code sees the outside world only through three things
 * defined here, so that tests can replace each:
 * - struct ike_io: send a datagram, read a millisecond clock, get random
 *   bytes (and, optionally, make a Diffie-Hellman private value);
 * - struct ike_child_sink: the data path's SAD (inbound SPI allocation,
 *   installing and deleting Child SAs);
 * - struct ike_hooks: the daemon (configuration by address, events).
 * Nothing here uses libevent: timers are deadlines the daemon's loop
 * reads with ike_sa_table_next_ms() and fires with exch_tick(); the
 * table indexes them so that neither visits every SA (the rule code must
 * follow is at ike_sa_next_due()).
 */
#ifndef IKD_IKE_SA_H
#define IKD_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "ike_hdrs.h"
#include "ike_msg.h"
#include "ike_ts.h"
#include "secmem.h"

struct dh;
struct keymat_ike;
struct psk_table;

#define IKE_PORT		500
#define IKE_NATT_PORT		4500

struct ike_io {
	/*
	 * Sends the UDP payload p[0..len) from local to remote (addresses
	 * and ports). Returns 0, or -1 when the datagram could not be sent.
	 */
	int		(*send)(void *ctx, const uint8_t *p, size_t len,
			    const struct gw_addr *local, const struct gw_addr *remote);
	uint64_t	(*now_ms)(void *ctx);	/* monotonic milliseconds */
	void		(*random)(void *ctx, uint8_t *p, size_t len);	/* CSPRNG */
	/*
	 * Optional: a Diffie-Hellman key pair of group (NULL = dh_new(), the
	 * system CSPRNG). Tests pass fixed private values through it.
	 */
	struct dh	*(*dh_new)(void *ctx, uint16_t group);
	void		*ctx;
};

#define IKE_LIFETIME_INF	0	/* no limit */

struct ike_lifetime {
	uint64_t	soft_s;
	uint64_t	hard_s;
	uint64_t	soft_bytes;
	uint64_t	hard_bytes;
};

/*
 * One Child SA pair as the data path installs it. "in" protects what the
 * peer sends us (spi_in, which getspi allocated), "out" what we send.
 * Algorithm ids are lib/alg.h's (SADB_*), AEAD keys end in their salt.
 */
#define IKE_CHILD_IN	0x01	/* ike_child_sa.dirs: the inbound SA */
#define IKE_CHILD_OUT	0x02	/* the outbound SA */

struct ike_child_sa {
	uint8_t		dirs;		/* which SAs to install: IKE_CHILD_*; 0 = both */
	uint32_t	spi_in;
	uint32_t	spi_out;
	uint8_t		mode;		/* IPSEC_MODE_TUNNEL */
	uint32_t	reqid;
	uint8_t		enc_alg;
	uint8_t		auth_alg;	/* 0 with an AEAD cipher */
	struct gw_key	enc_in;
	struct gw_key	auth_in;
	struct gw_key	enc_out;
	struct gw_key	auth_out;
	bool		esn;		/* RFC 4303 extended sequence numbers */
	struct gw_addr	local;		/* tunnel endpoints, port 0 */
	struct gw_addr	remote;
	bool		natt;		/* UDP-encapsulated ESP (RFC 3948) */
	uint16_t	natt_sport;	/* our UDP port */
	uint16_t	natt_dport;	/* the peer's UDP port */
	struct ike_tsl	ts_local;
	struct ike_tsl	ts_remote;
	struct ike_lifetime lifetime;
};

struct ike_child_sink {
	/*
	 * Allocates an inbound SPI for ESP from src (the peer) to dst (us)
	 * under reqid: a larval SA. Returns 0 with *spi set, or -1.
	 */
	int	(*getspi)(void *ctx, const struct gw_addr *src, const struct gw_addr *dst,
		    uint32_t reqid, uint32_t *spi);
	/* Installs both SAs of sa (borrowed for the call). Returns 0 or -1. */
	int	(*install)(void *ctx, const struct ike_child_sa *sa);
	/* Deletes the ESP SA spi from src to dst (also a larval one). 0 or -1. */
	int	(*del)(void *ctx, uint32_t spi, const struct gw_addr *src,
		    const struct gw_addr *dst);
	/*
	 * Deletes the inbound ESP SA spi from src (the peer) to dst once the
	 * packets the peer sent under it may have arrived: a pair ends when
	 * one Delete exchange is done, while ESP packets travel apart from
	 * IKE and may still be queued. NULL: del() at once. 0 or -1.
	 */
	int	(*retire)(void *ctx, uint32_t spi, const struct gw_addr *src,
		    const struct gw_addr *dst);
	void	*ctx;
};

#define IKE_ID_MAX		255

/* An identity (RFC 7296 3.5). type 0: unset. */
struct ike_idv {
	uint8_t		type;		/* IKE_ID_* */
	uint8_t		len;
	uint8_t		data[IKE_ID_MAX];
};

/*
 * PSK lookup callback: the key shared with the peer whose ID is id (type
 * 0 when only the address is known) and whose address is addr. On
 * success *key is a view valid until the callback is called again, and 0
 * is returned; -1 if there is none.
 */
typedef int (*ike_psk_fn)(void *ctx, const struct ike_idv *id, const struct gw_addr *addr,
    struct view *key);

#define IKE_CFG_PROPS		8
#define IKE_CFG_TS		8

/* NAT traversal (RFC 7296 2.23, RFC 3948). */
enum ike_natt {
	IKE_NATT_ON,		/* detect; float to 4500 and encapsulate behind a NAT */
	IKE_NATT_OFF,		/* no NAT detection, never float */
	/*
	 * Always float and encapsulate: our NAT_DETECTION_SOURCE_IP hash is
	 * made wrong on purpose so that the peer sees a NAT too (strongSwan's
	 * encap=yes does the same).
	 */
	IKE_NATT_FORCE,
};

/* One configured policy: src is our side, dst the peer's. */
struct ike_cfg_ts {
	struct gw_sel	sel;
	uint32_t	reqid;
};

/*
 * What an exchange needs from the configuration for one peer. An SA
 * keeps its own copy; psk and psk_ctx are borrowed and must outlive
 * every SA made from this configuration.
 */
struct ike_cfg_peer {
	char			name[32];	/* for logs; may be empty */
	struct gw_addr		local;		/* port 0 = 500 */
	struct gw_addr		remote;
	struct ike_idv		local_id;	/* type 0: our address */
	struct ike_idv		remote_id;	/* type 0: not sent, any accepted */
	struct ike_prop		ike[IKE_CFG_PROPS];	/* proto IKE, spisize 0 */
	size_t			nike;
	struct ike_prop		esp[IKE_CFG_PROPS];	/* proto ESP, spisize 4 */
	size_t			nesp;
	uint16_t		dh_group;	/* our first KE; 0 = first of ike[0] */
	struct ike_cfg_ts	ts[IKE_CFG_TS];
	size_t			nts;
	enum ike_natt		natt;
	uint32_t		ike_lifetime_s;	/* rekey the IKE SA after this */
	/*
	 * Dead peer detection: after this long without an authenticated
	 * message from the peer, an empty INFORMATIONAL request checks that
	 * it is alive (RFC 7296 2.4). 0: never.
	 */
	uint32_t		dpd_delay_s;
	/*
	 * The schedule of a liveness check (exch_info_liveness()): sent
	 * again every dpd_retry_s seconds, a constant interval as racoon's
	 * dpd_retry (0: the table's, rtx_first_ms doubling each time), and
	 * the peer is dead (IKE_F_TIMEOUT) once dpd_tries transmissions have
	 * gone unanswered, the last one's interval included (0: the table's
	 * rtx_tries). Each falls back on its own. With 5 and 3: sent at t,
	 * t+5 s and t+10 s, dead at t+15 s. Other requests keep the table's
	 * schedule.
	 */
	uint32_t		dpd_retry_s;
	uint32_t		dpd_tries;
	struct ike_lifetime	child_lifetime;
	const struct psk_table	*psk;		/* used when psk_fn is NULL */
	ike_psk_fn		psk_fn;
	void			*psk_ctx;
};

/* RFC 7296 states of an IKE SA, in the order a setup runs through them. */
enum ike_state {
	IKE_S_IDLE,		/* created, nothing sent */
	IKE_S_INIT_SENT,	/* initiator: IKE_SA_INIT request out */
	IKE_S_INIT_DONE,	/* keys derived; responder: half-open */
	IKE_S_AUTH_SENT,	/* initiator: IKE_AUTH request out */
	IKE_S_ESTABLISHED,
	IKE_S_REKEYING,
	IKE_S_DELETING,
	IKE_S_DEAD,		/* waits to be reaped; sends nothing */
};

/* Why an SA died; passed to the dead hook. */
enum ike_fail {
	IKE_F_NONE,
	IKE_F_TIMEOUT,		/* the peer stopped answering */
	IKE_F_NO_PROPOSAL,	/* NO_PROPOSAL_CHOSEN, either side */
	IKE_F_INVALID_KE,	/* no usable KE group */
	IKE_F_AUTH,		/* AUTHENTICATION_FAILED, either side */
	IKE_F_HALF_OPEN,	/* responder: IKE_AUTH never came */
	IKE_F_PEER,		/* the peer deleted it or reported an error */
	IKE_F_LOCAL,		/* a local failure (memory, data path, config) */
	/*
	 * Replaced by a rekey (RFC 7296 2.18), or the redundant SA of a rekey
	 * collision (2.8.2): the Child SAs live on under the successor, so
	 * this is no loss of connectivity and nothing to re-initiate.
	 */
	IKE_F_REKEYED,
	/* The IKE SA lifetime's hard limit passed without a successful rekey. */
	IKE_F_EXPIRED,
};

/* A Child SA installed under an IKE SA: what deleting it takes. */
struct ike_child {
	struct ike_child	*next;
	uint32_t		spi_in;
	uint32_t		spi_out;
	uint32_t		reqid;
	struct gw_addr		local;
	struct gw_addr		remote;
	struct ike_tsl		ts_local;	/* negotiated; a rekey asks for them again */
	struct ike_tsl		ts_remote;
	uint8_t			enc_alg;	/* lib/alg.h ids, for status output */
	uint8_t			auth_alg;	/* 0 with an AEAD cipher */
	uint16_t		enc_bits;	/* key length without salt */
	uint16_t		pfs_group;	/* KE of its exchange; 0: none */
	bool			esn;
	bool			natt;		/* UDP-encapsulated */
	uint64_t		installed_ms;	/* io clock */
	/*
	 * When exch_tick() starts (again) a rekey of this pair that had to
	 * wait: a TEMPORARY_FAILURE answer, or a busy IKE SA. 0: none. The
	 * mark moves with the pair when the IKE SA is rekeyed.
	 */
	uint64_t		rekey_retry_ms;
	unsigned		rekey_tries;	/* TEMPORARY_FAILURE answers in a row */
	/*
	 * Make-before-break on the responder of a rekey (RFC 7296 2.8 leaves
	 * it to us): a pair made by the peer's rekey is installed inbound
	 * only, and its outbound SA, keys included, waits here until the
	 * peer surely has the pair (see ike_sa_out_due()): sending on it
	 * earlier loses what the peer cannot decrypt yet. Owned by the
	 * record; wiped when installed, dropped or freed with it.
	 */
	struct ike_child_sa	*out_pending;
	uint64_t		out_due_ms;	/* installed by then at the latest; 0: at once */
	uint32_t		out_after;	/* inbound SPI of the pair this one replaces */
	bool			out_absent;	/* no outbound SA in the data path */
	bool			out_fresh;	/* made by our last answer on this IKE SA */
};

/* Our CREATE_CHILD_SA request rekeying a Child SA, while it is out. */
struct ike_rekey {
	uint32_t		old_spi_in;	/* the pair being replaced; 0: none */
	uint8_t			ni[IKE_NONCE_MAX];
	size_t			ni_len;
	struct dh		*dh;		/* PFS key pair, or NULL */
	struct ike_tsl		ts_i;		/* what we asked for */
	struct ike_tsl		ts_r;
	/*
	 * A collision (RFC 7296 2.8.1): the peer rekeyed the same pair while
	 * this request was out and we answered. Our inbound SPI of the pair
	 * that made (0: none) and the lower nonce of that exchange decide
	 * which new pair is redundant once our answer comes.
	 */
	uint32_t		peer_new_in;
	uint8_t			peer_low[IKE_NONCE_MAX];
	size_t			peer_low_len;
};

/* Our CREATE_CHILD_SA request rekeying the IKE SA itself, while it is out. */
struct ike_rekey_ike {
	uint64_t		spi;		/* our SPI in the new SA; 0: no request out */
	uint8_t			ni[IKE_NONCE_MAX];
	size_t			ni_len;
	struct dh		*dh;		/* our KE key pair */
	unsigned		rounds;		/* requests repeated for INVALID_KE_PAYLOAD */
	/*
	 * A collision (RFC 7296 2.8.2): the peer's rekey of this SA came
	 * while ours was out and made a new SA, our SPI in it (0: none); the
	 * lower nonce of that exchange decides which new SA is redundant.
	 */
	uint64_t		peer_spi;
	uint8_t			peer_low[IKE_NONCE_MAX];
	size_t			peer_low_len;
};

/* The first Child SA an initiator asks for (from an ACQUIRE or the config). */
struct ike_child_req {
	struct gw_sel	sel;		/* src is our side */
	uint32_t	reqid;
};

struct ike_sa_table;

struct ike_sa {
	struct ike_sa_table	*tbl;
	struct ike_sa		*hnext;		/* chain by our SPI */
	struct ike_sa		*inext;		/* chain by (SPIi, peer), responder */
	struct ike_sa		*next;		/* list of all SAs */
	struct ike_sa		*prev;
	struct ike_sa		*dnext;		/* list of dead SAs */

	uint64_t		spi_i;
	uint64_t		spi_r;
	bool			initiator;	/* we are the original initiator */
	enum ike_state		state;
	enum ike_fail		fail;
	struct ike_cfg_peer	cfg;
	struct gw_addr		local;		/* current endpoints, with ports */
	struct gw_addr		remote;
	struct gw_addr		init_peer;	/* IKE_SA_INIT came from here */
	bool			nat_local;	/* we are behind a NAT (2.23) */
	bool			nat_remote;	/* the peer is */
	bool			peer_natd;	/* the peer sent NAT detection */

	struct ike_prop		prop;		/* chosen IKE proposal */
	uint16_t		dh_group;	/* group of our KE payload */
	struct dh		*dh;		/* freed once g^ir is known */
	struct keymat_ike	*km;
	struct ike_msg_prot	prot;
	struct ike_msg_win	win;

	uint8_t			ni[IKE_NONCE_MAX];
	size_t			ni_len;
	uint8_t			nr[IKE_NONCE_MAX];
	size_t			nr_len;
	uint8_t			*init_req;	/* IKE_SA_INIT request as sent/received */
	size_t			init_req_len;
	uint8_t			*init_resp;	/* IKE_SA_INIT response */
	size_t			init_resp_len;
	uint8_t			cookie[IKE_COOKIE_MAX];
	size_t			cookie_len;	/* 0: none */
	unsigned		init_rounds;	/* IKE_SA_INIT repeats (cookie, KE) */

	struct ike_child_req	child_req;
	struct ike_child	larval;		/* spi_in != 0: allocated, not installed */
	struct ike_child	*children;
	uint32_t		del_child_spi;	/* inbound SPI our Delete request names */
	struct ike_rekey	rk;
	struct ike_rekey_ike	ike_rk;
	/*
	 * After a rekey: this SA handed its Child SAs to a successor (or is
	 * the redundant SA of a collision) and waits for its Delete, which
	 * either side sends. It starts nothing and takes no new work.
	 */
	bool			retired;
	/*
	 * Made by the peer's rekey while ours of the same SA was out: whether
	 * it or ours inherits the Child SAs is decided when our answer comes.
	 */
	bool			inherit_pending;
	uint64_t		created_ms;
	uint64_t		established_ms;
	/*
	 * Lifetime timers (io clock, 0: none). At rekey_ms the SA starts a
	 * rekey of itself; at expire_ms it is deleted: see ike_sa_rekey_due().
	 */
	uint64_t		rekey_ms;
	uint64_t		expire_ms;
	uint64_t		last_rx_ms;	/* last authenticated message from the peer */
	uint64_t		half_open_until;	/* responder in INIT_DONE */
	/* The table's timer index: ike_sa.c's alone (see ike_sa_timer_touch()). */
	size_t			tm_pos;		/* 1 + place in tbl->tm_heap; 0: none */
	struct ike_sa		*tm_next;	/* list of marked SAs */
	struct ike_sa		**tm_pprev;	/* NULL: not marked */
	struct ike_sa		*tm_fnext;	/* list of SAs the running tick took */
	bool			tm_fired;	/* taken by the running tick */
};

/*
 * Called from inside exch_recv() and exch_tick(): a hook may start new
 * SAs but must not destroy any (kill them instead).
 */
struct ike_hooks {
	/*
	 * The configuration for an IKE_SA_INIT from remote to local, or NULL
	 * for none. Borrowed for the call; the SA copies it.
	 */
	const struct ike_cfg_peer *(*peer_by_addr)(void *ctx, const struct gw_addr *local,
	    const struct gw_addr *remote);
	/*
	 * Optional: an IKE SA authenticated with a new peer (IKE_AUTH). Not
	 * called for the SA a rekey makes: see rekeyed.
	 */
	void	(*established)(void *ctx, const struct ike_sa *sa);
	/*
	 * Optional; sa->fail says why. An SA replaced by a rekey, or
	 * redundant after a collision, dies with IKE_F_REKEYED.
	 */
	void	(*dead)(void *ctx, const struct ike_sa *sa);
	/*
	 * Optional: a rekey completed (RFC 7296 2.18) and sa_new took over
	 * the Child SAs of old, which dies soon with IKE_F_REKEYED. Called
	 * once per rekey on each side, for the surviving SA of a collision.
	 */
	void	(*rekeyed)(void *ctx, const struct ike_sa *old, const struct ike_sa *sa_new);
	void	*ctx;
};

/* Per-table counters; peer-triggered drops are counted here, logged at debug. */
enum ike_stat {
	IKE_ST_RX,		/* datagrams received */
	IKE_ST_TX,		/* datagrams sent (retransmissions included) */
	IKE_ST_TX_FAIL,
	IKE_ST_DROP_MARKER,	/* on port 4500 without the non-ESP marker */
	IKE_ST_DROP_PARSE,	/* malformed message */
	IKE_ST_DROP_NO_SA,	/* unknown SPI */
	IKE_ST_DROP_WINDOW,	/* Message ID outside the window, unexpected response */
	IKE_ST_DROP_ICV,	/* SK did not decrypt or verify */
	IKE_ST_DROP_STATE,	/* exchange not expected in this state */
	IKE_ST_DROP_INVALID,	/* content refused (bad proposal, KE, missing payload) */
	IKE_ST_RETRANS_ANSWERED,	/* retransmitted request answered from cache */
	IKE_ST_RETRANSMIT,	/* our requests sent again */
	IKE_ST_GIVE_UP,
	IKE_ST_COOKIE_SENT,
	IKE_ST_COOKIE_BAD,
	IKE_ST_AUTH_FAIL,
	IKE_ST_HALF_OPEN_EXPIRED,
	IKE_ST_COUNT
};

/* A timer heap entry: an SA and its deadline when last computed. */
struct ike_sa_tm {
	uint64_t	due;
	struct ike_sa	*sa;
};

#define IKE_COOKIE_SECRET	32
#define IKE_COOKIE_ROTATE_MS	(5 * 60 * 1000)
#define IKE_HALF_OPEN_MS	(30 * 1000)

struct ike_sa_table {
	struct ike_io		io;
	struct ike_child_sink	sink;
	struct ike_hooks	hooks;
	struct ike_sa		**spi_hash;	/* by our SPI */
	struct ike_sa		**init_hash;	/* by (SPIi, peer), responder SAs */
	size_t			nbuckets;	/* power of two */
	struct ike_sa		*all;
	struct ike_sa		*dead;
	size_t			nsa;
	size_t			half_open;	/* responder SAs in INIT_DONE */
	size_t			cookie_threshold;	/* half-open SAs before cookies */
	uint32_t		rtx_first_ms;	/* first retransmission timeout */
	unsigned		rtx_tries;	/* transmissions of a request */
	uint8_t			hash_key[16];	/* keys the (SPIi, peer) hash */
	/* The current and the previous secret. */
	uint8_t			cookie_secret[2][IKE_COOKIE_SECRET];
	uint8_t			cookie_version;	/* of cookie_secret[0] */
	uint8_t			cookie_nsecrets;	/* set in cookie_secret */
	uint64_t		cookie_rotated_ms;
	uint64_t		stats[IKE_ST_COUNT];
	/*
	 * Timers (see ike_sa_timer_touch()): every SA not DEAD, in a binary
	 * min-heap on ike_sa_next_due() as last computed; the SAs whose
	 * deadline may have moved since; the SAs a running exch_tick() took.
	 */
	struct ike_sa_tm	*tm_heap;
	size_t			tm_n;
	size_t			tm_cap;
	struct ike_sa		*tm_marked;
	struct ike_sa		*tm_fired;
};

#define IKE_COOKIE_THRESHOLD	10	/* default; strongSwan's per-IP one is 3 */

/*
 * A new, empty table. io, sink and hooks are copied (their ctx pointers
 * are borrowed). Returns NULL on no memory.
 */
struct ike_sa_table *ike_sa_table_new(const struct ike_io *io,
    const struct ike_child_sink *sink, const struct ike_hooks *hooks);
/* Destroys every SA (without telling the data path) and frees t. NULL is fine. */
void ike_sa_table_free(struct ike_sa_table *t);
/*
 * Timers. Nothing here runs a clock: each SA has deadlines (retransmission,
 * half-open expiry, lifetime rekey and hard expiry, the retired SA's wait
 * for its Delete, DPD, Child SA rekey retries, pending outbound SAs), and
 * ike_sa_next_due() is the single source of truth for the earliest one.
 * So that the daemon's loop need not visit every SA after each datagram,
 * the table keeps the SAs in a min-heap on that value as last computed,
 * and the rule is:
 *
 *   whoever changes anything ike_sa_next_due() reads calls
 *   ike_sa_timer_touch(sa), before or after the change, before control
 *   returns to the loop.
 *
 * That is: the window's request timer (ike_msg.c), the state, the
 * lifetime fields (rekey_ms, expire_ms, half_open_until, established_ms,
 * last_rx_ms), retired and inherit_pending, cfg.dpd_delay_s, the list of
 * Child SAs and their rekey_retry_ms, out_pending and out_due_ms, and
 * rk.old_spi_in and rk.peer_new_in (which hold a pending outbound SA
 * back). The functions of this file that change them touch the SA
 * themselves, ike_msg.c does for the window, exch_recv() for the SA a
 * message was for, exch_tick() for every SA it ran. The marked SAs are
 * computed again in the next ike_sa_table_next_ms() or exch_tick(), in
 * O(log n) each. Besides, the SA at the top of the heap is always
 * computed again before its deadline is used, so a deadline that moved
 * later without a mark costs one early wake-up; one that moved earlier
 * without a mark fires late unless that SA is at the top: the rule is
 * not optional.
 */
/* The earliest deadline of sa (ms, io clock), or UINT64_MAX (none, or DEAD). */
uint64_t ike_sa_next_due(const struct ike_sa *sa);
/* Marks sa's deadline for computing again (see above). Cheap: O(1). */
void ike_sa_timer_touch(struct ike_sa *sa);
/*
 * The earliest deadline of any SA (ms, io clock), or UINT64_MAX. Computes
 * the marked SAs first: O(log n) per marked SA, and O(1) when none is.
 */
uint64_t ike_sa_table_next_ms(struct ike_sa_table *t);
/*
 * For exch_tick(): an SA whose deadline is at or before now and which
 * this tick has not taken yet, or NULL. The SA leaves the heap until
 * ike_sa_timer_end(), so each SA is taken at most once per tick, and one
 * that an earlier SA's timer made due is taken in the same tick.
 */
struct ike_sa *ike_sa_timer_take(struct ike_sa_table *t, uint64_t now);
/* Ends a tick: the SAs it took go back to the heap, their deadlines computed again. */
void ike_sa_timer_end(struct ike_sa_table *t);
/*
 * When sa sends its next liveness check if the peer stays silent (the
 * last authenticated message from it plus the DPD delay), or UINT64_MAX
 * when sa does not check (DPD off, not ESTABLISHED, a request out).
 */
uint64_t ike_sa_dpd_due(const struct ike_sa *sa);
/*
 * When sa starts a rekey of itself, or UINT64_MAX when it does not now
 * (no lifetime, not ESTABLISHED, retired, a request out: then the first
 * tick after the answer). The lifetime rule: an SA rekeys itself
 * cfg.ike_lifetime_s after it was established (or made by a rekey); if
 * no rekey has succeeded by its hard limit, the lifetime plus the larger
 * of a tenth of it and two retransmission give-up times, the SA is
 * deleted (IKE_F_EXPIRED). A retired SA waits for its Delete for two
 * give-up times, then goes without one.
 */
uint64_t ike_sa_rekey_due(const struct ike_sa *sa);
/* When a Child SA of sa waiting to be rekeyed is due, or UINT64_MAX. */
uint64_t ike_sa_child_retry_due(const struct ike_sa *sa);
/*
 * When the first outbound SA of sa waiting to be installed (see
 * ike_child.out_pending) is due, or UINT64_MAX. A pending outbound SA is
 * installed, in this order of events:
 * - when the peer deletes the pair it replaces (its Delete proves it
 *   runs on the new pair), just before that pair goes;
 * - when that pair goes otherwise (our Delete, a hard expiry), unless
 *   held back, see below;
 * - at the latest ike_sa_out_grace_ms() after our answer, for a lost
 *   Delete or a peer that keeps the old pair a while; a retransmission
 *   of the request we answered shows the answer was lost, and restarts
 *   that wait (see ike_sa_out_window()).
 * It moves with the pair when the IKE SA is rekeyed. The peer's new pair
 * of a collision (RFC 7296 2.8.1) with our own rekey of the same pair is
 * held back until our answer says which pair is redundant: the
 * redundant one never gets its outbound SA.
 */
uint64_t ike_sa_out_due(const struct ike_sa *sa);
/*
 * How long a pending outbound SA waits at most after our answer: the
 * larger of IKE_OUT_GRACE_MS and two first retransmission timeouts, so
 * that the peer's Delete of the old pair, even sent twice, comes first.
 */
uint64_t ike_sa_out_grace_ms(const struct ike_sa_table *t);
#define IKE_OUT_GRACE_MS	2000
/*
 * What the Message ID window (RFC 7296 2.3, size 1) says of our last
 * answer on sa: a retransmission of the request it answered means the
 * peer lacks it (has is false), so the pairs it made wait a full grace
 * time from now; a new request means the peer has it (has is true).
 * Call for authenticated requests only.
 */
void ike_sa_out_window(struct ike_sa *sa, bool has, uint64_t now);
/* Installs every pending outbound SA of sa due at now (see ike_sa_out_due()). */
void ike_sa_out_flush(struct ike_sa *sa, uint64_t now);
/*
 * The pairs of sa that replace old get their outbound SAs now, before
 * old goes: every one if force (the peer deletes old), else those not
 * held back; the held-back ones are then due as soon as released.
 */
void ike_sa_out_replace(struct ike_sa *sa, const struct ike_child *old, bool force);
/*
 * c, a Child SA of sa, is the redundant pair of a collision: its
 * outbound SA is never installed; the keys are wiped now.
 */
void ike_sa_out_drop(struct ike_sa *sa, struct ike_child *c);
/* How long a request is retransmitted before giving up (ms). */
uint64_t ike_sa_giveup_ms(const struct ike_sa_table *t);
/* Counter name for status output. */
const char *ike_sa_stat_name(enum ike_stat s);

/*
 * A new SA in state IDLE with a fresh random SPI of ours (SPIi for an
 * initiator, SPIr for a responder), a copy of cfg whose proposals are
 * renumbered 1, 2, ... (RFC 7296 3.3.1), and the endpoints (ports 0
 * become 500). A responder SA also enters the (SPIi, peer)
 * index, so spi_i must be set: pass it as peer_spi_i. NULL on no memory.
 */
struct ike_sa *ike_sa_new(struct ike_sa_table *t, bool initiator,
    const struct ike_cfg_peer *cfg, const struct gw_addr *local, const struct gw_addr *remote,
    uint64_t peer_spi_i);
/*
 * The SA that a rekey of old makes (RFC 7296 2.18): SPIs spi_i and spi_r
 * (ours, spi_r for a responder, must be non-zero and free), initiator
 * the side that started the rekey, old's configuration, endpoints and
 * NAT state, fresh Message IDs. It takes km (on failure too) and starts
 * ESTABLISHED with its lifetime timers set; keying its messages and
 * taking the Child SAs are the caller's. NULL (logged) on failure.
 */
struct ike_sa *ike_sa_new_rekeyed(struct ike_sa *old, bool initiator, uint64_t spi_i,
    uint64_t spi_r, struct keymat_ike *km);
/* A random SPI, not 0 and not in use in t. Returns 0, or -1. */
int ike_sa_pick_spi(struct ike_sa_table *t, uint64_t *spi);
/* The SA whose SPI of ours is spi, or NULL; dead SAs are not found. */
struct ike_sa *ike_sa_find(const struct ike_sa_table *t, uint64_t spi);
/* The responder SA made for an IKE_SA_INIT with SPIi from remote, or NULL. */
struct ike_sa *ike_sa_find_init(const struct ike_sa_table *t, uint64_t spi_i,
    const struct gw_addr *remote);
/* Our SPI in sa. */
uint64_t ike_sa_spi(const struct ike_sa *sa);

/*
 * Moves sa to state to if the transition is allowed (IDLE -> INIT_SENT
 * -> INIT_DONE -> AUTH_SENT -> ESTABLISHED <-> REKEYING, -> DELETING, and
 * any -> DEAD). Returns 0, or -1 (logged) for a transition not allowed.
 * Entering DEAD queues the SA for ike_sa_reap().
 */
int ike_sa_set_state(struct ike_sa *sa, enum ike_state to);
/* "ESTABLISHED" and so on, for logs. */
const char *ike_sa_state_name(enum ike_state s);
/*
 * Ends sa: deletes its Child SAs through the sink, records why, moves it
 * to DEAD and calls the dead hook. The memory goes at ike_sa_reap().
 */
void ike_sa_kill(struct ike_sa *sa, enum ike_fail why);
/* Destroys every DEAD SA of t. Call where no SA pointer is held. */
void ike_sa_reap(struct ike_sa_table *t);
/*
 * Records a Child SA installed under sa (copies c). Returns 0 or -1 (no
 * memory: the caller deletes the pair from the data path).
 */
int ike_sa_add_child(struct ike_sa *sa, const struct ike_child *c);
/*
 * Deletes from the data path and forgets the Child SA whose outbound SPI
 * is spi_out; *spi_in gets its inbound SPI. The inbound SA goes through
 * the sink's retire(), so packets still on their way are accepted; the
 * outbound one goes at once. The pairs that replace it
 * first get their pending outbound SAs (ike_sa_out_replace(), not
 * forced). Returns 0, or -1 if sa has no such Child SA.
 */
int ike_sa_del_child(struct ike_sa *sa, uint32_t spi_out, uint32_t *spi_in);
/* The Child SA of sa whose inbound SPI is spi_in, or NULL. */
struct ike_child *ike_sa_child_by_in(struct ike_sa *sa, uint32_t spi_in);
/*
 * A rekey's end (RFC 7296 2.18): every Child SA of old moves to sa_new,
 * unchanged in the data path; old is retired (waits for its Delete) and
 * the rekeyed hook runs.
 */
void ike_sa_hand_over(struct ike_sa *old, struct ike_sa *sa_new);
/* Marks sa retired: it waits at most two give-up times for its Delete. */
void ike_sa_retire(struct ike_sa *sa);
/* Unlinks sa from t and wipes and frees everything it holds. */
void ike_sa_destroy(struct ike_sa *sa);

/* Bumps counter s of sa's table. */
void ike_sa_count(struct ike_sa_table *t, enum ike_stat s);
/* The peer for logs: "name (address)" or "address". buf of GW_ADDR_STRLEN + 40. */
const char *ike_sa_peer_str(const struct ike_sa *sa, char *buf, size_t len);
#define IKE_PEER_STRLEN		(GW_ADDR_STRLEN + 40)

/* SA-scoped log lines start with the SPI pair (STYLE.md L9). */
#define IKE_SPI_FMT		"%016llx:%016llx"
#define IKE_SPI_ARGS(sa)	(unsigned long long)(sa)->spi_i, (unsigned long long)(sa)->spi_r

#endif
