"""Sizes and addresses: the kernel's ``memparse`` and the ways cmacheck prints numbers.

``memparse`` follows lib/cmdline.c:memparse (identical 5.4 -> 7.2): ``simple_strtoull(s, &end, 0)``
(decimal, ``0x`` hex when a hex digit follows, leading-``0`` octal; no sign, no leading space),
then one optional suffix K/M/G/T/P/E in either case, each shifting by 10 more bits. Arithmetic is
``unsigned long long``: results wrap modulo 2**64 exactly as in the kernel, overflow is silent.
"""

from __future__ import annotations

from cmacheck.errors import UsageError
from cmacheck.records import record

U64_MASK = (1 << 64) - 1

# memparse: suffix -> shift (lib/cmdline.c:memparse falls through E->P->T->G->M->K).
_SUFFIX_SHIFT = {"k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}
_HEX = "0123456789abcdefABCDEF"
_UNITS = (("EiB", 60), ("PiB", 50), ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10))


def _digit(ch: str) -> int:
    # lib/kstrtox.c:_parse_integer accepts 0-9, a-f, A-F and then checks val < base.
    if "0" <= ch <= "9":
        return ord(ch) - ord("0")
    if "a" <= ch.lower() <= "f" and ch.isascii():
        return ord(ch.lower()) - ord("a") + 10
    return 99


def _strtoull(text: str) -> tuple[int, int, bool]:
    """lib/vsprintf.c:simple_strtoull(text, &end, 0): (wrapped value, end index, overflowed)."""
    pos = 0
    base = 10
    if text[:1] == "0":
        # _parse_integer_fixup_radix: "0x" counts as a prefix only when a hex digit follows.
        if text[1:2] in ("x", "X") and text[2:3] != "" and text[2:3] in _HEX:
            base = 16
            pos = 2
        else:
            base = 8
    value = 0
    exact = 0
    while pos < len(text):
        val = _digit(text[pos])
        if val >= base:
            break
        if exact <= U64_MASK:  # past 2**64 only "overflowed" matters: no quadratic big ints
            exact = exact * base + val
        value = (value * base + val) & U64_MASK
        pos += 1
    return value, pos, exact > U64_MASK


@record()
class Memparse:
    """What ``memparse`` did with a string, with the details the kernel throws away."""

    value: int
    """The kernel's result (modulo 2**64)."""
    rest: str
    """What memparse left unparsed (the kernel's ``retptr``)."""
    digits: bool
    """At least one digit was read (``memparse("M")`` is 0 with nothing left over)."""
    overflow: bool
    """The number or its suffix shift wrapped around 2**64."""


def memparse_info(text: str) -> Memparse:
    """``memparse`` plus whether digits were read and whether it wrapped."""
    value, end, overflow = _strtoull(text)
    digits = end > 0
    suffix = text[end : end + 1]
    shift = _SUFFIX_SHIFT.get(suffix.lower(), 0) if suffix.isascii() else 0
    if shift:
        exact = value << shift
        value = exact & U64_MASK
        overflow = overflow or exact > U64_MASK
        end += 1
    return Memparse(value, text[end:], digits, overflow)


def memparse(text: str) -> tuple[int, str]:
    """Parse like the kernel's ``memparse(ptr, &retptr)``.

    Returns (value modulo 2**64, the unparsed rest). Garbage gives ``(0, text)``.
    """
    info = memparse_info(text)
    return info.value, info.rest


def printable(text: str) -> str:
    """``text`` for a one-line message: control and other non-printable characters escaped
    (``"1G\\n"`` shows as ``1G\\n``), everything else as is."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def parse_size(text: str) -> int:
    """Parse a size or address given to cmacheck itself (``--ram 2G``, ``0x80000000``, ``1024``).

    Same syntax as memparse, but strict: the whole string must be consumed and must fit in 64 bits.

    Raises:
        UsageError: ``invalid size '12Q'``.
    """
    stripped = text.strip()
    if not stripped:
        raise UsageError(f"invalid size '{printable(text)}'")
    info = memparse_info(stripped)
    if info.rest or info.overflow or not info.digits:
        raise UsageError(f"invalid size '{printable(text)}'")
    return info.value


def format_size(n: int) -> str:
    """Exact human size: ``64 MiB``, ``1.5 GiB``, ``4 KiB``; ``4160 bytes`` when no unit is exact.

    A unit is used only when the value is at least 1 of it and exact with at most two decimals, so a
    printed size is never rounded.
    """
    if n < 0:
        raise ValueError(f"negative size {n}")
    for name, shift in _UNITS:
        unit = 1 << shift
        if n >= unit and (n * 100) % unit == 0:
            whole, frac = divmod(n * 100 // unit, 100)
            if frac == 0:
                return f"{whole} {name}"
            return f"{whole}.{frac:02d}".rstrip("0") + f" {name}"
    return "1 byte" if n == 1 else f"{n} bytes"


def format_range(base: int, size: int) -> str:
    """``0x40000000-0x7fffffff``: inclusive end, as the kernel prints ``[mem A-B]`` ranges.

    A zero-size range has no last byte and prints as ``0x50000000 (empty)``.
    """
    if size < 0 or base < 0:
        raise ValueError(f"invalid range base={base:#x} size={size}")
    if size == 0:
        return f"{base:#x} (empty)"
    return f"{base:#x}-{base + size - 1:#x}"


def hexaddr(n: int, *, phys_bits: int = 64) -> str:
    """The kernel's ``%pa``: ``0x`` and 2*sizeof(phys_addr_t) hex digits.

    ``phys_bits=64`` (arm64, riscv64, arm with LPAE): ``0x0000000040000000``;
    ``phys_bits=32`` (arm without LPAE): ``0x40000000``.
    """
    if phys_bits not in (32, 64):
        raise ValueError(f"phys_bits must be 32 or 64, not {phys_bits}")
    if not 0 <= n < (1 << phys_bits):
        raise ValueError(f"{n:#x} does not fit a {phys_bits}-bit phys_addr_t")
    return f"0x{n:0{phys_bits // 4}x}"


def hexaddr32(n: int) -> str:
    """``%pa`` on 32-bit arm without LPAE (8 hex digits)."""
    return hexaddr(n, phys_bits=32)


def mem_value(size: int) -> str:
    """The shortest exact memparse() spelling of ``size`` (lib/cmdline.c): 72M, 1G, 4096K."""
    for suffix, shift in (("G", 30), ("M", 20), ("K", 10)):
        if size and size % (1 << shift) == 0:
            return f"{size >> shift}{suffix}"
    return str(size)
