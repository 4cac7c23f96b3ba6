#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Counts the trusted computing base: the lines of code in exactly the source
files and project headers that the EL2 build compiled (from the compiler's
dependency files), leaving out blank lines and comments."""
import os
import re
import sys

build = sys.argv[1]
files = set()
for root, _, names in os.walk(build):
    for n in names:
        if not n.endswith(".d"):
            continue
        text = open(os.path.join(root, n)).read().replace("\\\n", " ")
        for line in text.splitlines():
            if ":" not in line:
                continue
            for dep in line.split(":", 1)[1].split():
                if dep.startswith(("src/", "include/")):
                    files.add(os.path.normpath(dep))


def code_lines(path):
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    n = 0
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("//"):
            n += 1
    return n


groups = {}
total = 0
for f in sorted(files):
    n = code_lines(f)
    total += n
    key = os.path.dirname(f)
    groups[key] = groups.get(key, 0) + n
for k in sorted(groups):
    print(f"{groups[k]:7d}  {k}/")
print(f"{total:7d}  total TCB lines ({len(files)} files) for this configuration")
