; SPDX-License-Identifier: GPL-2.0-only
; vmx_entry.asm: VM entry and the VM-exit landing point (Intel SDM Vol. 3C
; 26 "VM Entries", 27.5 "Loading Host State"). The guest's general registers
; live in a uint64_t[16] indexed by register number (RAX=0 ... R15=15; slot 4,
; RSP, is unused: RSP is in the VMCS).
;
; int vmx_enter(uint64_t regs[16], int launched)
;   returns 0 after a VM exit, 1 when VMLAUNCH/VMRESUME itself failed.
%include "asm_defs.inc"

global vmx_enter
global vmx_exit_landing

section .text
bits 64

%define R(n) (8 * (n))

vmx_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; the regs pointer, found again at exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .fail_early
	mov ecx, esi                    ; launched?
	mov rax, [rdi + R(0)]
	mov rdx, [rdi + R(2)]
	mov rbx, [rdi + R(3)]
	mov rbp, [rdi + R(5)]
	mov rsi, [rdi + R(6)]
	mov r8,  [rdi + R(8)]
	mov r9,  [rdi + R(9)]
	mov r10, [rdi + R(10)]
	mov r11, [rdi + R(11)]
	mov r12, [rdi + R(12)]
	mov r13, [rdi + R(13)]
	mov r14, [rdi + R(14)]
	mov r15, [rdi + R(15)]
	test ecx, ecx
	mov rcx, [rdi + R(1)]           ; mov leaves the flags of test alone
	mov rdi, [rdi + R(7)]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	pop rdi
.fail_early_popped:
	mov eax, 1
	jmp vmx_enter_out
.fail_early:
	pop rdi
	jmp .fail_early_popped

vmx_exit_landing:
	push rdi                        ; guest RDI; [rsp + 8] is the regs pointer
	mov rdi, [rsp + 8]
	mov [rdi + R(0)], rax
	mov [rdi + R(1)], rcx
	mov [rdi + R(2)], rdx
	mov [rdi + R(3)], rbx
	mov [rdi + R(5)], rbp
	mov [rdi + R(6)], rsi
	mov [rdi + R(8)], r8
	mov [rdi + R(9)], r9
	mov [rdi + R(10)], r10
	mov [rdi + R(11)], r11
	mov [rdi + R(12)], r12
	mov [rdi + R(13)], r13
	mov [rdi + R(14)], r14
	mov [rdi + R(15)], r15
	pop rax
	mov [rdi + R(7)], rax
	pop rdi
	xor eax, eax
vmx_enter_out:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
