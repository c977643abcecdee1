/* gstage.c — one Sv39x4 G-stage (guest-physical -> host-physical) table per VM.
 *
 * Sv39x4 (priv spec, H extension, "Guest Physical Address Translation"): a
 * 41-bit GPA; the root table is 16 KiB (2048 PTEs, indexed by GPA[40:30]) and
 * must be 16 KiB aligned; the lower levels are ordinary Sv39 tables indexed by
 * GPA[29:21] and GPA[20:12]. All G-stage accesses count as U-mode accesses,
 * so every leaf needs U=1. A and D are preset so hardware never has to set
 * them (or fault when it does not).
 *
 * Each VM gets:
 *   GPA 0x80000000 .. +2 MiB   4 KiB pages (a level-0 table)  -> host_base
 *   GPA 0x80200000 .. +6 MiB   2 MiB pages                    -> host_base + 2 MiB..
 *   GUEST_ALIAS_GPA +2 MiB     one 2 MiB page, root index 512 (or 1024)
 *                              -> host_base + 2 MiB (an alias of GPA 0x80200000)
 * and nothing else: the virtual UART window at GPA 0x10000000 stays unmapped
 * so that guest accesses to it raise guest-page faults. */
#include "minihv.h"

#define PTE_V   (1UL << 0)
#define PTE_R   (1UL << 1)
#define PTE_W   (1UL << 2)
#define PTE_X   (1UL << 3)
#define PTE_U   (1UL << 4)
#define PTE_A   (1UL << 6)
#define PTE_D   (1UL << 7)
#define PTE_LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)

#define PTE_PPN(pa) (((uint64_t)(pa) >> 12) << 10)

struct gstage_tables {
    uint64_t l1_ram[512];     /* GPA 0x80000000..0xbfffffff */
    uint64_t l0_ram[512];     /* GPA 0x80000000..0x801fffff */
    uint64_t l1_alias[512];   /* GUEST_ALIAS_GPA.. */
#ifdef MHV_AIA
    uint64_t l1_low[512];     /* GPA 0..0x3fffffff */
    uint64_t l0_imsic[512];   /* GUEST_IMSIC_GPA..: the vCPUs' guest interrupt files */
#endif
};

/* 16 KiB roots in their own array: every element stays 16 KiB aligned */
static uint64_t roots[NR_VMS][2048] __attribute__((aligned(16384)));
static struct gstage_tables tables[NR_VMS] __attribute__((aligned(4096)));

static unsigned idx_root(uint64_t gpa) { return (unsigned)((gpa >> 30) & 0x7ff); }
static unsigned idx_l1(uint64_t gpa)   { return (unsigned)((gpa >> 21) & 0x1ff); }
static unsigned idx_l0(uint64_t gpa)   { return (unsigned)((gpa >> 12) & 0x1ff); }

void gstage_build(struct vm *vm)
{
    struct gstage_tables *t = &tables[vm->id];
    uint64_t gpa, hpa;

    uint64_t *root = roots[vm->id];

    memset(t, 0, sizeof *t);
    memset(root, 0, sizeof roots[0]);
    root[idx_root(GUEST_RAM_GPA)] = PTE_PPN(t->l1_ram) | PTE_V;
    t->l1_ram[idx_l1(GUEST_RAM_GPA)] = PTE_PPN(t->l0_ram) | PTE_V;
    for (gpa = GUEST_RAM_GPA, hpa = vm->host_base; gpa < GUEST_RAM_GPA + 0x200000;
         gpa += 0x1000, hpa += 0x1000)
        t->l0_ram[idx_l0(gpa)] = PTE_PPN(hpa) | PTE_LEAF;
    for (; gpa < GUEST_RAM_GPA + GUEST_RAM_SIZE; gpa += 0x200000, hpa += 0x200000)
        t->l1_ram[idx_l1(gpa)] = PTE_PPN(hpa) | PTE_LEAF;

    root[idx_root(GUEST_ALIAS_GPA)] = PTE_PPN(t->l1_alias) | PTE_V;
    t->l1_alias[idx_l1(GUEST_ALIAS_GPA)] =
        PTE_PPN(vm->host_base + (GUEST_ALIAS_OF - GUEST_RAM_GPA)) | PTE_LEAF;

#ifdef MHV_AIA
    /* vCPU v's page -> guest file 1 of the IMSIC of the hart it is pinned to
     * (read/write, no execute) */
    root[idx_root(GUEST_IMSIC_GPA)] = PTE_PPN(t->l1_low) | PTE_V;
    t->l1_low[idx_l1(GUEST_IMSIC_GPA)] = PTE_PPN(t->l0_imsic) | PTE_V;
    for (unsigned v = 0; v < VCPUS_PER_VM; v++)
        t->l0_imsic[idx_l0(GUEST_IMSIC_GPA + 0x1000UL * v)] =
            PTE_PPN(HOST_IMSIC_S + HOST_IMSIC_STRIDE * vm->vcpu[v]->hartid + 0x1000) |
            (PTE_LEAF & ~PTE_X);
#endif
    vm->root = root;
    vm->hgatp = HGATP_MODE_SV39X4 | ((uint64_t)vm->vmid << HGATP_VMID_SHIFT) |
                ((uint64_t)(uintptr_t)root >> 12);
}
