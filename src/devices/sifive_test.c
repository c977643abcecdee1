/* SiFive test / power-off device (see sifive_test.h).
 *
 * Guest-visible rules (never a crash): a 16-, 32- or 64-bit write at offset 0
 * acts (OpenSBI 1.1 writes the command as 16 bits, U-Boot as 32);
 * unknown values and every other write inside the window are ignored; reads
 * of any size return 0. Accesses outside the window are rejected. */
#include "sifive_test.h"

#include <stdio.h>
#include <stdlib.h>
#include "../sim/machine.h"

enum {
    TEST_FAIL  = 0x3333,
    TEST_PASS  = 0x5555,
    TEST_RESET = 0x7777,
};

struct sifive_test {
    struct machine *m;
};

struct sifive_test *sifive_test_new(struct machine *m)
{
    struct sifive_test *t = calloc(1, sizeof(*t));
    if (t)
        t->m = m;
    return t;
}

void sifive_test_free(struct sifive_test *t)
{
    free(t);
}

static bool test_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    (void)opaque;
    (void)size;
    if (off >= SIFIVE_TEST_SIZE)
        return false;
    *val = 0;
    return true;
}

static bool test_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct sifive_test *t = opaque;
    if (off >= SIFIVE_TEST_SIZE)
        return false;
    if (off != 0 || size < 2)
        return true; /* ignored */
    /* Like QEMU, the command is the low 16 bits; bits 31:16 carry the
     * failure code (and are ignored for pass and reset). */
    uint32_t v = (uint32_t)val;
    switch (v & 0xffff) {
    case TEST_PASS:
        machine_request_exit(t->m, EXIT_PASS, "poweroff");
        break;
    case TEST_FAIL: {
        char reason[64];
        snprintf(reason, sizeof(reason), "guest failure code %u", v >> 16);
        machine_request_exit(t->m, EXIT_GUEST_FAIL, reason);
        break;
    }
    case TEST_RESET:
        machine_request_exit(t->m, EXIT_PASS, "reset requested (hvsim does not reboot)");
        break;
    default:
        break; /* other values: ignored */
    }
    return true;
}

const struct mmio_ops sifive_test_ops = { .read = test_read, .write = test_write };
