/* tungso.c: joining a flow's TCP segments for the TUN; see tungso.h. */
#include <linux/virtio_net.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "pkt.h"
#include "tungso.h"

#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_CSUM_OFF	16	/* of the checksum in the TCP header */
#define IP4_DF		0x4000

/* What one packet says, for the join; views into its buffer. */
struct seg {
	const uint8_t	*ip;
	const uint8_t	*th;
	size_t		 len;		/* of the IP packet */
	size_t		 iphl;
	size_t		 thl;
	size_t		 plen;		/* TCP payload */
	bool		 v6;
	uint32_t	 seq;
	uint16_t	 id;		/* IPv4 */
	bool		 df;		/* IPv4 */
	uint8_t		 flags;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The TCP pseudo-header sum (RFC 793, RFC 8200 8.1) for tcplen <= 65535 bytes. */
static uint64_t
pseudo_sum(const struct seg *s, size_t tcplen)
{
	if (s->v6)
		return pkt_csum_add(IPPROTO_TCP + tcplen, s->ip + 8, 32);
	return pkt_csum_add(IPPROTO_TCP + tcplen, s->ip + 12, 8);
}

static bool
seg_csum_ok(const struct seg *s)
{
	size_t tcplen = s->len - s->iphl;

	return pkt_csum_fold(pkt_csum_add(pseudo_sum(s, tcplen), s->th, tcplen)) == 0;
}

/* IPv4 without options or fragments, carrying TCP, its header checksum right. */
static bool
seg_ip4(struct seg *s, struct rd *r)
{
	uint16_t totlen, frag;
	uint8_t vihl, proto;

	rd_u8(r, &vihl);
	rd_skip(r, 1);
	rd_u16be(r, &totlen);
	rd_u16be(r, &s->id);
	rd_u16be(r, &frag);
	rd_skip(r, 1);
	rd_u8(r, &proto);
	rd_skip(r, 10);	/* checksum (pkt_ipv4_csum_ok() below), addresses */
	if (r->err || vihl != 0x45 || proto != IPPROTO_TCP || totlen != s->len ||
	    (frag & ~IP4_DF) != 0 || !pkt_ipv4_csum_ok(s->ip, s->len))
		return false;
	s->iphl = 20;
	s->df = (frag & IP4_DF) != 0;
	return true;
}

/* IPv6 whose next header is TCP, its payload length exact. */
static bool
seg_ip6(struct seg *s, struct rd *r)
{
	uint16_t plen;
	uint8_t next;

	rd_skip(r, 4);
	rd_u16be(r, &plen);
	rd_u8(r, &next);
	rd_skip(r, 33);
	if (r->err || next != IPPROTO_TCP || (size_t)plen + 40 != s->len)
		return false;
	s->iphl = 40;
	s->v6 = true;
	return true;
}

/* The TCP header: data, ACK and at most PSH, no urgent pointer, options in s->len. */
static bool
seg_tcp(struct seg *s, struct rd *r)
{
	uint16_t urg;
	uint8_t off;

	rd_skip(r, 4);
	rd_u32be(r, &s->seq);
	rd_skip(r, 4);
	rd_u8(r, &off);
	rd_u8(r, &s->flags);
	rd_skip(r, 4);
	rd_u16be(r, &urg);
	s->thl = (size_t)(off >> 4) * 4;
	if (r->err || s->thl < 20 || (off & 0x0f) != 0 || urg != 0 ||
	    (s->flags & ~TCP_PSH) != TCP_ACK || rd_skip(r, s->thl - 20) != 0 || rd_left(r) == 0)
		return false;
	s->plen = rd_left(r);
	return true;
}

/* Parses a candidate: plain IPv4 or IPv6 TCP with data, ACK and at most PSH. */
static bool
seg_parse(const struct pkt_buf *b, struct seg *s)
{
	struct rd r = rd_init(pkt_data(b), b->len);
	bool ok;

	memset(s, 0, sizeof(*s));
	s->ip = pkt_data(b);
	s->len = b->len;
	if (s->len < 1 || s->len > TUNGSO_MAX_LEN)
		return false;
	switch (s->ip[0] >> 4) {
	case 4:
		ok = seg_ip4(s, &r);
		break;
	case 6:
		ok = seg_ip6(s, &r);
		break;
	default:
		return false;
	}
	if (!ok)
		return false;
	s->th = s->ip + s->iphl;
	return seg_tcp(s, &r);
}

/*
 * Whether c, the k-th segment after f, continues f's run: the fields
 * the kernel copies into every segment when it cuts must be c's too.
 */
static bool
seg_follows(const struct seg *f, const struct seg *c, size_t k, uint32_t next_seq)
{
	if (c->v6 != f->v6 || c->thl != f->thl || c->plen > f->plen || c->seq != next_seq)
		return false;
	if (f->v6) {
		/* Version, traffic class, flow label; addresses; hop limit. */
		if (memcmp(c->ip, f->ip, 4) != 0 || memcmp(c->ip + 7, f->ip + 7, 33) != 0)
			return false;
	} else {
		/* ToS; DF; TTL and protocol; addresses. The IDs count up under GSO. */
		if (c->ip[1] != f->ip[1] || memcmp(c->ip + 6, f->ip + 6, 4) != 0 ||
		    memcmp(c->ip + 12, f->ip + 12, 8) != 0)
			return false;
		if (!f->df && c->id != (uint16_t)(f->id + k))
			return false;
	}
	/* Ports, ACK number, data offset, window; then the options. */
	return memcmp(c->th, f->th, 4) == 0 && memcmp(c->th + 8, f->th + 8, 5) == 0 &&
	    memcmp(c->th + 14, f->th + 14, 2) == 0 &&
	    memcmp(c->th + 20, f->th + 20, f->thl - 20) == 0;
}

/* How many of p[0..n) make f's run (at least 1), checksums verified. */
static size_t
run_length(const struct pkt_buf *p, size_t n, const struct seg *f, struct seg *last)
{
	uint32_t next = f->seq + (uint32_t)f->plen;
	size_t k, total = f->len;
	struct seg c;

	*last = *f;
	if (f->flags & TCP_PSH)
		return 1;
	for (k = 1; k < n && k < TUNGSO_MAX_SEGS; k++) {
		if (!seg_parse(&p[k], &c) || !seg_follows(f, &c, k, next) ||
		    total + c.plen > TUNGSO_MAX_LEN)
			break;
		/* The first one's checksum only now: a segment written alone needs none. */
		if ((k == 1 && !seg_csum_ok(f)) || !seg_csum_ok(&c))
			break;
		total += c.plen;
		next += (uint32_t)c.plen;
		*last = c;
		/* A short segment or a push ends the run: it can only be last. */
		if (c.plen < f->plen || (c.flags & TCP_PSH)) {
			k++;
			break;
		}
	}
	return k;
}

static void
vnet_put(uint8_t *h, uint8_t flags, uint8_t gso_type, size_t hdr_len, size_t gso_size,
    size_t csum_start, size_t csum_offset)
{
	/* Legacy virtio-net fields are in the host's byte order (no TUNSETVNETLE). */
	struct virtio_net_hdr v = {
		.flags = flags, .gso_type = gso_type, .hdr_len = (uint16_t)hdr_len,
		.gso_size = (uint16_t)gso_size, .csum_start = (uint16_t)csum_start,
		.csum_offset = (uint16_t)csum_offset,
	};

	_Static_assert(sizeof(v) == TUNGSO_VNET_LEN, "virtio_net_hdr without num_buffers");
	memcpy(h, &v, sizeof(v));
}

/* The joined packet's headers: f's, with the whole's lengths, PSH and checksums. */
static void
plan_head(struct tungso_plan *pl, const struct seg *f, const struct seg *last)
{
	uint8_t *ip = pl->head + TUNGSO_VNET_LEN, *th;

	memcpy(ip, f->ip, pl->hdrlen);
	th = ip + f->iphl;
	th[13] |= last->flags & TCP_PSH;
	if (f->v6) {
		put16(ip + 4, (uint16_t)(pl->total - 40));
	} else {
		put16(ip + 2, (uint16_t)pl->total);
		memset(ip + 10, 0, 2);
		put16(ip + 10, pkt_csum_fold(pkt_csum_add(0, ip, 20)));
	}
	/* NEEDS_CSUM: the field holds the pseudo-header sum, not complemented. */
	put16(th + TCP_CSUM_OFF, (uint16_t)~pkt_csum_fold(pseudo_sum(f, pl->total - f->iphl)));
	vnet_put(pl->head, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    f->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4, pl->hdrlen, f->plen,
	    f->iphl, TCP_CSUM_OFF);
	pl->headlen = TUNGSO_VNET_LEN + pl->hdrlen;
}

size_t
tungso_plan(const struct pkt_buf *p, size_t n, struct tungso_plan *pl)
{
	struct seg f, last;
	size_t k;

	memset(pl->head, 0, TUNGSO_VNET_LEN);
	pl->headlen = TUNGSO_VNET_LEN;
	pl->hdrlen = 0;
	pl->nseg = 1;
	pl->total = p[0].len;
	if (n < 2 || !seg_parse(&p[0], &f) || (k = run_length(p, n, &f, &last)) < 2)
		return 1;
	pl->nseg = k;
	pl->hdrlen = f.iphl + f.thl;
	pl->total = f.len + (size_t)(last.seq - f.seq) - f.plen + last.plen;
	plan_head(pl, &f, &last);
	return k;
}
