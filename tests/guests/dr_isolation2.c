/* SPDX-License-Identifier: GPL-2.0-only */
/* dr_isolation2: the second copy of dr_isolation (see there), a module of
 * its own name so the system test can tell the two guests apart. */
#include "dr_isolation.c"
