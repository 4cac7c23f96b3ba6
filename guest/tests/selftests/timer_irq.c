/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How the virtual timer's interrupt (PPI 27) is delivered, in the cases a
 * shortcut could get wrong: disabled while it fires, its priority changed,
 * masked by the priority mask, firing while another interrupt is active or
 * among many pending ones, on a secondary vCPU, and many times in a row.
 * Under Bulwark most timer interrupts are delivered by the exit vector
 * without entering the hypervisor's C code, and the others by the C vGIC;
 * these tests hold both to what the GIC does on bare QEMU, where they run
 * too (test/scenarios/guests_bare.py).
 */
#include <testfw/test.h>

#define SGI_OTHER 5

static volatile unsigned timer_count_seen[GUEST_MAX_CPUS];
static volatile unsigned timer_rpr;          /* ICC_RPR_EL1 in the last timer handler */
static volatile bool timer_in_other;         /* the timer came inside SGI_OTHER's handler */
static volatile bool other_running;
static volatile unsigned order[32], order_len; /* INTIDs in the order taken (vCPU 0) */

static void note(unsigned intid)
{
	if (cpu_index() == 0 && order_len < ARRAY_SIZE(order))
		order[order_len++] = intid;
}

static void on_timer(unsigned intid, void *arg)
{
	(void)arg;
	timer_rpr = (unsigned)read_sysreg(icc_rpr_el1);
	timer_in_other = other_running;
	timer_count_seen[cpu_index()]++;
	note(intid);
	vtimer_stop(); /* level-sensitive: drop it */
}

static void reset_counts(void)
{
	for (unsigned i = 0; i < GUEST_MAX_CPUS; i++)
		timer_count_seen[i] = 0;
	timer_rpr = 0;
	timer_in_other = false;
	other_running = false;
	order_len = 0;
}

/* Handler for the timer, PPI enabled at @prio. */
static void timer_setup(uint8_t prio)
{
	reset_counts();
	irq_register(TIMER_VIRT_INTID, on_timer, NULL);
	gic_set_priority(TIMER_VIRT_INTID, prio);
	gic_enable_intid(TIMER_VIRT_INTID);
}

static void timer_teardown(void)
{
	irq_mask();
	vtimer_stop();
	gic_disable_intid(TIMER_VIRT_INTID);
	gic_set_priority(TIMER_VIRT_INTID, GIC_PRIO_DEFAULT);
	irq_register(TIMER_VIRT_INTID, NULL, NULL);
}

/* Arms the timer @us ahead and waits, IRQs as they are, until its
 * condition holds (ISTATUS), then @linger_us more. */
static void fire_and_wait(uint64_t us, uint64_t linger_us)
{
	vtimer_set_deadline(timer_count() + timer_us_to_ticks(us));
	if (!WAIT_UNTIL(vtimer_ctl() & CNT_CTL_ISTATUS, 1000))
		TEST_FAIL("the timer condition did not come within 1 s");
	timer_delay_us(linger_us);
}

/* Fires the timer with IRQs unmasked and waits for its handler. */
static bool fire_once(unsigned cpu)
{
	unsigned before = timer_count_seen[cpu];

	vtimer_set_deadline(timer_count() + timer_us_to_ticks(50));
	irq_unmask();
	bool ok = WAIT_UNTIL(timer_count_seen[cpu] != before, 1000);

	irq_mask();
	return ok && timer_count_seen[cpu] == before + 1;
}

/* Many interrupts in a row, each exactly once. */
TEST(timer_irq, repeated)
{
	timer_setup(GIC_PRIO_DEFAULT);
	for (unsigned i = 0; i < 200; i++) {
		if (!fire_once(0)) {
			TEST_FAIL("interrupt %u: %u handled in all", i, timer_count_seen[0]);
			break;
		}
	}
	EXPECT_EQ(timer_count_seen[0], 200);
	timer_teardown();
}

/* Disabled at the GIC when it fires: held pending, not taken; delivered
 * exactly once when enabled again; and the next ones as usual. */
TEST(timer_irq, disabled_while_firing)
{
	timer_setup(GIC_PRIO_DEFAULT);
	ASSERT_TRUE(fire_once(0)); /* once normally first */
	gic_disable_intid(TIMER_VIRT_INTID);
	irq_unmask();
	fire_and_wait(50, 2000);
	EXPECT_EQ(timer_count_seen[0], 1);
	EXPECT_TRUE(gic_is_pending(TIMER_VIRT_INTID));
	gic_enable_intid(TIMER_VIRT_INTID);
	EXPECT_TRUE(WAIT_UNTIL(timer_count_seen[0] == 2, 1000));
	timer_delay_us(1000);
	EXPECT_EQ(timer_count_seen[0], 2);
	irq_mask();
	EXPECT_FALSE(gic_is_pending(TIMER_VIRT_INTID));
	for (unsigned i = 0; i < 5; i++)
		EXPECT_TRUE(fire_once(0));
	EXPECT_EQ(timer_count_seen[0], 7);
	/* Disabled and enabled again with nothing pending: still delivered. */
	gic_disable_intid(TIMER_VIRT_INTID);
	gic_enable_intid(TIMER_VIRT_INTID);
	EXPECT_TRUE(fire_once(0));
	timer_teardown();
}

/* Disabled when it fires, its condition then dropped and its pending state
 * cleared before it was ever taken: nothing is delivered, and the next ones
 * come as usual (the hypervisor must not keep holding the physical
 * interrupt it linked to the virtual one, or the timer never fires again). */
TEST(timer_irq, cleared_while_disabled)
{
	timer_setup(GIC_PRIO_DEFAULT);
	ASSERT_TRUE(fire_once(0));
	gic_disable_intid(TIMER_VIRT_INTID);
	fire_and_wait(50, 2000);
	vtimer_stop();
	gic_clear_pending(TIMER_VIRT_INTID);
	EXPECT_FALSE(gic_is_pending(TIMER_VIRT_INTID));
	gic_enable_intid(TIMER_VIRT_INTID);
	irq_unmask();
	timer_delay_us(1000);
	irq_mask();
	EXPECT_EQ(timer_count_seen[0], 1);
	for (unsigned i = 0; i < 5; i++)
		EXPECT_TRUE(fire_once(0));
	EXPECT_EQ(timer_count_seen[0], 6);
	timer_teardown();
}

/* The interrupt runs at the priority the guest configured, and a change
 * takes effect for the next one. */
TEST(timer_irq, priority)
{
	static const uint8_t prios[] = { 0x80, 0x40, 0xc0, 0x10, 0x80 };

	timer_setup(GIC_PRIO_DEFAULT);
	for (unsigned i = 0; i < ARRAY_SIZE(prios); i++) {
		gic_set_priority(TIMER_VIRT_INTID, prios[i]);
		for (unsigned k = 0; k < 3; k++) {
			if (!fire_once(0))
				TEST_FAIL("priority 0x%x: no interrupt", prios[i]);
			else if (timer_rpr != prios[i])
				TEST_FAIL("priority 0x%x: ran at 0x%x", prios[i], timer_rpr);
		}
	}
	timer_teardown();
}

/* Masked by ICC_PMR_EL1 when it fires: not taken until the mask is
 * lifted, then exactly once. */
TEST(timer_irq, priority_mask)
{
	timer_setup(0xa0);
	ASSERT_TRUE(fire_once(0));
	gic_set_pmr(0xa0); /* masks priority values >= 0xa0 */
	irq_unmask();
	fire_and_wait(50, 2000);
	EXPECT_EQ(timer_count_seen[0], 1);
	gic_set_pmr(0xff);
	EXPECT_TRUE(WAIT_UNTIL(timer_count_seen[0] == 2, 1000));
	timer_delay_us(1000);
	EXPECT_EQ(timer_count_seen[0], 2);
	/* A priority above the mask is taken with the mask in place. */
	gic_set_priority(TIMER_VIRT_INTID, 0x80);
	gic_set_pmr(0xa0);
	EXPECT_TRUE(fire_once(0));
	gic_set_pmr(0xff);
	timer_teardown();
}

/* In SGI_OTHER's handler: arm the timer, let it fire, unmask IRQs for a
 * while (nested interrupts allowed), mask again and return. */
static void on_other(unsigned intid, void *arg)
{
	(void)arg;
	note(intid);
	other_running = true;
	fire_and_wait(50, 500);
	irq_unmask();
	timer_delay_us(2000);
	irq_mask();
	other_running = false;
}

static void other_setup(uint8_t prio)
{
	irq_register(SGI_OTHER, on_other, NULL);
	gic_set_priority(SGI_OTHER, prio);
	gic_enable_intid(SGI_OTHER);
}

static void other_teardown(void)
{
	gic_disable_intid(SGI_OTHER);
	gic_set_priority(SGI_OTHER, GIC_PRIO_DEFAULT);
	irq_register(SGI_OTHER, NULL, NULL);
}

/* The timer fires while a higher-priority interrupt is active: it waits
 * for that one's end, even with IRQs unmasked in its handler. */
TEST(timer_irq, behind_active)
{
	timer_setup(0xc0);
	other_setup(0x40);
	irq_unmask();
	gic_send_sgi(SGI_OTHER, cpu_read_mpidr());
	EXPECT_TRUE(WAIT_UNTIL(timer_count_seen[0] == 1, 1000));
	irq_mask();
	EXPECT_FALSE(timer_in_other);
	ASSERT_EQ(order_len, 2);
	EXPECT_EQ(order[0], SGI_OTHER);
	EXPECT_EQ(order[1], TIMER_VIRT_INTID);
	EXPECT_EQ(timer_rpr, 0xc0);
	other_teardown();
	timer_teardown();
}

/* The timer fires while a lower-priority interrupt is active, IRQs
 * unmasked in its handler: it preempts it. */
TEST(timer_irq, preempts_active)
{
	timer_setup(0x40);
	other_setup(0xc0);
	irq_unmask();
	gic_send_sgi(SGI_OTHER, cpu_read_mpidr());
	EXPECT_TRUE(WAIT_UNTIL(timer_count_seen[0] == 1 && !other_running, 1000));
	irq_mask();
	EXPECT_TRUE(timer_in_other);
	ASSERT_EQ(order_len, 2);
	EXPECT_EQ(order[0], SGI_OTHER);
	EXPECT_EQ(order[1], TIMER_VIRT_INTID);
	other_teardown();
	timer_teardown();
}

static volatile unsigned sgi_seen[16];

static void on_sgi(unsigned intid, void *arg)
{
	(void)arg;
	sgi_seen[intid]++;
	note(intid);
}

/* Sixteen SGIs and the timer pending at once, more than there are list
 * registers: each is taken exactly once, and by priority. SGI s has
 * priority @sgi_prio + s * @sgi_step (with a step of 0 they are equal, and
 * the GIC may take them in any order). Returns the timer's position. */
static unsigned many_pending(uint8_t timer_prio, uint8_t sgi_prio, uint8_t sgi_step)
{
	unsigned timer_at = 17;

	timer_setup(timer_prio);
	for (unsigned s = 0; s < 16; s++) {
		sgi_seen[s] = 0;
		irq_register(s, on_sgi, NULL);
		gic_set_priority(s, (uint8_t)(sgi_prio + s * sgi_step));
		gic_enable_intid(s);
	}
	for (unsigned s = 0; s < 16; s++)
		gic_send_sgi(s, cpu_read_mpidr());
	fire_and_wait(50, 500);
	irq_unmask();
	EXPECT_TRUE(WAIT_UNTIL(order_len == 17, 1000));
	timer_delay_us(1000);
	irq_mask();
	EXPECT_EQ(order_len, 17);
	EXPECT_EQ(timer_count_seen[0], 1);
	for (unsigned s = 0; s < 16; s++)
		if (sgi_seen[s] != 1)
			TEST_FAIL("SGI %u taken %u times", s, sgi_seen[s]);
	for (unsigned i = 0, prev = 0; i < order_len; i++) {
		unsigned prio = order[i] == TIMER_VIRT_INTID ? timer_prio
							      : sgi_prio + order[i] * sgi_step;

		if (order[i] == TIMER_VIRT_INTID)
			timer_at = i;
		if (i && prio < prev)
			TEST_FAIL("INTID %u (priority 0x%x) taken after priority 0x%x", order[i],
				  prio, prev);
		prev = prio;
	}
	for (unsigned s = 0; s < 16; s++) {
		gic_disable_intid(s);
		gic_set_priority(s, GIC_PRIO_DEFAULT);
		irq_register(s, NULL, NULL);
	}
	timer_teardown();
	return timer_at;
}

TEST(timer_irq, many_pending_timer_last)
{
	EXPECT_EQ(many_pending(0xc0, 0x80, 0), 16);
}

TEST(timer_irq, many_pending_timer_first)
{
	EXPECT_EQ(many_pending(0x40, 0x80, 0), 0);
}

/* Priorities 0x00, 0x10, ... 0xf0 for SGIs 0-15, the timer's between
 * SGI 4 and SGI 5: the exact order. (0xf8 would be masked by a priority
 * mask of 0xff on a CPU interface with 5 priority bits.) */
TEST(timer_irq, many_pending_by_priority)
{
	EXPECT_EQ(many_pending(0x48, 0x00, 0x10), 5);
}

/* vCPU 1's own timer (PPI 27 is banked per vCPU), through CPU_OFF and a
 * second CPU_ON. */
static volatile unsigned secondary_result;

static void secondary(void *arg)
{
	(void)arg;
	gic_set_priority(TIMER_VIRT_INTID, 0x60);
	gic_enable_intid(TIMER_VIRT_INTID);
	unsigned ok = 0;

	for (unsigned i = 0; i < 20; i++)
		ok += fire_once(1);
	if (timer_rpr != 0x60)
		ok = 0;
	vtimer_stop();
	gic_disable_intid(TIMER_VIRT_INTID);
	gic_set_priority(TIMER_VIRT_INTID, GIC_PRIO_DEFAULT);
	__atomic_store_n(&secondary_result, ok + 1, __ATOMIC_RELEASE);
}

TEST_SMP(timer_irq, secondary, 2)
{
	timer_setup(GIC_PRIO_DEFAULT);
	for (unsigned round = 0; round < 2; round++) {
		secondary_result = 0;
		ASSERT_EQ(cpu_start(1, secondary, NULL), PSCI_RET_SUCCESS);
		EXPECT_TRUE(WAIT_UNTIL(__atomic_load_n(&secondary_result, __ATOMIC_ACQUIRE), 2000));
		EXPECT_EQ(secondary_result, 21);
		EXPECT_TRUE(cpu_wait_off(1, 1000));
	}
	EXPECT_EQ(timer_count_seen[0], 0); /* vCPU 0's own timer never fired */
	EXPECT_EQ(timer_count_seen[1], 40);
	timer_teardown();
}
