"""At most one region may carry `linux,dma-default`.

**What the kernel does.** Where a global coherent pool exists (32-bit ARM up to 5.12,
`CONFIG_DMA_GLOBAL_POOL` from 5.13: no-MMU systems), `rmem_dma_setup()` warns with a
backtrace, `Reserved memory: region for default DMA coherent area is redefined`, and the
later region wins.  Elsewhere the property is ignored.

**Fix.** Keep `linux,dma-default` on one region.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            dma1 { compatible = "shared-dma-pool"; no-map; size = <0 0x100000>; linux,dma-default; };
            dma2 { compatible = "shared-dma-pool"; no-map; size = <0 0x100000>; linux,dma-default; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            dma1 { compatible = "shared-dma-pool"; no-map; size = <0 0x100000>; linux,dma-default; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA008"
NAME = "duplicate-dma-default"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    flagged = [r for r in ctx.rmem.children if r.available and r.dma_default]
    for r in flagged[1:]:
        yield Hit(
            f"second linux,dma-default (first: {flagged[0].path}): 'region for default "
            "DMA coherent area is redefined', the later one wins",
            ctx.at(r.node, "linux,dma-default"),
        )
