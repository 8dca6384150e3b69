; SPDX-License-Identifier: GPL-2.0-only
; rmops_blob.asm: embeds the flat real-mode CR/MSR batch runner
; (rmops16.bin, assembled from rt/rmops16.asm) in the guest image;
; rt/rmops.c copies it to RM_BASE before use.
global rmops_blob
global rmops_blob_end
section .rodata
align 16
rmops_blob:
	incbin "rmops16.bin"
rmops_blob_end:
