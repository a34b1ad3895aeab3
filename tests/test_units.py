"""cmacheck.units: memparse (lib/cmdline.c semantics), strict sizes, formatting."""

from __future__ import annotations

import pytest

from cmacheck.errors import UsageError
from cmacheck.units import (
    format_range,
    format_size,
    hexaddr,
    hexaddr32,
    memparse,
    memparse_info,
    parse_size,
)

M = 1 << 20
G = 1 << 30
WRAP = 1 << 64

MEMPARSE = [
    ("decimal", "1024", 1024, ""),
    ("zero", "0", 0, ""),
    ("k-lower", "4k", 4096, ""),
    ("k-upper", "4K", 4096, ""),
    ("m-lower", "64m", 64 * M, ""),
    ("m-upper", "64M", 64 * M, ""),
    ("g", "2G", 2 * G, ""),
    ("t", "1T", 1 << 40, ""),
    ("p", "1p", 1 << 50, ""),
    ("e", "1E", 1 << 60, ""),
    ("hex", "0x40000000", 0x40000000, ""),
    ("hex-upper-X", "0X1F", 0x1F, ""),
    ("hex-suffix", "0x10M", 16 * M, ""),
    ("hex-digit-b-not-suffix", "0x1b", 0x1B, ""),
    ("octal", "010", 8, ""),
    ("octal-suffix", "010M", 8 * M, ""),
    ("octal-stops-at-8", "08", 0, "8"),
    ("0x-alone", "0x", 0, "x"),
    ("0x-no-hex-digit", "0xg", 0, "xg"),
    ("empty", "", 0, ""),
    ("garbage", "foo", 0, "foo"),
    ("suffix-only", "M", 0, ""),
    ("trailing-garbage", "12Q", 12, "Q"),
    ("suffix-then-garbage", "64MB", 64 * M, "B"),
    ("one-suffix-only", "1KK", 1024, "K"),
    ("stops-at-at", "64M@0x50000000", 64 * M, "@0x50000000"),
    ("no-sign", "-1", 0, "-1"),
    ("no-leading-space", " 1", 0, " 1"),
    ("u64-max", "0xffffffffffffffff", WRAP - 1, ""),
    ("digits-overflow-wraps", "18446744073709551616", 0, ""),
    ("suffix-overflow-wraps", "16E", 0, ""),
    ("suffix-shift-wraps", "0xffffffffffffffffK", (WRAP - 1) << 10 & (WRAP - 1), ""),
]


@pytest.mark.parametrize(
    ("text", "value", "rest"), [c[1:] for c in MEMPARSE], ids=[c[0] for c in MEMPARSE]
)
def test_memparse(text: str, value: int, rest: str) -> None:
    assert memparse(text) == (value, rest)


@pytest.mark.parametrize(
    ("text", "digits", "overflow"),
    [
        ("64M", True, False),
        ("M", False, False),
        ("", False, False),
        ("16E", True, True),
        ("99999999999999999999", True, True),
    ],
    ids=["number", "suffix-only", "empty", "shift-overflow", "digit-overflow"],
)
def test_memparse_info(text: str, digits: bool, overflow: bool) -> None:
    info = memparse_info(text)
    assert (info.digits, info.overflow) == (digits, overflow)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2G", 2 * G), ("0x80000000", 0x80000000), ("1024", 1024), (" 64M ", 64 * M), ("010", 8)],
    ids=["suffix", "hex", "decimal", "spaces-stripped", "octal"],
)
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize(
    "text",
    ["12Q", "", "   ", "0x", "M", "64MB", "-1", "16E", "1.5G", "08"],
    ids=[
        "bad-suffix",
        "empty",
        "blank",
        "0x-alone",
        "suffix-only",
        "two-letters",
        "negative",
        "overflow",
        "fraction",
        "bad-octal",
    ],
)
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_size(text)
    assert str(err.value) == f"invalid size '{text}'"


FORMAT = [
    ("zero", 0, "0 bytes"),
    ("one", 1, "1 byte"),
    ("small", 512, "512 bytes"),
    ("kib", 4096, "4 KiB"),
    ("mib", 64 * M, "64 MiB"),
    ("gib-fraction", 3 * G // 2, "1.5 GiB"),
    ("gib-two-decimals", 5 * G // 4, "1.25 GiB"),
    ("three-decimals-falls-back", 1152 * 1024, "1152 KiB"),
    ("not-kib-exact", 0x1040, "4160 bytes"),
    ("mib-plus-one", 3 * M + 1, "3145729 bytes"),
    ("below-unit-stays-smaller", G // 2, "512 MiB"),
    ("tib", 1 << 40, "1 TiB"),
    ("eib", 1 << 60, "1 EiB"),
]


@pytest.mark.parametrize(("n", "text"), [c[1:] for c in FORMAT], ids=[c[0] for c in FORMAT])
def test_format_size(n: int, text: str) -> None:
    assert format_size(n) == text


def test_format_size_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_size(-1)


@pytest.mark.parametrize(
    ("base", "size", "text"),
    [
        (0x40000000, 0x40000000, "0x40000000-0x7fffffff"),
        (0, 0x1000, "0x0-0xfff"),
        (0x50000000, 0, "0x50000000 (empty)"),
        (0xFFFFF000, 0x1000, "0xfffff000-0xffffffff"),
    ],
    ids=["one-gib", "from-zero", "empty", "top-of-32-bit"],
)
def test_format_range(base: int, size: int, text: str) -> None:
    assert format_range(base, size) == text


@pytest.mark.parametrize(
    ("n", "bits", "text"),
    [
        (0x40000000, 64, "0x0000000040000000"),
        (0xBFA00000, 64, "0x00000000bfa00000"),
        (0x1BF000000, 64, "0x00000001bf000000"),
        (0x40000000, 32, "0x40000000"),
        (0, 32, "0x00000000"),
    ],
    ids=["arm64", "qemu-cma", "above-4g", "arm-no-lpae", "zero-32"],
)
def test_hexaddr(n: int, bits: int, text: str) -> None:
    assert hexaddr(n, phys_bits=bits) == text


def test_hexaddr32_and_errors() -> None:
    assert hexaddr32(0xFFE00000) == "0xffe00000"
    with pytest.raises(ValueError):
        hexaddr32(1 << 32)
    with pytest.raises(ValueError):
        hexaddr(-1)
    with pytest.raises(ValueError):
        hexaddr(0, phys_bits=48)
