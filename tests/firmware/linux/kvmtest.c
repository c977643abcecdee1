/* kvmtest: a minimal KVM launcher for riscv64 Linux 6.1, run by our /init.
 *
 * It creates two small VMs with the KVM ioctl API
 * (Documentation/virt/kvm/api.rst), each with 1 MiB of RAM at GPA 0x80000000
 * holding a guest program from guest/ (embedded by guest_blobs.S):
 *   VM 1, 1 vCPU:  greeting through the SBI console, checksum via MMIO, SRST;
 *   VM 2, 2 vCPUs: vCPU0 starts vCPU1 with SBI HSM, N IPI round trips through
 *                  the SBI IPI extension, checksum via MMIO, legacy shutdown.
 * One thread per vCPU runs KVM_RUN and handles the exits KVM 6.1 forwards to
 * user space: KVM_EXIT_RISCV_SBI (legacy console putchar/getchar, unknown
 * extensions), KVM_EXIT_MMIO (the result register, and the virtio-mmio
 * console of kvmtest_virtio.c at KT_VIRTIO_GPA, whose interrupt is the
 * VS-level external interrupt of vCPU0 through KVM_INTERRUPT),
 * KVM_EXIT_SYSTEM_EVENT (SRST or legacy shutdown). HSM, IPI, TIME, RFENCE
 * and WFI stay in the kernel.
 *
 * Parameters, from the kernel command line (/proc/cmdline) or as arguments:
 *   kvmtest.n=N            VM 2 round trips (default 100)
 *   kvmtest.nohandshake=1  VM 2 without the start handshake (the lost-IPI race)
 *   kvmtest.delay=K        VM 2: vCPU0 spins K iterations between hart_start
 *                          and its first IPI (default 0; tunes the race window)
 *   kvmtest.timeout=MS     give up on a VM after MS milliseconds (default 0:
 *                          wait forever, so a lost IPI is a hang)
 *   kvmtest.vm=1|2         run only that VM
 * Exit status: 0 all VMs passed, 1 a VM failed or timed out, 2 no usable KVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kvmtest.h"
#include "kvmtest_virtio.h"

#define MAX_VCPUS   2
#define NR_EXITS    64          /* KVM_EXIT_* values counted per vCPU */
#define CON_MAX     4096

extern const unsigned char kt_vm1_bin[], kt_vm1_bin_end[];
extern const unsigned char kt_vm2_bin[], kt_vm2_bin_end[];

struct opts {
    unsigned long n;
    int handshake;
    unsigned long timeout_ms;
    unsigned long delay;
    int only_vm;
};

struct vm;

struct vcpu {
    struct vm *vm;
    int id;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    int thread_started;
    unsigned long exits[NR_EXITS];  /* exits to user space, by exit_reason */
};

struct vm {
    int num;                        /* 1 or 2 */
    int fd;
    unsigned char *ram;
    int nvcpus;
    struct vcpu vcpu[MAX_VCPUS];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int finished;                   /* shutdown seen, error, or timeout */
    int shut_down;                  /* KVM_EXIT_SYSTEM_EVENT shutdown */
    char error[256];
    char line[256];                 /* console line being assembled */
    size_t linelen;
    char con[CON_MAX];              /* all console output of the VM */
    size_t conlen;
    int have_result;
    uint64_t result;                /* written to KT_MMIO_RESULT */
    struct ktv vdev;                /* the virtio console (under lock) */
};

static int kvm_fd = -1;
static size_t run_size;

static const char *const exit_names[NR_EXITS] = {
    [KVM_EXIT_UNKNOWN] = "unknown", [KVM_EXIT_MMIO] = "mmio",
    [KVM_EXIT_INTR] = "intr", [KVM_EXIT_SHUTDOWN] = "shutdown",
    [KVM_EXIT_FAIL_ENTRY] = "fail_entry", [KVM_EXIT_INTERNAL_ERROR] = "internal_error",
    [KVM_EXIT_SYSTEM_EVENT] = "system_event", [KVM_EXIT_RISCV_SBI] = "riscv_sbi",
    [KVM_EXIT_RISCV_CSR] = "riscv_csr",
};

static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    /* one write per line: lines of different threads never interleave */
    ssize_t w = write(1, buf, (size_t)n);
    (void)w;
}

/* ---- parameters ------------------------------------------------------------ */

static void parse_param(struct opts *o, const char *p)
{
    if (strncmp(p, "kvmtest.", 8) != 0)
        return;
    p += 8;
    const char *eq = strchr(p, '=');
    unsigned long v = eq ? strtoul(eq + 1, NULL, 0) : 1;
    size_t klen = eq ? (size_t)(eq - p) : strlen(p);
    if (klen == 1 && !strncmp(p, "n", 1))
        o->n = v;
    else if (klen == 11 && !strncmp(p, "nohandshake", 11))
        o->handshake = !v;
    else if (klen == 7 && !strncmp(p, "timeout", 7))
        o->timeout_ms = v;
    else if (klen == 5 && !strncmp(p, "delay", 5))
        o->delay = v;
    else if (klen == 2 && !strncmp(p, "vm", 2))
        o->only_vm = (int)v;
}

static void parse_cmdline(struct opts *o)
{
    char buf[4096];
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    for (char *save = NULL, *t = strtok_r(buf, " \t\n", &save); t;
         t = strtok_r(NULL, " \t\n", &save))
        parse_param(o, t);
}

/* ---- VM bookkeeping -------------------------------------------------------- */

static void vm_finish(struct vm *vm, int shut_down, const char *fmt, ...)
{
    pthread_mutex_lock(&vm->lock);
    if (!vm->finished) {
        vm->finished = 1;
        vm->shut_down = shut_down;
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(vm->error, sizeof vm->error, fmt, ap);
            va_end(ap);
        }
        pthread_cond_broadcast(&vm->cond);
    }
    pthread_mutex_unlock(&vm->lock);
}

static int vm_is_finished(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    int f = vm->finished;
    pthread_mutex_unlock(&vm->lock);
    return f;
}

/* A character from the guest's SBI console: print whole lines. */
static void console_putc(struct vm *vm, char c)
{
    pthread_mutex_lock(&vm->lock);
    if (vm->conlen < CON_MAX - 1)
        vm->con[vm->conlen++] = c;
    if (c != '\n' && vm->linelen < sizeof vm->line - 2)
        vm->line[vm->linelen++] = c;
    if (c == '\n' || vm->linelen >= sizeof vm->line - 2) {
        vm->line[vm->linelen] = 0;
        say("%s", vm->line);
        vm->linelen = 0;
    }
    pthread_mutex_unlock(&vm->lock);
}

/* ---- exits ----------------------------------------------------------------- */

static void handle_sbi(struct vcpu *v)
{
    struct kvm_run *r = v->run;
    unsigned long eid = r->riscv_sbi.extension_id;

    switch (eid) {
    case SBI_LEGACY_PUTCHAR:
        console_putc(v->vm, (char)r->riscv_sbi.args[0]);
        r->riscv_sbi.ret[0] = 0;
        break;
    case SBI_LEGACY_GETCHAR:
        r->riscv_sbi.ret[0] = (unsigned long)-1;    /* no input */
        break;
    default:
        /* KVM preset ret[0] = SBI_ERR_NOT_SUPPORTED */
        say("kvmtest: vm%d vcpu%d: unhandled SBI call eid %#lx fid %#lx",
            v->vm->num, v->id, eid, (unsigned long)r->riscv_sbi.function_id);
        break;
    }
}

static void handle_mmio(struct vcpu *v)
{
    struct kvm_run *r = v->run;
    uint64_t addr = r->mmio.phys_addr;

    if (r->mmio.is_write && addr == KT_MMIO_RESULT && r->mmio.len == 8) {
        uint64_t val;
        memcpy(&val, r->mmio.data, 8);
        pthread_mutex_lock(&v->vm->lock);
        v->vm->result = val;
        v->vm->have_result = 1;
        pthread_mutex_unlock(&v->vm->lock);
        return;
    }
    if (addr >= KT_VIRTIO_GPA && addr - KT_VIRTIO_GPA < KT_VIRTIO_SIZE &&
        r->mmio.len <= sizeof r->mmio.data) {
        pthread_mutex_lock(&v->vm->lock);
        int level = ktv_mmio(&v->vm->vdev, addr - KT_VIRTIO_GPA, r->mmio.is_write,
                             r->mmio.data, r->mmio.len);
        /* The device's line is vCPU0's VS-level external interrupt: KVM 6.1
         * on RISC-V has no in-kernel irqchip (no KVM_IRQ_LINE), but
         * KVM_INTERRUPT sets or clears IRQ_VS_EXT in the vCPU's pending
         * interrupts (arch/riscv/kvm/vcpu.c), which KVM puts in hvip.VSEIP
         * at the next entry. Under the lock, so raise and lower stay in
         * order. */
        if (level >= 0) {
            struct kvm_interrupt irq = {
                .irq = level ? KVM_INTERRUPT_SET : KVM_INTERRUPT_UNSET,
            };
            if (ioctl(v->vm->vcpu[0].fd, KVM_INTERRUPT, &irq) < 0)
                snprintf(v->vm->vdev.error, sizeof v->vm->vdev.error,
                         "KVM_INTERRUPT %s: %s", level ? "set" : "unset", strerror(errno));
        }
        pthread_mutex_unlock(&v->vm->lock);
        return;
    }
    if (!r->mmio.is_write)
        memset(r->mmio.data, 0, sizeof r->mmio.data);
    say("kvmtest: vm%d vcpu%d: unexpected MMIO %s at %#" PRIx64 " len %u",
        v->vm->num, v->id, r->mmio.is_write ? "write" : "read", addr, r->mmio.len);
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *v = arg;
    struct vm *vm = v->vm;

    while (!vm_is_finished(vm)) {
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                v->exits[KVM_EXIT_INTR]++;
                continue;
            }
            vm_finish(vm, 0, "vcpu%d: KVM_RUN: %s", v->id, strerror(errno));
            break;
        }
        unsigned reason = v->run->exit_reason;
        if (reason < NR_EXITS)
            v->exits[reason]++;
        switch (reason) {
        case KVM_EXIT_RISCV_SBI:
            handle_sbi(v);
            break;
        case KVM_EXIT_MMIO:
            handle_mmio(v);
            break;
        case KVM_EXIT_INTR:
            break;
        case KVM_EXIT_SYSTEM_EVENT:
            if (v->run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
                vm_finish(vm, 1, NULL);
            else
                vm_finish(vm, 0, "vcpu%d: system event type %u (not a shutdown)",
                          v->id, v->run->system_event.type);
            break;
        default:
            vm_finish(vm, 0, "vcpu%d: unexpected exit reason %u", v->id, reason);
            break;
        }
    }
    return NULL;
}

static void on_kick(int sig)
{
    (void)sig;      /* only there to make KVM_RUN return -EINTR */
}

/* Make every vCPU thread leave KVM_RUN: immediate_exit covers a thread that
 * is about to enter it, the signal one that is inside (running, halted in
 * WFI, or sleeping powered off). api.rst: "immediate_exit". */
static void vm_kick_all(struct vm *vm)
{
    for (int i = 0; i < vm->nvcpus; i++) {
        __atomic_store_n(&vm->vcpu[i].run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        if (vm->vcpu[i].thread_started)
            pthread_kill(vm->vcpu[i].thread, SIGUSR1);
    }
}

/* ---- KVM statistics (KVM_GET_STATS_FD, api.rst 4.133) ---------------------------- */

static void print_stats(struct vcpu *v)
{
    char out[400];
    size_t o = 0;
    int fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);

    if (fd < 0) {
        say("kvmtest: vm%d vcpu%d: KVM_GET_STATS_FD: %s", v->vm->num, v->id, strerror(errno));
        return;
    }
    struct kvm_stats_header h;
    if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        goto out;
    size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
    char *descs = calloc(h.num_desc, dsz);
    if (!descs)
        goto out;
    if (pread(fd, descs, h.num_desc * dsz, h.desc_offset) != (ssize_t)(h.num_desc * dsz))
        goto out_free;
    /* The in-kernel exit counters, in KVM's order: everything that was not
     * forwarded to user space shows up only here. */
    for (unsigned i = 0; i < h.num_desc; i++) {
        struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsz);
        if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE ||
            (d->flags & KVM_STATS_UNIT_MASK) != KVM_STATS_UNIT_NONE || d->size != 1)
            continue;
        if (strstr(d->name, "exit") == NULL && strncmp(d->name, "halt_wakeup", 11) != 0)
            continue;
        uint64_t val;
        if (pread(fd, &val, sizeof val, h.data_offset + d->offset) != (ssize_t)sizeof val)
            continue;
        int k = snprintf(out + o, sizeof out - o, " %s=%" PRIu64, d->name, val);
        if (k > 0 && (size_t)k < sizeof out - o)
            o += (size_t)k;
    }
    say("kvmtest: vm%d vcpu%d kvm stats:%s", v->vm->num, v->id, out);
out_free:
    free(descs);
out:
    close(fd);
}

static void print_exits(struct vcpu *v)
{
    char out[400];
    size_t o = 0;
    unsigned long total = 0;

    for (int r = 0; r < NR_EXITS; r++) {
        if (!v->exits[r])
            continue;
        total += v->exits[r];
        int k;
        if (exit_names[r])
            k = snprintf(out + o, sizeof out - o, " %s=%lu", exit_names[r], v->exits[r]);
        else
            k = snprintf(out + o, sizeof out - o, " exit%d=%lu", r, v->exits[r]);
        if (k > 0 && (size_t)k < sizeof out - o)
            o += (size_t)k;
    }
    out[o] = 0;
    say("kvmtest: vm%d vcpu%d exits to user space: %lu%s", v->vm->num, v->id, total, out);
}

/* ---- one VM -------------------------------------------------------------------------- */

static int set_core_reg(struct vcpu *v, unsigned long idx, uint64_t val)
{
    struct kvm_one_reg reg = {
        .id = KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | idx,
        .addr = (uint64_t)(uintptr_t)&val,
    };
    return ioctl(v->fd, KVM_SET_ONE_REG, &reg);
}

/* Checksums the launcher expects, computed independently of the guest. */
static uint64_t expected_vm2(unsigned long n)
{
    uint64_t h = KT_FNV_OFFSET;
    for (unsigned long i = 1; i <= n; i++) {
        h = kt_mix(h, 1, i);    /* vCPU1 takes ping i ... */
        h = kt_mix(h, 0, i);    /* ... then vCPU0 takes pong i */
    }
    return h;
}

/* What VM 1 sends through the virtio console: one line. */
static const char virtio_msg[] = KT_VIRTIO_MSG_A KT_VIRTIO_MSG_B;

static int is_virtio_line(const char *line)
{
    size_t n = sizeof virtio_msg - 2;   /* without the newline */
    return strlen(line) == n && memcmp(line, virtio_msg, n) == 0;
}

static int run_vm(int num, const unsigned char *img, size_t img_size, int nvcpus,
                  const struct opts *o)
{
    struct vm *vm = calloc(1, sizeof *vm);
    int ok = 0;
    char what[64];

    if (!vm) {
        say("kvmtest: out of memory");
        return 0;
    }
    vm->num = num;
    vm->nvcpus = nvcpus;
    vm->fd = -1;
    pthread_mutex_init(&vm->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&vm->cond, &ca);
    for (int i = 0; i < MAX_VCPUS; i++)
        vm->vcpu[i].fd = -1;

    if (img_size > KT_IMAGE_MAX) {
        say("kvmtest: vm%d: guest image too large (%zu bytes)", num, img_size);
        goto out;
    }
    vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (vm->fd < 0) {
        say("kvmtest: vm%d: KVM_CREATE_VM: %s", num, strerror(errno));
        goto out;
    }
    vm->ram = mmap(NULL, KT_RAM_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->ram == MAP_FAILED) {
        vm->ram = NULL;
        say("kvmtest: vm%d: mmap guest RAM: %s", num, strerror(errno));
        goto out;
    }
    memcpy(vm->ram, img, img_size);
    ktv_init(&vm->vdev, num, vm->ram, KT_RAM_GPA, KT_RAM_SIZE);
    struct kt_shared *sh = (struct kt_shared *)(vm->ram + (KT_SHARED_GPA - KT_RAM_GPA));
    sh->magic = KT_MAGIC;
    sh->vm = (uint64_t)num;
    sh->n = o->n;
    sh->handshake = (uint64_t)o->handshake;
    sh->delay = o->delay;

    struct kvm_userspace_memory_region mr = {
        .slot = 0,
        .guest_phys_addr = KT_RAM_GPA,
        .memory_size = KT_RAM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)vm->ram,
    };
    if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
        say("kvmtest: vm%d: KVM_SET_USER_MEMORY_REGION: %s", num, strerror(errno));
        goto out;
    }

    for (int i = 0; i < nvcpus; i++) {
        struct vcpu *v = &vm->vcpu[i];
        v->vm = vm;
        v->id = i;
        v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)i);
        if (v->fd < 0) {
            say("kvmtest: vm%d: KVM_CREATE_VCPU %d: %s", num, i, strerror(errno));
            goto out;
        }
        v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
        if (v->run == MAP_FAILED) {
            v->run = NULL;
            say("kvmtest: vm%d: mmap kvm_run of vcpu%d: %s", num, i, strerror(errno));
            goto out;
        }
        if (i == 0) {
            /* vCPU0 starts at the image, a0 = hart id, a1 = shared block */
            if (set_core_reg(v, KVM_REG_RISCV_CORE_REG(regs.pc), KT_RAM_GPA) < 0 ||
                set_core_reg(v, KVM_REG_RISCV_CORE_REG(regs.a0), 0) < 0 ||
                set_core_reg(v, KVM_REG_RISCV_CORE_REG(regs.a1), KT_SHARED_GPA) < 0) {
                say("kvmtest: vm%d: KVM_SET_ONE_REG: %s", num, strerror(errno));
                goto out;
            }
        } else {
            /* Secondary vCPUs wait powered off for SBI HSM hart_start. KVM 6.1
             * already does this for every vCPU but the first
             * (kvm_arch_vcpu_postcreate); say it explicitly anyway. */
            struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_STOPPED };
            if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
                say("kvmtest: vm%d: KVM_SET_MP_STATE vcpu%d: %s", num, i, strerror(errno));
                goto out;
            }
        }
    }

    for (int i = 0; i < nvcpus; i++) {
        struct vcpu *v = &vm->vcpu[i];
        if (pthread_create(&v->thread, NULL, vcpu_thread, v) != 0) {
            vm_finish(vm, 0, "pthread_create failed");
            break;
        }
        v->thread_started = 1;
    }

    /* Wait for the shutdown (or an error, or the timeout). */
    pthread_mutex_lock(&vm->lock);
    if (o->timeout_ms) {
        struct timespec dl;
        clock_gettime(CLOCK_MONOTONIC, &dl);
        dl.tv_sec += (time_t)(o->timeout_ms / 1000);
        dl.tv_nsec += (long)(o->timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        while (!vm->finished)
            if (pthread_cond_timedwait(&vm->cond, &vm->lock, &dl) == ETIMEDOUT)
                break;
        if (!vm->finished) {
            vm->finished = 1;
            snprintf(vm->error, sizeof vm->error,
                     "timeout after %lu ms: vCPU0 sent %" PRIu64 " IPIs and took %" PRIu64
                     ", vCPU1 ready %" PRIu64 " sent %" PRIu64 " took %" PRIu64 "%s%s",
                     o->timeout_ms, sh->sent[0], sh->received[0], sh->ready,
                     sh->sent[1], sh->received[1],
                     num == 2 && sh->sent[0] > sh->received[1] ? "; an IPI to vCPU1 was lost" : "",
                     num == 2 && sh->sent[0] == 1 && !sh->ready_at_ipi1
                         ? " (vCPU0 sent it before vCPU1 was running)" : "");
        }
    } else {
        while (!vm->finished)
            pthread_cond_wait(&vm->cond, &vm->lock);
    }
    pthread_mutex_unlock(&vm->lock);

    /* The shutdown powered off the other vCPUs inside KVM, where their
     * threads now sleep: kick them out and join. */
    vm_kick_all(vm);
    for (int i = 0; i < nvcpus; i++) {
        struct vcpu *v = &vm->vcpu[i];
        if (!v->thread_started)
            continue;
        struct timespec ts;
        for (;;) {
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (pthread_timedjoin_np(v->thread, NULL, &ts) == 0)
                break;
            pthread_kill(v->thread, SIGUSR1);
        }
        v->thread_started = 0;
    }

    if (vm->linelen) {      /* an unterminated console line */
        vm->line[vm->linelen] = 0;
        say("%s", vm->line);
    }
    for (int i = 0; i < nvcpus; i++) {
        print_exits(&vm->vcpu[i]);
        print_stats(&vm->vcpu[i]);
    }
    if (vm->vdev.reads + vm->vdev.writes) {
        char rep[300];
        ktv_report(&vm->vdev, rep, sizeof rep);
        say("kvmtest: %s", rep);
    }

    /* Verdict. */
    uint64_t want;
    if (num == 1) {
        /* the FNV-1a hash of the first console line, as received here */
        const char *nl = memchr(vm->con, '\n', vm->conlen);
        want = kt_fnv(KT_FNV_OFFSET, vm->con, nl ? (size_t)(nl - vm->con + 1) : 0);
        snprintf(what, sizeof what, "console checksum");
    } else {
        want = expected_vm2(o->n);
        snprintf(what, sizeof what, "ping-pong %lu checksum", o->n);
    }
    if (vm->error[0])
        say("kvmtest: vm%d FAILED: %s", num, vm->error);
    else if (!vm->shut_down)
        say("kvmtest: vm%d FAILED: no shutdown", num);
    else if (!vm->have_result)
        say("kvmtest: vm%d FAILED: no result through MMIO", num);
    else if (vm->result != want)
        say("kvmtest: vm%d FAILED: %s %#018" PRIx64 ", expected %#018" PRIx64,
            num, what, vm->result, want);
    else if (vm->vdev.error[0])
        say("kvmtest: vm%d FAILED: virtio: %s", num, vm->vdev.error);
    else if (num == 1 && sh->virtio != 1)
        say("kvmtest: vm%d FAILED: the guest's virtio driver reports %s %" PRIu64, num,
            sh->virtio ? "failure at step" : "nothing,", sh->virtio);
    else if (num == 1 && (vm->vdev.lines != 1 || vm->vdev.chains != 1 ||
                          !is_virtio_line(vm->vdev.first_line)))
        say("kvmtest: vm%d FAILED: virtio console got %d lines in %lu chains, first \"%s\", "
            "expected 1 line \"%.*s\" in 1 chain", num, vm->vdev.lines, vm->vdev.chains,
            vm->vdev.first_line, (int)sizeof virtio_msg - 2, virtio_msg);
    else {
        say("kvmtest: vm%d passed: %s %#018" PRIx64 "%s", num, what, vm->result,
            num == 1 ? ", virtio console line" : "");
        ok = 1;
    }

out:
    for (int i = 0; i < nvcpus; i++) {
        if (vm->vcpu[i].run)
            munmap(vm->vcpu[i].run, run_size);
        if (vm->vcpu[i].fd >= 0)
            close(vm->vcpu[i].fd);
    }
    if (vm->fd >= 0)
        close(vm->fd);
    if (vm->ram)
        munmap(vm->ram, KT_RAM_SIZE);
    free(vm);
    return ok;
}

int main(int argc, char **argv)
{
    struct opts o = { .n = 100, .handshake = 1, .timeout_ms = 0, .only_vm = 0 };

    parse_cmdline(&o);
    for (int i = 1; i < argc; i++)
        parse_param(&o, argv[i]);
    if (o.n == 0)
        o.n = 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_kick;        /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, NULL);

    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) {
        say("kvmtest: open /dev/kvm: %s", strerror(errno));
        return 2;
    }
    int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        say("kvmtest: KVM API version %d, want %d", api, KVM_API_VERSION);
        return 2;
    }
    int rs = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (rs < (int)sizeof(struct kvm_run)) {
        say("kvmtest: KVM_GET_VCPU_MMAP_SIZE: %d", rs);
        return 2;
    }
    run_size = (size_t)rs;
    if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0 ||
        ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD) <= 0)
        say("kvmtest: warning: KVM lacks immediate_exit or binary stats");
    say("kvmtest: KVM API %d, max vCPUs %d; VM 2: %lu round trips, %s, delay %lu, timeout %lu ms",
        api, ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS), o.n,
        o.handshake ? "start handshake" : "no start handshake (lost-IPI race)",
        o.delay, o.timeout_ms);

    int ok = 1;
    if (!o.only_vm || o.only_vm == 1)
        ok &= run_vm(1, kt_vm1_bin, (size_t)(kt_vm1_bin_end - kt_vm1_bin), 1, &o);
    if (!o.only_vm || o.only_vm == 2)
        ok &= run_vm(2, kt_vm2_bin, (size_t)(kt_vm2_bin_end - kt_vm2_bin), 2, &o);

    if (ok)
        say("kvmtest: all VMs passed");
    else
        say("kvmtest: FAILED");
    return ok ? 0 : 1;
}
