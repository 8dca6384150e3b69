/* SPDX-License-Identifier: GPL-2.0-only */
/* vm.h: creating, starting and freeing virtual machines, and the table
 * of the VMs that exist (their structures and what the vCPU layer asks of
 * a VM are in vmm/vcpu/vm_types.h). */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/vcpu/vm_types.h"

extern struct vm *vms[VM_MAX];

/* Create a VM (state VM_CREATED) with `mem` bytes of zeroed RAM from the
 * guest pool and `nvcpus` vCPUs pinned round-robin to the VMM CPUs starting
 * at `first_cpu`; its platform devices `devices` (COOP_VM_DEV_*: COM1, the
 * RTC, PCI configuration) served by IOPM `iopm`, or, with VM_NO_IOPM, COM1
 * by the VMM (the log) and no other. The observer's `created` runs before
 * it returns. -EINVAL, -ENOMEM (the guest pool or the VMM heap), -ENOSPC
 * (the VM table), with err saying why. */
int vm_create(const char *name, uint64_t mem, uint32_t nvcpus, uint32_t first_cpu, int32_t iopm,
	      uint32_t devices, struct vm **out, char *err, size_t errlen);
/* vCPU 0's first state, set before vm_start(): Multiboot v1's machine
 * state (Multiboot 0.6.96 3.2: flat 32-bit protected mode, EIP = entry,
 * EAX = 0x2BADB002, EBX = the information's address), or Linux's 64-bit
 * boot protocol (long mode with the loader's page tables and GDT `start`,
 * RIP = entry, RSI = the zero page). */
void vm_boot_mb1(struct vm *vm, uint32_t entry, uint32_t mbi);
void vm_boot_linux64(struct vm *vm, uint64_t entry, uint64_t zero_page, const struct vcpu_start64 *start);
/* Start a VM_CREATED VM: every vCPU runnable on its CPU. A VM killed before
 * it started is started too: its vCPUs retire at once and free it. */
void vm_start(struct vm *vm);

/* Press the VM's ACPI power button (docs/vdevices.md "vPM"): PWRBTN_STS
 * is set and, if the guest enabled the event (PWRBTN_EN), the SCI (ISA IRQ
 * 9) asserted until the guest clears it; a guest that agrees to shut down
 * enters S5 and the VM ends as powered off, status 0. Callable from any
 * CPU, with the VM table's lock held or not (it takes vm->lock); nothing
 * happens to a VM that is ending. */
void vm_power_button(struct vm *vm);

/* Pause (its vCPUs are not run; one running now stops at its next exit)
 * or unpause a running VM. */
void vm_pause(struct vm *vm, bool paused);
/* CPU time its vCPUs have used, in ns. */
uint64_t vm_cpu_ns(const struct vm *vm);

/* Who is told that a VM was created (before anything runs in it) and that
 * it has ended (its end reported, before its memory is freed): the IOPMs'
 * layer, which announces and withdraws the guest RAM of the VMs it serves
 * (vmm/iopm/iopm.c). Called on the CPU that creates or ends the VM, no lock
 * held; the VM stays valid for the call. One observer; NULL: none. */
struct vm_observer {
	void (*created)(struct vm *vm);
	/* True: the observer keeps the VM's guest RAM (mem_hpa, mem_size) and
	 * gives it back later with guest_ram_free (an IOPM still maps it). */
	bool (*ended)(struct vm *vm);
};
void vm_set_observer(const struct vm_observer *o);
/* Called by a vCPU's CPU when the vCPU has stopped for good (the
 * scheduler's retire hook, vmm/vm/sched.h); the last one frees the VM. */
void vm_vcpu_stopped(struct vcpu *v);
/* VMs that exist (any state); VMs ever created. */
uint32_t vm_count_running(void);
uint64_t vm_count_made(void);
/* Run fn(vm, arg) for each VM that exists, under the VM table's lock (as
 * vm_call: fn must be short and must not end a VM). */
void vm_for_each(void (*fn)(struct vm *vm, void *arg), void *arg);

#endif
