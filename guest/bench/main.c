/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The benchmark guest: runs the benchmarks named in the bootargs and prints
 * one machine-readable line per result.
 *
 * Bootargs:
 *   bench=LIST    comma-separated: hvc, mmio, timer, sgi, mem, spi, or all
 *                 (the default); `list` prints the names; `none` runs
 *                 nothing (the START line's entry_ticks is the figure)
 *   iters=N       measured iterations per benchmark (default 10000), after
 *                 a warm-up of N/10 + 1 that is discarded
 *   NAME.iters=N  the same for benchmark NAME only (e.g. timer.iters=20000)
 *   passes=N      passes over the buffer for `mem` (default 20)
 *   spi.base=A    the PL031 RTC whose alarm `spi` uses (default QEMU virt's,
 *                 0x09010000; its interrupt must be INTID 34): passed
 *                 through to the VM under Bulwark. Each `spi` sample takes
 *                 one second of virtual time: QEMU needs `-rtc clock=vm`
 *
 * Output (bench/run.py parses it):
 *   BENCH START freq_hz=F res_ns=R entry_ticks=T overhead_ticks=O vcpus=V
 *   BENCH-BEGIN NAME                       (before each measured window)
 *   BENCH NAME avg_ns=A min_ns=B max_ns=C iters=N ops=O res_ns=R
 *   BENCH-ERROR NAME: why                  (a benchmark could not run)
 *   BENCH DONE
 * then the GUEST RESULT lines. `entry_ticks` is the counter when `main`
 * started: virtual time since the machine started, hypervisor boot included.
 */
#include <guest/guest.h>

#include "bench.h"

#define DEFAULT_ITERS 10000
#define DEFAULT_PASSES 20

static uint64_t ps_per_tick; /* picoseconds per counter tick */
static uint64_t overhead;

void stats_init(struct bench_stats *s)
{
	s->n = 0;
	s->sum = 0;
	s->min = UINT64_MAX;
	s->max = 0;
}

void stats_add(struct bench_stats *s, uint64_t ticks)
{
	s->n++;
	s->sum += ticks;
	if (ticks < s->min)
		s->min = ticks;
	if (ticks > s->max)
		s->max = ticks;
}

uint64_t bench_overhead(void)
{
	return overhead;
}

uint64_t bench_warmup(uint64_t iters)
{
	return iters / 10 + 1;
}

/* `ticks` / `div` in nanoseconds, as a fixed-point number with two decimals. */
static void ns_str(char *buf, size_t size, uint64_t ticks, uint64_t div)
{
	uint64_t centi_ns = ticks * ps_per_tick / 10 / (div ? div : 1);

	gsnprintf(buf, size, "%llu.%02llu", (unsigned long long)(centi_ns / 100),
		  (unsigned long long)(centi_ns % 100));
}

void bench_begin(const char *name)
{
	gprintf("BENCH-BEGIN %s\n", name);
}

void bench_report(const char *name, const struct bench_stats *s, uint64_t per, uint64_t warm)
{
	char avg[32], min[32], max[32], res[32];

	if (s->n == 0) {
		bench_error(name, "no samples");
		return;
	}
	ns_str(avg, sizeof(avg), s->sum, s->n * per);
	ns_str(min, sizeof(min), s->min, per);
	ns_str(max, sizeof(max), s->max, per);
	ns_str(res, sizeof(res), 1, 1);
	gprintf("BENCH %s avg_ns=%s min_ns=%s max_ns=%s iters=%llu ops=%llu res_ns=%s\n", name, avg,
		min, max, (unsigned long long)s->n, (unsigned long long)((s->n + warm) * per), res);
}

void bench_error(const char *name, const char *why)
{
	gprintf("BENCH-ERROR %s: %s\n", name, why);
}

/* The cost of the measurement itself: an empty pair of stamps. Constant
 * under -icount; without it, the smallest of many. */
static uint64_t measure_overhead(void)
{
	uint64_t best = UINT64_MAX;

	for (unsigned i = 0; i < 1000; i++) {
		uint64_t t0 = bench_stamp();
		uint64_t t1 = bench_stamp();

		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

struct bench_desc {
	const char *name;
	int (*run)(uint64_t iters, uint64_t passes);
};

static int run_hvc(uint64_t iters, uint64_t passes)
{
	(void)passes;
	return bench_hvc(iters);
}

static int run_mmio(uint64_t iters, uint64_t passes)
{
	(void)passes;
	return bench_mmio(iters);
}

static int run_timer(uint64_t iters, uint64_t passes)
{
	(void)passes;
	return bench_timer(iters);
}

static int run_sgi(uint64_t iters, uint64_t passes)
{
	(void)passes;
	return bench_sgi(iters);
}

static int run_mem(uint64_t iters, uint64_t passes)
{
	return bench_mem(iters, passes);
}

static int run_spi(uint64_t iters, uint64_t passes)
{
	(void)passes;
	return bench_spi(iters);
}

static const struct bench_desc benches[] = {
	{ "hvc", run_hvc },
	{ "mmio", run_mmio },
	{ "timer", run_timer },
	{ "sgi", run_sgi },
	{ "mem", run_mem },
	{ "spi", run_spi },
};

/* Runs the benchmark named by `word` (length `len`); returns the number of
 * failures. */
static int run_named(const char *word, size_t len, uint64_t iters, uint64_t passes)
{
	int failed = 0;
	bool all = len == 3 && strncmp(word, "all", 3) == 0;
	bool found = false;

	if (len == 4 && strncmp(word, "none", 4) == 0)
		return 0;

	for (size_t i = 0; i < ARRAY_SIZE(benches); i++) {
		if (!all && (strlen(benches[i].name) != len || strncmp(benches[i].name, word, len)))
			continue;
		char key[32];
		uint64_t n;

		found = true;
		gsnprintf(key, sizeof(key), "%s.iters", benches[i].name);
		n = boot_arg_u64(key, iters);
		if (benches[i].run(n != 0 ? n : 1, passes) != 0)
			failed++;
	}
	if (!found) {
		char name[32];
		size_t n = len < sizeof(name) - 1 ? len : sizeof(name) - 1;

		memcpy(name, word, n);
		name[n] = '\0';
		bench_error(name, "unknown benchmark (known: hvc mmio timer sgi mem spi all none list)");
		failed++;
	}
	return failed;
}

int main(void)
{
	uint64_t entry = bench_stamp();
	char list[256];
	uint64_t iters = boot_arg_u64("iters", DEFAULT_ITERS);
	uint64_t passes = boot_arg_u64("passes", DEFAULT_PASSES);
	uint64_t freq = timer_freq();
	int failed = 0;

	if (!boot_arg("bench", list, sizeof(list)) || list[0] == '\0')
		gsnprintf(list, sizeof(list), "all");
	if (strcmp(list, "list") == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(benches); i++)
			gprintf("BENCH-NAME %s\n", benches[i].name);
		gprintf("BENCH DONE\n");
		return 0;
	}
	if (freq == 0) {
		bench_error("start", "CNTFRQ_EL0 is 0");
		return 1;
	}
	if (iters == 0)
		iters = 1;
	if (passes == 0)
		passes = 1;
	ps_per_tick = 1000000000000ULL / freq;
	overhead = measure_overhead();
	{
		char res[32];

		ns_str(res, sizeof(res), 1, 1);
		gprintf("BENCH START freq_hz=%llu res_ns=%s entry_ticks=%llu overhead_ticks=%llu "
			"vcpus=%u bench=%s iters=%llu passes=%llu\n",
			(unsigned long long)freq, res, (unsigned long long)entry,
			(unsigned long long)overhead, cpu_count(), list,
			(unsigned long long)iters, (unsigned long long)passes);
	}
	for (const char *p = list; *p != '\0';) {
		size_t len = 0;

		while (p[len] != '\0' && p[len] != ',')
			len++;
		if (len > 0)
			failed += run_named(p, len, iters, passes);
		p += len;
		if (*p == ',')
			p++;
	}
	gprintf("BENCH DONE\n");
	return failed != 0;
}
