/*
 * parse.c: the setkey script driver: statements, error recovery, and the
 * pieces every command shares (address flags, addresses, ports).
 *
 * The grammar is the ipsec-tools 0.8.2 one (specs/kame.md 2.2), parsed by
 * recursive descent on lib/lex. Every statement ends with ';'; after a
 * syntax error the parser skips to the next ';' and goes on, so one run
 * reports every error of a file. A script with any error yields no
 * commands at all.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "parse_int.h"

/*
 * KAME words: addresses, names with '-', "135,0" and flags like "-4n".
 * '%' is kept inside a word so that a scoped address is reported as one.
 */
const struct lex_class sk_class_main = {
	.word = "-_.:%,",
	.punct = "/[];",
};

/* Inside -P text '-' separates tunnel endpoints and '+'/'-' priorities. */
const struct lex_class sk_class_policy = {
	.word = "_.:%",
	.punct = "/[];-+",
};

/* Commands; -2 marks exit, quit and bye. */
static const struct lex_kw stmt_kw[] = {
	{ "add", SK_ADD },
	{ "bye", -2 },
	{ "delete", SK_DELETE },
	{ "deleteall", SK_DELETEALL },
	{ "dump", SK_DUMP },
	{ "exit", -2 },
	{ "flush", SK_FLUSH },
	{ "get", SK_GET },
	{ "getspi", SK_GETSPI },
	{ "quit", -2 },
	{ "spdadd", SK_SPDADD },
	{ "spddelete", SK_SPDDELETE },
	{ "spddump", SK_SPDDUMP },
	{ "spdflush", SK_SPDFLUSH },
	{ "spdupdate", SK_SPDUPDATE },
	{ "update", SK_UPDATE },
};

static const char *const op_names[] = {
	[SK_ADD] = "add",		[SK_GET] = "get",
	[SK_DELETE] = "delete",		[SK_DELETEALL] = "deleteall",
	[SK_FLUSH] = "flush",		[SK_DUMP] = "dump",
	[SK_GETSPI] = "getspi",		[SK_UPDATE] = "update",
	[SK_SPDADD] = "spdadd",		[SK_SPDUPDATE] = "spdupdate",
	[SK_SPDDELETE] = "spddelete",	[SK_SPDFLUSH] = "spdflush",
	[SK_SPDDUMP] = "spddump",
};

const char *
setkey_op_name(enum sk_op op)
{
	if ((size_t)op < NELEM(op_names) && op_names[op] != NULL)
		return op_names[op];
	return "?";
}

void
p_expected(struct parser *p, const char *what)
{
	char d[64];

	if (p->lx.tok.type == LEX_ERR)
		return;		/* the lexer said why */
	lex_error_tok(&p->lx, "expected %s, got %s", what,
	    lex_describe(&p->lx.tok, d, sizeof(d)));
}

static void GW_PRINTF(4, 0)
p_verror(struct parser *p, unsigned line, unsigned col, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	lex_error(&p->diag, line, col, "%s", msg);
	p->bad = true;
}

void
p_error(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_verror(p, line, col, fmt, ap);
	va_end(ap);
}

void
p_error_tok(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_verror(p, p->lx.tok.line, p->lx.tok.col, fmt, ap);
	va_end(ap);
}

bool
p_punct(struct parser *p, int c, const char *what)
{
	if (!lex_is(&p->lx, c)) {
		p_expected(p, what);
		return false;
	}
	lex_next(&p->lx);
	return true;
}

bool
p_number(struct parser *p, const char *what, uint64_t max, uint64_t *out)
{
	const struct lex_tok *t = &p->lx.tok;

	char exp[96];

	if (t->type != LEX_NUM) {
		snprintf(exp, sizeof(exp), "a number for the %s", what);
		p_expected(p, exp);
		return false;
	}
	if (t->ovf || t->num > max)
		p_error_tok(p, "%s %s out of range (at most %llu)", what, t->text,
		    (unsigned long long)max);
	else
		*out = t->num;
	lex_next(&p->lx);
	return true;
}

/* "-4", "-6", "-n" or mixes such as "-4n", repeated; the last family wins. */
void
parse_aiflags(struct parser *p)
{
	const char *s;
	size_t i;

	p->family = AF_UNSPEC;
	for (;;) {
		s = p->lx.tok.text;
		if (p->lx.tok.type != LEX_WORD || s[0] != '-' || s[1] == '\0' ||
		    strspn(s + 1, "46n") != strlen(s + 1))
			return;
		for (i = 1; s[i] != '\0'; i++) {
			if (s[i] == '4')
				p->family = AF_INET;
			else if (s[i] == '6')
				p->family = AF_INET6;
		}
		lex_next(&p->lx);
	}
}

/* Says why s is not a numeric address. */
static void
address_why(struct parser *p, const char *what, const char *s)
{
	if (strchr(s, '%') != NULL)
		p_error_tok(p, "%s '%s': scoped IPv6 addresses are not supported", what, s);
	else if (strchr(s, ':') == NULL && strspn(s, "0123456789.") != strlen(s))
		p_error_tok(p, "%s '%s' is not a numeric address (host names are not "
		    "resolved)", what, s);
	else
		p_error_tok(p, "invalid %s '%s'", what, s);
}

bool
parse_address(struct parser *p, const char *what, struct gw_addr *a)
{
	const struct lex_tok *t = &p->lx.tok;

	if (t->type != LEX_WORD) {
		p_expected(p, what);
		return false;
	}
	memset(a, 0, sizeof(*a));
	if (addr_parse(t->text, a) != 0)
		address_why(p, what, t->text);
	else if (p->family != AF_UNSPEC && a->af != p->family)
		p_error_tok(p, "%s '%s' is not %s, as -%c requires", what, t->text,
		    p->family == AF_INET ? "IPv4" : "IPv6", p->family == AF_INET ? '4' : '6');
	lex_next(&p->lx);
	return true;
}

bool
parse_port(struct parser *p, struct gw_addr *a)
{
	const struct lex_tok *t;
	uint64_t v = 0;

	lex_next(&p->lx);	/* '[' */
	t = &p->lx.tok;
	if (lex_is_word(&p->lx, "any"))
		lex_next(&p->lx);
	else if (t->type == LEX_WORD) {
		p_error_tok(p, "port '%s' is not a number (service names are not "
		    "supported)", t->text);
		lex_next(&p->lx);
	} else if (t->type != LEX_NUM) {
		p_expected(p, "a port number or 'any'");
		return false;
	} else if (!p_number(p, "port", 65535, &v))
		return false;
	a->port = (uint16_t)v;
	return p_punct(p, ']', "']' after the port");
}

/* flush [proto]; dump [proto]; */
static bool
parse_flush_dump(struct parser *p, struct setkey_cmd *c)
{
	enum sk_proto proto;

	c->u.satype = SADB_SATYPE_UNSPEC;
	if (p->lx.tok.type == LEX_WORD)
		return parse_sa_proto(p, &proto, &c->u.satype);
	return true;
}

static bool
parse_body(struct parser *p, struct setkey_cmd *c)
{
	switch (c->op) {
	case SK_ADD:
	case SK_UPDATE:
	case SK_GET:
	case SK_DELETE:
	case SK_GETSPI:
		return parse_sa_cmd(p, c);
	case SK_DELETEALL:
		return parse_deleteall(p, c);
	case SK_FLUSH:
	case SK_DUMP:
		return parse_flush_dump(p, c);
	case SK_SPDADD:
	case SK_SPDUPDATE:
	case SK_SPDDELETE:
		return parse_spd_cmd(p, c);
	case SK_SPDFLUSH:
	case SK_SPDDUMP:
		return true;
	}
	return false;
}

/* Skips to just after the next ';' without reporting anything more. */
static void
resync(struct parser *p)
{
	struct lex_diag quiet = { .out = NULL, .file = p->diag.file };

	lex_set_class(&p->lx, &sk_class_main);
	p->lx.diag = &quiet;
	while (p->lx.tok.type != LEX_EOF && !lex_is(&p->lx, ';'))
		lex_next(&p->lx);
	p->lx.diag = &p->diag;
	if (lex_is(&p->lx, ';'))
		lex_next(&p->lx);
}

static void
cmd_free(struct setkey_cmd *c)
{
	switch (c->op) {
	case SK_ADD:
	case SK_UPDATE:
	case SK_GET:
	case SK_DELETE:
	case SK_GETSPI:
	case SK_DELETEALL:
		secure_free(c->u.sa.enc_key, sizeof(*c->u.sa.enc_key));
		secure_free(c->u.sa.auth_key, sizeof(*c->u.sa.auth_key));
		break;
	default:
		break;
	}
	free(c);
}

static void
cmds_append(struct setkey_cmds *cmds, struct setkey_cmd *c)
{
	*cmds->tail = c;
	cmds->tail = &c->next;
	cmds->n++;
}

/* One statement; returns false at exit/quit/bye or at the end of input. */
static bool
parse_statement(struct parser *p, struct setkey_cmds *out)
{
	struct setkey_cmd *c;
	unsigned line, col;
	int op;

	if (p->lx.tok.type == LEX_EOF)
		return false;
	if (lex_is(&p->lx, ';')) {	/* an empty statement */
		lex_next(&p->lx);
		return true;
	}
	if (p->lx.tok.type != LEX_WORD) {
		p_expected(p, "a command");
		resync(p);
		return true;
	}
	if ((op = lex_kw(stmt_kw, NELEM(stmt_kw), p->lx.tok.text)) == -1) {
		p_error_tok(p, "unknown command '%s'", p->lx.tok.text);
		resync(p);
		return true;
	}
	line = p->lx.tok.line;
	col = p->lx.tok.col;
	lex_next(&p->lx);
	if (op == -2) {
		if (!lex_is(&p->lx, ';'))
			p_expected(p, "';' after exit");
		return false;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	c->op = (enum sk_op)op;
	c->line = line;
	c->col = col;
	p->bad = false;
	p->family = AF_UNSPEC;
	if (!parse_body(p, c) || !p_punct(p, ';', "';' at the end of the command")) {
		cmd_free(c);
		resync(p);
		return true;
	}
	if (p->bad)
		cmd_free(c);
	else
		cmds_append(out, c);
	return true;
}

void
setkey_cmds_free(struct setkey_cmds *cmds)
{
	struct setkey_cmd *c, *next;

	for (c = cmds->head; c != NULL; c = next) {
		next = c->next;
		cmd_free(c);
	}
	free(cmds->file);
	memset(cmds, 0, sizeof(*cmds));
	cmds->tail = &cmds->head;
}

unsigned
setkey_parse(const char *file, const char *text, size_t len, FILE *errout,
    struct setkey_cmds *out)
{
	struct parser *p;
	unsigned nerr;

	memset(out, 0, sizeof(*out));
	out->tail = &out->head;
	if ((out->file = strdup(file)) == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		fatal("setkey_parse");
	p->diag.out = errout;
	p->diag.file = out->file;
	lex_init(&p->lx, text, len, &sk_class_main, &p->diag);
	lex_next(&p->lx);
	while (parse_statement(p, out))
		continue;
	nerr = p->diag.nerr;
	lex_wipe(&p->lx);
	free(p);
	if (nerr > 0) {
		char *name = out->file;

		out->file = NULL;
		setkey_cmds_free(out);
		out->file = name;
	}
	return nerr;
}
