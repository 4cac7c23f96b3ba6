/* SPDX-License-Identifier: Apache-2.0 */
/* Arm PL011 UART driver, the hypervisor console's sink. */
#ifndef BULWARK_DRIVERS_PL011_H
#define BULWARK_DRIVERS_PL011_H

#include <bulwark/types.h>

/* Takes over the UART at the given (identity-mapped) address, keeping the
 * firmware's baud rate. Boot CPU only. */
void pl011_init(uintptr_t base);
/* Raises the UART's interrupt when a character arrives. */
void pl011_enable_rx_irq(void);
/* Returns the next received character, or -1 when none is waiting. */
int pl011_getc(void);

#endif
