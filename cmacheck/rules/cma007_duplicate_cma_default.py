"""At most one region may carry `linux,cma-default`.

**What the kernel does.** `rmem_cma_setup()` makes every successfully created region with
`linux,cma-default` the default CMA area in turn, **silently**: the one set up last wins,
and which one that is depends on the kernel version (heapsort order up to 6.4, sorted by
address in 6.5-6.12.12, dynamic-then-static DT order from 6.12.13/6.13).  All of them
are created, the others become ordinary named pools.

**Fix.** Keep `linux,cma-default` on one region.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            cma1 { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; linux,cma-default; };
            cma2 { compatible = "shared-dma-pool"; reusable; size = <0 0x2000000>; linux,cma-default; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            cma1 { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; linux,cma-default; };
            cma2 { compatible = "shared-dma-pool"; reusable; size = <0 0x2000000>; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA007"
NAME = "duplicate-cma-default"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    flagged = [r for r in ctx.rmem.children if r.available and r.cma_default]
    for r in flagged[1:]:
        yield Hit(
            f"second linux,cma-default (first: {flagged[0].path}); the kernel keeps "
            "whichever it sets up last as the default CMA area, silently",
            ctx.at(r.node, "linux,cma-default"),
        )
