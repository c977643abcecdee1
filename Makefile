# hvsim — top-level build. `make run` installs missing Debian packages,
# builds and runs the default demo; `make test` runs everything CI checks.

BUILD    ?= build
CC       ?= gcc
OPT      ?= -O2
PKGS     := libelf libfdt capstone inih libzstd
CFLAGS   ?=
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wno-unused-parameter \
            -fno-strict-aliasing -MMD -MP -Isrc
LDLIBS   += -lelf -lfdt -lcapstone -linih -lzstd -lxxhash -lcrypto -lm
# The timeline viewer (src/view/, `hvsim trace view`) draws with SDL2 and
# SDL2_ttf, and writes PNG pictures with libpng; only its objects see their
# headers.
VIEW_CFLAGS := $(shell pkg-config --cflags sdl2 SDL2_ttf libpng zlib)
LDLIBS   += $(shell pkg-config --libs sdl2 SDL2_ttf libpng zlib)
# fpu.c relies on the host's IEEE-754 rounding modes and flags (fenv.h)
FPU_CFLAGS := -frounding-math -fsignaling-nans

SRCS     := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS     := $(patsubst %.c,$(BUILD)/%.o,$(SRCS)) $(BUILD)/gen/default_config.o
LIB_OBJS := $(filter-out $(BUILD)/src/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRCS))

RV_CC    := riscv64-unknown-elf-gcc
ISA_SRCS := $(sort $(wildcard tests/isa/*.S))
ISA_ELFS := $(patsubst tests/isa/%.S,$(BUILD)/isa/%.elf,$(ISA_SRCS))
ISA_FLAGS := -march=rv64gc_zba_zbb_zbs -mabi=lp64d -nostdlib -nostartfiles -static \
             -mcmodel=medany -T tests/isa/link.ld -Itests/isa

.PHONY: all deps run test unit isa e2e gdb asan bench firmware clean traces-update layering x86-xcheck x86-difftest view-picture race-picture live-picture
all: $(BUILD)/hvsim

deps:
	@bash scripts/deps.sh

$(BUILD)/hvsim: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/src/cpu/riscv/fpu.o: CFLAGS += $(FPU_CFLAGS)
$(BUILD)/src/view/%.o: CFLAGS += $(VIEW_CFLAGS)
# the x87 model computes on the host's 80-bit long double (fpu_x87.c header)
$(BUILD)/src/cpu/x86/fpu_x87.o: CFLAGS += $(FPU_CFLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The built-in machine configurations (--machine NAME; none: riscv-virt).
$(BUILD)/gen/default_config.c: configs/riscv-virt.ini configs/x86-pc.ini scripts/embed.sh
	@mkdir -p $(dir $@)
	bash scripts/embed.sh config_default_ini configs/riscv-virt.ini config_x86_pc_ini configs/x86-pc.ini > $@

$(BUILD)/gen/default_config.o: $(BUILD)/gen/default_config.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/unit_tests: $(UNIT_OBJS) $(LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs check)

# The x86 differential tester (tests/x86/difftest.c): the host CPU is the
# oracle for the interpreter. A fixed set of seeds; --seed S --count N by hand.
# --engines: every sequence also on --engine interp vs fast in short runs.
$(BUILD)/x86-difftest: $(BUILD)/tests/x86/difftest.o $(LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# --gen tables: opcodes drawn from the decoder's own tables (docs/x86.md).
X86_DIFFTEST_SEEDS ?= 1 2 3 4 5 6 7 8
# --mode compat: the same in compatibility mode (32-bit code segment).
X86_DIFFTEST_TABLE_SEEDS ?= 1 2 3 4
X86_DIFFTEST_COMPAT_SEEDS ?= 1 2
x86-difftest: $(BUILD)/x86-difftest
	@set -e; for s in $(X86_DIFFTEST_SEEDS); do $(BUILD)/x86-difftest --seed $$s --count 10000 --engines; done
	@set -e; for s in $(X86_DIFFTEST_TABLE_SEEDS); do $(BUILD)/x86-difftest --gen tables --seed $$s --count 5000 --engines; done
	@set -e; for s in $(X86_DIFFTEST_COMPAT_SEEDS); do $(BUILD)/x86-difftest --gen tables --mode compat --seed $$s --count 5000 --engines; done

$(BUILD)/isa/%.elf: tests/isa/%.S tests/isa/link.ld tests/isa/test_macros.h
	@mkdir -p $(dir $@)
	$(RV_CC) $(ISA_FLAGS) -o $@ $<

# ISA tests that #include another test's source (NAME_off.S, v256.S)
$(BUILD)/isa/v256.elf $(BUILD)/isa/v_off.elf: tests/isa/v.S

include tests/firmware/minihv/minihv.mk
include tests/firmware/virtio/virtio.mk
include tests/firmware/aia/aia.mk

# Our x86_64 test kernels (host gcc, freestanding): tests/firmware/x86/.
X86K_ELFS := $(BUILD)/firmware/x86-basic64.elf $(BUILD)/firmware/x86-smc.elf $(BUILD)/firmware/x86-x87.elf \
             $(BUILD)/firmware/x86-smp.elf $(BUILD)/firmware/x86-ipirace.elf $(BUILD)/firmware/x86-pausespin.elf \
             $(patsubst tests/firmware/x86/%.c,$(BUILD)/firmware/x86-%.elf,$(wildcard $(addprefix tests/firmware/x86/,exceptions.c paging.c syscall.c misc.c vmx.c))) \
             $(BUILD)/firmware/x86-mb1.elf \
             $(BUILD)/firmware/x86-mb1-aout.bin $(BUILD)/firmware/x86-mb2.elf \
             $(BUILD)/firmware/x86-mb2-64.elf $(BUILD)/firmware/x86-mb2-addr.bin \
             $(BUILD)/firmware/x86-mb2-fb.elf $(BUILD)/firmware/x86-mb2-fbopt.elf \
             $(BUILD)/firmware/x86-mb2-ask8.elf $(BUILD)/firmware/x86-tasks.elf \
             $(BUILD)/firmware/x86-vm86.elf $(BUILD)/firmware/x86-chaos-vm86.elf $(BUILD)/firmware/x86-chaos-prot32.elf $(BUILD)/firmware/x86-chaos-prot32-cpl0.elf $(BUILD)/firmware/x86-chaos-prot16.elf \
             $(BUILD)/firmware/x86-desc.elf $(BUILD)/firmware/x86-vmx-apic.elf \
             $(BUILD)/firmware/x86-xsave.elf
$(X86K_ELFS) &: $(wildcard tests/firmware/x86/*.c tests/firmware/x86/*.h tests/firmware/x86/*.S \
                        tests/firmware/x86/*.ld) tests/firmware/x86/build.sh
	bash tests/firmware/x86/build.sh $(BUILD)/firmware

# Our own test firmware: the ISA test programs, minihv and the x86 kernels.
firmware isa-build: $(ISA_ELFS) $(MINIHV_ELF) $(X86K_ELFS) $(VIRTIO_TEST_ELF) $(AIA_TEST_ELF)

# run, test and bench install the packages first, then build in a new make:
# the flags this Makefile reads from pkg-config (SDL2, ...) are only right
# once the packages are there (a fresh machine has none of them).
run: deps
	$(MAKE) all firmware
	bash scripts/demo.sh

# A race-free OpenSBI fw_jump.elf for --bios (OpenSBI 1.1 from Debian's
# archive with our SBI HSM hart_start fix; cached under /var/cache/hvsim):
# tests/firmware/opensbi/README.md. Prints the image's path.
.PHONY: opensbi
opensbi: deps
	@bash tests/firmware/opensbi/build.sh

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

isa: $(BUILD)/hvsim $(ISA_ELFS)
	bash tests/isa/run.sh $(BUILD)/hvsim $(ISA_ELFS)

e2e: $(BUILD)/hvsim firmware
	bash tests/e2e/run.sh $(BUILD)/hvsim
	bash tests/e2e/chaos.sh $(BUILD)/hvsim 64
	@set -e; for t in $(sort $(wildcard tests/e2e/t_*.sh)); do echo "== $$t"; bash $$t $(BUILD)/hvsim; done

# Sanitizer build in its own directory: unit tests + a short firmware boot.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	        LDFLAGS_EXTRA= build-asan/hvsim build-asan/unit_tests
	CK_FORK=no build-asan/unit_tests
	bash tests/e2e/asan_boot.sh build-asan/hvsim
	bash tests/e2e/chaos.sh build-asan/hvsim 24
	$(CC) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -Isrc -o build-asan/rsp_fuzz tests/fuzz/rsp_fuzz.c src/gdbstub/rsp.c
	build-asan/rsp_fuzz 200000

# gdb-multiarch sessions against the stub (tests/gdb/)
gdb: $(BUILD)/hvsim firmware
	bash tests/gdb/run.sh $(BUILD)/hvsim

# No architecture header outside its CPU model, board and interrupt
# controllers (docs/architecture.md "Layers").
layering:
	bash scripts/check-layering.sh

test: deps
	$(MAKE) all
	$(MAKE) layering
	$(MAKE) unit
	$(MAKE) x86-xcheck
	$(MAKE) x86-difftest
	$(MAKE) isa
	$(MAKE) e2e
	$(MAKE) gdb
	$(MAKE) asan

bench: deps
	$(MAKE) all
	bash tests/bench/run.sh $(BUILD)/hvsim

# The timeline picture in docs/view.md (`trace view --screenshot`, docs/view.md).
view-picture: $(BUILD)/hvsim
	$(BUILD)/hvsim trace view traces/minihv-4hart.hvt --from 14169000 --to 14249000 \
	    --screenshot docs/view-minihv.png >/dev/null

# docs/lost-ipi.png, the README's picture: the first seed that loses the IPI
# of docs/examples/lost-ipi.md (builds the Linux image if not cached).
race-picture: $(BUILD)/hvsim
	bash scripts/race-picture.sh $(BUILD)/hvsim docs/lost-ipi.png

# docs/view-live.png: the live window (run --display sdl) of minihv on Xvfb,
# stopped at IPIs by keys typed through the X server (xdotool), F12.
live-picture: $(BUILD)/hvsim firmware
	bash scripts/live-picture.sh $(BUILD)/hvsim docs/view-live.png

# Regenerates the golden traces (traces/goldens.txt); see traces/README.md.
traces-update: $(BUILD)/hvsim
	bash scripts/traces-update.sh $(BUILD)/hvsim

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) build-asan -name '*.d' 2>/dev/null)

# x86 decoder cross-check against capstone (tests/x86/decode_xcheck.c)
$(BUILD)/decode_xcheck: tests/x86/decode_xcheck.c tests/x86/xcheck_shim.c $(BUILD)/src/cpu/x86/decode.o $(BUILD)/src/cpu/x86/optab.o
	$(CC) $(CFLAGS) -o $@ $(filter %.c %.o,$^) -lcapstone

x86-xcheck: $(BUILD)/decode_xcheck all
	$(BUILD)/decode_xcheck
