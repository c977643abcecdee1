#!/usr/bin/env bash
# A short 4-hart firmware boot under the ASan+UBSan build. Usage: asan_boot.sh HVSIM
set -u
HVSIM=$(realpath "$1")
cd "$(dirname "$0")"
. ./lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$HVSIM" run --smp 4 --bios "$OPENSBI" --kernel "$UBOOT" --max-insns 60000000 \
    --serial "file:$T/out" </dev/null 2>"$T/err"
rc=$?
if [ "$rc" -eq 3 ] && ! grep -q "ERROR: AddressSanitizer\|runtime error" "$T/err"; then
    pass "asan: firmware boot runs clean"
else
    fail "asan: firmware boot" "exit $rc: $(head -5 "$T/err")"
fi
expect_line "$T/out" "Platform HART Count       : 4" "asan: opensbi banner"
summary
