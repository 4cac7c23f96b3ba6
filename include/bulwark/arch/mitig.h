/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The arch contract of the mitigation modules (include/bulwark/mitig.h):
 * what the core asks of the CPU. Implemented by src/arch/aarch64/mitig_hw.c.
 */
#ifndef BULWARK_ARCH_MITIG_H
#define BULWARK_ARCH_MITIG_H

#include <bulwark/hwdesc.h>
#include <bulwark/mitig.h>

/* Reads the running CPU's identity, and asks its firmware over @conduit
 * which workaround calls it implements. */
void arch_mitig_read_id(enum hw_psci_conduit conduit, struct mitig_cpu_id *id);
/* Applies plan @p (resolved from @f) to the running CPU: its guest-entry
 * flags and SSBD at EL2. Before the CPU runs any guest. */
void arch_mitig_apply(const struct mitig_cpu_facts *f, const struct mitig_plan *p);

#endif
