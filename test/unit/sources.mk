# SPDX-License-Identifier: Apache-2.0
# Host unit tests: test/unit/test_NAME.c linked with unit-NAME-srcs, against
# the fake arch, with ASan and UBSan.
unit-tests := fdt fmt hwdesc mm palloc sysdesc
unit-fdt-srcs := src/lib/fdt.c
unit-fmt-srcs := src/lib/fmt.c
unit-hwdesc-srcs := src/core/hwdesc.c src/lib/fdt.c
unit-mm-srcs := src/core/mm.c src/core/mpool.c src/arch/fake/mm.c src/arch/fake/cpu.c
unit-palloc-srcs := src/core/palloc.c src/arch/fake/cpu.c
unit-sysdesc-srcs := tools/bwpack/sysdesc.c tools/bwpack/guestdt.c src/core/mitig.c src/lib/fmt.c
unit-sysdesc-libs := -lfdt
unit-tests += pkg vgic vuart psci fastmmio
unit-fastmmio-srcs := src/arch/fake/fastmmio.c
unit-pkg-srcs := src/core/pkg.c src/lib/fmt.c
unit-vgic-srcs := src/arch/aarch64/vgic.c src/arch/fake/vgic_lr.c src/arch/fake/fastmmio.c
unit-vuart-srcs := src/vdev/vuart.c src/core/console.c src/lib/fmt.c src/arch/fake/cpu.c \
	src/arch/fake/fastmmio.c test/unit/fake_console.c
unit-psci-srcs := src/arch/aarch64/psci.c test/unit/fake_vm.c src/core/mitig.c src/lib/fmt.c
unit-tests += mitig
unit-mitig-srcs := src/core/mitig.c src/lib/fmt.c
unit-tests += mgmt
unit-mgmt-srcs := src/core/mgmt_check.c
# The data-abort decoder is a header (src/arch/aarch64/dabt.h): nothing to link.
unit-tests += dabt
unit-dabt-srcs :=
$(BUILD)/host/test_dabt: src/arch/aarch64/dabt.h
unit-tests += pack
unit-pack-srcs := tools/bwpack/pack.c tools/bwpack/sysdesc.c tools/bwpack/guestdt.c src/core/pkg.c src/core/mitig.c \
	src/lib/fmt.c
unit-pack-libs := -lfdt
$(BUILD)/host/test_pack: tools/bwpack/pack.h tools/bwpack/sysdesc.h test/fuzz/fuzz_pack.h
