/* SPDX-License-Identifier: Apache-2.0 */
#include <bulwark/drivers/pl011_regs.h>
#include <bulwark/console.h>
#include <bulwark/drivers/pl011.h>

#define FR_TXFF (1u << 5)
#define FR_RXFE (1u << 4)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)

static volatile uint32_t *uart;

static inline uint32_t reg_read(unsigned off)
{
	return uart[off / 4];
}

static inline void reg_write(unsigned off, uint32_t v)
{
	uart[off / 4] = v;
}

void console_hw_putc(char c)
{
	while (reg_read(UARTFR) & FR_TXFF)
		;
	reg_write(UARTDR, (uint8_t)c);
}

int pl011_getc(void)
{
	if (!uart || (reg_read(UARTFR) & FR_RXFE))
		return -1;
	return (int)(reg_read(UARTDR) & 0xff);
}

void pl011_init(uintptr_t base)
{
	uart = (volatile uint32_t *)base;
	reg_write(UARTIMSC, 0); /* polled: no interrupts */
	reg_write(UARTCR, reg_read(UARTCR) | CR_UARTEN | CR_TXE | CR_RXE);
}

void pl011_enable_rx_irq(void)
{
	reg_write(UARTIMSC, (1u << 4) | (1u << 6)); /* RXIM, RTIM */
}
