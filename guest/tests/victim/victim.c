/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The victim of the attack suite (test/scenarios/attack.py): a VM that runs
 * beside the attacker (guest/tests/attacker) and proves, while the attacker
 * probes, that nothing reached it.
 *
 * At start it fills a fixed 4 MiB region of its RAM (VICTIM_REGION_BASE,
 * guest-physical, the same IPA in every VM) with an address-dependent
 * pattern whose upper half is the tag "VICT", and hashes its own text and
 * read-only data. Then, every VICTIM_PERIOD_MS (its virtual timer), it
 * checks every word of the region and the hash of its image and prints
 *
 *     victim: hash OK N (0x<hash>), unexpected IRQs 0
 *
 * or, at the first difference, `victim: hash MISMATCH ...` with the address
 * and both values. Every interrupt but its own timer is unexpected: all
 * SGIs, PPIs and SPIs are enabled with a handler that counts them, and each
 * one is reported as `victim: unexpected IRQ INTID n on vCPU c`. A second
 * vCPU, if the VM has one, enables the same and waits in WFI, so that an
 * SGI aimed at "vCPU 1" of another VM would be seen here.
 */
#include <guest/guest.h>

#define VICTIM_REGION_BASE 0x40400000UL
#define VICTIM_REGION_SIZE (4UL << 20)
#define VICTIM_TAG 0x56494354ULL /* "VICT" */
#define VICTIM_PERIOD_MS 250

/* The end of read-only data (guest/lib/guest.ld). */
extern char __guest_tests_end[];

static volatile uint64_t ticks;
static uint64_t deadline;
static volatile uint32_t unexpected_count;
static volatile uint32_t unexpected_intid[GUEST_MAX_CPUS];
static volatile bool unexpected_new[GUEST_MAX_CPUS];

static inline uint64_t pattern(uintptr_t a)
{
	return VICTIM_TAG << 32 | (uint32_t)((a >> 3) * 0x9e3779b1u);
}

/* FNV-1a over 64-bit words: cheap, and any changed word changes it. */
static uint64_t hash_words(const volatile uint64_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void on_timer(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	deadline += timer_ms_to_ticks(VICTIM_PERIOD_MS);
	vtimer_set_deadline(deadline);
	ticks++;
}

static void on_unexpected(unsigned intid, void *arg)
{
	unsigned me = cpu_index();

	(void)arg;
	__atomic_fetch_add(&unexpected_count, 1, __ATOMIC_SEQ_CST);
	unexpected_intid[me] = intid;
	unexpected_new[me] = true;
}

/* Every INTID this vCPU can take, but the virtual timer, counts as unexpected. */
static void enable_everything(bool spis)
{
	for (unsigned i = 0; i < 32; i++) {
		if (i == TIMER_VIRT_INTID)
			continue;
		gic_enable_intid(i);
	}
	if (spis)
		for (unsigned i = 32; i < gic_intid_count(); i++)
			gic_enable_intid(i);
}

static void report_unexpected(void)
{
	for (unsigned c = 0; c < GUEST_MAX_CPUS; c++) {
		if (unexpected_new[c]) {
			unexpected_new[c] = false;
			gprintf("victim: unexpected IRQ INTID %u on vCPU %u (%u so far)\n",
				unexpected_intid[c], c, unexpected_count);
		}
	}
}

static void secondary(void *arg)
{
	(void)arg;
	enable_everything(false);
	irq_unmask();
	for (;;)
		wfi();
}

int main(void)
{
	volatile uint64_t *region = (volatile uint64_t *)VICTIM_REGION_BASE;
	const size_t words = VICTIM_REGION_SIZE / 8;
	const volatile uint64_t *text = (const volatile uint64_t *)__image_start;
	const size_t text_words = (size_t)(__guest_tests_end - __image_start) / 8;
	uint64_t region_hash, text_hash;
	unsigned cpus = cpu_count();

	if ((uintptr_t)__image_end > VICTIM_REGION_BASE ||
	    (boot_ram_size() != 0 &&
	     boot_ram_base() + boot_ram_size() < VICTIM_REGION_BASE + VICTIM_REGION_SIZE + (2UL << 20))) {
		gprintf("victim: the pattern region 0x%lx+4 MiB does not fit this VM's RAM\n",
			VICTIM_REGION_BASE);
		return 1;
	}
	for (size_t i = 0; i < words; i++)
		region[i] = pattern(VICTIM_REGION_BASE + 8 * i);
	region_hash = hash_words(region, words);
	text_hash = hash_words(text, text_words);
	gprintf("victim: %u vCPU(s); pattern in 0x%lx-0x%lx (hash 0x%016llx), image hash 0x%016llx\n",
		cpus, VICTIM_REGION_BASE, VICTIM_REGION_BASE + VICTIM_REGION_SIZE,
		(unsigned long long)region_hash, (unsigned long long)text_hash);

	for (unsigned i = 0; i < GIC_MAX_INTID; i++)
		irq_register(i, on_unexpected, NULL);
	irq_register(TIMER_VIRT_INTID, on_timer, NULL);
	enable_everything(true);
	gic_enable_intid(TIMER_VIRT_INTID);
	for (unsigned c = 1; c < cpus; c++)
		cpu_start(c, secondary, NULL);

	deadline = timer_count() + timer_ms_to_ticks(VICTIM_PERIOD_MS);
	vtimer_set_deadline(deadline);
	irq_unmask();

	for (uint64_t n = 1;; n++) {
		uint64_t h, t;

		while (ticks < n) {
			wfi();
			report_unexpected();
		}
		report_unexpected();
		h = hash_words(region, words);
		t = hash_words(text, text_words);
		if (h != region_hash || t != text_hash) {
			for (size_t i = 0; i < words; i++) {
				uintptr_t a = VICTIM_REGION_BASE + 8 * i;

				if (region[i] != pattern(a)) {
					gprintf("victim: hash MISMATCH %llu: word at 0x%lx is 0x%016llx, "
						"expected 0x%016llx\n", (unsigned long long)n,
						(unsigned long)a, (unsigned long long)region[i],
						(unsigned long long)pattern(a));
					break;
				}
			}
			if (t != text_hash)
				gprintf("victim: hash MISMATCH %llu: its own image changed\n",
					(unsigned long long)n);
			/* Report once, then go on with the new values. */
			region_hash = h;
			text_hash = t;
			continue;
		}
		gprintf("victim: hash OK %llu (0x%016llx), unexpected IRQs %u\n",
			(unsigned long long)n, (unsigned long long)h, unexpected_count);
	}
}
