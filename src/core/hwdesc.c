/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Discovery of the host hardware from its devicetree. Runs once, at boot,
 * on the boot CPU; every value is checked before it is stored, and a
 * missing or malformed node stops the boot with a message naming it.
 */
#include <bulwark/fdt.h>
#include <bulwark/hwdesc.h>
#include <bulwark/init.h>
#include <bulwark/string.h>

#define MPIDR_AFF_MASK 0xff00ffffffULL

#define FAIL(msg)             \
	do {                  \
		*why = (msg); \
		return -1;    \
	} while (0)

static void __init copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Converts a 3-cell GIC interrupt specifier to an INTID. */
static int __init gic_intid(const uint8_t *cells, uint32_t *intid)
{
	uint32_t type = (uint32_t)cells[0] << 24 | (uint32_t)cells[1] << 16 |
			(uint32_t)cells[2] << 8 | cells[3];
	uint32_t num = (uint32_t)cells[4] << 24 | (uint32_t)cells[5] << 16 |
		       (uint32_t)cells[6] << 8 | cells[7];

	if (type == 0 && num < 988)
		*intid = 32 + num; /* SPI */
	else if (type == 1 && num < 16)
		*intid = 16 + num; /* PPI */
	else
		return -1;
	return 0;
}

static int __init parse_memory(struct hw_desc *hw, const struct fdt *f, const char **why)
{
	struct fdt_node n;
	uint64_t base, size;
	int depth = 0;
	const char *type;

	if (fdt_root(f, &n) != FDT_OK)
		FAIL("/: no root node");
	while (fdt_next_node(f, &n, &depth) == FDT_OK && depth > 0) {
		if (fdt_get_string(f, n, "device_type", &type) != FDT_OK ||
		    strcmp(type, "memory") != 0 || !fdt_is_enabled(f, n))
			continue;
		int err;

		for (unsigned i = 0; (err = fdt_reg(f, n, i, &base, &size)) == FDT_OK; i++) {
			if (size == 0)
				continue;
			if (hw->mem_count == HW_MAX_MEM)
				FAIL("/memory: more than 16 ranges");
			hw->mem[hw->mem_count++] = (struct hw_range){ base, size };
		}
		if (err != FDT_ERR_NOTFOUND)
			FAIL("/memory: malformed reg (bad length or a range that wraps)");
	}
	if (hw->mem_count == 0)
		FAIL("/memory: no node with device_type = \"memory\" and a reg");

	for (unsigned i = 0; fdt_rsvmap_get(f, i, &base, &size) == FDT_OK; i++) {
		if (hw->rsv_count == HW_MAX_RSV)
			FAIL("/memreserve/: more than 16 entries");
		hw->rsv[hw->rsv_count++] = (struct hw_range){ base, size };
	}
	struct fdt_node rm, c;

	if (fdt_find_path(f, "/reserved-memory", &rm) == FDT_OK &&
	    fdt_first_child(f, rm, &c) == FDT_OK) {
		do {
			if (fdt_reg(f, c, 0, &base, &size) != FDT_OK)
				continue;
			if (hw->rsv_count == HW_MAX_RSV)
				FAIL("/reserved-memory: more than 16 entries");
			hw->rsv[hw->rsv_count++] = (struct hw_range){ base, size };
		} while (fdt_next_sibling(f, c, &c) == FDT_OK);
	}
	return 0;
}

static int __init parse_cpus(struct hw_desc *hw, const struct fdt *f, const char **why)
{
	struct fdt_node cpus, c;
	uint64_t hwid, unused;

	if (fdt_find_path(f, "/cpus", &cpus) != FDT_OK)
		FAIL("/cpus: node missing");
	if (fdt_first_child(f, cpus, &c) != FDT_OK)
		FAIL("/cpus: no CPU nodes");
	do {
		const char *type;

		if (fdt_get_string(f, c, "device_type", &type) != FDT_OK ||
		    strcmp(type, "cpu") != 0 || !fdt_is_enabled(f, c))
			continue;
		if (fdt_reg(f, c, 0, &hwid, &unused) != FDT_OK)
			FAIL("/cpus/cpu: missing or malformed reg (MPIDR)");
		if (hwid & ~MPIDR_AFF_MASK)
			FAIL("/cpus/cpu: reg has bits outside the MPIDR affinity fields");
		if (hw->cpu_count == HW_MAX_CPUS)
			FAIL("/cpus: more than 64 CPUs");
		for (unsigned i = 0; i < hw->cpu_count; i++) {
			if (hw->cpu_hwid[i] == hwid)
				FAIL("/cpus/cpu: two CPUs with the same reg");
		}
		hw->cpu_hwid[hw->cpu_count++] = hwid;
	} while (fdt_next_sibling(f, c, &c) == FDT_OK);
	if (hw->cpu_count == 0)
		FAIL("/cpus: no CPU with device_type = \"cpu\"");
	return 0;
}

static int __init parse_gic(struct hw_desc *hw, const struct fdt *f, const char **why)
{
	struct fdt_node n = { FDT_NODE_NONE };
	uint32_t regions = 1, cells;
	const void *irqs;
	uint32_t len;

	n.off = FDT_NODE_NONE;
	if (fdt_find_compatible(f, &n, "arm,gic-v3") != FDT_OK) {
		n.off = FDT_NODE_NONE;
		if (fdt_find_compatible(f, &n, "arm,cortex-a15-gic") == FDT_OK ||
		    fdt_find_compatible(f, &n, "arm,gic-400") == FDT_OK)
			FAIL("interrupt-controller: GICv2 found; Bulwark needs a GICv3 "
			     "(QEMU: -M virt,gic-version=3)");
		FAIL("interrupt-controller: no node compatible with \"arm,gic-v3\"");
	}
	if (fdt_get_u32(f, n, "#interrupt-cells", &cells) != FDT_OK || cells != 3)
		FAIL("interrupt-controller: #interrupt-cells must be 3");
	if (fdt_reg(f, n, 0, &hw->gic.dist.base, &hw->gic.dist.size) != FDT_OK ||
	    hw->gic.dist.size < 0x10000)
		FAIL("interrupt-controller: reg[0] (distributor) missing or too small");
	if (fdt_get_prop(f, n, "#redistributor-regions", &irqs, &len) == FDT_OK &&
	    (fdt_get_u32(f, n, "#redistributor-regions", &regions) != FDT_OK || regions == 0 ||
	     regions > HW_MAX_REDIST))
		FAIL("interrupt-controller: #redistributor-regions must be 1..8");
	for (unsigned i = 0; i < regions; i++) {
		struct hw_range *r = &hw->gic.redist[i];

		if (fdt_reg(f, n, 1 + i, &r->base, &r->size) != FDT_OK || r->size < 0x20000)
			FAIL("interrupt-controller: a redistributor region in reg is missing "
			     "or smaller than one frame");
	}
	hw->gic.redist_count = regions;
	if (fdt_get_prop(f, n, "interrupts", &irqs, &len) == FDT_OK) {
		if (len != 12 || gic_intid(irqs, &hw->gic.maint_intid) != 0)
			FAIL("interrupt-controller: malformed interrupts (maintenance IRQ)");
	}
	return 0;
}

static int __init parse_uart(struct hw_desc *hw, const struct fdt *f, const char **why)
{
	struct fdt_node n = { FDT_NODE_NONE };
	const char *path;
	const void *irqs;
	uint32_t len;
	bool found = false;

	/* The console named by /chosen/stdout-path first, else the first PL011. */
	struct fdt_node chosen;

	if (fdt_find_path(f, "/chosen", &chosen) == FDT_OK &&
	    fdt_get_string(f, chosen, "stdout-path", &path) == FDT_OK) {
		char buf[128];
		size_t i = 0;

		while (path[i] && path[i] != ':' && i < sizeof(buf) - 1) {
			buf[i] = path[i];
			i++;
		}
		buf[i] = '\0';
		if (buf[0] != '/') {
			struct fdt_node aliases;

			if (fdt_find_path(f, "/aliases", &aliases) == FDT_OK &&
			    fdt_get_string(f, aliases, buf, &path) == FDT_OK)
				copy_str(buf, sizeof(buf), path);
		}
		found = fdt_find_path(f, buf, &n) == FDT_OK && fdt_is_compatible(f, n, "arm,pl011");
	}
	if (!found) {
		n.off = FDT_NODE_NONE;
		if (fdt_find_compatible(f, &n, "arm,pl011") != FDT_OK)
			FAIL("serial: no node compatible with \"arm,pl011\"");
	}
	if (fdt_reg(f, n, 0, &hw->uart.regs.base, &hw->uart.regs.size) != FDT_OK ||
	    hw->uart.regs.size < 0x1000)
		FAIL("serial (pl011): reg missing or smaller than 4 KiB");
	if (fdt_get_prop(f, n, "interrupts", &irqs, &len) == FDT_OK && len == 12)
		gic_intid(irqs, &hw->uart.intid);
	return 0;
}

static int __init parse_timer(struct hw_desc *hw, const struct fdt *f, const char **why)
{
	struct fdt_node n = { FDT_NODE_NONE };
	const uint8_t *irqs;
	const void *val;
	uint32_t len;

	if (fdt_find_compatible(f, &n, "arm,armv8-timer") != FDT_OK)
		FAIL("timer: no node compatible with \"arm,armv8-timer\"");
	if (fdt_get_prop(f, n, "interrupts", &val, &len) != FDT_OK || len < 48)
		FAIL("timer: interrupts must list 4 interrupts (sec, phys, virt, hyp)");
	irqs = val;
	if (gic_intid(irqs, &hw->timer.sec_phys_intid) || gic_intid(irqs + 12, &hw->timer.phys_intid) ||
	    gic_intid(irqs + 24, &hw->timer.virt_intid) ||
	    gic_intid(irqs + 36, &hw->timer.hyp_phys_intid))
		FAIL("timer: interrupts has a malformed specifier");
	return 0;
}

static int __init parse_psci(struct hw_desc *hw, const struct fdt *f, const char **why)
{
	struct fdt_node n = { FDT_NODE_NONE };
	const char *method;

	if (fdt_find_compatible(f, &n, "arm,psci-0.2") != FDT_OK) {
		n.off = FDT_NODE_NONE;
		if (fdt_find_compatible(f, &n, "arm,psci-1.0") != FDT_OK)
			FAIL("psci: no node compatible with \"arm,psci-0.2\" or \"arm,psci-1.0\"");
	}
	if (fdt_get_string(f, n, "method", &method) != FDT_OK)
		FAIL("psci: method missing");
	if (strcmp(method, "smc") == 0)
		hw->psci = HW_PSCI_SMC;
	else if (strcmp(method, "hvc") == 0)
		FAIL("psci: method is \"hvc\", but firmware below EL2 must be called with SMC");
	else
		FAIL("psci: method must be \"smc\"");
	return 0;
}

int __init hwdesc_parse(struct hw_desc *hw, const void *blob, size_t max_size, const char **why)
{
	struct fdt f;
	struct fdt_node root, chosen;
	const char *s;
	int err;

	memset(hw, 0, sizeof(*hw));
	err = fdt_open(&f, blob, max_size);
	if (err != FDT_OK) {
		*why = fdt_strerror(err);
		return -1;
	}
	if (fdt_root(&f, &root) == FDT_OK && fdt_get_string(&f, root, "model", &s) == FDT_OK)
		copy_str(hw->model, sizeof(hw->model), s);
	if (fdt_find_path(&f, "/chosen", &chosen) == FDT_OK &&
	    fdt_get_string(&f, chosen, "bootargs", &s) == FDT_OK)
		copy_str(hw->bootargs, sizeof(hw->bootargs), s);

	if (parse_uart(hw, &f, why) || parse_memory(hw, &f, why) || parse_cpus(hw, &f, why) ||
	    parse_gic(hw, &f, why) || parse_timer(hw, &f, why) || parse_psci(hw, &f, why))
		return -1;
	return 0;
}

bool hwdesc_bootarg(const struct hw_desc *hw, const char *key, char *value, size_t size)
{
	size_t klen = strlen(key);
	const char *p = hw->bootargs;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *start = p;

		while (*p && *p != ' ')
			p++;
		size_t len = (size_t)(p - start);

		if (len >= klen && strncmp(start, key, klen) == 0 &&
		    (len == klen || start[klen] == '=')) {
			size_t vlen = len > klen ? len - klen - 1 : 0;

			if (size) {
				vlen = MIN(vlen, size - 1);
				memcpy(value, start + klen + 1, vlen);
				value[vlen] = '\0';
			}
			return true;
		}
	}
	return false;
}
