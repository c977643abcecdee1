# monitor hwtrig (docs/gdb.md "Hardware breakpoints through the harts'
# triggers"): minihv on 4 harts with sdtrig in the ISA. hbreak and watch
# become mcontrol6 triggers (dmode 1, action 1) in every hart; the stop is
# the trigger's, before the instruction (a watch: before the store, so gdb
# steps over it and shows the new value). tests/gdb/run.sh checks the output.
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
monitor hwtrig on
hbreak hv_boot
continue
printf "HB pc=%#lx\n", $pc
info symbol $pc
delete
watch *(int *)&harts_go
continue
printf "HW harts_go=%d pc=%#lx\n", *(int *)&harts_go, $pc
delete
hbreak hv_handle_trap
continue
printf "HT pc=%#lx\n", $pc
continue
printf "HT2 pc=%#lx\n", $pc
delete
monitor hwtrig off
continue
