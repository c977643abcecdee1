/* Multiboot 1 test kernel (ELF32, and the same kernel as a flat binary
 * booted through the header's address fields): checks the boot
 * information against what tests/e2e/t_x86_boot.sh passes and what fw_cfg
 * says, prints the memory map, then switches modes (mb_modes.S). */
#include "mb.h"

/* MB1 §3.3 */
struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table;
    uint32_t boot_loader_name;
};
struct mb1_module {
    uint32_t start, end, string, reserved;
};
struct mb1_mmap {
    uint32_t size;
    uint64_t base, len;
    uint32_t type;
} __attribute__((packed));

/* What the e2e test passes (--append, --module FILE,ARGS twice). */
extern char _end[];

#define CMDLINE "mb-test alpha=1 beta=two"
static const char *const mod_args[2] = { "first module args", "second" };
static const char *const mod_data[2] = { "hvsim module one", "hvsim module two" };

static uint32_t mb_read_cr0(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

/* ---- task switches (SDM vol. 3A ch. 7) between two 32-bit TSSs ---------- */

struct tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt, iomap;
};
static struct tss32 tss_a __attribute__((aligned(64))), tss_b __attribute__((aligned(64)));
/* null, 0x08 code, 0x10 data (flat, as the loader's), 0x18 TSS A, 0x20 TSS B,
 * 0x28 a task gate to TSS B */
static uint64_t ts_gdt[6] __attribute__((aligned(8)));
static uint8_t task_b_stack[1024] __attribute__((aligned(16)));
volatile uint32_t tb_count, tb_flags[2], tb_link;
/* Task B: the CALL runs it from its start (NT set, link = TSS A), IRET
 * returns to A; the JMP through the task gate resumes it after that IRET
 * (NT clear), and it jumps back to TSS A. It changes ESI and EDI, which A
 * gets back from its TSS. */
void task_b(void);
__asm__(".text\n.globl task_b\ntask_b:\n"
        "\tincl tb_count\n\tpushfl\n\tpopl tb_flags\n\tmovl tss_b, %eax\n\tmovl %eax, tb_link\n"
        "\txorl %esi, %esi\n\txorl %edi, %edi\n\tiret\n"
        "\tincl tb_count\n\tpushfl\n\tpopl tb_flags+4\n\txorl %esi, %esi\n\tljmp $0x18, $0\n\tjmp task_b\n");

static uint64_t tss_desc(const void *base)
{
    uint32_t b = (uint32_t)base, lim = sizeof(struct tss32) - 1;
    return lim | (uint64_t)(b & 0xffffff) << 16 | 0x89ull << 40 | (uint64_t)(b >> 24) << 56;
}

static uint16_t str_sel(void)
{
    uint16_t v;
    __asm__ volatile("str %0" : "=r"(v));
    return v;
}

static void task_switch_test(void)
{
    ts_gdt[0] = 0;
    ts_gdt[1] = 0x00cf9b000000ffffull;
    ts_gdt[2] = 0x00cf93000000ffffull;
    ts_gdt[3] = tss_desc(&tss_a);
    ts_gdt[4] = tss_desc(&tss_b);
    ts_gdt[5] = 0x20ull << 16 | 0x85ull << 40; /* task gate, DPL 0, TSS 0x20 */
    tss_b.eip = (uint32_t)task_b;
    tss_b.eflags = 2;
    tss_b.esp = (uint32_t)(task_b_stack + sizeof task_b_stack);
    tss_b.cs = 0x08;
    tss_b.ss = tss_b.ds = tss_b.es = tss_b.fs = tss_b.gs = 0x10;
    tss_b.iomap = tss_a.iomap = sizeof(struct tss32);
    struct __attribute__((packed)) { uint16_t lim; uint32_t base; } gd = { sizeof ts_gdt - 1, (uint32_t)ts_gdt };
    __asm__ volatile("lgdt %0\n\tmov $0x18, %%ax\n\tltr %%ax" ::"m"(gd) : "eax", "memory");
    CHECK(((ts_gdt[3] >> 40) & 0xf) == 0xb, "LTR marks TSS A busy");

    /* CALL to TSS B, IRET back (NT, link) */
    uint32_t esi = 0, edi = 0;
    __asm__ volatile("mov $0x12345678, %%esi\n\tmov $0x9abcdef0, %%edi\n\tlcall $0x20, $0\n\t"
                     "mov %%esi, %0\n\tmov %%edi, %1" : "=m"(esi), "=m"(edi) : : "esi", "edi", "memory", "cc");
    CHECK(tb_count == 1, "CALL to a TSS runs the new task");
    CHECK((tb_flags[0] & 0x4000) && tb_link == 0x18, "CALL: the new task has NT = 1 and the link to TSS A");
    CHECK(esi == 0x12345678 && edi == 0x9abcdef0, "IRET with NT: back to task A with its registers from its TSS");
    CHECK(str_sel() == 0x18 && ((ts_gdt[3] >> 40) & 0xf) == 0xb && ((ts_gdt[4] >> 40) & 0xf) == 0x9,
          "after the IRET: TR = TSS A (busy), TSS B available");
    CHECK(tss_b.eip != (uint32_t)task_b, "task B's EIP saved in its TSS (after its IRET)");
    CHECK(mb_read_cr0() & 8, "a task switch sets CR0.TS");
    __asm__ volatile("clts");

    /* JMP through the task gate, the task JMPs back */
    __asm__ volatile("mov $0x2468ace0, %%esi\n\tljmp $0x28, $0\n\tmov %%esi, %0" : "=m"(esi) : : "esi", "memory", "cc");
    CHECK(tb_count == 2 && !(tb_flags[1] & 0x4000), "JMP through a task gate: task B resumes after its IRET, NT = 0");
    CHECK(esi == 0x2468ace0 && str_sel() == 0x18 && ((ts_gdt[4] >> 40) & 0xf) == 0x9 &&
              ((ts_gdt[3] >> 40) & 0xf) == 0xb,
          "JMP back to TSS A: its state restored, TSS B available again");
    __asm__ volatile("clts");
}

static void check_info(uint32_t magic, const struct mb1_info *mbi)
{
    CHECK(magic == 0x2BADB002, "EAX = 0x2BADB002");
    uint32_t need = 1u << 0 | 1u << 2 | 1u << 3 | 1u << 6 | 1u << 9;
    CHECK((mbi->flags & need) == need, "flags: mem, cmdline, mods, mmap, boot_loader_name");
    CHECK(mb_streq((const char *)mbi->cmdline, CMDLINE), "cmdline = " CMDLINE);
    x86t_puts("cmdline: ");
    x86t_puts((const char *)mbi->cmdline);
    x86t_puts("\n");
    CHECK(mb_streq((const char *)mbi->boot_loader_name, "hvsim"), "boot_loader_name = hvsim");
    CHECK(mbi->mem_lower == 640, "mem_lower = 640");

    /* the memory map against fw_cfg: RAM_SIZE and etc/e820 */
    uint64_t ram_size = 0, total = 0;
    fwcfg_read(0x03, &ram_size, 8);
    uint32_t e820_size = 0;
    uint16_t e820_key = fwcfg_find("etc/e820", &e820_size);
    CHECK(e820_key != 0, "fw_cfg has etc/e820");
    uint8_t e820[3 * 20];
    uint32_t ne = e820_size / 20 <= 3 ? e820_size / 20 : 3;
    fwcfg_read(e820_key, e820, ne * 20);
    uint32_t n = 0;
    for (uint32_t off = 0; off < mbi->mmap_length; n++) {
        const struct mb1_mmap *e = (const struct mb1_mmap *)(mbi->mmap_addr + off);
        x86t_puts("mmap ");
        x86t_puthex(e->base);
        x86t_puts(" ");
        x86t_puthex(e->len);
        x86t_puts(e->type == 1 ? " ram\n" : " other\n");
        CHECK(e->size == 20 && e->type == 1, "mmap entry size 20, type 1");
        CHECK(n < ne && mb_memeq(&e->base, e820 + 20 * n, 16), "mmap entry = fw_cfg etc/e820 entry");
        if (n == 0)
            CHECK(e->base == 0 && e->len == 0xa0000, "mmap[0] = [0, 640K)");
        if (n == 1)
            CHECK(e->base == 0x100000 && e->len == (uint64_t)mbi->mem_upper * 1024,
                  "mmap[1] from 1 MiB, mem_upper long");
        if (n == 2)
            CHECK(e->base == 0x100000000ull, "mmap[2] at 4 GiB");
        total += e->len;
        off += e->size + 4;
    }
    CHECK(n == ne && n >= 2, "mmap entries = etc/e820 entries");
    CHECK(total + 0x60000 == ram_size, "mmap RAM + the 384K hole = fw_cfg RAM_SIZE");

    CHECK(mbi->mods_count == 2, "two modules");
    const struct mb1_module *m = (const struct mb1_module *)mbi->mods_addr;
    for (uint32_t i = 0; i < 2 && i < mbi->mods_count; i++) {
        x86t_puts("module: ");
        x86t_puts((const char *)m[i].string);
        x86t_puts("\n");
        CHECK(mb_streq((const char *)m[i].string, mod_args[i]), "module string");
        CHECK(m[i].end - m[i].start == 16 && mb_memeq((const void *)m[i].start, mod_data[i], 16),
              "module contents");
        CHECK((m[i].start & 0xfff) == 0, "module page-aligned");
    }
    CHECK(m[0].start >= (uint32_t)(uintptr_t)_end, "modules after the kernel");
}


int kmain32(uint32_t magic, const struct mb1_info *mbi)
{
    x86t_puts("mb1: multiboot 1 kernel\n");
    uint32_t fl;
    __asm__ volatile("pushf; pop %0" : "=r"(fl));
    CHECK((mb_read_cr0() & 0x80000001u) == 1, "CR0.PE = 1, CR0.PG = 0");
    CHECK(!(fl & 0x200) && !(fl & 0x20000), "EFLAGS.IF = 0, VM = 0");
    CHECK(inb(0x92) & 2, "A20 on (port 0x92 bit 1)");
    check_info(magic, mbi);

    /* the legacy hole 640K-1M is not RAM: all ones, writes dropped */
    volatile uint32_t *hole = (volatile uint32_t *)0xb8000;
    *hole = 0x12345678;
    CHECK(*hole == 0xffffffffu && *(volatile uint32_t *)0xa0000 == 0xffffffffu &&
          *(volatile uint32_t *)0xffffc == 0xffffffffu, "0xa0000-0xfffff reads all ones");

    task_switch_test();
    x86t_puts("task switches: CALL/IRET and JMP through a task gate: done\n");

    uint64_t ram_size = 0;
    fwcfg_read(0x03, &ram_size, 8);
    int high = ram_size > (3ull << 30) || mbi->mmap_length > 2 * 24;
    uint32_t lm = mb_long_mode_test(high);
    uint32_t lm_want = LM_64BIT | LM_COMPAT | LM_BACK64 | LM_LEFT | (high ? LM_HIGH_RAM : 0);
    mb_put("long mode", lm);
    CHECK(lm == lm_want, "protected -> long (64-bit) -> compatibility -> 64-bit -> protected");
    if (lm == lm_want)
        x86t_puts(high ? "long mode: 64-bit, compatibility, 64-bit, RAM above 4 GiB, protected: ok\n"
                       : "long mode: 64-bit, compatibility, 64-bit, protected: ok\n");
    uint32_t rm = mb_real_mode_test();
    mb_put("real mode", rm);
    CHECK(rm == (RM_SEGOFF | RM_CS | RM_A20_WRAP | RM_A20_ON),
          "protected -> real (segment:offset, A20 wrap) -> protected");
    if (rm == 15)
        x86t_puts("real mode: segment:offset, A20 wrap off/on, back to protected: ok\n");
    CHECK((mb_read_cr0() & 0x80000001u) == 1, "protected mode again");
    if (x86t_failures) {
        x86t_puts("mb1: FAILED\n");
        return 1;
    }
    x86t_puts("mb1: all checks passed\n");
    return 0;
}
