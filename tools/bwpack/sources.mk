# SPDX-License-Identifier: Apache-2.0
# bwpack, the host tool that checks a system description and packs it with
# the hypervisor and the guests' images (docs/configuration.md). Built with
# the host compiler into $(BUILD)/tools/bwpack and linked with libfdt.
bwpack-srcs := tools/bwpack/bwpack.c tools/bwpack/pack.c tools/bwpack/sysdesc.c tools/bwpack/guestdt.c \
	src/core/mitig.c src/lib/fmt.c
bwpack-hdrs := tools/bwpack/pack.h tools/bwpack/sysdesc.h tools/bwpack/guestdt.h include/bulwark/package.h \
	include/bulwark/types.h include/bulwark/mitig.h
bwpack-libs := -lfdt
