/* /init of hvsim's Linux x86_64 KVM test image (build_x86_64_kvm.sh): a
 * static program, no shell, and our own KVM launcher (no QEMU in the guest
 * Linux): the KVM ioctl API of Documentation/virt/kvm/api.rst.
 *
 *   1. mount devtmpfs on /dev, proc, sysfs; print
 *      "init: hvsim x86_64 Linux KVM test image, N CPUs online";
 *   2. /dev/kvm: open, KVM_GET_API_VERSION (12), KVM_CREATE_VM; print
 *      "init: /dev/kvm present (char 10:232, KVM API 12)" (or why not);
 *   3. VM 1: 1 vCPU entered directly in 64-bit mode (KVM_SET_SREGS: paging
 *      with one 2-MiB identity page, no firmware), no in-kernel irqchip. The
 *      guest asks CPUID leaf 0 for the vendor (answered inside KVM from the
 *      table the launcher set with KVM_SET_CPUID2), prints a line through
 *      port 0xe9 (one KVM_EXIT_IO per byte, the launcher assembles lines),
 *      writes the FNV-1a hash of the bytes it printed to port 0xea (two
 *      32-bit OUTs, low half first) and halts (KVM_EXIT_HLT). The launcher
 *      checks the line and the hash against the bytes it received;
 *   4. VM 2: 2 vCPUs with KVM's in-kernel irqchip (local APICs in x2APIC
 *      mode), both entered in 64-bit mode (vCPU 1 made runnable with
 *      KVM_SET_MP_STATE). vCPU 1 enables its APIC and says ready; vCPU 0
 *      sends it N fixed IPIs (vector 0x40, WRMSR to the x2APIC ICR); vCPU 1's
 *      handler counts, mixes (1, k) into an FNV-1a sum and answers with
 *      vector 0x41; vCPU 0's handler mixes (0, k). vCPU 0 waits for each
 *      answer with STI; HLT (KVM halts it in the kernel until the IPI),
 *      prints a line, writes the sum to port 0xea and "done" to port 0xeb;
 *      the launcher computes the expected sum itself;
 *   5. "init: PASS|FAIL, powering off", then, once the console drained,
 *      isa-debug-exit (port 0xf4: 0 pass, 1 fail) and reboot(RB_POWER_OFF)
 *      if that did not end it (init_x86_lib.h power_off).
 * Kernel command line: kvmtest.n=N (VM 2 round trips, default 100),
 * kvmtest.vm=1|2 (run only that VM), kvmtest.timeout=MS (fail VM 2 if it
 * has not ended after MS ms; default 0: wait forever), kvmtest.delay=K
 * (vCPU 0 spins K iterations between seeing vCPU 1 ready and the first
 * ping). Weakened handshakes for race hunting (docs/examples/x86-kvm-lost-ipi.md):
 * kvmtest.race=ready (vCPU 1 sets its ready flag before it enables its
 * local APIC: a ping that comes in between is not accepted and is lost),
 * kvmtest.race=hlt (vCPU 0 checks for each answer with interrupts enabled
 * and then HLTs, after kvmtest.idle=K spin iterations: an answer taken in
 * between is a lost wake-up).
 * /init never exits: that would panic the kernel.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <linux/kvm.h>
#include "init_x86_lib.h" /* say, mount_fs, cmdline_str, power_off */

/* ---- guest memory layout (guest-physical = guest-linear: identity paging) ---- */
#define RAM_SIZE    0x200000u   /* 2 MiB at GPA 0: one memory slot, one 2-MiB page */
#define GDT_GPA     0x0800u
#define PML4_GPA    0x1000u
#define PDPT_GPA    0x2000u
#define PD_GPA      0x3000u
#define STACK1_GPA  0x7000u     /* vCPU 1's stack top (VM 2) */
#define STACK0_GPA  0x8000u     /* vCPU 0's stack top */
#define SH_GPA      0x9000u     /* VM 2's shared block (struct sh) */
#define IDT_GPA     0xa000u
#define CODE_GPA    0x10000u    /* the guest blob below */
#define TSS_ADDR    0xfffbd000u /* KVM_SET_TSS_ADDR: 3 pages KVM keeps for real mode */

/* ports the launcher handles (KVM_EXIT_IO) */
#define PORT_CON    0xe9        /* OUT byte: console */
#define PORT_SUM    0xea        /* OUT dword x2: the guest's checksum, low half first */
#define PORT_DONE   0xeb        /* OUT: VM 2 finished */

#define FNV_OFFSET  0xcbf29ce484222325ull
#define FNV_PRIME   0x100000001b3ull

#define VEC_PING    0x40        /* vCPU 0 -> vCPU 1 */
#define VEC_PONG    0x41        /* vCPU 1 -> vCPU 0 */

/* VM 2's shared block at SH_GPA; the guest addresses its fields absolutely */
struct sh {
    uint32_t n;                 /* launcher: round trips */
    uint32_t ready;             /* vCPU 1: APIC enabled, IF = 1 */
    uint32_t pings;             /* vCPU 1's handler: IPIs taken */
    uint32_t pongs;             /* vCPU 0's handler: IPIs taken */
    uint64_t sum;               /* FNV-1a over (vCPU, count) as the IPIs are taken */
    uint32_t delay;             /* launcher: vCPU 0 spins this long before the first ping */
    uint32_t idle;              /* launcher: kvmtest.race=hlt's spin between check and HLT */
};

/* The guests: 64-bit code, position-dependent only through the absolute
 * addresses of the layout above; loaded at CODE_GPA, entered at the labels
 * (offsets from kg_start). Each IPI handler saves what it clobbers. */
__asm__(
    ".pushsection .rodata\n"
    ".globl kg_start, kg_end, kg_vm1, kg_vm2_cpu0, kg_vm2_cpu1, kg_isr_ping, kg_isr_pong\n"
    ".globl kg_vm2_cpu0_nocli, kg_vm2_cpu1_early\n"
    ".globl kg_vm1_vendor\n"
    "kg_start:\n"
    /* print: RSI = string, ECX = length; R13 = running FNV-1a hash */
    "kg_print:\n"
    "    mov $0xe9, %edx\n"
    "    movabs $0x100000001b3, %r8\n"
    "1:  lodsb\n"
    "    out %al, %dx\n"
    "    movzbl %al, %eax\n"
    "    xor %rax, %r13\n"
    "    imul %r8, %r13\n"
    "    dec %ecx\n"
    "    jnz 1b\n"
    "    ret\n"
    /* report R13 on port 0xea, low half first */
    "kg_report:\n"
    "    mov $0xea, %edx\n"
    "    mov %r13d, %eax\n"
    "    out %eax, %dx\n"
    "    mov %r13, %rax\n"
    "    shr $32, %rax\n"
    "    out %eax, %dx\n"
    "    ret\n"
    /* ---- VM 1 ---- */
    "kg_vm1:\n"
    "    xor %eax, %eax\n"
    "    cpuid\n"
    "    lea kg_vm1_vendor(%rip), %rdi\n"
    "    mov %ebx, (%rdi)\n"
    "    mov %edx, 4(%rdi)\n"
    "    mov %ecx, 8(%rdi)\n"
    "    movabs $0xcbf29ce484222325, %r13\n"
    "    lea kg_vm1_msg(%rip), %rsi\n"
    "    mov $(kg_vm1_msg_end - kg_vm1_msg), %ecx\n"
    "    call kg_print\n"
    "    call kg_report\n"
    "    hlt\n"
    "    jmp kg_vm1\n"
    "kg_vm1_msg:\n"
    "    .ascii \"vm1: hello from a KVM guest in 64-bit mode on vCPU 0, CPUID vendor \"\n"
    "kg_vm1_vendor:\n"
    "    .ascii \"????????????\\n\"\n"
    "kg_vm1_msg_end:\n"
    /* ---- VM 2 ---- */
    /* x2APIC on (IA32_APIC_BASE bits 10 and 11), software-enabled (SVR bit 8,
     * spurious vector 0xff). (KVM maps guest pages into EPT lazily: the
     * first interrupt delivered through the IDT takes an EPT violation on
     * the IDT's page, and KVM re-injects it from the IDT-vectoring
     * information, SDM Vol. 3C 27.2.4.) */
    "kg_apic_on:\n"
    "    mov $0x1b, %ecx\n"
    "    rdmsr\n"
    "    or $0xc00, %eax\n"
    "    wrmsr\n"
    "    mov $0x80f, %ecx\n"
    "    mov $0x1ff, %eax\n"
    "    xor %edx, %edx\n"
    "    wrmsr\n"
    "    ret\n"
    /* sum = (sum ^ (RDX << 32 | EAX)) * FNV_PRIME; clobbers RAX, RDX */
    "kg_mix:\n"
    "    shl $32, %rdx\n"
    "    mov %eax, %eax\n"
    "    or %rdx, %rax\n"
    "    xor 0x9010, %rax\n"
    "    movabs $0x100000001b3, %rdx\n"
    "    imul %rdx, %rax\n"
    "    mov %rax, 0x9010\n"
    "    ret\n"
    /* EOI and an IPI: EAX = vector, EDX = destination x2APIC id */
    "kg_eoi:\n"
    "    push %rax\n"
    "    push %rdx\n"
    "    mov $0x80b, %ecx\n"
    "    xor %eax, %eax\n"
    "    xor %edx, %edx\n"
    "    wrmsr\n"
    "    pop %rdx\n"
    "    pop %rax\n"
    "    ret\n"
    "kg_ipi:\n"
    "    mov $0x830, %ecx\n"
    "    wrmsr\n"
    "    ret\n"
    /* spin ECX iterations (0: none); clobbers ECX */
    "kg_spin:\n"
    "    test %ecx, %ecx\n"
    "    jz 2f\n"
    "1:  dec %ecx\n"
    "    jnz 1b\n"
    "2:  ret\n"
    /* vCPU 0: APIC on, wait for vCPU 1's ready flag, spin kvmtest.delay */
    "kg_vm2_start:\n"
    "    call kg_apic_on\n"
    "1:  pause\n"
    "    cmpl $0, 0x9004\n"
    "    je 1b\n"
    "    mov 0x9018, %ecx\n"
    "    call kg_spin\n"
    "    mov $1, %r12d\n"
    "    ret\n"
    /* the correct wait for each answer: check with IF = 0, then STI; HLT
     * (STI's interrupt shadow, SDM Vol. 3A 6.8.3: no interrupt between STI
     * and HLT, so an answer that arrives after the check wakes the HLT) */
    "kg_vm2_cpu0:\n"
    "    call kg_vm2_start\n"
    "2:  cmp 0x9000, %r12d\n"
    "    ja kg_vm2_finish\n"
    "    mov $0x40, %eax\n"
    "    mov $1, %edx\n"
    "    call kg_ipi\n"
    "3:  cli\n"
    "    cmp 0x900c, %r12d\n"       /* answered: pongs >= k */
    "    jbe 4f\n"
    "    sti\n"
    "    hlt\n"
    "    jmp 3b\n"
    "4:  sti\n"
    "    inc %r12d\n"
    "    jmp 2b\n"
    /* kvmtest.race=hlt: the weakened wait: IF stays 1, the check, then
     * kvmtest.idle spin iterations ("idle entry work"), then HLT. An answer
     * taken after the check and before the HLT is counted by the handler,
     * and the HLT then waits for an IPI nobody will send. */
    "kg_vm2_cpu0_nocli:\n"
    "    call kg_vm2_start\n"
    "    sti\n"
    "2:  cmp 0x9000, %r12d\n"
    "    ja kg_vm2_finish\n"
    "    mov $0x40, %eax\n"
    "    mov $1, %edx\n"
    "    call kg_ipi\n"
    "3:  cmp 0x900c, %r12d\n"
    "    jbe 4f\n"
    "    mov 0x901c, %ecx\n"
    "    call kg_spin\n"
    "    hlt\n"
    "    jmp 3b\n"
    "4:  inc %r12d\n"
    "    jmp 2b\n"
    "kg_vm2_finish:\n"
    "    movabs $0xcbf29ce484222325, %r13\n"
    "    lea kg_vm2_msg(%rip), %rsi\n"
    "    mov $(kg_vm2_msg_end - kg_vm2_msg), %ecx\n"
    "    call kg_print\n"
    "    mov 0x9010, %r13\n"
    "    call kg_report\n"
    "    mov $0xeb, %edx\n"
    "    out %al, %dx\n"
    "6:  cli\n"
    "    hlt\n"
    "    jmp 6b\n"
    "kg_vm2_msg:\n"
    "    .ascii \"vm2: vCPU 0 got every answer from vCPU 1\\n\"\n"
    "kg_vm2_msg_end:\n"
    /* vCPU 1, correct: the ready flag says "my APIC takes IPIs", so it is
     * published after the APIC is on (a ping before the STI waits in the
     * IRR and is taken at the HLT) */
    "kg_vm2_cpu1:\n"
    "    call kg_apic_on\n"
    "    movl $1, 0x9004\n"
    "    sti\n"
    "1:  hlt\n"
    "    jmp 1b\n"
    /* kvmtest.race=ready: the flag published before the APIC is on. A fixed
     * IPI that reaches a software-disabled local APIC is not accepted (KVM:
     * __apic_accept_irq, arch/x86/kvm/lapic.c), so a ping sent in between
     * is lost and vCPU 0 waits for its answer forever. */
    "kg_vm2_cpu1_early:\n"
    "    movl $1, 0x9004\n"
    "    call kg_apic_on\n"
    "    sti\n"
    "1:  hlt\n"
    "    jmp 1b\n"
    /* vector 0x40 on vCPU 1: count, mix (1, k), EOI, answer with 0x41 */
    "kg_isr_ping:\n"
    "    push %rax\n"
    "    push %rcx\n"
    "    push %rdx\n"
    "    incl 0x9008\n"
    "    mov 0x9008, %eax\n"
    "    mov $1, %edx\n"
    "    call kg_mix\n"
    "    call kg_eoi\n"
    "    mov $0x41, %eax\n"
    "    xor %edx, %edx\n"
    "    call kg_ipi\n"
    "    pop %rdx\n"
    "    pop %rcx\n"
    "    pop %rax\n"
    "    iretq\n"
    /* vector 0x41 on vCPU 0: mix (0, k), count, EOI */
    "kg_isr_pong:\n"
    "    push %rax\n"
    "    push %rcx\n"
    "    push %rdx\n"
    "    mov 0x900c, %eax\n"
    "    inc %eax\n"
    "    xor %edx, %edx\n"
    "    push %rax\n"
    "    call kg_mix\n"
    "    pop %rax\n"
    "    mov %eax, 0x900c\n"
    "    call kg_eoi\n"
    "    pop %rdx\n"
    "    pop %rcx\n"
    "    pop %rax\n"
    "    iretq\n"
    "kg_end:\n"
    ".popsection\n");

extern const unsigned char kg_start[], kg_end[], kg_vm1[], kg_vm1_vendor[], kg_vm2_cpu0[],
    kg_vm2_cpu1[], kg_vm2_cpu0_nocli[], kg_vm2_cpu1_early[], kg_isr_ping[], kg_isr_pong[];
#define GUEST_ADDR(label) (CODE_GPA + (uint64_t)((label) - kg_start))

/* ---- the VMs -------------------------------------------------------------------- */

#define MAX_VCPUS 2
#define CON_MAX   512

struct vm;
struct vcpu {
    struct vm *vm;
    int id, fd;
    struct kvm_run *run;
    pthread_t thread;
    int started;
    unsigned long exits[64];   /* exits to user space by KVM_EXIT_* */
};

struct vm {
    int num, fd, nvcpus;
    unsigned char *ram;
    struct vcpu vcpu[MAX_VCPUS];
    pthread_mutex_t lock;
    int finished;              /* KVM_EXIT_HLT (VM 1), PORT_DONE (VM 2), or an error */
    char error[256];
    char con[CON_MAX];         /* the line being assembled */
    size_t conlen;
    char lines[4][CON_MAX];    /* complete console lines */
    int nlines;
    uint64_t con_hash;         /* FNV-1a of every console byte */
    uint32_t sum_half[2];
    int nsum;
};

static int kvm_fd = -1;
static size_t run_size;
static struct kvm_cpuid2 *cpuid;

static void vm_fail(struct vm *vm, const char *fmt, ...)
{
    pthread_mutex_lock(&vm->lock);
    if (!vm->error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(vm->error, sizeof vm->error, fmt, ap);
        va_end(ap);
    }
    vm->finished = 1;
    pthread_mutex_unlock(&vm->lock);
}

static void con_byte(struct vm *vm, unsigned char c)
{
    vm->con_hash = (vm->con_hash ^ c) * FNV_PRIME;
    if (c == '\n' || vm->conlen == CON_MAX - 1) {
        vm->con[vm->conlen] = 0;
        say("%s", vm->con);
        if (vm->nlines < 4)
            memcpy(vm->lines[vm->nlines++], vm->con, vm->conlen + 1);
        vm->conlen = 0;
    } else {
        vm->con[vm->conlen++] = (char)c;
    }
}

/* One KVM_EXIT_IO: OUTs to our ports; anything else is an error. */
static void handle_io(struct vcpu *v)
{
    struct kvm_run *r = v->run;
    struct vm *vm = v->vm;
    unsigned char *data = (unsigned char *)r + r->io.data_offset;
    if (r->io.direction != KVM_EXIT_IO_OUT) {
        vm_fail(vm, "vCPU %d: IN from port 0x%x", v->id, r->io.port);
        return;
    }
    pthread_mutex_lock(&vm->lock);
    for (unsigned i = 0; i < r->io.count; i++, data += r->io.size) {
        if (r->io.port == PORT_CON && r->io.size == 1) {
            con_byte(vm, data[0]);
        } else if (r->io.port == PORT_SUM && r->io.size == 4 && vm->nsum < 2) {
            memcpy(&vm->sum_half[vm->nsum++], data, 4);
        } else if (r->io.port == PORT_DONE) {
            vm->finished = 1;
        } else {
            snprintf(vm->error, sizeof vm->error, "vCPU %d: OUT of %u bytes to port 0x%x", v->id,
                     r->io.size, r->io.port);
            vm->finished = 1;
        }
    }
    pthread_mutex_unlock(&vm->lock);
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *v = arg;
    struct vm *vm = v->vm;
    for (unsigned long n = 0;; n++) {
        pthread_mutex_lock(&vm->lock);
        int fin = vm->finished;
        pthread_mutex_unlock(&vm->lock);
        if (fin)
            break;
        if (n > 100000) {
            vm_fail(vm, "vCPU %d: more than 100000 exits to user space", v->id);
            break;
        }
        int rc = ioctl(v->fd, KVM_RUN, 0);
        if (rc < 0) {
            if (errno == EINTR) {
                v->exits[KVM_EXIT_INTR]++;
                continue;
            }
            vm_fail(vm, "vCPU %d: KVM_RUN: %s", v->id, strerror(errno));
            break;
        }
        struct kvm_run *r = v->run;
        if (r->exit_reason < 64)
            v->exits[r->exit_reason]++;
        switch (r->exit_reason) {
        case KVM_EXIT_IO:
            handle_io(v);
            break;
        case KVM_EXIT_HLT:
            pthread_mutex_lock(&vm->lock);
            vm->finished = 1;
            pthread_mutex_unlock(&vm->lock);
            break;
        case KVM_EXIT_INTR:
            break;
        case KVM_EXIT_FAIL_ENTRY:
            vm_fail(vm, "vCPU %d: KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx", v->id,
                    (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
            break;
        case KVM_EXIT_INTERNAL_ERROR:
            vm_fail(vm, "vCPU %d: KVM_EXIT_INTERNAL_ERROR, suberror %u, data %llx %llx %llx %llx",
                    v->id, r->internal.suberror,
                    (unsigned long long)(r->internal.ndata > 0 ? r->internal.data[0] : 0),
                    (unsigned long long)(r->internal.ndata > 1 ? r->internal.data[1] : 0),
                    (unsigned long long)(r->internal.ndata > 2 ? r->internal.data[2] : 0),
                    (unsigned long long)(r->internal.ndata > 3 ? r->internal.data[3] : 0));
            break;
        default:
            vm_fail(vm, "vCPU %d: unexpected exit reason %u", v->id, r->exit_reason);
            break;
        }
    }
    /* a vCPU that ends the VM stops the others: they may sleep in KVM_RUN */
    for (int i = 0; i < vm->nvcpus; i++) {
        if (i != v->id && vm->vcpu[i].started) {
            vm->vcpu[i].run->immediate_exit = 1;
            pthread_kill(vm->vcpu[i].thread, SIGUSR1);
        }
    }
    return NULL;
}

static void on_sigusr1(int sig) { (void)sig; }

/* KVM's in-kernel exit counters (KVM_GET_STATS_FD, api.rst 4.133) */
static void print_stats(struct vcpu *v)
{
    char out[512];
    size_t o = 0;
    int fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
    if (fd < 0) {
        say("kvmtest: vm%d vcpu%d: KVM_GET_STATS_FD: %s", v->vm->num, v->id, strerror(errno));
        return;
    }
    struct kvm_stats_header h;
    if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
        close(fd);
        return;
    }
    size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
    char *descs = calloc(h.num_desc, dsz);
    if (descs && pread(fd, descs, h.num_desc * dsz, h.desc_offset) == (ssize_t)(h.num_desc * dsz)) {
        for (unsigned i = 0; i < h.num_desc; i++) {
            struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsz);
            if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE ||
                (d->flags & KVM_STATS_UNIT_MASK) != KVM_STATS_UNIT_NONE || d->size != 1)
                continue;
            if (!strstr(d->name, "exits") && strcmp(d->name, "halt_wakeup") != 0 &&
                strcmp(d->name, "irq_injections") != 0)
                continue;
            uint64_t val;
            if (pread(fd, &val, sizeof val, h.data_offset + d->offset) != (ssize_t)sizeof val)
                continue;
            int k = snprintf(out + o, sizeof out - o, " %s=%" PRIu64, d->name, val);
            if (k > 0 && (size_t)k < sizeof out - o)
                o += (size_t)k;
        }
    }
    out[o] = 0;
    say("kvmtest: vm%d vcpu%d kvm stats:%s", v->vm->num, v->id, out);
    free(descs);
    close(fd);
}

static void print_exits(struct vcpu *v)
{
    static const char *const names[64] = {
        [KVM_EXIT_IO] = "io", [KVM_EXIT_HLT] = "hlt", [KVM_EXIT_MMIO] = "mmio",
        [KVM_EXIT_INTR] = "intr", [KVM_EXIT_SHUTDOWN] = "shutdown",
        [KVM_EXIT_FAIL_ENTRY] = "fail_entry", [KVM_EXIT_INTERNAL_ERROR] = "internal_error",
    };
    char out[400];
    size_t o = 0;
    unsigned long total = 0;
    for (int i = 0; i < 64; i++) {
        if (!v->exits[i])
            continue;
        total += v->exits[i];
        int k = names[i] ? snprintf(out + o, sizeof out - o, " %s=%lu", names[i], v->exits[i])
                         : snprintf(out + o, sizeof out - o, " reason%d=%lu", i, v->exits[i]);
        if (k > 0 && (size_t)k < sizeof out - o)
            o += (size_t)k;
    }
    out[o] = 0;
    say("kvmtest: vm%d vcpu%d exits to user space: %lu%s", v->vm->num, v->id, total, out);
}

/* A code or data segment for KVM_SET_SREGS (flat, 4 GiB, accessed). */
static struct kvm_segment seg(uint16_t sel, uint8_t type, int code)
{
    struct kvm_segment s = {0};
    s.base = 0;
    s.limit = 0xffffffff;
    s.selector = sel;
    s.type = type;
    s.present = 1;
    s.dpl = 0;
    s.db = code ? 0 : 1;
    s.s = 1;
    s.l = code ? 1 : 0;
    s.g = 1;
    return s;
}

/* RAM, page tables, GDT, IDT, code; the VM's memory slot. */
static int vm_create(struct vm *vm, int num, int nvcpus, int irqchip)
{
    memset(vm, 0, sizeof *vm);
    vm->num = num;
    vm->nvcpus = nvcpus;
    vm->con_hash = FNV_OFFSET;
    pthread_mutex_init(&vm->lock, NULL);
    vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (vm->fd < 0) {
        say("kvmtest: vm%d: KVM_CREATE_VM: %s", num, strerror(errno));
        return -1;
    }
    /* KVM without unrestricted guest runs real mode through virtual-8086
     * mode and needs these pages (api.rst 4.48) before a vCPU exists */
    if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)TSS_ADDR) < 0) {
        say("kvmtest: vm%d: KVM_SET_TSS_ADDR: %s", num, strerror(errno));
        return -1;
    }
    if (irqchip && ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        say("kvmtest: vm%d: KVM_CREATE_IRQCHIP: %s", num, strerror(errno));
        return -1;
    }
    vm->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (vm->ram == MAP_FAILED) {
        say("kvmtest: vm%d: mmap: %s", num, strerror(errno));
        return -1;
    }
    uint64_t *pml4 = (uint64_t *)(vm->ram + PML4_GPA), *pdpt = (uint64_t *)(vm->ram + PDPT_GPA);
    uint64_t *pd = (uint64_t *)(vm->ram + PD_GPA), *gdt = (uint64_t *)(vm->ram + GDT_GPA);
    pml4[0] = PDPT_GPA | 3;            /* present, writable */
    pdpt[0] = PD_GPA | 3;
    pd[0] = 0 | 0x83;                  /* 2-MiB page at 0: present, writable, PS */
    gdt[1] = 0x00af9b000000ffffull;    /* 0x08: 64-bit code */
    gdt[2] = 0x00cf93000000ffffull;    /* 0x10: data */
    gdt[3] = 0x00008b0000000067ull;    /* 0x18: 64-bit TSS (busy) at 0, 16 bytes */
    gdt[4] = 0;
    memcpy(vm->ram + CODE_GPA, kg_start, (size_t)(kg_end - kg_start));
    /* IDT: interrupt gates for the two IPI vectors (VM 2) */
    uint64_t handlers[2][2] = {{VEC_PING, GUEST_ADDR(kg_isr_ping)}, {VEC_PONG, GUEST_ADDR(kg_isr_pong)}};
    for (int i = 0; i < 2; i++) {
        uint64_t a = handlers[i][1];
        uint64_t *g = (uint64_t *)(vm->ram + IDT_GPA + 16 * handlers[i][0]);
        g[0] = (a & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | ((a >> 16) & 0xffff) << 48;
        g[1] = a >> 32;
    }
    struct kvm_userspace_memory_region mr = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)vm->ram,
    };
    if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
        say("kvmtest: vm%d: KVM_SET_USER_MEMORY_REGION: %s", num, strerror(errno));
        return -1;
    }
    return 0;
}

/* A vCPU in 64-bit mode at RIP with stack RSP. */
static int vcpu_create(struct vm *vm, int id, uint64_t rip, uint64_t rsp)
{
    struct vcpu *v = &vm->vcpu[id];
    v->vm = vm;
    v->id = id;
    v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
    if (v->fd < 0) {
        say("kvmtest: vm%d: KVM_CREATE_VCPU %d: %s", vm->num, id, strerror(errno));
        return -1;
    }
    v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED) {
        say("kvmtest: vm%d: mmap kvm_run: %s", vm->num, strerror(errno));
        return -1;
    }
    if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0) {
        say("kvmtest: vm%d: KVM_SET_CPUID2: %s", vm->num, strerror(errno));
        return -1;
    }
    struct kvm_sregs s;
    if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
        say("kvmtest: vm%d: KVM_GET_SREGS: %s", vm->num, strerror(errno));
        return -1;
    }
    s.cs = seg(0x08, 0xb, 1);
    s.ds = s.es = s.fs = s.gs = s.ss = seg(0x10, 0x3, 0);
    memset(&s.tr, 0, sizeof s.tr);
    s.tr.selector = 0x18;
    s.tr.limit = 0x67;
    s.tr.type = 0xb;                   /* 64-bit busy TSS */
    s.tr.present = 1;
    memset(&s.ldt, 0, sizeof s.ldt);
    s.ldt.unusable = 1;
    s.gdt.base = GDT_GPA;
    s.gdt.limit = 5 * 8 - 1;
    s.idt.base = IDT_GPA;
    s.idt.limit = 0xfff;
    s.cr0 = 0x80050033;                /* PG, AM, WP, NE, ET, MP, PE */
    s.cr3 = PML4_GPA;
    s.cr4 = 0x20;                      /* PAE */
    s.efer = 0x500;                    /* LMA, LME */
    if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0) {
        say("kvmtest: vm%d: KVM_SET_SREGS: %s", vm->num, strerror(errno));
        return -1;
    }
    struct kvm_regs r = {0};
    r.rip = rip;
    r.rsp = rsp;
    r.rflags = 2;
    if (ioctl(v->fd, KVM_SET_REGS, &r) < 0) {
        say("kvmtest: vm%d: KVM_SET_REGS: %s", vm->num, strerror(errno));
        return -1;
    }
    if (id > 0) {
        /* with the in-kernel APIC a vCPU other than the BSP waits for
         * INIT-SIPI (KVM_MP_STATE_UNINITIALIZED): start it directly */
        struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};
        if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
            say("kvmtest: vm%d: KVM_SET_MP_STATE: %s", vm->num, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Run every vCPU on its own thread until the VM finishes, or, with a
 * TIMEOUT_MS, until that much time has passed: then fail the VM and stop
 * its vCPUs (immediate_exit + a signal, as a vCPU that ends the VM does). */
static int vm_run(struct vm *vm, unsigned long timeout_ms)
{
    for (int i = 0; i < vm->nvcpus; i++) {
        if (pthread_create(&vm->vcpu[i].thread, NULL, vcpu_thread, &vm->vcpu[i]) != 0) {
            vm_fail(vm, "pthread_create failed");
            break;
        }
        vm->vcpu[i].started = 1;
    }
    for (unsigned long t = 0; timeout_ms; t += 10) {
        pthread_mutex_lock(&vm->lock);
        int fin = vm->finished;
        pthread_mutex_unlock(&vm->lock);
        if (fin)
            break;
        if (t >= timeout_ms) {
            vm_fail(vm, "no end after %lu ms (kvmtest.timeout)", timeout_ms);
            for (int i = 0; i < vm->nvcpus; i++) {
                if (vm->vcpu[i].started) {
                    vm->vcpu[i].run->immediate_exit = 1;
                    pthread_kill(vm->vcpu[i].thread, SIGUSR1);
                }
            }
            break;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < vm->nvcpus; i++)
        if (vm->vcpu[i].started)
            pthread_join(vm->vcpu[i].thread, NULL);
    for (int i = 0; i < vm->nvcpus; i++) {
        print_exits(&vm->vcpu[i]);
        print_stats(&vm->vcpu[i]);
    }
    if (vm->error[0]) {
        say("kvmtest: vm%d FAILED: %s", vm->num, vm->error);
        return 0;
    }
    return 1;
}

static uint64_t reported_sum(struct vm *vm)
{
    return (uint64_t)vm->sum_half[1] << 32 | vm->sum_half[0];
}

static void vm_destroy(struct vm *vm)
{
    for (int i = 0; i < vm->nvcpus; i++) {
        if (vm->vcpu[i].run && vm->vcpu[i].run != MAP_FAILED)
            munmap(vm->vcpu[i].run, run_size);
        if (vm->vcpu[i].fd > 0)
            close(vm->vcpu[i].fd);
    }
    if (vm->ram && vm->ram != MAP_FAILED)
        munmap(vm->ram, RAM_SIZE);
    if (vm->fd >= 0)
        close(vm->fd);
}

static int run_vm1(void)
{
    struct vm vm;
    int ok = 0;
    if (vm_create(&vm, 1, 1, 0) == 0 && vcpu_create(&vm, 0, GUEST_ADDR(kg_vm1), STACK0_GPA) == 0 &&
        vm_run(&vm, 0)) {
        unsigned eax, ebx, ecx, edx;
        char want[CON_MAX];
        __cpuid(0, eax, ebx, ecx, edx);
        char vendor[13];
        memcpy(vendor, &ebx, 4);
        memcpy(vendor + 4, &edx, 4);
        memcpy(vendor + 8, &ecx, 4);
        vendor[12] = 0;
        snprintf(want, sizeof want, "vm1: hello from a KVM guest in 64-bit mode on vCPU 0, CPUID vendor %s",
                 vendor);
        uint64_t sum = reported_sum(&vm);
        if (vm.nlines != 1 || strcmp(vm.lines[0], want) != 0)
            say("kvmtest: vm1 FAILED: console line %d '%s', want '%s'", vm.nlines,
                vm.nlines ? vm.lines[0] : "", want);
        else if (vm.nsum != 2 || sum != vm.con_hash)
            say("kvmtest: vm1 FAILED: guest checksum 0x%016" PRIx64 " (%d halves), console bytes 0x%016" PRIx64,
                sum, vm.nsum, vm.con_hash);
        else if (vm.vcpu[0].exits[KVM_EXIT_HLT] != 1)
            say("kvmtest: vm1 FAILED: the guest did not end with HLT");
        else
            ok = 1;
        if (ok)
            say("kvmtest: vm1 passed: console checksum 0x%016" PRIx64, sum);
    }
    vm_destroy(&vm);
    return ok;
}

static uint64_t expected_vm2(uint32_t n)
{
    uint64_t h = FNV_OFFSET;
    for (uint32_t k = 1; k <= n; k++) {
        h = (h ^ (1ull << 32 | k)) * FNV_PRIME;
        h = (h ^ k) * FNV_PRIME;
    }
    return h;
}

/* VM 2's options (kernel command line, main) */
enum race { RACE_NONE, RACE_READY, RACE_HLT };
struct vm2_opts {
    uint32_t n;                 /* kvmtest.n: round trips */
    enum race race;             /* kvmtest.race=ready|hlt: a weakened handshake */
    uint32_t delay, idle;       /* kvmtest.delay, kvmtest.idle: spin iterations */
    unsigned long timeout_ms;   /* kvmtest.timeout: 0 = wait forever */
};

static int run_vm2(const struct vm2_opts *o)
{
    static const char *const race_text[] = {
        [RACE_NONE] = "",
        [RACE_READY] = ", race=ready (vCPU 1 says ready before its APIC is on)",
        [RACE_HLT] = ", race=hlt (vCPU 0 checks for the answer with IF = 1, then HLT)",
    };
    struct vm vm;
    int ok = 0;
    uint32_t n = o->n;
    say("kvmtest: vm2: 2 vCPUs, in-kernel irqchip, %u IPI round trips%s", n, race_text[o->race]);
    if (vm_create(&vm, 2, 2, 1) == 0) {
        struct sh *sh = (struct sh *)(vm.ram + SH_GPA);
        sh->n = n;
        sh->sum = FNV_OFFSET;
        sh->delay = o->delay;
        sh->idle = o->idle;
        const unsigned char *cpu0 = o->race == RACE_HLT ? kg_vm2_cpu0_nocli : kg_vm2_cpu0;
        const unsigned char *cpu1 = o->race == RACE_READY ? kg_vm2_cpu1_early : kg_vm2_cpu1;
        if (vcpu_create(&vm, 0, GUEST_ADDR(cpu0), STACK0_GPA) == 0 &&
            vcpu_create(&vm, 1, GUEST_ADDR(cpu1), STACK1_GPA) == 0) {
            if (vm_run(&vm, o->timeout_ms)) {
                uint64_t want = expected_vm2(n);
                uint64_t sum = reported_sum(&vm);
                if (vm.nsum != 2 || sum != want || sh->pings != n || sh->pongs != n)
                    say("kvmtest: vm2 FAILED: checksum 0x%016" PRIx64 " (want 0x%016" PRIx64
                        "), %u pings, %u pongs (want %u)", sum, want, sh->pings, sh->pongs, n);
                else if (vm.nlines != 1 || strcmp(vm.lines[0], "vm2: vCPU 0 got every answer from vCPU 1") != 0)
                    say("kvmtest: vm2 FAILED: console '%s'", vm.nlines ? vm.lines[0] : "");
                else
                    ok = 1;
                if (ok)
                    say("kvmtest: vm2 passed: ping-pong %u checksum 0x%016" PRIx64, n, sum);
            } else {
                say("kvmtest: vm2: vCPU 1 took %u pings, vCPU 0 took %u answers (ready flag %u)",
                    sh->pings, sh->pongs, sh->ready);
            }
        }
    }
    vm_destroy(&vm);
    return ok;
}

/* ---- main ------------------------------------------------------------------------ */

static unsigned long cmdline_ul(const char *name, unsigned long def)
{
    char v[64];
    return cmdline_str(name, v, sizeof v) ? strtoul(v, NULL, 0) : def;
}

static int kvm_probe(void)
{
    struct stat st;
    if (stat("/dev/kvm", &st) < 0) {
        say("init: no /dev/kvm: %s", strerror(errno));
        return 0;
    }
    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) {
        say("init: open /dev/kvm: %s", strerror(errno));
        return 0;
    }
    int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    say("init: /dev/kvm present (char %u:%u, KVM API %d)", major(st.st_rdev), minor(st.st_rdev), api);
    if (api != KVM_API_VERSION)
        return 0;
    int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (vm < 0) {
        say("init: KVM_CREATE_VM: %s", strerror(errno));
        return 0;
    }
    close(vm);
    say("init: KVM_CREATE_VM works");
    int sz = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz <= 0) {
        say("init: KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
        return 0;
    }
    run_size = (size_t)sz;
    int nent = 128;
    cpuid = calloc(1, sizeof *cpuid + nent * sizeof cpuid->entries[0]);
    cpuid->nent = nent;
    if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
        say("init: KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
        return 0;
    }
    say("kvmtest: KVM API %d, vCPU mmap size %d, %u supported CPUID entries, max vCPUs %d", api, sz,
        cpuid->nent, ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS));
    return 1;
}

int main(void)
{
    mount_fs("devtmpfs", "/dev", "devtmpfs");
    mount_fs("proc", "/proc", "proc");
    mount_fs("sysfs", "/sys", "sysfs");
    say("init: hvsim x86_64 Linux KVM test image, %ld CPUs online", sysconf(_SC_NPROCESSORS_ONLN));

    struct sigaction sa = {0};
    sa.sa_handler = on_sigusr1;
    sigaction(SIGUSR1, &sa, NULL);

    int ok = kvm_probe();
    unsigned long only = cmdline_ul("kvmtest.vm", 0);
    struct vm2_opts o = {
        .n = (uint32_t)cmdline_ul("kvmtest.n", 100),
        .delay = (uint32_t)cmdline_ul("kvmtest.delay", 0),
        .idle = (uint32_t)cmdline_ul("kvmtest.idle", 0),
        .timeout_ms = cmdline_ul("kvmtest.timeout", 0),
    };
    char race[16];
    if (!cmdline_str("kvmtest.race", race, sizeof race))
        o.race = RACE_NONE;
    else if (strcmp(race, "ready") == 0)
        o.race = RACE_READY;
    else if (strcmp(race, "hlt") == 0)
        o.race = RACE_HLT;
    else {
        say("kvmtest: kvmtest.race=%s: want ready or hlt", race);
        ok = 0;
    }
    if (ok && only != 2)
        ok = run_vm1();
    if (ok && only != 1)
        ok = run_vm2(&o);
    if (ok)
        say("kvmtest: all VMs passed");

    power_off(ok, 0);
}
