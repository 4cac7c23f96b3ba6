/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot of the hypervisor core: discover the hardware, build the EL2 address
 * space, start every CPU, then drop what only boot needed.
 *
 * The EL2 address space maps only the hypervisor's own memory, at VA == PA:
 * its image section by section with W^X, per-CPU stacks between unmapped
 * guard pages, a pool of metadata pages, and the devices it drives. RAM
 * that belongs to VMs is never mapped here (no direct map).
 */
#include <bulwark/arch/boot.h>
#include <bulwark/boot.h>
#include <bulwark/console.h>
#include <bulwark/cpu.h>
#include <bulwark/drivers/gicv3.h>
#include <bulwark/drivers/pl011.h>
#include <bulwark/fdt.h>
#include <bulwark/init.h>
#include <bulwark/mitig.h>
#include <bulwark/palloc.h>
#include <bulwark/string.h>
#include <bulwark/version.h>
#include <bulwark/vm.h>

#define DTB_MAX_SIZE (2UL << 20)
#define BOOT_POOL_PAGES 48
#define META_POOL_SIZE (2UL << 20)
#define CPU_START_TIMEOUT_S 10

extern char _head[], __image_start[], __image_end[];
extern char __init_text_start[], __init_text_end[], __init_data_start[], __init_data_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __stacks_start[], __stacks_end[];

struct hw_desc boot_hw;
struct mm_ptable hyp_ptable;
struct mpool hyp_pool;

static uint8_t boot_pool[BOOT_POOL_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uintptr_t dtb_base;
static uint64_t image_size; /* from the Image header: the package follows the image */
static size_t dtb_size;
static paddr_t meta_pool;
static unsigned cpu_count;
static unsigned text_mode;

static NORETURN void __init boot_fail(const char *what, const char *why)
{
	pr_err("boot: %s: %s\n", what, why);
	pr_err("boot: stopped.\n");
	arch_cpu_halt();
}

static NORETURN void boot_fail_late(const char *what, const char *why)
{
	pr_err("boot: %s: %s\n", what, why);
	arch_cpu_halt();
}

static void __init boot_map(uint64_t begin, uint64_t end, unsigned mode, const char *what)
{
	begin = ALIGN_DOWN(begin, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (begin == end)
		return;
	if (mm_map(&hyp_ptable, begin, end, pa_init(begin), mode) != MM_OK)
		boot_fail("EL2 page tables", what);
}

static uint32_t __init be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void __init boot_memory(void)
{
	uintptr_t img_begin = (uintptr_t)__image_start, img_end = (uintptr_t)__image_end;
	bool img_in_ram = false;

	memcpy(&image_size, _head + 16, sizeof(image_size));
	if (image_size < img_end - img_begin || (image_size & (PAGE_SIZE - 1)))
		boot_fail("image", "the Image header's image_size is smaller than the image");
	img_end = img_begin + image_size;
	palloc_init();
	for (unsigned i = 0; i < boot_hw.mem_count; i++) {
		uint64_t b = ALIGN_UP(boot_hw.mem[i].base, PAGE_SIZE);
		uint64_t e = ALIGN_DOWN(boot_hw.mem[i].base + boot_hw.mem[i].size, PAGE_SIZE);

		if (e > b && palloc_add_range(pa_init(b), pa_init(e)) != PALLOC_OK)
			boot_fail("/memory", "overlapping or too many ranges");
		if (img_begin >= b && img_end <= e)
			img_in_ram = true;
	}
	if (!img_in_ram)
		boot_fail("image", "not loaded inside a /memory range");
	palloc_reserve(pa_init(img_begin), pa_init(img_begin + image_size));
	palloc_reserve(pa_init(ALIGN_DOWN(dtb_base, PAGE_SIZE)),
		       pa_init(ALIGN_UP(dtb_base + dtb_size, PAGE_SIZE)));
	for (unsigned i = 0; i < boot_hw.rsv_count; i++) {
		uint64_t b = ALIGN_DOWN(boot_hw.rsv[i].base, PAGE_SIZE);
		uint64_t e = ALIGN_UP(boot_hw.rsv[i].base + boot_hw.rsv[i].size, PAGE_SIZE);

		palloc_reserve(pa_init(b), pa_init(e));
	}
	if (palloc_alloc(META_POOL_SIZE, META_POOL_SIZE, &meta_pool) != PALLOC_OK)
		boot_fail("memory", "no room for the hypervisor's metadata pool");
}

static void __init boot_cpus(void)
{
	uint64_t me = arch_cpu_hwid();
	bool found = false;

	cpu_count = 0;
	percpu[cpu_count++].hwid = me;
	for (unsigned i = 0; i < boot_hw.cpu_count; i++) {
		if (boot_hw.cpu_hwid[i] == me) {
			found = true;
		} else if (cpu_count < BULWARK_MAX_CPUS) {
			percpu[cpu_count].hwid = boot_hw.cpu_hwid[i];
			cpu_count++;
		}
	}
	if (!found)
		boot_fail("/cpus", "the boot CPU's MPIDR is not listed");
	for (unsigned i = 0; i < BULWARK_MAX_CPUS; i++)
		percpu[i].index = i;
}

static void __init boot_address_space(void)
{
	mpool_init(&hyp_pool);
	mpool_add_chunk(&hyp_pool, pa_init((uintptr_t)boot_pool), sizeof(boot_pool));
	if (!mm_ptable_init(&hyp_ptable, MM_STAGE_HYP, &hyp_pool))
		boot_fail("EL2 page tables", "no page for the root table");

	text_mode = MM_MODE_R | MM_MODE_X | (arch_has_bti() ? MM_MODE_GUARDED : 0);
	boot_map((uintptr_t)__init_text_start, (uintptr_t)__init_text_end, text_mode, "boot text");
	boot_map((uintptr_t)__init_data_start, (uintptr_t)__init_data_end,
		 MM_MODE_R | MM_MODE_W, "boot data");
	boot_map((uintptr_t)__text_start, (uintptr_t)__text_end, text_mode, "text");
	boot_map((uintptr_t)__rodata_start, (uintptr_t)__rodata_end, MM_MODE_R, "rodata");
	boot_map((uintptr_t)__data_start, (uintptr_t)__data_end, MM_MODE_R | MM_MODE_W, "data");
	for (unsigned i = 0; i < BULWARK_MAX_CPUS; i++) {
		uintptr_t base = (uintptr_t)__stacks_start + (uintptr_t)i * STACK_STRIDE;
		uintptr_t emerg = base + STACK_GUARD_SIZE;
		uintptr_t stack = emerg + EMERG_STACK_SIZE + STACK_GUARD_SIZE;

		boot_map(emerg, emerg + EMERG_STACK_SIZE, MM_MODE_R | MM_MODE_W, "emergency stack");
		boot_map(stack, stack + STACK_SIZE, MM_MODE_R | MM_MODE_W, "stack");
	}
	boot_map(pa_addr(meta_pool), pa_addr(meta_pool) + META_POOL_SIZE, MM_MODE_R | MM_MODE_W,
		 "metadata pool");
	boot_map(dtb_base, dtb_base + dtb_size, MM_MODE_R, "devicetree");

	const unsigned dev = MM_MODE_R | MM_MODE_W | MM_MODE_DEVICE;

	boot_map(boot_hw.uart.regs.base, boot_hw.uart.regs.base + boot_hw.uart.regs.size, dev,
		 "UART");
	boot_map(boot_hw.gic.dist.base, boot_hw.gic.dist.base + boot_hw.gic.dist.size, dev,
		 "GIC distributor");
	for (unsigned i = 0; i < boot_hw.gic.redist_count; i++)
		boot_map(boot_hw.gic.redist[i].base,
			 boot_hw.gic.redist[i].base + boot_hw.gic.redist[i].size, dev,
			 "GIC redistributors");
}

void __init boot_primary_init(uintptr_t dtb)
{
	const char *why = "no devicetree";

	dtb_base = dtb;
	if (dtb == 0 || (dtb & 7) || hwdesc_parse(&boot_hw, (const void *)dtb, DTB_MAX_SIZE, &why)) {
		if (boot_hw.uart.regs.base) {
			pl011_init(boot_hw.uart.regs.base);
			console_init();
		}
		boot_fail("devicetree", why);
	}
	dtb_size = be32((const uint8_t *)dtb + 4);
	pl011_init(boot_hw.uart.regs.base);
	console_init();
	boot_cpus();
	boot_memory();
	boot_address_space();
	arch_mmu_enable(hyp_ptable.root);
}

static void print_memory_map(void)
{
	pr_info("memory:\n");
	for (unsigned i = 0; i < boot_hw.mem_count; i++)
		pr_info("  RAM          %#014lx-%#014lx  %6lu MiB\n", boot_hw.mem[i].base,
			boot_hw.mem[i].base + boot_hw.mem[i].size, boot_hw.mem[i].size >> 20);
	for (unsigned i = 0; i < boot_hw.rsv_count; i++)
		pr_info("  reserved     %#014lx-%#014lx\n", boot_hw.rsv[i].base,
			boot_hw.rsv[i].base + boot_hw.rsv[i].size);
	pr_info("  hypervisor   %#014lx-%#014lx  %6lu KiB (text %lu, rodata %lu, data+bss %lu, "
		"stacks %lu KiB)\n",
		(uintptr_t)__image_start, (uintptr_t)__image_end,
		(uintptr_t)(__image_end - __image_start) >> 10,
		(uintptr_t)(__text_end - __text_start) >> 10,
		(uintptr_t)(__rodata_end - __rodata_start) >> 10,
		(uintptr_t)(__data_end - __data_start) >> 10,
		(uintptr_t)(__stacks_end - __stacks_start) >> 10);
	pr_info("  devicetree   %#014lx-%#014lx  %6lu KiB\n", dtb_base, dtb_base + dtb_size,
		dtb_size >> 10);
	pr_info("  metadata     %#014lx-%#014lx  %6lu KiB (page tables, VM state)\n",
		pa_addr(meta_pool), pa_addr(meta_pool) + META_POOL_SIZE, META_POOL_SIZE >> 10);
	for (unsigned i = 0; i < palloc_range_count(); i++) {
		paddr_t b, e;

		if (palloc_range_get(i, &b, &e) == PALLOC_OK)
			pr_info("  free for VMs %#014lx-%#014lx  %6lu MiB\n", pa_addr(b), pa_addr(e),
				(pa_addr(e) - pa_addr(b)) >> 20);
	}
	pr_info("  total free for VMs: %lu MiB; RAM is not mapped at EL2 (no direct map)\n",
		palloc_free_bytes() >> 20);
}

static void print_devices(void)
{
	pr_info("devices:\n");
	pr_info("  GICv3 distributor   %#lx (%lu KiB), maintenance INTID %u\n",
		boot_hw.gic.dist.base, boot_hw.gic.dist.size >> 10, boot_hw.gic.maint_intid);
	for (unsigned i = 0; i < boot_hw.gic.redist_count; i++)
		pr_info("  GICv3 redistributors %#lx (%lu frames of 128 KiB)\n",
			boot_hw.gic.redist[i].base, boot_hw.gic.redist[i].size >> 17);
	pr_info("  PL011 UART          %#lx, INTID %u (console)\n", boot_hw.uart.regs.base,
		boot_hw.uart.intid);
	pr_info("  generic timer       INTIDs: EL1 phys %u, EL1 virt %u, EL2 phys %u\n",
		boot_hw.timer.phys_intid, boot_hw.timer.virt_intid, boot_hw.timer.hyp_phys_intid);
	pr_info("  PSCI                %s conduit\n", boot_hw.psci == HW_PSCI_SMC ? "SMC" : "none");
}

static void start_secondaries(void)
{
	for (unsigned i = 1; i < cpu_count; i++) {
		int err = arch_cpu_start(&boot_hw, percpu[i].hwid, i);

		if (err) {
			pr_warn("cpu%u: MPIDR %#lx did not start (firmware error %d)\n", i,
				percpu[i].hwid, err);
			continue;
		}
		uint64_t deadline = arch_counter() + CPU_START_TIMEOUT_S * arch_counter_freq();

		while (!__atomic_load_n(&percpu[i].online, __ATOMIC_ACQUIRE)) {
			if (arch_counter() > deadline) {
				pr_warn("cpu%u: MPIDR %#lx did not come online within %d s\n", i,
					percpu[i].hwid, CPU_START_TIMEOUT_S);
				break;
			}
		}
	}
}

/* Unmaps boot-only code and data, and the devicetree (already parsed). */
static void release_boot_memory(void)
{
	size_t bytes = (size_t)(__init_text_end - __init_text_start) +
		       (size_t)(__init_data_end - __init_data_start);

	if (mm_unmap(&hyp_ptable, (uintptr_t)__init_text_start, (uintptr_t)__init_text_end) ||
	    mm_unmap(&hyp_ptable, (uintptr_t)__init_data_start, (uintptr_t)__init_data_end) ||
	    mm_unmap(&hyp_ptable, ALIGN_DOWN(dtb_base, PAGE_SIZE),
		     ALIGN_UP(dtb_base + dtb_size, PAGE_SIZE)))
		pr_warn("boot: could not unmap boot-only memory\n");
	else
		pr_info("boot: %zu KiB of boot-only code and data unmapped\n", bytes >> 10);
}

/* Checks the EL2 address space against its rules; a broken rule stops. */
static void check_address_space(void)
{
	unsigned pages = 0, bad = 0;
	unsigned mode;

	for (uintptr_t va = (uintptr_t)__image_start; va < (uintptr_t)__image_end;
	     va += PAGE_SIZE) {
		bool mapped = mm_lookup(&hyp_ptable, va, NULL, &mode);
		bool in_text = va >= (uintptr_t)__text_start && va < (uintptr_t)__text_end;
		bool in_ro = va >= (uintptr_t)__rodata_start && va < (uintptr_t)__rodata_end;
		bool in_init = va < (uintptr_t)__init_data_end;

		if (!mapped) {
			if (!in_init && va < (uintptr_t)__stacks_start)
				bad++; /* every non-boot page below the stacks must be mapped */
			continue;
		}
		pages++;
		if ((mode & MM_MODE_W) && (mode & MM_MODE_X))
			bad++;
		if (in_init || (in_text && (mode & MM_MODE_W)) ||
		    (in_ro && (mode & (MM_MODE_W | MM_MODE_X))) ||
		    (!in_text && (mode & MM_MODE_X)))
			bad++;
		if (va >= (uintptr_t)__stacks_start) {
			uintptr_t in = (va - (uintptr_t)__stacks_start) % STACK_STRIDE;

			if (in < STACK_GUARD_SIZE ||
			    (in >= STACK_GUARD_SIZE + EMERG_STACK_SIZE &&
			     in < 2 * STACK_GUARD_SIZE + EMERG_STACK_SIZE))
				bad++; /* guard pages stay unmapped */
		}
	}
	if (bad) {
		pr_err("self-check: EL2 address space breaks W^X or guard rules at %u pages\n", bad);
		arch_cpu_halt();
	}
	pr_info("self-check: W^X holds on %u mapped image pages; guard and boot pages unmapped\n",
		pages);
}

void bulwark_main(void)
{
	pr_info("\nBulwark %s - security-first hypervisor for arm64\n", BULWARK_VERSION);
	pr_info("build: %s\n", BULWARK_BUILD_CONFIG);
	pr_info("board: %s\n", boot_hw.model[0] ? boot_hw.model : "(no model)");
	if (boot_hw.bootargs[0])
		pr_info("bootargs: %s\n", boot_hw.bootargs);
	arch_report(&boot_hw);
	char mitig_opt[sizeof(boot_hw.bootargs)];
	size_t own = (size_t)(__image_end - __image_start);
	bool have_pkg = image_size > own;

	mpool_add_chunk(&hyp_pool, meta_pool, META_POOL_SIZE);
	mitig_boot_choice(have_pkg ? vm_read_package(pa_init((uintptr_t)__image_end),
						     image_size - own, cpu_count) : 0,
			  hwdesc_bootarg(&boot_hw, "bulwark.mitigations", mitig_opt,
					 sizeof(mitig_opt)) ? mitig_opt : NULL);
	print_memory_map();
	print_devices();
	if (boot_hw.cpu_count > BULWARK_MAX_CPUS)
		pr_warn("cpus: %u in the devicetree, this build drives at most %u\n",
			boot_hw.cpu_count, BULWARK_MAX_CPUS);

	gic_init(&boot_hw);
	if (!gic_init_cpu())
		boot_fail_late("GIC", "no redistributor for the boot CPU");
	mitig_cpu_init(0);
	percpu[0].online = 1;
	pr_info("cpu0: online, MPIDR %#lx (boot CPU)\n", percpu[0].hwid);
	start_secondaries();
	unsigned online = 0;

	for (unsigned i = 0; i < cpu_count; i++)
		online += __atomic_load_n(&percpu[i].online, __ATOMIC_ACQUIRE) &&
			  !__atomic_load_n(&percpu[i].stopped, __ATOMIC_ACQUIRE);
	pr_info("cpus: %u of %u online\n", online, cpu_count);
	mitig_report(cpu_count);

	release_boot_memory();
	check_address_space();
	selftest_run(SELFTEST_AFTER_BOOT, 0);
	if (have_pkg) {
		pl011_enable_rx_irq();
		gic_spi_route(boot_hw.uart.intid, percpu[0].hwid, true);
		vm_boot_all();
	} else {
		pr_info("no VMs in this image (pack one with bwpack)\n");
	}
	pr_info("Bulwark ready.\n");
	vcpu_run_loop();
}

void secondary_main(unsigned index)
{
	struct percpu *me = &percpu[index];

	if (!gic_init_cpu()) {
		pr_warn("cpu%u: no GIC redistributor for MPIDR %#lx; CPU left off\n", index,
			arch_cpu_hwid());
		arch_cpu_halt();
	}
	mitig_cpu_init(index);
	pr_info("cpu%u: online, MPIDR %#lx\n", index, arch_cpu_hwid());
	__atomic_store_n(&me->online, 1, __ATOMIC_RELEASE);
	selftest_run(SELFTEST_SECONDARY, index);
	vcpu_run_loop();
}
