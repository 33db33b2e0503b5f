#!/usr/bin/env bash
#
# test-interop-strongswan.sh: our gateway (tunneld + ikd) against a stock
# strongSwan charon (Debian's, userspace ESP through kernel-libipsec, which
# always encapsulates ESP in UDP 4500 and fakes a NAT to get there).
# Gateway A runs ours with direct subnet policies, gateway B charon with
# the mirror child. Each scenario checks a ping both ways, and the first
# ones an iperf3 TCP transfer and a capture on the public link that may
# hold only IKE and ESP-in-UDP:
#   - we initiate (the first ping), charon responds; then the reverse;
#   - the proposal matrix: IKE AES-GCM-16 / AES-CBC+HMAC-SHA2 /
#     ChaCha20-Poly1305 with Curve25519 / P-256 / MODP-2048, ESP
#     AES-GCM-16 128 and 256, ChaCha20-Poly1305, AES-CBC + HMAC-SHA2-256;
#   - DELETE from either side;
#   - mismatches that must fail cleanly with a clear line in ikd's log:
#     a wrong PSK, no common proposal, selectors that fit no policy.
# Rekeys, DPD and NAT against charon: test-interop-rekey.sh.
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns-scripts/strongswan.sh
. "$(dirname "$0")/strongswan.sh"
lib_init interop-strongswan
ss_available || die "strongSwan is not installed: run tests/install-deps.sh"
command -v iperf3 >/dev/null || die "missing iperf3: run tests/install-deps.sh"

PSK_HEX=0x696e7465726f702d7365637265742d6f662d74686520746573742d3031
topo_create v4
start_tunneld ga gwa -i gif0
topo_wait_link ga gif0
ns_exec ga ip route add 10.2.0.0/24 dev gif0 || die "route on gw A"
cat >"$WORK/spd-a.conf" <<'POL'
spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec esp/tunnel/203.0.113.1-203.0.113.2/require;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec esp/tunnel/203.0.113.2-203.0.113.1/require;
POL
run_setkey ga gwa -f "$WORK/spd-a.conf" || die "setkey on gw A"
write_psk "$WORK/psk-a.txt" "203.0.113.2 $PSK_HEX"

# ikd_start [EXTRA]: (re)starts ikd on gw A with the default configuration plus EXTRA.
ikd_start() {
	stop_ikd ika || true
	ikd_conf ika "$WORK/psk-a.txt" "${1:-}"
	start_ikd ga ika gwa "$WORK/ika.conf" || die "ikd on gw A did not start"
}

# ss_setup ESP [IKE]: charon on gw B with ESP proposal ESP and IKE proposals IKE.
ss_setup() {
	[[ -n "${SS_PID[ssb]:-}" ]] && ss_stop ssb
	SS_PROPOSALS=${2:-default} ss_render ssb 203.0.113.2 203.0.113.1 10.2.0.0/24 \
		10.1.0.0/24 "$1" "$PSK_HEX"
	ss_start gb ssb
	ss_load ssb
}

# pings: both ways, recorded as checks named after scenario $1.
pings() {
	expect_rc 0 "$1: host A pings host B" ns_exec ha ping -c 3 -i 0.2 -W 3 10.2.0.10 || true
	expect_rc 0 "$1: host B pings host A" ns_exec hb ping -c 3 -i 0.2 -W 3 10.1.0.10 || true
}

# our_child: "enc-alg bits" of the Child SA ikdctl lists, or nothing.
our_child() {
	run_ikdctl ga ika list 2>/dev/null | awk '$1 == "esp" { $1 = ""; print; exit }'
}

# ---- we initiate, charon responds (our default proposals, charon's) ----
ss_setup aes256gcm16
ikd_start
capture_start ga pub0 init
expect_rc 0 "we initiate: the first ping negotiates with charon" \
	ns_exec ha ping -c 1 -W 5 10.2.0.10 || true
pings "we initiate"
iperf_pair ha hb 10.2.0.10 3 || true
capture_stop init
check_only_esp_ike init 10
ss_child_up ssb net && pass "we initiate: charon lists the CHILD SA installed" ||
	fail "we initiate: charon has no installed CHILD SA"
run_setkey ga gwa -D | grep -q 'esp-udp mode=tunnel' &&
	pass "we initiate: our SAs are UDP-encapsulated, as charon's fake NAT demands" ||
	fail "we initiate: our SAs are not esp-udp"

# ---- DELETE from our side ----
expect_rc 0 "ikdctl terminate 203.0.113.2" run_ikdctl ga ika terminate 203.0.113.2 || true
gone=0
for ((i = 0; i < 50; i++)); do
	ss_child_up ssb net || { gone=1; break; }
	sleep 0.1
done
[[ $gone -eq 1 ]] && pass "our DELETE: charon removed its CHILD SA" ||
	fail "our DELETE: charon still has its CHILD SA"

# ---- charon initiates, we respond ----
capture_start ga pub0 resp
ss_initiate_ok=1
ss_swanctl ssb --initiate --child net --timeout 10 >"$WORK/ss-init.out" 2>&1 || ss_initiate_ok=0
[[ $ss_initiate_ok -eq 1 ]] && pass "charon initiates: swanctl --initiate succeeds" || {
	fail "charon initiates: swanctl --initiate failed"
	tail -20 "$WORK/ss-init.out" | sed 's/^/    | /' >&2
	tail -20 "${IKD_LOG[ika]}" | sed 's/^/    | /' >&2
}
pings "charon initiates"
iperf_pair hb ha 10.1.0.10 3 || true
capture_stop resp
check_only_esp_ike resp 10

# ---- DELETE from charon's side ----
ss_swanctl ssb --terminate --ike gw --timeout 10 >/dev/null 2>&1 || true
gone=0
for ((i = 0; i < 50; i++)); do
	[[ $(run_setkey ga gwa -D | grep -c 'mode=tunnel') -eq 0 ]] && { gone=1; break; }
	sleep 0.1
done
[[ $gone -eq 1 ]] && pass "charon's DELETE: our SAs are gone" ||
	fail "charon's DELETE: our SAs are still there"

# ---- the proposal matrix, each cell from a different side ----
# cell: who initiates | our IKE proposal block | charon's IKE | ESP ours | ESP charon | expect
cells=(
"ours|encryption_algorithm aes_gcm_16 256; hash_algorithm sha256; dh_group curve25519;|aes256gcm16-prfsha256-curve25519|aes_gcm_16 128|aes128gcm16|aes-gcm-16 128"
"charon|encryption_algorithm aes 256; hash_algorithm sha256; dh_group ecp256;|aes256-sha256-ecp256|aes_gcm_16 256|aes256gcm16|aes-gcm-16 256"
"ours|encryption_algorithm chacha20_poly1305; hash_algorithm sha256; dh_group modp2048;|chacha20poly1305-prfsha256-modp2048|chacha20_poly1305|chacha20poly1305|chacha20-poly1305"
"charon|encryption_algorithm aes_gcm_16 128; hash_algorithm sha384; dh_group curve25519;|aes128gcm16-prfsha384-curve25519|aes 128; authentication_algorithm hmac_sha256|aes128-sha256|aes-cbc 128/hmac-sha256"
)
for cell in "${cells[@]}"; do
	IFS='|' read -r who ours_ike ss_ike ours_esp ss_esp want <<<"$cell"
	name="$who initiates, IKE $ss_ike, ESP $ss_esp"
	ss_setup "$ss_esp" "$ss_ike"
	ikd_start "remote anonymous { proposal { $ours_ike } }
sainfo anonymous { encryption_algorithm $ours_esp; }"
	if [[ $who == ours ]]; then
		ns_exec ha ping -c 1 -W 5 10.2.0.10 >/dev/null 2>&1 || true
	else
		ss_swanctl ssb --initiate --child net --timeout 10 >"$WORK/ss-init.out" 2>&1 || true
	fi
	pings "$name"
	got=$(our_child)
	if [[ "$got" == *"$want"* ]]; then
		pass "$name: ikdctl lists ESP $got"
	else
		fail "$name: ikdctl lists ESP '$got', want '$want'"
		tail -8 "${IKD_LOG[ika]}" | sed 's/^/    | /' >&2
	fi
done

# ---- mismatches: no SA, and a clear line in our log ----
# expect_log WHAT PATTERN: the current ikd log has a line matching PATTERN.
expect_log() {
	if grep -qE "$2" "${IKD_LOG[ika]}"; then
		pass "$1: our log says so: $(grep -E "$2" "${IKD_LOG[ika]}" | tail -1 | cut -c1-110)"
	else
		fail "$1: no line matching '$2' in our log:"
		tail -8 "${IKD_LOG[ika]}" | sed 's/^/    | /' >&2
	fi
}
ss_setup aes256gcm16
ikd_start
SS_PROPOSALS=default ss_render ssb 203.0.113.2 203.0.113.1 10.2.0.0/24 10.1.0.0/24 \
	aes256gcm16 0x77726f6e67
ss_load ssb
expect_rc nonzero "wrong PSK: no tunnel" ns_exec ha ping -c 1 -W 4 10.2.0.10 || true
expect_log "wrong PSK" "203.0.113.2.*authentication failed|authentication failed.*203.0.113.2"

ss_setup aes256gcm16 3des-sha1-modp1024
ikd_start
ss_swanctl ssb --initiate --child net --timeout 5 >/dev/null 2>&1 &&
	fail "no common proposal: charon's initiate succeeded" ||
	pass "no common proposal: charon's initiate fails"
expect_log "no common proposal" "no IKE proposal chosen|NO_PROPOSAL_CHOSEN"

ss_stop ssb
SS_PROPOSALS=default ss_render ssb 203.0.113.2 203.0.113.1 10.9.0.0/24 10.1.0.0/24 \
	aes256gcm16 "$PSK_HEX"
ss_start gb ssb
ss_load ssb
ikd_start
ss_swanctl ssb --initiate --child net --timeout 5 >/dev/null 2>&1 &&
	fail "selectors that fit no policy: charon's initiate succeeded" ||
	pass "selectors that fit no policy: charon's initiate fails"
expect_log "selectors that fit no policy" "TS_UNACCEPTABLE|selectors"
[[ $(run_setkey ga gwa -D | grep -c 'mode=tunnel') -eq 0 ]] &&
	pass "mismatches left no SA in our tunneld" || fail "a mismatch left SAs in our tunneld"

lib_finish
