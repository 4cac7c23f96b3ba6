# SPDX-License-Identifier: Apache-2.0
"""Console checks for scenarios (their `checks`): each function returns a
check, which is given the whole console text and returns None or what is
wrong. For what a regex cannot say: counts and the order of many lines.

Scenario files load this with runpy.run_path (they are not a package)."""
import re

NOTICES_PER_SECOND = 8  # vm_notice() in src/core/vm.c


def _notices(text, vm):
    """The messages of vm_notice() about `vm`, in order, with the
    `N more notices suppressed` lines as ("suppressed", N)."""
    out = []
    for line in text.splitlines():
        m = re.match(rf"notice: vm '{re.escape(vm)}': (.*)", line.rstrip("\r"))
        if not m:
            continue
        msg = m.group(1)
        s = re.match(r"(\d+) more notices suppressed$", msg)
        if s:
            out.append(("suppressed", int(s.group(1))))
        elif not msg.startswith("stopped: ") and not re.match(r"\d+ console lines dropped", msg):
            out.append(("notice", msg))  # stops and dropped lines are not vm_notice()'s
    return out


def notices_rate_limited(vm, min_suppressed=1):
    """A VM that causes notices without pause: at most 8 of them between two
    `N more notices suppressed` lines (one a second while the flood lasts),
    and at least `min_suppressed` such lines."""
    def check(text):
        run, worst, suppressed = 0, 0, 0
        for kind, _ in _notices(text, vm):
            if kind == "suppressed":
                suppressed += 1
                run = 0
            else:
                run += 1
                worst = max(worst, run)
        if worst > NOTICES_PER_SECOND:
            return (f"{worst} notices about vm '{vm}' in a row without a 'more notices "
                    f"suppressed' line (at most {NOTICES_PER_SECOND} a second)")
        if suppressed < min_suppressed:
            return f"{suppressed} 'more notices suppressed' lines about vm '{vm}', " \
                   f"expected at least {min_suppressed}"
        return None
    return check


def notices_accounted(vm, shown, total):
    """`total` notices about `vm` matching `shown` were caused: each is either
    shown or counted in a `N more notices suppressed` line, exactly (how many
    of each depends on how long the burst takes on the host, not fixed)."""
    def check(text):
        seen = suppressed = 0
        for kind, val in _notices(text, vm):
            if kind == "suppressed":
                suppressed += val
            elif re.search(shown, val):
                seen += 1
            else:
                return f"unexpected notice about vm '{vm}': {val}"
        if seen + suppressed != total:
            return (f"{seen} notices shown and {suppressed} suppressed about vm '{vm}': "
                    f"{seen + suppressed}, expected {total}")
        return None
    return check


def restarts_accounted(vm, min_boots):
    """A reset loop: every restart is either shown (`SYSTEM_RESET, restarting
    (boot N)`) or counted in the suppressed line that follows, exactly: the
    boot numbers shown rise, and between two shown boots b1 < b2 exactly
    b2 - b1 - 1 restarts were suppressed. At least `min_boots` boots."""
    def check(text):
        last, pending = None, 0
        for kind, val in _notices(text, vm):
            if kind == "suppressed":
                pending += val
                continue
            m = re.match(r"SYSTEM_RESET, restarting \(boot (\d+)\)$", val)
            if not m:
                return f"unexpected notice about vm '{vm}': {val}"
            boot = int(m.group(1))
            if last is not None and boot - last - 1 != pending:
                return (f"boot {last} then boot {boot} with {pending} restarts suppressed in "
                        f"between: not every restart accounted for")
            if last is None and boot != 2:
                return f"the first restart shown is boot {boot}, not 2"
            last, pending = boot, 0
        if last is None or last < min_boots:
            return f"vm '{vm}' restarted up to boot {last}, expected at least {min_boots}"
        return None
    return check
