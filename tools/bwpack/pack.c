/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Laying out and writing a package, and checking one (see pack.h). Every
 * input is bytes in memory; every output is bytes in memory and a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "guestdt.h"
#include "pack.h"

#define MIB (1ULL << 20)

#define PKG_TABLES_SIZE(vms, blobs)                                                \
	(sizeof(struct bwpkg_header) + (uint64_t)(vms) * sizeof(struct bwpkg_vm) + \
	 (uint64_t)(blobs) * sizeof(struct bwpkg_blob))

static int fail(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	return -1;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int pack_find_package(const uint8_t *img, uint64_t size, uint64_t *at)
{
	for (uint64_t off = BWPKG_BLOB_ALIGN; off + sizeof(struct bwpkg_header) <= size;
	     off += BWPKG_BLOB_ALIGN) {
		if (pack_get_le64(img + off) == BWPKG_MAGIC) {
			*at = off;
			return 0;
		}
	}
	return -1;
}

/*
 * Checks the hypervisor image: an arm64 Image whose image_size is 4 KiB
 * aligned and covers the file, and that holds no package yet. Returns
 * image_size, or 0 with @err filled.
 */
static uint64_t check_hyp(const char *name, const struct pack_file *hyp, char *err,
			  size_t err_size)
{
	struct sysdesc_image img;
	uint64_t at;

	if (hyp->loaded != hyp->size) {
		fail(err, err_size, "--hyp '%s': larger than %llu MiB", name, PACK_HYP_MAX_SIZE / MIB);
		return 0;
	}
	if (sysdesc_parse_image(&img, hyp->data, (size_t)hyp->size)) {
		fail(err, err_size, "--hyp '%s': not an arm64 Image (no \"ARM\\x64\" magic at "
		     "offset 56)", name);
		return 0;
	}
	if (img.flags & 1) {
		fail(err, err_size, "--hyp '%s': big-endian image", name);
		return 0;
	}
	if (img.image_size == 0 || img.image_size % BWPKG_BLOB_ALIGN != 0) {
		fail(err, err_size, "--hyp '%s': image_size 0x%llx in the Image header is not a "
		     "non-zero multiple of 4 KiB", name, (unsigned long long)img.image_size);
		return 0;
	}
	if (pack_find_package(hyp->data, hyp->size, &at) == 0) {
		fail(err, err_size, "--hyp '%s': already holds a package (at offset 0x%llx); give "
		     "the hypervisor as built (build/bulwark.bin)", name, (unsigned long long)at);
		return 0;
	}
	if (img.image_size > PACK_HYP_MAX_SIZE) {
		fail(err, err_size, "--hyp '%s': image_size 0x%llx is larger than %llu MiB", name,
		     (unsigned long long)img.image_size, PACK_HYP_MAX_SIZE / MIB);
		return 0;
	}
	if (img.image_size < hyp->size) {
		fail(err, err_size, "--hyp '%s': the file (%llu bytes) is larger than its image_size "
		     "(0x%llx); is it already packed?", name, (unsigned long long)hyp->size,
		     (unsigned long long)img.image_size);
		return 0;
	}
	return img.image_size;
}

/* A blob of the package: which VM's, of what type, where its bytes come from. */
struct plan_blob {
	const uint8_t *data;
	uint64_t size;
	uint32_t type;
	uint32_t vm;
	uint64_t offset;
};

/* Whether VM @i has an initrd: one named in the description (and then,
 * once `sysdesc_check_images()` passed, a non-empty one). */
static bool has_initrd(const struct pack_input *in, unsigned i)
{
	return in->sd->vms[i].initrd[0] != '\0';
}

/* Where every blob goes: computed once, then written. */
struct pkg_plan {
	unsigned blob_count;
	uint64_t total_size; /* header to the end of the last blob */
	struct plan_blob blobs[BWPKG_MAX_BLOBS];
	uint32_t refs[BWPKG_MAX_VMS][3]; /* each VM's kernel, initrd, dtb blob (or none) */
};

/* Gives each VM's kernel, initrd (if any) and devicetree a blob index and offset. */
static void plan_package(const struct pack_input *in, uint8_t *const dtbs[],
			 const struct pack_output *out, struct pkg_plan *p)
{
	const struct sysdesc *sd = in->sd;
	uint64_t off;

	p->blob_count = 0;
	for (unsigned i = 0; i < sd->vm_count; i++)
		p->blob_count += has_initrd(in, i) ? 3 : 2;
	off = ALIGN_UP(PKG_TABLES_SIZE(sd->vm_count, p->blob_count), BWPKG_BLOB_ALIGN);
	p->blob_count = 0;
	p->total_size = 0;
	for (unsigned i = 0; i < sd->vm_count; i++) {
		const struct plan_blob blobs[3] = {
			{ in->kernel[i].data, in->kernel[i].size, BWPKG_BLOB_KERNEL, i, 0 },
			{ in->initrd[i].data, has_initrd(in, i) ? in->initrd[i].size : 0,
			  BWPKG_BLOB_INITRD, i, 0 },
			{ dtbs[i], out->dtb_size[i], BWPKG_BLOB_DTB, i, 0 },
		};

		for (unsigned k = 0; k < 3; k++) {
			p->refs[i][k] = BWPKG_NO_BLOB;
			if (blobs[k].size == 0)
				continue;
			p->refs[i][k] = p->blob_count;
			p->blobs[p->blob_count] = blobs[k];
			p->blobs[p->blob_count].offset = off;
			p->blob_count++;
			p->total_size = off + blobs[k].size;
			off = ALIGN_UP(p->total_size, BWPKG_BLOB_ALIGN);
		}
	}
}

/* Writes the package of plan `p` to `pkg` (p->total_size bytes, zeroed). */
static void write_package(const struct sysdesc *sd, const struct pkg_plan *p, uint8_t *pkg)
{
	uint8_t *h = pkg;
	uint8_t *bt = pkg + PKG_TABLES_SIZE(sd->vm_count, 0);

	put_le64(h + offsetof(struct bwpkg_header, magic), BWPKG_MAGIC);
	put_le32(h + offsetof(struct bwpkg_header, version), BWPKG_VERSION);
	put_le32(h + offsetof(struct bwpkg_header, header_size), sizeof(struct bwpkg_header));
	put_le64(h + offsetof(struct bwpkg_header, total_size), p->total_size);
	put_le32(h + offsetof(struct bwpkg_header, vm_count), sd->vm_count);
	put_le32(h + offsetof(struct bwpkg_header, blob_count), p->blob_count);
	put_le32(h + offsetof(struct bwpkg_header, vm_size), sizeof(struct bwpkg_vm));
	put_le32(h + offsetof(struct bwpkg_header, blob_size), sizeof(struct bwpkg_blob));
	put_le32(h + offsetof(struct bwpkg_header, mitigations), sd->mitigations);

	for (unsigned i = 0; i < sd->vm_count; i++) {
		const struct sysdesc_vm *vm = &sd->vms[i];
		uint8_t *v = pkg + sizeof(struct bwpkg_header) + i * sizeof(struct bwpkg_vm);

		memcpy(v + offsetof(struct bwpkg_vm, name), vm->name, strlen(vm->name));
		put_le32(v + offsetof(struct bwpkg_vm, vcpu_count), vm->vcpu_count);
		put_le32(v + offsetof(struct bwpkg_vm, caps), vm->caps);
		put_le64(v + offsetof(struct bwpkg_vm, cpu_mask), vm->cpu_mask);
		put_le64(v + offsetof(struct bwpkg_vm, mem_base), vm->mem_base);
		put_le64(v + offsetof(struct bwpkg_vm, mem_size), vm->mem_size);
		put_le32(v + offsetof(struct bwpkg_vm, kernel_blob), p->refs[i][0]);
		put_le32(v + offsetof(struct bwpkg_vm, initrd_blob), p->refs[i][1]);
		put_le32(v + offsetof(struct bwpkg_vm, dtb_blob), p->refs[i][2]);
		put_le32(v + offsetof(struct bwpkg_vm, dev_count), vm->dev_count);
		put_le32(v + offsetof(struct bwpkg_vm, mitigations), vm->mitigations);
		for (unsigned d = 0; d < vm->dev_count; d++) {
			uint8_t *e = v + offsetof(struct bwpkg_vm, devs) + d * sizeof(struct bwpkg_dev);

			put_le64(e + offsetof(struct bwpkg_dev, base), vm->devs[d].base);
			put_le64(e + offsetof(struct bwpkg_dev, size), vm->devs[d].size);
			for (unsigned k = 0; k < vm->devs[d].irq_count; k++)
				put_le32(e + offsetof(struct bwpkg_dev, irqs) + 4 * k,
					 vm->devs[d].irqs[k]);
		}
	}
	for (unsigned b = 0; b < p->blob_count; b++) {
		uint8_t *e = bt + b * sizeof(struct bwpkg_blob);

		put_le32(e + offsetof(struct bwpkg_blob, type), p->blobs[b].type);
		put_le32(e + offsetof(struct bwpkg_blob, vm), p->blobs[b].vm);
		put_le64(e + offsetof(struct bwpkg_blob, offset), p->blobs[b].offset);
		put_le64(e + offsetof(struct bwpkg_blob, size), p->blobs[b].size);
		memcpy(pkg + p->blobs[b].offset, p->blobs[b].data, p->blobs[b].size);
	}
}

/* Checks one VM's kernel and initrd and builds its devicetree into @dtb. */
static int pack_vm(const struct pack_input *in, unsigned i, uint8_t **dtb,
		   struct pack_output *out, char *err, size_t err_size)
{
	const struct sysdesc_vm *vm = &in->sd->vms[i];
	const struct pack_file *k = &in->kernel[i];
	static const struct pack_file none;
	const struct pack_file *r = has_initrd(in, i) ? &in->initrd[i] : &none;
	int n;

	if (sysdesc_check_images(vm, k->data, (size_t)MIN(k->loaded, SYSDESC_IMAGE_HEADER_SIZE),
				 k->size, r->size, &out->layout[i], err, err_size))
		return -1;
	if (k->loaded != k->size || r->loaded != r->size)
		/* Cannot happen: nothing larger than the VM's RAM fits in it. */
		return fail(err, err_size, "vm '%s': internal error: an image larger than RAM "
			    "passed the checks", vm->name);
	/* libfdt zeroes the whole buffer: try a small one first (a VM's tree
	 * is a few KiB), the largest allowed only if that is too small. */
	for (size_t size = 64 << 10;; size = BWPKG_DTB_MAX) {
		free(*dtb);
		*dtb = malloc(size);
		if (!*dtb)
			return fail(err, err_size, "vm '%s': devicetree: out of memory", vm->name);
		n = guestdt_build(vm, r->size, *dtb, size);
		if (n != -FDT_ERR_NOSPACE || size == BWPKG_DTB_MAX)
			break;
	}
	if (n < 0)
		return fail(err, err_size, "vm '%s': devicetree: cannot build it: %s", vm->name,
			    fdt_strerror(n));
	out->dtb_size[i] = (uint64_t)n;
	return 0;
}

int pack_build(const struct pack_input *in, bool write, struct pack_output *out, char *err,
	       size_t err_size)
{
	static struct pkg_plan plan;
	uint8_t *dtbs[BWPKG_MAX_VMS] = { 0 };
	const struct sysdesc *sd = in->sd;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (write && !in->hyp.data) {
		fail(err, err_size, "internal error: no hypervisor image to write");
		goto done;
	}
	for (unsigned i = 0; i < sd->vm_count; i++) {
		if (pack_vm(in, i, &dtbs[i], out, err, err_size))
			goto done;
	}
	if (in->hyp.data) {
		out->hyp_image_size = check_hyp(in->hyp_name, &in->hyp, err, err_size);
		if (out->hyp_image_size == 0)
			goto done;
	}
	plan_package(in, dtbs, out, &plan);
	if (sysdesc_check_package(sd, in->host, plan.total_size, err, err_size))
		goto done;
	out->package_size = plan.total_size;
	out->image_size = out->hyp_image_size + plan.total_size;
	out->new_image_size = ALIGN_UP(out->image_size, BWPKG_BLOB_ALIGN);
	if (write) {
		/* Commit: [hypervisor padded to image_size][package]. */
		out->image = calloc(1, out->image_size);
		if (!out->image) {
			fail(err, err_size, "-o: out of memory (%llu bytes)",
			     (unsigned long long)out->image_size);
			goto done;
		}
		memcpy(out->image, in->hyp.data, in->hyp.size);
		put_le64(out->image + PACK_IMAGE_SIZE_OFFSET, out->new_image_size);
		write_package(sd, &plan, out->image + out->hyp_image_size);
	}
	ret = 0;
done:
	for (unsigned i = 0; i < BWPKG_MAX_VMS; i++)
		free(dtbs[i]);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

void pack_output_free(struct pack_output *out)
{
	free(out->image);
	out->image = NULL;
}

const char *pack_blob_type_name(uint32_t type)
{
	switch (type) {
	case BWPKG_BLOB_KERNEL:
		return "kernel";
	case BWPKG_BLOB_INITRD:
		return "initrd";
	case BWPKG_BLOB_DTB:
		return "dtb";
	default:
		return NULL;
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

/* Checks a VM's reference to a blob: right type, owned by this VM, used once. */
static int check_ref(const uint8_t *pkg, uint32_t blob_count, unsigned vm, uint32_t ref,
		     uint32_t type, bool optional, uint8_t *used, char *err, size_t err_size)
{
	const uint8_t *bt = pkg + sizeof(struct bwpkg_header);
	const uint8_t *e;
	uint32_t vm_count = pack_get_le32(pkg + offsetof(struct bwpkg_header, vm_count));

	if (ref == BWPKG_NO_BLOB && optional)
		return 0;
	if (ref >= blob_count) {
		snprintf(err, err_size, "vm %u: %s_blob %u is not a blob index (%u blobs)", vm,
			 pack_blob_type_name(type), ref, blob_count);
		return -1;
	}
	e = bt + vm_count * sizeof(struct bwpkg_vm) + ref * sizeof(struct bwpkg_blob);
	if (pack_get_le32(e + offsetof(struct bwpkg_blob, type)) != type ||
	    pack_get_le32(e + offsetof(struct bwpkg_blob, vm)) != vm) {
		snprintf(err, err_size, "vm %u: %s_blob %u is not a %s blob of vm %u", vm,
			 pack_blob_type_name(type), ref, pack_blob_type_name(type), vm);
		return -1;
	}
	if (used[ref]++) {
		snprintf(err, err_size, "vm %u: blob %u is used twice", vm, ref);
		return -1;
	}
	return 0;
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

static const uint8_t *blob_data(const uint8_t *pkg, uint32_t index, uint64_t *size)
{
	uint32_t vm_count = pack_get_le32(pkg + offsetof(struct bwpkg_header, vm_count));
	const uint8_t *e = pkg + PKG_TABLES_SIZE(vm_count, 0) + index * sizeof(struct bwpkg_blob);

	*size = pack_get_le64(e + offsetof(struct bwpkg_blob, size));
	return pkg + pack_get_le64(e + offsetof(struct bwpkg_blob, offset));
}

/*
 * What `sysdesc_parse()` checks, redone on the decoded VM table of a package
 * whose structure `pack_check_package()` has checked: RAM clear of the
 * window of emulated devices, devices clear of the emulated devices
 * themselves (`bwpkg_overlaps_emulated()`), of RAM and of each other,
 * interrupts owned once; and every VM's images placed as the hypervisor will
 * place them.
 */
static int check_vms(const uint8_t *pkg, char *err, size_t err_size)
{
	static struct sysdesc_vm vms[BWPKG_MAX_VMS];
	uint32_t vm_count = pack_get_le32(pkg + offsetof(struct bwpkg_header, vm_count));
	const uint64_t mmio = SYSDESC_MMIO_BASE, mmio_size = SYSDESC_MMIO_END - SYSDESC_MMIO_BASE;

	memset(vms, 0, sizeof(vms));
	for (uint32_t i = 0; i < vm_count; i++) {
		const uint8_t *v = pkg + sizeof(struct bwpkg_header) + i * sizeof(struct bwpkg_vm);
		struct sysdesc_vm *vm = &vms[i];
		uint32_t initrd = pack_get_le32(v + offsetof(struct bwpkg_vm, initrd_blob));
		uint32_t dtb = pack_get_le32(v + offsetof(struct bwpkg_vm, dtb_blob));
		uint64_t ksize, isize = 0, dsize;
		const uint8_t *kdata = blob_data(pkg, pack_get_le32(v + offsetof(struct bwpkg_vm, kernel_blob)),
						 &ksize);
		struct sysdesc_layout layout;

		memcpy(vm->name, v, BWPKG_NAME_LEN); /* checked: NUL-terminated */
		vm->mem_base = pack_get_le64(v + offsetof(struct bwpkg_vm, mem_base));
		vm->mem_size = pack_get_le64(v + offsetof(struct bwpkg_vm, mem_size));
		vm->dev_count = pack_get_le32(v + offsetof(struct bwpkg_vm, dev_count));
		if (ranges_overlap(vm->mem_base, vm->mem_size, mmio, mmio_size)) {
			snprintf(err, err_size, "vm %u '%.31s': RAM overlaps the emulated devices", i,
				 vm->name);
			return -1;
		}
		if (initrd != BWPKG_NO_BLOB) {
			blob_data(pkg, initrd, &isize);
			strcpy(vm->initrd, "initrd");
		}
		if (sysdesc_check_images(vm, kdata, (size_t)MIN(ksize, 64), ksize, isize, &layout,
					 err, err_size))
			return -1;
		if (dtb != BWPKG_NO_BLOB) {
			const uint8_t *ddata = blob_data(pkg, dtb, &dsize);
			int e = fdt_check_full(ddata, (size_t)dsize);

			if (e || fdt_totalsize((const void *)ddata) != dsize) {
				snprintf(err, err_size, "vm %u '%.31s': dtb blob is not a devicetree (%s)",
					 i, vm->name, e ? fdt_strerror(e) : "size mismatch");
				return -1;
			}
		}
		for (unsigned d = 0; d < vm->dev_count; d++) {
			const uint8_t *e = v + offsetof(struct bwpkg_vm, devs) + d * sizeof(struct bwpkg_dev);
			struct sysdesc_dev *dev = &vm->devs[d];

			dev->base = pack_get_le64(e + offsetof(struct bwpkg_dev, base));
			dev->size = pack_get_le64(e + offsetof(struct bwpkg_dev, size));
			for (unsigned k = 0; k < BWPKG_MAX_DEV_IRQS; k++) {
				uint32_t irq = pack_get_le32(e + offsetof(struct bwpkg_dev, irqs) + 4 * k);

				if (irq == 0)
					continue;
				if (k != dev->irq_count || irq == SYSDESC_UART_INTID) {
					snprintf(err, err_size, "vm %u '%.31s': device %u: interrupts are not "
						 "packed first, or one is the UART's", i, vm->name, d);
					return -1;
				}
				dev->irqs[dev->irq_count++] = irq;
			}
			if (bwpkg_overlaps_emulated(dev->base, dev->size) ||
			    ranges_overlap(dev->base, dev->size, vm->mem_base, vm->mem_size)) {
				snprintf(err, err_size, "vm %u '%.31s': device %u overlaps the emulated "
					 "devices or the VM's RAM", i, vm->name, d);
				return -1;
			}
			/* Against every device before it, in this VM and earlier ones. */
			for (uint32_t j = 0; j <= i; j++) {
				for (unsigned f = 0; f < (j == i ? d : vms[j].dev_count); f++) {
					const struct sysdesc_dev *o = &vms[j].devs[f];

					if (ranges_overlap(dev->base, dev->size, o->base, o->size)) {
						snprintf(err, err_size, "vm %u '%.31s': device %u overlaps "
							 "device %u of vm %u", i, vm->name, d, f, j);
						return -1;
					}
					for (unsigned k = 0; k < dev->irq_count; k++) {
						for (unsigned l = 0; l < o->irq_count; l++) {
							if (dev->irqs[k] != o->irqs[l])
								continue;
							snprintf(err, err_size, "vm %u '%.31s': device %u: "
								 "INTID %u is also device %u's of vm %u",
								 i, vm->name, d, dev->irqs[k], f, j);
							return -1;
						}
					}
				}
			}
		}
	}
	return 0;
}

int pack_check_package(const uint8_t *pkg, uint64_t avail, char *err, size_t err_size)
{
	const uint8_t *h = pkg;
	uint32_t vm_count, blob_count;
	uint64_t total, tables;
	uint64_t cpus = 0;
	uint8_t used[BWPKG_MAX_BLOBS] = { 0 };
	const uint8_t *vt, *bt;

#define BAD(...)                                      \
	do {                                          \
		snprintf(err, err_size, __VA_ARGS__); \
		return -1;                            \
	} while (0)

	if (avail < sizeof(struct bwpkg_header))
		BAD("header: truncated");
	if (pack_get_le64(h + offsetof(struct bwpkg_header, magic)) != BWPKG_MAGIC)
		BAD("header: bad magic");
	if (pack_get_le32(h + offsetof(struct bwpkg_header, version)) != BWPKG_VERSION)
		BAD("header: version %u, expected %u",
		    pack_get_le32(h + offsetof(struct bwpkg_header, version)), BWPKG_VERSION);
	if (pack_get_le32(h + offsetof(struct bwpkg_header, header_size)) != sizeof(struct bwpkg_header) ||
	    pack_get_le32(h + offsetof(struct bwpkg_header, vm_size)) != sizeof(struct bwpkg_vm) ||
	    pack_get_le32(h + offsetof(struct bwpkg_header, blob_size)) != sizeof(struct bwpkg_blob))
		BAD("header: header_size, vm_size or blob_size does not match this ABI");
	if (pack_get_le32(h + offsetof(struct bwpkg_header, flags)) != 0)
		BAD("header: flags must be 0");
	if (!bwpkg_mitig_valid(pack_get_le32(h + offsetof(struct bwpkg_header, mitigations)), false))
		BAD("header: mitigations 0x%x is not a valid choice",
		    pack_get_le32(h + offsetof(struct bwpkg_header, mitigations)));
	vm_count = pack_get_le32(h + offsetof(struct bwpkg_header, vm_count));
	blob_count = pack_get_le32(h + offsetof(struct bwpkg_header, blob_count));
	total = pack_get_le64(h + offsetof(struct bwpkg_header, total_size));
	if (vm_count < 1 || vm_count > BWPKG_MAX_VMS)
		BAD("header: vm_count %u is not 1..%d", vm_count, BWPKG_MAX_VMS);
	if (blob_count > BWPKG_MAX_BLOBS)
		BAD("header: blob_count %u is above %d", blob_count, BWPKG_MAX_BLOBS);
	if (total > avail)
		BAD("header: total_size 0x%llx runs past the end of the file (0x%llx bytes left)",
		    (unsigned long long)total, (unsigned long long)avail);
	tables = PKG_TABLES_SIZE(vm_count, blob_count);
	if (tables > total)
		BAD("header: the VM and blob tables do not fit in total_size");
	vt = pkg + sizeof(struct bwpkg_header);
	bt = vt + vm_count * sizeof(struct bwpkg_vm);

	for (uint32_t b = 0; b < blob_count; b++) {
		const uint8_t *e = bt + b * sizeof(struct bwpkg_blob);
		uint32_t type = pack_get_le32(e + offsetof(struct bwpkg_blob, type));
		uint64_t off = pack_get_le64(e + offsetof(struct bwpkg_blob, offset));
		uint64_t size = pack_get_le64(e + offsetof(struct bwpkg_blob, size));

		if (!pack_blob_type_name(type))
			BAD("blob %u: unknown type %u", b, type);
		if (pack_get_le32(e + offsetof(struct bwpkg_blob, vm)) >= vm_count)
			BAD("blob %u: vm %u does not exist", b,
			    pack_get_le32(e + offsetof(struct bwpkg_blob, vm)));
		if (off % BWPKG_BLOB_ALIGN != 0 || off < tables)
			BAD("blob %u: offset 0x%llx is not 4 KiB aligned after the tables", b,
			    (unsigned long long)off);
		if (size == 0 || off > total || size > total - off)
			BAD("blob %u: 0x%llx bytes at 0x%llx do not fit in total_size 0x%llx", b,
			    (unsigned long long)size, (unsigned long long)off,
			    (unsigned long long)total);
		if (type == BWPKG_BLOB_DTB && size > BWPKG_DTB_MAX)
			BAD("blob %u: devicetree larger than 2 MiB", b);
		for (uint32_t o = 0; o < b; o++) {
			const uint8_t *f = bt + o * sizeof(struct bwpkg_blob);
			uint64_t ooff = pack_get_le64(f + offsetof(struct bwpkg_blob, offset));
			uint64_t osize = pack_get_le64(f + offsetof(struct bwpkg_blob, size));

			if (off < ooff + osize && ooff < off + size)
				BAD("blob %u overlaps blob %u", b, o);
		}
	}

	for (uint32_t i = 0; i < vm_count; i++) {
		const uint8_t *v = vt + i * sizeof(struct bwpkg_vm);
		const char *name = (const char *)v;
		size_t nlen = strnlen(name, BWPKG_NAME_LEN);
		uint32_t vcpus = pack_get_le32(v + offsetof(struct bwpkg_vm, vcpu_count));
		uint64_t mask = pack_get_le64(v + offsetof(struct bwpkg_vm, cpu_mask));
		uint64_t base = pack_get_le64(v + offsetof(struct bwpkg_vm, mem_base));
		uint64_t size = pack_get_le64(v + offsetof(struct bwpkg_vm, mem_size));
		uint32_t devs = pack_get_le32(v + offsetof(struct bwpkg_vm, dev_count));

		if (nlen == 0 || nlen == BWPKG_NAME_LEN ||
		    !all_zero(v + nlen, BWPKG_NAME_LEN - nlen))
			BAD("vm %u: name is not 1..31 bytes, NUL-padded", i);
		for (size_t k = 0; k < nlen; k++) {
			char ch = name[k];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			      ch == '-'))
				BAD("vm %u: name has a character outside [a-z0-9_-]", i);
		}
		for (uint32_t o = 0; o < i; o++) {
			if (strncmp(name, (const char *)(vt + o * sizeof(struct bwpkg_vm)),
				    BWPKG_NAME_LEN) == 0)
				BAD("vm %u: name '%s' is also vm %u's", i, name, o);
		}
		if (vcpus == 0 || vcpus > (unsigned)__builtin_popcountll(mask) || vcpus > SYSDESC_MAX_VCPUS)
			BAD("vm %u '%s': vcpu_count %u is not 1..number of CPUs in cpu_mask (at "
			    "most %u)", i, name, vcpus, SYSDESC_MAX_VCPUS);
		if (mask & cpus)
			BAD("vm %u '%s': cpu_mask 0x%llx shares CPUs with an earlier VM", i, name,
			    (unsigned long long)mask);
		cpus |= mask;
		if (pack_get_le32(v + offsetof(struct bwpkg_vm, caps)) & ~(uint32_t)BWPKG_CAP_CONTROL)
			BAD("vm %u '%s': unknown capability bits", i, name);
		if (!bwpkg_mitig_valid(pack_get_le32(v + offsetof(struct bwpkg_vm, mitigations)), true) ||
		    pack_get_le32(v + offsetof(struct bwpkg_vm, reserved)) != 0)
			BAD("vm %u '%s': mitigations 0x%x is not a valid choice for a VM", i, name,
			    pack_get_le32(v + offsetof(struct bwpkg_vm, mitigations)));
		if (size == 0 || size % SYSDESC_MEM_ALIGN || base % SYSDESC_MEM_ALIGN ||
		    base >= SYSDESC_ADDR_LIMIT || size > SYSDESC_ADDR_LIMIT - base)
			BAD("vm %u '%s': RAM 0x%llx + 0x%llx is not 2 MiB aligned within %d bits",
			    i, name, (unsigned long long)base, (unsigned long long)size,
			    SYSDESC_IPA_BITS);
		if (check_ref(pkg, blob_count, i, pack_get_le32(v + offsetof(struct bwpkg_vm, kernel_blob)),
			      BWPKG_BLOB_KERNEL, false, used, err, err_size) ||
		    check_ref(pkg, blob_count, i, pack_get_le32(v + offsetof(struct bwpkg_vm, initrd_blob)),
			      BWPKG_BLOB_INITRD, true, used, err, err_size) ||
		    check_ref(pkg, blob_count, i, pack_get_le32(v + offsetof(struct bwpkg_vm, dtb_blob)),
			      BWPKG_BLOB_DTB, true, used, err, err_size))
			return -1;
		if (devs > BWPKG_MAX_DEVS)
			BAD("vm %u '%s': dev_count %u is above %d", i, name, devs, BWPKG_MAX_DEVS);
		for (uint32_t d = 0; d < BWPKG_MAX_DEVS; d++) {
			const uint8_t *e = v + offsetof(struct bwpkg_vm, devs) + d * sizeof(struct bwpkg_dev);
			uint64_t dbase = pack_get_le64(e + offsetof(struct bwpkg_dev, base));
			uint64_t dsize = pack_get_le64(e + offsetof(struct bwpkg_dev, size));

			if (d >= devs) {
				if (!all_zero(e, sizeof(struct bwpkg_dev)))
					BAD("vm %u '%s': unused device slot %u is not zero", i, name, d);
				continue;
			}
			if (dsize == 0 || dbase % SYSDESC_PAGE_SIZE || dsize % SYSDESC_PAGE_SIZE ||
			    dbase >= SYSDESC_ADDR_LIMIT || dsize > SYSDESC_ADDR_LIMIT - dbase)
				BAD("vm %u '%s': device %u: range is not page aligned within %d bits",
				    i, name, d, SYSDESC_IPA_BITS);
			for (unsigned k = 0; k < BWPKG_MAX_DEV_IRQS; k++) {
				uint32_t irq = pack_get_le32(e + offsetof(struct bwpkg_dev, irqs) + 4 * k);

				if (irq != 0 && (irq < SYSDESC_SPI_MIN || irq > SYSDESC_SPI_MAX))
					BAD("vm %u '%s': device %u: INTID %u is not an SPI", i, name,
					    d, irq);
			}
		}
	}
	for (uint32_t b = 0; b < blob_count; b++) {
		if (!used[b])
			BAD("blob %u is not used by any VM", b);
	}
	return check_vms(pkg, err, err_size);
#undef BAD
}

