/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual counter and the EL1 virtual timer.
 */
#include <guest/timer.h>

uint64_t timer_ms_to_ticks(uint64_t ms)
{
	return ms * timer_freq() / 1000;
}

uint64_t timer_us_to_ticks(uint64_t us)
{
	return us * timer_freq() / 1000000;
}

uint64_t timer_ticks_to_us(uint64_t ticks)
{
	uint64_t f = timer_freq();
	return f != 0 ? ticks / f * 1000000 + ticks % f * 1000000 / f : 0;
}

void vtimer_set_deadline(uint64_t deadline)
{
	write_sysreg(cntv_cval_el0, deadline);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
}

void vtimer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

uint32_t vtimer_ctl(void)
{
	return (uint32_t)read_sysreg(cntv_ctl_el0);
}

void timer_delay_us(uint64_t us)
{
	uint64_t end = timer_count() + timer_us_to_ticks(us);

	while (timer_count() < end)
		cpu_relax();
}
