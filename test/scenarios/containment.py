# SPDX-License-Identifier: Apache-2.0
"""Fault containment: the victim of the containment benchmark
(guest/contain, bench/containment.py) runs a few timed iterations beside a
neighbour that misbehaves (test/systems/contain-*.dts). The victim must
finish with its result lines; the console must report the neighbour's
state and the reason, as notices, rate-limited (at most 8 a second from
vm_notice(), then a count of the suppressed ones; console lines beyond the
limit counted in a notice), and a VM's last counts must come out when it
stops. docs/security.md ("Fault containment") has the measurement."""
import os
import runpy

checks = runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runner",
                                     "checks.py"))

HYP_NEVER = [r"Bulwark: unexpected exception", r"stack smashing", r"ERROR", r"WARNING",
             r"vm 'victim': stopped: (?!SYSTEM_OFF)", r"CONTAIN-ERROR"]
NOTICE = r"notice: vm 'neighbour': "
VICTIM_DONE = [r"\[victim\] CONTAIN victim avg_ns=\d+ ", r"\[victim\] CONTAIN victim-wake ",
               r"\[victim\] CONTAIN DONE", r"vm 'victim': stopped: SYSTEM_OFF"]


def contain(mode, expect=(), anywhere=(), checks_=(), forbid=(), timeout=60):
    # Under -icount the rate of the neighbour's notices is the same from run
    # to run (virtual time is instructions), whatever the host's load.
    return dict(name=f"contain-{mode}", image=f"build/systems/contain-{mode}.bin", smp=3,
                mem="256M", extra=["-icount", "shift=0,sleep=off"],
                expect=[r"Bulwark ready\."] + list(expect),
                anywhere=VICTIM_DONE + list(anywhere), forbid=HYP_NEVER + list(forbid),
                checks=list(checks_), timeout=timeout, settle=0.5)


SCENARIOS = [
    # A fault loop: an abort injected for each, a notice for the first 8 of
    # each second (the count of the others: fault-then-crash below, and the
    # attack suite's flood-notices; a second of this loop is a minute of
    # emulation).
    contain("fault",
            anywhere=[NOTICE + r"MMIO at 0x8000000 without syndrome: abort injected"],
            checks_=[checks["notices_rate_limited"]("neighbour", min_suppressed=0)]),
    # A reset loop (of an 8 MiB VM): each restart shown with its boot number
    # or counted.
    contain("reset",
            anywhere=[NOTICE + r"SYSTEM_RESET, restarting \(boot 2\)",
                      NOTICE + r"\d+ more notices suppressed"],
            checks_=[checks["notices_rate_limited"]("neighbour"),
                     checks["restarts_accounted"]("neighbour", min_boots=20)]),
    # 2000 faults at once, then a crash: 8 shown, the others (1992 unless
    # the host is slow) counted before the reason it stopped, though no
    # later notice would carry them.
    contain("fault-then-crash",
            expect=[NOTICE + r"MMIO at 0x8000000 without syndrome: abort injected",
                    NOTICE + r"\d+ more notices suppressed\r?\n",
                    NOTICE + r"stopped: read of unmapped guest-physical address 0xb000000 "],
            checks_=[checks["notices_rate_limited"]("neighbour"),
                     checks["notices_accounted"]("neighbour",
                                                 r"without syndrome: abort injected$", 2000)]),
    # 3000 lines at once, then a crash: the burst of 2000 shown, the rest
    # counted before the reason it stopped.
    contain("console-then-crash",
            expect=[r"\[neighbour\] neighbour: flood 1999\r?\n",
                    NOTICE + r"\d+ console lines dropped \(rate limit: 200 lines a second after "
                    r"a burst of 2000\)\r?\n",
                    NOTICE + r"stopped: read of unmapped guest-physical address 0xb000000 "],
            forbid=[r"\[neighbour\] neighbour: flood 2999\r?\n"]),
]
