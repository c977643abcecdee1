/* The guest programs (guest/vm1.c, guest/vm2.c as raw binaries for GPA
 * 0x80000000), embedded into the launcher. build.sh assembles this with -I
 * pointing at the directory holding vm1.bin and vm2.bin. */
    .section .rodata.kt_guests, "a"
    .balign 16
    .globl kt_vm1_bin, kt_vm1_bin_end
kt_vm1_bin:
    .incbin "vm1.bin"
kt_vm1_bin_end:
    .balign 16
    .globl kt_vm2_bin, kt_vm2_bin_end
kt_vm2_bin:
    .incbin "vm2.bin"
kt_vm2_bin_end:
    .section .note.GNU-stack, "", @progbits
