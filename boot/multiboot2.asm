; SPDX-License-Identifier: GPL-2.0-only
; multiboot2.asm: the VMM's Multiboot2 header and 32-bit entry point
; (Multiboot2 spec 3.1 and 3.3; Intel SDM Vol. 3A 9.8.5 "Initializing
; IA-32e Mode"). Identity-maps the first BOOT_IDENTITY_GIB GiB with 2 MiB
; pages, enters long mode and calls vmm_main(magic, mbi).
%include "asm_defs.inc"

extern vmm_main
extern __bss_start
extern __bss_end
global _start
global boot_pml4
global boot_stack_top

section .multiboot2
align 8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	dw 0, 0                 ; end tag: type 0, flags 0
	dd 8                    ; size 8
mb2_header_end:

section .boot.text
bits 32
_start:
	cli
	cld
	mov esi, eax            ; keep the loader's magic and MBI pointer
	mov ebp, ebx

	; zero .bss (page tables, stacks, per-CPU data)
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd

	mov [boot_magic], esi
	mov [boot_mbi], ebp
	mov esp, boot_stack_top

	; long mode supported? (CPUID 0x80000001 EDX.LM)
	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEATURES
	jb no_long_mode
	mov eax, CPUID_EXT_FEATURES
	cpuid
	test edx, CPUIDX_EDX_LM
	jz no_long_mode
	xor ebx, ebx            ; EFER value beyond LME
	test edx, CPUIDX_EDX_NX
	jz .no_nx
	mov ebx, EFER_NXE
.no_nx:

	; PML4[0] -> PDPT; PDPT[i] -> PD i; PD entries map 2 MiB pages 1:1
	mov eax, boot_pdpt
	or eax, PTE_P | PTE_W
	mov [boot_pml4], eax
	mov edi, boot_pdpt
	mov eax, boot_pd
	or eax, PTE_P | PTE_W
	mov ecx, BOOT_IDENTITY_GIB
.pdpt:
	mov [edi], eax
	add edi, 8
	add eax, PAGE_SIZE
	loop .pdpt
	mov edi, boot_pd
	mov eax, PTE_P | PTE_W | PTE_PS
	xor edx, edx            ; high half of the physical address
	mov ecx, BOOT_IDENTITY_GIB * PT_ENTRIES
.pd:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, LARGE_PAGE_SIZE
	adc edx, 0
	add edi, 8
	loop .pd

	mov eax, boot_pml4
	mov cr3, eax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov ecx, MSR_IA32_EFER
	rdmsr
	or eax, EFER_LME
	or eax, ebx
	wrmsr
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)  ; firmware may leave caching disabled
	or eax, CR0_PG | CR0_PE | CR0_NE | CR0_WP
	mov cr0, eax
	lgdt [boot_gdt_ptr]
	jmp GDT_CODE64:long_mode_entry

; No long mode: say so on COM1 (already set up by firmware or not: raw
; writes still reach Bochs' and QEMU's UART) and halt.
no_long_mode:
	mov esi, no_lm_msg
.putc:
	lodsb
	test al, al
	jz .halt
	mov dx, COM1_PORT
	out dx, al
	jmp .putc
.halt:
	cli
	hlt
	jmp .halt

bits 64
long_mode_entry:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	mov edi, [boot_magic]
	mov esi, [boot_mbi]
	call vmm_main
.hang:
	cli
	hlt
	jmp .hang

section .rodata
no_lm_msg: db "[boot] FATAL: this CPU has no long mode (CPUID 0x80000001 EDX.LM=0)", 13, 10, 0
align 8
boot_gdt:
	dq 0                    ; null
	dq DESC_CODE64          ; GDT_CODE64
	dq DESC_DATA            ; GDT_DATA
	dq DESC_CODE32          ; GDT_CODE32
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dq boot_gdt

section .bss
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * BOOT_IDENTITY_GIB
boot_stack: resb BOOT_STACK_SIZE
boot_stack_top:
boot_magic: resd 1
boot_mbi:   resd 1
