/*
 * ikerelay.h: IKE datagrams on the NAT-T port, between tunneld and ikd.
 *
 * tunneld owns UDP port 4500 because ESP-in-UDP arrives there (RFC 3948)
 * and must reach the data path. IKE uses the same port once a NAT was
 * detected, so tunneld relays those datagrams (the ones that start with
 * the non-ESP marker) to ikd, and sends what ikd hands it from that port:
 * IKE messages and NAT keepalives.
 *
 * The relay socket is AF_UNIX SOCK_SEQPACKET at ikerelay_path() of the
 * PF_KEY socket path; only clients that may change tunneld's state (root,
 * or tunneld's -u user) are accepted. Each datagram is one UDP payload,
 * verbatim (marker included), behind a fixed header:
 *
 *   0   version (IKERELAY_VERSION)
 *   1   address family: 4 or 6
 *   2   reserved, zero (2 bytes)
 *   4   local port, network order
 *   6   remote port, network order
 *   8   local address (16 bytes; IPv4 in the first 4, the rest zero)
 *   24  remote address (16 bytes, likewise)
 *   40  the UDP payload, 1 to IKERELAY_PAYLOAD_MAX bytes
 *
 * tunneld to ikd: an IKE datagram from remote to local. ikd to tunneld:
 * send payload from local (its port must be the NAT-T port) to remote;
 * tunneld accepts only an IKE message behind the marker or a one-byte
 * keepalive (0xff), and counts and drops anything else.
 */
#ifndef GW_IKERELAY_H
#define GW_IKERELAY_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"

#define IKERELAY_VERSION	1
#define IKERELAY_HLEN		40
#define IKERELAY_PAYLOAD_MAX	65535
#define IKERELAY_SUFFIX		".ike"	/* relay path = PF_KEY path + this */

/*
 * The relay socket's path for PF_KEY socket path ctlpath into out.
 * Returns 0, or -1 if it does not fit len.
 */
int ikerelay_path(const char *ctlpath, char *out, size_t len);

/*
 * Writes the header for a datagram from local to remote (same family,
 * ports set) and then payload[0..len) into w. Returns 0, or -1 (nothing
 * usable written: w's sticky error, a family mismatch, a bad length).
 */
int ikerelay_encode(struct wr *w, const struct gw_addr *local, const struct gw_addr *remote,
    const uint8_t *payload, size_t len);

/*
 * Parses one relay datagram p[0..len): *local and *remote with ports,
 * *payload a view into p. Returns 0, or -1 for anything malformed (short,
 * wrong version or family, reserved bits set, an IPv4 address with
 * non-zero padding, zero ports, an empty payload).
 */
int ikerelay_decode(const uint8_t *p, size_t len, struct gw_addr *local,
    struct gw_addr *remote, struct view *payload);

#endif
