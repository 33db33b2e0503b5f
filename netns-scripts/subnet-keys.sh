# shellcheck shell=bash
#
# netns-scripts/subnet-keys.sh: sourced by the data path tests. write_subnet_keys
# DIR writes DIR/subnet-keys.gw-a and DIR/subnet-keys.gw-b: direct subnet
# policies (10.1.0.0/24 <-> 10.2.0.0/24, ESP tunnel between 203.0.113.1 and
# 203.0.113.2, no gif layer) bound with unique:N to hand-made SAs, one per
# direction and of different kinds: AES-GCM-16 from A to B, AES-CBC with
# HMAC-SHA2-256 from B to A. The keys are the published examples of
# conf/manual-keys.conf.*: test use only.

write_subnet_keys() {
	local sas
	sas='flush;
spdflush;
add 203.0.113.1 203.0.113.2 esp 0x00001001 -m tunnel -u 101 -r 128
	-E aes-gcm-16 0xe31fdb9b6b410fabdd9caa5e21d622c2be3ed4cfd283448e60194fc44f1f2464f62a0d48;
add 203.0.113.2 203.0.113.1 esp 0x00002002 -m tunnel -u 202
	-E aes-cbc 0xede03ba000c6cc46dc2b1059ed44870a
	-A hmac-sha256 0x2b51d03a37ddc3910281fe71df8ce679e21c06aa8466179904d95c348c10b054;
'
	printf '%s%s' "$sas" '
spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec
	esp/tunnel/203.0.113.1-203.0.113.2/unique:101;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec
	esp/tunnel/203.0.113.2-203.0.113.1/unique:202;
' >"$1/subnet-keys.gw-a"
	printf '%s%s' "$sas" '
spdadd 10.2.0.0/24 10.1.0.0/24 any -P out ipsec
	esp/tunnel/203.0.113.2-203.0.113.1/unique:202;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P in ipsec
	esp/tunnel/203.0.113.1-203.0.113.2/unique:101;
' >"$1/subnet-keys.gw-b"
}

# subnet_esp_setup: the handbook topology, tunneld on both gateways without
# the gif layer, and the keys above loaded (a failure stops the test).
subnet_esp_setup() {
	topo_create v4
	topo_tunneld direct
	write_subnet_keys "$WORK"
	expect_rc 0 "gw A: setkey -f (AES-GCM-16 out, AES-CBC + HMAC-SHA2-256 in)" \
		run_setkey ga gwa -f "$WORK/subnet-keys.gw-a" || die "gw A refused its keys"
	expect_rc 0 "gw B: setkey -f (the mirror)" \
		run_setkey gb gwb -f "$WORK/subnet-keys.gw-b" || die "gw B refused its keys"
}
