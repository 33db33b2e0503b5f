#!/usr/bin/python3
"""tcp-sha.py: moves bytes over one TCP connection and prints their SHA-256.

    tcp-sha.py serve ADDR PORT      accept one connection, read to EOF
    tcp-sha.py send ADDR PORT FILE  connect, send FILE, close

Each side prints "<sha256 hex> <bytes>" of what it received or sent, so
that a test can tell whether a tunnel delivered the stream unchanged
(TCP's own checksum is not proof: segments the kernel cut from a GSO
packet reach the receiver marked as already verified).
"""
import hashlib
import socket
import sys

CHUNK = 1 << 16


def serve(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        ls.settimeout(30)
        conn, _ = ls.accept()
        with conn:
            conn.settimeout(30)
            h, n = hashlib.sha256(), 0
            while True:
                b = conn.recv(CHUNK)
                if not b:
                    break
                h.update(b)
                n += len(b)
    print(h.hexdigest(), n)


def send(addr, port, path):
    h, n = hashlib.sha256(), 0
    with socket.create_connection((addr, port), timeout=30) as s, open(path, "rb") as f:
        while True:
            b = f.read(CHUNK)
            if not b:
                break
            s.sendall(b)
            h.update(b)
            n += len(b)
        s.shutdown(socket.SHUT_WR)
        while s.recv(CHUNK):
            pass
    print(h.hexdigest(), n)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
