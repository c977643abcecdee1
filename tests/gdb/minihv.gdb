# Scripted gdb-multiarch session against `hvsim run --smp 4 --kernel
# build/firmware/minihv.elf --gdb PORT --gdb-wait` (tests/gdb/run.sh).
# The expected lines are checked by run.sh.
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
info threads
break hv_boot
continue
printf "STOP1 pc=%#lx\n", $pc
info symbol $pc
printf "PRIV=%d\n", $priv
p/x $mhartid
set $sscratch = 0x1234
printf "SSCRATCH=%#lx\n", $sscratch
set $sscratch = 0
monitor phys on
x/1wx 0x80200000
monitor phys off
monitor trace-mark gdb was here
stepi
printf "STEP pc=%#lx\n", $pc
x/2i $pc
delete
watch *(int *)&harts_go
continue
printf "WATCH harts_go=%d pc=%#lx\n", *(int *)&harts_go, $pc
delete
break hv_handle_trap
continue
printf "TRAP pc=%#lx scause=%#lx\n", $pc, $scause
info symbol $pc
delete
# x86's VPID form does not exist here: refused, the filter stays as it was
monitor guest vpid 2
monitor guest 2
break *0x800002f4
continue
printf "GUEST pc=%#lx priv=%d virt=%d\n", $pc, $priv, $virt
x/i $pc
stepi
printf "GSTEP pc=%#lx priv=%d virt=%d\n", $pc, $priv, $virt
stepi
printf "GSTEP2 pc=%#lx priv=%d virt=%d\n", $pc, $priv, $virt
delete
monitor guest any
thread 3
printf "T3 pc=%#lx\n", $pc
monitor harts
delete
monitor break-on vmexit 0x17
continue
printf "VMEXIT scause=%#lx htval=%#lx\n", $scause, $htval
info symbol $pc
monitor break-on vmexit nonsense
monitor break-on vmexit hypercall
continue
printf "VMHCALL scause=%#lx virt=%d\n", $scause, $virt
# a reason by the name the trace tools print (rv_cause_name), any case
monitor break-on vmexit ECALL-vs
continue
printf "VMNAMED scause=%#lx virt=%d\n", $scause, $virt
monitor break-on off
continue
