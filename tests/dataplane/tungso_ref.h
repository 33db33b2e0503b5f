/*
 * tungso_ref.h: an independent model of what tungso.c must preserve,
 * shared by test_tungso.c and fuzz_tungso.c: a builder of IPv4/IPv6 TCP
 * (or UDP) segments with correct checksums, a byte-wise big-endian
 * Internet checksum, and the kernel's GSO cut of a joined packet back
 * into segments. Nothing here calls tungso.c, so a bug there cannot
 * cancel out against the same bug here.
 */
#ifndef TESTS_DATAPLANE_TUNGSO_REF_H
#define TESTS_DATAPLANE_TUNGSO_REF_H

#include <linux/virtio_net.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "tungso.h"

#define TREF_IP4_TOTLEN	2
#define TREF_IP4_ID	4
#define TREF_IP4_FRAG	6
#define TREF_IP4_CSUM	10
#define TREF_IP4_SRC	12
#define TREF_IP6_PLEN	4
#define TREF_IP6_SRC	8
#define TREF_TCP_SEQ	4
#define TREF_TCP_FLAGS	13
#define TREF_TCP_CSUM	16
#define TREF_UDP_CSUM	6

#define TREF_FIN	0x01
#define TREF_SYN	0x02
#define TREF_RST	0x04
#define TREF_PSH	0x08
#define TREF_ACK	0x10
#define TREF_URG	0x20
#define TREF_ECE	0x40
#define TREF_CWR	0x80
#define TREF_DF		0x4000
#define TREF_MF		0x2000

/* One segment to build; every header field the join looks at is here. */
struct tref_seg {
	bool		v6;
	uint8_t		src[16], dst[16];	/* IPv4 uses the first 4 bytes */
	uint8_t		proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t		tos;			/* ToS / traffic class */
	uint8_t		ttl;			/* TTL / hop limit */
	uint16_t	frag;			/* IPv4 flags and fragment offset */
	uint16_t	id;			/* IPv4 */
	uint32_t	flow;			/* IPv6 flow label, 20 bits */
	uint8_t		ip4opt;			/* IPv4 option words (NOPs) */
	uint16_t	sport, dport;
	uint32_t	seq, ack;
	uint8_t		flags;
	uint8_t		offlow;			/* data offset byte, low nibble */
	uint16_t	win, urg;
	uint8_t		opt[40];
	size_t		optlen;			/* a multiple of 4 */
	size_t		plen;			/* payload bytes */
	bool		bad_ipsum, bad_l4sum;	/* flip a checksum bit */
	uint8_t		ipproto;		/* if not 0: the IP header's claim */
	bool		trail;			/* 2 bytes after the IP packet */
};

/* Payload byte at stream position x: the joined payload stays a pattern. */
static inline uint8_t
tref_pat(uint32_t x)
{
	return (uint8_t)((x * 2654435761u) >> 24);
}

/* Internet checksum sum of len bytes as big-endian 16-bit words, plus sum. */
static inline uint32_t
tref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

static inline uint16_t
tref_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
tref_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
tref_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Pseudo-header sum of the L4 bytes of ip (v6 or not) for l4len bytes. */
static inline uint32_t
tref_pseudo(const uint8_t *ip, bool v6, uint8_t proto, size_t l4len)
{
	uint8_t tail[4] = { 0, proto, (uint8_t)(l4len >> 8), (uint8_t)l4len };

	if (v6)
		return tref_sum(tail, 4, tref_sum(ip + TREF_IP6_SRC, 32, 0));
	return tref_sum(tail, 4, tref_sum(ip + TREF_IP4_SRC, 8, 0));
}

/* Stores the complemented checksum of ip[start..len) (plus sum) at at. */
static inline void
tref_fill_csum(uint8_t *ip, size_t start, size_t len, size_t at, uint32_t sum)
{
	tref_put16(ip + at, 0);
	tref_put16(ip + at, (uint16_t)~tref_sum(ip + start, len - start, sum));
}

static inline void
tref_ip_hdr(struct wr *w, const struct tref_seg *s, size_t l4len)
{
	size_t i;

	if (s->v6) {
		wr_u32be(w, 6u << 28 | (uint32_t)s->tos << 20 | (s->flow & 0xfffff));
		wr_u16be(w, (uint16_t)l4len);
		wr_u8(w, s->ipproto != 0 ? s->ipproto : s->proto);
		wr_u8(w, s->ttl);
		wr_bytes(w, s->src, 16);
		wr_bytes(w, s->dst, 16);
		return;
	}
	wr_u8(w, (uint8_t)(0x45 + s->ip4opt));
	wr_u8(w, s->tos);
	wr_u16be(w, (uint16_t)(20 + 4 * s->ip4opt + l4len));
	wr_u16be(w, s->id);
	wr_u16be(w, s->frag);
	wr_u8(w, s->ttl);
	wr_u8(w, s->ipproto != 0 ? s->ipproto : s->proto);
	wr_u16be(w, 0);
	wr_bytes(w, s->src, 4);
	wr_bytes(w, s->dst, 4);
	for (i = 0; i < 4u * s->ip4opt; i++)
		wr_u8(w, 1);
}

static inline void
tref_l4_hdr(struct wr *w, const struct tref_seg *s, size_t l4len)
{
	size_t i;

	wr_u16be(w, s->sport);
	wr_u16be(w, s->dport);
	if (s->proto != IPPROTO_TCP) {
		wr_u16be(w, (uint16_t)l4len);
		wr_u16be(w, 0);
	} else {
		wr_u32be(w, s->seq);
		wr_u32be(w, s->ack);
		wr_u8(w, (uint8_t)((20 + s->optlen) / 4 << 4 | (s->offlow & 0x0f)));
		wr_u8(w, s->flags);
		wr_u16be(w, s->win);
		wr_u16be(w, 0);
		wr_u16be(w, s->urg);
		wr_bytes(w, s->opt, s->optlen);
	}
	for (i = 0; i < s->plen; i++)
		wr_u8(w, tref_pat(s->seq + (uint32_t)i));
}

/*
 * Appends the word that keeps the L4 checksum right also for a reader
 * that takes the 2 bytes after the IP packet as part of it (for an even
 * L4 length, where the word is aligned).
 */
static inline void
tref_trail(struct wr *w, const struct tref_seg *s, size_t iphl)
{
	uint32_t sum = tref_pseudo(w->p, s->v6, s->proto, w->off + 2 - iphl);

	wr_u16be(w, (uint16_t)~tref_sum(w->p + iphl, w->off - iphl, sum));
}

/*
 * Builds s into out[0..cap) with correct IP header and L4 checksums
 * (but for the bad_* bits asked for; the L4 checksum always uses
 * s->proto, whatever ipproto claims); returns its length, or 0 if it
 * does not fit.
 */
static inline size_t
tref_build(const struct tref_seg *s, uint8_t *out, size_t cap)
{
	struct wr w = wr_init(out, cap);
	size_t iphl = s->v6 ? 40 : 20 + 4 * (size_t)s->ip4opt;
	size_t l4hl = s->proto == IPPROTO_TCP ? 20 + s->optlen : 8;
	size_t l4len = l4hl + s->plen;
	size_t at = iphl + (s->proto == IPPROTO_TCP ? TREF_TCP_CSUM : TREF_UDP_CSUM);

	tref_ip_hdr(&w, s, l4len);
	tref_l4_hdr(&w, s, l4len);
	if (w.err != 0 || w.off != iphl + l4len)
		return 0;
	if (!s->v6) {
		tref_fill_csum(out, 0, iphl, TREF_IP4_CSUM, 0);
		out[TREF_IP4_CSUM + 1] ^= s->bad_ipsum ? 0x01 : 0;
	}
	tref_fill_csum(out, iphl, w.off, at, tref_pseudo(out, s->v6, s->proto, l4len));
	out[at + 1] ^= s->bad_l4sum ? 0x01 : 0;
	if (s->trail)
		tref_trail(&w, s, iphl);
	return w.err == 0 ? w.off : 0;
}

/*
 * The GSO parameters of a joined plan, checked for what the kernel
 * needs (tun's virtio_net_hdr_to_skb and tcp_gso_segment); false if the
 * head is not a TCP GSO request tref_cut can follow.
 */
static inline bool
tref_vnet(const struct tungso_plan *pl, struct virtio_net_hdr *v, size_t *iphl)
{
	memcpy(v, pl->head, sizeof(*v));
	if (v->flags != VIRTIO_NET_HDR_F_NEEDS_CSUM || v->csum_offset != TREF_TCP_CSUM ||
	    v->gso_size == 0 || v->hdr_len != pl->hdrlen ||
	    pl->headlen != TUNGSO_VNET_LEN + pl->hdrlen || pl->hdrlen > TUNGSO_HEAD_MAX)
		return false;
	if (v->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && (pl->head[TUNGSO_VNET_LEN] >> 4) == 4)
		*iphl = 20;
	else if (v->gso_type == VIRTIO_NET_HDR_GSO_TCPV6 &&
	    (pl->head[TUNGSO_VNET_LEN] >> 4) == 6)
		*iphl = 40;
	else
		return false;
	return v->csum_start == *iphl && pl->hdrlen >= *iphl + 20;
}

/*
 * Whether the joined headers are what the kernel needs besides the
 * virtio-net header: the lengths of the whole, a valid IPv4 header
 * checksum, and in the TCP checksum field the pseudo-header sum (not
 * complemented) that NEEDS_CSUM completes.
 */
static inline bool
tref_head_ok(const struct tungso_plan *pl)
{
	const uint8_t *ip = pl->head + TUNGSO_VNET_LEN;
	struct virtio_net_hdr v;
	size_t iphl;

	if (!tref_vnet(pl, &v, &iphl) || pl->total > TUNGSO_MAX_LEN || pl->total < pl->hdrlen)
		return false;
	if (iphl == 40 && tref_get16(ip + TREF_IP6_PLEN) != pl->total - 40)
		return false;
	if (iphl == 20 && (tref_get16(ip + TREF_IP4_TOTLEN) != pl->total ||
	    tref_sum(ip, 20, 0) != 0xffff))
		return false;
	return tref_get16(ip + iphl + TREF_TCP_CSUM) ==
	    tref_pseudo(ip, iphl == 40, IPPROTO_TCP, pl->total - iphl);
}

/* Segments the kernel cuts a joined payload of paylen bytes into; 0: none. */
static inline size_t
tref_nseg(const struct tungso_plan *pl, size_t paylen)
{
	struct virtio_net_hdr v;
	size_t iphl;

	if (!tref_vnet(pl, &v, &iphl))
		return 0;
	return (paylen + v.gso_size - 1) / v.gso_size;
}

/* The header fields the kernel rewrites in segment i of n, n bytes of payload. */
static inline void
tref_cut_hdr(uint8_t *o, size_t iphl, size_t hdrlen, size_t i, uint32_t off, bool last,
    size_t n)
{
	uint8_t *th = o + iphl;
	uint32_t seq = tref_get32(th + TREF_TCP_SEQ) + off;

	if (iphl == 40) {
		tref_put16(o + TREF_IP6_PLEN, (uint16_t)(hdrlen - 40 + n));
	} else {
		tref_put16(o + TREF_IP4_TOTLEN, (uint16_t)(hdrlen + n));
		tref_put16(o + TREF_IP4_ID, (uint16_t)(tref_get16(o + TREF_IP4_ID) + i));
		tref_fill_csum(o, 0, 20, TREF_IP4_CSUM, 0);
	}
	tref_put16(th + TREF_TCP_SEQ, (uint16_t)(seq >> 16));
	tref_put16(th + TREF_TCP_SEQ + 2, (uint16_t)seq);
	if (!last)
		th[TREF_TCP_FLAGS] &= (uint8_t)~(TREF_PSH | TREF_FIN);
}

/*
 * Segment i of the packet joined in pl, whose payload is pay[0..paylen),
 * as the kernel's GSO cuts it: header from the head, lengths, IPv4 ID
 * and header checksum, sequence number, PSH/FIN and the full TCP
 * checksum redone. Returns its length in out, 0 if there is no segment i
 * or the head is not a TCP GSO request.
 */
static inline size_t
tref_cut(const struct tungso_plan *pl, const uint8_t *pay, size_t paylen, size_t i,
    uint8_t *out, size_t cap)
{
	struct virtio_net_hdr v;
	struct wr w = wr_init(out, cap);
	size_t iphl, start, n;

	if (!tref_vnet(pl, &v, &iphl) || i >= paylen / v.gso_size + 1)
		return 0;
	start = i * v.gso_size;
	if (start >= paylen)
		return 0;
	n = paylen - start < v.gso_size ? paylen - start : v.gso_size;
	wr_bytes(&w, pl->head + TUNGSO_VNET_LEN, pl->hdrlen);
	wr_bytes(&w, pay + start, n);
	if (w.err != 0)
		return 0;
	tref_cut_hdr(out, iphl, pl->hdrlen, i, (uint32_t)start, start + n == paylen, n);
	tref_fill_csum(out, iphl, w.off, iphl + TREF_TCP_CSUM,
	    tref_pseudo(out, iphl == 40, IPPROTO_TCP, w.off - iphl));
	return w.off;
}

#endif
