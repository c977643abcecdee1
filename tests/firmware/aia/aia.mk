# aia.mk — Makefile fragment for tests/firmware/aia (the M-mode IMSIC test
# program, docs/riscv.md "AIA").
AIA_TEST_DIR  := tests/firmware/aia
AIA_TEST_ELF  := $(BUILD)/firmware/aia-test.elf
AIA_TEST_SRCS := $(wildcard $(AIA_TEST_DIR)/*.c $(AIA_TEST_DIR)/*.S) $(AIA_TEST_DIR)/build.sh \
                 tests/firmware/virtio/link.ld

$(AIA_TEST_ELF): $(AIA_TEST_SRCS)
	bash $(AIA_TEST_DIR)/build.sh $(BUILD)/firmware
