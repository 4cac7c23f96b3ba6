/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VMs: built from the package at boot, each on physical CPUs of its own.
 * This file holds their life cycle (start, stop, reset), the per-CPU loop
 * that runs a vCPU, and the handling of physical interrupts.
 */
#include <bulwark/arch/boot.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/boot.h>
#include <bulwark/console.h>
#include <bulwark/cpu.h>
#include <bulwark/drivers/gicv3.h>
#include <bulwark/drivers/pl011.h>
#include <bulwark/fmt.h>
#include <bulwark/hypmap.h>
#include <bulwark/palloc.h>
#include <bulwark/pkg.h>
#include <bulwark/string.h>
#include <bulwark/vm.h>

#define NOTICES_PER_WINDOW 8
#define RESET_TIMEOUT_S 5

struct vm vms[VM_MAX];
unsigned vm_count;

static struct pkg_desc pkg;
static paddr_t pkg_pa;
static struct vcpu *spi_owner[VGIC_NR_IRQS]; /* passed-through SPIs */

void vm_notice(struct vm *vm, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	uint64_t now = arch_counter();

	if (now - vm->notices.window_start > arch_counter_freq()) {
		if (vm->notices.suppressed)
			pr_notice("vm '%s': %u more notices suppressed\n", vm->name,
				  vm->notices.suppressed);
		vm->notices.window_start = now;
		vm->notices.in_window = 0;
		vm->notices.suppressed = 0;
	}
	if (vm->notices.in_window++ >= NOTICES_PER_WINDOW) {
		vm->notices.suppressed++;
		return;
	}
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_notice("vm '%s': %s\n", vm->name, msg);
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	if (mpidr & ~0xffULL) /* our vCPUs have Aff1..Aff3 = 0 */
		return NULL;
	return mpidr < vm->vcpu_count ? &vm->vcpus[mpidr] : NULL;
}

bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t size)
{
	return ipa >= vm->cfg.mem_base && size <= vm->cfg.mem_size &&
	       ipa - vm->cfg.mem_base <= vm->cfg.mem_size - size;
}

void vcpu_kick(struct vcpu *v, uint32_t req)
{
	__atomic_or_fetch(&v->requests, req, __ATOMIC_RELEASE);
	if (v->pcpu != arch_cpu_index())
		gic_send_sgi(percpu[v->pcpu].hwid, GIC_SGI_KICK);
}

int vcpu_power_on_locked(struct vcpu *v, uint64_t pc, uint64_t arg)
{
	if (v->vm->state != VM_STATE_RUNNING)
		return -3; /* PSCI DENIED */
	if (v->power == VCPU_ON)
		return __atomic_load_n(&v->running, __ATOMIC_ACQUIRE) ? -4 : -5;
	v->boot_pc = pc;
	v->boot_arg = arg;
	__atomic_store_n(&v->power, VCPU_ON, __ATOMIC_RELEASE);
	vcpu_kick(v, 0);
	return 0;
}

void vm_stop(struct vm *vm, const char *reason)
{
	sl_lock(&vm->lock);
	if (vm->state == VM_STATE_STOPPED) {
		sl_unlock(&vm->lock);
		return;
	}
	vm->state = VM_STATE_STOPPED;
	fmt_snprintf(vm->stop_reason, sizeof(vm->stop_reason), "%s", reason);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		__atomic_store_n(&vm->vcpus[i].power, VCPU_OFF, __ATOMIC_RELEASE);
		vcpu_kick(&vm->vcpus[i], VCPU_REQ_STOP);
	}
	sl_unlock(&vm->lock);
	vuart_flush(vm);
	pr_notice("vm '%s': stopped: %s\n", vm->name, reason);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		pr_info("vm '%s': vcpu%u: %lu exits (%lu HVC/SMC, %lu sysreg, %lu MMIO, %lu IRQ: "
			"%lu kicks, %lu timer, %lu maintenance; %lu flushes); in the exit vectors: "
			"%lu timer interrupts, %lu MMIO accesses\n",
			vm->name, i, v->stats.exits, v->stats.hvc, v->stats.sysreg, v->stats.mmio,
			v->stats.irq, v->stats.kicks, v->stats.vtimer, v->stats.maint, v->stats.flushes,
			v->stats.vtimer_fast, v->stats.mmio_fast);
	}
}

/* Zeroes the VM's RAM and loads its images from the package. */
static bool vm_load(struct vm *vm)
{
	const struct bwpkg_vm *c = &vm->cfg;
	const struct bwpkg_blob *k = &pkg.blobs[c->kernel_blob];
	uint8_t hdr[64];
	uint64_t text_offset = 0x80000, image_size = k->size;

	if (!hypmap_zero(vm->mem_pa, c->mem_size))
		return false;
	/* The kernel's Image header: where it wants to be and how big it gets. */
	if (k->size >= sizeof(hdr)) {
		void *src = hypmap_map(1, pa_add(pkg_pa, k->offset), sizeof(hdr), false);

		if (!src)
			return false;
		memcpy(hdr, src, sizeof(hdr));
		hypmap_unmap(1);
		if (memcmp(hdr + 56, "ARM\x64", 4) == 0) {
			uint64_t to, is;

			memcpy(&to, hdr + 8, 8);
			memcpy(&is, hdr + 16, 8);
			if (is) {
				text_offset = to;
				image_size = MAX(is, k->size);
			}
		}
	}
	uint64_t limit = bwpkg_dtb_addr(c->mem_base, c->mem_size);

	if (c->initrd_blob != BWPKG_NO_BLOB) {
		uint64_t size = pkg.blobs[c->initrd_blob].size;

		if (size > limit - c->mem_base) /* checked by pkg_decode; never wrap */
			return false;
		limit = bwpkg_initrd_addr(c->mem_base, c->mem_size, size);
	}
	vm->kernel_ipa = c->mem_base + BWPKG_KERNEL_OFFSET + text_offset;
	if (text_offset > c->mem_size || vm->kernel_ipa + image_size > limit ||
	    vm->kernel_ipa + image_size < vm->kernel_ipa || (c->initrd_blob != BWPKG_NO_BLOB &&
	    limit < c->mem_base + BWPKG_KERNEL_OFFSET)) {
		pr_err("vm '%s': kernel: %lu KiB at offset %#lx does not fit below its initrd and "
		       "devicetree in %lu MiB\n", vm->name, image_size >> 10, text_offset,
		       c->mem_size >> 20);
		return false;
	}
	paddr_t base = pa_init(pa_addr(vm->mem_pa) - c->mem_base); /* IPA -> PA offset */

	if (!hypmap_copy(pa_add(base, vm->kernel_ipa), pa_add(pkg_pa, k->offset), k->size))
		return false;
	if (c->initrd_blob != BWPKG_NO_BLOB &&
	    !hypmap_copy(pa_add(base, limit), pa_add(pkg_pa, pkg.blobs[c->initrd_blob].offset),
			 pkg.blobs[c->initrd_blob].size))
		return false;
	vm->dtb_ipa = 0;
	if (c->dtb_blob != BWPKG_NO_BLOB) {
		vm->dtb_ipa = bwpkg_dtb_addr(c->mem_base, c->mem_size);
		if (!hypmap_copy(pa_add(base, vm->dtb_ipa), pa_add(pkg_pa, pkg.blobs[c->dtb_blob].offset),
				 pkg.blobs[c->dtb_blob].size))
			return false;
	}
	return true;
}

static void vm_start(struct vm *vm)
{
	sl_lock(&vm->lock);
	vm->state = VM_STATE_RUNNING;
	vm->stop_reason[0] = '\0';
	vm->boots++;
	vcpu_power_on_locked(&vm->vcpus[0], vm->kernel_ipa, vm->dtb_ipa);
	sl_unlock(&vm->lock);
}

/* SYSTEM_RESET from @caller: park every vCPU, reload, boot again. */
static void vm_reset(struct vm *vm, struct vcpu *caller)
{
	sl_lock(&vm->lock);
	if (vm->state != VM_STATE_RUNNING) {
		sl_unlock(&vm->lock);
		return;
	}
	vm->state = VM_STATE_RESETTING;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		__atomic_store_n(&vm->vcpus[i].power, VCPU_OFF, __ATOMIC_RELEASE);
		if (&vm->vcpus[i] != caller)
			vcpu_kick(&vm->vcpus[i], VCPU_REQ_STOP);
	}
	sl_unlock(&vm->lock);
	vuart_flush(vm);
	vm_notice(vm, "SYSTEM_RESET, restarting");

	uint64_t deadline = arch_counter() + RESET_TIMEOUT_S * arch_counter_freq();

	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		while (&vm->vcpus[i] != caller &&
		       __atomic_load_n(&vm->vcpus[i].running, __ATOMIC_ACQUIRE)) {
			if (arch_counter() > deadline) {
				vm_stop(vm, "reset: a vCPU did not stop");
				return;
			}
		}
	}
	vgic_reset(vm);
	vuart_reset_regs(&vm->uart); /* the console rate limit carries over */
	if (!vm_load(vm)) {
		vm_stop(vm, "reset: could not reload its images");
		return;
	}
	vm_start(vm);
}

static void vm_route_devices(struct vm *vm)
{
	for (unsigned d = 0; d < vm->cfg.dev_count; d++) {
		for (unsigned n = 0; n < BWPKG_MAX_DEV_IRQS; n++) {
			uint32_t irq = vm->cfg.devs[d].irqs[n];

			if (!irq)
				continue;
			spi_owner[irq] = &vm->vcpus[0];
			gic_spi_route(irq, percpu[vm->vcpus[0].pcpu].hwid, true);
		}
	}
}

static bool range_overlaps(uint64_t a, uint64_t as, const struct hw_range *r)
{
	return a < r->base + r->size && r->base < a + as;
}

/* A passed-through device must be a device: not RAM, not what Bulwark drives. */
static bool device_is_free(const struct vm *vm, unsigned d)
{
	const struct bwpkg_dev *dev = &vm->cfg.devs[d];
	const char *what = NULL;

	for (unsigned i = 0; i < boot_hw.mem_count && !what; i++)
		if (range_overlaps(dev->base, dev->size, &boot_hw.mem[i]))
			what = "host RAM";
	if (range_overlaps(dev->base, dev->size, &boot_hw.uart.regs))
		what = "the hypervisor's console UART";
	if (range_overlaps(dev->base, dev->size, &boot_hw.gic.dist))
		what = "the GIC distributor";
	for (unsigned i = 0; i < boot_hw.gic.redist_count; i++)
		if (range_overlaps(dev->base, dev->size, &boot_hw.gic.redist[i]))
			what = "the GIC redistributors";
	for (unsigned n = 0; n < BWPKG_MAX_DEV_IRQS; n++) {
		uint32_t irq = dev->irqs[n];

		if (irq && (irq == boot_hw.uart.intid || irq - 32 >= gic_spi_count()))
			what = "an interrupt the hypervisor owns or the GIC lacks";
	}
	if (what)
		pr_err("vm '%s': device %u (%#lx, %#lx bytes): overlaps %s\n", vm->name, d,
		       dev->base, dev->size, what);
	return !what;
}

static bool vm_create(struct vm *vm, unsigned id, const struct bwpkg_vm *cfg)
{
	sl_init(&vm->lock);
	vm->id = id;
	vm->vmid = (uint16_t)(id + 1);
	vm->cfg = *cfg;
	memcpy(vm->name, cfg->name, sizeof(vm->name));
	vm->vcpu_count = cfg->vcpu_count;
	if (palloc_alloc(cfg->mem_size, 2UL << 20, &vm->mem_pa) != PALLOC_OK) {
		pr_err("vm '%s': memory: %lu MiB requested, %lu MiB free\n", vm->name,
		       cfg->mem_size >> 20, palloc_free_bytes() >> 20);
		return false;
	}
	if (!mm_ptable_init(&vm->s2, MM_STAGE_GUEST, &hyp_pool)) {
		pr_err("vm '%s': no memory for its stage-2 tables\n", vm->name);
		return false;
	}
	vm->s2.vmid = vm->vmid;
	if (mm_map(&vm->s2, cfg->mem_base, cfg->mem_base + cfg->mem_size, vm->mem_pa,
		   MM_MODE_R | MM_MODE_W | MM_MODE_X) != MM_OK) {
		pr_err("vm '%s': memory: cannot map it in stage 2\n", vm->name);
		return false;
	}
	for (unsigned d = 0; d < cfg->dev_count; d++) {
		const struct bwpkg_dev *dev = &cfg->devs[d];

		if (!device_is_free(vm, d))
			return false;
		if (mm_map(&vm->s2, dev->base, dev->base + dev->size, pa_init(dev->base),
			   MM_MODE_R | MM_MODE_W | MM_MODE_DEVICE) != MM_OK) {
			pr_err("vm '%s': device %u: cannot map it in stage 2\n", vm->name, d);
			return false;
		}
	}
	unsigned pcpu = 0;

	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];

		while (!(cfg->cpu_mask & (1ULL << pcpu)))
			pcpu++;
		if (pcpu >= BULWARK_MAX_CPUS || !percpu[pcpu].online || percpu[pcpu].stopped) {
			pr_err("vm '%s': cpus: CPU %u is not online\n", vm->name, pcpu);
			return false;
		}
		v->vm = vm;
		v->index = i;
		v->pcpu = pcpu;
		v->power = VCPU_OFF;
		percpu[pcpu].vcpu = v;
		pcpu++;
	}
	vgic_reset(vm);
	vuart_reset(&vm->uart);
	vuart_add_fast_mmio(vm);
	vgic_add_fast_reads(vm);
	if (!vm_load(vm)) {
		pr_err("vm '%s': could not load its images\n", vm->name);
		return false;
	}
	vm_route_devices(vm);
	return true;
}

void vm_boot_all(paddr_t pkg_base, uint64_t avail, unsigned host_cpus)
{
	char why[160];
	const void *p;

	pkg_pa = pkg_base;
	p = hypmap_map(1, pkg_base, MIN(avail, 64UL << 10), false);
	if (!p || pkg_decode(p, avail, host_cpus, &pkg, why, sizeof(why))) {
		hypmap_unmap(1);
		pr_err("system description: %s\n", p ? why : "cannot map the package");
		pr_err("boot: stopped; no VM started.\n");
		arch_cpu_halt();
	}
	pkg.base = NULL; /* only mapped while decoding */
	hypmap_unmap(1);
	vm_count = pkg.vm_count;
	for (unsigned i = 0; i < vm_count; i++) {
		if (!vm_create(&vms[i], i, &pkg.vms[i])) {
			pr_err("boot: stopped; no VM started.\n");
			arch_cpu_halt();
		}
	}
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];

		char cpus[64];
		int n = 0;

		for (unsigned c = 0; c < vm->vcpu_count; c++)
			n += fmt_snprintf(cpus + n, sizeof(cpus) - (size_t)n, "%s%u", c ? "," : "",
					  vm->vcpus[c].pcpu);
		pr_info("vm '%s': %u vCPU(s) on CPU(s) %s, %lu MiB at IPA %#lx (PA %#lx), "
			"kernel at %#lx%s\n", vm->name, vm->vcpu_count, cpus, vm->cfg.mem_size >> 20,
			vm->cfg.mem_base, pa_addr(vm->mem_pa), vm->kernel_ipa,
			vm->cfg.caps & BWPKG_CAP_CONTROL ? ", control" : "");
	}
	for (unsigned i = 0; i < vm_count; i++)
		vm_start(&vms[i]);
}

void vm_handle_irqs(struct vcpu *v, uint32_t acked)
{
	uint32_t intid = acked < GIC_INTID_SPURIOUS - 3 ? acked : gic_ack();

	for (;; intid = gic_ack()) {
		if (intid >= GIC_INTID_SPURIOUS - 3)
			return;
		gic_eoi(intid);
		if (v) {
			v->stats.kicks += intid == GIC_SGI_KICK;
			v->stats.vtimer += intid == VGIC_INTID_VTIMER;
			v->stats.maint += intid == VGIC_INTID_MAINT;
		}
		if (intid == VGIC_INTID_VTIMER && v) {
			vgic_inject(v, intid, true); /* the guest's EOI deactivates it */
		} else if (intid >= 32 && intid < VGIC_NR_IRQS && spi_owner[intid]) {
			vgic_inject(spi_owner[intid], intid, true);
		} else {
			if (intid == VGIC_INTID_MAINT) {
				/* Its condition (underflow) holds until the next flush,
				 * which re-arms it if needed: drop it, or it fires again. */
				arch_vgic_underflow(false);
				if (v)
					__atomic_or_fetch(&v->requests, VCPU_REQ_INJECT,
							  __ATOMIC_RELAXED);
			}
			else if (intid == boot_hw.uart.intid)
				for (int c; (c = pl011_getc()) >= 0;)
					vconsole_input((char)c);
			gic_deactivate(intid);
		}
	}
}

/* Waits, with interrupts masked, until something arrives; handles it. */
static void idle_wait(struct vcpu *v)
{
	arch_cpu_idle();
	vm_handle_irqs(v, GIC_INTID_SPURIOUS);
}

void vcpu_run_loop(void)
{
	struct percpu *me = &percpu[arch_cpu_index()];

	arch_virt_cpu_init();
	for (;;) {
		struct vcpu *v = __atomic_load_n(&me->vcpu, __ATOMIC_ACQUIRE);

		if (!v || __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON) {
			idle_wait(NULL);
			continue;
		}
		struct vm *vm = v->vm;

		sl_lock(&vm->lock);
		uint64_t pc = v->boot_pc, arg = v->boot_arg;

		__atomic_and_fetch(&v->requests, ~VCPU_REQ_STOP, __ATOMIC_RELAXED);
		__atomic_store_n(&v->running, 1, __ATOMIC_RELEASE);
		sl_unlock(&vm->lock);

		gic_ppi_deactivate(VGIC_INTID_VTIMER);
		gic_ppi_enable(VGIC_INTID_VTIMER, true);
		gic_ppi_enable(VGIC_INTID_MAINT, true);
		arch_vcpu_boot(v, pc, arg);
		enum vcpu_exit r;

		do {
			r = arch_vcpu_run(v);
		} while (r == VCPU_EXIT_REQUEST &&
			 !(__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) & VCPU_REQ_STOP));
		if (r == VCPU_EXIT_OFF)
			__atomic_store_n(&v->power, VCPU_OFF, __ATOMIC_RELEASE);
		arch_vcpu_park(v);
		gic_ppi_enable(VGIC_INTID_VTIMER, false);
		gic_ppi_deactivate(VGIC_INTID_VTIMER);
		__atomic_and_fetch(&v->requests, ~VCPU_REQ_STOP, __ATOMIC_RELAXED);
		__atomic_store_n(&v->running, 0, __ATOMIC_RELEASE);
		if (r == VCPU_EXIT_RESET)
			vm_reset(vm, v);
	}
}
