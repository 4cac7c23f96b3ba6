/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exceptions that EL1 takes itself: the hypervisor must leave them alone.
 */
#include <testfw/test.h>

static volatile uint64_t seen_esr, seen_elr;
static volatile unsigned seen_count;
static volatile bool skip_insn;

static bool record(struct exc_frame *f, uint64_t esr, uint64_t far)
{
	(void)far;
	seen_esr = esr;
	seen_elr = f->elr;
	seen_count++;
	if (skip_insn)
		f->elr += 4;
	return true;
}

static void expect_setup(bool skip)
{
	seen_esr = seen_elr = 0;
	seen_count = 0;
	skip_insn = skip;
	exc_set_hook(record);
}

TEST(exceptions, undef)
{
	uintptr_t at;

	expect_setup(true);
	__asm__ volatile("adr %0, 1f\n"
			 "1: udf #0x42" : "=r"(at) : : "memory");
	exc_set_hook(NULL);
	EXPECT_EQ(seen_count, 1);
	EXPECT_EQ(ESR_EC(seen_esr), EC_UNKNOWN);
	EXPECT_EQ(seen_elr, at);
}

TEST(exceptions, svc)
{
	uintptr_t at;

	expect_setup(false); /* the preferred return is already past the SVC */
	__asm__ volatile("adr %0, 1f\n"
			 "1: svc #0x1234" : "=r"(at) : : "memory");
	exc_set_hook(NULL);
	EXPECT_EQ(seen_count, 1);
	EXPECT_EQ(ESR_EC(seen_esr), EC_SVC64);
	EXPECT_EQ(seen_esr & 0xffff, 0x1234);
	EXPECT_EQ(seen_elr, at + 4);
}

TEST(exceptions, brk)
{
	uintptr_t at;

	expect_setup(true);
	__asm__ volatile("adr %0, 1f\n"
			 "1: brk #0x77" : "=r"(at) : : "memory");
	exc_set_hook(NULL);
	EXPECT_EQ(seen_count, 1);
	EXPECT_EQ(ESR_EC(seen_esr), EC_BRK64);
	EXPECT_EQ(seen_esr & 0xffff, 0x77);
	EXPECT_EQ(seen_elr, at);
}

/* An EL2 register read at EL1 is UNDEFINED (HCR_EL2.NV = 0): the exception
 * is taken at EL1 by the guest's vector, and does not stop the VM. */
TEST(exceptions, el2_sysreg)
{
	uintptr_t at;

	expect_setup(true);
	__asm__ volatile("adr %0, 1f\n"
			 "1: mrs x0, s3_4_c1_c1_0" /* HCR_EL2 */
			 : "=r"(at) : : "x0", "memory");
	exc_set_hook(NULL);
	EXPECT_EQ(seen_count, 1);
	EXPECT_EQ(ESR_EC(seen_esr), EC_UNKNOWN);
	EXPECT_EQ(seen_elr, at);
}
