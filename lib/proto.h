/*
 * proto.h: IP protocol names, from a built-in table rather than
 * /etc/protocols, so that parsing and dumps do not depend on what the
 * host has installed. Names follow Debian's netbase /etc/protocols
 * (what ipsec-tools printed through getprotobynumber), plus the KAME
 * built-ins "icmp6" and "ip4".
 */
#ifndef GW_PROTO_H
#define GW_PROTO_H

#include <stdbool.h>
#include <stdint.h>

/* Protocol number for a name ("tcp", "ipencap", "icmp6"); -1 if unknown. */
int proto_by_name(const char *name);
/* Canonical name of a protocol number, or NULL (print the number then). */
const char *proto_name(uint8_t proto);

#endif
