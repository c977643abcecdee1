/* hsm.h — constants shared by start.S and hsm.c (the HSM start test). */
#ifndef HSM_TEST_H
#define HSM_TEST_H

#define HSM_MAX_HARTS    32         /* harts probed with hart_start; stacks in link.ld */
#define HSM_ENTRY_STRIDE 32         /* bytes between hsm_entry_K and hsm_entry_K+1 */
#define HSM_COLD_ENTRY   0x80200000 /* _start: fw_jump's FW_JUMP_ADDR */

#endif
