#!/usr/bin/env bash
#
# test-tunneld-daemon.sh: tunneld as a daemon (without -F), the way a
# service manager or a boot script starts it.
#
# - it returns at once with status 0, leaving a pid file "tunneld.pid"
#   beside the socket that names a live tunneld which answers setkey,
#   also when the socket's directory does not exist yet (as /run/tunneld
#   after a reboot);
# - a second tunneld on the same socket, daemon or foreground, is refused
#   and the first one keeps working;
# - SIGTERM stops it and removes its socket and pid file;
# - after a crash (SIGKILL) the stale socket and pid file do not prevent
#   a new start.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init tunneld-daemon

tunneld_real=$(readlink -f "$TUNNELD")

# daemon_pid DIR: the pid in DIR/tunneld.pid if it is a running tunneld of
# this build (then also recorded for cleanup); empty otherwise.
daemon_pid() {
	local pid
	pid=$(cat "$1/tunneld.pid" 2>/dev/null) || return 0
	[[ "$pid" =~ ^[0-9]+$ ]] || return 0
	[[ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" == "$tunneld_real" ]] || return 0
	LIB_PIDS+=("$pid")
	printf '%s' "$pid"
}

# gone PID: waits up to 5 s for PID to exit; true if it did.
gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# answers DIR: setkey -D through DIR/pfkey prints "No SAD entries.".
answers() {
	local out
	out=$(ns_exec d timeout 10 "$SETKEY" -S "$1/pfkey" -D 2>&1) &&
		[[ "$out" == "No SAD entries." ]]
}

# daemon_lifecycle DIR LABEL: start, refuse a second one, stop, on DIR/pfkey.
daemon_lifecycle() {
	local dir=$1 label=$2 pid
	expect_rc 0 "$label: tunneld (daemon) returns 0" \
		ns_exec d timeout 10 "$TUNNELD" -n -S "$dir/pfkey" || return 0
	pid=$(daemon_pid "$dir")
	if [[ -z "$pid" ]]; then
		fail "$label: no $dir/tunneld.pid naming a running tunneld"
		return 0
	fi
	pass "$label: tunneld.pid names running tunneld $pid"
	if answers "$dir"; then
		pass "$label: the daemon answers setkey -D"
	else
		fail "$label: the daemon does not answer setkey -D"
	fi
	expect_rc nonzero "$label: a second daemon on the same socket is refused" \
		ns_exec d timeout 10 "$TUNNELD" -n -S "$dir/pfkey" || true
	expect_rc nonzero "$label: a foreground tunneld on the same socket is refused" \
		ns_exec d timeout 10 "$TUNNELD" -n -F -S "$dir/pfkey" || true
	if answers "$dir" && [[ "$(cat "$dir/tunneld.pid" 2>/dev/null)" == "$pid" ]]; then
		pass "$label: the first daemon still answers and owns the pid file"
	else
		fail "$label: the refused start disturbed the running daemon"
	fi
	kill -TERM "$pid"
	if gone "$pid"; then
		pass "$label: SIGTERM stops the daemon"
	else
		fail "$label: the daemon is still running 5 s after SIGTERM"
	fi
	if [[ ! -e "$dir/pfkey" ]]; then
		pass "$label: socket removed"
	else
		fail "$label: $dir/pfkey left behind"
	fi
	if [[ ! -e "$dir/tunneld.pid" ]]; then
		pass "$label: pid file removed"
	else
		fail "$label: $dir/tunneld.pid left behind"
	fi
}

ns_create d

# The directory exists (0700, as an installation would create it).
install -d -m 0700 "$WORK/existing"
daemon_lifecycle "$WORK/existing" "existing dir"

# The directory does not exist yet: tunneld creates it (0700).
daemon_lifecycle "$WORK/missing" "missing dir"
if [[ -d "$WORK/missing" ]]; then
	mode=$(stat -c %a "$WORK/missing")
	if [[ "$mode" == 700 ]]; then
		pass "missing dir: created with mode 0700"
	else
		fail "missing dir: created with mode $mode, not 0700"
	fi
fi

# A crash leaves a stale socket and pid file; a new start must succeed.
install -d -m 0700 "$WORK/crash"
expect_rc 0 "crash: tunneld (daemon) returns 0" ns_exec d timeout 10 "$TUNNELD" -n -S "$WORK/crash/pfkey" || true
pid=$(daemon_pid "$WORK/crash")
if [[ -n "$pid" ]]; then
	kill -KILL "$pid"
	gone "$pid" || true
	[[ -S "$WORK/crash/pfkey" && -f "$WORK/crash/tunneld.pid" ]] ||
		say "note: SIGKILL left no stale socket or pid file to test with"
	daemon_lifecycle "$WORK/crash" "after a crash"
else
	fail "crash: no daemon to kill"
fi

lib_finish
