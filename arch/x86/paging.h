/* paging.h: 4-level paging entry bits (Intel SDM Vol. 3A 4.5, tables 4-14
 * to 4-20). Used by the boot page tables (nasm) and vmm paging (C). */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#define PTE_P    (1ULL << 0)   /* present */
#define PTE_W    (1ULL << 1)   /* writable */
#define PTE_U    (1ULL << 2)   /* user */
#define PTE_PWT  (1ULL << 3)   /* write-through */
#define PTE_PCD  (1ULL << 4)   /* cache disable: with PWT, PAT entry 3 = UC */
#define PTE_A    (1ULL << 5)
#define PTE_D    (1ULL << 6)
#define PTE_PS   (1ULL << 7)   /* 2 MiB / 1 GiB page in PD / PDPT */
#define PTE_G    (1ULL << 8)
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL
#define PAE_PDPTE_COUNT 4   /* PDPTEs of PAE paging (SDM Vol. 3A 4.4.1) */
#define PT_ENTRIES 512
#define PML4_SHIFT 39
#define PDPT_SHIFT 30
#define PD_SHIFT   21

#endif
