/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the FDT reader (src/lib/fdt.c). Valid trees come from the
 * .dts files in test/unit/data, compiled by dtc into TEST_DATA_DIR. Malformed
 * blobs are made by mutating a valid blob in memory or by assembling one with
 * the small builder below. Every case asserts the exact error code. Blobs are
 * kept in heap buffers of exactly their size so that ASan reports any read
 * past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/fdt.h>

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "build/host/data"
#endif

/* Header field offsets. */
#define H_MAGIC 0
#define H_TOTALSIZE 4
#define H_OFF_STRUCT 8
#define H_OFF_STRINGS 12
#define H_OFF_RSVMAP 16
#define H_VERSION 20
#define H_LAST_COMP 24
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT 36

/* ---- Helpers ---------------------------------------------------------- */

static uint32_t get32(const uint8_t *b, uint32_t off)
{
	return (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
	       (uint32_t)b[off + 2] << 8 | b[off + 3];
}

static void put32(uint8_t *b, uint32_t off, uint32_t v)
{
	b[off] = (uint8_t)(v >> 24);
	b[off + 1] = (uint8_t)(v >> 16);
	b[off + 2] = (uint8_t)(v >> 8);
	b[off + 3] = (uint8_t)v;
}

/* Loads a compiled test tree into a heap buffer of exactly its size. */
static uint8_t *load(const char *name, uint32_t *size)
{
	char path[256];
	uint8_t *buf;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*size = (uint32_t)n;
	return buf;
}

/* Opens a copy of `src` held in a heap buffer of exactly `n` bytes. */
static int open_exact(const void *src, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct fdt f;
	int err;

	assert_non_null(copy);
	memcpy(copy, src, n);
	err = fdt_open(&f, copy, n);
	free(copy);
	return err;
}

/* Loads and opens a tree that must be valid. */
static uint8_t *open_file(const char *name, struct fdt *f)
{
	uint32_t size;
	uint8_t *b = load(name, &size);

	assert_int_equal(fdt_open(f, b, size), FDT_OK);
	assert_int_equal(fdt_totalsize(f), size);
	return b;
}

static struct fdt_node path(const struct fdt *f, const char *p)
{
	struct fdt_node n;

	assert_int_equal(fdt_find_path(f, p, &n), FDT_OK);
	return n;
}

/* Blob offset of the FDT_PROP token of property `prop` of node `p`. */
static uint32_t prop_tok(const struct fdt *f, const char *p, const char *prop)
{
	const void *v;
	uint32_t len;

	assert_int_equal(fdt_get_prop(f, path(f, p), prop, &v, &len), FDT_OK);
	return (uint32_t)((const uint8_t *)v - f->blob) - 12;
}

/* Blob offset of the FDT_BEGIN_NODE token of node `p`. */
static uint32_t node_tok(const struct fdt *f, const char *p)
{
	return f->off_struct + path(f, p).off;
}

/* ---- Blob builder ----------------------------------------------------- */

struct tb {
	uint8_t st[1024];
	uint32_t st_len;
	char strs[256];
	uint32_t strs_len;
	uint64_t rsv[4][2];
	unsigned rsv_count;
	bool rsv_unterminated;	/* omit the terminating entry */
	bool rsv_last;		/* place the map after the strings block */
	bool strings_first;	/* place the strings block before the struct block */
	uint32_t rsv_shift;	/* extra bytes before the map */
	uint32_t struct_shift;	/* extra bytes before the struct block */
	uint8_t blob[2048];
};

static struct tb *tb_new(void)
{
	struct tb *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	return b;
}

static void tb_word(struct tb *b, uint32_t v)
{
	put32(b->st, b->st_len, v);
	b->st_len += 4;
}

static void tb_begin(struct tb *b, const char *name)
{
	tb_word(b, FDT_BEGIN_NODE);
	memcpy(b->st + b->st_len, name, strlen(name) + 1);
	b->st_len += ((uint32_t)strlen(name) + 4) & ~3U;
}

static void tb_prop(struct tb *b, const char *name, const void *val, uint32_t len)
{
	tb_word(b, FDT_PROP);
	tb_word(b, len);
	tb_word(b, b->strs_len);
	memcpy(b->strs + b->strs_len, name, strlen(name) + 1);
	b->strs_len += (uint32_t)strlen(name) + 1;
	memcpy(b->st + b->st_len, val, len);
	b->st_len += (len + 3) & ~3U;
}

/*
 * Lays out header | rsvmap | struct | strings, with the map last or the
 * strings before the struct block if asked; returns the total size.
 */
static uint32_t tb_finish(struct tb *b)
{
	uint32_t rsv_bytes = (b->rsv_count + !b->rsv_unterminated) * 16;
	uint32_t off = FDT_HEADER_SIZE, off_rsv = 0, off_struct, off_strings;
	unsigned i;

	if (!b->rsv_last) {
		off_rsv = off + b->rsv_shift;
		off = off_rsv + rsv_bytes;
	}
	if (b->strings_first) {
		off_strings = off;
		off_struct = ((off + b->strs_len + 3) & ~3U) + b->struct_shift;
		off = off_struct + b->st_len;
	} else {
		off_struct = ((off + 3) & ~3U) + b->struct_shift;
		off_strings = off_struct + b->st_len;
		off = off_strings + b->strs_len;
	}
	if (b->rsv_last) {
		off_rsv = ((off + 7) & ~7U) + b->rsv_shift;
		off = off_rsv + rsv_bytes;
	}
	assert_true(off <= sizeof(b->blob));
	memset(b->blob, 0, sizeof(b->blob));
	put32(b->blob, H_MAGIC, FDT_MAGIC);
	put32(b->blob, H_TOTALSIZE, off);
	put32(b->blob, H_OFF_STRUCT, off_struct);
	put32(b->blob, H_OFF_STRINGS, off_strings);
	put32(b->blob, H_OFF_RSVMAP, off_rsv);
	put32(b->blob, H_VERSION, 17);
	put32(b->blob, H_LAST_COMP, 16);
	put32(b->blob, H_SIZE_STRINGS, b->strs_len);
	put32(b->blob, H_SIZE_STRUCT, b->st_len);
	for (i = 0; i < b->rsv_count; i++) {
		put32(b->blob, off_rsv + 16 * i, (uint32_t)(b->rsv[i][0] >> 32));
		put32(b->blob, off_rsv + 16 * i + 4, (uint32_t)b->rsv[i][0]);
		put32(b->blob, off_rsv + 16 * i + 8, (uint32_t)(b->rsv[i][1] >> 32));
		put32(b->blob, off_rsv + 16 * i + 12, (uint32_t)b->rsv[i][1]);
	}
	memcpy(b->blob + off_struct, b->st, b->st_len);
	memcpy(b->blob + off_strings, b->strs, b->strs_len);
	return off;
}

static int tb_open(struct tb *b)
{
	uint32_t size = tb_finish(b);
	int err = open_exact(b->blob, size);

	free(b);
	return err;
}

/* ---- Valid trees -------------------------------------------------------- */

static void test_virt_opens(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);

	(void)state;
	assert_ptr_equal(f.blob, b);
	assert_int_equal(f.off_rsvmap, get32(b, H_OFF_RSVMAP));
	assert_int_equal(f.off_struct, get32(b, H_OFF_STRUCT));
	assert_int_equal(f.size_struct, get32(b, H_SIZE_STRUCT));
	assert_int_equal(f.off_strings, get32(b, H_OFF_STRINGS));
	assert_int_equal(f.size_strings, get32(b, H_SIZE_STRINGS));
	free(b);
}

static void test_minimal(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("minimal.dtb", &f);
	struct fdt_node root, n;
	uint64_t a, s;
	int depth = 7;

	(void)state;
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	assert_int_equal(root.off, 0);
	assert_string_equal(fdt_node_name(&f, root), "");
	assert_int_equal(fdt_first_child(&f, root, &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_next_sibling(&f, root, &n), FDT_ERR_NOTFOUND);
	n = root;
	assert_int_equal(fdt_next_node(&f, &n, &depth), FDT_ERR_NOTFOUND);
	assert_int_equal(n.off, root.off);
	assert_int_equal(depth, 7);
	assert_int_equal(fdt_find_path(&f, "/", &n), FDT_OK);
	assert_int_equal(n.off, root.off);
	assert_int_equal(fdt_find_path(&f, "/a", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_parent(&f, root, &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_reg(&f, root, 0, &a, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_rsvmap_get(&f, 0, &a, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_phandle(&f, 1, &n), FDT_ERR_NOTFOUND);
	assert_true(fdt_is_enabled(&f, root));
	assert_false(fdt_is_compatible(&f, root, "x"));
	free(b);
}

static void test_root_props(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node root;
	const char *s;
	uint32_t v;

	(void)state;
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	assert_string_equal(fdt_node_name(&f, root), "");
	assert_int_equal(fdt_get_string(&f, root, "model", &s), FDT_OK);
	assert_string_equal(s, "bulwark-test-virt");
	assert_true(fdt_is_compatible(&f, root, "linux,dummy-virt"));
	assert_int_equal(fdt_addr_cells(&f, root, &v), FDT_OK);
	assert_int_equal(v, 2);
	assert_int_equal(fdt_size_cells(&f, root, &v), FDT_OK);
	assert_int_equal(v, 2);
	free(b);
}

static void test_walk(void **state)
{
	static const struct {
		const char *name;
		int depth;
	} expect[] = {
		{ "", 0 }, { "psci", 1 }, { "memory@40000000", 1 }, { "cpus", 1 },
		{ "cpu@0", 2 }, { "cpu@1", 2 }, { "interrupt-controller@8000000", 1 },
		{ "its@8080000", 2 }, { "apb-pclk", 1 }, { "pl011@9000000", 1 },
		{ "timer", 1 }, { "virtio_mmio@a000000", 1 }, { "platform-bus@c000000", 1 },
		{ "dev@1000", 2 }, { "chosen", 1 },
	};
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n, last;
	int depth = 0;
	size_t i;

	(void)state;
	assert_int_equal(fdt_root(&f, &n), FDT_OK);
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		if (i > 0)
			assert_int_equal(fdt_next_node(&f, &n, &depth), FDT_OK);
		assert_string_equal(fdt_node_name(&f, n), expect[i].name);
		assert_int_equal(depth, expect[i].depth);
	}
	last = n;
	assert_int_equal(fdt_next_node(&f, &n, &depth), FDT_ERR_NOTFOUND);
	assert_int_equal(n.off, last.off);
	assert_int_equal(depth, 1);
	assert_int_equal(fdt_next_node(&f, &n, NULL), FDT_ERR_NOTFOUND);
	free(b);
}

static void test_children_and_siblings(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node root, n;
	unsigned count = 1;

	(void)state;
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	assert_int_equal(fdt_first_child(&f, root, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "psci");
	while (fdt_next_sibling(&f, n, &n) == FDT_OK)
		count++;
	assert_int_equal(count, 10);
	assert_string_equal(fdt_node_name(&f, n), "chosen");

	n = path(&f, "/cpus");
	assert_int_equal(fdt_next_sibling(&f, n, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "interrupt-controller@8000000");
	n = path(&f, "/cpus");
	assert_int_equal(fdt_first_child(&f, n, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "cpu@0");
	assert_int_equal(fdt_next_sibling(&f, n, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "cpu@1");
	assert_int_equal(fdt_next_sibling(&f, n, &n), FDT_ERR_NOTFOUND);
	assert_string_equal(fdt_node_name(&f, n), "cpu@1");
	assert_int_equal(fdt_first_child(&f, n, &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_first_child(&f, path(&f, "/psci"), &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_next_sibling(&f, path(&f, "/interrupt-controller/its"), &n),
			 FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_next_sibling(&f, root, &n), FDT_ERR_NOTFOUND);
	free(b);
}

static void test_find_path(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n = { 12345 };

	(void)state;
	assert_int_equal(path(&f, "/").off, 0);
	assert_int_equal(path(&f, "//").off, 0);
	assert_string_equal(fdt_node_name(&f, path(&f, "/cpus/cpu@1")), "cpu@1");
	assert_string_equal(fdt_node_name(&f, path(&f, "/cpus/cpu")), "cpu@0");
	assert_string_equal(fdt_node_name(&f, path(&f, "/memory")), "memory@40000000");
	assert_string_equal(fdt_node_name(&f, path(&f, "/cpus//cpu@0/")), "cpu@0");
	assert_string_equal(fdt_node_name(&f, path(&f, "/interrupt-controller@8000000/its")),
			    "its@8080000");
	assert_string_equal(fdt_node_name(&f, path(&f, "/platform-bus/dev@1000")), "dev@1000");
	assert_int_equal(fdt_find_path(&f, "", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "cpus", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "serial0", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/nope", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/cpus/cpu@2", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/cpus/cpu@", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/cpus/cpu@0/x", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/mem", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/memory@4", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/memory@400000000", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/cpu@0", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(n.off, 12345);
	free(b);
}

static void test_find_path_first_match(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("odd.dtb", &f);

	(void)state;
	/* "dup" matches "dup@1" first, even though a node named "dup" exists. */
	assert_string_equal(fdt_node_name(&f, path(&f, "/dup")), "dup@1");
	assert_string_equal(fdt_node_name(&f, path(&f, "/dup@2")), "dup@2");
	free(b);
}

static void test_find_path_unit_address(void **state)
{
	struct tb *b = tb_new();
	struct fdt f;
	struct fdt_node n;
	uint32_t size;

	(void)state;
	tb_begin(b, "");
	tb_begin(b, "a@1@2");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	size = tb_finish(b);
	assert_int_equal(fdt_open(&f, b->blob, size), FDT_OK);
	/* A component with a unit address must match in full. */
	assert_int_equal(fdt_find_path(&f, "/a@1", &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_path(&f, "/a@1@2", &n), FDT_OK);
	assert_int_equal(fdt_find_path(&f, "/a", &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "a@1@2");
	free(b);
}

static void test_get_prop(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n = path(&f, "/interrupt-controller");
	const void *v = NULL;
	uint32_t len = 99;

	(void)state;
	assert_int_equal(fdt_get_prop(&f, n, "interrupt-controller", &v, &len), FDT_OK);
	assert_int_equal(len, 0);
	assert_non_null(v);
	assert_int_equal(fdt_get_prop(&f, n, "reg", &v, &len), FDT_OK);
	assert_int_equal(len, 32);
	assert_int_equal(get32(v, 4), 0x08000000);
	assert_int_equal(fdt_get_prop(&f, n, "ranges", NULL, NULL), FDT_OK);
	assert_int_equal(fdt_get_prop(&f, n, "msi-controller", &v, &len), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_get_prop(&f, n, "", &v, &len), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_get_prop(&f, n, "re", &v, &len), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_get_prop(&f, n, "regs", &v, &len), FDT_ERR_NOTFOUND);
	free(b);
}

static void test_get_ints(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n = path(&f, "/psci");
	uint32_t v32 = 7;
	uint64_t v64 = 7;

	(void)state;
	assert_int_equal(fdt_get_u32(&f, n, "cpu_on", &v32), FDT_OK);
	assert_int_equal(v32, 0xc4000003);
	assert_int_equal(fdt_get_u64(&f, n, "cpu_off", &v64), FDT_OK);
	assert_int_equal(v64, 0x84000002);
	assert_int_equal(fdt_get_u32(&f, n, "compatible", &v32), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_u32(&f, n, "missing", &v32), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_get_u64(&f, path(&f, "/memory"), "reg", &v64), FDT_ERR_BADVALUE);
	assert_int_equal(v32, 0xc4000003);
	assert_int_equal(v64, 0x84000002);
	free(b);

	b = open_file("odd.dtb", &f);
	n = path(&f, "/values");
	assert_int_equal(fdt_get_u32(&f, n, "u32-short", &v32), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_u32(&f, n, "u32-long", &v32), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_u32(&f, n, "empty", &v32), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_u64(&f, n, "u64-one", &v64), FDT_OK);
	assert_int_equal(v64, 0x12345678);
	assert_int_equal(fdt_get_u64(&f, n, "u64-two", &v64), FDT_OK);
	assert_int_equal(v64, 0x123456789abcdef0ULL);
	assert_int_equal(fdt_get_u64(&f, n, "u64-three", &v64), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_u64(&f, n, "u32-short", &v64), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_u64(&f, n, "empty", &v64), FDT_ERR_BADVALUE);
	free(b);
}

static void test_strings(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	const char *s = NULL;

	(void)state;
	assert_int_equal(fdt_get_string(&f, path(&f, "/psci"), "method", &s), FDT_OK);
	assert_string_equal(s, "hvc");
	assert_int_equal(fdt_get_string(&f, path(&f, "/chosen"), "stdout-path", &s), FDT_OK);
	assert_string_equal(s, "/pl011@9000000");
	assert_string_equal(fdt_node_name(&f, path(&f, s)), "pl011@9000000");
	assert_int_equal(fdt_get_string(&f, path(&f, "/psci"), "compatible", &s), FDT_OK);
	assert_string_equal(s, "arm,psci-1.0");
	assert_int_equal(fdt_get_string(&f, path(&f, "/psci"), "nope", &s), FDT_ERR_NOTFOUND);
	free(b);

	b = open_file("odd.dtb", &f);
	assert_int_equal(fdt_get_string(&f, path(&f, "/values"), "str-unterminated", &s),
			 FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_string(&f, path(&f, "/values"), "empty", &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_string(&f, path(&f, "/values"), "str-inner-nul", &s), FDT_OK);
	assert_string_equal(s, "a");
	free(b);
}

static void test_stringlists(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n = path(&f, "/psci");
	const char *s = NULL;

	(void)state;
	assert_int_equal(fdt_stringlist_get(&f, n, "compatible", 0, &s), FDT_OK);
	assert_string_equal(s, "arm,psci-1.0");
	assert_int_equal(fdt_stringlist_get(&f, n, "compatible", 2, &s), FDT_OK);
	assert_string_equal(s, "arm,psci");
	assert_int_equal(fdt_stringlist_get(&f, n, "compatible", 1, &s), FDT_OK);
	assert_string_equal(s, "arm,psci-0.2");
	assert_int_equal(fdt_stringlist_get(&f, n, "compatible", 3, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_stringlist_get(&f, n, "compatible", ~0U, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_stringlist_get(&f, n, "missing", 0, &s), FDT_ERR_NOTFOUND);
	assert_string_equal(s, "arm,psci-0.2");
	n = path(&f, "/pl011");
	assert_int_equal(fdt_stringlist_get(&f, n, "clock-names", 1, &s), FDT_OK);
	assert_string_equal(s, "apb_pclk");
	free(b);

	b = open_file("odd.dtb", &f);
	n = path(&f, "/values");
	assert_int_equal(fdt_stringlist_get(&f, n, "list", 0, &s), FDT_OK);
	assert_string_equal(s, "first");
	assert_int_equal(fdt_stringlist_get(&f, n, "list", 1, &s), FDT_OK);
	assert_string_equal(s, "");
	assert_int_equal(fdt_stringlist_get(&f, n, "list", 2, &s), FDT_OK);
	assert_string_equal(s, "third");
	assert_int_equal(fdt_stringlist_get(&f, n, "list", 3, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_stringlist_get(&f, n, "list-unterminated", 0, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_stringlist_get(&f, n, "str-unterminated", 0, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_stringlist_get(&f, n, "empty", 0, &s), FDT_ERR_BADVALUE);
	free(b);
}

static void test_compatible(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n = path(&f, "/psci"), it;

	(void)state;
	assert_true(fdt_is_compatible(&f, n, "arm,psci-1.0"));
	assert_true(fdt_is_compatible(&f, n, "arm,psci-0.2"));
	assert_true(fdt_is_compatible(&f, n, "arm,psci"));
	assert_false(fdt_is_compatible(&f, n, "arm,psci-0"));
	assert_false(fdt_is_compatible(&f, n, "arm,psci-1.0x"));
	assert_false(fdt_is_compatible(&f, n, ""));
	assert_false(fdt_is_compatible(&f, path(&f, "/cpus"), "arm,psci"));

	it.off = FDT_NODE_NONE;
	assert_int_equal(fdt_find_compatible(&f, &it, "arm,cortex-a57"), FDT_OK);
	assert_string_equal(fdt_node_name(&f, it), "cpu@0");
	assert_int_equal(fdt_find_compatible(&f, &it, "arm,cortex-a57"), FDT_OK);
	assert_string_equal(fdt_node_name(&f, it), "cpu@1");
	assert_int_equal(fdt_find_compatible(&f, &it, "arm,cortex-a57"), FDT_ERR_NOTFOUND);
	assert_string_equal(fdt_node_name(&f, it), "cpu@1");

	it.off = FDT_NODE_NONE;
	assert_int_equal(fdt_find_compatible(&f, &it, "linux,dummy-virt"), FDT_OK);
	assert_int_equal(it.off, 0);
	assert_int_equal(fdt_find_compatible(&f, &it, "linux,dummy-virt"), FDT_ERR_NOTFOUND);
	it.off = FDT_NODE_NONE;
	assert_int_equal(fdt_find_compatible(&f, &it, "arm,primecell"), FDT_OK);
	assert_string_equal(fdt_node_name(&f, it), "pl011@9000000");
	it.off = FDT_NODE_NONE;
	assert_int_equal(fdt_find_compatible(&f, &it, "nope"), FDT_ERR_NOTFOUND);
	assert_int_equal(it.off, FDT_NODE_NONE);
	free(b);

	b = open_file("odd.dtb", &f);
	it.off = FDT_NODE_NONE;
	assert_int_equal(fdt_find_compatible(&f, &it, "vendor,odd"), FDT_OK);
	assert_string_equal(fdt_node_name(&f, it), "values");
	assert_int_equal(fdt_find_compatible(&f, &it, "vendor,odd"), FDT_OK);
	assert_string_equal(fdt_node_name(&f, it), "dup@1");
	assert_int_equal(fdt_find_compatible(&f, &it, "vendor,odd"), FDT_ERR_NOTFOUND);
	free(b);
}

static void test_status(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node root;

	(void)state;
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	assert_true(fdt_is_enabled(&f, root));
	assert_true(fdt_is_enabled(&f, path(&f, "/interrupt-controller/its")));	/* "okay" */
	assert_true(fdt_is_enabled(&f, path(&f, "/pl011")));			/* "ok" */
	assert_false(fdt_is_enabled(&f, path(&f, "/virtio_mmio")));		/* "disabled" */
	free(b);

	b = open_file("odd.dtb", &f);
	assert_false(fdt_is_enabled(&f, path(&f, "/values")));	/* "okay", "junk" */
	assert_false(fdt_is_enabled(&f, path(&f, "/status-disabled")));
	assert_false(fdt_is_enabled(&f, path(&f, "/status-fail")));
	assert_false(fdt_is_enabled(&f, path(&f, "/status-empty")));
	assert_true(fdt_is_enabled(&f, path(&f, "/dup")));
	free(b);
}

static void test_phandle(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node root, n = { 777 };
	const void *v;
	uint32_t len, ph;

	(void)state;
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	assert_int_equal(fdt_get_u32(&f, root, "interrupt-parent", &ph), FDT_OK);
	assert_int_equal(fdt_find_phandle(&f, ph, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "interrupt-controller@8000000");
	assert_int_equal(fdt_find_phandle(&f, 0x8005, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "its@8080000");
	assert_int_equal(fdt_get_prop(&f, path(&f, "/pl011"), "clocks", &v, &len), FDT_OK);
	assert_int_equal(len, 8);
	assert_int_equal(fdt_find_phandle(&f, get32(v, 0), &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "apb-pclk");
	n.off = 777;
	assert_int_equal(fdt_find_phandle(&f, 0, &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_phandle(&f, 0xffffffff, &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_phandle(&f, 0x1234, &n), FDT_ERR_NOTFOUND);
	assert_int_equal(n.off, 777);
	free(b);
}

static void test_phandle_duplicate(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n = { 777 };
	uint32_t tok = prop_tok(&f, "/interrupt-controller/its", "phandle");

	(void)state;
	put32(b, tok + 12, 1);	/* Same as the GIC's, which dtc numbered 1. */
	assert_int_equal(fdt_find_phandle(&f, 0x8005, &n), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_find_phandle(&f, 1, &n), FDT_ERR_BADVALUE);
	assert_int_equal(n.off, 777);
	free(b);
}

static void test_phandle_bad_length(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node n;
	uint32_t ph = prop_tok(&f, "/interrupt-controller/its", "phandle");
	uint32_t compat = prop_tok(&f, "/interrupt-controller/its", "compatible");

	(void)state;
	/* Rename the ITS's "compatible" (15 bytes) to "phandle". */
	put32(b, compat + 8, get32(b, ph + 8));
	assert_int_equal(fdt_open(&f, b, fdt_totalsize(&f)), FDT_OK);
	assert_int_equal(fdt_find_phandle(&f, 1, &n), FDT_ERR_BADVALUE);
	free(b);
}

static void test_reg(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node root, n;
	uint64_t a = 1, s = 1;

	(void)state;
	n = path(&f, "/memory");
	assert_int_equal(fdt_reg(&f, n, 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0x40000000);
	assert_int_equal(s, 0x100000000ULL);
	assert_int_equal(fdt_reg(&f, n, 1, &a, &s), FDT_ERR_NOTFOUND);

	n = path(&f, "/interrupt-controller");
	assert_int_equal(fdt_reg(&f, n, 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0x08000000);
	assert_int_equal(s, 0x10000);
	assert_int_equal(fdt_reg(&f, n, 1, &a, &s), FDT_OK);
	assert_int_equal(a, 0x080a0000);
	assert_int_equal(s, 0xf60000);
	assert_int_equal(fdt_reg(&f, n, 2, &a, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_reg(&f, n, ~0U, &a, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_reg(&f, path(&f, "/interrupt-controller/its"), 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0x08080000);
	assert_int_equal(s, 0x20000);

	/* #size-cells = 0 under /cpus. */
	s = 99;
	assert_int_equal(fdt_reg(&f, path(&f, "/cpus/cpu@1"), 0, &a, &s), FDT_OK);
	assert_int_equal(a, 1);
	assert_int_equal(s, 0);
	assert_int_equal(fdt_reg(&f, path(&f, "/cpus/cpu@1"), 1, &a, &s), FDT_ERR_NOTFOUND);

	/* One address and one size cell. */
	n = path(&f, "/platform-bus/dev@1000");
	assert_int_equal(fdt_reg(&f, n, 1, &a, &s), FDT_OK);
	assert_int_equal(a, 0x2000);
	assert_int_equal(s, 0x200);
	assert_int_equal(fdt_reg(&f, n, 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0x1000);
	assert_int_equal(s, 0x100);
	assert_int_equal(fdt_reg(&f, n, 2, &a, &s), FDT_ERR_NOTFOUND);

	/* No reg at all, and the root has no parent. */
	assert_int_equal(fdt_reg(&f, path(&f, "/psci"), 0, &a, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	assert_int_equal(fdt_reg(&f, root, 0, &a, &s), FDT_ERR_NOTFOUND);

	/* Explicit cell counts. */
	n = path(&f, "/memory");
	assert_int_equal(fdt_get_reg(&f, n, 1, 1, 1, &a, &s), FDT_OK);
	assert_int_equal(a, 1);
	assert_int_equal(s, 0);
	assert_int_equal(fdt_get_reg(&f, n, 2, 0, 1, &a, &s), FDT_OK);
	assert_int_equal(a, 0x100000000ULL);
	assert_int_equal(s, 0);
	assert_int_equal(fdt_get_reg(&f, n, 2, 1, 0, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_reg(&f, n, 0, 2, 0, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_reg(&f, n, 0, 0, 0, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_reg(&f, n, 3, 1, 0, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_reg(&f, n, 1, 3, 0, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_get_reg(&f, n, 0xffffffff, 0xffffffff, 0, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(a, 0x100000000ULL);
	assert_int_equal(s, 0);
	free(b);
}

static void test_reg_bad(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("odd.dtb", &f);
	struct fdt_node root;
	uint64_t a = 5, s = 5;
	uint32_t c;

	(void)state;
	/* The root has no cell properties: defaults 2 and 1. */
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	assert_int_equal(fdt_addr_cells(&f, root, &c), FDT_OK);
	assert_int_equal(c, 2);
	assert_int_equal(fdt_size_cells(&f, root, &c), FDT_OK);
	assert_int_equal(c, 1);
	assert_int_equal(fdt_reg(&f, path(&f, "/defaults@1"), 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0x100000002ULL);
	assert_int_equal(s, 3);

	/* 5 cells is not a multiple of 2 + 1. */
	assert_int_equal(fdt_reg(&f, path(&f, "/bad-reg"), 0, &a, &s), FDT_ERR_BADVALUE);
	/* Cell counts the decoder cannot handle. */
	assert_int_equal(fdt_addr_cells(&f, path(&f, "/bad-reg"), &c), FDT_OK);
	assert_int_equal(c, 3);
	assert_int_equal(fdt_size_cells(&f, path(&f, "/bad-reg"), &c), FDT_OK);
	assert_int_equal(c, 4);
	assert_int_equal(fdt_reg(&f, path(&f, "/bad-reg/child"), 0, &a, &s), FDT_ERR_BADVALUE);
	/* #address-cells with 8 bytes. */
	assert_int_equal(fdt_addr_cells(&f, path(&f, "/badcells"), &c), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_reg(&f, path(&f, "/badcells/dev"), 0, &a, &s), FDT_ERR_BADVALUE);
	/* Ranges reaching 2^64 are rejected; ending just below is fine. */
	assert_int_equal(fdt_reg(&f, path(&f, "/wrap/top"), 0, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(a, 0x100000002ULL);
	assert_int_equal(fdt_reg(&f, path(&f, "/wrap/ok"), 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0xffffffff00000000ULL);
	assert_int_equal(s, 0xffffffffULL);
	free(b);
}

static void test_parent(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	struct fdt_node root, p = { 55 };

	(void)state;
	assert_int_equal(fdt_parent(&f, path(&f, "/cpus/cpu@1"), &p), FDT_OK);
	assert_string_equal(fdt_node_name(&f, p), "cpus");
	assert_int_equal(fdt_parent(&f, path(&f, "/interrupt-controller/its"), &p), FDT_OK);
	assert_string_equal(fdt_node_name(&f, p), "interrupt-controller@8000000");
	assert_int_equal(fdt_parent(&f, path(&f, "/chosen"), &p), FDT_OK);
	assert_int_equal(p.off, 0);
	assert_int_equal(fdt_root(&f, &root), FDT_OK);
	p.off = 55;
	assert_int_equal(fdt_parent(&f, root, &p), FDT_ERR_NOTFOUND);
	assert_int_equal(p.off, 55);
	free(b);
}

static void test_rsvmap(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint64_t a = 3, s = 3;

	(void)state;
	assert_int_equal(fdt_rsvmap_get(&f, 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0x48000000);
	assert_int_equal(s, 0x100000);
	assert_int_equal(fdt_rsvmap_get(&f, 1, &a, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_rsvmap_get(&f, ~0U, &a, &s), FDT_ERR_NOTFOUND);
	assert_int_equal(a, 0x48000000);
	free(b);
}

static void test_rsvmap_entries(void **state)
{
	struct tb *b = tb_new();
	struct fdt f;
	uint64_t a, s;
	uint32_t size;

	(void)state;
	b->rsv[0][0] = 0x1000;
	b->rsv[0][1] = 0x2000;
	b->rsv[1][0] = 0;		/* address 0 with a size is not a terminator */
	b->rsv[1][1] = 0x10;
	b->rsv[2][0] = 0xffffffffffff0000ULL;
	b->rsv[2][1] = 0x10000;		/* reaches 2^64 */
	b->rsv_count = 3;
	tb_begin(b, "");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	size = tb_finish(b);
	assert_int_equal(fdt_open(&f, b->blob, size), FDT_OK);
	assert_int_equal(fdt_rsvmap_get(&f, 0, &a, &s), FDT_OK);
	assert_int_equal(a, 0x1000);
	assert_int_equal(s, 0x2000);
	assert_int_equal(fdt_rsvmap_get(&f, 1, &a, &s), FDT_OK);
	assert_int_equal(a, 0);
	assert_int_equal(s, 0x10);
	assert_int_equal(fdt_rsvmap_get(&f, 2, &a, &s), FDT_ERR_BADVALUE);
	assert_int_equal(fdt_rsvmap_get(&f, 3, &a, &s), FDT_ERR_NOTFOUND);
	free(b);
}

static void test_depth_limit(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("deep32.dtb", &f);
	struct fdt_node n, p;
	int depth = 0;
	uint32_t size;

	(void)state;
	assert_int_equal(fdt_root(&f, &n), FDT_OK);
	while (fdt_next_node(&f, &n, &depth) == FDT_OK)
		;
	assert_int_equal(depth, 31);
	assert_string_equal(fdt_node_name(&f, n), "n31");
	assert_int_equal(fdt_parent(&f, n, &p), FDT_OK);
	assert_string_equal(fdt_node_name(&f, p), "n30");
	assert_int_equal(fdt_get_prop(&f, n, "leaf", NULL, NULL), FDT_OK);
	free(b);

	b = load("deep33.dtb", &size);
	assert_int_equal(fdt_open(&f, b, size), FDT_ERR_TOODEEP);
	free(b);
}

static void test_version16(void **state)
{
	struct fdt f;
	uint32_t size;
	uint8_t *b = load("virt.dtb", &size);
	uint32_t size_struct = get32(b, H_SIZE_STRUCT);
	struct fdt_node n;

	(void)state;
	/* Version 16 has no size_dt_struct; the field is ignored. */
	put32(b, H_VERSION, 16);
	put32(b, H_SIZE_STRUCT, 0xffffffff);
	assert_int_equal(fdt_open(&f, b, size), FDT_OK);
	assert_int_equal(f.size_struct, size_struct);
	assert_int_equal(fdt_find_path(&f, "/chosen", &n), FDT_OK);
	put32(b, H_LAST_COMP, 2);
	assert_int_equal(fdt_open(&f, b, size), FDT_OK);
	free(b);
}

static void test_version16_overlap(void **state)
{
	struct tb *b = tb_new();
	uint32_t size;

	(void)state;
	b->strings_first = true;
	tb_begin(b, "");
	tb_prop(b, "p", "", 0);
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	size = tb_finish(b);
	assert_int_equal(open_exact(b->blob, size), FDT_OK);
	/* Let the strings block ("p\0" and padding) run into the struct block. */
	put32(b->blob, H_SIZE_STRINGS, 6);
	assert_int_equal(open_exact(b->blob, size), FDT_ERR_BADLAYOUT);
	/* In version 16 the overlap is found only after the walk. */
	put32(b->blob, H_VERSION, 16);
	assert_int_equal(open_exact(b->blob, size), FDT_ERR_BADLAYOUT);
	put32(b->blob, H_SIZE_STRINGS, 2);
	assert_int_equal(open_exact(b->blob, size), FDT_OK);
	free(b);
}

static void test_future_version(void **state)
{
	uint32_t size;
	uint8_t *b = load("virt.dtb", &size);

	(void)state;
	/* Newer versions stay readable while last_comp_version <= 17. */
	put32(b, H_VERSION, 18);
	assert_int_equal(open_exact(b, size), FDT_OK);
	put32(b, H_VERSION, 0xffffffff);
	assert_int_equal(open_exact(b, size), FDT_OK);
	put32(b, H_LAST_COMP, 17);
	assert_int_equal(open_exact(b, size), FDT_OK);
	free(b);
}

static void test_nops_everywhere(void **state)
{
	struct tb *b = tb_new();
	struct fdt f;
	struct fdt_node n;
	uint32_t size, v;
	int depth = 0;

	(void)state;
	tb_word(b, FDT_NOP);
	tb_begin(b, "");
	tb_word(b, FDT_NOP);
	tb_prop(b, "p", "\0\0\0\5", 4);
	tb_word(b, FDT_NOP);
	tb_prop(b, "q", "x", 2);
	tb_word(b, FDT_NOP);
	tb_begin(b, "a@1");
	tb_word(b, FDT_NOP);
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_NOP);
	tb_begin(b, "b");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_NOP);
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_NOP);
	tb_word(b, FDT_END);
	size = tb_finish(b);
	assert_int_equal(fdt_open(&f, b->blob, size), FDT_OK);
	assert_int_equal(fdt_root(&f, &n), FDT_OK);
	assert_int_equal(n.off, 4);
	assert_int_equal(fdt_get_u32(&f, n, "p", &v), FDT_OK);
	assert_int_equal(v, 5);
	assert_int_equal(fdt_get_prop(&f, n, "q", NULL, NULL), FDT_OK);
	assert_int_equal(fdt_first_child(&f, n, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "a@1");
	assert_int_equal(fdt_get_prop(&f, n, "p", NULL, NULL), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_next_sibling(&f, n, &n), FDT_OK);
	assert_string_equal(fdt_node_name(&f, n), "b");
	assert_int_equal(fdt_next_sibling(&f, n, &n), FDT_ERR_NOTFOUND);
	assert_string_equal(fdt_node_name(&f, path(&f, "/a")), "a@1");
	assert_int_equal(fdt_root(&f, &n), FDT_OK);
	assert_int_equal(fdt_next_node(&f, &n, &depth), FDT_OK);
	assert_int_equal(fdt_next_node(&f, &n, &depth), FDT_OK);
	assert_int_equal(depth, 1);
	assert_int_equal(fdt_next_node(&f, &n, &depth), FDT_ERR_NOTFOUND);
	free(b);
}

static void test_no_strings(void **state)
{
	struct tb *b = tb_new();

	(void)state;
	tb_begin(b, "");
	tb_begin(b, "x");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_OK);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(fdt_strerror(FDT_OK), "ok");
	assert_string_equal(fdt_strerror(FDT_ERR_TRUNCATED), "blob truncated");
	assert_string_equal(fdt_strerror(FDT_ERR_TOODEEP), "nesting too deep");
	for (int e = FDT_OK; e <= FDT_ERR_TOODEEP; e++)
		assert_string_not_equal(fdt_strerror(e), "unknown error");
	assert_string_equal(fdt_strerror(FDT_ERR_TOODEEP + 1), "unknown error");
	assert_string_equal(fdt_strerror(-1), "unknown error");
}

/* ---- Misuse of the accessors ------------------------------------------ */

static void test_bad_node_handles(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	const uint32_t bad[] = { 2, 8 /* a PROP token */, f.size_struct - 4 /* END */,
				 f.size_struct, 0xfffffffc, FDT_NODE_NONE };
	struct fdt_node n, out = { 99 };
	const void *v;
	const char *s;
	uint64_t a, sz;
	uint32_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n.off = bad[i];
		assert_null(fdt_node_name(&f, n));
		assert_int_equal(fdt_first_child(&f, n, &out), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_next_sibling(&f, n, &out), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_next_node(&f, &n, NULL), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_get_prop(&f, n, "reg", &v, &len), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_get_string(&f, n, "reg", &s), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_stringlist_get(&f, n, "reg", 0, &s), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_addr_cells(&f, n, &len), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_get_reg(&f, n, 2, 2, 0, &a, &sz), FDT_ERR_BADSTRUCTURE);
		assert_int_equal(fdt_parent(&f, n, &out), FDT_ERR_NOTFOUND);
		assert_int_equal(fdt_reg(&f, n, 0, &a, &sz), FDT_ERR_NOTFOUND);
		assert_false(fdt_is_compatible(&f, n, "arm,gic-v3"));
		assert_false(fdt_is_enabled(&f, n));
		assert_int_equal(out.off, 99);
	}
	n.off = 8;
	assert_int_equal(fdt_find_compatible(&f, &n, "arm,gic-v3"), FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void test_unopened(void **state)
{
	struct fdt f;
	uint8_t junk[64] = { 0 };
	struct fdt_node n = { 0 };
	uint64_t a, s;

	(void)state;
	assert_int_equal(fdt_open(&f, junk, sizeof(junk)), FDT_ERR_BADMAGIC);
	assert_null(f.blob);
	assert_int_equal(fdt_totalsize(&f), 0);
	assert_int_equal(fdt_root(&f, &n), FDT_ERR_BADSTRUCTURE);
	assert_int_equal(fdt_find_path(&f, "/", &n), FDT_ERR_BADSTRUCTURE);
	assert_int_equal(fdt_find_phandle(&f, 1, &n), FDT_ERR_BADSTRUCTURE);
	assert_int_equal(fdt_rsvmap_get(&f, 0, &a, &s), FDT_ERR_BADLAYOUT);
	assert_null(fdt_node_name(&f, n));
	n.off = FDT_NODE_NONE;
	assert_int_equal(fdt_find_compatible(&f, &n, "x"), FDT_ERR_BADSTRUCTURE);
}

/* ---- Malformed blobs: header and layout -------------------------------- */

static void test_truncated_every_length(void **state)
{
	uint32_t size, len;
	uint8_t *b = load("virt.dtb", &size);

	(void)state;
	assert_int_equal(open_exact(b, size), FDT_OK);
	for (len = 0; len < size; len++)
		assert_int_equal(open_exact(b, len), FDT_ERR_TRUNCATED);
	assert_int_equal(fdt_open(&(struct fdt){ 0 }, NULL, 100), FDT_ERR_TRUNCATED);
	free(b);
}

static void test_totalsize_cut_every_length(void **state)
{
	uint32_t size, len;
	uint8_t *b = load("virt.dtb", &size);

	(void)state;
	/* The header claims fewer bytes: the strings block no longer fits. */
	for (len = FDT_HEADER_SIZE; len < size; len++) {
		put32(b, H_TOTALSIZE, len);
		assert_int_equal(open_exact(b, len), FDT_ERR_BADLAYOUT);
	}
	for (len = 0; len < FDT_HEADER_SIZE; len++) {
		put32(b, H_TOTALSIZE, len);
		assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	}
	free(b);
}

static void test_bad_magic(void **state)
{
	uint32_t size, i;
	uint8_t *b = load("virt.dtb", &size);

	(void)state;
	for (i = 0; i < 4; i++) {
		b[i] ^= 0x01;
		assert_int_equal(open_exact(b, size), FDT_ERR_BADMAGIC);
		b[i] ^= 0x01;
	}
	put32(b, H_MAGIC, 0xedfe0dd0);	/* byte-swapped */
	assert_int_equal(open_exact(b, size), FDT_ERR_BADMAGIC);
	put32(b, H_MAGIC, 0x2ff20112);	/* libfdt's sequential-write magic */
	assert_int_equal(open_exact(b, size), FDT_ERR_BADMAGIC);
	free(b);
}

static void test_bad_version(void **state)
{
	static const uint32_t versions[] = { 0, 1, 15, 0x10000000 };
	uint32_t size, i;
	uint8_t *b = load("virt.dtb", &size);

	(void)state;
	for (i = 0; i < 3; i++) {
		put32(b, H_VERSION, versions[i]);
		assert_int_equal(open_exact(b, size), FDT_ERR_BADVERSION);
	}
	put32(b, H_VERSION, 17);
	put32(b, H_LAST_COMP, 18);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADVERSION);
	put32(b, H_LAST_COMP, 0xffffffff);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADVERSION);
	put32(b, H_VERSION, versions[3]);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADVERSION);
	/* A version older than the one it claims compatibility with. */
	put32(b, H_VERSION, 16);
	put32(b, H_LAST_COMP, 17);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADVERSION);
	free(b);
}

static void test_totalsize_over_max(void **state)
{
	struct fdt f;
	uint32_t size;
	uint8_t *b = load("virt.dtb", &size);
	uint8_t *big = calloc(1, size + 64);

	(void)state;
	assert_non_null(big);
	memcpy(big, b, size);
	assert_int_equal(fdt_open(&f, b, size - 1), FDT_ERR_TRUNCATED);
	assert_int_equal(fdt_open(&f, big, size + 64), FDT_OK);
	assert_int_equal(fdt_totalsize(&f), size);
	put32(big, H_TOTALSIZE, size + 65);
	assert_int_equal(fdt_open(&f, big, size + 64), FDT_ERR_TRUNCATED);
	put32(big, H_TOTALSIZE, 0xffffffff);
	assert_int_equal(fdt_open(&f, big, size + 64), FDT_ERR_TRUNCATED);
	put32(big, H_TOTALSIZE, size + 64);	/* trailing free space is fine */
	assert_int_equal(fdt_open(&f, big, size + 64), FDT_OK);
	free(big);
	free(b);
}

static void test_huge_fields(void **state)
{
	static const uint32_t fields[] = { H_OFF_STRUCT, H_SIZE_STRUCT, H_OFF_STRINGS,
					   H_SIZE_STRINGS, H_OFF_RSVMAP };
	static const uint32_t values[] = { 0xffffffff, 0xfffffffc, 0xfffffff8, 0x80000000 };
	uint32_t size, i, j, saved;
	uint8_t *b = load("virt.dtb", &size);

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		saved = get32(b, fields[i]);
		for (j = 0; j < sizeof(values) / sizeof(values[0]); j++) {
			put32(b, fields[i], values[j]);
			assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
		}
		put32(b, fields[i], saved);
	}
	assert_int_equal(open_exact(b, size), FDT_OK);
	free(b);
}

static void test_offset_plus_size_wraps(void **state)
{
	uint32_t size;
	uint8_t *b = load("virt.dtb", &size);
	uint32_t size_strings = get32(b, H_SIZE_STRINGS);

	(void)state;
	/* In 32 bits 0xfffffff0 + 0x20 would be 0x10. */
	put32(b, H_OFF_STRINGS, 0xfffffff0);
	put32(b, H_SIZE_STRINGS, 0x20);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRINGS, 0x20);
	put32(b, H_SIZE_STRINGS, 0xfffffff0);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRINGS, size - size_strings);
	put32(b, H_SIZE_STRINGS, size_strings);
	put32(b, H_OFF_STRUCT, 0xfffffffc);
	put32(b, H_SIZE_STRUCT, 8);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	free(b);
}

static void test_blocks_out_of_bounds(void **state)
{
	uint32_t size;
	uint8_t *b = load("virt.dtb", &size);
	uint32_t off_strings = get32(b, H_OFF_STRINGS);
	uint32_t size_struct = get32(b, H_SIZE_STRUCT);

	(void)state;
	put32(b, H_OFF_STRINGS, off_strings + 1);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRINGS, off_strings);
	put32(b, H_SIZE_STRINGS, get32(b, H_SIZE_STRINGS) + 1);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_SIZE_STRINGS, size - off_strings);
	put32(b, H_OFF_STRUCT, size);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRUCT, get32(b, H_OFF_RSVMAP) + 32);
	put32(b, H_SIZE_STRUCT, size);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_SIZE_STRUCT, size_struct);
	put32(b, H_OFF_RSVMAP, (size & ~7U) - 8);	/* the entry needs 16 bytes */
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	free(b);
}

static void test_overlapping_blocks(void **state)
{
	uint32_t size;
	uint8_t *b = load("virt.dtb", &size);
	const uint32_t off_struct = get32(b, H_OFF_STRUCT), off_rsv = get32(b, H_OFF_RSVMAP);
	const uint32_t off_strings = get32(b, H_OFF_STRINGS);

	(void)state;
	/* Strings overlapping the struct block's last byte, or all of it. */
	put32(b, H_OFF_STRINGS, off_strings - 1);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRINGS, off_struct);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRINGS, 0);	/* over the header */
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRINGS, off_strings);
	/* Struct block over the header or the memory reservation map. */
	put32(b, H_OFF_STRUCT, 0);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRUCT, off_rsv + 16);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_STRUCT, off_struct);
	/* Memory reservation map over the header or the struct block. */
	put32(b, H_OFF_RSVMAP, 32);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_RSVMAP, off_struct);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADLAYOUT);
	put32(b, H_OFF_RSVMAP, off_rsv);
	assert_int_equal(open_exact(b, size), FDT_OK);
	free(b);
}

static void test_misaligned_blocks(void **state)
{
	struct tb *b;
	uint32_t shift;

	(void)state;
	for (shift = 0; shift < 16; shift++) {
		b = tb_new();
		b->struct_shift = shift;
		tb_begin(b, "");
		tb_word(b, FDT_END_NODE);
		tb_word(b, FDT_END);
		assert_int_equal(tb_open(b), shift % 4 ? FDT_ERR_BADLAYOUT : FDT_OK);
	}
	for (shift = 0; shift < 16; shift++) {
		b = tb_new();
		b->rsv_shift = shift;
		tb_begin(b, "");
		tb_word(b, FDT_END_NODE);
		tb_word(b, FDT_END);
		assert_int_equal(tb_open(b), shift % 8 ? FDT_ERR_BADLAYOUT : FDT_OK);
	}
}

static void test_rsvmap_unterminated(void **state)
{
	struct tb *b;
	unsigned last;

	(void)state;
	for (last = 0; last < 2; last++) {
		b = tb_new();
		b->rsv_last = last;
		b->rsv_unterminated = true;
		b->rsv_count = 2;
		b->rsv[0][0] = b->rsv[1][0] = 0x1000;
		b->rsv[0][1] = b->rsv[1][1] = 0x1000;
		tb_begin(b, "");
		tb_word(b, FDT_END_NODE);
		tb_word(b, FDT_END);
		/* Placed first, the map runs into the struct block instead. */
		assert_int_equal(tb_open(b), FDT_ERR_BADLAYOUT);
	}
	b = tb_new();
	b->rsv_last = true;
	tb_begin(b, "");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_OK);
}

/* ---- Malformed blobs: structure block ---------------------------------- */

static void test_unterminated_node_name(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint32_t size = fdt_totalsize(&f);
	uint32_t tok = node_tok(&f, "/cpus");

	(void)state;
	/* End the struct block inside "cpus". */
	put32(b, H_SIZE_STRUCT, tok - f.off_struct + 4 + 2);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRING);
	put32(b, H_SIZE_STRUCT, tok - f.off_struct + 4);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRING);
	free(b);
}

static void test_unterminated_prop_name(void **state)
{
	uint32_t size;
	uint8_t *b = load("virt.dtb", &size);

	(void)state;
	/* Drop the NUL of the last name in the strings block. */
	put32(b, H_SIZE_STRINGS, get32(b, H_SIZE_STRINGS) - 1);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRING);
	/* Or make it not a NUL. */
	put32(b, H_SIZE_STRINGS, get32(b, H_SIZE_STRINGS) + 1);
	b[size - 1] = 'x';
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRING);
	free(b);
}

static void test_prop_name_offset(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint32_t size = fdt_totalsize(&f);
	uint32_t tok = prop_tok(&f, "/psci", "method");
	uint32_t nameoff = get32(b, tok + 8);

	(void)state;
	put32(b, tok + 8, f.size_strings);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRING);
	put32(b, tok + 8, 0xffffffff);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRING);
	put32(b, tok + 8, nameoff + 6);	/* the NUL after "method": empty name */
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRING);
	put32(b, tok + 8, nameoff + 1);	/* "ethod": odd but valid */
	assert_int_equal(open_exact(b, size), FDT_OK);
	free(b);
}

static void test_prop_len_past_block(void **state)
{
	static const uint32_t lens[] = { 0xffffffff, 0xfffffff4, 0x80000000, 0x10000 };
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint32_t size = fdt_totalsize(&f);
	uint32_t tok = prop_tok(&f, "/chosen", "bootargs");
	uint32_t end = f.size_struct - (tok - f.off_struct) - 12;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		put32(b, tok + 4, lens[i]);
		assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	}
	/* Exactly up to the end of the block: nothing left for END. */
	put32(b, tok + 4, end);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	put32(b, tok + 4, end + 1);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void test_prop_header_truncated(void **state)
{
	struct tb *b = tb_new();
	uint32_t size;

	(void)state;
	tb_begin(b, "");
	tb_word(b, FDT_PROP);
	tb_word(b, 0);	/* no name offset word before the block ends */
	size = tb_finish(b);
	assert_int_equal(open_exact(b->blob, size), FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void test_missing_end(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint32_t size = fdt_totalsize(&f);
	uint32_t end = f.off_struct + f.size_struct - 4;

	(void)state;
	assert_int_equal(get32(b, end), FDT_END);
	put32(b, end, FDT_NOP);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	put32(b, end, FDT_END_NODE);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	put32(b, end, FDT_END);
	put32(b, H_SIZE_STRUCT, f.size_struct - 4);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	put32(b, H_SIZE_STRUCT, f.size_struct - 2);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	put32(b, H_SIZE_STRUCT, 0);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void test_end_too_early(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint32_t size = fdt_totalsize(&f);

	(void)state;
	/* FDT_END inside the root node. */
	put32(b, node_tok(&f, "/chosen"), FDT_END);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	free(b);
}

static void test_data_after_end(void **state)
{
	struct tb *b = tb_new();

	(void)state;
	tb_begin(b, "");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	tb_word(b, FDT_NOP);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRUCTURE);
}

static void test_unbalanced_end_node(void **state)
{
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint32_t size = fdt_totalsize(&f);
	uint32_t root_end = f.off_struct + f.size_struct - 8;
	struct tb *t;

	(void)state;
	/* The root's END_NODE removed. */
	assert_int_equal(get32(b, root_end), FDT_END_NODE);
	put32(b, root_end, FDT_NOP);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	/* A subnode's BEGIN_NODE turned into END_NODE (its name is then read as tokens). */
	put32(b, root_end, FDT_END_NODE);
	put32(b, node_tok(&f, "/timer"), FDT_END_NODE);
	assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	free(b);

	t = tb_new();
	tb_begin(t, "");
	tb_word(t, FDT_END_NODE);
	tb_word(t, FDT_END_NODE);
	tb_word(t, FDT_END);
	assert_int_equal(tb_open(t), FDT_ERR_BADSTRUCTURE);
	t = tb_new();
	tb_word(t, FDT_END_NODE);
	tb_word(t, FDT_END);
	assert_int_equal(tb_open(t), FDT_ERR_BADSTRUCTURE);
}

static void test_two_roots(void **state)
{
	struct tb *b = tb_new();

	(void)state;
	tb_begin(b, "");
	tb_word(b, FDT_END_NODE);
	tb_begin(b, "");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRUCTURE);
}

static void test_no_root(void **state)
{
	struct tb *b = tb_new();

	(void)state;
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRUCTURE);
	b = tb_new();
	tb_word(b, FDT_NOP);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRUCTURE);
}

static void test_prop_outside_node(void **state)
{
	struct tb *b = tb_new();

	(void)state;
	tb_prop(b, "x", "", 0);
	tb_begin(b, "");
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRUCTURE);
	b = tb_new();
	tb_begin(b, "");
	tb_word(b, FDT_END_NODE);
	tb_prop(b, "x", "", 0);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRUCTURE);
}

static void test_prop_after_subnode(void **state)
{
	struct tb *b = tb_new();

	(void)state;
	tb_begin(b, "");
	tb_prop(b, "x", "", 0);
	tb_begin(b, "a");
	tb_prop(b, "y", "", 0);
	tb_word(b, FDT_END_NODE);
	tb_prop(b, "z", "", 0);	/* the root's, after its subnode */
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRUCTURE);
}

static void test_unknown_tokens(void **state)
{
	static const uint32_t tags[] = { 0, 5, 6, 7, 8, 10, 0x01000000, 0xffffffff };
	struct fdt f;
	uint8_t *b = open_file("virt.dtb", &f);
	uint32_t size = fdt_totalsize(&f);
	uint32_t tok = node_tok(&f, "/timer");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		put32(b, tok, tags[i]);
		assert_int_equal(open_exact(b, size), FDT_ERR_BADSTRUCTURE);
	}
	free(b);
}

static void test_bad_node_names(void **state)
{
	static const char *const names[] = { "", "a/b", "/" };
	struct tb *b = tb_new();
	size_t i;

	(void)state;
	tb_begin(b, "x");	/* the root must be nameless */
	tb_word(b, FDT_END_NODE);
	tb_word(b, FDT_END);
	assert_int_equal(tb_open(b), FDT_ERR_BADSTRING);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		b = tb_new();
		tb_begin(b, "");
		tb_begin(b, names[i]);
		tb_word(b, FDT_END_NODE);
		tb_word(b, FDT_END_NODE);
		tb_word(b, FDT_END);
		assert_int_equal(tb_open(b), FDT_ERR_BADSTRING);
	}
}

static void test_nesting_too_deep(void **state)
{
	struct tb *b;
	unsigned levels, i;

	(void)state;
	for (levels = FDT_MAX_DEPTH; levels <= FDT_MAX_DEPTH + 1; levels++) {
		b = tb_new();
		tb_begin(b, "");
		for (i = 1; i < levels; i++)
			tb_begin(b, "n");
		for (i = 0; i < levels; i++)
			tb_word(b, FDT_END_NODE);
		tb_word(b, FDT_END);
		assert_int_equal(tb_open(b), levels > FDT_MAX_DEPTH ? FDT_ERR_TOODEEP : FDT_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virt_opens),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_root_props),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_children_and_siblings),
		cmocka_unit_test(test_find_path),
		cmocka_unit_test(test_find_path_first_match),
		cmocka_unit_test(test_find_path_unit_address),
		cmocka_unit_test(test_get_prop),
		cmocka_unit_test(test_get_ints),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_stringlists),
		cmocka_unit_test(test_compatible),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_phandle),
		cmocka_unit_test(test_phandle_duplicate),
		cmocka_unit_test(test_phandle_bad_length),
		cmocka_unit_test(test_reg),
		cmocka_unit_test(test_reg_bad),
		cmocka_unit_test(test_parent),
		cmocka_unit_test(test_rsvmap),
		cmocka_unit_test(test_rsvmap_entries),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_version16),
		cmocka_unit_test(test_version16_overlap),
		cmocka_unit_test(test_future_version),
		cmocka_unit_test(test_nops_everywhere),
		cmocka_unit_test(test_no_strings),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_bad_node_handles),
		cmocka_unit_test(test_unopened),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_totalsize_cut_every_length),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_totalsize_over_max),
		cmocka_unit_test(test_huge_fields),
		cmocka_unit_test(test_offset_plus_size_wraps),
		cmocka_unit_test(test_blocks_out_of_bounds),
		cmocka_unit_test(test_overlapping_blocks),
		cmocka_unit_test(test_misaligned_blocks),
		cmocka_unit_test(test_rsvmap_unterminated),
		cmocka_unit_test(test_unterminated_node_name),
		cmocka_unit_test(test_unterminated_prop_name),
		cmocka_unit_test(test_prop_name_offset),
		cmocka_unit_test(test_prop_len_past_block),
		cmocka_unit_test(test_prop_header_truncated),
		cmocka_unit_test(test_missing_end),
		cmocka_unit_test(test_end_too_early),
		cmocka_unit_test(test_data_after_end),
		cmocka_unit_test(test_unbalanced_end_node),
		cmocka_unit_test(test_two_roots),
		cmocka_unit_test(test_no_root),
		cmocka_unit_test(test_prop_outside_node),
		cmocka_unit_test(test_prop_after_subnode),
		cmocka_unit_test(test_unknown_tokens),
		cmocka_unit_test(test_bad_node_names),
		cmocka_unit_test(test_nesting_too_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
