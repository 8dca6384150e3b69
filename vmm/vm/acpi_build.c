/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi_build.c: writes a guest's ACPI tables (ACPI 6.4 5.2: RSDP revision
 * 2, RSDT, XSDT, FADT revision 6 with a FACS and a DSDT holding \_S5 and,
 * with a PCI bus, the PCI host bridge \_SB.PCI0 with its interrupt routing
 * _PRT, MADT) and
 * its MP tables (MP Specification 1.4 chapter 4) into the guest's BIOS ROM
 * area, every table checksummed. Layouts: arch/x86/acpi_tables.h, mptable.h. */
#include "vmm/vm/acpi_build.h"

#include "arch/x86/rtc.h" /* RTC_CENTURY */
#include "arch/x86/acpi_tables.h"
#include "arch/x86/pci.h"
#include "shared/coopvmm_abi.h" /* COOP_GUEST_GSI_PCI_INTX */
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"
#include "vmm/vdev/vioapic.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vdev/vlapic.h"
#include "vmm/vdev/vpm.h"
#include "vmm/vm/vm_layout.h" /* VM_PCI_MMIO_BASE */

/* Who made the tables (5.2.6 header, 4.2 MP header): the project's names. */
#define OEM_ID		 "COOPVM"   /* 6 characters */
#define OEM_TABLE_ID	 "COOPVMM " /* 8 */
#define OEM_REVISION	 1
#define CREATOR_ID	 0x4d4d5643U /* "CVMM" */
#define CREATOR_REVISION 1
#define MP_OEM_ID	 "COOPVMM "	/* 8 */
#define MP_PRODUCT_ID	 "GUEST       " /* 12 */
#define TABLE_ALIGN	 16
#define LINT_NMI	 1 /* LINT1 carries NMI, as a PC BIOS sets it up */
#define LINT_NMI_FLAGS	 (MPS_INTI_ACTIVE_HIGH | MPS_INTI_EDGE)
#define MP_LINT_EXTINT	 0 /* LINT0: the 8259's INTR (virtual wire mode) */
#define MP_BSP_APIC_ID	 0
#define PCI0_NAME	 "PCI0" /* \_SB.PCI0: the PCI host bridge's device */
#define PRT_FIRST_DEVICE 1	/* device 0 is the host bridge: no interrupt pin */
#define PRT_ENTRIES	 ((PCI_DEVICES - PRT_FIRST_DEVICE) * PCI_INTX_PINS)
/* The host bridge's configuration ports, mechanism #1: 0xcf8-0xcff. */
#define HOST_CFG_FIRST PCI_CONFIG_ADDRESS
#define HOST_CFG_PORTS (PCI_CONFIG_DATA + PCI_CONFIG_PORTS - PCI_CONFIG_ADDRESS)

/* A bump allocator over the tables' area; addresses are guest-physical. */
struct area {
	uint8_t *ram;
	uint32_t next, end;
	bool full;
};

static uint32_t area_alloc(struct area *a, uint32_t size, uint32_t align)
{
	uint32_t at = ALIGN_UP(a->next, align);
	if (a->full || at > a->end || size > a->end - at) {
		a->full = true;
		return 0;
	}
	a->next = at + size;
	return at;
}

static uint8_t sum8(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	while (len--)
		s += *p++;
	return s;
}

/* Make the len bytes at gpa sum to 0 through the byte at gpa + field. */
static void set_checksum(uint8_t *ram, uint32_t gpa, uint32_t len, uint32_t field)
{
	ram[gpa + field] = 0;
	ram[gpa + field] = (uint8_t)(0 - sum8(ram + gpa, len));
}

static struct acpi_header header(const char sig[4], uint32_t len, uint8_t revision)
{
	struct acpi_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.signature, sig, sizeof(h.signature));
	h.length = len;
	h.revision = revision;
	memcpy(h.oem_id, OEM_ID, sizeof(h.oem_id));
	memcpy(h.oem_table_id, OEM_TABLE_ID, sizeof(h.oem_table_id));
	h.oem_revision = OEM_REVISION;
	h.creator_id = CREATOR_ID;
	h.creator_revision = CREATOR_REVISION;
	return h;
}

/* Copy a table (its header's length) to gpa and checksum it. */
static void put_table(uint8_t *ram, uint32_t gpa, const void *t)
{
	struct acpi_header h;
	memcpy(&h, t, sizeof(h));
	memcpy(ram + gpa, t, h.length);
	set_checksum(ram, gpa, h.length, offsetof(struct acpi_header, checksum));
}

static struct acpi_gas io_gas(uint16_t port, uint8_t len, uint8_t access)
{
	return (struct acpi_gas){.space_id = ACPI_GAS_SYSTEM_IO,
				 .bit_width = (uint8_t)(len * 8),
				 .access_size = access,
				 .address = port};
}

static bool is_sci(const struct acpi_build_cfg *c, unsigned irq)
{
	return irq == c->sci_irq;
}

/* ISA IRQs that need an interrupt source override: routed to another
 * GSI, or (the SCI) not ISA's edge/active-high. */
static bool needs_override(const struct acpi_build_cfg *c, unsigned irq)
{
	return c->isa_pin[irq] != ACPI_BUILD_NO_PIN && (c->isa_pin[irq] != irq || is_sci(c, irq));
}

/* The PCI INTx GSI is an I/O APIC pin, and none that an override gives an
 * ISA IRQ (the SCI's, level active high; IRQ0's pin 2): the OS would find
 * two trigger modes or polarities for it. The GSI of an ISA IRQ without an
 * override is fine: the MADT gives it only ISA's default (edge, active
 * high), which the OS replaces with the _PRT's level, active low when the
 * first PCI device registers the GSI (Linux: mp_check_pin_attr();
 * docs/guest-platform.md). */
static bool pci_intx_gsi_ok(const struct acpi_build_cfg *c)
{
	if (c->pci_intx_gsi >= VIOAPIC_PINS)
		return false;
	for (unsigned irq = 0; irq < ISA_IRQS; irq++)
		if (needs_override(c, irq) && c->isa_pin[irq] == c->pci_intx_gsi)
			return false;
	return true;
}

static uint16_t isa_flags(const struct acpi_build_cfg *c, unsigned irq)
{
	return is_sci(c, irq) ? MPS_INTI_ACTIVE_HIGH | MPS_INTI_LEVEL : MPS_INTI_CONFORMS;
}

static void build_fadt(uint8_t *ram, const struct acpi_build_cfg *c, uint32_t gpa, uint32_t facs,
		       uint32_t dsdt)
{
	struct acpi_fadt f;
	memset(&f, 0, sizeof(f));
	f.header = header(ACPI_SIG_FADT, sizeof(f), ACPI_FADT_REVISION);
	f.firmware_ctrl = facs;
	f.dsdt = dsdt;
	f.sci_int = c->sci_irq;
	f.smi_cmd = 0; /* no SMM: the platform is in ACPI mode from the start */
	f.pm1a_evt_blk = c->pm1a_evt_port;
	f.pm1a_cnt_blk = c->pm1a_cnt_port;
	f.pm_tmr_blk = c->pm_tmr_port;
	f.pm1_evt_len = ACPI_PM1_EVT_LEN;
	f.pm1_cnt_len = ACPI_PM1_CNT_LEN;
	f.pm_tmr_len = ACPI_PM_TMR_LEN;
	f.p_lvl2_lat = ACPI_FADT_C2_UNSUPPORTED;
	f.p_lvl3_lat = ACPI_FADT_C3_UNSUPPORTED;
	f.iapc_boot_arch =
	    ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_NO_VGA | (c->rtc_century ? 0 : ACPI_BOOT_NO_CMOS_RTC);
	f.century = c->rtc_century;
	/* PWR_BUTTON clear: the fixed power button of the PM block (PWRBTN_STS/EN,
	 * vmm/vdev/vpm.c) exists; SLP_BUTTON set: no sleep button. */
	f.flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC |
		  ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_HEADLESS;
	f.minor_version = ACPI_FADT_MINOR_VERSION;
	f.x_firmware_ctrl = facs;
	f.x_dsdt = dsdt;
	f.x_pm1a_evt_blk = io_gas(c->pm1a_evt_port, ACPI_PM1_EVT_LEN, ACPI_GAS_ACCESS_WORD);
	f.x_pm1a_cnt_blk = io_gas(c->pm1a_cnt_port, ACPI_PM1_CNT_LEN, ACPI_GAS_ACCESS_WORD);
	f.x_pm_tmr_blk = io_gas(c->pm_tmr_port, ACPI_PM_TMR_LEN, ACPI_GAS_ACCESS_DWORD);
	put_table(ram, gpa, &f);
}

static void build_facs(uint8_t *ram, uint32_t gpa)
{
	struct acpi_facs f;
	memset(&f, 0, sizeof(f));
	memcpy(f.signature, ACPI_SIG_FACS, sizeof(f.signature));
	f.length = sizeof(f);
	f.version = ACPI_FACS_VERSION;
	memcpy(ram + gpa, &f, sizeof(f)); /* the FACS has no checksum */
}

/* The DSDT's definition block (ACPI 6.4 chapter 20 AML). First, in the root
 * scope: Name (_S5, Package (4) {VPM_SLP_TYP_S5, 0, 0, 0}), the
 * values OSPM writes to SLP_TYP to enter S5, soft off (7.4.2; Linux's
 * acpi_enter_sleep_state(ACPI_STATE_S5) reads it). Byte by byte:
 *   08           NameOp
 *   5f 53 35 5f  NameSeg "_S5_"
 *   12           PackageOp
 *   07           PkgLength, one-byte form: the 7 bytes from here to the end
 *   04           NumElements
 *   0a 07        BytePrefix 7: SLP_TYPa, for PM1a_CNT (VPM_SLP_TYP_S5)
 *   00           ZeroOp: SLP_TYPb (there is no PM1b block)
 *   00 00        ZeroOp, ZeroOp: reserved
 * A VM without a PCI bus has nothing else (13 bytes). One with it has the
 * PCI host bridge after it (dsdt_pci0()). No processor devices, no methods. */
#define DSDT_AML_MAX 2048 /* \_S5 and \_SB.PCI0: 1704 bytes, 1559 of them its _PRT */

/* AML being written, bounds-checked: `over` once it did not fit. */
struct aml_buf {
	uint8_t b[DSDT_AML_MAX];
	uint32_t n;
	bool over;
};

static void aml_put(struct aml_buf *a, uint8_t v)
{
	if (a->n >= sizeof(a->b)) {
		a->over = true;
		return;
	}
	a->b[a->n++] = v;
}

static void aml_put16(struct aml_buf *a, uint16_t v)
{
	aml_put(a, (uint8_t)v);
	aml_put(a, (uint8_t)(v >> 8));
}

static void aml_put32(struct aml_buf *a, uint32_t v)
{
	aml_put16(a, (uint16_t)v);
	aml_put16(a, (uint16_t)(v >> 16));
}

static void aml_nameseg(struct aml_buf *a, const char name[ACPI_AML_NAMESEG_LEN])
{
	for (unsigned i = 0; i < ACPI_AML_NAMESEG_LEN; i++)
		aml_put(a, (uint8_t)name[i]);
}

/* An integer (20.2.3) in its shortest form here: ZeroOp, OneOp,
 * ByteConst or DWordConst. */
static void aml_int(struct aml_buf *a, uint32_t v)
{
	if (v == 0) {
		aml_put(a, ACPI_AML_ZERO_OP);
	} else if (v == 1) {
		aml_put(a, ACPI_AML_ONE_OP);
	} else if (v <= UINT8_MAX) {
		aml_put(a, ACPI_AML_BYTE_PREFIX);
		aml_put(a, (uint8_t)v);
	} else {
		aml_put(a, ACPI_AML_DWORD_PREFIX);
		aml_put32(a, v);
	}
}

/* The body of a package (Scope, Device, Buffer) was written from `start`
 * to a->n: put its PkgLength (20.2.4) in front of it, in the shortest form.
 * The length counts the PkgLength's own bytes. */
static void aml_pkg_close(struct aml_buf *a, uint32_t start)
{
	if (a->over)
		return;
	uint32_t body = a->n - start, len = body + 1;
	unsigned follow = 0;
	if (len > ACPI_AML_PKGLEN_1_MAX)
		for (follow = 1; follow <= ACPI_AML_PKGLEN_MAX_FOLLOW; follow++) {
			len = body + 1 + follow;
			if (len >> (4 + 8 * follow) == 0)
				break;
		}
	if (follow > ACPI_AML_PKGLEN_MAX_FOLLOW || len > ACPI_AML_PKGLEN_MAX ||
	    a->n + 1 + follow > sizeof(a->b)) {
		a->over = true;
		return;
	}
	memmove(a->b + start + 1 + follow, a->b + start, body);
	if (!follow) {
		a->b[start] = (uint8_t)len;
	} else {
		a->b[start] =
		    (uint8_t)(follow << ACPI_AML_PKGLEN_FOLLOW_SHIFT | (len & ACPI_AML_PKGLEN_NIBBLE));
		for (unsigned i = 0; i < follow; i++)
			a->b[start + 1 + i] = (uint8_t)(len >> (4 + 8 * i));
	}
	a->n += 1 + follow;
}

/* A Word (6.4.3.5.3) or DWord (6.4.3.5.2) Address Space Descriptor for a
 * range the bridge produces (passes to its bus), minimum and maximum
 * fixed, positive decode; granularity and translation 0. */
static void res_addr(struct aml_buf *a, bool dword, uint8_t type, uint8_t type_flags, uint32_t min,
		     uint32_t max)
{
	aml_put(a, dword ? ACPI_RES_DWORD_ADDR : ACPI_RES_WORD_ADDR);
	aml_put16(a, dword ? ACPI_RES_DWORD_ADDR_LEN : ACPI_RES_WORD_ADDR_LEN);
	aml_put(a, type);
	/* ACPI_RES_FLAG_CONSUMER and _SUB_DEC clear: a window, positive decode. */
	aml_put(a, ACPI_RES_FLAG_MIN_FIXED | ACPI_RES_FLAG_MAX_FIXED);
	aml_put(a, type_flags);
	const uint32_t v[] = {0, min, max, 0, max - min + 1}; /* granularity .. length */
	for (unsigned i = 0; i < ARRAY_SIZE(v); i++) {
		if (dword)
			aml_put32(a, v[i]);
		else
			aml_put16(a, (uint16_t)v[i]);
	}
}

/* Name (_CRS, ResourceTemplate () {...}) of the host bridge (6.2.2, 6.4):
 *   WordBusNumber  0-0xff: the buses below it
 *   IO (Decode16, 0xcf8, 0xcf8, 1, 8): the configuration ports it uses
 *   WordIO 0-0xcf7 and 0xd00-0xffff: the other ports, passed to the bus
 *   DWordMemory: the PCI memory window, non-cacheable, read-write
 *   End Tag, its checksum making the template's bytes sum to 0. */
static void dsdt_pci0_crs(struct aml_buf *a, const struct acpi_build_cfg *c)
{
	aml_put(a, ACPI_AML_NAME_OP);
	aml_nameseg(a, ACPI_CRS_NAME);
	aml_put(a, ACPI_AML_BUFFER_OP);
	uint32_t pkg = a->n;
	/* BufferSize: a ByteConst, filled in below. */
	aml_put(a, ACPI_AML_BYTE_PREFIX);
	aml_put(a, 0);
	uint32_t tmpl = a->n;
	res_addr(a, false, ACPI_RES_TYPE_BUS, 0, 0, PCI_BUSES - 1);
	aml_put(a, ACPI_RES_IO);
	aml_put(a, ACPI_RES_IO_DECODE16);
	aml_put16(a, HOST_CFG_FIRST); /* minimum */
	aml_put16(a, HOST_CFG_FIRST); /* maximum */
	aml_put(a, 1);		      /* alignment */
	aml_put(a, HOST_CFG_PORTS);   /* length */
	res_addr(a, false, ACPI_RES_TYPE_IO, ACPI_RES_IO_RNG_ENTIRE, 0, HOST_CFG_FIRST - 1);
	res_addr(a, false, ACPI_RES_TYPE_IO, ACPI_RES_IO_RNG_ENTIRE, HOST_CFG_FIRST + HOST_CFG_PORTS,
		 PCI_IO_SPACE_LAST);
	res_addr(a, true, ACPI_RES_TYPE_MEMORY, ACPI_RES_MEM_RW | ACPI_RES_MEM_NON_CACHEABLE, c->pci_mem_base,
		 c->pci_mem_base + (c->pci_mem_size - 1));
	aml_put(a, ACPI_RES_END_TAG);
	aml_put(a, 0);
	if (a->n - tmpl > UINT8_MAX)
		a->over = true; /* would need a WordConst BufferSize */
	if (a->over)
		return;
	a->b[a->n - 1] = (uint8_t)(0 - sum8(a->b + tmpl, a->n - tmpl));
	a->b[tmpl - 1] = (uint8_t)(a->n - tmpl);
	aml_pkg_close(a, pkg);
}

/* Name (_PRT, Package () {...}) of the host bridge (6.2.13): for every
 * device 1-31 of bus 0 and each of its pins INTA#-INTD#, in that order,
 *   Package () { 0xDDDDFFFF, Pin, 0, GSI }
 * device DDDD, any function, pin 0-3, Source 0: wired straight to the I/O
 * APIC pin c->pci_intx_gsi, level-triggered, active low, shared. All go to
 * the one GSI because iopmd ORs its functions' INTA# into one line
 * (COOP_GUEST_GSI_PCI_INTX). Every device, not only those a VM's IOPM
 * serves: the VMM does not know which slots iopmd fills. Not device 0:
 * that is the host bridge (00:00.0), which has no interrupt pin. With GSI
 * 11, 124 entries of 12 bytes (pins 0 and 1: ZeroOp, OneOp) or 13 (pins 2
 * and 3: ByteConst): 1559 bytes with the Name and the outer package. */
static void dsdt_pci0_prt(struct aml_buf *a, const struct acpi_build_cfg *c)
{
	_Static_assert(PRT_ENTRIES <= UINT8_MAX, "NumElements is a ByteData");
	aml_put(a, ACPI_AML_NAME_OP);
	aml_nameseg(a, ACPI_PRT_NAME);
	aml_put(a, ACPI_AML_PACKAGE_OP);
	uint32_t prt = a->n;
	aml_put(a, PRT_ENTRIES); /* NumElements */
	for (uint32_t dev = PRT_FIRST_DEVICE; dev < PCI_DEVICES; dev++) {
		for (uint32_t pin = 0; pin < PCI_INTX_PINS; pin++) {
			aml_put(a, ACPI_AML_PACKAGE_OP);
			uint32_t entry = a->n;
			aml_put(a, ACPI_PRT_ENTRY_ELEMS);
			aml_int(a, dev << ACPI_PRT_ADDR_DEVICE_SHIFT | ACPI_PRT_ADDR_ALL_FUNCTIONS);
			aml_int(a, pin);
			aml_int(a, ACPI_PRT_SOURCE_GSI);
			aml_int(a, c->pci_intx_gsi);
			aml_pkg_close(a, entry);
		}
	}
	aml_pkg_close(a, prt);
}

/* The PCI host bridge, after \_S5:
 *   Scope (\_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A03"))    the PCI root bridge
 *       Name (_UID, 0)
 *       Name (_BBN, 0)                     bus 0
 *       Name (_CRS, ResourceTemplate () {...})  dsdt_pci0_crs()
 *       Name (_PRT, Package () {...})      dsdt_pci0_prt(): INTx routing
 *   } }
 * The devices interrupt with MSI-X, or with INTx through the _PRT. No _SEG
 * (segment 0), no _OSC (the OS keeps to what a PCI bus has). */
static void dsdt_pci0(struct aml_buf *a, const struct acpi_build_cfg *c)
{
	aml_put(a, ACPI_AML_SCOPE_OP);
	uint32_t scope = a->n;
	aml_put(a, ACPI_AML_ROOT_CHAR);
	aml_nameseg(a, ACPI_SB_NAME);
	aml_put(a, ACPI_AML_EXT_OP_PREFIX);
	aml_put(a, ACPI_AML_DEVICE_OP);
	uint32_t dev = a->n;
	aml_nameseg(a, PCI0_NAME);
	aml_put(a, ACPI_AML_NAME_OP);
	aml_nameseg(a, ACPI_HID_NAME);
	aml_put(a, ACPI_AML_DWORD_PREFIX);
	aml_put32(a, ACPI_EISAID_PNP0A03);
	aml_put(a, ACPI_AML_NAME_OP);
	aml_nameseg(a, ACPI_UID_NAME);
	aml_put(a, ACPI_AML_ZERO_OP);
	aml_put(a, ACPI_AML_NAME_OP);
	aml_nameseg(a, ACPI_BBN_NAME);
	aml_put(a, ACPI_AML_ZERO_OP);
	dsdt_pci0_crs(a, c);
	dsdt_pci0_prt(a, c);
	aml_pkg_close(a, dev);
	aml_pkg_close(a, scope);
}

/* The DSDT's AML into a->b; its length, or 0 if it did not fit. */
static uint32_t dsdt_aml(struct aml_buf *a, const struct acpi_build_cfg *c)
{
	memset(a, 0, sizeof(*a));
	aml_put(a, ACPI_AML_NAME_OP);
	aml_nameseg(a, ACPI_S5_NAME);
	aml_put(a, ACPI_AML_PACKAGE_OP);
	uint32_t pkg = a->n;
	aml_put(a, ACPI_SX_PACKAGE_ELEMS);
	aml_put(a, ACPI_AML_BYTE_PREFIX);
	aml_put(a, VPM_SLP_TYP_S5);   /* SLP_TYPa */
	aml_put(a, ACPI_AML_ZERO_OP); /* SLP_TYPb */
	aml_put(a, ACPI_AML_ZERO_OP); /* reserved */
	aml_put(a, ACPI_AML_ZERO_OP); /* reserved */
	aml_pkg_close(a, pkg);
	if (c->pci)
		dsdt_pci0(a, c);
	return a->over ? 0 : a->n;
}

static void build_dsdt(uint8_t *ram, uint32_t gpa, const struct aml_buf *aml)
{
	struct acpi_header h = header(ACPI_SIG_DSDT, (uint32_t)sizeof(h) + aml->n, ACPI_DSDT_REVISION);
	memcpy(ram + gpa, &h, sizeof(h));
	memcpy(ram + gpa + sizeof(h), aml->b, aml->n);
	set_checksum(ram, gpa, h.length, offsetof(struct acpi_header, checksum));
}

static uint32_t madt_size(const struct acpi_build_cfg *c)
{
	uint32_t n = sizeof(struct acpi_madt) + c->ncpus * sizeof(struct acpi_madt_lapic) +
		     sizeof(struct acpi_madt_ioapic) + sizeof(struct acpi_madt_lapic_nmi);
	for (unsigned irq = 0; irq < ISA_IRQS; irq++)
		if (needs_override(c, irq))
			n += sizeof(struct acpi_madt_iso);
	return n;
}

static void build_madt(uint8_t *ram, const struct acpi_build_cfg *c, uint32_t gpa, uint32_t len)
{
	uint8_t *t = ram + gpa;
	struct acpi_madt m = {.header = header(ACPI_SIG_MADT, len, ACPI_MADT_REVISION),
			      .lapic_addr = c->lapic_addr,
			      .flags = ACPI_MADT_PCAT_COMPAT};
	uint32_t off = 0;
	memcpy(t, &m, sizeof(m));
	off += sizeof(m);
	for (uint32_t i = 0; i < c->ncpus; i++) {
		struct acpi_madt_lapic l = {{MADT_TYPE_LAPIC, sizeof(struct acpi_madt_lapic)},
					    (uint8_t)i,
					    (uint8_t)i,
					    MADT_LAPIC_ENABLED};
		memcpy(t + off, &l, sizeof(l));
		off += sizeof(l);
	}
	struct acpi_madt_ioapic io = {
	    {MADT_TYPE_IOAPIC, sizeof(struct acpi_madt_ioapic)}, c->ioapic_id, 0, c->ioapic_addr, 0};
	memcpy(t + off, &io, sizeof(io));
	off += sizeof(io);
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		if (!needs_override(c, irq))
			continue;
		struct acpi_madt_iso iso = {{MADT_TYPE_ISO, sizeof(struct acpi_madt_iso)},
					    ACPI_ISA_BUS,
					    (uint8_t)irq,
					    c->isa_pin[irq],
					    isa_flags(c, irq)};
		memcpy(t + off, &iso, sizeof(iso));
		off += sizeof(iso);
	}
	struct acpi_madt_lapic_nmi nmi = {{MADT_TYPE_LAPIC_NMI, sizeof(struct acpi_madt_lapic_nmi)},
					  ACPI_MADT_ALL_PROCESSORS,
					  LINT_NMI_FLAGS,
					  LINT_NMI};
	memcpy(t + off, &nmi, sizeof(nmi));
	set_checksum(ram, gpa, len, offsetof(struct acpi_header, checksum));
}

/* RSDT (entry_size 4) or XSDT (8) listing the tables in `tables`. */
static void build_sdt(uint8_t *ram, uint32_t gpa, const char sig[4], uint32_t entry_size,
		      const uint32_t *tables, unsigned n)
{
	struct acpi_header h =
	    header(sig, sizeof(h) + n * entry_size,
		   entry_size == sizeof(uint64_t) ? ACPI_XSDT_REVISION : ACPI_RSDT_REVISION);
	memcpy(ram + gpa, &h, sizeof(h));
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = tables[i];
		memcpy(ram + gpa + sizeof(h) + i * entry_size, &a, entry_size); /* little endian */
	}
	set_checksum(ram, gpa, h.length, offsetof(struct acpi_header, checksum));
}

static void build_rsdp(uint8_t *ram, uint32_t gpa, uint32_t rsdt, uint32_t xsdt)
{
	struct acpi_rsdp r;
	memset(&r, 0, sizeof(r));
	memcpy(r.signature, ACPI_SIG_RSDP, sizeof(r.signature));
	memcpy(r.oem_id, OEM_ID, sizeof(r.oem_id));
	r.revision = ACPI_RSDP_REVISION;
	r.rsdt_address = rsdt;
	r.length = sizeof(r);
	r.xsdt_address = xsdt;
	memcpy(ram + gpa, &r, sizeof(r));
	set_checksum(ram, gpa, ACPI_RSDP_V1_SIZE, offsetof(struct acpi_rsdp, checksum));
	set_checksum(ram, gpa, sizeof(r), offsetof(struct acpi_rsdp, ext_checksum));
}

/* ISA IRQs the MP table assigns: every connected one but the cascade. */
static bool mp_routed(const struct acpi_build_cfg *c, unsigned irq)
{
	return irq != PIC_CASCADE_IRQ && c->isa_pin[irq] != ACPI_BUILD_NO_PIN;
}

static uint32_t mp_entries(const struct acpi_build_cfg *c)
{
	uint32_t n = c->ncpus + 1 /* bus */ + 1 /* I/O APIC */ + 2 /* LINT0, LINT1 */;
	for (unsigned irq = 0; irq < ISA_IRQS; irq++)
		n += mp_routed(c, irq);
	return n;
}

static uint32_t mp_config_size(const struct acpi_build_cfg *c)
{
	return sizeof(struct mp_config) + c->ncpus * sizeof(struct mp_processor) +
	       (mp_entries(c) - c->ncpus) * sizeof(struct mp_intsrc);
}

static void build_mp_config(uint8_t *ram, const struct acpi_build_cfg *c, uint32_t gpa, uint32_t len)
{
	uint8_t *t = ram + gpa;
	struct mp_config h;
	memset(&h, 0, sizeof(h));
	memcpy(h.signature, MP_SIG_CONFIG, sizeof(h.signature));
	h.length = (uint16_t)len;
	h.spec_rev = MP_SPEC_REV_1_4;
	memcpy(h.oem_id, MP_OEM_ID, sizeof(h.oem_id));
	memcpy(h.product_id, MP_PRODUCT_ID, sizeof(h.product_id));
	h.entry_count = (uint16_t)mp_entries(c);
	h.lapic_addr = c->lapic_addr;
	memcpy(t, &h, sizeof(h));
	uint32_t off = sizeof(h);
	for (uint32_t i = 0; i < c->ncpus; i++) {
		/* Signature and features 0: the guest's CPUID is what counts. */
		struct mp_processor p = {MP_ENTRY_PROCESSOR,
					 (uint8_t)i,
					 c->lapic_version,
					 MP_CPU_ENABLED | (i == MP_BSP_APIC_ID ? MP_CPU_BSP : 0),
					 0,
					 0,
					 {0, 0}};
		memcpy(t + off, &p, sizeof(p));
		off += sizeof(p);
	}
	struct mp_bus bus = {MP_ENTRY_BUS, ACPI_ISA_BUS, MP_BUS_ISA};
	memcpy(t + off, &bus, sizeof(bus));
	off += sizeof(bus);
	struct mp_ioapic io = {MP_ENTRY_IOAPIC, c->ioapic_id, c->ioapic_version, MP_IOAPIC_ENABLED,
			       c->ioapic_addr};
	memcpy(t + off, &io, sizeof(io));
	off += sizeof(io);
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		if (!mp_routed(c, irq))
			continue;
		struct mp_intsrc e = {MP_ENTRY_IOINT, MP_INT_INT,   isa_flags(c, irq), ACPI_ISA_BUS,
				      (uint8_t)irq,   c->ioapic_id, c->isa_pin[irq]};
		memcpy(t + off, &e, sizeof(e));
		off += sizeof(e);
	}
	/* The 8259 reaches the BSP's LINT0 only; LINT1 is NMI on every CPU. */
	struct mp_intsrc lint[] = {
	    {MP_ENTRY_LINT, MP_INT_EXTINT, MPS_INTI_CONFORMS, ACPI_ISA_BUS, 0, MP_BSP_APIC_ID,
	     MP_LINT_EXTINT},
	    {MP_ENTRY_LINT, MP_INT_NMI, LINT_NMI_FLAGS, ACPI_ISA_BUS, 0, MP_ALL_LAPICS, LINT_NMI},
	};
	memcpy(t + off, lint, sizeof(lint));
	set_checksum(ram, gpa, len, offsetof(struct mp_config, checksum));
}

static void build_mp_float(uint8_t *ram, uint32_t gpa, uint32_t config)
{
	struct mp_float f;
	memset(&f, 0, sizeof(f)); /* features[0] = 0: a table, not a default configuration */
	memcpy(f.signature, MP_SIG_FLOAT, sizeof(f.signature));
	f.config = config;
	f.length = sizeof(f) / MP_FLOAT_ALIGN;
	f.spec_rev = MP_SPEC_REV_1_4;
	memcpy(ram + gpa, &f, sizeof(f));
	set_checksum(ram, gpa, sizeof(f), offsetof(struct mp_float, checksum));
}

void acpi_build_guest_cfg(struct acpi_build_cfg *c, uint32_t ncpus, bool cmos_rtc, bool pci)
{
	memset(c, 0, sizeof(*c));
	c->ncpus = ncpus;
	c->lapic_addr = (uint32_t)APIC_DEFAULT_BASE;
	c->lapic_version = VLAPIC_VERSION;
	c->ioapic_id = VIRQ_IOAPIC_ID;
	c->ioapic_version = VIOAPIC_VERSION;
	c->ioapic_addr = (uint32_t)VIOAPIC_BASE;
	for (unsigned irq = 0; irq < ISA_IRQS; irq++)
		c->isa_pin[irq] = irq == PIC_CASCADE_IRQ ? ACPI_BUILD_NO_PIN : (uint8_t)virq_isa_pin(irq);
	c->sci_irq = VPM_SCI_IRQ;
	c->pm1a_evt_port = VPM_PM1_EVT;
	c->pm1a_cnt_port = VPM_PM1_CNT;
	c->pm_tmr_port = VPM_PM_TMR;
	c->rtc_century = cmos_rtc ? RTC_CENTURY : 0;
	c->pci = pci;
	c->pci_mem_base = pci ? (uint32_t)VM_PCI_MMIO_BASE : 0;
	c->pci_mem_size = pci ? (uint32_t)VM_PCI_MMIO_SIZE : 0;
	c->pci_intx_gsi = pci ? COOP_GUEST_GSI_PCI_INTX : 0;
}

int acpi_build(uint8_t *ram, uint64_t ram_size, const struct acpi_build_cfg *c, struct acpi_build_result *out)
{
	memset(out, 0, sizeof(*out));
	if (ram_size < ACPI_BUILD_BASE + ACPI_BUILD_SIZE || !c->ncpus || c->ncpus > ACPI_BUILD_MAX_CPUS ||
	    c->sci_irq >= ISA_IRQS || c->isa_pin[c->sci_irq] == ACPI_BUILD_NO_PIN)
		return -EINVAL;
	if (c->pci && (!c->pci_mem_size || (uint64_t)c->pci_mem_base + c->pci_mem_size > 1ULL << 32))
		return -EINVAL;
	if (c->pci && !pci_intx_gsi_ok(c))
		return -EINVAL;
	struct aml_buf aml;
	if (!dsdt_aml(&aml, c))
		return -ENOSPC;
	memset(ram + ACPI_BUILD_BASE, 0, ACPI_BUILD_SIZE);
	struct area a = {ram, ACPI_BUILD_BASE, ACPI_BUILD_BASE + ACPI_BUILD_SIZE, false};
	struct acpi_build_result r;
	r.rsdp = area_alloc(&a, sizeof(struct acpi_rsdp), ACPI_RSDP_ALIGN);
	r.mp_float = area_alloc(&a, sizeof(struct mp_float), MP_FLOAT_ALIGN);
	r.facs = area_alloc(&a, sizeof(struct acpi_facs), ACPI_FACS_ALIGN);
	r.dsdt = area_alloc(&a, sizeof(struct acpi_header) + aml.n, TABLE_ALIGN);
	r.fadt = area_alloc(&a, sizeof(struct acpi_fadt), TABLE_ALIGN);
	uint32_t madt_len = madt_size(c);
	r.madt = area_alloc(&a, madt_len, TABLE_ALIGN);
	const uint32_t listed[] = {r.fadt, r.madt};
	r.rsdt =
	    area_alloc(&a, sizeof(struct acpi_header) + ARRAY_SIZE(listed) * sizeof(uint32_t), TABLE_ALIGN);
	r.xsdt =
	    area_alloc(&a, sizeof(struct acpi_header) + ARRAY_SIZE(listed) * sizeof(uint64_t), TABLE_ALIGN);
	uint32_t mp_len = mp_config_size(c);
	r.mp_config = area_alloc(&a, mp_len, TABLE_ALIGN);
	if (a.full)
		return -ENOSPC;
	r.end = a.next;

	build_facs(ram, r.facs);
	build_dsdt(ram, r.dsdt, &aml);
	build_fadt(ram, c, r.fadt, r.facs, r.dsdt);
	build_madt(ram, c, r.madt, madt_len);
	build_sdt(ram, r.rsdt, ACPI_SIG_RSDT, sizeof(uint32_t), listed, ARRAY_SIZE(listed));
	build_sdt(ram, r.xsdt, ACPI_SIG_XSDT, sizeof(uint64_t), listed, ARRAY_SIZE(listed));
	build_rsdp(ram, r.rsdp, r.rsdt, r.xsdt);
	build_mp_config(ram, c, r.mp_config, mp_len);
	build_mp_float(ram, r.mp_float, r.mp_config);
	*out = r;
	return 0;
}

int acpi_build_guest(uint8_t *ram, uint64_t ram_size, uint32_t ncpus, bool cmos_rtc, bool pci,
		     struct acpi_build_result *out)
{
	struct acpi_build_cfg c;
	acpi_build_guest_cfg(&c, ncpus, cmos_rtc, pci);
	return acpi_build(ram, ram_size, &c, out);
}
