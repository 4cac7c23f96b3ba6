/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stack protector support for EL2. The canary is set from a random source
 * by the boot assembly before any C code runs.
 */
#include <bulwark/arch/boot.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/console.h>

uintptr_t __stack_chk_guard;

NORETURN void __stack_chk_fail(void);
NORETURN void __stack_chk_fail(void)
{
	console_panic_begin();
	console_panic_printf("\n*** Bulwark: stack smashing detected on CPU %u ***\n",
			     arch_cpu_index());
	console_panic_end();
	arch_cpu_halt();
}
