/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the management API's request checks
 * (src/core/mgmt_check.c) on hostile requests from a control VM.
 *
 * Input: the caller's slot, a mask of existing VMs, a mask of free CPUs, a
 * `struct bwm_req` and a `struct bwm_create`, as raw bytes. Whatever is
 * accepted must be something the dispatcher can act on without further
 * shape checks: a known operation, no stray argument, a payload size within
 * the operation's bounds, an existing target that is not the caller where
 * that is forbidden; a CREATE description that is accepted names CPUs that
 * are free, as many as vCPUs, and memory in the allowed window.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/mgmt.h>
#include <bulwark/package.h>
#include <bulwark/vuart.h>

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_req(const struct bwm_req *q, unsigned self, uint32_t exists)
{
	int st = mgmt_check(q, self, exists);

	if (st > 0 || st < -BWM_EEXIST)
		abort();
	if (st)
		return;
	if (q->magic != BWM_REQ_MAGIC || q->version != BWM_VERSION_MAJOR || q->op == 0 ||
	    q->op >= BWM_OP_COUNT_ || q->size > BWM_DATA_MAX)
		abort();
	bool target = q->op != BWM_OP_INFO && q->op != BWM_OP_LIST && q->op != BWM_OP_CREATE &&
		      q->op != BWM_OP_POSTURE;

	if (target ? q->vm >= MGMT_VM_SLOTS || !(exists & (1u << q->vm)) : q->vm != 0)
		abort();
	bool may_self = q->op == BWM_OP_STATS || q->op == BWM_OP_CONSOLE_READ ||
			q->op == BWM_OP_CONSOLE_WRITE;

	if (target && !may_self && q->vm == self)
		abort();
	unsigned args = q->op == BWM_OP_STOP || q->op == BWM_OP_CONSOLE_READ ? 1 :
			q->op == BWM_OP_LOAD ? 2 : 0;

	for (unsigned i = args; i < 6; i++)
		if (q->arg[i])
			abort();
	if (q->op == BWM_OP_CONSOLE_WRITE && (q->size == 0 || q->size > VUART_RX_SIZE))
		abort();
	if (q->op == BWM_OP_CREATE && q->size != sizeof(struct bwm_create))
		abort();
	if (q->op == BWM_OP_LOAD && (q->size == 0 || q->arg[0] >= BWM_IMAGE_COUNT || q->arg[1] % 4096))
		abort();
	if (q->op == BWM_OP_STOP && q->arg[0] & ~(uint64_t)BWM_STOP_FORCE)
		abort();
	if (q->op != BWM_OP_CONSOLE_WRITE && q->op != BWM_OP_CREATE && q->op != BWM_OP_LOAD &&
	    q->size)
		abort();
}

static void check_create(const struct bwm_create *c, uint64_t free_cpus)
{
	int st = mgmt_check_create(c, free_cpus);

	if (st != 0 && st != -BWM_EINVAL && st != -BWM_EBUSY)
		abort();
	if (st)
		return;
	size_t len = strnlen(c->name, BWM_NAME_LEN);

	if (len == 0 || len == BWM_NAME_LEN || !bwpkg_mitig_valid(c->mitigations, true) ||
	    (unsigned)__builtin_popcountll(c->cpu_mask) != c->vcpu_count ||
	    c->vcpu_count == 0 || c->vcpu_count > BWM_VCPU_MAX || (c->cpu_mask & ~free_cpus) ||
	    c->mem_base < MGMT_MEM_BASE_MIN || c->mem_size < MGMT_MEM_MIN ||
	    c->mem_base + c->mem_size > MGMT_IPA_LIMIT || c->mem_base + c->mem_size < c->mem_base ||
	    (c->mem_base | c->mem_size) % MGMT_MEM_ALIGN || c->image_size[BWM_IMAGE_KERNEL] == 0 ||
	    c->image_size[BWM_IMAGE_DTB] > MGMT_DTB_MAX)
		abort();
	for (size_t k = 0; k < BWM_NAME_LEN; k++)
		if (k < len ? !strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", c->name[k])
			    : c->name[k] != 0)
			abort();
	for (unsigned i = 0; i < BWM_IMAGE_COUNT; i++)
		if (c->image_size[i] > c->mem_size)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	unsigned self = (unsigned)take(&in, 1) % MGMT_VM_SLOTS;
	uint32_t exists = (uint32_t)take(&in, 4) | 1u << self;
	uint64_t free_cpus = take(&in, 8);
	struct bwm_req q;
	struct bwm_create c;

	memset(&q, 0, sizeof(q));
	memset(&c, 0, sizeof(c));
	memcpy(&q, in.p, in.left < sizeof(q) ? in.left : sizeof(q));
	in.p += in.left < sizeof(q) ? in.left : sizeof(q);
	in.left -= in.left < sizeof(q) ? in.left : sizeof(q);
	memcpy(&c, in.p, in.left < sizeof(c) ? in.left : sizeof(c));
	check_req(&q, self, exists);
	check_create(&c, free_cpus);
	return 0;
}
