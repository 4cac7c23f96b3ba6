/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot-only code and data. Everything marked `__init` / `__initdata` lives in
 * pages that are unmapped once every CPU is up, so it can neither be called
 * nor read afterwards.
 */
#ifndef BULWARK_INIT_H
#define BULWARK_INIT_H

#if defined(BULWARK_ARCH_AARCH64)
#define __init __attribute__((section(".text.init")))
#define __initdata __attribute__((section(".data.init")))
#else
#define __init
#define __initdata
#endif

#endif
