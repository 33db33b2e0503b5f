#!/usr/bin/env bash
#
# test-ikd-rekey.sh: rekeying under traffic. Child SAs live about 20 s
# and IKE SAs about 60 s, so during the run (IKD_REKEY_SECS, default 180)
# both kinds are rekeyed several times, from either side (the soft limits
# carry random jitter). `ping -i 0.01` from host A to host B must lose no
# packet, neither tunneld may drop one (unknown SPI, replay, ICV), and an
# iperf3 TCP transfer across the first rekeys must never stall (every
# one-second interval moves data). The logs must show the rekeys, and at
# the end each gateway holds one IKE SA and 2 to 4 ESP SAs (the new pair;
# for a moment the old one, or the old inbound SA kept for late packets).
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init ikd-rekey
command -v iperf3 >/dev/null || die "missing iperf3: run tests/install-deps.sh"
SECS=${IKD_REKEY_SECS:-180}
CONF='remote anonymous { lifetime time 60 sec; dpd_delay 10; }
sainfo anonymous { lifetime time 20 sec; }'

topo_create v4
topo_tunneld gif
run_setkey ga gwa -f "$REPO/conf/ipsec.conf.gw-a" || die "setkey on gw A"
run_setkey gb gwb -f "$REPO/conf/ipsec.conf.gw-b" || die "setkey on gw B"
write_psk "$WORK/psk-a.txt" "203.0.113.2 rekey-test-secret"
write_psk "$WORK/psk-b.txt" "203.0.113.1 rekey-test-secret"
ikd_conf ika "$WORK/psk-a.txt" "$CONF"
ikd_conf ikb "$WORK/psk-b.txt" "$CONF"
start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A"
start_ikd gb ikb gwb "$WORK/ikb.conf" || die "ikd on gw B"
ns_exec ha ping -c 1 -W 5 10.2.0.10 >/dev/null || die "no tunnel to start with"

# -w: SECS of wall time, however much the 10 ms interval stretches under load.
ns_exec ha ping -q -i 0.01 -W 1 -w "$SECS" 10.2.0.10 >"$WORK/ping.out" 2>&1 &
ping_pid=$!
LIB_PIDS+=("$ping_pid")
# iperf3 in 1 s intervals across the first rekeys (about 3 Child SA rekeys).
iperf_pair hb ha 10.1.0.10 50 -i 1
python3 -c 'import json,sys
iv = json.load(open(sys.argv[1]))["intervals"]
low = [round(i["sum"]["bits_per_second"]) for i in iv if i["sum"]["bits_per_second"] < 1e5]
print(len(iv), "intervals;", len(low), "below 100 kbit/s:", low)
sys.exit(1 if low or len(iv) < 45 else 0)' "$WORK/iperf.out" >"$WORK/iperf.check" 2>&1 &&
	pass "iperf3 never stalled across rekeys: $(cat "$WORK/iperf.check")" ||
	fail "iperf3 stalled: $(cat "$WORK/iperf.check")"
wait "$ping_pid" || true
lib_forget_pid "$ping_pid"
cat "$WORK/ping.out"
tx=$(grep -oE '[0-9]+ packets transmitted' "$WORK/ping.out" | cut -d' ' -f1)
rx=$(grep -oE '[0-9]+ received' "$WORK/ping.out" | cut -d' ' -f1)
# The deadline may cut the last echo short: at most one unanswered. The
# count only shows that ping kept sending; a busy machine stretches its
# 10 ms interval.
if [[ ${tx:-0} -ge $((SECS * 25)) && ${rx:-0} -ge $((${tx:-0} - 1)) ]]; then
	pass "ping -i 0.01 for ${SECS}s: $rx of $tx answered, no loss"
else
	fail "ping -i 0.01 for ${SECS}s: ${rx:-0} of ${tx:-0} answered"
fi

# Gw A's log: every Child SA pair after the first is a rekey's (IKE SA
# rekeys move pairs without new ones); each IKE SA rekey logs "rekeyed".
child=$(($(grep -c 'Child SA .* installed' "${IKD_LOG[ika]}" || true) - 1))
ike=$(grep -c 'IKE SA with .* rekeyed' "${IKD_LOG[ika]}" || true)
say "rekeys in the logs: $child Child SA, $ike IKE SA"
[[ $child -ge $((SECS / 20 - 1)) ]] && pass "$child Child SA rekeys" ||
	fail "only $child Child SA rekeys in ${SECS}s (want >= $((SECS / 20 - 1)))"
[[ $ike -ge $((SECS / 60 - 1)) ]] && pass "$ike IKE SA rekeys" ||
	fail "only $ike IKE SA rekeys in ${SECS}s (want >= $((SECS / 60 - 1)))"
for side in "ga gwa ika" "gb gwb ikb"; do
	read -r ns td ik <<<"$side"
	# A packet under an SA retired by a rekey may still be on its way:
	# its inbound half must outlive the switch (no unknown SPI).
	drops=""
	for k in unknown_spi no_sa replay icv_fail; do
		drops+=" $k=$(td_counter "$ns" "$td" "$k")"
	done
	[[ $drops == " unknown_spi=0 no_sa=0 replay=0 icv_fail=0" ]] &&
		pass "$ns: no drop across the rekeys:$drops" || fail "$ns: drops:$drops"
	n=$(run_setkey "$ns" "$td" -D | grep -c 'esp mode=tunnel' || true)
	[[ $n -ge 2 && $n -le 4 ]] && pass "$ns: $n SAs after the run" ||
		fail "$ns: $n SAs after the run (want 2 to 4)"
	run_ikdctl "$ns" "$ik" list | sed 's/^/    | /' || true
done
lib_finish
