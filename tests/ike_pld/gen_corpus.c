/*
 * gen_corpus.c: writes samples.c's messages as fuzz seeds, one file per
 * message, <dir>/<name>.bin. Usage: gen_ike_pld_corpus <dir>
 */
#include <stdio.h>
#include <stdlib.h>

#include "samples.h"

int
main(int argc, char **argv)
{
	static uint8_t	 buf[SAMPLE_MAX];
	char		 path[4096];
	FILE		*f;
	size_t		 i, len;

	if (argc != 2) {
		fprintf(stderr, "usage: %s dir\n", argv[0]);
		return 2;
	}
	for (i = 0; i < nsamples; i++) {
		if ((len = samples[i].make(buf, sizeof(buf))) == 0) {
			fprintf(stderr, "%s: cannot build\n", samples[i].name);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s.bin", argv[1], samples[i].name);
		if ((f = fopen(path, "wb")) == NULL) {
			perror(path);
			return 1;
		}
		if (fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
			perror(path);
			return 1;
		}
		printf("%s %zu\n", path, len);
	}
	return 0;
}
