/*
 * lex.h: a small tokenizer for configuration languages (setkey's KAME
 * language, ikd.conf).
 *
 * Tokens: words (letters, digits and the class's extra word characters),
 * decimal numbers, 0x hex numbers, "quoted strings" (no escapes, one
 * line), single punctuation characters of the class, and '#' comments to
 * the end of the line. A word made only of digits is a number; "0x" plus
 * hex digits is a hex number; anything else is a word. Every token knows
 * its line and column (1-based; the column counts bytes, a tab is one).
 *
 * Diagnostics go through struct lex_diag as "file:line:col: message" and
 * are counted, so a parser can report every error of a file and then
 * refuse the whole of it.
 */
#ifndef GW_LEX_H
#define GW_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

#define LEX_TOKMAX	1023	/* longest token text, bytes */

enum lex_type {
	LEX_EOF,
	LEX_WORD,
	LEX_NUM,	/* decimal digits; value in num */
	LEX_HEX,	/* 0x + hex digits; text holds the digits only */
	LEX_STR,	/* "..."; text holds the bytes between the quotes */
	LEX_PUNCT,	/* one character of the class's punct set, in punct */
	LEX_ERR,	/* a bad token, already reported */
};

/* What makes a word and what stands alone, for one language or mode. */
struct lex_class {
	const char	*word;		/* word characters besides [A-Za-z0-9] */
	const char	*punct;		/* single-character tokens */
};

/* Where diagnostics go and how many there were. Shared by sub-lexers. */
struct lex_diag {
	FILE		*out;		/* NULL: count only */
	const char	*file;		/* name used in messages */
	unsigned	 nerr;
	unsigned	 nwarn;
};

struct lex_tok {
	enum lex_type	 type;
	unsigned	 line;
	unsigned	 col;
	const char	*text;		/* NUL-terminated, inside struct lex */
	size_t		 len;
	uint64_t	 num;		/* NUM, HEX: value (saturated) */
	bool		 ovf;		/* NUM, HEX: value exceeds 64 bits */
	int		 punct;		/* PUNCT: the character */
};

struct lex {
	const char		*src;
	size_t			 len;
	size_t			 off;
	unsigned		 line;
	unsigned		 col;
	const struct lex_class	*cls;
	struct lex_diag		*diag;
	struct lex_tok		 tok;	/* the current token */
	char			 buf[LEX_TOKMAX + 1];
};

/* A keyword table entry; tables are sorted by strcmp of name. */
struct lex_kw {
	const char	*name;
	int		 id;
};

/*
 * Starts lexing src[0..len) (need not be NUL-terminated; a NUL byte is a
 * bad character) with class cls. The current token is LEX_EOF until the
 * first lex_next(). src and diag must outlive lx.
 */
void lex_init(struct lex *lx, const char *src, size_t len, const struct lex_class *cls,
    struct lex_diag *diag);

/* Switches the character class for the tokens read from now on. */
void lex_set_class(struct lex *lx, const struct lex_class *cls);

/*
 * Reads the next token into lx->tok and returns its type. Bad input
 * (an unknown character, an unterminated string, a token longer than
 * LEX_TOKMAX) is reported through the diag and returned as LEX_ERR.
 */
enum lex_type lex_next(struct lex *lx);

/* True if the current token is the punctuation character c. */
bool lex_is(const struct lex *lx, int c);
/* True if the current token is the word w. */
bool lex_is_word(const struct lex *lx, const char *w);

/* Wipes the token buffer (it may have held a quoted key). */
void lex_wipe(struct lex *lx);

/*
 * Finds word in the sorted table tab of n entries with bsearch.
 * Returns the entry's id, or -1.
 */
int lex_kw(const struct lex_kw *tab, size_t n, const char *word);
/* True if tab is strictly sorted by name (for tests and assertions). */
bool lex_kw_sorted(const struct lex_kw *tab, size_t n);

/*
 * Describes a token for a message: 'word', '123', ';', "end of file".
 * Hex numbers and quoted strings are never echoed (they may be keys).
 * Returns buf.
 */
const char *lex_describe(const struct lex_tok *t, char *buf, size_t len);

/* Prints "file:line:col: message" and counts an error. */
void lex_error(struct lex_diag *d, unsigned line, unsigned col, const char *fmt, ...)
    GW_PRINTF(4, 5);
/* Same, at the current token of lx. */
void lex_error_tok(struct lex *lx, const char *fmt, ...) GW_PRINTF(2, 3);
/* Prints "file:line:col: warning: message" and counts a warning. */
void lex_warn(struct lex_diag *d, unsigned line, unsigned col, const char *fmt, ...)
    GW_PRINTF(4, 5);

#endif
