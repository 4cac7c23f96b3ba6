/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PL011 console and a small printf.
 */
#include <guest/guest.h>

/* The console lock, and which vCPU holds it (-1: none). A vCPU that takes an
 * exception while printing may print its report without waiting for itself. */
static struct spinlock console_lock;
static int console_owner = -1;

/* The UART's registers (platform.h), fixed once `console_init()` ran. */
static uintptr_t uart = PLATFORM_DEFAULT_UART;

void console_init(void)
{
	uart = platform_uart_base();
	if (platform_uart_is_sbsa()) {
		/* An SBSA UART comes set up and has no CR, LCR_H or baud
		 * registers (Xen's vPL011 faults a write to them). */
		mmio_write32(uart + PL011_IMSC, 0);
		return;
	}
	mmio_write32(uart + PL011_CR, 0);
	mmio_write32(uart + PL011_IMSC, 0);
	/* 115200 baud from a 24 MHz UARTCLK (QEMU ignores the divisors). */
	mmio_write32(uart + PL011_IBRD, 13);
	mmio_write32(uart + PL011_FBRD, 1);
	mmio_write32(uart + PL011_LCR_H, PL011_LCR_H_WLEN8 | PL011_LCR_H_FEN);
	mmio_write32(uart + PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
}

uintptr_t console_base(void)
{
	return uart;
}

static void uart_putc(char c)
{
	while (mmio_read32(uart + PL011_FR) & PL011_FR_TXFF)
		cpu_relax();
	mmio_write32(uart + PL011_DR, (uint8_t)c);
}

void console_flush(void)
{
	uint64_t end = timer_count() + timer_ms_to_ticks(10);

	/* Xen's vPL011 (an SBSA UART) never sets TXFE: wait for BUSY only. */
	uint32_t mask = platform_uart_is_sbsa() ? PL011_FR_BUSY : PL011_FR_TXFE | PL011_FR_BUSY;
	uint32_t idle = platform_uart_is_sbsa() ? 0 : PL011_FR_TXFE;

	while ((mmio_read32(uart + PL011_FR) & mask) != idle && timer_count() < end)
		cpu_relax();
}

/* --- Formatting ---------------------------------------------------------- */

struct sink {
	void (*put)(struct sink *s, char c);
	char *buf;
	size_t size, len;
};

static void sink_uart(struct sink *s, char c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
	s->len++;
}

static void sink_buf(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *str, size_t len, int width,
		       bool left, char pad)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left)
		while (fill-- > 0)
			s->put(s, pad);
	while (len-- > 0)
		s->put(s, *str++);
	if (left)
		while (fill-- > 0)
			s->put(s, ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";

	for (; *fmt != '\0'; fmt++) {
		char tmp[24], pad = ' ';
		bool left = false, neg = false;
		int width = 0, lng = 0;
		unsigned base = 10, upper = 0;
		unsigned long long v;
		size_t n;

		if (*fmt != '%') {
			s->put(s, *fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++) {
			if (*fmt == '-')
				left = true;
			else
				pad = '0';
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng = *fmt == 'z' ? 2 : lng + 1;

		switch (*fmt) {
		case '\0':
			return;
		case '%':
			s->put(s, '%');
			continue;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(s, tmp, 1, width, left, ' ');
			continue;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			put_padded(s, str, strlen(str), width, left, ' ');
			continue;
		}
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			base = 16;
			s->put(s, '0');
			s->put(s, 'x');
			break;
		case 'd':
		case 'i': {
			long long sv = lng == 0 ? va_arg(ap, int) :
				       lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);
			neg = sv < 0;
			v = neg ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
			break;
		}
		case 'X':
			upper = 16;
			/* fall through */
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = lng == 0 ? va_arg(ap, unsigned) :
			    lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long);
			break;
		default: /* unknown directive: print it as is */
			s->put(s, '%');
			s->put(s, *fmt);
			continue;
		}

		n = sizeof(tmp);
		do {
			tmp[--n] = digits[upper + v % base];
			v /= base;
		} while (v != 0);
		if (neg) {
			if (pad == '0') {
				s->put(s, '-');
				width--;
			} else {
				tmp[--n] = '-';
			}
		}
		put_padded(s, tmp + n, sizeof(tmp) - n, width, left, pad);
	}
}

int gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .put = sink_buf, .buf = buf, .size = size };

	format(&s, fmt, ap);
	if (size > 0)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int gsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int gvprintf(const char *fmt, va_list ap)
{
	struct sink s = { .put = sink_uart };
	uint64_t daif = irq_save();
	int me = (int)cpu_index();
	bool nested = __atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me;

	if (!nested) {
		spin_lock(&console_lock);
		__atomic_store_n(&console_owner, me, __ATOMIC_RELAXED);
	}
	format(&s, fmt, ap);
	if (!nested) {
		__atomic_store_n(&console_owner, -1, __ATOMIC_RELAXED);
		spin_unlock(&console_lock);
	}
	irq_restore(daif);
	return (int)s.len;
}

int gprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void console_unlock_if_owner(void)
{
	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == (int)cpu_index()) {
		__atomic_store_n(&console_owner, -1, __ATOMIC_RELAXED);
		spin_unlock(&console_lock);
	}
}
