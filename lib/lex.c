/* lex.c: configuration tokenizer; see lex.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "lex.h"
#include "secmem.h"

void
lex_init(struct lex *lx, const char *src, size_t len, const struct lex_class *cls,
    struct lex_diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
	lx->line = 1;
	lx->col = 1;
	lx->cls = cls;
	lx->diag = diag;
	lx->tok.type = LEX_EOF;
	lx->tok.text = lx->buf;
	lx->tok.line = 1;
	lx->tok.col = 1;
}

void
lex_set_class(struct lex *lx, const struct lex_class *cls)
{
	lx->cls = cls;
}

void
lex_wipe(struct lex *lx)
{
	secure_wipe(lx->buf, sizeof(lx->buf));
}

static int
lex_peekc(const struct lex *lx)
{
	return lx->off < lx->len ? (unsigned char)lx->src[lx->off] : -1;
}

static void
lex_advance(struct lex *lx)
{
	if (lx->off >= lx->len)
		return;
	if (lx->src[lx->off] == '\n') {
		lx->line++;
		lx->col = 1;
	} else
		lx->col++;
	lx->off++;
}

/* True if c belongs to set (a NUL-terminated string); never for NUL. */
static bool
lex_in(const char *set, int c)
{
	return c > 0 && set != NULL && strchr(set, c) != NULL;
}

static bool
lex_wordc(const struct lex *lx, int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return lex_in(lx->cls->word, c);
}

/* Skips blanks, newlines and '#' comments. */
static void
lex_skip_space(struct lex *lx)
{
	int c;

	while ((c = lex_peekc(lx)) != -1) {
		if (c == '#') {
			while ((c = lex_peekc(lx)) != -1 && c != '\n')
				lex_advance(lx);
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		    c == '\v')
			lex_advance(lx);
		else
			break;
	}
}

/* Classifies a scanned word as NUM, HEX or WORD and computes its value. */
static void
lex_classify(struct lex_tok *t)
{
	const char *s = t->text;
	uint64_t v = 0;
	size_t i, start;
	int base, d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] != '\0') {
		base = 16;
		start = 2;
	} else {
		base = 10;
		start = 0;
	}
	for (i = start; s[i] != '\0'; i++) {
		d = hex_digit((unsigned char)s[i]);
		if (d < 0 || d >= base)
			return;		/* stays a word */
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
			t->ovf = true;
			v = UINT64_MAX;
		} else if (!t->ovf)
			v = v * (uint64_t)base + (uint64_t)d;
	}
	t->num = v;
	if (base == 16) {
		t->type = LEX_HEX;
		t->text += 2;
		t->len -= 2;
	} else
		t->type = LEX_NUM;
}

static enum lex_type
lex_word(struct lex *lx)
{
	struct lex_tok *t = &lx->tok;
	size_t n = 0;
	bool toolong = false;
	int c;

	while ((c = lex_peekc(lx)) != -1 && lex_wordc(lx, c)) {
		if (n < LEX_TOKMAX)
			lx->buf[n++] = (char)c;
		else
			toolong = true;
		lex_advance(lx);
	}
	lx->buf[n] = '\0';
	t->len = n;
	if (toolong) {
		lex_error_tok(lx, "token longer than %d characters", LEX_TOKMAX);
		return t->type = LEX_ERR;
	}
	t->type = LEX_WORD;
	lex_classify(t);
	return t->type;
}

static enum lex_type
lex_string(struct lex *lx)
{
	struct lex_tok *t = &lx->tok;
	size_t n = 0;
	int c;

	lex_advance(lx);	/* the opening quote */
	while ((c = lex_peekc(lx)) != -1 && c != '"' && c != '\n') {
		if (n >= LEX_TOKMAX) {
			lex_error_tok(lx, "quoted string longer than %d characters", LEX_TOKMAX);
			while ((c = lex_peekc(lx)) != -1 && c != '"' && c != '\n')
				lex_advance(lx);
			if (c == '"')
				lex_advance(lx);
			return t->type = LEX_ERR;
		}
		lx->buf[n++] = (char)c;
		lex_advance(lx);
	}
	lx->buf[n] = '\0';
	t->len = n;
	if (c != '"') {
		lex_error_tok(lx, "unterminated quoted string");
		return t->type = LEX_ERR;
	}
	lex_advance(lx);
	return t->type = LEX_STR;
}

static enum lex_type
lex_bad_char(struct lex *lx, int c)
{
	if (c >= 0x21 && c < 0x7f)
		lex_error_tok(lx, "unexpected character '%c'", c);
	else
		lex_error_tok(lx, "unexpected character '\\x%02x'", (unsigned)c);
	lex_advance(lx);
	return lx->tok.type = LEX_ERR;
}

enum lex_type
lex_next(struct lex *lx)
{
	struct lex_tok *t = &lx->tok;
	int c;

	lex_skip_space(lx);
	memset(t, 0, sizeof(*t));
	t->line = lx->line;
	t->col = lx->col;
	t->text = lx->buf;
	lx->buf[0] = '\0';
	c = lex_peekc(lx);
	if (c == -1)
		return t->type = LEX_EOF;
	if (c == '"')
		return lex_string(lx);
	if (lex_wordc(lx, c))
		return lex_word(lx);
	if (lex_in(lx->cls->punct, c)) {
		lx->buf[0] = (char)c;
		lx->buf[1] = '\0';
		t->len = 1;
		t->punct = c;
		lex_advance(lx);
		return t->type = LEX_PUNCT;
	}
	return lex_bad_char(lx, c);
}

bool
lex_is(const struct lex *lx, int c)
{
	return lx->tok.type == LEX_PUNCT && lx->tok.punct == c;
}

bool
lex_is_word(const struct lex *lx, const char *w)
{
	return lx->tok.type == LEX_WORD && strcmp(lx->tok.text, w) == 0;
}

static int
lex_kw_cmp(const void *key, const void *elem)
{
	const struct lex_kw *kw = elem;

	return strcmp(key, kw->name);
}

int
lex_kw(const struct lex_kw *tab, size_t n, const char *word)
{
	const struct lex_kw *kw;

	kw = bsearch(word, tab, n, sizeof(*tab), lex_kw_cmp);
	return kw != NULL ? kw->id : -1;
}

bool
lex_kw_sorted(const struct lex_kw *tab, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(tab[i - 1].name, tab[i].name) >= 0)
			return false;
	return true;
}

const char *
lex_describe(const struct lex_tok *t, char *buf, size_t len)
{
	switch (t->type) {
	case LEX_EOF:
		snprintf(buf, len, "end of file");
		break;
	case LEX_HEX:
		snprintf(buf, len, "a hex number");
		break;
	case LEX_STR:
		snprintf(buf, len, "a quoted string");
		break;
	case LEX_ERR:
		snprintf(buf, len, "an invalid token");
		break;
	case LEX_WORD:
	case LEX_NUM:
		if (t->len > 40)
			snprintf(buf, len, "'%.37s...'", t->text);
		else
			snprintf(buf, len, "'%s'", t->text);
		break;
	case LEX_PUNCT:
		snprintf(buf, len, "'%c'", t->punct);
		break;
	}
	return buf;
}

static void GW_PRINTF(5, 0)
lex_vemit(struct lex_diag *d, unsigned line, unsigned col, const char *kind, const char *fmt,
    va_list ap)
{
	if (d->out == NULL)
		return;
	fprintf(d->out, "%s:%u:%u: %s", d->file != NULL ? d->file : "(input)", line, col, kind);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
}

void
lex_error(struct lex_diag *d, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	d->nerr++;
	va_start(ap, fmt);
	lex_vemit(d, line, col, "", fmt, ap);
	va_end(ap);
}

void
lex_error_tok(struct lex *lx, const char *fmt, ...)
{
	va_list ap;

	lx->diag->nerr++;
	va_start(ap, fmt);
	lex_vemit(lx->diag, lx->tok.line, lx->tok.col, "", fmt, ap);
	va_end(ap);
}

void
lex_warn(struct lex_diag *d, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	d->nwarn++;
	va_start(ap, fmt);
	lex_vemit(d, line, col, "warning: ", fmt, ap);
	va_end(ap);
}
