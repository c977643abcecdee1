/* The Multiboot 1 header (MB1 §3.1): page-aligned modules (bit 0) and
 * memory information (bit 1); with -DAOUT_KLUDGE also bit 16 and the
 * address fields, for the flat binary built from the same kernel; with
 * -DMB1_VIDEO bit 2 and the video mode fields (§3.1.4: linear graphics,
 * 1024x768x32; the unused address fields zero). */
#ifdef AOUT_KLUDGE
#define MB1_FLAGS 0x00010003
#elif defined(MB1_VIDEO)
#define MB1_FLAGS 0x00000007
#else
#define MB1_FLAGS 0x00000003
#endif
    .section .multiboot, "a"
    .align 4
mb1_header:
    .long   0x1BADB002
    .long   MB1_FLAGS
    .long   -(0x1BADB002 + MB1_FLAGS)
#ifdef AOUT_KLUDGE
    .long   mb1_header      /* header_addr */
    .long   _load_start     /* load_addr */
    .long   _edata          /* load_end_addr */
    .long   _end            /* bss_end_addr */
    .long   _start          /* entry_addr */
#endif
#ifdef MB1_VIDEO
    .long   0, 0, 0, 0, 0   /* address fields (flag 16 clear: unused) */
    .long   0               /* mode_type: linear graphics */
    .long   1024, 768, 32   /* width, height, depth */
#endif
    .section .note.GNU-stack, "", @progbits
