/*
 * ike_ts.c: traffic selector ranges and narrowing; see ike_ts.h.
 *
 * Addresses are compared as big-endian byte strings of their family's
 * length, which is their numeric order.
 */
#include <stdio.h>
#include <string.h>

#include "ike_ts.h"

#define PORT_ANY_END	65535
#define PROTO_ICMP	1
#define PROTO_ICMPV6	58
#define SEL_PROTO_ANY	255	/* IPSEC_ULPROTO_ANY in struct gw_sel */

static int
ts_cmp(const struct gw_addr *a, const struct gw_addr *b)
{
	return memcmp(a->u.b, b->u.b, addr_len(a->af));
}

static bool
ts_opaque(const struct ike_tsel *t)
{
	return t->sport == PORT_ANY_END && t->eport == 0;
}

static bool
ts_any_port(const struct ike_tsel *t)
{
	return t->sport == 0 && t->eport == PORT_ANY_END;
}

/* A prefix as a range: host bits cleared in start, set in end. */
static int
ts_prefix(const struct gw_addr *pfx, struct ike_tsel *t)
{
	size_t alen = addr_len(pfx->af), i;
	unsigned plen = pfx->plen, bits;

	if (alen == 0 || plen > addr_maxplen(pfx->af))
		return -1;
	t->start = t->end = (struct gw_addr){ .af = pfx->af,
	    .plen = (uint8_t)addr_maxplen(pfx->af) };
	for (i = 0; i < alen; i++) {
		bits = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;
		t->start.u.b[i] = pfx->u.b[i] & (uint8_t)(0xff00u >> bits);
		t->end.u.b[i] = t->start.u.b[i] | (uint8_t)(0xffu >> bits);
	}
	return 0;
}

static int
ts_side(const struct gw_addr *pfx, uint8_t proto, struct ike_tsel *t)
{
	if (ts_prefix(pfx, t) != 0)
		return -1;
	t->proto = proto == SEL_PROTO_ANY ? IKE_TS_PROTO_ANY : proto;
	t->sport = pfx->port;
	t->eport = pfx->port == 0 ? PORT_ANY_END : pfx->port;
	return 0;
}

int
ike_ts_from_sel(const struct gw_sel *sel, struct ike_tsel *local, struct ike_tsel *remote)
{
	if (sel->src.af != sel->dst.af)
		return -1;
	/* KAME puts ICMP type and code in the two ports: no range says that. */
	if ((sel->proto == PROTO_ICMP || sel->proto == PROTO_ICMPV6) &&
	    (sel->src.port != 0 || sel->dst.port != 0))
		return -1;
	if (ts_side(&sel->src, sel->proto, local) != 0 ||
	    ts_side(&sel->dst, sel->proto, remote) != 0)
		return -1;
	return 0;
}

/* Port ranges: OPAQUE only meets OPAQUE or any, and stays OPAQUE. */
static bool
ts_ports(const struct ike_tsel *a, const struct ike_tsel *b, struct ike_tsel *out)
{
	if (ts_opaque(a) || ts_opaque(b)) {
		if (!(ts_opaque(a) || ts_any_port(a)) || !(ts_opaque(b) || ts_any_port(b)))
			return false;
		out->sport = PORT_ANY_END;
		out->eport = 0;
		return true;
	}
	out->sport = a->sport > b->sport ? a->sport : b->sport;
	out->eport = a->eport < b->eport ? a->eport : b->eport;
	return out->sport <= out->eport;
}

bool
ike_ts_intersect(const struct ike_tsel *a, const struct ike_tsel *b, struct ike_tsel *out)
{
	if (a->start.af != b->start.af || addr_len(a->start.af) == 0)
		return false;
	if (a->proto != IKE_TS_PROTO_ANY && b->proto != IKE_TS_PROTO_ANY && a->proto != b->proto)
		return false;
	out->proto = a->proto != IKE_TS_PROTO_ANY ? a->proto : b->proto;
	if (!ts_ports(a, b, out))
		return false;
	out->start = ts_cmp(&a->start, &b->start) > 0 ? a->start : b->start;
	out->end = ts_cmp(&a->end, &b->end) < 0 ? a->end : b->end;
	return ts_cmp(&out->start, &out->end) <= 0;
}

bool
ike_ts_within(const struct ike_tsel *a, const struct ike_tsel *b)
{
	struct ike_tsel x;

	if (!ike_ts_intersect(a, b, &x))
		return false;
	return x.proto == a->proto && x.sport == a->sport && x.eport == a->eport &&
	    ts_cmp(&x.start, &a->start) == 0 && ts_cmp(&x.end, &a->end) == 0;
}

size_t
ike_ts_narrow(const struct ike_tsl *offer, const struct ike_tsel *conf, struct ike_tsl *out)
{
	size_t i;

	out->n = 0;
	for (i = 0; i < offer->n && i < IKE_TSL_MAX; i++)
		if (ike_ts_intersect(&offer->ts[i], conf, &out->ts[out->n]))
			out->n++;
	return out->n;
}

bool
ike_ts_list_within(const struct ike_tsl *a, const struct ike_tsl *b)
{
	size_t i, j;

	if (a->n == 0)
		return false;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (ike_ts_within(&a->ts[i], &b->ts[j]))
				break;
		if (j == b->n)
			return false;
	}
	return true;
}

int
ike_ts_from_pld(const struct ike_ts_pld *p, struct ike_tsl *out)
{
	const struct ike_ts *w;
	struct ike_tsel *t;
	size_t i;

	out->n = 0;
	for (i = 0; i < p->n; i++) {
		w = &p->ts[i];
		if (w->type != IKE_TS_IPV4_ADDR_RANGE && w->type != IKE_TS_IPV6_ADDR_RANGE)
			continue;
		if (out->n == IKE_TSL_MAX)
			return -1;
		t = &out->ts[out->n++];
		*t = (struct ike_tsel){ .proto = w->proto, .sport = w->sport, .eport = w->eport,
		    .start = w->start, .end = w->end };
	}
	return 0;
}

void
ike_ts_to_pld(const struct ike_tsl *l, struct ike_ts out[static IKE_TSL_MAX])
{
	const struct ike_tsel *t;
	size_t i;

	for (i = 0; i < l->n && i < IKE_TSL_MAX; i++) {
		t = &l->ts[i];
		out[i] = (struct ike_ts){
			.type = t->start.af == AF_INET6 ? IKE_TS_IPV6_ADDR_RANGE :
			    IKE_TS_IPV4_ADDR_RANGE,
			.proto = t->proto, .sport = t->sport, .eport = t->eport,
			.start = t->start, .end = t->end,
		};
	}
}

/* The prefix length if start..end is exactly one prefix, else -1. */
static int
ts_plen(const struct ike_tsel *t)
{
	struct gw_addr p = t->start;
	struct ike_tsel r;
	int plen;

	for (plen = 0; plen <= (int)addr_maxplen(p.af); plen++) {
		p.plen = (uint8_t)plen;
		if (ts_prefix(&p, &r) == 0 && ts_cmp(&r.start, &t->start) == 0 &&
		    ts_cmp(&r.end, &t->end) == 0)
			return plen;
	}
	return -1;
}

const char *
ike_ts_str(const struct ike_tsel *t, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], proto[16] = "", ports[24] = "";
	int plen = ts_plen(t);

	addr_ntop(&t->start, a, sizeof(a));
	addr_ntop(&t->end, b, sizeof(b));
	if (t->proto != IKE_TS_PROTO_ANY)
		snprintf(proto, sizeof(proto), " proto %u", t->proto);
	if (ts_opaque(t))
		snprintf(ports, sizeof(ports), " ports opaque");
	else if (t->sport == t->eport)
		snprintf(ports, sizeof(ports), " port %u", t->sport);
	else if (!ts_any_port(t))
		snprintf(ports, sizeof(ports), " ports %u-%u", t->sport, t->eport);
	if (plen >= 0)
		snprintf(buf, len, "%s/%d%s%s", a, plen, proto, ports);
	else
		snprintf(buf, len, "%s..%s%s%s", a, b, proto, ports);
	return buf;
}

const char *
ike_ts_list_str(const struct ike_tsl *l, char *buf, size_t len)
{
	char one[IKE_TS_STRLEN];
	size_t i, off = 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (l->n == 0)
		snprintf(buf, len, "(none)");
	for (i = 0; i < l->n && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "",
		    ike_ts_str(&l->ts[i], one, sizeof(one)));
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}
