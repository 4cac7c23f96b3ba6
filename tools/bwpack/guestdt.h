/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devicetree each VM boots with, describing the machine of
 * docs/guest-platform.md: its RAM and vCPUs, PSCI over HVC, the emulated
 * GICv3 and PL011, and the architected timer. Every VM gets one; bare-metal
 * guests may ignore it. Passed-through devices are not described (yet).
 */
#ifndef BWPACK_GUESTDT_H
#define BWPACK_GUESTDT_H

#include "sysdesc.h"

/* Emulated devices, as the guest sees them (docs/guest-platform.md). */
#define GUESTDT_GICD_BASE 0x08000000ULL
#define GUESTDT_GICD_SIZE 0x10000ULL
#define GUESTDT_GICR_BASE 0x080a0000ULL
#define GUESTDT_GICR_STRIDE 0x20000ULL
#define GUESTDT_UART_BASE 0x09000000ULL
#define GUESTDT_UART_SIZE 0x1000ULL
#define GUESTDT_UART_SPI 1u /* INTID 33 */
#define GUESTDT_UART_CLOCK_HZ 24000000u

/**
 * guestdt_build() - Writes the devicetree VM @vm boots with.
 * @vm: a VM of a description `sysdesc_parse()` accepted.
 * @initrd_size: bytes of its initrd (placed by `bwpkg_initrd_addr()`), 0 when
 *	it has none.
 * @buf: where to write the blob.
 * @size: bytes at @buf; the blob never needs more than BWPKG_DTB_MAX.
 *
 * `/chosen` gets stdout-path, the VM's bootargs when it has any, and
 * linux,initrd-start/-end (64-bit) when it has an initrd.
 *
 * Return: the blob's size in bytes (its totalsize), or a negative libfdt
 * error code (-FDT_ERR_NOSPACE when @size is too small).
 */
int guestdt_build(const struct sysdesc_vm *vm, uint64_t initrd_size, void *buf, size_t size);

#endif
