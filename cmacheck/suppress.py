"""Inline suppressions in DTS source.

A comment ``/* cmacheck: disable=CMA009 reason */`` or ``// cmacheck: disable=CMA009,CMA004
reason`` hides the listed rules (IDs or ID prefixes, comma-separated) for a finding when it sits

- on the finding's own line (the ``file:line`` it reports), or on the line just before it, or
- on the line that opens the finding's node (``name@addr {``), or the line just before that.

In a kernel ``.config`` (findings on Kconfig symbols) the same text works as a ``#`` comment:
``# cmacheck: disable=CMA101 reason``.  It works only when the finding has a source location:
DTB input has no lines and no comments (use ``--baseline`` or ``ignore`` there).  The reason
is free text kept for SARIF's ``suppressions[].justification``.  The source files are read as
they are on disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cmacheck.findings import Finding
from cmacheck.records import record

# Not compiled at import: only source lines (DTS, bootargs, .config) are searched, and re
# caches the compiled pattern.
_COMMENT = (
    r"(?:/\*|//|#)\s*cmacheck:\s*disable\s*=\s*"
    r"(?P<ids>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)"
    r"(?P<reason>.*?)\s*(?:\*/.*)?$"
)


@record()
class Suppressed:
    """A finding hidden by an inline comment or the baseline, and why."""

    finding: Finding
    how: str  # "inline" or "baseline"
    reason: str  # the comment's reason, or the baseline file


def parse_comment(line: str) -> tuple[tuple[str, ...], str] | None:
    """``(rule IDs or prefixes, reason)`` of a ``cmacheck: disable=`` comment on ``line``."""
    m = re.search(_COMMENT, line)
    if m is None:
        return None
    ids = tuple(p.strip().upper() for p in m.group("ids").split(","))
    return ids, m.group("reason").strip()


class _Lines:
    """Source files read once per batch of findings."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str:
        if path not in self._files:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    self._files[path] = f.read().splitlines()
            except OSError:
                self._files[path] = None
        lines = self._files[path]
        if lines is None or not 1 <= number <= len(lines):
            return ""
        return lines[number - 1]


def _candidates(f: Finding, dt: Any) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    if f.at.file and f.at.line:
        out += [(f.at.file, f.at.line), (f.at.file, f.at.line - 1)]
    node = dt.node(f.at.node) if dt is not None and f.at.node else None
    loc = getattr(node, "loc", None)
    if loc is not None and loc.file and loc.line:
        out += [(loc.file, loc.line), (loc.file, loc.line - 1)]
    return [c for c in dict.fromkeys(out) if c[1] >= 1]


def split(findings: Iterable[Finding], dt: Any = None
          ) -> tuple[tuple[Finding, ...], tuple[Suppressed, ...]]:
    """(kept, suppressed): apply the inline comments to ``findings`` of one board."""
    lines = _Lines()
    kept: list[Finding] = []
    hidden: list[Suppressed] = []
    for f in findings:
        match = None
        for path, number in _candidates(f, dt):
            parsed = parse_comment(lines.line(path, number))
            if parsed is not None and any(f.rule.startswith(p) for p in parsed[0]):
                match = parsed[1]
                break
        if match is None:
            kept.append(f)
        else:
            hidden.append(Suppressed(f, "inline", match))
    return tuple(kept), tuple(hidden)
