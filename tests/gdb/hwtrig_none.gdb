# monitor hwtrig on without sdtrig in the ISA: the harts have no triggers,
# so gdb cannot insert a hardware breakpoint (tests/gdb/run.sh).
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
monitor hwtrig on
hbreak hv_boot
continue
