# SPDX-License-Identifier: Apache-2.0
# libFuzzer harnesses: test/fuzz/fuzz_NAME.c linked with fuzz-NAME-srcs.
fuzz-targets := fdt hwdesc sysdesc
fuzz-fdt-srcs := src/lib/fdt.c
fuzz-hwdesc-srcs := src/core/hwdesc.c src/lib/fdt.c
fuzz-sysdesc-srcs := tools/bwpack/sysdesc.c tools/bwpack/guestdt.c src/core/mitig.c src/lib/fmt.c
fuzz-sysdesc-libs := -lfdt
fuzz-targets += pkg vgic vuart psci
fuzz-pkg-srcs := src/core/pkg.c src/lib/fmt.c
fuzz-vgic-srcs := src/arch/aarch64/vgic.c src/arch/fake/vgic_lr.c src/arch/fake/fastmmio.c
fuzz-vuart-srcs := src/vdev/vuart.c src/core/console.c src/lib/fmt.c src/arch/fake/cpu.c \
	src/arch/fake/fastmmio.c test/unit/fake_console.c
fuzz-psci-srcs := src/arch/aarch64/psci.c test/unit/fake_vm.c src/core/mitig.c src/lib/fmt.c
fuzz-targets += mitig
fuzz-mitig-srcs := src/core/mitig.c src/lib/fmt.c
fuzz-targets += mgmt
fuzz-mgmt-srcs := src/core/mgmt_check.c
fuzz-targets += dabt
fuzz-dabt-srcs :=
$(BUILD)/fuzz/fuzz_dabt: src/arch/aarch64/dabt.h
fuzz-targets += pack
fuzz-pack-srcs := tools/bwpack/pack.c tools/bwpack/sysdesc.c tools/bwpack/guestdt.c src/core/pkg.c src/core/mitig.c \
	src/lib/fmt.c
fuzz-pack-libs := -lfdt
$(BUILD)/fuzz/fuzz_pack: test/fuzz/fuzz_pack.h tools/bwpack/pack.h tools/bwpack/sysdesc.h
