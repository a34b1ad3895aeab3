"""SARIF 2.1.0, built by hand: one run for all boards, byte-stable (no timestamps, sorted keys).

- ``tool.driver.rules``: every rule of the registry; ``shortDescription`` is the docstring's
  first line, ``fullDescription.markdown`` the whole docstring.
- ``level``: error / warning / note (after ``--severity`` overrides, which are also listed in
  ``invocations[0].ruleConfigurationOverrides`` together with de-selected rules).
- ``physicalLocation.region`` only when the finding has a line (DTS, .config); a DTB finding
  gets a file-level ``physicalLocation`` (the .dtb, no region), because GitHub code scanning
  rejects the whole upload when a location is logical-only ("expected a physical location").
  The DT node path or Kconfig symbol is ``logicalLocations[0].fullyQualifiedName``; the board
  is ``analysisTarget``.
- ``partialFingerprints["cmacheck/v1"]``: sha256 of rule, board path as given, node or symbol
  (else file basename) and the message with line numbers, directories of ``file:line``
  references and hex addresses removed (see cmacheck.baseline.normalise), then ``:N`` for
  the N-th identical key.  Moving a node in its file or rebasing an address keeps it.
- Inline-suppressed findings are included with ``suppressions[{kind: inSource}]``, baselined
  ones with ``kind: external``; boards that could not be read are
  ``toolExecutionNotifications`` and make ``executionSuccessful`` false.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from cmacheck import __version__, rules
from cmacheck.baseline import anchor, normalise
from cmacheck.findings import Finding

if TYPE_CHECKING:
    from cmacheck.batch import BatchResult

SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
              "sarif-schema-2.1.0.json")
FINGERPRINT = "cmacheck/v1"


def uri(path: str) -> str:
    """A file path as a SARIF artifact URI (relative stays relative, POSIX separators)."""
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(PurePosixPath(p.as_posix()).as_posix(), safe="/")


def _rule(r: rules.Rule) -> dict[str, Any]:
    doc = (r.__doc__ or "").strip()
    return {
        "id": r.ID,
        "name": r.NAME,
        "shortDescription": {"text": rules.summary(r)},
        "fullDescription": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": r.SEVERITY.label},
    }


def fingerprint(f: Finding, board: str) -> str:
    text = "\0".join((f.rule, PurePosixPath(Path(board).as_posix()).as_posix(), anchor(f),
                      normalise(f.message)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _location(f: Finding, board: str) -> dict[str, Any]:
    a = f.at
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(a.file or board)}}
    if a.file and a.line:
        physical["region"] = {"startLine": a.line}
    loc: dict[str, Any] = {"physicalLocation": physical}
    logical = []
    if a.node:
        logical.append({"fullyQualifiedName": a.node, "name": a.node.rsplit("/", 1)[-1] or "/",
                        "kind": "element"})
    if a.symbol:
        logical.append({"fullyQualifiedName": a.symbol, "name": a.symbol, "kind": "variable"})
    if logical:
        loc["logicalLocations"] = logical
    return loc


def _result(f: Finding, board: str, seen: Counter[str], index: dict[str, int]
            ) -> dict[str, Any]:
    fp = fingerprint(f, board)
    seen[fp] += 1
    text = f"{f.at.node}: {f.message}" if f.at.node else f.message
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "level": f.severity.label,
        "message": {"text": text},
        "analysisTarget": {"uri": uri(board)},
        "partialFingerprints": {FINGERPRINT: f"{fp}:{seen[fp]}"},
    }
    if f.rule in index:
        res["ruleIndex"] = index[f.rule]
    res["locations"] = [_location(f, board)]
    return res


def sarif_object(result: BatchResult) -> dict[str, Any]:
    index = {r.ID: i for i, r in enumerate(rules.ALL)}
    seen: Counter[str] = Counter()
    results: list[dict[str, Any]] = []
    for b in result.boards:
        if b.report is None:
            continue
        for f in b.report.findings:
            results.append(_result(f, b.dt, seen, index))
        for s in b.suppressed:
            res = _result(s.finding, b.dt, seen, index)
            kind = "inSource" if s.how == "inline" else "external"
            sup: dict[str, Any] = {"kind": kind, "status": "accepted"}
            if s.reason:
                sup["justification"] = s.reason
            res["suppressions"] = [sup]
            results.append(res)
    overrides: list[dict[str, Any]] = []
    policy = result.policy
    for r in rules.ALL:
        conf: dict[str, Any] = {}
        if not policy.enabled(r.ID):
            conf["enabled"] = False
        if r.ID in policy.severity and policy.severity[r.ID] != r.SEVERITY:
            conf["level"] = policy.severity[r.ID].label
        if conf:
            overrides.append({"descriptor": {"id": r.ID, "index": index[r.ID]},
                              "configuration": conf})
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if overrides:
        invocation["ruleConfigurationOverrides"] = overrides
    if result.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": b.error or ""},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(b.dt)}}}]}
            for b in result.errors
        ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cmacheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(r) for r in rules.ALL],
            }},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render_batch(result: BatchResult, out: TextIO) -> None:
    out.write(json.dumps(sarif_object(result), sort_keys=True, indent=2, ensure_ascii=False))
    out.write("\n")
