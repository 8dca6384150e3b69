/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_ctl.h: iopmd's control socket, between iopmd and vmctl
 * (docs/iopm.md "iopmd"). An AF_UNIX SOCK_SEQPACKET socket, mode 0600 (root
 * only). One request per packet, in text:
 *
 *   ping N [poll|ipi]   N PINGs to the VMM one at a time, each waiting for its
 *                       PONG; round trips in TSC cycles (in that mode, then
 *                       back to the mode before)
 *   burst N             N PINGs back to back, then wait for the N PONGs:
 *                       notifications per message (the suppression figure)
 *   mode poll|ipi       how both sides learn of messages (SET_MODE to the VMM)
 *   stats               iopmd's counters and the VMM's, read together once the
 *                       rings are quiet
 *   list                VM_REQUEST LIST, the VM_REPLY messages as lines
 *   console NAME|ID     what the guest wrote to its COM1 here (the last 8 KiB)
 *   console-attach NAME|ID BACKLOG
 *                       the interactive console (iopmd_console.c): below
 *   pause|unpause|destroy|info NAME|ID
 *                       VM_REQUEST of that op on the guest the VMM's list
 *                       names (resolved by a VM_LIST first)
 *
 * The answer is one packet: "ok\n" then the text to print, or "err CODE\n"
 * (CODE a vmctl exit code) then the message.
 *
 * console-attach keeps the connection open (docs/iopm.md "The interactive
 * console"): the answer is "ok\nID NAME\n" (the guest's VM id and name),
 * then iopmd sends, as they come, packets of a header line and raw bytes:
 *   "out\n" BYTES       what the guest wrote to its UART, from BACKLOG bytes
 *                       before the attach on (at most what the ring keeps)
 *   "lost N\n"          N bytes were overwritten in the guest's ring before
 *                       the client took them (its socket was full): skipped
 *   "dropped N\n"       N bytes of the client's input did not fit the
 *                       guest's input queue (CON_INQ_SIZE): thrown away
 *   "ended\n"           the guest has ended; iopmd closes the connection
 * and takes from the client "in\n" BYTES: input for the guest's UART
 * (binary-safe; other packets are ignored). The client leaves by closing.
 */
#ifndef IOPMD_CTL_H
#define IOPMD_CTL_H

#define IOPMD_SOCK     "/run/iopmd.sock"
#define IOPMD_CTL_MAX  8192 /* bytes in a packet, either way */
#define IOPMD_PING_MAX 100000

#endif
