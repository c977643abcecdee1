/* /sbin/init of hvsim's virtio-blk root filesystem (rootfs.ext4, made by
 * build.sh): a static program, no shell. The kernel runs it when booted with
 *   root=/dev/vda rw rootfstype=ext4 rdinit=/sbin/init
 * (the built-in initramfs has no /sbin/init, so the kernel mounts root=
 * instead of running the initramfs' /init: init/main.c, kernel_init_freeable).
 *
 *   1. mounts proc and sysfs (devtmpfs is mounted on /dev by the kernel);
 *   2. prints "rootinit: hvsim virtio-blk root" and the line of /proc/mounts
 *      for "/" (device, type, options);
 *   3. prints the file /etc/hvsim-disk.txt (made by build.sh);
 *   4. reads the number in /var/boot-count (missing: 0), prints
 *      "rootinit: boot count N" with N = that + 1 and writes N back, fsync:
 *      a second boot from the same writable drive prints N + 1, a --drive
 *      FILE,snapshot run leaves FILE unchanged;
 *   5. with a hardware RNG (virtio-rng): prints 16 bytes of /dev/hwrng in hex;
 *   6. with a virtio console (virtio-ports/vportNp0, an hvc tty after the SBI
 *      console's hvc0): writes a line to it;
 *   7. syncs, remounts / read-only (the journal is checkpointed, so the host
 *      sees a clean file system), prints "rootinit: PASS|FAIL, powering off"
 *      and powers off (SBI SRST → exit 0). On FAIL it writes the sifive_test
 *      finisher's FAIL code at 0x100000 through /dev/mem first, as the
 *      initramfs /init does (init.c), so hvsim exits with status 1.
 * It never exits (that would panic the kernel).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed;

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
    ssize_t w = write(1, buf, (size_t)n);
    (void)w;
}

static void bad(const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    say("rootinit: FAILED: %s", buf);
    failed = 1;
}

/* Reads up to size-1 bytes of PATH into buf, NUL-terminated; -1 on error. */
static int slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return (int)n;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
}

static void show_root_mount(void)
{
    char buf[4096];
    if (slurp("/proc/mounts", buf, sizeof buf) < 0) {
        bad("read /proc/mounts: %s", strerror(errno));
        return;
    }
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char dev[128], dir[128], type[32], opts[256];
        if (sscanf(line, "%127s %127s %31s %255s", dev, dir, type, opts) == 4 &&
            !strcmp(dir, "/") && strcmp(type, "rootfs")) {
            say("rootinit: / is %s on %s (%s)", type, dev, opts);
            if (strcmp(type, "ext4"))
                bad("/ is %s, not ext4", type);
            if (strncmp(opts, "rw", 2))
                bad("/ is not mounted read-write");
            return;
        }
    }
    bad("no mount on / in /proc/mounts");
}

static void show_disk_file(void)
{
    char buf[256];
    if (slurp("/etc/hvsim-disk.txt", buf, sizeof buf) < 0) {
        bad("read /etc/hvsim-disk.txt: %s", strerror(errno));
        return;
    }
    chomp(buf);
    say("rootinit: /etc/hvsim-disk.txt: %s", buf);
}

static void boot_count(void)
{
    char buf[64];
    long n = 0;
    if (slurp("/var/boot-count", buf, sizeof buf) >= 0)
        n = strtol(buf, NULL, 10);
    n++;
    say("rootinit: boot count %ld", n);
    int fd = open("/var/boot-count", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        bad("create /var/boot-count: %s", strerror(errno));
        return;
    }
    int len = snprintf(buf, sizeof buf, "%ld\n", n);
    if (write(fd, buf, (size_t)len) != len || fsync(fd) < 0)
        bad("write /var/boot-count: %s", strerror(errno));
    close(fd);
}

static void hwrng(void)
{
    /* /dev/hwrng exists whenever the hw_random core is built in; the
     * sysfs attribute names the current source ("none" without a device). */
    char cur[64] = "";
    slurp("/sys/class/misc/hw_random/rng_current", cur, sizeof cur);
    chomp(cur);
    if (!cur[0] || !strcmp(cur, "none")) {
        say("rootinit: no hardware RNG (rng_current: %s)", cur[0] ? cur : "missing");
        return;
    }
    int fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        bad("open /dev/hwrng: %s", strerror(errno));
        return;
    }
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = read(fd, b + got, sizeof b - got);
        if (n <= 0) {
            bad("read /dev/hwrng: %s", n < 0 ? strerror(errno) : "end of file");
            close(fd);
            return;
        }
        got += (size_t)n;
    }
    close(fd);
    char hex[40];
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(hex + 2 * i, 3, "%02x", b[i]);
    say("rootinit: hwrng %s: %s", cur, hex);
}

/* The virtio console's port shows as /sys/class/virtio-ports/vport<N>p0
 * (N: the virtio device's index, after the disks); its tty is an hvc one,
 * like the SBI console's hvc0 (HVC_RISCV_SBI): the first hvcN after hvc0
 * that opens (the unused ones give ENODEV). */
static void virtio_console(void)
{
    DIR *d = opendir("/sys/class/virtio-ports");
    struct dirent *e;
    int ports = 0;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL)
        if (!strncmp(e->d_name, "vport", 5))
            ports++;
    closedir(d);
    if (!ports)
        return;
    for (int i = 1; i < 8; i++) {
        char path[96];
        snprintf(path, sizeof path, "/dev/hvc%d", i);
        int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
            continue;
        char line[96];
        int len = snprintf(line, sizeof line, "rootinit: hello through virtio-console (%s)\n", path);
        if (write(fd, line, (size_t)len) != len)
            bad("write %s: %s", path, strerror(errno));
        close(fd);
        return;
    }
    bad("a virtio console port, but no /dev/hvc1..7 opens");
}

static void finisher_fail(void)
{
    /* riscv-virt's sifive_test; the initramfs /init looks it up in the DT,
     * this one keeps to the board's fixed address. */
    int fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
    if (fd < 0)
        return;
    volatile uint32_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0x100000);
    close(fd);
    if (p == MAP_FAILED)
        return;
    say("rootinit: reporting failure through the test finisher at 0x100000");
    p[0] = 0x3333u | (1u << 16);
}

int main(void)
{
    mkdir("/proc", 0755);
    mkdir("/sys", 0755);
    if (mount("proc", "/proc", "proc", 0, NULL) < 0)
        bad("mount proc: %s", strerror(errno));
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
        bad("mount sysfs: %s", strerror(errno));
    say("rootinit: hvsim virtio-blk root");
    show_root_mount();
    show_disk_file();
    boot_count();
    hwrng();
    virtio_console();

    sync();
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
        bad("remount / read-only: %s", strerror(errno));
    say("rootinit: %s, powering off", failed ? "FAIL" : "PASS");
    if (failed)
        finisher_fail();
    reboot(RB_POWER_OFF);
    say("rootinit: reboot(RB_POWER_OFF): %s", strerror(errno));
    for (;;)
        pause();
}
