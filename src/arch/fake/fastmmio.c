/* SPDX-License-Identifier: Apache-2.0 */
/* The data-abort vector's fast MMIO on the host (include/bulwark/arch/fake/fastmmio.h). */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/arch/fake/fastmmio.h>
#include <bulwark/fastmmio.h>
#include <bulwark/vm.h>

bool fake_fastmmio_syndrome(uint64_t esr)
{
	return ((esr >> ESR_EC_SHIFT) & 0x3f) == ESR_EC_DABT_LOW && ((esr >> ESR_ISV_BIT) & 1) &&
	       ((esr >> ESR_IL_BIT) & 1) && (esr & ESR_DABT_FAST_MASK) == ESR_DABT_FAST_WANT;
}

bool fake_fastmmio(struct vm *vm, uint64_t ipa, unsigned size, bool write, uint64_t *val)
{
	unsigned log2 = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
	unsigned kind = fastmmio_kind(log2, write);
	const struct fastmmio *e = &vm->fastmmio[fastmmio_slot(ipa, kind)];

	if (__atomic_load_n(&e->key, __ATOMIC_ACQUIRE) != fastmmio_key(ipa, kind))
		return false;
	if (!write) {
		*val = __atomic_load_n(&e->val, __ATOMIC_RELAXED);
		return true;
	}
	struct fastsink *s = (struct fastsink *)(uintptr_t)e->val;
	uint8_t byte = (uint8_t)*val;
	bool done;

	if (byte < s->lo || byte > s->hi)
		return false;
	sl_lock(s->lock);
	done = *s->len < s->limit;
	if (done)
		s->buf[(*s->len)++] = (char)byte;
	sl_unlock(s->lock);
	return done;
}
