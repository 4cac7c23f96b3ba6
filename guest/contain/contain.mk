# SPDX-License-Identifier: Apache-2.0
#
# The containment benchmark's guest (guest/contain): one image,
# $(BUILD)/guests/contain.bin, built from the guest runtime (guest/lib) with
# guest/guest.mk's rules. Its role (victim or neighbour) and the neighbour's
# behaviour come from its bootargs (guest/contain/contain.c).
#
# Included by the top Makefile after guest/guest.mk.

guest-contain-srcs := $(sort $(wildcard guest/contain/*.c))
$(eval $(call guest-rules,contain))

.PHONY: contain-guest
contain-guest: $(guest-out)/contain.bin
# The containment scenarios of `make test` pack it (test/systems/contain-*.dts).
guests: $(guest-out)/contain.bin

-include $(patsubst %,$(guest-out)/obj/%.d,$(guest-contain-srcs))
