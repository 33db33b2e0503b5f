#!/usr/bin/python3
"""ike-garbage.py: a bounded stream of hostile IKE datagrams, for tests.

    ike-garbage.py DST COUNT SEED [SPII:SPIR]

Sends COUNT datagrams to DST, alternating between UDP 500 and UDP 4500
(there behind the non-ESP marker, and sometimes without it): random
bytes of random length; IKE headers with random or, when given, the real
SPIs of an established IKE SA followed by random payload chains; and
headers whose lengths, versions, flags and payload types are wrong on
purpose. Deterministic for a seed. Never waits for answers.
"""
import random
import socket
import struct
import sys
import time


def ike_header(rng, spi_i, spi_r, body):
    exch = rng.choice([34, 35, 36, 37, rng.randrange(256)])
    flags = rng.choice([0x08, 0x20, 0x28, 0x00, rng.randrange(256)])
    version = rng.choice([0x20, 0x20, 0x10, rng.randrange(256)])
    nxt = rng.choice([46, 33, 41, 0, rng.randrange(256)])
    length = 28 + len(body)
    if rng.random() < 0.2:
        length = rng.randrange(65536)
    return (spi_i + spi_r + struct.pack("!BBBBII", nxt, version, exch, flags,
                                        rng.randrange(1 << 32) if rng.random() < 0.3
                                        else rng.randrange(8), length) + body)


def payload_chain(rng):
    out = b""
    for _ in range(rng.randrange(6)):
        body = rng.randbytes(rng.randrange(64))
        plen = 4 + len(body) if rng.random() < 0.8 else rng.randrange(65536)
        out += struct.pack("!BBH", rng.randrange(256), rng.choice([0, 0x80]), plen) + body
    return out


def datagram(rng, spis):
    kind = rng.randrange(3)
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 400))
    if spis and rng.random() < 0.6:
        spi_i, spi_r = spis
    else:
        spi_i, spi_r = rng.randbytes(8), rng.choice([bytes(8), rng.randbytes(8)])
    return ike_header(rng, spi_i, spi_r, payload_chain(rng))


def main():
    dst, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    spis = None
    if len(sys.argv) > 4:
        i, r = sys.argv[4].split(":")
        spis = (bytes.fromhex(i), bytes.fromhex(r))
    rng = random.Random(seed)
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for n in range(count):
        d = datagram(rng, spis)
        port = 500 if n % 2 == 0 else 4500
        if port == 4500 and rng.random() < 0.8:
            d = bytes(4) + d
        try:
            s.sendto(d, (dst, port))
        except OSError:
            pass
        if n % 50 == 49:
            time.sleep(0.01)
    print(f"sent {count} hostile datagrams")


if __name__ == "__main__":
    main()
