/*
 * mock_pfkey.h: an in-process stand-in for tunneld's PF_KEY side, behind
 * struct run_io. It keeps a tiny SAD and SPD, answers like tunneld does
 * (dumps count seq down to 0, ENOENT when empty, EEXIST on duplicates),
 * and records what it was sent and how many requests were in flight. Its
 * SAD and SPD hold every field a DUMP shows, so that tests can check what
 * a restore put back.
 */
#ifndef MOCK_PFKEY_H
#define MOCK_PFKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "pfkey.h"
#include "run.h"
#include "secmem.h"

#define MOCK_MAX	4096	/* SAs, policies, logged requests, queued replies */

/* Everything tunneld keeps of an SA that DUMP shows (keys included). */
struct mock_sa {
	uint8_t			satype;
	uint32_t		spi;
	struct gw_addr		src, dst;
	bool			larval;
	uint8_t			auth, encrypt, replay, mode;
	uint32_t		flags, reqid;
	uint32_t		seq;		/* sadb_x_sa2_sequence: last sent */
	struct gw_key		enc_key, auth_key;
	bool			has_replay;
	struct pfk_replay	replay_ext;
	struct pfk_lifetime	hard, soft, cur;
	uint8_t			natt_type;
	uint16_t		natt_sport, natt_dport;
	struct gw_addr		natt_oa;
};

/* A policy; the selector is stored masked, as tunneld does. */
struct mock_sp {
	struct gw_addr		src, dst;
	uint8_t			proto, dir;
	uint16_t		type;		/* IPSEC_POLICY_* */
	uint32_t		priority, id;
	size_t			nreq;
	struct pfk_ipsecreq	req[PFK_MAX_REQ];
};

struct mock_req {
	uint8_t		type, satype;
	uint32_t	seq, pid, spi;
	size_t		queued;		/* replies not yet read when it was sent */
};

struct mock {
	struct mock_sa	 sa[MOCK_MAX];
	size_t		 nsa;
	struct mock_sp	 sp[MOCK_MAX];
	size_t		 nsp;
	struct mock_req	 log[MOCK_MAX];
	size_t		 nlog;
	uint8_t		*q[MOCK_MAX];	/* replies, each PFK_MSG_MAX bytes */
	size_t		 qlen[MOCK_MAX];
	size_t		 nq;
	bool		 lifo;		/* hand replies out newest first */
	bool		 noise;		/* add foreign and stale messages */
	bool		 silent;	/* never answer: recv times out */
	int		 close_after;	/* > 0: connection dies after this many sends */
	uint8_t		 fail_type;	/* refuse the fail_nth message of this type */
	size_t		 fail_nth;
	int		 fail_errno;
	size_t		 seen_of_type;
	bool		 dump_gap;	/* DUMP leaves out its second SA (seq still counts it) */
	size_t		 vanish_at;	/* > 0: sa[0] goes away when this request arrives */
	bool		 barrier_broken;	/* a non-pipelined request went out early */
	size_t		 max_inflight;
	uint32_t	 next_spi;
	uint32_t	 next_id;	/* policy ids */
	struct pfk_supported sup_enc, sup_auth;
	int		 register_errno;
};

/*
 * A fresh mock supporting aes-cbc, aes-gcm-16, null / hmac-sha1,
 * hmac-sha256, null, with the key lengths of lib/alg.c.
 */
struct mock *mock_new(void);
void mock_free(struct mock *mk);
/* The run_io that talks to mk. */
struct run_io mock_io(struct mock *mk);
/* Queues a raw message for the client (for -x and garbage tests). */
void mock_push_raw(struct mock *mk, const uint8_t *buf, size_t len);
/* Number of logged requests of a type. */
size_t mock_count(const struct mock *mk, uint8_t type);
/* The SA (satype, dst, spi) or policy (dir, selector as given), or NULL. */
struct mock_sa *mock_find_sa(struct mock *mk, uint8_t satype, const char *dst, uint32_t spi);
struct mock_sp *mock_find_sp(struct mock *mk, uint8_t dir, const char *src,
    const char *dst, uint8_t proto);

#endif
