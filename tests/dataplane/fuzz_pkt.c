/*
 * fuzz_pkt.c: libFuzzer entry for everything that parses packets from
 * the TUN device or the network: the 5-tuple parser, the outer header
 * parser, gif decapsulation with its ECN rewrite, and the UDP-4500
 * classifier. Each must return an error or succeed with its invariants
 * intact, never read or write out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netio.h"
#include "pkt.h"

#define FUZZ_HEADROOM	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_decap(const uint8_t *data, size_t size)
{
	static uint8_t mem[FUZZ_HEADROOM + 65536 + 64];
	struct pkt_outer o;
	struct pkt_buf b;
	struct gw_flow f;
	int rc;

	if (size > 65536)
		return;
	pkt_init(&b, mem, sizeof(mem), FUZZ_HEADROOM);
	memcpy(pkt_put(&b, size), data, size);
	rc = pkt_ipip_decap(&b, NULL, NULL, &o);
	if (rc < 0 || rc == PKT_ECN_DROP) {
		if (b.off != FUZZ_HEADROOM || b.len != size)
			abort();
		return;
	}
	if (b.off != FUZZ_HEADROOM + o.hlen || b.len != o.totlen - o.hlen)
		abort();
	/* The inner packet goes back in under a fresh header. */
	(void)pkt_flow(pkt_data(&b), b.len, &f);
	if (pkt_ipip_encap(&b, &o.src, &o.dst, 0, 1) == 0 &&
	    pkt_outer_parse(pkt_data(&b), b.len, &o) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[65536];
	struct pkt_outer o;
	struct gw_flow f;

	(void)pkt_flow(data, size, &f);
	(void)pkt_ipv4_csum_ok(data, size);
	if (pkt_outer_parse(data, size, &o) == 0 && (o.hlen > o.totlen || o.totlen > size))
		abort();
	(void)netio_classify_udp(data, size);
	if (size > 0 && size <= sizeof(copy)) {
		memcpy(copy, data, size);
		(void)pkt_ecn_decap_inner(copy, size, data[0]);
	}
	fuzz_decap(data, size);
	return 0;
}
