/* The predecoded instruction cache (docs/x86.md "Performance").
 *
 * Every 4 KiB page of RAM that instructions are fetched from gets a
 * struct x86_dpage in its region's dcache slot: instructions are decoded
 * once, the first time they run, into slots indexed by their page offset.
 * A page is keyed by its physical address (aliases through other linear
 * addresses and paging changes find the same page) and tagged with the code
 * size it was decoded for (CS.D / CS.L / long mode: the only mode input of
 * x86_decode); another code size restarts the page.
 *
 * The page is marked PAGE_CODE and every CPU's TLB drops its fast store
 * mapping of it, so any store to it (another CPU, a device, the debugger, a
 * host-side load) reaches bus_mem_store_notify() and x86_code_invalidate(),
 * which resets the page in place: self-modifying code works at page
 * granularity without any flush instruction (SDM vol. 3A §11.6 asks for a
 * branch or serialising instruction; we are stricter).
 *
 * The fetch finds the page through the fetch TLB entry of the linear page
 * (its tag already carries the rights checked); a miss, MMIO, an
 * instruction that crosses a page, an undecodable one or an invalid LOCK
 * goes through the interpreter's slow path (exec.c step), which behaves
 * exactly as without the cache. */
#include <stdlib.h>
#include <string.h>
#include "icache.h"
#include "../../sim/bus.h"
#include "../../sim/machine.h"

static void dpage_reset(struct x86_dpage *p)
{
    /* in place (never freed while the machine lives): a CPU may be
     * executing a slot of this page; the slots' contents stay readable
     * until they are decoded again */
    if (p->n || p->code_size) {
        memset(p->idx, 0, sizeof p->idx);
        p->n = 0;
    }
}

void x86_code_invalidate(void *opaque, struct mem_region *r, uint64_t page_index)
{
    (void)opaque;
    if (r->dcache[page_index])
        dpage_reset(r->dcache[page_index]);
    r->page_flags[page_index] &= (uint8_t)~PAGE_CODE;
}

void x86_dinsn_init(struct x86_dinsn *d, const struct x86_insn *in)
{
    *d = (struct x86_dinsn){
        .imm = in->imm, .disp = (int32_t)in->disp, .len = in->len, .opcode = in->opcode,
        .opsize = in->opsize, .addrsize = in->addrsize, .mod = in->mod, .reg = in->reg,
        .rm = in->rm, .base = in->base, .index = in->index, .scale = in->scale, .rex = in->rex,
        .seg = in->seg,
    };
    /* a fast handler only where the short form holds the whole decode (a
     * ModRM displacement always fits; only the moffs forms A0-A3, which
     * have none, carry 64 bits) */
    d->fast = in->disp == (int64_t)d->disp ? x86_fast_select(in) : NULL;
}

struct x86_dinsn *x86_icache_fill(struct x86_cpu *x, uint64_t la, const struct x86_dpage **page)
{
    struct x86_tlb_entry *t = X86_TLB_AT(x, la);
    if (t->tag_x != x86_fetch_tag(x, la) || !t->host)
        return NULL; /* the slow path fills the TLB (or raises #PF) */
    struct bus *bus = &x->m->bus;
    struct x86_dpage *p = t->dpage;
    struct mem_region *r = bus_find_mem(bus, t->pa);
    if (!r)
        return NULL;
    uint64_t pi = (t->pa - r->base) >> 12;
    if (!p) {
        if (!bus->code_invalidate) {
            bus->code_invalidate = x86_code_invalidate;
            bus->code_opaque = x->m;
        }
        p = r->dcache[pi];
        if (!p) {
            /* slots on cache lines; freed with free() by machine_free
             * like every dcache page */
            p = aligned_alloc(64, sizeof *p);
            if (!p)
                return NULL; /* no memory: run uncached */
            memset(p, 0, sizeof *p);
            r->dcache[pi] = p;
        }
        t->dpage = p;
    }
    if (p->code_size != x->code_size) {
        dpage_reset(p);
        p->code_size = x->code_size;
    }
    unsigned off = (unsigned)(la & 0xfff);
    if (p->idx[off] == X86_DSLOT_SLOW)
        return NULL;
    if (p->n == X86_DPAGE_SLOTS) {
        dpage_reset(p); /* full: start again */
        p->code_size = x->code_size;
    }
    if (!(r->page_flags[pi] & PAGE_CODE)) {
        r->page_flags[pi] |= PAGE_CODE;
        x86_tlb_drop_writes(x->m, t->pa);
    }
    const uint8_t *bytes = r->host + (pi << 12) + off;
    unsigned avail = 4096 - off < 15 ? 4096 - off : 15;
    unsigned k = p->n;
    struct x86_insn *in = &p->full[k];
    int len = x86_decode(bytes, avail, x->code_size, in);
    if (len <= 0 || ((in->prefixes & X86_PFX_LOCK) && !((in->flags & X86_I_LOCKABLE) && in->mod != 3))) {
        /* crosses into the next page, #UD or #GP: the slow path decides */
        p->idx[off] = X86_DSLOT_SLOW;
        return NULL;
    }
    memset(p->raw[k], 0, sizeof p->raw[k]);
    memcpy(p->raw[k], bytes, (unsigned)len);
    p->raw[k][15] = (uint8_t)len; /* x86_cpu.insn_raw: bytes and length (at most 15) */
    struct x86_dinsn *d = &p->d[k];
    x86_dinsn_init(d, in);
    d->off = (uint16_t)off;
    p->blen[k] = 0; /* block.c: a block starting here is not known yet */
    p->jit[k] = 0;  /* jit.c: nor its compiled code */
    p->bfn[k] = d->fast; /* block.c: flags computed until a block finds them dead */
    p->idx[off] = (uint16_t)(++p->n);
    *page = p;
    return d;
}
