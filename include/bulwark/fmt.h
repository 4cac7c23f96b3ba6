/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String formatting for the console: a small, bounded vsnprintf.
 *
 * Supports %d %i %u %x %X %o %c %s %p %%, the flags '-', '0' and '#' (0x for %x), a width, a
 * precision for %s, and the length modifiers hh h l ll z. Output is always
 * NUL-terminated when size > 0; the return value is the length the full
 * output would have had (like C99 vsnprintf).
 */
#ifndef BULWARK_FMT_H
#define BULWARK_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
