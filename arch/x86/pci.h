/* SPDX-License-Identifier: GPL-2.0-only */
/* pci.h: PCI configuration (PCI Local Bus Specification 3.0: 3.2.2.3.2
 * configuration mechanism #1 at ports 0xcf8/0xcfc, chapter 6
 * configuration space: the type 0 header, command and status registers,
 * base address registers) and the host bridge iopmd presents (Intel
 * 82441FX PMC, the 440FX's host bridge). Modelled by iopm/dev/pcihost.c. */
#ifndef ARCH_X86_PCI_H
#define ARCH_X86_PCI_H

/* Configuration mechanism #1 (3.2.2.3.2). */
#define PCI_CONFIG_ADDRESS   0xcf8 /* 32-bit accesses only: smaller ones go to other registers */
#define PCI_CONFIG_DATA	     0xcfc /* 0xcfc-0xcff: 1, 2 or 4 bytes at any offset */
#define PCI_CONFIG_PORTS     4
#define PCI_IO_SPACE_LAST    0xffff /* the x86 I/O address space a host bridge decodes (SDM Vol. 1 19.2) */
#define PCI_ADDR_ENABLE	     0x80000000U /* bit 31: the data port makes configuration cycles */
#define PCI_ADDR_BUS_SHIFT   16		 /* bits 23:16 */
#define PCI_ADDR_DEVFN_SHIFT 8		 /* bits 15:11 device, 10:8 function */
#define PCI_ADDR_REG_MASK    0xfcU	 /* bits 7:2 the dword; bits 1:0 and 30:24 read 0 */
#define PCI_ADDR_WRITABLE    0x80fffffcU
#define PCI_BUSES	     256
#define PCI_DEVFNS	     256 /* 32 devices of 8 functions on a bus */
#define PCI_DEVICES	     32	 /* device numbers 0-31: address bits 15:11 */
#define PCI_FUNCS	     8
#define PCI_DEVFN(dev, fn)   ((dev) << 3 | (fn))
#define PCI_CFG_SIZE	     256	 /* conventional configuration space of a function */
#define PCI_ABSENT	     0xffffffffU /* a read of no function: master abort */

/* Type 0 header (6.1). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09 /* class code: programming interface, 0x0a sub-class, 0x0b base class */
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BIST		0x0f
#define PCI_BAR0		0x10 /* six base address registers, 4 bytes each */
#define PCI_BARS		6
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c /* read/write scratch for the OS */
#define PCI_INTERRUPT_PIN	0x3d /* 0: none, 1-4: INTA#-INTD# */

#define PCI_HEADER_TYPE_NORMAL 0x00
#define PCI_HEADER_MULTI_FUNC  0x80 /* function 0 has siblings: scan functions 1-7 */

/* Command register (6.2.2). */
#define PCI_COMMAND_IO		 0x0001
#define PCI_COMMAND_MEMORY	 0x0002
#define PCI_COMMAND_MASTER	 0x0004
#define PCI_COMMAND_PARITY	 0x0040
#define PCI_COMMAND_SERR	 0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400

/* Status register (6.2.3): the error bits are cleared by writing 1. */
#define PCI_STATUS_INTERRUPT	    0x0008 /* the function's INTx is asserted (read-only) */
#define PCI_STATUS_CAP_LIST	    0x0010
#define PCI_STATUS_FAST_BACK	    0x0080
#define PCI_STATUS_PARITY	    0x0100 /* master data parity error */
#define PCI_STATUS_DEVSEL_MEDIUM    0x0200
#define PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define PCI_STATUS_REC_TARGET_ABORT 0x1000
#define PCI_STATUS_REC_MASTER_ABORT 0x2000
#define PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define PCI_STATUS_DETECTED_PARITY  0x8000
#define PCI_STATUS_WRITE_1_TO_CLEAR 0xf900

/* Base address registers (6.2.5.1): the low bits say what the BAR is and
 * are read-only; the address bits below the region's size read 0, so
 * writing all ones and reading back gives the size. */
#define PCI_BAR_IO	  0x01
#define PCI_BAR_MEM_64	  0x04 /* memory BAR of 64 bits: the next BAR is its upper half */
#define PCI_BAR_PREFETCH  0x08
#define PCI_BAR_IO_MIN	  4  /* smallest I/O region */
#define PCI_BAR_MEM_MIN	  16 /* smallest memory region */
#define PCI_BAR_IO_FLAGS  0x03
#define PCI_BAR_MEM_FLAGS 0x0f

/* Interrupt Pin (6.2.4): 1-4 name the function's INTA#-INTD#, the 4
 * interrupt pins a device may use (2.2.6). */
#define PCI_INTERRUPT_PIN_INTA 1
#define PCI_INTX_PINS	       4

/* Capability list (6.7): PCI_STATUS_CAP_LIST set, PCI_CAPABILITY_LIST
 * points at the first; each starts with its ID and the next pointer (0:
 * the last), dword aligned, after the header. */
#define PCI_CAP_ID	0x00
#define PCI_CAP_NEXT	0x01
#define PCI_CAP_FIRST	0x40 /* the first byte after the type 0 header */
#define PCI_CAP_ID_VNDR 0x09 /* vendor specific (Code and ID Assignment Specification) */
#define PCI_CAP_ID_MSIX 0x11

/* MSI-X (6.8.2): the capability (message control, table and PBA offsets
 * with their BAR indicator), a table of 16-byte entries and the pending
 * bit array, both in a memory BAR. */
#define PCI_MSIX_CTRL		   0x02 /* le16 message control */
#define PCI_MSIX_TABLE		   0x04 /* le32: offset (8-byte aligned) | BIR */
#define PCI_MSIX_PBA		   0x08 /* le32: offset (8-byte aligned) | BIR */
#define PCI_MSIX_CAP_SIZE	   12
#define PCI_MSIX_CTRL_QSIZE	   0x07ff /* table size - 1, read-only */
#define PCI_MSIX_CTRL_MASKALL	   0x4000 /* function mask */
#define PCI_MSIX_CTRL_ENABLE	   0x8000
#define PCI_MSIX_BIR_MASK	   0x7
#define PCI_MSIX_ENTRY_SIZE	   16
#define PCI_MSIX_ENTRY_ADDR_LO	   0x0
#define PCI_MSIX_ENTRY_ADDR_HI	   0x4
#define PCI_MSIX_ENTRY_DATA	   0x8
#define PCI_MSIX_ENTRY_VECTOR_CTRL 0xc
#define PCI_MSIX_ENTRY_MASKED	   0x1 /* vector control bit 0; the rest reserved, read 0 */
#define PCI_MSIX_MAX_VECTORS	   2048

/* Class codes (PCI Code and ID Assignment Specification). */
#define PCI_CLASS_BRIDGE_HOST	      0x060000 /* base class 06 bridge, sub-class 00 host, prog-if 00 */
#define PCI_CLASS_STORAGE_SCSI	      0x010000
#define PCI_CLASS_NETWORK_ETHERNET    0x020000
#define PCI_CLASS_COMMUNICATION_OTHER 0x078000
#define PCI_CLASS_OTHER		      0xff0000 /* a device that fits no class */

/* Intel 82441FX PMC (440FX host bridge, the 82441FX datasheet's
 * configuration registers): IDs, revision, and its reset command/status. */
#define PCI_VENDOR_INTEL    0x8086
#define PCI_DEVICE_I440FX   0x1237
#define PCI_I440FX_REVISION 0x02
#define PCI_I440FX_COMMAND  (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)
#define PCI_I440FX_STATUS   (PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM)

#endif
