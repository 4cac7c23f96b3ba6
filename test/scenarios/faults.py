# SPDX-License-Identifier: Apache-2.0
"""The hypervisor breaks its own rules on purpose (`bulwark.selftest=`) and
the hardware must catch each one: W^X, guard pages, boot code dropped,
pointer authentication. Each report must name the CPU and the fault, and a
fault on one CPU must not stop the others."""

REPORT = r"\*\*\* Bulwark: unexpected exception on CPU {cpu} \(synchronous, EL2\) \*\*\*"
HEX = "[0-9a-f]{16}"
REGS = [rf"FAR  {HEX}  ELR  {HEX}  SPSR {HEX}  SP {HEX}",
        rf"x0  {HEX}  x1  {HEX}", rf"x28 {HEX}  x29 {HEX}  x30 ",
        r"CPU %(cpu)s stopped; the other CPUs go on\."]


def fault(name, test, detail, cpu=0, smp=1, after=(), **kw):
    expect = [rf"selftest: {test}: running", REPORT.format(cpu=cpu)] + \
             [r % dict(cpu=cpu) for r in REGS]
    return dict(name=name, smp=smp, append=f"bulwark.selftest={test}", expect=expect,
                anywhere=detail + list(after), forbid=[rf"selftest: {test}: FAILED", "WARNING"],
                timeout=60, **kw)


SCENARIOS = [
    fault("write-rodata", "write-rodata",
          [r"EC 0x25: data abort", r"permission fault at level 3, on a write"]),
    fault("exec-data", "exec-data",
          [r"EC 0x21: instruction abort", r"permission fault at level 3, on an instruction fetch"]),
    fault("null-read", "null-read",
          [r"EC 0x25: data abort", r"translation fault at level \d, on a read",
           r"FAR  0000000000000008"]),
    fault("stack-overflow", "stack-overflow",
          [r"EC 0x25: data abort", r"translation fault at level 3, on a write",
           r"the address is a stack guard page of CPU 0: stack overflow"]),
    fault("init-after-boot", "init-after-boot",
          [r"EC 0x21: instruction abort", r"translation fault at level 3, on an instruction fetch"]),
    # With FEAT_FPAC the failed authentication traps at once (EC 0x1c); without
    # it the poisoned return address faults when it is used.
    fault("pac-corrupted-return", "pac",
          [r"EC 0x(1c: pointer authentication failure|21: instruction abort)"]),
    # CPU 1 dies while CPU 0 goes on booting and printing.
    fault("one-cpu-faults", "fault-cpu1", [r"EC 0x25: data abort"], cpu=1, smp=4,
          after=[r"cpu2: online", r"cpu3: online", r"cpus: [34] of 4 online", r"Bulwark ready\."]),
]
