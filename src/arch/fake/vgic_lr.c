/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fake GICv3 list registers for host tests and fuzzing (see
 * include/bulwark/arch/fake/vgic.h): the `arch_vgic_*` contract of
 * include/bulwark/vgic.h on arrays, one bank per physical CPU.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bulwark/arch/fake/vgic.h>
#include <bulwark/string.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>

struct fake_vgic fake_vgic = {
	.lr_count = FAKE_VGIC_DEFAULT_LRS,
	.pri_bits = FAKE_VGIC_DEFAULT_PRI_BITS,
};

static void check_lr(unsigned lr, const char *what)
{
	if (lr >= fake_vgic.lr_count || lr >= VGIC_MAX_LRS || fake_vgic.bank >= FAKE_VGIC_BANKS) {
		fprintf(stderr, "fake vgic: %s of list register %u (%u implemented, bank %u)\n",
			what, lr, fake_vgic.lr_count, fake_vgic.bank);
		abort();
	}
}

void fake_vgic_reset(void)
{
	memset(&fake_vgic, 0, sizeof(fake_vgic));
	fake_vgic.lr_count = FAKE_VGIC_DEFAULT_LRS;
	fake_vgic.pri_bits = FAKE_VGIC_DEFAULT_PRI_BITS;
}

void fake_vgic_select(unsigned bank)
{
	if (bank >= FAKE_VGIC_BANKS)
		abort();
	fake_vgic.bank = bank;
}

unsigned arch_vgic_lr_count(void)
{
	return fake_vgic.lr_count;
}

unsigned arch_vgic_pri_bits(void)
{
	return fake_vgic.pri_bits;
}

uint64_t arch_vgic_lr_read(unsigned lr)
{
	check_lr(lr, "read");
	return fake_vgic.lr[fake_vgic.bank][lr];
}

void arch_vgic_lr_write(unsigned lr, uint64_t val)
{
	check_lr(lr, "write");
	fake_vgic.lr[fake_vgic.bank][lr] = val;
	fake_vgic.lr_writes++;
}

void arch_vgic_underflow(bool enable)
{
	fake_vgic.underflow[fake_vgic.bank] = enable;
	fake_vgic.underflow_calls++;
}

void arch_vgic_cpu_reset(void)
{
	memset(fake_vgic.lr[fake_vgic.bank], 0, sizeof(fake_vgic.lr[0]));
	fake_vgic.underflow[fake_vgic.bank] = false;
	fake_vgic.cpu_resets++;
}

uint64_t fake_vgic_lr_state(unsigned lr)
{
	check_lr(lr, "state");
	return fake_vgic.lr[fake_vgic.bank][lr] & LR_STATE_MASK;
}

int fake_vgic_find(uint32_t intid)
{
	for (unsigned lr = 0; lr < fake_vgic.lr_count && lr < VGIC_MAX_LRS; lr++) {
		uint64_t v = fake_vgic.lr[fake_vgic.bank][lr];

		if ((v & LR_STATE_MASK) && (uint32_t)LR_VINTID(v) == intid)
			return (int)lr;
	}
	return -1;
}

uint32_t fake_vgic_guest_ack(void)
{
	int best = -1;
	unsigned best_prio = 0x100;

	for (unsigned lr = 0; lr < fake_vgic.lr_count && lr < VGIC_MAX_LRS; lr++) {
		uint64_t v = fake_vgic.lr[fake_vgic.bank][lr];
		unsigned prio = (unsigned)(v >> 48) & 0xff;

		if ((v & LR_STATE_MASK) == LR_PENDING && prio < best_prio) {
			best = (int)lr;
			best_prio = prio;
		}
	}
	if (best < 0)
		return FAKE_VGIC_SPURIOUS;
	uint64_t *v = &fake_vgic.lr[fake_vgic.bank][best];

	*v = (*v & ~LR_STATE_MASK) | LR_ACTIVE;
	return (uint32_t)LR_VINTID(*v);
}

void fake_vgic_guest_eoi(unsigned lr)
{
	check_lr(lr, "EOI");
	uint64_t *v = &fake_vgic.lr[fake_vgic.bank][lr];

	if (*v & LR_ACTIVE)
		*v &= ~LR_ACTIVE;
}

bool fake_vgic_guest_handle(uint32_t intid)
{
	int lr = fake_vgic_find(intid);

	if (lr < 0 || fake_vgic_lr_state((unsigned)lr) != LR_PENDING)
		return false;
	uint64_t *v = &fake_vgic.lr[fake_vgic.bank][lr];

	*v = (*v & ~LR_STATE_MASK) | LR_ACTIVE;
	fake_vgic_guest_eoi((unsigned)lr);
	return true;
}

bool fake_vgic_timer_vector(struct vcpu *v)
{
	uint64_t val = __atomic_load_n(&v->vgic.timer_lr, __ATOMIC_RELAXED);

	check_lr(VGIC_TIMER_LR, "timer vector");
	uint64_t *lr = &fake_vgic.lr[fake_vgic.bank][VGIC_TIMER_LR];

	if (!val || (*lr & LR_STATE_MASK))
		return false;
	*lr = val;
	v->vgic.timer_fast = 1;
	v->stats.vtimer_fast++;
	return true;
}

void arch_vgic_hw_release(const struct vcpu *target, uint32_t intid)
{
	fake_vgic.hw_releases++;
	fake_vgic.hw_released_cpu = target->pcpu;
	fake_vgic.hw_released_intid = intid;
}
