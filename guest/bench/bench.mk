# SPDX-License-Identifier: Apache-2.0
#
# The benchmark guest (guest/bench): one image, $(BUILD)/guests/bench.bin,
# built from the guest runtime (guest/lib) with guest/guest.mk's rules. The
# benchmarks it runs come from its bootargs (guest/bench/main.c).
#
# Included by the top Makefile after guest/guest.mk.

guest-bench-srcs := $(sort $(wildcard guest/bench/*.c guest/bench/*.S))
$(eval $(call guest-rules,bench))

.PHONY: bench-guest
bench-guest: $(guest-out)/bench.bin

-include $(patsubst %,$(guest-out)/obj/%.d,$(guest-bench-srcs))
