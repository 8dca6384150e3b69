; SPDX-License-Identifier: GPL-2.0-only
; trampoline_blob.asm: embeds the flat AP trampoline (build/trampoline.bin,
; assembled from boot/trampoline.asm) in the VMM image; vmm/platform/smp.c copies it
; to TRAMPOLINE_ADDR before starting each AP.
global trampoline_blob
global trampoline_blob_end
global iopm_trampoline_blob
global iopm_trampoline_blob_end
section .rodata
align 16
trampoline_blob:
	incbin "trampoline.bin"
trampoline_blob_end:
iopm_trampoline_blob:
	incbin "iopm_trampoline.bin"
iopm_trampoline_blob_end:
