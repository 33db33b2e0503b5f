#!/usr/bin/env bash
#
# test-ike-relay.sh: IKE on tunneld's NAT-T port, relayed to and from a
# key daemon over the relay socket (lib/ikerelay.h). Two namespaces on
# one link, gw A (203.0.113.1) running tunneld, peer B (203.0.113.2);
# a small Python client stands in for ikd.
#
# - the relay socket "<PF_KEY socket>.ike" exists with mode 0600;
# - B sends the non-ESP marker and an IKE message from port 45000 to
#   A:4500: the client (root) gets it verbatim behind a header naming
#   203.0.113.1[4500] and 203.0.113.2[45000];
# - the client's answer and a NAT keepalive leave A from port 4500 and
#   reach B as they were sent; two bad datagrams of the client (an IKE
#   message shorter than its header, a source port other than 4500) are
#   refused: B gets nothing more, ike_relay_bad counts 2;
# - with no client, IKE counts as ike_not_relayed;
# - a newer client replaces an older one, whose connection tunneld
#   closes; a client that is not root (the socket opened up for it) is
#   refused by tunneld's credential check;
# - SIGTERM: tunneld exits 0 and removes the relay socket.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init ike-relay
PY=/usr/bin/python3
[[ -x $PY ]] || die "missing $PY: run tests/install-deps.sh"

A=203.0.113.1
B=203.0.113.2
PEER_PORT=45000
NOBODY=65534

cat >"$WORK/relay.py" <<'EOF'
"""A stand-in for ikd on tunneld's IKE relay socket, and the IKE peer.

  relay.py client SOCK PEER_PORT   get one IKE message, answer it, send a
                                   keepalive and two bad datagrams
  relay.py peer PEER_PORT          send IKE to A:4500, expect the answer
                                   and the keepalive from A:4500 only
  relay.py send PEER_PORT          send IKE to A:4500 once
  relay.py hold SOCK SECONDS [UID] connect (as UID), print "eof" when
                                   tunneld closes, "open" after SECONDS
"""
import ipaddress
import os
import select
import socket
import struct
import sys
import time

A, B, NATT = "203.0.113.1", "203.0.113.2", 4500
MARKER = bytes(4)


def ike(exchange, flags, body):
    """The marker and an IKE message: SPIs, version 2.0, length."""
    hdr = bytes.fromhex("8a3f11d2c4e5f607") + bytes(8)
    hdr += bytes([0, 0x20, exchange, flags]) + struct.pack(">II", 0, 28 + len(body))
    return MARKER + hdr + body


REQUEST = ike(34, 0x08, b"relay test request")
REPLY = ike(34, 0x20, b"relay test response, longer")


def slot(a):
    return a.packed + bytes(16 - len(a.packed))


def encode(local, lport, remote, rport, payload):
    l, r = ipaddress.ip_address(local), ipaddress.ip_address(remote)
    return struct.pack(">BBHHH", 1, l.version, 0, lport, rport) + slot(l) + slot(r) + payload


def decode(d):
    ver, fam, res, lport, rport = struct.unpack(">BBHHH", d[:8])
    n = 4 if fam == 4 else 16
    return (ver, fam, res, str(ipaddress.ip_address(d[8:8 + n])), lport,
            str(ipaddress.ip_address(d[24:24 + n])), rport, d[40:])


def die(msg):
    print("relay.py: " + msg, flush=True)
    sys.exit(1)


def wait(s, secs):
    r, _, _ = select.select([s], [], [], secs)
    return bool(r)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    print("connected", flush=True)
    return s


def client(path, peer_port):
    s = connect(path)
    if not wait(s, 8):
        die("no datagram from tunneld within 8 s")
    got = decode(s.recv(70000))
    want = (1, 4, 0, A, NATT, B, peer_port, REQUEST)
    if got != want:
        die("relayed %r, wanted %r" % (got, want))
    print("relayed: IKE %s[%d] -> %s[%d], %d bytes with the marker" %
          (B, peer_port, A, NATT, len(REQUEST)), flush=True)
    s.send(encode(A, NATT, B, peer_port, REPLY))
    s.send(encode(A, NATT, B, peer_port, b"\xff"))
    s.send(encode(A, NATT, B, peer_port, MARKER + bytes(27)))
    s.send(encode(A, 500, B, peer_port, REPLY))
    s.close()


def expect(s, payload, what):
    if not wait(s, 5):
        die("no %s from gw A within 5 s" % what)
    d, frm = s.recvfrom(70000)
    if frm != (A, NATT) or d != payload:
        die("%s: got %r from %r, wanted %r from %r" % (what, d, frm, payload, (A, NATT)))
    print("peer: %s from %s[%d], %d bytes" % (what, A, NATT, len(d)), flush=True)


def peer(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((B, port))
    s.sendto(REQUEST, (A, NATT))
    expect(s, REPLY, "the IKE answer")
    expect(s, b"\xff", "the keepalive")
    if wait(s, 0.5):
        d, frm = s.recvfrom(70000)
        die("unexpected %r from %r" % (d, frm))


def send(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((B, port))
    s.sendto(REQUEST, (A, NATT))


def hold(path, secs, uid=None):
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    s = connect(path)
    if wait(s, secs) and s.recv(70000) == b"":
        print("eof", flush=True)
    else:
        print("open", flush=True)


def main():
    mode = sys.argv[1]
    if mode == "client":
        client(sys.argv[2], int(sys.argv[3]))
    elif mode == "peer":
        peer(int(sys.argv[2]))
    elif mode == "send":
        send(int(sys.argv[2]))
    elif mode == "hold":
        hold(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
    else:
        die("unknown mode " + mode)


main()
EOF

# bg_py NAME args...: relay.py in namespace a in the background, output in
# $WORK/NAME.out; sets BG_PID.
bg_py() {
	local name=$1
	shift
	# ip netns exec execs: $! is the client's pid, the one tunneld logs.
	ip netns exec "$(ns_full a)" "$PY" "$WORK/relay.py" "$@" </dev/null \
		>"$WORK/$name.out" 2>&1 &
	BG_PID=$!
	LIB_PIDS+=("$BG_PID")
}

# bg_wait PID: its exit status, or 124 if it still runs 10 s on (then killed).
bg_wait() {
	local i rc=0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
		rc=124
	else
		wait "$1" 2>/dev/null || rc=$?
	fi
	lib_forget_pid "$1"
	return "$rc"
}

# log_count TEXT: lines of gw A's tunneld log containing TEXT.
log_count() {
	grep -cF -- "$1" "${TD_LOG[gwa]}" || true
}

# log_has N TEXT: TEXT is in at least N lines of gw A's tunneld log.
log_has() {
	[[ $(log_count "$2") -ge $1 ]]
}

# counter_is KEY VALUE: gw A's counter KEY is VALUE now.
# shellcheck disable=SC2317  # called through wait_for
counter_is() {
	[[ "$(td_counter a gwa "$1")" == "$2" ]]
}

# check_counter KEY WANT: KEY of setkey -s reaches WANT within 3 s.
check_counter() {
	if wait_for 3 counter_is "$1" "$2"; then
		pass "gw A: $1=$2"
	else
		fail "gw A: $1=$(td_counter a gwa "$1"), wanted $2"
	fi
}

ns_create a
ns_create b
for n in a b; do
	topo_sysctl "$n" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
veth_link a pub0 b pub0
topo_addr a pub0 "$A/24"
topo_addr b pub0 "$B/24"
start_tunneld a gwa -i gif0
RELAY=${TD_SOCK[gwa]}.ike
if [[ -S "$RELAY" && "$(stat -c %a "$RELAY")" == 600 ]]; then
	pass "relay socket $RELAY, mode 0600"
else
	fail "no relay socket $RELAY with mode 0600: $(ls -l "$RELAY" 2>&1)"
fi

# ---- both ways through the relay ----
bg_py client client "$RELAY" "$PEER_PORT"
cpid=$BG_PID
wait_for 5 log_has 1 "relay: key daemon uid 0 pid $cpid connected" ||
	die "tunneld did not log the client's connection; its log: $(tail -5 "${TD_LOG[gwa]}")"
expect_rc 0 "peer B: IKE to A:4500 from port $PEER_PORT, the answer and a keepalive back" \
	ns_exec b timeout 15 "$PY" "$WORK/relay.py" peer "$PEER_PORT" || true
rc=0
bg_wait "$cpid" || rc=$?
if [[ $rc -eq 0 ]] && grep -q '^relayed: ' "$WORK/client.out"; then
	pass "client: $(grep '^relayed: ' "$WORK/client.out")"
else
	fail "client (exit $rc):"
	sed 's/^/    | /' "$WORK/client.out" >&2
fi
check_counter ike_relayed 1
check_counter ike_relay_tx 2
check_counter ike_relay_bad 2
check_counter ike_not_relayed 0

# ---- no client: counted and dropped ----
wait_for 5 log_has 1 "pid $cpid: connection closed" ||
	fail "tunneld did not notice the client leave"
expect_rc 0 "peer B: IKE to A:4500 with no client" \
	ns_exec b timeout 10 "$PY" "$WORK/relay.py" send "$PEER_PORT" || true
check_counter ike_not_relayed 1
check_counter ike_relayed 1

# ---- the newer client wins; others are refused ----
bg_py hold1 hold "$RELAY" 6
p1=$BG_PID
wait_for 5 log_has 1 "pid $p1 connected" || fail "first holding client not connected"
bg_py hold2 hold "$RELAY" 1.5
p2=$BG_PID
rc1=0 rc2=0
bg_wait "$p1" || rc1=$?
bg_wait "$p2" || rc2=$?
if [[ $rc1 -eq 0 && "$(tail -1 "$WORK/hold1.out")" == eof &&
	$rc2 -eq 0 && "$(tail -1 "$WORK/hold2.out")" == open ]] &&
	log_has 1 "pid $p1: connection closed: a newer connection takes over"; then
	pass "a second client takes over; tunneld closes the first"
else
	fail "takeover: first client: $(tr '\n' ' ' <"$WORK/hold1.out") (exit $rc1)," \
		"second: $(tr '\n' ' ' <"$WORK/hold2.out") (exit $rc2)"
fi
chmod 0711 "$WORK" "$(dirname "$RELAY")"
chmod 0666 "$RELAY"
bg_py nobody hold "$RELAY" 3 "$NOBODY"
rc=0
bg_wait "$BG_PID" || rc=$?
chmod 0600 "$RELAY"
chmod 0700 "$WORK" "$(dirname "$RELAY")"
if [[ $rc -eq 0 && "$(tail -1 "$WORK/nobody.out")" == eof ]] &&
	log_has 1 "relay: uid $NOBODY pid"; then
	pass "uid $NOBODY (socket opened up for it) is refused by tunneld's credential check"
else
	fail "uid $NOBODY client: $(tr '\n' ' ' <"$WORK/nobody.out") (exit $rc)"
fi

# ---- a clean exit removes the socket ----
rc=0
stop_tunneld gwa || rc=$?
if [[ $rc -eq 0 && ! -e "$RELAY" && ! -e "${TD_SOCK[gwa]}" ]]; then
	pass "SIGTERM: tunneld exits 0 and removes both sockets"
else
	fail "SIGTERM: exit $rc; left: $(find "$(dirname "$RELAY")" 2>&1 | tr '\n' ' ')"
fi
lib_finish
