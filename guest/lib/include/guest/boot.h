/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the guest learnt at boot: the devicetree passed in x0 (if any), the
 * kernel command line in /chosen/bootargs, and where RAM and the image are.
 */
#ifndef GUEST_BOOT_H
#define GUEST_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_LOAD_ADDR 0x40200000UL
#define GUEST_BOOTARGS_MAX 1024

/* Bounds of the image in memory, BSS and stacks included (linker script). */
extern char __image_start[], __image_end[];

/* /chosen/bootargs, or "" without a devicetree or bootargs. */
const char *boot_args(void);

/* Copies the value of the first `key=value` word of the bootargs into `buf`
 * (NUL-terminated, truncated to `size`); returns false if there is none. */
bool boot_arg(const char *key, char *buf, size_t size);

/* The value of `key=N` (decimal or 0x hex), or `dflt`. */
uint64_t boot_arg_u64(const char *key, uint64_t dflt);

/* RAM base: the image sits at RAM base + 2 MiB (text_offset 0). */
uintptr_t boot_ram_base(void);
/* RAM size from the devicetree's /memory node, or 0 if unknown. */
uint64_t boot_ram_size(void);
/* The devicetree (0 if none or invalid) and its totalsize. */
uintptr_t boot_dtb(void);
size_t boot_dtb_size(void);

/* Called from crt0.S on vCPU 0 with the devicetree address from x0. */
void boot_primary(uintptr_t dtb);

/* The guest program. Its return value ends the guest: 0 = pass. */
int main(void);

#endif /* GUEST_BOOT_H */
