/* SPDX-License-Identifier: Apache-2.0 */
/* GICv3 list registers and virtual CPU interface control (ICH_*_EL2). */
#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/drivers/gicv3.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>


#define ICH_HCR "s3_4_c12_c11_0"
#define ICH_VTR "s3_4_c12_c11_1"
#define ICH_VMCR "s3_4_c12_c11_7"
#define ICH_HCR_EN (1u << 0)
#define ICH_HCR_UIE (1u << 1)

unsigned arch_vgic_lr_count(void)
{
	return (unsigned)(MRS(ICH_VTR) & 0x1f) + 1;
}

unsigned arch_vgic_pri_bits(void)
{
	return (unsigned)((MRS(ICH_VTR) >> 29) & 7) + 1;
}

#define LR_CASE(n, crm, op2)                                  \
	case n:                                               \
		if (write)                                    \
			MSR("s3_4_c12_" crm "_" op2, val);    \
		else                                          \
			val = MRS("s3_4_c12_" crm "_" op2);   \
		break;

static uint64_t lr_access(unsigned lr, bool write, uint64_t val)
{
	switch (lr) {
	LR_CASE(0, "c12", "0") LR_CASE(1, "c12", "1") LR_CASE(2, "c12", "2")
	LR_CASE(3, "c12", "3") LR_CASE(4, "c12", "4") LR_CASE(5, "c12", "5")
	LR_CASE(6, "c12", "6") LR_CASE(7, "c12", "7") LR_CASE(8, "c13", "0")
	LR_CASE(9, "c13", "1") LR_CASE(10, "c13", "2") LR_CASE(11, "c13", "3")
	LR_CASE(12, "c13", "4") LR_CASE(13, "c13", "5") LR_CASE(14, "c13", "6")
	LR_CASE(15, "c13", "7")
	default:
		break;
	}
	return val;
}

uint64_t arch_vgic_lr_read(unsigned lr)
{
	return lr_access(lr, false, 0);
}

void arch_vgic_lr_write(unsigned lr, uint64_t val)
{
	lr_access(lr, true, val);
}

void arch_vgic_underflow(bool enable)
{
	MSR(ICH_HCR, ICH_HCR_EN | (enable ? ICH_HCR_UIE : 0));
}

void arch_vgic_cpu_reset(void)
{
	for (unsigned i = 0; i < arch_vgic_lr_count() && i < VGIC_MAX_LRS; i++)
		arch_vgic_lr_write(i, 0);
	MSR("s3_4_c12_c8_0", 0);  /* ICH_AP0R0_EL2 */
	MSR("s3_4_c12_c9_0", 0);  /* ICH_AP1R0_EL2 */
	MSR(ICH_VMCR, 0);
	MSR(ICH_HCR, ICH_HCR_EN);
	__asm__ volatile("isb");
}

void arch_vgic_hw_release(const struct vcpu *target, uint32_t intid)
{
	if (intid < 32)
		gic_ppi_deactivate_on(target->pcpu, intid);
	else
		gic_spi_deactivate(intid);
}
