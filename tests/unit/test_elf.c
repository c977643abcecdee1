/* ELF and raw image loading: rejection of bad files with messages naming
 * the file, and loading of a small hand-built RISC-V ELF. */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/elf.h"
#include "loader/image.h"
#include "sim/bus.h"

#define RAM_BASE 0x80000000ull
#define PAYLOAD_SIZE 8
#define BSS_SIZE 0x18

/* A minimal RISC-V executable: one PT_LOAD (8 bytes of code + 0x18 bytes of
 * bss at RAM_BASE), a .symtab with "tohost", section headers. */
struct tiny_elf {
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    uint8_t payload[PAYLOAD_SIZE];
    char strtab[16];
    Elf64_Sym syms[2];
    char shstrtab[40];
    Elf64_Shdr sh[5];
};

enum tweak { T_NONE, T_CLASS32, T_X86, T_NO_LOAD, T_TRUNC_SEG };

static void tiny_elf(struct tiny_elf *t, enum tweak tw)
{
    memset(t, 0, sizeof *t);
    memcpy(t->eh.e_ident, ELFMAG, SELFMAG);
    t->eh.e_ident[EI_CLASS] = tw == T_CLASS32 ? ELFCLASS32 : ELFCLASS64;
    t->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    t->eh.e_ident[EI_VERSION] = EV_CURRENT;
    t->eh.e_type = ET_EXEC;
    t->eh.e_machine = tw == T_X86 ? EM_X86_64 : EM_RISCV;
    t->eh.e_version = EV_CURRENT;
    t->eh.e_entry = RAM_BASE + 4;
    t->eh.e_phoff = offsetof(struct tiny_elf, ph);
    t->eh.e_shoff = offsetof(struct tiny_elf, sh);
    t->eh.e_ehsize = sizeof(Elf64_Ehdr);
    t->eh.e_phentsize = sizeof(Elf64_Phdr);
    t->eh.e_phnum = 1;
    t->eh.e_shentsize = sizeof(Elf64_Shdr);
    t->eh.e_shnum = 5;
    t->eh.e_shstrndx = 4;

    t->ph.p_type = tw == T_NO_LOAD ? PT_NOTE : PT_LOAD;
    t->ph.p_flags = PF_R | PF_X;
    t->ph.p_offset = tw == T_TRUNC_SEG ? 0x10000 : offsetof(struct tiny_elf, payload);
    t->ph.p_vaddr = t->ph.p_paddr = RAM_BASE;
    t->ph.p_filesz = PAYLOAD_SIZE;
    t->ph.p_memsz = PAYLOAD_SIZE + BSS_SIZE;
    t->ph.p_align = 4;

    for (int i = 0; i < PAYLOAD_SIZE; i++)
        t->payload[i] = (uint8_t)(0xa0 + i);
    memcpy(t->strtab, "\0tohost", 8);
    t->syms[1].st_name = 1;
    t->syms[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
    t->syms[1].st_shndx = 1;
    t->syms[1].st_value = RAM_BASE + 0x10;
    t->syms[1].st_size = 8;
    static const char shstr[] = "\0.text\0.strtab\0.symtab\0.shstrtab";
    memcpy(t->shstrtab, shstr, sizeof shstr);

    t->sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_PROGBITS,
                             .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_addr = RAM_BASE,
                             .sh_offset = offsetof(struct tiny_elf, payload),
                             .sh_size = PAYLOAD_SIZE, .sh_addralign = 4 };
    t->sh[2] = (Elf64_Shdr){ .sh_name = 7, .sh_type = SHT_STRTAB,
                             .sh_offset = offsetof(struct tiny_elf, strtab),
                             .sh_size = sizeof t->strtab, .sh_addralign = 1 };
    t->sh[3] = (Elf64_Shdr){ .sh_name = 15, .sh_type = SHT_SYMTAB,
                             .sh_offset = offsetof(struct tiny_elf, syms),
                             .sh_size = sizeof t->syms, .sh_link = 2, .sh_info = 1,
                             .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
    t->sh[4] = (Elf64_Shdr){ .sh_name = 23, .sh_type = SHT_STRTAB,
                             .sh_offset = offsetof(struct tiny_elf, shstrtab),
                             .sh_size = sizeof t->shstrtab, .sh_addralign = 1 };
}

/* Writes len bytes to a fresh temporary file; path receives its name. */
static void write_tmp(char path[64], const void *data, size_t len)
{
    snprintf(path, 64, "/tmp/hvsim-test-elf-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void write_tiny(char path[64], enum tweak tw, size_t len)
{
    struct tiny_elf t;
    tiny_elf(&t, tw);
    write_tmp(path, &t, len ? len : sizeof t);
}

/* elf_open must fail with a message containing the path and `what`. */
static void expect_reject(const char *path, const char *what)
{
    char err[512] = "";
    struct elf_image *e = elf_open(path, NULL, err, sizeof err);
    ck_assert_msg(e == NULL, "%s accepted", path);
    ck_assert_msg(strstr(err, path) != NULL, "message does not name the file: %s", err);
    ck_assert_msg(strstr(err, what) != NULL, "expected '%s' in: %s", what, err);
}

START_TEST(rejects_missing_file)
{
    expect_reject("/nonexistent/hvsim/fw.elf", "No such file");
    ck_assert(!elf_is_elf("/nonexistent/hvsim/fw.elf"));
}
END_TEST

START_TEST(rejects_garbage)
{
    char path[64];
    char junk[300];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 73 + 5);
    write_tmp(path, junk, sizeof junk);
    ck_assert(!elf_is_elf(path));
    expect_reject(path, "not an ELF");
    unlink(path);

    write_tmp(path, "", 0); /* empty */
    expect_reject(path, "not an ELF");
    unlink(path);

    write_tmp(path, ELFMAG, SELFMAG); /* just the magic */
    ck_assert(elf_is_elf(path));
    expect_reject(path, "truncated");
    unlink(path);
}
END_TEST

START_TEST(rejects_truncated)
{
    char path[64];
    /* header only: program headers beyond the end */
    write_tiny(path, T_NONE, sizeof(Elf64_Ehdr) + 10);
    expect_reject(path, "truncated");
    unlink(path);
    /* a segment whose bytes lie beyond the end of the file */
    write_tiny(path, T_TRUNC_SEG, 0);
    expect_reject(path, "truncated");
    expect_reject(path, "segment 0");
    unlink(path);
    /* half an ELF header */
    write_tiny(path, T_NONE, 40);
    expect_reject(path, "truncated");
    unlink(path);
}
END_TEST

START_TEST(rejects_wrong_kind)
{
    /* the host's own executable is an ELF, but not RISC-V */
    ck_assert(elf_is_elf("/bin/true"));
    expect_reject("/bin/true", "not a RISC-V ELF");

    char path[64];
    write_tiny(path, T_X86, 0);
    expect_reject(path, "not a RISC-V ELF");
    unlink(path);
    write_tiny(path, T_CLASS32, 0);
    expect_reject(path, "64-bit");
    unlink(path);
    write_tiny(path, T_NO_LOAD, 0);
    expect_reject(path, "no PT_LOAD");
    unlink(path);
}
END_TEST

START_TEST(opens_tiny_riscv_elf)
{
    char path[64], err[512] = "";
    write_tiny(path, T_NONE, 0);
    ck_assert(elf_is_elf(path));
    struct elf_image *e = elf_open(path, NULL, err, sizeof err);
    ck_assert_msg(e != NULL, "%s", err);
    ck_assert_uint_eq(elf_entry(e), RAM_BASE + 4);
    ck_assert_str_eq(elf_path(e), path);
    uint64_t v = 0;
    ck_assert(elf_symbol(e, "tohost", &v));
    ck_assert_uint_eq(v, RAM_BASE + 0x10);
    ck_assert(!elf_symbol(e, "fromhost", &v));
    ck_assert(!elf_symbol(e, "", &v));
    elf_close(e);
    unlink(path);
}
END_TEST

START_TEST(loads_segments)
{
    char path[64], err[512] = "";
    write_tiny(path, T_NONE, 0);
    struct bus b;
    bus_init(&b);
    ck_assert_ptr_nonnull(bus_add_mem(&b, "ram", RAM_BASE, 0x1000, false, err, sizeof err));
    uint8_t ff[0x40];
    memset(ff, 0xff, sizeof ff);
    ck_assert(bus_load(&b, RAM_BASE, ff, sizeof ff));

    uint64_t entry = 0;
    struct elf_image *e = NULL;
    ck_assert_msg(image_load(&b, path, NULL, 0x80000800, &entry, &e, err, sizeof err), "%s", err);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(entry, RAM_BASE + 4);
    const uint8_t *p = bus_host_ptr(&b, RAM_BASE, 0x40);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < PAYLOAD_SIZE; i++)
        ck_assert_uint_eq(p[i], 0xa0 + i);
    for (int i = PAYLOAD_SIZE; i < PAYLOAD_SIZE + BSS_SIZE; i++)
        ck_assert_uint_eq(p[i], 0); /* memsz - filesz zero-filled */
    ck_assert_uint_eq(p[PAYLOAD_SIZE + BSS_SIZE], 0xff); /* beyond memsz untouched */
    elf_close(e);
    bus_free(&b);

    /* RAM elsewhere: the error names the file, the segment and its address */
    bus_init(&b);
    ck_assert_ptr_nonnull(bus_add_mem(&b, "ram", 0x40000000, 0x1000, false, err, sizeof err));
    ck_assert(!image_load(&b, path, NULL, 0x40000000, &entry, NULL, err, sizeof err));
    ck_assert_msg(strstr(err, path) && strstr(err, "segment 0") && strstr(err, "0x80000000"),
                  "%s", err);
    bus_free(&b);
    unlink(path);
}
END_TEST

/* A multiboot-style kernel: ELF32 i386, one PT_LOAD at 1 MiB. The x86 PC
 * board's list takes it (32-bit program headers), the RISC-V one names
 * what it wants. */
struct tiny_elf32 {
    Elf32_Ehdr eh;
    Elf32_Phdr ph;
    uint8_t payload[PAYLOAD_SIZE];
};

START_TEST(board_lists_pick_machines)
{
    static const struct elf_machine pc[] = { { EM_X86_64, 64, "x86-64" }, { EM_386, 32, "i386" },
                                             { 0, 0, NULL } };
    struct tiny_elf32 t;
    memset(&t, 0, sizeof t);
    memcpy(t.eh.e_ident, ELFMAG, SELFMAG);
    t.eh.e_ident[EI_CLASS] = ELFCLASS32;
    t.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    t.eh.e_ident[EI_VERSION] = EV_CURRENT;
    t.eh.e_type = ET_EXEC;
    t.eh.e_machine = EM_386;
    t.eh.e_version = EV_CURRENT;
    t.eh.e_entry = 0x100004;
    t.eh.e_phoff = offsetof(struct tiny_elf32, ph);
    t.eh.e_ehsize = sizeof(Elf32_Ehdr);
    t.eh.e_phentsize = sizeof(Elf32_Phdr);
    t.eh.e_phnum = 1;
    t.ph = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = offsetof(struct tiny_elf32, payload),
                         .p_vaddr = 0x100000, .p_paddr = 0x100000, .p_filesz = PAYLOAD_SIZE,
                         .p_memsz = PAYLOAD_SIZE, .p_flags = PF_R | PF_X, .p_align = 4 };
    for (int i = 0; i < PAYLOAD_SIZE; i++)
        t.payload[i] = (uint8_t)(0x90 + i);
    char path[64], err[512] = "";
    write_tmp(path, &t, sizeof t);

    struct bus b;
    bus_init(&b);
    ck_assert_ptr_nonnull(bus_add_mem(&b, "ram", 0, 0x200000, false, err, sizeof err));
    uint64_t entry = 0;
    ck_assert_msg(image_load(&b, path, pc, 0, &entry, NULL, err, sizeof err), "%s", err);
    ck_assert_uint_eq(entry, 0x100004);
    const uint8_t *p = bus_host_ptr(&b, 0x100000, PAYLOAD_SIZE);
    for (int i = 0; i < PAYLOAD_SIZE; i++)
        ck_assert_uint_eq(p[i], 0x90 + i);
    bus_free(&b);

    /* the RISC-V board's list (the default) refuses it, naming both */
    struct elf_image *e = elf_open(path, NULL, err, sizeof err);
    ck_assert_ptr_null(e);
    ck_assert_msg(strstr(err, "not a RISC-V ELF file (e_machine 3, i386)"), "%s", err);
    unlink(path);

    /* a 64-bit RISC-V file on the PC board: "not an x86-64 or i386 ELF" */
    write_tiny(path, T_NONE, 0);
    e = elf_open(path, pc, err, sizeof err);
    ck_assert_ptr_null(e);
    ck_assert_msg(strstr(err, "not an x86-64 or i386 ELF file"), "%s", err);
    unlink(path);

    /* an i386 machine number in a 64-bit file: the class is named */
    struct tiny_elf t64;
    tiny_elf(&t64, T_NONE);
    t64.eh.e_machine = EM_386;
    write_tmp(path, &t64, sizeof t64);
    e = elf_open(path, pc, err, sizeof err);
    ck_assert_ptr_null(e);
    ck_assert_msg(strstr(err, "not a 32-bit ELF file (ELFCLASS64)"), "%s", err);
    unlink(path);
}
END_TEST

START_TEST(loads_raw_images)
{
    char path[64], err[512] = "";
    uint8_t data[100];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i + 1);
    write_tmp(path, data, sizeof data);
    struct bus b;
    bus_init(&b);
    ck_assert_ptr_nonnull(bus_add_mem(&b, "ram", RAM_BASE, 0x1000, false, err, sizeof err));

    uint64_t entry = 0;
    struct elf_image *e = (struct elf_image *)&b; /* must be reset to NULL */
    ck_assert_msg(image_load(&b, path, NULL, RAM_BASE + 0x100, &entry, &e, err, sizeof err), "%s", err);
    ck_assert_ptr_null(e);
    ck_assert_uint_eq(entry, RAM_BASE + 0x100);
    ck_assert_int_eq(memcmp(bus_host_ptr(&b, RAM_BASE + 0x100, sizeof data), data, sizeof data), 0);

    uint64_t size = 0;
    ck_assert(image_load_raw(&b, path, RAM_BASE, &size, err, sizeof err));
    ck_assert_uint_eq(size, sizeof data);
    /* does not fit: crosses the end of RAM */
    ck_assert(!image_load_raw(&b, path, RAM_BASE + 0x1000 - 10, NULL, err, sizeof err));
    ck_assert_msg(strstr(err, path) != NULL, "%s", err);
    unlink(path);

    write_tmp(path, "", 0);
    ck_assert(!image_load_raw(&b, path, RAM_BASE, NULL, err, sizeof err));
    ck_assert_msg(strstr(err, path) && strstr(err, "empty"), "%s", err);
    unlink(path);

    ck_assert(!image_load(&b, "/nonexistent/hvsim/Image", NULL, RAM_BASE, &entry, NULL, err, sizeof err));
    ck_assert_msg(strstr(err, "/nonexistent/hvsim/Image") != NULL, "%s", err);
    ck_assert(!image_load_raw(&b, "/tmp", RAM_BASE, NULL, err, sizeof err));
    ck_assert_msg(strstr(err, "/tmp") && strstr(err, "regular"), "%s", err);
    bus_free(&b);
}
END_TEST

Suite *elf_suite(void)
{
    Suite *s = suite_create("elf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rejects_missing_file);
    tcase_add_test(tc, rejects_garbage);
    tcase_add_test(tc, rejects_truncated);
    tcase_add_test(tc, rejects_wrong_kind);
    tcase_add_test(tc, opens_tiny_riscv_elf);
    tcase_add_test(tc, loads_segments);
    tcase_add_test(tc, loads_raw_images);
    tcase_add_test(tc, board_lists_pick_machines);
    suite_add_tcase(s, tc);
    return s;
}
