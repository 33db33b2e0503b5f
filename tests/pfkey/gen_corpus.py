#!/usr/bin/env python3
"""Writes the PF_KEY v2 seed corpus for fuzz_pfkey and test_pfkey.

Written apart from lib/pfkey.c, from <linux/pfkeyv2.h> and pfkey.h only,
so that test_pfkey can check the C codec against an independent encoder:
every file must decode, and re-encode to the same bytes. Integers are in
host order ("="), SPIs and ports in network order (">"), extensions in
ascending type order with zeroed reserved fields, as pfk_encode writes
them. The values match the samples in test_pfkey.c.

usage: gen_corpus.py [outdir]   (default: ../corpus/pfkey beside this file)
"""
import os
import socket
import struct
import sys

PF_KEY_V2 = 2
AF_INET, AF_INET6 = socket.AF_INET, socket.AF_INET6
PID = 4242

# message types, extension types and constants of <linux/pfkeyv2.h>
GETSPI, UPDATE, ADD, DELETE, GET, ACQUIRE, REGISTER, EXPIRE, FLUSH, DUMP = range(1, 11)
X_SPDADD, X_SPDDUMP, X_SPDDELETE2 = 14, 18, 22
SATYPE_UNSPEC, SATYPE_ESP = 0, 3
(EXT_SA, LT_CURRENT, LT_HARD, LT_SOFT, ADDR_SRC, ADDR_DST) = range(1, 7)
KEY_AUTH, KEY_ENCRYPT, PROPOSAL, SUP_AUTH, SUP_ENC, SPIRANGE = 8, 9, 13, 14, 15, 16
X_POLICY, X_SA2, NAT_T_TYPE, NAT_T_SPORT, NAT_T_DPORT, NAT_T_OA = 18, 19, 20, 21, 22, 23
EXT_REPLAY, EXT_STATS = 32, 33
MODE_TRANSPORT, MODE_TUNNEL = 1, 2
LEVEL_USE, LEVEL_REQUIRE, LEVEL_UNIQUE = 1, 2, 3
POLICY_DISCARD, POLICY_IPSEC = 0, 2
DIR_IN, DIR_OUT = 1, 2
IPPROTO_TCP, IPPROTO_ESP, IPPROTO_COMP = 6, 50, 108


def pad8(b):
    return b + bytes(-len(b) % 8)


def ext(etype, body):
    b = pad8(struct.pack("=HH", 0, etype) + body)
    return struct.pack("=H", len(b) // 8) + b[2:]


def msg(mtype, satype, seq, exts, pid=PID, errno=0, reserved=0):
    body = b"".join(ext(t, b) for t, b in sorted(exts))
    hdr_len = (16 + len(body)) // 8
    return struct.pack("=BBBBHHII", PF_KEY_V2, mtype, errno, satype, hdr_len,
                       reserved, seq, pid) + body


def sockaddr(text, port=0):
    if ":" in text:
        return struct.pack("=H", AF_INET6) + struct.pack(">H", port) + \
            struct.pack("=I", 0) + socket.inet_pton(AF_INET6, text) + struct.pack("=I", 0)
    return struct.pack("=H", AF_INET) + struct.pack(">H", port) + \
        socket.inet_pton(AF_INET, text) + bytes(8)


def address(etype, text, plen=None, port=0, proto=255):
    if plen is None:
        plen = 128 if ":" in text else 32
    return (etype, struct.pack("=BBH", proto, plen, 0) + sockaddr(text, port))


def sa(spi, replay=0, state=1, auth=0, enc=0, flags=0):
    return (EXT_SA, struct.pack(">I", spi) + struct.pack("=BBBBI", replay, state, auth, enc, flags))


def sa2(mode, reqid, seq=0):
    return (X_SA2, struct.pack("=BBHII", mode, 0, 0, seq, reqid))


def lifetime(etype, alloc=0, nbytes=0, add=0, use=0):
    return (etype, struct.pack("=IQQQ", alloc, nbytes, add, use))


def key(etype, data, bits=None):
    if bits is None:
        bits = len(data) * 8
    return (etype, struct.pack("=HH", bits, 0) + data)


def replay(window, flags=0):
    return (EXT_REPLAY, struct.pack("=III", window, flags, 0))


def request(proto, mode, level, reqid=0, src=None, dst=None):
    body = struct.pack("=HBBHII", proto, mode, level, 0, reqid, 0)
    if src is not None:
        body += sockaddr(src) + sockaddr(dst)
    body = pad8(struct.pack("=H", 0) + body)
    return struct.pack("=H", len(body)) + body[2:]


def policy(ptype, pdir, pid=0, prio=0, reqs=()):
    return (X_POLICY, struct.pack("=HBBII", ptype, pdir, 0, pid, prio) + b"".join(reqs))


def supported(etype, algs):
    return (etype, struct.pack("=I", 0) +
            b"".join(struct.pack("=BBHHH", i, iv, lo, hi, 0) for i, iv, lo, hi in algs))


def comb(auth, enc, amin, amax, emin, emax, soft_add, hard_add):
    return struct.pack("=BBHHHHHIIIQQQQQQ", auth, enc, 0, amin, amax, emin, emax, 0,
                       0, 0, 0, 0, soft_add, hard_add, 0, 0)


A, B = "192.168.0.1", "192.168.1.2"
AUTH_KEY = b"twenty-byte-auth-key"
ENC_KEY = bytes.fromhex("00112233445566778899aabbccddeeff")

SAMPLES = {
    "getspi": msg(GETSPI, SATYPE_ESP, 1, [
        sa2(MODE_TUNNEL, 101), address(ADDR_SRC, A), address(ADDR_DST, B),
        (SPIRANGE, struct.pack("=III", 0x100, 0x0FFFFFFF, 0))]),
    "add_v4": msg(ADD, SATYPE_ESP, 2, [
        sa(0x1001, replay=4, auth=3, enc=12, flags=0x40),
        lifetime(LT_HARD, add=3600), lifetime(LT_SOFT, add=2880),
        address(ADDR_SRC, A), address(ADDR_DST, B),
        key(KEY_AUTH, AUTH_KEY), key(KEY_ENCRYPT, ENC_KEY),
        sa2(MODE_TUNNEL, 101), replay(32)]),
    "update_natt": msg(UPDATE, SATYPE_ESP, 3, [
        sa(0xC1A2B3C4, replay=8, enc=20),
        address(ADDR_SRC, "198.51.100.7", port=4500),
        address(ADDR_DST, "203.0.113.9", port=4501),
        key(KEY_ENCRYPT, bytes(range(20))), sa2(MODE_TUNNEL, 16385),
        (NAT_T_TYPE, struct.pack("=B3x", 2)),
        (NAT_T_SPORT, struct.pack(">H", 4500) + bytes(2)),
        (NAT_T_DPORT, struct.pack(">H", 4501) + bytes(2)),
        address(NAT_T_OA, "10.0.0.5", proto=0)]),
    "add_v6": msg(ADD, SATYPE_ESP, 4, [
        sa(0xABCDEF01, enc=28), lifetime(LT_HARD, nbytes=1 << 40),
        address(ADDR_SRC, "2001:db8::1"), address(ADDR_DST, "2001:db8:1::2"),
        key(KEY_ENCRYPT, bytes(range(100, 136))), sa2(MODE_TRANSPORT, 0),
        replay(1024, 1)]),
    "delete": msg(DELETE, SATYPE_ESP, 5, [
        sa(0x1001, state=0), address(ADDR_SRC, A), address(ADDR_DST, B)]),
    "register_reply": msg(REGISTER, SATYPE_ESP, 6, [
        supported(SUP_AUTH, [(3, 0, 160, 160), (5, 0, 256, 256), (7, 0, 512, 512)]),
        supported(SUP_ENC, [(12, 16, 128, 256), (20, 8, 160, 288), (28, 8, 288, 288),
                            (11, 0, 0, 0)])]),
    "acquire": msg(ACQUIRE, SATYPE_ESP, 7, [
        address(ADDR_SRC, A), address(ADDR_DST, B),
        policy(POLICY_IPSEC, DIR_OUT, 25, 0x80000000,
               [request(IPPROTO_ESP, MODE_TUNNEL, LEVEL_REQUIRE, 0, A, B)]),
        (PROPOSAL, struct.pack("=B3x", 4) + comb(3, 12, 160, 160, 128, 256, 2880, 3600) +
         comb(0, 20, 0, 0, 160, 288, 2880, 3600))], pid=0),
    "expire": msg(EXPIRE, SATYPE_ESP, 0, [
        sa(0x1002, state=2, auth=3, enc=12),
        lifetime(LT_CURRENT, 1532, 183456, 1709547302, 1709547307),
        lifetime(LT_SOFT, add=2880),
        address(ADDR_SRC, B), address(ADDR_DST, A)], pid=0),
    "dump_reply": msg(DUMP, SATYPE_ESP, 0, [
        sa(0x1001, replay=255, auth=5, enc=12, flags=0x40),
        lifetime(LT_CURRENT, 1, 2, 3, 4), lifetime(LT_HARD, add=3600),
        lifetime(LT_SOFT, add=2880),
        address(ADDR_SRC, A), address(ADDR_DST, B),
        key(KEY_AUTH, bytes(range(32))), key(KEY_ENCRYPT, bytes(range(32, 64))),
        sa2(MODE_TUNNEL, 101, 77), replay(2048, 1),
        (EXT_STATS, struct.pack("=I", 5) + struct.pack("=5Q", 0, 3, 17, 0, 1 << 33))],
        reserved=2),
    "spdadd_v4": msg(X_SPDADD, SATYPE_UNSPEC, 10, [
        lifetime(LT_HARD, add=86400, use=3600),
        address(ADDR_SRC, "10.1.0.0", 16, proto=IPPROTO_TCP),
        address(ADDR_DST, "10.2.0.0", 16, port=80, proto=IPPROTO_TCP),
        policy(POLICY_IPSEC, DIR_OUT, 0, 0x80000000, [
            request(IPPROTO_COMP, MODE_TUNNEL, LEVEL_USE, 0, A, B),
            request(IPPROTO_ESP, MODE_TUNNEL, LEVEL_UNIQUE, 101, A, B)])]),
    "spdadd_v6": msg(X_SPDADD, SATYPE_UNSPEC, 11, [
        address(ADDR_SRC, "2001:db8:10::", 48), address(ADDR_DST, "2001:db8:20::", 48),
        policy(POLICY_IPSEC, DIR_IN, 0, 0x40000000, [
            request(IPPROTO_ESP, MODE_TUNNEL, LEVEL_REQUIRE, 0,
                    "2001:db8::2", "2001:db8::1")])]),
    "spddelete2": msg(X_SPDDELETE2, SATYPE_UNSPEC, 12, [
        policy(POLICY_DISCARD, DIR_OUT, 25)]),
    "flush": msg(FLUSH, SATYPE_UNSPEC, 13, []),
    "spddump": msg(X_SPDDUMP, SATYPE_UNSPEC, 14, []),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "corpus", "pfkey")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SAMPLES.items()):
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
