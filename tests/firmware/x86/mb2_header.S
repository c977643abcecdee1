/* The Multiboot 2 header (MB2 §3.1): an information request (required:
 * cmdline 1, boot loader name 2, modules 3, basic meminfo 4, mmap 6), the
 * entry address tag, module alignment, the end tag. Variants:
 *   -DMB2_ADDR     the address tag too, for a flat binary (like MB1's a.out kludge)
 *   -DMB2_FB=F     a framebuffer tag with flags F (0: required, 1: optional)
 *   -DMB2_ASK=T    the information request also asks for tag type T (required) */
    .section .multiboot, "a"
    .align 8
mb2_header:
    .long   0xE85250D6
    .long   0
    .long   mb2_end - mb2_header
    .long   -(0xE85250D6 + (mb2_end - mb2_header))
    .align 8
    .short  1, 0
#ifdef MB2_ASK
    .long   8 + 4 * 6
    .long   1, 2, 3, 4, 6, MB2_ASK
#else
    .long   8 + 4 * 5
    .long   1, 2, 3, 4, 6
#endif
#ifdef MB2_ADDR
    .align 8
    .short  2, 0
    .long   24
    .long   mb2_header      /* header_addr */
    .long   _load_start     /* load_addr */
    .long   _edata          /* load_end_addr */
    .long   _end            /* bss_end_addr */
#endif
#ifdef MB2_FB
    .align 8
    .short  5, MB2_FB
    .long   20
    .long   1024, 768, 32   /* width, height, depth */
#endif
    .align 8
    .short  3, 0
    .long   12
    .long   _start
    .align 8
    .short  6, 0
    .long   8
    .align 8
    .short  0, 0
    .long   8
mb2_end:
    .section .note.GNU-stack, "", @progbits
