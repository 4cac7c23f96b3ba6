/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data-abort vector's fast MMIO (src/arch/aarch64/guest.S,
 * `guest_mmio`) played on the host, for unit tests and fuzzers: given an
 * access that the vector's syndrome checks let through (a zero-extending
 * load or a store with syndrome, from a 32-bit instruction, a stage-2
 * translation fault), it does what the vector does with the VM's fast-MMIO
 * table (include/bulwark/fastmmio.h).
 */
#ifndef BULWARK_ARCH_FAKE_FASTMMIO_H
#define BULWARK_ARCH_FAKE_FASTMMIO_H

#include <bulwark/types.h>

struct vm;

/* Whether the vector's checks of ESR_EL2 (a data abort from a lower EL)
 * let the access on to the table: the same test as guest.S's, with the
 * same constants (include/bulwark/arch/aarch64/sysregs.h). */
bool fake_fastmmio_syndrome(uint64_t esr);

/* An access of @size bytes (1, 2, 4 or 8) at @ipa: a read returns the
 * value in `*val`, a write takes it from `*val`. Returns true when the
 * vector carried it out, false when it takes the full exit (then nothing
 * changed). */
bool fake_fastmmio(struct vm *vm, uint64_t ipa, unsigned size, bool write, uint64_t *val);

#endif
