"""Text output: without a terminal or colour, report.text writes the characters itself
(no rich import); they must be the bytes rich writes, for every kind of content."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from cmacheck.batch import BatchResult
from cmacheck.report import text

BOOT = "tests/boots/arm64-6.12/base"
RICH_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "TERM", "LINES",
            "COLUMNS")


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for name in RICH_ENV:  # CI runners often set FORCE_COLOR
        monkeypatch.delenv(name, raising=False)


def _results(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> list[BatchResult]:
    """The BatchResult(s) the CLI renders as text for ``args``."""
    seen: list[BatchResult] = []
    real = text.render_batch

    def spy(result: BatchResult, out: Any, color: bool | None = None) -> None:
        seen.append(result)
        real(result, out, color)

    with monkeypatch.context() as m:
        m.setattr(text, "render_batch", spy)
        run_cli(["--no-config-file", *args])
    assert seen, args
    return seen


def _cases(tmp: Path) -> dict[str, tuple[list[str], bool]]:
    """name -> (cmacheck arguments, whether the plain writer needs rich for some of it)."""
    odd = {"nonascii": tmp / "ü" / "板" / "board.dtb", "tab": tmp / "a\tb" / "board.dtb",
           "wide": tmp / ("d" * 90) / "board.dtb"}
    for path in odd.values():
        path.parent.mkdir(parents=True)
        shutil.copy(ROOT / "examples/problems/board.dtb", path)
    baseline = tmp / "baseline.json"
    run_cli(["--no-config-file", "examples/problems/board.dtb", "--config",
             "examples/problems/kernel.config", "--write-baseline", str(baseline)])
    stale = tmp / "stale.json"
    stale.write_text(baseline.read_text().replace("overlaps", "OVERLAPS"))
    problems = ["examples/problems/board.dtb", "--config", "examples/problems/kernel.config"]
    clean = ["examples/clean/board.dtb", "--config", "examples/clean/kernel.config"]
    return {
        # findings (lines over 110 columns), memory map, CMA explanation, notes
        "dts": (["examples/problems/board.dts", "-I", "examples/problems",
                 "--config", "examples/problems/kernel.config"], False),
        "no-config": (["examples/problems/board.dtb"], False),
        "overlay": (["examples/overlay/board.dtb", "--overlay", "examples/overlay/cma-512.dtbo",
                     "--config", "examples/overlay/kernel.config"], False),
        "workload": ([*clean, "--workload", "examples/clean/camera-display.toml"], False),
        "boot-log": ([f"{BOOT}/board.dtb", "--config",
                      "tests/data/kconfig/debian-6.12-arm64.config.gz",
                      "--dmesg", f"{BOOT}/boot.log.gz"], False),
        # summary table: ok, fail, input error
        "batch": (["examples/clean/board.dtb", "examples/problems/board.dtb",
                   "examples/overlay/board.dtb", "nope.dtb",
                   "--config", "examples/clean/kernel.config"], False),
        "suppressed": ([*problems, "--baseline", str(baseline)], False),
        "stale": ([*problems, "--baseline", str(stale)], False),
        "stale-batch": ([*problems, "examples/clean/board.dtb", "--baseline", str(stale)],
                        False),
        "non-ascii": ([str(odd["nonascii"]), *problems[1:]], False),
        "non-ascii-table": ([str(odd["nonascii"]), *clean], True),
        "control-char": ([str(odd["tab"]), *problems[1:]], True),
        "wide-table": ([str(odd["wide"]), *clean], True),
    }


def _render(result: BatchResult, color: bool | None) -> tuple[str, int]:
    """The text output and how many times the writer fell back on rich."""
    out = io.StringIO()
    fallbacks = 0
    real = text._Rich

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            nonlocal fallbacks
            fallbacks += 1
            super().__init__(*args)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(text, "_Rich", Counted)
        text.render_batch(result, out, color)
    return out.getvalue(), fallbacks


def _render_rich(result: BatchResult, color: bool | None) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(text, "plain", lambda out, color: False)
        text.render_batch(result, out, color)
    return out.getvalue()


def test_plain_text_is_what_rich_writes(monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    for name, (args, needs_rich) in _cases(tmp_path).items():
        for result in _results(monkeypatch, args):
            for color in (None, False):
                assert text.plain(io.StringIO(), color)
                ours, fallbacks = _render(result, color)
                assert fallbacks == needs_rich, name
                assert ours == _render_rich(result, color), (name, color)
                assert "\x1b" not in ours
            if name == "dts":
                assert max(map(len, ours.splitlines())) > text.WIDTH  # not wrapped
            if name == "batch":
                assert " input error" in ours and " fail " in ours and " ok " in ours


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
@pytest.mark.parametrize("color", [None, False, True], ids=["auto", "no-color", "color"])
@pytest.mark.parametrize("env", [
    {}, {"NO_COLOR": "1"}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "1"},
    {"TTY_COMPATIBLE": "0"}, {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    {"TTY_COMPATIBLE": "0", "COLUMNS": "110"}, {"TTY_INTERACTIVE": "1"},
    {"FORCE_COLOR": "1", "TERM": "dumb"}, {"TERM": "unknown"},
    {"FORCE_COLOR": "1", "TERM": "dumb", "LINES": "30"}, {"COLUMNS": "50"},
], ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items()) or "bare")
def test_plain_only_where_rich_writes_plain(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                            color: bool | None, tty: bool) -> None:
    # plain() mirrors rich's own rules (rich/console.py): wherever it picks the plain writer,
    # the console rich would have used has no colour and 110 columns, and writes the same.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = _Tty if tty else io.StringIO
    con = text.make_console(stream(), color)
    rich_is_plain = con.color_system is None and con.width == text.WIDTH
    # the one case left to rich needlessly: 110 columns on a tty from COLUMNS
    needless = tty and color is None and env.get("COLUMNS") == "110"
    assert text.plain(stream(), color) == (rich_is_plain and not needless)
    if not rich_is_plain:
        return
    ours, ref = stream(), stream()
    lines = ["x" * 130, "Default CMA area: 64 MiB", "ü 板 → 😀", "", "tab\there"]
    rows = [("0x0", "examples/clean/board.dtb", "64 MiB"), ("0x1", "", "ok")]
    for writer in (text._Plain(ours, color), text._Rich(ref, color)):
        for i, line in enumerate(lines):
            writer.line(line, "bold red" if i % 2 else "")
        writer.table("Boards", ("start", "board", "size"), rows, right=frozenset({"size"}))
        writer.table("Wide", ("a", "b"), [("a" * 60, "b" * 60)])
        writer.table("Styled", ("a",), [(text.Styled("fail", "bold red"),)])
        writer.done()
    assert ours.getvalue() == ref.getvalue()


def test_plain_choice() -> None:
    assert text.plain(io.StringIO(), None) and text.plain(io.StringIO(), False)
    assert text.plain(_Tty(), False)
    assert not text.plain(_Tty(), None) and not text.plain(io.StringIO(), True)
