#!/usr/bin/env bash
#
# test-subnet-esp.sh: the recommended setup, ESP tunnel mode directly
# between the two inside subnets, no gif layer, hand-made SAs: AES-GCM-16
# from A to B, AES-CBC + HMAC-SHA2-256 from B to A (subnet-keys.sh).
# Pings both ways and an iperf3 TCP transfer from host A to host B work;
# 32 MiB across each way arrive unchanged (SHA-256) while each gateway
# writes TCP runs to its TUN joined; the public link carries ESP only;
# each SA counts its traffic.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-scripts/subnet-keys.sh
. "$(dirname "$0")/subnet-keys.sh"
lib_init subnet-esp
command -v iperf3 >/dev/null || die "missing iperf3: run tests/install-deps.sh"

subnet_esp_setup
capture_start ga pub0 pub
expect_rc 0 "host A pings host B" ns_exec ha ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "host B pings host A" ns_exec hb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
iperf_pair ha hb 10.2.0.10 3 || true
# Bulk TCP is written to the TUN in joined runs (GSO): the bytes must
# come out as they went in, in both directions.
tcp_copy_check ha hb 10.2.0.10 32 || true
tcp_copy_check hb ha 10.1.0.10 32 || true
for side in "ga gwa" "gb gwb"; do
	read -r ns td <<<"$side"
	n=$(td_counter "$ns" "$td" tun_joined)
	[[ ${n:-0} -gt 0 ]] && pass "$ns: $n TCP segments went to the TUN joined" ||
		fail "$ns: tun_joined=${n:-none}: no joined write to the TUN"
done
capture_stop pub
check_only_esp pub 12 || true

# Both SAs carried traffic on gw A: out on 0x1001, in on 0x2002.
expect_rc 0 "gw A: setkey -s" td_stats ga gwa || true
stats=$OUT
out_pk=$(awk '/spi=4097\(/ { f = 1; next } f && /traffic:/ { print; exit }' <<<"$stats" |
	grep -oE 'packets_out=[0-9]+' | cut -d= -f2)
in_pk=$(awk '/spi=8194\(/ { f = 1; next } f && /traffic:/ { print; exit }' <<<"$stats" |
	grep -oE 'packets_in=[0-9]+' | cut -d= -f2)
if [[ ${out_pk:-0} -ge 6 && ${in_pk:-0} -ge 6 ]]; then
	pass "gw A: AES-GCM-16 SA sent $out_pk packets, AES-CBC SA received $in_pk"
else
	fail "gw A: SA counters out=${out_pk:-none} in=${in_pk:-none} (want >= 6 each):"
	printf '%s\n' "$stats" | sed 's/^/    | /' >&2
fi
lib_finish
