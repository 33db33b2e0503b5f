/*
 * nft.h: the nftables table that makes `in` policies a wall.
 *
 * tunneld sees only what reaches it: packets read from its raw and UDP
 * sockets. A plaintext packet that arrives on a public interface addressed
 * to the inside network (or to the gateway's own inside address) would be
 * routed by the kernel around tunneld. The KAME kernel dropped such
 * packets on its inbound policy check; here the kernel's nftables does it,
 * with one table per TUN interface, regenerated whenever the SPD changes:
 *
 *	table inet tunneld_gif0 {
 *		chain prerouting {
 *			type filter hook prerouting priority -90; policy accept;
 *			iifname { "lo", "gif0" } accept
 *			meta l4proto 50 fib daddr type local accept
 *			udp dport { 500, 4500 } fib daddr type local accept
 *			ip saddr 203.0.113.2 ip daddr 203.0.113.1 meta l4proto 4 counter drop
 *		}
 *	}
 *
 * Hook and priority: prerouting sees both traffic to be forwarded to the
 * inside network and traffic for the gateway's own addresses, in one
 * chain, before the routing decision. Priority -90 runs after IPv4/IPv6
 * defragmentation (-400) and conntrack (-200), so ports are matched on
 * reassembled datagrams whenever conntrack is in use, and after
 * destination NAT (-100), so a packet translated into a protected range
 * is judged by its real destination. Dropping there is cheap: conntrack
 * entries of dropped packets are never confirmed.
 *
 * What passes before the policy rules:
 *  - packets from the TUN interface: tunneld wrote them after ESP
 *    verified, and loopback, which cannot carry a forged outside packet;
 *  - ESP (protocol 50) and UDP to the IKE and NAT-T ports when addressed
 *    to the gateway itself: in KAME, ESP was consumed by IPsec before any
 *    inbound policy check and racoon's sockets bypassed policy, so a
 *    catch-all `in` policy must not cut off the tunnel or its keying.
 *
 * The gif case: the handbook's `spdadd 203.0.113.2 203.0.113.1 ipencap
 * -P in ipsec esp/tunnel/.../require` becomes a drop of protocol 4 from
 * the peer. ESP from the peer is protocol 50, which the rule does not
 * match, so tunneld's raw ESP socket still sees it; IPIP that arrives
 * inside ESP is unwrapped by tunneld itself and never re-enters the
 * kernel; and plaintext IPIP from the peer, which must not be accepted
 * while a policy requires protection, is dropped before it reaches the
 * raw IPIP socket (raw sockets receive after prerouting). That socket
 * serves only gif tunnels without a protecting policy.
 *
 * Rules follow the caller's order, which must be the SPD's `in` order so
 * that a bypass placed before a protected policy keeps its precedence.
 * nftables cannot express every KAME selector; the rendering then errs
 * on the closed side: a drop rule ignores the ports it cannot express
 * (GRE keys, ports with protocol `any`) and an accept rule that cannot be
 * expressed is left out (both noted in the script as comments). A
 * selector that can never match a packet (ports on a protocol without
 * them) yields no rule.
 */
#ifndef TUNNELD_NFT_H
#define TUNNELD_NFT_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define NFT_TABLE_PREFIX	"tunneld_"
#define NFT_TABLE_MAX		(sizeof(NFT_TABLE_PREFIX) + IFNAMSIZ)
#define NFT_PRIORITY		(-90)
#define NFT_IKE_PORT		500

enum nft_verdict {
	NFT_ACCEPT,	/* a bypass (`none`, or `use`) policy: plaintext may pass */
	NFT_DROP,	/* `discard`, or `ipsec` with require/unique */
};

/* One `in` policy, in SPD order. */
struct nft_rule {
	struct gw_sel		sel;	/* prefixes and ports; proto 255 = any */
	enum nft_verdict	verdict;
	uint32_t		spid;	/* shown as the rule's comment; 0 = none */
};

struct nft_conf {
	char		 table[NFT_TABLE_MAX];	/* "tunneld_gif0" */
	char		 tun[IFNAMSIZ];		/* the TUN interface */
	uint16_t	 ike_port;	/* exempted UDP ports to the gateway; 0 = none */
	uint16_t	 natt_port;
	const char	*nft;		/* program: "nft", searched in PATH, or a path */
};

/*
 * Fills *c for TUN interface tun: table "tunneld_<tun>" ('.' and '-'
 * become '_'), ports 500 and 4500, program "nft". Returns 0, or
 * GW_E_BADVAL if tun is not 1..15 of [A-Za-z0-9_.-].
 */
int nft_conf_init(struct nft_conf *c, const char *tun);

/*
 * Writes to out an nft script that atomically replaces the table with
 * one holding rules[0..n) (`add table`, `delete table` and the new
 * definition: one transaction, which works on nft 1.0.6 that lacks
 * `destroy`). Pure. Returns 0, GW_E_FAMILY or GW_E_BADVAL for a bad
 * selector (nothing useful written then), GW_E_NOMEM if out failed.
 */
int nft_render(const struct nft_conf *c, const struct nft_rule *rules, size_t n, FILE *out);

/* Writes the script that deletes the table if it exists. Pure. */
int nft_render_remove(const struct nft_conf *c, FILE *out);

/*
 * Renders and runs `nft -f -` with the script on its standard input.
 * Returns 0, or -1 after logging the reason and nft's own messages.
 * Needs CAP_NET_ADMIN in the network namespace.
 */
int nft_sync(const struct nft_conf *c, const struct nft_rule *rules, size_t n);

/* Deletes the table (at exit); 0 also when it did not exist, else -1. */
int nft_remove(const struct nft_conf *c);

#endif
