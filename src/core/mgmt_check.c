/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The first check of every management call (include/abi/bulwark/mgmt.h):
 * the request's shape, before anything else looks at it. Pure, so that it is
 * unit-tested and fuzzed on the host (test/unit/test_mgmt.c,
 * test/fuzz/fuzz_mgmt.c).
 */
#include <bulwark/mgmt.h>
#include <bulwark/package.h>
#include <bulwark/vuart.h>

_Static_assert(BWM_MITIG_SET == BWPKG_MITIG_SET && BWM_MITIG_VM_MODULES == BWPKG_MITIG_VM_MODS,
	       "bwm_create.mitigations is packed as the system description's");

_Static_assert(BWM_CONSOLE_WRITE_MAX <= VUART_RX_SIZE, "a write fits in the FIFO");

/* Which arguments an operation takes: the others must be zero. */
struct op_shape {
	bool target;       /* acts on req.vm */
	bool not_self;     /* ... which may not be the caller */
	unsigned args;     /* arg[0..args-1] are meaningful */
	uint32_t max_size; /* payload bytes it accepts */
	uint32_t min_size;
};

static const struct op_shape shapes[BWM_OP_COUNT_] = {
	[BWM_OP_INFO] = { false, false, 0, 0, 0 },
	[BWM_OP_LIST] = { false, false, 0, 0, 0 },
	[BWM_OP_STATS] = { true, false, 0, 0, 0 },
	[BWM_OP_START] = { true, true, 0, 0, 0 },
	[BWM_OP_STOP] = { true, true, 1, 0, 0 },
	[BWM_OP_RESET] = { true, true, 0, 0, 0 },
	[BWM_OP_PAUSE] = { true, true, 0, 0, 0 },
	[BWM_OP_RESUME] = { true, true, 0, 0, 0 },
	[BWM_OP_CONSOLE_READ] = { true, false, 1, 0, 0 },
	[BWM_OP_CONSOLE_WRITE] = { true, false, 0, BWM_CONSOLE_WRITE_MAX, 1 },
	[BWM_OP_CREATE] = { false, false, 0, sizeof(struct bwm_create), sizeof(struct bwm_create) },
	[BWM_OP_LOAD] = { true, true, 2, (uint32_t)BWM_DATA_MAX, 1 },
	[BWM_OP_DESTROY] = { true, true, 0, 0, 0 },
	[BWM_OP_POSTURE] = { false, false, 0, 0, 0 },
};

/* Checks the request's shape; returns 0 or a negated status. */
int mgmt_check(const struct bwm_req *q, unsigned self, uint32_t exists)
{
	if (q->magic != BWM_REQ_MAGIC)
		return -BWM_EINVAL;
	if (q->version != BWM_VERSION_MAJOR)
		return -BWM_EVERSION;
	if (q->op == 0 || q->op >= BWM_OP_COUNT_)
		return -BWM_EINVAL;
	const struct op_shape *s = &shapes[q->op];

	for (unsigned i = s->args; i < 6; i++)
		if (q->arg[i])
			return -BWM_EINVAL;
	if (q->size > s->max_size || q->size < s->min_size)
		return -BWM_EINVAL;
	if (!s->target)
		return q->vm ? -BWM_EINVAL : 0;
	if (q->vm >= MGMT_VM_SLOTS || !(exists & (1u << q->vm)))
		return -BWM_ENOENT;
	if (s->not_self && q->vm == self)
		return -BWM_ESELF;
	if (q->op == BWM_OP_STOP && (q->arg[0] & ~(uint64_t)BWM_STOP_FORCE))
		return -BWM_EINVAL;
	if (q->op == BWM_OP_LOAD && (q->arg[0] >= BWM_IMAGE_COUNT || q->arg[1] % BWM_LOAD_ALIGN))
		return -BWM_EINVAL;
	return 0;
}


int mgmt_check_create(const struct bwm_create *c, uint64_t free_cpus)
{
	size_t len = 0;
	unsigned cpus = 0;

	while (len < BWM_NAME_LEN && c->name[len])
		len++;
	if (len == 0 || len == BWM_NAME_LEN)
		return -BWM_EINVAL;
	for (size_t k = 0; k < BWM_NAME_LEN; k++) {
		char ch = c->name[k];

		if (k < len ? !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
				ch == '-') : ch != 0) /* nothing hidden after the terminator */
			return -BWM_EINVAL;
	}
	for (uint64_t m = c->cpu_mask; m; m &= m - 1)
		cpus++;
	if (!bwpkg_mitig_valid(c->mitigations, true) || c->vcpu_count == 0 || c->vcpu_count > BWM_VCPU_MAX || c->vcpu_count != cpus)
		return -BWM_EINVAL;
	if (c->mem_size < MGMT_MEM_MIN || (c->mem_base | c->mem_size) & (MGMT_MEM_ALIGN - 1) ||
	    c->mem_base < MGMT_MEM_BASE_MIN || c->mem_size > MGMT_IPA_LIMIT ||
	    c->mem_base > MGMT_IPA_LIMIT - c->mem_size)
		return -BWM_EINVAL;
	if (c->image_size[BWM_IMAGE_KERNEL] == 0 || c->image_size[BWM_IMAGE_DTB] > MGMT_DTB_MAX)
		return -BWM_EINVAL;
	for (unsigned i = 0; i < BWM_IMAGE_COUNT; i++)
		if (c->image_size[i] > c->mem_size)
			return -BWM_EINVAL;
	if ((c->cpu_mask & free_cpus) != c->cpu_mask)
		return -BWM_EBUSY;
	return 0;
}
