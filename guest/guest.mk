# SPDX-License-Identifier: Apache-2.0
#
# Bare-metal test guests (guest/): the runtime (guest/lib), the test
# framework (guest/testfw) and one image per directory of guest/tests,
# built into $(BUILD)/guests/NAME.bin (a Linux arm64 Image, linked at
# 0x40200000).
#
# From the top Makefile:  include guest/guest.mk   then  make guests
# Standalone:              make -f guest/guest.mk guests

# Standalone use: the top Makefile defines these already.
ifeq ($(origin CC),default)
CC := aarch64-linux-gnu-gcc
endif
OBJCOPY ?= aarch64-linux-gnu-objcopy
BUILD ?= build
Q ?= @

guest-saved-goal := $(.DEFAULT_GOAL)

guest-names := hello selftests crash attacker victim mgmt
guest-out := $(BUILD)/guests

# -fno-toplevel-reorder keeps each file's TESTs in source order in the
# `guest_tests` section; -fno-tree-loop-distribute-patterns stops GCC from
# turning memset's own loop into a call to memset.
GUEST_CFLAGS := -std=c11 -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-O2 -g -mgeneral-regs-only -mstrict-align -mno-outline-atomics -mbranch-protection=none \
	-fno-pie -fno-stack-protector -fno-common -fno-tree-loop-distribute-patterns \
	-fno-toplevel-reorder -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla \
	-Iguest/lib/include -Iguest/testfw/include -Iinclude -MMD -MP
GUEST_ASFLAGS := -D__ASSEMBLER__ -nostdinc -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T guest/lib/guest.ld

guest-lib-srcs := $(sort $(wildcard guest/lib/*.c guest/lib/*.S))
guest-testfw-srcs := $(sort $(wildcard guest/testfw/*.c))
# Per guest: its sources; a guest whose name is in guest-testfw-users also
# links the test framework (which provides `main`).
guest-testfw-users := selftests

# The mgmt guest carries the hello guest as the image of the VMs it creates.
$(guest-out)/obj/guest/tests/mgmt/payload.S.o: $(guest-out)/hello.bin
$(guest-out)/obj/guest/tests/mgmt/payload.S.o: GUEST_ASFLAGS += -DPAYLOAD='"$(guest-out)/hello.bin"'
$(foreach g,$(guest-names),$(eval guest-$(g)-srcs := \
	$(if $(filter $(g),$(guest-testfw-users)),$(guest-testfw-srcs)) \
	$(sort $(wildcard guest/tests/$(g)/*.c guest/tests/$(g)/*.S))))

guest-obj = $(patsubst %,$(guest-out)/obj/%.o,$(1))
guest-all-objs := $(sort $(foreach g,$(guest-names),$(call guest-obj,$(guest-lib-srcs) $(guest-$(g)-srcs))))

.PHONY: guests guests-clean
guests: $(patsubst %,$(guest-out)/%.bin,$(guest-names))

$(guest-out)/obj/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(guest-out)/obj/%.S.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

define guest-rules
$(guest-out)/$(1).elf: $(call guest-obj,$(guest-lib-srcs) $(guest-$(1)-srcs)) guest/lib/guest.ld
	@echo "  LD      $$@"
	$(Q)$(CC) $(GUEST_LDFLAGS) $(call guest-obj,$(guest-lib-srcs) $(guest-$(1)-srcs)) -o $$@

$(guest-out)/$(1).bin: $(guest-out)/$(1).elf
	@echo "  OBJCOPY $$@"
	$(Q)$(OBJCOPY) -O binary $$< $$@
endef
$(foreach g,$(guest-names),$(eval $(call guest-rules,$(g))))

guests-clean:
	rm -rf $(guest-out)

-include $(guest-all-objs:.o=.d)

# Included from another Makefile: keep its default goal. Standalone: `guests`.
ifeq ($(guest-saved-goal),)
ifeq ($(firstword $(MAKEFILE_LIST)),guest/guest.mk)
.DEFAULT_GOAL := guests
else
.DEFAULT_GOAL :=
endif
else
.DEFAULT_GOAL := $(guest-saved-goal)
endif
