/* SPDX-License-Identifier: GPL-2.0-only */
/* vm.c: creating and ending VMs: guest RAM from the guest pool mapped at
 * GPA 0 by the VM's own EPT (nothing else mapped), VPIDs, I/O and MSR
 * bitmaps that trap everything (the exit handlers decide), the VMM's
 * virtual devices, exit statistics when a VM ends. */
#define LOG_PREFIX "vm"
#include "vmm/vm/vm.h"

#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmx.h"
#include "vmm/vm/acpi_build.h"
#include "vmm/vm/mb1_loader.h" /* MB1_BOOT_MAGIC */
#include "vmm/lib/errno.h"
#include "vmm/vcpu/exit.h"
#include "vmm/platform/kick.h"
#include "vmm/platform/log.h"
#include "vmm/platform/mm.h"
#include "vmm/platform/percpu.h"
#include "vmm/vm/sched.h"
#include "vmm/platform/timer.h"
#include "vmm/vm/vdev.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vm/vm_layout.h"
#include "vmm/platform/vmx.h"

#define BITMAP_ALL_EXIT 0xff

struct vm *vms[VM_MAX];
static struct spinlock vms_lock;
static uint16_t next_vpid = VPID_MIN;
static uint32_t next_vm_id;
static uint64_t vms_made;
static const struct vm_observer *observer;

static uint64_t ept_alloc(void *ctx)
{
	(void)ctx;
	return heap_try_alloc_pages(1);
}

static void ept_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	heap_free_pages(pa, 1);
}

static void *ept_ptr(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static const struct ept_ops vm_ept_ops = {ept_alloc, ept_free, ept_ptr, NULL};

static uint64_t vm_pages(void)
{
	return ALIGN_UP(sizeof(struct vm), PAGE_SIZE) / PAGE_SIZE;
}

void *vm_gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t off;
	if (!vm_ram_offset(vm->mem_size, gpa, len, &off))
		return NULL;
	return (void *)(uintptr_t)(vm->mem_hpa + off);
}

/* Free the VM; its guest RAM too unless `keep_ram` (someone else frees it). */
static void free_vm(struct vm *vm, bool keep_ram)
{
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		if (vm->vcpu[i].vmcs)
			heap_free_pages(vm->vcpu[i].vmcs, 1);
	if (vm->ept.root)
		ept_destroy(&vm->ept);
	if (vm->io_bitmap[0])
		heap_free_pages(vm->io_bitmap[0], IO_BITMAP_PAGES);
	if (vm->msr_bitmap)
		heap_free_pages(vm->msr_bitmap, 1);
	if (vm->mem_hpa && !keep_ram)
		guest_ram_free(vm->mem_hpa, vm->mem_size);
	heap_free_pages((uint64_t)(uintptr_t)vm, vm_pages());
}

int vm_create(const char *name, uint64_t mem, uint32_t nvcpus, uint32_t first_cpu, int32_t iopm,
	      uint32_t devices, struct vm **out, char *err, size_t errlen)
{
	if (!vmx_caps.supported) {
		snprintf(err, errlen, "VT-x not available");
		return -ENOSYS;
	}
	if (mem < VM_MIN_MEM || !IS_ALIGNED(mem, LARGE_PAGE_SIZE) || !nvcpus || nvcpus > VM_MAX_VCPUS) {
		snprintf(err, errlen, "bad size: %llu bytes (2 MiB multiple, >= 2 MiB), %u vCPUs (1-%u)",
			 (unsigned long long)mem, nvcpus, VM_MAX_VCPUS);
		return -EINVAL;
	}
	uint64_t pa = heap_try_alloc_pages(vm_pages());
	if (!pa) {
		snprintf(err, errlen, "VMM heap exhausted");
		return -ENOMEM;
	}
	struct vm *vm = (struct vm *)(uintptr_t)pa;
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->mem_size = mem;
	vm->nvcpus = nvcpus;
	vm->mem_hpa = guest_ram_alloc(mem);
	if (!vm->mem_hpa) {
		snprintf(err, errlen, "no %llu MiB of contiguous guest RAM left in the pool",
			 (unsigned long long)(mem / MiB));
		free_vm(vm, false);
		return -ENOMEM;
	}
	int r = ept_init(&vm->ept, &vm_ept_ops);
	/* The RAM ranges of vm_layout.h; everything else (the PC hole, 3-4 GiB)
	 * is not RAM, so accesses there are MMIO (docs/guest-platform.md). */
	struct vm_ram_range rr[VM_RAM_RANGES_MAX];
	unsigned nrr = vm_ram_ranges(mem, rr);
	for (unsigned i = 0; !r && i < nrr; i++)
		r = ept_map(&vm->ept, rr[i].gpa, vm->mem_hpa + rr[i].off, rr[i].size, EPT_RWX, MEMTYPE_WB);
	vm->io_bitmap[0] = heap_try_alloc_pages(IO_BITMAP_PAGES);
	vm->io_bitmap[1] = vm->io_bitmap[0] + PAGE_SIZE;
	vm->msr_bitmap = heap_try_alloc_pages(1);
	if (r || !vm->io_bitmap[0] || !vm->msr_bitmap) {
		snprintf(err, errlen, "out of VMM heap for EPT/bitmaps (%d)", r);
		free_vm(vm, false);
		return -ENOMEM;
	}
	memset((void *)(uintptr_t)vm->io_bitmap[0], BITMAP_ALL_EXIT, IO_BITMAP_PAGES * PAGE_SIZE);
	memset((void *)(uintptr_t)vm->msr_bitmap, BITMAP_ALL_EXIT, PAGE_SIZE);
	/* ACPI and MP tables in the BIOS ROM area (docs/guest-platform.md). */
	struct acpi_build_result fw;
	r = acpi_build_guest((uint8_t *)(uintptr_t)vm->mem_hpa, mem, nvcpus, iopm != VM_NO_IOPM,
			     iopm != VM_NO_IOPM && (devices & COOP_VM_DEV_PCI), &fw);
	if (r) {
		snprintf(err, errlen, "cannot build the ACPI tables (%d)", r);
		free_vm(vm, false);
		return r;
	}

	uint64_t flags = spin_lock_irqsave(&vms_lock);
	uint32_t slot = VM_MAX;
	for (uint32_t i = 0; i < VM_MAX; i++)
		if (!vms[i]) {
			slot = i;
			break;
		}
	if (slot == VM_MAX) {
		spin_unlock_irqrestore(&vms_lock, flags);
		snprintf(err, errlen, "too many VMs (maximum %u)", VM_MAX);
		free_vm(vm, false);
		return -ENOSPC;
	}
	vm->id = next_vm_id++;
	vm->table_index = slot;
	vm->iopm = iopm;
	vm->devices = iopm == VM_NO_IOPM ? 0 : devices;
	vms[slot] = vm;
	for (uint32_t i = 0; i < nvcpus; i++) {
		vm->vcpu[i].vpid = next_vpid;
		next_vpid = next_vpid == VPID_MAX ? VPID_MIN : next_vpid + 1;
	}
	spin_unlock_irqrestore(&vms_lock, flags);

	virq_init_devices(vm);
	vuart_init(&vm->uart, vm->name, timer_rates.tsc_khz);
	testdev_init(&vm->testdev);
	testdev_defer_init(&vm->testdev_defer);
	r = vdev_attach(vm);
	if (r) {
		snprintf(err, errlen, "cannot map the VM's devices (%d)", r);
		vms[slot] = NULL;
		free_vm(vm, false);
		return r;
	}
	vdev_pm_init(vm, timer_rates.tsc_khz, rdtsc());
	for (uint32_t i = 0; i < nvcpus; i++) {
		struct vcpu *v = &vm->vcpu[i];
		v->vm = vm;
		v->id = i;
		v->cpu = sched_pick_cpu(first_cpu + i);
		v->state = i == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
		v->dr6 = DR6_INIT;
		v->misc_enable = MISC_ENABLE_FAST_STRINGS;
		v->vmcs = heap_try_alloc_pages(1);
		if (!v->vmcs) {
			snprintf(err, errlen, "out of VMM heap for VMCS");
			vms[slot] = NULL;
			free_vm(vm, false);
			return -ENOMEM;
		}
		virq_init_vcpu(v);
		uint16_t fcw = FXSAVE_FCW_INIT;
		uint32_t mxcsr = MXCSR_INIT;
		memcpy(v->fpu, &fcw, sizeof(fcw));
		memcpy(v->fpu + FXSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	}
	vm->vcpus_alive = nvcpus;
	vm->state = VM_CREATED;
	__atomic_fetch_add(&vms_made, 1, __ATOMIC_RELAXED);
	const struct vm_observer *o = __atomic_load_n(&observer, __ATOMIC_ACQUIRE);
	if (o && o->created)
		o->created(vm);
	*out = vm;
	return 0;
}

void vm_boot_mb1(struct vm *vm, uint32_t entry, uint32_t mbi)
{
	struct vcpu *v = &vm->vcpu[0];
	v->start64.on = false;
	v->start_rip = entry;
	v->regs[RAX] = MB1_BOOT_MAGIC;
	v->regs[RBX] = mbi;
}

void vm_boot_linux64(struct vm *vm, uint64_t entry, uint64_t zero_page, const struct vcpu_start64 *start)
{
	struct vcpu *v = &vm->vcpu[0];
	v->start64 = *start;
	v->start64.on = true;
	v->start_rip = entry;
	v->regs[RSI] = zero_page;
}

void vm_set_observer(const struct vm_observer *o)
{
	__atomic_store_n(&observer, o, __ATOMIC_RELEASE);
}

void vm_start(struct vm *vm)
{
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	if (vm->state == VM_CREATED)
		vm->state = VM_RUNNING;
	spin_unlock_irqrestore(&vm->lock, flags);
	vm->start_tsc = rdtsc();
	pr_info("vm %u %s: %llu MiB RAM at 0x%llx, %u vCPU(s) on CPU(s) %u%s, EPT %llu tables", vm->id,
		vm->name, (unsigned long long)(vm->mem_size / MiB), (unsigned long long)vm->mem_hpa,
		vm->nvcpus, vm->vcpu[0].cpu, vm->nvcpus > 1 ? "..." : "", (unsigned long long)vm->ept.tables);
	for (uint32_t i = 0, n = vm->nvcpus; i < n; i++) {
		struct vcpu *v = &vm->vcpu[i];
		if (sched_add(v)) {
			/* The vCPU never ran (no VMCS anywhere): it stops here, so
			 * that its VM, killed, can still end and free its memory. */
			vm_kill(vm, "cpu %u run queue full", v->cpu);
			vm_vcpu_stopped(v);
		}
	}
}

static void vm_stop(struct vm *vm, enum vm_state st)
{
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	if (vm->state == VM_RUNNING || vm->state == VM_CREATED)
		vm->state = st;
	spin_unlock_irqrestore(&vm->lock, flags);
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		cpu_kick(vm->vcpu[i].cpu);
}

void vm_pause(struct vm *vm, bool paused)
{
	vm->paused = paused;
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		cpu_kick(vm->vcpu[i].cpu);
}

uint64_t vm_cpu_ns(const struct vm *vm)
{
	uint64_t tsc = 0;
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		tsc += vm->vcpu[i].run_tsc;
	return tsc_to_us(tsc) * 1000;
}

void vm_exit(struct vm *vm, int status)
{
	vm->exit_status = status;
	vm_stop(vm, VM_EXITED);
}

void vm_kill(struct vm *vm, const char *fmt, ...)
{
	if (vm->state == VM_RUNNING || vm->state == VM_CREATED) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(vm->why, sizeof(vm->why), fmt, ap);
		va_end(ap);
	}
	vm_stop(vm, VM_KILLED);
}

static void report_end(struct vm *vm)
{
	vuart_end(&vm->uart);
	uint64_t us = tsc_to_us(rdtsc() - vm->start_tsc);
	if (vm->state == VM_EXITED && vm->powered_off)
		log_raw("[vm %u %s] powered off (ACPI S5)", vm->id, vm->name);
	if (vm->state == VM_EXITED)
		log_raw("[vm %u %s] exited: status %d after %llu ms", vm->id, vm->name, vm->exit_status,
			(unsigned long long)(us / 1000));
	else
		log_raw("[vm %u %s] killed: %s", vm->id, vm->name, vm->why);
	char line[200];
	size_t n = (size_t)snprintf(line, sizeof(line), "[vm %u %s] exits:", vm->id, vm->name);
	for (uint32_t r = 0; r < EXIT_REASONS; r++) {
		if (!vm->exit_count[r])
			continue;
		if (n > sizeof(line) - 40) {
			log_raw("%s", line);
			n = (size_t)snprintf(line, sizeof(line), "[vm %u %s] exits:", vm->id, vm->name);
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s %llu", exit_reason_name(r),
				      (unsigned long long)vm->exit_count[r]);
	}
	log_raw("%s", line);
	uint64_t requests = 0, waits = 0, outstanding = 0;
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		requests += vm->vcpu[i].io.requests;
		waits += vm->vcpu[i].io.waits;
		outstanding += vm->vcpu[i].io.state == IOREQ_PENDING;
	}
	log_raw("[vm %u %s] device requests %llu, completed later %llu, outstanding at the end %llu", vm->id,
		vm->name, (unsigned long long)requests, (unsigned long long)waits,
		(unsigned long long)outstanding);
	if (vm->testdev_defer.served)
		log_raw("[vm %u %s] deferred test device: %llu element(s) answered, %llu request(s) on "
			"another CPU",
			vm->id, vm->name, (unsigned long long)vm->testdev_defer.served,
			(unsigned long long)vm->testdev_defer.served_remote);
	if (vm->pm.presses || vm->pm.sleeps_ignored)
		log_raw(
		    "[vm %u %s] ACPI: power button presses %llu, sleep requests ignored %llu (SLP_TYP not "
		    "S5's)",
		    vm->id, vm->name, (unsigned long long)vm->pm.presses,
		    (unsigned long long)vm->pm.sleeps_ignored);
	log_raw("[vm %u %s] unclaimed io %llu mmio %llu, interrupts injected %llu, mmio re-executed %llu",
		vm->id, vm->name, (unsigned long long)vm->unclaimed_io,
		(unsigned long long)vm->unclaimed_mmio, (unsigned long long)vm->injected,
		(unsigned long long)vm->mmio_mismatch);
}

void vm_power_button(struct vm *vm)
{
	/* vm->lock, as every PM block access: the vCPU's port handler holds
	 * it around vpm_io (ioreq_pio) and takes no other lock inside, so a
	 * press from another CPU waits for the access or goes before it. The
	 * SCI callback's virq_set_gsi kicks the CPU of the vCPU the interrupt
	 * is for, so a halted or running guest takes it at its next entry. */
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	bool taken = vm->state == VM_RUNNING && vpm_power_button(&vm->pm, rdtsc());
	bool enabled = vm->pm.pm1_en & ACPI_PM1_PWRBTN_EN;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (taken)
		pr_info("vm %u %s: power button pressed%s", vm->id, vm->name,
			enabled ? "" : " (the guest has not set PWRBTN_EN: no SCI until it does)");
}

void vm_vcpu_stopped(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	v->state = VCPU_DEAD;
	bool last = --vm->vcpus_alive == 0;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (!last)
		return;
	report_end(vm);
	const struct vm_observer *o = __atomic_load_n(&observer, __ATOMIC_ACQUIRE);
	bool ram_kept = o && o->ended && o->ended(vm);
	flags = spin_lock_irqsave(&vms_lock);
	for (uint32_t i = 0; i < VM_MAX; i++)
		if (vms[i] == vm)
			vms[i] = NULL;
	spin_unlock_irqrestore(&vms_lock, flags);
	free_vm(vm, ram_kept);
	if (!vm_count_running())
		log_raw("coopvmm: all guests ended");
}

bool vm_call(uint32_t id, void (*fn)(struct vm *vm, void *arg), void *arg)
{
	bool found = false;
	uint64_t flags = spin_lock_irqsave(&vms_lock);
	for (uint32_t i = 0; i < VM_MAX && !found; i++) {
		if (vms[i] && vms[i]->id == id) {
			fn(vms[i], arg);
			found = true;
		}
	}
	spin_unlock_irqrestore(&vms_lock, flags);
	return found;
}

void vm_for_each(void (*fn)(struct vm *vm, void *arg), void *arg)
{
	uint64_t flags = spin_lock_irqsave(&vms_lock);
	for (uint32_t i = 0; i < VM_MAX; i++)
		if (vms[i])
			fn(vms[i], arg);
	spin_unlock_irqrestore(&vms_lock, flags);
}

uint64_t vm_count_made(void)
{
	return __atomic_load_n(&vms_made, __ATOMIC_RELAXED);
}

uint32_t vm_count_running(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < VM_MAX; i++)
		if (vms[i])
			n++;
	return n;
}
