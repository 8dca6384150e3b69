; SPDX-License-Identifier: GPL-2.0-only
; smp_tramp_blob.asm: embeds the flat AP trampoline (smp_tramp.bin, assembled
; from rt/smp_tramp.asm) in the guest image; rt/smp.c copies it to
; SMP_TRAMP_BASE before each start-up.
global smp_tramp_blob
global smp_tramp_blob_end
section .rodata
align 16
smp_tramp_blob:
	incbin "smp_tramp.bin"
smp_tramp_blob_end:
