/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_devs.c: one guest's devices in iopmd -- the device models of
 * iopm/dev/ (pure state machines) bound to the guest: the UART's bytes go
 * to its console (iopmd_io.c), every interrupt output to an IRQ_LINE
 * message for its line, the RTC's time to the IOPM's clocks; what a console
 * client types goes to the UART's receiver, and what it cannot take yet
 * waits in the guest's input queue (iopm/conbuf.h) until the guest makes
 * room (the model's rx_room). The port map is the one the VMM forwards for
 * a VM made with an IOPM (vmm/vm/vdev.c "iopm_ranges"). */
#include <stdlib.h>
#include <time.h>

#include "conbuf.h"
#include "dev/pcihost.h"
#include "dev/rtc.h"
#include "dev/uart16550.h"
#include "iopmd.h"
#include "iopmd_virtio.h"

struct guest_devs {
	struct guest *g;
	struct uart16550 uart;
	struct rtc rtc;
	struct pcihost pci;
	struct con_inq inq; /* console input the UART has not taken yet */
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec;
}

static void uart_tx(void *ctx, uint8_t byte)
{
	struct guest_devs *v = ctx;

	guest_console_put(v->g, byte);
}

static void uart_irq(void *ctx, bool level)
{
	struct guest_devs *v = ctx;

	guest_irq(v->g, IOPMD_GSI_COM1, level);
}

/* Where typed input goes: hvc0 once the guest uses it, else COM1. */
static size_t input_rx(struct guest_devs *v, const uint8_t *p, size_t n)
{
	if (guest_virtio_console_active(v->g))
		return guest_virtio_console_input(v->g, p, n);
	return uart_rx(&v->uart, p, n);
}

/* Offer the queued input again, oldest first, while the receiver takes it. */
static void inq_drain(struct guest_devs *v)
{
	const uint8_t *p;
	size_t n, taken;

	while ((n = con_inq_span(&v->inq, &p)) != 0) {
		taken = input_rx(v, p, n);
		con_inq_take(&v->inq, taken);
		if (taken < n)
			return; /* the model calls uart_room again once there is room */
	}
}

/* The guest made room in its receiver (read the RBR, cleared the FIFO, left
 * loopback): at the end of its access, when uart_rx is safe to call. */
static void uart_room(void *ctx)
{
	inq_drain(ctx);
}

static const struct uart_ops uart_ops = {.tx = uart_tx, .irq = uart_irq, .rx_room = uart_room};

/* The RTC keeps wall-clock time; iopmd's timers are CLOCK_MONOTONIC. */
static uint64_t rtc_now(void *ctx)
{
	(void)ctx;
	return clock_ns(CLOCK_REALTIME);
}

static void rtc_irq(void *ctx, bool level)
{
	struct guest_devs *v = ctx;

	guest_irq(v->g, IOPMD_GSI_RTC, level);
}

static const struct rtc_ops rtc_ops = {.now = rtc_now, .irq = rtc_irq};

void guest_devices_init(struct guest *g, uint64_t now)
{
	(void)now;
	g->devs = calloc(1, sizeof(*g->devs));
	if (!g->devs) {
		klog(3, "vm %u: out of memory for its devices: its accesses read all ones", g->vm);
		return;
	}
	g->devs->g = g;
	uart_init(&g->devs->uart, &uart_ops, g->devs);
	rtc_init(&g->devs->rtc, &rtc_ops, g->devs);
	pcihost_init(&g->devs->pci);
}

void guest_devices_fini(struct guest *g)
{
	free(g->devs);
	g->devs = NULL;
}

int guest_device_io(struct guest *g, uint16_t port, unsigned size, int write, uint32_t *val)
{
	struct guest_devs *v = g->devs;
	int r = -1;

	if (!v)
		return -COOP_EIO;
	if (port >= COM1_PORT && port < COM1_PORT + UART_REGS)
		r = uart_io(&v->uart, port - COM1_PORT, size, write, val);
	else if (port == RTC_INDEX_PORT || port == RTC_DATA_PORT)
		r = rtc_io(&v->rtc, port, size, write, val);
	else if (port >= PCI_CONFIG_ADDRESS && port < PCI_CONFIG_DATA + PCI_CONFIG_PORTS)
		r = pcihost_io(&v->pci, port, size, write, val);
	return r ? -COOP_EIO : 0;
}

struct pcihost *guest_pci(struct guest *g)
{
	return g->devs ? &g->devs->pci : NULL;
}

/* The RTC's next interrupt, in iopmd's clock. */
uint64_t guest_devices_next(struct guest *g)
{
	uint64_t at, real, mono;

	if (!g->devs)
		return UINT64_MAX;
	at = rtc_next_event_ns(&g->devs->rtc);
	if (at == UINT64_MAX)
		return UINT64_MAX;
	real = clock_ns(CLOCK_REALTIME);
	mono = clock_ns(CLOCK_MONOTONIC);
	return at <= real ? mono : mono + (at - real);
}

void guest_devices_tick(struct guest *g, uint64_t now)
{
	(void)now;
	if (g->devs)
		rtc_tick(&g->devs->rtc, clock_ns(CLOCK_REALTIME));
}

size_t guest_console_input(struct guest *g, const uint8_t *buf, size_t n)
{
	struct guest_devs *v = g->devs;
	size_t taken = 0;

	if (!v)
		return 0;
	if (!v->inq.len) /* nothing waiting: straight to the receiver */
		taken = input_rx(v, buf, n);
	taken += con_inq_put(&v->inq, buf + taken, n - taken);
	inq_drain(v); /* queued input first, in order (no-op if the receiver is full) */
	return taken;
}

void guest_console_room(struct guest *g)
{
	if (g->devs)
		inq_drain(g->devs);
}

size_t guest_console_queued(const struct guest *g)
{
	return g->devs ? g->devs->inq.len : 0;
}
