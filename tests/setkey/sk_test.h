/*
 * sk_test.h: parsing helpers for the setkey tests. Include after cmocka.
 */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Parses text as "t.conf"; *errs receives the diagnostics (caller frees). */
static inline unsigned
sk_parse(const char *text, struct setkey_cmds *cmds, char **errs)
{
	size_t len = 0;
	FILE *f;
	unsigned n;

	*errs = NULL;
	f = open_memstream(errs, &len);
	assert_non_null(f);
	n = setkey_parse("t.conf", text, strlen(text), f, cmds);
	fclose(f);
	return n;
}

/* Parses text that must be clean; returns its first command. */
static inline const struct setkey_cmd *
sk_ok(const char *text, struct setkey_cmds *cmds)
{
	char *errs;
	unsigned n = sk_parse(text, cmds, &errs);

	if (n != 0 || errs[0] != '\0')
		fail_msg("unexpected diagnostics for <%s>:\n%s", text, errs);
	free(errs);
	assert_non_null(cmds->head);
	return cmds->head;
}

/* Parses text that must fail with exactly the diagnostics want. */
static inline void
sk_err(const char *text, const char *want)
{
	struct setkey_cmds cmds;
	char *errs;
	unsigned n = sk_parse(text, &cmds, &errs);

	if (n == 0 || strcmp(errs, want) != 0)
		fail_msg("for <%s>\nwant: %sgot:  %s(%u errors)", text, want, errs, n);
	assert_null(cmds.head);
	assert_int_equal(cmds.n, 0);
	free(errs);
	setkey_cmds_free(&cmds);
}

#endif
