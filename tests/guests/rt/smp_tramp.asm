; SPDX-License-Identifier: GPL-2.0-only
; smp_tramp.asm: the AP start-up trampoline, assembled flat (nasm -f bin) for
; SMP_TRAMP_BASE and copied there by rt/smp.c (Intel SDM Vol. 3A 8.4.4.1
; "Typical BSP Initialization Sequence", 9.9.1 "Switching to Protected
; Mode"). A SIPI with vector SMP_TRAMP_BASE >> 12 starts the AP here in real
; mode (CS = SMP_TRAMP_BASE >> 4, IP = 0). It records CS and CR0, counts its
; starts, clears CR0.CD/NW, loads the GDT register the BSP left in the
; parameters (the runtime's GDT), enters 32-bit protected mode with flat
; segments and ESP = the stack parameter, and jumps to the 32-bit entry
; parameter (rt/ap_entry.asm or rt/ap_entry64.asm). Parameters: rt/layout.h
; SMPT_*.
%include "layout.inc"

CR0_PE  equ 1 << 0
CR0_NW  equ 1 << 29
CR0_CD  equ 1 << 30

bits 16
org SMP_TRAMP_BASE

start:
	cli
	jmp near code

times SMPT_GDTR - ($ - $$) db 0
gdtr:
	dw 0
	dd 0
times SMPT_ENTRY32 - ($ - $$) db 0
entry32:  dd 0
times SMPT_STACK - ($ - $$) db 0
stack:    dd 0
times SMPT_STARTS - ($ - $$) db 0
starts:   dd 0
times SMPT_CS - ($ - $$) db 0
seen_cs:  dd 0
times SMPT_CR0 - ($ - $$) db 0
seen_cr0: dd 0

code:
	xor ax, ax
	mov ds, ax                  ; labels are absolute (org): DS = 0
	mov [seen_cs], cs
	mov eax, cr0
	mov [seen_cr0], eax
	lock inc dword [starts]
	o32 lgdt [gdtr]
	and eax, ~(CR0_CD | CR0_NW)
	or eax, CR0_PE
	mov cr0, eax
	jmp dword SEL_CODE32:pm32

bits 32
pm32:
	mov eax, SEL_DATA32
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	mov esp, [stack]
	jmp [entry32]

%if $ - $$ > SMP_TRAMP_MAX
%error "AP trampoline larger than SMP_TRAMP_MAX"
%endif
