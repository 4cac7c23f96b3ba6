/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The benchmark guest (guest/bench): shared declarations.
 *
 * Every measurement reads the virtual counter (CNTVCT_EL0) after an ISB
 * before and after the operation. Under QEMU with `-icount shift=0,sleep=off`
 * and `cntfrq=1000000000` one counter tick is one nanosecond of virtual
 * time, which is one executed instruction; with another counter frequency
 * ticks are converted to nanoseconds and the resolution is printed.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <guest/guest.h>

/* The SGI the latency benchmarks send. */
#define BENCH_SGI 1

/* Results of one benchmark, in counter ticks. */
struct bench_stats {
	uint64_t n, sum, min, max;
};

/* The counter after every earlier instruction completed. */
static inline uint64_t bench_stamp(void)
{
	uint64_t t;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t) : : "memory");
	return t;
}

void stats_init(struct bench_stats *s);
void stats_add(struct bench_stats *s, uint64_t ticks);

/* Ticks of an empty `bench_stamp(); bench_stamp();` pair: what every
 * per-operation figure has subtracted. */
uint64_t bench_overhead(void);

/* Warm-up iterations run (and discarded) before `iters` measured ones. */
uint64_t bench_warmup(uint64_t iters);

/* Prints `BENCH-BEGIN name`: the host driver timestamps it for the
 * wall-clock column. */
void bench_begin(const char *name);

/* Prints `BENCH name avg_ns=A min_ns=B max_ns=C iters=N ops=O res_ns=R`
 * for the samples `s` (ticks, the measurement overhead already
 * subtracted), each figure divided by `per` (operations per sample, 1 for
 * most). `ops` is every operation the window since `bench_begin()` ran,
 * the `warm` discarded samples included: the host divides its wall-clock
 * time of the window by it. */
void bench_report(const char *name, const struct bench_stats *s, uint64_t per, uint64_t warm);

/* Prints `BENCH-ERROR name: why`; the driver fails the run. */
void bench_error(const char *name, const char *why);

/* The benchmarks. Each returns 0 on success. */
int bench_hvc(uint64_t iters);
int bench_mmio(uint64_t iters);
int bench_timer(uint64_t iters);
int bench_sgi(uint64_t iters);
int bench_mem(uint64_t iters, uint64_t passes);
int bench_spi(uint64_t iters);

/* Latency vectors (vectors.S). `bench_vectors_install()` points this
 * vCPU's VBAR_EL1 at a table whose IRQ entry timestamps the interrupt
 * before anything else, acknowledges it, stops the virtual timer if it is
 * the timer's and ends it; any other exception puts the runtime's table
 * back and is taken again there (and reported as usual). */
extern volatile uint64_t bench_irq_stamp[GUEST_MAX_CPUS];
extern volatile uint64_t bench_irq_seq[GUEST_MAX_CPUS];
extern volatile uint32_t bench_irq_intid[GUEST_MAX_CPUS];
/* The INTID of a passed-through device whose line the IRQ vector drops
 * itself, by writing 1 (32 bits) to `bench_irq_ack_addr` before the EOI;
 * 1023 for none (spi.c). */
extern volatile uint32_t bench_irq_ack_intid;
extern volatile uint64_t bench_irq_ack_addr;
void bench_vectors_install(void);
void bench_vectors_remove(void);

#endif /* BENCH_BENCH_H */
