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
#include <bulwark/mgmt.h>
#include <bulwark/nospec.h>
#include <bulwark/palloc.h>
#include <bulwark/mitig.h>
#include <bulwark/pkg.h>
#include <bulwark/string.h>
#include <bulwark/vm.h>

#include <abi/bulwark/mgmt.h>

#define NOTICES_PER_WINDOW 8
#define RESET_TIMEOUT_S 5

struct vm vms[VM_MAX];
unsigned vm_count;

static struct pkg_desc pkg;
static paddr_t pkg_pa;
static struct vcpu *spi_owner[VGIC_NR_IRQS]; /* passed-through SPIs */
/* Lines about VMs stopping, created and destroyed: the management API can
 * cause any number of them. Taken under `lifecycle_log_lock`. */
static struct ratelimit lifecycle_log;
static struct spinlock lifecycle_log_lock = SPINLOCK_INIT;
#define LIFECYCLE_LINES_PER_S 24

static bool lifecycle_log_allow(unsigned lines)
{
	bool ok = true;

	sl_lock(&lifecycle_log_lock);
	for (unsigned i = 0; i < lines && ok; i++)
		ok = ratelimit_allow(&lifecycle_log, LIFECYCLE_LINES_PER_S, "VM life cycle");
	sl_unlock(&lifecycle_log_lock);
	return ok;
}

void vm_notice(struct vm *vm, const char *fmt, ...)
{
	char msg[160], what[48];
	va_list ap;

	fmt_snprintf(what, sizeof(what), "vm '%s'", vm->name);
	if (!ratelimit_allow(&vm->notices, NOTICES_PER_WINDOW, what))
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_notice("vm '%s': %s\n", vm->name, msg);
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	if (mpidr & ~0xffULL) /* our vCPUs have Aff1..Aff3 = 0 */
		return NULL;
	return mpidr < vm->vcpu_count ? &vm->vcpus[nospec_index(mpidr, vm->vcpu_count)] : NULL;
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
		__atomic_and_fetch(&vm->vcpus[i].requests, ~VCPU_REQ_PAUSE, __ATOMIC_RELAXED);
		vcpu_kick(&vm->vcpus[i], VCPU_REQ_STOP);
	}
	sl_unlock(&vm->lock);
	vuart_flush(vm, true);
	if (vm->notices.suppressed) /* its last word: no later notice will carry the count */
		pr_notice("vm '%s': %u more notices suppressed\n", vm->name, vm->notices.suppressed);
	vm->notices.suppressed = 0;
	if (!lifecycle_log_allow(1 + vm->vcpu_count))
		return;
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

/* Where image @kind of @vm is (host-physical) and its size; false if it has none. */
static bool vm_image(const struct vm *vm, enum vm_image kind, paddr_t *pa, uint64_t *size)
{
	if (vm->runtime) {
		*pa = pa_add(vm->store_pa, vm->image_off[kind]);
		*size = vm->image_size[kind];
		return *size != 0;
	}
	uint32_t b = kind == VM_IMAGE_KERNEL ? vm->cfg.kernel_blob :
		     kind == VM_IMAGE_INITRD ? vm->cfg.initrd_blob : vm->cfg.dtb_blob;

	if (b == BWPKG_NO_BLOB)
		return false;
	*pa = pa_add(pkg_pa, pkg.blobs[b].offset);
	*size = pkg.blobs[b].size;
	return true;
}

/*
 * Zeroes the VM's RAM and loads its images (from the package, or from its
 * image store for a VM created at run time) where docs/configuration.md
 * says: every size is checked here again, whatever checked it before.
 */
static bool vm_load(struct vm *vm)
{
	const struct bwpkg_vm *c = &vm->cfg;
	paddr_t kpa, ipa_src = pa_init(0), dpa = pa_init(0);
	uint64_t ksize, dsize = 0;
	struct pkg_images im = { 0, 0, false, false };
	uint8_t hdr[64];
	size_t hdr_len = 0;
	struct pkg_layout l;
	char why[160];

	if (!vm_image(vm, VM_IMAGE_KERNEL, &kpa, &ksize))
		return false;
	im.kernel_size = ksize;
	im.has_initrd = vm_image(vm, VM_IMAGE_INITRD, &ipa_src, &im.initrd_size);
	im.has_dtb = vm_image(vm, VM_IMAGE_DTB, &dpa, &dsize);
	if (im.has_dtb && dsize > BWPKG_DTB_MAX)
		return false; /* checked by pkg_decode() and mgmt_check_create() */
	if (!hypmap_zero(vm->mem_pa, c->mem_size))
		return false;
	/* The kernel's Image header: where it wants to be and how big it gets. */
	if (ksize >= sizeof(hdr)) {
		void *src = hypmap_map(1, kpa, sizeof(hdr), false);

		if (!src)
			return false;
		memcpy(hdr, src, sizeof(hdr));
		hypmap_unmap(1);
		hdr_len = sizeof(hdr);
	}
	if (pkg_layout(c, &im, hdr, hdr_len, &l, why, sizeof(why))) {
		vm_notice(vm, "%s", why);
		return false;
	}
	paddr_t base = pa_init(pa_addr(vm->mem_pa) - c->mem_base); /* IPA -> PA offset */

	vm->kernel_ipa = l.kernel_ipa;
	if (!hypmap_copy(pa_add(base, l.kernel_ipa), kpa, ksize))
		return false;
	if (im.has_initrd && !hypmap_copy(pa_add(base, l.initrd_ipa), ipa_src, im.initrd_size))
		return false;
	vm->dtb_ipa = l.dtb_ipa;
	if (im.has_dtb && !hypmap_copy(pa_add(base, l.dtb_ipa), dpa, dsize))
		return false;
	return true;
}

/* Boots vCPU 0 of a VM whose images are loaded, if it is still in state @from. */
static void vm_start(struct vm *vm, enum vm_state from)
{
	sl_lock(&vm->lock);
	if (vm->state == from) {
		vm->state = VM_STATE_RUNNING;
		vm->stop_reason[0] = '\0';
		vm->boots++;
		vcpu_power_on_locked(&vm->vcpus[0], vm->kernel_ipa, vm->dtb_ipa);
	}
	sl_unlock(&vm->lock);
}

/* Waits until every vCPU but @caller has left the guest; false after a timeout. */
static bool vm_wait_parked(struct vm *vm, const struct vcpu *caller)
{
	uint64_t deadline = arch_counter() + RESET_TIMEOUT_S * arch_counter_freq();

	for (unsigned i = 0; i < vm->vcpu_count; i++)
		while (&vm->vcpus[i] != caller &&
		       __atomic_load_n(&vm->vcpus[i].running, __ATOMIC_ACQUIRE))
			if (arch_counter() > deadline)
				return false;
	return true;
}

/* A VM in VM_STATE_RESETTING whose vCPUs are all parked boots again. */
static void vm_reload(struct vm *vm)
{
	vgic_reset(vm);
	vuart_reset_regs(&vm->uart); /* the console rate limit carries over */
	if (!vm_load(vm)) {
		vm_stop(vm, "could not reload its images");
		return;
	}
	vm_start(vm, VM_STATE_RESETTING);
}

/*
 * SYSTEM_RESET from @caller (NULL: the management API): park every vCPU,
 * reload, boot again. A VM that is no longer live is left alone (and the
 * caller's vCPU stays off).
 */
static void vm_reset(struct vm *vm, struct vcpu *caller)
{
	sl_lock(&vm->lock);
	if (!vm_state_is_live(vm->state) && !(caller == NULL && vm->state == VM_STATE_PAUSED)) {
		if (caller)
			__atomic_store_n(&caller->power, VCPU_OFF, __ATOMIC_RELEASE);
		sl_unlock(&vm->lock);
		return;
	}
	vm->state = VM_STATE_RESETTING;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		__atomic_store_n(&vm->vcpus[i].power, VCPU_OFF, __ATOMIC_RELEASE);
		__atomic_and_fetch(&vm->vcpus[i].requests, ~VCPU_REQ_PAUSE, __ATOMIC_RELAXED);
		if (&vm->vcpus[i] != caller)
			vcpu_kick(&vm->vcpus[i], VCPU_REQ_STOP);
	}
	sl_unlock(&vm->lock);
	vuart_flush(vm, false);
	if (caller)
		vm_notice(vm, "SYSTEM_RESET, restarting (boot %u)", vm->boots + 1);
	else
		vm_notice(vm, "reset by the management API (boot %u)", vm->boots + 1);
	if (!vm_wait_parked(vm, caller)) {
		vm_stop(vm, "reset: a vCPU did not stop");
		return;
	}
	vm_reload(vm);
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

/* A control VM's buffer for the management API: zeroed, mapped at BWM_BUF_IPA.
 * Called before its stage-2 table exists: allocates only. */
static bool vm_map_mgmt_buffer(struct vm *vm)
{
	if (palloc_alloc(BWM_BUF_SIZE, PAGE_SIZE, &vm->mgmt_buf_pa) != PALLOC_OK ||
	    !hypmap_zero(vm->mgmt_buf_pa, BWM_BUF_SIZE)) {
		pr_err("vm '%s': capabilities: no memory for the management buffer\n", vm->name);
		return false;
	}
	return true;
}

static bool vm_create(struct vm *vm, unsigned id, const struct bwpkg_vm *cfg)
{
	sl_init(&vm->lock);
	vm->id = id;
	vm->vmid = (uint16_t)(id + 1);
	vm->cfg = *cfg;
	memcpy(vm->name, cfg->name, sizeof(vm->name));
	vm->vcpu_count = cfg->vcpu_count;
	if ((cfg->caps & BWPKG_CAP_CONTROL) && !vm_map_mgmt_buffer(vm))
		return false;
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
	if (pa_addr(vm->mgmt_buf_pa) &&
	    mm_map(&vm->s2, BWM_BUF_IPA, BWM_BUF_IPA + BWM_BUF_SIZE, vm->mgmt_buf_pa,
		   MM_MODE_R | MM_MODE_W) != MM_OK) {
		pr_err("vm '%s': capabilities: cannot map the management buffer\n", vm->name);
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
	vm->exists = true;
	return true;
}

uint32_t vm_read_package(paddr_t pkg_base, uint64_t avail, unsigned host_cpus)
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
	for (unsigned i = 0; i < pkg.vm_count; i++)
		mitig_vm_cpus(pkg.vms[i].cpu_mask, pkg.vms[i].mitigations);
	return pkg.mitigations;
}

void vm_boot_all(void)
{
	vm_count = pkg.vm_count;
	mgmt_boot_init();
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
		char mitig[64];
		bool own = mitig_vm_code_format(vm->cfg.mitigations, mitig, sizeof(mitig));

		pr_info("vm '%s': %u vCPU(s) on CPU(s) %s, %lu MiB at IPA %#lx (PA %#lx), "
			"kernel at %#lx%s%s%s\n", vm->name, vm->vcpu_count, cpus, vm->cfg.mem_size >> 20,
			vm->cfg.mem_base, pa_addr(vm->mem_pa), vm->kernel_ipa,
			vm->cfg.caps & BWPKG_CAP_CONTROL ? ", control" : "", own ? ", mitigations " : "",
			mitig);
	}
	for (unsigned i = 0; i < vm_count; i++)
		vm_start(&vms[i], VM_STATE_STOPPED);
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
			/* Passed through to the VM of the vCPU this CPU runs (its
			 * vCPU 0, see vm_route_devices()): into a list register now
			 * if the flush would do just that, else the usual way. */
			if (spi_owner[intid] == v)
				vgic_inject_local(v, intid);
			else
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

/* A paused VM's vCPU waits here, its guest state kept, until resumed or stopped. */
static void vcpu_wait_paused(struct vcpu *v)
{
	uint32_t req;

	while ((req = __atomic_load_n(&v->requests, __ATOMIC_ACQUIRE)) & VCPU_REQ_PAUSE &&
	       !(req & VCPU_REQ_STOP))
		idle_wait(v);
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

		/* Checked again under the lock that vm_stop() and vm_reset() take
		 * to power vCPUs off: either they see `running` set and the stop
		 * request cleared here is re-sent after it, or this sees power off.
		 * (Checked unlocked only, a stop landing in between was cleared
		 * and the vCPU entered a VM the management API was destroying.) */
		sl_lock(&vm->lock);
		if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON) {
			sl_unlock(&vm->lock);
			continue;
		}
		uint64_t pc = v->boot_pc, arg = v->boot_arg;

		__atomic_and_fetch(&v->requests, ~VCPU_REQ_STOP, __ATOMIC_RELAXED);
		__atomic_store_n(&v->running, 1, __ATOMIC_RELEASE);
		sl_unlock(&vm->lock);

		mitig_cpu_enter_vm(arch_cpu_index(), vm->cfg.mitigations);
		gic_ppi_deactivate(VGIC_INTID_VTIMER);
		gic_ppi_enable(VGIC_INTID_VTIMER, true);
		gic_ppi_enable(VGIC_INTID_MAINT, true);
		arch_vcpu_boot(v, pc, arg);
		enum vcpu_exit r;

		do {
			uint64_t t0 = arch_counter();

			__atomic_store_n(&v->stats.run_since, t0 ? t0 : 1, __ATOMIC_RELAXED);
			r = arch_vcpu_run(v);
			__atomic_store_n(&v->stats.run_since, 0, __ATOMIC_RELAXED);
			__atomic_add_fetch(&v->stats.run_ticks, arch_counter() - t0, __ATOMIC_RELAXED);
			if (r == VCPU_EXIT_REQUEST)
				vcpu_wait_paused(v);
		} while (r == VCPU_EXIT_REQUEST &&
			 !(__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) & VCPU_REQ_STOP));
		if (r == VCPU_EXIT_OFF)
			__atomic_store_n(&v->power, VCPU_OFF, __ATOMIC_RELEASE);
		arch_vcpu_park(v);
		gic_ppi_enable(VGIC_INTID_VTIMER, false);
		gic_ppi_deactivate(VGIC_INTID_VTIMER);
		__atomic_and_fetch(&v->requests, ~VCPU_REQ_STOP, __ATOMIC_RELAXED);
		/* `running` drops only once vm_reset() is done with the VM: the
		 * management API waits for it before it destroys or reuses one. */
		if (r == VCPU_EXIT_RESET)
			vm_reset(vm, v);
		__atomic_store_n(&v->running, 0, __ATOMIC_RELEASE);
	}
}

/* ---- Life cycle through the management API (src/core/mgmt.c holds its lock) ---- */

uint64_t vm_free_cpus(void)
{
	uint64_t mask = 0;

	for (unsigned c = 0; c < BULWARK_MAX_CPUS && c < 64; c++)
		if (percpu[c].online && !percpu[c].stopped &&
		    !__atomic_load_n(&percpu[c].vcpu, __ATOMIC_ACQUIRE))
			mask |= 1ULL << c;
	return mask;
}

/* Gives back everything a VM holds; its vCPUs are parked and unpublished. */
static void vm_release(struct vm *vm)
{
	if (pa_addr(vm->s2.root))
		mm_ptable_fini(&vm->s2); /* also drops its TLB entries */
	if (pa_addr(vm->mem_pa)) {
		hypmap_zero(vm->mem_pa, vm->cfg.mem_size); /* scrubbed before reuse */
		palloc_free(vm->mem_pa, vm->cfg.mem_size);
	}
	if (pa_addr(vm->store_pa)) {
		hypmap_zero(vm->store_pa, vm->store_size);
		palloc_free(vm->store_pa, vm->store_size);
	}
	if (pa_addr(vm->mgmt_buf_pa)) {
		hypmap_zero(vm->mgmt_buf_pa, BWM_BUF_SIZE);
		palloc_free(vm->mgmt_buf_pa, BWM_BUF_SIZE);
	}
	vm->mem_pa = vm->store_pa = vm->mgmt_buf_pa = pa_init(0);
}

int vm_mgmt_create(const struct bwm_create *c, unsigned *id)
{
	uint64_t free_cpus = vm_free_cpus(), store = 0;
	unsigned slot = VM_MAX;

	int st = mgmt_check_create(c, free_cpus);

	_Static_assert(VM_MAX <= MGMT_VM_SLOTS && MGMT_MEM_MIN == 2 * BWPKG_DTB_MAX +
		       BWPKG_KERNEL_OFFSET && MGMT_DTB_MAX == BWPKG_DTB_MAX, "limits agree");
	if (st && st != -BWM_EBUSY)
		return st;
	for (unsigned i = 0; i < BWM_IMAGE_COUNT; i++)
		store += ALIGN_UP(c->image_size[i], PAGE_SIZE);
	for (unsigned i = 0; i < VM_MAX; i++) {
		if (vms[i].exists && strcmp(vms[i].name, c->name) == 0)
			return -BWM_EEXIST;
		if (!vms[i].exists && slot == VM_MAX)
			slot = i;
	}
	if (st)
		return st; /* a CPU is taken */
	if (slot == VM_MAX)
		return -BWM_ENOSPC;

	struct vm *vm = &vms[slot];

	memset(vm, 0, sizeof(*vm));
	sl_init(&vm->lock);
	vm->id = slot;
	vm->vmid = (uint16_t)(slot + 1);
	vm->runtime = true;
	memcpy(vm->name, c->name, sizeof(vm->name));
	memcpy(vm->cfg.name, c->name, sizeof(vm->cfg.name));
	vm->cfg.vcpu_count = c->vcpu_count;
	vm->cfg.cpu_mask = c->cpu_mask;
	vm->cfg.mem_base = c->mem_base;
	vm->cfg.mem_size = c->mem_size;
	vm->cfg.mitigations = c->mitigations; /* checked (mgmt_check_create()) */
	vm->cfg.kernel_blob = vm->cfg.initrd_blob = vm->cfg.dtb_blob = BWPKG_NO_BLOB;
	vm->vcpu_count = c->vcpu_count;
	for (unsigned i = 0, off = 0; i < BWM_IMAGE_COUNT; i++) {
		vm->image_off[i] = off;
		vm->image_size[i] = c->image_size[i];
		off += (unsigned)ALIGN_UP(c->image_size[i], PAGE_SIZE);
	}
	vm->store_size = store;
	/* Everything is allocated before anything is published. */
	if (palloc_alloc(c->mem_size, 2UL << 20, &vm->mem_pa) != PALLOC_OK) {
		vm->mem_pa = pa_init(0);
		return -BWM_ENOMEM;
	}
	if (palloc_alloc(store, PAGE_SIZE, &vm->store_pa) != PALLOC_OK) {
		vm->store_pa = pa_init(0);
		vm_release(vm);
		return -BWM_ENOMEM;
	}
	if (!hypmap_zero(vm->store_pa, store) || !mm_ptable_init(&vm->s2, MM_STAGE_GUEST, &hyp_pool)) {
		vm_release(vm);
		return -BWM_ENOMEM;
	}
	vm->s2.vmid = vm->vmid;
	if (mm_map(&vm->s2, c->mem_base, c->mem_base + c->mem_size, vm->mem_pa,
		   MM_MODE_R | MM_MODE_W | MM_MODE_X) != MM_OK) {
		vm_release(vm);
		return -BWM_ENOMEM;
	}
	vgic_reset(vm);
	vuart_reset(&vm->uart);
	vm->state = VM_STATE_CREATED;
	for (unsigned i = 0, pcpu = 0; i < vm->vcpu_count; i++, pcpu++) {
		struct vcpu *v = &vm->vcpus[i];

		while (!(c->cpu_mask & (1ULL << pcpu)))
			pcpu++;
		v->vm = vm;
		v->index = i;
		v->pcpu = pcpu;
		v->power = VCPU_OFF;
	}
	vm->exists = true;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		__atomic_store_n(&percpu[vm->vcpus[i].pcpu].vcpu, &vm->vcpus[i], __ATOMIC_RELEASE);
	if (slot >= vm_count)
		vm_count = slot + 1;
	if (lifecycle_log_allow(1))
		pr_notice("vm '%s': created by the management API: %u vCPU(s), %lu MiB\n",
			  vm->name, vm->vcpu_count, vm->cfg.mem_size >> 20);
	*id = slot;
	return 0;
}

int vm_mgmt_load(struct vm *vm, unsigned image, uint64_t offset, paddr_t src, uint64_t size)
{
	if (image >= BWM_IMAGE_COUNT || size == 0)
		return -BWM_EINVAL;
	if (!vm->runtime || vm->state != VM_STATE_CREATED)
		return -BWM_ESTATE;
	/* In order, each piece where the last ended, within the declared size. */
	if (offset != vm->image_loaded[image] || size > vm->image_size[image] - offset)
		return -BWM_EINVAL;
	if (!hypmap_copy(pa_add(vm->store_pa, vm->image_off[image] + offset), src, size))
		return -BWM_ENOMEM;
	vm->image_loaded[image] += size;
	return 0;
}

int vm_mgmt_start(struct vm *vm)
{
	sl_lock(&vm->lock);
	if (vm->state != VM_STATE_STOPPED && vm->state != VM_STATE_CREATED) {
		sl_unlock(&vm->lock);
		return -BWM_ESTATE;
	}
	for (unsigned i = 0; vm->runtime && i < BWM_IMAGE_COUNT; i++) {
		if (vm->image_loaded[i] != vm->image_size[i]) {
			sl_unlock(&vm->lock);
			return -BWM_ESTATE; /* an image is incomplete */
		}
	}
	enum vm_state was = vm->state;

	vm->state = VM_STATE_RESETTING;
	sl_unlock(&vm->lock);
	if (!vm_wait_parked(vm, NULL)) {
		sl_lock(&vm->lock);
		vm->state = was;
		sl_unlock(&vm->lock);
		return -BWM_EBUSY;
	}
	vm_reload(vm);
	return vm->state == VM_STATE_STOPPED ? -BWM_EINVAL : 0; /* images that do not fit */
}

int vm_mgmt_stop(struct vm *vm, bool force)
{
	sl_lock(&vm->lock);
	enum vm_state s = vm->state;

	if (!vm_state_is_live(s) && s != VM_STATE_PAUSED) {
		sl_unlock(&vm->lock);
		return -BWM_ESTATE;
	}
	if (!force) {
		if (s == VM_STATE_PAUSED) {
			sl_unlock(&vm->lock);
			return -BWM_ESTATE; /* a paused VM cannot act on a request */
		}
		vm->state = VM_STATE_STOPPING;
		sl_unlock(&vm->lock);
		vm_notice(vm, "a graceful stop was requested (shutdown-request interrupt %u)",
			  BWM_SHUTDOWN_INTID);
		vgic_inject(&vm->vcpus[0], BWM_SHUTDOWN_INTID, false);
		return 0;
	}
	sl_unlock(&vm->lock);
	vm_stop(vm, "stopped by the management API");
	return 0;
}

int vm_mgmt_reset(struct vm *vm)
{
	sl_lock(&vm->lock);
	bool ok = vm_state_is_live(vm->state) || vm->state == VM_STATE_PAUSED;

	sl_unlock(&vm->lock);
	if (!ok)
		return -BWM_ESTATE;
	vm_reset(vm, NULL);
	return 0;
}

int vm_mgmt_pause(struct vm *vm)
{
	sl_lock(&vm->lock);
	if (vm->state != VM_STATE_RUNNING) {
		sl_unlock(&vm->lock);
		return -BWM_ESTATE;
	}
	vm->state = VM_STATE_PAUSED;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i], VCPU_REQ_PAUSE);
	sl_unlock(&vm->lock);
	return 0;
}

int vm_mgmt_resume(struct vm *vm)
{
	sl_lock(&vm->lock);
	if (vm->state != VM_STATE_PAUSED) {
		sl_unlock(&vm->lock);
		return -BWM_ESTATE;
	}
	vm->state = VM_STATE_RUNNING;
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		__atomic_and_fetch(&vm->vcpus[i].requests, ~VCPU_REQ_PAUSE, __ATOMIC_RELEASE);
		vcpu_kick(&vm->vcpus[i], 0); /* wakes its CPU */
	}
	sl_unlock(&vm->lock);
	return 0;
}

int vm_mgmt_destroy(struct vm *vm)
{
	if (vm->state == VM_STATE_RESETTING)
		return -BWM_ESTATE;
	if (vm->state != VM_STATE_STOPPED && vm->state != VM_STATE_CREATED)
		vm_stop(vm, "destroyed by the management API");
	if (!vm_wait_parked(vm, NULL))
		return -BWM_EBUSY;
	sl_lock(&vm->lock);
	vm->state = VM_STATE_STOPPED;
	vm->exists = false;
	sl_unlock(&vm->lock);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		__atomic_store_n(&percpu[vm->vcpus[i].pcpu].vcpu, NULL, __ATOMIC_RELEASE);
	for (unsigned irq = 32; irq < VGIC_NR_IRQS; irq++) {
		if (spi_owner[irq] && spi_owner[irq]->vm == vm) {
			gic_spi_disable(irq);
			spi_owner[irq] = NULL;
		}
	}
	vm_release(vm);
	if (lifecycle_log_allow(1))
		pr_notice("vm '%s': destroyed, its memory scrubbed and freed\n", vm->name);
	return 0;
}
