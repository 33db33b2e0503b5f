/*
 * pkt.h: the IP headers around ESP and gif tunnels.
 *
 * Everything here is pure: no syscalls, no allocation, no logging. Bytes
 * from the TUN device or the network are read through struct rd only.
 *
 * Packets live in a struct pkt_buf (pktbuf.h, shared with esp.c): one
 * caller-owned buffer with headroom for the outer headers, so that every
 * header is added or removed in place. Functions that take a struct
 * pkt_buf either succeed or leave it unchanged.
 *
 * Unless said otherwise, functions return 0 or a negative enum gw_err:
 *	GW_E_SHORT	the packet ends before a header or the length it declares
 *	GW_E_FAMILY	the IP version is neither 4 nor 6, or does not match
 *	GW_E_BADVAL	a field is invalid (IHL < 5, lengths, header checksum)
 *	GW_E_UNSUPP	well-formed but refused (IPv6 jumbogram, more extension
 *			headers than PKT_MAX_EXTHDR, a fragmented outer packet)
 *	GW_E_UNKNOWN	an outer packet that is not IP-in-IP of this tunnel
 *	GW_E_TOOLONG	no headroom for a header, or a length above 65535
 */
#ifndef TUNNELD_PKT_H
#define TUNNELD_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "pktbuf.h"

#define PKT_IPV4_HLEN		20	/* outer IPv4 header, no options */
#define PKT_IPV6_HLEN		40
#define PKT_UDP_HLEN		8
#define PKT_DEFAULT_TTL		64	/* RFC 1700 default, as gif(4) uses */
#define PKT_NATT_PORT		4500	/* RFC 3948 */
/* Bound on IPv6 extension headers walked before the upper layer. */
#define PKT_MAX_EXTHDR		8

/* ECN codepoints (RFC 3168 section 5), the low two bits of the DS field. */
#define PKT_ECN_NOT_ECT		0
#define PKT_ECN_ECT1		1
#define PKT_ECN_ECT0		2
#define PKT_ECN_CE		3
#define PKT_ECN_MASK		3

/*
 * Parses the IPv4 or IPv6 packet p[0..len) into its 5-tuple for an SPD
 * lookup: addresses, upper-layer protocol after the IPv6 extension
 * headers, and ports for TCP, UDP, UDP-lite, SCTP and DCCP. ICMP, ICMPv6
 * and MH carry type (src.port) and code (dst.port), GRE its key (high
 * half in src.port), as KAME did. Fragments other than the first have
 * ports 0. Bytes after the IP total length are ignored. The header
 * checksum is not checked (see pkt_ipv4_csum_ok). *out is written only
 * on success.
 */
int pkt_flow(const uint8_t *p, size_t len, struct gw_flow *out);

/*
 * The Internet checksum (RFC 1071): sum plus the one's complement sum of
 * len bytes as big-endian 16-bit words (an odd last byte padded with
 * zero). Chunks summed in turn must have even lengths but the last.
 */
uint64_t pkt_csum_add(uint64_t sum, const uint8_t *b, size_t len);
/* Folds sum to 16 bits and complements it: the field's value; 0 over a valid one. */
uint16_t pkt_csum_fold(uint64_t sum);

/* True if p starts with an IPv4 header (IHL within len) whose checksum verifies. */
bool pkt_ipv4_csum_ok(const uint8_t *p, size_t len);

/* The outer header of a received packet, from pkt_outer_parse. */
struct pkt_outer {
	struct gw_addr	src;	/* plen full, port 0 */
	struct gw_addr	dst;
	uint8_t		proto;	/* after IPv4 options or IPv6 extension headers */
	uint8_t		tos;	/* DS field: DSCP << 2 | ECN */
	uint8_t		ttl;	/* or hop limit */
	size_t		hlen;	/* header bytes, options and extension headers included */
	size_t		totlen;	/* packet length the header declares (<= len) */
};

/*
 * Parses and validates the outer IPv4 or IPv6 header of a packet that came
 * from the network: the IPv4 checksum must verify, and fragments are
 * refused with GW_E_UNSUPP (the kernel reassembles before raw sockets see
 * a packet, so one here is forged). *out is written only on success.
 */
int pkt_outer_parse(const uint8_t *p, size_t len, struct pkt_outer *out);

/* What an inner packet contributes to the header built in front of it. */
struct pkt_inner {
	uint8_t	version;	/* 4 or 6 */
	uint8_t	tos;		/* DS field: DSCP << 2 | ECN */
	bool	df;		/* IPv4 Don't Fragment; false for IPv6 */
};

/*
 * Reads version, DS field and DF of the IP packet at p. Needs only the
 * fixed header; it does not validate the rest (pkt_flow does).
 */
int pkt_inner_info(const uint8_t *p, size_t len, struct pkt_inner *out);

/* Parameters of an outer header; see pkt_outer_build. */
struct pkt_outer_args {
	const struct gw_addr	*src;	/* outer source; its family picks IPv4/IPv6 */
	const struct gw_addr	*dst;	/* same family */
	uint8_t			 proto;	/* IPPROTO_ESP, IPPROTO_IPIP or IPPROTO_IPV6 */
	uint16_t		 sport;	/* both nonzero: ESP-in-UDP (RFC 3948) */
	uint16_t		 dport;
	uint8_t			 tos;	/* the inner packet's DS field */
	bool			 df;	/* IPv4: set Don't Fragment */
	uint8_t			 ttl;	/* TTL/hop limit; 0 = PKT_DEFAULT_TTL */
	uint16_t		 id;	/* IPv4 identification (0: the kernel picks) */
	uint32_t		 flowlabel;	/* IPv6, 20 bits (RFC 6438); 0 = none */
};

/*
 * Prepends the tunnel's outer header to the data of p: a UDP header when
 * sport and dport are set (checksum 0 over IPv4 as RFC 3948 allows,
 * computed over IPv6 where 0 is forbidden), then an IPv4 header (with its
 * checksum) or an IPv6 header. The DSCP is copied from tos and so is the
 * ECN field (RFC 6040 section 4.1, normal mode: copy, CE included).
 */
int pkt_outer_build(struct pkt_buf *p, const struct pkt_outer_args *a);

/*
 * Prepends an 8-byte UDP header (RFC 768) covering the data, checksum 0.
 * For ESP-in-UDP over IPv4 (RFC 3948 section 2.1); pkt_outer_build uses it.
 */
int pkt_udp_push(struct pkt_buf *p, uint16_t sport, uint16_t dport);

/*
 * gif(4) encapsulation (RFC 2003, RFC 4213): prepends an outer header
 * src -> dst with protocol 4 for an inner IPv4 packet or 41 for IPv6,
 * the inner DSCP and ECN (RFC 6040 normal mode), DF copied from an IPv4
 * inner packet (RFC 2003 section 3.1; clear for IPv6 inside, since the
 * TUN MTU is static: RFC 4213 section 3.2), the given TTL and id.
 */
int pkt_ipip_encap(struct pkt_buf *p, const struct gw_addr *src, const struct gw_addr *dst,
    uint8_t ttl, uint16_t id);

/* RFC 6040 section 4.2 decapsulation verdicts; never negative. */
enum pkt_ecn_verdict {
	PKT_ECN_OK = 0,		/* forward with the new inner ECN */
	PKT_ECN_ODD = 1,	/* forward, but the combination is one RFC 6040
				   marks (!!!) as unused: worth a counter */
	PKT_ECN_DROP = 2,	/* outer CE on a Not-ECT inner packet: drop it */
};

/*
 * RFC 6040 section 4.2, figure 4: from the arriving outer and inner ECN
 * fields (low two bits used) computes the inner ECN to forward in *result
 * (untouched on PKT_ECN_DROP) and returns the verdict.
 */
enum pkt_ecn_verdict pkt_ecn_decap(uint8_t outer_ecn, uint8_t inner_ecn, uint8_t *result);

/*
 * Applies pkt_ecn_decap to the IP packet at p (fixed header needed) with
 * the outer packet's ECN field, rewriting the inner ECN in place and
 * updating an IPv4 header checksum incrementally (RFC 1624). Returns the
 * verdict (the packet is unchanged on PKT_ECN_DROP) or a negative gw_err.
 */
int pkt_ecn_decap_inner(uint8_t *p, size_t len, uint8_t outer_ecn);

/*
 * Decrements the IPv4 TTL (updating the header checksum incrementally) or
 * the IPv6 hop limit of the packet at p, as a router does. Returns 0, or
 * GW_E_BADVAL when it was 1 or 0 already (the packet must be dropped), or
 * another negative gw_err for a malformed header. Used where tunneld hands
 * a packet back to the kernel, whose route may lead into the TUN again.
 */
int pkt_ttl_dec(uint8_t *p, size_t len);

/*
 * gif decapsulation: validates the outer header at the data of p with
 * pkt_outer_parse, requires protocol 4 or 41 with a matching inner
 * version and, for each of peer/local that is not NULL, that the outer
 * source is peer and the outer destination local. Then strips the outer
 * header, drops bytes beyond its total length and applies RFC 6040 to the
 * inner ECN. Returns the ECN verdict (p untouched on PKT_ECN_DROP) or a
 * negative gw_err (p untouched). *out (may be NULL) gets the outer header.
 */
int pkt_ipip_decap(struct pkt_buf *p, const struct gw_addr *peer, const struct gw_addr *local,
    struct pkt_outer *out);

#endif
