/* Machine configuration: parsed from an INI file (libinih) or the embedded
 * default (configs/riscv-virt.ini), then overridden by command-line options.
 *
 * A config has the keys every board has (this struct) and the keys of its
 * board (`[machine] arch` picks the board, src/sim/board.h), which the board
 * declares in its own key table and keeps in its own struct inside
 * `board_cfg`. The schema is closed: a key that is neither common nor the
 * board's is an error naming it. */
#ifndef HVSIM_CONFIG_H
#define HVSIM_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_CPUS 64
/* Room for a board's own config struct (a board checks its size fits). */
#define CONFIG_BOARD_BYTES 2048

struct board_ops;

struct config {
    const struct board_ops *board; /* chosen by [machine] arch */
    char name[64];          /* [machine] name, e.g. "riscv-virt" */
    char arch[16];          /* [machine] arch: "riscv64", "x86_64" */
    int smp;                /* [machine] smp */
    uint64_t cpu_hz;        /* [machine] cpu-hz: instructions per virtual second */
    uint64_t quantum;       /* [machine] quantum (instructions per slot) */
    uint64_t sched_seed;    /* [machine] sched-seed (0 = fixed quanta, fixed order) */

    uint64_t ram_base, ram_size;       /* [memory] base, size */

    /* Images and boot arguments (set by options; may be set in [load]). */
    char bios[512], kernel[512], initrd[512], dtb[512], append[1024];

    /* The board's own keys: its config struct (e.g. struct rv_virt_config). */
    _Alignas(8) unsigned char board_cfg[CONFIG_BOARD_BYTES];
};

/* ---- key tables -------------------------------------------------------- */

enum config_key_kind {
    CK_STR,   /* char array of `size` bytes */
    CK_U64,   /* uint64_t, plain number */
    CK_SIZE,  /* uint64_t, number with K/M/G/T suffix */
    CK_U32,   /* uint32_t */
    CK_INT,   /* int (non-negative) */
};

/* Where a key's field lives: struct config itself, or the board's struct in
 * board_cfg. */
enum config_key_home { CK_COMMON, CK_BOARD };

struct config_key {
    const char *section;
    const char *key;
    unsigned char kind, home;
    size_t offset;
    size_t size; /* CK_STR only */
};

/* Entries of a board's key table. A board lists its keys in INI order and
 * includes the common keys through the CONFIG_KEYS_* groups; every common
 * key must appear exactly once (config_check_keys, a unit test). */
#define CONFIG_KEY_STR(sec, k, type, f) \
    { sec, k, CK_STR, CK_BOARD, offsetof(type, f), sizeof(((type *)0)->f) }
#define CONFIG_KEY_NUM(sec, k, kind, type, f) { sec, k, kind, CK_BOARD, offsetof(type, f), 0 }
#define CONFIG_KEY_COMMON_STR_(sec, k, f) \
    { sec, k, CK_STR, CK_COMMON, offsetof(struct config, f), sizeof(((struct config *)0)->f) }
#define CONFIG_KEY_COMMON_NUM_(sec, k, kind, f) { sec, k, kind, CK_COMMON, offsetof(struct config, f), 0 }

#define CONFIG_KEYS_MACHINE                                   \
    CONFIG_KEY_COMMON_STR_("machine", "name", name),          \
    CONFIG_KEY_COMMON_STR_("machine", "arch", arch),          \
    CONFIG_KEY_COMMON_NUM_("machine", "smp", CK_INT, smp),    \
    CONFIG_KEY_COMMON_NUM_("machine", "cpu-hz", CK_U64, cpu_hz), \
    CONFIG_KEY_COMMON_NUM_("machine", "quantum", CK_U64, quantum), \
    CONFIG_KEY_COMMON_NUM_("machine", "sched-seed", CK_U64, sched_seed)
#define CONFIG_KEYS_MEMORY                                    \
    CONFIG_KEY_COMMON_NUM_("memory", "base", CK_U64, ram_base), \
    CONFIG_KEY_COMMON_NUM_("memory", "size", CK_SIZE, ram_size)
/* Image paths and boot arguments; normally given as options. */
#define CONFIG_KEYS_IMAGES                                    \
    CONFIG_KEY_COMMON_STR_("load", "bios-file", bios),        \
    CONFIG_KEY_COMMON_STR_("load", "kernel-file", kernel),    \
    CONFIG_KEY_COMMON_STR_("load", "initrd-file", initrd),    \
    CONFIG_KEY_COMMON_STR_("load", "dtb-file", dtb),          \
    CONFIG_KEY_COMMON_STR_("load", "append", append)

/* ---- API ---------------------------------------------------------------- */

/* Defaults of the default board (riscv-virt; equal to configs/riscv-virt.ini). */
void config_defaults(struct config *c);
/* Defaults of a given board (its own keys and the common ones). */
void config_defaults_for(struct config *c, const struct board_ops *board);
/* Parse INI text into c (on top of what is there). A `[machine] arch` that
 * names another board than c's first resets c to that board's defaults. On
 * error returns false and writes "FILE:LINE: message" into err. `what` names
 * the source in errors. */
bool config_parse_string(struct config *c, const char *text, const char *what,
                         char *err, size_t errlen);
bool config_parse_file(struct config *c, const char *path, char *err, size_t errlen);
/* Checks the common values, then the board's (windows that overlap, ...). */
bool config_validate(const struct config *c, char *err, size_t errlen);

/* A board's key table is complete: every common key exactly once, no key
 * twice, board fields inside CONFIG_BOARD_BYTES. false + message if not. */
bool config_check_keys(const struct board_ops *board, char *err, size_t errlen);

/* A board's address windows, checked for wrapping and overlaps (the first
 * pair that overlaps is named in err). */
struct config_window {
    const char *name;
    uint64_t base, size;
};
bool config_windows_check(const struct config_window *w, size_t nw, char *err, size_t errlen);

/* Parses sizes like "256M", "1G", "0x1000", "4096". */
bool config_parse_size(const char *s, uint64_t *out);
bool config_parse_u64(const char *s, uint64_t *out);

/* Writes c as INI text that config_parse_string reads back to the same
 * values (keys in the board table's order). Returns the length it needs
 * (like snprintf). */
size_t config_to_ini(const struct config *c, char *buf, size_t len);

/* The embedded default config text (generated from configs/riscv-virt.ini). */
extern const char config_default_ini[];

#endif
