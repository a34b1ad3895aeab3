"""The fuzz targets and their oracles, shared by ``tools/fuzz/fuzz.py`` (atheris) and
``tests/test_fuzz.py`` (hypothesis).

Each target takes the raw input bytes and either returns or raises :class:`Violation` (or lets
an unexpected exception escape): the contract is "a one-line InputError/UsageError or a
result, never a traceback, never a write to an input file".  Timing is the caller's job.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable

from cmacheck.errors import InputError, UsageError
from cmacheck.units import U64_MASK


class Violation(AssertionError):
    """The input broke the contract without raising by itself (multi-line error, wrong range,
    modified input file)."""


_TMP = tempfile.mkdtemp(prefix="cmacheck-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm")
                        else None)
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


def _one_line(e: Exception) -> None:
    text = str(e)
    if "\n" in text or "\r" in text or not text:
        raise Violation(f"{type(e).__name__} is not one line: {text!r}")


def _write(name: str, data: bytes) -> str:
    path = os.path.join(_TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _unchanged(path: str, data: bytes) -> None:
    with open(path, "rb") as f:
        if hashlib.sha256(f.read()).digest() != hashlib.sha256(data).digest():
            raise Violation(f"{path} was modified")


# ---------------------------------------------------------------- DTB


def dtb(data: bytes) -> None:
    """parse_dtb, then the board facts every rule reads (board.py)."""
    from cmacheck import board
    from cmacheck.load.dtb import parse_dtb

    try:
        dt = parse_dtb("fuzz.dtb", data)
    except InputError as e:
        _one_line(e)
        return
    cells = board.root_cells(dt)
    board.memory_nodes(dt, cells)
    board.chosen(dt, cells)
    rmem = board.reserved_memory(dt, cells)
    for r in rmem.children:
        (r.name, r.available, r.compatible, r.phandle, r.reg(cells), r.alloc_ranges(cells),
         r.number("size", cells.size), r.number("alignment", cells.address))
    board.memory_region_users(dt)
    board.max_dma_cpu_address(dt)
    for n in dt.walk():
        for p in n.props.values():
            p.strings  # noqa: B018
            p.string  # noqa: B018


_ARCHES = ("arm64", "arm", "riscv64")
_VERSIONS = ("5.4", "5.10", "6.1", "6.6", "6.12", "7.2")
_RAM = ((), ((None, 1 << 30),), ((0x40000000, 0x80000000),), ((0, 1 << 32), (1 << 33, 1 << 30)))


def dtb_run(data: bytes) -> None:
    """The whole cmacheck.api.run path (loader, context, rules, dry run) and the JSON report.

    The last byte, when there is one past the FDT's totalsize, picks arch, version and RAM;
    otherwise the length does.
    """
    from cmacheck.api import Inputs, run
    from cmacheck.report import json_report

    knob = data[-1] if data else 0
    total = int.from_bytes(data[4:8], "big") if len(data) >= 8 else 0
    if len(data) > total:
        data = data[:-1]
    else:
        knob = len(data)
    path = _write("run.dtb", data)
    inputs = Inputs(
        dt=path,
        kernel_version=_VERSIONS[knob % len(_VERSIONS)],
        arch=_ARCHES[(knob // 6) % len(_ARCHES)],
        ram=_RAM[(knob // 18) % len(_RAM)],  # type: ignore[arg-type]
    )
    try:
        report = run(inputs)
    except (InputError, UsageError) as e:
        _one_line(e)
        _unchanged(path, data)
        return
    _unchanged(path, data)
    json_report.render(report, io.StringIO())


# ---------------------------------------------------------------- .config

_CONFIG_ARCHES = (None, None, None, "arm64", "arm", "riscv64", "riscv32", "riscv")


def kconfig(data: bytes) -> None:
    """load_config on the bytes as a file; the first byte picks the ``arch`` argument."""
    from cmacheck.load.kconfig import load_config

    arch = _CONFIG_ARCHES[data[0] % len(_CONFIG_ARCHES)] if data else None
    path = _write(".config", data[1:])
    try:
        cfg = load_config(path, arch=arch)
    except (InputError, UsageError) as e:
        _one_line(e)
        _unchanged(path, data[1:])
        return
    _unchanged(path, data[1:])
    for p in cfg.problems:
        if "\n" in p.message:
            raise Violation(f"multi-line problem: {p.message!r}")
    dict(cfg.lines)
    cfg.enabled("CMA")


# ---------------------------------------------------------------- command line


def _only_usage(fn: Callable[[str], object], text: str) -> object:
    try:
        return fn(text)
    except UsageError as e:
        _one_line(e)
        return None


def cmdline(data: bytes) -> None:
    """parse_cmdline never raises; parse_cma_option / parse_size raise only UsageError."""
    from cmacheck.api import check_cmdline_option
    from cmacheck.load.cmdline import (
        ARCHES,
        POLICIES,
        compose_cmdline,
        parse_cma_option,
        parse_cmdline,
    )
    from cmacheck.units import memparse, parse_size

    text = data.decode("utf-8", "surrogateescape")
    c = parse_cmdline(text)
    for p in c.problems:
        if ("\n" in p or "\r" in p) and "\n" not in text and "\r" not in text:
            raise Violation(f"multi-line problem from a one-line input: {p!r}")
    if c.cma is not None:
        for v in (c.cma.size, c.cma.base, c.cma.limit):
            if not 0 <= v <= U64_MASK:
                raise Violation(f"cma value out of u64 range: {c.cma}")
    for v in (c.mem, c.cma_pernuma, c.hugetlb_cma.size if c.hugetlb_cma else None):
        if v is not None and not 0 <= v <= U64_MASK:
            raise Violation(f"value out of u64 range: {v}")
    value, rest = memparse(text)
    if not 0 <= value <= U64_MASK or not text.endswith(rest):
        raise Violation(f"memparse({text!r}) = {value}, {rest!r}")
    size = _only_usage(parse_size, text)
    if size is not None and not 0 <= size <= U64_MASK:  # type: ignore[operator]
        raise Violation(f"parse_size({text!r}) = {size}")
    _only_usage(parse_cma_option, text)
    _only_usage(parse_cma_option, "cma=" + text)
    _only_usage(check_cmdline_option, text)
    k = data[0] if data else 0
    half = len(text) // 2
    compose_cmdline(text[:half], bool(k & 1), text[half:] if k & 2 else None,
                    POLICIES[(k >> 2) % 4], ARCHES[(k >> 4) % 3],
                    ((5, 4, 0), (6, 1, 0), (6, 3, 0), (7, 2, 0))[(k >> 6) % 4])


# ---------------------------------------------------------------- kernel log


def dmesg(data: bytes) -> None:
    """parse_log never raises."""
    from cmacheck.dmesg import parse_log

    log = parse_log(data.decode("utf-8", "replace"))
    for r in log.regions.values():
        r.size_mib  # noqa: B018
    log.default_area  # noqa: B018


TARGETS: dict[str, Callable[[bytes], None]] = {
    "dtb": dtb,
    "dtb-run": dtb_run,
    "kconfig": kconfig,
    "cmdline": cmdline,
    "dmesg": dmesg,
}
