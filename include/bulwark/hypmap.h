/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Short-lived mappings of memory that is not the hypervisor's own (a VM's
 * RAM, the package) into the hypervisor's address space, for the duration
 * of one operation: there is no direct map of RAM. Each CPU has two
 * windows of 2 MiB; a mapping must be unmapped before its window is reused.
 */
#ifndef BULWARK_HYPMAP_H
#define BULWARK_HYPMAP_H

#include <bulwark/types.h>

#define HYPMAP_WINDOW (2UL << 20)

/* Maps [pa, pa + size) (size <= HYPMAP_WINDOW, page aligned) in window @slot
 * (0 or 1) of the running CPU; returns its address or NULL. */
void *hypmap_map(unsigned slot, paddr_t pa, size_t size, bool writable);
void hypmap_unmap(unsigned slot);
/* Copies between or fills physical memory through the windows. */
bool hypmap_copy(paddr_t dst, paddr_t src, uint64_t size);
bool hypmap_zero(paddr_t dst, uint64_t size);

#endif
