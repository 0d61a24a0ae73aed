#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tst_install: `cmake --install` into an empty prefix gives what a desktop and a package manager
# expect, and each file is valid for the tool that reads it.
# Usage: install-check.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail
build=$1 source=$2 version=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
id=io.github.wsinspector.WebSocketInspector
fail=0
need() { if [ ! -e "$prefix/$1" ]; then echo "missing: $1"; fail=1; fi; }
need bin/wsinspector
need bin/wsinspector-cli
need share/applications/$id.desktop
need share/metainfo/$id.metainfo.xml
need share/icons/hicolor/scalable/apps/$id.svg
for size in 16 32 48 64 128 256; do need share/icons/hicolor/${size}x${size}/apps/$id.png; done
need share/man/man1/wsinspector-cli.1
need share/doc/wsinspector/LICENSE
[ "$fail" = 0 ] || exit 1
# The icons are the sizes their folders say.
for size in 16 32 48 64 128 256; do
    png=$prefix/share/icons/hicolor/${size}x${size}/apps/$id.png
    dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{print ($1*16777216+$2*65536+$3*256+$4) "x" ($5*16777216+$6*65536+$7*256+$8)}')
    if [ "$dims" != "${size}x${size}" ]; then echo "$png is $dims"; exit 1; fi
done
desktop-file-validate "$prefix/share/applications/$id.desktop"
appstreamcli validate --no-net --pedantic "$prefix/share/metainfo/$id.metainfo.xml"
grep -q "<release version=\"$version\"" "$prefix/share/metainfo/$id.metainfo.xml" ||
    { echo "metainfo: no release $version"; exit 1; }
# The manual page renders without warnings, and the installed CLI tells project()'s version.
MANWIDTH=80 man --warnings -l "$prefix/share/man/man1/wsinspector-cli.1" 2>&1 >/dev/null | tee /tmp/wsi-man-warnings.$$
[ ! -s /tmp/wsi-man-warnings.$$ ] || { rm -f /tmp/wsi-man-warnings.$$; echo "man page warnings"; exit 1; }
rm -f /tmp/wsi-man-warnings.$$
out=$("$prefix/bin/wsinspector-cli" --version)
[ "$out" = "wsinspector-cli $version" ] || { echo "--version says: $out"; exit 1; }
echo "install layout OK ($prefix)"
