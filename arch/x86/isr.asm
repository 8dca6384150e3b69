; SPDX-License-Identifier: GPL-2.0-only
; isr.asm: the 256 interrupt entry stubs and the common save/restore path
; (Intel SDM Vol. 3A 6.14 "Exception and Interrupt Handling in 64-bit Mode").
; Each stub pushes a dummy error code where the CPU pushes none, then the
; vector; the common path saves the GPRs as a struct trap_frame (vmm/platform/trap.h)
; and calls trap_dispatch(frame).
extern trap_dispatch
global isr_stub_table

section .text
bits 64

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
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	mov rbx, rsp            ; keep the frame; align the stack for the C call
	and rsp, -16
	call trap_dispatch
	mov rsp, rbx
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16             ; vector and error code
	iretq

section .rodata
align 8
isr_stub_table:
%assign v 0
%rep 256
	dq isr_ %+ v
%assign v v + 1
%endrep
