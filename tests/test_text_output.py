"""Text output: report.text writes the characters and colour itself (no rich import) where
it can; they must be the bytes rich writes, for every kind of content, in every colour
system rich picks on a terminal and at any width (a table wider than the console is written
whole, as rich writes it on a console as wide as the table)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from cmacheck.batch import BatchResult
from cmacheck.report import text

BOOT = "tests/boots/arm64-6.12/base"
RICH_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "TERM", "LINES",
            "COLUMNS", "COLORTERM")
# what makes rich pick each colour system on a terminal (rich/console.py _detect_color_system)
SYSTEMS = {"standard": {"TERM": "xterm"}, "256": {"TERM": "xterm-256color"},
           "truecolor": {"TERM": "xterm-256color", "COLORTERM": "truecolor"}}


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
        "wide-table": ([str(odd["wide"]), *clean], False),
    }


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _render(result: BatchResult, out: io.StringIO, color: bool | None) -> tuple[str, int]:
    """The text output and how many times the writer fell back on rich."""
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


def _render_rich(result: BatchResult, out: io.StringIO, color: bool | None) -> str:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(text, "direct", lambda out, color: None)
        text.render_batch(result, out, color)
    return out.getvalue()


def test_text_is_what_rich_writes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    narrow = set()
    for name, (args, needs_rich) in _cases(tmp_path).items():
        for result in _results(monkeypatch, args):
            # a pipe or a file: no colour, 110 columns; --color: standard colours, 110
            for color in (None, False, True):
                assert text.direct(io.StringIO(), color) is bool(color)
                ours, fallbacks = _render(result, io.StringIO(), color)
                assert fallbacks == needs_rich, (name, color)
                assert ours == _render_rich(result, io.StringIO(), color), (name, color)
                assert ("\x1b[" in ours) == bool(color), (name, color)
                if name == "dts":
                    assert max(map(len, ours.splitlines())) > text.WIDTH  # not wrapped
                if name == "batch":
                    assert " ok " in ours
                    for cell in ("input error", "fail"):
                        assert (f" \x1b[1;31m{cell}" if color else f" {cell} ") in ours
            # a terminal: each colour system, its width (narrow ones: tables wider than it)
            for system, env in SYSTEMS.items():
                for width in (200, 110, 79, 60, 40, 12):
                    with monkeypatch.context() as m:
                        for k, v in {**env, "COLUMNS": str(width)}.items():
                            m.setenv(k, v)
                        con = text.make_console(_Tty(), None)
                        assert (con.color_system, con.width) == (system, width)
                        ours, fallbacks = _render(result, _Tty(), None)
                        assert ours == _render_rich(result, _Tty(), None), (name, system, width)
                        assert "\x1b[" in ours
                        assert fallbacks == needs_rich, (name, system, width)
                        rows = [re.sub("\x1b\\[[0-9;]*m", "", line)
                                for line in ours.splitlines() if "\u2502" in line]
                        if rows and max(map(len, rows)) > width:
                            narrow.add((name, width))
    # tables wider than the console are written whole (the 90-character directory is in the
    # memory map's "what" column of wide-table)
    assert {w for _, w in narrow} == {12, 40, 60, 79, 110, 200}
    assert {n for n, w in narrow if w == 200} == {"wide-table"}


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
@pytest.mark.parametrize("color", [None, False, True], ids=["auto", "no-color", "color"])
@pytest.mark.parametrize("env", [
    {}, {"NO_COLOR": "1"}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "1"},
    {"TTY_COMPATIBLE": "0"}, {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    {"TTY_COMPATIBLE": "0", "COLUMNS": "110"}, {"TTY_INTERACTIVE": "1"},
    {"FORCE_COLOR": "1", "TERM": "dumb"}, {"TERM": "unknown"},
    {"FORCE_COLOR": "1", "TERM": "dumb", "LINES": "30"}, {"TERM": "dumb", "COLUMNS": "50"},
    {"TERM": "dumb", "COLUMNS": "50", "LINES": "30"}, {"LINES": "30"},
    {"COLUMNS": "50"}, {"COLUMNS": "0"}, {"COLUMNS": "1"}, {"COLUMNS": "x"},
    {"TERM": "dumb", "COLUMNS": "0"}, {"TERM": "dumb", "COLUMNS": "0", "LINES": "30"},
    {"TERM": "xterm-256color"}, {"TERM": "xterm-kitty"}, {"TERM": "xterm-16color"},
    {"COLORTERM": "truecolor"}, {"COLORTERM": "24bit", "TERM": "xterm"},
    {"FORCE_COLOR": "1", "COLORTERM": "truecolor"},
], ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items()) or "bare")
def test_direct_mirrors_rich(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                             color: bool | None, tty: bool) -> None:
    # direct() mirrors rich's own rules (rich/console.py): the console rich would use has
    # colour (any system) or not, and the writer writes what it does.  The console is never
    # 0 columns wide (COLUMNS=0 on a terminal: 80, as rich gives a pseudo-terminal that
    # reports 0), where rich would print no soft-wrapped line at all.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = _Tty if tty else io.StringIO
    con = text.make_console(stream(), color)
    assert con.width > 0
    if tty and color is None and env.get("COLUMNS") == "0":
        assert con.width == 80
    assert text.direct(stream(), color) == (con.color_system is not None)
    ours, ref = stream(), stream()
    lines = ["x" * 130, "Default CMA area: 64 MiB", "ü 板 → 😀", "", "tab\there", "[mem 0x1]"]
    styles = ["", "bold", "bold red", "yellow", "cyan"]
    rows = [("0x0", "examples/clean/board.dtb", "64 MiB"), ("0x1", "", "ok")]
    for writer in (text._writer(ours, color), text._Rich(ref, color)):
        for i, line in enumerate(lines):
            writer.line(line, styles[i % len(styles)])
        writer.table("Boards", ("start", "board", "size"), rows, right=frozenset({"size"}))
        writer.table("Wide", ("a", "b"), [("a" * 60, "b" * 60)])
        writer.table("Styled", ("a", "n"), [(text.Styled("fail", "bold red"), "1"),
                                            ("ok", text.Styled("12", "yellow"))],
                     right=frozenset({"n"}))
        writer.done()
    assert ours.getvalue() == ref.getvalue()
    printed = re.sub("\x1b\\[[0-9;]*m", "", ours.getvalue()).splitlines()
    for line in ("x" * 130, "Default CMA area: 64 MiB", "ü 板 → 😀", "[mem 0x1]"):
        assert line in printed  # every line, whole, whatever the width
    assert "tab" in " ".join(printed)


def test_direct_choice() -> None:
    assert text.direct(io.StringIO(), None) is text.direct(io.StringIO(), False) is False
    assert text.direct(_Tty(), False) is False
    assert text.direct(io.StringIO(), True) is True
    assert text.direct(_Tty(), None) is True
