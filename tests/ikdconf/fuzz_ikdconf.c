/*
 * fuzz_ikdconf.c: libFuzzer entry for the ikd.conf parser: text in,
 * configuration (or errors) out, then freed. Diagnostics go to
 * /dev/null so that the run measures the parser, not the terminal.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct ikd_conf *c = NULL;

	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		return 0;
	conf_parse((const char *)data, size, "fuzz", sink, &c);
	conf_free(c);
	return 0;
}
