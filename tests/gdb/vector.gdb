# The vector registers on a V hart (tests/gdb/run.sh; docs/gdb.md "Vector
# registers"): tests/isa/v.S at VLEN 128 stopped at test_71, where test 70
# left v3 = v1 + v2 (e32, vl 4: {13, 27, -6, 0x7fffffff}); a write of v1
# from gdb reaches the guest's next vsub.vv; the run then still passes.
set pagination off
set confirm off
set architecture riscv:rv64
target remote :PORT
break *test_71
continue
printf "VLENB=%d VL=%d VTYPE=%#lx\n", $vlenb, $vl, $vtype
p/x $v3.w
p/x $v1.d
p $v2.b[4]
p $v1
info registers vector
info registers vl
# write one element of v1 from gdb, re-read it from the stub
set var $v1.w[0] = 1010
maintenance flush register-cache
printf "V1W0=%d\n", $v1.w[0]
# li, vsub.vv v3,v1,v2, auipc, addi, vse32.v v3,(t0): dst[0] = 1010 - 3
stepi 5
printf "DST0=%d\n", *(int *)&dst
# put back what test 71 expects (10 - 3) so that the run passes
set var *(int *)&dst = 7
set var $v1.w[0] = 10
# vtype and vl from gdb: vtype e64,m1 (VLMAX 2), vl clamped to it
set var $vtype = 0x18
set var $vl = 9
maintenance flush register-cache
printf "VTYPE2=%#lx VL2=%d\n", $vtype, $vl
set var $vtype = 0x10
set var $vl = 4
delete
continue
