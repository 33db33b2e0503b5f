/*
 * conf.h: ikd.conf, the keying daemon's configuration.
 *
 * The file reads like racoon.conf (specs/kame.md 5.4): statements end with
 * ';', blocks sit in braces, '#' and C comments, strings in double quotes,
 * times in sec/min/hour(s), byte counts in B/KB/MB/GB/TB, booleans on/off.
 * An empty or absent file gives the built-in defaults below, which serve
 * two gateways with a psk.txt and no editing. conf/ikd.conf is the
 * annotated grammar and states exactly these defaults.
 *
 *   path pre_shared_key "/etc/ikd/psk.txt";
 *   log error|warning|notify|info|debug;
 *   listen { isakmp ADDR [PORT]; isakmp_natt ADDR [PORT]; }
 *   timer { counter N; interval TIME; natt_keepalive TIME; }
 *   remote ADDR|anonymous {
 *       exchange_mode ikev2; passive on|off;
 *       my_identifier address [ADDR] | fqdn "name" | user_fqdn "user@name";
 *       peers_identifier (the same forms);
 *       lifetime time TIME;
 *       proposal { encryption_algorithm NAME [BITS]; hash_algorithm NAME;
 *                  dh_group GROUP; authentication_method pre_shared_key; }
 *       dpd_delay N; dpd_retry N; dpd_maxfail N; nat_traversal on|off|force;
 *       rekey_margin N % | TIME; rekey_fuzz N %;
 *   }
 *   sainfo anonymous | ID ID {     ID: anonymous | address|subnet PREFIX [PORT] PROTO
 *       pfs_group none|GROUP; lifetime time TIME; lifetime byte BYTES;
 *       encryption_algorithm NAME [BITS], ...; authentication_algorithm NAME, ...;
 *       esn on|off;
 *   }
 *
 * Blocks and statements left out take the defaults: a file without any
 * remote block gets "remote anonymous" with default settings, one without
 * sainfo gets "sainfo anonymous", a remote without proposal blocks gets
 * the default IKE proposals. Keywords of racoon that mean nothing in IKEv2
 * (exchange_mode main, padding, certificate_type, compression_algorithm,
 * ...) are refused one by one with what to do instead: nothing is parsed
 * and then ignored. Every error of a file is reported as
 * "file:line:col: message", and a file with any error yields no
 * configuration at all.
 */
#ifndef IKD_CONF_H
#define IKD_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "proposal.h"

#define CONF_FILE_NAME		"ikd.conf"
#define CONF_FILE_MAX		(1024 * 1024)	/* larger files are refused */

#define CONF_PORT_IKE		500
#define CONF_PORT_NATT		4500
#define CONF_LISTEN_MAX		16
#define CONF_PROP_MAX		8	/* proposal blocks in one remote */
#define CONF_ESP_PROP_MAX	2	/* an AEAD proposal and a cipher+MAC one */
#define CONF_ALG_MAX		8	/* algorithms in one sainfo list */
#define CONF_ID_MAX		255	/* bytes of an FQDN or user_fqdn identity */

/* The built-in defaults. */
#define CONF_DEF_LOG		CONF_LOG_INFO
#define CONF_DEF_COUNTER	5	/* tries of a request before giving up */
#define CONF_DEF_INTERVAL	1	/* seconds before the first retransmission */
#define CONF_DEF_NATT_KEEPALIVE	20	/* seconds (RFC 3948 4) */
#define CONF_DEF_IKE_LIFETIME	(8 * 3600)
#define CONF_DEF_CHILD_LIFETIME	3600
#define CONF_DEF_DPD_DELAY	30
#define CONF_DEF_DPD_RETRY	5
#define CONF_DEF_DPD_MAXFAIL	3
#define CONF_DEF_REKEY_MARGIN	10	/* percent of the hard lifetime */
#define CONF_DEF_REKEY_FUZZ	10	/* percent of the hard lifetime */

enum conf_log {
	CONF_LOG_ERROR,
	CONF_LOG_WARNING,
	CONF_LOG_NOTIFY,
	CONF_LOG_INFO,
	CONF_LOG_DEBUG,
};

enum conf_natt {
	CONF_NATT_OFF,		/* never float to port 4500 */
	CONF_NATT_ON,		/* float when NAT_DETECTION shows a NAT */
	CONF_NATT_FORCE,	/* always encapsulate in UDP */
};

enum conf_id_type {
	CONF_ID_NONE,		/* peers_identifier absent: any identity psk.txt knows */
	CONF_ID_ADDRESS,	/* addr, or the local IKE address when unset */
	CONF_ID_FQDN,
	CONF_ID_USER_FQDN,
};

struct conf_id {
	enum conf_id_type	type;
	struct gw_addr		addr;		/* ADDRESS: af AF_UNSPEC = the IKE address */
	size_t			len;		/* FQDN, USER_FQDN: bytes in data */
	char			data[CONF_ID_MAX + 1];
};

/*
 * When to rekey: the soft lifetime is the hard one minus the margin
 * (a percentage, or seconds when margin_sec is not 0), minus a random
 * part of up to fuzz_pct percent so that two peers do not rekey at once.
 */
struct conf_rekey {
	uint8_t		margin_pct;
	uint32_t	margin_sec;
	uint8_t		fuzz_pct;
};

struct conf_listen {
	struct gw_addr	addr;		/* with its port; "::" / "0.0.0.0" = any */
	bool		natt;		/* isakmp_natt */
};

struct conf_remote {
	unsigned		line, col;	/* of the block in the file; 0: built in */
	bool			anonymous;	/* matches every peer without its own block */
	struct gw_addr		addr;		/* the peer, when not anonymous */
	bool			passive;	/* never initiate, only answer */
	struct conf_id		my_id;
	struct conf_id		peer_id;
	uint32_t		lifetime;	/* IKE SA, seconds */
	struct conf_rekey	rekey;		/* IKE SA and its Child SAs */
	uint32_t		dpd_delay;	/* seconds of silence before a check; 0 = off */
	uint32_t		dpd_retry;	/* seconds between retries of a check */
	uint32_t		dpd_maxfail;	/* unanswered checks before the peer is dead */
	enum conf_natt		natt;
	size_t			nprops;
	/* IKE_SA_INIT proposals: proto IKE, spisize 0, num 1..nprops, IANA ids. */
	struct ike_prop		props[CONF_PROP_MAX];
};

/* One side of a sainfo: anonymous, or a prefix with port and protocol. */
struct conf_sel {
	bool		anonymous;
	struct gw_addr	net;		/* prefix, host bits zero; port 0 = any */
	uint8_t		proto;		/* 255 = any (IPSEC_ULPROTO_ANY) */
};

struct conf_sainfo {
	unsigned	line, col;	/* of the block in the file; 0: built in */
	struct conf_sel	local;
	struct conf_sel	remote;
	uint16_t	pfs_group;	/* KE transform id; 0 = no PFS */
	uint32_t	lifetime;	/* Child SA, seconds */
	uint64_t	lifetime_bytes;	/* 0 = no byte limit */
	bool		esn;		/* offer ESN (and accept its absence) */
	size_t		nprops;
	/*
	 * ESP proposals: proto ESP, spisize 4 (the SPI is the exchange's to
	 * fill), ENCR transforms with their Key Length, INTEG for the
	 * non-AEAD proposal, KE when pfs_group is set, ESN.
	 */
	struct ike_prop	props[CONF_ESP_PROP_MAX];
};

struct ikd_conf {
	char			 psk_path[PATH_MAX];
	enum conf_log		 log;
	size_t			 nlisten;	/* 0: every address, ports 500 and 4500 */
	struct conf_listen	 listen[CONF_LISTEN_MAX];
	uint32_t		 retry_counter;	/* tries of a request, first one included */
	uint32_t		 retry_interval; /* seconds before the first retry; doubles */
	uint32_t		 natt_keepalive; /* seconds; 0 = off */
	size_t			 nremote;
	struct conf_remote	*remote;	/* in file order */
	size_t			 nsainfo;
	struct conf_sainfo	*sainfo;
};

/*
 * The built-in configuration, as an empty file gives it. Returns a new
 * object the caller releases with conf_free(), or NULL without memory.
 */
struct ikd_conf *conf_default(void);
/*
 * Parses text[0..len) (need not be NUL-terminated) named name in
 * diagnostics, which go to diag as "name:line:col: message", or to the
 * log (log_warnx, one line each) when diag is NULL. Returns the number of
 * errors: 0 with *out set to a new object the caller frees with
 * conf_free(), or more with *out NULL.
 */
unsigned conf_parse(const char *text, size_t len, const char *name, FILE *diag,
    struct ikd_conf **out);
/*
 * Reads and parses path. The file must be a regular file owned by root
 * or the effective uid that neither group nor others can write (it holds
 * no key, so reading is allowed); the file type and owner rules are
 * psk.txt's (psk_check_secrecy, which logs its own lines). When the file
 * does not exist and optional is true, the defaults are used. Returns the
 * number of errors, as conf_parse.
 */
unsigned conf_load(const char *path, bool optional, FILE *diag, struct ikd_conf **out);
/* Releases c (NULL is fine). */
void conf_free(struct ikd_conf *c);

/* The remote block for peer (address match, else anonymous), or NULL. */
const struct conf_remote *conf_remote_find(const struct ikd_conf *c, const struct gw_addr *peer);
/*
 * The sainfo for traffic between local and remote (prefixes with ports,
 * proto): a block naming both sides exactly, else one naming one side
 * with the other anonymous (local first), else "sainfo anonymous"; NULL
 * if none fits.
 */
const struct conf_sainfo *conf_sainfo_find(const struct ikd_conf *c,
    const struct gw_addr *local, const struct gw_addr *remote, uint8_t proto);
/*
 * The soft limit for a hard lifetime hard (seconds when is_time, else
 * bytes) under r: hard - margin - rnd/2^32 * fuzz% of hard, at least 1.
 * A margin in seconds applies to time limits; byte limits then use
 * CONF_DEF_REKEY_MARGIN percent. hard 0 (no limit) gives 0.
 */
uint64_t conf_soft_lifetime(const struct conf_rekey *r, uint64_t hard, bool is_time,
    uint32_t rnd);
/* Keyword of a log level ("notify"). */
const char *conf_log_name(enum conf_log level);

#endif
