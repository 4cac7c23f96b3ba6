/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of the package appended to the hypervisor image (see
 * include/bulwark/package.h). The package is input: it is checked field by
 * field before anything is built from it, and a bad field stops the boot
 * with a message naming the VM and the field.
 */
#ifndef BULWARK_PKG_H
#define BULWARK_PKG_H

#include <bulwark/package.h>

struct pkg_desc {
	const uint8_t *base;    /* the package, as mapped */
	uint64_t size;          /* its total_size */
	unsigned vm_count;
	unsigned blob_count;
	uint32_t mitigations;   /* the system's choice (BWPKG_MITIG_*), 0 if none */
	struct bwpkg_vm vms[BWPKG_MAX_VMS];
	struct bwpkg_blob blobs[BWPKG_MAX_BLOBS];
};

/*
 * Checks the package at @pkg (@avail bytes readable) for a machine with
 * @host_cpus CPUs and copies its tables into @out. Returns 0, or -1 with
 * @why (a buffer of @why_size bytes) saying what is wrong.
 */
int pkg_decode(const void *pkg, uint64_t avail, unsigned host_cpus, struct pkg_desc *out,
	       char *why, size_t why_size);

/* Where a VM's images go in its RAM (guest-physical addresses). */
struct pkg_layout {
	uint64_t kernel_ipa;  /* mem_base + 2 MiB + the Image header's text_offset */
	uint64_t kernel_end;  /* kernel_ipa + the larger of the file and image_size */
	uint64_t initrd_ipa;  /* bwpkg_initrd_addr(); 0 without an initrd */
	uint64_t dtb_ipa;     /* bwpkg_dtb_addr(); 0 without a devicetree */
};

/*
 * Places VM @vm's images of a decoded package @d, as the Linux arm64 boot
 * protocol asks: @head holds the first @head_len bytes of its kernel blob
 * (64, or the whole blob if it is smaller). A kernel with the Image magic
 * and a non-zero image_size goes at its text_offset and occupies
 * image_size; any other at text_offset 0x80000, occupying its own size.
 * Returns 0, or -1 with @why saying what does not fit. Pure: reads only
 * its arguments.
 */
int pkg_vm_layout(const struct pkg_desc *d, unsigned vm, const uint8_t *head, size_t head_len,
		  struct pkg_layout *out, char *why, size_t why_size);

/* The images of a VM, wherever they come from (the package, or a VM created
 * through the management API): their sizes, and which exist. */
struct pkg_images {
	uint64_t kernel_size;
	uint64_t initrd_size;
	bool has_initrd, has_dtb;
};

/* The same placement for VM @c with images @im (what pkg_vm_layout() does
 * for a packed VM). Pure. */
int pkg_layout(const struct bwpkg_vm *c, const struct pkg_images *im, const uint8_t *head,
	       size_t head_len, struct pkg_layout *out, char *why, size_t why_size);

/* Reads a blob's bytes at [@off, @off + @len); false if out of bounds. */
bool pkg_blob_range(const struct pkg_desc *d, unsigned blob, uint64_t off, uint64_t len);

#endif
