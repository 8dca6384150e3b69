/* SPDX-License-Identifier: GPL-2.0-only */
/* iodev: the PC devices an IOPM serves a guest (docs/vdevices.md "Device
 * models in iopmd"; run=iodev:16M:1:iopm0), checked as a driver would on
 * any PC (bare QEMU and Bochs run it too):
 *  - COM1, a 16550A (PC16550D data sheet): scratch register, divisor latch
 *    behind DLAB, Linux's 8250 autoconfig probes (loopback: MSR follows
 *    MCR; FIFO: IIR bits 7:6 after FCR), a byte through the loopback with
 *    LSR.DR and the received-data IIR, and the THR-empty interrupt on IRQ 4
 *    through the 8259 (IER, OUT2), cleared by reading IIR;
 *  - PCI configuration mechanism #1: a host bridge at 00:00.0 (class
 *    06/00/00, header type 0), CONFIG_ADDRESS read back, byte and word
 *    reads at 0xcfc-0xcff agreeing with the dword, all ones for an absent
 *    function (00:1f.7);
 *  - the RTC (MC146818): VRT set, a date and time read between two
 *    updates (UIP clear) in range, in BCD or binary as register B says,
 *    and the seconds moving on.
 * Under coopvmm without an IOPM the VMM's COM1 is write-only: one SKIP. */
#include "rt/rt.h"

#include "rt/pic.h"
#include "rt/timer.h"
#include "rt/trap.h"

#define COM1	     0x3f8
#define U_RBR	     0
#define U_IER	     1
#define U_IIR	     2
#define U_FCR	     2
#define U_LCR	     3
#define U_MCR	     4
#define U_LSR	     5
#define U_MSR	     6
#define U_SCR	     7
#define LCR_DLAB     0x80
#define LCR_8N1	     0x03
#define MCR_LOOP     0x10
#define MCR_OUT2     0x08
#define IER_ERBFI    0x01
#define IER_ETBEI    0x02
#define IIR_NONE     0x01
#define IIR_ID	     0x0e
#define IIR_RDA	     0x04
#define IIR_RX_MASK  0x06 /* 0x04: data available; 0x0c: character timeout */
#define IIR_THRE     0x02
#define IIR_FIFO     0xc0
#define FCR_FIFO14   0xc7 /* enable, clear both, trigger 14 */
#define LSR_DR	     0x01
#define LSR_THRE     0x20
#define COM1_IRQ     4
#define IRQ_VECTOR   (PIC1_VECTOR_BASE + COM1_IRQ)
#define PCI_ADDR     0xcf8
#define PCI_DATA     0xcfc
#define PCI_ENABLE   0x80000000U
#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define RTC_SEC	     0x00
#define RTC_MIN	     0x02
#define RTC_HOUR     0x04
#define RTC_MDAY     0x07
#define RTC_MON	     0x08
#define RTC_YEAR     0x09
#define RTC_A	     0x0a
#define RTC_B	     0x0b
#define RTC_D	     0x0d
#define RTC_A_UIP    0x80
#define RTC_B_DM_BIN 0x04
#define RTC_B_24H    0x02
#define RTC_D_VRT    0x80
#define WAIT_MS	     3000 /* a bound that only a broken device reaches */

/* Interrupts taken, and those whose IIR said THR empty (an edge latched
 * by the 8259 while IRQ 4 was masked -- some UARTs do not gate it with
 * OUT2 -- arrives with IIR "none"). */
static volatile uint32_t com1_irqs, thre_irqs;

static void com1_handler(struct trap_frame *f)
{
	(void)f;
	uint8_t iir = inb(COM1 + U_IIR); /* reading IIR clears a THRE interrupt */
	com1_irqs++;
	if ((iir & (IIR_ID | IIR_NONE)) == IIR_THRE) {
		thre_irqs++;
		outb(COM1 + U_IER, 0);
	}
	pic_eoi(COM1_IRQ);
}

static void uart_checks(void)
{
	outb(COM1 + U_SCR, 0x5a);
	EXPECT_EQ(inb(COM1 + U_SCR), 0x5a);
	outb(COM1 + U_SCR, 0xa5);
	EXPECT_EQ(inb(COM1 + U_SCR), 0xa5);
	/* The divisor latch behind DLAB; IER back when DLAB is clear. */
	outb(COM1 + U_IER, 0);
	outb(COM1 + U_LCR, LCR_DLAB | LCR_8N1);
	outb(COM1 + 0, 0x0c);
	outb(COM1 + 1, 0x01);
	EXPECT_EQ(inb(COM1 + 0), 0x0c);
	EXPECT_EQ(inb(COM1 + 1), 0x01);
	outb(COM1 + 0, 0x01); /* back to 115200 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + U_LCR, LCR_8N1);
	EXPECT_EQ(inb(COM1 + U_IER), 0);
	EXPECT_EQ(inb(COM1 + U_LCR), LCR_8N1);
	/* Linux's autoconfig: loopback with all modem outputs off, then on.
	 * In loopback nothing reaches the line (a failure printed now would be
	 * lost): the values are checked once it is off again. */
	outb(COM1 + U_MCR, MCR_LOOP);
	inb(COM1 + U_MSR); /* clears the delta bits */
	uint8_t msr_off = inb(COM1 + U_MSR) & 0xf0;
	outb(COM1 + U_MCR, MCR_LOOP | 0x0f);
	uint8_t msr_on = inb(COM1 + U_MSR) & 0xf0;
	/* A byte through the loopback: DR, then the received-data IIR. */
	outb(COM1 + U_FCR, FCR_FIFO14);
	uint8_t iir_fifo = inb(COM1 + U_IIR) & IIR_FIFO;
	outb(COM1 + U_FCR, 0x07); /* trigger level 1: one byte is "data available" */
	outb(COM1 + U_MCR, MCR_LOOP);
	while (inb(COM1 + U_LSR) & LSR_DR)
		inb(COM1 + U_RBR);
	outb(COM1 + U_IER, IER_ERBFI);
	outb(COM1 + U_RBR, 'Z');
	uint64_t until = rdtsc() + (uint64_t)tsc_khz() * WAIT_MS;
	while (!(inb(COM1 + U_LSR) & LSR_DR) && rdtsc() < until)
		;
	uint8_t lsr = inb(COM1 + U_LSR), iir = inb(COM1 + U_IIR), rbr = inb(COM1 + U_RBR);
	uint8_t lsr_after = inb(COM1 + U_LSR), iir_after = inb(COM1 + U_IIR);
	outb(COM1 + U_IER, 0);
	outb(COM1 + U_MCR, 0x03); /* DTR, RTS: as serial_init left it */
	EXPECT_EQ(msr_off, 0);
	EXPECT_EQ(msr_on, 0xf0);
	EXPECT_EQ(iir_fifo, IIR_FIFO);
	EXPECT_EQ(lsr & LSR_DR, LSR_DR);
	EXPECT_EQ(iir & IIR_RX_MASK, IIR_RDA); /* data available, or its timeout (0x0c) */
	EXPECT_EQ(rbr, 'Z');
	EXPECT_EQ(lsr_after & LSR_DR, 0);
	EXPECT_EQ(iir_after & (IIR_ID | IIR_NONE), IIR_NONE);
	printf("uart: scratch, divisor latch, loopback MSR, FIFO IIR, loopback byte ok\n");

	/* The THR-empty interrupt on IRQ 4 (OUT2 gates it, as on a PC). */
	while (!(inb(COM1 + U_LSR) & LSR_THRE))
		;
	trap_set_handler(IRQ_VECTOR, com1_handler);
	pic_set_mask((uint16_t) ~(1U << COM1_IRQ));
	outb(COM1 + U_MCR, 0x03 | MCR_OUT2);
	sti();
	outb(COM1 + U_IER, IER_ETBEI);
	until = rdtsc() + (uint64_t)tsc_khz() * WAIT_MS;
	while (!thre_irqs && rdtsc() < until)
		;
	cli();
	pic_mask_all();
	outb(COM1 + U_MCR, 0x03);
	outb(COM1 + U_IER, 0);
	EXPECT_EQ(thre_irqs, 1);
	EXPECT_EQ(inb(COM1 + U_IIR) & (IIR_ID | IIR_NONE), IIR_NONE);
	printf("uart: THR-empty interrupt on IRQ 4, once\n");
}

static uint32_t pci_read32(uint32_t addr)
{
	outl(PCI_ADDR, addr);
	return inl(PCI_DATA);
}

static void pci_checks(void)
{
	uint32_t id = pci_read32(PCI_ENABLE);
	EXPECT_NE(id & 0xffff, 0xffff);
	EXPECT_NE(id & 0xffff, 0);
	EXPECT_EQ(inl(PCI_ADDR), PCI_ENABLE);
	/* Narrow reads of the same register, at each offset. */
	EXPECT_EQ(inw(PCI_DATA), id & 0xffff);
	EXPECT_EQ(inw(PCI_DATA + 2), id >> 16);
	EXPECT_EQ(inb(PCI_DATA + 1), (id >> 8) & 0xff);
	EXPECT_EQ(inb(PCI_DATA + 3), id >> 24);
	uint32_t class = pci_read32(PCI_ENABLE | 0x08);
	EXPECT_EQ(class >> 8, 0x060000);
	outl(PCI_ADDR, PCI_ENABLE | 0x0c);
	EXPECT_EQ(inb(PCI_DATA + 2) & 0x7f, 0);
	EXPECT_EQ(pci_read32(PCI_ENABLE | (31U << 11) | (7U << 8)), 0xffffffffU);
	EXPECT_EQ(pci_read32(PCI_ENABLE | (31U << 11) | (7U << 8) | 0x08), 0xffffffffU);
	printf("pci: host bridge at 00:00.0 (class 06/00/00, header type 0), 00:1f.7 absent\n");
}

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static uint32_t from_bcd(uint8_t v, bool bin)
{
	return bin ? v : (uint32_t)(v >> 4) * 10 + (v & 0xf);
}

struct rtc_time {
	uint32_t sec, min, hour, mday, mon, year;
};

/* A consistent reading: UIP clear before, the seconds the same after. */
static struct rtc_time rtc_read(void)
{
	uint64_t until = rdtsc() + (uint64_t)tsc_khz() * WAIT_MS;
	for (;;) {
		/* The read that saw UIP clear is the one checked: another read
		 * may already fall into the next update's window. */
		uint8_t a;
		while (((a = cmos(RTC_A)) & RTC_A_UIP) && rdtsc() < until)
			;
		EXPECT_EQ(a & RTC_A_UIP, 0);
		uint8_t s = cmos(RTC_SEC), m = cmos(RTC_MIN), h = cmos(RTC_HOUR);
		uint8_t d = cmos(RTC_MDAY), mo = cmos(RTC_MON), y = cmos(RTC_YEAR);
		if (cmos(RTC_SEC) != s)
			continue;
		bool bin = cmos(RTC_B) & RTC_B_DM_BIN;
		bool pm = !(cmos(RTC_B) & RTC_B_24H) && (h & 0x80);
		struct rtc_time t = {from_bcd(s, bin), from_bcd(m, bin),  from_bcd(h & 0x7f, bin),
				     from_bcd(d, bin), from_bcd(mo, bin), from_bcd(y, bin)};
		if (!(cmos(RTC_B) & RTC_B_24H))
			t.hour = t.hour % 12 + (pm ? 12 : 0);
		return t;
	}
}

static void rtc_checks(void)
{
	EXPECT_EQ(cmos(RTC_D) & RTC_D_VRT, RTC_D_VRT);
	struct rtc_time t = rtc_read();
	EXPECT_RANGE(t.sec, 0, 59);
	EXPECT_RANGE(t.min, 0, 59);
	EXPECT_RANGE(t.hour, 0, 23);
	EXPECT_RANGE(t.mday, 1, 31);
	EXPECT_RANGE(t.mon, 1, 12);
	EXPECT_RANGE(t.year, 0, 99);
	/* The clock runs: the seconds move within a few seconds. */
	uint64_t until = rdtsc() + (uint64_t)tsc_khz() * WAIT_MS;
	struct rtc_time u = t;
	while (u.sec == t.sec && rdtsc() < until)
		u = rtc_read();
	EXPECT_NE(u.sec, t.sec);
	printf("rtc: VRT set, date and time in range, the seconds move on\n");
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	/* The VMM's own COM1 (a write-only stand-in) has no modem lines: in
	 * loopback, a 16550's MSR shows the MCR's outputs; the stand-in's reads 0. */
	outb(COM1 + U_MCR, MCR_LOOP | 0x0f);
	bool uart = (inb(COM1 + U_MSR) & 0xf0) == 0xf0;
	outb(COM1 + U_MCR, 0x03);
	if (under_coopvmm() && !uart) {
		skip("COM1 is the VMM's write-only stand-in (run it with :iopm0)");
		exit(EXIT_PASS);
	}
	uart_checks();
	pci_checks();
	rtc_checks();
	pass();
}
