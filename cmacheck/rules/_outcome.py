"""Shared by the CMA2xx rules: the dry run's outcome per region, classified once.

The dry run explains each outcome in ``RegionFacts.reason``; :func:`cause` turns that
explanation into a small fixed vocabulary so that each rule claims its own causes and the
catch-all (CMA212) only reports what no other rule explains.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmacheck.context import Context
from cmacheck.findings import Location
from cmacheck.units import format_size

# reason prefix (or fragment) -> cause; first match wins.
_CAUSES: tuple[tuple[str, str], ...] = (
    ("no free", "no-room"),
    ("not multiples of the CMA minimum alignment", "cma-misaligned"),
    ("is not aligned to", "cmdline-misaligned"),
    ("no-map over memory that is already reserved", "nomap-ebusy"),
    ("no CMA slot left", "no-slot"),
    ("beyond MAX_RESERVED_REGIONS", "too-many"),
    ("more than ", "too-many"),
    ("32-bit arm coherent pools need no-map", "arm-coherent-nomap"),
    ("restricted-dma-pool refuses", "restricted-props"),
    ("the area spans zones", "zones"),
    ("part of the area has no memmap", "holes"),
    ("crosses the lowmem/highmem boundary", "highmem-boundary"),
    ("is above the limit", "above-limit"),
    ("already (partly) reserved", "fixed-busy"),
)
# Causes some rule other than the catch-all reports.
CLAIMED = frozenset(c for _, c in _CAUSES)


def cause(reason: str | None) -> str | None:
    if not reason:
        return None
    for needle, code in _CAUSES:
        if needle in reason:
            return code
    return None


def outcomes(ctx: Context) -> Iterator[tuple[Any, Any, Location]]:
    """(RegionOutcome, RegionFacts, where to point) for every region of the dry run."""
    run = ctx.run
    if run is None:
        return
    for r in run.all_regions:
        facts = run.facts.region_facts.get(r.path or r.name)
        if facts is None:
            continue
        node = ctx.dt.node(r.path) if r.path else None
        at = ctx.at(node) if node is not None else Location(file=ctx.dt.source, node=r.path)
        yield r, facts, at


def label(r: Any) -> str:
    """How a message names a region: DT regions by their node, others by what they are."""
    if r.path:
        return ""
    return {"default-cma": "default CMA area: ", "memreserve": f"{r.name}: "}.get(
        r.origin, f"{r.name}: ")


def span(base: int, end: int) -> str:
    return f"[{base:#x}-{end - 1:#x}] ({format_size(end - base)})"
