/* minihv.h — hypervisor-internal definitions: CSR access, bit names from the
 * RISC-V privileged spec (H extension v1.0), the per-hart and per-VM state. */
#ifndef MINIHV_H
#define MINIHV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "protocol.h"

#define NR_HARTS        4
#define NR_VMS          2
#define VCPUS_PER_VM    2
#define HV_STACK_SIZE   8192

/* host RAM backing each VM's guest RAM */
#define VM_HOST_BASE(vm) (0x84000000UL + (uint64_t)(vm) * 0x02000000UL)

/* ---- CSR access -------------------------------------------------------- */
#define csr_read(c) ({ uint64_t v__; \
    __asm__ volatile("csrr %0, " #c : "=r"(v__) :: "memory"); v__; })
#define csr_write(c, v) \
    __asm__ volatile("csrw " #c ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_set(c, v) \
    __asm__ volatile("csrs " #c ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_clear(c, v) \
    __asm__ volatile("csrc " #c ", %0" :: "rK"((uint64_t)(v)) : "memory")

/* sstatus */
#define SSTATUS_SIE     (1UL << 1)
#define SSTATUS_SPIE    (1UL << 5)
#define SSTATUS_SPP     (1UL << 8)
/* hstatus */
#define HSTATUS_GVA     (1UL << 6)
#define HSTATUS_SPV     (1UL << 7)
#define HSTATUS_SPVP    (1UL << 8)
#define HSTATUS_HU      (1UL << 9)
#define HSTATUS_VGEIN   (0x3fUL << 12)
#define HSTATUS_VTVM    (1UL << 20)
#define HSTATUS_VTW     (1UL << 21)
#define HSTATUS_VTSR    (1UL << 22)
/* interrupt bits (sip/sie/hip/hie/hvip/hideleg) */
#define IRQ_S_SOFT      1
#define IRQ_VS_SOFT     2
#define IRQ_S_TIMER     5
#define IRQ_VS_TIMER    6
#define IRQ_S_EXT       9
#define IRQ_VS_EXT      10
#define MIP_SSIP        (1UL << IRQ_S_SOFT)
#define MIP_VSSIP       (1UL << IRQ_VS_SOFT)
#define MIP_STIP        (1UL << IRQ_S_TIMER)
#define MIP_VSTIP       (1UL << IRQ_VS_TIMER)
#define MIP_VSEIP       (1UL << IRQ_VS_EXT)
/* exception causes */
#define EXC_BREAKPOINT          3
#define EXC_ECALL_VS            10
#define EXC_INST_GUEST_PF       20
#define EXC_LOAD_GUEST_PF       21
#define EXC_VIRTUAL_INST        22
#define EXC_STORE_GUEST_PF      23
#define SCAUSE_INTR             (1UL << 63)
/* hgatp */
#define HGATP_MODE_SV39X4       (8UL << 60)
#define HGATP_VMID_SHIFT        44
#define HGATP_VMID_MASK         (0x3fffUL << HGATP_VMID_SHIFT)
#define HGATP_PPN_MASK          ((1UL << 44) - 1)

/* gcc 12 cannot be told about "h" in -march; enable it for these lines only */
#define H_INSN(s) ".option push\n.option arch, +h\n" s "\n.option pop"

static inline void hfence_gvma_all(void)
{
    __asm__ volatile(H_INSN("hfence.gvma zero, zero") ::: "memory");
}

/* ---- state --------------------------------------------------------------- */
struct vm;

/* One per physical hart; each hart runs exactly one vCPU. The first 32
 * doublewords are the guest's integer registers (x0 slot unused) and the
 * offsets up to hv_sp are used by start.S — keep them in sync. */
struct hart {
    uint64_t gpr[32];               /* 0x000: guest x0..x31 */
    uint64_t hv_sp;                 /* 0x100: top of this hart's HS stack */
    uint64_t hartid;                /* 0x108 */
    struct vm *vm;
    uint32_t vcpu_id;               /* guest hart id inside its VM */
    volatile uint32_t vssip_pending; /* set by a sibling, consumed on host SSI */
    volatile uint32_t stopped;      /* vCPU stopped (HSM stop, SRST, fault) */
};

struct vm_stats {
    uint32_t ecall, mmio, mmio_htinst, host_ipi, host_timer, vipi_sent;
};

struct vm {
    uint32_t id;
    uint32_t vmid;                  /* hgatp.VMID */
    uint64_t host_base;             /* HPA of GPA GUEST_RAM_GPA */
    uint64_t hgatp;
    uint64_t *root;                 /* 16 KiB Sv39x4 root table */
    struct hart *vcpu[VCPUS_PER_VM];
    /* console: one line buffer fed by the virtual UART and SBI putchar */
    char line[120];
    uint32_t linelen;
    /* output held back until earlier VMs have finished (deterministic order) */
    char log[4096];
    uint32_t loglen;
    /* result */
    volatile uint32_t finished;
    uint32_t result_reported;
    uint64_t result_checksum, result_pingpong, result_ticks;
    uint32_t reset_reason;
    uint32_t fault;                 /* an unhandled exit killed the VM */
    struct vm_stats st;
};

extern struct hart harts[NR_HARTS];
extern struct vm vms[NR_VMS];

/* start.S */
extern char hv_stacks[];
void hv_trap_vector(void);
void hv_secondary_entry(void);
void hv_enter_guest(struct hart *h) __attribute__((noreturn));

/* sbi.c — calls from HS mode down to the SBI implementation (OpenSBI) */
struct sbiret { long error; long value; };
struct sbiret sbi_ecall(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
                        uint64_t a2);
void sbi_console_putchar(int c);
void sbi_set_timer(uint64_t t);
long sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base);
long sbi_hart_start(uint64_t hartid, uint64_t addr, uint64_t opaque);
void sbi_system_reset(uint32_t type, uint32_t reason);
long sbi_probe(uint64_t eid);

/* console (sbi.c): global lock, formatted output */
void spin_lock(volatile uint32_t *l);
void spin_unlock(volatile uint32_t *l);
extern volatile uint32_t console_lock;
void con_puts_locked(const char *s);
int  hv_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int  hv_snprintf(char *buf, size_t n, const char *fmt, ...);
void hv_printf(const char *fmt, ...);
void hv_panic(const char *fmt, ...) __attribute__((noreturn));

/* hv.c */
void vm_printf(struct vm *vm, const char *fmt, ...);
void vm_console_byte(struct vm *vm, char c);
void vm_kill(struct hart *h, const char *why) __attribute__((noreturn));

/* gstage.c */
void gstage_build(struct vm *vm);

/* vuart.c */
void vuart_handle_fault(struct hart *h, uint64_t cause);

/* lib */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif
