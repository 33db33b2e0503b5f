#!/usr/bin/env bash
#
# test-ikd-handbook.sh: the handbook's two-site VPN keyed by ikd. Each
# gateway runs tunneld as the gif tunnel, loads only the ipencap policies
# of conf/ipsec.conf.gw-a/-b (level require, no keys), and runs ikd with
# the default configuration and a psk.txt. The first ping makes tunneld
# send an ACQUIRE; ikd negotiates (IKE_SA_INIT, IKE_AUTH) and installs
# the SAs on both sides; the pings pass; setkey -D shows the SAs; the
# public link carries only ESP and IKE. Then a psk.txt that group or
# others may read keeps ikd from starting, with a message naming the file,
# its mode and the wrong bits.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init ikd-handbook

topo_create v4
topo_tunneld gif
run_setkey ga gwa -f "$REPO/conf/ipsec.conf.gw-a" || die "setkey on gw A"
run_setkey gb gwb -f "$REPO/conf/ipsec.conf.gw-b" || die "setkey on gw B"
write_psk "$WORK/psk-a.txt" "203.0.113.2	a secret shared by the two gateways"
write_psk "$WORK/psk-b.txt" "203.0.113.1	a secret shared by the two gateways"
ikd_conf ika "$WORK/psk-a.txt"
ikd_conf ikb "$WORK/psk-b.txt"
start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A did not start"
start_ikd gb ikb gwb "$WORK/ikb.conf" || die "ikd on gw B did not start"

capture_start ga pub0 pub
start=$(date +%s%N)
expect_rc 0 "the first ping triggers the negotiation and gets through" \
	ns_exec ha ping -c 1 -W 5 10.2.0.10 || true
took=$((($(date +%s%N) - start) / 1000000))
say "first ping answered after $took ms (negotiation included)"
expect_rc 0 "host A pings host B" ns_exec ha ping -c 5 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "host B pings host A" ns_exec hb ping -c 5 -i 0.2 -W 2 10.1.0.10 || true
capture_stop pub
check_only_esp_ike pub 10

for side in "ga gwa" "gb gwb"; do
	read -r ns td <<<"$side"
	n=$(run_setkey "$ns" "$td" -D | grep -c 'esp mode=tunnel' || true)
	if [[ $n -eq 2 ]]; then
		pass "$ns: setkey -D shows the 2 SAs ikd installed"
	else
		fail "$ns: setkey -D shows $n ESP tunnel SAs, want 2"
		run_setkey "$ns" "$td" -D | sed 's/^/    | /' >&2
	fi
done
expect_rc 0 "ikdctl list on gw A" run_ikdctl ga ika list || true
printf '%s\n' "$OUT" | sed 's/^/    | /'
grep -q ESTABLISHED <<<"$OUT" && pass "ikdctl shows the IKE SA established" ||
	fail "ikdctl list shows no established IKE SA"

# A clean stop removes exactly what ikd installed.
stop_ikd ika || fail "ikd on gw A did not stop cleanly"
n=$(run_setkey ga gwa -D | grep -c 'esp mode=tunnel' || true)
[[ $n -eq 0 ]] && pass "ikd's stop removed its SAs from tunneld" ||
	fail "after ikd stopped, gw A still has $n SAs"

# Daemon mode: without -F ikd detaches, writes its pid file, and goes on
# working; SIGTERM removes the pid file.
mkdir -p -m 0700 "$WORK/ikdd"
expect_rc 0 "ikd without -F returns at once (daemon mode)" \
	ns_exec ga "$IKD" -f "$WORK/ika.conf" -S "${TD_SOCK[gwa]}" -C "$WORK/ikdd/control" \
	-p "$WORK/ikdd/ikd.pid" || true
if wait_for 5 test -s "$WORK/ikdd/ikd.pid"; then
	dpid=$(cat "$WORK/ikdd/ikd.pid")
	LIB_PIDS+=("$dpid")
	kill -0 "$dpid" 2>/dev/null && pass "daemon mode: pid file names the running ikd ($dpid)" ||
		fail "daemon mode: pid file names $dpid, which is not running"
	expect_rc 0 "daemon mode: the tunnel forms again" ns_exec ha ping -c 2 -W 5 10.2.0.10 || true
	kill -TERM "$dpid" 2>/dev/null || true
	wait_for 5 bash -c "! kill -0 $dpid 2>/dev/null" &&
		[[ ! -e "$WORK/ikdd/ikd.pid" ]] && pass "daemon mode: SIGTERM stops it and removes the pid file" ||
		fail "daemon mode: ikd still running or pid file left after SIGTERM"
	lib_forget_pid "$dpid"
else
	fail "daemon mode: no pid file"
fi

# psk.txt readable by others: refused, and the message says why.
chmod 0644 "$WORK/psk-a.txt"
expect_rc nonzero "ikd refuses a psk.txt with mode 0644" \
	ns_exec ga "$IKD" -F -f "$WORK/ika.conf" -S "${TD_SOCK[gwa]}" -C "$WORK/ika/c2" || true
if grep -q "psk-a.txt" <<<"$OUT" && grep -q "0644" <<<"$OUT"; then
	pass "the refusal names the file and its mode"
else
	fail "the refusal does not name the file and mode: $OUT"
fi
printf '%s\n' "$OUT" | sed 's/^/    | /'
lib_finish
