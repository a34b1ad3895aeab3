#!/bin/sh
# Fetch the benchmark corpus: the DTBs and the .config of Debian's 6.1 arm64 kernel
# package (577 DTBs), without touching this machine's own apt state.
#
#   sh benchmarks/fetch_corpus.sh [DIR]      (default: benchmarks/corpus, git-ignored)
#
# Result: DIR/dtbs/**.dtb, DIR/config (the package's boot/config-*), DIR/PACKAGE (name_version).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/corpus}
mkdir -p "$dir/apt/lists/partial" "$dir/apt/archives/partial"
o="-oAPT::Architecture=arm64 -oAPT::Architectures=arm64 -oDir::State::Lists=$dir/apt/lists"
o="$o -oDir::Cache::Archives=$dir/apt/archives"
# This machine's own sources (Debian bookworm incl. its security/updates suites), read for
# arm64 into a private list directory.
# shellcheck disable=SC2086
apt-get $o update -qq
# shellcheck disable=SC2086
pkg=$(apt-cache $o search '^linux-image-6\.1\.0-[0-9]+-arm64$' | cut -d' ' -f1 | sort -V | tail -1)
[ -n "$pkg" ] || { echo "no linux-image-6.1.0-*-arm64 package found" >&2; exit 1; }
cd "$dir/apt"
chmod 777 "$dir/apt"  # apt's _apt user downloads into the current directory
# shellcheck disable=SC2086
apt-get $o download "$pkg"
rm -rf "$dir/pkg" && dpkg-deb -x "$dir"/apt/"$pkg"_*.deb "$dir/pkg"
rm -rf "$dir/dtbs" && mkdir -p "$dir/dtbs"
(cd "$dir"/pkg/usr/lib/linux-image-* && find . -name '*.dtb' | while read -r f; do
    mkdir -p "$dir/dtbs/$(dirname "$f")"; cp "$f" "$dir/dtbs/$f"; done)
cp "$dir"/pkg/boot/config-* "$dir/config"
basename "$dir"/apt/"$pkg"_*.deb .deb > "$dir/PACKAGE"
rm -rf "$dir/pkg"
echo "$(find "$dir/dtbs" -name '*.dtb' | wc -l) DTBs and config of $(cat "$dir/PACKAGE") in $dir"
