# SPDX-License-Identifier: Apache-2.0
#
# Linux guest assets: an unmodified Debian arm64 kernel and a busybox
# initramfs (docs/linux-guests.md). Included by the top Makefile, which
# defines BUILD, Q, PYTHON, QEMU and DEPS_STAMP before including this.
#
#   linux-assets    $(BUILD)/linux/Image, initramfs.cpio and VERSIONS
#   linux-run-bare  boots them on QEMU without a hypervisor, a shell on the
#                   console (quit with `exit`, or Ctrl-A then X)
#   linux-refetch   replaces the cached packages with the current ones
#
# Knobs (make VAR=value):
#   linux-cache          where the Debian packages' files are kept; outside
#                        $(BUILD) so that `make clean` does not fetch again
#   linux-kernel         the arm64 Image to use (default: the cached Debian one)
#   linux-busybox        the static aarch64 busybox to use
#   linux-initramfs-add  more SRC:DST pairs for the initramfs (e.g. a tool)

linux-cache ?= $(if $(HOME),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/bulwark/linux,$(BUILD)/linux-cache)
linux-kernel ?= $(linux-cache)/Image
linux-busybox ?= $(linux-cache)/busybox
linux-initramfs-add ?=
linux-out := $(BUILD)/linux
linux-scripts := $(wildcard guest/linux/scripts/*)
linux-add-srcs := $(foreach a,$(linux-initramfs-add),$(firstword $(subst :, ,$(a))))
linux-smp ?= 2
linux-mem ?= 512M
linux-append ?= console=ttyAMA0 cryptomgr.notests

.PHONY: linux-assets linux-run-bare linux-refetch
linux-assets: $(linux-out)/Image $(linux-out)/initramfs.cpio $(linux-out)/VERSIONS

# Fetched only when missing (no prerequisites): the cache keeps the versions
# it was filled with until `make linux-refetch`. One fetch makes both files.
$(linux-cache)/Image $(linux-cache)/busybox &:
	$(Q)sh tools/linux/fetch.sh $(linux-cache)

$(linux-out)/Image: $(linux-kernel)
	@mkdir -p $(@D)
	$(Q)cp $< $@.tmp && mv $@.tmp $@

$(linux-out)/initramfs.cpio: tools/linux/mkinitramfs.py guest/linux/init.sh $(linux-scripts) guest/linux/linux.mk \
		$(linux-busybox) $(linux-add-srcs)
	@mkdir -p $(@D)
	@echo "  CPIO    $@"
	$(Q)$(PYTHON) tools/linux/mkinitramfs.py --busybox $(linux-busybox) --init guest/linux/init.sh \
		--add guest/linux/scripts:/etc/bulwark/scripts \
		$(foreach a,$(linux-initramfs-add),--add $(a)) -o $@

# What the assets are: the Debian packages (when the cached kernel is used)
# and the SHA-256 of the files the tests boot.
$(linux-out)/VERSIONS: $(linux-out)/Image $(linux-out)/initramfs.cpio
	$(Q){ if [ "$(linux-kernel)" = "$(linux-cache)/Image" ]; then \
		grep -v -e '^#' -e '^sha256 Image ' $(linux-cache)/VERSIONS; else echo "kernel $(linux-kernel)"; fi; \
	  if [ "$(linux-busybox)" != "$(linux-cache)/busybox" ]; then echo "busybox $(linux-busybox)"; fi; \
	  (cd $(linux-out) && sha256sum Image initramfs.cpio) | sed 's/^\([0-9a-f]*\) *\(.*\)/sha256 \2 \1/'; \
	} >$@.tmp && mv $@.tmp $@

linux-run-bare: linux-assets | $(DEPS_STAMP)
	@echo "Booting Linux on QEMU without a hypervisor. Quit with 'exit', or Ctrl-A then X."
	$(QEMU) -M virt,gic-version=3 -cpu max,pauth-impdef=on -smp $(linux-smp) -m $(linux-mem) \
		-nographic -no-reboot -kernel $(linux-out)/Image -initrd $(linux-out)/initramfs.cpio \
		-append "$(linux-append)"

linux-refetch:
	rm -f $(linux-cache)/Image $(linux-cache)/busybox
	$(Q)sh tools/linux/fetch.sh $(linux-cache)
