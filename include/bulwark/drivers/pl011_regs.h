/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm PL011 UART register offsets and bits (Arm DDI 0183), shared by the host
 * driver, the virtual PL011 and their tests.
 */
#ifndef BULWARK_DRIVERS_PL011_REGS_H
#define BULWARK_DRIVERS_PL011_REGS_H

#define UARTDR 0x000
#define UARTRSR 0x004
#define UARTFR 0x018
#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTDMACR 0x048

#endif
