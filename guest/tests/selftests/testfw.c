/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test framework's own failure paths. These fail on purpose, so they
 * run only when named (test=testfw.NAME); test/scenarios/guests_bare.py
 * checks their reports.
 */
#include <testfw/test.h>

TEST_EXPLICIT(testfw, expect_fails)
{
	int64_t got = psci_version();

	EXPECT_EQ(got, -4);	/* fails, and the test goes on */
	EXPECT_TRUE(got < 0);	/* fails too; the first failure is the reason */
	ASSERT_EQ(1, 2);	/* ends the test */
	TEST_FAIL("not reached");
}

TEST_EXPLICIT(testfw, unexpected_exception)
{
	__asm__ volatile("udf #0x99");
	TEST_FAIL("not reached");
}

static volatile unsigned reached;

static void fault_on_secondary(void *arg)
{
	(void)arg;
	reached = 1;
	*(volatile uint32_t *)0x0b000000UL = 1; /* nothing there: a data abort */
	reached = 2;
}

TEST_EXPLICIT(testfw, secondary_exception)
{
	if (cpu_count() < 2)
		TEST_SKIP("needs 2 vCPUs");
	reached = 0;
	ASSERT_EQ(cpu_start(1, fault_on_secondary, NULL), PSCI_RET_SUCCESS);
	EXPECT_TRUE(cpu_wait_off(1, 1000));
	EXPECT_EQ(reached, 1);
}

TEST_EXPLICIT(testfw, skip)
{
	TEST_SKIP("skipped on purpose");
}
