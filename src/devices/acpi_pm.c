/* ACPI PM1a event and control blocks (see acpi_pm.h). */
#include "acpi_pm.h"
#include <stdio.h>
#include <stdlib.h>
#include "../sim/machine.h"

#define PM1_SCI_EN 0x0001u
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN 0x2000u

/* One block of the device: the ops see which through `cnt`. */
struct acpi_pm_block {
    struct acpi_pm *pm;
    int cnt;
};

struct acpi_pm {
    struct machine *m;
    unsigned s5;
    uint16_t sts, en, ctl;      /* PM1_STS, PM1_EN, PM1_CNT's SLP_TYP */
    struct acpi_pm_block evt_block, cnt_block;
};

struct acpi_pm *acpi_pm_new(struct machine *m, unsigned slp_typ_s5)
{
    struct acpi_pm *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->m = m;
    p->s5 = slp_typ_s5 & 7;
    p->evt_block = (struct acpi_pm_block){ p, 0 };
    p->cnt_block = (struct acpi_pm_block){ p, 1 };
    return p;
}

void acpi_pm_free(struct acpi_pm *p)
{
    free(p);
}

void acpi_pm_copy_state(struct acpi_pm *dst, const struct acpi_pm *src)
{
    dst->sts = src->sts;
    dst->en = src->en;
    dst->ctl = src->ctl;
}

void *acpi_pm_evt(struct acpi_pm *p)
{
    return &p->evt_block;
}

void *acpi_pm_cnt(struct acpi_pm *p)
{
    return &p->cnt_block;
}

/* The 16-bit register an access at off of the block falls in, and the
 * byte shift inside it; accesses may be 1, 2 or 4 bytes (a 4-byte access
 * of the event block covers PM1_STS and PM1_EN). */
static bool pm_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    struct acpi_pm_block *b = opaque;
    struct acpi_pm *p = b->pm;
    uint32_t regs = b->cnt ? (uint32_t)(p->ctl | PM1_SCI_EN) : (uint32_t)p->sts | (uint32_t)p->en << 16;
    if (size != 1 && size != 2 && size != 4)
        return false;
    uint64_t v = (uint64_t)regs >> (8 * off);
    *val = size == 4 ? v & 0xffffffffu : v & ((1u << (8 * size)) - 1);
    return true;
}

static bool pm_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    struct acpi_pm_block *b = opaque;
    struct acpi_pm *p = b->pm;
    if (size != 1 && size != 2 && size != 4)
        return false;
    for (unsigned i = 0; i < size; i++) {
        unsigned at = (unsigned)off + i;
        uint16_t byte = (uint16_t)((val >> (8 * i)) & 0xff);
        uint16_t *reg;
        if (b->cnt) {
            if (at >= 2)
                continue;
            reg = &p->ctl;
        } else {
            reg = at < 2 ? &p->sts : &p->en;
        }
        unsigned sh = 8 * (at & 1);
        if (reg == &p->sts)
            *reg = (uint16_t)(*reg & ~(byte << sh));    /* write 1 to clear */
        else
            *reg = (uint16_t)((*reg & ~(0xffu << sh)) | (byte << sh));
    }
    if (b->cnt) {
        uint16_t w = p->ctl;
        p->ctl = w & PM1_SLP_TYP;                       /* SLP_EN reads 0; SCI_EN fixed */
        if ((w & PM1_SLP_EN) && ((w & PM1_SLP_TYP) >> PM1_SLP_TYP_SHIFT) == p->s5)
            machine_request_exit(p->m, EXIT_PASS, "ACPI S5 power-off (PM1a_CNT SLP_EN)");
    }
    return true;
}

const struct mmio_ops acpi_pm_ops = { .read = pm_read, .write = pm_write };
