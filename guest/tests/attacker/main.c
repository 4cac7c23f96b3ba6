/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attacker's framework: the table of probes, the one chosen by
 * `probe=NAME`, and what every probe shares (notes, the trap hook, IRQ
 * counting). See attacker.h and docs/security.md.
 */
#include "attacker.h"

#define START_DELAY_MS 600 /* the victim has filled its region and hashed it once */

static const struct probe probes[] = {
	/* Memory: the VM's own RAM, and everything that is not. */
	{ "mem-own-bounds", "first and last page of its RAM readable, writable, executable",
	  probe_mem_own_bounds, 1, false },
	{ "mem-ipa-not-pa", "IPAs equal to the host PAs of the hypervisor and the victim are its "
	  "own RAM: markers read back, no victim word found, victim unchanged",
	  probe_mem_ipa_not_pa, 1, false },
	{ "mem-past-end-read", "stopped: read of unmapped guest-physical address (RAM end)",
	  probe_mem_past_end_read, 1, false },
	{ "mem-past-end-write", "stopped: write of unmapped guest-physical address (RAM end)",
	  probe_mem_past_end_write, 1, false },
	{ "mem-past-end-exec", "stopped: instruction fetch from unmapped guest-physical address "
	  "(RAM end)", probe_mem_past_end_exec, 1, false },
	{ "mem-below-base", "stopped: read of unmapped guest-physical address 0x3ffff000",
	  probe_mem_below_base, 1, false },
	{ "mem-host-ram", "stopped: read of unmapped guest-physical address 0x50000000 (host RAM "
	  "of other VMs)", probe_mem_host_ram, 1, false },
	{ "mem-hole-write", "stopped: write of unmapped guest-physical address 0xb000000",
	  probe_mem_hole_write, 1, false },
	{ "mem-flash-write", "stopped: write of unmapped guest-physical address 0x4000000 (host "
	  "flash)", probe_mem_flash_write, 1, false },
	{ "mem-ipa-top", "stopped: read of unmapped guest-physical address 0x7ffffff000 (last page "
	  "of the 39-bit IPA space)", probe_mem_ipa_top, 1, false },
	{ "mem-ipa-2e39", "stopped: read of unmapped guest-physical address 0x8000000000 (2^39, past "
	  "the stage-2 input range)", probe_mem_ipa_2e39, 1, false },
	{ "mem-ipa-2e48", "stopped: read of unmapped guest-physical address 0x1000000000000 (2^48)",
	  probe_mem_ipa_2e48, 1, false },
	{ "mem-va-top", "address size fault at EL1 (EC 0x25 DFSC 0x00): MMU off, address past the "
	  "PA size", probe_mem_va_top, 1, false },
	{ "mem-s1ptw", "stopped: stage-1 page-table walk outside the VM's memory",
	  probe_mem_s1ptw, 1, false },
	{ "mem-vbar-unmapped", "stopped: instruction fetch from unmapped guest-physical address "
	  "0xb000200 (its vector table)", probe_mem_vbar_unmapped, 1, false },
	{ "dev-pl031", "stopped: read of unmapped guest-physical address 0x9010000 (host PL031)",
	  probe_dev_pl031, 1, false },
	{ "dev-fwcfg", "stopped: write of unmapped guest-physical address 0x9020008 (host fw_cfg)",
	  probe_dev_fwcfg, 1, false },
	{ "dev-virtio", "stopped: read of unmapped guest-physical address 0xa000000 (host "
	  "virtio-mmio)", probe_dev_virtio, 1, false },
	{ "dev-pcie-ecam", "stopped: read of unmapped guest-physical address 0x3f000000 (host PCIe "
	  "ECAM)", probe_dev_pcie_ecam, 1, false },
	{ "dev-pcie-high", "stopped: read of unmapped guest-physical address 0x4010000000 (host "
	  "high PCIe ECAM)", probe_dev_pcie_high, 1, false },
	{ "dev-gic-its", "host GIC ITS frame 0x8080000 reads as zero, writes ignored (inside the "
	  "emulated GIC window)", probe_dev_gic_its, 1, false },

	/* The GIC: interrupts and vCPUs that are not its own. */
	{ "gic-spi-beyond", "INTIDs 256-1019 RAZ/WI in every distributor register; TYPER says 256",
	  probe_gic_spi_beyond, 1, false },
	{ "gic-spi-own", "each of its SPIs 32-255 set pending arrives once, at itself only",
	  probe_gic_spi_own, 1, false },
	{ "gic-lr-overflow", "16 SGIs pending at once, more than the list registers: each taken "
	  "once", probe_gic_lr_overflow, 1, false },
	{ "gic-irouter-foreign", "IROUTER to an affinity outside the VM or IRM=1 reads back vCPU 0; "
	  "the SPI arrives at itself", probe_gic_irouter_foreign, 1, false },
	{ "gic-sgi-targetlist", "SGIs to TargetList bits beyond its vCPUs and RS 1-15 reach nobody",
	  probe_gic_sgi_targetlist, 1, false },
	{ "gic-sgi-affinity", "SGIs with Aff1/Aff2/Aff3 non-zero reach nobody",
	  probe_gic_sgi_affinity, 1, false },
	{ "gic-sgi-broadcast", "IRM broadcast SGIs reach only its own other vCPUs (here none)",
	  probe_gic_sgi_broadcast, 1, false },
	{ "gic-icc-sgi0r", "ICC_SGI0R_EL1 and ICC_ASGI1R_EL1 writes are ignored (no SGI anywhere, "
	  "no exception)", probe_gic_icc_sgi0r, 1, false },
	{ "gic-icc-sre", "ICC_SRE_EL1 = 0 is ignored: SRE stays 1, SGIs still work",
	  probe_gic_icc_sre, 1, false },
	{ "gic-icc-dir-pmr", "ICC_DIR/EOIR of inactive INTIDs and PMR changes are harmless",
	  probe_gic_icc_dir_pmr, 1, false },
	{ "gic-lpi", "no LPIs: GICR_CTLR.EnableLPIs, PROPBASER, PENDBASER are RAZ/WI",
	  probe_gic_lpi, 1, false },
	{ "gic-legacy", "GICD_SGIR, GICD_SETSPI_NSR and clearing ARE have no effect",
	  probe_gic_legacy, 1, false },
	{ "gic-redist-beyond", "redistributor frames 1-7 (beyond its one vCPU) read as zero, "
	  "writes ignored; frame 0 is Last", probe_gic_redist_beyond, 1, false },
	{ "gic-redist-past-window", "stopped: read of unmapped guest-physical address 0x81a0008 "
	  "(redistributor frame 8)", probe_gic_redist_past_window, 1, false },

	/* Firmware calls. */
	{ "psci-cpu-on-bad-mpidr", "CPU_ON of Aff1/Aff2/Aff3 set, bit 31, an index beyond its "
	  "vCPUs: INVALID_PARAMETERS (-2)", probe_psci_cpu_on_bad_mpidr, 2, false },
	{ "psci-cpu-on-bad-entry", "CPU_ON with an entry outside its RAM or unaligned: "
	  "INVALID_ADDRESS (-9); a good one then works", probe_psci_cpu_on_bad_entry, 2, false },
	{ "psci-cpu-on-running", "CPU_ON of a running vCPU or of itself: ALREADY_ON (-4)",
	  probe_psci_cpu_on_running, 2, false },
	{ "psci-cpu-off-last", "CPU_OFF of its last vCPU: the VM idles with no vCPU running, not "
	  "stopped", probe_psci_cpu_off_last, 1, false },
	{ "psci-affinity-foreign", "AFFINITY_INFO of CPUs not its own: INVALID_PARAMETERS (-2)",
	  probe_psci_affinity_foreign, 1, false },
	{ "psci-system-reset", "SYSTEM_RESET restarts the VM once (the victim keeps running)",
	  probe_psci_system_reset, 1, false },
	{ "psci-reset-state", "after SYSTEM_RESET no register state of the previous boot "
	  "survives (FP/SIMD, PAC keys)", probe_psci_reset_state, 1, false },
	{ "psci-bad-args", "known calls with bad arguments: error codes, no state change",
	  probe_psci_bad_args, 1, false },
	{ "psci-on-off-race", "CPU_ON(1) in a loop while vCPU 1 turns itself off: SUCCESS, "
	  "ALREADY_ON or ON_PENDING only, one run per SUCCESS", probe_psci_on_off_race, 2, false },
	{ "hvc-unknown", "unknown HVC function IDs of every owner, 32/64-bit, fast and yielding: "
	  "NOT_SUPPORTED (-1) in all 64 bits", probe_hvc_unknown, 1, false },
	{ "smc-unknown", "the same over SMC #0: NOT_SUPPORTED (-1), PSCI over SMC works",
	  probe_smc_unknown, 1, false },
	{ "hvc-imm", "HVC/SMC with a non-zero immediate: NOT_SUPPORTED (-1), even for "
	  "SYSTEM_OFF", probe_hvc_imm, 1, false },
	{ "hvc-x0-upper", "function IDs with x0[63:32] set: NOT_SUPPORTED (-1), even for "
	  "SYSTEM_OFF/RESET and CPU_OFF", probe_hvc_x0_upper, 1, false },

	/* MMIO to the emulated devices. */
	{ "mmio-sizes", "1/2/4/8-byte accesses to the UART and GIC: emulated or RAZ/WI",
	  probe_mmio_sizes, 1, false },
	{ "mmio-unaligned", "unaligned MMIO (MMU off, Device memory): alignment fault at EL1, or "
	  "RAZ/WI where QEMU lets it through",
	  probe_mmio_unaligned, 1, false },
	{ "mmio-writeback", "LDR/STR with writeback (no syndrome): data abort injected, base "
	  "register unchanged", probe_mmio_writeback, 1, false },
	{ "mmio-pair", "LDP/STP (no syndrome): data abort injected", probe_mmio_pair, 1, false },
	{ "mmio-exclusive", "LDXR/STXR (no syndrome): data abort injected", probe_mmio_exclusive, 1, false },
	{ "mmio-atomic", "LDADD/SWP/CAS (no syndrome): data abort injected", probe_mmio_atomic, 1, false },
	{ "mmio-simd", "LDR q0 / LD1 / STR s0 (no syndrome): data abort injected", probe_mmio_simd, 1, false },
	{ "mmio-dczva", "DC ZVA on an emulated device page: data abort (injected or alignment)",
	  probe_mmio_dczva, 1, false },
	{ "mmio-acqrel", "LDAR/STLR/LDRSB/LDRSH: emulated with the right size and sign",
	  probe_mmio_acqrel, 1, false },
	{ "mmio-str-upper", "a 32-bit STR to GICD_IROUTER uses only the 32 bits stored, not the "
	  "register's upper half", probe_mmio_str_upper, 2, false },
	{ "mmio-a32-thumb", "a 16-bit Thumb LDR from MMIO at AArch32 EL0 is emulated and resumes "
	  "at the next 16-bit instruction", probe_mmio_a32_thumb, 1, false },
	{ "mmio-el0-pair", "LDP from MMIO at EL0: the injected abort is taken as from EL0 (EC "
	  "0x24, DFSC 0x10)", probe_mmio_el0_pair, 1, false },
	{ "mmio-exec", "stopped: instruction fetch from unmapped guest-physical address 0x9000000 "
	  "(the emulated UART)", probe_mmio_exec, 1, false },

	/* System registers and instructions. */
	{ "sys-debug", "debug registers (MDSCR, DBGBVR0/BCR0, DBGWVR0, OSLAR, OSDLR) RAZ/WI",
	  probe_sys_debug, 1, false },
	{ "sys-pmu", "PMU registers (PMCR, PMCCNTR, PMCNTENSET, PMUSERENR, PMEVCNTR0) RAZ/WI",
	  probe_sys_pmu, 1, false },
	{ "sys-impdef", "IMPLEMENTATION DEFINED registers: undefined instruction (QEMU 7.2 lacks "
	  "TIDCP: raised by the CPU, or executed where QEMU models the register)",
	  probe_sys_impdef, 1, false },
	{ "sys-el2-regs", "EL2/EL3 registers (HCR_EL2, VBAR_EL2, VTTBR_EL2, ICH_HCR_EL2, SCR_EL3) "
	  "at EL1: undefined instruction", probe_sys_el2_regs, 1, false },
	{ "sys-setway", "DC ISW/CSW/CISW: trapped and ignored (no exception)", probe_sys_setway, 1, false },
	{ "sys-cntp", "EL1 physical timer CNTP_CTL/CVAL/TVAL RAZ/WI: no PPI 30 ever",
	  probe_sys_cntp, 1, false },
	{ "sys-tlbi", "TLBI VMALLE1IS/VAE1IS/ASIDE1IS and IC IALLUIS at EL1: harmless; TLBI "
	  "ALLE2/ALLE1 undefined", probe_sys_tlbi, 1, false },
	{ "sys-actlr", "ACTLR_EL1 (trapped by HCR_EL2.TACR): ignored, RAZ/WI, as "
	  "docs/architecture.md says", probe_sys_actlr, 1, false },

	/* Floods: the hypervisor and the victim must not notice. */
	{ "flood-sgi", "an SGI storm to itself for 2 s: all delivered to itself, victim unaffected",
	  probe_flood_sgi, 1, false },
	{ "flood-hvc", "HVC exits for 2 s (fast and slow path): victim unaffected",
	  probe_flood_hvc, 1, false },
	{ "flood-console", "console output as fast as possible for 3 s: rate-limited with "
	  "\"lines dropped\", victim lines still appear", probe_flood_console, 1, false },
	{ "flood-mmio", "emulated MMIO exits for 2 s: victim unaffected", probe_flood_mmio, 1, false },
	{ "flood-notices", "2000 MMIO accesses without syndrome: the hypervisor logs at most 8 "
	  "notices a second", probe_flood_notices, 1, false },
	{ "flood-console-partial", "with the keyboard: one-character partial lines (UARTIMSC.TX "
	  "toggled) for 3 s are rate-limited too", probe_flood_console_partial, 1, false },
	{ "flood-vtimer", "its virtual timer firing without end for 1 s: victim unaffected",
	  probe_flood_vtimer, 1, false },
	{ "console-forge", "lines forging hypervisor and victim output, with escape sequences: "
	  "shown as its own, prefixed, control characters replaced", probe_console_forge, 1, false },
	{ "flood-reset", "100 lines then SYSTEM_RESET, every boot: the console rate limit and the "
	  "reset notices hold across resets", probe_flood_reset, 1, true },
};

volatile struct trap_rec trap;

void note(struct probe_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->len + 3 >= sizeof(c->got))
		return;
	if (c->len) {
		c->got[c->len++] = ';';
		c->got[c->len++] = ' ';
	}
	va_start(ap, fmt);
	n = gvsnprintf(c->got + c->len, sizeof(c->got) - c->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len = MIN(c->len + (size_t)n, sizeof(c->got) - 1);
	c->got[c->len] = '\0';
}

void fail(struct probe_ctx *c, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	gvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	note(c, "WRONG: %s", buf);
	c->ok = false;
}

bool expect_eq(struct probe_ctx *c, const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		note(c, "%s=0x%llx", what, (unsigned long long)got);
		return true;
	}
	fail(c, "%s=0x%llx (want 0x%llx)", what, (unsigned long long)got, (unsigned long long)want);
	return false;
}

static bool trap_hook(struct exc_frame *f, uint64_t esr, uint64_t far)
{
	trap.count++;
	trap.esr = esr;
	trap.far = far;
	trap.elr = f->elr;
	f->elr += 4;
	return true;
}

void trap_begin(void)
{
	trap.count = 0;
	trap.esr = trap.far = trap.elr = 0;
	exc_set_hook(trap_hook);
}

void trap_end(void)
{
	exc_set_hook(NULL);
}

const char *trap_str(void)
{
	static char buf[64];

	if (trap.count == 0)
		return "no exception";
	gsnprintf(buf, sizeof(buf), "EC 0x%02x ISS 0x%07llx FAR 0x%llx",
		  (unsigned)ESR_EC(trap.esr), (unsigned long long)ESR_ISS(trap.esr),
		  (unsigned long long)trap.far);
	return buf;
}

bool expect_stop_after(struct probe_ctx *c, const char *what)
{
	note(c, "survived %s", what);
	c->ok = false;
	return false;
}

/* IRQ counting. */
static volatile uint32_t irq_counts[256];
static volatile uint32_t irq_other;

static void count_irq(unsigned intid, void *arg)
{
	(void)arg;
	if (intid < 256)
		__atomic_fetch_add(&irq_counts[intid], 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&irq_other, 1, __ATOMIC_RELAXED);
}

void irq_count_init(void)
{
	for (unsigned i = 0; i < GIC_MAX_INTID; i++)
		irq_register(i, count_irq, NULL);
	irq_count_reset();
}

void irq_count_reset(void)
{
	for (unsigned i = 0; i < 256; i++)
		irq_counts[i] = 0;
	irq_other = 0;
}

unsigned irq_seen(unsigned intid)
{
	return intid < 256 ? irq_counts[intid] : 0;
}

unsigned irq_seen_total(void)
{
	unsigned n = irq_other;

	for (unsigned i = 0; i < 256; i++)
		n += irq_counts[i];
	return n;
}

void irq_window(unsigned ms)
{
	uint64_t end = timer_count() + timer_ms_to_ticks(ms);

	irq_unmask();
	while (timer_count() < end)
		cpu_relax();
	irq_mask();
}

static volatile bool helper_running[GUEST_MAX_CPUS];
static cpu_fn_t helper_fn[GUEST_MAX_CPUS];

static void helper_entry(void *arg)
{
	unsigned me = cpu_index();

	helper_running[me] = true;
	helper_fn[me](arg);
}

bool start_helper(unsigned idx, cpu_fn_t fn, void *arg)
{
	if (idx >= GUEST_MAX_CPUS)
		return false;
	helper_running[idx] = false;
	helper_fn[idx] = fn;
	if (cpu_start(idx, helper_entry, arg) != PSCI_RET_SUCCESS)
		return false;
	return WAIT_UNTIL(helper_running[idx], 1000);
}

static void list_probes(void)
{
	gprintf("attacker: %u probes:\n", (unsigned)ARRAY_SIZE(probes));
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		gprintf("  %-26s %u vCPU  %s\n", probes[i].name, probes[i].vcpus, probes[i].expected);
}

int main(void)
{
	static struct probe_ctx ctx;
	char name[48];
	const struct probe *p = NULL;
	bool ok;

	if (!boot_arg("probe", name, sizeof(name)) || strcmp(name, "list") == 0) {
		list_probes();
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		if (strcmp(probes[i].name, name) == 0)
			p = &probes[i];
	if (p == NULL) {
		gprintf("PROBE %s: FAIL expected=a known probe got=no such probe (probe=list)\n", name);
		return 1;
	}
	if (cpu_count() < p->vcpus) {
		gprintf("PROBE %s: FAIL expected=%u vCPUs got=%u\n", p->name, p->vcpus, cpu_count());
		return 1;
	}
	if (!p->no_delay)
		timer_delay_us((uint64_t)boot_arg_u64("delay-ms", START_DELAY_MS) * 1000);
	irq_count_init();
	ctx.name = p->name;
	ctx.ok = true;
	gprintf("PROBE %s: START expected=%s\n", p->name, p->expected);
	console_flush();
	ok = p->fn(&ctx) && ctx.ok;
	trap_end();
	irq_mask();
	gprintf("PROBE %s: %s expected=%s got=%s\n", p->name, ok ? "PASS" : "FAIL", p->expected,
		ctx.len ? ctx.got : "-");
	gprintf("PROBE DONE\n");
	return ok ? 0 : 1;
}
