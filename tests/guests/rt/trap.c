/* SPDX-License-Identifier: GPL-2.0-only */
/* trap.c: the guest's GDT and IDT, and the dispatch of every vector to an
 * installed handler, to a pending trap_catch, or to a FAIL line (Intel SDM
 * Vol. 3A 3.4.5 segment descriptors, 6.10-6.11 IDT, 6.13 error codes; 64-bit
 * runtime: 5.2.1 64-bit code segments, 6.14.1 64-bit IDT gates). */
#include "rt/rt.h"

/* Segment descriptor fields (3.4.5). */
#define DESC_LIMIT_LO(l)  ((uint64_t)((l)&0xffff))
#define DESC_LIMIT_HI(l)  ((uint64_t)(((l) >> 16) & 0xf) << 48)
#define DESC_BASE(b)	  (((uint64_t)((b)&0xffffff) << 16) | ((uint64_t)((b) >> 24) << 56))
#define DESC_TYPE_DATA_RW (0x2ULL << 40)
#define DESC_TYPE_CODE_RX (0xaULL << 40)
#define DESC_S		  (1ULL << 44) /* code/data (not system) */
#define DESC_P		  (1ULL << 47) /* present */
#define DESC_L		  (1ULL << 53) /* 64-bit code */
#define DESC_DB		  (1ULL << 54) /* 32-bit default size */
#define DESC_G		  (1ULL << 55) /* limit in 4 KiB units */
#define IDT_GATE_INTR	  0x8e	       /* present, DPL 0, 32-bit (64-bit in long mode) interrupt gate */

#ifdef __x86_64__
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
#else
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;
	uint16_t offset_hi;
} __attribute__((packed));
#endif

struct table_reg {
	uint16_t limit;
	uintptr_t base;
} __attribute__((packed));

extern const uintptr_t isr_stub_table[NUM_VECTORS];
extern char rt_catch_landing[];
int rt_catch_call(void (*fn)(void *), void *arg, struct trap_info *ti);
void trap_dispatch(struct trap_frame *f);

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct idt_gate idt[NUM_VECTORS] __attribute__((aligned(16)));
static trap_handler_fn handlers[NUM_VECTORS];
static volatile uint32_t counts[NUM_VECTORS];

/* Read by isr.asm: the armed catch (NULL: none) and trap_catch's stack. */
struct trap_info *volatile rt_catch_info;
uintptr_t rt_catch_esp;

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint64_t type, bool big)
{
	uint64_t d = DESC_BASE(base) | type | DESC_S | DESC_P;
	if (limit > 0xfffff) {
		limit >>= 12;
		d |= DESC_G;
	}
	return d | DESC_LIMIT_LO(limit) | DESC_LIMIT_HI(limit) | (big ? DESC_DB : 0);
}

void gdt_set_data(uint16_t sel, uint32_t base, uint32_t limit)
{
	if (sel != SEL_SPARE0 && sel != SEL_SPARE1)
		fail("gdt_set_data: selector %#x is not a spare one", sel);
	gdt[sel / 8] = seg_desc(base, limit, DESC_TYPE_DATA_RW, true);
}

void lidt(uintptr_t base, uint16_t limit)
{
	struct table_reg r = {limit, base};
	__asm__ volatile("lidt %0" : : "m"(r) : "memory");
}

void idt_reload(void)
{
	lidt((uintptr_t)idt, sizeof(idt) - 1);
}

/* GDTR = the runtime's GDT, CS and the data segments reloaded from it. */
void gdt_reload(void)
{
	struct table_reg r = {sizeof(gdt) - 1, (uintptr_t)gdt};
#ifdef __x86_64__
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%fs\n\t"
			 "mov %%eax, %%gs\n\t"
			 "mov %%eax, %%ss"
			 :
			 : "m"(r), "i"(SEL_CODE64), "i"(SEL_DATA32)
			 : "rax", "memory");
#else
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%fs\n\t"
			 "mov %%eax, %%gs\n\t"
			 "mov %%eax, %%ss"
			 :
			 : "m"(r), "i"(SEL_CODE32), "i"(SEL_DATA32)
			 : "eax", "memory");
#endif
}

void trap_init(void)
{
	gdt[SEL_NULL / 8] = 0;
	gdt[SEL_CODE32 / 8] = seg_desc(0, 0xffffffff, DESC_TYPE_CODE_RX, true);
	gdt[SEL_DATA32 / 8] = seg_desc(0, 0xffffffff, DESC_TYPE_DATA_RW, true);
	gdt[SEL_CODE16 / 8] = seg_desc(0, 0xffff, DESC_TYPE_CODE_RX, false);
	gdt[SEL_DATA16 / 8] = seg_desc(0, 0xffff, DESC_TYPE_DATA_RW, false);
	gdt[SEL_NOTPRESENT / 8] = seg_desc(0, 0xffffffff, DESC_TYPE_DATA_RW, true) & ~DESC_P;
	gdt[SEL_SPARE0 / 8] = seg_desc(0, 0xffffffff, DESC_TYPE_DATA_RW, true);
	gdt[SEL_SPARE1 / 8] = seg_desc(0, 0xffffffff, DESC_TYPE_DATA_RW, true);
#ifdef __x86_64__
	gdt[SEL_CODE64 / 8] = DESC_TYPE_CODE_RX | DESC_S | DESC_P | DESC_L | DESC_G | DESC_LIMIT_LO(0xfffff) |
			      DESC_LIMIT_HI(0xfffff);
#else
	gdt[SEL_CODE64 / 8] = 0;
#endif
	gdt_reload();
	for (int v = 0; v < NUM_VECTORS; v++) {
		uintptr_t a = isr_stub_table[v];
#ifdef __x86_64__
		idt[v] = (struct idt_gate){
		    .offset_lo = (uint16_t)a,
		    .selector = SEL_CODE64,
		    .type_attr = IDT_GATE_INTR,
		    .offset_mid = (uint16_t)(a >> 16),
		    .offset_hi = (uint32_t)(a >> 32),
		};
#else
		idt[v] = (struct idt_gate){
		    .offset_lo = (uint16_t)a,
		    .selector = SEL_CODE32,
		    .type_attr = IDT_GATE_INTR,
		    .offset_hi = (uint16_t)(a >> 16),
		};
#endif
	}
	idt_reload();
}

void trap_set_handler(int vector, trap_handler_fn fn)
{
	handlers[vector & 0xff] = fn;
}

uint32_t trap_count(int vector)
{
	return counts[vector & 0xff];
}

static const char *const exception_names[NUM_EXCEPTIONS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved 31",
};

const char *trap_name(int vector)
{
	if (vector >= 0 && vector < NUM_EXCEPTIONS)
		return exception_names[vector];
	return "interrupt";
}

void trap_dispatch(struct trap_frame *f)
{
	uint32_t v = f->vector & 0xff;
	counts[v]++;
	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v < NUM_EXCEPTIONS && rt_catch_info) {
		struct trap_info *ti = rt_catch_info;
		rt_catch_info = NULL;
		ti->vector = v;
		ti->error_code = f->error_code;
		ti->eip = f->eip;
		ti->cr2 = v == VEC_PF ? read_cr2() : 0;
		f->eip = (uintptr_t)rt_catch_landing;
#ifdef __x86_64__
		f->cs = SEL_CODE64;
		f->ss = SEL_DATA32;
		f->rsp = rt_catch_esp; /* iretq loads it; the landing sets it again */
#else
		f->cs = SEL_CODE32;
#endif
		f->eflags &= ~(EFLAGS_TF | EFLAGS_DF);
		return;
	}
	fail("unexpected vector %u (%s), error code %#x at eip %#lx, cr2 %#lx, eflags %#lx", v, trap_name(v),
	     (unsigned)f->error_code, (unsigned long)f->eip, (unsigned long)(v == VEC_PF ? read_cr2() : 0),
	     (unsigned long)f->eflags);
}

int trap_catch(void (*fn)(void *), void *arg, struct trap_info *ti)
{
	if (rt_catch_info)
		fail("trap_catch: nested catch");
	*ti = (struct trap_info){0};
	return rt_catch_call(fn, arg, ti) ? TRAP_NONE : (int)ti->vector;
}

struct msr_op {
	uint32_t msr;
	uint64_t val;
};

static void do_rdmsr(void *p)
{
	struct msr_op *op = p;
	op->val = rdmsr(op->msr);
}

static void do_wrmsr(void *p)
{
	struct msr_op *op = p;
	wrmsr(op->msr, op->val);
}

int rdmsr_safe(uint32_t msr, uint64_t *val, struct trap_info *ti)
{
	struct msr_op op = {msr, 0};
	int r = trap_catch(do_rdmsr, &op, ti);
	*val = op.val;
	return r;
}

int wrmsr_safe(uint32_t msr, uint64_t val, struct trap_info *ti)
{
	struct msr_op op = {msr, val};
	return trap_catch(do_wrmsr, &op, ti);
}
