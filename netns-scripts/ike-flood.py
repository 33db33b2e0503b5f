#!/usr/bin/python3
"""ike-flood.py: a bounded flood of IKE_SA_INIT requests, for tests.

    ike-flood.py DST COUNT RATE [SEED]

Sends COUNT well-formed IKE_SA_INIT requests (RFC 7296 1.2: SA with one
AES-GCM-16/SHA-256/Curve25519 proposal, KE, Ni), each from a fresh SPI,
RATE per second, to DST port 500, and never answers anything: every one
leaves a half-open IKE SA unless the responder asks for cookies. Prints
how many answers carried a COOKIE notification.
"""
import os
import random
import select
import socket
import struct
import sys
import time


def payload(next_type, body):
    return struct.pack("!BBH", next_type, 0, 4 + len(body)) + body


def transform(last, ttype, tid, keylen=None):
    attrs = b"" if keylen is None else struct.pack("!HH", 0x800E, keylen)
    body = struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs
    return body


def sa_init(rng):
    xf = (transform(False, 1, 20, 256) + transform(False, 2, 5) +
          transform(True, 4, 31))
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(xf), 1, 1, 0, 3) + xf
    ke = struct.pack("!HH", 31, 0) + rng.randbytes(32)
    nonce = rng.randbytes(32)
    body = payload(34, prop) + payload(40, ke) + payload(0, nonce)
    spi = rng.randbytes(8)
    hdr = spi + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(body))
    return hdr + body


def main():
    dst, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else os.getpid())
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setblocking(False)
    cookies = answers = 0
    for i in range(count):
        s.sendto(sa_init(rng), (dst, 500))
        deadline = time.monotonic() + 1.0 / rate
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if select.select([s], [], [], left)[0]:
                try:
                    data = s.recv(65535)
                except OSError:
                    continue
                answers += 1
                # A COOKIE notify (type 16390) right after the header.
                if len(data) >= 36 and data[16] == 41 and \
                        struct.unpack("!H", data[34:36])[0] == 16390:
                    cookies += 1
    print(f"sent {count}, answers {answers}, cookie requests {cookies}")


if __name__ == "__main__":
    main()
