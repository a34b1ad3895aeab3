"""Human output through rich: findings, the memory map, how the CMA size was derived.

The only module that imports rich.  Messages go through ``Text`` (never markup), since
kernel-style ranges like ``[mem 0x...]`` would be eaten as markup tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderResult
from rich.segment import Segment
from rich.text import Text

from cmacheck.api import Report
from cmacheck.findings import Severity
from cmacheck.report.lines import finding_line
from cmacheck.units import format_size, hexaddr

if TYPE_CHECKING:
    from cmacheck.batch import BatchResult, BoardResult

# Statuses whose memory stays taken after boot (the others were given back or never placed).
_HOLDS_MEMORY = frozenset({"created", "reserved", "inactive"})
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def make_console(out: TextIO, color: bool | None) -> Console:
    """``color`` None = auto (terminal and no NO_COLOR), True/False forces it."""
    return Console(
        file=out,
        force_terminal=color if color else None,
        no_color=color is False,
        color_system="standard" if color else ("auto" if color is None else None),
        width=None if color is None and out.isatty() else 110,
        highlight=False,
        soft_wrap=False,
    )


def render(report: Report, out: TextIO, color: bool | None = None) -> None:
    _render(make_console(out, color), report)


def render_batch(result: BatchResult, out: TextIO, color: bool | None = None) -> None:
    """One board: findings, memory map, CMA derivation.  Several: findings per board, then a
    summary table (one row per board).  Stale baseline entries come last, as notes."""
    con = make_console(out, color)
    if result.single and len(result.boards) == 1:
        b = result.boards[0]
        if b.report is not None:
            _render(con, b.report)
            _suppressed_note(con, b)
    else:
        for b in result.boards:
            if b.report is None:
                continue
            for f in b.report.findings:
                con.print(Text(finding_line(f), style=_STYLE[f.severity]), soft_wrap=True)
        _summary_table(con, result)
    for rule, board, anchor, message in result.stale:
        con.print(Text(f"note: {result.baseline}: stale baseline entry [{rule}] {board}: "
                       f"{anchor}: {message} (no longer found; remove it from the baseline)"),
                  soft_wrap=True)


def _suppressed_note(con: Console, b: BoardResult) -> None:
    if not b.suppressed:
        return
    inline = sum(1 for s in b.suppressed if s.how == "inline")
    base = len(b.suppressed) - inline
    con.print(Text(f"note: {len(b.suppressed)} finding(s) suppressed ({inline} inline, "
                   f"{base} baseline)"), soft_wrap=True)


def _summary_table(con: Console, result: BatchResult) -> None:
    rows: list[tuple[str | Text, ...]] = []
    totals = [0, 0, 0, 0]
    for b in result.boards:
        if b.report is None:
            rows.append((b.dt, "", "", "", "", "", Text("input error", style="bold red")))
            continue
        counts = [b.count(Severity.ERROR), b.count(Severity.WARNING), b.count(Severity.NOTE),
                  len(b.suppressed)]
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        plan = b.report.cma_plan
        cma = "unknown" if plan is None or plan.size is None else (
            "none" if not plan.size else f"{format_size(plan.size)} ({plan.source})")
        failed = any(result.failing(f) for f in b.report.findings)
        rows.append((b.dt, *(str(c) for c in counts), cma,
                     Text("fail", style="bold red") if failed else "ok"))
    con.print(_table(con, "Boards", ("board", "errors", "warnings", "notes", "suppressed",
                                     "default CMA", "result"), rows,
                     right=frozenset({"errors", "warnings", "notes", "suppressed"})))
    con.print(Text(f"{len(result.boards)} board(s): {totals[0]} error(s), {totals[1]} "
                   f"warning(s), {totals[2]} note(s), {totals[3]} suppressed, "
                   f"{len(result.errors)} input error(s)"), soft_wrap=True)


def _render(con: Console, report: Report) -> None:
    for f in report.findings:
        con.print(Text(finding_line(f), style=_STYLE[f.severity]), soft_wrap=True)
    _memory_map(con, report)
    _cma(con, report)
    _workload(con, report)
    comparison = report.ctx.comparison
    if comparison is not None:
        con.print(Text(
            f"Boot log ({comparison.kernel_version or 'kernel version not in the log'}): "
            f"{comparison.agree} of {comparison.total} regions agree with the prediction"
            + (f"; {comparison.invisible} region(s) print nothing in this log"
               if comparison.invisible else ""), style="bold"), soft_wrap=True)
    for note in (*report.notes, *_assumptions(report)):
        con.print(Text(f"note: {note}"), soft_wrap=True)
    e, w, n = (report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE))
    con.print(Text(f"{report.inputs.dt}: {e} error(s), {w} warning(s), {n} note(s)"),
              soft_wrap=True)


def _assumptions(report: Report) -> tuple[str, ...]:
    run = report.ctx.run
    return tuple(getattr(run, "assumptions", ()) or ())


def _memory_map(con: Console, report: Report) -> None:
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
    con.print(_table(con, "Memory map", ("start", "end", "size", "what", "status"), cells))


def _table(con: Console, title: str, header: tuple[str, ...],
           rows: Sequence[Sequence[str | Text]], right: frozenset[str] = frozenset(),
           ) -> ConsoleRenderable:
    """A left-titled, edgeless table of unwrapped cells (``right``: right-justified columns).

    Cells are ``Text`` (a ``str`` is never read as markup).  When the widest cells fit the
    console, the columns get those widths up front, which is what rich's own measuring pass
    would find (one ``cell_len`` per line of each cell) without rendering every cell twice;
    when they do not fit, rich shrinks the columns itself.  When nothing can be styled
    either (no colour: a pipe, a file, --no-color) and every cell is printable ASCII, the
    table is the same characters as rich's ``Table`` writes, put together directly
    (:class:`_Grid`): rendering rich's table cell by cell costs more than the whole check of
    a board.
    """
    plain = [tuple(c if isinstance(c, str) else c.plain for c in row) for row in rows]
    widths = [max((cell_len(line) for cell in column for line in cell.splitlines()), default=0)
              for column in zip(header, *plain, strict=True)]
    # one space of padding either side of each column, one divider between columns
    table_width = sum(widths) + 3 * len(widths) - 1
    fits = table_width <= con.width
    if (fits and con.color_system is None and not con.legacy_windows
            and not con.options.ascii_only and len(title) <= table_width
            and all(c.isascii() and c.isprintable() for row in (header, *plain) for c in row)
            and title.isascii() and title.isprintable()):
        return _Grid(title, header, plain, widths, right)
    from rich.table import Table  # only here: it brings fractions and decimal

    # the style rich gives a str title (a Text title keeps its own)
    table = Table(title=Text(title, style="table.title"), title_justify="left", show_edge=False)
    for name, width in zip(header, widths, strict=True):
        table.add_column(Text(name), no_wrap=True, width=width if fits else None,
                         justify="right" if name in right else "left")
    for row in rows:
        table.add_row(*(Text(c) if isinstance(c, str) else c for c in row))
    return table


class _Grid:
    """rich's ``Table(box=HEAVY_HEAD, show_edge=False, title_justify="left")`` as plain text,
    for cells that fit their columns and a console without colour (see :func:`_table`)."""

    def __init__(self, title: str, header: tuple[str, ...], rows: list[tuple[str, ...]],
                 widths: list[int], right: frozenset[str]) -> None:
        right_cols = [name in right for name in header]

        def line(cells: Sequence[str], divider: str) -> str:
            return divider.join(f" {c.rjust(w) if r else c.ljust(w)} "
                                for c, w, r in zip(cells, widths, right_cols, strict=True))

        width = sum(widths) + 3 * len(widths) - 1
        self.text = "\n".join([title.ljust(width), line(header, "\u2503"),
                               "\u2547".join("\u2501" * (w + 2) for w in widths),
                               *(line(row, "\u2502") for row in rows), ""])

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Segment(self.text)


def _cma(con: Console, report: Report) -> None:
    plan = report.cma_plan
    if plan is None:
        return
    size = "none" if not plan.size else format_size(plan.size)
    con.print(Text(f"Default CMA area: {size} (decided by: {plan.source})", style="bold"))
    for line in (*plan.explain, *plan.ignored):
        con.print(Text(f"  {line}"), soft_wrap=True)


def _workload(con: Console, report: Report) -> None:
    w = report.ctx.workload
    if w is None:
        return
    con.print(Text(f"Workload {w.source}: {len(w.failures)} buffer(s) fail", style="bold"),
              soft_wrap=True)
    for a in w.areas:
        area = a.area
        what = area.path or ("default CMA area" if area.default else area.name)
        need = "no size fits" if a.min_size is None else format_size(a.min_size)
        if a.cma_option:
            need += f" ({a.cma_option})"
        con.print(Text(f"  {what} ({format_size(area.size)}): {a.buffers} buffer(s), "
                       f"{a.failed} failed; peak {format_size(a.peak_bytes)}, alignment "
                       f"padding {format_size(a.padding_bytes)}, largest free block after "
                       f"{format_size(a.largest_free_after)}; smallest area that serves it: "
                       f"{need}"), soft_wrap=True)
    for f in w.failures:
        where = f"{w.source}:{f.line}" if f.line else w.source
        con.print(Text(f"  {where}: '{f.label}' #{f.index} ({format_size(f.size)} from "
                       f"{f.area}): {f.reason}"), soft_wrap=True)
    for label, n, size in w.page_allocator:
        con.print(Text(f"  '{label}': {n} x {format_size(size)} from the page allocator "
                       "(one page: dma_alloc_contiguous skips the default area)"),
                  soft_wrap=True)
