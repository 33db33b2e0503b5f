#!/usr/bin/env bash
#
# test-ipv6.sh: IPv6 inside (fd01::/64 - fd02::/64) over IPv6 outside
# (2001:db8::1 - 2001:db8::2 on the public link), direct policies, no gif
# layer, hand-made AES-GCM-16 SAs with keys drawn for this run. Pings both
# ways work, 16 MiB of TCP arrive unchanged (joined into GSO writes to
# the TUN on the way), and the public link carries ESP only (ip6 proto
# 50), apart from neighbour discovery and MLD.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init ipv6

# hexkey BYTES: a random key in setkey's 0x... notation.
hexkey() {
	printf '0x%s' "$(od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n')"
}

topo_create v6
topo_tunneld direct6
k1=$(hexkey 36)
k2=$(hexkey 36)
sas="flush;
spdflush;
add 2001:db8::1 2001:db8::2 esp 0x00006001 -m tunnel -u 61 -E aes-gcm-16 $k1;
add 2001:db8::2 2001:db8::1 esp 0x00006002 -m tunnel -u 62 -E aes-gcm-16 $k2;
"
printf '%s' "$sas" >"$WORK/v6.gw-a"
cat >>"$WORK/v6.gw-a" <<'CONF'
spdadd fd01::/64 fd02::/64 any -P out ipsec esp/tunnel/2001:db8::1-2001:db8::2/unique:61;
spdadd fd02::/64 fd01::/64 any -P in ipsec esp/tunnel/2001:db8::2-2001:db8::1/unique:62;
CONF
printf '%s' "$sas" >"$WORK/v6.gw-b"
cat >>"$WORK/v6.gw-b" <<'CONF'
spdadd fd02::/64 fd01::/64 any -P out ipsec esp/tunnel/2001:db8::2-2001:db8::1/unique:62;
spdadd fd01::/64 fd02::/64 any -P in ipsec esp/tunnel/2001:db8::1-2001:db8::2/unique:61;
CONF
expect_rc 0 "gw A: setkey -f (IPv6 SAs and policies)" run_setkey ga gwa -f "$WORK/v6.gw-a" ||
	die "gw A refused its keys"
expect_rc 0 "gw B: setkey -f (the mirror)" run_setkey gb gwb -f "$WORK/v6.gw-b" ||
	die "gw B refused its keys"

capture_start ga pub0 pub
expect_rc 0 "host A pings host B (fd01::10 -> fd02::10)" \
	ns_exec ha ping -6 -c 3 -i 0.2 -W 2 fd02::10 || true
expect_rc 0 "host B pings host A (fd02::10 -> fd01::10)" \
	ns_exec hb ping -6 -c 3 -i 0.2 -W 2 fd01::10 || true
# IPv6 TCP runs go to the TUN joined (GSO, TCPV6) and arrive unchanged.
tcp_copy_check ha hb fd02::10 16 || true
n=$(td_counter gb gwb tun_joined)
[[ ${n:-0} -gt 0 ]] && pass "gb: $n IPv6 TCP segments went to the TUN joined" ||
	fail "gb: tun_joined=${n:-none}: no joined write to the TUN"
capture_stop pub
check_only_esp pub 12 v6 || true
lib_finish
