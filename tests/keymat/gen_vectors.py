#!/usr/bin/env python3
"""Generates tests/keymat/vectors.h: expected values for test_keymat.c and
test_dh.c computed apart from ikd/, with Python's hmac/hashlib and the
'cryptography' package (X25519, P-256/P-384) and plain integer arithmetic
(MODP).

Published vectors are copied into this file from their RFCs and checked
here against the independent implementation before they are emitted; the
rest (prf+, the full key derivation, PSK AUTH) exists only as computed by
this script.

    gen_vectors.py            print the header on stdout
    gen_vectors.py --check F  exit 1 if F differs from what would be printed
                              (77, meson's "skipped", without 'cryptography')
"""
import hashlib
import hmac
import sys

try:
    from cryptography.hazmat.primitives.asymmetric import ec, x25519
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
except ImportError:  # pragma: no cover - depends on the host
    ec = x25519 = None


def unhex(s):
    return bytes.fromhex("".join(s.split()))


# ---------------------------------------------------------------- MODP

def pi_fixed(bits):
    """floor(pi * 2**bits) via Machin's formula, with guard bits."""
    guard = 64
    one = 1 << (bits + guard)

    def atan_inv(x):
        total, term, n, sign = 0, one // x, 1, 1
        x2 = x * x
        while term:
            total += sign * (term // n)
            term //= x2
            n += 2
            sign = -sign
        return total

    return (16 * atan_inv(5) - 4 * atan_inv(239)) >> guard


def rfc3526_prime(bits, offset):
    """RFC 3526: p = 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + offset)."""
    return (2 ** bits - 2 ** (bits - 64) - 1 +
            2 ** 64 * (pi_fixed(bits - 130) + offset))


MODP = {
    14: rfc3526_prime(2048, 124476),
    15: rfc3526_prime(3072, 1690314),
    16: rfc3526_prime(4096, 240904),
}

# The start of RFC 3526 section 3 as printed, to catch a formula slip.
MODP2048_HEAD = unhex("FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1")
MODP2048_TAIL = unhex("15728E5A 8AACAA68 FFFFFFFF FFFFFFFF")


def check_modp():
    for group, p in MODP.items():
        n = (p.bit_length() + 7) // 8
        assert p.bit_length() in (2048, 3072, 4096), group
        # Safe prime: p and (p-1)/2 pass a Fermat test to base 2 and 3.
        for b in (2, 3):
            assert pow(b, p - 1, p) == 1, group
            q = (p - 1) // 2
            assert pow(b, q - 1, q) == 1, group
        assert p.to_bytes(n, "big")[:24] == MODP2048_HEAD
    p14 = MODP[14].to_bytes(256, "big")
    assert p14[-16:] == MODP2048_TAIL


# ---------------------------------------------------------------- PRF

HASH = {2: hashlib.sha1, 5: hashlib.sha256, 6: hashlib.sha384, 7: hashlib.sha512}


def prf(alg, key, data):
    return hmac.new(key, data, HASH[alg]).digest()


def prf_plus(alg, key, seed, length):
    out, t, n = b"", b"", 1
    while len(out) < length:
        t = prf(alg, key, t + seed + bytes([n]))
        out += t
        n += 1
    return out[:length]


# RFC 4868 2.7.1 (the HMAC-SHA-2 cases of RFC 4231 used as PRFs).
PRF_CASES = [
    ("PRF-1", "0b" * 20, b"Hi There".hex()),
    ("PRF-2", b"Jefe".hex(), b"what do ya want for nothing?".hex()),
    ("PRF-3", "aa" * 20, "dd" * 50),
    ("PRF-4", "0102030405060708090a0b0c0d0e0f10111213141516171819", "cd" * 50),
    ("PRF-5", "aa" * 131,
     b"Test Using Larger Than Block-Size Key - Hash Key First".hex()),
    ("PRF-6", "aa" * 131,
     (b"This is a test using a larger than block-size key and a larger "
      b"than block-size data. The key needs to be hashed before being "
      b"used by the HMAC algorithm.").hex()),
]

# As printed in RFC 4868 2.7.1; every case is recomputed below.
PRF_RFC = {
    ("PRF-1", 5): "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ("PRF-2", 5): "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ("PRF-3", 5): "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    ("PRF-4", 5): "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    ("PRF-5", 5): "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ("PRF-6", 5): "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ("PRF-1", 6): "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                  "faea9ea9076ede7f4af152e8b2fa9cb6",
    ("PRF-1", 7): "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
}

# ---------------------------------------------------------------- DH

# RFC 7748 5.2: (scalar, u, output).
X25519_52 = [
    ("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
     "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
     "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
    ("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
     "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
     "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
]
# RFC 7748 6.1.
X25519_A = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
X25519_A_PUB = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
X25519_B = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
X25519_B_PUB = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
X25519_K = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

# RFC 5903 8.1 and 8.2.
ECP = {
    19: dict(
        i="C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
        gix="DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
        giy="5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
        r="C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
        grx="D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
        gry="56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
        girx="D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE"),
    20: dict(
        i="099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
          "E35B5380 41E649EE 3FAEF896 783AB194",
        gix="667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
            "DE3AC808 ACB4BDB4 C88732AE E95F41AA",
        giy="9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E"
            "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
        r="41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
          "E0308312 916B8ED2 960E4BD5 5A7448FC",
        grx="E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
            "0D1AC43A 0336DEF9 6FDA41D0 774A3571",
        gry="DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF"
            "F83FA401 42209DFF 5EAAD96D B9E6386C",
        girx="11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
             "D6031355 69B9E9D0 9CF5D4A2 70F59746"),
}


def x25519_shared(priv, pub):
    k = x25519.X25519PrivateKey.from_private_bytes(unhex(priv))
    return k.exchange(x25519.X25519PublicKey.from_public_bytes(unhex(pub)))


def x25519_public(priv):
    k = x25519.X25519PrivateKey.from_private_bytes(unhex(priv))
    # public_bytes_raw() needs cryptography 40; Debian 12 ships 38.
    return k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def ecp_public(group, priv):
    curve = ec.SECP256R1() if group == 19 else ec.SECP384R1()
    n = ec.derive_private_key(int.from_bytes(unhex(priv), "big"), curve).public_key()
    nums = n.public_numbers()
    size = 32 if group == 19 else 48
    return nums.x.to_bytes(size, "big") + nums.y.to_bytes(size, "big")


def ecp_shared(group, priv, peer):
    curve = ec.SECP256R1() if group == 19 else ec.SECP384R1()
    size = 32 if group == 19 else 48
    k = ec.derive_private_key(int.from_bytes(unhex(priv), "big"), curve)
    pub = ec.EllipticCurvePublicNumbers(int.from_bytes(peer[:size], "big"),
                                        int.from_bytes(peer[size:], "big"),
                                        curve).public_key()
    return k.exchange(ec.ECDH(), pub)


def check_dh():
    for scalar, u, out in X25519_52:
        assert x25519_shared(scalar, u).hex() == out
    assert x25519_public(X25519_A).hex() == X25519_A_PUB
    assert x25519_public(X25519_B).hex() == X25519_B_PUB
    assert x25519_shared(X25519_A, X25519_B_PUB).hex() == X25519_K
    assert x25519_shared(X25519_B, X25519_A_PUB).hex() == X25519_K
    for group, v in ECP.items():
        gi = unhex(v["gix"]) + unhex(v["giy"])
        gr = unhex(v["grx"]) + unhex(v["gry"])
        assert ecp_public(group, v["i"]) == gi
        assert ecp_public(group, v["r"]) == gr
        assert ecp_shared(group, v["i"], gr) == unhex(v["girx"])
        assert ecp_shared(group, v["r"], gi) == unhex(v["girx"])


# Fixed MODP-2048 exponents (40 bytes, the length ikd draws).
MODP_XI = bytes((7 * i + 1) & 0xFF for i in range(40)).hex()
MODP_XR = bytes((11 * i + 3) & 0xFF for i in range(40)).hex()


def modp(group, x, base=2):
    p = MODP[group]
    n = (p.bit_length() + 7) // 8
    return pow(base, int.from_bytes(unhex(x), "big"), p).to_bytes(n, "big")


# ---------------------------------------------------------------- IKEv2

PRF_SHA256, PRF_SHA512 = 5, 7
KEYPAD = b"Key Pad for IKEv2"


def derive_ike(prf_id, skeyseed, ni, nr, spii, spir, integ_len, encr_len):
    plen = HASH[prf_id]().digest_size
    lens = [plen, integ_len, integ_len, encr_len, encr_len, plen, plen]
    stream = prf_plus(prf_id, skeyseed, ni + nr + spii + spir, sum(lens))
    names = ["SK_D", "SK_AI", "SK_AR", "SK_EI", "SK_ER", "SK_PI", "SK_PR"]
    out, off = {}, 0
    for name, n in zip(names, lens):
        out[name] = stream[off:off + n]
        off += n
    return out


def child_keymat(prf_id, skd, gir, ni, nr, encr_len, integ_len):
    stream = prf_plus(prf_id, skd, gir + ni + nr, 2 * (encr_len + integ_len))
    e = encr_len
    a = integ_len
    return {"ENCR_I": stream[:e], "INTEG_I": stream[e:e + a],
            "ENCR_R": stream[e + a:2 * e + a], "INTEG_R": stream[2 * e + a:]}


def psk_auth(prf_id, psk, msg, nonce, skp, idbody):
    macid = prf(prf_id, skp, idbody)
    return prf(prf_id, prf(prf_id, psk, KEYPAD), msg + nonce + macid)


NI = bytes(range(0x10, 0x30))                      # 32 bytes
NR = bytes(range(0xa0, 0xc0))
SPII = unhex("0102030405060708")
SPIR = unhex("f1f2f3f4f5f6f7f8")
NI2 = bytes((0x55 + 3 * i) & 0xFF for i in range(24))   # CREATE_CHILD_SA nonces
NR2 = bytes((0x99 + 5 * i) & 0xFF for i in range(40))
SPII2 = unhex("1112131415161718")
SPIR2 = unhex("2122232425262728")
MSG1 = bytes((i * 13 + 7) & 0xFF for i in range(312))  # stands for IKE_SA_INIT request
MSG2 = bytes((i * 29 + 1) & 0xFF for i in range(296))  # and its response
IDI = bytes([2, 0, 0, 0]) + b"gw-a.example.net"        # ID_FQDN
IDR = bytes([1, 0, 0, 0, 192, 0, 2, 2])                # ID_IPV4_ADDR 192.0.2.2
PSK_TEXT = b"mekmitasdigoat"
PSK_HEX = unhex("00112233445566778899aabbccddeeff0f1e2d3c")


def ike_vectors():
    v = {}
    # IKE SA: PRF_HMAC_SHA2_256, ENCR_AES_GCM_16 256-bit, X25519 (RFC 7748 6.1).
    gir = x25519_shared(X25519_A, X25519_B_PUB)
    skeyseed = prf(PRF_SHA256, NI + NR, gir)
    v["IKE_GIR"] = gir
    v["IKE_SKEYSEED"] = skeyseed
    ike = derive_ike(PRF_SHA256, skeyseed, NI, NR, SPII, SPIR, 0, 32 + 4)
    for k, val in ike.items():
        v["IKE_" + k] = val
    # First Child SA (IKE_AUTH): ESP AES-CBC-128 + HMAC-SHA2-256-128, no PFS.
    for k, val in child_keymat(PRF_SHA256, ike["SK_D"], b"", NI, NR, 16, 32).items():
        v["CHILD_" + k] = val
    # CREATE_CHILD_SA with PFS over MODP-2048: ESP AES-GCM-16 128-bit.
    gir2 = modp(14, MODP_XI, int.from_bytes(modp(14, MODP_XR), "big"))
    assert gir2 == modp(14, MODP_XR, int.from_bytes(modp(14, MODP_XI), "big"))
    v["PFS_GIR"] = gir2
    for k, val in child_keymat(PRF_SHA256, ike["SK_D"], gir2, NI2, NR2, 20, 0).items():
        v["PFS_" + k] = val
    # IKE SA rekey: g^ir over P-256 (RFC 5903 8.1); the new SA uses
    # PRF_HMAC_SHA2_512, ENCR_AES_CBC 256-bit, AUTH_HMAC_SHA2_384_192.
    e = ECP[19]
    gir3 = unhex(e["girx"])
    skeyseed3 = prf(PRF_SHA256, ike["SK_D"], gir3 + NI2 + NR2)
    v["REKEY_SKEYSEED"] = skeyseed3
    for k, val in derive_ike(PRF_SHA512, skeyseed3, NI2, NR2, SPII2, SPIR2,
                             48, 32).items():
        v["REKEY_" + k] = val
    # PSK AUTH, both directions (RFC 7296 2.15).
    v["MSG1"] = MSG1
    v["MSG2"] = MSG2
    v["IDI"] = IDI
    v["IDR"] = IDR
    v["AUTH_I"] = psk_auth(PRF_SHA256, PSK_TEXT, MSG1, NR, ike["SK_PI"], IDI)
    v["AUTH_R"] = psk_auth(PRF_SHA256, PSK_TEXT, MSG2, NI, ike["SK_PR"], IDR)
    v["AUTH_I_HEXPSK"] = psk_auth(PRF_SHA256, PSK_HEX, MSG1, NR, ike["SK_PI"], IDI)
    v["AUTH_R_SHA512"] = psk_auth(PRF_SHA512, PSK_TEXT, MSG2, NI,
                                  v["REKEY_SK_PR"], IDR)
    return v


# ---------------------------------------------------------------- output

def lit(h, indent):
    """A C string literal of hex h, split into 64-digit pieces."""
    if len(h) <= 64:
        return '"%s"' % h
    pieces = ['"%s"' % h[i:i + 64] for i in range(0, len(h), 64)]
    return ("\n" + indent).join(pieces)


def c_str(name, data, out):
    h = data.hex()
    if len(h) <= 64 and len(name) + len(h) <= 60:
        out.append('static const char %s[] = "%s";' % (name, h))
        return
    out.append("static const char %s[] =" % name)
    chunks = [h[i:i + 64] for i in range(0, len(h), 64)]
    for i, c in enumerate(chunks):
        out.append('\t"%s"%s' % (c, ";" if i == len(chunks) - 1 else ""))


def render():
    check_modp()
    check_dh()
    out = ["/*",
           " * vectors.h: generated by gen_vectors.py; do not edit.",
           " * Hex strings; see the script for how each value is obtained.",
           " */",
           "#ifndef KEYMAT_VECTORS_H",
           "#define KEYMAT_VECTORS_H",
           ""]
    out.append("/* RFC 3526 section 3, from its formula. */")
    c_str("MODP2048_P", MODP[14].to_bytes(256, "big"), out)
    out.append("")
    out.append("/* RFC 4868 2.7.1: { key, data, sha256, sha384, sha512 }. */")
    out.append("static const struct {")
    out.append("\tconst char *name, *key, *data, *out[3];")
    out.append("} prf_rfc4868[] = {")
    for name, key, data in PRF_CASES:
        outs = []
        for alg in (5, 6, 7):
            d = prf(alg, unhex(key), unhex(data)).hex()
            if (name, alg) in PRF_RFC:
                assert d == PRF_RFC[(name, alg)], (name, alg)
            outs.append(d)
        ind = "\t    "
        out.append('\t{ "%s",\n\t  %s,\n\t  %s,\n\t  { %s,\n\t    %s,\n\t    %s } },'
                   % (name, lit(key, "\t  "), lit(data, "\t  "),
                      lit(outs[0], ind), lit(outs[1], ind), lit(outs[2], ind)))
    out.append("};")
    out.append("")
    out.append("/* prf+ (RFC 7296 2.13): key and seed, then { prf, length, output }. */")
    pk = bytes(range(1, 41))
    ps = b"prf+ seed for ikd" + bytes(range(200, 256))
    c_str("PRFPLUS_KEY", pk, out)
    c_str("PRFPLUS_SEED", ps, out)
    out.append("static const struct { unsigned prf; size_t len; const char *out; } prfplus[] = {")
    for alg in (2, 5, 6, 7):
        hl = HASH[alg]().digest_size
        for n in (1, hl - 1, hl, hl + 1, 3 * hl + 5):
            out.append('\t{ %d, %d,\n\t  %s },'
                       % (alg, n, lit(prf_plus(alg, pk, ps, n).hex(), "\t  ")))
    out.append("};")
    out.append("/* SHA-256 of the longest prf+ output, 255 blocks. */")
    out.append("static const struct { unsigned prf; const char *sha256; } prfplus_max[] = {")
    for alg in (2, 5, 6, 7):
        hl = HASH[alg]().digest_size
        d = hashlib.sha256(prf_plus(alg, pk, ps, 255 * hl)).hexdigest()
        out.append('\t{ %d, "%s" },' % (alg, d))
    out.append("};")
    out.append("")
    out.append("/* RFC 7748 5.2: { scalar, u, output }, then 6.1. */")
    out.append("static const struct { const char *k, *u, *out; } x25519_52[] = {")
    for k, u, o in X25519_52:
        out.append('\t{ "%s",\n\t  "%s",\n\t  "%s" },' % (k, u, o))
    out.append("};")
    for name, val in (("X25519_A", X25519_A), ("X25519_A_PUB", X25519_A_PUB),
                      ("X25519_B", X25519_B), ("X25519_B_PUB", X25519_B_PUB),
                      ("X25519_K", X25519_K)):
        c_str(name, unhex(val), out)
    out.append("")
    out.append("/* RFC 5903 8.1 (group 19) and 8.2 (group 20). */")
    for group, v in ECP.items():
        for key in ("i", "gix", "giy", "r", "grx", "gry", "girx"):
            c_str("ECP%d_%s" % (group, key.upper()), unhex(v[key]), out)
    out.append("")
    out.append("/* MODP-2048 with fixed exponents: g^xi, g^xr, g^(xi*xr). */")
    c_str("MODP_XI", unhex(MODP_XI), out)
    c_str("MODP_XR", unhex(MODP_XR), out)
    c_str("MODP_GXI", modp(14, MODP_XI), out)
    c_str("MODP_GXR", modp(14, MODP_XR), out)
    c_str("MODP_GIR", modp(14, MODP_XI, int.from_bytes(modp(14, MODP_XR), "big")), out)
    out.append("")
    out.append("/* One IKE SA, its Child SAs, its rekey and PSK AUTH (see ike_vectors()). */")
    for name, val in (("NI", NI), ("NR", NR), ("SPII", SPII), ("SPIR", SPIR),
                      ("NI2", NI2), ("NR2", NR2), ("SPII2", SPII2), ("SPIR2", SPIR2),
                      ("PSK_TEXT", PSK_TEXT), ("PSK_HEX", PSK_HEX)):
        c_str(name, val, out)
    for name, val in ike_vectors().items():
        c_str(name, val, out)
    out.append("")
    out.append("#endif")
    return "\n".join(out) + "\n"


def main():
    if ec is None:
        sys.stderr.write("gen_vectors.py: python3 'cryptography' is missing\n")
        return 77
    text = render()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2]) as f:
            if f.read() != text:
                sys.stderr.write("%s is stale: rerun gen_vectors.py\n" % sys.argv[2])
                return 1
        return 0
    if len(sys.argv) != 1:
        sys.stderr.write("usage: gen_vectors.py [--check vectors.h]\n")
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
