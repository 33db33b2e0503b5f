/*
 * tungso.h: TCP segments of one flow, joined into one write to the TUN.
 *
 * Every packet written to the TUN device is routed, filtered and
 * forwarded by the kernel on its own, and at a gigabit that per-packet
 * work costs more than the ESP itself. A bulk TCP flow arrives as runs
 * of back-to-back segments that differ only in sequence number, IP ID
 * and checksums, so the decrypted packets of one receive batch are
 * planned here into writes: a run becomes one large packet with a
 * virtio-net header asking for TCP segmentation (GSO), which the kernel
 * forwards once and cuts into the original segments on the way out.
 * Linux's own GRO does the same for packets that arrive on a NIC.
 *
 * A run is only what cutting reproduces exactly: same addresses, ports,
 * ToS/traffic class, TTL/hop limit, DF, ACK number, window and TCP
 * options; contiguous sequence numbers; ACK (and PSH on the last) as the
 * only flags; equal payload sizes but for a shorter last one; IPv4 IDs
 * counting up (or DF set, RFC 6864); no IPv4 options or IPv6 extension
 * headers; and a TCP checksum that verifies on every segment, so that a
 * bad segment is never given a good checksum. Anything else is written
 * as it came.
 */
#ifndef TUNNELD_TUNGSO_H
#define TUNNELD_TUNGSO_H

#include <stddef.h>
#include <stdint.h>

#include "pktbuf.h"

#define TUNGSO_VNET_LEN		10	/* struct virtio_net_hdr, no num_buffers */
#define TUNGSO_MAX_LEN		65535	/* IPv4 total length; IPv6 kept to the same */
#define TUNGSO_HEAD_MAX		(40 + 60)	/* IPv6 + the longest TCP header */
#define TUNGSO_MAX_SEGS		64	/* segments in one write (its iovecs) */

/*
 * One write: the virtio-net header and the headers of the joined packet
 * (its first segment's, with the lengths, IPv4 header checksum, PSH and
 * TCP checksum of the whole), followed on the wire by the payload of
 * each of nseg segments.
 */
struct tungso_plan {
	uint8_t		head[TUNGSO_VNET_LEN + TUNGSO_HEAD_MAX];
	size_t		headlen;	/* bytes of head in use */
	size_t		hdrlen;		/* IP + TCP header bytes of each segment */
	size_t		nseg;		/* packets in this write, at least 1 */
	size_t		total;		/* bytes of the joined IP packet */
};

/*
 * Plans the next write of the n >= 1 IP packets at p, in arrival order:
 * returns how many of them, from p[0] on, go into it (plan->nseg, at
 * most TUNGSO_MAX_SEGS). With 1, p[0] goes as it is, behind an empty
 * virtio-net header (plan->head holds just that). The packets are not
 * changed.
 */
size_t tungso_plan(const struct pkt_buf *p, size_t n, struct tungso_plan *plan);

#endif
