/* /init of hvsim's Linux x86_64 test image (build.sh x86_64): a static
 * program, no shell.
 *
 *   1. mount devtmpfs on /dev, proc on /proc, sysfs on /sys;
 *   2. print "init: hvsim x86_64 Linux test image, N CPUs online";
 *   3. start one thread per online CPU, each pinned to its CPU, that pass a
 *      token around a ring through futexes (every hand-over to a thread on
 *      another CPU is a wake-up IPI when the CPUs are real), and check the
 *      count ("init: token ring ... passes, PASS");
 *   4. power off (init_x86_lib.h power_off, after the console drained)
 *      through isa-debug-exit (port 0xf4, ioperm): value 0 = pass (hvsim
 *      exit status 0), 1 = fail (hvsim exit status 1); if the port write
 *      does not end the machine, reboot(RB_POWER_OFF) (ACPI S5). With
 *      `hvsim.poweroff=acpi` on the command line a passing run skips the
 *      port and powers off with reboot(RB_POWER_OFF) only: Linux's ACPI S5
 *      (the DSDT's \_S5, the FADT's PM1a_CNT).
 * /init never exits: that would panic the kernel.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include "init_x86_lib.h" /* say, mount_fs, cmdline_has, power_off */

#define MAX_THREADS 8
#define ROUNDS 50

/* ---- the token ring ------------------------------------------------------------ */

static atomic_int token;          /* whose turn: thread index */
static atomic_int passes;         /* hand-overs done */
static int nthreads;

static void futex_wait(atomic_int *addr, int val)
{
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_int *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, MAX_THREADS, NULL, NULL, 0);
}

static void *ring_thread(void *arg)
{
    int me = (int)(long)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(me, &set);
    sched_setaffinity(0, sizeof set, &set);
    for (int r = 0; r < ROUNDS; r++) {
        int t;
        while ((t = atomic_load(&token)) != me)
            futex_wait(&token, t);
        atomic_fetch_add(&passes, 1);
        atomic_store(&token, (me + 1) % nthreads);
        futex_wake(&token);
    }
    return NULL;
}

static int token_ring(void)
{
    pthread_t th[MAX_THREADS];
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    nthreads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&th[i], NULL, ring_thread, (void *)(long)i) != 0) {
            say("init: pthread_create: %s", strerror(errno));
            return 0;
        }
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    int want = nthreads * ROUNDS;
    int got = atomic_load(&passes);
    say("init: token ring over %d threads: %d passes (want %d)", nthreads, got, want);
    return got == want;
}

/* ---- main ------------------------------------------------------------------------- */

int main(void)
{
    mount_fs("devtmpfs", "/dev", "devtmpfs");
    mount_fs("proc", "/proc", "proc");
    mount_fs("sysfs", "/sys", "sysfs");
    say("init: hvsim x86_64 Linux test image, %ld CPUs online",
        sysconf(_SC_NPROCESSORS_ONLN));

    int ok = token_ring();

    power_off(ok, cmdline_has("hvsim.poweroff=acpi"));
}
