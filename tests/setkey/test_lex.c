/* test_lex.c: lib/lex tokens, positions, values, errors and keyword lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lex.h"

static const struct lex_class cls = { .word = "-_.:%,", .punct = "/[];" };

struct fixture {
	struct lex	lx;
	struct lex_diag	diag;
	char		*errs;
	size_t		 errlen;
	FILE		*errf;
};

static struct fixture *
start(const char *text)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->errf = open_memstream(&f->errs, &f->errlen);
	f->diag.out = f->errf;
	f->diag.file = "x.conf";
	lex_init(&f->lx, text, strlen(text), &cls, &f->diag);
	return f;
}

static const char *
errors(struct fixture *f)
{
	fflush(f->errf);
	return f->errs;
}

static void
finish(struct fixture *f)
{
	lex_wipe(&f->lx);
	fclose(f->errf);
	free(f->errs);
	free(f);
}

static void
expect(struct fixture *f, enum lex_type type, const char *text, unsigned line, unsigned col)
{
	assert_int_equal(lex_next(&f->lx), type);
	assert_string_equal(f->lx.tok.text, text);
	assert_int_equal(f->lx.tok.line, line);
	assert_int_equal(f->lx.tok.col, col);
}

static void
test_words_and_punct(void **state)
{
	struct fixture *f = start("spdadd 10.0.0.0/24[any] -4n hmac-sha1;");

	expect(f, LEX_WORD, "spdadd", 1, 1);
	expect(f, LEX_WORD, "10.0.0.0", 1, 8);
	expect(f, LEX_PUNCT, "/", 1, 16);
	assert_true(lex_is(&f->lx, '/'));
	expect(f, LEX_NUM, "24", 1, 17);
	assert_int_equal(f->lx.tok.num, 24);
	expect(f, LEX_PUNCT, "[", 1, 19);
	expect(f, LEX_WORD, "any", 1, 20);
	assert_true(lex_is_word(&f->lx, "any"));
	expect(f, LEX_PUNCT, "]", 1, 23);
	expect(f, LEX_WORD, "-4n", 1, 25);
	expect(f, LEX_WORD, "hmac-sha1", 1, 29);
	expect(f, LEX_PUNCT, ";", 1, 38);
	expect(f, LEX_EOF, "", 1, 39);
	expect(f, LEX_EOF, "", 1, 39);
	assert_int_equal(f->diag.nerr, 0);
	finish(f);
}

static void
test_lines_tabs_comments(void **state)
{
	struct fixture *f = start("# comment ; here\n\tadd\t# more\n  \r\n  x;#end");

	expect(f, LEX_WORD, "add", 2, 2);
	expect(f, LEX_WORD, "x", 4, 3);
	expect(f, LEX_PUNCT, ";", 4, 4);
	expect(f, LEX_EOF, "", 4, 9);
	finish(f);
}

static void
test_numbers(void **state)
{
	struct fixture *f = start("0 4294967296 18446744073709551615 18446744073709551616 007 1e5");

	expect(f, LEX_NUM, "0", 1, 1);
	assert_int_equal(f->lx.tok.num, 0);
	expect(f, LEX_NUM, "4294967296", 1, 3);
	assert_int_equal(f->lx.tok.num, 4294967296ull);
	assert_false(f->lx.tok.ovf);
	lex_next(&f->lx);
	assert_int_equal(f->lx.tok.num, UINT64_MAX);
	assert_false(f->lx.tok.ovf);
	lex_next(&f->lx);
	assert_int_equal(f->lx.tok.type, LEX_NUM);
	assert_true(f->lx.tok.ovf);
	expect(f, LEX_NUM, "007", 1, 56);
	assert_int_equal(f->lx.tok.num, 7);
	expect(f, LEX_WORD, "1e5", 1, 60);
	finish(f);
}

static void
test_hex(void **state)
{
	struct fixture *f = start("0x1001 0XaBc 0x 0xg1 0x10000000000000000 0x00000000000000001");

	expect(f, LEX_HEX, "1001", 1, 1);
	assert_int_equal(f->lx.tok.num, 0x1001);
	assert_int_equal(f->lx.tok.len, 4);
	expect(f, LEX_HEX, "aBc", 1, 8);
	assert_int_equal(f->lx.tok.num, 0xabc);
	expect(f, LEX_WORD, "0x", 1, 14);
	expect(f, LEX_WORD, "0xg1", 1, 17);
	lex_next(&f->lx);
	assert_int_equal(f->lx.tok.type, LEX_HEX);
	assert_true(f->lx.tok.ovf);
	lex_next(&f->lx);
	assert_int_equal(f->lx.tok.type, LEX_HEX);
	assert_false(f->lx.tok.ovf);
	assert_int_equal(f->lx.tok.num, 1);
	finish(f);
}

static void
test_strings(void **state)
{
	struct fixture *f = start("\"twenty-byte key; #x\" \"\" \"a b\"");

	expect(f, LEX_STR, "twenty-byte key; #x", 1, 1);
	assert_int_equal(f->lx.tok.len, 19);
	expect(f, LEX_STR, "", 1, 23);
	expect(f, LEX_STR, "a b", 1, 26);
	expect(f, LEX_EOF, "", 1, 31);
	finish(f);
}

static void
test_unterminated_string(void **state)
{
	struct fixture *f = start("add \"abc\nnext;");

	expect(f, LEX_WORD, "add", 1, 1);
	assert_int_equal(lex_next(&f->lx), LEX_ERR);
	assert_string_equal(errors(f), "x.conf:1:5: unterminated quoted string\n");
	expect(f, LEX_WORD, "next", 2, 1);
	assert_int_equal(f->diag.nerr, 1);
	finish(f);
}

static void
test_bad_chars(void **state)
{
	struct fixture *f = start("a @ \x01 \xc3;");

	expect(f, LEX_WORD, "a", 1, 1);
	assert_int_equal(lex_next(&f->lx), LEX_ERR);
	assert_int_equal(lex_next(&f->lx), LEX_ERR);
	assert_int_equal(lex_next(&f->lx), LEX_ERR);
	expect(f, LEX_PUNCT, ";", 1, 8);
	assert_string_equal(errors(f),
	    "x.conf:1:3: unexpected character '@'\n"
	    "x.conf:1:5: unexpected character '\\x01'\n"
	    "x.conf:1:7: unexpected character '\\xc3'\n");
	assert_int_equal(f->diag.nerr, 3);
	finish(f);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = { 'a', '\0', 'b' };
	struct fixture *f = start("");

	lex_init(&f->lx, text, sizeof(text), &cls, &f->diag);
	expect(f, LEX_WORD, "a", 1, 1);
	assert_int_equal(lex_next(&f->lx), LEX_ERR);
	expect(f, LEX_WORD, "b", 1, 3);
	assert_string_equal(errors(f), "x.conf:1:2: unexpected character '\\x00'\n");
	finish(f);
}

static void
test_long_tokens(void **state)
{
	char *text = malloc(3000);
	struct fixture *f;

	assert_non_null(text);
	memset(text, 'a', 2000);
	strcpy(text + 2000, " ok \"");
	memset(text + 2005, 'b', 990);
	strcpy(text + 2995, "\"");
	f = start(text);
	assert_int_equal(lex_next(&f->lx), LEX_ERR);
	expect(f, LEX_WORD, "ok", 1, 2002);
	assert_int_equal(lex_next(&f->lx), LEX_STR);
	assert_int_equal(f->lx.tok.len, 990);
	assert_string_equal(errors(f), "x.conf:1:1: token longer than 1023 characters\n");
	finish(f);
	free(text);
}

static void
test_long_string(void **state)
{
	char text[1200];
	struct fixture *f;

	text[0] = '"';
	memset(text + 1, 'k', 1100);
	strcpy(text + 1101, "\" z");
	f = start(text);
	assert_int_equal(lex_next(&f->lx), LEX_ERR);
	expect(f, LEX_WORD, "z", 1, 1104);
	assert_string_equal(errors(f),
	    "x.conf:1:1: quoted string longer than 1023 characters\n");
	finish(f);
}

static void
test_class_switch(void **state)
{
	static const struct lex_class pol = { .word = "_.:", .punct = "/-;" };
	struct fixture *f = start("-P esp/tunnel/10.0.0.1-10.0.0.2/require; x-y");

	expect(f, LEX_WORD, "-P", 1, 1);
	lex_set_class(&f->lx, &pol);
	expect(f, LEX_WORD, "esp", 1, 4);
	expect(f, LEX_PUNCT, "/", 1, 7);
	expect(f, LEX_WORD, "tunnel", 1, 8);
	expect(f, LEX_PUNCT, "/", 1, 14);
	expect(f, LEX_WORD, "10.0.0.1", 1, 15);
	expect(f, LEX_PUNCT, "-", 1, 23);
	expect(f, LEX_WORD, "10.0.0.2", 1, 24);
	expect(f, LEX_PUNCT, "/", 1, 32);
	expect(f, LEX_WORD, "require", 1, 33);
	expect(f, LEX_PUNCT, ";", 1, 40);
	lex_set_class(&f->lx, &cls);
	expect(f, LEX_WORD, "x-y", 1, 42);
	finish(f);
}

static void
test_keywords(void **state)
{
	static const struct lex_kw tab[] = {
		{ "add", 1 }, { "delete", 2 }, { "deleteall", 3 }, { "spdadd", 4 },
	};
	static const struct lex_kw unsorted[] = { { "b", 1 }, { "a", 2 } };
	static const struct lex_kw dup[] = { { "a", 1 }, { "a", 2 } };

	assert_true(lex_kw_sorted(tab, 4));
	assert_false(lex_kw_sorted(unsorted, 2));
	assert_false(lex_kw_sorted(dup, 2));
	assert_int_equal(lex_kw(tab, 4, "add"), 1);
	assert_int_equal(lex_kw(tab, 4, "delete"), 2);
	assert_int_equal(lex_kw(tab, 4, "deleteall"), 3);
	assert_int_equal(lex_kw(tab, 4, "spdadd"), 4);
	assert_int_equal(lex_kw(tab, 4, "Add"), -1);
	assert_int_equal(lex_kw(tab, 4, "dele"), -1);
	assert_int_equal(lex_kw(tab, 4, ""), -1);
	assert_int_equal(lex_kw(tab, 0, "add"), -1);
}

static void
test_describe_hides_secrets(void **state)
{
	struct fixture *f = start("0xdeadbeef \"secret\" word 42 ; "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	char b[64];

	lex_next(&f->lx);
	assert_string_equal(lex_describe(&f->lx.tok, b, sizeof(b)), "a hex number");
	lex_next(&f->lx);
	assert_string_equal(lex_describe(&f->lx.tok, b, sizeof(b)), "a quoted string");
	lex_next(&f->lx);
	assert_string_equal(lex_describe(&f->lx.tok, b, sizeof(b)), "'word'");
	lex_next(&f->lx);
	assert_string_equal(lex_describe(&f->lx.tok, b, sizeof(b)), "'42'");
	lex_next(&f->lx);
	assert_string_equal(lex_describe(&f->lx.tok, b, sizeof(b)), "';'");
	lex_next(&f->lx);
	assert_string_equal(lex_describe(&f->lx.tok, b, sizeof(b)),
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	lex_next(&f->lx);
	assert_string_equal(lex_describe(&f->lx.tok, b, sizeof(b)), "end of file");
	finish(f);
}

static void
test_diag(void **state)
{
	struct fixture *f = start("");
	struct lex_diag quiet = { .file = "q" };

	lex_error(&f->diag, 3, 7, "bad %s", "thing");
	lex_warn(&f->diag, 4, 1, "old %d", 2);
	lex_error(&quiet, 1, 1, "not printed");
	assert_string_equal(errors(f), "x.conf:3:7: bad thing\nx.conf:4:1: warning: old 2\n");
	assert_int_equal(f->diag.nerr, 1);
	assert_int_equal(f->diag.nwarn, 1);
	assert_int_equal(quiet.nerr, 1);
	finish(f);
}

static void
test_wipe(void **state)
{
	struct fixture *f = start("\"secret key\"");
	size_t i;

	lex_next(&f->lx);
	lex_wipe(&f->lx);
	for (i = 0; i < sizeof(f->lx.buf); i++)
		assert_int_equal(f->lx.buf[i], 0);
	finish(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_punct),
		cmocka_unit_test(test_lines_tabs_comments),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_bad_chars),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_tokens),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_class_switch),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_describe_hides_secrets),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
