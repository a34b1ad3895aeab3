"""JSON output, exactly per shared/docs/output-contract.md (schema_version 1)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from cmacheck.api import Report
from cmacheck.findings import Finding, Severity

if TYPE_CHECKING:
    from cmacheck.batch import BatchResult, BoardResult

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


def _workload(w: Any) -> dict[str, Any]:
    """Added field with --workload: per CMA area the replay's use and the minimum size."""
    return {
        "file": w.source,
        "areas": [{
            "name": a.area.name,
            "path": a.area.path,
            "default": a.area.default,
            "base": a.area.base,
            "size": a.area.size,
            "buffers": a.buffers,
            "failed": a.failed,
            "peak": a.peak_bytes,
            "alignment_padding": a.padding_bytes,
            "used_after": a.used_after,
            "largest_free_after": a.largest_free_after,
            "min_size": a.min_size,
            "cma_option": a.cma_option,
        } for a in w.areas],
        "failures": [{
            "label": f.label, "buffer": f.index, "area": f.area, "size": f.size,
            "reason": f.reason, "line": f.line, "node": f.node,
        } for f in w.failures],
        "page_allocator": [{"label": label, "count": n, "size": size}
                           for label, n, size in w.page_allocator],
    }


def board_object(report: Report) -> dict[str, Any]:
    """The per-board JSON object of the contract."""
    inp = report.inputs
    run = report.ctx.run
    regions = [_region(r) for r in run.all_regions] if run is not None else []
    out = {
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
    workload = report.ctx.workload
    if workload is not None:
        out["workload"] = _workload(workload)
    comparison = report.ctx.comparison
    if comparison is not None:
        out["dmesg"] = {
            "agree": comparison.agree,
            "total": comparison.total,
            "kernel_version": comparison.kernel_version,
        }
    return out


def _board(b: BoardResult) -> dict[str, Any]:
    assert b.report is not None
    obj = board_object(b.report)
    if b.suppressed:
        # Added field (contract: fields may be added): findings hidden by an inline
        # `cmacheck: disable=` comment or by --baseline; absent when there are none.
        obj["suppressed"] = [{**_finding(s.finding), "by": s.how, "reason": s.reason}
                             for s in b.suppressed]
    return obj


def batch_object(result: BatchResult) -> dict[str, Any]:
    """One board object, or ``{"schema_version": 1, "boards": [...]}`` for a batch.

    Boards that could not be read are left out of ``boards`` and listed in the added
    ``errors`` field as ``{"dt": ..., "message": ...}`` (absent when every board was read).
    """
    if result.single and len(result.boards) == 1 and result.boards[0].report is not None:
        return _board(result.boards[0])
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "boards": [_board(b) for b in result.boards if b.report is not None],
    }
    if result.errors:
        out["errors"] = [{"dt": b.dt, "message": b.error} for b in result.errors]
    return out


def render_batch(result: BatchResult, out: TextIO) -> None:
    out.write(dumps(batch_object(result)))


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render(report: Report, out: TextIO) -> None:
    out.write(dumps(board_object(report)))
