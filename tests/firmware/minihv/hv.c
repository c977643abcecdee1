/* hv.c — minihv: boot, vCPU setup, trap dispatch and the SBI it offers its
 * guests.
 *
 * Machine: 4 harts under an SBI implementation (OpenSBI fw_jump) that enters
 * minihv in HS mode. 2 VMs x 2 vCPUs, each vCPU pinned to one hart:
 *   VM0 (VMID 1): vCPU0 on hart 0, vCPU1 on hart 1
 *   VM1 (VMID 2): vCPU0 on hart 2, vCPU1 on hart 3
 * minihv itself runs with sstatus.SIE = 0; host interrupts (SBI IPIs = SSI,
 * SBI timer = STI) reach it only while a guest runs, because HS-level
 * interrupts are always enabled when V = 1. */
#include "minihv.h"

struct hart harts[NR_HARTS];
struct vm vms[NR_VMS];

extern const uint8_t guest_image[], guest_image_end[];

static volatile uint32_t harts_ready;
static volatile uint32_t harts_go;
static uint32_t print_turn;          /* VM whose output goes straight out; under console_lock */

static void hv_park(struct hart *h) __attribute__((noreturn));
static void vm_finish(struct hart *h, uint32_t reason) __attribute__((noreturn));

/* ---- per-VM console: line buffered, printed in VM order ------------------ */
static void log_append(struct vm *vm, const char *s)
{
    while (*s && vm->loglen + 1 < sizeof vm->log)
        vm->log[vm->loglen++] = *s++;
}

/* Output of VM k is printed live once VMs 0..k-1 have finished; until then it
 * is held in vm->log. So the console text does not depend on how the VMs'
 * harts interleave. Caller holds console_lock. */
static void vm_emit_locked(struct vm *vm, const char *prefix, const char *text)
{
    if (vm->id == print_turn) {
        con_puts_locked(prefix);
        con_puts_locked(text);
        con_puts_locked("\n");
    } else {
        log_append(vm, prefix);
        log_append(vm, text);
        log_append(vm, "\n");
    }
}

void vm_printf(struct vm *vm, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    hv_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    spin_lock(&console_lock);
    vm_emit_locked(vm, "minihv: ", buf);
    spin_unlock(&console_lock);
}

void vm_console_byte(struct vm *vm, char c)
{
    char prefix[8] = "[vm?] ";
    prefix[3] = (char)('0' + vm->id);
    spin_lock(&console_lock);
    if (c == '\n' || vm->linelen + 1 >= sizeof vm->line) {
        if (c != '\n')
            vm->line[vm->linelen++] = c;
        vm->line[vm->linelen] = 0;
        vm_emit_locked(vm, prefix, vm->line);
        vm->linelen = 0;
    } else if (c != '\r') {
        vm->line[vm->linelen++] = c;
    }
    spin_unlock(&console_lock);
}

/* ---- timers and virtual IPIs ---------------------------------------------- */
static void vcpu_set_timer(uint64_t when)
{
    /* SBI set_timer also clears the pending timer interrupt (SBI spec, TIME) */
    csr_clear(hvip, MIP_VSTIP);
    sbi_set_timer(when);
}

/* Make VS-level software interrupt pending for vCPU `t` of h's VM. */
static void vipi_inject(struct hart *h, struct hart *t)
{
    __atomic_fetch_add(&h->vm->st.vipi_sent, 1, __ATOMIC_RELAXED);
    if (t == h) {
        csr_set(hvip, MIP_VSSIP);
        return;
    }
    /* The target hart sets its own hvip.VSSIP when the host IPI arrives. */
    __atomic_store_n(&t->vssip_pending, 1, __ATOMIC_RELEASE);
    if (sbi_send_ipi(1UL << t->hartid, 0) != SBI_SUCCESS)
        hv_panic("SBI send_ipi to hart %lu failed", t->hartid);
}

/* SBI sPI send_ipi(hart_mask, hart_mask_base) from the guest. */
static long vsbi_send_ipi(struct hart *h, uint64_t mask, uint64_t base)
{
    struct vm *vm = h->vm;
    uint32_t targets = 0;

    if (base == (uint64_t)-1) {
        targets = (1u << VCPUS_PER_VM) - 1;
    } else {
        for (unsigned i = 0; i < 64; i++) {
            if (!(mask & (1UL << i)))
                continue;
            if (base >= VCPUS_PER_VM || i >= VCPUS_PER_VM - base)
                return SBI_ERR_INVALID_PARAM;
            targets |= 1u << (base + i);
        }
    }
    for (unsigned v = 0; v < VCPUS_PER_VM; v++)
        if ((targets & (1u << v)) && !vm->vcpu[v]->stopped)
            vipi_inject(h, vm->vcpu[v]);
    return SBI_SUCCESS;
}

/* ---- the SBI minihv implements for its guests ---------------------------- */
static int vsbi_has_ext(uint64_t eid)
{
    switch (eid) {
    case SBI_EXT_0_1_SET_TIMER: case SBI_EXT_0_1_PUTCHAR: case SBI_EXT_BASE:
    case SBI_EXT_TIME: case SBI_EXT_IPI: case SBI_EXT_HSM: case SBI_EXT_SRST:
    case SBI_EXT_MINIHV:
        return 1;
    }
    return 0;
}

static void vsbi_call(struct hart *h)
{
    struct vm *vm = h->vm;
    uint64_t *x = h->gpr;
    uint64_t eid = x[17], fid = x[16], a0 = x[10], a1 = x[11], a2 = x[12];
    long err = SBI_SUCCESS, val = 0;

    switch (eid) {
    case SBI_EXT_0_1_SET_TIMER:             /* legacy: result in a0 only */
        vcpu_set_timer(a0);
        x[10] = 0;
        return;
    case SBI_EXT_0_1_PUTCHAR:
        vm_console_byte(vm, (char)a0);
        x[10] = 0;
        return;
    case SBI_EXT_BASE:
        switch (fid) {
        case SBI_BASE_GET_SPEC_VERSION: val = 1L << 24; break;   /* v1.0 */
        case SBI_BASE_GET_IMPL_ID:      val = 0x4D4856; break;   /* "MHV", unregistered */
        case SBI_BASE_GET_IMPL_VERSION: val = 1; break;
        case SBI_BASE_PROBE_EXT:        val = vsbi_has_ext(a0); break;
        case SBI_BASE_GET_MVENDORID: case SBI_BASE_GET_MARCHID:
        case SBI_BASE_GET_MIMPID:       val = 0; break;
        default:                        err = SBI_ERR_NOT_SUPPORTED; break;
        }
        break;
    case SBI_EXT_TIME:
        if (fid == 0)
            vcpu_set_timer(a0);
        else
            err = SBI_ERR_NOT_SUPPORTED;
        break;
    case SBI_EXT_IPI:
        if (fid == 0)
            err = vsbi_send_ipi(h, a0, a1);
        else
            err = SBI_ERR_NOT_SUPPORTED;
        break;
    case SBI_EXT_HSM:
        switch (fid) {
        case SBI_HSM_HART_START:           /* every vCPU is started at boot */
            err = a0 < VCPUS_PER_VM ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM;
            break;
        case SBI_HSM_HART_STOP:
            hv_park(h);
        case SBI_HSM_HART_GET_STATUS:
            if (a0 < VCPUS_PER_VM)
                val = vm->vcpu[a0]->stopped ? SBI_HSM_STOPPED : SBI_HSM_STARTED;
            else
                err = SBI_ERR_INVALID_PARAM;
            break;
        default:
            err = SBI_ERR_NOT_SUPPORTED;
            break;
        }
        break;
    case SBI_EXT_SRST:
        if (fid != 0) {
            err = SBI_ERR_NOT_SUPPORTED;
        } else if (a0 > 2 || (a1 > 1 && a1 < 0xE0000000UL)) {
            err = SBI_ERR_INVALID_PARAM;
        } else {
            vm_finish(h, (uint32_t)a1);    /* shutdown/reboot both end the VM */
        }
        break;
    case SBI_EXT_MINIHV:
        if (fid == MHV_FID_REPORT_RESULT && h->vcpu_id == 0) {
            vm->result_checksum = a0;
            vm->result_pingpong = a1;
            vm->result_ticks = a2;
            vm->result_reported = 1;
        } else {
            err = SBI_ERR_NOT_SUPPORTED;
        }
        break;
    default:
        err = SBI_ERR_NOT_SUPPORTED;
        break;
    }
    x[10] = (uint64_t)err;
    x[11] = (uint64_t)val;
}

/* ---- ending vCPUs and VMs -------------------------------------------------- */
static void hv_park(struct hart *h)
{
    h->stopped = 1;
    csr_write(sie, 0);
    csr_write(hvip, 0);
    for (;;)
        __asm__ volatile("wfi");
}

static void vm_report_locked(struct vm *vm, int pass, uint64_t expect)
{
    char buf[200];
    hv_snprintf(buf, sizeof buf,
                "vm%u: result ping-pong %lu timer %lu checksum 0x%016lx "
                "(expected 0x%016lx), reset reason %u: %s",
                vm->id, vm->result_pingpong, vm->result_ticks, vm->result_checksum,
                expect, vm->reset_reason, pass ? "PASS" : "FAIL");
    vm_emit_locked(vm, "minihv: ", buf);
    hv_snprintf(buf, sizeof buf,
                "vm%u: exits: sbi-ecall %u, vuart-mmio %u, host-ipi %u, host-timer %u;"
                " virtual IPIs sent %u",
                vm->id, vm->st.ecall, vm->st.mmio, vm->st.host_ipi,
                vm->st.host_timer, vm->st.vipi_sent);
    vm_emit_locked(vm, "minihv: ", buf);
#ifdef MINIHV_VERBOSE
    hv_snprintf(buf, sizeof buf, "vm%u: %u of %u vuart exits decoded from htinst",
                vm->id, vm->st.mmio_htinst, vm->st.mmio);
    vm_emit_locked(vm, "minihv: ", buf);
#endif
}

static void vm_finish(struct hart *h, uint32_t reason)
{
    struct vm *vm = h->vm;
    struct mhv_observed want;
    int all_done, all_pass = 1;

    mhv_expected(&want, vm->id);
    uint64_t expect = mhv_checksum(&want);

    spin_lock(&console_lock);
    if (vm->finished) {                      /* a sibling got here first */
        spin_unlock(&console_lock);
        hv_park(h);
    }
    if (vm->linelen) {                       /* flush an unterminated line */
        char prefix[8] = "[vm?] ";
        prefix[3] = (char)('0' + vm->id);
        vm->line[vm->linelen] = 0;
        vm_emit_locked(vm, prefix, vm->line);
        vm->linelen = 0;
    }
    vm->reset_reason = reason;
    int pass = vm->result_reported && !vm->fault && reason == SBI_SRST_REASON_NONE &&
               vm->result_checksum == expect && vm->result_pingpong == MHV_PINGPONG &&
               vm->result_ticks == MHV_TICKS;
    vm->fault |= !pass;
    vm_report_locked(vm, pass, expect);
    __atomic_store_n(&vm->finished, 1, __ATOMIC_RELEASE);
    while (print_turn < NR_VMS && vms[print_turn].finished) {
        print_turn++;
        if (print_turn < NR_VMS) {
            struct vm *next = &vms[print_turn];
            next->log[next->loglen] = 0;
            con_puts_locked(next->log);
            next->loglen = 0;
        }
    }
    all_done = print_turn == NR_VMS;
    spin_unlock(&console_lock);

    /* stop the VM's other vCPUs: they park at their next exit */
    for (unsigned v = 0; v < VCPUS_PER_VM; v++) {
        struct hart *t = vm->vcpu[v];
        if (t != h && !t->stopped)
            sbi_send_ipi(1UL << t->hartid, 0);
    }

    if (all_done) {
        for (unsigned i = 0; i < NR_VMS; i++)
            all_pass &= !vms[i].fault;
        if (all_pass) {
            hv_printf("minihv: all VMs passed\n");
            sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
        } else {
            hv_printf("minihv: FAILED\n");
            sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_SYSFAIL);
        }
        hv_printf("minihv: SBI system_reset returned\n");
    }
    hv_park(h);
}

void vm_kill(struct hart *h, const char *why)
{
    vm_printf(h->vm, "vm%u vcpu%u: %s", h->vm->id, h->vcpu_id, why);
    h->vm->fault = 1;
    vm_finish(h, SBI_SRST_REASON_SYSFAIL);
}

/* ---- trap dispatch ------------------------------------------------------- */
void hv_handle_trap(struct hart *h)
{
    struct vm *vm = h->vm;
    uint64_t cause = csr_read(scause);
    char why[160];

    if (cause & SCAUSE_INTR) {
        switch (cause & ~SCAUSE_INTR) {
        case IRQ_S_SOFT:                 /* host IPI: a sibling vCPU's virtual IPI */
            csr_clear(sip, MIP_SSIP);
            __atomic_fetch_add(&vm->st.host_ipi, 1, __ATOMIC_RELAXED);
            if (__atomic_exchange_n(&h->vssip_pending, 0, __ATOMIC_ACQUIRE))
                csr_set(hvip, MIP_VSSIP);
            break;
        case IRQ_S_TIMER:                /* the vCPU's timer fired: inject VSTI */
            __atomic_fetch_add(&vm->st.host_timer, 1, __ATOMIC_RELAXED);
            sbi_set_timer(~0UL);
            csr_set(hvip, MIP_VSTIP);
            break;
        default:
            hv_snprintf(why, sizeof why, "unexpected interrupt, scause 0x%lx", cause);
            vm_kill(h, why);
        }
    } else {
        switch (cause) {
        case EXC_ECALL_VS:
            __atomic_fetch_add(&vm->st.ecall, 1, __ATOMIC_RELAXED);
            csr_write(sepc, csr_read(sepc) + 4);
            vsbi_call(h);
            break;
        case EXC_LOAD_GUEST_PF:
        case EXC_STORE_GUEST_PF:
            vuart_handle_fault(h, cause);
            break;
        default:
            hv_snprintf(why, sizeof why,
                        "unhandled exit: scause %lu sepc 0x%lx stval 0x%lx "
                        "htval 0x%lx htinst 0x%lx",
                        cause, csr_read(sepc), csr_read(stval), csr_read(htval),
                        csr_read(htinst));
            vm_kill(h, why);
        }
    }
    if (vm->finished)
        hv_park(h);
}

/* A trap taken while minihv itself ran (sscratch = 0): a minihv bug. */
void hv_hs_trap(void)
{
    hv_panic("trap in HS mode: scause 0x%lx sepc 0x%lx stval 0x%lx",
             csr_read(scause), csr_read(sepc), csr_read(stval));
}

/* ---- vCPU start ------------------------------------------------------------ */
static void vcpu_start(uint64_t hartid, int boot) __attribute__((noreturn));
static void vcpu_start(uint64_t hartid, int boot)
{
    struct hart *h = &harts[hartid];
    struct vm *vm = h->vm;

    /* VS-level traps the guest handles itself: breakpoints, and the VS
     * software/timer/external interrupts (priv spec: hedeleg/hideleg). */
    csr_write(hedeleg, 1UL << EXC_BREAKPOINT);
    csr_write(hideleg, MIP_VSSIP | MIP_VSTIP | MIP_VSEIP);
    csr_write(hvip, 0);
    csr_write(hie, 0);
    csr_write(hcounteren, 1UL << 1);            /* TM: the guest may read `time` */
    csr_write(htimedelta, 0);
    csr_write(hgatp, vm->hgatp);
    hfence_gvma_all();
    csr_write(vsatp, 0);                       /* guest runs bare in VS */
    csr_clear(vsstatus, SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP);
    csr_write(vstvec, 0);
    csr_write(vsscratch, 0);
    /* host interrupts minihv needs while a guest runs */
    csr_write(sie, MIP_SSIP | MIP_STIP);
    sbi_set_timer(~0UL);
    /* sret target: VS mode (SPV = 1, SPP = 1); HLV/HLVX act as VS (SPVP = 1) */
    csr_clear(hstatus, HSTATUS_VTSR | HSTATUS_VTW | HSTATUS_VTVM | HSTATUS_HU |
                       HSTATUS_VGEIN | HSTATUS_GVA);
    csr_set(hstatus, HSTATUS_SPV | HSTATUS_SPVP);
#ifdef MHV_AIA
    /* the guest's external interrupts: guest interrupt file 1 (VSEIP =
     * hgeip bit VGEIN), its registers through vsiselect/vsireg */
    csr_set(hstatus, 1UL << 12);
#endif
    csr_clear(sstatus, SSTATUS_SIE | SSTATUS_SPIE);
    csr_set(sstatus, SSTATUS_SPP);

    /* all harts enter their guests together */
    __atomic_fetch_add(&harts_ready, 1, __ATOMIC_ACQ_REL);
    if (boot) {
        while (__atomic_load_n(&harts_ready, __ATOMIC_ACQUIRE) != NR_HARTS)
            ;
        hv_printf("minihv: %u vCPUs ready, entering guests\n", NR_HARTS);
        __atomic_store_n(&harts_go, 1, __ATOMIC_RELEASE);
    } else {
        while (!__atomic_load_n(&harts_go, __ATOMIC_ACQUIRE))
            ;
    }
    __asm__ volatile("fence.i" ::: "memory");   /* guest image written by the boot hart */

    memset(h->gpr, 0, sizeof h->gpr);
    h->gpr[10] = h->vcpu_id;                   /* a0: hart id inside the VM */
    h->gpr[11] = 0;                            /* a1: no device tree */
    h->gpr[12] = vm->id;                       /* a2: VM number (minihv extra) */
    csr_write(sepc, GUEST_RAM_GPA);
    if (__atomic_exchange_n(&h->vssip_pending, 0, __ATOMIC_ACQUIRE))
        csr_set(hvip, MIP_VSSIP);
    hv_enter_guest(h);
}

void hv_secondary(uint64_t hartid)
{
    vcpu_start(hartid, 0);
}

void hv_boot(uint64_t hartid, uint64_t dtb)
{
    uint64_t img_size = (uint64_t)(guest_image_end - guest_image);
    (void)dtb;

    hv_printf("\nminihv: RISC-V H-extension test hypervisor, %u harts, %u VMs x %u vCPUs\n",
              NR_HARTS, NR_VMS, VCPUS_PER_VM);
    struct sbiret ver = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
    if (ver.error || ver.value < 2)            /* need SBI >= v0.2 */
        hv_panic("SBI v0.2 or later required");
    if (!sbi_probe(SBI_EXT_TIME) || !sbi_probe(SBI_EXT_IPI) ||
        !sbi_probe(SBI_EXT_HSM) || !sbi_probe(SBI_EXT_SRST))
        hv_panic("SBI extensions TIME, sPI, HSM and SRST are required");
    if (img_size > GUEST_ALIAS_OF - GUEST_RAM_GPA)
        hv_panic("guest image too large (%lu bytes)", img_size);

    for (unsigned i = 0; i < NR_HARTS; i++) {
        struct hart *h = &harts[i];
        h->hartid = i;
        h->hv_sp = (uint64_t)(uintptr_t)hv_stacks + (i + 1) * HV_STACK_SIZE;
        h->vm = &vms[i / VCPUS_PER_VM];
        h->vcpu_id = i % VCPUS_PER_VM;
        h->vm->vcpu[h->vcpu_id] = h;
    }
    for (unsigned v = 0; v < NR_VMS; v++) {
        struct vm *vm = &vms[v];
        vm->id = v;
        vm->vmid = v + 1;
        vm->host_base = VM_HOST_BASE(v);
        gstage_build(vm);
        memcpy((void *)(uintptr_t)vm->host_base, guest_image, img_size);
        /* hgatp is WARL: check that Sv39x4 and the VMID stick */
        csr_write(hgatp, vm->hgatp);
        uint64_t rb = csr_read(hgatp);
        csr_write(hgatp, 0);
        if (rb >> 60 != 8)
            hv_panic("hgatp mode Sv39x4 not supported (hgatp reads 0x%lx)", rb);
        if ((rb & HGATP_PPN_MASK) != (vm->hgatp & HGATP_PPN_MASK))
            hv_panic("hgatp PPN did not stick (wrote 0x%lx, reads 0x%lx)", vm->hgatp, rb);
        hv_printf("minihv: vm%u: VMID %lu, vCPUs on harts %u,%u, GPA 0x%lx+%luM -> HPA 0x%lx, "
                  "alias GPA 0x%lx, hgatp 0x%lx\n",
                  v, (rb & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT,
                  vm->vcpu[0]->hartid, vm->vcpu[1]->hartid, GUEST_RAM_GPA,
                  GUEST_RAM_SIZE >> 20, vm->host_base, GUEST_ALIAS_GPA, rb);
    }
    __asm__ volatile("fence rw, rw" ::: "memory");

    for (unsigned i = 0; i < NR_HARTS; i++) {
        if (i == hartid)
            continue;
        long err = sbi_hart_start(i, (uint64_t)(uintptr_t)hv_secondary_entry, 0);
        if (err)
            hv_panic("SBI hart_start(%u) failed: %ld", i, err);
    }
    vcpu_start(hartid, 1);
}
