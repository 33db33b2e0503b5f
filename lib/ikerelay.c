/* ikerelay.c: the header of the IKE relay between tunneld and ikd; see ikerelay.h. */
#include <stdio.h>
#include <string.h>

#include "ikerelay.h"

#define IKERELAY_ADDRLEN	16

_Static_assert(IKERELAY_HLEN == 1 + 1 + 2 + 2 + 2 + 2 * IKERELAY_ADDRLEN,
    "the header layout of ikerelay.h");

int
ikerelay_path(const char *ctlpath, char *out, size_t len)
{
	int	n;

	if (ctlpath == NULL || *ctlpath == '\0' || len == 0)
		return -1;
	n = snprintf(out, len, "%s%s", ctlpath, IKERELAY_SUFFIX);
	if (n < 0 || (size_t)n >= len) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* The family byte of the header: 4 or 6, or 0 for anything else. */
static uint8_t
ikerelay_family(sa_family_t af)
{
	if (af == AF_INET)
		return 4;
	if (af == AF_INET6)
		return 6;
	return 0;
}

/* An address in its 16-byte slot: IPv4 in the first 4, zeros after. */
static int
ikerelay_put_addr(struct wr *w, const struct gw_addr *a)
{
	size_t	n = addr_len(a->af);

	if (wr_bytes(w, a->u.b, n) != 0 || wr_zero(w, IKERELAY_ADDRLEN - n) != 0)
		return -1;
	return 0;
}

int
ikerelay_encode(struct wr *w, const struct gw_addr *local, const struct gw_addr *remote,
    const uint8_t *payload, size_t len)
{
	uint8_t	fam = ikerelay_family(local->af);

	if (w->err != 0 || fam == 0 || remote->af != local->af || local->port == 0 ||
	    remote->port == 0 || payload == NULL || len == 0 || len > IKERELAY_PAYLOAD_MAX)
		return -1;
	if (wr_u8(w, IKERELAY_VERSION) != 0 || wr_u8(w, fam) != 0 || wr_zero(w, 2) != 0 ||
	    wr_u16be(w, local->port) != 0 || wr_u16be(w, remote->port) != 0 ||
	    ikerelay_put_addr(w, local) != 0 || ikerelay_put_addr(w, remote) != 0 ||
	    wr_bytes(w, payload, len) != 0)
		return -1;
	return 0;
}

/*
 * One 16-byte address slot into *a of family af with port; an IPv4
 * address must leave the last 12 bytes zero, so that one datagram has
 * exactly one encoding.
 */
static int
ikerelay_get_addr(struct rd *r, sa_family_t af, uint16_t port, struct gw_addr *a)
{
	static const uint8_t	zero[IKERELAY_ADDRLEN];
	struct view		v;
	size_t			n = addr_len(af);

	if (rd_bytes(r, IKERELAY_ADDRLEN, &v) != 0)
		return -1;
	if (memcmp(v.p + n, zero, IKERELAY_ADDRLEN - n) != 0)
		return -1;
	memset(a, 0, sizeof(*a));
	a->af = af;
	a->plen = (uint8_t)addr_maxplen(af);
	a->port = port;
	memcpy(a->u.b, v.p, n);
	return 0;
}

int
ikerelay_decode(const uint8_t *p, size_t len, struct gw_addr *local,
    struct gw_addr *remote, struct view *payload)
{
	struct rd	r = rd_init(p, len);
	struct gw_addr	l, rem;
	struct view	pl;
	uint16_t	reserved, lport, rport;
	uint8_t		version, fam;
	sa_family_t	af;

	if (p == NULL || rd_u8(&r, &version) != 0 || rd_u8(&r, &fam) != 0 ||
	    rd_u16be(&r, &reserved) != 0 || rd_u16be(&r, &lport) != 0 ||
	    rd_u16be(&r, &rport) != 0)
		return -1;
	if (version != IKERELAY_VERSION || (fam != 4 && fam != 6) || reserved != 0 ||
	    lport == 0 || rport == 0)
		return -1;
	af = fam == 4 ? AF_INET : AF_INET6;
	if (ikerelay_get_addr(&r, af, lport, &l) != 0 ||
	    ikerelay_get_addr(&r, af, rport, &rem) != 0)
		return -1;
	if (rd_left(&r) == 0 || rd_left(&r) > IKERELAY_PAYLOAD_MAX ||
	    rd_bytes(&r, rd_left(&r), &pl) != 0)
		return -1;
	*local = l;
	*remote = rem;
	*payload = pl;
	return 0;
}
