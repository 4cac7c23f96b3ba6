/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generic timer: the virtual counter (CNTVCT_EL0) and the EL1 virtual
 * timer (CNTV_*_EL0), whose interrupt is PPI 27.
 */
#ifndef GUEST_TIMER_H
#define GUEST_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include <guest/sysreg.h>

#define TIMER_VIRT_INTID 27
#define TIMER_PHYS_INTID 30

#define CNT_CTL_ENABLE (1u << 0)
#define CNT_CTL_IMASK (1u << 1)
#define CNT_CTL_ISTATUS (1u << 2)

/* Counter frequency in Hz (CNTFRQ_EL0). */
static inline uint64_t timer_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

/* The virtual count, ordered after the instructions before it. */
static inline uint64_t timer_count(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t timer_ms_to_ticks(uint64_t ms);
uint64_t timer_us_to_ticks(uint64_t us);
uint64_t timer_ticks_to_us(uint64_t ticks);

/* Arms the virtual timer to fire when CNTVCT_EL0 >= `deadline` (interrupt
 * unmasked at the timer). The PPI must be enabled at the GIC separately. */
void vtimer_set_deadline(uint64_t deadline);
/* Disables the virtual timer, which drops its (level) interrupt. */
void vtimer_stop(void);
/* CNTV_CTL_EL0. */
uint32_t vtimer_ctl(void);

/* Busy-waits `us` microseconds on the virtual counter. */
void timer_delay_us(uint64_t us);

/* Polls `cond` (re-evaluated each time) until it holds or `ms` milliseconds
 * passed; evaluates to the final value of `cond`. */
#define WAIT_UNTIL(cond, ms) __extension__({ \
	uint64_t end_ = timer_count() + timer_ms_to_ticks(ms); \
	bool ok_; \
	while (!(ok_ = (cond)) && timer_count() < end_) \
		cpu_relax(); \
	ok_; \
})

#endif /* GUEST_TIMER_H */
