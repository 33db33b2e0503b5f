#!/usr/bin/env bash
#
# test-natt-udp.sh: ESP in UDP (RFC 3948) with hand-made esp-udp SAs and
# direct subnet policies: AES-GCM-16 from A to B, AES-CBC + HMAC-SHA2-256
# from B to A, as in test-subnet-esp.sh but with the NAT-T extensions.
# Part 1, the handbook topology: pings both ways and an iperf3 transfer
# work; the public link carries UDP port 4500 datagrams only, each with an
# expected SPI in front; setkey -D says esp-udp; packets_in rises.
# Part 2, a real NAT between the gateways (nftables masquerade that also
# rewrites A's port to 45000): gw B's SA to A names A's translated address
# and port; traffic flows both ways through the NAT.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init natt-udp
command -v iperf3 >/dev/null || die "missing iperf3: run tests/install-deps.sh"
command -v tcpdump >/dev/null || die "missing tcpdump: run tests/install-deps.sh"
command -v nft >/dev/null || die "missing nft: run tests/install-deps.sh"

# The published example keys of conf/manual-keys.conf.*: test use only.
GCM_KEY=0xe31fdb9b6b410fabdd9caa5e21d622c2be3ed4cfd283448e60194fc44f1f2464f62a0d48
CBC_KEY=0xede03ba000c6cc46dc2b1059ed44870a
SHA_KEY=0x2b51d03a37ddc3910281fe71df8ce679e21c06aa8466179904d95c348c10b054
# The NAT's public address and the port it gives gw A's 4500.
NAT_ADDR=198.51.100.1
NAT_PORT=45000

# natt_keys FILE SIDE A_END B_END A_OUTER B_OUTER: writes the setkey file of
# gateway SIDE (a or b). A_END/B_END are the SA endpoints with their [port]
# as the peer that uses them sees them; A_OUTER/B_OUTER the bare addresses
# of the policies' tunnel endpoints.
natt_keys() {
	local file=$1 side=$2 ae=$3 be=$4 ao=$5 bo=$6 out in
	out="spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec
	esp/tunnel/$ao-$bo/unique:101;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec
	esp/tunnel/$bo-$ao/unique:202;"
	in="spdadd 10.2.0.0/24 10.1.0.0/24 any -P out ipsec
	esp/tunnel/$bo-$ao/unique:202;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P in ipsec
	esp/tunnel/$ao-$bo/unique:101;"
	[[ $side == b ]] && out=$in
	cat >"$file" <<EOF
flush;
spdflush;
add $ae $be esp-udp 0x00003001 -m tunnel -u 101 -r 128
	-E aes-gcm-16 $GCM_KEY;
add $be $ae esp-udp 0x00003002 -m tunnel -u 202
	-E aes-cbc $CBC_KEY
	-A hmac-sha256 $SHA_KEY;
$out
EOF
}

# sa_counter STATS SPI KEY: KEY of the traffic line of SA SPI in "setkey -s".
sa_counter() {
	awk -v s="spi=$2(" 'index($0, s) { f = 1; next } f && /traffic:/ { print; exit }' <<<"$1" |
		grep -oE "$3=[0-9]+" | cut -d= -f2
}

# check_only_natt NAME MIN LOCALPORT: capture NAME holds at least MIN IPv4
# packets, all UDP between port LOCALPORT and 4500, each carrying one of
# the two SPIs (no keepalive, no IKE, no ESP or anything else in clear).
check_only_natt() {
	local name=$1 min=$2 port=$3 total udp spi esp50
	total=$(capture_count "$name" ip)
	esp50=$(capture_count "$name" 'ip proto 50')
	udp=$(capture_count "$name" "udp and ((src port $port and dst port 4500) or \
(src port 4500 and dst port $port))")
	spi=$(capture_count "$name" "udp and (udp[8:4] == 0x3001 or udp[8:4] == 0x3002)")
	if [[ $total -ge $min && $udp -eq $total && $spi -eq $total && $esp50 -eq 0 ]]; then
		pass "$name: $total packets, all UDP $port<->4500 with SPI 0x3001/0x3002"
		return 0
	fi
	fail "$name: $total packets (want >= $min): $udp UDP $port<->4500, $spi with our" \
		"SPIs, $esp50 raw ESP; the others:"
	tcpdump -n -r "$WORK/$name.pcap" "not (udp and (udp[8:4] == 0x3001 or \
udp[8:4] == 0x3002))" 2>/dev/null | head -10 | sed 's/^/    | /' >&2
	return 1
}

# ---- part 1: the handbook topology, no NAT ----
topo_create v4
topo_tunneld direct
natt_keys "$WORK/keys.a" a '203.0.113.1[4500]' '203.0.113.2[4500]' 203.0.113.1 203.0.113.2
natt_keys "$WORK/keys.b" b '203.0.113.1[4500]' '203.0.113.2[4500]' 203.0.113.1 203.0.113.2
expect_rc 0 "gw A: setkey -f (esp-udp AES-GCM-16 out, AES-CBC + HMAC-SHA2-256 in)" \
	run_setkey ga gwa -f "$WORK/keys.a" || die "gw A refused its keys"
expect_rc 0 "gw B: setkey -f (the mirror)" \
	run_setkey gb gwb -f "$WORK/keys.b" || die "gw B refused its keys"

expect_rc 0 "gw A: setkey -D" run_setkey ga gwa -D || true
n=$(grep -cE '^203\.0\.113\.[12]\[4500\] 203\.0\.113\.[12]\[4500\][[:space:]]*$' <<<"$OUT" ||
	true)
m=$(grep -cE '^[[:space:]]+esp-udp mode=tunnel spi=(12289|12290)\(' <<<"$OUT" || true)
if [[ $n -eq 2 && $m -eq 2 ]]; then
	pass "gw A: setkey -D shows both SAs as esp-udp with [4500] ports"
else
	fail "gw A: setkey -D: $n endpoint lines with [4500], $m esp-udp lines (want 2, 2):"
	printf '%s\n' "$OUT" | head -30 | sed 's/^/    | /' >&2
fi

capture_start ga pub0 pub
expect_rc 0 "host A pings host B over ESP-in-UDP" \
	ns_exec ha ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "host B pings host A over ESP-in-UDP" \
	ns_exec hb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
iperf_pair ha hb 10.2.0.10 2 || true
capture_stop pub
check_only_natt pub 12 4500 || true

expect_rc 0 "gw A: setkey -s" td_stats ga gwa || true
in1=$(sa_counter "$OUT" 12290 packets_in)
out1=$(sa_counter "$OUT" 12289 packets_out)
g1=$(td_counter ga gwa packets_in)
expect_rc 0 "host B pings host A again" ns_exec hb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
expect_rc 0 "gw A: setkey -s again" td_stats ga gwa || true
in2=$(sa_counter "$OUT" 12290 packets_in)
g2=$(td_counter ga gwa packets_in)
if [[ ${out1:-0} -ge 6 && ${in1:-0} -ge 6 && ${in2:-0} -ge $((${in1:-0} + 3)) &&
	${g2:-0} -ge $((${g1:-0} + 3)) ]]; then
	pass "gw A: SA 0x3001 sent $out1, SA 0x3002 packets_in $in1 -> $in2, global ${g1} -> ${g2}"
else
	fail "gw A: counters out=${out1:-none} in=${in1:-none}->${in2:-none}" \
		"global=${g1:-none}->${g2:-none}:"
	printf '%s\n' "$OUT" | sed 's/^/    | /' >&2
fi

# ---- part 2: a NAT between the gateways ----
#
#   xa (10.1.0.10) - xga (10.1.0.1; 203.0.113.1, via .254)
#     - nat (203.0.113.254; 198.51.100.1, masquerade, A's 4500 -> 45000)
#     - xgb (198.51.100.2; 10.2.0.1) - xb (10.2.0.10)
#
# gw B never sees 203.0.113.1: its SAs name 198.51.100.1[45000].
topo_nat "$NAT_PORT"

start_tunneld xga gwxa -i gif0
start_tunneld xgb gwxb -i gif0
topo_wait_link xga gif0
topo_wait_link xgb gif0
ns_exec xga ip route add 10.2.0.0/24 dev gif0 || die "route on xga"
ns_exec xgb ip route add 10.1.0.0/24 dev gif0 || die "route on xgb"
natt_keys "$WORK/keys.xa" a '203.0.113.1[4500]' '198.51.100.2[4500]' 203.0.113.1 198.51.100.2
natt_keys "$WORK/keys.xb" b "${NAT_ADDR}[$NAT_PORT]" '198.51.100.2[4500]' "$NAT_ADDR" 198.51.100.2
expect_rc 0 "NAT: gw A: setkey -f (peer 198.51.100.2[4500])" \
	run_setkey xga gwxa -f "$WORK/keys.xa" || die "gw A (NAT) refused its keys"
expect_rc 0 "NAT: gw B: setkey -f (peer ${NAT_ADDR}[$NAT_PORT], A as translated)" \
	run_setkey xgb gwxb -f "$WORK/keys.xb" || die "gw B (NAT) refused its keys"

capture_start xga pub0 inside
capture_start xgb pub0 outside
# A speaks first: its datagram opens the NAT mapping B's answers use.
expect_rc 0 "NAT: host A pings host B" ns_exec xa ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "NAT: host B pings host A" ns_exec xb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
iperf_pair xa xb 10.2.0.10 2 || true
capture_stop inside
capture_stop outside
check_only_natt inside 12 4500 || true
check_only_natt outside 12 "$NAT_PORT" || true
real=$(capture_count outside 'host 203.0.113.1')
if [[ $real -eq 0 ]]; then
	pass "NAT: gw B's side never sees gw A's real address"
else
	fail "NAT: $real packets with 203.0.113.1 on gw B's side"
fi
expect_rc 0 "NAT: gw B: setkey -D" run_setkey xgb gwxb -D || true
if grep -qE "^${NAT_ADDR//./\\.}\\[$NAT_PORT\\] 198\\.51\\.100\\.2\\[4500\\]" <<<"$OUT"; then
	pass "NAT: gw B: setkey -D shows the SA from A as ${NAT_ADDR}[$NAT_PORT]"
else
	fail "NAT: gw B: setkey -D lacks ${NAT_ADDR}[$NAT_PORT] 198.51.100.2[4500]:"
	printf '%s\n' "$OUT" | head -20 | sed 's/^/    | /' >&2
fi
expect_rc 0 "NAT: gw B: setkey -s" td_stats xgb gwxb || true
in_b=$(sa_counter "$OUT" 12289 packets_in)
out_b=$(sa_counter "$OUT" 12290 packets_out)
if [[ ${in_b:-0} -ge 6 && ${out_b:-0} -ge 6 ]]; then
	pass "NAT: gw B: SA 0x3001 received $in_b packets, SA 0x3002 sent $out_b"
else
	fail "NAT: gw B: counters in=${in_b:-none} out=${out_b:-none} (want >= 6 each):"
	printf '%s\n' "$OUT" | sed 's/^/    | /' >&2
fi
lib_finish
