; SPDX-License-Identifier: GPL-2.0-only
; iopm_trampoline.asm: start-up code of an IOPM's AP, assembled flat and
; copied to TRAMPOLINE_ADDR before INIT-SIPI-SIPI (Intel SDM Vol. 3A 8.4.4).
; Real mode -> 32-bit protected mode with paging off and a flat GDT that has
; __BOOT_CS = 0x10 and __BOOT_DS = 0x18, then the Linux 32-bit boot-protocol
; entry (Documentation/arch/x86/boot.rst "32-bit BOOT PROTOCOL"): ESI = the
; zero page, EBP = EDI = EBX = 0, interrupts off. It sets params.started
; first, so the VMM knows the AP ran.
%include "asm_defs.inc"

bits 16
org TRAMPOLINE_ADDR
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov byte [params + IOPM_TRAMP_STARTED], 1
	lgdt [gdt_ptr]
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW | CR0_PG)
	or eax, CR0_PE
	mov cr0, eax
	jmp dword LINUX_BOOT_CS:protected

bits 32
protected:
	mov ax, LINUX_BOOT_DS
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov esi, [params + IOPM_TRAMP_ZERO_PAGE]
	mov eax, [params + IOPM_TRAMP_ENTRY]
	xor ebx, ebx
	xor ebp, ebp
	xor edi, edi
	xor esp, esp                ; Linux sets up its own stack from boot_params
	jmp eax

align 8
gdt:
	dq 0
	dq 0
	dq DESC_CODE32          ; 0x10: __BOOT_CS
	dq DESC_DATA            ; 0x18: __BOOT_DS
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dd gdt

	times TRAMP_PARAMS_OFFSET - ($ - $$) db 0
params:
	times IOPM_TRAMP_PARAMS_SIZE db 0
