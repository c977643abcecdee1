# shellcheck shell=bash
# Helpers shared by the benchmark scripts (sourced, not run):
# tests/bench/run.sh, tests/bench/x86/run.sh and tests/bench/x86_kvm.sh.
#   bench_timed LOG CMD...   runs CMD (stdin /dev/null, output in LOG.out and
#                            LOG.err); sets rc, cpu (the children's user+sys
#                            seconds, from `times`) and wall (seconds), with
#                            $bench_digits decimals (default 3)
#   bench_mips N SECONDS     N instructions in SECONDS as MIPS ("%.1f"), "-"
#                            when either is 0 or empty
#   bench_ratios PREFIX HV QI QT
#                            prints "PREFIXratio hvsim/qemu-icount (speed)"
#                            (QI / HV) and, when QT > 0, the same for QEMU TCG
#   bench_hvsim_insns ERR    hvsim's retired count from its last
#                            "hvsim: REASON, N instructions" line in ERR

# The user+sys seconds of the children from a saved `times` output (its
# second line: "XmY.YYYs XmY.YYYs").
bench_times_sum() {
    awk 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/);
        printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"
}

# `times` must run in the calling shell, not in a $(...) subshell, to see
# the children: hence rc, cpu and wall are set, not printed.
# shellcheck disable=SC2034 # rc, cpu, wall: the results, for the caller
bench_timed() {
    local log=$1 dir t0 t1 d=${bench_digits:-3}
    shift
    dir=$(dirname "$log")
    times >"$dir/.times0"
    t0=$(date +%s.%N)
    "$@" </dev/null >"$log.out" 2>"$log.err"
    rc=$?
    t1=$(date +%s.%N)
    times >"$dir/.times1"
    cpu=$(awk -v a="$(bench_times_sum "$dir/.times1")" -v b="$(bench_times_sum "$dir/.times0")" \
          -v d="$d" 'BEGIN { printf "%." d "f", a - b }')
    wall=$(awk -v a="$t0" -v b="$t1" -v d="$d" 'BEGIN { printf "%." d "f", b - a }')
}

bench_mips() {
    awk -v n="${1:-0}" -v c="${2:-0}" 'BEGIN { if (c > 0 && n > 0) printf "%.1f", n / c / 1e6; else printf "-" }'
}

bench_ratios() {
    awk -v p="$1" -v h="$2" -v q="$3" -v t="${4:-0}" 'BEGIN {
        if (h > 0) {
            printf "%sratio hvsim/qemu-icount (speed): %.3f\n", p, q / h
            if (t > 0) printf "%sratio hvsim/qemu-tcg (speed):    %.3f\n", p, t / h
        } }'
}

bench_hvsim_insns() {
    grep -oE 'hvsim: .*, [0-9]+ instructions' "$1" | tail -1 | grep -oE '[0-9]+ instructions' | grep -oE '[0-9]+'
}
