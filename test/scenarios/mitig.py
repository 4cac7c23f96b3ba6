# SPDX-License-Identifier: Apache-2.0
"""CPU-vulnerability mitigations (docs/mitigations.md).

1. The posture report against the CPU model: the hypervisor alone on each
   core QEMU 7.2 emulates and each profile; the verdicts and methods the
   report prints must be Arm's published facts about that core (and the
   ID registers QEMU gives it), and the options must be obeyed.
2. Linux agrees: Debian's kernel in a VM prints
   /sys/devices/system/cpu/vulnerabilities, which it decides from the ID
   registers it reads and from Bulwark's SMCCC answers; `check_linux`
   derives what Linux 6.1 must conclude from Bulwark's own report of the
   VM's CPUs (verdicts, SSBS, the SMCCC_ARCH_FEATURES answers) and compares.
"""
import re

NEVER = [r"ERROR", r"unexpected exception", r"FAILED", r"stack smashing"]
LINUX_NEVER = [r"Kernel panic", r"Internal error:", r"Unable to handle kernel", r"\bBUG:",
               r"WARNING: CPU:", r"Call trace:", r"BULWARK-LINUX: script \S+ exit [1-9]"]


def line(issue, verdict, action, src=r"[^\]]*"):
    return rf"mitig: cpu0-1 {issue}: {verdict} \([^)]*\): {action}[^\[]*\[{src}\]"


def posture(name, cpu, expect, append=None, **kw):
    s = dict(name=name, cpu=cpu, smp=2, mem="512M", timeout=60, forbid=NEVER,
             expect=[r"cpus: 2 of 2 online"] + expect + [r"Bulwark ready\."], **kw)
    if append:
        s["append"] = append
    return s


SCENARIOS = [
    posture("mitig-max", "max,pauth-impdef=on", [
        r"mitigations: profile balanced \(default\)",
        r"mitigations: deviations from the profile: none",
        r"mitig: cpu0-1 unknown core r0p0 \(MIDR 0xf0510[^)]*\): CSV2 [1-9] CSV3 1 SSBS [1-9]",
        line("spectre-v2", "not affected", "nothing to do", "hardware"),
        line("spectre-bhb", "unknown", "NOT MITIGATED"),
        line("spectre-v4", "unknown", r"SSBS=0 at EL2", "ssbd, profile"),
        line("meltdown", "not affected", "nothing to do"),
        line("sls", "affected", "SLS barriers"),
        r"mitig: cpu0-1 guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 1, _2 -1, _3 -1"]),
    posture("mitig-cortex-a53", "cortex-a53", [
        r"mitig: cpu0-1 Cortex-A53 r0p4 \(MIDR 0x410fd034",
        line("spectre-v2", "not affected", "nothing to do"),
        line("spectre-bhb", "not affected", "nothing to do"),
        line("spectre-v4", "not affected", "nothing to do"),
        line("erratum-a53-843419", "affected", "not needed"),
        r"guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 1, _2 -2, _3 1"]),
    posture("mitig-cortex-a57", "cortex-a57", [
        r"mitig: cpu0-1 Cortex-A57 r1p0 \(MIDR 0x411fd070[^)]*\): CSV2 0 CSV3 0 SSBS 0 "
        r"SB 0 CLRBHB 0 ECBHB 0; firmware has no SMCCC 1\.1",
        line("spectre-v2", "affected", r"NOT MITIGATED; the firmware has no SMCCC 1\.1", "bpi, profile"),
        line("spectre-bhb", "affected", r"BHB loop on entry x8", "bhb, profile"),
        line("spectre-v4", "affected", r"NOT MITIGATED; no SSBS", "ssbd, profile"),
        line("meltdown", "not affected", "nothing to do"),
        line("erratum-a57-832075", "affected", "not needed"),
        line("erratum-a57-834220", "affected", "NOT MITIGATED"),
        r"guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 -1, _2 -1, _3 -1"]),
    posture("mitig-cortex-a72", "cortex-a72", [
        r"mitig: cpu0-1 Cortex-A72 r0p3 \(MIDR 0x410fd083",
        line("spectre-v2", "affected", "NOT MITIGATED"),
        line("spectre-bhb", "affected", r"BHB loop on entry x8"),
        line("erratum-a57-832075", "not affected", "nothing to do")]),
    posture("mitig-cortex-a76", "cortex-a76", [
        r"mitig: cpu0-1 Cortex-A76 r4p1 \(MIDR 0x414fd0b1[^)]*\): CSV2 1 CSV3 1 SSBS 1",
        line("spectre-v2", "not affected", "nothing to do"),
        line("spectre-bhb", "affected", r"BHB loop on entry x24"),
        line("spectre-v4", "affected", r"SSBS=0 at EL2"),
        line("erratum-a76-1165522", "not affected", "nothing to do"),
        r"guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 1, _2 -1, _3 0"]),
    posture("mitig-neoverse-n1", "neoverse-n1", [
        r"mitig: cpu0-1 Neoverse-N1 r4p1 \(MIDR 0x414fd0c1",
        line("spectre-bhb", "affected", r"BHB loop on entry x24")]),
    # Profiles and overrides, on the command line.
    posture("mitig-hardened-max", "max,pauth-impdef=on", [
        r"mitigations: profile hardened \(bulwark\.mitigations=\)",
        line("spectre-bhb", "unknown", r"BHB loop on entry x32; unknown core", "bhb, profile"),
        line("vm-switch", "affected", r"no VM switch; flush module on, nothing to run it on yet"),
        r"guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 1, _2 -1, _3 0"],
        append="bulwark.mitigations=hardened"),
    posture("mitig-throughput-a76", "cortex-a76", [
        r"mitigations: profile throughput",
        line("spectre-v1", "affected", r"index masking", "nospec, fixed"),
        line("spectre-bhb", "affected", r"NOT MITIGATED; off in this profile", "bhb, profile"),
        line("spectre-v4", "affected", r"NOT MITIGATED; off in this profile", "ssbd, profile"),
        r"guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 1, _2 -1, _3 -1"],
        append="bulwark.mitigations=throughput"),
    posture("mitig-override-a57", "cortex-a57", [
        r"mitigations: profile balanced \(bulwark\.mitigations=\)",
        r"mitigations: deviation from the profile: switched on: \+flush",
        r"mitigations: deviation from the profile: switched off: -bhb",
        line("spectre-bhb", "affected", r"NOT MITIGATED; switched off", "bhb, override"),
        line("vm-switch", "affected", r"no VM switch; flush module on")],
        append="bulwark.mitigations=balanced,-bhb,+flush"),
    dict(name="mitig-bad-option", smp=1, mem="256M", timeout=30,
         append="bulwark.mitigations=balanced,+turbo",
         expect=[r"boot: bulwark\.mitigations: unknown module 'turbo' \(known: bpi, bhb, ssbd, "
                 r"flush, smccc\)", r"boot: stopped\."],
         forbid=[r"Bulwark ready", r"unexpected exception"]),
]


# --- Linux agrees --------------------------------------------------------------

REPORT = re.compile(r"^mitig: cpu(\d+)(?:-(\d+))? (\S+): (affected|not affected|unknown) "
                    r"\([^)]*\): (.*) \[[^\]]*\]$", re.M)
HEADER = re.compile(r"^mitig: cpu(\d+)(?:-(\d+))? .*\): CSV2 (\d+) CSV3 (\d+) SSBS (\d+)", re.M)
GUESTS = re.compile(r"^mitig: cpu(\d+)(?:-(\d+))? guests: SMCCC_ARCH_FEATURES "
                    r"ARCH_WORKAROUND_1 (-?\d+), _2 (-?\d+), _3 (-?\d+)$", re.M)
VULN = re.compile(r"^\[linux0\] BULWARK-LINUX: vuln (\S+): (.*)$", re.M)
VM_CPUS = (1, 2)


def covering(regex, text, cpu):
    for m in regex.finditer(text):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if first <= cpu <= last:
            yield m


def bulwark_view(text, cpu):
    """What Bulwark says of physical CPU `cpu`: issue -> (verdict, action);
    and its SSBS field and the guests' SMCCC answers."""
    issues = {m.group(3): (m.group(4), m.group(5)) for m in covering(REPORT, text, cpu)}
    hdr = next(covering(HEADER, text, cpu), None)
    wa = next(covering(GUESTS, text, cpu), None)
    if not issues or not hdr or not wa:
        return None
    return issues, int(hdr.group(5)), [int(wa.group(i)) for i in (3, 4, 5)]


def linux_expects(view):
    """What Debian's 6.1 kernel concludes (arch/arm64/kernel/proton-pack.c,
    cpufeature.c) on a CPU Bulwark describes as `view`."""
    issues, ssbs, (wa1, wa2, wa3) = view
    # Spectre-v2: unaffected by the ID registers (CSV2) or its safe list, else
    # the firmware's (Bulwark's) ARCH_WORKAROUND_1 answer.
    if issues["spectre-v2"][0] == "not affected" or wa1 == 1:
        v2 = "unaffected"
    elif wa1 == 0:
        v2 = "mitigated"
    else:
        v2 = "vulnerable"
    # Spectre-BHB: Linux knows the same cores' loop counts and runs its own
    # loop. Since the 2025 stable update ("assume that unknown CPUs are
    # vulnerable to Spectre BHB") it takes an unknown core as affected, and
    # mitigates it only with ARCH_WORKAROUND_3, which Bulwark offers where it
    # clears the BHB on every entry.
    verdict = issues["spectre-bhb"][0]
    if verdict == "not affected":
        bhb = "unaffected"
    elif verdict == "affected" or wa3 == 0:
        bhb = "mitigated"
    else:
        bhb = "vulnerable"
    if v2 == "vulnerable":
        spectre_v2 = "Vulnerable"
    elif v2 == "unaffected" and bhb == "unaffected":
        spectre_v2 = "Not affected"
    else:
        spectre_v2 = "Mitigation: %s%s" % ("CSV2" if v2 == "unaffected" else
                                           "Branch predictor hardening",
                                           {"unaffected": "", "mitigated": ", BHB",
                                            "vulnerable": ", but not BHB"}[bhb])
    # Spectre-v4: its safe list, then SSBS, then ARCH_WORKAROUND_2.
    if issues["spectre-v4"][0] == "not affected":
        ssb = "Not affected"
    elif ssbs:
        ssb = "Mitigation: Speculative Store Bypass disabled via prctl"
    elif wa2 in (1, -2):
        ssb = "Not affected"
    elif wa2 == 0:
        ssb = "Mitigation: Speculative Store Bypass disabled via prctl"
    else:
        ssb = "Vulnerable"
    meltdown = "Not affected" if issues["meltdown"][0] == "not affected" else "Mitigation: PTI"
    return {"spectre_v1": "Mitigation: __user pointer sanitization",
            "spectre_v2": spectre_v2, "spec_store_bypass": ssb, "meltdown": meltdown}


def check_linux(text):
    views = [bulwark_view(text, c) for c in VM_CPUS]
    if None in views:
        return "no complete posture report for the VM's CPUs 1-2"
    wanted = [linux_expects(v) for v in views]
    if wanted[0] != wanted[1]:
        return "the VM's CPUs differ; this check expects one kind"
    seen = dict(VULN.findall(text.replace("\r", "")))
    wrong = [f"{k}: Linux says '{seen.get(k)}', Bulwark's report implies '{v}'"
             for k, v in wanted[0].items() if seen.get(k) != v]
    return "; ".join(wrong) or None


def linux(name, cpu, append=None):
    s = dict(name=name, image="build/systems/linux-vulns.bin", cpu=cpu, smp=3, mem="1G",
             timeout=120, check=check_linux, forbid=NEVER + LINUX_NEVER,
             expect=[r"Bulwark ready\.", r"\[linux0\] BULWARK-LINUX: script vulns done",
                     r"vm 'linux0': stopped: SYSTEM_OFF"])
    if append:
        s["append"] = append
    return s


SCENARIOS += [
    linux("mitig-linux-max", "max,pauth-impdef=on"),
    # Hardened clears the BHB of an unknown core and offers ARCH_WORKAROUND_3:
    # Linux then calls it (answered in the vector) and says it is mitigated.
    linux("mitig-linux-hardened-max", "max,pauth-impdef=on", "bulwark.mitigations=hardened"),
    linux("mitig-linux-cortex-a57", "cortex-a57"),
    linux("mitig-linux-cortex-a76", "cortex-a76"),
    # Throughput stops clearing BHB on entry, so ARCH_WORKAROUND_3 is no
    # longer offered; Linux (on an N1, with its own loop) still says the same.
    linux("mitig-linux-throughput-n1", "neoverse-n1", "bulwark.mitigations=throughput"),
]

# Chosen in the system description: the system runs throughput, linux0 asks
# for hardened on its CPUs 1-2 (test/systems/mitig-vms.dts). The report says
# so per CPU, and Linux on CPUs 1-2 sees what hardened offers there.
MITIG_VMS = linux("mitig-vms-linux", "max,pauth-impdef=on")
MITIG_VMS["image"] = "build/systems/mitig-vms.bin"
MITIG_VMS["expect"] = [
    r"mitigations: profile throughput \(system description\)",
    r"vm 'linux0': 2 vCPU\(s\) on CPU\(s\) 1,2, .*, mitigations hardened",
] + MITIG_VMS["expect"]
MITIG_VMS["anywhere"] = [
    r"mitig: cpu0 spectre-bhb: unknown \([^)]*\): NOT MITIGATED; only the hardened profile",
    r"mitig: cpu0 spectre-v4: unknown \([^)]*\): NOT MITIGATED; off in this profile \[ssbd, profile\]",
    r"mitig: cpu0 guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 1, _2 -1, _3 -1",
    r"mitig: cpu1-2: owned by a VM with its own choice: hardened",
    r"mitig: cpu1-2 spectre-bhb: unknown \([^)]*\): BHB loop on entry x32[^\[]*\[bhb, vm profile\]",
    r"mitig: cpu1-2 spectre-v4: unknown \([^)]*\): SSBS=0 at EL2[^\[]*\[ssbd, vm profile\]",
    r"mitig: cpu1-2 vm-switch: affected \([^)]*\): no VM switch; flush module off",
    r"mitig: cpu1-2 guests: SMCCC_ARCH_FEATURES ARCH_WORKAROUND_1 1, _2 -1, _3 0",
    r"\[linux0\] BULWARK-LINUX: vuln spectre_v2: Mitigation: CSV2, BHB",
]
SCENARIOS.append(MITIG_VMS)
