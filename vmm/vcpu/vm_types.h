/* SPDX-License-Identifier: GPL-2.0-only */
/* vm_types.h: virtual machines and their vCPUs: guest RAM behind an EPT, one
 * VMCS per vCPU, the VMM-resident virtual devices (docs/guest-platform.md
 * "Devices inside the VMM"), exit statistics. docs/vcpu.md shows the life
 * cycle. */
#ifndef VMM_VM_TYPES_H
#define VMM_VM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "vmm/platform/ept.h"
#include "vmm/vcpu/iomap.h"
#include "vmm/lib/hot.h"
#include "vmm/lib/spinlock.h"
#include "vmm/vdev/testdev.h"
#include "vmm/vdev/testdev_defer.h"
#include "vmm/vcpu/vcpu_io.h"
#include "vmm/vdev/vioapic.h"
#include "vmm/vdev/vlapic.h"
#include "vmm/vdev/vpic.h"
#include "vmm/vdev/vpit.h"
#include "vmm/vdev/vpm.h"
#include "vmm/vdev/vuart.h"

#define VM_MAX		   16
#define VM_MAX_VCPUS	   4
#define VM_NAME_MAX	   64 /* with the NUL: names of up to 63 characters */
#define VM_CMDLINE_MAX	   256
#define VM_DEFAULT_MEM	   (16 * MiB)
#define VM_MIN_MEM	   (2 * MiB)
#define GPR_COUNT	   16
#define VCPU_SWITCHED_MSRS 6

/* General-purpose register numbers (SDM Vol. 2A table 2-2 order). */
enum gpr { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

enum vcpu_state {
	VCPU_RUNNABLE,	/* may run now */
	VCPU_HALTED,	/* HLT: runs again when an interrupt is pending */
	VCPU_WAIT_SIPI, /* an AP after INIT, waiting for SIPI */
	VCPU_DEAD,	/* its VM ended */
};

struct vm;

/* vCPU 0's first state in long mode (Linux's 64-bit boot protocol,
 * Documentation/arch/x86/boot.rst): the loader's page tables and GDT
 * (vmm/vm/linux_loader.h) and the selectors it put there. */
struct vcpu_start64 {
	bool on;
	uint16_t cs, ds, gdt_limit;
	uint64_t cr3, gdt_base;
};

struct vcpu {
	struct vm *vm;
	uint32_t id;  /* index in the VM; 0 is the BSP */
	uint32_t cpu; /* host CPU it is pinned to */
	uint16_t vpid;
	uint64_t regs[GPR_COUNT]; /* guest GPRs; regs[RSP] is unused (VMCS) */
	uint64_t vmcs;		  /* physical address of its VMCS region */
	bool vmcs_ready;	  /* written on its CPU */
	bool launched;
	volatile enum vcpu_state state;
	struct vlapic lapic;
	uint64_t sipi_vector;
	bool init_pending; /* INIT IPI received: acted on by the vCPU's own CPU */
	bool nmi_pending;  /* an NMI to inject (SDM 10.6.1: NMIs do not queue beyond one) */
	uint64_t nmis;	   /* NMIs injected */
	/* An event interrupted by the last exit, re-injected on the next entry. */
	uint32_t reinject_info, reinject_error, reinject_len;
	uint64_t exits;
	uint64_t run_tsc;	     /* TSC cycles spent in vcpu_run (its CPU time) */
	uint64_t next_deadline;	     /* TSC time its devices need attention */
	uint64_t start_rip;	     /* vCPU 0's entry point (the loader sets it) */
	struct vcpu_start64 start64; /* vCPU 0 starts in long mode (else flat 32-bit) */
	uint8_t fpu[FXSAVE_AREA_SIZE] __attribute__((aligned(FXSAVE_AREA_ALIGN))); /* FXSAVE area */
	uint64_t msrs[VCPU_SWITCHED_MSRS]; /* STAR..TSC_AUX (vmm/vcpu/vcpu_run.c) */
	/* Guest registers VMX does not switch, switched with the FPU state
	 * when another vCPU runs on this CPU (vmm/vcpu/vcpu_run.c). */
	uint64_t cr2, dr[4], dr6;
	/* The guest's TSC is the host's plus tsc_offset (TSC offsetting,
	 * SDM Vol. 3C 25.3); tsc_adjust is IA32_TSC_ADJUST, which follows
	 * every change of the offset (Vol. 3B 17.17.3). */
	uint64_t tsc_offset, tsc_adjust;
	uint64_t misc_enable;	    /* IA32_MISC_ENABLE as the guest sees it */
	uint32_t mmio_mismatch_run; /* MMIO exits in a row not matching their instruction */
	struct vcpu_io io;	    /* its device access in flight (vmm/vcpu/ioreq.h) */
};

/* VM_CREATED: made (vm_create), its vCPUs not yet started (vm_start);
 * VM_RUNNING until it ends: VM_EXITED on its own, VM_KILLED otherwise. */
enum vm_state { VM_RUNNING, VM_EXITED, VM_KILLED, VM_CREATED };

/* vm->iopm when no IOPM serves the VM's platform devices. */
#define VM_NO_IOPM (-1)

struct vm {
	uint32_t id;
	uint32_t table_index; /* its entry in the VM table (< VM_MAX): never two live VMs' */
	int32_t iopm;	      /* the IOPM serving its platform devices, or VM_NO_IOPM */
	uint32_t devices;     /* which of them (COOP_VM_DEV_*, shared/coopvmm_abi.h) */
	bool ram_shared;      /* its RAM is announced to IOPM 0 (RAM_MAP): withdraw it at the end */
	char name[VM_NAME_MAX];
	char cmdline[VM_CMDLINE_MAX];
	volatile enum vm_state state;
	volatile bool paused; /* its vCPUs are not run (vmctl pause) until unpaused */
	int exit_status;      /* debug-exit status when VM_EXITED (0 after S5) */
	bool exit_pending;    /* a device ended it: the debug-exit port, or S5 (ACPI soft off) */
	bool powered_off;     /* it ended by entering S5 (vmm/vm/vdev.c) */
	char why[256];	      /* kill reason when VM_KILLED */
	struct spinlock lock; /* devices, vLAPIC IRR/ISR, state */
	uint64_t mem_size;
	uint64_t mem_hpa; /* guest RAM: GPA 0 .. mem_size at this host address */
	struct ept ept;
	uint64_t io_bitmap[2]; /* physical addresses of I/O bitmaps A and B */
	uint64_t msr_bitmap;
	uint32_t nvcpus;
	uint32_t vcpus_alive;
	struct vcpu vcpu[VM_MAX_VCPUS];
	struct vpic pic;
	struct vpit pit;
	struct vpm pm; /* ACPI PM1 registers and PM timer */
	struct vioapic ioapic;
	struct vuart uart;
	struct testdev testdev;
	struct testdev_defer testdev_defer;
	struct iomap iomap; /* its device ranges and who serves each (vmm/vm/vdev.c fills it) */
	uint64_t exit_count[EXIT_REASONS];
	uint64_t unclaimed_io, unclaimed_mmio, injected;
	uint64_t forwarded;	/* requests put into an IOPM's slot */
	uint64_t ipis;		/* IPIs its vCPUs sent (virtual LAPIC ICR) */
	uint64_t mmio_mismatch; /* MMIO exits re-executed: instruction changed under the exit */
	struct hot hot_io;	/* the ports its port accesses go to most (under lock) */
	struct hot hot_mmio;	/* the pages (gpa >> PAGE_SHIFT) its MMIO accesses go to most */
	uint64_t start_tsc;
};

/* The structures above are what the vCPU layer works on; below, the VM
 * operations it calls (exit handlers, the request path, the run loop). The
 * VM layer implements them (vmm/vm/vm.c); creating, starting and freeing VMs
 * is its own interface (vmm/vm/vm.h). */

/* End a VM: its vCPUs stop at their next exit; the last one frees it. */
void vm_exit(struct vm *vm, int status);
void vm_kill(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run fn(vm, arg) with the VM whose id is `id`, if it still exists: it
 * cannot be freed meanwhile (the VM table's lock is held: fn must be short
 * and must not end a VM). False when there is no such VM. */
bool vm_call(uint32_t id, void (*fn)(struct vm *vm, void *arg), void *arg);
/* Host pointer for guest-physical [gpa, gpa+len) if it is RAM, else NULL. */
void *vm_gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len);

#endif
