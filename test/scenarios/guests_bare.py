# SPDX-License-Identifier: Apache-2.0
"""The bare-metal test guests (guest/) booted directly on QEMU, without a
hypervisor: the baseline the same images must match under Bulwark.

QEMU runs at EL1 only (no virtualization=on), so QEMU's own PSCI answers the
guests' HVCs. Build the images first: `make guests` (guest/guest.mk).
"""

MACHINE = "virt,gic-version=3"
SELFTESTS = "build/guests/selftests.bin"
HELLO = "build/guests/hello.bin"
CRASH = "build/guests/crash.bin"

# Anything that means a test or the runtime went wrong.
NEVER = [r"\[  FAILED  \]", r"unexpected exception", r"GUEST RESULT: FAIL",
         r"no GICv3 redistributor", r"loaded elsewhere"]
# A line of console.concurrent_lines mixed with another vCPU's output.
TORN = r"(?m)^  console: (?!([a-h])\1{23}\r?$)"
# QEMU 7.2's PSCI reports a vCPU OFF (and accepts a second CPU_ON) between
# CPU_ON and the vCPU's start; psci.cpu_on_pending checks that it does not.
ALL_BUT_QEMU_BUGS = "test=-psci.cpu_on_pending"


def selftests(name, smp, append=ALL_BUT_QEMU_BUGS, expect=(), anywhere=(),
              tests=r"TESTS: \d+ passed, 0 failed", **kw):
    return dict(name=name, image=SELFTESTS, machine=MACHINE, smp=smp, mem="512M",
                append=append,
                expect=[rf"testfw: \d+ tests in this image, {smp} vCPUs"] + list(expect) +
                [tests, r"GUEST RESULT: PASS", r"GUEST DONE"],
                anywhere=list(anywhere), forbid=NEVER + [TORN], timeout=90, **kw)


def ok(*names):
    return [rf"\[       OK \] {n.replace('.', '[.]')}" for n in names]


ALWAYS = ["console.uart", "exceptions.undef", "exceptions.svc", "exceptions.brk",
          "exceptions.el2_sysreg", "gic.typer", "gic.sgi_self", "gic.sgi_masking", "mem.rw",
          "psci.version", "psci.features", "psci.unknown_function", "psci.affinity_info",
          "psci.cpu_on_errors", "timer.counter_monotonic", "timer.virtual", "timer.imask",
          "timer.wfi_wakeup", "timer_irq.repeated", "timer_irq.disabled_while_firing",
          "timer_irq.priority", "timer_irq.priority_mask", "timer_irq.behind_active",
          "timer_irq.preempts_active", "timer_irq.many_pending_timer_last",
          "timer_irq.many_pending_timer_first", "timer_irq.many_pending_by_priority",
          "timer_irq.cleared_while_disabled"]
SMP2 = ["console.concurrent_lines", "gic.sgi_other", "gic.sgi_not_self", "psci.cpu_on_off",
        "timer_irq.secondary"]


def crash(mode, report):
    return dict(name=f"bare-crash-{mode}", image=CRASH, machine=MACHINE, smp=1, mem="512M",
                append=f"crash={mode}",
                expect=[rf"crash: start {mode}",
                        r"\*\*\* guest: unexpected exception on vCPU 0 \(synchronous, EL1h\) \*\*\*"]
                + report + [r"GUEST RESULT: FAIL", r"GUEST DONE"],
                forbid=[r"crash: survived"], timeout=30)


SCENARIOS = [
    # The whole suite. With one vCPU the multi-vCPU tests are skipped.
    selftests("bare-selftests-smp1", 1, anywhere=ok(*ALWAYS) + [
        r"\[  SKIPPED \] psci\.cpu_on_off", r"\[  SKIPPED \] gic\.sgi_other"]),
    selftests("bare-selftests-smp2", 2, anywhere=ok(*ALWAYS, *SMP2)),
    selftests("bare-selftests-smp4", 4,
              anywhere=ok(*ALWAYS, *SMP2, "psci.all_cpus_concurrently")),
    # One test by name, with either spelling of the argument.
    selftests("bare-selftests-one", 2, append="test=psci.version",
              expect=[r"\[ RUN      \] psci\.version", r"PSCI version 1\.[01]",
                      r"\[       OK \] psci\.version"], tests=r"TESTS: 1 passed, 0 failed")
    | dict(forbid=NEVER + [r"\[ RUN      \] (?!psci\.version)"]),
    selftests("bare-selftests-suite-and-list", 2, append="quiet bulwark.test=gic,timer.virtual",
              expect=ok("gic.typer", "gic.sgi_other", "timer.virtual"),
              tests=r"TESTS: 6 passed, 0 failed")
    | dict(forbid=NEVER + [r"\[ RUN      \] (psci|mem|console|exceptions)"]),
    dict(name="bare-selftests-list", image=SELFTESTS, machine=MACHINE, smp=1, mem="512M",
         append="test=list",
         expect=[r"test: console\.uart", r"test: psci\.cpu_on_off \(needs several vCPUs\)",
                 r"test: testfw\.expect_fails \(by name only\)", r"GUEST RESULT: PASS",
                 r"GUEST DONE"],
         forbid=[r"\[ RUN"], timeout=30),
    dict(name="bare-selftests-no-match", image=SELFTESTS, machine=MACHINE, smp=1, mem="512M",
         append="test=no.such_test",
         expect=[r'testfw: no test matches "no\.such_test"', r"TESTS: 0 passed, 1 failed",
                 r"GUEST RESULT: FAIL", r"GUEST DONE"], timeout=30),
    # The framework's failure paths: a failed expectation names file:line and
    # both values; an unexpected exception fails only its test, on vCPU 0 or
    # on another vCPU; the tests after them still run.
    dict(name="bare-testfw-failures", image=SELFTESTS, machine=MACHINE, smp=2, mem="512M",
         append="test=testfw.expect_fails,testfw.unexpected_exception,"
                "testfw.secondary_exception,testfw.skip,timer.virtual",
         expect=[r"\[ RUN      \] testfw\.expect_fails",
                 r"\[  FAILED  \] testfw\.expect_fails: guest/tests/selftests/testfw\.c:\d+: "
                 r"expected got == -4, got 0x10001 \(65537\) vs 0xfffffffffffffffc \(-4\)",
                 r"\*\*\* guest: unexpected exception on vCPU 0 \(synchronous, EL1h\) \*\*\*",
                 r"EC 0x00: unknown reason",
                 r"\[  FAILED  \] testfw\.unexpected_exception: unexpected exception",
                 r"\*\*\* guest: unexpected exception on vCPU 1 \(synchronous, EL1h\) \*\*\*",
                 r"EC 0x25: data abort", r"FAR  0x000000000b000000",
                 r"\[  FAILED  \] testfw\.secondary_exception: a secondary vCPU",
                 r"\[  SKIPPED \] testfw\.skip",
                 r"\[       OK \] timer\.virtual",
                 r"TESTS: 1 passed, 3 failed", r"GUEST RESULT: FAIL", r"GUEST DONE"],
         forbid=[r"not reached"], timeout=60),
    # The demo guest: three timer-driven ticks, then off.
    dict(name="bare-hello", image=HELLO, machine=MACHINE, smp=1, mem="512M", append="ticks=3",
         expect=[r"hello: bare-metal guest on vCPU 0, MPIDR 0x80000000",
                 r"hello: tick 1\r?\n", r"hello: tick 2\r?\n", r"hello: tick 3\r?\n",
                 r"GUEST RESULT: PASS", r"GUEST DONE"],
         forbid=[r"hello: tick 4", r"unexpected exception"], timeout=30),
    # Without a hypervisor these are exceptions the guest takes itself.
    crash("undef-el2", [r"EC 0x00: unknown reason"]),
    crash("unmapped", [r"EC 0x25: data abort", r"FAR  0x000000000b000000"]),
    crash("wild", [r"EC 0x00: unknown reason", r"ELR  0x0000000000000000"]),
    dict(name="bare-crash-hang-irqs-masked", image=CRASH, machine=MACHINE, smp=1, mem="512M",
         append="crash=hang-irqs-masked", expect=[r"crash: start hang-irqs-masked"],
         forbid=[r"crash: survived", r"GUEST DONE", r"unexpected exception"],
         settle=3.0, timeout=30),
]
