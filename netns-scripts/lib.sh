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
#   topo_create v4           the handbook's four-namespace topology, and
#   topo_tunneld gif         tunneld on its gateways: see the second half
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

# ---------------------------------------------------------------------
# The handbook topology, for the data path tests, the demo and the bench:
#
#   ha (10.1.0.10/24, gw 10.1.0.1)
#    | eth0 - in0
#   ga (inside 10.1.0.1/24, public 203.0.113.1/24)
#    | pub0 - pub0            the "internet": captures are taken here
#   gb (public 203.0.113.2/24, inside 10.2.0.1/24)
#    | in0 - eth0
#   hb (10.2.0.10/24, gw 10.2.0.1)
#
#   topo_create v4|v6        the four namespaces and links; with "v6" the
#                            addresses are fd01::/64, fd02::/64 inside and
#                            2001:db8::1/2 on the public link instead
#   topo_tunneld MODE        tunneld on both gateways (names gwa, gwb) and
#                            the routes into its TUN gif0. MODE: "gif"
#                            (-L/-R, IPv4-in-IPv4 between the public
#                            addresses), "direct" (no gif layer) or
#                            "direct6" (IPv6 inside and outside)
#   topo_plain_routes        no tunnel: routes via the public link
#   capture_start NS IF NAME tcpdump -U --immediate-mode on IF into $WORK/NAME.pcap, the
#                            first CAP_SNAP (default 160, 0: all) bytes of
#                            each packet: headers, not a bulk transfer
#   capture_stop NAME        stops it (by PID) and waits for the file
#   capture_count NAME FILT  packets in NAME.pcap matching a pcap filter
#   td_counter NS NAME KEY   one global counter of "setkey -s"
#
# IPv6: unless "v6" is asked for, IPv6 is disabled in all four namespaces
# (all and default, before any interface exists, so the TUN is created
# without it): otherwise the TUN's link-local IPv6 packets (router
# solicitations) would be carried, as IPv6-in-IPv4 in gif mode, and show
# up in the captures.
# ---------------------------------------------------------------------
TOPO_V6=0
CAP_SNAP=${CAP_SNAP:-160}
declare -A CAP_PID=()	# capture name -> tcpdump pid

# topo_sysctl NS key=value...: sysctl -q -w inside NS, dying on failure.
topo_sysctl() {
	local ns=$1
	shift
	ns_exec "$ns" sysctl -q -w "$@" >/dev/null || die "sysctl $* in $ns failed"
}

# topo_addr NS IF ADDR: ip addr add (nodad for IPv6: usable at once).
topo_addr() {
	local extra=()
	[[ "$3" == *:* ]] && extra=(nodad)
	ns_exec "$1" ip addr add "$3" dev "$2" "${extra[@]}" ||
		die "cannot add $3 to $1:$2"
}

topo_create() {
	local n
	case "${1:-}" in
	v4)	TOPO_V6=0 ;;
	v6)	TOPO_V6=1 ;;
	*)	die "topo_create: v4 or v6, not '${1:-}'" ;;
	esac
	for n in ha ga gb hb; do
		ns_create "$n"
		if [[ $TOPO_V6 -eq 0 ]]; then
			topo_sysctl "$n" net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1
		fi
	done
	veth_link ha eth0 ga in0
	veth_link ga pub0 gb pub0
	veth_link gb in0 hb eth0
	if [[ $TOPO_V6 -eq 1 ]]; then
		topo_addr ha eth0 fd01::10/64
		topo_addr ga in0 fd01::1/64
		topo_addr ga pub0 2001:db8::1/64
		topo_addr gb pub0 2001:db8::2/64
		topo_addr gb in0 fd02::1/64
		topo_addr hb eth0 fd02::10/64
		ns_exec ha ip -6 route add default via fd01::1 || die "route on ha"
		ns_exec hb ip -6 route add default via fd02::1 || die "route on hb"
		topo_sysctl ga net.ipv6.conf.all.forwarding=1
		topo_sysctl gb net.ipv6.conf.all.forwarding=1
		return 0
	fi
	topo_addr ha eth0 10.1.0.10/24
	topo_addr ga in0 10.1.0.1/24
	topo_addr ga pub0 203.0.113.1/24
	topo_addr gb pub0 203.0.113.2/24
	topo_addr gb in0 10.2.0.1/24
	topo_addr hb eth0 10.2.0.10/24
	ns_exec ha ip route add default via 10.1.0.1 || die "route on ha"
	ns_exec hb ip route add default via 10.2.0.1 || die "route on hb"
	topo_sysctl ga net.ipv4.ip_forward=1
	topo_sysctl gb net.ipv4.ip_forward=1
}

# topo_wait_link NS IF: waits (5 s at most) until IF exists and is up.
topo_wait_link() {
	local i
	for ((i = 0; i < 50; i++)); do
		if ns_exec "$1" ip -o link show dev "$2" 2>/dev/null | grep -q '[<,]UP[,>]'; then
			return 0
		fi
		sleep 0.1
	done
	die "$2 in $1 is not up 5 s after tunneld started"
}

# topo_tunneld MODE: see above.
topo_tunneld() {
	local mode=$1 a_args=() b_args=()
	case "$mode" in
	gif)	a_args=(-L 203.0.113.1 -R 203.0.113.2)
		b_args=(-L 203.0.113.2 -R 203.0.113.1) ;;
	direct|direct6) ;;
	*)	die "topo_tunneld: unknown mode $mode" ;;
	esac
	start_tunneld ga gwa -i gif0 "${a_args[@]}"
	start_tunneld gb gwb -i gif0 "${b_args[@]}"
	topo_wait_link ga gif0
	topo_wait_link gb gif0
	if [[ "$mode" == direct6 ]]; then
		ns_exec ga ip -6 route add fd02::/64 dev gif0 || die "route on ga"
		ns_exec gb ip -6 route add fd01::/64 dev gif0 || die "route on gb"
	else
		ns_exec ga ip route add 10.2.0.0/24 dev gif0 || die "route on ga"
		ns_exec gb ip route add 10.1.0.0/24 dev gif0 || die "route on gb"
	fi
}

topo_plain_routes() {
	ns_exec ga ip route add 10.2.0.0/24 via 203.0.113.2 || die "route on ga"
	ns_exec gb ip route add 10.1.0.0/24 via 203.0.113.1 || die "route on gb"
}

# capture_start NS IF NAME: tcpdump -U (each packet written at once) on IF
# in NS into $WORK/NAME.pcap; waits (5 s at most) until it listens.
capture_start() {
	local ns=$1 ifc=$2 name=$3 pid i
	ip netns exec "$(ns_full "$ns")" tcpdump -U --immediate-mode -n -Z root -s "$CAP_SNAP" -i "$ifc" \
		-w "$WORK/$name.pcap" </dev/null >"$WORK/$name.tcpdump.log" 2>&1 &
	pid=$!
	LIB_PIDS+=("$pid")
	CAP_PID[$name]=$pid
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$WORK/$name.tcpdump.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/    /' "$WORK/$name.tcpdump.log" >&2
	die "tcpdump on $ns:$ifc did not start"
}

# capture_stop NAME: SIGINT (tcpdump flushes and exits), SIGKILL after 3 s.
capture_stop() {
	local pid=${CAP_PID[$1]:-} i
	[[ -n "$pid" ]] || return 0
	sleep 0.3	# the last packets of the check are on the wire
	kill -INT "$pid" 2>/dev/null || true
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	lib_forget_pid "$pid"
	unset "CAP_PID[$1]"
}

# capture_count NAME FILTER: how many packets of $WORK/NAME.pcap match.
capture_count() {
	tcpdump -n -r "$WORK/$1.pcap" "$2" 2>/dev/null | wc -l
}

# capture_show NAME [N]: the first N (default 10) packets, for a failure.
capture_show() {
	tcpdump -n -r "$WORK/$1.pcap" 2>/dev/null | head -"${2:-10}" | sed 's/^/    | /' >&2
}

# td_stats NS NAME: "setkey -s" of tunneld NAME.
td_stats() {
	run_setkey "$1" "$2" -s
}

# wait_listen NS PORT: waits up to 5 s for a TCP listener on PORT in NS
# (a server just started in the background); 1 if none came.
wait_listen() {
	local i
	for ((i = 0; i < 50; i++)); do
		ns_exec "$1" ss -Hltn 2>/dev/null | grep -q ":$2\>" && return 0
		sleep 0.1
	done
	return 1
}

# iperf_pair CLIENT_NS SERVER_NS SERVER_ADDR SECONDS [iperf3 args...]: one
# iperf3 TCP run; records a check and leaves the client's output in
# $WORK/iperf.out and the bits per second received in IPERF_BPS.
iperf_pair() {
	local c=$1 s=$2 addr=$3 secs=$4 spid rc=0
	shift 4
	IPERF_BPS=0
	ip netns exec "$(ns_full "$s")" iperf3 -s -1 -B "$addr" \
		</dev/null >"$WORK/iperf-server.log" 2>&1 &
	spid=$!
	LIB_PIDS+=("$spid")
	wait_listen "$s" 5201 || say "iperf3 server in $s: not listening after 5 s"
	ns_exec "$c" timeout $((secs + 15)) iperf3 -c "$addr" -t "$secs" -J "$@" \
		</dev/null >"$WORK/iperf.out" 2>&1 || rc=$?
	kill -TERM "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	lib_forget_pid "$spid"
	if [[ $rc -eq 0 ]]; then
		IPERF_BPS=$(python3 -c 'import json,sys
print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' \
			"$WORK/iperf.out" 2>/dev/null || echo 0)
	fi
	if [[ $rc -eq 0 && $IPERF_BPS -gt 0 ]]; then
		pass "iperf3 TCP $c -> $s for ${secs}s: $((IPERF_BPS / 1000000)) Mbit/s"
		return 0
	fi
	fail "iperf3 TCP $c -> $s (exit $rc); output:"
	head -30 "$WORK/iperf.out" | sed 's/^/    | /' >&2
	return 1
}

# tcp_copy_check CLIENT_NS SERVER_NS SERVER_ADDR MBYTES: sends MBYTES of
# random data over one TCP connection (netns-scripts/tcp-sha.py) and
# records whether the server received exactly those bytes (SHA-256).
tcp_copy_check() {
	local c=$1 s=$2 addr=$3 mb=$4 spid rc=0 sent got
	head -c "$((mb * 1048576))" /dev/urandom >"$WORK/copy.bin"
	ip netns exec "$(ns_full "$s")" /usr/bin/python3 "$LIB_DIR/tcp-sha.py" serve "$addr" 5202 \
		</dev/null >"$WORK/copy-server.out" 2>&1 &
	spid=$!
	LIB_PIDS+=("$spid")
	wait_listen "$s" 5202 || say "tcp-sha.py server in $s: not listening after 5 s"
	sent=$(ns_exec "$c" timeout 60 /usr/bin/python3 "$LIB_DIR/tcp-sha.py" send "$addr" 5202 \
		"$WORK/copy.bin" </dev/null 2>&1) || rc=$?
	wait "$spid" 2>/dev/null || rc=$?
	lib_forget_pid "$spid"
	got=$(cat "$WORK/copy-server.out")
	rm -f "$WORK/copy.bin"
	if [[ $rc -eq 0 && -n "$sent" && "$sent" == "$got" ]]; then
		pass "TCP $c -> $s: $mb MiB arrived unchanged (sha256 ${sent:0:16}...)"
		return 0
	fi
	fail "TCP $c -> $s: sent '${sent}', received '${got}' (exit $rc)"
	return 1
}

# check_only_esp NAME MIN [v6]: records whether capture NAME holds at least
# MIN ESP packets and nothing else but ARP/ND and ICMP errors about ESP.
check_only_esp() {
	local name=$1 min=$2 ip=ip icmp=icmp total esp err other
	if [[ "${3:-}" == v6 ]]; then
		ip=ip6
		icmp=icmp6
	fi
	if [[ $ip == ip ]]; then
		total=$(capture_count "$name" ip)
	else
		# Neighbour discovery and MLD are the link's own business.
		total=$(capture_count "$name" "ip6 and not (net fe80::/10 or dst net ff02::/16 or \
($icmp and ip6[40] >= 133 and ip6[40] <= 136))")
	fi
	esp=$(capture_count "$name" "$ip proto 50")
	if [[ $ip == ip ]]; then
		# Unreachable errors quote the start of an ESP packet: ciphertext.
		err=$(capture_count "$name" 'icmp and icmp[icmptype] == icmp-unreach')
	else
		err=$(capture_count "$name" 'icmp6 and ip6[40] < 128')
	fi
	other=$((total - esp - err))
	if [[ $esp -ge $min && $other -eq 0 ]]; then
		pass "public link: $esp ESP packets, nothing else in the clear ($err ICMP errors about ESP)"
		return 0
	fi
	fail "public link: $total packets: $esp ESP (want >= $min), $err ICMP errors, $other other (want 0); those:"
	tcpdump -n -r "$WORK/$name.pcap" "$ip and not $ip proto 50" 2>/dev/null | head -10 |
		sed 's/^/    | /' >&2
	return 1
}

# td_counter NS NAME KEY: the gateway-wide counter KEY (replay, icv_fail,
# packets_in, ...) of "setkey -s" of tunneld NAME; empty if absent.
td_counter() {
	run_setkey "$1" "$2" -s 2>/dev/null |
		awk '/^global:/ { g = 1; next } /^[^[:space:]]/ { g = 0 } g' |
		grep -oE "(^|[[:space:]])$3=[0-9]+" | head -1 | cut -d= -f2
}

# nft_drops NS [TABLE]: packets counted by the drop rules of tunneld's
# nftables table (default inet tunneld_gif0).
nft_drops() {
	ns_exec "$1" nft list table inet "${2:-tunneld_gif0}" 2>/dev/null |
		grep -E 'counter packets [0-9]+ bytes [0-9]+ drop' |
		grep -oE 'counter packets [0-9]+' | awk '{ s += $3 } END { print s + 0 }'
}

# wait_for SECONDS cmd...: runs cmd every 0.1 s until it succeeds (0) or
# SECONDS have passed (1).
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# topo_nat PORTS: the handbook's sites with a NAT between the gateways:
#
#   xa (10.1.0.10) - xga (10.1.0.1; 203.0.113.1, via .254)
#     - nat (203.0.113.254; 198.51.100.1, masquerade)
#     - xgb (198.51.100.2; 10.2.0.1) - xb (10.2.0.10)
#
# The NAT rewrites gw A's address to 198.51.100.1 and its UDP source
# ports to PORTS (a port or a range: "45000", "40000-40009"); gw B never
# sees 203.0.113.1. IPv6 is off in all five namespaces.
topo_nat() {
	local n
	for n in xa xga nat xgb xb; do
		ns_create "$n"
		topo_sysctl "$n" net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	veth_link xa eth0 xga in0
	veth_link xga pub0 nat in0
	veth_link nat out0 xgb pub0
	veth_link xgb in0 xb eth0
	topo_addr xa eth0 10.1.0.10/24
	topo_addr xga in0 10.1.0.1/24
	topo_addr xga pub0 203.0.113.1/24
	topo_addr nat in0 203.0.113.254/24
	topo_addr nat out0 198.51.100.1/24
	topo_addr xgb pub0 198.51.100.2/24
	topo_addr xgb in0 10.2.0.1/24
	topo_addr xb eth0 10.2.0.10/24
	ns_exec xa ip route add default via 10.1.0.1 || die "route on xa"
	ns_exec xb ip route add default via 10.2.0.1 || die "route on xb"
	ns_exec xga ip route add default via 203.0.113.254 || die "route on xga"
	topo_sysctl xga net.ipv4.ip_forward=1
	topo_sysctl nat net.ipv4.ip_forward=1
	topo_sysctl xgb net.ipv4.ip_forward=1
	ns_exec nat nft -f - <<NFT || die "nftables NAT rules refused"
table ip topo_nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "out0" meta l4proto udp masquerade to :$1
		oifname "out0" masquerade
	}
}
NFT
}

# ---------------------------------------------------------------------
# ikd, the keying daemon:
#
#   write_psk FILE LINE...     psk.txt with these lines, mode 0600
#   ikd_conf NAME PSK [TEXT]   $WORK/NAME.conf: the default configuration
#                              with psk.txt at PSK, plus TEXT (statements)
#   start_ikd NS NAME TD CONF [args...]
#                              ikd -F in NS against tunneld TD, control
#                              socket $WORK/NAME/control; waits for it
#   stop_ikd NAME [SIG]        SIGTERM (or SIG) and wait
#   run_ikdctl NS NAME args... ikdctl against ikd NAME
#   check_only_esp_ike NAME MIN
#                              like check_only_esp, IKE (UDP 500/4500) allowed
# ---------------------------------------------------------------------
IKD=${IKD:-$GW_BUILD/ikd/ikd}
IKDCTL=${IKDCTL:-$GW_BUILD/ikd/ikdctl}
declare -A IKD_PID=()	# ikd name -> pid
declare -A IKD_CTL=()	# ikd name -> control socket
declare -A IKD_LOG=()	# ikd name -> log file
declare -A IKD_TD=()	# ikd name -> its tunneld's name

write_psk() {
	local f=$1
	shift
	( umask 077; printf '%s\n' "$@" >"$f" ) || die "cannot write $f"
}

ikd_conf() {
	local f="$WORK/$1.conf"
	{
		printf 'path pre_shared_key "%s";\n' "$2"
		printf '%s\n' "${3:-}"
	} >"$f" || die "cannot write $f"
	chmod 0600 "$f"
}

start_ikd() {
	local ns=$1 name=$2 td=$3 conf=$4 ctl log pid i st
	shift 4
	[[ -x "$IKD" ]] || die "missing binary $IKD"
	mkdir -p -m 0700 "$WORK/$name"
	ctl="$WORK/$name/control"
	log="$WORK/$name.log"
	ip netns exec "$(ns_full "$ns")" "$IKD" -F -f "$conf" -S "${TD_SOCK[$td]}" -C "$ctl" "$@" \
		</dev/null >>"$log" 2>&1 &
	pid=$!
	LIB_PIDS+=("$pid")
	IKD_PID[$name]=$pid
	IKD_CTL[$name]=$ctl
	IKD_LOG[$name]=$log
	IKD_TD[$name]=$td
	for ((i = 0; i < 100; i++)); do
		[[ -S "$ctl" ]] && grep -q 'ready' "$log" 2>/dev/null && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			st=0
			wait "$pid" 2>/dev/null || st=$?
			lib_forget_pid "$pid"
			unset "IKD_PID[$name]"
			say "ikd $name exited (status $st) at start; its log:"
			sed 's/^/    /' "$log" >&2
			return 1
		fi
		sleep 0.1
	done
	say "ikd $name: not ready after 10 s; its log:"
	sed 's/^/    /' "$log" >&2
	return 1
}

stop_ikd() {
	local name=$1 sig=${2:-TERM} pid i rc=0
	pid=${IKD_PID[$name]:-}
	[[ -n "$pid" ]] || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		rc=124
	fi
	wait "$pid" 2>/dev/null || { [[ $rc -eq 0 ]] && rc=$?; }
	unset "IKD_PID[$name]"
	lib_forget_pid "$pid"
	return "$rc"
}

run_ikdctl() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$(ns_full "$ns")" timeout 20 "$IKDCTL" -C "${IKD_CTL[$name]}" \
		-S "${TD_SOCK[${IKD_TD[$name]}]}" "$@"
}

check_only_esp_ike() {
	local name=$1 min=$2 total esp ike err other
	total=$(capture_count "$name" ip)
	# On port 4500: a 1-byte keepalive, IKE behind the zero marker, else ESP.
	esp=$(capture_count "$name" "ip proto 50 or (udp port 4500 and udp[4:2] > 9 and udp[8:4] != 0)")
	ike=$(capture_count "$name" "udp port 500 or (udp port 4500 and (udp[4:2] == 9 or udp[8:4] == 0))")
	err=$(capture_count "$name" 'icmp and icmp[icmptype] == icmp-unreach')
	other=$((total - esp - ike - err))
	if [[ $esp -ge $min && $ike -ge 2 && $other -eq 0 ]]; then
		pass "public link: $esp ESP and $ike IKE packets, nothing else in the clear"
		return 0
	fi
	fail "public link: $total packets: $esp ESP (want >= $min), $ike IKE (want >= 2), $err ICMP errors, $other other (want 0); those:"
	tcpdump -n -r "$WORK/$name.pcap" "ip and not (ip proto 50 or udp port 500 or udp port 4500)" 2>/dev/null |
		head -10 | sed 's/^/    | /' >&2
	return 1
}
