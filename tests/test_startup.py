"""Start-up: what a plain ``cmacheck board.dtb --config .config`` run imports.

Importing costs more than the check itself on a small board (benchmarks/bench.py (a)), so
the code that only some runs need is imported where it is used.  These tests keep it that
way; they count modules, never time.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import struct
import subprocess
import sys
import termios
import tty
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOARD = ROOT / "examples" / "clean" / "board.dtb"
CONFIG = ROOT / "examples" / "clean" / "kernel.config"
SPLIT = "-- what rich writes --"

# What a plain DTB + .config run must not load: DTS compilation (subprocess, tempfile),
# the log comparison, --live, --workload, --schema, the portability table, config-file TOML,
# pathlib (directories, config files), the baseline (json), and the other output formats.
NOT_ON_THE_PLAIN_PATH = (
    "dataclasses",  # 3.11 compiles each generated method from source: cmacheck.records
    "subprocess",
    "tempfile",
    "tomllib",
    "pathlib",
    "cmacheck.baseline",
    "cmacheck.load.dts",
    "cmacheck.load.schema",
    "cmacheck.load.log",
    "cmacheck.load.workload",
    "cmacheck.load.image",
    "cmacheck.dmesg",
    "cmacheck.compare",
    "cmacheck.live",
    "cmacheck.workload",
    "cmacheck.portability",
    "cmacheck.report.portability",
    "cmacheck.report.sarif",
    "cmacheck.report.junit",
    "cmacheck.report.github",
    "dtschema",
    "jsonschema",
)

_RUN = """
import sys
before = set(sys.modules)  # the interpreter's own start-up (site, .pth files) is not ours
import contextlib, io
tty = sys.argv.pop(1) == "tty"  # stdout is a terminal: write to it, then as rich alone would
sys.argv = ["cmacheck", *sys.argv[1:]]
from cmacheck.cli import main
def run():
    try:
        main()
    except SystemExit as e:
        return e.code
with contextlib.nullcontext() if tty else contextlib.redirect_stdout(io.StringIO()):
    status = run()
modules = sorted(set(sys.modules) - before)
if tty:
    from cmacheck.report import text
    text.direct = lambda out, color: None
    print(SPLIT, flush=True)
    run()
import json  # after the count: the harness's own json is not the run's
print(json.dumps({"status": status, "modules": modules}), file=sys.stderr if tty else sys.stdout)
""".replace("SPLIT", repr(SPLIT))


# what makes rich colour a pipe (CI runners often set FORCE_COLOR), or picks its colours
RICH_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "TERM", "COLORTERM",
            "COLUMNS", "LINES")


def _env(env: dict[str, str] | None) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH" and k not in RICH_ENV},
            **(env or {}), "PYTHONPATH": str(ROOT)}


def _modules(*args: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    out = subprocess.run([sys.executable, "-c", _RUN, "pipe", *args], capture_output=True,
                         text=True, env=_env(env), cwd=ROOT, check=True).stdout
    result = json.loads(out.splitlines()[-1])
    return result["status"], set(result["modules"])


def _on_terminal(columns: int, *args: str, env: dict[str, str]) -> tuple[set[str], str, str]:
    """A run with stdin and stdout on a pseudo-terminal ``columns`` wide (as
    benchmarks/bench.py runs one): the modules it imported, what it wrote, and what rich
    alone writes for the same run in the same process."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    tty.setraw(slave)  # no newline translation
    child = subprocess.Popen([sys.executable, "-c", _RUN, "tty", *args], stdin=slave,
                             stdout=slave, stderr=subprocess.PIPE, env=_env(env), cwd=ROOT)
    os.close(slave)
    chunks = []
    with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
        while chunk := os.read(master, 65536):
            chunks.append(chunk)
    os.close(master)
    err = child.communicate()[1].decode()
    assert child.returncode == 0, err
    ours, _, rich = b"".join(chunks).decode().partition(SPLIT + "\n")
    return set(json.loads(err.splitlines()[-1])["modules"]), ours, rich


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_plain_run_imports_only_what_it_uses(fmt: str) -> None:
    status, modules = _modules(str(BOARD), "--config", str(CONFIG), "--format", fmt,
                               "--no-config-file")
    assert status == 0
    assert "cmacheck.load.dtb" in modules and "cmacheck.dryrun" in modules  # it did run
    assert sorted(m for m in NOT_ON_THE_PLAIN_PATH if m in modules) == []
    assert "rich" not in modules  # text: report.text writes the characters itself
    if fmt == "json":
        assert "cmacheck.report.text" not in modules
    else:
        assert "json" not in modules


@pytest.mark.parametrize(("flags", "env"), [(("--color",), {}), ((), {"FORCE_COLOR": "1"})],
                         ids=["--color", "FORCE_COLOR"])
def test_colour_without_rich(flags: tuple[str, ...], env: dict[str, str]) -> None:
    # in colour too, report.text writes rich's bytes itself (tests/test_text_output.py)
    status, modules = _modules(str(BOARD), "--config", str(CONFIG), "--no-config-file", *flags,
                               env=env)
    assert status == 0
    assert "cmacheck.report.text" in modules and "rich" not in modules


@pytest.mark.parametrize("env", [{"TERM": "xterm-256color"},
                                 {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
                                 {"TERM": "xterm"}], ids=["256", "truecolor", "standard"])
@pytest.mark.parametrize("columns", [150, 40])
def test_terminal_writes_what_rich_writes(env: dict[str, str], columns: int) -> None:
    # a real run on a terminal: colour and the terminal's width, without rich; at 40 columns
    # the memory map is wider than the terminal and written whole all the same
    board = ROOT / "examples" / "problems"  # errors, warnings, memory map, CMA derivation
    modules, ours, rich = _on_terminal(columns, str(board / "board.dtb"), "--config",
                                       str(board / "kernel.config"), "--no-config-file",
                                       env=env)
    assert "cmacheck.report.text" in modules
    assert ours == rich
    assert all(f"\x1b[{sgr}m" in ours for sgr in ("1", "1;31", "33", "3"))
    assert "rich" not in modules
    rows = [line for line in ours.splitlines() if "\u2502" in line]  # the memory map's
    assert rows and (max(map(len, rows)) > columns) is (columns == 40)


@pytest.mark.parametrize("env", [{"TERM": "xterm", "COLUMNS": "0"}, {"TERM": "xterm"},
                                 {"TERM": "dumb", "COLUMNS": "0", "LINES": "30"}],
                         ids=["COLUMNS=0", "pty-0", "dumb,COLUMNS=0,LINES"])
def test_zero_columns_terminal_prints_every_line(env: dict[str, str]) -> None:
    # COLUMNS=0 (or a pseudo-terminal reporting 0 columns): rich would print no soft-wrapped
    # line on a console 0 columns wide (only the tables); make_console makes it 80, so the
    # findings, the CMA derivation and the summary are all there, without rich or through it
    board = ROOT / "examples" / "problems"
    modules, ours, rich = _on_terminal(0, str(board / "board.dtb"), "--config",
                                       str(board / "kernel.config"), "--no-config-file",
                                       env=env)
    assert ours == rich
    assert "rich" not in modules
    plain = re.sub("\x1b\\[[0-9;]*m", "", ours)
    for text in ("error [CMA009]", "warning [CMA101]", "Memory map",
                 "Default CMA area: 64 MiB (decided by: cmdline)",
                 "board.dtb: 4 error(s), 5 warning(s)"):
        assert text in plain, text


def test_dts_input_still_loads_the_compiler_path(tmp_path: Path) -> None:
    # the other side of the split: a source file goes through load.dts (cpp + dtc)
    source = tmp_path / "board.dts"
    source.write_text("/dts-v1/;\n/ { };\n")
    _, modules = _modules(str(source), "--format", "json", "--no-config-file")
    assert "cmacheck.load.dts" in modules


@pytest.mark.parametrize("color", [None, True], ids=["plain", "color"])
@pytest.mark.parametrize("widest", [5, 40, 69, 70, 90], ids=lambda w: f"widest-{w}")
@pytest.mark.parametrize("right", [frozenset(), frozenset({"size", "n"})], ids=["left", "right"])
def test_plain_table_is_what_rich_prints(widest: int, right: frozenset[str],
                                         color: bool | None) -> None:
    # Without colour, report.text writes its tables itself (rendering rich's Table cell by
    # cell cost more than checking the board); with colour it gives rich's Table the column
    # widths up front.  Either way the bytes are rich's: for a table that fits (69 fits the
    # 110 columns exactly), those of a plain Table; for one that does not (70, 90), those of a
    # plain Table on a console as wide as the table: no cell is cut to "..." (rich would
    # shrink every column on the 110-column console).
    import io

    from rich.table import Table

    from cmacheck.report.text import _Direct, _Rich, direct, make_console

    header = ("start", "size", "what", "n")
    rows = [("0x0000000080000000", "6 MiB", "w" * widest, "1"),
            ("0x0000000100000000", "", "/reserved-memory/a", "12345"),
            ("0x0", "1.5 GiB", "", "")]
    ours, ref, ours_direct = io.StringIO(), io.StringIO(), io.StringIO()
    _Rich(ours, color).table("Memory map", header, rows, right=right)
    colour = direct(io.StringIO(), color)  # and the writer without rich
    assert colour is not None
    _Direct(ours_direct, color, colour).table("Memory map", header, rows, right=right)
    table = Table(title="Memory map", title_justify="left", show_edge=False)
    for name in header:
        table.add_column(name, no_wrap=True, justify="right" if name in right else "left")
    for row in rows:
        table.add_row(*row)
    wide = make_console(ref, color)
    span = 18 + 7 + max(widest, 18) + 5 + 3 * 4 - 1
    if span > wide.width:
        wide.width = span
    wide.print(table)
    assert ours.getvalue() == ref.getvalue() == ours_direct.getvalue()
    assert "\u2026" not in ours.getvalue() and "w" * widest in ours.getvalue()
