/* SPDX-License-Identifier: GPL-2.0-only */
/* mptable.c: CPU and IOAPIC enumeration from the Intel MultiProcessor
 * Specification 1.4 tables (4.1 floating pointer, 4.2 configuration table
 * header, 4.3.1 processor entries, 4.3.3 I/O APIC entries; layouts in
 * arch/x86/mptable.h); used only when ACPI gives no MADT. */
#define LOG_PREFIX "mptable"
#include "vmm/platform/acpi.h"

#include "arch/x86/cpu.h"
#include "arch/x86/mptable.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/ioapic.h"
#include "vmm/platform/log.h"

static bool sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	while (len--)
		s += *p++;
	return s == 0;
}

static const struct mp_float *scan(uint64_t start, uint64_t len)
{
	for (uint64_t a = start; a + sizeof(struct mp_float) <= start + len; a += MP_FLOAT_ALIGN) {
		const struct mp_float *f = (const void *)(uintptr_t)a;
		if (!memcmp(f->signature, MP_SIG_FLOAT, sizeof(f->signature)) && f->length == 1 &&
		    sum_ok((const uint8_t *)f, sizeof(*f)))
			return f;
	}
	return NULL;
}

static void add_ioapic(const struct mp_ioapic *io)
{
	/* MP tables carry no GSI base: IOAPICs are numbered in order. */
	uint32_t gsi = 0;
	for (uint32_t k = 0; k < nioapics; k++)
		gsi += ioapics[k].pins ? ioapics[k].pins : 24;
	ioapics[nioapics++] = (struct ioapic){.id = io->id, .base = io->address, .gsi_base = gsi};
}

int mptable_discover(struct platform *p)
{
	const struct mp_float *f = NULL;
	if (bios_ebda_addr)
		f = scan(bios_ebda_addr, EBDA_SCAN_LEN);
	if (!f)
		f = scan(MP_BASE_MEM_LAST_KIB, EBDA_SCAN_LEN);
	if (!f)
		f = scan(MP_BIOS_ROM_START, MP_BIOS_ROM_SIZE);
	if (!f || !f->config) {
		pr_warn("no MP floating pointer (or a default configuration, unsupported)");
		return -ENODEV;
	}
	const uint8_t *t = (const uint8_t *)(uintptr_t)f->config;
	struct mp_config h;
	memcpy(&h, t, sizeof(h));
	if (memcmp(h.signature, MP_SIG_CONFIG, sizeof(h.signature)) || h.length < sizeof(h) ||
	    !sum_ok(t, h.length)) {
		pr_warn("MP configuration table at 0x%x is invalid", f->config);
		return -ENODEV;
	}
	p->lapic_base = h.lapic_addr;
	pr_info("MP table at 0x%x: %u entries, %u bytes", f->config, h.entry_count, h.length);
	uint32_t off = sizeof(h);
	for (uint16_t i = 0; i < h.entry_count && off < h.length; i++) {
		uint8_t type = t[off];
		uint32_t size =
		    type == MP_ENTRY_PROCESSOR ? sizeof(struct mp_processor) : sizeof(struct mp_intsrc);
		if (off + size > h.length)
			break;
		const uint8_t *e = t + off;
		if (type == MP_ENTRY_PROCESSOR) {
			struct mp_processor c;
			memcpy(&c, e, sizeof(c));
			if (p->ncpus < MAX_CPUS)
				p->cpu[p->ncpus++] =
				    (struct platform_cpu){c.lapic_id, c.flags & MP_CPU_ENABLED};
			else
				p->cpus_ignored++;
		} else if (type == MP_ENTRY_IOAPIC) {
			struct mp_ioapic io;
			memcpy(&io, e, sizeof(io));
			if ((io.flags & MP_IOAPIC_ENABLED) && nioapics < MAX_IOAPICS)
				add_ioapic(&io);
		} else if (type > MP_ENTRY_LINT) {
			break; /* unknown entry type: its size is unknown */
		}
		off += size;
	}
	return p->ncpus ? 0 : -ENODEV;
}
