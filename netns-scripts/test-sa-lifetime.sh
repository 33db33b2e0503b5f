#!/usr/bin/env bash
#
# test-sa-lifetime.sh: SA lifetimes in tunneld, seen through setkey.
#
# An SA added with "-ls 1 -lh 3" turns "dying" after its soft lifetime and
# disappears after its hard lifetime, while an SA without lifetimes stays;
# a "setkey -x" monitor sees one soft EXPIRE (LIFETIME_SOFT) and one hard
# EXPIRE (LIFETIME_HARD) for it.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init sa-lifetime

key=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223

# sa_state SPI: the state word of SA SPI (decimal) in "setkey -D", or "gone".
sa_state() {
	run_setkey g t -D 2>/dev/null | awk -v spi="spi=$1(" '
		index($0, spi) { found = 1; next }
		found && /state=/ { sub(/.*state=/, ""); print $1; exit }
		END { if (!found) print "gone" }'
}

# wait_state SPI WANT SECONDS: polls until SA SPI is in state WANT.
wait_state() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[[ "$(sa_state "$1")" == "$2" ]] && return 0
		sleep 0.1
	done
	return 1
}

ns_create g
start_tunneld g t -n

# The monitor prints every PF_KEY message; bounded in case cleanup is missed.
ns_exec g timeout 30 "$SETKEY" -S "${TD_SOCK[t]}" -x >"$WORK/monitor.out" 2>&1 &
monitor=$!
LIB_PIDS+=("$monitor")
sleep 0.3

expect_rc 0 "add an SA with -ls 1 -lh 3 and one without lifetimes" \
	run_setkey g t -c <<EOF || true
add 203.0.113.1 203.0.113.2 esp 4660 -m tunnel -ls 1 -lh 3 -E aes-gcm-16 $key;
add 203.0.113.2 203.0.113.1 esp 4661 -m tunnel -E aes-gcm-16 $key;
EOF

OUT=$(run_setkey g t -D 2>&1) || true
# The SA's age is 0 or 1 s, as a second boundary may fall between add and dump.
if grep -qE $'diff: [01]\\(s\\)\thard: 3\\(s\\)\tsoft: 1\\(s\\)' <<<"$OUT"; then
	pass "setkey -D shows hard: 3(s) soft: 1(s)"
else
	fail "setkey -D does not show the lifetimes; got:"
	printf '%s\n' "$OUT" | sed 's/^/    | /' >&2
fi
st=$(sa_state 4660)
if [[ "$st" == mature ]]; then
	pass "the SA starts mature"
else
	fail "the SA starts '$st', not mature"
fi

if wait_state 4660 dying 5; then
	pass "the SA is dying after its soft lifetime"
else
	fail "the SA never showed state=dying (now: $(sa_state 4660))"
fi
if wait_state 4660 gone 6; then
	pass "the SA is gone after its hard lifetime"
else
	fail "the SA is still there 6 s after dying (state $(sa_state 4660))"
fi
st=$(sa_state 4661)
if [[ "$st" == mature ]]; then
	pass "the SA without lifetimes stays mature"
else
	fail "the SA without lifetimes is '$st'"
fi

kill -TERM "$monitor" 2>/dev/null || true
wait "$monitor" 2>/dev/null || true
lib_forget_pid "$monitor"
# One block per EXPIRE message: its extensions up to the next timestamp line.
expires=$(awk '/^[0-9][0-9]:[0-9][0-9]:/ { if (blk ~ /EXPIRE/) print blk; blk = ""; next }
	{ blk = blk " " $0 }
	END { if (blk ~ /EXPIRE/) print blk }' "$WORK/monitor.out" | grep 'spi=4660(' || true)
soft=$(grep -c 'LIFETIME_SOFT' <<<"$expires" || true)
hard=$(grep -c 'LIFETIME_HARD' <<<"$expires" || true)
if [[ "$soft" -eq 1 && "$hard" -eq 1 ]]; then
	pass "the monitor saw one soft and one hard EXPIRE"
else
	fail "the monitor saw $soft soft and $hard hard EXPIRE for spi 4660 (want 1 and 1)"
	sed 's/^/    | /' "$WORK/monitor.out" | tail -40 >&2
fi

lib_finish
