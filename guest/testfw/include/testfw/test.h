/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A self-registering test framework for bare-metal guests.
 *
 *     TEST(psci, version) { EXPECT_GE(psci_version(), 0x10000); }
 *
 * Each TEST puts a descriptor in the `guest_tests` linker section; the
 * framework's `main` runs the tests chosen by `bulwark.test=` (or `test=`) in
 * the bootargs: a full name `suite.name`, a suite name, `all` (the default),
 * a comma-separated list of those, where `-X` excludes X (`all,-psci` or
 * just `-psci.cpu_on_pending`), or `list` to print the names only.
 * Tests are run in link order: files in name order, each in source order.
 *
 * Output, one line each:
 *     [ RUN      ] suite.name
 *     [       OK ] suite.name
 *     [  FAILED  ] suite.name: <first failure>
 *     [  SKIPPED ] suite.name
 *     TESTS: N passed, M failed
 * followed by the GUEST_RESULT lines (guest/guest.h) and SYSTEM_OFF.
 *
 * Tests run on vCPU 0 with IRQs masked at entry; afterwards the framework
 * masks IRQs again, stops the virtual timer, restores ICC_PMR_EL1 and
 * removes any exception hook. An unexpected exception during a test fails
 * it and the next test runs.
 */
#ifndef TESTFW_TEST_H
#define TESTFW_TEST_H

#include <guest/guest.h>

struct test_desc {
	const char *suite;
	const char *name;
	void (*fn)(void);
	unsigned min_cpus; /* skipped on a VM with fewer vCPUs */
	unsigned flags;
};

/* Run only when selected by its full name, never by `all` or its suite:
 * for tests that fail on purpose (checks of the framework itself). */
#define TEST_FLAG_EXPLICIT (1u << 0)

#define TESTFW_DEFINE_(suite, name, ncpus, flags) \
	static void test_##suite##_##name(void); \
	static const struct test_desc test_desc_##suite##_##name \
		__attribute__((used, section("guest_tests"), aligned(8))) = \
		{ #suite, #name, test_##suite##_##name, (ncpus), (flags) }; \
	static void test_##suite##_##name(void)

#define TEST(suite, name) TESTFW_DEFINE_(suite, name, 1, 0)
/* A test that needs at least `ncpus` vCPUs. */
#define TEST_SMP(suite, name, ncpus) TESTFW_DEFINE_(suite, name, ncpus, 0)
#define TEST_EXPLICIT(suite, name) TESTFW_DEFINE_(suite, name, 1, TEST_FLAG_EXPLICIT)

/* Records a failure of the running test (the first one becomes the reason
 * on its FAILED line) and prints it; the test goes on. */
void testfw_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends the running test now (after a failure was recorded). On a secondary
 * vCPU (a function given to `cpu_start()`), turns that vCPU off instead. */
__attribute__((noreturn)) void testfw_abort(void);
/* Ends the running test now as skipped, printing why. */
__attribute__((noreturn)) void testfw_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define TEST_FAIL(...) testfw_fail(__FILE__, __LINE__, __VA_ARGS__)
#define TEST_SKIP(...) testfw_skip(__VA_ARGS__)

/* Compares `a` and `b` as signed 64-bit values; on failure reports both
 * expressions and values (hex and decimal). The ASSERT_ forms end the test. */
#define TESTFW_CMP_(a, op, b, fatal) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (!(a_ op b_)) { \
		testfw_fail(__FILE__, __LINE__, \
			    "expected %s %s %s, got 0x%llx (%lld) vs 0x%llx (%lld)", \
			    #a, #op, #b, (unsigned long long)a_, a_, \
			    (unsigned long long)b_, b_); \
		if (fatal) \
			testfw_abort(); \
	} \
} while (0)

#define EXPECT_EQ(a, b) TESTFW_CMP_(a, ==, b, 0)
#define EXPECT_NE(a, b) TESTFW_CMP_(a, !=, b, 0)
#define EXPECT_LT(a, b) TESTFW_CMP_(a, <, b, 0)
#define EXPECT_LE(a, b) TESTFW_CMP_(a, <=, b, 0)
#define EXPECT_GT(a, b) TESTFW_CMP_(a, >, b, 0)
#define EXPECT_GE(a, b) TESTFW_CMP_(a, >=, b, 0)
#define ASSERT_EQ(a, b) TESTFW_CMP_(a, ==, b, 1)
#define ASSERT_NE(a, b) TESTFW_CMP_(a, !=, b, 1)
#define ASSERT_LT(a, b) TESTFW_CMP_(a, <, b, 1)
#define ASSERT_LE(a, b) TESTFW_CMP_(a, <=, b, 1)
#define ASSERT_GT(a, b) TESTFW_CMP_(a, >, b, 1)
#define ASSERT_GE(a, b) TESTFW_CMP_(a, >=, b, 1)

#define TESTFW_BOOL_(c, want, fatal) do { \
	if (!(c) != !(want)) { \
		testfw_fail(__FILE__, __LINE__, "expected %s to be %s", #c, \
			    (want) ? "true" : "false"); \
		if (fatal) \
			testfw_abort(); \
	} \
} while (0)

#define EXPECT_TRUE(c) TESTFW_BOOL_(c, 1, 0)
#define EXPECT_FALSE(c) TESTFW_BOOL_(c, 0, 0)
#define ASSERT_TRUE(c) TESTFW_BOOL_(c, 1, 1)
#define ASSERT_FALSE(c) TESTFW_BOOL_(c, 0, 1)

#endif /* TESTFW_TEST_H */
