/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bare-metal guest runtime: one include for a guest program.
 *
 * The GUEST_RESULT convention: a guest ends by printing
 *     GUEST RESULT: PASS        (or  GUEST RESULT: FAIL)
 *     GUEST DONE
 * and calling PSCI SYSTEM_OFF. `guest_exit()` does exactly that; returning
 * from `main` calls it with (return value == 0).
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <guest/boot.h>
#include <guest/console.h>
#include <guest/cpu.h>
#include <guest/exception.h>
#include <guest/gic.h>
#include <guest/irq.h>
#include <guest/lock.h>
#include <guest/platform.h>
#include <guest/psci.h>
#include <guest/string.h>
#include <guest/sysreg.h>
#include <guest/timer.h>

#define GUEST_RESULT_PASS "GUEST RESULT: PASS"
#define GUEST_RESULT_FAIL "GUEST RESULT: FAIL"
#define GUEST_DONE "GUEST DONE"

/* Prints the result lines and turns the VM off. Any vCPU; never returns
 * (if SYSTEM_OFF fails, the vCPU waits forever with interrupts masked). */
__attribute__((noreturn)) void guest_exit(bool pass);

/* Stops the calling vCPU forever with interrupts masked. */
__attribute__((noreturn)) void guest_halt(void);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* GUEST_GUEST_H */
