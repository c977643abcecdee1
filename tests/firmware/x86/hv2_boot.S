/* hv2's multiboot entry (docs/vmx.md "hv2"): a Multiboot 1 header (MB1
 * §3.1: page-aligned modules, memory information) in an ELF64 kernel; the
 * loader enters hv2_boot32 in 32-bit protected mode, paging off (MB1
 * §3.2). It identity-maps the first 4 GiB with 2-MByte pages, turns on
 * PAE, IA32_EFER.LME/NXE/SCE and paging (SDM vol. 3A §10.8.5, "Initializing
 * IA-32e Mode"), loads a GDT with 08H 64-bit code and 10H data and jumps
 * to start.S's _start in 64-bit mode: from there on hv2 is one of our
 * x86_64 test kernels. */
    .section .multiboot, "a"
    .align 4
    .long   0x1BADB002
    .long   0x00000003
    .long   -(0x1BADB002 + 0x00000003)

    .text
    .code32
    .globl  hv2_boot32
hv2_boot32:
    cli
    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories; PDE i maps
     * i * 2 MiB (P, RW, PS) */
    mov     $hv2_pml4, %edi
    mov     $hv2_pdpt, %eax
    or      $3, %eax
    mov     %eax, (%edi)
    mov     $hv2_pdpt, %edi
    mov     $hv2_pd, %eax
    or      $3, %eax
    mov     $4, %ecx
1:  mov     %eax, (%edi)
    add     $4096, %eax
    add     $8, %edi
    loop    1b
    mov     $hv2_pd, %edi
    xor     %eax, %eax
    xor     %edx, %edx
    mov     $2048, %ecx
2:  mov     %eax, %ebx
    or      $0x83, %ebx
    mov     %ebx, (%edi)
    mov     %edx, 4(%edi)
    add     $0x200000, %eax
    adc     $0, %edx
    add     $8, %edi
    loop    2b
    lgdt    hv2_gdtr
    mov     %cr4, %eax
    or      $0xa0, %eax             /* PAE, PGE */
    mov     %eax, %cr4
    mov     $hv2_pml4, %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx
    rdmsr
    or      $0x901, %eax            /* LME, NXE, SCE */
    wrmsr
    mov     %cr0, %eax
    or      $0x80010020, %eax       /* PG, WP, NE */
    mov     %eax, %cr0
    ljmp    $0x08, $hv2_long
    .code64
hv2_long:
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    xor     %eax, %eax
    mov     %eax, %fs
    mov     %eax, %gs
    jmp     _start

    .section .rodata
    .balign 8
hv2_gdt:
    .quad   0
    .quad   0x00af9a000000ffff      /* 08H 64-bit code */
    .quad   0x00cf92000000ffff      /* 10H data */
hv2_gdtr:
    .word   23
    .long   hv2_gdt

    .bss
    .balign 4096
hv2_pml4:
    .space  4096
hv2_pdpt:
    .space  4096
hv2_pd:
    .space  4 * 4096
    .section .note.GNU-stack, "", @progbits
