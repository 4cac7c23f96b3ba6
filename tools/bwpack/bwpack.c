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

#include "pack.h"

#define EXIT_DESC 1
#define EXIT_USAGE 2

#define MIB (1ULL << 20)
#define SYSTEM_MAX_SIZE (1ULL << 20)  /* a system description blob */
#define DUMP_MAX_SIZE (4ULL << 30)    /* a packed image to --dump */

#define PKG_TABLES_SIZE(vms, blobs)                                                \
	(sizeof(struct bwpkg_header) + (uint64_t)(vms) * sizeof(struct bwpkg_vm) + \
	 (uint64_t)(blobs) * sizeof(struct bwpkg_blob))

/* A file read into memory. */
struct blob {
	uint8_t *data;
	uint64_t size;
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

/* A packed mitigation choice (checked), as the system description writes it. */
static void print_mitigations(const char *what, uint32_t code, bool vm)
{
	struct mitig_choice mc = { .profile = vm ? MITIG_PROFILE_SYSTEM : MITIG_PROFILE_BALANCED };
	char buf[128];

	if (code == 0) {
		printf("%s: %s\n", what, vm ? "the system's" : "not given (balanced by default)");
		return;
	}
	mitig_choice_decode(code, vm, &mc);
	mitig_choice_format(&mc, buf, sizeof(buf));
	printf("%s: %s (0x%08x)\n", what, buf, code);
}

static void print_summary(const struct sysdesc *sd, const struct pack_input *in,
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
		       size_str(b, in->kernel[i].size),
		       in->initrd[i].size ? size_str(c, in->initrd[i].size) : "-", flags);
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
	if (sd->mitigations)
		print_mitigations("mitigations", sd->mitigations, false);
	for (unsigned i = 0; i < sd->vm_count; i++) {
		char what[64];

		if (!sd->vms[i].mitigations)
			continue;
		snprintf(what, sizeof(what), "mitigations of vm '%s'", sd->vms[i].name);
		print_mitigations(what, sd->vms[i].mitigations, true);
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

/* Reads one VM's kernel and initrd. A file larger than the VM's RAM cannot
 * fit: only its first bytes are read, and pack_build() says so. */
static int read_vm_files(const struct options *opt, const struct sysdesc_vm *vm,
			 struct blob *kernel, struct blob *initrd, struct pack_input *in, unsigned i)
{
	char path[SYSDESC_PATH_MAX + 4096], what[64];
	bool full;

	snprintf(what, sizeof(what), "vm '%s': kernel", vm->name);
	if (resolve(path, sizeof(path), opt->base_dir, vm->kernel)) {
		error("%s: path too long", what);
		return -1;
	}
	if (read_file(what, path, vm->mem_size, SYSDESC_IMAGE_HEADER_SIZE, kernel, &full))
		return -1;
	in->kernel[i] = (struct pack_file){ kernel->data, kernel->size,
					    full ? kernel->size : MIN(kernel->size, SYSDESC_IMAGE_HEADER_SIZE) };
	if (vm->initrd[0] == '\0')
		return 0;
	snprintf(what, sizeof(what), "vm '%s': initrd", vm->name);
	if (resolve(path, sizeof(path), opt->base_dir, vm->initrd)) {
		error("%s: path too long", what);
		return -1;
	}
	if (read_file(what, path, vm->mem_size, 1, initrd, &full))
		return -1;
	in->initrd[i] = (struct pack_file){ initrd->data, initrd->size,
					    full ? initrd->size : MIN(initrd->size, 1) };
	return 0;
}

static int pack(const struct options *opt)
{
	static struct sysdesc sd;
	static struct pack_input in;
	struct blob kernel[BWPKG_MAX_VMS] = { 0 }, initrd[BWPKG_MAX_VMS] = { 0 };
	struct blob sys = { 0 }, hyp = { 0 };
	struct pack_output out = { 0 };
	char err[SYSDESC_ERR_MAX], a[24], b[24];
	int ret = EXIT_DESC;
	bool full;

	memset(&in, 0, sizeof(in));
	if (read_file("--system", opt->system, SYSTEM_MAX_SIZE, 0, &sys, &full))
		goto done;
	if (sysdesc_parse(&sd, sys.data, (size_t)sys.size, &opt->host, err, sizeof(err))) {
		error("%s", err);
		goto done;
	}
	in.sd = &sd;
	in.host = &opt->host;
	for (unsigned i = 0; i < sd.vm_count; i++) {
		if (read_vm_files(opt, &sd.vms[i], &kernel[i], &initrd[i], &in, i))
			goto done;
	}
	if (opt->hyp) {
		if (read_file("--hyp", opt->hyp, PACK_HYP_MAX_SIZE, 0, &hyp, &full))
			goto done;
		in.hyp = (struct pack_file){ hyp.data, hyp.size, hyp.size };
		in.hyp_name = opt->hyp;
	}
	if (pack_build(&in, !opt->check_only, &out, err, sizeof(err))) {
		error("%s", err);
		goto done;
	}
	print_summary(&sd, &in, &opt->host);
	if (opt->check_only) {
		printf("bwpack: package would be %s (--check-only: nothing written)\n",
		       size_str(a, out.package_size));
		ret = 0;
		goto done;
	}
	if (write_output(opt->out, out.image, out.image_size))
		goto done;
	printf("bwpack: wrote %s: hypervisor %s + package %s at offset 0x%llx; "
	       "Image image_size now 0x%llx\n", opt->out, size_str(a, out.hyp_image_size),
	       size_str(b, out.package_size), (unsigned long long)out.hyp_image_size,
	       (unsigned long long)out.new_image_size);
	ret = 0;
done:
	for (unsigned i = 0; i < BWPKG_MAX_VMS; i++) {
		free(kernel[i].data);
		free(initrd[i].data);
	}
	free(sys.data);
	free(hyp.data);
	pack_output_free(&out);
	return ret;
}

/* --- --dump: a strict decoder of packed images --------------------------- */

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
	if (pack_find_package(f.data, f.size, &at)) {
		error("--dump '%s': no package (no \"BWLKPGK1\" header at a 4 KiB boundary)",
		      opt->dump);
		goto done;
	}
	pkg = f.data + at;
	if (pack_check_package(pkg, f.size - at, err, sizeof(err))) {
		error("--dump '%s': package at 0x%llx: %s", opt->dump, (unsigned long long)at, err);
		goto done;
	}
	vm_count = pack_get_le32(pkg + offsetof(struct bwpkg_header, vm_count));
	blob_count = pack_get_le32(pkg + offsetof(struct bwpkg_header, blob_count));
	total = pack_get_le64(pkg + offsetof(struct bwpkg_header, total_size));
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
	print_mitigations("system", pack_get_le32(pkg + offsetof(struct bwpkg_header, mitigations)),
			  false);
	for (uint32_t i = 0; i < vm_count; i++) {
		const uint8_t *v = pkg + sizeof(struct bwpkg_header) + i * sizeof(struct bwpkg_vm);
		uint32_t devs = pack_get_le32(v + offsetof(struct bwpkg_vm, dev_count));
		uint32_t refs[3] = { pack_get_le32(v + offsetof(struct bwpkg_vm, kernel_blob)),
				     pack_get_le32(v + offsetof(struct bwpkg_vm, initrd_blob)),
				     pack_get_le32(v + offsetof(struct bwpkg_vm, dtb_blob)) };

		printf("vm %u '%s': vcpus %u, cpus %s, memory 0x%llx + %s, caps 0x%x%s\n", i,
		       (const char *)v, pack_get_le32(v + offsetof(struct bwpkg_vm, vcpu_count)),
		       cpu_list(list, sizeof(list), pack_get_le64(v + offsetof(struct bwpkg_vm, cpu_mask))),
		       (unsigned long long)pack_get_le64(v + offsetof(struct bwpkg_vm, mem_base)),
		       size_str(a, pack_get_le64(v + offsetof(struct bwpkg_vm, mem_size))),
		       pack_get_le32(v + offsetof(struct bwpkg_vm, caps)),
		       pack_get_le32(v + offsetof(struct bwpkg_vm, caps)) & BWPKG_CAP_CONTROL ?
			       " (control)" : "");
		print_mitigations("  mitigations",
				  pack_get_le32(v + offsetof(struct bwpkg_vm, mitigations)), true);
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
			       (unsigned long long)pack_get_le64(e + offsetof(struct bwpkg_dev, base)),
			       size_str(a, pack_get_le64(e + offsetof(struct bwpkg_dev, size))));
			for (unsigned k = 0; k < BWPKG_MAX_DEV_IRQS; k++) {
				uint32_t irq = pack_get_le32(e + offsetof(struct bwpkg_dev, irqs) + 4 * k);

				if (irq)
					printf(" %u", irq);
			}
			printf("\n");
		}
	}
	for (uint32_t b = 0; b < blob_count; b++) {
		const uint8_t *e = pkg + PKG_TABLES_SIZE(vm_count, 0) + b * sizeof(struct bwpkg_blob);
		uint32_t vm = pack_get_le32(e + offsetof(struct bwpkg_blob, vm));
		uint64_t off = pack_get_le64(e + offsetof(struct bwpkg_blob, offset));
		uint64_t size = pack_get_le64(e + offsetof(struct bwpkg_blob, size));
		const char *type = pack_blob_type_name(pack_get_le32(e + offsetof(struct bwpkg_blob, type)));
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
