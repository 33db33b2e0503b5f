/*
 * fuzz_setkey.c: libFuzzer entry for the setkey language. Text goes
 * through the parser as "setkey -n" would take it (parse, then build and
 * encode every command), and everything is freed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct setkey_cmds cmds;

	/* Diagnostics are counted but not printed: no output while fuzzing. */
	if (setkey_parse("fuzz", (const char *)data, size, NULL, &cmds) == 0)
		cmd_check(&cmds, NULL);
	setkey_cmds_free(&cmds);
	return 0;
}
