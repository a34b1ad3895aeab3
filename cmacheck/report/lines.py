"""Plain one-line rendering of a finding, shared by the formatters (no rich import)."""

from __future__ import annotations

from cmacheck.findings import Finding


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
