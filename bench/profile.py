#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where the instructions of Bulwark's exit paths go (`make bench-profile`).

Boots build/bench/profile.bin (bench/systems/profile.dts: the micro-benchmarks,
20 iterations each) with QEMU translating one instruction per block and
logging every block it executes (`-singlestep -d exec,nochain`), so that the
log has one line per executed instruction with its PC and its translation
flags, which tell EL2 from the guest's EL1. The log goes through a FIFO into
this script, never to disk.

Every run of EL2 instructions between two guest instructions is one exit.
Exits are grouped by the guest function before and after them (e.g.
`mmio_one -> mmio_one`: a trapped load in the MMIO benchmark); for each
group this prints how many there were, the average EL2 instructions, and
the path of one of them (the one after a warm-up, or the second half of the
group for groups that mix two kinds, e.g. GICD_TYPER then UARTFR reads) as
the sequence of functions with the instructions spent in each:

  exception_vectors(7) > guest_exit(39) > arch_vcpu_run(6) > vgic_sync(14) > ...

The hypervisor is a static PIE loaded at RAM base + 2 MiB (0x40200000), the
benchmark guest is linked at the same address in its own address space;
symbols come from build/bulwark.elf and build/guests/bench.elf.
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = os.environ.get("QEMU", "qemu-system-aarch64")
CROSS = os.environ.get("CROSS", "aarch64-linux-gnu-")
HYP_BASE = 0x40200000
# TBFLAG_ANY.MMUIDX (bits 4-7 of the flags QEMU 7.2 logs) of the EL2 regime.
MMUIDX_EL2 = 6
TRACE = re.compile(r"Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/")


class Symbols:
    def __init__(self, elf, base):
        out = subprocess.run([CROSS + "nm", "-n", elf], capture_output=True, text=True,
                             check=True).stdout
        syms = sorted((int(f[0], 16) + base, f[2]) for f in (l.split() for l in out.splitlines())
                      if len(f) == 3 and f[1] in "tTwW")
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]

    def __call__(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--timeout", type=int, default=300)
    a = ap.parse_args()
    build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    hyp = Symbols(os.path.join(build, "bulwark.elf"), HYP_BASE)
    guest = Symbols(os.path.join(build, "guests", "bench.elf"), 0)
    tmp = tempfile.mkdtemp(prefix="bulwark-profile-")
    fifo = os.path.join(tmp, "trace")
    os.mkfifo(fifo)
    cmd = [QEMU, "-M", "virt,virtualization=on,gic-version=3",
           "-cpu", "max,pauth-impdef=on,cntfrq=1000000000", "-smp", "2", "-m", "128M",
           "-nographic", "-no-reboot", "-icount", "shift=0,sleep=off",
           "-rtc", "base=2025-01-01T00:00:00,clock=vm",  # the `spi` benchmark's alarm
           "-singlestep", "-d", "exec,nochain", "-D", fifo,
           "-kernel", os.path.join(build, "bench", "profile.bin")]
    console = []
    p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)

    def read_console():
        for raw in p.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            console.append(line)
            if re.search(r"vm '\S+': stopped:", line):
                threading.Timer(1.0, p.kill).start()

    threading.Thread(target=read_console, daemon=True).start()
    timer = threading.Timer(a.timeout, p.kill)
    timer.start()
    groups = collections.defaultdict(list)  # (before, after) -> [[fn per instruction]]
    cur, last = {}, {}
    with open(fifo, errors="replace") as f:
        for line in f:
            m = TRACE.match(line)
            if not m:
                continue
            cpu, pc, flags = int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16)
            if (flags >> 4) & 0xf != MMUIDX_EL2:
                g = guest(pc)
                if cpu in cur and cpu in last:
                    groups[(last[cpu], g)].append(cur[cpu])
                cur.pop(cpu, None)
                last[cpu] = g
            elif cpu in last:
                cur.setdefault(cpu, []).append(hyp(pc))
    p.wait()
    timer.cancel()
    os.unlink(fifo)
    os.rmdir(tmp)
    if not any(l.endswith("BENCH DONE") for l in console):
        print("profile: the benchmark guest did not finish; console:\n" + "\n".join(console[-20:]))
        sys.exit(1)
    for (before, after), exits in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        if len(exits) < 5:
            continue
        counts = [len(e) for e in exits]
        print(f"== {before} -> EL2 -> {after}: {len(exits)} exits, "
              f"{sum(counts) / len(exits):.1f} EL2 instructions on average "
              f"(min {min(counts)}, max {max(counts)})")
        kinds = sorted(set(counts))
        shown = set()
        for e in (exits[4], exits[len(exits) * 3 // 4]):
            if len(e) in shown:
                continue
            shown.add(len(e))
            runs = []
            for fn in e:
                if runs and runs[-1][0] == fn:
                    runs[-1][1] += 1
                else:
                    runs.append([fn, 1])
            print(f"   {len(e)}: " + " > ".join(f"{fn}({n})" for fn, n in runs))
        if len(kinds) > 2:
            print(f"   (other lengths: {', '.join(map(str, kinds[:12]))})")


if __name__ == "__main__":
    main()
