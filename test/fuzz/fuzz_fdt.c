/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the FDT reader (src/lib/fdt.c). Each input is copied
 * into a heap buffer of exactly its size (malloc alignment, like the 8-byte
 * aligned blob at EL2, and ASan sees any read past the end). When
 * `fdt_open()` accepts it, every accessor is run over every node, and a few
 * invariants that hold for any accepted tree are checked; a violation traps.
 *
 * Seed corpus: test/fuzz/make_seeds_fdt.sh OUTDIR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulwark/fdt.h>

#define CHECK(cond)                          \
	do {                                 \
		if (!(cond))                 \
			__builtin_trap();    \
	} while (0)

static const char *const prop_names[] = {
	"compatible", "reg", "status", "phandle", "#address-cells", "#size-cells",
	"device_type", "method", "interrupts", "ranges", "stdout-path", "p", "",
};

static const char *const paths[] = {
	"/", "/cpus", "/cpus/cpu@0", "/cpus/cpu", "/memory", "/chosen", "//a//b/",
	"/psci", "/interrupt-controller/its", "/n1/n1/n1", "relative", "",
};

static bool is_err(int err)
{
	return err >= FDT_OK && err <= FDT_ERR_TOODEEP;
}

static void exercise_props(const struct fdt *f, struct fdt_node n)
{
	const char *s;
	const void *v;
	uint64_t u64;
	uint32_t len, u32;
	unsigned i, idx;
	int err;

	for (i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++) {
		const char *name = prop_names[i];

		err = fdt_get_prop(f, n, name, &v, &len);
		CHECK(err == FDT_OK || err == FDT_ERR_NOTFOUND);
		if (err == FDT_OK)
			CHECK((const uint8_t *)v >= f->blob &&
			      (const uint8_t *)v + len <= f->blob + f->size);
		err = fdt_get_u32(f, n, name, &u32);
		CHECK(is_err(err));
		err = fdt_get_u64(f, n, name, &u64);
		CHECK(is_err(err));
		if (fdt_get_string(f, n, name, &s) == FDT_OK)
			CHECK(strlen(s) < len);
		for (idx = 0; idx < 64; idx++) {
			err = fdt_stringlist_get(f, n, name, idx, &s);
			if (err != FDT_OK)
				break;
			if (strcmp(name, "compatible") == 0)
				CHECK(fdt_is_compatible(f, n, s));
		}
	}
	(void)fdt_is_enabled(f, n);
	(void)fdt_is_compatible(f, n, "arm,pl011");
}

static void exercise_reg(const struct fdt *f, struct fdt_node n)
{
	uint64_t a, s;
	uint32_t ac, sc;
	unsigned idx;
	int err;

	if (fdt_addr_cells(f, n, &ac) == FDT_OK && fdt_size_cells(f, n, &sc) == FDT_OK)
		(void)fdt_get_reg(f, n, ac, sc, 0, &a, &s);
	for (ac = 0; ac < 4; ac++) {
		for (sc = 0; sc < 4; sc++) {
			for (idx = 0; idx < 3; idx++) {
				err = fdt_get_reg(f, n, ac, sc, idx, &a, &s);
				CHECK(is_err(err));
				if (err == FDT_OK)
					CHECK(a + s >= a);
			}
		}
	}
	for (idx = 0; idx < 3; idx++) {
		err = fdt_reg(f, n, idx, &a, &s);
		CHECK(is_err(err));
	}
}

static void exercise_links(const struct fdt *f, struct fdt_node n, int depth)
{
	struct fdt_node c, p, q, s, it;
	const char *compat;
	uint32_t ph;
	int err;

	if (fdt_first_child(f, n, &c) == FDT_OK) {
		CHECK(c.off > n.off);
		CHECK(fdt_parent(f, c, &p) == FDT_OK && p.off == n.off);
	}
	err = fdt_parent(f, n, &p);
	CHECK(depth == 0 ? err == FDT_ERR_NOTFOUND : err == FDT_OK);
	if (fdt_next_sibling(f, n, &s) == FDT_OK) {
		CHECK(depth > 0 && s.off > n.off);
		CHECK(fdt_parent(f, s, &q) == FDT_OK && q.off == p.off);
	}
	err = fdt_get_u32(f, n, "phandle", &ph);
	if (err == FDT_OK) {
		err = fdt_find_phandle(f, ph, &q);
		if (ph == 0 || ph == UINT32_MAX)
			CHECK(err == FDT_ERR_NOTFOUND);
		else
			CHECK(err == FDT_ERR_BADVALUE || (err == FDT_OK && q.off == n.off));
	}
	if (fdt_stringlist_get(f, n, "compatible", 0, &compat) == FDT_OK) {
		it.off = FDT_NODE_NONE;
		CHECK(fdt_find_compatible(f, &it, compat) == FDT_OK && it.off <= n.off);
	}
}

static void exercise(const struct fdt *f)
{
	uint32_t stack[FDT_MAX_DEPTH];
	struct fdt_node n, out;
	char *path = malloc(f->size_struct + FDT_MAX_DEPTH + 2);
	uint64_t a, s;
	size_t len;
	unsigned i;
	int depth = 0, err, d;

	CHECK(path != NULL);
	CHECK(fdt_totalsize(f) == f->size);
	CHECK(fdt_root(f, &n) == FDT_OK);
	do {
		CHECK(depth >= 0 && depth < (int)FDT_MAX_DEPTH);
		stack[depth] = n.off;
		CHECK(fdt_node_name(f, n) != NULL);
		CHECK((fdt_node_name(f, n)[0] == '\0') == (depth == 0));
		exercise_props(f, n);
		exercise_reg(f, n);
		exercise_links(f, n, depth);

		/* The node's own path: must not fail other than NOTFOUND. */
		len = 0;
		for (d = 1; d <= depth; d++) {
			const char *name = fdt_node_name(f, (struct fdt_node){ stack[d] });

			path[len++] = '/';
			memcpy(path + len, name, strlen(name));
			len += strlen(name);
		}
		path[len] = '\0';
		err = fdt_find_path(f, depth ? path : "/", &out);
		CHECK(err == FDT_OK || err == FDT_ERR_NOTFOUND);
		if (depth == 0)
			CHECK(err == FDT_OK && out.off == n.off);
	} while ((err = fdt_next_node(f, &n, &depth)) == FDT_OK);
	CHECK(err == FDT_ERR_NOTFOUND);
	free(path);

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		err = fdt_find_path(f, paths[i], &out);
		CHECK(err == FDT_OK || err == FDT_ERR_NOTFOUND);
	}
	for (i = 0; i <= f->size / 16; i++) {
		err = fdt_rsvmap_get(f, i, &a, &s);
		if (err == FDT_ERR_NOTFOUND)
			break;
		CHECK(err == FDT_OK || err == FDT_ERR_BADVALUE);
	}
	CHECK(err == FDT_ERR_NOTFOUND);
	for (i = 0; i < 4; i++)
		(void)fdt_find_phandle(f, i, &out);
	n.off = FDT_NODE_NONE;
	while (fdt_find_compatible(f, &n, "arm,pl011") == FDT_OK)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct fdt f;
	int err;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	err = fdt_open(&f, buf, size);
	CHECK(is_err(err) && fdt_strerror(err) != NULL);
	if (err == FDT_OK) {
		CHECK(f.size <= size);
		exercise(&f);
	} else {
		CHECK(f.blob == NULL);
	}
	free(buf);
	return 0;
}
