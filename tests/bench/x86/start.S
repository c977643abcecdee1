/* start.S — entries of the x86_64 benchmark (tests/bench/x86/README.md).
 *
 * The entry is _start32, Multiboot 1 (hvsim and QEMU -kernel run the same
 * image): 32-bit protected mode, paging off (Multiboot spec 0.6.96 §3.2
 * "Machine state"). It builds identity paging with 2 MiB pages over the
 * first 1 GiB, enables PAE, EFER.LME and CR0.PG (SDM vol. 3A §9.8.5
 * "Initializing IA-32e Mode"), loads a GDT with a 64-bit code segment and
 * jumps to _start64, which clears .bss, switches to the benchmark's own
 * 4 KiB page tables (bench_setup_paging) and runs
 * bench_x86_main. */
        .section .text.start, "ax"
        .code32
        .balign 4
mb_header:                              /* Multiboot 1 header (§3.1.1) */
        .long   0x1badb002              /* magic */
        .long   0                       /* flags: no requirements */
        .long   -0x1badb002             /* checksum: magic + flags + checksum = 0 */

        .globl  _start32
_start32:
        cli
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     %cr4, %eax
        or      $0x20, %eax             /* CR4.PAE */
        mov     %eax, %cr4
        mov     $0xc0000080, %ecx       /* IA32_EFER */
        rdmsr
        or      $0x100, %eax            /* LME */
        wrmsr
        mov     %cr0, %eax
        or      $0x80000001, %eax       /* PG | PE */
        mov     %eax, %cr0
        lgdt    boot_gdt_desc
        ljmp    $0x08, $mb_entry64

        .code64
mb_entry64:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %eax, %fs
        mov     %eax, %gs
        /* fall through */

        .globl  _start64
_start64:
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
1:      cmp     %rcx, %rdi
        jae     2f
        movq    $0, (%rdi)
        add     $8, %rdi
        jmp     1b
2:      lea     bench_stack_top(%rip), %rsp
        call    bench_setup_paging      /* returns the new CR3 */
        mov     %rax, %cr3
        call    bench_x86_main
3:      cli
        hlt
        jmp     3b

        .section .data
        .balign 4096
boot_pml4:
        .quad   boot_pdpt + 3
        .fill   511, 8, 0
boot_pdpt:
        .quad   boot_pd + 3
        .fill   511, 8, 0
boot_pd:                                /* 512 x 2 MiB, present + writable + PS */
        .set    n, 0
        .rept   512
        .quad   (n << 21) | 0x83
        .set    n, n + 1
        .endr
        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code, DPL 0 */
        .quad   0x00cf92000000ffff      /* 0x10: flat data */
boot_gdt_desc:
        .word   boot_gdt_desc - boot_gdt - 1
        .long   boot_gdt

        .section .bss
        .balign 16
        .space  65536
bench_stack_top:
        .section .note.GNU-stack, "", @progbits
