#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Bulwark's benchmark driver (`make bench`, `make bench-quick`).

Boots the same guests, one QEMU at a time, each with a timeout:
  bare     directly on QEMU (-M virt,gic-version=3, the guest at EL1, QEMU's
           own PSCI on HVC): the baseline
  bulwark  packed with the hypervisor (build/bench/NAME.bin, from
           bench/systems/NAME.dts), the VM on the same number of CPUs
  xen      Debian's Xen 4.17 (--xen, fetched by tools/xen/fetch.sh) with the
           guest as a dom0less domU, described in /chosen of QEMU's own
           devicetree; 1 vCPU on 1 CPU (see XEN_*)

Every QEMU runs with `-icount shift=0,sleep=off` and `cntfrq=1000000000`:
one nanosecond of virtual time is one executed instruction, and one counter
tick is one nanosecond. The guests measure in virtual time; beside it this
driver measures wall-clock time on the host, from the moment each result's
BEGIN line and result line reach it (noisy, for reference only).

The suites:
  micro    guest/bench/bench.bin: HVC, trapped MMIO, timer and SGI latency,
           a memory-bound loop, the latency of a passed-through SPI (QEMU's
           PL031 RTC alarm, with `-rtc clock=vm`; docs/performance.md says
           what each means)
  linux    Debian's kernel and the test initramfs, 2 vCPUs, 256 MiB, with
           and without `cryptomgr.notests`: the kernel's own timestamps of
           `Run /init as init process` and of `reboot: Power down`; and with
           1 vCPU, bare, under Bulwark and as Xen's domU
  footprint  the image (build/bulwark.bin, sections of build/bulwark.elf) and
           the memory Bulwark reports at boot

Prints a table and writes JSON to bench/results/latest.json and a
timestamped copy beside it. Exits non-zero if any run failed or a benchmark
did not print its result line; missing a target is reported, not an error.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = os.environ.get("QEMU", "qemu-system-aarch64")
CROSS = os.environ.get("CROSS", "aarch64-linux-gnu-")
CPU = "max,pauth-impdef=on,cntfrq=1000000000"
ICOUNT = ["-icount", "shift=0,sleep=off"]
REPEATABLE = ["-seed", "1", "-rtc", "base=2025-01-01T00:00:00,clock=vm"]
BARE_MACHINE = "virt,gic-version=3"
HYP_MACHINE = "virt,virtualization=on,gic-version=3"

# Every result the micro suite must print, in table order.
MICRO = [
    ("hvc_psci_version", "HVC round trip, PSCI_VERSION (fast path)"),
    ("hvc_psci_features", "HVC round trip, PSCI_FEATURES (full exit)"),
    ("mmio_gicd_typer", "MMIO read, GICD_TYPER (0x08000004)"),
    ("mmio_uartfr", "MMIO read, PL011 UARTFR (0x09000018)"),
    ("timer_irq_spin", "virtual timer IRQ latency, vCPU spinning"),
    ("timer_irq_wfi", "virtual timer IRQ latency, vCPU in WFI"),
    ("sgi_self", "SGI to self, send to IRQ entry"),
    ("sgi_cross", "SGI vCPU0 -> vCPU1 (in WFI), send to IRQ entry"),
    ("mem_stride64", "memory loop, 16 MiB, a load per 64 B (per load)"),
    ("mem_stride4k", "memory loop, 16 MiB, a load per 4 KiB (per load)"),
    ("spi_irq_spin", "passed-through SPI (PL031) latency, vCPU spinning"),
    ("spi_irq_wfi", "passed-through SPI (PL031) latency, vCPU in WFI"),
]

# The project's targets: instructions added over bare QEMU, and boot ratios.
TARGETS = {
    "hvc_psci_version": 94,
    "mmio_gicd_typer": 112,
    "timer_irq_spin": 100,
}
BOOT_TARGETS = {"linux_tests": 1.02, "linux_notests": 1.03}
# Peers, measured the same way (/work/shared/FIELD-NOTES.md, -smp 1), for
# reference. Xen's Linux boot ratios are measured in the run (the `xen`
# runs of the linux suite), no longer taken from the notes.
PEERS = {
    "Bao": {"hvc_psci_version": 188, "mmio_gicd_typer": 224, "timer_irq_spin": 199},
    "Xen 4.17": {"hvc_psci_version": 470, "mmio_gicd_typer": 598, "timer_irq_spin": 1072},
    "KVM 6.1": {"hvc_psci_version": 1057, "mmio_gicd_typer": 1809, "timer_irq_spin": 2431,
                "linux_tests": 1.044, "linux_notests": 1.127},
}

# After the line that ends a run under Bulwark, how long to keep reading.
STOP_SETTLE_S = 0.5

# Xen, the measured peer: Debian's xen-hypervisor-4.17-arm64 booted by QEMU
# as the kernel, with no dom0 and the guest as the dom0less domain `domU1`
# (docs/performance.md). One host CPU: with two, Xen 4.17 hangs at its first
# IPI under QEMU 7.2's -icount (the SGI stays pending in CPU 1's
# redistributor, and the CPU never leaves WFI), so the domU gets 1 vCPU and
# the benchmarks that need a second vCPU print no result there.
XEN_SMP = 1
XEN_MEM = "512M"
# The guest image and its ramdisk, loaded by QEMU where neither QEMU's
# devicetree (at RAM + 128 MiB) nor Xen's own image is (FIELD-NOTES); the
# ramdisk 64 MiB above the kernel (Debian's is 27 MiB).
XEN_MODULE_ADDR = 0x50000000
XEN_RAMDISK_ADDR = 0x54000000
XEN_BOOTARGS = ("console=dtuart dtuart=/pl011@9000000 bootscrub=0 "
                "loglvl=all guest_loglvl=all")
# Xen's SYSTEM_OFF stops only the domain: QEMU is stopped once this is seen.
XEN_STOP = r"\(XEN\) DOM1: GUEST DONE"

LINUX_KERNEL = "build/linux/Image"
LINUX_INITRD = "build/linux/initramfs.cpio"


class RunFailed(Exception):
    pass


def bootargs_of(dts):
    """The bootargs of the first VM in a system description."""
    with open(os.path.join(ROOT, dts)) as f:
        m = re.search(r'bootargs\s*=\s*"([^"]*)"', f.read())
    if not m:
        raise RunFailed(f"{dts}: no bootargs")
    return m.group(1)


def run_qemu(name, args, timeout, stop, logdir):
    """Runs QEMU until it exits, a line matches `stop` (then kills it) or the
    timeout passes. Returns [(seconds since start, line)] and the exit
    reason; keeps the log in `logdir`."""
    cmd = [QEMU, *args]
    lines = []
    start = time.monotonic()
    p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    stopped = threading.Event()

    def reader():
        for raw in p.stdout:
            t = time.monotonic() - start
            line = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
            lines.append((t, line))
            if stop and not stopped.is_set() and re.search(stop, line):
                # What follows (the VM's exit statistics) comes at once.
                stopped.set()
                threading.Timer(STOP_SETTLE_S, p.kill).start()

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        p.wait(timeout=timeout)
        why = "stopped" if stopped.is_set() else f"exited ({p.returncode})"
    except subprocess.TimeoutExpired:
        why = "timeout"
        p.kill()
        p.wait()
    th.join(timeout=5)
    wall = time.monotonic() - start
    log = os.path.join(logdir, name + ".log")
    with open(log, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        for t, line in lines:
            f.write(f"[{t:9.3f}] {line}\n")
        f.write(f"--- {why} after {wall:.1f} s\n")
    return lines, why, wall, log


def strip_vm(line):
    """The guest's line without Bulwark's `[vmname] ` prefix, or Xen's
    `(XEN) DOMn: ` (a domU's vPL011 output on Xen's console)."""
    m = re.match(r"(?:\[[a-z0-9_-]+\]|\(XEN\) DOM\d+:) (.*)", line)
    return m.group(1) if m else line


def vm_dtb(build, image):
    """Extracts the devicetree bwpack generated for the (first) VM of a packed
    image: the bare baseline boots with it, so that the guest sees the same
    machine with and without the hypervisor (QEMU's own devicetree has many
    more devices, which Linux spends time probing)."""
    name = os.path.splitext(os.path.basename(image))[0]
    out = os.path.join(build, "bench", "dtb", name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    p = subprocess.run([os.path.join(build, "tools", "bwpack"), "--dump", image, "--extract", out],
                       capture_output=True, text=True)
    dtbs = sorted(f for f in os.listdir(out) if f.endswith(".dtb"))
    if p.returncode != 0 or not dtbs:
        raise RunFailed(f"bwpack --dump {image} --extract: {p.stderr.strip() or 'no dtb'}")
    for f in os.listdir(out):
        if not f.endswith(".dtb"):
            os.unlink(os.path.join(out, f))
    return os.path.join(out, dtbs[0])


# The benchmark guest's benchmarks, in its order (guest/bench/main.c).
GUEST_BENCHES = ["hvc", "mmio", "timer", "sgi", "mem", "spi"]


def without_spi(bootargs):
    """The bootargs for the Xen domU: the SPI benchmark needs the PL031
    passed through, which the domU has not (its page faults there)."""
    def drop(m):
        names = GUEST_BENCHES if m.group(1) == "all" else m.group(1).split(",")
        return "bench=" + (",".join(n for n in names if n != "spi") or "none")
    return re.sub(r"\bbench=(\S+)", drop, bootargs)


class XenUnavailable(Exception):
    """Why the Xen column is empty."""


def xen_version(xen):
    """The Debian package the cached Xen came from (tools/xen/fetch.sh)."""
    try:
        with open(os.path.join(os.path.dirname(xen), "VERSIONS")) as f:
            for line in f:
                if line.startswith("xen "):
                    return line.split()[2]
    except OSError:
        pass
    return None


def xen_domu(build, xen, kernel, bootargs, memory_kib, vcpus, name, ramdisk=None,
             linked_at_2m=False):
    """QEMU's arguments to boot `kernel` (an arm64 Image), with `ramdisk` if
    given, as a dom0less domU of Xen: QEMU's own devicetree (-machine
    dumpdtb) with Xen's command line and a /chosen/domU1 node added. QEMU
    loads the kernel at XEN_MODULE_ADDR and the ramdisk at XEN_RAMDISK_ADDR.
    `linked_at_2m`: the kernel (the benchmark guest) is linked at RAM base +
    2 MiB and not position-independent, so it is loaded from a copy whose
    header says `text_offset` 2 MiB: Xen places an Image at the bank's base
    + text_offset, QEMU and Bulwark at base + 2 MiB + text_offset (both
    valid readings of the boot protocol for text_offset 0; Linux does not
    care). Files go to BUILD/bench/xen/."""
    if not xen or not os.path.isfile(xen):
        raise XenUnavailable(f"no Xen image at {xen or '(none given: --xen)'}; "
                             "tools/xen/fetch.sh fetches Debian's")
    if not shutil.which("dtc"):
        raise XenUnavailable("dtc not found")
    out = os.path.join(build, "bench", "xen")
    os.makedirs(out, exist_ok=True)
    kernel = os.path.join(ROOT, kernel)
    with open(kernel, "rb") as f:
        header = f.read(64)
    if header[56:60] != b"ARM\x64":
        raise RunFailed(f"{kernel}: not an arm64 Image")
    size = os.path.getsize(kernel)
    domu = kernel
    if linked_at_2m:
        with open(kernel, "rb") as f:
            image = bytearray(f.read())
        image[8:16] = (2 << 20).to_bytes(8, "little")
        domu = os.path.join(out, name + ".bin")
        with open(domu, "wb") as f:
            f.write(image)
    modules = [("kernel", XEN_MODULE_ADDR, size, bootargs)]
    loaders = [f"loader,file={domu},addr={XEN_MODULE_ADDR:#x}"]
    if ramdisk:
        if XEN_MODULE_ADDR + size > XEN_RAMDISK_ADDR:
            raise RunFailed(f"{kernel}: {size} bytes, larger than the "
                            f"{XEN_RAMDISK_ADDR - XEN_MODULE_ADDR:#x} before the ramdisk")
        ramdisk = os.path.join(ROOT, ramdisk)
        modules.append(("ramdisk", XEN_RAMDISK_ADDR, os.path.getsize(ramdisk), None))
        loaders.append(f"loader,file={ramdisk},addr={XEN_RAMDISK_ADDR:#x}")
    machine = ["-M", HYP_MACHINE, "-cpu", CPU, "-smp", str(XEN_SMP), "-m", XEN_MEM]
    host = os.path.join(out, name + "-host.dtb")
    p = subprocess.run([QEMU, *machine, "-nographic", "-machine", f"dumpdtb={host}"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or not os.path.exists(host):
        raise RunFailed(f"QEMU -machine dumpdtb: {p.stderr.strip()}")
    p = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", host], capture_output=True,
                       text=True, check=True)
    # A second definition of /chosen later in the source is merged into the
    # first by dtc. Cells of the modules' `reg`: the domain node's own.
    nodes = ""
    for kind, addr, length, args in modules:
        nodes += (f"\n\t\t\tmodule@{addr:x} {{\n"
                  f'\t\t\t\tcompatible = "multiboot,{kind}", "multiboot,module";\n'
                  f"\t\t\t\treg = <{addr:#x} {length:#x}>;\n" +
                  (f'\t\t\t\tbootargs = "{args}";\n' if args is not None else "") +
                  "\t\t\t};")
    dts = p.stdout + f"""
/ {{
\tchosen {{
\t\t#address-cells = <1>;
\t\t#size-cells = <1>;
\t\txen,xen-bootargs = "{XEN_BOOTARGS}";
\t\tdomU1 {{
\t\t\tcompatible = "xen,domain";
\t\t\t#address-cells = <1>;
\t\t\t#size-cells = <1>;
\t\t\tcpus = <{vcpus}>;
\t\t\tmemory = <0 {memory_kib}>;
\t\t\tvpl011;{nodes}
\t\t}};
\t}};
}};
"""
    with open(os.path.join(out, name + ".dts"), "w") as f:
        f.write(dts)
    dtb = os.path.join(out, name + ".dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb,
                    os.path.join(out, name + ".dts")], check=True)
    # As test/runner/run.py scenarios take them (test/scenarios/bench_quick.py).
    boot = {"machine": HYP_MACHINE, "cpu": CPU, "smp": XEN_SMP, "mem": XEN_MEM, "image": xen,
            "extra": ["-dtb", dtb, *(a for l in loaders for a in ("-device", l))],
            "xen": xen_version(xen), "domu_vcpus": vcpus, "domu_memory_kib": memory_kib}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(boot, f, indent=1)
        f.write("\n")
    return [*machine, "-kernel", xen, *boot["extra"]]


def is_linux(dts):
    """Whether the first VM of a system description is a Linux guest (the
    benchmark systems' Linux VMs boot LINUX_KERNEL with LINUX_INITRD)."""
    with open(os.path.join(ROOT, dts)) as f:
        return re.search(r"^\s*linux\s*;", f.read(), re.M) is not None


def vm_of(dts):
    """(memory in KiB, vCPUs) of the first VM in a system description."""
    with open(os.path.join(ROOT, dts)) as f:
        text = f.read()
    m = re.search(r"memory-size\s*=\s*<\s*(0x[0-9a-fA-F]+|\d+)\s+(0x[0-9a-fA-F]+|\d+)\s*>", text)
    v = re.search(r"vcpus\s*=\s*<\s*(\d+)\s*>", text)
    if not m or not v:
        raise RunFailed(f"{dts}: no memory-size or vcpus")
    return ((int(m.group(1), 0) << 32) + int(m.group(2), 0)) // 1024, int(v.group(1))


def parse_exit_stats(lines):
    """Bulwark's per-vCPU exit counts, printed when a VM stops."""
    stats = {}
    for _, line in lines:
        m = re.match(r"vm '([^']+)': vcpu(\d+): (\d+) exits \((\d+) HVC/SMC, (\d+) sysreg, "
                     r"(\d+) MMIO, (\d+) IRQ: (\d+) kicks, (\d+) timer, (\d+) maintenance; "
                     r"(\d+) flushes\)", line)
        if m:
            keys = ["exits", "hvc", "sysreg", "mmio", "irq", "kicks", "timer", "maintenance",
                    "flushes"]
            stats[f"{m.group(1)}/vcpu{m.group(2)}"] = dict(zip(keys, map(int, m.groups()[2:])))
    return stats


def parse_micro(lines, log, lenient=False):
    """The START line and the results of a micro run. `lenient` (Xen): a
    benchmark that printed an error or nothing is left out, its reason in
    the third value returned, instead of failing the run."""
    res, begin, start, done, errors = {}, {}, None, False, []
    for t, raw in lines:
        line = strip_vm(raw)
        if line.startswith("BENCH START "):
            start = dict(kv.split("=", 1) for kv in line.split()[2:] if "=" in kv)
        elif line.startswith("BENCH-BEGIN "):
            begin[line.split()[1]] = t
        elif line.startswith("BENCH-ERROR "):
            errors.append(line)
        elif line == "BENCH DONE":
            done = True
        elif line.startswith("BENCH "):
            f = line.split()
            name = f[1]
            kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
            r = {k: float(kv[k]) for k in ("avg_ns", "min_ns", "max_ns", "res_ns")}
            r["iters"] = int(kv["iters"])
            r["ops"] = int(kv["ops"])
            if name in begin:
                r["wall_ns"] = (t - begin[name]) * 1e9 / r["ops"]
            res[name] = r
    missing = [n for n, _ in MICRO if n not in res]
    if lenient and done and start is not None:
        notes = {n: "not run, no device passed through" if n.startswith("spi_")
                 else "no result line" for n in missing}
        for e in errors:
            m = re.match(r"BENCH-ERROR (\S+): (.*)", e)
            if m:
                notes[m.group(1)] = m.group(2)
        return start, res, notes
    if errors or not done or start is None or missing:
        why = "; ".join(errors) or ("no BENCH START" if start is None else
                                   f"missing {' '.join(missing)}" if missing else "no BENCH DONE")
        raise RunFailed(f"{why} (log {log})")
    return start, res, {}


def parse_bulwark_boot(lines):
    """Bulwark's memory report at boot, and the VMs it created."""
    mem, vms = {}, {}
    for _, line in lines:
        m = re.match(r"\s+RAM\s+\S+\s+(\d+) MiB", line)
        if m:
            mem["ram_mib"] = mem.get("ram_mib", 0) + int(m.group(1))
        m = re.match(r"\s+hypervisor\s+\S+\s+(\d+) KiB \(text (\d+), rodata (\d+), "
                     r"data\+bss (\d+), stacks (\d+) KiB\)", line)
        if m:
            mem["hypervisor_kib"], mem["text_kib"], mem["rodata_kib"], mem["data_bss_kib"], \
                mem["stacks_kib"] = map(int, m.groups())
        m = re.match(r"\s+metadata\s+\S+\s+(\d+) KiB", line)
        if m:
            mem["metadata_pool_kib"] = int(m.group(1))
        m = re.match(r"\s+devicetree\s+\S+\s+(\d+) KiB", line)
        if m:
            mem["devicetree_kib"] = int(m.group(1))
        m = re.match(r"\s+total free for VMs: (\d+) MiB", line)
        if m:
            mem["free_for_vms_mib"] = int(m.group(1))
        m = re.match(r"vm '([^']+)': (\d+) vCPU\(s\) on CPU\(s\) (\S+), (\d+) MiB", line)
        if m:
            vms[m.group(1)] = {"vcpus": int(m.group(2)), "cpus": m.group(3),
                               "memory_mib": int(m.group(4))}
    return mem, vms


def micro_suite(build, dts, repeat, timeout, logdir, bulwark_only_lines, xen=None):
    bootargs = bootargs_of(dts)
    image = os.path.join(build, "bench", os.path.splitext(os.path.basename(dts))[0] + ".bin")
    guest = os.path.join(build, "guests", "bench.bin")
    # -rtc clock=vm: the `spi` benchmark's RTC alarm counts virtual time.
    common = ["-cpu", CPU, "-smp", "2", "-nographic", "-no-reboot", *ICOUNT, *REPEATABLE]
    runs = {
        "bare": ["-M", BARE_MACHINE, *common, "-m", "64M", "-dtb", vm_dtb(build, image),
                 "-kernel", guest, "-append", bootargs],
        "bulwark": ["-M", HYP_MACHINE, *common, "-m", "256M", "-kernel", image],
    }
    stops = {"bulwark": r"vm '\S+': stopped:", "xen": XEN_STOP}
    out = {"bootargs": bootargs, "runs": {}}
    memory_kib, _ = vm_of(dts)
    try:
        runs["xen"] = [*xen_domu(build, xen, guest, without_spi(bootargs), memory_kib, XEN_SMP,
                                 os.path.splitext(os.path.basename(dts))[0], linked_at_2m=True),
                       "-nographic", "-no-reboot", *ICOUNT]
    except XenUnavailable as e:
        out["runs"]["xen"] = {"unavailable": str(e)}
        print(f"  no Xen run: {e}", file=sys.stderr, flush=True)
    for side, args in runs.items():
        samples = []
        for i in range(repeat):
            name = f"micro-{side}-{i + 1}"
            print(f"  running {name} ...", file=sys.stderr, flush=True)
            lines, why, wall, log = run_qemu(name, args, timeout, stops.get(side), logdir)
            start, res, notes = parse_micro(lines, log, lenient=side == "xen")
            if side == "bulwark" and i == 0:
                bulwark_only_lines.extend(lines)
            samples.append((start, res, wall))
        # Virtual time is deterministic: the repeats must agree. Wall-clock
        # figures are the median of the repeats.
        start, first, _ = samples[0]
        merged = {}
        for name, _ in MICRO:
            if not all(name in s[1] for s in samples):
                continue
            r = dict(first[name])
            avgs = {s[1][name]["avg_ns"] for s in samples}
            r["avg_ns_spread"] = max(avgs) - min(avgs)
            r["max_ns"] = max(s[1][name]["max_ns"] for s in samples)
            walls = [s[1][name].get("wall_ns") for s in samples if "wall_ns" in s[1][name]]
            r["wall_ns"] = statistics.median(walls) if walls else None
            merged[name] = r
        out["runs"][side] = {"start": start, "results": merged,
                             "run_wall_s": [round(s[2], 2) for s in samples]}
        if side == "bulwark":
            out["runs"][side]["exit_stats"] = parse_exit_stats(bulwark_only_lines)
        if side == "xen":
            out["runs"][side].update({
                "not_measured": notes, "xen": xen_version(xen), "host_cpus": XEN_SMP,
                "domu_vcpus": XEN_SMP, "domu_memory_kib": memory_kib,
                "xen_bootargs": XEN_BOOTARGS, "qemu_args": " ".join(args)})
    return out


def entry_suite(build, repeat, timeout, logdir, boot_lines):
    """Virtual time from power-on to the first instructions of a guest with
    256 MiB: on bare QEMU nothing happens in between; under Bulwark, its own
    boot and the VM's creation (zeroing its RAM, copying its images)."""
    dts = "bench/systems/vmload.dts"
    image = os.path.join(build, "bench", "vmload.bin")
    common = ["-cpu", CPU, "-smp", "2", "-nographic", "-no-reboot", *ICOUNT]
    runs = {
        "bare": ["-M", BARE_MACHINE, *common, "-m", "256M", "-dtb", vm_dtb(build, image),
                 "-kernel", os.path.join(build, "guests", "bench.bin"),
                 "-append", bootargs_of(dts)],
        "bulwark": ["-M", HYP_MACHINE, *common, "-m", "512M", "-kernel", image],
    }
    out = {}
    for side, args in runs.items():
        name = f"entry-{side}"
        print(f"  running {name} ...", file=sys.stderr, flush=True)
        lines, why, wall, log = run_qemu(name, args, timeout,
                                         r"vm '\S+': stopped:" if side == "bulwark" else None,
                                         logdir)
        start = None
        for t, raw in lines:
            line = strip_vm(raw)
            if line.startswith("BENCH START "):
                start = dict(kv.split("=", 1) for kv in line.split()[2:] if "=" in kv)
                out[side] = {"entry_ns": int(start["entry_ticks"]), "entry_wall_s": t}
        if start is None:
            raise RunFailed(f"{name}: no BENCH START line ({why}; log {log})")
        if side == "bulwark":
            boot_lines["vmload"] = lines
    out["added_ns"] = out["bulwark"]["entry_ns"] - out["bare"]["entry_ns"]
    return out


def kernel_time(lines, pattern):
    """(kernel timestamp in ns, host seconds) of the first line matching."""
    for t, raw in lines:
        line = strip_vm(raw)
        m = re.match(r"\[\s*(\d+)\.(\d{6})\] " + pattern, line)
        if m:
            return int(m.group(1)) * 10**9 + int(m.group(2)) * 1000, t
    return None, None


def linux_suite(build, variants, repeat, timeout, logdir, boot_lines, xen=None):
    """Each variant (key, the 2-vCPU system, its 1-vCPU twin): bare and
    under Bulwark with 2 vCPUs (`repeat` runs each), bare with QEMU's own
    devicetree once; and, for the comparison with Xen, whose domU has one
    vCPU (XEN_SMP), bare and under Bulwark with 1 vCPU on 1 CPU and Xen's
    domU, once each (virtual time is deterministic)."""
    out = {}
    for key, dts, dts_1 in variants:
        bootargs = bootargs_of(dts)
        if bootargs_of(dts_1) != bootargs:
            raise RunFailed(f"{dts_1}: bootargs differ from {dts}'s")
        image, image_1 = (os.path.join(build, "bench", os.path.splitext(os.path.basename(d))[0]
                                       + ".bin") for d in (dts, dts_1))
        common = ["-nographic", "-no-reboot", *ICOUNT, *REPEATABLE]
        bare = ["-M", BARE_MACHINE, "-cpu", CPU, "-smp", "2", *common, "-m", "256M",
                "-kernel", LINUX_KERNEL, "-initrd", LINUX_INITRD, "-append", bootargs]
        runs = {
            "bare": [*bare, "-dtb", vm_dtb(build, image)],
            "bulwark": ["-M", HYP_MACHINE, "-cpu", CPU, "-smp", "2", *common, "-m", "512M",
                        "-kernel", image],
            # For reference: QEMU's own devicetree (PCIe, virtio-mmio, RTC,
            # GPIO, fw_cfg, flash): not the machine the VM sees. Virtual time
            # is deterministic, so once is enough.
            "bare_qemu_dt": bare,
            "bare_1vcpu": ["-M", BARE_MACHINE, "-cpu", CPU, "-smp", "1", *common, "-m", "256M",
                           "-kernel", LINUX_KERNEL, "-initrd", LINUX_INITRD, "-append", bootargs,
                           "-dtb", vm_dtb(build, image_1)],
            "bulwark_1vcpu": ["-M", HYP_MACHINE, "-cpu", CPU, "-smp", "1", *common, "-m", "512M",
                              "-kernel", image_1],
        }
        out[key] = {"bootargs": bootargs}
        memory_kib, vcpus = vm_of(dts_1)
        try:
            runs["xen"] = [*xen_domu(build, xen, LINUX_KERNEL, bootargs, memory_kib, vcpus,
                                     os.path.splitext(os.path.basename(dts_1))[0],
                                     ramdisk=LINUX_INITRD), *common]
            out[key]["xen_run"] = {"xen": xen_version(xen), "host_cpus": XEN_SMP,
                                   "domu_vcpus": vcpus, "domu_memory_kib": memory_kib,
                                   "xen_bootargs": XEN_BOOTARGS,
                                   "qemu_args": " ".join(runs["xen"])}
        except XenUnavailable as e:
            out[key]["xen_run"] = {"unavailable": str(e)}
            print(f"  no Xen run: {e}", file=sys.stderr, flush=True)
        stops = {"bulwark": r"vm '\S+': stopped:", "bulwark_1vcpu": r"vm '\S+': stopped:",
                 # The domain's SYSTEM_OFF stops only the domain.
                 "xen": r"\(XEN\) DOM1: \[\s*\d+\.\d+\] reboot: Power down"}
        for side, args in runs.items():
            samples = []
            for i in range(repeat if side in ("bare", "bulwark") else 1):
                name = f"{key}-{side}-{i + 1}"
                print(f"  running {name} ...", file=sys.stderr, flush=True)
                lines, why, wall, log = run_qemu(name, args, timeout, stops.get(side), logdir)
                init_ns, init_wall = kernel_time(lines, r"Run /init as init process")
                off_ns, off_wall = kernel_time(lines, r"reboot: Power down")
                script_ok = any(strip_vm(l).startswith("BULWARK-LINUX: script smoke exit 0")
                                for _, l in lines)
                if init_ns is None or off_ns is None or not script_ok:
                    raise RunFailed(f"{name}: no `Run /init`, smoke script or `reboot: Power "
                                    f"down` line ({why}; log {log})")
                if side == "bulwark" and not boot_lines.get(key):
                    boot_lines[key] = lines
                    out[key]["exit_stats"] = parse_exit_stats(lines)
                samples.append({"init_ns": init_ns, "poweroff_ns": off_ns,
                                "init_wall_s": init_wall, "poweroff_wall_s": off_wall,
                                "run_wall_s": wall})
            inits = {s["init_ns"] for s in samples}
            offs = {s["poweroff_ns"] for s in samples}
            out[key][side] = {
                "init_ns": min(inits), "init_ns_spread": max(inits) - min(inits),
                "poweroff_ns": min(offs), "poweroff_ns_spread": max(offs) - min(offs),
                "init_wall_s": statistics.median(s["init_wall_s"] for s in samples),
                "poweroff_wall_s": statistics.median(s["poweroff_wall_s"] for s in samples),
                "repeats": len(samples),
            }
        L = out[key]
        b, h = L["bare"], L["bulwark"]
        L["init_ratio"] = h["init_ns"] / b["init_ns"]
        L["poweroff_ratio"] = h["poweroff_ns"] / b["poweroff_ns"]
        L["init_wall_ratio"] = h["init_wall_s"] / b["init_wall_s"]
        q = L["bare_qemu_dt"]
        L["init_ratio_vs_qemu_dt"] = h["init_ns"] / q["init_ns"]
        L["poweroff_ratio_vs_qemu_dt"] = h["poweroff_ns"] / q["poweroff_ns"]
        # At 1 vCPU, against the 1-vCPU bare boot.
        for side in ("bulwark_1vcpu", "xen"):
            if side in L:
                L[side]["init_ratio"] = L[side]["init_ns"] / L["bare_1vcpu"]["init_ns"]
                L[side]["poweroff_ratio"] = (L[side]["poweroff_ns"] /
                                             L["bare_1vcpu"]["poweroff_ns"])
    return out


def footprint(build, boot_lines):
    elf = os.path.join(build, "bulwark.elf")
    binf = os.path.join(build, "bulwark.bin")
    p = subprocess.run([CROSS + "size", "-A", elf], capture_output=True, text=True, check=True)
    sec = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[0].startswith(".") and f[1].isdigit():
            sec[f[0]] = int(f[1])
    b = subprocess.run([CROSS + "size", elf], capture_output=True, text=True, check=True)
    berkeley = dict(zip(["text", "data", "bss"], map(int, b.stdout.splitlines()[1].split()[:3])))
    groups = {
        "text": [".head.text", ".text"],
        "init (unmapped after boot)": [".init.text", ".init.data", ".rela.dyn"],
        "rodata": [".rodata"],
        "data": [".data", ".got", ".dynamic", ".dynsym", ".dynstr", ".hash"],
        "bss": [".bss"],
        "stacks": [".stacks"],
    }
    out = {"image_bytes": os.path.getsize(binf), "size_berkeley": berkeley,
           "sections": {k: sum(sec.get(s, 0) for s in v) for k, v in groups.items()}}
    # Static per-VM state: the `vms` table (BSS) over its length.
    nm = subprocess.run([CROSS + "nm", "-S", elf], capture_output=True, text=True, check=True)
    vms_size = None
    for line in nm.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == "vms":
            vms_size = int(f[1], 16)
    vm_max = None
    with open(os.path.join(ROOT, "include", "bulwark", "package.h")) as f:
        m = re.search(r"#define\s+BWPKG_MAX_VMS\s+(\d+)", f.read())
        if m:
            vm_max = int(m.group(1))
    if vms_size and vm_max:
        out["vm_table_bytes"] = vms_size
        out["vm_max"] = vm_max
        out["per_vm_state_bytes"] = vms_size // vm_max
    with open(binf, "rb") as f:
        hyp_image_size = int.from_bytes(f.read(24)[16:24], "little")
    out["runtime"] = {}
    for key, lines in boot_lines.items():
        mem, vms = parse_bulwark_boot(lines)
        if "ram_mib" in mem and "free_for_vms_mib" in mem:
            mem["reserved_by_hypervisor_mib"] = mem["ram_mib"] - mem["free_for_vms_mib"]
        packed = os.path.join(build, "bench", {"micro": "micro", "linux_notests": "linux-notests",
                                                "linux_tests": "linux", "vmload": "vmload"}
                              .get(key, key) + ".bin")
        if os.path.exists(packed):
            # The package (the VMs' images) follows the hypervisor in RAM and
            # is not given back after the VMs are loaded.
            mem["package_kib"] = (os.path.getsize(packed) - hyp_image_size) // 1024
        out["runtime"][key] = {"memory": mem, "vms": vms,
                               "vm_ram_mib": sum(v["memory_mib"] for v in vms.values())}
    return out


def fmt(v, nd=0):
    if v is None:
        return "-"
    return f"{v:,.{nd}f}"


def report(data):
    micro = data.get("micro")
    if micro:
        bare = micro["runs"]["bare"]["results"]
        hyp = micro["runs"]["bulwark"]["results"]
        xrun = micro["runs"].get("xen", {})
        xen = xrun.get("results", {})
        print()
        print("Micro-benchmarks: virtual time (ns = instructions) per operation, average "
              "(max); `added` is over bare; wall-clock ns per operation for reference")
        hdr = (f"{'metric':<50} {'bare':>12} {'Bulwark':>14} {'added':>8} {'Xen':>14} "
               f"{'added':>8} {'ratio':>7} {'target':>7} {'met':>4} {'wall bare':>10} "
               f"{'wall Bw':>10} {'wall Xen':>10}")
        print(hdr)
        print("-" * len(hdr))
        for name, desc in MICRO:
            b, h, x = bare[name], hyp[name], xen.get(name)
            added = h["avg_ns"] - b["avg_ns"]
            ratio = h["avg_ns"] / b["avg_ns"] if b["avg_ns"] else None
            tgt = TARGETS.get(name)
            met = "-" if tgt is None else ("yes" if added <= tgt else "NO")
            nd = 2 if name.startswith("mem_") else 0
            xs = fmt(x["avg_ns"], nd) + " (" + fmt(x["max_ns"], 0) + ")" if x else "-"
            xa = fmt(x["avg_ns"] - b["avg_ns"], nd) if x else "-"
            print(f"{desc:<50} {fmt(b['avg_ns'], nd) + ' (' + fmt(b['max_ns'], 0) + ')':>12} "
                  f"{fmt(h['avg_ns'], nd) + ' (' + fmt(h['max_ns'], 0) + ')':>14} "
                  f"{fmt(added, nd):>8} {xs:>14} {xa:>8} {fmt(ratio, 2) + 'x':>7} "
                  f"{fmt(tgt):>7} {met:>4} {fmt(b.get('wall_ns'), 1):>10} "
                  f"{fmt(h.get('wall_ns'), 1):>10} {fmt(x.get('wall_ns') if x else None, 1):>10}")
        sb, sh = micro["runs"]["bare"]["start"], micro["runs"]["bulwark"]["start"]
        sx = xrun.get("start")
        print(f"{'guest main() reached at (virtual ns since power-on)':<50} "
              f"{fmt(int(sb['entry_ticks'])):>12} {fmt(int(sh['entry_ticks'])):>14} {'':>8} "
              f"{fmt(int(sx['entry_ticks'])) if sx else '-':>14}")
        print(f"(counter {sb['freq_hz']} Hz, resolution {sb['res_ns']} ns; every figure net of "
              f"the {sb['overhead_ticks']}-tick cost of two counter reads)")
        if "unavailable" in xrun:
            print(f"Xen: not measured: {xrun['unavailable']}")
        elif xrun:
            print(f"Xen: {xrun.get('xen')}, dom0less domU with {xrun['domu_vcpus']} vCPU on "
                  f"{xrun['host_cpus']} CPU, {xrun['domu_memory_kib'] // 1024} MiB" +
                  "".join(f"; {n}: {why}" for n, why in xrun.get("not_measured", {}).items()))
    linux = data.get("linux")
    if linux:
        print()
        print("Linux boot (Debian kernel, 2 vCPUs, 256 MiB): the kernel's own timestamps, "
              "virtual seconds; wall seconds for reference")
        hdr = (f"{'boot':<42} {'bare':>10} {'Bulwark':>10} {'ratio':>7} {'target':>7} "
               f"{'met':>4} {'wall bare':>10} {'wall Bw':>10} {'wall x':>7}")
        print(hdr)
        print("-" * len(hdr))
        for key, label in (("linux_tests", "with crypto self-tests"),
                           ("linux_notests", "cryptomgr.notests")):
            if key not in linux:
                continue
            L = linux[key]
            b, h = L["bare"], L["bulwark"]
            tgt = BOOT_TARGETS[key]
            met = "yes" if L["init_ratio"] <= tgt else "NO"
            print(f"{'to Run /init, ' + label:<42} {b['init_ns'] / 1e9:>10.6f} "
                  f"{h['init_ns'] / 1e9:>10.6f} {L['init_ratio']:>6.4f}x {tgt:>6.2f}x {met:>4} "
                  f"{b['init_wall_s']:>10.2f} {h['init_wall_s']:>10.2f} "
                  f"{L['init_wall_ratio']:>6.2f}x")
            print(f"{'to power-off, ' + label:<42} {b['poweroff_ns'] / 1e9:>10.6f} "
                  f"{h['poweroff_ns'] / 1e9:>10.6f} {L['poweroff_ratio']:>6.4f}x {'':>7} {'':>4} "
                  f"{b['poweroff_wall_s']:>10.2f} {h['poweroff_wall_s']:>10.2f} "
                  f"{h['poweroff_wall_s'] / b['poweroff_wall_s']:>6.2f}x")
            q = L["bare_qemu_dt"]
            print(f"{'  (bare with QEMU own devicetree: /init':<42} {q['init_ns'] / 1e9:>10.6f} "
                  f"{'':>10} {L['init_ratio_vs_qemu_dt']:>6.4f}x  power-off "
                  f"{q['poweroff_ns'] / 1e9:.6f}, {L['poweroff_ratio_vs_qemu_dt']:.4f}x)")
            if "bare_1vcpu" in L:
                print(f"{'  (1 vCPU: /init, power-off':<42} bare "
                      f"{L['bare_1vcpu']['init_ns'] / 1e9:.6f}, "
                      f"{L['bare_1vcpu']['poweroff_ns'] / 1e9:.6f}" +
                      "".join(f"; {who} {L[side]['init_ns'] / 1e9:.6f} "
                              f"{L[side]['init_ratio']:.4f}x, "
                              f"{L[side]['poweroff_ns'] / 1e9:.6f} "
                              f"{L[side]['poweroff_ratio']:.4f}x"
                              for side, who in (("bulwark_1vcpu", "Bulwark"), ("xen", "Xen"))
                              if side in L) + ")")
            if "unavailable" in L.get("xen_run", {}):
                print(f"  (Xen: not measured: {L['xen_run']['unavailable']})")
        print("(bare boots with the devicetree bwpack made for the VM, so that both see the "
              "same machine)")
    entry = data.get("entry")
    if entry:
        print(f"{'power-on to the first guest instruction, 256 MiB VM':<42} "
              f"{entry['bare']['entry_ns'] / 1e9:>10.6f} {entry['bulwark']['entry_ns'] / 1e9:>10.6f}"
              f"  (+{entry['added_ns'] / 1e6:.1f} ms: Bulwark's boot and the VM's creation, "
              f"before the kernel's clock starts)")
    fp = data.get("footprint")
    if fp:
        print()
        print("Footprint")
        print(f"  build/bulwark.bin: {fp['image_bytes']:,} bytes; size: text {fp['size_berkeley']['text']:,}"
              f" data {fp['size_berkeley']['data']:,} bss {fp['size_berkeley']['bss']:,}")
        print("  sections: " + ", ".join(f"{k} {v:,}" for k, v in fp["sections"].items()))
        if "per_vm_state_bytes" in fp:
            print(f"  per-VM state (static, in BSS): {fp['per_vm_state_bytes']:,} bytes "
                  f"x {fp['vm_max']} VM slots = {fp['vm_table_bytes']:,} bytes")
        for key, r in fp["runtime"].items():
            m = r["memory"]
            vms = ", ".join(f"{n} {v['memory_mib']} MiB ({v['vcpus']} vCPUs)"
                            for n, v in r["vms"].items())
            print(f"  at run time ({key}): RAM {m.get('ram_mib')} MiB, hypervisor image "
                  f"{m.get('hypervisor_kib')} KiB (text {m.get('text_kib')}, rodata "
                  f"{m.get('rodata_kib')}, data+bss {m.get('data_bss_kib')}, stacks "
                  f"{m.get('stacks_kib')}), metadata pool {m.get('metadata_pool_kib')} KiB, "
                  f"devicetree {m.get('devicetree_kib')} KiB, package (VM images, kept) "
                  f"{m.get('package_kib')} KiB; free for VMs "
                  f"{m.get('free_for_vms_mib')} MiB, so {m.get('reserved_by_hypervisor_mib')} MiB "
                  f"held by the hypervisor; VMs: {vms}")


def markdown(data):
    """The tables of docs/performance.md, from a results file."""
    out = []
    m = data["meta"]
    once = any("bare_1vcpu" in v for v in data.get("linux", {}).values())
    out.append(f"Measured {m['date']} at {m['git_rev']} ({m['mode']} run, {m['repeat']} runs of "
               f"each configuration" +
               ("; the Linux boots with 1 vCPU and under Xen once" if once else "") +
               f"), {m['qemu']}, host {m['host_cpu']} with {m['host_cpus']} "
               f"CPUs; `-cpu {m['qemu_cpu']}` `{m['qemu_flags']}`.")
    out.append("")
    micro = data.get("micro")
    if micro:
        bare = micro["runs"]["bare"]["results"]
        hyp = micro["runs"]["bulwark"]["results"]
        xrun = micro["runs"].get("xen", {})
        xen = xrun.get("results", {})
        out.append("| operation | bare ns (max) | Bulwark ns (max) | added | Xen ns (max) | added "
                   "| ratio | target (added) | met | wall bare ns | wall Bulwark ns | wall Xen ns |")
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|:-:|--:|--:|--:|")
        for name, desc in MICRO:
            b, h, x = bare[name], hyp[name], xen.get(name)
            nd = 2 if name.startswith("mem_") else 0
            added = h["avg_ns"] - b["avg_ns"]
            tgt = TARGETS.get(name)
            met = "" if tgt is None else ("yes" if added <= tgt else "**no**")
            xs = f"{fmt(x['avg_ns'], nd)} ({fmt(x['max_ns'])})" if x else "-"
            xa = fmt(x["avg_ns"] - b["avg_ns"], nd) if x else "-"
            out.append(f"| {desc} | {fmt(b['avg_ns'], nd)} ({fmt(b['max_ns'])}) | "
                       f"{fmt(h['avg_ns'], nd)} ({fmt(h['max_ns'])}) | {fmt(added, nd)} | "
                       f"{xs} | {xa} | "
                       f"{fmt(h['avg_ns'] / b['avg_ns'], 2)}x | {fmt(tgt) if tgt else ''} | {met} | "
                       f"{fmt(b.get('wall_ns'), nd // 2)} | {fmt(h.get('wall_ns'), nd // 2)} | "
                       f"{fmt(x.get('wall_ns') if x else None, nd // 2)} |")
        out.append("")
        if "unavailable" in xrun:
            out.append(f"Xen: not measured: {xrun['unavailable']}.")
            out.append("")
        elif xrun:
            out.append(f"Xen: Debian's `xen-hypervisor-4.17-arm64` {xrun.get('xen')}, a dom0less "
                       f"domU with {xrun['domu_vcpus']} vCPU on {xrun['host_cpus']} CPU and "
                       f"{xrun['domu_memory_kib'] // 1024} MiB" +
                       "".join(f"; `{n}`: {why}" for n, why in xrun.get("not_measured", {}).items())
                       + ".")
            out.append("")
    linux = data.get("linux")
    if linux:
        out.append("| Linux boot (kernel timestamps) | bare s | Bulwark s | ratio | target | met | "
                   "bare, 1 vCPU s | Bulwark, 1 vCPU s | ratio | Xen, 1 vCPU s | ratio | "
                   "bare, QEMU's devicetree s | wall bare s | wall Bulwark s | wall Xen s |")
        out.append("|---|--:|--:|--:|--:|:-:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        xen_notes = []

        # A run's figure, or `-` where it did not run (no Xen).
        def secs(r, what):
            return f"{r[what + '_ns'] / 1e9:.6f}" if r else "-"

        def ratio(r, what):
            return f"{r[what + '_ratio']:.4f}x" if r else "-"

        def wall(r, what):
            return f"{r[what + '_wall_s']:.2f}" if r else "-"

        for key, label in (("linux_tests", "with crypto self-tests"),
                           ("linux_notests", "`cryptomgr.notests`")):
            if key not in linux:
                continue
            L = linux[key]
            b, h, q = L["bare"], L["bulwark"], L["bare_qemu_dt"]
            b1, h1, x = L.get("bare_1vcpu"), L.get("bulwark_1vcpu"), L.get("xen")
            tgt = BOOT_TARGETS[key]
            met = "yes" if L["init_ratio"] <= tgt else "**no**"
            if "unavailable" in L.get("xen_run", {}):
                xen_notes.append(L["xen_run"]["unavailable"])
            out.append(f"| `Run /init`, {label} | {secs(b, 'init')} | {secs(h, 'init')} "
                       f"| {L['init_ratio']:.4f}x | {tgt:.2f}x | {met} | {secs(b1, 'init')} | "
                       f"{secs(h1, 'init')} | {ratio(h1, 'init')} | {secs(x, 'init')} | "
                       f"{ratio(x, 'init')} | {secs(q, 'init')} | "
                       f"{wall(b, 'init')} | {wall(h, 'init')} | {wall(x, 'init')} |")
            out.append(f"| `reboot: Power down`, {label} | {secs(b, 'poweroff')} | "
                       f"{secs(h, 'poweroff')} | {L['poweroff_ratio']:.4f}x | | | "
                       f"{secs(b1, 'poweroff')} | {secs(h1, 'poweroff')} | "
                       f"{ratio(h1, 'poweroff')} | {secs(x, 'poweroff')} | "
                       f"{ratio(x, 'poweroff')} | {secs(q, 'poweroff')} | "
                       f"{wall(b, 'poweroff')} | {wall(h, 'poweroff')} | "
                       f"{wall(x, 'poweroff')} |")
        entry = data.get("entry")
        if entry:
            out.append(f"| power-on to the guest's first instruction, 256 MiB VM | "
                       f"{entry['bare']['entry_ns'] / 1e9:.6f} | {entry['bulwark']['entry_ns'] / 1e9:.6f}"
                       f" |" + " |" * 12)
        out.append("")
        if xen_notes:
            out.append(f"Xen: not measured: {xen_notes[0]}.")
            out.append("")
    return "\n".join(out)


def host_info():
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    qemu = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout
    rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip() != ""
    return {"qemu": qemu.splitlines()[0] if qemu else None, "host_cpu": cpu,
            "host_cpus": os.cpu_count(), "host": platform.platform(),
            "git_rev": rev + ("-dirty" if dirty else ""),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true",
                    help="tiny iteration counts, one Linux boot each way (for make test)")
    ap.add_argument("--suite", action="append", choices=["micro", "linux", "footprint"],
                    help="run only these suites (default: all)")
    ap.add_argument("--repeat", type=int, help="runs of each configuration (default 3, quick 1)")
    ap.add_argument("--out", help="JSON output (default bench/results/latest.json; "
                    "quick: BUILD/bench/quick.json)")
    ap.add_argument("--xen", metavar="IMAGE",
                    help="Xen's arm64 image (tools/xen/fetch.sh puts Debian's in "
                    "~/.cache/bulwark/xen/xen): the micro suite also runs as its domU")
    ap.add_argument("--markdown", metavar="JSON",
                    help="print the tables of a results file as Markdown, run nothing")
    ap.add_argument("--prepare-xen", metavar="DTS",
                    help="only write the files that boot the guest of this system description "
                    "(the benchmark guest, or Linux) as Xen's domU (BUILD/bench/xen/NAME.*, "
                    "for make test)")
    a = ap.parse_args()
    if a.prepare_xen:
        build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
        dts = a.prepare_xen
        name = os.path.splitext(os.path.basename(dts))[0]
        xen = os.path.abspath(a.xen) if a.xen else None
        memory_kib, vcpus = vm_of(dts)
        try:
            if is_linux(dts):
                xen_domu(build, xen, LINUX_KERNEL, bootargs_of(dts), memory_kib, vcpus, name,
                         ramdisk=LINUX_INITRD)
            else:
                xen_domu(build, xen, os.path.join(build, "guests", "bench.bin"),
                         without_spi(bootargs_of(dts)), memory_kib, XEN_SMP, name,
                         linked_at_2m=True)
        except XenUnavailable as e:
            sys.exit(f"bench/run.py: error: {e}")
        return
    if a.markdown:
        with open(a.markdown) as f:
            print(markdown(json.load(f)))
        return
    build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    suites = a.suite or ["micro", "linux", "footprint"]
    repeat = a.repeat or (1 if a.quick else 3)
    logdir = os.path.join(build, "bench", "logs")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    started = time.monotonic()
    data = {"meta": host_info()}
    data["meta"].update({
        "mode": "quick" if a.quick else "full", "repeat": repeat,
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "qemu_cpu": CPU, "qemu_flags": " ".join(ICOUNT),
    })
    failed = []
    micro_lines, boot_lines = [], {}
    if "micro" in suites:
        dts = "bench/systems/micro-quick.dts" if a.quick else "bench/systems/micro.dts"
        try:
            data["micro"] = micro_suite(build, dts, repeat, 120 if a.quick else 300, logdir,
                                        micro_lines, a.xen)
            boot_lines["micro"] = micro_lines
        except RunFailed as e:
            failed.append(f"micro: {e}")
    if "linux" in suites:
        variants = [("linux_notests", "bench/systems/linux-notests.dts",
                     "bench/systems/linux-notests-1vcpu.dts")]
        if not a.quick:
            variants.insert(0, ("linux_tests", "bench/systems/linux.dts",
                                "bench/systems/linux-1vcpu.dts"))
        try:
            data["linux"] = linux_suite(build, variants, repeat, 180, logdir, boot_lines, a.xen)
        except RunFailed as e:
            failed.append(f"linux: {e}")
    if "linux" in suites and not a.quick:
        try:
            data["entry"] = entry_suite(build, repeat, 120, logdir, boot_lines)
        except RunFailed as e:
            failed.append(f"entry: {e}")
    if "footprint" in suites:
        try:
            data["footprint"] = footprint(build, {k: v for k, v in boot_lines.items()
                                                  if k in ("micro", "linux_notests")})
        except (OSError, subprocess.CalledProcessError) as e:
            failed.append(f"footprint: {e}")
    data["targets"] = {"added_ns": TARGETS, "boot_ratio": BOOT_TARGETS, "peers": PEERS}
    data["meta"]["wall_s"] = round(time.monotonic() - started, 1)
    data["failed"] = failed
    report(data)
    if a.out:
        outs = [a.out]
    elif a.quick:
        outs = [os.path.join(build, "bench", "quick.json")]
    else:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        outs = [os.path.join(ROOT, "bench", "results", "latest.json"),
                os.path.join(ROOT, "bench", "results", f"{stamp}.json")]
    for o in outs:
        os.makedirs(os.path.dirname(os.path.abspath(o)), exist_ok=True)
        with open(o, "w") as f:
            json.dump(data, f, indent=1, sort_keys=False)
            f.write("\n")
    print()
    print(f"results: {', '.join(os.path.relpath(o, ROOT) for o in outs)}; logs: "
          f"{os.path.relpath(logdir, ROOT)}/ ({data['meta']['wall_s']} s)")
    if failed:
        print("FAILED:\n  " + "\n  ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
