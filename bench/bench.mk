# SPDX-License-Identifier: Apache-2.0
#
# Benchmarks (docs/performance.md). Included by the top Makefile after its
# system-packing rules: uses $(BWPACK), $(SYSTEM_DEPS) and $(pack-system).
#
#   bench         every benchmark, bare QEMU against Bulwark; prints the table
#                 and writes bench/results/latest.json (about 2 minutes)
#   bench-quick   the same with tiny iteration counts and one Linux boot each
#                 way (under a minute); exits non-zero if a benchmark fails
#   bench-systems the packed benchmark systems only
#   bench-profile where the instructions of Bulwark's exit paths go: traces
#                 every instruction of a short run (bench/profile.py)
#   bench-containment  a victim VM's timed workload beside a neighbour that
#                 idles, computes or misbehaves (bench/containment.py, about
#                 3 minutes; docs/security.md)
#
# A system description bench/systems/NAME.dts is packed into
# $(BUILD)/bench/NAME.bin with the hypervisor and the images it names.

bench-systems := $(patsubst bench/systems/%.dts,$(BUILD)/bench/%.bin,$(wildcard bench/systems/*.dts))

$(BUILD)/bench/%.bin: bench/systems/%.dts $(SYSTEM_DEPS) $(guest-out)/bench.bin
	$(pack-system)

.PHONY: bench bench-quick bench-systems bench-profile bench-containment
bench-systems: $(bench-systems)

bench: deps all bench-systems
	$(PYTHON) bench/run.py --build $(BUILD)

bench-quick: deps all bench-systems
	$(PYTHON) bench/run.py --build $(BUILD) --quick

bench-profile: deps all bench-systems
	$(PYTHON) bench/profile.py --build $(BUILD)

bench-containment: deps all $(BWPACK) $(guest-out)/contain.bin
	$(PYTHON) bench/containment.py --build $(BUILD)
