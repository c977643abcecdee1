# gdb in VMX non-root operation (tests/gdb/run.sh; docs/gdb.md "x86_64"):
# build/firmware/x86-vmx.elf with [cpu] vmx = on, 1 CPU. Its guest runs
# the kernel's own code (guest_entry, guest_after_ud2, ...) in non-root
# operation; `monitor guest ID` (ID = the current-VMCS pointer, as `info
# threads` shows it) makes breakpoints fire only there. Every printf line
# is checked by run.sh.
set pagination off
set confirm off
set architecture i386:x86-64
target remote :PORT
# a filter naming no guest: the breakpoint in the guest's code does not
# fire; the watchpoint on exits_seen (the host counting the guest's first
# exit) stops first
monitor guest 1
break guest_entry
watch *(int *)&exits_seen
continue
printf "NOGUEST rip_in_guest_entry=%d exits_seen=%d\n", $rip == (long)&guest_entry, *(int *)&exits_seen
delete
# the filter naming the guest (its VMCS): the guest stops at
# guest_after_ud2, where the host resumes it after the #UD exit
eval "monitor guest %lu", (long)&vmcs_a
break guest_after_ud2
continue
printf "GUEST rip_is_after_ud2=%d cpl=%d cr3=%#lx\n", $rip == (long)&guest_after_ud2, $cpl, $cr3
info threads
x/i $rip
stepi
printf "GSTEP rax=%#lx\n", $rax
x/i $rip
# stepping the read of a not-present page: #PF, a VM exit (exception
# bitmap), the next instruction is the host's
stepi
printf "EXIT rip_is_exit_stub=%d\n", $rip == (long)&vm_exit_stub
info threads
# `monitor guest any`: a breakpoint in root operation fires again
monitor guest any
delete
break vm_enter
continue
printf "ROOT rip_is_vm_enter=%d\n", $rip == (long)&vm_enter
delete
# the EPT group's guest: EPT maps guest-physical 3 GiB (a 1-GByte page)
# onto host-physical 0, so the guest-linear address 3 GiB + &ept_e
# (identity guest paging) reads ept_e's bytes only when gdb translates
# through the guest's paging and then EPT
break guest_ept
continue
printf "EPTALIAS rip_is_guest_ept=%d via_3g=%#lx direct=%#lx\n", $rip == (long)&guest_ept, *(long *)(0xc0000000 + (long)&ept_e), *(long *)&ept_e
x/i $rip
delete
continue
