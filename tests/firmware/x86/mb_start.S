/* Entry of the 32-bit multiboot test kernels: protected mode, paging off,
 * EAX = the boot magic, EBX = the boot information (MB1 §3.2, MB2 §3.3).
 * kmain32(magic, info) returns the isa-debug-exit value. */
    .section .text.start, "ax"
    .code32
    .globl _start
_start:
    mov     $stack_top, %esp
    push    %ebx
    push    %eax
    call    kmain32
    push    %eax
    call    x86t_exit
1:  hlt
    jmp     1b

    .bss
    .align 16
    .space 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
