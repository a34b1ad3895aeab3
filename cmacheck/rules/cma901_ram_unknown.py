"""RAM is unknown: the tree has no usable `/memory` and no `--ram` was given.

**Why.** More than half of upstream DTBs carry a placeholder `/memory` (no `reg`, or a
size-0 entry) that the bootloader fills in at boot.  Without RAM, cmacheck cannot place
dynamic regions, size a percentage-based CMA area, or tell whether a region lies outside
memory: those predictions are skipped.  Structure checks still run.

**Fix.** Pass `--ram SIZE` (RAM at the DT's memory base) or `--ram BASE:SIZE` (repeatable),
or check the runtime tree (`/sys/firmware/fdt`).

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0>; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Location, Severity

ID = "CMA901"
NAME = "ram-unknown"
SEVERITY = Severity.NOTE


def check(ctx: Context) -> Iterator[Hit]:
    if ctx.ram_known:
        return
    nodes = [m.node for m in ctx.memory]
    why = (
        f"{nodes[0].path} is a placeholder (no non-zero reg)"
        if nodes
        else "the tree has no memory node"
    )
    at = ctx.at(nodes[0], "reg") if nodes else Location(file=ctx.dt.source, node="/")
    yield Hit(
        f"RAM unknown: {why}; dynamic placement and the memory map are skipped "
        "(give --ram SIZE or --ram BASE:SIZE)",
        at,
    )
