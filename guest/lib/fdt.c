/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal, bounds-checked flattened-devicetree reader (fdt.h).
 */
#include <guest/string.h>

#include "fdt.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_MAX_SIZE (2u << 20)
#define FDT_MAX_DEPTH 16

bool fdt_open(struct fdt *f, uintptr_t addr, uintptr_t min_addr)
{
	const uint8_t *h = (const uint8_t *)addr;
	uint32_t total;

	if (addr == 0 || (addr & 7) != 0 || addr < min_addr)
		return false;
	if (fdt_be32(h) != FDT_MAGIC)
		return false;
	total = fdt_be32(h + 4);
	f->base = h;
	f->total = total;
	f->struct_off = fdt_be32(h + 8);
	f->strings_off = fdt_be32(h + 12);
	f->strings_size = fdt_be32(h + 32);
	f->struct_size = fdt_be32(h + 36);
	if (total < 40 || total > FDT_MAX_SIZE || fdt_be32(h + 20) < 17)
		return false;
	if ((f->struct_off & 3) != 0 || f->struct_off > total ||
	    f->struct_size > total - f->struct_off ||
	    f->strings_off > total || f->strings_size > total - f->strings_off)
		return false;
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
 * One step of a walk: the token at `*off`. For a node, `*name` is its name;
 * for a property, `*name` its name, `*val` and `*len` its value. Returns the
 * token (FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP) with `*off` past
 * it, or 0 at the end or on anything malformed.
 */
static uint32_t fdt_next(const struct fdt *f, uint32_t *off, const char **name,
			 const uint8_t **val, uint32_t *len)
{
	uint32_t end = f->struct_off + f->struct_size, tok;

	if (*off + 4 > end)
		return 0;
	tok = fdt_be32(f->base + *off);
	*off += 4;
	switch (tok) {
	case FDT_BEGIN_NODE: {
		long n = fdt_strlen(f, *off, end);
		if (n < 0)
			return 0;
		*name = (const char *)f->base + *off;
		*off += ((uint32_t)n + 4) & ~3u;
		return *off <= end ? tok : 0;
	}
	case FDT_PROP: {
		uint32_t plen, nameoff, s;
		if (*off + 8 > end)
			return 0;
		plen = fdt_be32(f->base + *off);
		nameoff = fdt_be32(f->base + *off + 4);
		*off += 8;
		if (plen > end - *off || nameoff >= f->strings_size)
			return 0;
		s = f->strings_off + nameoff;
		if (fdt_strlen(f, s, f->strings_off + f->strings_size) < 0)
			return 0;
		*name = (const char *)f->base + s;
		*val = f->base + *off;
		*len = plen;
		*off += (plen + 3) & ~3u;
		return tok;
	}
	case FDT_END_NODE:
	case FDT_NOP:
		return tok;
	default: /* FDT_END or garbage */
		return 0;
	}
}

const uint8_t *fdt_child_prop(const struct fdt *f, const char *node, const char *prop,
			      uint32_t *len)
{
	uint32_t off = f->struct_off, tok, plen = 0;
	const char *name = NULL;
	const uint8_t *val = NULL;
	int depth = 0;
	bool in_node = false;

	while ((tok = fdt_next(f, &off, &name, &val, &plen)) != 0) {
		if (tok == FDT_BEGIN_NODE) {
			if (++depth > FDT_MAX_DEPTH)
				return NULL;
			in_node = depth == 2 && fdt_name_matches(name, node);
		} else if (tok == FDT_END_NODE) {
			if (depth-- == 0)
				return NULL;
			in_node = false;
		} else if (tok == FDT_PROP && in_node && strcmp(name, prop) == 0) {
			*len = plen;
			return val;
		}
	}
	return NULL;
}

void fdt_root_children(const struct fdt *f, void (*fn)(const struct fdt_node *n, void *arg),
		       void *arg)
{
	uint32_t off = f->struct_off, tok, plen = 0;
	const char *name = NULL;
	const uint8_t *val = NULL;
	/* The devicetree specification's defaults, if the root says nothing. */
	uint32_t address_cells = 2, size_cells = 1;
	struct fdt_node n;
	int depth = 0;

	while ((tok = fdt_next(f, &off, &name, &val, &plen)) != 0) {
		if (tok == FDT_BEGIN_NODE) {
			if (++depth > FDT_MAX_DEPTH)
				return;
			if (depth == 2) {
				memset(&n, 0, sizeof(n));
				n.name = name;
				n.address_cells = address_cells;
				n.size_cells = size_cells;
			}
		} else if (tok == FDT_END_NODE) {
			if (depth == 2)
				fn(&n, arg);
			if (depth-- == 0)
				return;
		} else if (tok == FDT_PROP && depth == 1) {
			/* The root's properties come before its first child. */
			if (plen == 4 && strcmp(name, "#address-cells") == 0)
				address_cells = fdt_be32(val);
			else if (plen == 4 && strcmp(name, "#size-cells") == 0)
				size_cells = fdt_be32(val);
		} else if (tok == FDT_PROP && depth == 2) {
			if (strcmp(name, "compatible") == 0) {
				n.compatible = val;
				n.compatible_len = plen;
			} else if (strcmp(name, "reg") == 0) {
				n.reg = val;
				n.reg_len = plen;
			} else if (strcmp(name, "status") == 0) {
				n.status = val;
				n.status_len = plen;
			}
		}
	}
}

unsigned fdt_cpu_nodes(const struct fdt *f)
{
	uint32_t off = f->struct_off, tok, plen = 0;
	const char *name = NULL;
	const uint8_t *val = NULL;
	unsigned count = 0;
	int depth = 0;
	bool in_cpus = false;

	while ((tok = fdt_next(f, &off, &name, &val, &plen)) != 0) {
		if (tok == FDT_BEGIN_NODE) {
			if (++depth > FDT_MAX_DEPTH)
				return 0;
			if (depth == 2)
				in_cpus = strcmp(name, "cpus") == 0;
			else if (depth == 3 && in_cpus && fdt_name_matches(name, "cpu"))
				count++;
		} else if (tok == FDT_END_NODE) {
			if (depth-- == 0)
				return 0;
		}
	}
	return count;
}

bool fdt_list_has(const uint8_t *list, uint32_t len, const char *s)
{
	size_t n = strlen(s);

	for (uint32_t i = 0; i < len;) {
		size_t l = strnlen((const char *)list + i, len - i);
		if (l == n && memcmp(list + i, s, n) == 0)
			return true;
		i += (uint32_t)l + 1;
	}
	return false;
}

uint64_t fdt_cells(const uint8_t *p, uint32_t cells)
{
	return cells == 2 ? (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4) : fdt_be32(p);
}
