#!/usr/bin/env bash
#
# test-faults.sh: the two-site VPN keyed by ikd (handbook setup) when
# things break, on both gateways our tunneld + ikd:
#   1. tunneld on gw B killed (SIGKILL) and restarted by hand, its policies
#      loaded again, while host A pings: ikd on gw B notices, the peers
#      renegotiate, traffic recovers by itself; the time to recover is
#      printed;
#   2. ikd on gw B restarted with a psk.txt whose key for gw A changed: gw
#      A (old key) is refused, both logs say authentication failed; after
#      gw A gets the new key (ikdctl reload) the tunnel forms again;
#   3. the public link drops 10% of packets in each direction (netem,
#      or where the kernel has no netem an nftables netdev rule that drops
#      a random tenth of what arrives on each end) while Child SAs rekey every ~10 s and IKE SAs every ~25 s: the
#      tunnel forms and stays up, rekeys succeed;
#   4. hostile IKE datagrams (random, malformed, with the live SA's SPIs)
#      from a third namespace while the tunnel carries pings: no crash, the
#      IKE SA is unchanged, the pings pass, ikd's drop counters rise.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init faults
command -v tc >/dev/null || die "missing tc (iproute2): run tests/install-deps.sh"

topo_create v4
topo_tunneld gif
run_setkey ga gwa -f "$REPO/conf/ipsec.conf.gw-a" || die "setkey on gw A"
run_setkey gb gwb -f "$REPO/conf/ipsec.conf.gw-b" || die "setkey on gw B"
write_psk "$WORK/psk-a.txt" "203.0.113.2 first-key-of-the-faults-test"
write_psk "$WORK/psk-b.txt" "203.0.113.1 first-key-of-the-faults-test"
CONF='remote anonymous { dpd_delay 5; dpd_retry 1; dpd_maxfail 3; }'
ikd_conf ika "$WORK/psk-a.txt" "$CONF"
ikd_conf ikb "$WORK/psk-b.txt" "$CONF"
start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A"
start_ikd gb ikb gwb "$WORK/ikb.conf" || die "ikd on gw B"
ns_exec ha ping -c 1 -W 5 10.2.0.10 >/dev/null || die "no tunnel to start with"

# recover LIMIT: pings host B every 0.2 s until one is answered; prints the seconds.
recover() {
	local start=$SECONDS
	while ((SECONDS - start < $1)); do
		if ns_exec ha ping -c 1 -W 1 10.2.0.10 >/dev/null 2>&1; then
			echo $((SECONDS - start))
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# ---- 1. tunneld on gw B killed and restarted ----
# Not through ns_exec: $! must be ping itself, which SIGINT stops with its summary.
ip netns exec "$(ns_full ha)" ping -i 0.1 -W 1 -c 600 10.2.0.10 >"$WORK/ping1.out" 2>&1 &
ping_pid=$!
LIB_PIDS+=("$ping_pid")
sleep 2
kill -KILL "${TD_PID[gwb]}"
wait "${TD_PID[gwb]}" 2>/dev/null || true
lib_forget_pid "${TD_PID[gwb]}"
killed=$SECONDS
start_tunneld gb gwb -i gif0 -L 203.0.113.2 -R 203.0.113.1
topo_wait_link gb gif0
ns_exec gb ip route add 10.1.0.0/24 dev gif0 || die "route on gw B after the restart"
run_setkey gb gwb -f "$REPO/conf/ipsec.conf.gw-b" || die "setkey on gw B after the restart"
if t=$(recover 60); then
	pass "tunneld on gw B killed and restarted: traffic recovered $((SECONDS - killed)) s after the kill"
	say "recovery after the policies were back: $t s"
else
	fail "tunneld on gw B killed and restarted: no traffic 60 s later"
	tail -15 "${IKD_LOG[ikb]}" | sed 's/^/    | /' >&2
fi
grep -q "tunneld is back" "${IKD_LOG[ikb]}" && pass "ikd on gw B noticed tunneld's restart" ||
	fail "ikd on gw B did not log tunneld's return"
kill -INT "$ping_pid" 2>/dev/null || true
wait "$ping_pid" 2>/dev/null || true
lib_forget_pid "$ping_pid"
grep -E 'packets transmitted' "$WORK/ping1.out" | sed 's/^/    /'

# ---- 2. ikd on gw B restarted with a changed psk.txt ----
stop_ikd ikb
write_psk "$WORK/psk-b.txt" "203.0.113.1 second-key-after-the-change"
start_ikd gb ikb gwb "$WORK/ikb.conf" || die "ikd on gw B (new key)"
run_ikdctl ga ika terminate 203.0.113.2 >/dev/null 2>&1 || true
sleep 1
mark_a=$(wc -l <"${IKD_LOG[ika]}")
expect_rc nonzero "changed psk.txt on gw B: gw A with the old key gets no tunnel" \
	ns_exec ha ping -c 2 -W 2 10.2.0.10 || true
tail -n +$((mark_a + 1)) "${IKD_LOG[ika]}" | grep -q "authentication failed" &&
	pass "changed psk.txt: gw A's log says authentication failed" ||
	fail "changed psk.txt: no authentication failure in gw A's log"
write_psk "$WORK/psk-a.txt" "203.0.113.2 second-key-after-the-change"
expect_rc 0 "gw A: ikdctl reload picks up the new key" run_ikdctl ga ika reload || true
if t=$(recover 30); then
	pass "changed psk.txt: with the new key on both sides the tunnel forms ($t s)"
else
	fail "changed psk.txt: no tunnel with the new key"
fi

# ---- 3. 10% loss on the public link during negotiation and rekeys ----
stop_ikd ika
stop_ikd ikb
CONF3='remote anonymous { lifetime time 25 sec; dpd_delay 10; }
sainfo anonymous { lifetime time 10 sec; }'
ikd_conf ika3 "$WORK/psk-a.txt" "$CONF3"
ikd_conf ikb3 "$WORK/psk-b.txt" "$CONF3"
# lossy NS: 10% of the packets crossing NS's pub0 (netem: leaving, nft: arriving) are dropped.
lossy() {
	ns_exec "$1" tc qdisc add dev pub0 root netem loss 10% 2>/dev/null && return 0
	ns_exec "$1" nft -f - <<NFT
table netdev faults_loss {
	chain in {
		type filter hook ingress device pub0 priority 0; policy accept;
		numgen random mod 10 == 0 counter drop
	}
}
NFT
}
unlossy() {
	ns_exec "$1" tc qdisc del dev pub0 root 2>/dev/null ||
		ns_exec "$1" nft delete table netdev faults_loss
}
lossy ga || die "no netem and no nftables loss rule on gw A"
lossy gb || die "no netem and no nftables loss rule on gw B"
start_ikd ga ika3 gwa "$WORK/ika3.conf" || die "ikd on gw A (loss)"
start_ikd gb ikb3 gwb "$WORK/ikb3.conf" || die "ikd on gw B (loss)"
if t=$(recover 30); then
	pass "10% loss: the tunnel forms ($t s)"
else
	fail "10% loss: no tunnel within 30 s"
fi
ns_exec ha ping -q -i 0.05 -W 1 -c 800 10.2.0.10 >"$WORK/ping3.out" 2>&1 || true
rx=$(grep -oE '[0-9]+ received' "$WORK/ping3.out" | cut -d' ' -f1)
rekeys=$(($(grep -c 'Child SA .* installed' "${IKD_LOG[ika3]}" || true) - 1))
ikerk=$(grep -c 'IKE SA with .* rekeyed' "${IKD_LOG[ika3]}" || true)
say "10% loss: ${rx:-0} of 800 pings in 40 s answered, $rekeys Child SA and $ikerk IKE SA rekeys"
# Each ping crosses the lossy link twice: about 81% get through.
[[ ${rx:-0} -ge 560 ]] && pass "10% loss: the tunnel stayed up (${rx} of 800 answered)" ||
	fail "10% loss: only ${rx:-0} of 800 answered"
[[ $rekeys -ge 2 && $ikerk -ge 1 ]] && pass "10% loss: rekeys succeeded ($rekeys Child, $ikerk IKE)" ||
	fail "10% loss: $rekeys Child SA and $ikerk IKE SA rekeys"
run_ikdctl ga ika3 list | grep -q ESTABLISHED && pass "10% loss: the IKE SA is established at the end" ||
	fail "10% loss: no established IKE SA at the end"
unlossy ga || true
unlossy gb || true

# ---- 4. hostile IKE from a third namespace ----
# Long lifetimes again, so that no rekey changes the SPIs under test.
stop_ikd ika3
stop_ikd ikb3
ikd_conf ika4 "$WORK/psk-a.txt" "$CONF"
ikd_conf ikb4 "$WORK/psk-b.txt" "$CONF"
start_ikd ga ika4 gwa "$WORK/ika4.conf" || die "ikd on gw A (hostile)"
start_ikd gb ikb4 gwb "$WORK/ikb4.conf" || die "ikd on gw B (hostile)"
recover 30 >/dev/null || fail "hostile IKE: no tunnel to start with"
ns_create at
veth_link at eth0 ga atk0
topo_addr at eth0 198.51.100.10/24
topo_addr ga atk0 198.51.100.1/24
ns_exec at ip route add default via 198.51.100.1 || die "route on the attacker"
spis=$(run_ikdctl ga ika4 list | awk '$1 == "IKE" { sub(",", "", $2); print $2; exit }')
before=$(run_ikdctl ga ika4 stats | awk '/dropped/ { s += $NF } END { print s + 0 }')
ns_exec ha ping -q -i 0.02 -W 1 -c 500 10.2.0.10 >"$WORK/ping4.out" 2>&1 &
ping_pid=$!
LIB_PIDS+=("$ping_pid")
ns_exec at /usr/bin/python3 "$REPO/netns-scripts/ike-garbage.py" 203.0.113.1 3000 7 "$spis" |
	sed 's/^/    /'
wait "$ping_pid" || true
lib_forget_pid "$ping_pid"
after=$(run_ikdctl ga ika4 stats | awk '/dropped/ { s += $NF } END { print s + 0 }')
spis2=$(run_ikdctl ga ika4 list | awk '$1 == "IKE" { sub(",", "", $2); print $2; exit }')
kill -0 "${IKD_PID[ika4]}" 2>/dev/null && pass "hostile IKE: ikd on gw A is still running" ||
	fail "hostile IKE: ikd on gw A died"
[[ -n "$spis" && "$spis" == "$spis2" ]] && pass "hostile IKE: the IKE SA is unchanged ($spis)" ||
	fail "hostile IKE: the IKE SA changed ('$spis' -> '$spis2')"
rx=$(grep -oE '[0-9]+ received' "$WORK/ping4.out" | cut -d' ' -f1)
[[ ${rx:-0} -ge 495 ]] && pass "hostile IKE: pings passed meanwhile ($rx of 500)" ||
	fail "hostile IKE: only ${rx:-0} of 500 pings answered"
[[ $after -gt $before ]] && pass "hostile IKE: ikd's drop counters rose ($before -> $after)" ||
	fail "hostile IKE: drop counters did not rise ($before -> $after)"
relayed=$(td_counter ga gwa ike_relayed)
say "tunneld on gw A relayed ${relayed:-0} IKE datagrams from port 4500"
lib_finish
