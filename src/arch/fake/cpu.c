/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fake CPU arch for host tests: a single CPU.
 */
#include <string.h>

#include <bulwark/arch/cpu.h>

unsigned arch_cpu_index(void)
{
	return 0;
}

void arch_zero_pages(void *va, size_t size)
{
	memset(va, 0, size);
}

void arch_copy_pages(void *dst, const void *src, size_t size)
{
	memcpy(dst, src, size);
}
