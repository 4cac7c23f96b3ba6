#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Bulwark's test driver.

Runs the test tiers and ends with the line `N passed, N failed`:
  unit      host unit tests (cmocka, ASan/UBSan): every test case counts
  fuzz      libFuzzer harnesses, a bounded run each on their seed corpus
  system    QEMU scenarios: a fresh QEMU per test, a timeout on every run,
            the console checked for expected and forbidden lines; the log is
            kept under BUILD/test-logs/ and its tail printed when a test fails

Scenarios live in test/scenarios/*.py, each defining SCENARIOS, a list of
dicts: name, and optionally smp, mem, append, cpu, expect (regexes that must
all appear, in order), anywhere (regexes that must appear, in any order), forbid (regexes that must not appear), timeout (s),
extra (more QEMU arguments), image (the image to boot), input (a list of
(regex, text): the text is typed on the console once the regex has appeared)
and checks (functions given the whole console once QEMU is done, each
returning None or what is wrong: for what a regex cannot say); `check`, one
such function, is accepted too.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import runpy
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def record(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}", flush=True)
        else:
            self.failed += 1
            self.failures.append(name)
            print(f"FAIL {name} {detail}", flush=True)


def run_unit(build, res):
    bins = sorted(glob.glob(os.path.join(build, "host", "test_*")))
    if not bins:
        res.record("unit: no unit-test binaries found", False)
    for b in bins:
        name = os.path.basename(b)
        p = subprocess.run([b], cwd=ROOT, capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout"))
        out = p.stdout + p.stderr
        cases = re.findall(r"^\[\s+(OK|FAILED|ERROR|SKIPPED)\s+\] (\S+)", out, re.M)
        for status, case in cases:
            res.record(f"unit/{name}/{case}", status == "OK")
        if p.returncode != 0 and not any(s != "OK" for s, _ in cases):
            # Crashed (sanitizer report) or failed outside a test case.
            res.record(f"unit/{name}", False, f"(exit {p.returncode})")
            print(out[-4000:])
        elif p.returncode != 0:
            print(out[-4000:])


def run_fuzz(build, res, seconds):
    for b in sorted(glob.glob(os.path.join(build, "fuzz", "fuzz_*"))):
        if not os.access(b, os.X_OK) or b.endswith((".log", ".d")):
            continue
        name = os.path.basename(b)
        target = name[len("fuzz_"):]
        corpus = os.path.join(build, "fuzz", "corpus", target)
        os.makedirs(corpus, exist_ok=True)
        subprocess.run(["sh", "test/fuzz/make_seeds.sh", target, corpus], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        regress = os.path.join(ROOT, "test", "fuzz", "regressions", target)
        args = [b, f"-max_total_time={seconds}", "-print_final_stats=0",
                f"-artifact_prefix={build}/fuzz/{target}-", corpus]
        if os.path.isdir(regress):
            args.append(regress)
        log = os.path.join(build, "fuzz", f"{target}.log")
        with open(log, "w") as f:
            p = subprocess.run(args, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT,
                               timeout=seconds + 120)
        ok = p.returncode == 0
        if not ok:
            print(open(log).read()[-4000:])
        res.record(f"fuzz/{target} ({seconds} s)", ok, f"(log {log})")


def load_scenarios(only=None):
    scenarios = []
    for path in sorted(glob.glob(os.path.join(ROOT, "test", "scenarios", "*.py"))):
        for s in runpy.run_path(path)["SCENARIOS"]:
            s = dict(s)
            s["group"] = os.path.splitext(os.path.basename(path))[0]
            if only and s["name"] not in only:
                continue
            scenarios.append(s)
    return scenarios


def run_scenario(build, s, logdir):
    name = f"system/{s['group']}/{s['name']}"
    image = s.get("image", os.path.join(build, "bulwark.bin"))
    cmd = ["qemu-system-aarch64", "-M", s.get("machine", "virt,virtualization=on,gic-version=3"),
           "-cpu", s.get("cpu", "max,pauth-impdef=on"), "-smp", str(s.get("smp", 1)),
           "-m", s.get("mem", "1G"), "-nographic", "-no-reboot", "-kernel", image]
    if s.get("append"):
        cmd += ["-append", s["append"]]
    cmd += s.get("extra", [])
    timeout = s.get("timeout", 60)
    expect = [re.compile(e) for e in s.get("expect", [])]
    forbid = [re.compile(e) for e in s.get("forbid", [])]
    settle = s.get("settle", 1.0)
    out = []
    start = time.time()
    typing = [(re.compile(r), t) for r, t in s.get("input", [])]
    p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE if typing else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.set_blocking(p.stdout.fileno(), False)
    idx, seen, typed_at, done_at, why = 0, 0, 0, None, "timeout"
    while True:
        chunk = p.stdout.read()
        if chunk:
            out.append(chunk.decode("utf-8", "replace"))
        text = "".join(out)
        # Keyboard input: each (regex, text) is typed once its regex has
        # appeared after the previous one, a character at a time.
        if typing and p.poll() is None:
            m = typing[0][0].search(text, typed_at)
            if m:
                for ch in typing[0][1].encode():
                    p.stdin.write(bytes([ch]))
                    p.stdin.flush()
                    time.sleep(0.02)
                typed_at = m.end()
                typing.pop(0)
        while idx < len(expect):
            m = expect[idx].search(text, seen)
            if not m:
                break
            seen = m.end()
            idx += 1
        if any(f.search(text) for f in forbid) and done_at is None:
            done_at = time.time()  # already failed: stop after the report
        if idx == len(expect) and done_at is None and \
                all(re.search(a, text) for a in s.get("anywhere", [])):
            done_at = time.time()
        if done_at is not None and time.time() - done_at >= settle:
            why = ""
            break
        if p.poll() is not None:
            chunk = p.stdout.read()
            if chunk:
                out.append(chunk.decode("utf-8", "replace"))
            if idx == len(expect):
                why = ""
            else:
                why = f"QEMU exited ({p.returncode})"
            break
        if time.time() - start > timeout:
            break
        time.sleep(0.05)
    if p.poll() is None:
        p.kill()
        p.wait()
    text = "".join(out).replace("\r", "")
    # Expectations are checked in order over the final text.
    pos, missing = 0, None
    for e in expect:
        m = e.search(text, pos)
        if not m:
            missing = e.pattern
            break
        pos = m.end()
    if missing is None:
        for a in s.get("anywhere", []):
            if not re.search(a, text):
                missing = a
                break
    bad = [f.pattern for f in forbid if f.search(text)]
    # Checks a regex cannot express (counts, orders of many lines): each is
    # given the console and returns None, or what is wrong.
    checks = list(s.get("checks", [])) + ([s["check"]] if s.get("check") else [])
    wrong = [w for w in (check(text) for check in checks) if w] \
        if missing is None and not bad else []
    ok = missing is None and not bad and not wrong
    log = os.path.join(logdir, s["group"] + "-" + s["name"] + ".log")
    with open(log, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n" + text)
    detail = ""
    if not ok:
        detail = (f"(missing /{missing}/)" if missing else f"(forbidden {bad})" if bad else
                  f"(check: {'; '.join(wrong)})")
        if why:
            detail += f" [{why}]"
        detail += f" log: {log}"
    return name, ok, detail, text, time.time() - start


def run_system(build, res, only, jobs):
    logdir = os.path.join(build, "test-logs")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    scenarios = load_scenarios(only)
    if not scenarios:
        res.record("system: no scenarios selected", False)
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = [ex.submit(run_scenario, build, s, logdir) for s in scenarios]
        for fut in futs:
            name, ok, detail, text, secs = fut.result()
            res.record(f"{name} ({secs:.1f} s)", ok, detail)
            if not ok:
                print("---- last lines of the console ----")
                print("\n".join(text.splitlines()[-25:]))
                print("-----------------------------------")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--tier", action="append", choices=["unit", "fuzz", "system"])
    ap.add_argument("--only", action="append", help="run only these scenarios")
    ap.add_argument("--fuzz-seconds", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    a = ap.parse_args()
    build = os.path.join(ROOT, a.build) if not os.path.isabs(a.build) else a.build
    tiers = a.tier or (["system"] if a.only else ["unit", "fuzz", "system"])
    res = Results()
    if "unit" in tiers:
        run_unit(build, res)
    if "fuzz" in tiers:
        run_fuzz(build, res, a.fuzz_seconds)
    if "system" in tiers:
        run_system(build, res, a.only, a.jobs)
    if res.failures:
        print("\nFailed:\n  " + "\n  ".join(res.failures))
    print(f"{res.passed} passed, {res.failed} failed")
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
