/* Entry of the x86_64 test kernels (64-bit mode, identity-mapped, IF = 0),
 * and the exception stubs: every vector pushes an error code (0 when the
 * CPU does not) and its number, then x86t_trap(frame) runs. */
    .section .text.start, "ax"
    .globl _start
_start:
    lea     stack_top(%rip), %rsp
    call    kmain
    mov     %eax, %edi
    call    x86t_exit
1:  hlt
    jmp     1b

    .text
/* vectors with an error code (SDM vol. 3A Table 6-1): 8, 10-14, 17, 21 */
.macro stub n
    .globl  x86t_vec\n
x86t_vec\n:
    .if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21)
    .else
    pushq   $0
    .endif
    pushq   $\n
    jmp     common
.endm
    stub 0
    stub 1
    stub 2
    stub 3
    stub 4
    stub 5
    stub 6
    stub 7
    stub 8
    stub 10
    stub 11
    stub 12
    stub 13
    stub 14
    stub 16
    stub 17
    stub 32

common:
    push    %rax
    push    %rcx
    push    %rdx
    push    %rbx
    push    %rbp
    push    %rsi
    push    %rdi
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, %rdi
    call    x86t_trap
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rdi
    pop     %rsi
    pop     %rbp
    pop     %rbx
    pop     %rdx
    pop     %rcx
    pop     %rax
    add     $16, %rsp
    iretq

    .bss
    .align 16
    .space 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
