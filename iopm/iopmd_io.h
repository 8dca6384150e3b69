/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_io.h: guest I/O served by iopmd -- the slots' requests
 * (iopmd_io.c) and each guest's device models (iopmd_devs.c, over the pure
 * models of iopm/dev/). */
#ifndef IOPMD_IO_H
#define IOPMD_IO_H

#include <stddef.h>
#include <stdint.h>

#include "coopvmm_abi.h"

#define IOPMD_GUESTS		32    /* guests with devices here at once */
#define IOPMD_CONSOLE_SIZE	65536 /* bytes of each guest's UART output kept */
#define IOPMD_CONSOLE_LOG_LINES 1000  /* lines of each guest copied into the kernel log */
#define IOPMD_GSI_COM1		4     /* the guest's COM1 interrupt line */
#define IOPMD_GSI_RTC		8     /* the guest's RTC interrupt line */
#define IOPMD_VIRTIO_BUDGET	64    /* virtio requests of a device served per pass of iopmd's loop */
#define IOPMD_RAM_RANGES	4     /* RAM ranges of a guest mapped (vm_layout.h: 3 at most) */
/* Its PCI functions' INTA#, all of them ORed into one level line: the GSI
 * the VMM's DSDT routes the bus's INTx to (shared/coopvmm_abi.h). */
#define IOPMD_GSI_PCI_INTX COOP_GUEST_GSI_PCI_INTX

struct iopmd;
struct guest_devs;
struct guest_virtio;
struct pcihost;

/* A range of the guest's RAM, mapped here (iopmd_virtio.c). */
struct guest_ram {
	uint64_t gpa, size;
	uint8_t *p;
};

struct guest {
	int used;
	int ended; /* the VMM withdrew its RAM: devices gone, console kept */
	uint32_t vm;
	char name[COOP_VM_NAME_MAX]; /* "vmN" until a VM_LIST names it */
	uint64_t last_ns;	     /* its last request (CLOCK_MONOTONIC) */
	struct iopmd *d;
	struct guest_devs *devs;
	struct guest_virtio *vio; /* its virtio devices (iopmd_virtio.c), or NULL */
	struct guest_ram ram[IOPMD_RAM_RANGES];
	unsigned nram;
	uint64_t requests, irq_msgs;
	/* its console: the last IOPMD_CONSOLE_SIZE bytes, and the line being built */
	uint8_t con[IOPMD_CONSOLE_SIZE];
	uint64_t con_head; /* bytes ever written */
	char line[160];
	size_t line_len;
	uint64_t lines_logged;
};

/* iopmd_io.c */
void io_request(struct iopmd *d, const struct coop_msg *m); /* an IO_REQUEST doorbell */
void io_posted(struct iopmd *d, const struct coop_msg *m);  /* an IO_POSTED write */
void io_scan(struct iopmd *d);				    /* serve every PENDING slot (at start) */
uint64_t io_next_event(void);				    /* a device's next timer (CLOCK_MONOTONIC ns) */
/* The guests' virtqueues in `mode` (enum iopmd_virtio_mode): what their
 * kicks' batches left, or what polling finds, IOPMD_VIRTIO_BUDGET requests
 * per device and call. Whether iopmd must not sleep (requests wait, or a
 * queue is polled). */
int io_virtio_work(int mode);
/* The guests' descriptors for iopmd's poll() (their taps); how many. Their
 * frames are read by io_virtio_work. */
struct pollfd;
unsigned io_pollfds(struct pollfd *p, unsigned max);
void io_tick(uint64_t now_ns);
struct guest *guest_find(uint32_t vm);
/* The guest's entry, made (with its platform devices) if it has none;
 * NULL never (the oldest entry makes room). */
struct guest *guest_open(struct iopmd *d, uint32_t vm);
struct guest *guest_by_name(const char *name);
void guest_set_name(uint32_t vm, const char *name);
void guest_ended(uint32_t vm); /* a RAM_MAP REMOVE: the VM has ended */
unsigned io_guests(struct guest **out, unsigned max);
/* For the device models: a byte the guest's UART sent; its line level. */
void guest_console_put(struct guest *g, uint8_t c);
void guest_irq(struct guest *g, uint32_t line, int level);
/* The last `max` bytes at most of the guest's console; how many. */
size_t guest_console_read(const struct guest *g, char *out, size_t max);

/* iopmd_devs.c: a guest's devices */
void guest_devices_init(struct guest *g, uint64_t now_ns);
void guest_devices_fini(struct guest *g);
/* A port access of `size` bytes: 0, or -COOP_EIO where no device is. */
int guest_device_io(struct guest *g, uint16_t port, unsigned size, int write, uint32_t *val);
uint64_t guest_devices_next(struct guest *g);
struct pcihost *guest_pci(struct guest *g); /* its PCI bus 0, or NULL */
void guest_devices_tick(struct guest *g, uint64_t now_ns);
/* Input for the guest's UART: what its receiver cannot take now waits in
 * the guest's input queue (CON_INQ_SIZE bytes, offered again as the guest
 * reads). Returns the bytes taken or queued: fewer than n when the queue is
 * full (the rest is dropped), 0 when the guest has no devices (ended). */
size_t guest_console_input(struct guest *g, const uint8_t *buf, size_t n);
size_t guest_console_queued(const struct guest *g); /* bytes waiting in its input queue */
/* The guest's console made room for input (its UART's receiver, or hvc0's
 * receive buffers): offer the queued input again. */
void guest_console_room(struct guest *g);

#endif
