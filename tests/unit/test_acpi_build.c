/* SPDX-License-Identifier: GPL-2.0-only */
/* test_acpi_build.c: the guest's firmware tables (vmm/vm/acpi_build.c) read
 * back the way an OS finds them: the RSDP by its scan of 0xE0000-0xFFFFF,
 * every checksum and length, RSDT and XSDT listing the same tables, the
 * FADT's PM blocks, FACS and DSDT (\_S5, and with the PCI bus the host
 * bridge \_SB.PCI0, its AML and _CRS decoded; its _PRT is decoded by
 * test_acpi_pci.c), the MADT for 1 to 255
 * vCPUs, the MP floating pointer and configuration table; nothing written
 * outside the BIOS area; and, through the exit handlers and vm_create(),
 * the ports the FADT names and the DSDT a VM's devices give it. */
#include <stdlib.h>

#include "aml_util.h"
#include "exit_util.h"
#include "shared/coopvmm_abi.h" /* COOP_VM_DEV_* */
#include "vmm/vm/acpi_build.h"
#include "vmm/vm/vm.h"
#include "vmm/lib/errno.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vdev/vpm.h"
#include "vmm/vm/vm_layout.h" /* VM_PCI_MMIO_BASE */

#define RAM_SIZE	(2U << 20)
#define FILL		0xa5
#define LAPIC_BASE	0xfee00000U /* docs/guest-platform.md, written here on purpose */
#define IOAPIC_BASE	0xfec00000U
#define PM_TMR_PORT	0x608
#define PM1A_EVT_PORT	0x600
#define PM1A_CNT_PORT	0x604
#define SCI_IRQ		9
#define INTI_LEVEL_HIGH 0xd /* active high (01), level (11 << 2) */
#define INTI_EDGE_HIGH	0x5

static uint8_t *ram;
static struct acpi_build_result res;

static uint8_t sum(uint32_t gpa, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s += ram[gpa + i];
	return s;
}

static uint32_t rd32(uint32_t gpa)
{
	uint32_t v;
	memcpy(&v, ram + gpa, 4);
	return v;
}

static uint64_t rd64(uint32_t gpa)
{
	uint64_t v;
	memcpy(&v, ram + gpa, 8);
	return v;
}

static int build(uint32_t ncpus)
{
	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram, FILL, RAM_SIZE);
	return acpi_build_guest(ram, RAM_SIZE, ncpus, false, false, &res);
}

/* The OS's search (ACPI 5.2.5.1): 16-byte boundaries, signature and the
 * ACPI 1.0 checksum. Returns the address or 0. */
static uint32_t find_rsdp(uint32_t from, uint32_t to)
{
	for (uint32_t a = from; a + sizeof(struct acpi_rsdp) <= to; a += 16)
		if (!memcmp(ram + a, "RSD PTR ", 8) && sum(a, 20) == 0)
			return a;
	return 0;
}

/* A table with this signature at gpa, inside the BIOS area, summing to 0. */
static struct acpi_header table(uint32_t gpa, const char *sig)
{
	struct acpi_header h;
	test_context("table %s at %#x", sig, gpa);
	EXPECT_GE(gpa, 0xf0000);
	EXPECT_LE(gpa + sizeof(h), 0x100000);
	memcpy(&h, ram + gpa, sizeof(h));
	EXPECT_TRUE(!memcmp(h.signature, sig, 4));
	EXPECT_GE(h.length, sizeof(h));
	EXPECT_LE(gpa + h.length, 0x100000);
	EXPECT_EQ(sum(gpa, h.length), 0);
	EXPECT_TRUE(!memcmp(h.oem_id, "COOPVM", 6));
	test_context("%s", "");
	return h;
}

/* The RSDT's (4) or XSDT's (8) entries. */
static unsigned sdt_entries(uint32_t gpa, unsigned esize, uint32_t *out, unsigned max)
{
	struct acpi_header h;
	memcpy(&h, ram + gpa, sizeof(h));
	EXPECT_EQ((h.length - sizeof(h)) % esize, 0);
	unsigned n = (h.length - sizeof(h)) / esize;
	EXPECT_LE(n, max);
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = esize == 8 ? rd64(gpa + sizeof(h) + 8 * i) : rd32(gpa + sizeof(h) + 4 * i);
		EXPECT_LT(a, 1ULL << 32);
		out[i] = (uint32_t)a;
	}
	return n;
}

static uint32_t find_in(const uint32_t *t, unsigned n, const char *sig)
{
	for (unsigned i = 0; i < n; i++)
		if (!memcmp(ram + t[i], sig, 4))
			return t[i];
	return 0;
}

TEST(acpi_build, rsdp_found_by_the_os_scan)
{
	EXPECT_EQ(build(2), 0);
	uint32_t a = find_rsdp(0xe0000, 0x100000);
	EXPECT_EQ(a, 0xf0000);
	EXPECT_EQ(a, res.rsdp);
	struct acpi_rsdp r;
	memcpy(&r, ram + a, sizeof(r));
	EXPECT_EQ(r.revision, 2);
	EXPECT_EQ(r.length, 36);
	EXPECT_EQ(sum(a, 36), 0);
	EXPECT_TRUE(!memcmp(r.oem_id, "COOPVM", 6));
	EXPECT_EQ(r.rsdt_address, res.rsdt);
	EXPECT_EQ(r.xsdt_address, res.xsdt);
	table(r.rsdt_address, "RSDT");
	table((uint32_t)r.xsdt_address, "XSDT");
}

TEST(acpi_build, rsdt_and_xsdt_list_the_same_tables)
{
	EXPECT_EQ(build(1), 0);
	struct acpi_header rsdt = table(res.rsdt, "RSDT"), xsdt = table(res.xsdt, "XSDT");
	EXPECT_EQ(rsdt.revision, 1);
	EXPECT_EQ(xsdt.revision, 1);
	uint32_t r[8], x[8];
	unsigned nr = sdt_entries(res.rsdt, 4, r, 8), nx = sdt_entries(res.xsdt, 8, x, 8);
	EXPECT_EQ(nr, 2);
	EXPECT_EQ(nx, nr);
	for (unsigned i = 0; i < nr; i++)
		EXPECT_EQ(r[i], x[i]);
	EXPECT_EQ(find_in(r, nr, "FACP"), res.fadt);
	EXPECT_EQ(find_in(r, nr, "APIC"), res.madt);
	/* The FACS and DSDT are reached through the FADT only. */
	EXPECT_EQ(find_in(r, nr, "FACS"), 0);
	EXPECT_EQ(find_in(r, nr, "DSDT"), 0);
}

TEST(acpi_build, fadt_pm_blocks_facs_dsdt)
{
	EXPECT_EQ(build(1), 0);
	struct acpi_header h = table(res.fadt, "FACP");
	EXPECT_EQ(h.length, 276);
	EXPECT_EQ(h.revision, 6);
	struct acpi_fadt f;
	memcpy(&f, ram + res.fadt, sizeof(f));
	EXPECT_EQ(f.minor_version, 4);
	EXPECT_EQ(f.sci_int, SCI_IRQ);
	EXPECT_EQ(f.smi_cmd, 0);
	EXPECT_EQ(f.pm_tmr_blk, PM_TMR_PORT);
	EXPECT_EQ(f.pm_tmr_len, 4);
	EXPECT_EQ(f.pm1a_evt_blk, PM1A_EVT_PORT);
	EXPECT_EQ(f.pm1_evt_len, 4);
	EXPECT_EQ(f.pm1a_cnt_blk, PM1A_CNT_PORT);
	EXPECT_EQ(f.pm1_cnt_len, 2);
	EXPECT_EQ(f.pm1b_evt_blk | f.pm1b_cnt_blk | f.pm2_cnt_blk | f.gpe0_blk | f.gpe1_blk, 0);
	EXPECT_TRUE(f.flags & (1U << 8));	   /* TMR_VAL_EXT: 32 bits */
	EXPECT_FALSE(f.flags & (1U << 20));	   /* not hardware-reduced */
	EXPECT_TRUE(f.flags & (1U << 0));	   /* WBINVD */
	EXPECT_FALSE(f.flags & (1U << 4));	   /* PWR_BUTTON clear: a fixed power button */
	EXPECT_TRUE(f.flags & (1U << 5));	   /* SLP_BUTTON set: no sleep button */
	EXPECT_TRUE(f.iapc_boot_arch & (1U << 5)); /* no CMOS RTC without an IOPM's */
	EXPECT_EQ(f.century, 0);
	/* The 64-bit fields agree with the 32-bit ones. */
	EXPECT_EQ(f.x_pm_tmr_blk.space_id, 1); /* system I/O */
	EXPECT_EQ(f.x_pm_tmr_blk.bit_width, 32);
	EXPECT_EQ(f.x_pm_tmr_blk.address, PM_TMR_PORT);
	EXPECT_EQ(f.x_pm1a_evt_blk.bit_width, 32);
	EXPECT_EQ(f.x_pm1a_evt_blk.address, PM1A_EVT_PORT);
	EXPECT_EQ(f.x_pm1a_cnt_blk.bit_width, 16);
	EXPECT_EQ(f.x_pm1a_cnt_blk.address, PM1A_CNT_PORT);
	EXPECT_EQ(f.firmware_ctrl, res.facs);
	EXPECT_EQ(f.x_firmware_ctrl, res.facs);
	EXPECT_EQ(f.dsdt, res.dsdt);
	EXPECT_EQ(f.x_dsdt, res.dsdt);
	/* FACS: 64 bytes, 64-byte aligned, version 2, no checksum. */
	EXPECT_EQ(res.facs % 64, 0);
	EXPECT_TRUE(!memcmp(ram + res.facs, "FACS", 4));
	EXPECT_EQ(rd32(res.facs + 4), 64);
	EXPECT_EQ(ram[res.facs + 32], 2);
	/* DSDT: a valid table with \_S5 only (below). */
	struct acpi_header d = table(res.dsdt, "DSDT");
	EXPECT_EQ(d.length, 36 + 13);
	EXPECT_EQ(d.revision, 2);
}

/* ---- the DSDT's AML, read back as an interpreter would (ACPI 6.4 20.2: aml_util.h) */

#define SLP_TYP_S5 7 /* docs/guest-platform.md, written here on purpose */

TEST(acpi_build, dsdt_holds_s5_for_the_pm_block)
{
	EXPECT_EQ(build(2), 0);
	struct acpi_header d = table(res.dsdt, "DSDT"); /* checksum over the AML too */
	struct aml a = {ram + res.dsdt, sizeof(d), d.length};
	/* Name (_S5, Package (4) {SLP_TYPa, SLP_TYPb, 0, 0}) and nothing else. */
	EXPECT_EQ(aml_byte(&a), AML_NAME);
	EXPECT_TRUE(!memcmp(a.p + a.at, "_S5_", 4));
	a.at += 4;
	EXPECT_EQ(aml_byte(&a), AML_PKG);
	uint32_t pkg_end = aml_pkglen(&a);
	EXPECT_EQ(pkg_end, d.length);
	struct aml pkg = {a.p, a.at, pkg_end};
	EXPECT_EQ(aml_byte(&pkg), 4); /* NumElements */
	uint64_t typ_a = aml_integer(&pkg), typ_b = aml_integer(&pkg);
	EXPECT_EQ(aml_integer(&pkg), 0);
	EXPECT_EQ(aml_integer(&pkg), 0);
	EXPECT_EQ(pkg.at, pkg_end);
	/* SLP_TYPa is what the PM block powers off at; no PM1b block, b is 0. */
	EXPECT_EQ(typ_a, SLP_TYP_S5);
	EXPECT_EQ(typ_a, VPM_SLP_TYP_S5);
	EXPECT_LE(typ_a, 7); /* a 3-bit field */
	EXPECT_EQ(typ_b, 0);
	/* The exact bytes (docs/guest-platform.md "Firmware tables"). */
	static const uint8_t want[] = {0x08, '_',  'S',	 '5',  '_',  0x12, 0x07,
				       0x04, 0x0a, 0x07, 0x00, 0x00, 0x00};
	EXPECT_EQ(d.length - sizeof(d), sizeof(want));
	EXPECT_MEMEQ(ram + res.dsdt + sizeof(d), want, sizeof(want));
}

/* ---- the PCI host bridge \_SB.PCI0 of a VM with a PCI bus */

#define PNP0A03		   0x030ad041U /* EisaId ("PNP0A03"): 41 d0 0a 03 */
#define PCI_WINDOW	   0xfe000000U /* docs/guest-platform.md, written here on purpose */
#define PCI_WINDOW_SIZE	   0x100000U
#define RES_IO		   0x47
#define RES_END		   0x79
#define RES_DWORD_ADDR	   0x87
#define RES_WORD_ADDR	   0x88
#define RES_TYPE_MEM	   0
#define RES_TYPE_IO	   1
#define RES_TYPE_BUS	   2
#define RES_GENERAL_FIXED  0x0c /* producer, positive decode, _MIF and _MAF fixed */
#define RES_IO_ENTIRE	   0x03
#define RES_MEM_RW_NOCACHE 0x01

static int build_pci(uint32_t ncpus)
{
	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram, FILL, RAM_SIZE);
	return acpi_build_guest(ram, RAM_SIZE, ncpus, true, true, &res);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* What the _CRS buffer's descriptors say, as OSPM reads them (ACPI 6.4 6.4). */
struct crs {
	unsigned bus_ranges, io_ports, io_windows, mem_windows, ends;
	uint32_t bus_min, bus_max;
	uint32_t cfg_min, cfg_max, cfg_align, cfg_len, cfg_info;
	uint32_t io_min[4], io_max[4];
	uint32_t mem_min, mem_max;
	bool end_last, sums_to_zero;
};

/* An address space descriptor (6.4.3.5.2 DWord, 6.4.3.5.3 Word): its
 * fields, checked for a producer's fixed range whose length is max-min+1. */
static void crs_addr(struct crs *c, const uint8_t *d, bool dword)
{
	unsigned w = dword ? 4 : 2;
	const uint8_t *f = d + 6;
	uint32_t v[5];
	for (unsigned i = 0; i < 5; i++)
		v[i] = dword ? le32(f + w * i) : le16(f + w * i);
	uint32_t gran = v[0], min = v[1], max = v[2], tra = v[3], len = v[4];
	test_context("address descriptor type %u, %#x-%#x", d[3], min, max);
	EXPECT_EQ(d[4], RES_GENERAL_FIXED);
	EXPECT_EQ(gran, 0);
	EXPECT_EQ(tra, 0);
	EXPECT_LE(min, max);
	EXPECT_EQ(len, max - min + 1);
	switch (d[3]) {
	case RES_TYPE_BUS:
		EXPECT_FALSE(dword);
		EXPECT_EQ(d[5], 0);
		c->bus_min = min;
		c->bus_max = max;
		c->bus_ranges++;
		break;
	case RES_TYPE_IO:
		EXPECT_FALSE(dword);
		EXPECT_EQ(d[5], RES_IO_ENTIRE);
		EXPECT_LT(c->io_windows, 4);
		c->io_min[c->io_windows] = min;
		c->io_max[c->io_windows] = max;
		c->io_windows++;
		break;
	case RES_TYPE_MEM:
		EXPECT_TRUE(dword);
		EXPECT_EQ(d[5], RES_MEM_RW_NOCACHE);
		c->mem_min = min;
		c->mem_max = max;
		c->mem_windows++;
		break;
	default:
		test_fail(__FILE__, __LINE__, "resource type %u", d[3]);
	}
	test_context("%s", "");
}

/* Walk a resource template (small and large items) to its End Tag. */
static struct crs crs_parse(const uint8_t *t, uint32_t len)
{
	struct crs c;
	memset(&c, 0, sizeof(c));
	uint32_t off = 0;
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s += t[i];
	c.sums_to_zero = s == 0;
	while (off < len) {
		const uint8_t *d = t + off;
		uint32_t dlen;
		if (d[0] & 0x80) { /* large item: tag, 16-bit length */
			EXPECT_LE(off + 3, len);
			dlen = 3 + le16(d + 1);
			EXPECT_LE(off + dlen, len);
			if (d[0] == RES_WORD_ADDR) {
				EXPECT_EQ(dlen, 16);
				crs_addr(&c, d, false);
			} else if (d[0] == RES_DWORD_ADDR) {
				EXPECT_EQ(dlen, 26);
				crs_addr(&c, d, true);
			} else {
				test_fail(__FILE__, __LINE__, "large item %#x", d[0]);
			}
		} else { /* small item: bits 6:3 the item, 2:0 the length */
			dlen = 1 + (d[0] & 7);
			EXPECT_LE(off + dlen, len);
			if (d[0] == RES_IO) {
				EXPECT_EQ(dlen, 8);
				c.cfg_info = d[1];
				c.cfg_min = le16(d + 2);
				c.cfg_max = le16(d + 4);
				c.cfg_align = d[6];
				c.cfg_len = d[7];
				c.io_ports++;
			} else if (d[0] == RES_END) {
				EXPECT_EQ(dlen, 2);
				c.ends++;
				c.end_last = off + dlen == len;
			} else {
				test_fail(__FILE__, __LINE__, "small item %#x", d[0]);
			}
		}
		off += dlen;
	}
	EXPECT_EQ(off, len);
	return c;
}

/* The DSDT's objects after \_S5: Scope (\_SB) { Device (PCI0) { Name ... } }.
 * Reads them as an interpreter would and checks every one. */
static void check_pci0(uint32_t ncpus)
{
	test_context("%u vCPUs", ncpus);
	EXPECT_EQ(build_pci(ncpus), 0);
	struct acpi_header d = table(res.dsdt, "DSDT");
	EXPECT_EQ(d.revision, 2);
	struct aml a = {ram + res.dsdt, sizeof(d), d.length};
	/* \_S5 first, as without the bus, byte for byte. */
	static const uint8_t s5[] = {0x08, '_',	 'S',  '5',  '_',  0x12, 0x07,
				     0x04, 0x0a, 0x07, 0x00, 0x00, 0x00};
	EXPECT_MEMEQ(a.p + a.at, s5, sizeof(s5));
	a.at += sizeof(s5);
	/* Scope (\_SB): the rest of the table. */
	EXPECT_EQ(aml_byte(&a), AML_SCOPE);
	uint32_t scope_end = aml_pkglen(&a);
	EXPECT_EQ(scope_end, d.length);
	EXPECT_EQ(aml_byte(&a), '\\');
	EXPECT_TRUE(!memcmp(a.p + a.at, "_SB_", 4));
	a.at += 4;
	/* Device (PCI0): the rest of the scope. */
	EXPECT_EQ(aml_byte(&a), AML_EXT);
	EXPECT_EQ(aml_byte(&a), AML_DEVICE);
	uint32_t dev_end = aml_pkglen(&a);
	EXPECT_EQ(dev_end, scope_end);
	EXPECT_TRUE(!memcmp(a.p + a.at, "PCI0", 4));
	a.at += 4;
	struct aml dev = {a.p, a.at, dev_end};
	bool hid = false, uid = false, bbn = false, crs = false, prt = false;
	struct crs c;
	memset(&c, 0, sizeof(c));
	while (dev.at < dev.end) {
		EXPECT_EQ(aml_byte(&dev), AML_NAME);
		char name[5] = {0};
		EXPECT_LE(dev.at + 4, dev.end);
		memcpy(name, dev.p + dev.at, 4);
		dev.at += 4;
		test_context("%u vCPUs, Name (%s)", ncpus, name);
		if (!strcmp(name, "_CRS")) {
			EXPECT_FALSE(crs);
			crs = true;
			EXPECT_EQ(aml_byte(&dev), AML_BUFFER);
			uint32_t buf_end = aml_pkglen(&dev);
			struct aml buf = {dev.p, dev.at, buf_end};
			uint64_t size = aml_integer(&buf);
			EXPECT_EQ(size, buf_end - buf.at); /* BufferSize: the bytes that follow */
			c = crs_parse(buf.p + buf.at, buf_end - buf.at);
			dev.at = buf_end;
			continue;
		}
		if (!strcmp(name, "_PRT")) { /* a package: test_acpi_pci.c reads it */
			EXPECT_FALSE(prt);
			prt = true;
			EXPECT_EQ(aml_byte(&dev), AML_PKG);
			dev.at = aml_pkglen(&dev);
			continue;
		}
		uint64_t v = aml_integer(&dev);
		if (!strcmp(name, "_HID")) {
			EXPECT_FALSE(hid);
			hid = true;
			EXPECT_EQ(dev.p[dev.at - 5], AML_DWORD);
			EXPECT_EQ(v, PNP0A03);
			EXPECT_MEMEQ(dev.p + dev.at - 4, "\x41\xd0\x0a\x03", 4);
		} else if (!strcmp(name, "_UID")) {
			EXPECT_FALSE(uid);
			uid = true;
			EXPECT_EQ(v, 0);
		} else if (!strcmp(name, "_BBN")) {
			EXPECT_FALSE(bbn);
			bbn = true;
			EXPECT_EQ(v, 0);
		} else {
			test_fail(__FILE__, __LINE__, "unexpected object %s in PCI0", name);
		}
	}
	test_context("%u vCPUs", ncpus);
	EXPECT_EQ(dev.at, dev_end);
	EXPECT_TRUE(hid && uid && bbn && crs && prt);
	/* _CRS: bus 0-255, the configuration ports consumed, every other port
	 * and the PCI memory window passed to the bus; one End Tag, last, the
	 * template summing to 0 through its checksum. */
	EXPECT_EQ(c.bus_ranges, 1);
	EXPECT_EQ(c.bus_min, 0);
	EXPECT_EQ(c.bus_max, 0xff);
	EXPECT_EQ(c.io_ports, 1);
	EXPECT_EQ(c.cfg_info, 1); /* Decode16 */
	EXPECT_EQ(c.cfg_min, 0xcf8);
	EXPECT_EQ(c.cfg_max, 0xcf8);
	EXPECT_EQ(c.cfg_align, 1);
	EXPECT_EQ(c.cfg_len, 8);
	EXPECT_EQ(c.io_windows, 2);
	EXPECT_EQ(c.io_min[0], 0);
	EXPECT_EQ(c.io_max[0], 0xcf7);
	EXPECT_EQ(c.io_min[1], 0xd00);
	EXPECT_EQ(c.io_max[1], 0xffff);
	/* The windows and the configuration ports tile the 64 KiB of ports. */
	EXPECT_EQ(c.io_max[0] + 1, c.cfg_min);
	EXPECT_EQ(c.cfg_min + c.cfg_len, c.io_min[1]);
	EXPECT_EQ(c.mem_windows, 1);
	EXPECT_EQ(c.mem_min, PCI_WINDOW);
	EXPECT_EQ(c.mem_max, PCI_WINDOW + PCI_WINDOW_SIZE - 1);
	EXPECT_EQ(c.mem_min, VM_PCI_MMIO_BASE);
	EXPECT_EQ((uint64_t)c.mem_max + 1, VM_PCI_MMIO_BASE + VM_PCI_MMIO_SIZE);
	/* Not RAM, and clear of the test devices, the IOAPIC and the LAPIC. */
	EXPECT_GE(c.mem_min, 0xc0000000U);
	EXPECT_LT(c.mem_max, 0xfeb00000U);
	EXPECT_LT(c.mem_max, IOAPIC_BASE);
	EXPECT_EQ(c.ends, 1);
	EXPECT_TRUE(c.end_last);
	EXPECT_TRUE(c.sums_to_zero);
	/* The whole AML: \_S5 (13), Scope (1691 with the device's 1683, of
	 * which the Name (_PRT) is 1559). */
	EXPECT_EQ(d.length, 36 + 13 + 1691);
	test_context("%s", "");
}

TEST(acpi_build, dsdt_pci_host_bridge_with_a_pci_bus)
{
	check_pci0(1);
	check_pci0(4);
}

/* The other tables of a VM with the bus are those of one without, but for
 * where the DSDT's growth moved them; the tables still fit and do not overlap. */
TEST(acpi_build, dsdt_without_pci_bus_is_unchanged)
{
	EXPECT_EQ(build(2), 0);
	struct acpi_header d = table(res.dsdt, "DSDT");
	EXPECT_EQ(d.length, 36 + 13);
	uint8_t plain[13];
	memcpy(plain, ram + res.dsdt + 36, sizeof(plain));
	struct acpi_build_result plain_res = res;
	uint8_t madt_plain[256];
	uint32_t madt_len = rd32(res.madt + 4);
	EXPECT_LE(madt_len, sizeof(madt_plain));
	memcpy(madt_plain, ram + res.madt, madt_len);
	EXPECT_EQ(build_pci(2), 0);
	EXPECT_MEMEQ(ram + res.dsdt + 36, plain, sizeof(plain));
	EXPECT_EQ(res.dsdt, plain_res.dsdt);
	EXPECT_GT(res.fadt, plain_res.fadt);
	EXPECT_EQ(rd32(res.madt + 4), madt_len);
	EXPECT_MEMEQ(ram + res.madt + 10, madt_plain + 10, madt_len - 10); /* all but the checksum */
	struct acpi_fadt f;
	memcpy(&f, ram + res.fadt, sizeof(f));
	EXPECT_EQ(f.dsdt, res.dsdt);
	EXPECT_GE(res.fadt, res.dsdt + rd32(res.dsdt + 4));
	EXPECT_LE(res.end, 0x100000);
	/* 255 vCPUs and the bus still fit. */
	EXPECT_EQ(build_pci(255), 0);
	EXPECT_EQ(rd32(res.madt + 4), 44 + 8 * 255 + 12 + 2 * 10 + 6);
}

TEST(acpi_build, pci_window_must_be_below_4g_and_not_empty)
{
	struct acpi_build_cfg c;
	acpi_build_guest_cfg(&c, 1, true, true);
	EXPECT_TRUE(c.pci);
	EXPECT_EQ(c.pci_mem_base, PCI_WINDOW);
	EXPECT_EQ(c.pci_mem_size, PCI_WINDOW_SIZE);
	c.pci_mem_size = 0;
	EXPECT_EQ(acpi_build(ram, RAM_SIZE, &c, &res), -EINVAL);
	c.pci_mem_base = 0xfff00000U;
	c.pci_mem_size = 0x200000U;
	EXPECT_EQ(acpi_build(ram, RAM_SIZE, &c, &res), -EINVAL);
	c.pci_mem_size = 0x100000U; /* up to 4 GiB - 1: fine */
	EXPECT_EQ(acpi_build(ram, RAM_SIZE, &c, &res), 0);
	/* Without the bus the window is not looked at. */
	acpi_build_guest_cfg(&c, 1, true, false);
	EXPECT_FALSE(c.pci);
	c.pci_mem_size = 0;
	EXPECT_EQ(acpi_build(ram, RAM_SIZE, &c, &res), 0);
	EXPECT_EQ(rd32(res.dsdt + 4), 36 + 13);
}

/* Walk the MADT of a build for ncpus and check every entry. */
static void check_madt(uint32_t ncpus)
{
	test_context("%u vCPUs", ncpus);
	EXPECT_EQ(build(ncpus), 0);
	struct acpi_header h = table(res.madt, "APIC");
	EXPECT_EQ(rd32(res.madt + 36), LAPIC_BASE);
	EXPECT_EQ(rd32(res.madt + 40), 1); /* PCAT_COMPAT */
	uint32_t cpus = 0, ioapics = 0, nmis = 0, isos = 0;
	bool seen[256] = {false};
	uint32_t off = 44;
	while (off < h.length) {
		test_context("%u vCPUs, entry at offset %u", ncpus, off);
		uint8_t type = ram[res.madt + off], len = ram[res.madt + off + 1];
		EXPECT_GE(len, 2);
		EXPECT_LE(off + len, h.length);
		const uint8_t *e = ram + res.madt + off;
		switch (type) {
		case 0: /* processor local APIC */
			EXPECT_EQ(len, 8);
			EXPECT_EQ(e[2], e[3]); /* UID = APIC ID */
			EXPECT_LT(e[3], ncpus);
			EXPECT_FALSE(seen[e[3]]);
			seen[e[3]] = true;
			EXPECT_EQ(rd32(res.madt + off + 4), 1); /* enabled */
			EXPECT_EQ(e[3], cpus);			/* in order */
			cpus++;
			break;
		case 1: /* I/O APIC */
			EXPECT_EQ(len, 12);
			EXPECT_EQ(e[2], 0);
			EXPECT_EQ(rd32(res.madt + off + 4), IOAPIC_BASE);
			EXPECT_EQ(rd32(res.madt + off + 8), 0);
			ioapics++;
			break;
		case 2: { /* interrupt source override */
			EXPECT_EQ(len, 10);
			EXPECT_EQ(e[2], 0); /* ISA */
			uint32_t gsi = rd32(res.madt + off + 4);
			uint16_t flags = (uint16_t)(e[8] | e[9] << 8);
			if (e[3] == 0) {
				EXPECT_EQ(gsi, 2);
				EXPECT_EQ(flags, 0);
			} else {
				EXPECT_EQ(e[3], SCI_IRQ);
				EXPECT_EQ(gsi, SCI_IRQ);
				EXPECT_EQ(flags, INTI_LEVEL_HIGH);
			}
			isos++;
			break;
		}
		case 4: /* local APIC NMI */
			EXPECT_EQ(len, 6);
			EXPECT_EQ(e[2], 0xff);
			EXPECT_EQ(e[3] | e[4] << 8, INTI_EDGE_HIGH);
			EXPECT_EQ(e[5], 1); /* LINT1 */
			nmis++;
			break;
		default:
			test_fail(__FILE__, __LINE__, "unexpected MADT entry type %u", type);
		}
		off += len;
	}
	test_context("%u vCPUs", ncpus);
	EXPECT_EQ(off, h.length);
	EXPECT_EQ(cpus, ncpus);
	EXPECT_EQ(ioapics, 1);
	EXPECT_EQ(isos, 2);
	EXPECT_EQ(nmis, 1);
	EXPECT_EQ(h.length, 44 + 8 * ncpus + 12 + 2 * 10 + 6);
}

TEST(acpi_build, madt_for_1_to_4_and_255_vcpus)
{
	for (uint32_t n = 1; n <= 4; n++)
		check_madt(n);
	check_madt(17);
	check_madt(255);
}

/* The MP floating pointer found the way an OS looks for it. */
static uint32_t find_mp(void)
{
	for (uint32_t a = 0xf0000; a < 0x100000; a += 16)
		if (!memcmp(ram + a, "_MP_", 4) && sum(a, 16) == 0)
			return a;
	return 0;
}

static void check_mp(uint32_t ncpus)
{
	test_context("%u vCPUs", ncpus);
	EXPECT_EQ(build(ncpus), 0);
	uint32_t f = find_mp();
	EXPECT_EQ(f, res.mp_float);
	EXPECT_EQ(ram[f + 8], 1);  /* length in paragraphs */
	EXPECT_EQ(ram[f + 9], 4);  /* MP 1.4 */
	EXPECT_EQ(ram[f + 11], 0); /* a configuration table, not a default one */
	uint32_t c = rd32(f + 4);
	EXPECT_EQ(c, res.mp_config);
	EXPECT_TRUE(!memcmp(ram + c, "PCMP", 4));
	uint16_t len = (uint16_t)(ram[c + 4] | ram[c + 5] << 8),
		 count = (uint16_t)(ram[c + 34] | ram[c + 35] << 8);
	EXPECT_LE(c + len, 0x100000);
	EXPECT_EQ(sum(c, len), 0);
	EXPECT_EQ(ram[c + 6], 4);
	EXPECT_EQ(rd32(c + 36), LAPIC_BASE);
	uint32_t off = 44, cpus = 0, buses = 0, ioapics = 0, lints = 0;
	bool irq_seen[16] = {false};
	for (uint16_t i = 0; i < count; i++) {
		test_context("%u vCPUs, MP entry %u at %u", ncpus, i, off);
		const uint8_t *e = ram + c + off;
		switch (e[0]) {
		case 0:
			EXPECT_EQ(e[1], cpus);
			EXPECT_EQ(e[3], cpus == 0 ? 3 : 1); /* enabled, BSP on APIC ID 0 only */
			cpus++;
			off += 20;
			break;
		case 1:
			EXPECT_EQ(e[1], 0);
			EXPECT_TRUE(!memcmp(e + 2, "ISA   ", 6));
			buses++;
			off += 8;
			break;
		case 2:
			EXPECT_EQ(e[1], 0);
			EXPECT_EQ(e[2], 0x20);
			EXPECT_EQ(e[3], 1);
			EXPECT_EQ(rd32(c + off + 4), IOAPIC_BASE);
			ioapics++;
			off += 8;
			break;
		case 3: {
			EXPECT_EQ(e[1], 0); /* INT */
			EXPECT_EQ(e[4], 0); /* bus ISA */
			uint8_t irq = e[5];
			EXPECT_LT(irq, 16);
			EXPECT_NE(irq, 2); /* the cascade */
			EXPECT_FALSE(irq_seen[irq]);
			irq_seen[irq] = true;
			EXPECT_EQ(e[6], 0); /* I/O APIC ID */
			EXPECT_EQ(e[7], irq == 0 ? 2 : irq);
			EXPECT_EQ(e[2] | e[3] << 8, irq == SCI_IRQ ? INTI_LEVEL_HIGH : 0);
			off += 8;
			break;
		}
		case 4:
			if (e[1] == 3) { /* ExtINT to the BSP's LINT0 */
				EXPECT_EQ(e[6], 0);
				EXPECT_EQ(e[7], 0);
			} else {
				EXPECT_EQ(e[1], 1); /* NMI to every LINT1 */
				EXPECT_EQ(e[6], 0xff);
				EXPECT_EQ(e[7], 1);
			}
			lints++;
			off += 8;
			break;
		default:
			test_fail(__FILE__, __LINE__, "unexpected MP entry type %u", e[0]);
		}
	}
	test_context("%u vCPUs", ncpus);
	EXPECT_EQ(off, len);
	EXPECT_EQ(cpus, ncpus);
	EXPECT_EQ(buses, 1);
	EXPECT_EQ(ioapics, 1);
	EXPECT_EQ(lints, 2);
	for (unsigned irq = 0; irq < 16; irq++)
		EXPECT_EQ(irq_seen[irq], irq != 2);
}

TEST(acpi_build, mp_table_for_1_to_4_and_255_vcpus)
{
	for (uint32_t n = 1; n <= 4; n++)
		check_mp(n);
	check_mp(255);
}

TEST(acpi_build, tables_do_not_overlap_and_stay_in_the_bios_area)
{
	EXPECT_EQ(build(255), 0);
	struct {
		uint32_t at, len;
	} t[] = {
	    {res.rsdp, 36},
	    {res.mp_float, 16},
	    {res.facs, 64},
	    {res.dsdt, rd32(res.dsdt + 4)},
	    {res.fadt, rd32(res.fadt + 4)},
	    {res.madt, rd32(res.madt + 4)},
	    {res.rsdt, rd32(res.rsdt + 4)},
	    {res.xsdt, rd32(res.xsdt + 4)},
	    {res.mp_config, (uint32_t)(ram[res.mp_config + 4] | ram[res.mp_config + 5] << 8)},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EXPECT_GE(t[i].at, 0xf0000);
		EXPECT_LE(t[i].at + t[i].len, res.end);
		EXPECT_EQ(t[i].at % 16, 0);
		for (size_t j = 0; j < i; j++)
			EXPECT_TRUE(t[i].at + t[i].len <= t[j].at || t[j].at + t[j].len <= t[i].at);
	}
	EXPECT_LE(res.end, 0x100000);
	/* Nothing outside the BIOS area was touched; the rest of it is zero. */
	for (uint32_t a = 0; a < RAM_SIZE; a++) {
		if (a >= 0xf0000 && a < 0x100000)
			continue;
		if (ram[a] != FILL)
			test_fail(__FILE__, __LINE__, "byte at %#x changed to %#x", a, ram[a]);
	}
	for (uint32_t a = res.end; a < 0x100000; a++)
		EXPECT_EQ(ram[a], 0);
}

TEST(acpi_build, refuses_what_it_cannot_describe)
{
	EXPECT_EQ(build(0), -EINVAL);
	EXPECT_EQ(build(256), -EINVAL);
	uint8_t small[0x1000];
	EXPECT_EQ(acpi_build_guest(small, sizeof(small), 1, false, false, &res), -EINVAL);
	/* Exactly the first MiB is enough. */
	EXPECT_EQ(build(1), 0);
	EXPECT_EQ(acpi_build_guest(ram, 0x100000, 1, false, false, &res), 0);
	EXPECT_EQ(acpi_build_guest(ram, 0xfffff, 1, false, false, &res), -EINVAL);
	/* An SCI on an unconnected IRQ cannot be described. */
	struct acpi_build_cfg c;
	acpi_build_guest_cfg(&c, 1, false, false);
	c.isa_pin[c.sci_irq] = ACPI_BUILD_NO_PIN;
	EXPECT_EQ(acpi_build(ram, RAM_SIZE, &c, &res), -EINVAL);
}

TEST(acpi_build, a_corrupted_table_fails_its_checksum)
{
	/* The checks above can fail: flip one byte of each table. */
	const uint32_t *tables[] = {&res.rsdt, &res.xsdt, &res.fadt, &res.dsdt, &res.madt};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		EXPECT_EQ(build(2), 0);
		uint32_t a = *tables[i];
		EXPECT_EQ(sum(a, rd32(a + 4)), 0);
		ram[a + 20] ^= 0x10;
		EXPECT_NE(sum(a, rd32(a + 4)), 0);
	}
	EXPECT_EQ(build(2), 0);
	ram[res.rsdp + 16] ^= 1; /* the RSDT address */
	EXPECT_EQ(find_rsdp(0xe0000, 0x100000), 0);
}

/* The guest platform: the wiring the tables describe is the VMM's. */
TEST(acpi_build, guest_cfg_matches_the_vm_wiring)
{
	struct acpi_build_cfg c;
	acpi_build_guest_cfg(&c, 3, false, false);
	EXPECT_EQ(c.ncpus, 3);
	EXPECT_EQ(c.lapic_addr, APIC_DEFAULT_BASE);
	EXPECT_EQ(c.ioapic_addr, VIOAPIC_BASE);
	EXPECT_EQ(c.ioapic_id, VIRQ_IOAPIC_ID);
	for (unsigned irq = 0; irq < 16; irq++)
		EXPECT_EQ(c.isa_pin[irq], irq == PIC_CASCADE_IRQ ? ACPI_BUILD_NO_PIN : virq_isa_pin(irq));
	EXPECT_EQ(c.pm_tmr_port, VPM_PM_TMR);
	EXPECT_EQ(c.pm1a_evt_port, VPM_PM1_EVT);
	EXPECT_EQ(c.pm1a_cnt_port, VPM_PM1_CNT);
}

/* End to end in the exit harness: vm_create() built the tables into the
 * guest's RAM, 0xf0000 is RAM for the guest, and an IN from the port the
 * FADT names is answered by the PM timer. */
/* A VM whose RTC an IOPM serves: the FADT says there is a CMOS RTC and
 * where its century byte is (ACPI 5.2.9 CENTURY, IAPC_BOOT_ARCH bit 5). */
TEST(acpi_build, fadt_cmos_rtc_with_an_iopm)
{
	memset(ram, FILL, RAM_SIZE);
	EXPECT_EQ(acpi_build_guest(ram, RAM_SIZE, 1, true, false, &res), 0);
	struct acpi_fadt f;
	memcpy(&f, ram + res.fadt, sizeof(f));
	EXPECT_FALSE(f.iapc_boot_arch & (1U << 5));
	EXPECT_EQ(f.century, 0x32);
	EXPECT_TRUE(f.iapc_boot_arch & (1U << 0)); /* legacy devices */
	uint8_t sum = 0;
	for (uint32_t i = 0; i < sizeof(f); i++)
		sum += ram[res.fadt + i];
	EXPECT_EQ(sum, 0);
}

TEST(acpi_build, vm_tables_and_the_port_the_fadt_names)
{
	struct vm *vm = hv_create(HV_MEM, 2, HV_PROT32);
	if (!vm)
		test_fail(__FILE__, __LINE__, "hv_create: %s", hv_violation_text(0));
	struct vcpu *v = &vm->vcpu[0];
	EXPECT_TRUE(hv_gpa(vm, 0xf0000, 0x10000) != NULL);
	EXPECT_TRUE(hv_gpa(vm, 0xeffff, 1) == NULL);
	uint64_t hpa;
	EXPECT_TRUE(ept_lookup(&vm->ept, 0xf0000, &hpa, NULL));
	EXPECT_FALSE(ept_lookup(&vm->ept, 0xeffff, &hpa, NULL));
	const uint8_t *rsdp = hv_gpa(vm, 0xf0000, 36);
	EXPECT_TRUE(!memcmp(rsdp, "RSD PTR ", 8));
	uint32_t rsdt;
	memcpy(&rsdt, rsdp + 16, 4);
	/* The RSDT lists the FADT and an MADT with two processors. */
	const uint8_t *t = hv_gpa(vm, rsdt, 44);
	uint32_t fadt_a = 0, madt_a = 0;
	for (int i = 0; i < 2; i++) {
		uint32_t a;
		memcpy(&a, t + 36 + 4 * i, 4);
		const uint8_t *x = hv_gpa(vm, a, 4);
		if (!memcmp(x, "FACP", 4))
			fadt_a = a;
		if (!memcmp(x, "APIC", 4))
			madt_a = a;
	}
	EXPECT_NE(fadt_a, 0);
	EXPECT_NE(madt_a, 0);
	uint32_t madt_len;
	memcpy(&madt_len, (const uint8_t *)hv_gpa(vm, madt_a, 8) + 4, 4);
	EXPECT_EQ(madt_len, 44 + 2 * 8 + 12 + 20 + 6);
	struct acpi_fadt f;
	memcpy(&f, hv_gpa(vm, fadt_a, sizeof(f)), sizeof(f));

	uint32_t before = vpm_timer(&vm->pm, fcpu_tsc());
	v->regs[RDX] = f.pm_tmr_blk;
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(f.pm_tmr_blk, 4, true), 1);
	uint32_t got = (uint32_t)v->regs[RAX];
	uint32_t after = vpm_timer(&vm->pm, fcpu_tsc());
	EXPECT_GE(got, before);
	EXPECT_LE(got, after);
	EXPECT_GE(got, VPM_TMR_START);
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(f.pm_tmr_blk + 3, 1, true), 1);
	EXPECT_EQ(v->regs[RAX] & 0xff, 0xff); /* top byte, within 2 s of the start */
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(f.pm1a_cnt_blk, 2, true), 1);
	EXPECT_EQ(v->regs[RAX] & 0xffff, 1); /* SCI_EN */
	EXPECT_EQ(vm->unclaimed_io, 0);
	EXIT_DONE(vm);
}

/* vm_create() gives the bus's DSDT to a VM whose IOPM serves the PCI bus
 * (COOP_VM_DEV_PCI), and today's to one whose IOPM does not or that has no
 * IOPM: the devices it was made with decide. */
static uint32_t vm_dsdt_len(int32_t iopm, uint32_t devices, bool *has_pci0)
{
	struct vm *vm = NULL;
	char err[128];
	EXPECT_EQ(vm_create("pci", HV_MEM, 1, 0, iopm, devices, &vm, err, sizeof(err)), 0);
	const uint8_t *rsdp = vm_gpa_ptr(vm, 0xf0000, 36);
	uint32_t rsdt, fadt = 0, dsdt, len;
	memcpy(&rsdt, rsdp + 16, 4);
	for (int i = 0; i < 2; i++) {
		uint32_t a;
		memcpy(&a, (const uint8_t *)vm_gpa_ptr(vm, rsdt + 36 + 4 * i, 4), 4);
		if (!memcmp(vm_gpa_ptr(vm, a, 4), "FACP", 4))
			fadt = a;
	}
	EXPECT_NE(fadt, 0);
	memcpy(&dsdt, (const uint8_t *)vm_gpa_ptr(vm, fadt + 40, 4), 4);
	memcpy(&len, (const uint8_t *)vm_gpa_ptr(vm, dsdt + 4, 4), 4);
	const uint8_t *d = vm_gpa_ptr(vm, dsdt, len);
	*has_pci0 = false;
	for (uint32_t i = 0; i + 4 <= len; i++)
		if (!memcmp(d + i, "PCI0", 4))
			*has_pci0 = true;
	uint32_t n = vm->nvcpus;
	for (uint32_t i = 0; i < n; i++)
		vm_vcpu_stopped(&vm->vcpu[i]); /* the last one frees the VM */
	return len;
}

TEST(acpi_build, vm_create_describes_the_bus_its_iopm_serves)
{
	struct vm *vm = hv_create(HV_MEM, 1, HV_PROT32); /* fresh fakes ... */
	if (!vm)
		test_fail(__FILE__, __LINE__, "hv_create: %s", hv_violation_text(0));
	hv_destroy(vm); /* ... and its guest RAM back for the VMs below */
	bool pci0;
	EXPECT_EQ(vm_dsdt_len(0, COOP_VM_DEV_ALL, &pci0), 36 + 13 + 1691);
	EXPECT_TRUE(pci0);
	EXPECT_EQ(vm_dsdt_len(0, COOP_VM_DEV_PCI, &pci0), 36 + 13 + 1691);
	EXPECT_TRUE(pci0);
	EXPECT_EQ(vm_dsdt_len(0, COOP_VM_DEV_COM1 | COOP_VM_DEV_RTC, &pci0), 36 + 13);
	EXPECT_FALSE(pci0);
	EXPECT_EQ(vm_dsdt_len(VM_NO_IOPM, COOP_VM_DEV_ALL, &pci0), 36 + 13); /* the bus needs an IOPM */
	EXPECT_FALSE(pci0);
	EXPECT_EQ(fenv_live_allocations(), 0);
	EXPECT_EQ(hv_violations(), 0);
}
