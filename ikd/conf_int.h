/*
 * conf_int.h: what the parts of the ikd.conf parser share; see conf.c.
 *
 * conf.c holds the tokens, the statement driver, the top-level statements
 * and the loading of the file; conf_block.c the listen, timer, remote and
 * proposal blocks; conf_esp.c the sainfo blocks and the algorithm lists.
 * Nothing outside these three files includes this header.
 */
#ifndef IKD_CONF_INT_H
#define IKD_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "lex.h"
#include "log.h"

struct alg;

#define NELEM(a)		(sizeof(a) / sizeof((a)[0]))
#define CONF_REMOTE_MAX		1024
#define CONF_SAINFO_MAX		1024
#define CONF_TIME_MIN		10		/* shortest SA lifetime, seconds */
#define CONF_TIME_MAX		(30 * 86400)
#define CONF_BYTES_MIN		1024

/* Where a statement may stand; bits of kw_home. */
enum cblock { B_TOP, B_LISTEN, B_TIMER, B_REMOTE, B_PROPOSAL, B_SAINFO, B_COUNT };

/* The keywords ikd understands. */
enum ckw {
	K_AUTH_ALG, K_AUTH_METHOD, K_COUNTER, K_DH_GROUP, K_DPD_DELAY, K_DPD_MAXFAIL,
	K_DPD_RETRY, K_ENC_ALG, K_ESN, K_EXCHANGE_MODE, K_HASH_ALG, K_INTERVAL, K_ISAKMP,
	K_ISAKMP_NATT, K_LIFETIME, K_LISTEN, K_LOG, K_MY_ID, K_NAT_TRAVERSAL,
	K_NATT_KEEPALIVE, K_PASSIVE, K_PATH, K_PEERS_ID, K_PFS_GROUP, K_PROPOSAL,
	K_REKEY_FUZZ, K_REKEY_MARGIN, K_REMOTE, K_SAINFO, K_TIMER,
	K_COUNT,
	K_LIFETIME_BYTE = K_COUNT,	/* a second slot in struct cseen */
	K_SEEN_MAX
};

#define HOME(b)		(1u << (b))

/*
 * racoon keywords with no IKEv2 meaning here, refused wherever they
 * appear with what to do instead. Their ids index kw_refusal.
 */
enum {
	R_ADMINSOCK = 100, R_CERT, R_BUNDLE, R_COMP, R_IKEV1, R_FRAG, R_POLICY, R_GSS,
	R_INCLUDE, R_INICONTACT, R_XAUTH, R_NONCE, R_PADDING, R_PERSEND, R_PFKEYBUF,
	R_PH1ID, R_PHASE, R_PRIVSEP, R_PROPCHECK, R_REKEY, R_SCRIPT, R_STRICT,
	R_PROXY, R_VERIFYID, R_NAMED,
};
#define R_BASE	R_ADMINSOCK

/* Where each statement of the current block was first seen (line 0: not yet). */
struct cseen {
	unsigned	line[K_SEEN_MAX];
	unsigned	col[K_SEEN_MAX];
};

struct cparser {
	struct lex		 lx;
	struct lex_diag		 diag;
	struct ikd_conf		*c;
	unsigned		 prev_line;	/* line of the token before the current one */
	struct cseen		 top;
};

#define conf_err_tok(p, ...)	conf_err((p), (p)->lx.tok.line, (p)->lx.tok.col, __VA_ARGS__)

/* One cipher of a list: the alg.h entry and the Key Length in bits (0: none). */
struct cenc {
	const struct alg	*a;
	uint16_t		 bits;
};

/*
 * A statement of a block, kw being one that belongs there and the current
 * token. Returns true when the statement was consumed, false when the
 * rest of it is to be skipped.
 */
typedef bool conf_stmt_fn(struct cparser *p, void *obj, struct cseen *seen, int kw);

/* ---------------------------------------------------------------- conf.c */

/* A message at line:col; counts one error of the file. */
void	conf_err(struct cparser *p, unsigned line, unsigned col, const char *fmt, ...)
	    GW_PRINTF(4, 5);
/* Moves to the next token. */
void	conf_next(struct cparser *p);
/* "expected <what>, got <token>" unless the lexer already reported the token. */
void	conf_expected(struct cparser *p, const char *what);
/* Consumes punctuation ch, or reports that what was expected. */
bool	conf_punct(struct cparser *p, int ch, const char *what);
/* The ';' ending statement kw; carries on past one forgotten at a line end. */
bool	conf_end(struct cparser *p, const char *kw);
/* A number within [min, max] into *out; a value outside is reported. */
bool	conf_number(struct cparser *p, const char *what, uint64_t min, uint64_t max,
	    uint64_t *out);
/* The multiplier of the current word as a time unit (sec, min, hour), or 0. */
uint64_t conf_time_unit(const struct cparser *p);
/* NUM UNIT (time, or bytes when bytes) within [min, max]; bare: no unit needed. */
bool	conf_quantity(struct cparser *p, const char *what, bool bytes, bool bare,
	    uint64_t min, uint64_t max, uint64_t *out);
/* A time within [min, max] seconds into *out. */
bool	conf_time(struct cparser *p, const char *what, bool bare, uint64_t min, uint64_t max,
	    uint32_t *out);
/* A keyword from the NULL-terminated words; its index into *out. */
bool	conf_choice(struct cparser *p, const char *what, const char *const *words,
	    unsigned *out);
/* on or off. */
bool	conf_bool(struct cparser *p, bool *out);
/* A numeric address; a->af is AF_UNSPEC when it was bad (and reported). */
bool	conf_address(struct cparser *p, const char *what, struct gw_addr *a);
/* "[" port "]" into a->port, the '[' being current; "any" (0) when allow_any. */
bool	conf_port(struct cparser *p, struct gw_addr *a, bool allow_any);
/* A quoted string of 1..max bytes without NUL into out (max + 1 bytes). */
bool	conf_string(struct cparser *p, const char *what, char *out, size_t max);
/* Records statement slot as seen at line:col; false (reported) for a repeat. */
bool	conf_once_at(struct cparser *p, struct cseen *s, unsigned slot, const char *name,
	    unsigned line, unsigned col);
/* conf_once_at for the keyword that is the current token. */
bool	conf_once(struct cparser *p, struct cseen *s, unsigned slot);
/* The statements of block b up to its '}'; line:col is where its '{' stands. */
void	conf_block_body(struct cparser *p, enum cblock b, conf_stmt_fn *fn, void *obj,
	    struct cseen *seen, unsigned line, unsigned col);
/* Appends a zeroed element to *arr (n elements of size sz); NULL without memory. */
void	*conf_grow(void **arr, size_t *n, size_t sz);
/* The spelling of keyword kw. */
const char *conf_kw_name(int kw);
/* What to do instead of refused racoon keyword id (an R_ value). */
const char *conf_refusal(int id);

/* ---------------------------------------------------------- conf_block.c */

/* "listen {" and "timer {" blocks into c; the keyword is current. */
bool	conf_block_listen(struct cparser *p, struct ikd_conf *c);
bool	conf_block_timer(struct cparser *p, struct ikd_conf *c);
/* remote ADDR|anonymous { ... } into c; the keyword is current. */
bool	conf_block_remote(struct cparser *p, struct ikd_conf *c);
/* The built-in settings and IKE proposals of a remote block. */
void	conf_block_remote_defaults(struct conf_remote *r);
/* Reports rekey margins of a remote that do not fit a sainfo lifetime. */
void	conf_block_check_margins(struct cparser *p, const struct ikd_conf *c);

/* ------------------------------------------------------------ conf_esp.c */

/* sainfo ID ID { ... } into c; the keyword is current. */
bool	conf_esp_sainfo(struct cparser *p, struct ikd_conf *c);
/* The built-in anonymous sainfo with its ESP proposals. */
void	conf_esp_sainfo_defaults(struct conf_sainfo *s);
/* NAME [BITS], a cipher ikd runs; false on a syntax error, *bad on a bad value. */
bool	conf_esp_enc(struct cparser *p, struct cenc *out, bool *bad);
/* A DH group by number or name, "none" (0) when allow_none. */
bool	conf_esp_group(struct cparser *p, const char *what, bool allow_none, uint16_t *out);
/* Appends a transform to pr; beyond PROP_XF_MAX it is dropped. */
void	conf_esp_prop_add(struct ike_prop *pr, uint8_t type, uint16_t id, uint16_t keylen);

#endif /* IKD_CONF_INT_H */
