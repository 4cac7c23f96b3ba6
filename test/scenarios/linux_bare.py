# SPDX-License-Identifier: Apache-2.0
"""Unmodified Debian Linux booted bare on QEMU virt, without the hypervisor:
the reference for the same guest under Bulwark, and a check of the guest
assets themselves (`make linux-assets`, docs/linux-guests.md).

Each boot runs the initramfs's `smoke` script and powers off, about 3 to 5 s
of wall time each on a 2-CPU host."""

KERNEL = "build/linux/Image"
INITRAMFS = "build/linux/initramfs.cpio"
SMOKE = "console=ttyAMA0 bulwark.script=smoke bulwark.poweroff=1"
# One nanosecond of virtual time per instruction, fixed seeds and clock: the
# whole console log is identical from run to run.
REPEATABLE = ["-icount", "shift=0,sleep=off", "-seed", "1",
              "-rtc", "base=2025-01-01T00:00:00,clock=vm"]

NEVER = [r"Kernel panic", r"Internal error:", r"Unable to handle kernel", r"\bBUG:",
         r"WARNING: CPU:", r"Call trace:", r"BULWARK-LINUX: script \S+ exit [1-9]",
         r"BULWARK-LINUX: (bad script|no script)"]


def linux(name, smp=2, crypto_tests=False, extra=(), **kw):
    append = SMOKE if crypto_tests else SMOKE + " cryptomgr.notests"
    return dict(name=name, image=KERNEL, machine="virt,gic-version=3", smp=smp,
                mem="512M", append=append, extra=["-initrd", INITRAMFS, *extra],
                expect=[r"Linux version 6\.",
                        rf"smp: Brought up 1 node, {smp} CPUs?",
                        r"Run /init as init process",
                        r"BULWARK-LINUX: userspace up",
                        rf"BULWARK-LINUX: cpus online {smp} ",
                        r"BULWARK-LINUX: script smoke done",
                        r"BULWARK-LINUX: script smoke exit 0",
                        r"reboot: Power down"],
                forbid=NEVER, timeout=60, **kw)


SCENARIOS = [
    linux("linux-bare-smoke"),
    linux("linux-bare-repeatable", extra=REPEATABLE),
    # The crypto self-tests (about 600 ms of virtual time) on one boot.
    linux("linux-bare-selftests", smp=1, crypto_tests=True, extra=REPEATABLE),
]
