/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest of the containment benchmark (bench/containment.py,
 * docs/security.md "Fault containment"): one image, two roles, chosen by
 * the bootargs.
 *
 * role=victim: a fixed workload, timed on the virtual counter. Each
 * iteration is `work` instructions of arithmetic (no exits), one HVC that
 * takes the hypervisor's full exit path (PSCI_FEATURES), one trapped MMIO
 * read (GICD_TYPER) and, every 256th iteration, a console line: that part
 * is timed ("work"). Then it arms its virtual timer `gap_us` microseconds
 * ahead and waits for it in WFI, and times how late its interrupt wakes it
 * ("wake": from the deadline to the first instruction after WFI). Under
 * QEMU's -icount, where all vCPUs take turns on one host thread and a vCPU
 * keeps its turn until it waits or a timer is due, that gap is when the
 * neighbour runs: the timed part runs on the victim's CPU alone, so it
 * counts exactly the instructions of the victim's CPU, its own and the
 * hypervisor's on its behalf. After `settle_ms` of the same loop untimed
 * (the neighbour gets going), `iters` iterations are timed, then it prints
 *   CONTAIN victim avg_ns=A p50_ns=B p99_ns=C max_ns=D min_ns=E
 *   CONTAIN victim-wake avg_ns=A p50_ns=B p99_ns=C max_ns=D min_ns=E
 *   CONTAIN victim-run iters=N work=W gap_us=G total_ns=T
 *   CONTAIN DONE
 * and powers its VM off.
 *
 * role=neighbour mode=MODE: misbehaves, or not, forever:
 *   idle          WFI with nothing armed: its CPU sleeps
 *   busy          arithmetic without exits (the well-behaved busy neighbour)
 *   irqs-masked   arms its timer, masks every interrupt, spins
 *   console       writes console lines as fast as it can, without waiting
 *   hvc           HVC in a loop, the full exit (PSCI_FEATURES) and the fast one
 *   mmio          trapped MMIO in a loop (GICD_TYPER reads, UARTIMSC writes)
 *   sgi           SGIs to itself, taken and ended, in a loop
 *   vtimer        its virtual timer left firing: an interrupt storm
 *   fault         LDP from the distributor in a loop: a stage-2 fault the
 *                 hypervisor cannot emulate, an abort injected, a notice
 *   crash         reads unmapped memory: the hypervisor stops the VM
 *   fault-then-crash    2000 LDPs as `fault` does, at once, then as `crash`
 *   console-then-crash  3000 lines as `console` does, at once, then as `crash`
 *   reset         prints a line and asks for SYSTEM_RESET, every boot
 *   crash-reset   an undefined instruction, then SYSTEM_RESET from its
 *                 exception handler, every boot
 * It prints `CONTAIN neighbour mode=MODE` first, every boot.
 */
#include <guest/guest.h>

#define MAX_ITERS 50000
#define LINE_EVERY 256
#define UNMAPPED_ADDR 0x0b000000UL
#define SGI_SELF 1

static uint64_t samples[MAX_ITERS], wakes[MAX_ITERS];
static volatile uint64_t irq_count;

/* `n` rounds of 4 instructions of arithmetic, no memory access, no exit. */
static void compute(uint64_t n)
{
	uint64_t a = 1, b = 3;

	if (n == 0)
		return;
	__asm__ volatile("1:\n\t"
			 "add %0, %0, %1\n\t"
			 "eor %1, %1, %0, ror #7\n\t"
			 "subs %2, %2, #1\n\t"
			 "b.ne 1b"
			 : "+r"(a), "+r"(b), "+r"(n));
}

static volatile bool woken;

static void wake(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	vtimer_stop();
	woken = true;
}

/* Counter ticks in nanoseconds. */
static uint64_t to_ns(uint64_t t)
{
	uint64_t f = timer_freq();

	return t / f * 1000000000ULL + t % f * 1000000000ULL / f;
}

/* Shell sort, for the percentiles. */
static void sort(uint64_t *v, unsigned n)
{
	static const unsigned gaps[] = { 10609, 4711, 1750, 701, 301, 132, 57, 23, 10, 4, 1 };

	for (unsigned g = 0; g < ARRAY_SIZE(gaps); g++) {
		unsigned gap = gaps[g];

		for (unsigned i = gap; i < n; i++) {
			uint64_t x = v[i];
			unsigned j = i;

			for (; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

/* Prints "CONTAIN NAME avg_ns= p50_ns= p99_ns= max_ns= min_ns=" of @n samples
 * (sorted here). */
static void report(const char *name, uint64_t *v, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += v[i];
	sort(v, n);
	gprintf("CONTAIN %s avg_ns=%llu p50_ns=%llu p99_ns=%llu max_ns=%llu min_ns=%llu\n", name,
		(unsigned long long)to_ns(sum / n), (unsigned long long)to_ns(v[n / 2]),
		(unsigned long long)to_ns(v[n * 99 / 100]), (unsigned long long)to_ns(v[n - 1]),
		(unsigned long long)to_ns(v[0]));
}

/* One iteration: the timed work, then the wait for the timer @gap ticks on. */
static bool iteration(uint64_t i, uint64_t work, uint64_t gap, uint32_t typer, uint64_t *t_work,
		      uint64_t *t_wake)
{
	uint64_t t0 = timer_count(), t1, deadline;

	compute(work / 4);
	if (psci_features(PSCI_CPU_OFF) != 0 || mmio_read32(GICD_BASE + GICD_TYPER) != typer) {
		gprintf("CONTAIN-ERROR victim: wrong answer from the hypervisor\n");
		return false;
	}
	if (i % LINE_EVERY == LINE_EVERY - 1)
		gprintf("victim: iteration %llu\n", (unsigned long long)i + 1);
	t1 = timer_count();
	deadline = t1 + gap;
	woken = false;
	vtimer_set_deadline(deadline);
	/* Checked with IRQs masked: an interrupt taken between the check and the
	 * WFI would leave nothing to wake it. WFI wakes on a pending IRQ even when
	 * masked; unmasking then takes it. */
	for (;;) {
		irq_mask();
		if (woken)
			break;
		__asm__ volatile("wfi" ::: "memory");
		irq_unmask();
	}
	irq_unmask();
	*t_work = t1 - t0;
	*t_wake = timer_count() - deadline;
	return true;
}

static int victim(void)
{
	uint64_t iters = boot_arg_u64("iters", 20000), work = boot_arg_u64("work", 20000);
	uint64_t settle = boot_arg_u64("settle_ms", 100), gap_us = boot_arg_u64("gap_us", 20);
	uint64_t gap = timer_us_to_ticks(gap_us), start, end, dummy[2];
	uint32_t typer = mmio_read32(GICD_BASE + GICD_TYPER);

	if (iters == 0 || iters > MAX_ITERS) {
		gprintf("CONTAIN-ERROR victim: iters must be 1..%u\n", MAX_ITERS);
		return 1;
	}
	irq_register(TIMER_VIRT_INTID, wake, NULL);
	gic_enable_intid(TIMER_VIRT_INTID);
	irq_unmask();
	for (uint64_t i = 0, end_settle = timer_count() + timer_ms_to_ticks(settle);
	     timer_count() < end_settle; i++)
		if (!iteration(i, work, gap, typer, &dummy[0], &dummy[1]))
			return 1;
	gprintf("CONTAIN-BEGIN victim\n");
	start = timer_count();
	for (uint64_t i = 0; i < iters; i++)
		if (!iteration(i, work, gap, typer, &samples[i], &wakes[i]))
			return 1;
	end = timer_count();
	/* Three lines: a console line holds 159 characters. */
	report("victim", samples, (unsigned)iters);
	report("victim-wake", wakes, (unsigned)iters);
	gprintf("CONTAIN victim-run iters=%llu work=%llu gap_us=%llu total_ns=%llu\n",
		(unsigned long long)iters, (unsigned long long)work, (unsigned long long)gap_us,
		(unsigned long long)to_ns(end - start));
	gprintf("CONTAIN DONE\n");
	return 0;
}

static void count_irq(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	irq_count++;
}

/* An abort injected for an access without syndrome: step over the LDP. */
static bool skip_abort(struct exc_frame *f, uint64_t esr, uint64_t far)
{
	(void)far;
	if (ESR_EC(esr) != EC_DABT_CUR)
		return false;
	f->elr += 4;
	return true;
}

/* A console line written straight to UARTDR, without waiting on UARTFR. */
static void flood_line(uint64_t n)
{
	char buf[32];
	int len = gsnprintf(buf, sizeof(buf), "neighbour: flood %llu\n", (unsigned long long)n);

	for (int i = 0; i < len; i++)
		mmio_write32(PL011_BASE + PL011_DR, (uint8_t)buf[i]);
}

static bool reset_on_exception(struct exc_frame *f, uint64_t esr, uint64_t far)
{
	(void)f;
	(void)far;
	gprintf("neighbour: crashed (ESR 0x%llx), resetting\n", (unsigned long long)esr);
	psci_system_reset();
	return false;
}

static void neighbour(const char *mode)
{
	gprintf("CONTAIN neighbour mode=%s\n", mode);
	if (strcmp(mode, "idle") == 0) {
		for (;;)
			__asm__ volatile("wfi");
	} else if (strcmp(mode, "busy") == 0) {
		for (;;)
			compute(1000000);
	} else if (strcmp(mode, "irqs-masked") == 0) {
		gic_enable_intid(TIMER_VIRT_INTID);
		vtimer_set_deadline(timer_count() + timer_ms_to_ticks(1));
		__asm__ volatile("msr daifset, #0xf" ::: "memory");
		for (;;)
			compute(1000000);
	} else if (strcmp(mode, "console") == 0) {
		for (uint64_t n = 0;; n++)
			flood_line(n);
	} else if (strcmp(mode, "hvc") == 0) {
		for (;;) {
			psci_features(PSCI_CPU_OFF);
			psci_version();
		}
	} else if (strcmp(mode, "mmio") == 0) {
		for (;;) {
			(void)mmio_read32(GICD_BASE + GICD_TYPER);
			mmio_write32(PL011_BASE + PL011_IMSC, 0);
		}
	} else if (strcmp(mode, "sgi") == 0) {
		irq_register(SGI_SELF, count_irq, NULL);
		gic_enable_intid(SGI_SELF);
		irq_unmask();
		for (;;) {
			write_sysreg(icc_sgi1r_el1, (uint64_t)SGI_SELF << 24 | 1);
			isb();
		}
	} else if (strcmp(mode, "vtimer") == 0) {
		irq_register(TIMER_VIRT_INTID, count_irq, NULL); /* never re-armed or stopped */
		gic_enable_intid(TIMER_VIRT_INTID);
		vtimer_set_deadline(0);
		irq_unmask();
		for (;;)
			compute(1000);
	} else if (strcmp(mode, "fault") == 0) {
		exc_set_hook(skip_abort);
		for (;;) {
			register uintptr_t a __asm__("x0") = GICD_BASE;

			__asm__ volatile("ldp w2, w3, [x0]" : : "r"(a) : "x2", "x3", "memory");
		}
	} else if (strcmp(mode, "crash") == 0) {
		(void)mmio_read32(UNMAPPED_ADDR);
	} else if (strcmp(mode, "fault-then-crash") == 0) {
		exc_set_hook(skip_abort);
		for (unsigned n = 0; n < 2000; n++) {
			register uintptr_t a __asm__("x0") = GICD_BASE;

			__asm__ volatile("ldp w2, w3, [x0]" : : "r"(a) : "x2", "x3", "memory");
		}
		(void)mmio_read32(UNMAPPED_ADDR);
	} else if (strcmp(mode, "console-then-crash") == 0) {
		for (unsigned n = 0; n < 3000; n++)
			flood_line(n);
		(void)mmio_read32(UNMAPPED_ADDR);
	} else if (strcmp(mode, "reset") == 0) {
		psci_system_reset();
	} else if (strcmp(mode, "crash-reset") == 0) {
		exc_set_hook(reset_on_exception);
		__asm__ volatile("udf #0");
	}
	gprintf("CONTAIN-ERROR neighbour: mode '%s' unknown or returned\n", mode);
	guest_halt();
}

int main(void)
{
	char role[16], mode[32];

	if (!boot_arg("role", role, sizeof(role))) {
		gprintf("CONTAIN-ERROR no role= in the bootargs (victim, neighbour)\n");
		return 1;
	}
	if (strcmp(role, "victim") == 0)
		return victim();
	if (strcmp(role, "neighbour") == 0 && boot_arg("mode", mode, sizeof(mode)))
		neighbour(mode);
	gprintf("CONTAIN-ERROR role '%s' unknown, or no mode=\n", role);
	return 1;
}
