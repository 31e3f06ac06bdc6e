"""Server side of NTLM (MS-NLMP) for the fake Exchange: CHALLENGE messages and NTLMv2
verification of AUTHENTICATE messages. Pure Python: OpenSSL 3 hides MD4 from hashlib, so MD4
(RFC 1320) is implemented here."""

import hmac
import os
import struct

NEGOTIATE_UNICODE = 0x00000001
REQUEST_TARGET = 0x00000004
NEGOTIATE_NTLM = 0x00000200
NEGOTIATE_ALWAYS_SIGN = 0x00008000
TARGET_TYPE_DOMAIN = 0x00010000
NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000
NEGOTIATE_TARGET_INFO = 0x00800000
NEGOTIATE_VERSION = 0x02000000
NEGOTIATE_128 = 0x20000000
NEGOTIATE_56 = 0x80000000

SIGNATURE = b"NTLMSSP\0"


def _rol(x, n):
    x &= 0xFFFFFFFF
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def md4(data: bytes) -> bytes:
    """RFC 1320 MD4."""
    msg = bytearray(data)
    bit_len = (8 * len(data)) & 0xFFFFFFFFFFFFFFFF
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", bit_len)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476

    def f(x, y, z):
        return (x & y) | (~x & z)

    def g(x, y, z):
        return (x & y) | (x & z) | (y & z)

    def h(x, y, z):
        return x ^ y ^ z

    for off in range(0, len(msg), 64):
        x = list(struct.unpack("<16I", bytes(msg[off:off + 64])))
        aa, bb, cc, dd = a, b, c, d
        for i in range(16):
            k = i
            s = (3, 7, 11, 19)[i % 4]
            if i % 4 == 0:
                a = _rol(a + f(b, c, d) + x[k], s)
            elif i % 4 == 1:
                d = _rol(d + f(a, b, c) + x[k], s)
            elif i % 4 == 2:
                c = _rol(c + f(d, a, b) + x[k], s)
            else:
                b = _rol(b + f(c, d, a) + x[k], s)
        for i in range(16):
            k = (i % 4) * 4 + i // 4
            s = (3, 5, 9, 13)[i % 4]
            t = 0x5A827999
            if i % 4 == 0:
                a = _rol(a + g(b, c, d) + x[k] + t, s)
            elif i % 4 == 1:
                d = _rol(d + g(a, b, c) + x[k] + t, s)
            elif i % 4 == 2:
                c = _rol(c + g(d, a, b) + x[k] + t, s)
            else:
                b = _rol(b + g(c, d, a) + x[k] + t, s)
        order = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
        for i in range(16):
            k = order[i]
            s = (3, 9, 11, 15)[i % 4]
            t = 0x6ED9EBA1
            if i % 4 == 0:
                a = _rol(a + h(b, c, d) + x[k] + t, s)
            elif i % 4 == 1:
                d = _rol(d + h(a, b, c) + x[k] + t, s)
            elif i % 4 == 2:
                c = _rol(c + h(d, a, b) + x[k] + t, s)
            else:
                b = _rol(b + h(c, d, a) + x[k] + t, s)
        a = (a + aa) & 0xFFFFFFFF
        b = (b + bb) & 0xFFFFFFFF
        c = (c + cc) & 0xFFFFFFFF
        d = (d + dd) & 0xFFFFFFFF
    return struct.pack("<4I", a, b, c, d)


def nt_hash(password: str) -> bytes:
    return md4(password.encode("utf-16-le"))


def ntowf_v2(password: str, user: str, domain: str) -> bytes:
    return hmac.new(nt_hash(password), (user.upper() + domain).encode("utf-16-le"), "md5").digest()


def message_type(token: bytes):
    if len(token) < 12 or token[:8] != SIGNATURE:
        return None
    return struct.unpack("<I", token[8:12])[0]


def _av_pair(av_id, value: bytes) -> bytes:
    return struct.pack("<HH", av_id, len(value)) + value


def challenge(domain: str, computer: str):
    """Returns (server_challenge, CHALLENGE message bytes)."""
    server_challenge = os.urandom(8)
    target_name = domain.encode("utf-16-le")
    target_info = (_av_pair(2, domain.encode("utf-16-le")) + _av_pair(1, computer.encode("utf-16-le")) +
                   _av_pair(4, (domain.lower() + ".test").encode("utf-16-le")) + _av_pair(0, b""))
    flags = (NEGOTIATE_UNICODE | REQUEST_TARGET | NEGOTIATE_NTLM | NEGOTIATE_ALWAYS_SIGN |
             TARGET_TYPE_DOMAIN | NEGOTIATE_EXTENDED_SESSIONSECURITY | NEGOTIATE_TARGET_INFO |
             NEGOTIATE_VERSION | NEGOTIATE_128 | NEGOTIATE_56)
    header_len = 56
    tn_off = header_len
    ti_off = tn_off + len(target_name)
    msg = (SIGNATURE + struct.pack("<I", 2) +
           struct.pack("<HHI", len(target_name), len(target_name), tn_off) +
           struct.pack("<I", flags) + server_challenge + b"\0" * 8 +
           struct.pack("<HHI", len(target_info), len(target_info), ti_off) +
           bytes([10, 0]) + struct.pack("<H", 17763) + b"\0\0\0\x0f" +
           target_name + target_info)
    return server_challenge, msg


def _field(token: bytes, offset: int) -> bytes:
    length, _maxlen, off = struct.unpack("<HHI", token[offset:offset + 8])
    if off + length > len(token):
        raise ValueError("security buffer outside the message")
    return token[off:off + length]


def parse_authenticate(token: bytes):
    """Returns dict(user, domain, workstation, nt_response, lm_response, flags)."""
    if message_type(token) != 3 or len(token) < 64:
        raise ValueError("not an AUTHENTICATE message")
    flags = struct.unpack("<I", token[60:64])[0]
    enc = "utf-16-le" if flags & NEGOTIATE_UNICODE else "latin-1"
    return {
        "lm_response": _field(token, 12),
        "nt_response": _field(token, 20),
        "domain": _field(token, 28).decode(enc, "replace"),
        "user": _field(token, 36).decode(enc, "replace"),
        "workstation": _field(token, 44).decode(enc, "replace"),
        "flags": flags,
    }


def verify_v2(auth: dict, server_challenge: bytes, password: str) -> bool:
    """NTLMv2 only (what Exchange with LmCompatibilityLevel 5 accepts): the 24-byte v1
    responses are refused."""
    nt = auth["nt_response"]
    if len(nt) <= 24:
        return False
    proof, blob = nt[:16], nt[16:]
    key = ntowf_v2(password, auth["user"], auth["domain"])
    expected = hmac.new(key, server_challenge + blob, "md5").digest()
    return hmac.compare_digest(proof, expected)


def _selftest():
    # RFC 1320 test vectors, and the MS-NLMP 4.2.4 NTLMv2 example.
    assert md4(b"").hex() == "31d6cfe0d16ae931b73c59d7e0c089c0"
    assert md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"
    assert md4(b"message digest").hex() == "d9130a8164549fe818874806e1c7014b"
    key = ntowf_v2("Password", "User", "Domain")
    assert key.hex() == "0c868a403bfd7a93a3001ef22ef02e3f", key.hex()


if __name__ == "__main__":
    _selftest()
    print("ntlm selftest ok")
