"""``cmacheck diff OLD NEW``: what changes for the kernel between two device trees.

OLD and NEW are two DTB/DTS files, or two directories whose ``*.dtb`` files are paired by
relative path (a board on one side only is compared with nothing).  Both sides get the same
``--config`` / ``--cmdline`` / ``--ram`` options.  Reported per pair:

- reserved-memory regions added, removed or changed (base, size, status, flags), keyed by
  DT path (or origin and name for areas outside the DT, like the default CMA area);
- the default CMA area (size, deciding source, node) when it differs;
- findings that are new on the NEW side or fixed, matched like the baseline (rule, node or
  symbol, message without line numbers and hex addresses).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from cmacheck import baseline as bl
from cmacheck.batch import BoardResult
from cmacheck.config import Policy
from cmacheck.errors import UsageError
from cmacheck.findings import Finding
from cmacheck.records import field, record
from cmacheck.report import json_report
from cmacheck.report.lines import finding_line
from cmacheck.units import format_size, hexaddr

REGION_FIELDS = ("origin", "driver", "base", "size", "no_map", "reusable", "default", "status")


def pair_inputs(old: str, new: str) -> list[tuple[str | None, str | None]]:
    """(old, new) board paths: two files, or two directories matched by relative path."""
    if os.path.isdir(old) != os.path.isdir(new):
        raise UsageError(f"diff: {old} and {new} must both be files or both directories")
    if not os.path.isdir(old):
        return [(old, new)]
    a = {q.relative_to(old).as_posix(): str(q) for q in Path(old).rglob("*.dtb") if q.is_file()}
    b = {q.relative_to(new).as_posix(): str(q) for q in Path(new).rglob("*.dtb") if q.is_file()}
    if not a and not b:
        raise UsageError(f"diff: no *.dtb files below {old} or {new}")
    return [(a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys())]


Mapping_ = dict[str, Any]


def _region_key(r: Mapping_) -> str:
    return str(r["path"] or f"{r['origin']}:{r['name']}")


@record()
class BoardDiff:
    old: str | None
    new: str | None
    error: str | None = None
    added: tuple[Mapping_, ...] = ()
    removed: tuple[Mapping_, ...] = ()
    changed: tuple[tuple[str, dict[str, tuple[Any, Any]]], ...] = ()
    cma: tuple[Mapping_, Mapping_] | None = None
    new_findings: tuple[Finding, ...] = ()
    fixed_findings: tuple[Finding, ...] = ()


@record()
class DiffResult:
    boards: tuple[BoardDiff, ...]
    policy: Policy = field(default_factory=Policy)

    @property
    def exit_status(self) -> int:
        if any(b.error for b in self.boards):
            return 2
        fail = any(f.severity >= self.policy.fail_on for b in self.boards
                   for f in b.new_findings)
        return 1 if fail else 0


def _cma(obj: Mapping_ | None) -> Mapping_:
    if obj is None:
        return {"size": None, "source": "none", "node": None}
    c = obj["cma"]
    return {"size": c["size"], "source": c["source"], "node": c["node"]}


def compare(old: BoardResult | None, new: BoardResult | None) -> BoardDiff:
    """Diff two checked boards (either may be missing: a board added or removed)."""
    names = (old.dt if old else None, new.dt if new else None)
    errors = [b.error for b in (old, new) if b is not None and b.error]
    if errors:
        return BoardDiff(*names, error="; ".join(errors))
    a = json_report.board_object(old.report) if old and old.report else None
    b = json_report.board_object(new.report) if new and new.report else None
    ra = {_region_key(r): r for r in (a["regions"] if a else [])}
    rb = {_region_key(r): r for r in (b["regions"] if b else [])}
    changed = []
    for k in sorted(ra.keys() & rb.keys()):
        d = {f: (ra[k][f], rb[k][f]) for f in REGION_FIELDS if ra[k][f] != rb[k][f]}
        if d:
            changed.append((k, d))
    cma = (_cma(a), _cma(b))
    fa = list(old.report.findings) if old and old.report else []
    fb = list(new.report.findings) if new and new.report else []
    ka = Counter(_fkey(f) for f in fa)
    kb = Counter(_fkey(f) for f in fb)
    return BoardDiff(
        *names,
        added=tuple(rb[k] for k in sorted(rb.keys() - ra.keys())),
        removed=tuple(ra[k] for k in sorted(ra.keys() - rb.keys())),
        changed=tuple(changed),
        cma=cma if cma[0] != cma[1] else None,
        new_findings=_unmatched(fb, ka),
        fixed_findings=_unmatched(fa, kb),
    )


def _fkey(f: Finding) -> tuple[str, str, str]:
    return (f.rule, bl.anchor(f), bl.normalise(f.message))


def _unmatched(findings: Sequence[Finding], other: Counter[tuple[str, str, str]]
               ) -> tuple[Finding, ...]:
    left = Counter(other)
    out = []
    for f in findings:
        k = _fkey(f)
        if left[k] > 0:
            left[k] -= 1
        else:
            out.append(f)
    return tuple(out)


# ---- output -----------------------------------------------------------------------------

def _finding(f: Finding) -> Mapping_:
    return {"rule": f.rule, "severity": f.severity.label, "message": f.message,
            "node": f.at.node, "symbol": f.at.symbol, "file": f.at.file, "line": f.at.line}


def diff_object(result: DiffResult) -> Mapping_:
    boards = []
    for d in result.boards:
        obj: Mapping_ = {"old": d.old, "new": d.new}
        if d.error is not None:
            obj["error"] = d.error
        else:
            obj["regions"] = {
                "added": list(d.added),
                "removed": list(d.removed),
                "changed": [{"key": k, "changes": {f: {"old": o, "new": n}
                                                   for f, (o, n) in ch.items()}}
                            for k, ch in d.changed],
            }
            obj["cma"] = None if d.cma is None else {"old": d.cma[0], "new": d.cma[1]}
            obj["findings"] = {"new": [_finding(f) for f in d.new_findings],
                               "fixed": [_finding(f) for f in d.fixed_findings]}
        boards.append(obj)
    return {"schema_version": json_report.SCHEMA_VERSION, "kind": "diff", "boards": boards}


def render_json(result: DiffResult, out: TextIO) -> None:
    out.write(json.dumps(diff_object(result), sort_keys=True, indent=2, ensure_ascii=False))
    out.write("\n")


def _value(field_: str, v: Any) -> str:
    if v is None:
        return "none"
    if field_ == "base":
        return hexaddr(v)
    if field_ == "size":
        return format_size(v)
    return str(v)


def _region_line(r: Mapping_) -> str:
    where = "unplaced" if r["base"] is None else hexaddr(r["base"])
    return f"{_region_key(r)} at {where}, {format_size(r['size'])}, {r['status']}"


def _cma_text(c: Mapping_) -> str:
    size = "unknown" if c["size"] is None else ("none" if not c["size"]
                                                 else format_size(c["size"]))
    node = f", {c['node']}" if c["node"] else ""
    return f"{size} ({c['source']}{node})"


def render_text(result: DiffResult, out: TextIO) -> None:
    n_new = n_fixed = n_regions = 0
    for d in result.boards:
        out.write(f"{d.old or '(none)'} -> {d.new or '(none)'}\n")
        if d.error is not None:
            out.write(f"  input error: {d.error}\n")
            continue
        for r in d.added:
            out.write(f"  region added:   {_region_line(r)}\n")
        for r in d.removed:
            out.write(f"  region removed: {_region_line(r)}\n")
        for k, ch in d.changed:
            parts = "; ".join(f"{f} {_value(f, o)} -> {_value(f, n)}" for f, (o, n) in ch.items())
            out.write(f"  region changed: {k}: {parts}\n")
        if d.cma is not None:
            out.write(f"  default CMA: {_cma_text(d.cma[0])} -> {_cma_text(d.cma[1])}\n")
        for f in d.new_findings:
            out.write(f"  new:   {finding_line(f)}\n")
        for f in d.fixed_findings:
            out.write(f"  fixed: {finding_line(f)}\n")
        n_regions += len(d.added) + len(d.removed) + len(d.changed)
        n_new += len(d.new_findings)
        n_fixed += len(d.fixed_findings)
        if not (d.added or d.removed or d.changed or d.cma or d.new_findings
                or d.fixed_findings):
            out.write("  no change\n")
    failing = sum(1 for d in result.boards for f in d.new_findings
                  if f.severity >= result.policy.fail_on)
    out.write(f"{len(result.boards)} board pair(s): {n_regions} region change(s), "
              f"{n_new} new finding(s) ({failing} at or above {result.policy.fail_on.label}), "
              f"{n_fixed} fixed\n")
