/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_devmodels.c: libFuzzer target for iopmd's guest device models
 * (iopm/dev: uart16550.c, pcihost.c, rtc.c; docs/vdevices.md "Device
 * models in iopmd"). The input is a script of what a guest and the host
 * side may do to the three at once: port accesses of any size at any of
 * their ports (and next to them), input bytes and breaks on the UART
 * line, modem line changes, resets, direct configuration accesses, the
 * host clock moving (forward by any amount, sometimes back) and RTC
 * ticks. After each step: no crash (ASan/UBSan), each irq callback is a
 * change of its line, the UART's FIFO counts stay in bounds and uart_rx()
 * takes exactly what there is room for, a read never returns more bits
 * than its size, every absent PCI function and every read with the enable
 * bit clear is all ones and the host bridge's IDs never change, and the
 * RTC raises IRQ 8 exactly at rtc_next_event_ns() (not 1 ns before).
 *
 *   make -C tests/fuzz run-devmodels [SECONDS=60]
 */
#include <string.h>

#include "iopm/dev/pcihost.h"
#include "iopm/dev/rtc.h"
#include "iopm/dev/uart16550.h"

#define FUZZ_NAME "fuzz_devmodels"
#include "fuzz_input.h"

#define NS 1000000000ull

/* 1, 2, 4, and now and then a size no bus makes. */
static unsigned size_of(uint8_t b)
{
	static const unsigned sizes[8] = {1, 1, 2, 2, 4, 4, 4, 3};
	return b & 0x80 ? (b & 0x40 ? 0 : 8) : sizes[b & 7];
}

static uint64_t host_now;
static bool uart_line, rtc_line;

static void u_tx(void *ctx, uint8_t b)
{
	(void)ctx;
	(void)b;
}

static void u_irq(void *ctx, bool level)
{
	(void)ctx;
	CHECK(level != uart_line);
	uart_line = level;
}

static void u_room(void *ctx)
{
	(void)ctx;
}

static uint64_t r_now(void *ctx)
{
	(void)ctx;
	return host_now;
}

static void r_irq(void *ctx, bool level)
{
	(void)ctx;
	CHECK(level != rtc_line);
	rtc_line = level;
}

static void r_quiet(void *ctx, bool level)
{
	(void)ctx;
	(void)level;
}

static const struct uart_ops uart_ops = {u_tx, u_irq, u_room};
static const struct rtc_ops rtc_ops = {r_now, r_irq};
static const struct rtc_ops rtc_copy_ops = {r_now, r_quiet};

static void check_read(uint32_t v, unsigned size, int ret)
{
	if (ret)
		CHECK(v == 0xffffffffu);
	else if (size < 4)
		CHECK(v < 1u << (8 * size));
}

static void check_uart(const struct uart16550 *u)
{
	CHECK(u->rx_count <= ((u->fcr & UART_FCR_ENABLE_FIFO) ? UART_FIFO_SIZE : 1));
	CHECK(u->rx_errors <= u->rx_count);
	CHECK(u->rx_head < UART_FIFO_SIZE);
	CHECK(u->irq == uart_line);
	CHECK(!(u->ier & ~UART_IER_MASK) && !(u->mcr & ~UART_MCR_MASK));
}

static void check_pci(struct pcihost *h, unsigned attached)
{
	CHECK(!(h->addr & ~PCI_ADDR_WRITABLE));
	CHECK(pcihost_cfg_read(h, 0, 0, PCI_VENDOR_ID, 4) == 0x12378086);
	CHECK(pcihost_cfg_read(h, 0, 0, PCI_REVISION_ID, 4) == 0x06000002);
	unsigned devfn = (attached * 37 + 11) % PCI_DEVFNS;
	if (devfn != 0 && devfn != attached)
		CHECK(pcihost_cfg_read(h, 0, devfn, (devfn * 4) & 0xfc, 4) == PCI_ABSENT);
	CHECK(pcihost_cfg_read(h, 1 + devfn % 255, 0, 0, 2) == 0xffff);
}

/* The RTC's promise: IRQ 8 at rtc_next_event_ns() and not 1 ns before,
 * if nothing else happens (checked on copies). */
static void check_rtc(const struct rtc *r)
{
	CHECK(r->irq == rtc_line);
	CHECK(r->irq == !!(r->flags & RTC_C_IRQF));
	CHECK(r->last.ns < NS && r->off.ns < NS && r->wday_adj < 7);
	uint64_t next = rtc_next_event_ns(r);
	if (r->irq) {
		CHECK(next == UINT64_MAX);
		return;
	}
	if (next == UINT64_MAX || next == 0)
		return;
	struct rtc before = *r, at = *r;
	before.ops = &rtc_copy_ops;
	at.ops = &rtc_copy_ops;
	rtc_tick(&before, next - 1);
	CHECK(!(before.flags & RTC_C_IRQF));
	rtc_tick(&at, next);
	CHECK(at.flags & RTC_C_IRQF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uart16550 u;
	static struct pcihost h;
	static struct pci_fn fn;
	static struct rtc r;
	struct input in = {data, size};

	/* Mid-2024, plus a first byte's worth of years either way. */
	host_now = (1720000000ull + (uint64_t)byte(&in) * 31557600ull) * NS + word(&in) % NS;
	uart_line = rtc_line = false;
	uart_init(&u, &uart_ops, NULL);
	rtc_init(&r, &rtc_ops, NULL);
	pcihost_init(&h);
	pci_fn_init(&fn, 0x1af4, 0x1041, 1, 0x020000, PCI_HEADER_MULTI_FUNC);
	pci_fn_bar(&fn, 0, 64, PCI_BAR_IO);
	pci_fn_bar(&fn, 1, 1u << 14, PCI_BAR_MEM_64);
	unsigned attached = PCI_DEVFN(1 + byte(&in) % 31, 0);
	CHECK(pcihost_attach(&h, attached, &fn) == 0);

	for (unsigned steps = 0; in.n && steps < 4096; steps++) {
		uint8_t op = byte(&in), b = byte(&in);
		unsigned sz = size_of(b);
		bool write = b & 0x08;
		uint32_t v = write ? word(&in) : 0x5a5a5a5a;
		int ret;
		switch (op % 12) {
		case 0:
		case 1:
			ret = uart_io(&u, (b >> 4) & 0x7, sz, write, &v);
			if (!write)
				check_read(v, sz, ret);
			break;
		case 2: {
			uint8_t buf[40];
			size_t n = byte(&in) % sizeof(buf), room = uart_rx_room(&u);
			for (size_t i = 0; i < n; i++)
				buf[i] = byte(&in);
			size_t took = uart_rx(&u, buf, n);
			CHECK(took == (n < room ? n : room));
			break;
		}
		case 3:
			if (b & 1)
				uart_rx_break(&u);
			else if (b & 2)
				uart_set_lines(&u, byte(&in));
			else if (b == 0x40)
				uart_reset(&u);
			break;
		case 4:
		case 5: {
			uint16_t port = (uint16_t)(PCI_CONFIG_ADDRESS - 1 + (b >> 4) % 10);
			if (write && op & 0x10) /* a plausible address: bus 0, mostly our devices */
				v = PCI_ADDR_ENABLE * !(op & 0x20) |
				    (v & 0x3ff) << PCI_ADDR_DEVFN_SHIFT >> 2 | (v & 0xfc);
			bool enabled = h.addr & PCI_ADDR_ENABLE;
			ret = pcihost_io(&h, port, sz, write, &v);
			if (!write)
				check_read(v, sz, ret);
			if (!write && !ret && port >= PCI_CONFIG_DATA && !enabled)
				CHECK(v == (sz == 4 ? PCI_ABSENT : (1u << (8 * sz)) - 1));
			break;
		}
		case 6: {
			unsigned devfn = byte(&in), off = byte(&in);
			if (write)
				pcihost_cfg_write(&h, b & 1, devfn, off, sz, v);
			else
				check_read(pcihost_cfg_read(&h, b & 1, devfn, off, sz), sz, 0);
			break;
		}
		case 7:
		case 8:
			ret = rtc_io(&r, (uint16_t)(RTC_INDEX_PORT - 1 + (b >> 4) % 4), sz, write, &v);
			if (!write)
				check_read(v, sz, ret);
			break;
		case 9: /* the host clock: up to ~2^40 ns forward, or back */
			if (b == 0xff)
				host_now -= host_now > 60 * NS ? (uint64_t)byte(&in) * NS / 4 : 0;
			else
				host_now += ((uint64_t)word(&in) << (b % 9)) + 1;
			break;
		case 10:
			rtc_tick(&r, host_now);
			break;
		default: { /* the caller's timer fires at the promised time */
			uint64_t next = rtc_next_event_ns(&r);
			if (next != UINT64_MAX && next > host_now && next - host_now < 100 * NS) {
				host_now = next;
				rtc_tick(&r, next);
				CHECK(rtc_line);
			}
			break;
		}
		}
		check_uart(&u);
		check_pci(&h, attached);
		check_rtc(&r);
	}
	return 0;
}
