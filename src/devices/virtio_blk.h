/* virtio block device (VIRTIO 1.1 §5.2) backed by a host file:
 * `--drive FILE[,ro][,snapshot]` (docs/virtio.md).
 *
 *   FILE            reads and writes go to the file
 *   FILE,ro         read-only: VIRTIO_BLK_F_RO offered, writes get IOERR
 *   FILE,snapshot   writes go to a copy-on-write overlay in memory and are
 *                   lost at exit: replays and explore seeds see the same disk
 *
 * Requests: IN, OUT, FLUSH, GET_ID; others answer UNSUPP. The file's size
 * must be a non-zero multiple of 512 bytes (config space: capacity in
 * 512-byte sectors). */
#ifndef HVSIM_VIRTIO_BLK_H
#define HVSIM_VIRTIO_BLK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "virtio_mmio.h"

struct virtio_blk;

#define VIRTIO_BLK_F_RO    (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)

/* Checks a --drive value: FILE[,ro][,snapshot]. false + message naming it. */
bool virtio_blk_spec_ok(const char *spec, char *err, size_t errlen);
/* The FILE of a valid FILE[,ro][,snapshot] spec. */
bool virtio_blk_spec_path(const char *spec, char *path, size_t len);
/* Opens the drive of a spec; NULL + message naming the file. */
struct virtio_blk *virtio_blk_open(const char *spec, char *err, size_t errlen);
void virtio_blk_free(struct virtio_blk *b);
/* Snapshots: the overlay of a snapshot drive (file-backed writes are not
 * undone, docs/virtio.md). */
void virtio_blk_copy_state(struct virtio_blk *dst, const struct virtio_blk *src);

extern const struct virtio_device_ops virtio_blk_ops;

#endif
