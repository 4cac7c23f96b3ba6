/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bwpack's packing path over bytes in memory (tools/bwpack/pack.c): the exact
 * layout of the packages it writes for the sample descriptions
 * (test/unit/data/sys-*.dts), each accepted by the hypervisor's decoder
 * (src/core/pkg.c) and by `bwpack --dump`'s checker; each rejection of a
 * hypervisor image or a guest image with its exact message; and the two
 * disagreements between bwpack and the hypervisor that fuzz_pack found.
 *
 * With BULWARK_SEED_DIR set, every system packed here is also written to
 * that directory in the input format of test/fuzz/fuzz_pack.c
 * (test/fuzz/fuzz_pack.h): the fuzzer's seed corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bulwark/pkg.h>

#include "../../tools/bwpack/pack.h"
#include "../fuzz/fuzz_pack.h"

#define MIB (1ULL << 20)
#define HYP_PAGES 2
#define HYP_FILE (HYP_PAGES * 4096 - 16) /* as fuzz_pack's hypervisor byte 0x11 makes it */

static const struct sysdesc_host host8 = { 8, 1024 };
static const struct sysdesc_host host64 = { 64, 2048 };

struct system {
	uint8_t *dtb;
	size_t dtb_len;
	struct sysdesc sd;
	const struct sysdesc_host *host;
	uint8_t kernel[BWPKG_MAX_VMS][8192];
	uint8_t *initrd[BWPKG_MAX_VMS];
	uint8_t hyp[HYP_PAGES * 4096];
	struct pack_input in;
};

static struct system sys;
static unsigned seed_count;

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (built by the Makefile from test/unit/data)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* An arm64 Image header: text_offset, image_size, flags, the magic. */
static void image_header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, 64);
	memcpy(h + 8, &text_offset, 8);
	memcpy(h + 16, &image_size, 8);
	memcpy(h + 24, &flags, 8);
	memcpy(h + 56, "ARM\x64", 4);
}

/*
 * Loads test/unit/data/NAME.dtb for @host and gives every VM a 4 KiB kernel
 * whose header says image_size 8 KiB, every VM that names an initrd one of
 * 12345 bytes, and a hypervisor of two pages (its file 16 bytes shorter).
 */
static void load_system(const char *name, const struct sysdesc_host *host)
{
	char path[256], err[SYSDESC_ERR_MAX];

	snprintf(path, sizeof(path), "%s/%s.dtb", TEST_DATA_DIR, name);
	sys.dtb = read_file(path, &sys.dtb_len);
	sys.host = host;
	if (sysdesc_parse(&sys.sd, sys.dtb, sys.dtb_len, host, err, sizeof(err)))
		fail_msg("%s: %s", name, err);
	memset(&sys.in, 0, sizeof(sys.in));
	sys.in.sd = &sys.sd;
	sys.in.host = host;
	for (unsigned i = 0; i < sys.sd.vm_count; i++) {
		for (unsigned k = 0; k < 4096; k++)
			sys.kernel[i][k] = (uint8_t)(i * 31 + k);
		image_header(sys.kernel[i], 0, 8192, 0);
		sys.in.kernel[i] = (struct pack_file){ sys.kernel[i], 4096, 4096 };
		if (sys.sd.vms[i].initrd[0]) {
			sys.initrd[i] = malloc(12345);
			assert_non_null(sys.initrd[i]);
			memset(sys.initrd[i], 0x40 + (int)i, 12345);
			sys.in.initrd[i] = (struct pack_file){ sys.initrd[i], 12345, 12345 };
		}
	}
	memset(sys.hyp, 0x11, sizeof(sys.hyp));
	image_header(sys.hyp, 0, sizeof(sys.hyp), 0xa);
	sys.in.hyp = (struct pack_file){ sys.hyp, HYP_FILE, HYP_FILE };
	sys.in.hyp_name = "bulwark.bin";
}

static struct pack_output out;
static char err[SYSDESC_ERR_MAX];

static int teardown(void **state)
{
	(void)state;
	pack_output_free(&out);
	free(sys.dtb);
	for (unsigned i = 0; i < BWPKG_MAX_VMS; i++)
		free(sys.initrd[i]);
	memset(&sys, 0, sizeof(sys));
	return 0;
}

static void put(FILE *f, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		fputc((int)(uint8_t)(v >> (8 * i)), f);
}

/* Writes the current system as a fuzz_pack input (raw description). */
static void write_seed(void)
{
	const char *dir = getenv("BULWARK_SEED_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/pack-%04u", dir, seed_count++);
	f = fopen(path, "wb");
	assert_non_null(f);
	put(f, (sys.host->cpu_count - 1) | (sys.host->ram_mb == 1024 ? 0 : 0x40), 1);
	put(f, (HYP_PAGES - 1) | (1 << 3), 1); /* two pages, the file 16 bytes shorter */
	put(f, FUZZ_PACK_RAW_DESC, 1);
	put(f, sys.dtb_len, 2);
	assert_int_equal(fwrite(sys.dtb, 1, sys.dtb_len, f), sys.dtb_len);
	for (unsigned i = 0; i < sys.sd.vm_count; i++) {
		const struct pack_file *k = &sys.in.kernel[i];
		unsigned shift = 0;

		while (((k->loaded - 64) >> shift) > 0xffff)
			shift++;
		put(f, FUZZ_PACK_KERNEL_RAW_HEADER | shift << 4, 1);
		put(f, (k->loaded - 64) >> shift, 2);
		assert_int_equal(fwrite(k->data, 1, 64, f), 64);
		if (sys.sd.vms[i].initrd[0]) {
			put(f, sys.in.initrd[i].size, 3);
			put(f, 0, 1);
		}
	}
	fclose(f);
}

static int pack(bool write)
{
	pack_output_free(&out);
	memset(err, 0x5a, sizeof(err));
	write_seed();
	int r = pack_build(&sys.in, write, &out, err, sizeof(err));

	if (r == 0)
		err[0] = '\0';
	else
		assert_non_null(memchr(err, '\0', sizeof(err)));
	return r;
}

static void expect_rejected(bool write, const char *msg)
{
	assert_int_equal(pack(write), -1);
	if (strcmp(err, msg) != 0)
		fail_msg("message\n  got:      \"%s\"\n  expected: \"%s\"", err, msg);
	/* Nothing half-made is left behind. */
	assert_null(out.image);
	assert_int_equal(out.image_size, 0);
	assert_int_equal(out.package_size, 0);
}

/* The package of a successful pack: decoded by the hypervisor and by --dump. */
static const uint8_t *accepted_package(struct pkg_desc *d)
{
	const uint8_t *pkg = out.image + out.hyp_image_size;
	char why[256], err2[SYSDESC_ERR_MAX];

	if (pkg_decode(pkg, out.package_size, sys.host->cpu_count, d, why, sizeof(why)))
		fail_msg("pkg_decode: %s", why);
	if (pack_check_package(pkg, out.package_size, err2, sizeof(err2)))
		fail_msg("pack_check_package: %s", err2);
	return pkg;
}

/* ---- Packages ------------------------------------------------------------ */

static void test_minimal(void **state)
{
	struct pkg_desc d;
	struct pkg_layout l;

	(void)state;
	load_system("sys-minimal", &host8);
	assert_int_equal(pack(true), 0);
	/* [hypervisor, its file zero-padded to image_size 0x2000][package]. */
	assert_int_equal(out.hyp_image_size, 0x2000);
	assert_memory_equal(out.image, sys.hyp, 16);
	assert_int_equal(pack_get_le64(out.image + 16), out.new_image_size);
	assert_memory_equal(out.image + 24, sys.hyp + 24, HYP_FILE - 24);
	for (unsigned i = HYP_FILE; i < 0x2000; i++)
		assert_int_equal(out.image[i], 0);
	/* Header and tables, then the kernel at 4 KiB and the devicetree at 8 KiB. */
	const uint8_t *pkg = accepted_package(&d);

	assert_int_equal(d.vm_count, 1);
	assert_int_equal(d.blob_count, 2);
	assert_string_equal(d.vms[0].name, "bare0");
	assert_int_equal(d.vms[0].cpu_mask, 0x2);
	assert_int_equal(d.vms[0].mem_size, 8 * MIB);
	assert_int_equal(d.vms[0].kernel_blob, 0);
	assert_int_equal(d.vms[0].initrd_blob, BWPKG_NO_BLOB);
	assert_int_equal(d.vms[0].dtb_blob, 1);
	assert_int_equal(d.blobs[0].offset, 0x1000);
	assert_int_equal(d.blobs[0].size, 4096);
	assert_memory_equal(pkg + 0x1000, sys.kernel[0], 4096);
	assert_int_equal(d.blobs[1].type, BWPKG_BLOB_DTB);
	assert_int_equal(d.blobs[1].offset, 0x2000);
	assert_int_equal(d.blobs[1].size, out.dtb_size[0]);
	assert_int_equal(out.package_size, 0x2000 + out.dtb_size[0]);
	assert_int_equal(out.image_size, 0x2000 + out.package_size);
	assert_int_equal(out.new_image_size, (out.image_size + 4095) & ~4095ULL);
	/* Where bwpack placed the images is where the hypervisor loads them. */
	assert_int_equal(out.layout[0].kernel_addr, 0x40200000);
	assert_int_equal(out.layout[0].kernel_end, 0x40202000);
	assert_int_equal(pkg_vm_layout(&d, 0, sys.kernel[0], 64, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_ipa, out.layout[0].kernel_addr);
	assert_int_equal(l.kernel_end, out.layout[0].kernel_end);
	assert_int_equal(l.dtb_ipa, 0x40600000);
	pack_output_free(&out);

	/* Checking only: the same layout, nothing written. */
	assert_int_equal(pack(false), 0);
	assert_null(out.image);
	assert_int_equal(out.package_size, 0x2000 + out.dtb_size[0]);
}

static void test_full(void **state)
{
	struct pkg_desc d;

	(void)state;
	load_system("sys-full", &host8);
	assert_int_equal(pack(true), 0);
	const uint8_t *pkg = accepted_package(&d);

	/* linux0: kernel, initrd, devicetree; bare0: kernel, devicetree. */
	static const uint32_t types[] = { BWPKG_BLOB_KERNEL, BWPKG_BLOB_INITRD, BWPKG_BLOB_DTB,
					  BWPKG_BLOB_KERNEL, BWPKG_BLOB_DTB };
	uint64_t at = 0x1000;

	assert_int_equal(d.blob_count, 5);
	for (unsigned b = 0; b < 5; b++) {
		assert_int_equal(d.blobs[b].type, types[b]);
		assert_int_equal(d.blobs[b].vm, b < 3 ? 0 : 1);
		assert_int_equal(d.blobs[b].offset, at);
		at = (d.blobs[b].offset + d.blobs[b].size + 4095) & ~4095ULL;
	}
	assert_int_equal(d.blobs[1].size, 12345);
	assert_memory_equal(pkg + d.blobs[1].offset, sys.initrd[0], 12345);
	assert_int_equal(d.vms[0].caps, BWPKG_CAP_CONTROL);
	assert_int_equal(d.vms[1].dev_count, 2);
	assert_int_equal(d.vms[1].devs[0].base, 0x0c000000);
	assert_int_equal(d.vms[1].devs[1].irqs[0], 48);
	/* The initrd sits just below the devicetree, where the guest's /chosen says. */
	assert_int_equal(out.layout[0].initrd_addr, (0x40000000ULL + 254 * MIB - 12345) & ~4095ULL);
	assert_int_equal(out.package_size, d.blobs[4].offset + d.blobs[4].size);
}

static void test_max(void **state)
{
	struct pkg_desc d;

	(void)state;
	load_system("sys-max", &host64);
	assert_int_equal(pack(true), 0);
	accepted_package(&d);
	assert_int_equal(d.vm_count, BWPKG_MAX_VMS);
	assert_int_equal(d.blob_count, 2 * BWPKG_MAX_VMS);
}

/* A device in the GIC's window but clear of what is emulated (QEMU's PL031):
 * sysdesc_parse() accepts it, so --dump must too (it did not). */
static void test_device_in_emulated_window(void **state)
{
	struct pkg_desc d;
	struct sysdesc_vm *vm;

	(void)state;
	load_system("sys-full", &host8);
	vm = &sys.sd.vms[1];
	vm->devs[vm->dev_count++] = (struct sysdesc_dev){ 0x09010000, 0x1000, { 34 }, 1 };
	assert_int_equal(pack(true), 0);
	accepted_package(&d);
	assert_int_equal(d.vms[1].devs[2].base, 0x09010000);
}

/* image_size 0 (kernels before 3.17): both bwpack and the hypervisor put
 * the kernel at text_offset 0x80000 (bwpack used the header's). */
static void test_legacy_kernel_placement(void **state)
{
	struct pkg_desc d;
	struct pkg_layout l;

	(void)state;
	load_system("sys-minimal", &host8);
	image_header(sys.kernel[0], 0, 0, 0);
	assert_int_equal(pack(true), 0);
	accepted_package(&d);
	assert_int_equal(out.layout[0].kernel_addr, 0x40280000);
	assert_int_equal(pkg_vm_layout(&d, 0, sys.kernel[0], 64, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_ipa, 0x40280000);
}

/* ---- Rejections ------------------------------------------------------------ */

static void test_bad_hypervisor(void **state)
{
	uint8_t packed[4 * 4096];

	(void)state;
	load_system("sys-minimal", &host8);
	sys.hyp[56] = 'X';
	expect_rejected(true, "--hyp 'bulwark.bin': not an arm64 Image (no \"ARM\\x64\" magic at "
			"offset 56)");
	image_header(sys.hyp, 0, sizeof(sys.hyp), 1);
	expect_rejected(true, "--hyp 'bulwark.bin': big-endian image");
	image_header(sys.hyp, 0, 0, 0);
	expect_rejected(true, "--hyp 'bulwark.bin': image_size 0x0 in the Image header is not a "
			"non-zero multiple of 4 KiB");
	image_header(sys.hyp, 0, 0x2001, 0);
	expect_rejected(true, "--hyp 'bulwark.bin': image_size 0x2001 in the Image header is not a "
			"non-zero multiple of 4 KiB");
	image_header(sys.hyp, 0, 65 * MIB, 0);
	expect_rejected(true, "--hyp 'bulwark.bin': image_size 0x4100000 is larger than 64 MiB");
	image_header(sys.hyp, 0, 0x1000, 0);
	expect_rejected(true, "--hyp 'bulwark.bin': the file (8176 bytes) is larger than its "
			"image_size (0x1000); is it already packed?");
	sys.in.hyp.loaded = 64;
	expect_rejected(false, "--hyp 'bulwark.bin': larger than 64 MiB");
	/* A packed image as the hypervisor. */
	image_header(packed, 0, sizeof(packed), 0);
	memset(packed + 64, 0, sizeof(packed) - 64);
	memcpy(packed + 0x2000, "BWLKPGK1", 8);
	sys.in.hyp = (struct pack_file){ packed, sizeof(packed), sizeof(packed) };
	expect_rejected(true, "--hyp 'bulwark.bin': already holds a package (at offset 0x2000); "
			"give the hypervisor as built (build/bulwark.bin)");
	/* Writing needs a hypervisor; checking does not. */
	sys.in.hyp = (struct pack_file){ 0 };
	expect_rejected(true, "internal error: no hypervisor image to write");
	assert_int_equal(pack(false), 0);
	assert_int_equal(out.hyp_image_size, 0);
}

static void test_bad_guest_images(void **state)
{
	(void)state;
	load_system("sys-full", &host8);
	/* A kernel larger than the VM's RAM, of which only the header was read. */
	sys.in.kernel[1] = (struct pack_file){ sys.kernel[1], 64 * MIB + 1, 64 };
	expect_rejected(true, "vm 'bare0': kernel: image (64.1 MiB) is larger than the VM's "
			"memory allows (60 MiB: memory-size less 2 MiB below the kernel and 2 MiB "
			"for the devicetree)");
	sys.in.kernel[1] = (struct pack_file){ sys.kernel[1], 4096, 4096 };
	sys.kernel[1][56] = 0;
	expect_rejected(true, "vm 'bare0': kernel: not an arm64 Image (no \"ARM\\x64\" magic at "
			"offset 56)");
	sys.kernel[1][56] = 'A';
	sys.in.initrd[0].size = sys.in.initrd[0].loaded = 0;
	expect_rejected(true, "vm 'linux0': initrd: the file is empty");
	/* An initrd given to a VM that names none is not packed. */
	sys.in.initrd[0].size = sys.in.initrd[0].loaded = 12345;
	sys.in.initrd[1] = sys.in.initrd[0];
	assert_int_equal(pack(false), 0);
	assert_int_equal(out.layout[1].initrd_addr, 0);
}

static void test_host_ram_too_small(void **state)
{
	static const struct sysdesc_host tiny = { 8, 64 + 320 };

	(void)state;
	load_system("sys-full", &tiny);
	expect_rejected(true, "package: the packed images (33.4 KiB) and the VMs' RAM (320 MiB) need "
			"more than the 320 MiB the host has for them (--host-ram-mb 384 less 64 MiB "
			"for the hypervisor)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_minimal, teardown),
		cmocka_unit_test_teardown(test_full, teardown),
		cmocka_unit_test_teardown(test_max, teardown),
		cmocka_unit_test_teardown(test_device_in_emulated_window, teardown),
		cmocka_unit_test_teardown(test_legacy_kernel_placement, teardown),
		cmocka_unit_test_teardown(test_bad_hypervisor, teardown),
		cmocka_unit_test_teardown(test_bad_guest_images, teardown),
		cmocka_unit_test_teardown(test_host_ram_too_small, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
