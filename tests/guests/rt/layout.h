/* SPDX-License-Identifier: GPL-2.0-only */
/* layout.h: where a test guest lives in guest-physical memory and its GDT
 * selectors. Read by C, by the linker script (through cpp) and by nasm
 * (through the generated layout.inc: tests/guests/Makefile turns each
 * `#define NAME VALUE` line into `%define NAME VALUE`). One value per line. */
#ifndef GUEST_RT_LAYOUT_H
#define GUEST_RT_LAYOUT_H

#define GUEST_LOAD_ADDR	 0x100000 /* Multiboot v1 ELF link = load address (1 MiB) */
#define GUEST_STACK_SIZE 0x8000	  /* the one stack (entry, main, traps) */

/* Real-mode helper (rt/realmode16.asm): copied below 1 MiB, its stack below it. */
#define RM_BASE		0x7000 /* blob address = offset with CS = DS = 0 */
#define RM_BLOB_MAX	0x800  /* bytes reserved for the blob */
#define RM_STACK_TOP	0x7000 /* real-mode SP (grows down from RM_BASE) */
#define RM_PARAMS_OFF	0x10   /* struct rm_params inside the blob */
#define RMP_VECTOR	0x00   /* IVT vector for the counting handler (0: none) */
#define RMP_DEADLINE_LO 0x04   /* TSC value at which real mode is left */
#define RMP_DEADLINE_HI 0x08
#define RMP_IRQ_COUNT	0x0c /* incremented by the handler */
#define RMP_CR0		0x10 /* CR0 as seen in real mode */
#define RMP_CS		0x14 /* CS as seen in real mode */
#define RMP_EOI_PORT	0x18 /* PIC command port the handler EOIs (0x20) */
#define RMP_SIZE	0x1c

/* Real-mode batches of CR/MSR operations (rt/rmops16.asm for rt/crmsr.c):
 * the blob runs from RM_BASE like realmode16 (one or the other at a time),
 * the operations (struct crmsr_op) lie at RMOPS_BUF, addressed in real mode
 * with DS = RMOPS_BUF >> 4. Fields of struct crmsr_op: */
#define RMOPS_BUF    0x20000
#define RMOPS_MAX    2048 /* 64 KiB of operations */
#define RMO_COUNT    0x00 /* blob parameter (at RM_PARAMS_OFF): number of operations */
#define OP_KIND	     0x00 /* 2 bytes: OPK_* */
#define OP_VECTOR    0x02 /* 2 bytes: exception vector, OP_NO_VECTOR if none */
#define OP_INDEX     0x04 /* MSR, XCR or CR number */
#define OP_VAL	     0x08 /* 8 bytes: value written */
#define OP_RESTORE   0x10 /* 8 bytes: CR value written back after the read-back */
#define OP_OUT	     0x18 /* 8 bytes: RDMSR result or CR read-back */
#define OP_SIZE	     0x20
#define OP_NO_VECTOR 0xffff
#define OPK_RDMSR    1
#define OPK_WRMSR    2
#define OPK_CR0	     3 /* MOV to CRn, MOV from CRn, MOV to CRn of the restore value */
#define OPK_CR3	     4
#define OPK_CR4	     5
#define OPK_CR8	     6 /* 64-bit mode only */
#define OPK_XSETBV   7
#define OPK_XGETBV   8
#define OPK_CR_UD    9 /* MOV to CR1/5/6/7 (64-bit: also CR9-CR15): #UD */

/* The sandbox (rt/sandbox.c, sandbox32.asm, sandbox64.asm): code run at CPL 0
 * or 3 in an address space of its own, with a GDT, IDT and TSS of its own.
 * Its GDT (kernel code and data share the runtime's selector numbers): */
#define SBX_CODE32	0x08 /* = SEL_CODE32 */
#define SBX_DATA	0x10 /* = SEL_DATA32 */
#define SBX_UCODE32	0x18 /* DPL 3 */
#define SBX_UDATA	0x20 /* DPL 3 */
#define SBX_TSS		0x28 /* 64-bit: 16 bytes (0x28, 0x30) */
#define SBX_UCODE64	0x38 /* DPL 3, L = 1 */
#define SBX_CODE64	0x40 /* = SEL_CODE64 */
#define SBX_STACK	0x48 /* 32-bit: SS of CPL-0 code, a 16-bit stack segment (rt/sandbox.h) */
#define SBX_XSTACK	0x50 /* 32-bit: SS0, the exception stack's 16-bit stack segment */
#define SBX_GDT_ENTRIES 11
#define SB_CTL_OFF	0x200 /* the control block in the sandbox's GDT/TSS page */
/* The control block the entry and exit code share with C (8-byte slots): */
#define SBC_KCR3  0x00 /* the kernel's CR3, GDTR, IDTR and stack pointer */
#define SBC_KSP	  0x08
#define SBC_KGDTR 0x10
#define SBC_KIDTR 0x20
#define SBC_SGDTR 0x30 /* the sandbox's GDTR, IDTR, CR3 */
#define SBC_SIDTR 0x40
#define SBC_SCR3  0x50
#define SBC_FRAME 0x58 /* stack pointer at the prepared IRET frame */
#define SBC_DSEL  0x60 /* DS/ES/FS/GS for the code */
#define SBC_REGS  0x68 /* AX BX CX DX SI DI BP, R8-R15 (64-bit): 15 slots */
#define SBC_VEC	  0xe0 /* results: vector, error code, IP, CS, FLAGS, SP, SS, CR2 */
#define SBC_ERR	  0xe8
#define SBC_IP	  0xf0
#define SBC_CS	  0xf8
#define SBC_FLAGS 0x100
#define SBC_SP	  0x108
#define SBC_SS	  0x110
#define SBC_CR2	  0x118
#define SBC_SIZE  0x120

/* GDT selectors (Intel SDM Vol. 3A 3.4.2, 3.4.5); rt/desc.c fills the GDT. */
#define SEL_NULL       0x00
#define SEL_CODE32     0x08 /* flat 4 GiB, 32-bit */
#define SEL_DATA32     0x10 /* flat 4 GiB */
#define SEL_CODE16     0x18 /* base 0, limit 64 KiB, 16-bit: real-mode switch */
#define SEL_DATA16     0x20 /* base 0, limit 64 KiB */
#define SEL_NOTPRESENT 0x28 /* data segment with P = 0 (#NP tests) */
#define SEL_SPARE0     0x30 /* data segments a test sets (gdt_set_data) */
#define SEL_SPARE1     0x38
#define SEL_CODE64     0x40 /* 64-bit code (64-bit runtime only; null in the 32-bit GDT) */
#define GDT_ENTRIES    9

/* 64-bit runtime (rt/entry64.asm): identity map with 2 MiB pages over the
 * first PT64_GIB GiB (guest RAM, IOAPIC, test device, LAPIC), supervisor
 * only, built before long mode is entered; one PML4, one PDPT, PT64_GIB PDs. */
#define PT64_GIB 4

/* AP start-up (rt/smp.c, rt/smp_tramp.asm): the real-mode trampoline is
 * copied to SMP_TRAMP_BASE (4 KiB aligned below 1 MiB: SIPI vector
 * SMP_TRAMP_BASE >> 12), clear of the real-mode blob (RM_BASE) and of the
 * Multiboot information at 0x9000. Its parameters, at these offsets: */
#define SMP_TRAMP_BASE 0x8000
#define SMP_TRAMP_MAX  0x400
#define SMPT_GDTR      0x08 /* 6 bytes: limit, base of the guest's GDT */
#define SMPT_ENTRY32   0x10 /* 32-bit entry in the image (flat CS = SEL_CODE32) */
#define SMPT_STACK     0x14 /* ESP for the AP */
#define SMPT_STARTS    0x18 /* incremented by every start */
#define SMPT_CS	       0x1c /* CS seen in real mode */
#define SMPT_CR0       0x20 /* CR0 seen in real mode */

#endif
