; SPDX-License-Identifier: GPL-2.0-only
; entry64.asm: Multiboot v1 header and entry of the 64-bit test guests. The
; loader enters in 32-bit protected mode (Multiboot spec 0.6.96 3.2); this
; records its state (struct rt_boot_state in rt/rt.h), clears .bss, builds an
; identity map of the first PT64_GIB GiB with 2 MiB pages, enables PAE,
; EFER.LME and paging and enters 64-bit mode (Intel SDM Vol. 3A 9.8.5
; "Initializing IA-32e Mode"), then calls rt_start(&state). The image is
; linked as ELF64 and converted to ELF32 (objcopy -O elf32-i386), so a
; Multiboot v1 loader takes it.
; enter_long_mode is also the way of the APs (rt/ap_entry64.asm).
%include "layout.inc"

MB1_MAGIC        equ 0x1BADB002
MB1_FLAGS        equ (1 << 0) | (1 << 1)   ; modules page aligned, memory info

CR0_PE           equ 1 << 0
CR0_PG           equ 1 << 31
CR4_PAE          equ 1 << 5
MSR_EFER         equ 0xc0000080
EFER_LME         equ 1 << 8
PTE_P            equ 1 << 0
PTE_W            equ 1 << 1
PTE_PS           equ 1 << 7            ; 2 MiB page in a PD entry
PAGE_2M          equ 0x200000

extern rt_start
extern __bss_start
extern __bss_end
global _start
global stack_top
global rt_pml4
global enter_long_mode

section .multiboot progbits alloc noexec nowrite align=4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)

section .stack nobits alloc noexec write align=16
	resb GUEST_STACK_SIZE
stack_top:

section .bss
align 4096
rt_pml4:  resb 4096
rt_pdpt:  resb 4096
rt_pds:   resb 4096 * PT64_GIB

section .data
align 8
; struct rt_boot_state: magic, mbi, eflags, cr0, cs, ds, es, fs, gs, ss
entry_state: times 10 dd 0
; The GDT used until rt_start loads the runtime's (same selectors).
align 16
boot_gdt:
	dq 0                                ; SEL_NULL
	dq 0x00cf9a000000ffff               ; SEL_CODE32: flat, 32-bit
	dq 0x00cf92000000ffff               ; SEL_DATA32: flat
	times (SEL_CODE64 / 8 - 3) dq 0
	dq 0x00af9a000000ffff               ; SEL_CODE64: L = 1
boot_gdt_end:
boot_gdtr:
	dw boot_gdt_end - boot_gdt - 1
	dd boot_gdt

section .text
bits 32
_start:
	mov [entry_state + 0], eax          ; 0x2BADB002
	mov [entry_state + 4], ebx          ; Multiboot information
	mov esp, stack_top
	pushfd
	pop dword [entry_state + 8]
	mov ecx, cr0
	mov [entry_state + 12], ecx
	mov ecx, cs
	mov [entry_state + 16], ecx
	mov ecx, ds
	mov [entry_state + 20], ecx
	mov ecx, es
	mov [entry_state + 24], ecx
	mov ecx, fs
	mov [entry_state + 28], ecx
	mov ecx, gs
	mov [entry_state + 32], ecx
	mov ecx, ss
	mov [entry_state + 36], ecx

	cld
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	; PML4[0] -> PDPT; PDPT[i] -> PD i; PD i entry j maps (i * 512 + j) * 2 MiB.
	mov dword [rt_pml4], rt_pdpt + PTE_P + PTE_W
	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, rt_pds + PTE_P + PTE_W
	mov [rt_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, PT64_GIB
	jb .pdpt
	xor ecx, ecx                        ; entry index over all PDs
.pd:
	mov eax, ecx
	shl eax, 21                         ; low 32 bits of the address
	or eax, PTE_P + PTE_W + PTE_PS
	mov edx, ecx
	shr edx, 11                         ; bits 63:32 of (ecx << 21)
	mov [rt_pds + ecx * 8], eax
	mov [rt_pds + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, PT64_GIB * 512
	jb .pd

	lgdt [boot_gdtr]
	call enter_long_mode                ; returns in 64-bit mode
bits 64
	mov eax, SEL_DATA32
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	mov rsp, stack_top
	mov edi, entry_state                ; &state (below 2 GiB)
	call rt_start
.hang:
	cli
	hlt
	jmp .hang

bits 32
; From 32-bit protected mode with paging off: PAE, CR3 = rt_pml4,
; EFER.LME, paging; then a far return into 64-bit code at the caller's
; return address (the CALL pushed a 32-bit EIP).
enter_long_mode:
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, rt_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE
	mov cr0, eax                        ; IA-32e mode active, compatibility mode
	pop eax                             ; return address
	push dword SEL_CODE64
	push eax
	retf                                ; CS = SEL_CODE64: 64-bit mode
