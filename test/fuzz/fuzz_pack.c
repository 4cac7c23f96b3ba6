/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: bwpack's packing path (tools/bwpack/pack.c), from a
 * system description and image files to the packed image, with every
 * package it writes handed to the hypervisor's own decoder.
 *
 * Input: a byte choosing the host (CPU count, RAM), a byte shaping the
 * hypervisor image, a byte choosing how the description is made, then:
 * - raw: a 16-bit length and that many bytes of description blob;
 * - generated: bytes that build a description with libfdt (1-4 VMs, their
 *   CPUs, memory, initrds, bootargs, devices), mostly valid, often at the
 *   limits;
 * then, per VM, its kernel (a header made from the input, or raw bytes, a
 * body of chosen size, or a file that claims to be larger than it was
 * read) and its initrd (a chosen size).
 *
 * Whatever `pack_build()` accepts must be accepted by `pkg_decode()`
 * (src/core/pkg.c) for the same host, decode to exactly the description and
 * images it was made from, place every VM's images where bwpack said
 * (`pkg_vm_layout()`, what the hypervisor loads by), pass bwpack's own
 * strict checker (`--dump`), and sit after the unchanged hypervisor in an
 * image whose header covers it. A rejection must say why, leave nothing
 * allocated and never be an "internal error"; checking alone (no output)
 * must agree with packing. Seeds: test/unit/test_pack.c writes the inputs
 * it packs when BULWARK_SEED_DIR is set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <bulwark/pkg.h>

#include "../../tools/bwpack/guestdt.h"
#include "../../tools/bwpack/pack.h"

#include "fuzz_input.h"
#include "fuzz_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *rule, const char *detail)
{
	fprintf(stderr, "fuzz_pack: %s%s%s\n", rule, detail ? ": " : "", detail ? detail : "");
	abort();
}

/* A property of 64-bit values as pairs of big-endian cells. */
static int prop_u64s(void *fdt, const char *name, const uint64_t *v, unsigned n)
{
	fdt32_t cells[8];

	for (unsigned i = 0; i < n; i++) {
		cells[2 * i] = cpu_to_fdt32((uint32_t)(v[i] >> 32));
		cells[2 * i + 1] = cpu_to_fdt32((uint32_t)v[i]);
	}
	return fdt_property(fdt, name, cells, (int)(8 * n));
}

/* Builds a description from the input into @fdt (@size bytes). */
static int generate(struct input *in, void *fdt, int size)
{
	static const uint64_t bases[] = { 0, 0x40000000ULL, 0x80000000ULL, 0x100000000ULL,
					  0x7fc0000000ULL, 0x0a000000ULL, 0x40200000ULL };
	static const uint64_t dev_bases[] = { 0x09010000ULL, 0x0a000000ULL, 0x0c000000ULL,
					      0x08080000ULL, 0x09000000ULL, 0x20000000ULL };
	unsigned vms = 1 + (unsigned)take(in, 1) % 4, cpu = 0;
	int e = fdt_create(fdt, size);

	e = e ?: fdt_finish_reservemap(fdt);
	e = e ?: fdt_begin_node(fdt, "");
	e = e ?: fdt_property_string(fdt, "compatible", SYSDESC_COMPATIBLE);
	e = e ?: fdt_begin_node(fdt, "vms");
	for (unsigned i = 0; i < vms && !e; i++) {
		unsigned f = (unsigned)take(in, 2);
		unsigned vcpus = 1 + (f & 1), ncpu = vcpus + ((f >> 1) & 1);
		fdt32_t cpus[3];
		uint64_t mem = (uint64_t)(3 + ((f >> 2) & 7) + ((f & 0x8000) ? 61 : 0)) << 21;
		char name[8];

		snprintf(name, sizeof(name), "vm%u", i);
		for (unsigned c = 0; c < ncpu; c++)
			cpus[c] = cpu_to_fdt32((f & 0x4000) ? cpu++ % 8 : cpu++);
		e = e ?: fdt_begin_node(fdt, name);
		e = e ?: fdt_property_u32(fdt, "#address-cells", 2);
		e = e ?: fdt_property_u32(fdt, "#size-cells", 2);
		e = e ?: fdt_property_u32(fdt, "vcpus", vcpus);
		e = e ?: fdt_property(fdt, "cpus", cpus, (int)(4 * ncpu));
		e = e ?: prop_u64s(fdt, "memory-size", &mem, 1);
		if (f & 0x20)
			e = e ?: prop_u64s(fdt, "memory-base", &bases[(f >> 8) % 7], 1);
		e = e ?: fdt_property_string(fdt, "kernel", "kernel");
		if (f & 0x40)
			e = e ?: fdt_property_string(fdt, "initrd", "initrd");
		if (f & 0x80) {
			char args[256];
			unsigned n = (unsigned)take(in, 1);

			for (unsigned k = 0; k < n; k++)
				args[k] = (char)(' ' + (take(in, 1) % 95));
			args[n] = '\0';
			e = e ?: fdt_property(fdt, "linux", NULL, 0);
			e = e ?: fdt_property_string(fdt, "bootargs", args);
		}
		if (f & 0x100)
			e = e ?: fdt_property_string(fdt, "capabilities", "control");
		for (unsigned d = 0; d < ((f >> 11) & 3) && !e; d++) {
			unsigned g = (unsigned)take(in, 2);
			uint64_t reg[2] = { dev_bases[g % 6] + ((g >> 3) & 7) * 0x1000,
					    (uint64_t)(1 + ((g >> 6) & 3)) << 12 };
			fdt32_t irqs[2] = { cpu_to_fdt32(32 + ((g >> 8) & 0x3f)),
					    cpu_to_fdt32(40 + (g >> 14)) };
			char dname[32];

			snprintf(dname, sizeof(dname), "device@%llx", (unsigned long long)reg[0]);
			e = e ?: fdt_begin_node(fdt, dname);
			e = e ?: prop_u64s(fdt, "reg", reg, 2);
			e = e ?: fdt_property(fdt, "interrupts", irqs, (g & 0x2000) ? 8 : 4);
			e = e ?: fdt_end_node(fdt);
		}
		e = e ?: fdt_end_node(fdt);
	}
	e = e ?: fdt_end_node(fdt);
	e = e ?: fdt_end_node(fdt);
	e = e ?: fdt_finish(fdt);
	return e;
}

/* A kernel: an Image header made from the input (or raw input bytes), then
 * a body; or a file that claims to be larger than what was read of it. */
static void make_kernel(struct input *in, const struct sysdesc_vm *vm, uint8_t *buf,
			struct pack_file *f)
{
	unsigned mode = (unsigned)take(in, 1);
	uint64_t body = take(in, 2) << ((mode >> 4) & 7); /* up to 8 MiB, mostly less */

	f->size = MIN(64 + body, (uint64_t)FUZZ_PACK_KERNEL_MAX);
	memset(buf, 0, f->size);
	if (mode & FUZZ_PACK_KERNEL_RAW_HEADER) {
		for (unsigned i = 0; i < 64; i++)
			buf[i] = (uint8_t)take(in, 1);
	} else {
		uint64_t text_offset = (mode & FUZZ_PACK_KERNEL_TEXT_OFFSET) ? take(in, 2) << 8 : 0;
		uint64_t image_size = (mode & FUZZ_PACK_KERNEL_IMAGE_SIZE) ? take(in, 3) << 12 : 0;

		memcpy(buf + 8, &text_offset, 8);
		memcpy(buf + 16, &image_size, 8);
		memcpy(buf + 56, "ARM\x64", 4);
	}
	f->data = buf;
	f->loaded = f->size;
	if (mode & FUZZ_PACK_KERNEL_OVERSIZE) { /* more than the VM's RAM: the reader keeps the header only */
		f->size = vm->mem_size + 1 + take(in, 2);
		f->loaded = 64;
	}
}

/*
 * Whether @n bytes at @a and @b agree: the first and last 512 bytes and one
 * word in every 4 KiB. Comparing megabytes with memcmp() makes libFuzzer's
 * hook on it the run's main cost; a packer that copies a blob wrongly gets
 * an edge, an offset or a page wrong, which this sees.
 */
static bool same(const uint8_t *a, const uint8_t *b, uint64_t n)
{
	uint64_t edge = MIN(n, 512);

	if (memcmp(a, b, edge) || memcmp(a + n - edge, b + n - edge, edge))
		return false;
	for (uint64_t i = 4096; i + 8 <= n; i += 4096)
		if (memcmp(a + i, b + i, 8))
			return false;
	return true;
}

static void check_accepted(const struct pack_input *in, const struct pack_output *out)
{
	const struct sysdesc *sd = in->sd;
	const uint8_t *img = out->image, *pkg = img + out->hyp_image_size;
	static struct pkg_desc d;
	static uint8_t dt[64 << 10]; /* what pack_build() tries first: enough here */
	char why[256], err[SYSDESC_ERR_MAX];
	uint64_t at;

	if (!img || out->image_size != out->hyp_image_size + out->package_size ||
	    out->new_image_size != ALIGN_UP(out->image_size, BWPKG_BLOB_ALIGN))
		broken("image sizes", NULL);
	/* The hypervisor, unchanged but for image_size, then zeros up to the package. */
	if (memcmp(img, in->hyp.data, PACK_IMAGE_SIZE_OFFSET) ||
	    pack_get_le64(img + PACK_IMAGE_SIZE_OFFSET) != out->new_image_size ||
	    !same(img + 24, in->hyp.data + 24, in->hyp.size - 24))
		broken("hypervisor image changed", NULL);
	for (uint64_t i = in->hyp.size; i < out->hyp_image_size; i++)
		if (img[i])
			broken("padding after the hypervisor not zero", NULL);
	if (pack_find_package(img, out->image_size, &at) || at != out->hyp_image_size)
		broken("package not where the hypervisor looks for it", NULL);

	/* The hypervisor's decoder, for the host bwpack checked against. */
	if (pkg_decode(pkg, out->package_size, in->host->cpu_count, &d, why, sizeof(why)))
		broken("pkg_decode() rejects a package bwpack wrote", why);
	if (pack_check_package(pkg, out->package_size, err, sizeof(err)))
		broken("bwpack --dump rejects a package bwpack wrote", err);
	if (d.vm_count != sd->vm_count)
		broken("VM count", NULL);
	for (unsigned i = 0; i < sd->vm_count; i++) {
		const struct sysdesc_vm *s = &sd->vms[i];
		const struct bwpkg_vm *v = &d.vms[i];
		const struct pack_file *k = &in->kernel[i];
		struct pkg_layout l;

		if (strcmp(v->name, s->name) || v->vcpu_count != s->vcpu_count ||
		    v->cpu_mask != s->cpu_mask || v->mem_base != s->mem_base ||
		    v->mem_size != s->mem_size || v->caps != s->caps || v->dev_count != s->dev_count)
			broken("VM differs from its description", s->name);
		for (unsigned n = 0; n < s->dev_count; n++)
			if (v->devs[n].base != s->devs[n].base || v->devs[n].size != s->devs[n].size ||
			    memcmp(v->devs[n].irqs, s->devs[n].irqs, sizeof(v->devs[n].irqs)))
				broken("device differs from its description", s->name);
		const struct bwpkg_blob *kb = &d.blobs[v->kernel_blob];

		if (kb->size != k->size || !same(pkg + kb->offset, k->data, k->size))
			broken("kernel blob differs from the file", s->name);
		if ((v->initrd_blob == BWPKG_NO_BLOB) != (s->initrd[0] == '\0'))
			broken("initrd present or missing", s->name);
		if (v->initrd_blob != BWPKG_NO_BLOB) {
			const struct bwpkg_blob *ib = &d.blobs[v->initrd_blob];

			if (ib->size != in->initrd[i].size ||
			    !same(pkg + ib->offset, in->initrd[i].data, ib->size))
				broken("initrd blob differs from the file", s->name);
		}
		if (v->dtb_blob == BWPKG_NO_BLOB)
			broken("no devicetree", s->name);
		const struct bwpkg_blob *db = &d.blobs[v->dtb_blob];
		int n = guestdt_build(s, s->initrd[0] ? in->initrd[i].size : 0, dt, sizeof(dt));

		if (n <= 0 || db->size != (uint64_t)n || memcmp(pkg + db->offset, dt, db->size))
			broken("devicetree blob differs from the one built", s->name);
		/* Where the hypervisor loads the images is where bwpack placed them. */
		if (pkg_vm_layout(&d, i, k->data, (size_t)MIN(k->size, 64), &l, why, sizeof(why)))
			broken("the hypervisor cannot place what bwpack placed", why);
		if (l.kernel_ipa != out->layout[i].kernel_addr ||
		    l.kernel_end != out->layout[i].kernel_end ||
		    l.initrd_ipa != out->layout[i].initrd_addr ||
		    l.dtb_ipa != out->layout[i].dtb_addr)
			broken("the hypervisor places images elsewhere than bwpack", s->name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t ram_mb[] = { 1024, 4096, 65536, 1ULL << 20 };
	static struct sysdesc sd;
	static struct pack_input in;
	static uint8_t desc[8192];
	static uint8_t kernels[4][FUZZ_PACK_KERNEL_MAX];
	static uint8_t hyp[8 * 4096];
	struct input inp = { data, size };
	unsigned h = (unsigned)take(&inp, 1), hy = (unsigned)take(&inp, 1);
	unsigned how = (unsigned)take(&inp, 1);
	struct sysdesc_host host = { 1 + (h & 63), ram_mb[h >> 6] };
	struct pack_output out, check;
	char err[SYSDESC_ERR_MAX], err2[SYSDESC_ERR_MAX];
	uint8_t *blob = NULL, *initrds[BWPKG_MAX_VMS] = { 0 };
	size_t blob_len;

	if (how & FUZZ_PACK_RAW_DESC) {
		size_t want = (size_t)take(&inp, 2);

		blob_len = MIN(want, MIN(inp.left, sizeof(desc)));
		memcpy(desc, inp.p, blob_len);
		inp.p += blob_len;
		inp.left -= blob_len;
	} else {
		if (generate(&inp, desc, sizeof(desc)))
			return 0;
		blob_len = fdt_totalsize(desc);
	}
	blob = malloc(blob_len ? blob_len : 1); /* exact size, for ASan */
	if (!blob)
		return 0;
	memcpy(blob, desc, blob_len);
	if (sysdesc_parse(&sd, blob, blob_len, &host, err, sizeof(err)))
		goto done;
	if (sd.vm_count > 4) /* a raw description may have more: only 4 kernels here */
		goto done;

	memset(&in, 0, sizeof(in));
	in.sd = &sd;
	in.host = &host;
	for (unsigned i = 0; i < sd.vm_count; i++) {
		make_kernel(&inp, &sd.vms[i], kernels[i], &in.kernel[i]);
		if (sd.vms[i].initrd[0]) {
			uint64_t isize = take(&inp, 3);

			isize = MIN(isize << (take(&inp, 1) & 3), 8ULL << 20);

			initrds[i] = malloc(isize ? isize : 1);
			if (!initrds[i])
				goto done;
			memset(initrds[i], 0xa5 ^ (int)i, isize);
			in.initrd[i] = (struct pack_file){ initrds[i], isize, isize };
		}
	}
	/* The hypervisor: an Image of 1-8 pages whose file may be shorter. */
	uint64_t hyp_image = 4096ULL * (1 + (hy & 7));

	memset(hyp, 0x11, sizeof(hyp));
	memset(hyp, 0, 64);
	memcpy(hyp + 16, &hyp_image, 8);
	memcpy(hyp + 56, "ARM\x64", 4);
	in.hyp = (struct pack_file){ hyp, hyp_image - 16 * (hy >> 3), hyp_image - 16 * (hy >> 3) };
	in.hyp_name = "bulwark.bin";

	int r = pack_build(&in, true, &out, err, sizeof(err));
	int c = pack_build(&in, false, &check, err2, sizeof(err2));

	if (r != c || (r && strcmp(err, err2)) || (!r && check.package_size != out.package_size))
		broken("checking and packing disagree", r ? err : err2);
	if (r) {
		if (err[0] == '\0' || out.image || out.image_size)
			broken("a rejection without a message, or with output", NULL);
		if (strstr(err, "internal error"))
			broken("internal error", err);
		goto done;
	}
	check_accepted(&in, &out);
	pack_output_free(&out);
	pack_output_free(&check);
done:
	for (unsigned i = 0; i < BWPKG_MAX_VMS; i++)
		free(initrds[i]);
	free(blob);
	return 0;
}
