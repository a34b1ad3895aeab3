"""JSON output, exactly per shared/docs/output-contract.md (schema_version 1)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from cmacheck.api import Report
from cmacheck.findings import Finding, Severity

SCHEMA_VERSION = 1


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.label,
        "message": f.message,
        "node": f.at.node,
        "symbol": f.at.symbol,
        "file": f.at.file,
        "line": f.at.line,
    }


def _memory(report: Report) -> dict[str, Any]:
    ctx = report.ctx
    run = ctx.run
    if run is not None:
        banks, source = list(run.facts.memory_banks), run.facts.memory_source
        dma_limit = run.facts.dma_limit
    else:
        dma_limit = None
        if ctx.ram:
            banks, source = list(ctx.ram), "ram-option"
        else:
            banks = [(b.base, b.size) for m in ctx.memory if m.available for b in m.banks]
            source = "dt" if banks else "none"
    return {
        "banks": [{"base": b, "size": s} for b, s in sorted(banks)],
        "total": sum(s for _, s in banks),
        "dma_limit": dma_limit,
        "source": source,
    }


def _kernel(report: Report) -> dict[str, Any] | None:
    k = report.ctx.kernel
    if k is None:
        return None
    return {
        "version": ".".join(str(v) for v in k.version),
        "arch": k.arch,
        "era": k.era,
        "page_size": k.page_size,
        "pageblock_order": k.pageblock_order,
        "cma_min_alignment": k.cma_min_alignment,
        "cma_slots": k.cma_slots,
        "max_reserved_regions": k.max_reserved_regions,
    }


def _cmdline(report: Report) -> dict[str, Any]:
    c = report.ctx.cmdline
    cma = None
    if c is not None and c.cma is not None:
        cma = {
            "size": c.cma.size,
            "base": c.cma.base or None,
            "limit": c.cma.limit or None,
        }
    return {
        "effective": report.cmdline_text,
        "cma": cma,
        "mem": c.mem if c is not None else None,
    }


def _cma(report: Report) -> dict[str, Any]:
    plan = report.cma_plan
    if plan is None:
        return {"size": None, "source": "none", "node": None, "explain": []}
    return {
        "size": plan.size,
        "source": plan.source,
        "node": plan.node,
        "explain": [*plan.explain, *plan.ignored],
    }


def _region(r: Any) -> dict[str, Any]:
    return {
        "name": r.name,
        "path": r.path,
        "origin": r.origin,
        "driver": r.driver,
        "base": r.base,
        "size": r.size,
        "no_map": r.no_map,
        "reusable": r.reusable,
        "default": r.default,
        "status": r.status,
        "log": list(r.log),
    }


def board_object(report: Report) -> dict[str, Any]:
    """The per-board JSON object of the contract."""
    inp = report.inputs
    run = report.ctx.run
    regions = [_region(r) for r in run.all_regions] if run is not None else []
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cmacheck", "version": report.version},
        "input": {
            "dt": inp.dt,
            "overlays": list(inp.overlays),
            "config": inp.config,
            "cmdline": inp.cmdline,
        },
        "kernel": _kernel(report),
        "memory": _memory(report),
        "cmdline": _cmdline(report),
        "cma": _cma(report),
        "regions": regions,
        "findings": [_finding(f) for f in report.findings],
        "summary": {
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "notes": report.count(Severity.NOTE),
        },
    }


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render(report: Report, out: TextIO) -> None:
    out.write(dumps(board_object(report)))
