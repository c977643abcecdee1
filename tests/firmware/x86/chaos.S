/* Random-code kernel for tests/e2e/chaos.sh (x86 part): the 64 KiB section
 * .chaos is filled with random bytes by the test (objcopy
 * --update-section) and executed at CPL 0 (CHAOS_USER unset) or CPL 3 in
 * 64-bit mode (CHAOS_COMPAT: compatibility mode, CHAOS_REAL: real mode,
 * the bytes copied to 2000:0000). Every exception lands in a handler that resumes one byte
 * further (x86 instructions have no fixed length: the stream resyncs
 * itself), so the random bytes run one after the other; whatever they do to
 * CR0/CR3/CR4, the IDT, the GDT or memory, hvsim must end with a guest
 * outcome (exit 0, 1 or 3), never a crash. */
    .section .text.start, "ax"
    .globl _start
    .code64
_start:
    lea     stack_top(%rip), %rsp
    /* IDT: every vector -> handler (interrupt gate, DPL 3 so INT n from
     * CPL 3 lands there too) */
    lea     idt(%rip), %rdi
    lea     handler(%rip), %rax
    mov     $256, %ecx
1:  mov     %ax, (%rdi)
    movw    $0x08, 2(%rdi)
    movw    $0xee00, 4(%rdi)
    mov     %rax, %rdx
    shr     $16, %rdx
    mov     %dx, 6(%rdi)
    shr     $16, %rdx
    mov     %edx, 8(%rdi)
    movl    $0, 12(%rdi)
    add     $16, %rdi
    loop    1b
    lidt    idtr(%rip)
    /* GDT with user segments and a TSS (RSP0 for CPL 3 -> 0) */
    lea     tss(%rip), %rax
    lea     gdt(%rip), %rdi
    mov     %ax, 42(%rdi)           /* TSS descriptor base 15:0 at gdt+40+2 */
    shr     $16, %rax
    mov     %al, 44(%rdi)
    mov     %ah, 47(%rdi)
    shr     $16, %rax
    mov     %eax, 48(%rdi)
    lea     stack_top(%rip), %rax
    lea     tss(%rip), %rdi
    mov     %rax, 4(%rdi)           /* RSP0 */
    lgdt    gdtr(%rip)
    mov     $0x28, %ax
    ltr     %ax
#ifdef CHAOS_USER
    /* make the identity map user-accessible (PML4, PDPT, PDs of the boot
     * tables: docs/x86.md "ELF64 entry") */
    orq     $4, 0x2000
    mov     $0x3000, %rdi
    mov     $(4 + 2048), %ecx
2:  orq     $4, (%rdi)
    add     $8, %rdi
    loop    2b
    mov     %cr3, %rax
    mov     %rax, %cr3
    pushq   $0x23                   /* SS: user data, RPL 3 */
    lea     user_stack_top(%rip), %rax
    push    %rax
    pushq   $0x202
    pushq   $0x1b                   /* CS: user code, RPL 3 */
    lea     chaos(%rip), %rax
    push    %rax
    iretq
#elif defined(CHAOS_COMPAT)
    /* compatibility mode at CPL 0: a 32-bit code segment (0x38) */
    pushq   $0x38
    lea     chaos(%rip), %rax
    push    %rax
    lretq
#elif defined(CHAOS_REAL)
    /* real mode: the trampoline and the random bytes are copied below
     * 1 MiB (0x8000, 0x20000), then long mode is left the way SDM vol. 3A
     * §9.8.5.4 and §9.9.2 describe: compatibility mode, paging off, LME
     * off, 16-bit segments, PE off, a far jump to real mode. The IVT sends
     * every vector to a handler that resumes one byte further. */
    lea     tramp16(%rip), %rsi
    mov     $0x8000, %edi
    mov     $(tramp16_end - tramp16), %ecx
    rep movsb
    lea     chaos(%rip), %rsi
    mov     $0x20000, %edi
    mov     $65536, %ecx
    rep movsb
    pushq   $0x38
    lea     to_compat(%rip), %rax
    push    %rax
    lretq
    .code32
to_compat:
    mov     %cr0, %eax
    and     $0x7fffffff, %eax       /* PG off: long mode inactive */
    mov     %eax, %cr0
    mov     $0xc0000080, %ecx
    rdmsr
    and     $~0x100, %eax           /* LME off */
    wrmsr
    ljmp    $0x40, $0x8000          /* 16-bit code segment, base 0 */
    .code64
#else
    jmp     chaos
#endif

/* Resume one byte after the faulting (or trapping) instruction's start.
 * The frame: [error code], rip, cs, rflags, rsp, ss. Vectors without an
 * error code are told apart by the frame: the error-code vectors are 8,
 * 10-14, 17, 21 — we cannot know which vector came, so every gate pushes
 * none and we test the value at (%rsp): an rip inside .chaos or not. */
handler:
    lea     chaos(%rip), %rax
    mov     (%rsp), %rdx
    sub     %rax, %rdx
    cmp     $65536, %rdx
    jb      3f
    add     $8, %rsp                /* it was an error code */
3:  incq    (%rsp)
    /* past the end of the random bytes: stop (pass) */
    mov     (%rsp), %rdx
    sub     %rax, %rdx
    cmp     $65536, %rdx
    jae     done
    iretq
done:
    mov     $0xf4, %dx
    xor     %eax, %eax
    out     %eax, %dx
4:  hlt
    jmp     4b

#ifdef CHAOS_REAL
    /* copied to 0x8000 and run there: 16-bit protected mode, then real mode */
    .code16
tramp16:
    mov     $0x48, %ax              /* 16-bit data segments */
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %cr0, %eax
    and     $~1, %eax               /* PE off */
    mov     %eax, %cr0
    ljmp    $0x0800, $(real_entry - tramp16)
real_entry:
    xor     %ax, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     $0x7000, %sp
    /* IVT: 256 vectors -> 0800:rhandler */
    xor     %di, %di
    mov     $256, %cx
1:  movw    $(rhandler - tramp16), (%di)
    movw    $0x0800, 2(%di)
    add     $4, %di
    loop    1b
    lidtl   (ivtr - tramp16 + 0x8000)
    ljmp    $0x2000, $0
rhandler:
    push    %bp
    mov     %sp, %bp
    incw    2(%bp)                  /* the saved IP: one byte further */
    pop     %bp
    iret
ivtr:
    .word   0x3ff
    .long   0
tramp16_end:
    .code64
#endif

    .data
    .align 16
gdt:
    .quad   0
    .quad   0x00af9b000000ffff      /* 0x08 kernel code */
    .quad   0x00cf93000000ffff      /* 0x10 kernel data */
    .quad   0x00affb000000ffff      /* 0x18 user code, DPL 3 */
    .quad   0x00cff3000000ffff      /* 0x20 user data, DPL 3 */
    .quad   0x0000890000000067      /* 0x28 TSS (base filled in), limit 0x67 */
    .quad   0                       /* 0x30 the TSS's upper half */
    .quad   0x00cf9b000000ffff      /* 0x38 32-bit code (compatibility mode), DPL 0 */
    .quad   0x00009b000000ffff      /* 0x40 16-bit code, base 0, limit 0xffff */
    .quad   0x000093000000ffff      /* 0x48 16-bit data, base 0, limit 0xffff */
gdtr:
    .word   10 * 8 - 1
    .quad   gdt
    .align 16
idtr:
    .word   256 * 16 - 1
    .quad   idt
    .align 16
tss:
    .space  0x68

    .bss
    .align 4096
idt:
    .space  4096
    .space  16384
stack_top:
    .space  16384
user_stack_top:

    .section .chaos, "awx"
    .globl chaos
chaos:
    .space  65536, 0x90
    /* right after the random bytes (the test replaces .chaos whole): a
     * stream that ran off the end traps here (INT3's gate has DPL 3), and
     * the handler, seeing an rip past .chaos, ends the run */
    .section .chaos_end, "awx"
    int3
    int3
    .section .note.GNU-stack, "", @progbits
