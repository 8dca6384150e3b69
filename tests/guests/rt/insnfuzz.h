/* SPDX-License-Identifier: GPL-2.0-only */
/* insnfuzz.h: the instruction fuzzer of fuzz_insn and fuzz_insn64
 * (docs/guest-tests.md "fuzz_insn"): random byte streams run in the
 * sandbox (rt/sandbox.h) at CPL 0 and 3, with paging on, each case ended by
 * whatever exception or interrupt it raises (a TSC-deadline or one-shot
 * LAPIC timer breaks loops), counted per vector; a second vCPU rewrites the
 * code page while CPL-3 cases run; then deterministic checks of string I/O
 * and MMIO against page permissions. */
#ifndef GUEST_RT_INSNFUZZ_H
#define GUEST_RT_INSNFUZZ_H

#include <stdint.h>

/* Run everything; fails the guest on an anomaly. */
void insnfuzz_main(uint64_t fixed_seed);

#endif
