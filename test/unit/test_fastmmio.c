/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fast-MMIO table (include/bulwark/fastmmio.h) and the data-abort
 * vector's part, as src/arch/fake/fastmmio.c plays it on the host: which
 * syndromes it takes (with the constants guest.S uses), and what a fast
 * read and a fast write do. The devices' own entries are tested with the
 * devices (test_vgic.c, test_vuart.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/arch/aarch64/sysregs.h>
#include <bulwark/arch/fake/fastmmio.h>
#include <bulwark/fastmmio.h>
#include <bulwark/vm.h>

/* ESR_EL2 of a data abort from a lower EL: the fields of ISS by name. */
struct dabt {
	unsigned sas, srt, dfsc;
	bool sse, sf, ar, wnr, s1ptw, cm, ea, fnv, vncr;
	bool no_isv, il16, cur_el;
};

static uint64_t esr(struct dabt d)
{
	uint64_t e = (uint64_t)(d.cur_el ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW) << ESR_EC_SHIFT;

	e |= (uint64_t)!d.il16 << 25 | (uint64_t)!d.no_isv << 24 | (uint64_t)d.sas << 22 |
	     (uint64_t)d.sse << 21 | (uint64_t)d.srt << 16 | (uint64_t)d.sf << 15 |
	     (uint64_t)d.ar << 14 | (uint64_t)d.vncr << 13 | (uint64_t)d.fnv << 10 |
	     (uint64_t)d.ea << 9 | (uint64_t)d.cm << 8 | (uint64_t)d.s1ptw << 7 |
	     (uint64_t)d.wnr << 6 | d.dfsc;
	return e;
}

#define TF3 0x07 /* translation fault, level 3 */

static void test_syndromes_taken(void **state)
{
	(void)state;
	/* LDR W1; LDRB, LDRH; LDR X30; STR, STRH, STRB of any register; LDAR, STLR. */
	assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = 2, .srt = 1, .dfsc = TF3 })));
	assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = 0, .dfsc = TF3 })));
	assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = 1, .dfsc = TF3 })));
	assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = 3, .srt = 30, .sf = 1,
							      .dfsc = TF3 })));
	for (unsigned sas = 0; sas < 4; sas++)
		assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = sas, .srt = 31,
								      .wnr = 1, .dfsc = TF3 })));
	assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = 2, .ar = 1, .dfsc = TF3 })));
	assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = 2, .ar = 1, .wnr = 1,
							      .dfsc = TF3 })));
	/* A translation fault at any level. */
	for (unsigned l = 0; l < 4; l++)
		assert_true(fake_fastmmio_syndrome(esr((struct dabt){ .sas = 2, .dfsc = 4 + l })));
}

static void test_syndromes_refused(void **state)
{
	(void)state;
	const struct dabt refused[] = {
		{ .sas = 2, .sse = 1, .dfsc = TF3 },            /* LDRSW, LDRSH, LDRSB */
		{ .sas = 2, .no_isv = 1, .dfsc = TF3 },         /* LDP, writeback, exclusives... */
		{ .sas = 2, .il16 = 1, .dfsc = TF3 },           /* a 16-bit T32 load: PC + 2 */
		{ .sas = 2, .s1ptw = 1, .dfsc = TF3 },          /* a stage-1 walk */
		{ .sas = 2, .cm = 1, .wnr = 1, .dfsc = TF3 },   /* cache maintenance */
		{ .sas = 2, .ea = 1, .dfsc = TF3 },
		{ .sas = 2, .fnv = 1, .dfsc = TF3 },            /* FAR not valid */
		{ .sas = 2, .vncr = 1, .dfsc = TF3 },
		{ .sas = 2, .dfsc = 0x00 },                     /* address size fault */
		{ .sas = 2, .dfsc = 0x0b },                     /* access flag fault */
		{ .sas = 2, .dfsc = 0x0f },                     /* permission fault */
		{ .sas = 2, .dfsc = 0x10 },                     /* synchronous external abort */
		{ .sas = 2, .dfsc = 0x21 },                     /* alignment fault */
		{ .sas = 2, .cur_el = 1, .dfsc = TF3 },         /* not from a lower EL */
	};

	for (unsigned i = 0; i < ARRAY_SIZE(refused); i++)
		if (fake_fastmmio_syndrome(esr(refused[i])))
			fail_msg("syndrome %u (%#llx) taken", i, (unsigned long long)esr(refused[i]));
}

static struct vm vm;

/* A read answers the entry's value; a write to a sink appends its low byte
 * within [lo, hi] and below the limit, under the sink's lock. */
static void test_fast_accesses(void **state)
{
	static char buf[8];
	static unsigned len;
	static struct spinlock lock;
	struct fastsink sink = { &lock, &len, buf, 0, 'a', 'z' };
	uint64_t v;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	assert_non_null(fastmmio_add_read(vm.fastmmio, 0x9000, 2, 0xbeef));
	assert_true(fastmmio_add_sink(vm.fastmmio, 0x9004, 4, &sink));
	v = 0;
	assert_true(fake_fastmmio(&vm, 0x9000, 2, false, &v));
	assert_int_equal(v, 0xbeef);
	assert_false(fake_fastmmio(&vm, 0x9000, 4, false, &v));
	assert_false(fake_fastmmio(&vm, 0x9000, 2, true, &v));
	assert_false(fake_fastmmio(&vm, 0x9004, 4, false, &v));
	v = 'q';
	assert_false(fake_fastmmio(&vm, 0x9004, 4, true, &v)); /* limit 0: none */
	fastsink_set_limit(&sink, 3);
	for (const char *p = "xyz"; *p; p++) {
		v = 0x4100 | (uint8_t)*p;                      /* the low byte only */
		assert_true(fake_fastmmio(&vm, 0x9004, 4, true, &v));
	}
	v = 'w';
	assert_false(fake_fastmmio(&vm, 0x9004, 4, true, &v)); /* full */
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "xyz", 3);
	len = 0;
	v = 'A';
	assert_false(fake_fastmmio(&vm, 0x9004, 4, true, &v)); /* below lo */
	v = '{';
	assert_false(fake_fastmmio(&vm, 0x9004, 4, true, &v)); /* above hi */
	assert_int_equal(len, 0);
	assert_int_equal(lock.next, lock.owner); /* free again */
	assert_int_equal(lock.next, 5);          /* taken for each byte in [lo, hi] */
}

/* The table itself (include/bulwark/fastmmio.h). */
static void test_fastmmio_table(void **state)
{
	static struct fastmmio t[FASTMMIO_SLOTS];
	static struct fastsink sink;
	uint64_t *p;

	(void)state;
	memset(t, 0, sizeof(t));
	p = fastmmio_add_read(t, 0x1000, 4, 0x1234567890ULL);
	assert_non_null(p);
	assert_int_equal(*p, 0x34567890); /* cut to its size */
	assert_int_equal(t[fastmmio_slot(0x1000, 2)].key, 0x1000 << 4 | 8 | 2);
	/* The same register again: a new value in the same entry. */
	assert_ptr_equal(fastmmio_add_read(t, 0x1000, 4, 7), p);
	assert_int_equal(*p, 7);
	fastmmio_set(p, 9);
	assert_int_equal(*p, 9);
	fastmmio_set(NULL, 9); /* not in the table: nothing */
	/* Not registers: sizes, alignment, addresses past 48 bits. */
	assert_null(fastmmio_add_read(t, 0x2000, 3, 0));
	assert_null(fastmmio_add_read(t, 0x2000, 16, 0));
	assert_null(fastmmio_add_read(t, 0x2002, 4, 0));
	assert_null(fastmmio_add_read(t, 0x2004, 8, 0));
	assert_null(fastmmio_add_read(t, 1ULL << 48, 4, 0));
	assert_false(fastmmio_add_sink(t, 0x2001, 2, &sink));
	/* Another register in a taken slot stays out. */
	uint64_t other = 0;

	for (uint64_t ipa = 0x1004; !other; ipa += 4)
		if (fastmmio_slot(ipa, 2) == fastmmio_slot(0x1000, 2))
			other = ipa;
	assert_null(fastmmio_add_read(t, other, 4, 1));
	assert_int_equal(t[fastmmio_slot(0x1000, 2)].val, 9);
	/* Sizes and directions of one address are different entries. */
	assert_non_null(fastmmio_add_read(t, 0x1000, 2, 5));
	assert_true(fastmmio_add_sink(t, 0x1000, 4, &sink));
	const struct fastmmio *w = &t[fastmmio_slot(0x1000, fastmmio_kind(2, true))];

	assert_int_equal(w->key, 0x1000 << 4 | 8 | 4 | 2);
	assert_int_equal(w->val, (uint64_t)(uintptr_t)&sink);
	unsigned used = 0;

	for (unsigned i = 0; i < FASTMMIO_SLOTS; i++)
		used += t[i].key != 0;
	assert_int_equal(used, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syndromes_taken),
		cmocka_unit_test(test_syndromes_refused),
		cmocka_unit_test(test_fast_accesses),
		cmocka_unit_test(test_fastmmio_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
