/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The management API's emulated register page and call dispatcher
 * (src/core/mgmt.c; the guest-visible ABI is include/abi/bulwark/mgmt.h).
 */
#ifndef BULWARK_MGMT_H
#define BULWARK_MGMT_H

#include <bulwark/types.h>

#include <abi/bulwark/mgmt.h>

struct vcpu;

/* Records the memory VMs may use, before any VM exists. Boot CPU. */
void mgmt_boot_init(void);
/* Emulates an access of @v's VM to its register page at offset @off; a
 * write of BWM_DOORBELL_CALL runs the call in its buffer before returning.
 * Always true: every access to the page is handled (bad ones read as 0). */
bool mgmt_mmio(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val);
/* VM slots the API can name (one bit each in a `uint32_t`). */
#define MGMT_VM_SLOTS 16
/* Limits of a VM created at run time (those of packed VMs, docs/configuration.md). */
#define MGMT_MEM_MIN (6ULL << 20)       /* kernel offset + room + devicetree */
#define MGMT_MEM_ALIGN (2ULL << 20)
#define MGMT_MEM_BASE_MIN (1ULL << 30)  /* above the device window */
#define MGMT_IPA_LIMIT (1ULL << 39)
#define MGMT_DTB_MAX (2ULL << 20)

/* Checks a request's shape (magic, version, op, unused arguments, payload
 * size, target) for the caller with VM id @self, VMs existing in the slots
 * set in @exists; 0 or a negated `enum bwm_status`. Pure. */
int mgmt_check(const struct bwm_req *q, unsigned self, uint32_t exists);
/* Checks a CREATE request's description (name, CPUs among @free_cpus,
 * memory, image sizes); 0, -BWM_EINVAL or -BWM_EBUSY. Pure: the name's
 * uniqueness and the memory left are checked by the caller. */
int mgmt_check_create(const struct bwm_create *c, uint64_t free_cpus);

#endif
