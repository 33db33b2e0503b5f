#!/usr/bin/env bash
#
# test-interop-rekey.sh: rekeying and dead peer detection against
# strongSwan's charon (userspace ESP, always ESP in UDP 4500). Our gateway
# A (tunneld + ikd, subnet policies) and charon on gateway B. Under `ping
# -i 0.01` from host A to host B, each phase must lose no packet:
#   1. charon rekeys the CHILD SA (every ~10 s) and the IKE SA (~25 s),
#      without PFS;
#   2. we rekey both, with PFS (Curve25519) on the CHILD SA rekeys;
#   3. charon rekeys its CHILD SA with PFS.
# Then DPD both ways: charon killed, our liveness checks clear our SAs;
# ikd killed, charon's clear its.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-scripts/strongswan.sh
. "$(dirname "$0")/strongswan.sh"
lib_init interop-rekey
ss_available || die "strongSwan is not installed: run tests/install-deps.sh"
PHASE=${INTEROP_PHASE_SECS:-24}
PSK_HEX=0x72656b65792d696e7465726f702d736563726574

topo_create v4
start_tunneld ga gwa -i gif0
topo_wait_link ga gif0
ns_exec ga ip route add 10.2.0.0/24 dev gif0 || die "route on gw A"
cat >"$WORK/spd-a.conf" <<'POL'
spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec esp/tunnel/203.0.113.1-203.0.113.2/require;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec esp/tunnel/203.0.113.2-203.0.113.1/require;
POL
run_setkey ga gwa -f "$WORK/spd-a.conf" || die "setkey on gw A"
write_psk "$WORK/psk-a.txt" "203.0.113.2 $PSK_HEX"
# charon gives up on a silent peer after about 1 + 1.5 + 2.3 + 3.4 s.
export SS_CHARON_EXTRA='	retransmit_tries = 3
	retransmit_timeout = 1
	retransmit_base = 1.5'

# phase NAME IKD_CONF CHARON_CONN CHARON_CHILD ESP: a fresh pair of daemons, the first
# ping negotiates (we initiate), then PHASE seconds of ping -i 0.01.
phase() {
	local name=$1 iconf=$2 conn=$3 child=$4 esp=$5 count rx
	stop_ikd ika || true
	[[ -n "${SS_PID[ssb]:-}" ]] && ss_stop ssb
	SS_CONN_EXTRA=$conn SS_CHILD_EXTRA=$child ss_render ssb 203.0.113.2 203.0.113.1 \
		10.2.0.0/24 10.1.0.0/24 "$esp" "$PSK_HEX"
	ss_start gb ssb
	ss_load ssb
	ikd_conf ika "$WORK/psk-a.txt" "$iconf"
	start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A"
	mark=$(wc -l <"${SS_LOG[ssb]}")
	imark=$(wc -l <"${IKD_LOG[ika]}")
	ns_exec ha ping -c 1 -W 5 10.2.0.10 >/dev/null || { fail "$name: no tunnel"; return 1; }
	count=$((PHASE * 100))
	ns_exec ha ping -q -i 0.01 -W 1 -c "$count" 10.2.0.10 >"$WORK/ping.out" 2>&1 || true
	rx=$(grep -oE '[0-9]+ received' "$WORK/ping.out" | cut -d' ' -f1)
	crk=$(tail -n +$((mark + 1)) "${SS_LOG[ssb]}" | grep -c 'CHILD_SA .* established' || true)
	irk=$(tail -n +$((mark + 1)) "${SS_LOG[ssb]}" | grep -ci 'IKE_SA .* rekeyed\|rekeyed IKE_SA\|IKE_SA .*established' || true)
	ours_child=$(($(tail -n +$((imark + 1)) "${IKD_LOG[ika]}" | grep -c 'Child SA .* installed' || true) - 1))
	ours_ike=$(tail -n +$((imark + 1)) "${IKD_LOG[ika]}" | grep -c 'IKE SA with .* rekeyed' || true)
	say "$name: charon logged $crk CHILD SA and $irk IKE SA set-ups; we rekeyed $ours_child Child SA and $ours_ike IKE SA"
	if [[ "${rx:-0}" -eq $count ]]; then
		pass "$name: ping -i 0.01 for ${PHASE}s: $rx of $count answered"
	else
		fail "$name: ping -i 0.01 for ${PHASE}s: ${rx:-0} of $count answered"
	fi
	[[ $ours_child -ge 2 ]] && pass "$name: $ours_child Child SA rekeys happened" ||
		fail "$name: only $ours_child Child SA rekeys"
	[[ $ours_ike -ge 1 ]] && pass "$name: $ours_ike IKE SA rekeys happened" ||
		fail "$name: no IKE SA rekey"
}

phase "charon rekeys, no PFS" "" \
	"		rekey_time = 25s
		over_time = 10s" \
	"				rekey_time = 10s
				life_time = 20s
				rand_time = 2s" aes256gcm16
phase "we rekey, PFS" "remote anonymous { lifetime time 25 sec; }
sainfo anonymous { lifetime time 12 sec; pfs_group curve25519; }" \
	"		rekey_time = 1h" "" aes256gcm16-curve25519
grep -qE 'selected proposal: ESP:AES_GCM_16_256/CURVE_25519' "${SS_LOG[ssb]}" &&
	pass "we rekey, PFS: charon took a CHILD SA proposal with Curve25519" ||
	fail "we rekey, PFS: no Curve25519 CHILD SA proposal in charon's log"
phase "charon rekeys, PFS" "sainfo anonymous { pfs_group curve25519; }" \
	"		rekey_time = 25s
		over_time = 10s" \
	"				rekey_time = 10s
				life_time = 20s
				rand_time = 2s" aes256gcm16-curve25519

# ---- DPD both ways ----
stop_ikd ika || true
ss_stop ssb
SS_CONN_EXTRA="		dpd_delay = 3s" ss_render ssb 203.0.113.2 203.0.113.1 \
	10.2.0.0/24 10.1.0.0/24 aes256gcm16 "$PSK_HEX"
ss_start gb ssb
ss_load ssb
ikd_conf ika "$WORK/psk-a.txt" "remote anonymous { dpd_delay 3; dpd_retry 1; dpd_maxfail 3; }"
start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A"
ns_exec ha ping -c 1 -W 5 10.2.0.10 >/dev/null || fail "DPD: no tunnel"
kill -KILL "${SS_PID[ssb]}" 2>/dev/null || true
start=$SECONDS
cleared=0
while ((SECONDS - start < 20)); do
	[[ $(run_setkey ga gwa -D | grep -c 'mode=tunnel') -eq 0 ]] && { cleared=1; break; }
	sleep 0.5
done
[[ $cleared -eq 1 ]] && pass "DPD by us: charon killed, our SAs cleared in $((SECONDS - start)) s" ||
	fail "DPD by us: our SAs still there 20 s after charon died"
wait "${SS_PID[ssb]}" 2>/dev/null || true
lib_forget_pid "${SS_PID[ssb]}"
unset "SS_PID[ssb]"
ss_start gb ssb
ss_load ssb
ns_exec ha ping -c 1 -W 5 10.2.0.10 >/dev/null || fail "DPD: no tunnel after charon's restart"
ss_child_up ssb net || fail "DPD: charon has no CHILD SA"
stop_ikd ika KILL || true
start=$SECONDS
cleared=0
while ((SECONDS - start < 30)); do
	ss_child_up ssb net || { cleared=1; break; }
	sleep 0.5
done
[[ $cleared -eq 1 ]] && pass "DPD by charon: ikd killed, charon cleared its CHILD SA in $((SECONDS - start)) s" ||
	fail "DPD by charon: charon still has its CHILD SA 30 s after ikd died"
lib_finish
