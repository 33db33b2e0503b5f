#!/usr/bin/env bash
#
# test-ikd-natt.sh: ikd and NAT traversal (RFC 7296 2.23, RFC 3948).
# Part 1, a real NAT between the gateways (nftables masquerade in a
# namespace of its own, gw A's ports rewritten to 45000): the
# NAT_DETECTION payloads show the NAT, IKE moves to port 4500 through
# tunneld's relay, the SAs are UDP-encapsulated on both sides (gw B's name
# A's translated address and port), keepalives keep the mapping, and
# traffic flows both ways. Part 2, no NAT but `nat_traversal force` on gw
# A: A's deliberately wrong NAT_DETECTION_SOURCE_IP makes B see a NAT too,
# so both sides encapsulate (what a strongSwan peer with userspace ESP
# does).
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init ikd-natt
command -v nft >/dev/null || die "missing nft: run tests/install-deps.sh"
NAT_ADDR=198.51.100.1
NAT_PORT=45000

esp_udp_sas() {
	run_setkey "$1" "$2" -D | grep -cE '^[[:space:]]+esp-udp mode=tunnel' || true
}

# ---- part 1: a real NAT ----
topo_nat "$NAT_PORT-$((NAT_PORT + 9))"
start_tunneld xga gwxa -i gif0
start_tunneld xgb gwxb -i gif0
topo_wait_link xga gif0
topo_wait_link xgb gif0
ns_exec xga ip route add 10.2.0.0/24 dev gif0 || die "route on xga"
ns_exec xgb ip route add 10.1.0.0/24 dev gif0 || die "route on xgb"
# Each side names the other as it sees it: B sees A as the NAT's address.
cat >"$WORK/spd-a.conf" <<POL
spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec esp/tunnel/203.0.113.1-198.51.100.2/require;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec esp/tunnel/198.51.100.2-203.0.113.1/require;
POL
cat >"$WORK/spd-b.conf" <<POL
spdadd 10.2.0.0/24 10.1.0.0/24 any -P out ipsec esp/tunnel/198.51.100.2-$NAT_ADDR/require;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P in ipsec esp/tunnel/$NAT_ADDR-198.51.100.2/require;
POL
run_setkey xga gwxa -f "$WORK/spd-a.conf" || die "setkey on gw A"
run_setkey xgb gwxb -f "$WORK/spd-b.conf" || die "setkey on gw B"
write_psk "$WORK/psk-a.txt" "198.51.100.2 nat-secret"
# B knows A by the address it sees.
write_psk "$WORK/psk-b.txt" "$NAT_ADDR nat-secret" "203.0.113.1 nat-secret"
ikd_conf ika "$WORK/psk-a.txt" 'timer { natt_keepalive 2 sec; }'
ikd_conf ikb "$WORK/psk-b.txt" 'remote anonymous { passive on; }'
start_ikd xga ika gwxa "$WORK/ika.conf" || die "ikd on gw A"
start_ikd xgb ikb gwxb "$WORK/ikb.conf" || die "ikd on gw B"

capture_start xgb pub0 outside
expect_rc 0 "NAT: host A's first ping negotiates through the NAT" \
	ns_exec xa ping -c 1 -W 5 10.2.0.10 || true
expect_rc 0 "NAT: host A pings host B" ns_exec xa ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "NAT: host B pings host A" ns_exec xb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
sleep 5		# two keepalive intervals
capture_stop outside
for side in "xga gwxa" "xgb gwxb"; do
	read -r ns td <<<"$side"
	n=$(esp_udp_sas "$ns" "$td")
	[[ $n -eq 2 ]] && pass "NAT: $ns holds 2 UDP-encapsulated SAs" ||
		fail "NAT: $ns holds $n esp-udp SAs, want 2"
done
# The NAT picks a port of its range for gw A's 4500.
if [[ $(run_setkey xgb gwxb -D | grep -cE "^${NAT_ADDR//./\\.}\\[4500[0-9]\\] 198\\.51\\.100\\.2\\[4500\\]|^198\\.51\\.100\\.2\\[4500\\] ${NAT_ADDR//./\\.}\\[4500[0-9]\\]") -eq 2 ]]; then
	pass "NAT: gw B's SAs name A by the NAT's address and port"
else
	fail "NAT: gw B's SAs do not name ${NAT_ADDR}[${NAT_PORT}-$((NAT_PORT + 9))]"
	run_setkey xgb gwxb -D | grep -E '^[0-9]' | sed 's/^/    | /' >&2
fi
ike4500=$(capture_count outside "udp port 4500 and udp[4:2] > 12 and udp[8:4] == 0")
ka=$(capture_count outside "udp port 4500 and udp[4:2] == 9")
esp=$(capture_count outside "udp port 4500 and udp[4:2] > 12 and udp[8:4] != 0")
raw=$(capture_count outside "ip proto 50 or icmp")
[[ $ike4500 -ge 2 ]] && pass "NAT: IKE moved to port 4500 ($ike4500 datagrams behind the marker)" ||
	fail "NAT: no IKE on port 4500"
[[ $ka -ge 1 ]] && pass "NAT: $ka NAT keepalives from gw A" || fail "NAT: no keepalive seen"
[[ $esp -ge 12 && $raw -eq 0 ]] && pass "NAT: $esp ESP-in-UDP packets, no raw ESP or ICMP" ||
	fail "NAT: $esp ESP-in-UDP (want >= 12), $raw raw ESP or ICMP (want 0)"
grep -qi "nat" "${IKD_LOG[ika]}" && pass "NAT: gw A's log mentions the NAT" ||
	fail "NAT: gw A's log says nothing of a NAT"
stop_ikd ika
stop_ikd ikb

# ---- part 2: no NAT, encapsulation forced by gw A ----
topo_create v4
topo_tunneld gif
run_setkey ga gwa -f "$REPO/conf/ipsec.conf.gw-a" || die "setkey on gw A"
run_setkey gb gwb -f "$REPO/conf/ipsec.conf.gw-b" || die "setkey on gw B"
write_psk "$WORK/psk-fa.txt" "203.0.113.2 force-secret"
write_psk "$WORK/psk-fb.txt" "203.0.113.1 force-secret"
ikd_conf ifa "$WORK/psk-fa.txt" 'remote anonymous { nat_traversal force; }'
ikd_conf ifb "$WORK/psk-fb.txt"
start_ikd ga ifa gwa "$WORK/ifa.conf" || die "ikd on gw A"
start_ikd gb ifb gwb "$WORK/ifb.conf" || die "ikd on gw B"
capture_start ga pub0 forced
expect_rc 0 "force: the first ping negotiates" ns_exec ha ping -c 1 -W 5 10.2.0.10 || true
expect_rc 0 "force: host A pings host B" ns_exec ha ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
capture_stop forced
for side in "ga gwa" "gb gwb"; do
	read -r ns td <<<"$side"
	n=$(esp_udp_sas "$ns" "$td")
	[[ $n -eq 2 ]] && pass "force: $ns holds 2 UDP-encapsulated SAs" ||
		fail "force: $ns holds $n esp-udp SAs, want 2"
done
raw=$(capture_count forced "ip proto 50")
[[ $raw -eq 0 ]] && pass "force: no raw ESP on the public link" || fail "force: $raw raw ESP packets"
lib_finish
