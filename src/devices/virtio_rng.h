/* virtio entropy device (VIRTIO 1.1 §5.4): one request queue whose
 * device-writable buffers are filled with bytes of a deterministic
 * generator (splitmix64) seeded from the run's configuration — never from
 * host entropy, so a run and its replay see the same bytes
 * (docs/virtio.md). */
#ifndef HVSIM_VIRTIO_RNG_H
#define HVSIM_VIRTIO_RNG_H
#include <stdint.h>
#include "virtio_mmio.h"

struct virtio_rng;

struct virtio_rng *virtio_rng_new(uint64_t seed);
void virtio_rng_free(struct virtio_rng *r);
void virtio_rng_copy_state(struct virtio_rng *dst, const struct virtio_rng *src);

extern const struct virtio_device_ops virtio_rng_ops;

#endif
