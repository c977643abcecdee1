/* virtio network device (VIRTIO 1.1 §5.1), one queue pair: queue 0
 * receiveq1, queue 1 transmitq1; features MAC and STATUS (link always up),
 * no checksum offload, GSO, mergeable buffers, control queue or multiqueue.
 * Every buffer starts with the 12-byte struct virtio_net_hdr (§5.1.6; with
 * VIRTIO_F_VERSION_1 it always has num_buffers).
 *
 * The wire (docs/virtio.md): `loopback` hands every frame the guest sends
 * back to its own receive queue (a cable from the port to itself), `sink`
 * drops it. Frames of 14..1514 bytes (Ethernet without FCS); others are
 * dropped and counted. Received frames wait in a FIFO of NET_RX_FRAMES
 * frames (overflow drops the newest) and reach the guest's receive buffers
 * VIRTIO_COMPLETION_NS after they were sent, in order; a receive buffer
 * smaller than header + frame is a driver error (DEVICE_NEEDS_RESET).
 *
 * Capture: when the machine has a pcap file (`hvsim run --pcap FILE`,
 * machine.pcap), every frame sent and every frame delivered is written to it
 * with its virtual time as the timestamp — the capture is as deterministic as
 * the run. Snapshot machines (a debugger's) have none. */
#ifndef HVSIM_VIRTIO_NET_H
#define HVSIM_VIRTIO_NET_H
#include <stdbool.h>
#include <stdint.h>
#include "virtio_mmio.h"

struct machine;
struct virtio_net;

#define NET_RX_FRAMES 64u
#define NET_FRAME_MAX 1514u
#define NET_FRAME_MIN 14u

/* spec: "loopback" or "sink"; false (message) when it is neither. */
bool virtio_net_spec_ok(const char *spec, char *err, size_t errlen);
struct virtio_net *virtio_net_new(struct machine *m, const char *spec);
void virtio_net_free(struct virtio_net *n);
void virtio_net_copy_state(struct virtio_net *dst, const struct virtio_net *src);
/* Frames dropped so far (too short/long, FIFO full), for tests and docs. */
uint64_t virtio_net_dropped(const struct virtio_net *n);

extern const struct virtio_device_ops virtio_net_ops;

#endif
