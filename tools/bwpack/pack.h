/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packing a checked system description with its images, over bytes in
 * memory: bwpack's file-reading shell (bwpack.c) calls it, and so do its
 * unit test (test/unit/test_pack.c) and its fuzzer (test/fuzz/fuzz_pack.c),
 * which hands every package it produces to the hypervisor's own decoder.
 *
 * `pack_build()` checks each VM's images, builds each VM's devicetree, checks
 * the hypervisor image, lays the package out (include/bulwark/package.h)
 * and, when asked, writes the packed image: everything is checked before
 * anything is written. `pack_check_package()` is the strict decoder that
 * `bwpack --dump` uses. Neither does I/O; a rejection fills a message
 * without the "bwpack: " prefix and without a trailing newline.
 */
#ifndef BWPACK_PACK_H
#define BWPACK_PACK_H

#include "sysdesc.h"

/* An Image header's image_size field, rewritten to cover the package. */
#define PACK_IMAGE_SIZE_OFFSET 16
/* A hypervisor image larger than this is a mistake. */
#define PACK_HYP_MAX_SIZE (64ULL << 20)

static inline uint32_t pack_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t pack_get_le64(const uint8_t *p)
{
	return (uint64_t)pack_get_le32(p) | (uint64_t)pack_get_le32(p + 4) << 32;
}

/**
 * struct pack_file - An input file's bytes.
 * @data: its first @loaded bytes.
 * @size: the file's size in bytes; 0 for no file (a VM without initrd).
 * @loaded: bytes at @data: @size, or fewer when the reader kept only the
 *	head of a file too large to fit anywhere (enough to complain about it).
 */
struct pack_file {
	const uint8_t *data;
	uint64_t size;
	uint64_t loaded;
};

/**
 * struct pack_input - What `pack_build()` packs.
 * @sd: a description `sysdesc_parse()` accepted for @host.
 * @host: the host it was checked against.
 * @kernel: each VM's kernel, in @sd's order.
 * @initrd: each VM's initrd; ignored for a VM whose description names none.
 * @hyp: the hypervisor image (build/bulwark.bin); @hyp.data NULL to check the
 *	description and images only.
 * @hyp_name: how messages name @hyp (its path).
 */
struct pack_input {
	const struct sysdesc *sd;
	const struct sysdesc_host *host;
	struct pack_file kernel[BWPKG_MAX_VMS];
	struct pack_file initrd[BWPKG_MAX_VMS];
	struct pack_file hyp;
	const char *hyp_name;
};

/**
 * struct pack_output - What `pack_build()` produced.
 * @layout: where each VM's images go in its RAM.
 * @dtb_size: bytes of each VM's devicetree.
 * @hyp_image_size: the hypervisor's image_size (0 without a hypervisor): the
 *	package's offset in the packed image.
 * @package_size: bytes of the package (header, tables, blobs).
 * @new_image_size: the Image header's image_size in the packed image.
 * @image: with @write, the packed image, @image_size bytes (malloc'd); NULL
 *	otherwise. `pack_output_free()` frees it.
 * @image_size: @hyp_image_size + @package_size.
 */
struct pack_output {
	struct sysdesc_layout layout[BWPKG_MAX_VMS];
	uint64_t dtb_size[BWPKG_MAX_VMS];
	uint64_t hyp_image_size;
	uint64_t package_size;
	uint64_t new_image_size;
	uint8_t *image;
	uint64_t image_size;
};

/**
 * pack_build() - Checks a system's images and lays out (and writes) its package.
 * @in: the description and the bytes of every file it names.
 * @write: write the packed image (needs @in->hyp); else only check and lay out.
 * @out: filled on success; zeroed, with nothing allocated, on failure.
 * @err: on failure, a message naming the VM and file, or the hypervisor.
 * @err_size: bytes at @err (SYSDESC_ERR_MAX is always enough).
 *
 * Return: 0, or -1 with @err filled.
 */
int pack_build(const struct pack_input *in, bool write, struct pack_output *out, char *err,
	       size_t err_size);

/* Frees what `pack_build()` allocated in @out. */
void pack_output_free(struct pack_output *out);

/**
 * pack_find_package() - Finds a package in a packed image.
 * @img: the image's bytes.
 * @size: bytes at @img.
 * @at: the package's offset, on success.
 *
 * Looks for the package magic at each 4 KiB boundary after the first.
 *
 * Return: 0, or -1 when there is none.
 */
int pack_find_package(const uint8_t *img, uint64_t size, uint64_t *at);

/**
 * pack_check_package() - Validates a package as strictly as the hypervisor
 *	must, and more: every field, every range, no overlaps, no stray bytes
 *	in the tables, every VM's images placed as the hypervisor places them.
 * @pkg: the package (its header first).
 * @avail: bytes readable at @pkg.
 * @err: on failure, what is wrong.
 * @err_size: bytes at @err.
 *
 * Return: 0, or -1 with @err filled.
 */
int pack_check_package(const uint8_t *pkg, uint64_t avail, char *err, size_t err_size);

/* "kernel", "initrd" or "dtb" for a blob type; NULL for any other. */
const char *pack_blob_type_name(uint32_t type);

#endif
