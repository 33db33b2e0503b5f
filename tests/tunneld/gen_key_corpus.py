#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_key: scripts of PF_KEY requests and
clock, ACQUIRE and accounting steps, in the framing fuzz_key.c reads.
Messages come from the independent encoder in tests/pfkey/gen_corpus.py.

usage: gen_key_corpus.py [outdir]   (default: ../corpus/key beside this file)
"""
import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pfkey"))
import gen_corpus as g  # noqa: E402

ROOT, USER, TICK, ACQ, ACCOUNT = 0, 2, 3, 4, 5
X_PROMISC, X_SPDUPDATE, X_SPDDELETE, X_SPDFLUSH = 11, 13, 15, 19
A, B = g.A, g.B
SHA1_KEY = bytes(range(20))
CBC_KEY = bytes(range(16))


def send(who, data):
    return struct.pack("<BH", who, len(data)) + data


def step(op, arg=None):
    return bytes([op]) if arg is None else bytes([op, arg])


def sa_add(spi, seq, soft=(), hard=()):
    exts = [g.sa(spi, auth=3, enc=12), g.address(g.ADDR_SRC, A), g.address(g.ADDR_DST, B),
            g.key(g.KEY_AUTH, SHA1_KEY), g.key(g.KEY_ENCRYPT, CBC_KEY),
            g.sa2(g.MODE_TUNNEL, 0)]
    if soft:
        exts.append(g.lifetime(g.LT_SOFT, *soft))
    if hard:
        exts.append(g.lifetime(g.LT_HARD, *hard))
    return g.msg(g.ADD, g.SATYPE_ESP, seq, exts)


def sa_get(spi, seq):
    return g.msg(g.GET, g.SATYPE_ESP, seq, [g.sa(spi), g.address(g.ADDR_SRC, A),
                                            g.address(g.ADDR_DST, B)])


def spdadd(src, dst, pdir, level, seq, mtype=g.X_SPDADD):
    return g.msg(mtype, g.SATYPE_UNSPEC, seq, [
        g.address(g.ADDR_SRC, src, 16), g.address(g.ADDR_DST, dst, 16),
        g.policy(g.POLICY_IPSEC, pdir, 0, 0x80000000,
                 [g.request(g.IPPROTO_ESP, g.MODE_TUNNEL, level, 0, A, B)])])


def header(mtype, satype, seq):
    return g.msg(mtype, satype, seq, [])


SEEDS = {
    "sa_lifecycle": send(ROOT, sa_add(0x1000, 1, soft=(0, 0, 10), hard=(0, 0, 20))) +
    send(USER, sa_get(0x1000, 2)) + step(TICK, 10) + send(ROOT, header(g.DUMP, 0, 3)) +
    step(TICK, 10) + send(USER, sa_get(0x1000, 4)),
    "spd_acquire": send(ROOT, header(g.REGISTER, g.SATYPE_ESP, 1)) +
    send(ROOT, spdadd("10.1.0.0", "10.2.0.0", g.DIR_OUT, g.LEVEL_UNIQUE, 2)) +
    send(ROOT, spdadd("10.2.0.0", "10.1.0.0", g.DIR_IN, g.LEVEL_REQUIRE, 3)) +
    step(ACQ) + step(ACQ) + step(TICK, 1) + step(ACQ) +
    send(USER, header(g.X_SPDDUMP, 0, 4)) +
    send(ROOT, spdadd("10.1.0.0", "10.2.0.0", g.DIR_OUT, g.LEVEL_REQUIRE, 5, X_SPDUPDATE)) +
    send(ROOT, g.msg(g.X_SPDDELETE2, 0, 6, [g.policy(g.POLICY_DISCARD, g.DIR_OUT, 1)])) +
    send(ROOT, spdadd("10.2.0.0", "10.1.0.0", g.DIR_IN, g.LEVEL_REQUIRE, 7, X_SPDDELETE)) +
    send(ROOT, header(X_SPDFLUSH, 0, 8)),
    "bytes": send(ROOT, header(g.REGISTER, g.SATYPE_ESP, 1)) +
    send(ROOT, sa_add(0x2000, 2, soft=(0, 1000), hard=(0, 2000))) +
    step(ACCOUNT, 0x40) + step(ACCOUNT, 0x40) + step(ACCOUNT, 0x40) + step(TICK, 1),
    "larval": send(ROOT, g.SAMPLES["getspi"]) + step(TICK, 29) + step(TICK, 1) +
    send(ROOT, header(g.DUMP, 0, 2)),
    "promisc": send(ROOT, header(X_PROMISC, 1, 1)) + send(USER, header(g.DUMP, 0, 2)) +
    send(ROOT, sa_add(0x3000, 3)) + send(USER, sa_add(0x3001, 4)) +
    send(ROOT, header(g.FLUSH, 0, 5)) + send(ROOT, header(X_PROMISC, 0, 6)),
    "malformed": send(ROOT, bytes([2, 3, 0, 3, 9, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0])) +
    send(USER, b"\x02"),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "corpus", "key")
    os.makedirs(out, exist_ok=True)
    seeds = dict(SEEDS)
    for name, data in g.SAMPLES.items():
        seeds["one_" + name] = send(ROOT, data)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
