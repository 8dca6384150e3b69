/* SPDX-License-Identifier: GPL-2.0-only */
/* fake_env.c: what the exit handlers and vmm/vm/vm.c call outside the files
 * under test, for the host harness: the log, the scheduler's kicks, the VMM
 * heap and the guest-RAM pool, the timer rates, the VMX capabilities and
 * the few vmm/vcpu/vmcs.c functions on the exit path. */
#define LOG_PREFIX "harness"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "tests/harness/harness.h"
#include "vmm/platform/log.h"
#include "vmm/platform/mm.h"
#include "vmm/vcpu/defer.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/kick.h"
#include "vmm/vm/sched.h"
#include "vmm/platform/timer.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs.h"
#include "vmm/vcpu/vmcs_access.h"
#include "vmm/platform/vmx.h"

#define LOG_MAX	  512
#define PAGE	  4096ULL
#define RAM_ALIGN (2ULL << 20)
#define GUARD	  (2ULL << 20) /* inaccessible on each side of guest RAM */

/* A 2 GHz TSC (timer_rates.tsc_khz: CPUID 0x40000001, vPIT and vLAPIC). */
struct timer_rates timer_rates = {2000000, 100000, "fake"};
struct vmx_caps vmx_caps;

static char last_log[LOG_MAX];
static unsigned log_count, kicks, sipis;
static uint64_t live_pages;
static void (*panic_hook)(const char *msg);
static unsigned ndeferred;
static bool defer_manual;

void fenv_reset(void)
{
	last_log[0] = '\0';
	log_count = kicks = sipis = 0;
	ndeferred = 0;
	defer_manual = false;
	memset(&vmx_caps, 0, sizeof(vmx_caps));
	vmx_caps.supported = true;
	/* INS/OUTS instruction information (bit 54), true controls (55). */
	vmx_caps.basic = (1ULL << 54) | (1ULL << 55) | (6ULL << 50) | (0x1000ULL << 32) | 4;
	vmx_caps.revision = 4;
	vmx_caps.region_size = 0x1000;
	vmx_caps.true_ctls = true;
	/* IA32_VMX_CR0/CR4_FIXED0/1 of a typical host: PE, NE, PG fixed to 1
	 * (PE and PG released by unrestricted guest), VMXE fixed to 1; CR4
	 * bits 0-11, 13, 14, 16-18, 20-22 allowed (no LA57, no CET). */
	vmx_caps.cr0_fixed0 = 0x80000021ULL;
	vmx_caps.cr0_fixed1 = 0xffffffffULL;
	vmx_caps.cr4_fixed0 = 0x2000ULL;
	vmx_caps.cr4_fixed1 = 0x776fffULL;
	vmx_caps.misc = 5;
}

const char *fenv_last_log(void)
{
	return last_log;
}

unsigned fenv_log_count(void)
{
	return log_count;
}

unsigned fenv_kicks(void)
{
	return kicks;
}

unsigned fenv_sipis(void)
{
	return sipis;
}

uint64_t fenv_live_allocations(void)
{
	return live_pages;
}

void fenv_set_panic_hook(void (*hook)(const char *msg))
{
	panic_hook = hook;
}

/* --- vmm/platform/log.h --- */

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	int n = snprintf(last_log, sizeof(last_log), "[%s] ", prefix);
	vsnprintf(last_log + n, sizeof(last_log) - (size_t)n, fmt, ap);
	log_count++;
	if (getenv("HV_VERBOSE"))
		fprintf(stderr, "%s\n", last_log);
}

void log_printf(enum log_level level, const char *prefix, const char *fmt, ...)
{
	va_list ap;
	(void)level;
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
}

void log_raw(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("raw", fmt, ap);
	va_end(ap);
}

void log_fatal(const char *prefix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
	/* A VMM panic stops the whole host: always a finding. */
	if (panic_hook)
		panic_hook(last_log);
	fprintf(stderr, "harness: VMM panic: %s\n", last_log);
	abort();
}

/* --- vmm/platform/kick.h --- */

void cpu_kick(uint32_t cpu)
{
	(void)cpu;
	kicks++;
}

/* --- vmm/vcpu/defer.h: the requests are kept until the test (or hv_run, in
 * automatic mode) completes them --- */

#define FENV_DEFER_MAX 64
static struct {
	struct coop_ioreq req;
	ioreq_serve_fn serve;
} deferred[FENV_DEFER_MAX];

int defer_request(uint32_t vcpu_cpu, const struct coop_ioreq *req, uint32_t delay_us, ioreq_serve_fn serve)
{
	(void)vcpu_cpu;
	(void)delay_us;
	if (ndeferred == FENV_DEFER_MAX)
		return -EBUSY;
	deferred[ndeferred].req = *req;
	deferred[ndeferred].serve = serve;
	ndeferred++;
	return 0;
}

void fenv_defer_manual(bool manual)
{
	defer_manual = manual;
}

bool fenv_defer_is_manual(void)
{
	return defer_manual;
}

unsigned fenv_deferred(void)
{
	return ndeferred;
}

const struct coop_ioreq *fenv_deferred_req(unsigned i)
{
	return i < ndeferred ? &deferred[i].req : NULL;
}

int fenv_complete_deferred(unsigned i)
{
	if (i >= ndeferred)
		return -ESRCH;
	struct coop_ioreq r = deferred[i].req;
	ioreq_serve_fn serve = deferred[i].serve;
	deferred[i] = deferred[--ndeferred];
	return ioreq_complete(r.vm, r.vcpu, r.seq, serve, NULL);
}

/* --- vmm/vm/sched.h --- */

uint32_t sched_pick_cpu(uint32_t n)
{
	(void)n;
	return 0;
}

int sched_add(struct vcpu *v)
{
	(void)v;
	return 0;
}

/* --- vmm/platform/mm.h: the VMM heap is host memory, "physical" = host address ---
 * Allocations are recycled by size (a VM per fuzz input would otherwise
 * map and unmap memory every time); ASan sees every byte as freed memory
 * while it is not handed out, so a use after free or an overflow into
 * another allocation is still reported. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(HAVE_ASAN)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define FREE_MAX 256
static struct {
	void *p;
	uint64_t npages;
} free_list[FREE_MAX];
static unsigned nfree;

uint64_t heap_try_alloc_pages(uint64_t npages)
{
	void *p = NULL;
	for (unsigned i = 0; i < nfree; i++)
		if (free_list[i].npages == npages) {
			p = free_list[i].p;
			free_list[i] = free_list[--nfree];
			UNPOISON(p, npages * PAGE);
			break;
		}
	if (!p) {
		p = aligned_alloc(PAGE, npages * PAGE);
		if (!p)
			return 0;
	}
	memset(p, 0, npages * PAGE);
	live_pages += npages;
	return (uint64_t)(uintptr_t)p;
}

uint64_t heap_alloc_pages(uint64_t npages)
{
	uint64_t p = heap_try_alloc_pages(npages);
	if (!p)
		abort();
	return p;
}

void heap_free_pages(uint64_t pa, uint64_t npages)
{
	void *p = (void *)(uintptr_t)pa;
	live_pages -= npages;
	if (nfree < FREE_MAX) {
		POISON(p, npages * PAGE);
		free_list[nfree].p = p;
		free_list[nfree++].npages = npages;
	} else {
		free(p);
	}
}

/* Guest RAM: a 2 MiB-aligned host mapping between two inaccessible guard
 * regions. One mapping is kept for reuse (the fuzzer makes a VM per
 * input) and zeroed when freed. */
static struct {
	uint8_t *base; /* the whole reservation */
	uint64_t reserved;
	uint8_t *ram;
	uint64_t size;
	bool in_use;
} ram_cache;

uint64_t guest_ram_alloc(uint64_t bytes)
{
	if (ram_cache.ram && !ram_cache.in_use && ram_cache.size == bytes) {
		ram_cache.in_use = true;
		return (uint64_t)(uintptr_t)ram_cache.ram;
	}
	if (ram_cache.in_use)
		return 0; /* one VM at a time */
	if (ram_cache.base)
		munmap(ram_cache.base, ram_cache.reserved);
	uint64_t reserved = bytes + 2 * GUARD + RAM_ALIGN;
	uint8_t *base = mmap(NULL, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return 0;
	uint8_t *ram = (uint8_t *)(((uintptr_t)base + GUARD + RAM_ALIGN - 1) & ~(uintptr_t)(RAM_ALIGN - 1));
	if (mprotect(ram, bytes, PROT_READ | PROT_WRITE)) {
		munmap(base, reserved);
		return 0;
	}
	ram_cache.base = base;
	ram_cache.reserved = reserved;
	ram_cache.ram = ram;
	ram_cache.size = bytes;
	ram_cache.in_use = true;
	return (uint64_t)(uintptr_t)ram;
}

void guest_ram_free(uint64_t pa, uint64_t bytes)
{
	if ((uint8_t *)(uintptr_t)pa != ram_cache.ram || bytes != ram_cache.size) {
		hv_violation("harness", "guest_ram_free of memory guest_ram_alloc did not give");
		return;
	}
	memset(ram_cache.ram, 0, ram_cache.size);
	ram_cache.in_use = false;
}

/* --- vmm/platform/timer.h --- */

uint64_t tsc_to_us(uint64_t cycles)
{
	return cycles / (timer_rates.tsc_khz / 1000);
}

/* --- vmm/vcpu/vmcs.h: the functions on the exit/entry path --- */

void vmcs_proc_controls(uint32_t set, uint32_t clear)
{
	uint64_t p = vmcs_read(PROC_BASED_CONTROLS);
	vmcs_write(PROC_BASED_CONTROLS, (p | set) & ~clear);
}

void vmcs_guest_sipi(uint8_t vector)
{
	sipis++;
	hv_guest_sipi(vector);
}

void vmcs_dump_guest(struct vcpu *v)
{
	(void)v; /* reads every field; the harness checks the handlers' reads only */
}
