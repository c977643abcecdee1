/* HTIF tohost/fromhost handling, compatible with Spike's conventions. */
#include "htif.h"
#include <stdio.h>
#include <stdlib.h>
#include "console.h"
#include "../sim/machine.h"

struct htif {
    struct machine *m;
    struct console *con;
    uint64_t tohost, fromhost;
};

enum { SYS_WRITE = 64 };
#define ENOSYS_RET ((uint64_t)-38)

static bool rd64(struct htif *h, uint64_t pa, uint64_t *v) { return bus_read(&h->m->bus, pa, 8, v); }

/* Host-side writes: straight into memory, no store notifications. */
static void wr64(struct htif *h, uint64_t pa, uint64_t v)
{
    uint8_t *p = bus_host_ptr(&h->m->bus, pa, 8);
    if (p)
        for (int i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (8 * i));
}

static void respond(struct htif *h, uint64_t dev, uint64_t cmd, uint64_t val)
{
    wr64(h, h->tohost, 0);
    if (h->fromhost)
        wr64(h, h->fromhost, dev << 56 | cmd << 48 | (val & 0xffffffffffffull));
}

static void do_syscall(struct htif *h, uint64_t block)
{
    uint64_t a[4] = { 0 };
    for (int i = 0; i < 4; i++)
        if (!rd64(h, block + 8 * (uint64_t)i, &a[i])) {
            machine_request_exit(h->m, EXIT_GUEST_FAIL, "HTIF syscall block outside RAM");
            return;
        }
    uint64_t ret = ENOSYS_RET;
    if (a[0] == SYS_WRITE && (a[1] == 1 || a[1] == 2)) {
        uint64_t len = a[3];
        const uint8_t *p = bus_host_ptr(&h->m->bus, a[2], len);
        if (p) {
            for (uint64_t i = 0; i < len; i++)
                console_putc(h->con, p[i]);
            ret = len;
        } else {
            ret = (uint64_t)-14; /* EFAULT */
        }
    }
    wr64(h, block, ret);
    respond(h, 0, 0, 1);
}

static void htif_watch(void *opaque, uint64_t pa, unsigned size)
{
    struct htif *h = opaque;
    if (pa >= h->tohost + 8 || pa + size <= h->tohost)
        return;
    uint64_t v;
    if (!rd64(h, h->tohost, &v) || v == 0)
        return;
    uint64_t dev = v >> 56, cmd = (v >> 48) & 0xff, payload = v & 0xffffffffffffull;
    if (dev == 0 && cmd == 0) {
        if (payload & 1) {
            uint64_t code = payload >> 1;
            char why[64];
            snprintf(why, sizeof why, "HTIF exit code %llu", (unsigned long long)code);
            wr64(h, h->tohost, 0);
            machine_request_exit(h->m, code ? EXIT_GUEST_FAIL : EXIT_PASS, code ? why : "HTIF pass");
        } else {
            do_syscall(h, payload);
        }
    } else if (dev == 1 && cmd == 1) {
        console_putc(h->con, (uint8_t)payload);
        respond(h, dev, cmd, 0x100 | (payload & 0xff));
    } else {
        respond(h, dev, cmd, 0); /* unknown device/command: acknowledged, ignored */
    }
}

struct htif *htif_new(struct machine *m, struct console *con, uint64_t tohost, uint64_t fromhost,
                      char *err, size_t errlen)
{
    struct mem_region *r = bus_find_mem(&m->bus, tohost);
    if (!r || tohost + 8 > r->base + r->size || (tohost & 7)) {
        snprintf(err, errlen, "tohost symbol at 0x%llx is not an aligned RAM address",
                 (unsigned long long)tohost);
        return NULL;
    }
    struct htif *h = calloc(1, sizeof(*h));
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *h = (struct htif){ .m = m, .con = con, .tohost = tohost, .fromhost = fromhost };
    r->page_flags[(tohost - r->base) >> 12] |= PAGE_WATCH;
    m->bus.watch_fn = htif_watch;
    m->bus.watch_opaque = h;
    return h;
}

void htif_free(struct htif *h)
{
    free(h);
}
