; SPDX-License-Identifier: GPL-2.0-only
; sandbox32.asm: entry into and exit from the sandbox, 32-bit (rt/sandbox.h;
; Intel SDM Vol. 3A 6.12.1 exception delivery and the stack switch through
; the TSS, 5.8.5 IRET to another privilege level, 3.4.5 the B flag of a
; stack segment). In a page of its own, mapped read-only (supervisor) in
; the sandbox's address space and in the guest's: sb_enter saves the
; guest's state in the control block, loads the sandbox's GDTR, IDTR,
; segments (SS: the 16-bit stack segment SBX_STACK) and CR3, the code's
; registers, and IRETs to it through the frame sandbox.c prepared; every
; vector of the sandbox's IDT leads to sb_common, which takes what the CPU
; pushed, goes back to the guest's CR3, GDTR, IDTR, segments and stack and
; returns from sb_enter with the results in the control block.
%include "layout.inc"

extern sb_misc_page
global sb_enter
global sb_stub_table
global sb_text_start
global sb_text_end

%define CTL(x) sb_misc_page + SB_CTL_OFF + x

section .text.sandbox progbits alloc exec nowrite align=4096
bits 32
sb_text_start:

; void sb_enter(void)
sb_enter:
	pushfd
	pushad
	cli
	mov [CTL(SBC_KSP)], esp
	sgdt [CTL(SBC_KGDTR)]
	sidt [CTL(SBC_KIDTR)]
	mov eax, cr3
	mov [CTL(SBC_KCR3)], eax
	lgdt [CTL(SBC_SGDTR)]
	lidt [CTL(SBC_SIDTR)]
	mov eax, [CTL(SBC_DSEL)]
	mov ebx, [CTL(SBC_SCR3)]
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov cr3, ebx                ; the sandbox's address space from here
	mov eax, SBX_STACK          ; a 16-bit stack segment (rt/sandbox.h)
	mov ss, eax
	mov esp, [cs:CTL(SBC_FRAME)] ; the frame: SP in SBX_STACK
	mov eax, [cs:CTL(SBC_REGS + 0)]
	mov ebx, [cs:CTL(SBC_REGS + 8)]
	mov ecx, [cs:CTL(SBC_REGS + 16)]
	mov edx, [cs:CTL(SBC_REGS + 24)]
	mov esi, [cs:CTL(SBC_REGS + 32)]
	mov edi, [cs:CTL(SBC_REGS + 40)]
	mov ebp, [cs:CTL(SBC_REGS + 48)]
	iretd

; On the stack: vector, error code, EIP, CS, EFLAGS, and from CPL 3 ESP,
; SS. Popped, not read at [esp + n]: the stack segment is a 16-bit one, its
; pushes wrapped within SP and ESP's upper half may be anything.
sb_common:
	pop esi
	pop edi
	pop ebx
	pop ebp
	pop edx
	pop ecx
	pop eax
	mov esp, [cs:CTL(SBC_KCR3)]
	mov cr3, esp                ; the guest's address space
	lgdt [cs:CTL(SBC_KGDTR)]
	lidt [cs:CTL(SBC_KIDTR)]
	mov esp, SEL_DATA32
	mov ds, esp
	mov es, esp
	mov fs, esp
	mov gs, esp
	mov ss, esp
	mov esp, [CTL(SBC_KSP)]
	mov [CTL(SBC_VEC)], esi
	mov [CTL(SBC_ERR)], edi
	mov [CTL(SBC_IP)], ebx
	mov [CTL(SBC_CS)], ebp
	mov [CTL(SBC_FLAGS)], edx
	mov [CTL(SBC_SP)], ecx
	mov [CTL(SBC_SS)], eax
	mov eax, cr2
	mov [CTL(SBC_CR2)], eax
	popad
	popfd
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

align 4
sb_stub_table:
%assign v 0
%rep 256
	dd sb_isr_%+v
%assign v v + 1
%endrep

align 4096, db 0xcc
sb_text_end:
