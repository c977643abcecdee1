/* hvsim command line: `hvsim run [options]`, `hvsim --help`, `hvsim --version`.
 * Host-side mistakes print one message naming the option/file/value and
 * exit with status 2 (EXIT_HOST_ERROR). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/arch.h"
#include "sim/board.h"
#include "sim/config.h"
#include "sim/machine.h"
#include "devices/pcap.h"
#include "trace/record.h"
#include "trace/replay.h"
#include "trace/tools.h"
#include "gdbstub/gdbstub.h"
#include "view/live.h"
#include "devices/framebuffer.h"

enum opt_id {
    OPT_CONFIG = 'c',
    OPT_HELP = 'h',
    OPT_SMP = 256,
    OPT_MEM,
    OPT_BIOS,
    OPT_KERNEL,
    OPT_INITRD,
    OPT_APPEND,
    OPT_DTB,
    OPT_DUMP_DTB,
    OPT_MAX_INSNS,
    OPT_QUANTUM,
    OPT_SCHED_SEED,
    OPT_SERIAL,
    OPT_TRACE,
    OPT_EVENTS,
    OPT_CHECK_INTERVAL,
    OPT_GDB,
    OPT_GDB_WAIT,
    OPT_MACHINE,
    OPT_MODULE,
    OPT_IPI_LATENCY,
    OPT_STALL,
    OPT_SKEW,
    OPT_STRATEGY,
    OPT_DUMP_ACPI,
    OPT_ENGINE,
    OPT_DRIVE,
    OPT_VIRTIO_RNG,
    OPT_RTC,
    OPT_VIRTIO_CONSOLE,
    OPT_NET,
    OPT_AIA,
    OPT_PCAP,
    OPT_ISA,
    OPT_DISPLAY,
    OPT_FRAMEBUFFER,
    OPT_VGA,
    OPT_SCREENSHOT,
};

struct opt_desc {
    const char *name;
    int id;          /* getopt value; a printable char doubles as short option */
    const char *arg; /* metavar; NULL = no argument */
    const char *help;
};

/* The options of `hvsim run`: drives both getopt_long and the help text. */
static const struct opt_desc run_opts[] = {
    { "machine", OPT_MACHINE, "NAME", "built-in machine: riscv-virt (the default; also 'virt') or x86-pc" },
    { "config", OPT_CONFIG, "FILE", "machine configuration (default: --machine's built-in one)" },
    { "smp", OPT_SMP, "N", "number of harts (1..64)" },
    { "mem", OPT_MEM, "SIZE", "RAM size, e.g. 256M, 1G (multiple of 4K)" },
    { "bios", OPT_BIOS, "FILE", "firmware (ELF or raw at [load] bios), entered from the boot ROM" },
    { "kernel", OPT_KERNEL, "FILE", "kernel image (ELF or raw at [load] kernel; x86-pc: also bzImage, multiboot)" },
    { "initrd", OPT_INITRD, "FILE", "initial ramdisk (/chosen; x86-pc: bzImage initrd, multiboot module 1)" },
    { "module", OPT_MODULE, "FILE[,ARGS]", "x86-pc: a multiboot module with its string (repeatable)" },
    { "append", OPT_APPEND, "STR", "kernel command line (/chosen bootargs; multiboot cmdline)" },
    { "dtb", OPT_DTB, "FILE", "use this device tree blob instead of the generated one" },
    { "drive", OPT_DRIVE, "FILE[,ro][,snapshot]", "riscv-virt: a virtio-blk disk (repeatable, 4; docs/virtio.md)" },
    { "virtio-rng", OPT_VIRTIO_RNG, NULL, "riscv-virt: a virtio entropy device (bytes from --sched-seed)" },
    { "virtio-console", OPT_VIRTIO_CONSOLE, NULL, "riscv-virt: a virtio console on the same host console as the UART" },
    { "net", OPT_NET, "WIRE", "riscv-virt: a virtio-net card on WIRE: loopback (frames come back), sink, or pcap:FILE (sink + --pcap FILE)" },
    { "pcap", OPT_PCAP, "FILE", "write every network frame sent and received to FILE (pcap, virtual time)" },
    { "aia", OPT_AIA, "MODE[,guests=N]", "riscv-virt: none, imsic (beside the PLIC), aplic, aplic-imsic; N guest files (docs/riscv.md)" },
    { "rtc", OPT_RTC, "EPOCH", "riscv-virt: goldfish RTC reading EPOCH (s since 1970) + virtual time" },
    { "dump-dtb", OPT_DUMP_DTB, "FILE", "write the machine's device tree blob to FILE and exit" },
    { "dump-acpi", OPT_DUMP_ACPI, "DIR", "x86-pc: write the ACPI tables to DIR/*.dat (iasl -d) and exit" },
    { "max-insns", OPT_MAX_INSNS, "N", "stop after N instructions in total (0 = no limit)" },
    { "quantum", OPT_QUANTUM, "N", "instructions per scheduling slot (>= 1)" },
    { "engine", OPT_ENGINE, "E", "fast (compiled blocks, the default) or interp (the reference); same trace" },
    { "isa", OPT_ISA, "STRING", "riscv-virt: [cpu] isa, e.g. rv64imafdch_..._zicond_zbc (docs/riscv.md)" },
    { "sched-seed", OPT_SCHED_SEED, "S", "seed for a varied, repeatable interleaving (0 = fixed)" },
    { "ipi-latency", OPT_IPI_LATENCY, "MIN..MAX", "interrupt delivery latency between CPUs, virtual ns (docs/explore.md)" },
    { "stall", OPT_STALL, "P:MAX", "a CPU stalls up to MAX virtual ns, probability P per round" },
    { "skew", OPT_SKEW, "PCT", "CPUs retire at drawn rates of 100-PCT..100 % (0..90)" },
    { "strategy", OPT_STRATEGY, "S", "schedule: random (default) or pct:D (PCT, D change points)" },
    { "serial", OPT_SERIAL, "SPEC", "UART output: stdio (default), none or file:PATH" },
    { "trace", OPT_TRACE, "FILE", "record the timeline into FILE (.hvt) for replay and tools" },
    { "events", OPT_EVENTS, "LIST", "kinds to record: ipi,irq,timer,wfi,sbi,vm,mmio,exc,check,..." },
    { "check-interval", OPT_CHECK_INTERVAL, "N", "state-hash check record every N instructions" },
    { "gdb", OPT_GDB, "PORT", "gdb remote stub on 127.0.0.1:PORT (threads = harts)" },
    { "gdb-wait", OPT_GDB_WAIT, NULL, "with --gdb: stay at reset until gdb attaches" },
    { "display", OPT_DISPLAY, "D", "none (default) or sdl[,paused][,hold]: the timeline live in a window (docs/view.md)" },
    { "framebuffer", OPT_FRAMEBUFFER, "WxH", "riscv-virt: a simple-framebuffer of W x H pixels at the top of RAM (docs/riscv.md)" },
    { "vga", OPT_VGA, NULL, "x86-pc: VGA text mode at 0xb8000 and its ports; --vga lfb=WxHxBPP: also a linear framebuffer (docs/x86.md)" },
    { "screenshot", OPT_SCREENSHOT, "FILE", "at the end, the guest screen to FILE (.png, else PPM; docs/view.md)" },
    { "help", OPT_HELP, NULL, "show this help and exit" },
};
#define N_RUN_OPTS (sizeof run_opts / sizeof run_opts[0])

static void print_usage(FILE *f)
{
    fputs("Usage: hvsim run [options]\n"
          "       hvsim replay FILE.hvt [--serial SPEC]\n"
          "       hvsim trace show|diff|stats|export|view ...\n"
          "       hvsim explore --seeds A..B [--jobs N] -- RUN-OPTIONS\n"
          "       hvsim --help | --version\n",
          f);
}

/* The one help text: commands, every option of `run`, exit statuses. */
static void print_help(FILE *f)
{
    print_usage(f);
    fputs("\nA deterministic multi-core RISC-V and x86_64 full-system simulator.\n"
          "\nCommands:\n"
          "  run             build the machine from its configuration and run it\n"
          "  replay FILE     rebuild the run recorded in FILE, replay its input, compare\n"
          "                  (exit 0 identical, 1 diverged: first difference explained)\n"
          "  trace show FILE [--events K] [--hart N] [--from T] [--to T]\n"
          "                  [--no-disasm] [--syntax intel|att] (x86 traces; default intel)\n"
          "  trace diff A B [--ignore KINDS] [--context N]\n"
          "  trace stats FILE\n"
          "  trace export FILE --format perfetto|chrome|vcd -o OUT\n"
          "  trace export FILE --format png -o OUT.png [--from T] [--to T] [--width W]\n"
          "  trace view FILE [--from T] [--to T] [--hide KINDS] [--vm ID] [--script C]\n"
          "                  [--screenshot OUT.bmp] [--measure N]: SDL2 timeline window\n"
          "                  (docs/view.md; `hvsim trace view --help` for keys)\n"
          "  explore --seeds A..B [--jobs N] [--shard I/N] [--keep DIR] -- RUN-OPTIONS\n"
          "\nOptions of run:\n",
          f);
    for (size_t i = 0; i < N_RUN_OPTS; i++) {
        const struct opt_desc *o = &run_opts[i];
        char left[56];
        bool has_short = o->id < 256;
        snprintf(left, sizeof left, "%c%c%s--%s%s%s", has_short ? '-' : ' ',
                 has_short ? (char)o->id : ' ', has_short ? ", " : "  ", o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-28s %s\n", left, o->help);
    }
    fputs("\nWithout a command:\n"
          "  -h, --help               show this help and exit\n"
          "      --version            show the version and exit\n"
          "\nExit status of run:\n"
          "  0  guest powered off with success (sifive_test pass, HTIF exit 0)\n"
          "  1  guest reported failure\n"
          "  2  host-side error (options, files, configuration)\n"
          "  3  --max-insns reached first\n",
          f);
}

/* The built-in machines (--machine NAME): configs/NAME.ini embedded by
 * scripts/embed.sh (Makefile: gen/default_config.c). */
extern const char config_x86_pc_ini[];
static const struct {
    const char *name, *arch, *ini;
} machines[] = {
    { "riscv-virt", "riscv64", config_default_ini },
    { "x86-pc", "x86_64", config_x86_pc_ini },
};
#define N_MACHINES (sizeof machines / sizeof machines[0])

#define MODULES_MAX 1023 /* [load] modules of the x86-pc board */

struct run_args {
    const char *config_file;
    int machine;     /* index into machines[]; -1: none given */
    char modules[MODULES_MAX + 1]; /* --module values joined by '|' */
    char drives[MODULES_MAX + 1];  /* --drive values joined by '|' */
    bool virtio_rng, virtio_console;
    const char *net, *pcap;
    char aia[16], aia_guests[8];
    const char *rtc;
    const char *framebuffer;  /* --framebuffer WxH: [framebuffer] size */
    bool vga;                 /* --vga: [vga] text = on */
    const char *vga_lfb;      /* --vga lfb=WxHxBPP: [vga] lfb = WxHxBPP */
    const char *screenshot;   /* --screenshot FILE */
    const char *dump_dtb;
    const char *dump_acpi;
    const char *serial;
    uint64_t max_insns;
    /* overrides, applied on top of the configuration */
    bool has_smp, has_mem, has_quantum, has_seed;
    uint64_t smp, mem, quantum, seed;
    const char *bios, *kernel, *initrd, *dtb, *append;
    const char *trace;
    uint64_t events, check_interval;
    uint64_t gdb_port;
    bool gdb_wait;
    bool interp;              /* --engine interp */
    const char *isa;          /* --isa: [cpu] isa of the configuration */
    bool display;             /* --display sdl[,paused][,hold] */
    unsigned display_flags;
    struct perturb_cfg pert;  /* --ipi-latency, --stall, --skew, --strategy */
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A command-line mistake: the message, a pointer to the help, status 2. */
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hvsim: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'hvsim run --help' for more information.\n", stderr);
    return EXIT_HOST_ERROR;
}

/* Copies a path/string option into its config field; only --append may be
 * empty (it clears bootargs set by the configuration). */
static bool set_str(char *dst, size_t dstlen, const char *opt, const char *val)
{
    if (!val)
        return true;
    size_t n = strlen(val);
    if (n == 0 && strcmp(opt, "append") != 0) {
        fprintf(stderr, "hvsim: --%s: empty value\n", opt);
        return false;
    }
    if (n >= dstlen) {
        fprintf(stderr, "hvsim: --%s: value too long (at most %zu characters)\n", opt,
                dstlen - 1);
        return false;
    }
    memcpy(dst, val, n + 1);
    return true;
}

static bool serial_spec_ok(const char *s)
{
    return strcmp(s, "stdio") == 0 || strcmp(s, "none") == 0 ||
           (strncmp(s, "file:", 5) == 0 && s[5] != '\0');
}

/* Parses the options of `run` into *a; returns -1 to go on, else an exit
 * status (0 after --help). */
/* QEMU's options, which users coming from `qemu-system-riscv64 -M virt`
 * type first: hvsim's equivalent, named in the error (docs/virtio.md
 * "Coming from QEMU"). Only whole arguments in option position are looked
 * up, so values that start with '-' are never mistaken for them. */
static const struct { const char *qemu, *hvsim; } qemu_opts[] = {
    { "-M", "--machine riscv-virt (the default; QEMU's aia=MODE is --aia MODE)" },
    { "-machine", "--machine riscv-virt (the default; QEMU's aia=MODE is --aia MODE)" },
    { "-m", "--mem SIZE" },
    { "-smp", "--smp N" },
    { "-cpu", "--isa STRING (the extensions; H is always there: docs/riscv.md)" },
    { "-bios", "--bios FILE (default: Debian's OpenSBI fw_jump.elf, or none)" },
    { "-kernel", "--kernel FILE" },
    { "-append", "--append STR" },
    { "-initrd", "--initrd FILE" },
    { "-dtb", "--dtb FILE" },
    { "-drive", "--drive FILE[,ro][,snapshot] (a virtio-blk disk)" },
    { "-device", "--drive FILE (virtio-blk-device), --virtio-rng, --virtio-console, --net loopback|sink (virtio-net-device)" },
    { "-netdev", "--net loopback|sink and --pcap FILE (there is no host network)" },
    { "-nic", "--net loopback|sink and --pcap FILE (there is no host network)" },
    { "-nographic", "nothing: the UART is on stdio by default (--serial)" },
    { "-serial", "--serial stdio|none|file:PATH" },
    { "-s", "--gdb PORT (QEMU's -s is --gdb 1234)" },
    { "-S", "--gdb-wait (with --gdb PORT)" },
    { "-gdb", "--gdb PORT" },
    { "-icount", "nothing: virtual time is always counted in instructions ([machine] cpu-hz)" },
    { "-rtc", "--rtc EPOCH (seconds since 1970)" },
    { "-fw_cfg", "[fw-cfg] mmio = on in a -c config file (docs/riscv.md \"fw_cfg\")" },
    { "-display", "--display none|sdl (the timeline) or --framebuffer WxH (the guest screen)" },
    { "-no-reboot", "nothing: a reset request ends the run" },
    { "-monitor", "nothing: hvsim has no monitor (gdb: --gdb PORT)" },
    { "-d", "--trace FILE.hvt (the timeline; docs/trace-format.md)" },
};

/* A QEMU option in option position: the usage error naming hvsim's; -1 if
 * there is none. */
static int qemu_option_hint(int argc, char **argv, const struct option *longopts)
{
    for (int i = 1; i < argc; i++) {
        const char *t = argv[i];
        if (strcmp(t, "--") == 0)
            return -1;
        if (strncmp(t, "--", 2) == 0) { /* skip the value of --opt VALUE */
            size_t n = strcspn(t + 2, "=");
            for (const struct option *o = longopts; o->name; o++)
                if (strlen(o->name) == n && strncmp(o->name, t + 2, n) == 0 &&
                    o->has_arg == required_argument && !t[2 + n])
                    i++;
            continue;
        }
        if (strcmp(t, "-c") == 0) {
            i++;
            continue;
        }
        if (t[0] != '-')
            continue;
        for (size_t k = 0; k < sizeof qemu_opts / sizeof qemu_opts[0]; k++)
            if (strcmp(t, qemu_opts[k].qemu) == 0)
                return usage_error("'%s' is a QEMU option; hvsim's options are GNU-style: %s",
                                   t, qemu_opts[k].hvsim);
    }
    return -1;
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
    struct option longopts[N_RUN_OPTS + 1];
    char shortopts[2 * N_RUN_OPTS + 2];
    size_t ns = 0;
    shortopts[ns++] = ':'; /* report missing arguments as ':' */
    for (size_t i = 0; i < N_RUN_OPTS; i++) {
        longopts[i] = (struct option){ run_opts[i].name,
                                       run_opts[i].arg ? required_argument :
                                       run_opts[i].id == OPT_VGA ? optional_argument : no_argument,
                                       NULL, run_opts[i].id };
        if (run_opts[i].id < 256) {
            shortopts[ns++] = (char)run_opts[i].id;
            if (run_opts[i].arg)
                shortopts[ns++] = ':';
        }
    }
    longopts[N_RUN_OPTS] = (struct option){ 0, 0, 0, 0 };
    shortopts[ns] = '\0';

    int hint = qemu_option_hint(argc, argv, longopts);
    if (hint >= 0)
        return hint;
    opterr = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const char *v = optarg;
        switch (ch) {
        case OPT_HELP:
            print_help(stdout);
            return 0;
        case OPT_CONFIG: a->config_file = v; break;
        case OPT_MACHINE:
            a->machine = -1;
            for (size_t i = 0; i < N_MACHINES; i++)
                if (strcmp(v, machines[i].name) == 0 ||
                    (strcmp(v, "virt") == 0 && strcmp(machines[i].name, "riscv-virt") == 0))
                    a->machine = (int)i; /* "virt": QEMU's name of the board */
            if (a->machine < 0)
                return usage_error("--machine: unknown machine '%s' (riscv-virt, x86-pc)", v);
            break;
        case OPT_MODULE: {
            /* '|' joins modules in [load] modules; ';' would start an INI comment */
            size_t used = strlen(a->modules);
            if (!*v || *v == ',' || strpbrk(v, "|;\n")) {
                fprintf(stderr, "hvsim: --module: '%s' is not FILE[,ARGS] (no '|', ';' or "
                        "newline)\n", v);
                return EXIT_HOST_ERROR;
            }
            if (used + (used ? 1 : 0) + strlen(v) > MODULES_MAX) {
                fprintf(stderr, "hvsim: --module: the modules take more than %d characters\n",
                        MODULES_MAX);
                return EXIT_HOST_ERROR;
            }
            if (used)
                a->modules[used++] = '|';
            memcpy(a->modules + used, v, strlen(v) + 1);
            break;
        }
        case OPT_DRIVE: {
            size_t used = strlen(a->drives);
            if (!*v || *v == ',' || strpbrk(v, "|;\n")) {
                fprintf(stderr, "hvsim: --drive: '%s' is not FILE[,ro][,snapshot] (no '|', ';' "
                        "or newline)\n", v);
                return EXIT_HOST_ERROR;
            }
            if (used + (used ? 1 : 0) + strlen(v) > MODULES_MAX) {
                fprintf(stderr, "hvsim: --drive: the drives take more than %d characters\n",
                        MODULES_MAX);
                return EXIT_HOST_ERROR;
            }
            if (used)
                a->drives[used++] = '|';
            memcpy(a->drives + used, v, strlen(v) + 1);
            break;
        }
        case OPT_VIRTIO_RNG: a->virtio_rng = true; break;
        case OPT_FRAMEBUFFER: {
            uint32_t w, h;
            if (!fb_parse_size(v, &w, &h))
                return usage_error("--framebuffer: '%s' is not WxH (1..4096 each, e.g. 640x480)", v);
            a->framebuffer = v;
            break;
        }
        case OPT_VGA: /* --vga, --vga lfb=WxHxBPP or --vga=lfb=WxHxBPP */
            a->vga = true;
            if (!optarg && optind < argc && strncmp(argv[optind], "lfb=", 4) == 0)
                optarg = argv[optind++];
            if (optarg && strncmp(optarg, "lfb=", 4) != 0) {
                fprintf(stderr, "hvsim: --vga %s: expected lfb=WxHxBPP (or no value)\n", optarg);
                return EXIT_HOST_ERROR;
            }
            if (optarg)
                a->vga_lfb = optarg + 4;
            break;
        case OPT_SCREENSHOT: a->screenshot = v; break;
        case OPT_VIRTIO_CONSOLE: a->virtio_console = true; break;
        case OPT_NET:
            /* pcap:FILE (the spelling) = a sink wire captured to FILE */
            if (strncmp(v, "pcap:", 5) == 0) {
                if (!v[5])
                    return usage_error("--net pcap:FILE: missing FILE");
                if (a->pcap && strcmp(a->pcap, v + 5) != 0)
                    return usage_error("--net %s and --pcap %s: two capture files", v, a->pcap);
                a->net = "sink";
                a->pcap = v + 5;
            } else {
                a->net = v;
            }
            break;
        case OPT_AIA: {
            const char *comma = strchr(v, ',');
            size_t n = comma ? (size_t)(comma - v) : strlen(v);
            if (n == 0 || n >= sizeof a->aia ||
                (comma && (strncmp(comma, ",guests=", 8) != 0 || strlen(comma + 8) != 1))) {
                fprintf(stderr, "hvsim: --aia: '%s' is not MODE[,guests=N] (N 0..7)\n", v);
                return EXIT_HOST_ERROR;
            }
            memcpy(a->aia, v, n);
            a->aia[n] = 0;
            snprintf(a->aia_guests, sizeof a->aia_guests, "%s", comma ? comma + 8 : "");
            break;
        }
        case OPT_PCAP:
            if (a->pcap && strcmp(a->pcap, v) != 0)
                return usage_error("--pcap %s and --net pcap:%s: two capture files", v, a->pcap);
            a->pcap = v;
            break;
        case OPT_RTC: {
            uint64_t e;
            if (!config_parse_u64(v, &e)) {
                fprintf(stderr, "hvsim: --rtc: '%s' is not a number of seconds since 1970\n", v);
                return EXIT_HOST_ERROR;
            }
            a->rtc = v;
            break;
        }
        case OPT_SMP:
            if (!config_parse_u64(v, &a->smp)) {
                fprintf(stderr, "hvsim: --smp: '%s' is not a number (1..%d)\n", v,
                        CONFIG_MAX_CPUS);
                return EXIT_HOST_ERROR;
            }
            if (a->smp < 1 || a->smp > CONFIG_MAX_CPUS) {
                fprintf(stderr, "hvsim: --smp %s: out of range, a machine has 1..%d CPUs\n", v,
                        CONFIG_MAX_CPUS);
                return EXIT_HOST_ERROR;
            }
            a->has_smp = true;
            break;
        case OPT_MEM:
            if (!config_parse_size(v, &a->mem) || a->mem == 0 || (a->mem & 0xfff)) {
                fprintf(stderr,
                        "hvsim: --mem: '%s' is not a size (a non-zero multiple of 4K, "
                        "e.g. 256M, 1G)\n",
                        v);
                return EXIT_HOST_ERROR;
            }
            a->has_mem = true;
            break;
        case OPT_BIOS: a->bios = v; break;
        case OPT_KERNEL: a->kernel = v; break;
        case OPT_INITRD: a->initrd = v; break;
        case OPT_APPEND: a->append = v; break;
        case OPT_DTB: a->dtb = v; break;
        case OPT_DUMP_DTB:
            if (!*v) {
                fprintf(stderr, "hvsim: --dump-dtb: empty file name\n");
                return EXIT_HOST_ERROR;
            }
            a->dump_dtb = v;
            break;
        case OPT_DUMP_ACPI:
            if (!*v) {
                fprintf(stderr, "hvsim: --dump-acpi: empty directory name\n");
                return EXIT_HOST_ERROR;
            }
            a->dump_acpi = v;
            break;
        case OPT_MAX_INSNS:
            if (!config_parse_u64(v, &a->max_insns)) {
                fprintf(stderr, "hvsim: --max-insns: '%s' is not a number (0 = no limit)\n", v);
                return EXIT_HOST_ERROR;
            }
            break;
        case OPT_QUANTUM:
            if (!config_parse_u64(v, &a->quantum) || a->quantum == 0) {
                fprintf(stderr, "hvsim: --quantum: '%s' is not a number (>= 1)\n", v);
                return EXIT_HOST_ERROR;
            }
            a->has_quantum = true;
            break;
        case OPT_SCHED_SEED:
            if (!config_parse_u64(v, &a->seed)) {
                fprintf(stderr, "hvsim: --sched-seed: '%s' is not a number (0..2^64-1)\n", v);
                return EXIT_HOST_ERROR;
            }
            a->has_seed = true;
            break;
        case OPT_SERIAL:
            if (!serial_spec_ok(v)) {
                fprintf(stderr, "hvsim: --serial: '%s' is not stdio, none or file:PATH\n", v);
                return EXIT_HOST_ERROR;
            }
            a->serial = v;
            break;
        case OPT_TRACE:
            if (!*v) {
                fprintf(stderr, "hvsim: --trace: empty file name\n");
                return EXIT_HOST_ERROR;
            }
            a->trace = v;
            break;
        case OPT_EVENTS: {
            char err[256];
            if (!trace_parse_events(v, &a->events, err, sizeof err)) {
                fprintf(stderr, "hvsim: %s\n", err);
                return EXIT_HOST_ERROR;
            }
            break;
        }
        case OPT_GDB:
            if (!config_parse_u64(v, &a->gdb_port) || a->gdb_port == 0 || a->gdb_port > 65535) {
                fprintf(stderr, "hvsim: --gdb: '%s' is not a TCP port (1..65535)\n", v);
                return EXIT_HOST_ERROR;
            }
            break;
        case OPT_GDB_WAIT:
            a->gdb_wait = true;
            break;
        case OPT_ENGINE:
            if (strcmp(v, "interp") != 0 && strcmp(v, "fast") != 0)
                return usage_error("--engine: '%s' is not interp or fast", v);
            a->interp = strcmp(v, "interp") == 0;
            break;
        case OPT_ISA: a->isa = v; break;
        case OPT_DISPLAY:
            if (strcmp(v, "none") != 0 && !view_live_flags(v, &a->display_flags))
                return usage_error("--display: '%s' is not none or sdl[,paused][,hold]", v);
            a->display = strcmp(v, "none") != 0;
            break;
        case OPT_IPI_LATENCY:
        case OPT_STALL:
        case OPT_SKEW:
        case OPT_STRATEGY: {
            char err[256];
            const char *name = ch == OPT_IPI_LATENCY ? "ipi-latency" : ch == OPT_STALL ? "stall"
                             : ch == OPT_SKEW ? "skew" : "strategy";
            if (!perturb_parse_option(&a->pert, name, v, err, sizeof err)) {
                fprintf(stderr, "hvsim: %s\n", err);
                return EXIT_HOST_ERROR;
            }
            break;
        }
        case OPT_CHECK_INTERVAL:
            if (!config_parse_u64(v, &a->check_interval)) {
                fprintf(stderr, "hvsim: --check-interval: '%s' is not a number (0 = none)\n", v);
                return EXIT_HOST_ERROR;
            }
            break;
        case ':': {
            /* optopt is the short char or the long option's id */
            const char *name = argv[optind - 1];
            for (size_t i = 0; i < N_RUN_OPTS; i++)
                if (run_opts[i].id == optopt)
                    name = run_opts[i].name;
            return usage_error("--%s: missing value", name);
        }
        default: {
            /* Unknown or ambiguous long option, a value given to one that
             * takes none, or an unknown short option. */
            const char *bad = argv[optind - 1];
            if (strncmp(bad, "--", 2) == 0)
                return usage_error("unknown option or unexpected value: '%s'", bad);
            return usage_error("unknown option '-%c'", optopt ? optopt : '?');
        }
        }
    }
    if (optind < argc)
        return usage_error("run: unexpected argument '%s'", argv[optind]);
    return -1;
}

static bool apply_run_args(struct config *cfg, const struct run_args *a)
{
    if (a->has_smp)
        cfg->smp = (int)a->smp;
    if (a->has_mem)
        cfg->ram_size = a->mem;
    if (a->has_quantum)
        cfg->quantum = a->quantum;
    if (a->has_seed)
        cfg->sched_seed = a->seed;
    return set_str(cfg->bios, sizeof cfg->bios, "bios", a->bios) &&
           set_str(cfg->kernel, sizeof cfg->kernel, "kernel", a->kernel) &&
           set_str(cfg->initrd, sizeof cfg->initrd, "initrd", a->initrd) &&
           set_str(cfg->dtb, sizeof cfg->dtb, "dtb", a->dtb) &&
           set_str(cfg->append, sizeof cfg->append, "append", a->append);
}

/* Sets a board's string key ([section] key, a CK_STR in its key table;
 * src/sim/config.h) to val; false when the board has no such key or val
 * does not fit. For option values that an INI line could not carry
 * (inih's line limit). */
static bool set_board_string(struct config *cfg, const char *section, const char *key,
                             const char *val)
{
    const struct board_ops *b = cfg->board;
    for (size_t i = 0; b && i < b->nkeys; i++) {
        const struct config_key *k = &b->keys[i];
        if (k->kind != CK_STR || strcmp(k->section, section) || strcmp(k->key, key))
            continue;
        char *f = (char *)(k->home == CK_BOARD ? (void *)cfg->board_cfg : (void *)cfg) + k->offset;
        if (strlen(val) >= k->size)
            return false;
        memcpy(f, val, strlen(val) + 1);
        return true;
    }
    return false;
}

static const char *status_reason(int rc)
{
    switch (rc) {
    case EXIT_PASS: return "guest powered off";
    case EXIT_GUEST_FAIL: return "guest reported failure";
    case EXIT_MAX_INSNS: return "instruction limit reached";
    default: return "stopped";
    }
}

/* "hart" on RISC-V, "cpu" on x86 (the architecture registry's word). */
static const char *cpu_word(const struct cpu *c)
{
    const struct arch_info *a = arch_by_id(c->ops->arch);
    return a && a->cpu_word ? a->cpu_word : "cpu";
}

static int cmd_run(int argc, char **argv)
{
    struct run_args a = { .serial = "stdio", .check_interval = 10000000, .machine = -1 };
    int rc = parse_run_args(argc, argv, &a);
    if (rc >= 0)
        return rc;

    struct config cfg;
    char err[512];
    config_defaults(&cfg);
    const char *what = a.machine >= 0 ? machines[a.machine].name : "<default config>";
    bool ok = a.config_file
                  ? config_parse_file(&cfg, a.config_file, err, sizeof err)
                  : config_parse_string(&cfg, a.machine >= 0 ? machines[a.machine].ini
                                                             : config_default_ini,
                                        what, err, sizeof err);
    if (!ok) {
        fprintf(stderr, "hvsim: %s\n", err);
        return EXIT_HOST_ERROR;
    }
    if (a.config_file && a.machine >= 0 && strcmp(cfg.arch, machines[a.machine].arch) != 0) {
        fprintf(stderr, "hvsim: --machine %s: -c %s describes a %s machine, not %s\n",
                machines[a.machine].name, a.config_file, cfg.arch, machines[a.machine].arch);
        return EXIT_HOST_ERROR;
    }
    if (a.modules[0] && !set_board_string(&cfg, "load", "modules", a.modules)) {
        fprintf(stderr, "hvsim: --module: the %s board takes no multiboot modules\n", cfg.name);
        return EXIT_HOST_ERROR;
    }
    /* opt-in devices of the riscv-virt board (docs/virtio.md) */
    const struct { const char *opt, *section, *key, *val; } optin[] = {
        { "drive", "virtio", "drive", a.drives[0] ? a.drives : NULL },
        { "framebuffer", "framebuffer", "size", a.framebuffer },
        { "vga", "vga", "text", a.vga ? "on" : NULL },
        { "vga", "vga", "lfb", a.vga_lfb },
        { "virtio-rng", "virtio", "rng", a.virtio_rng ? "on" : NULL },
        { "virtio-console", "virtio", "console", a.virtio_console ? "on" : NULL },
        { "net", "virtio", "net", a.net },
        { "rtc", "rtc", "epoch", a.rtc },
        { "aia", "aia", "mode", a.aia[0] ? a.aia : NULL },
        { "aia", "aia", "guests", a.aia_guests[0] ? a.aia_guests : NULL },
    };
    for (size_t i = 0; i < sizeof optin / sizeof optin[0]; i++) {
        if (optin[i].val && !set_board_string(&cfg, optin[i].section, optin[i].key, optin[i].val)) {
            fprintf(stderr, "hvsim: --%s: the %s board has no such device (or the value is "
                    "too long)\n", optin[i].opt, cfg.name);
            return EXIT_HOST_ERROR;
        }
    }
    if (a.isa && (!*a.isa || !set_board_string(&cfg, "cpu", "isa", a.isa))) {
        fprintf(stderr, "hvsim: --isa '%s': empty, too long, or the %s board has no [cpu] isa\n",
                a.isa, cfg.name);
        return EXIT_HOST_ERROR;
    }
    if (!apply_run_args(&cfg, &a))
        return EXIT_HOST_ERROR;
    if (!config_validate(&cfg, err, sizeof err)) {
        /* Options were range-checked above, so the culprit is (mostly) the
         * configuration file, or its combination with --mem. */
        fprintf(stderr, "hvsim: %s: %s\n", a.config_file ? a.config_file : "<default config>",
                err);
        return EXIT_HOST_ERROR;
    }

    if (a.dump_acpi) { /* the tables are a function of the config alone */
        if (!cfg.board->dump_acpi) {
            fprintf(stderr, "hvsim: --dump-acpi: the %s board has no ACPI tables\n", cfg.name);
            return EXIT_HOST_ERROR;
        }
        if (!cfg.board->dump_acpi(&cfg, a.dump_acpi, err, sizeof err)) {
            fprintf(stderr, "hvsim: %s\n", err);
            return EXIT_HOST_ERROR;
        }
        return EXIT_PASS;
    }
    struct machine *m = machine_new(&cfg, a.serial, err, sizeof err);
    if (!m) {
        fprintf(stderr, "hvsim: %s\n", err);
        return EXIT_HOST_ERROR;
    }
    if (a.dump_dtb) {
        rc = machine_dump_dtb(m, a.dump_dtb, err, sizeof err) ? EXIT_PASS : EXIT_HOST_ERROR;
        if (rc != EXIT_PASS)
            fprintf(stderr, "hvsim: %s\n", err);
        machine_free(m);
        return rc;
    }
    struct screen_desc screen;
    if (a.screenshot && (!m->board->screen || !m->board->screen(m, &screen))) {
        fprintf(stderr, "hvsim: --screenshot %s: the machine has no screen (riscv-virt: "
                "--framebuffer WxH; x86-pc: --vga)\n", a.screenshot);
        machine_free(m);
        return EXIT_HOST_ERROR;
    }
    m->max_insns = a.max_insns;
    m->interp_only = a.interp;
    sched_set_perturb(m, &a.pert);
    if (a.trace) {
        uint64_t mask = a.events ? a.events : trace_default_mask() | (1ull << TK_INPUT) | (1ull << TK_END);
        if (!trace_record_start(m, a.trace, mask, a.check_interval, a.serial, err, sizeof err)) {
            fprintf(stderr, "hvsim: %s\n", err);
            machine_free(m);
            return EXIT_HOST_ERROR;
        }
    }
    if (a.gdb_wait && !a.gdb_port) {
        fprintf(stderr, "hvsim: --gdb-wait needs --gdb PORT\n");
        machine_free(m);
        return EXIT_HOST_ERROR;
    }
    if (a.pcap && a.gdb_port) {
        /* reverse execution re-runs stretches on snapshot machines */
        fprintf(stderr, "hvsim: --pcap and --gdb cannot be used together\n");
        machine_free(m);
        return EXIT_HOST_ERROR;
    }
    if (a.pcap && !(m->pcap = fopen(a.pcap, "wb"))) {
        fprintf(stderr, "hvsim: --pcap %s: %s\n", a.pcap, strerror(errno));
        machine_free(m);
        return EXIT_HOST_ERROR;
    }
    if (m->pcap && !pcap_write_header(m->pcap)) {
        fprintf(stderr, "hvsim: --pcap %s: cannot write\n", a.pcap);
        fclose(m->pcap);
        machine_free(m);
        return EXIT_HOST_ERROR;
    }
    if (a.display && a.gdb_port) {
        fprintf(stderr, "hvsim: --display sdl and --gdb cannot be used together\n");
        machine_free(m);
        return EXIT_HOST_ERROR;
    }
    if (a.display) {
        struct view_live *v = view_live_open(m);
        if (!v) {
            machine_free(m); /* the recorder's file stays without an end record */
            return EXIT_HOST_ERROR;
        }
        rc = view_live_run(v, a.max_insns, a.display_flags);
        view_live_close(v);
    } else if (a.gdb_port) {
        struct gdbstub *g = gdbstub_new(m, (int)a.gdb_port, a.gdb_wait, err, sizeof err);
        if (!g) {
            fprintf(stderr, "hvsim: %s\n", err);
            machine_free(m);
            return EXIT_HOST_ERROR;
        }
        rc = gdbstub_run(g);
        m = gdbstub_machine(g); /* reverse execution may have replaced it */
        gdbstub_free(g);
    } else {
        rc = machine_run(m, a.max_insns);
    }
    if (a.screenshot && !view_screen_save(m, a.screenshot, err, sizeof err)) {
        fprintf(stderr, "hvsim: %s\n", err);
        rc = EXIT_HOST_ERROR;
    }
    if (a.trace && !trace_record_finish(m, rc, err, sizeof err)) {
        fprintf(stderr, "hvsim: --trace %s: %s\n", a.trace, err);
        rc = EXIT_HOST_ERROR;
    }
    if (m->pcap && fclose(m->pcap) != 0) {
        fprintf(stderr, "hvsim: --pcap %s: cannot write\n", a.pcap);
        rc = EXIT_HOST_ERROR;
    }
    m->pcap = NULL;
    fflush(stdout);
    fprintf(stderr, "hvsim: %s, %" PRIu64 " instructions (",
            m->exit_reason[0] ? m->exit_reason : status_reason(rc), m->sched.total_retired);
    for (int i = 0; i < m->ncpus; i++)
        fprintf(stderr, "%s%s%d %" PRIu64, i ? ", " : "", cpu_word(m->cpus[i]), m->cpus[i]->id,
                m->cpus[i]->retired);
    fprintf(stderr, "), virtual time %" PRIu64 " ns\n",
            (uint64_t)((unsigned __int128)m->sched.round_start * 1000000000u / m->cfg.cpu_hz));
    machine_free(m);
    return rc;
}

/* hvsim replay FILE [--serial SPEC] [-v] [--engine E] [--gdb PORT] */
static int cmd_replay(int argc, char **argv)
{
    const char *file = NULL;
    struct replay_options o = { .serial = "none" };
    uint64_t perturb = 0, gdb_port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc) {
            o.serial = argv[++i];
            if (!serial_spec_ok(o.serial)) {
                fprintf(stderr, "hvsim: --serial: '%s' is not stdio, none or file:PATH\n", o.serial);
                return EXIT_HOST_ERROR;
            }
        } else if (strcmp(argv[i], "-v") == 0) {
            o.verbose = 1;
        } else if (strcmp(argv[i], "--engine") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "interp") != 0 && strcmp(v, "fast") != 0) {
                fprintf(stderr, "hvsim: --engine: '%s' is not interp or fast\n", v);
                return EXIT_HOST_ERROR;
            }
            o.interp = strcmp(v, "interp") == 0;
        } else if (strcmp(argv[i], "--gdb") == 0 && i + 1 < argc) {
            if (!config_parse_u64(argv[++i], &gdb_port) || gdb_port == 0 || gdb_port > 65535) {
                fprintf(stderr, "hvsim: --gdb: '%s' is not a TCP port (1..65535)\n", argv[i]);
                return EXIT_HOST_ERROR;
            }
        } else if (strcmp(argv[i], "--gdb-wait") == 0) {
            o.gdb_wait = true;
        } else if (strcmp(argv[i], "--debug-perturb") == 0 && i + 1 < argc) {
            if (!config_parse_u64(argv[++i], &perturb) || perturb == 0) {
                fprintf(stderr, "hvsim: --debug-perturb: '%s' is not a positive number\n", argv[i]);
                return EXIT_HOST_ERROR;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            puts("Usage: hvsim replay FILE.hvt [--serial stdio|none|file:PATH] [-v] [--debug-perturb N]\n"
                 "                        [--engine fast|interp] [--gdb PORT [--gdb-wait]]\n"
                 "Rebuilds the machine from the trace header (refusing if an image changed),\n"
                 "feeds the recorded console input at its recorded virtual times, records\n"
                 "again and compares. Exit 0: identical; 1: diverged (the first differing\n"
                 "record, both versions, and the first differing register or page);\n"
                 "2: host error. --engine interp replays on the reference interpreter (a\n"
                 "trace recorded by either engine replays on both). --debug-perturb N flips\n"
                 "a bit of hart 0's sp after N instructions: a deliberate divergence to see\n"
                 "the diagnosis at work.");
            return 0;
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "hvsim: replay: unexpected argument '%s'\n", argv[i]);
            return EXIT_HOST_ERROR;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        fprintf(stderr, "hvsim: replay: missing trace file\nUsage: hvsim replay FILE.hvt\n");
        return EXIT_HOST_ERROR;
    }
    if (o.gdb_wait && !gdb_port) {
        fprintf(stderr, "hvsim: --gdb-wait needs --gdb PORT\n");
        return EXIT_HOST_ERROR;
    }
    o.perturb_at = perturb;
    o.gdb_port = (int)gdb_port;
    return trace_replay(file, &o);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        fputs("Try 'hvsim --help' for more information.\n", stderr);
        return EXIT_HOST_ERROR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_help(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("hvsim %s\n", HVSIM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return cmd_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "trace") == 0)
        return trace_tool_main(argc - 1, argv + 1);
    if (strcmp(cmd, "explore") == 0)
        return explore_main(argc - 1, argv + 1);
    fprintf(stderr, "hvsim: unknown command '%s'\n", cmd);
    print_usage(stderr);
    return EXIT_HOST_ERROR;
}
