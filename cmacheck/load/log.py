"""Kernel-log input: read a log file and cut it down to the one boot to compare.

Accepts what people actually have: ``dmesg`` output (with or without ``[ 0.000000]``
timestamps or ``<6>`` levels, also ``dmesg -T`` wall-clock stamps), a serial-console capture
(``\\r\\n`` line ends, ANSI colour, bootloader noise before the kernel), ``journalctl -k``
(``Nov 21 00:58:35 host kernel: ...``), the ``/dev/kmsg`` record format
(``6,123,456,-;message``), plain or gzip-compressed.  Several boots in one file are split at
the kernel's ``Booting Linux on physical CPU`` / ``Linux version`` banner; the last one is used
unless a number is given.  The normalised lines then go to :func:`cmacheck.dmesg.parse_log`.
"""

from __future__ import annotations

import gzip
import io
import re

from cmacheck.errors import InputError, UsageError
from cmacheck.load.dtb import read_file

# Bounded work on hostile input: a boot log is a few hundred KiB; cap what is examined.
MAX_LOG_BYTES = 64 << 20

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_JOURNAL = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: ")
_JOURNAL_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* \S+ kernel: ")
_JOURNAL_MONO = re.compile(r"^(\[\s*\d+\.\d+\]) \S+ kernel: ")
_DMESG_T = re.compile(r"^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] ")
_KMSG = re.compile(r"^\d+,\d+,\d+,[^;]*;")
# The first lines every boot prints (arm/arm64: "Booting Linux on physical CPU"; all:
# "Linux version").  A boot starts at whichever comes first.
_BANNER = re.compile(r"(?:^|\] |^<\d>)(?:Booting Linux on physical CPU|Linux version \d)")


def normalise(line: str) -> str:
    """One log line in the ``[ts] message`` / ``message`` form parse_log understands."""
    line = _ANSI.sub("", line).replace("\r", "")
    m = _JOURNAL_MONO.match(line)
    if m:
        return f"{m.group(1)} {line[m.end():]}"
    for pattern in (_JOURNAL, _JOURNAL_ISO, _DMESG_T, _KMSG):
        m = pattern.match(line)
        if m:
            return line[m.end() :]
    return line


def split_boots(lines: list[str]) -> list[list[str]]:
    """The boots in a log, in file order (text before the first banner is dropped)."""
    boots: list[list[str]] = []
    current: list[str] | None = None
    seen_banner_line = -2
    for i, line in enumerate(lines):
        if _BANNER.search(line):
            # "Booting Linux" is followed by "Linux version" in the same boot.
            if not (i == seen_banner_line + 1 and "Linux version" in line):
                current = []
                boots.append(current)
            seen_banner_line = i
        if current is not None:
            current.append(line)
    if not boots and lines:
        return [lines]  # a fragment without the banner: take it whole
    return boots


def read_log(path: str, boot: int | None = None) -> tuple[str, int, int]:
    """The text of one boot from ``path``: (text, boot number 1-based, number of boots).

    Raises InputError when the file is unreadable, not text, or holds no kernel log;
    UsageError when ``boot`` is out of range.
    """
    data = read_file(path)
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
                data = f.read(MAX_LOG_BYTES + 1)
        except (OSError, EOFError):
            raise InputError(path, "cannot decompress: truncated or corrupt gzip data") from None
    data = data[:MAX_LOG_BYTES]
    if b"\0" in data[:4096]:
        raise InputError(path, "not a kernel log (binary data)")
    return pick_boot(data.decode("utf-8", "replace"), path, boot)


def pick_boot(text: str, source: str, boot: int | None = None) -> tuple[str, int, int]:
    """Normalise ``text`` and keep one boot of it (see :func:`read_log`)."""
    lines = [normalise(x) for x in text.split("\n")]
    boots = split_boots(lines)
    if not boots or not any(x.strip() for x in boots[-1]):
        raise InputError(source, "empty kernel log")
    if boot is None:
        return "\n".join(boots[-1]), len(boots), len(boots)
    if not 1 <= boot <= len(boots):
        raise UsageError(f"--boot {boot}: {source} holds {len(boots)} boot(s)")
    return "\n".join(boots[boot - 1]), boot, len(boots)
