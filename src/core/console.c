/* SPDX-License-Identifier: Apache-2.0 */
#include <bulwark/arch/cpu.h>
#include <bulwark/arch/boot.h>
#include <bulwark/console.h>
#include <bulwark/fmt.h>
#include <bulwark/spinlock.h>

#define CONSOLE_LINE_MAX 512
#define NO_OWNER 0xffffffffu

static bool ready;
static enum log_level level = LOG_INFO;
static struct spinlock lock = SPINLOCK_INIT;
static uint32_t owner = NO_OWNER; /* CPU index holding `lock`, for fatal reports */
static const char *open_line;      /* the VM whose partial line is on the terminal */

static const char *const level_tag[] = {
	[LOG_ERROR] = "ERROR: ",
	[LOG_WARN] = "WARNING: ",
	[LOG_NOTICE] = "notice: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void console_init(void)
{
	ready = true;
}

void console_set_level(enum log_level l)
{
	level = l;
}

enum log_level console_level(void)
{
	return level;
}

static void emit(const char *s)
{
	if (!ready)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			console_hw_putc('\r');
		console_hw_putc(*s);
	}
}

static void console_lock(void)
{
	sl_lock(&lock);
	__atomic_store_n(&owner, arch_cpu_index(), __ATOMIC_RELAXED);
}

static void console_unlock(void)
{
	__atomic_store_n(&owner, NO_OWNER, __ATOMIC_RELAXED);
	sl_unlock(&lock);
}

void log_vprintf(enum log_level l, const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];

	if (l > level)
		return;
	int n = fmt_snprintf(line, sizeof(line), "%s", level_tag[l]);
	int m = fmt_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);

	if ((size_t)(n + m) >= sizeof(line)) /* truncated: keep the newline */
		line[sizeof(line) - 2] = '\n';
	console_lock();
	if (open_line) { /* end a VM's partial line first */
		emit("\n");
		open_line = NULL;
	}
	emit(line);
	console_unlock();
}

void console_vm_text(const char *name, const char *text, bool eol)
{
	console_lock();
	if (open_line != name) {
		if (open_line)
			emit("\n");
		emit("[");
		emit(name);
		emit("] ");
	}
	emit(text);
	if (eol)
		emit("\n");
	open_line = eol ? NULL : name;
	console_unlock();
}

void log_printf(enum log_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(l, fmt, ap);
	va_end(ap);
}

static bool panic_took_lock;

void console_panic_begin(void)
{
	uint32_t me = arch_cpu_index();

	panic_took_lock = false;
	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) == me)
		return; /* this CPU faulted while printing: the lock is ours */
	for (unsigned long i = 0; i < 100000000UL; i++) {
		if (sl_trylock(&lock)) {
			__atomic_store_n(&owner, me, __ATOMIC_RELAXED);
			panic_took_lock = true;
			return;
		}
	}
	/* Another CPU died holding the lock: write anyway rather than hide why. */
}

void console_panic_end(void)
{
	if (panic_took_lock)
		console_unlock();
}

void console_panic_printf(const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(line);
}

bool ratelimit_allow(struct ratelimit *rl, unsigned per_second, const char *what)
{
	uint64_t now = arch_counter();

	if (now - rl->window_start > arch_counter_freq()) {
		if (rl->suppressed)
			pr_notice("%s: %u more notices suppressed\n", what, rl->suppressed);
		rl->window_start = now;
		rl->in_window = 0;
		rl->suppressed = 0;
	}
	if (rl->in_window >= per_second) {
		rl->suppressed++;
		return false;
	}
	rl->in_window++;
	return true;
}
