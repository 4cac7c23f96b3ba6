/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: bwpack's system description parser over arbitrary
 * blobs. An accepted description must satisfy every invariant the package
 * relies on; the guest devicetree built from it must be valid; the image
 * placement computed for it must stay inside the VM's RAM. A rejection must
 * say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "../../tools/bwpack/guestdt.h"
#include "../../tools/bwpack/sysdesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static void check_vm(const struct sysdesc *sd, unsigned i, const struct sysdesc_host *host)
{
	const struct sysdesc_vm *vm = &sd->vms[i];
	size_t nlen = strnlen(vm->name, BWPKG_NAME_LEN);

	if (nlen == 0 || nlen == BWPKG_NAME_LEN ||
	    strspn(vm->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != nlen)
		abort();
	if (vm->vcpu_count == 0 || vm->vcpu_count > vm->cpu_count ||
	    vm->vcpu_count > SYSDESC_MAX_VCPUS || vm->cpu_count != popcount64(vm->cpu_mask))
		abort();
	if (host->cpu_count < 64 && (vm->cpu_mask >> host->cpu_count) != 0)
		abort();
	if (vm->mem_size < SYSDESC_MEM_MIN || vm->mem_size % SYSDESC_MEM_ALIGN ||
	    vm->mem_base % SYSDESC_MEM_ALIGN || vm->mem_base + vm->mem_size > SYSDESC_ADDR_LIMIT ||
	    vm->mem_base + vm->mem_size < vm->mem_base ||
	    overlap(vm->mem_base, vm->mem_size, SYSDESC_MMIO_BASE, SYSDESC_MMIO_END - SYSDESC_MMIO_BASE))
		abort();
	/* Bootargs are for bare-metal guests too (they read /chosen/bootargs). */
	if (vm->kernel[0] == '\0' || (!vm->has_bootargs && vm->bootargs[0] != '\0') ||
	    (vm->caps & ~(uint32_t)BWPKG_CAP_CONTROL) || vm->dev_count > BWPKG_MAX_DEVS)
		abort();
	for (unsigned d = 0; d < vm->dev_count; d++) {
		const struct sysdesc_dev *dev = &vm->devs[d];

		if (dev->size == 0 || dev->base % 4096 || dev->size % 4096 ||
		    dev->base + dev->size > SYSDESC_ADDR_LIMIT ||
		    overlap(dev->base, dev->size, vm->mem_base, vm->mem_size) ||
		    bwpkg_overlaps_emulated(dev->base, dev->size) ||
		    dev->irq_count > BWPKG_MAX_DEV_IRQS)
			abort();
		for (unsigned k = 0; k < BWPKG_MAX_DEV_IRQS; k++) {
			uint32_t irq = dev->irqs[k];

			if (k < dev->irq_count ? (irq < SYSDESC_SPI_MIN || irq > SYSDESC_SPI_MAX ||
						  irq == SYSDESC_UART_INTID ||
						  irq == SYSDESC_SHUTDOWN_INTID) :
						 irq != 0)
				abort();
		}
	}
	/* Nothing is shared with an earlier VM (or within this one). */
	for (unsigned j = 0; j <= i; j++) {
		const struct sysdesc_vm *o = &sd->vms[j];

		if (j < i && (o->cpu_mask & vm->cpu_mask))
			abort();
		for (unsigned d = 0; d < vm->dev_count; d++) {
			for (unsigned e = 0; e < o->dev_count; e++) {
				if (j == i && e == d)
					continue;
				if (overlap(vm->devs[d].base, vm->devs[d].size, o->devs[e].base,
					    o->devs[e].size))
					abort();
				for (unsigned k = 0; k < vm->devs[d].irq_count; k++) {
					for (unsigned l = 0; l < o->devs[e].irq_count; l++) {
						if (vm->devs[d].irqs[k] == o->devs[e].irqs[l])
							abort();
					}
				}
			}
		}
	}
}

static void check_images(const struct sysdesc_vm *vm, size_t size)
{
	uint8_t head[64] = { 0 };
	struct sysdesc_layout l;
	char err[SYSDESC_ERR_MAX];
	uint64_t ksize = (uint64_t)size * 4099, isize = vm->initrd[0] ? (uint64_t)size * 777 + 1 : 0;

	/* An Image whose text_offset and image_size come from the input's size. */
	memcpy(head + 56, "ARM\x64", 4);
	head[9] = (uint8_t)size;              /* text_offset: multiples of 256 */
	head[18] = (uint8_t)(size >> 3);      /* image_size: multiples of 64 KiB */
	if (sysdesc_check_images(vm, head, sizeof(head), ksize, isize, &l, err, sizeof(err))) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (l.kernel_addr < vm->mem_base + BWPKG_KERNEL_OFFSET || l.kernel_end < l.kernel_addr ||
	    l.kernel_end > l.dtb_addr || l.dtb_addr + BWPKG_DTB_MAX != vm->mem_base + vm->mem_size)
		abort();
	if (isize && (l.initrd_addr < l.kernel_end || l.initrd_end != l.initrd_addr + isize ||
		      l.initrd_end > l.dtb_addr || l.initrd_addr % 4096))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sysdesc_host hosts[] = { { 8, 1024 }, { 64, 1ULL << 20 } };
	static struct sysdesc sd;
	static uint8_t dt[BWPKG_DTB_MAX];
	/* An exact-size copy so ASan sees any read past the end. */
	uint8_t *blob = malloc(size ? size : 1);
	char err[SYSDESC_ERR_MAX];

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
		if (sysdesc_parse(&sd, blob, size, &hosts[h], err, sizeof(err)) != 0) {
			if (err[0] == '\0' || sd.vm_count != 0)
				abort(); /* every rejection says why and leaves nothing behind */
			continue;
		}
		if (sd.vm_count == 0 || sd.vm_count > BWPKG_MAX_VMS ||
		    sd.mem_total > (hosts[h].ram_mb - SYSDESC_HYP_RESERVED_MB) << 20)
			abort();
		if (sysdesc_check_package(&sd, &hosts[h], (uint64_t)size << 12, err, sizeof(err)) &&
		    err[0] == '\0')
			abort();
		for (unsigned i = 0; i < sd.vm_count; i++) {
			int n;

			check_vm(&sd, i, &hosts[h]);
			check_images(&sd.vms[i], size);
			n = guestdt_build(&sd.vms[i], sd.vms[i].initrd[0] ? 4096 : 0, dt, sizeof(dt));
			if (n <= 0 || fdt_check_full(dt, (size_t)n) != 0)
				abort();
		}
	}
	free(blob);
	return 0;
}
