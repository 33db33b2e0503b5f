# shellcheck shell=bash
#
# netns-scripts/strongswan.sh: sourced after lib.sh by scripts that run
# strongSwan's charon as a gateway in one of lib.sh's namespaces. This
# kernel has no ESP, so charon uses its userspace ESP (kernel-libipsec, a
# TUN named ipsec0) and always UDP-encapsulates ESP (port 4500).
#
#   ss_available             0 if charon and swanctl are installed
#   ss_render NAME LOCAL REMOTE LOCAL_TS REMOTE_TS ESP PSK
#                            strongswan.conf and swanctl.conf of instance
#                            NAME into $WORK/NAME/
#   ss_start NS NAME         charon in namespace NS, its private /run
#   ss_swanctl NAME args...  swanctl against instance NAME, bounded in time
#   ss_load NAME             loads its connections and secrets
#   ss_initiate NAME PEER CHILD
#                            initiates CHILD, waits for it on both ends
#   ss_child_bytes NAME CHILD  bytes sent on CHILD's outbound SA
#   ss_stop NAME             SIGTERM by PID, SIGKILL after 5 s
#
# Each instance has its own STRONGSWAN_CONF, vici socket and log under
# $WORK/NAME, so two charons on one machine never share a file. The PIDs
# go into LIB_PIDS: lib.sh's EXIT trap stops them, also on failure.

# shellcheck disable=SC2034

SS_CHARON=${SS_CHARON:-/usr/lib/ipsec/charon}
SS_SWANCTL=${SS_SWANCTL:-swanctl}
# Upper bound for one swanctl command, seconds.
SS_TIMEOUT=${SS_TIMEOUT:-20}
# charon's plugins: userspace ESP and netlink for routes, OpenSSL for all
# crypto, vici for swanctl.
SS_PLUGINS="random nonce openssl kdf pem pkcs1 x509 pubkey"
SS_PLUGINS+=" kernel-libipsec kernel-netlink socket-default vici"
declare -A SS_PID=()	# instance name -> charon pid
declare -A SS_LOG=()	# instance name -> charon log file

# ss_available: whether this machine can run the strongSwan phase.
ss_available() {
	[[ -x "$SS_CHARON" ]] && command -v "$SS_SWANCTL" >/dev/null
}

# ss_uri NAME: the vici URI of instance NAME.
ss_uri() {
	printf 'unix://%s/%s/charon.vici' "$WORK" "$1"
}

# ss_render_charon NAME: strongswan.conf of instance NAME. kernel-libipsec
# comes before kernel-netlink: the first IPsec backend registered wins,
# and the kernel's own (netlink) cannot add ESP SAs here.
ss_render_charon() {
	local dir="$WORK/$1"
	cat >"$dir/strongswan.conf" <<EOF
charon {
	load_modular = no
	load = $SS_PLUGINS
	install_routes = yes
	routing_table = 220
	routing_table_prio = 220
${SS_CHARON_EXTRA:-}
	filelog {
		charonlog {
			path = $dir/charon.log
			time_format = %T
			time_add_ms = yes
			ike_name = yes
			flush_line = yes
			default = 1
			net = 0
			enc = 0
			esp = 0
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	plugins {
		vici {
			socket = $(ss_uri "$1")
		}
	}
}
swanctl {
	socket = $(ss_uri "$1")
	load = pem pkcs1 x509 openssl random nonce
}
EOF
}

# ss_render NAME LOCAL REMOTE LOCAL_TS REMOTE_TS ESP PSK: the two files of
# instance NAME: one IKEv2 connection "gw" between the public addresses
# LOCAL and REMOTE (identities = addresses, pre-shared key PSK in 0x hex,
# default IKE proposals) with one tunnel-mode child "net" LOCAL_TS <->
# REMOTE_TS using the ESP proposal ESP. Nothing starts on its own.
# SS_PROPOSALS (default "default") sets the IKE proposals; SS_CHARON_EXTRA
# are strongswan.conf lines for the charon section (retransmit_tries = 3,
# ...), rendered by ss_render_charon; SS_CONN_EXTRA
# and SS_CHILD_EXTRA are swanctl.conf lines added to the connection and
# to the child (rekey_time = 20s, dpd_delay = 5s, ...). SS_REMOTE_ID is
# the peer's identity when it differs from its address (behind a NAT).
ss_render() {
	local name=$1 lo=$2 re=$3 lts=$4 rts=$5 esp=$6 psk=$7 dir rid
	dir="$WORK/$name"
	rid=${SS_REMOTE_ID:-$re}
	mkdir -p "$dir/swanctl" "$dir/run" || die "cannot create $dir"
	ss_render_charon "$name"
	cat >"$dir/swanctl/swanctl.conf" <<EOF
connections {
	gw {
		version = 2
		local_addrs = $lo
		remote_addrs = $re
		proposals = ${SS_PROPOSALS:-default}
		dpd_delay = 0s
${SS_CONN_EXTRA:-}
		local {
			auth = psk
			id = $lo
		}
		remote {
			auth = psk
			id = $rid
		}
		children {
			net {
				mode = tunnel
				local_ts = $lts
				remote_ts = $rts
				esp_proposals = $esp
				start_action = none
				dpd_action = none
				close_action = none
${SS_CHILD_EXTRA:-}
			}
		}
	}
}
secrets {
	ike-gw {
		id-a = $lo
		id-b = $rid
		secret = $psk
	}
}
EOF
}

# ss_start NS NAME: starts charon for instance NAME (rendered before) in
# namespace NS, in the background of this shell. charon writes the fixed
# /var/run/charon.pid, so the mount namespace that "ip netns exec" gives
# it gets $WORK/NAME/run on /run. Waits (10 s at most) for the vici socket.
ss_start() {
	local ns=$1 name=$2 dir pid i st
	dir="$WORK/$name"
	SS_LOG[$name]=$dir/charon.log
	# A restarted instance: the old socket must not count as the new one's.
	rm -f "$dir/charon.vici"
	# The bind mount happens in the child's own mount namespace only.
	# shellcheck disable=SC2016
	STRONGSWAN_CONF="$dir/strongswan.conf" ip netns exec "$(ns_full "$ns")" \
		sh -c 'mount --bind "$1" /run && exec "$2"' sh "$dir/run" "$SS_CHARON" \
		</dev/null >"$dir/charon.out" 2>&1 &
	pid=$!
	LIB_PIDS+=("$pid")
	SS_PID[$name]=$pid
	for ((i = 0; i < 100; i++)); do
		[[ -S "$dir/charon.vici" ]] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			st=0
			wait "$pid" 2>/dev/null || st=$?
			lib_forget_pid "$pid"
			unset "SS_PID[$name]"
			ss_show_log "$name"
			die "charon $name exited (status $st) before creating its vici socket"
		fi
		sleep 0.1
	done
	ss_show_log "$name"
	die "charon $name: no vici socket after 10 s"
}

# ss_show_log NAME: the end of instance NAME's output and log, on stderr.
ss_show_log() {
	local f
	for f in "$WORK/$1/charon.out" "$WORK/$1/charon.log"; do
		[[ -s "$f" ]] || continue
		say "$f (last lines):"
		tail -25 "$f" | sed 's/^/    /' >&2
	done
}

# ss_swanctl NAME args...: swanctl (command first, then the URI) against
# instance NAME, killed after SS_TIMEOUT seconds. Returns its status.
ss_swanctl() {
	local name=$1 cmd=$2
	shift 2
	STRONGSWAN_CONF="$WORK/$name/strongswan.conf" SWANCTL_DIR="$WORK/$name/swanctl" \
		timeout --kill-after=5 "$SS_TIMEOUT" \
		"$SS_SWANCTL" "$cmd" --uri "$(ss_uri "$name")" "$@"
}

# ss_load NAME: loads instance NAME's connections and secrets; dies with
# swanctl's output on failure.
ss_load() {
	local out
	out=$(ss_swanctl "$1" --load-all --noprompt 2>&1) || {
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		ss_show_log "$1"
		die "swanctl --load-all for $1 failed"
	}
}

# ss_child_up NAME CHILD: 0 if instance NAME has CHILD installed.
ss_child_up() {
	ss_swanctl "$1" --list-sas 2>/dev/null | grep -qE "^[[:space:]]+$2: .*INSTALLED"
}

# ss_initiate NAME PEER CHILD: instance NAME initiates CHILD; waits (10 s
# at most) until both NAME and PEER list it as installed. Dies otherwise.
ss_initiate() {
	local name=$1 peer=$2 child=$3 out
	out=$(ss_swanctl "$name" --initiate --child "$child" --timeout 10 2>&1) || {
		printf '%s\n' "$out" | tail -20 | sed 's/^/    /' >&2
		ss_show_log "$name"
		ss_show_log "$peer"
		die "swanctl --initiate --child $child on $name failed"
	}
	if ! wait_for 10 ss_child_up "$name" "$child" || ! wait_for 10 ss_child_up "$peer" "$child"; then
		ss_show_log "$name"
		ss_show_log "$peer"
		die "CHILD SA $child is not installed on both $name and $peer"
	fi
}

# ss_child_bytes NAME CHILD: the bytes instance NAME has sent on CHILD's
# outbound SA (0 if it has none).
ss_child_bytes() {
	ss_swanctl "$1" --list-sas 2>/dev/null | awk -v c="$2" '
		$1 == c ":" { inside = 1; next }
		inside && $1 ~ /:$/ { inside = 0 }
		inside && $1 == "out" {
			for (i = 2; i < NF; i++)
				if ($(i + 1) ~ /^bytes/) { print $i; found = 1; exit }
		}
		END { if (!found) print 0 }'
}

# ss_stop NAME [SECONDS]: SIGTERM to instance NAME's charon, SIGKILL after
# SECONDS (default 5). Returns 0 on a clean exit, 124 if it was killed.
ss_stop() {
	local name=$1 limit=${2:-5} pid i rc=0
	pid=${SS_PID[$name]:-}
	[[ -n "$pid" ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		rc=124
	fi
	wait "$pid" 2>/dev/null || true
	unset "SS_PID[$name]"
	lib_forget_pid "$pid"
	return "$rc"
}
