; SPDX-License-Identifier: GPL-2.0-only
; isr.asm: the 256 interrupt entry stubs, the common save/restore path, and
; the landing point of trap_catch (Intel SDM Vol. 3A 6.12 "Exception and
; Interrupt Handling", 32-bit, no privilege change). Each stub pushes a dummy
; error code where the CPU pushes none, then its vector; the common path
; builds a struct trap_frame (rt/trap.h) and calls trap_dispatch(frame).
%include "layout.inc"

extern trap_dispatch
extern rt_catch_info
extern rt_catch_esp
global isr_stub_table
global rt_catch_call
global rt_catch_landing

section .text
bits 32

%macro ISR 1
isr_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign v 0
%rep 256
ISR v
%assign v v + 1
%endrep

isr_common:
	pushad
	push ds
	push es
	push fs
	push gs
	mov eax, SEL_DATA32         ; a test may run with odd data segments
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	cld
	push esp
	call trap_dispatch
	add esp, 4
	pop gs
	pop fs
	pop es
	pop ds
	popad
	add esp, 8                  ; vector, error code
	iretd

; int rt_catch_call(void (*fn)(void *), void *arg, struct trap_info *ti)
; Returns 1 when fn returned, 0 when trap_dispatch sent an exception to
; rt_catch_landing (it fills *ti and disarms the catch).
rt_catch_call:
	push ebp
	push ebx
	push esi
	push edi
	mov eax, [esp + 28]         ; ti
	mov [rt_catch_info], eax    ; armed
	mov [rt_catch_esp], esp
	mov eax, [esp + 20]         ; fn
	push dword [esp + 24]       ; arg
	call eax
	add esp, 4
	mov dword [rt_catch_info], 0
	mov eax, 1
	jmp catch_out
rt_catch_landing:
	mov esp, [rt_catch_esp]
	mov eax, SEL_DATA32
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	cld
	xor eax, eax
catch_out:
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

section .rodata
align 4
isr_stub_table:
%assign v 0
%rep 256
	dd isr_%+v
%assign v v + 1
%endrep
