"""Baseline files: accept today's findings, fail only on new ones.

A finding's key is ``(rule, board, anchor, message)``:

- ``board``: the DT input's path relative to the baseline file's directory (POSIX);
- ``anchor``: the DT node path, else the Kconfig symbol, else the finding's file basename;
- ``message``: normalised by :func:`normalise`: ``path/to/file.dts:42`` becomes ``file.dts``
  (no directories, no line numbers) and hex addresses become ``0x…``.

Line numbers never enter the key, so editing the DTS above a finding keeps it baselined.
Entries carry a count: two identical keys need two findings.  An entry that matches no
finding of a board that was checked is *stale*; text output lists it as a note so the
baseline can shrink.  The file is JSON, sorted, with no timestamps.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from cmacheck.errors import InputError
from cmacheck.findings import Finding
from cmacheck.records import record

FORMAT_VERSION = 1
_FILE_LINE = re.compile(r"(?:[^\s:()\[\]'\"]*/)?([^\s/:()\[\]'\"]+):\d+\b")
_HEX = re.compile(r"0x[0-9a-fA-F]+")

Key = tuple[str, str, str, str]


def normalise(message: str) -> str:
    """Drop directories and line numbers of ``file:line`` references; mask hex numbers."""
    return _HEX.sub("0x…", _FILE_LINE.sub(r"\1", message))


def anchor(f: Finding) -> str:
    if f.at.node:
        return f.at.node
    if f.at.symbol:
        return f.at.symbol
    if not f.at.file:
        return ""
    return Path(f.at.file).name


def board_id(dt: str, base_dir: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(dt), os.path.abspath(base_dir))
    except ValueError:
        rel = dt
    return Path(rel).as_posix()


def key(f: Finding, board: str) -> Key:
    return (f.rule, board, anchor(f), normalise(f.message))


@record()
class Baseline:
    """A loaded baseline file: finding keys with their counts."""

    path: str
    entries: Counter[Key]

    @property
    def base_dir(self) -> str:
        return os.path.dirname(self.path) or "."


def load(path: str) -> Baseline:
    """Read a baseline file.  Raises InputError when it is unreadable or malformed."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror}") from None
    except ValueError as e:
        raise InputError(path, f"not a cmacheck baseline (invalid JSON: {e})") from None
    if not isinstance(data, dict) or data.get("cmacheck_baseline") != FORMAT_VERSION:
        raise InputError(path, f"not a cmacheck baseline (no \"cmacheck_baseline\": "
                               f"{FORMAT_VERSION})")
    entries: Counter[Key] = Counter()
    for i, row in enumerate(data.get("findings", [])):
        try:
            k = (str(row["rule"]), str(row["board"]), str(row["anchor"]), str(row["message"]))
            entries[k] += int(row.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise InputError(path, f"findings[{i}]: expected rule, board, anchor, message"
                             ) from None
    return Baseline(path, entries)


def dumps(items: Iterable[tuple[str, Finding]], path: str) -> str:
    """Baseline text for ``(dt, finding)`` pairs, with boards relative to ``path``."""
    base = os.path.dirname(path) or "."
    counts: Counter[Key] = Counter(key(f, board_id(dt, base)) for dt, f in items)
    rows = [{"rule": k[0], "board": k[1], "anchor": k[2], "message": k[3], "count": n}
            for k, n in sorted(counts.items())]
    return json.dumps({"cmacheck_baseline": FORMAT_VERSION, "findings": rows},
                      indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def split(baseline: Baseline, dt: str, findings: Sequence[Finding]
          ) -> tuple[tuple[Finding, ...], tuple[Finding, ...], Counter[Key]]:
    """(kept, hidden, used): the findings of board ``dt`` not in the baseline, those in it,
    and how many baseline entries they consumed (for stale-entry accounting)."""
    board = board_id(dt, baseline.base_dir)
    left = Counter({k: n for k, n in baseline.entries.items() if k[1] == board})
    kept: list[Finding] = []
    hidden: list[Finding] = []
    used: Counter[Key] = Counter()
    for f in findings:
        k = key(f, board)
        if left[k] > 0:
            left[k] -= 1
            used[k] += 1
            hidden.append(f)
        else:
            kept.append(f)
    return tuple(kept), tuple(hidden), used


def stale(baseline: Baseline, checked: Iterable[str], used: Counter[Key]) -> list[Key]:
    """Entries of the checked boards that matched nothing this run (one per missing count)."""
    boards = {board_id(dt, baseline.base_dir) for dt in checked}
    out: list[Key] = []
    for k, n in sorted(baseline.entries.items()):
        if k[1] in boards and n > used[k]:
            out.extend([k] * (n - used[k]))
    return out
