# SPDX-License-Identifier: Apache-2.0
#
# bwctl, the management CLI of a control VM (docs/api.md): a static arm64
# Linux binary for the guest's initramfs, and its host unit tests.
# Included by the top Makefile after BUILD, CROSS, HOSTCC, WARNINGS and
# HOST_CFLAGS are defined and before `unit-bins` is computed.
#
#   $(BUILD)/tools/bwctl-arm64   the tool, with the /dev/mem transport
#   $(BUILD)/host/test_bwctl     cmocka tests of the command code against a
#                                fake hypervisor (tools/bwctl/fake_transport.c)

# With the hypervisor's mitigation-choice parser (src/core/mitig.c), so that
# `create --mitigations` reads the system description's syntax.
bwctl-srcs := tools/bwctl/bwctl.c tools/bwctl/util.c src/core/mitig.c src/lib/fmt.c
bwctl-hdrs := tools/bwctl/bwctl.h tools/bwctl/transport.h include/abi/bulwark/mgmt.h \
	include/bulwark/mitig.h include/bulwark/package.h
BWCTL := $(BUILD)/tools/bwctl-arm64
# Userspace C11 with the project's warnings (-Wconversion aside, as for the
# host tests), hardened like the rest of the arm64 code.
BWCTL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O2 -static $(filter-out -Wconversion,$(WARNINGS)) \
	-fstack-protector-strong -D_FORTIFY_SOURCE=2 -mbranch-protection=standard -Iinclude/abi \
	-Iinclude -DBULWARK_MAX_CPUS=$(MAX_CPUS)

.PHONY: bwctl
bwctl: $(BWCTL)

$(BWCTL): $(bwctl-srcs) tools/bwctl/main.c tools/bwctl/transport_devmem.c $(bwctl-hdrs) tools/bwctl/bwctl.mk
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CROSS)gcc $(BWCTL_CFLAGS) $(filter %.c,$^) -o $@

unit-tests += bwctl
$(BUILD)/host/test_bwctl: tools/bwctl/test_bwctl.c tools/bwctl/fake_transport.c $(bwctl-srcs) $(bwctl-hdrs)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Iinclude/abi $(filter %.c,$^) -lcmocka -o $@
