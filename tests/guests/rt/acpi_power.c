/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi_power.c: the ACPI power button and S5 for the test guests
 * (rt/acpi_power.h): the tables found as an OS finds them (5.2.5.1), every
 * length and checksum checked before use, \_S5 found in the DSDT's AML by
 * its encoding (NameOp "_S5_" PackageOp), the SCI routed as the MADT says,
 * the fixed power button handled in the SCI handler. Written from the
 * ACPI specification. */
#include "rt/acpi_power.h"

#include "rt/acpi.h"
#include "rt/ioapic.h"
#include "rt/lapic.h"
#include "rt/pic.h"
#include "rt/rt.h"
#include "rt/timer.h"

#define MAX_TABLE_LEN	  0x100000 /* a table claiming more is not believed */
#define SDT_HDR_LEN	  36
#define FADT_X_MIN_REV	  3 /* X_ fields from FADT revision 3 */
#define ACPI_MODE_WAIT_MS 3000
#define POWER_OFF_WAIT_MS 1000
#define ISA_IRQ_COUNT	  16U
#define PIC_SLAVE_FIRST	  8U
#define S5_NAME		  "_S5_"
#define NAMESEG_LEN	  4

struct acpi_power acpi_power;

static uint32_t rd32(uintptr_t a)
{
	uint32_t v;
	memcpy(&v, (const void *)a, 4);
	return v;
}

static uint16_t rd16(uintptr_t a)
{
	uint16_t v;
	memcpy(&v, (const void *)a, 2);
	return v;
}

static uint64_t rd64(uintptr_t a)
{
	uint64_t v;
	memcpy(&v, (const void *)a, 8);
	return v;
}

static uint8_t sum8(uintptr_t a, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s += *(const volatile uint8_t *)(a + i);
	return s;
}

/* ---- the tables */

static uintptr_t scan_rsdp(uintptr_t from, uint32_t len)
{
	for (uintptr_t a = from; a + RSDP_V1_LEN <= from + len; a += TABLE_SCAN_STEP)
		if (!memcmp((const void *)a, "RSD PTR ", 8) && sum8(a, RSDP_V1_LEN) == 0)
			return a;
	return 0;
}

static uintptr_t find_rsdp(void)
{
	uintptr_t ebda = (uintptr_t)rd16(BDA_EBDA_SEGMENT) << 4;
	uintptr_t r = ebda && ebda < BASE_MEM_LAST_KIB + 1024 ? scan_rsdp(ebda, EBDA_SEARCH_LEN) : 0;
	return r ? r : scan_rsdp(BIOS_AREA_START, BIOS_AREA_END - BIOS_AREA_START);
}

/* A table at a (below 4 GiB) with signature sig (NULL: any), a sane length
 * and checksum 0; its length, or 0. */
static uint32_t table_len(uint64_t a, const char *sig)
{
	if (!a || a >= (1ULL << 32) - SDT_HDR_LEN)
		return 0;
	uintptr_t t = (uintptr_t)a;
	uint32_t len = rd32(t + 4);
	if (len < SDT_HDR_LEN || len > MAX_TABLE_LEN || a + len > (1ULL << 32))
		return 0;
	if (sig && memcmp((const void *)t, sig, 4))
		return 0;
	return sum8(t, len) == 0 ? len : 0;
}

/* The table with signature sig listed by the XSDT (RSDP revision 2 with
 * one), else the RSDT; 0 if none. */
static uintptr_t find_table(uintptr_t rsdp, const char *sig)
{
	struct rsdp p;
	memcpy(&p, (const void *)rsdp, sizeof(p));
	bool x = p.revision >= 2 && p.xsdt && table_len(p.xsdt, "XSDT");
	uint64_t sdt = x ? p.xsdt : p.rsdt;
	uint32_t esize = x ? 8 : 4, len = table_len(sdt, x ? "XSDT" : "RSDT");
	for (uint32_t off = SDT_HDR_LEN; len && off + esize <= len; off += esize) {
		uint64_t a = x ? rd64((uintptr_t)sdt + off) : rd32((uintptr_t)sdt + off);
		if (table_len(a, sig))
			return (uintptr_t)a;
	}
	return 0;
}

/* ---- \_S5 in the DSDT's AML */

/* A ComputationalData integer at *at (20.2.3), not past end. */
static bool aml_integer(const uint8_t *aml, uint32_t *at, uint32_t end, uint64_t *v)
{
	if (*at >= end)
		return false;
	uint8_t op = aml[(*at)++];
	unsigned n = op == AML_BYTE_PREFIX    ? 1
		     : op == AML_WORD_PREFIX  ? 2
		     : op == AML_DWORD_PREFIX ? 4
		     : op == AML_QWORD_PREFIX ? 8
					      : 0;
	if (!n) {
		if (op != AML_ZERO_OP && op != AML_ONE_OP && op != AML_ONES_OP)
			return false;
		*v = op == AML_ONES_OP ? ~0ULL : op;
		return true;
	}
	if (end - *at < n)
		return false;
	*v = 0;
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)aml[(*at)++] << (8 * i);
	return true;
}

/* Name(_S5, Package(){SLP_TYPa, ...}) anywhere in the DSDT's body: NameOp,
 * the NameSeg (maybe after a root prefix), PackageOp, PkgLength,
 * NumElements, the first element. A scan, not an interpreter: enough for
 * the tables of coopvmm, QEMU and the Bochs BIOS, which define \_S5 at the
 * root. */
static const char *find_s5(uintptr_t dsdt, uint32_t len, uint8_t *typ)
{
	const uint8_t *aml = (const uint8_t *)dsdt;
	for (uint32_t i = SDT_HDR_LEN; i + 1 + NAMESEG_LEN + 2 < len; i++) {
		if (aml[i] != AML_NAME_OP)
			continue;
		uint32_t at = i + 1;
		if (aml[at] == AML_ROOT_CHAR)
			at++;
		if (at + NAMESEG_LEN + 2 >= len || memcmp(aml + at, S5_NAME, NAMESEG_LEN))
			continue;
		at += NAMESEG_LEN;
		if (aml[at++] != AML_PACKAGE_OP)
			continue;
		uint32_t pkg = at;
		uint8_t lead = aml[at++];
		uint32_t follow = AML_PKGLEN_FOLLOW(lead);
		uint32_t plen = follow ? lead & AML_PKGLEN_NIBBLE : lead & AML_PKGLEN_SHORT;
		if (len - at < follow)
			return "\\_S5: PkgLength runs past the DSDT";
		for (uint32_t k = 0; k < follow; k++)
			plen |= (uint32_t)aml[at++] << (4 + 8 * k);
		if (plen > len - pkg || at >= pkg + plen)
			return "\\_S5: its package runs past the DSDT";
		uint32_t end = pkg + plen;
		uint8_t elems = aml[at++];
		uint64_t a;
		if (!elems || !aml_integer(aml, &at, end, &a))
			return "\\_S5: no integer SLP_TYPa in its package";
		if (a > PM1_CNT_SLP_TYP_MAX)
			return "\\_S5: SLP_TYPa does not fit the 3-bit SLP_TYP";
		*typ = (uint8_t)a;
		return NULL;
	}
	return "no \\_S5 in the DSDT: this machine has no ACPI soft off";
}

/* ---- the SCI's route (MADT) */

static const char *route_from_madt(uintptr_t madt)
{
	struct acpi_power *p = &acpi_power;
	uint32_t len = rd32(madt + 4);
	p->sci_gsi = p->sci_irq;
	p->sci_level = true; /* the SCI's default: shareable, level, active low (5.2.9 SCI_INT) */
	p->sci_active_low = true;
	p->ioapic_addr = 0;
	for (uint32_t off = MADT_ENTRIES; off + 2 <= len;) {
		const uint8_t *e = (const uint8_t *)(madt + off);
		if (e[1] < 2 || off + e[1] > len)
			return "MADT: an entry runs past the table";
		if (e[0] == MADT_IOAPIC && e[1] >= 12 && rd32(madt + off + 8) == 0)
			p->ioapic_addr = rd32(madt + off + 4);
		if (e[0] == MADT_ISO && e[1] >= 10 && e[2] == 0 && e[3] == p->sci_irq) {
			uint16_t flags = rd16(madt + off + 8);
			p->sci_gsi = rd32(madt + off + 4);
			if ((flags & INTI_POLARITY) == INTI_ACTIVE_HIGH)
				p->sci_active_low = false;
			if ((flags & INTI_TRIGGER) == INTI_EDGE)
				p->sci_level = false;
		}
		off += e[1];
	}
	p->ioapic = p->ioapic_addr != 0;
	return NULL;
}

static void ioapic_reg_write(uint32_t reg, uint32_t v)
{
	mmio_write32(acpi_power.ioapic_addr + IOAPIC_REGSEL, reg);
	mmio_write32(acpi_power.ioapic_addr + IOAPIC_WIN, v);
}

static uint32_t ioapic_reg_read(uint32_t reg)
{
	mmio_write32(acpi_power.ioapic_addr + IOAPIC_REGSEL, reg);
	return mmio_read32(acpi_power.ioapic_addr + IOAPIC_WIN);
}

static void sci_handler(struct trap_frame *f);

static const char *route_sci(uint8_t vector)
{
	struct acpi_power *p = &acpi_power;
	if (p->ioapic) {
		uint32_t pins = ((ioapic_reg_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
		if (p->sci_gsi >= pins)
			return "the SCI's GSI is beyond the I/O APIC's pins";
		lapic_enable(lapic_x2apic());
		p->vector = vector;
		trap_set_handler(vector, sci_handler);
		ioapic_reg_write(IOAPIC_REG_REDTBL(p->sci_gsi), IOAPIC_RTE_MASKED);
		ioapic_reg_write(IOAPIC_REG_REDTBL(p->sci_gsi) + 1, lapic_id() << IOAPIC_RTE_DEST_SHIFT);
		ioapic_reg_write(IOAPIC_REG_REDTBL(p->sci_gsi),
				 vector | (p->sci_level ? IOAPIC_RTE_LEVEL : 0) |
				     (p->sci_active_low ? IOAPIC_RTE_ACTIVE_LOW : 0));
		return NULL;
	}
	/* The 8259s at rt_start's vector bases: IRQ n on its vector, ELCR
	 * for a level SCI. */
	if (p->sci_irq >= ISA_IRQ_COUNT)
		return "no I/O APIC in the MADT and the SCI is not an ISA IRQ";
	unsigned irq = p->sci_irq;
	p->vector = (uint8_t)(irq < PIC_SLAVE_FIRST ? PIC1_VECTOR_BASE + irq
						    : PIC2_VECTOR_BASE + irq - PIC_SLAVE_FIRST);
	trap_set_handler(p->vector, sci_handler);
	uint16_t elcr_port = irq < PIC_SLAVE_FIRST ? PIC_ELCR1 : PIC_ELCR2;
	uint8_t bit = (uint8_t)(1U << (irq % PIC_SLAVE_FIRST));
	uint8_t elcr = inb(elcr_port);
	outb(elcr_port, p->sci_level ? elcr | bit : elcr & (uint8_t)~bit);
	pic_set_mask(pic_get_mask() & (uint16_t) ~(1U << irq));
	return NULL;
}

/* ---- ACPI mode, the handler, S5 */

static const char *acpi_mode(uintptr_t fadt)
{
	struct acpi_power *p = &acpi_power;
	if (inw(p->pm1a_cnt) & PM1_CNT_SCI_EN)
		return NULL;
	uint8_t enable = *(const uint8_t *)(fadt + FADT_ACPI_ENABLE);
	if (!p->smi_cmd || !enable)
		return "SCI_EN is clear and the FADT gives no SMI_CMD/ACPI_ENABLE to set it";
	outb((uint16_t)p->smi_cmd, enable);
	uint64_t until = rdtsc() + ms_to_tsc(ACPI_MODE_WAIT_MS);
	while (!(inw(p->pm1a_cnt) & PM1_CNT_SCI_EN))
		if (rdtsc() > until)
			return "SCI_EN still clear 3 s after ACPI_ENABLE was written to SMI_CMD";
	p->acpi_enabled_here = true;
	return NULL;
}

static void sci_handler(struct trap_frame *f)
{
	(void)f;
	struct acpi_power *p = &acpi_power;
	uint16_t mine = (uint16_t)(inw(p->pm1a_sts) & inw(p->pm1a_en) & (uint16_t)~PM1_STS_WAK);
	if (mine)
		outw(p->pm1a_sts, mine); /* write 1 to clear: the SCI's level goes down */
	p->scis++;
	p->seen |= mine;
	p->last = mine;
	if (p->ioapic)
		lapic_eoi();
	else
		pic_eoi(p->sci_irq);
	if (mine & PM1_STS_PWRBTN) {
		printf("power button: powering off\n");
		const char *why = acpi_power_off();
		fail("%s", why);
	}
}

const char *acpi_power_off(void)
{
	struct acpi_power *p = &acpi_power;
	uint16_t typ = (uint16_t)(p->s5_typ << PM1_CNT_SLP_TYP_SHIFT);
	uint16_t keep = (uint16_t)(inw(p->pm1a_cnt) & PM1_CNT_SCI_EN);
	outw(p->pm1a_cnt, keep | typ);
	outw(p->pm1a_cnt, keep | typ | PM1_CNT_SLP_EN);
	uint64_t until = rdtsc() + ms_to_tsc(POWER_OFF_WAIT_MS);
	while (rdtsc() < until)
		cpu_relax();
	return "still running 1 s after SLP_TYP | SLP_EN (S5) was written";
}

void acpi_power_enable(uint16_t bits)
{
	outw(acpi_power.pm1a_en, bits);
}

uint16_t acpi_power_status(void)
{
	return inw(acpi_power.pm1a_sts);
}

const char *acpi_power_init(uint8_t vector)
{
	struct acpi_power *p = &acpi_power;
	memset(p, 0, sizeof(*p));
	if (vector < NUM_EXCEPTIONS)
		return "the SCI's vector must be 32 or above";
	uintptr_t rsdp = find_rsdp();
	if (!rsdp)
		return "no RSDP";
	uintptr_t fadt = find_table(rsdp, "FACP"), madt = find_table(rsdp, "APIC");
	if (!fadt || rd32(fadt + 4) < FADT_V1_LEN)
		return "no FADT (or a short one)";
	uint32_t flen = rd32(fadt + 4), evt = rd32(fadt + FADT_PM1A_EVT_BLK),
		 cnt = rd32(fadt + FADT_PM1A_CNT_BLK);
	uint8_t evt_len = *(const uint8_t *)(fadt + FADT_PM1_EVT_LEN);
	if (rd32(fadt + FADT_FLAGS) & FADT_HW_REDUCED)
		return "hardware-reduced ACPI: no PM1 registers";
	if (!evt || evt > 0xffffU - evt_len || !cnt || cnt > 0xffffU || evt_len < 4)
		return "no usable PM1a event/control blocks in the FADT";
	p->pm1a_sts = (uint16_t)evt;
	p->pm1a_en = (uint16_t)(evt + evt_len / 2);
	p->pm1a_cnt = (uint16_t)cnt;
	p->smi_cmd = rd32(fadt + FADT_SMI_CMD);
	p->sci_irq = rd16(fadt + FADT_SCI_INT);
	p->fixed_button = !(rd32(fadt + FADT_FLAGS) & FADT_PWR_BUTTON);
	uint64_t dsdt =
	    *(const uint8_t *)(fadt + 8) >= FADT_X_MIN_REV && flen >= FADT_X_LEN && rd64(fadt + FADT_X_DSDT)
		? rd64(fadt + FADT_X_DSDT)
		: rd32(fadt + FADT_DSDT);
	uint32_t dlen = table_len(dsdt, "DSDT");
	if (!dlen)
		return "no valid DSDT";
	const char *why = find_s5((uintptr_t)dsdt, dlen, &p->s5_typ);
	if (why)
		return why;
	if (!p->fixed_button)
		return "the FADT says there is no fixed power button (PWR_BUTTON set)";
	if (!madt)
		return "no MADT";
	if ((why = route_from_madt(madt)) || (why = acpi_mode(fadt)) || (why = route_sci(vector)))
		return why;
	/* A press made before this (PWRBTN_STS is set whatever PWRBTN_EN
	 * says, 4.8.2.2.1.1) is not cleared: it is acted on at once. */
	acpi_power_enable(PM1_EN_PWRBTN);
	return NULL;
}
