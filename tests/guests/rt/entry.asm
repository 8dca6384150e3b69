; SPDX-License-Identifier: GPL-2.0-only
; entry.asm: Multiboot v1 header and 32-bit entry point of every test guest
; (Multiboot spec 0.6.96: 3.1 header, 3.2 machine state at entry). Records
; the state the loader left (struct rt_boot_state in rt/rt.h, pushed here in
; reverse field order), clears .bss and calls rt_start(state), which runs
; main() and never returns.
%include "layout.inc"

MB1_MAGIC        equ 0x1BADB002
MB1_PAGE_ALIGN   equ 1 << 0        ; modules page aligned
MB1_MEMORY_INFO  equ 1 << 1        ; mem_* (and mmap) in the information
MB1_FLAGS        equ MB1_PAGE_ALIGN | MB1_MEMORY_INFO

extern rt_start
extern __bss_start
extern __bss_end
global _start
global stack_top

section .multiboot progbits alloc noexec nowrite align=4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)

section .stack nobits alloc noexec write align=16
	resb GUEST_STACK_SIZE
stack_top:

section .text
bits 32
_start:
	mov esp, stack_top          ; no flag changes until EFLAGS is saved
	mov ecx, ss                 ; struct rt_boot_state, last field first
	push ecx
	mov ecx, gs
	push ecx
	mov ecx, fs
	push ecx
	mov ecx, es
	push ecx
	mov ecx, ds
	push ecx
	mov ecx, cs
	push ecx
	mov ecx, cr0
	push ecx
	pushfd                      ; EFLAGS as the loader left it
	push ebx                    ; Multiboot information (physical)
	push eax                    ; 0x2BADB002

	cld
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	push esp                    ; &state
	call rt_start
.hang:
	cli
	hlt
	jmp .hang
