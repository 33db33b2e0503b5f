#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ikerelay and test_ikerelay.

Written apart from lib/ikerelay.c, from the layout in lib/ikerelay.h only,
so that test_ikerelay checks the C codec against an independent encoder:
every file must decode and re-encode to the same bytes. The payloads are
real IKE messages (the ike_pld corpus) behind the non-ESP marker, as
tunneld relays them from UDP port 4500, and one NAT keepalive.

usage: gen_ikerelay_corpus.py [outdir]   (default: ../corpus/ikerelay)
"""
import ipaddress
import os
import struct
import sys

VERSION = 1
MARKER = bytes(4)
HERE = os.path.dirname(os.path.abspath(__file__))
IKE_DIR = os.path.join(HERE, "..", "corpus", "ike_pld")


def slot(addr):
    """An address in its 16-byte slot: IPv4 first, zeros after."""
    return addr.packed + bytes(16 - len(addr.packed))


def relay(local, lport, remote, rport, payload):
    l, r = ipaddress.ip_address(local), ipaddress.ip_address(remote)
    assert l.version == r.version and lport and rport and payload
    hdr = struct.pack(">BBHHH", VERSION, l.version, 0, lport, rport)
    return hdr + slot(l) + slot(r) + payload


def ike(name):
    with open(os.path.join(IKE_DIR, name), "rb") as f:
        return MARKER + f.read()


SEEDS = {
    # from the network to ikd: the peer's port as its NAT left it
    "init_req_v4": ("192.0.2.1", 4500, "198.51.100.7", 61000, ike("init_req.bin")),
    "auth_req_v4": ("192.0.2.1", 4500, "198.51.100.7", 61000, ike("auth_req.bin")),
    "info_dpd_v6": ("2001:db8::1", 4500, "2001:db8:ffff::abcd", 4500, ike("info_dpd.bin")),
    "child_rekey_v6": ("2001:db8::1", 4500, "2001:db8::2", 4500,
                       ike("child_rekey_req.bin")),
    # from ikd to the network
    "init_resp_v4": ("203.0.113.1", 4500, "203.0.113.2", 4500, ike("init_resp.bin")),
    "auth_resp_v6": ("2001:db8::1", 4500, "2001:db8::2", 33000, ike("auth_resp.bin")),
    "keepalive_v4": ("203.0.113.1", 4500, "198.51.100.1", 45000, b"\xff"),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "corpus", "ikerelay")
    os.makedirs(out, exist_ok=True)
    for name, args in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(relay(*args))


if __name__ == "__main__":
    main()
