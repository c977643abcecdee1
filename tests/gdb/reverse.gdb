# Reverse execution (tests/gdb/run.sh): stepi twice, reverse-stepi twice,
# and back over a breakpoint stop; registers must come back exactly.
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
break hv_boot
continue
printf "R0 pc=%#lx sp=%#lx\n", $pc, $sp
stepi
printf "R1 pc=%#lx\n", $pc
stepi
printf "R2 pc=%#lx\n", $pc
reverse-stepi
printf "B1 pc=%#lx\n", $pc
reverse-stepi
printf "B0 pc=%#lx sp=%#lx\n", $pc, $sp
stepi
printf "F1 pc=%#lx\n", $pc
delete
break hv_handle_trap
continue
printf "T0 pc=%#lx\n", $pc
reverse-stepi
printf "TB pc=%#lx\n", $pc
info symbol $pc
continue
continue
printf "T1 pc=%#lx sepc=%#lx sp=%#lx a0=%#lx\n", $pc, $sepc, $sp, $a0
continue
printf "T2 pc=%#lx sepc=%#lx sp=%#lx a0=%#lx\n", $pc, $sepc, $sp, $a0
reverse-continue
printf "RC pc=%#lx sepc=%#lx sp=%#lx a0=%#lx\n", $pc, $sepc, $sp, $a0
delete
continue
