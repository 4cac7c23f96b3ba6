/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL1 exceptions taken by the guest's own vector table.
 *
 * A synchronous exception goes to the calling vCPU's hook if one is
 * installed, else it is unexpected. An
 * unexpected exception (or any SError, FIQ, or exception from a lower EL or
 * on SP_EL0) prints a report naming ESR, ELR, FAR and SPSR, then:
 *  - on a vCPU with a recovery handler (the test framework installs one on
 *    vCPU 0 while a test runs), calls it: it does not return;
 *  - on any other secondary vCPU, counts it (`exc_fault_count()`) and turns
 *    the vCPU off with PSCI CPU_OFF;
 *  - on vCPU 0, ends the guest as failed (`guest_exit(false)`).
 */
#ifndef GUEST_EXCEPTION_H
#define GUEST_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

/* Saved by the vector on the stack; layout shared with crt0.S. */
struct exc_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};
_Static_assert(sizeof(struct exc_frame) == 272, "crt0.S EXC_FRAME_SIZE");

/* Vector kinds, in vector-table order. */
enum exc_kind {
	EXC_SYNC_SP0, EXC_IRQ_SP0, EXC_FIQ_SP0, EXC_SERROR_SP0,
	EXC_SYNC, EXC_IRQ, EXC_FIQ, EXC_SERROR,
	EXC_SYNC_LOWER64, EXC_IRQ_LOWER64, EXC_FIQ_LOWER64, EXC_SERROR_LOWER64,
	EXC_SYNC_LOWER32, EXC_IRQ_LOWER32, EXC_FIQ_LOWER32, EXC_SERROR_LOWER32,
};

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)
#define EC_UNKNOWN 0x00
#define EC_SVC64 0x15
#define EC_SYSREG 0x18
#define EC_IABT_CUR 0x21
#define EC_DABT_CUR 0x25
#define EC_BRK64 0x3c

/* Handles a synchronous exception on the calling vCPU: returns true if it
 * did (it may change `f`, e.g. step `f->elr` past the instruction), false to
 * treat the exception as unexpected. Runs with every exception masked. */
typedef bool (*exc_hook_t)(struct exc_frame *f, uint64_t esr, uint64_t far);

/* Installs (or with NULL removes) the calling vCPU's synchronous hook. */
void exc_set_hook(exc_hook_t hook);

/* Called after the report of an unexpected exception on the vCPU that
 * installed it; `reason` is a one-line summary. Must not return. */
typedef void (*exc_recover_t)(const char *reason);
void exc_set_recovery(exc_recover_t fn);

/* Unexpected exceptions on secondary vCPUs so far. */
unsigned exc_fault_count(void);

/* Name of an exception class, for reports ("data abort", ...). */
const char *exc_class_name(unsigned ec);

/* Non-local jumps (crt0.S): `guest_setjmp` saves x19-x30, SP and DAIF and
 * returns 0; `guest_longjmp` resumes there, making it return 1. Used to
 * abandon a test after an unexpected exception. */
struct guest_jmp_buf {
	uint64_t regs[14];
};
int guest_setjmp(struct guest_jmp_buf *b) __attribute__((returns_twice));
__attribute__((noreturn)) void guest_longjmp(struct guest_jmp_buf *b);

/* Called by the vector in crt0.S. */
void exc_handle(unsigned kind, struct exc_frame *f);

#endif /* GUEST_EXCEPTION_H */
