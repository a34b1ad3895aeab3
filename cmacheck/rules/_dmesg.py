"""Shared by the CMA8xx rules: the differences of one kind between prediction and log."""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Location


def differences(ctx: Context, *kinds: str) -> Iterator[Hit]:
    comparison = ctx.comparison
    if comparison is None:
        return
    for d in comparison.differences:
        if d.kind not in kinds:
            continue
        node = ctx.dt.node(d.path) if d.path else None
        at = ctx.at(node) if node is not None else Location(file=ctx.dt.source, node=d.path)
        label = "" if d.path or d.name == "-" else f"{d.name}: "
        yield Hit(f"{label}{d.message}", at)
