/* The launcher's virtio-mmio console device (kvmtest_virtio.c): one per VM,
 * at KT_VIRTIO_GPA, served in user space from KVM_EXIT_MMIO. */
#ifndef KVMTEST_VIRTIO_H
#define KVMTEST_VIRTIO_H

#include <stddef.h>
#include <stdint.h>
#include "kt_virtio.h"

struct ktv_queue {
    uint32_t num;               /* QueueNum */
    uint32_t ready;             /* QueueReady */
    uint64_t desc, driver, device;  /* GPAs of the three areas */
    uint16_t last_avail;        /* next available-ring entry to consume */
    uint16_t used_idx;          /* the used ring's idx as last written */
};

struct ktv {
    int vm;                     /* VM number: the output prefix "vmN virtio: " */
    unsigned char *ram;         /* guest RAM as mapped by the launcher */
    uint64_t ram_gpa, ram_size;
    uint32_t status;            /* device status (§2.1) */
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
    uint64_t drv_features;      /* what the driver accepted */
    uint32_t int_status;        /* InterruptStatus */
    struct ktv_queue q[KT_VIRTIO_NQUEUES];
    char line[256];             /* transmitq bytes of the line being assembled */
    size_t linelen;
    char first_line[256];       /* the first whole line received (verdict) */
    int lines;
    /* counters, printed by ktv_report */
    unsigned long reads, writes, notifies, chains, bytes, irqs, resets;
    char error[200];            /* the first thing the driver got wrong */
};

void ktv_init(struct ktv *d, int vm, unsigned char *ram, uint64_t ram_gpa, uint64_t ram_size);

/* One KVM_EXIT_MMIO at offset `off` of the device's window: a read fills
 * data[0..len), a write takes it. Returns the interrupt line's new level
 * when it changed (1 raise, 0 lower), -1 when it did not. */
int ktv_mmio(struct ktv *d, uint64_t off, int is_write, uint8_t *data, uint32_t len);

/* "vmN virtio: R reads, W writes (T MMIO exits), status S, C chains, B bytes,
 * L lines, I interrupts" into buf. */
void ktv_report(const struct ktv *d, char *buf, size_t size);

#endif
