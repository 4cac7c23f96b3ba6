/* SPDX-License-Identifier: Apache-2.0 */
/* The register frame saved by the EL2 exception entry code. */
#ifndef BULWARK_ARCH_AARCH64_FRAME_H
#define BULWARK_ARCH_AARCH64_FRAME_H

#include <bulwark/types.h>

struct exc_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct exc_frame) % 16 == 0, "frame must keep SP 16-byte aligned");

/* Reports an unexpected exception and stops the CPU. Called from assembly. */
NORETURN void fatal_exception(uint64_t kind, struct exc_frame *frame);

#endif
