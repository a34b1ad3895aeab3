"""Text and JSON for the portability view (cmacheck.portability)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from cmacheck.portability import Cell, row
from cmacheck.report.json_report import SCHEMA_VERSION, dumps
from cmacheck.units import format_size

# Statuses that mean the region works as the DT intends.
_OK = frozenset({"created", "reserved"})


def render_json(board: str, cells: Sequence[Cell], out: TextIO) -> None:
    out.write(dumps({"schema_version": SCHEMA_VERSION, "kind": "portability", "dt": board,
                     "combinations": [row(c) for c in cells]}))


def render_text(board: str, cells: Sequence[Cell], out: TextIO, color: bool | None) -> None:
    from rich.table import Table
    from rich.text import Text

    from cmacheck.report.text import make_console

    con = make_console(out, color)
    table = Table(title=f"Portability of {board}", title_justify="left", show_edge=False)
    for col in ("kernel", "pages", "era", "CMA align", "default CMA", "not as intended",
                "errors"):
        table.add_column(col, no_wrap=col != "not as intended")
    for cell in cells:
        d: dict[str, Any] = row(cell)
        if d["error"]:
            table.add_row(str(d["kernel_version"] or "-"), _pages(d["page_size"]), "", "", "",
                          Text(d["error"]), "")
            continue
        default = d["default_cma"]
        dflt = "none" if default is None else (
            f"{format_size(default['size'])} {default['status']} ({default['source']})")
        bad = [f"{name} {status}" for name, status in d["regions"].items()
               if status not in _OK and name != "reserved"]
        table.add_row(d["kernel_version"], _pages(d["page_size"]), d["era"] or "",
                      format_size(d["cma_min_alignment"]) if d["cma_min_alignment"] else "",
                      dflt, Text("; ".join(bad) or "-"),
                      f"{d['errors']}" + (f" (+{d['warnings']} w)" if d["warnings"] else ""))
    con.print(table)


def _pages(size: int | None) -> str:
    return "config" if size is None else f"{size // 1024}K"
