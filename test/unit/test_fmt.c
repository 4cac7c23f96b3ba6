/* SPDX-License-Identifier: Apache-2.0 */
/* The console's formatter, checked against the C library's printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/fmt.h>

#define CHECK(...)                                                           \
	do {                                                                 \
		char ours[128], libc[128];                                   \
		int a = fmt_snprintf(ours, sizeof(ours), __VA_ARGS__);       \
		int b = snprintf(libc, sizeof(libc), __VA_ARGS__);           \
		assert_string_equal(ours, libc);                             \
		assert_int_equal(a, b);                                      \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK("%d %i %u", 0, -1, 42u);
	CHECK("%d", -2147483647 - 1);
	CHECK("%ld %lu", -9223372036854775807L - 1, 18446744073709551615UL);
	CHECK("%lld %llx", -5LL, 0xdeadbeefcafef00dULL);
	CHECK("%x %X %o", 255u, 255u, 8u);
	CHECK("%hhu %hu", 300u, 70000u);
	CHECK("%zu", (size_t)123456789);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("[%5d] [%-5d] [%05d]", 42, 42, 42);
	CHECK("[%016lx]", 0x1234UL);
	CHECK("[%#x] [%#lx] [%#014lx]", 0x10u, 0xabcUL, 0x40000000UL);
	CHECK("[%-2d|%3u]", 7, 1000u);
	CHECK("[%05d]", -42);
	CHECK("[%*d] [%-*d]", 6, 1, 6, 1);
}

static void test_strings(void **state)
{
	(void)state;
	CHECK("%s|%10s|%-10s|", "abc", "right", "left");
	CHECK("%.2s|%c|%%", "abcdef", 'z');
	CHECK("%.*s", 3, "abcdef");
}

static void test_pointer(void **state)
{
	char buf[32];

	(void)state;
	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x1234");
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(fmt_snprintf(NULL, 0, "abc%d", 12), 5);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_bad_formats(void **state)
{
	char buf[32];

	(void)state;
	/* Unknown conversions are printed as they are, a lone '%' is dropped. */
	fmt_snprintf(buf, sizeof(buf), "a%qb");
	assert_string_equal(buf, "a%qb");
	fmt_snprintf(buf, sizeof(buf), "end%");
	assert_string_equal(buf, "end");
	fmt_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	assert_string_equal(buf, "(null)");
	/* Widths are bounded: no huge padding loop. */
	assert_true(fmt_snprintf(buf, sizeof(buf), "%999999999d", 1) <= 4097);
}
#pragma GCC diagnostic pop

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),   cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_strings),    cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_truncation), cmocka_unit_test(test_bad_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
