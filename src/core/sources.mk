# SPDX-License-Identifier: Apache-2.0
hyp-srcs += src/core/main.c src/core/console.c src/core/hwdesc.c src/core/palloc.c \
	src/core/mpool.c src/core/mm.c src/core/selftest.c src/core/vm.c \
	src/core/pkg.c src/core/hypmap.c src/core/vconsole.c src/core/mgmt.c src/core/mgmt_check.c \
	src/core/mitig.c src/core/mitig_report.c
