#!/usr/bin/env bash
#
# test-setkey-load.sh: the conf/ examples load into tunneld and read back.
#
# - "setkey -n -f" accepts every conf/ file with no daemon running;
# - for each conf/ file, a fresh tunneld in the gateway's namespace loads
#   it with "setkey -f", and "setkey -D" / "setkey -DP" match the golden
#   dumps in tests/golden-netns/<file>.sad / <file>.spd (dates and pids
#   normalized, everything else byte for byte); tunneld exits 0 on SIGTERM;
# - "setkey -c" (stdin) loads the same state as "-f";
# - "-F" empties the SAD only, "-FP" the SPD;
# - a file with an error on its last line (a syntax error, or a command
#   tunneld refuses) fails with file:line and leaves both databases empty;
# - a non-root client cannot change anything, whether the socket's mode
#   stops it or, with the socket opened up, tunneld's credential check;
#   and what it may read never includes key bytes.
#
# GOLDEN_UPDATE=1 writes the golden files from this run's dumps instead
# of comparing (review the result with git diff before committing).
#
set -euo pipefail
# shellcheck source=netns-scripts/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init setkey-load

GOLDEN=$REPO/tests/golden-netns
CONF=$REPO/conf
NOBODY=65534
declare -A GOLDEN_WRITTEN=()

# dump_is NS NAME FLAG WANT: "setkey FLAG" succeeds and prints exactly WANT.
dump_is() {
	local ns=$1 name=$2 flag=$3 want=$4 out rc=0
	out=$(run_setkey "$ns" "$name" "$flag" 2>&1) || rc=$?
	if [[ $rc -eq 0 && "$out" == "$want" ]]; then
		pass "$name: setkey $flag prints '$want'"
	else
		fail "$name: setkey $flag: exit $rc, wanted 0 and '$want'; got:"
		printf '%s\n' "$out" | head -20 | sed 's/^/    | /' >&2
	fi
}

# dump_matches NS NAME FLAG GOLDEN: "setkey FLAG" succeeds and its
# normalized output equals the golden file.
dump_matches() {
	local ns=$1 name=$2 flag=$3 golden=$4 raw norm rc=0
	raw="$WORK/$name$flag.raw"
	norm="$WORK/$name$flag.out"
	run_setkey "$ns" "$name" "$flag" >"$raw" 2>"$raw.err" || rc=$?
	normalize_dump <"$raw" >"$norm"
	if [[ $rc -ne 0 ]]; then
		fail "$name: setkey $flag exited $rc; stderr:"
		sed 's/^/    | /' "$raw.err" >&2
		return 0
	fi
	# Update mode writes each golden file once, from its first dump;
	# later dumps of the same state are compared with it as usual.
	if [[ "${GOLDEN_UPDATE:-0}" == 1 && -z "${GOLDEN_WRITTEN[$golden]:-}" ]]; then
		install -m 0644 "$norm" "$golden"
		GOLDEN_WRITTEN[$golden]=1
		say "wrote $golden"
		return 0
	fi
	if [[ ! -f "$golden" ]]; then
		fail "$name: no golden file $golden (GOLDEN_UPDATE=1 writes it); dump:"
		sed 's/^/    | /' "$norm" >&2
	elif diff -u "$golden" "$norm" >"$WORK/$name$flag.diff"; then
		pass "$name: setkey $flag matches $(basename "$golden")"
	else
		fail "$name: setkey $flag differs from $golden:"
		sed 's/^/    | /' "$WORK/$name$flag.diff" >&2
	fi
}

# both_empty NS NAME: the SAD and the SPD of tunneld NAME are empty.
both_empty() {
	dump_is "$1" "$2" -D "No SAD entries."
	dump_is "$1" "$2" -DP "No SPD entries."
}

# stop_clean NAME: tunneld NAME exits with status 0 on SIGTERM.
stop_clean() {
	local rc=0
	stop_tunneld "$1" || rc=$?
	if [[ $rc -eq 0 ]]; then
		pass "$1: tunneld exits 0 on SIGTERM"
	else
		fail "$1: tunneld exit status $rc on SIGTERM (124: killed after 5 s); log:"
		sed 's/^/    | /' "${TD_LOG[$1]}" >&2
	fi
}

# regex_quote STRING: STRING with the ERE metacharacters escaped.
regex_quote() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# has_position FILE LINE: $OUT names FILE:LINE:COL: (a column number).
has_position() {
	local re
	re="$(regex_quote "$1"):$2:[0-9]+:"
	if grep -qE "$re" <<<"$OUT"; then
		pass "error names $(basename "$1"):$2:col"
	else
		fail "error does not name $1:$2:<col>:; output:"
		printf '%s\n' "$OUT" | head -20 | sed 's/^/    | /' >&2
	fi
}

# has_line FILE LINE: $OUT names FILE:LINE (a refusal may have no column).
has_line() {
	local re
	re="$(regex_quote "$1"):$2:"
	if grep -qE "$re" <<<"$OUT"; then
		pass "refusal names $(basename "$1"):$2"
	else
		fail "refusal does not name $1:$2:; output:"
		printf '%s\n' "$OUT" | head -20 | sed 's/^/    | /' >&2
	fi
}

# as_nobody NS NAME args...: setkey as uid/gid 65534 with no groups. It
# runs a copy of setkey from $WORK/pub, which that user can reach even
# when the build tree is under a private home directory.
# shellcheck disable=SC2317  # called through expect_rc
as_nobody() {
	local ns=$1 name=$2
	shift 2
	ns_exec "$ns" setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups -- \
		timeout --kill-after=5 "$SETKEY_TIMEOUT" "$WORK/pub/setkey" \
		-S "${TD_SOCK[$name]}" "$@"
}

mapfile -t conf_files < <(cd "$CONF" && ls -- *.conf.gw-a *.conf.gw-b)
[[ ${#conf_files[@]} -eq 6 ]] || die "expected 6 conf/*.conf.gw-[ab] files, found ${#conf_files[@]}"

# 1. Parse only, no daemon: -n must not need (or touch) a socket.
for f in "${conf_files[@]}"; do
	expect_rc 0 "setkey -n -f $f with no daemon" \
		env TUNNELD_SOCKET="$WORK/none/pfkey" "$SETKEY" -n -f "$CONF/$f" || true
done
[[ ! -e "$WORK/none" ]] || fail "setkey -n created $WORK/none"

# 2. Each file into a fresh tunneld of its gateway; dumps against golden.
ns_create a
ns_create b
for f in "${conf_files[@]}"; do
	side=${f##*-}
	name="$side-${f%%.*}"
	start_tunneld "$side" "$name" -n
	both_empty "$side" "$name"
	expect_rc 0 "$name: setkey -f $f" run_setkey "$side" "$name" -f "$CONF/$f" || true
	dump_matches "$side" "$name" -D "$GOLDEN/$f.sad"
	dump_matches "$side" "$name" -DP "$GOLDEN/$f.spd"
	stop_clean "$name"
done

# 3. The same file through stdin (-c) gives the same state; then flushes.
keys=manual-keys.conf.gw-a
start_tunneld a stdin -n
expect_rc 0 "stdin: setkey -c < $keys" run_setkey a stdin -c <"$CONF/$keys" || true
dump_matches a stdin -D "$GOLDEN/$keys.sad"
dump_matches a stdin -DP "$GOLDEN/$keys.spd"
expect_rc 0 "stdin: setkey -F" run_setkey a stdin -F || true
dump_is a stdin -D "No SAD entries."
dump_matches a stdin -DP "$GOLDEN/$keys.spd"
expect_rc 0 "stdin: setkey -FP" run_setkey a stdin -FP || true
both_empty a stdin

# 4. An error on the last line: nothing applied, file:line reported.
bad_syntax="$WORK/bad-syntax.conf"
cp "$CONF/$keys" "$bad_syntax"
# A 16-bit key for aes-gcm-16, which takes 160, 224 or 288 bits.
echo 'add 203.0.113.1 203.0.113.2 esp 0x00003001 -m tunnel -E aes-gcm-16 0x0011;' \
	>>"$bad_syntax"
n=$(wc -l <"$bad_syntax")
expect_rc nonzero "setkey -n -f: bad key length on the last line" \
	env TUNNELD_SOCKET="$WORK/none/pfkey" "$SETKEY" -n -f "$bad_syntax" || true
has_position "$bad_syntax" "$n"
expect_rc nonzero "stdin: setkey -f: bad key length on the last line" \
	run_setkey a stdin -f "$bad_syntax" || true
has_position "$bad_syntax" "$n"
both_empty a stdin
expect_rc nonzero "stdin: setkey -c: bad key length on the last line" \
	run_setkey a stdin -c <"$bad_syntax" || true
both_empty a stdin

bad_refused="$WORK/bad-refused.conf"
cp "$CONF/$keys" "$bad_refused"
# Valid syntax, but no such SA: tunneld answers ENOENT after the adds above.
echo 'delete 203.0.113.1 203.0.113.2 esp 0x00009999;' >>"$bad_refused"
n=$(wc -l <"$bad_refused")
expect_rc 0 "setkey -n -f: a delete of a missing SA parses" \
	env TUNNELD_SOCKET="$WORK/none/pfkey" "$SETKEY" -n -f "$bad_refused" || true
expect_rc nonzero "stdin: setkey -f: last command refused by tunneld" \
	run_setkey a stdin -f "$bad_refused" || true
has_line "$bad_refused" "$n"
both_empty a stdin
stop_clean stdin

# 5. A non-root client changes nothing. $WORK becomes searchable (not
# readable) by others for $WORK/pub; the socket's directory stays 0700.
chmod 0711 "$WORK"
install -d -m 0755 "$WORK/pub"
install -m 0755 "$SETKEY" "$WORK/pub/setkey"
install -m 0644 "$CONF/subnet.conf.gw-a" "$WORK/pub/subnet.conf"
start_tunneld a perm -n
expect_rc 0 "perm: setkey -f $keys" run_setkey a perm -f "$CONF/$keys" || true
expect_rc nonzero "perm: uid $NOBODY setkey -F with the socket mode 0600" \
	as_nobody a perm -F || true
expect_rc nonzero "perm: uid $NOBODY setkey -FP with the socket mode 0600" \
	as_nobody a perm -FP || true
dump_matches a perm -D "$GOLDEN/$keys.sad"
dump_matches a perm -DP "$GOLDEN/$keys.spd"
# Open the socket's directory and the socket so that only tunneld's
# SO_PEERCRED check stands between uid 65534 and the databases.
chmod 0711 "$(dirname "${TD_SOCK[perm]}")"
chmod 0666 "${TD_SOCK[perm]}"
expect_rc nonzero "perm: uid $NOBODY setkey -F refused by tunneld" as_nobody a perm -F || true
if grep -qiE 'not permitted|permission denied' <<<"$OUT"; then
	pass "perm: the refusal says why"
else
	fail "perm: the refusal does not say 'not permitted' or 'permission denied'"
fi
expect_rc nonzero "perm: uid $NOBODY setkey -FP refused by tunneld" as_nobody a perm -FP || true
expect_rc nonzero "perm: uid $NOBODY setkey -f refused by tunneld" \
	as_nobody a perm -f "$WORK/pub/subnet.conf" || true
# Reading may be allowed, but never the keys: no 8 hex digits of any key
# of the file may appear in what uid 65534 gets.
rc=0
OUT=$(as_nobody a perm -D 2>&1) || rc=$?
mapfile -t key_heads < <(grep -oE '0x[0-9a-f]{32,}' "$CONF/$keys" | cut -c3-10)
[[ ${#key_heads[@]} -eq 6 ]] || fail "expected 6 keys in $keys, found ${#key_heads[@]}"
if grep -qF -f <(printf '%s\n' "${key_heads[@]}") <<<"$OUT"; then
	fail "perm: uid $NOBODY sees key bytes with setkey -D"
else
	pass "perm: uid $NOBODY sees no key bytes with setkey -D (exit $rc)"
fi
dump_matches a perm -D "$GOLDEN/$keys.sad"
dump_matches a perm -DP "$GOLDEN/$keys.spd"
chmod 0700 "$WORK"
stop_clean perm

lib_finish
