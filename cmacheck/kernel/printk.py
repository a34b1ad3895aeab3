"""Render kernel printf formats (``%pa``, ``%lu`` ...) into the exact log text.

Only the conversions used by the messages in :mod:`cmacheck.kernel.changes` are
supported.  ``%pa`` prints a ``phys_addr_t`` as ``0x`` plus zero-padded hex, 16 digits
with a 64-bit ``phys_addr_t`` (arm64, riscv64, arm32 LPAE) and 8 digits otherwise
(lib/vsprintf.c: special_hex_number with sizeof(phys_addr_t) * 2 digits).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cmacheck.kernel.versions import Msg

_SPEC_RE = re.compile(r"%(%|pa|ll[dux]|l[dux]|[dusix])")


def kprintf(fmt: str, args: Sequence[int | str], phys_addr_bits: int = 64) -> str:
    """Format ``fmt`` like the kernel's vsnprintf for the supported conversions.

    Raises:
        ValueError: argument count or type does not match the format.
    """
    it = iter(args)
    used = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal used
        spec = m.group(1)
        if spec == "%":
            return "%"
        try:
            arg = next(it)
        except StopIteration:
            raise ValueError(f"too few arguments for {fmt!r}") from None
        used += 1
        if spec == "s":
            return str(arg)
        if not isinstance(arg, int):
            raise ValueError(f"%{spec} needs an int, got {arg!r}")
        if spec == "pa":
            digits = phys_addr_bits // 4
            return f"0x{arg & ((1 << phys_addr_bits) - 1):0{digits}x}"
        if spec.endswith("x"):
            return f"{arg & ((1 << 64) - 1):x}"
        if spec.endswith("u"):
            return str(arg & ((1 << 64) - 1))
        return str(arg)

    text = _SPEC_RE.sub(sub, fmt)
    if used != len(args):
        raise ValueError(f"too many arguments for {fmt!r}")
    return text


def render(msg: Msg, args: Sequence[int | str] = (), phys_addr_bits: int = 64) -> list[str]:
    """Return the log lines one printk of ``msg`` produces (prefix on the first line only)."""
    text = kprintf(msg.fmt, args, phys_addr_bits)
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n")
    lines[0] = msg.prefix + lines[0]
    return lines
