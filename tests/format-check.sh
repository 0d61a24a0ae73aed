#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tst_format: every C++ source of the repository is laid out as .clang-format says
# (`make format` rewrites them). clang-format's layout differs between major versions, so the
# check uses Debian 12's, clang-format 14, and says so when it is missing.
# Usage: format-check.sh SOURCE_DIR
set -euo pipefail
cd "$1"
tool=""
for candidate in clang-format-14 clang-format; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" --version | grep -q 'version 14\.'; then
        tool=$candidate
        break
    fi
done
if [ -z "$tool" ]; then
    echo "tst_format: clang-format 14 is not installed (apt-get install clang-format-14)"
    exit 1
fi
mapfile -t files < <(find app tests bench -name '*.cpp' -o -name '*.h' | sort)
if [ "${#files[@]}" -lt 100 ]; then
    echo "tst_format: only ${#files[@]} sources found under app/, tests/ and bench/"
    exit 1
fi
if ! "$tool" --dry-run -Werror "${files[@]}"; then
    echo "tst_format: the files above differ from .clang-format's layout; run 'make format'"
    exit 1
fi
echo "tst_format: ${#files[@]} files laid out as .clang-format says"
