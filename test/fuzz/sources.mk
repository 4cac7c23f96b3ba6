# SPDX-License-Identifier: Apache-2.0
# libFuzzer harnesses: test/fuzz/fuzz_NAME.c linked with fuzz-NAME-srcs.
fuzz-targets := fdt hwdesc
fuzz-fdt-srcs := src/lib/fdt.c
fuzz-hwdesc-srcs := src/core/hwdesc.c src/lib/fdt.c
