/* The one table of supported VMCS fields (vmcs.h, SDM vol. 3C Appendix B)
 * and the lookups VMREAD / VMWRITE and the capability MSRs use. */
#include "vmcs.h"

const struct vmcs_field_info vmcs_field_table[VMCS_NFIELDS] = {
#define VMCS_FIELD_ROW(n, e, s) [VMCS_##n] = { e, s },
    VMCS_FIELDS(VMCS_FIELD_ROW)
#undef VMCS_FIELD_ROW
};

int vmcs_lookup(uint64_t enc, bool *high)
{
    /* bits 63:32 set: unsupported component (VMREAD/VMWRITE in 64-bit
     * mode, SDM vol. 3C §31.3 "VMREAD"); bits 12 and 15 are reserved in
     * every encoding (Appendix B.0) */
    if (enc >> 32 || (enc & 0x9000))
        return -1;
    *high = enc & 1;
    uint32_t e = (uint32_t)enc & ~1u;
    if (*high && vmcs_enc_width(e) != VMCS_W64)
        return -1; /* access type 1 only exists for 64-bit fields */
    int lo = 0, hi = VMCS_NFIELDS - 1; /* the table is in encoding order */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        uint32_t m = vmcs_field_table[mid].enc;
        if (m == e)
            return mid;
        if (m < e)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

uint64_t vmcs_width_mask(int idx)
{
    switch (vmcs_enc_width(vmcs_field_table[idx].enc)) {
    case VMCS_W16: return 0xffff;
    case VMCS_W32: return 0xffffffffull;
    default: return ~0ull;
    }
}

unsigned vmcs_max_index(void)
{
    unsigned m = 0;
    for (int i = 0; i < VMCS_NFIELDS; i++)
        if (vmcs_enc_index(vmcs_field_table[i].enc) > m)
            m = vmcs_enc_index(vmcs_field_table[i].enc);
    return m;
}
