"""Human output through rich: findings, the memory map, how the CMA size was derived.

The only module that imports rich.  Messages go through ``Text`` (never markup), since
kernel-style ranges like ``[mem 0x...]`` would be eaten as markup tags.
"""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cmacheck.api import Report
from cmacheck.findings import Finding, Severity
from cmacheck.units import format_size, hexaddr

# Statuses whose memory stays taken after boot (the others were given back or never placed).
_HOLDS_MEMORY = frozenset({"created", "reserved", "inactive"})
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def finding_line(f: Finding) -> str:
    """``file:line: severity [ID] message`` (compiler style); node path when no line."""
    a = f.at
    where = a.file or "<input>"
    if a.line is not None:
        where = f"{where}:{a.line}"
    elif a.node:
        where = f"{where}:{a.node}"
    elif a.symbol:
        where = f"{where}:{a.symbol}"
    prefix = f"{a.node}: " if a.line is not None and a.node else ""
    return f"{where}: {f.severity.label} [{f.rule}] {prefix}{f.message}"


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
    con = make_console(out, color)
    for f in report.findings:
        con.print(Text(finding_line(f), style=_STYLE[f.severity]), soft_wrap=True)
    _memory_map(con, report)
    _cma(con, report)
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
    table = Table(title="Memory map", title_justify="left", show_edge=False)
    for col in ("start", "end", "size", "what", "status"):
        table.add_column(col, no_wrap=True)
    rows: list[tuple[int, int, str, str]] = []
    banks = list(ctx.ram) or [(b.base, b.size) for m in ctx.memory if m.available for b in m.banks]
    for base, size in banks:
        rows.append((base, size, "RAM", ""))
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
    for base, size, what, status in sorted(rows, key=lambda x: (x[0], -x[1], x[2])):
        table.add_row(hexaddr(base), hexaddr(base + size - 1), format_size(size),
                      Text(what), Text(status))
    con.print(table)


def _cma(con: Console, report: Report) -> None:
    plan = report.cma_plan
    if plan is None:
        return
    size = "none" if not plan.size else format_size(plan.size)
    con.print(Text(f"Default CMA area: {size} (decided by: {plan.source})", style="bold"))
    for line in (*plan.explain, *plan.ignored):
        con.print(Text(f"  {line}"), soft_wrap=True)
