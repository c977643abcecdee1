/* The Multiboot 2 header (MB2 §3.1): an information request (required:
 * cmdline 1, boot loader name 2, modules 3, basic meminfo 4, mmap 6), the
 * entry address tag, module alignment, the end tag. */
    .section .multiboot, "a"
    .align 8
mb2_header:
    .long   0xE85250D6
    .long   0
    .long   mb2_end - mb2_header
    .long   -(0xE85250D6 + (mb2_end - mb2_header))
    .align 8
    .short  1, 0
    .long   8 + 4 * 5
    .long   1, 2, 3, 4, 6
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
