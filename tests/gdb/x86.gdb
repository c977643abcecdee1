# The x86_64 target (tests/gdb/run.sh): build/firmware/x86-basic64.elf on
# the x86-pc board with 4 CPUs (CPU 0 in long mode, the others waiting for a
# SIPI). Every printf line is checked by run.sh.
set pagination off
set confirm off
set architecture i386:x86-64
target remote :PORT
printf "ENTRY rip=%#lx\n", $rip
info registers rip
info threads
printf "SYS cr0=%#lx cr3=%#lx cr4=%#lx efer=%#lx cs=%#x ss=%#x cpl=%d gdtr=%#lx rsp=%#lx eflags=%#x\n", $cr0, $cr3, $cr4, $efer, $cs, $ss, $cpl, $gdtr_base, $rsp, (int)$eflags
printf "FPU fctrl=%#x ftag=%#x mxcsr=%#x\n", $fctrl, $ftag, $mxcsr
break fib
continue
printf "FIB rip=%#lx\n", $rip
info symbol *(long *)$rsp
x/2i $rip
stepi
printf "STEP rip=%#lx\n", $rip
delete
# the exception tests: #DE, #UD, #GP, #PF read, #PF write (a hardware breakpoint)
hbreak x86t_trap
continue
printf "TRAP vec=%ld\n", *(long *)($rdi + 120)
continue
printf "TRAP vec=%ld\n", *(long *)($rdi + 120)
continue
printf "TRAP vec=%ld err=%#lx\n", *(long *)($rdi + 120), *(long *)($rdi + 128)
continue
printf "T1 rip=%#lx rsp=%#lx rdi=%#lx vec=%ld cr2=%#lx\n", $rip, $rsp, $rdi, *(long *)($rdi + 120), $cr2
continue
printf "T2 rip=%#lx rsp=%#lx rdi=%#lx vec=%ld cr2=%#lx\n", $rip, $rsp, $rdi, *(long *)($rdi + 120), $cr2
reverse-continue
printf "RC rip=%#lx rsp=%#lx rdi=%#lx vec=%ld cr2=%#lx\n", $rip, $rsp, $rdi, *(long *)($rdi + 120), $cr2
delete
watch *(long *)&sink
continue
printf "WATCH sink=%ld rip=%#lx\n", *(long *)&sink, $rip
reverse-stepi
printf "RSTEP sink=%ld rip=%#lx\n", *(long *)&sink, $rip
x/i $rip
stepi
printf "FSTEP sink=%ld rip=%#lx\n", *(long *)&sink, $rip
delete
set $xmm3.v2_int64[0] = 0x1122334455667788
printf "XMM3 %#lx\n", $xmm3.v2_int64[0]
monitor harts
thread 3
printf "CPU2 rip=%#lx cs=%#x cr0=%#lx\n", $rip, $cs, $cr0
thread 1
printf "FAILURES %d\n", *(int *)&x86t_failures
continue
