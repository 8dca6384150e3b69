/* SPDX-License-Identifier: GPL-2.0-only */
/* vmctl.h: what vmctl's files share: its exit codes, and the interactive
 * console of vmctl_console.c, called by vmctl.c's command dispatch. */
#ifndef VMCTL_H
#define VMCTL_H

/* Exit codes (vmctl --help). */
#define EXIT_FAIL	1 /* no zone, no iopmd, no answer from the VMM */
#define EXIT_NO_CHANNEL 2 /* the command comes with a later issue */
#define EXIT_IMPOSSIBLE 3 /* not in this setup: fake zone, no notification vector */
#define EXIT_USAGE	64

/* `vmctl console NAME|ID` with stdin on a terminal (NAME checked by the
 * caller): the exit code, 0 when the user detached with Ctrl-]. */
int cmd_console(const char *who);

#endif
