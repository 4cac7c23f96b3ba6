/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generic timer: virtual counter and EL1 virtual timer (PPI 27).
 */
#include <testfw/test.h>

TEST(timer, counter_monotonic)
{
	uint64_t freq = timer_freq(), prev = timer_count(), start = prev;

	gprintf("  CNTFRQ_EL0 %llu Hz\n", (unsigned long long)freq);
	ASSERT_GT(freq, 0);
	for (unsigned i = 0; i < 10000; i++) {
		uint64_t now = timer_count();
		if (now < prev) {
			TEST_FAIL("counter went back from 0x%llx to 0x%llx",
				  (unsigned long long)prev, (unsigned long long)now);
			break;
		}
		prev = now;
	}
	/* It advances: 1 ms of busy waiting is about freq / 1000 ticks. */
	timer_delay_us(1000);
	EXPECT_GE(timer_count() - start, freq / 1000);
	/* No absurd value: under 2^62, i.e. not about to wrap. */
	EXPECT_LT(timer_count() >> 62, 1);
}

static volatile uint64_t fired_at;
static volatile unsigned fired_intid, fired_count;

static void on_vtimer(unsigned intid, void *arg)
{
	(void)arg;
	fired_at = timer_count();
	fired_intid = intid;
	fired_count++;
	vtimer_stop(); /* the interrupt is level-sensitive: drop it */
}

static void arm_vtimer(void)
{
	fired_at = 0;
	fired_intid = 0;
	fired_count = 0;
	irq_register(TIMER_VIRT_INTID, on_vtimer, NULL);
	gic_enable_intid(TIMER_VIRT_INTID);
}

TEST(timer, virtual)
{
	uint64_t deadline;

	arm_vtimer();
	deadline = timer_count() + timer_ms_to_ticks(10);
	vtimer_set_deadline(deadline);
	EXPECT_EQ(vtimer_ctl() & (CNT_CTL_ENABLE | CNT_CTL_IMASK), CNT_CTL_ENABLE);
	irq_unmask();
	if (!WAIT_UNTIL(fired_count != 0, 1000))
		TEST_FAIL("no virtual timer interrupt within 1 s of a 10 ms deadline "
			  "(CNTV_CTL_EL0 0x%x)", vtimer_ctl());
	irq_mask();
	gic_disable_intid(TIMER_VIRT_INTID);
	ASSERT_EQ(fired_count, 1);
	EXPECT_EQ(fired_intid, TIMER_VIRT_INTID);
	EXPECT_GE(fired_at, deadline);
	gprintf("  interrupt %llu us after the deadline\n",
		(unsigned long long)timer_ticks_to_us(fired_at - deadline));
}

/* With IMASK set the timer condition is met (ISTATUS) but no interrupt. */
TEST(timer, imask)
{
	arm_vtimer();
	write_sysreg(cntv_cval_el0, timer_count());
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	isb();
	irq_unmask();
	timer_delay_us(2000);
	EXPECT_EQ(fired_count, 0);
	EXPECT_TRUE(vtimer_ctl() & CNT_CTL_ISTATUS);
	/* Unmasking at the timer delivers it. */
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	EXPECT_TRUE(WAIT_UNTIL(fired_count != 0, 1000));
	irq_mask();
	gic_disable_intid(TIMER_VIRT_INTID);
}

/* WFI with IRQs masked still wakes up when the timer fires; the interrupt
 * is then taken once IRQs are unmasked. Hangs if the wake-up is lost. */
TEST(timer, wfi_wakeup)
{
	uint64_t deadline;

	arm_vtimer();
	deadline = timer_count() + timer_ms_to_ticks(5);
	vtimer_set_deadline(deadline);
	while (!(vtimer_ctl() & CNT_CTL_ISTATUS))
		wfi();
	EXPECT_GE(timer_count(), deadline);
	irq_unmask();
	EXPECT_TRUE(WAIT_UNTIL(fired_count != 0, 1000));
	irq_mask();
	gic_disable_intid(TIMER_VIRT_INTID);
}
