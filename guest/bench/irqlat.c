/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interrupt latencies, stamped at the first instructions of the IRQ vector
 * (vectors.S):
 *
 *   timer_irq_spin   the virtual timer armed for a deadline while the vCPU
 *                    spins with IRQs unmasked: stamp at IRQ entry - deadline
 *   timer_irq_wfi    the same with the vCPU waiting in WFI
 *   sgi_self         SGI 1 sent to the sending vCPU itself: stamp at IRQ
 *                    entry - counter just before the ICC_SGI1R_EL1 write
 *   sgi_cross        SGI 1 from vCPU 0 to vCPU 1, which waits in WFI
 *
 * Under -icount all vCPUs of QEMU run in turn on one host thread, so a
 * cross-vCPU figure is the instructions executed by both in between, in the
 * order QEMU ran them (the sender runs on until it yields), not the
 * parallel time of silicon.
 */
#include "bench.h"

volatile uint64_t bench_irq_stamp[GUEST_MAX_CPUS];
volatile uint64_t bench_irq_seq[GUEST_MAX_CPUS];
volatile uint32_t bench_irq_intid[GUEST_MAX_CPUS];
uint64_t bench_orig_vbar;

extern char bench_vector_table[];

/* How far ahead the timer is armed: past the few instructions that arm it. */
#define TIMER_LEAD_NS 2000
/* Waits for an interrupt at most this long (counter ticks: virtual time). */
#define WAIT_MS 100

void bench_vectors_install(void)
{
	uint64_t cur = read_sysreg(vbar_el1);

	if (cur != (uintptr_t)bench_vector_table) {
		__atomic_store_n(&bench_orig_vbar, cur, __ATOMIC_RELEASE);
		write_sysreg(vbar_el1, (uintptr_t)bench_vector_table);
		isb();
	}
}

void bench_vectors_remove(void)
{
	if (read_sysreg(vbar_el1) == (uintptr_t)bench_vector_table) {
		write_sysreg(vbar_el1, __atomic_load_n(&bench_orig_vbar, __ATOMIC_ACQUIRE));
		isb();
	}
}

static uint64_t seq_of(unsigned cpu)
{
	return __atomic_load_n(&bench_irq_seq[cpu], __ATOMIC_ACQUIRE);
}

/* ICC_SGI1R_EL1 value for SGI `intid` to vCPU `idx` (Aff0 = idx < 16). */
static uint64_t sgi1r(unsigned intid, unsigned idx)
{
	return (uint64_t)(intid & 0xf) << 24 | 1ULL << (idx % 16);
}

/* Stamps, then sends the SGI; returns the stamp. */
static uint64_t stamp_and_send(uint64_t sgi1r_val)
{
	uint64_t t;

	__asm__ volatile("dsb ishst\n\t"
			 "isb\n\t"
			 "mrs %0, cntvct_el0\n\t"
			 "msr icc_sgi1r_el1, %1\n\t"
			 "isb"
			 : "=&r"(t)
			 : "r"(sgi1r_val)
			 : "memory");
	return t;
}

static int timer_one(const char *name, bool use_wfi, uint64_t iters)
{
	struct bench_stats s;
	uint64_t warm = bench_warmup(iters), lead = TIMER_LEAD_NS * timer_freq() / 1000000000ULL;
	uint64_t limit = timer_ms_to_ticks(WAIT_MS);

	if (lead < 4)
		lead = 4;
	stats_init(&s);
	bench_begin(name);
	for (uint64_t i = 0; i < warm + iters; i++) {
		uint64_t seq = seq_of(0), deadline, give_up;

		deadline = bench_stamp() + lead;
		give_up = deadline + limit;
		vtimer_set_deadline(deadline);
		if (use_wfi) {
			/* Checked with IRQs masked, so that the interrupt cannot
			 * come between the check and the WFI (which it wakes
			 * masked, too); taken when unmasked. */
			while (seq_of(0) == seq && bench_stamp() < give_up) {
				wfi();
				irq_unmask();
				irq_mask();
			}
		} else {
			irq_unmask();
			while (seq_of(0) == seq && bench_stamp() < give_up)
				;
			irq_mask();
		}
		if (seq_of(0) == seq || bench_irq_intid[0] != TIMER_VIRT_INTID) {
			vtimer_stop();
			bench_error(name, seq_of(0) == seq ? "the timer interrupt did not come"
							   : "another interrupt came");
			return 1;
		}
		if (i >= warm)
			stats_add(&s, bench_irq_stamp[0] - deadline);
	}
	bench_report(name, &s, 1, warm);
	return 0;
}

int bench_timer(uint64_t iters)
{
	int failed = 0;

	gic_enable_intid(TIMER_VIRT_INTID);
	bench_vectors_install();
	failed += timer_one("timer_irq_spin", false, iters);
	failed += timer_one("timer_irq_wfi", true, iters);
	bench_vectors_remove();
	vtimer_stop();
	gic_disable_intid(TIMER_VIRT_INTID);
	return failed;
}

static int sgi_self(uint64_t iters)
{
	const char *name = "sgi_self";
	struct bench_stats s;
	uint64_t warm = bench_warmup(iters), limit = timer_ms_to_ticks(WAIT_MS);

	stats_init(&s);
	bench_begin(name);
	irq_unmask();
	for (uint64_t i = 0; i < warm + iters; i++) {
		uint64_t seq = seq_of(0);
		uint64_t t0 = stamp_and_send(sgi1r(BENCH_SGI, 0));

		while (seq_of(0) == seq && bench_stamp() < t0 + limit)
			;
		if (seq_of(0) == seq || bench_irq_intid[0] != BENCH_SGI) {
			irq_mask();
			bench_error(name, "the SGI did not come");
			return 1;
		}
		if (i >= warm)
			stats_add(&s, bench_irq_stamp[0] - t0);
	}
	irq_mask();
	bench_report(name, &s, 1, warm);
	return 0;
}

static volatile uint32_t receiver_ready, receiver_stop;

/* vCPU 1: takes SGIs in WFI until told to stop. */
static void sgi_receiver(void *arg)
{
	(void)arg;
	bench_vectors_install();
	gic_enable_intid(BENCH_SGI);
	__atomic_store_n(&receiver_ready, 1, __ATOMIC_RELEASE);
	/* IRQs masked while checking (see timer_one); the SGI wakes the WFI
	 * and is taken between the unmask and the mask. */
	while (!__atomic_load_n(&receiver_stop, __ATOMIC_ACQUIRE)) {
		wfi();
		irq_unmask();
		irq_mask();
	}
	gic_disable_intid(BENCH_SGI);
	bench_vectors_remove();
}

static int sgi_cross(uint64_t iters)
{
	const char *name = "sgi_cross";
	struct bench_stats s;
	uint64_t warm = bench_warmup(iters), limit = timer_ms_to_ticks(WAIT_MS);
	int64_t r;
	int failed = 0;

	if (cpu_count() < 2) {
		bench_error(name, "needs 2 vCPUs");
		return 1;
	}
	receiver_ready = 0;
	receiver_stop = 0;
	r = cpu_start(1, sgi_receiver, NULL);
	if (r != PSCI_RET_SUCCESS) {
		bench_error(name, "CPU_ON of vCPU 1 failed");
		return 1;
	}
	if (!WAIT_UNTIL(__atomic_load_n(&receiver_ready, __ATOMIC_ACQUIRE), 1000)) {
		bench_error(name, "vCPU 1 did not come up");
		return 1;
	}
	stats_init(&s);
	bench_begin(name);
	for (uint64_t i = 0; i < warm + iters; i++) {
		uint64_t seq = seq_of(1);
		uint64_t t0 = stamp_and_send(sgi1r(BENCH_SGI, 1));

		/* YIELD: under -icount, QEMU runs the other vCPU now. */
		while (seq_of(1) == seq && bench_stamp() < t0 + limit)
			cpu_relax();
		if (seq_of(1) == seq || bench_irq_intid[1] != BENCH_SGI) {
			bench_error(name, "the SGI did not reach vCPU 1");
			failed = 1;
			break;
		}
		if (i >= warm)
			stats_add(&s, bench_irq_stamp[1] - t0);
	}
	__atomic_store_n(&receiver_stop, 1, __ATOMIC_RELEASE);
	stamp_and_send(sgi1r(BENCH_SGI, 1)); /* wakes it to see the stop */
	if (!cpu_wait_off(1, 1000)) {
		bench_error(name, "vCPU 1 did not stop");
		return 1;
	}
	if (!failed)
		bench_report(name, &s, 1, warm);
	return failed;
}

int bench_sgi(uint64_t iters)
{
	int failed = 0;

	gic_enable_intid(BENCH_SGI);
	bench_vectors_install();
	failed += sgi_self(iters);
	bench_vectors_remove();
	gic_disable_intid(BENCH_SGI);
	failed += sgi_cross(iters);
	return failed;
}
