#!/usr/bin/env bash
# embed.sh NAME FILE: print a C file defining `const char NAME[]` = FILE's text.
set -eu
name=$1 file=$2
echo "/* generated from $file by scripts/embed.sh — do not edit */"
printf 'const char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed -E 's/ ([0-9a-f]{2})/0x\1,/g'
echo '0x00 };'
