/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory probes: the VM's own RAM (allowed), and every guest-physical
 * address that is not its own: past its RAM, below it, host RAM where other
 * VMs live, holes, the host's devices, the top of the IPA space and beyond.
 *
 * The attacker knows QEMU virt's host layout: RAM from 0x4000_0000 (the
 * hypervisor's metadata pool at 0x4000_0000, its image at 0x4020_0000, the
 * VMs after it), the host's PL031 at 0x0901_0000, fw_cfg at 0x0902_0000,
 * virtio-mmio from 0x0a00_0000, PCIe ECAM at 0x3f00_0000 and 0x40_1000_0000,
 * the GIC ITS at 0x0808_0000. In its own IPA space each of these is either
 * its own RAM (IPA is not PA) or unmapped.
 */
#include "attacker.h"

#define ATTK_TAG 0x4154544bULL /* "ATTK" */
#define HOLE 0x0b000000UL

static uintptr_t ram_end(void)
{
	return boot_ram_base() + boot_ram_size();
}

static inline uint64_t attk_pattern(uintptr_t a)
{
	return ATTK_TAG << 32 | (uint32_t)((a >> 3) * 0x85ebca6bu);
}

static void sync_icache(void)
{
	__asm__ volatile("dsb ish; ic iallu; dsb ish; isb" : : : "memory");
}

/* Writes `mov x0, #42; ret` at `a` and calls it. */
static uint64_t exec_at(uintptr_t a)
{
	volatile uint32_t *p = (volatile uint32_t *)a;
	uint64_t (*fn)(void) = (uint64_t (*)(void))a;

	p[0] = 0xd2800540; /* mov x0, #42 */
	p[1] = 0xd65f03c0; /* ret */
	sync_icache();
	return fn();
}

bool probe_mem_own_bounds(struct probe_ctx *c)
{
	uintptr_t first = boot_ram_base(), last = ram_end() - 4096;

	if (boot_ram_size() == 0) {
		fail(c, "no RAM size in the devicetree");
		return false;
	}
	for (unsigned k = 0; k < 2; k++) {
		uintptr_t page = k ? last : first;
		volatile uint64_t *w = (volatile uint64_t *)page;
		unsigned bad = 0;

		for (unsigned i = 0; i < 512; i++)
			w[i] = attk_pattern(page + 8 * i);
		for (unsigned i = 0; i < 512; i++)
			bad += w[i] != attk_pattern(page + 8 * i);
		note(c, "%s page 0x%lx: %u of 512 words differ", k ? "last" : "first",
		     (unsigned long)page, bad);
		if (bad)
			c->ok = false;
		expect_eq(c, k ? "exec(last page)" : "exec(first page)", exec_at(page + 64), 42);
	}
	return c->ok;
}

/* Counts the words of [a, b) with the victim's tag, and those not zero. */
static void scan(uintptr_t a, uintptr_t b, uint64_t *tagged, uint64_t *nonzero)
{
	for (const volatile uint64_t *p = (const volatile uint64_t *)a;
	     (uintptr_t)p < b; p++) {
		uint64_t v = *p;

		*tagged += (v >> 32) == VICTIM_TAG;
		*nonzero += v != 0;
	}
}

static void fill(uintptr_t a, uintptr_t b)
{
	for (volatile uint64_t *p = (volatile uint64_t *)a; (uintptr_t)p < b; p++)
		*p = attk_pattern((uintptr_t)p);
}

static uint64_t verify(uintptr_t a, uintptr_t b)
{
	uint64_t bad = 0;

	for (const volatile uint64_t *p = (const volatile uint64_t *)a; (uintptr_t)p < b; p++)
		bad += *p != attk_pattern((uintptr_t)p);
	return bad;
}

/*
 * Every IPA of its RAM outside its own image is written and read back,
 * among them the IPAs that on the host are the hypervisor's metadata pool
 * (0x4000_0000), its image (0x4020_0000) and the victim's RAM (the
 * scenario checks from the boot log that the victim's PA lies inside this
 * VM's IPA range). Before that, the whole RAM is scanned: it must hold no
 * word of the victim and nothing but the attacker's own image and its
 * devicetree (RAM is zeroed before a VM is loaded).
 */
bool probe_mem_ipa_not_pa(struct probe_ctx *c)
{
	uintptr_t base = boot_ram_base(), end = ram_end();
	uintptr_t img0 = (uintptr_t)__image_start, img1 = (uintptr_t)__image_end;
	uintptr_t dtb = boot_dtb(), dtb_end = dtb + ((boot_dtb_size() + 4095) & ~4095UL);
	uint64_t tagged = 0, nonzero = 0, bad;
	volatile uint64_t *hdr = (volatile uint64_t *)(GUEST_LOAD_ADDR + 0x28); /* res3, res4 */

	if (boot_ram_size() == 0 || dtb == 0) {
		fail(c, "no RAM size or devicetree");
		return false;
	}
	scan(base, img0, &tagged, &nonzero);
	scan(img1, dtb, &tagged, &nonzero);
	scan(dtb_end, end, &tagged, &nonzero);
	note(c, "RAM 0x%lx-0x%lx scanned: %llu victim-tagged words, %llu non-zero words outside "
	     "its image and devicetree", (unsigned long)base, (unsigned long)end,
	     (unsigned long long)tagged, (unsigned long long)nonzero);
	if (tagged || nonzero)
		fail(c, "memory it was given was not clean");

	/* The Image header's reserved words at IPA 0x40200028: host PA 0x40200028 is
	 * the hypervisor's own Image header. */
	hdr[0] = ATTK_TAG << 32 | 0x4d41524b; /* "ATTKMARK" */
	hdr[1] = ~hdr[0];
	fill(base, img0);
	fill(img1, end);
	dsb(sy);
	timer_delay_us(600 * 1000); /* the victim hashes its region twice meanwhile */
	bad = verify(base, img0) + verify(img1, end);
	note(c, "wrote 0x%lx-0x%lx and 0x%lx-0x%lx, read back after 600 ms: %llu words differ",
	     (unsigned long)base, (unsigned long)img0, (unsigned long)img1, (unsigned long)end,
	     (unsigned long long)bad);
	if (bad)
		fail(c, "someone else wrote into this VM's memory");
	if (hdr[0] != (ATTK_TAG << 32 | 0x4d41524b) || hdr[1] != ~(ATTK_TAG << 32 | 0x4d41524b))
		fail(c, "marker at IPA 0x40200028 did not read back");
	else
		note(c, "marker at IPA 0x40200028 read back");
	return c->ok;
}

static bool stop_read(struct probe_ctx *c, uintptr_t a)
{
	char what[64];
	uint64_t v;

	gprintf("PROBE %s: reading 0x%lx\n", c->name, (unsigned long)a);
	v = ld32(a);
	gsnprintf(what, sizeof(what), "read of 0x%lx (0x%llx)", (unsigned long)a,
		  (unsigned long long)v);
	return expect_stop_after(c, what);
}

static bool stop_read64(struct probe_ctx *c, uintptr_t a)
{
	char what[64];
	uint64_t v;

	gprintf("PROBE %s: reading 0x%lx\n", c->name, (unsigned long)a);
	trap_begin();
	v = ld64(a);
	trap_end();
	gsnprintf(what, sizeof(what), "read of 0x%lx (0x%llx, %s)", (unsigned long)a,
		  (unsigned long long)v, trap_str());
	return expect_stop_after(c, what);
}

static bool stop_write(struct probe_ctx *c, uintptr_t a)
{
	char what[48];

	gprintf("PROBE %s: writing 0x%lx\n", c->name, (unsigned long)a);
	st32(a, 0x41414141);
	gsnprintf(what, sizeof(what), "write of 0x%lx", (unsigned long)a);
	return expect_stop_after(c, what);
}

static bool stop_exec(struct probe_ctx *c, uintptr_t a)
{
	char what[48];
	void (*fn)(void) = (void (*)(void))a;

	gprintf("PROBE %s: jumping to 0x%lx\n", c->name, (unsigned long)a);
	fn();
	gsnprintf(what, sizeof(what), "jump to 0x%lx", (unsigned long)a);
	return expect_stop_after(c, what);
}

bool probe_mem_past_end_read(struct probe_ctx *c) { return stop_read(c, ram_end()); }
bool probe_mem_past_end_write(struct probe_ctx *c) { return stop_write(c, ram_end()); }
bool probe_mem_past_end_exec(struct probe_ctx *c) { return stop_exec(c, ram_end()); }
bool probe_mem_below_base(struct probe_ctx *c) { return stop_read(c, boot_ram_base() - 0x1000); }
bool probe_mem_host_ram(struct probe_ctx *c) { return stop_read(c, 0x50000000); }
bool probe_mem_hole_write(struct probe_ctx *c) { return stop_write(c, HOLE); }
bool probe_mem_flash_write(struct probe_ctx *c) { return stop_write(c, 0x04000000); }
bool probe_mem_ipa_top(struct probe_ctx *c) { return stop_read64(c, (1UL << 39) - 0x1000); }
bool probe_mem_ipa_2e39(struct probe_ctx *c) { return stop_read64(c, 1UL << 39); }
bool probe_mem_ipa_2e48(struct probe_ctx *c) { return stop_read64(c, 1UL << 48); }
bool probe_dev_pl031(struct probe_ctx *c) { return stop_read(c, 0x09010000); }
bool probe_dev_fwcfg(struct probe_ctx *c) { return stop_write(c, 0x09020008); }
bool probe_dev_virtio(struct probe_ctx *c) { return stop_read(c, 0x0a000000); }
bool probe_dev_pcie_ecam(struct probe_ctx *c) { return stop_read(c, 0x3f000000); }
bool probe_dev_pcie_high(struct probe_ctx *c) { return stop_read64(c, 0x4010000000UL); }

/* With the MMU off, an address beyond the PA size is an address size fault
 * at stage 1: the guest's own exception, the hypervisor never sees it. */
bool probe_mem_va_top(struct probe_ctx *c)
{
	uintptr_t a = 0xffff000000000000UL;
	uint64_t v;

	trap_begin();
	v = ld64(a);
	trap_end();
	note(c, "ID_AA64MMFR0_EL1.PARange %llu", (unsigned long long)(read_sysreg(id_aa64mmfr0_el1) & 0xf));
	note(c, "read of 0x%lx: %s", (unsigned long)a, trap_str());
	expect_eq(c, "value", v, POISON);
	expect_eq(c, "traps", trap.count, 1);
	expect_eq(c, "EC", ESR_EC(trap.esr), EC_DABT_CUR);
	expect_eq(c, "DFSC", ESR_DFSC(trap.esr), 0x00); /* address size fault, level 0 */
	return c->ok;
}

/* The GIC ITS of the host sits inside the window the vGIC emulates: the
 * hypervisor answers it as reserved GIC space. */
bool probe_dev_gic_its(struct probe_ctx *c)
{
	uintptr_t its = 0x08080000;

	trap_begin();
	st32(its + 0x0, 1);              /* GITS_CTLR.Enabled */
	st64(its + 0x80, 0x40000000 | 1ULL << 63); /* GITS_CBASER: a command queue in host RAM */
	st64(its + 0x88, 0x1000);        /* GITS_CWRITER */
	expect_eq(c, "GITS_CTLR", ld32(its + 0x0), 0);
	expect_eq(c, "GITS_TYPER", ld64(its + 0x8), 0);
	expect_eq(c, "GITS_CBASER", ld64(its + 0x80), 0);
	expect_eq(c, "GITS_PIDR2", ld32(its + 0xffe8), 0);
	trap_end();
	expect_eq(c, "exceptions", trap.count, 0);
	return c->ok;
}

/*
 * Stage 1 on, with TTBR1 pointing at a hole in the IPA space: the first
 * access through TTBR1 makes the CPU walk a table that is not the VM's
 * memory, a stage-2 fault during the stage-1 walk (S1PTW).
 */
static uint64_t l1_table[512] __attribute__((aligned(4096)));

bool probe_mem_s1ptw(struct probe_ctx *c)
{
	uint64_t tcr = 25 |               /* T0SZ: 39-bit VAs, walk starts at level 1 */
		       25ULL << 16 |      /* T1SZ */
		       2ULL << 30 |       /* TG1: 4 KiB */
		       1ULL << 32;        /* IPS: 36 bits */
	uint64_t sctlr = read_sysreg(sctlr_el1);
	uint64_t v;

	l1_table[0] = 0x00000000 | 0 << 2 | 1 << 10 | 1;  /* 0-1 GiB: Device-nGnRnE block */
	l1_table[1] = 0x40000000 | 1 << 2 | 1 << 10 | 1;  /* 1-2 GiB: Normal NC block */
	dsb(sy);
	write_sysreg(mair_el1, 0x4400);
	write_sysreg(tcr_el1, tcr);
	write_sysreg(ttbr0_el1, (uintptr_t)l1_table);
	write_sysreg(ttbr1_el1, HOLE);
	isb();
	__asm__ volatile("tlbi vmalle1; dsb nsh; isb" : : : "memory");
	write_sysreg(sctlr_el1, sctlr | 1); /* M */
	isb();
	gprintf("PROBE %s: stage 1 on, reading through TTBR1 (tables at IPA 0x%lx)\n", c->name,
		HOLE);
	v = ld64(0xffffff8000000000UL);
	write_sysreg(sctlr_el1, sctlr);
	isb();
	note(c, "read 0x%llx", (unsigned long long)v);
	return expect_stop_after(c, "a stage-1 walk through TTBR1 at a hole");
}

bool probe_mem_vbar_unmapped(struct probe_ctx *c)
{
	gprintf("PROBE %s: VBAR_EL1 = 0x%lx, then UDF\n", c->name, HOLE);
	write_sysreg(vbar_el1, HOLE);
	isb();
	__asm__ volatile("udf #0" : : : "memory");
	return expect_stop_after(c, "an exception with VBAR_EL1 in a hole");
}
