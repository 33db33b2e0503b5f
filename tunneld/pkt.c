/* pkt.c: packet buffers, IP header parsing and building; see pkt.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "err.h"
#include "pkt.h"

/*
 * RFC 791 section 3.1:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Identification        |Flags|      Fragment Offset    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options (IHL > 5)                          |
 *
 * RFC 8200 section 3:
 *
 *   |Version| Traffic Class |           Flow Label                  |
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   |                Source Address (128 bits)                      |
 *   |              Destination Address (128 bits)                   |
 */
#define IP4_DF		0x4000
#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff
#define IP6_OFFMASK	0xfff8		/* fragment header offset, in 8-byte units */
#define IP6_MF		0x0001
/* Byte offsets this file writes in place, in headers it has validated. */
#define IP4_OFF_TOS	1
#define IP4_OFF_CSUM	10
#define IP6_OFF_TCLOW	1		/* low nibble of the traffic class, high half */
#define IP4_OFF_TTL	8
#define IP6_OFF_HLIM	7
#define GRE_CSUM	0x8000
#define GRE_KEY		0x2000
#define GRE_VERMASK	0x0007

_Static_assert(PKT_IPV4_HLEN == 20 && PKT_IPV6_HLEN == 40 && PKT_UDP_HLEN == 8,
    "RFC 791, RFC 8200 and RFC 768 header sizes");

enum frag {
	FRAG_NONE,	/* a whole datagram (or an IPv6 atomic fragment) */
	FRAG_FIRST,	/* offset 0, more to come: carries the upper-layer header */
	FRAG_LATER,	/* offset > 0: no upper-layer header */
};

/* One parsed IP header, before any upper-layer interpretation. */
struct pkt_ip {
	uint8_t		version;
	uint8_t		tos;
	uint8_t		ttl;
	uint8_t		proto;	/* upper layer, after IPv6 extension headers */
	enum frag	frag;
	struct gw_addr	src;
	struct gw_addr	dst;
	size_t		hlen;
	size_t		totlen;
	struct rd	l4;	/* upper-layer bytes up to the declared length */
	uint16_t	csum;	/* IPv4 header checksum as received */
};

/*
 * Native 32-bit words, folded: their one's complement sum is the
 * big-endian 16-bit one byte-swapped (RFC 1071 2.B), at a quarter of the
 * loads. An odd last byte is loaded as the first of a zero-padded word.
 */
uint64_t
pkt_csum_add(uint64_t sum, const uint8_t *b, size_t len)
{
	uint64_t acc = 0;
	uint32_t w;
	uint16_t h;

	for (; len >= 4; b += 4, len -= 4) {
		memcpy(&w, b, 4);
		acc += w;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		acc += h;
		b += 2;
		len -= 2;
	}
	if (len) {
		h = 0;
		memcpy(&h, b, 1);
		acc += h;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return sum + ntohs((uint16_t)acc);
}

uint16_t
pkt_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') when one word m becomes m'. */
static uint16_t
pkt_csum_replace16(uint16_t hc, uint16_t old, uint16_t new)
{
	uint64_t sum = (uint16_t)~hc;

	sum += (uint16_t)~old;
	sum += new;
	return pkt_csum_fold(sum);
}

static void
pkt_addr_set(struct gw_addr *a, sa_family_t af, const uint8_t *b)
{
	memset(a, 0, sizeof(*a));
	a->af = af;
	a->plen = (uint8_t)addr_maxplen(af);
	memcpy(a->u.b, b, addr_len(af));
}

static int
pkt_ip4_parse(const uint8_t *p, size_t len, struct pkt_ip *h)
{
	struct rd r = rd_init(p, len);
	uint8_t vihl, proto, a[2][4];
	uint16_t totlen, id, frag;
	size_t hlen;

	rd_u8(&r, &vihl);
	rd_u8(&r, &h->tos);
	rd_u16be(&r, &totlen);
	rd_u16be(&r, &id);
	rd_u16be(&r, &frag);
	rd_u8(&r, &h->ttl);
	rd_u8(&r, &proto);
	rd_u16be(&r, &h->csum);
	rd_copy(&r, a[0], 4);
	rd_copy(&r, a[1], 4);
	if (r.err)
		return r.err;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < PKT_IPV4_HLEN || totlen < hlen)
		return GW_E_BADVAL;
	if (totlen > len)
		return GW_E_SHORT;
	/* Options lie inside totlen, which lies inside len: cannot fail. */
	if (rd_skip(&r, hlen - PKT_IPV4_HLEN) || rd_sub(&r, totlen - hlen, &h->l4))
		return r.err;
	h->version = 4;
	h->proto = proto;
	h->hlen = hlen;
	h->totlen = totlen;
	if (frag & IP4_OFFMASK)
		h->frag = FRAG_LATER;
	else
		h->frag = (frag & IP4_MF) ? FRAG_FIRST : FRAG_NONE;
	pkt_addr_set(&h->src, AF_INET, a[0]);
	pkt_addr_set(&h->dst, AF_INET, a[1]);
	return 0;
}

static bool
pkt_ip6_is_exthdr(uint8_t nxt)
{
	return nxt == IPPROTO_HOPOPTS || nxt == IPPROTO_ROUTING ||
	    nxt == IPPROTO_DSTOPTS || nxt == IPPROTO_FRAGMENT;
}

/*
 * Walks the extension headers (RFC 8200 section 4) from *nxt to the upper
 * layer. Hop-by-hop options may only come first (section 4.1). A non-first
 * fragment ends the walk: what follows is not a header. AH and ESP are
 * upper layers for the SPD, as in KAME.
 */
static int
pkt_ip6_exthdrs(struct rd *r, uint8_t *nxt, enum frag *frag)
{
	uint8_t nh, hl;
	uint16_t offmf;
	unsigned n;

	for (n = 0; pkt_ip6_is_exthdr(*nxt); n++) {
		if (n == PKT_MAX_EXTHDR)
			return GW_E_UNSUPP;
		if (*nxt == IPPROTO_HOPOPTS && n != 0)
			return GW_E_BADVAL;
		rd_u8(r, &nh);
		if (*nxt == IPPROTO_FRAGMENT) {
			rd_skip(r, 1);
			rd_u16be(r, &offmf);
			rd_skip(r, 4);
			if (r->err)
				return r->err;
			*nxt = nh;
			if (offmf & IP6_OFFMASK) {
				*frag = FRAG_LATER;
				return 0;
			}
			/* RFC 6946: an atomic fragment is a whole packet. */
			*frag = (offmf & IP6_MF) ? FRAG_FIRST : FRAG_NONE;
			continue;
		}
		rd_u8(r, &hl);
		rd_skip(r, (size_t)hl * 8 + 6);
		if (r->err)
			return r->err;
		*nxt = nh;
	}
	return 0;
}

static int
pkt_ip6_parse(const uint8_t *p, size_t len, struct pkt_ip *h)
{
	struct rd r = rd_init(p, len), pl;
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t nxt, a[2][16];
	int rc;

	rd_u32be(&r, &vtcfl);
	rd_u16be(&r, &plen);
	rd_u8(&r, &nxt);
	rd_u8(&r, &h->ttl);
	rd_copy(&r, a[0], 16);
	rd_copy(&r, a[1], 16);
	if (r.err)
		return r.err;
	/* RFC 2675: payload length 0 with hop-by-hop options is a jumbogram. */
	if (plen == 0 && nxt == IPPROTO_HOPOPTS)
		return GW_E_UNSUPP;
	if (rd_sub(&r, plen, &pl))
		return r.err;
	h->frag = FRAG_NONE;
	if ((rc = pkt_ip6_exthdrs(&pl, &nxt, &h->frag)) != 0)
		return rc;
	h->version = 6;
	h->tos = (uint8_t)(vtcfl >> 20);
	h->proto = nxt;
	h->hlen = PKT_IPV6_HLEN + (plen - rd_left(&pl));
	h->totlen = PKT_IPV6_HLEN + (size_t)plen;
	h->csum = 0;
	rd_sub(&pl, rd_left(&pl), &h->l4);
	pkt_addr_set(&h->src, AF_INET6, a[0]);
	pkt_addr_set(&h->dst, AF_INET6, a[1]);
	return 0;
}

static int
pkt_ip_parse(const uint8_t *p, size_t len, struct pkt_ip *h)
{
	struct rd r = rd_init(p, len);
	uint8_t b;

	if (rd_u8(&r, &b))
		return r.err;
	switch (b >> 4) {
	case 4:
		return pkt_ip4_parse(p, len, h);
	case 6:
		return pkt_ip6_parse(p, len, h);
	}
	return GW_E_FAMILY;
}

/*
 * The "ports" of the upper layer as KAME's SPD saw them. Only the first
 * bytes of each header matter, so a GRE key behind an optional checksum
 * is the only variable offset.
 */
static int
pkt_flow_ports(struct rd *r, uint8_t proto, struct gw_flow *f)
{
	uint16_t sp = 0, dp = 0, flags;
	uint8_t type = 0, code = 0;
	uint32_t key;

	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		rd_u16be(r, &sp);
		rd_u16be(r, &dp);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		rd_u8(r, &type);
		rd_u8(r, &code);
		sp = type;
		dp = code;
		break;
	case IPPROTO_MH:	/* RFC 6275 6.1.1: proto, length, MH type */
		rd_skip(r, 2);
		rd_u8(r, &type);
		sp = type;
		break;
	case IPPROTO_GRE:	/* RFC 2890: key after the optional checksum */
		rd_u16be(r, &flags);
		rd_skip(r, 2);
		if (r->err || (flags & GRE_VERMASK) != 0 || !(flags & GRE_KEY))
			break;
		if (flags & GRE_CSUM)
			rd_skip(r, 4);
		if (rd_u32be(r, &key) == 0) {
			sp = (uint16_t)(key >> 16);
			dp = (uint16_t)key;
		}
		break;
	default:
		return 0;
	}
	if (r->err)
		return r->err;
	f->src.port = sp;
	f->dst.port = dp;
	return 0;
}

int
pkt_flow(const uint8_t *p, size_t len, struct gw_flow *out)
{
	struct pkt_ip h;
	struct gw_flow f;
	int rc;

	if ((rc = pkt_ip_parse(p, len, &h)) != 0)
		return rc;
	f = (struct gw_flow){ .src = h.src, .dst = h.dst, .proto = h.proto };
	if (h.frag != FRAG_LATER && (rc = pkt_flow_ports(&h.l4, h.proto, &f)) != 0)
		return rc;
	*out = f;
	return 0;
}

bool
pkt_ipv4_csum_ok(const uint8_t *p, size_t len)
{
	struct rd r = rd_init(p, len);
	struct view hdr;
	uint8_t vihl;

	if (rd_u8(&r, &vihl) || vihl >> 4 != 4 || (vihl & 0x0f) < 5)
		return false;
	r = rd_init(p, len);
	if (rd_bytes(&r, (size_t)(vihl & 0x0f) * 4, &hdr))
		return false;
	return pkt_csum_fold(pkt_csum_add(0, hdr.p, hdr.len)) == 0;
}

int
pkt_outer_parse(const uint8_t *p, size_t len, struct pkt_outer *out)
{
	struct pkt_ip h;
	int rc;

	if ((rc = pkt_ip_parse(p, len, &h)) != 0)
		return rc;
	if (h.version == 4 && !pkt_ipv4_csum_ok(p, len))
		return GW_E_BADVAL;
	if (h.frag != FRAG_NONE)
		return GW_E_UNSUPP;
	*out = (struct pkt_outer){ .src = h.src, .dst = h.dst, .proto = h.proto,
	    .tos = h.tos, .ttl = h.ttl, .hlen = h.hlen, .totlen = h.totlen };
	return 0;
}

int
pkt_inner_info(const uint8_t *p, size_t len, struct pkt_inner *out)
{
	struct rd r = rd_init(p, len);
	uint8_t b, tos;
	uint16_t frag;
	uint32_t vtcfl;

	if (rd_u8(&r, &b))
		return r.err;
	r = rd_init(p, len);
	if ((b >> 4) == 4) {
		rd_skip(&r, 1);
		rd_u8(&r, &tos);
		rd_skip(&r, 4);
		rd_u16be(&r, &frag);
		if (rd_skip(&r, PKT_IPV4_HLEN - 8))
			return r.err;
		*out = (struct pkt_inner){ .version = 4, .tos = tos, .df = frag & IP4_DF };
		return 0;
	}
	if ((b >> 4) == 6) {
		rd_u32be(&r, &vtcfl);
		if (rd_skip(&r, PKT_IPV6_HLEN - 4))
			return r.err;
		*out = (struct pkt_inner){ .version = 6, .tos = (uint8_t)(vtcfl >> 20) };
		return 0;
	}
	return GW_E_FAMILY;
}

/* Sum of the RFC 8200 section 8.1 pseudo-header for an upper layer of ulen bytes. */
static uint64_t
pkt_csum_pseudo6(const struct gw_addr *src, const struct gw_addr *dst, uint32_t ulen,
    uint8_t proto)
{
	uint64_t sum = 0;

	sum = pkt_csum_add(sum, src->u.b, 16);
	sum = pkt_csum_add(sum, dst->u.b, 16);
	return sum + (ulen >> 16) + (ulen & 0xffff) + proto;
}

/*
 * RFC 768:
 *   |          Source Port          |       Destination Port        |
 *   |            Length             |           Checksum            |
 */
static int
pkt_udp_build(struct pkt_buf *p, uint16_t sport, uint16_t dport, const struct gw_addr *src6,
    const struct gw_addr *dst6)
{
	struct wr w;
	uint64_t sum;
	uint16_t ulen, csum = 0;
	uint8_t *h;

	if (p->len > UINT16_MAX - PKT_UDP_HLEN)
		return GW_E_TOOLONG;
	if (pkt_headroom(p) < PKT_UDP_HLEN)
		return GW_E_TOOLONG;
	ulen = (uint16_t)(p->len + PKT_UDP_HLEN);
	if (src6 != NULL) {
		/* RFC 8200 8.1: a zero UDP checksum is not allowed over IPv6. */
		sum = pkt_csum_pseudo6(src6, dst6, ulen, IPPROTO_UDP);
		sum += (uint32_t)sport + dport + ulen;
		csum = pkt_csum_fold(pkt_csum_add(sum, pkt_data(p), p->len));
		if (csum == 0)
			csum = 0xffff;
	}
	h = pkt_push(p, PKT_UDP_HLEN);
	w = wr_init(h, PKT_UDP_HLEN);
	wr_u16be(&w, sport);
	wr_u16be(&w, dport);
	wr_u16be(&w, ulen);
	wr_u16be(&w, csum);
	return w.err;
}

int
pkt_udp_push(struct pkt_buf *p, uint16_t sport, uint16_t dport)
{
	return pkt_udp_build(p, sport, dport, NULL, NULL);
}

static void
pkt_ip4_write(uint8_t *h, const struct pkt_outer_args *a, uint8_t proto, uint16_t totlen)
{
	struct wr w = wr_init(h, PKT_IPV4_HLEN);
	size_t at = 0;

	wr_u8(&w, 4 << 4 | PKT_IPV4_HLEN / 4);
	wr_u8(&w, a->tos);
	wr_u16be(&w, totlen);
	wr_u16be(&w, a->id);
	wr_u16be(&w, a->df ? IP4_DF : 0);
	wr_u8(&w, a->ttl ? a->ttl : PKT_DEFAULT_TTL);
	wr_u8(&w, proto);
	wr_reserve(&w, 2, &at);
	wr_bytes(&w, a->src->u.b, 4);
	wr_bytes(&w, a->dst->u.b, 4);
	wr_patch_u16be(&w, at, pkt_csum_fold(pkt_csum_add(0, h, PKT_IPV4_HLEN)));
}

static void
pkt_ip6_write(uint8_t *h, const struct pkt_outer_args *a, uint8_t proto, uint16_t plen)
{
	struct wr w = wr_init(h, PKT_IPV6_HLEN);

	wr_u32be(&w, (uint32_t)6 << 28 | (uint32_t)a->tos << 20 | (a->flowlabel & 0xfffff));
	wr_u16be(&w, plen);
	wr_u8(&w, proto);
	wr_u8(&w, a->ttl ? a->ttl : PKT_DEFAULT_TTL);
	wr_bytes(&w, a->src->u.b, 16);
	wr_bytes(&w, a->dst->u.b, 16);
}

int
pkt_outer_build(struct pkt_buf *p, const struct pkt_outer_args *a)
{
	bool v4 = a->src->af == AF_INET, udp = a->sport != 0 && a->dport != 0;
	size_t hlen = v4 ? PKT_IPV4_HLEN : PKT_IPV6_HLEN;
	size_t need = hlen + (udp ? PKT_UDP_HLEN : 0);
	size_t plen = p->len + (udp ? PKT_UDP_HLEN : 0);
	/* IPv4 counts its header in the total length, IPv6 only the payload. */
	size_t maxlen = UINT16_MAX - (v4 ? need : need - hlen);
	uint8_t proto = udp ? IPPROTO_UDP : a->proto;
	int rc;

	if (a->src->af != a->dst->af || (!v4 && a->src->af != AF_INET6))
		return GW_E_FAMILY;
	if (udp && a->proto != IPPROTO_ESP)
		return GW_E_BADVAL;
	if (pkt_headroom(p) < need || p->len > maxlen)
		return GW_E_TOOLONG;
	if (udp && (rc = pkt_udp_build(p, a->sport, a->dport, v4 ? NULL : a->src,
	    v4 ? NULL : a->dst)) != 0)
		return rc;
	if (v4)
		pkt_ip4_write(pkt_push(p, hlen), a, proto, (uint16_t)(plen + hlen));
	else
		pkt_ip6_write(pkt_push(p, hlen), a, proto, (uint16_t)plen);
	return 0;
}

int
pkt_ipip_encap(struct pkt_buf *p, const struct gw_addr *src, const struct gw_addr *dst,
    uint8_t ttl, uint16_t id)
{
	struct pkt_inner in;
	struct pkt_outer_args a;
	int rc;

	if ((rc = pkt_inner_info(pkt_data(p), p->len, &in)) != 0)
		return rc;
	a = (struct pkt_outer_args){ .src = src, .dst = dst,
	    .proto = in.version == 4 ? IPPROTO_IPIP : IPPROTO_IPV6,
	    .tos = in.tos, .df = in.version == 4 && in.df, .ttl = ttl, .id = id };
	return pkt_outer_build(p, &a);
}

/*
 * RFC 6040 section 4.2, figure 4, indexed [inner][outer] by codepoint
 * (Not-ECT 0, ECT(1) 1, ECT(0) 2, CE 3):
 *
 *                  outer:  Not-ECT   ECT(0)        ECT(1)        CE
 *   inner Not-ECT          Not-ECT   Not-ECT(!!!)  Not-ECT(!!!)  drop(!!!)
 *   inner ECT(0)           ECT(0)    ECT(0)        ECT(1)        CE
 *   inner ECT(1)           ECT(1)    ECT(1) (!)    ECT(1)        CE
 *   inner CE               CE        CE            CE(!!!)       CE
 *
 * (!!!) marks combinations no compliant encapsulator produces; RFC 6040
 * asks for them to be logged, so they come back as PKT_ECN_ODD for a
 * counter. (!) is a legitimate outcome of ECT(1) in use and is not odd.
 */
static const struct {
	uint8_t	ecn;
	uint8_t	verdict;
} pkt_ecn_table[4][4] = {
	[PKT_ECN_NOT_ECT] = {
		[PKT_ECN_NOT_ECT] = { PKT_ECN_NOT_ECT, PKT_ECN_OK },
		[PKT_ECN_ECT1] = { PKT_ECN_NOT_ECT, PKT_ECN_ODD },
		[PKT_ECN_ECT0] = { PKT_ECN_NOT_ECT, PKT_ECN_ODD },
		[PKT_ECN_CE] = { PKT_ECN_NOT_ECT, PKT_ECN_DROP },
	},
	[PKT_ECN_ECT1] = {
		[PKT_ECN_NOT_ECT] = { PKT_ECN_ECT1, PKT_ECN_OK },
		[PKT_ECN_ECT1] = { PKT_ECN_ECT1, PKT_ECN_OK },
		[PKT_ECN_ECT0] = { PKT_ECN_ECT1, PKT_ECN_OK },
		[PKT_ECN_CE] = { PKT_ECN_CE, PKT_ECN_OK },
	},
	[PKT_ECN_ECT0] = {
		[PKT_ECN_NOT_ECT] = { PKT_ECN_ECT0, PKT_ECN_OK },
		[PKT_ECN_ECT1] = { PKT_ECN_ECT1, PKT_ECN_OK },
		[PKT_ECN_ECT0] = { PKT_ECN_ECT0, PKT_ECN_OK },
		[PKT_ECN_CE] = { PKT_ECN_CE, PKT_ECN_OK },
	},
	[PKT_ECN_CE] = {
		[PKT_ECN_NOT_ECT] = { PKT_ECN_CE, PKT_ECN_OK },
		[PKT_ECN_ECT1] = { PKT_ECN_CE, PKT_ECN_ODD },
		[PKT_ECN_ECT0] = { PKT_ECN_CE, PKT_ECN_OK },
		[PKT_ECN_CE] = { PKT_ECN_CE, PKT_ECN_OK },
	},
};

enum pkt_ecn_verdict
pkt_ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn, uint8_t *result)
{
	uint8_t in = inner_ecn & PKT_ECN_MASK, out = outer_ecn & PKT_ECN_MASK;

	if (pkt_ecn_table[in][out].verdict != PKT_ECN_DROP)
		*result = pkt_ecn_table[in][out].ecn;
	return pkt_ecn_table[in][out].verdict;
}

int
pkt_ecn_decap_inner(uint8_t *p, size_t len, uint8_t outer_ecn)
{
	struct pkt_inner in;
	enum pkt_ecn_verdict v;
	uint16_t oldw, csum;
	uint8_t ecn;
	int rc;

	if ((rc = pkt_inner_info(p, len, &in)) != 0)
		return rc;
	v = pkt_ecn_decap(outer_ecn, in.tos, &ecn);
	if (v == PKT_ECN_DROP || ecn == (in.tos & PKT_ECN_MASK))
		return v;
	if (in.version == 6) {
		/* The ECN bits are bits 4-5 of byte 1 (traffic class straddles bytes 0-1). */
		p[IP6_OFF_TCLOW] = (uint8_t)((p[IP6_OFF_TCLOW] & ~0x30) | ecn << 4);
		return v;
	}
	oldw = (uint16_t)(p[0] << 8 | p[IP4_OFF_TOS]);
	p[IP4_OFF_TOS] = (uint8_t)((in.tos & ~PKT_ECN_MASK) | ecn);
	csum = (uint16_t)(p[IP4_OFF_CSUM] << 8 | p[IP4_OFF_CSUM + 1]);
	csum = pkt_csum_replace16(csum, oldw, (uint16_t)(p[0] << 8 | p[IP4_OFF_TOS]));
	p[IP4_OFF_CSUM] = (uint8_t)(csum >> 8);
	p[IP4_OFF_CSUM + 1] = (uint8_t)csum;
	return v;
}

int
pkt_ipip_decap(struct pkt_buf *p, const struct gw_addr *peer, const struct gw_addr *local,
    struct pkt_outer *out)
{
	struct pkt_outer o;
	struct pkt_inner in;
	uint8_t *inner, ecn;
	size_t ilen;
	int rc;

	if ((rc = pkt_outer_parse(pkt_data(p), p->len, &o)) != 0)
		return rc;
	if (o.proto != IPPROTO_IPIP && o.proto != IPPROTO_IPV6)
		return GW_E_UNKNOWN;
	if ((peer != NULL && !addr_eq(&o.src, peer)) || (local != NULL && !addr_eq(&o.dst, local)))
		return GW_E_UNKNOWN;
	/* pkt_outer_parse guarantees hlen <= totlen <= p->len. */
	inner = pkt_data(p) + o.hlen;
	ilen = o.totlen - o.hlen;
	if ((rc = pkt_inner_info(inner, ilen, &in)) != 0)
		return rc;
	if (in.version != (o.proto == IPPROTO_IPIP ? 4 : 6))
		return GW_E_FAMILY;
	if (pkt_ecn_decap(o.tos, in.tos, &ecn) == PKT_ECN_DROP)
		return PKT_ECN_DROP;
	rc = pkt_ecn_decap_inner(inner, ilen, o.tos);
	pkt_pull(p, o.hlen);
	pkt_trim(p, p->len - ilen);
	if (out != NULL)
		*out = o;
	return rc;
}

int
pkt_ttl_dec(uint8_t *p, size_t len)
{
	struct pkt_inner in;
	uint16_t oldw, csum;
	int rc;

	if ((rc = pkt_inner_info(p, len, &in)) != 0)
		return rc;
	if (in.version == 6) {
		if (p[IP6_OFF_HLIM] <= 1)
			return GW_E_BADVAL;
		p[IP6_OFF_HLIM]--;
		return 0;
	}
	if (p[IP4_OFF_TTL] <= 1)
		return GW_E_BADVAL;
	oldw = (uint16_t)(p[IP4_OFF_TTL] << 8 | p[IP4_OFF_TTL + 1]);
	p[IP4_OFF_TTL]--;
	csum = (uint16_t)(p[IP4_OFF_CSUM] << 8 | p[IP4_OFF_CSUM + 1]);
	csum = pkt_csum_replace16(csum, oldw, (uint16_t)(p[IP4_OFF_TTL] << 8 | p[IP4_OFF_TTL + 1]));
	p[IP4_OFF_CSUM] = (uint8_t)(csum >> 8);
	p[IP4_OFF_CSUM + 1] = (uint8_t)csum;
	return 0;
}
