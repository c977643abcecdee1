# Linux 6.1 x86_64 on 4 CPUs (tests/gdb/run.sh, issue 11 item 8): symbols
# from vmlinux (no DWARF: breakpoints on ELF symbols), a breakpoint in the
# reschedule-IPI path on CPU 2 (thread 3), that CPU stepped and continued
# with scheduler-locking on while the others stay stopped, `monitor
# break-on ipi`. Every printf line and `monitor harts` is checked by run.sh.
set pagination off
set confirm off
set architecture i386:x86-64
target remote :PORT
break native_smp_send_reschedule thread 3
continue
printf "RESCHED thread=%d rip=%#lx target=%ld\n", $_thread, $rip, $rdi
info symbol $rip
delete
printf "BEFORE\n"
monitor harts
set scheduler-locking on
thread 1
printf "OTHER1 rip=%#lx\n", $rip
thread 2
printf "OTHER2 rip=%#lx\n", $rip
thread 4
printf "OTHER4 rip=%#lx\n", $rip
thread 3
stepi
stepi
stepi
stepi
printf "STEPPED thread=%d rip=%#lx\n", $_thread, $rip
x/i $rip
break __default_send_IPI_dest_field thread 3
continue
printf "SENDIPI thread=%d rip=%#lx\n", $_thread, $rip
info symbol $rip
delete
printf "AFTER\n"
monitor harts
thread 1
printf "OTHER1 rip=%#lx\n", $rip
thread 2
printf "OTHER2 rip=%#lx\n", $rip
thread 4
printf "OTHER4 rip=%#lx\n", $rip
thread 3
set scheduler-locking off
monitor break-on ipi
continue
printf "BREAKIPI thread=%d rip=%#lx\n", $_thread, $rip
info symbol $rip
monitor break-on ipi 1
continue
printf "BREAKIPI1 thread=%d rip=%#lx\n", $_thread, $rip
info symbol $rip
monitor break-on off
continue
