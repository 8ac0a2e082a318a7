#!/usr/bin/env python3
"""Writes an sshd log in which N distinct source addresses each fail one login, for the
behaviour engine's memory per tracked entity: gen_ssh_entities.py N OUT.

One "Failed password for invalid user uK from A.B.C.D port P ssh2" line per address, all
within one hour (so no entity's state expires during the run). Deterministic.
"""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w") as f:
    for k in range(n):
        t = k * 3600 // n
        ip = "%d.%d.%d.%d" % (11 + k // 16387064, k // 64516 % 254 + 1, k // 254 % 254 + 1, k % 254 + 1)
        f.write("Jan  5 %02d:%02d:%02d bench sshd[%d]: Failed password for invalid user u%d from %s "
                "port %d ssh2\n" % (t // 3600, t // 60 % 60, t % 60, 1000 + k % 30000, k % 1000, ip,
                                    1024 + k % 60000))
