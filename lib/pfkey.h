/*
 * pfkey.h: the PF_KEY v2 codec (RFC 2367 with the KAME/Linux extensions).
 *
 * Messages are byte-for-byte PF_KEY v2 as in <linux/pfkeyv2.h>: a 16-byte
 * sadb_msg header, then extensions {u16 len in 8-byte units, u16 type},
 * integers in host byte order except SPIs and sockaddr ports (network
 * order). They travel one per datagram over an AF_UNIX SOCK_SEQPACKET
 * socket instead of a kernel PF_KEY socket.
 *
 * pfk_decode() checks a whole message in one pass and fills a plain
 * struct pfk_msg; nothing else in the tree looks at raw PF_KEY bytes.
 * pfk_encode() is its inverse. Keys decoded are views into the input
 * buffer (borrowed; valid while it is); the caller wipes that buffer.
 *
 * Project extensions (numbered above SADB_EXT_MAX, documented here):
 *
 *   PFK_EXT_REPLAY (32): { u16 len=2, u16 type, u32 window, u32 flags,
 *       u32 reserved }. window = anti-replay window in packets (0 = no
 *       replay check), flags PFK_REPLAY_ESN = extended sequence numbers.
 *       Needed because sadb_sa_replay has 8 bits. Mapping from setkey:
 *       "-r N" means N bytes of bitmap, as in KAME, so window = 8 * N
 *       packets; sadb_sa_replay carries min(N, 255) for old readers.
 *       When only sadb_sa_replay is present the window is 8 * replay.
 *
 *   PFK_EXT_STATS (33): { u16 len = 1 + count, u16 type, u32 count, then
 *       count u64 counters }: the data path's counters in the order of
 *       enum gwstat (lib/gwstats.h): per SA in DUMP/GET replies, for the
 *       whole gateway in the PFK_X_STATUS reply. At most PFK_MAX_STATS
 *       counters; the length must match count exactly.
 *
 * Project message type (numbered above SADB_MAX, which RFC 2367 and Linux
 * leave unused up to 255):
 *
 *   PFK_X_STATUS (32): a read-only request for the gateway's counters
 *       (setkey -s). The request is a bare header (satype 0); the reply
 *       echoes seq and pid and carries PFK_EXT_STATS.
 *
 * Extensions the codec refuses with EOPNOTSUPP because nothing here acts
 * on them: IDENTITY_SRC/DST, SENSITIVITY, X_KMPRIVATE, X_SEC_CTX,
 * X_KMADDRESS and X_FILTER. Accepting them and dropping their content
 * would silently weaken what the sender asked for.
 */
#ifndef GW_PFKEY_H
#define GW_PFKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pfkeyv2.h>
#include <linux/ipsec.h>

#include "addr.h"
#include "buf.h"

#define PFK_X_STATUS		32	/* message type: the gateway's counters */
#define PFK_TYPE_MAX		PFK_X_STATUS

#define PFK_EXT_REPLAY		32
#define PFK_EXT_STATS		33
#define PFK_EXT_MAX		33

#define PFK_REPLAY_ESN		0x1

#define PFK_MSG_MAX		65536	/* largest message we send or accept, bytes */
#define PFK_MAX_REQ		4	/* ipsecrequests per policy (an SA bundle) */
#define PFK_MAX_SUPPORTED	32	/* algorithms in one SUPPORTED extension */
#define PFK_MAX_COMB		32	/* combinations in one PROPOSAL extension */
#define PFK_MAX_STATS		32	/* counters in PFK_EXT_STATS */

/* Bit for extension type t in pfk_msg.present. */
#define PFK_BIT(t)		(UINT64_C(1) << (t))

struct pfk_sa {				/* SADB_EXT_SA */
	uint32_t	spi;		/* host order here; network order on the wire */
	uint8_t		replay;
	uint8_t		state;		/* SADB_SASTATE_* */
	uint8_t		auth;		/* SADB_AALG_* */
	uint8_t		encrypt;	/* SADB_EALG_* (or SADB_X_CALG_* for IPComp) */
	uint32_t	flags;
};

struct pfk_lifetime {			/* SADB_EXT_LIFETIME_* */
	uint32_t	allocations;
	uint64_t	bytes;
	uint64_t	addtime;	/* CURRENT: a time; HARD/SOFT: seconds */
	uint64_t	usetime;
};

struct pfk_address {			/* SADB_EXT_ADDRESS_* */
	uint8_t		proto;		/* upper-layer protocol, 255 = any */
	struct gw_addr	addr;		/* plen from sadb_address_prefixlen, port from sockaddr */
};

struct pfk_key {			/* SADB_EXT_KEY_* */
	uint16_t	bits;
	const uint8_t	*data;		/* borrowed; bits/8 rounded up bytes */
	size_t		len;
};

struct pfk_spirange {			/* SADB_EXT_SPIRANGE */
	uint32_t	min;
	uint32_t	max;
};

struct pfk_sa2 {			/* SADB_X_EXT_SA2 */
	uint8_t		mode;		/* IPSEC_MODE_* */
	uint32_t	sequence;
	uint32_t	reqid;
};

struct pfk_ipsecreq {			/* sadb_x_ipsecrequest */
	uint16_t	proto;		/* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	uint8_t		mode;		/* IPSEC_MODE_* */
	uint8_t		level;		/* IPSEC_LEVEL_* */
	uint32_t	reqid;		/* u32 on the wire: kernel ids pass 16 bits */
	bool		has_endpoints;	/* tunnel src-dst present */
	struct gw_addr	src;		/* with port (for NAT-T endpoints) */
	struct gw_addr	dst;
};

struct pfk_policy {			/* SADB_X_EXT_POLICY */
	uint16_t	type;		/* IPSEC_POLICY_* */
	uint8_t		dir;		/* IPSEC_DIR_* */
	uint32_t	id;		/* spid */
	uint32_t	priority;	/* Linux kernel value: 0x80000000 - user */
	size_t		nreq;
	struct pfk_ipsecreq req[PFK_MAX_REQ];
};

struct pfk_alg_sup {			/* one sadb_alg */
	uint8_t		id;
	uint8_t		ivlen;
	uint16_t	minbits;
	uint16_t	maxbits;
};

struct pfk_supported {			/* SADB_EXT_SUPPORTED_* */
	size_t		n;
	struct pfk_alg_sup alg[PFK_MAX_SUPPORTED];
};

struct pfk_comb {			/* one sadb_comb */
	uint8_t		auth;
	uint8_t		encrypt;
	uint16_t	flags;
	uint16_t	auth_minbits, auth_maxbits;
	uint16_t	encrypt_minbits, encrypt_maxbits;
	uint32_t	soft_allocations, hard_allocations;
	uint64_t	soft_bytes, hard_bytes;
	uint64_t	soft_addtime, hard_addtime;
	uint64_t	soft_usetime, hard_usetime;
};

struct pfk_proposal {			/* SADB_EXT_PROPOSAL */
	uint8_t		replay;
	size_t		n;
	struct pfk_comb	comb[PFK_MAX_COMB];
};

struct pfk_replay {			/* PFK_EXT_REPLAY */
	uint32_t	window;		/* packets */
	uint32_t	flags;		/* PFK_REPLAY_* */
};

struct pfk_stats {			/* PFK_EXT_STATS */
	size_t		n;
	uint64_t	v[PFK_MAX_STATS];
};

/*
 * A decoded message. Only the extensions whose bit is set in present are
 * meaningful. Header fields mirror sadb_msg.
 */
struct pfk_msg {
	uint8_t		type;		/* SADB_* message type */
	uint8_t		errnum;		/* sadb_msg_errno */
	uint8_t		satype;
	uint16_t	reserved;	/* KAME: refcnt in dumps */
	uint32_t	seq;
	uint32_t	pid;

	uint64_t	present;	/* PFK_BIT(ext type) for each extension */

	struct pfk_sa		sa;
	struct pfk_lifetime	lt_current, lt_hard, lt_soft;
	struct pfk_address	src, dst, proxy;
	struct pfk_key		key_auth, key_enc;
	struct pfk_supported	sup_auth, sup_enc;
	struct pfk_spirange	spirange;
	struct pfk_policy	policy;
	struct pfk_sa2		sa2;
	struct pfk_proposal	proposal;
	uint8_t			natt_type;	/* SADB_X_EXT_NAT_T_TYPE */
	uint16_t		natt_sport;	/* host order */
	uint16_t		natt_dport;
	struct gw_addr		natt_oa;	/* SADB_X_EXT_NAT_T_OA */
	struct pfk_replay	replay;
	struct pfk_stats	stats;
};

static inline bool
pfk_has(const struct pfk_msg *m, unsigned ext)
{
	return ext <= PFK_EXT_MAX && (m->present & PFK_BIT(ext)) != 0;
}

static inline void
pfk_set(struct pfk_msg *m, unsigned ext)
{
	m->present |= PFK_BIT(ext);
}

/*
 * Decodes and validates one message in a single pass: version 2, length
 * field equal to len, every extension header inside the message with a
 * length of at least one unit and the size its type requires, known types
 * only, no type twice, address families known and consistent with their
 * sockaddr length, prefix lengths within the family, key bits fitting the
 * extension. Unknown extension types and message types above SADB_MAX
 * other than PFK_X_STATUS are refused. Extension lengths are exact: after its content an extension
 * may hold only the padding to the next 8-byte boundary. When the SA
 * extension names an algorithm alg.h knows, the key lengths must suit it
 * (not for IPComp, whose encrypt field is a compression id). Keys hold 1
 * to GW_KEY_MAX bytes. SRC and DST addresses share a family, and so do the
 * two endpoints of a request, which only tunnel-mode requests of an ipsec
 * policy carry.
 *
 * Returns 0, or a negative errno suitable for sadb_msg_errno: -EMSGSIZE
 * when len is under 16 bytes, over PFK_MSG_MAX or not what the header
 * says (as Linux does); -EAFNOSUPPORT for a sockaddr family other than
 * AF_INET/AF_INET6; -EOPNOTSUPP for the refused extensions listed above
 * and IPv6 scope ids; -EINVAL for everything else. *out is fully written
 * (zeroed first) only on success; on failure it may hold partial data and
 * must be ignored.
 */
int pfk_decode(const uint8_t *buf, size_t len, struct pfk_msg *out);

/*
 * Encodes m (the header plus every extension whose bit is set, in
 * ascending type order) at w's cursor, with 8-byte alignment, zeroed
 * reserved fields and length fields filled in. Returns 0 or a negative
 * enum gw_err: GW_E_TOOLONG if w is too small or the message would exceed
 * PFK_MSG_MAX, GW_E_BADVAL for an unencodable field (a message type
 * pfk_type_ok refuses, a key longer than its buffer or of 0 bits, a
 * count above its PFK_MAX_*, a prefix too long for its family, endpoints
 * on a request that is not tunnel mode, requests in a non-ipsec policy),
 * GW_E_FAMILY for an unset address or endpoints of two families,
 * GW_E_UNSUPP for a refused extension, GW_E_UNKNOWN for an unknown one.
 * On failure w may hold a partial message (with key bytes: wipe it).
 */
int pfk_encode(const struct pfk_msg *m, struct wr *w);

/* True for the message types the codec knows: 1..SADB_MAX and PFK_X_STATUS. */
bool pfk_type_ok(uint8_t type);
/* Name of a message type ("ADD", "X_SPDADD", "X_STATUS"), or "UNKNOWN". */
const char *pfk_type_name(uint8_t type);
/* Name of an extension type ("SA", "ADDRESS_SRC"), or "UNKNOWN". */
const char *pfk_ext_name(unsigned ext);

#endif
