/* SPDX-License-Identifier: GPL-2.0-only */
/* asm_defs.c: compiled to assembly only; the Makefile turns each "->NAME VALUE"
 * marker into a nasm %define in build/asm_defs.inc, so that boot and
 * trampoline code use the C headers' constants and struct offsets. */
#include <stddef.h>

#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/layout.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/serial.h"
#include "arch/x86/trampoline.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/multiboot2.h"

/* Values are emitted as four 16-bit pieces: an x86-64 "i" operand must fit
 * a sign-extended 32-bit immediate, which 0x80000000 and up do not. */
#define PIECE(v, n) ((unsigned long long)(v) >> (16 * (n)) & 0xffff)
#define DEFINE(name, value)                                                                                  \
	__asm__ volatile("\n.ascii \"->" #name " %c0 %c1 %c2 %c3\"" ::"i"(PIECE(value, 3)),                  \
			 "i"(PIECE(value, 2)), "i"(PIECE(value, 1)), "i"(PIECE(value, 0)))
#define OFFSET(name, type, member) DEFINE(name, offsetof(type, member))

void asm_defs(void);
void asm_defs(void)
{
	DEFINE(VMM_LOAD_ADDR, VMM_LOAD_ADDR);
	DEFINE(TRAMPOLINE_ADDR, TRAMPOLINE_ADDR);
	DEFINE(BOOT_STACK_SIZE, BOOT_STACK_SIZE);
	DEFINE(BOOT_IDENTITY_GIB, BOOT_IDENTITY_GIB);
	DEFINE(MBI_COPY_SIZE, MBI_COPY_SIZE);
	DEFINE(GDT_CODE64, GDT_CODE64);
	DEFINE(DESC_CODE64, DESC_CODE64);
	DEFINE(DESC_DATA, DESC_DATA);
	DEFINE(DESC_CODE32, DESC_CODE32);
	DEFINE(GDT_DATA, GDT_DATA);
	DEFINE(GDT_CODE32, GDT_CODE32);
	DEFINE(MB2_HEADER_MAGIC, MB2_HEADER_MAGIC);
	DEFINE(MB2_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
	DEFINE(MB2_ARCH_I386, MB2_ARCH_I386);
	DEFINE(MSR_IA32_EFER, MSR_IA32_EFER);
	DEFINE(EFER_LME, EFER_LME);
	DEFINE(EFER_NXE, EFER_NXE);
	DEFINE(CR0_PE, CR0_PE);
	DEFINE(CR0_PG, CR0_PG);
	DEFINE(CR0_NE, CR0_NE);
	DEFINE(CR0_WP, CR0_WP);
	DEFINE(CR0_CD, CR0_CD);
	DEFINE(CR0_NW, CR0_NW);
	DEFINE(CR4_PAE, CR4_PAE);
	DEFINE(CPUID_EXT_MAX, CPUID_EXT_MAX);
	DEFINE(CPUID_EXT_FEATURES, CPUID_EXT_FEATURES);
	DEFINE(CPUIDX_EDX_LM, CPUIDX_EDX_LM);
	DEFINE(CPUIDX_EDX_NX, CPUIDX_EDX_NX);
	DEFINE(PTE_P, PTE_P);
	DEFINE(PTE_W, PTE_W);
	DEFINE(PTE_PS, PTE_PS);
	DEFINE(PAGE_SIZE, PAGE_SIZE);
	DEFINE(LARGE_PAGE_SIZE, LARGE_PAGE_SIZE);
	DEFINE(PT_ENTRIES, PT_ENTRIES);
	DEFINE(COM1_PORT, COM1_PORT);
	DEFINE(TRAMP_CR3, offsetof(struct trampoline_params, cr3));
	DEFINE(TRAMP_STACK, offsetof(struct trampoline_params, stack_top));
	DEFINE(TRAMP_ENTRY, offsetof(struct trampoline_params, entry));
	DEFINE(TRAMP_CPU, offsetof(struct trampoline_params, cpu));
	DEFINE(TRAMP_EFER, offsetof(struct trampoline_params, efer));
	DEFINE(TRAMP_PARAMS_OFFSET, TRAMP_PARAMS_OFFSET);
	DEFINE(VMCS_HOST_RSP, HOST_RSP);
	DEFINE(IOPM_TRAMP_ZERO_PAGE, offsetof(struct iopm_trampoline_params, zero_page));
	DEFINE(IOPM_TRAMP_ENTRY, offsetof(struct iopm_trampoline_params, entry));
	DEFINE(IOPM_TRAMP_STARTED, offsetof(struct iopm_trampoline_params, started));
	DEFINE(IOPM_TRAMP_PARAMS_SIZE, sizeof(struct iopm_trampoline_params));
	DEFINE(LINUX_BOOT_CS, LINUX_BOOT_CS);
	DEFINE(LINUX_BOOT_DS, LINUX_BOOT_DS);
	DEFINE(TRAMP_PARAMS_SIZE, sizeof(struct trampoline_params));
}
