; SPDX-License-Identifier: GPL-2.0-only
; sandbox64.asm: entry into and exit from the sandbox, 64-bit (rt/sandbox.h;
; Intel SDM Vol. 3A 6.14.4-6.14.5: every vector of the sandbox's IDT uses
; IST 1, so the frame always lands on the exception stack; 6.14.3 IRETQ
; pops SS:RSP at every privilege level). In a page of its own, mapped
; read-only (supervisor) in both address spaces; see sandbox32.asm.
%include "layout.inc"

default rel
extern sb_misc_page
global sb_enter
global sb_stub_table
global sb_text_start
global sb_text_end

%define CTL(x) sb_misc_page + SB_CTL_OFF + x

section .text.sandbox progbits alloc exec nowrite align=4096
bits 64
sb_text_start:

; void sb_enter(void): callee-saved registers and RFLAGS kept.
sb_enter:
	pushfq
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	cli
	mov [CTL(SBC_KSP)], rsp
	sgdt [CTL(SBC_KGDTR)]
	sidt [CTL(SBC_KIDTR)]
	mov rax, cr3
	mov [CTL(SBC_KCR3)], rax
	lgdt [CTL(SBC_SGDTR)]
	lidt [CTL(SBC_SIDTR)]
	mov eax, [CTL(SBC_DSEL)]
	mov rbx, [CTL(SBC_SCR3)]
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov cr3, rbx                ; the sandbox's address space from here
	mov rsp, [CTL(SBC_FRAME)]   ; the frame, at its sandbox address
	mov rax, [CTL(SBC_REGS + 0)]
	mov rbx, [CTL(SBC_REGS + 8)]
	mov rcx, [CTL(SBC_REGS + 16)]
	mov rdx, [CTL(SBC_REGS + 24)]
	mov rsi, [CTL(SBC_REGS + 32)]
	mov rdi, [CTL(SBC_REGS + 40)]
	mov rbp, [CTL(SBC_REGS + 48)]
	mov r8, [CTL(SBC_REGS + 56)]
	mov r9, [CTL(SBC_REGS + 64)]
	mov r10, [CTL(SBC_REGS + 72)]
	mov r11, [CTL(SBC_REGS + 80)]
	mov r12, [CTL(SBC_REGS + 88)]
	mov r13, [CTL(SBC_REGS + 96)]
	mov r14, [CTL(SBC_REGS + 104)]
	mov r15, [CTL(SBC_REGS + 112)]
	iretq

; [rsp] vector, error code, RIP, CS, RFLAGS, RSP, SS (on IST 1).
sb_common:
	mov rsi, [rsp]
	mov rdi, [rsp + 8]
	mov rbx, [rsp + 16]
	mov rbp, [rsp + 24]
	mov rdx, [rsp + 32]
	mov rcx, [rsp + 40]
	mov rax, [rsp + 48]
	mov rsp, [CTL(SBC_KCR3)]
	mov cr3, rsp                ; the guest's address space
	lgdt [CTL(SBC_KGDTR)]
	lidt [CTL(SBC_KIDTR)]
	mov esp, SEL_DATA32
	mov ds, esp
	mov es, esp
	mov fs, esp
	mov gs, esp
	mov ss, esp
	mov rsp, [CTL(SBC_KSP)]
	mov [CTL(SBC_VEC)], rsi
	mov [CTL(SBC_ERR)], rdi
	mov [CTL(SBC_IP)], rbx
	mov [CTL(SBC_CS)], rbp
	mov [CTL(SBC_FLAGS)], rdx
	mov [CTL(SBC_SP)], rcx
	mov [CTL(SBC_SS)], rax
	mov rax, cr2
	mov [CTL(SBC_CR2)], rax
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	popfq
	ret

%macro SBISR 1
sb_isr_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push 0
%endif
	push %1
	jmp sb_common
%endmacro

%assign v 0
%rep 256
SBISR v
%assign v v + 1
%endrep

align 8
sb_stub_table:
%assign v 0
%rep 256
	dq sb_isr_%+v
%assign v v + 1
%endrep

align 4096, db 0xcc
sb_text_end:
