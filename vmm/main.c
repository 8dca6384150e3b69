/* SPDX-License-Identifier: GPL-2.0-only */
/* main.c: the VMM's boot flow (docs/boot-flow.md): each line below is one
 * step, in order. */
#define LOG_PREFIX "boot"
#include "vmm/platform/acpi.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/pic.h"
#include "arch/x86/vmx.h"
#include "vmm/platform/bootinfo.h"
#include "vmm/platform/cmdline.h"
#include "vmm/platform/desc.h"
#include "vmm/platform/ioapic.h"
#include "vmm/platform/log.h"
#include "vmm/platform/mm.h"
#include "vmm/platform/partition.h"
#include "vmm/platform/percpu.h"
#include "vmm/vm/guests.h"
#include "vmm/iopm/iopm.h"
#include "vmm/platform/report.h"
#include "vmm/vcpu/defer.h"
#include "vmm/vm/sched.h"
#include "vmm/platform/selftest.h"
#include "vmm/platform/smp.h"
#include "vmm/platform/timer.h"
#include "vmm/platform/trap.h"
#include "vmm/vm/vm.h"
#include "vmm/platform/vmx.h"

#define ERR_MAX 256

extern char __image_start[], __image_end[];
void vmm_main(uint32_t magic, uint32_t mbi);

static struct boot_info boot_info;
static struct boot_config config;
static struct partition_plan plan;
static uint8_t bsp_ist[IST_STACK_SIZE] __attribute__((aligned(16)));
extern uint8_t boot_stack_top[];

static void early_cpu_init(void)
{
	struct cpu *bsp = &cpus[0];
	bsp->stack_top = (uint64_t)(uintptr_t)boot_stack_top;
	bsp->ist_top = (uint64_t)(uintptr_t)(bsp_ist + sizeof(bsp_ist));
	idt_init();
	cpu_load_tables(bsp);
}

static void load_config(uint32_t magic, uint32_t mbi)
{
	char err[ERR_MAX];
	if (bootinfo_parse(magic, mbi, &boot_info, err, sizeof(err)))
		fatal("bad boot information: %s", err);
	pr_info("loader \"%s\", command line \"%s\", %u module(s)", boot_info.loader, boot_info.cmdline,
		boot_info.nmodules);
	cmdline_defaults(&config);
	if (cmdline_parse(boot_info.cmdline, &config, err, sizeof(err)))
		fatal("bad command line: %s", err);
	log_set_level((enum log_level)config.loglevel);
}

static void plan_memory(void)
{
	char err[ERR_MAX];
	struct memmap *mm = &boot_info.mmap;
	if (boot_info.mmap_dropped)
		pr_warn("memory map: %u entries beyond %u ignored", boot_info.mmap_dropped, MEMMAP_MAX);
	memmap_normalize(mm);
	for (uint32_t i = 0; i < mm->count; i++)
		pr_info("e820 0x%016llx-0x%016llx %s", (unsigned long long)mm->r[i].base,
			(unsigned long long)(mm->r[i].base + mm->r[i].size), memmap_type_name(mm->r[i].type));
	/* Modules GRUB packs back to back become one protected range. */
	struct zone mods[BOOT_MAX_MODULES];
	uint32_t nmods = 0;
	for (uint32_t i = 0; i < boot_info.nmodules; i++) {
		uint64_t b = ALIGN_DOWN(boot_info.module[i].start, PAGE_SIZE);
		uint64_t e = ALIGN_UP(boot_info.module[i].end, PAGE_SIZE);
		if (nmods && mods[nmods - 1].base + mods[nmods - 1].size == b)
			mods[nmods - 1].size += e - b;
		else
			mods[nmods++] = (struct zone){b, e - b};
	}
	if (plan_partitions(mm, &config, (uint64_t)(uintptr_t)__image_start, (uint64_t)(uintptr_t)__image_end,
			    mods, nmods, &plan, err, sizeof(err)))
		fatal("bad command line: %s", err);
	if (mm_init(&plan, err, sizeof(err)))
		fatal("bad command line: %s", err);
	platform_save_bios_data(); /* page 0 is unmapped from here on */
	paging_init(mm);
}

static void discover_cpus(void)
{
	char err[ERR_MAX];
	const struct acpi_rsdp *rsdp = boot_info.have_rsdp ? (const void *)boot_info.rsdp : NULL;
	if (platform_discover(config.cpu_enum == CPU_ENUM_MPTABLE ? NULL : rsdp,
			      config.cpu_enum == CPU_ENUM_MPTABLE))
		fatal("no CPU list: neither ACPI MADT nor MP table is usable");
	if (!lapic_init())
		fatal("this CPU has no local APIC");
	uint32_t bsp = lapic_id();
	pr_info("%u CPU(s) from %s, BSP apic %u, LAPIC %s at 0x%llx, %u IOAPIC(s)", platform.ncpus,
		platform.source, bsp, lapic_x2apic() ? "x2APIC" : "xAPIC",
		(unsigned long long)platform.lapic_base, nioapics);
	if (platform.cpus_ignored)
		pr_warn("%u CPU(s) beyond %u ignored", platform.cpus_ignored, MAX_CPUS);
	smp_init_cpus(&platform, bsp, config.iopms);
	if (plan_check_cpus(&config, ncpus, err, sizeof(err)))
		fatal("bad command line: %s", err);
}

static void start_interrupts(void)
{
	pic_disable();
	ioapic_init_all();
	if (timer_calibrate(platform.pm_timer_port, platform.pm_timer_32bit,
			    config.timer_ref == TIMER_REF_PMTIMER))
		fatal("could not calibrate the TSC: %s",
		      config.timer_ref == TIMER_REF_PMTIMER
			  ? "timer_ref=pmtimer: no ACPI PM timer, or it does not count"
			  : "neither PIT channel 2 nor the ACPI PM timer counts");
	sched_init(vm_vcpu_stopped);
	/* What the scheduler loop runs besides vCPUs: the IOPMs' polling on
	 * the BSP, deferred device completions on every CPU. */
	sched_add_hook(0, iopm_poll);
	sched_add_hook(SCHED_ALL_CPUS, defer_run);
}

static void start_vmx(void)
{
	/* The firmware's SMI for ACPI mode now, before VMXON, not later under a guest. */
	platform_acpi_mode();
	vmx_check();
	cpus[0].vmxon_region = vmx_caps.supported ? heap_alloc_pages(1) : 0;
	smp_vmx_on_this_cpu(&cpus[0]);
}

void vmm_main(uint32_t magic, uint32_t mbi)
{
	early_cpu_init();
	log_init();
	log_raw("coopvmm: starting");
	load_config(magic, mbi);
	plan_memory();
	discover_cpus();
	start_interrupts();
	start_vmx();
	uint32_t aps = smp_start_aps(sched_loop);
	pr_info("%u application processor(s) started", aps);
	boot_report(boot_info.cmdline, &plan, &boot_info);
	selftest_run((enum selftest)config.selftest);
	iopm_start_all(&config, &plan, &boot_info.mmap, &boot_info, platform.rsdp_phys);
	if (config.run[0])
		pr_info("%u guest(s) started", guests_start(config.run, &boot_info));
	sched_loop();
}
