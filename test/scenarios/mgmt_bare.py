# SPDX-License-Identifier: Apache-2.0
"""The management API from a bare-metal control VM (guest/tests/mgmt,
test/systems/mgmt-bare.dts): every operation and its errors on a running
VM, VMs created at run time and destroyed 100 times with the free memory
checked, and a VM without the `control` capability refused every call. The
bwctl tool over the same API is tested from Linux in mgmt.py."""

NEVER = [r"Bulwark: unexpected exception", r"stack smashing", r"ERROR", r"mgmt: FAIL"]

SCENARIOS = [
    dict(name="mgmt-bare", image="build/systems/mgmt-bare.bin", smp=4, mem="1G", timeout=240,
         expect=[r"\[ctl\] mgmt: ok regs", r"\[ctl\] mgmt: ok info",
                 r"\[ctl\] mgmt: ok ticker-untouched",
                 r"\[ctl\] mgmt: ok paused-is-silent", r"\[ctl\] mgmt: ok resumed-ticks",
                 r"vm 'ticker': stopped: stopped by the management API",
                 r"\[ctl\] mgmt: ok start", r"\[ctl\] mgmt: ok reset",
                 r"\[ctl\] mgmt: ok created-vm-runs", r"\[ctl\] mgmt: ok memory-back",
                 r"\[ctl\] mgmt: ok create-destroy-cycles",
                 r"\[ctl\] mgmt: ok memory-after-cycles",
                 r"\[ctl\] mgmt: done, \d+ passed, 0 failed",
                 r"\[ticker\] hello: tick \d+"],
         anywhere=[r"Bulwark ready\.", r"\[plain\] mgmt: done, \d+ passed, 0 failed",
                   r"\[tiny\] hello: bare-metal guest on vCPU 0",
                   r"vm 'plain': management call refused: no control capability",
                   r"VM life cycle: \d+ more notices suppressed"],
         forbid=NEVER),
]
