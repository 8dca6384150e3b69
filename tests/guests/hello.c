/* SPDX-License-Identifier: GPL-2.0-only */
/* hello: the README's walkthrough guest, for the interactive console
 * (`vmctl console hello`, docs/iopm.md "The interactive console"). It greets
 * ("Hello from coopvmm guest", and its name when its Multiboot command line
 * gives one), then answers each line typed on its COM1 with
 * `hello: you typed "LINE"` (echoing as it is typed, backspace erasing),
 * prints `hello: tick N` every 10 s, and ends (PASS, the debug-exit port)
 * on the line "quit". Input comes by the 16550's received-data interrupt on
 * IRQ 4 through the 8259, the ticks by the LAPIC's TSC-deadline timer (the
 * PIT where the CPU lacks it), and the CPU sleeps in HLT in between: an idle
 * guest costs nothing. It runs with its COM1 in an IOPM
 * (run=hello:16M:1:iopm0: system.bochs_iopm_guests types to it), on bare
 * QEMU (tests/guests/qemu-check feeds it the "qemu-check-input" lines
 * below) and on the VMM's write-only COM1 stand-in (no input there: it says
 * so and only ticks). The ACPI power button (`vmctl shutdown hello`) powers
 * it off through S5 (rt/acpi_power.c: "power button: powering off"). The
 * main loop takes events (bits set by the interrupt handlers): a new source
 * is a bit, its handler and one line in main. */
#include "rt/rt.h"

#include "rt/acpi_power.h"
#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/pic.h"
#include "rt/pit.h"
#include "rt/timer.h"
#include "rt/trap.h"

// qemu-check-input: hi there
// qemu-check-input: a line longer than the sixteen-byte receive FIFO of the 16550
// qemu-check-input: quit
// qemu-check-expect: ^hello: you typed "hi there"$
// qemu-check-expect: ^hello: you typed "a line longer than the sixteen-byte receive FIFO of the 16550"$
// qemu-check-expect: ^hello: bye \(2 line\(s\) answered\)$

#define COM1	     0x3f8
#define U_RBR	     0
#define U_IER	     1
#define U_IIR	     2
#define U_MCR	     4
#define U_LSR	     5
#define U_MSR	     6
#define MCR_DTR_RTS  0x03
#define MCR_OUT2     0x08
#define MCR_LOOP     0x10
#define IER_ERBFI    0x01
#define LSR_DR	     0x01
#define COM1_IRQ     4
#define COM1_VECTOR  (PIC1_VECTOR_BASE + COM1_IRQ)
#define PIT_IRQ	     0
#define PIT_VECTOR   (PIC1_VECTOR_BASE + PIT_IRQ)
#define PIT_RATE     20 /* Hz, the fallback tick source */
#define TIMER_VECTOR 0x40
#define SCI_VECTOR   0x51 /* the ACPI SCI (the power button), rt/acpi_power.c */
#define TICK_MS	     10000
#define RX_SIZE	     4096 /* bytes taken from the UART, not yet handled */
#define LINE_MAX     120
#define NAME_MAX     40
#define BS	     0x08
#define DEL	     0x7f

#define EV_INPUT (1U << 0) /* bytes in rx[] */
#define EV_TICK	 (1U << 1) /* TICK_MS passed */

static volatile uint32_t events; /* set by the handlers, taken by main with IF clear */
static volatile uint8_t rx[RX_SIZE];
static volatile uint32_t rx_head, rx_tail, rx_lost; /* head: the handler's; tail: main's */
static volatile uint32_t pit_count;
static bool deadline;
static char line[LINE_MAX + 1];
static uint32_t line_len, answered, ticks;
static uint8_t last_end; /* the line end just seen: a "\r\n" pair ends one line */

/* Received data (or its FIFO timeout): take all the receiver holds. The
 * bound only matters for a broken UART whose LSR.DR never clears. */
static void com1_handler(struct trap_frame *f)
{
	(void)f;
	inb(COM1 + U_IIR);
	for (uint32_t i = 0; i < RX_SIZE && (inb(COM1 + U_LSR) & LSR_DR); i++) {
		uint8_t c = inb(COM1 + U_RBR);
		if (rx_head - rx_tail < RX_SIZE)
			rx[rx_head++ % RX_SIZE] = c;
		else
			rx_lost++;
	}
	events |= EV_INPUT;
	pic_eoi(COM1_IRQ);
}

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	events |= EV_TICK;
	lapic_eoi();
}

static void pit_handler(struct trap_frame *f)
{
	(void)f;
	if (++pit_count % (TICK_MS / 1000 * PIT_RATE) == 0)
		events |= EV_TICK;
	pic_eoi(PIT_IRQ);
}

static void arm_tick(void)
{
	if (deadline)
		wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + ms_to_tsc(TICK_MS));
}

static void timer_init(void)
{
	deadline = cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_TSC_DEADLINE);
	if (deadline) {
		trap_set_handler(TIMER_VECTOR, timer_handler);
		lapic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | TIMER_VECTOR);
		arm_tick();
		return;
	}
	trap_set_handler(PIT_VECTOR, pit_handler);
	pit_ch0_periodic(PIT_RATE);
	pic_set_mask(pic_get_mask() & (uint16_t) ~(1U << PIT_IRQ));
}

/* A 16550 (the IOPM's model, QEMU's, Bochs') rather than the VMM's
 * write-only stand-in: in loopback its MSR shows the MCR's outputs. */
static bool com1_is_uart(void)
{
	outb(COM1 + U_MCR, MCR_LOOP | 0x0f);
	bool uart = (inb(COM1 + U_MSR) & 0xf0) == 0xf0;
	outb(COM1 + U_MCR, MCR_DTR_RTS);
	return uart;
}

static void com1_input_init(void)
{
	/* Bytes that came before are kept: enabling the interrupt with data
	 * waiting raises the line at once (the 8259 latches the edge while
	 * IRQ 4 is still masked). */
	trap_set_handler(COM1_VECTOR, com1_handler);
	outb(COM1 + U_MCR, MCR_DTR_RTS | MCR_OUT2); /* OUT2: the PC's interrupt gate */
	outb(COM1 + U_IER, IER_ERBFI);
	pic_set_mask(pic_get_mask() & (uint16_t) ~(1U << COM1_IRQ));
}

/* Wait (in HLT) until a handler has something for main; take it. */
static uint32_t wait_events(void)
{
	cli();
	while (!events) {
		sti_hlt(); /* STI's shadow: no interrupt is taken before HLT */
		cli();
	}
	uint32_t ev = events;
	events = 0;
	sti();
	return ev;
}

static bool is(const char *a, const char *b)
{
	return !strcmp(a, b);
}

static void end_line(void)
{
	putchar('\n');
	line[line_len] = 0;
	if (!line_len)
		return;
	line_len = 0;
	if (is(line, "quit")) {
		printf("hello: bye (%u line(s) answered)\n", answered);
		pass();
	}
	answered++;
	printf("hello: you typed \"%s\"\n", line);
}

static void take_byte(uint8_t c)
{
	if (c == '\r' || c == '\n') {
		bool pair = c == '\n' && last_end == '\r';
		last_end = c;
		if (!pair)
			end_line();
		return;
	}
	last_end = 0;
	if (c == BS || c == DEL) {
		if (line_len) {
			line_len--;
			printf("\b \b");
		}
	} else if (c >= ' ' && c < DEL && line_len < LINE_MAX) {
		line[line_len++] = (char)c;
		putchar(c);
	} /* other control bytes, and bytes past LINE_MAX: ignored */
}

static void take_input(void)
{
	while (rx_tail != rx_head) {
		take_byte(rx[rx_tail % RX_SIZE]);
		rx_tail++;
	}
	if (rx_lost) {
		printf("\nhello: %u input bytes lost (more than %u waiting)\n", rx_lost, RX_SIZE);
		rx_lost = 0;
	}
}

static void tick(void)
{
	arm_tick();
	ticks++;
	if (line_len) /* a line being typed: the tick on a line of its own, the line again */
		putchar('\n');
	printf("hello: tick %u\n", ticks);
	line[line_len] = 0;
	printf("%s", line);
}

/* The Multiboot command line's first word (printable, bounded), or "". */
static void name_from(const struct mb1_info *mbi, char *name)
{
	const char *c = (mbi && (mbi->flags & MB1_INFO_CMDLINE)) ? (const char *)mbi->cmdline : "";
	uint32_t n = 0;

	while (*c == ' ')
		c++;
	while (n < NAME_MAX && c[n] > ' ' && c[n] < DEL) {
		name[n] = c[n];
		n++;
	}
	name[n] = 0;
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	char name[NAME_MAX + 1];

	name_from(magic == MB1_BOOT_MAGIC ? mbi : NULL, name);
	printf("Hello from coopvmm guest%s%s\n", name[0] ? " " : "", name);
	/* The 8259's output reaches the CPU through LINT0 (virtual wire). */
	lapic_enable(false);
	lapic_virtual_wire();
	timer_init();
	bool uart = com1_is_uart();
	if (uart) {
		com1_input_init();
		printf("hello: type a line and I answer it; \"quit\" ends me\n");
	} else {
		printf("hello: COM1 is the VMM's write-only stand-in: no input here (give me an IOPM: "
		       "run=hello:16M:1:iopm0)\n");
	}
	printf("hello: %sa tick every %u s (%s), HLT in between\n", uart ? "input by IRQ 4, " : "",
	       TICK_MS / 1000, deadline ? "TSC-deadline timer" : "PIT");
	const char *why = acpi_power_init(SCI_VECTOR);
	if (why)
		printf("hello: no ACPI power button (%s)\n", why);
	else
		printf("hello: the power button powers me off (vmctl shutdown)\n");
	for (;;) {
		uint32_t ev = wait_events();
		if (ev & EV_INPUT)
			take_input();
		if (ev & EV_TICK)
			tick();
	}
}
