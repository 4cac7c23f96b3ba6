# SPDX-License-Identifier: Apache-2.0
# libFuzzer harnesses: test/fuzz/fuzz_NAME.c linked with fuzz-NAME-srcs.
fuzz-targets := fdt hwdesc sysdesc
fuzz-fdt-srcs := src/lib/fdt.c
fuzz-hwdesc-srcs := src/core/hwdesc.c src/lib/fdt.c
fuzz-sysdesc-srcs := tools/bwpack/sysdesc.c tools/bwpack/guestdt.c
fuzz-sysdesc-libs := -lfdt
fuzz-targets += pkg vgic vuart psci
fuzz-pkg-srcs := src/core/pkg.c src/lib/fmt.c
fuzz-vgic-srcs := src/arch/aarch64/vgic.c src/arch/fake/vgic_lr.c src/arch/fake/fastmmio.c
fuzz-vuart-srcs := src/vdev/vuart.c src/core/console.c src/lib/fmt.c src/arch/fake/cpu.c \
	src/arch/fake/fastmmio.c test/unit/fake_console.c
fuzz-psci-srcs := src/arch/aarch64/psci.c test/unit/fake_vm.c
