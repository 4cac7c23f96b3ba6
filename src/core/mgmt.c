/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The management API (docs/api.md, include/abi/bulwark/mgmt.h): the register
 * page every VM has, and the calls a VM with the `control` capability makes
 * through its shared buffer.
 *
 * A call is decoded from a private copy of the request (the buffer stays
 * writable by the caller's other vCPUs while we work), every field is checked,
 * and only then does anything change. Calls are serialised by `mgmt_lock`
 * (taken before any vm->lock); each runs on the caller's CPU, inside the
 * trapped store to the doorbell.
 */
#include <bulwark/arch/boot.h>
#include <bulwark/arch/cpu.h>
#include <bulwark/console.h>
#include <bulwark/cpu.h>
#include <bulwark/fmt.h>
#include <bulwark/hypmap.h>
#include <bulwark/mgmt.h>
#include <bulwark/mitig.h>
#include <bulwark/mpool.h>
#include <bulwark/palloc.h>
#include <bulwark/boot.h>
#include <bulwark/string.h>
#include <bulwark/version.h>
#include <bulwark/vm.h>

static struct spinlock mgmt_lock = SPINLOCK_INIT;
static uint8_t out[16384] __attribute__((aligned(16))); /* response payload, under mgmt_lock */
static uint64_t mem_total;

void mgmt_boot_init(void)
{
	mem_total = palloc_free_bytes();
}

/*
 * Copies @size bytes at buffer offset @off of @vm into @p (or the reverse).
 *
 * The caller may map the buffer without caches (Linux maps /dev/mem ranges
 * that are not RAM as Device memory) while our window is cacheable: so the
 * range is cleaned and invalidated before it is read (no stale line hides
 * what the guest wrote) and after it is written (the guest sees our bytes),
 * and no line of it stays in the cache between calls.
 */
static bool buf_xfer(struct vm *vm, uint64_t off, void *p, size_t size, bool to_buf)
{
	if (size == 0)
		return true;
	void *b = hypmap_map(0, pa_add(vm->mgmt_buf_pa, off), size, to_buf);

	if (!b)
		return false;
	arch_cache_clean_inval((uintptr_t)b, size);
	if (to_buf)
		memcpy(b, p, size);
	else
		memcpy(p, b, size);
	arch_cache_clean_inval((uintptr_t)b, size);
	hypmap_unmap(0);
	return true;
}

/* Makes a LOAD's payload, written by the guest, visible to a cacheable copy. */
static bool buf_sync(struct vm *vm, uint64_t off, size_t size)
{
	void *b = hypmap_map(0, pa_add(vm->mgmt_buf_pa, off), size, false);

	if (!b)
		return false;
	arch_cache_clean_inval((uintptr_t)b, size);
	hypmap_unmap(0);
	return true;
}

static void copy_str(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint32_t state_of(const struct vm *vm)
{
	return (uint32_t)vm->state;
}

static size_t op_info(const struct vm *self, struct bwm_resp *r)
{
	struct bwm_info *i = (struct bwm_info *)(void *)out;
	uint64_t online = 0;
	unsigned n = 0;

	memset(i, 0, sizeof(*i));
	copy_str(i->version, BULWARK_VERSION, sizeof(i->version));
	copy_str(i->build, BULWARK_BUILD_CONFIG, sizeof(i->build));
	i->api_major = BWM_VERSION_MAJOR;
	i->api_minor = BWM_VERSION_MINOR;
	for (unsigned c = 0; c < BULWARK_MAX_CPUS && c < 64; c++)
		if (percpu[c].online && !percpu[c].stopped)
			online |= 1ULL << c;
	i->cpu_online_mask = online;
	i->cpu_count = bit_count(online);
	i->cpu_free_mask = vm_free_cpus();
	i->vm_max = VM_MAX;
	i->mem_total = mem_total;
	i->mem_free = palloc_free_bytes();
	i->table_mem_free = (uint64_t)mpool_free_count(&hyp_pool) * PAGE_SIZE;
	for (unsigned v = 0; v < VM_MAX; v++)
		n += vms[v].exists;
	i->vm_count = n;
	i->self = self->id;
	r->count = 1;
	return sizeof(*i);
}

static size_t op_list(struct bwm_resp *r)
{
	struct bwm_vm_info *e = (struct bwm_vm_info *)(void *)out;
	unsigned n = 0;

	_Static_assert(VM_MAX * sizeof(*e) <= sizeof(out), "list fits");
	for (unsigned v = 0; v < VM_MAX; v++) {
		const struct vm *vm = &vms[v];

		if (!vm->exists)
			continue;
		memset(&e[n], 0, sizeof(e[n]));
		e[n].id = vm->id;
		e[n].state = state_of(vm);
		memcpy(e[n].name, vm->name, sizeof(e[n].name));
		e[n].vcpu_count = vm->vcpu_count;
		e[n].caps = vm->cfg.caps & BWPKG_CAP_CONTROL ? BWM_CAP_CONTROL : 0;
		e[n].cpu_mask = vm->cfg.cpu_mask;
		e[n].mem_base = vm->cfg.mem_base;
		e[n].mem_size = vm->cfg.mem_size;
		e[n].boots = vm->boots;
		e[n].flags = vm->runtime ? BWM_VM_FLAG_RUNTIME : 0;
		copy_str(e[n].stop_reason, vm->stop_reason, sizeof(e[n].stop_reason));
		n++;
	}
	r->count = n;
	return n * sizeof(*e);
}

static size_t op_stats(const struct vm *vm, struct bwm_resp *r)
{
	struct bwm_vm_stats *s = (struct bwm_vm_stats *)(void *)out;
	uint64_t now = arch_counter(), freq = arch_counter_freq();

	memset(s, 0, sizeof(*s));
	s->id = vm->id;
	s->vcpu_count = vm->vcpu_count;
	s->console_bytes = __atomic_load_n(&vm->uart.history_seq, __ATOMIC_RELAXED);
	s->console_dropped = __atomic_load_n(&vm->uart.dropped, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < vm->vcpu_count && i < BWM_VCPU_MAX; i++) {
		const struct vcpu *v = &vm->vcpus[i];
		struct bwm_vcpu_stats *o = &s->vcpu[i];
		uint64_t since = __atomic_load_n(&v->stats.run_since, __ATOMIC_RELAXED);
		uint64_t ticks = __atomic_load_n(&v->stats.run_ticks, __ATOMIC_RELAXED);

		if (since && now > since)
			ticks += now - since;
		o->pcpu = v->pcpu;
		o->on = __atomic_load_n(&v->power, __ATOMIC_RELAXED) == VCPU_ON;
		o->exits = v->stats.exits;
		o->hvc = v->stats.hvc;
		o->sysreg = v->stats.sysreg;
		o->mmio = v->stats.mmio;
		o->irq = v->stats.irq;
		o->aborts = v->stats.aborts;
		o->injected = v->stats.injected + v->stats.vtimer_fast; /* C and the vector */
		/* ticks * 1e9 / freq without overflow for any realistic uptime. */
		o->cpu_time_ns = freq ? ticks / freq * 1000000000ULL +
				 ticks % freq * 1000000000ULL / freq : 0;
	}
	r->count = 1;
	return sizeof(*s);
}

/* One entry per online CPU and issue, from the mitigation modules' plans. */
static size_t op_posture(struct bwm_resp *r)
{
	struct bwm_posture_entry *e = (struct bwm_posture_entry *)(void *)out;
	const size_t cap = sizeof(out) / sizeof(*e);
	unsigned n = 0;

	_Static_assert(BULWARK_MAX_CPUS * MITIG_ISSUE_COUNT * sizeof(*e) <= sizeof(out),
		       "every CPU's posture fits");
	for (unsigned c = 0; c < BULWARK_MAX_CPUS; c++) {
		for (unsigned i = 0; i < MITIG_ISSUE_COUNT && n < cap; i++) {
			struct mitig_posture_entry p;
			enum mitig_profile prof, vm_prof;

			if (!percpu[c].online ||
			    mitig_posture_get(c, (enum mitig_issue)i, &p, &prof, &vm_prof))
				continue;
			memset(&e[n], 0, sizeof(e[n]));
			e[n].cpu = c;
			e[n].affected = p.affected == MITIG_AFFECTED ? 1 :
					p.affected == MITIG_NOT_AFFECTED ? 0 : 2;
			copy_str(e[n].issue, mitig_issue_name((enum mitig_issue)i),
				 sizeof(e[n].issue));
			copy_str(e[n].mitigation, p.active ? mitig_method_name(p.method) : "none",
				 sizeof(e[n].mitigation));
			if (p.source == MITIG_SRC_PROFILE || p.source == MITIG_SRC_VM_PROFILE)
				fmt_snprintf(e[n].chosen_by, sizeof(e[n].chosen_by), "%sprofile %s",
					     p.source == MITIG_SRC_VM_PROFILE ? "vm " : "",
					     mitig_profile_name(p.source == MITIG_SRC_VM_PROFILE ?
								vm_prof : prof));
			else
				copy_str(e[n].chosen_by, mitig_source_name(p.source),
					 sizeof(e[n].chosen_by));
			n++;
		}
	}
	r->count = n;
	return n * sizeof(*e);
}

static size_t op_console_read(struct vm *vm, uint64_t from, struct bwm_resp *r)
{
	uint64_t seq = from, oldest;
	size_t n = vuart_history_read(vm, &seq, out, sizeof(out), &oldest);

	r->val[0] = seq;
	r->val[1] = oldest;
	r->count = (uint32_t)n;
	return n;
}

static uint32_t vm_exists_mask(void)
{
	uint32_t m = 0;

	for (unsigned v = 0; v < VM_MAX; v++)
		m |= (uint32_t)vms[v].exists << v;
	return m;
}

static int call(struct vm *caller, const struct bwm_req *q, struct bwm_resp *r, size_t *out_size)
{
	int st = mgmt_check(q, caller->id, vm_exists_mask());
	struct vm *vm = q->vm < VM_MAX ? &vms[q->vm] : NULL;
	uint8_t in[sizeof(struct bwm_create) > VUART_RX_SIZE ? sizeof(struct bwm_create) : VUART_RX_SIZE];

	*out_size = 0;
	if (st)
		return st;
	if (q->op != BWM_OP_LOAD && !buf_xfer(caller, BWM_DATA_OFFSET, in, q->size, false))
		return -BWM_EINVAL;
	switch (q->op) {
	case BWM_OP_INFO:
		*out_size = op_info(caller, r);
		return 0;
	case BWM_OP_LIST:
		*out_size = op_list(r);
		return 0;
	case BWM_OP_STATS:
		*out_size = op_stats(vm, r);
		return 0;
	case BWM_OP_START:
		return vm_mgmt_start(vm);
	case BWM_OP_STOP:
		return vm_mgmt_stop(vm, q->arg[0] & BWM_STOP_FORCE);
	case BWM_OP_RESET:
		return vm_mgmt_reset(vm);
	case BWM_OP_PAUSE:
		return vm_mgmt_pause(vm);
	case BWM_OP_RESUME:
		return vm_mgmt_resume(vm);
	case BWM_OP_CONSOLE_READ:
		*out_size = op_console_read(vm, q->arg[0], r);
		return 0;
	case BWM_OP_CONSOLE_WRITE: {
		unsigned n = 0;

		while (n < q->size && vuart_input(vm, (char)in[n]))
			n++;
		r->val[0] = n;
		return 0;
	}
	case BWM_OP_CREATE: {
		struct bwm_create c;
		unsigned id;

		memcpy(&c, in, sizeof(c));
		st = vm_mgmt_create(&c, &id);
		r->val[0] = st ? 0 : id;
		return st;
	}
	case BWM_OP_LOAD:
		if (!buf_sync(caller, BWM_DATA_OFFSET, q->size))
			return -BWM_EINVAL;
		return vm_mgmt_load(vm, (unsigned)q->arg[0], q->arg[1],
				    pa_add(caller->mgmt_buf_pa, BWM_DATA_OFFSET), q->size);
	case BWM_OP_DESTROY:
		return vm_mgmt_destroy(vm);
	case BWM_OP_POSTURE:
		*out_size = op_posture(r);
		return 0;
	default:
		return -BWM_EINVAL;
	}
}

/* The doorbell: runs the call in @vm's buffer. */
static void mgmt_call(struct vm *vm)
{
	struct bwm_req q;
	struct bwm_resp r;
	size_t n = 0;
	int st;

	if (!(vm->cfg.caps & BWPKG_CAP_CONTROL) || !pa_addr(vm->mgmt_buf_pa)) {
		vm->mgmt_status = -BWM_EPERM;
		vm_notice(vm, "management call refused: no control capability");
		return;
	}
	sl_lock(&mgmt_lock);
	memset(&r, 0, sizeof(r));
	if (!buf_xfer(vm, 0, &q, sizeof(q), false))
		st = -BWM_EINVAL;
	else
		st = call(vm, &q, &r, &n);
	r.magic = BWM_RESP_MAGIC;
	r.status = st;
	if (st) {
		n = 0;
		r.count = 0;
	}
	r.size = (uint32_t)n;
	if (!buf_xfer(vm, BWM_DATA_OFFSET, out, n, true) || !buf_xfer(vm, 0, &r, sizeof(r), true))
		st = -BWM_EINVAL;
	vm->mgmt_status = st;
	sl_unlock(&mgmt_lock);
}

bool mgmt_mmio(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct vm *vm = v->vm;
	bool control = (vm->cfg.caps & BWPKG_CAP_CONTROL) && pa_addr(vm->mgmt_buf_pa);

	if (size != 4 || (off & 3)) {
		*val = 0;
		return true;
	}
	if (write) {
		if (off == BWM_REG_DOORBELL) {
			if ((uint32_t)*val == BWM_DOORBELL_CALL)
				mgmt_call(vm);
			else
				vm->mgmt_status = -BWM_EINVAL;
		}
		return true;
	}
	switch (off) {
	case BWM_REG_MAGIC:
		*val = BWM_MAGIC;
		break;
	case BWM_REG_VERSION:
		*val = BWM_VERSION_MAJOR << 16 | BWM_VERSION_MINOR;
		break;
	case BWM_REG_CAPS:
		*val = control ? BWM_CAP_CONTROL : 0;
		break;
	case BWM_REG_BUF_SIZE:
		*val = control ? BWM_BUF_SIZE : 0;
		break;
	case BWM_REG_STATUS:
		*val = (uint32_t)vm->mgmt_status;
		break;
	case BWM_REG_SELF:
		*val = vm->id;
		break;
	default:
		*val = 0;
	}
	return true;
}
