/* vuart.c — the virtual UART: emulate guest loads/stores to the unmapped MMIO
 * window at GPA VUART_GPA.
 *
 * Such an access raises a load (21) or store/AMO (23) guest-page fault into
 * HS mode with (priv spec, H extension, "Trap Entry" and htval/htinst):
 *   stval  = the guest virtual address (= GPA here: the guest runs with
 *            vsatp = Bare), hstatus.GVA = 1;
 *   htval  = the faulting guest physical address shifted right by 2;
 *   htinst = 0, or a transformed instruction: the trapping load/store with
 *            its immediate and rs1 fields zeroed (rs1 becomes the address
 *            offset, nonzero only for misaligned accesses) and, for a
 *            compressed instruction, the 32-bit expansion with bit 1 cleared.
 * When htinst is 0 minihv reads the instruction at sepc itself with HLVX.HU
 * (execute-permission read through both translation stages, at the privilege
 * in hstatus.SPVP), one halfword at a time.
 *
 * Registers: offset 0 THR (write: print the byte), offset 5 LSR (read: 0x60,
 * transmitter always idle); everything else reads 0 and ignores writes. */
#include "minihv.h"

#define OP_LOAD   0x03
#define OP_STORE  0x23

static uint64_t guest_fetch16(uint64_t gva)
{
    uint64_t v;
    __asm__ volatile(H_INSN("hlvx.hu %0, (%1)") : "=r"(v) : "r"(gva) : "memory");
    return v;
}

/* Expand the compressed loads/stores a compiler may use for MMIO into their
 * 32-bit forms; only opcode, funct3, rd/rs2 matter for emulation. 0 = none. */
static uint32_t expand_compressed(uint32_t c)
{
    unsigned op = c & 3, f3 = (c >> 13) & 7;
    unsigned rdp = 8 + ((c >> 2) & 7);          /* rd' / rs2' */
    unsigned rd = (c >> 7) & 31, rs2 = (c >> 2) & 31;
    if (op == 0) {
        switch (f3) {
        case 2: return OP_LOAD | (2u << 12) | (rdp << 7);     /* c.lw */
        case 3: return OP_LOAD | (3u << 12) | (rdp << 7);     /* c.ld */
        case 6: return OP_STORE | (2u << 12) | (rdp << 20);   /* c.sw */
        case 7: return OP_STORE | (3u << 12) | (rdp << 20);   /* c.sd */
        }
    } else if (op == 2) {
        switch (f3) {
        case 2: return rd ? (OP_LOAD | (2u << 12) | (rd << 7)) : 0;   /* c.lwsp */
        case 3: return rd ? (OP_LOAD | (3u << 12) | (rd << 7)) : 0;   /* c.ldsp */
        case 6: return OP_STORE | (2u << 12) | (rs2 << 20);           /* c.swsp */
        case 7: return OP_STORE | (3u << 12) | (rs2 << 20);           /* c.sdsp */
        }
    }
    return 0;
}

void vuart_handle_fault(struct hart *h, uint64_t cause)
{
    struct vm *vm = h->vm;
    uint64_t sepc = csr_read(sepc);
    uint64_t stval = csr_read(stval);
    uint64_t htval = csr_read(htval);
    uint64_t htinst = csr_read(htinst);
    uint64_t gpa = (htval << 2) | (stval & 3);
    uint32_t insn = 0;
    unsigned len = 0;
    char why[160];

    if (gpa < VUART_GPA || gpa >= VUART_GPA + VUART_SIZE) {
        hv_snprintf(why, sizeof why,
                    "guest-page fault outside guest RAM and the UART: cause %lu "
                    "GPA 0x%lx sepc 0x%lx stval 0x%lx",
                    cause, gpa, sepc, stval);
        vm_kill(h, why);
        return;
    }

    if (htinst != 0 && (htinst >> 32) == 0 && (htinst & 1)) {
        /* transformed standard instruction: bits 1:0 = 11 (32-bit) or 01 (compressed) */
        insn = (uint32_t)htinst | 2;
        len = (htinst & 2) ? 4 : 2;
        __atomic_fetch_add(&vm->st.mmio_htinst, 1, __ATOMIC_RELAXED);
    } else if (htinst != 0 && (htinst & 3) == 0) {
        /* a pseudoinstruction: implicit VS-stage page-table access; impossible
         * with vsatp = Bare */
        hv_snprintf(why, sizeof why,
                    "guest-page fault on an implicit access (htinst 0x%lx) at GPA 0x%lx",
                    htinst, gpa);
        vm_kill(h, why);
        return;
    } else {
        uint32_t lo = (uint32_t)guest_fetch16(sepc);
        if ((lo & 3) == 3) {
            insn = lo | ((uint32_t)guest_fetch16(sepc + 2) << 16);
            len = 4;
        } else {
            insn = expand_compressed(lo);
            len = 2;
        }
    }

    unsigned opcode = insn & 0x7f, f3 = (insn >> 12) & 7;
    unsigned size = 1u << (f3 & 3);
    uint64_t off = gpa - VUART_GPA;

    if (opcode == OP_STORE && f3 <= 3) {
        unsigned rs2 = (insn >> 20) & 31;
        uint64_t val = rs2 ? h->gpr[rs2] : 0;
        if (off == VUART_THR)
            vm_console_byte(vm, (char)(val & 0xff));
    } else if (opcode == OP_LOAD && f3 != 7) {
        unsigned rd = (insn >> 7) & 31;
        uint64_t val = (off == VUART_LSR) ? VUART_LSR_IDLE : 0;
        if (!(f3 & 4) && size < 8) {            /* LB/LH/LW sign-extend */
            unsigned sh = 64 - 8 * size;
            val = (uint64_t)((int64_t)(val << sh) >> sh);
        }
        if (rd)
            h->gpr[rd] = val;
    } else {
        hv_snprintf(why, sizeof why,
                    "cannot emulate instruction 0x%x (htinst 0x%lx) at sepc 0x%lx "
                    "on the UART (GPA 0x%lx)", insn, htinst, sepc, gpa);
        vm_kill(h, why);
        return;
    }
    __atomic_fetch_add(&vm->st.mmio, 1, __ATOMIC_RELAXED);
    csr_write(sepc, sepc + len);
}
