/* An interrupt line from a device to an interrupt controller. ISA-neutral:
 * the UART does not know whether a PLIC or an IOAPIC is on the other end. */
#ifndef HVSIM_IRQ_H
#define HVSIM_IRQ_H

struct irq_line {
    void (*set)(void *opaque, int n, int level);
    void *opaque;
    int n;
};

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l->set)
        l->set(l->opaque, l->n, level);
}

#endif
