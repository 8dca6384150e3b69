; SPDX-License-Identifier: GPL-2.0-only
; realmode_blob.asm: embeds the flat real-mode helper (realmode16.bin,
; assembled from rt/realmode16.asm) in the guest image; rt/realmode.c copies
; it to RM_BASE before use.
global realmode_blob
global realmode_blob_end
section .rodata
align 16
realmode_blob:
	incbin "realmode16.bin"
realmode_blob_end:
