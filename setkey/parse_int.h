/*
 * parse_int.h: what the parser's files (parse.c, parse_sa.c, parse_spd.c)
 * share. Not for use outside the parser.
 *
 * Conventions: a parse_* function starts at the current token and, on
 * success, leaves the first token after its construct current and returns
 * true. A syntax error is reported once and returns false; the statement
 * is then skipped up to the next ';'. A semantic error (a value out of
 * range, a rule broken) is reported, marks the statement bad and parsing
 * goes on, so that one statement can yield several precise messages.
 */
#ifndef SETKEY_PARSE_INT_H
#define SETKEY_PARSE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "lex.h"
#include "parse.h"

struct parser {
	struct lex	 lx;
	struct lex_diag	 diag;
	bool		 bad;		/* semantic error in the current statement */
	sa_family_t	 family;	/* -4 / -6: AF_INET, AF_INET6, else AF_UNSPEC */
};

/* Main language, and the -P policy text (where '-' and '+' stand alone). */
extern const struct lex_class sk_class_main;
extern const struct lex_class sk_class_policy;

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Reports "expected <what>, got <token>" (nothing for a LEX_ERR token). */
void p_expected(struct parser *p, const char *what);
/* Reports a semantic error at line:col and marks the statement bad. */
void p_error(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
    GW_PRINTF(4, 5);
/* Same, at the current token. */
void p_error_tok(struct parser *p, const char *fmt, ...) GW_PRINTF(2, 3);
/* Consumes punctuation c, or reports "expected <what>". */
bool p_punct(struct parser *p, int c, const char *what);
/*
 * Reads a decimal number token no larger than max into *out and moves
 * on. A number above max is a semantic error ("<what> N out of range");
 * a token that is not a number is a syntax error ("expected a number for
 * the <what>").
 */
bool p_number(struct parser *p, const char *what, uint64_t max, uint64_t *out);

/* Optional -4/-6/-n address flags after a command keyword. */
void parse_aiflags(struct parser *p);
/*
 * A numeric address (the current word) into *a with the full prefix
 * length, checked against the -4/-6 flags; moves on. what names the
 * address in messages ("source address").
 */
bool parse_address(struct parser *p, const char *what, struct gw_addr *a);
/* "[" port "]" (a number or "any") into a->port; the '[' is current. */
bool parse_port(struct parser *p, struct gw_addr *a);

/* Statement bodies: from the token after the keyword up to the ';'. */
bool parse_sa_cmd(struct parser *p, struct setkey_cmd *c);
bool parse_deleteall(struct parser *p, struct setkey_cmd *c);
bool parse_spd_cmd(struct parser *p, struct setkey_cmd *c);
/* The -P policy text, "-P" being the current token (parse_spd.c). */
bool parse_policy(struct parser *p, struct setkey_cmd *c);
/* An SA protocol keyword into c->u.sa (parse_sa.c); for flush and dump too. */
bool parse_sa_proto(struct parser *p, enum sk_proto *proto, uint8_t *satype);

#endif
