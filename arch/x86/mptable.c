/* mptable.c: CPU and IOAPIC enumeration from the Intel MultiProcessor
 * Specification 1.4 tables (4.1 floating pointer, 4.2 configuration table
 * header, 4.3.1 processor entries, 4.3.3 I/O APIC entries); used only when
 * ACPI gives no MADT. */
#define LOG_PREFIX "mptable"
#include "arch/x86/acpi.h"

#include "arch/x86/cpu.h"
#include "arch/x86/ioapic.h"
#include "vmm/errno.h"
#include "vmm/log.h"

#define MP_FLOAT_SIZE 16
#define MP_CONFIG_HEADER_SIZE 44
#define MP_ENTRY_PROCESSOR 0
#define MP_ENTRY_IOAPIC 2
#define MP_PROCESSOR_SIZE 20
#define MP_OTHER_SIZE 8
#define MP_CPU_ENABLED 0x1
#define MP_IOAPIC_ENABLED 0x1
#define BASE_MEM_LAST_KIB 0x9fc00

struct mp_float {
	char signature[4]; /* "_MP_" */
	uint32_t config;   /* physical address of the configuration table */
	uint8_t length;    /* in 16-byte units */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t features[5];
} __attribute__((packed));

static bool sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	while (len--)
		s += *p++;
	return s == 0;
}

static const struct mp_float *scan(uint64_t start, uint64_t len)
{
	for (uint64_t a = start; a + MP_FLOAT_SIZE <= start + len; a += 16) {
		const struct mp_float *f = (const void *)(uintptr_t)a;
		if (!memcmp(f->signature, "_MP_", 4) && f->length == 1 &&
		    sum_ok((const uint8_t *)f, MP_FLOAT_SIZE))
			return f;
	}
	return NULL;
}

int mptable_discover(struct platform *p)
{
	const struct mp_float *f = NULL;
	if (bios_ebda_addr)
		f = scan(bios_ebda_addr, EBDA_SCAN_LEN);
	if (!f)
		f = scan(BASE_MEM_LAST_KIB, EBDA_SCAN_LEN);
	if (!f)
		f = scan(BIOS_ROM_START + 0x10000, 0x10000);
	if (!f || !f->config) {
		pr_warn("no MP floating pointer (or a default configuration, unsupported)");
		return -ENODEV;
	}
	const uint8_t *t = (const uint8_t *)(uintptr_t)f->config;
	uint16_t len, count;
	uint32_t lapic;
	memcpy(&len, t + 4, 2);
	memcpy(&count, t + 34, 2);
	memcpy(&lapic, t + 36, 4);
	if (memcmp(t, "PCMP", 4) || len < MP_CONFIG_HEADER_SIZE || !sum_ok(t, len)) {
		pr_warn("MP configuration table at 0x%x is invalid", f->config);
		return -ENODEV;
	}
	p->lapic_base = lapic;
	pr_info("MP table at 0x%x: %u entries, %u bytes", f->config, count, len);
	uint32_t off = MP_CONFIG_HEADER_SIZE;
	for (uint16_t i = 0; i < count && off < len; i++) {
		uint8_t type = t[off];
		uint32_t size = type == MP_ENTRY_PROCESSOR ? MP_PROCESSOR_SIZE : MP_OTHER_SIZE;
		if (off + size > len)
			break;
		const uint8_t *e = t + off;
		if (type == MP_ENTRY_PROCESSOR) {
			if (p->ncpus < MAX_CPUS)
				p->cpu[p->ncpus++] = (struct platform_cpu){ e[1], e[3] & MP_CPU_ENABLED };
			else
				p->cpus_ignored++;
		} else if (type == MP_ENTRY_IOAPIC && (e[3] & MP_IOAPIC_ENABLED) && nioapics < MAX_IOAPICS) {
			uint32_t addr;
			memcpy(&addr, e + 4, 4);
			/* MP tables carry no GSI base: IOAPICs are numbered in order. */
			uint32_t gsi = 0;
			for (uint32_t k = 0; k < nioapics; k++)
				gsi += ioapics[k].pins ? ioapics[k].pins : 24;
			ioapics[nioapics++] = (struct ioapic){ .id = e[1], .base = addr, .gsi_base = gsi };
		} else if (type > 4) {
			break; /* unknown entry type: its size is unknown */
		}
		off += size;
	}
	return p->ncpus ? 0 : -ENODEV;
}
