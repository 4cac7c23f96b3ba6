/* SPDX-License-Identifier: Apache-2.0 */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/drivers/gicv3_regs.h>
#include <bulwark/arch/boot.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/console.h>
#include <bulwark/drivers/gicv3.h>

#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)

#define GICR_FRAME 0x20000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)
#define WAKER_PS (1u << 1)
#define WAKER_CA (1u << 2)

#define PRIO_DEFAULT 0xa0

static uintptr_t dist;
static const struct hw_desc *hw;
static uintptr_t rdist[BULWARK_MAX_CPUS]; /* by CPU index */

static inline uint32_t rd32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void wr32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t rd64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void wr64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline void wr8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }


static void dist_wait(void)
{
	while (rd32(dist + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

unsigned gic_spi_count(void)
{
	unsigned lines = ((rd32(dist + GICD_TYPER) & 0x1f) + 1) * 32;

	return MIN(lines, 1020U) - 32;
}

void gic_init(const struct hw_desc *desc)
{
	hw = desc;
	dist = desc->gic.dist.base;
	wr32(dist + GICD_CTLR, 0);
	dist_wait();
	unsigned end = 32 + gic_spi_count();

	for (unsigned i = 32; i < end; i += 32) {
		wr32(dist + GICD_ICENABLER + i / 8, 0xffffffff);
		wr32(dist + GICD_ICPENDR + i / 8, 0xffffffff);
		wr32(dist + GICD_ICACTIVER + i / 8, 0xffffffff);
		wr32(dist + GICD_IGROUPR + i / 8, 0xffffffff);
	}
	for (unsigned i = 32; i < end; i++)
		wr8(dist + GICD_IPRIORITYR + i, PRIO_DEFAULT);
	dist_wait();
	wr32(dist + GICD_CTLR, GICD_CTLR_ARE);
	dist_wait();
	wr32(dist + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	dist_wait();
}

static uintptr_t find_rdist(uint64_t hwid)
{
	uint32_t aff = (uint32_t)((hwid & 0xffffff) | ((hwid >> 8) & 0xff000000));

	for (unsigned r = 0; r < hw->gic.redist_count; r++) {
		for (uint64_t off = 0; off + 2 * GICR_SGI <= hw->gic.redist[r].size; off += GICR_FRAME) {
			uintptr_t f = hw->gic.redist[r].base + off;
			uint64_t typer = rd64(f + GICR_TYPER);

			if ((uint32_t)(typer >> 32) == aff)
				return f;
			if (typer & (1u << 4)) /* Last */
				break;
		}
	}
	return 0;
}

bool gic_init_cpu(void)
{
	unsigned me = arch_cpu_index();
	uintptr_t rd = find_rdist(arch_cpu_hwid());

	if (!rd)
		return false;
	rdist[me] = rd;
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~WAKER_PS);
	while (rd32(rd + GICR_WAKER) & WAKER_CA)
		;
	wr32(rd + GICR_ICENABLER0, 0xffffffff);
	wr32(rd + GICR_ICACTIVER0, 0xffffffff);
	wr32(rd + GICR_IGROUPR0, 0xffffffff);
	for (unsigned i = 0; i < 32; i++)
		wr8(rd + GICR_IPRIORITYR + i, PRIO_DEFAULT);

	/* System-register interface at EL2 and for EL1 (ICC_SRE_EL2.Enable). */
	MSR("s3_4_c12_c9_5", MRS("s3_4_c12_c9_5") | 0x9); /* ICC_SRE_EL2: SRE, Enable */
	__asm__ volatile("isb");
	MSR("s3_0_c4_c6_0", 0xff);                 /* ICC_PMR_EL1 */
	MSR("s3_0_c12_c12_4", 1u << 1);            /* ICC_CTLR_EL1: EOImode = 1 */
	MSR("s3_0_c12_c12_7", 1);                  /* ICC_IGRPEN1_EL1 */
	__asm__ volatile("isb");
	gic_ppi_enable(GIC_SGI_KICK, true);
	return true;
}

uint32_t gic_ack(void)
{
	uint32_t intid = (uint32_t)MRS("s3_0_c12_c12_0") & 0xffffff; /* ICC_IAR1_EL1 */

	__asm__ volatile("dsb sy" ::: "memory");
	return intid;
}

void gic_eoi(uint32_t intid)
{
	MSR("s3_0_c12_c12_1", intid); /* ICC_EOIR1_EL1 */
	__asm__ volatile("isb");
}

void gic_deactivate(uint32_t intid)
{
	MSR("s3_0_c12_c11_1", intid); /* ICC_DIR_EL1 */
	__asm__ volatile("isb");
}

void gic_send_sgi(uint64_t hwid, unsigned sgi)
{
	uint64_t v = ((hwid >> 8) & 0xff) << 16 | ((hwid >> 16) & 0xff) << 32 |
		     ((hwid >> 32) & 0xff) << 48 | (uint64_t)(sgi & 0xf) << 24 |
		     (1ULL << (hwid & 0xf));

	/* Aff0 above 15 needs the range selector. */
	v |= ((hwid & 0xff) >> 4) << 44;
	__asm__ volatile("dsb ishst" ::: "memory");
	MSR("s3_0_c12_c11_5", v); /* ICC_SGI1R_EL1 */
	__asm__ volatile("isb");
}

void gic_ppi_enable(uint32_t intid, bool enable)
{
	uintptr_t rd = rdist[arch_cpu_index()];

	wr32(rd + (enable ? GICR_ISENABLER0 : GICR_ICENABLER0), 1u << intid);
}

void gic_ppi_deactivate(uint32_t intid)
{
	gic_ppi_deactivate_on(arch_cpu_index(), intid);
}

void gic_ppi_deactivate_on(unsigned cpu, uint32_t intid)
{
	if (cpu < BULWARK_MAX_CPUS && rdist[cpu])
		wr32(rdist[cpu] + GICR_ICACTIVER0, 1u << intid);
}

void gic_spi_route(uint32_t intid, uint64_t hwid, bool level)
{
	uint32_t cfg = rd32(dist + GICD_ICFGR + intid / 16 * 4);
	unsigned shift = (intid % 16) * 2 + 1;

	cfg = level ? cfg & ~(1u << shift) : cfg | (1u << shift);
	wr32(dist + GICD_ICFGR + intid / 16 * 4, cfg);
	wr64(dist + GICD_IROUTER + intid * 8, (hwid & 0xffffff) | ((hwid >> 32) & 0xff) << 32);
	wr32(dist + GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
}

void gic_spi_disable(uint32_t intid)
{
	wr32(dist + GICD_ICENABLER + intid / 32 * 4, 1u << (intid % 32));
	wr32(dist + GICD_ICPENDR + intid / 32 * 4, 1u << (intid % 32));
	gic_spi_deactivate(intid);
}

void gic_spi_deactivate(uint32_t intid)
{
	wr32(dist + GICD_ICACTIVER + intid / 32 * 4, 1u << (intid % 32));
}
