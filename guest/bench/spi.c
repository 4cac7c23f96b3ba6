/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Injection latency of a passed-through SPI: QEMU virt's PL031 real-time
 * clock (0x09010000, SPI 2 = INTID 34), whose registers the VM owns
 * (mapped in stage 2 under Bulwark: no access traps) and whose interrupt
 * Bulwark forwards as a hardware-linked virtual interrupt.
 *
 *   spi_irq_spin   the alarm set, the vCPU spinning with IRQs unmasked
 *                  when it goes off: stamp at IRQ entry - raise time
 *   spi_irq_wfi    the same with the vCPU waiting in WFI
 *
 * The device: writing the match register RTCMR sets QEMU's alarm timer
 * (hw/rtc/pl031.c) at `now + (RTCMR - count) * 1 s` on the RTC clock, where
 * `now` is the RTC clock at the write and `count` the seconds RTCDR reads
 * then. With `-rtc clock=vm` that clock is QEMU's virtual clock, the one the
 * generic counter follows, so with RTCMR = RTCDR + 1 the line rises exactly
 * one second (of virtual time) after the write: the raise time is the
 * counter read just before the write, plus one second of ticks. The write is
 * the instruction after that read, so the raise time is early by the one
 * instruction (or so) between them, on bare QEMU and under Bulwark alike:
 * a constant that the bare figure shows and the difference cancels.
 *
 * A sample whose count ticked over between the RTCDR read and the RTCMR
 * write (RTCDR reads another value right after) has an alarm less than a
 * second away: it is waited out and not counted.
 *
 * Each sample costs one second of virtual time. Under `-icount sleep=off`
 * QEMU skips the virtual time of a machine whose CPUs all wait, so the
 * vCPU waits in WFI: in the spin variant, until the virtual timer wakes it
 * `SPIN_LEAD_NS` before the raise time, then it spins.
 */
#include "bench.h"

#define PL031_BASE 0x09010000UL /* QEMU virt's; `spi.base=` in the bootargs overrides */
#define PL031_INTID 34
#define RTCDR 0x00
#define RTCMR 0x04
#define RTCIMSC 0x10
#define RTCICR 0x1c
#define PL031_PERIPH_ID0 0xfe0

/* How long before the raise time the spinning vCPU is woken. */
#define SPIN_LEAD_NS 2000
/* After the raise time, how long to wait before giving up. */
#define WAIT_MS 100
/* Samples whose count ticked over during the write, at most. */
#define MAX_RETRIES 64

/* Read by vectors.S: the INTID whose device it quietens, and how (a 32-bit
 * write of 1 to this address, before the EOI). 1023: none. */
volatile uint32_t bench_irq_ack_intid = 1023;
volatile uint64_t bench_irq_ack_addr;

static uintptr_t rtc;

static uint64_t seq_of0(void)
{
	return __atomic_load_n(&bench_irq_seq[0], __ATOMIC_ACQUIRE);
}

/*
 * Sets the alarm one second after now; returns the counter just before the
 * RTCMR write, or 0 if the count ticked over around it (the alarm is then
 * less than a second away). The RTC's registers are read and written
 * directly: passed through, they do not trap.
 */
static uint64_t alarm_in_1s(void)
{
	uint32_t before = mmio_read32(rtc + RTCDR), after;
	uint64_t t;

	__asm__ volatile("isb\n\t"
			 "mrs %0, cntvct_el0\n\t"
			 "str %w1, [%2]"
			 : "=&r"(t)
			 : "r"(before + 1), "r"(rtc + RTCMR)
			 : "memory");
	after = mmio_read32(rtc + RTCDR);
	return after == before ? t : 0;
}

/* Waits in WFI, IRQs masked while checking (see timer_one() in irqlat.c),
 * until an interrupt has been taken since `seq` or the counter passes
 * `give_up`. */
static void wait_wfi(uint64_t seq, uint64_t give_up)
{
	while (seq_of0() == seq && bench_stamp() < give_up) {
		wfi();
		irq_unmask();
		irq_mask();
	}
}

static int spi_one(const char *name, bool spin, uint64_t iters)
{
	struct bench_stats s;
	uint64_t warm = bench_warmup(iters), freq = timer_freq();
	uint64_t lead = SPIN_LEAD_NS * freq / 1000000000ULL, limit = timer_ms_to_ticks(WAIT_MS);
	unsigned retries = 0;

	stats_init(&s);
	bench_begin(name);
	for (uint64_t i = 0; i < warm + iters;) {
		uint64_t seq = seq_of0(), t0 = alarm_in_1s(), raise, give_up;

		raise = (t0 ? t0 : bench_stamp()) + freq;
		give_up = raise + limit;
		if (spin && t0) {
			/* Woken by the timer shortly before the raise time, then spin. */
			vtimer_set_deadline(raise - lead);
			wait_wfi(seq, give_up);
			if (seq_of0() == seq || bench_irq_intid[0] != TIMER_VIRT_INTID) {
				vtimer_stop();
				bench_error(name, seq_of0() == seq ? "the wake-up timer did not come"
								   : "the SPI came before the wake-up timer");
				return 1;
			}
			seq = seq_of0();
			irq_unmask();
			while (seq_of0() == seq && bench_stamp() < give_up)
				;
			irq_mask();
		} else {
			/* The virtual timer as a watchdog: with every CPU in WFI and no
			 * timer armed, QEMU (sleep=off) would wait for ever. */
			vtimer_set_deadline(give_up);
			wait_wfi(seq, give_up);
			vtimer_stop();
		}
		if (seq_of0() == seq || bench_irq_intid[0] != PL031_INTID) {
			bench_error(name, seq_of0() == seq ? "the RTC interrupt did not come"
							   : "another interrupt came");
			return 1;
		}
		if (!t0) {
			if (++retries > MAX_RETRIES) {
				bench_error(name, "the RTC count keeps ticking over during the write");
				return 1;
			}
			continue;
		}
		if (i >= warm)
			stats_add(&s, bench_irq_stamp[0] - raise);
		i++;
	}
	bench_report(name, &s, 1, warm + retries);
	return 0;
}

int bench_spi(uint64_t iters)
{
	static const uint8_t id[4] = { 0x31, 0x10, 0x14, 0x00 }; /* PL031 */
	int failed = 0;

	rtc = (uintptr_t)boot_arg_u64("spi.base", PL031_BASE);
	for (unsigned i = 0; i < 4; i++) {
		if ((mmio_read32(rtc + PL031_PERIPH_ID0 + 4 * i) & 0xff) != id[i]) {
			bench_error("spi_irq_spin", "no PL031 at spi.base");
			return 1;
		}
	}
	mmio_write32(rtc + RTCIMSC, 0);
	mmio_write32(rtc + RTCICR, 1);
	bench_irq_ack_addr = rtc + RTCICR;
	__atomic_store_n(&bench_irq_ack_intid, PL031_INTID, __ATOMIC_RELEASE);
	gic_route_spi(PL031_INTID, cpu_read_mpidr());
	gic_enable_intid(PL031_INTID);
	gic_enable_intid(TIMER_VIRT_INTID);
	mmio_write32(rtc + RTCIMSC, 1);
	bench_vectors_install();
	failed += spi_one("spi_irq_spin", true, iters);
	failed += spi_one("spi_irq_wfi", false, iters);
	bench_vectors_remove();
	mmio_write32(rtc + RTCIMSC, 0);
	mmio_write32(rtc + RTCICR, 1);
	vtimer_stop();
	gic_disable_intid(TIMER_VIRT_INTID);
	gic_disable_intid(PL031_INTID);
	__atomic_store_n(&bench_irq_ack_intid, 1023, __ATOMIC_RELEASE);
	return failed;
}
