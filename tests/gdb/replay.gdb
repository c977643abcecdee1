# A replay under gdb (tests/gdb/run.sh): breakpoints and continue keep the
# deterministic schedule, so the replay must still report identical.
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
break hv_handle_trap
continue
printf "RTRAP pc=%#lx scause=%#lx\n", $pc, $scause
delete
continue
