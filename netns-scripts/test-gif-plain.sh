#!/usr/bin/env bash
#
# test-gif-plain.sh: tunneld as a plain gif tunnel, no policies loaded:
# the handbook topology with "tunneld -i gif0 -L <own public> -R <peer's
# public>" on both gateways and no setkey. Host A pings host B, and the
# public link carries the pings as IPv4-in-IPv4 (protocol 4): no ESP,
# no bare ICMP between the inside addresses.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init gif-plain

topo_create v4
topo_tunneld gif
capture_start ga pub0 pub
expect_rc 0 "host A pings host B through the gif tunnel" \
	ns_exec ha ping -c 3 -i 0.2 -W 2 10.2.0.10 || true
expect_rc 0 "host B pings host A through the gif tunnel" \
	ns_exec hb ping -c 3 -i 0.2 -W 2 10.1.0.10 || true
capture_stop pub

ipip=$(capture_count pub 'ip proto 4')
esp=$(capture_count pub 'ip proto 50')
bare=$(capture_count pub 'icmp and host 10.2.0.10')
if [[ $ipip -ge 12 && $esp -eq 0 && $bare -eq 0 ]]; then
	pass "public link: $ipip IPIP packets, no ESP, no bare inside ICMP"
else
	fail "public link: $ipip IPIP (want >= 12), $esp ESP, $bare bare ICMP (want 0); first packets:"
	capture_show pub
fi
lib_finish
