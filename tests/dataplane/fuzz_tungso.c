/*
 * fuzz_tungso.c: libFuzzer entry for the TCP segment join. The input is
 * up to 64 packets, each framed as
 *
 *   u8 fix, u16 big-endian length, that many bytes (fewer at the end)
 *
 * where fix asks the harness to make the packet's fields right before
 * planning, so that mutated seeds still reach the join rules: bit 0 the
 * IPv4 total / IPv6 payload length, bit 1 the IPv4 header checksum,
 * bit 2 the TCP checksum. Each packet sits at the very end of its own
 * heap block, so that any read past it is caught.
 *
 * Oracles besides the sanitizers: every plan covers 1..n packets and
 * the right total; a joined plan's headers are what GSO needs, and,
 * cut as the kernel's GSO cuts it (tungso_ref.h), it gives back the
 * original packets byte for byte, but for an IPv4 ID under DF (RFC
 * 6864) and a checksum sent as 0xffff that the cut writes as 0x0000
 * (the same one's complement zero); and the joined packets keep the
 * rules a cut cannot show (TCP, no fragments, no reserved TCP bits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tungso.h"
#include "tungso_ref.h"

#define FZ_HEADROOM	128
#define FZ_MAXPKT	64
#define FZ_FIX_LEN	0x01
#define FZ_FIX_IPSUM	0x02
#define FZ_FIX_TCPSUM	0x04

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t	fz_pay[TUNGSO_MAX_LEN + 1];
static uint8_t	fz_cut[TUNGSO_MAX_LEN + 1];

/* Makes the fields fix asks for right, as far as the packet has them. */
static void
fz_fix(uint8_t *ip, size_t len, uint8_t fix)
{
	size_t iphl;
	bool v6;

	if (len >= 20 && ip[0] >> 4 == 4 && (ip[0] & 0x0f) >= 5 &&
	    (size_t)(ip[0] & 0x0f) * 4 <= len) {
		v6 = false;
		iphl = (size_t)(ip[0] & 0x0f) * 4;
		if (fix & FZ_FIX_LEN)
			tref_put16(ip + TREF_IP4_TOTLEN, (uint16_t)len);
		if (fix & FZ_FIX_IPSUM)
			tref_fill_csum(ip, 0, iphl, TREF_IP4_CSUM, 0);
	} else if (len >= 40 && ip[0] >> 4 == 6) {
		v6 = true;
		iphl = 40;
		if (fix & FZ_FIX_LEN)
			tref_put16(ip + TREF_IP6_PLEN, (uint16_t)(len - 40));
	} else {
		return;
	}
	if ((fix & FZ_FIX_TCPSUM) && len >= iphl + TREF_TCP_CSUM + 2)
		tref_fill_csum(ip, iphl, len, iphl + TREF_TCP_CSUM,
		    tref_pseudo(ip, v6, IPPROTO_TCP, len - iphl));
}

/* Splits the input into packets p[0..), each in its own block; their count. */
static size_t
fz_split(const uint8_t *data, size_t size, struct pkt_buf *p)
{
	struct rd r = rd_init(data, size);
	size_t n = 0, len;
	uint16_t want;
	uint8_t fix, *m;

	while (n < FZ_MAXPKT && rd_u8(&r, &fix) == 0 && rd_u16be(&r, &want) == 0) {
		len = want < rd_left(&r) ? want : rd_left(&r);
		if ((m = malloc(FZ_HEADROOM + len)) == NULL)
			abort();
		pkt_init(&p[n], m, FZ_HEADROOM + len, FZ_HEADROOM);
		if (pkt_put(&p[n], len) == NULL || rd_copy(&r, pkt_data(&p[n]), len) != 0)
			abort();
		fz_fix(pkt_data(&p[n]), len, fix);
		n++;
	}
	return n;
}

/* Takes orig's 16-bit field at off into cut where they mean the same. */
static void
fz_allow_zero(uint8_t *cut, const uint8_t *orig, size_t off)
{
	if (tref_get16(cut + off) == 0 && tref_get16(orig + off) == 0xffff)
		memcpy(cut + off, orig + off, 2);
}

/*
 * Whether the cut segment is the original, but for what the rules allow:
 * under DF another ID, which is put back (with the header checksum it
 * then must have) before comparing.
 */
static bool
fz_same(uint8_t *cut, const struct pkt_buf *orig, size_t iphl)
{
	const uint8_t *o = pkt_data(orig);

	if (iphl == 20 && (tref_get16(o + TREF_IP4_FRAG) & TREF_DF)) {
		memcpy(cut + TREF_IP4_ID, o + TREF_IP4_ID, 2);
		tref_fill_csum(cut, 0, 20, TREF_IP4_CSUM, 0);
	}
	if (iphl == 20)
		fz_allow_zero(cut, o, TREF_IP4_CSUM);
	fz_allow_zero(cut, o, iphl + TREF_TCP_CSUM);
	return memcmp(cut, o, orig->len) == 0;
}

/*
 * The rules of tungso.h that a cut reproduces and so cannot show: TCP
 * right after a plain IP header, no fragments, no TCP reserved bits or
 * urgent pointer, ACK with PSH at most on the last segment.
 */
static bool
fz_rules_ok(const struct pkt_buf *p, size_t iphl, bool last)
{
	const uint8_t *ip = pkt_data(p), *th = ip + iphl;
	uint8_t flags = th[TREF_TCP_FLAGS];

	if (iphl == 20 && (ip[0] != 0x45 || ip[9] != IPPROTO_TCP ||
	    (tref_get16(ip + TREF_IP4_FRAG) & ~TREF_DF) != 0))
		return false;
	if (iphl == 40 && ip[6] != IPPROTO_TCP)
		return false;
	if ((th[12] & 0x0f) != 0 || tref_get16(th + 18) != 0)
		return false;
	return flags == TREF_ACK || (last && flags == (TREF_ACK | TREF_PSH));
}

/* Cuts the plan of p[0..k) back and checks it gives those packets. */
static void
fz_check_joined(const struct tungso_plan *pl, const struct pkt_buf *p, size_t k)
{
	size_t i, len, paylen = 0, iphl;

	for (i = 0; i < k; i++) {
		if (p[i].len <= pl->hdrlen || p[i].len - pl->hdrlen > sizeof(fz_pay) - paylen)
			abort();
		memcpy(fz_pay + paylen, pkt_data(&p[i]) + pl->hdrlen, p[i].len - pl->hdrlen);
		paylen += p[i].len - pl->hdrlen;
	}
	if (pl->total != pl->hdrlen + paylen || !tref_head_ok(pl) || tref_nseg(pl, paylen) != k)
		abort();
	iphl = (pl->head[TUNGSO_VNET_LEN] >> 4) == 6 ? 40 : 20;
	for (i = 0; i < k; i++) {
		len = tref_cut(pl, fz_pay, paylen, i, fz_cut, sizeof(fz_cut));
		if (len != p[i].len || !fz_same(fz_cut, &p[i], iphl) ||
		    !fz_rules_ok(&p[i], iphl, i == k - 1))
			abort();
	}
}

static void
fz_check_single(const struct tungso_plan *pl, const struct pkt_buf *p)
{
	static const uint8_t zero[TUNGSO_VNET_LEN];

	if (pl->headlen != TUNGSO_VNET_LEN || pl->hdrlen != 0 || pl->total != p->len ||
	    memcmp(pl->head, zero, sizeof(zero)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_buf p[FZ_MAXPKT];
	struct tungso_plan pl;
	size_t i, k, n;

	n = fz_split(data, size, p);
	for (i = 0; i < n; i += k) {
		k = tungso_plan(&p[i], n - i, &pl);
		if (k == 0 || k > n - i || pl.nseg != k)
			abort();
		if (k == 1)
			fz_check_single(&pl, &p[i]);
		else
			fz_check_joined(&pl, &p[i], k);
	}
	for (i = 0; i < n; i++)
		free(p[i].mem);
	return 0;
}
