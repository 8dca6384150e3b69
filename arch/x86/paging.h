/* SPDX-License-Identifier: GPL-2.0-only */
/* paging.h: 4-level paging entry bits (Intel SDM Vol. 3A 4.5, tables 4-14
 * to 4-20), the 32-bit and PAE paging formats the VMM walks for its guests
 * (4.3, 4.4), memory types and the PAT (11.3, 11.12), and EPT entries
 * (Vol. 3C 29.3.2, 24.6.11). Used by the boot page tables (nasm, through
 * asm_defs.c) and vmm paging (C). */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ULL << PAGE_SHIFT) /* 4 KiB */
#define LARGE_PAGE_SIZE (1ULL << PD_SHIFT)   /* 2 MiB: a PDE with PS */

#define PTE_P		   (1ULL << 0) /* present */
#define PTE_W		   (1ULL << 1) /* writable */
#define PTE_U		   (1ULL << 2) /* user */
#define PTE_PWT		   (1ULL << 3) /* write-through */
#define PTE_PCD		   (1ULL << 4) /* cache disable: with PWT, PAT entry 3 = UC */
#define PTE_A		   (1ULL << 5)
#define PTE_D		   (1ULL << 6)
#define PTE_PS		   (1ULL << 7) /* 2 MiB / 1 GiB page in PD / PDPT */
#define PTE_G		   (1ULL << 8)
#define PTE_NX		   (1ULL << 63)
#define PTE_ADDR_MASK	   0x000ffffffffff000ULL
#define PAE_PDPTE_COUNT	   4 /* PDPTEs of PAE paging (SDM Vol. 3A 4.4.1) */
#define PT_ENTRIES	   512
#define PT_INDEX_BITS	   9 /* each level of 4-level, PAE and EPT paging translates 9 bits */
#define PML4_SHIFT	   39
#define PDPT_SHIFT	   30
#define PD_SHIFT	   21
#define PHYS_ADDR_BITS_MAX 52 /* MAXPHYADDR is at most 52 (4.1.4) */

/* 32-bit paging (4.3): 4-byte entries, a 4 MiB page with CR4.PSE and PS. */
#define PTE32_ADDR_MASK	   0xfffff000ULL
#define PDE32_4M_ADDR_MASK 0xffc00000ULL /* bits 31:22 (the PSE-36 bits 39:32 are not used) */
/* PAE paging (4.4.1): CR3 bits 31:5 locate the four PDPTEs; a present
 * PDPTE with a reserved bit set (63:52 without NX, 8:5, 2:1) is #GP at the
 * MOV to CR3/CR0/CR4 that loads it. */
#define PAE_CR3_PDPT_MASK  0xffffffe0ULL
#define PAE_PDPTE_RESERVED 0xfff00000000001e6ULL

/* Memory types (11.3 table 11-2; encodings of the MTRRs, PAT and EPT:
 * 11.11.1, 11.12.2 table 11-10, Vol. 3C 29.3.7); 2 and 3 are reserved,
 * 7 (UC-) is valid in the PAT only. */
#define MEMTYPE_UC	 0
#define MEMTYPE_WC	 1
#define MEMTYPE_WT	 4
#define MEMTYPE_WP	 5
#define MEMTYPE_WB	 6
#define MEMTYPE_UC_MINUS 7
/* IA32_PAT (11.12.2): eight one-byte entries, each a memory type; the
 * power-up value (11.12.4 table 11-12) is WB WT UC- UC WB WT UC- UC. */
#define PAT_ENTRIES	  8
#define PAT_ENTRY(pat, i) (((pat) >> (8 * (i))) & 0xff)
#define PAT_TYPE_VALID(t)                                                                                    \
	((t) == MEMTYPE_UC || (t) == MEMTYPE_WC || ((t) >= MEMTYPE_WT && (t) <= MEMTYPE_UC_MINUS))
#define PAT_RESET 0x0007040600070406ULL

/* EPT paging-structure entries (Vol. 3C 29.3.2, tables 29-1 to 29-6): the
 * 4-level layout of ordinary paging with read/write/execute permissions
 * and, in a leaf, the memory type and "ignore PAT". */
#define EPT_R	       (1ULL << 0)
#define EPT_W	       (1ULL << 1)
#define EPT_X	       (1ULL << 2)
#define EPT_RWX	       (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT   3 /* leaf: memory type, bits 5:3 */
#define EPT_IGNORE_PAT (1ULL << 6)
#define EPT_LARGE      (1ULL << 7)   /* a 2 MiB (PDE) or 1 GiB (PDPTE) leaf */
#define EPT_ADDR_MASK  PTE_ADDR_MASK /* bits 51:12, as in paging entries */
#define EPT_LEVELS     4
#define EPT_MAX_GPA    (1ULL << 48) /* 4 levels of 9 bits above the 12-bit page offset */
/* EPT pointer (Vol. 3C 24.6.11): memory type in bits 2:0 (UC or WB),
 * page-walk length minus 1 in bits 5:3. */
#define EPTP_WALK4 (3ULL << 3)

#endif
