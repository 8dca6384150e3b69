; SPDX-License-Identifier: GPL-2.0-only
; ap_entry.asm: where an AP started by rt/smp.c arrives in a 32-bit guest:
; from the trampoline (rt/smp_tramp.asm) in 32-bit protected mode with the
; runtime's flat segments and ESP = its stack; calls rt_ap_main() (rt/smp.c),
; which never returns.
%include "layout.inc"

extern rt_ap_main
global rt_ap_entry32

section .text
bits 32
rt_ap_entry32:
	and esp, -16
	call rt_ap_main
.hang:
	cli
	hlt
	jmp .hang
