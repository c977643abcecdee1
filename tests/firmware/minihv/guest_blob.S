/* guest_blob.S — the guest image (guest.bin, built first) inside minihv.elf. */
    .section .rodata.guest, "a", @progbits
    .balign 16
    .globl guest_image, guest_image_end
guest_image:
    .incbin GUEST_BIN
guest_image_end:
