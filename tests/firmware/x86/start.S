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
    stub 18
    stub 19
    stub 32
    stub 33
    stub 48
    stub 128

/* uint64_t x86t_far_call(rip, cs, ss, rsp, rflags): IRETQ to cs:rip with
 * ss:rsp and rflags; the exception that ends the code there resumes at 1:
 * through x86t_resume / x86t_resume_rsp (lib.c). Returns the vector. */
    .globl  x86t_far_call
x86t_far_call:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, x86t_resume_rsp(%rip)
    lea     1f(%rip), %rax
    mov     %rax, x86t_resume(%rip)
    push    %rdx
    push    %rcx
    push    %r8
    push    %rsi
    push    %rdi
    iretq
1:  pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    mov     x86t_last_vector(%rip), %rax
    ret

/* uint64_t x86t_user_call(fn, user_rsp, rflags): CPL 3, CS 0x2b, SS 0x23 */
    .globl  x86t_user_call
x86t_user_call:
    mov     %rdx, %r8
    mov     %rsi, %rcx
    mov     $0x23, %edx
    mov     $0x2b, %esi
    jmp     x86t_far_call

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
