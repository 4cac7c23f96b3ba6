/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Bulwark package: what `bwpack` (tools/bwpack) appends to the
 * hypervisor image so that one file holds the hypervisor, the checked system
 * description and every guest's images.
 *
 * Layout of a packed image (one file, loaded by QEMU -kernel / booti):
 *
 *   [hypervisor image, zero-padded to its image_size (BSS and stacks)]
 *   [struct bwpkg_header][struct bwpkg_vm x vm_count][struct bwpkg_blob x blob_count]
 *   [blobs, each at a 4 KiB-aligned offset from the header]
 *
 * The package starts at the hypervisor's `__image_end` (4 KiB aligned). The
 * packer rewrites the Image header's image_size to cover the package, so a
 * loader reserves room for all of it.
 *
 * All fields are little-endian. The packer validates the system; the
 * hypervisor decodes and re-checks every field before it uses any
 * (`pkg_decode()`), and treats the package as untrusted input.
 */
#ifndef BULWARK_PACKAGE_H
#define BULWARK_PACKAGE_H

#include <bulwark/types.h>

#define BWPKG_MAGIC 0x314b47504b4c5742ULL /* "BWLKPGK1" read as little-endian */
#define BWPKG_VERSION 2 /* 2: mitigation choices (header and VMs) */
#define BWPKG_MAX_VMS 16
#define BWPKG_MAX_BLOBS 64
#define BWPKG_MAX_DEVS 8
#define BWPKG_MAX_DEV_IRQS 4
#define BWPKG_NAME_LEN 32
#define BWPKG_BLOB_ALIGN 4096
#define BWPKG_NO_BLOB 0xffffffffu

enum bwpkg_blob_type {
	BWPKG_BLOB_KERNEL = 1, /* a Linux arm64 Image or a bare-metal image with that header */
	BWPKG_BLOB_INITRD = 2,
	BWPKG_BLOB_DTB = 3,    /* the VM's devicetree, built by the packer */
};

/* VM capability bits (`caps`). */
#define BWPKG_CAP_CONTROL (1u << 0) /* may use the management API */

struct bwpkg_header {
	uint64_t magic;        /* BWPKG_MAGIC */
	uint32_t version;      /* BWPKG_VERSION */
	uint32_t header_size;  /* sizeof(struct bwpkg_header) */
	uint64_t total_size;   /* bytes from the header to the end of the last blob */
	uint32_t vm_count;     /* 1..BWPKG_MAX_VMS */
	uint32_t blob_count;   /* 0..BWPKG_MAX_BLOBS */
	uint32_t vm_size;      /* sizeof(struct bwpkg_vm) */
	uint32_t blob_size;    /* sizeof(struct bwpkg_blob) */
	uint32_t flags;        /* 0 */
	uint32_t mitigations;  /* the system's choice, BWPKG_MITIG_*; 0 = none given */
};

struct bwpkg_blob {
	uint32_t type;         /* enum bwpkg_blob_type */
	uint32_t vm;           /* index of the VM it belongs to */
	uint64_t offset;       /* from the header; BWPKG_BLOB_ALIGN aligned */
	uint64_t size;         /* bytes; > 0 */
};

struct bwpkg_dev {
	uint64_t base;         /* physical = guest-physical address, page aligned */
	uint64_t size;         /* page multiple, > 0 */
	uint32_t irqs[BWPKG_MAX_DEV_IRQS]; /* SPI INTIDs (32..1019), 0 = none */
};

struct bwpkg_vm {
	char name[BWPKG_NAME_LEN];  /* NUL-terminated, [a-z0-9_-], non-empty */
	uint32_t vcpu_count;        /* 1..number of CPUs in cpu_mask */
	uint32_t caps;              /* BWPKG_CAP_* */
	uint64_t cpu_mask;          /* physical CPUs (hypervisor CPU indices) it owns */
	uint64_t mem_base;          /* guest-physical base of RAM, 2 MiB aligned */
	uint64_t mem_size;          /* 2 MiB multiple, > 0 */
	uint32_t kernel_blob;       /* index into the blob table */
	uint32_t initrd_blob;       /* or BWPKG_NO_BLOB */
	uint32_t dtb_blob;          /* or BWPKG_NO_BLOB (bare-metal guests) */
	uint32_t dev_count;         /* 0..BWPKG_MAX_DEVS */
	uint32_t mitigations;       /* the VM's deviation, BWPKG_MITIG_*; 0 = none */
	uint32_t reserved;          /* 0 */
	struct bwpkg_dev devs[BWPKG_MAX_DEVS];
};

_Static_assert(sizeof(struct bwpkg_header) == 48, "package ABI");
_Static_assert(sizeof(struct bwpkg_blob) == 24, "package ABI");
_Static_assert(sizeof(struct bwpkg_dev) == 32, "package ABI");
_Static_assert(sizeof(struct bwpkg_vm) == 88 + BWPKG_MAX_DEVS * 32, "package ABI");

/*
 * A mitigation choice (docs/mitigations.md): the system's in the header,
 * a VM's deviation from it in the VM. 0 = none given; else BWPKG_MITIG_SET
 * with a profile (0 = none: the system's, or balanced for the system
 * itself; 1 hardened, 2 balanced, 3 throughput) and the modules switched on
 * and off, one bit each: 0 bpi, 1 bhb, 2 ssbd, 3 flush, 4 nospec, 5 smccc
 * (enum mitig_module, include/bulwark/mitig.h). nospec is a build option
 * only; a VM may switch only what is decided per CPU and so per VM.
 */
#define BWPKG_MITIG_SET (1u << 31)
#define BWPKG_MITIG_PROFILE(v) ((v) & 0xffu)
#define BWPKG_MITIG_ON(v) (((v) >> 8) & 0xffu)
#define BWPKG_MITIG_OFF(v) (((v) >> 16) & 0xffu)
#define BWPKG_MITIG_PROFILES 3u
#define BWPKG_MITIG_SYS_MODS 0x2fu /* bpi bhb ssbd flush smccc */
#define BWPKG_MITIG_VM_MODS 0x27u  /* bpi bhb ssbd smccc */

static inline uint32_t bwpkg_mitig(unsigned profile, uint32_t on, uint32_t off)
{
	return BWPKG_MITIG_SET | (profile & 0xffu) | (on & 0xffu) << 8 | (off & 0xffu) << 16;
}

/* Whether @v is a valid choice for the system (@vm false) or a VM. */
static inline bool bwpkg_mitig_valid(uint32_t v, bool vm)
{
	uint32_t mods = vm ? BWPKG_MITIG_VM_MODS : BWPKG_MITIG_SYS_MODS;

	if (v == 0)
		return true;
	return (v & 0x7f000000u) == 0 && (v & BWPKG_MITIG_SET) &&
	       BWPKG_MITIG_PROFILE(v) <= BWPKG_MITIG_PROFILES &&
	       (BWPKG_MITIG_ON(v) & ~mods) == 0 && (BWPKG_MITIG_OFF(v) & ~mods) == 0 &&
	       (BWPKG_MITIG_ON(v) & BWPKG_MITIG_OFF(v)) == 0;
}

/*
 * Where a VM's images go in its RAM (shared by the packer, which writes
 * /chosen for Linux, and the hypervisor, which loads them):
 * - the kernel at mem_base + 2 MiB + the Image header's text_offset;
 * - the devicetree in the last 2 MiB of RAM (at most 2 MiB);
 * - the initrd just below the devicetree, 4 KiB aligned.
 */
#define BWPKG_KERNEL_OFFSET (2ULL << 20)
#define BWPKG_DTB_MAX (2ULL << 20)

/*
 * The guest-physical ranges Bulwark emulates in every VM (docs/guest-platform.md):
 * a passed-through device must not overlap them. The rest of the device
 * window 0x08000000-0x10000000, where RAM may not go, may be passed through.
 */
#define BWPKG_EMUL_RANGES "GIC distributor 0x8000000-0x8010000, redistributors " \
	"0x80a0000-0x81a0000, UART 0x9000000-0x9001000, management 0xf000000-0xf200000"

static inline bool bwpkg_overlaps_emulated(uint64_t base, uint64_t size)
{
	static const uint64_t r[4][2] = {
		{ 0x08000000, 0x08010000 }, { 0x080a0000, 0x081a0000 }, { 0x09000000, 0x09001000 },
		{ 0x0f000000, 0x0f200000 }, /* the management API's registers and buffer */
	};

	for (unsigned i = 0; i < 4; i++)
		if (base < r[i][1] && r[i][0] < base + size)
			return true;
	return false;
}

static inline uint64_t bwpkg_dtb_addr(uint64_t mem_base, uint64_t mem_size)
{
	return mem_base + mem_size - BWPKG_DTB_MAX;
}

static inline uint64_t bwpkg_initrd_addr(uint64_t mem_base, uint64_t mem_size, uint64_t initrd_size)
{
	return (bwpkg_dtb_addr(mem_base, mem_size) - initrd_size) & ~(uint64_t)0xfff;
}

#endif
