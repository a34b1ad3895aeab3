"""A region must not be both `no-map` and `reusable`.

**What the kernel does.** `reusable` means the OS may use the memory (CMA); `no-map`
means it must never be mapped.  For a `shared-dma-pool`, `rmem_cma_setup()` rejects
`no-map` and `rmem_dma_setup()` rejects `reusable`, so up to 7.1 the kernel prints
`node <name> compatible matching fail` and gives the memory back: no pool at all.
7.2+ keeps it as a plain no-map carve-out, still without a pool.

**Fix.** A CMA pool: `reusable` without `no-map`.  A firmware carve-out: `no-map`
without `reusable`.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; no-map;
                            reg = <0 0x50000000 0 0x400000>; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable;
                            reg = <0 0x50000000 0 0x400000>; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA006"
NAME = "nomap-reusable"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    for r in ctx.rmem.children:
        if r.available and r.no_map and r.reusable:
            what = (
                "no driver accepts it ('compatible matching fail'), the memory is given back"
                if r.is_compatible("shared-dma-pool")
                else "the kernel treats it as a no-map carve-out"
            )
            yield Hit(f"both no-map and reusable: {what}", ctx.at(r.node, "reusable"))
