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
#include <bulwark/fastmmio.h>
#include <bulwark/mm.h>
#include <bulwark/package.h>
#include <bulwark/spinlock.h>
#include <bulwark/types.h>
#include <bulwark/vgic.h>
#include <bulwark/vuart.h>

#define VM_MAX BWPKG_MAX_VMS
#define VCPU_MAX 8

enum vm_state {
	VM_STATE_STOPPED = 0, /* never started, or stopped (SYSTEM_OFF, fault) */
	VM_STATE_RUNNING,
	VM_STATE_RESETTING,   /* SYSTEM_RESET: vCPUs are being parked, then it boots again */
};

enum vcpu_power {
	VCPU_OFF = 0,
	VCPU_ON,              /* runs, or is about to */
};

/* Requests to a vCPU's physical CPU, set under vm->lock, acted on at exit. */
#define VCPU_REQ_STOP (1u << 0)   /* leave the guest: the VM stops or resets */
#define VCPU_REQ_INJECT (1u << 1) /* new virtual interrupts are pending */

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
		uint64_t kicks, vtimer, maint, flushes;
		uint64_t vtimer_fast;  /* timer interrupts the exit vector delivered (guest.S) */
		uint64_t mmio_fast;    /* MMIO accesses it carried out from the fast-MMIO table */
	} stats;
};

struct vm {
	/* Accesses the data-abort vector carries out (include/bulwark/fastmmio.h);
	 * first, for the assembly. */
	struct fastmmio fastmmio[FASTMMIO_SLOTS];
	struct spinlock lock;
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
	struct {
		uint64_t window_start;
		unsigned in_window, suppressed;
	} notices;
};

extern struct vm vms[VM_MAX];
extern unsigned vm_count;

/* Creates every VM of the package at @pkg (@avail bytes loaded) for a
 * machine of @cpus CPUs, and starts them. Boot CPU, after SMP. A bad
 * description stops the boot with a message naming the VM and field. */
void vm_boot_all(paddr_t pkg, uint64_t avail, unsigned cpus);
/* The physical CPU's scheduler loop: runs its vCPU whenever it is on. */
NORETURN void vcpu_run_loop(void);

/* Stops a VM for @reason (logged): its vCPUs leave the guest and stay off. */
void vm_stop(struct vm *vm, const char *reason);
/* Restarts a VM from its images (SYSTEM_RESET). */
void vm_request_reset(struct vm *vm);
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
 * GIC_INTID_SPURIOUS); @v is its vCPU, if one is loaded. */
void vm_handle_irqs(struct vcpu *v, uint32_t acked);

/* Console input: a character typed on the hypervisor console. */
void vconsole_input(char c);
/* The VM the keyboard goes to, or NULL. */
struct vm *vconsole_focus(void);

#endif
