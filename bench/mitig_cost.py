#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The cost of each mitigation profile (docs/mitigations.md): the benchmark
guest's exit paths and a Linux boot under Bulwark, on several -cpu models,
with `bulwark.mitigations=PROFILE` on the hypervisor's command line. Same
method as bench/run.py (virtual time under -icount shift=0: one nanosecond
per instruction, a 1 GHz counter), one run each (the figures are exact
instruction counts, identical from run to run).

    python3 bench/mitig_cost.py [--build build] [--cpus max,cortex-a76,...]
"""
import argparse
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICOUNT = ["-icount", "shift=0,sleep=off"]
REPEATABLE = ["-seed", "1", "-rtc", "base=2025-01-01T00:00:00,clock=vm"]
MICRO = ["hvc_psci_version", "hvc_psci_features", "mmio_gicd_typer", "timer_irq_spin"]
PROFILES = ["throughput", "balanced", "hardened"]


def qemu(image, cpu, append, mem, timeout, stop):
    cmd = ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
           "-cpu", cpu + ",cntfrq=1000000000", "-smp", "3", "-m", mem, "-nographic",
           "-no-reboot", *ICOUNT, *REPEATABLE, "-kernel", image, "-append", append]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, errors="replace")
    out = []
    try:
        for line in p.stdout:
            out.append(line)
            if re.search(stop, line):
                break
    finally:
        p.kill()
        p.wait()
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--cpus", default="max,pauth-impdef=on;cortex-a76;cortex-a57")
    a = ap.parse_args()
    micro = os.path.join(a.build, "bench", "micro.bin")
    linux = os.path.join(a.build, "bench", "linux-notests.bin")
    print("| -cpu | profile | entry sequence | " + " | ".join(MICRO) +
          " | Linux `Run /init` (s) |")
    print("|---|---|---|" + "--:|" * (len(MICRO) + 1))
    for cpu in a.cpus.split(";"):
        for prof in PROFILES:
            arg = "bulwark.mitigations=" + prof
            text = qemu(micro, cpu, arg, "256M", 600, r"BENCH DONE|BENCH-ERROR")
            vals = []
            for name in MICRO:
                m = re.search(rf"BENCH {name} avg_ns=(\S+)", text)
                vals.append(m.group(1) if m else "?")
            seq = re.search(r"mitig: cpu\S+ spectre-bhb: [^:]*: ([^;\[]*)", text)
            text = qemu(linux, cpu, arg, "512M", 600, r"Run /init as init process")
            m = re.search(r"\[\s*(\d+\.\d+)\] Run /init as init process", text)
            print(f"| {cpu.split(',')[0]} | {prof} | {seq.group(1).strip() if seq else '?'} | " +
                  " | ".join(vals) + f" | {m.group(1) if m else '?'} |", flush=True)


if __name__ == "__main__":
    main()
