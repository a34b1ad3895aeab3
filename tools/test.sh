#!/bin/sh
# Install what the test suite needs on a fresh Debian machine, then run it.
# Used by the README's test command and by .ci/run.
set -eu
cd "$(dirname "$0")/.."
missing=""
command -v dtc >/dev/null 2>&1 || missing="$missing device-tree-compiler"
command -v cpp >/dev/null 2>&1 || missing="$missing cpp"
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
python3 -m pip install -q -e '.[test]'
python3 -m pytest -q "$@"
