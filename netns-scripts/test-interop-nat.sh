#!/usr/bin/env bash
#
# test-interop-nat.sh: our gateway behind a real NAT, strongSwan's charon
# on the other side. A namespace between the gateways masquerades gw A's
# traffic (addresses and ports, nftables). ikd initiates on the first
# ping; both sides detect the NAT (a real one this time), IKE moves to
# port 4500 through tunneld's relay and the NAT, the SAs are
# UDP-encapsulated, ikd sends keepalives from behind the NAT, and
# traffic flows both ways, also after charon rekeys the CHILD SA.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-scripts/strongswan.sh
. "$(dirname "$0")/strongswan.sh"
lib_init interop-nat
ss_available || die "strongSwan is not installed: run tests/install-deps.sh"
command -v nft >/dev/null || die "missing nft: run tests/install-deps.sh"
NAT_ADDR=198.51.100.1
PSK_HEX=0x6e61742d696e7465726f702d736563726574

topo_nat 40000-40009

start_tunneld xga gwxa -i gif0
topo_wait_link xga gif0
ns_exec xga ip route add 10.2.0.0/24 dev gif0 || die "route on gw A"
cat >"$WORK/spd-a.conf" <<'POL'
spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec esp/tunnel/203.0.113.1-198.51.100.2/require;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec esp/tunnel/198.51.100.2-203.0.113.1/require;
POL
run_setkey xga gwxa -f "$WORK/spd-a.conf" || die "setkey on gw A"
write_psk "$WORK/psk-a.txt" "198.51.100.2 $PSK_HEX"
ikd_conf ika "$WORK/psk-a.txt" 'timer { natt_keepalive 2 sec; }'
start_ikd xga ika gwxa "$WORK/ika.conf" || die "ikd on gw A"
# charon knows gw A by its identity (its real address) at the NAT's address.
SS_REMOTE_ID=203.0.113.1 SS_CHILD_EXTRA="				rekey_time = 8s
				life_time = 20s
				rand_time = 1s" ss_render ssb 198.51.100.2 "$NAT_ADDR" 10.2.0.0/24 \
	10.1.0.0/24 aes256gcm16 "$PSK_HEX"
ss_start xgb ssb
ss_load ssb

capture_start xgb pub0 outside
expect_rc 0 "behind a NAT: the first ping negotiates with charon" \
	ns_exec xa ping -c 1 -W 5 10.2.0.10 || true
expect_rc 0 "behind a NAT: host A pings host B" ns_exec xa ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "behind a NAT: host B pings host A" ns_exec xb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
ns_exec xa ping -q -i 0.05 -W 1 -c 240 10.2.0.10 >"$WORK/ping.out" 2>&1 || true
capture_stop outside
rx=$(grep -oE '[0-9]+ received' "$WORK/ping.out" | cut -d' ' -f1)
[[ ${rx:-0} -eq 240 ]] && pass "behind a NAT: 240 pings across charon's CHILD SA rekeys, none lost" ||
	fail "behind a NAT: ${rx:-0} of 240 pings answered across charon's rekeys"
grep -q 'CHILD_SA .* established' "${SS_LOG[ssb]}" &&
	[[ $(grep -c 'CHILD_SA .* established' "${SS_LOG[ssb]}") -ge 3 ]] &&
	pass "behind a NAT: charon rekeyed its CHILD SA" || fail "behind a NAT: charon did not rekey"
grep -q 'remote host is behind NAT' "${SS_LOG[ssb]}" &&
	pass "behind a NAT: charon saw the NAT" || fail "behind a NAT: charon did not see a NAT"
grep -q 'NAT traversal' "${IKD_LOG[ika]}" && pass "behind a NAT: ikd moved to NAT traversal" ||
	fail "behind a NAT: ikd's log says nothing of NAT traversal"
ka=$(capture_count outside "udp port 4500 and udp[4:2] == 9")
real=$(capture_count outside 'host 203.0.113.1')
raw=$(capture_count outside 'ip proto 50')
[[ $ka -ge 1 ]] && pass "behind a NAT: $ka keepalives reached charon's side" ||
	fail "behind a NAT: no keepalive on charon's side"
[[ $real -eq 0 && $raw -eq 0 ]] && pass "behind a NAT: charon's side sees neither gw A's address nor raw ESP" ||
	fail "behind a NAT: $real packets with 203.0.113.1, $raw raw ESP on charon's side"
lib_finish
