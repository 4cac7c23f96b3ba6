# SPDX-License-Identifier: Apache-2.0
"""The benchmark guest (guest/bench) with tiny iteration counts, bare on QEMU
and under Bulwark (build/bench/micro-quick.bin, from
bench/systems/micro-quick.dts): every benchmark must print its result line.
The figures are `make bench`'s business (bench/run.py, docs/performance.md);
here they only have to exist."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "bench", "systems", "micro-quick.dts")) as f:
    BOOTARGS = re.search(r'bootargs\s*=\s*"([^"]*)"', f.read()).group(1)

# What bench/run.py runs them with: one instruction per nanosecond of
# virtual time, a 1 GHz counter, and the RTC on the virtual clock (the `spi`
# benchmark waits for its alarm: a second of virtual time per sample).
CPU = "max,pauth-impdef=on,cntfrq=1000000000"
ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "base=2025-01-01T00:00:00,clock=vm"]
RESULTS = ["hvc_psci_version", "hvc_psci_features", "mmio_gicd_typer", "mmio_uartfr",
           "timer_irq_spin", "timer_irq_wfi", "sgi_self", "sgi_cross", "mem_stride64",
           "mem_stride4k", "spi_irq_spin", "spi_irq_wfi"]
EXPECT = [r"BENCH START freq_hz=1000000000 "] + \
         [rf"BENCH {r} avg_ns=\d+\.\d\d min_ns=\S+ max_ns=\S+ iters=\d+ ops=\d+" for r in RESULTS] + \
         [r"BENCH DONE", r"GUEST RESULT: PASS"]
NEVER = [r"BENCH-ERROR", r"unexpected exception", r"Bulwark: unexpected exception",
         r"stack smashing", r"GUEST RESULT: FAIL"]

SCENARIOS = [
    dict(name="bench-bare", image="build/guests/bench.bin", machine="virt,gic-version=3",
         cpu=CPU, smp=2, mem="64M", append=BOOTARGS, extra=ICOUNT, expect=EXPECT,
         forbid=NEVER, timeout=60),
    dict(name="bench-bulwark", image="build/bench/micro-quick.bin", cpu=CPU, smp=2, mem="256M",
         extra=ICOUNT, expect=[r"Bulwark ready\."] + EXPECT + [r"vm 'bench': stopped: SYSTEM_OFF"],
         forbid=NEVER, timeout=60),
]
