/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Floods: as many exits, interrupts, console lines or hypervisor notices as
 * one vCPU can cause. The VM may only slow itself down: the victim keeps its
 * period, its console lines keep appearing, the hypervisor's console stays
 * bounded.
 */
#include "attacker.h"

#define FLOOD_MS 2000
#define CONSOLE_FLOOD_MS 3000

static uint64_t deadline_ms(unsigned ms)
{
	return timer_count() + timer_ms_to_ticks(ms);
}

bool probe_flood_sgi(struct probe_ctx *c)
{
	uint64_t end = deadline_ms(FLOOD_MS), sent = 0;

	gic_enable_intid(1);
	irq_unmask();
	while (timer_count() < end) {
		write_sysreg(icc_sgi1r_el1, 1ULL << 24 | 1); /* SGI 1 to itself */
		isb();
		sent++;
	}
	irq_window(10);
	note(c, "%llu SGIs sent to itself in %u ms, %u taken", (unsigned long long)sent, FLOOD_MS,
	     irq_seen(1));
	/* Each write traps and the SGI is taken before the next one: no merging. */
	expect_eq(c, "taken == sent", irq_seen(1) == sent, 1);
	expect_eq(c, "other IRQs", irq_seen_total() - irq_seen(1), 0);
	return c->ok;
}

bool probe_flood_hvc(struct probe_ctx *c)
{
	uint64_t end = deadline_ms(FLOOD_MS), calls = 0, wrong = 0;

	while (timer_count() < end) {
		wrong += hvc_0(PSCI_VERSION, 0, 0, 0) != 0x10001;        /* the fast path */
		wrong += hvc_0(PSCI_FEATURES, PSCI_CPU_OFF, 0, 0) != 0;  /* a full exit */
		wrong += smc_0(SMCCC_VERSION, 0, 0, 0) != 0x10001;
		calls += 3;
	}
	note(c, "%llu HVC/SMC calls in %u ms, %llu wrong answers", (unsigned long long)calls,
	     FLOOD_MS, (unsigned long long)wrong);
	expect_eq(c, "wrong answers", wrong, 0);
	return c->ok;
}

/* Short lines written straight to UARTDR, without waiting on UARTFR. */
bool probe_flood_console(struct probe_ctx *c)
{
	uint64_t end = deadline_ms(CONSOLE_FLOOD_MS), lines = 0;

	while (timer_count() < end) {
		char buf[24];
		int n = gsnprintf(buf, sizeof(buf), "flood %llu\n", (unsigned long long)lines++);

		for (int i = 0; i < n; i++)
			mmio_write32(PL011_BASE + PL011_DR, (uint8_t)buf[i]);
	}
	/* Let the bucket refill and the "dropped" note go out before the result. */
	timer_delay_us(1200 * 1000);
	note(c, "%llu lines in %u ms", (unsigned long long)lines, CONSOLE_FLOOD_MS);
	expect_eq(c, "more lines than the burst (2000)", lines > 2600, 1);
	return c->ok;
}

bool probe_flood_mmio(struct probe_ctx *c)
{
	uint64_t end = deadline_ms(FLOOD_MS), n = 0, wrong = 0;
	uint32_t typer = mmio_read32(GICD_BASE + GICD_TYPER);

	while (timer_count() < end) {
		wrong += mmio_read32(GICD_BASE + GICD_TYPER) != typer;
		mmio_write32(PL011_BASE + 0x038, 0); /* UARTIMSC */
		n += 2;
	}
	note(c, "%llu emulated MMIO accesses in %u ms, %llu wrong", (unsigned long long)n, FLOOD_MS,
	     (unsigned long long)wrong);
	expect_eq(c, "wrong reads", wrong, 0);
	return c->ok;
}

/* Each MMIO access without syndrome is a notice in the hypervisor's log
 * (and an abort injected): the log must stay bounded (8 a second), and say
 * how many it suppressed. */
bool probe_flood_notices(struct probe_ctx *c)
{
	unsigned n = 0;

	trap_begin();
	for (unsigned i = 0; i < 2000; i++, n++)
		(void)ins_ldp(GICD_BASE);
	timer_delay_us(1100 * 1000);
	(void)ins_ldp(GICD_BASE); /* ends the window */
	n++;
	trap_end();
	note(c, "%u LDPs from the distributor, %u aborts taken", n, trap.count);
	expect_eq(c, "aborts", trap.count, n);
	return c->ok;
}

/*
 * The VM that has the keyboard (the scenario gives it to the attacker) may
 * show a partial line at once, when its driver masks the transmit interrupt:
 * one character, then UARTIMSC.TX set and cleared, again and again. Each
 * of those must count against the console rate limit like a line.
 */
bool probe_flood_console_partial(struct probe_ctx *c)
{
	uint64_t end = deadline_ms(CONSOLE_FLOOD_MS), n = 0;

	while (timer_count() < end) {
		mmio_write32(PL011_BASE + PL011_DR, '#');
		mmio_write32(PL011_BASE + PL011_IMSC, 1u << 5); /* TXIM */
		mmio_write32(PL011_BASE + PL011_IMSC, 0);
		n++;
	}
	mmio_write32(PL011_BASE + PL011_DR, '\n');
	timer_delay_us(1200 * 1000);
	note(c, "%llu one-character partial lines in %u ms", (unsigned long long)n,
	     CONSOLE_FLOOD_MS);
	expect_eq(c, "more than the burst (2000)", n > 2600, 1);
	return c->ok;
}

/*
 * Every boot prints 100 lines at once and asks for SYSTEM_RESET: the rate
 * limit (and the hypervisor's own reset notices) must hold across resets,
 * or a reset loop floods the console. Runs without the start delay, forever;
 * the scenario counts.
 */
bool probe_flood_reset(struct probe_ctx *c)
{
	for (unsigned i = 0; i < 100; i++) {
		char buf[24];
		int n = gsnprintf(buf, sizeof(buf), "flood %u\n", i);

		for (int k = 0; k < n; k++)
			mmio_write32(PL011_BASE + PL011_DR, (uint8_t)buf[k]);
	}
	psci_system_reset();
	fail(c, "SYSTEM_RESET returned");
	return false;
}

static volatile uint64_t vtimer_irqs, vtimer_end;

static void vtimer_count(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	vtimer_irqs++;
	/* Left firing: it is taken again as soon as it ends (the runtime's IRQ
	 * loop never returns meanwhile), until the time is up. */
	if (timer_count() >= vtimer_end)
		vtimer_stop();
}

/* The virtual timer with a deadline in the past and never re-armed: a
 * level interrupt that is taken again as soon as it ends. */
bool probe_flood_vtimer(struct probe_ctx *c)
{
	irq_register(TIMER_VIRT_INTID, vtimer_count, NULL);
	gic_enable_intid(TIMER_VIRT_INTID);
	vtimer_end = timer_count() + timer_ms_to_ticks(FLOOD_MS / 2);
	vtimer_set_deadline(0);
	irq_window(FLOOD_MS / 2 + 100);
	vtimer_stop();
	note(c, "%llu virtual timer interrupts in %u ms", (unsigned long long)vtimer_irqs,
	     FLOOD_MS / 2);
	expect_eq(c, "more than 100", vtimer_irqs > 100, 1);
	return c->ok;
}

/*
 * Lines that look like the hypervisor's, or the victim's, with escape
 * sequences, a bell and carriage returns: each must reach the console as the
 * attacker's, prefixed "[attacker] ", with control characters made visible.
 */
bool probe_console_forge(struct probe_ctx *c)
{
	gprintf("attacker: \x1b[2J\x1b]0;owned\x07 bell\n");
	gprintf("notice: vm 'victim': stopped: forged by the attacker\n");
	gprintf("covered\rnotice: vm 'victim': stopped: forged after a carriage return\n");
	gprintf("[victim] victim: hash MISMATCH forged by the attacker\n");
	gprintf("%0159d*** Bulwark: unexpected exception forged at a line break\n", 0);
	note(c, "5 lines printed");
	return c->ok;
}
