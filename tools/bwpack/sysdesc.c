/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser and validator of the system description (docs/configuration.md).
 *
 * The blob is untrusted: libfdt's `fdt_check_full()` validates its structure
 * first, then every property is looked at exactly once, checked for its
 * length and value, and copied into `struct sysdesc`. Unknown or repeated
 * properties and nodes are errors, so a typo cannot silently drop a setting.
 * Cross-VM checks (CPUs, device ranges, interrupts, total RAM) compare each
 * VM with the ones before it, so the message names the later VM and the
 * earlier owner.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "sysdesc.h"

#define MIB (1ULL << 20)

/* The properties a VM node may have, indexed by `enum vm_prop`. */
enum vm_prop {
	VP_VCPUS,
	VP_CPUS,
	VP_MEMORY_SIZE,
	VP_MEMORY_BASE,
	VP_KERNEL,
	VP_INITRD,
	VP_BOOTARGS,
	VP_LINUX,
	VP_CAPABILITIES,
	VP_MITIGATIONS,
	VP_ADDRESS_CELLS,
	VP_SIZE_CELLS,
	VP_COUNT,
};

static const char *const vm_prop_names[VP_COUNT] = {
	[VP_VCPUS] = "vcpus",
	[VP_CPUS] = "cpus",
	[VP_MEMORY_SIZE] = "memory-size",
	[VP_MEMORY_BASE] = "memory-base",
	[VP_KERNEL] = "kernel",
	[VP_INITRD] = "initrd",
	[VP_BOOTARGS] = "bootargs",
	[VP_LINUX] = "linux",
	[VP_CAPABILITIES] = "capabilities",
	[VP_MITIGATIONS] = "mitigations",
	[VP_ADDRESS_CELLS] = "#address-cells",
	[VP_SIZE_CELLS] = "#size-cells",
};

enum dev_prop {
	DP_REG,
	DP_INTERRUPTS,
	DP_COUNT,
};

static const char *const dev_prop_names[DP_COUNT] = {
	[DP_REG] = "reg",
	[DP_INTERRUPTS] = "interrupts",
};

/* Known capability strings, bit i = 1 << i. */
static const char *const cap_names[] = { "control" };

/* One property's value, found while scanning a node. */
struct raw_prop {
	const uint8_t *data;
	int len;
	bool present;
};

/* Where messages go and which VM (if any) they are about. */
struct ctx {
	const void *fdt;
	const struct sysdesc_host *host;
	char *err;
	size_t err_size;
	const char *vm; /* validated VM name, or NULL */
};

/* Printable form of a name taken from the blob: at most 64 characters,
 * anything outside printable ASCII or a quote as \xNN. */
struct quoted {
	char s[64 * 4 + 8];
};

static const char *quote(struct quoted *q, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == 64) {
			memcpy(q->s + o, "...", 3);
			o += 3;
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\') {
			q->s[o++] = (char)ch;
		} else {
			snprintf(q->s + o, 5, "\\x%02x", ch);
			o += 4;
		}
	}
	q->s[o] = '\0';
	return q->s;
}

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (c->err_size == 0)
		return -1;
	if (c->vm)
		n = snprintf(c->err, c->err_size, "vm '%s': ", c->vm);
	if (n < 0 || (size_t)n >= c->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->err_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

const char *sysdesc_format_size(char *buf, size_t size, uint64_t bytes)
{
	static const struct {
		uint64_t unit;
		const char *name;
	} units[] = { { 1ULL << 30, "GiB" }, { 1ULL << 20, "MiB" }, { 1ULL << 10, "KiB" } };

	/* Exact if possible: the largest unit that gives a whole number or one exact decimal. */
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		uint64_t unit = units[i].unit, whole = bytes / unit, rem = bytes % unit;

		if (whole == 0)
			continue;
		if (rem == 0) {
			snprintf(buf, size, "%llu %s", (unsigned long long)whole, units[i].name);
			return buf;
		}
		if (rem * 10 % unit == 0) {
			snprintf(buf, size, "%llu.%llu %s", (unsigned long long)whole,
				 (unsigned long long)(rem * 10 / unit), units[i].name);
			return buf;
		}
	}
	if (bytes < 1024) {
		snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
		return buf;
	}
	/*
	 * Otherwise one decimal in the largest unit, rounded up, so that a size
	 * over a limit never prints as equal to it.
	 */
	for (size_t i = 0;; i++) {
		uint64_t unit = units[i].unit, whole = bytes / unit;
		uint64_t tenths = ((bytes % unit) * 10 + unit - 1) / unit;

		if (whole == 0)
			continue;
		if (tenths == 10) {
			whole++;
			tenths = 0;
		}
		snprintf(buf, size, "%llu.%llu %s", (unsigned long long)whole,
			 (unsigned long long)tenths, units[i].name);
		return buf;
	}
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	/* Both ranges are known not to wrap. */
	return a < b + b_size && b < a + a_size;
}

/*
 * Checks that a property holds exactly one NUL-terminated string of
 * 1..max-1 bytes (0..max-1 when `may_be_empty`) and copies it to `out`.
 */
static int get_string(struct ctx *c, const char *prop, const struct raw_prop *p, char *out,
		      size_t max, bool may_be_empty)
{
	size_t len;

	if (p->len < 1 || p->data[p->len - 1] != '\0' ||
	    (len = strlen((const char *)p->data)) != (size_t)p->len - 1)
		return fail(c, "%s: must be one string", prop);
	if (len == 0 && !may_be_empty)
		return fail(c, "%s: must not be empty", prop);
	if (len >= max)
		return fail(c, "%s: longer than %zu bytes", prop, max - 1);
	memcpy(out, p->data, len + 1);
	return 0;
}

static int get_u64(struct ctx *c, const char *prop, const struct raw_prop *p, uint64_t *v)
{
	if (p->len != 8)
		return fail(c, "%s: must be two cells <hi lo> (got %d bytes)", prop, p->len);
	*v = be64(p->data);
	return 0;
}

/*
 * Scans the properties of `node` into `raw` (indexed like `names`): every
 * property must be known and appear once. `what` prefixes messages (e.g.
 * "device@9010000: "), or is "".
 */
static int scan_props(struct ctx *c, int node, const char *what, const char *const *names,
		      unsigned count, struct raw_prop *raw)
{
	int prop;

	memset(raw, 0, sizeof(*raw) * count);
	fdt_for_each_property_offset(prop, c->fdt, node) {
		const char *name;
		int len;
		const void *data = fdt_getprop_by_offset(c->fdt, prop, &name, &len);
		unsigned i;
		struct quoted q;

		if (!data || !name)
			return fail(c, "%smalformed property (%s)", what, fdt_strerror(len));
		for (i = 0; i < count; i++) {
			if (strcmp(name, names[i]) == 0)
				break;
		}
		if (i == count)
			return fail(c, "%sunknown property '%s'", what, quote(&q, name, strlen(name)));
		if (raw[i].present)
			return fail(c, "%sproperty '%s' appears twice", what, names[i]);
		raw[i] = (struct raw_prop){ data, len, true };
	}
	if (prop != -FDT_ERR_NOTFOUND)
		return fail(c, "%smalformed node (%s)", what, fdt_strerror(prop));
	return 0;
}

static int parse_cpus(struct ctx *c, const struct sysdesc *sd, struct sysdesc_vm *vm,
		      const struct raw_prop *raw)
{
	const struct raw_prop *p = &raw[VP_CPUS];
	const struct raw_prop *v = &raw[VP_VCPUS];

	if (!v->present)
		return fail(c, "vcpus: missing (required)");
	if (v->len != 4)
		return fail(c, "vcpus: must be one cell <N> (got %d bytes)", v->len);
	vm->vcpu_count = be32(v->data);
	if (vm->vcpu_count == 0)
		return fail(c, "vcpus: must be at least 1");
	if (vm->vcpu_count > SYSDESC_MAX_VCPUS)
		return fail(c, "vcpus: %u is more than the %u vCPUs a VM can have", vm->vcpu_count,
			    SYSDESC_MAX_VCPUS);

	if (!p->present)
		return fail(c, "cpus: missing (required)");
	if (p->len == 0 || p->len % 4 != 0)
		return fail(c, "cpus: must be a list of CPU indices <c0 c1 ...> (got %d bytes)",
			    p->len);
	for (int i = 0; i < p->len; i += 4) {
		uint32_t cpu = be32(p->data + i);

		if (cpu >= c->host->cpu_count)
			return fail(c, "cpus: CPU %u does not exist (the host has %u CPU%s, "
				    "--host-cpus)", cpu, c->host->cpu_count,
				    c->host->cpu_count == 1 ? "" : "s");
		if (vm->cpu_mask & (1ULL << cpu))
			return fail(c, "cpus: CPU %u is listed twice", cpu);
		for (unsigned j = 0; j < sd->vm_count; j++) {
			if (sd->vms[j].cpu_mask & (1ULL << cpu))
				return fail(c, "cpus: CPU %u is already given to vm '%s'", cpu,
					    sd->vms[j].name);
		}
		vm->cpu_mask |= 1ULL << cpu;
		vm->cpu_count++;
	}
	if (vm->vcpu_count > vm->cpu_count)
		return fail(c, "vcpus: %u vCPUs need at least as many CPUs, but cpus lists %u",
			    vm->vcpu_count, vm->cpu_count);
	return 0;
}

static int parse_memory(struct ctx *c, struct sysdesc *sd, struct sysdesc_vm *vm,
			const struct raw_prop *raw)
{
	uint64_t avail = (c->host->ram_mb - SYSDESC_HYP_RESERVED_MB) * MIB;
	char a[24];

	if (!raw[VP_MEMORY_SIZE].present)
		return fail(c, "memory-size: missing (required)");
	if (get_u64(c, "memory-size", &raw[VP_MEMORY_SIZE], &vm->mem_size))
		return -1;
	if (vm->mem_size == 0)
		return fail(c, "memory-size: must not be 0");
	if (vm->mem_size % SYSDESC_MEM_ALIGN != 0)
		return fail(c, "memory-size: 0x%llx is not a multiple of 2 MiB",
			    (unsigned long long)vm->mem_size);
	if (vm->mem_size < SYSDESC_MEM_MIN)
		return fail(c, "memory-size: %s is less than the 6 MiB a VM needs (2 MiB below the "
			    "kernel, 2 MiB for it at least, 2 MiB for the devicetree)",
			    sysdesc_format_size(a, sizeof(a), vm->mem_size));

	vm->mem_base = SYSDESC_DEFAULT_MEM_BASE;
	if (raw[VP_MEMORY_BASE].present) {
		if (get_u64(c, "memory-base", &raw[VP_MEMORY_BASE], &vm->mem_base))
			return -1;
		if (vm->mem_base % SYSDESC_MEM_ALIGN != 0)
			return fail(c, "memory-base: 0x%llx is not 2 MiB aligned",
				    (unsigned long long)vm->mem_base);
	}
	if (vm->mem_base >= SYSDESC_ADDR_LIMIT || vm->mem_size > SYSDESC_ADDR_LIMIT - vm->mem_base)
		return fail(c, "memory-size: RAM at 0x%llx of 0x%llx bytes does not end within the "
			    "%d-bit guest-physical address space",
			    (unsigned long long)vm->mem_base, (unsigned long long)vm->mem_size,
			    SYSDESC_IPA_BITS);
	if (ranges_overlap(vm->mem_base, vm->mem_size, SYSDESC_MMIO_BASE,
			   SYSDESC_MMIO_END - SYSDESC_MMIO_BASE))
		return fail(c, "memory-base: RAM 0x%llx-0x%llx overlaps the emulated devices "
			    "(GIC, UART, management) at 0x%llx-0x%llx",
			    (unsigned long long)vm->mem_base,
			    (unsigned long long)(vm->mem_base + vm->mem_size),
			    SYSDESC_MMIO_BASE, SYSDESC_MMIO_END);
	if (vm->mem_size > avail - sd->mem_total)
		return fail(c, "memory-size: the VMs need %s of RAM up to this one, more than the "
			    "%llu MiB the host has for VMs (--host-ram-mb %llu less %llu MiB for "
			    "the hypervisor)",
			    sysdesc_format_size(a, sizeof(a), sd->mem_total + vm->mem_size),
			    (unsigned long long)(avail / MIB), (unsigned long long)c->host->ram_mb,
			    SYSDESC_HYP_RESERVED_MB);
	return 0;
}

static int parse_strings(struct ctx *c, struct sysdesc_vm *vm, const struct raw_prop *raw)
{
	if (!raw[VP_KERNEL].present)
		return fail(c, "kernel: missing (required)");
	if (get_string(c, "kernel", &raw[VP_KERNEL], vm->kernel, sizeof(vm->kernel), false))
		return -1;
	if (raw[VP_INITRD].present &&
	    get_string(c, "initrd", &raw[VP_INITRD], vm->initrd, sizeof(vm->initrd), false))
		return -1;
	if (raw[VP_LINUX].present) {
		if (raw[VP_LINUX].len != 0)
			return fail(c, "linux: is a flag and takes no value");
		vm->is_linux = true;
	}
	if (raw[VP_BOOTARGS].present) {
		if (get_string(c, "bootargs", &raw[VP_BOOTARGS], vm->bootargs,
			       sizeof(vm->bootargs), true))
			return -1;
		vm->has_bootargs = true;
	}
	for (int i = VP_ADDRESS_CELLS; i <= VP_SIZE_CELLS; i++) {
		if (raw[i].present && (raw[i].len != 4 || be32(raw[i].data) != 2))
			return fail(c, "%s: must be <2> (two cells, as in device reg)",
				    vm_prop_names[i]);
	}
	return 0;
}

static int parse_caps(struct ctx *c, struct sysdesc_vm *vm, const struct raw_prop *p)
{
	if (!p->present)
		return 0;
	if (p->len < 2 || p->data[p->len - 1] != '\0')
		return fail(c, "capabilities: must be a list of strings");
	for (int at = 0; at < p->len;) {
		const char *s = (const char *)p->data + at;
		size_t len = strlen(s);
		unsigned i;
		struct quoted q;

		if (len == 0)
			return fail(c, "capabilities: empty string in the list");
		for (i = 0; i < ARRAY_SIZE(cap_names); i++) {
			if (strcmp(s, cap_names[i]) == 0)
				break;
		}
		if (i == ARRAY_SIZE(cap_names))
			return fail(c, "capabilities: unknown capability '%s' (known: \"control\")",
				    quote(&q, s, len));
		if (vm->caps & (1u << i))
			return fail(c, "capabilities: '%s' is listed twice", cap_names[i]);
		vm->caps |= 1u << i;
		at += (int)len + 1;
	}
	return 0;
}

/*
 * A `mitigations` string (docs/mitigations.md), the system's (@vm NULL) or a
 * VM's, parsed by the hypervisor's own parser; packed into *@code.
 */
static int parse_mitigations(struct ctx *c, const struct raw_prop *p, bool vm, uint32_t *code)
{
	char s[128], why[96];
	struct mitig_choice mc = { .profile = vm ? MITIG_PROFILE_SYSTEM : MITIG_PROFILE_BALANCED };
	const char *where = vm ? "" : "/: ";
	uint32_t bad;

	*code = 0;
	if (!p->present)
		return 0;
	if (p->len < 1 || p->data[p->len - 1] != '\0' ||
	    strlen((const char *)p->data) != (size_t)p->len - 1)
		return fail(c, "%smitigations: must be one string", where);
	if ((size_t)p->len > sizeof(s))
		return fail(c, "%smitigations: longer than %zu bytes", where, sizeof(s) - 1);
	memcpy(s, p->data, (size_t)p->len);
	if (mitig_parse(s, strlen(s), &mc, why, sizeof(why)))
		return fail(c, "%smitigations: %s", where, why);
	bad = (mc.force_on | mc.force_off) & ~(vm ? MITIG_MOD_PER_VM : MITIG_MOD_ALL);
	if (bad)
		return fail(c, "mitigations: '%s' is the system's, not a VM's (set it in the "
			    "root node's mitigations)",
			    mitig_module_name((enum mitig_module)__builtin_ctz(bad)));
	*code = mitig_choice_encode(&mc);
	return 0;
}

/* Checks a device's interrupts against its own VM's and earlier VMs' devices. */
static int parse_irqs(struct ctx *c, const struct sysdesc *sd, const struct sysdesc_vm *vm,
		      struct sysdesc_dev *dev, const char *dname, const struct raw_prop *p)
{
	if (!p->present)
		return 0;
	if (p->len == 0 || p->len % 4 != 0)
		return fail(c, "%s: interrupts: must be a list of SPI INTIDs <32 ...> (got %d bytes)",
			    dname, p->len);
	if (p->len / 4 > BWPKG_MAX_DEV_IRQS)
		return fail(c, "%s: interrupts: %d given, at most %d per device", dname, p->len / 4,
			    BWPKG_MAX_DEV_IRQS);
	for (int i = 0; i < p->len; i += 4) {
		uint32_t irq = be32(p->data + i);

		if (irq < SYSDESC_SPI_MIN || irq > SYSDESC_SPI_MAX)
			return fail(c, "%s: interrupts: INTID %u is not an SPI (%u..%u)", dname, irq,
				    SYSDESC_SPI_MIN, SYSDESC_SPI_MAX);
		if (irq == SYSDESC_UART_INTID)
			return fail(c, "%s: interrupts: INTID %u is the emulated UART's", dname, irq);
		if (irq == SYSDESC_SHUTDOWN_INTID)
			return fail(c, "%s: interrupts: INTID %u is the shutdown request's", dname,
				    irq);
		for (unsigned k = 0; k < dev->irq_count; k++) {
			if (dev->irqs[k] == irq)
				return fail(c, "%s: interrupts: INTID %u is listed twice", dname, irq);
		}
		for (unsigned d = 0; d < vm->dev_count; d++) {
			for (unsigned k = 0; k < vm->devs[d].irq_count; k++) {
				if (vm->devs[d].irqs[k] == irq)
					return fail(c, "%s: interrupts: INTID %u is already given to "
						    "device@%llx", dname, irq,
						    (unsigned long long)vm->devs[d].base);
			}
		}
		for (unsigned v = 0; v < sd->vm_count; v++) {
			const struct sysdesc_vm *o = &sd->vms[v];

			for (unsigned d = 0; d < o->dev_count; d++) {
				for (unsigned k = 0; k < o->devs[d].irq_count; k++) {
					if (o->devs[d].irqs[k] == irq)
						return fail(c, "%s: interrupts: INTID %u is already "
							    "given to vm '%s' (device@%llx)", dname,
							    irq, o->name,
							    (unsigned long long)o->devs[d].base);
				}
			}
		}
		dev->irqs[dev->irq_count++] = irq;
	}
	return 0;
}

static int parse_device(struct ctx *c, const struct sysdesc *sd, struct sysdesc_vm *vm,
			int node)
{
	struct raw_prop raw[DP_COUNT];
	struct sysdesc_dev dev = { 0 };
	struct quoted q;
	char what[sizeof(q.s) + 4];
	char expect[32];
	int len, sub;
	const char *name = fdt_get_name(c->fdt, node, &len);
	const char *dname;

	if (!name)
		return fail(c, "malformed node (%s)", fdt_strerror(len));
	dname = quote(&q, name, (size_t)len);
	if (strncmp(name, "device@", 7) != 0)
		return fail(c, "unknown node '%s' (devices are device@ADDR)", dname);
	if (vm->dev_count == BWPKG_MAX_DEVS)
		return fail(c, "%s: more than %d devices", dname, BWPKG_MAX_DEVS);
	snprintf(what, sizeof(what), "%s: ", dname);
	if (scan_props(c, node, what, dev_prop_names, DP_COUNT, raw))
		return -1;
	fdt_for_each_subnode(sub, c->fdt, node) {
		struct quoted qs;
		int slen;
		const char *sname = fdt_get_name(c->fdt, sub, &slen);

		return fail(c, "%s: unknown node '%s'", dname,
			    sname ? quote(&qs, sname, (size_t)slen) : "?");
	}
	if (sub != -FDT_ERR_NOTFOUND)
		return fail(c, "%s: malformed node (%s)", dname, fdt_strerror(sub));

	if (!raw[DP_REG].present)
		return fail(c, "%s: reg: missing (required)", dname);
	if (raw[DP_REG].len != 16)
		return fail(c, "%s: reg: must be one range <base-hi base-lo size-hi size-lo> "
			    "(got %d bytes)", dname, raw[DP_REG].len);
	dev.base = be64(raw[DP_REG].data);
	dev.size = be64(raw[DP_REG].data + 8);
	snprintf(expect, sizeof(expect), "device@%llx", (unsigned long long)dev.base);
	if (strcmp(name, expect) != 0)
		return fail(c, "%s: unit address does not match reg (name it %s)", dname, expect);
	if (dev.size == 0)
		return fail(c, "%s: reg: size must not be 0", dname);
	if (dev.base % SYSDESC_PAGE_SIZE != 0)
		return fail(c, "%s: reg: base 0x%llx is not 4 KiB aligned", dname,
			    (unsigned long long)dev.base);
	if (dev.size % SYSDESC_PAGE_SIZE != 0)
		return fail(c, "%s: reg: size 0x%llx is not a multiple of 4 KiB", dname,
			    (unsigned long long)dev.size);
	if (dev.base >= SYSDESC_ADDR_LIMIT || dev.size > SYSDESC_ADDR_LIMIT - dev.base)
		return fail(c, "%s: reg: range does not end within the %d-bit guest-physical "
			    "address space", dname, SYSDESC_IPA_BITS);
	if (bwpkg_overlaps_emulated(dev.base, dev.size))
		return fail(c, "%s: reg: 0x%llx-0x%llx overlaps an emulated device (%s)", dname,
			    (unsigned long long)dev.base, (unsigned long long)(dev.base + dev.size),
			    BWPKG_EMUL_RANGES);
	if (ranges_overlap(dev.base, dev.size, vm->mem_base, vm->mem_size))
		return fail(c, "%s: reg: 0x%llx-0x%llx overlaps the VM's RAM at 0x%llx-0x%llx",
			    dname, (unsigned long long)dev.base,
			    (unsigned long long)(dev.base + dev.size),
			    (unsigned long long)vm->mem_base,
			    (unsigned long long)(vm->mem_base + vm->mem_size));
	for (unsigned d = 0; d < vm->dev_count; d++) {
		if (ranges_overlap(dev.base, dev.size, vm->devs[d].base, vm->devs[d].size))
			return fail(c, "%s: reg: overlaps device@%llx of the same VM", dname,
				    (unsigned long long)vm->devs[d].base);
	}
	for (unsigned v = 0; v < sd->vm_count; v++) {
		const struct sysdesc_vm *o = &sd->vms[v];

		for (unsigned d = 0; d < o->dev_count; d++) {
			if (ranges_overlap(dev.base, dev.size, o->devs[d].base, o->devs[d].size))
				return fail(c, "%s: reg: overlaps device@%llx, already given to "
					    "vm '%s'", dname, (unsigned long long)o->devs[d].base,
					    o->name);
		}
	}
	if (parse_irqs(c, sd, vm, &dev, dname, &raw[DP_INTERRUPTS]))
		return -1;
	vm->devs[vm->dev_count++] = dev;
	return 0;
}

static bool valid_vm_name(const char *name, int len)
{
	if (len < 1 || len >= BWPKG_NAME_LEN)
		return false;
	for (int i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-'))
			return false;
	}
	return true;
}

/* Parses VM node `node` into sd->vms[sd->vm_count]; the caller counts it. */
static int parse_vm(struct ctx *c, struct sysdesc *sd, int node)
{
	struct sysdesc_vm *vm = &sd->vms[sd->vm_count];
	struct raw_prop raw[VP_COUNT];
	int len, sub;
	const char *name = fdt_get_name(c->fdt, node, &len);
	struct quoted q;

	if (!name)
		return fail(c, "/vms: malformed node (%s)", fdt_strerror(len));
	if (!valid_vm_name(name, len))
		return fail(c, "vm '%s': name: must be 1 to %d characters from a-z, 0-9, '_' and '-'",
			    quote(&q, name, (size_t)len), BWPKG_NAME_LEN - 1);
	for (unsigned i = 0; i < sd->vm_count; i++) {
		if (strcmp(sd->vms[i].name, name) == 0)
			return fail(c, "vm '%s': name: used by two VMs", name);
	}
	memcpy(vm->name, name, (size_t)len);
	vm->name[len] = '\0';
	c->vm = vm->name;

	if (scan_props(c, node, "", vm_prop_names, VP_COUNT, raw) ||
	    parse_cpus(c, sd, vm, raw) || parse_memory(c, sd, vm, raw) ||
	    parse_strings(c, vm, raw) || parse_caps(c, vm, &raw[VP_CAPABILITIES]) ||
	    parse_mitigations(c, &raw[VP_MITIGATIONS], true, &vm->mitigations))
		return -1;
	fdt_for_each_subnode(sub, c->fdt, node) {
		if (parse_device(c, sd, vm, sub))
			return -1;
	}
	if (sub != -FDT_ERR_NOTFOUND)
		return fail(c, "malformed node (%s)", fdt_strerror(sub));
	c->vm = NULL;
	return 0;
}

static int parse_root(struct ctx *c, struct sysdesc *sd, int *vms)
{
	struct raw_prop mitig = { 0 };
	int prop, sub;
	const void *compat = NULL;
	int compat_len = 0;

	*vms = -1;
	fdt_for_each_property_offset(prop, c->fdt, 0) {
		const char *name;
		int len;
		const void *data = fdt_getprop_by_offset(c->fdt, prop, &name, &len);
		struct quoted q;

		if (!data || !name)
			return fail(c, "/: malformed property (%s)", fdt_strerror(len));
		if (strcmp(name, "mitigations") == 0) {
			if (mitig.present)
				return fail(c, "/: property 'mitigations' appears twice");
			mitig = (struct raw_prop){ data, len, true };
			continue;
		}
		if (strcmp(name, "compatible") != 0)
			return fail(c, "/: unknown property '%s'", quote(&q, name, strlen(name)));
		if (compat)
			return fail(c, "/: property 'compatible' appears twice");
		compat = data;
		compat_len = len;
	}
	if (prop != -FDT_ERR_NOTFOUND)
		return fail(c, "/: malformed node (%s)", fdt_strerror(prop));
	if (!compat)
		return fail(c, "/: compatible: missing (must be \"%s\")", SYSDESC_COMPATIBLE);
	if (compat_len != sizeof(SYSDESC_COMPATIBLE) ||
	    memcmp(compat, SYSDESC_COMPATIBLE, sizeof(SYSDESC_COMPATIBLE)) != 0)
		return fail(c, "/: compatible: must be \"%s\" (this bwpack reads version 1 only)",
			    SYSDESC_COMPATIBLE);
	if (parse_mitigations(c, &mitig, false, &sd->mitigations))
		return -1;

	fdt_for_each_subnode(sub, c->fdt, 0) {
		int len;
		const char *name = fdt_get_name(c->fdt, sub, &len);
		struct quoted q;

		if (!name)
			return fail(c, "/: malformed node (%s)", fdt_strerror(len));
		if (strcmp(name, "vms") != 0)
			return fail(c, "/: unknown node '%s'", quote(&q, name, (size_t)len));
		if (*vms >= 0)
			return fail(c, "/: node 'vms' appears twice");
		*vms = sub;
	}
	if (sub != -FDT_ERR_NOTFOUND)
		return fail(c, "/: malformed node (%s)", fdt_strerror(sub));
	if (*vms < 0)
		return fail(c, "/vms: missing (the VMs go under it)");
	return 0;
}

static int parse_all(struct ctx *c, struct sysdesc *sd, size_t size)
{
	int err, vms, node, prop;

	if (size < sizeof(struct fdt_header))
		return fail(c, "system: not a devicetree blob (only %zu bytes)", size);
	/*
	 * libfdt 1.6.1's fdt_check_full() dereferences NULL on some blobs of
	 * versions below 16 (found by fuzzing); dtc writes 17, so accept no less.
	 */
	if (be32(c->fdt) != FDT_MAGIC)
		return fail(c, "system: not a valid devicetree blob (%s)",
			    fdt_strerror(-FDT_ERR_BADMAGIC));
	if (be32((const uint8_t *)c->fdt + 20) < 17)
		return fail(c, "system: devicetree version %u is too old (dtc writes 17)",
			    be32((const uint8_t *)c->fdt + 20));
	err = fdt_check_full(c->fdt, size);
	if (err)
		return fail(c, "system: not a valid devicetree blob (%s)", fdt_strerror(err));
	if (fdt_totalsize(c->fdt) != size)
		return fail(c, "system: the blob says it has %u bytes, but it has %zu",
			    fdt_totalsize(c->fdt), size);
	if (fdt_num_mem_rsv(c->fdt) != 0)
		return fail(c, "/memreserve/: not used in a system description");
	if (parse_root(c, sd, &vms))
		return -1;
	fdt_for_each_property_offset(prop, c->fdt, vms) {
		const char *name;
		int len;
		struct quoted q;

		if (!fdt_getprop_by_offset(c->fdt, prop, &name, &len) || !name)
			return fail(c, "/vms: malformed property (%s)", fdt_strerror(len));
		return fail(c, "/vms: unknown property '%s'", quote(&q, name, strlen(name)));
	}
	fdt_for_each_subnode(node, c->fdt, vms) {
		if (sd->vm_count == BWPKG_MAX_VMS)
			return fail(c, "/vms: more than %d VMs", BWPKG_MAX_VMS);
		if (parse_vm(c, sd, node))
			return -1;
		sd->mem_total += sd->vms[sd->vm_count].mem_size;
		sd->vm_count++;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return fail(c, "/vms: malformed node (%s)", fdt_strerror(node));
	if (sd->vm_count == 0)
		return fail(c, "/vms: no VMs (at least one is needed)");
	return 0;
}

int sysdesc_parse(struct sysdesc *sd, const void *blob, size_t size,
		  const struct sysdesc_host *host, char *err, size_t err_size)
{
	struct ctx c = { blob, host, err, err_size, NULL };

	memset(sd, 0, sizeof(*sd));
	if (err_size)
		err[0] = '\0';
	if (host->cpu_count == 0 || host->cpu_count > SYSDESC_MAX_HOST_CPUS) {
		fail(&c, "host: CPU count %u is not 1..%u", host->cpu_count,
		     SYSDESC_MAX_HOST_CPUS);
	} else if (host->ram_mb <= SYSDESC_HYP_RESERVED_MB || host->ram_mb > (1ULL << 40)) {
		fail(&c, "host: %llu MiB of RAM leaves nothing for VMs (the hypervisor keeps "
		     "%llu MiB)", (unsigned long long)host->ram_mb, SYSDESC_HYP_RESERVED_MB);
	} else if (parse_all(&c, sd, size) == 0) {
		return 0;
	}
	memset(sd, 0, sizeof(*sd));
	return -1;
}

int sysdesc_parse_image(struct sysdesc_image *img, const void *head, size_t len)
{
	const uint8_t *h = head;

	if (len < SYSDESC_IMAGE_HEADER_SIZE ||
	    (uint32_t)le64(h + SYSDESC_IMAGE_MAGIC_OFFSET) != SYSDESC_IMAGE_MAGIC)
		return -1;
	img->text_offset = le64(h + 8);
	img->image_size = le64(h + 16);
	img->flags = le64(h + 24);
	return 0;
}

int sysdesc_check_images(const struct sysdesc_vm *vm, const void *kernel_head, size_t head_len,
			 uint64_t kernel_size, uint64_t initrd_size,
			 struct sysdesc_layout *layout, char *err, size_t err_size)
{
	struct ctx c = { NULL, NULL, err, err_size, vm->name };
	struct sysdesc_image img;
	uint64_t dtb = bwpkg_dtb_addr(vm->mem_base, vm->mem_size);
	uint64_t start = vm->mem_base + BWPKG_KERNEL_OFFSET;
	uint64_t avail = dtb > start ? dtb - start : 0;
	uint64_t need, room;
	char a[24], b[24];

	memset(layout, 0, sizeof(*layout));
	if (head_len > kernel_size)
		head_len = (size_t)kernel_size;
	if (sysdesc_parse_image(&img, kernel_head, head_len)) {
		if (kernel_size < SYSDESC_IMAGE_HEADER_SIZE)
			return fail(&c, "kernel: not an arm64 Image (only %llu bytes)",
				    (unsigned long long)kernel_size);
		return fail(&c, "kernel: not an arm64 Image (no \"ARM\\x64\" magic at offset 56)");
	}
	if (img.flags & 1)
		return fail(&c, "kernel: big-endian image (Image header flags bit 0); guests run "
			    "little-endian");
	/*
	 * Kernels before Linux 3.17 leave image_size 0, and their text_offset
	 * may be wrong: the boot protocol then says 0x80000, and the hypervisor
	 * loads them there (pkg_vm_layout()).
	 */
	if (img.image_size == 0)
		img.text_offset = SYSDESC_LEGACY_TEXT_OFFSET;
	need = MAX(kernel_size, img.image_size);
	if (img.text_offset > avail || need > avail - img.text_offset) {
		if (img.text_offset == 0)
			return fail(&c, "kernel: image (%s) is larger than the VM's memory allows "
				    "(%s: memory-size less 2 MiB below the kernel and 2 MiB for "
				    "the devicetree)", sysdesc_format_size(a, sizeof(a), need),
				    sysdesc_format_size(b, sizeof(b), avail));
		return fail(&c, "kernel: image (%s at text_offset 0x%llx) is larger than the VM's "
			    "memory allows (%s: memory-size less 2 MiB + text_offset below the "
			    "kernel and 2 MiB for the devicetree)",
			    sysdesc_format_size(a, sizeof(a), need),
			    (unsigned long long)img.text_offset,
			    sysdesc_format_size(b, sizeof(b),
						img.text_offset > avail ? 0 : avail - img.text_offset));
	}
	layout->kernel_addr = start + img.text_offset;
	layout->kernel_end = layout->kernel_addr + need;
	layout->dtb_addr = dtb;

	if (vm->initrd[0] == '\0')
		return 0;
	if (initrd_size == 0)
		return fail(&c, "initrd: the file is empty");
	/*
	 * The initrd starts 4 KiB aligned, so it may not use the kernel's last
	 * partial page. `dtb` is 2 MiB aligned and kernel_end <= dtb, so `room`
	 * cannot underflow.
	 */
	room = dtb - ALIGN_UP(layout->kernel_end, SYSDESC_PAGE_SIZE);
	if (initrd_size > room)
		return fail(&c, "initrd: %s does not fit between the kernel (ends at 0x%llx) and the "
			    "devicetree area (at 0x%llx): %s free",
			    sysdesc_format_size(a, sizeof(a), initrd_size),
			    (unsigned long long)layout->kernel_end, (unsigned long long)dtb,
			    sysdesc_format_size(b, sizeof(b), room));
	layout->initrd_addr = bwpkg_initrd_addr(vm->mem_base, vm->mem_size, initrd_size);
	layout->initrd_end = layout->initrd_addr + initrd_size;
	return 0;
}

int sysdesc_check_package(const struct sysdesc *sd, const struct sysdesc_host *host,
			  uint64_t package_size, char *err, size_t err_size)
{
	struct ctx c = { NULL, host, err, err_size, NULL };
	uint64_t avail = (host->ram_mb - SYSDESC_HYP_RESERVED_MB) * MIB;
	char a[24], b[24];

	if (sd->mem_total > avail || package_size > avail - sd->mem_total)
		return fail(&c, "package: the packed images (%s) and the VMs' RAM (%s) need more "
			    "than the %llu MiB the host has for them (--host-ram-mb %llu less "
			    "%llu MiB for the hypervisor)",
			    sysdesc_format_size(a, sizeof(a), package_size),
			    sysdesc_format_size(b, sizeof(b), sd->mem_total),
			    (unsigned long long)(avail / MIB), (unsigned long long)host->ram_mb,
			    SYSDESC_HYP_RESERVED_MB);
	return 0;
}
