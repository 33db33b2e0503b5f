/*
 * addr.h: IPv4/IPv6 addresses, prefixes, ports and traffic selectors.
 *
 * struct gw_addr carries an address with its prefix length and port, which
 * is what PF_KEY address extensions, setkey ranges and SA endpoints all
 * need. Ports are in host byte order; 0 means "any". Text forms are
 * numeric only (no name resolution: a gateway's configuration must not
 * depend on DNS).
 */
#ifndef GW_ADDR_H
#define GW_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct gw_addr {
	sa_family_t	af;	/* AF_INET or AF_INET6; AF_UNSPEC = unset */
	uint8_t		plen;	/* prefix length, 0..32 or 0..128 */
	uint16_t	port;	/* host order, 0 = any */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		b[16];
	} u;
};

/* Longest text form: "[v6]/128[65535]" and a NUL. */
#define GW_ADDR_STRLEN	(INET6_ADDRSTRLEN + 12)

/* Full host prefix length of af: 32, 128, or 0 for unknown. */
unsigned addr_maxplen(sa_family_t af);
/* Byte length of an address of af: 4, 16 or 0. */
size_t addr_len(sa_family_t af);

/*
 * Parses a numeric IPv4 or IPv6 address ("192.0.2.1", "2001:db8::1") into
 * *out with plen = full length and port = 0. IPv6 scope suffixes ("%eth0")
 * are refused. Returns 0 or GW_E_BADVAL; *out is unchanged on failure.
 */
int addr_parse(const char *s, struct gw_addr *out);
/*
 * Same, for "addr/len" or a bare "addr" (plen = full). The length is 1-3
 * decimal digits within the family's range; the address bits are kept as
 * written (see addr_mask). Returns 0 or GW_E_BADVAL; *out unchanged on failure.
 */
int addr_parse_prefix(const char *s, struct gw_addr *out);

/*
 * Numeric address only; buf of at least INET6_ADDRSTRLEN. Returns buf.
 * An unset address prints as "(unspec)"; a buf too small for the address
 * gets the empty string.
 */
const char *addr_ntop(const struct gw_addr *a, char *buf, size_t len);

/* Zeroes the host bits beyond plen. */
void addr_mask(struct gw_addr *a);
/* True if a lies inside the prefix net/net->plen (same family). Ignores ports. */
bool addr_in_prefix(const struct gw_addr *net, const struct gw_addr *a);
/* True if address bytes and family match (ignores plen and port). */
bool addr_eq(const struct gw_addr *a, const struct gw_addr *b);
/* Total order over family, address, plen, port; for sorting and dumps. */
int addr_cmp(const struct gw_addr *a, const struct gw_addr *b);
/* Hash of family and address bytes (not plen/port), seeded. */
uint32_t addr_hash(const struct gw_addr *a, uint32_t seed);
/* True for the all-zero address of its family (and for an unset address). */
bool addr_is_unspec(const struct gw_addr *a);

/*
 * Conversion to and from sockaddr_in/sockaddr_in6 (port included, network
 * order on the sockaddr side). addr_to_sockaddr returns the sockaddr
 * length or 0 if af is unset. addr_from_sockaddr returns 0 or
 * GW_E_FAMILY/GW_E_SHORT (GW_E_UNSUPP for an IPv6 scope id, which
 * struct gw_addr cannot carry) and sets plen to the full length.
 */
socklen_t addr_to_sockaddr(const struct gw_addr *a, struct sockaddr_storage *ss);
int addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct gw_addr *out);

/*
 * A traffic selector: source and destination prefixes (with ports, 0 =
 * any) and an upper-layer protocol (255 = any, IPSEC_ULPROTO_ANY). For
 * ICMP/ICMPv6 the ports carry type (src) and code (dst), as KAME does.
 */
struct gw_sel {
	struct gw_addr	src;
	struct gw_addr	dst;
	uint8_t		proto;
};

/* The 5-tuple of one packet, for SPD lookup. */
struct gw_flow {
	struct gw_addr	src;	/* plen = full */
	struct gw_addr	dst;
	uint8_t		proto;
};

/* True if the flow's addresses, protocol and ports fall inside sel. */
bool sel_match(const struct gw_sel *sel, const struct gw_flow *f);
/* True if both selectors have identical fields (the SPD's identity). */
bool sel_eq(const struct gw_sel *a, const struct gw_sel *b);

#endif
