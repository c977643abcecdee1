/* Recording: attach a trace file to a machine, emit check records at round
 * boundaries, finish with an `end` record. */
#ifndef HVSIM_TRACE_RECORD_H
#define HVSIM_TRACE_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace.h"

#define HVSIM_VERSION "0.1.0"

struct machine;

/* Fills a header describing m's run (config, image hashes, seed...). */
bool trace_fill_header(const struct machine *m, struct trace_header *h, uint64_t mask,
                       uint64_t check_interval, const char *serial, char *err, size_t errlen);
bool trace_record_start(struct machine *m, const char *path, uint64_t mask,
                        uint64_t check_interval, const char *serial, char *err, size_t errlen);
/* Round hook: emits a check record when one is due. */
void trace_round(struct machine *m);
void trace_emit_end(struct machine *m, int status);
/* Emits `end`, closes the file. */
bool trace_record_finish(struct machine *m, int status, char *err, size_t errlen);

#endif
