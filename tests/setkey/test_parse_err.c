/*
 * test_parse_err.c: every diagnostic of the setkey parser with its exact
 * file:line:col, one test per case; then error recovery across
 * statements, and that keys never reach a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sk_test.h"

struct err_case {
	const char	*text;
	const char	*want;
};

static const struct err_case cases[] = {
	{ "42;",
	    "t.conf:1:1: expected a command, got '42'\n" },
	{ "bogus 1 2;",
	    "t.conf:1:1: unknown command 'bogus'\n" },
	{ "exit now;",
	    "t.conf:1:6: expected ';' after exit, got 'now'\n" },
	{ "flush",
	    "t.conf:1:6: expected ';' at the end of the command, got end of file\n" },
	{ "flush foo;",
	    "t.conf:1:7: expected a protocol (esp, esp-old, ah, ah-old, ipcomp, tcp"
	    " or esp-udp), got 'foo'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 0x1000 -E null -A hmac-sha1"
	    " \"01234567890123456789\" extra;",
	    "t.conf:1:76: expected ';' at the end of the command, got 'extra'\n" },
	{ "add fe80::1%eth0 fe80::2 esp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:5: source address 'fe80::1%eth0': scoped IPv6 addresses are"
	    " not supported\n" },
	{ "add gw.example.org 1.1.1.1 esp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:5: source address 'gw.example.org' is not a numeric address"
	    " (host names are not resolved)\n" },
	{ "add 1.1.1 2.2.2.2 esp 300 -E null -A hmac-sha1 \"01234567890123456789\";",
	    "t.conf:1:5: invalid source address '1.1.1'\n" },
	{ "add -4 1.1.1.1 ::1 esp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:16: destination address '::1' is not IPv4, as -4 requires\n" },
	{ "add -6 1.1.1.1 ::1 esp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:8: source address '1.1.1.1' is not IPv6, as -6 requires\n" },
	{ "add ; ",
	    "t.conf:1:5: expected source address, got ';'\n" },
	{ "add 1.1.1.1 2.2.2.2 foo 300;",
	    "t.conf:1:21: expected a protocol (esp, esp-old, ah, ah-old, ipcomp, tcp"
	    " or esp-udp), got 'foo'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 0x100000000 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:25: SPI too big (more than 32 bits)\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 4294967296 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:25: SPI too big (more than 32 bits)\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 0xzz -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:25: invalid SPI '0xzz'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp ; ",
	    "t.conf:1:25: expected an SPI, got ';'\n" },
	{ "add 1.1.1.1 2.2.2.2 ipcomp 0x10000 -C deflate;",
	    "t.conf:1:28: CPI 0x10000 too big for ipcomp (at most 0xffff)\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 255 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:25: SPI 255 is reserved: esp and ah SPIs start at 256\n" },
	{ "get 1.1.1.1 2.2.2.2 ah 0;",
	    "t.conf:1:24: SPI 0 is reserved: esp and ah SPIs start at 256\n" },
	{ "getspi 1.1.1.1 2.2.2.2 esp 12;",
	    "t.conf:1:28: SPI 12 is reserved: esp and ah SPIs start at 256\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E null 0x1234 -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:37: algorithm null takes no key\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E aes-cbc 0x1234;",
	    "t.conf:1:40: key for aes-cbc is 16 bits; aes-cbc takes 128, 192 or 256"
	    " bits\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E 3des-cbc \"short\";",
	    "t.conf:1:41: key for 3des-cbc is 40 bits; 3des-cbc takes 192 bits\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E blowfish-cbc \"abcd\";",
	    "t.conf:1:45: key for blowfish-cbc is 32 bits; blowfish-cbc takes 40 to"
	    " 448 bits\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E aes-cbc \"\";",
	    "t.conf:1:40: key for aes-cbc is 0 bits; aes-cbc takes 128, 192 or 256"
	    " bits\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E ;",
	    "t.conf:1:32: expected an encryption algorithm, got ';'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E aes-xyz 0x00;",
	    "t.conf:1:32: unknown encryption algorithm 'aes-xyz'\n" },
	{ "add 1.1.1.1 2.2.2.2 ah 300 -A sha3 0x00;",
	    "t.conf:1:31: unknown authentication algorithm 'sha3'\n" },
	{ "add 1.1.1.1 2.2.2.2 ipcomp 300 -C gzip;",
	    "t.conf:1:35: unknown compression algorithm 'gzip'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E aes-cbc;",
	    "t.conf:1:32: algorithm aes-cbc needs a key\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -m both -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:32: expected a mode (transport, tunnel or any), got 'both'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -f pad -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:32: expected a flag (zero-pad, random-pad, seq-pad or"
	    " nocyclic-seq), got 'pad'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -f zero-pad -f random-pad -E null -A"
	    " hmac-sha1 \"01234567890123456789\";",
	    "t.conf:1:44: only one padding flag may be given\n" },
	{ "getspi 1.1.1.1 2.2.2.2 esp 300 -r 4;",
	    "t.conf:1:32: -r is not allowed with getspi\n" },
	{ "delete 1.1.1.1 2.2.2.2 esp 300 -E null;",
	    "t.conf:1:32: -E is not allowed with delete\n" },
	{ "delete 1.1.1.1 2.2.2.2 esp 300 -m tunnel -u 4;",
	    "t.conf:1:32: warning: -m is obsolete with delete and ignored\n"
	    "t.conf:1:42: -u is not allowed with delete\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -m tunnel -m transport -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:39: -m given twice\n" },
	{ "add 1.1.1.1 2.2.2.2 ipcomp 300 -R -C deflate;",
	    "t.conf:1:32: -R must follow -C and its algorithm\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -ctx 1 1 \"label\" -E null;",
	    "t.conf:1:29: security contexts (-ctx) are not supported\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -x 1;",
	    "t.conf:1:29: unknown option '-x'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -r 536870912 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:32: replay window size 536870912 out of range (at most"
	    " 536870911)\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -u 16384 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:32: reqid 16384 out of range (at most 16383)\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -lh 99999999999999999999 -E null -A"
	    " hmac-sha1 \"01234567890123456789\";",
	    "t.conf:1:33: hard lifetime 99999999999999999999 out of range (at most"
	    " 18446744073709551615)\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -lh x;",
	    "t.conf:1:33: expected a number for the hard lifetime, got 'x'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300;",
	    "t.conf:1:1: esp needs an encryption algorithm (-E)\n" },
	{ "add 1.1.1.1 2.2.2.2 ah 300;",
	    "t.conf:1:1: ah needs an authentication algorithm (-A)\n" },
	{ "add 1.1.1.1 2.2.2.2 tcp 300 -A hmac-sha1 \"01234567890123456789\";",
	    "t.conf:1:1: tcp needs -A tcp-md5\n" },
	{ "add 1.1.1.1 2.2.2.2 ipcomp 300;",
	    "t.conf:1:1: ipcomp needs a compression algorithm (-C)\n" },
	{ "add 1.1.1.1 2.2.2.2 ah 300 -E aes-cbc \"0123456789abcdef\" -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:28: -E is not allowed with ah\n" },
	{ "add 1.1.1.1 2.2.2.2 ipcomp 300 -C deflate -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:43: -A is not allowed with ipcomp\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\" -C deflate;",
	    "t.conf:1:73: -C is only for ipcomp\n" },
	{ "add 1.1.1.1 2.2.2.2 ah 300 -A tcp-md5 \"x\";",
	    "t.conf:1:31: tcp-md5 is only for tcp\n" },
	{ "add 1.1.1.1 2.2.2.2 esp-old 300 -E des-cbc \"8 bytes!\" -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:55: esp-old takes no authentication algorithm\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E aes-gcm-16"
	    " 0x0102030405060708090a0b0c0d0e0f1011121314 -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:86: aes-gcm-16 is a combined-mode algorithm: -A is not"
	    " allowed\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E null;",
	    "t.conf:1:32: esp with null encryption needs an authentication"
	    " algorithm\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E null -A null;",
	    "t.conf:1:32: esp with null encryption needs an authentication"
	    " algorithm\n" },
	{ "add 1.1.1.1 2.2.2.2 ah 300 -A null;",
	    "t.conf:1:31: ah with null authentication protects nothing\n" },
	{ "add 1.1.1.1 2.2.2.2 esp-old 300 -E des-deriv \"8 bytes!\";",
	    "t.conf:1:36: algorithm mismatched: des-deriv needs esp (new format)\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E des-32iv \"8 bytes!\";",
	    "t.conf:1:32: algorithm mismatched: des-32iv needs esp-old\n" },
	{ "add 1.1.1.1 2.2.2.2 ah-old 300 -r 4 -A keyed-md5 \"0123456789abcdef\";",
	    "t.conf:1:32: replay prevention cannot be used with ah-old\n" },
	{ "add 1.1.1.1 2.2.2.2 ipcomp 300 -r 4 -C deflate;",
	    "t.conf:1:32: -r is meaningless with ipcomp (no sequence numbers)\n" },
	{ "add 1.1.1.1 2.2.2.2 ah 300 -f zero-pad -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:31: padding flags apply to esp only\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -lh 10 -ls 20 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:36: soft lifetime 20 s exceeds hard lifetime 10 s\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -bh 10 -bs 20 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:36: soft byte lifetime 20 exceeds hard byte lifetime 10\n" },
	{ "add 1.1.1.1 ::2 esp 300 -E null -A hmac-sha1 \"01234567890123456789\";",
	    "t.conf:1:13: source and destination addresses are of different"
	    " families\n" },
	{ "deleteall 1.1.1.1 ::2 esp;",
	    "t.conf:1:19: source and destination addresses are of different"
	    " families\n" },
	{ "add 1.1.1.1[500] 2.2.2.2 esp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:12: a port is only allowed with esp-udp\n" },
	{ "add 1.1.1.1[http] 2.2.2.2 esp-udp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:13: port 'http' is not a number (service names are not"
	    " supported)\n" },
	{ "add 1.1.1.1[65536] 2.2.2.2 esp-udp 300 -E null -A hmac-sha1"
	    " \"01234567890123456789\";",
	    "t.conf:1:13: port 65536 out of range (at most 65535)\n" },
	{ "add 1.1.1.1[; ",
	    "t.conf:1:13: expected a port number or 'any', got ';'\n" },
	{ "add 1.1.1.1[4500 2.2.2.2 esp-udp 300;",
	    "t.conf:1:18: expected ']' after the port, got '2.2.2.2'\n" },
	{ "spdadd ::/0 ::/0 icmp6 300,1 -P in none;",
	    "t.conf:1:24: invalid type[,code] '300,1' (each 0 to 255)\n" },
	{ "spdadd ::/0 ::/0 icmp6 1,2,3 -P in none;",
	    "t.conf:1:24: invalid type[,code] '1,2,3' (each 0 to 255)\n" },
	{ "spdadd ::/0 ::/0 gre 4294967296 -P in none;",
	    "t.conf:1:22: GRE key 4294967296 too big (32 bits)\n" },
	{ "spdadd ::/0 ::/0 gre 1.2.3 -P in none;",
	    "t.conf:1:22: invalid GRE key '1.2.3' (a.b.c.d or a number)\n" },
	{ "spdadd ::/0 ::/0 any 5 -P in none;",
	    "t.conf:1:22: upper-layer protocol any takes no argument\n" },
	{ "spdadd ::/0 ::/0 tcp 5 -P in none;",
	    "t.conf:1:22: upper-layer protocol tcp takes no argument\n" },
	{ "spdadd ::/0 ::/0 250 5 -P in none;",
	    "t.conf:1:22: upper-layer protocol 250 takes no argument\n" },
	{ "spdadd ::/0 ::/0 foo -P in none;",
	    "t.conf:1:18: unknown upper-layer protocol 'foo'\n" },
	{ "spdadd ::/0 ::/0 256 -P in none;",
	    "t.conf:1:18: upper-layer protocol 256 out of range (at most 255)\n" },
	{ "spdadd ::/0 ::/0 -P in none;",
	    "t.conf:1:18: expected an upper-layer protocol (any, a number or a"
	    " name), got '-P'\n" },
	{ "spdadd ::/0 10.0.0.0/8 any -P in none;",
	    "t.conf:1:13: source and destination ranges are of different families\n" },
	{ "spdadd ::/0[80] ::/0 icmp6 1 -P in none;",
	    "t.conf:1:28: an ICMP type or GRE key cannot be combined with [port]\n" },
	{ "spdadd ::/0[80] ::/0 any -P in none;",
	    "t.conf:1:12: ports need tcp, udp, sctp, dccp or udplite as the"
	    " upper-layer protocol\n" },
	{ "spdadd tagged \"foo\" -P in none;",
	    "t.conf:1:8: tagged policies (a BSD packet filter feature) are not"
	    " supported\n" },
	{ "spdadd ::/0 ::/0 any in none;",
	    "t.conf:1:22: expected -P and a policy, got 'in'\n" },
	{ "spdadd ::/129 ::/0 any -P in none;",
	    "t.conf:1:11: prefix length 129 out of range (at most 128)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -ctx 1 1 \"x\" -P in none;",
	    "t.conf:1:34: security contexts (-ctx) are not supported\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out priority foo none;",
	    "t.conf:1:50: expected a priority (N, -N, or low, def or high with an"
	    " optional +N or -N), got 'foo'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out priority 2147483649 none;",
	    "t.conf:1:50: priority 2147483649 out of range (at most 2147483648)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out priority -2147483648 none;",
	    "t.conf:1:51: priority offset 2147483648 out of range (at most"
	    " 2147483647)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out priority high + 1073741825 none;",
	    "t.conf:1:57: priority offset 1073741825 out of range (at most"
	    " 1073741824)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out priority low - 1073741824 none;",
	    "t.conf:1:56: priority offset 1073741824 out of range (at most"
	    " 1073741823)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec esp/tunnel/me-any/require;",
	    "t.conf:1:58: me-any and any-me endpoints are not supported; give the"
	    " tunnel addresses\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec"
	    " esp/tunnel/1.1.1.1/require;",
	    "t.conf:1:65: expected '-' between the tunnel endpoints, got '/'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec"
	    " esp/tunnel/1.1.1.1-::2/require;",
	    "t.conf:1:58: tunnel endpoints are of different families\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec"
	    " esp/tunnel/1.1.1.1-2.2.2.2/unique:0;",
	    "t.conf:1:74: invalid reqid in 'unique:0' (1 to 16383)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec"
	    " esp/tunnel/1.1.1.1-2.2.2.2/unique:16384;",
	    "t.conf:1:74: invalid reqid in 'unique:16384' (1 to 16383)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec"
	    " esp/tunnel/1.1.1.1-2.2.2.2/unique:x;",
	    "t.conf:1:74: invalid reqid in 'unique:x' (1 to 16383)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec"
	    " esp/tunnel/1.1.1.1-2.2.2.2/always;",
	    "t.conf:1:74: expected a level (default, use, require, unique or"
	    " unique:N), got 'always'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec esp/transport/require;",
	    "t.conf:1:61: expected tunnel endpoints or '/' before the level (as in"
	    " esp/transport//require)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec foo/transport//require;",
	    "t.conf:1:47: expected an IPsec protocol (esp, ah or ipcomp), got 'foo'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec esp;",
	    "t.conf:1:50: too few arguments: esp needs a mode (esp/tunnel/... or"
	    " esp/transport)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec esp/;",
	    "t.conf:1:51: expected a mode (transport or tunnel), got ';'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec esp/beet;",
	    "t.conf:1:51: expected a mode (transport or tunnel), got 'beet'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec esp/tunnel//require;",
	    "t.conf:1:47: tunnel mode needs endpoints (esp/tunnel/SRC-DST/level)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec"
	    " esp/transport/1.1.1.1-2.2.2.2/require;",
	    "t.conf:1:47: transport mode takes no endpoints\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out allow;",
	    "t.conf:1:41: expected an action (discard, none, ipsec, entrust or"
	    " bypass), got 'allow'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out none esp/transport//require;",
	    "t.conf:1:46: requests are only allowed with ipsec\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec esp/transport"
	    " ah/transport esp/transport ah/transport esp/transport;",
	    "t.conf:1:101: too many requests (at most 4)\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out ipsec;",
	    "t.conf:1:41: ipsec needs at least one request, such as"
	    " esp/tunnel/SRC-DST/require\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P sideways none;",
	    "t.conf:1:37: expected a direction (in, out or fwd), got 'sideways'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out;",
	    "t.conf:1:40: expected an action (discard, none, ipsec, entrust or"
	    " bypass), got ';'\n" },
	{ "spdadd 10.0.0.0/8 10.0.0.0/8 any -P out none",
	    "t.conf:1:45: expected ';' at the end of the command, got end of file\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E aes-cbc \"0123456789abcdef\" @;",
	    "t.conf:1:59: unexpected character '@'\n" },
	{ "add 1.1.1.1 2.2.2.2 esp 300 -E aes-cbc \"0123456789abcdef;",
	    "t.conf:1:40: unterminated quoted string\n" },
};

static void
test_case(void **state)
{
	const struct err_case *c = *state;

	sk_err(c->text, c->want);
}

/* A key of n bytes as 0x hex (n <= 300). */
static void
hex_key(char *buf, size_t n)
{
	size_t i;

	strcpy(buf, "0x");
	for (i = 0; i < n; i++)
		snprintf(buf + 2 + 2 * i, 3, "%02zx", i & 0xff);
}

static void
test_key_too_long(void **state)
{
	char key[700], text[900];

	hex_key(key, 257);
	snprintf(text, sizeof(text), "add 1.1.1.1 2.2.2.2 tcp 0x1000 -A tcp-md5 %s;", key);
	sk_err(text, "t.conf:1:43: key too long: 257 bytes (at most 256)\n");
	/* 513 digits: the odd first digit makes a byte of its own. */
	snprintf(text, sizeof(text), "add 1.1.1.1 2.2.2.2 tcp 0x1000 -A tcp-md5 0x1%s;", key + 2);
	sk_err(text, "t.conf:1:43: key too long: 258 bytes (at most 256)\n");
	memset(key, 'k', 300);
	key[300] = '\0';
	snprintf(text, sizeof(text), "add 1.1.1.1 2.2.2.2 tcp 0x1000 -A tcp-md5 \"%s\";", key);
	sk_err(text, "t.conf:1:43: key too long: 300 bytes (at most 256)\n");
}

static void
test_odd_digits_count(void **state)
{
	/* 17 digits are 9 bytes, not des-cbc's 8. */
	sk_err("add 1.1.1.1 2.2.2.2 esp 300 -E des-cbc 0x10203040506070809;",
	    "t.conf:1:40: key for des-cbc is 72 bits; des-cbc takes 64 bits\n");
}

static void
test_many_errors_no_commands(void **state)
{
	sk_err("flush;\n"
	    "add 1.1.1.1 2.2.2.2 esp 100 -E aes-cbc 0x00;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec esp/tunnel/1.1.1.1/require;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P in none;\n"
	    "  frobnicate;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec esp/tunnel/1.1.1.1-2.2.2.2/foo;\n"
	    "add 1.1.1.1 2.2.2.2 esp 0x1000 -E aes-cbc \"0123456789abcdef\" @\n"
	    "  -A hmac-sha1 \"01234567890123456789\";\n"
	    "spdflush\n",
	    "t.conf:2:25: SPI 100 is reserved: esp and ah SPIs start at 256\n"
	    "t.conf:2:40: key for aes-cbc is 8 bits; aes-cbc takes 128, 192 or 256 bits\n"
	    "t.conf:3:66: expected '-' between the tunnel endpoints, got '/'\n"
	    "t.conf:5:3: unknown command 'frobnicate'\n"
	    "t.conf:6:75: expected a level (default, use, require, unique or unique:N), "
	    "got 'foo'\n"
	    "t.conf:7:62: unexpected character '@'\n"
	    "t.conf:10:1: expected ';' at the end of the command, got end of file\n");
}

static void
test_count_matches_messages(void **state)
{
	struct setkey_cmds cmds;
	char *errs;

	assert_int_equal(sk_parse("a; b; c;\nflush; d;", &cmds, &errs), 4);
	assert_string_equal(errs, "t.conf:1:1: unknown command 'a'\n"
	    "t.conf:1:4: unknown command 'b'\nt.conf:1:7: unknown command 'c'\n"
	    "t.conf:2:8: unknown command 'd'\n");
	assert_null(cmds.head);
	free(errs);
	setkey_cmds_free(&cmds);
}

static void
test_policy_errors_resync(void **state)
{
	sk_err("spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec esp/tunnel/1-2 x-y;"
	    " add 1.1.1.1 2.2.2.2 esp-x 300;\n"
	    "spdadd 10.0.0.0/8 10.1.0.0/16 any -P out ipsec esp/transport @ 1-2; flush x;",
	    "t.conf:1:59: expected tunnel source address, got '1'\n"
	    "t.conf:1:88: expected a protocol (esp, esp-old, ah, ah-old, ipcomp, tcp or "
	    "esp-udp), got 'esp-x'\n"
	    "t.conf:2:62: unexpected character '@'\n"
	    "t.conf:2:75: expected a protocol (esp, esp-old, ah, ah-old, ipcomp, tcp or "
	    "esp-udp), got 'x'\n");
}

static void
test_warning_alone_is_not_an_error(void **state)
{
	struct setkey_cmds cmds;
	char *errs;

	assert_int_equal(sk_parse("delete 1.1.1.1 2.2.2.2 esp 300 -m tunnel;", &cmds, &errs), 0);
	assert_string_equal(errs, "t.conf:1:32: warning: -m is obsolete with delete and "
	    "ignored\n");
	assert_int_equal(cmds.n, 1);
	free(errs);
	setkey_cmds_free(&cmds);
}

static void
test_keys_never_in_messages(void **state)
{
	static const char *const texts[] = {
		"add 1.1.1.1 2.2.2.2 esp 0xc0ffee00c0ffee00c0ffee -E aes-cbc 0x00;",
		"add 1.1.1.1 2.2.2.2 esp 300 -E 0xc0ffee00c0ffee00 aes-cbc;",
		"add 1.1.1.1 2.2.2.2 esp 300 -E aes-cbc 0xc0ffee00c0ffee00 0xc0ffee;",
		"add 1.1.1.1 2.2.2.2 ah 300 -A \"c0ffee secret\" hmac-sha1;",
		"add 1.1.1.1 2.2.2.2 ah 300 -A hmac-sha1 \"c0ffee secret\" \"c0ffee\";",
		"add 1.1.1.1 2.2.2.2 ah 300 -A hmac-sha1 \"c0ffee secret\";",
		"flush \"c0ffee\";",
		"\"c0ffee\";",
		"0xc0ffee;",
	};
	struct setkey_cmds cmds;
	char *errs;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_true(sk_parse(texts[i], &cmds, &errs) > 0);
		if (strstr(errs, "c0ffee") != NULL || strstr(errs, "secret") != NULL)
			fail_msg("a key leaked: %s", errs);
		free(errs);
		setkey_cmds_free(&cmds);
	}
}

static const struct CMUnitTest extra[] = {
	cmocka_unit_test(test_key_too_long),
	cmocka_unit_test(test_odd_digits_count),
	cmocka_unit_test(test_many_errors_no_commands),
	cmocka_unit_test(test_count_matches_messages),
	cmocka_unit_test(test_policy_errors_resync),
	cmocka_unit_test(test_warning_alone_is_not_an_error),
	cmocka_unit_test(test_keys_never_in_messages),
};

int
main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), ne = sizeof(extra) / sizeof(extra[0]);
	struct CMUnitTest *tests = calloc(n + ne, sizeof(*tests));
	size_t i;
	int rc;

	assert_non_null(tests);
	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].text;
		tests[i].test_func = test_case;
		tests[i].initial_state = (void *)(uintptr_t)&cases[i];
	}
	memcpy(tests + n, extra, sizeof(extra));
	rc = _cmocka_run_group_tests("parse_err", tests, n + ne, NULL, NULL);
	free(tests);
	return rc;
}
