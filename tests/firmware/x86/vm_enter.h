/* vm_enter for the test hypervisors (vmx.c, vmx_apic.c, and vmxt.h's
 * vmx_tlb.c / vmx_smp.c): VMLAUNCH / VMRESUME with the guest's general
 * registers from *g, coming back at the host RIP (vm_exit_stub) after the
 * exit with the guest's registers stored in *g. Host RSP and RIP are
 * written to the VMCS (6C14H, 6C16H) each time. Defines the code: include
 * it from exactly one .c per kernel. Written from the SDM vol. 3C (ch. 26
 * VM entries, ch. 27 VM exits; Appendix B encodings). */
#ifndef VM_ENTER_H
#define VM_ENTER_H
#include <stdint.h>

struct gregs {
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
};
/* vm_enter(g, launch): returns 0 after a VM exit (or a failed entry,
 * which also comes back through the host RIP), else 0x100 | the CF/ZF of
 * a VMfail. */
uint64_t vm_enter(struct gregs *g, int launch);
__asm__(".text\n"
        ".globl vm_enter\n"
        "vm_enter:\n\t"
        "push %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
        "push %rdi\n\t"
        "mov $0x6c14, %eax\n\tvmwrite %rsp, %rax\n\t"
        "lea vm_exit_stub(%rip), %rdx\n\tmov $0x6c16, %eax\n\tvmwrite %rdx, %rax\n\t"
        "cmpl $0, %esi\n\t"
        "mov 8(%rdi), %rcx\n\tmov 16(%rdi), %rdx\n\tmov 24(%rdi), %rbx\n\tmov 32(%rdi), %rbp\n\t"
        "mov 40(%rdi), %rsi\n\tmov 56(%rdi), %r8\n\tmov 64(%rdi), %r9\n\tmov 72(%rdi), %r10\n\t"
        "mov 80(%rdi), %r11\n\tmov 88(%rdi), %r12\n\tmov 96(%rdi), %r13\n\tmov 104(%rdi), %r14\n\t"
        "mov 112(%rdi), %r15\n\tmov 0(%rdi), %rax\n\tmov 48(%rdi), %rdi\n\t"
        "jne 1f\n\t"
        "vmresume\n\t"
        "jmp 2f\n"
        "1:\tvmlaunch\n"
        "2:\tpushfq\n\tpop %rax\n\tand $0x41, %eax\n\tor $0x100, %eax\n\t"
        "pop %rdi\n\tpop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\tret\n"
        ".globl vm_exit_stub\n"
        "vm_exit_stub:\n\t"
        "push %rdi\n\tmov 8(%rsp), %rdi\n\t"
        "mov %rax, 0(%rdi)\n\tmov %rcx, 8(%rdi)\n\tmov %rdx, 16(%rdi)\n\tmov %rbx, 24(%rdi)\n\t"
        "mov %rbp, 32(%rdi)\n\tmov %rsi, 40(%rdi)\n\tmov %r8, 56(%rdi)\n\tmov %r9, 64(%rdi)\n\t"
        "mov %r10, 72(%rdi)\n\tmov %r11, 80(%rdi)\n\tmov %r12, 88(%rdi)\n\tmov %r13, 96(%rdi)\n\t"
        "mov %r14, 104(%rdi)\n\tmov %r15, 112(%rdi)\n\tpop %rax\n\tmov %rax, 48(%rdi)\n\t"
        "pop %rdi\n\tpop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
        "xor %eax, %eax\n\tret\n");

#endif
