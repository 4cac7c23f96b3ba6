/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test runner: selects tests by the bootargs, runs each on vCPU 0 and
 * prints the result markers.
 */
#include <testfw/test.h>

#define REASON_MAX 192
#define SELECT_MAX 256

extern const struct test_desc __guest_tests_start[], __guest_tests_end[];

enum outcome { PASSED, FAILED, SKIPPED };

/* The running test. */
static struct {
	const struct test_desc *test;
	enum outcome outcome;
	char reason[REASON_MAX];
	struct guest_jmp_buf jump;
} cur;

void testfw_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[REASON_MAX];
	va_list ap;
	int n;

	n = gsnprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	gvsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	gprintf("  %s\n", msg);
	if (cur.outcome != FAILED) {
		cur.outcome = FAILED;
		memcpy(cur.reason, msg, sizeof(msg));
	}
}

void testfw_abort(void)
{
	/* The jump buffer is vCPU 0's: a secondary vCPU just stops. */
	if (cpu_index() != 0)
		cpu_stop_self();
	guest_longjmp(&cur.jump);
}

void testfw_skip(const char *fmt, ...)
{
	char msg[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	gvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gprintf("  skip: %s\n", msg);
	if (cur.outcome != FAILED)
		cur.outcome = SKIPPED;
	testfw_abort();
}

/* Called by the exception code after it reported an unexpected exception
 * on vCPU 0 during a test. */
static void recover(const char *reason)
{
	if (cur.outcome != FAILED) {
		cur.outcome = FAILED;
		gsnprintf(cur.reason, sizeof(cur.reason), "%s", reason);
	}
	guest_longjmp(&cur.jump);
}

static enum outcome run_one(const struct test_desc *t)
{
	unsigned faults = exc_fault_count();

	gprintf("[ RUN      ] %s.%s\n", t->suite, t->name);
	cur.test = t;
	cur.outcome = PASSED;
	cur.reason[0] = '\0';
	if (t->min_cpus > cpu_count()) {
		gprintf("  skip: needs %u vCPUs, this VM has %u\n", t->min_cpus, cpu_count());
		cur.outcome = SKIPPED;
	} else {
		exc_set_recovery(recover);
		if (guest_setjmp(&cur.jump) == 0)
			t->fn();
		exc_set_recovery(NULL);
	}

	/* Leave vCPU 0 as the next test expects it. */
	irq_mask();
	exc_set_hook(NULL);
	vtimer_stop();
	gic_set_pmr(0xff);
	if (exc_fault_count() != faults && cur.outcome != FAILED) {
		cur.outcome = FAILED;
		gsnprintf(cur.reason, sizeof(cur.reason),
			  "a secondary vCPU took an unexpected exception");
	}

	switch (cur.outcome) {
	case PASSED:
		gprintf("[       OK ] %s.%s\n", t->suite, t->name);
		break;
	case FAILED:
		gprintf("[  FAILED  ] %s.%s: %s\n", t->suite, t->name, cur.reason);
		break;
	case SKIPPED:
		gprintf("[  SKIPPED ] %s.%s\n", t->suite, t->name);
		break;
	}
	return cur.outcome;
}

/* Does one selector ("suite.name", "suite" or "all") pick `t`? */
static bool matches(const struct test_desc *t, const char *sel, size_t len)
{
	size_t slen = strlen(t->suite);
	bool group_ok = !(t->flags & TEST_FLAG_EXPLICIT);

	if (group_ok && len == 3 && strncmp(sel, "all", 3) == 0)
		return true;
	if (group_ok && len == slen && strncmp(sel, t->suite, slen) == 0)
		return true;
	return len > slen && sel[slen] == '.' && strncmp(sel, t->suite, slen) == 0 &&
	       len - slen - 1 == strlen(t->name) &&
	       strncmp(sel + slen + 1, t->name, len - slen - 1) == 0;
}

/* Is `t` picked by the comma-separated `selection`? A selector with a
 * leading `-` excludes; with no including selector, `all` is implied. */
static bool selected(const struct test_desc *t, const char *selection)
{
	const char *p = selection;
	bool any_include = false, included = false;

	while (*p != '\0') {
		size_t len = 0;
		while (p[len] != '\0' && p[len] != ',')
			len++;
		if (len > 1 && p[0] == '-') {
			if (matches(t, p + 1, len - 1))
				return false;
		} else if (len > 0) {
			any_include = true;
			included = included || matches(t, p, len);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return any_include ? included : matches(t, "all", 3);
}

int main(void)
{
	char selection[SELECT_MAX] = "all";
	const struct test_desc *t;
	unsigned passed = 0, failed = 0, skipped = 0, chosen = 0;

	if (!boot_arg("bulwark.test", selection, sizeof(selection)))
		boot_arg("test", selection, sizeof(selection));
	gprintf("testfw: %u tests in this image, %u vCPUs, selection \"%s\"\n",
		(unsigned)(__guest_tests_end - __guest_tests_start), cpu_count(), selection);

	if (strcmp(selection, "list") == 0) {
		for (t = __guest_tests_start; t < __guest_tests_end; t++)
			gprintf("test: %s.%s%s%s\n", t->suite, t->name,
				t->min_cpus > 1 ? " (needs several vCPUs)" : "",
				(t->flags & TEST_FLAG_EXPLICIT) ? " (by name only)" : "");
		return 0;
	}

	for (t = __guest_tests_start; t < __guest_tests_end; t++) {
		if (!selected(t, selection))
			continue;
		chosen++;
		switch (run_one(t)) {
		case PASSED: passed++; break;
		case FAILED: failed++; break;
		case SKIPPED: skipped++; break;
		}
	}
	if (chosen == 0) {
		gprintf("testfw: no test matches \"%s\" (test=list shows them)\n", selection);
		failed++;
	}
	if (skipped > 0)
		gprintf("testfw: %u skipped\n", skipped);
	gprintf("TESTS: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
