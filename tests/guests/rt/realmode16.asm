; SPDX-License-Identifier: GPL-2.0-only
; realmode16.asm: the real-mode helper, assembled flat (nasm -f bin) for
; RM_BASE and copied there by rt/realmode.c (Intel SDM Vol. 3A 9.9.2
; "Switching Back to Real-Address Mode", 9.9.1 for the way back).
;
; rm_enter (offset 0, called near from 32-bit code with paging off and
; IF = 0): switches to real mode with CS = DS = ES = SS = 0, the IVT at 0,
; installs rm_irq_handler at the IVT vector params.vector (when nonzero),
; records CR0 and CS, runs with IF = 1 until the TSC reaches params.deadline,
; then returns to 32-bit protected mode with the caller's GDT, IDT and stack.
; rm_irq_handler counts in params.irq_count and sends a non-specific EOI to
; the 8259 command port params.eoi_port. Parameters: rt/layout.h RMP_*.
%include "layout.inc"

bits 32
org RM_BASE

rm_enter:
	jmp near rm_enter32

times RM_PARAMS_OFF - ($ - $$) db 0
params:
	times RMP_SIZE db 0

rm_enter32:
	pushad
	mov [saved_esp], esp
	sidt [saved_idt]
	lidt [ivt_desc]             ; IF = 0: nothing is delivered until real mode
	jmp SEL_CODE16:.pm16        ; 16-bit protected mode, base 0, 64 KiB limit

bits 16
.pm16:
	mov ax, SEL_DATA16          ; real-mode compatible limits and attributes
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, cr0
	and eax, ~1                 ; PE = 0 (paging is off)
	mov cr0, eax
	jmp 0:.real

.real:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov sp, RM_STACK_TOP

	mov eax, cr0
	mov [params + RMP_CR0], eax
	xor eax, eax
	mov ax, cs
	mov [params + RMP_CS], eax

	mov bx, [params + RMP_VECTOR]
	test bx, bx
	jz .wait_start
	shl bx, 2
	mov word [bx], rm_irq_handler
	mov word [bx + 2], 0

.wait_start:
	sti
.wait:
	rdtsc
	cmp edx, [params + RMP_DEADLINE_HI]
	ja .done
	jb .wait
	cmp eax, [params + RMP_DEADLINE_LO]
	jb .wait
.done:
	cli

	mov eax, cr0
	or eax, 1                   ; PE = 1; the GDTR still holds the guest's GDT
	mov cr0, eax
	jmp dword SEL_CODE32:.pm32

bits 32
.pm32:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, [saved_esp]
	lidt [saved_idt]
	popad
	ret

bits 16
rm_irq_handler:
	push ax
	push dx
	inc dword [cs:params + RMP_IRQ_COUNT]
	mov dx, [cs:params + RMP_EOI_PORT]
	mov al, 0x20                ; OCW2 non-specific EOI
	out dx, al
	pop dx
	pop ax
	iret

align 4
saved_esp:
	dd 0
saved_idt:
	dw 0
	dd 0
ivt_desc:
	dw 0x3ff                    ; 256 four-byte vectors at 0
	dd 0

%if $ - $$ > RM_BLOB_MAX
%error "realmode blob larger than RM_BLOB_MAX"
%endif
