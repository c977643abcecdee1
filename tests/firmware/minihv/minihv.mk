# minihv.mk — Makefile fragment for tests/firmware/minihv.
# Include from the top-level Makefile after BUILD is set, e.g.
#     include tests/firmware/minihv/minihv.mk
#     firmware: $(MINIHV_ELF)
MINIHV_DIR  := tests/firmware/minihv
MINIHV_ELF  := $(BUILD)/firmware/minihv.elf
MINIHV_SRCS := $(wildcard $(MINIHV_DIR)/*.c $(MINIHV_DIR)/*.S $(MINIHV_DIR)/*.h \
                          $(MINIHV_DIR)/*.ld) $(MINIHV_DIR)/build.sh

$(MINIHV_ELF): $(MINIHV_SRCS)
	bash $(MINIHV_DIR)/build.sh $(BUILD)/firmware
