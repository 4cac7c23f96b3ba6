/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PL011 a VM sees (registers after the Arm PL011 TRM, r1p5). Output is
 * collected into lines and written to the hypervisor console as
 * "[vm] line", through a token bucket so that a guest cannot flood the
 * console: a burst of VUART_BURST lines, then VUART_RATE lines a second.
 */
#include <bulwark/drivers/pl011_regs.h>
#include <bulwark/arch/boot.h>
#include <bulwark/console.h>
#include <bulwark/nospec.h>
#include <bulwark/fastmmio.h>
#include <bulwark/string.h>
#include <bulwark/vgic.h>
#include <bulwark/vm.h>
#include <bulwark/vuart.h>

#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)
#define FR_RXFF (1u << 6)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)

#define VUART_BURST 2000
#define VUART_RATE 200

static const uint8_t id_regs[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

/* UARTFR: the transmitter is always idle; the receive FIFO's state. */
static uint32_t fr_value(const struct vuart *u)
{
	return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) | (u->rx_count == VUART_RX_SIZE ? FR_RXFF : 0);
}

/* Keeps UARTFR's entries in the fast-read table up to date: after every
 * change of the receive FIFO (rx_count), under the lock. */
static void fr_publish(struct vuart *u)
{
	uint32_t fr = fr_value(u);

	fastmmio_set(u->fr_fast[0], fr);
	fastmmio_set(u->fr_fast[1], fr);
}

/*
 * Fast writes of UARTDR may append to the line while a write would do
 * nothing else: the transmit interrupt status is set already (a write sets
 * it, and with it the interrupt line may change), and the line has room
 * (a full one goes out first). The vector takes printable characters only,
 * 0x20-0x7e: a newline ends the line, and control characters are replaced,
 * here. Under the lock, after every change of RIS.
 */
static void tx_update(struct vuart *u)
{
	fastsink_set_limit(&u->tx, (u->ris & INT_TX) ? VUART_LINE - 1 : 0);
}

void vuart_reset(struct vuart *u)
{
	sl_init(&u->lock);
	u->tx.lock = &u->lock;
	u->tx.len = &u->line_len;
	u->tx.buf = u->line;
	u->tx.lo = 0x20;
	u->tx.hi = 0x7e;
	u->tokens = VUART_BURST;
	u->tokens_at = arch_counter();
	u->note_at = 0;
	u->dropped = 0;
	u->history_seq = 0;
	vuart_reset_regs(u);
}

void vuart_reset_regs(struct vuart *u)
{
	u->cr = 0x300;
	u->imsc = 0;
	u->ris = 0;
	u->lcr_h = 0;
	u->ibrd = 0;
	u->fbrd = 0;
	u->ifls = 0x12;
	u->line_len = 0;
	u->rx_head = 0;
	u->rx_count = 0;
	u->irq_level = false;
	fr_publish(u);
	tx_update(u);
}

void vuart_add_fast_mmio(struct vm *vm)
{
	struct vuart *u = &vm->uart;

	sl_lock(&u->lock);
	/* Linux's PL011 driver writes UARTDR 16 bits wide, others 8 or 32. */
	fastmmio_add_sink(vm->fastmmio, VUART_BASE + UARTDR, 1, &u->tx);
	fastmmio_add_sink(vm->fastmmio, VUART_BASE + UARTDR, 2, &u->tx);
	fastmmio_add_sink(vm->fastmmio, VUART_BASE + UARTDR, 4, &u->tx);
	/* Linux's PL011 driver reads UARTFR 16 bits wide, its early console
	 * and most others 32. */
	u->fr_fast[0] = fastmmio_add_read(vm->fastmmio, VUART_BASE + UARTFR, 4, fr_value(u));
	u->fr_fast[1] = fastmmio_add_read(vm->fastmmio, VUART_BASE + UARTFR, 2, fr_value(u));
	sl_unlock(&u->lock);
	for (unsigned i = 0; i < ARRAY_SIZE(id_regs); i++)
		fastmmio_add_read(vm->fastmmio, VUART_BASE + 0xfe0 + 4 * i, 4, id_regs[i]);
}

/*
 * Reports the lines dropped since the last report, as a notice about the VM:
 * at most once a second unless @now_anyway (the VM stops: its last word).
 */
static void note_dropped(struct vm *vm, struct vuart *u, uint64_t now, bool now_anyway)
{
	if (!u->dropped ||
	    !(now_anyway || u->note_at == 0 || now - u->note_at >= arch_counter_freq()))
		return;
	pr_notice("vm '%s': %lu console lines dropped (rate limit: %u lines a second after a "
		  "burst of %u)\n", vm->name, u->dropped, VUART_RATE, VUART_BURST);
	u->dropped = 0;
	u->note_at = now ? now : 1;
}

/* Keeps what the VM printed for the management API: every line as it ends
 * (or is shown unfinished), rate limit or not. Caller holds the lock. */
static void history_add(struct vuart *u, bool eol)
{
	for (unsigned i = 0; i < u->line_len; i++)
		u->history[u->history_seq++ % VUART_HISTORY] = (uint8_t)u->line[i];
	if (eol)
		u->history[u->history_seq++ % VUART_HISTORY] = '\n';
}

static void emit_line(struct vm *vm, struct vuart *u)
{
	uint64_t now = arch_counter(), freq = arch_counter_freq();
	uint64_t earned = (now - u->tokens_at) * VUART_RATE / (freq ? freq : 1);

	if (earned) {
		u->tokens = (uint32_t)MIN((uint64_t)VUART_BURST, u->tokens + earned);
		u->tokens_at = now;
	}
	u->line[u->line_len] = '\0';
	history_add(u, true);
	/* The count of lost lines goes out with the next line that does, at most
	 * once a second, so the notes cannot double a flood. */
	if (u->tokens)
		note_dropped(vm, u, now, false);
	if (u->tokens == 0) {
		u->dropped++;
	} else {
		u->tokens--;
		console_vm_text(vm->name, u->line, true);
	}
	u->line_len = 0;
}

/*
 * The guest's driver masked the transmit interrupt: it has nothing more to
 * send for now. A partial line of the VM that has the keyboard (a shell
 * prompt, an echoed key) is shown at once, left open for what follows.
 */
static void flush_partial(struct vm *vm, struct vuart *u)
{
	if (!u->line_len || vconsole_focus() != vm || !u->tokens)
		return;
	u->tokens--; /* a piece of a line costs as much as a line */
	u->line[u->line_len] = '\0';
	history_add(u, false);
	console_vm_text(vm->name, u->line, false);
	u->line_len = 0;
}

static void put_char(struct vm *vm, struct vuart *u, uint8_t c)
{
	if (c == '\r' || c == 0)
		return;
	if (c != '\n' && ((c < 0x20 && c != '\t') || c >= 0x7f))
		c = '.'; /* no control characters or escape sequences to the terminal */
	if (c == '\n') {
		emit_line(vm, u);
		return;
	}
	if (u->line_len == VUART_LINE - 1)
		emit_line(vm, u); /* a long line goes out in pieces */
	u->line[u->line_len++] = (char)c;
}

/* After any change: the interrupt line, and whether fast writes may go on. */
static void update_irq(struct vm *vm, struct vuart *u)
{
	tx_update(u);
	if (u->rx_count)
		u->ris |= INT_RX | INT_RT;
	else
		u->ris &= ~(INT_RX | INT_RT);
	bool level = (u->ris & u->imsc) != 0;

	if (level != u->irq_level) { /* only changes reach the vGIC */
		u->irq_level = level;
		vgic_set_level(vm, VUART_INTID, level);
	}
}

bool vuart_mmio(struct vm *vm, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	struct vuart *u = &vm->uart;
	uint32_t v = (uint32_t)*val;

	if (size > 4 || off >= VUART_SIZE)
		return false;
	sl_lock(&u->lock);
	if (!write)
		*val = 0;
	switch (off) {
	case UARTDR:
		if (write) {
			put_char(vm, u, (uint8_t)v);
			u->ris |= INT_TX;
		} else if (u->rx_count) {
			*val = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % VUART_RX_SIZE;
			u->rx_count--;
			fr_publish(u);
		}
		break;
	case UARTFR:
		if (!write)
			*val = fr_value(u);
		break;
	case UARTIBRD: if (write) u->ibrd = v & 0xffff; else *val = u->ibrd; break;
	case UARTFBRD: if (write) u->fbrd = v & 0x3f; else *val = u->fbrd; break;
	case UARTLCR_H: if (write) u->lcr_h = v & 0xff; else *val = u->lcr_h; break;
	case UARTCR: if (write) u->cr = v & 0xff87; else *val = u->cr; break;
	case UARTIFLS: if (write) u->ifls = v & 0x3f; else *val = u->ifls; break;
	case UARTIMSC:
		if (write && (u->imsc & INT_TX) && !(v & INT_TX))
			flush_partial(vm, u);
		if (write)
			u->imsc = v & 0x7ff;
		else
			*val = u->imsc;
		break;
	case UARTRIS: if (!write) *val = u->ris; break;
	case UARTMIS: if (!write) *val = u->ris & u->imsc; break;
	case UARTICR: if (write) u->ris &= ~v; break;
	case UARTRSR: case UARTILPR: case UARTDMACR: break; /* RAZ/WI */
	default:
		if (off >= 0xfe0 && !write) /* identification registers */
			*val = id_regs[nospec_index((off - 0xfe0) / 4, ARRAY_SIZE(id_regs))];
		break; /* the rest of the page: RAZ/WI */
	}
	update_irq(vm, u);
	sl_unlock(&u->lock);
	return true;
}

bool vuart_input(struct vm *vm, char c)
{
	struct vuart *u = &vm->uart;
	bool ok;

	sl_lock(&u->lock);
	ok = u->rx_count < VUART_RX_SIZE;
	if (ok) {
		u->rx[(u->rx_head + u->rx_count) % VUART_RX_SIZE] = (uint8_t)c;
		u->rx_count++;
		fr_publish(u);
	}
	update_irq(vm, u);
	sl_unlock(&u->lock);
	return ok;
}

size_t vuart_history_read(struct vm *vm, uint64_t *seq, uint8_t *buf, size_t max,
			  uint64_t *oldest)
{
	struct vuart *u = &vm->uart;
	size_t n = 0;

	sl_lock(&u->lock);
	uint64_t first = u->history_seq > VUART_HISTORY ? u->history_seq - VUART_HISTORY : 0;

	if (*seq < first || *seq > u->history_seq)
		*seq = *seq > u->history_seq ? u->history_seq : first;
	while (n < max && *seq < u->history_seq)
		buf[n++] = u->history[(*seq)++ % VUART_HISTORY];
	*oldest = first;
	sl_unlock(&u->lock);
	return n;
}

void vuart_flush(struct vm *vm, bool stopping)
{
	struct vuart *u = &vm->uart;

	sl_lock(&u->lock);
	if (u->line_len)
		emit_line(vm, u);
	note_dropped(vm, u, arch_counter(), stopping);
	sl_unlock(&u->lock);
}
