/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GIC probes: distributor and redistributor registers of interrupts and
 * vCPUs that are not the VM's, SGIs aimed outside it, and the
 * system-register CPU interface used in ways it should not be. The victim
 * counts every interrupt it did not ask for; here the attacker also checks
 * that whatever it sent to nobody did not come back to itself.
 */
#include "attacker.h"

#define GICD_SGIR 0x0f00
#define GICD_SETSPI_NSR 0x0040
#define GICD_CLRSPI_NSR 0x0048
#define GICD_ISACTIVER 0x0300
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define GICR_SETLPIR 0x0040
#define GICR_INVALLR 0x00b0

#define SGI1R(intid, tl) ((uint64_t)(intid) << 24 | (tl))
#define SGI1R_AFF1(a) ((uint64_t)(a) << 16)
#define SGI1R_AFF2(a) ((uint64_t)(a) << 32)
#define SGI1R_AFF3(a) ((uint64_t)(a) << 48)
#define SGI1R_RS(r) ((uint64_t)(r) << 44)
#define SGI1R_IRM (1ULL << 40)

static void enable_sgis(void)
{
	for (unsigned i = 0; i < 16; i++)
		gic_enable_intid(i);
}

static void sgi1r(uint64_t v)
{
	dsb(ishst);
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}

/* After the SGIs sent to nobody: none came back; then one to itself does. */
static void sgi_epilogue(struct probe_ctx *c, unsigned sent)
{
	irq_window(50);
	note(c, "%u SGIs sent", sent);
	expect_eq(c, "IRQs taken by itself", irq_seen_total(), 0);
	irq_count_reset();
	sgi1r(SGI1R(1, 1));
	irq_window(20);
	expect_eq(c, "control: SGI 1 to itself taken", irq_seen(1), 1);
}

bool probe_gic_spi_beyond(struct probe_ctx *c)
{
	static const struct { const char *name; uint32_t off; } bitregs[] = {
		{ "IGROUPR", 0x080 }, { "ISENABLER", 0x100 }, { "ISPENDR", 0x200 },
		{ "ISACTIVER", 0x300 },
	};
	unsigned checked = 0, wrong = 0;
	uint32_t typer = mmio_read32(GICD_BASE + GICD_TYPER);

	expect_eq(c, "GICD_TYPER.ITLinesNumber", typer & 0x1f, 7);
	for (size_t r = 0; r < ARRAY_SIZE(bitregs); r++) {
		for (unsigned n = 8; n < 32; n++) { /* INTIDs 256-1023 */
			uintptr_t a = GICD_BASE + bitregs[r].off + 4 * n;

			mmio_write32(a, ~0u);
			checked++;
			if (mmio_read32(a) != 0) {
				if (!wrong++)
					fail(c, "%s%u reads 0x%x", bitregs[r].name, n, mmio_read32(a));
			}
		}
	}
	for (unsigned i = 256; i < 1020; i += 4) {
		uintptr_t a = GICD_BASE + GICD_IPRIORITYR + i;

		mmio_write32(a, 0x80808080);
		checked++;
		if (mmio_read32(a) != 0 && !wrong++)
			fail(c, "IPRIORITYR(%u) reads 0x%x", i, mmio_read32(a));
	}
	for (unsigned n = 16; n < 64; n++) {
		uintptr_t a = GICD_BASE + GICD_ICFGR + 4 * n;

		mmio_write32(a, 0xaaaaaaaa);
		checked++;
		if (mmio_read32(a) != 0 && !wrong++)
			fail(c, "ICFGR%u reads 0x%x", n, mmio_read32(a));
	}
	for (unsigned i = 256; i < 1020; i++) {
		uintptr_t a = GICD_BASE + GICD_IROUTER + 8 * i;

		st64(a, 0);
		checked++;
		if (mmio_read64(a) != 0 && !wrong++)
			fail(c, "IROUTER(%u) reads 0x%llx", i, (unsigned long long)mmio_read64(a));
	}
	note(c, "%u registers of INTIDs 256-1019 written, %u read non-zero", checked, wrong);
	irq_window(30);
	expect_eq(c, "IRQs taken", irq_seen_total(), 0);
	return c->ok;
}

bool probe_gic_spi_own(struct probe_ctx *c)
{
	unsigned wrong = 0;

	for (unsigned n = 1; n < 8; n++) {
		mmio_write32(GICD_BASE + GICD_ISENABLER + 4 * n, ~0u);
		mmio_write32(GICD_BASE + GICD_ISPENDR + 4 * n, ~0u);
	}
	gprintf("PROBE %s: 224 SPIs pending, unmasking IRQs\n", c->name);
	irq_window(100);
	for (unsigned i = 32; i < 256; i++)
		if (irq_seen(i) != 1 && !wrong++)
			fail(c, "SPI %u taken %u times", i, irq_seen(i));
	note(c, "%u SPIs set pending, %u taken by itself", 224u, irq_seen_total());
	expect_eq(c, "SPIs taken other than once", wrong, 0);
	return c->ok;
}

/* More interrupts pending at once than the CPU has list registers (4 on
 * QEMU): the hypervisor must feed them in as the guest takes them. */
bool probe_gic_lr_overflow(struct probe_ctx *c)
{
	enable_sgis();
	for (unsigned i = 0; i < 16; i++)
		sgi1r(SGI1R(i, 1));
	gprintf("PROBE %s: 16 SGIs pending, unmasking IRQs\n", c->name);
	irq_window(50);
	for (unsigned i = 0; i < 16; i++)
		if (irq_seen(i) != 1)
			fail(c, "SGI %u taken %u times", i, irq_seen(i));
	note(c, "16 SGIs pending at once, %u taken", irq_seen_total());
	return c->ok;
}

bool probe_gic_irouter_foreign(struct probe_ctx *c)
{
	static const uint64_t routes[] = {
		0x5, 0xff, 0x100, 0x10000, 0x100000000ULL, 0xff00ffffffULL, 1ULL << 31,
		1ULL << 31 | 1, 0xffffffffffffffffULL,
	};
	uintptr_t r40 = GICD_BASE + GICD_IROUTER + 8 * 40;
	unsigned wrong = 0;

	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		st64(r40, routes[i]);
		if (mmio_read64(r40) != 0 && !wrong++)
			fail(c, "IROUTER(40) = 0x%llx reads 0x%llx", (unsigned long long)routes[i],
			     (unsigned long long)mmio_read64(r40));
	}
	mmio_write32(r40, 1);          /* low half: Aff0 1 */
	mmio_write32(r40 + 4, 1);      /* high half: Aff3 1 */
	if (mmio_read64(r40) != 0 && !wrong++)
		fail(c, "32-bit halves: reads 0x%llx", (unsigned long long)mmio_read64(r40));
	note(c, "%u routes outside the VM written, %u read back other than vCPU 0",
	     (unsigned)ARRAY_SIZE(routes) + 1, wrong);
	gic_enable_intid(40);
	mmio_write32(GICD_BASE + GICD_ISPENDR + 4, 1u << 8);
	irq_window(30);
	expect_eq(c, "SPI 40 taken by itself", irq_seen(40), 1);
	return c->ok;
}

bool probe_gic_sgi_targetlist(struct probe_ctx *c)
{
	unsigned sent = 0;

	enable_sgis();
	for (unsigned i = 0; i < 16; i++, sent++)
		sgi1r(SGI1R(i, 0xfffe)); /* vCPUs 1-15: it has only vCPU 0 */
	for (unsigned rs = 1; rs < 16; rs++, sent++)
		sgi1r(SGI1R(2, 0xffff) | SGI1R_RS(rs)); /* vCPUs 16-255 */
	sgi_epilogue(c, sent);
	return c->ok;
}

bool probe_gic_sgi_affinity(struct probe_ctx *c)
{
	static const uint64_t aff[] = {
		SGI1R_AFF1(1), SGI1R_AFF1(0xff), SGI1R_AFF2(1), SGI1R_AFF2(0xff), SGI1R_AFF3(1),
		SGI1R_AFF3(0xff), SGI1R_AFF1(1) | SGI1R_AFF2(1) | SGI1R_AFF3(1),
	};
	unsigned sent = 0;

	enable_sgis();
	for (size_t i = 0; i < ARRAY_SIZE(aff); i++)
		for (unsigned id = 0; id < 16; id += 5, sent++)
			sgi1r(SGI1R(id, 0xffff) | aff[i]);
	sgi_epilogue(c, sent);
	return c->ok;
}

bool probe_gic_sgi_broadcast(struct probe_ctx *c)
{
	unsigned sent = 0;

	enable_sgis();
	for (unsigned id = 0; id < 16; id++, sent++)
		sgi1r(SGI1R(id, 0) | SGI1R_IRM);
	/* IRM with every other field set too. */
	sgi1r(SGI1R(3, 0xffff) | SGI1R_IRM | SGI1R_AFF1(0xff) | SGI1R_AFF2(0xff) |
	      SGI1R_AFF3(0xff) | SGI1R_RS(0xf));
	sent++;
	sgi_epilogue(c, sent);
	return c->ok;
}

bool probe_gic_icc_sgi0r(struct probe_ctx *c)
{
	unsigned sent = 0;

	enable_sgis();
	trap_begin();
	for (unsigned id = 0; id < 16; id += 3) {
		__asm__ volatile("msr s3_0_c12_c11_7, %0" : : "r"(SGI1R(id, 0xffff)) : "memory");
		__asm__ volatile("msr s3_0_c12_c11_7, %0" : : "r"(SGI1R(id, 0) | SGI1R_IRM) : "memory");
		__asm__ volatile("msr s3_0_c12_c11_6, %0" : : "r"(SGI1R(id, 0xffff)) : "memory");
		__asm__ volatile("msr s3_0_c12_c11_6, %0" : : "r"(SGI1R(id, 0) | SGI1R_IRM) : "memory");
		sent += 4;
	}
	isb();
	trap_end();
	expect_eq(c, "exceptions", trap.count, 0);
	note(c, "ICC_SGI0R_EL1 and ICC_ASGI1R_EL1 written");
	sgi_epilogue(c, sent);
	return c->ok;
}

bool probe_gic_icc_sre(struct probe_ctx *c)
{
	uint64_t before = read_sysreg(icc_sre_el1), after;

	trap_begin();
	write_sysreg(icc_sre_el1, 0);
	isb();
	after = read_sysreg(icc_sre_el1);
	trap_end();
	note(c, "ICC_SRE_EL1 0x%llx, after writing 0: 0x%llx", (unsigned long long)before,
	     (unsigned long long)after);
	expect_eq(c, "exceptions", trap.count, 0);
	expect_eq(c, "SRE", after & 1, 1);
	enable_sgis();
	sgi_epilogue(c, 0);
	return c->ok;
}

bool probe_gic_icc_dir_pmr(struct probe_ctx *c)
{
	static const uint64_t ids[] = { 1, 5, 27, 30, 33, 40, 255, 256, 1020, 1023, 0xffffff };

	enable_sgis();
	trap_begin();
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		write_sysreg(icc_eoir1_el1, ids[i]);   /* never acknowledged */
		write_sysreg(icc_dir_el1, ids[i]);     /* not active */
	}
	write_sysreg(icc_ctlr_el1, 2);                 /* EOImode 1 */
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		write_sysreg(icc_dir_el1, ids[i]);
	write_sysreg(icc_ctlr_el1, 0);
	write_sysreg(icc_pmr_el1, 0);
	write_sysreg(icc_bpr1_el1, 7);
	write_sysreg(icc_ap1r0_el1, 0xffffffff);       /* claims every priority active */
	write_sysreg(icc_ap1r0_el1, 0);
	write_sysreg(icc_bpr1_el1, 0);
	isb();
	(void)read_sysreg(icc_iar1_el1);               /* nothing pending: 1023 */
	(void)read_sysreg(icc_hppir1_el1);
	(void)read_sysreg(icc_rpr_el1);
	trap_end();
	expect_eq(c, "exceptions", trap.count, 0);
	/* PMR 0 masks everything: an SGI to itself waits. */
	sgi1r(SGI1R(4, 1));
	irq_window(20);
	expect_eq(c, "SGI 4 taken with PMR 0", irq_seen(4), 0);
	write_sysreg(icc_pmr_el1, 0xff);
	isb();
	irq_window(20);
	expect_eq(c, "SGI 4 taken after PMR 0xff", irq_seen(4), 1);
	irq_count_reset();
	sgi_epilogue(c, 0);
	return c->ok;
}

bool probe_gic_lpi(struct probe_ctx *c)
{
	uintptr_t rd = gic_redist_self();

	expect_eq(c, "GICD_TYPER.LPIS", (mmio_read32(GICD_BASE + GICD_TYPER) >> 17) & 1, 0);
	expect_eq(c, "GICR_TYPER.PLPIS", mmio_read64(rd + GICR_TYPER) & 1, 0);
	trap_begin();
	st64(rd + GICR_PROPBASER, 0x40200000 | 0xf);  /* tables on the hypervisor's PA */
	st64(rd + GICR_PENDBASER, 0x40000000);
	mmio_write32(rd + GICR_CTLR, 1);                       /* EnableLPIs */
	st64(rd + GICR_SETLPIR, 8192);
	st64(rd + GICR_INVALLR, 0);
	expect_eq(c, "GICR_CTLR", mmio_read32(rd + GICR_CTLR), 0);
	expect_eq(c, "GICR_PROPBASER", mmio_read64(rd + GICR_PROPBASER), 0);
	expect_eq(c, "GICR_PENDBASER", mmio_read64(rd + GICR_PENDBASER), 0);
	trap_end();
	expect_eq(c, "exceptions", trap.count, 0);
	irq_window(30);
	expect_eq(c, "IRQs taken", irq_seen_total(), 0);
	return c->ok;
}

bool probe_gic_legacy(struct probe_ctx *c)
{
	uint32_t ctlr = mmio_read32(GICD_BASE + GICD_CTLR);

	enable_sgis();
	gic_enable_intid(40);
	trap_begin();
	mmio_write32(GICD_BASE + GICD_SGIR, 1u << 24 | 3);         /* all but self, SGI 3 */
	mmio_write32(GICD_BASE + GICD_SGIR, 0xffu << 16 | 5);      /* CPUs 0-7, SGI 5 */
	mmio_write32(GICD_BASE + GICD_SGIR, 2u << 24 | 6);         /* self, SGI 6 */
	mmio_write32(GICD_BASE + GICD_SETSPI_NSR, 40);             /* message-based SPI */
	mmio_write32(GICD_BASE + GICD_SETSPI_NSR, 300);
	mmio_write32(GICD_BASE + GICD_CLRSPI_NSR, 40);
	mmio_write32(GICD_BASE + GICD_CTLR, 0);                    /* ARE off? */
	expect_eq(c, "GICD_CTLR.ARE after writing 0", (mmio_read32(GICD_BASE + GICD_CTLR) >> 4) & 1, 1);
	mmio_write32(GICD_BASE + GICD_CTLR, ctlr);
	trap_end();
	expect_eq(c, "exceptions", trap.count, 0);
	expect_eq(c, "SPI 40 pending", gic_is_pending(40), 0);
	sgi_epilogue(c, 3);
	return c->ok;
}

bool probe_gic_redist_beyond(struct probe_ctx *c)
{
	unsigned wrong = 0;
	uint64_t typer0 = mmio_read64(GICR_BASE + GICR_TYPER);

	expect_eq(c, "frame 0 GICR_TYPER.Last", (typer0 >> 4) & 1, 1);
	trap_begin();
	for (unsigned f = 1; f < 8; f++) {
		uintptr_t rd = GICR_BASE + f * GICR_FRAME_SIZE, sgi = rd + GICR_SGI_OFFSET;

		mmio_write32(rd + GICR_WAKER, 0);
		mmio_write32(sgi + GICR_ISENABLER0, ~0u);
		mmio_write32(sgi + GICR_ISPENDR0, ~0u);
		mmio_write32(sgi + GICR_IPRIORITYR, 0);
		if ((mmio_read64(rd + GICR_TYPER) | mmio_read32(rd + GICR_WAKER) |
		     mmio_read32(sgi + GICR_ISENABLER0) | mmio_read32(sgi + GICR_ISPENDR0) |
		     mmio_read32(rd + GICR_PIDR2)) != 0 && !wrong++)
			fail(c, "frame %u reads non-zero", f);
	}
	trap_end();
	note(c, "frames 1-7 written; %u read non-zero", wrong);
	expect_eq(c, "exceptions", trap.count, 0);
	irq_window(30);
	expect_eq(c, "IRQs taken", irq_seen_total(), 0);
	return c->ok;
}

bool probe_gic_redist_past_window(struct probe_ctx *c)
{
	uintptr_t a = GICR_BASE + 8 * GICR_FRAME_SIZE + GICR_TYPER;

	gprintf("PROBE %s: reading 0x%lx\n", c->name, (unsigned long)a);
	note(c, "read 0x%llx", (unsigned long long)mmio_read64(a));
	return expect_stop_after(c, "a read of redistributor frame 8");
}
