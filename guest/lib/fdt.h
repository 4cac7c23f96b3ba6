/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal, bounds-checked reader of flattened devicetrees, for the guest
 * runtime's own use (boot.c, platform.c): not part of the guest API.
 *
 * Every offset is checked against the structure and strings blocks before
 * it is used; a malformed tree ends a walk early, it never faults.
 */
#ifndef GUEST_LIB_FDT_H
#define GUEST_LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt {
	const uint8_t *base;
	uint32_t total;
	uint32_t struct_off, struct_size, strings_off, strings_size;
};

/* A child node of the root, as `fdt_root_children()` hands it over: its
 * name ("pl011@9000000"), and the value and length of some of its
 * properties (NULL and 0 when absent), with the root's cell sizes. */
struct fdt_node {
	const char *name;
	const uint8_t *compatible, *reg, *status;
	uint32_t compatible_len, reg_len, status_len;
	uint32_t address_cells, size_cells;
};

/* The devicetree is big-endian and only 4-byte aligned inside: read it
 * word by word (the MMU is off, so unaligned accesses would fault). */
static inline uint32_t fdt_be32(const uint8_t *p)
{
	return __builtin_bswap32(*(const uint32_t *)p);
}

/* Checks the header of the tree at `addr` (8-byte aligned, not below
 * `min_addr`, at most 2 MiB) and fills `f`. */
bool fdt_open(struct fdt *f, uintptr_t addr, uintptr_t min_addr);

/* Property `prop` of the root's child `node` (unit address ignored: "memory"
 * finds "memory@40000000"); its value and length, or NULL. */
const uint8_t *fdt_child_prop(const struct fdt *f, const char *node, const char *prop,
			      uint32_t *len);

/* Calls `fn` for every child node of the root, in tree order. */
void fdt_root_children(const struct fdt *f, void (*fn)(const struct fdt_node *n, void *arg),
		       void *arg);

/* The number of `cpu@N` nodes in /cpus (0 if there is none). */
unsigned fdt_cpu_nodes(const struct fdt *f);

/* Does the string list `list` (`len` bytes, e.g. a `compatible`) hold `s`? */
bool fdt_list_has(const uint8_t *list, uint32_t len, const char *s);

/* The number in the `cells` (1 or 2) big-endian cells at `p`. */
uint64_t fdt_cells(const uint8_t *p, uint32_t cells);

#endif /* GUEST_LIB_FDT_H */
