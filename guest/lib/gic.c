/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GICv3: distributor, redistributors and the system-register CPU interface.
 */
#include <guest/guest.h>

#define GICR_MAX_FRAMES 256
#define RWP_TIMEOUT_MS 100

/* The distributor and the first redistributor frame (platform.h), fixed
 * by `gic_init()` on vCPU 0 before any other vCPU runs. */
static uintptr_t gicd = PLATFORM_DEFAULT_GICD;
static uintptr_t gicr = PLATFORM_DEFAULT_GICR;

/* RD_base of each vCPU's redistributor, set by the vCPU itself. */
static uintptr_t redist[GUEST_MAX_CPUS];

static void gicd_wait_rwp(void)
{
	WAIT_UNTIL(!(mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP), RWP_TIMEOUT_MS);
}

static void gicr_wait_rwp(uintptr_t rd)
{
	WAIT_UNTIL(!(mmio_read32(rd + GICR_CTLR) & GICR_CTLR_RWP), RWP_TIMEOUT_MS);
}

unsigned gic_intid_count(void)
{
	unsigned n = (GICD_TYPER_ITLINES(mmio_read32(gicd + GICD_TYPER)) + 1) * 32;
	return n < GIC_MAX_INTID ? n : GIC_MAX_INTID;
}

uintptr_t gic_dist_base(void)
{
	return gicd;
}

void gic_init(void)
{
	unsigned n;
	uint64_t self = cpu_read_mpidr();

	gicd = platform_gicd_base();
	gicr = platform_gicr_base();
	n = gic_intid_count();

	mmio_write32(gicd + GICD_CTLR, 0);
	gicd_wait_rwp();
	for (unsigned i = 32; i < n; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ~0u);
		mmio_write32(gicd + GICD_ICACTIVER + i / 8, ~0u);
		mmio_write32(gicd + GICD_IGROUPR + i / 8, ~0u);
	}
	for (unsigned i = 32; i < n; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, GIC_PRIO_DEFAULT * 0x01010101u);
	for (unsigned i = 32; i < n; i++)
		gic_route_spi(i, self);
	gicd_wait_rwp();
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE);
	gicd_wait_rwp();
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	gicd_wait_rwp();
}

uintptr_t gic_redist_find(uint64_t mpidr)
{
	uint32_t want = gic_mpidr_to_aff(mpidr);
	uintptr_t rd = gicr;

	for (unsigned i = 0; i < GICR_MAX_FRAMES; i++) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);
		if (GICR_TYPER_AFF(typer) == want)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
		/* GICv4 redistributors with VLPIs have two more 64 KiB frames. */
		rd += (typer & GICR_TYPER_VLPIS) ? 2 * GICR_FRAME_SIZE : GICR_FRAME_SIZE;
	}
	return 0;
}

uintptr_t gic_redist_self(void)
{
	return redist[cpu_index()];
}

bool gic_cpu_init(void)
{
	uintptr_t rd = gic_redist_find(cpu_read_mpidr()), sgi;
	uint32_t waker;

	if (rd == 0)
		return false;
	redist[cpu_index()] = rd;
	sgi = rd + GICR_SGI_OFFSET;

	waker = mmio_read32(rd + GICR_WAKER);
	mmio_write32(rd + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
	WAIT_UNTIL(!(mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP),
		   RWP_TIMEOUT_MS);

	mmio_write32(sgi + GICR_ICENABLER0, ~0u);
	mmio_write32(sgi + GICR_ICPENDR0, ~0u);
	mmio_write32(sgi + GICR_ICACTIVER0, ~0u);
	mmio_write32(sgi + GICR_IGROUPR0, ~0u);
	for (unsigned i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + i, GIC_PRIO_DEFAULT * 0x01010101u);
	gicr_wait_rwp(rd);

	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1); /* SRE */
	isb();
	if (!(read_sysreg(icc_sre_el1) & 1))
		return false;
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, 0); /* EOImode 0: EOIR drops priority and deactivates */
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
	return true;
}

/* Register `reg` (a 1-bit-per-INTID bank) of the frame owning `intid`. */
static uintptr_t bit_reg(unsigned intid, unsigned gicd_reg, unsigned gicr_reg)
{
	if (intid < 32)
		return gic_redist_self() + GICR_SGI_OFFSET + gicr_reg;
	return gicd + gicd_reg + (intid / 32) * 4;
}

static void wait_rwp_for(unsigned intid)
{
	if (intid < 32)
		gicr_wait_rwp(gic_redist_self());
	else
		gicd_wait_rwp();
}

void gic_enable_intid(unsigned intid)
{
	mmio_write32(bit_reg(intid, GICD_ISENABLER, GICR_ISENABLER0), 1u << (intid % 32));
	wait_rwp_for(intid);
}

void gic_disable_intid(unsigned intid)
{
	mmio_write32(bit_reg(intid, GICD_ICENABLER, GICR_ICENABLER0), 1u << (intid % 32));
	wait_rwp_for(intid);
}

bool gic_is_pending(unsigned intid)
{
	return mmio_read32(bit_reg(intid, GICD_ISPENDR, GICR_ISPENDR0)) & (1u << (intid % 32));
}

void gic_clear_pending(unsigned intid)
{
	mmio_write32(bit_reg(intid, GICD_ICPENDR, GICR_ICPENDR0), 1u << (intid % 32));
}

void gic_set_priority(unsigned intid, uint8_t prio)
{
	uintptr_t reg = intid < 32 ? gic_redist_self() + GICR_SGI_OFFSET + GICR_IPRIORITYR
				   : gicd + GICD_IPRIORITYR;
	unsigned shift = (intid % 4) * 8;
	uint32_t v;

	/* Word access: byte accesses are allowed, but not every emulation has them. */
	reg += intid & ~3u;
	v = mmio_read32(reg);
	v = (v & ~(0xffu << shift)) | ((uint32_t)prio << shift);
	mmio_write32(reg, v);
}

void gic_route_spi(unsigned intid, uint64_t mpidr)
{
	/* GICD_IROUTER has MPIDR's layout: Aff3 at [39:32], IRM (0) at 31. */
	mmio_write64(gicd + GICD_IROUTER + 8 * intid, mpidr & MPIDR_AFF_MASK);
}

void gic_send_sgi(unsigned intid, uint64_t mpidr)
{
	uint64_t aff0 = mpidr & 0xff;
	uint64_t v = ((mpidr >> 32) & 0xff) << 48 |	/* Aff3 */
		     (aff0 / 16) << 44 |		/* RS: range of 16 Aff0 values */
		     ((mpidr >> 16) & 0xff) << 32 |	/* Aff2 */
		     (uint64_t)(intid & 0xf) << 24 |
		     ((mpidr >> 8) & 0xff) << 16 |	/* Aff1 */
		     1ULL << (aff0 % 16);		/* TargetList */

	dsb(ishst); /* make earlier writes visible to the target first */
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}

void gic_set_pmr(uint8_t pmr)
{
	write_sysreg(icc_pmr_el1, pmr);
	isb();
}

uint32_t gic_ack(void)
{
	uint32_t iar = (uint32_t)read_sysreg(icc_iar1_el1);
	dsb(sy);
	return iar;
}

void gic_eoi(uint32_t iar)
{
	write_sysreg(icc_eoir1_el1, iar);
	isb();
}
