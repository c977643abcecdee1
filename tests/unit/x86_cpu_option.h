/* A shared check for the x86 CPU-model switches of `[cpu]` that are off by
 * default (xsave, monitor; docs/x86.md): the embedded x86-pc config leaves
 * the key out of the written ini (so trace headers stay as they were),
 * `KEY = on` is accepted and written back, and another value is refused
 * naming the key. Uses check.h: include it after <check.h>. */
#ifndef HVSIM_TEST_X86_CPU_OPTION_H
#define HVSIM_TEST_X86_CPU_OPTION_H
#include <stdio.h>
#include <string.h>

#include "sim/board.h"
#include "sim/config.h"

extern const char config_x86_pc_ini[]; /* configs/x86-pc.ini, embedded (build/gen) */

static inline void x86_check_cpu_onoff_key(const char *key)
{
    char err[256] = "", ini[8192], text[64], want[96];
    struct config c;
    config_defaults_for(&c, board_by_arch("x86_64"));
    ck_assert(config_parse_string(&c, config_x86_pc_ini, "x86-pc.ini", err, sizeof err));
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);
    config_to_ini(&c, ini, sizeof ini);
    ck_assert_msg(!strstr(ini, key), "default x86 config writes %s: %s", key, ini);
    snprintf(text, sizeof text, "[cpu]\n%s = on\n", key);
    ck_assert(config_parse_string(&c, text, "t.ini", err, sizeof err));
    ck_assert_msg(config_validate(&c, err, sizeof err), "%s", err);
    config_to_ini(&c, ini, sizeof ini);
    snprintf(want, sizeof want, "%s = on\n", key);
    ck_assert(strstr(ini, want));
    snprintf(text, sizeof text, "[cpu]\n%s = yes\n", key);
    ck_assert(config_parse_string(&c, text, "t.ini", err, sizeof err));
    ck_assert(!config_validate(&c, err, sizeof err));
    snprintf(want, sizeof want, "[cpu] %s 'yes' must be off or on", key);
    ck_assert_msg(strstr(err, want), "%s", err);
}
#endif
