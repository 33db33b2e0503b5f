#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_fastpath: a mode byte, an outer DS
byte, then a packet (see fuzz_fastpath.c for the modes). The packets are
built here with struct, apart from tunneld's own header code.

usage: gen_fastpath_corpus.py [outdir]   (default: ../corpus/fastpath beside this file)
"""
import os
import struct
import sys

TUN_A, ESP_B, UDP_B, IPIP_B, THROUGH = 0, 1, 2, 3, 4


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, tos=0, df=True):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), 0x1234,
                      0x4000 if df else 0, 64, proto, 0, bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nxt, payload, tclass=0):
    first = (6 << 28) | (tclass << 20)
    return struct.pack("!IHBB16s16s", first, len(payload), nxt, 64, bytes(src),
                       bytes(dst)) + payload


def echo(v6, seq, n):
    body = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, 0x4242, seq)
    return body + bytes((i + seq) & 0xFF for i in range(n))


IN_A, IN_B = [10, 1, 0, 5], [10, 2, 0, 7]
IN6_A = [0x20, 0x01, 0x0D, 0xB8, 0, 1] + [0] * 9 + [5]
IN6_B = [0x20, 0x01, 0x0D, 0xB8, 0, 2] + [0] * 9 + [7]
PING = ipv4(IN_A, IN_B, 1, echo(False, 1, 56))
PING6 = ipv6(IN6_A, IN6_B, 58, echo(True, 1, 56))
TCP = ipv4(IN_A, IN_B, 6, struct.pack("!HHIIBBHHH", 40000, 22, 1, 0, 0x50, 0x02, 65535, 0, 0))
FRAG = ipv6(IN6_A, IN6_B, 44, struct.pack("!BBHI", 58, 0, 0x0009, 7) + echo(True, 2, 16))
ESP = struct.pack("!II", 0x1000, 1) + bytes(range(8)) + bytes(72)


def seeds():
    yield "tun_ping", bytes([TUN_A, 0]) + PING
    yield "tun_ping6", bytes([TUN_A, 0]) + PING6
    yield "through_ping", bytes([THROUGH, 0]) + PING
    yield "through_ping_ecn", bytes([THROUGH, 0]) + ipv4(IN_A, IN_B, 1, echo(False, 3, 8), tos=0xB9)
    yield "through_ping6", bytes([THROUGH, 0]) + PING6
    yield "through_tcp", bytes([THROUGH, 0]) + TCP
    yield "through_frag6", bytes([THROUGH, 0]) + FRAG
    yield "esp_known_spi", bytes([ESP_B, 3]) + ESP
    yield "esp_unknown_spi", bytes([ESP_B, 0]) + struct.pack("!II", 0x2000, 1) + bytes(40)
    yield "udp_keepalive", bytes([UDP_B, 0]) + b"\xff"
    yield "udp_ike", bytes([UDP_B, 0]) + bytes(4) + bytes(range(28))
    yield "udp_esp", bytes([UDP_B, 0]) + ESP
    yield "ipip_plain", bytes([IPIP_B, 0]) + PING
    yield "ipip_short", bytes([IPIP_B, 0]) + PING[:12]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "corpus", "fastpath")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
