/*
 * parse_sa.c: the SA commands (add, update, get, delete, getspi,
 * deleteall): addresses, protocol, SPI, extensions (-m -r -u -f -lh -ls
 * -bh -bs), algorithms (-E -A -C [-R]) and keys, then the rules that tie
 * them together (specs/kame.md 2.3 to 2.7).
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hex.h"
#include "parse_int.h"

/* -r N counts bytes of bitmap; 8 * N packets must fit the u32 window. */
#define SK_REPLAY_MAX	(UINT32_MAX / 8)

struct pos {
	unsigned	line;
	unsigned	col;	/* 0: not seen */
};

enum opt {
	OPT_AUTH, OPT_COMP, OPT_ENC, OPT_RAW, OPT_BH, OPT_BS, OPT_CTX, OPT_FLAG,
	OPT_LH, OPT_LS, OPT_MODE, OPT_REPLAY, OPT_REQID, OPT_N
};

static const struct lex_kw opt_kw[] = {
	{ "-A", OPT_AUTH }, { "-C", OPT_COMP }, { "-E", OPT_ENC }, { "-R", OPT_RAW },
	{ "-bh", OPT_BH }, { "-bs", OPT_BS }, { "-ctx", OPT_CTX }, { "-f", OPT_FLAG },
	{ "-lh", OPT_LH }, { "-ls", OPT_LS }, { "-m", OPT_MODE }, { "-r", OPT_REPLAY },
	{ "-u", OPT_REQID },
};

/* State while one SA command is parsed: where things were written. */
struct sa_ctx {
	struct parser		*p;
	struct setkey_cmd	*c;
	struct setkey_sa	*sa;
	struct pos		 spi, sport, dport, dst, opt[OPT_N], pad;
};

static const struct lex_kw proto_kw[] = {
	{ "ah", SK_P_AH }, { "ah-old", SK_P_AH_OLD }, { "esp", SK_P_ESP },
	{ "esp-old", SK_P_ESP_OLD }, { "esp-udp", SK_P_ESP_UDP }, { "ipcomp", SK_P_IPCOMP },
	{ "tcp", SK_P_TCP },
};

static const char *const proto_names[] = {
	[SK_P_ESP] = "esp", [SK_P_ESP_OLD] = "esp-old", [SK_P_AH] = "ah",
	[SK_P_AH_OLD] = "ah-old", [SK_P_IPCOMP] = "ipcomp", [SK_P_TCP] = "tcp",
	[SK_P_ESP_UDP] = "esp-udp",
};

static const uint8_t proto_satype[] = {
	[SK_P_ESP] = SADB_SATYPE_ESP, [SK_P_ESP_OLD] = SADB_SATYPE_ESP,
	[SK_P_AH] = SADB_SATYPE_AH, [SK_P_AH_OLD] = SADB_SATYPE_AH,
	[SK_P_IPCOMP] = SADB_X_SATYPE_IPCOMP, [SK_P_TCP] = SADB_X_SATYPE_TCPSIGNATURE,
	[SK_P_ESP_UDP] = SADB_SATYPE_ESP,
};

const char *
setkey_proto_name(enum sk_proto proto)
{
	if ((size_t)proto < NELEM(proto_names))
		return proto_names[proto];
	return "?";
}

static struct pos
here(const struct parser *p)
{
	return (struct pos){ p->lx.tok.line, p->lx.tok.col };
}

static bool
is_esp(enum sk_proto proto)
{
	return proto == SK_P_ESP || proto == SK_P_ESP_OLD || proto == SK_P_ESP_UDP;
}

static bool
is_ah(enum sk_proto proto)
{
	return proto == SK_P_AH || proto == SK_P_AH_OLD;
}

bool
parse_sa_proto(struct parser *p, enum sk_proto *proto, uint8_t *satype)
{
	int v;

	if (p->lx.tok.type != LEX_WORD ||
	    (v = lex_kw(proto_kw, NELEM(proto_kw), p->lx.tok.text)) == -1) {
		p_expected(p, "a protocol (esp, esp-old, ah, ah-old, ipcomp, tcp or esp-udp)");
		return false;
	}
	*proto = (enum sk_proto)v;
	*satype = proto_satype[v];
	lex_next(&p->lx);
	return true;
}

/* An SA endpoint: address and, for esp-udp, an optional [port]. */
static bool
parse_sa_addr(struct sa_ctx *x, const char *what, struct gw_addr *a, struct pos *port)
{
	if (!parse_address(x->p, what, a))
		return false;
	if (!lex_is(&x->p->lx, '['))
		return true;
	*port = here(x->p);
	return parse_port(x->p, a);
}

static void
check_spi(struct sa_ctx *x)
{
	struct setkey_sa *sa = x->sa;

	if (sa->proto == SK_P_IPCOMP && sa->spi > 0xffff)
		p_error(x->p, x->spi.line, x->spi.col, "CPI 0x%x too big for ipcomp (at most "
		    "0xffff)", sa->spi);
	if ((is_esp(sa->proto) || is_ah(sa->proto)) && sa->spi < 256 &&
	    !(x->c->op == SK_GETSPI && sa->spi == 0))
		p_error(x->p, x->spi.line, x->spi.col, "SPI %u is reserved: esp and ah SPIs "
		    "start at 256", sa->spi);
}

static bool
parse_spi(struct sa_ctx *x)
{
	const struct lex_tok *t = &x->p->lx.tok;

	x->spi = here(x->p);
	if (t->type == LEX_NUM || t->type == LEX_HEX) {
		if (t->ovf || t->num > UINT32_MAX)
			p_error_tok(x->p, "SPI too big (more than 32 bits)");
		else {
			x->sa->spi = (uint32_t)t->num;
			check_spi(x);
		}
	} else if (t->type == LEX_WORD)
		p_error_tok(x->p, "invalid SPI '%s'", t->text);
	else {
		p_expected(x->p, "an SPI");
		return false;
	}
	lex_next(&x->p->lx);
	return true;
}

/* "128, 192 or 256 bits", "40 to 448 bits", "160 bits": what a takes. */
static const char *
keylens(const struct alg *a, char *buf, size_t len)
{
	unsigned b, n;
	size_t off;

	if (a->key_min == a->key_max)
		snprintf(buf, len, "%u bits", a->key_min);
	else if (a->key_step < 8 || (a->key_max - a->key_min) / a->key_step > 4)
		snprintf(buf, len, "%u to %u bits", a->key_min, a->key_max);
	else {
		off = 0;
		n = 0;
		for (b = a->key_min; b <= a->key_max && off < len; b += a->key_step, n++)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
			    n == 0 ? "" : b + a->key_step > a->key_max ? " or " : ", ", b);
		if (off < len)
			snprintf(buf + off, len - off, " bits");
	}
	return buf;
}

/* The key token (hex or quoted) into k; false if it is too long. */
static bool
key_decode(struct parser *p, struct gw_key *k)
{
	const struct lex_tok *t = &p->lx.tok;
	size_t n, i, o;

	n = t->type == LEX_HEX ? (t->len + 1) / 2 : t->len;
	if (n > GW_KEY_MAX) {
		p_error_tok(p, "key too long: %zu bytes (at most %d)", n, GW_KEY_MAX);
		return false;
	}
	k->len = (uint16_t)n;
	if (t->type == LEX_STR) {
		memcpy(k->b, t->text, n);
		return true;
	}
	/* The lexer let only hex digits through. An odd digit count: the
	 * first digit alone is the first byte. */
	i = 0;
	o = 0;
	if (t->len % 2 == 1)
		k->b[o++] = (uint8_t)hex_digit(t->text[i++]);
	for (; i < t->len; i += 2)
		k->b[o++] = (uint8_t)(hex_digit(t->text[i]) << 4 | hex_digit(t->text[i + 1]));
	return true;
}

/* The key after an algorithm name (current token is hex or quoted). */
static void
parse_key(struct sa_ctx *x, const struct alg *a, struct gw_key **kp)
{
	struct parser *p = x->p;
	char lens[96];

	if (*kp == NULL && (*kp = calloc(1, sizeof(**kp))) == NULL)
		fatal("calloc");
	if (a != NULL && a->key_none)
		p_error_tok(p, "algorithm %s takes no key", a->name);
	else if (key_decode(p, *kp) && a != NULL && !alg_key_ok(a, (*kp)->len * 8u))
		p_error_tok(p, "key for %s is %u bits; %s takes %s", a->name,
		    (*kp)->len * 8u, a->name, keylens(a, lens, sizeof(lens)));
	lex_next(&p->lx);
}

/* des-deriv and des-32iv are des-cbc with a KAME flag. */
static const struct alg *
enc_lookup(struct sa_ctx *x, const char *name)
{
	if (strcmp(name, "des-deriv") == 0) {
		x->sa->flags |= SADB_X_EXT_DERIV;
		return alg_by_name(ALG_ENC, "des-cbc");
	}
	if (strcmp(name, "des-32iv") == 0) {
		x->sa->flags |= SADB_X_EXT_IV4B;
		return alg_by_name(ALG_ENC, "des-cbc");
	}
	return alg_by_name(ALG_ENC, name);
}

static const char *const kind_names[] = {
	[ALG_ENC] = "encryption", [ALG_AUTH] = "authentication", [ALG_COMP] = "compression",
};

/* -E name [key], -A name [key], -C name [-R]; the flag is current. */
static bool
parse_alg(struct sa_ctx *x, enum alg_kind kind)
{
	struct parser *p = x->p;
	struct sk_alg *sa_alg;
	const struct alg *a;
	char what[64];

	sa_alg = kind == ALG_ENC ? &x->sa->enc : kind == ALG_AUTH ? &x->sa->auth :
	    &x->sa->comp;
	lex_next(&p->lx);
	snprintf(what, sizeof(what), "%s %s algorithm", kind == ALG_COMP ? "a" : "an",
	    kind_names[kind]);
	if (p->lx.tok.type != LEX_WORD) {
		p_expected(p, what);
		return false;
	}
	a = kind == ALG_ENC ? enc_lookup(x, p->lx.tok.text) : alg_by_name(kind, p->lx.tok.text);
	if (a == NULL)
		p_error_tok(p, "unknown %s algorithm '%s'", kind_names[kind], p->lx.tok.text);
	else if (a->obsolete)
		lex_warn(&p->diag, p->lx.tok.line, p->lx.tok.col, "obsolete algorithm %s",
		    a->name);
	*sa_alg = (struct sk_alg){ a, p->lx.tok.line, p->lx.tok.col };
	lex_next(&p->lx);
	if (kind == ALG_COMP) {
		if (lex_is_word(&p->lx, "-R")) {
			x->sa->flags |= SADB_X_EXT_RAWCPI;
			lex_next(&p->lx);
		}
		return true;
	}
	if (p->lx.tok.type == LEX_ERR)
		return false;	/* a broken key, already reported */
	if (p->lx.tok.type == LEX_HEX || p->lx.tok.type == LEX_STR)
		parse_key(x, a, kind == ALG_ENC ? &x->sa->enc_key : &x->sa->auth_key);
	else if (a != NULL && !a->key_none)
		p_error(p, sa_alg->line, sa_alg->col, "algorithm %s needs a key", a->name);
	return true;
}

static bool
parse_mode(struct sa_ctx *x)
{
	static const struct lex_kw mode_kw[] = {
		{ "any", IPSEC_MODE_ANY }, { "transport", IPSEC_MODE_TRANSPORT },
		{ "tunnel", IPSEC_MODE_TUNNEL },
	};
	int v;

	lex_next(&x->p->lx);
	if (x->p->lx.tok.type != LEX_WORD ||
	    (v = lex_kw(mode_kw, NELEM(mode_kw), x->p->lx.tok.text)) == -1) {
		p_expected(x->p, "a mode (transport, tunnel or any)");
		return false;
	}
	x->sa->mode = (uint8_t)v;
	lex_next(&x->p->lx);
	return true;
}

static bool
parse_flag(struct sa_ctx *x)
{
	static const struct lex_kw flag_kw[] = {
		{ "nocyclic-seq", 0 }, { "random-pad", SADB_X_EXT_PRAND },
		{ "seq-pad", SADB_X_EXT_PSEQ }, { "zero-pad", SADB_X_EXT_PZERO },
	};
	struct parser *p = x->p;
	int v;

	lex_next(&p->lx);
	if (p->lx.tok.type != LEX_WORD ||
	    (v = lex_kw(flag_kw, NELEM(flag_kw), p->lx.tok.text)) == -1) {
		p_expected(p, "a flag (zero-pad, random-pad, seq-pad or nocyclic-seq)");
		return false;
	}
	if (strcmp(p->lx.tok.text, "nocyclic-seq") == 0)
		x->sa->flags &= ~(uint32_t)SADB_X_EXT_CYCSEQ;
	else if (x->pad.col != 0)
		p_error_tok(p, "only one padding flag may be given");
	else {
		x->pad = here(p);
		x->sa->flags = (x->sa->flags & ~(uint32_t)SADB_X_EXT_PMASK) | (uint32_t)v;
	}
	lex_next(&p->lx);
	return true;
}

/* A number option: -r, -u, -lh, -ls, -bh, -bs. */
static bool
parse_num_opt(struct sa_ctx *x, enum opt o)
{
	struct setkey_sa *sa = x->sa;
	uint64_t v = 0;
	bool ok;

	lex_next(&x->p->lx);
	switch (o) {
	case OPT_REPLAY:
		ok = p_number(x->p, "replay window size", SK_REPLAY_MAX, &v);
		sa->replay = (uint32_t)v;
		sa->has_replay = true;
		return ok;
	case OPT_REQID:
		ok = p_number(x->p, "reqid", IPSEC_MANUAL_REQID_MAX, &v);
		sa->reqid = (uint32_t)v;
		return ok;
	case OPT_LH:
		return p_number(x->p, "hard lifetime", UINT64_MAX, &sa->hard_time);
	case OPT_LS:
		return p_number(x->p, "soft lifetime", UINT64_MAX, &sa->soft_time);
	case OPT_BH:
		return p_number(x->p, "hard byte lifetime", UINT64_MAX, &sa->hard_bytes);
	case OPT_BS:
		return p_number(x->p, "soft byte lifetime", UINT64_MAX, &sa->soft_bytes);
	default:
		return false;
	}
}

/* Which options each command takes; get and delete accept -m for KAME. */
static bool
opt_allowed(enum sk_op op, enum opt o)
{
	switch (op) {
	case SK_ADD:
	case SK_UPDATE:
		return true;
	case SK_GETSPI:
		return o == OPT_MODE || o == OPT_REQID;
	default:
		return o == OPT_MODE;
	}
}

static bool
parse_opt(struct sa_ctx *x, enum opt o)
{
	struct parser *p = x->p;
	const char *name = p->lx.tok.text;

	if (!opt_allowed(x->c->op, o))
		p_error_tok(p, "%s is not allowed with %s", name, setkey_op_name(x->c->op));
	else if (o == OPT_MODE && (x->c->op == SK_GET || x->c->op == SK_DELETE))
		lex_warn(&p->diag, p->lx.tok.line, p->lx.tok.col,
		    "-m is obsolete with %s and ignored", setkey_op_name(x->c->op));
	else if (o != OPT_FLAG && x->opt[o].col != 0)
		p_error_tok(p, "%s given twice", name);
	x->opt[o] = here(p);
	switch (o) {
	case OPT_ENC:
		return parse_alg(x, ALG_ENC);
	case OPT_AUTH:
		return parse_alg(x, ALG_AUTH);
	case OPT_COMP:
		return parse_alg(x, ALG_COMP);
	case OPT_MODE:
		return parse_mode(x);
	case OPT_FLAG:
		return parse_flag(x);
	case OPT_RAW:
		p_error_tok(p, "-R must follow -C and its algorithm");
		return false;
	case OPT_CTX:
		p_error_tok(p, "security contexts (-ctx) are not supported");
		return false;
	default:
		return parse_num_opt(x, o);
	}
}

/* Extensions and algorithms, in any order, up to the ';'. */
static bool
parse_opts(struct sa_ctx *x)
{
	const struct lex_tok *t = &x->p->lx.tok;
	int o;

	while (t->type == LEX_WORD && t->text[0] == '-') {
		if ((o = lex_kw(opt_kw, NELEM(opt_kw), t->text)) == -1) {
			p_error_tok(x->p, "unknown option '%s'", t->text);
			return false;
		}
		if (!parse_opt(x, (enum opt)o))
			return false;
	}
	return true;
}

/* Only for add and update: which algorithms each protocol takes. */
static void
check_algs(struct sa_ctx *x)
{
	struct setkey_sa *sa = x->sa;
	const struct alg *e = sa->enc.alg, *a = sa->auth.alg;
	const char *pn = setkey_proto_name(sa->proto);
	unsigned l = x->c->line, cc = x->c->col;

	if (is_esp(sa->proto) && x->opt[OPT_ENC].col == 0)
		p_error(x->p, l, cc, "%s needs an encryption algorithm (-E)", pn);
	if (is_ah(sa->proto) && x->opt[OPT_AUTH].col == 0)
		p_error(x->p, l, cc, "%s needs an authentication algorithm (-A)", pn);
	if (sa->proto == SK_P_TCP && (a == NULL || a->id != SADB_X_AALG_TCP_MD5))
		p_error(x->p, l, cc, "tcp needs -A tcp-md5");
	if (sa->proto == SK_P_IPCOMP && x->opt[OPT_COMP].col == 0)
		p_error(x->p, l, cc, "ipcomp needs a compression algorithm (-C)");
	if (!is_esp(sa->proto) && x->opt[OPT_ENC].col != 0)
		p_error(x->p, x->opt[OPT_ENC].line, x->opt[OPT_ENC].col, "-E is not allowed "
		    "with %s", pn);
	if (sa->proto == SK_P_IPCOMP && x->opt[OPT_AUTH].col != 0)
		p_error(x->p, x->opt[OPT_AUTH].line, x->opt[OPT_AUTH].col, "-A is not allowed "
		    "with ipcomp");
	if (sa->proto != SK_P_IPCOMP && x->opt[OPT_COMP].col != 0)
		p_error(x->p, x->opt[OPT_COMP].line, x->opt[OPT_COMP].col, "-C is only for "
		    "ipcomp");
	if (a != NULL && a->id == SADB_X_AALG_TCP_MD5 && sa->proto != SK_P_TCP)
		p_error(x->p, sa->auth.line, sa->auth.col, "tcp-md5 is only for tcp");
	if (sa->proto == SK_P_ESP_OLD && x->opt[OPT_AUTH].col != 0)
		p_error(x->p, x->opt[OPT_AUTH].line, x->opt[OPT_AUTH].col, "esp-old takes no "
		    "authentication algorithm");
	if (e != NULL && e->aead && x->opt[OPT_AUTH].col != 0)
		p_error(x->p, x->opt[OPT_AUTH].line, x->opt[OPT_AUTH].col, "%s is a combined-"
		    "mode algorithm: -A is not allowed", e->name);
	if (e != NULL && e->id == SADB_EALG_NULL && sa->proto != SK_P_ESP_OLD &&
	    (a == NULL || a->id == SADB_X_AALG_NULL))
		p_error(x->p, sa->enc.line, sa->enc.col, "esp with null encryption needs an "
		    "authentication algorithm");
	if (a != NULL && a->id == SADB_X_AALG_NULL && is_ah(sa->proto))
		p_error(x->p, sa->auth.line, sa->auth.col, "%s with null authentication "
		    "protects nothing", pn);
}

/* The KAME DES variants: derived IVs are new-format, 4-byte IVs old. */
static void
check_des_variants(struct sa_ctx *x)
{
	struct setkey_sa *sa = x->sa;

	if ((sa->flags & SADB_X_EXT_DERIV) && sa->proto != SK_P_ESP &&
	    sa->proto != SK_P_ESP_UDP)
		p_error(x->p, sa->enc.line, sa->enc.col, "algorithm mismatched: des-deriv "
		    "needs esp (new format)");
	if ((sa->flags & SADB_X_EXT_IV4B) && sa->proto != SK_P_ESP_OLD)
		p_error(x->p, sa->enc.line, sa->enc.col, "algorithm mismatched: des-32iv "
		    "needs esp-old");
}

static void
check_opts(struct sa_ctx *x)
{
	struct setkey_sa *sa = x->sa;
	struct pos *r = &x->opt[OPT_REPLAY];

	if (sa->has_replay && (sa->proto == SK_P_ESP_OLD || sa->proto == SK_P_AH_OLD))
		p_error(x->p, r->line, r->col, "replay prevention cannot be used with %s",
		    setkey_proto_name(sa->proto));
	else if (sa->has_replay && (sa->proto == SK_P_IPCOMP || sa->proto == SK_P_TCP))
		p_error(x->p, r->line, r->col, "-r is meaningless with %s (no sequence "
		    "numbers)", setkey_proto_name(sa->proto));
	if (x->pad.col != 0 && !is_esp(sa->proto))
		p_error(x->p, x->pad.line, x->pad.col, "padding flags apply to esp only");
	if (sa->hard_time != 0 && sa->soft_time > sa->hard_time)
		p_error(x->p, x->opt[OPT_LS].line, x->opt[OPT_LS].col, "soft lifetime %llu s "
		    "exceeds hard lifetime %llu s", (unsigned long long)sa->soft_time,
		    (unsigned long long)sa->hard_time);
	if (sa->hard_bytes != 0 && sa->soft_bytes > sa->hard_bytes)
		p_error(x->p, x->opt[OPT_BS].line, x->opt[OPT_BS].col, "soft byte lifetime "
		    "%llu exceeds hard byte lifetime %llu", (unsigned long long)sa->soft_bytes,
		    (unsigned long long)sa->hard_bytes);
}

static void
check_addrs(struct sa_ctx *x)
{
	struct setkey_sa *sa = x->sa;
	struct pos *pp[2] = { &x->sport, &x->dport };
	size_t i;

	/* With -4 or -6 each address was already held to the family. */
	if (sa->src.af != AF_UNSPEC && sa->dst.af != AF_UNSPEC && sa->src.af != sa->dst.af &&
	    x->p->family == AF_UNSPEC)
		p_error(x->p, x->dst.line, x->dst.col, "source and destination addresses are "
		    "of different families");
	if (sa->proto == SK_P_ESP_UDP) {
		if (sa->src.port == 0)
			sa->src.port = SK_NATT_PORT;
		if (sa->dst.port == 0)
			sa->dst.port = SK_NATT_PORT;
		return;
	}
	for (i = 0; i < 2; i++)
		if (pp[i]->col != 0)
			p_error(x->p, pp[i]->line, pp[i]->col, "a port is only allowed with "
			    "esp-udp");
}

static void
check_sa(struct sa_ctx *x)
{
	struct setkey_sa *sa = x->sa;

	if (sa->proto == SK_P_ESP_OLD || sa->proto == SK_P_AH_OLD)
		sa->flags |= SADB_X_EXT_OLD;
	check_addrs(x);
	check_opts(x);
	if (x->c->op == SK_ADD || x->c->op == SK_UPDATE) {
		check_algs(x);
		check_des_variants(x);
	}
}

bool
parse_sa_cmd(struct parser *p, struct setkey_cmd *c)
{
	struct sa_ctx x = { .p = p, .c = c, .sa = &c->u.sa };
	struct setkey_sa *sa = &c->u.sa;

	sa->mode = IPSEC_MODE_ANY;
	sa->flags = SADB_X_EXT_CYCSEQ;
	parse_aiflags(p);
	if (!parse_sa_addr(&x, "source address", &sa->src, &x.sport))
		return false;
	x.dst = here(p);
	if (!parse_sa_addr(&x, "destination address", &sa->dst, &x.dport))
		return false;
	if (!parse_sa_proto(p, &sa->proto, &sa->satype))
		return false;
	if (sa->proto == SK_P_ESP_UDP && p->lx.tok.type == LEX_WORD &&
	    p->lx.tok.text[0] != '-') {
		if (!parse_address(p, "NAT-OA address", &sa->oa))
			return false;
		sa->has_oa = true;
	}
	if (!parse_spi(&x) || !parse_opts(&x))
		return false;
	check_sa(&x);
	return true;
}

/* deleteall [-46n] src dst proto; (bare addresses) */
bool
parse_deleteall(struct parser *p, struct setkey_cmd *c)
{
	struct setkey_sa *sa = &c->u.sa;
	struct pos dst;

	parse_aiflags(p);
	if (!parse_address(p, "source address", &sa->src))
		return false;
	dst = here(p);
	if (!parse_address(p, "destination address", &sa->dst) ||
	    !parse_sa_proto(p, &sa->proto, &sa->satype))
		return false;
	if (sa->src.af != AF_UNSPEC && sa->dst.af != AF_UNSPEC && sa->src.af != sa->dst.af &&
	    p->family == AF_UNSPEC)
		p_error(p, dst.line, dst.col, "source and destination addresses are of "
		    "different families");
	return true;
}
