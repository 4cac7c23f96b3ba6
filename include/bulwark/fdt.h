/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small, strict, read-only reader for flattened devicetree blobs (FDT/DTB).
 *
 * `fdt_open()` validates the whole blob once: the header, the block layout,
 * the memory reservation map and every token of the structure block. Only a
 * blob that passes every check is accepted; there is no "best effort" mode.
 * The accessors then walk the validated blob without allocating memory and
 * without recursion, and they still bounds-check every read, so that even a
 * forged `struct fdt_node` or a blob changed after validation cannot make
 * them read outside [blob, blob + totalsize).
 *
 * The reader does not copy the blob. The caller must keep it mapped and
 * unchanged for as long as the `struct fdt` is used; a blob that another
 * agent (a guest, a DMA-capable device) can write must be copied into
 * private memory before `fdt_open()`, or the answers may be inconsistent.
 *
 * Rules enforced beyond the devicetree specification's bare format, because
 * later code relies on them:
 * - the root node's name is empty; other node names are non-empty and
 *   contain no '/';
 * - property names are non-empty;
 * - properties of a node precede its subnodes;
 * - the structure block ends exactly with its `FDT_END` token (version 17);
 * - nesting is at most `FDT_MAX_DEPTH` levels, the root being level 1.
 * Duplicate property or node names are not detected: lookups return the
 * first match.
 *
 * Node arguments must come from this API for the same blob. A forged node
 * offset is detected where it does not point at a `FDT_BEGIN_NODE` token
 * (BADSTRUCTURE, or NOTFOUND for the functions that search from the root).
 * After a failed `fdt_open()` the zeroed `struct fdt` makes every accessor
 * fail (BADSTRUCTURE; BADLAYOUT for the reservation map).
 *
 * All functions are reentrant and may be called on any CPU with the MMU and
 * caches in any state in which the blob is readable. No lock is needed. The
 * deepest stack use is `fdt_parent()`, about 256 bytes on arm64.
 */
#ifndef BULWARK_FDT_H
#define BULWARK_FDT_H

#include <bulwark/types.h>

#define FDT_MAGIC 0xd00dfeedU
#define FDT_HEADER_SIZE 40U
/* Maximum nesting of nodes; the root node is at depth 1. */
#define FDT_MAX_DEPTH 32U
/* `struct fdt_node.off` value that starts `fdt_find_compatible()` at the root. */
#define FDT_NODE_NONE UINT32_MAX

/* Tokens of the structure block. */
enum fdt_token {
	FDT_BEGIN_NODE = 1,
	FDT_END_NODE = 2,
	FDT_PROP = 3,
	FDT_NOP = 4,
	FDT_END = 9,
};

enum fdt_error {
	FDT_OK = 0,
	FDT_ERR_TRUNCATED,	/* fewer bytes readable than the header or totalsize says */
	FDT_ERR_BADMAGIC,
	FDT_ERR_BADVERSION,
	FDT_ERR_BADLAYOUT,	/* block offsets/sizes out of bounds, overlapping, misaligned */
	FDT_ERR_BADSTRUCTURE,	/* bad token sequence, nesting, missing END, bad node offset */
	FDT_ERR_BADSTRING,	/* unterminated or invalid name, bad name offset */
	FDT_ERR_NOTFOUND,
	FDT_ERR_BADVALUE,	/* property has the wrong length or format */
	FDT_ERR_TOODEEP,
};

/*
 * A validated blob. Filled by `fdt_open()`; the offsets are relative to
 * `blob` and the sizes are exact. Treat as read-only.
 */
struct fdt {
	const uint8_t *blob;
	uint32_t size;		/* totalsize */
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_rsvmap;
};

/* A node: the offset of its `FDT_BEGIN_NODE` token within the struct block. */
struct fdt_node {
	uint32_t off;
};

/**
 * fdt_strerror() - Name an `enum fdt_error` value.
 * @err: the error code.
 *
 * Return: a static string, "unknown error" for values outside the enum.
 */
const char *fdt_strerror(int err);

/**
 * fdt_open() - Validate a blob and prepare it for the accessors.
 * @f:        filled on success; zeroed (and unusable) on error.
 * @blob:     the blob; any alignment is accepted.
 * @max_size: how many bytes are readable at @blob.
 *
 * Checks, in this order: @max_size covers the 40-byte header (else
 * TRUNCATED); magic (BADMAGIC); version >= 16 and
 * last_comp_version <= min(version, 17) (BADVERSION); totalsize <= @max_size (TRUNCATED); totalsize covers the
 * header, every block lies within totalsize, the reservation map is 8-byte
 * aligned and terminated within totalsize, the struct block is 4-byte
 * aligned, and the header, reservation map, struct and strings blocks do not
 * overlap (BADLAYOUT); then walks the struct block (BADSTRUCTURE,
 * BADSTRING, TOODEEP, see the top of this file). For version 16 blobs, which
 * lack size_dt_struct, the struct block is taken to end after its `FDT_END`.
 *
 * Return: FDT_OK or the first error found.
 */
int fdt_open(struct fdt *f, const void *blob, size_t max_size);

/**
 * fdt_totalsize() - Size of the validated blob in bytes.
 * @f: an opened blob.
 */
uint32_t fdt_totalsize(const struct fdt *f);

/**
 * fdt_root() - Find the root node.
 * @f:    an opened blob.
 * @root: receives the root node.
 *
 * Return: FDT_OK, or BADSTRUCTURE if @f was not opened successfully.
 */
int fdt_root(const struct fdt *f, struct fdt_node *root);

/**
 * fdt_node_name() - Name of a node, with its unit address.
 * @f: an opened blob.
 * @n: a node obtained from this API.
 *
 * Return: the NUL-terminated name inside the blob, e.g. "uart@9000000", ""
 * for the root, or NULL if @n is not a node.
 */
const char *fdt_node_name(const struct fdt *f, struct fdt_node n);

/**
 * fdt_first_child() - Find the first subnode of @parent.
 * @f:      an opened blob.
 * @parent: a node.
 * @child:  receives the subnode; unchanged on error.
 *
 * Return: FDT_OK, NOTFOUND if @parent has no subnodes, BADSTRUCTURE if
 * @parent is not a node.
 */
int fdt_first_child(const struct fdt *f, struct fdt_node parent, struct fdt_node *child);

/**
 * fdt_next_sibling() - Find the next node with the same parent as @n.
 * @f:    an opened blob.
 * @n:    a node.
 * @next: receives the sibling; unchanged on error. May point to @n's copy.
 *
 * Return: FDT_OK, NOTFOUND after the last sibling, BADSTRUCTURE if @n is
 * not a node.
 */
int fdt_next_sibling(const struct fdt *f, struct fdt_node n, struct fdt_node *next);

/**
 * fdt_next_node() - Step a depth-first walk to the node after @n.
 * @f:     an opened blob.
 * @n:     in: the current node; out: the next node in document order.
 * @depth: if not NULL, adjusted by the change of depth: +1 for a child of
 *         @n, 0 for a sibling, -k after ascending k levels.
 *
 * Return: FDT_OK, NOTFOUND after the last node (then @n and @depth are
 * unchanged), BADSTRUCTURE if @n is not a node.
 */
int fdt_next_node(const struct fdt *f, struct fdt_node *n, int *depth);

/**
 * fdt_find_path() - Find a node by absolute path.
 * @f:    an opened blob.
 * @path: "/" for the root, or e.g. "/cpus/cpu@0". Empty components (double
 *        or trailing slashes) are ignored. A component equal to a node name
 *        matches it; a component without '@' also matches a node whose name
 *        before '@' equals it. Among siblings the first match wins. Aliases
 *        are not resolved: a path not starting with '/' is never found.
 * @out:  receives the node; unchanged on error.
 *
 * Return: FDT_OK or NOTFOUND.
 */
int fdt_find_path(const struct fdt *f, const char *path, struct fdt_node *out);

/**
 * fdt_get_prop() - Find a property of a node.
 * @f:    an opened blob.
 * @n:    a node.
 * @name: the property name.
 * @val:  if not NULL, receives a pointer to the value inside the blob.
 * @len:  if not NULL, receives the value's length in bytes (may be 0).
 *
 * The value is not aligned; decode multi-byte cells byte-wise.
 *
 * Return: FDT_OK, NOTFOUND, or BADSTRUCTURE if @n is not a node.
 */
int fdt_get_prop(const struct fdt *f, struct fdt_node n, const char *name,
		 const void **val, uint32_t *len);

/**
 * fdt_get_u32() - Read a property holding exactly one big-endian cell.
 * @f: an opened blob. @n: a node. @name: the property name.
 * @out: receives the value; unchanged on error.
 *
 * Return: FDT_OK, NOTFOUND, or BADVALUE if the length is not 4.
 */
int fdt_get_u32(const struct fdt *f, struct fdt_node n, const char *name, uint32_t *out);

/**
 * fdt_get_u64() - Read a property holding one or two big-endian cells.
 * @f: an opened blob. @n: a node. @name: the property name.
 * @out: receives the value (a single cell is zero-extended).
 *
 * Return: FDT_OK, NOTFOUND, or BADVALUE if the length is neither 4 nor 8.
 */
int fdt_get_u64(const struct fdt *f, struct fdt_node n, const char *name, uint64_t *out);

/**
 * fdt_get_string() - Read a string property.
 * @f: an opened blob. @n: a node. @name: the property name.
 * @out: receives the first string of the value, inside the blob.
 *
 * Return: FDT_OK, NOTFOUND, or BADVALUE if the value is empty or has no
 * NUL within its length.
 */
int fdt_get_string(const struct fdt *f, struct fdt_node n, const char *name, const char **out);

/**
 * fdt_stringlist_get() - Read one string of a string-list property.
 * @f: an opened blob. @n: a node. @name: the property name.
 * @idx: which string, from 0.
 * @out: receives the string, inside the blob.
 *
 * Return: FDT_OK, NOTFOUND if the property is absent or has fewer than
 * @idx + 1 strings, BADVALUE if the value is empty or its last byte is not
 * NUL (every string must be terminated).
 */
int fdt_stringlist_get(const struct fdt *f, struct fdt_node n, const char *name,
		       unsigned idx, const char **out);

/**
 * fdt_is_compatible() - Whether @compat is in @n's "compatible" list.
 * @f: an opened blob. @n: a node. @compat: the string to look for.
 *
 * Return: true if it is; false if not, or if "compatible" is absent or
 * malformed.
 */
bool fdt_is_compatible(const struct fdt *f, struct fdt_node n, const char *compat);

/**
 * fdt_find_compatible() - Find the next node compatible with @compat.
 * @f:      an opened blob.
 * @iter:   in: the node to search after, or `.off = FDT_NODE_NONE` to
 *          search from (and including) the root; out: the node found.
 *          Unchanged on error.
 * @compat: the compatible string.
 *
 * Return: FDT_OK, NOTFOUND when no further node matches, BADSTRUCTURE if
 * @iter is neither a node nor `FDT_NODE_NONE`.
 */
int fdt_find_compatible(const struct fdt *f, struct fdt_node *iter, const char *compat);

/**
 * fdt_is_enabled() - Whether a node's "status" says it is usable.
 * @f: an opened blob. @n: a node.
 *
 * Return: true if "status" is absent, or is exactly "okay" or "ok" (one
 * string, nothing after it); false otherwise, including malformed values.
 */
bool fdt_is_enabled(const struct fdt *f, struct fdt_node n);

/**
 * fdt_addr_cells() - A node's "#address-cells", the cell count of its
 * children's addresses.
 * @f: an opened blob. @n: a node.
 * @cells: receives the value, 2 if the property is absent. Not range-checked
 *         here; `fdt_get_reg()` rejects values it cannot decode.
 *
 * Return: FDT_OK, or BADVALUE if the property's length is not 4.
 */
int fdt_addr_cells(const struct fdt *f, struct fdt_node n, uint32_t *cells);

/**
 * fdt_size_cells() - A node's "#size-cells" (default 1); see
 * `fdt_addr_cells()`.
 */
int fdt_size_cells(const struct fdt *f, struct fdt_node n, uint32_t *cells);

/**
 * fdt_get_reg() - Decode the @idx-th (address, size) pair of "reg".
 * @f: an opened blob. @n: a node.
 * @ac: the parent's #address-cells, 1 or 2.
 * @sc: the parent's #size-cells, 0 (size reads as 0), 1 or 2.
 * @idx: which pair, from 0.
 * @addr, @size: receive the pair; unchanged on error.
 *
 * Return: FDT_OK; NOTFOUND if "reg" is absent or has no pair @idx; BADVALUE
 * if @ac or @sc is out of range, the length is not a multiple of
 * (@ac + @sc) * 4, or @addr + @size would exceed 2^64 - 1.
 */
int fdt_get_reg(const struct fdt *f, struct fdt_node n, uint32_t ac, uint32_t sc,
		unsigned idx, uint64_t *addr, uint64_t *size);

/**
 * fdt_parent() - Find a node's parent by walking from the root.
 * @f: an opened blob. @n: a node.
 * @parent: receives the parent; unchanged on error.
 *
 * Linear in the size of the struct block.
 *
 * Return: FDT_OK, NOTFOUND for the root or if @n is not a node.
 */
int fdt_parent(const struct fdt *f, struct fdt_node n, struct fdt_node *parent);

/**
 * fdt_reg() - `fdt_get_reg()` with the cell counts of @n's parent.
 *
 * Return: as `fdt_get_reg()`, or as `fdt_parent()` (NOTFOUND for the root).
 */
int fdt_reg(const struct fdt *f, struct fdt_node n, unsigned idx, uint64_t *addr, uint64_t *size);

/**
 * fdt_rsvmap_get() - Read the @idx-th memory reservation map entry.
 * @f: an opened blob. @idx: which entry, from 0.
 * @addr, @size: receive the entry; unchanged on error.
 *
 * Return: FDT_OK, NOTFOUND at or past the terminating entry, BADVALUE if
 * @addr + @size would exceed 2^64 - 1.
 */
int fdt_rsvmap_get(const struct fdt *f, unsigned idx, uint64_t *addr, uint64_t *size);

/**
 * fdt_find_phandle() - Find the node whose "phandle" property is @phandle.
 * @f: an opened blob. @phandle: the value; 0 and 0xffffffff are never found.
 * @out: receives the node; unchanged on error.
 *
 * Always scans the whole tree, so that an ambiguous tree is reported.
 *
 * Return: FDT_OK; NOTFOUND; BADVALUE if two nodes carry @phandle or any
 * "phandle" property does not have length 4.
 */
int fdt_find_phandle(const struct fdt *f, uint32_t phandle, struct fdt_node *out);

#endif
