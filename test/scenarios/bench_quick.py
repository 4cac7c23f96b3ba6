# SPDX-License-Identifier: Apache-2.0
"""The benchmark guest (guest/bench) with tiny iteration counts, bare on QEMU,
under Bulwark (build/bench/micro-quick.bin, from
bench/systems/micro-quick.dts) and as a dom0less domU of Debian's Xen (the
files `make test` has bench/run.py --prepare-xen write into build/bench/xen/):
every benchmark must print its result line (under Xen, every one but those
that need a second vCPU, its domU has one, and the passed-through SPI's: no
device is passed through there). And Linux as Xen's domU, as `make bench`
boots it (bench/systems/linux-notests-1vcpu.dts), to its `Run /init`. The
figures are `make bench`'s business (bench/run.py, docs/performance.md);
here they only have to exist."""
import json
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

# Xen: the guest's console is Xen's vPL011, each line as `(XEN) DOM1: ...`;
# Xen's SYSTEM_OFF stops only the domain, so the run ends at GUEST DONE.
XEN_BOOT = os.path.join(ROOT, "build", "bench", "xen", "micro-quick.json")
XEN_NEEDS_2 = ["sgi_cross"]
XEN_NOT_RUN = ["spi_irq_spin", "spi_irq_wfi"]  # no device passed through (bench/run.py: without_spi)
XEN_EXPECT = [r"Xen version 4\.17", r"Xen dom0less mode detected",
              r"\(XEN\) DOM1: BENCH START freq_hz=1000000000 .*vcpus=1 "] + \
             [rf"\(XEN\) DOM1: BENCH {r} avg_ns=\d+\.\d\d min_ns=\S+ max_ns=\S+ iters=\d+ ops=\d+"
              if r not in XEN_NEEDS_2 else rf"\(XEN\) DOM1: BENCH-ERROR {r}: needs 2 vCPUs"
              for r in RESULTS if r not in XEN_NOT_RUN] + \
             [r"\(XEN\) DOM1: BENCH DONE", r"\(XEN\) DOM1: GUEST RESULT: FAIL",
              r"\(XEN\) DOM1: GUEST DONE"]
XEN_NEVER = [r"unexpected exception", r"stack smashing", r"Panic on CPU",
             r"BENCH-ERROR (?!sgi_cross: needs 2 vCPUs)", r"BENCH spi_"]


def xen_scenario(name, boot, expect, forbid):
    """A scenario that boots the domU described by `boot` (a JSON file that
    bench/run.py --prepare-xen writes), or fails at once if it is missing."""
    if not os.path.exists(boot):
        return dict(name=name, image="/nonexistent", timeout=5,
                    check=lambda text: f"{boot} is missing: `make bench-xen-test` "
                                       "writes it (make test does)")
    with open(boot) as f:
        xen = json.load(f)
    return dict(name=name, image=xen["image"], machine=xen["machine"], cpu=xen["cpu"],
                smp=xen["smp"], mem=xen["mem"], extra=xen["extra"] + ICOUNT, expect=expect,
                forbid=forbid, settle=0.2, timeout=60)


SCENARIOS.append(xen_scenario("bench-xen", XEN_BOOT, XEN_EXPECT, XEN_NEVER))

# Linux as Xen's domU (1 vCPU, 256 MiB, its console on Xen's vPL011), up to
# its initramfs: about 4 s of wall time (the boot to power-off is make
# bench's).
XEN_LINUX_BOOT = os.path.join(ROOT, "build", "bench", "xen", "linux-notests-1vcpu.json")
XEN_LINUX_EXPECT = [r"Xen version 4\.17", r"Xen dom0less mode detected",
                    r"Loading d1 initrd from 0*54000000",
                    r"\(XEN\) DOM1: \[\s*\d+\.\d+\] Linux version 6\.",
                    r"\(XEN\) DOM1: \[\s*\d+\.\d+\] Kernel command line: console=ttyAMA0 ",
                    r"\(XEN\) DOM1: \[\s*\d+\.\d+\] printk: console \[ttyAMA0\] enabled",
                    r"\(XEN\) DOM1: \[\s*\d+\.\d+\] Run /init as init process"]
XEN_LINUX_NEVER = [r"Panic on CPU", r"Kernel panic", r"Internal error:",
                   r"Unable to handle kernel", r"\bBUG:", r"WARNING: CPU:", r"Call trace:"]
SCENARIOS.append(xen_scenario("bench-xen-linux", XEN_LINUX_BOOT, XEN_LINUX_EXPECT,
                              XEN_LINUX_NEVER))
