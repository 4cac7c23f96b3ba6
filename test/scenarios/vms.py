# SPDX-License-Identifier: Apache-2.0
"""VMs under Bulwark: packed system images (test/systems/*.dts, built into
build/systems/) booted on QEMU virt with EL2. Guests run side by side on CPUs
of their own; a VM that stops, resets or misbehaves must not disturb the
others, and the reason must be reported."""

HYP_NEVER = [r"Bulwark: unexpected exception", r"stack smashing", r"ERROR", r"selftest: .*FAILED"]
LINUX_NEVER = [r"Kernel panic", r"Internal error:", r"Unable to handle kernel", r"\bBUG:",
               r"WARNING: CPU:", r"Call trace:", r"BULWARK-LINUX: script \S+ exit [1-9]"]


def system(name, smp, expect, anywhere=(), forbid=(), mem="1G", timeout=120, **kw):
    return dict(name=name, image=f"build/systems/{name}.bin", smp=smp, mem=mem,
                expect=expect, anywhere=[r"Bulwark ready\."] + list(anywhere),
                forbid=HYP_NEVER + list(forbid), timeout=timeout, **kw)


def ticks_after(n):
    """The ticker VM still ticking: tick n is printed after what precedes."""
    return rf"\[ticker\] hello: tick {n}\b"


# The ticker VM ticks again after what precedes it in an expect list.
STILL_TICKING = r"\[ticker\] hello: tick \d+"


SCENARIOS = [
    # The timer tests (timer_irq.*) take both ways a timer interrupt has on
    # vCPU 0: the exit vector's fast path, and the C vGIC (e.g. disabled
    # while it fires); the vCPU's statistics show both were used.
    system("selftests", 5,
           [r"vm 'guest0': 3 vCPU\(s\) on CPU\(s\) 1,2,3",
            r"\[guest0\] TESTS: \d+ passed, 0 failed", r"\[guest0\] GUEST RESULT: PASS",
            r"vm 'guest0': stopped: SYSTEM_OFF",
            r"vm 'guest0': vcpu0: .* [1-9]\d* timer, .*; in the exit vectors: [1-9]\d* timer "
            r"interrupts, [1-9]\d* MMIO accesses",
            r"vm 'guest0': vcpu1: .*; in the exit vectors: [1-9]\d* timer interrupts",
            STILL_TICKING],
           forbid=[r"\[guest0\] \[  FAILED  \]"]),
    system("linux", 4,
           [r"\[linux0\] .*Linux version 6\.", r"\[linux0\] .*smp: Brought up 1 node, 2 CPUs",
            r"\[linux0\] .*Run /init as init process", r"\[linux0\] BULWARK-LINUX: userspace up",
            r"\[linux0\] BULWARK-LINUX: cpus online 2 ",
            r"\[linux0\] BULWARK-LINUX: script smoke done",
            r"\[linux0\] .*reboot: Power down", r"vm 'linux0': stopped: SYSTEM_OFF",
            STILL_TICKING],
           anywhere=[r"\[ticker\] hello: tick 1\b"], forbid=LINUX_NEVER),
    system("two-linux", 5,
           [r"Bulwark ready"],
           anywhere=[r"\[linux0\] BULWARK-LINUX: cpus online 2 ",
                     r"\[linux1\] BULWARK-LINUX: cpus online 2 ",
                     r"\[linux0\] BULWARK-LINUX: script smoke done",
                     r"\[linux1\] BULWARK-LINUX: script smoke done"],
           forbid=LINUX_NEVER, timeout=180),
    system("reset", 3,
           [r"\[resetter\] hello: tick 2", r"\[resetter\] hello: asking for SYSTEM_RESET",
            r"vm 'resetter': SYSTEM_RESET, restarting",
            r"\[resetter\] hello: bare-metal guest on vCPU 0",
            r"\[resetter\] hello: tick 2", r"vm 'resetter': SYSTEM_RESET, restarting"],
           anywhere=[ticks_after(4)], forbid=[r"SYSTEM_RESET returned"]),
    system("crash-unmapped", 3,
           [r"\[crasher\] crash: start unmapped",
            r"vm 'crasher': stopped: read of unmapped guest-physical address 0xb000000",
            ticks_after(3)],
           forbid=[r"\[crasher\] crash: survived"]),
    system("crash-wild", 3,
           [r"\[crasher\] crash: start wild",
            r"vm 'crasher': stopped: instruction fetch from unmapped guest-physical address 0x0",
            ticks_after(3)],
           forbid=[r"\[crasher\] crash: survived"]),
    # An implementation-defined register: the guest gets an undefined
    # instruction exception of its own (an error, not a hypervisor matter;
    # QEMU 7.2 does not implement HCR_EL2.TIDCP, so the CPU raises it).
    system("crash-undef-el2", 3,
           [r"\[crasher\] crash: start undef-el2",
            r"\[crasher\] ESR +0x02000000 +EC 0x00", ticks_after(3)],
           forbid=[r"\[crasher\] crash: survived"]),
    # Spinning with interrupts masked hurts nobody but itself.
    system("crash-hang-irqs-masked", 3,
           [r"\[crasher\] crash: start hang-irqs-masked", ticks_after(4)]),
    # A passed-through device: the PL031's registers and its interrupt.
    system("passthrough", 2,
           [r"\[guest0\] \[       OK \] devices\.pl031", r"\[guest0\] TESTS: 1 passed, 0 failed"]),
    # The demo of `make run`: a person types into the Linux shell, switches
    # the keyboard to the bare-metal VM and back (Ctrl-\ n).
    system("demo", 4,
           [r"\[linux0\] BULWARK-LINUX: userspace up", r"\[linux0\] answer 42",
            r"console: input goes to vm 'bare0'", r"console: input goes to vm 'linux0'",
            r"\[linux0\] typed after switching back"],
           anywhere=[r"\[bare0\] hello: tick 2"], forbid=LINUX_NEVER, mem="2G",
           input=[(r"BULWARK-LINUX: shell on the console", "echo answer $((6*7))\r"),
                  (r"\[linux0\] answer 42", "\x1cn"),
                  (r"console: input goes to vm 'bare0'", "\x1cn"),
                  (r"console: input goes to vm 'linux0'",
                   "echo typed after switching back\r")]),
]
