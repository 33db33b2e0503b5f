#!/usr/bin/python3
"""
xcheck_scapy.py: tunneld's ESP transform (tunneld/esp.c, through esptool)
against an independent implementation, scapy's IPsec SecurityAssociation.

usage: /usr/bin/python3 xcheck_scapy.py PATH/TO/esptool

For every algorithm the data path runs (AES-GCM-16 with 128/192/256-bit
keys, ChaCha20-Poly1305, AES-CBC 128/192/256 and NULL encryption with
HMAC-SHA1-96 and HMAC-SHA2-256/384/512) and for tunnel-mode IPv4 and IPv6
ICMP, UDP and TCP inner packets of sizes that give every padding length:

  peer->esptool  the peer encrypts; `esptool decap` must return exactly the
                 inner packet, its next header and sequence number, and
                 `esptool encap` with the peer's IV must give the same bytes.
  esptool->peer  `esptool encap` encrypts with the IV tunneld makes; the
                 peer must decrypt it to exactly the inner packet, and the
                 plaintext (decrypted with python3-cryptography) must end in
                 the padding 1, 2, 3, ..., pad length and next header.
  tamper         a flipped bit must make both sides refuse the packet.
  padding        every padding length of the cipher was produced.

The peer is scapy; ChaCha20-Poly1305 is also checked against RFC 7634 done
directly with python3-cryptography (and only that way if scapy lacks it).
Key formats: scapy, like PF_KEY, takes AES-GCM and ChaCha20-Poly1305 keys
with the 4-byte salt at the end (RFC 4106 8.1, RFC 7634 2).

ESN: the script probes what scapy covers. scapy 2.5 puts the high 32 bits
into the AEAD AAD (RFC 4106 5) but not into the HMAC input for ESP
(RFC 4303 2.2.1); where it does not, that ICV is computed with hashlib
and the line says "icv=hashlib".

Prints one line per case and "N passed, N failed"; exits 0 only if all
passed, 77 (skip) if scapy or its crypto support cannot be imported.
"""

import hashlib
import hmac
import random
import struct
import subprocess
import sys

SKIP = 77
SEED = 4303


class Enc:
    def __init__(self, tool, scapy, keylen, ivlen, align, kind):
        self.tool = tool        # setkey's name, for esptool
        self.scapy = scapy      # scapy.layers.ipsec CRYPT_ALGOS name
        self.keylen = keylen    # bytes, salt included
        self.ivlen = ivlen
        self.align = align      # the encrypted part is a multiple of this
        self.kind = kind        # "gcm", "chacha", "cbc" or "null"

    @property
    def aead(self):
        return self.kind in ("gcm", "chacha")

    @property
    def label(self):
        if self.kind == "null":
            return "null"
        bits = (self.keylen - (4 if self.aead else 0)) * 8
        return "%s-%d" % (self.tool, bits) if self.kind != "chacha" else self.tool


class Auth:
    def __init__(self, tool, scapy, keylen, icvlen, digest):
        self.tool = tool
        self.scapy = scapy
        self.keylen = keylen
        self.icvlen = icvlen
        self.digest = digest


ENCS = [
    Enc("aes-gcm-16", "AES-GCM", 20, 8, 4, "gcm"),
    Enc("aes-gcm-16", "AES-GCM", 28, 8, 4, "gcm"),
    Enc("aes-gcm-16", "AES-GCM", 36, 8, 4, "gcm"),
    Enc("chacha20-poly1305", "CHACHA20-POLY1305", 36, 8, 4, "chacha"),
    Enc("aes-cbc", "AES-CBC", 16, 16, 16, "cbc"),
    Enc("aes-cbc", "AES-CBC", 24, 16, 16, "cbc"),
    Enc("aes-cbc", "AES-CBC", 32, 16, 16, "cbc"),
    Enc("null", "NULL", 0, 0, 4, "null"),
]

AUTHS = [
    Auth("hmac-sha1", "HMAC-SHA1-96", 20, 12, hashlib.sha1),
    Auth("hmac-sha256", "SHA2-256-128", 32, 16, hashlib.sha256),
    Auth("hmac-sha384", "SHA2-384-192", 48, 24, hashlib.sha384),
    Auth("hmac-sha512", "SHA2-512-256", 64, 32, hashlib.sha512),
]


class Refused(Exception):
    """The peer refused a packet (integrity or format)."""


class Config:
    """One SA: algorithms, keys and SPI."""

    def __init__(self, enc, auth, rng):
        self.enc = enc
        self.auth = auth
        self.ekey = rng.randbytes(enc.keylen)
        self.akey = rng.randbytes(auth.keylen) if auth else b""
        self.spi = rng.randrange(0x100, 1 << 32)
        self.icvlen = 16 if enc.aead else auth.icvlen
        self.name = enc.label + ("/" + auth.tool if auth else "")

    def tool_args(self, seq, esn):
        return [self.enc.tool, self.ekey.hex() or "-",
                self.auth.tool if self.auth else "-", self.akey.hex() or "-",
                "0x%08x" % self.spi, str(seq), "1" if esn else "0"]

    def padlen(self, inner_len):
        return -(inner_len + 2) % self.enc.align

    def esp_len(self, inner_len):
        return (8 + self.enc.ivlen + inner_len + self.padlen(inner_len) + 2 +
                self.icvlen)

    def hmac_icv(self, esp_noicv, seq, esn):
        """RFC 4303 2.2.1 / 3.3.2: HMAC over the packet, then ESN high bits."""
        msg = esp_noicv + (struct.pack("!I", seq >> 32) if esn else b"")
        mac = hmac.new(self.akey, msg, self.auth.digest).digest()
        return mac[:self.auth.icvlen]


def aad(cfg, seq, esn):
    """RFC 4106 5 / RFC 7634 2.1: SPI, [ESN high,] sequence low."""
    if esn:
        return struct.pack("!III", cfg.spi, seq >> 32, seq & 0xffffffff)
    return struct.pack("!II", cfg.spi, seq & 0xffffffff)


def aead_cipher(cfg):
    from cryptography.hazmat.primitives.ciphers import aead
    key = cfg.ekey[:-4]
    return aead.AESGCM(key) if cfg.enc.kind == "gcm" else aead.ChaCha20Poly1305(key)


def plaintext(cfg, esp, seq, esn):
    """
    Authenticates esp with python3-cryptography/hashlib alone and returns
    the decrypted part (payload, padding, pad length, next header).
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    ivlen, icvlen = cfg.enc.ivlen, cfg.icvlen
    if len(esp) < 8 + ivlen + icvlen:
        raise Refused("shorter than header, IV and ICV")
    iv, body = esp[8:8 + ivlen], esp[8 + ivlen:]
    if cfg.enc.aead:
        try:
            return aead_cipher(cfg).decrypt(cfg.ekey[-4:] + iv, body, aad(cfg, seq, esn))
        except InvalidTag:
            raise Refused("AEAD tag does not verify") from None
    ct, icv = body[:-icvlen], body[-icvlen:]
    if not hmac.compare_digest(icv, cfg.hmac_icv(esp[:-icvlen], seq, esn)):
        raise Refused("HMAC does not verify")
    if cfg.enc.kind == "null":
        return ct
    dec = Cipher(algorithms.AES(cfg.ekey), modes.CBC(iv)).decryptor()
    return dec.update(ct) + dec.finalize()


def trailer(cfg, payload, nh):
    pad = cfg.padlen(len(payload))
    return payload + bytes(range(1, pad + 1)) + bytes([pad, nh])


class ScapyPeer:
    """scapy's SecurityAssociation in tunnel mode."""

    label = "scapy"

    def __init__(self, cfg, caps, scapy):
        self.cfg = cfg
        self.s = scapy
        # scapy's own ESN support for this SA's kind of integrity.
        self.esn_native = caps["aead_esn"] if cfg.enc.aead else caps["hmac_esn"]

    def esn_ok(self):
        return self.esn_native or not self.cfg.enc.aead

    def note(self, esn):
        return " icv=hashlib" if esn and not self.esn_native else ""

    def sa(self, seq, esn, outer):
        c, kw = self.cfg, {}
        if esn:
            kw = {"esn_en": True, "esn": seq >> 32}
        return self.s.SecurityAssociation(
            self.s.ESP, spi=c.spi, seq_num=seq & 0xffffffff,
            crypt_algo=c.enc.scapy, crypt_key=c.ekey or None,
            auth_algo=c.auth.scapy if c.auth else None, auth_key=c.akey or None,
            tunnel_header=outer, **kw)

    def encrypt(self, inner, seq, esn, iv, outer):
        cls = self.s.IP if inner[0] >> 4 == 4 else self.s.IPv6
        pkt = self.sa(seq, esn, outer).encrypt(cls(inner), iv=iv)
        esp = bytes(pkt[self.s.ESP])
        if esn and not self.esn_native:
            esp = esp[:-self.cfg.icvlen]
            esp += self.cfg.hmac_icv(esp, seq, esn)
        return esp

    def decrypt(self, esp, seq, esn, outer):
        cfg, s = self.cfg, self.s
        pkt = outer.__class__(bytes(outer.__class__(**outer_fields(outer), **{
            "proto" if isinstance(outer, s.IP) else "nh": 50}) / s.Raw(esp)))
        verify = True
        if esn and not self.esn_native:
            # scapy would check the ICV without the ESN high bits.
            icv = esp[-cfg.icvlen:]
            if not hmac.compare_digest(icv, cfg.hmac_icv(esp[:-cfg.icvlen], seq, esn)):
                raise Refused("HMAC (with ESN high bits, hashlib) does not verify")
            if pkt[s.ESP].spi != cfg.spi:
                raise Refused("SPI differs")
            verify = False
        try:
            inner = self.sa(seq, esn, outer).decrypt(pkt, verify=verify)
        except s.IPSecIntegrityError as e:
            raise Refused("scapy: IPSecIntegrityError %s" % str(e)[:80]) from None
        nh = pkt.proto if isinstance(pkt, s.IP) else pkt.nh
        return bytes(inner), nh


class Rfc7634Peer:
    """RFC 4106 / RFC 7634 ESP written here over python3-cryptography's AEADs."""

    label = "rfc7634"

    def __init__(self, cfg):
        self.cfg = cfg

    def esn_ok(self):
        return True

    def note(self, esn):
        return ""

    def encrypt(self, inner, seq, esn, iv, outer):
        cfg = self.cfg
        nh = 4 if inner[0] >> 4 == 4 else 41
        ct = aead_cipher(cfg).encrypt(cfg.ekey[-4:] + iv, trailer(cfg, inner, nh),
                                      aad(cfg, seq, esn))
        return struct.pack("!II", cfg.spi, seq & 0xffffffff) + iv + ct

    def decrypt(self, esp, seq, esn, outer):
        if struct.unpack("!I", esp[:4])[0] != self.cfg.spi:
            raise Refused("SPI differs")
        pt = plaintext(self.cfg, esp, seq, esn)
        pad, nh = pt[-2], pt[-1]
        if pad + 2 > len(pt) or pt[-2 - pad:-2] != bytes(range(1, pad + 1)):
            raise Refused("bad padding")
        return pt[:-2 - pad], nh


def outer_fields(outer):
    return {"src": outer.src, "dst": outer.dst}


class Runner:
    def __init__(self, tool):
        self.tool = tool
        self.passed = 0
        self.failed = 0

    def esptool(self, args):
        r = subprocess.run([self.tool] + args, capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout, r.stderr.strip()

    def result(self, name, problems):
        if not problems:
            self.passed += 1
            print("ok   " + name)
            return
        self.failed += 1
        print("FAIL " + name + ": " + problems[0])
        for p in problems[1:]:
            print("     " + p)


def cmdline(args):
    return "esptool " + " ".join(args)


def decap_check(run, cfg, esp, seq, esn, inner, nh):
    """esptool decap of esp must give inner, nh and seq; returns problems."""
    args = ["decap"] + cfg.tool_args(seq, esn) + [esp.hex()]
    rc, out, err = run.esptool(args)
    if rc != 0:
        return ["esptool decap refused the packet: %s" % err, cmdline(args)]
    got = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    want = {"inner": inner.hex(), "next_header": str(nh), "seq": str(seq)}
    bad = ["%s: got %s, want %s" % (k, got.get(k), want[k])
           for k in ("inner", "next_header", "seq") if got.get(k) != want[k]]
    return ["esptool decap: " + b for b in bad] + ([cmdline(args)] if bad else [])


def case_peer_to_tool(run, cfg, peer, pk, rng):
    """The peer encrypts, esptool decrypts and re-encrypts with the same IV."""
    iv = rng.randbytes(cfg.enc.ivlen)
    esp = peer.encrypt(pk.inner, pk.seq, pk.esn, iv, pk.outer)
    problems = []
    if len(esp) != cfg.esp_len(len(pk.inner)):
        problems.append("%s made %d bytes, want %d" % (peer.label, len(esp),
                                                       cfg.esp_len(len(pk.inner))))
    problems += decap_check(run, cfg, esp, pk.seq, pk.esn, pk.inner, pk.nh)
    args = ["encap"] + cfg.tool_args(pk.seq, pk.esn) + [pk.inner.hex(), iv.hex() or "-"]
    rc, out, err = run.esptool(args)
    if rc != 0:
        problems += ["esptool encap with the peer's IV failed: %s" % err, cmdline(args)]
    elif out.strip() != esp.hex():
        problems += ["esptool encap with the peer's IV differs from " + peer.label,
                     "esptool: " + out.strip(), "%s: %s" % (peer.label, esp.hex()),
                     cmdline(args)]
    return esp, problems


def case_tool_to_peer(run, cfg, peer, pk, pads):
    """esptool encrypts with its own IV; the peer and the trailer check decrypt."""
    args = ["encap"] + cfg.tool_args(pk.seq, pk.esn) + [pk.inner.hex()]
    rc, out, err = run.esptool(args)
    if rc != 0:
        return None, ["esptool encap failed: %s" % err, cmdline(args)]
    esp = bytes.fromhex(out.strip())
    detail = ["esp " + esp.hex(), cmdline(args)]
    problems = []
    if len(esp) != cfg.esp_len(len(pk.inner)):
        problems.append("length %d, want %d" % (len(esp), cfg.esp_len(len(pk.inner))))
    if esp[:8] != struct.pack("!II", cfg.spi, pk.seq & 0xffffffff):
        problems.append("header %s, want SPI and sequence low" % esp[:8].hex())
    try:
        pt = plaintext(cfg, esp, pk.seq, pk.esn)
        if pt != trailer(cfg, pk.inner, pk.nh):
            problems += ["plaintext is not payload || 1, 2, .. || pad length || nh",
                         "got  " + pt.hex(), "want " + trailer(cfg, pk.inner, pk.nh).hex()]
        pads.add(cfg.padlen(len(pk.inner)))
    except Refused as e:
        problems.append("python3-cryptography check: %s" % e)
    try:
        inner, nh = peer.decrypt(esp, pk.seq, pk.esn, pk.outer)
        if inner != pk.inner:
            problems += ["%s decrypted other bytes" % peer.label, "got " + inner.hex()]
        if nh != pk.nh:
            problems.append("%s saw next header %d, want %d" % (peer.label, nh, pk.nh))
    except Refused as e:
        problems.append("%s refused it: %s" % (peer.label, e))
    return esp, problems + (detail if problems else [])


def flip(esp, at):
    b = bytearray(esp)
    b[at] ^= 0x01
    return bytes(b)


def case_tamper(run, cfg, peer, pk, peer_esp, tool_esp):
    """A bit flipped in the ciphertext or the ICV must fail the ICV check."""
    problems = []
    for at in (8 + cfg.enc.ivlen, len(peer_esp) - 1):
        args = ["decap"] + cfg.tool_args(pk.seq, pk.esn) + [flip(peer_esp, at).hex()]
        rc, _, err = run.esptool(args)
        if rc != 1 or "ESP_E_ICV" not in err:
            problems += ["esptool decap of a tampered packet (byte %d): rc %d, %r"
                         % (at, rc, err), cmdline(args)]
    for at in (8 + cfg.enc.ivlen, len(tool_esp) - 1):
        try:
            peer.decrypt(flip(tool_esp, at), pk.seq, pk.esn, pk.outer)
            problems.append("%s accepted a tampered packet (byte %d)" % (peer.label, at))
        except Refused:
            pass
    return problems


class Packet:
    def __init__(self, desc, inner, nh, seq, esn, outer):
        self.desc, self.inner, self.nh = desc, inner, nh
        self.seq, self.esn, self.outer = seq, esn, outer


SEQS = [1, 2, 0x7fffffff, 0x80000000, 0xffffffff]
ESN_SEQS = [1 << 32, (3 << 32) | 0xffffffff, (0xfffffffe << 32) | 5, (7 << 32) | 0x80000000]


def inner_packet(s, fam, proto, size, rng):
    """An inner packet of exactly size bytes."""
    if fam == 4:
        ip, hlen = s.IP(src="192.0.2.10", dst="198.51.100.20", id=rng.randrange(65536)), 20
    else:
        ip, hlen = s.IPv6(src="2001:db8:a::10", dst="2001:db8:b::20"), 40
    fill = bytes((rng.randrange(256) for _ in range(size)))
    if proto == "icmp":
        n = size - hlen - 8
        l4 = (s.ICMP(id=7, seq=n) / s.Raw(fill[:n]) if fam == 4 else
              s.ICMPv6EchoRequest(id=7, seq=n, data=fill[:n]))
    elif proto == "udp":
        n = size - hlen - 8
        l4 = s.UDP(sport=rng.randrange(1024, 65536), dport=53) / s.Raw(fill[:n])
    else:
        n = size - hlen - 20
        l4 = s.TCP(sport=rng.randrange(1024, 65536), dport=443, flags="PA",
                   seq=rng.randrange(1 << 32)) / s.Raw(fill[:n])
    raw = bytes(ip / l4)
    assert len(raw) == size, (fam, proto, size, len(raw))
    return raw


def packets(s, rng):
    """IPv4 and IPv6 packets whose sizes give every residue mod 16, and big ones."""
    out, k = [], 0
    outers = [s.IP(src="203.0.113.1", dst="203.0.113.2"),
              s.IPv6(src="2001:db8:ffff::1", dst="2001:db8:ffff::2")]
    for fam in (4, 6):
        base = 40 if fam == 4 else 60          # room for a TCP header
        sizes = [base - 12] + list(range(base, base + 16)) + [576, 1280, 1500, 4000]
        for size in sizes:
            proto = ("icmp", "udp", "tcp")[k % 3] if size >= base else "icmp"
            esn = k % 2 == 1
            seq = ESN_SEQS[k // 2 % len(ESN_SEQS)] if esn else SEQS[k // 2 % len(SEQS)]
            inner = inner_packet(s, fam, proto, size, rng)
            outer = outers[k % 2 ^ (k // 4) % 2]
            desc = "v%d-%s len=%d esn=%d seq=0x%x outer=v%d" % (
                fam, proto, size, esn, seq, outer.version)
            out.append(Packet(desc, inner, 4 if fam == 4 else 41, seq, esn, outer))
            k += 1
    return out


def probe_esn(s):
    """What scapy covers of ESN: the AEAD AAD, the HMAC input, or neither."""
    def esp(crypt, ckey, auth, akey, esn_en):
        sa = s.SecurityAssociation(s.ESP, spi=1, seq_num=1, crypt_algo=crypt,
                                   crypt_key=ckey, auth_algo=auth, auth_key=akey,
                                   esn_en=esn_en, esn=1)
        iv = bytes(sa.crypt_algo.iv_size)
        return bytes(sa.encrypt(s.IP() / s.ICMP(), iv=iv)[s.ESP])
    try:
        return {
            "aead_esn": (esp("AES-GCM", bytes(20), None, None, True) !=
                         esp("AES-GCM", bytes(20), None, None, False)),
            "hmac_esn": (esp("NULL", None, "HMAC-SHA1-96", bytes(20), True) !=
                         esp("NULL", None, "HMAC-SHA1-96", bytes(20), False)),
        }
    except TypeError:
        return {"aead_esn": False, "hmac_esn": False}


def import_scapy():
    """The scapy names used here as attributes of one object, or exit 77."""
    try:
        from scapy.config import conf
        conf.verb = 0
        from scapy.layers import inet, inet6, ipsec
        from scapy.packet import Raw
        import scapy
    except ImportError as e:
        print("SKIP: scapy cannot be imported by %s (%s); install python3-scapy"
              % (sys.executable, e))
        sys.exit(SKIP)
    if "AES-GCM" not in ipsec.CRYPT_ALGOS or "SHA2-256-128" not in ipsec.AUTH_ALGOS:
        print("SKIP: scapy %s has no AES-GCM/HMAC-SHA2 (python3-cryptography missing?)"
              % scapy.VERSION)
        sys.exit(SKIP)

    class S:
        pass
    for mod, names in ((inet, "IP ICMP TCP UDP"), (inet6, "IPv6 ICMPv6EchoRequest"),
                       (ipsec, "ESP SecurityAssociation IPSecIntegrityError CRYPT_ALGOS")):
        for n in names.split():
            setattr(S, n, getattr(mod, n))
    S.Raw, S.VERSION = Raw, scapy.VERSION
    return S


def peers_for(cfg, s, caps):
    peers = []
    if cfg.enc.scapy in s.CRYPT_ALGOS:
        peers.append(ScapyPeer(cfg, caps, s))
    if cfg.enc.kind == "chacha":
        peers.append(Rfc7634Peer(cfg))
    return peers


def run_config(run, cfg, s, caps, pkts, rng):
    for peer in peers_for(cfg, s, caps):
        pads, last = set(), None
        for pk in pkts:
            if pk.esn and not peer.esn_ok():
                print("skip %s %s %s: scapy has no ESN for AEADs" % (cfg.name, peer.label,
                                                                     pk.desc))
                continue
            tag = "%s %s %s%s" % (cfg.name, peer.label, pk.desc, peer.note(pk.esn))
            peer_esp, p1 = case_peer_to_tool(run, cfg, peer, pk, rng)
            run.result(tag + " peer->esptool", p1)
            tool_esp, p2 = case_tool_to_peer(run, cfg, peer, pk, pads)
            run.result(tag + " esptool->peer", p2)
            last = (pk, peer_esp, tool_esp)
        if last is not None and last[2] is not None:
            pk, peer_esp, tool_esp = last
            run.result("%s %s %s tamper" % (cfg.name, peer.label, pk.desc),
                       case_tamper(run, cfg, peer, pk, peer_esp, tool_esp))
        want = set(range(cfg.enc.align))
        run.result("%s %s padding lengths %s seen" % (cfg.name, peer.label, sorted(want)),
                   [] if pads == want else ["only %s" % sorted(pads)])


def main(argv):
    if len(argv) != 2:
        print("usage: %s PATH/TO/esptool" % argv[0], file=sys.stderr)
        return 2
    s = import_scapy()
    caps = probe_esn(s)
    print("# scapy %s from %s" % (s.VERSION, sys.executable))
    print("# ChaCha20-Poly1305: %s; also checked against RFC 7634 over python3-cryptography"
          % ("in scapy.layers.ipsec" if "CHACHA20-POLY1305" in s.CRYPT_ALGOS
             else "NOT in this scapy's scapy.layers.ipsec, so only"))
    print("# ESN in scapy: AEAD AAD %s; HMAC input for ESP %s%s" % (
        "yes" if caps["aead_esn"] else "NO (AEAD ESN cases skipped for scapy)",
        "yes" if caps["hmac_esn"] else "NO",
        "" if caps["hmac_esn"] else " (those ICVs come from hashlib: icv=hashlib)"))
    rng = random.Random(SEED)
    run = Runner(argv[1])
    pkts = packets(s, rng)
    configs = [Config(e, None, rng) for e in ENCS if e.aead]
    configs += [Config(e, a, rng) for e in ENCS if not e.aead for a in AUTHS]
    for cfg in configs:
        try:
            run_config(run, cfg, s, caps, pkts, rng)
        except Exception as e:      # a crash in one SA must not hide the others
            run.result(cfg.name + " (aborted)", ["%s: %s" % (type(e).__name__, e)])
    print("%d passed, %d failed" % (run.passed, run.failed))
    return 0 if run.failed == 0 and run.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
