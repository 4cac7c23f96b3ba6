# SPDX-License-Identifier: Apache-2.0
# Host unit tests: test/unit/test_NAME.c linked with unit-NAME-srcs, against
# the fake arch, with ASan and UBSan.
unit-tests := fdt fmt hwdesc mm palloc
unit-fdt-srcs := src/lib/fdt.c
unit-fmt-srcs := src/lib/fmt.c
unit-hwdesc-srcs := src/core/hwdesc.c src/lib/fdt.c
unit-mm-srcs := src/core/mm.c src/core/mpool.c src/arch/fake/mm.c src/arch/fake/cpu.c
unit-palloc-srcs := src/core/palloc.c src/arch/fake/cpu.c
