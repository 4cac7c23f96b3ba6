/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports of unexpected exceptions at EL2. The report is written as one
 * block under the console lock, so other CPUs' lines never cut into it;
 * then the CPU stops and the others go on.
 */
#include <bulwark/arch/aarch64/frame.h>
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/arch/boot.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/console.h>
#include <bulwark/cpu.h>

extern char __stacks_start[], __stacks_end[];

static const char *const vector_name[16] = {
	"synchronous, EL2 with SP_EL0", "IRQ, EL2 with SP_EL0",
	"FIQ, EL2 with SP_EL0",		"SError, EL2 with SP_EL0",
	"synchronous, EL2",		"IRQ, EL2",
	"FIQ, EL2",			"SError, EL2",
	"synchronous, lower EL (AArch64)", "IRQ, lower EL (AArch64)",
	"FIQ, lower EL (AArch64)",	"SError, lower EL (AArch64)",
	"synchronous, lower EL (AArch32)", "IRQ, lower EL (AArch32)",
	"FIQ, lower EL (AArch32)",	"SError, lower EL (AArch32)",
};

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case ESR_EC_UNKNOWN: return "unknown reason (undefined instruction)";
	case ESR_EC_WFX: return "WFI/WFE";
	case ESR_EC_BTI: return "branch target identification";
	case ESR_EC_HVC64: return "HVC";
	case ESR_EC_SMC64: return "SMC";
	case ESR_EC_SYS64: return "system register access";
	case ESR_EC_FPAC: return "pointer authentication failure";
	case ESR_EC_IABT_LOW: case ESR_EC_IABT_CUR: return "instruction abort";
	case ESR_EC_PC_ALIGN: return "PC alignment";
	case ESR_EC_DABT_LOW: case ESR_EC_DABT_CUR: return "data abort";
	case ESR_EC_SP_ALIGN: return "SP alignment";
	case ESR_EC_SERROR: return "SError";
	case ESR_EC_BRK: return "BRK instruction";
	default: return "other";
	}
}

static const char *fsc_name(unsigned fsc)
{
	switch (fsc & 0x3c) {
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	case 0x00: return "address size fault";
	}
	if (fsc == 0x21)
		return "alignment fault";
	return "other fault";
}

void fatal_exception(uint64_t kind, struct exc_frame *f)
{
	struct percpu *me = &percpu[arch_cpu_index()];
	unsigned ec = (unsigned)(f->esr >> ESR_EC_SHIFT) & 0x3f;

	if (__atomic_exchange_n(&me->in_fatal, 1, __ATOMIC_RELAXED))
		arch_cpu_halt(); /* a fault while reporting a fault: just stop */
	console_panic_begin();
	console_panic_printf("\n*** Bulwark: unexpected exception on CPU %u (%s) ***\n",
			     me->index, vector_name[kind & 15]);
	console_panic_printf("ESR  %016lx  EC %#x: %s, IL %lu, ISS %#lx\n", f->esr, ec,
			     ec_name(ec), (f->esr >> 25) & 1, f->esr & 0x1ffffff);
	if (ec == ESR_EC_IABT_CUR || ec == ESR_EC_DABT_CUR || ec == ESR_EC_IABT_LOW ||
	    ec == ESR_EC_DABT_LOW) {
		unsigned fsc = (unsigned)f->esr & 0x3f;

		console_panic_printf("     %s at level %u%s\n", fsc_name(fsc), fsc & 3,
				     (ec == ESR_EC_DABT_CUR || ec == ESR_EC_DABT_LOW)
					     ? ((f->esr & (1 << 6)) ? ", on a write" : ", on a read")
					     : ", on an instruction fetch");
	}
	console_panic_printf("FAR  %016lx  ELR  %016lx  SPSR %016lx  SP %016lx\n", f->far,
			     f->elr, f->spsr, f->sp);
	if (f->far >= (uintptr_t)__stacks_start && f->far < (uintptr_t)__stacks_end) {
		uintptr_t off = f->far - (uintptr_t)__stacks_start;
		unsigned cpu = (unsigned)(off / STACK_STRIDE);
		uintptr_t in = off % STACK_STRIDE;

		if (in < STACK_GUARD_SIZE ||
		    (in >= STACK_GUARD_SIZE + EMERG_STACK_SIZE &&
		     in < 2 * STACK_GUARD_SIZE + EMERG_STACK_SIZE))
			console_panic_printf("     the address is a stack guard page of CPU %u: "
					     "stack overflow\n", cpu);
	}
	for (int i = 0; i < 31; i += 4) {
		for (int j = i; j < i + 4 && j < 31; j++)
			console_panic_printf("x%-2d %016lx  ", j, f->x[j]);
		console_panic_printf("\n");
	}
	console_panic_printf("CPU %u stopped; the other CPUs go on.\n", me->index);
	__atomic_store_n(&me->stopped, 1, __ATOMIC_RELEASE);
	console_panic_end();
	arch_cpu_halt();
}
