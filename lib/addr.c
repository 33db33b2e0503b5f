/* addr.c: IPv4/IPv6 addresses, prefixes and selectors; see addr.h. */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "err.h"

unsigned
addr_maxplen(sa_family_t af)
{
	switch (af) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

size_t
addr_len(sa_family_t af)
{
	return addr_maxplen(af) / 8;
}

/*
 * Parses exactly n bytes of s as a numeric address. The copy bounds the
 * text before inet_pton sees it, and lets addr_parse_prefix hand over the
 * part before the '/' without writing into the caller's string.
 */
static int
addr_parse_n(const char *s, size_t n, struct gw_addr *out)
{
	char		 tmp[INET6_ADDRSTRLEN];
	struct gw_addr	 a;

	if (n == 0 || n >= sizeof(tmp) || memchr(s, '%', n) != NULL)
		return GW_E_BADVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, tmp, &a.u.v4) == 1)
		a.af = AF_INET;
	else if (inet_pton(AF_INET6, tmp, &a.u.v6) == 1)
		a.af = AF_INET6;
	else
		return GW_E_BADVAL;
	a.plen = (uint8_t)addr_maxplen(a.af);
	*out = a;
	return 0;
}

int
addr_parse(const char *s, struct gw_addr *out)
{
	return addr_parse_n(s, strlen(s), out);
}

/* Decimal prefix length of 1 to 3 digits, nothing else; -1 if malformed. */
static int
addr_parse_plen(const char *s)
{
	size_t	i;
	int	v = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == 3 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return i == 0 ? -1 : v;
}

int
addr_parse_prefix(const char *s, struct gw_addr *out)
{
	const char	*slash;
	struct gw_addr	 a;
	int		 plen, rc;

	slash = strchr(s, '/');
	if (slash == NULL)
		return addr_parse(s, out);
	if ((rc = addr_parse_n(s, (size_t)(slash - s), &a)) != 0)
		return rc;
	plen = addr_parse_plen(slash + 1);
	if (plen < 0 || (unsigned)plen > addr_maxplen(a.af))
		return GW_E_BADVAL;
	a.plen = (uint8_t)plen;
	*out = a;
	return 0;
}

const char *
addr_ntop(const struct gw_addr *a, char *buf, size_t len)
{
	/* inet_ntop never needs more, and socklen_t is narrower than size_t. */
	socklen_t	n = len > INET6_ADDRSTRLEN ? INET6_ADDRSTRLEN : (socklen_t)len;

	if (len == 0)
		return buf;
	if (a->af != AF_INET && a->af != AF_INET6)
		snprintf(buf, len, "%s", "(unspec)");
	else if (inet_ntop(a->af, a->u.b, buf, n) == NULL)
		buf[0] = '\0';
	return buf;
}

void
addr_mask(struct gw_addr *a)
{
	size_t	n = addr_len(a->af);
	size_t	full;

	if (a->plen >= n * 8)
		return;
	full = a->plen / 8;
	if (a->plen % 8) {
		a->u.b[full] &= (uint8_t)(0xff << (8 - a->plen % 8));
		full++;
	}
	memset(a->u.b + full, 0, n - full);
}

bool
addr_in_prefix(const struct gw_addr *net, const struct gw_addr *a)
{
	unsigned	full, rest;
	uint8_t		m;

	if (net->af != a->af || net->plen > addr_maxplen(net->af) || net->af == AF_UNSPEC)
		return false;
	full = net->plen / 8;
	rest = net->plen % 8;
	if (memcmp(net->u.b, a->u.b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	m = (uint8_t)(0xff << (8 - rest));
	return ((net->u.b[full] ^ a->u.b[full]) & m) == 0;
}

bool
addr_eq(const struct gw_addr *a, const struct gw_addr *b)
{
	return a->af == b->af && memcmp(a->u.b, b->u.b, addr_len(a->af)) == 0;
}

#define CMP(x, y)	((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

int
addr_cmp(const struct gw_addr *a, const struct gw_addr *b)
{
	int	c;

	if (a->af != b->af)
		return CMP(a->af, b->af);
	c = memcmp(a->u.b, b->u.b, addr_len(a->af));
	if (c != 0)
		return CMP(c, 0);
	if (a->plen != b->plen)
		return CMP(a->plen, b->plen);
	return CMP(a->port, b->port);
}

/*
 * FNV-1a over the seed, family and address bytes, then the murmur3
 * finaliser so that the low bits a bucket index uses depend on every
 * input byte.
 */
uint32_t
addr_hash(const struct gw_addr *a, uint32_t seed)
{
	uint32_t	h = 2166136261u;
	size_t		i, n = addr_len(a->af);

	for (i = 0; i < 4; i++)
		h = (h ^ ((seed >> (8 * i)) & 0xff)) * 16777619u;
	h = (h ^ (uint8_t)a->af) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ a->u.b[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

bool
addr_is_unspec(const struct gw_addr *a)
{
	size_t	i, n = addr_len(a->af);

	for (i = 0; i < n; i++)
		if (a->u.b[i] != 0)
			return false;
	return true;
}

socklen_t
addr_to_sockaddr(const struct gw_addr *a, struct sockaddr_storage *ss)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	memset(ss, 0, sizeof(*ss));
	switch (a->af) {
	case AF_INET:
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(a->port);
		sin.sin_addr = a->u.v4;
		memcpy(ss, &sin, sizeof(sin));
		return sizeof(sin);
	case AF_INET6:
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(a->port);
		sin6.sin6_addr = a->u.v6;
		memcpy(ss, &sin6, sizeof(sin6));
		return sizeof(sin6);
	default:
		return 0;
	}
}

/*
 * The sockaddr may come from a PF_KEY message and be unaligned, so it is
 * copied out rather than dereferenced as sockaddr_in/in6. A nonzero
 * scope id is refused: struct gw_addr cannot carry it and dropping it
 * would silently change which link the address means.
 */
int
addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct gw_addr *out)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	sa_family_t		af;
	struct gw_addr		a;

	if (len < (socklen_t)sizeof(af))
		return GW_E_SHORT;
	memcpy(&af, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof(af));
	memset(&a, 0, sizeof(a));
	if (af == AF_INET) {
		if (len < (socklen_t)sizeof(sin))
			return GW_E_SHORT;
		memcpy(&sin, sa, sizeof(sin));
		a.u.v4 = sin.sin_addr;
		a.port = ntohs(sin.sin_port);
	} else if (af == AF_INET6) {
		if (len < (socklen_t)sizeof(sin6))
			return GW_E_SHORT;
		memcpy(&sin6, sa, sizeof(sin6));
		if (sin6.sin6_scope_id != 0)
			return GW_E_UNSUPP;
		a.u.v6 = sin6.sin6_addr;
		a.port = ntohs(sin6.sin6_port);
	} else
		return GW_E_FAMILY;
	a.af = af;
	a.plen = (uint8_t)addr_maxplen(af);
	*out = a;
	return 0;
}

bool
sel_match(const struct gw_sel *sel, const struct gw_flow *f)
{
	if (!addr_in_prefix(&sel->src, &f->src) || !addr_in_prefix(&sel->dst, &f->dst))
		return false;
	if (sel->proto != 255 && sel->proto != f->proto)
		return false;
	if (sel->src.port != 0 && sel->src.port != f->src.port)
		return false;
	return sel->dst.port == 0 || sel->dst.port == f->dst.port;
}

bool
sel_eq(const struct gw_sel *a, const struct gw_sel *b)
{
	return a->proto == b->proto && addr_cmp(&a->src, &b->src) == 0 &&
	    addr_cmp(&a->dst, &b->dst) == 0;
}
