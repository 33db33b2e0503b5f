/*
 * bench_esp.c: esp_encap and esp_decap throughput of each algorithm, in
 * one run so they can be compared. Usage: bench_esp [packets [rounds]].
 *
 * Payloads are 1400 bytes and MB/s counts payload bytes (10^6 per MB).
 * Each figure is the best of several rounds, which filters out time lost
 * to other processes; the ratio compares round trips with AES-128-GCM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp.h"
#include "espgen.h"

#define PAYLOAD		1400
#define HEADROOM	64
#define BATCH		64	/* packets encapsulated before they are decapsulated */

static uint8_t mem[BATCH][HEADROOM + PAYLOAD + 128];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Sends n packets through x in batches: encap a batch, then decap it.
 * Adds the seconds spent in each direction to *te and *td.
 */
static void
run(struct esp_xform *x, unsigned long n, double *te, double *td)
{
	struct pkt_buf b[BATCH];
	struct replay rp;
	unsigned long seq = 1, i, k;
	uint64_t got;
	uint8_t nh;
	double t0;

	if (replay_init(&rp, 1024, true) != 0)
		abort();
	for (i = 0; i < n; i += BATCH) {
		t0 = now();
		for (k = 0; k < BATCH; k++) {
			pkt_init(&b[k], mem[k], sizeof(mem[k]), HEADROOM);
			pkt_put(&b[k], PAYLOAD);
			if (esp_encap(x, 0x100, seq + k, true, 4, &b[k]) != 0)
				abort();
		}
		*te += now() - t0;
		t0 = now();
		for (k = 0; k < BATCH; k++)
			if (esp_decap(x, &rp, &b[k], &nh, &got) != 0 || b[k].len != PAYLOAD)
				abort();
		*td += now() - t0;
		seq += BATCH;
	}
	replay_free(&rp);
}

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	unsigned long rounds = argc > 2 ? strtoul(argv[2], NULL, 10) : 5, r;
	double mb, base = 0, te, td, be, bd, rate;
	struct espgen_sa g;
	struct esp_xform x;
	size_t i;

	n = (n + BATCH - 1) / BATCH * BATCH;
	if (rounds == 0)
		rounds = 1;
	mb = (double)n * PAYLOAD / 1e6;
	printf("%lu packets of %d bytes, best of %lu rounds, ESN on, window 1024\n", n,
	    PAYLOAD, rounds);
	printf("%-26s %8s %8s %11s %7s\n", "algorithm", "encap", "decap", "round trip",
	    "ratio");
	printf("%-26s %8s %8s %11s %7s\n", "", "MB/s", "MB/s", "MB/s", "");
	for (i = 0; i < espgen_sa_count(); i++) {
		espgen_sa_get(i, 1, &g);
		if (esp_xform_init(&x, alg_by_id(ALG_ENC, g.enc), g.ekey, g.ekeylen,
		    g.auth ? alg_by_id(ALG_AUTH, g.auth) : NULL, g.akey, g.akeylen) != 0)
			abort();
		be = bd = 1e9;
		for (r = 0; r < rounds; r++) {
			te = td = 0;
			run(&x, n, &te, &td);
			be = te < be ? te : be;
			bd = td < bd ? td : bd;
		}
		rate = mb / (be + bd);
		if (i == 0)
			base = rate;	/* espgen's first entry is AES-128-GCM */
		printf("%-26s %8.0f %8.0f %11.0f %7.2f\n", g.name, mb / be, mb / bd, rate,
		    rate / base);
		esp_xform_free(&x);
	}
	return 0;
}
