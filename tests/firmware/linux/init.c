/* /init of hvsim's Linux/KVM test image: a static program, no shell.
 *
 *   1. mount devtmpfs on /dev, proc on /proc, sysfs on /sys;
 *   2. check /dev/kvm ("init: /dev/kvm present");
 *   3. run /kvmtest (the KVM launcher; it reads its kvmtest.* parameters from
 *      /proc/cmdline) and wait for it, reaping any other child on the way;
 *      with the word `perftest` on the kernel command line (Linux passes a
 *      parameter without '=' or '.' to /init as an argument), run /perftest
 *      instead (perftest.c: perf_event_open on the counters; no KVM);
 *   4. power the machine off: reboot(RB_POWER_OFF), which Linux carries out
 *      with SBI SRST (shutdown) -- OpenSBI then writes the sifive_test
 *      finisher's PASS code, and QEMU/hvsim exit with status 0.
 *      When the test failed, /init first writes the finisher's FAIL code
 *      itself (through /dev/mem, at the address of the DT node compatible
 *      with "sifive,test0"), so that QEMU and hvsim exit with status 1;
 *      Linux's SBI power-off has no way to say "failure". If that is not
 *      possible it powers off normally and the console tells the verdict.
 * /init never exits: that would panic the kernel.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

static void say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t w = write(1, buf, (size_t)n);
    (void)w;
}

static void mount_fs(const char *src, const char *dir, const char *type)
{
    mkdir(dir, 0755);
    if (mount(src, dir, type, 0, NULL) < 0 && errno != EBUSY)
        say("init: mount %s on %s: %s", type, dir, strerror(errno));
}

/* ---- the sifive_test finisher (FAIL path only) ------------------------------ */

static int read_file(const char *path, void *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size);
    close(fd);
    return (int)n;
}

static uint64_t be_cells(const unsigned char *p, int cells)
{
    uint64_t v = 0;
    for (int i = 0; i < cells * 4; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Search one DT directory (non-recursive) for a node compatible with
 * "sifive,test0"; return its MMIO base from "reg" (2 address cells, as on
 * the virt boards' /soc), or 0. */
static uint64_t find_finisher_in(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    uint64_t base = 0;

    if (!d)
        return 0;
    while (!base && (e = readdir(d)) != NULL) {
        char path[512], compat[256];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/compatible", dir, e->d_name);
        int n = read_file(path, compat, sizeof compat - 1);
        if (n <= 0)
            continue;
        int match = 0;
        compat[n] = 0;
        for (int i = 0; i < n; i += (int)strlen(compat + i) + 1) {
            if (!strcmp(compat + i, "sifive,test0") || !strcmp(compat + i, "sifive,test1"))
                match = 1;
        }
        if (!match)
            continue;
        unsigned char reg[16];
        snprintf(path, sizeof path, "%s/%s/reg", dir, e->d_name);
        if (read_file(path, reg, sizeof reg) >= 8)
            base = be_cells(reg, 2);
    }
    closedir(d);
    return base;
}

static void finisher_fail(int code)
{
    uint64_t base = find_finisher_in("/sys/firmware/devicetree/base/soc");
    if (!base)
        base = find_finisher_in("/sys/firmware/devicetree/base");
    if (!base) {
        say("init: no sifive,test0 finisher in the device tree");
        return;
    }
    int fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
    if (fd < 0) {
        say("init: open /dev/mem: %s", strerror(errno));
        return;
    }
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t page = base & ~(uint64_t)(pg - 1);
    volatile uint32_t *p = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED,
                                fd, (off_t)page);
    close(fd);
    if (p == MAP_FAILED) {
        say("init: mmap finisher at %#llx: %s", (unsigned long long)base, strerror(errno));
        return;
    }
    say("init: reporting failure through the test finisher at %#llx", (unsigned long long)base);
    sync();
    /* FINISHER_FAIL = 0x3333, exit code in bits 31:16 */
    p[(base - page) / 4] = 0x3333u | ((uint32_t)code << 16);
}

/* ---- main ------------------------------------------------------------------------- */

static int check_kvm(void)
{
    struct stat st;
    if (stat("/dev/kvm", &st) < 0) {
        say("init: /dev/kvm missing (%s): no KVM in this kernel, or no H extension "
            "(see the \"kvm [1]:\" lines above)", strerror(errno));
        return 0;
    }
    if (!S_ISCHR(st.st_mode)) {
        say("init: /dev/kvm is not a character device");
        return 0;
    }
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        say("init: open /dev/kvm: %s", strerror(errno));
        return 0;
    }
    int api = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    say("init: /dev/kvm present (char %u:%u, KVM API %d)", major(st.st_rdev),
        minor(st.st_rdev), api);
    return api == KVM_API_VERSION;
}

static int run_program(const char *path, const char *name)
{
    char *const argv[] = { (char *)path, NULL };
    char *const envp[] = { "PATH=/", NULL };
    pid_t pid = fork();

    if (pid < 0) {
        say("init: fork: %s", strerror(errno));
        return 0;
    }
    if (pid == 0) {
        execve(argv[0], argv, envp);
        say("init: exec %s: %s", argv[0], strerror(errno));
        _exit(127);
    }
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            say("init: waitpid: %s", strerror(errno));
            return 0;
        }
        if (w != pid)
            continue;       /* an orphan: reaped */
        if (WIFEXITED(st)) {
            say("init: %s exited with status %d", name, WEXITSTATUS(st));
            return WEXITSTATUS(st) == 0;
        }
        if (WIFSIGNALED(st)) {
            say("init: %s killed by signal %d", name, WTERMSIG(st));
            return 0;
        }
    }
}

int main(int argc, char **argv)
{
    int perftest = 0;
    for (int i = 1; i < argc; i++)
        perftest |= !strcmp(argv[i], "perftest");
    mount_fs("devtmpfs", "/dev", "devtmpfs");
    mount_fs("proc", "/proc", "proc");
    mount_fs("sysfs", "/sys", "sysfs");
    say("init: hvsim Linux/KVM test image");

    int ok = perftest ? run_program("/perftest", "perftest")
                      : check_kvm() && run_program("/kvmtest", "kvmtest");

    say("init: %s, powering off", ok ? "PASS" : "FAIL");
    sync();
    if (!ok)
        finisher_fail(1);
    reboot(RB_POWER_OFF);
    say("init: reboot(RB_POWER_OFF): %s", strerror(errno));
    for (;;)
        pause();
}
