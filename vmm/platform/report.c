/* SPDX-License-Identifier: GPL-2.0-only */
/* report.c: the boot report that ends the boot log: partitions with ranges
 * and sizes, CPUs with APIC IDs, roles and VMX state, timer rates. Its
 * format is a contract with tests/system/lib.py and docs/boot-report.md. */
#define LOG_PREFIX "report"
#include "vmm/platform/report.h"

#include "arch/x86/vmx.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"
#include "vmm/platform/timer.h"
#include "vmm/platform/vmx.h"

static void zone_line(const char *name, const struct zone *z)
{
	uint64_t sz = z->size;
	const char *unit = "KiB";
	uint64_t v = sz / KiB;
	if (sz >= GiB && sz % GiB == 0) {
		unit = "GiB";
		v = sz / GiB;
	} else if (sz >= MiB && sz % MiB == 0) {
		unit = "MiB";
		v = sz / MiB;
	}
	log_raw("zone %-9s 0x%016llx-0x%016llx %7llu %s", name, (unsigned long long)z->base,
		(unsigned long long)(z->base + z->size), (unsigned long long)v, unit);
}

static const char *state_name(enum cpu_state s)
{
	switch (s) {
	case CPU_ONLINE:
		return "online";
	case CPU_RESERVED:
		return "reserved";
	case CPU_FAILED:
		return "failed";
	case CPU_STOPPED:
		return "stopped";
	case CPU_PENDING:
		return "pending";
	default:
		return "absent";
	}
}

void boot_report(const char *cmdline, const struct partition_plan *p, const struct boot_info *bi)
{
	char name[16];
	log_raw("==== coopvmm boot report ====");
	log_raw("cmdline: %s", cmdline);
	zone_line("image", &p->image);
	zone_line("heap", &p->vmm_heap);
	zone_line("shared", &p->shared);
	for (uint32_t i = 0; i < p->iopms; i++) {
		snprintf(name, sizeof(name), "iopm%u", i);
		zone_line(name, &p->iopm[i]);
		snprintf(name, sizeof(name), "iopm%u-low", i);
		zone_line(name, &p->iopm_low[i]);
	}
	zone_line("trampoline", &p->trampoline);
	for (uint32_t i = 0; i < p->guest_ranges; i++)
		zone_line("guest", &p->guest[i]);
	for (uint32_t i = 0; i < bi->nmodules; i++)
		log_raw("module %u 0x%016llx-0x%016llx %s", i, (unsigned long long)bi->module[i].start,
			(unsigned long long)bi->module[i].end, bi->module[i].name);
	uint32_t vmx_cpus = 0;
	for (uint32_t i = 0; i < ncpus; i++) {
		const struct cpu *c = &cpus[i];
		if (c->role == CPU_ROLE_IOPM)
			snprintf(name, sizeof(name), "iopm%u", c->iopm);
		else
			snprintf(name, sizeof(name), "vmm");
		const char *vmx = c->role == CPU_ROLE_IOPM ? "-" : c->vmx_on ? "on" : "off";
		vmx_cpus += c->vmx_on;
		log_raw("cpu %u apic %u role %-5s state %-8s vmx %s", i, c->apic_id, name,
			state_name(c->state), vmx);
	}
	log_raw("timer tsc_khz %llu lapic_khz %llu source %s", (unsigned long long)timer_rates.tsc_khz,
		(unsigned long long)timer_rates.lapic_khz, timer_rates.source);
	log_raw("vmx supported %s cpus_on %u", vmx_caps.supported ? "yes" : "no", vmx_cpus);
	log_raw("==== end of boot report ====");
	log_raw("coopvmm: boot complete");
}
