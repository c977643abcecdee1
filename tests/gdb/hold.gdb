# gdb holds CPUs (tests/gdb/run.sh, docs/gdb.md "Holding CPUs"): with
# scheduler-locking on, continue resumes only the selected CPU (vCont;c:TID).
# Forces the start-up race of tests/firmware/race/startup_race.S by hand:
# park cpu1 (thread 2) right after it enabled its IPI, let cpu0 (thread 1)
# run 70 ms of virtual time ahead and send the IPI, then let both run.
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
set scheduler-locking on
thread 2
break secondary_work
continue
printf "PARK pc=%#lx\n", $pc
monitor vtime
delete
thread 1
break ipi_sent
continue
printf "SENT pc=%#lx\n", $pc
monitor vtime
monitor harts
thread 2
printf "HELD pc=%#lx mip=%#lx\n", $pc, $mip
delete
set scheduler-locking off
continue
