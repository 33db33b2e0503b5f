#!/usr/bin/env bash
#
# test-handbook-esp.sh: the FreeBSD handbook's two-site VPN. tunneld is
# the gif tunnel (-L/-R) on both gateways and conf/manual-keys.conf.gw-a
# and -gw-b are loaded: their ipencap policies put the gif traffic in
# ESP (AES-CBC + HMAC-SHA2-256, unique:102/202). Pings both ways and an
# iperf3 TCP transfer from host A to host B work, and the public link
# carries ESP only: no ICMP echo, no IPIP, no TCP or UDP in the clear.
# (ICMP errors about ESP packets are tolerated and counted: they carry
# ciphertext only. The kernel sends a few "protocol 50 unreachable" under
# load even though tunneld's raw socket receives ESP.)
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init handbook-esp
command -v iperf3 >/dev/null || die "missing iperf3: run tests/install-deps.sh"

topo_create v4
topo_tunneld gif
expect_rc 0 "gw A: setkey -f conf/manual-keys.conf.gw-a" \
	run_setkey ga gwa -f "$REPO/conf/manual-keys.conf.gw-a" || true
expect_rc 0 "gw B: setkey -f conf/manual-keys.conf.gw-b" \
	run_setkey gb gwb -f "$REPO/conf/manual-keys.conf.gw-b" || true

capture_start ga pub0 pub
expect_rc 0 "host A pings host B (gif in ESP)" \
	ns_exec ha ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "host B pings host A (gif in ESP)" \
	ns_exec hb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
iperf_pair ha hb 10.2.0.10 3
capture_stop pub

check_only_esp pub 12
expect_rc 0 "gw A: setkey -s" td_stats ga gwa || true
printf '%s\n' "$OUT" | sed 's/^/    | /'
lib_finish
