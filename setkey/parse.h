/*
 * parse.h: the KAME setkey language (specs/kame.md section 2) parsed into
 * plain structs.
 *
 * setkey_parse() reads a whole script, reports every error it finds as
 * "file:line:col: message" and, only when there were none, hands back the
 * list of commands. Nothing here sends anything: cmd.c turns the list into
 * PF_KEY messages. Numeric addresses only; there is no name resolution.
 */
#ifndef SETKEY_PARSE_H
#define SETKEY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "alg.h"
#include "pfkey.h"
#include "secmem.h"

/*
 * KAME sadb_sa_flags bits (net/pfkeyv2.h of the BSDs), which the Linux
 * header lacks. CYCSEQ is set unless -f nocyclic-seq; the padding bits
 * are exclusive.
 */
#ifndef SADB_X_EXT_OLD
#define SADB_X_EXT_OLD		0x0001	/* RFC 1826/1827 formats */
#define SADB_X_EXT_IV4B		0x0010	/* 4-byte IV (des-32iv) */
#define SADB_X_EXT_DERIV	0x0020	/* derived IV (des-deriv) */
#define SADB_X_EXT_CYCSEQ	0x0040	/* sequence numbers may wrap */
#define SADB_X_EXT_RAWCPI	0x0080	/* IPComp: use the CPI as given */
#define SADB_X_EXT_PSEQ		0x0000	/* ESP padding: 1, 2, 3, ... */
#define SADB_X_EXT_PRAND	0x0100	/* ESP padding: random */
#define SADB_X_EXT_PZERO	0x0200	/* ESP padding: zeros */
#define SADB_X_EXT_PMASK	0x0300
#endif
#ifndef SADB_X_SATYPE_TCPSIGNATURE
#define SADB_X_SATYPE_TCPSIGNATURE	11	/* RFC 2385 TCP-MD5 (BSD number) */
#endif

/* KAME policy priorities as Linux kernel values (smaller = preferred). */
#define SK_PRIO_LOW		0xC0000000u
#define SK_PRIO_DEFAULT		0x80000000u
#define SK_PRIO_HIGH		0x40000000u

#define SK_NATT_PORT		4500	/* esp-udp port when none is written */

enum sk_op {
	SK_ADD,
	SK_GET,
	SK_DELETE,
	SK_DELETEALL,
	SK_FLUSH,
	SK_DUMP,
	SK_GETSPI,
	SK_UPDATE,
	SK_SPDADD,
	SK_SPDUPDATE,
	SK_SPDDELETE,
	SK_SPDFLUSH,
	SK_SPDDUMP,
};

/* The protocol keyword of an SA command (section 2.4). */
enum sk_proto {
	SK_P_ESP,
	SK_P_ESP_OLD,
	SK_P_AH,
	SK_P_AH_OLD,
	SK_P_IPCOMP,
	SK_P_TCP,
	SK_P_ESP_UDP,
};

/* Where an algorithm name was written, for later diagnostics. */
struct sk_alg {
	const struct alg	*alg;		/* NULL: none given */
	unsigned		 line;
	unsigned		 col;
};

/* add, get, delete, deleteall, getspi, update. */
struct setkey_sa {
	enum sk_proto	 proto;
	uint8_t		 satype;	/* SADB_SATYPE_* */
	uint32_t	 spi;		/* SPI, or CPI for ipcomp */
	struct gw_addr	 src;		/* full prefix; port only for esp-udp */
	struct gw_addr	 dst;
	uint8_t		 mode;		/* -m: IPSEC_MODE_*, default ANY */
	uint32_t	 reqid;		/* -u */
	bool		 has_replay;
	uint32_t	 replay;	/* -r: bytes of bitmap (window = 8 * replay) */
	uint32_t	 flags;		/* sadb_sa_flags (SADB_X_EXT_*) */
	uint64_t	 hard_time;	/* -lh, seconds; 0 = none */
	uint64_t	 soft_time;	/* -ls */
	uint64_t	 hard_bytes;	/* -bh */
	uint64_t	 soft_bytes;	/* -bs */
	struct sk_alg	 enc;		/* -E */
	struct sk_alg	 auth;		/* -A */
	struct sk_alg	 comp;		/* -C */
	struct gw_key	*enc_key;	/* owned, wiped on free; NULL = none */
	struct gw_key	*auth_key;
	bool		 has_oa;	/* esp-udp NAT original address */
	struct gw_addr	 oa;
};

/* spdadd, spdupdate, spddelete. */
struct setkey_spd {
	struct gw_addr		src;	/* prefix and port (or ICMP type, GRE key) */
	struct gw_addr		dst;
	uint8_t			ulproto;	/* 255 = any */
	bool			has_action;	/* false only for "spddelete ... -P dir" */
	struct pfk_policy	pol;
};

struct setkey_cmd {
	struct setkey_cmd	*next;
	enum sk_op		 op;
	unsigned		 line;	/* of the command keyword */
	unsigned		 col;
	union {
		struct setkey_sa	sa;
		struct setkey_spd	spd;
		uint8_t			satype;	/* flush, dump: SADB_SATYPE_UNSPEC = all */
	} u;
};

/* A parsed script: commands in file order. */
struct setkey_cmds {
	struct setkey_cmd	*head;
	struct setkey_cmd	**tail;
	size_t			 n;
	char			*file;	/* owned copy of the name used in messages */
};

/*
 * Parses text[0..len) named file (used in messages, e.g. "(stdin)").
 * Errors and warnings go to errout (NULL: none printed) as
 * "file:line:col: message". Returns the number of errors; when it is not
 * 0, out holds no commands. out must be released with setkey_cmds_free()
 * either way. Parsing stops at the first exit/quit/bye.
 */
unsigned setkey_parse(const char *file, const char *text, size_t len, FILE *errout,
    struct setkey_cmds *out);

/* Frees every command, wiping keys, and the file name. */
void setkey_cmds_free(struct setkey_cmds *cmds);

/* Keyword of an operation ("spdadd") and of an SA protocol ("esp-udp"). */
const char *setkey_op_name(enum sk_op op);
const char *setkey_proto_name(enum sk_proto p);

#endif
