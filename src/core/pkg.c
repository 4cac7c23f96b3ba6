/* SPDX-License-Identifier: Apache-2.0 */
#include <bulwark/fmt.h>
#include <bulwark/pkg.h>
#include <bulwark/string.h>
#include <bulwark/vgic.h>
#include <bulwark/vuart.h>

#include <abi/bulwark/mgmt.h>

#define GUEST_MMIO_BEGIN 0x08000000ULL
#define GUEST_MMIO_END 0x10000000ULL
#define IPA_LIMIT (1ULL << 39)
#define ALIGN_2M (2ULL << 20)

#define BAD(...)                                           \
	do {                                               \
		fmt_snprintf(why, why_size, __VA_ARGS__);  \
		return -1;                                 \
	} while (0)

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int check_blob_ref(const struct pkg_desc *d, unsigned vm, uint32_t idx, uint32_t type,
			  bool optional, const char *field, char *why, size_t why_size)
{
	const char *name = d->vms[vm].name;

	if (idx == BWPKG_NO_BLOB) {
		if (!optional)
			BAD("vm '%s': %s: missing", name, field);
		return 0;
	}
	if (idx >= d->blob_count)
		BAD("vm '%s': %s: blob %u does not exist", name, field, idx);
	if (d->blobs[idx].type != type || d->blobs[idx].vm != vm)
		BAD("vm '%s': %s: blob %u is of another kind or VM", name, field, idx);
	return 0;
}

static int check_vm(struct pkg_desc *d, unsigned i, unsigned host_cpus, char *why,
		    size_t why_size)
{
	struct bwpkg_vm *vm = &d->vms[i];
	size_t len = strnlen(vm->name, BWPKG_NAME_LEN);

	if (len == 0 || len == BWPKG_NAME_LEN)
		BAD("vm %u: name: empty or not terminated", i);
	for (size_t k = 0; k < len; k++) {
		char c = vm->name[k];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			BAD("vm %u: name: only a-z, 0-9, '_' and '-' are allowed", i);
	}
	memset(vm->name + len, 0, BWPKG_NAME_LEN - len);
	const char *name = vm->name;

	for (unsigned j = 0; j < i; j++) {
		if (strcmp(d->vms[j].name, name) == 0)
			BAD("vm '%s': name: used twice", name);
	}
	if (vm->caps & ~BWPKG_CAP_CONTROL)
		BAD("vm '%s': capabilities: unknown bits %#x", name, vm->caps);
	if (vm->reserved)
		BAD("vm '%s': reserved field not zero", name);
	if (!bwpkg_mitig_valid(vm->mitigations, true))
		BAD("vm '%s': mitigations: %#x is not a valid choice for a VM", name,
		    vm->mitigations);
	if (vm->cpu_mask == 0)
		BAD("vm '%s': cpus: none given", name);
	if (host_cpus < 64 && (vm->cpu_mask >> host_cpus))
		BAD("vm '%s': cpus: CPU %u does not exist on this machine (%u CPUs)", name,
		    63 - (unsigned)__builtin_clzll(vm->cpu_mask), host_cpus);
	unsigned ncpu = bit_count(vm->cpu_mask);

	if (vm->vcpu_count == 0 || vm->vcpu_count > ncpu || vm->vcpu_count > 8)
		BAD("vm '%s': vcpus: %u, but %u CPUs given (at most 8 vCPUs)", name,
		    vm->vcpu_count, ncpu);
	for (unsigned j = 0; j < i; j++) {
		uint64_t both = vm->cpu_mask & d->vms[j].cpu_mask;

		if (both)
			BAD("vm '%s': cpus: CPU %u is already given to vm '%s'", name,
			    (unsigned)__builtin_ctzll(both), d->vms[j].name);
	}
	if (vm->mem_size == 0 || (vm->mem_size | vm->mem_base) & (ALIGN_2M - 1))
		BAD("vm '%s': memory: base and size must be 2 MiB multiples, size > 0", name);
	if (vm->mem_base + vm->mem_size < vm->mem_base || vm->mem_base + vm->mem_size > IPA_LIMIT)
		BAD("vm '%s': memory: beyond the 39-bit guest-physical space", name);
	if (overlaps(vm->mem_base, vm->mem_size, GUEST_MMIO_BEGIN, GUEST_MMIO_END - GUEST_MMIO_BEGIN))
		BAD("vm '%s': memory: overlaps the emulated devices at 0x8000000-0x10000000", name);
	if (vm->mem_size < 2 * BWPKG_DTB_MAX + BWPKG_KERNEL_OFFSET)
		BAD("vm '%s': memory: at least 6 MiB needed", name);
	if (check_blob_ref(d, i, vm->kernel_blob, BWPKG_BLOB_KERNEL, false, "kernel", why, why_size) ||
	    check_blob_ref(d, i, vm->initrd_blob, BWPKG_BLOB_INITRD, true, "initrd", why, why_size) ||
	    check_blob_ref(d, i, vm->dtb_blob, BWPKG_BLOB_DTB, true, "devicetree", why, why_size))
		return -1;
	if (vm->dtb_blob != BWPKG_NO_BLOB && d->blobs[vm->dtb_blob].size > BWPKG_DTB_MAX)
		BAD("vm '%s': devicetree: larger than 2 MiB", name);
	if (vm->initrd_blob != BWPKG_NO_BLOB &&
	    d->blobs[vm->initrd_blob].size > vm->mem_size - BWPKG_DTB_MAX - BWPKG_KERNEL_OFFSET)
		BAD("vm '%s': initrd: %lu KiB does not fit in the VM's memory", name,
		    d->blobs[vm->initrd_blob].size >> 10);
	if (vm->dev_count > BWPKG_MAX_DEVS)
		BAD("vm '%s': devices: more than %u", name, BWPKG_MAX_DEVS);
	for (unsigned k = 0; k < vm->dev_count; k++) {
		const struct bwpkg_dev *dev = &vm->devs[k];

		if (dev->size == 0 || ((dev->base | dev->size) & 0xfff) ||
		    dev->base + dev->size < dev->base || dev->base + dev->size > IPA_LIMIT)
			BAD("vm '%s': device %u: reg must be page aligned, non-empty, below 2^39",
			    name, k);
		if (overlaps(dev->base, dev->size, vm->mem_base, vm->mem_size) ||
		    bwpkg_overlaps_emulated(dev->base, dev->size))
			BAD("vm '%s': device %u: overlaps the VM's memory or emulated devices", name, k);
		for (unsigned n = 0; n < BWPKG_MAX_DEV_IRQS; n++) {
			uint32_t irq = dev->irqs[n];

			if (irq != 0 && (irq < 32 || irq >= VGIC_NR_IRQS || irq == VUART_INTID ||
					 irq == BWM_SHUTDOWN_INTID))
				BAD("vm '%s': device %u: interrupt %u is not an SPI this VM can own",
				    name, k, irq);
			for (unsigned m = 0; m < n; m++)
				if (irq != 0 && dev->irqs[m] == irq)
					BAD("vm '%s': device %u: interrupt %u listed twice", name, k,
					    irq);
		}
		/* Against every device listed before it, in this VM and the others. */
		for (unsigned j = 0; j <= i; j++) {
			for (unsigned m = 0; m < d->vms[j].dev_count && (j < i || m < k); m++) {
				const struct bwpkg_dev *o = &d->vms[j].devs[m];

				if (overlaps(dev->base, dev->size, o->base, o->size))
					BAD("vm '%s': device %u: range already given to vm '%s'",
					    name, k, d->vms[j].name);
				for (unsigned a = 0; a < BWPKG_MAX_DEV_IRQS; a++)
					for (unsigned b = 0; b < BWPKG_MAX_DEV_IRQS; b++)
						if (dev->irqs[a] && dev->irqs[a] == o->irqs[b])
							BAD("vm '%s': device %u: interrupt %u "
							    "already given to vm '%s'", name, k,
							    dev->irqs[a], d->vms[j].name);
			}
		}
	}
	return 0;
}

int pkg_decode(const void *pkg, uint64_t avail, unsigned host_cpus, struct pkg_desc *out,
	       char *why, size_t why_size)
{
	const uint8_t *p = pkg;
	struct bwpkg_header h;

	memset(out, 0, sizeof(*out));
	if (avail < sizeof(h))
		BAD("package: truncated header");
	memcpy(&h, p, sizeof(h));
	if (h.magic != BWPKG_MAGIC)
		BAD("package: bad magic");
	if (h.version != BWPKG_VERSION || h.header_size != sizeof(h) ||
	    h.vm_size != sizeof(struct bwpkg_vm) || h.blob_size != sizeof(struct bwpkg_blob))
		BAD("package: version %u or structure sizes not supported", h.version);
	if (h.flags)
		BAD("package: reserved fields not zero");
	if (!bwpkg_mitig_valid(h.mitigations, false))
		BAD("package: mitigations: %#x is not a valid choice", h.mitigations);
	if (h.total_size < sizeof(h))
		BAD("package: total size %lu is smaller than its header", h.total_size);
	if (h.total_size > avail)
		BAD("package: total size %lu exceeds the %lu bytes loaded", h.total_size, avail);
	if (h.vm_count == 0 || h.vm_count > BWPKG_MAX_VMS || h.blob_count > BWPKG_MAX_BLOBS)
		BAD("package: %u VMs and %u blobs (1..%u VMs, at most %u blobs)", h.vm_count,
		    h.blob_count, BWPKG_MAX_VMS, BWPKG_MAX_BLOBS);
	uint64_t tables = sizeof(h) + (uint64_t)h.vm_count * sizeof(struct bwpkg_vm) +
			  (uint64_t)h.blob_count * sizeof(struct bwpkg_blob);

	if (tables > h.total_size)
		BAD("package: tables run past the end");
	out->base = p;
	out->size = h.total_size;
	out->vm_count = h.vm_count;
	out->mitigations = h.mitigations;
	out->blob_count = h.blob_count;
	memcpy(out->vms, p + sizeof(h), h.vm_count * sizeof(struct bwpkg_vm));
	const uint8_t *bt = p + sizeof(h) + h.vm_count * sizeof(struct bwpkg_vm);

	for (unsigned i = 0; i < h.blob_count; i++) {
		struct bwpkg_blob *b = &out->blobs[i];
		const uint8_t *e = bt + i * sizeof(struct bwpkg_blob);

		b->type = rd32(e);
		b->vm = rd32(e + 4);
		b->offset = rd64(e + 8);
		b->size = rd64(e + 16);
		if (b->type < BWPKG_BLOB_KERNEL || b->type > BWPKG_BLOB_DTB || b->vm >= h.vm_count)
			BAD("package: blob %u: unknown type %u or VM %u", i, b->type, b->vm);
		if (b->size == 0 || (b->offset & (BWPKG_BLOB_ALIGN - 1)) || b->offset < tables ||
		    b->offset > h.total_size || b->size > h.total_size - b->offset)
			BAD("package: blob %u: offset %#lx size %#lx outside the package", i,
			    b->offset, b->size);
	}
	for (unsigned i = 0; i < h.vm_count; i++) {
		if (check_vm(out, i, host_cpus, why, why_size))
			return -1;
	}
	return 0;
}

int pkg_vm_layout(const struct pkg_desc *d, unsigned vm, const uint8_t *head, size_t head_len,
		  struct pkg_layout *out, char *why, size_t why_size)
{
	const struct bwpkg_vm *c = &d->vms[vm];
	struct pkg_images im = { d->blobs[c->kernel_blob].size, 0, c->initrd_blob != BWPKG_NO_BLOB,
				 c->dtb_blob != BWPKG_NO_BLOB };

	if (im.has_initrd)
		im.initrd_size = d->blobs[c->initrd_blob].size;
	return pkg_layout(c, &im, head, head_len, out, why, why_size);
}

int pkg_layout(const struct bwpkg_vm *c, const struct pkg_images *im, const uint8_t *head,
	       size_t head_len, struct pkg_layout *out, char *why, size_t why_size)
{
	uint64_t ksize = im->kernel_size;
	uint64_t text_offset = 0x80000, image_size = ksize;
	uint64_t limit = bwpkg_dtb_addr(c->mem_base, c->mem_size);

	memset(out, 0, sizeof(*out));
	if (head_len >= 64 && rd32(head + 56) == 0x644d5241u) { /* "ARM\x64" */
		uint64_t is = rd64(head + 16);

		if (is) {
			text_offset = rd64(head + 8);
			image_size = MAX(is, ksize);
		}
	}
	if (c->mem_size < 2 * BWPKG_DTB_MAX + BWPKG_KERNEL_OFFSET) /* checked by pkg_decode */
		BAD("vm '%s': memory: %lu MiB is too small for its images", c->name,
		    c->mem_size >> 20);
	if (im->has_initrd) {
		uint64_t size = im->initrd_size;

		if (size > limit - c->mem_base - BWPKG_KERNEL_OFFSET) /* checked by pkg_decode */
			BAD("vm '%s': initrd: %lu KiB does not fit in %lu MiB", c->name, size >> 10,
			    c->mem_size >> 20);
		limit = bwpkg_initrd_addr(c->mem_base, c->mem_size, size);
		out->initrd_ipa = limit;
	}
	out->kernel_ipa = c->mem_base + BWPKG_KERNEL_OFFSET + text_offset;
	out->kernel_end = out->kernel_ipa + image_size;
	if (text_offset > c->mem_size || image_size > c->mem_size ||
	    out->kernel_end > limit) {
		memset(out, 0, sizeof(*out));
		BAD("vm '%s': kernel: %lu KiB at offset %#lx does not fit below its initrd and "
		    "devicetree in %lu MiB", c->name, image_size >> 10, text_offset,
		    c->mem_size >> 20);
	}
	if (im->has_dtb)
		out->dtb_ipa = bwpkg_dtb_addr(c->mem_base, c->mem_size);
	return 0;
}

bool pkg_blob_range(const struct pkg_desc *d, unsigned blob, uint64_t off, uint64_t len)
{
	return blob < d->blob_count && off <= d->blobs[blob].size &&
	       len <= d->blobs[blob].size - off;
}
