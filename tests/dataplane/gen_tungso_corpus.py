#!/usr/bin/python3
"""Writes the seed corpus of fuzz_tungso: batches of IPv4/IPv6 packets as
tunneld queues them for the TUN, in the framing fuzz_tungso.c reads
(u8 fix, u16 big-endian length, bytes). Runs of one TCP flow, mixed
flows, every kind of packet that must end a run, and truncations.

usage: gen_tungso_corpus.py [outdir]   (default: ../corpus/tungso beside this file)
"""
import os
import struct
import sys

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80
DF, MF = 0x4000, 0x2000
FIX_LEN, FIX_IPSUM, FIX_TCPSUM = 1, 2, 4
TS = bytes([1, 1, 8, 10, 0, 0x12, 0x34, 0x56, 0, 0xab, 0xcd, 0xef])
V4 = (bytes([10, 1, 0, 5]), bytes([10, 2, 0, 9]))
V6 = (bytes.fromhex("20010db8000100000000000000000005"),
      bytes.fromhex("20010db8000200000000000000000009"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def pattern(seq, n):
    return bytes(((((seq + i) & 0xffffffff) * 2654435761) >> 24) & 0xff for i in range(n))


def segment(v6=False, seq=1000, plen=1448, flags=ACK, ack=0x01020304, win=501, ttl=64,
            tos=0, frag=DF, ident=0x1234, flow=0xabcde, sport=443, dport=51000,
            opts=TS, ipopt=b"", proto=6, bad_ip=False, bad_l4=False, urg=0, dst=None,
            offlow=0, ipproto=None):
    src, dst = (V6 if v6 else V4)[0], dst or (V6 if v6 else V4)[1]
    seq &= 0xffffffff
    payload = pattern(seq, plen)
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (20 + len(opts)) // 4 << 4 | offlow,
                         flags, win, 0, urg) + opts + payload
        at = 16
    else:
        l4 = struct.pack("!HHHH", sport, dport, 8 + plen, 0) + payload
        at = 6
    pseudo = src + dst + struct.pack("!HH", proto, len(l4))
    s = (~csum(pseudo + l4) & 0xffff) ^ (1 if bad_l4 else 0)
    l4 = l4[:at] + struct.pack("!H", s) + l4[at + 2:]
    proto = proto if ipproto is None else ipproto
    if v6:
        word = 6 << 28 | tos << 20 | flow
        return struct.pack("!IHBB", word, len(l4), proto, ttl) + src + dst + l4
    ihl = 5 + len(ipopt) // 4
    hdr = struct.pack("!BBHHHBBH", 0x40 | ihl, tos, ihl * 4 + len(l4), ident, frag, ttl,
                      proto, 0) + src + dst + ipopt
    s = (~csum(hdr) & 0xffff) ^ (1 if bad_ip else 0)
    return hdr[:10] + struct.pack("!H", s) + hdr[12:] + l4


def run(n, v6=False, seq=1000, plen=1448, ident=0x1234, **kw):
    return [segment(v6, seq + i * plen, plen, ident=(ident + i) & 0xffff, **kw)
            for i in range(n)]


def frame(pkts, fix=0):
    return b"".join(struct.pack("!BH", fix, len(p)) + p for p in pkts)


def breakers(v6):
    """A run of two, then each breaker followed by the flow's next segment."""
    out = run(2, v6)
    kinds = [dict(flags=ACK | FIN), dict(flags=ACK | SYN), dict(flags=ACK | RST),
             dict(flags=ACK | URG), dict(flags=ACK | ECE), dict(flags=ACK | CWR),
             dict(urg=1), dict(ttl=63), dict(tos=3), dict(win=502), dict(ack=7),
             dict(dport=51001), dict(bad_l4=True), dict(plen=0), dict(proto=17),
             dict(plen=1449), dict(opts=TS[:4] + b"\0\x12\x34\x57" + TS[8:]),
             dict(dst=(V6 if v6 else V4)[1][:-1] + b"\x0a"), dict(seq_skew=1),
             dict(seq_skew=-1448)]
    if not v6:
        kinds += [dict(frag=0), dict(frag=DF | MF), dict(frag=185), dict(bad_ip=True),
                  dict(ipopt=b"\x01\x01\x01\x01")]
    else:
        kinds += [dict(flow=1)]
    seq = 1000 + 2 * 1448
    for k in kinds:
        k = dict(k)
        skew = k.pop("seq_skew", 0)
        out.append(segment(v6, seq + skew, **{"plen": 1448, **k}))
        out.append(segment(v6, seq))
        seq += 1448
    return out[:64]


def rule_pairs(v6):
    """Pairs of segments that would cut back right but break a rule together."""
    kinds = [dict(offlow=1), dict(urg=1), dict(flags=ACK | ECE), dict(flags=ACK | CWR),
             dict(flags=ACK | URG), dict(ipproto=17)]
    if not v6:
        kinds += [dict(frag=DF | MF), dict(frag=MF), dict(frag=DF | 185), dict(frag=0x8000)]
    out, seq = [], 1000
    for k in kinds:
        out += [segment(v6, seq, ident=1, **k), segment(v6, seq + 1448, ident=2, **k)]
        seq += 2 * 1448
    return out


def seeds():
    yield "v4_run8", frame(run(8))
    yield "v6_run6", frame(run(6, True))
    yield "v4_short_last", frame(run(3) + [segment(seq=1000 + 3 * 1448, plen=700)]
                                 + run(2, seq=1000 + 3 * 1448 + 700))
    psh = run(5)
    psh[2] = segment(seq=1000 + 2 * 1448, flags=ACK | PSH, ident=0x1236)
    yield "v4_psh_mid", frame(psh)
    a, b, c = run(6), run(6, True, seq=9), run(6, sport=80)
    yield "mixed_flows", frame(a[:2] + b[:3] + a[2:4] + c[:2] + b[3:] + c[2:] + a[4:])
    yield "v4_nodf_ids_wrap", frame(run(6, frag=0, ident=0xfffd) + run(2, frag=0, ident=9))
    yield "v4_df_same_ids", frame([segment(seq=1000 + i * 1448, ident=0) for i in range(6)])
    yield "v4_rule_pairs", frame(rule_pairs(False))
    yield "v6_rule_pairs", frame(rule_pairs(True))
    yield "v4_breakers", frame(breakers(False))
    yield "v6_breakers", frame(breakers(True))
    yield "v4_over_65535", frame(run(46) + [segment(seq=1000 + 46 * 1448, plen=323)])
    # 45 full segments and a last one that makes 65536 bytes: it must not join.
    yield "v4_65536", frame(run(45) + [segment(seq=1000 + 45 * 1448, plen=324)])
    first = run(4)
    first[0] = segment(flags=ACK | PSH)
    first.append(segment(seq=1000 + 4 * 1448, bad_l4=True))
    first += run(3, seq=1000 + 5 * 1448)
    yield "first_psh_first_bad", frame(first)
    jump = run(3, frag=0) + run(3, seq=1000 + 3 * 1448, ident=0x1240, frag=0)
    yield "v4_nodf_id_jump", frame(jump)
    # Two bytes past the IP packet that keep its TCP checksum right, and
    # sequence numbers that continue if they were taken for payload.
    for v6, (src, dst), hl in ((False, V4, 20), (True, V6, 40)):
        trail = [p + struct.pack("!H", ~csum(src + dst + struct.pack(
            "!HH", 6, len(p) - hl + 2) + p[hl:]) & 0xffff)
            for p in (segment(v6, seq=1000 + i * 1450, ident=i) for i in range(4))]
        yield "v6_trailing" if v6 else "v4_trailing", frame(trail)
    yield "seq_wrap_small", frame(run(64, seq=0xffffff00, plen=8, opts=b""))
    full = run(2)
    yield "truncated", frame([full[0][:n] for n in (0, 1, 19, 20, 39, 40, 51, 52, 60)]
                             + [full[0], full[1][:-1], full[1]])
    # Garbage lengths and checksums, put right by the harness.
    broken = [p[:2] + b"\0\0" + p[4:10] + b"\0\0" + p[12:36] + b"\0\0" + p[38:]
              for p in run(5)]
    yield "v4_fixups", frame(broken, FIX_LEN | FIX_IPSUM | FIX_TCPSUM)
    broken6 = [p[:4] + b"\0\0" + p[6:56] + b"\0\0" + p[58:] for p in run(4, True)]
    yield "v6_fixups", frame(broken6, FIX_LEN | FIX_TCPSUM)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "corpus", "tungso")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
