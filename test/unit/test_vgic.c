/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated GICv3 (src/arch/aarch64/vgic.c) on the host: register by
 * register through `vgic_mmio()`, SGIs through `vgic_sgi1r()`, and delivery
 * through the fake list registers (src/arch/fake/vgic_lr.c: 4 list
 * registers, 5 priority bits), where the test plays the guest's CPU
 * interface and the timer's exit vector. `vcpu_kick()` is this file's: it
 * records who was kicked.
 *
 * List register 0 is the virtual timer's own (VGIC_TIMER_LR): every other
 * interrupt goes into LR_FIRST and up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/drivers/gicv3_regs.h>
#include <bulwark/arch/fake/fastmmio.h>
#include <bulwark/arch/fake/vgic.h>
#include <bulwark/fastmmio.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>



#define CTLR_GRP1 0x2u
#define CTLR_ARE_DS 0x50u
#define POISON 0xa5a5a5a5a5a5a5a5ULL
#define LR_FIRST 1 /* the first list register of interrupts other than the timer's */

static struct vm vm;
static unsigned kicks[VCPU_MAX];

void vcpu_kick(struct vcpu *v, uint32_t req)
{
	assert_true(v >= vm.vcpus && v < vm.vcpus + vm.vcpu_count);
	__atomic_or_fetch(&v->requests, req, __ATOMIC_RELAXED);
	kicks[v->index]++;
}

static void setup_vm(unsigned n)
{
	memset(&vm, 0, sizeof(vm));
	memset(kicks, 0, sizeof(kicks));
	fake_vgic_reset();
	vm.vcpu_count = n;
	for (unsigned i = 0; i < n; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].index = i;
		vm.vcpus[i].pcpu = i;
	}
	vgic_reset(&vm);
}

static int setup4(void **state)
{
	(void)state;
	setup_vm(4);
	return 0;
}

static struct vcpu *vcpu(unsigned i)
{
	return &vm.vcpus[i];
}

/* ---- Register access helpers ------------------------------------------- */

static uint64_t rd_at(unsigned caller, uint64_t ipa, unsigned size)
{
	uint64_t val = POISON;

	assert_true(vgic_mmio(vcpu(caller), ipa, size, false, &val));
	return val;
}

static void wr_at(unsigned caller, uint64_t ipa, unsigned size, uint64_t val)
{
	uint64_t v = val;

	assert_true(vgic_mmio(vcpu(caller), ipa, size, true, &v));
}

static uint64_t gicd_rd(uint32_t off, unsigned size)
{
	return rd_at(0, VGIC_DIST_BASE + off, size);
}

static void gicd_wr(uint32_t off, unsigned size, uint64_t val)
{
	wr_at(0, VGIC_DIST_BASE + off, size, val);
}

static uint64_t frame(unsigned rd)
{
	return VGIC_REDIST_BASE + rd * VGIC_REDIST_FRAME;
}

static uint64_t gicr_rd(unsigned rd, uint32_t off, unsigned size)
{
	return rd_at(0, frame(rd) + off, size);
}

static void gicr_wr(unsigned rd, uint32_t off, unsigned size, uint64_t val)
{
	wr_at(0, frame(rd) + off, size, val);
}

/* Enables @intid with @prio (an SPI goes to vCPU @target) and group 1. */
static void enable(uint32_t intid, uint8_t prio, unsigned target)
{
	if (intid < 32) {
		gicr_wr(target, GICR_SGI + GICD_ISENABLER, 4, 1u << intid);
		gicr_wr(target, GICR_SGI + GICD_IPRIORITYR + intid, 1, prio);
	} else {
		gicd_wr(GICD_ISENABLER + intid / 32 * 4, 4, 1u << (intid % 32));
		gicd_wr(GICD_IPRIORITYR + intid, 1, prio);
		gicd_wr(GICD_IROUTER + intid * 8, 8, target);
		gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	}
}

static void flush(unsigned c)
{
	fake_vgic_select(vm.vcpus[c].pcpu);
	vgic_flush(vcpu(c));
}

static void sync_(unsigned c)
{
	fake_vgic_select(vm.vcpus[c].pcpu);
	vgic_sync(vcpu(c));
}

static uint64_t lr(unsigned c, unsigned n)
{
	return fake_vgic.lr[vm.vcpus[c].pcpu][n];
}

/* A snapshot of every piece of vGIC state, to prove an access changed nothing. */
struct snap {
	struct vgic_dist d;
	struct vgic_cpu c[VCPU_MAX];
};

static void take(struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->d = vm.vgic;
	s->d.lock = (struct spinlock)SPINLOCK_INIT; /* its tickets move on every access */
	for (unsigned i = 0; i < vm.vcpu_count; i++)
		s->c[i] = vm.vcpus[i].vgic;
}

static void assert_unchanged(const struct snap *s)
{
	struct snap now;

	take(&now);
	assert_memory_equal(&now, s, sizeof(now));
}

/* ---- Distributor identification and control --------------------------- */

static void test_gicd_id_registers(void **state)
{
	(void)state;
	assert_int_equal(gicd_rd(GICD_CTLR, 4), CTLR_ARE_DS);
	/* ITLinesNumber 7 (256 INTIDs), IDbits 9 (10 bits), no LPIs, no MBIS. */
	assert_int_equal(gicd_rd(GICD_TYPER, 4), 0x7 | (9u << 19));
	assert_int_equal(gicd_rd(GICD_IIDR, 4), 0x0100043b);
	assert_int_equal(gicd_rd(GICD_PIDR2, 4), 0x3b);
	/* Read-only: writes are ignored. */
	gicd_wr(GICD_TYPER, 4, 0xffffffff);
	gicd_wr(GICD_IIDR, 4, 0);
	gicd_wr(GICD_PIDR2, 4, 0);
	assert_int_equal(gicd_rd(GICD_TYPER, 4), 0x7 | (9u << 19));
	assert_int_equal(gicd_rd(GICD_IIDR, 4), 0x0100043b);
	assert_int_equal(gicd_rd(GICD_PIDR2, 4), 0x3b);
}

static void test_gicd_ctlr(void **state)
{
	(void)state;
	gicd_wr(GICD_CTLR, 4, 0xffffffff);
	assert_int_equal(gicd_rd(GICD_CTLR, 4), CTLR_ARE_DS | CTLR_GRP1);
	assert_int_equal(vm.vgic.ctlr, CTLR_GRP1);
	gicd_wr(GICD_CTLR, 4, 0);
	assert_int_equal(gicd_rd(GICD_CTLR, 4), CTLR_ARE_DS);
	gicd_wr(GICD_CTLR, 4, 0x1); /* EnableGrp0: there is no group 0 */
	assert_int_equal(gicd_rd(GICD_CTLR, 4), CTLR_ARE_DS);
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	assert_int_equal(gicd_rd(GICD_CTLR, 4), CTLR_ARE_DS | CTLR_GRP1);
}

/* Enabling group 1 kicks the vCPUs with SPIs waiting for it. */
static void test_gicd_ctlr_kicks_waiting_spis(void **state)
{
	(void)state;
	gicd_wr(GICD_ISENABLER + 4, 4, 1u << 8); /* SPI 40 */
	gicd_wr(GICD_IROUTER + 40 * 8, 8, 3);
	vgic_inject(vcpu(0), 40, false);
	assert_int_equal(kicks[3], 1); /* enabled and pending: kicked already */
	flush(3);
	assert_int_equal(fake_vgic_find(40), -1); /* group 1 is off */
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	assert_int_equal(kicks[3], 2);
	assert_true(vcpu(3)->requests & VCPU_REQ_INJECT);
	flush(3);
	assert_int_equal(fake_vgic_find(40), LR_FIRST);
	assert_false(vcpu(3)->requests & VCPU_REQ_INJECT);
}

/* ---- Bit registers of SPIs --------------------------------------------- */

static void test_spi_enable_bits(void **state)
{
	(void)state;
	gicd_wr(GICD_ISENABLER + 4, 4, 0x5); /* SPIs 32 and 34 */
	assert_true(vm.vgic.spi[0].enabled);
	assert_false(vm.vgic.spi[1].enabled);
	assert_true(vm.vgic.spi[2].enabled);
	assert_int_equal(gicd_rd(GICD_ISENABLER + 4, 4), 0x5);
	assert_int_equal(gicd_rd(GICD_ICENABLER + 4, 4), 0x5);
	gicd_wr(GICD_ICENABLER + 4, 4, 0x1);
	assert_int_equal(gicd_rd(GICD_ISENABLER + 4, 4), 0x4);
	/* Writing 0 bits changes nothing. */
	gicd_wr(GICD_ISENABLER + 4, 4, 0);
	gicd_wr(GICD_ICENABLER + 4, 4, 0);
	assert_int_equal(gicd_rd(GICD_ISENABLER + 4, 4), 0x4);
	/* The last word: SPIs 224..255. */
	gicd_wr(GICD_ISENABLER + 0x1c, 4, 0x80000001);
	assert_true(vm.vgic.spi[224 - 32].enabled);
	assert_true(vm.vgic.spi[255 - 32].enabled);
	assert_int_equal(gicd_rd(GICD_ISENABLER + 0x1c, 4), 0x80000001);
}

/* With affinity routing, the distributor's word 0 (SGIs, PPIs) is RAZ/WI,
 * and so is everything past INTID 255. */
static void test_gicd_private_and_beyond_raz_wi(void **state)
{
	static const uint32_t regs[] = { GICD_ISENABLER, GICD_ICENABLER, GICD_ISPENDR,
					 GICD_ICPENDR, GICD_ISACTIVER, GICD_ICACTIVER };
	struct snap s;

	(void)state;
	take(&s);
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		gicd_wr(regs[i], 4, 0xffffffff);
		assert_int_equal(gicd_rd(regs[i], 4), 0);
		for (uint32_t w = 8; w < 32; w++) {
			gicd_wr(regs[i] + w * 4, 4, 0xffffffff);
			assert_int_equal(gicd_rd(regs[i] + w * 4, 4), 0);
		}
	}
	for (uint32_t off = GICD_IPRIORITYR; off < GICD_IPRIORITYR + 32; off += 4) {
		gicd_wr(off, 4, 0xffffffff);
		assert_int_equal(gicd_rd(off, 4), 0);
	}
	for (uint32_t off = GICD_IPRIORITYR + 256; off < GICD_IPRIORITYR + 1024; off += 4) {
		gicd_wr(off, 4, 0xffffffff);
		assert_int_equal(gicd_rd(off, 4), 0);
	}
	gicd_wr(GICD_ICFGR, 4, 0xffffffff);
	gicd_wr(GICD_ICFGR + 4, 4, 0xffffffff);
	gicd_wr(GICD_ICFGR + 64, 4, 0xffffffff);
	assert_int_equal(gicd_rd(GICD_ICFGR, 4), 0);
	assert_int_equal(gicd_rd(GICD_ICFGR + 64, 4), 0);
	assert_int_equal(gicd_rd(GICD_IGROUPR, 4), 0);
	assert_unchanged(&s);
	assert_int_equal(kicks[0], 0);
}

static void test_spi_pending_bits(void **state)
{
	(void)state;
	gicd_wr(GICD_ISPENDR + 8, 4, 0x80000003); /* SPIs 64, 65, 95 */
	assert_true(vm.vgic.spi[64 - 32].pending);
	assert_true(vm.vgic.spi[65 - 32].pending);
	assert_true(vm.vgic.spi[95 - 32].pending);
	assert_int_equal(gicd_rd(GICD_ISPENDR + 8, 4), 0x80000003);
	assert_int_equal(gicd_rd(GICD_ICPENDR + 8, 4), 0x80000003);
	gicd_wr(GICD_ICPENDR + 8, 4, 0x2);
	assert_int_equal(gicd_rd(GICD_ISPENDR + 8, 4), 0x80000001);
	assert_int_equal(kicks[0], 0); /* none enabled: nobody to tell */
}

static void test_spi_active_bits(void **state)
{
	(void)state;
	gicd_wr(GICD_ISACTIVER + 4, 4, 0x100);
	assert_true(vm.vgic.spi[40 - 32].active);
	assert_int_equal(gicd_rd(GICD_ISACTIVER + 4, 4), 0x100);
	assert_int_equal(gicd_rd(GICD_ICACTIVER + 4, 4), 0x100);
	gicd_wr(GICD_ICACTIVER + 4, 4, 0xffffffff);
	assert_int_equal(gicd_rd(GICD_ISACTIVER + 4, 4), 0);
}

/* Everything is group 1: IGROUPR reads as ones, writes are ignored. */
static void test_spi_group_bits(void **state)
{
	(void)state;
	for (uint32_t w = 1; w < 8; w++) {
		assert_int_equal(gicd_rd(GICD_IGROUPR + w * 4, 4), 0xffffffff);
		gicd_wr(GICD_IGROUPR + w * 4, 4, 0);
		assert_int_equal(gicd_rd(GICD_IGROUPR + w * 4, 4), 0xffffffff);
	}
	assert_int_equal(gicr_rd(0, GICR_SGI + GICD_IGROUPR, 4), 0xffffffff);
}

/* ---- Priorities -------------------------------------------------------- */

static void test_spi_priority(void **state)
{
	(void)state;
	/* Five priority bits: the low three read as zero. */
	gicd_wr(GICD_IPRIORITYR + 32, 1, 0xff);
	assert_int_equal(vm.vgic.spi[0].priority, 0xf8);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 32, 1), 0xf8);
	gicd_wr(GICD_IPRIORITYR + 36, 4, 0x12345678);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 36, 4), 0x10305078);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 37, 1), 0x50);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 39, 1), 0x10);
	gicd_wr(GICD_IPRIORITYR + 38, 1, 0x07);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 36, 4), 0x10005078);
	/* The last word, SPIs 252..255. */
	gicd_wr(GICD_IPRIORITYR + 252, 4, 0xffffffff);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 252, 4), 0xf8f8f8f8);
	assert_int_equal(vm.vgic.spi[255 - 32].priority, 0xf8);
}

static void test_priority_bits_follow_hardware(void **state)
{
	(void)state;
	fake_vgic.pri_bits = 8;
	vgic_reset(&vm);
	gicd_wr(GICD_IPRIORITYR + 32, 1, 0xff);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 32, 1), 0xff);
	fake_vgic.pri_bits = 4;
	vgic_reset(&vm);
	gicd_wr(GICD_IPRIORITYR + 32, 1, 0xff);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 32, 1), 0xf0);
	gicr_wr(2, GICR_SGI + GICD_IPRIORITYR + 3, 1, 0x3f);
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_IPRIORITYR, 4), 0x30000000);
}

static void test_private_priority(void **state)
{
	(void)state;
	gicr_wr(1, GICR_SGI + GICD_IPRIORITYR + 4, 4, 0xa0b0c0d0);
	assert_int_equal(vcpu(1)->vgic.priv[4].priority, 0xd0);
	assert_int_equal(vcpu(1)->vgic.priv[7].priority, 0xa0);
	assert_int_equal(vcpu(0)->vgic.priv[4].priority, 0);
	assert_int_equal(gicr_rd(1, GICR_SGI + GICD_IPRIORITYR + 4, 4), 0xa0b0c0d0);
	gicr_wr(1, GICR_SGI + GICD_IPRIORITYR + 31, 1, 0x88);
	assert_int_equal(vcpu(1)->vgic.priv[31].priority, 0x88);
	assert_int_equal(gicr_rd(1, GICR_SGI + GICD_IPRIORITYR + 28, 4), 0x88000000);
	/* Word 8 of the SGI frame is past the private interrupts. */
	assert_int_equal(gicr_rd(1, GICR_SGI + GICD_IPRIORITYR + 32, 4), 0);
}

/* ---- Configuration ----------------------------------------------------- */

static void test_spi_config(void **state)
{
	(void)state;
	assert_int_equal(gicd_rd(GICD_ICFGR + 8, 4), 0); /* level by default */
	gicd_wr(GICD_ICFGR + 8, 4, 0xaaaaaaaa);
	assert_int_equal(gicd_rd(GICD_ICFGR + 8, 4), 0xaaaaaaaa);
	for (unsigned i = 32; i < 48; i++)
		assert_true(vm.vgic.spi[i - 32].edge);
	assert_false(vm.vgic.spi[48 - 32].edge);
	/* The low bit of each field is reserved. */
	gicd_wr(GICD_ICFGR + 8, 4, 0x55555555);
	assert_int_equal(gicd_rd(GICD_ICFGR + 8, 4), 0);
	/* The last word: SPIs 240..255. */
	gicd_wr(GICD_ICFGR + 60, 4, 0x80000000);
	assert_true(vm.vgic.spi[255 - 32].edge);
	assert_int_equal(gicd_rd(GICD_ICFGR + 60, 4), 0x80000000);
}

static void test_private_config(void **state)
{
	(void)state;
	/* SGIs are edge-triggered, always. */
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_ICFGR, 4), 0xaaaaaaaa);
	gicr_wr(2, GICR_SGI + GICD_ICFGR, 4, 0);
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_ICFGR, 4), 0xaaaaaaaa);
	/* PPIs may be configured. */
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_ICFGR + 4, 4), 0);
	gicr_wr(2, GICR_SGI + GICD_ICFGR + 4, 4, 0x80000000);
	assert_true(vcpu(2)->vgic.priv[31].edge);
	assert_false(vcpu(1)->vgic.priv[31].edge);
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_ICFGR + 4, 4), 0x80000000);
}

/* ---- Routing ------------------------------------------------------------ */

static void test_irouter(void **state)
{
	static const uint64_t to_vcpu0[] = {
		4,                      /* Aff0 beyond the VM's 4 vCPUs */
		0xff,
		1ULL << 31 | 2,         /* IRM: 1 of N */
		0x100 | 2,              /* Aff1 */
		0x10000 | 2,            /* Aff2 */
		0x100000000ULL | 2,     /* Aff3 */
	};

	(void)state;
	assert_int_equal(gicd_rd(GICD_IROUTER + 40 * 8, 8), 0);
	gicd_wr(GICD_IROUTER + 40 * 8, 8, 2);
	assert_int_equal(gicd_rd(GICD_IROUTER + 40 * 8, 8), 2);
	assert_int_equal(vm.vgic.spi[40 - 32].target, 2);
	for (unsigned i = 0; i < ARRAY_SIZE(to_vcpu0); i++) {
		gicd_wr(GICD_IROUTER + 40 * 8, 8, 3);
		gicd_wr(GICD_IROUTER + 40 * 8, 8, to_vcpu0[i]);
		assert_int_equal(gicd_rd(GICD_IROUTER + 40 * 8, 8), 0);
	}
	/* Bits outside the affinity fields and IRM are ignored. */
	gicd_wr(GICD_IROUTER + 40 * 8, 8, 0xff00000000000000ULL | 0x40000000 | 1);
	assert_int_equal(gicd_rd(GICD_IROUTER + 40 * 8, 8), 1);
	/* The first and the last SPI. */
	gicd_wr(GICD_IROUTER + 32 * 8, 8, 3);
	gicd_wr(GICD_IROUTER + 255 * 8, 8, 3);
	assert_int_equal(vm.vgic.spi[0].target, 3);
	assert_int_equal(vm.vgic.spi[223].target, 3);
}

static void test_irouter_raz_wi(void **state)
{
	struct snap s;

	(void)state;
	take(&s);
	/* IROUTER<n> for n < 32 does not exist, nor past 255. */
	for (uint32_t n = 0; n < 32; n++) {
		gicd_wr(GICD_IROUTER + n * 8, 8, 1);
		assert_int_equal(gicd_rd(GICD_IROUTER + n * 8, 8), 0);
	}
	gicd_wr(GICD_IROUTER + 256 * 8, 8, 1);
	assert_int_equal(gicd_rd(GICD_IROUTER + 256 * 8, 8), 0);
	gicd_wr(GICD_IROUTER + 1019 * 8, 8, 1);
	/* Sizes 1 and 2, and a misaligned doubleword. */
	gicd_wr(GICD_IROUTER + 40 * 8, 1, 1);
	gicd_wr(GICD_IROUTER + 40 * 8, 2, 1);
	gicd_wr(GICD_IROUTER + 40 * 8 + 4, 8, 1);
	gicd_wr(GICD_IROUTER + 40 * 8 + 1, 8, 1);
	assert_int_equal(gicd_rd(GICD_IROUTER + 40 * 8, 1), 0);
	assert_int_equal(gicd_rd(GICD_IROUTER + 40 * 8 + 4, 8), 0);
	assert_unchanged(&s);
}

/* Routing a waiting SPI elsewhere kicks its new vCPU. */
static void test_irouter_moves_pending_spi(void **state)
{
	(void)state;
	enable(50, 0x80, 1);
	vgic_inject(vcpu(0), 50, false);
	assert_int_equal(kicks[1], 1);
	gicd_wr(GICD_IROUTER + 50 * 8, 8, 2);
	assert_int_equal(kicks[2], 1);
	flush(1);
	assert_int_equal(fake_vgic_find(50), -1);
	flush(2);
	assert_int_equal(fake_vgic_find(50), LR_FIRST);
}

/* ---- Redistributors ---------------------------------------------------- */

static void test_gicr_typer(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		setup_vm(n);
		for (unsigned i = 0; i < n; i++) {
			uint64_t last = i == n - 1 ? 1u << 4 : 0;

			assert_int_equal(gicr_rd(i, GICR_TYPER, 8),
					 (uint64_t)i << 32 | (uint64_t)i << 8 | last);
			assert_int_equal(gicr_rd(i, GICR_TYPER + 4, 4), i);
			/* Read from another vCPU: the frame decides, not the caller. */
			assert_int_equal(rd_at(n - 1, frame(i) + GICR_TYPER, 8),
					 (uint64_t)i << 32 | (uint64_t)i << 8 | last);
			/* Read-only. */
			gicr_wr(i, GICR_TYPER, 8, 0);
			gicr_wr(i, GICR_TYPER + 4, 4, 0xff);
			assert_int_equal(gicr_rd(i, GICR_TYPER + 4, 4), i);
		}
	}
}

static void test_gicr_id_and_ctlr(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(gicr_rd(i, GICR_IIDR, 4), 0x0100043b);
		assert_int_equal(gicr_rd(i, GICR_PIDR2, 4), 0x3b);
		assert_int_equal(gicr_rd(i, GICR_CTLR, 4), 0);
		gicr_wr(i, GICR_CTLR, 4, 0xffffffff);
		assert_int_equal(gicr_rd(i, GICR_CTLR, 4), 0);
		/* Wrong sizes read as zero. */
		assert_int_equal(gicr_rd(i, GICR_IIDR, 2), 0);
		assert_int_equal(gicr_rd(i, GICR_PIDR2, 8), 0);
		assert_int_equal(gicr_rd(i, GICR_TYPER, 2), 0);
		assert_int_equal(gicr_rd(i, GICR_TYPER + 4, 8), 0);
	}
}

static void test_gicr_waker(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(gicr_rd(i, GICR_WAKER, 4), 0x6); /* asleep */
	gicr_wr(1, GICR_WAKER, 4, 0);
	assert_int_equal(gicr_rd(1, GICR_WAKER, 4), 0);
	assert_false(vcpu(1)->vgic.sleeping);
	assert_int_equal(gicr_rd(0, GICR_WAKER, 4), 0x6);
	assert_int_equal(gicr_rd(2, GICR_WAKER, 4), 0x6);
	gicr_wr(1, GICR_WAKER, 4, 0x2);
	assert_int_equal(gicr_rd(1, GICR_WAKER, 4), 0x6);
	gicr_wr(1, GICR_WAKER, 4, 0xfffffffd); /* every bit but ProcessorSleep */
	assert_int_equal(gicr_rd(1, GICR_WAKER, 4), 0);
	/* Wrong sizes: ignored. */
	gicr_wr(1, GICR_WAKER, 1, 0x2);
	gicr_wr(1, GICR_WAKER, 8, 0x2);
	assert_int_equal(gicr_rd(1, GICR_WAKER, 4), 0);
	assert_int_equal(gicr_rd(1, GICR_WAKER, 2), 0);
}

/* Each redistributor's SGI frame holds that vCPU's SGIs and PPIs. */
static void test_gicr_private_bits(void **state)
{
	(void)state;
	gicr_wr(1, GICR_SGI + GICD_ISENABLER, 4, 0x08000001); /* SGI 0, PPI 27 */
	assert_true(vcpu(1)->vgic.priv[0].enabled);
	assert_true(vcpu(1)->vgic.priv[27].enabled);
	for (unsigned c = 0; c < 4; c++) {
		if (c != 1) {
			assert_false(vcpu(c)->vgic.priv[0].enabled);
			assert_int_equal(gicr_rd(c, GICR_SGI + GICD_ISENABLER, 4), 0);
		}
	}
	/* The caller does not matter, the frame does. */
	assert_int_equal(rd_at(3, frame(1) + GICR_SGI + GICD_ISENABLER, 4), 0x08000001);
	assert_int_equal(gicr_rd(1, GICR_SGI + GICD_ICENABLER, 4), 0x08000001);
	gicr_wr(1, GICR_SGI + GICD_ICENABLER, 4, 0x1);
	assert_int_equal(gicr_rd(1, GICR_SGI + GICD_ISENABLER, 4), 0x08000000);

	gicr_wr(2, GICR_SGI + GICD_ISPENDR, 4, 0x40000002);
	assert_true(vcpu(2)->vgic.priv[1].pending);
	assert_true(vcpu(2)->vgic.priv[30].pending);
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_ICPENDR, 4), 0x40000002);
	gicr_wr(2, GICR_SGI + GICD_ICPENDR, 4, 0x40000000);
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_ISPENDR, 4), 0x2);

	gicr_wr(3, GICR_SGI + GICD_ISACTIVER, 4, 0x10);
	assert_true(vcpu(3)->vgic.priv[4].active);
	assert_int_equal(gicr_rd(3, GICR_SGI + GICD_ICACTIVER, 4), 0x10);
	gicr_wr(3, GICR_SGI + GICD_ICACTIVER, 4, 0x10);
	assert_false(vcpu(3)->vgic.priv[4].active);
	/* No SPI was touched through a redistributor. */
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++) {
		assert_false(vm.vgic.spi[i].enabled);
		assert_false(vm.vgic.spi[i].pending);
		assert_false(vm.vgic.spi[i].active);
	}
}

/* Words 1.. of the SGI frame's bit registers would be SPIs: RAZ/WI. */
static void test_gicr_beyond_private_raz_wi(void **state)
{
	static const uint32_t regs[] = { GICD_ISENABLER, GICD_ICENABLER, GICD_ISPENDR,
					 GICD_ICPENDR, GICD_ISACTIVER, GICD_ICACTIVER };
	struct snap s;

	(void)state;
	take(&s);
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		for (uint32_t w = 1; w < 32; w++) {
			gicr_wr(0, GICR_SGI + regs[i] + w * 4, 4, 0xffffffff);
			assert_int_equal(gicr_rd(0, GICR_SGI + regs[i] + w * 4, 4), 0);
		}
	}
	for (uint32_t off = 32; off < 1024; off += 4)
		gicr_wr(0, GICR_SGI + GICD_IPRIORITYR + off, 4, 0xffffffff);
	gicr_wr(0, GICR_SGI + GICD_ICFGR + 8, 4, 0xffffffff);
	gicr_wr(0, GICR_SGI + GICD_IROUTER + 40 * 8, 8, 3);
	gicr_wr(0, GICR_SGI + GICR_PIDR2, 4, 0);
	assert_int_equal(gicr_rd(0, GICR_SGI + GICR_PIDR2, 4), 0);
	assert_unchanged(&s);
}

/* Frames past the VM's last vCPU, and addresses around the vGIC, are not
 * the vGIC's: `vgic_mmio()` does not claim them. */
static void test_not_claimed(void **state)
{
	static const uint64_t ipas[] = {
		VGIC_DIST_BASE - 1,
		VGIC_DIST_BASE + VGIC_DIST_SIZE,
		VGIC_REDIST_BASE - 4,
		0, 0x09000000, UINT64_MAX,
	};
	uint64_t val;

	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		setup_vm(n);
		for (unsigned i = n; i <= VCPU_MAX; i++) {
			val = POISON;
			assert_false(vgic_mmio(vcpu(0), frame(i) + GICR_TYPER, 8, false, &val));
			assert_int_equal(val, POISON);
			val = 0;
			assert_false(vgic_mmio(vcpu(0), frame(i) + GICR_SGI + GICD_ISENABLER, 4, true,
					       &val));
		}
		assert_false(vgic_mmio(vcpu(0), frame(n) - 1 + 1, 4, false, &val));
		assert_true(vgic_mmio(vcpu(0), frame(n) - 4, 4, false, &val));
	}
	for (unsigned i = 0; i < ARRAY_SIZE(ipas); i++) {
		val = POISON;
		assert_false(vgic_mmio(vcpu(0), ipas[i], 4, false, &val));
		assert_int_equal(val, POISON);
	}
}

/* Sizes the registers do not support: reads give 0, writes change nothing. */
static void test_bad_access_sizes(void **state)
{
	static const uint32_t word_regs[] = {
		GICD_CTLR, GICD_ISENABLER + 4, GICD_ICENABLER + 4, GICD_ISPENDR + 4,
		GICD_ICPENDR + 4, GICD_ISACTIVER + 4, GICD_ICACTIVER + 4, GICD_IGROUPR + 4,
		GICD_ICFGR + 8, GICD_TYPER, GICD_IIDR,
	};
	static const unsigned sizes[] = { 1, 2, 8, 3, 16, 0 };
	struct snap s;

	(void)state;
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	take(&s);
	for (unsigned r = 0; r < ARRAY_SIZE(word_regs); r++) {
		for (unsigned k = 0; k < ARRAY_SIZE(sizes); k++) {
			gicd_wr(word_regs[r], sizes[k], 0xffffffffffffffffULL);
			assert_int_equal(gicd_rd(word_regs[r], sizes[k]), 0);
			gicr_wr(1, GICR_SGI + word_regs[r] - (r ? 4 : 0), sizes[k], ~0ULL);
			assert_int_equal(gicr_rd(1, GICR_SGI + word_regs[r] - (r ? 4 : 0), sizes[k]),
					 0);
		}
	}
	/* Priorities: bytes and words only. */
	gicd_wr(GICD_IPRIORITYR + 40, 2, 0xffff);
	gicd_wr(GICD_IPRIORITYR + 40, 8, ~0ULL);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 40, 2), 0);
	assert_int_equal(gicd_rd(GICD_IPRIORITYR + 40, 8), 0);
	gicr_wr(1, GICR_SGI + GICD_IPRIORITYR, 2, 0xffff);
	assert_unchanged(&s);
	assert_int_equal(gicd_rd(GICD_CTLR, 4), CTLR_ARE_DS | CTLR_GRP1);
}

/* Every offset of both frames, every size, read and write: no crash, and
 * nothing outside the VM's own state changes (ASan watches the rest). */
static void test_every_offset(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };

	(void)state;
	setup_vm(2);
	for (uint32_t off = 0; off < VGIC_DIST_SIZE; off++) {
		for (unsigned k = 0; k < ARRAY_SIZE(sizes); k++) {
			uint64_t v = 0;

			assert_true(vgic_mmio(vcpu(0), VGIC_DIST_BASE + off, sizes[k], false, &v));
			v = 0x5555555555555555ULL;
			assert_true(vgic_mmio(vcpu(1), VGIC_DIST_BASE + off, sizes[k], true, &v));
		}
	}
	for (uint32_t off = 0; off < 2 * VGIC_REDIST_FRAME; off++) {
		for (unsigned k = 0; k < ARRAY_SIZE(sizes); k++) {
			uint64_t v = 0;

			assert_true(vgic_mmio(vcpu(1), VGIC_REDIST_BASE + off, sizes[k], false, &v));
			v = 0xaaaaaaaaaaaaaaaaULL;
			assert_true(vgic_mmio(vcpu(0), VGIC_REDIST_BASE + off, sizes[k], true, &v));
		}
	}
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		assert_true(vm.vgic.spi[i].target < vm.vcpu_count);
	assert_int_equal(vm.vgic.ctlr & ~CTLR_GRP1, 0);
	assert_true(vcpu(0)->vgic.priv[0].edge && vcpu(1)->vgic.priv[15].edge);
}

/* ---- SGIs: ICC_SGI1R_EL1 ------------------------------------------------ */

static unsigned sgi_pending_mask(uint32_t sgi)
{
	unsigned m = 0;

	for (unsigned c = 0; c < vm.vcpu_count; c++) {
		if (vcpu(c)->vgic.priv[sgi].pending)
			m |= 1u << c;
		vcpu(c)->vgic.priv[sgi].pending = 0;
	}
	return m;
}

#define SGI1R(intid, list) ((uint64_t)(intid) << 24 | (list))
#define SGI1R_IRM (1ULL << 40)
#define SGI1R_RS(n) ((uint64_t)(n) << 44)

static void test_sgi1r_target_list(void **state)
{
	(void)state;
	vgic_sgi1r(vcpu(0), SGI1R(5, 0xe));
	assert_int_equal(sgi_pending_mask(5), 0xe);
	vgic_sgi1r(vcpu(0), SGI1R(5, 0x1)); /* to itself */
	assert_int_equal(sgi_pending_mask(5), 0x1);
	vgic_sgi1r(vcpu(2), SGI1R(15, 0xfff0)); /* vCPUs 4..15 do not exist */
	assert_int_equal(sgi_pending_mask(15), 0);
	vgic_sgi1r(vcpu(2), SGI1R(15, 0xffff));
	assert_int_equal(sgi_pending_mask(15), 0xf);
	vgic_sgi1r(vcpu(0), SGI1R(0, 0));
	assert_int_equal(sgi_pending_mask(0), 0);
	/* INTID is four bits: bits above it are not part of it. */
	vgic_sgi1r(vcpu(0), SGI1R(0x13, 0x2) | 1ULL << 28);
	assert_int_equal(sgi_pending_mask(3), 0x2);
}

static void test_sgi1r_range_selector(void **state)
{
	(void)state;
	/* RS 1 names Aff0 16..31: no such vCPU. */
	vgic_sgi1r(vcpu(0), SGI1R(1, 0xffff) | SGI1R_RS(1));
	assert_int_equal(sgi_pending_mask(1), 0);
	vgic_sgi1r(vcpu(0), SGI1R(1, 0xffff) | SGI1R_RS(15));
	assert_int_equal(sgi_pending_mask(1), 0);
	vgic_sgi1r(vcpu(0), SGI1R(1, 0x4) | SGI1R_RS(0));
	assert_int_equal(sgi_pending_mask(1), 0x4);
}

static void test_sgi1r_broadcast(void **state)
{
	(void)state;
	vgic_sgi1r(vcpu(2), SGI1R(7, 0) | SGI1R_IRM);
	assert_int_equal(sgi_pending_mask(7), 0xb); /* all but the sender */
	/* With IRM, the target list and affinities do not matter. */
	vgic_sgi1r(vcpu(0), SGI1R(7, 0x1) | SGI1R_IRM | 0xff0000 | 0xffULL << 32 | SGI1R_RS(3));
	assert_int_equal(sgi_pending_mask(7), 0xe);
	setup_vm(1);
	vgic_sgi1r(vcpu(0), SGI1R(7, 0xffff) | SGI1R_IRM);
	assert_int_equal(sgi_pending_mask(7), 0);
}

/* Our vCPUs all have Aff1..Aff3 = 0: other affinities target nothing. */
static void test_sgi1r_upper_affinity(void **state)
{
	static const uint64_t aff[] = { 1ULL << 16, 0xffULL << 16, 1ULL << 32, 0xffULL << 32,
					1ULL << 48, 0xffULL << 48 };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(aff); i++) {
		vgic_sgi1r(vcpu(0), SGI1R(3, 0xf) | aff[i]);
		assert_int_equal(sgi_pending_mask(3), 0);
	}
}

static void test_sgi_kicks_only_enabled_targets(void **state)
{
	(void)state;
	gicr_wr(1, GICR_SGI + GICD_ISENABLER, 4, 1u << 9);
	vgic_sgi1r(vcpu(0), SGI1R(9, 0x6));
	assert_int_equal(kicks[1], 1);
	assert_int_equal(kicks[2], 0); /* pending but disabled */
	assert_true(vcpu(1)->requests & VCPU_REQ_INJECT);
	gicr_wr(2, GICR_SGI + GICD_ISENABLER, 4, 1u << 9);
	assert_int_equal(kicks[2], 1); /* now deliverable */
	flush(1);
	assert_int_equal(LR_VINTID(lr(1, LR_FIRST)), 9);
	flush(2);
	assert_int_equal(LR_VINTID(lr(2, LR_FIRST)), 9);
}

/* ---- Injection and list registers -------------------------------------- */

static void test_flush_highest_priority_first(void **state)
{
	(void)state;
	enable(40, 0x80, 0);
	enable(41, 0x10, 0);
	enable(42, 0x40, 0);
	enable(27, 0x20, 0);
	vgic_inject(vcpu(0), 40, false);
	vgic_inject(vcpu(0), 41, false);
	vgic_inject(vcpu(0), 42, false);
	vgic_inject(vcpu(0), 27, false);
	flush(0);
	/* The timer's PPI in its own list register, the others by priority. */
	assert_int_equal(lr(0, 0), LR_VINTID(27) | LR_PRIORITY(0x20) | LR_GROUP1 | LR_PENDING);
	assert_int_equal(lr(0, 1), LR_VINTID(41) | LR_PRIORITY(0x10) | LR_GROUP1 | LR_PENDING);
	assert_int_equal(lr(0, 2), LR_VINTID(42) | LR_PRIORITY(0x40) | LR_GROUP1 | LR_PENDING);
	assert_int_equal(lr(0, 3), LR_VINTID(40) | LR_PRIORITY(0x80) | LR_GROUP1 | LR_PENDING);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0xf);
	assert_int_equal(vcpu(0)->vgic.lr_intid[0], 27);
	assert_int_equal(vcpu(0)->vgic.lr_intid[1], 41);
	assert_int_equal(vcpu(0)->vgic.lr_intid[3], 40);
	assert_true(vm.vgic.spi[41 - 32].in_lr);
	assert_int_equal(vm.vgic.spi[42 - 32].lr, 2);
	assert_int_equal(vcpu(0)->vgic.priv[27].lr, 0);
	assert_false(fake_vgic.underflow[0]);
	/* Flushing again changes nothing. */
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0xf);
	assert_int_equal(LR_VINTID(lr(0, 1)), 41);
}

static void test_flush_equal_priority_lowest_intid_first(void **state)
{
	(void)state;
	enable(100, 0x40, 0);
	enable(35, 0x40, 0);
	enable(3, 0x40, 0);
	vgic_inject(vcpu(0), 100, false);
	vgic_inject(vcpu(0), 35, false);
	vgic_inject(vcpu(0), 3, false);
	flush(0);
	assert_int_equal(lr(0, 0), 0); /* the timer's */
	assert_int_equal(LR_VINTID(lr(0, 1)), 3);
	assert_int_equal(LR_VINTID(lr(0, 2)), 35);
	assert_int_equal(LR_VINTID(lr(0, 3)), 100);
}

/* Only what is enabled, pending, not active, for this vCPU and (SPIs)
 * with group 1 on goes into a list register. */
static void test_flush_only_deliverable(void **state)
{
	(void)state;
	enable(40, 0, 0);
	enable(41, 0, 1);                       /* another vCPU's */
	gicd_wr(GICD_ISPENDR + 4, 4, 0x7 << 8); /* 40, 41, 42 */
	gicd_wr(GICD_ISACTIVER + 4, 4, 1u << 8);  /* 40 active */
	gicr_wr(0, GICR_SGI + GICD_ISPENDR, 4, 0x3);
	gicr_wr(0, GICR_SGI + GICD_ISENABLER, 4, 0x2);
	flush(0);
	assert_int_equal(LR_VINTID(lr(0, 1)), 1); /* SGI 1 only */
	assert_int_equal(vcpu(0)->vgic.lr_used, 0x2);
	/* SGIs and PPIs do not wait for the distributor's group enable. */
	gicd_wr(GICD_CTLR, 4, 0);
	gicd_wr(GICD_ICACTIVER + 4, 4, 1u << 8);
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0x2);
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0x6);
	assert_int_equal(LR_VINTID(lr(0, 2)), 40);
	flush(1);
	assert_int_equal(LR_VINTID(lr(1, 1)), 41);
}

static void test_more_pending_than_lrs(void **state)
{
	(void)state;
	gicd_wr(GICD_ICFGR + 8, 4, 0xaaaaaaaa); /* SPIs 32..47 edge: delivered once */
	for (uint32_t i = 0; i < 5; i++) {
		enable(40 + i, (uint8_t)(0x80 - i * 8), 0);
		vgic_inject(vcpu(0), 40 + i, false);
	}
	flush(0);
	/* Three list registers: LR 0 is the timer's, even when it is free. */
	assert_int_equal(vcpu(0)->vgic.lr_used, 0xe);
	assert_int_equal(lr(0, 0), 0);
	assert_true(fake_vgic.underflow[0]); /* come back when they drain */
	for (unsigned n = 1; n < 4; n++)
		assert_int_equal(LR_VINTID(lr(0, n)), 45 - n);
	/* The guest takes the two best. */
	assert_int_equal(fake_vgic_guest_ack(), 44);
	fake_vgic_guest_eoi(1);
	assert_true(fake_vgic_guest_handle(43));
	sync_(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0x8);
	assert_int_equal(lr(0, 1), 0);
	assert_int_equal(lr(0, 2), 0);
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0xe);
	assert_int_equal(LR_VINTID(lr(0, 1)), 41);
	assert_int_equal(LR_VINTID(lr(0, 2)), 40);
	assert_false(fake_vgic.underflow[0]);
}

static void test_fewer_lrs_than_max(void **state)
{
	(void)state;
	fake_vgic.lr_count = 2;
	vgic_reset(&vm);
	for (uint32_t i = 0; i < 3; i++) {
		enable(60 + i, 0x40, 2);
		vgic_inject(vcpu(0), 60 + i, false);
	}
	flush(2); /* the fake aborts on a list register it does not have */
	assert_int_equal(vcpu(2)->vgic.lr_used, 0x2); /* LR 0 is the timer's */
	assert_true(fake_vgic.underflow[2]);
	/* With a single list register, there is none to keep for the timer. */
	fake_vgic.lr_count = 1;
	vgic_reset(&vm);
	assert_int_equal(vm.vgic.lr_first, 0);
	for (uint32_t i = 0; i < 3; i++) {
		enable(60 + i, 0x40, 2);
		vgic_inject(vcpu(0), 60 + i, false);
	}
	flush(2);
	assert_int_equal(vcpu(2)->vgic.lr_used, 0x1);
	assert_true(fake_vgic.underflow[2]);
	fake_vgic.lr_count = 32; /* more than the vGIC can track */
	vgic_reset(&vm);
	assert_int_equal(vm.vgic.nr_lrs, VGIC_MAX_LRS);
}

static void test_sync_frees_lr_after_eoi(void **state)
{
	(void)state;
	enable(40, 0x20, 1);
	gicd_wr(GICD_ICFGR + 8, 4, 0x2 << 16); /* SPI 40 edge */
	vgic_inject(vcpu(0), 40, false);
	flush(1);
	assert_int_equal(fake_vgic_find(40), LR_FIRST);
	assert_false(vm.vgic.spi[8].pending); /* an edge is consumed by the LR */
	/* Still in the LR: pending as the guest sees it. */
	assert_int_equal(gicd_rd(GICD_ISPENDR + 4, 4), 1u << 8);
	/* The guest acknowledges it: active. */
	assert_int_equal(fake_vgic_guest_ack(), 40);
	sync_(1);
	assert_true(vm.vgic.spi[8].active);
	assert_true(vm.vgic.spi[8].in_lr);
	assert_int_equal(gicd_rd(GICD_ISACTIVER + 4, 4), 1u << 8);
	assert_int_equal(gicd_rd(GICD_ISPENDR + 4, 4), 0);
	/* ...and ends it. */
	fake_vgic_guest_eoi(LR_FIRST);
	unsigned before = kicks[1];

	sync_(1);
	assert_false(vm.vgic.spi[8].active);
	assert_false(vm.vgic.spi[8].in_lr);
	assert_false(vm.vgic.spi[8].pending);
	assert_int_equal(vcpu(1)->vgic.lr_used, 0);
	assert_int_equal(lr(1, LR_FIRST), 0);
	assert_int_equal(kicks[1], before); /* nothing more to deliver */
	flush(1);
	assert_int_equal(vcpu(1)->vgic.lr_used, 0);
}

/* An edge that arrives while the guest handles the last one is delivered
 * exactly once more, after the guest ends the first. */
static void test_edge_while_active(void **state)
{
	(void)state;
	enable(8, 0x20, 0);
	gicr_wr(0, GICR_SGI + GICD_ICFGR, 4, 0); /* ignored: SGIs are edge */
	vgic_sgi1r(vcpu(1), SGI1R(8, 0x1));
	flush(0);
	assert_int_equal(fake_vgic_guest_ack(), 8);
	unsigned before = kicks[0];

	vgic_sgi1r(vcpu(1), SGI1R(8, 0x1)); /* again, while active */
	sync_(0);
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0x2); /* one list register, not two */
	assert_int_equal(fake_vgic_guest_ack(), FAKE_VGIC_SPURIOUS); /* not before the EOI */
	fake_vgic_guest_eoi((unsigned)fake_vgic_find(8));
	sync_(0);
	flush(0);
	assert_int_equal(fake_vgic_guest_ack(), 8); /* the second edge */
	assert_true(kicks[0] > before || vcpu(0)->vgic.lr_used);
	fake_vgic_guest_eoi((unsigned)fake_vgic_find(8));
	sync_(0);
	flush(0);
	assert_int_equal(fake_vgic_guest_ack(), FAKE_VGIC_SPURIOUS); /* and no third */
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	assert_false(vcpu(0)->vgic.priv[8].pending);
}

/* A level-sensitive interrupt still asserted after the guest's EOI fires
 * again; once the line drops it does not. */
static void test_level_repends_while_asserted(void **state)
{
	(void)state;
	enable(33, 0x80, 0); /* the UART's SPI; level by default */
	vgic_set_level(&vm, 33, true);
	assert_int_equal(kicks[0], 1);
	flush(0);
	assert_int_equal(fake_vgic_find(33), LR_FIRST);
	assert_true(fake_vgic_guest_handle(33));
	sync_(0);
	assert_true(gicd_rd(GICD_ISPENDR + 4, 4) & (1u << 1)); /* still pending: the line */
	assert_false(vm.vgic.spi[1].in_lr);
	assert_int_equal(kicks[0], 2);
	flush(0);
	assert_int_equal(fake_vgic_find(33), LR_FIRST);
	/* The device is served: the line drops before the EOI. */
	assert_int_equal(fake_vgic_guest_ack(), 33);
	vgic_set_level(&vm, 33, false);
	fake_vgic_guest_eoi(LR_FIRST);
	sync_(0);
	assert_false(gicd_rd(GICD_ISPENDR + 4, 4) & (1u << 1));
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
}

static void test_set_level(void **state)
{
	(void)state;
	vgic_set_level(&vm, 50, true);
	assert_true(vm.vgic.spi[18].level);
	assert_true(gicd_rd(GICD_ISPENDR + 4, 4) & (1u << 18)); /* pending: the line */
	assert_int_equal(kicks[0], 0); /* disabled */
	vgic_set_level(&vm, 50, false);
	assert_false(gicd_rd(GICD_ISPENDR + 4, 4) & (1u << 18));
	/* An edge-triggered SPI keeps its latch when the line drops. */
	gicd_wr(GICD_ICFGR + 12, 4, 0x2 << 4); /* SPI 50 */
	vgic_set_level(&vm, 50, true);
	vgic_set_level(&vm, 50, false);
	assert_true(vm.vgic.spi[18].pending);
	/* Not SPIs: ignored. */
	struct snap s;

	take(&s);
	vgic_set_level(&vm, 0, true);
	vgic_set_level(&vm, 27, true);
	vgic_set_level(&vm, 31, true);
	vgic_set_level(&vm, 256, true);
	vgic_set_level(&vm, UINT32_MAX, true);
	assert_unchanged(&s);
}

static void test_inject_bad_intid(void **state)
{
	struct snap s;

	(void)state;
	take(&s);
	vgic_inject(vcpu(0), 256, false);
	vgic_inject(vcpu(0), 1020, true);
	vgic_inject(vcpu(0), 1023, false);
	vgic_inject(vcpu(0), UINT32_MAX, false);
	assert_unchanged(&s);
	assert_int_equal(kicks[0], 0);
}

static void test_inject_kicks_target(void **state)
{
	(void)state;
	enable(27, 0x80, 2);
	vgic_inject(vcpu(2), 27, false);
	assert_int_equal(kicks[2], 1);
	assert_true(vcpu(2)->requests & VCPU_REQ_INJECT);
	assert_int_equal(kicks[0] + kicks[1] + kicks[3], 0);
	/* The same PPI on another vCPU is another interrupt. */
	vgic_inject(vcpu(1), 27, false);
	assert_true(vcpu(1)->vgic.priv[27].pending);
	assert_int_equal(kicks[1], 0);
	/* An SPI goes to its target, whoever injects it. */
	enable(70, 0x80, 3);
	vgic_inject(vcpu(0), 70, false);
	assert_int_equal(kicks[3], 1);
	assert_int_equal(kicks[0], 0);
}

static void test_hw_interrupts(void **state)
{
	(void)state;
	enable(27, 0x40, 0);
	vgic_inject(vcpu(0), 27, true);
	enable(48, 0x50, 0);
	vgic_inject(vcpu(0), 48, true);
	flush(0);
	assert_int_equal(lr(0, 0), LR_VINTID(27) | LR_PRIORITY(0x40) | LR_GROUP1 | LR_PENDING |
					   LR_HW | LR_PINTID(27));
	assert_int_equal(lr(0, 1), LR_VINTID(48) | LR_PRIORITY(0x50) | LR_GROUP1 | LR_PENDING |
					   LR_HW | LR_PINTID(48));
	/* The hardware keeps the state now: the level PPI is not pending here. */
	assert_false(vcpu(0)->vgic.priv[27].pending);
	assert_false(vm.vgic.spi[16].pending);
	assert_true(fake_vgic_guest_handle(27));
	sync_(0);
	assert_false(vcpu(0)->vgic.priv[27].in_lr);
	assert_false(vcpu(0)->vgic.priv[27].pending);
	flush(0);
	assert_int_equal(fake_vgic_find(27), -1);
	/* A software injection of the same INTID is not HW. */
	vgic_inject(vcpu(0), 27, false);
	flush(0);
	assert_int_equal(lr(0, 0) & LR_HW, 0);
}

/* ---- Passed-through SPIs straight into a list register (vgic_inject_local) ---- */

#define HW_LR(id, prio) (LR_VINTID(id) | LR_PRIORITY(prio) | LR_GROUP1 | LR_PENDING | LR_HW | \
			 LR_PINTID(id))

static void test_inject_local_fills_free_lr(void **state)
{
	(void)state;
	enable(34, 0x50, 0);
	vcpu(0)->requests = 0;
	unsigned before = kicks[0];

	fake_vgic_select(0);
	assert_true(vgic_inject_local(vcpu(0), 34));
	/* What inject and flush would leave, without the kick or the flush. */
	assert_int_equal(lr(0, LR_FIRST), HW_LR(34, 0x50));
	assert_int_equal(vcpu(0)->vgic.lr_used, 1u << LR_FIRST);
	assert_true(vm.vgic.spi[2].in_lr);
	assert_false(vm.vgic.spi[2].pending);
	assert_int_equal(kicks[0], before);
	assert_false(vcpu(0)->requests & VCPU_REQ_INJECT);
	/* The guest handles it; the exit's sync retires it; the next goes in
	 * the same list register. */
	assert_true(fake_vgic_guest_handle(34));
	sync_(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	assert_false(vm.vgic.spi[2].in_lr);
	assert_true(vgic_inject_local(vcpu(0), 34));
	assert_int_equal(lr(0, LR_FIRST), HW_LR(34, 0x50));
	/* Another in flight: the next free list register. */
	enable(35, 0x60, 0);
	assert_true(vgic_inject_local(vcpu(0), 35));
	assert_int_equal(lr(0, LR_FIRST + 1), HW_LR(35, 0x60));
	flush(0); /* nothing left for it to do */
	assert_int_equal(vcpu(0)->vgic.lr_used, 3u << LR_FIRST);
	assert_false(fake_vgic.underflow[0]);
}

/* Whenever the flush would not simply put it in a free list register, it is
 * injected the usual way and the flush delivers it. */
static void test_inject_local_falls_back(void **state)
{
	(void)state;
	fake_vgic_select(0);
	/* Disabled: pending only. */
	gicd_wr(GICD_IPRIORITYR + 34, 1, 0x50);
	assert_false(vgic_inject_local(vcpu(0), 34));
	assert_true(vm.vgic.spi[2].pending);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	/* Enabling it delivers it through the flush. */
	enable(34, 0x50, 0);
	flush(0);
	assert_int_equal(lr(0, LR_FIRST), HW_LR(34, 0x50));
	/* Still in its list register (pending, then active): pending again
	 * here, for after the guest has ended it. */
	assert_false(vgic_inject_local(vcpu(0), 34));
	assert_true(vm.vgic.spi[2].pending);
	assert_int_equal(fake_vgic_guest_ack(), 34);
	fake_vgic_guest_eoi(LR_FIRST);
	sync_(0);
	flush(0);
	assert_int_equal(lr(0, LR_FIRST), HW_LR(34, 0x50));
	assert_true(fake_vgic_guest_handle(34));
	sync_(0);

	/* Routed to another vCPU: that one is kicked, nothing written here. */
	enable(36, 0x50, 2);
	unsigned k2 = kicks[2];

	assert_false(vgic_inject_local(vcpu(0), 36));
	assert_int_equal(kicks[2], k2 + 1);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	flush(2);
	assert_int_equal(lr(2, LR_FIRST), HW_LR(36, 0x50));

	/* Group 1 off in GICD_CTLR. */
	enable(37, 0x50, 0);
	gicd_wr(GICD_CTLR, 4, 0);
	assert_false(vgic_inject_local(vcpu(0), 37));
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	flush(0);
	assert_int_equal(lr(0, LR_FIRST), HW_LR(37, 0x50));

	/* Not an SPI: the plain injection. */
	enable(27, 0x40, 0);
	assert_false(vgic_inject_local(vcpu(0), 27));
	assert_true(vcpu(0)->vgic.priv[27].pending);
	assert_false(vgic_inject_local(vcpu(0), 256));
	assert_false(vgic_inject_local(vcpu(0), UINT32_MAX));
}

/* Every list register taken, or another interrupt waiting for one: the
 * flush decides, by priority. */
static void test_inject_local_waits_its_turn(void **state)
{
	(void)state;
	fake_vgic_select(0);
	gicd_wr(GICD_ICFGR + 8, 4, 0xaaaaaaaa); /* SPIs 32..47 edge */
	for (uint32_t i = 0; i < 4; i++) {
		enable(40 + i, 0x80, 0);
		vgic_inject(vcpu(0), 40 + i, false);
	}
	flush(0); /* three list registers after the timer's: 43 waits */
	assert_true(fake_vgic.underflow[0]);
	enable(34, 0x10, 0); /* better than all of them */
	assert_false(vgic_inject_local(vcpu(0), 34));
	assert_true(vm.vgic.spi[2].pending);
	flush(0); /* evicts one not yet acknowledged for it */
	assert_int_not_equal(fake_vgic_find(34), -1);
	/* The guest takes everything; 43 still waits in `maybe`, so a new SPI
	 * leaves the choice to the flush even with list registers free. */
	while (fake_vgic_guest_ack() != FAKE_VGIC_SPURIOUS)
		;
	for (unsigned n = LR_FIRST; n < 4; n++)
		fake_vgic_guest_eoi(n);
	sync_(0);
	enable(35, 0x90, 0);
	assert_false(vgic_inject_local(vcpu(0), 35));
	flush(0);
	assert_int_not_equal(fake_vgic_find(35), -1);
	assert_int_not_equal(fake_vgic_find(42), -1);
}

/* An interrupt a flush passed over (disabled, active, group off, another
 * vCPU's) is delivered once whatever held it back changes. */
static void test_flush_after_every_enabling_change(void **state)
{
	(void)state;
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	gicd_wr(GICD_ICFGR + 8, 4, 0xaaaaaaaa); /* SPIs 32..47 edge: delivered once */
	/* Pending while disabled. */
	vgic_inject(vcpu(0), 40, false);
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	gicd_wr(GICD_ISENABLER + 4, 4, 1u << 8);
	flush(0);
	assert_int_equal(fake_vgic_find(40), 1);
	/* Pending while active. */
	gicd_wr(GICD_ISENABLER + 4, 4, 1u << 9);
	gicd_wr(GICD_ISACTIVER + 4, 4, 1u << 9);
	vgic_inject(vcpu(0), 41, false);
	flush(0);
	assert_int_equal(fake_vgic_find(41), -1);
	gicd_wr(GICD_ICACTIVER + 4, 4, 1u << 9);
	flush(0);
	assert_int_equal(fake_vgic_find(41), 2);
	/* Pending while group 1 is off. */
	gicd_wr(GICD_CTLR, 4, 0);
	gicd_wr(GICD_ISENABLER + 4, 4, 1u << 10);
	vgic_inject(vcpu(0), 42, false);
	flush(0);
	assert_int_equal(fake_vgic_find(42), -1);
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	flush(0);
	assert_int_equal(fake_vgic_find(42), 3);
	/* The guest takes 40: a list register for what follows. */
	fake_vgic_select(0);
	assert_true(fake_vgic_guest_handle(40));
	sync_(0);
	/* Routed to vCPU 1 and flushed there while it was vCPU 0's, then back. */
	gicd_wr(GICD_ISENABLER + 4, 4, 1u << 11);
	vgic_inject(vcpu(0), 43, false);
	gicd_wr(GICD_IROUTER + 43 * 8, 8, 1);
	flush(0);
	assert_int_equal(fake_vgic_find(43), -1);
	gicd_wr(GICD_IROUTER + 43 * 8, 8, 0);
	flush(1);
	assert_int_equal(vcpu(1)->vgic.lr_used, 0);
	flush(0);
	assert_int_equal(fake_vgic_find(43), 1);
	/* A private one, pended while disabled, enabled through its frame. */
	gicr_wr(0, GICR_SGI + GICD_ISPENDR, 4, 1u << 20);
	fake_vgic_select(0);
	assert_true(fake_vgic_guest_handle(41));
	sync_(0);
	flush(0);
	assert_int_equal(fake_vgic_find(20), -1);
	gicr_wr(0, GICR_SGI + GICD_ISENABLER, 4, 1u << 20);
	flush(0);
	assert_true(fake_vgic_find(20) >= 0);
}

/* With 16 list registers and many candidates, the 15 best go in (LR 0 is
 * the timer's), best first, equal priorities by INTID. */
static void test_flush_sorts_many(void **state)
{
	(void)state;
	fake_vgic.lr_count = 16;
	vgic_reset(&vm);
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	for (uint32_t id = 32; id < 96; id++) {
		uint8_t prio = (uint8_t)(((id * 37) % 8) << 5); /* 8 levels, scattered */

		gicd_wr(GICD_ISENABLER + id / 32 * 4, 4, 1u << (id % 32));
		gicd_wr(GICD_IPRIORITYR + id, 1, prio);
		vgic_inject(vcpu(0), id, false);
	}
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0xfffe);
	assert_true(fake_vgic.underflow[0]);
	uint32_t prev_id = 0;
	unsigned prev_prio = 0;

	for (unsigned n = 1; n < 16; n++) {
		uint32_t id = (uint32_t)LR_VINTID(lr(0, n));
		unsigned prio = (unsigned)(lr(0, n) >> 48) & 0xff;

		assert_int_equal(prio, vm.vgic.spi[id - 32].priority);
		assert_true(n == 1 || prio > prev_prio || (prio == prev_prio && id > prev_id));
		prev_id = id;
		prev_prio = prio;
	}
	/* Nothing left out is better than the worst that went in. */
	for (uint32_t id = 32; id < 96; id++)
		if (!vm.vgic.spi[id - 32].in_lr)
			assert_true(vm.vgic.spi[id - 32].priority >= prev_prio);
}

/* A vCPU with nothing in its list registers does not touch them at sync. */
static void test_sync_idle(void **state)
{
	(void)state;
	unsigned writes = fake_vgic.lr_writes;

	fake_vgic.lr[0][0] = LR_PENDING | 99; /* garbage the vGIC does not own */
	sync_(0);
	assert_int_equal(fake_vgic.lr_writes, writes);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
}

/* Each vCPU fills its own physical CPU's list registers. */
static void test_flush_per_vcpu(void **state)
{
	(void)state;
	enable(40, 0x10, 0);
	enable(41, 0x10, 1);
	enable(5, 0x10, 1);
	vgic_inject(vcpu(0), 40, false);
	vgic_inject(vcpu(0), 41, false);
	vgic_inject(vcpu(1), 5, false);
	flush(0);
	flush(1);
	assert_int_equal(LR_VINTID(lr(0, 1)), 40);
	assert_int_equal(lr(0, 2), 0);
	assert_int_equal(LR_VINTID(lr(1, 1)), 5);
	assert_int_equal(LR_VINTID(lr(1, 2)), 41);
}

static void test_reset(void **state)
{
	(void)state;
	enable(40, 0x10, 3);
	enable(27, 0x10, 0);
	vgic_inject(vcpu(0), 40, false);
	vgic_inject(vcpu(0), 27, false);
	gicr_wr(0, GICR_WAKER, 4, 0);
	gicr_wr(0, GICR_SGI + GICD_ICFGR + 4, 4, ~0u);
	flush(0);
	flush(3);
	vgic_reset(&vm);
	assert_int_equal(vm.vgic.ctlr, 0);
	assert_int_equal(vm.vgic.nr_lrs, 4);
	assert_int_equal(vm.vgic.pri_bits, 5);
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++) {
		const struct vgic_irq *irq = &vm.vgic.spi[i];

		assert_true(!irq->enabled && !irq->pending && !irq->in_lr && !irq->target &&
			    !irq->priority && !irq->edge && !irq->level);
	}
	for (unsigned c = 0; c < 4; c++) {
		assert_true(vcpu(c)->vgic.sleeping);
		assert_int_equal(vcpu(c)->vgic.lr_used, 0);
		for (unsigned i = 0; i < 32; i++) {
			assert_int_equal(vcpu(c)->vgic.priv[i].edge, i < 16);
			assert_false(vcpu(c)->vgic.priv[i].enabled || vcpu(c)->vgic.priv[i].in_lr);
		}
	}
}

/*
 * Regression test (was a bug: fixed):
 * a level-sensitive interrupt made pending by a write to GICD_ISPENDR (or
 * GICR_ISPENDR0, or vgic_inject(hw = false) of a level interrupt) stays
 * pending forever. vgic_flush() (src/arch/aarch64/vgic.c, "if (best->edge ||
 * best->hw) best->pending = 0") keeps `pending` of a level interrupt set
 * while it sits in a list register, and vgic_sync() only ever sets it again.
 * In a GIC, acknowledging the interrupt clears the latch a write to ISPENDR
 * set; here, after the guest's EOI with the line low, it is delivered
 * again, forever, until the guest writes ICPENDR: an interrupt storm.
 */
static void test_level_ispendr_cleared_by_ack(void **state)
{
	(void)state;
	enable(40, 0x80, 0); /* level-sensitive (the default), line low */
	gicd_wr(GICD_ISPENDR + 4, 4, 1u << 8);
	flush(0);
	assert_true(fake_vgic_guest_handle(40));
	sync_(0);
	flush(0);
	assert_int_equal(fake_vgic_find(40), -1); /* must not come back */
	assert_int_equal(gicd_rd(GICD_ISPENDR + 4, 4), 0);
}

/*
 * Regression test (was a bug: fixed): an access that is not naturally
 * aligned is not rejected, and in a redistributor's SGI frame it runs past
 * INTID 31 into the VM's SPIs: `irq_regs()` computes `first` from the byte
 * offset and `irq_of()` happily returns SPIs for first + i >= 32. A 4-byte
 * write at GICR_SGI + IPRIORITYR + 0x1d sets the priority of SPIs 32..34;
 * one at GICR_SGI + ISENABLER0 + 3 enables SPIs 32..55 (and kicks their
 * vCPUs); GICR_SGI + ICFGR1 + 3 reconfigures SPIs 32..43. The guest can
 * only reach its own SPIs, so isolation holds, but unaligned accesses
 * should be RAZ/WI (or an abort) like every other unsupported access.
 */
static void test_unaligned_gicr_stays_private(void **state)
{
	(void)state;
	gicr_wr(0, GICR_SGI + GICD_IPRIORITYR + 0x1d, 4, 0xf8f8f8f8);
	gicr_wr(0, GICR_SGI + GICD_ISENABLER + 3, 4, 0xffffffff);
	gicr_wr(0, GICR_SGI + GICD_ICFGR + 7, 4, 0xaaaaaaaa);
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++) {
		assert_int_equal(vm.vgic.spi[i].priority, 0);
		assert_false(vm.vgic.spi[i].enabled);
		assert_false(vm.vgic.spi[i].edge);
	}
}

/*
 * Regression test (was a bug: fixed): list registers that hold
 * lower-priority interrupts the guest has not taken (masked by ICC_PMR_EL1,
 * e.g. Linux with pseudo-NMIs, or simply not yet acknowledged) are never
 * taken back, so a higher-priority interrupt that arrives meanwhile cannot
 * be delivered: vgic_flush() only fills free list registers and the
 * underflow maintenance interrupt does not fire while they are all valid.
 * The GIC requires the highest-priority pending interrupt to be signalled.
 */
static void test_higher_priority_not_starved(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		enable(40 + i, 0xf0, 0);
		vgic_inject(vcpu(0), 40 + i, false);
	}
	flush(0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0xe);
	/* The guest masks priority 0xf0 and below; an urgent one arrives. */
	enable(50, 0x00, 0);
	vgic_inject(vcpu(0), 50, false);
	sync_(0);
	flush(0);
	assert_true(fake_vgic_find(50) >= 0);
}

/*
 * Regression test (was a bug in a vgic_sync() that
 * merges a new edge into a list register as pending+active): `pending` of a
 * level-sensitive interrupt mirrors its line while it sits in a list
 * register (vgic_flush() does not clear it), so a vgic_sync() while the
 * guest handles it (any exit) sets LR_PENDING on top of LR_ACTIVE. If the
 * guest's handler then quiets the device (the line drops), the list
 * register still says pending, and after the EOI the guest takes the
 * interrupt again although nothing asserts it: a spurious interrupt for
 * every exit that falls inside a level interrupt's handler.
 */
static void test_level_deasserted_while_active_not_redelivered(void **state)
{
	(void)state;
	enable(33, 0x80, 0); /* the UART's SPI, level-sensitive */
	vgic_set_level(&vm, 33, true);
	flush(0);
	assert_int_equal(fake_vgic_guest_ack(), 33);
	sync_(0);                       /* an exit while the guest handles it */
	flush(0);
	vgic_set_level(&vm, 33, false); /* the handler serves the device */
	fake_vgic_guest_eoi((unsigned)fake_vgic_find(33));
	sync_(0);
	flush(0);
	assert_int_equal(fake_vgic_guest_ack(), FAKE_VGIC_SPURIOUS);
}

/* ---- The virtual timer's list register and the exit vector's fast path -- */

#define TIMER_LR_HW (LR_VINTID(27) | LR_PINTID(27) | LR_HW | LR_GROUP1 | LR_PENDING)

static uint64_t timer_lr_of(unsigned c)
{
	return vcpu(c)->vgic.timer_lr;
}

/* What the vector would write follows every change of the timer PPI's
 * state that the C path looks at, whoever makes it. */
static void test_timer_lr_follows_state(void **state)
{
	(void)state;
	assert_int_equal(timer_lr_of(0), 0); /* disabled at reset */
	enable(27, 0x40, 0);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x40));
	/* Priority, by byte and by word; only the implemented bits. */
	gicr_wr(0, GICR_SGI + GICD_IPRIORITYR + 27, 1, 0x8f);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x88));
	gicr_wr(0, GICR_SGI + GICD_IPRIORITYR + 24, 4, 0x10ffffff);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x10));
	/* Disabled, then enabled again. */
	gicr_wr(0, GICR_SGI + GICD_ICENABLER, 4, 1u << 27);
	assert_int_equal(timer_lr_of(0), 0);
	gicr_wr(0, GICR_SGI + GICD_ISENABLER, 4, 1u << 27);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x10));
	/* Pending here (a write to ISPENDR0): the C path has to deliver that
	 * one first; once it sits in the timer's list register, the vector may
	 * use the list register again after the guest ends it. */
	gicr_wr(0, GICR_SGI + GICD_ISPENDR, 4, 1u << 27);
	assert_int_equal(timer_lr_of(0), 0);
	flush(0);
	assert_int_equal(lr(0, 0), LR_VINTID(27) | LR_PRIORITY(0x10) | LR_GROUP1 | LR_PENDING);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x10));
	assert_true(fake_vgic_guest_handle(27));
	sync_(0);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x10));
	/* Active by a write to ISACTIVER0, outside any list register. */
	gicr_wr(0, GICR_SGI + GICD_ISACTIVER, 4, 1u << 27);
	assert_int_equal(timer_lr_of(0), 0);
	gicr_wr(0, GICR_SGI + GICD_ICACTIVER, 4, 1u << 27);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x10));
	/* Another vCPU programs this vCPU's redistributor. */
	wr_at(2, frame(0) + GICR_SGI + GICD_ICENABLER, 4, 1u << 27);
	assert_int_equal(timer_lr_of(0), 0);
	wr_at(3, frame(0) + GICR_SGI + GICD_ISENABLER, 4, 1u << 27);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x10));
	assert_int_equal(timer_lr_of(2) | timer_lr_of(3), 0);
	/* The other PPIs and the SPIs have nothing to do with it. */
	enable(26, 0x20, 0);
	enable(40, 0x20, 0);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x10));
	/* A physical timer interrupt that the C path holds (disabled meanwhile). */
	gicr_wr(0, GICR_SGI + GICD_ICENABLER, 4, 1u << 27);
	vgic_inject(vcpu(0), 27, true);
	assert_int_equal(timer_lr_of(0), 0);
	vgic_reset(&vm);
	assert_int_equal(timer_lr_of(0), 0);
	assert_false(vcpu(0)->vgic.timer_fast);
}

/* The vector delivers it; the next exit's sync takes it into the state,
 * and from then on it is like any other interrupt in a list register. */
static void test_timer_vector_round_trip(void **state)
{
	(void)state;
	enable(27, 0x40, 0);
	fake_vgic_select(0);
	assert_true(fake_vgic_timer_vector(vcpu(0)));
	assert_int_equal(lr(0, 0), TIMER_LR_HW | LR_PRIORITY(0x40));
	assert_true(vgic_sync_needed(&vcpu(0)->vgic));
	assert_int_equal(kicks[0], 0); /* no exit, no kick */
	sync_(0);
	const struct vgic_irq *t = &vcpu(0)->vgic.priv[27];

	assert_true(t->in_lr && t->hw && !t->pending && !t->active);
	assert_int_equal(t->lr, 0);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0x1);
	assert_int_equal(vcpu(0)->vgic.lr_intid[0], 27);
	assert_false(vcpu(0)->vgic.timer_fast);
	/* Every vCPU reads it as pending, like one the C path delivered. */
	assert_int_equal(rd_at(1, frame(0) + GICR_SGI + GICD_ISPENDR, 4), 1u << 27);
	/* The list register is busy: the vector leaves a second one to C. */
	assert_false(fake_vgic_timer_vector(vcpu(0)));
	/* The guest takes it: active. */
	assert_int_equal(fake_vgic_guest_ack(), 27);
	sync_(0);
	assert_true(t->active);
	assert_int_equal(gicr_rd(0, GICR_SGI + GICD_ISACTIVER, 4), 1u << 27);
	assert_int_equal(gicr_rd(0, GICR_SGI + GICD_ISPENDR, 4), 0);
	/* It ends it, and the timer fires again before any exit: the vector
	 * reuses the list register. */
	fake_vgic_guest_eoi(0);
	assert_true(fake_vgic_timer_vector(vcpu(0)));
	sync_(0);
	assert_true(t->in_lr && !t->active);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0x1);
	assert_int_equal(vcpu(0)->stats.vtimer_fast, 2);
	/* Ended for good: retired at the next sync, nothing left to deliver. */
	assert_true(fake_vgic_guest_handle(27));
	sync_(0);
	assert_false(t->in_lr || t->pending || t->active);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	assert_int_equal(lr(0, 0), 0);
	assert_int_equal(kicks[0], 0);
	flush(0);
	assert_int_equal(lr(0, 0), 0);
}

/* Delivered and ended with no exit in between: nothing to take in. */
static void test_timer_vector_ended_before_exit(void **state)
{
	(void)state;
	enable(27, 0x40, 0);
	fake_vgic_select(0);
	for (unsigned i = 0; i < 3; i++) {
		assert_true(fake_vgic_timer_vector(vcpu(0)));
		assert_true(fake_vgic_guest_handle(27));
	}
	sync_(0);
	const struct vgic_irq *t = &vcpu(0)->vgic.priv[27];

	assert_false(t->in_lr || t->pending || t->active);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
	assert_int_equal(lr(0, 0), 0);
	assert_false(vcpu(0)->vgic.timer_fast);
	assert_int_equal(timer_lr_of(0), TIMER_LR_HW | LR_PRIORITY(0x40));
	assert_int_equal(vcpu(0)->stats.vtimer_fast, 3);
}

/* When the vector leaves it to C (disabled), the C path holds it pending
 * and delivers it once, in the timer's list register, when re-enabled. */
static void test_timer_disabled_then_enabled(void **state)
{
	(void)state;
	enable(27, 0x30, 0);
	gicr_wr(0, GICR_SGI + GICD_ICENABLER, 4, 1u << 27);
	fake_vgic_select(0);
	assert_false(fake_vgic_timer_vector(vcpu(0)));
	vgic_inject(vcpu(0), 27, true); /* what vm_handle_irqs() does then */
	sync_(0);
	flush(0);
	assert_int_equal(lr(0, 0), 0);
	assert_int_equal(gicr_rd(0, GICR_SGI + GICD_ISPENDR, 4), 1u << 27);
	gicr_wr(0, GICR_SGI + GICD_ISENABLER, 4, 1u << 27);
	assert_int_equal(kicks[0], 1);
	flush(0);
	assert_int_equal(lr(0, 0), TIMER_LR_HW | LR_PRIORITY(0x30));
	assert_true(fake_vgic_guest_handle(27));
	sync_(0);
	flush(0);
	assert_int_equal(lr(0, 0), 0);
	assert_int_equal(fake_vgic_guest_ack(), FAKE_VGIC_SPURIOUS);
}

/* The timer's list register is its own: other interrupts never use it, not
 * even to evict for a better one, and it never waits for theirs. */
static void test_timer_lr_is_its_own(void **state)
{
	(void)state;
	gicd_wr(GICD_ICFGR + 8, 4, 0xaaaaaaaa); /* SPIs 32..47 edge */
	for (uint32_t i = 0; i < 5; i++) {
		enable(40 + i, 0xe0, 0);
		vgic_inject(vcpu(0), 40 + i, false);
	}
	enable(27, 0xf0, 0); /* the lowest priority of all */
	vgic_inject(vcpu(0), 27, true);
	flush(0);
	assert_int_equal(LR_VINTID(lr(0, 0)), 27);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0xf);
	assert_true(fake_vgic.underflow[0]);
	/* A better one evicts an SPI, not the timer. */
	enable(50, 0x00, 0);
	vgic_inject(vcpu(0), 50, false);
	sync_(0);
	flush(0);
	assert_int_equal(LR_VINTID(lr(0, 0)), 27);
	assert_true(fake_vgic_find(50) >= 1);
	/* The guest drains everything, each once; the timer went first to
	 * the guest only by priority order, not by list register order. */
	unsigned seen = 0;

	for (unsigned round = 0; round < 8; round++) {
		uint32_t id;

		while ((id = fake_vgic_guest_ack()) != FAKE_VGIC_SPURIOUS) {
			fake_vgic_guest_eoi((unsigned)fake_vgic_find(id));
			seen++;
		}
		sync_(0);
		flush(0);
	}
	assert_int_equal(seen, 7);
	assert_int_equal(vcpu(0)->vgic.lr_used, 0);
}

/* With a single list register there is no fast path. */
static void test_timer_single_lr(void **state)
{
	(void)state;
	fake_vgic.lr_count = 1;
	vgic_reset(&vm);
	enable(27, 0x40, 0);
	assert_int_equal(timer_lr_of(0), 0);
	fake_vgic_select(0);
	assert_false(fake_vgic_timer_vector(vcpu(0)));
	vgic_inject(vcpu(0), 27, true);
	flush(0);
	assert_int_equal(lr(0, 0), TIMER_LR_HW | LR_PRIORITY(0x40));
}

/* ---- The fast-MMIO table ------------------------------------------------- */

/* Every register the table holds reads the same through vgic_mmio(), from
 * every vCPU, and through the vector; returns how many there are. */
static unsigned fast_reads_agree(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FASTMMIO_SLOTS; i++) {
		const struct fastmmio *e = &vm.fastmmio[i];

		if (!e->key)
			continue;
		uint64_t ipa = e->key >> 4, v = POISON;
		unsigned kind = e->key & 7, size = 1u << (kind & 3);

		assert_int_equal(fastmmio_slot(ipa, kind), i);
		assert_false(kind & 4); /* reads only */
		for (unsigned c = 0; c < vm.vcpu_count; c++)
			assert_int_equal(rd_at(c, ipa, size), e->val);
		assert_true(fake_fastmmio(&vm, ipa, size, false, &v));
		assert_int_equal(v, e->val);
		n++;
	}
	return n;
}

static const struct fastmmio *fast_entry(uint64_t ipa, unsigned size_log2)
{
	unsigned kind = fastmmio_kind(size_log2, false);
	const struct fastmmio *e = &vm.fastmmio[fastmmio_slot(ipa, kind)];

	return e->key == fastmmio_key(ipa, kind) ? e : NULL;
}

/* GICD_TYPER, IIDR, PIDR2 and each frame's TYPER (64 and upper 32 bits),
 * IIDR and PIDR2; what vgic_mmio() answers, before and after the guest
 * writes to them and changes everything else. */
static void test_fast_reads(void **state)
{
	uint64_t v;

	(void)state;
	vgic_add_fast_reads(&vm);
	assert_int_equal(fast_reads_agree(), 3 + 4 * 4);
	assert_int_equal(fast_entry(VGIC_DIST_BASE + GICD_TYPER, 2)->val, 0x7 | (9u << 19));
	assert_int_equal(fast_entry(frame(3) + GICR_TYPER, 3)->val, 3ULL << 32 | 3 << 8 | 1 << 4);
	/* Only the size it has, only reads, only what is in the table. */
	assert_null(fast_entry(VGIC_DIST_BASE + GICD_TYPER, 3));
	assert_false(fake_fastmmio(&vm, VGIC_DIST_BASE + GICD_TYPER, 8, false, &v));
	assert_false(fake_fastmmio(&vm, VGIC_DIST_BASE + GICD_TYPER, 4, true, &v));
	assert_false(fake_fastmmio(&vm, VGIC_DIST_BASE + GICD_CTLR, 4, false, &v));
	assert_false(fake_fastmmio(&vm, frame(4) + GICR_TYPER, 8, false, &v)); /* no 5th vCPU */
	for (uint64_t ipa = VGIC_DIST_BASE; ipa < frame(4); ipa += 4)
		if (fast_entry(ipa, 2))
			wr_at(1, ipa, 4, ~0ULL);
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	enable(40, 0x10, 2);
	gicr_wr(3, GICR_WAKER, 4, 0);
	assert_int_equal(fast_reads_agree(), 3 + 4 * 4);
	/* Eight vCPUs: every register of the vGIC has a slot of its own. */
	setup_vm(8);
	vgic_add_fast_reads(&vm);
	assert_int_equal(fast_reads_agree(), 3 + 8 * 4);
	assert_int_equal(fast_entry(frame(7) + GICR_TYPER, 3)->val, 7ULL << 32 | 7 << 8 | 1 << 4);
	assert_int_equal(fast_entry(frame(6) + GICR_TYPER, 3)->val, 6ULL << 32 | 6 << 8);
}

/*
 * A hardware-linked interrupt the guest clears pending before it ever
 * reaches a list register: the physical one, active since the hypervisor
 * took it, is released, or it never fires again (the guest's own timer).
 * Cleared from another vCPU's frame, it is released on the owner's CPU.
 */
static void test_hw_cleared_before_delivery(void **state)
{
	(void)state;
	gicd_wr(GICD_CTLR, 4, CTLR_GRP1);
	/* The timer fires while the guest has it disabled: pending, linked. */
	vgic_inject(vcpu(2), 27, true);
	flush(2);
	assert_int_equal(fake_vgic_find(27), -1);
	gicr_wr(1, GICR_SGI + GICD_ICPENDR, 4, 1u << 27); /* vCPU 1's frame: no effect on 2 */
	assert_int_equal(fake_vgic.hw_releases, 0);
	gicr_wr(2, GICR_SGI + GICD_ICPENDR, 4, 1u << 27);
	assert_int_equal(fake_vgic.hw_releases, 1);
	assert_int_equal(fake_vgic.hw_released_cpu, 2);
	assert_int_equal(fake_vgic.hw_released_intid, 27);
	assert_int_equal(gicr_rd(2, GICR_SGI + GICD_ISPENDR, 4) & (1u << 27), 0);
	gicr_wr(2, GICR_SGI + GICD_ICPENDR, 4, 1u << 27); /* nothing left to release */
	assert_int_equal(fake_vgic.hw_releases, 1);

	/* A passed-through SPI, the same. */
	vgic_inject(vcpu(0), 40, true);
	gicd_wr(GICD_ICPENDR + 4, 4, 1u << 8);
	assert_int_equal(fake_vgic.hw_releases, 2);
	assert_int_equal(fake_vgic.hw_released_intid, 40);

	/* In a list register already: the guest's EOI ends it, nothing released. */
	enable(41, 0x80, 0);
	vgic_inject(vcpu(0), 41, true);
	flush(0);
	assert_true(fake_vgic_find(41) >= 0);
	gicd_wr(GICD_ICPENDR + 4, 4, 1u << 9);
	assert_int_equal(fake_vgic.hw_releases, 2);
	/* A software interrupt is never released. */
	vgic_inject(vcpu(0), 42, false);
	gicd_wr(GICD_ICPENDR + 4, 4, 1u << 10);
	assert_int_equal(fake_vgic.hw_releases, 2);
}

#define T(f) cmocka_unit_test_setup(f, setup4)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gicd_id_registers),
		T(test_hw_cleared_before_delivery),
		T(test_gicd_ctlr),
		T(test_gicd_ctlr_kicks_waiting_spis),
		T(test_spi_enable_bits),
		T(test_gicd_private_and_beyond_raz_wi),
		T(test_spi_pending_bits),
		T(test_spi_active_bits),
		T(test_spi_group_bits),
		T(test_spi_priority),
		T(test_priority_bits_follow_hardware),
		T(test_private_priority),
		T(test_spi_config),
		T(test_private_config),
		T(test_irouter),
		T(test_irouter_raz_wi),
		T(test_irouter_moves_pending_spi),
		T(test_gicr_typer),
		T(test_gicr_id_and_ctlr),
		T(test_gicr_waker),
		T(test_gicr_private_bits),
		T(test_gicr_beyond_private_raz_wi),
		T(test_not_claimed),
		T(test_bad_access_sizes),
		T(test_every_offset),
		T(test_sgi1r_target_list),
		T(test_sgi1r_range_selector),
		T(test_sgi1r_broadcast),
		T(test_sgi1r_upper_affinity),
		T(test_sgi_kicks_only_enabled_targets),
		T(test_flush_highest_priority_first),
		T(test_flush_equal_priority_lowest_intid_first),
		T(test_flush_only_deliverable),
		T(test_more_pending_than_lrs),
		T(test_fewer_lrs_than_max),
		T(test_sync_frees_lr_after_eoi),
		T(test_edge_while_active),
		T(test_level_repends_while_asserted),
		T(test_set_level),
		T(test_inject_bad_intid),
		T(test_inject_kicks_target),
		T(test_hw_interrupts),
		T(test_inject_local_fills_free_lr),
		T(test_inject_local_falls_back),
		T(test_inject_local_waits_its_turn),
		T(test_flush_after_every_enabling_change),
		T(test_flush_sorts_many),
		T(test_sync_idle),
		T(test_flush_per_vcpu),
		T(test_reset),
		T(test_level_ispendr_cleared_by_ack),  
		T(test_unaligned_gicr_stays_private),  
		T(test_higher_priority_not_starved),   
		T(test_level_deasserted_while_active_not_redelivered), 
		T(test_timer_lr_follows_state),
		T(test_timer_vector_round_trip),
		T(test_timer_vector_ended_before_exit),
		T(test_timer_disabled_then_enabled),
		T(test_timer_lr_is_its_own),
		T(test_timer_single_lr),
		T(test_fast_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
