"""A region's unit address must match the first address of its `reg`.

**Why it matters.** The kernel does not read the unit address (the `@...` part of the node
name) but everyone else does: the name is what the kernel prints (`OVERLAP DETECTED! ...`,
`failed to reserve memory for node 'fw@86000000'`), what `/proc/device-tree` and logs show,
and what humans grep for.  A stale unit address after a `reg` change sends the next
engineer to the wrong range (18 upstream nodes in 4 Qualcomm DTBs, Debian 6.1).  dtc warns
about this only on simple buses (`simple_bus_reg`), not under `/reserved-memory`.

**Fix.** Rename the node after its `reg` (or fix `reg`).

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            fw@86000000 { reg = <0 0x86200000 0 0x100000>; no-map; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            fw@86200000 { reg = <0 0x86200000 0 0x100000>; no-map; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA011"
NAME = "unit-address"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    for r in ctx.rmem.children:
        unit = r.node.unit_address
        entries = r.reg(ctx.cells)
        if unit is None or not entries or not r.available:
            continue
        try:
            value = int(unit.split(",")[0], 16)
        except ValueError:
            yield Hit(f"unit address '{unit}' is not a hex number", ctx.at(r.node))
            continue
        base = entries[0][0]
        if value != base:
            yield Hit(f"unit address {unit} does not match reg, which starts at {base:#x}",
                      ctx.at(r.node, "reg"))
