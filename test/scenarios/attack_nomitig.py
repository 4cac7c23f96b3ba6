# SPDX-License-Identifier: Apache-2.0
"""The attack suite (attack.py) against a hypervisor built with every
mitigation module compiled out (`MITIGATIONS=`, build/nomitig/, made by
`make nomitig-systems`): the mitigations must not be what isolation rests
on, and a build without them must still pass every probe. Same probes, same
systems, the other hypervisor image; each scenario first checks that the
image says it has no mitigation module."""
import os
import runpy

_attack = runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "attack.py"))

SCENARIOS = []
for _s in _attack["SCENARIOS"]:
    _s = dict(_s)
    _s["name"] = "nomitig-" + _s["name"]
    _s["image"] = _s["image"].replace("build/systems/", "build/nomitig/systems/")
    _s["expect"] = [r"build: .*mitigations none,", r"mitigations: built: none"] + _s["expect"]
    SCENARIOS.append(_s)
