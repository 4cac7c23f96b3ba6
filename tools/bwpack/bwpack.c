/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bwpack: checks a system description and packs it, with the hypervisor and
 * every guest's images, into one bootable file (include/bulwark/package.h).
 *
 *   bwpack --system SYS.dtb --base-dir DIR [--host-cpus N] [--host-ram-mb M]
 *          (--hyp bulwark.bin -o OUT.bin | --check-only [--hyp bulwark.bin])
 *   bwpack --dump OUT.bin [--extract DIR]
 *
 * Everything is read and checked before anything is written; the output is
 * written to a temporary file and renamed into place, so a failed run never
 * leaves a half-written image. Exit status: 0 on success, 1 when the
 * description, an input file or a packed image is wrong, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "guestdt.h"
#include "sysdesc.h"

#define EXIT_DESC 1
#define EXIT_USAGE 2

#define MIB (1ULL << 20)
#define HYP_MAX_SIZE (64ULL << 20)    /* a hypervisor image larger than this is a mistake */
#define SYSTEM_MAX_SIZE (1ULL << 20)  /* a system description blob */
#define DUMP_MAX_SIZE (4ULL << 30)    /* a packed image to --dump */
#define IMAGE_SIZE_OFFSET 16          /* image_size in the arm64 Image header */

#define PKG_TABLES_SIZE(vms, blobs)                                                \
	(sizeof(struct bwpkg_header) + (uint64_t)(vms) * sizeof(struct bwpkg_vm) + \
	 (uint64_t)(blobs) * sizeof(struct bwpkg_blob))

/* A file read into memory. */
struct blob {
	uint8_t *data;
	uint64_t size;
};

/* One VM's images, read and checked. */
struct vm_images {
	struct blob kernel;
	struct blob initrd; /* size 0 when none */
	struct blob dtb;
	struct sysdesc_layout layout;
	uint32_t kernel_blob, initrd_blob, dtb_blob;
};

struct options {
	const char *hyp;
	const char *system;
	const char *base_dir;
	const char *out;
	const char *dump;
	const char *extract;
	struct sysdesc_host host;
	bool check_only;
};

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void error(const char *fmt, ...)
{
	va_list ap;

	fputs("bwpack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static const char *size_str(char buf[24], uint64_t bytes)
{
	return sysdesc_format_size(buf, 24, bytes);
}

/*
 * Reads a regular file. When it is larger than `max`, only its first `head`
 * bytes are read (enough for a caller to complain about it) and *full is
 * false; a caller that needs the whole file passes head = 0 to make that an
 * error. `what` names the file in messages ("vm 'x': kernel"). Returns 0, or
 * -1 after printing why.
 */
static int read_file(const char *what, const char *path, uint64_t max, size_t head,
		     struct blob *out, bool *full)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t want;
	char a[24];

	out->data = NULL;
	out->size = 0;
	if (fd < 0) {
		error("%s: cannot open '%s': %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		error("%s: '%s' is not a regular file", what, path);
		close(fd);
		return -1;
	}
	out->size = (uint64_t)st.st_size;
	*full = out->size <= max;
	if (!*full && head == 0) {
		error("%s: '%s' is larger than %s", what, path, size_str(a, max));
		close(fd);
		return -1;
	}
	want = *full ? out->size : MIN(out->size, (uint64_t)head);
	out->data = malloc(want ? want : 1);
	if (!out->data) {
		error("%s: out of memory reading '%s'", what, path);
		close(fd);
		return -1;
	}
	for (uint64_t got = 0; got < want;) {
		ssize_t n = read(fd, out->data + got, want - got);

		if (n <= 0) {
			error("%s: cannot read '%s': %s", what, path,
			      n < 0 ? strerror(errno) : "file shrank while reading");
			close(fd);
			free(out->data);
			out->data = NULL;
			return -1;
		}
		got += (uint64_t)n;
	}
	close(fd);
	return 0;
}

/* Joins a description path to the base directory unless it is absolute. */
static int resolve(char *buf, size_t size, const char *base_dir, const char *path)
{
	int n;

	if (path[0] == '/' || strcmp(base_dir, ".") == 0)
		n = snprintf(buf, size, "%s", path);
	else
		n = snprintf(buf, size, "%s/%s", base_dir, path);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* "0-3,6" */
static const char *cpu_list(char *buf, size_t size, uint64_t mask)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 64 && o < size; i++) {
		unsigned j = i;

		if (!(mask & (1ULL << i)))
			continue;
		while (j + 1 < 64 && (mask & (1ULL << (j + 1))))
			j++;
		if (j == i)
			o += (size_t)snprintf(buf + o, size - o, "%s%u", o ? "," : "", i);
		else
			o += (size_t)snprintf(buf + o, size - o, "%s%u-%u", o ? "," : "", i, j);
		i = j;
	}
	return buf;
}

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void print_summary(const struct sysdesc *sd, const struct vm_images *img,
			  const struct sysdesc_host *host)
{
	uint64_t cpus = 0;
	char a[24], b[24], c[24], list[200];
	int w = 2;

	for (unsigned i = 0; i < sd->vm_count; i++) {
		cpus |= sd->vms[i].cpu_mask;
		w = MAX(w, (int)strlen(sd->vms[i].name));
	}
	printf("bwpack: system OK: %u VM%s, %u of %u CPUs, %s of %llu MiB RAM for VMs\n",
	       sd->vm_count, sd->vm_count == 1 ? "" : "s", popcount64(cpus), host->cpu_count,
	       size_str(a, sd->mem_total),
	       (unsigned long long)(host->ram_mb - SYSDESC_HYP_RESERVED_MB));
	printf("%-*s  %5s  %-10s %-26s %-10s %-10s %-14s %s\n", w, "VM", "vCPUs", "CPUs", "memory",
	       "kernel", "initrd", "flags", "devices");
	for (unsigned i = 0; i < sd->vm_count; i++) {
		const struct sysdesc_vm *vm = &sd->vms[i];
		char mem[64], flags[32];

		snprintf(mem, sizeof(mem), "%s at 0x%llx", size_str(a, vm->mem_size),
			 (unsigned long long)vm->mem_base);
		snprintf(flags, sizeof(flags), "%s%s", vm->is_linux ? "linux" : "bare-metal",
			 vm->caps & BWPKG_CAP_CONTROL ? ",control" : "");
		printf("%-*s  %5u  %-10s %-26s %-10s %-10s %-14s ", w, vm->name, vm->vcpu_count,
		       cpu_list(list, sizeof(list), vm->cpu_mask), mem,
		       size_str(b, img[i].kernel.size),
		       img[i].initrd.size ? size_str(c, img[i].initrd.size) : "-", flags);
		if (vm->dev_count == 0)
			printf("-");
		for (unsigned d = 0; d < vm->dev_count; d++) {
			const struct sysdesc_dev *dev = &vm->devs[d];

			printf("%sdevice@%llx (%s", d ? ", " : "", (unsigned long long)dev->base,
			       size_str(a, dev->size));
			for (unsigned k = 0; k < dev->irq_count; k++)
				printf("%s%u", k ? " " : "; INTID ", dev->irqs[k]);
			printf(")");
		}
		printf("\n");
	}
}

/* Reads and checks one VM's kernel and initrd and builds its devicetree. */
static int load_vm(const struct options *opt, const struct sysdesc_vm *vm, struct vm_images *img)
{
	char path[SYSDESC_PATH_MAX + 4096], what[64], err[SYSDESC_ERR_MAX];
	bool kernel_full, initrd_full = true;
	int n;

	/*
	 * A file larger than the VM's RAM cannot fit: read only its first bytes
	 * and let the fit check below say so.
	 */
	snprintf(what, sizeof(what), "vm '%s': kernel", vm->name);
	if (resolve(path, sizeof(path), opt->base_dir, vm->kernel)) {
		error("%s: path too long", what);
		return -1;
	}
	if (read_file(what, path, vm->mem_size, SYSDESC_IMAGE_HEADER_SIZE, &img->kernel,
		      &kernel_full))
		return -1;
	if (vm->initrd[0] != '\0') {
		snprintf(what, sizeof(what), "vm '%s': initrd", vm->name);
		if (resolve(path, sizeof(path), opt->base_dir, vm->initrd)) {
			error("%s: path too long", what);
			return -1;
		}
		if (read_file(what, path, vm->mem_size, 1, &img->initrd, &initrd_full))
			return -1;
	}
	if (sysdesc_check_images(vm, img->kernel.data, (size_t)MIN(img->kernel.size, 64),
				 img->kernel.size, img->initrd.size, &img->layout, err,
				 sizeof(err))) {
		error("%s", err);
		return -1;
	}
	if (!kernel_full || !initrd_full) {
		/* Cannot happen: nothing larger than the VM's RAM fits in it. */
		error("vm '%s': internal error: an image larger than RAM passed the checks",
		      vm->name);
		return -1;
	}
	img->dtb.data = malloc(BWPKG_DTB_MAX);
	if (!img->dtb.data) {
		error("vm '%s': devicetree: out of memory", vm->name);
		return -1;
	}
	n = guestdt_build(vm, img->initrd.size, img->dtb.data, BWPKG_DTB_MAX);
	if (n < 0) {
		error("vm '%s': devicetree: cannot build it: %s", vm->name, fdt_strerror(n));
		return -1;
	}
	img->dtb.size = (uint64_t)n;
	return 0;
}

/* Scans for the package at a 4 KiB-aligned offset after the Image header. */
static int find_package(const struct blob *f, uint64_t *at)
{
	for (uint64_t off = BWPKG_BLOB_ALIGN; off + sizeof(struct bwpkg_header) <= f->size;
	     off += BWPKG_BLOB_ALIGN) {
		if (get_le64(f->data + off) == BWPKG_MAGIC) {
			*at = off;
			return 0;
		}
	}
	return -1;
}

/*
 * Checks the hypervisor image: an arm64 Image whose image_size is 4 KiB
 * aligned and covers the file, and that holds no package yet. Returns
 * image_size, or 0 after printing why.
 */
static uint64_t check_hyp(const char *path, const struct blob *hyp)
{
	struct sysdesc_image img;
	uint64_t at;

	if (sysdesc_parse_image(&img, hyp->data, (size_t)hyp->size)) {
		error("--hyp '%s': not an arm64 Image (no \"ARM\\x64\" magic at offset 56)", path);
		return 0;
	}
	if (img.flags & 1) {
		error("--hyp '%s': big-endian image", path);
		return 0;
	}
	if (img.image_size == 0 || img.image_size % BWPKG_BLOB_ALIGN != 0) {
		error("--hyp '%s': image_size 0x%llx in the Image header is not a non-zero "
		      "multiple of 4 KiB", path, (unsigned long long)img.image_size);
		return 0;
	}
	if (find_package(hyp, &at) == 0) {
		error("--hyp '%s': already holds a package (at offset 0x%llx); give the "
		      "hypervisor as built (build/bulwark.bin)", path, (unsigned long long)at);
		return 0;
	}
	if (img.image_size > HYP_MAX_SIZE) {
		error("--hyp '%s': image_size 0x%llx is larger than %llu MiB", path,
		      (unsigned long long)img.image_size, HYP_MAX_SIZE / MIB);
		return 0;
	}
	if (img.image_size < hyp->size) {
		error("--hyp '%s': the file (%llu bytes) is larger than its image_size (0x%llx); "
		      "is it already packed?", path, (unsigned long long)hyp->size,
		      (unsigned long long)img.image_size);
		return 0;
	}
	return img.image_size;
}

/* Where every blob goes: computed once, then written. */
struct pkg_plan {
	unsigned blob_count;
	uint64_t total_size; /* header to the end of the last blob */
	struct {
		const struct blob *b;
		uint32_t type;
		uint32_t vm;
		uint64_t offset;
	} blobs[BWPKG_MAX_BLOBS];
};

/* Gives each VM's kernel, initrd (if any) and devicetree a blob index and offset. */
static void plan_package(const struct sysdesc *sd, struct vm_images *img, struct pkg_plan *p)
{
	uint64_t off;

	p->blob_count = 0;
	for (unsigned i = 0; i < sd->vm_count; i++)
		p->blob_count += img[i].initrd.size ? 3 : 2;
	off = ALIGN_UP(PKG_TABLES_SIZE(sd->vm_count, p->blob_count), BWPKG_BLOB_ALIGN);
	p->blob_count = 0;
	p->total_size = 0;
	for (unsigned i = 0; i < sd->vm_count; i++) {
		const struct {
			const struct blob *b;
			uint32_t type;
			uint32_t *index;
		} blobs[3] = {
			{ &img[i].kernel, BWPKG_BLOB_KERNEL, &img[i].kernel_blob },
			{ &img[i].initrd, BWPKG_BLOB_INITRD, &img[i].initrd_blob },
			{ &img[i].dtb, BWPKG_BLOB_DTB, &img[i].dtb_blob },
		};

		img[i].initrd_blob = BWPKG_NO_BLOB;
		for (unsigned k = 0; k < 3; k++) {
			if (blobs[k].b->size == 0)
				continue;
			*blobs[k].index = p->blob_count;
			p->blobs[p->blob_count].b = blobs[k].b;
			p->blobs[p->blob_count].type = blobs[k].type;
			p->blobs[p->blob_count].vm = i;
			p->blobs[p->blob_count].offset = off;
			p->blob_count++;
			p->total_size = off + blobs[k].b->size;
			off = ALIGN_UP(p->total_size, BWPKG_BLOB_ALIGN);
		}
	}
}

/* Writes the package of plan `p` to `pkg` (p->total_size bytes, zeroed). */
static void write_package(const struct sysdesc *sd, const struct vm_images *img,
			  const struct pkg_plan *p, uint8_t *pkg)
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

	for (unsigned i = 0; i < sd->vm_count; i++) {
		const struct sysdesc_vm *vm = &sd->vms[i];
		uint8_t *v = pkg + sizeof(struct bwpkg_header) + i * sizeof(struct bwpkg_vm);

		memcpy(v + offsetof(struct bwpkg_vm, name), vm->name, strlen(vm->name));
		put_le32(v + offsetof(struct bwpkg_vm, vcpu_count), vm->vcpu_count);
		put_le32(v + offsetof(struct bwpkg_vm, caps), vm->caps);
		put_le64(v + offsetof(struct bwpkg_vm, cpu_mask), vm->cpu_mask);
		put_le64(v + offsetof(struct bwpkg_vm, mem_base), vm->mem_base);
		put_le64(v + offsetof(struct bwpkg_vm, mem_size), vm->mem_size);
		put_le32(v + offsetof(struct bwpkg_vm, kernel_blob), img[i].kernel_blob);
		put_le32(v + offsetof(struct bwpkg_vm, initrd_blob), img[i].initrd_blob);
		put_le32(v + offsetof(struct bwpkg_vm, dtb_blob), img[i].dtb_blob);
		put_le32(v + offsetof(struct bwpkg_vm, dev_count), vm->dev_count);
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
		put_le64(e + offsetof(struct bwpkg_blob, size), p->blobs[b].b->size);
		memcpy(pkg + p->blobs[b].offset, p->blobs[b].b->data, p->blobs[b].b->size);
	}
}

/* Writes `size` bytes to `path` through a temporary file renamed into place. */
static int write_output(const char *path, const uint8_t *data, uint64_t size)
{
	char tmp[4096];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		error("-o '%s': path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		error("-o: cannot create '%s': %s", tmp, strerror(errno));
		return -1;
	}
	for (uint64_t done = 0; done < size;) {
		ssize_t n = write(fd, data + done, size - done);

		if (n < 0) {
			error("-o: cannot write '%s': %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		done += (uint64_t)n;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		error("-o: cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int pack(const struct options *opt)
{
	static struct sysdesc sd;
	struct vm_images img[BWPKG_MAX_VMS] = { 0 };
	struct blob sys = { 0 }, hyp = { 0 };
	static struct pkg_plan plan;
	char err[SYSDESC_ERR_MAX], a[24], b[24];
	uint64_t hyp_image_size = 0, out_size, new_image_size;
	uint8_t *out = NULL;
	int ret = EXIT_DESC;
	bool full;

	if (read_file("--system", opt->system, SYSTEM_MAX_SIZE, 0, &sys, &full))
		goto done;
	if (sysdesc_parse(&sd, sys.data, (size_t)sys.size, &opt->host, err, sizeof(err))) {
		error("%s", err);
		goto done;
	}
	for (unsigned i = 0; i < sd.vm_count; i++) {
		if (load_vm(opt, &sd.vms[i], &img[i]))
			goto done;
	}
	if (opt->hyp) {
		if (read_file("--hyp", opt->hyp, HYP_MAX_SIZE, 0, &hyp, &full))
			goto done;
		hyp_image_size = check_hyp(opt->hyp, &hyp);
		if (hyp_image_size == 0)
			goto done;
	}
	plan_package(&sd, img, &plan);
	if (sysdesc_check_package(&sd, &opt->host, plan.total_size, err, sizeof(err))) {
		error("%s", err);
		goto done;
	}
	print_summary(&sd, img, &opt->host);
	if (opt->check_only) {
		printf("bwpack: package would be %s (--check-only: nothing written)\n",
		       size_str(a, plan.total_size));
		ret = 0;
		goto done;
	}

	/* Commit: [hypervisor padded to image_size][package]. */
	out_size = hyp_image_size + plan.total_size;
	new_image_size = ALIGN_UP(out_size, BWPKG_BLOB_ALIGN);
	out = calloc(1, out_size);
	if (!out) {
		error("-o: out of memory (%s)", size_str(a, out_size));
		goto done;
	}
	memcpy(out, hyp.data, hyp.size);
	put_le64(out + IMAGE_SIZE_OFFSET, new_image_size);
	write_package(&sd, img, &plan, out + hyp_image_size);
	if (write_output(opt->out, out, out_size))
		goto done;
	printf("bwpack: wrote %s: hypervisor %s + package %s at offset 0x%llx; "
	       "Image image_size now 0x%llx\n", opt->out, size_str(a, hyp_image_size),
	       size_str(b, plan.total_size), (unsigned long long)hyp_image_size,
	       (unsigned long long)new_image_size);
	ret = 0;
done:
	for (unsigned i = 0; i < BWPKG_MAX_VMS; i++) {
		free(img[i].kernel.data);
		free(img[i].initrd.data);
		free(img[i].dtb.data);
	}
	free(sys.data);
	free(hyp.data);
	free(out);
	return ret;
}

/* --- --dump: a strict decoder of packed images --------------------------- */

static const char *blob_type_name(uint32_t type)
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
	uint32_t vm_count = get_le32(pkg + offsetof(struct bwpkg_header, vm_count));

	if (ref == BWPKG_NO_BLOB && optional)
		return 0;
	if (ref >= blob_count) {
		snprintf(err, err_size, "vm %u: %s_blob %u is not a blob index (%u blobs)", vm,
			 blob_type_name(type), ref, blob_count);
		return -1;
	}
	e = bt + vm_count * sizeof(struct bwpkg_vm) + ref * sizeof(struct bwpkg_blob);
	if (get_le32(e + offsetof(struct bwpkg_blob, type)) != type ||
	    get_le32(e + offsetof(struct bwpkg_blob, vm)) != vm) {
		snprintf(err, err_size, "vm %u: %s_blob %u is not a %s blob of vm %u", vm,
			 blob_type_name(type), ref, blob_type_name(type), vm);
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
	uint32_t vm_count = get_le32(pkg + offsetof(struct bwpkg_header, vm_count));
	const uint8_t *e = pkg + PKG_TABLES_SIZE(vm_count, 0) + index * sizeof(struct bwpkg_blob);

	*size = get_le64(e + offsetof(struct bwpkg_blob, size));
	return pkg + get_le64(e + offsetof(struct bwpkg_blob, offset));
}

/*
 * What `sysdesc_parse()` checks, redone on the decoded VM table of a package
 * whose structure `check_package()` has checked: RAM and devices clear of
 * the emulated window, devices clear of RAM and of each other, interrupts
 * owned once; and every VM's images placed as the hypervisor will place them.
 */
static int check_vms(const uint8_t *pkg, char *err, size_t err_size)
{
	static struct sysdesc_vm vms[BWPKG_MAX_VMS];
	uint32_t vm_count = get_le32(pkg + offsetof(struct bwpkg_header, vm_count));
	const uint64_t mmio = SYSDESC_MMIO_BASE, mmio_size = SYSDESC_MMIO_END - SYSDESC_MMIO_BASE;

	memset(vms, 0, sizeof(vms));
	for (uint32_t i = 0; i < vm_count; i++) {
		const uint8_t *v = pkg + sizeof(struct bwpkg_header) + i * sizeof(struct bwpkg_vm);
		struct sysdesc_vm *vm = &vms[i];
		uint32_t initrd = get_le32(v + offsetof(struct bwpkg_vm, initrd_blob));
		uint32_t dtb = get_le32(v + offsetof(struct bwpkg_vm, dtb_blob));
		uint64_t ksize, isize = 0, dsize;
		const uint8_t *kdata = blob_data(pkg, get_le32(v + offsetof(struct bwpkg_vm, kernel_blob)),
						 &ksize);
		struct sysdesc_layout layout;

		memcpy(vm->name, v, BWPKG_NAME_LEN); /* checked: NUL-terminated */
		vm->mem_base = get_le64(v + offsetof(struct bwpkg_vm, mem_base));
		vm->mem_size = get_le64(v + offsetof(struct bwpkg_vm, mem_size));
		vm->dev_count = get_le32(v + offsetof(struct bwpkg_vm, dev_count));
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

			dev->base = get_le64(e + offsetof(struct bwpkg_dev, base));
			dev->size = get_le64(e + offsetof(struct bwpkg_dev, size));
			for (unsigned k = 0; k < BWPKG_MAX_DEV_IRQS; k++) {
				uint32_t irq = get_le32(e + offsetof(struct bwpkg_dev, irqs) + 4 * k);

				if (irq == 0)
					continue;
				if (k != dev->irq_count || irq == SYSDESC_UART_INTID) {
					snprintf(err, err_size, "vm %u '%.31s': device %u: interrupts are not "
						 "packed first, or one is the UART's", i, vm->name, d);
					return -1;
				}
				dev->irqs[dev->irq_count++] = irq;
			}
			if (ranges_overlap(dev->base, dev->size, mmio, mmio_size) ||
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

/*
 * Validates a package of at most `avail` bytes at `pkg`, as strictly as the
 * hypervisor must: every field, every range, no overlaps, no stray bytes in
 * the tables. Returns 0, or -1 with `err` filled.
 */
static int check_package(const uint8_t *pkg, uint64_t avail, char *err, size_t err_size)
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
	if (get_le64(h + offsetof(struct bwpkg_header, magic)) != BWPKG_MAGIC)
		BAD("header: bad magic");
	if (get_le32(h + offsetof(struct bwpkg_header, version)) != BWPKG_VERSION)
		BAD("header: version %u, expected %u",
		    get_le32(h + offsetof(struct bwpkg_header, version)), BWPKG_VERSION);
	if (get_le32(h + offsetof(struct bwpkg_header, header_size)) != sizeof(struct bwpkg_header) ||
	    get_le32(h + offsetof(struct bwpkg_header, vm_size)) != sizeof(struct bwpkg_vm) ||
	    get_le32(h + offsetof(struct bwpkg_header, blob_size)) != sizeof(struct bwpkg_blob))
		BAD("header: header_size, vm_size or blob_size does not match this ABI");
	if (get_le32(h + offsetof(struct bwpkg_header, flags)) != 0 ||
	    get_le32(h + offsetof(struct bwpkg_header, reserved)) != 0)
		BAD("header: flags and reserved must be 0");
	vm_count = get_le32(h + offsetof(struct bwpkg_header, vm_count));
	blob_count = get_le32(h + offsetof(struct bwpkg_header, blob_count));
	total = get_le64(h + offsetof(struct bwpkg_header, total_size));
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
		uint32_t type = get_le32(e + offsetof(struct bwpkg_blob, type));
		uint64_t off = get_le64(e + offsetof(struct bwpkg_blob, offset));
		uint64_t size = get_le64(e + offsetof(struct bwpkg_blob, size));

		if (!blob_type_name(type))
			BAD("blob %u: unknown type %u", b, type);
		if (get_le32(e + offsetof(struct bwpkg_blob, vm)) >= vm_count)
			BAD("blob %u: vm %u does not exist", b,
			    get_le32(e + offsetof(struct bwpkg_blob, vm)));
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
			uint64_t ooff = get_le64(f + offsetof(struct bwpkg_blob, offset));
			uint64_t osize = get_le64(f + offsetof(struct bwpkg_blob, size));

			if (off < ooff + osize && ooff < off + size)
				BAD("blob %u overlaps blob %u", b, o);
		}
	}

	for (uint32_t i = 0; i < vm_count; i++) {
		const uint8_t *v = vt + i * sizeof(struct bwpkg_vm);
		const char *name = (const char *)v;
		size_t nlen = strnlen(name, BWPKG_NAME_LEN);
		uint32_t vcpus = get_le32(v + offsetof(struct bwpkg_vm, vcpu_count));
		uint64_t mask = get_le64(v + offsetof(struct bwpkg_vm, cpu_mask));
		uint64_t base = get_le64(v + offsetof(struct bwpkg_vm, mem_base));
		uint64_t size = get_le64(v + offsetof(struct bwpkg_vm, mem_size));
		uint32_t devs = get_le32(v + offsetof(struct bwpkg_vm, dev_count));

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
		if (vcpus == 0 || vcpus > popcount64(mask) || vcpus > SYSDESC_MAX_VCPUS)
			BAD("vm %u '%s': vcpu_count %u is not 1..number of CPUs in cpu_mask (at "
			    "most %u)", i, name, vcpus, SYSDESC_MAX_VCPUS);
		if (mask & cpus)
			BAD("vm %u '%s': cpu_mask 0x%llx shares CPUs with an earlier VM", i, name,
			    (unsigned long long)mask);
		cpus |= mask;
		if (get_le32(v + offsetof(struct bwpkg_vm, caps)) & ~(uint32_t)BWPKG_CAP_CONTROL)
			BAD("vm %u '%s': unknown capability bits", i, name);
		if (size == 0 || size % SYSDESC_MEM_ALIGN || base % SYSDESC_MEM_ALIGN ||
		    base >= SYSDESC_ADDR_LIMIT || size > SYSDESC_ADDR_LIMIT - base)
			BAD("vm %u '%s': RAM 0x%llx + 0x%llx is not 2 MiB aligned within %d bits",
			    i, name, (unsigned long long)base, (unsigned long long)size,
			    SYSDESC_IPA_BITS);
		if (check_ref(pkg, blob_count, i, get_le32(v + offsetof(struct bwpkg_vm, kernel_blob)),
			      BWPKG_BLOB_KERNEL, false, used, err, err_size) ||
		    check_ref(pkg, blob_count, i, get_le32(v + offsetof(struct bwpkg_vm, initrd_blob)),
			      BWPKG_BLOB_INITRD, true, used, err, err_size) ||
		    check_ref(pkg, blob_count, i, get_le32(v + offsetof(struct bwpkg_vm, dtb_blob)),
			      BWPKG_BLOB_DTB, true, used, err, err_size))
			return -1;
		if (devs > BWPKG_MAX_DEVS)
			BAD("vm %u '%s': dev_count %u is above %d", i, name, devs, BWPKG_MAX_DEVS);
		for (uint32_t d = 0; d < BWPKG_MAX_DEVS; d++) {
			const uint8_t *e = v + offsetof(struct bwpkg_vm, devs) + d * sizeof(struct bwpkg_dev);
			uint64_t dbase = get_le64(e + offsetof(struct bwpkg_dev, base));
			uint64_t dsize = get_le64(e + offsetof(struct bwpkg_dev, size));

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
				uint32_t irq = get_le32(e + offsetof(struct bwpkg_dev, irqs) + 4 * k);

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

static int extract_blob(const char *dir, const char *vm, const char *type, const uint8_t *data,
			uint64_t size)
{
	char path[4096];
	FILE *f;

	/* `vm` was checked to be [a-z0-9_-]: it cannot leave `dir`. */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.%s", dir, vm, type) >= sizeof(path)) {
		error("--extract: path too long");
		return -1;
	}
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		error("--extract: cannot write '%s': %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	printf("  wrote %s\n", path);
	return 0;
}

static int dump(const struct options *opt)
{
	struct blob f = { 0 };
	struct sysdesc_image hdr;
	uint64_t at;
	char err[SYSDESC_ERR_MAX], a[24], list[200];
	int ret = EXIT_DESC;
	bool full;
	const uint8_t *pkg;
	uint32_t vm_count, blob_count;
	uint64_t total;

	if (read_file("--dump", opt->dump, DUMP_MAX_SIZE, 0, &f, &full))
		return EXIT_DESC;
	if (sysdesc_parse_image(&hdr, f.data, (size_t)f.size)) {
		error("--dump '%s': not an arm64 Image (no \"ARM\\x64\" magic at offset 56)",
		      opt->dump);
		goto done;
	}
	printf("image: %s, %llu bytes; Image header: text_offset 0x%llx, image_size 0x%llx, "
	       "flags 0x%llx\n", opt->dump, (unsigned long long)f.size,
	       (unsigned long long)hdr.text_offset, (unsigned long long)hdr.image_size,
	       (unsigned long long)hdr.flags);
	if (find_package(&f, &at)) {
		error("--dump '%s': no package (no \"BWLKPGK1\" header at a 4 KiB boundary)",
		      opt->dump);
		goto done;
	}
	pkg = f.data + at;
	if (check_package(pkg, f.size - at, err, sizeof(err))) {
		error("--dump '%s': package at 0x%llx: %s", opt->dump, (unsigned long long)at, err);
		goto done;
	}
	vm_count = get_le32(pkg + offsetof(struct bwpkg_header, vm_count));
	blob_count = get_le32(pkg + offsetof(struct bwpkg_header, blob_count));
	total = get_le64(pkg + offsetof(struct bwpkg_header, total_size));
	if (hdr.image_size != ALIGN_UP(at + total, BWPKG_BLOB_ALIGN)) {
		error("--dump '%s': image_size 0x%llx does not cover the package (expected 0x%llx)",
		      opt->dump, (unsigned long long)hdr.image_size,
		      (unsigned long long)ALIGN_UP(at + total, BWPKG_BLOB_ALIGN));
		goto done;
	}
	if (at + total != f.size)
		printf("note: %llu bytes after the package\n",
		       (unsigned long long)(f.size - at - total));
	printf("package: at offset 0x%llx, version %u, %u VMs, %u blobs, total_size 0x%llx (%s)\n",
	       (unsigned long long)at, BWPKG_VERSION, vm_count, blob_count,
	       (unsigned long long)total, size_str(a, total));
	for (uint32_t i = 0; i < vm_count; i++) {
		const uint8_t *v = pkg + sizeof(struct bwpkg_header) + i * sizeof(struct bwpkg_vm);
		uint32_t devs = get_le32(v + offsetof(struct bwpkg_vm, dev_count));
		uint32_t refs[3] = { get_le32(v + offsetof(struct bwpkg_vm, kernel_blob)),
				     get_le32(v + offsetof(struct bwpkg_vm, initrd_blob)),
				     get_le32(v + offsetof(struct bwpkg_vm, dtb_blob)) };

		printf("vm %u '%s': vcpus %u, cpus %s, memory 0x%llx + %s, caps 0x%x%s\n", i,
		       (const char *)v, get_le32(v + offsetof(struct bwpkg_vm, vcpu_count)),
		       cpu_list(list, sizeof(list), get_le64(v + offsetof(struct bwpkg_vm, cpu_mask))),
		       (unsigned long long)get_le64(v + offsetof(struct bwpkg_vm, mem_base)),
		       size_str(a, get_le64(v + offsetof(struct bwpkg_vm, mem_size))),
		       get_le32(v + offsetof(struct bwpkg_vm, caps)),
		       get_le32(v + offsetof(struct bwpkg_vm, caps)) & BWPKG_CAP_CONTROL ?
			       " (control)" : "");
		for (unsigned k = 0; k < 3; k++) {
			static const char *const names[3] = { "kernel", "initrd", "dtb" };

			if (refs[k] == BWPKG_NO_BLOB)
				printf("  %-6s none\n", names[k]);
			else
				printf("  %-6s blob %u\n", names[k], refs[k]);
		}
		for (uint32_t d = 0; d < devs; d++) {
			const uint8_t *e = v + offsetof(struct bwpkg_vm, devs) + d * sizeof(struct bwpkg_dev);

			printf("  device 0x%llx + %s, INTIDs",
			       (unsigned long long)get_le64(e + offsetof(struct bwpkg_dev, base)),
			       size_str(a, get_le64(e + offsetof(struct bwpkg_dev, size))));
			for (unsigned k = 0; k < BWPKG_MAX_DEV_IRQS; k++) {
				uint32_t irq = get_le32(e + offsetof(struct bwpkg_dev, irqs) + 4 * k);

				if (irq)
					printf(" %u", irq);
			}
			printf("\n");
		}
	}
	for (uint32_t b = 0; b < blob_count; b++) {
		const uint8_t *e = pkg + PKG_TABLES_SIZE(vm_count, 0) + b * sizeof(struct bwpkg_blob);
		uint32_t vm = get_le32(e + offsetof(struct bwpkg_blob, vm));
		uint64_t off = get_le64(e + offsetof(struct bwpkg_blob, offset));
		uint64_t size = get_le64(e + offsetof(struct bwpkg_blob, size));
		const char *type = blob_type_name(get_le32(e + offsetof(struct bwpkg_blob, type)));
		const char *name = (const char *)(pkg + sizeof(struct bwpkg_header) +
						  vm * sizeof(struct bwpkg_vm));

		printf("blob %u: %-6s of vm %u '%s', offset 0x%llx, %llu bytes\n", b, type, vm, name,
		       (unsigned long long)off, (unsigned long long)size);
		if (opt->extract && extract_blob(opt->extract, name, type, pkg + off, size))
			goto done;
	}
	ret = 0;
done:
	free(f.data);
	return ret;
}

/* --- Command line ---------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bwpack --system SYS.dtb --base-dir DIR [--host-cpus N] [--host-ram-mb M]\n"
		"              --hyp bulwark.bin -o OUT.bin\n"
		"       bwpack --system SYS.dtb --base-dir DIR [--host-cpus N] [--host-ram-mb M]\n"
		"              --check-only [--hyp bulwark.bin]\n"
		"       bwpack --dump OUT.bin [--extract DIR]\n"
		"\n"
		"  --system FILE     the system description, compiled by dtc\n"
		"  --base-dir DIR    where kernel and initrd paths in it are relative to\n"
		"                    (the directory of the .dts)\n"
		"  --host-cpus N     physical CPUs of the host, 1..64 (default 8)\n"
		"  --host-ram-mb M   host RAM in MiB, of which 64 are the hypervisor's (default 1024)\n"
		"  --hyp FILE        the hypervisor image (build/bulwark.bin)\n"
		"  -o FILE           the packed image to write\n"
		"  --check-only      validate and print the summary, write nothing\n"
		"  --dump FILE       decode and check a packed image\n"
		"  --extract DIR     with --dump: write each blob to DIR/VM.{kernel,initrd,dtb}\n"
		"\n"
		"Exit status: 0 on success, 1 on a description or input error, 2 on usage errors.\n"
		"The format is described in docs/configuration.md.\n");
}

static int parse_number(const char *opt, const char *s, uint64_t min, uint64_t max,
			uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	error("%s: '%s' is not a number from %llu to %llu", opt, s, (unsigned long long)min,
	      (unsigned long long)max);
	return -1;
}

int main(int argc, char **argv)
{
	enum { OPT_HYP = 256, OPT_SYSTEM, OPT_BASE_DIR, OPT_HOST_CPUS, OPT_HOST_RAM, OPT_CHECK,
	       OPT_DUMP, OPT_EXTRACT };
	static const struct option longopts[] = {
		{ "hyp", required_argument, NULL, OPT_HYP },
		{ "system", required_argument, NULL, OPT_SYSTEM },
		{ "base-dir", required_argument, NULL, OPT_BASE_DIR },
		{ "host-cpus", required_argument, NULL, OPT_HOST_CPUS },
		{ "host-ram-mb", required_argument, NULL, OPT_HOST_RAM },
		{ "check-only", no_argument, NULL, OPT_CHECK },
		{ "dump", required_argument, NULL, OPT_DUMP },
		{ "extract", required_argument, NULL, OPT_EXTRACT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options opt = { .host = { 8, 1024 } };
	uint64_t n;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HYP:
			opt.hyp = optarg;
			break;
		case OPT_SYSTEM:
			opt.system = optarg;
			break;
		case OPT_BASE_DIR:
			opt.base_dir = optarg;
			break;
		case OPT_HOST_CPUS:
			if (parse_number("--host-cpus", optarg, 1, SYSDESC_MAX_HOST_CPUS, &n))
				return EXIT_USAGE;
			opt.host.cpu_count = (unsigned)n;
			break;
		case OPT_HOST_RAM:
			if (parse_number("--host-ram-mb", optarg, SYSDESC_HYP_RESERVED_MB + 1,
					 1ULL << 40, &n))
				return EXIT_USAGE;
			opt.host.ram_mb = n;
			break;
		case OPT_CHECK:
			opt.check_only = true;
			break;
		case OPT_DUMP:
			opt.dump = optarg;
			break;
		case OPT_EXTRACT:
			opt.extract = optarg;
			break;
		case 'o':
			opt.out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (opt.dump) {
		if (opt.hyp || opt.system || opt.base_dir || opt.out || opt.check_only) {
			error("--dump takes only --extract");
			return EXIT_USAGE;
		}
		return dump(&opt);
	}
	if (opt.extract) {
		error("--extract needs --dump");
		return EXIT_USAGE;
	}
	if (!opt.system || !opt.base_dir) {
		error("--system and --base-dir are required (see --help)");
		return EXIT_USAGE;
	}
	if (opt.check_only ? opt.out != NULL : (!opt.hyp || !opt.out)) {
		error(opt.check_only ? "--check-only writes nothing: drop -o" :
				       "--hyp and -o are required (or --check-only)");
		return EXIT_USAGE;
	}
	return pack(&opt);
}
