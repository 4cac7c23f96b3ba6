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

/* Reads a blob's bytes at [@off, @off + @len); false if out of bounds. */
bool pkg_blob_range(const struct pkg_desc *d, unsigned blob, uint64_t off, uint64_t len);

#endif
