/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot of vCPU 0: console, devicetree (a minimal, bounds-checked walk for
 * /chosen/bootargs and /memory), GIC, then `main`.
 */
#include <guest/guest.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define FDT_MAX_SIZE (2u << 20)
#define FDT_MAX_DEPTH 16

static char bootargs[GUEST_BOOTARGS_MAX];
static uintptr_t dtb_addr;
static size_t dtb_size;
static uint64_t ram_size;

/* The devicetree is big-endian and only 4-byte aligned inside: read it
 * word by word (the MMU is off, so unaligned accesses would fault). */
static uint32_t be32(const uint8_t *p)
{
	uint32_t v = *(const uint32_t *)p;
	return __builtin_bswap32(v);
}

struct fdt {
	const uint8_t *base;
	uint32_t struct_off, struct_size, strings_off, strings_size;
};

static bool fdt_open(struct fdt *f, uintptr_t addr)
{
	const uint8_t *h = (const uint8_t *)addr;
	uint32_t total;

	if (addr == 0 || (addr & 7) != 0 || addr < boot_ram_base())
		return false;
	if (be32(h) != FDT_MAGIC)
		return false;
	total = be32(h + 4);
	f->base = h;
	f->struct_off = be32(h + 8);
	f->strings_off = be32(h + 12);
	f->strings_size = be32(h + 32);
	f->struct_size = be32(h + 36);
	if (total < 40 || total > FDT_MAX_SIZE || be32(h + 20) < 17)
		return false;
	if ((f->struct_off & 3) != 0 || f->struct_off > total ||
	    f->struct_size > total - f->struct_off ||
	    f->strings_off > total || f->strings_size > total - f->strings_off)
		return false;
	dtb_size = total;
	return true;
}

/* Length of the NUL-terminated string at `off` within [off, end), or -1. */
static long fdt_strlen(const struct fdt *f, uint32_t off, uint32_t end)
{
	for (uint32_t i = off; i < end; i++)
		if (f->base[i] == '\0')
			return (long)(i - off);
	return -1;
}

/* Does node name `name` (e.g. "memory@40000000") match `want` ("memory")? */
static bool fdt_name_matches(const char *name, const char *want)
{
	size_t n = strlen(want);
	return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

/*
 * Finds property `prop` of the root's child node `node` (unit address
 * ignored); returns its value and length, or NULL. Every offset is checked
 * against the structure and strings blocks before it is used.
 */
static const uint8_t *fdt_child_prop(const struct fdt *f, const char *node,
				     const char *prop, uint32_t *len)
{
	uint32_t off = f->struct_off, end = f->struct_off + f->struct_size;
	int depth = 0;
	bool in_node = false;

	while (off + 4 <= end) {
		uint32_t tok = be32(f->base + off);
		off += 4;
		switch (tok) {
		case FDT_BEGIN_NODE: {
			long n = fdt_strlen(f, off, end);
			if (n < 0 || ++depth > FDT_MAX_DEPTH)
				return NULL;
			in_node = depth == 2 &&
				  fdt_name_matches((const char *)f->base + off, node);
			off += ((uint32_t)n + 4) & ~3u;
			break;
		}
		case FDT_END_NODE:
			if (depth-- == 0)
				return NULL;
			in_node = false;
			break;
		case FDT_PROP: {
			uint32_t plen, nameoff;
			if (off + 8 > end)
				return NULL;
			plen = be32(f->base + off);
			nameoff = be32(f->base + off + 4);
			off += 8;
			if (plen > end - off || nameoff >= f->strings_size)
				return NULL;
			if (in_node) {
				uint32_t s = f->strings_off + nameoff;
				long n = fdt_strlen(f, s, f->strings_off + f->strings_size);
				if (n >= 0 && strcmp((const char *)f->base + s, prop) == 0) {
					*len = plen;
					return f->base + off;
				}
			}
			off += (plen + 3) & ~3u;
			break;
		}
		case FDT_NOP:
			break;
		default: /* FDT_END or garbage */
			return NULL;
		}
	}
	return NULL;
}

static void boot_read_dtb(uintptr_t addr)
{
	struct fdt f;
	const uint8_t *p;
	uint32_t len;

	if (!fdt_open(&f, addr))
		return;
	dtb_addr = addr;
	p = fdt_child_prop(&f, "chosen", "bootargs", &len);
	if (p != NULL && len > 0) {
		size_t n = strnlen((const char *)p, len);
		if (n >= sizeof(bootargs))
			n = sizeof(bootargs) - 1;
		memcpy(bootargs, p, n);
		bootargs[n] = '\0';
	}
	/* QEMU virt and Bulwark: #address-cells = #size-cells = 2 at the root. */
	p = fdt_child_prop(&f, "memory", "reg", &len);
	if (p != NULL && len >= 16 &&
	    (((uint64_t)be32(p) << 32) | be32(p + 4)) == boot_ram_base())
		ram_size = ((uint64_t)be32(p + 8) << 32) | be32(p + 12);
}

const char *boot_args(void)
{
	return bootargs;
}

bool boot_arg(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = bootargs;

	while (*p != '\0') {
		const char *w;
		size_t wlen = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (p[wlen] != '\0' && p[wlen] != ' ' && p[wlen] != '\t')
			wlen++;
		p += wlen;
		if (wlen > klen && w[klen] == '=' && strncmp(w, key, klen) == 0) {
			size_t vlen = wlen - klen - 1;
			if (size == 0)
				return true;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, w + klen + 1, vlen);
			buf[vlen] = '\0';
			return true;
		}
	}
	return false;
}

uint64_t boot_arg_u64(const char *key, uint64_t dflt)
{
	char buf[24];
	const char *p = buf;
	unsigned base = 10;
	uint64_t v = 0;

	if (!boot_arg(key, buf, sizeof(buf)) || buf[0] == '\0')
		return dflt;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p != '\0'; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return dflt;
		v = v * base + d;
	}
	return v;
}

uintptr_t boot_ram_base(void)
{
	return (uintptr_t)__image_start - (2UL << 20);
}

uint64_t boot_ram_size(void)
{
	return ram_size;
}

uintptr_t boot_dtb(void)
{
	return dtb_addr;
}

size_t boot_dtb_size(void)
{
	return dtb_addr != 0 ? dtb_size : 0;
}

void guest_halt(void)
{
	__asm__ volatile("msr daifset, #0xf");
	for (;;)
		wfi();
}

void guest_exit(bool pass)
{
	gprintf("%s\n%s\n", pass ? GUEST_RESULT_PASS : GUEST_RESULT_FAIL, GUEST_DONE);
	console_flush();
	psci_system_off();
	gprintf("guest: SYSTEM_OFF returned; halting\n");
	guest_halt();
}

void boot_primary(uintptr_t dtb)
{
	console_init();
	boot_read_dtb(dtb);
	gic_init();
	if (!gic_cpu_init()) {
		gprintf("guest: no GICv3 redistributor for MPIDR 0x%llx\n",
			(unsigned long long)cpu_read_mpidr());
		guest_exit(false);
	}
	guest_exit(main() == 0);
}
