/* tungso.c: joining a flow's TCP segments for the TUN; see tungso.h. */
#include <linux/virtio_net.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <string.h>

#include "tungso.h"

#define TCP_FIN		0x01
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
	uint8_t		 flags;
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Summed in native byte order, whose one's complement sum is the
 * network-order one byte-swapped (RFC 1071 2.B): stored back with a
 * native 16-bit store it comes out right.
 */
uint32_t
tungso_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t acc = sum;
	uint32_t w;
	uint16_t h;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		acc += w;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		h = 0;
		memcpy(&h, p, 1);
		acc += h;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t
tungso_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The TCP pseudo-header sum (RFC 793, RFC 8200 8.1) for tcplen bytes. */
static uint32_t
pseudo_sum(const struct seg *s, size_t tcplen)
{
	/* Protocol and length sum the same in both; IPv6's high length bits are 0. */
	const uint8_t tail[4] = { 0, IPPROTO_TCP, (uint8_t)(tcplen >> 8), (uint8_t)tcplen };

	if (s->v6)
		return tungso_sum(tail, 4, tungso_sum(s->ip + 8, 32, 0));
	return tungso_sum(tail, 4, tungso_sum(s->ip + 12, 8, 0));
}

static bool
seg_csum_ok(const struct seg *s)
{
	uint32_t sum = pseudo_sum(s, s->len - s->iphl);

	return tungso_fold(tungso_sum(s->th, s->len - s->iphl, sum)) == 0xffff;
}

static bool
seg_ip4(struct seg *s)
{
	const uint8_t *p = s->ip;

	if (s->len < 20 || (p[0] & 0x0f) != 5 || p[9] != IPPROTO_TCP ||
	    get16(p + 2) != s->len || (get16(p + 6) & ~IP4_DF) != 0)
		return false;
	if (tungso_fold(tungso_sum(p, 20, 0)) != 0xffff)
		return false;
	s->iphl = 20;
	s->id = get16(p + 4);
	return true;
}

static bool
seg_ip6(struct seg *s)
{
	const uint8_t *p = s->ip;

	if (s->len < 40 || p[6] != IPPROTO_TCP || (size_t)get16(p + 4) + 40 != s->len)
		return false;
	s->iphl = 40;
	s->v6 = true;
	return true;
}

/* Parses a candidate: plain IPv4 or IPv6 TCP with data, ACK and at most PSH. */
static bool
seg_parse(const struct pkt_buf *b, struct seg *s)
{
	memset(s, 0, sizeof(*s));
	s->ip = pkt_data(b);
	s->len = b->len;
	if (s->len < 1 || s->len > TUNGSO_MAX_LEN)
		return false;
	switch (s->ip[0] >> 4) {
	case 4:
		if (!seg_ip4(s))
			return false;
		break;
	case 6:
		if (!seg_ip6(s))
			return false;
		break;
	default:
		return false;
	}
	if (s->len < s->iphl + 20)
		return false;
	s->th = s->ip + s->iphl;
	s->thl = (size_t)(s->th[12] >> 4) * 4;
	if (s->thl < 20 || s->iphl + s->thl >= s->len || (s->th[12] & 0x0f) != 0)
		return false;
	s->flags = s->th[13];
	if ((s->flags & ~TCP_PSH) != TCP_ACK || get16(s->th + 18) != 0)
		return false;
	s->plen = s->len - s->iphl - s->thl;
	s->seq = get32(s->th + 4);
	return true;
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
		if (!(get16(f->ip + 6) & IP4_DF) && c->id != (uint16_t)(f->id + k))
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
	if ((f->flags & TCP_PSH) || !seg_csum_ok(f))
		return 1;
	for (k = 1; k < n && k < TUNGSO_MAX_SEGS; k++) {
		if (!seg_parse(&p[k], &c) || !seg_follows(f, &c, k, next) ||
		    total + c.plen > TUNGSO_MAX_LEN || !seg_csum_ok(&c))
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
	uint16_t csum;

	memcpy(ip, f->ip, pl->hdrlen);
	th = ip + f->iphl;
	th[13] |= last->flags & TCP_PSH;
	if (f->v6) {
		put16(ip + 4, (uint16_t)(pl->total - 40));
	} else {
		put16(ip + 2, (uint16_t)pl->total);
		memset(ip + 10, 0, 2);
		csum = (uint16_t)~tungso_fold(tungso_sum(ip, 20, 0));
		memcpy(ip + 10, &csum, 2);
	}
	/* NEEDS_CSUM: the field holds the pseudo-header sum, not complemented. */
	csum = tungso_fold(pseudo_sum(f, pl->total - f->iphl));
	memcpy(th + TCP_CSUM_OFF, &csum, 2);
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
