; SPDX-License-Identifier: GPL-2.0-only
; ap_entry64.asm: where an AP started by rt/smp.c arrives in a 64-bit guest:
; from the trampoline (rt/smp_tramp.asm) in 32-bit protected mode with the
; runtime's flat segments and ESP = its stack, into 64-bit mode the way the
; BSP went (rt/entry64.asm enter_long_mode: same page tables), then
; rt_ap_main() (rt/smp.c), which never returns.
%include "layout.inc"

extern enter_long_mode
extern rt_ap_main
global rt_ap_entry32

section .text
bits 32
rt_ap_entry32:
	call enter_long_mode
bits 64
	mov eax, SEL_DATA32
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	mov esp, esp                ; zero-extends: RSP = the trampoline's ESP
	and rsp, -16
	call rt_ap_main
.hang:
	cli
	hlt
	jmp .hang
