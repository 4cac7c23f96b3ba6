/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secondary vCPUs: discovery through PSCI and start with CPU_ON.
 */
#include <guest/guest.h>

enum cpu_state { CPU_OFF, CPU_STARTING, CPU_RUNNING, CPU_STOPPED };

struct cpu_start_slot {
	cpu_fn_t fn;
	void *arg;
	unsigned state; /* enum cpu_state, as the runtime last saw it */
};

static struct cpu_start_slot slots[GUEST_MAX_CPUS];
static unsigned count;

unsigned cpu_count(void)
{
	if (count == 0) {
		/* Xen answers OFF, not INVALID_PARAMETERS, for a vCPU it does
		 * not have: the devicetree's CPU nodes bound the search. */
		unsigned n = 1, max = platform_cpu_nodes();

		if (max == 0 || max > GUEST_MAX_CPUS)
			max = GUEST_MAX_CPUS;
		while (n < max &&
		       psci_affinity_info(cpu_mpidr(n), 0) != PSCI_RET_INVALID_PARAMETERS)
			n++;
		count = n;
	}
	return count;
}

int64_t cpu_start(unsigned idx, cpu_fn_t fn, void *arg)
{
	int64_t ret;

	if (idx == 0 || idx >= GUEST_MAX_CPUS)
		return PSCI_RET_INVALID_PARAMETERS;
	slots[idx].fn = fn;
	slots[idx].arg = arg;
	__atomic_store_n(&slots[idx].state, CPU_STARTING, __ATOMIC_SEQ_CST);
	dsb(sy); /* the slot is visible before the vCPU can run */
	ret = psci_cpu_on(cpu_mpidr(idx), (uintptr_t)guest_secondary_entry, idx);
	if (ret != PSCI_RET_SUCCESS)
		__atomic_store_n(&slots[idx].state, CPU_OFF, __ATOMIC_SEQ_CST);
	return ret;
}

static bool cpu_is_off(unsigned idx)
{
	unsigned state = __atomic_load_n(&slots[idx].state, __ATOMIC_ACQUIRE);

	return state != CPU_STARTING && state != CPU_RUNNING &&
	       psci_affinity_info(cpu_mpidr(idx), 0) == PSCI_AFF_OFF;
}

bool cpu_wait_off(unsigned idx, unsigned ms)
{
	if (idx == 0 || idx >= GUEST_MAX_CPUS)
		return false;
	return WAIT_UNTIL(cpu_is_off(idx), ms);
}

void cpu_stop_self(void)
{
	unsigned me = cpu_index();

	__asm__ volatile("msr daifset, #0xf");
	__atomic_store_n(&slots[me].state, CPU_STOPPED, __ATOMIC_RELEASE);
	psci_cpu_off();
	gprintf("vCPU %u: CPU_OFF returned; halting\n", me);
	guest_halt();
}

void cpu_boot_secondary(unsigned idx)
{
	struct cpu_start_slot s = slots[idx];

	__atomic_store_n(&slots[idx].state, CPU_RUNNING, __ATOMIC_RELEASE);
	if (!gic_cpu_init()) {
		gprintf("vCPU %u: no GICv3 redistributor for MPIDR 0x%llx\n", idx,
			(unsigned long long)cpu_read_mpidr());
	} else if (s.fn != NULL) {
		s.fn(s.arg);
	}
	cpu_stop_self();
}
