# `monitor guest vpid N` (tests/gdb/run.sh; docs/gdb.md "VMX guests"):
# build/firmware/x86-vmx_tlb.elf with [cpu] vmx = on, 1 CPU. Its guests
# share one VMCS and run guest_read first with VPID 1 (twice), then with
# VPID 2, then VPID 1 again, so only the VPID filter tells them apart.
# Every printf line is checked by run.sh.
set pagination off
set confirm off
set architecture i386:x86-64
target remote :PORT
# out of range: refused, no filter
monitor guest vpid 70000
monitor guest vpid 2
break guest_read
continue
printf "VPID2 rip_is_guest_read=%d\n", $rip == (long)&guest_read
info threads
# the next run of guest_read with VPID 1 (the one after VPID 2's)
monitor guest vpid 1
continue
printf "VPID1 rip_is_guest_read=%d\n", $rip == (long)&guest_read
info threads
monitor guest any
delete
continue
