"""--dmesg: reading logs in every common form, and comparing them with the prediction.

Ground truth: the real boots under tests/boots (see test_boots.py).  On each of them the
comparison must report full agreement; on copies of their logs edited to differ it must
report exactly the edit.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_boots import KNOWN_DIFFERENCES, Fixture, base_tolerance, fixtures, predict

from cmacheck.compare import compare
from cmacheck.dmesg import parse_log
from cmacheck.errors import InputError, UsageError
from cmacheck.load.log import normalise, read_log, split_boots

FIXTURES = fixtures()


# ----------------------------------------------------------------------------- log reading


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[    0.000000] cma: Reserved 64 MiB at 0x00000000b9a00000\r",
         "[    0.000000] cma: Reserved 64 MiB at 0x00000000b9a00000"),
        ("Nov 21 00:58:35 board kernel: cma: Reserved 64 MiB at 0x00000000b9a00000",
         "cma: Reserved 64 MiB at 0x00000000b9a00000"),
        ("2026-11-21T00:58:35+0000 board kernel: cma: Reserved 64 MiB at 0x1",
         "cma: Reserved 64 MiB at 0x1"),
        ("[    0.000000] board kernel: cma: Reserved 64 MiB at 0x1",
         "[    0.000000] cma: Reserved 64 MiB at 0x1"),
        ("[Sat Nov 21 00:58:35 2026] cma: Reserved 64 MiB at 0x1", "cma: Reserved 64 MiB at 0x1"),
        ("6,231,0,-;cma: Reserved 64 MiB at 0x1", "cma: Reserved 64 MiB at 0x1"),
        ("\x1b[0;32m[    0.1] cma: x\x1b[0m", "[    0.1] cma: x"),
    ],
    ids=["serial", "journalctl", "journalctl-iso", "journalctl-monotonic", "dmesg-T", "kmsg",
         "ansi"],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def _boot(n: int) -> list[str]:
    return [f"[    0.000000] Booting Linux on physical CPU 0x0 [{n}]",
            f"[    0.000000] Linux version 6.1.0-{n}-arm64 (x)", f"[    0.1] boot {n}"]


def test_split_boots() -> None:
    lines = ["U-Boot 2024.01", "Starting kernel ...", *_boot(1), *_boot(2), *_boot(3)]
    boots = split_boots(lines)
    assert [b[-1] for b in boots] == ["[    0.1] boot 1", "[    0.1] boot 2", "[    0.1] boot 3"]
    assert split_boots(["cma: Reserved 64 MiB at 0x1"]) == [["cma: Reserved 64 MiB at 0x1"]]


def test_read_log_picks_boot(tmp_path: Path) -> None:
    p = tmp_path / "three.log.gz"
    p.write_bytes(gzip.compress("\n".join(_boot(1) + _boot(2) + _boot(3)).encode()))
    text, n, total = read_log(str(p))
    assert (n, total) == (3, 3) and text.endswith("boot 3")
    text, n, _ = read_log(str(p), 1)
    assert n == 1 and text.endswith("boot 1")
    with pytest.raises(UsageError) as e:
        read_log(str(p), 4)
    assert str(e.value) == f"--boot 4: {p} holds 3 boot(s)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty kernel log"),
        (b"\x7fELF\x00\x00\x01", "not a kernel log (binary data)"),
        (b"\x1f\x8b\x08\x00garbage", "cannot decompress: truncated or corrupt gzip data"),
    ],
    ids=["empty", "binary", "bad-gzip"],
)
def test_read_log_errors(tmp_path: Path, data: bytes, message: str) -> None:
    p = tmp_path / "x.log"
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_log(str(p))
    assert str(e.value) == f"{p}: {message}"


# ---------------------------------------------------------------- agreement with real boots


def _compare(fx: Fixture, log: str | None = None) -> list[tuple[str, str]]:
    run, parsed = predict(fx)
    if log is not None:
        parsed = parse_log(log)
    c = compare(run, parsed, base_tolerance=base_tolerance(run),
                prints_requested_size=fx.version >= (6, 15, 0))
    return [(d.kind, d.name) for d in c.differences]


def _param(fx: Fixture) -> object:
    reason = KNOWN_DIFFERENCES.get(fx.id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(fx, id=fx.id, marks=marks)


@pytest.mark.parametrize("fx", [_param(fx) for fx in FIXTURES])
def test_real_boot_agrees(fx: Fixture) -> None:
    assert _compare(fx) == []


def _agreeing(pred: Callable[[Fixture, str], bool]) -> list[object]:
    out = []
    for fx in FIXTURES:
        if fx.id in KNOWN_DIFFERENCES or fx.case.startswith("board-"):
            continue
        if pred(fx, fx.log()):
            out.append(pytest.param(fx, id=fx.id))
    return out[:6]


_POOL = re.compile(r"created (?:CMA|DMA) memory pool at (0x[0-9a-f]+), size (\d+) MiB\r?\n"
                   r"(?:.*\n)*?.*initialized node (\S+), compatible id")
_DEFAULT = re.compile(r"cma: Reserved (\d+) MiB at (0x[0-9a-f]+)")


@pytest.mark.parametrize("fx", _agreeing(lambda fx, log: bool(_POOL.search(log))))
def test_pool_moved(fx: Fixture) -> None:
    log = fx.log()
    m = _POOL.search(log)
    assert m
    moved = f"{int(m.group(1), 16) + (16 << 20):#018x}"
    edited = log[: m.start(1)] + moved + log[m.end(1) :]
    assert _compare(fx, edited) == [("base", m.group(3))]


@pytest.mark.parametrize("fx", _agreeing(lambda fx, log: bool(_POOL.search(log))))
def test_pool_missing(fx: Fixture) -> None:
    log = fx.log()
    name = _POOL.search(log).group(3)  # type: ignore[union-attr]
    # Drop every line that names the pool, and the driver line just before its init line.
    names = re.compile(rf"(?<![\w@,.-]){re.escape(name)}(?![\w@.-])")
    lines = log.split("\n")
    keep = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if names.search(line) or ("memory pool at" in line and names.search(nxt)):
            continue
        keep.append(line)
    assert _compare(fx, "\n".join(keep)) == [("region-missing", name)]


@pytest.mark.parametrize("fx", _agreeing(lambda fx, log: bool(_DEFAULT.search(log))))
def test_default_size_differs(fx: Fixture) -> None:
    log = fx.log()
    m = _DEFAULT.search(log)
    assert m
    edited = log[: m.start(1)] + str(int(m.group(1)) * 2) + log[m.end(1) :]
    assert _compare(fx, edited) == [("default-size", "reserved")]


@pytest.mark.parametrize("printed", [16, 24, 31, 32, 8])
def test_cmdline_area_printed_size_is_the_requested_one(printed: int) -> None:
    # 6.15+ prints a command-line area's requested size, which the dry run records exactly:
    # cma_pernuma=16M is a 32 MiB area (16K pages: 32 MiB CMA alignment) the kernel prints as
    # "16 MiB"; any other number (even one that also rounds up to 32 MiB) is a difference
    fx = next(f for f in FIXTURES if f.id == "arm64-sid-16k/numa1-pernuma-slots")
    run, _ = predict(fx)
    (area,) = run.extra_areas
    assert (area.size, run.facts.region_facts[area.name].requested_size) == (32 << 20, 16 << 20)
    log = fx.log()
    line = "cma: Reserved 16 MiB at 0x00000000b8000000"
    assert log.count(line) == 1
    edited = log.replace(line, f"cma: Reserved {printed} MiB at 0x00000000b8000000")
    assert _compare(fx, edited) == ([] if printed == 16 else [("size", area.name)])


@pytest.mark.parametrize("fx", _agreeing(lambda fx, log: "Memory:" in log))
def test_extra_failure(fx: Fixture) -> None:
    log = fx.log()
    i = log.rindex("\n", 0, log.index("Memory:")) + 1
    line = ("[    0.000000] OF: reserved mem: failed to allocate memory for node 'ghost': "
            "size 16 MiB\n")
    assert _compare(fx, log[:i] + line + log[i:]) == [("region-extra", "ghost")]


# ------------------------------------------------------------------------------- the CLI


def test_cli_dmesg_agreement_summary(tmp_path: Path) -> None:
    fx = next(f for f in FIXTURES if f.id == "arm64-6.1/t2b")
    meta = fx.meta
    log = tmp_path / "boot.log"
    log.write_text(fx.log())
    r = run_cli([str(fx.path / "board.dtb"), "--config",
                 str(ROOT / "tests/data/kconfig/debian-6.1-arm64.config.gz"),
                 "--dtb-addr", meta["dtb"]["address"],
                 "--kernel-addr", meta["kernel_image"]["load_address"],
                 "--kernel-size", str(meta["kernel_image"]["image_size"]),
                 "--dmesg", str(log), "--format", "json"])
    assert r.code == 0, r.err
    d = r.json["dmesg"]
    assert d["agree"] == d["total"] > 0
    assert d["kernel_version"] == "6.1.0-56-arm64"
    assert [f for f in r.json["findings"] if f["rule"].startswith("CMA8")] == []


def test_cli_predict_log_matches_the_real_log() -> None:
    fx = next(f for f in FIXTURES if f.id == "arm64-6.1/t26")
    meta = fx.meta
    r = run_cli([str(fx.path / "board.dtb"), "--config",
                 str(ROOT / "tests/data/kconfig/debian-6.1-arm64.config.gz"),
                 "--dtb-addr", meta["dtb"]["address"],
                 "--kernel-addr", meta["kernel_image"]["load_address"],
                 "--kernel-size", str(meta["kernel_image"]["image_size"]), "--predict-log"])
    assert r.code == 0, r.err
    assert r.out.splitlines() == parse_log(fx.log()).lines


def test_truncated_log_reports_only_what_is_missing() -> None:
    # A capture cut off right after the first pool: the rest is "missing", nothing crashes.
    fx = next(f for f in FIXTURES if f.id == "arm64-6.1/t6")
    log = fx.log()
    cut = log.index("initialized node cma1")
    cut = log.index("\n", cut) + 1
    kinds = _compare(fx, log[:cut])
    assert ("region-missing", "cma2@60000000") in kinds
    assert all(k in ("region-missing", "default-status") for k, _ in kinds)


def test_interleaved_noise_is_ignored() -> None:
    fx = next(f for f in FIXTURES if f.id == "arm64-6.1/t2b")
    noisy = []
    for i, line in enumerate(fx.log().split("\n")):
        noisy.append(line)
        if i % 3 == 0:
            noisy.append(f"[    0.{i:06d}] usb 1-1: new high-speed USB device number {i}")
            noisy.append("garbage \x00\xff line without any timestamp")
    assert _compare(fx, "\n".join(noisy)) == []
