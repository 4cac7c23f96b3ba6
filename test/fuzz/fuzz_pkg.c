/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the package decoder (`pkg_decode()`, src/core/pkg.c).
 *
 * Input: one byte giving the host's CPU count (0..64), then the package.
 * The package is decoded from an exact-size heap copy, so ASan sees any read
 * past it. A rejection must say why; an accepted package is re-checked here
 * against the rules of include/bulwark/package.h, written a second time, and
 * anything that breaks one aborts; then each VM's images are placed
 * (pkg_vm_layout()) and the placement checked. Seeds: test/unit/test_pkg.c writes every
 * package it decodes when BULWARK_SEED_DIR is set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/package.h>
#include <bulwark/pkg.h>
#include <bulwark/vuart.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MMIO_BEGIN 0x08000000ULL
#define MMIO_END 0x0a000000ULL
#define IPA_END (1ULL << 39)

static void broken(const char *rule, unsigned vm)
{
	fprintf(stderr, "fuzz_pkg: accepted a package that breaks a rule: %s (vm %u)\n", rule, vm);
	abort();
}

/* [b, b + s) and [c, c + t) intersect; both known not to wrap. */
static int meet(uint64_t b, uint64_t s, uint64_t c, uint64_t t)
{
	return b < c + t && c < b + s;
}

static void check_blob_ref(const struct pkg_desc *d, unsigned i, uint32_t idx, uint32_t type,
			   int optional)
{
	if (idx == BWPKG_NO_BLOB) {
		if (!optional)
			broken("kernel missing", i);
		return;
	}
	if (idx >= d->blob_count || d->blobs[idx].type != type || d->blobs[idx].vm != i)
		broken("blob reference", i);
}

static void recheck(const struct pkg_desc *d, const uint8_t *pkg, size_t len, unsigned cpus)
{
	struct bwpkg_header h;
	uint64_t seen_cpus = 0;

	memcpy(&h, pkg, sizeof(h));
	if (d->base != pkg || d->size != h.total_size || d->size > len)
		broken("size", 0);
	if (d->vm_count < 1 || d->vm_count > BWPKG_MAX_VMS || d->blob_count > BWPKG_MAX_BLOBS)
		broken("counts", 0);
	uint64_t tables = sizeof(h) + d->vm_count * sizeof(struct bwpkg_vm) +
			  d->blob_count * sizeof(struct bwpkg_blob);

	for (unsigned b = 0; b < d->blob_count; b++) {
		const struct bwpkg_blob *bl = &d->blobs[b];

		if (bl->size == 0 || bl->offset % BWPKG_BLOB_ALIGN || bl->offset < tables ||
		    bl->offset > d->size || bl->size > d->size - bl->offset)
			broken("blob outside the package", b);
		if (bl->type < BWPKG_BLOB_KERNEL || bl->type > BWPKG_BLOB_DTB ||
		    bl->vm >= d->vm_count)
			broken("blob type or VM", b);
	}
	for (unsigned i = 0; i < d->vm_count; i++) {
		const struct bwpkg_vm *vm = &d->vms[i];
		size_t n = strnlen(vm->name, BWPKG_NAME_LEN);

		if (n == 0 || n == BWPKG_NAME_LEN)
			broken("name length", i);
		for (size_t k = 0; k < BWPKG_NAME_LEN; k++) {
			char c = vm->name[k];

			if (k >= n ? c != 0
				   : !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
				       c == '-'))
				broken("name characters", i);
		}
		for (unsigned j = 0; j < i; j++)
			if (memcmp(vm->name, d->vms[j].name, BWPKG_NAME_LEN) == 0)
				broken("name used twice", i);
		if (vm->caps & ~BWPKG_CAP_CONTROL)
			broken("caps", i);
		if (vm->cpu_mask == 0 || (cpus < 64 && (vm->cpu_mask >> cpus)) ||
		    (vm->cpu_mask & seen_cpus))
			broken("cpus", i);
		seen_cpus |= vm->cpu_mask;
		if (vm->vcpu_count == 0 || vm->vcpu_count > 8 ||
		    vm->vcpu_count > (unsigned)__builtin_popcountll(vm->cpu_mask))
			broken("vcpus", i);
		if (vm->mem_size < 6 * (1ULL << 20) || vm->mem_size % (2ULL << 20) ||
		    vm->mem_base % (2ULL << 20) || vm->mem_base >= IPA_END ||
		    vm->mem_size > IPA_END - vm->mem_base ||
		    meet(vm->mem_base, vm->mem_size, MMIO_BEGIN, MMIO_END - MMIO_BEGIN))
			broken("memory", i);
		check_blob_ref(d, i, vm->kernel_blob, BWPKG_BLOB_KERNEL, 0);
		check_blob_ref(d, i, vm->initrd_blob, BWPKG_BLOB_INITRD, 1);
		check_blob_ref(d, i, vm->dtb_blob, BWPKG_BLOB_DTB, 1);
		if (vm->dtb_blob != BWPKG_NO_BLOB && d->blobs[vm->dtb_blob].size > BWPKG_DTB_MAX)
			broken("devicetree size", i);
		if (vm->initrd_blob != BWPKG_NO_BLOB &&
		    d->blobs[vm->initrd_blob].size > vm->mem_size - BWPKG_DTB_MAX - BWPKG_KERNEL_OFFSET)
			broken("initrd size", i);
		if (vm->dev_count > BWPKG_MAX_DEVS)
			broken("device count", i);
		for (unsigned k = 0; k < vm->dev_count; k++) {
			const struct bwpkg_dev *dev = &vm->devs[k];

			if (dev->size == 0 || dev->base % 4096 || dev->size % 4096 ||
			    dev->base >= IPA_END || dev->size > IPA_END - dev->base ||
			    meet(dev->base, dev->size, vm->mem_base, vm->mem_size) ||
			    bwpkg_overlaps_emulated(dev->base, dev->size))
				broken("device range", i);
			for (unsigned q = 0; q < BWPKG_MAX_DEV_IRQS; q++) {
				uint32_t irq = dev->irqs[q];

				if (irq && (irq < 32 || irq > 255 || irq == VUART_INTID))
					broken("device interrupt", i);
			}
			/* Against every device before it, in any VM. */
			for (unsigned j = 0; j <= i; j++) {
				for (unsigned m = 0; m < d->vms[j].dev_count && (j < i || m < k); m++) {
					const struct bwpkg_dev *o = &d->vms[j].devs[m];

					if (meet(dev->base, dev->size, o->base, o->size))
						broken("device range given twice", i);
					for (unsigned a = 0; a < BWPKG_MAX_DEV_IRQS; a++)
						for (unsigned b = 0; b < BWPKG_MAX_DEV_IRQS; b++)
							if (dev->irqs[a] && dev->irqs[a] == o->irqs[b])
								broken("interrupt given twice", i);
				}
			}
		}
	}
}

/*
 * Where the hypervisor loads each VM's images (pkg_vm_layout(), what
 * vm_load() follows): from the kernel blob's first bytes in the package.
 * When it places them, everything lies inside the VM's RAM, the kernel at
 * or above 2 MiB, ending at or below the initrd (if any), which ends at or
 * below the devicetree area; its text_offset is the header's only with the
 * magic and a non-zero image_size.
 */
static void check_layout(const struct pkg_desc *d, const uint8_t *pkg)
{
	for (unsigned i = 0; i < d->vm_count; i++) {
		const struct bwpkg_vm *vm = &d->vms[i];
		const struct bwpkg_blob *k = &d->blobs[vm->kernel_blob];
		size_t head = k->size < 64 ? (size_t)k->size : 64;
		uint64_t end = vm->mem_base + vm->mem_size, dtb = end - BWPKG_DTB_MAX;
		struct pkg_layout l;
		char why[160];

		if (pkg_vm_layout(d, i, pkg + k->offset, head, &l, why, sizeof(why))) {
			if (why[0] == '\0' || l.kernel_ipa || l.initrd_ipa || l.dtb_ipa)
				broken("layout refused without a message, or half-filled", i);
			continue;
		}
		uint64_t limit = vm->initrd_blob == BWPKG_NO_BLOB ? dtb : l.initrd_ipa;

		if (l.kernel_ipa < vm->mem_base + BWPKG_KERNEL_OFFSET || l.kernel_end < l.kernel_ipa ||
		    l.kernel_end > limit || l.kernel_end - l.kernel_ipa < k->size)
			broken("kernel placed outside its room", i);
		if (vm->initrd_blob != BWPKG_NO_BLOB &&
		    (l.initrd_ipa % 4096 || l.initrd_ipa + d->blobs[vm->initrd_blob].size > dtb))
			broken("initrd placed outside its room", i);
		if (l.dtb_ipa != (vm->dtb_blob == BWPKG_NO_BLOB ? 0 : dtb))
			broken("devicetree placed elsewhere", i);
		uint64_t to, is;

		memcpy(&to, pkg + k->offset + 8 * (head == 64), 8);
		memcpy(&is, pkg + k->offset + 16 * (head == 64), 8);
		bool header = head == 64 && memcmp(pkg + k->offset + 56, "ARM\x64", 4) == 0 && is;

		if (l.kernel_ipa != vm->mem_base + BWPKG_KERNEL_OFFSET + (header ? to : 0x80000))
			broken("kernel not at its text_offset", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkg_desc desc;
	char why[160];

	if (size < 1)
		return 0;
	unsigned cpus = data[0] % 65;
	size_t len = size - 1;
	uint8_t *pkg = malloc(len ? len : 1);

	if (!pkg)
		return 0;
	memcpy(pkg, data + 1, len);
	memset(why, 0x5a, sizeof(why));
	if (pkg_decode(pkg, len, cpus, &desc, why, sizeof(why)) == 0) {
		recheck(&desc, pkg, len, cpus);
		check_layout(&desc, pkg);
	} else if (!memchr(why, '\0', sizeof(why)) || why[0] == '\0') {
		fprintf(stderr, "fuzz_pkg: rejection without a message\n");
		abort();
	}
	/* pkg_blob_range() against any blob index and range. */
	if (len >= 24) {
		uint64_t off, n;
		uint32_t blob;

		memcpy(&off, pkg + len - 24, 8);
		memcpy(&n, pkg + len - 16, 8);
		memcpy(&blob, pkg + len - 8, 4);
		if (pkg_blob_range(&desc, blob, off, n) &&
		    (blob >= desc.blob_count || off + n < off || off + n > desc.blobs[blob].size))
			abort();
	}
	free(pkg);
	return 0;
}
