/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi: the firmware tables found the way an OS finds them (ACPI 6.4
 * 5.2.5.1: the EBDA's first KiB, then 0xE0000-0xFFFFF on 16-byte
 * boundaries): RSDP checksums, RSDT and XSDT, every table's signature,
 * length and checksum, the FADT (PM timer block, FACS, DSDT), the MADT
 * (processors, I/O APIC, IRQ0 -> GSI 2), the MP table (MP spec 1.4 chapter
 * 4) agreeing with the MADT; then the PM timer against the TSC: counting
 * up, its rate, its wrap at 24 or 32 bits as TMR_VAL_EXT says. Under
 * coopvmm also the exact platform of docs/guest-platform.md "Firmware
 * tables" (run it with 2 vCPUs: run=acpi:16M:2). */
#include "rt/rt.h"

#include "rt/acpi.h"
#include "rt/hv.h"
#include "rt/ioapic.h"
#include "rt/lapic.h"
#include "rt/timer.h"

/* coopvmm's platform (docs/guest-platform.md), written here independently. */
#define COOP_RSDP	  0xf0000U
#define COOP_PM1A_EVT	  0x600
#define COOP_PM1A_CNT	  0x604
#define COOP_PM_TMR	  0x608
#define COOP_SCI	  9
#define COOP_IOAPIC	  0xfec00000U
#define COOP_WRAP_SECONDS 2 /* the PM timer starts this long before its 32-bit wrap */

#define MAX_TABLES	   32
#define MAX_CPUS	   64
#define TABLE_MAX_LEN	   0x100000
#define EBDA_MIN	   0x80000 /* an EBDA below this is not plausible */
#define VGA_HOLE	   0xa0000
#define RATE_WINDOW_MS	   100
#define RATE_TOLERANCE_PCT 3
#define POLL_US		   500
#define WRAP_BUDGET_S	   8 /* wait at most this long for a wrap */
#define COUNT_UP_READS	   200
#define MAX_STEP_TICKS	   (PM_TIMER_HZ / 100) /* consecutive reads: under 10 ms apart */
#define IOAPIC_VER_MIN	   0x11
#define IOAPIC_VER_MAX	   0x20
#define IOAPIC_MIN_PINS	   16
#define ISA_IRQS	   16
#define ISA_CASCADE	   2

struct cpu_list {
	uint32_t n;
	uint32_t id[MAX_CPUS];
};

static struct {
	uint32_t rsdp;
	uint32_t ntables;
	uint32_t table[MAX_TABLES]; /* from the XSDT if there is one, else the RSDT */
	uint32_t fadt, madt;
	struct cpu_list cpus; /* enabled processors of the MADT */
	uint32_t ioapic_id, ioapic_addr;
	int irq0_gsi; /* -1: no override */
	uint16_t pm_port, pm1a_evt, pm1a_cnt;
	bool pm_32bit;
} acpi;

/* A NUL-terminated copy of a fixed-width name (the runtime's printf has
 * no precision). */
struct name {
	char s[9];
};

static struct name name_of(const void *p, unsigned n)
{
	struct name r;
	memset(&r, 0, sizeof(r));
	memcpy(r.s, p, n < sizeof(r.s) ? n : sizeof(r.s) - 1);
	return r;
}

static uint8_t sum8(uint32_t addr, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s += *(const volatile uint8_t *)(addr + i);
	return s;
}

static uint32_t rd32(uint32_t addr)
{
	uint32_t v;
	memcpy(&v, (const void *)addr, 4);
	return v;
}

static uint16_t rd16(uint32_t addr)
{
	uint16_t v;
	memcpy(&v, (const void *)addr, 2);
	return v;
}

static uint64_t rd64(uint32_t addr)
{
	uint64_t v;
	memcpy(&v, (const void *)addr, 8);
	return v;
}

/* ---- RSDP, RSDT, XSDT */

static uint32_t scan_rsdp(uint32_t from, uint32_t len)
{
	for (uint32_t a = from; a + RSDP_V1_LEN <= from + len; a += TABLE_SCAN_STEP)
		if (!memcmp((const void *)a, "RSD PTR ", 8) && sum8(a, RSDP_V1_LEN) == 0)
			return a;
	return 0;
}

static uint32_t ebda(void)
{
	uint32_t e = (uint32_t)rd16(BDA_EBDA_SEGMENT) << 4;
	return e >= EBDA_MIN && e < VGA_HOLE ? e : 0;
}

static void find_rsdp(void)
{
	uint32_t e = ebda();
	uint32_t r = e ? scan_rsdp(e, EBDA_SEARCH_LEN) : 0;
	const char *where = "the EBDA";
	if (!r) {
		r = scan_rsdp(BIOS_AREA_START, BIOS_AREA_END - BIOS_AREA_START);
		where = "the BIOS area";
	}
	printf("EBDA at %#x; RSDP at %#x (%s)\n", e, r, r ? where : "nowhere");
	if (!r)
		fail("no RSDP in the EBDA's first KiB nor in 0xe0000-0xfffff");
	struct rsdp p;
	memcpy(&p, (const void *)r, sizeof(p));
	printf("RSDP: revision %u, OEM '%s', RSDT %#x, XSDT %#llx, length %u\n", p.revision,
	       name_of(p.oem_id, 6).s, p.rsdt, (unsigned long long)(p.revision >= 2 ? p.xsdt : 0),
	       p.revision >= 2 ? p.length : RSDP_V1_LEN);
	if (p.revision >= 2) {
		EXPECT_GE(p.length, sizeof(p));
		EXPECT_EQ(sum8(r, p.length), 0);
	}
	EXPECT_NE(p.rsdt, 0);
	acpi.rsdp = r;
	if (!skip_unless_coopvmm("RSDP revision 2 at 0xf0000")) {
		EXPECT_EQ(r, COOP_RSDP);
		EXPECT_EQ(p.revision, 2);
		EXPECT_NE(p.xsdt, 0);
	}
}

/* A system description table at addr: sane length, checksum 0, and the
 * signature sig when one is given. */
static const struct sdt_header *table(uint32_t addr, const char *sig)
{
	const struct sdt_header *h = (const struct sdt_header *)addr;
	EXPECT_NE(addr, 0);
	if (sig && memcmp(h->signature, sig, 4))
		fail("table at %#x is '%s', not '%s'", addr, name_of(h->signature, 4).s, sig);
	EXPECT_GE(h->length, sizeof(*h));
	EXPECT_LE(h->length, TABLE_MAX_LEN);
	if (sum8(addr, h->length))
		fail("table '%s' at %#x (%u bytes): checksum is off by %#x", name_of(h->signature, 4).s, addr,
		     h->length, sum8(addr, h->length));
	return h;
}

/* The RSDT's (esize 4) or XSDT's (8) entries, each a valid table. */
static uint32_t walk_sdt(uint32_t addr, const char *sig, uint32_t esize, uint32_t *out)
{
	const struct sdt_header *h = table(addr, sig);
	EXPECT_EQ((h->length - sizeof(*h)) % esize, 0);
	uint32_t n = (h->length - sizeof(*h)) / esize;
	EXPECT_LE(n, MAX_TABLES);
	printf("%s at %#x, revision %u, %u entries:", sig, addr, h->revision, n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = addr + sizeof(*h) + i * esize;
		uint64_t a = esize == 8 ? rd64(e) : rd32(e);
		EXPECT_LT(a, 1ULL << 32); /* a 32-bit guest reads only below 4 GiB */
		out[i] = (uint32_t)a;
		const struct sdt_header *t = table(out[i], NULL);
		printf(" %s@%#x", name_of(t->signature, 4).s, out[i]);
	}
	printf("\n");
	return n;
}

static uint32_t find_table(const char *sig)
{
	for (uint32_t i = 0; i < acpi.ntables; i++)
		if (!memcmp((const void *)acpi.table[i], sig, 4))
			return acpi.table[i];
	return 0;
}

static void check_root_tables(void)
{
	struct rsdp p;
	memcpy(&p, (const void *)acpi.rsdp, sizeof(p));
	uint32_t rsdt[MAX_TABLES], xsdt[MAX_TABLES];
	uint32_t nr = walk_sdt(p.rsdt, "RSDT", 4, rsdt);
	memcpy(acpi.table, rsdt, sizeof(rsdt));
	acpi.ntables = nr;
	if (p.revision >= 2 && p.xsdt) {
		EXPECT_LT(p.xsdt, 1ULL << 32);
		uint32_t nx = walk_sdt((uint32_t)p.xsdt, "XSDT", 8, xsdt);
		if (!skip_unless_coopvmm("XSDT lists exactly the RSDT's tables")) {
			EXPECT_EQ(nx, nr);
			EXPECT_MEMEQ(xsdt, rsdt, nr * sizeof(uint32_t));
		}
		memcpy(acpi.table, xsdt, sizeof(xsdt)); /* an ACPI 2.0+ OS uses the XSDT */
		acpi.ntables = nx;
	} else {
		skip("XSDT: RSDP revision %u has none (not under coopvmm: allowed)", p.revision);
		EXPECT_FALSE(under_coopvmm());
	}
	acpi.fadt = find_table("FACP");
	acpi.madt = find_table("APIC");
	EXPECT_NE(acpi.fadt, 0);
	EXPECT_NE(acpi.madt, 0);
}

/* ---- FADT, FACS, DSDT */

static void check_fadt(void)
{
	const struct sdt_header *h = table(acpi.fadt, "FACP");
	uint32_t f = acpi.fadt;
	EXPECT_GE(h->length, FADT_V1_LEN);
	uint32_t flags = rd32(f + FADT_FLAGS), pm = rd32(f + FADT_PM_TMR_BLK);
	bool x = h->revision >= 3 && h->length >= FADT_X_LEN;
	uint64_t facs = x && rd64(f + FADT_X_FIRMWARE_CTRL) ? rd64(f + FADT_X_FIRMWARE_CTRL)
							    : rd32(f + FADT_FIRMWARE_CTRL);
	uint64_t dsdt = x && rd64(f + FADT_X_DSDT) ? rd64(f + FADT_X_DSDT) : rd32(f + FADT_DSDT);
	printf("FADT: revision %u, %u bytes, flags %#x, SCI %u, SMI_CMD %#x, PM1a_EVT %#x, PM1a_CNT %#x, "
	       "PM_TMR %#x (%u bytes, %s), FACS %#llx, DSDT %#llx\n",
	       h->revision, h->length, flags, rd16(f + FADT_SCI_INT), rd32(f + FADT_SMI_CMD),
	       rd32(f + FADT_PM1A_EVT_BLK), rd32(f + FADT_PM1A_CNT_BLK), pm,
	       *(uint8_t *)(f + FADT_PM_TMR_LEN), flags & FADT_TMR_VAL_EXT ? "32-bit" : "24-bit",
	       (unsigned long long)facs, (unsigned long long)dsdt);
	EXPECT_FALSE(flags & FADT_HW_REDUCED); /* a PM timer is what this test is about */
	EXPECT_NE(pm, 0);
	EXPECT_LT(pm, 0x10000);
	EXPECT_EQ(*(uint8_t *)(f + FADT_PM_TMR_LEN), 4);
	acpi.pm_port = (uint16_t)pm;
	acpi.pm_32bit = flags & FADT_TMR_VAL_EXT;
	acpi.pm1a_evt = (uint16_t)rd32(f + FADT_PM1A_EVT_BLK);
	acpi.pm1a_cnt = (uint16_t)rd32(f + FADT_PM1A_CNT_BLK);

	/* FACS: 64-byte aligned, at least 64 bytes, no checksum. */
	EXPECT_NE(facs, 0);
	EXPECT_LT(facs, 1ULL << 32);
	EXPECT_EQ(facs % FACS_ALIGN, 0);
	EXPECT_MEMEQ((const void *)(uint32_t)facs, "FACS", 4);
	EXPECT_GE(rd32((uint32_t)facs + 4), FACS_MIN_LEN);
	/* DSDT: a valid table (its AML is not interpreted here). */
	EXPECT_LT(dsdt, 1ULL << 32);
	const struct sdt_header *d = table((uint32_t)dsdt, "DSDT");
	printf("FACS: %u bytes, version %u; DSDT: %u bytes, revision %u\n", rd32((uint32_t)facs + 4),
	       *(uint8_t *)((uint32_t)facs + 32), d->length, d->revision);

	if (skip_unless_coopvmm(
		"FADT values of coopvmm (PM block at 0x600, 32-bit timer, SCI 9, no SMI_CMD)"))
		return;
	EXPECT_EQ(h->revision, 6);
	EXPECT_EQ(h->length, 276);
	EXPECT_EQ(pm, COOP_PM_TMR);
	EXPECT_TRUE(acpi.pm_32bit);
	EXPECT_EQ(rd32(f + FADT_SMI_CMD), 0);
	EXPECT_EQ(rd16(f + FADT_SCI_INT), COOP_SCI);
	EXPECT_EQ(acpi.pm1a_evt, COOP_PM1A_EVT);
	EXPECT_EQ(acpi.pm1a_cnt, COOP_PM1A_CNT);
	EXPECT_EQ(*(uint8_t *)(f + FADT_PM1_EVT_LEN), 4);
	EXPECT_EQ(*(uint8_t *)(f + FADT_PM1_CNT_LEN), 2);
	/* No SMI_CMD: the platform is in ACPI mode, SCI_EN reads 1. */
	EXPECT_TRUE(inw(acpi.pm1a_cnt) & PM1_CNT_SCI_EN);
	outw(acpi.pm1a_cnt, 0);
	EXPECT_TRUE(inw(acpi.pm1a_cnt) & PM1_CNT_SCI_EN);
	EXPECT_EQ(*(uint8_t *)((uint32_t)facs + 32), 2); /* FACS version */
	EXPECT_FALSE(flags & FADT_PWR_BUTTON);		 /* a fixed power button */
	/* The DSDT's one object: Name (_S5, Package (4) {7, 0, 0, 0}). */
	static const uint8_t s5[] = {
	    AML_NAME_OP,     '_', 'S',	       '5',	    '_',	AML_PACKAGE_OP, 7, 4,
	    AML_BYTE_PREFIX, 7,	  AML_ZERO_OP, AML_ZERO_OP, AML_ZERO_OP};
	EXPECT_EQ(d->length, sizeof(*d) + sizeof(s5));
	EXPECT_MEMEQ((const uint8_t *)d + sizeof(*d), s5, sizeof(s5));
}

/* ---- MADT */

static bool listed(const struct cpu_list *l, uint32_t id)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->id[i] == id)
			return true;
	return false;
}

static void add_cpu(uint32_t id)
{
	EXPECT_FALSE(listed(&acpi.cpus, id)); /* each APIC ID once */
	EXPECT_LT(acpi.cpus.n, MAX_CPUS);
	acpi.cpus.id[acpi.cpus.n++] = id;
}

static void check_madt(void)
{
	const struct sdt_header *h = table(acpi.madt, "APIC");
	uint32_t m = acpi.madt;
	uint32_t lapic = rd32(m + MADT_LAPIC_ADDR);
	uint32_t ioapics = 0, isos = 0, nmis = 0, disabled = 0;
	bool coop = under_coopvmm();
	bool sci_override = false;
	acpi.irq0_gsi = -1;
	acpi.ioapic_addr = 0;
	uint32_t off = MADT_ENTRIES;
	while (off < h->length) {
		const uint8_t *e = (const uint8_t *)(m + off);
		EXPECT_GE(e[1], 2);
		EXPECT_LE(off + e[1], h->length);
		switch (e[0]) {
		case MADT_LAPIC:
			EXPECT_GE(e[1], 8);
			if (rd32(m + off + 4) & MADT_ENABLED)
				add_cpu(e[3]);
			else
				disabled++;
			if (coop) {
				EXPECT_EQ(e[2], e[3]); /* ACPI UID = APIC ID = vCPU index */
				EXPECT_EQ(e[3], acpi.cpus.n - 1);
			}
			break;
		case MADT_X2APIC:
			EXPECT_GE(e[1], 16);
			if (rd32(m + off + 8) & MADT_ENABLED)
				add_cpu(rd32(m + off + 4));
			break;
		case MADT_IOAPIC:
			EXPECT_GE(e[1], 12);
			printf("MADT: I/O APIC id %u at %#x, GSI base %u\n", e[2], rd32(m + off + 4),
			       rd32(m + off + 8));
			if (rd32(m + off + 8) == 0) {
				acpi.ioapic_id = e[2];
				acpi.ioapic_addr = rd32(m + off + 4);
			}
			ioapics++;
			break;
		case MADT_ISO:
			EXPECT_GE(e[1], 10);
			printf("MADT: override ISA IRQ %u -> GSI %u, flags %#x\n", e[3], rd32(m + off + 4),
			       rd16(m + off + 8));
			EXPECT_EQ(e[2], 0); /* ISA */
			if (e[3] == 0)
				acpi.irq0_gsi = (int)rd32(m + off + 4);
			if (coop && e[3] == COOP_SCI) {
				EXPECT_EQ(rd32(m + off + 4), COOP_SCI);
				EXPECT_EQ(rd16(m + off + 8), INTI_LEVEL | INTI_ACTIVE_HIGH);
				sci_override = true;
			}
			isos++;
			break;
		case MADT_LAPIC_NMI:
			EXPECT_GE(e[1], 6);
			printf("MADT: local APIC NMI, UID %#x, LINT%u\n", e[2], e[5]);
			if (coop) {
				EXPECT_EQ(e[2], 0xff);
				EXPECT_EQ(e[5], 1);
			}
			nmis++;
			break;
		default:
			break;
		}
		off += e[1];
	}
	EXPECT_EQ(off, h->length);
	printf("MADT: %u enabled processor(s), APIC IDs", acpi.cpus.n);
	for (uint32_t i = 0; i < acpi.cpus.n; i++)
		printf(" %u", acpi.cpus.id[i]);
	printf("; %u disabled; local APIC at %#x; %u I/O APIC(s); %u override(s)\n", disabled, lapic, ioapics,
	       isos);

	/* What holds on any PC: the LAPIC where IA32_APIC_BASE says, the
	 * BSP among the processors, an I/O APIC answering at GSI base 0,
	 * the PIT's IRQ0 on GSI 2. */
	EXPECT_EQ(lapic, (uint32_t)rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK);
	EXPECT_GE(acpi.cpus.n, 1);
	EXPECT_TRUE(listed(&acpi.cpus, CPUID1_EBX_APIC_ID(cpuid(CPUID_LEAF_FEATURES, 0).ebx)));
	EXPECT_NE(acpi.ioapic_addr, 0);
	mmio_write32(acpi.ioapic_addr + IOAPIC_REGSEL, IOAPIC_REG_VER);
	uint32_t ver = mmio_read32(acpi.ioapic_addr + IOAPIC_WIN);
	printf("I/O APIC at %#x: version %#x, %u pins\n", acpi.ioapic_addr, ver & 0xff,
	       ((ver >> 16) & 0xff) + 1);
	EXPECT_RANGE(ver & 0xff, IOAPIC_VER_MIN, IOAPIC_VER_MAX);
	EXPECT_GE(((ver >> 16) & 0xff) + 1, IOAPIC_MIN_PINS);
	EXPECT_EQ(acpi.irq0_gsi, 2);

	if (skip_unless_coopvmm("MADT of coopvmm: one LAPIC per vCPU, the vIOAPIC, SCI override, LINT1 NMI"))
		return;
	uint32_t vcpus = (cpuid(CPUID_LEAF_FEATURES, 0).ebx >> 16) & 0xff;
	EXPECT_EQ(acpi.cpus.n, vcpus);
	for (uint32_t i = 0; i < acpi.cpus.n; i++)
		EXPECT_EQ(acpi.cpus.id[i], i);
	EXPECT_EQ(disabled, 0);
	EXPECT_EQ(ioapics, 1);
	EXPECT_EQ(acpi.ioapic_id, 0);
	EXPECT_EQ(acpi.ioapic_addr, COOP_IOAPIC);
	EXPECT_EQ(isos, 2);
	EXPECT_TRUE(sci_override);
	EXPECT_EQ(nmis, 1);
	EXPECT_TRUE(rd32(m + MADT_FLAGS) & MADT_PCAT_COMPAT); /* the 8259s are there */
}

/* ---- MP table */

static uint32_t scan_mp(uint32_t from, uint32_t len)
{
	for (uint32_t a = from; a + sizeof(struct mp_float) <= from + len; a += TABLE_SCAN_STEP)
		if (!memcmp((const void *)a, "_MP_", 4) && sum8(a, sizeof(struct mp_float)) == 0)
			return a;
	return 0;
}

static void check_mp(void)
{
	uint32_t e = ebda(), f = e ? scan_mp(e, EBDA_SEARCH_LEN) : 0;
	if (!f)
		f = scan_mp(BASE_MEM_LAST_KIB, EBDA_SEARCH_LEN);
	if (!f)
		f = scan_mp(BIOS_ROM_FSEG, BIOS_AREA_END - BIOS_ROM_FSEG);
	if (!f) {
		if (under_coopvmm())
			fail("no MP floating pointer");
		skip("MP table: no floating pointer (not under coopvmm)");
		return;
	}
	struct mp_float fp;
	memcpy(&fp, (const void *)f, sizeof(fp));
	printf("MP floating pointer at %#x: spec 1.%u, table %#x, features %#x %#x\n", f, fp.spec_rev,
	       fp.config, fp.features[0], fp.features[1]);
	EXPECT_EQ(fp.length, 1);
	EXPECT_TRUE(fp.spec_rev == 1 || fp.spec_rev == 4);
	EXPECT_EQ(fp.features[0], 0); /* a configuration table, not a default configuration */
	EXPECT_NE(fp.config, 0);
	struct mp_config c;
	memcpy(&c, (const void *)fp.config, sizeof(c));
	EXPECT_MEMEQ(c.signature, "PCMP", 4);
	EXPECT_GE(c.length, sizeof(c));
	EXPECT_EQ(sum8(fp.config, c.length), 0);
	EXPECT_EQ(c.lapic_addr, rd32(acpi.madt + MADT_LAPIC_ADDR));

	struct cpu_list cpus = {0, {0}};
	int isa_bus = -1, irq_pin[ISA_IRQS];
	uint16_t irq_flags[ISA_IRQS] = {0};
	bool ioapic_found = false, extint_lint0 = false, nmi_lint1 = false;
	uint32_t bsp = CPUID1_EBX_APIC_ID(cpuid(CPUID_LEAF_FEATURES, 0).ebx);
	for (int i = 0; i < ISA_IRQS; i++)
		irq_pin[i] = -1;
	uint32_t off = sizeof(c);
	for (uint16_t i = 0; i < c.entry_count; i++) {
		const uint8_t *x = (const uint8_t *)(fp.config + off);
		uint32_t len = x[0] == MP_PROCESSOR ? MP_PROCESSOR_LEN : MP_ENTRY_LEN;
		EXPECT_LE(x[0], MP_LINT);
		EXPECT_LE(off + len, c.length);
		switch (x[0]) {
		case MP_PROCESSOR:
			if (x[3] & MP_CPU_ENABLED) {
				cpus.id[cpus.n++] = x[1];
				EXPECT_EQ(!!(x[3] & MP_CPU_BSP), x[1] == bsp);
			}
			break;
		case MP_BUS:
			if (!memcmp(x + 2, "ISA   ", 6))
				isa_bus = x[1];
			break;
		case MP_IOAPIC:
			if (x[1] == acpi.ioapic_id) {
				EXPECT_EQ(rd32(fp.config + off + 4), acpi.ioapic_addr);
				ioapic_found = true;
			}
			break;
		case MP_IOINT:
			if (x[4] == isa_bus && x[5] < ISA_IRQS && x[6] == acpi.ioapic_id &&
			    x[1] == MP_INT_INT) {
				irq_pin[x[5]] = x[7];
				irq_flags[x[5]] = rd16(fp.config + off + 2);
			}
			break;
		case MP_LINT:
			if (x[1] == MP_INT_EXTINT && x[7] == 0)
				extint_lint0 = true;
			if (x[1] == MP_INT_NMI && x[6] == 0xff && x[7] == 1)
				nmi_lint1 = true;
			break;
		}
		off += len;
	}
	EXPECT_EQ(off, c.length);
	printf("MP table at %#x: %u entries, %u enabled processor(s), ISA IRQ0 -> pin %d\n", fp.config,
	       c.entry_count, cpus.n, irq_pin[0]);
	/* It describes the machine the MADT describes. */
	EXPECT_EQ(cpus.n, acpi.cpus.n);
	for (uint32_t i = 0; i < cpus.n; i++)
		EXPECT_TRUE(listed(&acpi.cpus, cpus.id[i]));
	EXPECT_TRUE(ioapic_found);
	EXPECT_GE(isa_bus, 0);
	EXPECT_EQ(irq_pin[0], acpi.irq0_gsi);

	if (skip_unless_coopvmm("MP table of coopvmm: every ISA IRQ but the cascade, SCI level, LINT0/LINT1"))
		return;
	for (int irq = 0; irq < ISA_IRQS; irq++) {
		if (irq == ISA_CASCADE) {
			EXPECT_EQ(irq_pin[irq], -1);
			continue;
		}
		EXPECT_EQ(irq_pin[irq], irq == 0 ? 2 : irq);
		EXPECT_EQ(irq_flags[irq], irq == COOP_SCI ? INTI_LEVEL | INTI_ACTIVE_HIGH : 0);
	}
	EXPECT_TRUE(extint_lint0);
	EXPECT_TRUE(nmi_lint1);
}

/* ---- the PM timer */

struct sample {
	uint32_t v;
	uint64_t ta, tb; /* the read happened between these TSC values */
};

static struct sample sample(void)
{
	struct sample s;
	s.ta = rdtsc();
	s.v = inl(acpi.pm_port);
	s.tb = rdtsc();
	return s;
}

static uint32_t pm_mask(void)
{
	return acpi.pm_32bit ? 0xffffffffU : 0xffffffU;
}

/* PM ticks the TSC span t would hold at the nominal rate. */
static uint64_t tsc_to_ticks(uint64_t t)
{
	return udiv64(udiv64(t * PM_TIMER_HZ, tsc_khz(), NULL), 1000, NULL);
}

/* The ticks between samples a and b (modulo the timer's width) agree with
 * the TSC time that can have passed between the two reads. */
static void check_span(const char *what, struct sample a, struct sample b)
{
	uint32_t ticks = (b.v - a.v) & pm_mask();
	uint64_t lo = tsc_to_ticks(b.ta - a.tb), hi = tsc_to_ticks(b.tb - a.ta);
	uint64_t min = lo - lo * RATE_TOLERANCE_PCT / 100, max = hi + hi * RATE_TOLERANCE_PCT / 100 + 1;
	printf("PM timer %s: %#x -> %#x, %u ticks; the TSC allows %llu-%llu\n", what, a.v, b.v, ticks,
	       (unsigned long long)lo, (unsigned long long)hi);
	EXPECT_RANGE(ticks, min, max);
}

static void check_counts_up(void)
{
	uint32_t prev = inl(acpi.pm_port), changes = 0;
	for (int i = 0; i < COUNT_UP_READS; i++) {
		uint32_t v = inl(acpi.pm_port);
		EXPECT_EQ(v & ~pm_mask(), 0);
		EXPECT_LE((v - prev) & pm_mask(), MAX_STEP_TICKS);
		changes += v != prev;
		prev = v;
	}
	printf("PM timer at %#x (%s): %u of %u reads changed, last %#x\n", acpi.pm_port,
	       acpi.pm_32bit ? "32-bit" : "24-bit", changes, COUNT_UP_READS, prev);
	EXPECT_GT(changes, 0);
}

static void check_rate(void)
{
	struct sample a = sample();
	wait_tsc(a.tb + ms_to_tsc(RATE_WINDOW_MS));
	struct sample b = sample();
	printf("TSC %u kHz (%s)\n", tsc_khz(), tsc_khz_source());
	check_span("over 100 ms", a, b);
}

/* Narrower reads give the same bytes (coopvmm decodes byte lanes). */
static void check_narrow_reads(void)
{
	if (skip_unless_coopvmm("1- and 2-byte reads of the PM timer"))
		return;
	for (int i = 0; i < 50; i++) {
		uint32_t before = inl(acpi.pm_port);
		uint8_t top = inb(acpi.pm_port + 3);
		uint16_t high = inw(acpi.pm_port + 2);
		uint32_t after = inl(acpi.pm_port);
		if ((before >> 16) != (after >> 16))
			continue; /* bits 31:16 moved in between */
		EXPECT_EQ(top, before >> 24);
		EXPECT_EQ(high, before >> 16);
		uint16_t low = inw(acpi.pm_port);
		EXPECT_EQ((uint16_t)(low - (uint16_t)after) < 0x8000, true); /* the low half counts on */
		return;
	}
	fail("bits 31:16 of the PM timer changed during every one of 50 tries");
}

static void check_wrap(void)
{
	uint32_t mask = pm_mask();
	struct sample s = sample();
	uint64_t left = (uint64_t)mask - s.v + 1; /* ticks to the wrap */
	uint32_t seconds = (uint32_t)udiv64(left, PM_TIMER_HZ, NULL);
	printf("PM timer wraps at %#x in %u.%02u s\n", mask, seconds,
	       (uint32_t)udiv64((left - (uint64_t)seconds * PM_TIMER_HZ) * 100, PM_TIMER_HZ, NULL));
	if (under_coopvmm()) {
		EXPECT_GT(s.v, 0xffffffU); /* it uses all 32 bits from the start */
		EXPECT_LT(seconds, COOP_WRAP_SECONDS);
	} else if (seconds >= WRAP_BUDGET_S) {
		skip("the PM timer's wrap (%u s away; not under coopvmm)", seconds);
		return;
	}
	uint64_t deadline = s.tb + ms_to_tsc(WRAP_BUDGET_S * 1000U);
	struct sample prev = s, cur;
	for (;;) {
		wait_tsc(rdtsc() + us_to_tsc(POLL_US));
		cur = sample();
		EXPECT_EQ(cur.v & ~mask, 0);
		if (cur.v < prev.v)
			break;
		prev = cur;
		if (cur.tb > deadline)
			fail("the PM timer did not wrap in %u s (last %#x)", WRAP_BUDGET_S, cur.v);
	}
	/* Across the wrap it counted on by the time that passed: it wrapped
	 * at its width, not anywhere else. */
	check_span("across the wrap", prev, cur);
	EXPECT_GT(prev.v, mask - MAX_STEP_TICKS);
	wait_tsc(cur.tb + ms_to_tsc(RATE_WINDOW_MS));
	check_span("100 ms from before the wrap", prev, sample());

	if (skip_unless_coopvmm("TMR_STS after the timer's top bit changed"))
		return;
	uint16_t sts = inw(acpi.pm1a_evt);
	printf("PM1 status %#x after the wrap\n", sts);
	EXPECT_TRUE(sts & PM1_STS_TMR);
	outw(acpi.pm1a_evt, PM1_STS_TMR); /* write 1 to clear */
	EXPECT_FALSE(inw(acpi.pm1a_evt) & PM1_STS_TMR);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	find_rsdp();
	check_root_tables();
	check_fadt();
	check_madt();
	check_mp();
	check_counts_up();
	check_narrow_reads();
	check_rate();
	check_wrap();
	return 0;
}
