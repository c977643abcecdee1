/* Network captures in libpcap's classic file format (the format tcpdump and
 * Wireshark read: a 24-byte global header, then per frame a 16-byte record
 * header and the bytes): little-endian, magic 0xa1b2c3d4 (microsecond
 * timestamps), version 2.4, snaplen 65535, LINKTYPE_ETHERNET (1). hvsim's
 * timestamps are virtual time, so a capture is as deterministic as the run
 * (`hvsim run --pcap FILE`, docs/virtio.md). */
#ifndef HVSIM_PCAP_H
#define HVSIM_PCAP_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

bool pcap_write_header(FILE *f);
/* One whole frame of len bytes at virtual time ns. */
bool pcap_write_frame(FILE *f, uint64_t ns, const uint8_t *frame, uint32_t len);

#endif
