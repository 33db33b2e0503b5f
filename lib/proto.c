/*
 * proto.c: IP protocol names; see proto.h.
 *
 * One table, sorted by name (strcmp order) for bsearch. Entries marked
 * alias are accepted as input but never printed, so each number has
 * exactly one canonical name.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"

struct proto_ent {
	const char	*name;
	uint8_t		 num;
	bool		 alias;
};

/* Debian netbase /etc/protocols, plus the KAME built-ins icmp6 and ip4. */
static const struct proto_ent proto_tab[] = {
	{ "ah", 51, false },
	{ "ax.25", 93, false },
	{ "dccp", 33, false },
	{ "ddp", 37, false },
	{ "egp", 8, false },
	{ "eigrp", 88, false },
	{ "encap", 98, false },
	{ "esp", 50, false },
	{ "etherip", 97, false },
	{ "ethernet", 143, false },
	{ "fc", 133, false },
	{ "ggp", 3, false },
	{ "gre", 47, false },
	{ "hip", 139, false },
	{ "hmp", 20, false },
	{ "icmp", 1, false },
	{ "icmp6", 58, true },
	{ "idpr-cmtp", 38, false },
	{ "idrp", 45, false },
	{ "igmp", 2, false },
	{ "igp", 9, false },
	{ "ip", 0, false },
	{ "ip4", 4, true },
	{ "ipcomp", 108, false },
	{ "ipencap", 4, false },
	{ "ipip", 94, false },
	{ "ipv6", 41, false },
	{ "ipv6-frag", 44, false },
	{ "ipv6-icmp", 58, false },
	{ "ipv6-nonxt", 59, false },
	{ "ipv6-opts", 60, false },
	{ "ipv6-route", 43, false },
	{ "isis", 124, false },
	{ "iso-tp4", 29, false },
	{ "l2tp", 115, false },
	{ "manet", 138, false },
	{ "mobility-header", 135, false },
	{ "mpls-in-ip", 137, false },
	{ "ospf", 89, false },
	{ "pim", 103, false },
	{ "pup", 12, false },
	{ "rdp", 27, false },
	{ "rohc", 142, false },
	{ "rspf", 73, false },
	{ "rsvp", 46, false },
	{ "sctp", 132, false },
	{ "shim6", 140, false },
	{ "skip", 57, false },
	{ "st", 5, false },
	{ "tcp", 6, false },
	{ "udp", 17, false },
	{ "udplite", 136, false },
	{ "vmtp", 81, false },
	{ "vrrp", 112, false },
	{ "wesp", 141, false },
	{ "xns-idp", 22, false },
	{ "xtp", 36, false },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
proto_cmp(const void *key, const void *elem)
{
	const struct proto_ent *e = elem;

	return strcmp(key, e->name);
}

int
proto_by_name(const char *name)
{
	const struct proto_ent *e;

	e = bsearch(name, proto_tab, NELEM(proto_tab), sizeof(proto_tab[0]), proto_cmp);
	return e == NULL ? -1 : e->num;
}

const char *
proto_name(uint8_t proto)
{
	size_t	i;

	for (i = 0; i < NELEM(proto_tab); i++)
		if (proto_tab[i].num == proto && !proto_tab[i].alias)
			return proto_tab[i].name;
	return NULL;
}
