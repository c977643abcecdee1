/* Mode switches of the multiboot test kernel (called from 32-bit protected
 * mode, cdecl, interrupts off):
 *
 * mb_long_mode_test(test_high_ram): protected mode -> PAE + EFER.LME +
 *   CR0.PG (IA-32e compatibility mode) -> far jump to a 64-bit code segment
 *   -> far return to a 32-bit code segment (compatibility mode) -> far jump
 *   back to 64-bit -> compatibility mode, paging off, LME off: protected
 *   mode again (SDM vol. 3A §10.8.5 and §10.8.5.4).
 * mb_real_mode_test(): protected mode -> 16-bit protected mode -> CR0.PE
 *   off -> real mode at 0800:xxxx (the trampoline copied to 0x8000),
 *   segment:offset and the A20 wrap through port 0x92 -> CR0.PE on ->
 *   protected mode (SDM vol. 3A §10.9.2 and §10.9.1).
 * Both return result bits (mb.h). */
#define TRAMP 0x8000
#define MSR_EFER 0xC0000080

    .data
    .align 8
gdt:
    .quad   0
    .quad   0x00cf9b000000ffff      /* 0x08 32-bit code, flat */
    .quad   0x00cf93000000ffff      /* 0x10 32-bit data, flat */
    .quad   0x00af9b000000ffff      /* 0x18 64-bit code */
    .quad   0x00009b000000ffff      /* 0x20 16-bit code, base 0, limit 64K */
    .quad   0x000093000000ffff      /* 0x28 16-bit data, base 0, limit 64K */
gdt_end:
gdt_desc:
    .word   gdt_end - gdt - 1
    .long   gdt
saved_esp:
    .long   0

/* 4-level tables: the first 8 GiB identity-mapped with 1 GiB pages. */
    .align 4096
pml4:
    .long   pdpt + 3, 0
    .fill   511, 8, 0
pdpt:
    .long   0x00000083, 0, 0x40000083, 0, 0x80000083, 0, 0xc0000083, 0
    .long   0x00000083, 1, 0x40000083, 1, 0x80000083, 1, 0xc0000083, 1
    .fill   504, 8, 0

    .text
    .code32
/* our own GDT, CS = 0x08, data = 0x10 */
load_gdt:
    lgdt    gdt_desc
    ljmp    $0x08, $1f
1:  mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %ax, %fs
    mov     %ax, %gs
    ret

    .globl  mb_long_mode_test
mb_long_mode_test:
    push    %ebp
    push    %ebx
    push    %esi
    push    %edi
    mov     20(%esp), %edi
    call    load_gdt
    xor     %esi, %esi
    mov     %cr4, %eax
    or      $0x20, %eax             /* CR4.PAE */
    mov     %eax, %cr4
    mov     $pml4, %eax
    mov     %eax, %cr3
    mov     $MSR_EFER, %ecx
    rdmsr
    or      $0x100, %eax            /* EFER.LME */
    wrmsr
    mov     %cr0, %eax
    or      $0x80000000, %eax       /* CR0.PG: IA-32e mode, CS still 32-bit */
    mov     %eax, %cr0
    ljmp    $0x18, $lm64

    .code64
lm64:
    mov     %esp, %esp              /* zero-extend RSP */
    xor     %eax, %eax
    .byte   0x48, 0xff, 0xc0        /* 64-bit: INC RAX; 32-bit: DEC EAX, INC EAX */
    cmp     $1, %eax
    jne     1f
    or      $1, %esi                /* LM_64BIT */
1:  test    %edi, %edi
    jz      2f
    movabs  $0x100000000, %rbx
    movl    $0x5a5aa5a5, (%rbx)
    movl    $0, 0                   /* not an alias of 0 */
    cmpl    $0x5a5aa5a5, (%rbx)
    jne     2f
    or      $8, %esi                /* LM_HIGH_RAM */
2:  pushq   $0x08
    mov     $compat32, %eax
    push    %rax
    lretq                           /* to compatibility mode */

    .code32
compat32:
    xor     %eax, %eax
    .byte   0x48, 0xff, 0xc0
    test    %eax, %eax
    jne     3f
    mov     $MSR_EFER, %ecx
    rdmsr
    test    $0x400, %eax            /* EFER.LMA still set */
    jz      3f
    or      $2, %esi                /* LM_COMPAT */
3:  ljmp    $0x18, $back64

    .code64
back64:
    xor     %eax, %eax
    .byte   0x48, 0xff, 0xc0
    cmp     $1, %eax
    jne     4f
    or      $4, %esi                /* LM_BACK64 */
4:  pushq   $0x08
    mov     $leave32, %eax
    push    %rax
    lretq

    .code32
leave32:
    mov     %cr0, %eax
    and     $0x7fffffff, %eax       /* paging off: LMA clears */
    mov     %eax, %cr0
    mov     $MSR_EFER, %ecx
    rdmsr
    and     $~0x100, %eax
    wrmsr
    mov     %cr4, %eax
    and     $~0x20, %eax
    mov     %eax, %cr4
    rdmsr
    test    $0x400, %eax
    jnz     5f
    or      $16, %esi               /* LM_LEFT */
5:  mov     %esi, %eax
    pop     %edi
    pop     %esi
    pop     %ebx
    pop     %ebp
    ret

    .globl  mb_real_mode_test
mb_real_mode_test:
    push    %ebp
    push    %ebx
    push    %esi
    push    %edi
    mov     %esp, saved_esp
    call    load_gdt
    mov     $tramp_start, %esi
    mov     $TRAMP, %edi
    mov     $(tramp_end - tramp_start), %ecx
    cld
    rep movsb
    ljmp    $0x20, $(TRAMP + pm16 - tramp_start)

/* Runs at 0x8000 (copied there): offsets from tramp_start. */
tramp_start:
    .code16
pm16:
    mov     $0x28, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %cr0, %eax
    and     $0xfffffffe, %eax       /* CR0.PE off */
    mov     %eax, %cr0
    ljmp    $(TRAMP >> 4), $(rm - tramp_start)
rm:
    xor     %ax, %ax
    mov     %ax, %ds
    mov     %ax, %ss
    mov     $0x7c00, %sp
    lidt    TRAMP + rm_idt - tramp_start
    xor     %di, %di
    /* segment:offset: 1234:0010 = 1235:0000 = 0x12350 */
    mov     $0x1234, %ax
    mov     %ax, %es
    movb    $0xa5, %es:0x10
    mov     $0x1235, %ax
    mov     %ax, %ds
    movb    %ds:0, %al
    cmp     $0xa5, %al
    jne     1f
    or      $1, %di                 /* RM_SEGOFF */
1:  mov     %cs, %ax
    cmp     $(TRAMP >> 4), %ax
    jne     2f
    or      $2, %di                 /* RM_CS */
2:  xor     %ax, %ax
    mov     %ax, %ds
    mov     $0xffff, %ax
    mov     %ax, %es
    mov     %ds:0, %ebx             /* keep 0:0 */
    in      $0x92, %al
    and     $0xfc, %al              /* A20 off (bit 1), no reset (bit 0) */
    out     %al, $0x92
    movl    $0x11223344, %ds:0
    cmpl    $0x11223344, %es:0x10
    jne     3f
    movl    $0x55667788, %es:0x10
    cmpl    $0x55667788, %ds:0
    jne     3f
    or      $4, %di                 /* RM_A20_WRAP */
3:  in      $0x92, %al
    or      $2, %al                 /* A20 on */
    and     $0xfe, %al
    out     %al, $0x92
    mov     %es:0x10, %ecx          /* keep 0x100000 */
    movl    $0x99aabbcc, %es:0x10
    cmpl    $0x99aabbcc, %ds:0
    je      4f
    or      $8, %di                 /* RM_A20_ON */
4:  mov     %ecx, %es:0x10
    mov     %ebx, %ds:0
    mov     %di, TRAMP + rm_result - tramp_start
    mov     %cr0, %eax
    or      $1, %eax                /* CR0.PE on */
    mov     %eax, %cr0
    .byte   0x66, 0xea              /* JMP ptr16:32 */
    .long   pm32_back
    .word   0x08
    .align 4
rm_idt:
    .word   0x3ff
    .long   0
rm_result:
    .word   0
tramp_end:

    .code32
pm32_back:
    mov     $0x10, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %ax, %fs
    mov     %ax, %gs
    mov     saved_esp, %esp
    movzwl  TRAMP + rm_result - tramp_start, %eax
    pop     %edi
    pop     %esi
    pop     %ebx
    pop     %ebp
    ret
    .section .note.GNU-stack, "", @progbits
