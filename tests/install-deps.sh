#!/usr/bin/env bash
#
# Installs what building and testing the gateway needs on Debian 12.
# Idempotent: when every package is already installed it does nothing
# (set FORCE=1 to run apt anyway). Works without a terminal (CI=true,
# no stdin). Needs root only when something is missing.
#
#   tests/install-deps.sh           install what is missing
#   FORCE=1 tests/install-deps.sh   apt-get update + install regardless
#   tests/install-deps.sh --check   exit 1 if something is missing, install nothing
#
set -euo pipefail

# Why each package is here:
#   build-essential meson ninja-build pkg-config    the build (gcc, meson >= 0.63)
#   clang libclang-rt-14-dev                        the fuzz build: libFuzzer and the
#                                                   ASan/UBSan runtimes of clang 14
#   libssl-dev libsodium-dev libevent-dev           the programs' libraries
#   libcmocka-dev                                   unit tests
#   iproute2 util-linux                             netns tests: ip netns/link, setpriv
#   nftables tcpdump iperf3 python3 python3-scapy   netns tests of the data path: filters,
#   python3-cryptography                            independent key-derivation checks
#                                                   captures, throughput, independent ESP
#   ethtool                                         the benchmark: veth offloads off
#   strongswan-charon strongswan-swanctl            interop tests and benchmarks against
#   libcharon-extra-plugins                         strongSwan (userspace ESP: kernel-libipsec)
packages=(
	build-essential meson ninja-build pkg-config
	clang libclang-rt-14-dev
	libssl-dev libsodium-dev libevent-dev
	libcmocka-dev
	iproute2 util-linux
	nftables tcpdump iperf3 python3 python3-scapy python3-cryptography
	ethtool
	strongswan-charon strongswan-swanctl libcharon-extra-plugins
)

check_only=0
case "${1:-}" in
--check)	check_only=1 ;;
"")		;;
*)		echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# Prints the packages of the list that dpkg does not report as installed.
missing_packages() {
	local p status
	for p in "${packages[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		if [[ "$status" != ii* ]]; then
			printf '%s\n' "$p"
		fi
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: dpkg-query not found: this script supports Debian 12 only" >&2
	exit 1
fi

mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -eq 0 && "${FORCE:-0}" != 1 ]]; then
	echo "install-deps: all ${#packages[@]} packages already installed"
	exit 0
fi
if [[ $check_only -eq 1 ]]; then
	echo "install-deps: missing: ${missing[*]}" >&2
	exit 1
fi

# apt must run as root; use sudo only if it works without a password prompt.
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo_cmd=(sudo -n)
	else
		echo "install-deps: missing packages: ${missing[*]}" >&2
		echo "install-deps: run as root (sudo tests/install-deps.sh) to install them" >&2
		exit 1
	fi
fi

echo "install-deps: installing: ${missing[*]:-(FORCE) ${packages[*]}}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${packages[@]}" </dev/null

mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -ne 0 ]]; then
	echo "install-deps: still missing after apt-get install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: done"
