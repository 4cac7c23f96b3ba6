/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A memory-bound loop: one 64-bit load every `stride` bytes over a 16 MiB
 * buffer above the image, repeated `passes` times.
 *
 *   mem_stride64   a load per 64 bytes (a cache line)
 *   mem_stride4k   a load per 4 KiB page: every load a new page (4 times
 *                  as many passes)
 *
 * The loop executes the same instructions with or without a hypervisor,
 * so its virtual time (instructions) is the same in both: the figure shows
 * nothing about stage 2 and is there as a check. What stage 2 costs (TLB
 * misses that walk two stages) shows only in wall-clock time, and there
 * through QEMU's software TLB, not a real CPU's.
 *
 * The guest's MMU is off: every load goes to the IPA it names.
 */
#include "bench.h"

#define BUF_SIZE (16UL << 20)
#define BUF_ALIGN (2UL << 20)

static uint64_t sink;

static uint64_t timed_pass(uintptr_t base, uintptr_t end, uintptr_t stride, uint64_t *sum)
{
	uint64_t t0, t1, acc = 0;

	t0 = bench_stamp();
	for (uintptr_t p = base; p < end; p += stride)
		acc += *(volatile uint64_t *)p;
	t1 = bench_stamp();
	*sum += acc;
	return t1 - t0;
}

static int mem_one(const char *name, uintptr_t base, uintptr_t stride, uint64_t passes)
{
	struct bench_stats s;
	uint64_t loads = BUF_SIZE / stride, warm = 1, sum = 0;

	stats_init(&s);
	bench_begin(name);
	for (uint64_t i = 0; i < warm + passes; i++) {
		uint64_t t = timed_pass(base, base + BUF_SIZE, stride, &sum);

		if (i >= warm)
			stats_add(&s, t > bench_overhead() ? t - bench_overhead() : 0);
	}
	sink = sum;
	/* Per load: each sample is one pass of `loads` loads. */
	bench_report(name, &s, loads, warm);
	return 0;
}

int bench_mem(uint64_t iters, uint64_t passes)
{
	uintptr_t base = ((uintptr_t)__image_end + BUF_ALIGN - 1) & ~(BUF_ALIGN - 1);
	uint64_t ram = boot_ram_size();
	int failed = 0;

	(void)iters;
	if (ram != 0 && base + BUF_SIZE > boot_ram_base() + ram) {
		bench_error("mem", "the 16 MiB buffer does not fit in RAM above the image");
		return 1;
	}
	/* Touch it once, so that the first pass costs what the others do. */
	for (uintptr_t p = base; p < base + BUF_SIZE; p += 64)
		*(volatile uint64_t *)p = p;
	failed += mem_one("mem_stride64", base, 64, passes);
	failed += mem_one("mem_stride4k", base, 4096, passes * 4);
	return failed;
}
