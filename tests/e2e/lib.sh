# Shared helpers for the end-to-end tests (sourced).
OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf
PASSED=0
FAILED=0

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=$((FAILED + 1)); }

# expect_line FILE TEXT NAME: FILE contains the fixed string TEXT
expect_line() {
    if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3" "no line '$2' in $1"; fi
}

# wait_for FILE TEXT [COUNT] [SECONDS]: until TEXT occurs COUNT times
wait_for() {
    local file=$1 text=$2 count=${3:-1} secs=${4:-300} i=0
    while [ "$i" -lt $((secs * 10)) ]; do
        if [ "$(grep -cF -- "$text" "$file" 2>/dev/null)" -ge "$count" ]; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

summary() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
