#!/usr/bin/env python3
"""Generates tests/ike_exchange/vectors_exchange.h: one complete IKEv2
exchange (IKE_SA_INIT and IKE_AUTH with a pre-shared key) computed apart
from ikd/, with Python's struct/hmac/hashlib and the 'cryptography'
package (X25519, AES-GCM), straight from the RFCs:

  RFC 7296 3.1-3.14  header, SA, KE, Nonce, Notify, ID, AUTH, TS, SK layouts
  RFC 7296 2.13-2.17 prf+, SKEYSEED, SK_*, child KEYMAT
  RFC 7296 2.15      shared-key AUTH
  RFC 7296 2.23      NAT_DETECTION_*_IP hashes
  RFC 5282 5.1       AES-GCM in SK: nonce = salt | IV, AAD = header..IV
  RFC 7748 6.1       the two X25519 private keys

The inputs (SPIs, nonces, private keys, PSK, ESP SPIs) are what
test_ike_exchange.c feeds the two daemons through their mock RNG, DH hook
and data path; the outputs are the four datagrams and the keys the test
expects, byte for byte. The choices an implementation makes where the
RFCs leave room are ikd's documented ones: payload order as in
exch_init.h/exch_auth.h, transforms answered in type order, no padding
with AES-GCM (block size 1), the AEAD IV a per-SA counter starting at 1.

    gen_exchange.py            print the header on stdout
    gen_exchange.py --check F  exit 1 if F differs from what would be printed
                               (77, meson's "skipped", without 'cryptography')
"""
import hashlib
import hmac
import ipaddress
import struct
import sys

try:
    from cryptography.hazmat.primitives.asymmetric import x25519
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives import serialization
except ImportError:  # pragma: no cover - depends on the host
    x25519 = AESGCM = serialization = None


def unhex(s):
    return bytes.fromhex("".join(s.split()))


# ---------------------------------------------------------------- inputs

SPII = 0x5c0ffee0d15ea5e1
SPIR = 0x0badcafe8badf00d
NI = bytes(range(0x10, 0x30))
NR = bytes(range(0xa0, 0xc0))
# RFC 7748 6.1: Alice's and Bob's private keys.
PRIV_I = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
PRIV_R = unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
PUB_I_RFC = unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
PUB_R_RFC = unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
SHARED_RFC = unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
PSK = b"correct horse battery staple"
ADDR_I = "192.0.2.1"
ADDR_R = "192.0.2.2"
PORT = 500
ESP_SPI_I = 0xc1000001
ESP_SPI_R = 0xc2000001
NET_I = ("10.1.0.0", "10.1.255.255")
NET_R = ("10.2.0.0", "10.2.255.255")

# ---------------------------------------------------------------- numbers

PT_SA, PT_KE, PT_IDI, PT_IDR, PT_AUTH, PT_NONCE, PT_NOTIFY = 33, 34, 35, 36, 39, 40, 41
PT_TSI, PT_TSR, PT_SK = 44, 45, 46
EXCH_SA_INIT, EXCH_AUTH = 34, 35
FLAG_I, FLAG_R = 0x08, 0x20
N_NATD_SRC, N_NATD_DST = 16388, 16389
ENCR_AES_GCM_16, PRF_HMAC_SHA2_256, DH_31 = 20, 5, 31
XF_ENCR, XF_PRF, XF_KE, XF_ESN = 1, 2, 4, 5
ID_IPV4_ADDR, AUTH_SHARED_KEY = 1, 2
PROTO_IKE, PROTO_ESP = 1, 3


# ---------------------------------------------------------------- encoding

def ip(a):
    return ipaddress.ip_address(a).packed


def transform(ttype, tid, keylen=None, last=False):
    attrs = struct.pack("!HH", 0x8000 | 14, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0,
                       tid) + attrs


def proposal(num, proto, spi, xforms):
    body = struct.pack("!BBBB", num, proto, len(spi), len(xforms)) + spi
    body += b"".join(transform(*x, last=(i == len(xforms) - 1))
                     for i, x in enumerate(xforms))
    return struct.pack("!BBH", 0, 0, 4 + len(body)) + body


def notify(ntype, data):
    return struct.pack("!BBH", 0, 0, ntype) + data


def ident(addr):
    return struct.pack("!B3x", ID_IPV4_ADDR) + ip(addr)


def ts_payload(net):
    sel = struct.pack("!BBHHH", 7, 0, 16, 0, 65535) + ip(net[0]) + ip(net[1])
    return struct.pack("!B3x", 1) + sel


def chain(payloads):
    """Generic headers with each Next Payload naming the following one."""
    out = b""
    for i, (_, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return out


def header(spir, nxt, exch, flags, msgid, length):
    return struct.pack("!QQBBBBII", SPII, spir, nxt, 0x20, exch, flags, msgid, length)


def clear_message(spir, exch, flags, payloads):
    body = chain(payloads)
    return header(spir, payloads[0][0], exch, flags, 0, 28 + len(body)) + body


def sk_message(exch, flags, msgid, payloads, sk_e, iv):
    """RFC 5282 5.1: AES-GCM-16; no padding, Pad Length 0."""
    plain = chain(payloads) + b"\x00"
    sk_len = 4 + len(iv) + len(plain) + 16
    aad = header(SPIR, PT_SK, exch, flags, msgid, 28 + sk_len)
    aad += struct.pack("!BBH", payloads[0][0], 0, sk_len)
    ct = AESGCM(sk_e[:-4]).encrypt(sk_e[-4:] + iv, plain, aad)
    return aad + iv + ct


# ---------------------------------------------------------------- crypto

def prf(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def prf_plus(key, seed, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = prf(key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:n]


def natd(spir, addr, port):
    return hashlib.sha1(struct.pack("!QQ", SPII, spir) + ip(addr) +
                        struct.pack("!H", port)).digest()


def psk_auth(sk_p, msg, nonce, id_body):
    return prf(prf(PSK, b"Key Pad for IKEv2"), msg + nonce + prf(sk_p, id_body))


def x25519_pub(priv):
    k = x25519.X25519PrivateKey.from_private_bytes(priv)
    return k.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)


def x25519_shared(priv, pub):
    k = x25519.X25519PrivateKey.from_private_bytes(priv)
    return k.exchange(x25519.X25519PublicKey.from_public_bytes(pub))


# ---------------------------------------------------------------- exchange

def compute():
    v = {}
    pub_i, pub_r = x25519_pub(PRIV_I), x25519_pub(PRIV_R)
    gir = x25519_shared(PRIV_I, pub_r)
    assert (pub_i, pub_r, gir) == (PUB_I_RFC, PUB_R_RFC, SHARED_RFC)
    assert x25519_shared(PRIV_R, pub_i) == gir

    ike_offer = [(XF_ENCR, ENCR_AES_GCM_16, 256), (XF_PRF, PRF_HMAC_SHA2_256),
                 (XF_KE, DH_31)]
    msg1 = clear_message(0, EXCH_SA_INIT, FLAG_I, [
        (PT_SA, proposal(1, PROTO_IKE, b"", ike_offer)),
        (PT_KE, struct.pack("!HH", DH_31, 0) + pub_i),
        (PT_NONCE, NI),
        (PT_NOTIFY, notify(N_NATD_SRC, natd(0, ADDR_I, PORT))),
        (PT_NOTIFY, notify(N_NATD_DST, natd(0, ADDR_R, PORT))),
    ])
    msg2 = clear_message(SPIR, EXCH_SA_INIT, FLAG_R, [
        (PT_SA, proposal(1, PROTO_IKE, b"", ike_offer)),
        (PT_KE, struct.pack("!HH", DH_31, 0) + pub_r),
        (PT_NONCE, NR),
        (PT_NOTIFY, notify(N_NATD_SRC, natd(SPIR, ADDR_R, PORT))),
        (PT_NOTIFY, notify(N_NATD_DST, natd(SPIR, ADDR_I, PORT))),
    ])

    skeyseed = prf(NI + NR, gir)
    keys = prf_plus(skeyseed, NI + NR + struct.pack("!QQ", SPII, SPIR), 32 + 36 * 2 + 64)
    sk_d, sk_ei, sk_er = keys[:32], keys[32:68], keys[68:104]
    sk_pi, sk_pr = keys[104:136], keys[136:168]

    esp = [(XF_ENCR, ENCR_AES_GCM_16, 256), (XF_ESN, 0)]
    idi, idr = ident(ADDR_I), ident(ADDR_R)
    auth_i = psk_auth(sk_pi, msg1, NR, idi)
    auth_r = psk_auth(sk_pr, msg2, NI, idr)
    iv1 = struct.pack("!Q", 1)
    msg3 = sk_message(EXCH_AUTH, FLAG_I, 1, [
        (PT_IDI, idi),
        (PT_AUTH, struct.pack("!B3x", AUTH_SHARED_KEY) + auth_i),
        (PT_SA, proposal(1, PROTO_ESP, struct.pack("!I", ESP_SPI_I), esp)),
        (PT_TSI, ts_payload(NET_I)),
        (PT_TSR, ts_payload(NET_R)),
    ], sk_ei, iv1)
    msg4 = sk_message(EXCH_AUTH, FLAG_R, 1, [
        (PT_IDR, idr),
        (PT_AUTH, struct.pack("!B3x", AUTH_SHARED_KEY) + auth_r),
        (PT_SA, proposal(1, PROTO_ESP, struct.pack("!I", ESP_SPI_R), esp)),
        (PT_TSI, ts_payload(NET_I)),
        (PT_TSR, ts_payload(NET_R)),
    ], sk_er, iv1)

    keymat = prf_plus(sk_d, NI + NR, 2 * 36)
    v.update(MSG1=msg1, MSG2=msg2, MSG3=msg3, MSG4=msg4, SK_D=sk_d, SK_EI=sk_ei,
             SK_ER=sk_er, SK_PI=sk_pi, SK_PR=sk_pr, AUTH_I=auth_i, AUTH_R=auth_r,
             CHILD_ENC_I=keymat[:36], CHILD_ENC_R=keymat[36:],
             NATD_HASH=natd(0, ADDR_I, PORT))
    return v


def emit():
    v = compute()
    out = ["/*",
           " * vectors_exchange.h: generated by gen_exchange.py; do not edit.",
           " * One IKE_SA_INIT + IKE_AUTH exchange computed apart from ikd/.",
           " */",
           "#ifndef VECTORS_EXCHANGE_H",
           "#define VECTORS_EXCHANGE_H",
           "",
           "#define VEC_SPII\t\tUINT64_C(0x%016x)" % SPII,
           "#define VEC_SPIR\t\tUINT64_C(0x%016x)" % SPIR,
           "#define VEC_ESP_SPI_I\t\t0x%08xu" % ESP_SPI_I,
           "#define VEC_ESP_SPI_R\t\t0x%08xu" % ESP_SPI_R,
           "#define VEC_PSK\t\t\t\"%s\"" % PSK.decode(),
           "#define VEC_NATD_SPII\t\tVEC_SPII",
           "#define VEC_NATD_SPIR\t\t0",
           "#define VEC_NATD_ADDR\t\t\"%s\"" % ADDR_I,
           "#define VEC_NATD_PORT\t\t%d" % PORT]
    hexes = [("NI", NI), ("NR", NR), ("PRIV_I", PRIV_I), ("PRIV_R", PRIV_R)]
    hexes += sorted(v.items())
    for name, data in hexes:
        h = data.hex()
        lines = [h[i:i + 64] for i in range(0, len(h), 64)]
        out.append("#define VEC_%s \\" % name)
        out += ["\t\"%s\"%s" % (ln, " \\" if i + 1 < len(lines) else "")
                for i, ln in enumerate(lines)]
    out += ["", "#endif"]
    return "\n".join(out) + "\n"


def main(argv):
    if x25519 is None:
        print("gen_exchange.py: needs the 'cryptography' package", file=sys.stderr)
        return 77 if "--check" in argv else 1
    text = emit()
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2], encoding="ascii") as f:
            if f.read() != text:
                print("%s is stale: run gen_exchange.py > %s" % (argv[2], argv[2]),
                      file=sys.stderr)
                return 1
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
