#!/bin/sh
# embed.sh NAME FILE — print a C file defining `const char NAME[]` with FILE's bytes.
# Used to compile offline-db/schema.sql into the catalogue (no xxd on a fresh machine).
set -eu
name=$1
file=$2
printf '/* generated from %s by tests/embed.sh; do not edit */\n' "$file"
printf 'const char %s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$file"
printf ';\n'
