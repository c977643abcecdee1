# virtio.mk — Makefile fragment for tests/firmware/virtio (the M-mode
# virtio-blk / virtio-rng / goldfish RTC test program, docs/virtio.md).
VIRTIO_TEST_DIR  := tests/firmware/virtio
VIRTIO_TEST_ELF  := $(BUILD)/firmware/virtio-test.elf
VIRTIO_TEST_SRCS := $(wildcard $(VIRTIO_TEST_DIR)/*.c $(VIRTIO_TEST_DIR)/*.S \
                               $(VIRTIO_TEST_DIR)/*.ld) $(VIRTIO_TEST_DIR)/build.sh

$(VIRTIO_TEST_ELF): $(VIRTIO_TEST_SRCS)
	bash $(VIRTIO_TEST_DIR)/build.sh $(BUILD)/firmware
