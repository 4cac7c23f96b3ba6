#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The table of the attack suite's probes and their outcomes, from the console
logs the runner kept (BUILD/test-logs/attack-attack-PROBE.log):

  python3 test/runner/run.py --tier system --only attack-...   (or make test)
  python3 test/attack/table.py [--build build] [--markdown] [--only PROBE ...]

For each probe: its family, what is expected, what happened (the attacker's
`got=`, or the reason the hypervisor stopped it, and the victim's last hash
line), and the verdict, re-checked from the log with the scenario's own
expectations (test/scenarios/attack.py). A probe that finds a known bug says
which. Exit status 1 if any probe failed or has no log.
"""
import argparse
import os
import re
import runpy
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUITE = runpy.run_path(os.path.join(ROOT, "test", "scenarios", "attack.py"))
VUART_LINE = 159  # longer guest lines are cut into pieces of this many characters


def check(s, text):
    """The runner's verdict (test/runner/run.py): expectations in order,
    `anywhere` in any order, nothing forbidden. Returns (ok, why)."""
    pos = 0
    for e in s["expect"]:
        m = re.search(e, text[pos:])
        if not m:
            return False, f"missing /{e}/"
        pos += m.end()
    for a in s.get("anywhere", []):
        if not re.search(a, text):
            return False, f"missing /{a}/"
    bad = [f for f in s.get("forbid", []) if re.search(f, text)]
    if bad:
        return False, f"forbidden /{bad[0]}/"
    return True, ""


def vm_lines(text, vm):
    """The VM's console lines, the pieces of long lines joined again."""
    out, cont = [], False
    prefix = f"[{vm}] "
    for line in text.splitlines():
        if not line.startswith(prefix):
            continue
        body = line[len(prefix):]
        if cont and out:
            out[-1] += body
        else:
            out.append(body)
        cont = len(body) == VUART_LINE
    return out


def outcome(p, text):
    name = p["name"]
    got = ""
    for line in vm_lines(text, "attacker"):
        m = re.match(rf"PROBE {re.escape(name)}: (PASS|FAIL) expected=.*? got=(.*)", line)
        if m:
            got = m.group(2)
    stop = re.findall(r"notice: vm 'attacker': stopped: (.*)", text)
    if p["kind"] == "stop":
        got = "stopped: " + stop[-1] if stop else (got or "not stopped")
    elif p["kind"] == "idle":
        after = text.split("CPU_OFF of its last vCPU now", 1)
        hashes = len(re.findall(r"\[victim\] victim: hash OK", after[1])) if len(after) > 1 else 0
        got = (f"CPU_OFF did not return; VM not stopped, silent; victim hashed {hashes} times since"
               if len(after) > 1 and not stop else got or "did not run")
    elif p["kind"] == "storm":
        resets = len(re.findall(r"SYSTEM_RESET, restarting", text))
        lines = len(re.findall(r"\[attacker\] flood \d+", text))
        dropped = re.findall(r"vm 'attacker': (\d+) console lines dropped", text)
        got = (f"{resets} resets, {lines} lines shown, "
               f"{sum(map(int, dropped))} dropped")
    elif p["kind"] == "reset":
        resets = len(re.findall(r"SYSTEM_RESET, restarting", text))
        got = f"{resets} reset(s); " + got
    if not got:
        last = vm_lines(text, "attacker")
        got = ("no outcome: the attacker went silent after \"" + (last[-1] if last else "") +
               "\"" + ("" if stop else " and was not stopped"))
    if name == "sys-impdef":
        got += ("; hypervisor notice seen (TIDCP trapped)" if "undefined system register access"
                in text else "; no hypervisor notice (the CPU raised it: no TIDCP in QEMU 7.2)")
    victim = [l for l in vm_lines(text, "victim") if l.startswith("victim: hash")]
    return got, victim[-1] if victim else "no victim hash line"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--only", action="append")
    a = ap.parse_args()
    build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    scen = {s["name"]: s for s in SUITE["SCENARIOS"]}
    rows, failed, missing = [], 0, 0
    for p in SUITE["PROBES"]:
        if a.only and p["name"] not in a.only:
            continue
        s = scen["attack-" + p["name"]]
        log = os.path.join(build, "test-logs", f"attack-{s['name']}.log")
        if not os.path.exists(log):
            rows.append((p["name"], p["family"], "-", "no log (not run)", "-", "NOT RUN"))
            missing += 1
            continue
        text = open(log, errors="replace").read().replace("\r", "")
        text = text.split("\n", 1)[1] if text.startswith("$ ") else text
        ok, why = check(s, text)
        got, victim = outcome(p, text)
        verdict = "PASS" if ok else "FAIL"
        if not ok and p["bug"]:
            verdict = "FAIL (known bug)"
        failed += not ok
        expected = next((re.sub(r".*? expected=", "", l) for l in vm_lines(text, "attacker")
                         if l.startswith(f"PROBE {p['name']}: START")), "-")
        if not ok and not p["bug"]:
            got += f" [{why}]"
        rows.append((p["name"], p["family"], expected, got, victim, verdict))
    if a.markdown:
        print("| probe | family | expected | outcome | victim afterwards | verdict |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    else:
        for r in rows:
            print(f"{r[0]:24} {r[1]:8} {r[5]}")
            print(f"    expected: {r[2]}")
            print(f"    outcome:  {r[3]}")
            print(f"    victim:   {r[4]}")
    open_bugs = {}
    for p, r in zip([p for p in SUITE["PROBES"] if not a.only or p["name"] in a.only], rows):
        if p["bug"] and r[5].startswith("FAIL"):
            open_bugs.setdefault(p["bug"], []).append(p["name"])
    print(f"\n{len(rows)} probes: {len(rows) - failed - missing} passed, {failed} failed, "
          f"{missing} not run; {len(open_bugs)} known hypervisor bugs still open:")
    for b, names in sorted(open_bugs.items()):
        print(f"  - {b} ({', '.join(names)})")
    sys.exit(1 if failed or missing else 0)


if __name__ == "__main__":
    main()
