/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The demo's bare-metal VM: prints a banner and its vCPU's MPIDR, then a
 * line every second, driven by the virtual timer interrupt (the vCPU sleeps
 * in WFI in between). `ticks=N` in the bootargs stops after N ticks and
 * turns the VM off; without it, it ticks forever. `reset-after=N` asks for
 * PSCI SYSTEM_RESET after N ticks (the VM then boots again). A graceful
 * stop from the management API (its shutdown-request interrupt) turns it off.
 */
#include <guest/guest.h>

#include <abi/bulwark/mgmt.h>

static volatile uint64_t ticks;
static uint64_t deadline;

static void on_shutdown_request(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	gprintf("hello: shutdown requested, powering off\n");
	psci_system_off();
}

static void on_timer(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	/* The next deadline from the previous one: no drift. */
	deadline += timer_freq();
	vtimer_set_deadline(deadline);
	ticks++;
}

int main(void)
{
	uint64_t limit = boot_arg_u64("ticks", 0), printed = 0;
	uint64_t reset_after = boot_arg_u64("reset-after", 0);

	gprintf("hello: bare-metal guest on vCPU %u, MPIDR 0x%llx\n", cpu_index(),
		(unsigned long long)cpu_read_mpidr());
	gprintf("hello: counter %llu Hz, bootargs \"%s\", %s\n",
		(unsigned long long)timer_freq(), boot_args(),
		limit != 0 ? "ticking a limited number of times" : "ticking forever");

	irq_register(TIMER_VIRT_INTID, on_timer, NULL);
	gic_enable_intid(TIMER_VIRT_INTID);
	irq_register(BWM_SHUTDOWN_INTID, on_shutdown_request, NULL);
	gic_route_spi(BWM_SHUTDOWN_INTID, cpu_read_mpidr());
	gic_enable_intid(BWM_SHUTDOWN_INTID);
	deadline = timer_count() + timer_freq();
	vtimer_set_deadline(deadline);
	irq_unmask();

	while (limit == 0 || printed < limit) {
		uint64_t now;

		wfi();
		now = ticks;
		while (printed < now && (limit == 0 || printed < limit))
			gprintf("hello: tick %llu\n", (unsigned long long)++printed);
		if (reset_after != 0 && printed >= reset_after) {
			gprintf("hello: asking for SYSTEM_RESET\n");
			psci_system_reset();
			gprintf("hello: SYSTEM_RESET returned\n");
			return 1;
		}
	}
	irq_mask();
	vtimer_stop();
	return 0;
}
