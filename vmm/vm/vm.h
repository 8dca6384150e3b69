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

/* Create a VM with `mem` bytes of RAM from the guest pool and `nvcpus`
 * vCPUs pinned round-robin to the VMM CPUs starting at `first_cpu`; its
 * platform devices (COM1, the RTC, PCI configuration) served by IOPM
 * `iopm`, or by the VMM (COM1 only: the log) when VM_NO_IOPM. */
int vm_create(const char *name, uint64_t mem, uint32_t nvcpus, uint32_t first_cpu, int32_t iopm,
	      struct vm **out, char *err, size_t errlen);
/* Make every vCPU runnable on its CPU. */
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

/* Who is told that a VM starts (before its vCPUs run) and that it has ended
 * (its end reported, before its memory is freed): the IOPMs' layer, which
 * announces and withdraws the guest RAM of the VMs it serves
 * (vmm/iopm/iopm.c). Called on the CPU that starts or ends the VM, no lock
 * held; the VM stays valid for the call. One observer; NULL: none. */
struct vm_observer {
	void (*started)(struct vm *vm);
	void (*ended)(struct vm *vm);
};
void vm_set_observer(const struct vm_observer *o);
/* Called by a vCPU's CPU when the vCPU has stopped for good (the
 * scheduler's retire hook, vmm/vm/sched.h); the last one frees the VM. */
void vm_vcpu_stopped(struct vcpu *v);
uint32_t vm_count_running(void);
/* Run fn(vm, arg) for each VM that exists, under the VM table's lock (as
 * vm_call: fn must be short and must not end a VM). */
void vm_for_each(void (*fn)(struct vm *vm, void *arg), void *arg);

#endif
