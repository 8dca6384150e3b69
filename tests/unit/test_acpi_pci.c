/* SPDX-License-Identifier: GPL-2.0-only */
/* test_acpi_pci.c: the INTx routing of a guest's PCI bus in the tables of
 * vmm/vm/acpi_build.c: \_SB.PCI0._PRT read back as an OS's AML
 * interpreter would (ACPI 6.4 6.2.13, 20.2): 124 entries, devices 1-31
 * times INTA#-INTD#, each with its address, pin, Source 0 (the static
 * form: level, active low, shared) and the GSI; that GSI the line iopmd
 * raises (COOP_GUEST_GSI_PCI_INTX = IOPMD_GSI_PCI_INTX); the DSDT's
 * checksum and size; another GSI followed; GSIs the tables could not
 * describe refused; and no MADT override for the line. */
#include <stdlib.h>

#include "aml_util.h"
#include "arch/x86/acpi_tables.h" /* struct acpi_header */
#include "iopm/iopmd_io.h"	  /* IOPMD_GSI_PCI_INTX: iopmd's name for the line */
#include "shared/coopvmm_abi.h"
#include "vmm/lib/errno.h"
#include "vmm/vdev/vioapic.h"
#include "vmm/vm/acpi_build.h"

#define RAM_SIZE     (2U << 20)
#define FILL	     0xa5
#define BIOS_AREA    0xf0000U
#define BIOS_END     0x100000U
#define HEADER	     36
#define INTX_GSI     11 /* docs/guest-platform.md, written here on purpose */
#define DEVICES	     32
#define PINS	     4
#define PRT_ENTRIES  (31 * 4) /* devices 1-31 (0 is the host bridge) x INTA#-INTD# */
#define DSDT_PCI_AML 1704     /* \_S5 13, Scope (\_SB) 1691 of which the _PRT is 1559 */
#define PRT_BYTES    1559
#define MADT_ISO     2
#define ISA_IRQS_N   16

static uint8_t *ram;
static struct acpi_build_result res;

static void fresh_ram(void)
{
	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram, FILL, RAM_SIZE);
}

static uint32_t rd32(uint32_t gpa)
{
	uint32_t v;
	memcpy(&v, ram + gpa, 4);
	return v;
}

static uint8_t sum(uint32_t gpa, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s += ram[gpa + i];
	return s;
}

static int build_cfg(const struct acpi_build_cfg *c)
{
	fresh_ram();
	return acpi_build(ram, RAM_SIZE, c, &res);
}

/* What one _PRT said. */
struct prt {
	unsigned entries;
	bool seen[DEVICES][PINS];
	uint32_t bytes; /* Name (_PRT, ...) from its NameOp */
};

/* The _PRT's package at a->at (after Name (_PRT): every entry a package
 * of 4 integers, in order device 1 INTA# .. device 31 INTD#, Source an
 * Integer 0 (ZeroOp: the static form, not a link device's NameString),
 * Source Index the GSI `gsi`. */
static void read_prt(struct aml *a, uint32_t gsi, struct prt *out)
{
	EXPECT_EQ(aml_byte(a), AML_PKG);
	uint32_t end = aml_pkglen(a);
	struct aml p = {a->p, a->at, end};
	EXPECT_EQ(aml_byte(&p), PRT_ENTRIES); /* NumElements */
	while (p.at < p.end) {
		unsigned n = out->entries;
		test_context("_PRT entry %u", n);
		EXPECT_EQ(aml_byte(&p), AML_PKG);
		uint32_t e_end = aml_pkglen(&p);
		struct aml e = {p.p, p.at, e_end};
		EXPECT_EQ(aml_byte(&e), 4); /* NumElements */
		uint64_t addr = aml_integer(&e);
		uint64_t pin = aml_integer(&e);
		EXPECT_EQ(e.p[e.at], AML_ZERO);
		uint64_t source = aml_integer(&e);
		uint64_t index = aml_integer(&e);
		EXPECT_EQ(e.at, e_end); /* nothing else in the entry */
		uint64_t dev = addr >> 16;
		EXPECT_EQ(addr & 0xffff, 0xffff); /* any function of the device */
		EXPECT_LT(addr, 1ULL << 32);
		EXPECT_GE(dev, 1);
		EXPECT_LT(dev, DEVICES);
		EXPECT_LT(pin, PINS);
		EXPECT_EQ(dev, 1 + n / PINS);
		EXPECT_EQ(pin, n % PINS);
		EXPECT_EQ(source, 0);
		EXPECT_EQ(index, gsi);
		if (dev < DEVICES && pin < PINS) {
			EXPECT_FALSE(out->seen[dev][pin]);
			out->seen[dev][pin] = true;
		}
		out->entries++;
		p.at = e_end;
	}
	test_context("%s", "");
	EXPECT_EQ(p.at, end);
	a->at = end;
}

/* The DSDT acpi_build() wrote, checked as a table (signature, length
 * inside the BIOS area and before the FADT, checksum), walked to
 * \_SB.PCI0 and its _PRT read with read_prt(). Returns the AML length. */
static uint32_t read_dsdt(uint32_t gsi, struct prt *out)
{
	memset(out, 0, sizeof(*out));
	struct acpi_header d;
	memcpy(&d, ram + res.dsdt, sizeof(d));
	EXPECT_TRUE(!memcmp(d.signature, "DSDT", 4));
	EXPECT_GE(res.dsdt, BIOS_AREA);
	EXPECT_GT(d.length, HEADER);
	EXPECT_LE(res.dsdt + d.length, res.fadt); /* the next table */
	EXPECT_LE(res.dsdt + d.length, BIOS_END);
	EXPECT_EQ(sum(res.dsdt, d.length), 0);
	struct aml a = {ram + res.dsdt, HEADER, d.length};
	/* Name (_S5, Package () {...}) */
	EXPECT_EQ(aml_byte(&a), AML_NAME);
	EXPECT_TRUE(!memcmp(a.p + a.at, "_S5_", 4));
	a.at += 4;
	EXPECT_EQ(aml_byte(&a), AML_PKG);
	a.at = aml_pkglen(&a);
	/* Scope (\_SB) { Device (PCI0) { ... } }: the rest of the table. */
	EXPECT_EQ(aml_byte(&a), AML_SCOPE);
	EXPECT_EQ(aml_pkglen(&a), d.length);
	EXPECT_EQ(aml_byte(&a), '\\');
	EXPECT_TRUE(!memcmp(a.p + a.at, "_SB_", 4));
	a.at += 4;
	EXPECT_EQ(aml_byte(&a), AML_EXT);
	EXPECT_EQ(aml_byte(&a), AML_DEVICE);
	EXPECT_EQ(aml_pkglen(&a), d.length);
	EXPECT_TRUE(!memcmp(a.p + a.at, "PCI0", 4));
	a.at += 4;
	unsigned prts = 0;
	while (a.at < a.end) {
		EXPECT_EQ(aml_byte(&a), AML_NAME);
		uint32_t name = a.at;
		a.at += 4;
		if (!memcmp(a.p + name, "_PRT", 4)) {
			read_prt(&a, gsi, out);
			out->bytes = a.at - (name - 1);
			prts++;
		} else if (a.p[a.at] == AML_BUFFER || a.p[a.at] == AML_PKG) {
			a.at++;
			a.at = aml_pkglen(&a);
		} else {
			aml_integer(&a);
		}
	}
	EXPECT_EQ(a.at, d.length);
	EXPECT_EQ(prts, 1);
	return d.length - HEADER;
}

static void expect_every_slot_and_pin(const struct prt *p)
{
	EXPECT_EQ(p->entries, PRT_ENTRIES);
	for (unsigned pin = 0; pin < PINS; pin++)
		EXPECT_FALSE(p->seen[0][pin]); /* the host bridge has no interrupt pin */
	for (unsigned dev = 1; dev < DEVICES; dev++)
		for (unsigned pin = 0; pin < PINS; pin++)
			EXPECT_MSG(p->seen[dev][pin], "no _PRT entry for device %u pin %u", dev, pin);
}

/* A VM with the PCI bus (as vm_create() builds it, 1 to 255 vCPUs): every
 * device 1-31 and pin INTA#-INTD# goes to GSI 11, level, active low. */
TEST(acpi_pci, prt_routes_every_device_and_pin_to_the_intx_gsi)
{
	static const uint32_t cpus[] = {1, 2, 255};
	for (unsigned i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		test_context("%u vCPUs", cpus[i]);
		fresh_ram();
		EXPECT_EQ(acpi_build_guest(ram, RAM_SIZE, cpus[i], true, true, &res), 0);
		struct prt p;
		EXPECT_EQ(read_dsdt(INTX_GSI, &p), DSDT_PCI_AML);
		expect_every_slot_and_pin(&p);
		EXPECT_EQ(p.bytes, PRT_BYTES);
		EXPECT_LE(res.end, BIOS_END);
	}
}

/* One number on both sides: the GSI the DSDT routes to is the line
 * iopmd raises and lowers for its functions' INTA#, an I/O APIC pin and
 * an ISA IRQ (so a guest on its PIC reaches it too). */
TEST(acpi_pci, intx_gsi_is_the_line_iopmd_raises)
{
	EXPECT_EQ(COOP_GUEST_GSI_PCI_INTX, INTX_GSI);
	EXPECT_EQ(IOPMD_GSI_PCI_INTX, COOP_GUEST_GSI_PCI_INTX);
	EXPECT_LT(COOP_GUEST_GSI_PCI_INTX, VIOAPIC_PINS);
	EXPECT_LT(COOP_GUEST_GSI_PCI_INTX, ISA_IRQS_N);
	struct acpi_build_cfg c;
	acpi_build_guest_cfg(&c, 1, true, true);
	EXPECT_EQ(c.pci_intx_gsi, COOP_GUEST_GSI_PCI_INTX);
	/* Not the SCI's (level, active high) nor the PIT's pin 2. */
	EXPECT_NE(c.pci_intx_gsi, c.isa_pin[c.sci_irq]);
	EXPECT_NE(c.pci_intx_gsi, c.isa_pin[0]);
}

/* The entries follow the configured GSI, whatever its integer encoding
 * (OneOp for 1, ByteConst above). */
TEST(acpi_pci, prt_follows_the_configured_gsi)
{
	static const uint8_t gsis[] = {1, 3, 16, 23};
	for (unsigned i = 0; i < sizeof(gsis) / sizeof(gsis[0]); i++) {
		test_context("GSI %u", gsis[i]);
		struct acpi_build_cfg c;
		acpi_build_guest_cfg(&c, 2, true, true);
		c.pci_intx_gsi = gsis[i];
		EXPECT_EQ(build_cfg(&c), 0);
		struct prt p;
		uint32_t len = read_dsdt(gsis[i], &p);
		expect_every_slot_and_pin(&p);
		/* OneOp is one byte shorter than BytePrefix 1 in each entry. */
		EXPECT_EQ(len, gsis[i] == 1 ? DSDT_PCI_AML - PRT_ENTRIES : DSDT_PCI_AML);
	}
}

/* A GSI beyond the I/O APIC's 24 pins, or one an ISA IRQ is overridden
 * onto (IRQ0's pin 2; the SCI's 9, level active high), cannot be given
 * the _PRT's level, active low: refused before anything is written.
 * Without the bus the field is not looked at. */
TEST(acpi_pci, refuses_an_intx_gsi_it_cannot_describe)
{
	static const uint8_t bad[] = {24, 255, 2, 9};
	struct acpi_build_cfg c;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("GSI %u", bad[i]);
		acpi_build_guest_cfg(&c, 1, true, true);
		c.pci_intx_gsi = bad[i];
		EXPECT_EQ(build_cfg(&c), -EINVAL);
		for (uint32_t a = BIOS_AREA; a < BIOS_END; a++)
			if (ram[a] != FILL)
				test_fail(__FILE__, __LINE__, "byte at %#x written", a);
	}
	test_context("%s", "");
	acpi_build_guest_cfg(&c, 1, true, false);
	c.pci_intx_gsi = 24;
	EXPECT_EQ(build_cfg(&c), 0);
	EXPECT_EQ(rd32(res.dsdt + 4), HEADER + 13); /* \_S5 only */
}

/* The MADT of a VM with the bus has no Interrupt Source Override for ISA
 * IRQ 11 or GSI 11: only IRQ0 -> 2 and the SCI. The line's trigger mode
 * and polarity are the _PRT's (an OS lets the first device registering a
 * legacy GSI set them: docs/guest-platform.md). The I/O APIC entry starts
 * at GSI 0, so pin 11 is GSI 11. */
TEST(acpi_pci, madt_has_no_override_for_the_intx_gsi)
{
	fresh_ram();
	EXPECT_EQ(acpi_build_guest(ram, RAM_SIZE, 2, true, true, &res), 0);
	uint32_t len = rd32(res.madt + 4), off = 44, isos = 0, ioapics = 0;
	EXPECT_TRUE(!memcmp(ram + res.madt, "APIC", 4));
	EXPECT_EQ(sum(res.madt, len), 0);
	while (off < len) {
		const uint8_t *e = ram + res.madt + off;
		EXPECT_GE(e[1], 2);
		if (e[0] == 1) {				/* I/O APIC */
			EXPECT_EQ(rd32(res.madt + off + 8), 0); /* its GSI base */
			ioapics++;
		} else if (e[0] == 2) { /* interrupt source override */
			uint32_t gsi = rd32(res.madt + off + 4);
			EXPECT_NE(e[3], INTX_GSI);
			EXPECT_NE(gsi, INTX_GSI);
			isos++;
		}
		off += e[1];
	}
	EXPECT_EQ(off, len);
	EXPECT_EQ(ioapics, 1);
	EXPECT_EQ(isos, MADT_ISO);
}
