/* SPDX-License-Identifier: Apache-2.0 */
/* Boot flow of the generic core; see docs/architecture.md. */
#ifndef BULWARK_BOOT_H
#define BULWARK_BOOT_H

#include <bulwark/hwdesc.h>
#include <bulwark/mm.h>

/* What the boot discovered and built; read-only after boot. */
extern struct hw_desc boot_hw;
extern struct mm_ptable hyp_ptable;
extern struct mpool hyp_pool;

/* Called from the boot assembly, MMU off, on the boot CPU's stack. */
void boot_primary_init(uintptr_t dtb);
/* Called from the boot assembly with the MMU and PAC on. */
NORETURN void bulwark_main(void);
NORETURN void secondary_main(unsigned index);

/* Runs the self-test named by `bulwark.selftest=` if it belongs to @phase. */
enum selftest_phase { SELFTEST_AFTER_BOOT, SELFTEST_SECONDARY };
void selftest_run(enum selftest_phase phase, unsigned cpu);

#endif
