/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_spec.h: the constants of the Virtual I/O Device (VIRTIO) Version
 * 1.2 specification that iopmd's virtio models use (iopm/dev/virtq.c, the
 * split virtqueue; iopm/dev/virtio_pci.c, the modern PCI transport;
 * iopm/dev/virtio_blk.c, the block device; iopm/dev/virtio_console.c, the
 * console device; iopm/dev/virtio_net.c, the network device), each with
 * its section. PCI's own constants (capability IDs, MSI-X) are in
 * arch/x86/pci.h. docs/virtio.md. */
#ifndef IOPM_DEV_VIRTIO_SPEC_H
#define IOPM_DEV_VIRTIO_SPEC_H

/* Device status field (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER	  0x02
#define VIRTIO_STATUS_DRIVER_OK	  0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40 /* set by the device: it hit an error */
#define VIRTIO_STATUS_FAILED	  0x80 /* set by the driver: it gave up */

/* Reserved feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC 28 /* 2.7.5.3 */
#define VIRTIO_F_EVENT_IDX     29 /* 2.7.7.2, 2.7.10.2 */
#define VIRTIO_F_VERSION_1     32 /* a 1.x device: required by the modern transport */

/* Device IDs (5). */
#define VIRTIO_ID_NET	  1
#define VIRTIO_ID_BLOCK	  2
#define VIRTIO_ID_CONSOLE 3

/* Network device (5.1): feature bits (5.1.3), the queues (5.1.2), the
 * device configuration layout (5.1.4, little-endian), struct
 * virtio_net_hdr (5.1.6). */
#define VIRTIO_NET_F_MTU	    3  /* 5.1.3: config mtu is the largest MTU the device carries */
#define VIRTIO_NET_F_MAC	    5  /* 5.1.3: config mac is the device's address */
#define VIRTIO_NET_F_STATUS	    16 /* 5.1.3: config status is valid */
#define VIRTIO_NET_Q_RX		    0  /* 5.1.2: receiveq1 */
#define VIRTIO_NET_Q_TX		    1  /* 5.1.2: transmitq1 */
#define VIRTIO_NET_CFG_MAC	    0  /* u8 mac[6] */
#define VIRTIO_NET_CFG_STATUS	    6  /* le16 status */
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS 8  /* le16 max_virtqueue_pairs (with MQ or RSS only) */
#define VIRTIO_NET_CFG_MTU	    10 /* le16 mtu (with VIRTIO_NET_F_MTU) */
#define VIRTIO_NET_CFG_SIZE_MTU	    12 /* the layout up to and including mtu */
#define VIRTIO_NET_S_LINK_UP	    1  /* 5.1.4: status bit */
#define VIRTIO_NET_HDR_FLAGS	    0  /* u8 flags */
#define VIRTIO_NET_HDR_GSO_TYPE	    1  /* u8 gso_type */
#define VIRTIO_NET_HDR_NUM_BUFFERS  10 /* le16, after hdr_len, gso_size, csum_start, csum_offset */
#define VIRTIO_NET_HDR_SIZE	    12 /* 5.1.6: with VIRTIO_F_VERSION_1, num_buffers included */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1  /* 5.1.6: only with VIRTIO_NET_F_CSUM */
#define VIRTIO_NET_HDR_GSO_NONE	    0  /* 5.1.6: anything else only with a GSO feature */

/* Console device (5.3): queues (5.3.2) without VIRTIO_CONSOLE_F_MULTIPORT,
 * feature bits (5.3.3), the configuration layout (5.3.4: le16 cols, le16
 * rows, le32 max_nr_ports, le32 emerg_wr). */
#define VIRTIO_CONSOLE_RECEIVEQ		0 /* port 0 input: device-writable buffers */
#define VIRTIO_CONSOLE_TRANSMITQ	1 /* port 0 output: device-readable buffers */
#define VIRTIO_CONSOLE_F_SIZE		0 /* cols and rows are valid */
#define VIRTIO_CONSOLE_F_MULTIPORT	1 /* max_nr_ports and the control queues (not offered) */
#define VIRTIO_CONSOLE_F_EMERG_WRITE	2 /* emerg_wr (not offered) */
#define VIRTIO_CONSOLE_CFG_COLS		0x00
#define VIRTIO_CONSOLE_CFG_ROWS		0x02
#define VIRTIO_CONSOLE_CFG_MAX_NR_PORTS 0x04
#define VIRTIO_CONSOLE_CFG_EMERG_WR	0x08

/* Split virtqueues (2.7): the descriptor table (2.7.5), the available ring
 * (2.7.6) and the used ring (2.7.8), little-endian. */
#define VIRTQ_MAX_SIZE		   32768 /* 2.7: a power of 2 up to 32768 */
#define VIRTQ_DESC_SIZE		   16	 /* le64 addr, le32 len, le16 flags, le16 next */
#define VIRTQ_DESC_ADDR		   0
#define VIRTQ_DESC_LEN		   8
#define VIRTQ_DESC_FLAGS	   12
#define VIRTQ_DESC_NEXT		   14
#define VIRTQ_DESC_F_NEXT	   1  /* the chain goes on at `next` */
#define VIRTQ_DESC_F_WRITE	   2  /* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT	   4  /* the buffer is a table of descriptors (2.7.5.3) */
#define VIRTQ_DESC_ALIGN	   16 /* 2.7: alignment of each part */
#define VIRTQ_AVAIL_ALIGN	   2
#define VIRTQ_USED_ALIGN	   4
#define VIRTQ_AVAIL_FLAGS	   0 /* le16 flags, le16 idx, le16 ring[size], le16 used_event */
#define VIRTQ_AVAIL_IDX		   2
#define VIRTQ_AVAIL_RING	   4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* 2.7.7: the driver wants no interrupt */
#define VIRTQ_USED_FLAGS	   0 /* le16 flags, le16 idx, {le32 id, le32 len} ring[size], le16 avail_event */
#define VIRTQ_USED_IDX		   2
#define VIRTQ_USED_RING		   4
#define VIRTQ_USED_ELEM_SIZE	   8
#define VIRTQ_USED_F_NO_NOTIFY	   1 /* 2.7.10: the device wants no notification */

/* Virtio over PCI (4.1). */
#define VIRTIO_PCI_VENDOR_ID	  0x1af4 /* 4.1.2 */
#define VIRTIO_PCI_DEVICE_ID_BASE 0x1040 /* 4.1.2: 0x1040 + the device ID, a modern device */
#define VIRTIO_PCI_REVISION	  1	 /* 4.1.2.1: non-transitional devices: 1 or more */
#define VIRTIO_PCI_SUBSYSTEM_ID	  0x40	 /* 4.1.2.1: non-transitional: 0x40 or more */

/* Virtio structure PCI capabilities (4.1.4): a vendor-specific capability
 * each, struct virtio_pci_cap: cap_vndr, cap_next, cap_len, cfg_type, bar,
 * id, 2 bytes padding, le32 offset, le32 length. */
#define VIRTIO_PCI_CAP_LEN	     0x02
#define VIRTIO_PCI_CAP_CFG_TYPE	     0x03
#define VIRTIO_PCI_CAP_BAR	     0x04
#define VIRTIO_PCI_CAP_ID	     0x05
#define VIRTIO_PCI_CAP_OFFSET	     0x08
#define VIRTIO_PCI_CAP_LENGTH	     0x0c
#define VIRTIO_PCI_CAP_SIZE	     16
#define VIRTIO_PCI_NOTIFY_MULTIPLIER 0x10 /* 4.1.4.4: le32 notify_off_multiplier */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE   20
#define VIRTIO_PCI_CAP_COMMON_CFG    1	  /* 4.1.4.3 */
#define VIRTIO_PCI_CAP_NOTIFY_CFG    2	  /* 4.1.4.4 */
#define VIRTIO_PCI_CAP_ISR_CFG	     3	  /* 4.1.4.5 */
#define VIRTIO_PCI_CAP_DEVICE_CFG    4	  /* 4.1.4.6 */
#define VIRTIO_PCI_CAP_PCI_CFG	     5	  /* 4.1.4.9: a window to the BAR in configuration space */
#define VIRTIO_PCI_CFG_DATA	     0x10 /* 4.1.4.9: u8 pci_cfg_data[4] after the capability */
#define VIRTIO_PCI_CFG_CAP_SIZE	     20

/* Common configuration structure layout (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT 0x00	  /* le32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF	   0x04	  /* le32 device_feature, read-only */
#define VIRTIO_PCI_COMMON_GFSELECT 0x08	  /* le32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF	   0x0c	  /* le32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX	   0x10	  /* le16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ	   0x12	  /* le16 num_queues, read-only */
#define VIRTIO_PCI_COMMON_STATUS   0x14	  /* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGEN   0x15	  /* u8 config_generation, read-only */
#define VIRTIO_PCI_COMMON_Q_SELECT 0x16	  /* le16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE   0x18	  /* le16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX   0x1a	  /* le16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE 0x1c	  /* le16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF   0x1e	  /* le16 queue_notify_off, read-only */
#define VIRTIO_PCI_COMMON_Q_DESC   0x20	  /* le64 queue_desc */
#define VIRTIO_PCI_COMMON_Q_AVAIL  0x28	  /* le64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_USED   0x30	  /* le64 queue_device */
#define VIRTIO_PCI_COMMON_SIZE	   0x38	  /* the 1.1 structure (no queue_notify_data, queue_reset) */
#define VIRTIO_MSI_NO_VECTOR	   0xffff /* 4.1.4.3: no vector; also what a refused vector reads */

/* ISR status (4.1.4.5): read to clear. */
#define VIRTIO_PCI_ISR_QUEUE  0x01
#define VIRTIO_PCI_ISR_CONFIG 0x02

/* Block device (5.2). Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1 /* size_max holds the largest segment */
#define VIRTIO_BLK_F_SEG_MAX  2 /* seg_max holds the most segments of a request */
#define VIRTIO_BLK_F_RO	      5 /* the device is read-only */
#define VIRTIO_BLK_F_BLK_SIZE 6 /* blk_size holds the block size */
#define VIRTIO_BLK_F_FLUSH    9 /* VIRTIO_BLK_T_FLUSH is served */
/* Device configuration layout (5.2.4), little-endian. */
#define VIRTIO_BLK_CFG_CAPACITY	  0  /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX	  8  /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX	  12 /* le32 */
#define VIRTIO_BLK_CFG_GEOMETRY	  16 /* le16 cylinders, u8 heads, u8 sectors */
#define VIRTIO_BLK_CFG_BLK_SIZE	  20 /* le32 */
#define VIRTIO_BLK_CFG_TOPOLOGY	  24 /* u8 physical_block_exp, u8 alignment_offset, le16, le32 */
#define VIRTIO_BLK_CFG_WRITEBACK  32 /* u8 */
#define VIRTIO_BLK_CFG_NUM_QUEUES 34 /* le16 */
#define VIRTIO_BLK_CFG_SIZE	  60 /* through the write zeroes fields and unused1[3] */
/* Requests (5.2.6): struct virtio_blk_req is a readable header (le32 type,
 * le32 reserved, le64 sector), the data, and a writable status byte. */
#define VIRTIO_BLK_SECTOR_SIZE 512 /* 5.2.6: sector numbers are in 512-byte units */
#define VIRTIO_BLK_HDR_TYPE    0
#define VIRTIO_BLK_HDR_SECTOR  8
#define VIRTIO_BLK_HDR_SIZE    16
#define VIRTIO_BLK_T_IN	       0 /* read */
#define VIRTIO_BLK_T_OUT       1 /* write */
#define VIRTIO_BLK_T_FLUSH     4
#define VIRTIO_BLK_T_GET_ID    8  /* the device ID string */
#define VIRTIO_BLK_ID_BYTES    20 /* 5.2.6: GET_ID's string, NUL-padded */
#define VIRTIO_BLK_S_OK	       0
#define VIRTIO_BLK_S_IOERR     1
#define VIRTIO_BLK_S_UNSUPP    2

#endif
