/* SPDX-License-Identifier: GPL-2.0-only */
/* vcpu_run.h: running one vCPU on this CPU for up to one time slice. */
#ifndef VMM_VCPU_RUN_H
#define VMM_VCPU_RUN_H

#include <stdint.h>

struct vcpu;

enum run_result {
	RUN_SLICE_DONE, /* ran until its slice ended */
	RUN_IDLE,	/* halted (or waiting for SIPI) with nothing to deliver */
	RUN_STOPPED,	/* its VM ended */
};

enum run_result vcpu_run(struct vcpu *v, uint64_t slice_tsc);

#endif
