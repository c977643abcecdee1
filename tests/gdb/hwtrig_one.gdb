# monitor hwtrig on with [cpu] triggers = 1: the hbreak takes the harts'
# only trigger, so the watchpoint cannot be inserted (tests/gdb/run.sh).
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
monitor hwtrig on
hbreak hv_boot
continue
printf "ONE pc=%#lx\n", $pc
watch *(int *)&harts_go
continue
