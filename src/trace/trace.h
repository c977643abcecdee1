/* Trace files: header + zstd-compressed stream of varint-encoded events
 * (docs/trace-format.md). The writer streams to disk through a buffer; the
 * reader streams back. A sink decides what trace_emit does with an event:
 * write it (recording) or compare it (replay). */
#ifndef HVSIM_TRACE_H
#define HVSIM_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "event.h"

#define TRACE_FORMAT_VERSION 1
#define TRACE_MAGIC "HVSIMTRC"
#define TRACE_MAX_IMAGES 8

struct trace_image {
    char role[16];        /* bios, kernel, initrd, dtb */
    char path[512];
    char sha256[65];      /* hex */
};

/* Everything needed to rebuild the run. */
struct trace_header {
    unsigned version;
    char hvsim_version[32];
    uint64_t seed, quantum, max_insns, check_interval, event_mask;
    char serial[128];
    char perturb[256];    /* perturbations (src/sim/perturb.h text); "" = none, no header line */
    int nimages;
    struct trace_image images[TRACE_MAX_IMAGES];
    char *config_ini;     /* the full machine config as INI text (malloc'ed) */
};

void trace_header_free(struct trace_header *h);
/* SHA-256 of a file as 64 hex digits. false + message on error. */
bool trace_sha256_file(const char *path, char out[65], char *err, size_t errlen);

/* ---- writing ---- */
struct trace_writer;
struct trace_writer *trace_writer_open(const char *path, const struct trace_header *h,
                                       char *err, size_t errlen);
bool trace_writer_put(struct trace_writer *w, const struct trace_event *ev);
/* Flushes and closes; false + message if any write failed. */
bool trace_writer_close(struct trace_writer *w, char *err, size_t errlen);
uint64_t trace_writer_count(const struct trace_writer *w);

/* ---- reading ---- */
struct trace_reader;
struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen);
const struct trace_header *trace_reader_header(const struct trace_reader *r);
/* 1 = an event (valid until the next call), 0 = clean end, -1 = error
 * (message in err: truncated or corrupt file, naming the record number). */
int trace_reader_next(struct trace_reader *r, struct trace_event *ev, char *err, size_t errlen);
uint64_t trace_reader_count(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);

/* ---- the recorder attached to a machine ---- */
struct machine;
struct trace;
typedef void (*trace_sink_fn)(void *opaque, const struct trace_event *ev);

struct trace {
    uint64_t mask;              /* kinds to record */
    trace_sink_fn sink;
    void *sink_opaque;
    uint64_t check_interval;    /* instructions between check records (0 = none) */
    uint64_t next_check;
    uint64_t check_seq;
};

void trace_emit(struct trace *t, const struct trace_event *ev);

/* Emit a check record: hash of every CPU's architectural state and of the
 * RAM pages written since the last check. Called at round boundaries. */
void trace_check(struct machine *m);

/* Formats a check blob's difference: "cpu 1 register a0: recorded 0x5,
 * replayed 0x7" or "memory page 0x80201000 differs" — the first register,
 * then the first page, that differs. false when the blobs are equal.
 * Registers of CPUs whose architecture id is arch->id are named by arch (the
 * recorded machine's, trace_header_arch), others through the registry
 * (arch_by_id); unnamed ones by their index ("#5"). arch may be NULL. */
struct arch_info;
bool trace_check_diff(const struct arch_info *arch, const uint8_t *a, size_t alen,
                      const uint8_t *b, size_t blen, char *out, size_t outlen);

#endif
