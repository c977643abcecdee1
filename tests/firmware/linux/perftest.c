/* /perftest: a `perf stat` and a `perf record` of our own, through
 * perf_event_open(2), for hvsim's counters (docs/riscv.md "Performance
 * counters"). /init runs it instead of the KVM launcher when the kernel
 * command line has the word `perftest` (init.c); tests/e2e/t_linux_perf.sh
 * boots the image that way on a board with `[cpu] mhpm-counters` and
 * `_sscofpmf`, and checks what this program prints.
 *
 * The measured code is hv_loop (assembly below): it enables the counters
 * itself with a raw ioctl ecall, runs ITERS iterations of a three-instruction
 * loop and disables them with a second ecall. With exclude_kernel (the
 * counters count in U mode only -- `perf stat -e instructions:u`), what is
 * counted is known exactly:
 *   - instructions: 2 (mv, li) + 3*ITERS (addi, addi, bnez) + 5 (mv, lui,
 *     addiw, li, li) = 3*ITERS + 7; the ecalls raise exceptions and so do
 *     not retire (unprivileged spec, Zicntr: instructions that cause
 *     synchronous exceptions, ECALL included, are not considered to retire),
 *     and the kernel's sret is counted in the mode it leaves (S, excluded);
 *   - taken conditional branches (raw event 7, hvsim's selector): ITERS - 1;
 *   - cycles: hvsim runs one instruction per tick, so cycles:u equals
 *     instructions:u plus the ticks of the instructions that trapped from U
 *     (the disabling ecall: its tick belongs to U) -- checked to be within
 *     a few ticks of the instruction count.
 * Then a sampling event (instructions:u, sample_period PERIOD, PERF_SAMPLE_IP,
 * a mmap'ed ring buffer): each sample is an Sscofpmf counter overflow, LCOFI
 * (interrupt 13) taken by Linux's riscv_pmu_sbi driver; the number of
 * PERF_RECORD_SAMPLE records must be (3*ITERS + 7) / PERIOD, and every sample
 * IP must be inside the loop.
 *
 * Exit status 0 when every check holds, 1 otherwise (the verdict is printed
 * as "perftest: PASS" / "perftest: FAIL").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ITERS   1000000ull
#define PERIOD  100000ull
#define LOOP_INSNS (3 * ITERS + 7)
/* hvsim's mhpmevent selector 7: conditional branches retired taken; the
 * board's riscv,pmu node maps it as a raw event (riscv,raw-event-to-mhpmcounters) */
#define RAW_BRANCHES_TAKEN 7

/* uint64_t hv_loop(int fd, uint64_t iters): enable fd's group, loop, disable;
 * returns the loop's own count of iterations. Syscalls preserve t0..t3. */
uint64_t hv_loop(int fd, uint64_t iters);
extern const char hv_loop_body[], hv_loop_end[];
__asm__(
    "    .text\n"
    "    .globl hv_loop, hv_loop_body, hv_loop_end\n"
    "    .type hv_loop, @function\n"
    "hv_loop:\n"
    "    mv   t2, a1\n"
    "    mv   t3, a0\n"
    "    lui  a1, 0x2\n"              /* a1 = PERF_EVENT_IOC_ENABLE (0x2400) */
    "    addiw a1, a1, 0x400\n"
    "    li   a2, 1\n"                /* PERF_IOC_FLAG_GROUP */
    "    li   a7, 29\n"               /* __NR_ioctl */
    "    ecall\n"
    /* counted from here: 2 + 3*iters + 5 instructions */
    "    mv   t0, t2\n"
    "    li   t1, 0\n"
    "hv_loop_body:\n"
    "1:  addi t1, t1, 1\n"
    "    addi t0, t0, -1\n"
    "    bnez t0, 1b\n"
    "hv_loop_end:\n"
    "    mv   a0, t3\n"
    "    lui  a1, 0x2\n"              /* a1 = PERF_EVENT_IOC_DISABLE (0x2401) */
    "    addiw a1, a1, 0x401\n"
    "    li   a2, 1\n"
    "    li   a7, 29\n"
    "    ecall\n"
    /* not counted from here */
    "    mv   a0, t1\n"
    "    ret\n"
    "    .size hv_loop, . - hv_loop\n");

static int failures;

static void check(int ok, const char *what)
{
    printf("perftest: %s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok)
        failures++;
}

static int perf_open(struct perf_event_attr *a, int group)
{
    return (int)syscall(SYS_perf_event_open, a, 0 /* this task */, -1 /* any cpu */, group, 0);
}

static void attr_init(struct perf_event_attr *a, uint32_t type, uint64_t config)
{
    memset(a, 0, sizeof *a);
    a->size = sizeof *a;
    a->type = type;
    a->config = config;
    a->disabled = 1;
    a->exclude_kernel = 1;
    a->exclude_hv = 1;
    a->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
                     PERF_FORMAT_TOTAL_TIME_RUNNING;
}

/* "1234567" -> "1,234,567", as perf stat prints */
static const char *grouped(uint64_t v, char *buf)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
    return buf;
}

/* ---- 1. counting: cycles, instructions, taken branches ---------------------- */

static void stat_loop(void)
{
    struct perf_event_attr a;
    const struct { uint32_t type; uint64_t config; const char *name; } ev[] = {
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles:u" },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions:u" },
        { PERF_TYPE_RAW, RAW_BRANCHES_TAKEN, "r7:u" },
    };
    enum { N = sizeof ev / sizeof ev[0] };
    int fd[N];

    for (int i = 0; i < N; i++) {
        attr_init(&a, ev[i].type, ev[i].config);
        if (i)
            a.disabled = 0;      /* members follow the leader */
        fd[i] = perf_open(&a, i ? fd[0] : -1);
        if (fd[i] < 0) {
            printf("perftest: perf_event_open(%s): %s\n", ev[i].name, strerror(errno));
            check(0, "perf_event_open");
            return;
        }
    }
    uint64_t got = hv_loop(fd[0], ITERS);
    struct { uint64_t nr, enabled, running, v[N]; } r;
    ssize_t n = read(fd[0], &r, sizeof r);
    for (int i = 0; i < N; i++)
        close(fd[i]);
    if (n != (ssize_t)sizeof r || r.nr != N) {
        printf("perftest: read: %zd bytes, nr %" PRIu64 "\n", n, n >= 8 ? r.nr : 0);
        check(0, "read the counter group");
        return;
    }
    char b[3][40];
    printf("\n Performance counter stats for 'hv_loop(%" PRIu64 " iterations)':\n\n", got);
    printf("%19s      %s\n", grouped(r.v[0], b[0]), ev[0].name);
    uint64_t ipc100 = r.v[0] ? (r.v[1] * 100 + r.v[0] / 2) / r.v[0] : 0; /* rounded, as perf */
    printf("%19s      %-16s #  %" PRIu64 ".%02" PRIu64 "  insn per cycle\n",
           grouped(r.v[1], b[1]), ev[1].name, ipc100 / 100, ipc100 % 100);
    printf("%19s      %-16s #  taken conditional branches (hvsim event 7)\n\n",
           grouped(r.v[2], b[2]), ev[2].name);
    printf("perftest: stat: cycles %" PRIu64 " instructions %" PRIu64 " branches-taken %" PRIu64
           " enabled %" PRIu64 " running %" PRIu64 "\n",
           r.v[0], r.v[1], r.v[2], r.enabled, r.running);

    check(got == ITERS, "the loop ran its iterations");
    check(r.enabled == r.running && r.running > 0, "the group was on the counters all the time");
    char what[160];
    snprintf(what, sizeof what, "instructions:u = 3*%llu + 7 = %llu exactly",
             (unsigned long long)ITERS, (unsigned long long)LOOP_INSNS);
    check(r.v[1] == LOOP_INSNS, what);
    snprintf(what, sizeof what, "r7:u (taken branches) = %llu - 1 exactly",
             (unsigned long long)ITERS);
    check(r.v[2] == ITERS - 1, what);
    snprintf(what, sizeof what, "cycles:u - instructions:u = %lld (one instruction = one tick; "
             "0..4 allowed)", (long long)(r.v[0] - r.v[1]));
    check(r.v[0] >= r.v[1] && r.v[0] - r.v[1] <= 4, what);
}

/* ---- 2. sampling: Sscofpmf overflow interrupts ---------------------------- */

static void record_loop(void)
{
    struct perf_event_attr a;
    attr_init(&a, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS);
    a.read_format = 0;
    a.sample_period = PERIOD;
    a.sample_type = PERF_SAMPLE_IP;
    int fd = perf_open(&a, -1);
    if (fd < 0) {
        printf("perftest: perf_event_open(instructions:u, sample_period %llu): %s\n",
               (unsigned long long)PERIOD, strerror(errno));
        check(0, "open a sampling event (needs Sscofpmf: no PERF_PMU_CAP_NO_INTERRUPT)");
        return;
    }
    long pg = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)pg * (1 + 8);
    struct perf_event_mmap_page *mp = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mp == MAP_FAILED) {
        printf("perftest: mmap ring buffer: %s\n", strerror(errno));
        check(0, "map the ring buffer");
        close(fd);
        return;
    }
    uint64_t got = hv_loop(fd, ITERS);
    uint64_t count = 0;
    if (read(fd, &count, sizeof count) != (ssize_t)sizeof count)
        count = 0;

    uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
    const unsigned char *data = (const unsigned char *)mp + mp->data_offset;
    uint64_t size = mp->data_size, samples = 0, in_loop = 0, lost = 0, other = 0;
    uint64_t lo = (uint64_t)(uintptr_t)hv_loop_body, hi = (uint64_t)(uintptr_t)hv_loop_end;
    uint64_t first_ip = 0;
    for (uint64_t off = mp->data_tail; off < head;) {
        struct perf_event_header h;
        unsigned char rec[64];
        for (size_t i = 0; i < sizeof h; i++)
            ((unsigned char *)&h)[i] = data[(off + i) % size];
        if (h.size < sizeof h || h.size > sizeof rec)
            break;
        for (size_t i = 0; i < h.size; i++)
            rec[i] = data[(off + i) % size];
        if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof h + 8) {
            uint64_t ip;
            memcpy(&ip, rec + sizeof h, 8);
            if (!samples)
                first_ip = ip;
            samples++;
            in_loop += ip >= lo && ip < hi;
        } else if (h.type == PERF_RECORD_LOST) {
            lost++;
        } else {
            other++;
        }
        off += h.size;
    }
    munmap(mp, len);
    close(fd);

    uint64_t want = LOOP_INSNS / PERIOD;
    printf("perftest: record: instructions:u %" PRIu64 ", sample_period %llu: %" PRIu64
           " samples (%" PRIu64 " with the IP in hv_loop's body %#" PRIx64 "..%#" PRIx64
           ", first %#" PRIx64 "), %" PRIu64 " lost, %" PRIu64 " other records\n",
           count, (unsigned long long)PERIOD, samples, in_loop, lo, hi, first_ip, lost, other);
    char what[160];
    check(got == ITERS, "the loop ran its iterations");
    snprintf(what, sizeof what, "the sampling event counted %llu instructions:u",
             (unsigned long long)LOOP_INSNS);
    check(count == LOOP_INSNS, what);
    snprintf(what, sizeof what, "%llu / %llu = %llu overflow interrupts, each a sample",
             (unsigned long long)LOOP_INSNS, (unsigned long long)PERIOD,
             (unsigned long long)want);
    check(samples == want && lost == 0, what);
    check(samples > 0 && in_loop == samples, "every sample IP is inside the loop");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("perftest: perf_event_open on hvsim's counters, %llu-iteration loop\n",
           (unsigned long long)ITERS);
    stat_loop();
    record_loop();
    printf("perftest: %s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
