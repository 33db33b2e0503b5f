/*
 * conf.c: the ikd.conf parser; see conf.h.
 *
 * Recursive descent on lib/lex. A statement handler starts at its keyword
 * and returns true once it has consumed the statement up to its ';' (or a
 * block up to its '}'); it returns false after a syntax error, and the
 * caller then skips the rest of the statement quietly. A bad value (out
 * of range, an algorithm not supported) is reported where it stands and
 * parsing goes on, so that one run reports every error of a file. Any
 * error discards the whole result: a configuration is applied entirely or
 * not at all.
 */
#include <linux/ipsec.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_config.h"
#include "alg.h"
#include "conf.h"
#include "dh.h"
#include "ike_wire.h"
#include "lex.h"
#include "log.h"
#include "proto.h"
#include "psk.h"

#define NELEM(a)		(sizeof(a) / sizeof((a)[0]))
#define CONF_REMOTE_MAX		1024
#define CONF_SAINFO_MAX		1024
#define CONF_TIME_MIN		10		/* shortest SA lifetime, seconds */
#define CONF_TIME_MAX		(30 * 86400)
#define CONF_BYTES_MIN		1024

/* Where a statement may stand; bits of kw_home. */
enum cblock { B_TOP, B_LISTEN, B_TIMER, B_REMOTE, B_PROPOSAL, B_SAINFO, B_COUNT };

static const char *const block_name[B_COUNT] = {
	"at top level", "in a listen block", "in a timer block", "in a remote block",
	"in a proposal block", "in a sainfo block",
};

static const char *const block_home[B_COUNT] = {
	"at top level", "listen", "timer", "remote", "proposal", "sainfo",
};

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
static const uint8_t kw_home[K_COUNT] = {
	[K_AUTH_ALG] = HOME(B_SAINFO),		[K_AUTH_METHOD] = HOME(B_PROPOSAL),
	[K_COUNTER] = HOME(B_TIMER),		[K_DH_GROUP] = HOME(B_PROPOSAL),
	[K_DPD_DELAY] = HOME(B_REMOTE),		[K_DPD_MAXFAIL] = HOME(B_REMOTE),
	[K_DPD_RETRY] = HOME(B_REMOTE),		[K_ENC_ALG] = HOME(B_PROPOSAL) | HOME(B_SAINFO),
	[K_ESN] = HOME(B_SAINFO),		[K_EXCHANGE_MODE] = HOME(B_REMOTE),
	[K_HASH_ALG] = HOME(B_PROPOSAL),	[K_INTERVAL] = HOME(B_TIMER),
	[K_ISAKMP] = HOME(B_LISTEN),		[K_ISAKMP_NATT] = HOME(B_LISTEN),
	[K_LIFETIME] = HOME(B_REMOTE) | HOME(B_SAINFO),	[K_LISTEN] = HOME(B_TOP),
	[K_LOG] = HOME(B_TOP),			[K_MY_ID] = HOME(B_REMOTE),
	[K_NAT_TRAVERSAL] = HOME(B_REMOTE),	[K_NATT_KEEPALIVE] = HOME(B_TIMER),
	[K_PASSIVE] = HOME(B_REMOTE),		[K_PATH] = HOME(B_TOP),
	[K_PEERS_ID] = HOME(B_REMOTE),		[K_PFS_GROUP] = HOME(B_SAINFO),
	[K_PROPOSAL] = HOME(B_REMOTE),		[K_REKEY_FUZZ] = HOME(B_REMOTE),
	[K_REKEY_MARGIN] = HOME(B_REMOTE),	[K_REMOTE] = HOME(B_TOP),
	[K_SAINFO] = HOME(B_TOP),		[K_TIMER] = HOME(B_TOP),
};

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

static const char *const kw_refusal[] = {
	[R_ADMINSOCK - R_BASE] = "the admin socket is not supported; delete the line",
	[R_CERT - R_BASE] = "certificates are not supported: ikd authenticates peers with "
	    "pre-shared keys from psk.txt; delete the line",
	[R_BUNDLE - R_BASE] = "SA bundles are not supported; delete the line",
	[R_COMP - R_BASE] = "IPComp is not supported: ikd never negotiates compression; "
	    "delete the line",
	[R_IKEV1 - R_BASE] = "an IKEv1 (ISAKMP) setting with no meaning in IKEv2; "
	    "delete the line",
	[R_FRAG - R_BASE] = "IKE fragmentation is not supported; delete the line",
	[R_POLICY - R_BASE] = "ikd does not install policies: load them with setkey -f; "
	    "delete the line",
	[R_GSS - R_BASE] = "GSS-API authentication is not supported; delete the line",
	[R_INCLUDE - R_BASE] = "include is not supported; copy the statements into this file",
	[R_INICONTACT - R_BASE] = "INITIAL_CONTACT is not configurable; delete the line",
	[R_XAUTH - R_BASE] = "mode_cfg and XAuth are not supported; delete the line",
	[R_NONCE - R_BASE] = "the nonce size is not configurable (RFC 7296 2.10); "
	    "delete the line",
	[R_PADDING - R_BASE] = "IKEv1 padding rules have no meaning in IKEv2; "
	    "delete the block",
	[R_PERSEND - R_BASE] = "IKEv2 sends each message once per try (RFC 7296 2.1); "
	    "delete the line",
	[R_PFKEYBUF - R_BASE] = "not needed: tunneld's socket carries whole messages; "
	    "delete the line",
	[R_PH1ID - R_BASE] = "sainfo blocks are not bound to remote blocks; delete the line",
	[R_PHASE - R_BASE] = "an exchange gives up after 'counter' tries with the "
	    "'interval' doubling; delete the line",
	[R_PRIVSEP - R_BASE] = "ikd drops its privileges by itself; delete the block",
	[R_PROPCHECK - R_BASE] = "IKEv2 does not negotiate lifetimes: each peer rekeys on "
	    "its own (RFC 7296 2.8); delete the line",
	[R_REKEY - R_BASE] = "ikd always rekeys before a lifetime ends (see rekey_margin); "
	    "delete the line",
	[R_SCRIPT - R_BASE] = "hook scripts are not supported; delete the line",
	[R_STRICT - R_BASE] = "not supported; delete the line",
	[R_PROXY - R_BASE] = "an IKEv1 setting: traffic selectors come from the policies; "
	    "delete the line",
	[R_VERIFYID - R_BASE] = "ikd checks peers_identifier whenever one is given; "
	    "delete the line",
	[R_NAMED - R_BASE] = "named remote blocks are not supported; write "
	    "remote ADDRESS { ... } or remote anonymous { ... }",
};

/* Every keyword, sorted by strcmp for lex_kw. */
static const struct lex_kw kw_tab[] = {
	{ "adminsock", R_ADMINSOCK },
	{ "authentication_algorithm", K_AUTH_ALG },
	{ "authentication_method", K_AUTH_METHOD },
	{ "ca_type", R_CERT },
	{ "certificate_type", R_CERT },
	{ "complex_bundle", R_BUNDLE },
	{ "compression_algorithm", R_COMP },
	{ "counter", K_COUNTER },
	{ "dh_group", K_DH_GROUP },
	{ "doi", R_IKEV1 },
	{ "dpd_delay", K_DPD_DELAY },
	{ "dpd_maxfail", K_DPD_MAXFAIL },
	{ "dpd_retry", K_DPD_RETRY },
	{ "encryption_algorithm", K_ENC_ALG },
	{ "esn", K_ESN },
	{ "esp_frag", R_FRAG },
	{ "exchange_mode", K_EXCHANGE_MODE },
	{ "generate_policy", R_POLICY },
	{ "gss_id_enc", R_GSS },
	{ "hash_algorithm", K_HASH_ALG },
	{ "ike_frag", R_FRAG },
	{ "include", R_INCLUDE },
	{ "initial_contact", R_INICONTACT },
	{ "interval", K_INTERVAL },
	{ "isakmp", K_ISAKMP },
	{ "isakmp_natt", K_ISAKMP_NATT },
	{ "ldapcfg", R_XAUTH },
	{ "lifetime", K_LIFETIME },
	{ "listen", K_LISTEN },
	{ "log", K_LOG },
	{ "match_empty_cr", R_CERT },
	{ "mode_cfg", R_XAUTH },
	{ "my_identifier", K_MY_ID },
	{ "nat_traversal", K_NAT_TRAVERSAL },
	{ "natt_keepalive", K_NATT_KEEPALIVE },
	{ "nonce_size", R_NONCE },
	{ "padding", R_PADDING },
	{ "passive", K_PASSIVE },
	{ "path", K_PATH },
	{ "peers_certfile", R_CERT },
	{ "peers_identifier", K_PEERS_ID },
	{ "persend", R_PERSEND },
	{ "pfkey_buffer", R_PFKEYBUF },
	{ "pfs_group", K_PFS_GROUP },
	{ "ph1id", R_PH1ID },
	{ "phase1", R_PHASE },
	{ "phase2", R_PHASE },
	{ "privsep", R_PRIVSEP },
	{ "proposal", K_PROPOSAL },
	{ "proposal_check", R_PROPCHECK },
	{ "radiuscfg", R_XAUTH },
	{ "rekey", R_REKEY },
	{ "rekey_fuzz", K_REKEY_FUZZ },
	{ "rekey_margin", K_REKEY_MARGIN },
	{ "remote", K_REMOTE },
	{ "remote_address", R_NAMED },
	{ "remoteid", R_PH1ID },
	{ "sainfo", K_SAINFO },
	{ "script", R_SCRIPT },
	{ "send_cert", R_CERT },
	{ "send_cr", R_CERT },
	{ "situation", R_IKEV1 },
	{ "strict_address", R_STRICT },
	{ "support_proxy", R_PROXY },
	{ "timer", K_TIMER },
	{ "verify_cert", R_CERT },
	{ "verify_identifier", R_VERIFYID },
	{ "weak_phase1_check", R_IKEV1 },
	{ "xauth_login", R_XAUTH },
};

/* The spelling of keyword kw. */
static const char *
kw_name(int kw)
{
	size_t i;

	for (i = 0; i < NELEM(kw_tab); i++)
		if (kw_tab[i].id == kw)
			return kw_tab[i].name;
	return "?";
}

/*
 * Words: names with '_' and '-', addresses with '.' and ':'. '%' stands
 * alone for percentages, '/' for prefix lengths.
 */
static const struct lex_class conf_class = {
	.word = "-_.:",
	.punct = "{};,/[]%",
};

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

/* ---------------------------------------------------------------- tokens */

static void GW_PRINTF(4, 5)
c_err(struct cparser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lex_error(&p->diag, line, col, "%s", msg);
}

#define c_err_tok(p, ...)	c_err((p), (p)->lx.tok.line, (p)->lx.tok.col, __VA_ARGS__)

static void
c_next(struct cparser *p)
{
	p->prev_line = p->lx.tok.line;
	lex_next(&p->lx);
}

/* "expected <what>, got <token>"; the lexer already spoke for a bad token. */
static void
c_expected(struct cparser *p, const char *what)
{
	char d[64];

	if (p->lx.tok.type != LEX_ERR)
		c_err_tok(p, "expected %s, got %s", what, lex_describe(&p->lx.tok, d, sizeof(d)));
}

static bool
c_punct(struct cparser *p, int ch, const char *what)
{
	if (!lex_is(&p->lx, ch)) {
		c_expected(p, what);
		return false;
	}
	c_next(p);
	return true;
}

/*
 * The ';' ending the statement kw. When it is missing and the next token
 * starts a new line, the ';' was forgotten at the end of the line: report
 * it and carry on from there, so that the next statement is still parsed.
 */
static bool
c_end(struct cparser *p, const char *kw)
{
	char what[80];

	if (lex_is(&p->lx, ';')) {
		c_next(p);
		return true;
	}
	snprintf(what, sizeof(what), "';' after %s", kw);
	c_expected(p, what);
	return p->lx.tok.type != LEX_ERR && p->lx.tok.line > p->prev_line;
}

/*
 * Skips the rest of a statement without reporting: up to and including
 * the next ';' of this level, or a whole block; stops before a '}' that
 * closes the enclosing block.
 */
static void
c_skip(struct cparser *p)
{
	struct lex_diag quiet = { .out = NULL, .file = p->diag.file };
	unsigned depth = 0;

	p->lx.diag = &quiet;
	while (p->lx.tok.type != LEX_EOF) {
		if (lex_is(&p->lx, ';') && depth == 0) {
			c_next(p);
			break;
		}
		if (lex_is(&p->lx, '{'))
			depth++;
		else if (lex_is(&p->lx, '}')) {
			if (depth == 0)
				break;
			if (--depth == 0) {
				c_next(p);
				if (lex_is(&p->lx, ';'))
					c_next(p);
				break;
			}
		}
		c_next(p);
	}
	p->lx.diag = &p->diag;
}

/* A decimal or 0x number within [min, max]; a value outside is reported. */
static bool
c_number(struct cparser *p, const char *what, uint64_t min, uint64_t max, uint64_t *out)
{
	const struct lex_tok *t = &p->lx.tok;
	char exp[96];

	if (t->type != LEX_NUM && t->type != LEX_HEX) {
		snprintf(exp, sizeof(exp), "a number for %s", what);
		c_expected(p, exp);
		return false;
	}
	if (t->ovf || t->num < min || t->num > max)
		c_err_tok(p, "%s %s%s out of range (%llu to %llu)", what,
		    t->type == LEX_HEX ? "0x" : "", t->text, (unsigned long long)min,
		    (unsigned long long)max);
	else
		*out = t->num;
	c_next(p);
	return true;
}

/* A unit word and what it multiplies by. */
struct cunit {
	const char	*name;
	uint64_t	 mult;
};

static const struct cunit time_units[] = {
	{ "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
	{ "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
	{ "hour", 3600 }, { "hours", 3600 },
};

static const struct cunit byte_units[] = {
	{ "B", 1 }, { "byte", 1 }, { "bytes", 1 }, { "KB", 1ull << 10 },
	{ "MB", 1ull << 20 }, { "GB", 1ull << 30 }, { "TB", 1ull << 40 },
};

/* The multiplier of the current word in tab, or 0 if it is none of them. */
static uint64_t
c_unit(const struct cparser *p, const struct cunit *tab, size_t n)
{
	size_t i;

	for (i = 0; p->lx.tok.type == LEX_WORD && i < n; i++)
		if (strcmp(p->lx.tok.text, tab[i].name) == 0)
			return tab[i].mult;
	return 0;
}

/*
 * NUM UNIT within [min, max] after conversion. Without a unit word the
 * number counts seconds (bytes) when bare is true, else it is an error.
 */
static bool
c_quantity(struct cparser *p, const char *what, bool bytes, bool bare, uint64_t min,
    uint64_t max, uint64_t *out)
{
	const struct lex_tok *t = &p->lx.tok;
	unsigned line = t->line, col = t->col;
	uint64_t v, mult;
	bool ovf;

	if (t->type != LEX_NUM && t->type != LEX_HEX) {
		c_expected(p, bytes ? "a byte count" : "a time");
		return false;
	}
	v = t->num;
	ovf = t->ovf;
	c_next(p);
	mult = bytes ? c_unit(p, byte_units, NELEM(byte_units)) :
	    c_unit(p, time_units, NELEM(time_units));
	if (mult != 0)
		c_next(p);
	else if (!bare) {
		c_expected(p, bytes ? "a unit (B, KB, MB, GB or TB)" :
		    "a unit (sec, min or hour)");
		return false;
	} else
		mult = 1;
	if (ovf || v > max / mult || v * mult < min || v * mult > max)
		c_err(p, line, col, "%s out of range (%llu to %llu %s)", what,
		    (unsigned long long)min, (unsigned long long)max, bytes ? "bytes" : "seconds");
	else
		*out = v * mult;
	return true;
}

static bool
c_time(struct cparser *p, const char *what, bool bare, uint64_t min, uint64_t max,
    uint32_t *out)
{
	uint64_t v = *out;

	if (!c_quantity(p, what, false, bare, min, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A keyword from words[] (NULL-terminated); its index in *out. */
static bool
c_choice(struct cparser *p, const char *what, const char *const *words, unsigned *out)
{
	unsigned i;

	for (i = 0; p->lx.tok.type == LEX_WORD && words[i] != NULL; i++)
		if (strcmp(p->lx.tok.text, words[i]) == 0) {
			*out = i;
			c_next(p);
			return true;
		}
	c_expected(p, what);
	return false;
}

static const char *const onoff[] = { "off", "on", NULL };

static bool
c_bool(struct cparser *p, bool *out)
{
	unsigned v;

	if (!c_choice(p, "on or off", onoff, &v))
		return false;
	*out = v == 1;
	return true;
}

/* Says why the current word is not a numeric address. */
static void
c_address_why(struct cparser *p, const char *what, const char *s)
{
	if (strchr(s, ':') == NULL && strspn(s, "0123456789.") != strlen(s))
		c_err_tok(p, "%s '%s' is not a numeric address (host names are not resolved)",
		    what, s);
	else
		c_err_tok(p, "invalid %s '%s'", what, s);
}

/* A numeric address (full prefix length, port 0); af unset when bad. */
static bool
c_address(struct cparser *p, const char *what, struct gw_addr *a)
{
	const struct lex_tok *t = &p->lx.tok;

	if (t->type != LEX_WORD && t->type != LEX_NUM) {
		c_expected(p, what);
		return false;
	}
	memset(a, 0, sizeof(*a));
	if (addr_parse(t->text, a) != 0)
		c_address_why(p, what, t->text);
	c_next(p);
	if (lex_is(&p->lx, '%')) {	/* fe80::1%eth0 */
		c_err_tok(p, "%s: scoped IPv6 addresses are not supported", what);
		memset(a, 0, sizeof(*a));
		c_next(p);
		if (p->lx.tok.type == LEX_WORD || p->lx.tok.type == LEX_NUM)
			c_next(p);
	}
	return true;
}

/* "[" port "]" into a->port; the '[' is current. any = 0 when allow_any. */
static bool
c_port(struct cparser *p, struct gw_addr *a, bool allow_any)
{
	uint64_t v = 0;

	c_next(p);
	if (allow_any && lex_is_word(&p->lx, "any"))
		c_next(p);
	else if (!c_number(p, "the port", allow_any ? 0 : 1, 65535, &v))
		return false;
	a->port = (uint16_t)v;
	return c_punct(p, ']', "']' after the port");
}

/* A quoted string of 1..max bytes without NUL into out (max + 1 bytes). */
static bool
c_string(struct cparser *p, const char *what, char *out, size_t max)
{
	const struct lex_tok *t = &p->lx.tok;
	char exp[96];

	if (t->type != LEX_STR) {
		snprintf(exp, sizeof(exp), "a quoted %s", what);
		c_expected(p, exp);
		return false;
	}
	if (t->len == 0 || t->len > max || strlen(t->text) != t->len)
		c_err_tok(p, "%s must be 1 to %zu characters without NUL bytes", what, max);
	else
		memcpy(out, t->text, t->len + 1);
	c_next(p);
	return true;
}

/*
 * Records statement slot of a block at line:col; a second one is an
 * error. Returns false for a repeat.
 */
static bool
c_once_at(struct cparser *p, struct cseen *s, unsigned slot, const char *name, unsigned line,
    unsigned col)
{
	if (s->line[slot] != 0) {
		c_err(p, line, col, "%s given twice (first at line %u)", name, s->line[slot]);
		return false;
	}
	s->line[slot] = line;
	s->col[slot] = col;
	return true;
}

/* The same for the keyword that is the current token. */
static bool
c_once(struct cparser *p, struct cseen *s, unsigned slot)
{
	return c_once_at(p, s, slot, p->lx.tok.text, p->lx.tok.line, p->lx.tok.col);
}

/* ------------------------------------------------------------ algorithms */

/* ikd.conf spellings of ciphers, as alg.h names them (IKE and ESP alike). */
static const struct {
	const char	*name;
	const char	*alg;
} enc_names[] = {
	{ "aes", "aes-cbc" },
	{ "aes_gcm_16", "aes-gcm-16" },
	{ "chacha20_poly1305", "chacha20-poly1305" },
	{ "rijndael", "aes-cbc" },
};

static const struct {
	const char	*name;
	const char	*alg;
} auth_names[] = {
	{ "hmac_sha1", "hmac-sha1" },
	{ "hmac_sha256", "hmac-sha256" },
	{ "hmac_sha2_256", "hmac-sha256" },
	{ "hmac_sha2_384", "hmac-sha384" },
	{ "hmac_sha2_512", "hmac-sha512" },
	{ "hmac_sha384", "hmac-sha384" },
	{ "hmac_sha512", "hmac-sha512" },
};

/* hash_algorithm: the PRF and, for a non-AEAD cipher, the integrity id. */
static const struct {
	const char	*name;
	uint16_t	 prf;
	uint16_t	 integ;
} hash_names[] = {
	{ "sha1", IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96 },
	{ "sha256", IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "sha384", IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192 },
	{ "sha512", IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256 },
};

static const uint16_t dh_groups[] = {
	DH_MODP2048, DH_MODP3072, DH_MODP4096, DH_ECP256, DH_ECP384, DH_CURVE25519,
};

/* One cipher of a list: the alg.h entry and the Key Length in bits (0: none). */
struct cenc {
	const struct alg	*a;
	uint16_t		 bits;
};

/*
 * NAME [BITS]: a cipher the data path runs with an IKEv2 id. AES takes
 * 128, 192 or 256 bits (128 when left out, as in racoon); fixed-key
 * ciphers take none. Returns false on a syntax error; *bad on a bad value.
 */
static bool
c_enc(struct cparser *p, struct cenc *out, bool *bad)
{
	const struct lex_tok *t = &p->lx.tok;
	unsigned line = t->line, col = t->col;
	const struct alg *a = NULL;
	uint64_t bits = 0;
	size_t i;

	if (t->type != LEX_WORD) {
		c_expected(p, "an encryption algorithm");
		return false;
	}
	for (i = 0; i < NELEM(enc_names) && a == NULL; i++)
		if (strcmp(t->text, enc_names[i].name) == 0)
			a = alg_by_name(ALG_ENC, enc_names[i].alg);
	if (a == NULL || !a->datapath || a->ikev2_id == 0) {
		c_err_tok(p, "encryption algorithm '%s' is not supported; use aes_gcm_16, "
		    "chacha20_poly1305 or aes (128, 192 or 256 bits)", t->text);
		*bad = true;
	}
	c_next(p);
	if (p->lx.tok.type == LEX_NUM && !c_number(p, "the key length", 0, 65535, &bits))
		return false;
	if (*bad)
		return true;
	if (a->key_min == a->key_max) {
		if (bits != 0)
			c_err(p, line, col, "%s takes no key length", a->name);
		*bad = bits != 0;
	} else {
		if (bits == 0)
			bits = 128;
		if ((bits != 128 && bits != 192 && bits != 256) ||
		    !alg_key_ok(a, bits + a->salt * 8u)) {
			c_err(p, line, col, "%s takes 128, 192 or 256 bits, not %llu", a->name,
			    (unsigned long long)bits);
			*bad = true;
		}
	}
	out->a = a;
	out->bits = (uint16_t)bits;
	return true;
}

/* A DH group by IANA number or name; "none" (0) when allow_none. */
static bool
c_group(struct cparser *p, const char *what, bool allow_none, uint16_t *out)
{
	const struct lex_tok *t = &p->lx.tok;
	size_t i;

	if (t->type != LEX_WORD && t->type != LEX_NUM) {
		c_expected(p, what);
		return false;
	}
	if (allow_none && lex_is_word(&p->lx, "none")) {
		*out = 0;
		c_next(p);
		return true;
	}
	for (i = 0; i < NELEM(dh_groups); i++)
		if ((t->type == LEX_NUM && !t->ovf && t->num == dh_groups[i]) ||
		    (t->type == LEX_WORD && strcmp(t->text, dh_group_name(dh_groups[i])) == 0)) {
			*out = dh_groups[i];
			c_next(p);
			return true;
		}
	c_err_tok(p, "%s '%s' is not supported; use curve25519 (31), ecp256 (19), ecp384 (20), "
	    "modp2048 (14), modp3072 (15) or modp4096 (16)%s", what, t->text,
	    allow_none ? " or none" : "");
	c_next(p);
	return true;
}

static void
prop_add(struct ike_prop *pr, uint8_t type, uint16_t id, uint16_t keylen)
{
	if (pr->ntrans < PROP_XF_MAX)
		pr->xf[pr->ntrans++] = (struct ike_xform){ .type = type, .id = id,
		    .keylen = keylen };
}

/* ------------------------------------------------------------- defaults */

/* The default IKE proposals: modern first, then wider interoperability. */
static void
remote_default_props(struct conf_remote *r)
{
	static const struct { uint16_t encr, bits, prf, integ, ke; } def[] = {
		{ IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, DH_CURVE25519 },
		{ IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
		  DH_ECP256 },
		{ IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
		  DH_MODP2048 },
	};
	struct ike_prop *pr;
	size_t i;

	r->nprops = NELEM(def);
	for (i = 0; i < NELEM(def); i++) {
		pr = &r->props[i];
		memset(pr, 0, sizeof(*pr));
		pr->num = (uint8_t)(i + 1);
		pr->proto = PROP_PROTO_IKE;
		prop_add(pr, PROP_T_ENCR, def[i].encr, def[i].bits);
		prop_add(pr, PROP_T_PRF, def[i].prf, 0);
		if (def[i].integ != 0)
			prop_add(pr, PROP_T_INTEG, def[i].integ, 0);
		prop_add(pr, PROP_T_KE, def[i].ke, 0);
	}
}

static void
remote_defaults(struct conf_remote *r)
{
	r->my_id.type = CONF_ID_ADDRESS;
	r->lifetime = CONF_DEF_IKE_LIFETIME;
	r->rekey.margin_pct = CONF_DEF_REKEY_MARGIN;
	r->rekey.fuzz_pct = CONF_DEF_REKEY_FUZZ;
	r->dpd_delay = CONF_DEF_DPD_DELAY;
	r->dpd_retry = CONF_DEF_DPD_RETRY;
	r->dpd_maxfail = CONF_DEF_DPD_MAXFAIL;
	r->natt = CONF_NATT_ON;
	remote_default_props(r);
}

/* The sainfo lists as parsed; esp_build turns them into proposals. */
struct esp_lists {
	size_t		 nenc;
	struct cenc	 enc[CONF_ALG_MAX];
	size_t		 nauth;
	const struct alg *auth[CONF_ALG_MAX];
	bool		 non_auth;
};

static void
esp_default_lists(struct esp_lists *l)
{
	memset(l, 0, sizeof(*l));
	l->enc[l->nenc++] = (struct cenc){ alg_by_name(ALG_ENC, "aes-gcm-16"), 256 };
	l->enc[l->nenc++] = (struct cenc){ alg_by_name(ALG_ENC, "chacha20-poly1305"), 0 };
	l->enc[l->nenc++] = (struct cenc){ alg_by_name(ALG_ENC, "aes-cbc"), 256 };
	l->auth[l->nauth++] = alg_by_name(ALG_AUTH, "hmac-sha256");
}

/*
 * ESP proposals from the lists: the AEAD ciphers in one proposal, the
 * others with every integrity algorithm in another (RFC 7296 3.3: a
 * proposal cannot mix the two kinds), the kind listed first first.
 */
static void
esp_build(struct conf_sainfo *s, const struct esp_lists *l)
{
	bool aead_first = l->nenc > 0 && l->enc[0].a->aead;
	struct ike_prop *pr;
	size_t k, i;
	int pass;

	s->nprops = 0;
	for (pass = 0; pass < 2; pass++) {
		bool aead = (pass == 0) == aead_first;

		pr = &s->props[s->nprops];
		memset(pr, 0, sizeof(*pr));
		for (i = 0; i < l->nenc; i++)
			if (l->enc[i].a->aead == aead)
				prop_add(pr, PROP_T_ENCR, l->enc[i].a->ikev2_id, l->enc[i].bits);
		if (pr->ntrans == 0)
			continue;
		for (k = 0; !aead && k < l->nauth; k++)
			prop_add(pr, PROP_T_INTEG, l->auth[k]->ikev2_id, 0);
		if (s->pfs_group != 0)
			prop_add(pr, PROP_T_KE, s->pfs_group, 0);
		if (s->esn)
			prop_add(pr, PROP_T_ESN, PROP_ESN_YES, 0);
		prop_add(pr, PROP_T_ESN, PROP_ESN_NO, 0);
		pr->num = (uint8_t)(s->nprops + 1);
		pr->proto = PROP_PROTO_ESP;
		pr->spisize = 4;
		s->nprops++;
	}
}

static void
sainfo_defaults(struct conf_sainfo *s)
{
	struct esp_lists l;

	s->local.anonymous = true;
	s->local.proto = IPSEC_ULPROTO_ANY;
	s->remote.anonymous = true;
	s->remote.proto = IPSEC_ULPROTO_ANY;
	s->lifetime = CONF_DEF_CHILD_LIFETIME;
	esp_default_lists(&l);
	esp_build(s, &l);
}

static void
conf_init(struct ikd_conf *c)
{
	snprintf(c->psk_path, sizeof(c->psk_path), "%s/ikd/psk.txt", GW_SYSCONFDIR);
	c->log = CONF_DEF_LOG;
	c->retry_counter = CONF_DEF_COUNTER;
	c->retry_interval = CONF_DEF_INTERVAL;
	c->natt_keepalive = CONF_DEF_NATT_KEEPALIVE;
}

/* Appends a zeroed element to *arr (n elements of size sz); NULL without memory. */
static void *
c_grow(void **arr, size_t *n, size_t sz)
{
	uint8_t *a;

	if ((a = realloc(*arr, (*n + 1) * sz)) == NULL)
		return NULL;
	*arr = a;
	memset(a + *n * sz, 0, sz);
	return a + (*n)++ * sz;
}

/* Adds the built-in remote and sainfo where the file has none. 0 or -1. */
static int
conf_fill_defaults(struct ikd_conf *c)
{
	struct conf_remote *r;
	struct conf_sainfo *s;

	if (c->nremote == 0) {
		if ((r = c_grow((void **)&c->remote, &c->nremote, sizeof(*r))) == NULL)
			return -1;
		r->anonymous = true;
		remote_defaults(r);
	}
	if (c->nsainfo == 0) {
		if ((s = c_grow((void **)&c->sainfo, &c->nsainfo, sizeof(*s))) == NULL)
			return -1;
		sainfo_defaults(s);
	}
	return 0;
}

struct ikd_conf *
conf_default(void)
{
	struct ikd_conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	conf_init(c);
	if (conf_fill_defaults(c) == -1) {
		conf_free(c);
		return NULL;
	}
	return c;
}

void
conf_free(struct ikd_conf *c)
{
	if (c == NULL)
		return;
	free(c->remote);
	free(c->sainfo);
	free(c);
}

/* ------------------------------------------------------------ statements */

/*
 * A statement of a block, kw being one that belongs there and the current
 * token. Returns true when the statement was consumed, false when the
 * rest of it is to be skipped.
 */
typedef bool c_stmt_fn(struct cparser *p, void *obj, struct cseen *seen, int kw);

static void c_block_body(struct cparser *p, enum cblock b, c_stmt_fn *fn, void *obj,
    struct cseen *seen, unsigned line, unsigned col);

/* path pre_shared_key "file"; */
static bool
st_path(struct cparser *p, struct ikd_conf *c, struct cseen *seen)
{
	static const char *const other[] = { "backupsa", "certificate", "include", "logfile",
	    "pidfile", "script", NULL };
	char path[PATH_MAX] = "";
	unsigned kind, line, col;

	line = p->lx.tok.line;
	col = p->lx.tok.col;
	c_next(p);
	if (lex_is_word(&p->lx, "pre_shared_key")) {
		if (!c_once_at(p, seen, K_PATH, "path pre_shared_key", line, col))
			return false;
		c_next(p);
		line = p->lx.tok.line;
		col = p->lx.tok.col;
		if (!c_string(p, "file name", path, sizeof(path) - 1))
			return false;
		if (path[0] != '\0' && path[0] != '/')
			c_err(p, line, col, "path pre_shared_key must be absolute, not '%s'", path);
		else if (path[0] != '\0')
			memcpy(c->psk_path, path, sizeof(path));
		return c_end(p, "the path");
	}
	if (p->lx.tok.type == LEX_WORD) {
		for (kind = 0; other[kind] != NULL; kind++)
			if (strcmp(p->lx.tok.text, other[kind]) == 0)
				break;
		c_err_tok(p, "path %s: %s", p->lx.tok.text, other[kind] == NULL ?
		    "unknown path kind (ikd knows pre_shared_key)" :
		    "not used by ikd; delete the line");
		return false;
	}
	c_expected(p, "pre_shared_key");
	return false;
}

static const char *const log_names[] = { "error", "warning", "notify", "info", "debug", NULL };

const char *
conf_log_name(enum conf_log level)
{
	return (unsigned)level < NELEM(log_names) - 1 ? log_names[level] : "?";
}

static bool
st_log(struct cparser *p, struct ikd_conf *c)
{
	unsigned v;

	c_next(p);
	if (!c_choice(p, "a log level (error, warning, notify, info or debug)", log_names, &v))
		return false;
	c->log = (enum conf_log)v;
	return c_end(p, "the log level");
}

/* isakmp ADDR [PORT]; and isakmp_natt ADDR [PORT]; */
static bool
st_listen_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct ikd_conf *c = obj;
	struct conf_listen l = { .natt = kw == K_ISAKMP_NATT };
	unsigned line = p->lx.tok.line, col = p->lx.tok.col;
	char buf[GW_ADDR_STRLEN];
	size_t i;

	(void)seen;
	c_next(p);
	if (!c_address(p, "listen address", &l.addr))
		return false;
	l.addr.port = l.natt ? CONF_PORT_NATT : CONF_PORT_IKE;
	if (lex_is(&p->lx, '[') && !c_port(p, &l.addr, false))
		return false;
	for (i = 0; i < c->nlisten; i++)
		if (c->listen[i].natt == l.natt && addr_cmp(&c->listen[i].addr, &l.addr) == 0)
			break;
	if (l.addr.af == AF_UNSPEC)
		;	/* already reported */
	else if (i < c->nlisten)
		c_err(p, line, col, "%s %s [%u] listed twice", l.natt ? "isakmp_natt" : "isakmp",
		    addr_ntop(&l.addr, buf, sizeof(buf)), l.addr.port);
	else if (c->nlisten >= CONF_LISTEN_MAX)
		c_err(p, line, col, "more than %d listen addresses", CONF_LISTEN_MAX);
	else
		c->listen[c->nlisten++] = l;
	return c_end(p, "the listen address");
}

static bool
st_timer_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct ikd_conf *c = obj;
	uint64_t v = c->retry_counter;

	if (!c_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_COUNTER:
		c_next(p);
		if (!c_number(p, "counter", 1, 20, &v))
			return false;
		c->retry_counter = (uint32_t)v;
		return c_end(p, "counter");
	case K_INTERVAL:
		c_next(p);
		return c_time(p, "interval", false, 1, 60, &c->retry_interval) &&
		    c_end(p, "interval");
	case K_NATT_KEEPALIVE:
		c_next(p);
		return c_time(p, "natt_keepalive", false, 0, 3600, &c->natt_keepalive) &&
		    c_end(p, "natt_keepalive");
	}
	return false;
}

/* "listen {" or "timer {": the keyword is current. */
static bool
st_block(struct cparser *p, enum cblock b, c_stmt_fn *fn, void *obj)
{
	struct cseen seen;
	unsigned line, col;

	memset(&seen, 0, sizeof(seen));
	c_next(p);
	line = p->lx.tok.line;
	col = p->lx.tok.col;
	if (!c_punct(p, '{', "'{'"))
		return false;
	c_block_body(p, b, fn, obj, &seen, line, col);
	return true;
}

/* ---------------------------------------------------------------- remote */

/* my_identifier / peers_identifier: address [ADDR] | fqdn "x" | user_fqdn "x" */
static bool
st_identifier(struct cparser *p, struct conf_id *id, const char *kw)
{
	static const char *const types[] = { "address", "fqdn", "user_fqdn", NULL };
	unsigned v, i, line, col;

	c_next(p);
	if (p->lx.tok.type == LEX_WORD && (lex_is_word(&p->lx, "keyid") ||
	    lex_is_word(&p->lx, "asn1dn"))) {
		c_err_tok(p, "%s %s is not supported; use address, fqdn or user_fqdn", kw,
		    p->lx.tok.text);
		return false;
	}
	if (!c_choice(p, "address, fqdn or user_fqdn", types, &v))
		return false;
	memset(id, 0, sizeof(*id));
	id->type = (enum conf_id_type)(CONF_ID_ADDRESS + v);
	if (id->type == CONF_ID_ADDRESS) {
		if (!lex_is(&p->lx, ';') && !c_address(p, "identifier address", &id->addr))
			return false;
		return c_end(p, kw);
	}
	line = p->lx.tok.line;
	col = p->lx.tok.col;
	if (!c_string(p, "identity", id->data, CONF_ID_MAX))
		return false;
	id->len = strlen(id->data);
	for (i = 0; i < id->len; i++)
		if ((unsigned char)id->data[i] < 0x21 || (unsigned char)id->data[i] > 0x7e)
			break;
	if (id->len > 0 && i < id->len)
		c_err(p, line, col, "%s: the identity may hold only printable characters "
		    "without blanks", kw);
	else if (id->len > 0 && id->type == CONF_ID_USER_FQDN &&
	    (strchr(id->data, '@') == NULL || id->data[0] == '@' ||
	    id->data[id->len - 1] == '@'))
		c_err(p, line, col, "%s: user_fqdn '%s' is not of the form user@domain", kw,
		    id->data);
	return c_end(p, kw);
}

static bool
st_exchange_mode(struct cparser *p)
{
	bool ikev1 = false;

	c_next(p);
	for (;;) {
		if (p->lx.tok.type != LEX_WORD) {
			c_expected(p, "an exchange mode");
			return false;
		}
		if (lex_is_word(&p->lx, "main") || lex_is_word(&p->lx, "aggressive") ||
		    lex_is_word(&p->lx, "base")) {
			if (!ikev1)
				c_err_tok(p, "IKEv1 exchange modes are not supported; this daemon "
				    "speaks IKEv2: use exchange_mode ikev2 or delete the line");
			ikev1 = true;
		} else if (!lex_is_word(&p->lx, "ikev2"))
			c_err_tok(p, "unknown exchange mode '%s' (ikev2)", p->lx.tok.text);
		c_next(p);
		if (!lex_is(&p->lx, ','))
			break;
		c_next(p);
	}
	return c_end(p, "exchange_mode");
}

/* lifetime time TIME; (IKE SA) */
static bool
st_remote_lifetime(struct cparser *p, struct conf_remote *r)
{
	c_next(p);
	if (lex_is_word(&p->lx, "byte")) {
		c_err_tok(p, "an IKE SA has no byte lifetime; delete the line or write "
		    "lifetime time");
		return false;
	}
	if (!lex_is_word(&p->lx, "time")) {
		c_expected(p, "'time'");
		return false;
	}
	c_next(p);
	return c_time(p, "lifetime", false, CONF_TIME_MIN, CONF_TIME_MAX, &r->lifetime) &&
	    c_end(p, "the lifetime");
}

/* rekey_margin N % | TIME;  rekey_fuzz N %; */
static bool
st_rekey(struct cparser *p, struct conf_rekey *rk, bool fuzz)
{
	const char *kw = fuzz ? "rekey_fuzz" : "rekey_margin";
	const struct lex_tok *t = &p->lx.tok;
	unsigned line, col, min = fuzz ? 0 : 1;
	uint64_t v, mult;
	bool ovf;

	c_next(p);
	if (t->type != LEX_NUM) {
		c_expected(p, fuzz ? "a percentage" : "a percentage or a time");
		return false;
	}
	line = t->line;
	col = t->col;
	v = t->num;
	ovf = t->ovf;
	c_next(p);
	if (lex_is(&p->lx, '%')) {
		c_next(p);
		if (ovf || v < min || v > 50)
			c_err(p, line, col, "%s out of range (%u to 50 %%)", kw, min);
		else if (fuzz)
			rk->fuzz_pct = (uint8_t)v;
		else {
			rk->margin_pct = (uint8_t)v;
			rk->margin_sec = 0;
		}
		return c_end(p, kw);
	}
	if (!fuzz && (mult = c_unit(p, time_units, NELEM(time_units))) != 0) {
		c_next(p);
		if (ovf || v == 0 || v > CONF_TIME_MAX / mult)
			c_err(p, line, col, "%s out of range (1 to %d seconds)", kw, CONF_TIME_MAX);
		else {
			rk->margin_sec = (uint32_t)(v * mult);
			rk->margin_pct = 0;
		}
		return c_end(p, kw);
	}
	c_expected(p, fuzz ? "'%'" : "'%' or a time unit (sec, min or hour)");
	return false;
}

/* One proposal block as parsed. */
struct cprop {
	struct cenc	enc;
	int		hash;		/* index in hash_names, -1: none */
	uint16_t	group;
};

static bool
st_hash(struct cparser *p, int *out)
{
	size_t i;

	c_next(p);
	if (p->lx.tok.type != LEX_WORD) {
		c_expected(p, "a hash algorithm");
		return false;
	}
	for (i = 0; i < NELEM(hash_names); i++)
		if (strcmp(p->lx.tok.text, hash_names[i].name) == 0)
			*out = (int)i;
	if (*out < 0)
		c_err_tok(p, "hash algorithm '%s' is not supported; use sha256, sha384, sha512 "
		    "or sha1", p->lx.tok.text);
	c_next(p);
	return c_end(p, "hash_algorithm");
}

static bool
st_auth_method(struct cparser *p)
{
	c_next(p);
	if (p->lx.tok.type != LEX_WORD) {
		c_expected(p, "an authentication method");
		return false;
	}
	/* The only method ikd has: stating it is allowed, any other is not. */
	if (!lex_is_word(&p->lx, "pre_shared_key"))
		c_err_tok(p, "authentication_method %s is not supported; ikd authenticates with "
		    "pre_shared_key only", p->lx.tok.text);
	c_next(p);
	return c_end(p, "authentication_method");
}

static bool
st_proposal_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct cprop *cp = obj;
	bool bad = false;

	if (!c_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_ENC_ALG:
		c_next(p);
		if (!c_enc(p, &cp->enc, &bad))
			return false;
		if (lex_is(&p->lx, ',')) {
			c_err_tok(p, "one encryption_algorithm per proposal; write another "
			    "proposal block for an alternative");
			return false;
		}
		return c_end(p, "encryption_algorithm");
	case K_HASH_ALG:
		return st_hash(p, &cp->hash);
	case K_DH_GROUP:
		c_next(p);
		return c_group(p, "dh_group", false, &cp->group) && c_end(p, "dh_group");
	case K_AUTH_METHOD:
		return st_auth_method(p);
	}
	return false;
}

/* The IKE proposal of a complete proposal block. */
static void
prop_build(struct ike_prop *pr, uint8_t num, const struct cprop *cp)
{
	memset(pr, 0, sizeof(*pr));
	pr->num = num;
	pr->proto = PROP_PROTO_IKE;
	prop_add(pr, PROP_T_ENCR, cp->enc.a->ikev2_id, cp->enc.bits);
	prop_add(pr, PROP_T_PRF, hash_names[cp->hash].prf, 0);
	if (!cp->enc.a->aead)
		prop_add(pr, PROP_T_INTEG, hash_names[cp->hash].integ, 0);
	prop_add(pr, PROP_T_KE, cp->group, 0);
}

struct cremote {
	struct conf_remote	*r;
	size_t			 nblocks;	/* proposal blocks seen, even bad ones */
};

/* proposal { ... } in a remote block; the keyword is current. */
static bool
st_proposal(struct cparser *p, struct cremote *cr)
{
	static const struct { unsigned kw; const char *name; } need[] = {
		{ K_ENC_ALG, "encryption_algorithm" }, { K_HASH_ALG, "hash_algorithm" },
		{ K_DH_GROUP, "dh_group" },
	};
	struct cprop cp = { .hash = -1 };
	struct cseen seen;
	unsigned line = p->lx.tok.line, col = p->lx.tok.col, errs, bline, bcol;
	size_t i;

	memset(&seen, 0, sizeof(seen));
	c_next(p);
	bline = p->lx.tok.line;
	bcol = p->lx.tok.col;
	if (!c_punct(p, '{', "'{' after proposal"))
		return false;
	errs = p->diag.nerr;
	c_block_body(p, B_PROPOSAL, st_proposal_stmt, &cp, &seen, bline, bcol);
	cr->nblocks++;
	if (p->diag.nerr != errs)
		return true;	/* a missing part would only repeat an error */
	for (i = 0; i < NELEM(need); i++)
		if (seen.line[need[i].kw] == 0)
			c_err(p, line, col, "proposal without %s", need[i].name);
	if (p->diag.nerr != errs)
		return true;
	if (cr->r->nprops >= CONF_PROP_MAX)
		c_err(p, line, col, "more than %d proposals in one remote block", CONF_PROP_MAX);
	else {
		prop_build(&cr->r->props[cr->r->nprops], (uint8_t)(cr->r->nprops + 1), &cp);
		cr->r->nprops++;
	}
	return true;
}

static const char *const natt_names[] = { "off", "on", "force", NULL };

static bool
st_remote_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct cremote *cr = obj;
	struct conf_remote *r = cr->r;
	const char *name = kw_name(kw);
	uint64_t v = r->dpd_maxfail;
	unsigned u;

	if (kw != K_PROPOSAL && !c_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_EXCHANGE_MODE:
		return st_exchange_mode(p);
	case K_MY_ID:
		return st_identifier(p, &r->my_id, "my_identifier");
	case K_PEERS_ID:
		return st_identifier(p, &r->peer_id, "peers_identifier");
	case K_LIFETIME:
		return st_remote_lifetime(p, r);
	case K_PROPOSAL:
		return st_proposal(p, cr);
	case K_REKEY_MARGIN:
		return st_rekey(p, &r->rekey, false);
	case K_REKEY_FUZZ:
		return st_rekey(p, &r->rekey, true);
	}
	c_next(p);
	switch (kw) {
	case K_PASSIVE:
		return c_bool(p, &r->passive) && c_end(p, name);
	case K_DPD_DELAY:
		return c_time(p, "dpd_delay", true, 0, 3600, &r->dpd_delay) && c_end(p, name);
	case K_DPD_RETRY:
		return c_time(p, "dpd_retry", true, 1, 600, &r->dpd_retry) && c_end(p, name);
	case K_DPD_MAXFAIL:
		if (!c_number(p, "dpd_maxfail", 1, 100, &v))
			return false;
		r->dpd_maxfail = (uint32_t)v;
		return c_end(p, name);
	case K_NAT_TRAVERSAL:
		if (!c_choice(p, "on, off or force", natt_names, &u))
			return false;
		r->natt = (enum conf_natt)u;
		return c_end(p, name);
	}
	return false;
}

/*
 * Whether rk leaves at least 10 % of a lifetime of lt seconds after the
 * margin and the largest random part.
 */
static bool
rekey_fits(const struct conf_rekey *rk, uint64_t lt)
{
	uint64_t used = rk->margin_sec != 0 ? (uint64_t)rk->margin_sec * 100 :
	    (uint64_t)rk->margin_pct * lt;

	return used + (uint64_t)rk->fuzz_pct * lt <= 90 * lt;
}

/* Checks of a whole remote block; the default proposals if it gave none. */
static void
remote_finish(struct cparser *p, struct cremote *cr, const struct cseen *seen,
    unsigned line, unsigned col)
{
	struct conf_remote *r = cr->r;
	unsigned slot = seen->line[K_REKEY_FUZZ] != 0 ? K_REKEY_FUZZ : K_REKEY_MARGIN;

	if (cr->nblocks == 0)
		remote_default_props(r);
	if (rekey_fits(&r->rekey, r->lifetime))
		return;
	if (seen->line[slot] != 0) {
		line = seen->line[slot];
		col = seen->col[slot];
	}
	c_err(p, line, col, "rekey_margin and rekey_fuzz leave less than 10 %% of the "
	    "lifetime (%u seconds)", r->lifetime);
}

/* Adds r to c unless it repeats a peer. */
static void
remote_append(struct cparser *p, struct ikd_conf *c, const struct conf_remote *r)
{
	struct conf_remote *slot;
	char buf[GW_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < c->nremote; i++) {
		const struct conf_remote *o = &c->remote[i];

		if (o->anonymous != r->anonymous || (!r->anonymous && !addr_eq(&o->addr, &r->addr)))
			continue;
		c_err(p, r->line, r->col, "remote %s defined twice (first at line %u)",
		    r->anonymous ? "anonymous" : addr_ntop(&r->addr, buf, sizeof(buf)), o->line);
		return;
	}
	if (c->nremote >= CONF_REMOTE_MAX)
		c_err(p, r->line, r->col, "more than %d remote blocks", CONF_REMOTE_MAX);
	else if ((slot = c_grow((void **)&c->remote, &c->nremote, sizeof(*slot))) == NULL)
		c_err(p, r->line, r->col, "out of memory");
	else
		*slot = *r;
}

/* The remote block header: anonymous or an address; *bad if unusable. */
static bool
st_remote_head(struct cparser *p, struct conf_remote *r, bool *bad)
{
	struct gw_addr port;

	if (p->lx.tok.type == LEX_STR) {
		c_err_tok(p, "remote: %s", kw_refusal[R_NAMED - R_BASE]);
		return false;
	}
	if (lex_is_word(&p->lx, "anonymous")) {
		r->anonymous = true;
		c_next(p);
	} else if (!c_address(p, "remote address", &r->addr))
		return false;
	*bad = !r->anonymous && r->addr.af == AF_UNSPEC;
	if (lex_is(&p->lx, '[')) {
		c_err_tok(p, "remote: a port is not supported; ikd talks to peers on port 500, "
		    "then 4500 after NAT detection");
		*bad = true;
		if (!c_port(p, &port, false))
			return false;
	}
	if (lex_is_word(&p->lx, "inherit")) {
		c_err_tok(p, "remote: inherit is not supported; write the settings in each "
		    "remote block");
		return false;
	}
	return true;
}

/* remote ADDR|anonymous { ... }; the keyword is current. */
static bool
st_remote(struct cparser *p, struct ikd_conf *c)
{
	struct cremote cr = { 0 };
	struct cseen seen;
	unsigned bline, bcol;
	bool bad = false;

	memset(&seen, 0, sizeof(seen));
	if ((cr.r = calloc(1, sizeof(*cr.r))) == NULL) {
		c_err_tok(p, "out of memory");
		return false;
	}
	cr.r->line = p->lx.tok.line;
	cr.r->col = p->lx.tok.col;
	remote_defaults(cr.r);
	c_next(p);
	if (!st_remote_head(p, cr.r, &bad)) {
		free(cr.r);
		return false;
	}
	bline = p->lx.tok.line;
	bcol = p->lx.tok.col;
	if (!c_punct(p, '{', "'{' after the remote address")) {
		free(cr.r);
		return false;
	}
	cr.r->nprops = 0;
	c_block_body(p, B_REMOTE, st_remote_stmt, &cr, &seen, bline, bcol);
	remote_finish(p, &cr, &seen, cr.r->line, cr.r->col);
	if (!bad)
		remote_append(p, c, cr.r);
	free(cr.r);
	return true;
}

/* ---------------------------------------------------------------- sainfo */

struct csainfo {
	struct conf_sainfo	*s;
	struct esp_lists	 l;
};

/* ADDR[/PLEN] [[PORT]] PROTO after "address" or "subnet". */
static bool
st_sel_prefix(struct cparser *p, struct conf_sel *sel)
{
	struct gw_addr m;
	char b1[GW_ADDR_STRLEN], b2[GW_ADDR_STRLEN];
	unsigned line = p->lx.tok.line, col = p->lx.tok.col, max;
	uint64_t v;
	int proto;

	if (!c_address(p, "sainfo address", &sel->net))
		return false;
	max = addr_maxplen(sel->net.af);
	if (lex_is(&p->lx, '/')) {
		c_next(p);
		v = sel->net.plen;
		if (!c_number(p, "the prefix length", 0, max != 0 ? max : 128, &v))
			return false;
		sel->net.plen = (uint8_t)v;
	}
	m = sel->net;
	addr_mask(&m);
	if (sel->net.af != AF_UNSPEC && !addr_eq(&m, &sel->net))
		c_err(p, line, col, "%s/%u has host bits set; write %s/%u",
		    addr_ntop(&sel->net, b1, sizeof(b1)), sel->net.plen,
		    addr_ntop(&m, b2, sizeof(b2)), m.plen);
	if (lex_is(&p->lx, '[') && !c_port(p, &sel->net, true))
		return false;
	if (lex_is_word(&p->lx, "any")) {
		sel->proto = IPSEC_ULPROTO_ANY;
		c_next(p);
		return true;
	}
	if (p->lx.tok.type == LEX_NUM) {
		v = IPSEC_ULPROTO_ANY;
		if (!c_number(p, "the protocol", 0, 255, &v))
			return false;
		sel->proto = (uint8_t)v;
		return true;
	}
	if (p->lx.tok.type != LEX_WORD) {
		c_expected(p, "a protocol (any, tcp, udp, icmp, ...)");
		return false;
	}
	if ((proto = proto_by_name(p->lx.tok.text)) < 0)
		c_err_tok(p, "unknown protocol '%s'", p->lx.tok.text);
	else
		sel->proto = (uint8_t)proto;
	c_next(p);
	return true;
}

/* One side of a sainfo: anonymous, or address|subnet PREFIX [PORT] PROTO. */
static bool
st_sel(struct cparser *p, struct conf_sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->proto = IPSEC_ULPROTO_ANY;
	if (lex_is_word(&p->lx, "anonymous")) {
		sel->anonymous = true;
		c_next(p);
		return true;
	}
	if (lex_is_word(&p->lx, "address") || lex_is_word(&p->lx, "subnet")) {
		c_next(p);
		return st_sel_prefix(p, sel);
	}
	if (p->lx.tok.type == LEX_WORD)
		c_err_tok(p, "sainfo identity '%s' is not supported; use anonymous, or address "
		    "PREFIX PROTOCOL", p->lx.tok.text);
	else
		c_expected(p, "anonymous or address");
	return false;
}

/* encryption_algorithm NAME [BITS], ...; */
static bool
st_esp_enc(struct cparser *p, struct esp_lists *l)
{
	unsigned line, col;
	struct cenc e;
	size_t i;
	bool bad;

	c_next(p);
	for (;;) {
		line = p->lx.tok.line;
		col = p->lx.tok.col;
		bad = false;
		if (!c_enc(p, &e, &bad))
			return false;
		for (i = 0; !bad && i < l->nenc; i++)
			if (l->enc[i].a == e.a && l->enc[i].bits == e.bits) {
				c_err(p, line, col, "%s listed twice", e.a->name);
				bad = true;
			}
		if (!bad && l->nenc >= CONF_ALG_MAX)
			c_err(p, line, col, "more than %d encryption algorithms", CONF_ALG_MAX);
		else if (!bad)
			l->enc[l->nenc++] = e;
		if (!lex_is(&p->lx, ','))
			return c_end(p, "encryption_algorithm");
		c_next(p);
	}
}

/* One name of authentication_algorithm into l. */
static void
st_esp_auth1(struct cparser *p, struct esp_lists *l)
{
	const struct lex_tok *t = &p->lx.tok;
	const struct alg *a = NULL;
	size_t i;

	if (lex_is_word(&p->lx, "non_auth")) {
		if (l->non_auth)
			c_err_tok(p, "non_auth listed twice");
		l->non_auth = true;
		return;
	}
	for (i = 0; i < NELEM(auth_names) && a == NULL; i++)
		if (strcmp(t->text, auth_names[i].name) == 0)
			a = alg_by_name(ALG_AUTH, auth_names[i].alg);
	if (a == NULL || !a->datapath || a->ikev2_id == 0) {
		c_err_tok(p, "authentication algorithm '%s' is not supported; use hmac_sha256, "
		    "hmac_sha384, hmac_sha512, hmac_sha1, or non_auth with AEAD ciphers", t->text);
		return;
	}
	for (i = 0; i < l->nauth; i++)
		if (l->auth[i] == a) {
			c_err_tok(p, "%s listed twice", a->name);
			return;
		}
	if (l->nauth >= CONF_ALG_MAX)
		c_err_tok(p, "more than %d authentication algorithms", CONF_ALG_MAX);
	else
		l->auth[l->nauth++] = a;
}

static bool
st_esp_auth(struct cparser *p, struct esp_lists *l)
{
	c_next(p);
	for (;;) {
		if (p->lx.tok.type != LEX_WORD) {
			c_expected(p, "an authentication algorithm");
			return false;
		}
		st_esp_auth1(p, l);
		c_next(p);
		if (!lex_is(&p->lx, ','))
			return c_end(p, "authentication_algorithm");
		c_next(p);
	}
}

/* lifetime time TIME; | lifetime byte BYTES; */
static bool
st_sainfo_lifetime(struct cparser *p, struct conf_sainfo *s, struct cseen *seen)
{
	unsigned line = p->lx.tok.line, col = p->lx.tok.col;
	uint64_t v = s->lifetime_bytes;

	c_next(p);
	if (lex_is_word(&p->lx, "time")) {
		if (!c_once_at(p, seen, K_LIFETIME, "lifetime time", line, col))
			return false;
		c_next(p);
		return c_time(p, "lifetime", false, CONF_TIME_MIN, CONF_TIME_MAX, &s->lifetime) &&
		    c_end(p, "the lifetime");
	}
	if (lex_is_word(&p->lx, "byte")) {
		if (!c_once_at(p, seen, K_LIFETIME_BYTE, "lifetime byte", line, col))
			return false;
		c_next(p);
		if (!c_quantity(p, "lifetime byte", true, false, CONF_BYTES_MIN, UINT64_MAX, &v))
			return false;
		s->lifetime_bytes = v;
		return c_end(p, "the lifetime");
	}
	c_expected(p, "'time' or 'byte'");
	return false;
}

static bool
st_sainfo_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct csainfo *cs = obj;

	if (kw == K_LIFETIME)
		return st_sainfo_lifetime(p, cs->s, seen);
	if (!c_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_PFS_GROUP:
		c_next(p);
		return c_group(p, "pfs_group", true, &cs->s->pfs_group) && c_end(p, "pfs_group");
	case K_ENC_ALG:
		return st_esp_enc(p, &cs->l);
	case K_AUTH_ALG:
		return st_esp_auth(p, &cs->l);
	case K_ESN:
		c_next(p);
		return c_bool(p, &cs->s->esn) && c_end(p, "esn");
	}
	return false;
}

/*
 * The ESP proposals of a sainfo block, its lists completed with the
 * defaults: every non-AEAD cipher needs an integrity algorithm, and
 * integrity algorithms with only AEAD ciphers would go unused.
 */
static void
sainfo_finish(struct cparser *p, struct csainfo *cs, const struct cseen *seen)
{
	struct esp_lists def, *l = &cs->l;
	unsigned aline = seen->line[K_AUTH_ALG], acol = seen->col[K_AUTH_ALG];
	size_t i, naead = 0;
	const struct alg *plain = NULL;

	esp_default_lists(&def);
	if (seen->line[K_ENC_ALG] == 0) {
		l->nenc = def.nenc;
		memcpy(l->enc, def.enc, sizeof(l->enc));
	}
	if (aline == 0) {
		l->nauth = def.nauth;
		memcpy(l->auth, def.auth, sizeof(l->auth));
	}
	for (i = 0; i < l->nenc; i++) {
		if (l->enc[i].a->aead)
			naead++;
		else if (plain == NULL)
			plain = l->enc[i].a;
	}
	if (aline != 0 && plain == NULL && l->nauth > 0)
		c_err(p, aline, acol, "every encryption_algorithm here is AEAD: the "
		    "authentication algorithms would not be used; write non_auth or delete "
		    "the line");
	else if (plain != NULL && l->nauth == 0)
		c_err(p, aline, acol, "%s needs an authentication algorithm other than non_auth",
		    plain->name);
	else if (l->non_auth && naead == 0)
		c_err(p, aline, acol, "non_auth is for AEAD ciphers (aes_gcm_16, "
		    "chacha20_poly1305) and none is listed");
	else
		esp_build(cs->s, l);
}

static bool
sel_same(const struct conf_sel *a, const struct conf_sel *b)
{
	if (a->anonymous || b->anonymous)
		return a->anonymous == b->anonymous;
	return a->proto == b->proto && addr_cmp(&a->net, &b->net) == 0;
}

static void
sainfo_append(struct cparser *p, struct ikd_conf *c, const struct conf_sainfo *s)
{
	struct conf_sainfo *slot;
	size_t i;

	for (i = 0; i < c->nsainfo; i++)
		if (sel_same(&c->sainfo[i].local, &s->local) &&
		    sel_same(&c->sainfo[i].remote, &s->remote)) {
			c_err(p, s->line, s->col, "sainfo for these identities defined twice "
			    "(first at line %u)", c->sainfo[i].line);
			return;
		}
	if (c->nsainfo >= CONF_SAINFO_MAX)
		c_err(p, s->line, s->col, "more than %d sainfo blocks", CONF_SAINFO_MAX);
	else if ((slot = c_grow((void **)&c->sainfo, &c->nsainfo, sizeof(*slot))) == NULL)
		c_err(p, s->line, s->col, "out of memory");
	else
		*slot = *s;
}

/* The two identities of a sainfo header. */
static bool
st_sainfo_head(struct cparser *p, struct conf_sainfo *s, bool *bad)
{
	unsigned errs = p->diag.nerr;

	if (!st_sel(p, &s->local))
		return false;
	if (s->local.anonymous && lex_is(&p->lx, '{'))
		s->remote = s->local;
	else if (!st_sel(p, &s->remote))
		return false;
	if (lex_is_word(&p->lx, "from") || lex_is_word(&p->lx, "group")) {
		c_err_tok(p, "sainfo ... %s is not supported; identities are addresses",
		    p->lx.tok.text);
		return false;
	}
	*bad = p->diag.nerr != errs;
	if (!*bad && !s->local.anonymous && !s->remote.anonymous &&
	    s->local.net.af != s->remote.net.af) {
		c_err(p, s->line, s->col, "sainfo identities of two address families");
		*bad = true;
	}
	return true;
}

/* sainfo ID ID { ... }; the keyword is current. */
static bool
st_sainfo(struct cparser *p, struct ikd_conf *c)
{
	struct conf_sainfo s;
	struct csainfo cs = { .s = &s };
	struct cseen seen;
	unsigned bline, bcol, errs;
	bool bad = false;

	memset(&s, 0, sizeof(s));
	memset(&seen, 0, sizeof(seen));
	s.line = p->lx.tok.line;
	s.col = p->lx.tok.col;
	s.lifetime = CONF_DEF_CHILD_LIFETIME;
	c_next(p);
	if (!st_sainfo_head(p, &s, &bad))
		return false;
	bline = p->lx.tok.line;
	bcol = p->lx.tok.col;
	if (!c_punct(p, '{', "'{' after the sainfo identities"))
		return false;
	errs = p->diag.nerr;
	c_block_body(p, B_SAINFO, st_sainfo_stmt, &cs, &seen, bline, bcol);
	if (p->diag.nerr == errs)
		sainfo_finish(p, &cs, &seen);
	if (!bad)
		sainfo_append(p, c, &s);
	return true;
}

/* ------------------------------------------------------------ the driver */

static bool
st_top_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct ikd_conf *c = obj;

	if (kw != K_REMOTE && kw != K_SAINFO && kw != K_PATH && !c_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_PATH:
		return st_path(p, c, seen);
	case K_LOG:
		return st_log(p, c);
	case K_LISTEN:
		return st_block(p, B_LISTEN, st_listen_stmt, c);
	case K_TIMER:
		return st_block(p, B_TIMER, st_timer_stmt, c);
	case K_REMOTE:
		return st_remote(p, c);
	case K_SAINFO:
		return st_sainfo(p, c);
	}
	return false;
}

/* Where kw may stand, for a message: "in a remote or sainfo block". */
static void
kw_where(int kw, char *buf, size_t len)
{
	size_t n = 0;
	int b;

	if (kw_home[kw] & HOME(B_TOP)) {
		snprintf(buf, len, "at top level");
		return;
	}
	n = (size_t)snprintf(buf, len, "in a ");
	for (b = B_LISTEN; b < B_COUNT && n < len; b++)
		if (kw_home[kw] & HOME(b))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 5 ? " or " : "",
			    block_home[b]);
	if (n < len)
		snprintf(buf + n, len - n, " block");
}

/* One statement of block b; the current token is not '}' nor end of file. */
static void
c_statement(struct cparser *p, enum cblock b, c_stmt_fn *fn, void *obj, struct cseen *seen)
{
	const struct lex_tok *t = &p->lx.tok;
	char where[64];
	int kw;

	if (lex_is(&p->lx, ';')) {	/* an empty statement */
		c_next(p);
		return;
	}
	if (t->type != LEX_WORD) {
		c_expected(p, "a keyword");
		c_skip(p);
		return;
	}
	kw = lex_kw(kw_tab, NELEM(kw_tab), t->text);
	if (kw < 0)
		c_err_tok(p, "unknown keyword '%s' %s", t->text, block_name[b]);
	else if (kw >= R_BASE)
		c_err_tok(p, "%s: %s", t->text, kw_refusal[kw - R_BASE]);
	else if ((kw_home[kw] & HOME(b)) == 0) {
		kw_where(kw, where, sizeof(where));
		c_err_tok(p, "%s is not allowed %s; it belongs %s", t->text, block_name[b], where);
	} else {
		if (!fn(p, obj, seen, kw))
			c_skip(p);
		return;
	}
	c_next(p);
	c_skip(p);
}

static void
c_block_body(struct cparser *p, enum cblock b, c_stmt_fn *fn, void *obj, struct cseen *seen,
    unsigned line, unsigned col)
{
	for (;;) {
		if (p->lx.tok.type == LEX_EOF) {
			c_err(p, line, col, "this '{' of a %s block is not closed before the end "
			    "of the file", block_home[b]);
			return;
		}
		if (lex_is(&p->lx, '}')) {
			c_next(p);
			if (lex_is(&p->lx, ';'))
				c_next(p);
			return;
		}
		c_statement(p, b, fn, obj, seen);
	}
}

/* Time margins must fit every Child SA lifetime as well as the IKE one. */
static void
conf_check_margins(struct cparser *p, const struct ikd_conf *c)
{
	const struct conf_remote *r;
	const struct conf_sainfo *s;
	size_t i, j;

	for (i = 0; i < c->nremote; i++) {
		r = &c->remote[i];
		for (j = 0; r->rekey.margin_sec != 0 && j < c->nsainfo; j++) {
			s = &c->sainfo[j];
			if (rekey_fits(&r->rekey, s->lifetime))
				continue;
			if (s->line != 0)
				c_err(p, s->line, s->col, "the lifetime of this sainfo (%u "
				    "seconds) is too short for rekey_margin %u seconds of the "
				    "remote at line %u", s->lifetime, r->rekey.margin_sec, r->line);
			else
				c_err(p, r->line, r->col, "rekey_margin %u seconds is too long "
				    "for the built-in sainfo lifetime (%u seconds)",
				    r->rekey.margin_sec, s->lifetime);
		}
	}
}

/*
 * Blanks out C comments, keeping newlines so that positions stay right.
 * Quoted strings and '#' comments are left to the lexer. Returns false
 * when the last comment is not closed, with where it starts.
 */
static bool
c_strip_comments(char *s, size_t len, unsigned *cline, unsigned *ccol)
{
	unsigned line = 1, col = 1;
	bool str = false, hash = false, cmt = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (cmt && s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
			s[i] = s[i + 1] = ' ';
			i++;
			col += 2;
			cmt = false;
			continue;
		}
		if (!cmt && !str && !hash && s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			cmt = true;
			*cline = line;
			*ccol = col;
			s[i] = s[i + 1] = ' ';
			i++;
			col += 2;
			continue;
		}
		if (!cmt && s[i] == '"' && !hash)
			str = !str;
		else if (!cmt && s[i] == '#' && !str)
			hash = true;
		if (s[i] == '\n') {
			str = hash = false;
			line++;
			col = 1;
			continue;
		}
		if (cmt)
			s[i] = ' ';
		col++;
	}
	return !cmt;
}

/* Sends the lines of a diagnostics buffer to the log. */
static void
c_log_lines(char *buf)
{
	char *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		log_warnx("%s", line);
}

static void
c_parse_all(struct cparser *p, const char *text, size_t len)
{
	unsigned cline = 0, ccol = 0;
	bool closed;
	char *src;

	if ((src = malloc(len + 1)) == NULL) {
		lex_error(&p->diag, 1, 1, "out of memory");
		return;
	}
	memcpy(src, text, len);
	src[len] = '\0';
	closed = c_strip_comments(src, len, &cline, &ccol);
	lex_init(&p->lx, src, len, &conf_class, &p->diag);
	c_next(p);
	while (p->lx.tok.type != LEX_EOF) {
		if (lex_is(&p->lx, '}')) {
			c_err_tok(p, "'}' without a matching '{'");
			c_next(p);
		} else
			c_statement(p, B_TOP, st_top_stmt, p->c, &p->top);
	}
	/* Reported last: everything before it was parsed, in line order. */
	if (!closed)
		c_err(p, cline, ccol, "comment not closed before the end of the file");
	free(src);
	if (conf_fill_defaults(p->c) == -1)
		lex_error(&p->diag, 1, 1, "out of memory");
	else
		conf_check_margins(p, p->c);
}

unsigned
conf_parse(const char *text, size_t len, const char *name, FILE *diag, struct ikd_conf **out)
{
	struct cparser *p;
	char *mem = NULL;
	size_t memlen = 0;
	unsigned nerr;

	*out = NULL;
	if (!lex_kw_sorted(kw_tab, NELEM(kw_tab)))
		fatalx_f("keyword table not sorted");
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->c = calloc(1, sizeof(*p->c))) == NULL) {
		free(p);
		log_warnx("%s: out of memory", name);
		return 1;
	}
	/* Without a stream the messages go to the log, one line each. */
	p->diag.out = diag != NULL ? diag : open_memstream(&mem, &memlen);
	p->diag.file = name;
	conf_init(p->c);
	if (len > CONF_FILE_MAX)
		lex_error(&p->diag, 1, 1, "file too large (%zu bytes, at most %d)", len,
		    CONF_FILE_MAX);
	else
		c_parse_all(p, text, len);
	nerr = p->diag.nerr;
	if (nerr == 0)
		*out = p->c;
	else
		conf_free(p->c);
	if (diag == NULL && p->diag.out != NULL) {
		fclose(p->diag.out);
		c_log_lines(mem);
	}
	free(mem);
	free(p);
	return nerr;
}

/* "path: message" for the file as a whole; counts one error. */
static unsigned GW_PRINTF(3, 4)
c_file_error(FILE *diag, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag != NULL)
		fprintf(diag, "%s: %s\n", path, msg);
	else
		log_warnx("%s: %s", path, msg);
	return 1;
}

/*
 * Who may change the file: it holds no key (those are in psk.txt), so
 * anyone may read it, but whoever can write it decides which peers and
 * algorithms ikd accepts. psk.txt's rules for the file type and owner
 * apply (with root also allowed as owner); its group and other bits are
 * judged here, where only the write bits matter.
 */
static unsigned
conf_check_file(const char *path, const struct stat *st, FILE *diag)
{
	struct psk_report rep;
	struct stat own = *st;
	unsigned n = 0;
	mode_t w = st->st_mode & (S_IWGRP | S_IWOTH);

	memset(&rep, 0, sizeof(rep));
	own.st_mode &= ~(mode_t)(S_IRWXG | S_IRWXO);
	if (psk_check_secrecy(path, &own, st->st_uid == 0 ? 0 : geteuid(), &rep) != 0)
		n += rep.errors;
	if (w != 0)
		n += c_file_error(diag, path, "mode %04o lets %s write it; chmod go-w %s",
		    (unsigned)(st->st_mode & 07777), w == (S_IWGRP | S_IWOTH) ?
		    "group and others" : w == S_IWGRP ? "the group" : "others", path);
	return n;
}

/* The file's bytes into a new buffer; *len set. NULL after a message. */
static char *
conf_read(int fd, const char *path, const struct stat *st, FILE *diag, size_t *len)
{
	size_t size = (size_t)st->st_size, off = 0;
	ssize_t n;
	char *buf;

	if ((buf = malloc(size + 1)) == NULL) {
		c_file_error(diag, path, "out of memory");
		return NULL;
	}
	while (off < size) {
		n = read(fd, buf + off, size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				break;	/* it shrank: parse what is there */
			c_file_error(diag, path, "read: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		off += (size_t)n;
	}
	*len = off;
	return buf;
}

unsigned
conf_load(const char *path, bool optional, FILE *diag, struct ikd_conf **out)
{
	struct stat st;
	size_t len = 0;
	char *buf = NULL;
	unsigned nerr;
	int fd;

	*out = NULL;
	/* O_NONBLOCK: a FIFO put in the file's place must not hang the daemon. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		if (errno != ENOENT || !optional)
			return c_file_error(diag, path, "%s", strerror(errno));
		log_info("%s: not found; using the built-in defaults", path);
		*out = conf_default();
		return *out != NULL ? 0 : c_file_error(diag, path, "out of memory");
	}
	if (fstat(fd, &st) == -1)
		nerr = c_file_error(diag, path, "fstat: %s", strerror(errno));
	else if ((nerr = conf_check_file(path, &st, diag)) == 0 && st.st_size > CONF_FILE_MAX)
		nerr = c_file_error(diag, path, "file too large (%lld bytes, at most %d)",
		    (long long)st.st_size, CONF_FILE_MAX);
	else if (nerr == 0 && (buf = conf_read(fd, path, &st, diag, &len)) == NULL)
		nerr = 1;
	close(fd);
	if (nerr != 0)
		return nerr;
	nerr = conf_parse(buf, len, path, diag, out);
	free(buf);
	return nerr;
}

/* ---------------------------------------------------------------- lookups */

const struct conf_remote *
conf_remote_find(const struct ikd_conf *c, const struct gw_addr *peer)
{
	const struct conf_remote *anon = NULL;
	size_t i;

	for (i = 0; i < c->nremote; i++) {
		if (c->remote[i].anonymous)
			anon = &c->remote[i];
		else if (addr_eq(&c->remote[i].addr, peer))
			return &c->remote[i];
	}
	return anon;
}

/* 2 for an exact identity, 1 for anonymous, 0 for no match. */
static int
sel_score(const struct conf_sel *sel, const struct gw_addr *a, uint8_t proto)
{
	if (sel->anonymous)
		return 1;
	return sel->proto == proto && sel->net.af == a->af && sel->net.plen == a->plen &&
	    sel->net.port == a->port && addr_eq(&sel->net, a) ? 2 : 0;
}

const struct conf_sainfo *
conf_sainfo_find(const struct ikd_conf *c, const struct gw_addr *local,
    const struct gw_addr *remote, uint8_t proto)
{
	const struct conf_sainfo *best = NULL;
	int score, lbest = -1, sl, sr;
	size_t i;

	for (i = 0; i < c->nsainfo; i++) {
		sl = sel_score(&c->sainfo[i].local, local, proto);
		sr = sel_score(&c->sainfo[i].remote, remote, proto);
		if (sl == 0 || sr == 0)
			continue;
		/* both exact (6) > local exact (5) > remote exact (4) > anonymous (3) */
		score = sl == 2 && sr == 2 ? 6 : sl == 2 ? 5 : sr == 2 ? 4 : 3;
		if (score > lbest) {
			lbest = score;
			best = &c->sainfo[i];
		}
	}
	return best;
}

/* pct percent of v without overflow. */
static uint64_t
pct_of(uint64_t v, unsigned pct)
{
	return v / 100 * pct + v % 100 * pct / 100;
}

uint64_t
conf_soft_lifetime(const struct conf_rekey *r, uint64_t hard, bool is_time, uint32_t rnd)
{
	uint64_t margin, span, jitter;

	if (hard == 0)
		return 0;
	if (is_time && r->margin_sec != 0)
		margin = r->margin_sec;
	else
		margin = pct_of(hard, r->margin_sec != 0 ? CONF_DEF_REKEY_MARGIN : r->margin_pct);
	span = pct_of(hard, r->fuzz_pct);
	/* span * rnd / 2^32 in two halves, so that nothing overflows. */
	jitter = (span >> 32) * rnd + (((span & 0xffffffffu) * rnd) >> 32);
	if (margin >= hard || jitter >= hard - margin)
		return 1;
	return hard - margin - jitter;
}
