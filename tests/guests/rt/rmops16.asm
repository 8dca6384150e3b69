; SPDX-License-Identifier: GPL-2.0-only
; rmops16.asm: a batch of CR/MSR operations in real mode (rt/crmsr.h),
; assembled flat (nasm -f bin) for RM_BASE and copied there by rt/rmops.c
; (Intel SDM Vol. 3A 9.9.2 to real mode, 9.9.1 back; 20.1.4 real-mode
; interrupt and exception handling: IVT at 0, no error codes).
;
; rm_enter (offset 0, called near from 32-bit code with paging off and
; IF = 0): switches to real mode (CS = SS = 0, DS = RMOPS_BUF >> 4), points
; IVT vectors 0-31 at stubs that record the vector in the current operation
; and resume at its end, runs params.count operations (struct crmsr_op, one
; OP_SIZE apart from RMOPS_BUF), and returns to 32-bit protected mode with
; the caller's GDT, IDT and stack. A CR operation is MOV to CRn of OP_VAL,
; MOV from CRn into OP_OUT, MOV to CRn of OP_RESTORE: back-to-back, so a
; value the CPU takes (even CR0.PE = 1) is in force for one instruction.
%include "layout.inc"

bits 32
org RM_BASE

rm_enter:
	jmp near enter32

times RM_PARAMS_OFF - ($ - $$) db 0
params:
	times 16 db 0

enter32:
	pushad
	mov [saved_esp], esp
	sidt [saved_idt]
	xor ecx, ecx
.ivt:                               ; IVT entry v = 0000:stub_v
	movzx eax, word [stub_table + ecx * 2]
	mov [ecx * 4], eax
	inc ecx
	cmp ecx, 32
	jb .ivt
	lidt [ivt_desc]
	jmp SEL_CODE16:.pm16

bits 16
.pm16:
	mov ax, SEL_DATA16
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
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov sp, RM_STACK_TOP
	mov ax, RMOPS_BUF >> 4
	mov ds, ax
	xor si, si
	mov eax, [cs:params + RMO_COUNT]
	mov [cs:left], eax
	test eax, eax
	jz .done

.op:
	mov word [si + OP_VECTOR], OP_NO_VECTOR
	mov word [cs:recover], .after
	mov ax, [si + OP_KIND]
	cmp ax, OPK_RDMSR
	je .rdmsr
	cmp ax, OPK_WRMSR
	je .wrmsr
	cmp ax, OPK_CR0
	je .cr0
	cmp ax, OPK_CR3
	je .cr3
	cmp ax, OPK_CR4
	je .cr4
	cmp ax, OPK_XSETBV
	je .xsetbv
	cmp ax, OPK_XGETBV
	je .xgetbv
	cmp ax, OPK_CR_UD
	je .crud
	mov word [si + OP_VECTOR], 0xfffe  ; unknown kind
	jmp .after

.rdmsr:
	mov ecx, [si + OP_INDEX]
	rdmsr
	mov [si + OP_OUT], eax
	mov [si + OP_OUT + 4], edx
	jmp .after
.wrmsr:
	mov ecx, [si + OP_INDEX]
	mov eax, [si + OP_VAL]
	mov edx, [si + OP_VAL + 4]
	wrmsr
	jmp .after
.cr0:
	mov eax, [si + OP_VAL]
	mov ebx, [si + OP_RESTORE]
	mov cr0, eax
	mov edx, cr0
	mov cr0, ebx
	jmp .store_cr
.cr3:
	mov eax, [si + OP_VAL]
	mov ebx, [si + OP_RESTORE]
	mov cr3, eax
	mov edx, cr3
	mov cr3, ebx
	jmp .store_cr
.cr4:
	mov eax, [si + OP_VAL]
	mov ebx, [si + OP_RESTORE]
	mov cr4, eax
	mov edx, cr4
	mov cr4, ebx
.store_cr:
	mov [si + OP_OUT], edx
	mov dword [si + OP_OUT + 4], 0
	jmp .after
.xsetbv:
	mov ecx, [si + OP_INDEX]
	mov eax, [si + OP_VAL]
	mov edx, [si + OP_VAL + 4]
	xsetbv
	jmp .after
.xgetbv:
	mov ecx, [si + OP_INDEX]
	xgetbv
	mov [si + OP_OUT], eax
	mov [si + OP_OUT + 4], edx
	jmp .after
.crud:                              ; MOV to CR1/5/6/7 from EAX: #UD
	mov eax, [si + OP_VAL]
	mov bx, [si + OP_INDEX]
	cmp bx, 1
	jne .not1
	db 0x0f, 0x22, 0xc8
.not1:
	cmp bx, 5
	jne .not5
	db 0x0f, 0x22, 0xe8
.not5:
	cmp bx, 6
	jne .not6
	db 0x0f, 0x22, 0xf0
.not6:
	cmp bx, 7
	jne .after
	db 0x0f, 0x22, 0xf8

.after:
	add si, OP_SIZE
	dec dword [cs:left]
	jnz .op

.done:
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
; Exception v in real mode: FLAGS, CS, IP pushed (no error code). Record v
; in the current operation, resume at its end.
%assign v 0
%rep 32
stub_%+v:
	push word v
	jmp exc_common
%assign v v + 1
%endrep

exc_common:
	push bp
	mov bp, sp                  ; [bp] bp, [bp+2] vector, [bp+4] IP, [bp+6] CS, [bp+8] FLAGS
	push ax
	mov ax, [bp + 2]
	mov [si + OP_VECTOR], ax
	mov ax, [cs:recover]
	mov [bp + 4], ax
	mov word [bp + 6], 0
	pop ax
	pop bp
	add sp, 2
	iret

align 2
stub_table:
%assign v 0
%rep 32
	dw stub_%+v
%assign v v + 1
%endrep

align 4
left:
	dd 0
recover:
	dw 0
saved_esp:
	dd 0
saved_idt:
	dw 0
	dd 0
ivt_desc:
	dw 0x3ff
	dd 0

%if $ - $$ > RM_BLOB_MAX
%error "rmops blob larger than RM_BLOB_MAX"
%endif
