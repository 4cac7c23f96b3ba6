/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GICv3: its ID registers, and SGIs to self and between vCPUs.
 */
#include <testfw/test.h>

TEST(gic, typer)
{
	uint32_t typer = mmio_read32(GICD_BASE + GICD_TYPER);
	unsigned lines = GICD_TYPER_ITLINES(typer), n = cpu_count();

	gprintf("  GICD_TYPER 0x%08x: %u INTIDs; GICD_PIDR2 0x%x\n", typer,
		(lines + 1) * 32, mmio_read32(GICD_BASE + GICD_PIDR2));
	/* At least SPIs up to the UART's INTID 33; at most 1020 INTIDs. */
	EXPECT_GE(lines, 1);
	EXPECT_LE(lines, 31);
	EXPECT_EQ(GIC_PIDR2_ARCHREV(mmio_read32(GICD_BASE + GICD_PIDR2)), 3);

	/* One 128 KiB frame per vCPU, in vCPU order, Last on the last. */
	for (unsigned i = 0; i < n; i++) {
		uintptr_t rd = GICR_BASE + i * GICR_FRAME_SIZE;
		uint64_t t = mmio_read64(rd + GICR_TYPER);

		EXPECT_EQ(GICR_TYPER_AFF(t), gic_mpidr_to_aff(cpu_mpidr(i)));
		EXPECT_EQ(GICR_TYPER_PROC_NUM(t), i);
		EXPECT_EQ((t & GICR_TYPER_LAST) != 0, i == n - 1);
		EXPECT_EQ(GIC_PIDR2_ARCHREV(mmio_read32(rd + GICR_PIDR2)), 3);
		EXPECT_EQ(gic_redist_find(cpu_mpidr(i)), rd);
	}
	EXPECT_EQ(gic_redist_self(), GICR_BASE);
	EXPECT_EQ(gic_redist_find(0xfefefe), 0);
}

static volatile unsigned sgi_intid[GUEST_MAX_CPUS], sgi_count[GUEST_MAX_CPUS];

static void on_sgi(unsigned intid, void *arg)
{
	unsigned me = cpu_index();

	(void)arg;
	sgi_intid[me] = intid;
	sgi_count[me]++;
}

static void sgi_reset(void)
{
	for (unsigned i = 0; i < GUEST_MAX_CPUS; i++)
		sgi_intid[i] = sgi_count[i] = 0;
}

TEST(gic, sgi_self)
{
	sgi_reset();
	irq_register(1, on_sgi, NULL);
	gic_enable_intid(1);
	irq_unmask();
	gic_send_sgi(1, cpu_read_mpidr());
	EXPECT_TRUE(WAIT_UNTIL(sgi_count[0] != 0, 1000));
	EXPECT_EQ(sgi_count[0], 1);
	EXPECT_EQ(sgi_intid[0], 1);

	/* Every SGI number arrives as itself. */
	for (unsigned sgi = 0; sgi < 16; sgi++) {
		unsigned before = sgi_count[0];
		irq_register(sgi, on_sgi, NULL);
		gic_enable_intid(sgi);
		gic_send_sgi(sgi, cpu_read_mpidr());
		if (!WAIT_UNTIL(sgi_count[0] == before + 1, 1000) || sgi_intid[0] != sgi)
			TEST_FAIL("SGI %u: count %u, INTID %u", sgi, sgi_count[0] - before,
				  sgi_intid[0]);
		gic_disable_intid(sgi);
		irq_register(sgi, NULL, NULL);
	}
	irq_mask();
}

/* A disabled SGI stays pending and is delivered once enabled; one masked by
 * the priority mask is delivered once the mask is lifted. */
TEST(gic, sgi_masking)
{
	sgi_reset();
	irq_register(2, on_sgi, NULL);
	gic_disable_intid(2);
	irq_unmask();
	gic_send_sgi(2, cpu_read_mpidr());
	timer_delay_us(2000);
	EXPECT_EQ(sgi_count[0], 0);
	EXPECT_TRUE(gic_is_pending(2));
	gic_enable_intid(2);
	EXPECT_TRUE(WAIT_UNTIL(sgi_count[0] == 1, 1000));
	EXPECT_FALSE(gic_is_pending(2));

	gic_set_pmr(GIC_PRIO_DEFAULT); /* masks priority values >= 0xa0 */
	gic_send_sgi(2, cpu_read_mpidr());
	timer_delay_us(2000);
	EXPECT_EQ(sgi_count[0], 1);
	gic_set_pmr(0xff);
	EXPECT_TRUE(WAIT_UNTIL(sgi_count[0] == 2, 1000));
	irq_mask();
	gic_disable_intid(2);
}

/* vCPU 1 enables SGI 3, signals it is ready, waits for SGI 3 from vCPU 0,
 * then sends SGI 4 back. */
static volatile unsigned peer_ready;

static void sgi_peer(void *arg)
{
	(void)arg;
	irq_register(3, on_sgi, NULL);
	gic_enable_intid(3);
	irq_unmask();
	__atomic_store_n(&peer_ready, 1, __ATOMIC_RELEASE);
	if (WAIT_UNTIL(sgi_count[1] != 0, 2000))
		gic_send_sgi(4, cpu_mpidr(0));
	irq_mask();
}

TEST_SMP(gic, sgi_other, 2)
{
	sgi_reset();
	peer_ready = 0;
	irq_register(4, on_sgi, NULL);
	gic_enable_intid(4);
	irq_unmask();
	ASSERT_EQ(cpu_start(1, sgi_peer, NULL), PSCI_RET_SUCCESS);
	ASSERT_TRUE(WAIT_UNTIL(peer_ready, 1000));
	gic_send_sgi(3, cpu_mpidr(1));
	EXPECT_TRUE(WAIT_UNTIL(sgi_count[0] != 0, 2000));
	EXPECT_EQ(sgi_count[1], 1);
	EXPECT_EQ(sgi_intid[1], 3);
	EXPECT_EQ(sgi_count[0], 1);
	EXPECT_EQ(sgi_intid[0], 4);
	irq_mask();
	gic_disable_intid(4);
	EXPECT_TRUE(cpu_wait_off(1, 1000));
}

/* An SGI sent to another vCPU is not taken here. */
TEST_SMP(gic, sgi_not_self, 2)
{
	sgi_reset();
	peer_ready = 0;
	irq_register(3, on_sgi, NULL);
	irq_register(4, on_sgi, NULL);
	gic_enable_intid(3); /* enabled here too, but sent to vCPU 1 only */
	gic_enable_intid(4);
	irq_unmask();
	ASSERT_EQ(cpu_start(1, sgi_peer, NULL), PSCI_RET_SUCCESS);
	ASSERT_TRUE(WAIT_UNTIL(peer_ready, 1000));
	gic_send_sgi(3, cpu_mpidr(1));
	EXPECT_TRUE(WAIT_UNTIL(sgi_count[0] != 0, 2000));
	timer_delay_us(2000);
	EXPECT_EQ(sgi_count[0], 1); /* vCPU 1's answer, and never SGI 3 */
	EXPECT_EQ(sgi_intid[0], 4);
	EXPECT_EQ(sgi_count[1], 1);
	irq_mask();
	gic_disable_intid(3);
	gic_disable_intid(4);
	EXPECT_TRUE(cpu_wait_off(1, 1000));
}
