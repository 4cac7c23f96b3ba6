/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The keyboard of the hypervisor console. Input goes to one VM at a time;
 * Ctrl-\ followed by a key switches: 'n' next VM, '0'-'9' a VM by number,
 * '?' a list. (QEMU's -nographic takes Ctrl-A for itself, hence Ctrl-\.)
 */
#include <bulwark/console.h>
#include <bulwark/vm.h>

#define ESCAPE 0x1c /* Ctrl-\ */

static unsigned focus;
static bool escaped;

static void announce(void)
{
	pr_info("console: input goes to vm '%s' (Ctrl-\\ n: next VM, Ctrl-\\ ?: list)\n",
		vms[focus].name);
}

struct vm *vconsole_focus(void)
{
	return vm_count && vms[focus].exists ? &vms[focus] : NULL;
}

/* The next VM that exists after the focused one (VMs come and go at run time). */
static void focus_next(void)
{
	for (unsigned n = 0; n < vm_count; n++) {
		focus = (focus + 1) % vm_count;
		if (vms[focus].exists)
			return;
	}
}

void vconsole_input(char c)
{
	if (vm_count == 0)
		return;
	if (escaped) {
		escaped = false;
		if (c == 'n') {
			focus_next();
			announce();
			return;
		}
		if (c >= '0' && c <= '9' && (unsigned)(c - '0') < vm_count &&
		    vms[c - '0'].exists) {
			focus = (unsigned)(c - '0');
			announce();
			return;
		}
		if (c == '?') {
			for (unsigned i = 0; i < vm_count; i++)
				if (vms[i].exists)
					pr_info("console: %u: vm '%s' (%s)%s\n", i, vms[i].name,
						vms[i].state == VM_STATE_RUNNING ? "running" :
						vms[i].state == VM_STATE_PAUSED ? "paused" :
						"stopped", i == focus ? " <- input" : "");
			return;
		}
		if (c != ESCAPE)
			return;
	} else if (c == ESCAPE) {
		escaped = true;
		return;
	}
	if (!vms[focus].exists)
		focus_next();
	if (vms[focus].exists)
		vuart_input(&vms[focus], c);
}
