/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict, read-only flattened devicetree reader; see include/bulwark/fdt.h.
 *
 * Every field is read byte-wise as big-endian, so the blob may have any
 * alignment. Offset arithmetic is done in 64 bits and compared against the
 * 32-bit block sizes, so no `offset + length` can wrap. All structure-block
 * access goes through `fdt_tok_read()`, which bounds-checks one token; the
 * accessors rely on `fdt_open()` for the sequence of tokens but never for
 * memory safety.
 */
#include <bulwark/fdt.h>
#include <bulwark/string.h>

#define FDT_RSV_ENTRY_SIZE 16U

/* Header field offsets (boot_cpuid_phys at 28 is not used). */
enum {
	FDT_H_MAGIC = 0, FDT_H_TOTALSIZE = 4, FDT_H_OFF_STRUCT = 8, FDT_H_OFF_STRINGS = 12,
	FDT_H_OFF_RSVMAP = 16, FDT_H_VERSION = 20, FDT_H_LAST_COMP = 24,
	FDT_H_SIZE_STRINGS = 32, FDT_H_SIZE_STRUCT = 36,
};

/* One decoded token of the struct block. */
struct fdt_tok {
	uint32_t tag;
	uint32_t next;		/* struct-block offset of the following token */
	const char *name;	/* BEGIN_NODE: node name; PROP: property name */
	uint32_t name_len;
	const uint8_t *val;	/* PROP: value */
	uint32_t len;		/* PROP: value length */
};

static uint32_t fdt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t fdt_be64(const uint8_t *p)
{
	return (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4);
}

/* Reads `cells` (0..2) big-endian cells. */
static uint64_t fdt_cells(const uint8_t *p, uint32_t cells)
{
	return cells == 2 ? fdt_be64(p) : cells == 1 ? fdt_be32(p) : 0;
}

static bool fdt_in_bounds(uint32_t total, uint32_t off, uint32_t len)
{
	return (uint64_t)off + len <= total;
}

static bool fdt_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/*
 * Decodes the token at struct-block offset `off`. Checks that the token, its
 * name and its value lie within the struct block, that a property's name
 * offset lies within the strings block and that every name is terminated
 * there. Property names must be non-empty.
 */
static int fdt_tok_read(const struct fdt *f, uint32_t off, struct fdt_tok *t)
{
	const uint8_t *s = f->blob + f->off_struct;
	uint64_t end = (uint64_t)off + 4;
	const char *z;
	uint32_t name_off;

	if (!IS_ALIGNED(off, 4) || end > f->size_struct)
		return FDT_ERR_BADSTRUCTURE;
	t->tag = fdt_be32(s + off);
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		t->name = (const char *)s + end;
		z = memchr(t->name, 0, f->size_struct - end);
		if (!z)
			return FDT_ERR_BADSTRING;
		t->name_len = (uint32_t)(z - t->name);
		end += t->name_len + 1;
		break;
	case FDT_PROP:
		if (end + 8 > f->size_struct)
			return FDT_ERR_BADSTRUCTURE;
		t->len = fdt_be32(s + end);
		name_off = fdt_be32(s + end + 4);
		t->val = s + end + 8;
		end += 8 + (uint64_t)t->len;
		if (end > f->size_struct)
			return FDT_ERR_BADSTRUCTURE;
		if (name_off >= f->size_strings)
			return FDT_ERR_BADSTRING;
		t->name = (const char *)f->blob + f->off_strings + name_off;
		z = memchr(t->name, 0, f->size_strings - name_off);
		if (!z || z == t->name)
			return FDT_ERR_BADSTRING;
		t->name_len = (uint32_t)(z - t->name);
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return FDT_ERR_BADSTRUCTURE;
	}
	end = ALIGN_UP(end, 4);
	if (end > f->size_struct)
		return FDT_ERR_BADSTRUCTURE;
	t->next = (uint32_t)end;
	return FDT_OK;
}

/* Decodes the BEGIN_NODE token of `n`. */
static int fdt_node_tok(const struct fdt *f, struct fdt_node n, struct fdt_tok *t)
{
	int err = fdt_tok_read(f, n.off, t);

	if (!err && t->tag != FDT_BEGIN_NODE)
		err = FDT_ERR_BADSTRUCTURE;
	return err;
}

/* Reads reservation entry `idx`: NOTFOUND for the terminator. */
static int fdt_rsv_read(const struct fdt *f, uint32_t idx, uint64_t *addr, uint64_t *size)
{
	uint64_t off = f->off_rsvmap + (uint64_t)idx * FDT_RSV_ENTRY_SIZE;

	if (off + FDT_RSV_ENTRY_SIZE > f->size)
		return FDT_ERR_BADLAYOUT;
	*addr = fdt_be64(f->blob + off);
	*size = fdt_be64(f->blob + off + 8);
	return (*addr | *size) ? FDT_OK : FDT_ERR_NOTFOUND;
}

static bool fdt_blocks_overlap(const struct fdt *f, uint64_t rsv_size)
{
	const uint64_t off[4] = { 0, f->off_rsvmap, f->off_struct, f->off_strings };
	const uint64_t len[4] = { FDT_HEADER_SIZE, rsv_size, f->size_struct, f->size_strings };
	unsigned i, j;

	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			if (fdt_overlap(off[i], len[i], off[j], len[j]))
				return true;
	return false;
}

/*
 * Walks the whole struct block once. On success sets `f->size_struct` to the
 * end of the `FDT_END` token; with `exact`, that must already be the size.
 */
static int fdt_check_struct(struct fdt *f, bool exact)
{
	uint32_t off = 0, depth = 0;
	bool root_seen = false, child_seen = false;
	struct fdt_tok t;
	int err;

	for (;; off = t.next) {
		err = fdt_tok_read(f, off, &t);
		if (err)
			return err;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && root_seen)
				return FDT_ERR_BADSTRUCTURE;
			if (depth == 0 ? t.name_len != 0 :
			    t.name_len == 0 || memchr(t.name, '/', t.name_len))
				return FDT_ERR_BADSTRING;
			if (++depth > FDT_MAX_DEPTH)
				return FDT_ERR_TOODEEP;
			root_seen = true;
			child_seen = false;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return FDT_ERR_BADSTRUCTURE;
			depth--;
			child_seen = true;
			break;
		case FDT_PROP:
			/* Properties belong to a node and precede its subnodes. */
			if (depth == 0 || child_seen)
				return FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_END:
			if (depth != 0 || !root_seen || (exact && t.next != f->size_struct))
				return FDT_ERR_BADSTRUCTURE;
			f->size_struct = t.next;
			return FDT_OK;
		}
	}
}

int fdt_open(struct fdt *f, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;
	struct fdt t;
	uint32_t version, last_comp, rsv_count;
	uint64_t addr, size, rsv_size;
	int err;

	memset(f, 0, sizeof(*f));
	if (!b || max_size < FDT_HEADER_SIZE)
		return FDT_ERR_TRUNCATED;
	if (fdt_be32(b + FDT_H_MAGIC) != FDT_MAGIC)
		return FDT_ERR_BADMAGIC;
	version = fdt_be32(b + FDT_H_VERSION);
	last_comp = fdt_be32(b + FDT_H_LAST_COMP);
	if (version < 16 || last_comp > 17 || last_comp > version)
		return FDT_ERR_BADVERSION;

	t.blob = b;
	t.size = fdt_be32(b + FDT_H_TOTALSIZE);
	if (t.size > max_size)
		return FDT_ERR_TRUNCATED;
	t.off_struct = fdt_be32(b + FDT_H_OFF_STRUCT);
	t.off_strings = fdt_be32(b + FDT_H_OFF_STRINGS);
	t.off_rsvmap = fdt_be32(b + FDT_H_OFF_RSVMAP);
	t.size_strings = fdt_be32(b + FDT_H_SIZE_STRINGS);
	if (version >= 17)
		t.size_struct = fdt_be32(b + FDT_H_SIZE_STRUCT);
	else	/* Provisional: up to totalsize; fixed after the walk. */
		t.size_struct = t.off_struct <= t.size ? t.size - t.off_struct : 0;

	if (t.size < FDT_HEADER_SIZE ||
	    !fdt_in_bounds(t.size, t.off_struct, t.size_struct) ||
	    !fdt_in_bounds(t.size, t.off_strings, t.size_strings) ||
	    !IS_ALIGNED(t.off_struct, 4) || !IS_ALIGNED(t.off_rsvmap, 8))
		return FDT_ERR_BADLAYOUT;
	for (rsv_count = 0; (err = fdt_rsv_read(&t, rsv_count, &addr, &size)) == FDT_OK;)
		rsv_count++;
	if (err != FDT_ERR_NOTFOUND)
		return err;
	rsv_size = ((uint64_t)rsv_count + 1) * FDT_RSV_ENTRY_SIZE;
	if (version >= 17 && fdt_blocks_overlap(&t, rsv_size))
		return FDT_ERR_BADLAYOUT;

	/* For version 16 the struct block's size is known only after the walk. */
	err = fdt_check_struct(&t, version >= 17);
	if (err)
		return err;
	if (fdt_blocks_overlap(&t, rsv_size))
		return FDT_ERR_BADLAYOUT;
	*f = t;
	return FDT_OK;
}

const char *fdt_strerror(int err)
{
	static const char *const names[] = {
		[FDT_OK] = "ok",
		[FDT_ERR_TRUNCATED] = "blob truncated",
		[FDT_ERR_BADMAGIC] = "bad magic",
		[FDT_ERR_BADVERSION] = "unsupported version",
		[FDT_ERR_BADLAYOUT] = "bad block layout",
		[FDT_ERR_BADSTRUCTURE] = "bad structure block",
		[FDT_ERR_BADSTRING] = "bad name or string",
		[FDT_ERR_NOTFOUND] = "not found",
		[FDT_ERR_BADVALUE] = "bad property value",
		[FDT_ERR_TOODEEP] = "nesting too deep",
	};

	if (err < 0 || (size_t)err >= ARRAY_SIZE(names))
		return "unknown error";
	return names[err];
}

uint32_t fdt_totalsize(const struct fdt *f)
{
	return f->size;
}

int fdt_root(const struct fdt *f, struct fdt_node *root)
{
	struct fdt_tok t;
	uint32_t off;
	int err;

	for (off = 0; (err = fdt_tok_read(f, off, &t)) == FDT_OK; off = t.next) {
		if (t.tag == FDT_BEGIN_NODE) {
			root->off = off;
			return FDT_OK;
		}
		if (t.tag != FDT_NOP)
			return FDT_ERR_BADSTRUCTURE;
	}
	return err;
}

const char *fdt_node_name(const struct fdt *f, struct fdt_node n)
{
	struct fdt_tok t;

	return fdt_node_tok(f, n, &t) ? NULL : t.name;
}

int fdt_next_node(const struct fdt *f, struct fdt_node *n, int *depth)
{
	struct fdt_tok t;
	uint32_t off;
	int rel = 1;	/* Nesting relative to `n`'s parent, once inside `n`. */
	int err = fdt_node_tok(f, *n, &t);

	if (err)
		return err;
	for (off = t.next; (err = fdt_tok_read(f, off, &t)) == FDT_OK; off = t.next) {
		if (t.tag == FDT_BEGIN_NODE) {
			n->off = off;
			if (depth)
				*depth += rel;
			return FDT_OK;
		}
		if (t.tag == FDT_END_NODE)
			rel--;
		else if (t.tag == FDT_END)
			return FDT_ERR_NOTFOUND;
	}
	return err;
}

int fdt_first_child(const struct fdt *f, struct fdt_node parent, struct fdt_node *child)
{
	int depth = 0;
	int err = fdt_next_node(f, &parent, &depth);

	if (err)
		return err;
	if (depth != 1)
		return FDT_ERR_NOTFOUND;
	*child = parent;
	return FDT_OK;
}

int fdt_next_sibling(const struct fdt *f, struct fdt_node n, struct fdt_node *next)
{
	int depth = 0;
	int err;

	do
		err = fdt_next_node(f, &n, &depth);
	while (!err && depth > 0);
	if (err)
		return err;
	if (depth < 0)
		return FDT_ERR_NOTFOUND;
	*next = n;
	return FDT_OK;
}

/* Whether path component `c` (`len` bytes) names the node called `name`. */
static bool fdt_name_matches(const char *name, const char *c, size_t len)
{
	if (!name || strnlen(name, len) != len || memcmp(name, c, len) != 0)
		return false;
	return name[len] == '\0' || (name[len] == '@' && !memchr(c, '@', len));
}

int fdt_find_path(const struct fdt *f, const char *path, struct fdt_node *out)
{
	struct fdt_node n, c;
	size_t len;
	int err;

	if (path[0] != '/')
		return FDT_ERR_NOTFOUND;
	err = fdt_root(f, &n);
	while (!err) {
		while (*path == '/')
			path++;
		if (*path == '\0') {
			*out = n;
			return FDT_OK;
		}
		for (len = 0; path[len] != '\0' && path[len] != '/'; len++)
			;
		err = fdt_first_child(f, n, &c);
		while (!err && !fdt_name_matches(fdt_node_name(f, c), path, len))
			err = fdt_next_sibling(f, c, &c);
		n = c;
		path += len;
	}
	return err;
}

int fdt_get_prop(const struct fdt *f, struct fdt_node n, const char *name,
		 const void **val, uint32_t *len)
{
	struct fdt_tok t;
	int err = fdt_node_tok(f, n, &t);

	while (!err && (err = fdt_tok_read(f, t.next, &t)) == FDT_OK) {
		if (t.tag == FDT_PROP && strcmp(t.name, name) == 0) {
			if (val)
				*val = t.val;
			if (len)
				*len = t.len;
			return FDT_OK;
		}
		if (t.tag != FDT_PROP && t.tag != FDT_NOP)
			return FDT_ERR_NOTFOUND;
	}
	return err;
}

/* Reads a property of 1..`max_cells` cells. */
static int fdt_get_int(const struct fdt *f, struct fdt_node n, const char *name,
		       uint32_t max_cells, uint64_t *out)
{
	const void *v;
	uint32_t len;
	int err = fdt_get_prop(f, n, name, &v, &len);

	if (!err && (len == 0 || len % 4 != 0 || len / 4 > max_cells))
		err = FDT_ERR_BADVALUE;
	if (!err)
		*out = fdt_cells(v, len / 4);
	return err;
}

int fdt_get_u32(const struct fdt *f, struct fdt_node n, const char *name, uint32_t *out)
{
	uint64_t v;
	int err = fdt_get_int(f, n, name, 1, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int fdt_get_u64(const struct fdt *f, struct fdt_node n, const char *name, uint64_t *out)
{
	return fdt_get_int(f, n, name, 2, out);
}

int fdt_get_string(const struct fdt *f, struct fdt_node n, const char *name, const char **out)
{
	const void *v;
	uint32_t len;
	int err = fdt_get_prop(f, n, name, &v, &len);

	if (err)
		return err;
	if (len == 0 || !memchr(v, 0, len))
		return FDT_ERR_BADVALUE;
	*out = v;
	return FDT_OK;
}

/* Finds a string-list property; every string in it is terminated. */
static int fdt_strlist(const struct fdt *f, struct fdt_node n, const char *name,
		       const char **list, const char **end)
{
	const void *v;
	uint32_t len;
	int err = fdt_get_prop(f, n, name, &v, &len);

	if (err)
		return err;
	*list = v;
	*end = *list + len;
	if (len == 0 || (*end)[-1] != '\0')
		return FDT_ERR_BADVALUE;
	return FDT_OK;
}

int fdt_stringlist_get(const struct fdt *f, struct fdt_node n, const char *name,
		       unsigned idx, const char **out)
{
	const char *s, *end;
	int err = fdt_strlist(f, n, name, &s, &end);

	for (; !err; s += strlen(s) + 1) {
		if (s == end)
			return FDT_ERR_NOTFOUND;
		if (idx-- == 0) {
			*out = s;
			return FDT_OK;
		}
	}
	return err;
}

bool fdt_is_compatible(const struct fdt *f, struct fdt_node n, const char *compat)
{
	const char *s, *end;

	if (fdt_strlist(f, n, "compatible", &s, &end))
		return false;
	for (; s != end; s += strlen(s) + 1)
		if (strcmp(s, compat) == 0)
			return true;
	return false;
}

int fdt_find_compatible(const struct fdt *f, struct fdt_node *iter, const char *compat)
{
	struct fdt_node n = *iter;
	int err = n.off == FDT_NODE_NONE ? fdt_root(f, &n) : fdt_next_node(f, &n, NULL);

	while (!err && !fdt_is_compatible(f, n, compat))
		err = fdt_next_node(f, &n, NULL);
	if (!err)
		*iter = n;
	return err;
}

bool fdt_is_enabled(const struct fdt *f, struct fdt_node n)
{
	const void *v;
	uint32_t len;
	int err = fdt_get_prop(f, n, "status", &v, &len);

	if (err == FDT_ERR_NOTFOUND)
		return true;
	if (err)
		return false;
	return (len == sizeof("okay") && memcmp(v, "okay", len) == 0) ||
	       (len == sizeof("ok") && memcmp(v, "ok", len) == 0);
}

static int fdt_cell_count(const struct fdt *f, struct fdt_node n, const char *name,
			  uint32_t dflt, uint32_t *cells)
{
	int err = fdt_get_u32(f, n, name, cells);

	if (err == FDT_ERR_NOTFOUND) {
		*cells = dflt;
		err = FDT_OK;
	}
	return err;
}

int fdt_addr_cells(const struct fdt *f, struct fdt_node n, uint32_t *cells)
{
	return fdt_cell_count(f, n, "#address-cells", 2, cells);
}

int fdt_size_cells(const struct fdt *f, struct fdt_node n, uint32_t *cells)
{
	return fdt_cell_count(f, n, "#size-cells", 1, cells);
}

int fdt_get_reg(const struct fdt *f, struct fdt_node n, uint32_t ac, uint32_t sc,
		unsigned idx, uint64_t *addr, uint64_t *size)
{
	const uint8_t *p;
	const void *v;
	uint32_t len, stride;
	uint64_t a, s;
	int err;

	if (ac < 1 || ac > 2 || sc > 2)
		return FDT_ERR_BADVALUE;
	err = fdt_get_prop(f, n, "reg", &v, &len);
	if (err)
		return err;
	stride = (ac + sc) * 4;
	if (len % stride != 0)
		return FDT_ERR_BADVALUE;
	if (idx >= len / stride)
		return FDT_ERR_NOTFOUND;
	p = (const uint8_t *)v + (size_t)idx * stride;
	a = fdt_cells(p, ac);
	s = fdt_cells(p + ac * 4, sc);
	if (s > UINT64_MAX - a)
		return FDT_ERR_BADVALUE;
	*addr = a;
	*size = s;
	return FDT_OK;
}

int fdt_parent(const struct fdt *f, struct fdt_node n, struct fdt_node *parent)
{
	uint32_t stack[FDT_MAX_DEPTH];
	uint32_t off, depth = 0;
	struct fdt_tok t;
	int err;

	for (off = 0; (err = fdt_tok_read(f, off, &t)) == FDT_OK; off = t.next) {
		if (t.tag == FDT_BEGIN_NODE) {
			if (off == n.off) {
				if (depth == 0)
					return FDT_ERR_NOTFOUND;
				parent->off = stack[depth - 1];
				return FDT_OK;
			}
			if (depth == FDT_MAX_DEPTH)
				return FDT_ERR_TOODEEP;
			stack[depth++] = off;
		} else if (t.tag == FDT_END_NODE) {
			if (depth == 0)
				return FDT_ERR_BADSTRUCTURE;
			depth--;
		} else if (t.tag == FDT_END) {
			return FDT_ERR_NOTFOUND;
		}
	}
	return err;
}

int fdt_reg(const struct fdt *f, struct fdt_node n, unsigned idx, uint64_t *addr, uint64_t *size)
{
	struct fdt_node p;
	uint32_t ac, sc;
	int err = fdt_parent(f, n, &p);

	if (!err)
		err = fdt_addr_cells(f, p, &ac);
	if (!err)
		err = fdt_size_cells(f, p, &sc);
	if (!err)
		err = fdt_get_reg(f, n, ac, sc, idx, addr, size);
	return err;
}

int fdt_rsvmap_get(const struct fdt *f, unsigned idx, uint64_t *addr, uint64_t *size)
{
	uint64_t a, s;
	uint32_t i;
	int err;

	for (i = 0; (err = fdt_rsv_read(f, i, &a, &s)) == FDT_OK && i != idx; i++)
		;
	if (err)
		return err;
	if (s > UINT64_MAX - a)
		return FDT_ERR_BADVALUE;
	*addr = a;
	*size = s;
	return FDT_OK;
}

int fdt_find_phandle(const struct fdt *f, uint32_t phandle, struct fdt_node *out)
{
	struct fdt_node n, match = { FDT_NODE_NONE };
	uint32_t v;
	int err, e;

	if (phandle == 0 || phandle == UINT32_MAX)
		return FDT_ERR_NOTFOUND;
	for (err = fdt_root(f, &n); !err; err = fdt_next_node(f, &n, NULL)) {
		e = fdt_get_u32(f, n, "phandle", &v);
		if (e == FDT_OK && v == phandle) {
			if (match.off != FDT_NODE_NONE)
				return FDT_ERR_BADVALUE;
			match = n;
		} else if (e != FDT_OK && e != FDT_ERR_NOTFOUND) {
			return e;
		}
	}
	if (err != FDT_ERR_NOTFOUND)
		return err;
	if (match.off == FDT_NODE_NONE)
		return FDT_ERR_NOTFOUND;
	*out = match;
	return FDT_OK;
}
