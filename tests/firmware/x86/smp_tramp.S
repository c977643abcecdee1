/* The SMP test kernels' assembly (docs/x86.md "Interrupts and SMP"):
 *
 *  - smp_tramp..smp_tramp_end: the application-processor start-up code,
 *    copied to 0x8000 (SIPI vector 0x08: CS = 0x0800, IP = 0). Real mode
 *    -> protected mode -> PAE + LME + paging (the BSP's CR3, stored in
 *    the blob) -> 64-bit mode; then the stack of its APIC ID and
 *    smp_ap_entry(apic_id). Addresses inside are 0x8000 + offset.
 *  - smp_vec0..smp_vec255: an interrupt stub per vector, 16 bytes apart,
 *    calling smp_irq(vector) (C) with the caller-saved registers saved.
 */
#define T(x) ((x) - smp_tramp + 0x8000)
    .section .rodata
    .globl  smp_tramp, smp_tramp_end, smp_tramp_cr3, smp_tramp_entry, smp_tramp_stacks
    .code16
smp_tramp:
    cli
    xor     %ax, %ax
    mov     %ax, %ds
    lgdtl   T(tr_gdtr)
    mov     %cr0, %eax
    or      $1, %eax
    mov     %eax, %cr0
    ljmpl   $0x08, $T(tr_pm)
    .code32
tr_pm:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %cr4, %eax
    or      $0x220, %eax            /* PAE, OSFXSR */
    mov     %eax, %cr4
    mov     T(smp_tramp_cr3), %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx
    rdmsr
    or      $0x100, %eax            /* LME */
    wrmsr
    mov     %cr0, %eax
    or      $0x80000000, %eax       /* PG */
    mov     %eax, %cr0
    ljmpl   $0x18, $T(tr_lm)
    .code64
tr_lm:
    /* APIC ID: xAPIC ID register, or the x2APIC ID MSR when EXTD is set */
    mov     $0x1b, %ecx
    rdmsr
    test    $0x400, %eax
    jnz     1f
    mov     $0xfee00020, %eax
    mov     (%rax), %eax
    shr     $24, %eax
    jmp     2f
1:  mov     $0x802, %ecx
    rdmsr
2:  mov     %eax, %edi
    mov     %rdi, %rax
    inc     %rax
    shl     $14, %rax               /* 16 KiB per CPU */
    add     T(smp_tramp_stacks), %rax
    mov     %rax, %rsp
    mov     T(smp_tramp_entry), %rax
    call    *%rax
3:  hlt
    jmp     3b
    .balign 8
tr_gdt:
    .quad   0
    .quad   0x00cf9a000000ffff      /* 0x08 32-bit code */
    .quad   0x00cf92000000ffff      /* 0x10 data */
    .quad   0x00af9a000000ffff      /* 0x18 64-bit code */
tr_gdtr:
    .word   31
    .long   T(tr_gdt)
    .balign 8
smp_tramp_cr3:
    .quad   0
smp_tramp_entry:
    .quad   0
smp_tramp_stacks:
    .quad   0
smp_tramp_end:

    .text
    .code64
    .balign 16
    .globl  smp_vec0
smp_vec0:
    .set    v, 0
    .rept   256
    .balign 16
    pushq   $v
    jmp     smp_common
    .set    v, v + 1
    .endr
smp_common:
    push    %rbx
    push    %rax
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    mov     80(%rsp), %rdi
    mov     %rsp, %rbx
    and     $-16, %rsp
    call    smp_irq
    mov     %rbx, %rsp
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rdi
    pop     %rsi
    pop     %rdx
    pop     %rcx
    pop     %rax
    pop     %rbx
    add     $8, %rsp
    iretq
    .section .note.GNU-stack, "", @progbits
