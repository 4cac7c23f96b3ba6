/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The system description that `bwpack` packs: its parser and validator.
 *
 * A description is a devicetree blob (compiled by dtc from a .dts) with
 * `compatible = "bulwark,system-v1"` at the root and one node per VM under
 * `/vms`; docs/configuration.md is the reference. `sysdesc_parse()` turns it
 * into a plain `struct sysdesc` and checks everything that can be checked
 * without reading a file; `sysdesc_check_images()` then checks where a VM's
 * kernel and initrd go, from their sizes and the kernel's Image header.
 *
 * Nothing here does I/O: the callers (bwpack, its unit test and its fuzzer)
 * hand in bytes. Every rejection fills a message that names the VM and the
 * property at fault, e.g. "vm 'linux0': cpus: CPU 2 is already given to vm
 * 'bare0'"; the message has no "bwpack: " prefix and no trailing newline.
 */
#ifndef BWPACK_SYSDESC_H
#define BWPACK_SYSDESC_H

#include <bulwark/mitig.h>
#include <bulwark/package.h>

#define SYSDESC_COMPATIBLE "bulwark,system-v1"

/* The guest's emulated devices (GIC, UART) live in this guest-physical window. */
#define SYSDESC_MMIO_BASE 0x08000000ULL
#define SYSDESC_MMIO_END 0x10000000ULL
/* The guest's emulated UART interrupt (SPI 1); no passed-through device may use it. */
#define SYSDESC_UART_INTID 33u
#define SYSDESC_SHUTDOWN_INTID 250u /* BWM_SHUTDOWN_INTID (include/abi/bulwark/mgmt.h) */

/*
 * Limits of the hypervisor that boots the package, so that what bwpack
 * accepts also boots (src/core/pkg.c checks the same): the vGIC emulates
 * INTIDs below 256 (GICv3 SPIs would go up to 1019), at most 8 vCPUs per
 * VM, and stage 2 covers a 39-bit guest-physical address space.
 */
#define SYSDESC_SPI_MIN 32u
#define SYSDESC_SPI_MAX 255u
#define SYSDESC_MAX_VCPUS 8u
#define SYSDESC_IPA_BITS 39
#define SYSDESC_ADDR_LIMIT (1ULL << SYSDESC_IPA_BITS)

#define SYSDESC_DEFAULT_MEM_BASE 0x40000000ULL
#define SYSDESC_MEM_ALIGN (2ULL << 20)
/* 2 MiB below the kernel, 2 MiB for it at least, 2 MiB for the devicetree. */
#define SYSDESC_MEM_MIN (6ULL << 20)
#define SYSDESC_PAGE_SIZE 4096ULL

/* RAM the host keeps for the hypervisor itself, out of `host.ram_mb`. */
#define SYSDESC_HYP_RESERVED_MB 64ULL
#define SYSDESC_MAX_HOST_CPUS 64u

#define SYSDESC_PATH_MAX 1024     /* bytes of a kernel or initrd path, with its NUL */
#define SYSDESC_BOOTARGS_MAX 2048 /* bytes of bootargs, with the NUL (Linux's limit) */
#define SYSDESC_ERR_MAX 512

/* The arm64 Image header (Linux Documentation/arch/arm64/booting.rst). */
#define SYSDESC_IMAGE_HEADER_SIZE 64u
#define SYSDESC_IMAGE_MAGIC_OFFSET 56u
#define SYSDESC_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" read as little-endian */
/* Where an Image whose header says image_size 0 goes, whatever its text_offset. */
#define SYSDESC_LEGACY_TEXT_OFFSET 0x80000u

/**
 * struct sysdesc_host - What bwpack knows about the host it packs for.
 * @cpu_count: physical CPUs (1..64); CPU indices in `cpus` must be below it.
 * @ram_mb: host RAM in MiB; `SYSDESC_HYP_RESERVED_MB` of it is the hypervisor's.
 */
struct sysdesc_host {
	unsigned cpu_count;
	uint64_t ram_mb;
};

/**
 * struct sysdesc_dev - A device passed through to a VM (`device@ADDR` node).
 * @base: physical (= guest-physical) address, page aligned.
 * @size: bytes, a page multiple, > 0.
 * @irqs: SPI INTIDs, the first @irq_count used, the rest 0.
 * @irq_count: 0..BWPKG_MAX_DEV_IRQS.
 */
struct sysdesc_dev {
	uint64_t base;
	uint64_t size;
	uint32_t irqs[BWPKG_MAX_DEV_IRQS];
	unsigned irq_count;
};

/**
 * struct sysdesc_vm - One VM of a validated description.
 * @name: the node name, [a-z0-9_-]{1,31}, NUL-terminated.
 * @vcpu_count: `vcpus`, 1..@cpu_count and at most SYSDESC_MAX_VCPUS.
 * @cpu_mask: `cpus` as a bit mask of physical CPU indices.
 * @cpu_count: number of bits set in @cpu_mask.
 * @mem_base: `memory-base`, 2 MiB aligned (default 0x40000000).
 * @mem_size: `memory-size`, a 2 MiB multiple, at least SYSDESC_MEM_MIN.
 * @kernel: `kernel` path as written (relative to the description's directory
 *	unless absolute).
 * @initrd: `initrd` path, "" when there is none.
 * @bootargs: `bootargs`, "" when there are none; Linux and bare-metal
 *	guests alike find them in /chosen/bootargs.
 * @has_bootargs: whether `bootargs` was given (it may be "").
 * @is_linux: the `linux` flag (not named `linux`: GNU C predefines that
 *	as a macro).
 * @caps: `capabilities` as BWPKG_CAP_* bits.
 * @mitigations: `mitigations`, the VM's deviation from the system's
 *	mitigation choice, packed (BWPKG_MITIG_*); 0 when not given.
 * @devs: passed-through devices, in description order.
 * @dev_count: 0..BWPKG_MAX_DEVS.
 */
struct sysdesc_vm {
	char name[BWPKG_NAME_LEN];
	uint32_t vcpu_count;
	uint64_t cpu_mask;
	unsigned cpu_count;
	uint64_t mem_base;
	uint64_t mem_size;
	char kernel[SYSDESC_PATH_MAX];
	char initrd[SYSDESC_PATH_MAX];
	char bootargs[SYSDESC_BOOTARGS_MAX];
	bool has_bootargs;
	bool is_linux;
	uint32_t caps;
	uint32_t mitigations;
	struct sysdesc_dev devs[BWPKG_MAX_DEVS];
	unsigned dev_count;
};

/**
 * struct sysdesc - A validated system description.
 * @vms: the VMs in description order (their index is their package index).
 * @vm_count: 1..BWPKG_MAX_VMS.
 * @mem_total: the sum of the VMs' @mem_size.
 * @mitigations: the root's `mitigations`, packed (BWPKG_MITIG_*); 0 when
 *	not given (the hypervisor's default profile, balanced).
 */
struct sysdesc {
	struct sysdesc_vm vms[BWPKG_MAX_VMS];
	unsigned vm_count;
	uint64_t mem_total;
	uint32_t mitigations;
};

/**
 * struct sysdesc_image - The fields of an arm64 Image header bwpack uses.
 * @text_offset: where the image wants to sit above a 2 MiB aligned base.
 * @image_size: bytes the image occupies once loaded (BSS included), 0 if the
 *	header does not say.
 * @flags: header flags; bit 0 set means big-endian.
 */
struct sysdesc_image {
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
};

/**
 * struct sysdesc_layout - Where a VM's images go in its RAM (guest-physical).
 * @kernel_addr: load address: mem_base + 2 MiB + text_offset.
 * @kernel_end: @kernel_addr plus the larger of the file size and image_size.
 * @initrd_addr: bwpkg_initrd_addr(); 0 when there is no initrd.
 * @initrd_end: @initrd_addr + initrd size; 0 when there is no initrd.
 * @dtb_addr: bwpkg_dtb_addr(), the start of the last 2 MiB of RAM.
 */
struct sysdesc_layout {
	uint64_t kernel_addr;
	uint64_t kernel_end;
	uint64_t initrd_addr;
	uint64_t initrd_end;
	uint64_t dtb_addr;
};

/**
 * sysdesc_parse() - Decodes and validates a system description.
 * @sd: filled on success; zeroed on failure (never half-written).
 * @blob: the devicetree blob; any alignment.
 * @size: bytes readable at @blob; must equal the blob's totalsize.
 * @host: the host's CPU count and RAM.
 * @err: on failure, a NUL-terminated message naming the VM and property.
 * @err_size: bytes at @err (SYSDESC_ERR_MAX is always enough).
 *
 * Checks the blob's structure, then every VM's properties and devices, then
 * what VMs may not share (CPUs, device ranges, interrupts) and the RAM they
 * need in total. The first problem found is reported.
 *
 * Return: 0 on success, -1 on a description error.
 */
int sysdesc_parse(struct sysdesc *sd, const void *blob, size_t size,
		  const struct sysdesc_host *host, char *err, size_t err_size);

/**
 * sysdesc_parse_image() - Reads an arm64 Image header.
 * @img: filled on success.
 * @head: the first bytes of the image file.
 * @len: bytes at @head (the file's size if it is shorter than the header).
 *
 * Return: 0, or -1 when @len is below 64 bytes or the "ARM\x64" magic is
 * missing.
 */
int sysdesc_parse_image(struct sysdesc_image *img, const void *head, size_t len);

/**
 * sysdesc_check_images() - Checks that a VM's kernel, initrd and devicetree
 *	fit its RAM without overlapping.
 * @vm: a VM of a description `sysdesc_parse()` accepted.
 * @kernel_head: the first bytes of the kernel file (its Image header).
 * @head_len: bytes at @kernel_head (at most the file's size).
 * @kernel_size: the kernel file's size.
 * @initrd_size: the initrd file's size; 0 when @vm has no initrd.
 * @layout: filled on success.
 * @err: on failure, a message naming the VM and `kernel` or `initrd`.
 * @err_size: bytes at @err.
 *
 * The kernel must be a little-endian arm64 Image; it is placed at
 * mem_base + 2 MiB + text_offset and occupies the larger of its file size and
 * its header's image_size. An image_size of 0 (kernels before Linux 3.17)
 * means text_offset 0x80000, whatever the header says, as the boot protocol
 * and the hypervisor (`pkg_vm_layout()`) have it. The initrd, if any, goes just below the 2 MiB
 * devicetree area at the end of RAM (`bwpkg_initrd_addr()`), and must not
 * reach down into the kernel. An initrd must not be empty.
 *
 * Return: 0 on success, -1 with @err filled.
 */
int sysdesc_check_images(const struct sysdesc_vm *vm, const void *kernel_head, size_t head_len,
			 uint64_t kernel_size, uint64_t initrd_size,
			 struct sysdesc_layout *layout, char *err, size_t err_size);

/**
 * sysdesc_check_package() - Checks that the packed guest images and the
 *	VMs' RAM fit the host together.
 * @sd: a description `sysdesc_parse()` accepted.
 * @host: the host it was checked against.
 * @package_size: bytes of the package (header, tables and blobs).
 * @err: on failure, a message starting "package: ".
 * @err_size: bytes at @err.
 *
 * The package stays in RAM at least until the hypervisor has copied every
 * image into its VM, so the VMs' RAM and the package together must fit the
 * host's RAM less SYSDESC_HYP_RESERVED_MB.
 *
 * Return: 0, or -1 with @err filled.
 */
int sysdesc_check_package(const struct sysdesc *sd, const struct sysdesc_host *host,
			  uint64_t package_size, char *err, size_t err_size);

/**
 * sysdesc_format_size() - Formats a byte count exactly, in the largest unit
 *	that divides it: "30 MiB", "12 KiB", "4097 bytes".
 * @buf: where to write.
 * @size: bytes at @buf (24 is always enough).
 * @bytes: the count.
 *
 * Return: @buf.
 */
const char *sysdesc_format_size(char *buf, size_t size, uint64_t bytes);

#endif
