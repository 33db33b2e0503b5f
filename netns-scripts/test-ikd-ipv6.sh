#!/usr/bin/env bash
#
# test-ikd-ipv6.sh: ikd over IPv6 outer addresses. The gateways talk IKE
# and ESP between 2001:db8::1 and 2001:db8::2 and protect the IPv6 sites
# fd01::/64 and fd02::/64 (subnet policies, no gif layer). The first ping
# negotiates; pings pass both ways; both gateways hold the SAs; the public
# link carries only ESP and IKE over IPv6.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init ikd-ipv6

topo_create v6
topo_tunneld direct6
cat >"$WORK/spd-a.conf" <<'POL'
spdadd fd01::/64 fd02::/64 any -P out ipsec esp/tunnel/2001:db8::1-2001:db8::2/require;
spdadd fd02::/64 fd01::/64 any -P in ipsec esp/tunnel/2001:db8::2-2001:db8::1/require;
POL
cat >"$WORK/spd-b.conf" <<'POL'
spdadd fd02::/64 fd01::/64 any -P out ipsec esp/tunnel/2001:db8::2-2001:db8::1/require;
spdadd fd01::/64 fd02::/64 any -P in ipsec esp/tunnel/2001:db8::1-2001:db8::2/require;
POL
run_setkey ga gwa -f "$WORK/spd-a.conf" || die "setkey on gw A"
run_setkey gb gwb -f "$WORK/spd-b.conf" || die "setkey on gw B"
write_psk "$WORK/psk-a.txt" "2001:db8::2 an IPv6 secret"
write_psk "$WORK/psk-b.txt" "2001:db8::1 an IPv6 secret"
ikd_conf ika "$WORK/psk-a.txt"
ikd_conf ikb "$WORK/psk-b.txt"
start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A"
start_ikd gb ikb gwb "$WORK/ikb.conf" || die "ikd on gw B"

capture_start ga pub0 pub
expect_rc 0 "the first ping (IPv6) negotiates and gets through" \
	ns_exec ha ping -6 -c 1 -W 5 fd02::10 || true
expect_rc 0 "host A pings host B over IPv6" ns_exec ha ping -6 -c 5 -i 0.2 -W 2 fd02::10 || true
expect_rc 0 "host B pings host A over IPv6" ns_exec hb ping -6 -c 5 -i 0.2 -W 2 fd01::10 || true
capture_stop pub
esp=$(capture_count pub "ip6 proto 50")
ike=$(capture_count pub "ip6 and udp port 500")
other=$(capture_count pub "ip6 and not (ip6 proto 50 or udp port 500 or net fe80::/10 or dst net ff02::/16 or (icmp6 and ip6[40] >= 133 and ip6[40] <= 136))")
if [[ $esp -ge 10 && $ike -ge 4 && $other -eq 0 ]]; then
	pass "public link: $esp ESP and $ike IKE packets over IPv6, nothing else"
else
	fail "public link: $esp ESP (want >= 10), $ike IKE (want >= 4), $other other (want 0)"
	capture_show pub 20
fi
for side in "ga gwa" "gb gwb"; do
	read -r ns td <<<"$side"
	n=$(run_setkey "$ns" "$td" -D | grep -c 'esp mode=tunnel' || true)
	[[ $n -eq 2 ]] && pass "$ns: 2 SAs between the IPv6 gateways" ||
		fail "$ns: $n ESP tunnel SAs, want 2"
done
lib_finish
