/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor console: line-atomic, lock-protected output with log levels.
 *
 * Each call writes its whole message under the console lock, so lines from
 * different CPUs never interleave. Messages above the current level are
 * dropped. Anything a guest can cause must be logged at LOG_NOTICE or below
 * and through a rate limit (see `log_ratelimit`).
 */
#ifndef BULWARK_CONSOLE_H
#define BULWARK_CONSOLE_H

#include <bulwark/types.h>
#include <stdarg.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_NOTICE = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

/*
 * The console's character sink, provided at link time by the UART driver
 * (src/drivers/pl011.c on QEMU virt). Called with the console lock held.
 */
void console_hw_putc(char c);

/* Starts console output once the UART driver is ready. Boot CPU only. */
void console_init(void);
void console_set_level(enum log_level level);
enum log_level console_level(void);

void log_printf(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vprintf(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define pr_err(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define pr_notice(...) log_printf(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/*
 * Writes text from a VM's console as "[name] text", ending the line when
 * @eol. A line left open (a shell prompt) is continued by the next text of
 * the same VM; any other output first ends it.
 */
void console_vm_text(const char *name, const char *text, bool eol);

/*
 * A budget of console lines per second for messages a guest can cause, so
 * that none can flood the console. `ratelimit_allow()` says whether one more
 * line may go out now; when a new one-second window starts, it first prints
 * how many lines of @what the last window suppressed. The caller serialises
 * calls on one limiter.
 */
struct ratelimit {
	uint64_t window_start;
	unsigned in_window, suppressed;
};
bool ratelimit_allow(struct ratelimit *rl, unsigned per_second, const char *what);

/*
 * For fatal reports: takes the console lock even if another CPU seems stuck
 * holding it (after a bounded wait), and lets this CPU write several
 * messages as one block. Pair with `console_panic_end`.
 */
void console_panic_begin(void);
void console_panic_end(void);
/* Writes raw text while `console_panic_begin` is in force. */
void console_panic_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
