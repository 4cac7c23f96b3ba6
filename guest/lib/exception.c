/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL1 exception handling: IRQ dispatch, synchronous-exception hooks and the
 * report of unexpected exceptions.
 */
#include <guest/guest.h>

static exc_hook_t hooks[GUEST_MAX_CPUS];
static exc_recover_t recovery[GUEST_MAX_CPUS];
static unsigned fault_count;

void exc_set_hook(exc_hook_t hook)
{
	hooks[cpu_index()] = hook;
}

void exc_set_recovery(exc_recover_t fn)
{
	recovery[cpu_index()] = fn;
}

unsigned exc_fault_count(void)
{
	return __atomic_load_n(&fault_count, __ATOMIC_RELAXED);
}

const char *exc_class_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "unknown reason (undefined instruction)";
	case 0x01: return "WFI/WFE trapped";
	case 0x07: return "FP/SIMD access trapped";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "system register access";
	case 0x1c: return "pointer authentication failure";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x3c: return "BRK";
	default: return "other";
	}
}

static const char *const kind_names[] = {
	"synchronous, EL1t", "IRQ, EL1t", "FIQ, EL1t", "SError, EL1t",
	"synchronous, EL1h", "IRQ, EL1h", "FIQ, EL1h", "SError, EL1h",
	"synchronous, EL0 AArch64", "IRQ, EL0 AArch64", "FIQ, EL0 AArch64", "SError, EL0 AArch64",
	"synchronous, EL0 AArch32", "IRQ, EL0 AArch32", "FIQ, EL0 AArch32", "SError, EL0 AArch32",
};

static void report(unsigned kind, const struct exc_frame *f, uint64_t esr, uint64_t far)
{
	unsigned me = cpu_index();
	int intid = irq_current();

	gprintf("*** guest: unexpected exception on vCPU %u (%s) ***\n"
		"ESR  0x%08llx  EC 0x%02x: %s  ISS 0x%07llx\n"
		"ELR  0x%016llx  FAR  0x%016llx  SPSR 0x%08llx\n"
		"x0   0x%016llx  x1   0x%016llx  x2   0x%016llx\n"
		"x29  0x%016llx  x30  0x%016llx  SP   0x%016llx\n",
		me, kind_names[kind & 15], (unsigned long long)esr, (unsigned)ESR_EC(esr),
		exc_class_name((unsigned)ESR_EC(esr)), (unsigned long long)ESR_ISS(esr),
		(unsigned long long)f->elr, (unsigned long long)far,
		(unsigned long long)f->spsr, (unsigned long long)f->x[0],
		(unsigned long long)f->x[1], (unsigned long long)f->x[2],
		(unsigned long long)f->x[29], (unsigned long long)f->x[30],
		(unsigned long long)((uintptr_t)f + sizeof(*f)));
	if (intid >= 0)
		gprintf("(in the handler of INTID %d)\n", intid);
}

static void unexpected(unsigned kind, struct exc_frame *f)
{
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	unsigned me = cpu_index();
	char reason[96];

	/* Only synchronous exceptions and SErrors have a meaningful ESR. */
	if (kind != EXC_SYNC && kind != EXC_SERROR && kind != EXC_SYNC_SP0 &&
	    kind != EXC_SERROR_SP0 && kind != EXC_SYNC_LOWER64)
		esr = far = 0;
	report(kind, f, esr, far);
	gsnprintf(reason, sizeof(reason),
		  "unexpected exception (%s) EC 0x%02x at ELR 0x%llx FAR 0x%llx",
		  kind_names[kind & 15], (unsigned)ESR_EC(esr),
		  (unsigned long long)f->elr, (unsigned long long)far);

	if (recovery[me] != NULL) {
		exc_recover_t fn = recovery[me];
		irq_abandon();
		console_unlock_if_owner();
		fn(reason);
	}
	if (me != 0) {
		__atomic_fetch_add(&fault_count, 1, __ATOMIC_SEQ_CST);
		gprintf("vCPU %u: stopping after the unexpected exception\n", me);
		irq_abandon();
		cpu_stop_self();
	}
	guest_exit(false);
}

void exc_handle(unsigned kind, struct exc_frame *f)
{
	if (kind == EXC_IRQ) {
		irq_dispatch();
		return;
	}
	if (kind == EXC_SYNC) {
		uint64_t esr = read_sysreg(esr_el1);
		exc_hook_t hook = hooks[cpu_index()];

		if (hook != NULL && hook(f, esr, read_sysreg(far_el1)))
			return;
	}
	unexpected(kind, f);
}
