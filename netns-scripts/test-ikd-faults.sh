#!/usr/bin/env bash
#
# test-ikd-faults.sh: ikd when things go wrong, on the handbook topology.
#   1. a wrong PSK on gw B: no SA, and both logs say that authentication
#      failed for that peer;
#   2. ikd on gw B killed with SIGKILL and restarted: traffic recovers by
#      itself (gw A's liveness checks find the old IKE SA dead; the next
#      packet negotiates again); the time to recover is printed;
#   3. a bounded flood of IKE_SA_INIT from a third namespace: gw A asks for
#      cookies, and a real tunnel still forms during the flood;
#   4. gw B removed from the network: gw A's dead peer detection clears
#      the SAs within the configured time.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init ikd-faults

DPD=5			# dpd_delay, seconds
# Liveness checks after DPD s of silence, sent 3 times 1 s apart: a dead
# peer is noticed 3 s after the first check. Lifetimes are long: nothing
# rekeys during this test.
CONF='timer { counter 3; interval 1 sec; }
remote anonymous { dpd_delay '$DPD'; dpd_retry 1; dpd_maxfail 3; }'

topo_create v4
topo_tunneld gif
run_setkey ga gwa -f "$REPO/conf/ipsec.conf.gw-a" || die "setkey on gw A"
run_setkey gb gwb -f "$REPO/conf/ipsec.conf.gw-b" || die "setkey on gw B"
write_psk "$WORK/psk-a.txt" "203.0.113.2 0x6b6579206f6620746865207475"
write_psk "$WORK/psk-bad.txt" "203.0.113.1 not the same key"
write_psk "$WORK/psk-b.txt" "203.0.113.1 0x6b6579206f6620746865207475"
ikd_conf ika "$WORK/psk-a.txt" "$CONF"
ikd_conf ikb-bad "$WORK/psk-bad.txt" "$CONF"
ikd_conf ikb "$WORK/psk-b.txt" "$CONF"

sa_count() {
	run_setkey "$1" "$2" -D | grep -c 'esp mode=tunnel' || true
}

# 1. Wrong PSK.
start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A"
start_ikd gb ikb gwb "$WORK/ikb-bad.conf" || die "ikd on gw B"
expect_rc nonzero "wrong PSK: the ping does not get through" \
	ns_exec ha ping -c 1 -W 4 10.2.0.10 || true
sleep 1
[[ $(sa_count ga gwa) -eq 0 && $(sa_count gb gwb) -eq 0 ]] &&
	pass "wrong PSK: no SA on either gateway" || fail "wrong PSK: SAs were installed"
for n in ika ikb; do
	if grep -q "203.0.113.*authentication failed\|authentication failed.*203.0.113" "${IKD_LOG[$n]}"; then
		pass "wrong PSK: the $n log says authentication failed for the peer"
	else
		fail "wrong PSK: no 'authentication failed' line naming the peer in the $n log"
		tail -5 "${IKD_LOG[$n]}" | sed 's/^/    | /' >&2
	fi
done
stop_ikd ikb

# 2. The right key; then SIGKILL and a restart.
start_ikd gb ikb gwb "$WORK/ikb.conf" || die "ikd on gw B (right key)"
ok=0
for i in 1 2 3 4 5; do
	ns_exec ha ping -c 1 -W 2 10.2.0.10 >/dev/null 2>&1 && { ok=1; break; }
done
[[ $ok -eq 1 ]] && pass "right PSK: the tunnel forms" || fail "right PSK: no tunnel"
stop_ikd ikb KILL || true
mark=$(wc -l <"${IKD_LOG[ikb]}")
start_ikd gb ikb gwb "$WORK/ikb.conf" || die "ikd on gw B (restart)"
start=$SECONDS
recovered=0
# Traffic runs meanwhile: one ping a second, until one is answered over a new pair.
while ((SECONDS - start < 60)); do
	if ns_exec ha ping -c 1 -W 1 10.2.0.10 >/dev/null 2>&1 &&
		tail -n +$((mark + 1)) "${IKD_LOG[ikb]}" | grep -q "Child SA .* installed"; then
		recovered=1
		break
	fi
	sleep 1
done
if [[ $recovered -eq 1 ]]; then
	pass "ikd on gw B killed and restarted: traffic recovered by itself in $((SECONDS - start)) s"
else
	fail "ikd on gw B killed and restarted: no new Child SA within 60 s"
fi

# 3. A flood of IKE_SA_INIT from a third namespace, while the tunnel is re-made.
ns_create at
veth_link at eth0 ga atk0
topo_addr at eth0 198.51.100.10/24
topo_addr ga atk0 198.51.100.1/24
ns_exec at ip route add default via 198.51.100.1 || die "route on the attacker"
run_ikdctl ga ika terminate 203.0.113.2 >/dev/null 2>&1 || true
ns_exec at /usr/bin/python3 "$REPO/netns-scripts/ike-flood.py" 203.0.113.1 400 100 \
	>"$WORK/flood.out" 2>&1 &
flood=$!
LIB_PIDS+=("$flood")
sleep 1
ok=0
for i in 1 2 3 4 5; do
	ns_exec ha ping -c 1 -W 2 10.2.0.10 >/dev/null 2>&1 && { ok=1; break; }
done
[[ $ok -eq 1 ]] && pass "during an IKE_SA_INIT flood the real tunnel forms" ||
	fail "during an IKE_SA_INIT flood the real tunnel did not form"
wait "$flood" || true
lib_forget_pid "$flood"
cat "$WORK/flood.out"
c=$(grep -oE 'cookie requests [0-9]+' "$WORK/flood.out" | grep -oE '[0-9]+$' || echo 0)
[[ ${c:-0} -gt 0 ]] && pass "the flood was answered with $c cookie requests" ||
	fail "no cookie requests during the flood"
run_ikdctl ga ika stats | sed 's/^/    | /' || true

# 4. Gw B disappears: DPD on gw A clears the SAs.
[[ $(sa_count ga gwa) -ge 2 ]] || ns_exec ha ping -c 1 -W 3 10.2.0.10 >/dev/null 2>&1 || true
ns_exec ga ip link set pub0 down || die "pub0 down"
ns_exec ga ip link set pub0 up || die "pub0 up"
ns_exec gb ip link set pub0 down || die "pub0 down on gw B"
start=$SECONDS
limit=$((DPD + 3 + 5))
cleared=0
while ((SECONDS - start <= limit)); do
	if [[ $(sa_count ga gwa) -eq 0 ]]; then
		cleared=1
		break
	fi
	sleep 0.5
done
[[ $cleared -eq 1 ]] && pass "peer gone: DPD cleared gw A's SAs in $((SECONDS - start)) s (limit $limit s)" ||
	fail "peer gone: gw A still has SAs after $limit s"
lib_finish
