/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Round trips to whatever answers the guest: HVC calls (PSCI) and reads of
 * emulated device registers (MMIO). On bare QEMU both are answered by QEMU
 * itself (its built-in PSCI, its GIC and PL011 models) in one guest
 * instruction; under Bulwark each is a trap to EL2 and back.
 *
 * Each sample is one operation between two counter stamps, less the cost
 * of an empty pair of stamps (bench_overhead()).
 */
#include "bench.h"

/* HVC #0 with x0 = `fid`, x1 = `arg`; the ticks it took. SMCCC 1.0 allowed
 * x1-x17 to be corrupted: all are declared clobbered. */
static uint64_t timed_hvc(uint64_t fid, uint64_t arg, uint64_t *ret)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = arg;
	uint64_t t0, t1;

	__asm__ volatile("isb\n\t"
			 "mrs %[t0], cntvct_el0\n\t"
			 "hvc #0\n\t"
			 "isb\n\t"
			 "mrs %[t1], cntvct_el0"
			 : [t0] "=&r"(t0), [t1] "=&r"(t1), "+r"(x0), "+r"(x1)
			 :
			 : "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
			   "x13", "x14", "x15", "x16", "x17", "memory");
	*ret = x0;
	return t1 - t0;
}

/* One 32-bit load from `addr` (LDR with a base register only: the form a
 * hypervisor decodes from ESR_EL2); the ticks it took. */
static uint64_t timed_read32(uintptr_t addr, uint32_t *val)
{
	uint64_t t0, t1;
	uint32_t v;

	__asm__ volatile("isb\n\t"
			 "mrs %[t0], cntvct_el0\n\t"
			 "ldr %w[v], [%[a]]\n\t"
			 "isb\n\t"
			 "mrs %[t1], cntvct_el0"
			 : [t0] "=&r"(t0), [t1] "=&r"(t1), [v] "=&r"(v)
			 : [a] "r"(addr)
			 : "memory");
	*val = v;
	return t1 - t0;
}

static uint64_t net(uint64_t ticks)
{
	uint64_t o = bench_overhead();

	return ticks > o ? ticks - o : 0;
}

static int hvc_one(const char *name, uint64_t fid, uint64_t arg, int64_t want, uint64_t iters)
{
	struct bench_stats s;
	uint64_t warm = bench_warmup(iters), ret = 0;

	stats_init(&s);
	bench_begin(name);
	for (uint64_t i = 0; i < warm + iters; i++) {
		uint64_t t = timed_hvc(fid, arg, &ret);

		if ((int64_t)ret != want) {
			char why[80];

			gsnprintf(why, sizeof(why), "returned %lld, expected %lld", (long long)ret,
				  (long long)want);
			bench_error(name, why);
			return 1;
		}
		if (i >= warm)
			stats_add(&s, net(t));
	}
	bench_report(name, &s, 1, warm);
	return 0;
}

int bench_hvc(uint64_t iters)
{
	int failed = 0;

	/* Bulwark answers PSCI_VERSION on a fast path in its exception vector;
	 * PSCI_FEATURES takes the full exit (all registers saved, C handler). */
	failed += hvc_one("hvc_psci_version", PSCI_VERSION, 0, 0x10001, iters);
	failed += hvc_one("hvc_psci_features", PSCI_FEATURES, PSCI_VERSION, PSCI_RET_SUCCESS, iters);
	return failed;
}

static int mmio_one(const char *name, uintptr_t addr, uint32_t mask, uint32_t want,
		    uint64_t iters)
{
	struct bench_stats s;
	uint64_t warm = bench_warmup(iters);

	stats_init(&s);
	bench_begin(name);
	console_flush();
	for (uint64_t i = 0; i < warm + iters; i++) {
		uint32_t v;
		uint64_t t = timed_read32(addr, &v);

		if ((v & mask) != want) {
			char why[80];

			gsnprintf(why, sizeof(why), "read 0x%x, expected 0x%x under mask 0x%x", v,
				  want, mask);
			bench_error(name, why);
			return 1;
		}
		if (i >= warm)
			stats_add(&s, net(t));
	}
	bench_report(name, &s, 1, warm);
	return 0;
}

int bench_mmio(uint64_t iters)
{
	int failed = 0;

	/* GICD_TYPER: any value with ITLinesNumber >= 1 is a GIC (checked
	 * loosely: bare QEMU and Bulwark implement different numbers of SPIs). */
	failed += mmio_one("mmio_gicd_typer", gic_dist_base() + GICD_TYPER, 0, 0, iters);
	/* UARTFR with the transmitter idle (each run flushes the console after
	 * its BEGIN line): TXFE set, TXFF and BUSY clear. Xen's vPL011 (an SBSA
	 * UART to the guest) never sets TXFE: there, only TXFF and BUSY clear. */
	if (platform_uart_is_sbsa())
		failed += mmio_one("mmio_uartfr", console_base() + PL011_FR,
				   PL011_FR_TXFF | PL011_FR_BUSY, 0, iters);
	else
		failed += mmio_one("mmio_uartfr", console_base() + PL011_FR,
				   PL011_FR_TXFE | PL011_FR_TXFF | PL011_FR_BUSY, PL011_FR_TXFE,
				   iters);
	return failed;
}
