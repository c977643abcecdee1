# gdb on real Linux KVM (tests/gdb/run.sh, issue 15 item 6; docs/gdb.md
# "x86_64"): the Linux 6.1 KVM image (build_x86_64_kvm.sh) on 4 CPUs with
# vmx = on, symbols from its vmlinux. run.sh sets $ping (before this file)
# to the guest-linear address of VM 2's IPI handler kg_isr_ping
# (init_x86_kvm.c: the guest blob's offset + CODE_GPA; the guest has
# identity paging, so guest-linear = guest-physical) and $vec to its
# vector (VEC_PING), and checks every printf line against the source.
set pagination off
set confirm off
set architecture i386:x86-64
target remote :PORT
# 1. the host kernel: KVM's vCPU run loop (VM 1's vCPU, the first to run)
break vmx_vcpu_run
continue
printf "VCPURUN rip=%#lx\n", $rip
info symbol $rip
info threads
delete
# 2. break-on by exit-reason name, as `trace stats` prints them (any case):
# stops in the host right after the exit, at VMX's host RIP (vmx_vmexit)
monitor break-on vmexit bogus_reason
monitor break-on vmexit ept_violation
continue
printf "EPTEXIT rip=%#lx at_vmx_vmexit=%d\n", $rip, $rip == (long)&vmx_vmexit
monitor break-on vmexit IO
continue
printf "IOEXIT rip=%#lx at_vmx_vmexit=%d\n", $rip, $rip == (long)&vmx_vmexit
monitor break-on off
# 3. VM 2's guest: a breakpoint on a guest-linear address (the guest's
# paging, then KVM's EPT); fires on the vCPU that takes the IPI
monitor guest any
break *$ping
continue
# vmlinux's per-CPU symbols (exception_stacks at 0xc000...) cover these low
# addresses: gdb would name the guest's code after them and, at the first
# `set`, analyse a "prologue" at 0xc000, which the guest does not map.
# The host's symbols are not needed from here on.
symbol-file
printf "PING rip=%#lx is_ping=%d cs=%#x cr3=%#lx\n", $rip, $rip == $ping, $cs, $cr3
info threads
x/i $rip
# the interrupt frame: the interrupted RIP and CS on the guest's stack
printf "FRAME rip=%#lx cs=%#lx\n", *(long *)$rsp, *(long *)($rsp + 8)
# the guest's IDT gate for the ping vector names the same handler
set $gate = (unsigned long)$idtr_base + 16 * $vec
printf "GATE handler=%#lx\n", (*(unsigned short *)$gate) | ((unsigned long)*(unsigned short *)($gate + 6) << 16) | ((unsigned long)*(unsigned int *)($gate + 8) << 32)
set $rsp0 = $rsp
stepi
stepi
stepi
printf "GSTEP rip=%#lx pushed=%ld\n", $rip, $rsp0 - $rsp
x/i $rip
info registers rip rsp rax rcx rdx eflags cs
# 4. `monitor guest VMCS` with this vCPU's VMCS (as info threads shows it):
# the next ping stops on the same vCPU
python
import re
m = re.search(r"\* +\d+ +Thread [^\n]*VMX guest (0x[0-9a-f]+)", gdb.execute("info threads", to_string=True))
gdb.execute("set $vmcs = %s" % (m.group(1) if m else "0"))
end
printf "VMCS %#lx\n", $vmcs
eval "monitor guest %lu", $vmcs
continue
python
m = re.search(r"\* +\d+ +Thread [^\n]*VMX guest (0x[0-9a-f]+)", gdb.execute("info threads", to_string=True))
gdb.execute("set $vmcs2 = %s" % (m.group(1) if m else "0"))
end
printf "PING2 is_ping=%d same_vmcs=%d\n", $rip == $ping, $vmcs2 == $vmcs
# 5. a filter naming no guest: the pings left do not stop; the run ends
monitor guest 1
continue
