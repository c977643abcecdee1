/* pcap capture files (see pcap.h). */
#include "pcap.h"

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

bool pcap_write_header(FILE *f)
{
    uint8_t h[24];
    le32(h, 0xa1b2c3d4u);          /* magic: microsecond timestamps */
    le32(h + 4, 2u | 4u << 16);    /* version_major 2, version_minor 4 */
    le32(h + 8, 0);                /* thiszone */
    le32(h + 12, 0);               /* sigfigs */
    le32(h + 16, 65535u);          /* snaplen */
    le32(h + 20, 1u);              /* LINKTYPE_ETHERNET */
    return fwrite(h, sizeof h, 1, f) == 1;
}

bool pcap_write_frame(FILE *f, uint64_t ns, const uint8_t *frame, uint32_t len)
{
    uint8_t h[16];
    le32(h, (uint32_t)(ns / 1000000000u));
    le32(h + 4, (uint32_t)(ns % 1000000000u / 1000u));
    le32(h + 8, len);              /* incl_len */
    le32(h + 12, len);             /* orig_len */
    return fwrite(h, sizeof h, 1, f) == 1 && fwrite(frame, 1, len, f) == len;
}
