/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi.c: find the RSDP, walk the RSDT/XSDT, read the MADT (CPUs, IOAPICs,
 * interrupt source overrides) and the FADT's PM timer port (ACPI 6.4 5.2).
 * Firmware tables are input: checksums and lengths are checked, entries
 * that run past their table are refused. */
#define LOG_PREFIX "acpi"
#include "vmm/platform/acpi.h"

#include "arch/x86/cpu.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/ioapic.h"
#include "vmm/platform/log.h"

struct platform platform;
uint64_t bios_ebda_addr;

void platform_save_bios_data(void)
{
	uint64_t ebda = (uint64_t)phys_read16(BIOS_EBDA_SEG_PTR) << 4;
	bios_ebda_addr = (ebda >= BIOS_EBDA_MIN && ebda < BIOS_ROM_START) ? ebda : 0;
}

static bool checksum_ok(const void *p, uint32_t len)
{
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static const struct acpi_rsdp *rsdp_scan(uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a + sizeof(struct acpi_rsdp) <= end; a += ACPI_RSDP_ALIGN) {
		const struct acpi_rsdp *r = (const void *)(uintptr_t)a;
		if (!memcmp(r->signature, ACPI_SIG_RSDP, sizeof(r->signature)) &&
		    checksum_ok(r, ACPI_RSDP_V1_SIZE))
			return r;
	}
	return NULL;
}

static const struct acpi_rsdp *rsdp_find(void)
{
	const struct acpi_rsdp *r = NULL;
	if (bios_ebda_addr)
		r = rsdp_scan(bios_ebda_addr, bios_ebda_addr + EBDA_SCAN_LEN);
	return r ? r : rsdp_scan(BIOS_ROM_START, BIOS_ROM_END);
}

static const struct acpi_header *table_at(uint64_t addr)
{
	if (!addr)
		return NULL;
	const struct acpi_header *h = (const void *)(uintptr_t)addr;
	if (h->length < sizeof(*h) || h->length > FW_TABLE_MAX_LEN || !checksum_ok(h, h->length)) {
		pr_warn("table at 0x%llx (%.4s) has a bad length or checksum, ignored",
			(unsigned long long)addr, h->signature);
		return NULL;
	}
	return h;
}

static const struct acpi_header *find_table(const struct acpi_rsdp *rsdp, const char sig[4])
{
	bool x = rsdp->revision >= 2 && rsdp->xsdt_address;
	const struct acpi_header *root = table_at(x ? rsdp->xsdt_address : rsdp->rsdt_address);
	if (!root)
		return NULL;
	uint32_t esize = x ? 8 : 4;
	uint32_t n = (root->length - sizeof(*root)) / esize;
	const uint8_t *ents = (const uint8_t *)(root + 1);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = 0;
		memcpy(&a, ents + i * esize, esize);
		const struct acpi_header *h = table_at(a);
		if (h && !memcmp(h->signature, sig, 4))
			return h;
	}
	return NULL;
}

static void add_cpu(struct platform *p, uint32_t apic_id, bool enabled)
{
	for (uint32_t i = 0; i < p->ncpus; i++)
		if (p->cpu[i].apic_id == apic_id)
			return; /* listed twice (LAPIC and x2APIC entries) */
	if (p->ncpus >= MAX_CPUS) {
		p->cpus_ignored++;
		return;
	}
	p->cpu[p->ncpus++] = (struct platform_cpu){apic_id, enabled};
}

static void add_ioapic(uint32_t id, uint64_t base, uint32_t gsi_base)
{
	if (nioapics >= MAX_IOAPICS) {
		pr_warn("more than %u IOAPICs: id %u ignored", MAX_IOAPICS, id);
		return;
	}
	ioapics[nioapics++] = (struct ioapic){.id = id, .base = base, .gsi_base = gsi_base};
}

static int parse_madt(const struct acpi_header *madt, struct platform *p)
{
	const uint8_t *t = (const uint8_t *)madt;
	struct acpi_madt m;
	if (madt->length < sizeof(m))
		return -ENODEV;
	memcpy(&m, t, sizeof(m));
	p->lapic_base = m.lapic_addr;
	for (uint32_t off = sizeof(m); off + sizeof(struct acpi_madt_entry) <= madt->length;) {
		uint8_t type = t[off], len = t[off + 1];
		if (len < sizeof(struct acpi_madt_entry) || off + len > madt->length) {
			pr_warn("MADT entry at offset %u runs past the table, rest ignored", off);
			break;
		}
		const uint8_t *e = t + off;
		switch (type) {
		case MADT_TYPE_LAPIC: {
			struct acpi_madt_lapic l;
			if (len >= sizeof(l)) {
				memcpy(&l, e, sizeof(l));
				add_cpu(p, l.apic_id, l.flags & MADT_LAPIC_ENABLED);
			}
			break;
		}
		case MADT_TYPE_X2APIC: {
			struct acpi_madt_x2apic x;
			if (len >= sizeof(x)) {
				memcpy(&x, e, sizeof(x));
				add_cpu(p, x.x2apic_id, x.flags & MADT_LAPIC_ENABLED);
			}
			break;
		}
		case MADT_TYPE_IOAPIC: {
			struct acpi_madt_ioapic io;
			if (len >= sizeof(io)) {
				memcpy(&io, e, sizeof(io));
				add_ioapic(io.ioapic_id, io.address, io.gsi_base);
			}
			break;
		}
		case MADT_TYPE_ISO: {
			struct acpi_madt_iso iso;
			if (len >= sizeof(iso) && p->noverrides < MAX_IRQ_OVERRIDES) {
				memcpy(&iso, e, sizeof(iso));
				p->overrides[p->noverrides++] = (struct irq_override){
				    .isa_irq = iso.source, .gsi = iso.gsi, .flags = iso.flags};
			}
			break;
		}
		case MADT_TYPE_LAPIC_ADDR: {
			struct acpi_madt_lapic_addr a;
			if (len >= sizeof(a)) {
				memcpy(&a, e, sizeof(a));
				p->lapic_base = a.address;
			}
			break;
		}
		default:
			break;
		}
		off += len;
	}
	return p->ncpus ? 0 : -ENODEV;
}

static void parse_fadt(const struct acpi_header *fadt, struct platform *p)
{
	struct acpi_fadt f;
	if (fadt->length < ACPI_FADT_V1_SIZE)
		return;
	/* Only the ACPI 1.0 part is read: a shorter table leaves the rest 0. */
	memset(&f, 0, sizeof(f));
	memcpy(&f, fadt, ACPI_FADT_V1_SIZE);
	if (f.smi_cmd && f.smi_cmd <= 0xffff && f.acpi_enable && f.pm1a_cnt_blk && f.pm1a_cnt_blk <= 0xffff) {
		p->smi_cmd = (uint16_t)f.smi_cmd;
		p->acpi_enable = f.acpi_enable;
		p->pm1a_cnt = (uint16_t)f.pm1a_cnt_blk;
	}
	if (f.pm_tmr_blk && f.pm_tmr_blk <= 0xffff && f.pm_tmr_len == ACPI_PM_TMR_LEN) {
		p->pm_timer_port = (uint16_t)f.pm_tmr_blk;
		p->pm_timer_32bit = f.flags & ACPI_FADT_TMR_VAL_EXT;
	}
}

#define SCI_EN_POLLS 1000000 /* reads of PM1a_CNT before giving up */

void platform_acpi_mode(void)
{
	const struct platform *p = &platform;
	if (!p->smi_cmd || (inw(p->pm1a_cnt) & ACPI_PM1_CNT_SCI_EN))
		return;
	outb(p->smi_cmd, p->acpi_enable);
	for (uint32_t i = 0; i < SCI_EN_POLLS; i++)
		if (inw(p->pm1a_cnt) & ACPI_PM1_CNT_SCI_EN) {
			pr_info("ACPI mode on (0x%x to SMI_CMD 0x%x): no SMI later while guests run",
				p->acpi_enable, p->smi_cmd);
			return;
		}
	pr_warn("ACPI mode did not come on after 0x%x to SMI_CMD 0x%x (PM1a_CNT 0x%x)", p->acpi_enable,
		p->smi_cmd, p->pm1a_cnt);
}

int platform_discover(const struct acpi_rsdp *rsdp_copy, bool mptable_only)
{
	struct platform *p = &platform;
	const struct acpi_rsdp *rsdp = rsdp_copy;
	if (!rsdp) {
		rsdp = rsdp_find();
		p->rsdp_phys = (uint64_t)(uintptr_t)rsdp;
	}
	if (rsdp && !checksum_ok(rsdp, ACPI_RSDP_V1_SIZE)) {
		pr_warn("RSDP checksum is bad, ignored");
		rsdp = NULL;
	}
	if (rsdp) {
		const struct acpi_header *madt = find_table(rsdp, ACPI_SIG_MADT);
		const struct acpi_header *fadt = find_table(rsdp, ACPI_SIG_FADT);
		if (fadt)
			parse_fadt(fadt, p);
		if (mptable_only)
			pr_info("cpu_enum=mptable: MADT not used");
		else if (madt && parse_madt(madt, p) == 0) {
			p->source = "ACPI MADT";
			return 0;
		} else
			pr_warn("no usable MADT, trying the MP table");
	} else {
		pr_warn("no ACPI RSDP found, trying the MP table");
	}
	nioapics = 0;
	p->ncpus = 0;
	if (mptable_discover(p) == 0) {
		p->source = "MP table";
		return 0;
	}
	return -ENODEV;
}
