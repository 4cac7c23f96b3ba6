/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fake CPU arch for host tests: a single CPU.
 */
#include <bulwark/arch/cpu.h>

unsigned arch_cpu_index(void)
{
	return 0;
}
