#!/usr/bin/env python3
"""Writes a tiny MaxMind DB (format 2.0, IPv4 tree, 24-bit records) mapping a few networks to
countries, for tests of user-supplied geo databases: make_mmdb.py OUT NET=ISO[:Name] ...

Written from the published format (maxmind.github.io/MaxMind-DB): a binary search tree over
the address bits, 16 zero bytes, a data section of maps and strings, then the metadata after
the "\\xab\\xcd\\xefMaxMind.com" marker.
"""
import ipaddress
import struct
import sys


def ctrl(kind, size):
    if kind <= 7:
        head = kind << 5
        ext = b""
    else:
        head = 0
        ext = bytes([kind - 7])
    assert size < 29
    return bytes([head | size]) + ext


def enc(v):
    if isinstance(v, str):
        b = v.encode()
        return ctrl(2, len(b)) + b
    if isinstance(v, dict):
        return ctrl(7, len(v)) + b"".join(enc(k) + enc(x) for k, x in v.items())
    if isinstance(v, list):
        return ctrl(11, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, tuple):  # (kind, int): 5 uint16, 6 uint32, 9 uint64
        kind, n = v
        width = {5: 2, 6: 4, 9: 8}[kind]
        b = n.to_bytes(width, "big").lstrip(b"\0")
        return ctrl(kind, len(b)) + b
    raise TypeError(v)


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    data = b""
    offsets = []
    nets = []
    for spec in specs:
        net, country = spec.split("=")
        iso, _, name = country.partition(":")
        offsets.append(len(data))
        data += enc({"country": {"iso_code": iso, "names": {"en": name or iso}}})
        nets.append(ipaddress.ip_network(net))
    # The tree: node 0 is the root; children[i] = [left, right], each a node number, or
    # ("data", k), or None (no entry).
    children = [[None, None]]
    for k, net in enumerate(nets):
        bits = int(net.network_address)
        node = 0
        for depth in range(net.prefixlen):
            bit = (bits >> (31 - depth)) & 1
            if depth == net.prefixlen - 1:
                children[node][bit] = ("data", k)
            else:
                nxt = children[node][bit]
                if not isinstance(nxt, int):
                    children.append([None, None])
                    nxt = len(children) - 1
                    children[node][bit] = nxt
                node = nxt
    count = len(children)

    def record(r):
        if r is None:
            return count  # "no data"
        if isinstance(r, tuple):
            return count + 16 + offsets[r[1]]
        return r

    tree = b"".join(record(l).to_bytes(3, "big") + record(r).to_bytes(3, "big")
                    for l, r in children)
    meta = enc({"node_count": (6, count), "record_size": (5, 24), "ip_version": (5, 4),
                "database_type": "Rampart-Test-Country", "languages": ["en"],
                "binary_format_major_version": (5, 2), "binary_format_minor_version": (5, 0),
                "build_epoch": (9, 1767225600), "description": {"en": "test"}})
    with open(out, "wb") as f:
        f.write(tree + b"\0" * 16 + data + b"\xab\xcd\xefMaxMind.com" + meta)


if __name__ == "__main__":
    main()
