/*
 * test_tungso.c: joining TCP segments into one GSO write. Each joined
 * plan is cut back with the kernel's rules (tungso_ref.h) and must give
 * the original segments byte for byte; each rule of tungso.h gets a
 * packet that breaks it, which must end the run right before itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tun.h"
#include "pkt.h"
#include "tungso.h"
#include "tungso_ref.h"

#define HEADROOM	128
#define NPKT		66
#define PKTCAP		(HEADROOM + 1600)

static uint8_t		mem[NPKT][PKTCAP];
static struct pkt_buf	pk[NPKT];
static struct tref_seg	sp[NPKT];
static uint8_t		pay[TUNGSO_MAX_LEN + 1];
static uint8_t		cut[TUNGSO_MAX_LEN + 1];

/* A bulk-transfer segment: DF, timestamps, 1448 bytes, sequence about to wrap. */
static struct tref_seg
seg_base(bool v6)
{
	static const uint8_t ts[12] = { 1, 1, 8, 10, 0, 0x12, 0x34, 0x56, 0, 0xab, 0xcd, 0xef };
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 9 };
	static const uint8_t s4[4] = { 10, 1, 0, 5 }, d4[4] = { 10, 2, 0, 9 };
	struct tref_seg s = { .v6 = v6, .proto = IPPROTO_TCP, .ttl = 63, .frag = TREF_DF,
	    .id = 0x1234, .flow = 0xabcde, .sport = 443, .dport = 51000, .seq = 0xfffff000,
	    .ack = 0x01020304, .flags = TREF_ACK, .win = 501, .optlen = 12, .plen = 1448 };

	memcpy(s.opt, ts, sizeof(ts));
	memcpy(s.src, v6 ? s6 : s4, v6 ? 16 : 4);
	memcpy(s.dst, v6 ? d6 : d4, v6 ? 16 : 4);
	return s;
}

/* Recomputes the sequence numbers of sp[from..n) from the payloads before. */
static void
chain_seq(size_t from, size_t n)
{
	size_t i;

	for (i = from > 0 ? from : 1; i < n; i++)
		sp[i].seq = sp[i - 1].seq + (uint32_t)sp[i - 1].plen;
}

/* n back-to-back segments of one flow like b, IDs counting up. */
static void
specs(const struct tref_seg *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sp[i] = *b;
		sp[i].id = (uint16_t)(b->id + i);
	}
	chain_seq(1, n);
}

static void
build_all(size_t n)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		pkt_init(&pk[i], mem[i], PKTCAP, HEADROOM);
		len = tref_build(&sp[i], pkt_data(&pk[i]), pkt_tailroom(&pk[i]));
		assert_true(len > 0);
		assert_non_null(pkt_put(&pk[i], len));
	}
}

/* The joined payload of p[first..first+k) after hdrlen bytes each; its length. */
static size_t
payload_of(size_t first, size_t k, size_t hdrlen)
{
	size_t i, len = 0;

	for (i = first; i < first + k; i++) {
		assert_true(pk[i].len > hdrlen);
		memcpy(pay + len, pkt_data(&pk[i]) + hdrlen, pk[i].len - hdrlen);
		len += pk[i].len - hdrlen;
	}
	return len;
}

/* Bytes equal but for the IPv4 ID and header checksum (DF: RFC 6864). */
static void
assert_equal_but_id(const uint8_t *a, const uint8_t *b, size_t len)
{
	assert_true(len > TREF_IP4_CSUM + 2);
	assert_memory_equal(a, b, TREF_IP4_ID);
	assert_memory_equal(a + TREF_IP4_FRAG, b + TREF_IP4_FRAG, TREF_IP4_CSUM - TREF_IP4_FRAG);
	assert_memory_equal(a + TREF_IP4_SRC, b + TREF_IP4_SRC, len - TREF_IP4_SRC);
}

/* Cuts the plan of p[first..first+k) and compares with the originals. */
static void
check_cut(const struct tungso_plan *pl, size_t first, size_t k, bool ids_masked)
{
	size_t i, len, paylen = payload_of(first, k, pl->hdrlen);

	assert_int_equal(pl->nseg, k);
	assert_int_equal(pl->total, pl->hdrlen + paylen);
	assert_int_equal(tref_nseg(pl, paylen), k);
	for (i = 0; i < k; i++) {
		len = tref_cut(pl, pay, paylen, i, cut, sizeof(cut));
		assert_int_equal(len, pk[first + i].len);
		if (ids_masked)
			assert_equal_but_id(cut, pkt_data(&pk[first + i]), len);
		else
			assert_memory_equal(cut, pkt_data(&pk[first + i]), len);
	}
	assert_int_equal(tref_cut(pl, pay, paylen, k, cut, sizeof(cut)), 0);
}

/* The virtio-net header and the joined headers a GSO write needs. */
static void
check_head(const struct tungso_plan *pl, bool v6, size_t hdrlen, size_t gso)
{
	const uint8_t *ip = pl->head + TUNGSO_VNET_LEN;
	size_t iphl = v6 ? 40 : 20;
	struct virtio_net_hdr v;

	memcpy(&v, pl->head, sizeof(v));
	assert_int_equal(v.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(v.gso_type, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(v.hdr_len, hdrlen);
	assert_int_equal(v.gso_size, gso);
	assert_int_equal(v.csum_start, iphl);
	assert_int_equal(v.csum_offset, 16);
	assert_int_equal(pl->hdrlen, hdrlen);
	assert_int_equal(pl->headlen, TUNGSO_VNET_LEN + hdrlen);
	if (v6) {
		assert_int_equal(tref_get16(ip + TREF_IP6_PLEN), pl->total - 40);
	} else {
		assert_int_equal(tref_get16(ip + TREF_IP4_TOTLEN), pl->total);
		assert_int_equal(tref_sum(ip, 20, 0), 0xffff);
	}
	/* NEEDS_CSUM: the kernel adds the rest to the pseudo-header sum found here. */
	assert_int_equal(tref_get16(ip + iphl + TREF_TCP_CSUM),
	    tref_pseudo(ip, v6, IPPROTO_TCP, pl->total - iphl));
}

static void
check_single(const struct tungso_plan *pl, size_t len)
{
	static const uint8_t zero[TUNGSO_VNET_LEN];

	assert_int_equal(pl->nseg, 1);
	assert_int_equal(pl->headlen, TUNGSO_VNET_LEN);
	assert_int_equal(pl->hdrlen, 0);
	assert_int_equal(pl->total, len);
	assert_memory_equal(pl->head, zero, sizeof(zero));
}

static void
test_v4_run8(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;

	(void)state;
	specs(&b, 8);
	build_all(8);
	assert_int_equal(tungso_plan(pk, 8, &pl), 8);
	check_head(&pl, false, 52, 1448);
	assert_int_equal(pl.total, 52 + 8 * 1448);
	assert_int_equal(pl.head[TUNGSO_VNET_LEN + 20 + TREF_TCP_FLAGS], TREF_ACK);
	check_cut(&pl, 0, 8, false);
}

static void
test_v6_run6(void **state)
{
	struct tref_seg b = seg_base(true);
	struct tungso_plan pl;

	(void)state;
	specs(&b, 6);
	build_all(6);
	assert_int_equal(tungso_plan(pk, 6, &pl), 6);
	check_head(&pl, true, 72, 1448);
	assert_int_equal(pl.total, 72 + 6 * 1448);
	check_cut(&pl, 0, 6, false);
}

static void
test_short_last(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;

	(void)state;
	specs(&b, 6);
	sp[3].plen = 700;
	chain_seq(4, 6);
	build_all(6);
	assert_int_equal(tungso_plan(pk, 6, &pl), 4);
	check_head(&pl, false, 52, 1448);
	assert_int_equal(pl.total, 52 + 3 * 1448 + 700);
	check_cut(&pl, 0, 4, false);
	/* The full segments after it start a run of their own. */
	assert_int_equal(tungso_plan(&pk[4], 2, &pl), 2);
	check_cut(&pl, 4, 2, false);
}

static void
test_psh_mid(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;

	(void)state;
	specs(&b, 5);
	sp[2].flags |= TREF_PSH;
	build_all(5);
	assert_int_equal(tungso_plan(pk, 5, &pl), 3);
	check_head(&pl, false, 52, 1448);
	assert_int_equal(pl.head[TUNGSO_VNET_LEN + 20 + TREF_TCP_FLAGS], TREF_ACK | TREF_PSH);
	check_cut(&pl, 0, 3, false);
	assert_int_equal(tungso_plan(&pk[3], 2, &pl), 2);
	assert_int_equal(pl.head[TUNGSO_VNET_LEN + 20 + TREF_TCP_FLAGS], TREF_ACK);
	check_cut(&pl, 3, 2, false);
}

static void
test_psh_first(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;

	(void)state;
	specs(&b, 4);
	sp[0].flags |= TREF_PSH;
	build_all(4);
	assert_int_equal(tungso_plan(pk, 4, &pl), 1);
	check_single(&pl, pk[0].len);
	assert_int_equal(tungso_plan(&pk[1], 3, &pl), 3);
}

/* What a breaker changes in the packet at its index. */
enum brk_kind {
	B_PORT, B_ADDR, B_SEQGAP, B_SEQBACK, B_ACK, B_WIN, B_TTL, B_TOS, B_OPT, B_OPTLEN,
	B_DF_CLEARED, B_DF_SET, B_FIN, B_SYN, B_RST, B_URG, B_ECE, B_CWR, B_PSH, B_NOACK,
	B_TCP_RESERVED, B_URGPTR, B_IDJUMP, B_IHL6, B_MF, B_FRAGOFF, B_PUREACK, B_UDP,
	B_BIGGER, B_BADTCP, B_BADIP, B_FLOW, B_TO_V4, B_TO_V6, B_ACK_HIGH, B_TRAIL,
	B_PROTO_LIE,
};

/* A change to the packet at index at, which must end the run right before it. */
struct breaker {
	enum brk_kind	kind;
	size_t		at;
	bool		v6;
	bool		nodf;	/* the run is without DF, IDs counting up */
	bool		all;	/* every packet changed: none may join */
};

static void
brk_flag_or_field(struct tref_seg *s, enum brk_kind k)
{
	static const uint8_t flag[] = { [B_FIN] = TREF_FIN, [B_SYN] = TREF_SYN,
	    [B_RST] = TREF_RST, [B_URG] = TREF_URG, [B_ECE] = TREF_ECE, [B_CWR] = TREF_CWR,
	    [B_PSH] = TREF_PSH };

	if (k < sizeof(flag) && flag[k] != 0) {
		s->flags |= flag[k];
		return;
	}
	switch (k) {
	case B_NOACK:		s->flags = 0; break;
	case B_TCP_RESERVED:	s->offlow = 1; break;
	case B_URGPTR:		s->urg = 1; break;
	case B_IDJUMP:		s->id = (uint16_t)(s->id + 2); break;
	case B_IHL6:		s->ip4opt = 1; break;
	case B_MF:		s->frag |= TREF_MF; break;
	case B_FRAGOFF:		s->frag |= 185; break;
	case B_PUREACK:		s->plen = 0; break;
	case B_UDP:		s->proto = IPPROTO_UDP; break;
	case B_BIGGER:		s->plen = 1449; break;
	case B_BADTCP:		s->bad_l4sum = true; break;
	case B_BADIP:		s->bad_ipsum = true; break;
	case B_FLOW:		s->flow ^= 1; break;
	case B_TO_V4:		s->v6 = false; break;
	case B_TO_V6:		s->v6 = true; break;
	case B_TRAIL:		s->trail = true; break;
	case B_PROTO_LIE:	s->ipproto = IPPROTO_UDP; break;
	default:		fail_msg("breaker %d", (int)k);
	}
}

static void
brk_apply(struct tref_seg *s, enum brk_kind k)
{
	switch (k) {
	case B_PORT:		s->dport++; break;
	case B_ADDR:		s->dst[3]++; break;
	case B_SEQGAP:		s->seq += 1; break;
	case B_SEQBACK:		s->seq -= 1448; break;
	case B_ACK:		s->ack += 1448; break;
	case B_ACK_HIGH:	s->ack ^= 0x01000000; break;
	case B_WIN:		s->win++; break;
	case B_TTL:		s->ttl--; break;
	case B_TOS:		s->tos = 0x03; break;	/* ECN CE */
	case B_OPT:		s->opt[7]++; break;	/* a newer TSval */
	case B_OPTLEN:		s->optlen = 16; memset(s->opt + 12, 1, 4); break;
	case B_DF_CLEARED:	s->frag = 0; break;
	case B_DF_SET:		s->frag = TREF_DF; break;
	default:		brk_flag_or_field(s, k);
	}
}

static void
test_breaker(void **state)
{
	const struct breaker *br = *state;
	struct tref_seg b = seg_base(br->v6);
	struct tungso_plan pl;
	size_t i, want = br->at > 0 && !br->all ? br->at : 1;

	if (br->nodf)
		b.frag = 0;
	specs(&b, 6);
	for (i = br->all ? 0 : br->at; i < (br->all ? 6 : br->at + 1); i++)
		brk_apply(&sp[i], br->kind);
	build_all(6);
	/* Without the change all six would have joined (test_v4_run8, test_v6_run6). */
	assert_int_equal(tungso_plan(pk, 6, &pl), want);
	if (want > 1) {
		check_head(&pl, br->v6, br->v6 ? 72 : 52, 1448);
		check_cut(&pl, 0, want, false);
	} else {
		check_single(&pl, pk[0].len);
	}
}

#define BRK(name, kind, where, six, nd) \
	static const struct breaker brk_##name = { kind, where, six, nd, false }
/* The same change on every packet: the rule is about the packet, not the pair. */
#define BRK_ALL(name, kind, six) \
	static const struct breaker brk_##name = { kind, 0, six, false, true }
BRK(port, B_PORT, 3, false, false);
BRK(addr, B_ADDR, 3, false, false);
BRK(seqgap, B_SEQGAP, 3, false, false);
BRK(seqback, B_SEQBACK, 3, false, false);
BRK(ack, B_ACK, 3, false, false);
BRK(win, B_WIN, 3, false, false);
BRK(ttl, B_TTL, 3, false, false);
BRK(tos, B_TOS, 3, false, false);
BRK(opt, B_OPT, 3, false, false);
BRK(optlen, B_OPTLEN, 3, false, false);
BRK(df_cleared, B_DF_CLEARED, 3, false, false);
BRK(df_set, B_DF_SET, 3, false, true);
BRK(fin, B_FIN, 3, false, false);
BRK(syn, B_SYN, 3, false, false);
BRK(rst, B_RST, 3, false, false);
BRK(urg, B_URG, 3, false, false);
BRK(ece, B_ECE, 3, false, false);
BRK(cwr, B_CWR, 3, false, false);
BRK(noack, B_NOACK, 3, false, false);
BRK(tcp_reserved, B_TCP_RESERVED, 3, false, false);
BRK(urgptr, B_URGPTR, 3, false, false);
BRK(nodf_idjump, B_IDJUMP, 3, false, true);
BRK(ihl6, B_IHL6, 3, false, false);
BRK(ihl6_first, B_IHL6, 0, false, false);
BRK(mf, B_MF, 3, false, false);
BRK(fragoff, B_FRAGOFF, 3, false, false);
BRK(mf_first, B_MF, 0, false, false);
BRK(pureack, B_PUREACK, 3, false, false);
BRK(pureack_first, B_PUREACK, 0, false, false);
BRK(udp, B_UDP, 3, false, false);
BRK(udp_first, B_UDP, 0, false, false);
BRK(bigger, B_BIGGER, 1, false, false);
BRK(bigger_later, B_BIGGER, 4, false, false);
BRK(badtcp_3, B_BADTCP, 2, false, false);
BRK(badtcp_1, B_BADTCP, 0, false, false);
BRK(badip, B_BADIP, 3, false, false);
BRK(badip_first, B_BADIP, 0, false, false);
BRK(v6_port, B_PORT, 3, true, false);
BRK(v6_seqgap, B_SEQGAP, 3, true, false);
BRK(v6_flow, B_FLOW, 3, true, false);
BRK(v6_hop, B_TTL, 3, true, false);
BRK(v6_tclass, B_TOS, 3, true, false);
BRK(v6_opt, B_OPT, 3, true, false);
BRK(v6_psh_first, B_PSH, 0, true, false);
BRK(v6_fin, B_FIN, 3, true, false);
BRK(v6_badtcp, B_BADTCP, 2, true, false);
BRK(v6_udp, B_UDP, 3, true, false);
BRK(v4_in_v6, B_TO_V4, 3, true, false);
BRK(v6_in_v4, B_TO_V6, 3, false, false);
BRK(ack_high, B_ACK_HIGH, 3, false, false);
BRK(trail, B_TRAIL, 3, false, false);
BRK(proto_lie, B_PROTO_LIE, 3, false, false);
BRK_ALL(all_trail, B_TRAIL, false);
BRK_ALL(all_v6_trail, B_TRAIL, true);
BRK_ALL(all_proto_lie, B_PROTO_LIE, false);
BRK_ALL(all_v6_proto_lie, B_PROTO_LIE, true);
BRK_ALL(all_mf, B_MF, false);
BRK_ALL(all_fragoff, B_FRAGOFF, false);
BRK_ALL(all_ihl6, B_IHL6, false);
BRK_ALL(all_tcp_reserved, B_TCP_RESERVED, false);
BRK_ALL(all_urgptr, B_URGPTR, false);
BRK_ALL(all_ece, B_ECE, false);
BRK_ALL(all_cwr, B_CWR, false);
BRK_ALL(all_urg, B_URG, false);
BRK_ALL(all_fin, B_FIN, false);
BRK_ALL(all_udp, B_UDP, true);

#define BREAKER(name) \
	{ "breaker_" #name, test_breaker, NULL, NULL, (void *)(uintptr_t)&brk_##name }

/* RFC 6864: with DF the ID carries nothing, so equal IDs still join. */
static void
test_df_equal_ids(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;
	size_t i;

	(void)state;
	specs(&b, 6);
	for (i = 0; i < 6; i++)
		sp[i].id = 0;
	build_all(6);
	assert_int_equal(tungso_plan(pk, 6, &pl), 6);
	check_head(&pl, false, 52, 1448);
	check_cut(&pl, 0, 6, true);
}

/* Without DF the IDs must count up as the cut makes them, across 65535. */
static void
test_nodf_ids_wrap(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;

	(void)state;
	b.frag = 0;
	b.id = 0xfffd;
	specs(&b, 6);
	build_all(6);
	assert_int_equal(tungso_plan(pk, 6, &pl), 6);
	check_cut(&pl, 0, 6, false);
}

/*
 * Two bytes after each IP packet, which a reader taking the buffer's
 * length for the packet's would join as payload: the checksum still
 * verifies and the sequence numbers continue under that reading too.
 */
static void
test_trailing_bytes(void **state)
{
	struct tungso_plan pl;
	size_t i, fam;

	(void)state;
	for (fam = 0; fam < 2; fam++) {
		sp[0] = seg_base(fam == 1);
		sp[0].trail = true;
		specs(&sp[0], 6);
		for (i = 1; i < 6; i++)
			sp[i].seq = sp[i - 1].seq + (uint32_t)sp[i - 1].plen + 2;
		build_all(6);
		for (i = 0; i < 6; i++) {
			assert_int_equal(tungso_plan(&pk[i], 6 - i, &pl), 1);
			check_single(&pl, pk[i].len);
		}
	}
}

static void
test_total_limit(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;

	(void)state;
	specs(&b, 46);
	build_all(46);
	/* 52 + 45 * 1448 = 65212; one more segment would pass 65535. */
	assert_int_equal(tungso_plan(pk, 46, &pl), 45);
	assert_int_equal(pl.total, 52 + 45 * 1448);
	check_cut(&pl, 0, 45, false);
	/* A last segment that brings the total to exactly 65535 still joins. */
	sp[45].plen = 323;
	build_all(46);
	assert_int_equal(tungso_plan(pk, 46, &pl), 46);
	assert_int_equal(pl.total, TUNGSO_MAX_LEN);
	check_cut(&pl, 0, 46, false);
	sp[45].plen = 324;
	build_all(46);
	assert_int_equal(tungso_plan(pk, 46, &pl), 45);
}

static void
test_single(void **state)
{
	struct tref_seg b = seg_base(true);
	struct tungso_plan pl;

	(void)state;
	specs(&b, 2);
	build_all(2);
	assert_int_equal(tungso_plan(pk, 1, &pl), 1);
	check_single(&pl, pk[0].len);
	/* The same packet is run 2 when its successor is offered. */
	assert_int_equal(tungso_plan(pk, 2, &pl), 2);
}

/* p[idx] cut to len bytes at the very end of a heap block, for ASan. */
static uint8_t *
truncate_at_end(size_t idx, size_t len)
{
	uint8_t *m = malloc(HEADROOM + len);

	assert_non_null(m);
	memcpy(m + HEADROOM, pkt_data(&pk[idx]), len);
	pkt_init(&pk[idx], m, HEADROOM + len, HEADROOM);
	assert_non_null(pkt_put(&pk[idx], len));
	return m;
}

static void
test_truncated(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;
	size_t idx, len, full, k;
	uint8_t *m;

	(void)state;
	specs(&b, 2);
	build_all(2);
	full = pk[0].len;
	for (idx = 0; idx < 2; idx++) {
		for (len = 0; len <= full; len++) {
			build_all(2);
			m = truncate_at_end(idx, len);
			k = tungso_plan(pk, 2, &pl);
			assert_int_equal(k, len == full ? 2 : 1);
			assert_int_equal(pl.nseg, k);
			if (k == 1)
				check_single(&pl, pk[0].len);
			else
				check_cut(&pl, 0, 2, false);
			free(m);
		}
	}
}

static void
test_truncated_v6(void **state)
{
	struct tref_seg b = seg_base(true);
	struct tungso_plan pl;
	size_t idx, len, full;
	uint8_t *m;

	(void)state;
	specs(&b, 2);
	build_all(2);
	full = pk[0].len;
	for (idx = 0; idx < 2; idx++) {
		for (len = 0; len < full; len++) {
			build_all(2);
			m = truncate_at_end(idx, len);
			assert_int_equal(tungso_plan(pk, 2, &pl), 1);
			check_single(&pl, pk[0].len);
			free(m);
		}
	}
}

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/* tungso's native-order fold, stored, against the big-endian reference. */
/* The folded sum, as tref_sum() gives it: pkt_csum_fold() complements it. */
static uint32_t
folded(uint64_t sum)
{
	return (uint16_t)~pkt_csum_fold(sum);
}

/* tunneld's one Internet checksum (pkt.c), which the join uses throughout. */
static void
test_sum(void **state)
{
	static uint8_t buf[302];
	uint32_t x = 7;
	uint64_t carry;
	size_t len, al, i, m;

	(void)state;
	for (len = 0; len <= 300; len++) {
		for (al = 0; al < 2; al++) {
			for (i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)lcg(&x);
			assert_int_equal(folded(pkt_csum_add(0, buf + al, len)),
			    tref_sum(buf + al, len, 0));
			assert_int_equal(folded(pkt_csum_add(0xffff, buf + al, len)),
			    tref_sum(buf + al, len, 0xffff));
			/* A sum carried in from an even-length prefix. */
			m = len / 2 & ~(size_t)1;
			carry = pkt_csum_add(0, buf + al, m);
			assert_int_equal(folded(pkt_csum_add(carry, buf + al + m, len - m)),
			    tref_sum(buf + al, len, 0));
		}
	}
}

static void
test_sum_large(void **state)
{
	static uint8_t buf[TUNGSO_MAX_LEN];

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(folded(pkt_csum_add(0xffff, buf, sizeof(buf))),
	    tref_sum(buf, sizeof(buf), 0xffff));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(folded(pkt_csum_add(0, buf, sizeof(buf))), 0);
	buf[sizeof(buf) - 1] = 0x80;
	assert_int_equal(folded(pkt_csum_add(0, buf, sizeof(buf))), 0x8000);
}

static ssize_t
recv_one(int fd, uint8_t *buf, size_t cap)
{
	ssize_t r;

	do {
		r = recv(fd, buf, cap, MSG_DONTWAIT);
	} while (r == -1 && errno == EINTR);
	return r;
}

static void
test_write_plan(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;
	size_t paylen;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	specs(&b, 8);
	sp[7].plen = 100;
	build_all(8);
	assert_int_equal(tungso_plan(pk, 8, &pl), 8);
	assert_int_equal(tun_write_plan(sv[0], &pl, pk), 0);
	paylen = payload_of(0, 8, pl.hdrlen);
	assert_int_equal(recv_one(sv[1], cut, sizeof(cut)), pl.headlen + paylen);
	assert_memory_equal(cut, pl.head, pl.headlen);
	assert_memory_equal(cut + pl.headlen, pay, paylen);
	/* One packet: an empty virtio-net header, then the packet as it is. */
	assert_int_equal(tungso_plan(&pk[7], 1, &pl), 1);
	assert_int_equal(tun_write_plan(sv[0], &pl, &pk[7]), 0);
	assert_int_equal(recv_one(sv[1], cut, sizeof(cut)), TUNGSO_VNET_LEN + pk[7].len);
	assert_memory_equal(cut, pl.head, TUNGSO_VNET_LEN);
	assert_memory_equal(cut + TUNGSO_VNET_LEN, pkt_data(&pk[7]), pk[7].len);
	assert_int_equal(recv_one(sv[1], cut, sizeof(cut)), -1);
	assert_int_equal(errno, EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A run stops at TUNGSO_MAX_SEGS, which tun_write_plan takes whole; a
 * plan beyond its iovecs is refused, never overrun.
 */
static void
test_write_plan_too_long(void **state)
{
	struct tref_seg b = seg_base(false);
	struct tungso_plan pl;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	b.plen = 8;
	specs(&b, TUNGSO_MAX_SEGS + 1);
	build_all(TUNGSO_MAX_SEGS + 1);
	assert_int_equal(tungso_plan(pk, TUNGSO_MAX_SEGS + 1, &pl), TUNGSO_MAX_SEGS);
	check_cut(&pl, 0, TUNGSO_MAX_SEGS, false);
	assert_int_equal(tun_write_plan(sv[0], &pl, pk), 0);
	assert_int_equal(recv_one(sv[1], cut, sizeof(cut)), pl.headlen + TUNGSO_MAX_SEGS * 8);
	assert_int_equal(tungso_plan(pk + TUNGSO_MAX_SEGS, 1, &pl), 1);
	pl.nseg = TUN_PLAN_MAX + 1;
	errno = 0;
	assert_int_equal(tun_write_plan(sv[0], &pl, pk), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(recv_one(sv[1], cut, sizeof(cut)), -1);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_run8),
		cmocka_unit_test(test_v6_run6),
		cmocka_unit_test(test_short_last),
		cmocka_unit_test(test_psh_mid),
		cmocka_unit_test(test_psh_first),
		BREAKER(port), BREAKER(addr), BREAKER(seqgap), BREAKER(seqback),
		BREAKER(ack), BREAKER(win), BREAKER(ttl), BREAKER(tos), BREAKER(opt),
		BREAKER(optlen), BREAKER(df_cleared), BREAKER(df_set), BREAKER(fin),
		BREAKER(syn), BREAKER(rst), BREAKER(urg), BREAKER(ece), BREAKER(cwr),
		BREAKER(noack), BREAKER(tcp_reserved), BREAKER(urgptr),
		BREAKER(nodf_idjump), BREAKER(ihl6), BREAKER(ihl6_first), BREAKER(mf),
		BREAKER(fragoff), BREAKER(mf_first), BREAKER(pureack),
		BREAKER(pureack_first), BREAKER(udp), BREAKER(udp_first),
		BREAKER(bigger), BREAKER(bigger_later), BREAKER(badtcp_3),
		BREAKER(badtcp_1), BREAKER(badip), BREAKER(badip_first),
		BREAKER(v6_port), BREAKER(v6_seqgap), BREAKER(v6_flow), BREAKER(v6_hop),
		BREAKER(v6_tclass), BREAKER(v6_opt), BREAKER(v6_psh_first), BREAKER(v6_fin),
		BREAKER(v6_badtcp), BREAKER(v6_udp), BREAKER(v4_in_v6), BREAKER(v6_in_v4),
		BREAKER(ack_high), BREAKER(trail), BREAKER(proto_lie), BREAKER(all_trail),
		BREAKER(all_v6_trail), BREAKER(all_proto_lie), BREAKER(all_v6_proto_lie),
		BREAKER(all_mf), BREAKER(all_fragoff), BREAKER(all_ihl6),
		BREAKER(all_tcp_reserved), BREAKER(all_urgptr), BREAKER(all_ece),
		BREAKER(all_cwr), BREAKER(all_urg), BREAKER(all_fin), BREAKER(all_udp),
		cmocka_unit_test(test_df_equal_ids),
		cmocka_unit_test(test_nodf_ids_wrap),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_total_limit),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_truncated_v6),
		cmocka_unit_test(test_sum),
		cmocka_unit_test(test_sum_large),
		cmocka_unit_test(test_write_plan),
		cmocka_unit_test(test_write_plan_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
