"""Human output: findings, the memory map, how the CMA size was derived.

The only module that imports rich, and only for what :class:`_Direct` does not write itself:
the console rich would use (:func:`direct`: colour or not) and the bytes it writes for this
content (unwrapped lines in a few styles, tables of ASCII never cut) are mirrored here, since
importing rich and rendering through it costs more than checking a board.  Anything else
goes through rich (:class:`_Rich`).  Through rich, messages go as ``Text`` (never markup),
since kernel-style ranges like ``[mem 0x...]`` would be eaten as markup tags.
"""

from __future__ import annotations

import builtins
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from cmacheck.api import Report
from cmacheck.findings import Severity
from cmacheck.report.lines import finding_line
from cmacheck.units import format_size, hexaddr

if TYPE_CHECKING:
    from rich.console import Console, ConsoleRenderable

    from cmacheck.batch import BatchResult, BoardResult

# Statuses whose memory stays taken after boot (the others were given back or never placed).
_HOLDS_MEMORY = frozenset({"created", "reserved", "inactive"})
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
WIDTH = 110  # columns when not writing to a terminal
# The SGR parameters rich writes for each style used here (rich's default theme: table.title
# is italic, table.header bold); the same in its standard, 256 and truecolor systems.
_SGR = {"": "", "bold": "1", "bold red": "1;31", "yellow": "33", "cyan": "36",
        "table.title": "3", "table.header": "1"}


class Styled:
    """A table cell with a rich style (shown only in colour)."""

    __slots__ = ("style", "text")

    def __init__(self, text: str, style: str) -> None:
        self.text, self.style = text, style


Cell = str | Styled


def make_console(out: TextIO, color: bool | None) -> Console:
    """``color`` None = auto (terminal and no NO_COLOR), True/False forces it."""
    from rich.console import Console

    con = Console(
        file=out,
        force_terminal=color if color else None,
        no_color=color is False,
        color_system="standard" if color else ("auto" if color is None else None),
        width=None if color is None and out.isatty() else WIDTH,
        highlight=False,
        soft_wrap=False,
    )
    if not con.width:
        # COLUMNS=0 on a terminal: rich takes it as 0 columns and prints no soft-wrapped line
        # at all; 80, as rich does for a pseudo-terminal that reports 0 columns.
        con.width = 80
    return con


def direct(out: TextIO, color: bool | None) -> bool | None:
    """Whether ``make_console(out, color)`` writes colour; None where rich decides more than
    this mirrors: Windows consoles, Jupyter, IDLE.  The width does not matter: lines are
    never wrapped and tables never cut (and make_console never makes a console of 0 columns).

    rich 15's Console: ``is_terminal`` is forced by --color, else TTY_COMPATIBLE=1/0, else
    FORCE_COLOR set (non-empty: yes), else ``isatty()``; auto colour is on for a terminal
    unless TERM is dumb or unknown (NO_COLOR is not read: make_console passes no_color).  An
    unforced width (auto colour on a tty) starts from COLUMNS.
    """
    if sys.platform == "win32" or hasattr(builtins, "get_ipython") or str(
            getattr(sys.stdin, "__module__", "")).startswith("idlelib"):
        return None
    env = os.environ
    compatible, force = env.get("TTY_COMPATIBLE", ""), env.get("FORCE_COLOR")
    terminal = bool(color) or compatible == "1" or (compatible != "0" and (
        force != "" if force is not None else out.isatty()))
    dumb = terminal and env.get("TERM", "").lower() in ("dumb", "unknown")
    return bool(color) or (color is None and terminal and not dumb)


def render(report: Report, out: TextIO, color: bool | None = None) -> None:
    w = _writer(out, color)
    _render(w, report)
    w.done()


def render_batch(result: BatchResult, out: TextIO, color: bool | None = None) -> None:
    """One board: findings, memory map, CMA derivation.  Several: findings per board, then a
    summary table (one row per board).  Stale baseline entries come last, as notes."""
    w = _writer(out, color)
    if result.single and len(result.boards) == 1:
        b = result.boards[0]
        if b.report is not None:
            _render(w, b.report)
            _suppressed_note(w, b)
    else:
        for b in result.boards:
            if b.report is None:
                continue
            for f in b.report.findings:
                w.line(finding_line(f), _STYLE[f.severity])
        _summary_table(w, result)
    for rule, board, anchor, message in result.stale:
        w.line(f"note: {result.baseline}: stale baseline entry [{rule}] {board}: "
               f"{anchor}: {message} (no longer found; remove it from the baseline)")
    w.done()


def _writer(out: TextIO, color: bool | None) -> _Direct | _Rich:
    colour = direct(out, color)
    return _Rich(out, color) if colour is None else _Direct(out, color, colour)


class _Rich:
    """Prints through rich: each line unwrapped (soft wrap), tables as :func:`_table`, never
    narrower than their cells (the console is widened for a table that does not fit)."""

    def __init__(self, out: TextIO, color: bool | None) -> None:
        self.con = make_console(out, color)

    def line(self, text: str, style: str = "") -> None:
        from rich.text import Text

        self.con.print(Text(text, style=style), soft_wrap=True)

    def table(self, title: str, header: tuple[str, ...], rows: Sequence[Sequence[Cell]],
              right: frozenset[str] = frozenset()) -> None:
        table, span = _table(title, header, rows, right)
        size = self.con.size
        if span <= size.width:
            self.con.print(table)
            return
        # An address or a path is never cut short: the terminal wraps the lines instead.
        self.con.size = (span, size.height)  # (a dumb terminal ignores a width alone)
        try:
            self.con.print(table)
        finally:
            self.con.size = size

    def done(self) -> None:
        """Nothing left: rich flushes after each print."""


class _Direct:
    """What :class:`_Rich` writes, without rich, on the console :func:`direct` describes: a
    line of printable characters in a style of ``_SGR``, a table as :func:`_grid`.  Anything
    else (a tab or control character, a table of text that is not printable ASCII) still
    goes through rich, imported then."""

    def __init__(self, out: TextIO, color: bool | None, colour: bool) -> None:
        self.out, self.color, self.colour = out, color, colour
        self.utf = (getattr(out, "encoding", None) or "utf-8").lower().startswith("utf")
        self._rich: _Rich | None = None

    def line(self, text: str, style: str = "") -> None:
        if text.isprintable() and style in _SGR:
            self._write(_paint(text, style, self.colour) + "\n")
        else:
            self._fallback().line(text, style)

    def table(self, title: str, header: tuple[str, ...], rows: Sequence[Sequence[Cell]],
              right: frozenset[str] = frozenset()) -> None:
        grid = _grid(title, header, rows, right, self.colour) if self.utf else None
        if grid is None:
            self._fallback().table(title, header, rows, right)
        else:
            self._write(grid)

    def done(self) -> None:
        try:
            self.out.flush()
        except BrokenPipeError:
            _broken_pipe()

    def _write(self, text: str) -> None:
        try:
            self.out.write(text)
        except BrokenPipeError:
            _broken_pipe()

    def _fallback(self) -> _Rich:
        if self._rich is None:
            self._rich = _Rich(self.out, self.color)
        return self._rich


def _broken_pipe() -> NoReturn:
    """What rich does when the reader has gone (Console.on_broken_pipe): exit 1, quietly."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(1)


def _suppressed_note(w: _Direct | _Rich, b: BoardResult) -> None:
    if not b.suppressed:
        return
    inline = sum(1 for s in b.suppressed if s.how == "inline")
    base = len(b.suppressed) - inline
    w.line(f"note: {len(b.suppressed)} finding(s) suppressed ({inline} inline, "
           f"{base} baseline)")


def _summary_table(w: _Direct | _Rich, result: BatchResult) -> None:
    rows: list[tuple[Cell, ...]] = []
    totals = [0, 0, 0, 0]
    for b in result.boards:
        if b.report is None:
            rows.append((b.dt, "", "", "", "", "", Styled("input error", "bold red")))
            continue
        counts = [b.count(Severity.ERROR), b.count(Severity.WARNING), b.count(Severity.NOTE),
                  len(b.suppressed)]
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        plan = b.report.cma_plan
        cma = "unknown" if plan is None or plan.size is None else (
            "none" if not plan.size else f"{format_size(plan.size)} ({plan.source})")
        failed = any(result.failing(f) for f in b.report.findings)
        rows.append((b.dt, *(str(c) for c in counts), cma,
                     Styled("fail", "bold red") if failed else "ok"))
    w.table("Boards", ("board", "errors", "warnings", "notes", "suppressed", "default CMA",
                       "result"), rows, right=frozenset({"errors", "warnings", "notes",
                                                         "suppressed"}))
    w.line(f"{len(result.boards)} board(s): {totals[0]} error(s), {totals[1]} warning(s), "
           f"{totals[2]} note(s), {totals[3]} suppressed, {len(result.errors)} input error(s)")


def _render(w: _Direct | _Rich, report: Report) -> None:
    for f in report.findings:
        w.line(finding_line(f), _STYLE[f.severity])
    _memory_map(w, report)
    _cma(w, report)
    _workload(w, report)
    comparison = report.ctx.comparison
    if comparison is not None:
        w.line(f"Boot log ({comparison.kernel_version or 'kernel version not in the log'}): "
               f"{comparison.agree} of {comparison.total} regions agree with the prediction"
               + (f"; {comparison.invisible} region(s) print nothing in this log"
                  if comparison.invisible else ""), "bold")
    for note in (*report.notes, *_assumptions(report)):
        w.line(f"note: {note}")
    e, n_w, n = (report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE))
    w.line(f"{report.inputs.dt}: {e} error(s), {n_w} warning(s), {n} note(s)")


def _assumptions(report: Report) -> tuple[str, ...]:
    run = report.ctx.run
    return tuple(getattr(run, "assumptions", ()) or ())


def _memory_map(w: _Direct | _Rich, report: Report) -> None:
    ctx = report.ctx
    run: Any = ctx.run
    rows: list[tuple[int, int, str, str]] = []
    banks = list(ctx.ram) or [(b.base, b.size) for m in ctx.memory if m.available for b in m.banks]
    for base, size in banks:
        rows.append((base, size, "RAM", ""))
    ignored = run.facts.ignored_ram if run is not None else None
    if ignored is not None:
        rows.append((ignored[0], ignored[1] - ignored[0], "RAM (no CONFIG_HIGHMEM)", "ignored"))
    if run is not None:
        for r in run.all_regions:
            if r.base is not None and r.size and r.status in _HOLDS_MEMORY:
                rows.append((r.base, r.size, r.path or r.name, r.status))
    else:
        for r in ctx.rmem.children:
            for base, size in r.reg(ctx.cells) or ():
                if size:
                    rows.append((base, size, r.path, "static"))
    if not rows:
        return
    cells = [(hexaddr(base), hexaddr(base + size - 1), format_size(size), what, status)
             for base, size, what, status in sorted(rows, key=lambda x: (x[0], -x[1], x[2]))]
    w.table("Memory map", ("start", "end", "size", "what", "status"), cells)


def _span(widths: Sequence[int]) -> int:
    """A table's width: one space of padding either side of each column, one divider
    between columns."""
    return sum(widths) + 3 * len(widths) - 1


def _paint(text: str, style: str, colour: bool) -> str:
    """``text`` as rich writes it in ``style`` (one of ``_SGR``)."""
    sgr = _SGR[style]
    return f"\x1b[{sgr}m{text}\x1b[0m" if colour and sgr and text else text


def _grid(title: str, header: tuple[str, ...], rows: Sequence[Sequence[Cell]],
          right: frozenset[str], colour: bool) -> str | None:
    """rich's ``Table(box=HEAVY_HEAD, show_edge=False, title_justify="left")`` of unwrapped
    cells as the characters it writes on a console as wide as the table (:class:`_Rich`),
    in colour or not, when every cell and the title are printable ASCII (one character, one
    column), the styles are in ``_SGR`` and the title is not wider than the table; else
    None.  In colour, rich styles the title padded to the table's width,
    each header cell's padding and text apart, and a cell's text padded to its column.
    Rendering rich's table cell by cell costs more than the whole check of a board."""
    head = [(h, "table.header") for h in header]
    cells = [[(c.text, c.style) if isinstance(c, Styled) else (c, "") for c in row]
             for row in rows]
    if not all(t.isascii() and t.isprintable() and s in _SGR
               for row in (((title, ""),), head, *cells) for t, s in row):
        return None
    widths = [max(len(t) for t, _ in column) for column in zip(head, *cells, strict=True)]
    if len(title) > _span(widths):
        return None
    right_cols = [name in right for name in header]

    def line(cells: Sequence[tuple[str, str]], divider: str, pad: str = "") -> str:
        space = _paint(" ", pad, colour)
        return divider.join(space + _paint(c.rjust(w) if r else c.ljust(w), s, colour) + space
                            for (c, s), w, r in zip(cells, widths, right_cols, strict=True))

    return "\n".join([_paint(title.ljust(_span(widths)), "table.title", colour),
                      line(head, "\u2503", "table.header"),
                      "\u2547".join("\u2501" * (w + 2) for w in widths),
                      *(line(row, "\u2502") for row in cells), ""])


def _table(title: str, header: tuple[str, ...], rows: Sequence[Sequence[Cell]],
           right: frozenset[str] = frozenset()) -> tuple[ConsoleRenderable, int]:
    """rich's ``Table`` of unwrapped cells (``right``: right-justified columns), and its
    width: every column as wide as its widest cell, which is what rich's own measuring pass
    would find (one ``cell_len`` per line of each cell) without rendering every cell twice;
    printed on a console at least that wide, rich never shrinks a column (which would cut
    addresses to ``0x000000008…`` and drop narrow columns)."""
    from rich.cells import cell_len
    from rich.table import Table  # only here: it brings fractions and decimal
    from rich.text import Text

    texts = [[c.text if isinstance(c, Styled) else c for c in row] for row in rows]
    widths = [max((cell_len(line) for cell in column for line in cell.splitlines()), default=0)
              for column in zip(header, *texts, strict=True)]
    # the style rich gives a str title (a Text title keeps its own)
    table = Table(title=Text(title, style="table.title"), title_justify="left", show_edge=False)
    for name, width in zip(header, widths, strict=True):
        table.add_column(Text(name), no_wrap=True, width=width,
                         justify="right" if name in right else "left")
    for row in rows:
        table.add_row(*(Text(c.text, style=c.style) if isinstance(c, Styled) else Text(c)
                        for c in row))
    return table, _span(widths)


def _cma(w: _Direct | _Rich, report: Report) -> None:
    plan = report.cma_plan
    if plan is None:
        return
    size = "none" if not plan.size else format_size(plan.size)
    w.line(f"Default CMA area: {size} (decided by: {plan.source})", "bold")
    for line in (*plan.explain, *plan.ignored):
        w.line(f"  {line}")


def _workload(w: _Direct | _Rich, report: Report) -> None:
    wl = report.ctx.workload
    if wl is None:
        return
    w.line(f"Workload {wl.source}: {len(wl.failures)} buffer(s) fail", "bold")
    for a in wl.areas:
        area = a.area
        what = area.path or ("default CMA area" if area.default else area.name)
        need = "no size fits" if a.min_size is None else format_size(a.min_size)
        if a.cma_option:
            need += f" ({a.cma_option})"
        w.line(f"  {what} ({format_size(area.size)}): {a.buffers} buffer(s), {a.failed} "
               f"failed; peak {format_size(a.peak_bytes)}, alignment padding "
               f"{format_size(a.padding_bytes)}, largest free block after "
               f"{format_size(a.largest_free_after)}; smallest area that serves it: {need}")
    for f in wl.failures:
        where = f"{wl.source}:{f.line}" if f.line else wl.source
        w.line(f"  {where}: '{f.label}' #{f.index} ({format_size(f.size)} from {f.area}): "
               f"{f.reason}")
    for label, n, size in wl.page_allocator:
        w.line(f"  '{label}': {n} x {format_size(size)} from the page allocator "
               "(one page: dma_alloc_contiguous skips the default area)")
