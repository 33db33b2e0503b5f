# shellcheck shell=bash
#
# netns-scripts/lib.sh: sourced by the netns tests, the demo and the
# benchmark. It creates network namespaces and daemons for one run and
# removes exactly what it created, whatever way the script ends.
#
#   . "$(dirname "$0")/lib.sh"
#   lib_init NAME            checks root and binaries, makes the run directory,
#                            installs the cleanup trap
#   ns_create a              namespace "<run id>-a", loopback up
#   veth_link a eth0 b eth0  a veth pair between two namespaces, both ends up
#   start_tunneld a gwa      tunneld -F -S <run dir>/gwa/pfkey inside namespace a
#   run_setkey a gwa -D      setkey -S <that socket> -D inside namespace a
#   pass "text" / fail "text" / lib_finish
#
# Names: every namespace is "gwt<pid>-<name>", so two runs never collide and
# cleanup never touches a namespace it did not create. Daemons are stopped
# by the PIDs recorded at start, never by name.
#
# Environment:
#   GW_BUILD        build directory holding the binaries (default <repo>/build)
#   TUNNELD SETKEY  override the binaries' paths
#   NETNS_LOGS      where the logs of a failed run are kept
#                   (default $GW_BUILD/netns-logs)
#   NETNS_KEEP=1    keep the run directory even on success
#   NETNS_VERBOSE=1 print every command's output as it runs

# The scripts that source this file read TD_LOG and friends.
# shellcheck disable=SC2034

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LIB_DIR/.." && pwd)
GW_BUILD=${GW_BUILD:-$REPO/build}
TUNNELD=${TUNNELD:-$GW_BUILD/tunneld/tunneld}
SETKEY=${SETKEY:-$GW_BUILD/setkey/setkey}
NETNS_LOGS=${NETNS_LOGS:-$GW_BUILD/netns-logs}
RUN_ID="gwt$$"
# Upper bound for one setkey run, seconds (the benchmark raises it).
SETKEY_TIMEOUT=${SETKEY_TIMEOUT:-60}

LIB_NAME=""
WORK=""
LIB_FAILS=0
LIB_PASSES=0
LIB_NS=()		# namespaces this run created (short names)
LIB_PIDS=()		# daemons this run started
declare -A TD_PID=()	# tunneld name -> pid
declare -A TD_SOCK=()	# tunneld name -> socket path
declare -A TD_LOG=()	# tunneld name -> log file

# Prints a line on stderr prefixed with the test name.
say() {
	printf '%s: %s\n' "${LIB_NAME:-netns}" "$*" >&2
}

# Stops the script with a message; cleanup runs from the EXIT trap.
die() {
	say "error: $*"
	LIB_FAILS=$((LIB_FAILS + 1))
	exit 1
}

pass() {
	LIB_PASSES=$((LIB_PASSES + 1))
	printf '%s: ok: %s\n' "$LIB_NAME" "$*"
}

fail() {
	LIB_FAILS=$((LIB_FAILS + 1))
	printf '%s: FAILED: %s\n' "$LIB_NAME" "$*" >&2
}

# private_dir PREFIX: creates PREFIX.<random> with mode 0700 and prints its
# name. mkdir fails on an existing name (or link), so the directory is new.
private_dir() {
	local d i
	for ((i = 0; i < 20; i++)); do
		d="$1.$RANDOM$RANDOM"
		if mkdir -m 0700 "$d" 2>/dev/null; then
			printf '%s' "$d"
			return 0
		fi
	done
	return 1
}

# lib_init NAME: root check, binaries check, run directory, traps.
lib_init() {
	LIB_NAME=$1
	if [[ $(id -u) -ne 0 ]]; then
		say "needs root (network namespaces): run it with sudo"
		exit 1
	fi
	local b
	for b in "$TUNNELD" "$SETKEY"; do
		[[ -x "$b" ]] || { say "missing binary $b (build first: meson setup build && ninja -C build)"; exit 1; }
	done
	command -v ip >/dev/null || { say "missing ip(8): run tests/install-deps.sh"; exit 1; }
	# Dumps hold keys: nothing this run writes is for other users.
	umask 077
	# A short path: the socket path must fit in sun_path (108 bytes).
	WORK=$(private_dir "/tmp/$RUN_ID") || { say "cannot create a directory in /tmp"; exit 1; }
	trap lib_cleanup EXIT
	trap 'say "interrupted"; exit 130' INT
	trap 'say "terminated"; exit 143' TERM
	trap 'exit 129' HUP
	# Output into a closed pipe (| head) must not skip the cleanup.
	trap 'exit 141' PIPE
}

# ns_full NAME: the real namespace name for a short name.
ns_full() {
	printf '%s-%s' "$RUN_ID" "$1"
}

# ns_create NAME: a fresh namespace with its loopback up.
ns_create() {
	local ns
	ns=$(ns_full "$1")
	ip netns add "$ns" || die "ip netns add $ns failed"
	LIB_NS+=("$1")
	ip -n "$ns" link set lo up || die "cannot bring lo up in $ns"
}

# ns_exec NAME cmd...: runs a command inside namespace NAME.
ns_exec() {
	local ns
	ns=$(ns_full "$1")
	shift
	ip netns exec "$ns" "$@"
}

# veth_link NS1 IF1 NS2 IF2: a veth pair, IF1 in NS1 and IF2 in NS2, both up.
veth_link() {
	local n1 n2
	n1=$(ns_full "$1")
	n2=$(ns_full "$3")
	ip -n "$n1" link add "$2" type veth peer name "$4" netns "$n2" ||
		die "cannot create veth $1:$2 - $3:$4"
	ip -n "$n1" link set "$2" up || die "cannot bring $1:$2 up"
	ip -n "$n2" link set "$4" up || die "cannot bring $3:$4 up"
}

# start_tunneld NS NAME [args...]: starts tunneld in the foreground (-F) in
# namespace NS, in the background of this shell, with its socket at
# $WORK/NAME/pfkey and its output in $WORK/NAME.log. Waits (bounded) until
# the socket exists. Sets TD_PID[NAME], TD_SOCK[NAME], TD_LOG[NAME].
start_tunneld() {
	local ns=$1 name=$2 sock log pid i st
	shift 2
	sock="$WORK/$name/pfkey"
	log="$WORK/$name.log"
	ip netns exec "$(ns_full "$ns")" "$TUNNELD" -F -S "$sock" "$@" \
		</dev/null >"$log" 2>&1 &
	pid=$!
	LIB_PIDS+=("$pid")
	TD_PID[$name]=$pid
	TD_SOCK[$name]=$sock
	TD_LOG[$name]=$log
	for ((i = 0; i < 100; i++)); do
		[[ -S "$sock" ]] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			st=0
			wait "$pid" 2>/dev/null || st=$?
			lib_forget_pid "$pid"
			say "tunneld $name exited (status $st) before creating $sock; its log:"
			sed 's/^/    /' "$log" >&2
			die "tunneld $name did not start"
		fi
		sleep 0.1
	done
	say "tunneld $name: no socket $sock after 10 s; its log:"
	sed 's/^/    /' "$log" >&2
	die "tunneld $name did not start"
}

# stop_tunneld NAME [SECONDS]: SIGTERM, then waits up to SECONDS (default
# 5). Returns tunneld's exit status (0 = clean exit), or 124 if it had to
# be killed.
stop_tunneld() {
	local name=$1 limit=${2:-5} pid i rc=0
	pid=${TD_PID[$name]:-}
	[[ -n "$pid" ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rc=124
	else
		wait "$pid" 2>/dev/null || rc=$?
	fi
	unset "TD_PID[$name]"
	lib_forget_pid "$pid"
	return "$rc"
}

lib_forget_pid() {
	local p keep=()
	for p in "${LIB_PIDS[@]}"; do
		[[ "$p" == "$1" ]] || keep+=("$p")
	done
	LIB_PIDS=("${keep[@]}")
}

# run_setkey NS NAME args...: setkey against tunneld NAME, inside NS, bounded
# in time. Returns setkey's status (124 on timeout).
run_setkey() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$(ns_full "$ns")" timeout --kill-after=5 "$SETKEY_TIMEOUT" \
		"$SETKEY" -S "${TD_SOCK[$name]}" "$@"
}

# normalize_dump: the time-dependent fields of a -D/-DP dump replaced by
# fixed words, so that dumps compare with golden files. Dates become DATE
# (a blank, never-set date stays blank), "diff: N(s)" becomes "diff: N(s)"
# literally, pid=N becomes pid=PID (spid=N stays). Everything else is kept
# byte for byte.
normalize_dump() {
	local date='[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}'
	sed -E \
		-e "s/(created|current|last|lastused): $date/\\1: DATE/g" \
		-e 's/diff: [0-9]+\(s\)/diff: N(s)/g' \
		-e 's/(^|[[:space:]])pid=[0-9]+/\1pid=PID/g'
}

# lib_keep_logs: copies the run directory's logs to $NETNS_LOGS and says where.
lib_keep_logs() {
	local dest
	dest="$NETNS_LOGS/$LIB_NAME.$RUN_ID"
	mkdir -p "$dest" 2>/dev/null || dest=$(private_dir "/tmp/$LIB_NAME-logs")
	cp -a "$WORK"/. "$dest"/ 2>/dev/null || true
	# Sockets are useless in a log directory.
	find "$dest" -type s -delete 2>/dev/null || true
	say "logs kept in $dest"
}

# lib_cleanup: the EXIT trap. Stops the daemons this run started (by PID),
# deletes the namespaces it created, keeps logs on failure, removes $WORK.
lib_cleanup() {
	local rc=$? pid i ns
	trap - EXIT INT TERM HUP
	trap '' PIPE
	set +e
	for pid in "${LIB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LIB_PIDS[@]}"; do
		for ((i = 0; i < 30; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			say "pid $pid ignored SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	for ns in "${LIB_NS[@]}"; do
		ip netns del "$(ns_full "$ns")" 2>/dev/null ||
			say "could not delete namespace $(ns_full "$ns")"
	done
	if [[ $rc -eq 0 && $LIB_FAILS -gt 0 ]]; then
		rc=1
	fi
	if [[ -n "$WORK" && -d "$WORK" ]]; then
		if [[ $rc -ne 0 || "${NETNS_KEEP:-0}" == 1 ]]; then
			lib_keep_logs
		fi
		rm -rf "$WORK"
	fi
	exit "$rc"
}

# lib_finish: prints the test's verdict and exits with it.
lib_finish() {
	if [[ $LIB_FAILS -gt 0 ]]; then
		say "$LIB_FAILS check(s) failed, $LIB_PASSES passed"
		exit 1
	fi
	say "all $LIB_PASSES checks passed"
	exit 0
}

# expect_rc WANT DESC cmd...: runs cmd, its stdout+stderr in $OUT, and
# records pass/fail on its exit status: WANT is 0 or "nonzero". "nonzero"
# means an orderly failure (1-123): a timeout (124) or a death by signal
# (128+) is a failure of the check.
expect_rc() {
	local want=$1 desc=$2 rc=0
	shift 2
	OUT=$("$@" 2>&1) || rc=$?
	[[ "${NETNS_VERBOSE:-0}" == 1 ]] && printf '%s\n' "$OUT" | sed 's/^/    | /'
	if [[ "$want" == 0 && $rc -eq 0 ]] || [[ "$want" == nonzero && $rc -ge 1 && $rc -le 123 ]]; then
		pass "$desc"
		return 0
	fi
	fail "$desc (exit status $rc, wanted $want); output:"
	printf '%s\n' "$OUT" | head -40 | sed 's/^/    | /' >&2
	return 1
}
