#!/usr/bin/env bash
# Regenerates every golden trace listed in traces/goldens.txt.
#   bash scripts/traces-update.sh [HVSIM]      (default: build/hvsim)
# Each line "NAME.hvt: RUN-OPTIONS" is recorded as
#   HVSIM run RUN-OPTIONS --trace traces/NAME.hvt
# with stdin from /dev/null. A run that ends in a host error (exit 2) leaves
# the old golden in place and makes the script fail. For every golden that
# changed, the first difference (hvsim trace diff) is shown: commit the new
# goldens only when that change was intended (traces/README.md).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
HVSIM=${1:-$root/build/hvsim}
list=$root/traces/goldens.txt
if [ ! -x "$HVSIM" ]; then
    echo "traces-update: simulator '$HVSIM' not found (run make first)" >&2
    exit 2
fi
if [ ! -f "$list" ]; then
    echo "traces-update: $list not found" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" # goldens name our own firmware relative to the top (build/firmware/...)
status=0
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case "$line" in '' | '#'*) continue ;; esac
    name=${line%%:*}
    opts=${line#*:}
    case "$name" in
    *.hvt) ;;
    *)
        echo "traces-update: $list:$lineno: expected 'NAME.hvt: RUN-OPTIONS'" >&2
        status=2
        continue
        ;;
    esac
    read -r -a args <<<"$opts"
    new=$tmp/$name
    "$HVSIM" run "${args[@]}" --trace "$new" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if [ "$rc" -eq 2 ] || [ ! -s "$new" ]; then
        echo "traces-update: $name: hvsim run failed (exit $rc): $(tail -1 "$tmp/$name.err")" >&2
        status=2
        continue
    fi
    golden=$root/traces/$name
    how="exit $rc: $(tail -1 "$tmp/$name.err")"
    if [ ! -f "$golden" ]; then
        echo "$name: new ($how)"
    elif cmp -s "$golden" "$new"; then
        echo "$name: unchanged ($how)"
    elif "$HVSIM" trace diff "$golden" "$new" >"$tmp/$name.diff" 2>&1; then
        echo "$name: same events, header changed ($how)"
        grep '^# note:' "$tmp/$name.diff" | sed 's/^/    /'
    else
        echo "$name: CHANGED ($how)"
        sed 's/^/    /' "$tmp/$name.diff"
    fi
    cp "$new" "$golden" || status=2
done <"$list"
# The Linux/KVM run is kept as a digest (event counts per kind and CPU and
# the VM-exit table), traces/linux-kvm.stats: its trace is large and names
# an image in the build cache.
HVSIM_TRACES_UPDATE=1 bash "$root/tests/e2e/t_linux.sh" "$HVSIM" | grep -E "wrote|FAIL" || status=1
exit "$status"
