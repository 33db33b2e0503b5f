#!/usr/bin/env bash
#
# test-esp-drops.sh: what tunneld drops on the public side, in the setup
# of test-subnet-esp.sh. An ESP packet from A to B is captured on gw B's
# public link, then sent again from gw A's namespace with scapy:
#   1. the same packet again: gw B counts a replay drop, host B does not
#      receive a second copy;
#   2. a copy with a fresh sequence number and one ciphertext byte flipped:
#      gw B counts an ICV failure, host B receives nothing;
#   3. plaintext ICMP from 10.1.0.10 to host B (10.2.0.10) and to gw B's
#      inside address (10.2.0.1), sent in the clear on the public link:
#      a protected "in" policy covers them, so tunneld's nftables table on
#      gw B drops both (its drop counters rise by 2); neither host B nor
#      gw B answers.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-scripts/subnet-keys.sh
. "$(dirname "$0")/subnet-keys.sh"
lib_init esp-drops
if ! /usr/bin/python3 -c 'import scapy.all' 2>/dev/null; then
	die "missing /usr/bin/python3 with scapy: run tests/install-deps.sh"
fi

subnet_esp_setup
CAP_SNAP=0
capture_start gb pub0 orig
expect_rc 0 "host A pings host B once" ns_exec ha ping -c 1 -W 2 10.2.0.10 || true
capture_stop orig
n=$(capture_count orig 'ip proto 50 and dst host 203.0.113.2')
[[ $n -ge 1 ]] || die "no ESP packet to 203.0.113.2 captured"

# From now on, every echo request that reaches host B and every answer
# gw B sends to the public link.
capture_start hb eth0 hb
capture_start gb pub0 pubb
replay0=$(td_counter gb gwb replay)
icv0=$(td_counter gb gwb icv_fail)
nft0=$(nft_drops gb)
[[ -n "$replay0" && -n "$icv0" ]] || die "no replay/icv_fail counters in setkey -s"

mac=$(ns_exec gb cat /sys/class/net/pub0/address)
expect_rc 0 "scapy in gw A's namespace: replay, forged copy, 2 plaintext packets" \
	ns_exec ga /usr/bin/python3 - "$WORK/orig.pcap" "$mac" <<'PY' || true
import sys, time
from scapy.all import rdpcap, sendp, Ether, IP, ICMP, Raw, conf
conf.verb = 0
pkts = [p for p in rdpcap(sys.argv[1])
        if IP in p and p[IP].proto == 50 and p[IP].dst == "203.0.113.2"]
orig = pkts[0]
sendp(orig, iface="pub0")                      # 1. the same packet again
time.sleep(0.3)
raw = bytearray(bytes(orig))
esp = 14 + (raw[14] & 0x0f) * 4               # Ethernet + IPv4 header
raw[esp + 4:esp + 8] = (0x00007000).to_bytes(4, "big")   # fresh sequence number
raw[esp + 8 + 8 + 4] ^= 0x01                  # past SPI, seq, GCM IV: ciphertext
sendp(Ether(bytes(raw)), iface="pub0")         # 2. forged copy
time.sleep(0.3)
for dst in ("10.2.0.10", "10.2.0.1"):          # 3. plaintext, covered by "in"
    sendp(Ether(dst=sys.argv[2]) / IP(src="10.1.0.10", dst=dst) /
          ICMP(id=0x4242, seq=1) / Raw(b"plaintext"), iface="pub0")
time.sleep(0.3)
PY

# counter_is KEY WANT: gw B's counter KEY is WANT.
# shellcheck disable=SC2317  # called through wait_for
counter_is() {
	[[ "$(td_counter gb gwb "$1")" == "$2" ]]
}
if wait_for 3 counter_is replay $((replay0 + 1)); then
	pass "gw B: replay counter $replay0 -> $((replay0 + 1))"
else
	fail "gw B: replay counter $replay0 -> $(td_counter gb gwb replay), want +1"
fi
if wait_for 3 counter_is icv_fail $((icv0 + 1)); then
	pass "gw B: icv_fail counter $icv0 -> $((icv0 + 1))"
else
	fail "gw B: icv_fail counter $icv0 -> $(td_counter gb gwb icv_fail), want +1"
fi
nft1=$(nft_drops gb)
if [[ $nft1 -eq $((nft0 + 2)) ]]; then
	pass "gw B: nftables drop counters $nft0 -> $nft1 (both plaintext packets)"
else
	fail "gw B: nftables drop counters $nft0 -> $nft1, want +2; the table:"
	ns_exec gb nft list table inet tunneld_gif0 2>&1 | sed 's/^/    | /' >&2
fi
capture_stop hb
capture_stop pubb
got=$(capture_count hb 'icmp[icmptype] == icmp-echo')
if [[ $got -eq 0 ]]; then
	pass "host B received none of the four packets"
else
	fail "host B received $got echo request(s):"
	capture_show hb
fi
ans=$(capture_count pubb 'icmp and src host 10.2.0.1')
if [[ $ans -eq 0 ]]; then
	pass "gw B did not answer the plaintext ping to 10.2.0.1"
else
	fail "gw B answered the plaintext ping to 10.2.0.1 ($ans packets)"
fi
lib_finish
