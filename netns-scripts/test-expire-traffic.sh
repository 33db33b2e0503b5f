#!/usr/bin/env bash
#
# test-expire-traffic.sh: byte lifetimes on the data path. In the setup of
# test-subnet-esp.sh, gw A's outbound SA (0x1001, AES-GCM-16) gets a soft
# byte lifetime of 2000 and a hard one of 4000 ("-bs 2000 -bh 4000").
# Pings of 500-byte packets from host A use it up: a "setkey -x" monitor
# registered on gw A sees one soft and then one hard EXPIRE for it, and
# the SA is gone from "setkey -D"; the inbound SA stays.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-scripts/subnet-keys.sh
. "$(dirname "$0")/subnet-keys.sh"
lib_init expire-traffic

topo_create v4
topo_tunneld direct
write_subnet_keys "$WORK"
sed -i 's/^\(add 203.0.113.1 203.0.113.2 esp 0x00001001 -m tunnel -u 101 -r 128\)$/\1 -bs 2000 -bh 4000/' \
	"$WORK/subnet-keys.gw-a"
grep -q -- '-bs 2000 -bh 4000$' "$WORK/subnet-keys.gw-a" || die "could not add the byte lifetimes"

ns_exec ga timeout 30 "$SETKEY" -S "${TD_SOCK[gwa]}" -x >"$WORK/monitor.out" 2>&1 &
monitor=$!
LIB_PIDS+=("$monitor")
sleep 0.3
kill -0 "$monitor" 2>/dev/null || die "setkey -x did not stay up: $(cat "$WORK/monitor.out")"

expect_rc 0 "gw A: setkey -f (outbound SA with -bs 2000 -bh 4000)" \
	run_setkey ga gwa -f "$WORK/subnet-keys.gw-a" || die "gw A refused its keys"
expect_rc 0 "gw B: setkey -f" run_setkey gb gwb -f "$WORK/subnet-keys.gw-b" ||
	die "gw B refused its keys"
expect_rc 0 "host A pings host B (the SA is fresh)" \
	ns_exec ha ping -c 1 -W 2 10.2.0.10 || true

# 500-byte packets: the hard limit falls within the first ten.
ns_exec ha ping -c 12 -i 0.1 -W 1 -s 472 10.2.0.10 >"$WORK/ping.out" 2>&1 || true

# shellcheck disable=SC2317  # called through wait_for
sa_gone() {
	! run_setkey ga gwa -D 2>/dev/null | grep -q 'spi=4097('
}
if wait_for 5 sa_gone; then
	pass "the outbound SA is gone from setkey -D after its hard byte lifetime"
else
	fail "the outbound SA is still in setkey -D:"
	run_setkey ga gwa -D 2>&1 | sed 's/^/    | /' >&2
fi
if run_setkey ga gwa -D 2>/dev/null | grep -q 'spi=8194('; then
	pass "the inbound SA (no lifetimes) stays"
else
	fail "the inbound SA disappeared"
fi
sleep 0.3
kill -TERM "$monitor" 2>/dev/null || true
wait "$monitor" 2>/dev/null || true
lib_forget_pid "$monitor"
# One block per message: its lines up to the next timestamp line.
blocks=$(awk '/^[0-9][0-9]:[0-9][0-9]:/ { if (blk ~ /EXPIRE/) print blk; blk = ""; next }
	{ blk = blk " " $0 }
	END { if (blk ~ /EXPIRE/) print blk }' "$WORK/monitor.out" | grep 'spi=4097(' || true)
soft=$(grep -c 'LIFETIME_SOFT' <<<"$blocks" || true)
hard=$(grep -c 'LIFETIME_HARD' <<<"$blocks" || true)
order=$(grep -oE 'LIFETIME_(SOFT|HARD)' <<<"$blocks" | tr '\n' ' ')
if [[ "$soft" -eq 1 && "$hard" -eq 1 && "$order" == "LIFETIME_SOFT LIFETIME_HARD " ]]; then
	pass "the monitor saw a soft, then a hard EXPIRE for spi 0x1001"
else
	fail "the monitor saw $soft soft and $hard hard EXPIRE for spi 0x1001 ($order), want 1 then 1:"
	tail -40 "$WORK/monitor.out" | sed 's/^/    | /' >&2
fi
lib_finish
