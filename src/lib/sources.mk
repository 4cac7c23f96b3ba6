# SPDX-License-Identifier: Apache-2.0
hyp-srcs += src/lib/fdt.c src/lib/fmt.c src/lib/string.c src/lib/stackprot.c
