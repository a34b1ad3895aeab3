"""/reserved-memory must have the root's #address-cells and #size-cells, and `ranges`.

**What the kernel does.** `__reserved_mem_check_root()` (drivers/of/fdt.c, moved to
drivers/of/of_reserved_mem.c in 6.12; identical in every version 4.9-7.x) requires
`#size-cells` and `#address-cells` to exist and equal the root's, and `ranges` to exist
(empty is fine).  Otherwise it prints `Reserved memory: unsupported node format, ignoring`
and **ignores every region under the node**: no carve-out, no CMA pool, no DMA pool.
dtc and dt-validate accept such a tree.

**Fix.** Give `/reserved-memory` the same `#address-cells` / `#size-cells` as `/` and an
empty `ranges;`, and write its children's `reg`, `size` and `alloc-ranges` in those cells.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            pool@50000000 { reg = <0x50000000 0x100000>; no-map; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { reg = <0 0x50000000 0 0x100000>; no-map; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA001"
NAME = "reserved-memory-format"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    rmem = ctx.rmem
    if rmem.node is None or rmem.cells_ok:
        return
    n = len(rmem.children)
    yield Hit(
        f"{'; '.join(rmem.problems)}: the kernel ignores the whole node "
        f"('unsupported node format') and its {n} region{'s' if n != 1 else ''}",
        ctx.at(rmem.node),
    )
