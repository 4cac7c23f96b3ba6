# SPDX-License-Identifier: Apache-2.0
"""Boot of the hypervisor on QEMU virt: banner, discovery, every CPU online,
boot memory dropped, the EL2 address-space self-check, on several CPU
counts and RAM sizes."""

BANNER = [
    r"Bulwark \d+\.\d+\.\d+ - security-first hypervisor for arm64",
    r"build: .*max \d+ CPUs",
    r"hardening: W\^X \+ WXN on, PAC on .*BTI on",
    r"RAM +0x0000400\d+-",
    r"hypervisor +0x",
    r"total free for VMs: \d+ MiB; RAM is not mapped at EL2",
    r"GICv3 distributor +0x8000000",
    r"GICv3 redistributors 0x80a0000",
    r"PL011 UART +0x9000000",
    r"generic timer +INTIDs: EL1 phys 30, EL1 virt 27, EL2 phys 26",
    r"PSCI +SMC conduit",
]
NEVER = [r"ERROR", r"WARNING", r"unexpected exception", r"FAILED"]


def boot(name, smp, mem="1G", **kw):
    cpus = [rf"cpu{i}: online, MPIDR 0x{i:x}" for i in range(smp)]
    return dict(name=name, smp=smp, mem=mem,
                expect=BANNER + [rf"cpus: {smp} of {smp} online",
                                 r"boot: \d+ KiB of boot-only code and data unmapped",
                                 r"self-check: W\^X holds", r"Bulwark ready\."],
                forbid=NEVER, timeout=90, anywhere=cpus, **kw)


SCENARIOS = [
    dict(boot("smoke", 4, "2G")),
    boot("smp1", 1),
    boot("smp4", 4),
    boot("smp8", 8, "2G"),
    boot("mem256M", 2, "256M"),
    boot("mem4G", 2, "4G"),
    boot("cortex-a57", 2, cpu="cortex-a57",
         ) | dict(expect=[r"cortex-a57|Cortex-A57", r"PAC absent on this CPU, BTI absent",
                          r"cpus: 2 of 2 online", r"Bulwark ready\."]),
]
