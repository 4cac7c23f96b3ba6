/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bulwark's management API, version 1.0: the guest-visible ABI (docs/api.md).
 *
 * Shared by the hypervisor (src/core/mgmt.c) and by the tools that call it
 * from a control VM (tools/bwctl). Plain C11 with <stdint.h> types only, so
 * both a freestanding EL2 build and a Linux userspace build include it.
 *
 * Transport. Every VM has, at a fixed guest-physical address, a 4 KiB page
 * of 32-bit registers (BWM_REGS_IPA, trapped and emulated) and, if its
 * description grants it the `control` capability, a buffer of
 * BWM_BUF_SIZE bytes of ordinary memory (BWM_BUF_IPA) shared with the
 * hypervisor. A call:
 *   1. the caller writes a `struct bwm_req` at buffer offset 0 and its
 *      payload (if any) at BWM_DATA_OFFSET;
 *   2. it writes BWM_DOORBELL_CALL to BWM_REG_DOORBELL. The hypervisor
 *      copies the request and its payload out of the buffer, checks all of
 *      it, and only then acts; it writes a `struct bwm_resp` at buffer
 *      offset 0 and the response payload at BWM_DATA_OFFSET before the
 *      store to the doorbell completes (the call is synchronous);
 *   3. the caller reads BWM_REG_STATUS (the same value as `resp.status`)
 *      and the response.
 * A VM without `control` has the register page but no buffer: every call it
 * makes ends with BWM_REG_STATUS = -BWM_EPERM and changes nothing.
 * Linux userspace reaches both through /dev/mem (the range is not RAM, so a
 * stock kernel with STRICT_DEVMEM allows it); the mapping is Device memory,
 * so every access must be naturally aligned and at most 8 bytes wide.
 *
 * All integers are little-endian. Reserved fields must be zero in requests
 * and are zero in responses; a request with a non-zero reserved field, an
 * unknown operation, a bad size or a bad argument fails with -BWM_EINVAL and
 * changes nothing.
 */
#ifndef BULWARK_ABI_MGMT_H
#define BULWARK_ABI_MGMT_H

#include <stdint.h>

#define BWM_VERSION_MAJOR 1
#define BWM_VERSION_MINOR 1 /* 1.1: bwm_create.mitigations */

/* Guest-physical layout, the same in every VM (docs/guest-platform.md). */
#define BWM_REGS_IPA 0x0f000000ULL
#define BWM_REGS_SIZE 0x1000ULL
#define BWM_BUF_IPA 0x0f100000ULL
#define BWM_BUF_SIZE 0x100000ULL         /* 1 MiB */
#define BWM_DATA_OFFSET 0x1000u          /* payloads start here in the buffer */
#define BWM_DATA_MAX (BWM_BUF_SIZE - BWM_DATA_OFFSET)
#define BWM_CONSOLE_WRITE_MAX 64u        /* bytes per CONSOLE_WRITE (the UART's FIFO) */
#define BWM_LOAD_ALIGN 4096u             /* LOAD offsets are multiples of this */

/* Registers: 32-bit, naturally aligned accesses only (others read as 0 and
 * are ignored). */
#define BWM_REG_MAGIC 0x00     /* RO: BWM_MAGIC */
#define BWM_REG_VERSION 0x04   /* RO: major << 16 | minor */
#define BWM_REG_CAPS 0x08      /* RO: BWM_CAP_* granted to this VM */
#define BWM_REG_BUF_SIZE 0x0c  /* RO: buffer bytes; 0 without `control` */
#define BWM_REG_DOORBELL 0x10  /* WO: BWM_DOORBELL_CALL runs the call */
#define BWM_REG_STATUS 0x14    /* RO: int32 status of this VM's last call */
#define BWM_REG_SELF 0x18      /* RO: the calling VM's id */

#define BWM_MAGIC 0x474d5742u          /* "BWMG" */
#define BWM_DOORBELL_CALL 0x4c4c4143u  /* "CALL" */
#define BWM_CAP_CONTROL (1u << 0)

#define BWM_REQ_MAGIC 0x51524d42u      /* "BMRQ" */
#define BWM_RESP_MAGIC 0x53524d42u     /* "BMRS" */

/* Status codes: 0 or the negated code. */
enum bwm_status {
	BWM_OK = 0,
	BWM_EPERM = 1,     /* the caller lacks the `control` capability */
	BWM_EINVAL = 2,    /* malformed request: magic, version, op, size, reserved, argument */
	BWM_ENOENT = 3,    /* no VM with that id */
	BWM_ESTATE = 4,    /* the VM is not in a state that allows the operation */
	BWM_ENOMEM = 5,    /* not enough free memory */
	BWM_EBUSY = 6,     /* a CPU asked for is not free (owned by a VM, or offline) */
	BWM_ENOSPC = 7,    /* no free VM slot */
	BWM_EVERSION = 8,  /* request version not supported */
	BWM_ESELF = 9,     /* the operation may not target the calling VM */
	BWM_EEXIST = 10,   /* a VM with that name exists */
};

enum bwm_op {
	BWM_OP_INFO = 1,          /* -> struct bwm_info */
	BWM_OP_LIST = 2,          /* -> struct bwm_vm_info[count] */
	BWM_OP_STATS = 3,         /* vm -> struct bwm_vm_stats */
	BWM_OP_START = 4,         /* vm: a stopped VM boots again from its images */
	BWM_OP_STOP = 5,          /* vm, arg[0] = BWM_STOP_*: see below */
	BWM_OP_RESET = 6,         /* vm: stop, reload its images, start */
	BWM_OP_PAUSE = 7,         /* vm: its vCPUs stop running, state kept */
	BWM_OP_RESUME = 8,        /* vm: a paused VM runs on */
	BWM_OP_CONSOLE_READ = 9,  /* vm, arg[0] = sequence number to read from */
	BWM_OP_CONSOLE_WRITE = 10,/* vm, payload = 1..BWM_CONSOLE_WRITE_MAX bytes typed to its
				   * console -> val[0] = bytes accepted (the FIFO may be full) */
	BWM_OP_CREATE = 11,       /* payload = struct bwm_create -> val[0] = new VM id */
	BWM_OP_LOAD = 12,         /* vm, arg[0] = enum bwm_image, arg[1] = offset (a multiple of
				   * BWM_LOAD_ALIGN, where the last piece ended), payload = bytes */
	BWM_OP_DESTROY = 13,      /* vm: stopped first (forced), memory scrubbed, freed */
	BWM_OP_POSTURE = 14,      /* -> struct bwm_posture_entry[count] */
	BWM_OP_COUNT_
};

/*
 * STOP: without BWM_STOP_FORCE, a graceful request: a running VM enters
 * BWM_VM_STOPPING and is sent the shutdown-request interrupt of its
 * devicetree (docs/api.md); it stops when it powers itself off. The caller
 * decides how long to wait before a forced stop (bwctl: --timeout).
 * With BWM_STOP_FORCE: the VM's vCPUs leave the guest now and it is
 * stopped. Stopping a VM that is not running is -BWM_ESTATE.
 */
#define BWM_STOP_FORCE (1u << 0)

/* The shutdown-request interrupt: an SPI made pending on vCPU 0's target by a
 * graceful STOP. Reserved in every VM (no passed-through device may use it);
 * a guest that wants graceful stops enables it and powers off (PSCI
 * SYSTEM_OFF) when it fires. Level-insensitive: each request pends it once. */
#define BWM_SHUTDOWN_INTID 250u

enum bwm_image {
	BWM_IMAGE_KERNEL = 0,  /* arm64 Image (Linux or bare metal), loaded like packed ones */
	BWM_IMAGE_INITRD = 1,
	BWM_IMAGE_DTB = 2,     /* the VM's devicetree, given as is to the guest in x0 */
	BWM_IMAGE_COUNT
};

enum bwm_vm_state {
	BWM_VM_STOPPED = 0,
	BWM_VM_RUNNING = 1,
	BWM_VM_RESETTING = 2,
	BWM_VM_PAUSED = 3,
	BWM_VM_STOPPING = 4,  /* a graceful stop was requested */
	BWM_VM_CREATED = 5,   /* created at run time, images being loaded, not started yet */
};

struct bwm_req {
	uint32_t magic;        /* BWM_REQ_MAGIC */
	uint16_t version;      /* BWM_VERSION_MAJOR */
	uint16_t op;           /* enum bwm_op */
	uint32_t vm;           /* target VM id, for operations on one VM; else 0 */
	uint32_t size;         /* payload bytes at BWM_DATA_OFFSET, <= BWM_DATA_MAX */
	uint64_t arg[6];       /* per operation; unused ones must be 0 */
};

struct bwm_resp {
	uint32_t magic;        /* BWM_RESP_MAGIC */
	int32_t status;        /* BWM_OK or -BWM_E* */
	uint32_t size;         /* payload bytes at BWM_DATA_OFFSET */
	uint32_t count;        /* records in the payload (1 for INFO and STATS; bytes for
				* CONSOLE_READ); 0 when the call failed */
	uint64_t val[6];       /* per operation */
};

#define BWM_NAME_LEN 32
#define BWM_REASON_LEN 96
#define BWM_VCPU_MAX 8

/* BWM_OP_INFO */
struct bwm_info {
	char version[32];        /* Bulwark's version, NUL-terminated */
	char build[96];          /* build options, NUL-terminated, space-separated */
	uint32_t api_major, api_minor;
	uint32_t cpu_count;      /* physical CPUs online */
	uint32_t vm_max;         /* VM slots */
	uint64_t cpu_online_mask;
	uint64_t cpu_free_mask;  /* online and not owned by any VM */
	uint64_t mem_total;      /* bytes of RAM the hypervisor manages for VMs */
	uint64_t mem_free;       /* of which free now */
	uint64_t table_mem_free; /* bytes free in the hypervisor's page-table pool */
	uint32_t vm_count;       /* VMs that exist */
	uint32_t self;           /* the calling VM's id */
};

/* BWM_OP_LIST: one per existing VM, in id order. */
#define BWM_VM_FLAG_RUNTIME (1u << 0)  /* created through the API, not from the package */
struct bwm_vm_info {
	uint32_t id;
	uint32_t state;          /* enum bwm_vm_state */
	char name[BWM_NAME_LEN];
	uint32_t vcpu_count;
	uint32_t caps;           /* BWM_CAP_* */
	uint64_t cpu_mask;       /* physical CPUs it owns */
	uint64_t mem_base;       /* guest-physical base of its RAM */
	uint64_t mem_size;
	uint32_t boots;          /* times it has (re)started */
	uint32_t flags;          /* BWM_VM_FLAG_* */
	char stop_reason[BWM_REASON_LEN]; /* why it last stopped, or "" */
};

/* BWM_OP_STATS */
struct bwm_vcpu_stats {
	uint32_t pcpu;           /* the physical CPU it is pinned to */
	uint32_t on;             /* 1 when powered on (PSCI) */
	uint64_t exits;          /* all exits to the hypervisor */
	uint64_t hvc;            /* HVC/SMC calls */
	uint64_t sysreg;         /* trapped system-register accesses */
	uint64_t mmio;           /* trapped MMIO accesses (and stage-2 faults) */
	uint64_t irq;            /* exits for physical interrupts */
	uint64_t aborts;         /* instruction aborts */
	uint64_t injected;       /* virtual interrupts put in its list registers */
	uint64_t cpu_time_ns;    /* time spent running (guest and its exits) */
};

struct bwm_vm_stats {
	uint32_t id;
	uint32_t vcpu_count;
	uint64_t console_bytes;  /* bytes the VM wrote to its console */
	uint64_t console_dropped;/* lines over the rate limit, not printed */
	struct bwm_vcpu_stats vcpu[BWM_VCPU_MAX];
};

/* BWM_OP_CONSOLE_READ: the hypervisor keeps the last BWM_CONSOLE_RING bytes
 * each VM printed. Sequence numbers count bytes since the VM was created.
 * Request arg[0] = first sequence number wanted. Response payload = bytes,
 * val[0] = the sequence number after the last byte returned (ask for it
 * next), val[1] = the oldest sequence number still kept (if arg[0] was
 * older, bytes were lost and reading starts there). */
#define BWM_CONSOLE_RING 8192u

/* BWM_OP_CREATE payload. The VM is created in BWM_VM_CREATED with its RAM
 * and an image store of the given sizes allocated; LOAD fills the store,
 * START checks that every image is complete, lays it out like a packed VM's
 * (kernel at RAM + 2 MiB + text_offset, DTB in the last 2 MiB, initrd below
 * it) and boots vCPU 0 at the kernel with x0 = the DTB's address (0 without
 * one). Reset and start after a stop reload from the store. */
struct bwm_create {
	char name[BWM_NAME_LEN]; /* NUL-terminated, [a-z0-9_-], unique */
	uint32_t vcpu_count;     /* 1..BWM_VCPU_MAX, = popcount(cpu_mask) */
	uint32_t mitigations;    /* its deviation from the system's mitigation choice,
				  * BWM_MITIG_*; 0 = the system's (1.0: reserved, 0) */
	uint64_t cpu_mask;       /* free physical CPUs it will own */
	uint64_t mem_base;       /* guest-physical RAM base, 2 MiB aligned, >= 1 GiB */
	uint64_t mem_size;       /* 2 MiB multiple, >= 6 MiB */
	uint64_t image_size[BWM_IMAGE_COUNT]; /* bytes; kernel > 0; 0 = no such image */
};

/*
 * bwm_create.mitigations, as a VM's `mitigations` in the system description
 * packs it (docs/mitigations.md): BWM_MITIG_SET, a profile (0: the
 * system's, 1 hardened, 2 balanced, 3 throughput) in bits 0-7, and the
 * modules switched on (bits 8-15) and off (bits 16-23), one bit each, only
 * those decided per VM: 0 bpi, 1 bhb, 2 ssbd, 5 smccc.
 */
#define BWM_MITIG_SET (1u << 31)
#define BWM_MITIG_VM_MODULES 0x27u

/* BWM_OP_POSTURE: one per (CPU, issue), see docs/mitigations.md. */
struct bwm_posture_entry {
	uint32_t cpu;
	uint32_t affected;       /* 0 no, 1 yes, 2 unknown */
	char issue[24];
	char mitigation[40];     /* what is active, or "none" */
	char chosen_by[24];      /* profile or override that chose it */
};

_Static_assert(sizeof(struct bwm_req) == 64, "management ABI");
_Static_assert(sizeof(struct bwm_resp) == 64, "management ABI");
_Static_assert(sizeof(struct bwm_info) == 192, "management ABI");
_Static_assert(sizeof(struct bwm_vm_info) == 176, "management ABI");
_Static_assert(sizeof(struct bwm_vcpu_stats) == 72, "management ABI");
_Static_assert(sizeof(struct bwm_vm_stats) == 24 + BWM_VCPU_MAX * 72, "management ABI");
_Static_assert(sizeof(struct bwm_create) == 88, "management ABI");
_Static_assert(sizeof(struct bwm_posture_entry) == 96, "management ABI");

#endif
