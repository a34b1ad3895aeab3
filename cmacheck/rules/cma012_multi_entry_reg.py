"""A reserved-memory node with several `reg` entries: kernels disagree on what it means.

**What the kernel does.** Up to 6.12.12 every `<base size>` entry is reserved but only the
first is recorded, so a driver (`memory-region`) sees only the first range; 6.12.13+/6.13
add `fdt_scan_reserved_mem_reg_nodes() ignores N regions in node '<name>'`; 7.2 reserves
only the first entry (`node '<name>' has N <base size> entries, only the first is used`),
so the other ranges silently become ordinary RAM.  The same tree keeps firmware memory
safe on one kernel and hands it to the page allocator on the next.

**Fix.** One node per range.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            fw@50000000 { reg = <0 0x50000000 0 0x100000>, <0 0x60000000 0 0x100000>; no-map; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            fw@50000000 { reg = <0 0x50000000 0 0x100000>; no-map; };
            fw@60000000 { reg = <0 0x60000000 0 0x100000>; no-map; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA012"
NAME = "multi-entry-reg"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    for r in ctx.rmem.children:
        entries = r.reg(ctx.cells)
        if not r.available or entries is None or len(entries) < 2:
            continue
        yield Hit(f"reg has {len(entries)} <base size> entries: drivers see only the first, "
                  "and kernels from 7.2 reserve only the first (the others become RAM)",
                  ctx.at(r.node, "reg"))
