; SPDX-License-Identifier: GPL-2.0-only
; trampoline.asm: AP start-up code, assembled as a flat binary and copied to
; TRAMPOLINE_ADDR (Intel SDM Vol. 3A 8.4.4 "MP Initialization Example",
; 9.9 "Mode Switching"). The AP arrives in real mode at CS:IP = 0x0800:0000
; after SIPI, goes to protected mode, then long mode with the BSP's page
; tables, and calls params.entry(params.cpu) on params.stack_top.
%include "asm_defs.inc"

bits 16
org TRAMPOLINE_ADDR
tramp_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	lgdt [tramp_gdt_ptr]
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)  ; INIT leaves caching disabled (SDM 9.1.1)
	or eax, CR0_PE
	mov cr0, eax
	jmp dword GDT_CODE32:tramp_protected

bits 32
tramp_protected:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [params + TRAMP_CR3]
	mov cr3, eax
	mov ecx, MSR_IA32_EFER
	mov eax, [params + TRAMP_EFER]
	xor edx, edx
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE | CR0_NE | CR0_WP
	mov cr0, eax
	jmp GDT_CODE64:tramp_long

bits 64
tramp_long:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, [params + TRAMP_STACK]
	mov edi, [params + TRAMP_CPU]
	mov rax, [params + TRAMP_ENTRY]
	call rax
.hang:
	cli
	hlt
	jmp .hang

align 8
tramp_gdt:
	dq 0                    ; null
	dq DESC_CODE64          ; GDT_CODE64
	dq DESC_DATA            ; GDT_DATA
	dq DESC_CODE32          ; GDT_CODE32
tramp_gdt_end:
tramp_gdt_ptr:
	dw tramp_gdt_end - tramp_gdt - 1
	dd tramp_gdt

	times TRAMP_PARAMS_OFFSET - ($ - $$) db 0
params:
	times TRAMP_PARAMS_SIZE db 0
