/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual machines and their vCPUs.
 *
 * Each VM owns a contiguous block of RAM, mapped only in its own stage-2
 * table, and a set of physical CPUs: each vCPU is pinned to one physical CPU
 * that runs nothing else, so no CPU is shared between VMs. A physical CPU
 * runs its vCPU in `vcpu_run_loop()` until the vCPU is switched off, then
 * waits for it to be switched on again.
 *
 * Locking: `vm->lock` protects the VM's state and every vCPU's `power`
 * state and request bits. Lock order: vm->lock, then vgic locks, then
 * the console lock.
 */
#ifndef BULWARK_VM_H
#define BULWARK_VM_H

#include <bulwark/arch/vcpu.h>
#include <bulwark/console.h>
#include <bulwark/fastmmio.h>
#include <bulwark/mm.h>
#include <bulwark/package.h>
#include <bulwark/spinlock.h>
#include <bulwark/types.h>
#include <bulwark/vgic.h>
#include <bulwark/vuart.h>

#define VM_MAX BWPKG_MAX_VMS
#define VCPU_MAX 8

/* The values are those of the management ABI's `enum bwm_vm_state`. */
enum vm_state {
	VM_STATE_STOPPED = 0, /* never started, or stopped (SYSTEM_OFF, fault, management) */
	VM_STATE_RUNNING = 1,
	VM_STATE_RESETTING = 2, /* vCPUs are being parked, then it boots again */
	VM_STATE_PAUSED = 3,  /* its vCPUs wait on their CPUs, their state kept */
	VM_STATE_STOPPING = 4, /* runs; a graceful stop was requested */
	VM_STATE_CREATED = 5, /* created at run time; images being loaded */
};

/* A VM that runs guest code (its vCPUs may be in the guest). */
static inline bool vm_state_is_live(enum vm_state s)
{
	return s == VM_STATE_RUNNING || s == VM_STATE_STOPPING;
}

enum vcpu_power {
	VCPU_OFF = 0,
	VCPU_ON,              /* runs, or is about to */
};

/* Requests to a vCPU's physical CPU, set under vm->lock, acted on at exit. */
#define VCPU_REQ_STOP (1u << 0)   /* leave the guest: the VM stops or resets */
#define VCPU_REQ_INJECT (1u << 1) /* new virtual interrupts are pending */
#define VCPU_REQ_PAUSE (1u << 2)  /* wait on the CPU, guest state kept, until cleared */

struct vm;

struct vcpu {
	struct arch_vcpu arch;   /* registers; first, for the assembly */
	struct vm *vm;
	unsigned index;          /* within the VM; Aff0 of its virtual MPIDR */
	unsigned pcpu;           /* physical CPU index it is pinned to */
	enum vcpu_power power;
	uint32_t requests;       /* VCPU_REQ_* */
	uint64_t boot_pc, boot_arg; /* where CPU_ON starts it */
	uint32_t running;        /* its physical CPU is running it (not parked) */
	struct vgic_cpu vgic;
	struct {
		uint64_t exits, hvc, sysreg, mmio, irq, aborts;
		uint64_t kicks, vtimer, maint, flushes, injected;
		uint64_t vtimer_fast;  /* timer interrupts the exit vector delivered (guest.S) */
		uint64_t mmio_fast;    /* MMIO accesses it carried out from the fast-MMIO table */
		uint64_t run_ticks;      /* counter ticks spent in arch_vcpu_run() */
		uint64_t run_since;      /* counter at its start, while in it; else 0 */
	} stats;
};

/* Where a VM's images come from: the package (boot VMs) or its image store. */
enum vm_image { VM_IMAGE_KERNEL, VM_IMAGE_INITRD, VM_IMAGE_DTB, VM_IMAGE_COUNT };

struct vm {
	/* Accesses the data-abort vector carries out (include/bulwark/fastmmio.h);
	 * first, for the assembly. */
	struct fastmmio fastmmio[FASTMMIO_SLOTS];
	struct spinlock lock;
	bool exists;             /* the slot holds a VM */
	bool runtime;            /* created through the management API */
	unsigned id;             /* index in the VM table */
	uint16_t vmid;
	char name[BWPKG_NAME_LEN];
	enum vm_state state;
	char stop_reason[96];
	struct bwpkg_vm cfg;     /* the decoded, checked description */
	paddr_t mem_pa;          /* host-physical base of its RAM */
	struct mm_ptable s2;
	unsigned vcpu_count;
	struct vcpu vcpus[VCPU_MAX];
	struct vgic_dist vgic;
	struct vuart uart;
	unsigned boots;          /* how many times it has (re)started */
	uint64_t kernel_ipa, dtb_ipa;
	struct ratelimit notices; /* vm_notice()'s budget */
	/* Runtime VMs: their images, in memory of their own (VM_IMAGE_*). */
	paddr_t store_pa;
	uint64_t store_size;
	uint64_t image_off[VM_IMAGE_COUNT], image_size[VM_IMAGE_COUNT];
	uint64_t image_loaded[VM_IMAGE_COUNT];
	/* Control VMs: the buffer shared with the management API. */
	paddr_t mgmt_buf_pa;
	int32_t mgmt_status;     /* of its last management call */
};

/* Slots 0..vm_count-1 have been used; a slot's `exists` says if it holds a
 * VM now (the management API destroys and creates VMs at run time). */
extern struct vm vms[VM_MAX];
extern unsigned vm_count;

/* Decodes the package at @pkg (@avail bytes loaded) for a machine of @cpus
 * CPUs and hands its mitigation choices to the mitigation modules (boot
 * CPU, before SMP); returns the system's choice (BWPKG_MITIG_*). A bad
 * description stops the boot with a message naming the VM and field.
 * vm_boot_all() then creates and starts its VMs (boot CPU, after SMP). */
uint32_t vm_read_package(paddr_t pkg, uint64_t avail, unsigned cpus);
void vm_boot_all(void);
/* The physical CPU's scheduler loop: runs its vCPU whenever it is on. */
NORETURN void vcpu_run_loop(void);

/* Stops a VM for @reason (logged): its vCPUs leave the guest and stay off. */
void vm_stop(struct vm *vm, const char *reason);
/*
 * Life cycle through the management API (src/core/mgmt.c), which holds its
 * lock around each call. Each returns 0 or a negated `enum bwm_status`, and
 * changes nothing when it fails.
 */
struct bwm_create;
int vm_mgmt_create(const struct bwm_create *c, unsigned *id);
int vm_mgmt_load(struct vm *vm, unsigned image, uint64_t offset, paddr_t src, uint64_t size);
int vm_mgmt_start(struct vm *vm);
int vm_mgmt_stop(struct vm *vm, bool force);
int vm_mgmt_reset(struct vm *vm);
int vm_mgmt_pause(struct vm *vm);
int vm_mgmt_resume(struct vm *vm);
int vm_mgmt_destroy(struct vm *vm);
/* Physical CPUs that are online and run no VM's vCPU. */
uint64_t vm_free_cpus(void);
/* Sets requests on a vCPU and kicks its physical CPU out of the guest. */
void vcpu_kick(struct vcpu *v, uint32_t req);
/* The VM's vCPU with virtual MPIDR affinity @mpidr, or NULL. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);
/* Is [ipa, ipa+size) inside the VM's RAM? */
bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t size);

/* PSCI CPU_ON for a vCPU: validated by the caller, under vm->lock. */
int vcpu_power_on_locked(struct vcpu *v, uint64_t pc, uint64_t arg);

/* Logs what a guest did wrong at notice level, at most a few lines per
 * second per VM, so that no guest can flood the console. */
void vm_notice(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Handles the physical interrupts pending on this CPU, beginning with
 * @acked if the caller has acknowledged one already (else
 * GIC_INTID_SPURIOUS); @v is its vCPU, if one is loaded: out of its guest,
 * its list registers in this CPU and synced since its last exit
 * (`vgic_sync()`), so that an SPI passed through to it may go straight
 * into one (`vgic_inject_local()`). */
void vm_handle_irqs(struct vcpu *v, uint32_t acked);

/* Console input: a character typed on the hypervisor console. */
void vconsole_input(char c);
/* The VM the keyboard goes to, or NULL. */
struct vm *vconsole_focus(void);

#endif
