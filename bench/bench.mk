# SPDX-License-Identifier: Apache-2.0
#
# Benchmarks (docs/performance.md). Included by the top Makefile after its
# system-packing rules: uses $(BWPACK), $(SYSTEM_DEPS) and $(pack-system).
#
#   bench         every benchmark, bare QEMU against Bulwark and Xen; prints
#                 the tables and writes bench/results/latest.json (about 3
#                 minutes)
#   bench-quick   the same with tiny iteration counts and one Linux boot each
#                 way, without the self-tests (under 30 s); exits non-zero
#                 if a benchmark fails
#   bench-systems the packed benchmark systems only
#   bench-profile where the instructions of Bulwark's exit paths go: traces
#                 every instruction of a short run (bench/profile.py)
#   bench-containment  a victim VM's timed workload beside a neighbour that
#                 idles, computes or misbehaves (bench/containment.py, about
#                 3 minutes; docs/security.md)
#
#   xen-assets    Debian's arm64 Xen (xen-hypervisor-4.17-arm64) in
#                 $(xen-cache), the peer measured in the Xen column
#   xen-refetch   replaces the cached Xen with the current package
#
# A system description bench/systems/NAME.dts is packed into
# $(BUILD)/bench/NAME.bin with the hypervisor and the images it names.

bench-systems := $(patsubst bench/systems/%.dts,$(BUILD)/bench/%.bin,$(wildcard bench/systems/*.dts))

$(BUILD)/bench/%.bin: bench/systems/%.dts $(SYSTEM_DEPS) $(guest-out)/bench.bin
	$(pack-system)

.PHONY: bench bench-quick bench-systems bench-profile bench-containment xen-assets xen-refetch
bench-systems: $(bench-systems)

# Debian's Xen, fetched when missing like the Linux guests' kernel
# (guest/linux/linux.mk); outside $(BUILD) so that `make clean` keeps it.
xen-cache ?= $(if $(HOME),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/bulwark/xen,$(BUILD)/xen-cache)
$(xen-cache)/xen:
	$(Q)sh tools/xen/fetch.sh $(xen-cache)
xen-assets: $(xen-cache)/xen
xen-refetch:
	rm -f $(xen-cache)/xen
	$(Q)sh tools/xen/fetch.sh $(xen-cache)

# The benchmarks run without Xen if it cannot be fetched: its column then
# says why (the fetch's error is above it).
bench-xen-fetch: | $(DEPS_STAMP)
	$(Q)sh tools/xen/fetch.sh $(xen-cache) || \
		echo "bench: WARNING: Debian's Xen could not be fetched (above); no Xen column"
.PHONY: bench-xen-fetch

# The files that boot the quick benchmark guest, and Linux, as Xen's domU,
# for the bench_quick scenarios of `make test`, which needs Xen (a failed
# fetch stops it, as a failed fetch of the Linux kernel does).
$(BUILD)/bench/xen/micro-quick.json: bench/systems/micro-quick.dts bench/run.py \
		$(guest-out)/bench.bin $(xen-cache)/xen
	@echo "  XEN     $@"
	$(Q)$(PYTHON) bench/run.py --build $(BUILD) --xen $(xen-cache)/xen --prepare-xen $<
$(BUILD)/bench/xen/linux-notests-1vcpu.json: bench/systems/linux-notests-1vcpu.dts bench/run.py \
		$(linux-out)/Image $(linux-out)/initramfs.cpio $(xen-cache)/xen
	@echo "  XEN     $@"
	$(Q)$(PYTHON) bench/run.py --build $(BUILD) --xen $(xen-cache)/xen --prepare-xen $<
.PHONY: bench-xen-test
bench-xen-test: $(BUILD)/bench/xen/micro-quick.json $(BUILD)/bench/xen/linux-notests-1vcpu.json

bench: deps all bench-systems bench-xen-fetch
	$(PYTHON) bench/run.py --build $(BUILD) --xen $(xen-cache)/xen

bench-quick: deps all bench-systems bench-xen-fetch
	$(PYTHON) bench/run.py --build $(BUILD) --quick --xen $(xen-cache)/xen

bench-profile: deps all bench-systems
	$(PYTHON) bench/profile.py --build $(BUILD)

bench-containment: deps all $(BWPACK) $(guest-out)/contain.bin
	$(PYTHON) bench/containment.py --build $(BUILD)
