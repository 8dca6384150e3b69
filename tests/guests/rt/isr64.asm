; SPDX-License-Identifier: GPL-2.0-only
; isr64.asm: the 256 interrupt entry stubs of the 64-bit runtime, the common
; save/restore path and the landing point of trap_catch (Intel SDM Vol. 3A
; 6.14 "Exception and Interrupt Handling in 64-bit Mode": the CPU aligns RSP
; to 16 and always pushes SS:RSP). Each stub pushes a dummy error code where
; the CPU pushes none, then its vector; the common path builds a struct
; trap_frame (rt/trap.h) and calls trap_dispatch(frame).
%include "layout.inc"

default rel
extern trap_dispatch
extern rt_catch_info
extern rt_catch_esp
global isr_stub_table
global rt_catch_call
global rt_catch_landing

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

; 7 quadwords from the CPU and the stub + 15 registers = 176 bytes: RSP
; stays 16-byte aligned for the call.
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
	call trap_dispatch
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
	add rsp, 16                 ; vector, error code
	iretq

; int rt_catch_call(void (*fn)(void *), void *arg, struct trap_info *ti)
; Returns 1 when fn returned, 0 when trap_dispatch sent an exception to
; rt_catch_landing (it fills *ti and disarms the catch).
rt_catch_call:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	sub rsp, 8                  ; 16-byte alignment at the call
	mov [rt_catch_info], rdx    ; armed
	mov [rt_catch_esp], rsp
	mov rax, rdi
	mov rdi, rsi
	call rax
	mov qword [rt_catch_info], 0
	mov eax, 1
	jmp catch_out
rt_catch_landing:
	mov rsp, [rt_catch_esp]
	mov eax, SEL_DATA32
	mov ds, eax
	mov es, eax
	mov ss, eax
	cld
	xor eax, eax
catch_out:
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

section .rodata
align 8
isr_stub_table:
%assign v 0
%rep 256
	dq isr_%+v
%assign v v + 1
%endrep
