/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The package decoder (`pkg_decode()`, src/core/pkg.c) against packages built
 * here: valid ones from 1 to 16 VMs, then each broken in one field. Every
 * rejection must give the exact message that names the field, and no input
 * may make the decoder read outside the bytes it was given (every package
 * is decoded from an exact-size heap copy, under ASan).
 *
 * With BULWARK_SEED_DIR set, every package decoded outside the exhaustive
 * loops is also written to that directory in the input format of
 * test/fuzz/fuzz_pkg.c (one byte of host CPU count, then the package): the
 * fuzzer's seed corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/package.h>
#include <bulwark/pkg.h>

#define MIB (1ULL << 20)
#define KERNEL_SIZE 4096ULL
#define DEFAULT_MEM_BASE 0x40000000ULL
#define DEFAULT_MEM_SIZE (64 * MIB)
#define SEED_MAX_SIZE (64u << 10)

/* ---- A package builder ------------------------------------------------ */

struct pb {
	struct bwpkg_header h;
	struct bwpkg_vm vm[BWPKG_MAX_VMS + 1];
	struct bwpkg_blob blob[BWPKG_MAX_BLOBS + 1];
	bool fixed_offset[BWPKG_MAX_BLOBS + 1]; /* offset set by the test, keep it */
	uint64_t len;                           /* bytes laid out: tables and blobs */
};

static void pb_init(struct pb *p)
{
	memset(p, 0, sizeof(*p));
	p->h.magic = BWPKG_MAGIC;
	p->h.version = BWPKG_VERSION;
	p->h.header_size = sizeof(struct bwpkg_header);
	p->h.vm_size = sizeof(struct bwpkg_vm);
	p->h.blob_size = sizeof(struct bwpkg_blob);
}

static unsigned pb_blob(struct pb *p, uint32_t type, uint32_t vm, uint64_t size)
{
	unsigned i = p->h.blob_count++;

	assert_true(i < ARRAY_SIZE(p->blob));
	p->blob[i].type = type;
	p->blob[i].vm = vm;
	p->blob[i].size = size;
	return i;
}

/* Adds a VM with 64 MiB of RAM at 0x40000000 and a 4 KiB kernel blob. */
static unsigned pb_vm(struct pb *p, const char *name, uint64_t cpu_mask, uint32_t vcpus)
{
	unsigned i = p->h.vm_count++;
	struct bwpkg_vm *vm = &p->vm[i];

	assert_true(i < ARRAY_SIZE(p->vm));
	assert_true(strlen(name) <= sizeof(vm->name));
	memcpy(vm->name, name, strlen(name));
	vm->vcpu_count = vcpus;
	vm->cpu_mask = cpu_mask;
	vm->mem_base = DEFAULT_MEM_BASE;
	vm->mem_size = DEFAULT_MEM_SIZE;
	vm->kernel_blob = pb_blob(p, BWPKG_BLOB_KERNEL, i, KERNEL_SIZE);
	vm->initrd_blob = BWPKG_NO_BLOB;
	vm->dtb_blob = BWPKG_NO_BLOB;
	return i;
}

static void pb_dev(struct pb *p, unsigned vm, uint64_t base, uint64_t size, uint32_t irq0,
		   uint32_t irq1)
{
	struct bwpkg_vm *v = &p->vm[vm];
	struct bwpkg_dev *d = &v->devs[v->dev_count++];

	d->base = base;
	d->size = size;
	d->irqs[0] = irq0;
	d->irqs[1] = irq1;
}

static uint64_t pb_tables(const struct pb *p)
{
	return sizeof(struct bwpkg_header) + (uint64_t)p->h.vm_count * sizeof(struct bwpkg_vm) +
	       (uint64_t)p->h.blob_count * sizeof(struct bwpkg_blob);
}

/* Gives every blob not fixed by the test a 4 KiB-aligned place after the
 * tables, in order, and sets total_size to the end of the last one. */
static void pb_layout(struct pb *p)
{
	uint64_t at = ALIGN_UP(pb_tables(p), BWPKG_BLOB_ALIGN);

	p->len = pb_tables(p);
	for (unsigned i = 0; i < p->h.blob_count; i++) {
		if (!p->fixed_offset[i]) {
			p->blob[i].offset = at;
			at = ALIGN_UP(at + p->blob[i].size, BWPKG_BLOB_ALIGN);
			p->len = p->blob[i].offset + p->blob[i].size;
		}
	}
	p->h.total_size = p->len;
}

static void pb_set_offset(struct pb *p, unsigned blob, uint64_t offset)
{
	p->blob[blob].offset = offset;
	p->fixed_offset[blob] = true;
}

static uint8_t blob_byte(unsigned blob, uint64_t off)
{
	return (uint8_t)(blob * 37 + off * 7 + 1);
}

/* The package as bytes: @len bytes (p->len when 0), blobs filled with a
 * pattern where they fit. Caller frees. */
static uint8_t *pb_bytes(const struct pb *p, uint64_t len)
{
	/* The tables as far as this builder holds them: a test may claim more. */
	size_t vms = MIN(p->h.vm_count, ARRAY_SIZE(p->vm));
	size_t blobs = MIN(p->h.blob_count, ARRAY_SIZE(p->blob));
	size_t tables = sizeof(p->h) + vms * sizeof(struct bwpkg_vm) +
			blobs * sizeof(struct bwpkg_blob);
	uint8_t *buf;

	if (len == 0)
		len = p->len;
	buf = calloc(1, MAX(len, tables));
	assert_non_null(buf);
	memcpy(buf, &p->h, sizeof(p->h));
	memcpy(buf + sizeof(p->h), p->vm, vms * sizeof(struct bwpkg_vm));
	memcpy(buf + sizeof(p->h) + vms * sizeof(struct bwpkg_vm), p->blob,
	       blobs * sizeof(struct bwpkg_blob));
	for (unsigned i = 0; i < blobs; i++) {
		const struct bwpkg_blob *b = &p->blob[i];

		if (b->offset < tables || b->offset > len || b->size > len - b->offset)
			continue;
		for (uint64_t k = 0; k < b->size; k++)
			buf[b->offset + k] = blob_byte(i, k);
	}
	return buf;
}

/* ---- Decoding ---------------------------------------------------------- */

static struct pkg_desc desc;
static char why[256];
static uint8_t *copy;          /* what `desc.base` points into */
static unsigned seed_count;
static bool writing_seeds = true;

static void write_seed(const uint8_t *pkg, size_t len, unsigned host_cpus)
{
	const char *dir = getenv("BULWARK_SEED_DIR");
	char path[512];
	uint8_t cpus = (uint8_t)host_cpus;
	FILE *f;

	if (!dir || !writing_seeds || len > SEED_MAX_SIZE)
		return;
	snprintf(path, sizeof(path), "%s/pkg-%04u", dir, seed_count++);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(&cpus, 1, 1, f), 1);
	assert_int_equal(fwrite(pkg, 1, len, f), len);
	fclose(f);
}

/* Decodes @len bytes of @pkg from an exact-size heap copy. */
static int decode_raw(const uint8_t *pkg, size_t len, unsigned host_cpus)
{
	free(copy);
	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, pkg, len);
	write_seed(pkg, len, host_cpus);
	memset(why, 0x5a, sizeof(why));
	int r = pkg_decode(copy, len, host_cpus, &desc, why, sizeof(why));

	if (r == 0)
		why[0] = '\0';
	else
		assert_non_null(memchr(why, '\0', sizeof(why)));
	return r;
}

static int decode(const struct pb *p, unsigned host_cpus)
{
	uint8_t *buf = pb_bytes(p, 0);
	int r = decode_raw(buf, p->len, host_cpus); /* p->len: what was laid out */

	free(buf);
	return r;
}

#define expect_ok(p, cpus)                                     \
	do {                                                   \
		int r_ = decode((p), (cpus));                  \
		if (r_ != 0)                                   \
			fail_msg("rejected: %s", why);         \
	} while (0)

#define expect_bad(p, cpus, msg)                               \
	do {                                                   \
		assert_int_equal(decode((p), (cpus)), -1);     \
		assert_string_equal(why, (msg));               \
	} while (0)

static int teardown(void **state)
{
	(void)state;
	free(copy);
	copy = NULL;
	writing_seeds = true;
	return 0;
}

/* One VM "a" on CPU 0, 64 MiB at 0x40000000, a kernel; laid out. */
static void one_vm(struct pb *p)
{
	pb_init(p);
	pb_vm(p, "a", 0x1, 1);
	pb_layout(p);
}

/* VMs "a" (CPU 0) and "b" (CPU 1), each with a kernel; laid out. */
static void two_vms(struct pb *p)
{
	pb_init(p);
	pb_vm(p, "a", 0x1, 1);
	pb_vm(p, "b", 0x2, 1);
	pb_layout(p);
}

/* ---- Valid packages ---------------------------------------------------- */

static void test_valid_one_vm(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	expect_ok(&p, 4);
	assert_ptr_equal(desc.base, copy);
	assert_int_equal(desc.size, 8192);
	assert_int_equal(desc.vm_count, 1);
	assert_int_equal(desc.blob_count, 1);
	assert_string_equal(desc.vms[0].name, "a");
	assert_int_equal(desc.vms[0].kernel_blob, 0);
	assert_int_equal(desc.vms[0].initrd_blob, BWPKG_NO_BLOB);
	assert_int_equal(desc.blobs[0].type, BWPKG_BLOB_KERNEL);
	assert_int_equal(desc.blobs[0].vm, 0);
	assert_int_equal(desc.blobs[0].offset, 4096);
	assert_int_equal(desc.blobs[0].size, KERNEL_SIZE);
	assert_int_equal(desc.base[desc.blobs[0].offset + 5], blob_byte(0, 5));
}

/* @n VMs, each with a kernel, every other one an initrd and a devicetree,
 * and up to three devices with interrupts. */
static void many_vms(struct pb *p, unsigned n)
{
	char name[BWPKG_NAME_LEN];

	pb_init(p);
	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "vm-%u_x", i);
		unsigned v = pb_vm(p, name, 1ULL << i, 1);

		p->vm[v].mem_base = (uint64_t)(i + 1) << 30;
		p->vm[v].mem_size = (6 + 2 * i) * MIB;
		if (i % 2 == 0) {
			p->vm[v].initrd_blob = pb_blob(p, BWPKG_BLOB_INITRD, v, 3 * 4096 + 17);
			p->vm[v].dtb_blob = pb_blob(p, BWPKG_BLOB_DTB, v, 1000);
		}
		for (unsigned k = 0; k < i % 4; k++)
			pb_dev(p, v, 0x10000000 + (uint64_t)(i * 4 + k) * 0x10000, 0x1000 * (k + 1),
			       34 + i * 8 + k * 2, k ? 35 + i * 8 + k * 2 : 0);
	}
	pb_layout(p);
}

static void test_valid_1_to_16_vms(void **state)
{
	struct pb p;

	(void)state;
	for (unsigned n = 1; n <= BWPKG_MAX_VMS; n++) {
		many_vms(&p, n);
		expect_ok(&p, 16);
		assert_int_equal(desc.vm_count, n);
		assert_int_equal(desc.blob_count, p.h.blob_count);
		assert_int_equal(desc.size, p.h.total_size);
		assert_memory_equal(desc.vms, p.vm, n * sizeof(struct bwpkg_vm));
		assert_memory_equal(desc.blobs, p.blob, p.h.blob_count * sizeof(struct bwpkg_blob));
		for (unsigned b = 0; b < desc.blob_count; b++) {
			uint64_t last = desc.blobs[b].size - 1;

			assert_int_equal(desc.base[desc.blobs[b].offset + last], blob_byte(b, last));
		}
	}
}

static void test_valid_limits(void **state)
{
	struct pb p;

	(void)state;
	pb_init(&p);
	/* 31 characters, every kind allowed. */
	unsigned v = pb_vm(&p, "abcdefghijklmnopqrstuvwxyz_-019", 0xff, 8);

	p.vm[v].caps = BWPKG_CAP_CONTROL;
	/* RAM ending exactly at 2^39. */
	p.vm[v].mem_base = (1ULL << 39) - 6 * MIB;
	p.vm[v].mem_size = 6 * MIB;
	/* 63 more blobs: 64 in all. */
	for (unsigned i = 1; i < BWPKG_MAX_BLOBS; i++)
		pb_blob(&p, BWPKG_BLOB_INITRD, v, 1);
	p.vm[v].initrd_blob = 63;
	/* 8 devices with 4 interrupts each, at the edges of the allowed space. */
	for (unsigned k = 0; k < BWPKG_MAX_DEVS; k++) {
		pb_dev(&p, v, 0x20000000 + k * 0x1000ULL, 0x1000, 34 + k * 4, 35 + k * 4);
		p.vm[v].devs[k].irqs[2] = 36 + k * 4;
		p.vm[v].devs[k].irqs[3] = 37 + k * 4;
	}
	p.vm[v].devs[0].irqs[0] = 32;  /* the first SPI */
	p.vm[v].devs[7].irqs[3] = 255; /* the last one */
	p.vm[v].devs[0].base = 0x08000000 - 0x1000; /* just below the emulated devices */
	p.vm[v].devs[1].base = 0x0a000000;          /* just above them */
	p.vm[v].devs[2].base = (1ULL << 39) - 7 * MIB; /* just below the RAM */
	p.vm[v].devs[7].base = 0;                       /* page 0 */
	pb_layout(&p);
	expect_ok(&p, 8);
	assert_int_equal(desc.blob_count, 64);
	assert_int_equal(desc.vms[0].dev_count, 8);

	/* The host's last CPU, on a 64-CPU machine. */
	pb_init(&p);
	pb_vm(&p, "a", 1ULL << 63, 1);
	pb_vm(&p, "b", ~(1ULL << 63), 8);
	pb_layout(&p);
	expect_ok(&p, 64);
	expect_ok(&p, 200);

	/* RAM just below and just above the emulated devices. */
	pb_init(&p);
	pb_vm(&p, "low", 1, 1);
	pb_vm(&p, "high", 2, 1);
	p.vm[0].mem_base = 0;
	p.vm[0].mem_size = 0x08000000;
	p.vm[1].mem_base = 0x10000000;
	p.vm[1].mem_size = 6 * MIB;
	pb_layout(&p);
	expect_ok(&p, 2);
}

static void test_valid_dtb_of_2mib(void **state)
{
	struct pb p;

	(void)state;
	writing_seeds = false; /* too big to be a useful seed */
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	p.vm[0].dtb_blob = pb_blob(&p, BWPKG_BLOB_DTB, 0, BWPKG_DTB_MAX);
	pb_layout(&p);
	expect_ok(&p, 1);
}

/* Bytes after the name's NUL are not part of it: decoding clears them. */
static void test_name_tail_cleared(void **state)
{
	struct pb p;

	(void)state;
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	memcpy(p.vm[0].name, "ab\0GARBAGE!!", 12);
	memset(p.vm[0].name + 12, 0xff, sizeof(p.vm[0].name) - 12);
	pb_layout(&p);
	expect_ok(&p, 1);
	assert_string_equal(desc.vms[0].name, "ab");
	for (unsigned i = 2; i < BWPKG_NAME_LEN; i++)
		assert_int_equal(desc.vms[0].name[i], 0);
}

/* Device slots past dev_count are not looked at. */
static void test_unused_device_slots_ignored(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	memset(&p.vm[0].devs[1], 0xff, sizeof(p.vm[0].devs) - sizeof(p.vm[0].devs[0]));
	pb_dev(&p, 0, 0x10000000, 0x1000, 40, 0);
	expect_ok(&p, 1);
}

static void test_blob_range(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	expect_ok(&p, 1);
	assert_true(pkg_blob_range(&desc, 0, 0, KERNEL_SIZE));
	assert_true(pkg_blob_range(&desc, 0, 0, 0));
	assert_true(pkg_blob_range(&desc, 0, KERNEL_SIZE, 0));
	assert_true(pkg_blob_range(&desc, 0, KERNEL_SIZE - 1, 1));
	assert_true(pkg_blob_range(&desc, 0, 100, 200));
	assert_false(pkg_blob_range(&desc, 0, 0, KERNEL_SIZE + 1));
	assert_false(pkg_blob_range(&desc, 0, KERNEL_SIZE, 1));
	assert_false(pkg_blob_range(&desc, 0, KERNEL_SIZE + 1, 0));
	assert_false(pkg_blob_range(&desc, 0, 1, UINT64_MAX));
	assert_false(pkg_blob_range(&desc, 0, UINT64_MAX, 2)); /* off + len wraps */
	assert_false(pkg_blob_range(&desc, 0, 16, UINT64_MAX - 15));
	assert_false(pkg_blob_range(&desc, 1, 0, 1));
	assert_false(pkg_blob_range(&desc, UINT32_MAX, 0, 0));
}

/* The message is cut to the buffer, and always terminated. */
static void test_short_why_buffer(void **state)
{
	struct pb p;
	char small[8];
	uint8_t *buf;

	(void)state;
	one_vm(&p);
	p.h.flags = 1;
	buf = pb_bytes(&p, 0);
	memset(small, 'x', sizeof(small));
	assert_int_equal(pkg_decode(buf, p.len, 1, &desc, small, sizeof(small)), -1);
	assert_string_equal(small, "package");
	small[0] = 'x';
	assert_int_equal(pkg_decode(buf, p.len, 1, &desc, small, 1), -1);
	assert_int_equal(small[0], '\0');
	free(buf);
}

/* ---- The header -------------------------------------------------------- */

static void test_truncated_header(void **state)
{
	struct pb p;
	uint8_t *buf;

	(void)state;
	one_vm(&p);
	buf = pb_bytes(&p, 0);
	writing_seeds = false;
	for (size_t n = 0; n < sizeof(struct bwpkg_header); n++) {
		assert_int_equal(decode_raw(buf, n, 1), -1);
		assert_string_equal(why, "package: truncated header");
		assert_int_equal(desc.vm_count, 0);
	}
	free(buf);
}

/* A package cut short anywhere, its header still claiming the full size. */
static void test_truncated_every_length(void **state)
{
	struct pb p;
	uint8_t *buf;
	char want[128];

	(void)state;
	many_vms(&p, 3);
	buf = pb_bytes(&p, 0);
	writing_seeds = false;
	for (uint64_t n = sizeof(struct bwpkg_header); n < p.len; n++) {
		assert_int_equal(decode_raw(buf, n, 4), -1);
		snprintf(want, sizeof(want), "package: total size %lu exceeds the %lu bytes loaded",
			 p.len, n);
		assert_string_equal(why, want);
	}
	free(buf);
}

/* The header itself says the package is shorter: each length must fail
 * on what no longer fits, and never read past it. */
static void test_total_size_every_length(void **state)
{
	struct pb p;
	char want[128];

	(void)state;
	many_vms(&p, 3);
	uint64_t full = p.len, tables = pb_tables(&p);
	uint8_t *buf = pb_bytes(&p, 0);

	writing_seeds = false;
	for (uint64_t n = 0; n < full; n++) {
		uint64_t avail = n < sizeof(struct bwpkg_header) ? full : n;

		memcpy(buf + offsetof(struct bwpkg_header, total_size), &n, sizeof(n));

		assert_int_equal(decode_raw(buf, avail, 4), -1);
		if (n < sizeof(struct bwpkg_header)) {
			snprintf(want, sizeof(want),
				 "package: total size %lu is smaller than its header", n);
		} else if (n < tables) {
			snprintf(want, sizeof(want), "package: tables run past the end");
		} else {
			unsigned b = 0;

			while (p.blob[b].offset + p.blob[b].size <= n)
				b++;
			snprintf(want, sizeof(want),
				 "package: blob %u: offset %#lx size %#lx outside the package", b,
				 p.blob[b].offset, p.blob[b].size);
		}
		assert_string_equal(why, want);
	}
	free(buf);
}

static void test_bad_magic(void **state)
{
	struct pb p;

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		one_vm(&p);
		p.h.magic ^= 0x20ULL << (8 * i);
		expect_bad(&p, 1, "package: bad magic");
	}
	one_vm(&p);
	p.h.magic = __builtin_bswap64(BWPKG_MAGIC);
	expect_bad(&p, 1, "package: bad magic");
	one_vm(&p);
	p.h.magic = 0;
	expect_bad(&p, 1, "package: bad magic");
}

static void test_bad_version_or_sizes(void **state)
{
	static const uint32_t versions[] = { 0, 1, 3, 0x100, UINT32_MAX };
	struct pb p;
	char want[96];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(versions); i++) {
		one_vm(&p);
		p.h.version = versions[i];
		snprintf(want, sizeof(want), "package: version %u or structure sizes not supported",
			 versions[i]);
		expect_bad(&p, 1, want);
	}
	static const int deltas[] = { -1, 1, 8, -8 };

	for (unsigned i = 0; i < ARRAY_SIZE(deltas); i++) {
		const char *msg = "package: version 2 or structure sizes not supported";

		one_vm(&p);
		p.h.header_size += (uint32_t)deltas[i];
		expect_bad(&p, 1, msg);
		one_vm(&p);
		p.h.vm_size += (uint32_t)deltas[i];
		expect_bad(&p, 1, msg);
		one_vm(&p);
		p.h.blob_size += (uint32_t)deltas[i];
		expect_bad(&p, 1, msg);
	}
	one_vm(&p);
	p.h.header_size = 0;
	expect_bad(&p, 1, "package: version 2 or structure sizes not supported");
}

static void test_reserved_fields(void **state)
{
	struct pb p;

	(void)state;
	for (unsigned bit = 0; bit < 32; bit++) {
		one_vm(&p);
		p.h.flags = 1u << bit;
		expect_bad(&p, 1, "package: reserved fields not zero");
		one_vm(&p);
		p.vm[0].reserved = 1u << bit;
		expect_bad(&p, 1, "vm 'a': reserved field not zero");
	}
}

/* The system's and the VMs' mitigation choices (docs/mitigations.md). */
static void test_mitigations(void **state)
{
	struct pb p;
	char want[160];

	(void)state;
	/* Valid ones are decoded; the system's may switch flush, a VM may not. */
	one_vm(&p);
	p.h.mitigations = bwpkg_mitig(1, 1u << 3, 1u << 1); /* hardened,+flush,-bhb */
	p.vm[0].mitigations = bwpkg_mitig(3, 1u << 0, 0);    /* throughput,+bpi */
	expect_ok(&p, 1);
	assert_int_equal(desc.mitigations, bwpkg_mitig(1, 1u << 3, 1u << 1));
	assert_int_equal(desc.vms[0].mitigations, bwpkg_mitig(3, 1u << 0, 0));

	const uint32_t bad_sys[] = {
		1, 0x7fffffffu, bwpkg_mitig(4, 0, 0), bwpkg_mitig(0, 1u << 4, 0),
		bwpkg_mitig(0, 0, 1u << 4), bwpkg_mitig(0, 1u << 6, 0), bwpkg_mitig(0, 3, 1),
		bwpkg_mitig(2, 0, 0) | 1u << 30,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad_sys); i++) {
		one_vm(&p);
		p.h.mitigations = bad_sys[i];
		snprintf(want, sizeof(want), "package: mitigations: %#x is not a valid choice",
			 bad_sys[i]);
		expect_bad(&p, 1, want);
		one_vm(&p);
		p.vm[0].mitigations = bad_sys[i];
		snprintf(want, sizeof(want), "vm 'a': mitigations: %#x is not a valid choice for a VM",
			 bad_sys[i]);
		expect_bad(&p, 1, want);
	}
	one_vm(&p);
	p.vm[0].mitigations = bwpkg_mitig(0, 1u << 3, 0); /* +flush */
	expect_bad(&p, 1, "vm 'a': mitigations: 0x80000800 is not a valid choice for a VM");
}

static void test_total_size_beyond_loaded(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.h.total_size = p.len + 1;
	expect_bad(&p, 1, "package: total size 8193 exceeds the 8192 bytes loaded");
	one_vm(&p);
	p.h.total_size = UINT64_MAX;
	expect_bad(&p, 1, "package: total size 18446744073709551615 exceeds the 8192 bytes loaded");
	one_vm(&p);
	p.h.total_size = 1ULL << 63;
	expect_bad(&p, 1, "package: total size 9223372036854775808 exceeds the 8192 bytes loaded");
}

/* Too small to hold even its header. */
static void test_total_size_below_header(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.h.total_size = 0;
	expect_bad(&p, 1, "package: total size 0 is smaller than its header");
	one_vm(&p);
	p.h.total_size = 47;
	expect_bad(&p, 1, "package: total size 47 is smaller than its header");
}

static void test_vm_and_blob_counts(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.h.vm_count = 0;
	expect_bad(&p, 1, "package: 0 VMs and 1 blobs (1..16 VMs, at most 64 blobs)");
	one_vm(&p);
	p.h.vm_count = 17;
	expect_bad(&p, 1, "package: 17 VMs and 1 blobs (1..16 VMs, at most 64 blobs)");
	one_vm(&p);
	p.h.vm_count = UINT32_MAX;
	expect_bad(&p, 1, "package: 4294967295 VMs and 1 blobs (1..16 VMs, at most 64 blobs)");
	one_vm(&p);
	p.h.blob_count = 65;
	expect_bad(&p, 1, "package: 1 VMs and 65 blobs (1..16 VMs, at most 64 blobs)");
	one_vm(&p);
	p.h.blob_count = UINT32_MAX;
	expect_bad(&p, 1, "package: 1 VMs and 4294967295 blobs (1..16 VMs, at most 64 blobs)");
	/* No blob at all: the VM then has no kernel. */
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	p.h.blob_count = 0;
	pb_layout(&p);
	expect_bad(&p, 1, "vm 'a': kernel: blob 0 does not exist");
}

static void test_tables_past_end(void **state)
{
	struct pb p;

	(void)state;
	/* Tables of 16 VMs and 64 blobs in a package of one page. */
	one_vm(&p);
	p.h.vm_count = 16;
	p.h.blob_count = 64;
	p.h.total_size = 4096;
	expect_bad(&p, 1, "package: tables run past the end");
	/* One byte short of the tables. */
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	pb_layout(&p);
	p.h.total_size = pb_tables(&p) - 1;
	expect_bad(&p, 1, "package: tables run past the end");
	/* Exactly the tables: the blob then lies outside. */
	p.h.total_size = pb_tables(&p);
	expect_bad(&p, 1, "package: blob 0: offset 0x1000 size 0x1000 outside the package");
}

/* ---- The blob table ---------------------------------------------------- */

static void test_blob_type_or_vm(void **state)
{
	static const uint32_t types[] = { 0, 4, 0x100, UINT32_MAX };
	struct pb p;
	char want[96];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		two_vms(&p);
		p.blob[1].type = types[i];
		snprintf(want, sizeof(want), "package: blob 1: unknown type %u or VM 1", types[i]);
		expect_bad(&p, 2, want);
	}
	two_vms(&p);
	p.blob[0].vm = 2;
	expect_bad(&p, 2, "package: blob 0: unknown type 1 or VM 2");
	two_vms(&p);
	p.blob[0].vm = UINT32_MAX;
	expect_bad(&p, 2, "package: blob 0: unknown type 1 or VM 4294967295");
}

static void test_blob_misaligned(void **state)
{
	static const uint64_t deltas[] = { 1, 8, 0x800, 0xfff };
	struct pb p;
	char want[96];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(deltas); i++) {
		one_vm(&p);
		p.len += 4096;
		pb_set_offset(&p, 0, 4096 + deltas[i]);
		p.h.total_size = p.len;
		snprintf(want, sizeof(want),
			 "package: blob 0: offset %#lx size 0x1000 outside the package",
			 4096 + deltas[i]);
		expect_bad(&p, 1, want);
	}
}

static void test_blob_overlaps_tables(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	pb_set_offset(&p, 0, 0);
	expect_bad(&p, 1, "package: blob 0: offset 0x0 size 0x1000 outside the package");
	/* 16 VMs: the tables are longer than a page, the blob starts inside them. */
	many_vms(&p, 16);
	assert_true(pb_tables(&p) > 4096);
	pb_set_offset(&p, 1, 4096);
	expect_bad(&p, 16, "package: blob 1: offset 0x1000 size 0x3011 outside the package");
}

static void test_blob_past_end(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	pb_set_offset(&p, 0, 8192); /* == total_size */
	expect_bad(&p, 1, "package: blob 0: offset 0x2000 size 0x1000 outside the package");
	one_vm(&p);
	p.blob[0].size = 4097;
	expect_bad(&p, 1, "package: blob 0: offset 0x1000 size 0x1001 outside the package");
	one_vm(&p);
	pb_set_offset(&p, 0, 1ULL << 40);
	expect_bad(&p, 1, "package: blob 0: offset 0x10000000000 size 0x1000 outside the package");
	one_vm(&p);
	pb_set_offset(&p, 0, UINT64_MAX & ~0xfffULL);
	expect_bad(&p, 1,
		   "package: blob 0: offset 0xfffffffffffff000 size 0x1000 outside the package");
}

static void test_blob_size_zero(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.blob[0].size = 0;
	expect_bad(&p, 1, "package: blob 0: offset 0x1000 size 0x0 outside the package");
}

/* offset + size wrapping around 2^64 must not pass for "inside". */
static void test_blob_size_wraps(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.blob[0].size = UINT64_MAX - 4095; /* offset + size == 0 */
	expect_bad(&p, 1,
		   "package: blob 0: offset 0x1000 size 0xfffffffffffff000 outside the package");
	one_vm(&p);
	p.blob[0].size = UINT64_MAX;
	expect_bad(&p, 1,
		   "package: blob 0: offset 0x1000 size 0xffffffffffffffff outside the package");
	one_vm(&p);
	p.blob[0].size = 0xfffffffffffff800ULL; /* offset + size wraps to 0x800 */
	expect_bad(&p, 1,
		   "package: blob 0: offset 0x1000 size 0xfffffffffffff800 outside the package");
}

/* ---- A VM's blobs ------------------------------------------------------ */

static void test_kernel_refs(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.vm[0].kernel_blob = BWPKG_NO_BLOB;
	expect_bad(&p, 1, "vm 'a': kernel: missing");
	one_vm(&p);
	p.vm[0].kernel_blob = 1;
	expect_bad(&p, 1, "vm 'a': kernel: blob 1 does not exist");
	one_vm(&p);
	p.vm[0].kernel_blob = 0x7fffffff;
	expect_bad(&p, 1, "vm 'a': kernel: blob 2147483647 does not exist");
	/* The kernel pointing at an initrd. */
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	p.vm[0].kernel_blob = pb_blob(&p, BWPKG_BLOB_INITRD, 0, 4096);
	pb_layout(&p);
	expect_bad(&p, 1, "vm 'a': kernel: blob 1 is of another kind or VM");
	/* The kernel of another VM. */
	two_vms(&p);
	p.vm[1].kernel_blob = 0;
	expect_bad(&p, 2, "vm 'b': kernel: blob 0 is of another kind or VM");
}

static void test_initrd_and_dtb_refs(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.vm[0].initrd_blob = 1;
	expect_bad(&p, 1, "vm 'a': initrd: blob 1 does not exist");
	one_vm(&p);
	p.vm[0].dtb_blob = 5;
	expect_bad(&p, 1, "vm 'a': devicetree: blob 5 does not exist");
	one_vm(&p);
	p.vm[0].initrd_blob = 0; /* the kernel */
	expect_bad(&p, 1, "vm 'a': initrd: blob 0 is of another kind or VM");
	one_vm(&p);
	p.vm[0].dtb_blob = 0;
	expect_bad(&p, 1, "vm 'a': devicetree: blob 0 is of another kind or VM");
	/* An initrd used as devicetree and the reverse. */
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	p.vm[0].initrd_blob = pb_blob(&p, BWPKG_BLOB_DTB, 0, 100);
	pb_layout(&p);
	expect_bad(&p, 1, "vm 'a': initrd: blob 1 is of another kind or VM");
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	p.vm[0].dtb_blob = pb_blob(&p, BWPKG_BLOB_INITRD, 0, 100);
	pb_layout(&p);
	expect_bad(&p, 1, "vm 'a': devicetree: blob 1 is of another kind or VM");
	/* Another VM's initrd and devicetree. */
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	pb_vm(&p, "b", 2, 1);
	p.vm[0].initrd_blob = pb_blob(&p, BWPKG_BLOB_INITRD, 0, 100);
	p.vm[0].dtb_blob = pb_blob(&p, BWPKG_BLOB_DTB, 0, 100);
	pb_layout(&p);
	expect_ok(&p, 2);
	p.vm[1].initrd_blob = 2;
	expect_bad(&p, 2, "vm 'b': initrd: blob 2 is of another kind or VM");
	p.vm[1].initrd_blob = BWPKG_NO_BLOB;
	p.vm[1].dtb_blob = 3;
	expect_bad(&p, 2, "vm 'b': devicetree: blob 3 is of another kind or VM");
}

static void test_dtb_too_large(void **state)
{
	struct pb p;

	(void)state;
	writing_seeds = false;
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	p.vm[0].dtb_blob = pb_blob(&p, BWPKG_BLOB_DTB, 0, BWPKG_DTB_MAX + 1);
	pb_layout(&p);
	expect_bad(&p, 1, "vm 'a': devicetree: larger than 2 MiB");
}

/*
 * Regression test (was a bug: fixed):
 * pkg_decode() does not check that the initrd fits in the VM's RAM. In
 * src/core/vm.c vm_load(), bwpkg_initrd_addr(mem_base, mem_size, size) then
 * wraps below zero when the initrd is larger than mem_base + mem_size - 2 MiB;
 * the wrapped `limit` passes every check there, and hypmap_copy() writes the
 * initrd at mem_pa - mem_base + limit, i.e. below the VM's RAM, over host
 * memory that is not the VM's. With mem_base 0, a 4 MiB + 4 KiB initrd in a
 * 6 MiB VM writes one page below it.
 */
static void test_initrd_larger_than_ram_rejected(void **state)
{
	struct pb p;

	(void)state;
	writing_seeds = false;
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	p.vm[0].mem_base = 0;
	p.vm[0].mem_size = 6 * MIB;
	p.vm[0].initrd_blob = pb_blob(&p, BWPKG_BLOB_INITRD, 0, 4 * MIB + 4096);
	pb_layout(&p);
	assert_int_equal(decode(&p, 1), -1);
	assert_non_null(strstr(why, "initrd"));
}

/* ---- Names, capabilities, CPUs ----------------------------------------- */

static void test_name_empty_or_unterminated(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	memset(p.vm[0].name, 0, sizeof(p.vm[0].name));
	expect_bad(&p, 1, "vm 0: name: empty or not terminated");
	one_vm(&p);
	memset(p.vm[0].name, 'a', sizeof(p.vm[0].name));
	expect_bad(&p, 1, "vm 0: name: empty or not terminated");
	two_vms(&p);
	memset(p.vm[1].name, 'b', sizeof(p.vm[1].name));
	expect_bad(&p, 2, "vm 1: name: empty or not terminated");
}

static void test_name_characters(void **state)
{
	struct pb p;

	(void)state;
	for (unsigned c = 1; c < 256; c++) {
		bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
			       c == '-';

		writing_seeds = !allowed && (c < 'A' || c > 'Z') && c % 16 == 0;
		pb_init(&p);
		pb_vm(&p, "x", 1, 1);
		p.vm[0].name[0] = 'n';
		p.vm[0].name[1] = (char)c;
		p.vm[0].name[2] = 'n';
		pb_layout(&p);
		if (allowed)
			expect_ok(&p, 1);
		else
			expect_bad(&p, 1, "vm 0: name: only a-z, 0-9, '_' and '-' are allowed");
	}
}

static void test_name_used_twice(void **state)
{
	struct pb p;

	(void)state;
	two_vms(&p);
	memcpy(p.vm[1].name, "a", 2);
	expect_bad(&p, 2, "vm 'a': name: used twice");
	/* The same name with different bytes after the NUL. */
	two_vms(&p);
	memcpy(p.vm[0].name, "same\0xyz", 8);
	memcpy(p.vm[1].name, "same\0abc", 8);
	expect_bad(&p, 2, "vm 'same': name: used twice");
	/* A prefix is another name. */
	two_vms(&p);
	memcpy(p.vm[0].name, "vm", 3);
	memcpy(p.vm[1].name, "vm1", 4);
	expect_ok(&p, 2);
	/* The third VM repeats the first. */
	pb_init(&p);
	pb_vm(&p, "one", 1, 1);
	pb_vm(&p, "two", 2, 1);
	pb_vm(&p, "one", 4, 1);
	pb_layout(&p);
	expect_bad(&p, 3, "vm 'one': name: used twice");
}

static void test_unknown_caps(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.vm[0].caps = 2;
	expect_bad(&p, 1, "vm 'a': capabilities: unknown bits 0x2");
	one_vm(&p);
	p.vm[0].caps = 0x80000001;
	expect_bad(&p, 1, "vm 'a': capabilities: unknown bits 0x80000001");
	one_vm(&p);
	p.vm[0].caps = UINT32_MAX;
	expect_bad(&p, 1, "vm 'a': capabilities: unknown bits 0xffffffff");
}

static void test_cpus(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.vm[0].cpu_mask = 0;
	expect_bad(&p, 4, "vm 'a': cpus: none given");
	one_vm(&p);
	p.vm[0].cpu_mask = 0x10;
	expect_bad(&p, 4, "vm 'a': cpus: CPU 4 does not exist on this machine (4 CPUs)");
	one_vm(&p);
	p.vm[0].cpu_mask = 0x8000000000000001ULL;
	expect_bad(&p, 4, "vm 'a': cpus: CPU 63 does not exist on this machine (4 CPUs)");
	one_vm(&p);
	expect_bad(&p, 0, "vm 'a': cpus: CPU 0 does not exist on this machine (0 CPUs)");
	one_vm(&p);
	p.vm[0].cpu_mask = 1ULL << 8;
	expect_bad(&p, 8, "vm 'a': cpus: CPU 8 does not exist on this machine (8 CPUs)");
	p.vm[0].cpu_mask = 1ULL << 7;
	expect_ok(&p, 8);
}

static void test_vcpus(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.vm[0].vcpu_count = 0;
	expect_bad(&p, 4, "vm 'a': vcpus: 0, but 1 CPUs given (at most 8 vCPUs)");
	one_vm(&p);
	p.vm[0].vcpu_count = 2;
	expect_bad(&p, 4, "vm 'a': vcpus: 2, but 1 CPUs given (at most 8 vCPUs)");
	one_vm(&p);
	p.vm[0].cpu_mask = 0x1ff;
	p.vm[0].vcpu_count = 9;
	expect_bad(&p, 16, "vm 'a': vcpus: 9, but 9 CPUs given (at most 8 vCPUs)");
	one_vm(&p);
	p.vm[0].vcpu_count = UINT32_MAX;
	expect_bad(&p, 4, "vm 'a': vcpus: 4294967295, but 1 CPUs given (at most 8 vCPUs)");
	/* Fewer vCPUs than CPUs is allowed. */
	one_vm(&p);
	p.vm[0].cpu_mask = 0xf;
	p.vm[0].vcpu_count = 3;
	expect_ok(&p, 4);
}

static void test_cpus_overlap(void **state)
{
	struct pb p;

	(void)state;
	two_vms(&p);
	p.vm[0].cpu_mask = 0x3;
	p.vm[1].cpu_mask = 0x6;
	expect_bad(&p, 4, "vm 'b': cpus: CPU 1 is already given to vm 'a'");
	pb_init(&p);
	pb_vm(&p, "a", 0x1, 1);
	pb_vm(&p, "b", 0x2, 1);
	pb_vm(&p, "c", 0xc1, 1);
	pb_layout(&p);
	expect_bad(&p, 8, "vm 'c': cpus: CPU 0 is already given to vm 'a'");
}

/* ---- Memory ------------------------------------------------------------ */

static void test_memory_alignment(void **state)
{
	static const uint64_t bases[] = { 0x40100000, 0x40000001, 0x40001000 };
	static const uint64_t sizes[] = { 0, 6 * MIB + 4096, 6 * MIB + 1, 7 * MIB };
	struct pb p;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bases); i++) {
		one_vm(&p);
		p.vm[0].mem_base = bases[i];
		expect_bad(&p, 1, "vm 'a': memory: base and size must be 2 MiB multiples, size > 0");
	}
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		one_vm(&p);
		p.vm[0].mem_size = sizes[i];
		expect_bad(&p, 1, "vm 'a': memory: base and size must be 2 MiB multiples, size > 0");
	}
}

static void test_memory_beyond_ipa_space(void **state)
{
	static const uint64_t bases[] = {
		0xffffffffffe00000ULL,     /* wraps */
		(1ULL << 39) - 4 * MIB,    /* ends 2 MiB past 2^39 */
		1ULL << 39,
		1ULL << 63,
	};
	struct pb p;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bases); i++) {
		one_vm(&p);
		p.vm[0].mem_base = bases[i];
		p.vm[0].mem_size = 6 * MIB;
		expect_bad(&p, 1, "vm 'a': memory: beyond the 39-bit guest-physical space");
	}
	one_vm(&p);
	p.vm[0].mem_base = 0;
	p.vm[0].mem_size = 0xffffffffffe00000ULL;
	expect_bad(&p, 1, "vm 'a': memory: beyond the 39-bit guest-physical space");
	one_vm(&p);
	p.vm[0].mem_base = 2 * MIB;
	p.vm[0].mem_size = 0xffffffffffe00000ULL; /* base + size == 0 */
	expect_bad(&p, 1, "vm 'a': memory: beyond the 39-bit guest-physical space");
}

static void test_memory_overlaps_emulated_devices(void **state)
{
	static const struct { uint64_t base, size; } bad[] = {
		{ 0x08000000 - 2 * MIB, 6 * MIB },  /* runs into them */
		{ 0x0a000000 - 2 * MIB, 6 * MIB },  /* starts inside */
		{ 0x08000000, 6 * MIB },
		{ 0x09000000, 6 * MIB },            /* over the UART */
		{ 0, 0x10000000 },                  /* all around them */
		{ 0, 0x08000000 + 2 * MIB },
	};
	struct pb p;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		one_vm(&p);
		p.vm[0].mem_base = bad[i].base;
		p.vm[0].mem_size = bad[i].size;
		expect_bad(&p, 1,
			   "vm 'a': memory: overlaps the emulated devices at 0x8000000-0x10000000");
	}
}

static void test_memory_too_small(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.vm[0].mem_size = 2 * MIB;
	expect_bad(&p, 1, "vm 'a': memory: at least 6 MiB needed");
	one_vm(&p);
	p.vm[0].mem_size = 4 * MIB;
	expect_bad(&p, 1, "vm 'a': memory: at least 6 MiB needed");
	one_vm(&p);
	p.vm[0].mem_size = 6 * MIB;
	expect_ok(&p, 1);
}

/* ---- Devices ----------------------------------------------------------- */

static void test_device_count(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	p.vm[0].dev_count = 9;
	expect_bad(&p, 1, "vm 'a': devices: more than 8");
	one_vm(&p);
	p.vm[0].dev_count = UINT32_MAX;
	expect_bad(&p, 1, "vm 'a': devices: more than 8");
}

static void test_device_reg(void **state)
{
	static const struct { uint64_t base, size; } bad[] = {
		{ 0x10000000, 0 },
		{ 0x10000001, 0x1000 },
		{ 0x10000800, 0x1000 },
		{ 0x10000000, 0x800 },
		{ 0x10000000, 0x1001 },
		{ 0xfffffffffffff000ULL, 0x1000 },  /* base + size == 0 */
		{ 0xfffffffffffff000ULL, 0x2000 },  /* wraps to 0x1000 */
		{ (1ULL << 39) - 0x1000, 0x2000 },  /* past 2^39 */
		{ 1ULL << 39, 0x1000 },
		{ 0x1000, 0xfffffffffffff000ULL },
	};
	struct pb p;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		one_vm(&p);
		pb_dev(&p, 0, bad[i].base, bad[i].size, 0, 0);
		expect_bad(&p, 1,
			   "vm 'a': device 0: reg must be page aligned, non-empty, below 2^39");
	}
	/* The second device is the bad one. */
	one_vm(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 0, 0);
	pb_dev(&p, 0, 0x10001000, 0, 0, 0);
	expect_bad(&p, 1, "vm 'a': device 1: reg must be page aligned, non-empty, below 2^39");
	/* Ending exactly at 2^39 is fine. */
	one_vm(&p);
	pb_dev(&p, 0, (1ULL << 39) - 0x1000, 0x1000, 0, 0);
	expect_ok(&p, 1);
}

static void test_device_overlaps_memory_or_emulated(void **state)
{
	static const struct { uint64_t base, size; } bad[] = {
		{ DEFAULT_MEM_BASE, 0x1000 },
		{ DEFAULT_MEM_BASE - 0x1000, 0x2000 },
		{ DEFAULT_MEM_BASE + DEFAULT_MEM_SIZE - 0x1000, 0x2000 },
		{ DEFAULT_MEM_BASE - 0x1000, DEFAULT_MEM_SIZE + 0x2000 },
		{ 0x08000000, 0x1000 },   /* the distributor */
		{ 0x080a0000, 0x20000 },  /* a redistributor */
		{ 0x09000000, 0x1000 },   /* the UART */
		{ 0x07fff000, 0x2000 },
		{ 0x081a0000 - 0x1000, 0x1000 }, /* the last redistributor frame */
		{ 0, 0x10000000 },
	};
	struct pb p;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		one_vm(&p);
		pb_dev(&p, 0, bad[i].base, bad[i].size, 0, 0);
		expect_bad(&p, 1, "vm 'a': device 0: overlaps the VM's memory or emulated devices");
	}
	/* Adjacent to the RAM on both sides. */
	one_vm(&p);
	pb_dev(&p, 0, DEFAULT_MEM_BASE - 0x1000, 0x1000, 0, 0);
	pb_dev(&p, 0, DEFAULT_MEM_BASE + DEFAULT_MEM_SIZE, 0x1000, 0, 0);
	expect_ok(&p, 1);
}

static void test_device_irqs(void **state)
{
	static const uint32_t bad[] = { 1, 15, 16, 31, 33, 250, 256, 1019, 1020, 1023, 8192,
					UINT32_MAX };
	struct pb p;
	char want[96];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		for (unsigned slot = 0; slot < BWPKG_MAX_DEV_IRQS; slot++) {
			one_vm(&p);
			pb_dev(&p, 0, 0x10000000, 0x1000, 0, 0);
			p.vm[0].devs[0].irqs[slot] = bad[i];
			snprintf(want, sizeof(want),
				 "vm 'a': device 0: interrupt %u is not an SPI this VM can own", bad[i]);
			expect_bad(&p, 1, want);
		}
	}
	one_vm(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 32, 255);
	p.vm[0].devs[0].irqs[2] = 34;
	expect_ok(&p, 1);
}

static void test_device_range_given_twice(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	pb_dev(&p, 0, 0x10000000, 0x2000, 0, 0);
	pb_dev(&p, 0, 0x10001000, 0x1000, 0, 0);
	expect_bad(&p, 1, "vm 'a': device 1: range already given to vm 'a'");
	one_vm(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 0, 0);
	pb_dev(&p, 0, 0x20000000, 0x1000, 0, 0);
	pb_dev(&p, 0, 0x0ffff000, 0x2000, 0, 0);
	expect_bad(&p, 1, "vm 'a': device 2: range already given to vm 'a'");
	/* Across VMs: a device is one VM's only. */
	two_vms(&p);
	pb_dev(&p, 0, 0x10000000, 0x4000, 0, 0);
	pb_dev(&p, 1, 0x10003000, 0x1000, 0, 0);
	expect_bad(&p, 2, "vm 'b': device 0: range already given to vm 'a'");
	two_vms(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 0, 0);
	pb_dev(&p, 1, 0x20000000, 0x1000, 0, 0);
	pb_dev(&p, 1, 0x0ff00000, 0x200000, 0, 0);
	expect_bad(&p, 2, "vm 'b': device 1: range already given to vm 'a'");
	/* Adjacent ranges are fine. */
	two_vms(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 0, 0);
	pb_dev(&p, 1, 0x10001000, 0x1000, 0, 0);
	pb_dev(&p, 1, 0x0ffff000, 0x1000, 0, 0);
	expect_ok(&p, 2);
}

static void test_device_irq_given_twice(void **state)
{
	struct pb p;

	(void)state;
	one_vm(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 40, 41);
	pb_dev(&p, 0, 0x20000000, 0x1000, 42, 40);
	expect_bad(&p, 1, "vm 'a': device 1: interrupt 40 already given to vm 'a'");
	two_vms(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 40, 0);
	p.vm[0].devs[0].irqs[3] = 99;
	pb_dev(&p, 1, 0x20000000, 0x1000, 98, 0);
	p.vm[1].devs[0].irqs[2] = 99;
	expect_bad(&p, 2, "vm 'b': device 0: interrupt 99 already given to vm 'a'");
	/* The first VM's second device against the second VM's third. */
	pb_init(&p);
	pb_vm(&p, "a", 1, 1);
	pb_vm(&p, "b", 2, 1);
	pb_vm(&p, "c", 4, 1);
	pb_dev(&p, 0, 0x10000000, 0x1000, 50, 0);
	pb_dev(&p, 0, 0x10001000, 0x1000, 51, 0);
	pb_dev(&p, 1, 0x10002000, 0x1000, 52, 0);
	pb_dev(&p, 2, 0x10003000, 0x1000, 53, 0);
	pb_dev(&p, 2, 0x10004000, 0x1000, 0, 51);
	pb_layout(&p);
	expect_bad(&p, 3, "vm 'c': device 1: interrupt 51 already given to vm 'a'");
	/* Interrupt 0 means none, however often. */
	two_vms(&p);
	pb_dev(&p, 0, 0x10000000, 0x1000, 0, 0);
	pb_dev(&p, 1, 0x20000000, 0x1000, 0, 0);
	expect_ok(&p, 2);
}

/*
 * Every single-byte change of a valid package either decodes to a package
 * that still passes the rules, or fails with a message; none may read out
 * of bounds (ASan) or leave `why` unterminated.
 */
static void test_every_byte_flipped(void **state)
{
	struct pb p;

	(void)state;
	many_vms(&p, 2);
	uint64_t tables = pb_tables(&p);
	uint8_t *buf = pb_bytes(&p, 0);

	writing_seeds = false;
	for (uint64_t i = 0; i < tables; i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			if (decode_raw(buf, p.len, 2) == 0) {
				assert_true(desc.vm_count >= 1 && desc.vm_count <= BWPKG_MAX_VMS);
				assert_true(desc.size <= p.len);
			} else {
				assert_true(why[0] != '\0');
			}
			buf[i] ^= (uint8_t)(1u << bit);
		}
	}
	free(buf);
}

/* ---- Placing a VM's images (pkg_vm_layout) --------------------------- */

/* An arm64 Image header with @text_offset and @image_size. */
static void image_header(uint8_t h[64], uint64_t text_offset, uint64_t image_size)
{
	memset(h, 0, 64);
	memcpy(h + 8, &text_offset, 8);
	memcpy(h + 16, &image_size, 8);
	memcpy(h + 56, "ARM\x64", 4);
}

/* VM "a" (64 MiB at 0x40000000) with a kernel of @ksize bytes, an initrd of
 * @isize (none if 0) and a devicetree; decoded. */
static void layout_vm(struct pb *p, uint64_t ksize, uint64_t isize)
{
	pb_init(p);
	pb_vm(p, "a", 0x1, 1);
	p->blob[p->vm[0].kernel_blob].size = ksize;
	if (isize)
		p->vm[0].initrd_blob = pb_blob(p, BWPKG_BLOB_INITRD, 0, isize);
	p->vm[0].dtb_blob = pb_blob(p, BWPKG_BLOB_DTB, 0, 4096);
	pb_layout(p);
	writing_seeds = false;
	expect_ok(p, 1);
}

static int layout(const uint8_t *head, size_t len, struct pkg_layout *l)
{
	memset(why, 0x5a, sizeof(why));
	int r = pkg_vm_layout(&desc, 0, head, len, l, why, sizeof(why));

	if (r == 0)
		why[0] = '\0';
	return r;
}

static void test_layout_image_header(void **state)
{
	struct pkg_layout l;
	uint8_t h[64];
	struct pb p;

	(void)state;
	layout_vm(&p, 1 * MIB, 0);
	/* text_offset and image_size of the header. */
	image_header(h, 0x10000, 3 * MIB);
	assert_int_equal(layout(h, 64, &l), 0);
	assert_int_equal(l.kernel_ipa, DEFAULT_MEM_BASE + 2 * MIB + 0x10000);
	assert_int_equal(l.kernel_end, l.kernel_ipa + 3 * MIB);
	assert_int_equal(l.initrd_ipa, 0);
	assert_int_equal(l.dtb_ipa, DEFAULT_MEM_BASE + DEFAULT_MEM_SIZE - 2 * MIB);
	/* image_size smaller than the file: the file's size counts. */
	image_header(h, 0, 4096);
	assert_int_equal(layout(h, 64, &l), 0);
	assert_int_equal(l.kernel_ipa, DEFAULT_MEM_BASE + 2 * MIB);
	assert_int_equal(l.kernel_end, l.kernel_ipa + 1 * MIB);
	/* image_size 0 (kernels before 3.17): text_offset is 0x80000, whatever
	 * the header says. */
	image_header(h, 0x200000, 0);
	assert_int_equal(layout(h, 64, &l), 0);
	assert_int_equal(l.kernel_ipa, DEFAULT_MEM_BASE + 2 * MIB + 0x80000);
	assert_int_equal(l.kernel_end, l.kernel_ipa + 1 * MIB);
	/* No magic, or a blob shorter than a header: the same default. */
	memset(h, 0, sizeof(h));
	assert_int_equal(layout(h, 64, &l), 0);
	assert_int_equal(l.kernel_ipa, DEFAULT_MEM_BASE + 2 * MIB + 0x80000);
	image_header(h, 0, 3 * MIB);
	assert_int_equal(layout(h, 63, &l), 0);
	assert_int_equal(l.kernel_ipa, DEFAULT_MEM_BASE + 2 * MIB + 0x80000);
}

static void test_layout_initrd(void **state)
{
	struct pkg_layout l;
	uint8_t h[64];
	struct pb p;

	(void)state;
	layout_vm(&p, 1 * MIB, 12345);
	image_header(h, 0, 1 * MIB);
	assert_int_equal(layout(h, 64, &l), 0);
	/* Just below the devicetree, 4 KiB aligned down. */
	assert_int_equal(l.initrd_ipa, (DEFAULT_MEM_BASE + DEFAULT_MEM_SIZE - 2 * MIB - 12345) &
				       ~0xfffULL);
	/* The kernel may end exactly where the initrd starts... */
	uint64_t room = l.initrd_ipa - (DEFAULT_MEM_BASE + 2 * MIB);

	image_header(h, 0, room);
	assert_int_equal(layout(h, 64, &l), 0);
	assert_int_equal(l.kernel_end, l.initrd_ipa);
	/* ...and not a byte further. */
	image_header(h, 0, room + 1);
	assert_int_equal(layout(h, 64, &l), -1);
	assert_string_equal(why, "vm 'a': kernel: 61424 KiB at offset 0x0 does not fit below its "
			    "initrd and devicetree in 64 MiB");
	assert_int_equal(l.kernel_ipa, 0);
}

static void test_layout_kernel_too_large(void **state)
{
	struct pkg_layout l;
	uint8_t h[64];
	struct pb p;

	(void)state;
	layout_vm(&p, 1 * MIB, 0);
	/* Up to the devicetree, exactly. */
	image_header(h, 0, DEFAULT_MEM_SIZE - 4 * MIB);
	assert_int_equal(layout(h, 64, &l), 0);
	assert_int_equal(l.kernel_end, l.dtb_ipa);
	image_header(h, 4096, DEFAULT_MEM_SIZE - 4 * MIB);
	assert_int_equal(layout(h, 64, &l), -1);
	/* A text_offset or image_size that would wrap. */
	image_header(h, ~0ULL - 4095, 4096);
	assert_int_equal(layout(h, 64, &l), -1);
	image_header(h, 0, ~0ULL);
	assert_int_equal(layout(h, 64, &l), -1);
	assert_string_equal(why, "vm 'a': kernel: 18014398509481983 KiB at offset 0x0 does not fit "
			    "below its initrd and devicetree in 64 MiB");
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_one_vm),
		T(test_valid_1_to_16_vms),
		T(test_valid_limits),
		T(test_valid_dtb_of_2mib),
		T(test_name_tail_cleared),
		T(test_unused_device_slots_ignored),
		T(test_blob_range),
		T(test_short_why_buffer),
		T(test_truncated_header),
		T(test_truncated_every_length),
		T(test_total_size_every_length),
		T(test_bad_magic),
		T(test_bad_version_or_sizes),
		T(test_reserved_fields),
		T(test_mitigations),
		T(test_total_size_beyond_loaded),
		T(test_total_size_below_header),
		T(test_vm_and_blob_counts),
		T(test_tables_past_end),
		T(test_blob_type_or_vm),
		T(test_blob_misaligned),
		T(test_blob_overlaps_tables),
		T(test_blob_past_end),
		T(test_blob_size_zero),
		T(test_blob_size_wraps),
		T(test_kernel_refs),
		T(test_initrd_and_dtb_refs),
		T(test_dtb_too_large),
		T(test_initrd_larger_than_ram_rejected),
		T(test_name_empty_or_unterminated),
		T(test_name_characters),
		T(test_name_used_twice),
		T(test_unknown_caps),
		T(test_cpus),
		T(test_vcpus),
		T(test_cpus_overlap),
		T(test_memory_alignment),
		T(test_memory_beyond_ipa_space),
		T(test_memory_overlaps_emulated_devices),
		T(test_memory_too_small),
		T(test_device_count),
		T(test_device_reg),
		T(test_device_overlaps_memory_or_emulated),
		T(test_device_irqs),
		T(test_device_range_given_twice),
		T(test_device_irq_given_twice),
		T(test_every_byte_flipped),
		T(test_layout_image_header),
		T(test_layout_initrd),
		T(test_layout_kernel_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
