/* What the /init programs of the x86_64 images share: init_x86.c (the
 * default image, build_x86_64.sh) and init_x86_kvm.c (the KVM image,
 * build_x86_64_kvm.sh): console lines, the pseudo file systems, the words
 * of /proc/cmdline and the power-off. build_x86_64.sh hashes this file
 * into the x86_64 keys and stages it next to init_x86.c. The riscv
 * image's programs (init.c, kvmtest.c, rootinit.c) keep their own: its
 * cache key leaves out every *x86* file, so this one changes no riscv
 * image (tests/firmware/linux/README.md "x86_64").
 * Static functions (a program may leave some unused): include from
 * exactly one .c. */
#ifndef INIT_X86_LIB_H
#define INIT_X86_LIB_H
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define INIT_X86_FN static __attribute__((unused))

/* One console line (a newline added; longer lines are cut), one write(). */
INIT_X86_FN void say(const char *fmt, ...)
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

/* Mounts src (of type) on dir, creating dir; says why not (already
 * mounted is fine). */
INIT_X86_FN void mount_fs(const char *src, const char *dir, const char *type)
{
    mkdir(dir, 0755);
    if (mount(src, dir, type, 0, NULL) < 0 && errno != EBUSY)
        say("init: mount %s on %s: %s", type, dir, strerror(errno));
}

/* /proc/cmdline into buf (NUL-terminated); 0 when it cannot be read. */
INIT_X86_FN int cmdline_read(char *buf, size_t size)
{
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return 1;
}

/* Is WORD one of the words of /proc/cmdline? */
INIT_X86_FN int cmdline_has(const char *word)
{
    char buf[1024];
    if (!cmdline_read(buf, sizeof buf))
        return 0;
    size_t len = strlen(word);
    for (char *p = buf; (p = strstr(p, word)) != NULL; p += len)
        if ((p == buf || p[-1] == ' ') && (p[len] == 0 || p[len] == ' ' || p[len] == '\n'))
            return 1;
    return 0;
}

/* The value V of NAME=V on /proc/cmdline (into OUT, up to a blank), or
 * NULL. */
INIT_X86_FN const char *cmdline_str(const char *name, char *out, size_t size)
{
    char buf[1024];
    if (!cmdline_read(buf, sizeof buf))
        return NULL;
    size_t len = strlen(name);
    for (char *p = buf; (p = strstr(p, name)) != NULL; p += len) {
        if ((p == buf || p[-1] == ' ') && p[len] == '=') {
            size_t k = strcspn(p + len + 1, " \t\n");
            if (k >= size)
                k = size - 1;
            memcpy(out, p + len + 1, k);
            out[k] = 0;
            return out;
        }
    }
    return NULL;
}

/* "init: PASS|FAIL, powering off", then the end of the machine: through
 * isa-debug-exit (port 0xf4, ioperm: 0 = pass, hvsim exit status 0; 1 =
 * fail, status 1), or with acpi (a passing run only) through
 * reboot(RB_POWER_OFF) alone, Linux's ACPI S5; reboot(RB_POWER_OFF) too
 * when the port write did not end it. Before the machine ends, tcdrain:
 * the console (ttyS0) sends from the 8250 driver's buffer a byte per
 * THR-empty interrupt, so the last lines may still be queued when write()
 * returns, and the port write ends the machine at once. Never returns
 * (/init exiting would panic the kernel). */
INIT_X86_FN void __attribute__((noreturn)) power_off(int ok, int acpi)
{
    say("init: %s, powering off", ok ? "PASS" : "FAIL");
    sync();
    if (ok && acpi) {
        say("init: powering off through ACPI S5");
        tcdrain(1);
    } else if (ioperm(0xf4, 1, 1) == 0) {
        tcdrain(1);
        outb(ok ? 0 : 1, 0xf4);
    } else {
        say("init: ioperm(0xf4): %s", strerror(errno));
    }
    reboot(RB_POWER_OFF);
    say("init: reboot(RB_POWER_OFF): %s", strerror(errno));
    for (;;)
        pause();
}
#endif
