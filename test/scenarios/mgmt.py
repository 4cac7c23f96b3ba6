# SPDX-License-Identifier: Apache-2.0
"""bwctl, the management CLI, end to end: Linux control VMs of
test/systems/mgmt-*.dts run guest/linux/scripts/mgmt-* with bwctl from the
initramfs. Each check prints `MGMT: ok NAME` or `MGMT: FAIL NAME: why`; the
scripts end with `MGMT: done, N passed, M failed`. A bare-metal ticker VM
runs beside them and must keep ticking through everything.
The same API from a bare-metal guest is tested by mgmt_bare.py."""

HYP_NEVER = [r"Bulwark: unexpected exception", r"stack smashing", r"ERROR", r"selftest: .*FAILED"]
LINUX_NEVER = [r"Kernel panic", r"Internal error:", r"Unable to handle kernel", r"\bBUG:",
               r"WARNING: CPU:", r"Call trace:", r"BULWARK-LINUX: script \S+ exit [1-9]"]
MGMT_NEVER = [r"MGMT: FAIL"]
STILL_TICKING = r"\[ticker\] hello: tick \d+"


def ok(vm, *names):
    return [rf"\[{vm}\] MGMT: ok {n}\r?\n" for n in names]


def scenario(name, expect, anywhere=(), forbid=LINUX_NEVER, timeout=300):
    return dict(name=name, image=f"build/systems/{name}.bin", smp=4, mem="1G", timeout=timeout,
                expect=expect, anywhere=[r"Bulwark ready\."] + list(anywhere),
                forbid=HYP_NEVER + MGMT_NEVER + list(forbid))


def done(vm, script):
    return [rf"\[{vm}\] MGMT: done, \d+ passed, 0 failed",
            rf"\[{vm}\] BULWARK-LINUX: script {script} exit 0",
            rf"vm '{vm}': stopped: SYSTEM_OFF", STILL_TICKING]


SCENARIOS = [
    # Every command: help, info, list, console (kept, --until, --json, --send
    # into Linux), stats, pause/resume, reset, stop (graceful then forced,
    # --force; `ticker` honours the shutdown request, `deaf` does not), start,
    # create/destroy with the memory checked, posture.
    scenario("mgmt-cmds",
             [r"\[ctl\] BULWARK-LINUX: script mgmt-cmds start"]
             + ok("ctl", "help", "info-text", "info-self", "list-ctl", "list-ticker",
                  "list-json-ticker", "console-until", "console-kept", "console-json-data",
                  "stats-vcpu0", "stats-json-pcpu", "console-send", "console-send-arrived",
                  "pause-out", "paused-state", "paused-is-silent", "pause-again", "resume-out",
                  "resumed-ticks", "reset-out", "reset-boots", "reset-ticks", "stop-graceful-out",
                  "stopped-state", "shutdown-seen", "stop-forced", "stop-again", "start-out", "started-ticks", "stop-force-json",
                  "start-by-id", "restarted-ticks", "create-out", "create-console",
                  "list-demo2-runtime", "stats-demo2", "destroy-out", "destroyed-gone",
                  "memory-back", "create-dtb", "dtb-console", "dtb-bootargs",
                  "dtb-vm-powered-off", "destroy-dtb", "create-no-start-json", "created-state", "start-created",
                  "created-console", "destroy-running", "posture-head", "posture-rows",
                  "posture-profile", "posture-json-list", "posture-vm-profile",
                  "posture-others-system", "destroy-deaf", "create-on-cpu3", "cpu3-console",
                  "posture-replanned", "posture-cpu3-system", "destroy-demo5", "create-mitig",
                  "create-mitig-out", "demo6-console", "posture-demo6", "posture-cpu3-vm-override",
                  "destroy-demo6",
                  "ticker-alive")
             + done("ctl", "mgmt-cmds"),
             anywhere=[r"vm 'demo2': created by the management API", r"\[demo2\] hello: tick 2",
                       r"vm 'demo2': destroyed", r"\[demo3\] hello: tick 1",
                       r"vm 'deaf': .*, mitigations hardened",
                       r"mitig: cpu3 changed VM: now the system's",
                       r"mitig: cpu3 changed VM: now -ssbd"]),
    # Bad inputs with their exact messages and exit statuses, raw requests
    # with bad sizes and fields, 100 create/destroy cycles; the ticker and
    # the free memory unchanged.
    scenario("mgmt-errors",
             [r"\[ctl\] BULWARK-LINUX: script mgmt-errors start"]
             + ok("ctl", "unknown-name", "unknown-id", "unknown-id-console", "no-file", "not-image",
                  "image-too-big", "bad-dtb", "bad-size", "small-size", "bad-name", "name-taken",
                  "too-much-memory", "cpu-in-use", "cpu-own", "bad-cpus", "resume-running",
                  "start-running", "stop-self", "destroy-self", "usage", "raw-ok",
                  "raw-oversized", "raw-oversized-load", "raw-console-65", "raw-info-payload",
                  "raw-payload-88", "raw-create-truncated", "raw-create-long", "raw-create-empty",
                  "raw-create-ok", "raw-created", "raw-load-unaligned", "raw-load-past-end",
                  "start-incomplete", "raw-destroy", "raw-reserved-arg", "raw-stop-flags",
                  "raw-list-arg", "raw-list-vm", "raw-magic", "raw-version", "raw-op-0",
                  "raw-op-99", "raw-op-count", "ticker-running", "ticker-not-restarted",
                  "ticker-untouched", "memory-after-errors", "create-destroy-100",
                  "memory-after-cycles", "ticker-after-cycles")
             + done("ctl", "mgmt-errors"),
             anywhere=[r"MGMT: too-much-memory: exit 6: bwctl: create: not enough free memory: "
                       r"\d+ [KMG]iB free \(ENOMEM\)",
                       r"MGMT: cpu-in-use: exit 6: bwctl: create: a CPU asked for is not free; "
                       r"free CPUs: 0,3 \(EBUSY\)",
                       # 100 cycles log more than the life-cycle budget allows
                       r"notice: VM life cycle: \d+ more notices suppressed"],
             timeout=300),
    # No `control`: every command and every operation refused, nothing changed.
    scenario("mgmt-nocontrol",
             [r"\[plain\] BULWARK-LINUX: script mgmt-nocontrol start"]
             + ok("plain", "refused-list", "refused-info", "refused-posture", "refused-stats-ticker",
                  "refused-stop-1---force", "refused-destroy-1", "refused-console-1---send-x",
                  "refused-create-x---kernel-libbul", "raw-refused-1-status", "raw-refused-13-status",
                  "raw-refused-14-status")
             + done("plain", "mgmt-nocontrol"),
             anywhere=[r"vm 'plain': management call refused: no control capability"],
             timeout=240),
    # The control VM panics; the ticker and a VM it created run on, and after
    # its reset it manages them again.
    scenario("mgmt-crash",
             [r"\[ctl\] MGMT: ok create-survivor", r"\[ctl\] MGMT: ok survivor-runs",
              r"\[ctl\] MGMT: crashing the control VM \(boot 1\)",
              r"\[ctl\] .*Kernel panic - not syncing: sysrq triggered crash",
              r"vm 'ctl': SYSTEM_RESET, restarting", STILL_TICKING,
              r"\[ctl\] MGMT: back after the crash \(boot 2\)"]
             + ok("ctl", "ctl-second-boot", "ticker-running", "ticker-not-restarted",
                  "survivor-running", "ticker-ticks", "survivor-ticks", "destroy-survivor")
             + done("ctl", "mgmt-crash"),
             anywhere=[r"\[survivor\] hello: tick 3\b"],
             forbid=[r"\[ctl\] MGMT: FAIL crash"], timeout=300),
]
