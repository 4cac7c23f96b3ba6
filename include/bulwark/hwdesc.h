/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hardware Bulwark runs on, as discovered from the host devicetree:
 * memory, CPUs, the interrupt controller, the console UART, the timer and
 * the PSCI firmware interface. Nothing here is a board constant.
 */
#ifndef BULWARK_HWDESC_H
#define BULWARK_HWDESC_H

#include <bulwark/types.h>

#define HW_MAX_MEM 16
#define HW_MAX_RSV 16
#define HW_MAX_REDIST 8
#define HW_MAX_CPUS 64

struct hw_range {
	uint64_t base;
	uint64_t size;
};

enum hw_psci_conduit {
	HW_PSCI_NONE = 0,
	HW_PSCI_SMC,
	HW_PSCI_HVC,
};

struct hw_desc {
	char model[64];
	struct hw_range mem[HW_MAX_MEM];
	unsigned mem_count;
	struct hw_range rsv[HW_MAX_RSV]; /* /memreserve/ and /reserved-memory */
	unsigned rsv_count;
	uint64_t cpu_hwid[HW_MAX_CPUS]; /* MPIDR affinity fields, DT order */
	unsigned cpu_count;
	struct {
		struct hw_range dist;
		struct hw_range redist[HW_MAX_REDIST];
		unsigned redist_count;
		uint32_t maint_intid;
	} gic;
	struct {
		struct hw_range regs;
		uint32_t intid;
	} uart;
	struct {
		uint32_t sec_phys_intid, phys_intid, virt_intid, hyp_phys_intid;
	} timer;
	enum hw_psci_conduit psci;
	char bootargs[256];
};

/*
 * Fills `hw` from the devicetree blob at `fdt` (at most `max_size` bytes
 * readable). Returns 0, or a negative value with `*why` naming the node and
 * property that were missing or malformed. `hw` is fully rewritten.
 */
int hwdesc_parse(struct hw_desc *hw, const void *fdt, size_t max_size, const char **why);

/* Looks for `key=value` in the boot arguments; copies value (NUL-terminated,
 * truncated to size) and returns true when found. A bare `key` gives "". */
bool hwdesc_bootarg(const struct hw_desc *hw, const char *key, char *value, size_t size);

#endif
