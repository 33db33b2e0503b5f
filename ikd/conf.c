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
 * not at all. The blocks are parsed in conf_block.c (listen, timer,
 * remote, proposal) and conf_esp.c (sainfo); conf_int.h joins them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_config.h"
#include "conf.h"
#include "conf_int.h"
#include "lex.h"
#include "log.h"
#include "psk.h"

static const char *const block_name[B_COUNT] = {
	"at top level", "in a listen block", "in a timer block", "in a remote block",
	"in a proposal block", "in a sainfo block",
};

static const char *const block_home[B_COUNT] = {
	"at top level", "listen", "timer", "remote", "proposal", "sainfo",
};

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
const char *
conf_kw_name(int kw)
{
	size_t i;

	for (i = 0; i < NELEM(kw_tab); i++)
		if (kw_tab[i].id == kw)
			return kw_tab[i].name;
	return "?";
}

const char *
conf_refusal(int id)
{
	return kw_refusal[id - R_BASE];
}

/*
 * Words: names with '_' and '-', addresses with '.' and ':'. '%' stands
 * alone for percentages, '/' for prefix lengths.
 */
static const struct lex_class conf_class = {
	.word = "-_.:",
	.punct = "{};,/[]%",
};

/* ---------------------------------------------------------------- tokens */

void
conf_err(struct cparser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lex_error(&p->diag, line, col, "%s", msg);
}

#define conf_err_tok(p, ...)	conf_err((p), (p)->lx.tok.line, (p)->lx.tok.col, __VA_ARGS__)

void
conf_next(struct cparser *p)
{
	p->prev_line = p->lx.tok.line;
	lex_next(&p->lx);
}

/* "expected <what>, got <token>"; the lexer already spoke for a bad token. */
void
conf_expected(struct cparser *p, const char *what)
{
	char d[64];

	if (p->lx.tok.type != LEX_ERR)
		conf_err_tok(p, "expected %s, got %s", what,
		    lex_describe(&p->lx.tok, d, sizeof(d)));
}

bool
conf_punct(struct cparser *p, int ch, const char *what)
{
	if (!lex_is(&p->lx, ch)) {
		conf_expected(p, what);
		return false;
	}
	conf_next(p);
	return true;
}

/*
 * The ';' ending the statement kw. When it is missing and the next token
 * starts a new line, the ';' was forgotten at the end of the line: report
 * it and carry on from there, so that the next statement is still parsed.
 */
bool
conf_end(struct cparser *p, const char *kw)
{
	char what[80];

	if (lex_is(&p->lx, ';')) {
		conf_next(p);
		return true;
	}
	snprintf(what, sizeof(what), "';' after %s", kw);
	conf_expected(p, what);
	return p->lx.tok.type != LEX_ERR && p->lx.tok.line > p->prev_line;
}

/*
 * Skips the rest of a statement without reporting: up to and including
 * the next ';' of this level, or a whole block; stops before a '}' that
 * closes the enclosing block.
 */
static void
conf_skip(struct cparser *p)
{
	struct lex_diag quiet = { .out = NULL, .file = p->diag.file };
	unsigned depth = 0;

	p->lx.diag = &quiet;
	while (p->lx.tok.type != LEX_EOF) {
		if (lex_is(&p->lx, ';') && depth == 0) {
			conf_next(p);
			break;
		}
		if (lex_is(&p->lx, '{'))
			depth++;
		else if (lex_is(&p->lx, '}')) {
			if (depth == 0)
				break;
			if (--depth == 0) {
				conf_next(p);
				if (lex_is(&p->lx, ';'))
					conf_next(p);
				break;
			}
		}
		conf_next(p);
	}
	p->lx.diag = &p->diag;
}

/* A decimal or 0x number within [min, max]; a value outside is reported. */
bool
conf_number(struct cparser *p, const char *what, uint64_t min, uint64_t max, uint64_t *out)
{
	const struct lex_tok *t = &p->lx.tok;
	char exp[96];

	if (t->type != LEX_NUM && t->type != LEX_HEX) {
		snprintf(exp, sizeof(exp), "a number for %s", what);
		conf_expected(p, exp);
		return false;
	}
	if (t->ovf || t->num < min || t->num > max)
		conf_err_tok(p, "%s %s%s out of range (%llu to %llu)", what,
		    t->type == LEX_HEX ? "0x" : "", t->text, (unsigned long long)min,
		    (unsigned long long)max);
	else
		*out = t->num;
	conf_next(p);
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
conf_unit(const struct cparser *p, const struct cunit *tab, size_t n)
{
	size_t i;

	for (i = 0; p->lx.tok.type == LEX_WORD && i < n; i++)
		if (strcmp(p->lx.tok.text, tab[i].name) == 0)
			return tab[i].mult;
	return 0;
}

uint64_t
conf_time_unit(const struct cparser *p)
{
	return conf_unit(p, time_units, NELEM(time_units));
}

/*
 * NUM UNIT within [min, max] after conversion. Without a unit word the
 * number counts seconds (bytes) when bare is true, else it is an error.
 */
bool
conf_quantity(struct cparser *p, const char *what, bool bytes, bool bare, uint64_t min,
    uint64_t max, uint64_t *out)
{
	const struct lex_tok *t = &p->lx.tok;
	unsigned line = t->line, col = t->col;
	uint64_t v, mult;
	bool ovf;

	if (t->type != LEX_NUM && t->type != LEX_HEX) {
		conf_expected(p, bytes ? "a byte count" : "a time");
		return false;
	}
	v = t->num;
	ovf = t->ovf;
	conf_next(p);
	mult = bytes ? conf_unit(p, byte_units, NELEM(byte_units)) :
	    conf_unit(p, time_units, NELEM(time_units));
	if (mult != 0)
		conf_next(p);
	else if (!bare) {
		conf_expected(p, bytes ? "a unit (B, KB, MB, GB or TB)" :
		    "a unit (sec, min or hour)");
		return false;
	} else
		mult = 1;
	if (ovf || v > max / mult || v * mult < min || v * mult > max)
		conf_err(p, line, col, "%s out of range (%llu to %llu %s)", what,
		    (unsigned long long)min, (unsigned long long)max, bytes ? "bytes" : "seconds");
	else
		*out = v * mult;
	return true;
}

bool
conf_time(struct cparser *p, const char *what, bool bare, uint64_t min, uint64_t max,
    uint32_t *out)
{
	uint64_t v = *out;

	if (!conf_quantity(p, what, false, bare, min, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A keyword from words[] (NULL-terminated); its index in *out. */
bool
conf_choice(struct cparser *p, const char *what, const char *const *words, unsigned *out)
{
	unsigned i;

	for (i = 0; p->lx.tok.type == LEX_WORD && words[i] != NULL; i++)
		if (strcmp(p->lx.tok.text, words[i]) == 0) {
			*out = i;
			conf_next(p);
			return true;
		}
	conf_expected(p, what);
	return false;
}

static const char *const onoff[] = { "off", "on", NULL };

bool
conf_bool(struct cparser *p, bool *out)
{
	unsigned v;

	if (!conf_choice(p, "on or off", onoff, &v))
		return false;
	*out = v == 1;
	return true;
}

/* Says why the current word is not a numeric address. */
static void
conf_address_why(struct cparser *p, const char *what, const char *s)
{
	if (strchr(s, ':') == NULL && strspn(s, "0123456789.") != strlen(s))
		conf_err_tok(p, "%s '%s' is not a numeric address (host names are not resolved)",
		    what, s);
	else
		conf_err_tok(p, "invalid %s '%s'", what, s);
}

/* A numeric address (full prefix length, port 0); af unset when bad. */
bool
conf_address(struct cparser *p, const char *what, struct gw_addr *a)
{
	const struct lex_tok *t = &p->lx.tok;

	if (t->type != LEX_WORD && t->type != LEX_NUM) {
		conf_expected(p, what);
		return false;
	}
	memset(a, 0, sizeof(*a));
	if (addr_parse(t->text, a) != 0)
		conf_address_why(p, what, t->text);
	conf_next(p);
	if (lex_is(&p->lx, '%')) {	/* fe80::1%eth0 */
		conf_err_tok(p, "%s: scoped IPv6 addresses are not supported", what);
		memset(a, 0, sizeof(*a));
		conf_next(p);
		if (p->lx.tok.type == LEX_WORD || p->lx.tok.type == LEX_NUM)
			conf_next(p);
	}
	return true;
}

/* "[" port "]" into a->port; the '[' is current. any = 0 when allow_any. */
bool
conf_port(struct cparser *p, struct gw_addr *a, bool allow_any)
{
	uint64_t v = 0;

	conf_next(p);
	if (allow_any && lex_is_word(&p->lx, "any"))
		conf_next(p);
	else if (!conf_number(p, "the port", allow_any ? 0 : 1, 65535, &v))
		return false;
	a->port = (uint16_t)v;
	return conf_punct(p, ']', "']' after the port");
}

/* A quoted string of 1..max bytes without NUL into out (max + 1 bytes). */
bool
conf_string(struct cparser *p, const char *what, char *out, size_t max)
{
	const struct lex_tok *t = &p->lx.tok;
	char exp[96];

	if (t->type != LEX_STR) {
		snprintf(exp, sizeof(exp), "a quoted %s", what);
		conf_expected(p, exp);
		return false;
	}
	if (t->len == 0 || t->len > max || strlen(t->text) != t->len)
		conf_err_tok(p, "%s must be 1 to %zu characters without NUL bytes", what, max);
	else
		memcpy(out, t->text, t->len + 1);
	conf_next(p);
	return true;
}

/*
 * Records statement slot of a block at line:col; a second one is an
 * error. Returns false for a repeat.
 */
bool
conf_once_at(struct cparser *p, struct cseen *s, unsigned slot, const char *name, unsigned line,
    unsigned col)
{
	if (s->line[slot] != 0) {
		conf_err(p, line, col, "%s given twice (first at line %u)", name, s->line[slot]);
		return false;
	}
	s->line[slot] = line;
	s->col[slot] = col;
	return true;
}

/* The same for the keyword that is the current token. */
bool
conf_once(struct cparser *p, struct cseen *s, unsigned slot)
{
	return conf_once_at(p, s, slot, p->lx.tok.text, p->lx.tok.line, p->lx.tok.col);
}

/* -------------------------------------------------------------- defaults */

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
void *
conf_grow(void **arr, size_t *n, size_t sz)
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
		if ((r = conf_grow((void **)&c->remote, &c->nremote, sizeof(*r))) == NULL)
			return -1;
		r->anonymous = true;
		conf_block_remote_defaults(r);
	}
	if (c->nsainfo == 0) {
		if ((s = conf_grow((void **)&c->sainfo, &c->nsainfo, sizeof(*s))) == NULL)
			return -1;
		conf_esp_sainfo_defaults(s);
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
	conf_next(p);
	if (lex_is_word(&p->lx, "pre_shared_key")) {
		if (!conf_once_at(p, seen, K_PATH, "path pre_shared_key", line, col))
			return false;
		conf_next(p);
		line = p->lx.tok.line;
		col = p->lx.tok.col;
		if (!conf_string(p, "file name", path, sizeof(path) - 1))
			return false;
		if (path[0] != '\0' && path[0] != '/')
			conf_err(p, line, col, "path pre_shared_key must be absolute, not '%s'",
			    path);
		else if (path[0] != '\0')
			memcpy(c->psk_path, path, sizeof(path));
		return conf_end(p, "the path");
	}
	if (p->lx.tok.type == LEX_WORD) {
		for (kind = 0; other[kind] != NULL; kind++)
			if (strcmp(p->lx.tok.text, other[kind]) == 0)
				break;
		conf_err_tok(p, "path %s: %s", p->lx.tok.text, other[kind] == NULL ?
		    "unknown path kind (ikd knows pre_shared_key)" :
		    "not used by ikd; delete the line");
		return false;
	}
	conf_expected(p, "pre_shared_key");
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

	conf_next(p);
	if (!conf_choice(p, "a log level (error, warning, notify, info or debug)", log_names, &v))
		return false;
	c->log = (enum conf_log)v;
	return conf_end(p, "the log level");
}

/* ------------------------------------------------------------ the driver */

static bool
st_top_stmt(struct cparser *p, void *obj, struct cseen *seen, int kw)
{
	struct ikd_conf *c = obj;

	if (kw != K_REMOTE && kw != K_SAINFO && kw != K_PATH && !conf_once(p, seen, (unsigned)kw))
		return false;
	switch (kw) {
	case K_PATH:
		return st_path(p, c, seen);
	case K_LOG:
		return st_log(p, c);
	case K_LISTEN:
		return conf_block_listen(p, c);
	case K_TIMER:
		return conf_block_timer(p, c);
	case K_REMOTE:
		return conf_block_remote(p, c);
	case K_SAINFO:
		return conf_esp_sainfo(p, c);
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
conf_statement(struct cparser *p, enum cblock b, conf_stmt_fn *fn, void *obj, struct cseen *seen)
{
	const struct lex_tok *t = &p->lx.tok;
	char where[64];
	int kw;

	if (lex_is(&p->lx, ';')) {	/* an empty statement */
		conf_next(p);
		return;
	}
	if (t->type != LEX_WORD) {
		conf_expected(p, "a keyword");
		conf_skip(p);
		return;
	}
	kw = lex_kw(kw_tab, NELEM(kw_tab), t->text);
	if (kw < 0)
		conf_err_tok(p, "unknown keyword '%s' %s", t->text, block_name[b]);
	else if (kw >= R_BASE)
		conf_err_tok(p, "%s: %s", t->text, kw_refusal[kw - R_BASE]);
	else if ((kw_home[kw] & HOME(b)) == 0) {
		kw_where(kw, where, sizeof(where));
		conf_err_tok(p, "%s is not allowed %s; it belongs %s", t->text, block_name[b],
		    where);
	} else {
		if (!fn(p, obj, seen, kw))
			conf_skip(p);
		return;
	}
	conf_next(p);
	conf_skip(p);
}

void
conf_block_body(struct cparser *p, enum cblock b, conf_stmt_fn *fn, void *obj, struct cseen *seen,
    unsigned line, unsigned col)
{
	for (;;) {
		if (p->lx.tok.type == LEX_EOF) {
			conf_err(p, line, col, "this '{' of a %s block is not closed before "
			    "the end of the file", block_home[b]);
			return;
		}
		if (lex_is(&p->lx, '}')) {
			conf_next(p);
			if (lex_is(&p->lx, ';'))
				conf_next(p);
			return;
		}
		conf_statement(p, b, fn, obj, seen);
	}
}

/*
 * Blanks out C comments, keeping newlines so that positions stay right.
 * Quoted strings and '#' comments are left to the lexer. Returns false
 * when the last comment is not closed, with where it starts.
 */
static bool
conf_strip_comments(char *s, size_t len, unsigned *cline, unsigned *ccol)
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
conf_log_lines(char *buf)
{
	char *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		log_warnx("%s", line);
}

static void
conf_parse_all(struct cparser *p, const char *text, size_t len)
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
	closed = conf_strip_comments(src, len, &cline, &ccol);
	lex_init(&p->lx, src, len, &conf_class, &p->diag);
	conf_next(p);
	while (p->lx.tok.type != LEX_EOF) {
		if (lex_is(&p->lx, '}')) {
			conf_err_tok(p, "'}' without a matching '{'");
			conf_next(p);
		} else
			conf_statement(p, B_TOP, st_top_stmt, p->c, &p->top);
	}
	/* Reported last: everything before it was parsed, in line order. */
	if (!closed)
		conf_err(p, cline, ccol, "comment not closed before the end of the file");
	free(src);
	if (conf_fill_defaults(p->c) == -1)
		lex_error(&p->diag, 1, 1, "out of memory");
	else
		conf_block_check_margins(p, p->c);
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
		conf_parse_all(p, text, len);
	nerr = p->diag.nerr;
	if (nerr == 0)
		*out = p->c;
	else
		conf_free(p->c);
	if (diag == NULL && p->diag.out != NULL) {
		fclose(p->diag.out);
		conf_log_lines(mem);
	}
	free(mem);
	free(p);
	return nerr;
}

/* "path: message" for the file as a whole; counts one error. */
static unsigned GW_PRINTF(3, 4)
conf_file_error(FILE *diag, const char *path, const char *fmt, ...)
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
		n += conf_file_error(diag, path, "mode %04o lets %s write it; chmod go-w %s",
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
		conf_file_error(diag, path, "out of memory");
		return NULL;
	}
	while (off < size) {
		n = read(fd, buf + off, size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				break;	/* it shrank: parse what is there */
			conf_file_error(diag, path, "read: %s", strerror(errno));
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
			return conf_file_error(diag, path, "%s", strerror(errno));
		log_info("%s: not found; using the built-in defaults", path);
		*out = conf_default();
		return *out != NULL ? 0 : conf_file_error(diag, path, "out of memory");
	}
	if (fstat(fd, &st) == -1)
		nerr = conf_file_error(diag, path, "fstat: %s", strerror(errno));
	else if ((nerr = conf_check_file(path, &st, diag)) == 0 && st.st_size > CONF_FILE_MAX)
		nerr = conf_file_error(diag, path, "file too large (%lld bytes, at most %d)",
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
